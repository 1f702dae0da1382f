/* State shared by the module's files: rpc.c (server, connections, calls; protocol-neutral),
 * the transports behind RpcTransport (rpc-ttrpc.c; rpc-h2.c, gRPC over HTTP/2, with rpc-grpc.c),
 * and rpc-reflect.c (server reflection). Not an interface of the module. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "rpc.h"

/* The largest message either transport takes or sends (containerd/ttrpc's and gRPC's default). */
#define RPC_MESSAGE_MAX (4u << 20)
/* A client that does not read its replies stops being read from past this much output. */
#define RPC_WBUF_PAUSE (16u << 20)
/* A connection's first receive buffer; a transport that grew it for a big message shrinks it
 * back to this. */
#define RPC_RBUF_INITIAL 16384

typedef struct RpcConn RpcConn;
typedef struct RpcTransport RpcTransport;
typedef struct RpcReflect RpcReflect;

typedef struct WBuf {
	uint8_t *data;
	size_t len, cap;
} WBuf;

/* A protocol, chosen once per connection from its first bytes. rpc.c reaches a transport only
 * through this table; a transport calls back into the connection and call API below. */
struct RpcTransport {
	const char *name;
	/* What a call takes: its RpcCall first, then the transport's own per-call state. */
	size_t call_size;
	/* Reading stops while max_calls_per_conn calls are outstanding (ttrpc). HTTP/2 bounds its
	 * calls with SETTINGS_MAX_CONCURRENT_STREAMS instead and must keep reading. */
	bool pause_at_call_limit;
	/* Replies may carry an fd (SCM_RIGHTS on the reply frame's first byte): ttrpc. HTTP/2
	 * frames are cut and interleaved by nghttp2, and gRPC clients never look for fds. */
	bool pass_fds;
	/* Sets up c->tp_state; may queue output (HTTP/2 speaks first). On failure it leaves
	 * nothing allocated, and the connection closes without the transport. */
	int (*start)(RpcConn *c);
	/* Consumes complete input in c->rbuf (what is left stays for the next receive). false:
	 * the connection must close. */
	bool (*input)(RpcConn *c);
	/* End of the loop turn, before the send: moves output held elsewhere (nghttp2's) into the
	 * write queue. false: the connection must close. */
	bool (*flush)(RpcConn *c);
	/* Output is waiting outside the write queues. */
	bool (*pending)(RpcConn *c);
	/* Nothing left to hear or say: the connection closes once its output is written. */
	bool (*finished)(RpcConn *c);
	/* The kernel took more of the output (c->wsent grew). */
	void (*sent)(RpcConn *c);
	/* Answers a call (already counted answered): msg, or NULL for status OK alone. */
	void (*reply)(RpcCall *call, const ProtobufCMessage *msg);
	void (*fail)(RpcCall *call, int code, const char *msg);
	/* One message of a server stream, with rpc_call_send()'s returns. */
	int (*send)(RpcCall *call, const ProtobufCMessage *msg);
	size_t (*queued)(const RpcCall *call);
	/* The owner ended a call whose connection lives: drops what refers to it. Optional. */
	void (*call_free)(RpcCall *call);
	/* The connection is closing: its calls are about to be orphaned, its output dropped.
	 * Optional. */
	void (*close)(RpcConn *c);
	/* The server stops: tells the peer (HTTP/2: GOAWAY, health watchers NOT_SERVING).
	 * Optional. */
	void (*shutdown)(RpcConn *c);
	/* Frees c->tp_state. */
	void (*free)(RpcConn *c);
};

extern const RpcTransport rpc_ttrpc_transport; /* rpc-ttrpc.c */
extern const RpcTransport rpc_h2_transport;    /* rpc-h2.c */
/* Reply bytes an HTTP/2 connection's streams hold, not yet taken by nghttp2 (the unit test
 * checks the bound). */
size_t rpc_h2_outbuf(const RpcConn *c);

struct RpcConn {
	RpcServer *srv;
	RpcConn *prev, *next;
	int fd;
	uid_t uid;
	pid_t pid;
	const RpcTransport *tp; /* NULL until the first bytes tell */
	void *tp_state;		/* the transport's own */
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
	uint64_t wsent; /* bytes ever sent: with the queues' lengths, a position in the output */
	RpcCall *calls; /* outstanding, for orphaning on close */
	/* fds to pass, oldest first: each goes out with the output byte at pos (in bytes ever
	 * queued, as wsent counts them), and is closed once that send completed or the
	 * connection is freed. */
	struct RpcFd {
		uint64_t pos;
		int fd;
	} *fds;
	size_t fds_head, fds_len, fds_cap;
	bool send_fd; /* the send in flight carries fds[fds_head] */
	struct msghdr smsg;
	struct iovec siov;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} scm;
	unsigned ncalls;
};

struct RpcCall {
	RpcConn *conn; /* NULL once orphaned */
	RpcCall *prev, *next;
	Loop *loop;
	uint32_t stream_id; /* ttrpc stream or HTTP/2 stream */
	bool answered;
	bool sent; /* a message went out with rpc_call_send(): a stream */
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

/* rpc.c: the connection and call API of the transports. */
int rpc_wbuf_reserve(WBuf *b, size_t more);
void rpc_conn_close(RpcConn *c);
/* Output is queued: sends it at the end of this loop turn. */
void rpc_conn_kick(RpcConn *c);
/* Registers a call (of c->tp->call_size bytes) on c, or fails with a status code and message
 * (shutting down, too many calls, out of memory). */
RpcCall *rpc_call_start(RpcConn *c, uint32_t stream_id, int *ret_code, const char **ret_msg);
/* The transport answered the call itself (it refused a message): later replies are dropped. */
void rpc_call_answered(RpcCall *call);
/* The call's stream went away: later replies are dropped, the cancel callback runs. */
void rpc_call_orphan(RpcCall *call);

/* rpc-grpc.c: gRPC without HTTP/2. */
/* grpc-timeout ("100m", "5S", ...; at most 8 digits and a unit) to nanoseconds. */
int rpc_grpc_timeout_parse(const char *s, size_t len, uint64_t *ret_ns);
/* Percent-encodes a grpc-message value as the gRPC spec asks (bytes outside 0x20..0x7e, and
 * '%'). Always NUL-terminates; truncates at a whole escape. Returns the length written. */
size_t rpc_grpc_message_escape(char *out, size_t size, const char *msg);
/* grpc.health.v1.Health/Check (watch false) and /Watch on one packed HealthCheckRequest:
 * STATUS_OK and the ServingStatus to report in *ret_status, or the gRPC status code that fails
 * the call with msg (Check of a service we do not serve: NOT_FOUND; Watch reports it as
 * SERVICE_UNKNOWN). */
int rpc_grpc_health(const RpcServer *s, const uint8_t *req, size_t len, bool watch, int *ret_status,
		    char *msg, size_t size);

/* rpc-reflect.c: server reflection over the FileDescriptorSet built into the binary. */
int rpc_reflect_new(RpcReflect **ret);
void rpc_reflect_free(RpcReflect *r);
/* Answers one packed ServerReflectionRequest (v1 and v1alpha share the wire format) with a
 * packed ServerReflectionResponse in *ret (malloc'd). -EBADMSG for a malformed request. */
int rpc_reflect_answer(const RpcReflect *r, const uint8_t *req, size_t len, uint8_t **ret,
		       size_t *ret_len);
