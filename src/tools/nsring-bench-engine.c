/* nsring-bench engine: C asynchronous ttrpc connections driven by one thread with epoll. Each
 * connection keeps up to --depth calls in flight, coalesces the requests of a loop turn into
 * one send, reads replies in big chunks and matches them by stream id through a ring indexed
 * by the id, so the steady state makes no allocation and few syscalls per call. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/status.h"
#include "nsring-bench.h"
#include "wire/ttrpc-wire.h"
#include "wire/unix-addr.h"

#define IN_BUF_SIZE	 (256u << 10)
#define DRAIN_TIMEOUT_NS (5ull * 1000000000u)  /* after a stop: wait this long for replies */
#define CALL_TIMEOUT_NS	 (60ull * 1000000000u) /* bench_engine_call() */
#define PROGRESS_NS	 (100ull * 1000000u)   /* at most 10 updates a second */
/* A call unanswered this long counts as lost (nsringd's own netlink timeout is 30 s). */
#define LOST_NS		 (120ull * 1000000000u)
#define LOST_SCAN_NS	 (1000ull * 1000000u)
#define TASK_RAW	 (-2)

/* A unit of work: whole chains [first, first + nchains), their ops flattened chain by chain,
 * sent one RPC at a time (one op, or up to --batch ops in a Batch). */
typedef struct Task {
	size_t first;
	unsigned nchains;
	unsigned cursor; /* ops answered so far */
	unsigned total;
	int next_free;
} Task;

typedef struct Slot {
	uint32_t stream_id; /* 0: free */
	int task;	    /* index into Conn.tasks, or TASK_RAW */
	unsigned nops;
	uint64_t t0;
} Slot;

typedef struct Conn {
	int fd;
	uint32_t next_id;
	Slot *ring; /* indexed by (stream id / 2) & mask: a lookup without hashing */
	uint32_t mask;
	Task *tasks;
	int free_task;
	unsigned active, inflight;
	BenchBuf out;
	size_t out_off;
	bool pollout;
	uint8_t *in;
	size_t in_len, in_cap;
} Conn;

struct BenchEngine {
	const BenchConfig *cfg;
	volatile sig_atomic_t *sigcount;
	sig_atomic_t sig_base;
	uint8_t *ns_state;
	size_t ns_count;
	Conn *conns;
	unsigned nconns;
	int epfd;
	uint64_t now;

	/* encoding and decoding work space, sized for one RPC of --batch ops */
	BenchBuf scratch;
	uint32_t *lens;
	BenchOp *ops;
	BenchResult *res;

	/* the running phase */
	const BenchPhase *ph;
	size_t next_chain, per_task;
	uint64_t ops_done, ops_total;
	bool stopping, ns_phase;
	int err;
	char errmsg[2048];

	/* bench_engine_call() */
	bool raw_done;
	int raw_code;
	char *raw_msg;
	size_t raw_msg_n;

	/* exactly one reply per call: calls sent, replies matched to them and replies that
	 * matched no call in flight (every phase) */
	uint64_t calls, replies, stray;
	uint64_t last_lost_scan;

	/* timed phases */
	uint64_t elapsed_ns, timed_ops, rpcs;
	uint64_t *lat;
	size_t nlat, lat_cap;

	bench_progress_cb progress;
	void *progress_ud;
	uint64_t last_progress;
};

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

_printf_(3, 4) static void fail(BenchEngine *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (!e->err || e->err == -EINTR) {
		e->err = err;
		va_start(ap, fmt);
		vsnprintf(e->errmsg, sizeof(e->errmsg), fmt, ap);
		va_end(ap);
	}
	e->stopping = true;
}

const char *bench_engine_error(BenchEngine *e)
{
	return e->errmsg;
}

/* ---------------------------------------------------------------- connections */

static int conn_connect(const char *path, int *ret_fd)
{
	struct sockaddr_un sa;
	socklen_t salen;
	int fd, r;

	fd = wire_unix_socket(path, &sa, &salen);
	if (fd < 0)
		return fd;
	/* Connect blocking (it is local and quick), then switch to non-blocking I/O. */
	while (connect(fd, (struct sockaddr *)&sa, salen) < 0) {
		if (errno == EINTR)
			continue;
		r = negative_errno();
		close(fd);
		return r;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		r = negative_errno();
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

static void conn_reset_state(BenchEngine *e, Conn *c)
{
	unsigned depth = e->cfg->depth;

	memset(c->ring, 0, (size_t)(c->mask + 1) * sizeof(*c->ring));
	for (unsigned i = 0; i < depth; i++)
		c->tasks[i].next_free = i + 1 < depth ? (int)i + 1 : -1;
	c->free_task = 0;
	c->active = c->inflight = 0;
	c->out.len = c->out_off = 0;
	c->in_len = 0;
	c->pollout = false;
	c->next_id = 1;
}

static int conn_open(BenchEngine *e, unsigned idx)
{
	Conn *c = &e->conns[idx];
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = idx };
	int r;

	r = conn_connect(e->cfg->socket_path, &c->fd);
	if (r < 0) {
		c->fd = -1;
		fail(e, r, "cannot connect to nsringd at %s: %s", e->cfg->socket_path,
		     strerror(-r));
		return r;
	}
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
		r = negative_errno();
		fail(e, r, "epoll_ctl: %s", strerror(-r));
		return r;
	}
	conn_reset_state(e, c);
	return 0;
}

/* After a drain that timed out: calls may still be answered on the old stream, so start over
 * on a new connection (nsringd drops the replies of a closed one). */
static int conn_reopen(BenchEngine *e, unsigned idx)
{
	Conn *c = &e->conns[idx];

	if (c->fd >= 0) {
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
	}
	return conn_open(e, idx);
}

static void conn_set_pollout(BenchEngine *e, unsigned idx, bool on)
{
	Conn *c = &e->conns[idx];
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0), .data.u32 = idx };

	if (c->pollout == on)
		return;
	if (epoll_ctl(e->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->pollout = on;
}

static void conn_flush(BenchEngine *e, unsigned idx)
{
	Conn *c = &e->conns[idx];

	while (c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				conn_set_pollout(e, idx, true);
				return;
			}
			fail(e, negative_errno(), "sending to nsringd: %s", strerror(errno));
			return;
		}
		c->out_off += (size_t)n;
	}
	c->out.len = c->out_off = 0;
	conn_set_pollout(e, idx, false);
}

/* ---------------------------------------------------------------- issuing */

static int slot_alloc(Conn *c, uint32_t *ret_id)
{
	/* Client streams are odd and increasing; an id whose ring entry is still busy (a slow
	 * call from long ago) is skipped. inflight < ring size, so a free entry exists. */
	for (;;) {
		uint32_t id = c->next_id;

		if (id > UINT32_MAX - 2)
			return -EOVERFLOW;
		c->next_id += 2;
		if (c->ring[(id >> 1) & c->mask].stream_id == 0) {
			*ret_id = id;
			return (int)((id >> 1) & c->mask);
		}
	}
}

static void op_at(BenchEngine *e, const Task *t, unsigned j, BenchOp *op)
{
	unsigned L = e->ph->chain_len;

	bench_gen(e->cfg, e->ph, t->first + j / L, j % L, op);
}

static void task_send(BenchEngine *e, Conn *c, int ti)
{
	Task *t = &c->tasks[ti];
	bool batch = e->cfg->batch > 1;
	unsigned n = batch ? MIN(e->cfg->batch, t->total - t->cursor) : 1;
	uint32_t id;
	int s, r;

	for (unsigned i = 0; i < n; i++) {
		BenchOp *op = &e->ops[i];

		op_at(e, t, t->cursor + i, op);
		if (op->kind == BOP_CREATE_NS && op->ns_id >= 0 &&
		    (size_t)op->ns_id < e->ns_count && e->ns_state[op->ns_id] == NS_NONE)
			e->ns_state[op->ns_id] = NS_MAYBE;
	}
	s = slot_alloc(c, &id);
	if (s < 0) {
		fail(e, s, "ran out of ttrpc stream ids");
		return;
	}
	r = bench_encode_rpc(&c->out, id, e->ops, n, batch, &e->scratch, e->lens);
	if (r < 0) {
		char d[256];

		bench_op_describe(&e->ops[0], d, sizeof(d));
		fail(e, r, "cannot encode a request of %u op(s) starting with %s: %s%s", n, d,
		     strerror(-r), r == -EMSGSIZE ? " (over 4 MiB: use a smaller --batch)" : "");
		return;
	}
	c->ring[s] = (Slot){ .stream_id = id, .task = ti, .nops = n, .t0 = e->now };
	c->inflight++;
	e->calls++;
}

/* Starts tasks until the connection has --depth of them or the phase runs out of chains. */
static void conn_fill(BenchEngine *e, Conn *c)
{
	while (!e->stopping && c->active < e->cfg->depth && e->next_chain < e->ph->nchains) {
		int ti = c->free_task;
		Task *t = &c->tasks[ti];

		c->free_task = t->next_free;
		t->first = e->next_chain;
		t->nchains = (unsigned)MIN(e->per_task, e->ph->nchains - e->next_chain);
		t->total = t->nchains * e->ph->chain_len;
		t->cursor = 0;
		e->next_chain += t->nchains;
		c->active++;
		task_send(e, c, ti);
	}
}

static void task_free(Conn *c, int ti)
{
	c->tasks[ti].next_free = c->free_task;
	c->free_task = ti;
	c->active--;
}

/* ---------------------------------------------------------------- completions */

static void ns_done(BenchEngine *e, const BenchOp *op, bool ok)
{
	if (op->ns_id < 0 || (size_t)op->ns_id >= e->ns_count)
		return;
	if (op->kind == BOP_CREATE_NS)
		e->ns_state[op->ns_id] = ok ? NS_EXISTS : NS_NONE;
	else if (op->kind == BOP_DELETE_NS && ok)
		e->ns_state[op->ns_id] = NS_NONE;
}

/* Checks one op's result; false (and the engine failed) if it is an error. */
static bool op_result(BenchEngine *e, const Task *t, unsigned j, int code, const char *msg,
		      size_t msg_len)
{
	BenchOp op;
	bool ok;

	if (code == 0 && !e->ns_phase)
		return true; /* the common case: nothing to regenerate */
	op_at(e, t, j, &op);
	ok = code == 0 || (code == STATUS_NOT_FOUND && op.ok_if_missing);
	ns_done(e, &op, ok);
	if (!ok && code != STATUS_ABORTED) {
		char d[256];

		bench_op_describe(&op, d, sizeof(d));
		fail(e, -EIO, "%s: %s: %.*s", d, status_code_name(code), (int)msg_len, msg);
	}
	return ok;
}

static void slot_done(BenchEngine *e, Conn *c, const Slot *s, const uint8_t *p, size_t n)
{
	const uint8_t *payload;
	size_t msg_len, payload_len;
	const char *msg;
	Task *t;
	int code, r;
	bool ok = true;

	r = bench_decode_response(p, n, &code, &msg, &msg_len, &payload, &payload_len);
	if (s->task == TASK_RAW) {
		e->raw_done = true;
		e->raw_code = r < 0 ? STATUS_INTERNAL : code;
		if (e->raw_msg)
			snprintf(e->raw_msg, e->raw_msg_n, "%.*s", (int)msg_len,
				 r < 0 ? "undecodable response" : msg);
		return;
	}
	t = &c->tasks[s->task];
	if (r < 0) {
		fail(e, -EBADMSG, "nsringd sent a response that does not decode");
		return;
	}
	if (e->cfg->batch > 1) {
		size_t nres = 0;
		unsigned aborted = 0;

		if (code != 0) {
			BenchOp op;
			char d[256];

			op_at(e, t, t->cursor, &op);
			bench_op_describe(&op, d, sizeof(d));
			fail(e, -EIO, "Batch of %u op(s) starting with %s: %s: %.*s", s->nops, d,
			     status_code_name(code), (int)msg_len, msg);
			return;
		}
		if (bench_decode_batch(payload, payload_len, e->res, e->cfg->batch, &nres) < 0) {
			fail(e, -EBADMSG, "nsringd sent a BatchResponse that does not decode");
			return;
		}
		if (nres != s->nops) {
			fail(e, -EBADMSG, "Batch of %u op(s) answered with %zu results", s->nops,
			     nres);
			return;
		}
		for (unsigned i = 0; i < s->nops; i++) {
			if (!op_result(e, t, t->cursor + i, e->res[i].code, e->res[i].msg,
				       e->res[i].msg_len))
				ok = false;
			if (e->res[i].code == STATUS_ABORTED)
				aborted++;
		}
		if (!ok && !e->err)
			fail(e, -EIO, "Batch: %u op(s) aborted without a failed op", aborted);
	} else {
		ok = op_result(e, t, t->cursor, code, msg, msg_len);
	}
	if (!ok)
		return;

	if (e->ph->timed) {
		if (e->nlat == e->lat_cap) {
			size_t cap = e->lat_cap ? 2 * e->lat_cap : 4096;
			uint64_t *l = realloc(e->lat, cap * sizeof(*l));

			if (!l) {
				fail(e, -ENOMEM, "out of memory");
				return;
			}
			e->lat = l;
			e->lat_cap = cap;
		}
		e->lat[e->nlat++] = e->now - s->t0;
		e->rpcs++;
		e->timed_ops += s->nops;
	}
	e->ops_done += s->nops;
	t->cursor += s->nops;
	if (t->cursor == t->total)
		task_free(c, s->task);
	else if (!e->stopping)
		task_send(e, c, s->task);
}

/* Handles every complete frame in the connection's input buffer. */
static void conn_parse(BenchEngine *e, Conn *c)
{
	size_t off = 0;

	while (c->in_len - off >= TTRPC_HEADER_SIZE) {
		TtrpcHeader h;
		Slot s;
		size_t need;

		ttrpc_header_decode(c->in + off, &h);
		if (h.length > TTRPC_MESSAGE_MAX) {
			fail(e, -EMSGSIZE, "nsringd sent a %u-byte frame (limit %u)", h.length,
			     TTRPC_MESSAGE_MAX);
			return;
		}
		need = TTRPC_HEADER_SIZE + (size_t)h.length;
		if (c->in_len - off < need) {
			if (ttrpc_rbuf_fit(&c->in, &c->in_len, &c->in_cap, &off, need) < 0) {
				fail(e, -ENOMEM, "out of memory");
				return;
			}
			break;
		}
		off += need;
		if (h.type != TTRPC_TYPE_RESPONSE)
			continue;
		s = c->ring[(h.stream_id >> 1) & c->mask];
		if (s.stream_id != h.stream_id || h.stream_id == 0) {
			/* Calls given up on were on connections closed since (conn_reopen), so
			 * this is a duplicate or a stray: counted, for the caller to judge. */
			e->stray++;
			continue;
		}
		c->ring[(h.stream_id >> 1) & c->mask].stream_id = 0;
		c->inflight--;
		e->replies++;
		slot_done(e, c, &s, c->in + off - h.length, h.length);
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
}

static void conn_read(BenchEngine *e, unsigned idx)
{
	Conn *c = &e->conns[idx];

	/* A few reads per wakeup, so one busy connection cannot starve the others. */
	for (int i = 0; i < 4; i++) {
		size_t want = c->in_cap - c->in_len;
		ssize_t n = recv(c->fd, c->in + c->in_len, want, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			fail(e, negative_errno(), "receiving from nsringd: %s", strerror(errno));
			return;
		}
		if (n == 0) {
			fail(e, -ECONNRESET, "nsringd closed the connection");
			return;
		}
		e->now = bench_now_ns();
		c->in_len += (size_t)n;
		conn_parse(e, c);
		if ((size_t)n < want)
			return; /* a short read: the socket is empty, no need to ask again */
	}
}

/* One turn: send what the last turn queued, wait up to timeout_ms, handle what arrived. */
static void engine_turn(BenchEngine *e, int timeout_ms)
{
	struct epoll_event evs[64];
	int n;

	for (unsigned i = 0; i < e->nconns; i++)
		if (e->conns[i].out.len > e->conns[i].out_off)
			conn_flush(e, i);
	n = epoll_wait(e->epfd, evs, (int)ARRAY_SIZE(evs), timeout_ms);
	e->now = bench_now_ns();
	if (n < 0) {
		if (errno != EINTR)
			fail(e, negative_errno(), "epoll_wait: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		unsigned idx = evs[i].data.u32;

		if (evs[i].events & EPOLLOUT)
			conn_flush(e, idx);
		if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			conn_read(e, idx);
	}
	/* Completions may have freed room: start more work (sent next turn, coalesced). */
	if (e->ph)
		for (unsigned i = 0; i < e->nconns; i++)
			conn_fill(e, &e->conns[i]);
}

/* A reply that never comes would hang the phase: after LOST_NS, fail instead. */
static void check_lost(BenchEngine *e)
{
	if (e->now - e->last_lost_scan < LOST_SCAN_NS)
		return;
	e->last_lost_scan = e->now;
	for (unsigned i = 0; i < e->nconns; i++) {
		const Conn *c = &e->conns[i];

		if (c->inflight == 0)
			continue;
		for (uint32_t k = 0; k <= c->mask; k++) {
			const Slot *s = &c->ring[k];

			if (s->stream_id && e->now - s->t0 > LOST_NS) {
				fail(e, -ETIMEDOUT,
				     "no reply on stream %u of connection %u after %llu s (lost)",
				     s->stream_id, i,
				     (unsigned long long)((e->now - s->t0) / 1000000000u));
				return;
			}
		}
	}
}

static void maybe_progress(BenchEngine *e)
{
	if (e->progress && e->now - e->last_progress >= PROGRESS_NS) {
		e->last_progress = e->now;
		e->progress(e->progress_ud, e->ph, e->ops_done, e->ops_total);
	}
}

static bool signalled(BenchEngine *e)
{
	return *e->sigcount != e->sig_base;
}

/* ---------------------------------------------------------------- phases */

static bool phase_touches_ns(BenchStep step)
{
	return step == STEP_SETUP_MAIN || step == STEP_CREATE_NODES || step == STEP_WIRE_CREATE ||
	       step == STEP_DELETE_NS;
}

int bench_engine_run(BenchEngine *e, const BenchPhase *ph)
{
	uint64_t t_start, deadline = 0, busy;
	unsigned L = ph->chain_len;

	if (ph->nchains == 0 || L == 0)
		return 0;
	e->ph = ph;
	e->next_chain = 0;
	e->per_task = e->cfg->batch > 1 ? MAX(1u, e->cfg->batch / L) : 1;
	e->ops_done = 0;
	e->ops_total = bench_phase_ops(ph);
	e->stopping = false;
	e->err = 0;
	e->errmsg[0] = '\0';
	e->ns_phase = phase_touches_ns(ph->step);
	e->sig_base = *e->sigcount;
	if (ph->timed) {
		/* Room for every latency up front: no realloc in the timed part. */
		size_t want = e->nlat +
			      (size_t)(e->ops_total / (e->cfg->batch > 1 ? e->per_task : 1)) + 16;
		if (want > e->lat_cap) {
			uint64_t *l = realloc(e->lat, want * sizeof(*l));

			if (l) {
				e->lat = l;
				e->lat_cap = want;
			}
		}
	}

	e->now = t_start = bench_now_ns();
	e->last_progress = t_start;
	for (unsigned i = 0; i < e->nconns; i++)
		conn_fill(e, &e->conns[i]);
	for (;;) {
		if (!e->stopping && signalled(e)) {
			e->stopping = true;
			if (!e->err)
				e->err = -EINTR;
		}
		busy = 0;
		for (unsigned i = 0; i < e->nconns; i++)
			busy += e->stopping ? e->conns[i].inflight : e->conns[i].active;
		if (busy == 0 && (e->stopping || e->next_chain == ph->nchains))
			break;
		if (e->stopping) {
			if (!deadline)
				deadline = e->now + DRAIN_TIMEOUT_NS;
			else if (e->now >= deadline)
				break;
		}
		engine_turn(e, 100);
		if (!e->stopping)
			check_lost(e);
		maybe_progress(e);
	}
	if (ph->timed)
		e->elapsed_ns += e->now - t_start;
	if (e->progress)
		e->progress(e->progress_ud, ph, e->ops_done, e->ops_total);

	/* A stopped phase leaves tasks behind: forget them, and start over on connections
	 * that still wait for answers. */
	for (unsigned i = 0; i < e->nconns; i++) {
		Conn *c = &e->conns[i];

		if (c->inflight > 0) {
			if (conn_reopen(e, i) < 0)
				break;
		} else if (c->active > 0) {
			conn_reset_state(e, c);
		}
	}
	e->ph = NULL;
	return e->err;
}

int bench_engine_call(BenchEngine *e, const BenchOp *op, int *ret_code, char *msg, size_t msg_n)
{
	Conn *c = &e->conns[0];
	uint64_t deadline;
	uint32_t id;
	int s, r;

	e->err = 0;
	e->errmsg[0] = '\0';
	e->stopping = false;
	e->sig_base = *e->sigcount;
	s = slot_alloc(c, &id);
	if (s < 0)
		return s;
	r = bench_encode_rpc(&c->out, id, op, 1, false, &e->scratch, e->lens);
	if (r < 0)
		return r;
	e->now = bench_now_ns();
	c->ring[s] = (Slot){ .stream_id = id, .task = TASK_RAW, .nops = 1, .t0 = e->now };
	c->inflight++;
	e->calls++;
	e->raw_done = false;
	e->raw_msg = msg;
	e->raw_msg_n = msg_n;
	deadline = e->now + CALL_TIMEOUT_NS;
	while (!e->raw_done && !e->err) {
		if (signalled(e) || e->now >= deadline) {
			int why = signalled(e) ? -EINTR : -ETIMEDOUT;

			conn_reopen(e, 0);
			if (why == -ETIMEDOUT)
				fail(e, why, "nsringd did not answer %s within 60 s",
				     bench_op_method(op->kind));
			return why;
		}
		engine_turn(e, 100);
	}
	e->raw_msg = NULL;
	if (!e->raw_done)
		return e->err;
	*ret_code = e->raw_code;
	return 0;
}

/* ---------------------------------------------------------------- setup */

int bench_engine_new(const BenchConfig *cfg, volatile sig_atomic_t *sigcount, uint8_t *ns_state,
		     size_t ns_count, BenchEngine **ret)
{
	BenchEngine *e = calloc(1, sizeof(*e));
	uint32_t ring = 4;
	int r = -ENOMEM;

	if (!e)
		return -ENOMEM;
	e->cfg = cfg;
	e->sigcount = sigcount;
	e->ns_state = ns_state;
	e->ns_count = ns_count;
	e->epfd = -1;
	/* Room for 4x the depth: a call may stay slow while many later ones complete. */
	while (ring < 4 * cfg->depth)
		ring *= 2;
	e->lens = calloc(cfg->batch, sizeof(*e->lens));
	e->ops = calloc(cfg->batch, sizeof(*e->ops));
	e->res = calloc(cfg->batch, sizeof(*e->res));
	e->conns = calloc(cfg->clients, sizeof(*e->conns));
	if (!e->lens || !e->ops || !e->res || !e->conns)
		goto fail;
	e->nconns = cfg->clients;
	for (unsigned i = 0; i < e->nconns; i++)
		e->conns[i].fd = -1;
	for (unsigned i = 0; i < e->nconns; i++) {
		Conn *c = &e->conns[i];

		c->mask = ring - 1;
		c->ring = calloc(ring, sizeof(*c->ring));
		c->tasks = calloc(cfg->depth, sizeof(*c->tasks));
		c->in = malloc(IN_BUF_SIZE);
		c->in_cap = IN_BUF_SIZE;
		if (!c->ring || !c->tasks || !c->in)
			goto fail;
	}
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epfd < 0) {
		r = negative_errno();
		goto fail;
	}
	for (unsigned i = 0; i < e->nconns; i++) {
		r = conn_open(e, i);
		if (r < 0)
			goto fail_msg;
	}
	*ret = e;
	return 0;
fail:
	fail(e, r, "%s", strerror(-r));
fail_msg:
	fprintf(stderr, "nsring-bench: %s\n", e->errmsg);
	bench_engine_free(e);
	return r;
}

void bench_engine_free(BenchEngine *e)
{
	if (!e)
		return;
	for (unsigned i = 0; e->conns && i < e->nconns; i++) {
		Conn *c = &e->conns[i];

		safe_close(c->fd);
		free(c->ring);
		free(c->tasks);
		free(c->in);
		bench_buf_free(&c->out);
	}
	safe_close(e->epfd);
	free(e->conns);
	bench_buf_free(&e->scratch);
	free(e->lens);
	free(e->ops);
	free(e->res);
	free(e->lat);
	free(e);
}

void bench_engine_stats(BenchEngine *e, BenchStats *st, uint64_t **ret_lat, size_t *ret_nlat)
{
	st->elapsed_s = (double)e->elapsed_ns / 1e9;
	st->ops = e->timed_ops;
	st->rpcs = e->rpcs;
	st->calls = e->calls;
	st->replies = e->replies;
	st->stray = e->stray;
	*ret_lat = e->lat;
	*ret_nlat = e->nlat;
}

void bench_engine_set_progress(BenchEngine *e, bench_progress_cb cb, void *ud)
{
	e->progress = cb;
	e->progress_ud = ud;
}
