/* RPC transports on the loop: ttrpc and gRPC (cleartext HTTP/2) on one unix socket, told apart
 * by a connection's first bytes. Both hand (method, payload, deadline, peer) of nsring.v1.NsRing
 * calls to one dispatcher, which answers each call exactly once with rpc_call_reply() or
 * rpc_call_fail(); gRPC health checking and server reflection are answered here. */
#pragma once

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/macro.h"
#include "loop/loop.h"

typedef struct RpcServer RpcServer;
typedef struct RpcCall RpcCall;

typedef struct RpcCallInfo {
	const char *method;	 /* e.g. "CreateLink" (the service name was checked) */
	const uint8_t *payload;	 /* the request message; valid only during dispatch */
	size_t len;
	uint64_t deadline;	 /* loop clock ns (timeout_nano, grpc-timeout); 0 = none */
	uid_t uid;
	pid_t pid;
	bool pass_fds; /* the transport can pass an fd with the reply (rpc_call_reply_fd()) */
} RpcCallInfo;

typedef void (*rpc_dispatch_cb)(void *userdata, RpcCall *call, const RpcCallInfo *info);

typedef struct RpcServerConfig {
	/* Peers admitted besides root: a group (by gid; (gid_t)-1 for none). */
	gid_t allow_gid;
	/* Peers admitted besides root by uid (--allow-uid). */
	const uid_t *allow_uids;
	size_t n_allow_uids;
	/* Bounds: connections at once, and calls outstanding per connection. */
	unsigned max_connections;
	unsigned max_calls_per_conn;
} RpcServerConfig;

/* Serves connections accepted on listen_fd (a listening unix stream socket; the server
 * takes ownership). */
int rpc_server_new(RpcServer **ret, Loop *loop, int listen_fd, const RpcServerConfig *cfg,
		   rpc_dispatch_cb dispatch, void *userdata);
/* Stops accepting; HTTP/2 clients get GOAWAY and health watchers NOT_SERVING. Calls done once
 * every outstanding call is answered and every reply is written (or its connection gone). */
void rpc_server_shutdown(RpcServer *s, void (*done)(void *userdata), void *userdata);
/* Answers every outstanding call with UNAVAILABLE (later replies to them are dropped). */
void rpc_server_abort_calls(RpcServer *s, const char *why);
void rpc_server_free(RpcServer *s);
unsigned rpc_server_connections(const RpcServer *s);

/* Replies and frees the call. resp is packed right away; the caller keeps ownership. */
void rpc_call_reply(RpcCall *call, const ProtobufCMessage *resp);
/* Replies with resp and passes fd with it (SCM_RIGHTS on the reply frame's first byte), and
 * frees the call. Takes fd in every case: it is closed once the send that carried it
 * completed, or when the call or its connection is gone. A transport that cannot pass fds
 * (gRPC) fails the call with FAILED_PRECONDITION instead. */
void rpc_call_reply_fd(RpcCall *call, const ProtobufCMessage *resp, int fd);
/* Fails the call with a gRPC status code and message, and frees it. */
void rpc_call_fail(RpcCall *call, int code, const char *fmt, ...) _printf_(3, 4);
/* True once the client is gone or cancelled the call (gRPC RST_STREAM, e.g. its deadline
 * passed): its reply would be dropped, so long work may stop early. */
bool rpc_call_orphaned(const RpcCall *call);

/* Server streaming (Watch), on both transports: gRPC (DATA frames on the stream, then the
 * trailers) and ttrpc's streaming protocol as containerd/ttrpc 1.2+ speaks it (data messages
 * on the request's stream; the end is a data message flagged remote-closed|no-data for status
 * OK, or a Response carrying the error status). The dispatcher decides a call streams by
 * sending on it; it ends it with rpc_call_reply(call, NULL) (status OK, no further message) or
 * rpc_call_fail(). A ttrpc client must open a stream (request flag remote-closed); a unary
 * ttrpc request cannot carry data, so the first send on one answers it UNIMPLEMENTED and
 * returns -EPIPE. Client streaming (flag remote-open) is refused before dispatch.
 *
 * Sends one message and keeps the call open. Returns 0; -ENOBUFS when this message would put
 * more than RPC_STREAM_QUEUE_MAX bytes of this call's messages waiting for a slow client (the
 * message is not queued: end the call, e.g. RESOURCE_EXHAUSTED; an empty queue takes any one
 * message); -EPIPE when the call is orphaned (the message is dropped: the owner still ends
 * the call to free it); -EMSGSIZE over the 4 MiB message limit, -ENOMEM (not queued). */
int rpc_call_send(RpcCall *call, const ProtobufCMessage *msg);
#define RPC_STREAM_QUEUE_MAX (4u << 20)
/* Bytes of this call's messages queued and not yet written: ttrpc, not yet taken by the
 * socket; gRPC, not yet taken by nghttp2 (HTTP/2 flow control holds them). */
size_t rpc_call_queued(const RpcCall *call);
/* cb runs once, from the loop, when the call is orphaned (the client cancelled the stream or
 * closed the connection), and on rpc_server_shutdown() and rpc_server_abort_calls() for calls
 * that already sent a message: the owner must then end the call (rpc_call_fail; a reply to an
 * orphaned call is dropped). Not called after the call ended. */
void rpc_call_on_cancel(RpcCall *call, void (*cb)(void *userdata), void *userdata);
