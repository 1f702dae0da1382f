/* The RPC server on the loop, with raw clients on a temporary unix socket. ttrpc: framing,
 * pipelined calls, bad frames closing only their connection, calls outliving their client.
 * gRPC (an nghttp2 client session on the same socket): preface detection, calls, errors,
 * deadlines, limits, cancellation, health, reflection. Shutdown: drain, GOAWAY and NOT_SERVING,
 * then abort with UNAVAILABLE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/status.h"
#include "grpc/health/v1/health.pb-c.h"
#include "grpc/reflection/v1/reflection.pb-c.h"
#include "nsring/v1/nsring.pb-c.h"
#include "rpc/rpc-internal.h"
#include "rpc/rpc.h"
#include "rpc/ttrpc-wire.h"
#include "ttrpc/ttrpc.pb-c.h"

#define REFLECT_REQ(x) GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_##x

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
static uint64_t last_deadline;

/* Answers "Echo" with a Namespace whose name is the method, holds "Hold" calls. */
static void dispatch(void *userdata, RpcCall *call, const RpcCallInfo *info)
{
	Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;

	ndispatched++;
	last_deadline = info->deadline;
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

/* ---- a gRPC client: nghttp2's client session over the memory API on a blocking socket */

typedef struct H2Result {
	int http_status, grpc_status; /* -1 until seen */
	char grpc_message[256];
	uint8_t data[65536];
	size_t len;
	bool closed;
	uint32_t rst;
	int32_t id;
} H2Result;

typedef struct H2Body {
	uint8_t *data;
	size_t len, off;
	H2Result *res;
} H2Body;

typedef struct H2Client {
	int fd;
	nghttp2_session *s;
	bool goaway;
} H2Client;

static ssize_t h2c_read(nghttp2_session *s, int32_t id, uint8_t *buf, size_t length,
			uint32_t *flags, nghttp2_data_source *src, void *ud)
{
	H2Body *b = src->ptr;
	size_t n = b->len - b->off < length ? b->len - b->off : length;

	memcpy(buf, b->data + b->off, n);
	b->off += n;
	if (b->off == b->len)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static int h2c_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nl,
		      const uint8_t *value, size_t vl, uint8_t flags, void *ud)
{
	H2Body *b = nghttp2_session_get_stream_user_data(s, f->hd.stream_id);
	char v[256];

	if (!b)
		return 0;
	snprintf(v, sizeof(v), "%.*s", (int)vl, (const char *)value);
	if (nl == 7 && memcmp(name, ":status", 7) == 0)
		b->res->http_status = atoi(v);
	else if (nl == 11 && memcmp(name, "grpc-status", 11) == 0)
		b->res->grpc_status = atoi(v);
	else if (nl == 12 && memcmp(name, "grpc-message", 12) == 0)
		snprintf(b->res->grpc_message, sizeof(b->res->grpc_message), "%s", v);
	return 0;
}

static int h2c_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
		    void *ud)
{
	H2Body *b = nghttp2_session_get_stream_user_data(s, id);

	if (b && b->res->len + len <= sizeof(b->res->data)) {
		memcpy(b->res->data + b->res->len, data, len);
		b->res->len += len;
	}
	return 0;
}

static int h2c_frame(nghttp2_session *s, const nghttp2_frame *f, void *ud)
{
	H2Client *cl = ud;

	if (f->hd.type == NGHTTP2_GOAWAY)
		cl->goaway = true;
	return 0;
}

static int h2c_close(nghttp2_session *s, int32_t id, uint32_t err, void *ud)
{
	H2Body *b = nghttp2_session_get_stream_user_data(s, id);

	if (b) {
		b->res->closed = true;
		b->res->rst = err;
		free(b->data);
		free(b);
	}
	return 0;
}

static void h2c_open(H2Client *cl)
{
	nghttp2_session_callbacks *cbs;

	memset(cl, 0, sizeof(*cl));
	cl->fd = client();
	nghttp2_session_callbacks_new(&cbs);
	nghttp2_session_callbacks_set_on_header_callback(cbs, h2c_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, h2c_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, h2c_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, h2c_close);
	nghttp2_session_client_new(&cl->s, cbs, cl);
	nghttp2_session_callbacks_del(cbs);
	nghttp2_submit_settings(cl->s, NGHTTP2_FLAG_NONE, NULL, 0);
}

static void h2c_close_conn(H2Client *cl)
{
	nghttp2_session_del(cl->s);
	close(cl->fd);
}

/* Exchanges bytes with the server (run by spin()) for a few rounds. */
static void h2c_pump(H2Client *cl, unsigned rounds)
{
	for (unsigned i = 0; i < rounds; i++) {
		uint8_t buf[65536];
		const uint8_t *p;
		ssize_t n;

		while ((n = nghttp2_session_mem_send(cl->s, &p)) > 0)
			send_all(cl->fd, p, (size_t)n);
		spin(10);
		while ((n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			nghttp2_session_mem_recv(cl->s, buf, (size_t)n);
	}
}

/* Starts a call with msg as its one gRPC message; the body can be altered until it is sent. */
static H2Body *h2c_call(H2Client *cl, const char *path, const uint8_t *msg, size_t len,
			const char *timeout, H2Result *res)
{
	H2Body *b = calloc(1, sizeof(*b));
	nghttp2_data_provider prd = { .read_callback = h2c_read };
	nghttp2_nv nv[7];
	size_t n = 0;

#define H(k, v) (nv[n++] = (nghttp2_nv){ (uint8_t *)(k), (uint8_t *)(v), strlen(k), strlen(v), 0 })
	H(":method", "POST");
	H(":scheme", "http");
	H(":path", path);
	H(":authority", "localhost");
	H("content-type", "application/grpc");
	H("te", "trailers");
	if (timeout)
		H("grpc-timeout", timeout);
#undef H
	memset(res, 0, sizeof(*res));
	res->http_status = res->grpc_status = -1;
	b->res = res;
	b->data = malloc(len + 5);
	b->data[0] = 0;
	b->data[1] = (uint8_t)(len >> 24);
	b->data[2] = (uint8_t)(len >> 16);
	b->data[3] = (uint8_t)(len >> 8);
	b->data[4] = (uint8_t)len;
	if (len)
		memcpy(b->data + 5, msg, len);
	b->len = len + 5;
	prd.source.ptr = b;
	res->id = nghttp2_submit_request(cl->s, NULL, nv, n, &prd, b);
	return b;
}

/* The first gRPC message of a response body. */
static bool h2_message(const H2Result *r, unsigned idx, const uint8_t **ret, size_t *ret_len)
{
	size_t off = 0;

	for (;;) {
		uint32_t len;

		if (r->len - off < 5)
			return false;
		len = (uint32_t)r->data[off + 1] << 24 | (uint32_t)r->data[off + 2] << 16 |
		      (uint32_t)r->data[off + 3] << 8 | r->data[off + 4];
		if (r->len - off - 5 < len)
			return false;
		if (idx-- == 0) {
			*ret = r->data + off + 5;
			*ret_len = len;
			return true;
		}
		off += 5 + len;
	}
}

static void test_grpc_helpers(void)
{
	char out[64];
	uint64_t ns;

	CHECK(rpc_grpc_timeout_parse("100m", 4, &ns) == 0 && ns == 100000000ull, "100m");
	CHECK(rpc_grpc_timeout_parse("5S", 2, &ns) == 0 && ns == 5000000000ull, "5S");
	CHECK(rpc_grpc_timeout_parse("2H", 2, &ns) == 0 && ns == 7200000000000ull, "2H");
	CHECK(rpc_grpc_timeout_parse("99999999H", 9, &ns) == 0 && ns == UINT64_MAX, "saturates");
	CHECK(rpc_grpc_timeout_parse("123456789S", 10, &ns) < 0, "at most 8 digits");
	CHECK(rpc_grpc_timeout_parse("5", 1, &ns) < 0, "no unit");
	CHECK(rpc_grpc_timeout_parse("5x", 2, &ns) < 0, "bad unit");
	CHECK(rpc_grpc_timeout_parse("-5S", 3, &ns) < 0, "negative");
	rpc_grpc_message_escape(out, sizeof(out), "a 100% \"ok\"\n\xc3\xa9");
	CHECK(strcmp(out, "a 100%25 \"ok\"%0A%C3%A9") == 0, "escaped: %s", out);
	rpc_grpc_message_escape(out, 6, "ab%cd");
	CHECK(strcmp(out, "ab%25") == 0, "truncated at a whole escape: %s", out);
}

/* gRPC over HTTP/2 on the same socket as ttrpc. */
static void test_grpc(void)
{
	static H2Result r[16];
	H2Client cl;
	Nsring__V1__Namespace *ns;
	const uint8_t *m;
	size_t mlen;
	uint8_t buf[256];
	int fd;

	/* A raw client preface: the server answers with its SETTINGS. */
	fd = client();
	send_all(fd, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0", 33);
	spin(20);
	CHECK(recv(fd, buf, 9, MSG_DONTWAIT) == 9 && buf[3] == NGHTTP2_SETTINGS && buf[4] == 0,
	      "server SETTINGS after the preface");
	close(fd);
	/* A broken preface closes the connection. */
	fd = client();
	send_all(fd, "PRI * HTTP/1.1\r\n\r\nXX\r\n\r\n", 24);
	spin(20);
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	CHECK(recv(fd, buf, sizeof(buf), MSG_DONTWAIT) == 0, "bad preface: closed");
	close(fd);

	h2c_open(&cl);
	ndispatched = 0;
	h2c_call(&cl, "/nsring.v1.NsRing/Echo", (const uint8_t *)"xyz", 3, "5S", &r[0]);
	h2c_call(&cl, "/nsring.v1.NsRing/Fail", NULL, 0, NULL, &r[1]);
	h2c_call(&cl, "/other.Service/Echo", NULL, 0, NULL, &r[2]);
	h2c_call(&cl, "/grpc.health.v1.Health/Check", NULL, 0, NULL, &r[3]);
	h2c_pump(&cl, 5);
	CHECK(ndispatched == 2, "two calls reached the dispatcher: %u", ndispatched);
	CHECK(r[0].http_status == 200 && r[0].grpc_status == 0 && r[0].closed, "Echo: OK (%d %d)",
	      r[0].http_status, r[0].grpc_status);
	ns = h2_message(&r[0], 0, &m, &mlen) ? nsring__v1__namespace__unpack(NULL, mlen, m) : NULL;
	CHECK(ns && strcmp(ns->name, "Echo") == 0 && ns->inode == 3, "Echo: payload");
	if (ns)
		nsring__v1__namespace__free_unpacked(ns, NULL);
	CHECK(r[1].grpc_status == STATUS_NOT_FOUND &&
		      strcmp(r[1].grpc_message, "nothing called x") == 0 && r[1].len == 0,
	      "Fail: trailers-only NOT_FOUND: %d %s", r[1].grpc_status, r[1].grpc_message);
	CHECK(r[2].grpc_status == STATUS_UNIMPLEMENTED, "unknown service: %d", r[2].grpc_status);
	{
		Grpc__Health__V1__HealthCheckResponse *h = NULL;

		if (h2_message(&r[3], 0, &m, &mlen))
			h = grpc__health__v1__health_check_response__unpack(NULL, mlen, m);
		CHECK(r[3].grpc_status == 0 && h && h->status == 1 /* SERVING */,
		      "Health.Check: SERVING");
		if (h)
			grpc__health__v1__health_check_response__free_unpacked(h, NULL);
	}

	/* grpc-timeout is the call's deadline. */
	h2c_call(&cl, "/nsring.v1.NsRing/Echo", NULL, 0, "250m", &r[4]);
	h2c_pump(&cl, 2);
	CHECK(last_deadline > loop_now(loop) && last_deadline <= loop_now(loop) + 250000000ull,
	      "deadline from grpc-timeout");
	CHECK(r[4].grpc_status == 0, "empty message: OK");

	/* Limits: an announced message over 4 MiB, a compressed one, a unary method with no
	 * message. */
	{
		H2Body *b = h2c_call(&cl, "/nsring.v1.NsRing/Echo", NULL, 0, NULL, &r[5]);

		b->data[1] = 0x01; /* 16 MiB */
		b = h2c_call(&cl, "/nsring.v1.NsRing/Echo", (const uint8_t *)"a", 1, NULL, &r[6]);
		b->data[0] = 1;
		b = h2c_call(&cl, "/nsring.v1.NsRing/Echo", NULL, 0, NULL, &r[7]);
		b->len = 0;
	}
	ndispatched = 0;
	h2c_pump(&cl, 3);
	CHECK(r[5].grpc_status == STATUS_RESOURCE_EXHAUSTED, "oversized: %d", r[5].grpc_status);
	CHECK(r[6].grpc_status == STATUS_UNIMPLEMENTED, "compressed: %d", r[6].grpc_status);
	CHECK(r[7].grpc_status == STATUS_INVALID_ARGUMENT, "no message: %d", r[7].grpc_status);
	CHECK(ndispatched == 0, "none dispatched");

	/* A cancelled stream (RST_STREAM) orphans its call: the late reply is dropped. */
	{
		unsigned before = nheld;
		int32_t id =
			(h2c_call(&cl, "/nsring.v1.NsRing/Hold", NULL, 0, NULL, &r[8]), r[8].id);
		Nsring__V1__Namespace empty = NSRING__V1__NAMESPACE__INIT;

		h2c_pump(&cl, 2);
		CHECK(nheld == before + 1 && !rpc_call_orphaned(held[before]), "held over HTTP/2");
		nghttp2_submit_rst_stream(cl.s, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
		h2c_pump(&cl, 2);
		CHECK(rpc_call_orphaned(held[before]), "orphaned by RST_STREAM");
		rpc_call_reply(held[before], &empty.base);
		nheld = before;
		h2c_pump(&cl, 2);
		CHECK(r[8].grpc_status == -1 && r[8].len == 0, "nothing sent after the cancel");
	}

	/* Reflection: list_services, then a symbol's file. */
	{
		Grpc__Reflection__V1__ServerReflectionRequest rq =
			GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__INIT;
		Grpc__Reflection__V1__ServerReflectionResponse *rs = NULL;
		bool found = false;
		size_t n;

		rq.message_request_case = REFLECT_REQ(LIST_SERVICES);
		rq.list_services = "";
		n = grpc__reflection__v1__server_reflection_request__pack(&rq, buf);
		h2c_call(&cl, "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", buf, n,
			 NULL, &r[9]);
		rq.message_request_case = REFLECT_REQ(FILE_CONTAINING_SYMBOL);
		rq.file_containing_symbol = "nsring.v1.CreateLinkRequest";
		n = grpc__reflection__v1__server_reflection_request__pack(&rq, buf);
		h2c_call(&cl, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", buf,
			 n, NULL, &r[10]);
		h2c_pump(&cl, 3);
		if (h2_message(&r[9], 0, &m, &mlen))
			rs = grpc__reflection__v1__server_reflection_response__unpack(NULL, mlen,
										      m);
		for (size_t i = 0;
		     rs && rs->list_services_response && i < rs->list_services_response->n_service;
		     i++)
			found |= strcmp(rs->list_services_response->service[i]->name,
					"grpc.health.v1.Health") == 0;
		CHECK(r[9].grpc_status == 0 && found, "reflection: list_services");
		if (rs)
			grpc__reflection__v1__server_reflection_response__free_unpacked(rs, NULL);
		rs = NULL;
		if (h2_message(&r[10], 0, &m, &mlen))
			rs = grpc__reflection__v1__server_reflection_response__unpack(NULL, mlen,
										      m);
		CHECK(r[10].grpc_status == 0 && rs && rs->file_descriptor_response &&
			      rs->file_descriptor_response->n_file_descriptor_proto == 1,
		      "reflection (v1alpha): file_containing_symbol");
		if (rs)
			grpc__reflection__v1__server_reflection_response__free_unpacked(rs, NULL);
	}

	/* ttrpc still works next to it, and the client's GOAWAY ends its connection. */
	nghttp2_session_terminate_session(cl.s, NGHTTP2_NO_ERROR);
	h2c_pump(&cl, 2);
	CHECK(recv(cl.fd, buf, sizeof(buf), MSG_DONTWAIT) == 0, "closed after the client's GOAWAY");
	h2c_close_conn(&cl);
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
	RpcServerConfig cfg = { .allow_gid = (gid_t)getgid(),
				.max_connections = 8,
				.max_calls_per_conn = 64 };
	Ttrpc__Response *resp;
	H2Client watcher;
	static H2Result watch, h2hold;
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
		off += frame_request(buf + off, s, TTRPC_SERVICE, "Echo", (const uint8_t *)"xyz",
				     3);
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
		TtrpcHeader h = { .length = TTRPC_MESSAGE_MAX + 1,
				  .stream_id = 1,
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

	/* gRPC on the same socket. */
	test_grpc_helpers();
	test_grpc();

	/* 5. Shutdown waits for the outstanding call, then reports drained; a second one gets
	 * UNAVAILABLE when the grace period ends (abort). HTTP/2 clients get GOAWAY, and health
	 * watchers NOT_SERVING. */
	h2c_open(&watcher);
	h2c_call(&watcher, "/grpc.health.v1.Health/Watch", NULL, 0, NULL, &watch);
	h2c_pump(&watcher, 2);
	CHECK(watch.http_status == 200 && watch.len == 7 && watch.data[6] == 1 && !watch.closed,
	      "Watch: SERVING, and open");
	off = frame_request(buf, 111, TTRPC_SERVICE, "Hold", NULL, 0);
	off += frame_request(buf + off, 113, TTRPC_SERVICE, "Hold", NULL, 0);
	send_all(a, buf, off);
	spin(20);
	CHECK(nheld == 3, "two more held");
	h2c_call(&watcher, "/nsring.v1.NsRing/Hold", NULL, 0, NULL, &h2hold);
	h2c_pump(&watcher, 2);
	CHECK(nheld == 4, "and one over HTTP/2");
	rpc_server_shutdown(srv, on_drained, NULL);
	{
		Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
		rpc_call_reply(held[1], &ns.base);
	}
	spin(20);
	CHECK(!drained, "not drained while a call is outstanding");
	h2c_pump(&watcher, 2);
	CHECK(watcher.goaway, "GOAWAY on shutdown");
	CHECK(!h2hold.closed, "the HTTP/2 call in flight goes on after GOAWAY");
	{
		Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
		rpc_call_reply(held[3], &ns.base);
	}
	h2c_pump(&watcher, 2);
	CHECK(h2hold.closed && h2hold.grpc_status == 0, "and is answered");
	CHECK(watch.closed && watch.len == 14 && watch.data[13] == 2 &&
		      watch.grpc_status == STATUS_UNAVAILABLE,
	      "Watch: NOT_SERVING, then UNAVAILABLE (%zu bytes, status %d)", watch.len,
	      watch.grpc_status);
	CHECK(recv(watcher.fd, buf, 16, MSG_DONTWAIT) == 0,
	      "HTTP/2 connection closed after GOAWAY");
	h2c_close_conn(&watcher);
	rpc_server_abort_calls(srv, "stopping");
	spin(200);
	CHECK(drained, "drained after abort");
	resp = read_response(a, &stream, &eof);
	CHECK(resp && stream == 111 && (!resp->status || resp->status->code == 0), "answered");
	ttrpc__response__free_unpacked(resp, NULL);
	resp = read_response(a, &stream, &eof);
	CHECK(resp && stream == 113 && resp->status && resp->status->code == STATUS_UNAVAILABLE,
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
