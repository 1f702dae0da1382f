/* nsringctl's filter object: `filter add|replace|change|del|show` with tc's words (u32,
 * matchall, flower, bpf by name; actions mirred, drop/pass (gact), police), printed as
 * `tc filter show` does. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"
#include "rtnl/rtnl-tc.h"

static const CtlWord verdicts[] = {
	{ "pass", NSRING__V1__TC_VERDICT__TC_VERDICT_PASS },
	{ "drop", NSRING__V1__TC_VERDICT__TC_VERDICT_DROP },
	{ "reclassify", NSRING__V1__TC_VERDICT__TC_VERDICT_RECLASSIFY },
	{ "pipe", NSRING__V1__TC_VERDICT__TC_VERDICT_PIPE },
	{ "continue", NSRING__V1__TC_VERDICT__TC_VERDICT_CONTINUE },
	{ "ok", NSRING__V1__TC_VERDICT__TC_VERDICT_PASS },
	{ "shot", NSRING__V1__TC_VERDICT__TC_VERDICT_DROP },
};

static const CtlWord ip_protos[] = { { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "sctp", 132 } };

static bool verdict_word(const char *a, int *ret)
{
	return a && ctl_word_value(CTL_WORDS(verdicts), a, ret) == 0;
}

static int append_action(CtlParser *p, Nsring__V1__Filter *f, Nsring__V1__Action **ret)
{
	Nsring__V1__Action **arr;

	if (f->n_actions == 4)
		return ctl_fail(p->cmd, "too many actions (at most 4)");
	arr = ctl_alloc(p->cmd, (f->n_actions + 1) * sizeof(*arr));
	*ret = CTL_NEW_MSG(p->cmd, Nsring__V1__Action, nsring__v1__action__init);
	if (!arr || !*ret)
		return ctl_oom(p->cmd);
	if (f->n_actions)
		memcpy(arr, f->actions, f->n_actions * sizeof(*arr));
	arr[f->n_actions++] = *ret;
	f->actions = arr;
	return 0;
}

/* action mirred egress redirect|mirror dev DEV | action [gact] VERDICT | action police rate R
 * burst S [conform-exceed] [VERDICT] */
static int parse_action(CtlParser *p, Nsring__V1__Filter *f)
{
	Nsring__V1__Action *act = NULL;
	const char *a = ctl_next(p), *v;
	int verdict, r;

	if (!a)
		return ctl_fail(p->cmd, "\"action\" needs an argument");
	r = append_action(p, f, &act);
	if (r < 0)
		return r;
	if (ctl_streq(a, "gact"))
		a = ctl_next(p);
	if (verdict_word(a, &verdict)) {
		act->action_case = NSRING__V1__ACTION__ACTION_GACT;
		act->gact = verdict;
		return 0;
	}
	if (a && ctl_streq(a, "mirred")) {
		Nsring__V1__Mirred *m =
			CTL_NEW_MSG(p->cmd, Nsring__V1__Mirred, nsring__v1__mirred__init);

		if (!m)
			return ctl_oom(p->cmd);
		act->mirred = m;
		act->action_case = NSRING__V1__ACTION__ACTION_MIRRED;
		if (ctl_need(p, "mirred", &v) < 0)
			return -EINVAL;
		if (!ctl_streq(v, "egress"))
			return ctl_fail(p->cmd,
					"argument \"%s\" is wrong: mirred: only \"egress\" "
					"(redirect or mirror) is supported",
					v);
		if (ctl_need(p, "egress", &v) < 0)
			return -EINVAL;
		if (!ctl_streq(v, "redirect") && !ctl_streq(v, "mirror"))
			return ctl_fail(p->cmd,
					"argument \"%s\" is wrong: \"redirect\" or \"mirror\"", v);
		m->redirect = ctl_streq(v, "redirect");
		if (ctl_need(p, v, &v) < 0)
			return -EINVAL;
		if (!ctl_streq(v, "dev"))
			return ctl_fail(p->cmd,
					"argument \"%s\" is wrong: mirred needs \"dev NAME\"", v);
		return ctl_arg_ifname(p, "dev", (const char **)&m->dev);
	}
	if (a && ctl_streq(a, "police")) {
		Nsring__V1__Police *po =
			CTL_NEW_MSG(p->cmd, Nsring__V1__Police, nsring__v1__police__init);

		if (!po)
			return ctl_oom(p->cmd);
		act->police = po;
		act->action_case = NSRING__V1__ACTION__ACTION_POLICE;
		while ((v = ctl_peek(p))) {
			if (ctl_streq(v, "rate")) {
				ctl_next(p);
				r = ctl_tc_rate(p, v, &po->rate);
			} else if (ctl_streq(v, "burst") || ctl_streq(v, "buffer") ||
				   ctl_streq(v, "maxburst")) {
				ctl_next(p);
				r = ctl_tc_size(p, v, &po->burst);
			} else if (ctl_streq(v, "conform-exceed") || ctl_streq(v, "exceed")) {
				ctl_next(p);
				if (!verdict_word(ctl_next(p), &verdict))
					return ctl_fail(p->cmd, "\"%s\" needs a verdict", v);
				po->exceed = verdict;
			} else if (verdict_word(v, &verdict)) {
				ctl_next(p);
				po->exceed = verdict;
			} else {
				break;
			}
			if (r < 0)
				return r;
		}
		if (!po->rate || !po->burst)
			return ctl_fail(p->cmd, "police: \"rate\" and \"burst\" are required");
		return 0;
	}
	return ctl_fail(p->cmd, "unknown action \"%s\" (mirred, drop, pass, gact VERDICT, police)",
			a ? a : "");
}

static int add_u32_key(CtlParser *p, Nsring__V1__U32 *u, Nsring__V1__U32Key **ret)
{
	Nsring__V1__U32Key **arr = ctl_alloc(p->cmd, (u->n_keys + 1) * sizeof(*arr));

	*ret = CTL_NEW_MSG(p->cmd, Nsring__V1__U32Key, nsring__v1__u32_key__init);
	if (!arr || !*ret)
		return ctl_oom(p->cmd);
	if (u->n_keys)
		memcpy(arr, u->keys, u->n_keys * sizeof(*arr));
	arr[u->n_keys++] = *ret;
	u->keys = arr;
	return 0;
}

static int u32_number(CtlParser *p, const char *kw, uint32_t *ret)
{
	const char *v;
	unsigned long n;
	char *end;

	if (ctl_need(p, kw, &v) < 0)
		return -EINVAL;
	n = strtoul(v, &end, 0);
	if (*end || end == v || n > UINT32_MAX)
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: a 32-bit number", v);
	*ret = (uint32_t)n;
	return 0;
}

/* match u32 VALUE MASK [at OFF] | match ip src|dst PREFIX */
static int parse_match(CtlParser *p, Nsring__V1__U32 *u)
{
	Nsring__V1__U32Key *k;
	const char *a, *v;
	int r = add_u32_key(p, u, &k);

	if (r < 0)
		return r;
	if (ctl_need(p, "match", &a) < 0)
		return -EINVAL;
	if (ctl_streq(a, "u32")) {
		if (u32_number(p, a, &k->value) < 0 || u32_number(p, a, &k->mask) < 0)
			return -EINVAL;
		if (ctl_peek(p) && ctl_streq(ctl_peek(p), "at")) {
			uint32_t off;

			ctl_next(p);
			if (u32_number(p, "at", &off) < 0)
				return -EINVAL;
			k->offset = (int32_t)off;
		}
		return 0;
	}
	if (ctl_streq(a, "ip")) {
		if (ctl_need(p, a, &v) < 0)
			return -EINVAL;
		if (!ctl_streq(v, "src") && !ctl_streq(v, "dst"))
			return ctl_fail(p->cmd, "match ip: only \"src\" and \"dst\" are supported");
		if (ctl_streq(v, "src"))
			r = ctl_need(p, v, (const char **)&k->ip_src);
		else
			r = ctl_need(p, v, (const char **)&k->ip_dst);
		return r;
	}
	return ctl_fail(p->cmd, "match: \"u32 VALUE MASK [at OFF]\" or \"ip src|dst PREFIX\"");
}

static int parse_kind(CtlParser *p, Nsring__V1__Filter *f, const char *kind)
{
	const char *a, *v;
	int r = 0;

	if (ctl_streq(kind, "u32")) {
		f->u32 = CTL_NEW_MSG(p->cmd, Nsring__V1__U32, nsring__v1__u32__init);
		f->options_case = NSRING__V1__FILTER__OPTIONS_U32;
	} else if (ctl_streq(kind, "matchall")) {
		f->matchall = CTL_NEW_MSG(p->cmd, Nsring__V1__Matchall, nsring__v1__matchall__init);
		f->options_case = NSRING__V1__FILTER__OPTIONS_MATCHALL;
	} else if (ctl_streq(kind, "flower")) {
		f->flower = CTL_NEW_MSG(p->cmd, Nsring__V1__Flower, nsring__v1__flower__init);
		f->options_case = NSRING__V1__FILTER__OPTIONS_FLOWER;
	} else if (ctl_streq(kind, "bpf")) {
		f->bpf = CTL_NEW_MSG(p->cmd, Nsring__V1__BpfFilter, nsring__v1__bpf_filter__init);
		f->options_case = NSRING__V1__FILTER__OPTIONS_BPF;
	} else {
		return ctl_fail(p->cmd, "unknown filter \"%s\" (u32, matchall, flower, bpf)", kind);
	}
	if (!f->u32)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "action") || ctl_streq(a, "actions")) {
			r = parse_action(p, f);
		} else if (ctl_streq(a, "classid") || ctl_streq(a, "flowid")) {
			r = ctl_need(p, a, (const char **)&f->classid);
		} else if (f->options_case == NSRING__V1__FILTER__OPTIONS_U32 &&
			   ctl_streq(a, "match")) {
			r = parse_match(p, f->u32);
		} else if (f->options_case == NSRING__V1__FILTER__OPTIONS_FLOWER &&
			   ctl_streq(a, "ip_proto")) {
			r = ctl_arg_word(p, a, CTL_WORDS(ip_protos), 255, &f->flower->ip_proto);
		} else if (f->options_case == NSRING__V1__FILTER__OPTIONS_FLOWER &&
			   (ctl_streq(a, "src_ip") || ctl_streq(a, "dst_ip"))) {
			r = ctl_need(p, a,
				     (const char **)(ctl_streq(a, "src_ip") ? &f->flower->src_ip
									    : &f->flower->dst_ip));
		} else if (f->options_case == NSRING__V1__FILTER__OPTIONS_FLOWER &&
			   ctl_streq(a, "dst_port")) {
			r = ctl_arg_u32(p, a, 65535, &f->flower->dst_port);
		} else if (f->options_case == NSRING__V1__FILTER__OPTIONS_BPF &&
			   (ctl_streq(a, "name") || ctl_streq(a, "obj") ||
			    ctl_streq(a, "object-file"))) {
			r = ctl_need(p, a, &v);
			f->bpf->name = (char *)v;
		} else if (f->options_case == NSRING__V1__FILTER__OPTIONS_BPF &&
			   (ctl_streq(a, "da") || ctl_streq(a, "direct-action"))) {
			f->bpf->direct_action = true;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static bool is_filter_kind(const char *a)
{
	return ctl_streq(a, "u32") || ctl_streq(a, "matchall") || ctl_streq(a, "flower") ||
	       ctl_streq(a, "bpf");
}

static int parse_filter_args(CtlParser *p, Nsring__V1__Filter *f, bool show)
{
	const char *a, *dev = NULL;
	int r = 0;

	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &dev);
		} else if (ctl_streq(a, "parent")) {
			r = ctl_need(p, a, (const char **)&f->parent);
		} else if (ctl_streq(a, "root") || ctl_streq(a, "ingress") ||
			   ctl_streq(a, "egress")) {
			f->parent = (char *)a;
		} else if (ctl_streq(a, "handle")) {
			r = ctl_need(p, a, (const char **)&f->handle);
		} else if (ctl_streq(a, "protocol")) {
			r = ctl_need(p, a, (const char **)&f->protocol);
		} else if (ctl_streq(a, "prio") || ctl_streq(a, "pref") ||
			   ctl_streq(a, "priority") || ctl_streq(a, "preference")) {
			r = ctl_arg_u32(p, a, 65535, &f->prio);
		} else if (!show && is_filter_kind(a)) {
			r = parse_kind(p, f, a);
			break;
		} else if (!dev) {
			r = ctl_check_ifname(p, a);
			dev = a;
		} else if (!show) {
			return ctl_fail(
				p->cmd,
				"unknown argument %s (filter kinds: u32, matchall, flower, bpf)",
				a);
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	if (!dev)
		return ctl_fail(p->cmd, "not enough information: \"dev\" argument is required");
	f->link_name = (char *)dev;
	return 0;
}

static int parse_filter_show(CtlParser *p)
{
	Nsring__V1__Filter f;
	Nsring__V1__ListFiltersRequest *req;
	int r;

	nsring__v1__filter__init(&f);
	r = parse_filter_args(p, &f, true);
	if (r < 0)
		return r;
	req = CTL_NEW_MSG(p->cmd, Nsring__V1__ListFiltersRequest,
			  nsring__v1__list_filters_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	ctl_set_namespace(p, &req->namespace_);
	req->link_name = f.link_name;
	if (f.parent[0])
		req->parent = f.parent;
	ctl_set_call(p->cmd, "ListFilters", &req->base,
		     &nsring__v1__list_filters_response__descriptor, ctl_print_filters);
	return 0;
}

static int parse_filter(CtlParser *p)
{
	int verb = ctl_tc_verb(p, ctl_next(p));
	Nsring__V1__Filter *f;
	int r;

	if (verb < 0 || verb == CTL_PARSE_HELP)
		return verb;
	if (verb == CTL_TC_SHOW)
		return parse_filter_show(p);
	f = CTL_NEW_MSG(p->cmd, Nsring__V1__Filter, nsring__v1__filter__init);
	if (!f)
		return ctl_oom(p->cmd);
	r = parse_filter_args(p, f, false);
	if (r < 0)
		return r;
	if (!f->parent[0])
		return ctl_fail(p->cmd,
				"not enough information: \"parent\" (or ingress, egress) is "
				"required");
	if (verb == CTL_TC_DEL) {
		Nsring__V1__DeleteFilterRequest *req =
			CTL_NEW_MSG(p->cmd, Nsring__V1__DeleteFilterRequest,
				    nsring__v1__delete_filter_request__init);

		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_namespace(p, &req->namespace_);
		req->filter = f;
		ctl_set_call(p->cmd, "DeleteFilter", &req->base,
			     &nsring__v1__delete_filter_response__descriptor, ctl_print_created);
	} else {
		Nsring__V1__CreateFilterRequest *req =
			CTL_NEW_MSG(p->cmd, Nsring__V1__CreateFilterRequest,
				    nsring__v1__create_filter_request__init);

		if (f->options_case == NSRING__V1__FILTER__OPTIONS__NOT_SET)
			return ctl_fail(p->cmd, "not enough information: the filter's kind (u32, "
						"matchall, flower) is required");
		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_namespace(p, &req->namespace_);
		req->filter = f;
		req->mode = ctl_tc_mode(verb);
		ctl_set_call(p->cmd, "CreateFilter", &req->base,
			     &nsring__v1__create_filter_response__descriptor, ctl_print_created);
	}
	return 0;
}

const CtlObject ctl_object_filter = {
	.word = "filter",
	.usage = "  filter add|replace|change|del dev NAME [parent ID | root | ingress | egress]\n"
		 "        [handle H] [protocol P] [prio N] KIND [OPTIONS] [classid ID] [action "
		 "...]\n"
		 "      KIND := u32 [match u32 VAL MASK [at OFF] | match ip src|dst PREFIX]...\n"
		 "            | matchall | flower [ip_proto tcp|udp|icmp] [src_ip P] [dst_ip P]\n"
		 "              [dst_port N] | bpf name NAME (listed only: no program loading)\n"
		 "      action := mirred egress redirect|mirror dev NAME | drop | pass\n"
		 "              | gact VERDICT | police rate R burst S [VERDICT]\n"
		 "  filter show dev NAME [parent ID | root | ingress | egress]\n",
	.parse = parse_filter,
};

/* ---------------------------------------------------------------- printing */

static void print_action(FILE *f, unsigned order, const Nsring__V1__Action *a)
{
	const char *v;

	fprintf(f, "\taction order %u: ", order);
	switch (a->action_case) {
	case NSRING__V1__ACTION__ACTION_MIRRED:
		fprintf(f, "mirred (Egress %s to device %s) %s\n",
			a->mirred->redirect ? "Redirect" : "Mirror",
			a->mirred->dev[0] ? a->mirred->dev : "?",
			a->mirred->redirect ? "stolen" : "pipe");
		break;
	case NSRING__V1__ACTION__ACTION_GACT:
		v = ctl_word_name(CTL_WORDS(verdicts), a->gact);
		fprintf(f, "gact action %s\n", v ? v : "?");
		break;
	case NSRING__V1__ACTION__ACTION_POLICE:
		fputs("police rate ", f);
		ctl_tc_print_rate(f, a->police->rate);
		fputs(" burst ", f);
		ctl_tc_print_size(f, a->police->burst);
		v = ctl_word_name(CTL_WORDS(verdicts), a->police->exceed);
		fprintf(f, " action %s\n", v ? v : "reclassify");
		break;
	default:
		fprintf(f, "%s\n", a->kind);
		break;
	}
}

int ctl_print_filters(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListFiltersResponse *r = (const void *)resp;

	if (json) {
		ctl_json_array(f, (ProtobufCMessage **)r->filters, r->n_filters);
		return 0;
	}
	for (size_t i = 0; i < r->n_filters; i++) {
		const Nsring__V1__Filter *fl = r->filters[i];

		fprintf(f, "filter parent %s protocol %s pref %" PRIu32 " %s fh %s", fl->parent,
			fl->protocol, fl->prio, fl->kind, fl->handle);
		if (fl->classid[0])
			fprintf(f, " flowid %s", fl->classid);
		if (fl->options_case == NSRING__V1__FILTER__OPTIONS_FLOWER) {
			const Nsring__V1__Flower *w = fl->flower;

			if (w->ip_proto)
				fprintf(f, " ip_proto %" PRIu32, w->ip_proto);
			if (w->src_ip[0])
				fprintf(f, " src_ip %s", w->src_ip);
			if (w->dst_ip[0])
				fprintf(f, " dst_ip %s", w->dst_ip);
			if (w->dst_port)
				fprintf(f, " dst_port %" PRIu32, w->dst_port);
		}
		fputc('\n', f);
		if (fl->options_case == NSRING__V1__FILTER__OPTIONS_U32)
			for (size_t k = 0; k < fl->u32->n_keys; k++)
				fprintf(f, "  match %08" PRIx32 "/%08" PRIx32 " at %" PRId32 "\n",
					fl->u32->keys[k]->value, fl->u32->keys[k]->mask,
					fl->u32->keys[k]->offset);
		for (size_t k = 0; k < fl->n_actions; k++)
			print_action(f, (unsigned)k + 1, fl->actions[k]);
	}
	return 0;
}
