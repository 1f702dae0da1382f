/* nsringctl's route object: `route add|replace|del|show`, the names of tables, scopes,
 * protocols and types, the route table and the route line of `monitor`. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"

/* /etc/iproute2/rt_tables, rt_scopes, rt_protos and ip's route types. */
static const CtlWord route_tables[] = {
	{ "default", 253 },
	{ "main", 254 },
	{ "local", 255 },
};
static const CtlWord route_scopes[] = {
	{ "global", 0 }, { "universe", 0 }, { "site", 200 },
	{ "link", 253 }, { "host", 254 },   { "nowhere", 255 },
};
static const CtlWord route_protos[] = {
	{ "unspec", 0 }, { "redirect", 1 }, { "kernel", 2 },	  { "boot", 3 },
	{ "static", 4 }, { "gated", 8 },    { "ra", 9 },	  { "mrt", 10 },
	{ "zebra", 11 }, { "bird", 12 },    { "dnrouted", 13 },	  { "xorp", 14 },
	{ "ntk", 15 },	 { "dhcp", 16 },    { "keepalived", 18 }, { "babel", 42 },
	{ "openr", 99 }, { "bgp", 186 },    { "isis", 187 },	  { "ospf", 188 },
	{ "rip", 189 },	 { "eigrp", 192 },
};
#define RTN_UNICAST 1 /* the default type: not printed */
static const CtlWord route_types[] = {
	{ "unicast", RTN_UNICAST },
	{ "local", 2 },
	{ "broadcast", 3 },
	{ "anycast", 4 },
	{ "multicast", 5 },
	{ "blackhole", 6 },
	{ "unreachable", 7 },
	{ "prohibit", 8 },
	{ "throw", 9 },
	{ "nat", 10 },
};

const char *ctl_route_table_name(uint32_t table, char buf[static 12])
{
	/* 0 is the API's "main". */
	return ctl_word_name_or_number(CTL_WORDS(route_tables), table ?: 254, buf);
}

const char *ctl_route_scope_name(uint32_t scope, char buf[static 12])
{
	return ctl_word_name_or_number(CTL_WORDS(route_scopes), scope, buf);
}

const char *ctl_route_proto_name(uint32_t proto, char buf[static 12])
{
	return ctl_word_name_or_number(CTL_WORDS(route_protos), proto, buf);
}

/* The type as ip prints it before the destination; NULL for unicast (and unknown types). */
static const char *route_type_name(uint32_t type)
{
	if (type == RTN_UNICAST || type > INT32_MAX)
		return NULL;
	return ctl_word_name(CTL_WORDS(route_types), (int)type);
}

/* `nexthop via GW dev NAME weight W onlink` after nexthop: one path of a multipath route; the
 * words up to the next `nexthop` are its own, as in ip. */
static int parse_route_path(CtlParser *p, Nsring__V1__Route *route, int *gw_fam)
{
	Nsring__V1__RoutePath *path;
	const char *a;
	int r, fam = 0;

	path = CTL_NEW_MSG(p->cmd, Nsring__V1__RoutePath, nsring__v1__route_path__init);
	if (!path)
		return ctl_oom(p->cmd);
	while ((a = ctl_peek(p)) && !ctl_streq(a, "nexthop")) {
		const char *v;

		p->i++;
		if (ctl_streq(a, "via")) {
			v = ctl_peek(p);
			if (v && (ctl_streq(v, "inet") || ctl_streq(v, "inet6")))
				p->i++;
			r = ctl_arg_ip(p, a, &v, &fam);
			path->gateway = (char *)v;
		} else if (ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &v);
			path->dev = (char *)v;
		} else if (ctl_streq(a, "weight")) {
			r = ctl_arg_u32(p, a, 256, &path->weight);
			if (r >= 0 && path->weight == 0)
				return ctl_fail(p->cmd,
						"argument \"0\" is wrong: weights are 1-256");
		} else if (ctl_streq(a, "onlink")) {
			path->onlink = true;
			r = 0;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!path->gateway[0] && !path->dev[0])
		return ctl_fail(p->cmd, "not enough information: a nexthop needs \"via\" or "
					"\"dev\"");
	if (fam && !*gw_fam)
		*gw_fam = fam;
	route->paths[route->n_paths++] = path;
	return 0;
}

static int parse_route_modify(CtlParser *p, const char *method)
{
	Nsring__V1__Route *route;
	const char *a;
	bool have_dst = false;
	int r, dst_fam = 0, gw_fam = 0, src_fam = 0;

	route = CTL_NEW_MSG(p->cmd, Nsring__V1__Route, nsring__v1__route__init);
	if (!route)
		return ctl_oom(p->cmd);
	route->paths = ctl_alloc(p->cmd, (size_t)(p->argc - p->i + 1) * sizeof(*route->paths));
	if (!route->paths)
		return ctl_oom(p->cmd);

	while ((a = ctl_next(p))) {
		const char *v;
		int type;

		r = 0;
		if (route->n_paths && !ctl_streq(a, "nexthop")) {
			return ctl_unknown(p, a); /* cannot happen: the paths take their words */
		} else if (ctl_streq(a, "nexthop")) {
			r = parse_route_path(p, route, &gw_fam);
		} else if (ctl_streq(a, "nhid")) {
			r = ctl_arg_u32(p, a, UINT32_MAX, &route->nhid);
			if (r >= 0 && route->nhid == 0)
				return ctl_fail(p->cmd,
						"argument \"0\" is wrong: nexthop ids start at 1");
		} else if (ctl_streq(a, "onlink")) {
			route->onlink = true;
		} else if (ctl_streq(a, "mtu")) {
			if (ctl_peek(p) && ctl_streq(ctl_peek(p), "lock"))
				return ctl_fail(p->cmd, "\"mtu lock\" is not supported");
			r = ctl_arg_u32(p, a, UINT32_MAX, &route->mtu);
		} else if (ctl_streq(a, "via")) {
			/* ip accepts `via inet6 ADDR`. */
			v = ctl_peek(p);
			if (v && (ctl_streq(v, "inet") || ctl_streq(v, "inet6")))
				p->i++;
			r = ctl_arg_ip(p, a, &v, &gw_fam);
			route->gateway = (char *)v;
		} else if (ctl_streq(a, "dev") || ctl_streq(a, "oif")) {
			r = ctl_arg_ifname(p, a, &v);
			route->dev = (char *)v;
		} else if (ctl_streq(a, "table")) {
			r = ctl_arg_word(p, a, CTL_WORDS(route_tables), UINT32_MAX, &route->table);
		} else if (ctl_streq(a, "metric") || ctl_streq(a, "priority") ||
			   ctl_streq(a, "preference")) {
			r = ctl_arg_u32(p, a, UINT32_MAX, &route->metric);
		} else if (ctl_streq(a, "scope")) {
			route->set_scope_case = NSRING__V1__ROUTE__SET_SCOPE_SCOPE;
			r = ctl_arg_word(p, a, CTL_WORDS(route_scopes), 255, &route->scope);
		} else if (ctl_streq(a, "proto") || ctl_streq(a, "protocol")) {
			r = ctl_arg_word(p, a, CTL_WORDS(route_protos), 255, &route->protocol);
		} else if (ctl_streq(a, "src")) {
			r = ctl_arg_ip(p, a, &v, &src_fam);
			route->prefsrc = (char *)v;
		} else if (!have_dst && route->type == 0 &&
			   ctl_word_value(CTL_WORDS(route_types), a, &type) == 0) {
			/* `blackhole 198.18.0.0/24`: a type in front of the destination. */
			route->type = (uint32_t)type;
		} else if (!have_dst) {
			if (ctl_streq(a, "to")) {
				r = ctl_need(p, a, &v);
				if (r < 0)
					return r;
			} else {
				v = a;
			}
			if (ctl_streq(v, "default") || ctl_streq(v, "all") || ctl_streq(v, "any")) {
				route->destination = (char *)"";
			} else {
				const char *addr;
				uint32_t plen;

				r = ctl_parse_prefix(p, v, &addr, &plen, &dst_fam, NULL);
				route->destination = (char *)v;
			}
			have_dst = true;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!have_dst)
		return ctl_fail(p->cmd, "not enough information: a destination (or \"default\") is "
					"required");
	if (route->n_paths && (route->gateway[0] || route->dev[0]))
		return ctl_fail(p->cmd, "\"via\" and \"dev\" go into each \"nexthop\" of a "
					"multipath route");
	if (route->nhid && (route->gateway[0] || route->dev[0] || route->n_paths))
		return ctl_fail(p->cmd, "\"nhid\" is the route's next hop: no \"via\", \"dev\" or "
					"\"nexthop\" with it");
	if (gw_fam && dst_fam && gw_fam != dst_fam)
		return ctl_fail(p->cmd, "the gateway is IPv%d but the destination is IPv%d", gw_fam,
				dst_fam);
	if (p->cmd->family && gw_fam && gw_fam != p->cmd->family)
		return ctl_fail(p->cmd, "the gateway is not IPv%d (-%d was given)", p->cmd->family,
				p->cmd->family);
	/* The family of a default route comes from the gateway, else -4/-6, else IPv4 as
	 * in ip. */
	route->family = dst_fam ?: gw_fam ?: p->cmd->family ?: src_fam ?: 4;
	if (src_fam && src_fam != (int)route->family)
		return ctl_fail(p->cmd, "\"src\" is not an IPv%u address", route->family);

	if (ctl_streq(method, "DeleteRoute")) {
		Nsring__V1__DeleteRouteRequest *req;

		req = CTL_NEW_CALL(p, DeleteRoute, delete_route, ctl_print_created);
		if (!req)
			return ctl_oom(p->cmd);
		req->route = route;
	} else {
		Nsring__V1__CreateRouteRequest *req;

		req = CTL_NEW_CALL(p, CreateRoute, create_route, ctl_print_created);
		if (!req)
			return ctl_oom(p->cmd);
		req->route = route;
		req->replace = ctl_streq(method, "ReplaceRoute");
	}
	return 0;
}

static int parse_route_show(CtlParser *p)
{
	Nsring__V1__ListRoutesRequest *req;
	const char *a;
	int r;

	req = CTL_NEW_CALL(p, ListRoutes, list_routes, ctl_print_routes);
	if (!req)
		return ctl_oom(p->cmd);
	req->family = (uint32_t)p->cmd->family;
	while ((a = ctl_next(p))) {
		if (!ctl_streq(a, "table"))
			return ctl_unknown(p, a);
		if (ctl_peek(p) && ctl_streq(ctl_peek(p), "all")) {
			p->i++;
			req->table = UINT32_MAX; /* the API's "all tables" */
			continue;
		}
		r = ctl_arg_word(p, a, CTL_WORDS(route_tables), UINT32_MAX - 1, &req->table);
		if (r < 0)
			return r;
	}
	return 0;
}

/* route get ADDR [from ADDR] [iif NAME] [oif NAME] [mark M] [fibmatch] */
static int parse_route_get(CtlParser *p)
{
	Nsring__V1__GetRouteRequest *req;
	const char *a;
	int r, fam = 0, src_fam = 0;

	req = CTL_NEW_MSG(p->cmd, Nsring__V1__GetRouteRequest, nsring__v1__get_route_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		const char *v;

		if (ctl_streq(a, "from")) {
			r = ctl_arg_ip(p, a, &v, &src_fam);
			req->from = (char *)v;
		} else if (ctl_streq(a, "iif")) {
			r = ctl_arg_ifname(p, a, &v);
			req->iif = (char *)v;
		} else if (ctl_streq(a, "oif") || ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &v);
			req->oif = (char *)v;
		} else if (ctl_streq(a, "mark") || ctl_streq(a, "fwmark")) {
			r = ctl_arg_u32(p, a, UINT32_MAX, &req->mark);
		} else if (ctl_streq(a, "fibmatch")) {
			req->fib_match = true;
			r = 0;
		} else if (!req->destination[0]) {
			if (ctl_streq(a, "to")) {
				r = ctl_need(p, a, &a);
				if (r < 0)
					return r;
			}
			fam = ctl_ip_family(a);
			if (!fam)
				return ctl_fail(p->cmd,
						"argument \"%s\" is wrong: an IP address is "
						"required",
						a);
			req->destination = (char *)a;
			r = 0;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!req->destination[0])
		return ctl_fail(p->cmd,
				"not enough information: an address to look up is required");
	if (src_fam && src_fam != fam)
		return ctl_fail(p->cmd, "\"from\" is IPv%d but the destination is IPv%d", src_fam,
				fam);
	if (req->iif[0] && !req->from[0])
		return ctl_fail(p->cmd, "\"iif\" needs \"from\"");
	ctl_set_namespace(p, &req->namespace_);
	ctl_set_call(p->cmd, "GetRoute", &req->base, &nsring__v1__get_route_response__descriptor,
		     ctl_print_route_get);
	return 0;
}

static int parse_route(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c)
		return parse_route_show(p);
	if (ctl_matches(c, "add"))
		return parse_route_modify(p, "CreateRoute");
	if (ctl_matches(c, "replace"))
		return parse_route_modify(p, "ReplaceRoute");
	if (ctl_matches(c, "delete"))
		return parse_route_modify(p, "DeleteRoute");
	if (ctl_matches(c, "show") || ctl_matches(c, "lst") || ctl_matches(c, "list"))
		return parse_route_show(p);
	if (ctl_matches(c, "get"))
		return parse_route_get(p);
	if (ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	return ctl_unknown(p, c);
}

const CtlObject ctl_object_route = {
	.word = "route",
	.usage =
		"  route add|replace|del [TYPE] DST|default [via GW] [dev NAME] [table TABLE]\n"
		"           [metric N] [scope host|link|global|N] [proto static|boot|kernel|N]\n"
		"           [src ADDR] [onlink] [mtu N] [nhid ID]\n"
		"           [nexthop [via GW] [dev NAME] [weight W] [onlink]]...  (multipath)\n"
		"      TYPE := unicast | blackhole | unreachable | prohibit | throw | local | ...\n"
		"      TABLE := main | local | default | N\n"
		"  route show [table TABLE|all]\n"
		"  route get ADDR [from ADDR] [iif NAME] [oif NAME] [mark M] [fibmatch]\n",
	.parse = parse_route,
};

/* ---------------------------------------------------------------- printing */

static const char *nhid_text(uint32_t nhid, char *buf, size_t size)
{
	snprintf(buf, size, "nhid %" PRIu32, nhid);
	return buf;
}

/* "nexthop via GW dev NAME weight W", as ip prints a path. */
static void print_path(FILE *f, const Nsring__V1__RoutePath *p)
{
	fputs("nexthop", f);
	if (p->gateway[0])
		fprintf(f, " via %s", p->gateway);
	if (p->dev[0])
		fprintf(f, " dev %s", p->dev);
	else if (p->dev_index)
		fprintf(f, " dev if%" PRIu32, p->dev_index);
	fprintf(f, " weight %" PRIu32, p->weight ? p->weight : 1);
	if (p->onlink)
		fputs(" onlink", f);
}

static void route_row(FILE *f, const ProtobufCMessage *item)
{
	const Nsring__V1__Route *rt = (const void *)item;
	char dst[96], dev[24], tb[12], pb[12], sb[12], via[24];
	const char *dest = rt->destination[0] && strcmp(rt->destination, "default") != 0
				   ? rt->destination
				   : "default";
	const char *type = route_type_name(rt->type);

	snprintf(dst, sizeof(dst), "%s%s%s", type ? type : "", type ? " " : "", dest);
	if (rt->dev[0])
		snprintf(dev, sizeof(dev), "%s", rt->dev);
	else if (rt->dev_index)
		snprintf(dev, sizeof(dev), "if%" PRIu32, rt->dev_index);
	else
		snprintf(dev, sizeof(dev), "-");
	fprintf(f, "%-24s %-24s %-16s %-8s %-8" PRIu32 " %-8s %-8s %s\n", dst,
		rt->nhid ? nhid_text(rt->nhid, via, sizeof(via)) : ctl_or_dash(rt->gateway), dev,
		ctl_route_table_name(rt->table, tb), rt->metric,
		ctl_route_proto_name(rt->protocol, pb),
		rt->set_scope_case == NSRING__V1__ROUTE__SET_SCOPE_SCOPE
			? ctl_route_scope_name(rt->scope, sb)
			: "-",
		ctl_or_dash(rt->prefsrc));
	for (size_t k = 0; k < rt->n_paths; k++) {
		fputs("    ", f);
		print_path(f, rt->paths[k]);
		fputc('\n', f);
	}
}

int ctl_print_routes(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListRoutesResponse *r = (const void *)resp;

	ctl_print_list(f, json, (ProtobufCMessage **)r->routes, r->n_routes, route_row,
		       "%-24s %-24s %-16s %-8s %-8s %-8s %-8s %s\n", "DESTINATION", "VIA", "DEV",
		       "TABLE", "METRIC", "PROTO", "SCOPE", "SRC");
	return 0;
}

/* ---------------------------------------------------------------- monitor */

void ctl_route_print_event(FILE *f, const Nsring__V1__Route *rt)
{
	const char *type = route_type_name(rt->type);
	char b[12];

	if (type)
		fprintf(f, "%s ", type);
	fputs(rt->destination[0] ? rt->destination : "default", f);
	if (rt->gateway[0])
		fprintf(f, " via %s", rt->gateway);
	if (rt->dev[0])
		fprintf(f, " dev %s", rt->dev);
	else if (rt->dev_index)
		fprintf(f, " dev if%" PRIu32, rt->dev_index);
	if (rt->table != 0 && rt->table != 254)
		fprintf(f, " table %s", ctl_route_table_name(rt->table, b));
	if (rt->protocol != 0 && rt->protocol != 3)
		fprintf(f, " proto %s", ctl_route_proto_name(rt->protocol, b));
	if (rt->set_scope_case == NSRING__V1__ROUTE__SET_SCOPE_SCOPE && rt->scope != 0)
		fprintf(f, " scope %s", ctl_route_scope_name(rt->scope, b));
	if (rt->prefsrc[0])
		fprintf(f, " src %s", rt->prefsrc);
	if (rt->metric)
		fprintf(f, " metric %" PRIu32, rt->metric);
	if (rt->nhid)
		fprintf(f, " nhid %" PRIu32, rt->nhid);
	if (rt->onlink)
		fputs(" onlink", f);
	if (rt->mtu)
		fprintf(f, " mtu %" PRIu32, rt->mtu);
	for (size_t k = 0; k < rt->n_paths; k++) {
		fputc(' ', f);
		print_path(f, rt->paths[k]);
	}
}

/* `route get`'s answer, as ip prints it: the address, then where it goes. */
int ctl_print_route_get(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__GetRouteResponse *r = (const void *)resp;
	const Nsring__V1__Route *rt = r->route;
	const char *slash;
	char b[12];

	if (json) {
		ctl_print_json_message(f, resp, false);
		fputc('\n', f);
		return 0;
	}
	if (!rt)
		return 0;
	slash = strrchr(rt->destination, '/');
	if (route_type_name(rt->type))
		fprintf(f, "%s ", route_type_name(rt->type));
	fprintf(f, "%.*s", slash ? (int)(slash - rt->destination) : (int)strlen(rt->destination),
		rt->destination);
	if (rt->src[0])
		fprintf(f, " from %.*s", (int)strcspn(rt->src, "/"), rt->src);
	if (rt->gateway[0])
		fprintf(f, " via %s", rt->gateway);
	if (rt->dev[0])
		fprintf(f, " dev %s", rt->dev);
	else if (rt->dev_index)
		fprintf(f, " dev if%" PRIu32, rt->dev_index);
	fprintf(f, " table %s", ctl_route_table_name(rt->table, b));
	if (rt->prefsrc[0])
		fprintf(f, " src %s", rt->prefsrc);
	if (rt->nhid)
		fprintf(f, " nhid %" PRIu32, rt->nhid);
	fputc('\n', f);
	return 0;
}
