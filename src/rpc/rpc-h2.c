/* The gRPC transport: cleartext HTTP/2 through nghttp2's memory API, which parses and frames
 * while io_uring does the socket I/O (rpc.c). Calls of nsring.v1.NsRing go to the one
 * dispatcher; health checking and server reflection are answered here. */
#include "rpc-internal.h"

#include <errno.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/list.h"
#include "core/log.h"
#include "core/status.h"
#include "grpc/health/v1/health.pb-c.h"
#include "wire/ttrpc-wire.h" /* TTRPC_SERVICE: the service is the same on both transports */

/* The gRPC message prefix: a compressed flag and a big-endian length. */
#define GRPC_PREFIX 5
/* How much of nghttp2's output one flush moves into the write queue; the rest waits for the
 * send to complete, so a slow reader does not make us copy everything at once. */
#define H2_PULL_MAX (256u << 10)
/* Request bytes held at once by one connection's streams (each is also bounded by the message
 * limit): past it, new request data fails its stream with RESOURCE_EXHAUSTED. */
#define H2_CONN_INPUT_MAX (64u << 20)
#define H2_MAX_STREAMS	  1024u
#define H2_STREAM_WINDOW  (1u << 20)
#define H2_CONN_WINDOW	  (16u << 20)
/* A stream's output buffer larger than this is freed once it is empty. */
#define H2_STREAM_KEEP (256u << 10)

#define HEALTH_NOT_SERVING	GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING
#define HEALTH_SERVICE		"grpc.health.v1.Health"
#define REFLECT_V1_SERVICE	"grpc.reflection.v1.ServerReflection"
#define REFLECT_V1ALPHA_SERVICE "grpc.reflection.v1alpha.ServerReflection"

typedef struct RpcStream RpcStream;

/* A connection's state. */
typedef struct H2Conn {
	RpcConn *conn;
	nghttp2_session *session;
	RpcStream *streams; /* every open stream (nghttp2 does not tell when it frees them) */
	size_t inbuf;	    /* request bytes held by streams (bounded: H2_CONN_INPUT_MAX) */
	size_t outbuf;	    /* reply bytes held by streams, not yet taken by nghttp2 */
	bool failed;	    /* a callback hit a fatal error: close after processing */
} H2Conn;

typedef enum {
	STREAM_NEW,	     /* headers still arriving */
	STREAM_CALL,	     /* an nsring.v1.NsRing call: to the dispatcher */
	STREAM_HEALTH_CHECK, /* grpc.health.v1.Health/Check */
	STREAM_HEALTH_WATCH, /* grpc.health.v1.Health/Watch: a server stream */
	STREAM_REFLECT,	     /* ServerReflectionInfo: a bidirectional stream */
} StreamKind;

struct RpcStream {
	H2Conn *h;
	RpcStream *prev, *next;
	int32_t id;
	StreamKind kind;
	/* Request headers. */
	char *path;
	bool post, grpc_content, bad_timeout;
	uint64_t timeout_ns; /* 0: none */
	/* Request body: length-prefixed messages; scan is where the next one starts. */
	uint8_t *in;
	size_t inlen, incap, scan;
	unsigned nmsgs;
	bool req_done; /* END_STREAM received */
	bool discard;  /* the answer is decided: further request data is dropped */
	/* Response: HEADERS submitted, the final status decided, the data provider waiting. */
	bool responded, ended, deferred;
	WBuf out;
	size_t outoff;
	int code;
	char *message; /* percent-encoded grpc-message for the trailers */
	RpcCall *call; /* STREAM_CALL until answered */
};

/* A header for nghttp2 (which copies it); v's length is taken here, so fill v first. */
#define NV(n, v)                                                                                   \
	{                                                                                          \
		(uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, strlen(v), NGHTTP2_NV_FLAG_NONE     \
	}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- streams */

static RpcStream *stream_get(H2Conn *h, int32_t id)
{
	return nghttp2_session_get_stream_user_data(h->session, id);
}

static void stream_drop_input(RpcStream *st)
{
	st->h->inbuf -= st->inlen;
	free(st->in);
	st->in = NULL;
	st->inlen = st->incap = st->scan = 0;
}

static void stream_free(RpcStream *st)
{
	H2Conn *h = st->h;

	LIST_UNLINK(h->streams, st, prev, next);
	stream_drop_input(st);
	h->outbuf -= st->out.len - st->outoff;
	free(st->out.data);
	free(st->path);
	free(st->message);
	free(st);
}

/* Supplies a stream's response body; at its end (once the status is known) the trailers. */
static ssize_t stream_read(nghttp2_session *h2, int32_t id, uint8_t *buf, size_t length,
			   uint32_t *flags, nghttp2_data_source *src, void *userdata)
{
	RpcStream *st = src->ptr;
	size_t n = MIN(length, st->out.len - st->outoff);

	if (n)
		memcpy(buf, st->out.data + st->outoff, n);
	st->outoff += n;
	st->h->outbuf -= n;
	if (st->outoff < st->out.len)
		return (ssize_t)n;
	st->out.len = st->outoff = 0;
	if (st->out.cap > H2_STREAM_KEEP) {
		/* A stream that once queued a lot gives the memory back when it catches up. */
		free(st->out.data);
		st->out = (WBuf){};
	}
	if (st->ended) {
		char code[16];

		snprintf(code, sizeof(code), "%d", st->code);
		nghttp2_nv nv[] = { NV("grpc-status", code),
				    NV("grpc-message", st->message ? st->message : "") };

		*flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
		if (nghttp2_submit_trailer(h2, id, nv, st->message && *st->message ? 2 : 1) < 0)
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
		return (ssize_t)n;
	}
	if (n == 0) {
		/* A stream (watch, reflection) with nothing to say yet: resumed on output. */
		st->deferred = true;
		return NGHTTP2_ERR_DEFERRED;
	}
	return (ssize_t)n;
}

/* Starts the response, or wakes its data provider, for output queued on the stream. */
static void stream_output(RpcStream *st)
{
	H2Conn *h = st->h;

	if (!st->responded) {
		nghttp2_nv nv[] = { NV(":status", "200"), NV("content-type", "application/grpc") };
		nghttp2_data_provider prd = { .source.ptr = st, .read_callback = stream_read };

		st->responded = true;
		if (nghttp2_submit_response(h->session, st->id, nv, ARRAY_SIZE(nv), &prd) < 0)
			h->failed = true;
	} else if (st->deferred) {
		st->deferred = false;
		if (nghttp2_session_resume_data(h->session, st->id) < 0)
			h->failed = true;
	}
	rpc_conn_kick(h->conn);
}

/* Ends the stream with a gRPC status: trailers after the messages sent, or a trailers-only
 * response when there were none. */
static void stream_finish(RpcStream *st, int code, const char *msg)
{
	H2Conn *h = st->h;
	size_t len = strlen(msg);

	if (st->ended)
		return;
	st->ended = true;
	st->discard = true;
	stream_drop_input(st);
	st->code = code;
	st->message = malloc(3 * len + 1);
	if (st->message)
		rpc_grpc_message_escape(st->message, 3 * len + 1, msg);
	if (!st->responded && st->out.len == 0) {
		char scode[16];

		snprintf(scode, sizeof(scode), "%d", code);
		nghttp2_nv nv[] = { NV(":status", "200"), NV("content-type", "application/grpc"),
				    NV("grpc-status", scode),
				    NV("grpc-message", st->message ? st->message : "") };

		st->responded = true;
		if (nghttp2_submit_response(h->session, st->id, nv,
					    st->message && *st->message ? 4 : 3, NULL) < 0)
			h->failed = true;
		rpc_conn_kick(h->conn);
		return;
	}
	stream_output(st);
}

/* A plain HTTP error, for requests that are not gRPC at all. */
static void stream_http_error(RpcStream *st, const char *status)
{
	nghttp2_nv nv[] = { NV(":status", status) };

	st->ended = st->discard = st->responded = true;
	stream_drop_input(st);
	if (nghttp2_submit_response(st->h->session, st->id, nv, 1, NULL) < 0)
		st->h->failed = true;
	rpc_conn_kick(st->h->conn);
}

/* Bytes of the stream's messages not yet taken by nghttp2 (flow control holds them here). */
static size_t stream_queued(const RpcStream *st)
{
	return st->out.len - st->outoff;
}

/* Makes room for one length-prefixed response message of n bytes in *ret; the caller fills it,
 * then stream_output(). -EPIPE when the stream ended, -EMSGSIZE over the message limit,
 * -ENOBUFS when bounded is set and the stream already holds RPC_STREAM_QUEUE_MAX bytes. */
static int stream_message(RpcStream *st, size_t n, bool bounded, uint8_t **ret)
{
	size_t queued = stream_queued(st);
	uint8_t *p;

	if (st->ended)
		return -EPIPE;
	if (n > RPC_MESSAGE_MAX)
		return -EMSGSIZE;
	/* An empty queue takes any message, so one larger than the bound still goes out. */
	if (bounded && queued > 0 && queued + GRPC_PREFIX + n > RPC_STREAM_QUEUE_MAX)
		return -ENOBUFS;
	/* Drop what nghttp2 took once it is at least half the buffer: the buffer stays within
	 * twice what is queued, at an amortised constant cost per byte. */
	if (st->outoff > 0 && st->outoff >= queued) {
		memmove(st->out.data, st->out.data + st->outoff, queued);
		st->out.len = queued;
		st->outoff = 0;
	}
	if (rpc_wbuf_reserve(&st->out, GRPC_PREFIX + n) < 0)
		return -ENOMEM;
	p = st->out.data + st->out.len;
	p[0] = 0;
	p[1] = (uint8_t)(n >> 24);
	p[2] = (uint8_t)(n >> 16);
	p[3] = (uint8_t)(n >> 8);
	p[4] = (uint8_t)n;
	st->out.len += GRPC_PREFIX + n;
	st->h->outbuf += GRPC_PREFIX + n;
	*ret = p + GRPC_PREFIX;
	return 0;
}

/* A message we could not queue ends the stream with RESOURCE_EXHAUSTED. */
static void stream_message_failed(RpcStream *st, int r)
{
	if (r == -EMSGSIZE)
		stream_finish(st, STATUS_RESOURCE_EXHAUSTED,
			      "reply larger than the 4 MiB message limit");
	else if (r != -EPIPE)
		stream_finish(st, STATUS_RESOURCE_EXHAUSTED, "out of memory queuing the reply");
}

/* One message of an answer the transport itself finishes (unary replies, health, reflection):
 * a failure ends the stream. */
static void stream_send(RpcStream *st, const ProtobufCMessage *msg)
{
	uint8_t *p;
	int r = stream_message(st, protobuf_c_message_get_packed_size(msg), false, &p);

	if (r < 0) {
		stream_message_failed(st, r);
		return;
	}
	protobuf_c_message_pack(msg, p);
	stream_output(st);
}

static void stream_send_raw(RpcStream *st, const uint8_t *msg, size_t n)
{
	uint8_t *p;
	int r = stream_message(st, n, false, &p);

	if (r < 0) {
		stream_message_failed(st, r);
		return;
	}
	memcpy(p, msg, n);
	stream_output(st);
}

/* ---- health and reflection, answered here */

static void health_send(RpcStream *st, int status)
{
	Grpc__Health__V1__HealthCheckResponse resp = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;

	resp.status = status;
	stream_send(st, &resp.base);
}

static void health_answer(RpcStream *st, const uint8_t *p, size_t n)
{
	RpcServer *s = st->h->conn->srv;
	bool watch = st->kind == STREAM_HEALTH_WATCH;
	char msg[512];
	int status, code;

	code = rpc_grpc_health(s, p, n, watch, &status, msg, sizeof(msg));
	if (code != STATUS_OK) {
		stream_finish(st, code, msg);
		return;
	}
	health_send(st, status);
	/* Watch: the current status now, NOT_SERVING when the daemon stops; the stream stays
	 * open until then or until the client goes. */
	if (!watch)
		stream_finish(st, STATUS_OK, "");
	else if (s->shutting_down)
		stream_finish(st, STATUS_UNAVAILABLE, "nsringd is shutting down");
}

static void reflect_answer(RpcStream *st, const uint8_t *p, size_t n)
{
	uint8_t *out = NULL;
	size_t len = 0;
	int r;

	r = rpc_reflect_answer(st->h->conn->srv->reflect, p, n, &out, &len);
	if (r == -EBADMSG)
		stream_finish(st, STATUS_INVALID_ARGUMENT, "malformed ServerReflectionRequest");
	else if (r < 0)
		stream_finish(st, STATUS_RESOURCE_EXHAUSTED, "out of memory");
	else
		stream_send_raw(st, out, len);
	free(out);
}

/* ---- requests */

static void stream_dispatch(RpcStream *st, const uint8_t *p, size_t n)
{
	H2Conn *h = st->h;
	RpcConn *c = h->conn;
	RpcServer *s = c->srv;
	RpcCallInfo info;
	RpcCall *call;
	const char *msg;
	int code;

	/* Reading goes on whatever the client leaves unread (it must, to see WINDOW_UPDATE and
	 * RST_STREAM), so new calls are what stops here. */
	if (h->outbuf >= RPC_WBUF_PAUSE) {
		stream_finish(st, STATUS_RESOURCE_EXHAUSTED,
			      "too many replies waiting for this client to read them");
		return;
	}
	call = rpc_call_start(c, (uint32_t)st->id, &code, &msg);
	if (!call) {
		stream_finish(st, code, msg);
		return;
	}
	st->call = call;
	info = (RpcCallInfo){
		.method = strrchr(st->path, '/') + 1,
		.payload = p,
		.len = n,
		.deadline = st->timeout_ns ? loop_now(s->loop) + MIN(st->timeout_ns, UINT64_MAX / 2)
					   : 0,
		.uid = c->uid,
		.pid = c->pid,
	};
	s->dispatch(s->userdata, call, &info);
}

/* The request is complete (END_STREAM): a unary request has exactly one message. */
static void stream_request_done(RpcStream *st)
{
	uint8_t *in = st->in;
	size_t len = st->inlen;

	st->req_done = true;
	if (st->discard)
		return;
	if (st->kind == STREAM_REFLECT) {
		stream_finish(st, STATUS_OK, "");
		return;
	}
	if (st->nmsgs != 1 || st->scan != st->inlen) {
		stream_finish(st, STATUS_INVALID_ARGUMENT,
			      len ? "truncated request message" : "missing request message");
		return;
	}
	/* The payload stays valid through the dispatch, even if the call is answered (and its
	 * stream's buffers dropped) from inside it. */
	st->discard = true;
	st->in = NULL;
	st->inlen = st->incap = st->scan = 0;
	st->h->inbuf -= len;
	if (st->kind == STREAM_CALL)
		stream_dispatch(st, in + GRPC_PREFIX, len - GRPC_PREFIX);
	else
		health_answer(st, in + GRPC_PREFIX, len - GRPC_PREFIX);
	free(in);
}

/* Walks the complete messages received so far: a reflection request is answered at once, a
 * unary request waits for END_STREAM. */
static void stream_scan(RpcStream *st)
{
	while (!st->discard && st->inlen - st->scan >= GRPC_PREFIX) {
		const uint8_t *m = st->in + st->scan;
		uint32_t len = be32(m + 1);

		if (m[0] != 0) {
			stream_finish(st, STATUS_UNIMPLEMENTED,
				      "compressed messages are not supported (identity only)");
			return;
		}
		if (len > RPC_MESSAGE_MAX) {
			char msg[128];
			snprintf(msg, sizeof(msg),
				 "request message of %u bytes exceeds the %u-byte limit", len,
				 RPC_MESSAGE_MAX);
			stream_finish(st, STATUS_RESOURCE_EXHAUSTED, msg);
			return;
		}
		if (st->inlen - st->scan < GRPC_PREFIX + (size_t)len)
			return;
		if (st->kind == STREAM_REFLECT) {
			size_t rest;

			reflect_answer(st, m + GRPC_PREFIX, len);
			if (st->discard)
				return;
			rest = st->inlen - GRPC_PREFIX - len;
			memmove(st->in, st->in + GRPC_PREFIX + len, rest);
			st->inlen = rest;
			st->h->inbuf -= GRPC_PREFIX + len;
			continue;
		}
		st->nmsgs++;
		st->scan += GRPC_PREFIX + len;
		if (st->nmsgs > 1) {
			stream_finish(st, STATUS_INVALID_ARGUMENT,
				      "more than one request message for a unary method");
			return;
		}
	}
}

/* The request headers are complete: choose who answers. */
static void stream_route(RpcStream *st)
{
	RpcConn *c = st->h->conn;
	const char *path = st->path, *slash;
	char msg[512];
	size_t slen;

	if (!st->post) {
		stream_http_error(st, "405");
		return;
	}
	if (!st->grpc_content) {
		stream_http_error(st, "415");
		return;
	}
	if (!path || path[0] != '/' || !(slash = strchr(path + 1, '/')) || strchr(slash + 1, '/')) {
		snprintf(msg, sizeof(msg), "malformed :path \"%.256s\"", path ? path : "");
		stream_finish(st, STATUS_UNIMPLEMENTED, msg);
		return;
	}
	if (c->denied) {
		log_warning("rpc: refused %s from uid %u pid %d: not an admitted peer", path,
			    (unsigned)c->uid, (int)c->pid);
		stream_finish(st, STATUS_PERMISSION_DENIED,
			      "permission denied: uid is neither root nor in the allowed group");
		return;
	}
	if (st->bad_timeout) {
		stream_finish(st, STATUS_INVALID_ARGUMENT, "malformed grpc-timeout");
		return;
	}
	slen = (size_t)(slash - path - 1);
#define IS_SERVICE(name) (slen == strlen(name) && memcmp(path + 1, name, slen) == 0)
	if (IS_SERVICE(TTRPC_SERVICE)) {
		st->kind = STREAM_CALL;
	} else if (IS_SERVICE(HEALTH_SERVICE) && strcmp(slash + 1, "Check") == 0) {
		st->kind = STREAM_HEALTH_CHECK;
	} else if (IS_SERVICE(HEALTH_SERVICE) && strcmp(slash + 1, "Watch") == 0) {
		st->kind = STREAM_HEALTH_WATCH;
	} else if ((IS_SERVICE(REFLECT_V1_SERVICE) || IS_SERVICE(REFLECT_V1ALPHA_SERVICE)) &&
		   strcmp(slash + 1, "ServerReflectionInfo") == 0) {
		st->kind = STREAM_REFLECT;
	} else if (IS_SERVICE(HEALTH_SERVICE) || IS_SERVICE(REFLECT_V1_SERVICE) ||
		   IS_SERVICE(REFLECT_V1ALPHA_SERVICE)) {
		snprintf(msg, sizeof(msg), "unknown method \"%.256s\"", path);
		stream_finish(st, STATUS_UNIMPLEMENTED, msg);
	} else {
		snprintf(msg, sizeof(msg), "unknown service \"%.*s\" (this is %s)",
			 (int)MIN(slen, 256), path + 1, TTRPC_SERVICE);
		stream_finish(st, STATUS_UNIMPLEMENTED, msg);
	}
#undef IS_SERVICE
}

/* ---- nghttp2 callbacks (they run inside mem_recv/mem_send, with the connection busy) */

static int on_begin_headers(nghttp2_session *h2, const nghttp2_frame *frame, void *userdata)
{
	H2Conn *h = userdata;
	RpcStream *st;

	if (h->conn->closing)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* resets just this stream */
	st->h = h;
	st->id = frame->hd.stream_id;
	LIST_PREPEND(h->streams, st, prev, next);
	if (nghttp2_session_set_stream_user_data(h2, st->id, st) < 0) {
		stream_free(st);
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	return 0;
}

static bool hdr_is(const uint8_t *name, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(name, want, len) == 0;
}

static int on_header(nghttp2_session *h2, const nghttp2_frame *frame, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags,
		     void *userdata)
{
	H2Conn *h = userdata;
	RpcStream *st;

	if (h->conn->closing)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0; /* trailers of a request carry nothing we use */
	st = stream_get(h, frame->hd.stream_id);
	if (!st)
		return 0;
	if (hdr_is(name, namelen, ":path")) {
		free(st->path);
		st->path = strndup((const char *)value, valuelen);
		if (!st->path)
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	} else if (hdr_is(name, namelen, ":method")) {
		st->post = hdr_is(value, valuelen, "POST");
	} else if (hdr_is(name, namelen, "content-type")) {
		/* application/grpc, application/grpc+proto, application/grpc;charset=... */
		st->grpc_content = valuelen >= 16 && memcmp(value, "application/grpc", 16) == 0 &&
				   (valuelen == 16 || value[16] == '+' || value[16] == ';');
	} else if (hdr_is(name, namelen, "grpc-timeout")) {
		if (rpc_grpc_timeout_parse((const char *)value, valuelen, &st->timeout_ns) < 0)
			st->bad_timeout = true;
		else if (st->timeout_ns == 0)
			st->timeout_ns = 1; /* "0n": already expired, not "no deadline" */
	}
	/* te: nghttp2 already rejects any value but "trailers"; gRPC clients always send it,
	 * and a request without it is served all the same. */
	return 0;
}

static int on_data_chunk_recv(nghttp2_session *h2, uint8_t flags, int32_t id, const uint8_t *data,
			      size_t len, void *userdata)
{
	H2Conn *h = userdata;
	RpcStream *st;

	if (h->conn->closing)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	st = stream_get(h, id);
	if (!st || st->discard || st->kind == STREAM_NEW)
		return 0;
	if (h->inbuf + len > H2_CONN_INPUT_MAX) {
		stream_finish(st, STATUS_RESOURCE_EXHAUSTED,
			      "too much request data buffered on this connection");
		return 0;
	}
	if (st->inlen + len > st->incap) {
		size_t cap = st->incap ? st->incap : 256;
		uint8_t *p;

		while (cap < st->inlen + len)
			cap *= 2;
		p = realloc(st->in, cap);
		if (!p) {
			stream_finish(st, STATUS_RESOURCE_EXHAUSTED, "out of memory");
			return 0;
		}
		st->in = p;
		st->incap = cap;
	}
	memcpy(st->in + st->inlen, data, len);
	st->inlen += len;
	h->inbuf += len;
	stream_scan(st);
	return 0;
}

static int on_frame_recv(nghttp2_session *h2, const nghttp2_frame *frame, void *userdata)
{
	H2Conn *h = userdata;
	RpcStream *st;

	if (h->conn->closing)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)
		return 0;
	st = stream_get(h, frame->hd.stream_id);
	if (!st)
		return 0;
	if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
		stream_route(st);
	if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
		stream_request_done(st);
	return 0;
}

static int on_stream_close(nghttp2_session *h2, int32_t id, uint32_t error_code, void *userdata)
{
	H2Conn *h = userdata;
	RpcStream *st;

	if (h->conn->closing)
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	st = stream_get(h, id);
	if (!st)
		return 0;
	if (st->call) {
		/* Cancelled (RST_STREAM) or the client went before the answer: the pending
		 * work's reply is dropped, and the work may stop early. */
		RpcCall *call = st->call;

		log_debug("rpc: pid %d cancelled stream %d (%s, error %u)", (int)h->conn->pid, id,
			  st->path ? st->path : "?", error_code);
		st->call = NULL;
		rpc_call_orphan(call);
	}
	stream_free(st);
	return 0;
}

/* ---- the connection */

static void h2_free(RpcConn *c)
{
	H2Conn *h = c->tp_state;

	if (h->session)
		nghttp2_session_del(h->session);
	h->session = NULL;
	while (h->streams) {
		h->streams->call = NULL;
		stream_free(h->streams);
	}
	free(h);
	c->tp_state = NULL;
}

static int h2_start(RpcConn *c)
{
	RpcServer *s = c->srv;
	nghttp2_session_callbacks *cbs;
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS,
		  MIN(H2_MAX_STREAMS, s->cfg.max_calls_per_conn) },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_STREAM_WINDOW },
	};
	H2Conn *h;
	int r;

	h = c->tp_state = calloc(1, sizeof(*h));
	if (!h || nghttp2_session_callbacks_new(&cbs) < 0)
		goto fail;
	h->conn = c;
	nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk_recv);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	r = nghttp2_session_server_new(&h->session, cbs, h);
	nghttp2_session_callbacks_del(cbs);
	if (r < 0)
		goto fail;
	/* The server speaks first: SETTINGS (stream limit, larger windows so requests up to
	 * the message limit need few round trips). */
	r = nghttp2_submit_settings(h->session, NGHTTP2_FLAG_NONE, iv, ARRAY_SIZE(iv));
	if (r == 0)
		r = nghttp2_session_set_local_window_size(h->session, NGHTTP2_FLAG_NONE, 0,
							  H2_CONN_WINDOW);
	/* A client that arrives while we stop is told at once. */
	if (r == 0 && s->shutting_down)
		r = nghttp2_submit_goaway(h->session, NGHTTP2_FLAG_NONE, 0, NGHTTP2_NO_ERROR, NULL,
					  0);
	if (r < 0)
		goto fail;
	rpc_conn_kick(c);
	return 0;
fail:
	if (h)
		h2_free(c);
	return -ENOMEM;
}

/* Feeds rbuf to nghttp2. */
static bool h2_input(RpcConn *c)
{
	H2Conn *h = c->tp_state;
	ssize_t n = nghttp2_session_mem_recv(h->session, c->rbuf, c->rlen);

	c->rlen = 0;
	if (n < 0) {
		log_info("rpc: pid %d: HTTP/2 error: %s: closing", (int)c->pid,
			 nghttp2_strerror((int)n));
		return false;
	}
	if (h->failed)
		return false;
	rpc_conn_kick(c); /* SETTINGS ack, WINDOW_UPDATE, answers */
	return true;
}

/* Moves nghttp2's output into the write queue, at most H2_PULL_MAX of it. */
static bool h2_flush(RpcConn *c)
{
	H2Conn *h = c->tp_state;

	while (c->wq.len < H2_PULL_MAX) {
		const uint8_t *p;
		ssize_t n = nghttp2_session_mem_send(h->session, &p);

		if (n < 0) {
			log_info("rpc: pid %d: HTTP/2 error: %s: closing", (int)c->pid,
				 nghttp2_strerror((int)n));
			return false;
		}
		if (n == 0)
			break;
		if (rpc_wbuf_reserve(&c->wq, (size_t)n) < 0)
			return false;
		memcpy(c->wq.data + c->wq.len, p, (size_t)n);
		c->wq.len += (size_t)n;
	}
	return !h->failed;
}

static bool h2_pending(RpcConn *c)
{
	H2Conn *h = c->tp_state;

	return nghttp2_session_want_write(h->session);
}

static bool h2_finished(RpcConn *c)
{
	H2Conn *h = c->tp_state;

	return !nghttp2_session_want_read(h->session) && !nghttp2_session_want_write(h->session);
}

/* Output is pulled in bounded portions, and a finished session closes: both at a flush. */
static void h2_sent(RpcConn *c)
{
	if (h2_pending(c) || h2_finished(c))
		rpc_conn_kick(c);
}

static RpcStream *call_stream(const RpcCall *call)
{
	return stream_get(call->conn->tp_state, (int32_t)call->stream_id);
}

/* msg NULL: ends the stream with status OK after the messages sent. */
static void h2_reply(RpcCall *call, const ProtobufCMessage *msg)
{
	RpcStream *st = call_stream(call);

	if (!st)
		return;
	st->call = NULL;
	if (msg)
		stream_send(st, msg);
	stream_finish(st, STATUS_OK, "");
}

static void h2_fail(RpcCall *call, int code, const char *msg)
{
	RpcStream *st = call_stream(call);

	if (!st)
		return;
	st->call = NULL;
	stream_finish(st, code, msg);
}

static int h2_send(RpcCall *call, const ProtobufCMessage *msg)
{
	RpcStream *st = call_stream(call);
	uint8_t *p;
	int r;

	if (!st || !st->call)
		return -EPIPE;
	r = stream_message(st, protobuf_c_message_get_packed_size(msg), true, &p);
	if (r < 0)
		return r;
	protobuf_c_message_pack(msg, p);
	stream_output(st);
	return 0;
}

static size_t h2_queued(const RpcCall *call)
{
	RpcStream *st = call_stream(call);

	return st ? stream_queued(st) : 0;
}

/* Ends health watches and reflection streams, sends GOAWAY. */
static void h2_shutdown(RpcConn *c)
{
	H2Conn *h = c->tp_state;

	for (RpcStream *st = h->streams; st; st = st->next) {
		if (st->ended)
			continue;
		if (st->kind == STREAM_HEALTH_WATCH) {
			if (st->req_done)
				health_send(st, HEALTH_NOT_SERVING);
			stream_finish(st, STATUS_UNAVAILABLE, "nsringd is shutting down");
		} else if (st->kind == STREAM_REFLECT) {
			stream_finish(st, STATUS_UNAVAILABLE, "nsringd is shutting down");
		}
	}
	/* Streams the client opened after the last one we processed were not served: it may
	 * retry them elsewhere. Those in flight finish. */
	if (nghttp2_submit_goaway(h->session, NGHTTP2_FLAG_NONE,
				  nghttp2_session_get_last_proc_stream_id(h->session),
				  NGHTTP2_NO_ERROR, NULL, 0) < 0)
		h->failed = true;
	rpc_conn_kick(c);
}

size_t rpc_h2_outbuf(const RpcConn *c)
{
	const H2Conn *h = c->tp_state;

	return h->outbuf;
}

const RpcTransport rpc_h2_transport = {
	.name = "HTTP/2 (gRPC)",
	.call_size = sizeof(RpcCall),
	.start = h2_start,
	.input = h2_input,
	.flush = h2_flush,
	.pending = h2_pending,
	.finished = h2_finished,
	.sent = h2_sent,
	.reply = h2_reply,
	.fail = h2_fail,
	.send = h2_send,
	.queued = h2_queued,
	/* No call_free or close: a stream lets go of its call once it is answered or closed,
	 * and the streams go with the session. */
	.shutdown = h2_shutdown,
	.free = h2_free,
};
