/* The RPC server on the io_uring loop: multishot accept, peer credentials, a protocol per
 * connection chosen from its first bytes (ttrpc framing here, gRPC over HTTP/2 in rpc-h2.c),
 * calls, replies coalesced per loop turn into one send per connection, graceful shutdown. */
#include "core/buf.h"
#include "rpc-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/status.h"
#include "rpc/ttrpc-wire.h"
#include "ttrpc/ttrpc.pb-c.h"

#define RBUF_INITIAL 16384
/* How an HTTP/2 client preface starts. Its first four bytes, read as a ttrpc length, would be
 * 1.3 GB, so a ttrpc connection never starts like that. */
#define H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

static void conn_recv(RpcConn *c);

/* ---- shutdown accounting */

static bool conn_idle(RpcConn *c)
{
	return !c->send_inflight && c->wq.len == 0 && c->ws.len == 0 &&
	       (c->proto != RPC_PROTO_H2 || !rpc_h2_want_write(c));
}

void rpc_srv_check_drained(RpcServer *s)
{
	void (*cb)(void *);

	if (!s->shutting_down || !s->drained || s->unanswered > 0)
		return;
	for (RpcConn *c = s->conns; c; c = c->next)
		if (!c->closing && !conn_idle(c))
			return;
	cb = s->drained;
	s->drained = NULL;
	cb(s->drained_userdata);
}

/* ---- output */

int rpc_wbuf_reserve(WBuf *b, size_t more)
{
	return buf_grow(&b->data, &b->cap, b->len + more, 4096);
}

static void conn_send_next(RpcConn *c)
{
	struct io_uring_sqe *sqe;

	if (c->send_inflight || c->closing)
		return;
	if (c->woff >= c->ws.len) {
		WBuf t;

		c->ws.len = 0;
		c->woff = 0;
		if (c->wq.len == 0)
			return;
		t = c->ws;
		c->ws = c->wq;
		c->wq = t;
	}
	sqe = loop_sqe(c->srv->loop, &c->send_op);
	io_uring_prep_send(sqe, c->fd, c->ws.data + c->woff, c->ws.len - c->woff, MSG_NOSIGNAL);
	c->send_inflight = true;
}

void rpc_conn_kick(RpcConn *c)
{
	if (!c->closing)
		loop_defer(c->srv->loop, &c->flush);
}

/* The end-of-turn hook: everything the turn queued for this connection goes out as one send
 * (HTTP/2: first pull what nghttp2 has for us). */
static void conn_flush(LoopDefer *d)
{
	RpcConn *c = container_of(d, RpcConn, flush);

	if (c->closing) {
		rpc_conn_close(c); /* finishes a close that waited for this hook */
		return;
	}
	if (c->proto == RPC_PROTO_H2) {
		bool ok;

		c->busy++;
		ok = rpc_h2_pull(c);
		c->busy--;
		if (!ok || c->closing) {
			rpc_conn_close(c);
			return;
		}
		/* Nothing left to say or hear (GOAWAY exchanged, streams done): hang up once the
		 * last bytes are out. */
		if (rpc_h2_done(c) && conn_idle(c)) {
			rpc_conn_close(c);
			return;
		}
	}
	conn_send_next(c);
}

/* Credits streaming calls with the data frames the kernel took. */
static void conn_pend_advance(RpcConn *c)
{
	while (c->pend_head < c->pend_len && c->pend[c->pend_head].end <= c->wsent) {
		RpcPending *p = &c->pend[c->pend_head++];

		if (p->call)
			p->call->queued -= p->len;
	}
	if (c->pend_head == c->pend_len)
		c->pend_head = c->pend_len = 0;
}

/* Room for one more pending record. */
static int conn_pend_reserve(RpcConn *c)
{
	RpcPending *p;
	size_t cap;

	if (c->pend_len < c->pend_cap)
		return 0;
	if (c->pend_head > 0) {
		memmove(c->pend, c->pend + c->pend_head,
			(c->pend_len - c->pend_head) * sizeof(*c->pend));
		c->pend_len -= c->pend_head;
		c->pend_head = 0;
		return 0;
	}
	cap = c->pend_cap ? c->pend_cap * 2 : 64;
	p = reallocarray(c->pend, cap, sizeof(*p));
	if (!p)
		return -ENOMEM;
	c->pend = p;
	c->pend_cap = cap;
	return 0;
}

static void send_done(LoopOp *op, int res, uint32_t flags)
{
	RpcConn *c = container_of(op, RpcConn, send_op);

	c->send_inflight = false;
	if (res < 0) {
		log_debug("rpc: send to pid %d failed: %s", (int)c->pid, strerror(-res));
		rpc_conn_close(c);
		return;
	}
	c->woff += (size_t)res;
	c->wsent += (size_t)res;
	conn_pend_advance(c);
	if (c->closing) {
		rpc_conn_close(c);
		return;
	}
	conn_send_next(c);
	/* HTTP/2 output is pulled in bounded portions, and a finished session closes. */
	if (c->proto == RPC_PROTO_H2 && (rpc_h2_want_write(c) || rpc_h2_done(c)))
		rpc_conn_kick(c);
	/* Reading was paused while output piled up. */
	if (!c->recv_inflight)
		conn_recv(c);
	rpc_srv_check_drained(c->srv);
}

/* Appends one response frame: the header, then ttrpc.Response{status?, payload?}. */
static int conn_queue_response(RpcConn *c, uint32_t stream_id, const Ttrpc__Response *resp)
{
	size_t n = ttrpc__response__get_packed_size(resp);
	TtrpcHeader h = { .length = (uint32_t)n,
			  .stream_id = stream_id,
			  .type = TTRPC_TYPE_RESPONSE };
	int r;

	if (n > TTRPC_MESSAGE_MAX)
		return -EMSGSIZE;
	r = rpc_wbuf_reserve(&c->wq, TTRPC_HEADER_SIZE + n);
	if (r < 0)
		return r;
	ttrpc_header_encode(c->wq.data + c->wq.len, &h);
	ttrpc__response__pack(resp, c->wq.data + c->wq.len + TTRPC_HEADER_SIZE);
	c->wq.len += TTRPC_HEADER_SIZE + n;
	rpc_conn_kick(c);
	return 0;
}

/* Appends one data frame of a streaming call: msg (NULL: none, flag no-data), flags. Counted in
 * the call's queued bytes until written; over RPC_STREAM_QUEUE_MAX, -ENOBUFS. */
static int conn_queue_data(RpcConn *c, RpcCall *call, const ProtobufCMessage *msg, uint8_t flags)
{
	size_t n = msg ? protobuf_c_message_get_packed_size(msg) : 0;
	size_t len = TTRPC_HEADER_SIZE + n;
	TtrpcHeader h = { .length = (uint32_t)n,
			  .stream_id = call->stream_id,
			  .type = TTRPC_TYPE_DATA,
			  .flags = msg ? flags : flags | TTRPC_FLAG_NO_DATA };
	int r;

	if (n > TTRPC_MESSAGE_MAX)
		return -EMSGSIZE;
	/* An empty queue takes any message, so one larger than the bound still goes out; the
	 * last message (remote closed) is never refused for the queue's size. */
	if (call->queued > 0 && call->queued + len > RPC_STREAM_QUEUE_MAX &&
	    !(flags & TTRPC_FLAG_REMOTE_CLOSED))
		return -ENOBUFS;
	r = conn_pend_reserve(c);
	if (r >= 0)
		r = rpc_wbuf_reserve(&c->wq, len);
	if (r < 0)
		return r;
	ttrpc_header_encode(c->wq.data + c->wq.len, &h);
	if (msg)
		protobuf_c_message_pack(msg, c->wq.data + c->wq.len + TTRPC_HEADER_SIZE);
	c->wq.len += len;
	c->pend[c->pend_len++] = (RpcPending){
		.call = call,
		.end = c->wsent + (c->ws.len - c->woff) + c->wq.len,
		.len = len,
	};
	call->queued += len;
	rpc_conn_kick(c);
	return 0;
}

static void conn_queue_error(RpcConn *c, uint32_t stream_id, int code, const char *msg)
{
	Ttrpc__Status st = TTRPC__STATUS__INIT;
	Ttrpc__Response resp = TTRPC__RESPONSE__INIT;

	st.code = code;
	st.message = (char *)msg;
	resp.status = &st;
	if (conn_queue_response(c, stream_id, &resp) < 0)
		rpc_conn_close(c);
}

/* ---- calls */

static void call_unlink(RpcCall *call)
{
	RpcConn *c = call->conn;

	if (!c)
		return;
	if (call->prev)
		call->prev->next = call->next;
	else
		c->calls = call->next;
	if (call->next)
		call->next->prev = call->prev;
	call->prev = call->next = NULL;
	call->conn = NULL;
	c->ncalls--;
	if (c->closing)
		rpc_conn_close(c);
	else if (!c->recv_inflight && c->ncalls + 1 == c->srv->cfg.max_calls_per_conn)
		conn_recv(c);
}

static void call_answered(RpcServer *s, RpcCall *call)
{
	if (!call->answered) {
		call->answered = true;
		s->unanswered--;
	}
}

static void call_cancel_run(LoopDefer *d)
{
	RpcCall *call = container_of(d, RpcCall, cancel_defer);
	void (*cb)(void *) = call->cancel_cb;

	call->cancel_cb = NULL; /* once */
	cb(call->cancel_userdata);
}

/* The owner learns from the loop, not from inside nghttp2 or a connection's teardown, where
 * ending the call there and then would free what the caller still uses. */
static void call_cancel_soon(RpcCall *call)
{
	if (call->cancel_cb)
		loop_defer(call->loop, &call->cancel_defer);
}

/* The owner ended the call. */
static void call_free(RpcCall *call)
{
	RpcConn *c = call->conn;

	if (call->cancel_defer.queued)
		loop_defer_cancel(call->loop, &call->cancel_defer);
	if (c && call->queued > 0)
		for (size_t i = c->pend_head; i < c->pend_len; i++)
			if (c->pend[i].call == call)
				c->pend[i].call = NULL;
	call_unlink(call);
	free(call);
}

RpcCall *rpc_call_start(RpcConn *c, uint32_t stream_id, int *ret_code, const char **ret_msg)
{
	RpcServer *s = c->srv;
	RpcCall *call;

	if (s->shutting_down) {
		*ret_code = STATUS_UNAVAILABLE;
		*ret_msg = "nsringd is shutting down";
		return NULL;
	}
	if (c->ncalls >= s->cfg.max_calls_per_conn) {
		*ret_code = STATUS_RESOURCE_EXHAUSTED;
		*ret_msg = "too many calls in flight on this connection";
		return NULL;
	}
	call = calloc(1, sizeof(*call));
	if (!call) {
		*ret_code = STATUS_RESOURCE_EXHAUSTED;
		*ret_msg = "out of memory";
		return NULL;
	}
	call->conn = c;
	call->loop = s->loop;
	call->stream_id = stream_id;
	call->streamable = true;
	call->cancel_defer.cb = call_cancel_run;
	call->next = c->calls;
	if (c->calls)
		c->calls->prev = call;
	c->calls = call;
	c->ncalls++;
	s->unanswered++;
	return call;
}

void rpc_call_orphan(RpcCall *call)
{
	RpcConn *c = call->conn;
	RpcServer *s;

	if (!c)
		return;
	s = c->srv;
	call_answered(s, call);
	call_unlink(call);
	call->queued = 0;
	call_cancel_soon(call);
	rpc_srv_check_drained(s);
}

bool rpc_call_orphaned(const RpcCall *call)
{
	return !call->conn || call->answered;
}

void rpc_call_reply(RpcCall *call, const ProtobufCMessage *msg)
{
	RpcConn *c = call->conn;
	RpcServer *s = c ? c->srv : NULL;

	if (c && !call->answered) {
		call_answered(s, call);
		if (c->proto == RPC_PROTO_H2) {
			rpc_h2_reply(c, call->stream_id, msg);
		} else if (call->sent || (!msg && call->streamable)) {
			/* A stream ends as containerd/ttrpc ends one with status OK: a last data
			 * message flagged remote-closed (with no-data when there is no message).
			 * A Response would reach Go clients as one more, empty, message. */
			int r = conn_queue_data(c, call, msg, TTRPC_FLAG_REMOTE_CLOSED);

			if (r < 0)
				conn_queue_error(c, call->stream_id, STATUS_RESOURCE_EXHAUSTED,
						 r == -EMSGSIZE
							 ? "reply larger than the 4 MiB "
							   "message limit"
							 : "out of memory queuing the reply");
		} else if (!msg) {
			Ttrpc__Response resp = TTRPC__RESPONSE__INIT;

			if (conn_queue_response(c, call->stream_id, &resp) < 0)
				rpc_conn_close(c);
		} else {
			Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
			size_t n = protobuf_c_message_get_packed_size(msg);
			uint8_t *payload = malloc(n ? n : 1);

			if (!payload) {
				conn_queue_error(c, call->stream_id, STATUS_RESOURCE_EXHAUSTED,
						 "out of memory packing the reply");
			} else {
				protobuf_c_message_pack(msg, payload);
				resp.payload.data = payload;
				resp.payload.len = n;
				if (conn_queue_response(c, call->stream_id, &resp) < 0)
					conn_queue_error(
						c, call->stream_id, STATUS_RESOURCE_EXHAUSTED,
						"reply larger than the 4 MiB message limit");
				free(payload);
			}
		}
	}
	call_free(call);
	if (s)
		rpc_srv_check_drained(s);
}

static void call_send_error(RpcCall *call, int code, const char *msg)
{
	if (call->conn->proto == RPC_PROTO_H2)
		rpc_h2_fail(call->conn, call->stream_id, code, msg);
	else
		conn_queue_error(call->conn, call->stream_id, code, msg);
}

void rpc_call_fail(RpcCall *call, int code, const char *fmt, ...)
{
	RpcConn *c = call->conn;
	RpcServer *s = c ? c->srv : NULL;

	if (c && !call->answered) {
		char msg[2048];
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		call_answered(s, call);
		call_send_error(call, code, msg);
	}
	call_free(call);
	if (s)
		rpc_srv_check_drained(s);
}

int rpc_call_send(RpcCall *call, const ProtobufCMessage *msg)
{
	RpcConn *c = call->conn;
	int r;

	if (!c || call->answered)
		return -EPIPE;
	if (!call->streamable) {
		/* The client would fail on a data message (or, before ttrpc 1.2, take it for the
		 * answer): answer the call here instead. The owner's end of it is dropped. */
		call_answered(c->srv, call);
		conn_queue_error(c, call->stream_id, STATUS_UNIMPLEMENTED,
				 "this method streams its answer: call it as a ttrpc stream "
				 "(request flag remote-closed, containerd/ttrpc 1.2 or later)");
		return -EPIPE;
	}
	if (c->proto == RPC_PROTO_H2)
		r = rpc_h2_send(c, call->stream_id, msg);
	else
		r = conn_queue_data(c, call, msg, 0);
	if (r == 0)
		call->sent = true;
	return r;
}

size_t rpc_call_queued(const RpcCall *call)
{
	if (!call->conn)
		return 0;
	if (call->conn->proto == RPC_PROTO_H2)
		return rpc_h2_queued(call->conn, call->stream_id);
	return call->queued;
}

void rpc_call_on_cancel(RpcCall *call, void (*cb)(void *userdata), void *userdata)
{
	call->cancel_cb = cb;
	call->cancel_userdata = userdata;
	if (!cb && call->cancel_defer.queued)
		loop_defer_cancel(call->loop, &call->cancel_defer);
	else if (cb && rpc_call_orphaned(call))
		call_cancel_soon(call); /* gone already */
}

/* ---- ttrpc input */

static void conn_handle_request(RpcConn *c, uint32_t stream_id, uint8_t flags, const uint8_t *p,
				size_t n)
{
	RpcServer *s = c->srv;
	Ttrpc__Request *req;
	RpcCall *call;
	RpcCallInfo info;
	const char *msg;
	int code;

	req = ttrpc__request__unpack(NULL, n, p);
	if (!req) {
		conn_queue_error(c, stream_id, STATUS_INVALID_ARGUMENT,
				 "malformed ttrpc request envelope");
		return;
	}
	if (c->denied) {
		log_warning("rpc: refused %s from uid %u pid %d: not an admitted peer",
			    req->method ? req->method : "?", (unsigned)c->uid, (int)c->pid);
		conn_queue_error(c, stream_id, STATUS_PERMISSION_DENIED,
				 "permission denied: uid is neither root nor in the allowed group");
		goto out;
	}
	if (!req->service || strcmp(req->service, TTRPC_SERVICE) != 0) {
		char m[512];
		snprintf(m, sizeof(m), "unknown service \"%.256s\" (this is %s)",
			 req->service ? req->service : "", TTRPC_SERVICE);
		conn_queue_error(c, stream_id, STATUS_UNIMPLEMENTED, m);
		goto out;
	}
	if (flags & TTRPC_FLAG_REMOTE_OPEN) {
		/* No method of ours takes a stream of requests. */
		conn_queue_error(c, stream_id, STATUS_UNIMPLEMENTED,
				 "client streaming is not supported (request flag remote-open)");
		goto out;
	}
	call = rpc_call_start(c, stream_id, &code, &msg);
	if (!call) {
		conn_queue_error(c, stream_id, code, msg);
		goto out;
	}
	call->streamable = flags & TTRPC_FLAG_REMOTE_CLOSED;
	info = (RpcCallInfo){
		.method = req->method ? req->method : "",
		.payload = req->payload.data,
		.len = req->payload.len,
		.deadline =
			req->timeout_nano > 0 ? loop_now(s->loop) + (uint64_t)req->timeout_nano : 0,
		.uid = c->uid,
		.pid = c->pid,
	};
	s->dispatch(s->userdata, call, &info);
out:
	ttrpc__request__free_unpacked(req, NULL);
}

/* Parses every complete ttrpc frame in rbuf. Returns false if the connection must close. */
static bool conn_parse_ttrpc(RpcConn *c)
{
	size_t off = 0;
	bool ok = true;

	while (c->rlen - off >= TTRPC_HEADER_SIZE) {
		TtrpcHeader h;

		ttrpc_header_decode(c->rbuf + off, &h);
		if (h.length > TTRPC_MESSAGE_MAX) {
			log_info("rpc: pid %d sent a %u-byte frame (limit %u): closing",
				 (int)c->pid, h.length, TTRPC_MESSAGE_MAX);
			ok = false;
			break;
		}
		if (c->rlen - off < TTRPC_HEADER_SIZE + (size_t)h.length) {
			size_t need = TTRPC_HEADER_SIZE + (size_t)h.length;
			if (need > c->rcap) {
				uint8_t *p;
				memmove(c->rbuf, c->rbuf + off, c->rlen - off);
				c->rlen -= off;
				off = 0;
				p = realloc(c->rbuf, need);
				if (!p)
					return false;
				c->rbuf = p;
				c->rcap = need;
			}
			break;
		}
		if (h.type == TTRPC_TYPE_DATA && h.stream_id != 0) {
			/* Stream data from a client: a client stream we refused (its data may
			 * follow the request), or a close (remote closed, no data) of one. */
			log_debug("rpc: pid %d sent data on stream %u: ignored", (int)c->pid,
				  h.stream_id);
		} else if (h.type != TTRPC_TYPE_REQUEST || h.stream_id == 0) {
			log_info("rpc: pid %d sent frame type %u stream %u: closing", (int)c->pid,
				 h.type, h.stream_id);
			ok = false;
			break;
		} else {
			conn_handle_request(c, h.stream_id, h.flags,
					    c->rbuf + off + TTRPC_HEADER_SIZE, h.length);
		}
		off += TTRPC_HEADER_SIZE + h.length;
		if (c->closing)
			return false;
	}
	if (off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
	/* Give back a buffer a big message grew. */
	if (c->rlen == 0 && c->rcap > 4 * RBUF_INITIAL) {
		uint8_t *p = realloc(c->rbuf, RBUF_INITIAL);
		if (p) {
			c->rbuf = p;
			c->rcap = RBUF_INITIAL;
		}
	}
	return ok;
}

/* Chooses the connection's protocol from its first bytes, then parses. Returns false if the
 * connection must close. */
static bool conn_parse(RpcConn *c)
{
	if (c->proto == RPC_PROTO_UNKNOWN) {
		/* "PRI " decides; nghttp2 checks the rest of the preface. */
		size_t n = MIN(c->rlen, 4);

		if (memcmp(c->rbuf, H2_PREFACE, n) != 0) {
			c->proto = RPC_PROTO_TTRPC;
		} else if (n < 4) {
			return true; /* too little to tell yet */
		} else {
			int r = rpc_h2_start(c);

			if (r < 0) {
				log_warning("rpc: HTTP/2 setup for pid %d failed: %s", (int)c->pid,
					    strerror(-r));
				return false;
			}
			c->proto = RPC_PROTO_H2;
			log_debug("rpc: pid %d speaks HTTP/2 (gRPC)", (int)c->pid);
		}
	}
	if (c->proto == RPC_PROTO_H2)
		return rpc_h2_input(c);
	return conn_parse_ttrpc(c);
}

static void recv_done(LoopOp *op, int res, uint32_t flags)
{
	RpcConn *c = container_of(op, RpcConn, recv_op);
	bool ok;

	c->recv_inflight = false;
	if (c->closing) {
		rpc_conn_close(c);
		return;
	}
	if (res <= 0) {
		if (res < 0 && res != -ECONNRESET)
			log_debug("rpc: receive from pid %d failed: %s", (int)c->pid,
				  strerror(-res));
		rpc_conn_close(c);
		return;
	}
	mem_mark_defined(c->rbuf + c->rlen, (size_t)res);
	c->rlen += (size_t)res;
	c->busy++;
	c->parsing = true;
	ok = conn_parse(c);
	c->parsing = false;
	c->busy--;
	if (!ok || c->closing) {
		rpc_conn_close(c);
		return;
	}
	conn_recv(c);
}

static void conn_recv(RpcConn *c)
{
	struct io_uring_sqe *sqe;

	if (c->recv_inflight || c->closing || c->parsing)
		return;
	/* Backpressure: stop reading while a client has too much outstanding. HTTP/2 bounds its
	 * calls with SETTINGS_MAX_CONCURRENT_STREAMS instead and refuses new ones while too many
	 * replies wait (rpc-h2.c): it must keep reading to see RST_STREAM and WINDOW_UPDATE, or
	 * replies held by flow control would never leave. */
	if (c->wq.len + c->ws.len >= RPC_WBUF_PAUSE)
		return;
	if (c->proto != RPC_PROTO_H2 && c->ncalls >= c->srv->cfg.max_calls_per_conn)
		return;
	sqe = loop_sqe(c->srv->loop, &c->recv_op);
	io_uring_prep_recv(sqe, c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
	c->recv_inflight = true;
}

/* ---- connections */

static void conn_free(RpcConn *c)
{
	c->closing = true; /* nghttp2 callbacks during teardown do nothing */
	close(c->fd);
	rpc_h2_free(c);
	free(c->rbuf);
	free(c->wq.data);
	free(c->ws.data);
	free(c->pend);
	free(c);
}

void rpc_conn_close(RpcConn *c)
{
	RpcServer *s = c->srv;

	if (!c->closing) {
		c->closing = true;
		/* Orphan outstanding calls: their replies are dropped when they come. */
		while (c->calls) {
			RpcCall *call = c->calls;
			c->calls = call->next;
			call->conn = NULL;
			call->prev = call->next = NULL;
			call->queued = 0;
			call_answered(s, call);
			call_cancel_soon(call);
		}
		c->ncalls = 0;
		c->pend_head = c->pend_len = 0;
		/* Wake a pending receive/send so their completions arrive; free after. */
		shutdown(c->fd, SHUT_RDWR);
	}
	if (c->busy || c->recv_inflight || c->send_inflight || c->flush.queued)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	conn_free(c);
	rpc_srv_check_drained(s);
}

static bool peer_admitted(const RpcServer *s, int fd, const struct ucred *cred)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (cred->uid == 0)
		return true;
	for (size_t i = 0; i < s->cfg.n_allow_uids; i++)
		if (cred->uid == s->cfg.allow_uids[i])
			return true;
	if (s->cfg.allow_gid == (gid_t)-1)
		return false;
	if (cred->gid == s->cfg.allow_gid)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == s->cfg.allow_gid)
			return true;
	return false;
}

static void srv_accept_arm(RpcServer *s)
{
	struct io_uring_sqe *sqe = loop_sqe(s->loop, &s->accept_op);

	io_uring_prep_multishot_accept(sqe, s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	s->accept_armed = true;
}

static void accept_done(LoopOp *op, int res, uint32_t flags)
{
	RpcServer *s = container_of(op, RpcServer, accept_op);
	struct ucred cred = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	socklen_t len = sizeof(cred);
	RpcConn *c;

	if (!(flags & IORING_CQE_F_MORE))
		s->accept_armed = false;
	if (res < 0) {
		if (res != -ECANCELED && !s->shutting_down)
			log_warning("rpc: accept failed: %s", strerror(-res));
		goto rearm;
	}
	if (s->shutting_down || s->nconns >= s->cfg.max_connections) {
		if (!s->shutting_down)
			log_warning("rpc: connection limit (%u) reached: refusing a client",
				    s->cfg.max_connections);
		close(res);
		goto rearm;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->rbuf = malloc(RBUF_INITIAL))) {
		free(c);
		close(res);
		goto rearm;
	}
	c->srv = s;
	c->fd = res;
	c->rcap = RBUF_INITIAL;
	c->recv_op.cb = recv_done;
	c->send_op.cb = send_done;
	c->flush.cb = conn_flush;
	if (getsockopt(res, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		log_debug("rpc: SO_PEERCRED failed: %s", strerror(errno));
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->denied = !peer_admitted(s, res, &cred);
	if (c->denied)
		log_warning("rpc: connection from uid %u pid %d is not admitted; its calls get "
			    "PERMISSION_DENIED",
			    (unsigned)cred.uid, (int)cred.pid);
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	conn_recv(c);
rearm:
	if (!s->accept_armed && !s->shutting_down)
		srv_accept_arm(s);
}

int rpc_server_new(RpcServer **ret, Loop *loop, int listen_fd, const RpcServerConfig *cfg,
		   rpc_dispatch_cb dispatch, void *userdata)
{
	RpcServer *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	r = rpc_reflect_new(&s->reflect);
	if (r < 0) {
		free(s);
		return r;
	}
	s->loop = loop;
	s->cfg = *cfg;
	if (!s->cfg.max_connections)
		s->cfg.max_connections = 1024;
	if (!s->cfg.max_calls_per_conn)
		s->cfg.max_calls_per_conn = 1024;
	s->listen_fd = listen_fd;
	s->accept_op.cb = accept_done;
	s->dispatch = dispatch;
	s->userdata = userdata;
	srv_accept_arm(s);
	*ret = s;
	return 0;
}

void rpc_server_shutdown(RpcServer *s, void (*done)(void *userdata), void *userdata)
{
	s->shutting_down = true;
	s->drained = done;
	s->drained_userdata = userdata;
	if (s->accept_armed) {
		struct io_uring_sqe *sqe = loop_sqe(s->loop, NULL);
		io_uring_prep_cancel(sqe, &s->accept_op, 0);
	}
	/* HTTP/2 clients learn it from GOAWAY (and health watchers from NOT_SERVING); calls in
	 * flight finish, then each connection closes. */
	for (RpcConn *c = s->conns; c; c = c->next)
		if (c->proto == RPC_PROTO_H2 && !c->closing)
			rpc_h2_shutdown(c);
	/* Streams do not end by themselves: their owners end them. */
	for (RpcConn *c = s->conns; c; c = c->next)
		for (RpcCall *call = c->calls; call; call = call->next)
			if (call->sent && !call->answered)
				call_cancel_soon(call);
	rpc_srv_check_drained(s);
}

void rpc_server_abort_calls(RpcServer *s, const char *why)
{
	for (RpcConn *c = s->conns; c; c = c->next)
		for (RpcCall *call = c->calls; call; call = call->next)
			if (!call->answered) {
				call_answered(s, call);
				call_send_error(call, STATUS_UNAVAILABLE, why);
				/* Let a stream's owner free it now; a unary call's reply may still
				 * come (and is dropped). */
				if (call->sent)
					call_cancel_soon(call);
			}
	rpc_srv_check_drained(s);
}

void rpc_server_free(RpcServer *s)
{
	if (!s)
		return;
	/* Called after the loop stopped: in-flight ops die with the ring. */
	while (s->conns) {
		RpcConn *c = s->conns;
		s->conns = c->next;
		for (RpcCall *call = c->calls; call; call = call->next) {
			if (call->cancel_defer.queued)
				loop_defer_cancel(s->loop, &call->cancel_defer);
			call->conn = NULL;
		}
		conn_free(c);
	}
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	rpc_reflect_free(s->reflect);
	free(s);
}

unsigned rpc_server_connections(const RpcServer *s)
{
	return s->nconns;
}
