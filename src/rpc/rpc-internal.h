/* State shared by the transport's files: rpc.c (server, connections, calls, ttrpc), rpc-h2.c
 * (gRPC over HTTP/2) and rpc-reflect.c (server reflection). Not an interface of the module. */
#pragma once

#include <nghttp2/nghttp2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc.h"

/* The largest message either transport takes or sends (containerd/ttrpc's and gRPC's default). */
#define RPC_MESSAGE_MAX (4u << 20)
/* A client that does not read its replies stops being read from past this much output. */
#define RPC_WBUF_PAUSE (16u << 20)

typedef struct RpcConn RpcConn;
typedef struct RpcStream RpcStream;
typedef struct RpcReflect RpcReflect;

typedef struct WBuf {
	uint8_t *data;
	size_t len, cap;
} WBuf;

/* ttrpc: a streaming call's data frame in the write queues, so the call's unsent bytes are
 * known (ttrpc has no flow control: a client that does not read shows up only here). */
typedef struct RpcPending {
	RpcCall *call; /* NULL once the call ended */
	uint64_t end;  /* the frame's end, in bytes ever queued on the connection */
	size_t len;
} RpcPending;

/* A connection's protocol, chosen from its first bytes. */
typedef enum {
	RPC_PROTO_UNKNOWN,
	RPC_PROTO_TTRPC,
	RPC_PROTO_H2,
} RpcProto;

struct RpcConn {
	RpcServer *srv;
	RpcConn *prev, *next;
	int fd;
	uid_t uid;
	pid_t pid;
	RpcProto proto;
	bool denied;
	bool closing;
	bool recv_inflight, send_inflight;
	/* Nonzero while the connection's input or output is being processed (possibly inside
	 * nghttp2): a close then only marks it, and the processing frees it when done. */
	unsigned busy;
	/* rbuf is being parsed: no new receive into it until that is done. */
	bool parsing;
	LoopOp recv_op, send_op;
	LoopDefer flush;
	uint8_t *rbuf;
	size_t rlen, rcap;
	WBuf wq, ws; /* being filled, being sent */
	size_t woff;
	uint64_t wsent; /* bytes ever sent: with the queues' lengths, positions for pend */
	/* ttrpc: streaming calls' data frames not yet fully sent, oldest first. */
	RpcPending *pend;
	size_t pend_head, pend_len, pend_cap;
	RpcCall *calls; /* outstanding, for orphaning on close */
	unsigned ncalls;
	/* HTTP/2 only. */
	nghttp2_session *h2;
	RpcStream *streams; /* every open stream (nghttp2 does not tell when it frees them) */
	size_t h2_inbuf;    /* request bytes held by streams (bounded: H2_CONN_INPUT_MAX) */
	size_t h2_outbuf;   /* reply bytes held by streams, not yet taken by nghttp2 */
	bool h2_failed;	    /* a callback hit a fatal error: close after processing */
};

struct RpcCall {
	RpcConn *conn; /* NULL once orphaned */
	RpcCall *prev, *next;
	Loop *loop;
	uint32_t stream_id; /* ttrpc stream or HTTP/2 stream */
	bool answered;
	/* ttrpc: the request opened a stream (flag remote-closed), so data messages may be sent
	 * on it; a unary request (flags 0) may not carry any. Always true for gRPC. */
	bool streamable;
	bool sent;     /* a message went out with rpc_call_send(): a stream */
	size_t queued; /* ttrpc: bytes of this call's data frames not yet written */
	void (*cancel_cb)(void *userdata);
	void *cancel_userdata;
	LoopDefer cancel_defer; /* runs cancel_cb from the loop */
};

struct RpcServer {
	Loop *loop;
	RpcServerConfig cfg;
	int listen_fd;
	LoopOp accept_op;
	bool accept_armed;
	bool shutting_down;
	rpc_dispatch_cb dispatch;
	void *userdata;
	RpcConn *conns;
	unsigned nconns;
	unsigned unanswered;
	void (*drained)(void *userdata);
	void *drained_userdata;
	RpcReflect *reflect;
};

/* rpc.c */
int rpc_wbuf_reserve(WBuf *b, size_t more);
void rpc_conn_close(RpcConn *c);
/* Output is queued: sends it at the end of this loop turn. */
void rpc_conn_kick(RpcConn *c);
void rpc_srv_check_drained(RpcServer *s);
/* Registers a call on c, or fails with a status code and message (shutting down, too many
 * calls, out of memory). */
RpcCall *rpc_call_start(RpcConn *c, uint32_t stream_id, int *ret_code, const char **ret_msg);
/* The call's stream went away: later replies are dropped, the cancel callback runs. */
void rpc_call_orphan(RpcCall *call);

/* rpc-h2.c: gRPC over HTTP/2, through nghttp2's memory API. */
int rpc_h2_start(RpcConn *c);
/* Feeds rbuf to nghttp2. false: the connection must close. */
bool rpc_h2_input(RpcConn *c);
/* Moves nghttp2's output into the write queue (bounded). false: the connection must close. */
bool rpc_h2_pull(RpcConn *c);
/* The session has nothing left to read or write: the connection may close. */
bool rpc_h2_done(RpcConn *c);
bool rpc_h2_want_write(RpcConn *c);
/* msg NULL: ends a stream with status OK after the messages sent. */
void rpc_h2_reply(RpcConn *c, uint32_t stream_id, const ProtobufCMessage *msg);
/* One message of a server stream: 0, -ENOBUFS (over RPC_STREAM_QUEUE_MAX), -EMSGSIZE, -ENOMEM,
 * -EPIPE (the stream is gone). */
int rpc_h2_send(RpcConn *c, uint32_t stream_id, const ProtobufCMessage *msg);
size_t rpc_h2_queued(RpcConn *c, uint32_t stream_id);
void rpc_h2_fail(RpcConn *c, uint32_t stream_id, int code, const char *msg);
/* Ends health watches and reflection streams, sends GOAWAY. */
void rpc_h2_shutdown(RpcConn *c);
void rpc_h2_free(RpcConn *c);

/* grpc-timeout ("100m", "5S", ...; at most 8 digits and a unit) to nanoseconds. */
int rpc_grpc_timeout_parse(const char *s, size_t len, uint64_t *ret_ns);
/* Percent-encodes a grpc-message value as the gRPC spec asks (bytes outside 0x20..0x7e, and
 * '%'). Always NUL-terminates; truncates at a whole escape. Returns the length written. */
size_t rpc_grpc_message_escape(char *out, size_t size, const char *msg);

/* rpc-reflect.c: server reflection over the FileDescriptorSet built into the binary. */
int rpc_reflect_new(RpcReflect **ret);
void rpc_reflect_free(RpcReflect *r);
/* Answers one packed ServerReflectionRequest (v1 and v1alpha share the wire format) with a
 * packed ServerReflectionResponse in *ret (malloc'd). -EBADMSG for a malformed request. */
int rpc_reflect_answer(const RpcReflect *r, const uint8_t *req, size_t len, uint8_t **ret,
		       size_t *ret_len);
