/* nsringctl's class object: `class add|replace|change|del|show` of htb classes with tc's
 * words, listed as `tc -s class show` does. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"
#include "rtnl/rtnl-tc.h"

static int check_id(CtlParser *p, const char *id, const char *what)
{
	uint32_t h;

	if (rtnl_tc_parse_handle(id, &h) < 0)
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: invalid %s", id, what);
	return 0;
}

static int opts_htb(CtlParser *p, Nsring__V1__TrafficClass *c)
{
	Nsring__V1__HtbClass *h =
		CTL_NEW_MSG(p->cmd, Nsring__V1__HtbClass, nsring__v1__htb_class__init);
	const char *a;
	int r;

	if (!h)
		return ctl_oom(p->cmd);
	c->htb = h;
	c->options_case = NSRING__V1__TRAFFIC_CLASS__OPTIONS_HTB;
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "rate"))
			r = ctl_tc_rate(p, a, &h->rate);
		else if (ctl_streq(a, "ceil"))
			r = ctl_tc_rate(p, a, &h->ceil);
		else if (ctl_streq(a, "burst") || ctl_streq(a, "buffer") ||
			 ctl_streq(a, "maxburst"))
			r = ctl_tc_size(p, a, &h->burst);
		else if (ctl_streq(a, "cburst") || ctl_streq(a, "cbuffer"))
			r = ctl_tc_size(p, a, &h->cburst);
		else if (ctl_streq(a, "prio"))
			r = ctl_arg_u32(p, a, 7, &h->prio);
		else if (ctl_streq(a, "quantum"))
			r = ctl_arg_u32(p, a, UINT32_MAX, &h->quantum);
		else if (ctl_streq(a, "mtu"))
			r = ctl_arg_u32(p, a, UINT32_MAX, &h->mtu);
		else
			return ctl_unknown(p, a);
		if (r < 0)
			return r;
	}
	if (!h->rate)
		return ctl_fail(p->cmd, "htb: \"rate\" is required");
	return 0;
}

static int parse_class_modify(CtlParser *p, int verb)
{
	Nsring__V1__TrafficClass *c =
		CTL_NEW_MSG(p->cmd, Nsring__V1__TrafficClass, nsring__v1__traffic_class__init);
	const char *a, *dev = NULL;
	int r = 0;

	if (!c)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &dev);
		} else if (ctl_streq(a, "parent")) {
			r = ctl_need(p, a, (const char **)&c->parent);
			if (r >= 0)
				r = check_id(p, c->parent, "parent");
		} else if (ctl_streq(a, "root")) {
			c->parent = "root";
		} else if (ctl_streq(a, "classid")) {
			r = ctl_need(p, a, (const char **)&c->classid);
			if (r >= 0)
				r = check_id(p, c->classid, "classid");
		} else if (ctl_streq(a, "htb")) {
			r = opts_htb(p, c);
			break;
		} else if (!dev) {
			r = ctl_check_ifname(p, a);
			dev = a;
		} else {
			return ctl_fail(p->cmd, "unknown class kind \"%s\" (htb)", a);
		}
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	if (!dev)
		return ctl_fail(p->cmd, "not enough information: \"dev\" argument is required");
	if (!c->classid[0])
		return ctl_fail(p->cmd, "not enough information: \"classid\" is required");
	c->link_name = (char *)dev;
	if (verb == CTL_TC_DEL) {
		Nsring__V1__DeleteClassRequest *req =
			CTL_NEW_MSG(p->cmd, Nsring__V1__DeleteClassRequest,
				    nsring__v1__delete_class_request__init);

		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_namespace(p, &req->namespace_);
		req->tclass = c;
		ctl_set_call(p->cmd, "DeleteClass", &req->base,
			     &nsring__v1__delete_class_response__descriptor, ctl_print_created);
	} else {
		Nsring__V1__CreateClassRequest *req =
			CTL_NEW_MSG(p->cmd, Nsring__V1__CreateClassRequest,
				    nsring__v1__create_class_request__init);

		if (!c->parent[0])
			return ctl_fail(p->cmd, "not enough information: \"parent\" is required");
		if (c->options_case == NSRING__V1__TRAFFIC_CLASS__OPTIONS__NOT_SET)
			return ctl_fail(p->cmd, "not enough information: the class's kind (htb) is "
						"required");
		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_namespace(p, &req->namespace_);
		req->tclass = c;
		req->mode = ctl_tc_mode(verb);
		ctl_set_call(p->cmd, "CreateClass", &req->base,
			     &nsring__v1__create_class_response__descriptor, ctl_print_created);
	}
	return 0;
}

static int parse_class_show(CtlParser *p)
{
	Nsring__V1__ListClassesRequest *req;
	const char *name = NULL;
	int r;

	r = ctl_parse_dev(p, &name, NULL, NULL);
	if (r < 0)
		return r;
	if (!name)
		return ctl_fail(p->cmd, "not enough information: \"dev\" argument is required");
	req = CTL_NEW_MSG(p->cmd, Nsring__V1__ListClassesRequest,
			  nsring__v1__list_classes_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	ctl_set_namespace(p, &req->namespace_);
	req->link_name = (char *)name;
	req->stats = p->cmd->stats;
	ctl_set_call(p->cmd, "ListClasses", &req->base,
		     &nsring__v1__list_classes_response__descriptor, ctl_print_classes);
	return 0;
}

static int parse_class(CtlParser *p)
{
	int verb = ctl_tc_verb(p, ctl_next(p));

	if (verb < 0 || verb == CTL_PARSE_HELP)
		return verb;
	if (verb == CTL_TC_SHOW)
		return parse_class_show(p);
	return parse_class_modify(p, verb);
}

const CtlObject ctl_object_class = {
	.word = "class",
	.usage = "  class add|replace|change|del dev NAME parent ID classid ID\n"
		 "        htb rate R [ceil R] [burst S] [cburst S] [prio N] [quantum N] [mtu N]\n"
		 "  class show dev NAME\n",
	.parse = parse_class,
};

int ctl_print_classes(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListClassesResponse *r = (const void *)resp;

	if (json) {
		ctl_json_array(f, (ProtobufCMessage **)r->classes, r->n_classes);
		return 0;
	}
	for (size_t i = 0; i < r->n_classes; i++) {
		const Nsring__V1__TrafficClass *c = r->classes[i];

		fprintf(f, "class %s %s %s%s", c->kind, c->classid,
			strcmp(c->parent, "root") == 0 ? "" : "parent ", c->parent);
		if (c->options_case == NSRING__V1__TRAFFIC_CLASS__OPTIONS_HTB) {
			fprintf(f, " prio %" PRIu32 " rate ", c->htb->prio);
			ctl_tc_print_rate(f, c->htb->rate);
			fputs(" ceil ", f);
			ctl_tc_print_rate(f, c->htb->ceil);
			fputs(" burst ", f);
			ctl_tc_print_size(f, c->htb->burst);
			fputs(" cburst ", f);
			ctl_tc_print_size(f, c->htb->cburst);
		}
		fputc('\n', f);
		ctl_tc_print_stats(f, c->stats);
	}
	return 0;
}
