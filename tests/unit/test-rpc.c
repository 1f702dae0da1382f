/* The ttrpc server on the loop, with raw clients on a temporary unix socket: framing,
 * pipelined calls, bad frames closing only their connection, calls outliving their client,
 * and shutdown (drain, then abort with UNAVAILABLE). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/status.h"
#include "nsring/v1/nsring.pb-c.h"
#include "rpc/rpc.h"
#include "rpc/ttrpc-wire.h"
#include "ttrpc/ttrpc.pb-c.h"

static int failures;
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond) && ++failures <= 20) {                                                 \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, "\n");                                                     \
		}                                                                                  \
	} while (0)

static Loop *loop;
static RpcServer *srv;
static char sock_path[108];
static RpcCall *held[16]; /* calls the dispatcher keeps unanswered */
static unsigned nheld, ndispatched;
static bool drained;

/* Answers "Echo" with a Namespace whose name is the method, holds "Hold" calls. */
static void dispatch(void *userdata, RpcCall *call, const RpcCallInfo *info)
{
	Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;

	ndispatched++;
	if (strcmp(info->method, "Hold") == 0 && nheld < 16) {
		held[nheld++] = call;
		return;
	}
	if (strcmp(info->method, "Fail") == 0) {
		rpc_call_fail(call, STATUS_NOT_FOUND, "nothing called %s", "x");
		return;
	}
	ns.name = (char *)info->method;
	ns.inode = info->len;
	rpc_call_reply(call, &ns.base);
}

static void quit_cb(LoopTimer *t)
{
	(void)t;
	loop_quit(loop, 0);
}

/* Runs the loop for a while so the server reacts to what clients sent. */
static void spin(unsigned ms)
{
	LoopTimer t = { .cb = quit_cb };

	loop_timer_arm(loop, &t, loop_now(loop) + ms * 1000000ull);
	loop_run(loop);
	loop_timer_disarm(loop, &t);
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

static size_t frame_request(uint8_t *out, uint32_t stream, const char *service, const char *method,
			    const uint8_t *payload, size_t plen)
{
	Ttrpc__Request req = TTRPC__REQUEST__INIT;
	TtrpcHeader h = { .stream_id = stream, .type = TTRPC_TYPE_REQUEST };

	req.service = (char *)service;
	req.method = (char *)method;
	req.payload.data = (uint8_t *)payload;
	req.payload.len = plen;
	h.length = (uint32_t)ttrpc__request__pack(&req, out + TTRPC_HEADER_SIZE);
	ttrpc_header_encode(out, &h);
	return TTRPC_HEADER_SIZE + h.length;
}

static void send_all(int fd, const void *buf, size_t len)
{
	if (write(fd, buf, len) != (ssize_t)len) {
		perror("write");
		exit(1);
	}
}

/* Reads one response frame (non-blocking after the loop ran); NULL if none or EOF. */
static Ttrpc__Response *read_response(int fd, uint32_t *ret_stream, bool *ret_eof)
{
	uint8_t hdr[TTRPC_HEADER_SIZE], body[65536];
	TtrpcHeader h;
	ssize_t n;

	*ret_eof = false;
	n = recv(fd, hdr, sizeof(hdr), MSG_DONTWAIT | MSG_WAITALL);
	if (n == 0) {
		*ret_eof = true;
		return NULL;
	}
	if (n != (ssize_t)sizeof(hdr))
		return NULL;
	ttrpc_header_decode(hdr, &h);
	if (h.type != TTRPC_TYPE_RESPONSE || h.length > sizeof(body) ||
	    recv(fd, body, h.length, MSG_WAITALL) != (ssize_t)h.length)
		return NULL;
	*ret_stream = h.stream_id;
	return ttrpc__response__unpack(NULL, h.length, body);
}

static void on_drained(void *userdata)
{
	(void)userdata;
	drained = true;
	loop_quit(loop, 0);
}

int main(void)
{
	static uint8_t buf[1 << 20];
	char dir[] = "/tmp/nsring-test-rpc.XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	RpcServerConfig cfg = { .allow_gid = (gid_t)getgid(), .max_connections = 8,
				.max_calls_per_conn = 64 };
	Ttrpc__Response *resp;
	uint32_t stream;
	bool eof;
	size_t off = 0;
	int lfd, a, b, c;

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

	/* 1. Pipelined calls in one write: each answered on its own stream, in one flush. */
	a = client();
	for (uint32_t s = 1; s <= 99; s += 2)
		off += frame_request(buf + off, s, TTRPC_SERVICE, "Echo", (const uint8_t *)"xyz", 3);
	send_all(a, buf, off);
	spin(50);
	for (uint32_t s = 1; s <= 99; s += 2) {
		Nsring__V1__Namespace *ns;
		resp = read_response(a, &stream, &eof);
		CHECK(resp && stream == s, "response for stream %u", s);
		if (!resp)
			break;
		CHECK(!resp->status || resp->status->code == 0, "ok status");
		ns = nsring__v1__namespace__unpack(NULL, resp->payload.len, resp->payload.data);
		CHECK(ns && strcmp(ns->name, "Echo") == 0 && ns->inode == 3, "payload echoed");
		nsring__v1__namespace__free_unpacked(ns, NULL);
		ttrpc__response__free_unpacked(resp, NULL);
	}

	/* 2. Errors: unknown service -> UNIMPLEMENTED, failing call -> its code and message,
	 * malformed envelope -> INVALID_ARGUMENT; the connection stays usable. */
	off = frame_request(buf, 101, "other.Service", "Echo", NULL, 0);
	off += frame_request(buf + off, 103, TTRPC_SERVICE, "Fail", NULL, 0);
	{
		TtrpcHeader h = { .length = 3, .stream_id = 105, .type = TTRPC_TYPE_REQUEST };
		ttrpc_header_encode(buf + off, &h);
		memcpy(buf + off + TTRPC_HEADER_SIZE, "\xff\xff\xff", 3);
		off += TTRPC_HEADER_SIZE + 3;
	}
	off += frame_request(buf + off, 107, TTRPC_SERVICE, "Echo", NULL, 0);
	send_all(a, buf, off);
	spin(50);
	resp = read_response(a, &stream, &eof);
	CHECK(resp && stream == 101 && resp->status && resp->status->code == STATUS_UNIMPLEMENTED,
	      "unknown service");
	ttrpc__response__free_unpacked(resp, NULL);
	resp = read_response(a, &stream, &eof);
	CHECK(resp && stream == 103 && resp->status && resp->status->code == STATUS_NOT_FOUND &&
		      strcmp(resp->status->message, "nothing called x") == 0,
	      "failed call");
	ttrpc__response__free_unpacked(resp, NULL);
	resp = read_response(a, &stream, &eof);
	CHECK(resp && stream == 105 && resp->status &&
		      resp->status->code == STATUS_INVALID_ARGUMENT,
	      "malformed envelope");
	ttrpc__response__free_unpacked(resp, NULL);
	resp = read_response(a, &stream, &eof);
	CHECK(resp && stream == 107, "connection still serves");
	ttrpc__response__free_unpacked(resp, NULL);

	/* 3. An oversized length and a frame of another type close only their connection. */
	b = client();
	c = client();
	{
		TtrpcHeader h = { .length = TTRPC_MESSAGE_MAX + 1, .stream_id = 1,
				  .type = TTRPC_TYPE_REQUEST };
		ttrpc_header_encode(buf, &h);
		send_all(b, buf, TTRPC_HEADER_SIZE);
		h = (TtrpcHeader){ .length = 0, .stream_id = 1, .type = TTRPC_TYPE_RESPONSE };
		ttrpc_header_encode(buf, &h);
		send_all(c, buf, TTRPC_HEADER_SIZE);
	}
	spin(50);
	resp = read_response(b, &stream, &eof);
	CHECK(!resp && eof, "oversized frame: closed");
	resp = read_response(c, &stream, &eof);
	CHECK(!resp && eof, "wrong frame type: closed");
	close(b);
	close(c);
	off = frame_request(buf, 109, TTRPC_SERVICE, "Echo", NULL, 0);
	send_all(a, buf, off);
	spin(20);
	resp = read_response(a, &stream, &eof);
	CHECK(resp && stream == 109, "other connection unaffected");
	ttrpc__response__free_unpacked(resp, NULL);

	/* 4. A client that leaves with a call outstanding: the late reply is dropped safely. */
	b = client();
	off = frame_request(buf, 1, TTRPC_SERVICE, "Hold", NULL, 0);
	send_all(b, buf, off);
	spin(20);
	CHECK(nheld == 1, "held call dispatched");
	close(b);
	spin(20);
	CHECK(rpc_call_orphaned(held[0]), "call orphaned after disconnect");
	{
		Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
		rpc_call_reply(held[0], &ns.base);
	}
	CHECK(rpc_server_connections(srv) == 1, "departed connection freed: %u",
	      rpc_server_connections(srv));

	/* 5. Shutdown waits for the outstanding call, then reports drained; a second one gets
	 * UNAVAILABLE when the grace period ends (abort). */
	off = frame_request(buf, 111, TTRPC_SERVICE, "Hold", NULL, 0);
	off += frame_request(buf + off, 113, TTRPC_SERVICE, "Hold", NULL, 0);
	send_all(a, buf, off);
	spin(20);
	CHECK(nheld == 3, "two more held");
	rpc_server_shutdown(srv, on_drained, NULL);
	{
		Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
		rpc_call_reply(held[1], &ns.base);
	}
	spin(20);
	CHECK(!drained, "not drained while a call is outstanding");
	rpc_server_abort_calls(srv, "stopping");
	spin(200);
	CHECK(drained, "drained after abort");
	resp = read_response(a, &stream, &eof);
	CHECK(resp && stream == 111 && (!resp->status || resp->status->code == 0), "answered");
	ttrpc__response__free_unpacked(resp, NULL);
	resp = read_response(a, &stream, &eof);
	CHECK(resp && stream == 113 && resp->status &&
		      resp->status->code == STATUS_UNAVAILABLE,
	      "aborted call gets UNAVAILABLE");
	ttrpc__response__free_unpacked(resp, NULL);
	{
		/* The dispatcher's late reply to an aborted call is dropped. */
		Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
		rpc_call_reply(held[2], &ns.base);
	}
	close(a);
	spin(20);

	rpc_server_free(srv);
	loop_free(loop);
	unlink(sock_path);
	rmdir(dir);
	if (failures) {
		fprintf(stderr, "%d checks failed\n", failures);
		return 1;
	}
	printf("rpc: all checks passed\n");
	return 0;
}
