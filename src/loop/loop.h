/* The io_uring event loop: completions, end-of-turn hooks, timers, wakeups, signals and
 * provided-buffer rings. It knows nothing of netlink or RPC. */
#pragma once

#include <liburing.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct Loop Loop;

/* Every submitted SQE points at a LoopOp embedded in its owner. The owner stays alive until
 * the op's final completion (the one without IORING_CQE_F_MORE) has been delivered. */
typedef struct LoopOp LoopOp;
typedef void (*loop_op_cb)(LoopOp *op, int res, uint32_t cqe_flags);
struct LoopOp {
	loop_op_cb cb;
};

int loop_new(Loop **ret, unsigned entries);
void loop_free(Loop *l);

/* An SQE to fill; submits pending ones first if the SQ is full. Never NULL. */
struct io_uring_sqe *loop_sqe(Loop *l, LoopOp *op);
struct io_uring *loop_ring(Loop *l);

/* Cached CLOCK_MONOTONIC in nanoseconds, refreshed once per loop turn. */
uint64_t loop_now(Loop *l);

/* Runs until loop_quit(); returns the code given to it. */
int loop_run(Loop *l);
void loop_quit(Loop *l, int code);
bool loop_quitting(Loop *l);

/* End-of-turn hooks: run once after a turn's completions and before the next submit, so that
 * work queued during the turn can go out as one batch. Re-queuing from a hook runs it again
 * in the same flush. */
typedef struct LoopDefer LoopDefer;
struct LoopDefer {
	void (*cb)(LoopDefer *d);
	LoopDefer *next;
	bool queued;
};
void loop_defer(Loop *l, LoopDefer *d);
/* Unqueues d (before its owner frees it). */
void loop_defer_cancel(Loop *l, LoopDefer *d);

/* One-shot timers on a heap; the loop waits for the earliest. */
typedef struct LoopTimer LoopTimer;
struct LoopTimer {
	void (*cb)(LoopTimer *t);
	uint64_t when; /* CLOCK_MONOTONIC ns */
	unsigned idx;  /* heap position + 1; 0 when not armed */
};
void loop_timer_arm(Loop *l, LoopTimer *t, uint64_t when);
void loop_timer_disarm(Loop *l, LoopTimer *t);
static inline bool loop_timer_armed(const LoopTimer *t)
{
	return t->idx != 0;
}

/* A wakeup other threads can raise (eventfd); cb runs on the loop thread. */
typedef struct LoopWake LoopWake;
int loop_wake_new(Loop *l, LoopWake **ret, void (*cb)(void *userdata), void *userdata);
/* Thread-safe, async-signal-safe. */
void loop_wake_raise(LoopWake *w);
void loop_wake_free(LoopWake *w);

/* Blocks the signals in set and delivers them to cb on the loop thread (once per loop). */
int loop_add_signals(Loop *l, const sigset_t *set, void (*cb)(void *userdata, int signo),
		     void *userdata);

/* A provided-buffer ring for multishot receives: count buffers of size bytes, group bgid. */
typedef struct LoopBufRing LoopBufRing;
int loop_bufring_new(Loop *l, LoopBufRing **ret, uint16_t bgid, unsigned count, unsigned size);
void loop_bufring_free(LoopBufRing *br);
uint16_t loop_bufring_bgid(const LoopBufRing *br);
unsigned loop_bufring_size(const LoopBufRing *br);
void *loop_bufring_buf(LoopBufRing *br, uint16_t bid);
/* Gives a buffer back to the kernel once its contents are consumed. */
void loop_bufring_recycle(LoopBufRing *br, uint16_t bid);
/* A multishot recvmsg completion that carries a buffer (res > 0, IORING_CQE_F_BUFFER; msg as
 * given to the prep): its datagram and length, or NULL when it was truncated (bigger than a
 * buffer) or is malformed. *ret_bid is the buffer to recycle once done either way. */
void *loop_bufring_recvmsg(LoopBufRing *br, int res, uint32_t flags, struct msghdr *msg,
			   unsigned *ret_len, uint16_t *ret_bid);
