/* The RPC server on the io_uring loop, protocol-neutral: multishot accept, peer credentials,
 * a transport per connection chosen from its first bytes (rpc-ttrpc.c, rpc-h2.c), calls,
 * replies coalesced per loop turn into one send per connection, graceful shutdown. */
#include "rpc-internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/list.h"
#include "core/log.h"
#include "core/status.h"

/* How an HTTP/2 client preface starts. Its first four bytes, read as a ttrpc length, would be
 * 1.3 GB, so a ttrpc connection never starts like that. */
#define H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

static void conn_recv(RpcConn *c);

/* ---- shutdown accounting */

static bool conn_idle(RpcConn *c)
{
	return !c->send_inflight && c->wq.len == 0 && c->ws.len == 0 &&
	       (!c->tp || !c->tp->pending(c));
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

int rpc_wbuf_reserve(WBuf *b, size_t more)
{
	return buf_grow(&b->data, &b->cap, b->len + more, 4096);
}

static void conn_send_next(RpcConn *c)
{
	struct io_uring_sqe *sqe;
	size_t len;

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
	len = c->ws.len - c->woff;
	sqe = loop_sqe(c->srv->loop, &c->send_op);
	if (c->fds_head < c->fds_len && c->fds[c->fds_head].pos < c->wsent + len) {
		const struct RpcFd *f = &c->fds[c->fds_head];

		if (f->pos > c->wsent) {
			/* Up to the byte the fd goes with; the fd goes with the next send. */
			len = f->pos - c->wsent;
		} else {
			/* One fd per send, so the client can pair fds with frames in order. */
			struct cmsghdr *cm;

			if (c->fds_head + 1 < c->fds_len &&
			    c->fds[c->fds_head + 1].pos < c->wsent + len)
				len = c->fds[c->fds_head + 1].pos - c->wsent;
			c->siov = (struct iovec){ c->ws.data + c->woff, len };
			c->smsg = (struct msghdr){ .msg_iov = &c->siov,
						   .msg_iovlen = 1,
						   .msg_control = c->scm.buf,
						   .msg_controllen = sizeof(c->scm.buf) };
			cm = CMSG_FIRSTHDR(&c->smsg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &f->fd, sizeof(int));
			io_uring_prep_sendmsg(sqe, c->fd, &c->smsg, MSG_NOSIGNAL);
			c->send_fd = true;
			c->send_inflight = true;
			return;
		}
	}
	io_uring_prep_send(sqe, c->fd, c->ws.data + c->woff, len, MSG_NOSIGNAL);
	c->send_inflight = true;
}

/* Closes the fds not passed yet (the connection is gone). */
static void conn_drop_fds(RpcConn *c)
{
	for (size_t i = c->fds_head; i < c->fds_len; i++)
		close(c->fds[i].fd);
	c->fds_head = c->fds_len = 0;
	c->send_fd = false;
}

void rpc_conn_kick(RpcConn *c)
{
	if (!c->closing)
		loop_defer(c->srv->loop, &c->flush);
}

/* The end-of-turn hook: everything the turn queued for this connection goes out as one send
 * (the transport first moves in what it holds elsewhere: HTTP/2, nghttp2's output). */
static void conn_flush(LoopDefer *d)
{
	RpcConn *c = container_of(d, RpcConn, flush);
	bool ok;

	if (c->closing) {
		rpc_conn_close(c); /* finishes a close that waited for this hook */
		return;
	}
	c->busy++;
	ok = c->tp->flush(c);
	c->busy--;
	if (!ok || c->closing) {
		rpc_conn_close(c);
		return;
	}
	/* Nothing left to say or hear (HTTP/2: GOAWAY exchanged, streams done): hang up once the
	 * last bytes are out. */
	if (c->tp->finished(c) && conn_idle(c)) {
		rpc_conn_close(c);
		return;
	}
	conn_send_next(c);
}

static void send_done(LoopOp *op, int res, uint32_t flags)
{
	RpcConn *c = container_of(op, RpcConn, send_op);

	c->send_inflight = false;
	if (c->send_fd && res > 0) {
		/* The kernel took the bytes, so the fd went with them: the client holds it now
		 * (or the kernel closes it for a client that reads without ancillary space). */
		close(c->fds[c->fds_head++].fd);
		if (c->fds_head == c->fds_len)
			c->fds_head = c->fds_len = 0;
	}
	c->send_fd = false;
	if (res < 0) {
		log_debug("rpc: send to pid %d failed: %s", (int)c->pid, strerror(-res));
		rpc_conn_close(c);
		return;
	}
	c->woff += (size_t)res;
	c->wsent += (size_t)res;
	/* ttrpc credits streams with what was written; HTTP/2 asks for another flush (its output
	 * is pulled in bounded portions, and a finished session closes). */
	c->tp->sent(c);
	if (c->closing) {
		rpc_conn_close(c);
		return;
	}
	conn_send_next(c);
	/* Reading was paused while output piled up. */
	if (!c->recv_inflight)
		conn_recv(c);
	srv_check_drained(c->srv);
}

/* ---- calls */

static void call_unlink(RpcCall *call)
{
	RpcConn *c = call->conn;

	if (!c)
		return;
	LIST_UNLINK(c->calls, call, prev, next);
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
	if (c && c->tp->call_free)
		c->tp->call_free(call);
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
	call = calloc(1, c->tp->call_size);
	if (!call) {
		*ret_code = STATUS_RESOURCE_EXHAUSTED;
		*ret_msg = "out of memory";
		return NULL;
	}
	call->conn = c;
	call->loop = s->loop;
	call->stream_id = stream_id;
	call->cancel_defer.cb = call_cancel_run;
	LIST_PREPEND(c->calls, call, prev, next);
	c->ncalls++;
	s->unanswered++;
	return call;
}

void rpc_call_answered(RpcCall *call)
{
	call_answered(call->conn->srv, call);
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
	call_cancel_soon(call);
	srv_check_drained(s);
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
		c->tp->reply(call, msg);
	}
	call_free(call);
	if (s)
		srv_check_drained(s);
}

void rpc_call_reply_fd(RpcCall *call, const ProtobufCMessage *resp, int fd)
{
	RpcConn *c = call->conn;
	struct RpcFd *fds;

	if (!c || call->answered || c->closing) {
		close(fd);
		rpc_call_reply(call, resp); /* frees the call, drops the reply */
		return;
	}
	if (!c->tp->pass_fds) {
		close(fd);
		rpc_call_fail(
			call, STATUS_FAILED_PRECONDITION,
			"this method passes a file descriptor, which gRPC cannot carry: use the "
			"ttrpc transport (libnsring, nsringctl) on the same socket");
		return;
	}
	/* The whole reply must fit, or the fd would ride on an error frame instead. */
	if (protobuf_c_message_get_packed_size(resp) > RPC_MESSAGE_MAX - 1024) {
		close(fd);
		rpc_call_fail(call, STATUS_RESOURCE_EXHAUSTED,
			      "reply larger than the message limit");
		return;
	}
	if (c->fds_len == c->fds_cap) {
		if (c->fds_head > 0) {
			memmove(c->fds, c->fds + c->fds_head,
				(c->fds_len - c->fds_head) * sizeof(*c->fds));
			c->fds_len -= c->fds_head;
			c->fds_head = 0;
		} else {
			size_t cap = c->fds_cap ? c->fds_cap * 2 : 8;

			fds = reallocarray(c->fds, cap, sizeof(*fds));
			if (!fds) {
				close(fd);
				rpc_call_fail(call, STATUS_RESOURCE_EXHAUSTED,
					      "out of memory queuing a file descriptor");
				return;
			}
			c->fds = fds;
			c->fds_cap = cap;
		}
	}
	/* Its frame starts at the end of what is queued now. */
	c->fds[c->fds_len++] = (struct RpcFd){
		.pos = c->wsent + (c->ws.len - c->woff) + c->wq.len,
		.fd = fd,
	};
	rpc_call_reply(call, resp);
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
		c->tp->fail(call, code, msg);
	}
	call_free(call);
	if (s)
		srv_check_drained(s);
}

int rpc_call_send(RpcCall *call, const ProtobufCMessage *msg)
{
	RpcConn *c = call->conn;
	int r;

	if (!c || call->answered)
		return -EPIPE;
	r = c->tp->send(call, msg);
	if (r == 0)
		call->sent = true;
	return r;
}

size_t rpc_call_queued(const RpcCall *call)
{
	if (!call->conn)
		return 0;
	return call->conn->tp->queued(call);
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

/* ---- input */

/* Chooses the connection's transport from its first bytes, once, then feeds it. Returns false
 * if the connection must close. */
static bool conn_parse(RpcConn *c)
{
	if (!c->tp) {
		/* "PRI " decides; nghttp2 checks the rest of the preface. */
		size_t n = MIN(c->rlen, 4);
		bool h2 = memcmp(c->rbuf, H2_PREFACE, n) == 0;
		const RpcTransport *tp = h2 ? &rpc_h2_transport : &rpc_ttrpc_transport;
		int r;

		if (h2 && n < 4)
			return true; /* too little to tell yet */
		r = tp->start(c);
		if (r < 0) {
			log_warning("rpc: %s setup for pid %d failed: %s", tp->name, (int)c->pid,
				    strerror(-r));
			return false;
		}
		c->tp = tp;
		log_debug("rpc: pid %d speaks %s", (int)c->pid, tp->name);
	}
	return c->tp->input(c);
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
	if ((!c->tp || c->tp->pause_at_call_limit) && c->ncalls >= c->srv->cfg.max_calls_per_conn)
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
	conn_drop_fds(c);
	free(c->fds);
	if (c->tp)
		c->tp->free(c);
	free(c->rbuf);
	free(c->wq.data);
	free(c->ws.data);
	free(c);
}

void rpc_conn_close(RpcConn *c)
{
	RpcServer *s = c->srv;

	if (!c->closing) {
		c->closing = true;
		if (c->tp && c->tp->close)
			c->tp->close(c);
		/* Orphan outstanding calls: their replies are dropped when they come. */
		while (c->calls) {
			RpcCall *call = c->calls;
			c->calls = call->next;
			call->conn = NULL;
			call->prev = call->next = NULL;
			call_answered(s, call);
			call_cancel_soon(call);
		}
		c->ncalls = 0;
		/* Wake a pending receive/send so their completions arrive; free after. */
		shutdown(c->fd, SHUT_RDWR);
	}
	if (c->busy || c->recv_inflight || c->send_inflight || c->flush.queued)
		return;
	LIST_UNLINK(s->conns, c, prev, next);
	s->nconns--;
	conn_free(c);
	srv_check_drained(s);
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
	if (!c || !(c->rbuf = malloc(RPC_RBUF_INITIAL))) {
		free(c);
		close(res);
		goto rearm;
	}
	c->srv = s;
	c->fd = res;
	c->rcap = RPC_RBUF_INITIAL;
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
	LIST_PREPEND(s->conns, c, prev, next);
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
		if (c->tp && c->tp->shutdown && !c->closing)
			c->tp->shutdown(c);
	/* Streams do not end by themselves: their owners end them. */
	for (RpcConn *c = s->conns; c; c = c->next)
		for (RpcCall *call = c->calls; call; call = call->next)
			if (call->sent && !call->answered)
				call_cancel_soon(call);
	srv_check_drained(s);
}

void rpc_server_abort_calls(RpcServer *s, const char *why)
{
	for (RpcConn *c = s->conns; c; c = c->next)
		for (RpcCall *call = c->calls; call; call = call->next)
			if (!call->answered) {
				call_answered(s, call);
				c->tp->fail(call, STATUS_UNAVAILABLE, why);
				/* Let a stream's owner free it now; a unary call's reply may still
				 * come (and is dropped). */
				if (call->sent)
					call_cancel_soon(call);
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
