/* Raw netlink messages a client built (the Netlink method): checking them before they reach a
 * socket of ours, and giving the replies back the client's own sequence numbers. Pure. */
#pragma once

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Checks buf (len bytes) is one or more complete netlink requests, back to back: each header
 * whole, nlmsg_len at least the header and within the buffer, a non-control type, the
 * NLM_F_REQUEST flag; every message but the last padded to NLMSG_ALIGN. At most max_msgs
 * messages. Returns the number of messages, or -EINVAL (why says which message and field),
 * -E2BIG (more than max_msgs). */
int rtnl_raw_validate(const uint8_t *buf, size_t len, unsigned max_msgs, char *why,
		      size_t why_size);

/* The next message of a buffer rtnl_raw_validate() accepted: *off is advanced past it. */
const struct nlmsghdr *rtnl_raw_next(const uint8_t *buf, size_t len, size_t *off);

/* Whether the daemon must ask the kernel for an ACK the client did not (every non-dump
 * request needs a final reply to be matched): then a success ACK is dropped from the reply. */
bool rtnl_raw_needs_ack(const struct nlmsghdr *req);

/* The client's seq (and, if portid is nonzero, that nlmsg_pid) in a reply message, and, in an
 * NLMSG_ERROR, the client's request header as it sent it (seq, pid, flags) in the echo. */
void rtnl_raw_restore(struct nlmsghdr *reply, const struct nlmsghdr *req, uint32_t portid);

/* An NLMSG_ERROR with error 0: a success ACK. */
bool rtnl_raw_is_ack(const struct nlmsghdr *reply);

/* Netlink protocols the Netlink method takes (NETLINK_ROUTE, SOCK_DIAG, XFRM, NETFILTER,
 * GENERIC), and their names ("route", "generic"...) for tools; NULL if not taken. */
const char *rtnl_raw_protocol_name(uint32_t protocol);
/* The protocol named (as above, or a number); -EINVAL if none. */
int rtnl_raw_protocol_parse(const char *s);
