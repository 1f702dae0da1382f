/* Link methods: CreateLink, GetLink, ListLinks, UpdateLink (DeleteLink: ops-linkdel.c).
 * Requests that the kernel processes in order on one socket are pipelined (create, bring up and
 * read back go out in one send); only a step that needs another namespace's socket waits for an
 * answer. */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "core/status.h"
#include "ops-internal.h"
#include "ops-linkkind.h"
#include "ops-pb.h"

/* What the link methods' steps share (op->scratch). */
typedef struct LinkScratch {
	RtnlLink link, link2; /* the link as read before and after a change */
	RtnlLink master;      /* the master named by the request: its kind is checked */
	uint32_t idx_master, idx_parent;
	/* Ensure (ops-link-ensure.c): what the kernel found, and the links read to compare. */
	OpFound found, found_get, found_peer;
	/* Set right after the creation (the kernel takes neither on create), then up. */
	RtnlLinkAttrs late;
	bool late_up;
} LinkScratch;

const size_t ops_link_scratch_size = sizeof(LinkScratch);

static bool check_ifname(Op *op, const char *what, const char *name)
{
	if (name && name_ifname_valid(name))
		return true;
	op_fail(op, STATUS_INVALID_ARGUMENT,
		"invalid %s \"%.64s\": interface names are 1-15 bytes, without '/', ':' or "
		"whitespace, and not \".\" or \"..\"",
		what, name ? name : "");
	return false;
}

bool op_check_link_ref(Op *op, const char *name, uint32_t index)
{
	if (str_set(name))
		return check_ifname(op, "interface name", name);
	if (index > 0)
		return true;
	op_fail(op, STATUS_INVALID_ARGUMENT, "name or index of the link is required");
	return false;
}

const char *op_link_what(Op *op, const char *name, uint32_t index)
{
	return str_set(name) ? op_printf(op, "link \"%s\"", name)
			     : op_printf(op, "link index %u", index);
}

/* The master the request names (read into x->master) must be a master kind; field names it. */
static bool master_ok(Op *op, const char *field)
{
	LinkScratch *x = op->scratch;

	x->idx_master = x->master.index;
	if (op_master_kind_ok(x->master.kind))
		return true;
	op_fail(op, STATUS_INVALID_ARGUMENT,
		"invalid %s \"%s\": it is a %s link, not a master (bridge, bond or vrf)", field,
		x->master.name, x->master.kind[0] ? x->master.kind : "kind-less");
	return false;
}

/* ---- CreateLink */

static bool parse_ip_field(Op *op, const char *what, const char *s, RtnlIp *ret)
{
	if (!str_set(s))
		return true;
	if (rtnl_ip_parse(s, ret) == 0)
		return true;
	op_fail(op, STATUS_INVALID_ARGUMENT, "invalid %s address \"%.64s\"", what, s);
	return false;
}

/* The peer lives in another namespace than the link itself. */
static bool peer_elsewhere(const Op *op)
{
	return op->ns[1] && op->ns[1] != op->ns[0];
}

static void create_link_reply(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	Nsring__V1__CreateLinkResponse resp = NSRING__V1__CREATE_LINK_RESPONSE__INIT;

	/* A veth's IFLA_LINK is its peer's ifindex, in the peer's namespace: later operations of a
	 * batch can name the peer without looking it up. */
	if (req->link->info_case == NSRING__V1__LINK__INFO_VETH && x->link.link)
		op_index_learn(op, peer_elsewhere(op) ? 1 : 0, req->link->veth->peer_name,
			       x->link.link);

	resp.link = op_link_to_pb(op, &x->link);
	op_reply(op, &resp.base);
}

static void create_link_peer_up(Op *op)
{
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	const char *peer = req->link->veth->peer_name;
	RtnlLinkChange ch = { .name = peer, .up = 1, .ns_fd = -1 };
	uint8_t buf[512];

	op_send(op, 1, buf, rtnl_link_set(buf, sizeof(buf), &ch),
		op_printf(op, "bring up peer \"%s\"", peer));
	op_then(op, create_link_reply);
}

static void create_link_bring_up(Op *op);
static void create_link_judge(Op *op);
static void create_link_compare(Op *op);

static void create_link_send(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	const Nsring__V1__Link *l = req->link;
	RtnlLinkSpec spec = { .name = l->name, .ns_fd = -1, .mtu = l->mtu };
	bool veth = l->info_case == NSRING__V1__LINK__INFO_VETH;
	uint8_t buf[1024];
	OpNl *nl;

	if (str_set(req->master) && !master_ok(op, "master"))
		return;
	if (str_set(l->address))
		spec.has_mac = true, rtnl_mac_parse(l->address, spec.mac);
	if (l->group)
		spec.has_group = true, spec.group = l->group;
	spec.master_index = x->idx_master;
	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_VETH:
		spec.kind = RTNL_KIND_VETH;
		spec.veth.peer_name = l->veth->peer_name;
		/* Created directly where it belongs: never created here and moved. */
		spec.veth.peer_ns_fd = peer_elsewhere(op) ? op->ns[1]->ns_fd : -1;
		break;
	case NSRING__V1__LINK__INFO_BRIDGE:
		spec.kind = RTNL_KIND_BRIDGE;
		break;
	case NSRING__V1__LINK__INFO_VXLAN:
		spec.kind = RTNL_KIND_VXLAN;
		spec.vxlan.vni = l->vxlan->vni;
		spec.vxlan.port = (uint16_t)l->vxlan->port;
		rtnl_ip_parse(l->vxlan->local, &spec.vxlan.local);
		if (str_set(l->vxlan->remote))
			rtnl_ip_parse(l->vxlan->remote, &spec.vxlan.remote);
		if (str_set(l->vxlan->group))
			rtnl_ip_parse(l->vxlan->group, &spec.vxlan.group);
		spec.vxlan.dev_index = x->idx_parent;
		break;
	case NSRING__V1__LINK__INFO_MACVLAN:
		spec.kind = RTNL_KIND_MACVLAN;
		spec.macvlan.parent_index = x->idx_parent;
		spec.macvlan.mode = op_macvlan_mode_from_pb(l->macvlan->mode);
		break;
	case NSRING__V1__LINK__INFO_IFB:
		spec.kind = RTNL_KIND_IFB;
		break;
	case NSRING__V1__LINK__INFO_DUMMY:
		spec.kind = RTNL_KIND_DUMMY;
		break;
	default:
		break;
	}
	if (!op_link_spec_from_pb(op, l, x->idx_parent, &spec))
		return;
	/* A veth end cannot be created up (its peer does not exist yet): bring it up after,
	 * in the same send. Other kinds are created up. */
	spec.up = l->up && !veth;
	/* The kernel refuses IFLA_AF_SPEC on create (EAFNOSUPPORT, for ip too) and ignores
	 * IFLA_IFALIAS there: those two are set right after, in the same send. Up only once the
	 * mode is set: an interface that comes up first has already made its link-local address
	 * by the old mode. */
	x->late = spec.attrs;
	spec.attrs.has_addr_gen_mode = false;
	spec.attrs.alias = NULL;
	x->late_up = spec.up && x->late.has_addr_gen_mode;
	if (x->late_up)
		spec.up = false;
	nl = op_send(op, 0, buf, rtnl_link_new(buf, sizeof(buf), &spec),
		     op_printf(op, "create link \"%s\"", l->name));
	/* The kinds this kernel may lack: its refusal names the kind. */
	if (nl && !veth)
		nl->unsupported = op_link_unsupported(op, l, rtnl_kind_to_name(spec.kind));
	if (op_ensure(op)) {
		/* Nothing else goes out until it is known whether the link was there. */
		op_nl_tolerate_exists(nl, &x->found);
		op_nl_tolerate_gone(op_get_link(op, 0, 0, l->name, &x->link, NULL), &x->found_get);
		op_then(op, create_link_judge);
		return;
	}
	create_link_bring_up(op);
	op_get_link(op, 0, 0, l->name, &x->link, NULL);
	/* The peer's namespace has its own socket: its request must wait for the creation. */
	if (l->up && veth && peer_elsewhere(op))
		op_then(op, create_link_peer_up);
	else
		op_then_final(op, create_link_reply);
}

/* What follows the creation on this namespace's socket: alias and addr_gen_mode, then up
 * (deferred for them); a veth's ends go up (the peer too when it is here;
 * create_link_peer_up() brings it up elsewhere). */
static void create_link_bring_up(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	const Nsring__V1__Link *l = req->link;
	uint8_t buf[512];

	if (x->late.has_addr_gen_mode || x->late.alias) {
		RtnlLinkChange ch = { .name = l->name, .up = -1, .ns_fd = -1 };

		ch.attrs.has_addr_gen_mode = x->late.has_addr_gen_mode;
		ch.attrs.addr_gen_mode = x->late.addr_gen_mode;
		ch.attrs.alias = x->late.alias;
		op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &ch),
			op_printf(op, "set alias/addrgenmode of \"%s\"", l->name));
	}
	if (x->late_up) {
		RtnlLinkChange ch = { .name = l->name, .up = 1, .ns_fd = -1 };

		op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &ch),
			op_printf(op, "bring up \"%s\"", l->name));
	}
	if (l->up && l->info_case == NSRING__V1__LINK__INFO_VETH) {
		RtnlLinkChange ch = { .name = l->name, .up = 1, .ns_fd = -1 };
		op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &ch),
			op_printf(op, "bring up \"%s\"", l->name));
		if (!peer_elsewhere(op)) {
			ch.name = l->veth->peer_name;
			op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &ch),
				op_printf(op, "bring up peer \"%s\"", ch.name));
		}
	}
}

/* Ensure: the creation's answer is in. Created: go on as without ensure. Found: compare. */
static void create_link_judge(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	const Nsring__V1__Link *l = req->link;

	if (!x->found.exists) {
		create_link_bring_up(op);
		op_get_link(op, 0, 0, l->name, &x->link, NULL);
		if (l->up && l->info_case == NSRING__V1__LINK__INFO_VETH && peer_elsewhere(op))
			op_then(op, create_link_peer_up);
		else
			op_then(op, create_link_reply);
		return;
	}
	if (x->found_get.gone) {
		/* EEXIST, yet no link of that name: another name of the request (a veth's peer)
		 * is taken. */
		op_fail_found(op, &x->found);
		return;
	}
	link_ensure_read(op, l, peer_elsewhere(op), &x->link, x->idx_master, &x->link2,
			 &x->found_peer, &x->master);
	op_then(op, create_link_compare);
}

/* Ensure: the existing link (and its peer, its master) against the request. */
static void create_link_compare(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	const Nsring__V1__Link *l = req->link;
	LinkEnsure e = {
		.req = req,
		.link = &x->link,
		.idx_master = x->idx_master,
		.idx_parent = x->idx_parent,
		.peer = &x->link2,
		.peer_gone = x->found_peer.gone,
		.master = &x->master,
	};
	uint8_t buf[512];

	if (link_ensure_differs(op, &e))
		return;
	/* Everything the creation sets matches. What it does after (bringing the ends up, a
	 * request of its own) may be what a crash cut off: finish it. */
	if (l->up && !(x->link.flags & IFF_UP)) {
		RtnlLinkChange ch = { .index = x->link.index, .up = 1, .ns_fd = -1 };

		op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &ch),
			op_printf(op, "bring up \"%s\"", l->name));
		op_get_link(op, 0, x->link.index, NULL, &x->link, NULL);
		e.changed = true;
	}
	if (l->up && l->info_case == NSRING__V1__LINK__INFO_VETH && !(x->link2.flags & IFF_UP)) {
		RtnlLinkChange ch = { .index = x->link2.index, .up = 1, .ns_fd = -1 };

		op_send(op, peer_elsewhere(op) ? 1 : 0, buf, rtnl_link_set(buf, sizeof(buf), &ch),
			op_printf(op, "bring up peer \"%s\"", l->veth->peer_name));
		e.changed = true;
	}
	if (!e.changed)
		op_set_already_done(op);
	op_then(op, create_link_reply);
}

static void create_link_resolve(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;
	const Nsring__V1__Link *l = req->link;

	if (str_set(req->master))
		op_get_link(op, 0, 0, req->master, &x->master, NULL);
	if (str_set(op_link_kind_parent(l)))
		op_get_link(op, 0, 0, op_link_kind_parent(l), NULL, &x->idx_parent);
	if (l->info_case == NSRING__V1__LINK__INFO_MACVLAN)
		op_get_link(op, 0, 0, l->macvlan->parent, NULL, &x->idx_parent);
	if (l->info_case == NSRING__V1__LINK__INFO_VXLAN && str_set(l->vxlan->dev))
		op_get_link(op, 0, 0, l->vxlan->dev, NULL, &x->idx_parent);
	op_then(op, create_link_send);
}

static bool create_link_validate(Op *op, const Nsring__V1__CreateLinkRequest *req)
{
	const Nsring__V1__Link *l = req->link;
	uint8_t mac[6];
	RtnlIp ip;

	if (!l) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "link is required");
		return false;
	}
	if (!check_ifname(op, "interface name", l->name))
		return false;
	if (str_set(l->address) && rtnl_mac_parse(l->address, mac) < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid link-layer address \"%.64s\"",
			l->address);
		return false;
	}
	if (str_set(req->master) && !check_ifname(op, "master name", req->master))
		return false;
	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_VETH:
		if (!check_ifname(op, "veth peer name", l->veth->peer_name))
			return false;
		break;
	case NSRING__V1__LINK__INFO_VXLAN: {
		const Nsring__V1__Vxlan *v = l->vxlan;
		if (v->vni > 0xffffff) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "vxlan id %u is out of range 0-16777215",
				v->vni);
			return false;
		}
		if (v->port > 65535) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "vxlan port %u is out of range", v->port);
			return false;
		}
		if (str_set(v->remote) && str_set(v->group)) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"vxlan remote and group are exclusive: set one");
			return false;
		}
		if (!parse_ip_field(op, "vxlan local", v->local, &ip) ||
		    !parse_ip_field(op, "vxlan remote", v->remote, &ip) ||
		    !parse_ip_field(op, "vxlan group", v->group, &ip))
			return false;
		if (str_set(v->dev) && !check_ifname(op, "vxlan device name", v->dev))
			return false;
		break;
	}
	case NSRING__V1__LINK__INFO_MACVLAN:
		if (!check_ifname(op, "macvlan parent name", l->macvlan->parent))
			return false;
		break;
	case NSRING__V1__LINK__INFO_IFB:
	case NSRING__V1__LINK__INFO_DUMMY:
		break;
	case NSRING__V1__LINK__INFO_TUN:
		return ops_tun_validate(op, l); /* ops-tun.c */
	default:
		if (op_link_kind_handled(l))
			return op_link_kind_validate(op, l);
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"link kind missing: set one of veth, bridge, vxlan, macvlan, ifb, dummy, "
			"vlan, vrf, bond, ipvlan, macvtap, geneve, gre, gretap, ip6gre, ipip, sit, "
			"wireguard");
		return false;
	}
	return op_link_spec_from_pb(op, l, 0, &(RtnlLinkSpec){ .name = l->name, .ns_fd = -1 });
}

void ops_create_link(Op *op)
{
	const Nsring__V1__CreateLinkRequest *req = (void *)op->req;

	if (!create_link_validate(op, req))
		return;
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	if (req->link->info_case == NSRING__V1__LINK__INFO_TUN) {
		ops_create_tun(op);
		return;
	}
	if (req->link->info_case == NSRING__V1__LINK__INFO_VETH && req->link->veth->peer_namespace &&
	    req->link->veth->peer_namespace->ref_case != NSRING__V1__NAMESPACE_REF__REF__NOT_SET)
		op_open_ns(op, 1, req->link->veth->peer_namespace);
	op_then(op, create_link_resolve);
}

/* ---- GetLink */

static void get_link_reply(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__GetLinkRequest *req = (void *)op->req;
	Nsring__V1__GetLinkResponse resp = NSRING__V1__GET_LINK_RESPONSE__INIT;

	resp.link = op_link_to_pb(op, &x->link);
	if (req->stats)
		op_link_stats_to_pb(op, &x->link, resp.link);
	op_reply(op, &resp.base);
}

static void get_link_send(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__GetLinkRequest *req = (void *)op->req;
	uint8_t buf[512];
	OpNl *nl;

	if (!req->stats) {
		op_get_link(op, 0, req->index, req->name, &x->link, NULL);
		op_then_final(op, get_link_reply);
		return;
	}
	/* With counters: the same read without RTEXT_FILTER_SKIP_STATS. */
	nl = op_send(op, 0, buf,
		     rtnl_link_get_stats(buf, sizeof(buf), str_set(req->name) ? 0 : req->index,
					 req->name),
		     op_link_what(op, req->name, req->index));
	if (nl) {
		nl->ret_link = &x->link;
		nl->not_found = true;
	}
	op_then_final(op, get_link_reply);
}

void ops_get_link(Op *op)
{
	const Nsring__V1__GetLinkRequest *req = (void *)op->req;

	if (!op_check_link_ref(op, req->name, req->index) || !op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, get_link_send);
}

/* ---- ListLinks */

static void list_links_reply(Op *op)
{
	const Nsring__V1__ListLinksRequest *req = (void *)op->req;
	Nsring__V1__ListLinksResponse resp = NSRING__V1__LIST_LINKS_RESPONSE__INIT;
	const LinkScratch *x = op->scratch;

	resp.links = op_alloc(op, (op->dump.nlinks ? op->dump.nlinks : 1) * sizeof(*resp.links));
	for (size_t i = 0; i < op->dump.nlinks; i++) {
		const RtnlLink *l = &op->dump.links[i];
		/* The kernel filters with strict checking; filter again for kernels that don't. */
		if (str_set(req->kind) && strcmp(l->kind, req->kind) != 0)
			continue;
		if (str_set(req->master) && l->master != x->idx_master)
			continue;
		resp.links[resp.n_links] = op_link_to_pb(op, l);
		if (req->stats)
			op_link_stats_to_pb(op, l, resp.links[resp.n_links]);
		resp.n_links++;
	}
	op_reply(op, &resp.base);
}

static void list_links_dump(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__ListLinksRequest *req = (void *)op->req;
	uint8_t buf[512];
	OpNl *nl;

	nl = op_send(op, 0, buf,
		     (req->stats ? rtnl_link_dump_stats : rtnl_link_dump)(
			     buf, sizeof(buf), x->idx_master, str_set(req->kind) ? req->kind : NULL),
		     "list links");
	if (nl)
		nl->collect = RTM_GETLINK;
	op_then(op, list_links_reply);
}

static void list_links_resolve(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__ListLinksRequest *req = (void *)op->req;

	if (str_set(req->master))
		op_get_link(op, 0, 0, req->master, NULL, &x->idx_master);
	op_then(op, list_links_dump);
}

void ops_list_links(Op *op)
{
	const Nsring__V1__ListLinksRequest *req = (void *)op->req;

	if (str_set(req->master) && !check_ifname(op, "master name", req->master))
		return;
	if (str_set(req->kind) && strlen(req->kind) >= sizeof(((RtnlLink *)0)->kind)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid link kind \"%.64s\"", req->kind);
		return;
	}
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, list_links_resolve);
}

/* ---- UpdateLink */

static void update_link_reply(Op *op)
{
	LinkScratch *x = op->scratch;
	Nsring__V1__UpdateLinkResponse resp = NSRING__V1__UPDATE_LINK_RESPONSE__INIT;

	resp.link = op_link_to_pb(op, &x->link2);
	op_reply(op, &resp.base);
}

static bool update_link_moves(const Nsring__V1__UpdateLinkRequest *req)
{
	return req->move_to && req->move_to->ref_case != NSRING__V1__NAMESPACE_REF__REF__NOT_SET;
}

static const char *update_link_final_name(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__UpdateLinkRequest *req = (void *)op->req;

	return req->set_name_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_NAME_NEW_NAME
		       ? req->new_name
		       : x->link.name;
}

/* After a move the link lives behind the destination's socket: read it back there. */
static void update_link_read_moved(Op *op)
{
	LinkScratch *x = op->scratch;
	op_get_link(op, 1, 0, update_link_final_name(op), &x->link2, NULL);
	op_then(op, update_link_reply);
}

static void update_link_apply(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__UpdateLinkRequest *req = (void *)op->req;
	RtnlLinkChange ch = { .index = x->link.index, .up = -1, .ns_fd = -1 };
	RtnlBridgeOpts br;
	bool change = false;
	uint8_t buf[1024];
	OpNl *nl = NULL;

	if (req->set_master_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER &&
	    str_set(req->master) && !master_ok(op, "master"))
		return;
	if (req->bridge && strcmp(x->link.kind, "bridge") != 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"invalid bridge: link \"%s\" is a %s link, not a bridge", x->link.name,
			x->link.kind[0] ? x->link.kind : "kind-less");
		return;
	}
	if (!op_update_attrs_from_pb(op, req, &ch.attrs) ||
	    !op_bridge_opts_from_pb(op, "", req->bridge, &br))
		return;
	if (op_update_attrs_set(&ch.attrs))
		change = true;
	if (req->bridge)
		ch.bridge = &br, change = true;

	if (req->set_up_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_UP_UP)
		ch.up = req->up ? 1 : 0, change = true;
	if (req->set_mtu_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_MTU_MTU)
		ch.has_mtu = true, ch.mtu = req->mtu, change = true;
	if (req->set_address_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_ADDRESS_ADDRESS)
		ch.has_mac = true, rtnl_mac_parse(req->address, ch.mac), change = true;
	if (req->set_master_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER)
		ch.has_master = true, ch.master_index = x->idx_master, change = true;
	if (req->set_name_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_NAME_NEW_NAME)
		ch.new_name = req->new_name, change = true;
	if (req->set_group_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_GROUP_GROUP)
		ch.has_group = true, ch.group = req->group, change = true;
	if (!ch.index)
		ch.name = req->name; /* by name: see update_link_resolve() */
	if (change) {
		/* Up after a new addr_gen_mode, not with it (see CreateLink): one more message. */
		bool up_after = ch.up == 1 && ch.attrs.has_addr_gen_mode;

		if (up_after)
			ch.up = -1;
		nl = op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &ch),
			     op_printf(op, "link \"%s\"", ch.index ? x->link.name : req->name));
		if (up_after) {
			/* A rename has an index: u finds the link by it. */
			RtnlLinkChange u = { .index = ch.index, .name = ch.name, .up = 1, .ns_fd = -1 };

			op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &u),
				op_printf(op, "bring up \"%s\"", update_link_final_name(op)));
		}
		if (nl)
			nl->not_found = true; /* a stale index from the name map is ENODEV */
		if (nl && req->bridge && req->bridge->set_vlan_filtering_case &&
		    req->bridge->vlan_filtering)
			nl->unsupported = op_printf(
				op,
				"link \"%s\": this kernel lacks support for bridge VLAN filtering "
				"(CONFIG_BRIDGE_VLAN_FILTERING)",
				x->link.name);
	}
	if (ch.new_name || update_link_moves(req))
		op_index_forget(op, 0, x->link.name);
	if (update_link_moves(req)) {
		RtnlLinkChange mv = { .index = x->link.index, .up = -1, .ns_fd = op->ns[1]->ns_fd };
		op_send(op, 0, buf, rtnl_link_set(buf, sizeof(buf), &mv),
			op_printf(op, "move link \"%s\" to %s", update_link_final_name(op),
				  op_ns_describe(op, req->move_to)));
		op_then(op, update_link_read_moved);
		return;
	}
	op_get_link(op, 0, x->link.index, x->link.index ? NULL : req->name, &x->link2, NULL);
	op_then_final(op, update_link_reply);
}

/* Ensure: what the request would change, against the link as read. */
static bool update_link_changes(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__UpdateLinkRequest *req = (void *)op->req;
	const RtnlLink *k = &x->link;
	uint8_t mac[6];

	if (update_link_moves(req))
		return true;
	if (req->set_up_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_UP_UP &&
	    !!(k->flags & IFF_UP) != !!req->up)
		return true;
	if (req->set_mtu_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_MTU_MTU && k->mtu != req->mtu)
		return true;
	if (req->set_address_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_ADDRESS_ADDRESS &&
	    (rtnl_mac_parse(req->address, mac) < 0 || k->mac_len != 6 ||
	     memcmp(k->mac, mac, 6) != 0))
		return true;
	if (req->set_master_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER &&
	    k->master != x->idx_master)
		return true;
	if (req->set_name_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_NAME_NEW_NAME &&
	    strcmp(k->name, req->new_name) != 0)
		return true;
	if (req->set_group_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_GROUP_GROUP &&
	    k->group != req->group)
		return true;
	return false;
}

/* Ensure: the link was read (and, for a rename or a move, its new name where it would be). */
static void update_link_judge(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__UpdateLinkRequest *req = (void *)op->req;

	if (!x->found_get.gone) {
		if (update_link_changes(op)) {
			update_link_apply(op);
			return;
		}
		x->link2 = x->link; /* nothing to change */
	} else if (x->found.gone ||
		   (req->set_name_case != NSRING__V1__UPDATE_LINK_REQUEST__SET_NAME_NEW_NAME &&
		    !update_link_moves(req))) {
		op_fail_found(op, &x->found_get); /* not there, not renamed or moved either */
		return;
	}
	/* Else gone under its old name (or from its namespace), there under the new one: a rename
	 * or a move already done (a move's changes went out in the same send as the move). */
	op_set_already_done(op);
	update_link_reply(op);
}

static void update_link_resolve(Op *op)
{
	LinkScratch *x = op->scratch;
	const Nsring__V1__UpdateLinkRequest *req = (void *)op->req;

	if (op_ensure(op)) {
		/* Read first: an update whose work is found done sends nothing. */
		op_nl_tolerate_gone(op_get_link(op, 0, req->index, req->name, &x->link, NULL),
				    &x->found_get);
		if (update_link_moves(req) ||
		    req->set_name_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_NAME_NEW_NAME) {
			const char *final = req->set_name_case ==
							    NSRING__V1__UPDATE_LINK_REQUEST__SET_NAME_NEW_NAME
						    ? req->new_name
						    : req->name;

			if (str_set(final))
				op_nl_tolerate_gone(op_get_link(op, update_link_moves(req) ? 1 : 0,
								0, final, &x->link2, NULL),
						    &x->found);
			else
				x->found.gone = true; /* a move by index: nothing to look for */
		}
		if (req->set_master_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER &&
		    str_set(req->master))
			op_get_link(op, 0, 0, req->master, NULL, &x->idx_master);
		op_then(op, update_link_judge);
		return;
	}

	/* The link's index (renames and moves need it) comes from the batch's name map, or from
	 * reading the link first, which also gives a clear "not found"; that read rides in the
	 * same send as the master lookup. */
	if (req->bridge)
		/* Bridge options need the link's kind: always read it. */
		op_get_link(op, 0, req->index, req->name, &x->link, NULL);
	else if (str_set(req->name) && op_index_lookup(op, 0, req->name, &x->link.index))
		snprintf(x->link.name, sizeof(x->link.name), "%s", req->name);
	else if (str_set(req->name) &&
		 req->set_name_case != NSRING__V1__UPDATE_LINK_REQUEST__SET_NAME_NEW_NAME &&
		 !update_link_moves(req))
		/* A plain change names the link in the request itself (the kernel looks it up,
		 * ENODEV if missing) and the read-back goes by name too: no lookup round trip. */
		x->link.index = 0;
	else
		op_get_link(op, 0, req->index, req->name, &x->link, NULL);
	if (req->set_master_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER &&
	    str_set(req->master))
		op_get_link(op, 0, 0, req->master, &x->master, NULL);
	op_then(op, update_link_apply);
}

void ops_update_link(Op *op)
{
	const Nsring__V1__UpdateLinkRequest *req = (void *)op->req;
	uint8_t mac[6];

	if (!op_check_link_ref(op, req->name, req->index))
		return;
	if (req->set_address_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_ADDRESS_ADDRESS &&
	    rtnl_mac_parse(req->address ? req->address : "", mac) < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid link-layer address \"%.64s\"",
			req->address ? req->address : "");
		return;
	}
	if (req->set_master_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER &&
	    str_set(req->master) && !check_ifname(op, "master name", req->master))
		return;
	if (req->set_name_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_NAME_NEW_NAME &&
	    !check_ifname(op, "new interface name", req->new_name))
		return;
	if (req->set_mtu_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_MTU_MTU && req->mtu == 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "mtu 0 is not valid");
		return;
	}
	{
		RtnlLinkAttrs a;
		RtnlBridgeOpts br;

		/* Bad attributes fail here, before the namespace is even opened. */
		if (!op_update_attrs_from_pb(op, req, &a) ||
		    !op_bridge_opts_from_pb(op, "", req->bridge, &br))
			return;
	}
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	if (update_link_moves(req))
		op_open_ns(op, 1, req->move_to);
	op_then(op, update_link_resolve);
}
