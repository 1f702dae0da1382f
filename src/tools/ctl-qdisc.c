/* nsringctl's qdisc object: `qdisc add|replace|change|del|show` with tc's words, the `tc -s`
 * style listing; and the tc words the class and filter objects share (units, commands). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"
#include "rtnl/rtnl-tc.h"

/* ---------------------------------------------------------------- shared tc words */

int ctl_tc_rate(CtlParser *p, const char *kw, uint64_t *ret)
{
	const char *v;

	if (ctl_need(p, kw, &v) < 0)
		return -EINVAL;
	if (rtnl_tc_parse_rate(v, ret) < 0 || *ret == 0)
		return ctl_fail(p->cmd,
				"argument \"%s\" is wrong: \"%s\" needs a rate (8mbit, "
				"100kbps...)",
				v, kw);
	return 0;
}

int ctl_tc_size(CtlParser *p, const char *kw, uint32_t *ret)
{
	const char *v;

	if (ctl_need(p, kw, &v) < 0)
		return -EINVAL;
	if (rtnl_tc_parse_size(v, ret) < 0)
		return ctl_fail(p->cmd,
				"argument \"%s\" is wrong: \"%s\" needs a size (32kbit, "
				"10kb, 1500...)",
				v, kw);
	return 0;
}

int ctl_tc_time(CtlParser *p, const char *kw, uint32_t *ret)
{
	const char *v;

	if (ctl_need(p, kw, &v) < 0)
		return -EINVAL;
	if (rtnl_tc_parse_time(v, ret) < 0)
		return ctl_fail(p->cmd,
				"argument \"%s\" is wrong: \"%s\" needs a time (50ms, 1s...)", v,
				kw);
	return 0;
}

static int tc_time64(CtlParser *p, const char *kw, const char *v, uint64_t *ret)
{
	if (rtnl_tc_parse_time64(v, ret) < 0)
		return ctl_fail(p->cmd,
				"argument \"%s\" is wrong: \"%s\" needs a time (50ms, 1s...)", v,
				kw);
	return 0;
}

/* "25%" or "25" as a percentage; NULL word: not one (an optional value absent). */
static bool tc_is_percent(const char *v, double *ret)
{
	char *end;
	double d;

	if (!v)
		return false;
	d = strtod(v, &end);
	if (end == v || (*end && strcmp(end, "%") != 0) || !(d >= 0 && d <= 100))
		return false;
	*ret = d;
	return true;
}

int ctl_tc_verb(CtlParser *p, const char *c)
{
	if (!c || ctl_matches(c, "show") || ctl_matches(c, "list") || ctl_streq(c, "ls"))
		return CTL_TC_SHOW;
	if (ctl_streq(c, "add"))
		return CTL_TC_ADD;
	if (ctl_matches(c, "replace"))
		return CTL_TC_REPLACE;
	if (ctl_matches(c, "change"))
		return CTL_TC_CHANGE;
	if (ctl_matches(c, "delete"))
		return CTL_TC_DEL;
	if (ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	return ctl_unknown(p, c);
}

Nsring__V1__TcMode ctl_tc_mode(int verb)
{
	return verb == CTL_TC_REPLACE  ? NSRING__V1__TC_MODE__TC_MODE_REPLACE
	       : verb == CTL_TC_CHANGE ? NSRING__V1__TC_MODE__TC_MODE_CHANGE
				       : NSRING__V1__TC_MODE__TC_MODE_ADD;
}

void ctl_tc_print_rate(FILE *f, uint64_t bytes)
{
	static const char *const units[] = { "", "K", "M", "G", "T" };
	uint64_t rate = bytes * 8;
	size_t i;

	/* tc's sprint_rate: SI units while the number divides evenly */
	for (i = 0; i < ARRAY_SIZE(units) - 1; i++) {
		if (rate < 1000)
			break;
		if (rate % 1000 && rate < 1000 * 1000)
			break;
		rate /= 1000;
	}
	fprintf(f, "%" PRIu64 "%sbit", rate, units[i]);
}

void ctl_tc_print_size(FILE *f, uint32_t sz)
{
	if (sz >= 1024 * 1024 && sz % (1024 * 1024) == 0)
		fprintf(f, "%" PRIu32 "Mb", sz / (1024 * 1024));
	else if (sz >= 1024 && sz % 1024 == 0)
		fprintf(f, "%" PRIu32 "Kb", sz / 1024);
	else
		fprintf(f, "%" PRIu32 "b", sz);
}

static void print_time_ns(FILE *f, uint64_t ns)
{
	if (ns >= 1000000000)
		fprintf(f, "%.1fs", (double)ns / 1e9);
	else if (ns >= 1000000)
		fprintf(f, "%.1fms", (double)ns / 1e6);
	else
		fprintf(f, "%" PRIu64 "us", ns / 1000);
}

/* `tc -s`'s counter lines under an object. */
void ctl_tc_print_stats(FILE *f, const Nsring__V1__TcStats *s)
{
	if (!s)
		return;
	fprintf(f,
		" Sent %" PRIu64 " bytes %" PRIu32 " pkt (dropped %" PRIu32 ", overlimits %" PRIu32
		" requeues %" PRIu32 ") \n",
		s->bytes, s->packets, s->drops, s->overlimits, s->requeues);
	if (s->rate || s->rate_pps) {
		fputs(" rate ", f);
		ctl_tc_print_rate(f, s->rate);
		fprintf(f, " %" PRIu32 "pps ", s->rate_pps);
	}
	fputs(" backlog ", f);
	ctl_tc_print_size(f, s->backlog);
	fprintf(f, " %" PRIu32 "p requeues %" PRIu32 "\n", s->qlen, s->requeues);
}

/* ---------------------------------------------------------------- qdisc options */

static int opts_tbf(CtlParser *p, Nsring__V1__Qdisc *q)
{
	Nsring__V1__Tbf *t = CTL_NEW_MSG(p->cmd, Nsring__V1__Tbf, nsring__v1__tbf__init);
	const char *a;
	int r;

	if (!t)
		return ctl_oom(p->cmd);
	q->tbf = t;
	q->options_case = NSRING__V1__QDISC__OPTIONS_TBF;
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "rate"))
			r = ctl_tc_rate(p, a, &t->rate);
		else if (ctl_streq(a, "burst") || ctl_streq(a, "buffer") ||
			 ctl_streq(a, "maxburst"))
			r = ctl_tc_size(p, a, &t->burst);
		else if (ctl_streq(a, "limit"))
			r = ctl_tc_size(p, a, &t->limit);
		else if (ctl_streq(a, "latency"))
			r = ctl_tc_time(p, a, &t->latency_us);
		else if (ctl_streq(a, "mtu") || ctl_streq(a, "minburst"))
			r = ctl_tc_size(p, a, &t->mtu);
		else
			return ctl_unknown(p, a);
		if (r < 0)
			return r;
	}
	if (!t->rate || !t->burst)
		return ctl_fail(p->cmd, "tbf: \"rate\" and \"burst\" are required");
	if (!t->limit == !t->latency_us)
		return ctl_fail(p->cmd,
				"tbf: exactly one of \"limit\" and \"latency\" is required");
	return 0;
}

static int opts_htb(CtlParser *p, Nsring__V1__Qdisc *q)
{
	Nsring__V1__Htb *h = CTL_NEW_MSG(p->cmd, Nsring__V1__Htb, nsring__v1__htb__init);
	const char *a, *v;
	int r = 0;

	if (!h)
		return ctl_oom(p->cmd);
	q->htb = h;
	q->options_case = NSRING__V1__QDISC__OPTIONS_HTB;
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "default")) {
			char *end;
			unsigned long d;

			if (ctl_need(p, a, &v) < 0)
				return -EINVAL;
			d = strtoul(v, &end, 16); /* tc reads it in hex */
			if (*end || end == v || d > 0xffff)
				return ctl_fail(p->cmd,
						"argument \"%s\" is wrong: default class minor "
						"(hex)",
						v);
			h->default_class = (uint32_t)d;
		} else if (ctl_streq(a, "r2q")) {
			r = ctl_arg_u32(p, a, UINT32_MAX, &h->r2q);
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* PERCENT [CORRELATION] */
static int netem_pct(CtlParser *p, const char *kw, double *v, double *corr)
{
	const char *s;

	if (ctl_need(p, kw, &s) < 0)
		return -EINVAL;
	if (ctl_streq(kw, "loss") && ctl_streq(s, "random") && ctl_need(p, kw, &s) < 0)
		return -EINVAL;
	if (!tc_is_percent(s, v))
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: \"%s\" needs a percentage", s,
				kw);
	if (corr && tc_is_percent(ctl_peek(p), corr))
		ctl_next(p);
	return 0;
}

static int opts_netem(CtlParser *p, Nsring__V1__Qdisc *q)
{
	Nsring__V1__Netem *n = CTL_NEW_MSG(p->cmd, Nsring__V1__Netem, nsring__v1__netem__init);
	const char *a, *v;
	int r = 0;

	if (!n)
		return ctl_oom(p->cmd);
	q->netem = n;
	q->options_case = NSRING__V1__QDISC__OPTIONS_NETEM;
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "delay") || ctl_streq(a, "latency")) {
			uint64_t t;

			if (ctl_need(p, a, &v) < 0 || tc_time64(p, a, v, &n->delay_ns) < 0)
				return -EINVAL;
			v = ctl_peek(p);
			if (v && rtnl_tc_parse_time64(v, &t) == 0) {
				ctl_next(p);
				n->jitter_ns = t;
				if (tc_is_percent(ctl_peek(p), &n->delay_correlation))
					ctl_next(p);
			}
		} else if (ctl_streq(a, "loss") || ctl_streq(a, "drop")) {
			r = netem_pct(p, "loss", &n->loss, &n->loss_correlation);
		} else if (ctl_streq(a, "duplicate")) {
			r = netem_pct(p, a, &n->duplicate, &n->duplicate_correlation);
		} else if (ctl_streq(a, "corrupt")) {
			r = netem_pct(p, a, &n->corrupt, &n->corrupt_correlation);
		} else if (ctl_streq(a, "reorder")) {
			r = netem_pct(p, a, &n->reorder, &n->reorder_correlation);
		} else if (ctl_streq(a, "gap")) {
			r = ctl_arg_u32(p, a, UINT32_MAX, &n->gap);
		} else if (ctl_streq(a, "rate")) {
			r = ctl_tc_rate(p, a, &n->rate);
		} else if (ctl_streq(a, "limit")) {
			r = ctl_arg_u32(p, a, UINT32_MAX, &n->limit);
		} else if (ctl_streq(a, "slot")) {
			uint64_t t;

			if (ctl_need(p, a, &v) < 0 || tc_time64(p, a, v, &n->slot_min_ns) < 0)
				return -EINVAL;
			v = ctl_peek(p);
			if (v && rtnl_tc_parse_time64(v, &t) == 0) {
				ctl_next(p);
				n->slot_max_ns = t;
			}
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int opts_fifo(CtlParser *p, Nsring__V1__Qdisc *q, bool bytes)
{
	Nsring__V1__Fifo *fi = CTL_NEW_MSG(p->cmd, Nsring__V1__Fifo, nsring__v1__fifo__init);
	const char *a;
	int r;

	if (!fi)
		return ctl_oom(p->cmd);
	q->pfifo = fi; /* pfifo and bfifo share the oneof's place */
	q->options_case =
		bytes ? NSRING__V1__QDISC__OPTIONS_BFIFO : NSRING__V1__QDISC__OPTIONS_PFIFO;
	while ((a = ctl_next(p))) {
		if (!ctl_streq(a, "limit"))
			return ctl_unknown(p, a);
		r = bytes ? ctl_tc_size(p, a, &fi->limit)
			  : ctl_arg_u32(p, a, UINT32_MAX, &fi->limit);
		if (r < 0)
			return r;
	}
	return 0;
}

static int opts_fq_codel(CtlParser *p, Nsring__V1__Qdisc *q)
{
	Nsring__V1__FqCodel *c =
		CTL_NEW_MSG(p->cmd, Nsring__V1__FqCodel, nsring__v1__fq_codel__init);
	const char *a;
	int r = 0;

	if (!c)
		return ctl_oom(p->cmd);
	q->fq_codel = c;
	q->options_case = NSRING__V1__QDISC__OPTIONS_FQ_CODEL;
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "limit"))
			r = ctl_arg_u32(p, a, UINT32_MAX, &c->limit);
		else if (ctl_streq(a, "flows"))
			r = ctl_arg_u32(p, a, UINT32_MAX, &c->flows);
		else if (ctl_streq(a, "quantum"))
			r = ctl_arg_u32(p, a, UINT32_MAX, &c->quantum);
		else if (ctl_streq(a, "target"))
			r = ctl_tc_time(p, a, &c->target_us);
		else if (ctl_streq(a, "interval"))
			r = ctl_tc_time(p, a, &c->interval_us);
		else if (ctl_streq(a, "ecn") || ctl_streq(a, "noecn")) {
			c->set_ecn_case = NSRING__V1__FQ_CODEL__SET_ECN_ECN;
			c->ecn = ctl_streq(a, "ecn");
		} else
			return ctl_unknown(p, a);
		if (r < 0)
			return r;
	}
	return 0;
}

static int opts_prio(CtlParser *p, Nsring__V1__Qdisc *q)
{
	Nsring__V1__Prio *pr = CTL_NEW_MSG(p->cmd, Nsring__V1__Prio, nsring__v1__prio__init);
	const char *a;
	int r = 0;

	if (!pr)
		return ctl_oom(p->cmd);
	q->prio = pr;
	q->options_case = NSRING__V1__QDISC__OPTIONS_PRIO;
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "bands")) {
			r = ctl_arg_u32(p, a, 16, &pr->bands);
		} else if (ctl_streq(a, "priomap")) {
			pr->priomap = ctl_alloc(p->cmd, 16 * sizeof(*pr->priomap));
			if (!pr->priomap)
				return ctl_oom(p->cmd);
			for (pr->n_priomap = 0; pr->n_priomap < 16; pr->n_priomap++) {
				r = ctl_arg_u32(p, a, 15, &pr->priomap[pr->n_priomap]);
				if (r < 0)
					return r;
			}
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

static int opts_sfq(CtlParser *p, Nsring__V1__Qdisc *q)
{
	Nsring__V1__Sfq *s = CTL_NEW_MSG(p->cmd, Nsring__V1__Sfq, nsring__v1__sfq__init);
	const char *a;
	int r;

	if (!s)
		return ctl_oom(p->cmd);
	q->sfq = s;
	q->options_case = NSRING__V1__QDISC__OPTIONS_SFQ;
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "perturb"))
			r = ctl_arg_u32(p, a, UINT32_MAX, &s->perturb_s);
		else if (ctl_streq(a, "quantum"))
			r = ctl_tc_size(p, a, &s->quantum);
		else if (ctl_streq(a, "limit"))
			r = ctl_arg_u32(p, a, UINT32_MAX, &s->limit);
		else if (ctl_streq(a, "divisor"))
			r = ctl_arg_u32(p, a, UINT32_MAX, &s->divisor);
		else if (ctl_streq(a, "depth"))
			r = ctl_arg_u32(p, a, UINT32_MAX, &s->depth);
		else
			return ctl_unknown(p, a);
		if (r < 0)
			return r;
	}
	return 0;
}

static int opts_kind(CtlParser *p, Nsring__V1__Qdisc *q, const char *kind)
{
	if (ctl_streq(kind, "tbf"))
		return opts_tbf(p, q);
	if (ctl_streq(kind, "htb"))
		return opts_htb(p, q);
	if (ctl_streq(kind, "netem"))
		return opts_netem(p, q);
	if (ctl_streq(kind, "pfifo") || ctl_streq(kind, "bfifo"))
		return opts_fifo(p, q, ctl_streq(kind, "bfifo"));
	if (ctl_streq(kind, "fq_codel"))
		return opts_fq_codel(p, q);
	if (ctl_streq(kind, "prio"))
		return opts_prio(p, q);
	if (ctl_streq(kind, "sfq"))
		return opts_sfq(p, q);
	if (ctl_streq(kind, "ingress") || ctl_streq(kind, "clsact")) {
		if (ctl_streq(kind, "ingress")) {
			q->ingress =
				CTL_NEW_MSG(p->cmd, Nsring__V1__Ingress, nsring__v1__ingress__init);
			q->options_case = NSRING__V1__QDISC__OPTIONS_INGRESS;
		} else {
			q->clsact =
				CTL_NEW_MSG(p->cmd, Nsring__V1__Clsact, nsring__v1__clsact__init);
			q->options_case = NSRING__V1__QDISC__OPTIONS_CLSACT;
		}
		if (!q->ingress)
			return ctl_oom(p->cmd);
		return ctl_no_more(p);
	}
	return ctl_fail(p->cmd,
			"unknown qdisc \"%s\" (tbf, htb, netem, pfifo, bfifo, fq_codel, prio, sfq, "
			"ingress, clsact)",
			kind);
}

static bool is_kind(const char *a)
{
	static const char *const kinds[] = { "tbf",	 "htb",	 "netem", "pfifo",   "bfifo",
					     "fq_codel", "prio", "sfq",	  "ingress", "clsact" };

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (ctl_streq(a, kinds[i]))
			return true;
	return false;
}

/* [dev] DEV [root | parent ID | ingress | clsact] [handle ID] [KIND [OPTIONS]] */
static int parse_qdisc_modify(CtlParser *p, int verb)
{
	Nsring__V1__Qdisc *q = CTL_NEW_MSG(p->cmd, Nsring__V1__Qdisc, nsring__v1__qdisc__init);
	const char *a, *dev = NULL;
	int r = 0;

	if (!q)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &dev);
		} else if (ctl_streq(a, "root")) {
			q->parent = "root";
		} else if (ctl_streq(a, "parent")) {
			r = ctl_need(p, a, (const char **)&q->parent);
			if (r >= 0 && rtnl_tc_parse_handle(q->parent, &(uint32_t){ 0 }) < 0)
				return ctl_fail(p->cmd,
						"argument \"%s\" is wrong: invalid parent ID",
						q->parent);
		} else if (ctl_streq(a, "handle")) {
			r = ctl_need(p, a, (const char **)&q->handle);
			if (r >= 0 && rtnl_tc_parse_handle(q->handle, &(uint32_t){ 0 }) < 0)
				return ctl_fail(p->cmd, "argument \"%s\" is wrong: invalid handle",
						q->handle);
		} else if (!dev && !is_kind(a)) {
			r = ctl_check_ifname(p, a);
			dev = a;
		} else {
			r = opts_kind(p, q, a);
			break;
		}
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	if (!dev)
		return ctl_fail(p->cmd, "not enough information: \"dev\" argument is required");
	q->link_name = (char *)dev;
	if (verb == CTL_TC_DEL) {
		Nsring__V1__DeleteQdiscRequest *req =
			CTL_NEW_MSG(p->cmd, Nsring__V1__DeleteQdiscRequest,
				    nsring__v1__delete_qdisc_request__init);

		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_namespace(p, &req->namespace_);
		req->qdisc = q;
		ctl_set_call(p->cmd, "DeleteQdisc", &req->base,
			     &nsring__v1__delete_qdisc_response__descriptor, ctl_print_created);
	} else {
		Nsring__V1__CreateQdiscRequest *req =
			CTL_NEW_MSG(p->cmd, Nsring__V1__CreateQdiscRequest,
				    nsring__v1__create_qdisc_request__init);

		if (q->options_case == NSRING__V1__QDISC__OPTIONS__NOT_SET)
			return ctl_fail(p->cmd,
					"not enough information: the qdisc's kind is required");
		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_namespace(p, &req->namespace_);
		req->qdisc = q;
		req->mode = ctl_tc_mode(verb);
		ctl_set_call(p->cmd, "CreateQdisc", &req->base,
			     &nsring__v1__create_qdisc_response__descriptor, ctl_print_created);
	}
	return 0;
}

static int parse_qdisc_show(CtlParser *p)
{
	Nsring__V1__ListQdiscsRequest *req;
	const char *name = NULL;
	int r;

	r = ctl_parse_dev(p, &name, NULL, NULL);
	if (r < 0)
		return r;
	req = CTL_NEW_MSG(p->cmd, Nsring__V1__ListQdiscsRequest,
			  nsring__v1__list_qdiscs_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	ctl_set_namespace(p, &req->namespace_);
	if (name)
		req->link_name = (char *)name;
	req->stats = p->cmd->stats;
	ctl_set_call(p->cmd, "ListQdiscs", &req->base,
		     &nsring__v1__list_qdiscs_response__descriptor, ctl_print_qdiscs);
	return 0;
}

static int parse_qdisc(CtlParser *p)
{
	int verb = ctl_tc_verb(p, ctl_next(p));

	if (verb < 0 || verb == CTL_PARSE_HELP)
		return verb;
	if (verb == CTL_TC_SHOW)
		return parse_qdisc_show(p);
	return parse_qdisc_modify(p, verb);
}

const CtlObject ctl_object_qdisc = {
	.word = "qdisc",
	.usage =
		"  qdisc add|replace|change|del dev NAME [root | parent ID | ingress | clsact]\n"
		"        [handle ID] KIND [OPTIONS]   (tc's words; -s before qdisc: counters)\n"
		"      KIND := tbf rate R burst S (latency T | limit S) [mtu S] | htb [default "
		"ID]\n"
		"            | netem [delay T [JITTER [CORR]]] [loss P [CORR]] [duplicate P]\n"
		"              [corrupt P] [reorder P [CORR]] [gap N] [rate R] [limit N]\n"
		"              [slot MIN [MAX]]\n"
		"            | pfifo|bfifo [limit N] | fq_codel [limit N] [flows N] [quantum N]\n"
		"              [target T] [interval T] [ecn|noecn] | prio [bands N] [priomap ...]\n"
		"            | sfq [perturb SEC] [quantum S] [limit N] | ingress | clsact\n"
		"  qdisc show [[dev] NAME]\n",
	.parse = parse_qdisc,
};

/* ---------------------------------------------------------------- printing */

void ctl_qdisc_print_event(FILE *f, const Nsring__V1__Qdisc *q)
{
	/* as tc: "root", else "parent ID" (ffff:fff1 for ingress and clsact) */
	fprintf(f, "qdisc %s %s dev %s %s%s", q->kind, q->handle,
		q->link_name[0] ? q->link_name : "?",
		strcmp(q->parent, "root") == 0 ? "" : "parent ",
		strcmp(q->parent, "ingress") == 0 ? "ffff:fff1" : q->parent);
	switch (q->options_case) {
	case NSRING__V1__QDISC__OPTIONS_TBF:
		fputs(" rate ", f);
		ctl_tc_print_rate(f, q->tbf->rate);
		fputs(" burst ", f);
		ctl_tc_print_size(f, q->tbf->burst);
		fputs(" limit ", f);
		ctl_tc_print_size(f, q->tbf->limit);
		break;
	case NSRING__V1__QDISC__OPTIONS_HTB:
		fprintf(f, " r2q %" PRIu32 " default %" PRIx32, q->htb->r2q, q->htb->default_class);
		break;
	case NSRING__V1__QDISC__OPTIONS_PFIFO:
		fprintf(f, " limit %" PRIu32 "p", q->pfifo->limit);
		break;
	case NSRING__V1__QDISC__OPTIONS_BFIFO:
		fputs(" limit ", f);
		ctl_tc_print_size(f, q->bfifo->limit);
		break;
	case NSRING__V1__QDISC__OPTIONS_NETEM:
		if (q->netem->delay_ns) {
			fputs(" delay ", f);
			print_time_ns(f, q->netem->delay_ns);
		}
		break;
	default:
		break;
	}
}

static void print_qdisc(FILE *f, const Nsring__V1__Qdisc *q)
{
	ctl_qdisc_print_event(f, q);
	fputc('\n', f);
	ctl_tc_print_stats(f, q->stats);
}

int ctl_print_qdiscs(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListQdiscsResponse *r = (const void *)resp;

	if (json) {
		ctl_json_array(f, (ProtobufCMessage **)r->qdiscs, r->n_qdiscs);
		return 0;
	}
	for (size_t i = 0; i < r->n_qdiscs; i++)
		print_qdisc(f, r->qdiscs[i]);
	return 0;
}
