/* Notification sockets on the io_uring loop (see nlevents.h). A multishot recvmsg completes
 * with -ENOBUFS both when the buffer ring ran dry (nothing lost: the data waits in the socket)
 * and when the socket overran (notifications lost); the socket's drop counter (SO_MEMINFO)
 * tells the two apart. After an overrun the kernel marks the socket congested and drops every
 * notification until a receive finds its queue empty, so what is still queued is older than
 * what was lost: replayed after a fresh dump it would bring back stale state. So those are
 * discarded: once the queue is empty (all of it went into completions of the current receive),
 * that receive is cancelled, and when its last completion is in, the owner hears of the
 * overrun and a new receive starts: from then on the notifications are complete again. */
#include "nlevents.h"

#include <errno.h>
#include <linux/sock_diag.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/macro.h"
#include "rtnl/rtnl.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

typedef enum {
	DRAIN_NONE,
	DRAIN_QUEUE,  /* overran: discarding until the socket's queue is empty */
	DRAIN_CANCEL, /* queue empty: discarding until the receive's last completion */
} DrainState;

struct NlEvents {
	Loop *loop;
	LoopBufRing *br;
	int fd;
	const NlEventsHandler *h;
	void *userdata;

	LoopOp recv_op, cancel_op, drain_op;
	struct msghdr rmsg;
	bool recv_armed, cancel_inflight, drain_inflight, closed;
	DrainState drain;
	uint32_t drops; /* the socket's drop counter as last seen */
	unsigned busy;	/* > 0 while delivering: defer freeing */
};

static unsigned live_events;

static void events_maybe_free(NlEvents *e);

static void events_arm(NlEvents *e)
{
	struct io_uring_sqe *sqe = loop_sqe(e->loop, &e->recv_op);

	io_uring_prep_recvmsg_multishot(sqe, e->fd, &e->rmsg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = loop_bufring_bgid(e->br);
	e->recv_armed = true;
}

/* The socket's receive-queue bytes and drop counter; false if the kernel cannot tell. */
static bool events_meminfo(NlEvents *e, uint32_t *ret_rmem, uint32_t *ret_drops)
{
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	if (getsockopt(e->fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof(uint32_t))
		return false;
	*ret_rmem = mem[SK_MEMINFO_RMEM_ALLOC];
	*ret_drops = mem[SK_MEMINFO_DROPS];
	return true;
}

static void events_report(NlEvents *e)
{
	if (!e->closed && e->h->overrun) {
		e->busy++;
		e->h->overrun(e->userdata);
		e->busy--;
	}
}

static void events_cancel_recv(NlEvents *e, LoopOp *op)
{
	struct io_uring_sqe *sqe = loop_sqe(e->loop, op);

	io_uring_prep_cancel(sqe, &e->recv_op, 0);
}

/* Moves the drain on after a completion: DRAIN_QUEUE ends once nothing is queued (without
 * SO_MEMINFO: at once, as well as we can), DRAIN_CANCEL once the receive ended. */
static void events_drain_step(NlEvents *e)
{
	uint32_t rmem, drops;

	if (e->drain == DRAIN_QUEUE) {
		if (events_meminfo(e, &rmem, &drops)) {
			if (rmem != 0)
				return;
			e->drops = drops;
		}
		e->drain = DRAIN_CANCEL;
		if (e->recv_armed && !e->drain_inflight) {
			events_cancel_recv(e, &e->drain_op);
			e->drain_inflight = true;
		}
	}
	if (e->drain == DRAIN_CANCEL && !e->recv_armed) {
		e->drain = DRAIN_NONE;
		events_report(e);
	}
}

/* -ENOBUFS: an overrun if the drop counter moved (without SO_MEMINFO: assume so), else the
 * buffer ring ran dry and the data still waits in the socket. */
static void events_enobufs(NlEvents *e)
{
	uint32_t rmem, drops;

	if (e->drain != DRAIN_NONE)
		return;
	if (events_meminfo(e, &rmem, &drops) && drops == e->drops)
		return;
	log_debug("nlevents: overrun (%u notifications dropped so far)", drops);
	e->drain = DRAIN_QUEUE;
}

static int walk_cb(const struct nlmsghdr *nlh, void *userdata)
{
	NlEvents *e = userdata;

	if (e->closed)
		return -ESHUTDOWN;
	if (nlh->nlmsg_type >= NLMSG_MIN_TYPE && e->h->msg)
		e->h->msg(e->userdata, nlh);
	return 0;
}

static void recv_done(LoopOp *op, int res, uint32_t flags)
{
	NlEvents *e = container_of(op, NlEvents, recv_op);

	if (!(flags & IORING_CQE_F_MORE))
		e->recv_armed = false;

	if (res > 0 && (flags & IORING_CQE_F_BUFFER)) {
		unsigned plen = 0;
		uint16_t bid;
		void *payload = loop_bufring_recvmsg(e->br, res, flags, &e->rmsg, &plen, &bid);

		e->busy++;
		if (e->drain != DRAIN_NONE || e->closed) {
			/* Older than what was lost: dropped (see above). */
		} else if (payload) {
			if (rtnl_walk(payload, plen, walk_cb, e) == -EINVAL)
				log_debug("nlevents: malformed netlink message from the kernel");
		} else {
			/* A notification bigger than a buffer: that one is lost. */
			events_report(e);
		}
		e->busy--;
		loop_bufring_recycle(e->br, bid);
	} else if (res == -ENOBUFS) {
		if (!e->closed)
			events_enobufs(e);
	} else if (res == 0) {
		log_debug("nlevents: receive returned 0");
	} else if (res < 0 && res != -ECANCELED) {
		log_debug("nlevents: receive failed: %s", strerror(-res));
	}

	if (e->closed) {
		events_maybe_free(e);
		return;
	}
	if (e->drain != DRAIN_NONE)
		events_drain_step(e);
	if (!e->recv_armed && !e->closed)
		events_arm(e);
}

static void cancel_done(LoopOp *op, int res, uint32_t flags)
{
	NlEvents *e = container_of(op, NlEvents, cancel_op);

	e->cancel_inflight = false;
	events_maybe_free(e);
}

static void drain_done(LoopOp *op, int res, uint32_t flags)
{
	NlEvents *e = container_of(op, NlEvents, drain_op);

	e->drain_inflight = false;
	if (e->closed) {
		events_maybe_free(e);
		return;
	}
	/* The receive this cancel was for ended before it, and a new one drains now. */
	if (e->drain == DRAIN_CANCEL && e->recv_armed) {
		events_cancel_recv(e, &e->drain_op);
		e->drain_inflight = true;
	}
}

int nlevents_new(NlEvents **ret, Loop *loop, LoopBufRing *br, int fd, uint32_t rcvbuf,
		 const NlEventsHandler *h, void *userdata)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int rcv = (int)(rcvbuf ? rcvbuf : NLEVENTS_DEFAULT_RCVBUF);
	uint32_t rmem, drops = 0;
	NlEvents *e;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) < 0)
		return negative_errno();
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINVAL)
		return negative_errno();
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->loop = loop;
	e->br = br;
	e->fd = fd;
	e->h = h;
	e->userdata = userdata;
	e->recv_op.cb = recv_done;
	e->cancel_op.cb = cancel_done;
	e->drain_op.cb = drain_done;
	if (events_meminfo(e, &rmem, &drops))
		e->drops = drops;
	events_arm(e);
	live_events++;
	*ret = e;
	return 0;
}

int nlevents_add_group(NlEvents *e, unsigned group)
{
	int g = (int)group;

	if (setsockopt(e->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
		return negative_errno();
	return 0;
}

static void events_maybe_free(NlEvents *e)
{
	if (!e->closed || e->busy || e->recv_armed || e->cancel_inflight || e->drain_inflight)
		return;
	close(e->fd);
	free(e);
	live_events--;
}

void nlevents_close(NlEvents *e)
{
	if (!e || e->closed)
		return;
	e->closed = true;
	if (e->recv_armed && !e->cancel_inflight) {
		events_cancel_recv(e, &e->cancel_op);
		e->cancel_inflight = true;
	}
	events_maybe_free(e);
}

unsigned nlevents_live(void)
{
	return live_events;
}
