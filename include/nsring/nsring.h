/* libnsring: a small synchronous C client for nsringd, speaking ttrpc (containerd's protobuf
 * RPC) over a unix socket. Requests and responses are the protobuf-c messages of nsring.v1. */
#pragma once

#include <errno.h>
#include <stdbool.h>
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

/* nsr_call() for a method that passes an fd with its reply (OpenSocket, OpenNamespace): on
 * success *ret_fd is the fd (close-on-exec; the caller owns it). The daemon sends it with
 * SCM_RIGHTS on the reply frame's first byte; the client reads with recvmsg() and pairs fds
 * with the OK replies of fd calls in order, closing those of late answers to calls that timed
 * out. -EBADMSG: the reply came without its fd. -EBUSY: 16 fd calls timed out unanswered. */
int nsr_call_fd(NsrClient *c, const char *method, const ProtobufCMessage *req,
		const ProtobufCMessageDescriptor *resp_desc, ProtobufCMessage **ret_resp,
		int *ret_fd, NsrStatus *ret_status);

/* A socket created inside the request's namespace (socket(2)'s domain, type, protocol in
 * req->socket), usable from any thread of the caller: it stays in that namespace. ret_resp
 * may be NULL. */
int nsr_open_socket(NsrClient *c, const Nsring__V1__OpenSocketRequest *req,
		    Nsring__V1__OpenSocketResponse **ret_resp, int *ret_fd, NsrStatus *ret_status);
/* The namespace's nsfs fd itself (O_RDONLY), e.g. for IFLA_NET_NS_FD or setns(). */
int nsr_open_namespace(NsrClient *c, const Nsring__V1__OpenNamespaceRequest *req,
		       Nsring__V1__OpenNamespaceResponse **ret_resp, int *ret_fd,
		       NsrStatus *ret_status);

/*
 * Server streaming (Watch): the request goes out as a ttrpc stream (containerd/ttrpc 1.2),
 * the daemon answers with any number of messages and then a status.
 *
 * One stream at a time per client, and no other call on the client while it is open (they
 * fail with -EBUSY); once the stream ended (nsr_stream_next() returned 0 or -NSR_ESTATUS) the
 * client serves other calls again. The client's timeout (nsr_set_timeout()) bounds writing the
 * request and each nsr_stream_next() wait, which then returns -ETIMEDOUT and leaves the stream
 * usable (call it again); it is not sent to the daemon, whose deadline would end the stream.
 * Set 0 to wait for events however long they take.
 */
typedef struct NsrStream NsrStream;

/* Starts a server-streaming call of method (e.g. "Watch") with request req. */
int nsr_stream_start(NsrClient *c, const char *method, const ProtobufCMessage *req,
		     NsrStream **ret);
/* The next message of the stream: 1 with *ret_msg decoded as desc (free it with
 * protobuf_c_message_free_unpacked()); 0 when the stream ended with status OK; -NSR_ESTATUS
 * when it ended with an error status (in *ret_status); other negative errnos as for
 * nsr_call(): -ETIMEDOUT (the stream is still usable), -EBADMSG for a message that does not
 * decode (the stream goes on), -ECONNRESET and others (the connection is lost). After the end
 * it keeps returning the end. ret_status may be NULL. */
int nsr_stream_next(NsrStream *s, const ProtobufCMessageDescriptor *desc,
		    ProtobufCMessage **ret_msg, NsrStatus *ret_status);
/* For poll(): the connection's socket. Wait for POLLIN only when !nsr_stream_buffered(s):
 * frames already read into the client's buffer do not make the socket readable. */
int nsr_stream_fd(const NsrStream *s);
bool nsr_stream_buffered(const NsrStream *s);
/* Frees the stream. One that has not ended is cancelled: ttrpc has no cancel message, so the
 * connection is shut down (the daemon ends the stream when it sees that) and the client's
 * later calls fail with -ENOTCONN: reconnect. */
void nsr_stream_close(NsrStream *s);

/* Watch (nsring.v1.NsRing/Watch): nsr_stream_start() with a typed request, and the next
 * WatchEvent. */
int nsr_watch(NsrClient *c, const Nsring__V1__WatchRequest *req, NsrStream **ret);
int nsr_watch_next(NsrStream *s, Nsring__V1__WatchEvent **ret_event, NsrStatus *ret_status);

/* "NOT_FOUND", ... for a gRPC status code; "UNKNOWN" for codes out of range. */
const char *nsr_status_code_name(int code);

/* Typed wrappers around nsr_call(), one per rpc of nsring.v1.NsRing.
 *
 * Safe resends: after a failure that leaves the outcome unknown (-ECONNRESET, -ETIMEDOUT,
 * -ENOTCONN, UNAVAILABLE), reconnect and send the same request again with its `ensure` field set
 * (a Batch: BatchRequest.ensure). A create that finds the same object, a delete that finds
 * nothing, an update found done then succeed, with the response's `already_done` set (a Batch:
 * BatchResult.already_done per operation); see docs/ensure.md and docs/operations.md. */
#define NSR_METHODS(X)                                                                             \
	X(create_namespace, CreateNamespace)                                                       \
	X(delete_namespace, DeleteNamespace)                                                       \
	X(list_namespaces, ListNamespaces)                                                         \
	X(create_link, CreateLink)                                                                 \
	X(get_link, GetLink)                                                                       \
	X(list_links, ListLinks)                                                                   \
	X(update_link, UpdateLink)                                                                 \
	X(delete_link, DeleteLink)                                                                 \
	X(update_bridge_port, UpdateBridgePort)                                                    \
	X(create_bridge_vlan, CreateBridgeVlan)                                                    \
	X(delete_bridge_vlan, DeleteBridgeVlan)                                                    \
	X(list_bridge_vlans, ListBridgeVlans)                                                      \
	X(create_address, CreateAddress)                                                           \
	X(delete_address, DeleteAddress)                                                           \
	X(list_addresses, ListAddresses)                                                           \
	X(create_route, CreateRoute)                                                               \
	X(delete_route, DeleteRoute)                                                               \
	X(list_routes, ListRoutes)                                                                 \
	X(netlink, Netlink)                                                                        \
	X(get_sysctl, GetSysctl)                                                                   \
	X(set_sysctl, SetSysctl)                                                                   \
	X(create_qdisc, CreateQdisc)                                                               \
	X(delete_qdisc, DeleteQdisc)                                                               \
	X(list_qdiscs, ListQdiscs)                                                                 \
	X(create_class, CreateClass)                                                               \
	X(delete_class, DeleteClass)                                                               \
	X(list_classes, ListClasses)                                                               \
	X(create_filter, CreateFilter)                                                             \
	X(delete_filter, DeleteFilter)                                                             \
	X(list_filters, ListFilters)                                                               \
	X(create_neighbor, CreateNeighbor)                                                         \
	X(delete_neighbor, DeleteNeighbor)                                                         \
	X(list_neighbors, ListNeighbors)                                                           \
	X(create_fdb_entry, CreateFdbEntry)                                                        \
	X(delete_fdb_entry, DeleteFdbEntry)                                                        \
	X(list_fdb_entries, ListFdbEntries)                                                        \
	X(get_route, GetRoute)                                                                     \
	X(create_rule, CreateRule)                                                                 \
	X(delete_rule, DeleteRule)                                                                 \
	X(list_rules, ListRules)                                                                   \
	X(create_nexthop, CreateNexthop)                                                           \
	X(delete_nexthop, DeleteNexthop)                                                           \
	X(list_nexthops, ListNexthops)

#define NSR_DECLARE_METHOD(lower, Camel)                                                           \
	int nsr_##lower(NsrClient *c, const Nsring__V1__##Camel##Request *req,                     \
			Nsring__V1__##Camel##Response **ret_resp, NsrStatus *ret_status);
NSR_METHODS(NSR_DECLARE_METHOD)
#undef NSR_DECLARE_METHOD

#ifdef __cplusplus
}
#endif
