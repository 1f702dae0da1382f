/* Policy routing rule methods: CreateRule, DeleteRule, ListRules (ip rule add|del|show). Every
 * field is checked here, so bad input fails naming the field before anything is sent. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <stdio.h>
#include <string.h>

#include "core/names.h"
#include "core/status.h"
#include "ops-internal.h"
#include "ops-pb.h"

/* What the steps share (op->scratch): the request's outcome when ensure may excuse it. */
typedef struct RuleScratch {
	int code;
	char *msg;
	bool already_done;
} RuleScratch;

const size_t ops_rule_scratch_size = sizeof(RuleScratch);

static bool rule_prefix(Op *op, const char *field, const char *s, uint8_t *family, RtnlIp *ip,
			uint8_t *plen)
{
	if (!str_set(s))
		return true;
	if (rtnl_prefix_parse(s, ip, plen) < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "rule.%s: invalid prefix \"%.64s\"", field, s);
		return false;
	}
	if (*family && *family != ip->family) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"rule.%s: \"%.64s\" is IPv%d but the rule is IPv%d", field, s,
			ip->family == AF_INET ? 4 : 6, *family == AF_INET ? 4 : 6);
		return false;
	}
	*family = ip->family;
	return true;
}

static bool rule_ports(Op *op, const char *field, const Nsring__V1__PortRange *pb,
		       RtnlPortRange *ret)
{
	if (!pb || (pb->start == 0 && pb->end == 0))
		return true;
	if (pb->start == 0 || pb->start > 65535 || pb->end > 65535 ||
	    (pb->end && pb->end < pb->start)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"rule.%s: invalid port range %u-%u (1..65535, start <= end)", field,
			pb->start, pb->end);
		return false;
	}
	ret->start = (uint16_t)pb->start;
	ret->end = (uint16_t)(pb->end ? pb->end : pb->start);
	return true;
}

static const char *action_name(uint32_t a)
{
	switch (a) {
	case FR_ACT_GOTO:
		return "goto";
	case FR_ACT_NOP:
		return "nop";
	case FR_ACT_BLACKHOLE:
		return "blackhole";
	case FR_ACT_UNREACHABLE:
		return "unreachable";
	case FR_ACT_PROHIBIT:
		return "prohibit";
	default:
		return "table";
	}
}

/* The request's rule, checked; create: the defaults of `ip rule add` (IPv4, action table). */
static bool rule_from_pb(Op *op, const Nsring__V1__Rule *pb, bool create, RtnlRule *ret)
{
	uint32_t act;

	memset(ret, 0, sizeof(*ret));
	if (!pb) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "rule is required");
		return false;
	}
	if (pb->family != 0 && pb->family != 4 && pb->family != 6) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "rule.family must be 4, 6 or 0, not %u",
			pb->family);
		return false;
	}
	ret->family = op_af(pb->family);
	if (!rule_prefix(op, "from", pb->from, &ret->family, &ret->src, &ret->src_len) ||
	    !rule_prefix(op, "to", pb->to, &ret->family, &ret->dst, &ret->dst_len))
		return false;
	if (!ret->family)
		ret->family = AF_INET; /* as ip rule without -6 */
	if (str_set(pb->iif) && !name_ifname_valid(pb->iif)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "rule.iif: invalid interface name \"%.64s\"",
			pb->iif);
		return false;
	}
	if (str_set(pb->oif) && !name_ifname_valid(pb->oif)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "rule.oif: invalid interface name \"%.64s\"",
			pb->oif);
		return false;
	}
	if (str_set(pb->iif))
		snprintf(ret->iif, sizeof(ret->iif), "%s", pb->iif);
	if (str_set(pb->oif))
		snprintf(ret->oif, sizeof(ret->oif), "%s", pb->oif);
	ret->has_priority = pb->set_priority_case == NSRING__V1__RULE__SET_PRIORITY_PRIORITY;
	ret->priority = pb->priority;
	ret->has_fwmark = pb->set_fwmark_case == NSRING__V1__RULE__SET_FWMARK_FWMARK;
	ret->fwmark = pb->fwmark;
	ret->fwmask = pb->fwmask;
	if (pb->fwmask && !ret->has_fwmark) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "rule.fwmask needs rule.fwmark");
		return false;
	}
	if (pb->ipproto > 255 || pb->tos > 255 || pb->protocol > 255) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "rule.%s %u is out of range 0-255",
			pb->ipproto > 255 ? "ipproto"
			: pb->tos > 255	  ? "tos"
					  : "protocol",
			pb->ipproto > 255 ? pb->ipproto
			: pb->tos > 255	  ? pb->tos
					  : pb->protocol);
		return false;
	}
	ret->ip_proto = (uint8_t)pb->ipproto;
	ret->tos = (uint8_t)pb->tos;
	ret->protocol = (uint8_t)pb->protocol;
	if (!rule_ports(op, "sport", pb->sport, &ret->sport) ||
	    !rule_ports(op, "dport", pb->dport, &ret->dport))
		return false;
	if ((ret->sport.start || ret->dport.start) && ret->ip_proto != 0 && ret->ip_proto != 6 &&
	    ret->ip_proto != 17 && ret->ip_proto != 132) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"rule.sport/dport need rule.ipproto tcp (6), udp (17) or sctp (132), not "
			"%u",
			ret->ip_proto);
		return false;
	}
	if (pb->set_suppress_prefixlength_case ==
	    NSRING__V1__RULE__SET_SUPPRESS_PREFIXLENGTH_SUPPRESS_PREFIXLENGTH) {
		if (pb->suppress_prefixlength > (ret->family == AF_INET ? 32u : 128u)) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"rule.suppress_prefixlength %u is longer than an address",
				pb->suppress_prefixlength);
			return false;
		}
		ret->has_suppress_prefixlen = true;
		ret->suppress_prefixlen = pb->suppress_prefixlength;
	}
	ret->invert = pb->invert;
	ret->l3mdev = pb->l3mdev;

	act = (uint32_t)pb->action;
	switch (act) {
	case FR_ACT_UNSPEC:
	case FR_ACT_TO_TBL:
	case FR_ACT_GOTO:
	case FR_ACT_NOP:
	case FR_ACT_BLACKHOLE:
	case FR_ACT_UNREACHABLE:
	case FR_ACT_PROHIBIT:
		break;
	default:
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"rule.action %u is unknown (1 table, 2 goto, 3 nop, 6 blackhole, "
			"7 unreachable, 8 prohibit)",
			act);
		return false;
	}
	if (pb->table == UINT32_MAX) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "rule.table %u is reserved", pb->table);
		return false;
	}
	if (pb->table && act != FR_ACT_UNSPEC && act != FR_ACT_TO_TBL) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"rule.table cannot go with action %s: a rule either looks up a table or "
			"has another action",
			action_name(act));
		return false;
	}
	if (pb->l3mdev && (pb->table || (act != FR_ACT_UNSPEC && act != FR_ACT_TO_TBL))) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"rule.l3mdev takes the table of the L3 master device: no rule.table or "
			"other action with it");
		return false;
	}
	if (pb->goto_priority && act != FR_ACT_GOTO) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "rule.goto_priority needs action goto");
		return false;
	}
	if (act == FR_ACT_GOTO && create) {
		if (!pb->goto_priority) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"rule.goto_priority is required for action goto");
			return false;
		}
		if (ret->has_priority && pb->goto_priority <= ret->priority) {
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"rule.goto_priority %u must come after the rule's priority %u",
				pb->goto_priority, ret->priority);
			return false;
		}
	}
	ret->goto_target = pb->goto_priority;
	ret->table = pb->table;
	if (create && (act == FR_ACT_UNSPEC || act == FR_ACT_TO_TBL) && !pb->table && !pb->l3mdev) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"rule.table is required (or rule.l3mdev, or another action)");
		return false;
	}
	ret->action = (uint8_t)(create && act == FR_ACT_UNSPEC ? FR_ACT_TO_TBL : act);
	if (!create && act == FR_ACT_UNSPEC && (pb->table || pb->l3mdev))
		ret->action = FR_ACT_TO_TBL;
	return true;
}

static bool rule_create(const Op *op)
{
	return op->m->start == ops_create_rule;
}

static const Nsring__V1__Rule *rule_req(const Op *op)
{
	if (rule_create(op))
		return ((const Nsring__V1__CreateRuleRequest *)op->req)->rule;
	return ((const Nsring__V1__DeleteRuleRequest *)op->req)->rule;
}

static bool rule_ensure(const Op *op)
{
	return op_ensure(op);
}

static void rule_reply(Op *op)
{
	RuleScratch *x = op->scratch;

	if (x->code) {
		/* The kernel's EEXIST for a rule means an identical one: rule_exists() compares
		 * every attribute. A delete that matches nothing gets ENOENT. */
		if (rule_ensure(op) && ((rule_create(op) && x->code == STATUS_ALREADY_EXISTS) ||
					(!rule_create(op) && x->code == STATUS_NOT_FOUND))) {
			x->already_done = true;
		} else {
			/* ret_msg has the method's name in front, as op_fail() adds it. */
			op_fail(op, x->code, "%s", x->msg + strlen(op->m->name) + 2);
			return;
		}
	}
	if (rule_create(op)) {
		Nsring__V1__CreateRuleResponse resp = NSRING__V1__CREATE_RULE_RESPONSE__INIT;
		resp.already_done = x->already_done;
		op_reply(op, &resp.base);
	} else {
		Nsring__V1__DeleteRuleResponse resp = NSRING__V1__DELETE_RULE_RESPONSE__INIT;
		resp.already_done = x->already_done;
		op_reply(op, &resp.base);
	}
}

/* "rule 1000 from 198.18.1.0/24": what names the rule in messages. */
static const char *rule_what(Op *op, const RtnlRule *r, bool create)
{
	char ip[INET6_ADDRSTRLEN], pref[16] = "";

	if (r->has_priority)
		snprintf(pref, sizeof(pref), " %u", r->priority);
	if (r->src.family)
		return op_printf(op, "%s rule%s from %s/%u", create ? "add" : "delete", pref,
				 rtnl_ip_format(&r->src, ip, sizeof(ip)), r->src_len);
	if (r->dst.family)
		return op_printf(op, "%s rule%s to %s/%u", create ? "add" : "delete", pref,
				 rtnl_ip_format(&r->dst, ip, sizeof(ip)), r->dst_len);
	return op_printf(op, "%s IPv%d rule%s", create ? "add" : "delete",
			 r->family == AF_INET ? 4 : 6, pref);
}

static void rule_send(Op *op)
{
	RuleScratch *x = op->scratch;
	bool create = rule_create(op);
	uint8_t buf[512];
	RtnlRule r;
	OpNl *nl;

	rule_from_pb(op, rule_req(op), create, &r);
	nl = op_send(op, 0, buf,
		     create ? rtnl_rule_new(buf, sizeof(buf), &r)
			    : rtnl_rule_del(buf, sizeof(buf), &r),
		     rule_what(op, &r, create));
	if (nl && rule_ensure(op)) {
		nl->ret_code = &x->code;
		nl->ret_msg = &x->msg;
	}
	op_then_final(op, rule_reply);
}

static void rule_start(Op *op, const Nsring__V1__NamespaceRef *ns)
{
	RtnlRule r;

	if (!rule_from_pb(op, rule_req(op), rule_create(op), &r) || !op_open_ns(op, 0, ns))
		return;
	op_then(op, rule_send);
}

void ops_create_rule(Op *op)
{
	rule_start(op, ((const Nsring__V1__CreateRuleRequest *)op->req)->namespace_);
}

void ops_delete_rule(Op *op)
{
	rule_start(op, ((const Nsring__V1__DeleteRuleRequest *)op->req)->namespace_);
}

/* ---- ListRules */

static void list_rules_reply(Op *op)
{
	Nsring__V1__ListRulesResponse resp = NSRING__V1__LIST_RULES_RESPONSE__INIT;
	size_t n = op->dump.nrules;

	resp.rules = op_alloc(op, (n ? n : 1) * sizeof(*resp.rules));
	/* The kernel dumps IPv4 then IPv6, each in priority order: kept as it comes. */
	for (size_t i = 0; i < n; i++)
		resp.rules[resp.n_rules++] = op_rule_to_pb(op, &op->dump.rules[i]);
	op_reply(op, &resp.base);
}

static void list_rules_dump(Op *op)
{
	const Nsring__V1__ListRulesRequest *req = (void *)op->req;

	op_dump(op, RTM_GETRULE, op_af(req->family));
	op_then(op, list_rules_reply);
}

void ops_list_rules(Op *op)
{
	const Nsring__V1__ListRulesRequest *req = (void *)op->req;

	if (req->family != 0 && req->family != 4 && req->family != 6) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "family must be 4, 6 or 0 (both), not %u",
			req->family);
		return;
	}
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, list_rules_dump);
}
