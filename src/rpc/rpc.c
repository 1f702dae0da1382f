/* The ttrpc transport on the io_uring loop: multishot accept, peer credentials, framing,
 * replies coalesced per loop turn into one send per connection, graceful shutdown. */
#include "rpc.h"

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
/* A client that does not read its replies stops being read from past this much output. */
#define WBUF_PAUSE (16u << 20)

typedef struct RpcConn RpcConn;

typedef struct WBuf {
	uint8_t *data;
	size_t len, cap;
} WBuf;

struct RpcConn {
	RpcServer *srv;
	RpcConn *prev, *next;
	int fd;
	uid_t uid;
	pid_t pid;
	bool denied;
	bool closing;
	bool recv_inflight, send_inflight;
	LoopOp recv_op, send_op;
	LoopDefer flush;
	uint8_t *rbuf;
	size_t rlen, rcap;
	WBuf wq, ws; /* being filled, being sent */
	size_t woff;
	RpcCall *calls; /* outstanding, for orphaning on close */
	unsigned ncalls;
};

struct RpcCall {
	RpcConn *conn; /* NULL once orphaned */
	RpcCall *prev, *next;
	uint32_t stream_id;
	bool answered;
};

struct RpcServer {
	Loop *loop;
	RpcServerConfig cfg;
	int listen_fd;
	LoopOp accept_op;
	bool accept_armed;
	bool shutting_down;
	rpc_dispatch_cb dispatch;
	void *userdata;
	RpcConn *conns;
	unsigned nconns;
	unsigned unanswered;
	void (*drained)(void *userdata);
	void *drained_userdata;
};

static void conn_close(RpcConn *c);
static void conn_recv(RpcConn *c);

/* ---- shutdown accounting */

static bool conn_idle(const RpcConn *c)
{
	return !c->send_inflight && c->wq.len == 0 && c->ws.len == 0;
}

static void srv_check_drained(RpcServer *s)
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

static int wbuf_reserve(WBuf *b, size_t more)
{
	size_t cap;
	uint8_t *p;

	if (b->len + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
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

static void conn_flush(LoopDefer *d)
{
	RpcConn *c = container_of(d, RpcConn, flush);

	if (c->closing) {
		conn_close(c); /* finishes a close that waited for this hook */
		return;
	}
	conn_send_next(c);
}

static void send_done(LoopOp *op, int res, uint32_t flags)
{
	RpcConn *c = container_of(op, RpcConn, send_op);

	c->send_inflight = false;
	if (res < 0) {
		log_debug("rpc: send to pid %d failed: %s", (int)c->pid, strerror(-res));
		conn_close(c);
		return;
	}
	c->woff += (size_t)res;
	if (c->closing) {
		conn_close(c);
		return;
	}
	conn_send_next(c);
	/* Reading was paused while output piled up. */
	if (!c->recv_inflight && c->wq.len + c->ws.len < WBUF_PAUSE)
		conn_recv(c);
	srv_check_drained(c->srv);
}

/* Appends one response frame: the header, then ttrpc.Response{status?, payload?}. */
static int conn_queue_response(RpcConn *c, uint32_t stream_id, const Ttrpc__Response *resp)
{
	size_t n = ttrpc__response__get_packed_size(resp);
	TtrpcHeader h = { .length = (uint32_t)n, .stream_id = stream_id, .type = TTRPC_TYPE_RESPONSE };
	int r;

	if (n > TTRPC_MESSAGE_MAX)
		return -EMSGSIZE;
	r = wbuf_reserve(&c->wq, TTRPC_HEADER_SIZE + n);
	if (r < 0)
		return r;
	ttrpc_header_encode(c->wq.data + c->wq.len, &h);
	ttrpc__response__pack(resp, c->wq.data + c->wq.len + TTRPC_HEADER_SIZE);
	c->wq.len += TTRPC_HEADER_SIZE + n;
	loop_defer(c->srv->loop, &c->flush);
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
		conn_close(c);
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
	call->conn = NULL;
	c->ncalls--;
	if (c->closing)
		conn_close(c);
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

bool rpc_call_orphaned(const RpcCall *call)
{
	return !call->conn || call->answered;
}

void rpc_call_reply(RpcCall *call, const ProtobufCMessage *msg)
{
	RpcConn *c = call->conn;
	RpcServer *s = c ? c->srv : NULL;

	if (c && !call->answered) {
		Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
		size_t n = protobuf_c_message_get_packed_size(msg);
		uint8_t *payload = malloc(n ? n : 1);

		call_answered(s, call);
		if (!payload) {
			conn_queue_error(c, call->stream_id, STATUS_RESOURCE_EXHAUSTED,
					 "out of memory packing the reply");
		} else {
			protobuf_c_message_pack(msg, payload);
			resp.payload.data = payload;
			resp.payload.len = n;
			if (conn_queue_response(c, call->stream_id, &resp) < 0)
				conn_queue_error(c, call->stream_id, STATUS_RESOURCE_EXHAUSTED,
						 "reply larger than the 4 MiB message limit");
			free(payload);
		}
	}
	call_unlink(call);
	free(call);
	if (s)
		srv_check_drained(s);
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
		conn_queue_error(c, call->stream_id, code, msg);
	}
	call_unlink(call);
	free(call);
	if (s)
		srv_check_drained(s);
}

/* ---- input */

static void conn_handle_request(RpcConn *c, uint32_t stream_id, const uint8_t *p, size_t n)
{
	RpcServer *s = c->srv;
	Ttrpc__Request *req;
	RpcCall *call;
	RpcCallInfo info;

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
		char msg[512];
		snprintf(msg, sizeof(msg), "unknown service \"%.256s\" (this is %s)",
			 req->service ? req->service : "", TTRPC_SERVICE);
		conn_queue_error(c, stream_id, STATUS_UNIMPLEMENTED, msg);
		goto out;
	}
	if (s->shutting_down) {
		conn_queue_error(c, stream_id, STATUS_UNAVAILABLE, "nsringd is shutting down");
		goto out;
	}
	if (c->ncalls >= s->cfg.max_calls_per_conn) {
		conn_queue_error(c, stream_id, STATUS_RESOURCE_EXHAUSTED,
				 "too many calls in flight on this connection");
		goto out;
	}
	call = calloc(1, sizeof(*call));
	if (!call) {
		conn_queue_error(c, stream_id, STATUS_RESOURCE_EXHAUSTED, "out of memory");
		goto out;
	}
	call->conn = c;
	call->stream_id = stream_id;
	call->next = c->calls;
	if (c->calls)
		c->calls->prev = call;
	c->calls = call;
	c->ncalls++;
	s->unanswered++;

	info = (RpcCallInfo){
		.method = req->method ? req->method : "",
		.payload = req->payload.data,
		.len = req->payload.len,
		.deadline = req->timeout_nano > 0
				    ? loop_now(s->loop) + (uint64_t)req->timeout_nano
				    : 0,
		.uid = c->uid,
		.pid = c->pid,
	};
	s->dispatch(s->userdata, call, &info);
out:
	ttrpc__request__free_unpacked(req, NULL);
}

/* Parses every complete frame in rbuf. Returns false if the connection must close. */
static bool conn_parse(RpcConn *c)
{
	size_t off = 0;
	bool ok = true;

	/* An HTTP/2 client preface starts "PRI * HTTP/2.0": its first four bytes, read as a ttrpc
	 * length, would be 1.3 GB, so ttrpc never starts like that. */
	if (c->rlen >= 4 && memcmp(c->rbuf, "PRI ", 4) == 0) {
		log_info("rpc: pid %d speaks HTTP/2 (gRPC), which this nsringd does not serve yet",
			 (int)c->pid);
		return false;
	}
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
		if (h.type != TTRPC_TYPE_REQUEST || h.stream_id == 0) {
			log_info("rpc: pid %d sent frame type %u stream %u: closing", (int)c->pid,
				 h.type, h.stream_id);
			ok = false;
			break;
		}
		conn_handle_request(c, h.stream_id, c->rbuf + off + TTRPC_HEADER_SIZE, h.length);
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

static void recv_done(LoopOp *op, int res, uint32_t flags)
{
	RpcConn *c = container_of(op, RpcConn, recv_op);

	c->recv_inflight = false;
	if (c->closing) {
		conn_close(c);
		return;
	}
	if (res <= 0) {
		if (res < 0 && res != -ECONNRESET)
			log_debug("rpc: receive from pid %d failed: %s", (int)c->pid, strerror(-res));
		conn_close(c);
		return;
	}
	mem_mark_defined(c->rbuf + c->rlen, (size_t)res);
	c->rlen += (size_t)res;
	if (!conn_parse(c)) {
		conn_close(c);
		return;
	}
	conn_recv(c);
}

static void conn_recv(RpcConn *c)
{
	struct io_uring_sqe *sqe;

	if (c->recv_inflight || c->closing)
		return;
	/* Backpressure: stop reading while a client has too much outstanding. */
	if (c->ncalls >= c->srv->cfg.max_calls_per_conn || c->wq.len + c->ws.len >= WBUF_PAUSE)
		return;
	sqe = loop_sqe(c->srv->loop, &c->recv_op);
	io_uring_prep_recv(sqe, c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
	c->recv_inflight = true;
}

/* ---- connections */

static void conn_close(RpcConn *c)
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
			call_answered(s, call);
		}
		c->ncalls = 0;
		/* Wake a pending receive/send so their completions arrive; free after. */
		shutdown(c->fd, SHUT_RDWR);
	}
	if (c->recv_inflight || c->send_inflight || c->flush.queued)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	close(c->fd);
	free(c->rbuf);
	free(c->wq.data);
	free(c->ws.data);
	free(c);
	srv_check_drained(s);
}

static bool peer_admitted(const RpcServer *s, int fd, const struct ucred *cred)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (cred->uid == 0)
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

	if (!s)
		return -ENOMEM;
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
	srv_check_drained(s);
}

void rpc_server_abort_calls(RpcServer *s, const char *why)
{
	for (RpcConn *c = s->conns; c; c = c->next)
		for (RpcCall *call = c->calls; call; call = call->next)
			if (!call->answered) {
				call_answered(s, call);
				conn_queue_error(c, call->stream_id, STATUS_UNAVAILABLE, why);
			}
	srv_check_drained(s);
}

void rpc_server_free(RpcServer *s)
{
	if (!s)
		return;
	/* Called after the loop stopped: in-flight ops die with the ring. */
	while (s->conns) {
		RpcConn *c = s->conns;
		s->conns = c->next;
		close(c->fd);
		for (RpcCall *call = c->calls; call; call = call->next)
			call->conn = NULL;
		free(c->rbuf);
		free(c->wq.data);
		free(c->ws.data);
		free(c);
	}
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	free(s);
}

unsigned rpc_server_connections(const RpcServer *s)
{
	return s->nconns;
}
