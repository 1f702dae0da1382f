/* libnsring: a small synchronous C client for nsringd, speaking ttrpc (containerd's protobuf
 * RPC) over a unix socket. Requests and responses are the protobuf-c messages of nsring.v1. */
#pragma once

#include <errno.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "nsring/v1/nsring.pb-c.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NSR_DEFAULT_SOCKET "/run/nsring/nsring.sock"
/* Environment variable naming the socket when the caller gives none (nsringctl honours it). */
#define NSR_SOCKET_ENV "NSRING_SOCKET"

/*
 * Error convention: every function returns >= 0 on success and a negative errno on failure.
 * A call the daemon answered with a non-OK status returns -NSR_ESTATUS (-EREMOTEIO, which
 * no local failure produces here) and fills *ret_status with the gRPC status code
 * (google.rpc.Code: 5 NOT_FOUND, 6 ALREADY_EXISTS, ...) and the daemon's message. Any other
 * negative value is a local or transport failure:
 *   -ECONNRESET  the daemon closed the connection (EOF) before answering
 *   -EMSGSIZE    a request or a response frame exceeds the 4 MiB ttrpc limit
 *   -EBADMSG     a response that does not decode
 *   -ETIMEDOUT   the timeout set with nsr_set_timeout() expired
 *   -ENOTCONN    the connection was already broken by an earlier transport failure: after a
 *                framing error or timeout a stream cannot be resynchronised, so reconnect
 *   other        from socket(), connect(), send() or recv()
 */
#define NSR_ESTATUS EREMOTEIO

typedef struct NsrStatus {
	int code;	    /* gRPC status code; 0 (OK) on success */
	char message[1024]; /* the daemon's message, truncated to fit, NUL-terminated */
} NsrStatus;

typedef struct NsrClient NsrClient;

/* Connects to the daemon's socket: a path, "unix:PATH", "unix://PATH", or "@NAME" for an
 * abstract socket; NULL means NSR_DEFAULT_SOCKET. */
int nsr_connect(const char *socket_path, NsrClient **ret);
/* Adopts an already connected stream socket (closed by nsr_close(), also on failure). */
int nsr_connect_fd(int fd, NsrClient **ret);
void nsr_close(NsrClient *c);

/* Per-call timeout in nanoseconds for the following calls: sent to the daemon as the ttrpc
 * deadline (timeout_nano) and enforced locally on the socket; 0 (the default) waits forever. */
void nsr_set_timeout(NsrClient *c, uint64_t timeout_ns);

/* A synchronous unary call of method (the rpc name, e.g. "CreateLink") of nsring.v1.NsRing.
 * On success, when resp_desc and ret_resp are both given, *ret_resp is the decoded response
 * (free it with protobuf_c_message_free_unpacked(*ret_resp, NULL)). ret_status may be NULL;
 * it is set to {0, ""} on success, to the daemon's status on -NSR_ESTATUS and left untouched
 * on other failures. Calls on one client must not run concurrently. */
int nsr_call(NsrClient *c, const char *method, const ProtobufCMessage *req,
	     const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **ret_resp,
	     NsrStatus *ret_status);

/* "NOT_FOUND", ... for a gRPC status code; "UNKNOWN" for codes out of range. */
const char *nsr_status_code_name(int code);

/* Typed wrappers around nsr_call(), one per rpc of nsring.v1.NsRing. */
#define NSR_METHODS(X)                                                                             \
	X(create_namespace, CreateNamespace)                                                       \
	X(delete_namespace, DeleteNamespace)                                                       \
	X(list_namespaces, ListNamespaces)                                                         \
	X(create_link, CreateLink)                                                                 \
	X(get_link, GetLink)                                                                       \
	X(list_links, ListLinks)                                                                   \
	X(update_link, UpdateLink)                                                                 \
	X(delete_link, DeleteLink)                                                                 \
	X(create_address, CreateAddress)                                                           \
	X(delete_address, DeleteAddress)                                                           \
	X(list_addresses, ListAddresses)                                                           \
	X(create_route, CreateRoute)                                                               \
	X(delete_route, DeleteRoute)                                                               \
	X(list_routes, ListRoutes)

#define NSR_DECLARE_METHOD(lower, Camel)                                                           \
	int nsr_##lower(NsrClient *c, const Nsring__V1__##Camel##Request *req,                     \
			Nsring__V1__##Camel##Response **ret_resp, NsrStatus *ret_status);
NSR_METHODS(NSR_DECLARE_METHOD)
#undef NSR_DECLARE_METHOD

#ifdef __cplusplus
}
#endif
