/* The Watch's mirror of one namespace (see watch-state.h): objects keyed as the kernel keys
 * them, in one hash map, and the decisions what a notification or a dump changed. */
#include "ops/watch-state.h"

#include <errno.h>
#include <stddef.h>
#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <linux/nexthop.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"

/* ---- neighbours and FDB entries (WK_NEIGH, WK_FDB) */

/* The all-zeros MAC of a VXLAN flood list: one entry per remote, told apart by dst and vni. */
static bool fdb_is_flood(const RtnlNeigh *n)
{
	static const uint8_t zero[6];

	return memcmp(n->lladdr, zero, 6) == 0;
}

static uint64_t wobj_neigh_hash(uint64_t h, const WObj *o)
{
	const RtnlNeigh *n = &o->u.neigh;
	uint8_t where = n->flags & (NTF_SELF | NTF_MASTER);

	h = hmap_hash_bytes(h, &n->ifindex, sizeof(n->ifindex));
	if (o->kind == WK_NEIGH) {
		h = hmap_hash_bytes(h, &n->family, 1);
		return hmap_hash_bytes(h, &n->dst, sizeof(n->dst));
	}
	h = hmap_hash_bytes(h, n->lladdr, 6);
	h = hmap_hash_bytes(h, &n->vlan, sizeof(n->vlan));
	return hmap_hash_bytes(h, &where, 1);
}

/* Neighbours by (ifindex, family, address); FDB entries by (ifindex, MAC, vlan, self/master)
 * and, for the all-zeros MAC, also (dst, vni): each remote of a flood list is an entry. */
static bool wobj_neigh_key_eq(const WObj *a, const WObj *b)
{
	const RtnlNeigh *x = &a->u.neigh, *y = &b->u.neigh;

	if (x->ifindex != y->ifindex)
		return false;
	if (a->kind == WK_NEIGH)
		return x->family == y->family && memcmp(&x->dst, &y->dst, sizeof(x->dst)) == 0;
	if (memcmp(x->lladdr, y->lladdr, 6) != 0 || x->vlan != y->vlan ||
	    (x->flags & (NTF_SELF | NTF_MASTER)) != (y->flags & (NTF_SELF | NTF_MASTER)))
		return false;
	return !fdb_is_flood(x) || (memcmp(&x->dst, &y->dst, sizeof(x->dst)) == 0 &&
				    x->has_vni == y->has_vni && x->vni == y->vni);
}

static bool wobj_parse_neigh(const struct nlmsghdr *nlh, WObj *o)
{
	const struct ndmsg *ndm = NLMSG_DATA(nlh);

	/* Proxy entries live in another table, without notifications of their own. */
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)) || (ndm->ndm_flags & NTF_PROXY))
		return false;
	if (rtnl_neigh_parse(nlh, &o->u.neigh) < 0)
		return false;
	o->kind = o->u.neigh.family == AF_BRIDGE ? WK_FDB : WK_NEIGH;
	return true;
}

/* ---- every kind */

static uint64_t wobj_hash(const WObj *o)
{
	uint64_t h = HMAP_HASH_SEED ^ o->kind;

	switch (o->kind) {
	case WK_LINK:
		return hmap_hash_bytes(h, &o->u.link.index, sizeof(o->u.link.index));
	case WK_NEIGH:
	case WK_FDB:
		return wobj_neigh_hash(h, o);
	case WK_ADDR:
		h = hmap_hash_bytes(h, &o->u.addr.index, sizeof(o->u.addr.index));
		h = hmap_hash_bytes(h, &o->u.addr.addr, sizeof(o->u.addr.addr));
		return hmap_hash_bytes(h, &o->u.addr.prefix_len, 1);
	case WK_RULE:
		return hmap_hash_bytes(h, &o->u.rule, sizeof(o->u.rule));
	case WK_NEXTHOP:
		return hmap_hash_bytes(h, &o->u.nexthop.id, sizeof(o->u.nexthop.id));
	case WK_QDISC:
		h = hmap_hash_bytes(h, &o->u.qdisc.ifindex, sizeof(o->u.qdisc.ifindex));
		h = hmap_hash_bytes(h, &o->u.qdisc.handle, sizeof(o->u.qdisc.handle));
		return hmap_hash_bytes(h, &o->u.qdisc.parent, sizeof(o->u.qdisc.parent));
	default:
		h = hmap_hash_bytes(h, &o->u.route.rt.table, sizeof(o->u.route.rt.table));
		h = hmap_hash_bytes(h, &o->u.route.rt.dst, sizeof(o->u.route.rt.dst));
		h = hmap_hash_bytes(h, &o->u.route.rt.dst_len, 1);
		h = hmap_hash_bytes(h, &o->u.route.rt.family, 1);
		if (o->u.route.rt.family == AF_INET6)
			h = hmap_hash_bytes(h, &o->u.route.rt.oif, sizeof(o->u.route.rt.oif));
		return hmap_hash_bytes(h, &o->u.route.rt.priority, sizeof(o->u.route.rt.priority));
	}
}

/* The kernel's identity of an object: links by ifindex, addresses by (ifindex, family,
 * address, prefix length), routes by (table, family, destination, length, metric, tos, type),
 * IPv6 ones also by their device (fe80::/64 exists once per link; 0 for a multipath route),
 * rules by everything they say (the kernel refuses only an identical rule: rule_exists()),
 * nexthops by id. */
static bool wobj_key_eq(const WObj *a, const WObj *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case WK_LINK:
		return a->u.link.index == b->u.link.index;
	case WK_NEIGH:
	case WK_FDB:
		return wobj_neigh_key_eq(a, b);
	case WK_ADDR:
		return a->u.addr.index == b->u.addr.index &&
		       memcmp(&a->u.addr.addr, &b->u.addr.addr, sizeof(a->u.addr.addr)) == 0 &&
		       a->u.addr.prefix_len == b->u.addr.prefix_len;
	case WK_RULE:
		return memcmp(&a->u.rule, &b->u.rule, sizeof(a->u.rule)) == 0;
	case WK_NEXTHOP:
		return a->u.nexthop.id == b->u.nexthop.id;
	case WK_QDISC: /* the kernel's default qdiscs all have handle 0: the parent tells */
		return a->u.qdisc.ifindex == b->u.qdisc.ifindex &&
		       a->u.qdisc.handle == b->u.qdisc.handle &&
		       a->u.qdisc.parent == b->u.qdisc.parent;
	default: {
		const RtnlRoute *x = &a->u.route.rt, *y = &b->u.route.rt;

		return x->table == y->table && x->family == y->family &&
		       memcmp(&x->dst, &y->dst, sizeof(x->dst)) == 0 && x->dst_len == y->dst_len &&
		       x->priority == y->priority && a->u.route.tos == b->u.route.tos &&
		       x->type == y->type && (x->family != AF_INET6 || x->oif == y->oif);
	}
	}
}

/* The bytes of a WObj that hold o's value: a route keeps only the paths it uses (RtnlRoute's
 * array of RTNL_ROUTE_MAX_PATHS would make every route object about 1 KiB). */
size_t wobj_bytes(const WObj *o)
{
	switch (o->kind) {
	case WK_LINK:
		return offsetof(WObj, u) + sizeof(RtnlLink);
	case WK_ADDR:
		return offsetof(WObj, u) + sizeof(RtnlAddr);
	case WK_RULE:
		return offsetof(WObj, u) + sizeof(RtnlRule);
	case WK_NEXTHOP:
		return offsetof(WObj, u.nexthop.group) +
		       o->u.nexthop.n_group * sizeof(RtnlNexthopMember);
	case WK_QDISC:
		return offsetof(WObj, u) + sizeof(RtnlQdisc);
	case WK_NEIGH:
	case WK_FDB:
		return offsetof(WObj, u) + sizeof(RtnlNeigh);
	default:
		return offsetof(WObj, u.route.rt.paths) +
		       o->u.route.rt.n_paths * sizeof(RtnlRoutePath);
	}
}

static bool wobj_same(const WObj *a, const WObj *b)
{
	size_t n = wobj_bytes(a);

	return n == wobj_bytes(b) && memcmp(&a->u, &b->u, n - offsetof(WObj, u)) == 0;
}

bool wobj_parse(const struct nlmsghdr *nlh, WObj *o)
{
	memset(o, 0, sizeof(*o));
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK: {
		const struct ifinfomsg *ifi = NLMSG_DATA(nlh);

		/* AF_BRIDGE messages describe a bridge port, not the link itself. */
		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) || ifi->ifi_family != AF_UNSPEC)
			return false;
		o->kind = WK_LINK;
		if (rtnl_link_parse(nlh, &o->u.link) < 0)
			return false;
		/* Counters change with every packet: not a change the stream reports. */
		o->u.link.has_stats = false;
		memset(&o->u.link.stats, 0, sizeof(o->u.link.stats));
		break;
	}
	case RTM_NEWADDR:
	case RTM_DELADDR:
		o->kind = WK_ADDR;
		if (rtnl_addr_parse(nlh, &o->u.addr) < 0)
			return false;
		/* Remaining lifetimes count down: every dump would look like a change. */
		o->u.addr.valid_lft = o->u.addr.preferred_lft = 0;
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE: {
		const struct rtmsg *rtm = NLMSG_DATA(nlh);

		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) || (rtm->rtm_flags & RTM_F_CLONED))
			return false;
		o->kind = WK_ROUTE;
		if (rtnl_route_parse(nlh, &o->u.route.rt) < 0)
			return false;
		o->u.route.tos = rtm->rtm_tos;
		if (o->u.route.rt.nhid) {
			RtnlRoute *rt = &o->u.route.rt;

			rt->gateway = (RtnlIp){ 0 };
			rt->oif = 0;
			rt->n_paths = 0;
			memset(rt->paths, 0, sizeof(rt->paths));
			rt->flags &= ~(uint32_t)(RTNH_F_DEAD | RTNH_F_LINKDOWN | RTNH_F_OFFLOAD |
						 RTNH_F_TRAP);
		}
		break;
	}
	case RTM_NEWRULE:
	case RTM_DELRULE:
		o->kind = WK_RULE;
		if (rtnl_rule_parse(nlh, &o->u.rule) < 0)
			return false;
		break;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		o->kind = WK_NEXTHOP;
		if (rtnl_nexthop_parse(nlh, &o->u.nexthop) < 0)
			return false;
		break;
	case RTM_NEWQDISC:
	case RTM_DELQDISC:
		/* Counters are left out (NULL stats): they change with every packet. */
		o->kind = WK_QDISC;
		if (rtnl_qdisc_parse(nlh, &o->u.qdisc, NULL, NULL) < 0)
			return false;
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		if (!wobj_parse_neigh(nlh, o))
			return false;
		break;
	default:
		return false;
	}
	o->node.hash = wobj_hash(o);
	return true;
}

void wstate_init(WState *st, unsigned kinds, wstate_event_fn event, void *userdata)
{
	*st = (WState){ .kinds = kinds, .event = event, .userdata = userdata };
}

static WObj *wstate_find(const WState *st, const WObj *key)
{
	HNode *n;

	hmap_for_hash(&st->map, key->node.hash, n) {
		WObj *o = container_of(n, WObj, node);

		if (wobj_key_eq(o, key))
			return o;
	}
	return NULL;
}

/* Inserts a copy of o; NULL without memory. */
static WObj *wstate_insert(WState *st, const WObj *o)
{
	WObj *n = malloc(wobj_bytes(o));

	if (!n)
		return NULL;
	memcpy(n, o, wobj_bytes(o));
	if (hmap_insert(&st->map, &n->node, o->node.hash) < 0) {
		free(n);
		return NULL;
	}
	return n;
}

static void wstate_remove(WState *st, WObj *o)
{
	hmap_remove(&st->map, &o->node);
	free(o);
}

/* A new value for a known object (same key). Returns the object, moved when its value needs
 * more room (a route with more paths), or NULL when that room cannot be had (old is unchanged). */
static WObj *wstate_update(WState *st, WObj *old, const WObj *o)
{
	size_t n = wobj_bytes(o);

	if (n > wobj_bytes(old)) {
		WObj *moved;

		hmap_remove(&st->map, &old->node);
		moved = realloc(old, n);
		if (!moved) {
			hmap_insert(&st->map, &old->node, old->node.hash);
			return NULL;
		}
		old = moved;
		hmap_insert(&st->map, &old->node, old->node.hash);
	}
	memcpy(&old->u, &o->u, n - offsetof(WObj, u));
	return old;
}

void wstate_clear(WState *st)
{
	HNode *n, *tmp;
	size_t i;

	hmap_for_each(&st->map, i, n, tmp) {
		free(container_of(n, WObj, node));
	}
	hmap_clear(&st->map);
}

static void wstate_emit(WState *st, WStateEvent type, const WObj *o, bool from_dump)
{
	st->event(st->userdata, type, o, from_dump);
}

/* Removes (and reports DELETED) every object in v. */
static void wstate_drop(WState *st, WObj **v, size_t n, bool from_dump)
{
	for (size_t i = 0; i < n; i++) {
		wstate_emit(st, WSTATE_DELETED, v[i], from_dump);
		wstate_remove(st, v[i]);
	}
}

/* What the kernel removes without telling when link index went down or away (deleted): IPv4
 * routes through it (but not the host-scope local ones when it only went down; IPv6 ones were
 * announced already), and its qdiscs when it went away. */
static bool wobj_goes_with_link(const WObj *o, uint32_t index, bool deleted)
{
	const RtnlRoute *rt = &o->u.route.rt;

	if (o->kind == WK_QDISC)
		return deleted && o->u.qdisc.ifindex == index;
	if (o->kind != WK_ROUTE || rt->oif != index)
		return false;
	return deleted || (rt->family == AF_INET && rt->scope != RT_SCOPE_HOST);
}

static void wstate_flush_routes(WState *st, uint32_t index, bool deleted)
{
	WObj **v = NULL;
	size_t n = 0, cap = 0, i;
	HNode *node, *tmp;

	hmap_for_each(&st->map, i, node, tmp) {
		WObj *o = container_of(node, WObj, node);

		if (!wobj_goes_with_link(o, index, deleted))
			continue;
		if (n == cap) {
			WObj **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv)
				goto flush;
			v = nv;
		}
		v[n++] = o;
	}
flush:
	wstate_drop(st, v, n, false);
	free(v);
}

/* Whether the kernel may change objects of the mirror without a word when link index goes down
 * or away: nexthops through it are flushed (and groups of them), multipath routes mark or lose
 * their paths through it. */
static bool wstate_link_silent(const WState *st, uint32_t index)
{
	HNode *node, *tmp;
	size_t i;

	if (!(st->kinds & (WK_NEXTHOP | WK_ROUTE)))
		return false;
	hmap_for_each(&st->map, i, node, tmp) {
		const WObj *o = container_of(node, WObj, node);

		if (o->kind == WK_NEXTHOP && o->u.nexthop.oif == index)
			return true;
		if (o->kind == WK_ROUTE)
			for (size_t p = 0; p < o->u.route.rt.n_paths; p++)
				if (o->u.route.rt.paths[p].ifindex == index)
					return true;
	}
	return false;
}

/* Whether deleting nexthop id changes other objects silently: routes using it, groups of it. */
static bool wstate_nexthop_used(const WState *st, uint32_t id)
{
	HNode *node, *tmp;
	size_t i;

	hmap_for_each(&st->map, i, node, tmp) {
		const WObj *o = container_of(node, WObj, node);

		if (o->kind == WK_ROUTE && o->u.route.rt.nhid == id)
			return true;
		if (o->kind == WK_NEXTHOP)
			for (size_t m = 0; m < o->u.nexthop.n_group; m++)
				if (o->u.nexthop.group[m].id == id)
					return true;
	}
	return false;
}

static bool path_eq(const RtnlRoutePath *a, const RtnlRoutePath *b)
{
	return memcmp(&a->gateway, &b->gateway, sizeof(a->gateway)) == 0 &&
	       a->ifindex == b->ifindex && (a->weight ?: 1) == (b->weight ?: 1);
}

/* A single-path route (gateway and device at the top) as the path it is in a multipath one. */
static RtnlRoutePath route_as_path(const RtnlRoute *rt)
{
	return (RtnlRoutePath){ .gateway = rt->gateway,
				.ifindex = rt->oif,
				.weight = 1,
				.flags = (uint8_t)(rt->flags & 0xff) };
}

/* The IPv6 multipath route (oif 0 in its key) with o's key, or NULL. */
static WObj *wstate_find_mpath6(const WState *st, const WObj *o)
{
	WObj key;

	memcpy(&key, o, offsetof(WObj, u.route.rt.paths));
	key.u.route.rt.oif = 0;
	key.node.hash = wobj_hash(&key);
	return wstate_find(st, &key);
}

/* An IPv6 single-path delete of one path of a multipath route the mirror holds: the route
 * loses that path (CHANGED), or, left with one, becomes a single-path route (DELETED, ADDED),
 * as a dump shows it. Returns 1 if it was that, 0 if not, -ENOMEM. */
static int wstate_del_path6(WState *st, const WObj *o)
{
	const RtnlRoute *d = &o->u.route.rt;
	RtnlRoutePath gone = route_as_path(d);
	WObj *mp = wstate_find_mpath6(st, o), *n;
	size_t i, k = 0;

	if (!mp || mp->u.route.rt.n_paths < 2)
		return 0;
	for (i = 0; i < mp->u.route.rt.n_paths; i++)
		if (memcmp(&mp->u.route.rt.paths[i].gateway, &gone.gateway, sizeof(gone.gateway)) ==
			    0 &&
		    mp->u.route.rt.paths[i].ifindex == gone.ifindex)
			break;
	if (i == mp->u.route.rt.n_paths)
		return 0;
	n = malloc(wobj_bytes(mp));
	if (!n)
		return -ENOMEM;
	memcpy(n, mp, wobj_bytes(mp));
	for (size_t j = 0; j < mp->u.route.rt.n_paths; j++)
		if (j != i)
			n->u.route.rt.paths[k++] = mp->u.route.rt.paths[j];
	n->u.route.rt.n_paths = (uint8_t)k;
	if (k == 1) {
		const RtnlRoutePath *p = &n->u.route.rt.paths[0];

		n->u.route.rt.gateway = p->gateway;
		n->u.route.rt.oif = p->ifindex;
		n->u.route.rt.flags |= p->flags;
		n->u.route.rt.n_paths = 0;
		n->node.hash = wobj_hash(n);
		wstate_emit(st, WSTATE_DELETED, mp, false);
		wstate_remove(st, mp);
		if (!wstate_insert(st, n)) {
			free(n);
			return -ENOMEM;
		}
		wstate_emit(st, WSTATE_ADDED, n, false);
	} else {
		mp = wstate_update(st, mp, n);
		if (!mp) {
			free(n);
			return -ENOMEM;
		}
		wstate_emit(st, WSTATE_CHANGED, mp, false);
	}
	free(n);
	return 1;
}

/* An IPv6 multipath notification after an append names the new path first; a dump lists it
 * last. prev: the paths the route had (a multipath route's, or a single-path route's one). */
static void wstate_order_append6(WObj *o, const RtnlRoutePath *prev, size_t nprev)
{
	RtnlRoute *rt = &o->u.route.rt;
	RtnlRoutePath first;

	if (rt->n_paths != nprev + 1)
		return;
	for (size_t i = 0; i < nprev; i++)
		if (!path_eq(&rt->paths[i + 1], &prev[i]))
			return;
	first = rt->paths[0];
	memmove(&rt->paths[0], &rt->paths[1], nprev * sizeof(rt->paths[0]));
	rt->paths[nprev] = first;
}

/* Before an IPv6 multipath route is added: the single-path route it grew from (one of its
 * paths, same key but the device) is gone into it. Sets *prev to that path. */
static bool wstate_absorb_single6(WState *st, const WObj *o, RtnlRoutePath *prev)
{
	const RtnlRoute *rt = &o->u.route.rt;

	for (size_t i = 0; i < rt->n_paths; i++) {
		WObj key, *s;

		memcpy(&key, o, offsetof(WObj, u.route.rt.paths));
		key.u.route.rt.oif = rt->paths[i].ifindex;
		key.u.route.rt.n_paths = 0;
		key.node.hash = wobj_hash(&key);
		s = wstate_find(st, &key);
		if (!s || s->u.route.rt.n_paths)
			continue;
		*prev = route_as_path(&s->u.route.rt);
		wstate_emit(st, WSTATE_DELETED, s, false);
		wstate_remove(st, s);
		return true;
	}
	return false;
}

/* A bridge port's settings changed (`bridge link set`): the kernel tells only in an AF_BRIDGE
 * RTM_NEWLINK, which carries the port's IFLA_PROTINFO. A known link whose port settings differ
 * is CHANGED; everything else in the message is the bridge's view and is not taken. */
static int wstate_apply_brport(WState *st, const struct nlmsghdr *nlh)
{
	WObj key = { .kind = WK_LINK }, *old;
	RtnlLink *l = &key.u.link;

	if (!(st->kinds & WK_LINK) || rtnl_link_parse(nlh, l) < 0 || !l->has_brport)
		return 0;
	key.node.hash = wobj_hash(&key);
	old = wstate_find(st, &key);
	if (!old || (old->u.link.has_brport &&
		     memcmp(&old->u.link.brport, &l->brport, sizeof(l->brport)) == 0))
		return 0;
	old->u.link.has_brport = true;
	old->u.link.brport = l->brport;
	old->seen = false;
	wstate_emit(st, WSTATE_CHANGED, old, false);
	return 0;
}

int wstate_apply(WState *st, const struct nlmsghdr *nlh)
{
	bool del = nlh->nlmsg_type == RTM_DELLINK || nlh->nlmsg_type == RTM_DELADDR ||
		   nlh->nlmsg_type == RTM_DELROUTE || nlh->nlmsg_type == RTM_DELQDISC ||
		   nlh->nlmsg_type == RTM_DELNEIGH || nlh->nlmsg_type == RTM_DELRULE ||
		   nlh->nlmsg_type == RTM_DELNEXTHOP;
	bool went_down, mpath6;
	WObj o, *old;
	int r;

	if (nlh->nlmsg_type == RTM_NEWLINK &&
	    nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg)) &&
	    ((const struct ifinfomsg *)NLMSG_DATA(nlh))->ifi_family == AF_BRIDGE)
		return wstate_apply_brport(st, nlh);
	if (!wobj_parse(nlh, &o) || !(st->kinds & o.kind))
		return 0;
	mpath6 = o.kind == WK_ROUTE && o.u.route.rt.family == AF_INET6;
	if (mpath6 && del && !o.u.route.rt.n_paths && !o.u.route.rt.nhid) {
		r = wstate_del_path6(st, &o);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	old = wstate_find(st, &o);
	if (del) {
		bool redump = false;

		/* Reported even if unknown: it existed, whatever we missed about it. */
		wstate_emit(st, WSTATE_DELETED, &o, false);
		if (old)
			wstate_remove(st, old);
		if (o.kind == WK_LINK) {
			redump = wstate_link_silent(st, o.u.link.index);
			wstate_flush_routes(st, o.u.link.index, true);
		}
		if (o.kind == WK_NEXTHOP)
			redump = wstate_nexthop_used(st, o.u.nexthop.id);
		return redump ? WSTATE_REDUMP : 0;
	}
	if (mpath6 && o.u.route.rt.n_paths > 1) {
		RtnlRoutePath single;

		if (old && old->u.route.rt.n_paths)
			wstate_order_append6(&o, old->u.route.rt.paths, old->u.route.rt.n_paths);
		else if (!old && wstate_absorb_single6(st, &o, &single))
			wstate_order_append6(&o, &single, 1);
	}
	if (!old) {
		if (!wstate_insert(st, &o))
			return -ENOMEM;
		wstate_emit(st, WSTATE_ADDED, &o, false);
		if (o.kind == WK_ROUTE && o.u.route.rt.family == AF_INET6 &&
		    (nlh->nlmsg_flags & NLM_F_REPLACE))
			return WSTATE_REDUMP;
		return 0;
	}
	if (wobj_same(old, &o))
		return 0; /* a notification of something we do not report (statistics, ...) */
	went_down = o.kind == WK_LINK && (old->u.link.flags & IFF_UP) && !(o.u.link.flags & IFF_UP);
	old = wstate_update(st, old, &o);
	if (!old)
		return -ENOMEM;
	old->seen = false;
	wstate_emit(st, WSTATE_CHANGED, old, false);
	if (went_down) {
		bool redump = wstate_link_silent(st, o.u.link.index);

		wstate_flush_routes(st, o.u.link.index, false);
		if (redump)
			return WSTATE_REDUMP;
	}
	return 0;
}

int wstate_reconcile(WState *st, const WObj *objs, size_t n, unsigned kinds)
{
	WObj **gone = NULL;
	size_t ngone = 0, gone_cap = 0, i;
	HNode *node, *tmp;

	hmap_for_each(&st->map, i, node, tmp) {
		WObj *o = container_of(node, WObj, node);

		o->seen = !(kinds & o->kind);
	}
	for (i = 0; i < n; i++) {
		const WObj *o = &objs[i];
		WObj *old = wstate_find(st, o);

		if (!old) {
			old = wstate_insert(st, o);
			if (!old)
				return -ENOMEM;
			old->seen = true;
			wstate_emit(st, WSTATE_ADDED, old, true);
		} else if (!wobj_same(old, o)) {
			old = wstate_update(st, old, o);
			if (!old)
				return -ENOMEM;
			old->seen = true;
			wstate_emit(st, WSTATE_CHANGED, old, true);
		} else {
			old->seen = true;
		}
	}
	hmap_for_each(&st->map, i, node, tmp) {
		WObj *o = container_of(node, WObj, node);

		if (o->seen)
			continue;
		if (ngone == gone_cap) {
			size_t cap = gone_cap ? gone_cap * 2 : 64;
			WObj **v = realloc(gone, cap * sizeof(*v));

			if (!v)
				goto drop; /* the rest stays until the next dump */
			gone = v;
			gone_cap = cap;
		}
		gone[ngone++] = o;
	}
drop:
	wstate_drop(st, gone, ngone, true);
	free(gone);
	return 0;
}

const RtnlLink *wstate_link(const WState *st, uint32_t index)
{
	WObj key = { .kind = WK_LINK };
	WObj *o;

	key.u.link.index = index;
	key.node.hash = wobj_hash(&key);
	o = wstate_find(st, &key);
	return o ? &o->u.link : NULL;
}

size_t wstate_count(const WState *st)
{
	return st->map.n;
}

bool wstate_snapshot(const WState *st, unsigned kinds, bool (*fn)(void *userdata, const WObj *o),
		     void *userdata)
{
	static const unsigned order[] = { WK_LINK, WK_ADDR,  WK_ROUTE, WK_QDISC,
					  WK_NEIGH, WK_FDB,   WK_RULE,  WK_NEXTHOP };
	HNode *node, *tmp;
	size_t i;

	for (size_t k = 0; k < ARRAY_SIZE(order); k++) {
		if (!(kinds & order[k]))
			continue;
		hmap_for_each(&st->map, i, node, tmp) {
			const WObj *o = container_of(node, WObj, node);

			if (o->kind == order[k] && !fn(userdata, o))
				return false;
		}
	}
	return true;
}
