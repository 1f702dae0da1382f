/* Conversions between tc.proto's messages and the tc codec's specs, and tc's handle, protocol
 * and percentage words: what CreateQdisc/Class/Filter send, field for field as tc would. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/macro.h"
#include "ops-tc.h"

_printf_(3, 4) static int conv_fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool str_set(const char *s)
{
	return s && *s;
}

/* ---- words */

static const struct {
	const char *word;
	uint16_t proto;
} protocols[] = {
	{ "all", ETH_P_ALL }, { "ip", ETH_P_IP },	 { "ipv6", ETH_P_IPV6 },
	{ "arp", ETH_P_ARP }, { "802.1q", ETH_P_8021Q }, { "802.1ad", ETH_P_8021AD },
};

int tc_protocol_parse(const char *s, uint16_t *ret)
{
	unsigned long v;
	char *end;

	if (!str_set(s)) {
		*ret = ETH_P_ALL;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(protocols); i++)
		if (strcasecmp(s, protocols[i].word) == 0) {
			*ret = protocols[i].proto;
			return 0;
		}
	v = strtoul(s, &end, 0);
	if (*end || end == s || v == 0 || v > 0xffff)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

const char *tc_protocol_format(uint16_t proto, char *buf, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(protocols); i++)
		if (protocols[i].proto == proto)
			return protocols[i].word;
	snprintf(buf, size, "0x%04x", proto);
	return buf;
}

int tc_parent_parse(const char *s, bool filter, uint32_t *ret)
{
	if (!str_set(s) || strcmp(s, "root") == 0) {
		*ret = TC_H_ROOT;
		return 0;
	}
	if (strcmp(s, "ingress") == 0) {
		*ret = filter ? TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS) : TC_H_INGRESS;
		return 0;
	}
	if (filter && strcmp(s, "egress") == 0) {
		*ret = TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS);
		return 0;
	}
	if (!filter && strcmp(s, "clsact") == 0) {
		*ret = TC_H_CLSACT;
		return 0;
	}
	if (strcmp(s, "none") == 0)
		return -EINVAL;
	return rtnl_tc_parse_handle(s, ret);
}

const char *tc_handle_format(uint32_t h, bool filter_parent, char *buf, size_t size)
{
	if (h == TC_H_ROOT)
		return "root";
	if (h == TC_H_INGRESS)
		return "ingress";
	if (filter_parent && h == TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS))
		return "ingress";
	if (filter_parent && h == TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS))
		return "egress";
	if (h == 0)
		return "none";
	if (TC_H_MAJ(h) == 0)
		snprintf(buf, size, ":%x", TC_H_MIN(h));
	else if (TC_H_MIN(h) == 0)
		snprintf(buf, size, "%x:", TC_H_MAJ(h) >> 16);
	else
		snprintf(buf, size, "%x:%x", TC_H_MAJ(h) >> 16, TC_H_MIN(h));
	return buf;
}

const char *tc_filter_handle_format(const char *kind, uint32_t h, char *buf, size_t size)
{
	if (kind && strcmp(kind, "u32") == 0) {
		/* tc's u32 notation: htid (12 bits) : hash (8) : node (12), zeros left out */
		uint32_t ht = h >> 20, hash = (h >> 12) & 0xff, node = h & 0xfff;
		char a[8] = "", b[8] = "", c[8] = "";

		if (ht)
			snprintf(a, sizeof(a), "%x", ht);
		if (hash)
			snprintf(b, sizeof(b), "%x", hash);
		if (node)
			snprintf(c, sizeof(c), "%x", node);
		snprintf(buf, size, "%s:%s:%s", a, b, c);
		return buf;
	}
	snprintf(buf, size, "0x%x", h);
	return buf;
}

static int hex_part(const char *s, size_t n, uint32_t max, uint32_t *ret)
{
	char tmp[16], *end;
	unsigned long v;

	if (n == 0) {
		*ret = 0;
		return 0;
	}
	if (n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	v = strtoul(tmp, &end, 16);
	if (*end || v > max)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

int tc_filter_handle_parse(const char *s, uint32_t *ret)
{
	const char *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	uint32_t ht, hash, node;
	unsigned long v;
	char *end;

	if (!c1) { /* a number: 0x1, 10 */
		v = strtoul(s, &end, 0);
		if (*end || end == s || v > UINT32_MAX)
			return -EINVAL;
		*ret = (uint32_t)v;
		return 0;
	}
	if (!c2) /* MAJ:MIN */
		return rtnl_tc_parse_handle(s, ret);
	if (hex_part(s, (size_t)(c1 - s), 0xfff, &ht) < 0 ||
	    hex_part(c1 + 1, (size_t)(c2 - c1 - 1), 0xff, &hash) < 0 ||
	    hex_part(c2 + 1, strlen(c2 + 1), 0xfff, &node) < 0)
		return -EINVAL;
	*ret = ht << 20 | hash << 12 | node;
	return 0;
}

/* A percentage as netem takes it: a fraction of UINT32_MAX, rounded as tc rounds. */
static int percent(double p, const char *field, uint32_t *ret, char *err, size_t size)
{
	if (!(p >= 0. && p <= 100.))
		return conv_fail(err, size, "%s: %g is not a percentage (0-100)", field, p);
	*ret = (uint32_t)rint(p / 100. * UINT32_MAX);
	return 0;
}

const char *tc_qdisc_kind(int c)
{
	switch (c) {
	case NSRING__V1__QDISC__OPTIONS_TBF:
		return "tbf";
	case NSRING__V1__QDISC__OPTIONS_HTB:
		return "htb";
	case NSRING__V1__QDISC__OPTIONS_NETEM:
		return "netem";
	case NSRING__V1__QDISC__OPTIONS_PFIFO:
		return "pfifo";
	case NSRING__V1__QDISC__OPTIONS_BFIFO:
		return "bfifo";
	case NSRING__V1__QDISC__OPTIONS_FQ_CODEL:
		return "fq_codel";
	case NSRING__V1__QDISC__OPTIONS_PRIO:
		return "prio";
	case NSRING__V1__QDISC__OPTIONS_SFQ:
		return "sfq";
	case NSRING__V1__QDISC__OPTIONS_INGRESS:
		return "ingress";
	case NSRING__V1__QDISC__OPTIONS_CLSACT:
		return "clsact";
	default:
		return NULL;
	}
}

/* ---- qdiscs */

static int netem_from_pb(const Nsring__V1__Netem *pb, RtnlNetem *n, char *err, size_t size)
{
	const struct {
		double v;
		const char *field;
		uint32_t *ret;
	} pcts[] = {
		{ pb->delay_correlation, "netem.delay_correlation", &n->delay_corr },
		{ pb->loss, "netem.loss", &n->loss },
		{ pb->loss_correlation, "netem.loss_correlation", &n->loss_corr },
		{ pb->duplicate, "netem.duplicate", &n->duplicate },
		{ pb->duplicate_correlation, "netem.duplicate_correlation", &n->dup_corr },
		{ pb->corrupt, "netem.corrupt", &n->corrupt },
		{ pb->corrupt_correlation, "netem.corrupt_correlation", &n->corrupt_corr },
		{ pb->reorder, "netem.reorder", &n->reorder },
		{ pb->reorder_correlation, "netem.reorder_correlation", &n->reorder_corr },
	};

	for (size_t i = 0; i < ARRAY_SIZE(pcts); i++)
		if (percent(pcts[i].v, pcts[i].field, pcts[i].ret, err, size) < 0)
			return -EINVAL;
	n->delay_ns = pb->delay_ns;
	n->jitter_ns = pb->jitter_ns;
	n->gap = pb->gap;
	n->rate = pb->rate;
	n->limit = pb->limit;
	n->slot_min_ns = pb->slot_min_ns;
	n->slot_max_ns = pb->slot_max_ns;
	if (n->reorder && !n->delay_ns)
		return conv_fail(err, size, "netem.reorder needs netem.delay_ns");
	if (n->jitter_ns && !n->delay_ns)
		return conv_fail(err, size, "netem.jitter_ns needs netem.delay_ns");
	if (n->slot_max_ns && n->slot_max_ns < n->slot_min_ns)
		return conv_fail(err, size, "netem.slot_max_ns is below netem.slot_min_ns");
	/* tc refuses delays whose ticks do not fit 32 bits (it never sends LATENCY64) */
	if (n->delay_ns / 1000 * 64 / 1000 > UINT32_MAX ||
	    n->jitter_ns / 1000 * 64 / 1000 > UINT32_MAX)
		return conv_fail(err, size,
				 "netem.delay_ns/jitter_ns: too large (as tc: at most "
				 "about 268 s)");
	return 0;
}

static int qdisc_options(const Nsring__V1__Qdisc *pb, RtnlQdisc *q, char *err, size_t size)
{
	switch (pb->options_case) {
	case NSRING__V1__QDISC__OPTIONS_TBF: {
		const Nsring__V1__Tbf *t = pb->tbf;

		q->kind = RTNL_QDISC_TBF;
		if (!t || t->rate == 0)
			return conv_fail(err, size, "tbf.rate is required");
		if (t->burst == 0)
			return conv_fail(err, size, "tbf.burst is required");
		if (!t->limit == !t->latency_us)
			return conv_fail(err, size, "tbf: exactly one of limit and latency_us");
		q->tbf = (RtnlTbf){ .rate = t->rate,
				    .burst = t->burst,
				    .limit = t->limit,
				    .latency_us = t->latency_us,
				    .mtu = t->mtu };
		return 0;
	}
	case NSRING__V1__QDISC__OPTIONS_HTB:
		q->kind = RTNL_QDISC_HTB;
		if (pb->htb && pb->htb->default_class > 0xffff)
			return conv_fail(err, size, "htb.default_class: %u is not a minor (0-ffff)",
					 pb->htb->default_class);
		if (pb->htb)
			q->htb = (RtnlHtb){ .defcls = pb->htb->default_class, .r2q = pb->htb->r2q };
		return 0;
	case NSRING__V1__QDISC__OPTIONS_NETEM:
		q->kind = RTNL_QDISC_NETEM;
		return pb->netem ? netem_from_pb(pb->netem, &q->netem, err, size) : 0;
	case NSRING__V1__QDISC__OPTIONS_PFIFO:
	case NSRING__V1__QDISC__OPTIONS_BFIFO:
		q->kind = pb->options_case == NSRING__V1__QDISC__OPTIONS_PFIFO ? RTNL_QDISC_PFIFO
									       : RTNL_QDISC_BFIFO;
		q->fifo_limit = pb->pfifo ? pb->pfifo->limit : 0; /* the same member of the oneof */
		return 0;
	case NSRING__V1__QDISC__OPTIONS_FQ_CODEL: {
		const Nsring__V1__FqCodel *f = pb->fq_codel;

		q->kind = RTNL_QDISC_FQ_CODEL;
		q->fq_codel.ecn = -1;
		if (!f)
			return 0;
		q->fq_codel = (RtnlFqCodel){
			.limit = f->limit,
			.flows = f->flows,
			.quantum = f->quantum,
			.target_us = f->target_us,
			.interval_us = f->interval_us,
			.ecn = f->set_ecn_case == NSRING__V1__FQ_CODEL__SET_ECN_ECN ? f->ecn : -1,
		};
		return 0;
	}
	case NSRING__V1__QDISC__OPTIONS_PRIO: {
		const Nsring__V1__Prio *p = pb->prio;

		q->kind = RTNL_QDISC_PRIO;
		if (!p)
			return 0;
		if (p->bands == 1 || p->bands > TCQ_PRIO_BANDS)
			return conv_fail(err, size, "prio.bands: %u is not 2-%d", p->bands,
					 TCQ_PRIO_BANDS);
		q->prio.bands = p->bands;
		if (p->n_priomap) {
			uint32_t bands = p->bands ? p->bands : 3;

			if (p->n_priomap != TC_PRIO_MAX + 1)
				return conv_fail(err, size, "prio.priomap: %zu bands, not %d",
						 p->n_priomap, TC_PRIO_MAX + 1);
			for (size_t i = 0; i < p->n_priomap; i++) {
				if (p->priomap[i] >= bands)
					return conv_fail(err, size,
							 "prio.priomap[%zu]: band %u of %u", i,
							 p->priomap[i], bands);
				q->prio.priomap[i] = (uint8_t)p->priomap[i];
			}
			q->prio.has_priomap = true;
		}
		return 0;
	}
	case NSRING__V1__QDISC__OPTIONS_SFQ:
		q->kind = RTNL_QDISC_SFQ;
		if (pb->sfq)
			q->sfq = (RtnlSfq){ .perturb_s = pb->sfq->perturb_s,
					    .quantum = pb->sfq->quantum,
					    .limit = pb->sfq->limit,
					    .divisor = pb->sfq->divisor,
					    .depth = pb->sfq->depth };
		return 0;
	case NSRING__V1__QDISC__OPTIONS_INGRESS:
		q->kind = RTNL_QDISC_INGRESS;
		return 0;
	case NSRING__V1__QDISC__OPTIONS_CLSACT:
		q->kind = RTNL_QDISC_CLSACT;
		return 0;
	default:
		return conv_fail(err, size,
				 "the qdisc's kind (tbf, htb, netem, pfifo, bfifo, "
				 "fq_codel, prio, sfq, ingress or clsact) is required");
	}
}

static int link_ref(const char *name, uint32_t index, char *err, size_t size)
{
	if (!str_set(name) && index == 0)
		return conv_fail(err, size, "the link (link_name or link_index) is required");
	if (str_set(name) && (strlen(name) >= 16 || strchr(name, '/') || strchr(name, ' ')))
		return conv_fail(err, size, "link_name: invalid interface name \"%.64s\"", name);
	return 0;
}

int tc_qdisc_from_pb(const Nsring__V1__Qdisc *pb, bool create, RtnlQdisc *q, char *err, size_t size)
{
	memset(q, 0, sizeof(*q));
	if (!pb)
		return conv_fail(err, size, "qdisc is required");
	if (link_ref(pb->link_name, pb->link_index, err, size) < 0)
		return -EINVAL;
	if (tc_parent_parse(pb->parent, false, &q->parent) < 0)
		return conv_fail(err, size,
				 "parent: \"%.32s\" is not root, ingress, clsact or "
				 "a class MAJ:MIN",
				 pb->parent);
	if (str_set(pb->handle)) {
		if (rtnl_tc_parse_handle(pb->handle, &q->handle) < 0 || TC_H_MIN(q->handle) ||
		    q->handle == 0 || q->handle == TC_H_ROOT)
			return conv_fail(err, size, "handle: \"%.32s\" is not a qdisc handle MAJ:",
					 pb->handle);
	}
	if (pb->options_case != NSRING__V1__QDISC__OPTIONS__NOT_SET || create) {
		if (qdisc_options(pb, q, err, size) < 0)
			return -EINVAL;
	}
	if (q->kind == RTNL_QDISC_INGRESS || q->kind == RTNL_QDISC_CLSACT) {
		if (q->handle && q->handle != TC_H_MAKE(TC_H_INGRESS, 0))
			return conv_fail(err, size, "handle: %s takes ffff: only",
					 tc_qdisc_kind(pb->options_case));
		q->parent = TC_H_INGRESS;
	} else if (create && q->parent == TC_H_INGRESS) {
		return conv_fail(err, size, "parent: only ingress and clsact qdiscs go there");
	}
	q->ifindex = pb->link_index;
	return 0;
}

/* ---- classes */

int tc_class_from_pb(const Nsring__V1__TrafficClass *pb, bool create, RtnlClass *c, char *err,
		     size_t size)
{
	memset(c, 0, sizeof(*c));
	if (!pb)
		return conv_fail(err, size, "tclass is required");
	if (link_ref(pb->link_name, pb->link_index, err, size) < 0)
		return -EINVAL;
	if (!str_set(pb->classid) || rtnl_tc_parse_handle(pb->classid, &c->classid) < 0 ||
	    TC_H_MAJ(c->classid) == 0 || TC_H_MIN(c->classid) == 0 || c->classid == TC_H_ROOT)
		return conv_fail(err, size,
				 "classid: \"%.32s\" is not a class MAJ:MIN (minor not 0)",
				 pb->classid ? pb->classid : "");
	c->ifindex = pb->link_index;
	if (!create)
		return 0;
	if (!str_set(pb->parent) || tc_parent_parse(pb->parent, false, &c->parent) < 0 ||
	    c->parent == TC_H_INGRESS)
		return conv_fail(err, size,
				 "parent: \"%.32s\" is not the qdisc MAJ: or a class "
				 "MAJ:MIN",
				 pb->parent ? pb->parent : "");
	if (c->parent != TC_H_ROOT && TC_H_MAJ(c->parent) != TC_H_MAJ(c->classid))
		return conv_fail(err, size, "parent %s and classid %s have different majors",
				 pb->parent, pb->classid);
	if (pb->options_case != NSRING__V1__TRAFFIC_CLASS__OPTIONS_HTB || !pb->htb)
		return conv_fail(err, size, "the class's kind (htb) is required");
	if (pb->htb->rate == 0)
		return conv_fail(err, size, "htb.rate is required");
	if (pb->htb->ceil && pb->htb->ceil < pb->htb->rate)
		return conv_fail(err, size, "htb.ceil is below htb.rate");
	c->htb = (RtnlHtbClass){ .rate = pb->htb->rate,
				 .ceil = pb->htb->ceil,
				 .burst = pb->htb->burst,
				 .cburst = pb->htb->cburst,
				 .prio = pb->htb->prio,
				 .quantum = pb->htb->quantum,
				 .mtu = pb->htb->mtu };
	if (c->htb.prio > 7)
		return conv_fail(err, size, "htb.prio: %u is not 0-7", c->htb.prio);
	return 0;
}

/* ---- filters */

static int verdict(Nsring__V1__TcVerdict v, int dflt)
{
	switch (v) {
	case NSRING__V1__TC_VERDICT__TC_VERDICT_PASS:
		return TC_ACT_OK;
	case NSRING__V1__TC_VERDICT__TC_VERDICT_DROP:
		return TC_ACT_SHOT;
	case NSRING__V1__TC_VERDICT__TC_VERDICT_RECLASSIFY:
		return TC_ACT_RECLASSIFY;
	case NSRING__V1__TC_VERDICT__TC_VERDICT_PIPE:
		return TC_ACT_PIPE;
	case NSRING__V1__TC_VERDICT__TC_VERDICT_CONTINUE:
		return TC_ACT_UNSPEC;
	case NSRING__V1__TC_VERDICT__TC_VERDICT_UNSPECIFIED:
		return dflt;
	default:
		return -1;
	}
}

static int action_from_pb(const Nsring__V1__Action *pb, size_t i, RtnlAction *a, char *err,
			  size_t size)
{
	int v;

	memset(a, 0, sizeof(*a));
	switch (pb ? pb->action_case : NSRING__V1__ACTION__ACTION__NOT_SET) {
	case NSRING__V1__ACTION__ACTION_MIRRED:
		a->kind = RTNL_ACT_MIRRED;
		if (!pb->mirred || (!str_set(pb->mirred->dev) && !pb->mirred->dev_index))
			return conv_fail(err, size, "actions[%zu].mirred.dev is required", i);
		if (str_set(pb->mirred->dev) &&
		    (strlen(pb->mirred->dev) >= 16 || strchr(pb->mirred->dev, '/')))
			return conv_fail(
				err, size,
				"actions[%zu].mirred.dev: invalid interface name \"%.64s\"", i,
				pb->mirred->dev);
		a->mirred.redirect = pb->mirred->redirect;
		a->mirred.ifindex = str_set(pb->mirred->dev) ? 0 : pb->mirred->dev_index;
		return 0;
	case NSRING__V1__ACTION__ACTION_GACT:
		a->kind = RTNL_ACT_GACT;
		v = verdict(pb->gact, -1);
		if (v < 0 || pb->gact == NSRING__V1__TC_VERDICT__TC_VERDICT_UNSPECIFIED)
			return conv_fail(err, size,
					 "actions[%zu].gact: a verdict (pass, drop, "
					 "reclassify, pipe, continue) is required",
					 i);
		a->gact = v;
		return 0;
	case NSRING__V1__ACTION__ACTION_POLICE:
		a->kind = RTNL_ACT_POLICE;
		if (!pb->police || !pb->police->rate || !pb->police->burst)
			return conv_fail(err, size,
					 "actions[%zu].police: rate and burst are required", i);
		v = verdict(pb->police->exceed, TC_ACT_RECLASSIFY);
		if (v < 0)
			return conv_fail(err, size,
					 "actions[%zu].police.exceed: unknown verdict %d", i,
					 pb->police->exceed);
		a->police.rate = pb->police->rate;
		a->police.burst = pb->police->burst;
		a->police.exceed = v;
		return 0;
	default:
		return conv_fail(err, size,
				 "actions[%zu]: one of mirred, gact and police is required", i);
	}
}

static int prefix_v4(const char *s, const char *field, RtnlIp *ip, uint8_t *plen, char *err,
		     size_t size)
{
	if (rtnl_prefix_parse(s, ip, plen) < 0 || ip->family != AF_INET)
		return conv_fail(err, size, "%s: \"%.64s\" is not an IPv4 ADDR[/LEN]", field, s);
	return 0;
}

static int u32_from_pb(const Nsring__V1__U32 *pb, RtnlFilter *f, char *err, size_t size)
{
	if (!pb || pb->n_keys == 0)
		return 0;
	if (pb->n_keys > RTNL_U32_MAX_KEYS)
		return conv_fail(err, size, "u32.keys: %zu keys, at most %d", pb->n_keys,
				 RTNL_U32_MAX_KEYS);
	for (size_t i = 0; i < pb->n_keys; i++) {
		const Nsring__V1__U32Key *k = pb->keys[i];
		RtnlU32Key *key = &f->u32.keys[i];
		char field[48];
		uint8_t plen;
		RtnlIp ip;

		if (!k)
			return conv_fail(err, size, "u32.keys[%zu] is empty", i);
		if (str_set(k->ip_src) && str_set(k->ip_dst))
			return conv_fail(err, size, "u32.keys[%zu]: ip_src or ip_dst, not both", i);
		if (str_set(k->ip_src) || str_set(k->ip_dst)) {
			bool dst = str_set(k->ip_dst);

			snprintf(field, sizeof(field), "u32.keys[%zu].%s", i,
				 dst ? "ip_dst" : "ip_src");
			if (prefix_v4(dst ? k->ip_dst : k->ip_src, field, &ip, &plen, err, size) <
			    0)
				return -EINVAL;
			rtnl_u32_key_ip(key, dst, &ip,
					plen); /* tc does not insist on protocol ip */
		} else {
			if (k->offset % 4)
				return conv_fail(err, size,
						 "u32.keys[%zu].offset: %d is not a multiple of 4",
						 i, k->offset);
			key->mask = htonl(k->mask);
			key->val = htonl(k->value & k->mask);
			key->off = k->offset;
		}
	}
	f->u32.nkeys = (uint8_t)pb->n_keys;
	return 0;
}

static int flower_from_pb(const Nsring__V1__Flower *pb, RtnlFilter *f, char *err, size_t size)
{
	if (!pb)
		return 0;
	if (pb->ip_proto > 255)
		return conv_fail(err, size, "flower.ip_proto: %u is not 0-255", pb->ip_proto);
	f->flower.ip_proto = (uint8_t)pb->ip_proto;
	if (str_set(pb->src_ip) && prefix_v4(pb->src_ip, "flower.src_ip", &f->flower.src,
					     &f->flower.src_len, err, size) < 0)
		return -EINVAL;
	if (str_set(pb->dst_ip) && prefix_v4(pb->dst_ip, "flower.dst_ip", &f->flower.dst,
					     &f->flower.dst_len, err, size) < 0)
		return -EINVAL;
	if (pb->dst_port > 65535)
		return conv_fail(err, size, "flower.dst_port: %u is not 0-65535", pb->dst_port);
	if (pb->dst_port && pb->ip_proto != IPPROTO_TCP && pb->ip_proto != IPPROTO_UDP)
		return conv_fail(err, size, "flower.dst_port needs ip_proto tcp (6) or udp (17)");
	f->flower.dst_port = (uint16_t)pb->dst_port;
	if ((f->flower.ip_proto || f->flower.src.family || f->flower.dst.family) &&
	    f->protocol != ETH_P_IP)
		return conv_fail(err, size, "flower's IP keys need protocol ip");
	return 0;
}

int tc_filter_from_pb(const Nsring__V1__Filter *pb, bool create, RtnlFilter *f, char *err,
		      size_t size)
{
	memset(f, 0, sizeof(*f));
	if (!pb)
		return conv_fail(err, size, "filter is required");
	if (link_ref(pb->link_name, pb->link_index, err, size) < 0)
		return -EINVAL;
	f->ifindex = pb->link_index;
	if (!str_set(pb->parent) || tc_parent_parse(pb->parent, true, &f->parent) < 0 ||
	    f->parent == TC_H_ROOT)
		return conv_fail(err, size,
				 "parent: \"%.32s\" is not ingress, egress or a qdisc "
				 "MAJ: (required)",
				 pb->parent ? pb->parent : "");
	if (pb->prio > 0xffff)
		return conv_fail(err, size, "prio: %u is not 1-65535", pb->prio);
	f->prio = (uint16_t)pb->prio;
	/* As tc: a new filter without a protocol takes all; a delete without one matches any. */
	if (!create && !str_set(pb->protocol))
		f->protocol = 0;
	else if (tc_protocol_parse(pb->protocol, &f->protocol) < 0)
		return conv_fail(err, size,
				 "protocol: \"%.32s\" is not all, ip, ipv6, arp, 802.1q, "
				 "802.1ad or a number",
				 pb->protocol);
	if (str_set(pb->handle) && tc_filter_handle_parse(pb->handle, &f->handle) < 0)
		return conv_fail(err, size, "handle: \"%.32s\" is not a filter handle", pb->handle);
	if (str_set(pb->classid) &&
	    (rtnl_tc_parse_handle(pb->classid, &f->classid) < 0 || f->classid == TC_H_ROOT))
		return conv_fail(err, size, "classid: \"%.32s\" is not a class MAJ:MIN",
				 pb->classid);
	if (!create) {
		switch (pb->options_case) {
		case NSRING__V1__FILTER__OPTIONS_U32:
			f->kind = RTNL_FILTER_U32;
			break;
		case NSRING__V1__FILTER__OPTIONS_MATCHALL:
			f->kind = RTNL_FILTER_MATCHALL;
			break;
		case NSRING__V1__FILTER__OPTIONS_FLOWER:
			f->kind = RTNL_FILTER_FLOWER;
			break;
		case NSRING__V1__FILTER__OPTIONS_BPF:
			f->kind = RTNL_FILTER_BPF;
			break;
		default:
			break;
		}
		if (f->handle && !f->kind)
			return conv_fail(err, size,
					 "handle: deleting one filter needs its kind too");
		if (f->handle && !f->prio)
			return conv_fail(err, size,
					 "handle: deleting one filter needs its prio too");
		return 0;
	}
	if (pb->n_actions > RTNL_TC_MAX_ACTIONS)
		return conv_fail(err, size, "actions: %zu actions, at most %d", pb->n_actions,
				 RTNL_TC_MAX_ACTIONS);
	for (size_t i = 0; i < pb->n_actions; i++)
		if (action_from_pb(pb->actions[i], i, &f->actions[i], err, size) < 0)
			return -EINVAL;
	f->n_actions = (uint8_t)pb->n_actions;
	switch (pb->options_case) {
	case NSRING__V1__FILTER__OPTIONS_U32:
		f->kind = RTNL_FILTER_U32;
		return u32_from_pb(pb->u32, f, err, size);
	case NSRING__V1__FILTER__OPTIONS_MATCHALL:
		f->kind = RTNL_FILTER_MATCHALL;
		return 0;
	case NSRING__V1__FILTER__OPTIONS_FLOWER:
		f->kind = RTNL_FILTER_FLOWER;
		return flower_from_pb(pb->flower, f, err, size);
	case NSRING__V1__FILTER__OPTIONS_BPF:
		return conv_fail(err, size,
				 "bpf: a bpf filter needs a loaded program's fd, which "
				 "this API does not take (list them by name only)");
	default:
		return conv_fail(err, size,
				 "the filter's kind (u32, matchall or flower) is required");
	}
}
