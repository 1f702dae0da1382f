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

typedef struct Batch Batch;

/* One namespace key's chain: its ops started and not finished, and a successor held back
 * because its predecessor finished while earlier ops of the chain, which pipelining let it
 * overtake, still run. An op that waits for answers (a DeleteNamespace, an op on two sockets)
 * must wait for all of them, not just its direct predecessor. */
typedef struct KeyState {
	HNode node; /* in ops_batch()'s index of keys while it chains the items */
	const char *key;
	int last; /* the last item naming key so far (while chaining) */
	unsigned running;
	int held; /* item released once running drops to 0, or -1 */
} KeyState;

typedef struct BatchItem {
	Batch *b;
	const OpMethod *m;
	ProtobufCMessage *req;
	int result_case;     /* the BatchResult oneof member for this op */
	const char *keys[2]; /* namespaces it names (ordering and name map) */
	KeyState *ks[2];
	unsigned nkeys;
	int succ[2];	  /* the next item naming keys[k], or -1 */
	unsigned waiting; /* earlier items (per key) not finished yet */
	bool started, finished, queued;
	/* The one namespace whose socket carries all its requests (NULL: it sends on two, or it is
	 * not a pipelined op); and which successor edges were released early (pipelining). */
	const char *send_key;
	bool released[2];
	int next_ready; /* ready queue link */
	int code;
	const char *msg;
	bool already_done;	/* ensure: it found its work done */
	ProtobufCMessage *resp; /* copy in the batch's arena */
} BatchItem;

struct Batch {
	Op *op; /* the Batch call: owns the request and every reply's memory */
	BatchItem *items;
	size_t n, finished, running;
	bool stop_on_error, stopping, pumping, replied;
	bool ensure; /* BatchRequest.ensure: every op with ensure semantics */
	int ready_head, ready_tail;
	NameMap names; /* ops-names.c */
};

static void batch_pump(Batch *b);
static const char *ref_key(Op *op, const Nsring__V1__NamespaceRef *ref);

NameMap *batch_names(Batch *b)
{
	return &b->names;
}

const char *batch_ns_key(Op *op, const Nsring__V1__NamespaceRef *ref)
{
	return op->batch ? ref_key(op, ref) : NULL;
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
	case NSRING__V1__BATCH_OP__OP_CREATE_RULE:
		it->m = ops_method("CreateRule");
		it->req = &bop->create_rule->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_CREATE_RULE;
		ns = bop->create_rule->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_DELETE_RULE:
		it->m = ops_method("DeleteRule");
		it->req = &bop->delete_rule->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_DELETE_RULE;
		ns = bop->delete_rule->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_CREATE_NEXTHOP:
		it->m = ops_method("CreateNexthop");
		it->req = &bop->create_nexthop->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_CREATE_NEXTHOP;
		ns = bop->create_nexthop->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_DELETE_NEXTHOP:
		it->m = ops_method("DeleteNexthop");
		it->req = &bop->delete_nexthop->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_DELETE_NEXTHOP;
		ns = bop->delete_nexthop->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_GET_LINK:
		it->m = ops_method("GetLink");
		it->req = &bop->get_link->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_GET_LINK;
		ns = bop->get_link->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_GET_SYSCTL:
		it->m = ops_method("GetSysctl");
		it->req = &bop->get_sysctl->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_GET_SYSCTL;
		ns = bop->get_sysctl->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_SET_SYSCTL:
		it->m = ops_method("SetSysctl");
		it->req = &bop->set_sysctl->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_SET_SYSCTL;
		ns = bop->set_sysctl->namespace_;
		break;
		/* Traffic control: one namespace each. */
#define TC_OP(CASE, method, member)                                                                \
	case NSRING__V1__BATCH_OP__OP_##CASE:                                                      \
		it->m = ops_method(method);                                                        \
		it->req = &bop->member->base;                                                      \
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_##CASE;                         \
		ns = bop->member->namespace_;                                                      \
		break;
		TC_OP(CREATE_QDISC, "CreateQdisc", create_qdisc)
		TC_OP(DELETE_QDISC, "DeleteQdisc", delete_qdisc)
		TC_OP(CREATE_CLASS, "CreateClass", create_class)
		TC_OP(DELETE_CLASS, "DeleteClass", delete_class)
		TC_OP(CREATE_FILTER, "CreateFilter", create_filter)
		TC_OP(DELETE_FILTER, "DeleteFilter", delete_filter)
#undef TC_OP
	case NSRING__V1__BATCH_OP__OP_UPDATE_BRIDGE_PORT:
		it->m = ops_method("UpdateBridgePort");
		it->req = &bop->update_bridge_port->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_UPDATE_BRIDGE_PORT;
		ns = bop->update_bridge_port->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_CREATE_BRIDGE_VLAN:
		it->m = ops_method("CreateBridgeVlan");
		it->req = &bop->create_bridge_vlan->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_CREATE_BRIDGE_VLAN;
		ns = bop->create_bridge_vlan->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_DELETE_BRIDGE_VLAN:
		it->m = ops_method("DeleteBridgeVlan");
		it->req = &bop->delete_bridge_vlan->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_DELETE_BRIDGE_VLAN;
		ns = bop->delete_bridge_vlan->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_LIST_BRIDGE_VLANS:
		it->m = ops_method("ListBridgeVlans");
		it->req = &bop->list_bridge_vlans->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_LIST_BRIDGE_VLANS;
		ns = bop->list_bridge_vlans->namespace_;
		break;
	/* Neighbours and FDB entries (ops-neigh.c). */
	case NSRING__V1__BATCH_OP__OP_CREATE_NEIGHBOR:
		it->m = ops_method("CreateNeighbor");
		it->req = &bop->create_neighbor->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_CREATE_NEIGHBOR;
		ns = bop->create_neighbor->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_DELETE_NEIGHBOR:
		it->m = ops_method("DeleteNeighbor");
		it->req = &bop->delete_neighbor->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_DELETE_NEIGHBOR;
		ns = bop->delete_neighbor->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_CREATE_FDB_ENTRY:
		it->m = ops_method("CreateFdbEntry");
		it->req = &bop->create_fdb_entry->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_CREATE_FDB_ENTRY;
		ns = bop->create_fdb_entry->namespace_;
		break;
	case NSRING__V1__BATCH_OP__OP_DELETE_FDB_ENTRY:
		it->m = ops_method("DeleteFdbEntry");
		it->req = &bop->delete_fdb_entry->base;
		it->result_case = NSRING__V1__BATCH_RESULT__RESULT_DELETE_FDB_ENTRY;
		ns = bop->delete_fdb_entry->namespace_;
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
	/* A tun/tap is made by a helper thread, not on the socket: it waits its turn. */
	if (bop->op_case == NSRING__V1__BATCH_OP__OP_CREATE_LINK && bop->create_link->link &&
	    bop->create_link->link->info_case == NSRING__V1__LINK__INFO_TUN)
		it->send_key = NULL;
	else if (it->m->pipelined && it->nkeys > 1 &&
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
		/* Released early already, or started with this one (a group delete): nothing to do.
		 */
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
	if (code == 0) {
		item_keep_reply(it, resp);
		it->already_done = ensure_resp_already_done(resp);
	}
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
	sub->ensure = b->ensure;
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

/* A run of deletes going out as one group delete (ops-linkdel.c). */
typedef struct GroupRun {
	Batch *b;
	BatchItem **items;
	size_t n;
	LinkGroup *lg;
} GroupRun;

static void group_replied(void *userdata, int code, const char *msg, const ProtobufCMessage *resp)
{
	GroupRun *run = userdata;
	Batch *b = run->b;

	(void)resp;
	b->running--;
	for (size_t i = 0; i < run->n; i++) {
		BatchItem *it = run->items[i];
		const char *m = msg;
		int c = code ? code : link_group_result(run->lg, i, &m);
		const Nsring__V1__DeleteLinkRequest *req = (const void *)it->req;
		bool gone = false;

		/* Ensure: a member already gone is done (the whole group's failure is not). */
		if (!code && c == STATUS_NOT_FOUND && (b->ensure || req->ensure))
			c = 0, gone = true;
		if (!c) {
			Nsring__V1__DeleteLinkResponse *r = op_alloc(b->op, sizeof(*r));

			nsring__v1__delete_link_response__init(r);
			r->already_done = gone;
			it->already_done = gone;
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
	GroupRun *run;
	Op *sub;

	if (n < 2)
		return false;
	run = op_alloc(b->op, sizeof(*run));
	run->lg = link_group_new(b->op, n);
	for (size_t i = 0; i < n; i++)
		link_group_set(run->lg, i, (const void *)items[i]->req);
	sub = op_new(b->op->ops, &link_group_method, b->op->deadline, group_replied, run);
	if (!sub)
		return false;
	run->b = b;
	run->items = items;
	run->n = n;
	for (size_t i = 0; i < n; i++)
		item_running(items[i]);
	sub->req = first->req;
	sub->req_borrowed = true;
	sub->ensure = b->ensure;
	sub->batch = b;
	sub->parent = b->op;
	sub->ns_key[0] = sub->ns_key[1] = first->keys[0];
	sub->item = items[n - 1]; /* its successor follows the whole group */
	sub->seq = (uint32_t)(items[n - 1] - b->items);
	sub->scratch = run->lg;
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
			r->already_done = it->code == 0 && it->already_done;
		}
		if (it->started && it->code == 0 && it->resp) {
			r->result_case = it->result_case;
			/* Every member of the oneof is a message pointer at the same place. */
			r->create_namespace = (void *)it->resp;
		}
		resp.results[i] = r;
	}
	b->replied = true;
	name_map_release(&b->names);
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
	HMap keys = HMAP_INIT; /* KeyState by key, to chain each item behind its predecessors */

	if (req->n_ops > BATCH_MAX_OPS) {
		op_fail(op, STATUS_RESOURCE_EXHAUSTED, "%zu operations: a batch takes at most %d",
			req->n_ops, BATCH_MAX_OPS);
		return;
	}
	b = op_alloc(op, sizeof(*b));
	b->op = op;
	b->n = req->n_ops;
	b->stop_on_error = req->mode == NSRING__V1__BATCH_MODE__BATCH_MODE_STOP_ON_ERROR;
	b->ensure = req->ensure;
	b->ready_head = b->ready_tail = -1;
	name_map_init(&b->names, op);
	b->items = op_alloc(op, (b->n ? b->n : 1) * sizeof(*b->items));

	for (size_t i = 0; i < b->n; i++) {
		BatchItem *it = &b->items[i];

		it->b = b;
		it->succ[0] = it->succ[1] = -1;
		if (!req->ops[i] || !item_describe(op, req->ops[i], it)) {
			hmap_clear(&keys);
			/* Also what an operation Batch does not take looks like (an unknown
			 * member): OpenSocket, OpenNamespace and Netlink are not in it. */
			op_fail(op, STATUS_INVALID_ARGUMENT,
				"operation %zu of the batch is empty or of a kind Batch does not "
				"take "
				"(OpenSocket, OpenNamespace and Netlink are called on their own)",
				i);
			return;
		}
		for (unsigned k = 0; k < it->nkeys; k++) {
			uint64_t h = hmap_hash_str(HMAP_HASH_SEED, it->keys[k]);
			KeyState *ks = NULL;
			HNode *node;

			hmap_for_hash(&keys, h, node) {
				KeyState *c = container_of(node, KeyState, node);
				if (strcmp(c->key, it->keys[k]) == 0) {
					ks = c;
					break;
				}
			}
			if (ks) {
				BatchItem *p = &b->items[ks->last];
				for (unsigned pk = 0; pk < p->nkeys; pk++)
					if (strcmp(p->keys[pk], it->keys[k]) == 0)
						p->succ[pk] = (int)i;
				it->waiting++;
			} else {
				ks = op_alloc(op, sizeof(*ks));
				ks->key = it->keys[k];
				ks->held = -1;
				if (hmap_insert(&keys, &ks->node, h) < 0) {
					hmap_clear(&keys);
					op_fail(op, STATUS_RESOURCE_EXHAUSTED, "out of memory");
					return;
				}
			}
			it->ks[k] = ks;
			ks->last = (int)i;
		}
	}
	hmap_clear(&keys);
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
