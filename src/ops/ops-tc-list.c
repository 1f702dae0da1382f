/* Traffic-control listings: ListQdiscs (with `tc -s` counters), ListClasses, ListFilters; the
 * tc dumps they and ensure share, and the codec's parsed objects as API messages. */
#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_gact.h>
#include <string.h>

#include "core/names.h"
#include "core/status.h"
#include "ops-pb.h"
#include "ops-tc-internal.h"

typedef struct TcListScratch {
	TcDump d;
	uint32_t idx_link;
	uint32_t parent;
} TcListScratch;

const size_t ops_tc_list_scratch_size = sizeof(TcListScratch);

/* ---- dumps */

static void tc_dump_msg(OpNl *nl, const struct nlmsghdr *nlh)
{
	TcDump *d = nl->ctx;
	Op *op = nl->op;

	switch (nlh->nlmsg_type) {
	case RTM_NEWQDISC: {
		RtnlQdisc q;
		RtnlTcStats st;

		if (rtnl_qdisc_parse(nlh, &q, &st, NULL) < 0 ||
		    (d->ifindex && q.ifindex != d->ifindex))
			return;
		d->q = op_grow(op, d->q, &d->capq, d->nq, sizeof(*d->q));
		d->qs = op_grow(op, d->qs, &d->capqs, d->nq, sizeof(*d->qs));
		d->qs[d->nq] = st;
		d->q[d->nq++] = q;
		break;
	}
	case RTM_NEWTCLASS: {
		RtnlClass c;
		RtnlTcStats st;

		if (rtnl_class_parse(nlh, &c, &st, NULL) < 0 ||
		    (d->ifindex && c.ifindex != d->ifindex))
			return;
		d->c = op_grow(op, d->c, &d->capc, d->nc, sizeof(*d->c));
		d->cs = op_grow(op, d->cs, &d->capcs, d->nc, sizeof(*d->cs));
		d->cs[d->nc] = st;
		d->c[d->nc++] = c;
		break;
	}
	case RTM_NEWTFILTER: {
		RtnlFilter f;

		if (rtnl_filter_parse(nlh, &f, NULL) < 0 || (d->ifindex && f.ifindex != d->ifindex))
			return;
		d->f = op_grow(op, d->f, &d->capf, d->nf, sizeof(*d->f));
		d->f[d->nf++] = f;
		break;
	}
	default:
		break;
	}
}

static void tc_dump_restart(OpNl *nl)
{
	TcDump *d = nl->ctx;

	d->nq = d->nc = d->nf = 0;
}

static const OpNlHooks tc_dump_hooks = { .msg = tc_dump_msg, .restart = tc_dump_restart };

OpNl *tc_dump(Op *op, TcObj obj, TcDump *d, uint32_t ifindex, uint32_t parent)
{
	uint8_t buf[256];
	int len;
	OpNl *nl;

	d->ifindex = ifindex;
	switch (obj) {
	case TC_QDISC:
		len = rtnl_qdisc_dump(buf, sizeof(buf), ifindex);
		break;
	case TC_CLASS:
		len = rtnl_class_dump(buf, sizeof(buf), ifindex);
		break;
	default:
		len = rtnl_filter_dump(buf, sizeof(buf), ifindex, parent);
		break;
	}
	nl = op_send(op, 0, buf, len,
		     obj == TC_QDISC   ? "list qdiscs"
		     : obj == TC_CLASS ? "list classes"
				       : "list filters");
	if (nl) {
		nl->hooks = &tc_dump_hooks;
		nl->ctx = d;
	}
	return nl;
}

bool tc_filter_real(const RtnlFilter *f)
{
	if (f->handle == 0)
		return false; /* a chain's head: prio, protocol and kind only */
	if (f->kind == RTNL_FILTER_U32 && (f->handle & 0xfff) == 0)
		return false; /* a u32 hash table (800:), not a filter */
	return true;
}

/* ---- to the API */

static Nsring__V1__TcStats *stats_to_pb(Op *op, const RtnlTcStats *st)
{
	Nsring__V1__TcStats *pb = op_alloc(op, sizeof(*pb));

	nsring__v1__tc_stats__init(pb);
	pb->bytes = st->bytes;
	pb->packets = st->packets;
	pb->drops = st->drops;
	pb->overlimits = st->overlimits;
	pb->requeues = st->requeues;
	pb->qlen = st->qlen;
	pb->backlog = st->backlog;
	pb->rate = st->rate_bps;
	pb->rate_pps = st->rate_pps;
	return pb;
}

static char *handle_str(Op *op, uint32_t h, bool filter_parent)
{
	char buf[16];

	return op_strdup(op, tc_handle_format(h, filter_parent, buf, sizeof(buf)));
}

Nsring__V1__Qdisc *tc_qdisc_to_pb(Op *op, const RtnlQdisc *q, const RtnlTcStats *st)
{
	Nsring__V1__Qdisc *pb = op_alloc(op, sizeof(*pb));

	nsring__v1__qdisc__init(pb);
	pb->link_index = q->ifindex;
	pb->link_name = (char *)op_link_name(op, q->ifindex);
	/* as tc prints a qdisc's handle: its major, also 0: for the kernel's defaults */
	pb->handle = op_printf(op, "%x:", TC_H_MAJ(q->handle) >> 16);
	pb->parent = handle_str(op, q->parent, false);
	pb->kind = op_strdup(op, q->kind_name);
	if (st)
		pb->stats = stats_to_pb(op, st);
	switch (q->kind) {
	case RTNL_QDISC_TBF:
		pb->tbf = op_alloc(op, sizeof(*pb->tbf));
		nsring__v1__tbf__init(pb->tbf);
		pb->tbf->rate = q->tbf.rate;
		pb->tbf->burst = q->tbf.burst;
		pb->tbf->limit = q->tbf.limit;
		pb->tbf->mtu = q->tbf.mtu;
		pb->options_case = NSRING__V1__QDISC__OPTIONS_TBF;
		break;
	case RTNL_QDISC_HTB:
		pb->htb = op_alloc(op, sizeof(*pb->htb));
		nsring__v1__htb__init(pb->htb);
		pb->htb->default_class = q->htb.defcls;
		pb->htb->r2q = q->htb.r2q;
		pb->options_case = NSRING__V1__QDISC__OPTIONS_HTB;
		break;
	case RTNL_QDISC_PFIFO:
	case RTNL_QDISC_BFIFO:
		pb->pfifo = op_alloc(op, sizeof(*pb->pfifo));
		nsring__v1__fifo__init(pb->pfifo);
		pb->pfifo->limit = q->fifo_limit;
		pb->options_case = q->kind == RTNL_QDISC_PFIFO ? NSRING__V1__QDISC__OPTIONS_PFIFO
							       : NSRING__V1__QDISC__OPTIONS_BFIFO;
		break;
	case RTNL_QDISC_INGRESS:
		pb->ingress = op_alloc(op, sizeof(*pb->ingress));
		nsring__v1__ingress__init(pb->ingress);
		pb->options_case = NSRING__V1__QDISC__OPTIONS_INGRESS;
		break;
	case RTNL_QDISC_CLSACT:
		pb->clsact = op_alloc(op, sizeof(*pb->clsact));
		nsring__v1__clsact__init(pb->clsact);
		pb->options_case = NSRING__V1__QDISC__OPTIONS_CLSACT;
		break;
	default:
		break; /* kinds this kernel lacks never show up; others are named by kind */
	}
	return pb;
}

Nsring__V1__TrafficClass *tc_class_to_pb(Op *op, const RtnlClass *c, const RtnlTcStats *st,
					 const char *link_name)
{
	Nsring__V1__TrafficClass *pb = op_alloc(op, sizeof(*pb));

	nsring__v1__traffic_class__init(pb);
	pb->link_index = c->ifindex;
	pb->link_name = (char *)link_name;
	pb->classid = handle_str(op, c->classid, false);
	pb->parent = handle_str(op, c->parent, false);
	pb->kind = op_strdup(op, c->kind_name);
	if (st)
		pb->stats = stats_to_pb(op, st);
	if (strcmp(c->kind_name, "htb") == 0) {
		pb->htb = op_alloc(op, sizeof(*pb->htb));
		nsring__v1__htb_class__init(pb->htb);
		pb->htb->rate = c->htb.rate;
		pb->htb->ceil = c->htb.ceil;
		pb->htb->burst = c->htb.burst;
		pb->htb->cburst = c->htb.cburst;
		pb->htb->prio = c->htb.prio;
		pb->htb->quantum = c->htb.quantum;
		pb->options_case = NSRING__V1__TRAFFIC_CLASS__OPTIONS_HTB;
	}
	return pb;
}

static Nsring__V1__TcVerdict verdict_to_pb(int v)
{
	switch (v) {
	case TC_ACT_OK:
		return NSRING__V1__TC_VERDICT__TC_VERDICT_PASS;
	case TC_ACT_SHOT:
		return NSRING__V1__TC_VERDICT__TC_VERDICT_DROP;
	case TC_ACT_RECLASSIFY:
		return NSRING__V1__TC_VERDICT__TC_VERDICT_RECLASSIFY;
	case TC_ACT_PIPE:
		return NSRING__V1__TC_VERDICT__TC_VERDICT_PIPE;
	case TC_ACT_UNSPEC:
		return NSRING__V1__TC_VERDICT__TC_VERDICT_CONTINUE;
	default:
		return NSRING__V1__TC_VERDICT__TC_VERDICT_UNSPECIFIED;
	}
}

static Nsring__V1__Action *action_to_pb(Op *op, const RtnlAction *a)
{
	Nsring__V1__Action *pb = op_alloc(op, sizeof(*pb));

	nsring__v1__action__init(pb);
	switch (a->kind) {
	case RTNL_ACT_MIRRED:
		pb->kind = "mirred";
		pb->mirred = op_alloc(op, sizeof(*pb->mirred));
		nsring__v1__mirred__init(pb->mirred);
		pb->mirred->redirect = a->mirred.redirect;
		pb->mirred->dev_index = a->mirred.ifindex;
		pb->mirred->dev = (char *)op_link_name(op, a->mirred.ifindex);
		pb->action_case = NSRING__V1__ACTION__ACTION_MIRRED;
		break;
	case RTNL_ACT_GACT:
		pb->kind = "gact";
		pb->gact = verdict_to_pb(a->gact);
		pb->action_case = NSRING__V1__ACTION__ACTION_GACT;
		break;
	case RTNL_ACT_POLICE:
		pb->kind = "police";
		pb->police = op_alloc(op, sizeof(*pb->police));
		nsring__v1__police__init(pb->police);
		pb->police->rate = a->police.rate;
		pb->police->burst = a->police.burst;
		pb->police->exceed = verdict_to_pb(a->police.exceed);
		pb->action_case = NSRING__V1__ACTION__ACTION_POLICE;
		break;
	}
	return pb;
}

Nsring__V1__Filter *tc_filter_to_pb(Op *op, const RtnlFilter *f, const char *link_name)
{
	Nsring__V1__Filter *pb = op_alloc(op, sizeof(*pb));
	char buf[32];

	nsring__v1__filter__init(pb);
	pb->link_index = f->ifindex;
	pb->link_name = (char *)link_name;
	pb->parent = handle_str(op, f->parent, true);
	pb->handle =
		op_strdup(op, tc_filter_handle_format(f->kind_name, f->handle, buf, sizeof(buf)));
	pb->prio = f->prio;
	pb->protocol = op_strdup(op, tc_protocol_format(f->protocol, buf, sizeof(buf)));
	pb->kind = op_strdup(op, f->kind_name);
	if (f->classid)
		pb->classid = handle_str(op, f->classid, false);
	pb->n_actions = f->n_actions;
	pb->actions = op_alloc(op, (f->n_actions ? f->n_actions : 1) * sizeof(*pb->actions));
	for (unsigned i = 0; i < f->n_actions; i++)
		pb->actions[i] = action_to_pb(op, &f->actions[i]);
	switch (f->kind) {
	case RTNL_FILTER_U32: {
		Nsring__V1__U32 *u = op_alloc(op, sizeof(*u));

		nsring__v1__u32__init(u);
		u->n_keys = f->u32.nkeys;
		u->keys = op_alloc(op, (u->n_keys ? u->n_keys : 1) * sizeof(*u->keys));
		for (unsigned i = 0; i < f->u32.nkeys; i++) {
			Nsring__V1__U32Key *k = op_alloc(op, sizeof(*k));

			nsring__v1__u32_key__init(k);
			k->value = ntohl(f->u32.keys[i].val);
			k->mask = ntohl(f->u32.keys[i].mask);
			k->offset = f->u32.keys[i].off;
			u->keys[i] = k;
		}
		pb->u32 = u;
		pb->options_case = NSRING__V1__FILTER__OPTIONS_U32;
		break;
	}
	case RTNL_FILTER_MATCHALL:
		pb->matchall = op_alloc(op, sizeof(*pb->matchall));
		nsring__v1__matchall__init(pb->matchall);
		pb->options_case = NSRING__V1__FILTER__OPTIONS_MATCHALL;
		break;
	case RTNL_FILTER_FLOWER: {
		Nsring__V1__Flower *fl = op_alloc(op, sizeof(*fl));
		char ip[INET6_ADDRSTRLEN];

		nsring__v1__flower__init(fl);
		fl->ip_proto = f->flower.ip_proto;
		if (f->flower.src.family)
			fl->src_ip = op_printf(op, "%s/%u",
					       rtnl_ip_format(&f->flower.src, ip, sizeof(ip)),
					       f->flower.src_len);
		if (f->flower.dst.family)
			fl->dst_ip = op_printf(op, "%s/%u",
					       rtnl_ip_format(&f->flower.dst, ip, sizeof(ip)),
					       f->flower.dst_len);
		fl->dst_port = f->flower.dst_port;
		pb->flower = fl;
		pb->options_case = NSRING__V1__FILTER__OPTIONS_FLOWER;
		break;
	}
	case RTNL_FILTER_BPF:
		pb->bpf = op_alloc(op, sizeof(*pb->bpf));
		nsring__v1__bpf_filter__init(pb->bpf);
		pb->bpf->direct_action = f->bpf.direct_action;
		pb->options_case = NSRING__V1__FILTER__OPTIONS_BPF;
		break;
	default:
		break;
	}
	return pb;
}

/* ---- ListQdiscs */

static void list_qdiscs_reply(Op *op)
{
	const Nsring__V1__ListQdiscsRequest *req = (void *)op->req;
	Nsring__V1__ListQdiscsResponse resp = NSRING__V1__LIST_QDISCS_RESPONSE__INIT;
	TcListScratch *x = op->scratch;
	uint32_t only = 0;

	if (str_set(req->link_name)) {
		for (size_t i = 0; i < op->dump.nlinks; i++)
			if (strcmp(op->dump.links[i].name, req->link_name) == 0)
				only = op->dump.links[i].index;
		if (!only) {
			op_fail(op, STATUS_NOT_FOUND, "link \"%s\" not found", req->link_name);
			return;
		}
	}
	resp.qdiscs = op_alloc(op, (x->d.nq ? x->d.nq : 1) * sizeof(*resp.qdiscs));
	for (size_t i = 0; i < x->d.nq; i++) {
		if (only && x->d.q[i].ifindex != only)
			continue;
		resp.qdiscs[resp.n_qdiscs++] =
			tc_qdisc_to_pb(op, &x->d.q[i], req->stats ? &x->d.qs[i] : NULL);
	}
	op_reply(op, &resp.base);
}

static void list_qdiscs_dump(Op *op)
{
	TcListScratch *x = op->scratch;

	op_dump(op, RTM_GETLINK, AF_UNSPEC);
	tc_dump(op, TC_QDISC, &x->d, 0, 0);
	op_then(op, list_qdiscs_reply);
}

void ops_list_qdiscs(Op *op)
{
	const Nsring__V1__ListQdiscsRequest *req = (void *)op->req;

	if (str_set(req->link_name) && !name_ifname_valid(req->link_name)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "link_name: invalid interface name \"%.64s\"",
			req->link_name);
		return;
	}
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, list_qdiscs_dump);
}

/* ---- ListClasses, ListFilters: one link's (the kernel dumps them per link) */

static void list_classes_reply(Op *op)
{
	const Nsring__V1__ListClassesRequest *req = (void *)op->req;
	Nsring__V1__ListClassesResponse resp = NSRING__V1__LIST_CLASSES_RESPONSE__INIT;
	TcListScratch *x = op->scratch;

	resp.classes = op_alloc(op, (x->d.nc ? x->d.nc : 1) * sizeof(*resp.classes));
	for (size_t i = 0; i < x->d.nc; i++)
		resp.classes[resp.n_classes++] = tc_class_to_pb(
			op, &x->d.c[i], req->stats ? &x->d.cs[i] : NULL, req->link_name);
	op_reply(op, &resp.base);
}

static void list_filters_reply(Op *op)
{
	const Nsring__V1__ListFiltersRequest *req = (void *)op->req;
	Nsring__V1__ListFiltersResponse resp = NSRING__V1__LIST_FILTERS_RESPONSE__INIT;
	TcListScratch *x = op->scratch;

	resp.filters = op_alloc(op, (x->d.nf ? x->d.nf : 1) * sizeof(*resp.filters));
	for (size_t i = 0; i < x->d.nf; i++)
		if (tc_filter_real(&x->d.f[i]))
			resp.filters[resp.n_filters++] =
				tc_filter_to_pb(op, &x->d.f[i], req->link_name);
	op_reply(op, &resp.base);
}

static void list_link_dump(Op *op)
{
	TcListScratch *x = op->scratch;
	bool classes = op->m->start == ops_list_classes;

	op_dump(op, RTM_GETLINK, AF_UNSPEC); /* names of mirred targets */
	tc_dump(op, classes ? TC_CLASS : TC_FILTER, &x->d, x->idx_link, x->parent);
	op_then(op, classes ? list_classes_reply : list_filters_reply);
}

static void list_link_resolve(Op *op)
{
	TcListScratch *x = op->scratch;
	const char *name = op->m->start == ops_list_classes
				   ? ((const Nsring__V1__ListClassesRequest *)op->req)->link_name
				   : ((const Nsring__V1__ListFiltersRequest *)op->req)->link_name;

	op_get_link(op, 0, 0, name, NULL, &x->idx_link);
	op_then(op, list_link_dump);
}

static void list_link_start(Op *op, const Nsring__V1__NamespaceRef *ns, const char *link)
{
	if (!str_set(link) || !name_ifname_valid(link)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"link_name: \"%.64s\" is not an interface name (required)",
			link ? link : "");
		return;
	}
	if (!op_open_ns(op, 0, ns))
		return;
	op_then(op, list_link_resolve);
}

void ops_list_classes(Op *op)
{
	const Nsring__V1__ListClassesRequest *req = (void *)op->req;

	list_link_start(op, req->namespace_, req->link_name);
}

void ops_list_filters(Op *op)
{
	const Nsring__V1__ListFiltersRequest *req = (void *)op->req;
	TcListScratch *x = op->scratch;

	if (str_set(req->parent) && (tc_parent_parse(req->parent, true, &x->parent) < 0)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"parent: \"%.32s\" is not root, ingress, egress or a qdisc MAJ:",
			req->parent);
		return;
	}
	/* The root qdisc's filters: parent 0, as tc asks (TC_H_ROOT's major would name ffff:) */
	if (!str_set(req->parent) || x->parent == TC_H_ROOT)
		x->parent = 0;
	list_link_start(op, req->namespace_, req->link_name);
}
