/* nsring-bench: types shared by the load generator's parts: the ttrpc codec, the workload
 * definitions, the async engine and the statistics. Codec, workloads and stats are pure code. */
#pragma once

#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- configuration */

typedef enum BenchWorkload {
	WL_VETH,
	WL_ROUTE,
	WL_WIRE,
	WL_WIRE_CREATE,
	WL_NETNS,
	WL_DELETE,
	WL_GET,
	WL_TOPO,
	WL_SYSCTL,
	WL_QDISC,
	WL_NEIGH, /* N permanent neighbours on one link */
	WL_FDB,	  /* a flood list of N remote VTEPs on one vxlan device */
	WL_RULE,
	_WL_MAX,
} BenchWorkload;

#define BENCH_PREFIX_MAX 32
#define BENCH_NS_MAX	 64 /* prefix + "-c" + index, with room to spare */
#define BENCH_IFNAME_MAX 16 /* IFNAMSIZ: 15 bytes and the NUL */
/* nsringd answers RESOURCE_EXHAUSTED past 1024 calls in flight on a connection */
#define BENCH_DEPTH_MAX 1024
#define BENCH_BATCH_MAX 65536 /* nsringd's limit of operations per Batch */

typedef struct BenchConfig {
	const char *socket_path;
	BenchWorkload workload;
	uint32_t count; /* N; for topo the number of links */
	uint32_t nodes; /* topo */
	unsigned clients, depth, batch;
	char prefix[BENCH_PREFIX_MAX + 1];
	bool json, no_cleanup, quiet;
	/* --no-ipv6: every namespace is created with IPv6 off (all and default disable_ipv6),
	 * in its CreateNamespace call */
	bool no_ipv6;
} BenchConfig;

const char *bench_workload_name(BenchWorkload w);
int bench_workload_from_name(const char *s); /* -EINVAL if unknown */

/* Parses argv into *cfg (defaults filled in). Returns 0, 1 when --help was printed, or -EINVAL
 * after printing the reason to stderr (the caller exits 2). */
int bench_parse_args(int argc, char **argv, BenchConfig *cfg);
void bench_usage(FILE *f);

/* ---------------------------------------------------------------- operations */

typedef enum BenchOpKind {
	BOP_CREATE_NS,
	BOP_DELETE_NS,
	BOP_CREATE_VETH,
	BOP_CREATE_BRIDGE,
	BOP_UPDATE_LINK, /* master (when set) and/or up */
	BOP_CREATE_ADDR,
	BOP_CREATE_ROUTE,
	BOP_DELETE_LINK,
	BOP_GET_LINK,
	BOP_SET_SYSCTL,	  /* net.ipv4.ip_forward=1 in ns */
	BOP_CREATE_QDISC, /* tbf rate 8mbit burst 32kbit latency 50ms at the root of name */
	BOP_CREATE_VXLAN, /* name, vni 100, local addr, dstport 4789 */
	BOP_CREATE_NEIGH, /* addr on dev name, lladdr gw, permanent */
	BOP_APPEND_FDB,	  /* 00:00:00:00:00:00 dev name dst addr (bridge fdb append) */
	BOP_CREATE_RULE,  /* from addr (a /32), table, priority */
} BenchOpKind;

/* One operation, as plain data: the engine turns it into a request message. Generated on
 * demand from (phase, chain, position), so nothing per operation is stored. */
typedef struct BenchOp {
	BenchOpKind kind;
	int ns_id;	       /* create/delete namespace: registry id of ns (see bench_ns_name) */
	bool up;	       /* create veth/bridge: bring up; update: set up */
	bool ok_if_missing;    /* NOT_FOUND counts as done (teardown of what may not exist) */
	bool no_ipv6;	       /* create namespace: with disable_ipv6 on (all and default) */
	char ns[BENCH_NS_MAX]; /* the namespace the op runs in, or creates/deletes */
	char name[BENCH_IFNAME_MAX]; /* link; for a route its dev ("" none) */
	char peer[BENCH_IFNAME_MAX];
	char peer_ns[BENCH_NS_MAX]; /* veth peer namespace, "" the same */
	char master[BENCH_IFNAME_MAX];
	char addr[48]; /* address, or route destination ("A.B.C.D/P" or "default") */
	uint32_t plen;
	char gw[48]; /* a route's gateway; a neighbour's lladdr */
	uint32_t table, priority; /* rule */
} BenchOp;

/* "CreateLink", ... and the BatchOp field number of the op's request. */
const char *bench_op_method(BenchOpKind k);
unsigned bench_op_batch_field(BenchOpKind k);
/* A short human description for error messages ("CreateLink nb1-h3 in nb1-h"). */
void bench_op_describe(const BenchOp *op, char *buf, size_t n);

/* ---------------------------------------------------------------- codec: nsring-bench-codec.c */

typedef struct BenchBuf {
	uint8_t *data;
	size_t len, cap;
} BenchBuf;

int bench_buf_reserve(BenchBuf *b, size_t more);
void bench_buf_free(BenchBuf *b);

/* Appends one ttrpc request frame carrying ops[0..n) to out: the plain RPC of ops[0] when
 * batch is false (n must be 1), else one Batch RPC (STOP_ON_ERROR). scratch and lens (n
 * entries) are the caller's reusable work space, so encoding allocates nothing in the steady
 * state. Returns 0 or -ENOMEM / -EMSGSIZE. */
int bench_encode_rpc(BenchBuf *out, uint32_t stream_id, const BenchOp *ops, size_t n, bool batch,
		     BenchBuf *scratch, uint32_t *lens);

/* Decodes a ttrpc Response (the frame's payload): status code and message (not
 * NUL-terminated; msg may point into p) and the response payload. -EBADMSG if malformed. */
int bench_decode_response(const uint8_t *p, size_t n, int *ret_code, const char **ret_msg,
			  size_t *ret_msg_len, const uint8_t **ret_payload,
			  size_t *ret_payload_len);

typedef struct BenchResult {
	int code;
	const char *msg; /* into the frame; not NUL-terminated */
	size_t msg_len;
} BenchResult;

/* Decodes a BatchResponse's results into res[0..max); *ret_n is how many the response holds
 * (more than max is not an error: the caller compares with what it sent). */
int bench_decode_batch(const uint8_t *p, size_t n, BenchResult *res, size_t max, size_t *ret_n);

/* ------------------------------------------------------------- workloads: nsring-bench-work.c */

/* Namespace registry ids: one per namespace a run may create, so cleanup knows what exists. */
enum {
	NS_ID_PROBE = 0, /* P-probe: holds the far ends of teardown probes */
	NS_ID_MAIN = 1,	 /* P-v, P-r, P-h or P-g */
	NS_ID_FIRST = 2, /* P-c{i}, P-n{i} or P-t{i}: id NS_ID_FIRST + i */
};

/* What a phase does; the chains of a phase all have the same length. */
typedef enum BenchStep {
	STEP_SETUP_MAIN,   /* one chain: the workload's main namespace and its links */
	STEP_CREATE_NODES, /* chain i: CreateNamespace P-c{i} / P-n{i} / P-t{i} */
	STEP_VETH,
	STEP_ROUTE,
	STEP_WIRE,	  /* chain i wires container i: 6 ops */
	STEP_WIRE_CREATE, /* CreateNamespace then the 6 wire ops */
	STEP_DELETE_LINKS,
	STEP_GET,
	STEP_TOPO_LINKS, /* chain k: link k, 7 ops */
	STEP_SYSCTL,	 /* chain i: SetSysctl net.ipv4.ip_forward=1 in P-s{i} */
	STEP_QDISC,	 /* chain i: a tbf on P{i}a */
	STEP_DELETE_NS,	 /* chain i: DeleteNamespace ids[i] */
	STEP_PROBE,	 /* one chain: create the probe veth (ids[0]: where; seq: its number) */
	STEP_NEIGH,	 /* chain i: neighbour i */
	STEP_FDB,	 /* chain i: flood-list remote i */
	STEP_RULE,	 /* chain i: rule i of the rule workload */
} BenchStep;

typedef struct BenchPhase {
	const char *what; /* "setup", "run", "teardown" (progress and errors) */
	BenchStep step;
	bool timed;
	size_t nchains;
	unsigned chain_len;
	const int *ids;	    /* STEP_DELETE_NS / STEP_PROBE */
	unsigned probe_seq; /* STEP_PROBE */
	bool ok_if_missing; /* STEP_DELETE_NS in a teardown */
} BenchPhase;

/* Phase shapes of a workload, for its chain counts and lengths. */
unsigned bench_chain_len(const BenchConfig *cfg, BenchStep step);
/* Operations a timed phase counts (kernel-visible operations, as WORKLOADS.md counts them). */
uint64_t bench_phase_ops(const BenchPhase *ph);

/* The name of namespace id; "" if the workload has no such namespace. */
void bench_ns_name(const BenchConfig *cfg, int id, char *buf, size_t n);
/* Fills *op with operation k of chain `chain` of phase ph. */
void bench_gen(const BenchConfig *cfg, const BenchPhase *ph, size_t chain, unsigned k, BenchOp *op);
/* Checks that every interface name the workload makes fits IFNAMSIZ: 0 or -ENAMETOOLONG
 * with the offending name in buf. */
int bench_check_names(const BenchConfig *cfg, char *buf, size_t n);
/* Probe veth names: the end in the namespace being deleted, and the one in P-probe. */
void bench_probe_names(const BenchConfig *cfg, unsigned seq, char *near, char *far);

/* ---------------------------------------------------------------- stats: nsring-bench-stats.c */

typedef struct BenchStats {
	double elapsed_s; /* timed phases only */
	uint64_t ops, rpcs, containers;
	/* every phase: RPCs sent, replies matched to them, replies that matched no call in flight
	 * (duplicates or strays) */
	uint64_t calls, replies, stray;
	double p50_ms, p99_ms, p999_ms;
} BenchStats;

/* Nearest-rank percentile q (0 < q <= 1) of sorted v[0..n); 0 when n is 0. */
uint64_t bench_percentile(const uint64_t *sorted, size_t n, double q);
/* Sorts lat[0..n) (ns) in place and fills the percentiles of *st. */
void bench_latency_stats(uint64_t *lat, size_t n, BenchStats *st);
void bench_print_summary(FILE *f, const BenchConfig *cfg, const BenchStats *st);
void bench_print_json(FILE *f, const BenchConfig *cfg, const BenchStats *st);

/* ---------------------------------------------------------------- engine: nsring-bench-engine.c */

typedef struct BenchEngine BenchEngine;

typedef enum BenchNsState {
	NS_NONE = 0,
	NS_MAYBE,  /* a create is (or was) in flight with no answer seen */
	NS_EXISTS, /* we created it */
} BenchNsState;

/* Connects cfg->clients connections. sigcount: bumped by the signal handler; a phase stops
 * early when it changes. ns_state: the namespace registry (indexed by id), updated as creates
 * and deletes complete. */
int bench_engine_new(const BenchConfig *cfg, volatile sig_atomic_t *sigcount, uint8_t *ns_state,
		     size_t ns_count, BenchEngine **ret);
void bench_engine_free(BenchEngine *e);

/* Runs a phase to completion across all clients. Returns 0; -EINTR when stopped by a signal
 * (in-flight calls were drained or given up on); -EIO after an operation failed (the message
 * is in bench_engine_error()); -ETIMEDOUT for a call unanswered after 120 s (lost); other
 * negative errno for a transport failure (likewise). A reply that answers no call in flight
 * (a duplicate) is skipped and counted (BenchStats.stray). */
int bench_engine_run(BenchEngine *e, const BenchPhase *ph);
/* One call, synchronously, on the first connection: *ret_code is its status (0 OK). */
int bench_engine_call(BenchEngine *e, const BenchOp *op, int *ret_code, char *msg, size_t msg_n);
const char *bench_engine_error(BenchEngine *e);

/* Accumulated over timed phases. The latency array belongs to the engine. */
void bench_engine_stats(BenchEngine *e, BenchStats *st, uint64_t **ret_lat, size_t *ret_nlat);

/* Progress: called at most 10 times a second while a phase runs. */
typedef void (*bench_progress_cb)(void *ud, const BenchPhase *ph, uint64_t done, uint64_t total);
void bench_engine_set_progress(BenchEngine *e, bench_progress_cb cb, void *ud);

uint64_t bench_now_ns(void);
