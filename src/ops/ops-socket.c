/* OpenSocket and OpenNamespace: fds from inside a namespace, passed to the client with the
 * reply (SCM_RIGHTS, ttrpc only), so a program never has to enter the namespace itself. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/status.h"
#include "netns/netns-pool.h"
#include "ops-internal.h"

/* What the helper thread makes: in the Op's arena, which lives while the job is pending. */
typedef struct SockJob {
	Op *op;
	int domain, type, protocol;
	int fd;
} SockJob;

static const char *domain_name(uint32_t d)
{
	switch (d) {
	case AF_UNIX:
		return "AF_UNIX";
	case AF_INET:
		return "AF_INET";
	case AF_INET6:
		return "AF_INET6";
	case AF_NETLINK:
		return "AF_NETLINK";
	case AF_PACKET:
		return "AF_PACKET";
	default:
		return NULL;
	}
}

/* socket(2)'s refusals: what the kernel lacks, what we may not do, what ran out, bad input. */
static int sock_errno_status(int r)
{
	switch (r) {
	case -EAFNOSUPPORT:
	case -EPROTONOSUPPORT:
		return STATUS_UNIMPLEMENTED;
	case -EPERM:
	case -EACCES:
		return STATUS_PERMISSION_DENIED;
	case -EMFILE:
	case -ENFILE:
	case -ENOBUFS:
	case -ENOMEM:
		return STATUS_RESOURCE_EXHAUSTED;
	default:
		return STATUS_INVALID_ARGUMENT;
	}
}

/* In the helper thread, inside the namespace: the socket belongs to it for good. */
static int sock_job_run(void *userdata)
{
	SockJob *j = userdata;

	j->fd = socket(j->domain, j->type | SOCK_CLOEXEC, j->protocol);
	return j->fd < 0 ? -errno : 0;
}

static void sock_job_done(void *userdata, int r)
{
	SockJob *j = userdata;
	Op *op = j->op;

	op->pending--;
	if (r == -ENOENT || r == -ECANCELED) {
		if (j->fd >= 0)
			close(j->fd); /* nothing of ours may pin a closed namespace */
		j->fd = -1;
		op_fail(op, r == -ENOENT ? STATUS_NOT_FOUND : STATUS_UNAVAILABLE,
			"the namespace went away while the socket was being created");
	} else if (r < 0) {
		int code = sock_errno_status(r);

		op_fail(op, code, "socket(%s, %d, %d) in the namespace: %s%s",
			domain_name((uint32_t)j->domain), j->type, j->protocol, errno_name(r),
			code == STATUS_UNIMPLEMENTED ? " (the kernel lacks support for it)" : "");
	} else {
		/* Held by the op: passed with the reply, or closed if the op ends otherwise. */
		op->owned_fd = TAKE_FD(j->fd);
	}
	op_continue(op);
}

static void open_socket_reply(Op *op)
{
	Nsring__V1__OpenSocketResponse resp = NSRING__V1__OPEN_SOCKET_RESPONSE__INIT;
	resp.namespace_inode = op->ns[0]->ino;
	op_reply_fd(op, &resp.base, TAKE_FD(op->owned_fd));
}

static void open_socket_run(Op *op)
{
	SockJob *j = op->scratch;
	int r;

	if (!op->ns[0]->priv) {
		op_fail(op, STATUS_NOT_FOUND, "the namespace was deleted or could not be set up");
		return;
	}
	netns_touch(op->ns[0]);
	r = netns_run_in(op->ns[0], sock_job_run, sock_job_done, j);
	if (r < 0) {
		op_fail(op, r == -ESHUTDOWN ? STATUS_NOT_FOUND : status_from_errno(r),
			"could not start a helper in the namespace: %s", errno_name(r));
		return;
	}
	op->pending++;
	op_then(op, open_socket_reply);
}

void ops_open_socket(Op *op)
{
	Nsring__V1__OpenSocketRequest *req = (Nsring__V1__OpenSocketRequest *)op->req;
	const Nsring__V1__SocketSpec *sp = req->socket;
	SockJob *j = op->scratch;
	uint32_t base;

	if (!sp) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "socket: required (domain, type, protocol)");
		return;
	}
	if (!domain_name(sp->domain)) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"socket.domain: %u is not AF_UNIX (1), AF_INET (2), AF_INET6 (10), "
			"AF_NETLINK (16) or AF_PACKET (17)",
			sp->domain);
		return;
	}
	base = sp->type & ~(uint32_t)(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (base != SOCK_STREAM && base != SOCK_DGRAM && base != SOCK_RAW &&
	    base != SOCK_SEQPACKET) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"socket.type: %u is not SOCK_STREAM (1), SOCK_DGRAM (2), SOCK_RAW (3) or "
			"SOCK_SEQPACKET (5), optionally with SOCK_NONBLOCK (2048)",
			sp->type);
		return;
	}
	if (sp->domain == AF_NETLINK && sp->protocol >= 32) {
		op_fail(op, STATUS_INVALID_ARGUMENT,
			"socket.protocol: netlink protocol %u is out of range 0-31", sp->protocol);
		return;
	}
	if (sp->protocol > INT32_MAX) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "socket.protocol: %u is out of range",
			sp->protocol);
		return;
	}
	*j = (SockJob){ .op = op,
			.domain = (int)sp->domain,
			.type = (int)(sp->type & ~(uint32_t)SOCK_CLOEXEC),
			.protocol = (int)sp->protocol,
			.fd = -1 };
	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, open_socket_run);
}

static void open_namespace_reply(Op *op)
{
	Nsring__V1__OpenNamespaceResponse resp = NSRING__V1__OPEN_NAMESPACE_RESPONSE__INIT;
	int fd;

	if (!op->ns[0]->priv || op->ns[0]->ns_fd < 0) {
		op_fail(op, STATUS_NOT_FOUND, "the namespace was deleted");
		return;
	}
	fd = fcntl(op->ns[0]->ns_fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		op_fail(op, STATUS_RESOURCE_EXHAUSTED, "could not duplicate the namespace's fd: %s",
			errno_name(-errno));
		return;
	}
	netns_touch(op->ns[0]);
	resp.namespace_inode = op->ns[0]->ino;
	op_reply_fd(op, &resp.base, fd);
}

void ops_open_namespace(Op *op)
{
	Nsring__V1__OpenNamespaceRequest *req = (Nsring__V1__OpenNamespaceRequest *)op->req;

	if (!op_open_ns(op, 0, req->namespace_))
		return;
	op_then(op, open_namespace_reply);
}

const size_t ops_socket_scratch_size = sizeof(SockJob);
