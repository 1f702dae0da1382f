/* nsringctl's rule object: `rule add|del|show` with ip rule's words, the rule lines (as ip rule
 * prints them) of `rule show` and of `monitor`. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"

/* /etc/iproute2/rt_tables's fixed names (the API's numbers otherwise). */
static const CtlWord rule_tables[] = {
	{ "default", 253 },
	{ "main", 254 },
	{ "local", 255 },
};
/* What a rule does besides looking up a table (ip rule's TYPE words). */
static const CtlWord rule_actions[] = {
	{ "blackhole", NSRING__V1__RULE_ACTION__RULE_ACTION_BLACKHOLE },
	{ "unreachable", NSRING__V1__RULE_ACTION__RULE_ACTION_UNREACHABLE },
	{ "prohibit", NSRING__V1__RULE_ACTION__RULE_ACTION_PROHIBIT },
	{ "nop", NSRING__V1__RULE_ACTION__RULE_ACTION_NOP },
};
/* /etc/protocols names ip rule's ipproto takes. */
static const CtlWord rule_ipprotos[] = {
	{ "icmp", 1 }, { "tcp", 6 },	    { "udp", 17 },
	{ "gre", 47 }, { "ipv6-icmp", 58 }, { "sctp", 132 },
};

/* N or N-M, 1..65535. */
static int parse_port_range(CtlParser *p, const char *kw, Nsring__V1__PortRange **ret)
{
	Nsring__V1__PortRange *pr;
	const char *v, *dash;
	uint32_t a, b;
	int r;

	r = ctl_need(p, kw, &v);
	if (r < 0)
		return r;
	pr = CTL_NEW_MSG(p->cmd, Nsring__V1__PortRange, nsring__v1__port_range__init);
	if (!pr)
		return ctl_oom(p->cmd);
	dash = strchr(v, '-');
	if (dash) {
		char *first = ctl_strndup(p->cmd, v, (size_t)(dash - v));

		if (!first)
			return ctl_oom(p->cmd);
		r = ctl_parse_u32(first, &a) < 0 || ctl_parse_u32(dash + 1, &b) < 0 ? -EINVAL : 0;
	} else {
		r = ctl_parse_u32(v, &a);
		b = a;
	}
	if (r < 0 || a == 0 || a > 65535 || b > 65535 || b < a)
		return ctl_fail(p->cmd,
				"argument \"%s\" is wrong: \"%s\" takes a port or a range "
				"N-M of 1-65535",
				v, kw);
	pr->start = a;
	pr->end = b;
	*ret = pr;
	return 0;
}

/* MARK[/MASK], numbers in any base strtoul takes (ip prints hex). */
static int parse_fwmark(CtlParser *p, const char *kw, Nsring__V1__Rule *rule)
{
	const char *v, *slash;
	int r;

	r = ctl_need(p, kw, &v);
	if (r < 0)
		return r;
	slash = strchr(v, '/');
	if (slash) {
		char *mark = ctl_strndup(p->cmd, v, (size_t)(slash - v));

		if (!mark)
			return ctl_oom(p->cmd);
		if (ctl_parse_u32(mark, &rule->fwmark) < 0 ||
		    ctl_parse_u32(slash + 1, &rule->fwmask) < 0)
			return ctl_fail(p->cmd, "argument \"%s\" is wrong: fwmark MARK[/MASK]", v);
	} else if (ctl_parse_u32(v, &rule->fwmark) < 0) {
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: fwmark MARK[/MASK]", v);
	}
	rule->set_fwmark_case = NSRING__V1__RULE__SET_FWMARK_FWMARK;
	return 0;
}

/* from/to PREFIX|all: the prefix and its family. */
static int parse_rule_prefix(CtlParser *p, const char *kw, char **ret, int *fam)
{
	const char *v, *addr;
	uint32_t plen;
	int r, f = 0;

	r = ctl_need(p, kw, &v);
	if (r < 0)
		return r;
	if (ctl_streq(v, "all") || ctl_streq(v, "any") || ctl_streq(v, "default"))
		return 0;
	r = ctl_parse_prefix(p, v, &addr, &plen, &f, NULL);
	if (r < 0)
		return r;
	if (*fam && f != *fam)
		return ctl_fail(p->cmd,
				"argument \"%s\" is wrong: \"%s\" is IPv%d but the rule is "
				"IPv%d",
				v, kw, f, *fam);
	*fam = f;
	*ret = (char *)v;
	return 0;
}

static int parse_rule_modify(CtlParser *p, bool add)
{
	Nsring__V1__Rule *rule;
	const char *a;
	bool have_action = false;
	int r, fam = p->cmd->family;

	rule = CTL_NEW_MSG(p->cmd, Nsring__V1__Rule, nsring__v1__rule__init);
	if (!rule)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		const char *v;
		int act;

		r = 0;
		if (ctl_streq(a, "not")) {
			rule->invert = true;
		} else if (ctl_streq(a, "from")) {
			r = parse_rule_prefix(p, a, &rule->from, &fam);
		} else if (ctl_streq(a, "to")) {
			r = parse_rule_prefix(p, a, &rule->to, &fam);
		} else if (ctl_streq(a, "pref") || ctl_streq(a, "priority") ||
			   ctl_streq(a, "preference") || ctl_streq(a, "order")) {
			rule->set_priority_case = NSRING__V1__RULE__SET_PRIORITY_PRIORITY;
			r = ctl_arg_u32(p, a, UINT32_MAX, &rule->priority);
		} else if (ctl_streq(a, "table") || ctl_streq(a, "lookup")) {
			r = ctl_arg_word(p, a, CTL_WORDS(rule_tables), UINT32_MAX - 1,
					 &rule->table);
			if (r >= 0 && rule->table == 0)
				return ctl_fail(p->cmd, "argument \"0\" is wrong: table 0 is none");
			if (r >= 0 && have_action)
				return ctl_fail(p->cmd,
						"a rule either looks up a table or has another "
						"action, not both");
			rule->action = NSRING__V1__RULE_ACTION__RULE_ACTION_TABLE;
			have_action = true;
		} else if (ctl_streq(a, "goto")) {
			if (have_action)
				return ctl_fail(p->cmd, "\"goto\" and another action or table");
			rule->action = NSRING__V1__RULE_ACTION__RULE_ACTION_GOTO;
			have_action = true;
			r = ctl_arg_u32(p, a, UINT32_MAX, &rule->goto_priority);
		} else if (ctl_streq(a, "fwmark")) {
			r = parse_fwmark(p, a, rule);
		} else if (ctl_streq(a, "iif") || ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &v);
			rule->iif = (char *)v;
		} else if (ctl_streq(a, "oif")) {
			r = ctl_arg_ifname(p, a, &v);
			rule->oif = (char *)v;
		} else if (ctl_streq(a, "l3mdev")) {
			rule->l3mdev = true;
		} else if (ctl_streq(a, "ipproto")) {
			r = ctl_arg_word(p, a, CTL_WORDS(rule_ipprotos), 255, &rule->ipproto);
		} else if (ctl_streq(a, "sport")) {
			r = parse_port_range(p, a, &rule->sport);
		} else if (ctl_streq(a, "dport")) {
			r = parse_port_range(p, a, &rule->dport);
		} else if (ctl_streq(a, "suppress_prefixlength") || ctl_streq(a, "sup_pl")) {
			rule->set_suppress_prefixlength_case =
				NSRING__V1__RULE__SET_SUPPRESS_PREFIXLENGTH_SUPPRESS_PREFIXLENGTH;
			r = ctl_arg_u32(p, a, 128, &rule->suppress_prefixlength);
		} else if (ctl_streq(a, "tos") || ctl_streq(a, "dsfield")) {
			r = ctl_arg_u32(p, a, 255, &rule->tos);
		} else if (ctl_streq(a, "protocol") || ctl_streq(a, "proto")) {
			r = ctl_arg_u32(p, a, 255, &rule->protocol);
		} else if (ctl_word_value(CTL_WORDS(rule_actions), a, &act) == 0 ||
			   (ctl_streq(a, "type") && ctl_peek(p) &&
			    ctl_word_value(CTL_WORDS(rule_actions), ctl_peek(p), &act) == 0 &&
			    ctl_next(p))) {
			if (have_action)
				return ctl_fail(p->cmd,
						"a rule either looks up a table or has another "
						"action (\"%s\"), not both",
						a);
			rule->action = (Nsring__V1__RuleAction)act;
			have_action = true;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (rule->fwmask && !rule->fwmark && rule->set_fwmark_case == 0)
		return ctl_fail(p->cmd, "a mask needs a mark");
	if (add && !have_action && !rule->l3mdev)
		return ctl_fail(p->cmd, "not enough information: \"table\" (or l3mdev, goto, "
					"blackhole, unreachable, prohibit, nop) is required");
	rule->family = (uint32_t)(fam ?: 4); /* ip rule without -6 is IPv4 */

	if (add) {
		Nsring__V1__CreateRuleRequest *req =
			CTL_NEW_MSG(p->cmd, Nsring__V1__CreateRuleRequest,
				    nsring__v1__create_rule_request__init);

		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_namespace(p, &req->namespace_);
		req->rule = rule;
		ctl_set_call(p->cmd, "CreateRule", &req->base,
			     &nsring__v1__create_rule_response__descriptor, ctl_print_created);
	} else {
		Nsring__V1__DeleteRuleRequest *req =
			CTL_NEW_MSG(p->cmd, Nsring__V1__DeleteRuleRequest,
				    nsring__v1__delete_rule_request__init);

		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_namespace(p, &req->namespace_);
		req->rule = rule;
		ctl_set_call(p->cmd, "DeleteRule", &req->base,
			     &nsring__v1__delete_rule_response__descriptor, ctl_print_created);
	}
	return 0;
}

static int parse_rule_show(CtlParser *p)
{
	Nsring__V1__ListRulesRequest *req;
	int r = ctl_no_more(p);

	if (r < 0)
		return r;
	req = CTL_NEW_MSG(p->cmd, Nsring__V1__ListRulesRequest,
			  nsring__v1__list_rules_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	ctl_set_namespace(p, &req->namespace_);
	req->family = (uint32_t)(p->cmd->family ?: 4); /* as ip rule: IPv4 unless -6 */
	ctl_set_call(p->cmd, "ListRules", &req->base, &nsring__v1__list_rules_response__descriptor,
		     ctl_print_rules);
	return 0;
}

static int parse_rule(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c)
		return parse_rule_show(p);
	if (ctl_matches(c, "add"))
		return parse_rule_modify(p, true);
	if (ctl_matches(c, "delete"))
		return parse_rule_modify(p, false);
	if (ctl_matches(c, "show") || ctl_matches(c, "list") || ctl_matches(c, "lst"))
		return parse_rule_show(p);
	if (ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	return ctl_unknown(p, c);
}

const CtlObject ctl_object_rule = {
	.word = "rule",
	.usage = "  rule add|del [not] [from PREFIX] [to PREFIX] [pref N] [iif NAME] [oif NAME]\n"
		 "           [fwmark MARK[/MASK]] [ipproto PROTO] [sport N[-M]] [dport N[-M]]\n"
		 "           [tos N] [l3mdev] [suppress_prefixlength N] [proto N] ACTION\n"
		 "      ACTION := table TABLE | goto PREF | blackhole | unreachable | prohibit | "
		 "nop\n"
		 "  rule show                    (IPv4 rules as in ip; -6: IPv6 rules)\n",
	.parse = parse_rule,
};

/* ---------------------------------------------------------------- printing */

/* "198.18.1.0/24", or "198.18.1.1" for a host, as ip prints a prefix. */
static void print_prefix(FILE *f, const char *kw, const char *prefix)
{
	const char *slash = strrchr(prefix, '/');
	bool host = slash && (ctl_streq(slash + 1, "32") ? strchr(prefix, ':') == NULL
							 : ctl_streq(slash + 1, "128"));

	fprintf(f, "%s %.*s", kw, host ? (int)(slash - prefix) : (int)strlen(prefix), prefix);
}

/* One rule as `ip rule show` prints it, without the newline. */
void ctl_rule_print_line(FILE *f, const Nsring__V1__Rule *r)
{
	char b[12];
	const char *act;

	fprintf(f, "%" PRIu32 ":\t", r->set_priority_case ? r->priority : 0);
	if (r->invert)
		fputs("not ", f);
	if (r->from[0])
		print_prefix(f, "from", r->from);
	else
		fputs("from all", f);
	if (r->to[0])
		print_prefix(f, " to", r->to);
	if (r->tos)
		fprintf(f, " tos 0x%02" PRIx32, r->tos);
	if (r->set_fwmark_case) {
		fprintf(f, " fwmark 0x%" PRIx32, r->fwmark);
		if (r->fwmask && r->fwmask != UINT32_MAX)
			fprintf(f, "/0x%" PRIx32, r->fwmask);
	}
	if (r->iif[0])
		fprintf(f, " iif %s", r->iif);
	if (r->oif[0])
		fprintf(f, " oif %s", r->oif);
	if (r->l3mdev)
		fputs(" lookup [l3mdev-table]", f);
	if (r->ipproto) {
		const char *n = ctl_word_name(CTL_WORDS(rule_ipprotos), (int)r->ipproto);
		if (n)
			fprintf(f, " ipproto %s", n);
		else
			fprintf(f, " ipproto %" PRIu32, r->ipproto);
	}
	if (r->sport && r->sport->start) {
		fprintf(f, " sport %" PRIu32, r->sport->start);
		if (r->sport->end != r->sport->start)
			fprintf(f, "-%" PRIu32, r->sport->end);
	}
	if (r->dport && r->dport->start) {
		fprintf(f, " dport %" PRIu32, r->dport->start);
		if (r->dport->end != r->dport->start)
			fprintf(f, "-%" PRIu32, r->dport->end);
	}
	if (r->table)
		fprintf(f, " lookup %s",
			ctl_word_name_or_number(CTL_WORDS(rule_tables), r->table, b));
	if (r->set_suppress_prefixlength_case)
		fprintf(f, " suppress_prefixlength %" PRIu32, r->suppress_prefixlength);
	if (r->action == NSRING__V1__RULE_ACTION__RULE_ACTION_GOTO)
		fprintf(f, " goto %" PRIu32, r->goto_priority);
	else if ((act = ctl_word_name(CTL_WORDS(rule_actions), (int)r->action)))
		fprintf(f, " %s", act);
}

int ctl_print_rules(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListRulesResponse *r = (const void *)resp;

	if (json) {
		ctl_json_array(f, (ProtobufCMessage **)r->rules, r->n_rules);
		return 0;
	}
	for (size_t i = 0; i < r->n_rules; i++) {
		ctl_rule_print_line(f, r->rules[i]);
		fputc('\n', f);
	}
	return 0;
}
