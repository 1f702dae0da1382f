/* nsring-bench workloads, as tests/bench/WORKLOADS.md defines them, and the command line.
 * Every operation is a pure function of (phase, chain, position), so the engine can make it
 * again when it checks a result instead of keeping it. */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/macro.h"
#include "nsring-bench.h"
#include "nsring/nsring.h"

static const char *const workload_names[_WL_MAX] = {
	[WL_VETH] = "veth",	[WL_ROUTE] = "route",
	[WL_WIRE] = "wire",	[WL_WIRE_CREATE] = "wire-create",
	[WL_NETNS] = "netns",	[WL_DELETE] = "delete",
	[WL_GET] = "get",	[WL_TOPO] = "topo",
	[WL_SYSCTL] = "sysctl", [WL_QDISC] = "qdisc",
	[WL_NEIGH] = "neigh",	[WL_FDB] = "fdb",	[WL_RULE] = "rule",
};

/* Full-scale defaults (the sizes the benchmark report uses). */
static const uint32_t default_count[_WL_MAX] = {
	[WL_VETH] = 2000,   [WL_ROUTE] = 20000, [WL_WIRE] = 200,    [WL_WIRE_CREATE] = 200,
	[WL_NETNS] = 1000,  [WL_DELETE] = 1000, [WL_GET] = 200000,  [WL_TOPO] = 1280,
	[WL_SYSCTL] = 1000, [WL_QDISC] = 2000,	[WL_NEIGH] = 10000, [WL_FDB] = 1000,
	[WL_RULE] = 10000,
};
#define DEFAULT_NODES 1024

const char *bench_workload_name(BenchWorkload w)
{
	return w < _WL_MAX ? workload_names[w] : "?";
}

int bench_workload_from_name(const char *s)
{
	for (int i = 0; i < _WL_MAX; i++)
		if (strcmp(s, workload_names[i]) == 0)
			return i;
	return -EINVAL;
}

/* ---------------------------------------------------------------- names */

/* snprintf for names: the lengths were checked against IFNAMSIZ when the arguments were
 * parsed (bench_check_names), so truncation cannot happen and need not be warned about. */
_printf_(3, 4) static void setf(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(dst, n, fmt, ap);
	va_end(ap);
}

static const char *main_suffix(BenchWorkload w)
{
	switch (w) {
	case WL_VETH:
	case WL_QDISC: /* its setup is what veth builds */
		return "v";
	case WL_ROUTE:
		return "r";
	case WL_WIRE:
	case WL_WIRE_CREATE:
	case WL_DELETE:
		return "h";
	case WL_GET:
		return "g";
	case WL_NEIGH:
		return "a";
	case WL_FDB:
		return "x";
	case WL_RULE:
		return "u";
	default:
		return NULL;
	}
}

static const char *node_suffix(BenchWorkload w)
{
	switch (w) {
	case WL_WIRE:
	case WL_WIRE_CREATE:
	case WL_DELETE:
		return "c";
	case WL_NETNS:
		return "n";
	case WL_TOPO:
		return "t";
	case WL_SYSCTL:
		return "s";
	default:
		return NULL;
	}
}

void bench_ns_name(const BenchConfig *cfg, int id, char *buf, size_t n)
{
	const char *s;

	buf[0] = '\0';
	if (id == NS_ID_PROBE) {
		setf(buf, n, "%s-probe", cfg->prefix);
	} else if (id == NS_ID_MAIN) {
		s = main_suffix(cfg->workload);
		if (s)
			setf(buf, n, "%s-%s", cfg->prefix, s);
	} else if (id >= NS_ID_FIRST) {
		s = node_suffix(cfg->workload);
		if (s)
			setf(buf, n, "%s-%s%d", cfg->prefix, s, id - NS_ID_FIRST);
	}
}

void bench_probe_names(const BenchConfig *cfg, unsigned seq, char *near, char *far)
{
	/* A '.' never appears in the prefix (see check_prefix), so these cannot collide with a
	 * workload's names. */
	setf(near, BENCH_IFNAME_MAX, "probe.%u", seq % 100000000u);
	setf(far, BENCH_IFNAME_MAX, "probe.%u", seq % 100000000u);
}

/* ---------------------------------------------------------------- operations */

unsigned bench_chain_len(const BenchConfig *cfg, BenchStep step)
{
	switch (step) {
	case STEP_SETUP_MAIN:
		switch (cfg->workload) {
		case WL_VETH:
		case WL_QDISC:
			return 1;
		case WL_ROUTE:
		case WL_WIRE:
		case WL_WIRE_CREATE:
		case WL_DELETE:
			return 3;
		case WL_GET:
			return 2;
		case WL_NEIGH:
			return 3;
		case WL_FDB:
			return 4;
		case WL_RULE:
			return 1;
		default:
			return 0;
		}
	case STEP_WIRE:
		return 6;
	case STEP_WIRE_CREATE:
		return 7;
	case STEP_TOPO_LINKS:
		return 7;
	default:
		return 1;
	}
}

uint64_t bench_phase_ops(const BenchPhase *ph)
{
	return (uint64_t)ph->nchains * ph->chain_len;
}

static void ipv4(char *buf, size_t n, uint32_t a)
{
	setf(buf, n, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

#define NET_198_18 (198u << 24 | 18u << 16) /* 198.18.0.0 */

static void op_ns(const BenchConfig *cfg, BenchOp *op, int id)
{
	bench_ns_name(cfg, id, op->ns, sizeof(op->ns));
}

static void op_create_ns(const BenchConfig *cfg, BenchOp *op, int id)
{
	op->kind = BOP_CREATE_NS;
	op->ns_id = id;
	op->no_ipv6 = cfg->no_ipv6;
	op_ns(cfg, op, id);
}

static void op_veth(BenchOp *op, const char *name, const char *peer, bool up)
{
	op->kind = BOP_CREATE_VETH;
	setf(op->name, sizeof(op->name), "%s", name);
	setf(op->peer, sizeof(op->peer), "%s", peer);
	op->up = up;
}

static void op_addr(BenchOp *op, const char *dev, uint32_t a, uint32_t plen)
{
	op->kind = BOP_CREATE_ADDR;
	setf(op->name, sizeof(op->name), "%s", dev);
	ipv4(op->addr, sizeof(op->addr), a);
	op->plen = plen;
}

static void op_up(BenchOp *op, const char *dev, const char *master)
{
	op->kind = BOP_UPDATE_LINK;
	setf(op->name, sizeof(op->name), "%s", dev);
	if (master)
		setf(op->master, sizeof(op->master), "%s", master);
	op->up = true;
}

static void gen_setup_main(const BenchConfig *cfg, unsigned k, BenchOp *op)
{
	char a[BENCH_IFNAME_MAX], b[BENCH_IFNAME_MAX];
	const char *P = cfg->prefix;

	if (k == 0) {
		op_create_ns(cfg, op, NS_ID_MAIN);
		return;
	}
	op_ns(cfg, op, NS_ID_MAIN);
	switch (cfg->workload) {
	case WL_ROUTE:
		setf(a, sizeof(a), "%s-r0", P);
		setf(b, sizeof(b), "%s-r1", P);
		if (k == 1)
			op_veth(op, a, b, true);
		else
			op_addr(op, a, NET_198_18 | 1, 16);
		break;
	case WL_WIRE:
	case WL_WIRE_CREATE:
	case WL_DELETE:
		setf(a, sizeof(a), "%s-br", P);
		if (k == 1) {
			op->kind = BOP_CREATE_BRIDGE;
			setf(op->name, sizeof(op->name), "%s", a);
			op->up = true;
		} else {
			op_addr(op, a, NET_198_18 | 1, 16);
		}
		break;
	case WL_GET:
		setf(a, sizeof(a), "%s-g0", P);
		setf(b, sizeof(b), "%s-g1", P);
		op_veth(op, a, b, false);
		break;
	case WL_NEIGH:
	case WL_FDB:
		/* A link up with 198.18.0.1/16 (the vxlan's local address), then the vxlan. */
		setf(a, sizeof(a), "%s-%s0", P, main_suffix(cfg->workload));
		setf(b, sizeof(b), "%s-%s1", P, main_suffix(cfg->workload));
		if (k == 1) {
			op_veth(op, a, b, true);
		} else if (k == 2) {
			op_addr(op, a, NET_198_18 | 1, 16);
		} else {
			op->kind = BOP_CREATE_VXLAN;
			setf(op->name, sizeof(op->name), "%s-xv", P);
			ipv4(op->addr, sizeof(op->addr), NET_198_18 | 1);
			op->up = true;
		}
		break;
	default:
		break;
	}
}

/* Container i's wiring, op k of 6: veth (peer eth0 created in the container), host end to the
 * bridge and up, the container's address, eth0 up, lo up, the default route. */
static void gen_wire(const BenchConfig *cfg, size_t i, unsigned k, BenchOp *op)
{
	char host[BENCH_IFNAME_MAX], br[BENCH_IFNAME_MAX];
	int cid = NS_ID_FIRST + (int)i;

	setf(host, sizeof(host), "%s-h%zu", cfg->prefix, i);
	setf(br, sizeof(br), "%s-br", cfg->prefix);
	switch (k) {
	case 0:
		op_ns(cfg, op, NS_ID_MAIN);
		op_veth(op, host, "eth0", false);
		bench_ns_name(cfg, cid, op->peer_ns, sizeof(op->peer_ns));
		break;
	case 1:
		op_ns(cfg, op, NS_ID_MAIN);
		op_up(op, host, br);
		break;
	case 2:
		op_ns(cfg, op, cid);
		op_addr(op, "eth0", NET_198_18 | (uint32_t)(1 + i / 256) << 8 | (uint32_t)(i % 256),
			16);
		break;
	case 3:
		op_ns(cfg, op, cid);
		op_up(op, "eth0", NULL);
		break;
	case 4:
		op_ns(cfg, op, cid);
		op_up(op, "lo", NULL);
		break;
	default:
		op_ns(cfg, op, cid);
		op->kind = BOP_CREATE_ROUTE;
		setf(op->addr, sizeof(op->addr), "default");
		ipv4(op->gw, sizeof(op->gw), NET_198_18 | 1);
		break;
	}
}

/* Link k of the topology, op j of 7: the veth between its two nodes, both ends up, their /31
 * addresses, and in each node a /32 route via the other end. */
static void gen_topo(const BenchConfig *cfg, size_t k, unsigned j, BenchOp *op)
{
	uint32_t nodes = cfg->nodes, a = (uint32_t)(k % nodes), b = a;
	uint32_t addr_a = NET_198_18 + 2 * (uint32_t)k, addr_b = addr_a + 1;
	char na[BENCH_IFNAME_MAX], nb[BENCH_IFNAME_MAX];
	bool at_a = j == 0 || j == 1 || j == 3 || j == 5;

	/* A self-link takes its second node from k + 1 (then k + 2, ...) in the same formula,
	 * as WORKLOADS.md and the C floor do. */
	for (size_t m = k; m < k + nodes; m++) {
		b = (uint32_t)((m * 7 + 1) % nodes);
		if (b != a)
			break;
	}
	setf(na, sizeof(na), "t%zua", k);
	setf(nb, sizeof(nb), "t%zub", k);
	op_ns(cfg, op, NS_ID_FIRST + (int)(at_a ? a : b));
	switch (j) {
	case 0:
		op_veth(op, na, nb, false);
		bench_ns_name(cfg, NS_ID_FIRST + (int)b, op->peer_ns, sizeof(op->peer_ns));
		break;
	case 1:
		op_up(op, na, NULL);
		break;
	case 2:
		op_up(op, nb, NULL);
		break;
	case 3:
		op_addr(op, na, addr_a, 31);
		break;
	case 4:
		op_addr(op, nb, addr_b, 31);
		break;
	default:
		op->kind = BOP_CREATE_ROUTE;
		setf(op->addr, sizeof(op->addr), "198.19.%zu.%zu/32", k / 256, k % 256);
		ipv4(op->gw, sizeof(op->gw), at_a ? addr_b : addr_a);
		break;
	}
}

void bench_gen(const BenchConfig *cfg, const BenchPhase *ph, size_t chain, unsigned k, BenchOp *op)
{
	const char *P = cfg->prefix;

	memset(op, 0, offsetof(BenchOp, ns));
	op->ns[0] = op->name[0] = op->peer[0] = op->peer_ns[0] = op->master[0] = '\0';
	op->addr[0] = op->gw[0] = '\0';
	op->ns_id = -1;
	switch (ph->step) {
	case STEP_SETUP_MAIN:
		gen_setup_main(cfg, k, op);
		break;
	case STEP_CREATE_NODES:
		op_create_ns(cfg, op, NS_ID_FIRST + (int)chain);
		break;
	case STEP_QDISC:
		op_ns(cfg, op, NS_ID_MAIN);
		op->kind = BOP_CREATE_QDISC;
		setf(op->name, sizeof(op->name), "%s%zua", P, chain);
		break;
	case STEP_VETH: {
		char a[BENCH_IFNAME_MAX], b[BENCH_IFNAME_MAX];

		setf(a, sizeof(a), "%s%zua", P, chain);
		setf(b, sizeof(b), "%s%zub", P, chain);
		op_ns(cfg, op, NS_ID_MAIN);
		op_veth(op, a, b, false);
		break;
	}
	case STEP_ROUTE:
		op_ns(cfg, op, NS_ID_MAIN);
		op->kind = BOP_CREATE_ROUTE;
		setf(op->addr, sizeof(op->addr), "198.19.%zu.%zu/32", chain / 256, chain % 256);
		ipv4(op->gw, sizeof(op->gw), NET_198_18 | 2);
		setf(op->name, sizeof(op->name), "%s-r0", P);
		break;
	case STEP_RULE:
		op_ns(cfg, op, NS_ID_MAIN);
		op->kind = BOP_CREATE_RULE;
		setf(op->addr, sizeof(op->addr), "198.19.%zu.%zu/32", chain / 256, chain % 256);
		op->table = 100;
		op->priority = 1000 + (uint32_t)chain;
		break;
	case STEP_WIRE:
		gen_wire(cfg, chain, k, op);
		break;
	case STEP_WIRE_CREATE:
		if (k == 0)
			op_create_ns(cfg, op, NS_ID_FIRST + (int)chain);
		else
			gen_wire(cfg, chain, k - 1, op);
		break;
	case STEP_DELETE_LINKS:
		op_ns(cfg, op, NS_ID_MAIN);
		op->kind = BOP_DELETE_LINK;
		setf(op->name, sizeof(op->name), "%s-h%zu", P, chain);
		break;
	case STEP_GET:
		op_ns(cfg, op, NS_ID_MAIN);
		op->kind = BOP_GET_LINK;
		setf(op->name, sizeof(op->name), "%s-g0", P);
		break;
	case STEP_TOPO_LINKS:
		gen_topo(cfg, chain, k, op);
		break;
	case STEP_SYSCTL:
		op_ns(cfg, op, NS_ID_FIRST + (int)chain);
		op->kind = BOP_SET_SYSCTL;
		break;
	case STEP_DELETE_NS:
		op->kind = BOP_DELETE_NS;
		op->ns_id = ph->ids[chain];
		op->ok_if_missing = ph->ok_if_missing;
		op_ns(cfg, op, op->ns_id);
		break;
	case STEP_NEIGH:
		/* 198.18.1.0 onwards, on the link (not needed for a permanent entry, but real). */
		op_ns(cfg, op, NS_ID_MAIN);
		op->kind = BOP_CREATE_NEIGH;
		setf(op->name, sizeof(op->name), "%s-a0", P);
		ipv4(op->addr, sizeof(op->addr), NET_198_18 + 256 + (uint32_t)chain);
		setf(op->gw, sizeof(op->gw), "02:00:00:00:%02zx:%02zx", (chain >> 8) & 255,
		     chain & 255);
		break;
	case STEP_FDB:
		op_ns(cfg, op, NS_ID_MAIN);
		op->kind = BOP_APPEND_FDB;
		setf(op->name, sizeof(op->name), "%s-xv", P);
		setf(op->addr, sizeof(op->addr), "198.19.%zu.%zu", chain / 256, chain % 256);
		break;
	case STEP_PROBE:
		op_ns(cfg, op, ph->ids[0]);
		op->kind = BOP_CREATE_VETH;
		bench_probe_names(cfg, ph->probe_seq, op->name, op->peer);
		bench_ns_name(cfg, NS_ID_PROBE, op->peer_ns, sizeof(op->peer_ns));
		break;
	}
}

static int check_one(const char *name, char *buf, size_t n)
{
	if (strlen(name) < BENCH_IFNAME_MAX)
		return 0;
	setf(buf, n, "%s", name);
	return -ENAMETOOLONG;
}

int bench_check_names(const BenchConfig *cfg, char *buf, size_t n)
{
	char name[128];
	const char *P = cfg->prefix;
	uint32_t last = cfg->count ? cfg->count - 1 : 0;

	switch (cfg->workload) {
	case WL_VETH:
	case WL_QDISC:
		setf(name, sizeof(name), "%s%ua", P, last);
		break;
	case WL_ROUTE:
		setf(name, sizeof(name), "%s-r0", P);
		break;
	case WL_WIRE:
	case WL_WIRE_CREATE:
	case WL_DELETE:
		if (check_one((setf(name, sizeof(name), "%s-br", P), name), buf, n) < 0)
			return -ENAMETOOLONG;
		setf(name, sizeof(name), "%s-h%u", P, last);
		break;
	case WL_GET:
		setf(name, sizeof(name), "%s-g0", P);
		break;
	case WL_TOPO:
		setf(name, sizeof(name), "t%ua", last);
		break;
	case WL_NEIGH:
	case WL_FDB:
		setf(name, sizeof(name), "%s-xv", P);
		break;
	default:
		return 0;
	}
	return check_one(name, buf, n);
}

/* ---------------------------------------------------------------- command line */

void bench_usage(FILE *f)
{
	fprintf(f,
		"Usage: nsring-bench [OPTIONS] WORKLOAD\n"
		"Load generator for nsringd: runs one workload of tests/bench/WORKLOADS.md\n"
		"through asynchronous ttrpc clients; prints throughput and per-RPC latency.\n"
		"\n"
		"Workloads (N = --count, default in brackets):\n"
		"  veth         N veth pairs in one namespace [2000]\n"
		"  route        N /32 routes via a gateway in one namespace (N <= 65536) [20000]\n"
		"  wire         wire N existing container namespaces to a bridge: veth,\n"
		"               master+up, address, eth0 up, lo up, default route\n"
		"               (N <= 65000) [200]\n"
		"  wire-create  as wire, creating each container namespace too (timed) [200]\n"
		"  netns        create N namespaces, then delete them all (both timed) [1000]\n"
		"  delete       delete the N host veth ends of a wired setup [1000]\n"
		"  get          N GetLink calls of one link: RPC rate and latency [200000]\n"
		"  rule         N policy rules from 198.19.x.y/32 table 100 in one namespace\n"
		"               (N <= 65536) [10000]\n"
		"  topo         --nodes namespaces joined by --links veth links, /31\n"
		"               addresses, a /32 route per link end [1024 nodes, 1280 links]\n"
		"  sysctl       N existing namespaces: net.ipv4.ip_forward=1 in each [1000]\n"
		"  qdisc        a tbf (8mbit, burst 32kbit, latency 50ms) on each of N veth\n"
		"               ends made in setup [2000]\n"
		"  neigh        N permanent neighbours on one link (N <= 65000) [10000]\n"
		"  fdb          a flood list of N remote VTEPs (00:00:00:00:00:00 dst ...,\n"
		"               bridge fdb append) on one vxlan device (N <= 65536) [1000]\n"
		"\n"
		"Options:\n"
		"  -s, --socket PATH   nsringd's socket (default $%s, else %s)\n"
		"  -n, --count N       operations / containers / namespaces (not for topo)\n"
		"  -c, --clients C     connections, all driven by one thread (default 1)\n"
		"  -d, --depth D       RPCs in flight per connection, 1..%d (default 32)\n"
		"  -b, --batch B       operations per RPC; B > 1 sends Batch RPCs (default 1)\n"
		"      --nodes N       topo: namespaces (default %d)\n"
		"      --links L       topo: links, <= 65536 (default 1280)\n"
		"  -p, --prefix P      name prefix of everything created (default nb<pid>)\n"
		"  -j, --json          the summary as one JSON object, alone on stdout\n"
		"      --no-cleanup    leave what the run built in place\n"
		"      --no-ipv6       create every namespace with IPv6 off (disable_ipv6 on\n"
		"                      all and default, in the CreateNamespace call)\n"
		"  -q, --quiet         no progress bar\n"
		"  -h, --help          this text\n"
		"\n"
		"Setup and teardown are not timed. Exit status: 0 success, 1 an operation failed\n"
		"(the first error is printed), 2 bad arguments, 128+signal when interrupted.\n",
		NSR_SOCKET_ENV, NSR_DEFAULT_SOCKET, BENCH_DEPTH_MAX, DEFAULT_NODES);
}

static int parse_u32(const char *opt, const char *s, uint32_t min, uint32_t max, uint32_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (s[0] < '0' || s[0] > '9')
		goto bad;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*ret = (uint32_t)v;
	return 0;
bad:
	fprintf(stderr, "nsring-bench: %s: \"%s\" is not a number in %u..%u\n", opt, s, min, max);
	return -EINVAL;
}

static int check_prefix(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n > BENCH_PREFIX_MAX)
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '_' || p[i] == '-'))
			goto bad;
	return 0;
bad:
	fprintf(stderr,
		"nsring-bench: --prefix: \"%s\" must be 1..%d characters of [A-Za-z0-9_-]\n", p,
		BENCH_PREFIX_MAX);
	return -EINVAL;
}

enum { OPT_NODES = 0x100, OPT_LINKS, OPT_NO_CLEANUP, OPT_NO_IPV6 };

int bench_parse_args(int argc, char **argv, BenchConfig *cfg)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "count", required_argument, NULL, 'n' },
		{ "clients", required_argument, NULL, 'c' },
		{ "depth", required_argument, NULL, 'd' },
		{ "batch", required_argument, NULL, 'b' },
		{ "nodes", required_argument, NULL, OPT_NODES },
		{ "links", required_argument, NULL, OPT_LINKS },
		{ "prefix", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-cleanup", no_argument, NULL, OPT_NO_CLEANUP },
		{ "no-ipv6", no_argument, NULL, OPT_NO_IPV6 },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	uint32_t count = 0, nodes = 0, links = 0, v;
	bool have_count = false, have_nodes = false, have_links = false;
	const char *env = getenv(NSR_SOCKET_ENV);
	char name[128];
	int c, w;

	*cfg = (BenchConfig){
		.socket_path = env && *env ? env : NSR_DEFAULT_SOCKET,
		.clients = 1,
		.depth = 32,
		.batch = 1,
	};
	setf(cfg->prefix, sizeof(cfg->prefix), "nb%d", (int)getpid());
	optind = 0; /* reset, so the unit tests can call this more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:n:c:d:b:p:jqh", options, NULL)) >= 0) {
		switch (c) {
		case 's':
			if (!*optarg) {
				fprintf(stderr, "nsring-bench: --socket: empty path\n");
				return -EINVAL;
			}
			cfg->socket_path = optarg;
			break;
		case 'n':
			if (parse_u32("--count", optarg, 1, UINT32_MAX / 8, &count) < 0)
				return -EINVAL;
			have_count = true;
			break;
		case 'c':
			if (parse_u32("--clients", optarg, 1, 1024, &v) < 0)
				return -EINVAL;
			cfg->clients = v;
			break;
		case 'd':
			if (parse_u32("--depth", optarg, 1, BENCH_DEPTH_MAX, &v) < 0)
				return -EINVAL;
			cfg->depth = v;
			break;
		case 'b':
			if (parse_u32("--batch", optarg, 1, BENCH_BATCH_MAX, &v) < 0)
				return -EINVAL;
			cfg->batch = v;
			break;
		case OPT_NODES:
			if (parse_u32("--nodes", optarg, 2, 1000000, &nodes) < 0)
				return -EINVAL;
			have_nodes = true;
			break;
		case OPT_LINKS:
			if (parse_u32("--links", optarg, 1, 65536, &links) < 0)
				return -EINVAL;
			have_links = true;
			break;
		case 'p':
			if (check_prefix(optarg) < 0)
				return -EINVAL;
			setf(cfg->prefix, sizeof(cfg->prefix), "%s", optarg);
			break;
		case 'j':
			cfg->json = true;
			break;
		case OPT_NO_CLEANUP:
			cfg->no_cleanup = true;
			break;
		case OPT_NO_IPV6:
			cfg->no_ipv6 = true;
			break;
		case 'q':
			cfg->quiet = true;
			break;
		case 'h':
			bench_usage(stdout);
			return 1;
		case ':':
			fprintf(stderr, "nsring-bench: option %s needs a value\n",
				argv[optind - 1]);
			return -EINVAL;
		default:
			if (optopt)
				fprintf(stderr, "nsring-bench: unknown option -%c\n", optopt);
			else
				fprintf(stderr, "nsring-bench: unknown option %s\n",
					argv[optind - 1]);
			fprintf(stderr, "Try nsring-bench --help.\n");
			return -EINVAL;
		}
	}
	if (optind >= argc) {
		fprintf(stderr,
			"nsring-bench: no workload given (veth, route, wire, wire-create, "
			"netns, delete, get, topo, sysctl, qdisc, neigh, fdb); see --help\n");
		return -EINVAL;
	}
	if (optind + 1 < argc) {
		fprintf(stderr, "nsring-bench: unexpected argument \"%s\"\n", argv[optind + 1]);
		return -EINVAL;
	}
	w = bench_workload_from_name(argv[optind]);
	if (w < 0) {
		fprintf(stderr,
			"nsring-bench: unknown workload \"%s\" (veth, route, wire, "
			"wire-create, netns, delete, get, topo, sysctl, qdisc, neigh, fdb)\n",
			argv[optind]);
		return -EINVAL;
	}
	cfg->workload = (BenchWorkload)w;

	if (w == WL_TOPO) {
		if (have_count) {
			fprintf(stderr,
				"nsring-bench: topo takes --nodes and --links, not --count\n");
			return -EINVAL;
		}
		cfg->nodes = have_nodes ? nodes : DEFAULT_NODES;
		cfg->count = have_links ? links : default_count[WL_TOPO];
	} else {
		if (have_nodes || have_links) {
			fprintf(stderr, "nsring-bench: --nodes and --links are for topo only\n");
			return -EINVAL;
		}
		cfg->count = have_count ? count : default_count[w];
	}
	if (w == WL_NEIGH && cfg->count > 65000) {
		fprintf(stderr, "nsring-bench: neigh: --count is at most 65000 (198.18.0.0/16)\n");
		return -EINVAL;
	}
	if (w == WL_FDB && cfg->count > 65536) {
		fprintf(stderr, "nsring-bench: fdb: --count is at most 65536 (198.19.0.0/16)\n");
		return -EINVAL;
	}
	if ((w == WL_ROUTE || w == WL_RULE) && cfg->count > 65536) {
		fprintf(stderr, "nsring-bench: %s: --count is at most 65536 (198.19.0.0/16)\n",
			workload_names[w]);
		return -EINVAL;
	}
	if ((w == WL_WIRE || w == WL_WIRE_CREATE || w == WL_DELETE) && cfg->count > 65000) {
		fprintf(stderr, "nsring-bench: %s: --count is at most 65000 (198.18.0.0/16)\n",
			workload_names[w]);
		return -EINVAL;
	}
	if (bench_check_names(cfg, name, sizeof(name)) < 0) {
		fprintf(stderr,
			"nsring-bench: interface name \"%s\" would exceed 15 bytes: use a shorter "
			"--prefix or a smaller count\n",
			name);
		return -EINVAL;
	}
	return 0;
}
