/* nsring-floor: the C floor of the benchmark comparison. It does the kernel work of the
 * workloads in tests/bench/WORKLOADS.md with raw rtnetlink (the project's codec), no RPC. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "rtnl/rtnl.h"
#include "rtnl/rtnl-rule.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif

/* Room reserved for the biggest request built here (a veth with its nested peer). */
#define MSG_ROOM 1024
/* Receive buffer per in-flight request: an ACK's skb is about 1 KiB with NETLINK_EXT_ACK, a
 * GETLINK reply (sent before its ACK) a few KiB. */
#define RCV_PER_REQ 4096
#define RX_VLEN	    256
#define RX_BUFSZ    16384
/* The link group the delete workload gathers the host ends in, then deletes at once. */
#define DEL_GROUP     4242
#define PROBE_POLL_NS (20 * 1000000LL)
#define PROBE_CAP_NS  (60 * 1000000000LL)

typedef enum {
	W_VETH,
	W_ROUTE,
	W_WIRE,
	W_WIRE_CREATE,
	W_NETNS,
	W_DELETE,
	W_TOPO,
	W_SYSCTL,
	W_RULE,
} Workload;

static const char *const workload_names[] = {
	[W_VETH] = "veth",   [W_ROUTE] = "route",
	[W_WIRE] = "wire",   [W_WIRE_CREATE] = "wire-create",
	[W_NETNS] = "netns", [W_DELETE] = "delete",
	[W_TOPO] = "topo",   [W_SYSCTL] = "sysctl",
	[W_RULE] = "rule",
};

typedef struct Options {
	Workload workload;
	unsigned count, nodes, links, max_inflight;
	const char *netns_dir, *prefix, *phase, *probe;
	bool json, del_each, all, no_ipv6;
} Options;

static Options opt = {
	.count = 100,
	.nodes = 16,
	.links = 32,
	.max_inflight = 4096,
	.phase = "all",
};

/* The batch being built for one socket: requests go out in one sendmsg when it is flushed. */
typedef struct Batch {
	int fd;
	uint8_t *buf;
	size_t len, cap;
	unsigned n;	      /* requests queued */
	uint32_t seq0;	      /* sequence number of the first one */
	uint32_t **ret_index; /* per request: where a GETLINK reply's ifindex goes, or NULL */
	const char **what;    /* per request: what it does, for error messages */
} Batch;

static Batch B;
static int orig_netns = -1; /* the namespace we started in; we always come back to it */
static struct mmsghdr *rx_msgs;
static struct iovec *rx_iov;
static uint8_t *rx_buf;
static unsigned long long n_sendmsg, n_recv_calls;

static _Noreturn void _printf_(1, 2) die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "nsring-floor: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		die("out of memory");
	return p;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- netlink sockets and batches */

/* A NETLINK_ROUTE socket in the calling thread's current namespace, sized for the batches. */
static int nl_open(void)
{
	int fd, one = 1;
	int rcv = (int)MIN((size_t)opt.max_inflight * RCV_PER_REQ, (size_t)INT_MAX / 2);
	int snd = (int)MIN((size_t)opt.max_inflight * MSG_ROOM + (1 << 20), (size_t)INT_MAX / 2);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		die("socket(NETLINK_ROUTE): %m");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		die("SO_RCVBUFFORCE/SO_SNDBUFFORCE: %m (needs CAP_NET_ADMIN)");
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) < 0)
		die("NETLINK_CAP_ACK/NETLINK_EXT_ACK: %m");
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	return fd;
}

static void batch_init(void)
{
	unsigned i;

	B.fd = -1;
	B.cap = (size_t)opt.max_inflight * MSG_ROOM;
	B.buf = xcalloc(1, B.cap);
	B.ret_index = xcalloc(opt.max_inflight, sizeof(*B.ret_index));
	B.what = xcalloc(opt.max_inflight, sizeof(*B.what));
	B.seq0 = 1;
	rx_msgs = xcalloc(RX_VLEN, sizeof(*rx_msgs));
	rx_iov = xcalloc(RX_VLEN, sizeof(*rx_iov));
	rx_buf = aligned_alloc(8, (size_t)RX_VLEN * RX_BUFSZ);
	if (!rx_buf)
		die("out of memory");
	for (i = 0; i < RX_VLEN; i++) {
		rx_iov[i].iov_base = rx_buf + (size_t)i * RX_BUFSZ;
		rx_iov[i].iov_len = RX_BUFSZ;
		rx_msgs[i].msg_hdr.msg_iov = &rx_iov[i];
		rx_msgs[i].msg_hdr.msg_iovlen = 1;
	}
}

static int rx_one(const struct nlmsghdr *nlh, void *userdata)
{
	unsigned *pending = userdata;
	uint32_t i = nlh->nlmsg_seq - B.seq0;
	const char *msg = NULL;
	int error = 0;

	if (i >= B.n)
		return 0; /* not ours (a late message of an earlier batch cannot happen, but) */
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (rtnl_parse_error(nlh, &error, &msg) < 0)
			die("malformed NLMSG_ERROR");
		if (error < 0)
			die("%s: %s%s%s", B.what[i] ? B.what[i] : "request", strerror(-error),
			    msg ? ": " : "", msg ? msg : "");
		(*pending)--;
		return 0;
	}
	if (nlh->nlmsg_type == RTM_NEWLINK && B.ret_index[i]) {
		RtnlLink l;

		if (rtnl_link_parse(nlh, &l) < 0)
			die("malformed RTM_NEWLINK reply");
		*B.ret_index[i] = l.index;
	}
	return 0;
}

/* Sends every queued request in one sendmsg and collects their answers. The kernel processes
 * the requests inside the sendmsg, so every answer is queued by the time it returns. */
static void batch_flush(void)
{
	unsigned pending = B.n;
	ssize_t r;

	if (!B.n)
		return;
	r = send(B.fd, B.buf, B.len, 0);
	n_sendmsg++;
	if (r < 0)
		die("sendmsg of %u requests (%zu bytes): %m", B.n, B.len);
	while (pending) {
		int k, got = recvmmsg(B.fd, rx_msgs, RX_VLEN, MSG_WAITFORONE, NULL);

		n_recv_calls++;
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS)
				die("receive buffer overrun (%u in flight): lower --max-inflight",
				    B.n);
			die("recvmmsg: %m");
		}
		for (k = 0; k < got; k++) {
			if (rx_msgs[k].msg_hdr.msg_flags & MSG_TRUNC)
				die("truncated netlink answer");
			r = rtnl_walk(rx_iov[k].iov_base, rx_msgs[k].msg_len, rx_one, &pending);
			if (r < 0)
				die("malformed netlink answer");
		}
	}
	B.seq0 += B.n;
	B.n = 0;
	B.len = 0;
}

/* Makes fd the socket that queued requests go to (flushing what another socket had). */
static void batch_use(int fd)
{
	if (B.fd != fd)
		batch_flush();
	B.fd = fd;
}

static void *req_room(size_t *ret_room)
{
	if (B.n >= opt.max_inflight || B.cap - B.len < MSG_ROOM)
		batch_flush();
	*ret_room = MSG_ROOM;
	return B.buf + B.len;
}

static void req_commit(void *p, int len, const char *what, uint32_t *ret_index)
{
	struct nlmsghdr *nlh = p;

	if (len < 0)
		die("building %s: %s", what, strerror(-len));
	nlh->nlmsg_seq = B.seq0 + B.n;
	B.ret_index[B.n] = ret_index;
	B.what[B.n] = what;
	B.n++;
	B.len += NLMSG_ALIGN((size_t)len);
}

static void q_veth(const char *name, int ns_fd, const char *peer, int peer_ns_fd)
{
	RtnlLinkSpec s = { .name = name, .kind = RTNL_KIND_VETH, .ns_fd = ns_fd };
	size_t room;
	void *p = req_room(&room);

	s.veth.peer_name = peer;
	s.veth.peer_ns_fd = peer_ns_fd;
	req_commit(p, rtnl_link_new(p, room, &s), "create veth", NULL);
}

/* Link set by name: up, and optionally master and group. */
static void q_link_set(const char *name, uint32_t master, bool up, bool has_group, uint32_t group)
{
	RtnlLinkChange c = { .name = name, .up = up ? 1 : -1, .ns_fd = -1 };
	size_t room;
	void *p = req_room(&room);

	c.has_master = master > 0;
	c.master_index = master;
	c.has_group = has_group;
	c.group = group;
	req_commit(p, rtnl_link_set(p, room, &c), "set link", NULL);
}

static void q_link_get(const char *name, uint32_t *ret_index)
{
	size_t room;
	void *p = req_room(&room);

	req_commit(p, rtnl_link_get(p, room, 0, name), "get link", ret_index);
}

static void q_link_del(const char *name)
{
	size_t room;
	void *p = req_room(&room);

	req_commit(p, rtnl_link_del(p, room, 0, name), "delete link", NULL);
}

static void q_link_del_group(uint32_t group)
{
	size_t room;
	void *p = req_room(&room);

	req_commit(p, rtnl_link_del_group(p, room, group), "delete link group", NULL);
}

static void q_addr4(uint32_t index, uint32_t addr_host, uint8_t plen)
{
	RtnlAddr a = { .index = index, .prefix_len = plen, .scope = RT_SCOPE_UNIVERSE };
	size_t room;
	void *p = req_room(&room);

	a.addr.family = AF_INET;
	a.addr.v4.s_addr = htonl(addr_host);
	req_commit(p, rtnl_addr_new(p, room, &a), "add address", NULL);
}

/* An IPv4 route the way `ip route add` sends it (table main, proto boot). dst_len 0 = default. */
static void q_route4(uint32_t dst_host, uint8_t dst_len, uint32_t gw_host, uint32_t oif)
{
	RtnlRoute r = {
		.family = AF_INET,
		.dst_len = dst_len,
		.oif = oif,
		.table = RT_TABLE_MAIN,
		.scope = RT_SCOPE_UNIVERSE,
		.protocol = RTPROT_BOOT,
		.type = RTN_UNICAST,
	};
	size_t room;
	void *p = req_room(&room);

	if (dst_len) {
		r.dst.family = AF_INET;
		r.dst.v4.s_addr = htonl(dst_host);
	}
	r.gateway.family = AF_INET;
	r.gateway.v4.s_addr = htonl(gw_host);
	req_commit(p, rtnl_route_new(p, room, &r, false), "add route", NULL);
}

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))

/* A rule the way `ip rule add from SRC/32 table TABLE pref PREF` sends it. */
static void q_rule4(uint32_t src_host, uint32_t table, uint32_t pref)
{
	RtnlRule r = {
		.family = AF_INET,
		.action = FR_ACT_TO_TBL,
		.has_priority = true,
		.priority = pref,
		.src_len = 32,
		.table = table,
	};
	size_t room;
	void *p = req_room(&room);

	r.src.family = AF_INET;
	r.src.v4.s_addr = htonl(src_host);
	req_commit(p, rtnl_rule_new(p, room, &r), "add rule", NULL);
}

/* ---- namespaces */

static char *ns_path(const char *fmt, ...)
{
	static char buf[PATH_MAX];
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", opt.netns_dir, name) >= sizeof(buf))
		die("path too long");
	return buf;
}

static void go_home(void)
{
	if (setns(orig_netns, CLONE_NEWNET) < 0)
		die("setns back to the original namespace: %m");
}

/* What `ip netns add` does: the netns dir a shared mount (so namespaces bound in it show in
 * other mount namespaces), once. */
static void netns_dir_prepare(void)
{
	static bool done;
	bool bound = false;

	if (done)
		return;
	if (mkdir(opt.netns_dir, 0755) < 0 && errno != EEXIST)
		die("mkdir %s: %m", opt.netns_dir);
	while (mount("", opt.netns_dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
		if (errno != EINVAL || bound)
			die("making %s a shared mount: %m", opt.netns_dir);
		if (mount(opt.netns_dir, opt.netns_dir, "none", MS_BIND | MS_REC, NULL) < 0)
			die("bind-mounting %s: %m", opt.netns_dir);
		bound = true;
	}
	done = true;
}

/* Writes value to a /proc/sys file of the calling thread's namespace. */
static void sysctl_write(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		die("open %s: %m", path);
	n = write(fd, value, strlen(value));
	if (n != (ssize_t)strlen(value))
		die("write %s: %m", path);
	close(fd);
}

/* Creates a named namespace like `ip netns add`; while inside it, also opens what the caller
 * wants there (ret_nsfd, ret_sock: may be NULL). Returns in the original namespace. */
static void ns_create(const char *path, int *ret_nsfd, int *ret_sock)
{
	int fd;

	netns_dir_prepare();
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		die("creating %s: %m", path);
	close(fd);
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET): %m");
	/* --no-ipv6: set while creating it, as nsring's CreateNamespace with sysctls does */
	if (opt.no_ipv6) {
		sysctl_write("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1\n");
		sysctl_write("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1\n");
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		die("bind-mounting the new namespace on %s: %m", path);
	if (ret_nsfd) {
		*ret_nsfd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (*ret_nsfd < 0)
			die("open /proc/thread-self/ns/net: %m");
	}
	if (ret_sock)
		*ret_sock = nl_open();
	go_home();
}

static int ns_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %m", path);
	return fd;
}

/* A socket inside namespace nsfd: enter it, open, come back (a floor may switch; a daemon
 * would use a helper thread). */
static int sock_in(int nsfd)
{
	int fd;

	if (setns(nsfd, CLONE_NEWNET) < 0)
		die("setns: %m");
	fd = nl_open();
	go_home();
	return fd;
}

/* What `ip netns del` does. */
static void ns_delete(const char *path)
{
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		die("umount %s: %m", path);
	if (unlink(path) < 0 && errno != ENOENT)
		die("unlink %s: %m", path);
}

/* ---- workloads */

typedef struct Result {
	unsigned long long ops, containers;
	long long elapsed_ns;
} Result;

static char *xname(const char *fmt, ...)
{
	char *s;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		die("out of memory");
	if (r >= IFNAMSIZ)
		die("interface name %s is longer than %d bytes: use a shorter --prefix", s,
		    IFNAMSIZ - 1);
	return s;
}

static void setup_veth(void)
{
	ns_create(ns_path("%s-v", opt.prefix), NULL, NULL);
}

static void run_veth(Result *res)
{
	int nsfd = ns_open(ns_path("%s-v", opt.prefix));
	int fd = sock_in(nsfd);
	unsigned i;

	batch_use(fd);
	for (i = 0; i < opt.count; i++) {
		char a[IFNAMSIZ], b[IFNAMSIZ];

		snprintf(a, sizeof(a), "%s%ua", opt.prefix, i);
		snprintf(b, sizeof(b), "%s%ub", opt.prefix, i);
		q_veth(a, -1, b, -1);
	}
	batch_flush();
	close(fd);
	close(nsfd);
	res->ops = opt.count;
}

static void setup_route(void)
{
	char *r0 = xname("%s-r0", opt.prefix), *r1 = xname("%s-r1", opt.prefix);
	uint32_t idx = 0;
	int fd;

	ns_create(ns_path("%s-r", opt.prefix), NULL, &fd);
	batch_use(fd);
	q_veth(r0, -1, r1, -1);
	q_link_set(r0, 0, true, false, 0);
	q_link_set(r1, 0, true, false, 0);
	q_link_get(r0, &idx);
	batch_flush();
	q_addr4(idx, IP4(198, 18, 0, 1), 16);
	batch_flush();
	close(fd);
	free(r0);
	free(r1);
}

static void setup_rule(void)
{
	int fd;

	ns_create(ns_path("%s-u", opt.prefix), NULL, &fd);
	close(fd);
}

/* N rules: from 198.19.(i / 256).(i % 256) table 100 pref 1000 + i. */
static void run_rule(Result *res)
{
	int nsfd = ns_open(ns_path("%s-u", opt.prefix));
	int fd = sock_in(nsfd);
	unsigned i;

	if (opt.count > 65536)
		die("rule: at most 65536 rules");
	batch_use(fd);
	for (i = 0; i < opt.count; i++)
		q_rule4(IP4(198, 19, i / 256, i % 256), 100, 1000 + i);
	batch_flush();
	close(fd);
	close(nsfd);
	res->ops = opt.count;
}

static void run_route(Result *res)
{
	char *r0 = xname("%s-r0", opt.prefix);
	int nsfd = ns_open(ns_path("%s-r", opt.prefix));
	int fd = sock_in(nsfd);
	uint32_t idx = 0;
	unsigned i;

	if (opt.count > 65536)
		die("route: at most 65536 routes");
	batch_use(fd);
	q_link_get(r0, &idx);
	batch_flush();
	for (i = 0; i < opt.count; i++)
		q_route4(IP4(198, 19, i / 256, i % 256), 32, IP4(198, 18, 0, 2), idx);
	batch_flush();
	close(fd);
	close(nsfd);
	free(r0);
	res->ops = opt.count;
}

/* The host namespace and its bridge (wire, wire-create, delete). */
static void setup_host(void)
{
	RtnlLinkSpec br = { .kind = RTNL_KIND_BRIDGE, .ns_fd = -1, .up = true };
	uint32_t idx = 0;
	size_t room;
	void *p;
	int fd;

	br.name = xname("%s-br", opt.prefix);
	ns_create(ns_path("%s-h", opt.prefix), NULL, &fd);
	batch_use(fd);
	p = req_room(&room);
	req_commit(p, rtnl_link_new(p, room, &br), "create bridge", NULL);
	q_link_get(br.name, &idx);
	batch_flush();
	q_addr4(idx, IP4(198, 18, 0, 1), 16);
	batch_flush();
	close(fd);
	free((char *)br.name);
}

static void setup_containers(void)
{
	unsigned i;

	for (i = 0; i < opt.count; i++)
		ns_create(ns_path("%s-c%u", opt.prefix, i), NULL, NULL);
}

/* wire: per container a veth from the host namespace with its peer created directly in the
 * container, the host end enslaved and up in the same batch; then per container one batch that
 * brings eth0 and lo up and looks up eth0's index (an address needs it), and one that adds the
 * address and the default route. create: make the container namespaces first (timed). */
static void run_wire(Result *res, bool create)
{
	unsigned n = opt.count, i;
	int hns = ns_open(ns_path("%s-h", opt.prefix)), hfd, *cns, *cfd;
	uint32_t br_idx = 0, *eth_idx;
	char *br = xname("%s-br", opt.prefix);

	if (n > 65000)
		die("wire: at most 65000 containers");
	cns = xcalloc(n, sizeof(*cns));
	cfd = xcalloc(n, sizeof(*cfd));
	eth_idx = xcalloc(n, sizeof(*eth_idx));
	hfd = sock_in(hns);
	for (i = 0; i < n; i++) {
		if (create)
			ns_create(ns_path("%s-c%u", opt.prefix, i), &cns[i], &cfd[i]);
		else
			cns[i] = ns_open(ns_path("%s-c%u", opt.prefix, i));
	}

	batch_use(hfd);
	q_link_get(br, &br_idx);
	batch_flush();
	for (i = 0; i < n; i++) {
		char h[IFNAMSIZ];

		snprintf(h, sizeof(h), "%s-h%u", opt.prefix, i);
		q_veth(h, -1, "eth0", cns[i]);
		q_link_set(h, br_idx, true, false, 0);
	}
	batch_flush();

	for (i = 0; i < n; i++) {
		if (!create)
			cfd[i] = sock_in(cns[i]);
		batch_use(cfd[i]);
		q_link_set("eth0", 0, true, false, 0);
		q_link_set("lo", 0, true, false, 0);
		q_link_get("eth0", &eth_idx[i]);
		batch_flush();
		q_addr4(eth_idx[i], IP4(198, 18, 1 + i / 256, i % 256), 16);
		q_route4(0, 0, IP4(198, 18, 0, 1), 0);
		batch_flush();
	}
	for (i = 0; i < n; i++) {
		close(cfd[i]);
		close(cns[i]);
	}
	close(hfd);
	close(hns);
	free(cns);
	free(cfd);
	free(eth_idx);
	free(br);
	res->containers = n;
	res->ops = 6ull * n + (create ? n : 0);
}

static void run_netns(Result *res)
{
	unsigned i;

	for (i = 0; i < opt.count; i++)
		ns_create(ns_path("%s-n%u", opt.prefix, i), NULL, NULL);
	for (i = 0; i < opt.count; i++)
		ns_delete(ns_path("%s-n%u", opt.prefix, i));
	res->ops = 2ull * opt.count;
}

/* sysctl: in each of N namespaces, net.ipv4.ip_forward=1: enter it, open the file, write, come
 * back (what `ip netns exec NS sysctl -w` does without its process, mount namespace and sysfs). */
static void setup_sysctl(void)
{
	for (unsigned i = 0; i < opt.count; i++)
		ns_create(ns_path("%s-s%u", opt.prefix, i), NULL, NULL);
}

static void run_sysctl(Result *res)
{
	for (unsigned i = 0; i < opt.count; i++) {
		int nsfd = ns_open(ns_path("%s-s%u", opt.prefix, i));

		if (setns(nsfd, CLONE_NEWNET) < 0)
			die("setns: %m");
		sysctl_write("/proc/sys/net/ipv4/ip_forward", "1\n");
		go_home();
		close(nsfd);
	}
	res->ops = opt.count;
}

/* delete: the host ends go into one link group, then one RTM_DELLINK deletes the group, so
 * the kernel waits for RCU once instead of once per link (--del-each: one RTM_DELLINK each). */
static void run_delete(Result *res)
{
	int hns = ns_open(ns_path("%s-h", opt.prefix));
	int fd = sock_in(hns);
	unsigned i;

	batch_use(fd);
	for (i = 0; i < opt.count; i++) {
		char h[IFNAMSIZ];

		snprintf(h, sizeof(h), "%s-h%u", opt.prefix, i);
		if (opt.del_each)
			q_link_del(h);
		else
			q_link_set(h, 0, false, true, DEL_GROUP);
	}
	if (!opt.del_each)
		q_link_del_group(DEL_GROUP);
	batch_flush();
	close(fd);
	close(hns);
	res->ops = opt.count;
}

/* topo: link k joins node k % nodes and node (k * 7 + 1) % nodes; a self-link uses k + 1 in
 * the second formula (repeatedly). */
static unsigned topo_peer(unsigned k)
{
	unsigned a = k % opt.nodes, j = k, b;

	do
		b = (unsigned)(((unsigned long long)j * 7 + 1) % opt.nodes);
	while (b == a && ++j < k + opt.nodes);
	return b;
}

static void run_topo(Result *res)
{
	unsigned nodes = opt.nodes, links = opt.links, k, v;
	int *nsfd = xcalloc(nodes, sizeof(int)), *fd = xcalloc(nodes, sizeof(int));
	uint32_t *ia = xcalloc(links, sizeof(uint32_t)), *ib = xcalloc(links, sizeof(uint32_t));
	/* Per node, the links it holds an end of (a: first end, b: second end), as lists. */
	unsigned *head_a = xcalloc(nodes, sizeof(unsigned));
	unsigned *head_b = xcalloc(nodes, sizeof(unsigned));
	unsigned *next_a = xcalloc(links, sizeof(unsigned));
	unsigned *next_b = xcalloc(links, sizeof(unsigned));
	unsigned *peer = xcalloc(links, sizeof(unsigned));

	if (nodes < 2 || links > 65536)
		die("topo: at least 2 nodes, at most 65536 links");
	for (v = 0; v < nodes; v++)
		head_a[v] = head_b[v] = UINT_MAX;
	for (k = links; k-- > 0;) {
		unsigned a = k % nodes;

		peer[k] = topo_peer(k);
		next_a[k] = head_a[a];
		head_a[a] = k;
		next_b[k] = head_b[peer[k]];
		head_b[peer[k]] = k;
	}

	for (v = 0; v < nodes; v++)
		ns_create(ns_path("%s-t%u", opt.prefix, v), &nsfd[v], &fd[v]);

	/* Each link is created from its first node, the peer directly in the second. */
	for (v = 0; v < nodes; v++) {
		batch_use(fd[v]);
		for (k = head_a[v]; k != UINT_MAX; k = next_a[k]) {
			char a[IFNAMSIZ], b[IFNAMSIZ];

			snprintf(a, sizeof(a), "t%ua", k);
			snprintf(b, sizeof(b), "t%ub", k);
			q_veth(a, -1, b, nsfd[peer[k]]);
		}
	}
	batch_flush();
	for (v = 0; v < nodes; v++) {
		char name[IFNAMSIZ];

		batch_use(fd[v]);
		for (k = head_a[v]; k != UINT_MAX; k = next_a[k]) {
			snprintf(name, sizeof(name), "t%ua", k);
			q_link_set(name, 0, true, false, 0);
			q_link_get(name, &ia[k]);
		}
		for (k = head_b[v]; k != UINT_MAX; k = next_b[k]) {
			snprintf(name, sizeof(name), "t%ub", k);
			q_link_set(name, 0, true, false, 0);
			q_link_get(name, &ib[k]);
		}
	}
	batch_flush();
	for (v = 0; v < nodes; v++) {
		batch_use(fd[v]);
		for (k = head_a[v]; k != UINT_MAX; k = next_a[k]) {
			q_addr4(ia[k], IP4(198, 18, 0, 0) + 2 * k, 31);
			q_route4(IP4(198, 19, k / 256, k % 256), 32, IP4(198, 18, 0, 0) + 2 * k + 1,
				 0);
		}
		for (k = head_b[v]; k != UINT_MAX; k = next_b[k]) {
			q_addr4(ib[k], IP4(198, 18, 0, 0) + 2 * k + 1, 31);
			q_route4(IP4(198, 19, k / 256, k % 256), 32, IP4(198, 18, 0, 0) + 2 * k, 0);
		}
	}
	batch_flush();
	for (v = 0; v < nodes; v++) {
		close(fd[v]);
		close(nsfd[v]);
	}
	free(nsfd);
	free(fd);
	free(ia);
	free(ib);
	free(head_a);
	free(next_a);
	free(head_b);
	free(next_b);
	free(peer);
	res->ops = nodes + 7ull * links;
}

/* ---- teardown with the probe that tells when the kernel has finished it */

static bool skip_entry(const char *name, const char *last)
{
	size_t plen = strlen(opt.prefix);

	if (name[0] == '.' || (opt.probe && strcmp(name, opt.probe) == 0) ||
	    strcmp(name, last) == 0)
		return true;
	if (opt.all)
		return false;
	return strncmp(name, opt.prefix, plen) != 0 || name[plen] != '-';
}

/* Deletes the run's namespaces (--all: every one in the netns dir but the probe's). If a probe
 * namespace is named, first a namespace made to be deleted last gets one end of a veth whose
 * other end is in the probe namespace; the kernel tears namespaces down in order, so it has
 * finished with ours once that end is gone. Returns the seconds waited for it, or -1. */
static double teardown(void)
{
	char last[NAME_MAX + 1], probe_link[IFNAMSIZ];
	int probe_ns = -1, probe_fd = -1, last_sock = -1;
	struct dirent *de;
	long long t0, deadline;
	DIR *d;

	snprintf(last, sizeof(last), "%s-zz-last", opt.prefix);
	snprintf(probe_link, sizeof(probe_link), "pr%u", (unsigned)getpid() % 1000000000u);
	if (opt.probe) {
		char *pp = ns_path("%s", opt.probe);

		if (access(pp, F_OK) < 0)
			ns_create(pp, &probe_ns, &probe_fd);
		else {
			probe_ns = ns_open(pp);
			probe_fd = sock_in(probe_ns);
		}
		ns_create(ns_path("%s", last), NULL, &last_sock);
		batch_use(last_sock);
		q_veth("probe0", -1, probe_link, probe_ns);
		batch_flush();
		close(last_sock);
		B.fd = -1;
	}

	d = opendir(opt.netns_dir);
	if (!d)
		die("opendir %s: %m", opt.netns_dir);
	while ((de = readdir(d))) {
		if (skip_entry(de->d_name, last))
			continue;
		ns_delete(ns_path("%s", de->d_name));
	}
	closedir(d);
	if (!opt.probe)
		return -1;

	ns_delete(ns_path("%s", last));
	t0 = now_ns();
	deadline = t0 + PROBE_CAP_NS;
	for (;;) {
		uint8_t buf[MSG_ROOM];
		int len = rtnl_link_get(buf, sizeof(buf), 0, probe_link), error = 0;
		ssize_t r;

		((struct nlmsghdr *)buf)->nlmsg_seq = 1;
		if (send(probe_fd, buf, len, 0) < 0)
			die("probe: send: %m");
		/* The reply (while the link exists) and then the ACK, or just an error. */
		for (;;) {
			struct nlmsghdr *nlh = (struct nlmsghdr *)rx_buf;

			r = recv(probe_fd, rx_buf, RX_BUFSZ, 0);
			if (r < 0)
				die("probe: recv: %m");
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				rtnl_parse_error(nlh, &error, NULL);
				break;
			}
		}
		if (error == -ENODEV)
			break;
		if (error < 0)
			die("probe: %s", strerror(-error));
		if (now_ns() > deadline) {
			fprintf(stderr, "nsring-floor: the teardown did not finish in 60 s\n");
			break;
		}
		nanosleep(&(struct timespec){ .tv_nsec = PROBE_POLL_NS }, NULL);
	}
	close(probe_fd);
	close(probe_ns);
	return (now_ns() - t0) / 1e9;
}

/* ---- main */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: nsring-floor [OPTIONS] WORKLOAD\n"
		"The C floor: WORKLOAD (veth, route, wire, wire-create, netns, delete, topo,\n"
		"sysctl, rule) of tests/bench/WORKLOADS.md done with raw rtnetlink, batched, from\n"
		"one thread.\n\n"
		"  -d, --netns-dir DIR     named namespaces live here (required)\n"
		"  -n, --count N           the workload's N (default 100)\n"
		"      --nodes N           topo: namespaces (default 16)\n"
		"      --links N           topo: veth links (default 32)\n"
		"  -p, --prefix P          name prefix (default nb<pid>)\n"
		"      --phase PHASE       all (default), setup, run or teardown\n"
		"      --probe NAME        teardown: wait for the kernel's teardown with a probe\n"
		"                          veth into namespace NAME (created if missing, kept)\n"
		"      --all               teardown: every namespace in DIR but the probe's\n"
		"      --del-each          delete: one RTM_DELLINK per link, not a link group\n"
		"      --max-inflight N    requests per sendmsg at most (default 4096)\n"
		"      --no-ipv6           create namespaces with IPv6 off (disable_ipv6 on all\n"
		"                          and default, written while creating each)\n"
		"  -j, --json              print the summary as JSON\n"
		"  -h, --help              show this help\n");
}

static unsigned parse_count(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > 10000000)
		die("bad %s: %s", what, s);
	return (unsigned)v;
}

static void parse_args(int argc, char **argv)
{
	enum { O_NODES = 256, O_LINKS, O_PHASE, O_PROBE, O_ALL, O_DEL_EACH, O_INFLIGHT, O_NO_IPV6 };
	static const struct option longopts[] = {
		{ "netns-dir", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "nodes", required_argument, NULL, O_NODES },
		{ "links", required_argument, NULL, O_LINKS },
		{ "prefix", required_argument, NULL, 'p' },
		{ "phase", required_argument, NULL, O_PHASE },
		{ "probe", required_argument, NULL, O_PROBE },
		{ "all", no_argument, NULL, O_ALL },
		{ "del-each", no_argument, NULL, O_DEL_EACH },
		{ "max-inflight", required_argument, NULL, O_INFLIGHT },
		{ "no-ipv6", no_argument, NULL, O_NO_IPV6 },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	static char prefix[32];
	unsigned w;
	int c;

	while ((c = getopt_long(argc, argv, "d:n:p:jh", longopts, NULL)) >= 0) {
		switch (c) {
		case 'd':
			opt.netns_dir = optarg;
			break;
		case 'n':
			opt.count = parse_count(optarg, "count");
			break;
		case O_NODES:
			opt.nodes = parse_count(optarg, "node count");
			break;
		case O_LINKS:
			opt.links = parse_count(optarg, "link count");
			break;
		case 'p':
			opt.prefix = optarg;
			break;
		case O_PHASE:
			opt.phase = optarg;
			break;
		case O_PROBE:
			opt.probe = optarg;
			break;
		case O_ALL:
			opt.all = true;
			break;
		case O_DEL_EACH:
			opt.del_each = true;
			break;
		case O_INFLIGHT:
			opt.max_inflight = parse_count(optarg, "in-flight cap");
			break;
		case O_NO_IPV6:
			opt.no_ipv6 = true;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (strcmp(opt.phase, "teardown") == 0 && optind == argc)
		opt.workload = W_VETH; /* a teardown needs no workload */
	else if (optind != argc - 1) {
		usage(stderr);
		exit(2);
	} else {
		for (w = 0; w < ARRAY_SIZE(workload_names); w++)
			if (strcmp(argv[optind], workload_names[w]) == 0)
				break;
		if (w == ARRAY_SIZE(workload_names))
			die("unknown workload %s", argv[optind]);
		opt.workload = w;
	}
	if (!opt.netns_dir)
		die("--netns-dir is required (this benchmark never uses /run/netns by default)");
	if (opt.all && (strcmp(opt.netns_dir, "/run/netns") == 0 ||
			strcmp(opt.netns_dir, "/var/run/netns") == 0))
		die("--all refuses to empty the system's netns directory");
	if (!opt.prefix) {
		snprintf(prefix, sizeof(prefix), "nb%u", (unsigned)getpid());
		opt.prefix = prefix;
	}
	if (strlen(opt.prefix) > 8)
		die("--prefix: at most 8 bytes (interface names are at most 15)");
	if (strcmp(opt.phase, "all") && strcmp(opt.phase, "setup") && strcmp(opt.phase, "run") &&
	    strcmp(opt.phase, "teardown"))
		die("unknown phase %s", opt.phase);
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void setup(void)
{
	Result ignored = { 0 };

	switch (opt.workload) {
	case W_VETH:
		setup_veth();
		break;
	case W_ROUTE:
		setup_route();
		break;
	case W_RULE:
		setup_rule();
		break;
	case W_WIRE:
		setup_host();
		setup_containers();
		break;
	case W_WIRE_CREATE:
		setup_host();
		break;
	case W_DELETE:
		setup_host();
		setup_containers();
		run_wire(&ignored, false);
		break;
	case W_SYSCTL:
		setup_sysctl();
		break;
	case W_NETNS:
	case W_TOPO:
		break;
	}
}

static void run(Result *res)
{
	long long t0 = now_ns();

	switch (opt.workload) {
	case W_VETH:
		run_veth(res);
		break;
	case W_ROUTE:
		run_route(res);
		break;
	case W_RULE:
		run_rule(res);
		break;
	case W_WIRE:
		run_wire(res, false);
		break;
	case W_WIRE_CREATE:
		run_wire(res, true);
		break;
	case W_NETNS:
		run_netns(res);
		break;
	case W_DELETE:
		run_delete(res);
		break;
	case W_TOPO:
		run_topo(res);
		break;
	case W_SYSCTL:
		run_sysctl(res);
		break;
	}
	res->elapsed_ns = now_ns() - t0;
}

static void print_result(const Result *res)
{
	double s = res->elapsed_ns / 1e9;
	unsigned long long count = opt.workload == W_TOPO ? opt.links : opt.count;
	char cps[32] = "null";

	if (res->containers)
		snprintf(cps, sizeof(cps), "%.1f", res->containers / s);
	if (opt.json) {
		printf("{\"tool\": \"floor\", \"workload\": \"%s\", \"count\": %llu, "
		       "\"ops\": %llu, \"elapsed_s\": %.6f, \"ops_per_s\": %.1f, "
		       "\"containers_per_s\": %s, "
		       "\"sendmsg_calls\": %llu, \"recv_calls\": %llu",
		       workload_names[opt.workload], count, res->ops, s, res->ops / s, cps,
		       n_sendmsg, n_recv_calls);
		if (opt.workload == W_TOPO)
			printf(", \"nodes\": %u, \"links\": %u", opt.nodes, opt.links);
		printf("}\n");
	} else {
		printf("workload %s count %llu ops %llu elapsed_s %.6f ops_per_s %.1f",
		       workload_names[opt.workload], count, res->ops, s, res->ops / s);
		if (res->containers)
			printf(" containers_per_s %s", cps);
		printf(" (sendmsg %llu, recv calls %llu)\n", n_sendmsg, n_recv_calls);
	}
}

int main(int argc, char **argv)
{
	Result res = { 0 };
	bool all;

	parse_args(argc, argv);
	raise_fd_limit();
	orig_netns = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig_netns < 0)
		die("open /proc/thread-self/ns/net: %m");
	batch_init();

	all = strcmp(opt.phase, "all") == 0;
	if (all || strcmp(opt.phase, "setup") == 0)
		setup();
	if (all || strcmp(opt.phase, "run") == 0) {
		/* Setup's counters are not the workload's. */
		n_sendmsg = n_recv_calls = 0;
		run(&res);
		print_result(&res);
		fflush(stdout);
	}
	if (all || strcmp(opt.phase, "teardown") == 0) {
		static char probe[64];
		double waited;

		if (all && !opt.probe) {
			snprintf(probe, sizeof(probe), "%s-probe", opt.prefix);
			opt.probe = probe;
		}
		waited = teardown();
		if (all)
			ns_delete(ns_path("%s", opt.probe));
		if (waited >= 0)
			fprintf(stderr,
				"nsring-floor: teardown finished %.3f s after the last delete\n",
				waited);
	}
	return 0;
}
