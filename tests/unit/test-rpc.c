/* The RPC server on the loop, with raw clients on a temporary unix socket. ttrpc: framing,
 * pipelined calls, bad frames closing only their connection, calls outliving their client.
 * gRPC (an nghttp2 client session on the same socket): preface detection, calls, errors,
 * deadlines, limits, cancellation, health, reflection. Server streaming on both: messages then
 * OK or an error, cancellation by the client, a client that does not read, unary and client
 * streaming ttrpc requests; libnsring's streams against this server. Shutdown: drain, GOAWAY and
 * NOT_SERVING, streams cancelled, then abort with UNAVAILABLE. */
#include <errno.h>
#include <fcntl.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/check.h"
#include "core/status.h"
#include "grpc/health/v1/health.pb-c.h"
#include "grpc/reflection/v1/reflection.pb-c.h"
#include "nsring/nsring.h"
#include "nsring/v1/nsring.pb-c.h"
#include "rpc/rpc-internal.h"
#include "rpc/rpc.h"
#include "ttrpc/ttrpc.pb-c.h"
#include "wire/ttrpc-wire.h"

#define REFLECT_REQ(x) GRPC__REFLECTION__V1__SERVER_REFLECTION_REQUEST__MESSAGE_REQUEST_##x

static Loop *loop;
static RpcServer *srv;
static char sock_path[108];
static RpcCall *held[16]; /* calls the dispatcher keeps unanswered */
static unsigned nheld, ndispatched;
static bool drained;
static uint64_t last_deadline;

/* Streams the dispatcher keeps open: "Forever" (one message, then until cancelled) and "Flood"
 * (nothing; the test sends). The cancel callback ends them with cancel_code. */
typedef struct TStream {
	RpcCall *call;
	unsigned cancels;
} TStream;
static TStream tstreams[16];
static unsigned ntstreams;
static int cancel_code = STATUS_CANCELLED;
static int last_send; /* what rpc_call_send returned in the dispatcher */

static void tstream_cancelled(void *userdata)
{
	TStream *t = userdata;

	t->cancels++;
	rpc_call_fail(t->call, cancel_code, "stream cancelled");
	t->call = NULL;
}

/* A streamed message: a Namespace whose inode is its number and whose name pads it to size. */
static int send_event(RpcCall *call, uint64_t i, size_t pad)
{
	Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
	char *name = malloc(pad + 1);
	int r;

	memset(name, 'e', pad);
	name[pad] = '\0';
	ns.name = name;
	ns.inode = i;
	r = rpc_call_send(call, &ns.base);
	free(name);
	return r;
}

/* "Stream3": three messages, then OK; "StreamFail": two, then NOT_FOUND. */
static bool dispatch_stream(RpcCall *call, const char *method)
{
	if (strcmp(method, "Stream3") == 0 || strcmp(method, "StreamFail") == 0) {
		bool fail = method[6] == 'F';

		last_send = 0;
		for (unsigned i = 0; i < (fail ? 2u : 3u) && last_send == 0; i++)
			last_send = send_event(call, i, 0);
		if (fail)
			rpc_call_fail(call, STATUS_NOT_FOUND, "no such thing");
		else
			rpc_call_reply(call, NULL);
		return true;
	}
	if ((strcmp(method, "Forever") == 0 || strcmp(method, "Flood") == 0) && ntstreams < 16) {
		TStream *t = &tstreams[ntstreams++];

		t->call = call;
		if (method[0] == 'F' && method[1] == 'o')
			last_send = send_event(call, 0, 0);
		rpc_call_on_cancel(call, tstream_cancelled, t);
		return true;
	}
	return false;
}

/* Answers "Echo" with a Namespace whose name is the method, holds "Hold" calls. */
static void dispatch(void *userdata, RpcCall *call, const RpcCallInfo *info)
{
	Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;

	ndispatched++;
	last_deadline = info->deadline;
	if (dispatch_stream(call, info->method))
		return;
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

/* Runs the loop until cond holds (or two seconds pass): for waits a busy machine may stretch. */
#define SPIN_UNTIL(cond)                                                                           \
	do {                                                                                       \
		for (int _k = 0; _k < 400 && !(cond); _k++)                                        \
			spin(5);                                                                   \
	} while (0)

static bool readable(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) == 1;
}

/* The server has written everything it queued (and fd has something to read). */
static bool settled(int fd)
{
	for (RpcConn *c = srv->conns; c; c = c->next)
		if (c->wq.len || c->ws.len > c->woff || c->send_inflight || c->flush.queued)
			return false;
	return readable(fd);
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

static size_t frame_request_flags(uint8_t *out, uint32_t stream, uint8_t flags, const char *service,
				  const char *method, const uint8_t *payload, size_t plen)
{
	Ttrpc__Request req = TTRPC__REQUEST__INIT;
	TtrpcHeader h = { .stream_id = stream, .type = TTRPC_TYPE_REQUEST, .flags = flags };

	req.service = (char *)service;
	req.method = (char *)method;
	req.payload.data = (uint8_t *)payload;
	req.payload.len = plen;
	h.length = (uint32_t)ttrpc__request__pack(&req, out + TTRPC_HEADER_SIZE);
	ttrpc_header_encode(out, &h);
	return TTRPC_HEADER_SIZE + h.length;
}

static size_t frame_request(uint8_t *out, uint32_t stream, const char *service, const char *method,
			    const uint8_t *payload, size_t plen)
{
	return frame_request_flags(out, stream, 0, service, method, payload, plen);
}

/* Reads one frame of any type (non-blocking after the loop ran); false if none. */
static bool read_frame(int fd, TtrpcHeader *h, uint8_t *body, size_t cap)
{
	uint8_t hdr[TTRPC_HEADER_SIZE];

	if (recv(fd, hdr, sizeof(hdr), MSG_DONTWAIT | MSG_WAITALL) != (ssize_t)sizeof(hdr))
		return false;
	ttrpc_header_decode(hdr, h);
	return h->length <= cap &&
	       (h->length == 0 || recv(fd, body, h->length, MSG_WAITALL) == (ssize_t)h->length);
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
	size_t len, total; /* total: every body byte, also those data had no room for */
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

	if (b)
		b->res->total += len;
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

	current_test = "grpc helpers";
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

	current_test = "grpc";
	/* A raw client preface: the server answers with its SETTINGS. */
	fd = client();
	send_all(fd, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0", 33);
	SPIN_UNTIL(readable(fd));
	CHECK(recv(fd, buf, 9, MSG_DONTWAIT) == 9 && buf[3] == NGHTTP2_SETTINGS && buf[4] == 0,
	      "server SETTINGS after the preface");
	close(fd);
	/* A broken preface closes the connection. */
	fd = client();
	send_all(fd, "PRI * HTTP/1.1\r\n\r\nXX\r\n\r\n", 24);
	SPIN_UNTIL(readable(fd));
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
		/* nsring.proto, then its imports (bridge.proto, link.proto, other groups' files). */
		CHECK(r[10].grpc_status == 0 && rs && rs->file_descriptor_response &&
			      /* nsring.proto and the API files it imports */
			      rs->file_descriptor_response->n_file_descriptor_proto >= 7,
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

/* ---- server streaming */

static size_t event_size(uint64_t i, size_t pad)
{
	Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
	char *name = calloc(1, pad + 1);
	size_t n;

	memset(name, 'e', pad);
	ns.name = name;
	ns.inode = i;
	n = protobuf_c_message_get_packed_size(&ns.base);
	free(name);
	return n;
}

/* Whether body holds a streamed message numbered i. */
static bool is_event(const uint8_t *body, size_t len, uint64_t i)
{
	Nsring__V1__Namespace *ns = nsring__v1__namespace__unpack(NULL, len, body);
	bool ok = ns && ns->inode == i;

	if (ns)
		nsring__v1__namespace__free_unpacked(ns, NULL);
	return ok;
}

/* The status of a ttrpc Response frame; -1 if it is none. */
static int response_code(const TtrpcHeader *h, const uint8_t *body, char *msg, size_t msgsize)
{
	Ttrpc__Response *resp;
	int code;

	if (h->type != TTRPC_TYPE_RESPONSE)
		return -1;
	resp = ttrpc__response__unpack(NULL, h->length, body);
	if (!resp)
		return -1;
	code = resp->status ? resp->status->code : 0;
	if (msg)
		snprintf(msg, msgsize, "%s",
			 resp->status && resp->status->message ? resp->status->message : "");
	ttrpc__response__free_unpacked(resp, NULL);
	return code;
}

static void test_ttrpc_streams(void)
{
	static uint8_t buf[4096], body[65536];
	TtrpcHeader h, close_h = { .stream_id = 7,
				   .type = TTRPC_TYPE_DATA,
				   .flags = TTRPC_FLAG_REMOTE_CLOSED | TTRPC_FLAG_NO_DATA };
	char msg[256];
	size_t off;
	TStream *t;
	int fd = client(), fd2;

	current_test = "ttrpc streams";
	/* Messages as data frames on the request's stream; the end as containerd/ttrpc sends it:
	 * OK as data flagged remote-closed and no-data, an error as a Response. */
	off = frame_request_flags(buf, 1, TTRPC_FLAG_REMOTE_CLOSED, TTRPC_SERVICE, "Stream3", NULL,
				  0);
	off += frame_request_flags(buf + off, 3, TTRPC_FLAG_REMOTE_CLOSED, TTRPC_SERVICE,
				   "StreamFail", NULL, 0);
	ndispatched = 0;
	send_all(fd, buf, off);
	SPIN_UNTIL(ndispatched == 2);
	spin(20);
	for (uint64_t i = 0; i < 3; i++)
		CHECK(read_frame(fd, &h, body, sizeof(body)) && h.stream_id == 1 &&
			      h.type == TTRPC_TYPE_DATA && h.flags == 0 &&
			      is_event(body, h.length, i),
		      "Stream3: message %d", (int)i);
	CHECK(read_frame(fd, &h, body, sizeof(body)) && h.stream_id == 1 &&
		      h.type == TTRPC_TYPE_DATA &&
		      h.flags == (TTRPC_FLAG_REMOTE_CLOSED | TTRPC_FLAG_NO_DATA) && h.length == 0,
	      "Stream3: ends with data flagged remote-closed, no-data (type %u flags %u)", h.type,
	      h.flags);
	for (uint64_t i = 0; i < 2; i++)
		CHECK(read_frame(fd, &h, body, sizeof(body)) && h.stream_id == 3 &&
			      h.type == TTRPC_TYPE_DATA && is_event(body, h.length, i),
		      "StreamFail: message %d", (int)i);
	CHECK(read_frame(fd, &h, body, sizeof(body)) && h.stream_id == 3 &&
		      response_code(&h, body, msg, sizeof(msg)) == STATUS_NOT_FOUND &&
		      strcmp(msg, "no such thing") == 0,
	      "StreamFail: ends with a Response carrying NOT_FOUND");

	/* A unary request (no flags) for a streaming method: the transport answers UNIMPLEMENTED
	 * and the dispatcher's send fails (its own end is dropped). A client stream is refused
	 * before dispatch, and its data is ignored. The connection serves on. */
	off = frame_request(buf, 5, TTRPC_SERVICE, "Stream3", NULL, 0);
	off += frame_request_flags(buf + off, 7, TTRPC_FLAG_REMOTE_OPEN, TTRPC_SERVICE, "Stream3",
				   NULL, 0);
	ttrpc_header_encode(buf + off, &close_h);
	off += TTRPC_HEADER_SIZE;
	off += frame_request(buf + off, 9, TTRPC_SERVICE, "Echo", NULL, 0);
	ndispatched = 0;
	send_all(fd, buf, off);
	SPIN_UNTIL(ndispatched == 2);
	spin(20);
	CHECK(ndispatched == 2 && last_send == -EPIPE,
	      "unary Stream3 dispatched, send refused: %u %d", ndispatched, last_send);
	CHECK(read_frame(fd, &h, body, sizeof(body)) && h.stream_id == 5 &&
		      response_code(&h, body, msg, sizeof(msg)) == STATUS_UNIMPLEMENTED &&
		      strstr(msg, "ttrpc stream"),
	      "unary request for a stream: UNIMPLEMENTED (%s)", msg);
	CHECK(read_frame(fd, &h, body, sizeof(body)) && h.stream_id == 7 &&
		      response_code(&h, body, msg, sizeof(msg)) == STATUS_UNIMPLEMENTED &&
		      strstr(msg, "client streaming"),
	      "client stream: UNIMPLEMENTED (%s)", msg);
	CHECK(read_frame(fd, &h, body, sizeof(body)) && h.stream_id == 9 &&
		      response_code(&h, body, NULL, 0) == 0,
	      "still serving after client-stream data");
	CHECK(!read_frame(fd, &h, body, sizeof(body)), "nothing more (one answer per stream)");

	/* ttrpc has no cancel message: a client cancels by closing its connection. The cancel
	 * callback runs once, from the loop. */
	fd2 = client();
	t = &tstreams[ntstreams];
	off = frame_request_flags(buf, 1, TTRPC_FLAG_REMOTE_CLOSED, TTRPC_SERVICE, "Forever", NULL,
				  0);
	send_all(fd2, buf, off);
	SPIN_UNTIL(t->call);
	spin(20);
	CHECK(t->call && last_send == 0 && t->cancels == 0 && !rpc_call_orphaned(t->call),
	      "Forever: open");
	CHECK(read_frame(fd2, &h, body, sizeof(body)) && h.type == TTRPC_TYPE_DATA &&
		      is_event(body, h.length, 0),
	      "Forever: first message");
	close(fd2);
	SPIN_UNTIL(t->cancels);
	CHECK(t->cancels == 1 && !t->call, "cancelled once by the client's close: %u", t->cancels);
	spin(20);
	CHECK(t->cancels == 1, "and only once: %u", t->cancels);
	close(fd);
}

/* Reads all the client can, for a while, until the call's queue is empty. */
static size_t drain_client(int fd, uint8_t *all, size_t cap, size_t got, RpcCall *call)
{
	for (int k = 0; k < 3000; k++) {
		ssize_t n;
		bool any = false;

		while ((n = recv(fd, all + got, cap - got, MSG_DONTWAIT)) > 0) {
			got += (size_t)n;
			any = true;
		}
		if (!any && (!call || rpc_call_queued(call) == 0) && k > 10)
			break;
		spin(1);
	}
	return got;
}

/* A ttrpc client that does not read: -ENOBUFS at the bound, memory bounded; once it reads,
 * everything arrives in order and sending works again. */
static void test_ttrpc_slow_consumer(void)
{
	const size_t pad = 60000, cap = 32u << 20;
	static uint8_t buf[4096];
	uint8_t *all = malloc(cap);
	TStream *t = &tstreams[ntstreams];
	size_t off, got = 0, q;
	unsigned sent = 0;
	int fd = client(), r = 0;
	RpcConn *c;

	current_test = "ttrpc slow consumer";
	off = frame_request_flags(buf, 1, TTRPC_FLAG_REMOTE_CLOSED, TTRPC_SERVICE, "Flood", NULL,
				  0);
	send_all(fd, buf, off);
	SPIN_UNTIL(t->call);
	CHECK(t->call, "Flood: open");
	if (!t->call) {
		close(fd);
		free(all);
		return;
	}
	c = t->call->conn;
	for (unsigned i = 0; i < 1000 && (r = send_event(t->call, i, pad)) == 0; i++) {
		sent++;
		if (i % 8 == 7)
			spin(1); /* sends go out, as far as the socket takes them */
	}
	q = rpc_call_queued(t->call);
	CHECK(r == -ENOBUFS, "-ENOBUFS for a client that does not read: %d after %u", r, sent);
	CHECK(q <= RPC_STREAM_QUEUE_MAX && q + 2 * (pad + 64) > RPC_STREAM_QUEUE_MAX,
	      "queued %zu bytes at -ENOBUFS", q);
	CHECK(c->wq.len + c->ws.len - c->woff <= RPC_STREAM_QUEUE_MAX, "write queues bounded: %zu",
	      c->wq.len + c->ws.len - c->woff);
	CHECK(send_event(t->call, sent, pad) == -ENOBUFS, "still full");

	got = drain_client(fd, all, cap, got, t->call);
	CHECK(rpc_call_queued(t->call) == 0, "queue empty once the client read: %zu",
	      rpc_call_queued(t->call));
	CHECK(send_event(t->call, sent, 0) == 0, "sending again");
	sent++;
	rpc_call_fail(t->call, STATUS_RESOURCE_EXHAUSTED, "consumer too slow");
	t->call = NULL;
	got = drain_client(fd, all, cap, got, NULL);

	/* Every message in order, then the status. */
	{
		size_t p = 0;
		unsigned n = 0;
		int code = -2;

		while (got - p >= TTRPC_HEADER_SIZE) {
			TtrpcHeader h;

			ttrpc_header_decode(all + p, &h);
			if (got - p - TTRPC_HEADER_SIZE < h.length)
				break;
			if (h.type == TTRPC_TYPE_DATA &&
			    is_event(all + p + TTRPC_HEADER_SIZE, h.length, n))
				n++;
			else
				code = response_code(&h, all + p + TTRPC_HEADER_SIZE, NULL, 0);
			p += TTRPC_HEADER_SIZE + h.length;
		}
		CHECK(n == sent && p == got && code == STATUS_RESOURCE_EXHAUSTED,
		      "received %u of %u messages, %zu of %zu bytes, status %d", n, sent, p, got,
		      code);
	}
	close(fd);
	free(all);
}

static void h2c_pump_fast(H2Client *cl, unsigned rounds)
{
	for (unsigned i = 0; i < rounds; i++) {
		uint8_t buf[65536];
		const uint8_t *p;
		ssize_t n;

		while ((n = nghttp2_session_mem_send(cl->s, &p)) > 0)
			send_all(cl->fd, p, (size_t)n);
		spin(1);
		while ((n = recv(cl->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
			nghttp2_session_mem_recv(cl->s, buf, (size_t)n);
	}
}

static void test_grpc_streams(void)
{
	static H2Result r[4];
	const size_t pad = 60000;
	const uint8_t *m;
	size_t mlen, q, expect = 0;
	unsigned sent = 0;
	H2Client cl;
	TStream *t;
	int e = 0;

	current_test = "grpc streams";
	/* Messages in DATA frames, then the trailers. */
	h2c_open(&cl);
	h2c_call(&cl, "/nsring.v1.NsRing/Stream3", NULL, 0, NULL, &r[0]);
	h2c_call(&cl, "/nsring.v1.NsRing/StreamFail", NULL, 0, NULL, &r[1]);
	for (int k = 0; k < 100 && !(r[0].closed && r[1].closed); k++)
		h2c_pump(&cl, 1);
	CHECK(r[0].closed && r[0].http_status == 200 && r[0].grpc_status == 0,
	      "Stream3 over gRPC: OK (%d %d)", r[0].http_status, r[0].grpc_status);
	for (unsigned i = 0; i < 3; i++)
		CHECK(h2_message(&r[0], i, &m, &mlen) && is_event(m, mlen, i),
		      "Stream3: message %u", i);
	CHECK(!h2_message(&r[0], 3, &m, &mlen), "Stream3: three messages");
	CHECK(r[1].closed && r[1].grpc_status == STATUS_NOT_FOUND &&
		      strcmp(r[1].grpc_message, "no such thing") == 0 &&
		      h2_message(&r[1], 1, &m, &mlen) && !h2_message(&r[1], 2, &m, &mlen),
	      "StreamFail over gRPC: two messages, then NOT_FOUND (%d)", r[1].grpc_status);

	/* RST_STREAM cancels: the callback runs once, from the loop; the owner's end (in the
	 * callback) is dropped. */
	t = &tstreams[ntstreams];
	h2c_call(&cl, "/nsring.v1.NsRing/Forever", NULL, 0, NULL, &r[2]);
	for (int k = 0; k < 100 && !h2_message(&r[2], 0, &m, &mlen); k++)
		h2c_pump(&cl, 1);
	CHECK(t->call && h2_message(&r[2], 0, &m, &mlen) && !r[2].closed,
	      "Forever over gRPC: open, a message");
	nghttp2_submit_rst_stream(cl.s, NGHTTP2_FLAG_NONE, r[2].id, NGHTTP2_CANCEL);
	for (int k = 0; k < 100 && !t->cancels; k++)
		h2c_pump(&cl, 1);
	CHECK(t->cancels == 1 && !t->call, "cancelled by RST_STREAM: %u", t->cancels);
	h2c_pump(&cl, 2);
	CHECK(t->cancels == 1 && r[2].grpc_status == -1, "once, and nothing sent after it");

	/* A client that does not read: flow control stops nghttp2, the messages wait in the
	 * stream's buffer up to the bound. */
	t = &tstreams[ntstreams];
	h2c_call(&cl, "/nsring.v1.NsRing/Flood", NULL, 0, NULL, &r[3]);
	for (int k = 0; k < 100 && !t->call; k++)
		h2c_pump(&cl, 1);
	CHECK(t->call, "Flood over gRPC: open");
	if (!t->call) {
		h2c_close_conn(&cl);
		return;
	}
	for (unsigned i = 0; i < 1000 && (e = send_event(t->call, i, pad)) == 0; i++) {
		sent++;
		expect += 5 + event_size(i, pad);
		if (i % 8 == 7)
			spin(1);
	}
	q = rpc_call_queued(t->call);
	CHECK(e == -ENOBUFS, "gRPC: -ENOBUFS for a client that does not read: %d after %u", e,
	      sent);
	CHECK(q <= RPC_STREAM_QUEUE_MAX && q + 2 * (pad + 64) > RPC_STREAM_QUEUE_MAX,
	      "gRPC: queued %zu bytes at -ENOBUFS", q);
	CHECK(rpc_h2_outbuf(t->call->conn) <= RPC_STREAM_QUEUE_MAX,
	      "gRPC: output held bounded: %zu", rpc_h2_outbuf(t->call->conn));
	for (int k = 0; k < 3000 && rpc_call_queued(t->call) > 0; k++)
		h2c_pump_fast(&cl, 1);
	CHECK(rpc_call_queued(t->call) == 0, "gRPC: queue empty once the client read: %zu",
	      rpc_call_queued(t->call));
	CHECK(send_event(t->call, sent, 0) == 0, "gRPC: sending again");
	expect += 5 + event_size(sent, 0);
	sent++;
	rpc_call_reply(t->call, NULL);
	t->call = NULL;
	for (int k = 0; k < 3000 && !r[3].closed; k++)
		h2c_pump_fast(&cl, 1);
	CHECK(r[3].closed && r[3].grpc_status == 0 && r[3].total == expect,
	      "gRPC: all %u messages (%zu of %zu bytes), then OK (%d)", sent, r[3].total, expect,
	      r[3].grpc_status);
	h2c_close_conn(&cl);
	spin(20);
}

/* libnsring in a thread against this server (the loop runs here): what the client saw. */
typedef struct E2E {
	atomic_bool done;
	int r[16];
	uint64_t inode[16];
	NsrStatus status[16];
	unsigned n;
} E2E;

static void e2e_next(E2E *e, NsrStream *st)
{
	ProtobufCMessage *m = NULL;
	unsigned i = e->n++;

	e->r[i] = nsr_stream_next(st, &nsring__v1__namespace__descriptor, &m, &e->status[i]);
	e->inode[i] = m ? ((Nsring__V1__Namespace *)m)->inode : UINT64_MAX;
	if (m)
		protobuf_c_message_free_unpacked(m, NULL);
}

static void *e2e_client(void *arg)
{
	E2E *e = arg;
	NsrClient *c = NULL;
	NsrStream *st = NULL;
	unsigned i;

	if (nsr_connect(sock_path, &c) < 0)
		goto out;
	/* 0..3: three messages and OK; 4..6: two and NOT_FOUND. */
	if (nsr_stream_start(c, "Stream3", NULL, &st) == 0) {
		for (i = 0; i < 4; i++)
			e2e_next(e, st);
		nsr_stream_close(st);
	}
	e->n = 4;
	if (nsr_stream_start(c, "StreamFail", NULL, &st) == 0) {
		for (i = 0; i < 3; i++)
			e2e_next(e, st);
		nsr_stream_close(st);
	}
	/* 7: a unary call on the same connection; 8: a streaming method called unary. */
	e->n = 7;
	e->r[e->n++] = nsr_call(c, "Echo", NULL, NULL, NULL, NULL);
	e->r[e->n] = nsr_call(c, "Stream3", NULL, NULL, NULL, &e->status[e->n]);
	e->n++;
	/* 9: a stream that goes on until the client closes it. */
	if (nsr_stream_start(c, "Forever", NULL, &st) == 0) {
		e2e_next(e, st);
		nsr_stream_close(st);
	}
	nsr_close(c);
out:
	atomic_store(&e->done, true);
	return NULL;
}

static void test_client_streams(void)
{
	static E2E e;
	TStream *t = &tstreams[ntstreams]; /* Forever is the only one the dispatcher keeps */
	pthread_t th;

	current_test = "client streams";
	if (pthread_create(&th, NULL, e2e_client, &e) != 0) {
		CHECK(false, "pthread_create");
		return;
	}
	/* The client waits on this loop: join only once it is done (slow under valgrind). */
	for (int k = 0; k < 12000 && !atomic_load(&e.done); k++)
		spin(5);
	if (!atomic_load(&e.done)) {
		fprintf(stderr, "FAIL: libnsring client thread stuck\n");
		exit(1);
	}
	pthread_join(th, NULL);
	for (unsigned i = 0; i < 3; i++)
		CHECK(e.r[i] == 1 && e.inode[i] == i, "libnsring Stream3: message %u (%d)", i,
		      e.r[i]);
	CHECK(e.r[3] == 0 && e.status[3].code == 0, "libnsring Stream3: OK (%d)", e.r[3]);
	CHECK(e.r[4] == 1 && e.r[5] == 1 && e.inode[5] == 1, "libnsring StreamFail: messages");
	CHECK(e.r[6] == -NSR_ESTATUS && e.status[6].code == STATUS_NOT_FOUND &&
		      strcmp(e.status[6].message, "no such thing") == 0,
	      "libnsring StreamFail: NOT_FOUND (%d %d)", e.r[6], e.status[6].code);
	CHECK(e.r[7] == 0, "libnsring: unary call after streams (%d)", e.r[7]);
	CHECK(e.r[8] == -NSR_ESTATUS && e.status[8].code == STATUS_UNIMPLEMENTED,
	      "libnsring: streaming method called unary: UNIMPLEMENTED (%d %d)", e.r[8],
	      e.status[8].code);
	CHECK(e.n == 10 && e.r[9] == 1, "libnsring Forever: a message (%d)", e.r[9]);
	SPIN_UNTIL(t->cancels);
	CHECK(t->cancels == 1 && !t->call, "libnsring's close cancelled the stream (%u)",
	      t->cancels);
}

/* Several slow streams on one HTTP/2 connection: past RPC_WBUF_PAUSE of unread output, new calls
 * are refused, but reading goes on, so the client's WINDOW_UPDATEs still drain them. */
static void test_grpc_many_slow_streams(void)
{
	static H2Result r[7];
	const size_t pad = 60000;
	TStream *t = &tstreams[ntstreams];
	size_t expect[5] = { 0 };
	H2Client cl;
	bool open = true;

	current_test = "grpc many slow streams";
	h2c_open(&cl);
	for (int i = 0; i < 5; i++)
		h2c_call(&cl, "/nsring.v1.NsRing/Flood", NULL, 0, NULL, &r[i]);
	for (int k = 0; k < 100 && !t[4].call; k++)
		h2c_pump(&cl, 1);
	for (int i = 0; i < 5; i++) {
		open &= t[i].call != NULL;
		for (unsigned j = 0; t[i].call && j < 1000 && send_event(t[i].call, j, pad) == 0;
		     j++) {
			expect[i] += 5 + event_size(j, pad);
			if (j % 8 == 7)
				spin(1);
		}
	}
	CHECK(open && rpc_h2_outbuf(t[0].call->conn) >= RPC_WBUF_PAUSE, "five full streams: %zu",
	      open ? rpc_h2_outbuf(t[0].call->conn) : 0);
	if (!open) {
		h2c_close_conn(&cl);
		return;
	}
	h2c_call(&cl, "/nsring.v1.NsRing/Echo", NULL, 0, NULL, &r[5]);
	for (int k = 0; k < 100 && !r[5].closed; k++)
		h2c_pump(&cl, 1);
	CHECK(r[5].grpc_status == STATUS_RESOURCE_EXHAUSTED && strstr(r[5].grpc_message, "waiting"),
	      "a new call while too much waits: RESOURCE_EXHAUSTED (%d %s)", r[5].grpc_status,
	      r[5].grpc_message);
	for (int i = 0; i < 5; i++) {
		rpc_call_reply(t[i].call, NULL);
		t[i].call = NULL;
	}
	for (int k = 0;
	     k < 5000 && !(r[0].closed && r[1].closed && r[2].closed && r[3].closed && r[4].closed);
	     k++)
		h2c_pump_fast(&cl, 1);
	for (int i = 0; i < 5; i++)
		CHECK(r[i].closed && r[i].grpc_status == 0 && r[i].total == expect[i],
		      "slow stream %d drained: %zu of %zu bytes, status %d", i, r[i].total,
		      expect[i], r[i].grpc_status);
	h2c_call(&cl, "/nsring.v1.NsRing/Echo", NULL, 0, NULL, &r[6]);
	for (int k = 0; k < 100 && !r[6].closed; k++)
		h2c_pump(&cl, 1);
	CHECK(r[6].grpc_status == 0, "calls served again once drained (%d)", r[6].grpc_status);
	h2c_close_conn(&cl);
	spin(20);
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
	static H2Result watch, h2hold, h2stream;
	TStream *ts_ttrpc, *ts_h2;
	TtrpcHeader th;
	int sfd;
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

	current_test = "ttrpc";
	/* 1. Pipelined calls in one write: each answered on its own stream, in one flush. */
	a = client();
	for (uint32_t s = 1; s <= 99; s += 2)
		off += frame_request(buf + off, s, TTRPC_SERVICE, "Echo", (const uint8_t *)"xyz",
				     3);
	ndispatched = 0;
	send_all(a, buf, off);
	SPIN_UNTIL(ndispatched == 50 && settled(a));
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
	ndispatched = 0;
	send_all(a, buf, off);
	SPIN_UNTIL(ndispatched == 2 && settled(a));
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
	SPIN_UNTIL(readable(b) && readable(c));
	resp = read_response(b, &stream, &eof);
	CHECK(!resp && eof, "oversized frame: closed");
	resp = read_response(c, &stream, &eof);
	CHECK(!resp && eof, "wrong frame type: closed");
	close(b);
	close(c);
	off = frame_request(buf, 109, TTRPC_SERVICE, "Echo", NULL, 0);
	send_all(a, buf, off);
	SPIN_UNTIL(settled(a));
	resp = read_response(a, &stream, &eof);
	CHECK(resp && stream == 109, "other connection unaffected");
	ttrpc__response__free_unpacked(resp, NULL);

	/* 4. A client that leaves with a call outstanding: the late reply is dropped safely. */
	b = client();
	off = frame_request(buf, 1, TTRPC_SERVICE, "Hold", NULL, 0);
	send_all(b, buf, off);
	SPIN_UNTIL(nheld == 1);
	CHECK(nheld == 1, "held call dispatched");
	close(b);
	SPIN_UNTIL(nheld == 1 && rpc_call_orphaned(held[0]));
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

	/* Server streaming on both. */
	test_ttrpc_streams();
	test_ttrpc_slow_consumer();
	test_grpc_streams();
	test_grpc_many_slow_streams();
	test_client_streams();
	CHECK(rpc_server_connections(srv) == 1, "stream connections freed: %u",
	      rpc_server_connections(srv));

	current_test = "shutdown";
	/* 5. Shutdown waits for the outstanding call, then reports drained; a second one gets
	 * UNAVAILABLE when the grace period ends (abort). HTTP/2 clients get GOAWAY, and health
	 * watchers NOT_SERVING. */
	h2c_open(&watcher);
	h2c_call(&watcher, "/grpc.health.v1.Health/Watch", NULL, 0, NULL, &watch);
	h2c_pump(&watcher, 2);
	CHECK(watch.http_status == 200 && watch.len == 7 && watch.data[6] == 1 && !watch.closed,
	      "Watch: SERVING, and open");
	/* Streams that sent a message are cancelled on shutdown, so their owners end them. */
	sfd = client();
	ts_ttrpc = &tstreams[ntstreams];
	off = frame_request_flags(buf, 1, TTRPC_FLAG_REMOTE_CLOSED, TTRPC_SERVICE, "Forever", NULL,
				  0);
	send_all(sfd, buf, off);
	SPIN_UNTIL(ts_ttrpc->call);
	ts_h2 = &tstreams[ntstreams];
	h2c_call(&watcher, "/nsring.v1.NsRing/Forever", NULL, 0, NULL, &h2stream);
	for (int k = 0; k < 100 && !ts_h2->call; k++)
		h2c_pump(&watcher, 1);
	CHECK(ts_ttrpc->call && ts_h2->call && ts_ttrpc != ts_h2, "two streams open");
	off = frame_request(buf, 111, TTRPC_SERVICE, "Hold", NULL, 0);
	off += frame_request(buf + off, 113, TTRPC_SERVICE, "Hold", NULL, 0);
	send_all(a, buf, off);
	SPIN_UNTIL(nheld == 3);
	CHECK(nheld == 3, "two more held");
	h2c_call(&watcher, "/nsring.v1.NsRing/Hold", NULL, 0, NULL, &h2hold);
	h2c_pump(&watcher, 2);
	CHECK(nheld == 4, "and one over HTTP/2");
	cancel_code = STATUS_UNAVAILABLE;
	rpc_server_shutdown(srv, on_drained, NULL);
	CHECK(ts_ttrpc->cancels == 0, "cancel callbacks run from the loop, not from shutdown");
	{
		Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT;
		rpc_call_reply(held[1], &ns.base);
	}
	spin(20);
	SPIN_UNTIL(ts_ttrpc->cancels && ts_h2->cancels);
	CHECK(ts_ttrpc->cancels == 1 && ts_h2->cancels == 1, "streams cancelled on shutdown");
	CHECK(read_frame(sfd, &th, buf, sizeof(buf)) && th.type == TTRPC_TYPE_DATA &&
		      read_frame(sfd, &th, buf, sizeof(buf)) &&
		      response_code(&th, buf, NULL, 0) == STATUS_UNAVAILABLE,
	      "ttrpc stream: a message, then UNAVAILABLE");
	close(sfd);
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
	CHECK(h2stream.closed && h2stream.grpc_status == STATUS_UNAVAILABLE && h2stream.len == 5,
	      "gRPC stream: a message, then UNAVAILABLE (%d)", h2stream.grpc_status);
	CHECK(watch.closed && watch.len == 14 && watch.data[13] == 2 &&
		      watch.grpc_status == STATUS_UNAVAILABLE,
	      "Watch: NOT_SERVING, then UNAVAILABLE (%zu bytes, status %d)", watch.len,
	      watch.grpc_status);
	CHECK(recv(watcher.fd, buf, 16, MSG_DONTWAIT) == 0,
	      "HTTP/2 connection closed after GOAWAY");
	h2c_close_conn(&watcher);
	rpc_server_abort_calls(srv, "stopping");
	spin(20);
	SPIN_UNTIL(drained && settled(a));
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
	printf("rpc: all checks passed\n");
	return 0;
}
