/* The ttrpc transport: containerd/ttrpc framing (src/wire/ttrpc-wire.h) on a connection, its
 * requests to the dispatcher, replies as Response frames and server streams as data frames. */
#include "rpc-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/status.h"
#include "ttrpc/ttrpc.pb-c.h"
#include "wire/ttrpc-wire.h"

typedef struct TtrpcCall {
	RpcCall call;
	/* The request opened a stream (flag remote-closed), so data messages may be sent on it;
	 * a unary request (flags 0) may not carry any. */
	bool streamable;
	size_t queued; /* bytes of this call's data frames not yet written */
} TtrpcCall;

/* A streaming call's data frame in the write queues, so the call's unsent bytes are known
 * (ttrpc has no flow control: a client that does not read shows up only here). */
typedef struct TtrpcPending {
	TtrpcCall *call; /* NULL once the call ended */
	uint64_t end;	 /* the frame's end, in bytes ever queued on the connection */
	size_t len;
} TtrpcPending;

/* A connection's state: streaming calls' data frames not yet fully sent, oldest first. */
typedef struct TtrpcConn {
	TtrpcPending *pend;
	size_t pend_head, pend_len, pend_cap;
} TtrpcConn;

static TtrpcCall *tcall(const RpcCall *call)
{
	return container_of(call, TtrpcCall, call);
}

/* ---- output */

/* Credits streaming calls with the data frames the kernel took. */
static void conn_pend_advance(RpcConn *c)
{
	TtrpcConn *t = c->tp_state;

	while (t->pend_head < t->pend_len && t->pend[t->pend_head].end <= c->wsent) {
		TtrpcPending *p = &t->pend[t->pend_head++];

		if (p->call)
			p->call->queued -= p->len;
	}
	if (t->pend_head == t->pend_len)
		t->pend_head = t->pend_len = 0;
}

/* Room for one more pending record. */
static int conn_pend_reserve(TtrpcConn *t)
{
	TtrpcPending *p;
	size_t cap;

	if (t->pend_len < t->pend_cap)
		return 0;
	if (t->pend_head > 0) {
		memmove(t->pend, t->pend + t->pend_head,
			(t->pend_len - t->pend_head) * sizeof(*t->pend));
		t->pend_len -= t->pend_head;
		t->pend_head = 0;
		return 0;
	}
	cap = t->pend_cap ? t->pend_cap * 2 : 64;
	p = reallocarray(t->pend, cap, sizeof(*p));
	if (!p)
		return -ENOMEM;
	t->pend = p;
	t->pend_cap = cap;
	return 0;
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
static int conn_queue_data(RpcConn *c, TtrpcCall *call, const ProtobufCMessage *msg, uint8_t flags)
{
	TtrpcConn *t = c->tp_state;
	size_t n = msg ? protobuf_c_message_get_packed_size(msg) : 0;
	size_t len = TTRPC_HEADER_SIZE + n;
	TtrpcHeader h = { .length = (uint32_t)n,
			  .stream_id = call->call.stream_id,
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
	r = conn_pend_reserve(t);
	if (r >= 0)
		r = rpc_wbuf_reserve(&c->wq, len);
	if (r < 0)
		return r;
	ttrpc_header_encode(c->wq.data + c->wq.len, &h);
	if (msg)
		protobuf_c_message_pack(msg, c->wq.data + c->wq.len + TTRPC_HEADER_SIZE);
	c->wq.len += len;
	t->pend[t->pend_len++] = (TtrpcPending){
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

static void ttrpc_reply(RpcCall *call, const ProtobufCMessage *msg)
{
	RpcConn *c = call->conn;

	if (call->sent || (!msg && tcall(call)->streamable)) {
		/* A stream ends as containerd/ttrpc ends one with status OK: a last data message
		 * flagged remote-closed (with no-data when there is no message). A Response would
		 * reach Go clients as one more, empty, message. */
		int r = conn_queue_data(c, tcall(call), msg, TTRPC_FLAG_REMOTE_CLOSED);

		if (r < 0)
			conn_queue_error(c, call->stream_id, STATUS_RESOURCE_EXHAUSTED,
					 r == -EMSGSIZE
						 ? "reply larger than the 4 MiB message limit"
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
			return;
		}
		protobuf_c_message_pack(msg, payload);
		resp.payload.data = payload;
		resp.payload.len = n;
		if (conn_queue_response(c, call->stream_id, &resp) < 0)
			conn_queue_error(c, call->stream_id, STATUS_RESOURCE_EXHAUSTED,
					 "reply larger than the 4 MiB message limit");
		free(payload);
	}
}

static void ttrpc_fail(RpcCall *call, int code, const char *msg)
{
	conn_queue_error(call->conn, call->stream_id, code, msg);
}

static int ttrpc_send(RpcCall *call, const ProtobufCMessage *msg)
{
	if (!tcall(call)->streamable) {
		/* The client would fail on a data message (or, before ttrpc 1.2, take it for the
		 * answer): answer the call here instead. The owner's end of it is dropped. */
		rpc_call_answered(call);
		conn_queue_error(call->conn, call->stream_id, STATUS_UNIMPLEMENTED,
				 "this method streams its answer: call it as a ttrpc stream "
				 "(request flag remote-closed, containerd/ttrpc 1.2 or later)");
		return -EPIPE;
	}
	return conn_queue_data(call->conn, tcall(call), msg, 0);
}

static size_t ttrpc_queued(const RpcCall *call)
{
	return tcall(call)->queued;
}

static void ttrpc_call_free(RpcCall *call)
{
	TtrpcConn *t = call->conn->tp_state;

	if (tcall(call)->queued > 0)
		for (size_t i = t->pend_head; i < t->pend_len; i++)
			if (t->pend[i].call == tcall(call))
				t->pend[i].call = NULL;
}

/* ---- input */

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
	tcall(call)->streamable = flags & TTRPC_FLAG_REMOTE_CLOSED;
	info = (RpcCallInfo){
		.method = req->method ? req->method : "",
		.payload = req->payload.data,
		.len = req->payload.len,
		.deadline =
			req->timeout_nano > 0 ? loop_now(s->loop) + (uint64_t)req->timeout_nano : 0,
		.uid = c->uid,
		.pid = c->pid,
		.pass_fds = true,
	};
	s->dispatch(s->userdata, call, &info);
out:
	ttrpc__request__free_unpacked(req, NULL);
}

/* Parses every complete ttrpc frame in rbuf. Returns false if the connection must close. */
static bool ttrpc_input(RpcConn *c)
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
			if (ttrpc_rbuf_fit(&c->rbuf, &c->rlen, &c->rcap, &off,
					   TTRPC_HEADER_SIZE + (size_t)h.length) < 0)
				return false;
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
	if (c->rlen == 0 && c->rcap > 4 * RPC_RBUF_INITIAL) {
		uint8_t *p = realloc(c->rbuf, RPC_RBUF_INITIAL);
		if (p) {
			c->rbuf = p;
			c->rcap = RPC_RBUF_INITIAL;
		}
	}
	return ok;
}

/* ---- the connection */

static int ttrpc_start(RpcConn *c)
{
	c->tp_state = calloc(1, sizeof(TtrpcConn));
	return c->tp_state ? 0 : -ENOMEM;
}

/* Replies go straight into the write queue: nothing held elsewhere, no session to end. */
static bool ttrpc_flush(RpcConn *c)
{
	return true;
}

static bool ttrpc_none(RpcConn *c)
{
	return false;
}

static void ttrpc_close(RpcConn *c)
{
	TtrpcConn *t = c->tp_state;

	for (RpcCall *call = c->calls; call; call = call->next)
		tcall(call)->queued = 0;
	t->pend_head = t->pend_len = 0;
}

static void ttrpc_free(RpcConn *c)
{
	TtrpcConn *t = c->tp_state;

	free(t->pend);
	free(t);
	c->tp_state = NULL;
}

const RpcTransport rpc_ttrpc_transport = {
	.pass_fds = true,
	.name = "ttrpc",
	.call_size = sizeof(TtrpcCall),
	.pause_at_call_limit = true,
	.start = ttrpc_start,
	.input = ttrpc_input,
	.flush = ttrpc_flush,
	.pending = ttrpc_none,
	.finished = ttrpc_none,
	.sent = conn_pend_advance,
	.reply = ttrpc_reply,
	.fail = ttrpc_fail,
	.send = ttrpc_send,
	.queued = ttrpc_queued,
	.call_free = ttrpc_call_free,
	.close = ttrpc_close,
	/* ttrpc cannot announce the end: calls in flight finish, then the client leaves. */
	.shutdown = NULL,
	.free = ttrpc_free,
};
