/* Builders of tc requests (qdiscs, htb classes, filters with actions), attribute for attribute in
 * tc's order and nesting, so tests can hold them to tc's captured bytes. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_ether.h>
#include <linux/tc_act/tc_gact.h>
#include <linux/tc_act/tc_mirred.h>
#include <netinet/in.h>
#include <string.h>

#include "rtnl-tc-internal.h"

#define TC_REQ_FLAGS (NLM_F_REQUEST | NLM_F_ACK)

const uint8_t rtnl_prio_default_map[TC_PRIO_MAX + 1] = { 1, 2, 2, 2, 1, 2, 0, 0,
							 1, 1, 1, 1, 1, 1, 1, 1 };

static const char *const rtnl_qdisc_kinds[] = {
	[RTNL_QDISC_TBF] = "tbf",	  [RTNL_QDISC_HTB] = "htb",
	[RTNL_QDISC_NETEM] = "netem",	  [RTNL_QDISC_PFIFO] = "pfifo",
	[RTNL_QDISC_BFIFO] = "bfifo",	  [RTNL_QDISC_FQ_CODEL] = "fq_codel",
	[RTNL_QDISC_PRIO] = "prio",	  [RTNL_QDISC_SFQ] = "sfq",
	[RTNL_QDISC_INGRESS] = "ingress", [RTNL_QDISC_CLSACT] = "clsact",
};

static const char *const rtnl_filter_kinds[] = {
	[RTNL_FILTER_U32] = "u32",
	[RTNL_FILTER_MATCHALL] = "matchall",
	[RTNL_FILTER_FLOWER] = "flower",
	[RTNL_FILTER_BPF] = "bpf",
};

const char *rtnl_qdisc_kind_name(RtnlQdiscKind kind)
{
	return (unsigned)kind < sizeof(rtnl_qdisc_kinds) / sizeof(rtnl_qdisc_kinds[0])
		       ? rtnl_qdisc_kinds[kind]
		       : NULL;
}

RtnlQdiscKind rtnl_qdisc_kind_from_name(const char *name)
{
	for (unsigned k = 1; k < sizeof(rtnl_qdisc_kinds) / sizeof(rtnl_qdisc_kinds[0]); k++)
		if (strcmp(rtnl_qdisc_kinds[k], name) == 0)
			return k;
	return RTNL_QDISC_NONE;
}

const char *rtnl_filter_kind_name(RtnlFilterKind kind)
{
	return (unsigned)kind < sizeof(rtnl_filter_kinds) / sizeof(rtnl_filter_kinds[0])
		       ? rtnl_filter_kinds[kind]
		       : NULL;
}

RtnlFilterKind rtnl_filter_kind_from_name(const char *name)
{
	for (unsigned k = 1; k < sizeof(rtnl_filter_kinds) / sizeof(rtnl_filter_kinds[0]); k++)
		if (strcmp(rtnl_filter_kinds[k], name) == 0)
			return k;
	return RTNL_FILTER_NONE;
}

/* A message being written: every put checks the room first and latches failure, so builders
 * write straight through and test ok once at the end. */
typedef struct TcMsg {
	struct nlmsghdr *nlh;
	size_t size;
	bool ok;
} TcMsg;

static bool tc_begin(TcMsg *m, void *buf, size_t size, uint16_t type, uint16_t flags,
		     const struct tcmsg *tcm)
{
	m->size = size;
	m->ok = buf && size >= MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*tcm));
	if (!m->ok)
		return false;
	m->nlh = mnl_nlmsg_put_header(buf);
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = flags;
	memcpy(mnl_nlmsg_put_extra_header(m->nlh, sizeof(*tcm)), tcm, sizeof(*tcm));
	return true;
}

/* Zeroes the padding, as rtnl-build.c does: requests are reproducible byte for byte. */
static void tc_put(TcMsg *m, uint16_t type, size_t len, const void *data)
{
	struct nlattr *attr;

	if (!m->ok)
		return;
	attr = mnl_nlmsg_get_payload_tail(m->nlh);
	if (len > UINT16_MAX - MNL_ATTR_HDRLEN ||
	    !mnl_attr_put_check(m->nlh, m->size, type, len, data ? data : "")) {
		m->ok = false;
		return;
	}
	memset((uint8_t *)mnl_attr_get_payload(attr) + len, 0, MNL_ALIGN(len) - len);
}

static void tc_put_u32(TcMsg *m, uint16_t type, uint32_t v)
{
	tc_put(m, type, sizeof(v), &v);
}

static void tc_put_strz(TcMsg *m, uint16_t type, const char *s)
{
	tc_put(m, type, strlen(s) + 1, s);
}

/* A struct with no attribute header of its own, inside TCA_OPTIONS (netem, prio). */
static void tc_put_raw(TcMsg *m, const void *data, size_t len)
{
	if (!m->ok)
		return;
	if (MNL_ALIGN(m->nlh->nlmsg_len) + MNL_ALIGN(len) > m->size) {
		m->ok = false;
		return;
	}
	memset(mnl_nlmsg_put_extra_header(m->nlh, len), 0, MNL_ALIGN(len));
	memcpy((uint8_t *)mnl_nlmsg_get_payload_tail(m->nlh) - MNL_ALIGN(len), data, len);
}

/* tc opens its nests with addattr_l(type, NULL, 0): no NLA_F_NESTED, except TCA_ACT_OPTIONS
 * (addattr_nest() there sets it). */
static struct nlattr *tc_nest(TcMsg *m, uint16_t type)
{
	struct nlattr *start = m->ok ? mnl_nlmsg_get_payload_tail(m->nlh) : NULL;

	tc_put(m, type, 0, NULL);
	return m->ok ? start : NULL;
}

static void tc_nest_end(TcMsg *m, struct nlattr *start)
{
	if (m->ok)
		start->nla_len = (uint8_t *)mnl_nlmsg_get_payload_tail(m->nlh) - (uint8_t *)start;
}

static int tc_end(TcMsg *m)
{
	return m->ok ? (int)m->nlh->nlmsg_len : -ENOBUFS;
}

static uint16_t tc_op_flags(RtnlTcOp op)
{
	switch (op) {
	case RTNL_TC_ADD:
		return TC_REQ_FLAGS | NLM_F_CREATE | NLM_F_EXCL;
	case RTNL_TC_REPLACE:
		return TC_REQ_FLAGS | NLM_F_CREATE | NLM_F_REPLACE;
	case RTNL_TC_CHANGE:
		return TC_REQ_FLAGS;
	}
	return 0;
}

static uint32_t tc_rate32(uint64_t rate)
{
	return rate >= (1ULL << 32) ? UINT32_MAX : (uint32_t)rate;
}

static int tc_tbf(TcMsg *m, const RtnlTbf *t, const RtnlPsched *ps)
{
	struct tc_tbf_qopt opt = { 0 };
	uint32_t rtab[256];
	struct nlattr *nest;

	if (t->rate == 0 || t->burst == 0 || !t->limit == !t->latency_us)
		return -EINVAL;
	opt.rate.rate = tc_rate32(t->rate);
	if (t->limit) {
		opt.limit = t->limit;
	} else {
		double lim = t->rate * (double)t->latency_us / 1000000.0 + t->burst;

		if (lim > UINT32_MAX)
			return -EINVAL;
		opt.limit = (uint32_t)lim;
	}
	rtnl_tc_rtable(ps, &opt.rate, rtab, -1, t->mtu);
	opt.buffer = rtnl_tc_xmittime(ps, opt.rate.rate, t->burst);
	opt.mtu = 0;
	nest = tc_nest(m, TCA_OPTIONS);
	tc_put(m, TCA_TBF_PARMS, sizeof(opt), &opt);
	tc_put_u32(m, TCA_TBF_BURST, t->burst);
	if (t->rate >= (1ULL << 32))
		tc_put(m, TCA_TBF_RATE64, sizeof(t->rate), &t->rate);
	tc_put(m, TCA_TBF_RTAB, sizeof(rtab), rtab);
	tc_nest_end(m, nest);
	return 0;
}

static int tc_netem(TcMsg *m, const RtnlNetem *n, const RtnlPsched *ps)
{
	struct tc_netem_qopt opt = { .limit = n->limit ? n->limit : 1000,
				     .loss = n->loss,
				     .gap = n->gap,
				     .duplicate = n->duplicate };
	double tick = rtnl_tc_tick_in_usec(ps);
	double lat = (double)(n->delay_ns / 1000) * tick,
	       jit = (double)(n->jitter_ns / 1000) * tick;
	struct tc_netem_corr cor = { n->delay_corr, n->loss_corr, n->dup_corr };
	struct tc_netem_reorder reorder = { n->reorder, n->reorder_corr };
	struct tc_netem_corrupt corrupt = { n->corrupt, n->corrupt_corr };
	struct tc_netem_rate rate = { 0 };
	struct nlattr *nest;

	/* tc 6.1 sends delays only as u32 ticks in the qopt (never LATENCY64): it refuses larger.
	 */
	if (lat >= 4294967296.0 || jit >= 4294967296.0)
		return -EINVAL;
	opt.latency = (uint32_t)lat;
	opt.jitter = (uint32_t)jit;
	if (n->reorder && !opt.latency) /* the kernel reorders by sending some packets undelayed */
		return -EINVAL;
	if (n->reorder && !opt.gap)
		opt.gap = 1;
	/* netem's options start with the qopt, attributes follow (the compat layout). */
	nest = tc_nest(m, TCA_OPTIONS);
	tc_put_raw(m, &opt, sizeof(opt));
	if (cor.delay_corr || cor.loss_corr || cor.dup_corr)
		tc_put(m, TCA_NETEM_CORR, sizeof(cor), &cor);
	if (reorder.probability)
		tc_put(m, TCA_NETEM_REORDER, sizeof(reorder), &reorder);
	if (corrupt.probability)
		tc_put(m, TCA_NETEM_CORRUPT, sizeof(corrupt), &corrupt);
	if (n->slot_min_ns) {
		struct tc_netem_slot slot = {
			.min_delay = (int64_t)n->slot_min_ns,
			.max_delay = (int64_t)(n->slot_max_ns ? n->slot_max_ns : n->slot_min_ns)
		};

		if (slot.max_delay < slot.min_delay || slot.min_delay < 0)
			return -EINVAL;
		tc_put(m, TCA_NETEM_SLOT, sizeof(slot), &slot);
	}
	if (n->rate) {
		if (n->rate >= (1ULL << 32))
			tc_put(m, TCA_NETEM_RATE64, sizeof(n->rate), &n->rate);
		rate.rate = tc_rate32(n->rate);
		tc_put(m, TCA_NETEM_RATE, sizeof(rate), &rate);
	}
	tc_nest_end(m, nest);
	return 0;
}

/* Puts a struct as TCA_OPTIONS's payload followed by an empty nest of type inner (tc's
 * addattr_nest_compat(): prio's layout). */
static void tc_compat(TcMsg *m, const void *data, size_t len, uint16_t inner)
{
	struct nlattr *outer = tc_nest(m, TCA_OPTIONS);

	tc_put_raw(m, data, len);
	tc_put(m, inner, 0, NULL);
	tc_nest_end(m, outer);
}

static int tc_qdisc_options(TcMsg *m, const RtnlQdisc *q, const RtnlPsched *ps)
{
	struct nlattr *nest;

	switch (q->kind) {
	case RTNL_QDISC_TBF:
		return tc_tbf(m, &q->tbf, ps);
	case RTNL_QDISC_HTB: {
		struct tc_htb_glob glob = { .version = 3,
					    .rate2quantum = q->htb.r2q ? q->htb.r2q : 10,
					    .defcls = q->htb.defcls };

		nest = tc_nest(m, TCA_OPTIONS);
		tc_put(m, TCA_HTB_INIT, sizeof(glob), &glob);
		tc_nest_end(m, nest);
		return 0;
	}
	case RTNL_QDISC_NETEM:
		return tc_netem(m, &q->netem, ps);
	case RTNL_QDISC_PFIFO:
	case RTNL_QDISC_BFIFO: {
		struct tc_fifo_qopt opt = { .limit = q->fifo_limit };

		if (q->fifo_limit) /* tc sends no options without a limit */
			tc_put(m, TCA_OPTIONS, sizeof(opt), &opt);
		return 0;
	}
	case RTNL_QDISC_FQ_CODEL: {
		const RtnlFqCodel *f = &q->fq_codel;

		if (f->ecn < -1 || f->ecn > 1)
			return -EINVAL;
		nest = tc_nest(m, TCA_OPTIONS);
		if (f->limit)
			tc_put_u32(m, TCA_FQ_CODEL_LIMIT, f->limit);
		if (f->flows)
			tc_put_u32(m, TCA_FQ_CODEL_FLOWS, f->flows);
		if (f->quantum)
			tc_put_u32(m, TCA_FQ_CODEL_QUANTUM, f->quantum);
		if (f->interval_us)
			tc_put_u32(m, TCA_FQ_CODEL_INTERVAL, f->interval_us);
		if (f->target_us)
			tc_put_u32(m, TCA_FQ_CODEL_TARGET, f->target_us);
		if (f->ecn >= 0)
			tc_put_u32(m, TCA_FQ_CODEL_ECN, (uint32_t)f->ecn);
		tc_nest_end(m, nest);
		return 0;
	}
	case RTNL_QDISC_PRIO: {
		struct tc_prio_qopt opt = { .bands = q->prio.bands ? (int)q->prio.bands : 3 };

		if (opt.bands < 2 || opt.bands > TCQ_PRIO_BANDS)
			return -EINVAL;
		memcpy(opt.priomap, q->prio.has_priomap ? q->prio.priomap : rtnl_prio_default_map,
		       sizeof(opt.priomap));
		for (unsigned i = 0; i <= TC_PRIO_MAX; i++)
			if (opt.priomap[i] >= opt.bands)
				return -EINVAL;
		tc_compat(m, &opt, sizeof(opt), TCA_OPTIONS);
		return 0;
	}
	case RTNL_QDISC_SFQ: {
		struct tc_sfq_qopt_v1 opt = { 0 };

		opt.v0.quantum = q->sfq.quantum;
		opt.v0.perturb_period = (int)q->sfq.perturb_s;
		opt.v0.limit = q->sfq.limit;
		opt.v0.divisor = q->sfq.divisor;
		opt.depth = q->sfq.depth;
		if (q->sfq.perturb_s > INT32_MAX)
			return -EINVAL;
		tc_put(m, TCA_OPTIONS, sizeof(opt), &opt);
		return 0;
	}
	case RTNL_QDISC_INGRESS:
	case RTNL_QDISC_CLSACT:
		return 0;
	case RTNL_QDISC_NONE:
		break;
	}
	return -EINVAL;
}

int rtnl_qdisc_new(void *buf, size_t size, const RtnlQdisc *q, RtnlTcOp op, const RtnlPsched *ps)
{
	struct tcmsg tcm = { .tcm_family = AF_UNSPEC };
	const char *kind = q ? rtnl_qdisc_kind_name(q->kind) : NULL;
	uint16_t flags = tc_op_flags(op);
	TcMsg m;
	int r;

	if (!kind || !flags || q->ifindex == 0 || q->ifindex > INT32_MAX)
		return -EINVAL;
	tcm.tcm_ifindex = (int)q->ifindex;
	tcm.tcm_handle = q->handle;
	tcm.tcm_parent = q->parent;
	if (q->kind == RTNL_QDISC_INGRESS || q->kind == RTNL_QDISC_CLSACT) {
		/* TC_H_CLSACT == TC_H_INGRESS: one slot, both get handle ffff: */
		tcm.tcm_parent = TC_H_INGRESS;
		tcm.tcm_handle = TC_H_MAKE(TC_H_INGRESS, 0);
	} else if (q->parent == TC_H_UNSPEC || q->parent == TC_H_INGRESS) {
		return -EINVAL;
	}
	if (!tc_begin(&m, buf, size, RTM_NEWQDISC, flags, &tcm))
		return -ENOBUFS;
	tc_put_strz(&m, TCA_KIND, kind);
	r = tc_qdisc_options(&m, q, rtnl_tc_ps(ps));
	return r < 0 ? r : tc_end(&m);
}

static int tc_simple(void *buf, size_t size, uint16_t type, uint16_t flags, const struct tcmsg *tcm)
{
	TcMsg m;

	if (tcm->tcm_ifindex < 0)
		return -EINVAL;
	if (!tc_begin(&m, buf, size, type, flags, tcm))
		return -ENOBUFS;
	return tc_end(&m);
}

int rtnl_qdisc_del(void *buf, size_t size, uint32_t ifindex, uint32_t parent)
{
	struct tcmsg tcm = { .tcm_ifindex = (int)ifindex, .tcm_parent = parent };

	if (ifindex == 0 || parent == TC_H_UNSPEC)
		return -EINVAL;
	return tc_simple(buf, size, RTM_DELQDISC, TC_REQ_FLAGS, &tcm);
}

int rtnl_qdisc_dump(void *buf, size_t size, uint32_t ifindex)
{
	struct tcmsg tcm = { .tcm_ifindex = (int)ifindex };

	return tc_simple(buf, size, RTM_GETQDISC, NLM_F_REQUEST | NLM_F_DUMP, &tcm);
}

int rtnl_class_new(void *buf, size_t size, const RtnlClass *c, RtnlTcOp op, const RtnlPsched *ps)
{
	struct tcmsg tcm = { .tcm_family = AF_UNSPEC };
	struct tc_htb_opt opt = { 0 };
	uint32_t rtab[256], ctab[256];
	uint64_t rate, ceil;
	uint32_t mtu, burst, cburst;
	uint16_t flags = tc_op_flags(op);
	struct nlattr *nest;
	TcMsg m;

	if (!c || !flags || c->ifindex == 0 || c->ifindex > INT32_MAX ||
	    TC_H_MIN(c->classid) == 0 || c->htb.rate == 0)
		return -EINVAL;
	ps = rtnl_tc_ps(ps);
	rate = c->htb.rate;
	ceil = c->htb.ceil ? c->htb.ceil : rate;
	mtu = c->htb.mtu ? c->htb.mtu : 1600;
	/* tc's get_hz(): psched's fourth field when clock_res is 1000000, else HZ (1000 in tc). */
	uint64_t hz = ps->clock_res == 1000000 && ps->hz ? ps->hz : 1000;

	burst = c->htb.burst ? c->htb.burst : (uint32_t)(rate / hz + mtu);
	cburst = c->htb.cburst ? c->htb.cburst : (uint32_t)(ceil / hz + mtu);
	opt.rate.rate = tc_rate32(rate);
	opt.ceil.rate = tc_rate32(ceil);
	rtnl_tc_rtable(ps, &opt.rate, rtab, -1, mtu);
	opt.buffer = rtnl_tc_xmittime(ps, rate, burst);
	rtnl_tc_rtable(ps, &opt.ceil, ctab, -1, mtu);
	opt.cbuffer = rtnl_tc_xmittime(ps, ceil, cburst);
	opt.quantum = c->htb.quantum;
	opt.prio = c->htb.prio;

	tcm.tcm_ifindex = (int)c->ifindex;
	tcm.tcm_handle = c->classid;
	tcm.tcm_parent = c->parent;
	if (!tc_begin(&m, buf, size, RTM_NEWTCLASS, flags, &tcm))
		return -ENOBUFS;
	tc_put_strz(&m, TCA_KIND, "htb");
	nest = tc_nest(&m, TCA_OPTIONS);
	if (rate >= (1ULL << 32))
		tc_put(&m, TCA_HTB_RATE64, sizeof(rate), &rate);
	if (ceil >= (1ULL << 32))
		tc_put(&m, TCA_HTB_CEIL64, sizeof(ceil), &ceil);
	tc_put(&m, TCA_HTB_PARMS, sizeof(opt), &opt);
	tc_put(&m, TCA_HTB_RTAB, sizeof(rtab), rtab);
	tc_put(&m, TCA_HTB_CTAB, sizeof(ctab), ctab);
	tc_nest_end(&m, nest);
	return tc_end(&m);
}

int rtnl_class_del(void *buf, size_t size, uint32_t ifindex, uint32_t classid)
{
	struct tcmsg tcm = { .tcm_ifindex = (int)ifindex, .tcm_handle = classid };

	if (ifindex == 0 || classid == 0)
		return -EINVAL;
	return tc_simple(buf, size, RTM_DELTCLASS, TC_REQ_FLAGS, &tcm);
}

int rtnl_class_dump(void *buf, size_t size, uint32_t ifindex)
{
	struct tcmsg tcm = { .tcm_ifindex = (int)ifindex };

	if (ifindex == 0) /* the kernel dumps classes of one device only */
		return -EINVAL;
	return tc_simple(buf, size, RTM_GETTCLASS, NLM_F_REQUEST | NLM_F_DUMP, &tcm);
}

int rtnl_u32_key_ip(RtnlU32Key *ret, bool dst, const RtnlIp *ip, uint8_t plen)
{
	if (!ip || ip->family != AF_INET || plen > 32)
		return -EINVAL;
	ret->mask = plen ? htonl(UINT32_MAX << (32 - plen)) : 0;
	ret->val = ip->v4.s_addr & ret->mask;
	ret->off = dst ? 16 : 12; /* offsetof(struct iphdr, daddr / saddr) */
	return 0;
}

/* One action as tc nests it: TCA_ACT_KIND then TCA_ACT_OPTIONS (NLA_F_NESTED). */
static int tc_action(TcMsg *m, const RtnlAction *a, const RtnlPsched *ps)
{
	struct nlattr *opts;

	switch (a->kind) {
	case RTNL_ACT_MIRRED: {
		struct tc_mirred p = { .action = a->mirred.redirect ? TC_ACT_STOLEN : TC_ACT_PIPE,
				       .eaction = a->mirred.redirect ? TCA_EGRESS_REDIR
								     : TCA_EGRESS_MIRROR,
				       .ifindex = a->mirred.ifindex };

		if (a->mirred.ifindex == 0)
			return -EINVAL;
		tc_put_strz(m, TCA_ACT_KIND, "mirred");
		opts = tc_nest(m, TCA_ACT_OPTIONS | NLA_F_NESTED);
		tc_put(m, TCA_MIRRED_PARMS, sizeof(p), &p);
		tc_nest_end(m, opts);
		return 0;
	}
	case RTNL_ACT_GACT: {
		struct tc_gact p = { .action = a->gact };

		if (a->gact < TC_ACT_UNSPEC || a->gact > TC_ACT_TRAP)
			return -EINVAL;
		tc_put_strz(m, TCA_ACT_KIND, "gact");
		opts = tc_nest(m, TCA_ACT_OPTIONS | NLA_F_NESTED);
		tc_put(m, TCA_GACT_PARMS, sizeof(p), &p);
		tc_nest_end(m, opts);
		return 0;
	}
	case RTNL_ACT_POLICE: {
		struct tc_police p = { .action = a->police.exceed };
		uint32_t rtab[256];

		if (a->police.rate == 0 || a->police.burst == 0 ||
		    a->police.exceed < TC_ACT_UNSPEC || a->police.exceed > TC_ACT_TRAP)
			return -EINVAL;
		p.rate.rate = tc_rate32(a->police.rate);
		rtnl_tc_rtable(ps, &p.rate, rtab, -1, 0);
		p.burst = rtnl_tc_xmittime(ps, a->police.rate, a->police.burst);
		tc_put_strz(m, TCA_ACT_KIND, "police");
		opts = tc_nest(m, TCA_ACT_OPTIONS | NLA_F_NESTED);
		tc_put(m, TCA_POLICE_TBF, sizeof(p), &p);
		tc_put(m, TCA_POLICE_RATE, sizeof(rtab), rtab);
		if (a->police.rate >= (1ULL << 32))
			tc_put(m, TCA_POLICE_RATE64, sizeof(a->police.rate), &a->police.rate);
		tc_nest_end(m, opts);
		return 0;
	}
	}
	return -EINVAL;
}

static int tc_actions(TcMsg *m, uint16_t type, const RtnlFilter *f, const RtnlPsched *ps)
{
	struct nlattr *tab, *one;

	if (f->n_actions == 0)
		return 0;
	if (f->n_actions > RTNL_TC_MAX_ACTIONS)
		return -EINVAL;
	tab = tc_nest(m, type);
	for (unsigned i = 0; i < f->n_actions; i++) {
		int r;

		one = tc_nest(m, i + 1);
		r = tc_action(m, &f->actions[i], ps);
		if (r < 0)
			return r;
		tc_nest_end(m, one);
	}
	tc_nest_end(m, tab);
	return 0;
}

static int tc_u32(TcMsg *m, const RtnlFilter *f, const RtnlPsched *ps)
{
	/* tc_u32_sel ends in a flexible array of keys: built in an aligned byte buffer */
	_Alignas(struct tc_u32_sel)
		uint8_t raw[sizeof(struct tc_u32_sel) +
			    RTNL_U32_MAX_KEYS * sizeof(struct tc_u32_key)] = { 0 };
	struct tc_u32_sel *sel = (struct tc_u32_sel *)raw;
	unsigned n = f->u32.nkeys ? f->u32.nkeys : 1;
	int r;

	if (f->u32.nkeys > RTNL_U32_MAX_KEYS)
		return -EINVAL;
	sel->flags = TC_U32_TERMINAL;
	sel->nkeys = n;
	for (unsigned i = 0; i < f->u32.nkeys; i++) {
		if (f->u32.keys[i].off % 4) /* the kernel reads aligned 32-bit words */
			return -EINVAL;
		sel->keys[i].mask = f->u32.keys[i].mask;
		sel->keys[i].val = f->u32.keys[i].val & f->u32.keys[i].mask;
		sel->keys[i].off = f->u32.keys[i].off;
	}
	if (f->classid)
		tc_put_u32(m, TCA_U32_CLASSID, f->classid);
	r = tc_actions(m, TCA_U32_ACT, f, ps);
	if (r < 0)
		return r;
	tc_put(m, TCA_U32_SEL, sizeof(*sel) + n * sizeof(sel->keys[0]), raw);
	return 0;
}

static int tc_flower(TcMsg *m, const RtnlFilter *f, const RtnlPsched *ps)
{
	uint32_t mask;
	uint16_t port;
	int r;

	if (f->flower.src.family & ~AF_INET || f->flower.dst.family & ~AF_INET ||
	    f->flower.src_len > 32 || f->flower.dst_len > 32)
		return -EINVAL;
	if ((f->flower.src.family || f->flower.dst.family || f->flower.ip_proto) &&
	    f->protocol != ETH_P_IP)
		return -EINVAL;
	if (f->flower.dst_port && f->flower.ip_proto != IPPROTO_TCP &&
	    f->flower.ip_proto != IPPROTO_UDP)
		return -EINVAL;
	if (f->classid)
		tc_put_u32(m, TCA_FLOWER_CLASSID, f->classid);
	if (f->flower.ip_proto)
		tc_put(m, TCA_FLOWER_KEY_IP_PROTO, 1, &f->flower.ip_proto);
	if (f->flower.src.family) {
		mask = f->flower.src_len ? htonl(UINT32_MAX << (32 - f->flower.src_len)) : 0;
		tc_put(m, TCA_FLOWER_KEY_IPV4_SRC, 4, &f->flower.src.v4);
		tc_put_u32(m, TCA_FLOWER_KEY_IPV4_SRC_MASK, mask);
	}
	if (f->flower.dst.family) {
		uint32_t dst = f->flower.dst.v4.s_addr;

		mask = f->flower.dst_len ? htonl(UINT32_MAX << (32 - f->flower.dst_len)) : 0;
		dst &= mask; /* tc sends the prefix's network address (198.18.1.0/24) */
		tc_put(m, TCA_FLOWER_KEY_IPV4_DST, 4, &dst);
		tc_put_u32(m, TCA_FLOWER_KEY_IPV4_DST_MASK, mask);
	}
	if (f->flower.dst_port) {
		port = htons(f->flower.dst_port);
		tc_put(m,
		       f->flower.ip_proto == IPPROTO_TCP ? TCA_FLOWER_KEY_TCP_DST
							 : TCA_FLOWER_KEY_UDP_DST,
		       2, &port);
	}
	r = tc_actions(m, TCA_FLOWER_ACT, f, ps);
	if (r < 0)
		return r;
	tc_put_u32(m, TCA_FLOWER_FLAGS, 0);
	port = htons(f->protocol);
	tc_put(m, TCA_FLOWER_KEY_ETH_TYPE, 2, &port);
	return 0;
}

static int tc_filter_options(TcMsg *m, const RtnlFilter *f, const RtnlPsched *ps)
{
	struct nlattr *nest = tc_nest(m, TCA_OPTIONS);
	int r = 0;

	switch (f->kind) {
	case RTNL_FILTER_U32:
		r = tc_u32(m, f, ps);
		break;
	case RTNL_FILTER_MATCHALL:
		if (f->classid)
			tc_put_u32(m, TCA_MATCHALL_CLASSID, f->classid);
		r = tc_actions(m, TCA_MATCHALL_ACT, f, ps);
		break;
	case RTNL_FILTER_FLOWER:
		r = tc_flower(m, f, ps);
		break;
	case RTNL_FILTER_BPF:
		/* As tc's f_bpf for an eBPF object: FD and NAME, then classid, actions, flags. */
		if (f->bpf.fd < 0 || !f->bpf.name || !*f->bpf.name)
			return -EINVAL;
		tc_put_u32(m, TCA_BPF_FD, (uint32_t)f->bpf.fd);
		tc_put_strz(m, TCA_BPF_NAME, f->bpf.name);
		if (f->classid)
			tc_put_u32(m, TCA_BPF_CLASSID, f->classid);
		r = tc_actions(m, TCA_BPF_ACT, f, ps);
		if (f->bpf.direct_action)
			tc_put_u32(m, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
		break;
	case RTNL_FILTER_NONE:
		return -EINVAL;
	}
	tc_nest_end(m, nest);
	return r;
}

static bool tc_filter_head(const RtnlFilter *f, struct tcmsg *tcm)
{
	if (!f || f->ifindex == 0 || f->ifindex > INT32_MAX || f->parent == TC_H_UNSPEC)
		return false;
	*tcm = (struct tcmsg){ .tcm_family = AF_UNSPEC,
			       .tcm_ifindex = (int)f->ifindex,
			       .tcm_handle = f->handle,
			       .tcm_parent = f->parent,
			       .tcm_info = TC_H_MAKE((uint32_t)f->prio << 16, htons(f->protocol)) };
	return true;
}

int rtnl_filter_new(void *buf, size_t size, const RtnlFilter *f, RtnlTcOp op, const RtnlPsched *ps)
{
	const char *kind = f ? rtnl_filter_kind_name(f->kind) : NULL;
	uint16_t flags = tc_op_flags(op);
	struct tcmsg tcm;
	TcMsg m;
	int r;

	if (!kind || !flags || !tc_filter_head(f, &tcm) || f->protocol == 0)
		return -EINVAL;
	if (!tc_begin(&m, buf, size, RTM_NEWTFILTER, flags, &tcm))
		return -ENOBUFS;
	tc_put_strz(&m, TCA_KIND, kind);
	r = tc_filter_options(&m, f, rtnl_tc_ps(ps));
	return r < 0 ? r : tc_end(&m);
}

int rtnl_filter_del(void *buf, size_t size, const RtnlFilter *f)
{
	const char *kind = f ? rtnl_filter_kind_name(f->kind) : NULL;
	struct tcmsg tcm;
	TcMsg m;

	if (!tc_filter_head(f, &tcm) || (f->handle && !kind))
		return -EINVAL;
	if (!tc_begin(&m, buf, size, RTM_DELTFILTER, TC_REQ_FLAGS, &tcm))
		return -ENOBUFS;
	if (f->handle) /* one filter: the kernel needs its kind to find the handle */
		tc_put_strz(&m, TCA_KIND, kind);
	return tc_end(&m);
}

int rtnl_filter_dump(void *buf, size_t size, uint32_t ifindex, uint32_t parent)
{
	struct tcmsg tcm = { .tcm_ifindex = (int)ifindex, .tcm_parent = parent };

	if (ifindex == 0)
		return -EINVAL;
	return tc_simple(buf, size, RTM_GETTFILTER, NLM_F_REQUEST | NLM_F_DUMP, &tcm);
}
