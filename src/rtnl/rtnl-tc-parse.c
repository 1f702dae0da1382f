/* Parsers of the kernel's qdisc, class and filter messages (dumps and notifications): the tcmsg,
 * the options of the kinds the codec builds, the actions, and `tc -s` counters. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/if_ether.h>
#include <linux/tc_act/tc_gact.h>
#include <linux/tc_act/tc_mirred.h>
#include <string.h>

#include "rtnl-internal.h" /* rtnl_attr_strcpy */
#include "rtnl-tc-internal.h"

typedef int (*tc_attr_cb)(const struct nlattr *attr, void *userdata);

/* Walks attributes in [payload, payload + len): -EINVAL on a malformed one (mnl_attr_ok), never
 * reading past len. */
static int tc_attrs(const void *payload, size_t len, tc_attr_cb cb, void *userdata)
{
	const uint8_t *pos = payload;

	while (len >= MNL_ATTR_HDRLEN) {
		const struct nlattr *attr = (const void *)pos;
		size_t step;
		int r;

		if (attr->nla_len < MNL_ATTR_HDRLEN || attr->nla_len > len)
			return -EINVAL;
		r = cb(attr, userdata);
		if (r < 0)
			return r;
		step = MNL_ALIGN(attr->nla_len) < len ? MNL_ALIGN(attr->nla_len) : len;
		pos += step;
		len -= step;
	}
	return 0; /* trailing bytes shorter than a header are ignored, as the kernel does */
}

static int tc_nested(const struct nlattr *attr, tc_attr_cb cb, void *userdata)
{
	return tc_attrs(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr), cb, userdata);
}

/* A payload of at least len bytes (structs may grow at the end in newer kernels). */
static bool tc_len_ok(const struct nlattr *attr, size_t len)
{
	return mnl_attr_get_payload_len(attr) >= len;
}

static int tc_u32_of(const struct nlattr *attr, uint32_t *ret)
{
	if (!tc_len_ok(attr, 4))
		return -EINVAL;
	memcpy(ret, mnl_attr_get_payload(attr), 4);
	return 0;
}

static int tc_u64_of(const struct nlattr *attr, uint64_t *ret)
{
	if (!tc_len_ok(attr, 8))
		return -EINVAL;
	memcpy(ret, mnl_attr_get_payload(attr), 8);
	return 0;
}

/* tc_calc_xmitsize(): the bytes ticks allow at rate, for bursts sent as times. */
static uint32_t tc_xmitsize(const RtnlPsched *ps, uint64_t rate, uint32_t ticks)
{
	double sz = (double)rate * (ticks / rtnl_tc_tick_in_usec(ps)) / 1000000.0;

	return sz >= UINT32_MAX ? UINT32_MAX : (uint32_t)sz;
}

/* ---- stats */

static int tc_stats2_attr(const struct nlattr *attr, void *userdata)
{
	RtnlTcStats *st = userdata;

	switch (mnl_attr_get_type(attr)) {
	case TCA_STATS_BASIC: {
		struct gnet_stats_basic b;

		if (!tc_len_ok(attr, sizeof(b)))
			return -EINVAL;
		memcpy(&b, mnl_attr_get_payload(attr), sizeof(b));
		st->bytes = b.bytes;
		st->packets = b.packets;
		break;
	}
	case TCA_STATS_QUEUE: {
		struct gnet_stats_queue q;

		if (!tc_len_ok(attr, sizeof(q)))
			return -EINVAL;
		memcpy(&q, mnl_attr_get_payload(attr), sizeof(q));
		st->qlen = q.qlen;
		st->backlog = q.backlog;
		st->drops = q.drops;
		st->requeues = q.requeues;
		st->overlimits = q.overlimits;
		break;
	}
	case TCA_STATS_RATE_EST: {
		struct gnet_stats_rate_est e;

		if (!tc_len_ok(attr, sizeof(e)))
			return -EINVAL;
		memcpy(&e, mnl_attr_get_payload(attr), sizeof(e));
		if (!st->rate_bps) /* RATE_EST64 wins when both are present */
			st->rate_bps = e.bps;
		st->rate_pps = e.pps;
		break;
	}
	case TCA_STATS_RATE_EST64: {
		struct gnet_stats_rate_est64 e;

		if (!tc_len_ok(attr, sizeof(e)))
			return -EINVAL;
		memcpy(&e, mnl_attr_get_payload(attr), sizeof(e));
		st->rate_bps = e.bps;
		st->rate_pps = e.pps > UINT32_MAX ? UINT32_MAX : (uint32_t)e.pps;
		break;
	}
	case TCA_STATS_PKT64: { /* packets beyond 2^32 (the basic struct's field is 32-bit) */
		uint64_t p;

		if (tc_u64_of(attr, &p) < 0)
			return -EINVAL;
		st->packets = p > UINT32_MAX ? UINT32_MAX : (uint32_t)p;
		break;
	}
	}
	return 0;
}

/* ---- per-kind options */

typedef struct TcParse {
	const RtnlPsched *ps;
	RtnlQdisc *q;
	RtnlClass *c;
	RtnlFilter *f;
	RtnlTcStats *st;
	struct tc_tbf_qopt tbf;
	uint64_t rate64, ceil64;
	struct tc_htb_opt htb;
	bool has_tbf, has_htb;
} TcParse;

static int tc_tbf_attr(const struct nlattr *attr, void *userdata)
{
	TcParse *p = userdata;

	switch (mnl_attr_get_type(attr)) {
	case TCA_TBF_PARMS:
		if (!tc_len_ok(attr, sizeof(p->tbf)))
			return -EINVAL;
		memcpy(&p->tbf, mnl_attr_get_payload(attr), sizeof(p->tbf));
		p->has_tbf = true;
		return 0;
	case TCA_TBF_RATE64:
		return tc_u64_of(attr, &p->rate64);
	case TCA_TBF_BURST:
		return tc_u32_of(attr, &p->q->tbf.burst);
	}
	return 0;
}

static int tc_htb_attr(const struct nlattr *attr, void *userdata)
{
	TcParse *p = userdata;

	switch (mnl_attr_get_type(attr)) {
	case TCA_HTB_INIT: {
		struct tc_htb_glob g;

		if (!p->q || !tc_len_ok(attr, sizeof(g)))
			return -EINVAL;
		memcpy(&g, mnl_attr_get_payload(attr), sizeof(g));
		p->q->htb.defcls = g.defcls;
		p->q->htb.r2q = g.rate2quantum;
		return 0;
	}
	case TCA_HTB_PARMS:
		if (!tc_len_ok(attr, sizeof(p->htb)))
			return -EINVAL;
		memcpy(&p->htb, mnl_attr_get_payload(attr), sizeof(p->htb));
		p->has_htb = true;
		return 0;
	case TCA_HTB_RATE64:
		return tc_u64_of(attr, &p->rate64);
	case TCA_HTB_CEIL64:
		return tc_u64_of(attr, &p->ceil64);
	}
	return 0;
}

static int tc_fq_codel_attr(const struct nlattr *attr, void *userdata)
{
	RtnlFqCodel *f = userdata;
	uint32_t v;

	switch (mnl_attr_get_type(attr)) {
	case TCA_FQ_CODEL_LIMIT:
		return tc_u32_of(attr, &f->limit);
	case TCA_FQ_CODEL_FLOWS:
		return tc_u32_of(attr, &f->flows);
	case TCA_FQ_CODEL_QUANTUM:
		return tc_u32_of(attr, &f->quantum);
	case TCA_FQ_CODEL_TARGET:
		return tc_u32_of(attr, &f->target_us);
	case TCA_FQ_CODEL_INTERVAL:
		return tc_u32_of(attr, &f->interval_us);
	case TCA_FQ_CODEL_ECN:
		if (tc_u32_of(attr, &v) < 0)
			return -EINVAL;
		f->ecn = v != 0;
	}
	return 0;
}

static int tc_netem_attr(const struct nlattr *attr, void *userdata)
{
	TcParse *p = userdata;
	RtnlNetem *n = &p->q->netem;
	const void *v = mnl_attr_get_payload(attr);

	switch (mnl_attr_get_type(attr)) {
	case TCA_NETEM_CORR: {
		struct tc_netem_corr c;

		if (!tc_len_ok(attr, sizeof(c)))
			return -EINVAL;
		memcpy(&c, v, sizeof(c));
		n->delay_corr = c.delay_corr;
		n->loss_corr = c.loss_corr;
		n->dup_corr = c.dup_corr;
		break;
	}
	case TCA_NETEM_REORDER:
	case TCA_NETEM_CORRUPT: {
		uint32_t
			pc[2]; /* tc_netem_reorder and tc_netem_corrupt: probability, correlation */

		if (!tc_len_ok(attr, sizeof(pc)))
			return -EINVAL;
		memcpy(pc, v, sizeof(pc));
		if (mnl_attr_get_type(attr) == TCA_NETEM_REORDER) {
			n->reorder = pc[0];
			n->reorder_corr = pc[1];
		} else {
			n->corrupt = pc[0];
			n->corrupt_corr = pc[1];
		}
		break;
	}
	case TCA_NETEM_RATE: {
		struct tc_netem_rate r;

		if (!tc_len_ok(attr, sizeof(r)))
			return -EINVAL;
		memcpy(&r, v, sizeof(r));
		if (!p->rate64)
			n->rate = r.rate;
		break;
	}
	case TCA_NETEM_RATE64:
		if (tc_u64_of(attr, &p->rate64) < 0)
			return -EINVAL;
		n->rate = p->rate64;
		break;
	case TCA_NETEM_LATENCY64:
	case TCA_NETEM_JITTER64: {
		uint64_t ns;

		if (tc_u64_of(attr, &ns) < 0)
			return -EINVAL;
		*(mnl_attr_get_type(attr) == TCA_NETEM_LATENCY64 ? &n->delay_ns : &n->jitter_ns) =
			ns;
		break;
	}
	case TCA_NETEM_SLOT: {
		struct tc_netem_slot s;

		if (!tc_len_ok(attr, sizeof(s)))
			return -EINVAL;
		memcpy(&s, v, sizeof(s));
		n->slot_min_ns = s.min_delay < 0 ? 0 : (uint64_t)s.min_delay;
		n->slot_max_ns = s.max_delay < 0 ? 0 : (uint64_t)s.max_delay;
		break;
	}
	}
	return 0;
}

/* The kernel's qopt-then-attributes layouts (netem, prio): the struct, then attributes. */
static int tc_qdisc_options(const struct nlattr *opts, TcParse *p)
{
	RtnlQdisc *q = p->q;
	const void *v = mnl_attr_get_payload(opts);
	size_t len = mnl_attr_get_payload_len(opts);
	int r;

	switch (q->kind) {
	case RTNL_QDISC_TBF:
		r = tc_nested(opts, tc_tbf_attr, p);
		if (r < 0 || !p->has_tbf)
			return -EINVAL;
		q->tbf.rate = p->rate64 ? p->rate64 : p->tbf.rate.rate;
		q->tbf.limit = p->tbf.limit;
		q->tbf.mtu = p->tbf.mtu;
		if (!q->tbf.burst) /* kernels before TCA_TBF_BURST: back from the ticks */
			q->tbf.burst = tc_xmitsize(p->ps, q->tbf.rate, p->tbf.buffer);
		return 0;
	case RTNL_QDISC_HTB:
		return tc_nested(opts, tc_htb_attr, p);
	case RTNL_QDISC_NETEM: {
		struct tc_netem_qopt o;
		double tick = rtnl_tc_tick_in_usec(p->ps);

		if (len < sizeof(o))
			return -EINVAL;
		memcpy(&o, v, sizeof(o));
		q->netem.delay_ns = (uint64_t)(o.latency / tick) * 1000;
		q->netem.jitter_ns = (uint64_t)(o.jitter / tick) * 1000;
		q->netem.limit = o.limit;
		q->netem.loss = o.loss;
		q->netem.gap = o.gap;
		q->netem.duplicate = o.duplicate;
		return tc_attrs((const uint8_t *)v + MNL_ALIGN(sizeof(o)),
				len > MNL_ALIGN(sizeof(o)) ? len - MNL_ALIGN(sizeof(o)) : 0,
				tc_netem_attr, p);
	}
	case RTNL_QDISC_PFIFO:
	case RTNL_QDISC_BFIFO:
		return tc_u32_of(opts, &q->fifo_limit);
	case RTNL_QDISC_FQ_CODEL:
		q->fq_codel.ecn = -1;
		return tc_nested(opts, tc_fq_codel_attr, &q->fq_codel);
	case RTNL_QDISC_PRIO: {
		struct tc_prio_qopt o;

		if (len < sizeof(o))
			return -EINVAL;
		memcpy(&o, v, sizeof(o));
		if (o.bands < 0)
			return -EINVAL;
		q->prio.bands = (uint32_t)o.bands;
		q->prio.has_priomap = true;
		memcpy(q->prio.priomap, o.priomap, sizeof(o.priomap));
		return 0;
	}
	case RTNL_QDISC_SFQ: {
		struct tc_sfq_qopt o;

		if (len < sizeof(o))
			return -EINVAL;
		memcpy(&o, v, sizeof(o));
		q->sfq.quantum = o.quantum;
		q->sfq.perturb_s = o.perturb_period < 0 ? 0 : (uint32_t)o.perturb_period;
		q->sfq.limit = o.limit;
		q->sfq.divisor = o.divisor;
		if (len >= sizeof(struct tc_sfq_qopt_v1))
			q->sfq.depth = ((const struct tc_sfq_qopt_v1 *)v)->depth;
		return 0;
	}
	case RTNL_QDISC_INGRESS:
	case RTNL_QDISC_CLSACT:
	case RTNL_QDISC_NONE:
		break;
	}
	return 0;
}

/* The attributes every tc object has: kind, options (kept for after the kind is known),
 * stats. */
typedef struct TcCommon {
	char kind[16];
	const struct nlattr *options;
	TcParse *p;
} TcCommon;

static int tc_common_attr(const struct nlattr *attr, void *userdata)
{
	TcCommon *c = userdata;

	switch (mnl_attr_get_type(attr)) {
	case TCA_KIND:
		return rtnl_attr_strcpy(attr, c->kind, sizeof(c->kind));
	case TCA_OPTIONS:
		c->options = attr;
		return 0;
	case TCA_STATS2:
		if (!c->p->st)
			return 0;
		c->p->st->present = true;
		return tc_nested(attr, tc_stats2_attr, c->p->st);
	}
	return 0;
}

static int tc_msg(const struct nlmsghdr *nlh, uint16_t type_new, uint16_t type_del,
		  struct tcmsg *ret, TcCommon *c)
{
	size_t hdr = MNL_ALIGN(sizeof(*ret));

	if (!nlh || (nlh->nlmsg_type != type_new && nlh->nlmsg_type != type_del) ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + hdr)
		return -EINVAL;
	memcpy(ret, mnl_nlmsg_get_payload(nlh), sizeof(*ret));
	if (ret->tcm_ifindex < 0)
		return -EINVAL;
	if (tc_attrs((const uint8_t *)mnl_nlmsg_get_payload(nlh) + hdr,
		     nlh->nlmsg_len - MNL_NLMSG_HDRLEN - hdr, tc_common_attr, c) < 0)
		return -EINVAL;
	return 0;
}

int rtnl_qdisc_parse(const struct nlmsghdr *nlh, RtnlQdisc *ret, RtnlTcStats *stats,
		     const RtnlPsched *ps)
{
	TcParse p = { .ps = rtnl_tc_ps(ps), .q = ret, .st = stats };
	TcCommon c = { .p = &p };
	struct tcmsg tcm;

	memset(ret, 0, sizeof(*ret));
	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (tc_msg(nlh, RTM_NEWQDISC, RTM_DELQDISC, &tcm, &c) < 0 || !c.kind[0])
		return -EINVAL;
	ret->ifindex = (uint32_t)tcm.tcm_ifindex;
	ret->handle = tcm.tcm_handle;
	ret->parent = tcm.tcm_parent;
	memcpy(ret->kind_name, c.kind, sizeof(ret->kind_name));
	ret->kind = rtnl_qdisc_kind_from_name(c.kind);
	if (c.options && tc_qdisc_options(c.options, &p) < 0)
		return -EINVAL;
	return 0;
}

int rtnl_class_parse(const struct nlmsghdr *nlh, RtnlClass *ret, RtnlTcStats *stats,
		     const RtnlPsched *ps)
{
	TcParse p = { .ps = rtnl_tc_ps(ps), .c = ret, .st = stats };
	TcCommon c = { .p = &p };
	struct tcmsg tcm;

	memset(ret, 0, sizeof(*ret));
	if (stats)
		memset(stats, 0, sizeof(*stats));
	if (tc_msg(nlh, RTM_NEWTCLASS, RTM_DELTCLASS, &tcm, &c) < 0 || !c.kind[0])
		return -EINVAL;
	ret->ifindex = (uint32_t)tcm.tcm_ifindex;
	ret->classid = tcm.tcm_handle;
	ret->parent = tcm.tcm_parent;
	memcpy(ret->kind_name, c.kind, sizeof(ret->kind_name));
	if (c.options && strcmp(c.kind, "htb") == 0) {
		if (tc_nested(c.options, tc_htb_attr, &p) < 0 || !p.has_htb)
			return -EINVAL;
		ret->htb.rate = p.rate64 ? p.rate64 : p.htb.rate.rate;
		ret->htb.ceil = p.ceil64 ? p.ceil64 : p.htb.ceil.rate;
		ret->htb.burst = tc_xmitsize(p.ps, ret->htb.rate, p.htb.buffer);
		ret->htb.cburst = tc_xmitsize(p.ps, ret->htb.ceil, p.htb.cbuffer);
		ret->htb.prio = p.htb.prio;
		ret->htb.quantum = p.htb.quantum;
	}
	return 0;
}

/* ---- filters and actions */

typedef struct TcActParse {
	RtnlFilter *f;
	RtnlAction *a;
	const RtnlPsched *ps;
	char kind[16];
	const struct nlattr *options;
} TcActParse;

static int tc_act_opt_attr(const struct nlattr *attr, void *userdata)
{
	TcActParse *ap = userdata;
	RtnlAction *a = ap->a;

	switch (a->kind) {
	case RTNL_ACT_MIRRED:
		if (mnl_attr_get_type(attr) == TCA_MIRRED_PARMS) {
			struct tc_mirred m;

			if (!tc_len_ok(attr, sizeof(m)))
				return -EINVAL;
			memcpy(&m, mnl_attr_get_payload(attr), sizeof(m));
			a->mirred.redirect = m.eaction == TCA_EGRESS_REDIR;
			a->mirred.ifindex = m.ifindex;
		}
		break;
	case RTNL_ACT_GACT:
		if (mnl_attr_get_type(attr) == TCA_GACT_PARMS) {
			struct tc_gact g;

			if (!tc_len_ok(attr, sizeof(g)))
				return -EINVAL;
			memcpy(&g, mnl_attr_get_payload(attr), sizeof(g));
			a->gact = g.action;
		}
		break;
	case RTNL_ACT_POLICE:
		if (mnl_attr_get_type(attr) == TCA_POLICE_TBF) {
			struct tc_police pol;

			if (!tc_len_ok(attr, sizeof(pol)))
				return -EINVAL;
			memcpy(&pol, mnl_attr_get_payload(attr), sizeof(pol));
			if (!a->police.rate)
				a->police.rate = pol.rate.rate;
			a->police.exceed = pol.action;
			a->police.burst = pol.burst; /* ticks; converted once the rate is known */
		} else if (mnl_attr_get_type(attr) == TCA_POLICE_RATE64) {
			return tc_u64_of(attr, &a->police.rate);
		}
		break;
	}
	return 0;
}

static int tc_act_attr(const struct nlattr *attr, void *userdata)
{
	TcActParse *ap = userdata;

	switch (mnl_attr_get_type(attr)) {
	case TCA_ACT_KIND:
		return rtnl_attr_strcpy(attr, ap->kind, sizeof(ap->kind));
	case TCA_ACT_OPTIONS:
		ap->options = attr;
	}
	return 0;
}

static int tc_act_tab_attr(const struct nlattr *attr, void *userdata)
{
	TcActParse ap = { .f = userdata };
	RtnlFilter *f = ap.f;

	if (tc_nested(attr, tc_act_attr, &ap) < 0 || !ap.kind[0])
		return -EINVAL;
	if (f->n_actions == RTNL_TC_MAX_ACTIONS)
		return 0; /* more than modelled: the first ones are kept */
	ap.a = &f->actions[f->n_actions];
	memset(ap.a, 0, sizeof(*ap.a));
	if (strcmp(ap.kind, "mirred") == 0)
		ap.a->kind = RTNL_ACT_MIRRED;
	else if (strcmp(ap.kind, "gact") == 0)
		ap.a->kind = RTNL_ACT_GACT;
	else if (strcmp(ap.kind, "police") == 0)
		ap.a->kind = RTNL_ACT_POLICE;
	else
		return 0; /* an action kind not modelled: skipped */
	if (ap.options && tc_nested(ap.options, tc_act_opt_attr, &ap) < 0)
		return -EINVAL;
	f->n_actions++;
	return 0;
}

static int tc_filter_attr(const struct nlattr *attr, void *userdata)
{
	RtnlFilter *f = userdata;
	const void *v = mnl_attr_get_payload(attr);
	uint16_t type = mnl_attr_get_type(attr);

	switch (f->kind) {
	case RTNL_FILTER_U32:
		if (type == TCA_U32_CLASSID)
			return tc_u32_of(attr, &f->classid);
		if (type == TCA_U32_ACT)
			return tc_nested(attr, tc_act_tab_attr, f);
		if (type == TCA_U32_SEL) {
			struct tc_u32_sel sel;
			struct tc_u32_key key;

			if (!tc_len_ok(attr, sizeof(sel)))
				return -EINVAL;
			memcpy(&sel, v, sizeof(sel));
			if (mnl_attr_get_payload_len(attr) < sizeof(sel) + sel.nkeys * sizeof(key))
				return -EINVAL;
			f->u32.nkeys =
				sel.nkeys > RTNL_U32_MAX_KEYS ? RTNL_U32_MAX_KEYS : sel.nkeys;
			for (unsigned i = 0; i < f->u32.nkeys; i++) {
				memcpy(&key, (const uint8_t *)v + sizeof(sel) + i * sizeof(key),
				       sizeof(key));
				f->u32.keys[i] = (RtnlU32Key){ key.mask, key.val, key.off };
			}
		}
		break;
	case RTNL_FILTER_MATCHALL:
		if (type == TCA_MATCHALL_CLASSID)
			return tc_u32_of(attr, &f->classid);
		if (type == TCA_MATCHALL_ACT)
			return tc_nested(attr, tc_act_tab_attr, f);
		break;
	case RTNL_FILTER_FLOWER: {
		uint32_t mask;
		uint16_t port;

		switch (type) {
		case TCA_FLOWER_CLASSID:
			return tc_u32_of(attr, &f->classid);
		case TCA_FLOWER_ACT:
			return tc_nested(attr, tc_act_tab_attr, f);
		case TCA_FLOWER_KEY_IP_PROTO:
			if (!tc_len_ok(attr, 1))
				return -EINVAL;
			f->flower.ip_proto = *(const uint8_t *)v;
			break;
		case TCA_FLOWER_KEY_IPV4_SRC:
		case TCA_FLOWER_KEY_IPV4_DST: {
			RtnlIp *ip =
				type == TCA_FLOWER_KEY_IPV4_SRC ? &f->flower.src : &f->flower.dst;

			if (!tc_len_ok(attr, 4))
				return -EINVAL;
			ip->family = AF_INET;
			memcpy(&ip->v4, v, 4);
			break;
		}
		case TCA_FLOWER_KEY_IPV4_SRC_MASK:
		case TCA_FLOWER_KEY_IPV4_DST_MASK:
			if (tc_u32_of(attr, &mask) < 0)
				return -EINVAL;
			mask = ntohl(mask);
			if (mask & ~(mask ? UINT32_MAX << __builtin_ctz(mask) : 0))
				return -EINVAL; /* not a prefix: not representable here */
			*(type == TCA_FLOWER_KEY_IPV4_SRC_MASK ? &f->flower.src_len
							       : &f->flower.dst_len) =
				mask ? 32 - __builtin_ctz(mask) : 0;
			break;
		case TCA_FLOWER_KEY_TCP_DST:
		case TCA_FLOWER_KEY_UDP_DST:
			if (!tc_len_ok(attr, 2))
				return -EINVAL;
			memcpy(&port, v, 2);
			f->flower.dst_port = ntohs(port);
			break;
		}
		break;
	}
	case RTNL_FILTER_BPF:
		if (type == TCA_BPF_CLASSID)
			return tc_u32_of(attr, &f->classid);
		if (type == TCA_BPF_ACT)
			return tc_nested(attr, tc_act_tab_attr, f);
		if (type == TCA_BPF_FLAGS) {
			uint32_t fl;

			if (tc_u32_of(attr, &fl) < 0)
				return -EINVAL;
			f->bpf.direct_action = fl & TCA_BPF_FLAG_ACT_DIRECT;
		}
		f->bpf.fd = -1; /* the kernel reports the program by id, never an fd */
		break;
	case RTNL_FILTER_NONE:
		break;
	}
	return 0;
}

int rtnl_filter_parse(const struct nlmsghdr *nlh, RtnlFilter *ret, const RtnlPsched *ps)
{
	TcParse p = { .ps = rtnl_tc_ps(ps), .f = ret };
	TcCommon c = { .p = &p };
	struct tcmsg tcm;

	memset(ret, 0, sizeof(*ret));
	if (tc_msg(nlh, RTM_NEWTFILTER, RTM_DELTFILTER, &tcm, &c) < 0 || !c.kind[0])
		return -EINVAL;
	ret->ifindex = (uint32_t)tcm.tcm_ifindex;
	ret->handle = tcm.tcm_handle;
	ret->parent = tcm.tcm_parent;
	ret->prio = TC_H_MAJ(tcm.tcm_info) >> 16;
	ret->protocol = ntohs((uint16_t)TC_H_MIN(tcm.tcm_info));
	memcpy(ret->kind_name, c.kind, sizeof(ret->kind_name));
	ret->kind = rtnl_filter_kind_from_name(c.kind);
	if (ret->kind == RTNL_FILTER_BPF)
		ret->bpf.fd = -1;
	if (c.options && tc_nested(c.options, tc_filter_attr, ret) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < ret->n_actions; i++) {
		RtnlAction *a = &ret->actions[i];

		if (a->kind == RTNL_ACT_POLICE)
			a->police.burst = tc_xmitsize(p.ps, a->police.rate, a->police.burst);
	}
	return 0;
}
