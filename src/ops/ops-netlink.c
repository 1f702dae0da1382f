/* Netlink: raw netlink messages a client built, sent on the daemon's socket of that protocol
 * in the namespace (one per namespace and protocol, opened by a helper thread on first use,
 * closed with the namespace), answered with every reply message and the client's seqs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/status.h"
#include "ops-internal.h"
#include "rtnl/rtnl-raw.h"

#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

#define NL_DEFAULT_TIMEOUT_NS (10ull * 1000000000ull)
#define NL_MAX_MESSAGES	      NSRING__V1__NETLINK_LIMIT__NETLINK_LIMIT_MAX_MESSAGES
#define NL_MAX_REQUEST	      NSRING__V1__NETLINK_LIMIT__NETLINK_LIMIT_MAX_REQUEST_BYTES
#define NL_MAX_REPLY	      NSRING__V1__NETLINK_LIMIT__NETLINK_LIMIT_MAX_REPLY_BYTES
#define NL_MAX_TIMEOUT_MS     NSRING__V1__NETLINK_LIMIT__NETLINK_LIMIT_MAX_TIMEOUT_MS

typedef struct RawWait RawWait;

/* A namespace's socket of one protocol. Sequence numbers are the connection's own (NlConn):
 * concurrent calls never see each other's replies. */
typedef struct RawNl {
	struct RawNl *next;
	Ops *ops;
	OpsNs *ons; /* NULL once the namespace closed (an open may still be in flight) */
	uint32_t protocol;
	NlConn *conn; /* NULL while opening */
	bool opening;
	bool busy; /* raw_opened() is answering its waiters: the namespace's close leaves it */
	RawWait *waiters;
} RawNl;

/* One message of a call: its replies, in their own buffer, so the call's reply keeps the
 * request order even when a dump's parts come after a later message's ACK. */
typedef struct RawMsg {
	Op *op;
	struct nlmsghdr orig; /* the client's header, as it sent it */
	bool forced_ack;
	bool got_final;
	uint8_t *buf;
	size_t len, cap;
} RawMsg;

typedef struct NlScratch {
	RawMsg *msgs;
	unsigned n;
	size_t total; /* bytes of reply kept, over every message */
	bool overflow;
	uint64_t timeout_ns;
} NlScratch;

struct RawWait {
	RawWait *next;
	Op *op;
};

const size_t ops_netlink_scratch_size = sizeof(NlScratch);

static void raw_send_all(Op *op, RawNl *rn);

static void raw_free(RawNl *rn)
{
	nlconn_close(rn->conn, -ESHUTDOWN);
	free(rn);
}

/* The namespace is closing: its sockets close (their calls fail with -ESHUTDOWN), calls
 * waiting for a socket fail. An open in flight frees its RawNl when it finishes. */
void raw_nl_ns_closed(OpsNs *ons)
{
	while (ons->raw) {
		RawNl *rn = ons->raw;

		ons->raw = rn->next;
		rn->ons = NULL;
		while (rn->waiters) {
			RawWait *w = rn->waiters;

			rn->waiters = w->next;
			w->op->pending--;
			op_fail(w->op, STATUS_NOT_FOUND,
				"the namespace went away while its socket was being opened");
			op_continue(w->op);
		}
		if (!rn->opening && !rn->busy)
			raw_free(rn);
	}
}

static void raw_opened(void *userdata, int r, int fd)
{
	RawNl *rn = userdata;
	int zero = 0;

	rn->opening = false;
	if (!rn->ons) {
		/* The namespace closed meanwhile (its waiters were failed then). */
		if (fd >= 0)
			close(fd);
		free(rn);
		return;
	}
	if (r >= 0) {
		r = nlconn_new(&rn->conn, rn->ops->loop, rn->ops->br, fd);
		if (r < 0)
			close(fd);
		else
			/* Dumps answer as a freshly opened socket's do (the kernel's default). */
			(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &zero,
					 sizeof(zero));
	}
	if (r < 0) {
		/* Forget it (the next call tries again), then fail who waited. */
		RawWait *w = TAKE_PTR(rn->waiters);
		uint32_t protocol = rn->protocol;

		for (RawNl **pp = &rn->ons->raw; *pp; pp = &(*pp)->next)
			if (*pp == rn) {
				*pp = rn->next;
				break;
			}
		free(rn);
		for (RawWait *next; w; w = next) {
			next = w->next;
			w->op->pending--;
			op_fail(w->op,
				r == -EPROTONOSUPPORT ? STATUS_UNIMPLEMENTED : status_from_errno(r),
				"could not open a netlink socket of protocol %u in the namespace: "
				"%s",
				protocol, errno_name(r));
			op_continue(w->op);
		}
		return;
	}
	/* A reply below could end in the namespace closing: rn stays until the loop is done. */
	rn->busy = true;
	while (rn->waiters) {
		RawWait *w = rn->waiters;
		Op *op = w->op;

		rn->waiters = w->next;
		op->pending--;
		if (rn->ons)
			raw_send_all(op, rn);
		else
			op_fail(op, STATUS_NOT_FOUND, "the namespace went away");
		op_continue(op);
	}
	rn->busy = false;
	if (!rn->ons)
		raw_free(rn);
}

/* ---- replies */

static bool raw_keep(RawMsg *m, const struct nlmsghdr *nlh)
{
	NlScratch *s = m->op->scratch;
	size_t n = NLMSG_ALIGN(nlh->nlmsg_len);
	struct nlmsghdr *copy;

	if (s->overflow)
		return false;
	if (s->total + n > NL_MAX_REPLY) {
		s->overflow = true;
		return false;
	}
	if (m->len + n > m->cap) {
		size_t cap = m->cap ? m->cap : 4096;
		uint8_t *p;

		while (cap < m->len + n)
			cap *= 2;
		p = op_alloc(m->op, cap);
		if (m->len)
			memcpy(p, m->buf, m->len);
		m->buf = p;
		m->cap = cap;
	}
	copy = (struct nlmsghdr *)(m->buf + m->len);
	memcpy(copy, nlh, nlh->nlmsg_len);
	memset((uint8_t *)copy + nlh->nlmsg_len, 0, n - nlh->nlmsg_len);
	rtnl_raw_restore(copy, &m->orig, ((Nsring__V1__NetlinkRequest *)m->op->req)->portid);
	m->len += n;
	s->total += n;
	return true;
}

static void raw_msg(void *userdata, const struct nlmsghdr *nlh)
{
	raw_keep(userdata, nlh);
}

static void raw_restart(void *userdata)
{
	RawMsg *m = userdata;
	NlScratch *s = m->op->scratch;

	/* The dump runs again from the start: the client sees one consistent copy. */
	s->total -= m->len;
	m->len = 0;
}

static void raw_final(void *userdata, const struct nlmsghdr *nlh)
{
	RawMsg *m = userdata;

	m->got_final = true;
	if (m->forced_ack && rtnl_raw_is_ack(nlh))
		return; /* the client asked for no ACK: a local socket would send none */
	raw_keep(m, nlh);
}

static void raw_done(void *userdata, int error, const char *extack)
{
	RawMsg *m = userdata;
	Op *op = m->op;

	op->pending--;
	/* The kernel's own answer (an error included) is part of the reply; a failure of ours
	 * (timeout, lost reply, the namespace closing) fails the call. */
	if (!m->got_final && error < 0) {
		if (error == -ETIMEDOUT)
			op_fail(op, STATUS_DEADLINE_EXCEEDED,
				"message %u: no reply from the kernel in time",
				(unsigned)(m - ((NlScratch *)op->scratch)->msgs));
		else if (error == -ESHUTDOWN)
			op_fail(op, STATUS_NOT_FOUND,
				"the namespace went away before the kernel answered");
		else if (error == -ENOBUFS)
			op_fail(op, STATUS_RESOURCE_EXHAUSTED,
				"message %u: %s (a reply datagram larger than the daemon's 16 KiB "
				"receive buffers, or too many replies at once)",
				(unsigned)(m - ((NlScratch *)op->scratch)->msgs),
				extack ? extack : "reply lost");
		else
			op_fail_errno(op, error, "netlink request", extack);
	}
	op_continue(op);
}

static const NlConnHandler raw_handler = {
	.msg = raw_msg,
	.restart = raw_restart,
	.done = raw_done,
	.final = raw_final,
};

static void raw_send_all(Op *op, RawNl *rn)
{
	Nsring__V1__NetlinkRequest *req = (Nsring__V1__NetlinkRequest *)op->req;
	NlScratch *s = op->scratch;
	const struct nlmsghdr *h;
	size_t off = 0;
	unsigned i = 0;

	netns_touch(op->ns[0]);
	while ((h = rtnl_raw_next(req->messages.data, req->messages.len, &off))) {
		RawMsg *m = &s->msgs[i++];
		struct nlmsghdr *copy = op_alloc(op, h->nlmsg_len);
		int r;

		memcpy(copy, h, h->nlmsg_len);
		*m = (RawMsg){ .op = op };
		memcpy(&m->orig, h, sizeof(m->orig));
		if (rtnl_raw_needs_ack(copy)) {
			/* Every request needs a final reply for NlConn to match it. */
			copy->nlmsg_flags |= NLM_F_ACK;
			m->forced_ack = true;
		}
		r = nlconn_send(rn->conn, copy, copy->nlmsg_len, &raw_handler, m, s->timeout_ns);
		if (r < 0) {
			op_fail_errno(op, r, "netlink request", NULL);
			return;
		}
		op->pending++;
	}
}

static RawNl *raw_get(Op *op, OpsNs *ons, uint32_t protocol)
{
	RawNl *rn;
	int r;

	for (rn = ons->raw; rn; rn = rn->next)
		if (rn->protocol == protocol)
			return rn;
	rn = calloc(1, sizeof(*rn));
	if (!rn)
		return NULL;
	*rn = (RawNl){ .ops = op->ops, .ons = ons, .protocol = protocol, .opening = true };
	r = netns_open_socket(op->ns[0], (int)protocol, raw_opened, rn);
	if (r < 0) {
		free(rn);
		op_fail(op, STATUS_NOT_FOUND,
			"could not open a netlink socket in the namespace: %s", errno_name(r));
		return NULL;
	}
	rn->next = ons->raw;
	ons->raw = rn;
	return rn;
}

static void netlink_reply(Op *op)
{
	Nsring__V1__NetlinkResponse resp = NSRING__V1__NETLINK_RESPONSE__INIT;
	NlScratch *s = op->scratch;
	uint8_t *out;
	size_t len = 0;

	if (s->overflow) {
		op_fail(op, STATUS_RESOURCE_EXHAUSTED,
			"the replies exceed %u bytes (the dump was read to its end and dropped): "
			"ask for less, e.g. filter the dump or split it",
			(unsigned)NL_MAX_REPLY);
		return;
	}
	out = op_alloc(op, s->total ? s->total : 1);
	for (unsigned i = 0; i < s->n; i++) {
		memcpy(out + len, s->msgs[i].buf, s->msgs[i].len);
		len += s->msgs[i].len;
	}
	resp.messages.data = out;
	resp.messages.len = len;
	op_reply(op, &resp.base);
}

static void netlink_send(Op *op)
{
	OpsNs *ons = op->ns[0] ? op->ns[0]->priv : NULL;
	Nsring__V1__NetlinkRequest *req = (Nsring__V1__NetlinkRequest *)op->req;
	RawNl *rn;

	if (!ons) {
		op_fail(op, STATUS_NOT_FOUND, "the namespace was deleted or could not be set up");
		return;
	}
	rn = raw_get(op, ons, req->protocol);
	if (!rn) {
		if (!op->err_code)
			op_fail(op, STATUS_RESOURCE_EXHAUSTED, "out of memory");
		return;
	}
	op_then(op, netlink_reply);
	if (rn->opening) {
		RawWait *w = op_alloc(op, sizeof(*w));

		w->op = op;
		w->next = rn->waiters;
		rn->waiters = w;
		op->pending++;
		return;
	}
	raw_send_all(op, rn);
}

void ops_netlink(Op *op)
{
	Nsring__V1__NetlinkRequest *req = (Nsring__V1__NetlinkRequest *)op->req;
	NlScratch *s = op->scratch;
	uint64_t timeout = NL_DEFAULT_TIMEOUT_NS;
	char why[256];
	int n;

	if (!rtnl_raw_protocol_name(req->protocol)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"protocol: netlink protocol %u is not one of route (0), sock_diag (4), "
			"xfrm (6), netfilter (12), generic (16)",
			req->protocol);
		return;
	}
	if (req->messages.len > NL_MAX_REQUEST) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "messages: %zu bytes, more than %u",
			req->messages.len, (unsigned)NL_MAX_REQUEST);
		return;
	}
	n = rtnl_raw_validate(req->messages.data, req->messages.len, NL_MAX_MESSAGES, why,
			      sizeof(why));
	if (n < 0) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "%s", why);
		return;
	}
	if (req->timeout_ms > NL_MAX_TIMEOUT_MS) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "timeout_ms: %u is more than %u",
			req->timeout_ms, (unsigned)NL_MAX_TIMEOUT_MS);
		return;
	}
	if (req->timeout_ms)
		timeout = req->timeout_ms * 1000000ull;
	if (op->deadline) {
		uint64_t now = loop_now(op->ops->loop);

		if (op->deadline <= now) {
			op_fail(op, STATUS_DEADLINE_EXCEEDED, "deadline exceeded");
			return;
		}
		if (op->deadline - now < timeout)
			timeout = op->deadline - now;
	}
	s->timeout_ns = timeout;
	s->n = (unsigned)n;
	s->msgs = op_alloc(op, (size_t)n * sizeof(*s->msgs));
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, netlink_send);
}
