/* GetRoute: one route lookup (ip route get DST [from SRC] [iif NAME] [oif NAME] [mark M]), the
 * kernel's answer of which route, gateway and device a packet would take. */
#include <arpa/inet.h>
#include <string.h>

#include "core/names.h"
#include "core/status.h"
#include "ops-internal.h"
#include "ops-pb.h"

/* What the steps share (op->scratch). */
typedef struct RouteGetScratch {
	uint32_t idx_iif, idx_oif; /* the devices named by iif and oif, once looked up */
	RtnlLink links[2];	   /* the answer's output and input devices, for their names */
	unsigned nlinks;
} RouteGetScratch;

const size_t ops_route_get_scratch_size = sizeof(RouteGetScratch);

static bool route_get_from_pb(Op *op, const Nsring__V1__GetRouteRequest *req, RtnlRouteGet *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (!str_set(req->destination) || rtnl_ip_parse(req->destination, &ret->dst) < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"destination: invalid or missing address \"%.64s\"",
			req->destination ? req->destination : "");
		return false;
	}
	if (str_set(req->from)) {
		if (rtnl_ip_parse(req->from, &ret->src) < 0) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "from: invalid address \"%.64s\"",
				req->from);
			return false;
		}
		if (ret->src.family != ret->dst.family) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"from \"%.64s\" is not of the destination's family", req->from);
			return false;
		}
	}
	if (str_set(req->iif) && !name_ifname_valid(req->iif)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "iif: invalid interface name \"%.64s\"",
			req->iif);
		return false;
	}
	if (str_set(req->oif) && !name_ifname_valid(req->oif)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "oif: invalid interface name \"%.64s\"",
			req->oif);
		return false;
	}
	if (str_set(req->iif) && !ret->src.family) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"iif needs from: a packet received on a device has a source address");
		return false;
	}
	ret->mark = req->mark;
	ret->fib_match = req->fib_match;
	return true;
}

static void route_get_reply(Op *op)
{
	RouteGetScratch *x = op->scratch;
	Nsring__V1__GetRouteResponse resp = NSRING__V1__GET_ROUTE_RESPONSE__INIT;

	/* The converter names devices from op->dump.links: the two looked up. */
	op->dump.links = x->links;
	op->dump.nlinks = x->nlinks;
	resp.route = op_route_to_pb(op, &op->dump.routes[0]);
	op_reply(op, &resp.base);
}

static void route_get_names(Op *op)
{
	RouteGetScratch *x = op->scratch;
	const RtnlRoute *rt;

	if (op->dump.nroutes != 1) {
		op_fail(op, STATUS_INTERNAL, "route get: the kernel answered %zu routes, not one",
			op->dump.nroutes);
		return;
	}
	rt = &op->dump.routes[0];
	if (rt->oif)
		op_get_link(op, 0, rt->oif, NULL, &x->links[x->nlinks++], NULL);
	if (rt->iif && rt->iif != rt->oif)
		op_get_link(op, 0, rt->iif, NULL, &x->links[x->nlinks++], NULL);
	op_then(op, route_get_reply);
}

static void route_get_send(Op *op)
{
	const Nsring__V1__GetRouteRequest *req = (void *)op->req;
	RouteGetScratch *x = op->scratch;
	char ip[INET6_ADDRSTRLEN];
	uint8_t buf[512];
	RtnlRouteGet g;
	OpNl *nl;

	route_get_from_pb(op, req, &g);
	g.iif = x->idx_iif;
	g.oif = x->idx_oif;
	nl = op_send(op, 0, buf, rtnl_route_get(buf, sizeof(buf), &g),
		     op_printf(op, "route get %s", rtnl_ip_format(&g.dst, ip, sizeof(ip))));
	if (nl)
		nl->collect = RTM_GETROUTE; /* the answer is one RTM_NEWROUTE */
	op_then(op, route_get_names);
}

static void route_get_resolve(Op *op)
{
	const Nsring__V1__GetRouteRequest *req = (void *)op->req;
	RouteGetScratch *x = op->scratch;

	if (str_set(req->iif))
		op_get_link(op, 0, 0, req->iif, NULL, &x->idx_iif);
	if (str_set(req->oif))
		op_get_link(op, 0, 0, req->oif, NULL, &x->idx_oif);
	op_then(op, route_get_send);
}

void ops_get_route(Op *op)
{
	const Nsring__V1__GetRouteRequest *req = (void *)op->req;
	RtnlRouteGet g;

	if (!route_get_from_pb(op, req, &g) || !op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, route_get_resolve);
}
