/* Batch: many operations across many namespaces in one call. Each operation runs as an Op of
 * its own; it starts once every earlier operation naming one of the same namespaces has
 * finished, so a namespace sees its operations in order while namespaces proceed in parallel.
 * In CONTINUE mode an operation that only talks to its namespace's socket starts as soon as
 * the previous such operation there has sent its last request: the kernel processes one
 * socket's requests in order, so nothing waits for a round trip (op_then_final()).
 * Runs of deletes in one namespace are coalesced into one group delete: the kernel then waits
 * for RCU once for all of them instead of once per link. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "ops-internal.h"

#define BATCH_MAX_OPS 65536
/* Ops of one batch running at once: bounds memory when pipelining lets a long run of one
 * namespace's ops start in one go (the connection caps requests in flight anyway). */
#define BATCH_MAX_RUNNING 1024
/* The name map's entry for a namespace key itself (no interface name contains '/'). */
#define NS_ENTRY "/"

typedef struct Batch Batch;

/* One namespace key's chain: its ops started and not finished, and a successor held back
 * because its predecessor finished while earlier ops of the chain, which pipelining let it
 * overtake, still run. An op that waits for answers (a DeleteNamespace, an op on two sockets)
 * must wait for all of them, not just its direct predecessor. */
typedef struct KeyState {
	unsigned running;
	int held; /* item released once running drops to 0, or -1 */
} KeyState;

typedef struct BatchItem {
	Batch *b;
	const OpMethod *m;
	ProtobufCMessage *req;
	int result_case;      /* the BatchResult oneof member for this op */
	const char *keys[2];  /* namespaces it names (ordering and name map) */
	KeyState *ks[2];
	unsigned nkeys;
	int succ[2];	      /* the next item naming keys[k], or -1 */
	unsigned waiting;     /* earlier items (per key) not finished yet */
	bool started, finished, queued;
	/* The one namespace whose socket carries all its requests (NULL: it sends on two, or it is
	 * not a pipelined op); and which successor edges were released early (pipelining). */
	const char *send_key;
	bool released[2];
	int next_ready;	      /* ready queue link */
	int code;
	const char *msg;
	ProtobufCMessage *resp; /* copy in the batch's arena */
} BatchItem;

/* name -> ifindex learned in this batch, per namespace key; and (name NS_ENTRY) the namespace
 * an op opened for that key, so later ops of the batch use it without reopening. */
typedef struct IndexEntry {
	const char *key;
	char name[IFNAMSIZ];
	uint32_t index;
	uint32_t writer; /* the op (batch position) that wrote it last: older answers lose */
	bool used;
	Netns *ns;
} IndexEntry;

struct Batch {
	Op *op; /* the Batch call: owns the request and every reply's memory */
	BatchItem *items;
	size_t n, finished, running;
	bool stop_on_error, stopping, pumping, replied;
	int ready_head, ready_tail;
	IndexEntry *map;
	size_t map_cap, map_used;
};

typedef struct BatchGroup {
	BatchItem **items;
	LinkGroup *lg;
} BatchGroup;

static void batch_pump(Batch *b);
static const char *ref_key(Op *op, const Nsring__V1__NamespaceRef *ref);

/* ---- the name map */

static uint64_t map_hash(const char *key, const char *name)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	h = (h ^ 0xff) * 1099511628211ull;
	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	return h;
}

static IndexEntry *map_find(Batch *b, const char *key, const char *name, bool insert)
{
	size_t i;

	if (insert && (b->map_used + 1) * 2 > b->map_cap) {
		size_t cap = b->map_cap ? b->map_cap * 2 : 64;
		IndexEntry *old = b->map, *m = op_alloc(b->op, cap * sizeof(*m));
		size_t ocap = b->map_cap;

		b->map = m;
		b->map_cap = cap;
		b->map_used = 0;
		for (size_t j = 0; j < ocap; j++)
			if (old[j].used) {
				IndexEntry *e = map_find(b, old[j].key, old[j].name, true);
				e->index = old[j].index;
				e->writer = old[j].writer;
				e->ns = old[j].ns;
			}
	}
	if (!b->map_cap)
		return NULL;
	i = map_hash(key, name) & (b->map_cap - 1);
	for (;; i = (i + 1) & (b->map_cap - 1)) {
		IndexEntry *e = &b->map[i];
		if (!e->used) {
			if (!insert)
				return NULL;
			e->used = true;
			e->key = key;
			snprintf(e->name, sizeof(e->name), "%s", name);
			b->map_used++;
			return e;
		}
		if (strcmp(e->key, key) == 0 && strcmp(e->name, name) == 0)
			return e;
	}
}

bool op_index_lookup(Op *op, unsigned slot, const char *name, uint32_t *ret_index)
{
	IndexEntry *e;

	if (strcmp(name, "lo") == 0) {
		*ret_index = 1; /* the loopback device is ifindex 1 in every namespace */
		return true;
	}
	if (!op->batch || slot > 1 || !op->ns_key[slot])
		return false;
	e = map_find(op->batch, op->ns_key[slot], name, false);
	if (!e || !e->index)
		return false;
	*ret_index = e->index;
	return true;
}

void op_index_learn(Op *op, unsigned slot, const char *name, uint32_t index)
{
	IndexEntry *e;

	if (!op->batch || slot > 1 || !op->ns_key[slot] || !name[0] || strlen(name) >= IFNAMSIZ)
		return;
	e = map_find(op->batch, op->ns_key[slot], name, true);
	/* With pipelining a late answer of an earlier op may arrive after a later op renamed or
	 * deleted the link: the later write wins. */
	if (e->writer > op->seq)
		return;
	e->index = index;
	e->writer = op->seq;
}

void op_index_forget(Op *op, unsigned slot, const char *name)
{
	IndexEntry *e;

	if (!op->batch || slot > 1 || !op->ns_key[slot] || !name)
		return;
	e = map_find(op->batch, op->ns_key[slot], name, true);
	if (e->writer > op->seq)
		return;
	e->index = 0; /* a tombstone: keeps probing chains intact */
	e->writer = op->seq;
}

const char *batch_ns_key(Op *op, const Nsring__V1__NamespaceRef *ref)
{
	return op->batch ? ref_key(op, ref) : NULL;
}

Netns *batch_ns_cached(Op *op, const char *key)
{
	IndexEntry *e;

	if (!op->batch || !key)
		return NULL;
	e = map_find(op->batch, key, NS_ENTRY, false);
	/* Closed (deleted, gone): reopen by the reference. */
	if (!e || !e->ns || !e->ns->reg || !e->ns->priv)
		return NULL;
	return e->ns;
}

void batch_ns_remember(Op *op, const char *key, Netns *ns)
{
	IndexEntry *e;

	if (!op->batch || !key)
		return;
	e = map_find(op->batch, key, NS_ENTRY, true);
	if (e->ns == ns)
		return;
	if (e->ns)
		netns_unref(e->ns);
	e->ns = netns_ref(ns);
}

/* ---- what each op names */

static const char *ref_key(Op *op, const Nsring__V1__NamespaceRef *ref)
{
	if (!ref || ref->ref_case == NSRING__V1__NAMESPACE_REF__REF__NOT_SET)
		return "self";
	switch (ref->ref_case) {
	case NSRING__V1__NAMESPACE_REF__REF_NAME:
		return op_printf(op, "n:%s", ref->name ? ref->name : "");
	case NSRING__V1__NAMESPACE_REF__REF_PATH:
		return op_printf(op, "p:%s", ref->path ? ref->path : "");
	case NSRING__V1__NAMESPACE_REF__REF_PID:
		return op_printf(op, "i:%d", (int)ref->pid);
	default:
		return "self";
	}
}

static bool ref_set(const Nsring__V1__NamespaceRef *ref)
{
	return ref && ref->ref_case != NSRING__V1__NAMESPACE_REF__REF__NOT_SET;
}

/* Fills method, request, result case and keys; false for an empty BatchOp. */
static bool item_describe(Op *op, const Nsring__V1__BatchOp *bop, BatchItem *it)
{
	const Nsring__V1__NamespaceRef *ns = NULL, *ns2 = NULL;
	const char *name = NULL;

	switch (bop->op_case) {
	case NSRING__V1__BATCH_OP__OP_CREATE_NAMESPACE:
		it->m = ops_method("CreateNamespace");
		it->req = &bop->create_namespace->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_CREATE_NAMESPACE;
		name = bop->create_namespace->name;
		break;
	case NSRING__V1__BATCH_OP__OP_DELETE_NAMESPACE:
		it->m = ops_method("DeleteNamespace");
		it->req = &bop->delete_namespace->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_DELETE_NAMESPACE;
		name = bop->delete_namespace->name;
		break;
	case NSRING__V1__BATCH_OP__OP_CREATE_LINK: {
		const Nsring__V1__Link *l = bop->create_link->link;
		it->m = ops_method("CreateLink");
		it->req = &bop->create_link->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_CREATE_LINK;
		ns = bop->create_link->namespace_;
		if (l && l->info_case == NSRING__V1__LINK__INFO_VETH && l->veth &&
		    ref_set(l->veth->peer_namespace))
			ns2 = l->veth->peer_namespace;
		break;
	}
	case NSRING__V1__BATCH_OP__OP_UPDATE_LINK:
		it->m = ops_method("UpdateLink");
		it->req = &bop->update_link->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_UPDATE_LINK;
		ns = bop->update_link->namespace_;
		if (ref_set(bop->update_link->move_to))
			ns2 = bop->update_link->move_to;
		break;
	case NSRING__V1__BATCH_OP__OP_DELETE_LINK:
		it->m = ops_method("DeleteLink");
		it->req = &bop->delete_link->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_DELETE_LINK;
		ns = bop->delete_link->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_CREATE_ADDRESS:
		it->m = ops_method("CreateAddress");
		it->req = &bop->create_address->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_CREATE_ADDRESS;
		ns = bop->create_address->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_DELETE_ADDRESS:
		it->m = ops_method("DeleteAddress");
		it->req = &bop->delete_address->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_DELETE_ADDRESS;
		ns = bop->delete_address->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_CREATE_ROUTE:
		it->m = ops_method("CreateRoute");
		it->req = &bop->create_route->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_CREATE_ROUTE;
		ns = bop->create_route->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_DELETE_ROUTE:
		it->m = ops_method("DeleteRoute");
		it->req = &bop->delete_route->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_DELETE_ROUTE;
		ns = bop->delete_route->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_GET_LINK:
		it->m = ops_method("GetLink");
		it->req = &bop->get_link->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_GET_LINK;
		ns = bop->get_link->namespace_;
		break;
	default:
		return false;
	}
	if (name) {
		it->keys[it->nkeys++] = op_printf(op, "n:%s", name ? name : "");
	} else {
		it->keys[it->nkeys++] = ref_key(op, ns);
		if (ns2) {
			const char *k2 = ref_key(op, ns2);
			if (strcmp(k2, it->keys[0]) != 0)
				it->keys[it->nkeys++] = k2;
		}
	}
	/* A veth made with its peer elsewhere goes out on its own namespace's socket alone,
	 * unless the peer is to be brought up (on the peer's socket); a move reads back there. */
	if (it->m->pipelined && it->nkeys > 1 &&
	    (bop->op_case == NSRING__V1__BATCH_OP__OP_UPDATE_LINK ||
	     (bop->op_case == NSRING__V1__BATCH_OP__OP_CREATE_LINK && bop->create_link->link &&
	      bop->create_link->link->up)))
		it->send_key = NULL;
	else if (it->m->pipelined)
		it->send_key = it->keys[0];
	return true;
}

/* ---- running items */

/* One of the item's predecessors is done (or has sent all it sends): queue it when none is
 * left. */
static void item_release(Batch *b, BatchItem *s)
{
	if (--s->waiting != 0 || s->queued)
		return;
	s->queued = true;
	s->next_ready = -1;
	if (b->ready_tail >= 0)
		b->items[b->ready_tail].next_ready = (int)(s - b->items);
	else
		b->ready_head = (int)(s - b->items);
	b->ready_tail = (int)(s - b->items);
}

static void item_finish(BatchItem *it, int code, const char *msg)
{
	Batch *b = it->b;

	it->finished = true;
	it->code = code;
	it->msg = msg;
	b->finished++;
	if (code != 0 && b->stop_on_error)
		b->stopping = true;
	for (unsigned k = 0; k < it->nkeys; k++) {
		KeyState *ks = it->ks[k];

		ks->running--;
		/* Released early already, or started with this one (a group delete): nothing to do. */
		if (it->succ[k] >= 0 && !it->released[k] && !b->items[it->succ[k]].started) {
			if (ks->running == 0)
				item_release(b, &b->items[it->succ[k]]);
			else
				ks->held = it->succ[k]; /* earlier ops of the chain still run */
		}
		if (ks->running == 0 && ks->held >= 0) {
			item_release(b, &b->items[ks->held]);
			ks->held = -1;
		}
	}
}

static void item_running(BatchItem *it)
{
	it->started = true;
	for (unsigned k = 0; k < it->nkeys; k++)
		it->ks[k]->running++;
}

void batch_op_sent_all(Op *op)
{
	BatchItem *it = op->item;
	bool any = false;
	Batch *b;

	if (!it)
		return;
	b = it->b;
	/* In stop mode the next op must not run if this one fails: it waits for the answer. The
	 * kernel orders one socket's requests, not two sockets': only where both ops send all
	 * their requests on the namespace they share does the next one go early. So a veth made
	 * from the host with its peer in a container releases the host's next op now, and the
	 * container's next op (on the container's socket) once it has answered. */
	if (b->stop_on_error || !it->send_key)
		return;
	for (unsigned k = 0; k < it->nkeys; k++) {
		BatchItem *s;

		if (it->released[k] || it->succ[k] < 0 || strcmp(it->keys[k], it->send_key) != 0)
			continue;
		s = &b->items[it->succ[k]];
		if (!s->send_key || strcmp(s->send_key, it->send_key) != 0)
			continue;
		it->released[k] = true;
		item_release(b, s);
		any = true;
	}
	if (any)
		batch_pump(b);
}

/* Keeps what a finished op replied: the top message is copied (it often lives on the op's
 * stack); everything below it is in the batch's arena already (op_alloc()). */
static void item_keep_reply(BatchItem *it, const ProtobufCMessage *resp)
{
	size_t size = resp->descriptor->sizeof_message;

	it->resp = memcpy(op_alloc(it->b->op, size), resp, size);
}

static void item_replied(void *userdata, int code, const char *msg, const ProtobufCMessage *resp)
{
	BatchItem *it = userdata;
	Batch *b = it->b;

	b->running--;
	if (code == 0)
		item_keep_reply(it, resp);
	item_finish(it, code, code ? op_strdup(b->op, msg) : NULL);
	batch_pump(b);
}

static void item_start(Batch *b, BatchItem *it)
{
	Op *sub = op_new(b->op->ops, it->m, b->op->deadline, item_replied, it);

	item_running(it);
	if (!sub) {
		item_finish(it, STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	sub->req = it->req;
	sub->req_borrowed = true;
	sub->batch = b;
	sub->parent = b->op;
	sub->item = it;
	sub->seq = (uint32_t)(it - b->items);
	sub->ns_key[0] = it->keys[0];
	sub->ns_key[1] = it->nkeys > 1 ? it->keys[1] : it->keys[0];
	b->running++;
	op_continue(sub);
}

/* ---- coalesced deletes */

static void group_send(Op *op)
{
	link_group_send(op, op->link_group);
}

static void group_start_step(Op *op)
{
	const Nsring__V1__DeleteLinkRequest *req = (void *)op->req;

	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, group_send);
}

static const OpMethod group_method = {
	"DeleteLink", &nsring__v1__delete_link_request__descriptor, group_start_step, true
};

typedef struct GroupRun {
	Batch *b;
	BatchGroup *g;
} GroupRun;

static void group_replied(void *userdata, int code, const char *msg, const ProtobufCMessage *resp)
{
	GroupRun *run = userdata;
	Batch *b = run->b;
	LinkGroup *lg = run->g->lg;

	b->running--;
	for (size_t i = 0; i < lg->n; i++) {
		BatchItem *it = run->g->items[i];
		int c = code ? code : lg->codes[i];
		const char *m = code ? msg : lg->msgs[i];

		if (!c) {
			Nsring__V1__DeleteLinkResponse *r = op_alloc(b->op, sizeof(*r));

			nsring__v1__delete_link_response__init(r);
			it->resp = &r->base;
		}
		item_finish(it, c, c ? op_strdup(b->op, m ? m : "DeleteLink failed") : NULL);
	}
	batch_pump(b);
}

/* A run of deletes in one namespace, each waiting only on the previous one. */
static size_t group_collect(Batch *b, BatchItem *first, BatchItem ***ret)
{
	BatchItem *it = first, **items;
	size_t n = 1;

	while (it->nkeys == 1 && it->succ[0] >= 0) {
		BatchItem *s = &b->items[it->succ[0]];
		if (s->m != first->m || s->nkeys != 1 || s->waiting != 1)
			break;
		it = s;
		n++;
	}
	if (n < 2)
		return 1;
	items = op_alloc(b->op, n * sizeof(*items));
	it = first;
	for (size_t i = 0; i < n; i++) {
		items[i] = it;
		if (i + 1 < n)
			it = &b->items[it->succ[0]];
	}
	*ret = items;
	return n;
}

static bool group_start(Batch *b, BatchItem *first)
{
	BatchItem **items = NULL;
	size_t n = group_collect(b, first, &items);
	BatchGroup *g;
	GroupRun *run;
	Op *sub;

	if (n < 2)
		return false;
	g = op_alloc(b->op, sizeof(*g));
	g->items = items;
	g->lg = link_group_new(b->op, n);
	for (size_t i = 0; i < n; i++)
		g->lg->reqs[i] = (const void *)items[i]->req;
	run = op_alloc(b->op, sizeof(*run));
	sub = op_new(b->op->ops, &group_method, b->op->deadline, group_replied, run);
	if (!sub)
		return false;
	run->b = b;
	run->g = g;
	for (size_t i = 0; i < n; i++)
		item_running(items[i]);
	sub->req = first->req;
	sub->req_borrowed = true;
	sub->batch = b;
	sub->parent = b->op;
	sub->ns_key[0] = sub->ns_key[1] = first->keys[0];
	sub->item = items[n - 1]; /* its successor follows the whole group */
	sub->seq = (uint32_t)(items[n - 1] - b->items);
	sub->link_group = g->lg;
	b->running++;
	op_continue(sub);
	return true;
}

/* ---- the batch */

static void batch_reply(Batch *b)
{
	Nsring__V1__BatchResponse resp = NSRING__V1__BATCH_RESPONSE__INIT;
	Op *op = b->op;

	resp.n_results = b->n;
	resp.results = op_alloc(op, (b->n ? b->n : 1) * sizeof(*resp.results));
	for (size_t i = 0; i < b->n; i++) {
		BatchItem *it = &b->items[i];
		Nsring__V1__BatchResult *r = op_alloc(op, sizeof(*r));

		nsring__v1__batch_result__init(r);
		if (!it->started) {
			r->code = STATUS_ABORTED;
			r->message = "not run: an earlier operation of the batch failed";
			resp.aborted++;
		} else {
			r->code = it->code;
			if (it->msg)
				r->message = (char *)it->msg;
			if (it->code)
				resp.failed++;
		}
		if (it->started && it->code == 0 && it->resp) {
			r->result_case = it->result_case;
			/* Every member of the oneof is a message pointer at the same place. */
			r->create_namespace = (void *)it->resp;
		}
		resp.results[i] = r;
	}
	b->replied = true;
	for (size_t i = 0; i < b->map_cap; i++)
		if (b->map[i].used && b->map[i].ns)
			netns_unref(b->map[i].ns);
	op->pending = 0;
	op_reply(op, &resp.base);
}

static void batch_pump(Batch *b)
{
	if (b->pumping || b->replied)
		return;
	b->pumping = true;
	/* Items that finish at once (bad input) release their successors into the queue: a
	 * loop, not recursion, however long the chain. */
	while (b->ready_head >= 0 && !b->stopping && b->running < BATCH_MAX_RUNNING) {
		BatchItem *it = &b->items[b->ready_head];

		b->ready_head = it->next_ready;
		if (b->ready_head < 0)
			b->ready_tail = -1;
		if (it->started)
			continue;
		if (it->m->start == ops_delete_link && group_start(b, it))
			continue;
		item_start(b, it);
	}
	b->pumping = false;
	if (b->running == 0 && (b->finished == b->n || b->stopping))
		batch_reply(b);
}

void ops_batch(Op *op)
{
	const Nsring__V1__BatchRequest *req = (void *)op->req;
	Batch *b;
	struct {
		const char *key;
		int last;
		KeyState *ks;
	} *last;
	size_t last_cap;

	if (req->n_ops > BATCH_MAX_OPS) {
		op_fail(op, STATUS_RESOURCE_EXHAUSTED, "%zu operations: a batch takes at most %d",
			req->n_ops, BATCH_MAX_OPS);
		return;
	}
	b = op_alloc(op, sizeof(*b));
	b->op = op;
	b->n = req->n_ops;
	b->stop_on_error = req->mode == NSRING__V1__BATCH_MODE__BATCH_MODE_STOP_ON_ERROR;
	b->ready_head = b->ready_tail = -1;
	b->items = op_alloc(op, (b->n ? b->n : 1) * sizeof(*b->items));

	/* The last item seen per key, to chain each item behind its predecessors. */
	last_cap = 64;
	while (last_cap < 4 * b->n)
		last_cap *= 2;
	last = op_alloc(op, last_cap * sizeof(*last));
	for (size_t i = 0; i < b->n; i++) {
		BatchItem *it = &b->items[i];

		it->b = b;
		it->succ[0] = it->succ[1] = -1;
		if (!req->ops[i] || !item_describe(op, req->ops[i], it)) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "operation %zu of the batch is empty", i);
			return;
		}
		for (unsigned k = 0; k < it->nkeys; k++) {
			size_t h = map_hash(it->keys[k], "") & (last_cap - 1);
			while (last[h].key && strcmp(last[h].key, it->keys[k]) != 0)
				h = (h + 1) & (last_cap - 1);
			if (last[h].key) {
				BatchItem *p = &b->items[last[h].last];
				for (unsigned pk = 0; pk < p->nkeys; pk++)
					if (strcmp(p->keys[pk], it->keys[k]) == 0)
						p->succ[pk] = (int)i;
				it->waiting++;
			}
			if (!last[h].key) {
				last[h].ks = op_alloc(op, sizeof(KeyState));
				last[h].ks->held = -1;
			}
			it->ks[k] = last[h].ks;
			last[h].key = it->keys[k];
			last[h].last = (int)i;
		}
	}
	for (size_t i = 0; i < b->n; i++) {
		BatchItem *it = &b->items[i];
		if (it->waiting == 0) {
			it->queued = true;
			it->next_ready = -1;
			if (b->ready_tail >= 0)
				b->items[b->ready_tail].next_ready = (int)i;
			else
				b->ready_head = (int)i;
			b->ready_tail = (int)i;
		}
	}
	/* The call stays open (pending) until every item has answered. */
	op->pending = 1;
	batch_pump(b);
}
