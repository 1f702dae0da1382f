/* Route methods: CreateRoute (also replace), DeleteRoute, ListRoutes. Defaults follow ip. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "core/status.h"
#include "ops-internal.h"
#include "ops-pb.h"

/* What the steps share (op->scratch): the links named by dev and the paths' devs, once looked
 * up. */
typedef struct RouteScratch {
	uint32_t idx_link;
	uint32_t idx_paths[RTNL_ROUTE_MAX_PATHS];
	OpFound found, found_link; /* ensure: the route, its dev */
} RouteScratch;

const size_t ops_route_scratch_size = sizeof(RouteScratch);

#define TABLE_ALL 0xffffffffu

/* The paths of a multipath route (RTA_MULTIPATH); the route's family may come from them. */
static bool route_paths_from_pb(Op *op, const Nsring__V1__Route *pb, RtnlRoute *ret)
{
	if (pb->n_paths > RTNL_ROUTE_MAX_PATHS) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "route.paths: %zu paths, at most %d here",
			pb->n_paths, RTNL_ROUTE_MAX_PATHS);
		return false;
	}
	if (str_set(pb->gateway) || str_set(pb->dev) || pb->dev_index || pb->nhid) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"route.paths: a multipath route has its gateways and devices in its paths "
			"(no route.gateway, dev or nhid)");
		return false;
	}
	for (size_t i = 0; i < pb->n_paths; i++) {
		const Nsring__V1__RoutePath *pp = pb->paths[i];
		RtnlRoutePath *p = &ret->paths[i];

		if (!pp || (!str_set(pp->gateway) && !str_set(pp->dev) && !pp->dev_index)) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"route.paths[%zu]: a gateway or a dev is required", i);
			return false;
		}
		if (str_set(pp->gateway)) {
			if (rtnl_ip_parse(pp->gateway, &p->gateway) < 0) {
				op_fail(op, STATUS_INVALID_ARGUMENT,
					"route.paths[%zu].gateway: invalid address \"%.64s\"", i,
					pp->gateway);
				return false;
			}
			/* An IPv4 route may go via an IPv6 gateway (RTA_VIA), not the reverse. */
			if (!ret->family)
				ret->family = p->gateway.family;
			if (ret->family == AF_INET6 && p->gateway.family != AF_INET6) {
				op_fail(op, STATUS_INVALID_ARGUMENT,
					"route.paths[%zu].gateway \"%.64s\" is not IPv6 as the "
					"route is",
					i, pp->gateway);
				return false;
			}
		}
		if (str_set(pp->dev) && !name_ifname_valid(pp->dev)) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"route.paths[%zu].dev: invalid interface name \"%.64s\"", i,
				pp->dev);
			return false;
		}
		if (pp->weight > 256) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"route.paths[%zu].weight %u is out of range 1-256", i, pp->weight);
			return false;
		}
		if (pp->onlink && !p->gateway.family) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"route.paths[%zu].onlink needs a gateway", i);
			return false;
		}
		if (pp->flags) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"route.paths[%zu].flags is output only", i);
			return false;
		}
		p->ifindex = pp->dev_index;
		p->weight = (uint16_t)(pp->weight ? pp->weight : 1);
		p->flags = pp->onlink ? RTNH_F_ONLINK : 0;
	}
	ret->n_paths = (uint8_t)pb->n_paths;
	return true;
}

/* Options of routes beyond destination and gateway: nexthop id, onlink, mtu, paths. */
static bool route_options_from_pb(Op *op, const Nsring__V1__Route *pb, bool create, RtnlRoute *ret)
{
	bool special = pb->type == RTN_BLACKHOLE || pb->type == RTN_UNREACHABLE ||
		       pb->type == RTN_PROHIBIT || pb->type == RTN_THROW;

	if (str_set(pb->src) || pb->iif || pb->flags) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "route.%s is output only",
			str_set(pb->src) ? "src"
			: pb->iif	 ? "iif"
					 : "flags");
		return false;
	}
	if (special && (str_set(pb->gateway) || pb->n_paths || pb->nhid || pb->onlink)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"route.type %u (blackhole, unreachable, prohibit, throw) takes no gateway, "
			"paths, nhid or onlink",
			pb->type);
		return false;
	}
	if (pb->nhid) {
		if (str_set(pb->gateway) || str_set(pb->dev) || pb->dev_index || pb->n_paths ||
		    pb->onlink) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"route.nhid: the nexthop object is the route's next hop (no "
				"gateway, dev, paths or onlink with it)");
			return false;
		}
		ret->nhid = pb->nhid;
	}
	if (pb->n_paths && !route_paths_from_pb(op, pb, ret))
		return false;
	if (pb->onlink) {
		if (!str_set(pb->gateway)) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "route.onlink needs route.gateway");
			return false;
		}
		ret->flags |= RTNH_F_ONLINK;
	}
	if (pb->mtu && !create) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"route.mtu does not identify a route to delete");
		return false;
	}
	ret->mtu = pb->mtu;
	return true;
}

static bool route_paths_have_gateway(const RtnlRoute *rt)
{
	for (size_t i = 0; i < rt->n_paths; i++)
		if (rt->paths[i].gateway.family)
			return true;
	return false;
}

static bool route_from_pb(Op *op, const Nsring__V1__Route *pb, bool create, RtnlRoute *ret)
{
	const char *dst;

	memset(ret, 0, sizeof(*ret));
	if (!pb) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "route is required");
		return false;
	}
	if (pb->family != 0 && pb->family != 4 && pb->family != 6) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "family must be 4, 6 or 0, not %u",
			pb->family);
		return false;
	}
	ret->family = op_af(pb->family);
	dst = pb->destination ? pb->destination : "";
	if (*dst && strcmp(dst, "default") != 0) {
		if (rtnl_prefix_parse(dst, &ret->dst, &ret->dst_len) < 0) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "invalid destination \"%.64s\"", dst);
			return false;
		}
		if (ret->family && ret->family != ret->dst.family) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"destination \"%.64s\" is not of family %u", dst, pb->family);
			return false;
		}
		ret->family = ret->dst.family;
	}
	if (str_set(pb->gateway)) {
		if (rtnl_ip_parse(pb->gateway, &ret->gateway) < 0) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "invalid gateway \"%.64s\"",
				pb->gateway);
			return false;
		}
		if (!ret->family)
			ret->family = ret->gateway.family;
		if (ret->gateway.family != ret->family) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"gateway \"%.64s\" is not of the route's family", pb->gateway);
			return false;
		}
	}
	if (str_set(pb->prefsrc)) {
		if (rtnl_ip_parse(pb->prefsrc, &ret->prefsrc) < 0 ||
		    (ret->family && ret->prefsrc.family != ret->family)) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "invalid source address \"%.64s\"",
				pb->prefsrc);
			return false;
		}
		if (!ret->family)
			ret->family = ret->prefsrc.family;
	}
	if (!route_options_from_pb(op, pb, create, ret))
		return false;
	if (!ret->family) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"the family (4 or 6) is needed for a default route without a gateway");
		return false;
	}
	if (str_set(pb->dev) && !name_ifname_valid(pb->dev)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid interface name \"%.64s\"", pb->dev);
		return false;
	}
	if (pb->protocol > 255 || pb->type > 255 ||
	    (pb->set_scope_case == NSRING__V1__ROUTE__SET_SCOPE_SCOPE && pb->scope > 255)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "protocol, type and scope are 0-255");
		return false;
	}
	if (pb->table == TABLE_ALL) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"table %u is reserved: it means \"all tables\" when listing", TABLE_ALL);
		return false;
	}
	ret->oif = pb->dev_index;
	ret->table = pb->table ? pb->table : RT_TABLE_MAIN;
	ret->priority = pb->metric;
	/* As ip does: local, broadcast, nat and anycast routes live in the local table. */
	if (!pb->table && (pb->type == RTN_LOCAL || pb->type == RTN_BROADCAST ||
			   pb->type == RTN_NAT || pb->type == RTN_ANYCAST))
		ret->table = RT_TABLE_LOCAL;
	if (create) {
		ret->protocol = pb->protocol ? (uint8_t)pb->protocol : RTPROT_BOOT;
		ret->type = pb->type ? (uint8_t)pb->type : RTN_UNICAST;
		if (pb->set_scope_case == NSRING__V1__ROUTE__SET_SCOPE_SCOPE)
			ret->scope = (uint8_t)pb->scope;
		else if (ret->type == RTN_LOCAL)
			ret->scope = RT_SCOPE_HOST;
		else if (ret->family == AF_INET && ret->type == RTN_UNICAST &&
			 !ret->gateway.family && !ret->nhid && !route_paths_have_gateway(ret))
			ret->scope =
				RT_SCOPE_LINK; /* a directly connected IPv4 route, as ip does */
		else
			ret->scope = RT_SCOPE_UNIVERSE;
	} else {
		/* Deletion matches any protocol/type/scope unless given, as ip does. */
		ret->protocol = (uint8_t)pb->protocol;
		ret->type = (uint8_t)pb->type;
		ret->scope = pb->set_scope_case == NSRING__V1__ROUTE__SET_SCOPE_SCOPE
				     ? (uint8_t)pb->scope
				     : RT_SCOPE_NOWHERE;
	}
	return true;
}

static bool route_create(const Op *op)
{
	return op->m->start == ops_create_route;
}

static const Nsring__V1__Route *route_req(const Op *op)
{
	if (route_create(op))
		return ((const Nsring__V1__CreateRouteRequest *)op->req)->route;
	return ((const Nsring__V1__DeleteRouteRequest *)op->req)->route;
}

static void route_reply(Op *op)
{
	RouteScratch *x = op->scratch;

	if (x->found.gone || x->found_link.gone)
		op_set_already_done(op); /* ensure: a delete that found nothing */
	if (route_create(op)) {
		Nsring__V1__CreateRouteResponse resp = NSRING__V1__CREATE_ROUTE_RESPONSE__INIT;
		op_reply(op, &resp.base);
	} else {
		Nsring__V1__DeleteRouteResponse resp = NSRING__V1__DELETE_ROUTE_RESPONSE__INIT;
		op_reply(op, &resp.base);
	}
}

static bool ip_eq(const RtnlIp *a, const RtnlIp *b)
{
	return a->family == b->family &&
	       (!a->family || memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0);
}

static const char *ip_text(Op *op, const RtnlIp *ip)
{
	char buf[INET6_ADDRSTRLEN];

	return ip->family ? op_strdup(op, rtnl_ip_format(ip, buf, sizeof(buf))) : "";
}

static const char *dev_text(Op *op, uint32_t index)
{
	const char *name = index ? op_link_name(op, index) : "";

	return *name || !index ? name : op_printf(op, "index %u", index);
}

/* Ensure: the kernel has a route with the same key (table, destination, metric); the routes of
 * the family were dumped. Everything the request sets must match. */
static void route_compare(Op *op)
{
	RouteScratch *x = op->scratch;
	const Nsring__V1__Route *pb = route_req(op);
	char sc[12], asc[12];
	const RtnlRoute *f = NULL;
	EnsureDiff d;
	RtnlRoute rt;

	route_from_pb(op, pb, true, &rt);
	if (x->idx_link)
		rt.oif = x->idx_link;
	if (rt.family == AF_INET6 && !rt.priority)
		rt.priority = 1024; /* IP6_RT_PRIO_USER: what the kernel gives metric 0 */
	for (size_t i = 0; i < op->dump.nroutes && !f; i++) {
		const RtnlRoute *c = &op->dump.routes[i];

		if (c->family == rt.family && c->table == rt.table && c->dst_len == rt.dst_len &&
		    ip_eq(&c->dst, &rt.dst) && c->priority == rt.priority)
			f = c;
	}
	if (!f) {
		op_fail_found(op, &x->found);
		return;
	}
	ensure_diff_init(&d);
	for (size_t i = 0; i < rt.n_paths; i++)
		if (x->idx_paths[i])
			rt.paths[i].ifindex = x->idx_paths[i];
	if (rt.nhid || f->nhid) {
		/* The kernel adds the nexthop's gateway and device to the route it shows. */
		ensure_diff_u32(&d, "nhid", f->nhid, rt.nhid);
	} else {
		if (!ip_eq(&f->gateway, &rt.gateway))
			ensure_diff_str(&d, "gateway", ip_text(op, &f->gateway),
					ip_text(op, &rt.gateway));
		if (rt.oif && f->oif != rt.oif)
			ensure_diff_str(&d, "dev", dev_text(op, f->oif), dev_text(op, rt.oif));
		if (f->n_paths != rt.n_paths)
			ensure_diff_u32(&d, "paths", f->n_paths, rt.n_paths);
		for (size_t i = 0; i < rt.n_paths && f->n_paths == rt.n_paths; i++) {
			const RtnlRoutePath *a = &f->paths[i], *b = &rt.paths[i];

			if (!ip_eq(&a->gateway, &b->gateway) || a->ifindex != b->ifindex ||
			    (a->weight ?: 1) != (b->weight ?: 1))
				ensure_diff_add(&d, "path %zu", i + 1);
		}
	}
	if ((rt.flags & RTNH_F_ONLINK) != (f->flags & RTNH_F_ONLINK))
		ensure_diff_u32(&d, "onlink", !!(f->flags & RTNH_F_ONLINK),
				!!(rt.flags & RTNH_F_ONLINK));
	if (rt.mtu && f->mtu != rt.mtu)
		ensure_diff_u32(&d, "mtu", f->mtu, rt.mtu);
	if (f->scope != rt.scope) {
		snprintf(sc, sizeof(sc), "%u", f->scope);
		snprintf(asc, sizeof(asc), "%u", rt.scope);
		ensure_diff_str(&d, "scope", sc, asc);
	}
	ensure_diff_u32(&d, "protocol", f->protocol, rt.protocol);
	ensure_diff_u32(&d, "type", f->type, rt.type);
	if (rt.prefsrc.family && !ip_eq(&f->prefsrc, &rt.prefsrc))
		ensure_diff_str(&d, "prefsrc", ip_text(op, &f->prefsrc), ip_text(op, &rt.prefsrc));
	if (ensure_diff_fail(op, &d,
			     op_printf(op, "route %s",
				       rt.dst.family ? op_printf(op, "%s/%u", ip_text(op, &rt.dst),
								 rt.dst_len)
						     : "default")))
		return;
	op_set_already_done(op);
	route_reply(op);
}

static void route_judge(Op *op)
{
	RouteScratch *x = op->scratch;
	RtnlRoute rt;

	if (!x->found.exists) {
		route_reply(op);
		return;
	}
	route_from_pb(op, route_req(op), true, &rt);
	op_dump(op, RTM_GETLINK, AF_UNSPEC); /* for the devices' names in the message */
	op_dump(op, RTM_GETROUTE, rt.family);
	op_then(op, route_compare);
}

static void route_send(Op *op)
{
	RouteScratch *x = op->scratch;
	const Nsring__V1__Route *pb = route_req(op);
	bool create = route_create(op);
	bool replace = create && ((const Nsring__V1__CreateRouteRequest *)op->req)->replace;
	char ip[INET6_ADDRSTRLEN];
	uint8_t buf[2048];
	RtnlRoute rt;
	const char *dst;
	OpNl *nl;

	if (x->found_link.gone) {
		if (create)
			op_fail_found(op, &x->found_link);
		else
			route_reply(op); /* ensure: no device, no route through it */
		return;
	}
	route_from_pb(op, pb, create, &rt);
	if (x->idx_link)
		rt.oif = x->idx_link;
	for (size_t i = 0; i < rt.n_paths; i++)
		if (x->idx_paths[i])
			rt.paths[i].ifindex = x->idx_paths[i];
	dst = rt.dst.family
		      ? op_printf(op, "%s/%u", rtnl_ip_format(&rt.dst, ip, sizeof(ip)), rt.dst_len)
		      : "default";
	nl = op_send(op, 0, buf,
		     create ? rtnl_route_new(buf, sizeof(buf), &rt, replace)
			    : rtnl_route_del(buf, sizeof(buf), &rt),
		     op_printf(op, "%s route %s", create ? (replace ? "replace" : "add") : "delete",
			       dst));
	/* A replace never finds its route in the way: nothing to compare. */
	if (create && !replace && op_ensure(op)) {
		op_nl_tolerate_exists(nl, &x->found);
		op_then(op, route_judge);
		return;
	}
	if (!create)
		op_nl_tolerate_gone(nl, &x->found);
	op_then_final(op, route_reply);
}

static void route_resolve(Op *op)
{
	RouteScratch *x = op->scratch;
	const Nsring__V1__Route *pb = route_req(op);

	if (str_set(pb->dev))
		op_nl_tolerate_gone(op_get_link(op, 0, 0, pb->dev, NULL, &x->idx_link),
				    &x->found_link);
	for (size_t i = 0; i < pb->n_paths && i < RTNL_ROUTE_MAX_PATHS; i++)
		if (str_set(pb->paths[i]->dev))
			op_get_link(op, 0, 0, pb->paths[i]->dev, NULL, &x->idx_paths[i]);
	op_then(op, route_send);
}

static void route_start(Op *op, const Nsring__V1__NamespaceRef *ns)
{
	RtnlRoute rt;

	if (!route_from_pb(op, route_req(op), route_create(op), &rt) || !op_open_ns(op, 0, ns))
		return;
	op_then(op, route_resolve);
}

void ops_create_route(Op *op)
{
	route_start(op, ((const Nsring__V1__CreateRouteRequest *)op->req)->namespace_);
}

void ops_delete_route(Op *op)
{
	route_start(op, ((const Nsring__V1__DeleteRouteRequest *)op->req)->namespace_);
}

/* ---- ListRoutes */

static void list_routes_reply(Op *op)
{
	const Nsring__V1__ListRoutesRequest *req = (void *)op->req;
	Nsring__V1__ListRoutesResponse resp = NSRING__V1__LIST_ROUTES_RESPONSE__INIT;
	uint32_t table = req->table ? req->table : RT_TABLE_MAIN;

	resp.routes =
		op_alloc(op, (op->dump.nroutes ? op->dump.nroutes : 1) * sizeof(*resp.routes));
	for (size_t i = 0; i < op->dump.nroutes; i++) {
		const RtnlRoute *rt = &op->dump.routes[i];

		if (table != TABLE_ALL && rt->table != table)
			continue;
		resp.routes[resp.n_routes++] = op_route_to_pb(op, rt);
	}
	op_reply(op, &resp.base);
}

static void list_routes_dump(Op *op)
{
	const Nsring__V1__ListRoutesRequest *req = (void *)op->req;

	op_dump_after_links(op, RTM_GETROUTE, req->family, list_routes_reply);
}

void ops_list_routes(Op *op)
{
	const Nsring__V1__ListRoutesRequest *req = (void *)op->req;

	if (!op_list_family_ok(op, req->family))
		return;
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, list_routes_dump);
}
