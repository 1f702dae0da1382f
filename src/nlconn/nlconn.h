/* One rtnetlink connection per namespace on the io_uring loop: sequence-matched replies with
 * many requests in flight, per-turn batching (everything queued in a loop turn goes out as one
 * send), multishot receive on a shared buffer ring, one dump at a time, per-request timeouts,
 * and detection of replies the kernel dropped on receive-buffer overrun. */
#pragma once

#include <linux/netlink.h>
#include <stddef.h>
#include <stdint.h>

#include "loop/loop.h"

typedef struct NlConn NlConn;

typedef struct NlConnHandler {
	/* A data message of the reply: one part of a dump, or the answer to a GET. */
	void (*msg)(void *userdata, const struct nlmsghdr *nlh);
	/* A dump was interrupted (NLM_F_DUMP_INTR) and is being re-run: forget what msg() got. */
	void (*restart)(void *userdata);
	/* Final, exactly once, never from inside nlconn_send(): 0, or a negative errno with the
	 * kernel's extended-ack text (NULL if none; valid only during the call). */
	void (*done)(void *userdata, int error, const char *extack);
	/* Optional: the NLMSG_ERROR or NLMSG_DONE that ends the request, as the kernel sent it,
	 * just before done() (raw netlink passes it on). Not for a DONE that restarts a dump. */
	void (*final)(void *userdata, const struct nlmsghdr *nlh);
} NlConnHandler;

typedef struct NlConnStats {
	uint64_t sends;	   /* send syscalls (io_uring sends) */
	uint64_t requests; /* requests sent */
	uint64_t overruns; /* -ENOBUFS seen on receive */
	uint64_t timeouts;
} NlConnStats;

/* Adopts fd (a NETLINK_ROUTE socket), configures it (buffers, CAP_ACK, EXT_ACK,
 * GET_STRICT_CHK), and arms a multishot receive on br. */
int nlconn_new(NlConn **ret, Loop *loop, LoopBufRing *br, int fd);

/* Fails every queued and in-flight request with error (e.g. -ESHUTDOWN), cancels the
 * receive, and frees itself (and closes the socket) once the kernel is done with it. */
void nlconn_close(NlConn *c, int error);

/* Queues one request (a complete netlink message; its nlmsg_seq is assigned here) to go out
 * at the end of this loop turn. timeout_ns 0 means the default (30 s). Returns 0 (then done()
 * will be called exactly once), or -ENOMEM / -ESHUTDOWN / -EMSGSIZE. */
int nlconn_send(NlConn *c, const void *msg, size_t len, const NlConnHandler *h, void *userdata,
		uint64_t timeout_ns);

const NlConnStats *nlconn_stats(const NlConn *c);

/* Connections not freed yet (closed ones wait for their last completion): lets a shutdown run
 * the loop until the kernel is done with all of them. */
unsigned nlconn_live(void);

/* Tuning, fixed at creation. Requests in flight per socket are capped so their ACKs fit the
 * receive buffer: the kernel drops ACKs that do not fit. */
#define NLCONN_MAX_INFLIGHT 1024
#define NLCONN_RCVBUF (4u << 20)
#define NLCONN_SNDBUF (1u << 20)
#define NLCONN_DEFAULT_TIMEOUT_NS (30ull * 1000000000ull)
