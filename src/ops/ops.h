/* The operations: an RPC request (protobuf) becomes netlink requests on the namespace's
 * connection, and their answers become the reply. The only module that sees protobuf and
 * netlink together; it knows nothing of transports (the daemon bridges replies). */
#pragma once

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop/loop.h"

typedef struct Ops Ops;

typedef struct OpsConfig {
	const char *netns_dir;	 /* default /run/netns */
	unsigned opener_threads; /* helper threads alive at once; 0: NETNS_DEFAULT_THREADS */
	uint64_t idle_close_ns;
	/* Directories PATH references may point into; NULL: the defaults (netns dir, /run/netns,
	 * /var/run/netns, /proc). */
	const char *const *path_prefixes;
	size_t n_path_prefixes;	 /* close namespaces unused this long (0: never); reopened on use */
} OpsConfig;

/* The answer to one call: code 0 with resp, or a gRPC status code with a message. resp and
 * msg are valid only during the callback. Called exactly once per ops_call(), possibly from
 * inside it (bad input, namespace listing). */
typedef void (*ops_reply_cb)(void *userdata, int code, const char *msg,
			     const ProtobufCMessage *resp);

/* Asked before each step of a call with the userdata given to ops_call(): true means nobody
 * waits for the reply any more (the client cancelled or left), so the call stops early. */
typedef bool (*ops_cancelled_cb)(void *userdata);

int ops_new(Ops **ret, Loop *loop, const OpsConfig *cfg);
void ops_set_cancel_check(Ops *ops, ops_cancelled_cb cb);
/* Closes every namespace and connection; their memory is released as the loop delivers the
 * final completions (run it until ops_idle()), then ops_free(). */
void ops_shutdown(Ops *ops);
bool ops_idle(const Ops *ops);
void ops_free(Ops *ops);

/* Runs method ("CreateLink", ...) with its encoded request. deadline: loop clock ns, 0 none. */
void ops_call(Ops *ops, const char *method, const uint8_t *payload, size_t len, uint64_t deadline,
	      ops_reply_cb reply, void *userdata);

/* A reply that passes an fd (OpenSocket, OpenNamespace): the callee owns fd from here on
 * (rpc_call_reply_fd() sends it with resp). Called instead of the ops_reply_cb on success. */
typedef void (*ops_fd_reply_cb)(void *userdata, const ProtobufCMessage *resp, int fd);
/* ops_call() for a caller that can pass fds with replies; ops_call() itself answers the
 * methods that pass fds FAILED_PRECONDITION (gRPC cannot carry them). */
void ops_call_fd(Ops *ops, const char *method, const uint8_t *payload, size_t len,
		 uint64_t deadline, ops_reply_cb reply, ops_fd_reply_cb fd_reply, void *userdata);

/* Server-streaming methods ("Watch"). */
typedef struct OpsStream OpsStream;
typedef struct OpsStreamCb {
	/* One message of the stream (valid only during the call). Returns 0, or a negative errno:
	 * -ENOBUFS (the consumer is too slow: the stream ends with RESOURCE_EXHAUSTED), -EPIPE
	 * (the consumer is gone: the stream ends). */
	int (*send)(void *userdata, const ProtobufCMessage *msg);
	/* Exactly once, last: the final status (resp is NULL). Possibly from inside
	 * ops_stream_start() (bad input). */
	ops_reply_cb end;
} OpsStreamCb;

/* Starts a streaming method. Returns the stream, or NULL when it already ended (cb->end was
 * called). The stream counts as outstanding until it ends; ops_shutdown() ends every stream
 * with UNAVAILABLE. */
OpsStream *ops_stream_start(Ops *ops, const char *method, const uint8_t *payload, size_t len,
			    const OpsStreamCb *cb, void *userdata);
/* Ends the stream now (cb->end with code and msg, e.g. CANCELLED when the client left). */
void ops_stream_cancel(OpsStream *s, int code, const char *msg);
/* True for methods that go through ops_stream_start(). */
bool ops_method_streams(const char *method);

/* Calls started and not yet answered. */
unsigned ops_outstanding(const Ops *ops);
