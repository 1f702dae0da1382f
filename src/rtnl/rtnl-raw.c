/* Raw netlink messages from clients (the Netlink method): validation before they reach a
 * socket of ours, and the client's sequence numbers restored in the replies. */
#include "rtnl-raw.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rtnl_raw_validate(const uint8_t *buf, size_t len, unsigned max_msgs, char *why, size_t why_size)
{
	size_t off = 0;
	unsigned n = 0;

	if (len == 0) {
		snprintf(why, why_size, "messages: empty (at least one netlink message)");
		return -EINVAL;
	}
	while (off < len) {
		struct nlmsghdr h;
		size_t left = len - off;

		if (n >= max_msgs) {
			snprintf(why, why_size, "messages: more than %u messages", max_msgs);
			return -E2BIG;
		}
		if (left < NLMSG_HDRLEN) {
			snprintf(why, why_size,
				 "messages: message %u: %zu bytes left, less than a %d-byte header",
				 n, left, NLMSG_HDRLEN);
			return -EINVAL;
		}
		memcpy(&h, buf + off, sizeof(h)); /* the buffer need not be aligned */
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > left) {
			snprintf(why, why_size,
				 "messages: message %u: nlmsg_len %u outside [%d, %zu] (the bytes "
				 "left)",
				 n, h.nlmsg_len, NLMSG_HDRLEN, left);
			return -EINVAL;
		}
		if (h.nlmsg_type < NLMSG_MIN_TYPE) {
			snprintf(why, why_size,
				 "messages: message %u: nlmsg_type %u is a control message (a "
				 "request "
				 "type is at least %d)",
				 n, h.nlmsg_type, NLMSG_MIN_TYPE);
			return -EINVAL;
		}
		if (!(h.nlmsg_flags & NLM_F_REQUEST)) {
			snprintf(why, why_size, "messages: message %u: NLM_F_REQUEST not set", n);
			return -EINVAL;
		}
		n++;
		if (NLMSG_ALIGN(h.nlmsg_len) >= left)
			break; /* the last one: its padding may be left out */
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	return (int)n;
}

const struct nlmsghdr *rtnl_raw_next(const uint8_t *buf, size_t len, size_t *off)
{
	const struct nlmsghdr *h;

	if (*off >= len)
		return NULL;
	h = (const struct nlmsghdr *)(buf + *off);
	*off += NLMSG_ALIGN(h->nlmsg_len);
	return h;
}

bool rtnl_raw_needs_ack(const struct nlmsghdr *req)
{
	return !(req->nlmsg_flags & NLM_F_ACK) && (req->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP;
}

void rtnl_raw_restore(struct nlmsghdr *reply, const struct nlmsghdr *req, uint32_t portid)
{
	reply->nlmsg_seq = req->nlmsg_seq;
	if (portid)
		reply->nlmsg_pid = portid;
	if (reply->nlmsg_type == NLMSG_ERROR &&
	    reply->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		struct nlmsgerr *e = NLMSG_DATA(reply);

		/* The echo is of what we sent: our seq, pid 0, an NLM_F_ACK we may have added. */
		e->msg.nlmsg_seq = req->nlmsg_seq;
		e->msg.nlmsg_pid = req->nlmsg_pid;
		e->msg.nlmsg_flags = req->nlmsg_flags;
	}
}

bool rtnl_raw_is_ack(const struct nlmsghdr *reply)
{
	const struct nlmsgerr *e = NLMSG_DATA(reply);

	return reply->nlmsg_type == NLMSG_ERROR && reply->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) &&
	       e->error == 0;
}

static const struct {
	uint32_t protocol;
	const char *name;
} protocols[] = {
	{ NETLINK_ROUTE, "route" },	{ NETLINK_SOCK_DIAG, "sock_diag" },
	{ NETLINK_XFRM, "xfrm" },	{ NETLINK_NETFILTER, "netfilter" },
	{ NETLINK_GENERIC, "generic" },
};

const char *rtnl_raw_protocol_name(uint32_t protocol)
{
	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (protocols[i].protocol == protocol)
			return protocols[i].name;
	return NULL;
}

int rtnl_raw_protocol_parse(const char *s)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < sizeof(protocols) / sizeof(protocols[0]); i++)
		if (strcmp(protocols[i].name, s) == 0)
			return (int)protocols[i].protocol;
	if (strcmp(s, "genl") == 0)
		return NETLINK_GENERIC;
	if (strcmp(s, "rtnl") == 0)
		return NETLINK_ROUTE;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || !rtnl_raw_protocol_name((uint32_t)v))
		return -EINVAL;
	return (int)v;
}
