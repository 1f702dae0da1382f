/* Traffic-control changes: CreateQdisc (add, replace, change), DeleteQdisc, CreateClass,
 * DeleteClass, CreateFilter, DeleteFilter. Each validates the whole request first, resolves its
 * link names (the batch's name map spares the round trips), with ensure looks at what is there,
 * then sends the one request tc would send. Kinds this kernel lacks are named in the error. */
#include <linux/pkt_cls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "ops-tc-internal.h"

typedef struct TcScratch {
	TcObj obj;
	bool create, ensure, already_done;
	RtnlTcOp mode;
	union {
		RtnlQdisc q;
		RtnlClass c;
		RtnlFilter f;
	} spec;
	uint32_t idx_link;
	uint32_t idx_mirred[RTNL_TC_MAX_ACTIONS];
	const char *link; /* the link as the request names it, for messages */
	const char *what; /* the object, for messages */
	TcDump d;
} TcScratch;

const size_t ops_tc_scratch_size = sizeof(TcScratch);

/* The request's parts, whichever method it is. */
typedef struct TcReq {
	const Nsring__V1__NamespaceRef *ns;
	const void *obj; /* Qdisc, TrafficClass or Filter */
	bool ensure;
	int mode;
} TcReq;

static TcReq tc_req(const Op *op)
{
	const void *r = op->req;
	void (*start)(Op *) = op->m->start;

#define REQ(fn, T, member, has_mode)                                                               \
	if (start == fn) {                                                                         \
		const T *q = r;                                                                    \
		return (TcReq){ q->namespace_, q->member, q->ensure, has_mode };                   \
	}
	REQ(ops_create_qdisc, Nsring__V1__CreateQdiscRequest, qdisc, q->mode)
	REQ(ops_delete_qdisc, Nsring__V1__DeleteQdiscRequest, qdisc, 0)
	REQ(ops_create_class, Nsring__V1__CreateClassRequest, tclass, q->mode)
	REQ(ops_delete_class, Nsring__V1__DeleteClassRequest, tclass, 0)
	REQ(ops_create_filter, Nsring__V1__CreateFilterRequest, filter, q->mode)
	REQ(ops_delete_filter, Nsring__V1__DeleteFilterRequest, filter, 0)
#undef REQ
	abort();
}

/* The request's ensure, or its batch's (op_ensure(): BatchRequest.ensure sets it for every
 * operation). */
static bool tc_ensure(const Op *op, bool req_ensure)
{
	return req_ensure || op_ensure(op);
}

static void tc_reply(Op *op)
{
	TcScratch *x = op->scratch;
	void (*start)(Op *) = op->m->start;

#define REPLY(fn, T, INIT)                                                                         \
	if (start == fn) {                                                                         \
		T resp = INIT;                                                                     \
		resp.already_done = x->already_done;                                               \
		op_reply(op, &resp.base);                                                          \
		return;                                                                            \
	}
	REPLY(ops_create_qdisc, Nsring__V1__CreateQdiscResponse,
	      NSRING__V1__CREATE_QDISC_RESPONSE__INIT)
	REPLY(ops_delete_qdisc, Nsring__V1__DeleteQdiscResponse,
	      NSRING__V1__DELETE_QDISC_RESPONSE__INIT)
	REPLY(ops_create_class, Nsring__V1__CreateClassResponse,
	      NSRING__V1__CREATE_CLASS_RESPONSE__INIT)
	REPLY(ops_delete_class, Nsring__V1__DeleteClassResponse,
	      NSRING__V1__DELETE_CLASS_RESPONSE__INIT)
	REPLY(ops_create_filter, Nsring__V1__CreateFilterResponse,
	      NSRING__V1__CREATE_FILTER_RESPONSE__INIT)
	REPLY(ops_delete_filter, Nsring__V1__DeleteFilterResponse,
	      NSRING__V1__DELETE_FILTER_RESPONSE__INIT)
#undef REPLY
}

/* ---- the kernel's refusals, in the request's words */

static const char *act_name(RtnlActKind k)
{
	return k == RTNL_ACT_MIRRED ? "mirred" : k == RTNL_ACT_GACT ? "gact" : "police";
}

static bool tc_refused(OpNl *nl, int error, const char *extack)
{
	Op *op = nl->op;
	TcScratch *x = op->scratch;
	const char *e = extack ? extack : "";

	if (strstr(e, "Specified qdisc kind is unknown") && x->obj == TC_QDISC) {
		const char *k =
			tc_qdisc_kind(((const Nsring__V1__Qdisc *)tc_req(op).obj)->options_case);

		op_fail(op, STATUS_INVALID_ARGUMENT, "%s: this kernel has no %s qdisc (%s: %s)",
			nl->what, k ? k : "such", errno_name(error), e);
		return true;
	}
	if (strstr(e, "TC classifier not found") && x->obj == TC_FILTER) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "%s: this kernel has no %s filter (%s: %s)",
			nl->what,
			x->spec.f.kind == RTNL_FILTER_MATCHALL ? "matchall"
			: x->spec.f.kind == RTNL_FILTER_FLOWER ? "flower"
			: x->spec.f.kind == RTNL_FILTER_BPF    ? "bpf"
							       : "u32",
			errno_name(error), e);
		return true;
	}
	if (strstr(e, "Failed to load TC action module") && x->obj == TC_FILTER) {
		char kinds[64] = "";
		size_t n = 0;

		/* The kernel does not say which one: name the request's kinds it may lack. */
		for (unsigned i = 0; i < x->spec.f.n_actions; i++) {
			const char *k = act_name(x->spec.f.actions[i].kind);

			if (!strstr(kinds, k))
				n += (size_t)snprintf(kinds + n, sizeof(kinds) - n, "%s%s",
						      n ? ", " : "", k);
		}
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"%s: this kernel lacks an action the filter uses (%s) (%s: %s)", nl->what,
			kinds, errno_name(error), e);
		return true;
	}
	if (strstr(e, "Parent Qdisc doesn't exist") ||
	    strstr(e, "Failed to find qdisc with specified handle")) {
		op_fail(op, STATUS_NOT_FOUND, "%s: no such parent qdisc (%s: %s)", nl->what,
			errno_name(error), e);
		return true;
	}
	if (strstr(e, "Cannot move an existing qdisc to a different parent") &&
	    x->obj == TC_QDISC) {
		char hb[16];

		op_fail(op, STATUS_ALREADY_EXISTS,
			"%s: handle %s is another qdisc's on this link (%s: %s)", nl->what,
			tc_handle_format(x->spec.q.handle, false, hb, sizeof(hb)),
			errno_name(error), e);
		return true;
	}
	if (strstr(e, "Cannot delete qdisc with handle of zero")) {
		op_fail(op, STATUS_NOT_FOUND, "%s: there is none to delete (%s: %s)", nl->what,
			errno_name(error), e);
		return true;
	}
	return false;
}

static const OpNlHooks tc_send_hooks = { .error = tc_refused };

/* ---- the request */

static void tc_send(Op *op)
{
	TcScratch *x = op->scratch;
	uint8_t *buf = op_alloc(op, 4096);
	int len = -EINVAL;
	OpNl *nl;

	switch (x->obj) {
	case TC_QDISC:
		x->spec.q.ifindex = x->idx_link;
		len = x->create ? rtnl_qdisc_new(buf, 4096, &x->spec.q, x->mode, NULL)
				: rtnl_qdisc_del(buf, 4096, x->idx_link, x->spec.q.parent);
		break;
	case TC_CLASS:
		x->spec.c.ifindex = x->idx_link;
		len = x->create ? rtnl_class_new(buf, 4096, &x->spec.c, x->mode, NULL)
				: rtnl_class_del(buf, 4096, x->idx_link, x->spec.c.classid);
		break;
	case TC_FILTER:
		x->spec.f.ifindex = x->idx_link;
		for (unsigned i = 0; i < x->spec.f.n_actions; i++)
			if (x->spec.f.actions[i].kind == RTNL_ACT_MIRRED && x->idx_mirred[i])
				x->spec.f.actions[i].mirred.ifindex = x->idx_mirred[i];
		len = x->create ? rtnl_filter_new(buf, 4096, &x->spec.f, x->mode, NULL)
				: rtnl_filter_del(buf, 4096, &x->spec.f);
		break;
	}
	nl = op_send(op, 0, buf, len, x->what);
	if (nl)
		nl->hooks = &tc_send_hooks;
	op_then_final(op, tc_reply);
}

/* ---- ensure: what is there already */

static bool near(uint64_t a, uint64_t b)
{
	uint64_t d = a > b ? a - b : b - a;

	return d <= b / 100 + 1; /* burst comes back from ticks: not always to the byte */
}

/* Appends name to the list of differing attributes. */
static void differ(char *buf, size_t size, const char *name)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s%s", n ? ", " : "", name);
}

static void qdisc_compare(const RtnlQdisc *want, const RtnlQdisc *have, char *d, size_t n)
{
	if (want->kind != have->kind) {
		differ(d, n, "kind");
		return;
	}
	if (want->handle && want->handle != have->handle)
		differ(d, n, "handle");
	switch (want->kind) {
	case RTNL_QDISC_TBF: {
		const RtnlTbf *w = &want->tbf, *h = &have->tbf;
		uint64_t limit = w->limit ? w->limit : w->rate * w->latency_us / 1000000 + w->burst;

		if (w->rate != h->rate)
			differ(d, n, "tbf.rate");
		if (!near(h->burst, w->burst))
			differ(d, n, "tbf.burst");
		if (!near(h->limit, limit))
			differ(d, n, w->limit ? "tbf.limit" : "tbf.latency_us");
		break;
	}
	case RTNL_QDISC_HTB:
		if (want->htb.defcls != have->htb.defcls)
			differ(d, n, "htb.default_class");
		break;
	case RTNL_QDISC_PFIFO:
	case RTNL_QDISC_BFIFO:
		if (want->fifo_limit && want->fifo_limit != have->fifo_limit)
			differ(d, n, "limit");
		break;
	default:
		break;
	}
}

static void class_compare(const RtnlClass *want, const RtnlClass *have, char *d, size_t n)
{
	uint32_t parent = have->parent == TC_H_ROOT ? TC_H_MAJ(have->classid) : have->parent;

	if (want->parent != parent && want->parent != have->parent)
		differ(d, n, "parent");
	if (strcmp(have->kind_name, "htb") != 0) {
		differ(d, n, "kind");
		return;
	}
	if (want->htb.rate != have->htb.rate)
		differ(d, n, "htb.rate");
	if ((want->htb.ceil ? want->htb.ceil : want->htb.rate) != have->htb.ceil)
		differ(d, n, "htb.ceil");
	if (want->htb.prio != have->htb.prio)
		differ(d, n, "htb.prio");
}

static void filter_compare(const RtnlFilter *want, const RtnlFilter *have, char *d, size_t n)
{
	if (want->kind != have->kind) {
		differ(d, n, "kind");
		return;
	}
	if (want->classid != have->classid)
		differ(d, n, "classid");
	if (want->kind == RTNL_FILTER_U32) {
		uint8_t wn = want->u32.nkeys ? want->u32.nkeys : 1;
		bool same = wn == have->u32.nkeys;

		for (unsigned i = 0; same && i < want->u32.nkeys; i++)
			same = want->u32.keys[i].mask == have->u32.keys[i].mask &&
			       want->u32.keys[i].val == have->u32.keys[i].val &&
			       want->u32.keys[i].off == have->u32.keys[i].off;
		if (same && !want->u32.nkeys)
			same = have->u32.keys[0].mask == 0;
		if (!same)
			differ(d, n, "u32.keys");
	}
	if (want->n_actions != have->n_actions) {
		differ(d, n, "actions");
		return;
	}
	for (unsigned i = 0; i < want->n_actions; i++) {
		const RtnlAction *w = &want->actions[i], *h = &have->actions[i];

		if (w->kind != h->kind ||
		    (w->kind == RTNL_ACT_MIRRED && (w->mirred.redirect != h->mirred.redirect ||
						    w->mirred.ifindex != h->mirred.ifindex)) ||
		    (w->kind == RTNL_ACT_GACT && w->gact != h->gact) ||
		    (w->kind == RTNL_ACT_POLICE && w->police.rate != h->police.rate)) {
			differ(d, n, "actions");
			break;
		}
	}
}

/* Whether have is the filter want names (delete: any filter of the parent when no prio). */
static bool filter_same_place(const RtnlFilter *want, const RtnlFilter *have)
{
	if (!tc_filter_real(have))
		return false;
	if (want->prio && want->prio != have->prio)
		return false;
	if (want->prio && want->protocol && want->protocol != have->protocol)
		return false;
	if (want->handle && want->handle != have->handle)
		return false;
	return true;
}

static void tc_check(Op *op)
{
	TcScratch *x = op->scratch;
	char diff[256] = "";
	bool found = false;

	switch (x->obj) {
	case TC_QDISC:
		for (size_t i = 0; i < x->d.nq && !found; i++) {
			const RtnlQdisc *h = &x->d.q[i];

			/* A kernel default at root (noqueue, pfifo_fast...) has handle 0: nothing.
			 */
			if (h->parent != x->spec.q.parent || h->handle == 0)
				continue;
			if (!x->create && x->spec.q.handle && h->handle != x->spec.q.handle)
				continue;
			found = true;
			if (x->create)
				qdisc_compare(&x->spec.q, h, diff, sizeof(diff));
		}
		break;
	case TC_CLASS:
		for (size_t i = 0; i < x->d.nc && !found; i++) {
			if (x->d.c[i].classid != x->spec.c.classid)
				continue;
			found = true;
			if (x->create)
				class_compare(&x->spec.c, &x->d.c[i], diff, sizeof(diff));
		}
		break;
	case TC_FILTER: {
		RtnlFilter want = x->spec.f;

		for (unsigned i = 0; i < want.n_actions; i++)
			if (want.actions[i].kind == RTNL_ACT_MIRRED && x->idx_mirred[i])
				want.actions[i].mirred.ifindex = x->idx_mirred[i];
		for (size_t i = 0; i < x->d.nf; i++) {
			char d1[256] = "";

			if (!filter_same_place(&want, &x->d.f[i]))
				continue;
			if (!x->create) {
				found = true;
				break;
			}
			/* Without a prio the kernel picked one: look for an equal filter anywhere.
			 */
			filter_compare(&want, &x->d.f[i], d1, sizeof(d1));
			if (want.protocol != x->d.f[i].protocol)
				differ(d1, sizeof(d1), "protocol");
			if (!d1[0]) {
				found = true;
				diff[0] = '\0';
				break;
			}
			if (want.prio) {
				found = true;
				snprintf(diff, sizeof(diff), "%s", d1);
			}
		}
		break;
	}
	}
	if (!x->create) {
		if (!found) {
			x->already_done = true;
			tc_reply(op);
			return;
		}
		tc_send(op);
		return;
	}
	if (found && !diff[0]) {
		x->already_done = true;
		tc_reply(op);
		return;
	}
	if (found && x->mode == RTNL_TC_ADD) {
		op_fail(op, STATUS_ALREADY_EXISTS, "%s exists with other attributes: %s", x->what,
			diff);
		return;
	}
	tc_send(op); /* replace or change it; or create */
}

static void tc_look(Op *op)
{
	TcScratch *x = op->scratch;
	uint32_t parent = x->obj == TC_FILTER ? x->spec.f.parent : 0;

	if (!x->ensure) {
		tc_send(op);
		return;
	}
	tc_dump(op, x->obj, &x->d, x->idx_link, parent);
	op_then(op, tc_check);
}

static void tc_resolve(Op *op)
{
	TcScratch *x = op->scratch;
	const char *name =
		x->obj == TC_QDISC   ? ((const Nsring__V1__Qdisc *)tc_req(op).obj)->link_name
		: x->obj == TC_CLASS ? ((const Nsring__V1__TrafficClass *)tc_req(op).obj)->link_name
				     : ((const Nsring__V1__Filter *)tc_req(op).obj)->link_name;

	if (str_set(name))
		op_get_link(op, 0, 0, name, NULL, &x->idx_link);
	if (x->obj == TC_FILTER && x->create) {
		const Nsring__V1__Filter *pb = tc_req(op).obj;

		for (size_t i = 0; i < pb->n_actions; i++) {
			const Nsring__V1__Action *a = pb->actions[i];

			if (a->action_case == NSRING__V1__ACTION__ACTION_MIRRED &&
			    str_set(a->mirred->dev))
				op_get_link(op, 0, 0, a->mirred->dev, NULL, &x->idx_mirred[i]);
		}
	}
	op_then(op, tc_look);
}

static void tc_start(Op *op, TcObj obj, bool create)
{
	TcScratch *x = op->scratch;
	TcReq r = tc_req(op);
	char err[512], hb[16], pb_[16];
	int ret;

	x->obj = obj;
	x->create = create;
	x->ensure = tc_ensure(op, r.ensure);
	switch (r.mode) {
	case NSRING__V1__TC_MODE__TC_MODE_ADD:
		x->mode = RTNL_TC_ADD;
		break;
	case NSRING__V1__TC_MODE__TC_MODE_REPLACE:
		x->mode = RTNL_TC_REPLACE;
		break;
	case NSRING__V1__TC_MODE__TC_MODE_CHANGE:
		x->mode = RTNL_TC_CHANGE;
		break;
	default:
		op_fail(op, STATUS_INVALID_ARGUMENT, "mode: %d is not add, replace or change",
			r.mode);
		return;
	}
	switch (obj) {
	case TC_QDISC: {
		const Nsring__V1__Qdisc *q = r.obj;

		ret = tc_qdisc_from_pb(q, create, &x->spec.q, err, sizeof(err));
		if (ret < 0)
			break;
		x->link = str_set(q->link_name) ? q->link_name : op_printf(op, "%u", q->link_index);
		x->what = create ? op_printf(op, "qdisc \"%s\" on \"%s\"",
					     tc_qdisc_kind(q->options_case), x->link)
				 : op_printf(op, "qdisc at %s of \"%s\"",
					     tc_handle_format(x->spec.q.parent, false, pb_,
							      sizeof(pb_)),
					     x->link);
		break;
	}
	case TC_CLASS: {
		const Nsring__V1__TrafficClass *c = r.obj;

		ret = tc_class_from_pb(c, create, &x->spec.c, err, sizeof(err));
		if (ret < 0)
			break;
		x->link = str_set(c->link_name) ? c->link_name : op_printf(op, "%u", c->link_index);
		x->what = op_printf(op, "class %s on \"%s\"",
				    tc_handle_format(x->spec.c.classid, false, hb, sizeof(hb)),
				    x->link);
		break;
	}
	case TC_FILTER: {
		const Nsring__V1__Filter *f = r.obj;

		ret = tc_filter_from_pb(f, create, &x->spec.f, err, sizeof(err));
		if (ret < 0)
			break;
		x->link = str_set(f->link_name) ? f->link_name : op_printf(op, "%u", f->link_index);
		x->what = op_printf(op, "filter%s%s at %s on \"%s\"", x->spec.f.kind ? " " : "",
				    x->spec.f.kind == RTNL_FILTER_U32	     ? "u32"
				    : x->spec.f.kind == RTNL_FILTER_MATCHALL ? "matchall"
				    : x->spec.f.kind == RTNL_FILTER_FLOWER   ? "flower"
				    : x->spec.f.kind == RTNL_FILTER_BPF	     ? "bpf"
									     : "",
				    tc_handle_format(x->spec.f.parent, true, pb_, sizeof(pb_)),
				    x->link);
		break;
	}
	}
	if (ret < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "%s", err);
		return;
	}
	x->idx_link = obj == TC_QDISC	? x->spec.q.ifindex
		      : obj == TC_CLASS ? x->spec.c.ifindex
					: x->spec.f.ifindex;
	if (!op_open_ns(op, 0, r.ns))
		return;
	op_then(op, tc_resolve);
}

void ops_create_qdisc(Op *op)
{
	tc_start(op, TC_QDISC, true);
}

void ops_delete_qdisc(Op *op)
{
	tc_start(op, TC_QDISC, false);
}

void ops_create_class(Op *op)
{
	tc_start(op, TC_CLASS, true);
}

void ops_delete_class(Op *op)
{
	tc_start(op, TC_CLASS, false);
}

void ops_create_filter(Op *op)
{
	tc_start(op, TC_FILTER, true);
}

void ops_delete_filter(Op *op)
{
	tc_start(op, TC_FILTER, false);
}
