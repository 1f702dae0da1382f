/* The operation engine: each call is an Op that opens its namespaces, sends netlink requests
 * (pipelined on one connection where the kernel's in-order processing allows), and replies
 * once every request it sent has answered. Method bodies live in ops-*.c. */
#include "ops-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/status.h"
#include "nlconn/nlevents.h"
#include "ops-tc-internal.h"

/* Netlink receive buffers shared by every namespace's connection: only touched pages cost
 * memory, so 10,000 idle namespaces cost nothing here. */
#define NL_BUF_COUNT 1024
#define NL_BUF_SIZE  16384
#define NL_BUF_GROUP 1

/* ---- arena: everything an Op builds for its reply dies with it */

/* Bump allocation in blocks that grow from 1 KiB to 64 KiB: an op makes a dozen small
 * allocations (names for error messages, its reply), which cost a malloc each otherwise. */
#define OP_BLOCK_MIN 1024u
#define OP_BLOCK_MAX 65536u

typedef struct OpBlock {
	struct OpBlock *next;
	size_t used, cap;
	max_align_t data[];
} OpBlock;

static OpBlock *op_block_new(size_t cap, OpBlock *next)
{
	OpBlock *b = malloc(sizeof(*b) + cap);

	if (!b)
		abort(); /* tiny allocations; failing here has no sane recovery mid-reply */
	b->next = next;
	b->used = 0;
	b->cap = cap;
	return b;
}

void *op_alloc(Op *op, size_t n)
{
	OpBlock *b;
	void *p;

	/* A batch's ops allocate from the batch: it keeps their replies until it answers. */
	while (op->parent)
		op = op->parent;
	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	b = op->mem;
	if (n > OP_BLOCK_MAX / 4) {
		/* Big: a block of its own behind the current one, which stays current. */
		OpBlock *big = op_block_new(n, b ? b->next : NULL);

		if (b)
			b->next = big;
		else
			op->mem = big;
		big->used = n;
		return memset(big->data, 0, n);
	}
	if (!b || b->cap - b->used < n) {
		size_t cap = b ? b->cap * 2 : OP_BLOCK_MIN;

		while (cap < n)
			cap *= 2; /* n <= OP_BLOCK_MAX / 4 */
		b = op->mem = op_block_new(cap > OP_BLOCK_MAX ? OP_BLOCK_MAX : cap, b);
	}
	p = (char *)b->data + b->used;
	b->used += n;
	return memset(p, 0, n);
}

char *op_strdup(Op *op, const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(op_alloc(op, n), s, n);
}

char *op_printf(Op *op, const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return op_strdup(op, buf);
}

void *op_grow(Op *op, void *arr, size_t *cap, size_t n, size_t elem)
{
	void *p;

	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 16;
	p = op_alloc(op, *cap * elem);
	if (n)
		memcpy(p, arr, n * elem);
	return p;
}

/* ---- lifetime and replies */

/* Before the reply: replying may free the arena the method's state lives in (the last op of a
 * batch answers the batch). */
static void op_cleanup(Op *op)
{
	void (*fn)(Op * op) = op->cleanup;

	op->cleanup = NULL;
	if (fn)
		fn(op);
}

static void op_free(Op *op)
{
	Ops *ops = op->ops;

	if (op->alive)
		*op->alive = false;
	op_cleanup(op);
	if (op->owned_fd >= 0)
		close(op->owned_fd);
	for (unsigned i = 0; i < ARRAY_SIZE(op->ns); i++)
		if (op->ns[i])
			netns_unref(op->ns[i]);
	while (op->mem) {
		OpBlock *b = op->mem;
		op->mem = b->next;
		free(b);
	}
	if (op->req && !op->req_borrowed)
		protobuf_c_message_free_unpacked(op->req, NULL);
	free(op);
	ops->outstanding--;
}

void op_reply(Op *op, const ProtobufCMessage *resp)
{
	op_cleanup(op);
	/* Every reply is a message the step built (on its stack or in the arena) for this. */
	if (op->already_done && resp)
		ensure_resp_set_already_done((ProtobufCMessage *)resp);
	op->reply(op->userdata, 0, NULL, resp);
	op_free(op);
}

void op_reply_fd(Op *op, const ProtobufCMessage *resp, int fd)
{
	op->fd_reply(op->userdata, resp, fd);
	op_free(op);
}

static void op_reply_error(Op *op)
{
	op_cleanup(op);
	op->reply(op->userdata, op->err_code, op->err_msg, NULL);
	op_free(op);
}

/* Records the first failure; the reply goes out once nothing is pending. */
void op_fail(Op *op, int code, const char *fmt, ...)
{
	char buf[1536];
	va_list ap;
	int n;

	if (op->err_code)
		return;
	n = snprintf(buf, sizeof(buf), "%s: ", op->m->name);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	op->err_code = code ? code : STATUS_UNKNOWN;
	op->err_msg = op_strdup(op, buf);
}

/* The status and message for a failed request on "what" (the message lacks the method). */
static char *op_errno_message(Op *op, int err, const char *what, const char *extack, int *ret_code)
{
	char buf[1024];

	*ret_code = ops_errno_status(err, what, extack, buf, sizeof(buf));
	return op_strdup(op, buf);
}

void op_fail_errno(Op *op, int err, const char *what, const char *extack)
{
	int code;
	const char *msg = op_errno_message(op, err, what, extack, &code);

	op_fail(op, code, "%s", msg);
}

void op_then(Op *op, op_step_fn next)
{
	op->next = next;
}

void op_then_final(Op *op, op_step_fn next)
{
	op->next = next;
	if (op->item)
		batch_op_sent_all(op);
}

/* No step runs past the deadline or for a caller who is gone: a cancelled batch or one out of
 * time stops creating namespaces and links nobody will hear about. */
static bool op_stopped(Op *op)
{
	const Op *root = op;

	if (op->internal)
		return false; /* its members decide for themselves once it has answered */
	while (root->parent)
		root = root->parent;
	if (op->ops->cancelled && op->ops->cancelled(root->userdata)) {
		op_fail(op, STATUS_CANCELLED, "cancelled: the client cancelled the call or left");
		return true;
	}
	if (op->deadline && loop_now(op->ops->loop) >= op->deadline) {
		op_fail(op, STATUS_DEADLINE_EXCEEDED, "deadline exceeded");
		return true;
	}
	return false;
}

/* Runs the next step once nothing is pending; replies the error if one was recorded. Only
 * callbacks and ops_call() run it, never a step itself, but it can nest: a batch step starts
 * the batch's next op, whose step may close a socket and so fail this op's requests, whose
 * callbacks run it again. Each level tells the one outside it that the op is gone. */
void op_continue(Op *op)
{
	bool alive = true, *outer = op->alive;

	op->alive = &alive;
	while (op->pending == 0) {
		op_step_fn step = op->next;

		if (op->err_code) {
			op_reply_error(op);
			if (outer)
				*outer = false;
			return;
		}
		if (!step) {
			op_fail(op, STATUS_INTERNAL, "operation ended without a reply");
			continue;
		}
		if (op_stopped(op))
			continue; /* replies the failure op_stopped() recorded */
		op->next = NULL;
		step(op); /* replies (and frees op), or sends and sets the next step */
		if (!alive) {
			if (outer)
				*outer = false;
			return;
		}
	}
	op->alive = outer;
}

/* ---- namespaces */

typedef struct OpNsWait {
	Op *op;
	unsigned slot;
	const char *what;
	const char *key; /* in a batch: remember the namespace for the batch's later ops */
} OpNsWait;

void ops_conn_attach(Ops *ops, Netns *ns)
{
	OpsNs *ons;
	int fd, r;

	if (ns->priv)
		return;
	fd = netns_take_nl_fd(ns);
	if (fd < 0)
		return; /* already closed: op_conn() reports it */
	ons = calloc(1, sizeof(*ons));
	r = ons ? nlconn_new(&ons->conn, ops->loop, ops->br, fd) : -ENOMEM;
	if (r < 0) {
		log_debug("ops: netlink connection setup failed: %s", strerror(-r));
		free(ons);
		close(fd);
		return;
	}
	ns->priv = ons;
}

static void op_ns_error(Op *op, int r, const char *what)
{
	char msg[1024];
	int code = ops_ns_error(r, what, msg, sizeof(msg));

	op_fail(op, code, "%s", msg);
}

static void op_ns_opened(void *userdata, int r, Netns *ns)
{
	OpNsWait *w = userdata;
	Op *op = w->op;

	op->pending--;
	if (r < 0) {
		op_ns_error(op, r, w->what);
	} else if (op->ns[w->slot]) {
		netns_unref(ns); /* cannot happen: one open per slot */
	} else {
		op->ns[w->slot] = ns;
		ops_conn_attach(op->ops, ns);
		if (w->key && ns->priv)
			batch_ns_remember(op, w->key, ns);
	}
	op_continue(op);
}

const char *op_ns_describe(Op *op, const Nsring__V1__NamespaceRef *ref)
{
	char what[600], msg[1024];
	NetnsRef nref;

	ops_ns_ref_resolve(ref, &nref, what, sizeof(what), msg, sizeof(msg));
	return op_strdup(op, what);
}

bool op_open_ns(Op *op, unsigned slot, const Nsring__V1__NamespaceRef *ref)
{
	char what_buf[600], msg[1024];
	const char *what;
	NetnsRef nref;
	OpNsWait *w;
	int r;

	r = ops_ns_ref_resolve(ref, &nref, what_buf, sizeof(what_buf), msg, sizeof(msg));
	if (r) {
		op_fail(op, r, "%s", msg);
		return false;
	}
	what = op_strdup(op, what_buf);
	if (op->batch) {
		/* Opened by an earlier op of the batch: no reopen, no wait for the loop. */
		const char *key = batch_ns_key(op, ref);
		Netns *ns = batch_ns_cached(op, key);

		if (ns && !op->ns[slot]) {
			op->ns[slot] = netns_ref(ns);
			return true;
		}
		w = op_alloc(op, sizeof(*w));
		*w = (OpNsWait){ .op = op, .slot = slot, .what = what, .key = key };
	} else {
		w = op_alloc(op, sizeof(*w));
		*w = (OpNsWait){ .op = op, .slot = slot, .what = what };
	}
	r = netns_open(op->ops->reg, &nref, op_ns_opened, w);
	if (r < 0) {
		op_ns_error(op, r, what);
		return false;
	}
	op->pending++;
	return true;
}

NlConn *op_conn(Op *op, unsigned slot)
{
	NlConn *c = ops_ns_conn(op->ns[slot]);

	if (!c) {
		op_fail(op, STATUS_NOT_FOUND,
			"the namespace was deleted or its netlink socket "
			"could not be set up");
		return NULL;
	}
	return c;
}

/* ---- netlink requests */

/* Appends v to the op-owned array arr of n elements (capacity cap), growing it as needed. */
#define OP_APPEND(op, arr, n, cap, v)                                                              \
	do {                                                                                       \
		(arr) = op_grow((op), (arr), &(cap), (n), sizeof(*(arr)));                         \
		(arr)[(n)++] = (v);                                                                \
	} while (0)

static void op_nl_msg(void *userdata, const struct nlmsghdr *nlh)
{
	OpNl *nl = userdata;
	Op *op = nl->op;

	if (nl->hooks) {
		if (nl->hooks->msg)
			nl->hooks->msg(nl, nlh);
		return;
	}
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK: {
		RtnlLink l;
		if (rtnl_link_parse(nlh, &l) < 0)
			return;
		if (!nl->no_learn)
			op_link_learn(op, nl->slot, &l);
		if (nl->ret_link) {
			*nl->ret_link = l;
			nl->got = true;
		}
		if (nl->ret_index) {
			*nl->ret_index = l.index;
			nl->got = true;
		}
		if (nl->collect)
			OP_APPEND(op, op->dump.links, op->dump.nlinks, op->dump.links_cap, l);
		break;
	}
	case RTM_NEWADDR: {
		RtnlAddr a;

		if (nl->collect && rtnl_addr_parse(nlh, &a) == 0)
			OP_APPEND(op, op->dump.addrs, op->dump.naddrs, op->dump.addrs_cap, a);
		break;
	}
	case RTM_NEWRULE: {
		RtnlRule r;

		if (nl->collect && rtnl_rule_parse(nlh, &r) == 0)
			OP_APPEND(op, op->dump.rules, op->dump.nrules, op->dump.rules_cap, r);
		break;
	}
	case RTM_NEWNEXTHOP: {
		RtnlNexthop nh;

		if (nl->collect && rtnl_nexthop_parse(nlh, &nh) == 0)
			OP_APPEND(op, op->dump.nexthops, op->dump.nnexthops, op->dump.nexthops_cap,
				  nh);
		break;
	}
	case RTM_NEWROUTE: {
		RtnlRoute rt;

		if (nl->collect && rtnl_route_parse(nlh, &rt) == 0)
			OP_APPEND(op, op->dump.routes, op->dump.nroutes, op->dump.routes_cap, rt);
		break;
	}
	case RTM_NEWNEIGH: {
		RtnlNeigh n;

		if (nl->collect && rtnl_neigh_parse(nlh, &n) == 0)
			OP_APPEND(op, op->dump.neighs, op->dump.nneighs, op->dump.neighs_cap, n);
		break;
	}
	default:
		break;
	}
}

static void op_nl_restart(void *userdata)
{
	OpNl *nl = userdata;

	if (nl->hooks) {
		if (nl->hooks->restart)
			nl->hooks->restart(nl);
		return;
	}
	/* Only one dump of each kind runs per op, so a restart clears that kind. */
	switch (nl->collect) {
	case RTM_GETLINK:
		nl->op->dump.nlinks = 0;
		break;
	case RTM_GETADDR:
		nl->op->dump.naddrs = 0;
		break;
	case RTM_GETROUTE:
		nl->op->dump.nroutes = 0;
		break;
	case RTM_GETNEIGH:
		nl->op->dump.nneighs = 0;
		break;
	case RTM_GETRULE:
		nl->op->dump.nrules = 0;
		break;
	case RTM_GETNEXTHOP:
		nl->op->dump.nnexthops = 0;
		break;
	}
}

/* Ensure: an EEXIST or a "not found" the op tolerates is recorded, not failed. */
static bool op_found_record(Op *op, OpNl *nl, int error, const char *extack)
{
	OpFound *f = nl->found;
	bool gone =
		error == -ENODEV || error == -ENOENT || error == -ESRCH || error == -EADDRNOTAVAIL;

	if (!(error == -EEXIST && nl->exists_ok) && !(gone && nl->gone_ok))
		return false;
	if (error == -EEXIST)
		f->exists = true;
	else
		f->gone = true;
	if (!f->msg) {
		if (error == -ENODEV && nl->not_found) {
			f->code = STATUS_NOT_FOUND;
			f->msg = op_printf(op, "%s not found", nl->what);
		} else {
			f->msg = op_errno_message(op, error, nl->what, extack, &f->code);
		}
	}
	return true;
}

static void op_nl_done(void *userdata, int error, const char *extack)
{
	OpNl *nl = userdata;
	Op *op = nl->op;

	op->pending--;
	if (error < 0 && nl->found && op_found_record(op, nl, error, extack)) {
		/* Ensure: the op's next step judges what the kernel found. */
	} else if (error < 0 && nl->hooks && nl->hooks->error &&
		   nl->hooks->error(nl, error, extack)) {
		/* judged by the method */
	} else if (error < 0 && nl->ret_code) {
		/* The caller sorts this request's failure out itself (a batch's group delete). */
		if (error == -ENODEV && nl->not_found) {
			*nl->ret_code = STATUS_NOT_FOUND;
			*nl->ret_msg = op_printf(op, "%s: %s not found", op->m->name, nl->what);
		} else {
			char *m = op_errno_message(op, error, nl->what, extack, nl->ret_code);
			*nl->ret_msg = op_printf(op, "%s: %s", op->m->name, m);
		}
	} else if (error < 0) {
		if (error == -EOPNOTSUPP && nl->unsupported)
			op_fail_errno(op, error, nl->unsupported, extack);
		else if (error == -ENODEV && nl->not_found)
			op_fail(op, STATUS_NOT_FOUND, "%s not found", nl->what);
		else
			op_fail_errno(op, error, nl->what, extack);
	} else if ((nl->ret_link || nl->ret_index) && !nl->got) {
		op_fail(op, STATUS_INTERNAL, "%s: the kernel acknowledged but sent no data",
			nl->what);
	}
	op_continue(op);
}

static const NlConnHandler op_nl_handler = {
	.msg = op_nl_msg,
	.restart = op_nl_restart,
	.done = op_nl_done,
};

OpNl *op_send(Op *op, unsigned slot, const void *buf, int len, const char *what)
{
	uint64_t timeout = 0, now;
	NlConn *c;
	OpNl *nl;
	int r;

	if (op->err_code)
		return NULL; /* an earlier step failed: don't start more work */
	if (len < 0) {
		op_fail(op, len == -ENOBUFS ? STATUS_INVALID_ARGUMENT : status_from_errno(len),
			"%s: could not build the request: %s", what, errno_name(len));
		return NULL;
	}
	if (op->deadline) {
		now = loop_now(op->ops->loop);
		if (op->deadline <= now) {
			op_fail(op, STATUS_DEADLINE_EXCEEDED, "%s: deadline exceeded", what);
			return NULL;
		}
		timeout = op->deadline - now;
	}
	if (op->ops->delgroups)
		delgroup_cut(op->ns[slot]); /* keep the namespace's order */
	c = op_conn(op, slot);
	if (!c)
		return NULL;
	netns_touch(op->ns[slot]); /* for the idle close */
	nl = op_alloc(op, sizeof(*nl));
	nl->op = op;
	nl->what = what;
	nl->slot = slot;
	r = nlconn_send(c, buf, (size_t)len, &op_nl_handler, nl, timeout);
	if (r < 0) {
		op_fail_errno(op, r, what, NULL);
		return NULL;
	}
	op->pending++;
	return nl;
}

OpNl *op_get_link(Op *op, unsigned slot, uint32_t index, const char *name, RtnlLink *ret_link,
		  uint32_t *ret_index)
{
	uint8_t buf[512];
	const char *what = index && !(name && *name) ? op_printf(op, "link index %u", index)
						     : op_printf(op, "link \"%s\"", name);
	OpNl *nl;

	/* Only an index is wanted and a batch learned it (or it is lo): no round trip. */
	if (ret_index && !ret_link && name && *name && op_index_lookup(op, slot, name, ret_index))
		return NULL;
	nl = op_send(op, slot, buf,
		     rtnl_link_get(buf, sizeof(buf), name && *name ? 0 : index, name), what);
	if (nl) {
		nl->ret_link = ret_link;
		nl->ret_index = ret_index;
		nl->not_found = true;
	}
	return nl;
}

uint8_t op_af(uint32_t family)
{
	return family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
}

bool op_list_family_ok(Op *op, uint32_t family)
{
	if (family == 0 || family == 4 || family == 6)
		return true;
	op_fail(op, STATUS_INVALID_ARGUMENT, "family must be 4, 6 or 0 (both), not %u", family);
	return false;
}

void op_dump_after_links(Op *op, int what, uint32_t family, op_step_fn next)
{
	/* Links first; the connection runs one dump at a time, in order. */
	op_dump(op, RTM_GETLINK, AF_UNSPEC);
	op_dump(op, what, op_af(family));
	op_then(op, next);
}

OpNl *op_dump(Op *op, int what, uint8_t family)
{
	uint8_t buf[512];
	int len;
	OpNl *nl;

	switch (what) {
	case RTM_GETLINK:
		len = rtnl_link_dump(buf, sizeof(buf), 0, NULL);
		break;
	case RTM_GETADDR:
		len = rtnl_addr_dump(buf, sizeof(buf), family, 0);
		break;
	case RTM_GETRULE:
		len = rtnl_rule_dump(buf, sizeof(buf), family);
		break;
	case RTM_GETNEXTHOP:
		len = rtnl_nexthop_dump(buf, sizeof(buf), 0);
		break;
	default:
		len = rtnl_route_dump(buf, sizeof(buf), family);
		break;
	}
	nl = op_send(op, 0, buf, len,
		     what == RTM_GETLINK      ? "list links"
		     : what == RTM_GETADDR    ? "list addresses"
		     : what == RTM_GETRULE    ? "list rules"
		     : what == RTM_GETNEXTHOP ? "list nexthops"
					      : "list routes");
	if (nl)
		nl->collect = what;
	return nl;
}

/* ---- dispatch (the method table is ops-methods.c) */

Op *op_new(Ops *ops, const OpMethod *m, uint64_t deadline, ops_reply_cb reply, void *userdata)
{
	/* The method's scratch rides in the same allocation. */
	size_t size = (sizeof(Op) + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	size_t scratch = m->scratch_size ? *m->scratch_size : 0;
	Op *op = calloc(1, size + scratch);

	if (!op)
		return NULL;
	if (scratch)
		op->scratch = (char *)op + size;
	op->ops = ops;
	op->m = m;
	op->owned_fd = -1;
	op->reply = reply;
	op->userdata = userdata;
	op->deadline = deadline;
	op->next = m->start;
	ops->outstanding++;
	return op;
}

void ops_call(Ops *ops, const char *method, const uint8_t *payload, size_t len, uint64_t deadline,
	      ops_reply_cb reply, void *userdata)
{
	ops_call_fd(ops, method, payload, len, deadline, reply, NULL, userdata);
}

void ops_call_fd(Ops *ops, const char *method, const uint8_t *payload, size_t len,
		 uint64_t deadline, ops_reply_cb reply, ops_fd_reply_cb fd_reply, void *userdata)
{
	const OpMethod *m = ops_method(method);
	char msg[512];
	Op *op;

	if (!m) {
		snprintf(msg, sizeof(msg), "unknown method \"%.128s\"", method);
		reply(userdata, STATUS_UNIMPLEMENTED, msg, NULL);
		return;
	}
	if (m->passes_fd && !fd_reply) {
		/* Before any work: no socket is made only to be closed again. */
		snprintf(msg, sizeof(msg),
			 "%s: this method passes a file descriptor, which gRPC cannot carry: use "
			 "the ttrpc transport (libnsring, nsringctl) on the same socket",
			 m->name);
		reply(userdata, STATUS_FAILED_PRECONDITION, msg, NULL);
		return;
	}
	op = op_new(ops, m, deadline, reply, userdata);
	if (!op) {
		reply(userdata, STATUS_RESOURCE_EXHAUSTED, "out of memory", NULL);
		return;
	}
	op->fd_reply = fd_reply;
	op->req = protobuf_c_message_unpack(m->req_desc, NULL, len, payload);
	if (!op->req) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "malformed %s message", m->req_desc->name);
		op_reply_error(op);
		return;
	}
	op_continue(op);
}

/* ---- setup */

static void ops_ns_closed(Netns *ns, void *userdata)
{
	OpsNs *ons = ns->priv;

	/* First: its dumps on the connection are dropped, not failed. */
	watch_ns_closed(userdata, ns);
	ns->priv = NULL;
	if (!ons)
		return;
	delgroup_ns_closed(ons);
	raw_nl_ns_closed(ons);
	nlconn_close(ons->conn, -ESHUTDOWN);
	free(ons);
}

int ops_new(Ops **ret, Loop *loop, const OpsConfig *cfg)
{
	Ops *ops = calloc(1, sizeof(*ops));
	int r;

	if (!ops)
		return -ENOMEM;
	ops->loop = loop;
	delgroup_init(ops);
	r = loop_bufring_new(loop, &ops->br, NL_BUF_GROUP, NL_BUF_COUNT, NL_BUF_SIZE);
	if (r < 0)
		goto fail;
	r = netns_registry_new(&ops->reg, loop, cfg->netns_dir ? cfg->netns_dir : "/run/netns",
			       cfg->opener_threads, ops_ns_closed, ops);
	if (r < 0)
		goto fail;
	netns_registry_set_idle_close(ops->reg, cfg->idle_close_ns);
	if (cfg->path_prefixes) {
		r = netns_registry_set_path_prefixes(ops->reg, cfg->path_prefixes,
						     cfg->n_path_prefixes);
		if (r < 0) {
			netns_registry_free(ops->reg);
			goto fail;
		}
	}
	*ret = ops;
	return 0;
fail:
	loop_bufring_free(ops->br);
	free(ops);
	return r;
}

void ops_shutdown(Ops *ops)
{
	delgroup_flush_all(ops); /* sent, then failed with their namespaces below */
	watch_shutdown(ops);
	netns_registry_free(ops->reg);
	ops->reg = NULL;
}

bool ops_idle(const Ops *ops)
{
	return nlconn_live() == 0 && nlevents_live() == 0;
}

void ops_free(Ops *ops)
{
	if (!ops)
		return;
	if (ops->reg)
		ops_shutdown(ops);
	watch_free(ops);
	loop_bufring_free(ops->br);
	free(ops);
}

void ops_set_cancel_check(Ops *ops, ops_cancelled_cb cb)
{
	ops->cancelled = cb;
}

unsigned ops_outstanding(const Ops *ops)
{
	return ops->outstanding;
}

/* Frees what op_alloc() gave op: watch-stream.c builds each event in a scratch Op's arena. */
void op_arena_reset(Op *op)
{
	while (op->mem) {
		OpBlock *b = op->mem;

		op->mem = b->next;
		free(b);
	}
}
