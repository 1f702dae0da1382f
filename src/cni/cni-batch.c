/* nsring-cni: the nsringd side: connecting (with the spec's "try again later" when the daemon
 * is not there), one Batch per command, and the results judged per operation. */
#include <stdio.h>
#include <string.h>

#include "cni/cni-batch.h"

#define CNI_CALL_TIMEOUT_NS (60ull * 1000000000ull)

int cni_connect(CniCtx *ctx, CniError *e)
{
	NsrClient *c = NULL;
	int r;

	if (ctx->client)
		return 0;
	r = nsr_connect(ctx->cfg->socket, &c);
	if (r < 0) {
		/* Spec code 11: the runtime may retry once nsringd is up. */
		cni_err(e, CNI_ERR_TRY_LATER,
			"nsringd is not reachable at %s: %s (is nsringd running?)",
			ctx->cfg->socket, strerror(-r));
		cni_err_details(
			e, "set \"socket\" in the network config if nsringd listens elsewhere");
		return -1;
	}
	nsr_set_timeout(c, CNI_CALL_TIMEOUT_NS);
	ctx->client = c;
	return 0;
}

int cni_nsr_err(CniError *e, const char *what, int r, const NsrStatus *st)
{
	if (r == -NSR_ESTATUS)
		return cni_err(e, st->code == 14 ? CNI_ERR_TRY_LATER : CNI_ERR_NSRINGD,
			       "nsringd: %s: %s: %s", what, nsr_status_code_name(st->code),
			       st->message);
	return cni_err(e, CNI_ERR_TRY_LATER, "nsringd: %s: %s", what, strerror(-r));
}

static void *alloc(CniBatch *b, size_t size)
{
	void *p;

	if (b->n_allocs == b->cap_allocs) {
		size_t cap = b->cap_allocs ? 2 * b->cap_allocs : 64;
		void **bigger = realloc(b->allocs, cap * sizeof(*bigger));

		if (!bigger) {
			b->oom = true;
			return NULL;
		}
		b->allocs = bigger;
		b->cap_allocs = cap;
	}
	p = calloc(1, size);
	if (!p) {
		b->oom = true;
		return NULL;
	}
	b->allocs[b->n_allocs++] = p;
	return p;
}

static char *dup_str(CniBatch *b, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = alloc(b, n);

	if (p)
		memcpy(p, s, n);
	return p ? p : (char *)protobuf_c_empty_string;
}

void cni_batch_free(CniBatch *b)
{
	for (size_t i = 0; i < b->n_allocs; i++)
		free(b->allocs[i]);
	free(b->allocs);
	if (b->resp)
		protobuf_c_message_free_unpacked(&b->resp->base, NULL);
	memset(b, 0, sizeof(*b));
}

Nsring__V1__NamespaceRef *cni_batch_ns(CniBatch *b, const char *path)
{
	Nsring__V1__NamespaceRef *ns;

	if (!path)
		return NULL;
	ns = alloc(b, sizeof(*ns));
	if (!ns)
		return NULL;
	nsring__v1__namespace_ref__init(ns);
	ns->ref_case = NSRING__V1__NAMESPACE_REF__REF_PATH;
	ns->path = dup_str(b, path);
	return ns;
}

static Nsring__V1__BatchOp *new_op(CniBatch *b, unsigned flags, const char *fmt, const char *a,
				   const char *c)
{
	Nsring__V1__BatchOp *op;

	if (b->n == CNI_BATCH_MAX || !(op = alloc(b, sizeof(*op)))) {
		b->oom = true;
		return NULL;
	}
	nsring__v1__batch_op__init(op);
	b->flags[b->n] = flags;
	snprintf(b->desc[b->n], sizeof(b->desc[0]), fmt, a, c);
	b->ops[b->n++] = op;
	return op;
}

#define NEW(b, type, init)                                                                         \
	({                                                                                         \
		type *_m = alloc((b), sizeof(type));                                               \
		if (_m)                                                                            \
			init(_m);                                                                  \
		_m;                                                                                \
	})

static Nsring__V1__Link *new_link(CniBatch *b, const char *name, uint32_t mtu)
{
	Nsring__V1__Link *l = NEW(b, Nsring__V1__Link, nsring__v1__link__init);

	if (l) {
		l->name = dup_str(b, name);
		l->mtu = mtu;
		l->up = true;
	}
	return l;
}

int cni_op_create_bridge(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name, uint32_t mtu)
{
	Nsring__V1__BatchOp *op = new_op(b, CNI_OK_EXISTS, "create bridge %s%s", name, "");
	Nsring__V1__CreateLinkRequest *r =
		NEW(b, Nsring__V1__CreateLinkRequest, nsring__v1__create_link_request__init);
	Nsring__V1__Bridge *br = NEW(b, Nsring__V1__Bridge, nsring__v1__bridge__init);

	if (!op || !r || !br || !(r->link = new_link(b, name, mtu)))
		return -1;
	r->namespace_ = ns;
	r->link->info_case = NSRING__V1__LINK__INFO_BRIDGE;
	r->link->bridge = br;
	r->ensure = true;
	op->op_case = NSRING__V1__BATCH_OP__OP_CREATE_LINK;
	op->create_link = r;
	return (int)b->n - 1;
}

int cni_op_set_up(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name)
{
	Nsring__V1__BatchOp *op = new_op(b, 0, "set %s up%s", name, "");
	Nsring__V1__UpdateLinkRequest *r =
		NEW(b, Nsring__V1__UpdateLinkRequest, nsring__v1__update_link_request__init);

	if (!op || !r)
		return -1;
	r->namespace_ = ns;
	r->name = dup_str(b, name);
	r->set_up_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_UP_UP;
	r->up = true;
	r->ensure = true;
	op->op_case = NSRING__V1__BATCH_OP__OP_UPDATE_LINK;
	op->update_link = r;
	return (int)b->n - 1;
}

int cni_op_set_mtu(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name, uint32_t mtu)
{
	Nsring__V1__BatchOp *op = new_op(b, 0, "set %s mtu%s", name, "");
	Nsring__V1__UpdateLinkRequest *r =
		NEW(b, Nsring__V1__UpdateLinkRequest, nsring__v1__update_link_request__init);

	if (!op || !r)
		return -1;
	r->namespace_ = ns;
	r->name = dup_str(b, name);
	r->set_mtu_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_MTU_MTU;
	r->mtu = mtu;
	r->ensure = true;
	op->op_case = NSRING__V1__BATCH_OP__OP_UPDATE_LINK;
	op->update_link = r;
	return (int)b->n - 1;
}

int cni_op_create_veth(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name,
		       const char *peer, Nsring__V1__NamespaceRef *peer_ns, const char *master,
		       uint32_t mtu)
{
	Nsring__V1__BatchOp *op = new_op(b, 0, "create veth %s peer %s", name, peer);
	Nsring__V1__CreateLinkRequest *r =
		NEW(b, Nsring__V1__CreateLinkRequest, nsring__v1__create_link_request__init);
	Nsring__V1__Veth *v = NEW(b, Nsring__V1__Veth, nsring__v1__veth__init);

	if (!op || !r || !v || !(r->link = new_link(b, name, mtu)))
		return -1;
	r->namespace_ = ns;
	v->peer_name = dup_str(b, peer);
	v->peer_namespace = peer_ns;
	r->link->info_case = NSRING__V1__LINK__INFO_VETH;
	r->link->veth = v;
	if (master)
		r->master = dup_str(b, master);
	op->op_case = NSRING__V1__BATCH_OP__OP_CREATE_LINK;
	op->create_link = r;
	return (int)b->n - 1;
}

int cni_op_add_addr(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *dev, const char *addr,
		    unsigned plen, unsigned flags)
{
	Nsring__V1__BatchOp *op = new_op(b, flags, "add address %s on %s", addr, dev);
	Nsring__V1__CreateAddressRequest *r =
		NEW(b, Nsring__V1__CreateAddressRequest, nsring__v1__create_address_request__init);
	Nsring__V1__Address *a = NEW(b, Nsring__V1__Address, nsring__v1__address__init);

	if (!op || !r || !a)
		return -1;
	r->namespace_ = ns;
	a->link_name = dup_str(b, dev);
	a->address = dup_str(b, addr);
	a->prefix_len = plen;
	r->address = a;
	r->ensure = !!(flags & CNI_OK_EXISTS);
	op->op_case = NSRING__V1__BATCH_OP__OP_CREATE_ADDRESS;
	op->create_address = r;
	return (int)b->n - 1;
}

int cni_op_add_route(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *dst, unsigned plen,
		     const char *gw, const char *dev, bool scope_link)
{
	Nsring__V1__BatchOp *op = new_op(b, 0, "add route %s dev %s", dst, dev);
	Nsring__V1__CreateRouteRequest *r =
		NEW(b, Nsring__V1__CreateRouteRequest, nsring__v1__create_route_request__init);
	Nsring__V1__Route *rt = NEW(b, Nsring__V1__Route, nsring__v1__route__init);
	char buf[CNI_ADDR_MAX + 8];

	if (!op || !r || !rt)
		return -1;
	snprintf(buf, sizeof(buf), "%s/%u", dst, plen);
	r->namespace_ = ns;
	rt->destination = dup_str(b, buf);
	if (gw && *gw)
		rt->gateway = dup_str(b, gw);
	rt->dev = dup_str(b, dev);
	if (scope_link) {
		rt->set_scope_case = NSRING__V1__ROUTE__SET_SCOPE_SCOPE;
		rt->scope = 253;
	}
	r->route = rt;
	op->op_case = NSRING__V1__BATCH_OP__OP_CREATE_ROUTE;
	op->create_route = r;
	return (int)b->n - 1;
}

int cni_op_get_link(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name)
{
	Nsring__V1__BatchOp *op = new_op(b, 0, "get link %s%s", name, "");
	Nsring__V1__GetLinkRequest *r =
		NEW(b, Nsring__V1__GetLinkRequest, nsring__v1__get_link_request__init);

	if (!op || !r)
		return -1;
	r->namespace_ = ns;
	r->name = dup_str(b, name);
	op->op_case = NSRING__V1__BATCH_OP__OP_GET_LINK;
	op->get_link = r;
	return (int)b->n - 1;
}

int cni_op_del_link(CniBatch *b, Nsring__V1__NamespaceRef *ns, const char *name)
{
	Nsring__V1__BatchOp *op = new_op(b, CNI_OK_MISSING, "delete link %s%s", name, "");
	Nsring__V1__DeleteLinkRequest *r =
		NEW(b, Nsring__V1__DeleteLinkRequest, nsring__v1__delete_link_request__init);

	if (!op || !r)
		return -1;
	r->namespace_ = ns;
	r->name = dup_str(b, name);
	r->ensure = true;
	op->op_case = NSRING__V1__BATCH_OP__OP_DELETE_LINK;
	op->delete_link = r;
	return (int)b->n - 1;
}

int cni_batch_run(CniCtx *ctx, CniBatch *b, CniError *e)
{
	Nsring__V1__BatchRequest req = NSRING__V1__BATCH_REQUEST__INIT;
	NsrStatus st;
	int r;

	if (b->oom)
		return cni_err(e, CNI_ERR_IO, "out of memory building the nsringd batch");
	if (cni_connect(ctx, e) < 0)
		return -1;
	req.n_ops = b->n;
	req.ops = b->ops;
	req.mode = NSRING__V1__BATCH_MODE__BATCH_MODE_CONTINUE;
	r = nsr_call(ctx->client, "Batch", &req.base, &nsring__v1__batch_response__descriptor,
		     (ProtobufCMessage **)&b->resp, &st);
	if (r < 0)
		return cni_nsr_err(e, "Batch", r, &st);
	if (b->resp->n_results != b->n)
		return cni_err(e, CNI_ERR_NSRINGD, "nsringd: Batch: %zu results for %zu operations",
			       b->resp->n_results, b->n);
	for (size_t i = 0; i < b->n; i++) {
		Nsring__V1__BatchResult *res = b->resp->results[i];

		if (res->code == 0 || (res->code == 6 && (b->flags[i] & CNI_OK_EXISTS)) ||
		    (res->code == 5 && (b->flags[i] & CNI_OK_MISSING)))
			continue;
		return cni_err(e, res->code == 14 ? CNI_ERR_TRY_LATER : CNI_ERR_NSRINGD,
			       "nsringd: %s: %s: %s", b->desc[i], nsr_status_code_name(res->code),
			       res->message);
	}
	return 0;
}

Nsring__V1__BatchResult *cni_batch_result(CniBatch *b, int i)
{
	if (i < 0 || !b->resp || (size_t)i >= b->resp->n_results)
		return NULL;
	return b->resp->results[i];
}

Nsring__V1__Link *cni_batch_link(CniBatch *b, int i)
{
	Nsring__V1__BatchResult *r = cni_batch_result(b, i);

	if (!r || r->code != 0)
		return NULL;
	if (r->result_case == NSRING__V1__BATCH_RESULT__RESULT_GET_LINK && r->get_link)
		return r->get_link->link;
	if (r->result_case == NSRING__V1__BATCH_RESULT__RESULT_CREATE_LINK && r->create_link)
		return r->create_link->link;
	return NULL;
}
