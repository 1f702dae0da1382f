/* A netlink socket subscribed to multicast groups (rtnetlink notifications) on the io_uring
 * loop: a multishot receive on a provided-buffer ring delivers each notification, and an overrun
 * (the kernel dropped notifications because the receive buffer was full) is reported as such,
 * never silently: the owner resynchronizes. */
#pragma once

#include <linux/netlink.h>
#include <stdint.h>

#include "loop/loop.h"

typedef struct NlEvents NlEvents;

typedef struct NlEventsHandler {
	/* One notification (a data message; the buffer is valid only during the call). */
	void (*msg)(void *userdata, const struct nlmsghdr *nlh);
	/* Notifications were lost: the socket overran (ENOBUFS with a grown drop count) or one
	 * was bigger than a receive buffer. After an overrun it comes once what was still queued
	 * (older than the loss) has been discarded: msg() gets only newer notifications. */
	void (*overrun)(void *userdata);
} NlEventsHandler;

/* Adopts fd (a netlink socket), sets its receive buffer to rcvbuf bytes (0: 4 MiB;
 * SO_RCVBUFFORCE, else SO_RCVBUF), binds it and arms a multishot receive on br. On failure the
 * caller still owns fd. */
int nlevents_new(NlEvents **ret, Loop *loop, LoopBufRing *br, int fd, uint32_t rcvbuf,
		 const NlEventsHandler *h, void *userdata);
/* Subscribes to a multicast group (RTNLGRP_*); joining one twice is harmless. */
int nlevents_add_group(NlEvents *e, unsigned group);
/* No more callbacks from here on; the socket is closed and the memory freed once the kernel is
 * done with the receive (a cancel's completion). */
void nlevents_close(NlEvents *e);
/* Event sockets not freed yet (closed ones wait for their last completion). */
unsigned nlevents_live(void);

#define NLEVENTS_DEFAULT_RCVBUF (4u << 20)
