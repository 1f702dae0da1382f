/* fds passed with replies (rpc_call_reply_fd(), SCM_RIGHTS on ttrpc): libnsring gets each fd
 * with its reply; the server's copy is closed once sent, also for a client that reads without
 * ancillary space, for a client gone before the reply and on gRPC (FAILED_PRECONDITION); many
 * fd calls pipelined pair one fd per reply. Each passed fd is a pipe's read end: once every
 * copy is closed, writing to its write end fails with EPIPE, which is what the checks look at. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/check.h"
#include "core/status.h"
#include "nsring/nsring.h"
#include "nsring/v1/nsring.pb-c.h"
#include "rpc/rpc-internal.h"
#include "rpc/rpc.h"
#include "ttrpc/ttrpc.pb-c.h"
#include "wire/ttrpc-wire.h"

static Loop *loop;
static RpcServer *srv;
static char sock_path[108];
/* The write ends of the pipes whose read ends went out, in the order of the calls. */
static int wends[64];
static _Atomic unsigned nwends;
static RpcCall *held;

/* "Fd": a pipe's read end with the reply; "FdHold": the same, once the test says. */
static void dispatch(void *userdata, RpcCall *call, const RpcCallInfo *info)
{
	Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
	int p[2];

	if (strcmp(info->method, "FdHold") == 0) {
		held = call;
		return;
	}
	if (strcmp(info->method, "Fd") != 0 || nwends >= 64 || pipe2(p, O_CLOEXEC) < 0) {
		rpc_call_fail(call, STATUS_INTERNAL, "unexpected");
		return;
	}
	ns.name = (char *)"fd";
	ns.inode = nwends;
	wends[nwends++] = p[1];
	rpc_call_reply_fd(call, &ns.base, p[0]);
}

static void reply_held(void)
{
	Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
	int p[2];

	CHECK(pipe2(p, O_CLOEXEC) == 0, "pipe");
	wends[nwends++] = p[1];
	rpc_call_reply_fd(held, &ns.base, p[0]);
	held = NULL;
}

static void quit_cb(LoopTimer *t)
{
	(void)t;
	loop_quit(loop, 0);
}

static void spin(unsigned ms)
{
	LoopTimer t = { .cb = quit_cb };

	loop_timer_arm(loop, &t, loop_now(loop) + ms * 1000000ull);
	loop_run(loop);
	loop_timer_disarm(loop, &t);
}

#define SPIN_UNTIL(cond)                                                                           \
	do {                                                                                       \
		for (int _k = 0; _k < 400 && !(cond); _k++)                                        \
			spin(5);                                                                   \
	} while (0)

/* Every copy of the pipe's read end is closed: a write fails with EPIPE. */
static bool reader_gone(int wfd)
{
	return write(wfd, "x", 1) < 0 && errno == EPIPE;
}

static int client(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

static size_t frame_request(uint8_t *out, uint32_t stream, const char *method)
{
	Ttrpc__Request req = TTRPC__REQUEST__INIT;
	TtrpcHeader h = { .stream_id = stream, .type = TTRPC_TYPE_REQUEST };

	req.service = (char *)TTRPC_SERVICE;
	req.method = (char *)method;
	h.length = (uint32_t)ttrpc__request__pack(&req, out + TTRPC_HEADER_SIZE);
	ttrpc_header_encode(out, &h);
	return TTRPC_HEADER_SIZE + h.length;
}

static bool readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/* ---- libnsring in a thread (its calls block; the loop runs here) */

typedef struct ClientRun {
	int r, fd;
	uint64_t inode;
	_Atomic bool done;
} ClientRun;

static void *client_thread(void *arg)
{
	ClientRun *run = arg;
	Nsring__V1__Namespace *ns = NULL;
	NsrClient *c;

	run->fd = -1;
	run->r = nsr_connect(sock_path, &c);
	if (run->r == 0) {
		run->r = nsr_call_fd(c, "Fd", NULL, &nsring__v1__namespace__descriptor,
				     (ProtobufCMessage **)&ns, &run->fd, NULL);
		if (ns) {
			run->inode = ns->inode;
			nsring__v1__namespace__free_unpacked(ns, NULL);
		}
		nsr_close(c);
	}
	run->done = true;
	return NULL;
}

int main(void)
{
	char dir[] = "/tmp/nsring-test-rpc-fd.XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	RpcServerConfig cfg = { .allow_gid = (gid_t)getgid(),
				.max_connections = 8,
				.max_calls_per_conn = 64 };
	static uint8_t buf[65536];
	ClientRun run = { 0 };
	pthread_t t;
	int lfd, a;
	size_t off = 0;

	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir) || loop_new(&loop, 64) < 0) {
		fprintf(stderr, "setup failed: skipping\n");
		return 77;
	}
	snprintf(sock_path, sizeof(sock_path), "%s/s", dir);
	strcpy(sa.sun_path, sock_path);
	lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 16) < 0 ||
	    rpc_server_new(&srv, loop, lfd, &cfg, dispatch, NULL) < 0) {
		perror("listen");
		return 1;
	}

	current_test = "libnsring";
	/* 1. libnsring: the fd arrives with its reply; the server's copy is closed once sent. */
	CHECK(pthread_create(&t, NULL, client_thread, &run) == 0, "thread");
	SPIN_UNTIL(run.done);
	pthread_join(t, NULL);
	CHECK(run.r == 0 && run.fd >= 0, "nsr_call_fd: OK with an fd (%d, fd %d)", run.r, run.fd);
	if (run.fd >= 0) {
		struct stat st_a, st_b;

		CHECK(fstat(run.fd, &st_a) == 0 && fstat(wends[run.inode], &st_b) == 0 &&
			      st_a.st_ino == st_b.st_ino,
		      "the fd is the pipe the server passed");
		CHECK(fcntl(run.fd, F_GETFD) & FD_CLOEXEC, "it arrives close-on-exec");
		CHECK(!reader_gone(wends[run.inode]), "the client's copy keeps the pipe open");
		close(run.fd);
		CHECK(reader_gone(wends[run.inode]), "the server's copy was closed after the send");
	}

	current_test = "plain-recv";
	/* 2. A client reading with plain recv(): the kernel discards the fd, nothing stays open. */
	a = client();
	off = frame_request(buf, 1, "Fd");
	CHECK(write(a, buf, off) == (ssize_t)off, "send");
	SPIN_UNTIL(readable(a));
	CHECK(recv(a, buf, sizeof(buf), 0) > 0, "the reply arrives");
	CHECK(reader_gone(wends[nwends - 1]), "plain recv(): no copy of the fd survives");

	current_test = "gone";
	/* 3. The client is gone before the reply: the fd is closed, not queued. */
	off = frame_request(buf, 3, "FdHold");
	CHECK(write(a, buf, off) == (ssize_t)off, "send");
	SPIN_UNTIL(held != NULL);
	close(a);
	spin(20);
	CHECK(held != NULL, "the call is held");
	reply_held();
	CHECK(reader_gone(wends[nwends - 1]), "a reply to a gone client closes its fd at once");

	current_test = "pipelined";
	/* 4. Thirty fd calls in one write: one fd per reply, in the replies' order. */
	{
		unsigned first = nwends, got_fds = 0, replies = 0;
		union {
			char b[CMSG_SPACE(8 * sizeof(int))];
			struct cmsghdr align;
		} cb;
		int fds[64];

		a = client();
		off = 0;
		for (uint32_t s = 1; s < 60; s += 2)
			off += frame_request(buf + off, s, "Fd");
		CHECK(write(a, buf, off) == (ssize_t)off, "send");
		SPIN_UNTIL(nwends == first + 30);
		spin(20);
		/* One byte at a time would be slow; read whatever comes, counting frames. */
		for (size_t have = 0, need = TTRPC_HEADER_SIZE; replies < 30;) {
			struct iovec iov = { buf + have, sizeof(buf) - have };
			struct msghdr mh = { .msg_iov = &iov,
					     .msg_iovlen = 1,
					     .msg_control = cb.b,
					     .msg_controllen = sizeof(cb.b) };
			ssize_t n;

			SPIN_UNTIL(readable(a));
			n = recvmsg(a, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
			if (n <= 0)
				break;
			for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
				for (size_t i = 0; i < (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				     i++)
					if (got_fds < 64)
						memcpy(&fds[got_fds++],
						       CMSG_DATA(cm) + i * sizeof(int),
						       sizeof(int));
			have += (size_t)n;
			/* Whole frames consumed from the front. */
			while (have >= need) {
				TtrpcHeader h;

				ttrpc_header_decode(buf, &h);
				if (have < TTRPC_HEADER_SIZE + h.length)
					break;
				replies++;
				memmove(buf, buf + TTRPC_HEADER_SIZE + h.length,
					have - TTRPC_HEADER_SIZE - h.length);
				have -= TTRPC_HEADER_SIZE + h.length;
			}
		}
		CHECK(replies == 30 && got_fds == 30, "30 replies, 30 fds (%u, %u)", replies,
		      got_fds);
		for (unsigned i = 0; i < got_fds; i++) {
			struct stat st_a, st_b;

			CHECK(fstat(fds[i], &st_a) == 0 && fstat(wends[first + i], &st_b) == 0 &&
				      st_a.st_ino == st_b.st_ino,
			      "fd %u is the pipe of reply %u", i, i);
			close(fds[i]);
			CHECK(reader_gone(wends[first + i]), "its server copy is closed");
		}
		close(a);
	}

	current_test = "conn-dies";
	/* 5. The connection dies with fds queued behind a send: they are closed with it. */
	{
		unsigned first = nwends;

		a = client();
		off = 0;
		for (uint32_t s = 1; s < 20; s += 2)
			off += frame_request(buf + off, s, "Fd");
		CHECK(write(a, buf, off) == (ssize_t)off, "send");
		close(a);
		SPIN_UNTIL(rpc_server_connections(srv) == 0);
		spin(20);
		for (unsigned i = first; i < nwends; i++)
			CHECK(reader_gone(wends[i]), "call %u: its fd closed with the connection",
			      i - first);
	}

	for (unsigned i = 0; i < nwends; i++)
		close(wends[i]);
	rpc_server_free(srv);
	loop_free(loop);
	unlink(sock_path);
	rmdir(dir);
	printf("rpc-fd: all checks passed\n");
	return 0;
}
