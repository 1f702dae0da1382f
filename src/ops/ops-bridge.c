/* Bridge port methods: UpdateBridgePort (`bridge link set`), CreateBridgeVlan, DeleteBridgeVlan
 * and ListBridgeVlans (`bridge vlan add|del|show`). All talk only to their namespace's netlink
 * socket, so a batch pipelines them like the link methods. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "core/status.h"
#include "ops-internal.h"
#include "ops-linkkind.h"
#include "ops-pb.h"

/* The VLANs one dump reply may carry (every id of a port, unmerged, at worst). */
#define BRIDGE_VLANS_MAX 4096

typedef struct PortVlans {
	uint32_t index;
	char name[IFNAMSIZ];
	RtnlBridgeVlan *vlans;
	size_t n;
} PortVlans;

typedef struct BridgeScratch {
	RtnlLink link, link2; /* the port before and after a change */
	uint32_t idx;	      /* the VLAN methods' port */
	PortVlans *ports;     /* a VLAN dump's ports (only the wanted one for create/delete) */
	size_t nports, ports_cap;
} BridgeScratch;

const size_t ops_bridge_scratch_size = sizeof(BridgeScratch);

static const char *vlan_unsupported(Op *op, const char *dev)
{
	return op_printf(
		op,
		"bridge vlan on \"%s\": this kernel lacks support for bridge VLAN filtering "
		"(CONFIG_BRIDGE_VLAN_FILTERING)",
		dev);
}

/* ---- UpdateBridgePort */

static bool brport_from_pb(Op *op, const Nsring__V1__BridgePort *b, RtnlBrport *p)
{
	*p = (RtnlBrport){ 0 };
	if (!b) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "port is required");
		return false;
	}
#define TRI(f)                                                                                     \
	if (b->set_##f##_case)                                                                     \
		p->f = b->f ? RTNL_TRI_ON : RTNL_TRI_OFF;
	TRI(hairpin)
	TRI(learning)
	TRI(flood)
	TRI(mcast_flood)
	TRI(isolated)
	TRI(neigh_suppress)
#undef TRI
	if (b->set_cost_case) {
		if (b->cost == 0) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "invalid port.cost 0: 1-4294967295");
			return false;
		}
		p->has_cost = true, p->cost = b->cost;
	}
	if (b->set_priority_case) {
		if (b->priority > 63) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "invalid port.priority %u: 0-63",
				b->priority);
			return false;
		}
		p->has_priority = true, p->priority = (uint16_t)b->priority;
	}
	if (!p->hairpin && !p->learning && !p->flood && !p->mcast_flood && !p->isolated &&
	    !p->neigh_suppress && !p->has_cost && !p->has_priority) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "port: set at least one flag to change");
		return false;
	}
	return true;
}

/* Every flag the request sets already has that value. */
static bool brport_same(const RtnlBrport *want, const RtnlBrport *have)
{
#define SAME(f) (!want->f || want->f == have->f)
	return SAME(hairpin) && SAME(learning) && SAME(flood) && SAME(mcast_flood) &&
	       SAME(isolated) && SAME(neigh_suppress) &&
	       (!want->has_cost || (have->has_cost && want->cost == have->cost)) &&
	       (!want->has_priority || (have->has_priority && want->priority == have->priority));
#undef SAME
}

static void update_port_reply(Op *op)
{
	BridgeScratch *x = op->scratch;
	Nsring__V1__UpdateBridgePortResponse resp = NSRING__V1__UPDATE_BRIDGE_PORT_RESPONSE__INIT;

	resp.port = op_brport_to_pb(op, &x->link2.brport);
	op_reply(op, &resp.base);
}

static void update_port_apply(Op *op)
{
	BridgeScratch *x = op->scratch;
	const Nsring__V1__UpdateBridgePortRequest *req = (void *)op->req;
	RtnlBrport p;
	uint8_t buf[512];

	if (!x->link.has_brport || strcmp(x->link.slave_kind, "bridge") != 0) {
		op_fail(op, STATUS_FAILED_PRECONDITION,
			"link \"%s\" is not a bridge port (enslave it to a bridge first)",
			x->link.name);
		return;
	}
	brport_from_pb(op, req->port, &p);
	if (op_ensure(op) && brport_same(&p, &x->link.brport)) {
		Nsring__V1__UpdateBridgePortResponse resp =
			NSRING__V1__UPDATE_BRIDGE_PORT_RESPONSE__INIT;

		resp.port = op_brport_to_pb(op, &x->link.brport);
		resp.already_done = true;
		op_reply(op, &resp.base);
		return;
	}
	op_send(op, 0, buf, rtnl_brport_set(buf, sizeof(buf), x->link.index, &p),
		op_printf(op, "bridge port \"%s\"", x->link.name));
	op_get_link(op, 0, x->link.index, NULL, &x->link2, NULL);
	op_then_final(op, update_port_reply);
}

static void update_port_resolve(Op *op)
{
	BridgeScratch *x = op->scratch;
	const Nsring__V1__UpdateBridgePortRequest *req = (void *)op->req;

	op_get_link(op, 0, req->index, req->name, &x->link, NULL);
	op_then(op, update_port_apply);
}

void ops_update_bridge_port(Op *op)
{
	const Nsring__V1__UpdateBridgePortRequest *req = (void *)op->req;
	RtnlBrport p;

	if (!op_check_link_ref(op, req->name, req->index) || !brport_from_pb(op, req->port, &p) ||
	    !op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, update_port_resolve);
}

/* ---- VLAN dumps */

static void vlans_restart(OpNl *nl)
{
	BridgeScratch *x = nl->op->scratch;

	x->nports = 0;
}

/* One AF_BRIDGE reply: the port and its VLANs; with x->idx set, only that port is kept. */
static void vlans_msg(OpNl *nl, const struct nlmsghdr *nlh)
{
	Op *op = nl->op;
	BridgeScratch *x = op->scratch;
	const Nsring__V1__ListBridgeVlansRequest *lreq = (void *)op->req;
	static RtnlBridgeVlan vlans[BRIDGE_VLANS_MAX];
	bool listing = op->m->req_desc == &nsring__v1__list_bridge_vlans_request__descriptor;
	uint32_t index;
	size_t n = 0;
	RtnlLink l;
	PortVlans *p;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    rtnl_bridge_vlan_parse(nlh, &index, vlans, ARRAY_SIZE(vlans), &n) < 0 || n == 0)
		return;
	if (x->idx && index != x->idx)
		return;
	if (rtnl_link_parse(nlh, &l) < 0)
		return;
	if (listing && str_set(lreq->dev) && strcmp(l.name, lreq->dev) != 0)
		return;
	x->ports = op_grow(op, x->ports, &x->ports_cap, x->nports, sizeof(*x->ports));
	p = &x->ports[x->nports++];
	p->index = index;
	snprintf(p->name, sizeof(p->name), "%s", l.name);
	p->vlans = op_alloc(op, n * sizeof(*p->vlans));
	memcpy(p->vlans, vlans, n * sizeof(*p->vlans));
	p->n = n;
}

static OpNl *vlans_dump(Op *op)
{
	uint8_t buf[256];
	OpNl *nl =
		op_send(op, 0, buf, rtnl_bridge_vlan_dump(buf, sizeof(buf)), "list bridge vlans");

	static const OpNlHooks hooks = { .msg = vlans_msg, .restart = vlans_restart };

	if (nl)
		nl->hooks = &hooks;
	return nl;
}

/* ---- CreateBridgeVlan, DeleteBridgeVlan */

static bool vlan_from_pb(Op *op, const Nsring__V1__BridgeVlan *v,
			 Nsring__V1__BridgeVlanTarget target, RtnlBridgeVlan *ret)
{
	*ret = (RtnlBridgeVlan){ 0 };
	if (!v) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "vlan is required");
		return false;
	}
	if (v->vid < 1 || v->vid > 4094) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid vlan.vid %u: VLAN ids are 1-4094",
			v->vid);
		return false;
	}
	if (v->vid_end && (v->vid_end < v->vid || v->vid_end > 4094)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"invalid vlan.vid_end %u: 0, or from vid (%u) to 4094", v->vid_end, v->vid);
		return false;
	}
	if (v->pvid && v->vid_end > v->vid) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"invalid vlan.pvid: a range of VLANs cannot be the pvid");
		return false;
	}
	ret->vid = (uint16_t)v->vid;
	ret->vid_end = (uint16_t)v->vid_end;
	ret->pvid = v->pvid;
	ret->untagged = v->untagged;
	switch (target) {
	case NSRING__V1__BRIDGE_VLAN_TARGET__BRIDGE_VLAN_TARGET_MASTER:
		ret->target = RTNL_BRVLAN_MASTER;
		break;
	case NSRING__V1__BRIDGE_VLAN_TARGET__BRIDGE_VLAN_TARGET_SELF:
		ret->target = RTNL_BRVLAN_SELF;
		break;
	case NSRING__V1__BRIDGE_VLAN_TARGET__BRIDGE_VLAN_TARGET_UNSPECIFIED:
		break;
	default:
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid target %d", (int)target);
		return false;
	}
	return true;
}

/* How many ids of want the dumped port has: all of them with want's flags (same), any. */
static void vlan_found(const BridgeScratch *x, const RtnlBridgeVlan *want, bool *ret_all_same,
		       bool *ret_any)
{
	uint16_t end = want->vid_end > want->vid ? want->vid_end : want->vid;
	bool all = true, any = false;

	for (uint32_t id = want->vid; id <= end; id++) {
		bool have = false;

		for (size_t i = 0; i < x->nports && !have; i++)
			for (size_t j = 0; j < x->ports[i].n; j++) {
				const RtnlBridgeVlan *v = &x->ports[i].vlans[j];
				uint16_t vend = v->vid_end > v->vid ? v->vid_end : v->vid;

				if (id < v->vid || id > vend)
					continue;
				have = true;
				if (v->pvid != want->pvid || v->untagged != want->untagged)
					all = false;
				break;
			}
		any |= have;
		all &= have;
	}
	*ret_all_same = all;
	*ret_any = any;
}

static void vlan_reply_done(Op *op)
{
	Nsring__V1__CreateBridgeVlanResponse resp = NSRING__V1__CREATE_BRIDGE_VLAN_RESPONSE__INIT;

	/* Create and delete responses have the same shape (only already_done). */
	op_reply(op, &resp.base);
}

static void vlan_reply_already(Op *op)
{
	Nsring__V1__CreateBridgeVlanResponse resp = NSRING__V1__CREATE_BRIDGE_VLAN_RESPONSE__INIT;

	if (op->m->req_desc == &nsring__v1__delete_bridge_vlan_request__descriptor) {
		Nsring__V1__DeleteBridgeVlanResponse d =
			NSRING__V1__DELETE_BRIDGE_VLAN_RESPONSE__INIT;
		d.already_done = true;
		op_reply(op, &d.base);
		return;
	}
	resp.already_done = true;
	op_reply(op, &resp.base);
}

static void vlan_reply(Op *op)
{
	if (op->m->req_desc == &nsring__v1__delete_bridge_vlan_request__descriptor) {
		Nsring__V1__DeleteBridgeVlanResponse d =
			NSRING__V1__DELETE_BRIDGE_VLAN_RESPONSE__INIT;
		op_reply(op, &d.base);
		return;
	}
	vlan_reply_done(op);
}

/* Create and Delete share their requests' first fields (namespace, dev, dev_index, vlan,
 * target, ensure): read them through one view. */
typedef struct VlanReq {
	bool del;
	const Nsring__V1__NamespaceRef *ns;
	const char *dev;
	uint32_t dev_index;
	const Nsring__V1__BridgeVlan *vlan;
	Nsring__V1__BridgeVlanTarget target;
	bool ensure;
} VlanReq;

static VlanReq vlan_req(const Op *op)
{
	if (op->m->req_desc == &nsring__v1__delete_bridge_vlan_request__descriptor) {
		const Nsring__V1__DeleteBridgeVlanRequest *r = (void *)op->req;
		return (VlanReq){ true,	   r->namespace_, r->dev,   r->dev_index,
				  r->vlan, r->target,	  op_ensure(op) };
	}
	const Nsring__V1__CreateBridgeVlanRequest *r = (void *)op->req;
	return (VlanReq){
		false, r->namespace_, r->dev, r->dev_index, r->vlan, r->target, op_ensure(op)
	};
}

static void vlan_send(Op *op)
{
	BridgeScratch *x = op->scratch;
	VlanReq r = vlan_req(op);
	const char *dev = str_set(r.dev) ? r.dev : op_printf(op, "if%u", x->idx);
	RtnlBridgeVlan v;
	uint8_t buf[256];
	OpNl *nl;

	vlan_from_pb(op, r.vlan, r.target, &v);
	if (r.ensure) {
		bool same, any;

		vlan_found(x, &v, &same, &any);
		if ((r.del && !any) || (!r.del && same)) {
			vlan_reply_already(op);
			return;
		}
	}
	nl = op_send(
		op, 0, buf,
		r.del ? rtnl_bridge_vlan_del(buf, sizeof(buf), x->idx, &v)
		      : rtnl_bridge_vlan_add(buf, sizeof(buf), x->idx, &v),
		op_printf(op, "%s bridge vlan %u on \"%s\"", r.del ? "delete" : "add", v.vid, dev));
	if (nl) {
		nl->unsupported = vlan_unsupported(op, dev);
		nl->not_found = true;
	}
	op_then_final(op, vlan_reply);
}

static void vlan_resolve_dump(Op *op)
{
	vlans_dump(op);
	op_then(op, vlan_send);
}

static void vlan_resolve(Op *op)
{
	BridgeScratch *x = op->scratch;
	VlanReq r = vlan_req(op);

	if (str_set(r.dev))
		op_get_link(op, 0, 0, r.dev, NULL, &x->idx);
	else
		x->idx = r.dev_index;
	if (r.ensure) {
		op_then(op, vlan_resolve_dump);
		return;
	}
	op_then(op, vlan_send);
}

static void vlan_start(Op *op)
{
	VlanReq r = vlan_req(op);
	RtnlBridgeVlan v;

	if (!op_check_link_ref(op, r.dev, r.dev_index) || !vlan_from_pb(op, r.vlan, r.target, &v) ||
	    !op_open_ns(op, 0, r.ns))
		return;
	op_then(op, vlan_resolve);
}

void ops_create_bridge_vlan(Op *op)
{
	vlan_start(op);
}

void ops_delete_bridge_vlan(Op *op)
{
	vlan_start(op);
}

/* ---- ListBridgeVlans */

static void list_vlans_reply(Op *op)
{
	BridgeScratch *x = op->scratch;
	Nsring__V1__ListBridgeVlansResponse resp = NSRING__V1__LIST_BRIDGE_VLANS_RESPONSE__INIT;

	resp.ports = op_alloc(op, (x->nports ? x->nports : 1) * sizeof(*resp.ports));
	for (size_t i = 0; i < x->nports; i++) {
		const PortVlans *p = &x->ports[i];
		Nsring__V1__BridgePortVlans *pb = op_alloc(op, sizeof(*pb));

		nsring__v1__bridge_port_vlans__init(pb);
		pb->dev = op_strdup(op, p->name);
		pb->dev_index = p->index;
		pb->vlans = op_alloc(op, p->n * sizeof(*pb->vlans));
		for (size_t j = 0; j < p->n; j++) {
			Nsring__V1__BridgeVlan *v = op_alloc(op, sizeof(*v));

			nsring__v1__bridge_vlan__init(v);
			v->vid = p->vlans[j].vid;
			v->vid_end =
				p->vlans[j].vid_end > p->vlans[j].vid ? p->vlans[j].vid_end : 0;
			v->pvid = p->vlans[j].pvid;
			v->untagged = p->vlans[j].untagged;
			pb->vlans[pb->n_vlans++] = v;
		}
		resp.ports[resp.n_ports++] = pb;
	}
	op_reply(op, &resp.base);
}

static void list_vlans_dump(Op *op)
{
	vlans_dump(op);
	op_then(op, list_vlans_reply);
}

void ops_list_bridge_vlans(Op *op)
{
	const Nsring__V1__ListBridgeVlansRequest *req = (void *)op->req;

	if (str_set(req->dev) && !op_check_link_ref(op, req->dev, 0))
		return;
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, list_vlans_dump);
}
