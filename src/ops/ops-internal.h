/* Internals shared by the operation engine (ops.c) and the method bodies (ops-*.c). */
#pragma once

#include <linux/rtnetlink.h>
#include <stdbool.h>

#include "core/hmap.h"
#include "core/macro.h"
#include "netns/netns.h"
#include "nlconn/nlconn.h"
#include "nsring/v1/nsring.pb-c.h"
#include "ops/ops.h"
#include "rtnl/rtnl.h"
#include "rtnl/rtnl-neigh.h"
#include "rtnl/rtnl-nexthop.h"
#include "rtnl/rtnl-rule.h"

struct Ops {
	Loop *loop;
	LoopBufRing *br;
	NetnsRegistry *reg;
	unsigned outstanding;
	ops_cancelled_cb cancelled;
	struct Watches *watches; /* watch-stream.c, made on the first Watch */
	struct DelGroup *delgroups; /* ops-linkdel.c: DeleteLink calls waiting for the turn's end */
	LoopDefer delgroup_defer;
};

/* What the operations keep per open namespace, in its ns->priv (NULL once it is closed). */
typedef struct OpsNs {
	NlConn *conn;		     /* its netlink connection: every request goes through it */
	struct RawNl *raw;	     /* ops-netlink.c: raw netlink sockets, one per protocol */
	struct DelGroup *delgroup; /* ops-linkdel.c: its DeleteLink calls waiting for the turn */
} OpsNs;

/* The namespace's netlink connection, NULL once it is closed. */
static inline NlConn *ops_ns_conn(const Netns *ns)
{
	const OpsNs *o = ns ? ns->priv : NULL;

	return o ? o->conn : NULL;
}

typedef struct Op Op;
typedef void (*op_step_fn)(Op *op);

typedef struct OpMethod {
	const char *name;
	const ProtobufCMessageDescriptor *req_desc;
	op_step_fn start;
	/* Talks to its namespace only through that namespace's netlink socket (links, addresses,
	 * routes): in a batch, it may be pipelined behind another such op (see op_then_final()). */
	bool pipelined;
	/* Bytes of zeroed scratch its steps share (op->scratch), allocated with the Op; NULL:
	 * none. A pointer: each method file keeps its scratch struct to itself. */
	const size_t *scratch_size;
	/* Replies with an fd (op_reply_fd()): only for callers that can pass one. */
	bool passes_fd;
} OpMethod;

typedef struct OpNl OpNl;

/* A method's own handling of a request's answers (ops-tc.c's dumps and refusals): each
 * message, a dump's restart, and a failure it judges itself (true: it recorded the outcome,
 * with op_fail() or not at all). Any member may be NULL. */
typedef struct OpNlHooks {
	void (*msg)(OpNl *nl, const struct nlmsghdr *nlh);
	void (*restart)(OpNl *nl);
	bool (*error)(OpNl *nl, int error, const char *extack);
} OpNlHooks;

/* One netlink request of an Op: where its answer goes. */
struct OpNl {
	Op *op;
	const char *what;   /* names the object for error messages: link "veth0" */
	RtnlLink *ret_link; /* a GET's answer */
	uint32_t *ret_index;
	int collect;	    /* RTM_GETLINK/GETADDR/GETROUTE/GETNEIGH/GETRULE/GETNEXTHOP: append dump
			     * results to the Op (GETROUTE also takes a route get's answer) */
	bool not_found;	    /* ENODEV means "what" does not exist */
	bool no_learn;	    /* a link's answer is not put in the batch's name map */
	bool got;
	unsigned slot;
	int *ret_code;	    /* set: a failure is stored here (with ret_msg), not failing the op */
	char **ret_msg;
	/* Ensure (ops-ensure.c): an EEXIST (exists_ok) or a "not found" errno (gone_ok) is
	 * recorded in *found instead of failing the op; see op_nl_tolerate_exists(). */
	struct OpFound *found;
	bool exists_ok, gone_ok;

	/* EOPNOTSUPP fails the op with this as what it was doing (it names the kernel support
	 * missing: a link kind, bridge VLAN filtering) instead of what. */
	const char *unsupported;
	const OpNlHooks *hooks; /* set: the method handles the answers (see OpNlHooks) */
	void *ctx;		/* the hooks' own */
};

/* Dump results of an op: links, addresses, routes (arena arrays). */
typedef struct OpDump {
	RtnlLink *links;
	size_t nlinks, links_cap;
	RtnlAddr *addrs;
	size_t naddrs, addrs_cap;
	RtnlRoute *routes;
	size_t nroutes, routes_cap;
	RtnlNeigh *neighs; /* RTM_GETNEIGH: neighbours and FDB entries (ops-neigh.c) */
	size_t nneighs, neighs_cap;
	RtnlRule *rules;
	size_t nrules, rules_cap;
	RtnlNexthop *nexthops;
	size_t nnexthops, nexthops_cap;
} OpDump;

struct Op {
	Ops *ops;
	const OpMethod *m;
	ProtobufCMessage *req;
	ops_reply_cb reply;
	ops_fd_reply_cb fd_reply; /* set when the caller can take an fd with the reply */
	void *userdata;
	uint64_t deadline;
	unsigned pending;
	op_step_fn next;
	bool *alive;
	bool req_borrowed; /* req belongs to a batch */
	bool internal;	   /* works for other Ops (a coalesced delete): no caller to cancel it */
	struct Batch *batch; /* set for an operation run inside a batch */
	struct BatchItem *item; /* its item: op_then_final() may release the next one early */
	uint32_t seq;	     /* its position in the batch: later writes of the name map win */
	Op *parent;	     /* the batch's own Op: its caller decides about cancellation */
	const char *ns_key[2]; /* its namespaces as the batch names them (slots 0 and 1) */
	bool ensure;	       /* its batch has BatchRequest.ensure: see op_ensure() */
	bool already_done;     /* op_set_already_done(): the reply says the work was found done */
	int err_code;
	char *err_msg;
	struct OpBlock *mem;
	Netns *ns[2]; /* [0] the target namespace, [1] a peer/destination namespace */
	/* The method's own state between steps: m->scratch_size zeroed bytes allocated with the
	 * Op, or what an internal op points it at (a group delete's LinkGroup). */
	void *scratch;
	OpDump dump; /* what dumps (op_dump(), OpNl.collect) collected */
	/* An fd the op holds until it passes it with its reply (op_reply_fd()); closed when the
	 * op is freed without (it failed, was cancelled, ran out of time). -1: none. */
	int owned_fd;
	/* Releases what the method holds outside the arena (fds, timers), however the Op ends:
	 * run once, just before its reply (which may free the arena, in a batch) or when it is
	 * freed without one. */
	void (*cleanup)(Op *op);
};

/* Arena allocations, freed with the Op. */
void *op_alloc(Op *op, size_t n);
char *op_strdup(Op *op, const char *s);
char *op_printf(Op *op, const char *fmt, ...) _printf_(2, 3);
void *op_grow(Op *op, void *arr, size_t *cap, size_t n, size_t elem);

const OpMethod *ops_method(const char *name);
/* A new Op for m; the caller sets req (and req_borrowed) and runs op_continue(). */
Op *op_new(Ops *ops, const OpMethod *m, uint64_t deadline, ops_reply_cb reply, void *userdata);

/* ops-names.c: the name -> ifindex map of an operation's batch, per namespace slot: links
 * created or looked up earlier in the batch are named without a round trip. Outside a batch
 * only "lo" (always ifindex 1) is known. The engine learns from every link answer. */
bool op_index_lookup(Op *op, unsigned slot, const char *name, uint32_t *ret_index);
void op_index_learn(Op *op, unsigned slot, const char *name, uint32_t index);
void op_index_forget(Op *op, unsigned slot, const char *name);
/* op_index_learn() from a full link answer, also remembering the link's kind (and a vxlan's
 * local address family); the lookup finds both, or false when the map does not know them. */
void op_link_learn(Op *op, unsigned slot, const RtnlLink *l);
bool op_link_kind_lookup(Op *op, unsigned slot, const char *name, uint32_t *ret_index,
			 const char **ret_kind, uint8_t *ret_local_family);
/* A namespace an earlier op of the batch opened under key and still open, or NULL. */
Netns *batch_ns_cached(Op *op, const char *key);
void batch_ns_remember(Op *op, const char *key, Netns *ns);

/* The map itself (one per batch, nodes in the batch's arena). */
typedef struct NameMap {
	HMap m;
	Op *arena; /* the batch's Op */
} NameMap;
void name_map_init(NameMap *nm, Op *arena);
/* Lets go of the namespaces it holds and frees its buckets. */
void name_map_release(NameMap *nm);

/* ops-batch.c: the engine's hooks into the batch an op runs in. */
void batch_op_sent_all(Op *op);
/* The key a batch knows ref by ("n:NAME", "p:PATH", "i:PID", "self"). */
const char *batch_ns_key(Op *op, const Nsring__V1__NamespaceRef *ref);
NameMap *batch_names(struct Batch *b);

/* ops-nsref.c: a NamespaceRef as every caller judges it. */
/* ref (NULL or unset: the daemon's namespace) as a NetnsRef, and what names it in messages
 * ("namespace \"x\""). Returns 0, or STATUS_INVALID_ARGUMENT with the reason in msg. */
int ops_ns_ref_resolve(const Nsring__V1__NamespaceRef *ref, NetnsRef *ret, char *what,
		       size_t what_size, char *msg, size_t msg_size);
/* The reason a namespace name is refused, or NULL if it is valid. */
const char *ops_ns_name_error(const char *name, char *msg, size_t msg_size);
/* The status for a namespace (what) that failed to open with err, its message in msg. */
int ops_ns_error(int err, const char *what, char *msg, size_t msg_size);
/* The status and message for a failed request on what (with the kernel's extack). */
int ops_errno_status(int err, const char *what, const char *extack, char *msg, size_t msg_size);

/* Replies success and frees the Op: the last thing a step does. resp itself may live on the
 * step's stack, but everything it points to must be in the Op's arena or the request (a batch
 * copies resp and keeps the arena). */
void op_reply(Op *op, const ProtobufCMessage *resp);
/* Replies success with fd passed along (the caller takes it), and frees the Op. */
void op_reply_fd(Op *op, const ProtobufCMessage *resp, int fd);
/* Records a failure (the first one wins); the Op replies it once nothing is pending. */
void op_fail(Op *op, int code, const char *fmt, ...) _printf_(3, 4);
void op_fail_errno(Op *op, int err, const char *what, const char *extack);
/* The step to run once every request sent so far has answered without error. */
void op_then(Op *op, op_step_fn next);
/* The same, for a next step that only replies: the op has sent everything it will send. In a
 * batch in CONTINUE mode this lets the next op of the same namespace start right away: its
 * requests follow on the same socket, and the kernel processes one socket's requests in
 * order, so it still sees this op's effects without waiting for its answers. */
void op_then_final(Op *op, op_step_fn next);
void op_continue(Op *op);

/* Opens ref (NULL: the daemon's namespace) into op->ns[slot]; false on bad input. */
bool op_open_ns(Op *op, unsigned slot, const Nsring__V1__NamespaceRef *ref);
const char *op_ns_describe(Op *op, const Nsring__V1__NamespaceRef *ref);
NlConn *op_conn(Op *op, unsigned slot);
/* Sends a request built into buf (len from an rtnl_* builder, negative on failure). */
OpNl *op_send(Op *op, unsigned slot, const void *buf, int len, const char *what);
OpNl *op_get_link(Op *op, unsigned slot, uint32_t index, const char *name, RtnlLink *ret_link,
		  uint32_t *ret_index);
/* A full dump of links, addresses, routes, rules or nexthops (RTM_GETLINK/GETADDR/GETROUTE/
 * GETRULE/GETNEXTHOP) of the target namespace, collected into op->dump. */
OpNl *op_dump(Op *op, int what, uint8_t family);
/* The API's family (4, 6, 0 for both) as AF_INET, AF_INET6 or AF_UNSPEC. */
uint8_t op_af(uint32_t family);
/* A list request's family (4, 6, 0 for both): false, having failed op, for any other. */
bool op_list_family_ok(Op *op, uint32_t family);
/* Dumps the links, then what (RTM_GETADDR, RTM_GETROUTE) of the API's family, then next runs:
 * the links name what the second dump refers to by index. */
void op_dump_after_links(Op *op, int what, uint32_t family, op_step_fn next);

static inline bool str_set(const char *s)
{
	return s && *s;
}

/* ops-link.c: shared by the link methods. */
/* A link named by name, or by index when the name is empty; false (failed) otherwise. */
bool op_check_link_ref(Op *op, const char *name, uint32_t index);
const char *op_link_what(Op *op, const char *name, uint32_t index);
/* Scratch sizes of the methods (OpMethod.scratch_size). */
extern const size_t ops_link_scratch_size, ops_addr_scratch_size, ops_route_scratch_size;
extern const size_t ops_netlink_scratch_size, ops_socket_scratch_size, ops_bridge_scratch_size;
extern const size_t ops_rule_scratch_size, ops_nexthop_scratch_size, ops_route_get_scratch_size;

/* Method bodies. */
void ops_create_namespace(Op *op);
void ops_delete_namespace(Op *op);
void ops_list_namespaces(Op *op);
void ops_create_link(Op *op);
void ops_get_link(Op *op);
void ops_list_links(Op *op);
void ops_update_link(Op *op);
void ops_delete_link(Op *op);
void ops_update_bridge_port(Op *op); /* ops-bridge.c */
void ops_create_bridge_vlan(Op *op);
void ops_delete_bridge_vlan(Op *op);
void ops_list_bridge_vlans(Op *op);
void ops_create_address(Op *op);
void ops_delete_address(Op *op);
void ops_list_addresses(Op *op);
void ops_create_route(Op *op);
void ops_delete_route(Op *op);
void ops_list_routes(Op *op);
/* ops-neigh.c: neighbours and bridge FDB entries. */
extern const size_t ops_neigh_scratch_size;
void ops_create_neighbor(Op *op);
void ops_delete_neighbor(Op *op);
void ops_list_neighbors(Op *op);
void ops_create_fdb_entry(Op *op);
void ops_delete_fdb_entry(Op *op);
void ops_list_fdb_entries(Op *op);
void ops_get_route(Op *op);
void ops_create_rule(Op *op);
void ops_delete_rule(Op *op);
void ops_list_rules(Op *op);
void ops_create_nexthop(Op *op);
void ops_delete_nexthop(Op *op);
void ops_list_nexthops(Op *op);
void ops_batch(Op *op);
void ops_open_socket(Op *op);
void ops_open_namespace(Op *op);
void ops_netlink(Op *op);

/* ops-netlink.c: the namespace is closing: its raw netlink sockets close, their calls fail. */
void raw_nl_ns_closed(OpsNs *ons);

void ops_get_sysctl(Op *op);
void ops_set_sysctl(Op *op);

/* ops-sysctl.c: sysctls set by another method (CreateNamespace's): checks them (false, failed,
 * on bad input), before anything is done. */
bool ops_sysctls_check(Op *op, Nsring__V1__Sysctl *const *sysctls, size_t n);
/* Writes them in op->ns[0], in order, then continues with next (the op's scratch must be free:
 * the writes keep their state in op->scratch). ensure: only the keys whose value differs are
 * written; already_done is set when none did, and cleared when one was written. */
void ops_sysctls_apply(Op *op, Nsring__V1__Sysctl *const *sysctls, size_t n, bool ensure,
		       op_step_fn next);

/* ops-linkdel.c: DeleteLink, alone or as one link group with others (one RCU wait for all). */
typedef struct LinkGroup LinkGroup;
/* A batch's run of n DeleteLink requests as one group delete: n members in op's arena (the
 * batch's), with a fresh group number; the caller sets each member's request. */
LinkGroup *link_group_new(Op *op, size_t n);
void link_group_set(LinkGroup *g, size_t i, const Nsring__V1__DeleteLinkRequest *req);
/* The Op that runs a batch's group: its req is the first member's, its scratch the LinkGroup.
 * It opens the namespace, sends the group and replies success; each member's own outcome is
 * then link_group_result() (0, or a status with its message). */
extern const OpMethod link_group_method;
int link_group_result(const LinkGroup *g, size_t i, const char **ret_msg);
/* A request for ns is about to be sent: the deletes waiting for ns go first. */
void delgroup_cut(Netns *ns);
void delgroup_init(Ops *ops);
void delgroup_flush_all(Ops *ops);
/* The namespace is closing: its waiting deletes no longer hang on its OpsNs. */
void delgroup_ns_closed(OpsNs *ons);

/* ops-ensure.c: ensure semantics (see "Ensure" in nsring.proto and docs/ensure.md), shared by
 * every object. A request with ensure (its `bool ensure = 15`, or BatchRequest.ensure) is safe to
 * resend: a create that finds the same object, a delete that finds nothing, an update whose work
 * is found done succeed with already_done. How an object gets it:
 * - create: mark the create request with op_nl_tolerate_exists(nl, &found); in the next step, if
 *   found.exists, read the object, compare with ensure_diff_*() and either
 *   op_set_already_done() and reply, or ensure_diff_fail() (ALREADY_EXISTS naming the differing
 *   attributes). op_fail_found() fails with the kernel's own refusal (nothing to compare with).
 * - delete: op_nl_tolerate_gone(nl, &found); the reply step calls op_set_already_done() if
 *   found.gone. A link named by a delete (an address's, a route's dev) that is missing counts
 *   as gone too.
 * Without ensure the tolerate helpers do nothing, so the old errors stay. */
typedef struct OpFound {
	bool exists; /* the kernel said EEXIST */
	bool gone;   /* the kernel said ENODEV, ENOENT, ESRCH or EADDRNOTAVAIL */
	int code;    /* the status and message the op would have failed with */
	const char *msg;
} OpFound;
/* The request's ensure field (field 15, "ensure", of any request) or its batch's ensure. */
bool op_ensure(const Op *op);
/* The reply (op_reply()) carries already_done = true: in the response's field 15 and, in a
 * batch, in BatchResult.already_done. */
void op_set_already_done(Op *op);
/* With ensure (else no-op; nl may be NULL): nl's EEXIST / "not found" goes to *found. */
void op_nl_tolerate_exists(OpNl *nl, OpFound *found);
void op_nl_tolerate_gone(OpNl *nl, OpFound *found);
/* Fails op with what found recorded (the refusal the kernel gave). */
void op_fail_found(Op *op, const OpFound *found);
/* A response's already_done field (field 15, "already_done"): read and set, for any method. */
bool ensure_resp_already_done(const ProtobufCMessage *resp);
void ensure_resp_set_already_done(ProtobufCMessage *resp);

/* Comparing a found object with the request: collects "ATTR FOUND (asked ASKED)" items. */
typedef struct EnsureDiff {
	char text[768];
	size_t len;
	unsigned n;
} EnsureDiff;
void ensure_diff_init(EnsureDiff *d);
/* Adds attr when found and asked differ (strings: NULL is ""; found "" prints "none"). */
void ensure_diff_str(EnsureDiff *d, const char *attr, const char *found, const char *asked);
void ensure_diff_u32(EnsureDiff *d, const char *attr, uint32_t found, uint32_t asked);
/* Adds an item as given ("peer \"eth0\" (not found)"). */
void ensure_diff_add(EnsureDiff *d, const char *fmt, ...) _printf_(2, 3);
/* None differ: false. Else fails op with ALREADY_EXISTS "WHAT exists with different attributes:
 * mtu 1400 (asked 1500), master br1 (asked br0)" and returns true. */
bool ensure_diff_fail(Op *op, const EnsureDiff *d, const char *what);

/* ops-link-ensure.c: CreateLink with ensure, an existing link against the request. */
typedef struct LinkEnsure {
	const Nsring__V1__CreateLinkRequest *req;
	const RtnlLink *link;	     /* the link found under the requested name */
	uint32_t idx_master, idx_parent; /* what the request's names resolved to */
	const RtnlLink *peer;	     /* a veth's peer, read by name where the request puts it */
	bool peer_gone;
	const RtnlLink *master;	     /* the master it has, when not the one asked (for its name) */
	bool changed;		     /* the caller finished work (brought ends up) */
} LinkEnsure;
/* Sends the reads the comparison needs (the peer by name, the master it has by index). */
void link_ensure_read(Op *op, const Nsring__V1__Link *l, bool peer_elsewhere,
		      const RtnlLink *link, uint32_t idx_master, RtnlLink *ret_peer,
		      OpFound *peer_found, RtnlLink *ret_master);
/* Fails op with ALREADY_EXISTS naming what differs and returns true, or returns false. */
bool link_ensure_differs(Op *op, const LinkEnsure *e);

/* The Watch streams (watch-*.c) and their hooks. */
/* Frees an Op's arena (an Op used only to build messages in). */
void op_arena_reset(Op *op);
/* Gives an open namespace its OpsNs and netlink connection (ns->priv) if it has none yet. */
void ops_conn_attach(Ops *ops, Netns *ns);
/* The namespace is being closed: its watches get NAMESPACE_DELETED and let go of it. */
void watch_ns_closed(Ops *ops, Netns *ns);
/* Ends every Watch stream (UNAVAILABLE) and closes the event sockets. */
void watch_shutdown(Ops *ops);
void watch_free(Ops *ops);
