/* Neighbour methods (CreateNeighbor, DeleteNeighbor, ListNeighbors: ARP/NDP as `ip neigh`) and
 * bridge FDB methods (CreateFdbEntry, DeleteFdbEntry, ListFdbEntries: as `bridge fdb`). */
#include <arpa/inet.h>
#include <linux/neighbour.h>
#include <string.h>

#include "core/names.h"
#include "core/status.h"
#include "ops-internal.h"
#include "ops-pb.h"

#ifndef AF_BRIDGE
#define AF_BRIDGE PF_BRIDGE
#endif

/* What the steps share (op->scratch). */
typedef struct NeighScratch {
	uint32_t idx_link;   /* the device, once looked up */
	uint32_t idx_master; /* ListFdbEntries: the bridge */
	RtnlLink link;	     /* the device in full when its kind matters (an FDB entry's dst) */
	/* What the batch's name map knew of it instead (then link is not looked up). */
	bool kind_known;
	const char *kind;
	uint8_t local_family;
	/* Ensure (ops-ensure.c): the create or delete's EEXIST / "not found", the device's. */
	OpFound found, found_link;
} NeighScratch;

const size_t ops_neigh_scratch_size = sizeof(NeighScratch);

static bool dev_ok(Op *op, const char *dev, uint32_t index)
{
	if (!str_set(dev) && index == 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "dev: the device (name or index) is required");
		return false;
	}
	if (str_set(dev) && !name_ifname_valid(dev)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "dev: invalid interface name \"%.64s\"", dev);
		return false;
	}
	return true;
}

static bool ip_eq(const RtnlIp *a, const RtnlIp *b)
{
	if (a->family != b->family)
		return false;
	return !a->family || memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

static const char *dev_what(Op *op, const char *dev, uint32_t index)
{
	return str_set(dev) ? dev : op_printf(op, "%u", index);
}

/* ---- neighbours */

static bool neigh_from_pb(Op *op, const Nsring__V1__Neighbor *pb, bool create, RtnlNeigh *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!pb) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "neighbor is required");
		return false;
	}
	if (!dev_ok(op, pb->dev, pb->dev_index))
		return false;
	if (!str_set(pb->address) || rtnl_ip_parse(pb->address, &ret->dst) < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "address: invalid IP address \"%.64s\"",
			pb->address ? pb->address : "");
		return false;
	}
	ret->family = ret->dst.family;
	if (str_set(pb->lladdr)) {
		/* Any link layer: "aa:bb:..", one to 32 bytes (a MAC, an IPv4 tunnel endpoint...),
		 * one or two hex digits per byte. */
		const char *s = pb->lladdr;
		unsigned n = 0;

		for (;;) {
			unsigned v = 0, digits = 0;

			for (; digits < 2 && hexval(*s) >= 0; digits++)
				v = v * 16 + (unsigned)hexval(*s++);
			if (!digits || n == sizeof(ret->lladdr) || (*s && *s != ':') ||
			    (*s == ':' && !s[1])) {
				op_fail(op, STATUS_INVALID_ARGUMENT,
					"lladdr: invalid link-layer address \"%.64s\"", pb->lladdr);
				return false;
			}
			ret->lladdr[n++] = (uint8_t)v;
			if (!*s++)
				break;
		}
		ret->lladdr_len = (uint8_t)n;
	}
	if (pb->state > 0xff) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "state: 0x%x is not a NUD state (0-0xff)",
			pb->state);
		return false;
	}
	if (pb->proxy && (str_set(pb->lladdr) || pb->state || pb->router)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"proxy: a proxy entry has no lladdr, state or router flag");
		return false;
	}
	if (pb->router && ret->family != AF_INET6) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "router: only an IPv6 neighbour is a router");
		return false;
	}
	ret->ifindex = pb->dev_index;
	if (create && !pb->proxy)
		ret->state = pb->state ? (uint16_t)pb->state : NUD_PERMANENT;
	if (pb->proxy)
		ret->flags |= NTF_PROXY;
	if (pb->router)
		ret->flags |= NTF_ROUTER;
	return true;
}

static bool neigh_create(const Op *op)
{
	return op->m->start == ops_create_neighbor;
}

static const Nsring__V1__Neighbor *neigh_req(const Op *op)
{
	if (neigh_create(op))
		return ((const Nsring__V1__CreateNeighborRequest *)op->req)->neighbor;
	return ((const Nsring__V1__DeleteNeighborRequest *)op->req)->neighbor;
}

/* The entry's or the device's absence a delete with ensure tolerated: the work is done. */
static void neigh_ensure_gone(Op *op)
{
	NeighScratch *x = op->scratch;

	if (x->found.gone || x->found_link.gone)
		op_set_already_done(op);
}

static void neigh_reply(Op *op)
{
	neigh_ensure_gone(op);
	if (neigh_create(op)) {
		Nsring__V1__CreateNeighborResponse resp =
			NSRING__V1__CREATE_NEIGHBOR_RESPONSE__INIT;
		op_reply(op, &resp.base);
	} else {
		Nsring__V1__DeleteNeighborResponse resp =
			NSRING__V1__DELETE_NEIGHBOR_RESPONSE__INIT;
		op_reply(op, &resp.base);
	}
}

static const char *lladdr_str(Op *op, const uint8_t *ll, size_t len)
{
	char mac[3 * sizeof(((RtnlNeigh *)0)->lladdr)];

	return len ? op_strdup(op, rtnl_mac_format(ll, len, mac, sizeof(mac))) : "";
}

/* Ensure, after an EEXIST: the entry found (in op->dump) against the one asked for. */
static void neigh_judge_existing(Op *op)
{
	NeighScratch *x = op->scratch;
	const Nsring__V1__Neighbor *pb = neigh_req(op);
	RtnlNeigh want;
	EnsureDiff d;

	neigh_from_pb(op, pb, true, &want);
	for (size_t i = 0; i < op->dump.nneighs; i++) {
		const RtnlNeigh *n = &op->dump.neighs[i];

		if (n->ifindex != x->idx_link || !ip_eq(&n->dst, &want.dst) ||
		    (n->flags & NTF_PROXY) != (want.flags & NTF_PROXY))
			continue;
		ensure_diff_init(&d);
		if (n->lladdr_len != want.lladdr_len ||
		    memcmp(n->lladdr, want.lladdr, want.lladdr_len) != 0)
			ensure_diff_str(&d, "lladdr", lladdr_str(op, n->lladdr, n->lladdr_len),
					lladdr_str(op, want.lladdr, want.lladdr_len));
		/* Only a static state is the entry's own: the others move with traffic (a
		 * reachable entry ages to stale), so an aged one still is the one asked for. */
		if (!(want.flags & NTF_PROXY) && (want.state & (NUD_PERMANENT | NUD_NOARP)) &&
		    n->state != want.state)
			ensure_diff_add(&d, "state 0x%x (asked 0x%x)", n->state, want.state);
		if ((n->flags & NTF_ROUTER) != (want.flags & NTF_ROUTER))
			ensure_diff_add(&d, "router %s (asked %s)",
					n->flags & NTF_ROUTER ? "on" : "off",
					want.flags & NTF_ROUTER ? "on" : "off");
		if (ensure_diff_fail(op, &d,
				     op_printf(op, "neighbor %s on \"%s\"", pb->address,
					       dev_what(op, pb->dev, x->idx_link))))
			return;
		op_set_already_done(op);
		neigh_reply(op);
		return;
	}
	op_fail_found(op, &x->found); /* gone in between: the EEXIST as it came */
}

/* Ensure, after the create: an EEXIST tolerated is judged against the entry found. */
static void neigh_judge(Op *op)
{
	NeighScratch *x = op->scratch;
	const Nsring__V1__Neighbor *pb = neigh_req(op);
	uint8_t buf[256];
	RtnlNeigh want;
	OpNl *nl;
	int len;

	if (!x->found.exists) {
		neigh_reply(op);
		return;
	}
	neigh_from_pb(op, pb, true, &want);
	len = rtnl_neigh_dump(buf, sizeof(buf), want.family, x->idx_link, 0);
	if (len > 0 && pb->proxy)
		((struct ndmsg *)NLMSG_DATA(buf))->ndm_flags = NTF_PROXY; /* the proxy table */
	nl = op_send(op, 0, buf, len, "list neighbors");
	if (nl)
		nl->collect = RTM_GETNEIGH;
	op_then(op, neigh_judge_existing);
}

static void neigh_send(Op *op)
{
	NeighScratch *x = op->scratch;
	bool create = neigh_create(op);
	const Nsring__V1__Neighbor *pb = neigh_req(op);
	bool replace = create && ((const Nsring__V1__CreateNeighborRequest *)op->req)->replace;
	uint8_t buf[256];
	RtnlNeigh n;
	OpNl *nl;

	if (x->found_link.gone) {
		if (create)
			op_fail_found(op, &x->found_link);
		else
			neigh_reply(op); /* ensure: no device, no neighbour */
		return;
	}
	neigh_from_pb(op, pb, create, &n);
	if (x->idx_link)
		n.ifindex = x->idx_link;
	x->idx_link = n.ifindex;
	nl = op_send(op, 0, buf,
		     create ? rtnl_neigh_new(buf, sizeof(buf), &n,
					     replace ? RTNL_NEIGH_REPLACE : RTNL_NEIGH_ADD)
			    : rtnl_neigh_del(buf, sizeof(buf), &n),
		     op_printf(op, "%s neighbor %s%s dev \"%s\"",
			       create ? (replace ? "replace" : "add") : "delete",
			       pb->proxy ? "proxy " : "", pb->address,
			       dev_what(op, pb->dev, n.ifindex)));
	if (create && op_ensure(op)) {
		op_nl_tolerate_exists(nl, &x->found);
		op_then(op, neigh_judge);
		return;
	}
	op_nl_tolerate_gone(nl, &x->found);
	op_then_final(op, neigh_reply);
}

static void neigh_resolve(Op *op)
{
	NeighScratch *x = op->scratch;
	const Nsring__V1__Neighbor *pb = neigh_req(op);

	if (str_set(pb->dev))
		op_nl_tolerate_gone(op_get_link(op, 0, 0, pb->dev, NULL, &x->idx_link),
				    &x->found_link);
	op_then(op, neigh_send);
}

static void neigh_start(Op *op, const Nsring__V1__NamespaceRef *ns)
{
	RtnlNeigh n;

	if (!neigh_from_pb(op, neigh_req(op), neigh_create(op), &n) || !op_open_ns(op, 0, ns))
		return;
	op_then(op, neigh_resolve);
}

void ops_create_neighbor(Op *op)
{
	neigh_start(op, ((const Nsring__V1__CreateNeighborRequest *)op->req)->namespace_);
}

void ops_delete_neighbor(Op *op)
{
	neigh_start(op, ((const Nsring__V1__DeleteNeighborRequest *)op->req)->namespace_);
}

/* ---- ListNeighbors */

Nsring__V1__Neighbor *op_neigh_to_pb(Op *op, const RtnlNeigh *n)
{
	Nsring__V1__Neighbor *pb = op_alloc(op, sizeof(*pb));
	char ip[INET6_ADDRSTRLEN], mac[3 * sizeof(n->lladdr)];

	nsring__v1__neighbor__init(pb);
	pb->dev_index = n->ifindex;
	pb->dev = (char *)op_link_name(op, n->ifindex);
	pb->address = op_strdup(op, rtnl_ip_format(&n->dst, ip, sizeof(ip)));
	if (n->lladdr_len)
		pb->lladdr =
			op_strdup(op, rtnl_mac_format(n->lladdr, n->lladdr_len, mac, sizeof(mac)));
	pb->state = n->state;
	pb->proxy = n->flags & NTF_PROXY;
	pb->router = n->flags & NTF_ROUTER;
	pb->flags = n->flags;
	return pb;
}

static void list_neighbors_reply(Op *op)
{
	const Nsring__V1__ListNeighborsRequest *req = (void *)op->req;
	Nsring__V1__ListNeighborsResponse resp = NSRING__V1__LIST_NEIGHBORS_RESPONSE__INIT;
	uint8_t af = op_af(req->family);
	uint32_t only = 0;

	if (str_set(req->dev)) {
		for (size_t i = 0; i < op->dump.nlinks; i++)
			if (strcmp(op->dump.links[i].name, req->dev) == 0)
				only = op->dump.links[i].index;
		if (!only) {
			op_fail(op, STATUS_NOT_FOUND, "link \"%s\" not found", req->dev);
			return;
		}
	}
	resp.neighbors =
		op_alloc(op, (op->dump.nneighs ? op->dump.nneighs : 1) * sizeof(*resp.neighbors));
	for (size_t i = 0; i < op->dump.nneighs; i++) {
		const RtnlNeigh *n = &op->dump.neighs[i];

		/* An AF_UNSPEC dump also brings the bridge FDB: that is ListFdbEntries'. */
		if (n->family != AF_INET && n->family != AF_INET6)
			continue;
		if ((af && n->family != af) || (only && n->ifindex != only))
			continue;
		/* Proxy entries have no state; an entry in no state (NONE) only shows with all. */
		if (req->nud_mask && !(n->flags & NTF_PROXY) && !(n->state & req->nud_mask))
			continue;
		resp.neighbors[resp.n_neighbors++] = op_neigh_to_pb(op, n);
	}
	op_reply(op, &resp.base);
}

static void list_neighbors_dump(Op *op)
{
	const Nsring__V1__ListNeighborsRequest *req = (void *)op->req;
	uint8_t buf[256];
	OpNl *nl;
	int len;

	op_dump(op, RTM_GETLINK, AF_UNSPEC);
	len = rtnl_neigh_dump(buf, sizeof(buf), op_af(req->family), 0, 0);
	if (len > 0 && req->proxy)
		((struct ndmsg *)NLMSG_DATA(buf))->ndm_flags = NTF_PROXY; /* the proxy table */
	nl = op_send(op, 0, buf, len, "list neighbors");
	if (nl)
		nl->collect = RTM_GETNEIGH;
	op_then(op, list_neighbors_reply);
}

void ops_list_neighbors(Op *op)
{
	const Nsring__V1__ListNeighborsRequest *req = (void *)op->req;

	if (!op_list_family_ok(op, req->family))
		return;
	if (str_set(req->dev) && !name_ifname_valid(req->dev)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "dev: invalid interface name \"%.64s\"",
			req->dev);
		return;
	}
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, list_neighbors_dump);
}

/* ---- bridge FDB */

static const struct {
	Nsring__V1__FdbState pb;
	uint16_t state;
} fdb_states[] = {
	{ NSRING__V1__FDB_STATE__FDB_STATE_PERMANENT, RTNL_FDB_PERMANENT },
	{ NSRING__V1__FDB_STATE__FDB_STATE_STATIC, RTNL_FDB_STATIC },
	{ NSRING__V1__FDB_STATE__FDB_STATE_DYNAMIC, RTNL_FDB_DYNAMIC },
};

/* The API's state of an entry as the kernel reports it: local entries are permanent, static ones
 * NUD_NOARP (sent as NUD_REACHABLE|NUD_NOARP), the rest dynamic. */
static Nsring__V1__FdbState fdb_state_to_pb(uint16_t state)
{
	if (state & NUD_PERMANENT)
		return NSRING__V1__FDB_STATE__FDB_STATE_PERMANENT;
	if (state & NUD_NOARP)
		return NSRING__V1__FDB_STATE__FDB_STATE_STATIC;
	return NSRING__V1__FDB_STATE__FDB_STATE_DYNAMIC;
}

/* What names one entry in messages: "00:00:00:00:00:00 dst 198.18.0.2 on \"vx0\"". */
/* As `bridge fdb` prints it. */
static const char *fdb_state_name(Nsring__V1__FdbState s)
{
	switch (s) {
	case NSRING__V1__FDB_STATE__FDB_STATE_PERMANENT:
		return "permanent";
	case NSRING__V1__FDB_STATE__FDB_STATE_STATIC:
		return "static";
	case NSRING__V1__FDB_STATE__FDB_STATE_DYNAMIC:
		return "dynamic";
	default:
		return "none";
	}
}

static const char *fdb_what(Op *op, const Nsring__V1__FdbEntry *pb, uint32_t index)
{
	return op_printf(op, "fdb entry %s%s%s on \"%s\"", pb->mac, str_set(pb->dst) ? " dst " : "",
			 str_set(pb->dst) ? pb->dst : "", dev_what(op, pb->dev, index));
}

/* The parts of an FDB entry that only a VXLAN device takes. */
static bool fdb_is_remote(const Nsring__V1__FdbEntry *pb)
{
	return str_set(pb->dst) || pb->set_vni_case == NSRING__V1__FDB_ENTRY__SET_VNI_VNI ||
	       pb->port;
}

static bool fdb_from_pb(Op *op, const Nsring__V1__FdbEntry *pb, bool create, RtnlNeigh *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!pb) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "entry is required");
		return false;
	}
	if (!dev_ok(op, pb->dev, pb->dev_index))
		return false;
	ret->family = AF_BRIDGE;
	ret->ifindex = pb->dev_index;
	if (!str_set(pb->mac) || rtnl_mac_parse(pb->mac, ret->lladdr) < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "mac: invalid MAC address \"%.64s\"",
			pb->mac ? pb->mac : "");
		return false;
	}
	ret->lladdr_len = 6;
	if (str_set(pb->dst) && rtnl_ip_parse(pb->dst, &ret->dst) < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "dst: invalid IP address \"%.64s\"", pb->dst);
		return false;
	}
	if (pb->set_vni_case == NSRING__V1__FDB_ENTRY__SET_VNI_VNI) {
		if (pb->vni > 0xffffff) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "vni: %u is out of range 0-16777215",
				pb->vni);
			return false;
		}
		ret->has_vni = true;
		ret->vni = pb->vni;
	}
	if (pb->port > 65535) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "port: %u is out of range 1-65535", pb->port);
		return false;
	}
	ret->port = (uint16_t)pb->port;
	if (pb->vlan > 4094) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "vlan: %u is out of range 1-4094", pb->vlan);
		return false;
	}
	ret->vlan = (uint16_t)pb->vlan;
	if (pb->state != NSRING__V1__FDB_STATE__FDB_STATE_UNSPECIFIED) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(fdb_states); i++)
			if (fdb_states[i].pb == pb->state)
				break;
		if (i == ARRAY_SIZE(fdb_states)) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "state: unknown FDB state %d",
				(int)pb->state);
			return false;
		}
		ret->state = fdb_states[i].state;
	} else if (create) {
		ret->state = RTNL_FDB_PERMANENT; /* bridge fdb's default */
	}
	if (pb->self)
		ret->flags |= NTF_SELF;
	if (pb->master)
		ret->flags |= NTF_MASTER;
	if (!pb->self && !pb->master)
		ret->flags |= NTF_SELF; /* bridge fdb's default */
	if (pb->master_index || str_set(pb->master_name)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"master_index, master_name: output only (the device's bridge is implied)");
		return false;
	}
	return true;
}

static bool fdb_create(const Op *op)
{
	return op->m->start == ops_create_fdb_entry;
}

static const Nsring__V1__FdbEntry *fdb_req(const Op *op)
{
	if (fdb_create(op))
		return ((const Nsring__V1__CreateFdbEntryRequest *)op->req)->entry;
	return ((const Nsring__V1__DeleteFdbEntryRequest *)op->req)->entry;
}

static void fdb_reply(Op *op)
{
	neigh_ensure_gone(op);
	if (fdb_create(op)) {
		Nsring__V1__CreateFdbEntryResponse resp =
			NSRING__V1__CREATE_FDB_ENTRY_RESPONSE__INIT;
		op_reply(op, &resp.base);
	} else {
		Nsring__V1__DeleteFdbEntryResponse resp =
			NSRING__V1__DELETE_FDB_ENTRY_RESPONSE__INIT;
		op_reply(op, &resp.base);
	}
}

/* Ensure, after an EEXIST: the entry found (in op->dump) against the one asked for. */
static void fdb_judge_existing(Op *op)
{
	NeighScratch *x = op->scratch;
	const Nsring__V1__FdbEntry *pb = fdb_req(op);
	RtnlNeigh want;
	EnsureDiff d;

	fdb_from_pb(op, pb, true, &want);
	for (size_t i = 0; i < op->dump.nneighs; i++) {
		const RtnlNeigh *n = &op->dump.neighs[i];

		if (n->family != AF_BRIDGE || n->ifindex != x->idx_link ||
		    memcmp(n->lladdr, want.lladdr, 6) != 0 || n->vlan != want.vlan)
			continue;
		/* A flood list has one entry per remote: the one with this dst is the one. */
		if (want.dst.family && !ip_eq(&n->dst, &want.dst))
			continue;
		ensure_diff_init(&d);
		ensure_diff_str(&d, "state", fdb_state_name(fdb_state_to_pb(n->state)),
				fdb_state_name(fdb_state_to_pb(want.state)));
		if (want.has_vni)
			ensure_diff_u32(&d, "vni", n->vni, want.vni);
		if (want.port)
			ensure_diff_u32(&d, "port", n->port, want.port);
		if (ensure_diff_fail(op, &d, fdb_what(op, pb, x->idx_link)))
			return;
		op_set_already_done(op);
		fdb_reply(op);
		return;
	}
	op_fail_found(op, &x->found); /* gone in between: the EEXIST as it came */
}

/* Ensure, after the create: an EEXIST tolerated is judged against the entry found. */
static void fdb_judge(Op *op)
{
	NeighScratch *x = op->scratch;
	uint8_t buf[256];
	OpNl *nl;

	if (!x->found.exists) {
		fdb_reply(op);
		return;
	}
	nl = op_send(op, 0, buf, rtnl_neigh_dump(buf, sizeof(buf), AF_BRIDGE, x->idx_link, 0),
		     "list fdb entries");
	if (nl)
		nl->collect = RTM_GETNEIGH;
	op_then(op, fdb_judge_existing);
}

static void fdb_send(Op *op)
{
	NeighScratch *x = op->scratch;
	bool create = fdb_create(op);
	const Nsring__V1__FdbEntry *pb = fdb_req(op);
	const Nsring__V1__CreateFdbEntryRequest *creq = (const void *)op->req;
	uint8_t buf[256];
	RtnlNeigh n;
	OpNl *nl;

	if (x->found_link.gone) {
		if (create)
			op_fail_found(op, &x->found_link);
		else
			fdb_reply(op); /* ensure: no device, no entry */
		return;
	}
	fdb_from_pb(op, pb, create, &n);
	if (x->link.index) {
		x->kind_known = true;
		x->kind = x->link.kind;
		x->local_family =
			strcmp(x->link.kind, "vxlan") == 0 ? x->link.info.vxlan.local.family : 0;
		x->idx_link = x->link.index;
	}
	if (x->kind_known) {
		const char *name = dev_what(op, pb->dev, x->idx_link);

		/* Only a VXLAN device has remotes; the bridge would ignore them silently. */
		if (strcmp(x->kind, "vxlan") != 0) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"dst, vni, port: only a VXLAN device takes them; \"%s\" is %s%s",
				name, x->kind[0] ? "a " : "not a VXLAN device", x->kind);
			return;
		}
		if (n.dst.family && x->local_family && n.dst.family != x->local_family) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"dst: %s is IPv%d but \"%s\" has an IPv%d local address", pb->dst,
				n.dst.family == AF_INET ? 4 : 6, name,
				x->local_family == AF_INET ? 4 : 6);
			return;
		}
	}
	if (x->idx_link)
		n.ifindex = x->idx_link;
	x->idx_link = n.ifindex;
	nl = op_send(op, 0, buf,
		     create ? rtnl_neigh_new(buf, sizeof(buf), &n,
					     creq->append    ? RTNL_NEIGH_APPEND
					     : creq->replace ? RTNL_NEIGH_REPLACE
							     : RTNL_NEIGH_ADD)
			    : rtnl_neigh_del(buf, sizeof(buf), &n),
		     op_printf(op, "%s %s",
			       create ? (creq->append	 ? "append"
					 : creq->replace ? "replace"
							 : "add")
				      : "delete",
			       fdb_what(op, pb, n.ifindex)));
	if (create && op_ensure(op)) {
		op_nl_tolerate_exists(nl, &x->found);
		op_then(op, fdb_judge);
		return;
	}
	op_nl_tolerate_gone(nl, &x->found);
	op_then_final(op, fdb_reply);
}

static void fdb_resolve(Op *op)
{
	NeighScratch *x = op->scratch;
	const Nsring__V1__FdbEntry *pb = fdb_req(op);
	OpNl *nl = NULL;

	/* A remote needs the device's kind; otherwise the index is enough (a batch knows it). */
	if (fdb_is_remote(pb)) {
		if (!str_set(pb->dev) ||
		    !op_link_kind_lookup(op, 0, pb->dev, &x->idx_link, &x->kind, &x->local_family))
			nl = op_get_link(op, 0, pb->dev_index, pb->dev, &x->link, NULL);
		else
			x->kind_known = true;
	} else if (str_set(pb->dev)) {
		nl = op_get_link(op, 0, 0, pb->dev, NULL, &x->idx_link);
	}
	op_nl_tolerate_gone(nl, &x->found_link);
	op_then(op, fdb_send);
}

static void fdb_start(Op *op, const Nsring__V1__NamespaceRef *ns)
{
	const Nsring__V1__FdbEntry *pb = fdb_req(op);
	RtnlNeigh n;

	if (!fdb_from_pb(op, pb, fdb_create(op), &n))
		return;
	if (fdb_create(op)) {
		const Nsring__V1__CreateFdbEntryRequest *req = (const void *)op->req;

		if (req->append && req->replace) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "append, replace: one or the other");
			return;
		}
		if (req->append && !fdb_is_remote(pb)) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"append: adds a remote (dst) to a VXLAN device's entry; dst is "
				"required");
			return;
		}
	}
	if (!op_open_ns(op, 0, ns))
		return;
	op_then(op, fdb_resolve);
}

void ops_create_fdb_entry(Op *op)
{
	fdb_start(op, ((const Nsring__V1__CreateFdbEntryRequest *)op->req)->namespace_);
}

void ops_delete_fdb_entry(Op *op)
{
	fdb_start(op, ((const Nsring__V1__DeleteFdbEntryRequest *)op->req)->namespace_);
}

/* ---- ListFdbEntries */

Nsring__V1__FdbEntry *op_fdb_to_pb(Op *op, const RtnlNeigh *n)
{
	Nsring__V1__FdbEntry *pb = op_alloc(op, sizeof(*pb));
	char ip[INET6_ADDRSTRLEN], mac[18];

	nsring__v1__fdb_entry__init(pb);
	pb->dev_index = n->ifindex;
	pb->dev = (char *)op_link_name(op, n->ifindex);
	pb->mac = op_strdup(op, rtnl_mac_format(n->lladdr, 6, mac, sizeof(mac)));
	if (n->dst.family)
		pb->dst = op_strdup(op, rtnl_ip_format(&n->dst, ip, sizeof(ip)));
	if (n->has_vni) {
		pb->set_vni_case = NSRING__V1__FDB_ENTRY__SET_VNI_VNI;
		pb->vni = n->vni;
	}
	pb->port = n->port;
	pb->vlan = n->vlan;
	pb->state = fdb_state_to_pb(n->state);
	pb->self = n->flags & NTF_SELF;
	pb->master = n->flags & NTF_MASTER;
	pb->master_index = n->master;
	if (n->master)
		pb->master_name = (char *)op_link_name(op, n->master);
	pb->flags = n->flags;
	return pb;
}

static void list_fdb_reply(Op *op)
{
	Nsring__V1__ListFdbEntriesResponse resp = NSRING__V1__LIST_FDB_ENTRIES_RESPONSE__INIT;

	resp.entries =
		op_alloc(op, (op->dump.nneighs ? op->dump.nneighs : 1) * sizeof(*resp.entries));
	for (size_t i = 0; i < op->dump.nneighs; i++)
		if (op->dump.neighs[i].family == AF_BRIDGE)
			resp.entries[resp.n_entries++] = op_fdb_to_pb(op, &op->dump.neighs[i]);
	op_reply(op, &resp.base);
}

static uint32_t dumped_index(Op *op, const char *name)
{
	for (size_t i = 0; i < op->dump.nlinks; i++)
		if (strcmp(op->dump.links[i].name, name) == 0)
			return op->dump.links[i].index;
	return 0;
}

static void list_fdb_dump(Op *op)
{
	const Nsring__V1__ListFdbEntriesRequest *req = (void *)op->req;
	uint32_t dev = 0, br = 0;
	uint8_t buf[256];
	OpNl *nl;

	if (str_set(req->dev) && !(dev = dumped_index(op, req->dev))) {
		op_fail(op, STATUS_NOT_FOUND, "link \"%s\" not found", req->dev);
		return;
	}
	if (str_set(req->bridge) && !(br = dumped_index(op, req->bridge))) {
		op_fail(op, STATUS_NOT_FOUND, "bridge \"%s\" not found", req->bridge);
		return;
	}
	nl = op_send(op, 0, buf, rtnl_neigh_dump(buf, sizeof(buf), AF_BRIDGE, dev, br),
		     "list fdb entries");
	if (nl)
		nl->collect = RTM_GETNEIGH;
	op_then(op, list_fdb_reply);
}

static void list_fdb_links(Op *op)
{
	/* The names of devices and bridges, for the filters and the entries. */
	op_dump(op, RTM_GETLINK, AF_UNSPEC);
	op_then(op, list_fdb_dump);
}

void ops_list_fdb_entries(Op *op)
{
	const Nsring__V1__ListFdbEntriesRequest *req = (void *)op->req;

	if ((str_set(req->dev) && !name_ifname_valid(req->dev)) ||
	    (str_set(req->bridge) && !name_ifname_valid(req->bridge))) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "%s: invalid interface name \"%.64s\"",
			str_set(req->dev) && !name_ifname_valid(req->dev) ? "dev" : "bridge",
			str_set(req->dev) && !name_ifname_valid(req->dev) ? req->dev : req->bridge);
		return;
	}
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, list_fdb_links);
}
