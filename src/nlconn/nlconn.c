/* One rtnetlink connection per namespace on the io_uring loop (see nlconn.h). Requests wait
 * in a FIFO until the end of the loop turn, then go out together in one send; replies are
 * matched by sequence number through a slot table indexed by seq. */
#include "nlconn.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/macro.h"
#include "rtnl/rtnl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

/* Slots are indexed by seq & slot_mask; a seq whose slot is still taken waits, so a request
 * that stays in flight long (a dump) never has its replies confused with a newer one's. The
 * table starts small and doubles when a slot is taken, up to SLOT_MAX: thousands of mostly
 * idle namespaces each have a connection, and 4096 slots would be 32 KiB apiece. */
#define SLOT_MIN 16u
#define SLOT_MAX 4096u
#define DUMP_RETRIES 8
/* Sends of at least this many requests, none of them a link change, run in an io_uring worker
 * (IOSQE_ASYNC). Measured with nsring-bench on 2 cores, alternating runs against the build
 * before: route -b 64 130k -> 188-191k ops/s, get -c 4 -d 64 81k -> 124-126k RPC/s, topo +1.5%;
 * wire N=1000 within noise. Link changes punted too cost wire -b 64 15-20%. */
#define NLCONN_ASYNC_MIN 8
/* A barrier whose ACK was itself dropped is re-sent after this long. */
#define BARRIER_TIMEOUT_NS (200ull * 1000000ull)

typedef struct NlReq NlReq;
struct NlReq {
	NlReq *next; /* pending FIFO */
	const NlConnHandler *h;
	void *userdata;
	uint64_t deadline;
	uint32_t seq;
	uint8_t retries;
	bool dump;
	bool intr;
	size_t len;
	uint8_t msg[]; /* the request, kept for re-running an interrupted dump */
};

struct NlConn {
	Loop *loop;
	LoopBufRing *br;
	int fd;
	uint32_t portid;

	LoopOp recv_op, send_op, cancel_op;
	struct msghdr rmsg;
	bool recv_armed, send_inflight, cancel_inflight;
	bool closed;
	unsigned busy; /* > 0 while delivering callbacks: defer freeing */

	NlReq *pending_head, **pending_tail;
	unsigned npending;
	NlReq **slots;
	uint32_t slot_mask;
	unsigned inflight;
	uint32_t next_seq, low_seq; /* seqs in [low_seq, next_seq) may be in flight */
	bool dump_running;
	uint32_t dump_seq; /* the running dump's seq, kept even if its request timed out */

	uint8_t *sbuf;
	size_t sbuf_cap, sbuf_len;
	uint32_t batch_first, batch_end; /* seqs of the send in flight */

	bool barrier_pending; /* an overrun barrier is queued or in flight */
	unsigned overrun_gen, barrier_gen;
	LoopDefer flush;
	LoopTimer timer;
	NlConnStats stats;
};

static unsigned live_conns;

static void conn_maybe_free(NlConn *c);
static void conn_flush_soon(NlConn *c);
static int conn_queue_barrier(NlConn *c);
static const NlConnHandler barrier_handler;
static void sweep_lost_replies(NlConn *c, uint32_t seq_answered);

static void conn_arm_recv(NlConn *c)
{
	struct io_uring_sqe *sqe = loop_sqe(c->loop, &c->recv_op);

	io_uring_prep_recvmsg_multishot(sqe, c->fd, &c->rmsg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = loop_bufring_bgid(c->br);
	c->recv_armed = true;
}

static void conn_arm_timer(NlConn *c, uint64_t deadline)
{
	if (!loop_timer_armed(&c->timer) || deadline < c->timer.when)
		loop_timer_arm(c->loop, &c->timer, deadline);
}

/* Removes a request from its slot and delivers its final result. */
static void req_complete(NlConn *c, NlReq *req, int error, const char *extack)
{
	if (c->slots[req->seq & c->slot_mask] == req) {
		c->slots[req->seq & c->slot_mask] = NULL;
		c->inflight--;
		/* Keep the scan window [low_seq, next_seq) short for timers and barriers. */
		while (c->low_seq != c->next_seq && !c->slots[c->low_seq & c->slot_mask])
			c->low_seq++;
	}
	if (req->dump && c->dump_running && c->dump_seq == req->seq)
		c->dump_running = false;
	c->busy++;
	req->h->done(req->userdata, error, extack);
	c->busy--;
	free(req);
	if (c->npending > 0)
		conn_flush_soon(c);
}

static NlReq *slot_lookup(NlConn *c, uint32_t seq)
{
	NlReq *req = c->slots[seq & c->slot_mask];
	return req && req->seq == seq ? req : NULL;
}

/* An interrupted dump runs again from the start, ahead of everything still pending. */
static void req_requeue_front(NlConn *c, NlReq *req)
{
	c->slots[req->seq & c->slot_mask] = NULL;
	c->inflight--;
	c->dump_running = false;
	req->intr = false;
	req->retries++;
	req->next = c->pending_head;
	c->pending_head = req;
	if (!req->next)
		c->pending_tail = &req->next;
	c->npending++;
	conn_flush_soon(c);
}

#define LOST_REPLY "reply dropped by the kernel (netlink receive buffer overrun)"

/* RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE...: the kernel answers each with a message of data. */
static bool req_is_get(const NlReq *req)
{
	uint16_t type = ((const struct nlmsghdr *)req->msg)->nlmsg_type;

	return type >= RTM_BASE && (type & 3) == 2;
}

static void conn_final(NlConn *c, NlReq *req, const struct nlmsghdr *nlh)
{
	if (!req->h->final)
		return;
	c->busy++;
	req->h->final(req->userdata, nlh);
	c->busy--;
}

static void conn_handle_msg(NlConn *c, const struct nlmsghdr *nlh)
{
	NlReq *req = slot_lookup(c, nlh->nlmsg_seq);
	bool final = nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE;

	if (final && c->dump_running && nlh->nlmsg_seq == c->dump_seq && !req)
		c->dump_running = false; /* the end of a dump whose request timed out */
	if (!req)
		return; /* a late reply to a request that timed out or was failed */

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const char *extack = NULL;
		int err;

		/* Replies come in request order: any request sent before this one (but a dump,
		 * whose parts follow later requests' ACKs) that still has no reply lost it to an
		 * overrun, even one the kernel did not report again (it says ENOBUFS once per
		 * congestion). The NOOP barrier after a reported overrun relies on the same. */
		if (c->low_seq != req->seq)
			sweep_lost_replies(c, req->seq);
		if (rtnl_parse_error(nlh, &err, &extack) < 0)
			err = -EBADMSG;
		conn_final(c, req, nlh);
		/* A GET's answer is unicast with MSG_DONTWAIT: when it did not fit our receive
		 * buffer the kernel drops it and acknowledges the request with EAGAIN instead. */
		if (err == -EAGAIN && req_is_get(req)) {
			err = -ENOBUFS;
			extack = LOST_REPLY;
		}
		req_complete(c, req, err, extack);
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		int err = 0;

		if (req->dump && (req->intr || (nlh->nlmsg_flags & NLM_F_DUMP_INTR)) &&
		    req->retries < DUMP_RETRIES) {
			c->busy++;
			if (req->h->restart)
				req->h->restart(req->userdata);
			c->busy--;
			req_requeue_front(c, req);
			return;
		}
		const char *extack = NULL;

		/* A dump that failed says so here, with its ext-ack text, not in NLMSG_ERROR. */
		conn_final(c, req, nlh);
		if (rtnl_parse_done(nlh, &err, &extack) < 0)
			err = 0; /* a bare DONE without the error int ends a dump fine */
		if (err == 0 && req->intr)
			err = -EAGAIN; /* still inconsistent after every retry */
		req_complete(c, req, err, extack);
	} else if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			req->intr = true;
		if (req->h->msg) {
			c->busy++;
			req->h->msg(req->userdata, nlh);
			c->busy--;
		}
	}
}

static int walk_cb(const struct nlmsghdr *nlh, void *userdata)
{
	NlConn *c = userdata;

	if (c->closed)
		return -ESHUTDOWN;
	conn_handle_msg(c, nlh);
	return 0;
}

static void conn_overrun(NlConn *c)
{
	c->stats.overruns++;
	c->overrun_gen++;
	/* Either the buffer ring ran dry (the data waits in the socket) or the socket overran
	 * and the kernel dropped replies. A NOOP barrier tells which: replies come in order, so
	 * when its ACK arrives, requests sent before it that still have no reply lost theirs. */
	if (!c->barrier_pending && conn_queue_barrier(c) == 0)
		c->barrier_pending = true;
}

static void recv_done(LoopOp *op, int res, uint32_t flags)
{
	NlConn *c = container_of(op, NlConn, recv_op);

	if (!(flags & IORING_CQE_F_MORE))
		c->recv_armed = false;

	if (res > 0 && (flags & IORING_CQE_F_BUFFER)) {
		unsigned plen = 0;
		uint16_t bid;
		void *payload = loop_bufring_recvmsg(c->br, res, flags, &c->rmsg, &plen, &bid);

		if (payload) {
			c->busy++;
			if (rtnl_walk(payload, plen, walk_cb, c) == -EINVAL)
				log_debug("nlconn: malformed netlink message from the kernel");
			c->busy--;
		} else {
			/* A datagram bigger than our buffers: its replies are lost. */
			conn_overrun(c);
		}
		loop_bufring_recycle(c->br, bid);
	} else if (res > 0) {
		log_debug("nlconn: receive completion without a buffer");
	} else if (res == -ENOBUFS) {
		conn_overrun(c);
	} else if (res < 0 && res != -ECANCELED) {
		log_debug("nlconn: receive failed: %s", strerror(-res));
	}

	if (c->closed) {
		conn_maybe_free(c);
		return;
	}
	if (!c->recv_armed)
		conn_arm_recv(c);
}

static void send_done(LoopOp *op, int res, uint32_t flags)
{
	NlConn *c = container_of(op, NlConn, send_op);

	c->send_inflight = false;
	if (res < 0 || (size_t)res != c->sbuf_len) {
		int err = res < 0 ? res : -EIO;

		/* Requests whose replies already came are done; fail the rest of the batch. */
		for (uint32_t seq = c->batch_first; seq != c->batch_end; seq++) {
			NlReq *req = slot_lookup(c, seq);
			if (req)
				req_complete(c, req, err, NULL);
		}
	}
	c->sbuf_len = 0;
	/* The batch buffer is given back once it went out, unless more is waiting: most
	 * connections are idle most of the time. */
	if (c->sbuf_cap > 65536 || c->npending == 0) {
		free(c->sbuf);
		c->sbuf = NULL;
		c->sbuf_cap = 0;
	}
	if (c->closed) {
		conn_maybe_free(c);
		return;
	}
	if (c->npending > 0)
		conn_flush_soon(c);
}

static void cancel_done(LoopOp *op, int res, uint32_t flags)
{
	NlConn *c = container_of(op, NlConn, cancel_op);

	c->cancel_inflight = false;
	conn_maybe_free(c);
}

/* Doubles the slot table. Seqs in flight differ modulo the old size, so also modulo the new. */
static bool slots_grow(NlConn *c)
{
	uint32_t n = (c->slot_mask + 1) * 2;
	NlReq **slots;

	if (n > SLOT_MAX)
		return false;
	slots = calloc(n, sizeof(*slots));
	if (!slots)
		return false;
	for (uint32_t i = 0; i <= c->slot_mask; i++)
		if (c->slots[i])
			slots[c->slots[i]->seq & (n - 1)] = c->slots[i];
	free(c->slots);
	c->slots = slots;
	c->slot_mask = n - 1;
	return true;
}

static int sbuf_reserve(NlConn *c, size_t need)
{
	return buf_grow(&c->sbuf, &c->sbuf_cap, need, 4096);
}

static void conn_flush(LoopDefer *d)
{
	NlConn *c = container_of(d, NlConn, flush);
	bool link_changes = false;
	uint32_t first = 0;
	uint16_t type;
	unsigned n = 0;

	if (c->closed) {
		conn_maybe_free(c);
		return;
	}
	if (c->send_inflight)
		return; /* send_done flushes again */

	c->sbuf_len = 0;
	while (c->pending_head) {
		NlReq *req = c->pending_head;
		uint32_t seq = c->next_seq;

		if (c->inflight >= NLCONN_MAX_INFLIGHT)
			break;
		if (req->dump && c->dump_running)
			break; /* one dump at a time per socket; keep the order behind it */
		while (c->slots[seq & c->slot_mask] && slots_grow(c))
			;
		if (c->slots[seq & c->slot_mask])
			break;
		if (n > 0 && c->sbuf_len + req->len > NLCONN_SNDBUF)
			break;
		if (sbuf_reserve(c, c->sbuf_len + req->len) < 0)
			break; /* retried on the next flush; timeouts still apply */

		c->pending_head = req->next;
		if (!c->pending_head)
			c->pending_tail = &c->pending_head;
		c->npending--;
		req->next = NULL;

		c->next_seq++;
		if (c->next_seq == 0)
			c->next_seq = 1; /* seq 0 is what notifications carry */
		req->seq = seq;
		((struct nlmsghdr *)req->msg)->nlmsg_seq = seq;
		memcpy(c->sbuf + c->sbuf_len, req->msg, req->len);
		type = ((struct nlmsghdr *)req->msg)->nlmsg_type;
		link_changes |= type == RTM_NEWLINK || type == RTM_DELLINK || type == RTM_SETLINK;
		c->sbuf_len += req->len;
		c->slots[seq & c->slot_mask] = req;
		c->inflight++;
		if (req->dump) {
			c->dump_running = true;
			c->dump_seq = seq;
		}
		if (n++ == 0)
			first = seq;
	}
	if (n == 0)
		return;

	c->batch_first = first;
	c->batch_end = c->next_seq;
	c->stats.sends++;
	c->stats.requests += n;
	{
		struct io_uring_sqe *sqe = loop_sqe(c->loop, &c->send_op);
		io_uring_prep_send(sqe, c->fd, c->sbuf, c->sbuf_len, 0);
		/* The kernel does a request's work (a route insert, a link dump) inside the send:
		 * a big send goes to an io_uring worker, so that work runs on another CPU while
		 * the loop goes on decoding RPCs and building the next send. Small sends stay
		 * inline, where the hand-off would cost more than it saves; so do sends that
		 * change links: they hold rtnl_lock long, and the requests that follow them
		 * (other namespaces' ends of a veth) would wait for it in the loop's thread. */
		if (n >= NLCONN_ASYNC_MIN && !link_changes)
			sqe->flags |= IOSQE_ASYNC;
	}
	c->send_inflight = true;
}

static void conn_flush_soon(NlConn *c)
{
	if (!c->closed)
		loop_defer(c->loop, &c->flush);
}

/* Fails requests whose deadline passed, and re-arms for the next one. */
static void conn_timer(LoopTimer *t)
{
	NlConn *c = container_of(t, NlConn, timer);
	uint64_t now = loop_now(c->loop), next = UINT64_MAX;
	NlReq **pp;

	c->busy++;
	for (uint32_t seq = c->low_seq; seq != c->next_seq; seq++) {
		NlReq *req = slot_lookup(c, seq);
		if (!req)
			continue;
		if (req->deadline <= now) {
			/* A barrier unanswered this long lost its ACK; the kernel answered every
			 * request before it while we sent it, so those without a reply by now
			 * lost theirs too: no need to wait for their own timeouts. */
			if (req->h == &barrier_handler)
				sweep_lost_replies(c, req->seq);
			c->stats.timeouts++;
			req_complete(c, req, -ETIMEDOUT, NULL);
		} else if (req->deadline < next) {
			next = req->deadline;
		}
	}
	/* Advance the scan window past slots that are free now. */
	while (c->low_seq != c->next_seq && !slot_lookup(c, c->low_seq))
		c->low_seq++;

	pp = &c->pending_head;
	while (*pp) {
		NlReq *req = *pp;
		if (req->deadline <= now) {
			*pp = req->next;
			if (!*pp)
				c->pending_tail = pp;
			c->npending--;
			c->stats.timeouts++;
			req->h->done(req->userdata, -ETIMEDOUT, NULL);
			free(req);
			continue;
		}
		if (req->deadline < next)
			next = req->deadline;
		pp = &req->next;
	}
	c->busy--;
	if (next != UINT64_MAX && !c->closed)
		conn_arm_timer(c, next);
	if (c->closed)
		conn_maybe_free(c);
}

int nlconn_send(NlConn *c, const void *msg, size_t len, const NlConnHandler *h, void *userdata,
		uint64_t timeout_ns)
{
	const struct nlmsghdr *nlh = msg;
	NlReq *req;

	if (c->closed)
		return -ESHUTDOWN;
	if (len < sizeof(*nlh) || nlh->nlmsg_len != len || len > NLCONN_SNDBUF)
		return -EMSGSIZE;
	req = malloc(sizeof(*req) + len);
	if (!req)
		return -ENOMEM;
	*req = (NlReq){
		.h = h,
		.userdata = userdata,
		.deadline = loop_now(c->loop) + (timeout_ns ? timeout_ns : NLCONN_DEFAULT_TIMEOUT_NS),
		.dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP,
		.len = len,
	};
	memcpy(req->msg, msg, len);
	((struct nlmsghdr *)req->msg)->nlmsg_pid = 0;
	*c->pending_tail = req;
	c->pending_tail = &req->next;
	c->npending++;
	conn_arm_timer(c, req->deadline);
	conn_flush_soon(c);
	return 0;
}

/* ---- overrun barrier */

static void barrier_done(void *userdata, int error, const char *extack)
{
	NlConn *c = userdata;

	c->barrier_pending = false;
	if (c->closed)
		return;
	/* Its own ACK can be lost to the same overrun (then it times out), or more overruns came
	 * after it was sent: go again while anything waits. */
	if ((error < 0 || c->overrun_gen != c->barrier_gen) && c->inflight > 0 &&
	    conn_queue_barrier(c) == 0)
		c->barrier_pending = true;
}

static const NlConnHandler barrier_handler = { .done = barrier_done };

/* The reply to seq arrived (or, for a barrier, is known lost): replies come in order, so an
 * older non-dump request still waiting lost its reply to an overrun. Dumps are not dropped
 * (the kernel pauses them). */
static void sweep_lost_replies(NlConn *c, uint32_t seq_answered)
{
	bool lost = false;

	for (uint32_t seq = c->low_seq; seq != seq_answered; seq++) {
		NlReq *req = slot_lookup(c, seq);
		/* Without NLM_F_ACK a request has no final reply to miss: its timeout ends it. */
		if (req && !req->dump && (((struct nlmsghdr *)req->msg)->nlmsg_flags & NLM_F_ACK)) {
			req_complete(c, req, -ENOBUFS, LOST_REPLY);
			lost = true;
		}
	}
	/* An overrun the kernel did not report: later replies may be gone too, and with no reply
	 * after them nothing would find them. A barrier (repeated while requests wait) will. */
	if (lost && !c->closed)
		conn_overrun(c);
}

static int conn_queue_barrier(NlConn *c)
{
	struct nlmsghdr nlh = {
		.nlmsg_len = NLMSG_LENGTH(0),
		.nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	c->barrier_gen = c->overrun_gen;
	return nlconn_send(c, &nlh, sizeof(nlh), &barrier_handler, c, BARRIER_TIMEOUT_NS);
}

/* ---- lifetime */

int nlconn_new(NlConn **ret, Loop *loop, LoopBufRing *br, int fd)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t salen = sizeof(sa);
	int one = 1, rcv = NLCONN_RCVBUF, snd = NLCONN_SNDBUF;
	NlConn *c;

	/* FORCE needs CAP_NET_ADMIN; fall back to the capped variants without it. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) < 0)
		return negative_errno();
	/* Strict checking makes the kernel filter dumps; older kernels lack it: not fatal. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINVAL)
		return negative_errno();
	if (getsockname(fd, (struct sockaddr *)&sa, &salen) < 0)
		return negative_errno();

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->slots = calloc(SLOT_MIN, sizeof(*c->slots));
	if (!c->slots) {
		free(c);
		return -ENOMEM;
	}
	c->slot_mask = SLOT_MIN - 1;
	c->loop = loop;
	c->br = br;
	c->fd = fd;
	c->portid = sa.nl_pid;
	c->recv_op.cb = recv_done;
	c->send_op.cb = send_done;
	c->cancel_op.cb = cancel_done;
	c->flush.cb = conn_flush;
	c->timer.cb = conn_timer;
	c->pending_tail = &c->pending_head;
	c->next_seq = c->low_seq = 1;
	conn_arm_recv(c);
	live_conns++;
	*ret = c;
	return 0;
}

static void conn_maybe_free(NlConn *c)
{
	if (!c->closed || c->busy || c->recv_armed || c->send_inflight || c->cancel_inflight ||
	    c->flush.queued)
		return;
	loop_timer_disarm(c->loop, &c->timer);
	close(c->fd);
	free(c->sbuf);
	free(c->slots);
	free(c);
	live_conns--;
}

unsigned nlconn_live(void)
{
	return live_conns;
}

void nlconn_close(NlConn *c, int error)
{
	if (!c || c->closed)
		return;
	c->closed = true;
	c->busy++;
	while (c->pending_head) {
		NlReq *req = c->pending_head;
		c->pending_head = req->next;
		c->npending--;
		req->h->done(req->userdata, error, NULL);
		free(req);
	}
	c->pending_tail = &c->pending_head;
	for (unsigned i = 0; i <= c->slot_mask; i++)
		if (c->slots[i])
			req_complete(c, c->slots[i], error, NULL);
	c->busy--;
	loop_timer_disarm(c->loop, &c->timer);
	if (c->recv_armed) {
		struct io_uring_sqe *sqe = loop_sqe(c->loop, &c->cancel_op);
		io_uring_prep_cancel(sqe, &c->recv_op, 0);
		c->cancel_inflight = true;
	}
	conn_maybe_free(c);
}

const NlConnStats *nlconn_stats(const NlConn *c)
{
	return &c->stats;
}
