/* nsringctl's nexthop object: `nexthop add|replace|del|show` with ip nexthop's words, and the
 * nexthop lines (as ip nexthop prints them) of `nexthop show` and of `monitor`. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"

/* group ID[,WEIGHT][/ID[,WEIGHT]...], as ip nexthop writes it ("/" between members). */
static int parse_group(CtlParser *p, const char *kw, Nsring__V1__Nexthop *nh)
{
	const char *v, *s;
	size_t n = 1;
	int r;

	r = ctl_need(p, kw, &v);
	if (r < 0)
		return r;
	for (s = v; *s; s++)
		n += *s == '/';
	nh->group = ctl_alloc(p->cmd, n * sizeof(*nh->group));
	if (!nh->group)
		return ctl_oom(p->cmd);
	for (s = v; *s;) {
		const char *end = strchr(s, '/');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		char *item = ctl_strndup(p->cmd, s, len), *comma;
		Nsring__V1__NexthopGroupMember *m;

		if (!item)
			return ctl_oom(p->cmd);
		m = CTL_NEW_MSG(p->cmd, Nsring__V1__NexthopGroupMember,
				nsring__v1__nexthop_group_member__init);
		if (!m)
			return ctl_oom(p->cmd);
		comma = strchr(item, ',');
		if (comma)
			*comma = 0;
		if (ctl_parse_u32(item, &m->id) < 0 || m->id == 0 ||
		    (comma && (ctl_parse_u32(comma + 1, &m->weight) < 0 || m->weight == 0 ||
			       m->weight > 256)))
			return ctl_fail(p->cmd,
					"argument \"%s\" is wrong: group ID[,WEIGHT]/... "
					"(ids from 1, weights 1-256)",
					v);
		nh->group[nh->n_group++] = m;
		s += len;
		if (*s == '/')
			s++;
	}
	if (!nh->n_group)
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: an empty group", v);
	return 0;
}

static int parse_nexthop_modify(CtlParser *p, bool replace)
{
	Nsring__V1__CreateNexthopRequest *req;
	Nsring__V1__Nexthop *nh;
	const char *a;
	int r, fam = 0;

	nh = CTL_NEW_MSG(p->cmd, Nsring__V1__Nexthop, nsring__v1__nexthop__init);
	req = CTL_NEW_MSG(p->cmd, Nsring__V1__CreateNexthopRequest,
			  nsring__v1__create_nexthop_request__init);
	if (!nh || !req)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		const char *v;

		r = 0;
		if (ctl_streq(a, "id")) {
			r = ctl_arg_u32(p, a, UINT32_MAX, &nh->id);
			if (r >= 0 && nh->id == 0)
				return ctl_fail(p->cmd, "argument \"0\" is wrong: ids start at 1");
		} else if (ctl_streq(a, "via")) {
			v = ctl_peek(p);
			if (v && (ctl_streq(v, "inet") || ctl_streq(v, "inet6")))
				p->i++;
			r = ctl_arg_ip(p, a, &v, &fam);
			nh->gateway = (char *)v;
		} else if (ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &v);
			nh->dev = (char *)v;
		} else if (ctl_streq(a, "blackhole")) {
			nh->blackhole = true;
		} else if (ctl_streq(a, "onlink")) {
			nh->onlink = true;
		} else if (ctl_streq(a, "fdb")) {
			nh->fdb = true;
		} else if (ctl_streq(a, "group")) {
			r = parse_group(p, a, nh);
		} else if (ctl_streq(a, "type")) {
			r = ctl_need(p, a, &v);
			if (r >= 0 && !ctl_streq(v, "resilient") && !ctl_streq(v, "mpath"))
				return ctl_fail(p->cmd,
						"argument \"%s\" is wrong: group type mpath "
						"or resilient",
						v);
			if (r >= 0 && ctl_streq(v, "resilient") && !nh->resilient_buckets)
				nh->resilient_buckets = UINT32_MAX; /* buckets must follow */
		} else if (ctl_streq(a, "buckets")) {
			r = ctl_arg_u32(p, a, 65535, &nh->resilient_buckets);
		} else if (ctl_streq(a, "proto") || ctl_streq(a, "protocol")) {
			r = ctl_arg_u32(p, a, 255, &nh->protocol);
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (nh->resilient_buckets == UINT32_MAX)
		return ctl_fail(p->cmd, "\"type resilient\" needs \"buckets N\" (this kernel "
					"refuses a resilient group without a bucket count)");
	if (p->cmd->family && fam && fam != p->cmd->family)
		return ctl_fail(p->cmd, "the gateway is not IPv%d (-%d was given)", p->cmd->family,
				p->cmd->family);
	if (!nh->n_group && !fam && p->cmd->family)
		nh->family = (uint32_t)p->cmd->family;
	ctl_set_namespace(p, &req->namespace_);
	req->nexthop = nh;
	req->replace = replace;
	ctl_set_call(p->cmd, "CreateNexthop", &req->base,
		     &nsring__v1__create_nexthop_response__descriptor, ctl_print_created);
	return 0;
}

static int parse_nexthop_del(CtlParser *p)
{
	Nsring__V1__DeleteNexthopRequest *req;
	const char *a = ctl_next(p);
	int r;

	req = CTL_NEW_MSG(p->cmd, Nsring__V1__DeleteNexthopRequest,
			  nsring__v1__delete_nexthop_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	if (!a || !ctl_streq(a, "id"))
		return ctl_fail(p->cmd, "not enough information: \"id ID\" is required");
	r = ctl_arg_u32(p, a, UINT32_MAX, &req->id);
	if (r < 0)
		return r;
	if (req->id == 0)
		return ctl_fail(p->cmd, "argument \"0\" is wrong: ids start at 1");
	r = ctl_no_more(p);
	if (r < 0)
		return r;
	ctl_set_namespace(p, &req->namespace_);
	ctl_set_call(p->cmd, "DeleteNexthop", &req->base,
		     &nsring__v1__delete_nexthop_response__descriptor, ctl_print_created);
	return 0;
}

static int parse_nexthop_show(CtlParser *p)
{
	Nsring__V1__ListNexthopsRequest *req;
	const char *a;
	int r;

	req = CTL_NEW_MSG(p->cmd, Nsring__V1__ListNexthopsRequest,
			  nsring__v1__list_nexthops_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		const char *v;

		if (!ctl_streq(a, "dev"))
			return ctl_unknown(p, a);
		r = ctl_arg_ifname(p, a, &v);
		if (r < 0)
			return r;
		req->dev = (char *)v;
	}
	ctl_set_namespace(p, &req->namespace_);
	ctl_set_call(p->cmd, "ListNexthops", &req->base,
		     &nsring__v1__list_nexthops_response__descriptor, ctl_print_nexthops);
	return 0;
}

static int parse_nexthop(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c)
		return parse_nexthop_show(p);
	if (ctl_matches(c, "add"))
		return parse_nexthop_modify(p, false);
	if (ctl_matches(c, "replace"))
		return parse_nexthop_modify(p, true);
	if (ctl_matches(c, "delete"))
		return parse_nexthop_del(p);
	if (ctl_matches(c, "show") || ctl_matches(c, "list") || ctl_matches(c, "lst"))
		return parse_nexthop_show(p);
	if (ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	return ctl_unknown(p, c);
}

const CtlObject ctl_object_nexthop = {
	.word = "nexthop",
	.usage =
		"  nexthop add|replace id ID (via ADDR dev NAME [onlink] | dev NAME | blackhole |\n"
		"           group ID[,W][/ID[,W]...] [type resilient buckets N]) [proto N]\n"
		"  nexthop del id ID\n"
		"  nexthop show [dev NAME]      (nh is short for nexthop)\n",
	.parse = parse_nexthop,
};

/* ---------------------------------------------------------------- printing */

/* One nexthop as `ip nexthop show` prints it, without the newline. */
void ctl_nexthop_print_line(FILE *f, const Nsring__V1__Nexthop *nh)
{
	fprintf(f, "id %" PRIu32, nh->id);
	if (nh->n_group) {
		fputs(" group ", f);
		for (size_t i = 0; i < nh->n_group; i++) {
			fprintf(f, "%s%" PRIu32, i ? "/" : "", nh->group[i]->id);
			if (nh->group[i]->weight > 1)
				fprintf(f, ",%" PRIu32, nh->group[i]->weight);
		}
		if (nh->resilient_buckets)
			fprintf(f, " type resilient buckets %" PRIu32, nh->resilient_buckets);
	}
	if (nh->gateway[0])
		fprintf(f, " via %s", nh->gateway);
	if (nh->dev[0])
		fprintf(f, " dev %s", nh->dev);
	else if (nh->dev_index)
		fprintf(f, " dev if%" PRIu32, nh->dev_index);
	if (nh->blackhole)
		fputs(" blackhole", f);
	if (nh->onlink)
		fputs(" onlink", f);
	if (nh->fdb)
		fputs(" fdb", f);
}

int ctl_print_nexthops(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListNexthopsResponse *r = (const void *)resp;

	if (json) {
		ctl_json_array(f, (ProtobufCMessage **)r->nexthops, r->n_nexthops);
		return 0;
	}
	for (size_t i = 0; i < r->n_nexthops; i++) {
		ctl_nexthop_print_line(f, r->nexthops[i]);
		fputc('\n', f);
	}
	return 0;
}
