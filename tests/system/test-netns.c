/* System test for src/netns: creates, opens and deletes real network namespaces, in a private
 * mount namespace and a private netns directory, and checks the loop thread never moves. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <linux/veth.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <valgrind/valgrind.h>

#include "../common/check.h"
#include "core/names.h"
#include "core/macro.h"
#include "loop/loop.h"
#include "netns/netns-internal.h"
#include "netns/netns.h"

#define MAX_THREADS 4

/* A call's result against the one wanted, both shown with their errno names. */
#define CHECK_R(expr, want)                                                                        \
	do {                                                                                       \
		int _r = (expr), _w = (want);                                                      \
		if (_r != _w)                                                                      \
			CHECK_FAIL_("%s = %d (%s), want %d (%s)", #expr, _r,                       \
				    strerror(_r < 0 ? -_r : 0), _w, strerror(_w < 0 ? -_w : 0));   \
	} while (0)

/* White-box: the entry's private state (netns-internal.h). */
static bool ns_closed(Netns *ns)
{
	return netns_priv(ns)->closed;
}

static unsigned ns_refs(Netns *ns)
{
	return netns_priv(ns)->refs;
}

/* The upper layer's per-namespace state, as ops/nlconn would keep it in ns->priv. */
typedef struct Conn {
	int fd;
} Conn;

typedef struct Result {
	bool done;
	int r;
	Netns *ns;
} Result;

static char tmpdir[] = "/tmp/nsring-test-netns.XXXXXX";
static bool tmp_made, tmp_mounted;
static char nsdir[PATH_MAX];
static Loop *loop;
static NetnsRegistry *reg;
static ino_t loop_ns_ino, self_ns_ino;
static unsigned closes, outstanding, n_many = 1000;
static bool finished;
static uint32_t nl_seq;

static LoopDefer step_defer;
static LoopTimer quit_timer, tick_timer;
static unsigned step_idx;
static double t_start;

/* Results kept across steps. */
static Result self_res[3], a_res, b_res, alias_res[5];
static Result x_res, y_res, z_res, w_res, w_open_res, child_res;
static Result *many;
static uint64_t threads_before_aliases;
static pid_t ns_child = -1, ns_child2 = -1;
static int ns_child_pipe = -1, ns_child2_pipe = -1;
static Result e1_res, e2_res, e2b_res, p_res[4], self_held, e2_again;
static unsigned closes_mark, fds_mark;
static bool have_pidfd; /* without (valgrind 3.19 lacks it), processes are not watched */
static uint64_t threads_mark;

/* Waiting for something the loop does on its own (a watch firing, the idle sweep): counted as
 * outstanding, polled every 5 ms, fatal after the timeout. */
static bool (*wait_cond)(void);
static void nsdir_path(char *buf, size_t size, const char *name);
static LoopTimer wait_timer;
static uint64_t wait_deadline;

static void cleanup(void)
{
	/* Everything below lives in our private mount namespace; this only keeps /tmp tidy. */
	if (tmp_mounted)
		umount2(tmpdir, MNT_DETACH);
	if (tmp_made)
		rmdir(tmpdir);
	if (ns_child > 0)
		kill(ns_child, SIGKILL);
	if (ns_child2 > 0)
		kill(ns_child2, SIGKILL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static ino_t path_ino(const char *path)
{
	struct stat st;

	CHECK(stat(path, &st) == 0);
	return st.st_ino;
}

/* The invariant the whole design rests on. */
static void check_loop_ns(void)
{
	CHECK(path_ino("/proc/thread-self/ns/net") == loop_ns_ino);
	CHECK(path_ino("/proc/self/ns/net") == loop_ns_ino);
}

static ino_t sock_ns_ino(int fd)
{
	int nsfd = ioctl(fd, SIOCGSKNS);
	struct stat st;

	CHECK(nsfd >= 0);
	CHECK(fstat(nsfd, &st) == 0);
	close(nsfd);
	return st.st_ino;
}

static int conn_fd(Netns *ns)
{
	Conn *c = ns->priv;

	CHECK(c);
	return c->fd;
}

static void step_next(void)
{
	loop_defer(loop, &step_defer);
}

static void on_wait(LoopTimer *t)
{
	if (wait_cond()) {
		wait_cond = NULL;
		CHECK(outstanding > 0);
		if (--outstanding == 0)
			step_next();
		return;
	}
	if (loop_now(loop) >= wait_deadline) {
		fprintf(stderr, "netns: timed out waiting\n");
		exit(EXIT_FAILURE);
	}
	loop_timer_arm(loop, t, loop_now(loop) + 5 * 1000 * 1000);
}

static void wait_for(bool (*cond)(void), unsigned timeout_ms)
{
	CHECK(!wait_cond);
	wait_cond = cond;
	wait_timer.cb = on_wait;
	wait_deadline = loop_now(loop) + (uint64_t)timeout_ms * 1000 * 1000;
	outstanding++;
	loop_timer_arm(loop, &wait_timer, loop_now(loop) + 5 * 1000 * 1000);
}

static unsigned count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	CHECK(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the directory's own fd */
}

/* A child in a network namespace of its own; it exits when *ret_pipe is closed. */
static pid_t spawn_ns_child(int *ret_pipe)
{
	int p_ready[2], p_exit[2];
	pid_t pid;
	char c;

	CHECK(pipe2(p_ready, O_CLOEXEC) == 0 && pipe2(p_exit, O_CLOEXEC) == 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(p_exit[1]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (write(p_ready[1], "x", 1) != 1)
			_exit(1);
		_exit(read(p_exit[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p_ready[1]);
	close(p_exit[0]);
	*ret_pipe = p_exit[1];
	CHECK(read(p_ready[0], &c, 1) == 1);
	close(p_ready[0]);
	return pid;
}

/* Namespaces made elsewhere, as `ip netns add` would. */
static void make_external(const char *const *names, size_t n)
{
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0);
	if (pid == 0) {
		for (size_t i = 0; i < n; i++) {
			char path[PATH_MAX + 16];
			int fd;

			/* No CHECK(): exit() would run cleanup() in our mount namespace. */
			snprintf(path, sizeof(path), "%s/%s", nsdir, names[i]);
			fd = open(path, O_RDONLY | O_CREAT | O_EXCL, 0);
			if (fd < 0 || unshare(CLONE_NEWNET) < 0 ||
			    mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
				_exit(1);
			close(fd);
		}
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* As `ip netns del` does, behind the registry's back. */
static void remove_external(const char *name)
{
	char path[PATH_MAX];

	nsdir_path(path, sizeof(path), name);
	CHECK(umount2(path, MNT_DETACH) == 0);
	CHECK(unlink(path) == 0);
}

static void on_open(void *userdata, int r, Netns *ns)
{
	Result *res = userdata;

	check_loop_ns();
	CHECK(!res->done);
	res->done = true;
	res->r = r;
	res->ns = ns;
	if (r == 0) {
		CHECK(ns && !ns_closed(ns) && ns_refs(ns) >= 1 && ns->ns_fd >= 0);
		if (!ns->priv) {
			Conn *c = calloc(1, sizeof(*c));

			CHECK(c);
			c->fd = netns_take_nl_fd(ns);
			CHECK(c->fd >= 0);
			ns->priv = c;
		}
		/* Handed over exactly once. */
		CHECK(netns_take_nl_fd(ns) == -1);
	} else {
		CHECK(!ns);
	}
	CHECK(outstanding > 0);
	if (--outstanding == 0)
		step_next();
}

static void on_close(Netns *ns, void *userdata)
{
	Conn *c = ns->priv;

	check_loop_ns();
	closes++;
	if (c) {
		close(c->fd);
		free(c);
		ns->priv = NULL;
	}
}

static void open_ref(Result *res, NetnsRefType type, const char *str, pid_t pid)
{
	NetnsRef ref = { .type = type, .str = str, .pid = pid };

	memset(res, 0, sizeof(*res));
	CHECK_R(netns_open(reg, &ref, on_open, res), 0);
	outstanding++;
}

static void create(Result *res, const char *name)
{
	memset(res, 0, sizeof(*res));
	CHECK_R(netns_create(reg, name, on_open, res), 0);
	outstanding++;
}

static int open_sync_error(NetnsRefType type, const char *str, pid_t pid)
{
	NetnsRef ref = { .type = type, .str = str, .pid = pid };
	Result res = { 0 };
	int r = netns_open(reg, &ref, on_open, &res);

	CHECK(r < 0);
	return r;
}

static void check_ok(const Result *res)
{
	CHECK(res->done);
	CHECK_R(res->r, 0);
	CHECK(res->ns);
}

static void unref_result(Result *res)
{
	netns_unref(res->ns);
	res->ns = NULL;
}

static void nsdir_path(char *buf, size_t size, const char *name)
{
	CHECK((size_t)snprintf(buf, size, "%s/%s", nsdir, name) < size);
}

/* Mounts below the netns dir: namespace files left mounted by a create, delete or undo. */
static unsigned nsdir_mounts(void)
{
	char line[4096], prefix[PATH_MAX + 2];
	unsigned n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	CHECK(f);
	CHECK((size_t)snprintf(prefix, sizeof(prefix), " %s/", nsdir) < sizeof(prefix));
	while (fgets(line, sizeof(line), f))
		if (strstr(line, prefix))
			n++;
	fclose(f);
	return n;
}

/* ---- plain rtnetlink on the namespace's socket */

typedef struct LinkNames {
	char names[16][IFNAMSIZ];
	unsigned n;
} LinkNames;

static bool links_have(const LinkNames *ln, const char *name)
{
	for (unsigned i = 0; i < ln->n; i++)
		if (strcmp(ln->names[i], name) == 0)
			return true;
	return false;
}

static void nl_send(int fd, const struct nlmsghdr *nlh)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	CHECK(sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) ==
	      (ssize_t)nlh->nlmsg_len);
}

static ssize_t nl_recv(int fd, void *buf, size_t size)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	CHECK(poll(&p, 1, 5000) == 1);
	n = recv(fd, buf, size, 0);
	CHECK(n > 0);
	return n;
}

static int link_name_cb(const struct nlmsghdr *nlh, void *data)
{
	LinkNames *ln = data;
	const struct nlattr *attr;

	mnl_attr_for_each(attr, nlh, sizeof(struct ifinfomsg)) {
		if (mnl_attr_get_type(attr) == IFLA_IFNAME && ln->n < ARRAY_SIZE(ln->names))
			snprintf(ln->names[ln->n++], IFNAMSIZ, "%s", mnl_attr_get_str(attr));
	}
	return MNL_CB_OK;
}

static void dump_links(int fd, LinkNames *ln)
{
	static char buf[65536];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	uint32_t seq = ++nl_seq;
	int r;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	memset(ln, 0, sizeof(*ln));
	nl_send(fd, nlh);
	do {
		ssize_t n = nl_recv(fd, buf, sizeof(buf));

		r = mnl_cb_run(buf, (size_t)n, seq, 0, link_name_cb, ln);
		CHECK(r >= 0);
	} while (r != MNL_CB_STOP);
}

/* A veth pair, both ends in the socket's namespace: dummy is not built into the test kernel. */
static int make_veth(int fd, const char *name, const char *peer_name)
{
	char buf[4096];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *linkinfo, *data, *peer;
	struct ifinfomsg *ifm;
	uint32_t seq = ++nl_seq;
	ssize_t n;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer_name);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	nl_send(fd, nlh);
	n = nl_recv(fd, buf, sizeof(buf));
	if (mnl_cb_run(buf, (size_t)n, seq, 0, NULL, NULL) < 0)
		return -errno;
	return 0;
}

/* ---- steps: each runs on the loop thread once the previous one's callbacks have all come */

static void step_errors(void)
{
	static const char *const bad[] = { "", "a/b", "..", ".", "/", "a/" };
	char long_name[257], path[PATH_MAX];
	NetnsEntry *list;
	size_t n_list;
	pid_t dead;
	int status, fd;

	memset(long_name, 'x', 255);
	long_name[255] = '\0';
	CHECK(name_netns_valid(long_name));
	CHECK(name_netns_valid("a"));
	CHECK(name_netns_valid("..."));
	CHECK(!name_netns_valid(NULL));
	long_name[255] = 'x';
	long_name[256] = '\0';
	CHECK(!name_netns_valid(long_name));
	CHECK_R(netns_create(reg, long_name, on_open, NULL), -EINVAL);
	CHECK_R(open_sync_error(NETNS_REF_NAME, long_name, 0), -EINVAL);
	CHECK_R(netns_delete(reg, long_name), -EINVAL);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK(!name_netns_valid(bad[i]));
		CHECK_R(netns_create(reg, bad[i], on_open, NULL), -EINVAL);
		CHECK_R(open_sync_error(NETNS_REF_NAME, bad[i], 0), -EINVAL);
		CHECK_R(netns_delete(reg, bad[i]), -EINVAL);
	}

	/* The directory does not exist yet: an empty list, and no such namespace. */
	CHECK_R(netns_list(reg, &list, &n_list), 0);
	CHECK(n_list == 0);
	free(list);
	CHECK_R(open_sync_error(NETNS_REF_NAME, "nope", 0), -ENOENT);
	CHECK_R(netns_delete(reg, "nope"), -ENOENT);

	/* Paths outside the allowed directories (the netns dir, /run/netns, /var/run/netns,
	 * /proc), also by "..", are refused before anything is opened. */
	if (access("/etc/hostname", R_OK) == 0)
		CHECK_R(open_sync_error(NETNS_REF_PATH, "/etc/hostname", 0), -EPERM);
	CHECK((size_t)snprintf(path, sizeof(path), "%s/plain", tmpdir) < sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK_R(open_sync_error(NETNS_REF_PATH, path, 0), -EPERM);
	CHECK((size_t)snprintf(path, sizeof(path), "%s/../plain", nsdir) < sizeof(path));
	CHECK_R(open_sync_error(NETNS_REF_PATH, path, 0), -EPERM);
	CHECK((size_t)snprintf(path, sizeof(path), "%s/plain", tmpdir) < sizeof(path));
	CHECK(unlink(path) == 0);
	/* Files inside them that are not network namespaces (the netns dir may not exist yet). */
	CHECK((size_t)snprintf(path, sizeof(path), "%s/run", tmpdir) < sizeof(path));
	CHECK(mkdir(path, 0755) == 0 || errno == EEXIST);
	CHECK(mkdir(nsdir, 0755) == 0 || errno == EEXIST);
	CHECK((size_t)snprintf(path, sizeof(path), "%s/plain", nsdir) < sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	CHECK(fd >= 0);
	close(fd);
	CHECK_R(open_sync_error(NETNS_REF_PATH, path, 0), -EINVAL);
	CHECK(unlink(path) == 0);
	CHECK_R(open_sync_error(NETNS_REF_PATH, "/proc/self", 0), -EINVAL);
	/* A symlink in place of a namespace file is refused, even to a real namespace. */
	CHECK((size_t)snprintf(path, sizeof(path), "%s/link", nsdir) < sizeof(path));
	CHECK(symlink("/proc/self/ns/net", path) == 0);
	CHECK_R(open_sync_error(NETNS_REF_PATH, path, 0), -EPERM);
	CHECK(unlink(path) == 0);
	CHECK_R(open_sync_error(NETNS_REF_PATH, "/proc/self/ns/mnt", 0), -EINVAL);
	CHECK_R(open_sync_error(NETNS_REF_PATH, "relative/net", 0), -EINVAL);
	CHECK_R(open_sync_error(NETNS_REF_PATH, NULL, 0), -EINVAL);
	CHECK_R(open_sync_error(NETNS_REF_PATH, "/nonexistent/nsring/net", 0), -EPERM);
	CHECK((size_t)snprintf(path, sizeof(path), "%s/nonexistent/net", nsdir) < sizeof(path));
	CHECK_R(open_sync_error(NETNS_REF_PATH, path, 0), -ENOENT);
	CHECK_R(open_sync_error(NETNS_REF_PATH, "/proc/2147483647/ns/net", 0), -ENOENT);

	/* A pid that just exited and was reaped. */
	dead = fork();
	CHECK(dead >= 0);
	if (dead == 0)
		_exit(0);
	CHECK(waitpid(dead, &status, 0) == dead);
	CHECK_R(open_sync_error(NETNS_REF_PID, NULL, dead), -ESRCH);
	CHECK_R(open_sync_error(NETNS_REF_PID, NULL, 0), -EINVAL);
	CHECK_R(open_sync_error(NETNS_REF_PID, NULL, -5), -EINVAL);

	/* Two opens of one namespace before the loop runs share one helper job. */
	open_ref(&self_res[0], NETNS_REF_SELF, NULL, 0);
	open_ref(&self_res[1], NETNS_REF_SELF, NULL, 0);
	open_ref(&self_res[2], NETNS_REF_PID, NULL, getpid());
	create(&a_res, "a");
	create(&b_res, "b");
}

static void step_basics(void)
{
	char path[PATH_MAX], path2[PATH_MAX];
	NetnsEntry *list;
	LinkNames ln;
	size_t n_list;
	int fd;

	for (size_t i = 0; i < ARRAY_SIZE(self_res); i++) {
		check_ok(&self_res[i]);
		CHECK(self_res[i].ns == self_res[0].ns);
	}
	CHECK(self_res[0].ns->ino == self_ns_ino);
	CHECK(sock_ns_ino(conn_fd(self_res[0].ns)) == self_ns_ino);
	CHECK(ns_refs(self_res[0].ns) == 3);

	check_ok(&a_res);
	check_ok(&b_res);
	CHECK(a_res.ns != b_res.ns && a_res.ns->ino != b_res.ns->ino);
	CHECK(a_res.ns->ino != self_ns_ino && b_res.ns->ino != self_ns_ino);
	nsdir_path(path, sizeof(path), "a");
	CHECK(path_ino(path) == a_res.ns->ino);
	CHECK(sock_ns_ino(conn_fd(a_res.ns)) == a_res.ns->ino);
	nsdir_path(path, sizeof(path), "b");
	CHECK(path_ino(path) == b_res.ns->ino);
	CHECK(sock_ns_ino(conn_fd(b_res.ns)) == b_res.ns->ino);
	CHECK_R(netns_create(reg, "a", on_open, NULL), -EEXIST);

	CHECK_R(netns_list(reg, &list, &n_list), 0);
	CHECK(n_list == 2);
	CHECK(strcmp(list[0].name, "a") == 0 && list[0].ino == a_res.ns->ino);
	CHECK(strcmp(list[1].name, "b") == 0 && list[1].ino == b_res.ns->ino);
	free(list);

	/* The sockets really are in their namespaces: a new namespace has only lo, and a veth
	 * made through a's socket shows up in a, not in b nor in ours. */
	fd = conn_fd(a_res.ns);
	dump_links(fd, &ln);
	CHECK(ln.n == 1 && strcmp(ln.names[0], "lo") == 0);
	CHECK_R(make_veth(fd, "nsrtest0", "nsrtest1"), 0);
	dump_links(fd, &ln);
	CHECK(ln.n == 3 && links_have(&ln, "lo") && links_have(&ln, "nsrtest0") &&
	      links_have(&ln, "nsrtest1"));
	dump_links(conn_fd(b_res.ns), &ln);
	CHECK(ln.n == 1 && strcmp(ln.names[0], "lo") == 0);
	dump_links(conn_fd(self_res[0].ns), &ln);
	CHECK(!links_have(&ln, "nsrtest0") && !links_have(&ln, "nsrtest1"));

	/* A second name for a (what a container runtime's bind mount looks like). */
	nsdir_path(path, sizeof(path), "a");
	nsdir_path(path2, sizeof(path2), "a2");
	fd = open(path2, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	CHECK(fd >= 0);
	close(fd);
	CHECK(mount(path, path2, "none", MS_BIND, NULL) == 0);

	/* Every name of an open namespace is answered from the cache, without a thread. */
	threads_before_aliases = netns_registry_threads_started(reg);
	open_ref(&alias_res[0], NETNS_REF_NAME, "a", 0);
	open_ref(&alias_res[1], NETNS_REF_PATH, path, 0);
	open_ref(&alias_res[2], NETNS_REF_NAME, "a2", 0);
	open_ref(&alias_res[3], NETNS_REF_PATH, path2, 0);
	open_ref(&alias_res[4], NETNS_REF_NAME, "b", 0);
}

static void step_aliases(void)
{
	int status, p_ready[2], p_exit[2];
	pid_t pid;
	char c;

	for (size_t i = 0; i < 4; i++) {
		check_ok(&alias_res[i]);
		CHECK(alias_res[i].ns == a_res.ns);
	}
	check_ok(&alias_res[4]);
	CHECK(alias_res[4].ns == b_res.ns);
	CHECK(netns_registry_threads_started(reg) == threads_before_aliases);
	for (size_t i = 0; i < ARRAY_SIZE(alias_res); i++)
		unref_result(&alias_res[i]);
	CHECK(ns_refs(a_res.ns) == 1);

	/* Namespaces made elsewhere, as `ip netns add` would: x and z. */
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		static const char *const names[] = { "x", "z" };

		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			char path[PATH_MAX + 16];
			int fd;

			/* No CHECK(): exit() would run cleanup() in our mount namespace. */
			snprintf(path, sizeof(path), "%s/%s", nsdir, names[i]);
			fd = open(path, O_RDONLY | O_CREAT | O_EXCL, 0);
			if (fd < 0 || unshare(CLONE_NEWNET) < 0 ||
			    mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
				_exit(1);
			close(fd);
		}
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* A process in a namespace of its own, to open by pid. */
	CHECK(pipe2(p_ready, O_CLOEXEC) == 0 && pipe2(p_exit, O_CLOEXEC) == 0);
	ns_child = fork();
	CHECK(ns_child >= 0);
	if (ns_child == 0) {
		close(p_exit[1]);
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (write(p_ready[1], "x", 1) != 1)
			_exit(1);
		_exit(read(p_exit[0], &c, 1) == 0 ? 0 : 1);
	}
	close(p_ready[1]);
	close(p_exit[0]);
	ns_child_pipe = p_exit[1];
	CHECK(read(p_ready[0], &c, 1) == 1);
	close(p_ready[0]);

	/* Deleted while its helper job is queued or running: the open fails with -ENOENT. */
	open_ref(&x_res, NETNS_REF_NAME, "x", 0);
	CHECK_R(netns_delete(reg, "x"), 0);
	/* Deleted while being created: likewise, and nothing is left behind. */
	create(&y_res, "y");
	CHECK_R(netns_delete(reg, "y"), 0);
	/* Opened by name while being created: joins the creation. */
	create(&w_res, "w");
	open_ref(&w_open_res, NETNS_REF_NAME, "w", 0);
	open_ref(&z_res, NETNS_REF_NAME, "z", 0);
	open_ref(&child_res, NETNS_REF_PID, NULL, ns_child);
}

static void step_external(void)
{
	char path[PATH_MAX];
	unsigned closes_before;
	NetnsEntry *list;
	size_t n_list;
	struct stat st;
	Netns *held;
	int status;

	CHECK(x_res.done && x_res.r == -ENOENT);
	CHECK(y_res.done && y_res.r == -ENOENT);
	nsdir_path(path, sizeof(path), "x");
	CHECK(stat(path, &st) < 0 && errno == ENOENT);
	nsdir_path(path, sizeof(path), "y");
	CHECK(stat(path, &st) < 0 && errno == ENOENT);

	check_ok(&z_res);
	nsdir_path(path, sizeof(path), "z");
	CHECK(z_res.ns->ino == path_ino(path));
	CHECK(sock_ns_ino(conn_fd(z_res.ns)) == z_res.ns->ino);

	check_ok(&w_res);
	check_ok(&w_open_res);
	CHECK(w_res.ns == w_open_res.ns);
	nsdir_path(path, sizeof(path), "w");
	CHECK(w_res.ns->ino == path_ino(path));
	CHECK(sock_ns_ino(conn_fd(w_res.ns)) == w_res.ns->ino);

	check_ok(&child_res);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ns_child);
	CHECK(child_res.ns->ino == path_ino(path) && child_res.ns->ino != self_ns_ino);
	CHECK(sock_ns_ino(conn_fd(child_res.ns)) == child_res.ns->ino);
	close(ns_child_pipe);
	CHECK(waitpid(ns_child, &status, 0) == ns_child && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0);
	ns_child = -1;
	/* Still held: its pidfd reports the exit on a later turn (step_lifetime_start). */

	/* Deleting a namespace we have open closes it first, even while a reference is held:
	 * the entry is then freed at its last unref. */
	held = a_res.ns;
	a_res.ns = NULL;
	closes_before = closes;
	CHECK_R(netns_delete(reg, "a"), 0);
	CHECK(closes == closes_before + 1);
	CHECK(ns_closed(held) && held->ns_fd < 0 && !held->reg && !held->priv);
	CHECK(netns_take_nl_fd(held) == -1);
	netns_unref(held);
	/* a2 names the same namespace, already closed. */
	CHECK_R(netns_delete(reg, "a2"), 0);
	CHECK(closes == closes_before + 1);
	CHECK_R(open_sync_error(NETNS_REF_NAME, "a", 0), -ENOENT);

	unref_result(&b_res);
	unref_result(&z_res);
	unref_result(&w_res);
	unref_result(&w_open_res);
	CHECK_R(netns_delete(reg, "b"), 0);
	CHECK_R(netns_delete(reg, "z"), 0);
	CHECK_R(netns_delete(reg, "w"), 0);
	CHECK(closes == closes_before + 4);
	CHECK_R(netns_delete(reg, "b"), -ENOENT);

	CHECK_R(netns_list(reg, &list, &n_list), 0);
	CHECK(n_list == 0);
	free(list);

	for (size_t i = 0; i < ARRAY_SIZE(self_res); i++)
		unref_result(&self_res[i]);
}

/* ---- lifetime: namespaces that go away behind the registry's back, and idle ones */

static bool child_closed(void)
{
	return ns_closed(child_res.ns);
}

static void step_lifetime_start(void)
{
	/* The child opened by pid in step_aliases exited in step_external: its pidfd closes the
	 * entry, although we still hold it. */
	if (have_pidfd)
		wait_for(child_closed, 5000);
}

static void step_lifetime_setup(void)
{
	static const char *const names[] = { "e1", "e2" };
	char path[PATH_MAX], path2[PATH_MAX];
	Netns *ns = child_res.ns;
	int fd;

	if (have_pidfd)
		CHECK(ns_closed(ns) && !ns->reg && ns->ns_fd < 0 && !ns->priv);
	else
		CHECK(!ns_closed(ns)); /* left to the idle close below */
	unref_result(&child_res);
	CHECK(netns_registry_pid_watches(reg) == 0);

	/* e1: deleted behind our back. e2 with a second name e2b: only e2b is removed. */
	make_external(names, ARRAY_SIZE(names));
	nsdir_path(path, sizeof(path), "e2");
	nsdir_path(path2, sizeof(path2), "e2b");
	fd = open(path2, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	CHECK(fd >= 0);
	close(fd);
	CHECK(mount(path, path2, "none", MS_BIND, NULL) == 0);

	/* A process opened by pid and by its /proc paths: one namespace, one pidfd. */
	ns_child2 = spawn_ns_child(&ns_child2_pipe);
	open_ref(&e1_res, NETNS_REF_NAME, "e1", 0);
	open_ref(&e2_res, NETNS_REF_NAME, "e2", 0);
	open_ref(&e2b_res, NETNS_REF_PATH, path2, 0); /* a path in the dir counts as its name */
	open_ref(&p_res[0], NETNS_REF_PID, NULL, ns_child2);
	open_ref(&p_res[1], NETNS_REF_PID, NULL, ns_child2);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ns_child2);
	open_ref(&p_res[2], NETNS_REF_PATH, path, 0);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/ns/net", (int)ns_child2, (int)ns_child2);
	open_ref(&p_res[3], NETNS_REF_PATH, path, 0);
	/* Processes that do not exist, by pid and by path. */
	CHECK_R(open_sync_error(NETNS_REF_PID, NULL, INT_MAX), -ESRCH);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", INT_MAX);
	CHECK_R(open_sync_error(NETNS_REF_PATH, path, 0), -ENOENT);
}

static bool e1_and_pid_closed(void)
{
	return ns_closed(e1_res.ns) && (ns_closed(p_res[0].ns) || !have_pidfd);
}

static void step_lifetime_opened(void)
{
	char path[PATH_MAX];
	int status;

	check_ok(&e1_res);
	check_ok(&e2_res);
	check_ok(&e2b_res);
	CHECK(e2_res.ns == e2b_res.ns);
	for (size_t i = 0; i < ARRAY_SIZE(p_res); i++) {
		check_ok(&p_res[i]);
		CHECK(p_res[i].ns == p_res[0].ns);
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ns_child2);
	CHECK(p_res[0].ns->ino == path_ino(path));
	CHECK(netns_registry_pid_watches(reg) == (have_pidfd ? 1 : 0));
	for (size_t i = 1; i < ARRAY_SIZE(p_res); i++)
		unref_result(&p_res[i]);
	unref_result(&e2b_res);

	/* Held references do not keep a namespace that went away open: e1 and the pid's. */
	close(ns_child2_pipe);
	CHECK(waitpid(ns_child2, &status, 0) == ns_child2 && WIFEXITED(status));
	ns_child2 = -1;
	/* Nothing can be closed before this step returns to the loop. */
	closes_mark = closes;
	fds_mark = count_fds();
	remove_external("e1");
	remove_external("e2b");
	wait_for(e1_and_pid_closed, 5000);
}

static bool only_self_open(void)
{
	return netns_registry_open_count(reg) == 1;
}

static void step_lifetime_gone(void)
{
	Netns *e1 = e1_res.ns, *p = p_res[0].ns;

	CHECK(ns_closed(e1) && !e1->reg && e1->ns_fd < 0 && !e1->priv);
	if (have_pidfd)
		CHECK(ns_closed(p) && !p->reg && p->ns_fd < 0 && !p->priv);
	/* e2 lost a name but not the other: still open. */
	CHECK(!ns_closed(e2_res.ns));
	CHECK(closes == closes_mark + (have_pidfd ? 2 : 1));
	CHECK(netns_registry_pid_watches(reg) == 0);
	/* Each: the nsfs fd and the upper layer's socket; the pid's also its pidfd. */
	CHECK(count_fds() == fds_mark - (have_pidfd ? 5 : 2));
	unref_result(&e1_res);
	unref_result(&p_res[0]);
	CHECK_R(open_sync_error(NETNS_REF_NAME, "e1", 0), -ENOENT);
	CHECK_R(open_sync_error(NETNS_REF_NAME, "e2b", 0), -ENOENT);

	/* Idle close: e2 (nobody holds it) goes; our own namespace, held, stays. */
	unref_result(&e2_res);
	open_ref(&self_held, NETNS_REF_SELF, NULL, 0);
	/* Without pidfds, also the two namespaces opened by pid. */
	CHECK(netns_registry_open_count(reg) == (have_pidfd ? 2 : 4));
	closes_mark = closes;
	netns_registry_set_idle_close(reg, 100 * 1000 * 1000);
	wait_for(only_self_open, 5000);
}

static void step_idle_closed(void)
{
	check_ok(&self_held);
	CHECK(!ns_closed(self_held.ns));
	CHECK(closes == closes_mark + (have_pidfd ? 1 : 3));
	/* Reopened on demand: a fresh entry, a new helper job. */
	threads_mark = netns_registry_threads_started(reg);
	open_ref(&e2_again, NETNS_REF_NAME, "e2", 0);
}

static void step_idle_reopened(void)
{
	char path[PATH_MAX];

	check_ok(&e2_again);
	CHECK(netns_registry_threads_started(reg) == threads_mark + 1);
	nsdir_path(path, sizeof(path), "e2");
	CHECK(e2_again.ns->ino == path_ino(path));
	CHECK(sock_ns_ino(conn_fd(e2_again.ns)) == e2_again.ns->ino);
	netns_touch(e2_again.ns);
	netns_registry_set_idle_close(reg, 0);
	unref_result(&e2_again);
	unref_result(&self_held);
	CHECK_R(netns_delete(reg, "e2"), 0);
	CHECK(netns_registry_open_count(reg) == 1); /* ours */
}

/* Freeing the registry with work in flight: running creates are undone, queued ones never
 * start, a cached open not yet delivered is cancelled too; every callback gets -ECANCELED. */
static void step_cancel(void)
{
	static Result res[7];
	unsigned closes_before = closes;
	NetnsEntry *list;
	size_t n_list;
	char name[16];

	for (unsigned i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "c%u", i);
		create(&res[i], name);
	}
	open_ref(&res[6], NETNS_REF_SELF, NULL, 0);
	CHECK(netns_registry_max_threads_seen(reg) <= MAX_THREADS);
	netns_registry_free(reg);
	for (unsigned i = 0; i < ARRAY_SIZE(res); i++)
		CHECK(res[i].done && res[i].r == -ECANCELED && !res[i].ns);
	CHECK(outstanding == 0);
	/* Still open: our own namespace (the exited child's was closed by its pidfd). */
	CHECK(closes == closes_before + 1);

	CHECK_R(netns_registry_new(&reg, loop, nsdir, MAX_THREADS, on_close, NULL), 0);
	CHECK_R(netns_list(reg, &list, &n_list), 0);
	CHECK(n_list == 0);
	free(list);
}

static void many_name(char *buf, size_t size, unsigned i)
{
	snprintf(buf, size, "n%05u", i);
}

static void step_many_create(void)
{
	char name[16];

	many = calloc(n_many + 2, sizeof(*many));
	CHECK(many);
	t_start = now_s();
	for (unsigned i = 0; i < n_many; i++) {
		many_name(name, sizeof(name), i);
		create(&many[i], name);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void step_many_created(void)
{
	double t = now_s() - t_start;
	unsigned closes_before, open_entries;
	uint64_t *inos;
	NetnsEntry *list;
	size_t n_list;
	Netns *held;
	int r;

	fprintf(stderr, "netns: %u creates in %.3f s (%.0f/s), max %u threads alive\n", n_many,
		t, n_many / t, netns_registry_max_threads_seen(reg));
	CHECK(netns_registry_max_threads_seen(reg) <= MAX_THREADS);

	inos = calloc(n_many, sizeof(*inos));
	CHECK(inos);
	CHECK_R(netns_list(reg, &list, &n_list), 0);
	CHECK(n_list == n_many);
	CHECK(nsdir_mounts() == n_many);
	for (unsigned i = 0; i < n_many; i++) {
		char name[16];

		check_ok(&many[i]);
		many_name(name, sizeof(name), i);
		CHECK(strcmp(list[i].name, name) == 0 && list[i].ino == many[i].ns->ino);
		CHECK(sock_ns_ino(conn_fd(many[i].ns)) == many[i].ns->ino);
		inos[i] = many[i].ns->ino;
	}
	free(list);
	qsort(inos, n_many, sizeof(*inos), cmp_u64);
	for (unsigned i = 1; i < n_many; i++)
		CHECK(inos[i] != inos[i - 1]);
	free(inos);

	/* A fresh registry has nothing cached, so every open below needs a helper thread. Keep
	 * one reference across the free: it must stay valid until unref'd. */
	held = many[0].ns;
	for (unsigned i = 1; i < n_many; i++)
		unref_result(&many[i]);
	closes_before = closes;
	open_entries = n_many;
	netns_registry_free(reg);
	CHECK(closes == closes_before + open_entries);
	CHECK(ns_closed(held) && !held->reg && held->ns_fd < 0);
	netns_unref(held);
	many[0].ns = NULL;
	r = netns_registry_new(&reg, loop, nsdir, MAX_THREADS, on_close, NULL);
	CHECK_R(r, 0);

	memset(many, 0, (n_many + 2) * sizeof(*many));
	t_start = now_s();
	for (unsigned i = 0; i < n_many; i++) {
		char name[16];

		many_name(name, sizeof(name), i);
		open_ref(&many[i], NETNS_REF_NAME, name, 0);
	}
	/* Two more names for namespaces whose open is in flight: they share its job. */
	{
		char name[16], path[PATH_MAX];

		many_name(name, sizeof(name), 0);
		nsdir_path(path, sizeof(path), name);
		open_ref(&many[n_many], NETNS_REF_PATH, path, 0);
		many_name(name, sizeof(name), n_many - 1);
		open_ref(&many[n_many + 1], NETNS_REF_NAME, name, 0);
	}
}

static void step_many_opened(void)
{
	double t = now_s() - t_start;
	unsigned closes_before;
	NetnsEntry *list;
	size_t n_list;
	char name[16];

	fprintf(stderr, "netns: %u opens in %.3f s (%.0f/s), %" PRIu64 " threads, max %u alive\n",
		n_many, t, n_many / t, netns_registry_threads_started(reg),
		netns_registry_max_threads_seen(reg));
	CHECK(netns_registry_max_threads_seen(reg) <= MAX_THREADS);
	CHECK(netns_registry_max_threads_seen(reg) >= 1);
	CHECK(netns_registry_threads_started(reg) == n_many);

	CHECK_R(netns_list(reg, &list, &n_list), 0);
	CHECK(n_list == n_many);
	for (unsigned i = 0; i < n_many + 2; i++)
		check_ok(&many[i]);
	CHECK(many[n_many].ns == many[0].ns);
	CHECK(many[n_many + 1].ns == many[n_many - 1].ns);
	for (unsigned i = 0; i < n_many; i++) {
		CHECK(list[i].ino == many[i].ns->ino);
		CHECK(sock_ns_ino(conn_fd(many[i].ns)) == many[i].ns->ino);
	}
	free(list);
	for (unsigned i = 0; i < n_many + 2; i++)
		unref_result(&many[i]);

	closes_before = closes;
	t_start = now_s();
	for (unsigned i = 0; i < n_many; i++) {
		many_name(name, sizeof(name), i);
		CHECK_R(netns_delete(reg, name), 0);
	}
	t = now_s() - t_start;
	fprintf(stderr, "netns: %u deletes in %.3f s (%.0f/s)\n", n_many, t, n_many / t);
	CHECK(closes == closes_before + n_many);
	CHECK_R(netns_list(reg, &list, &n_list), 0);
	CHECK(n_list == 0);
	free(list);
	CHECK(nsdir_mounts() == 0);
	free(many);
	many = NULL;
}

/* Valgrind (3.19) keeps its big lock while a thread blocks in io_uring_enter(), so helper
 * threads could never run to raise the wake: keep the loop thread coming back out. */
static void on_tick(LoopTimer *t)
{
	if (!finished)
		loop_timer_arm(loop, t, loop_now(loop) + 20 * 1000);
}

static void on_quit(LoopTimer *t)
{
	loop_quit(loop, 0);
}

static void step_finish(void)
{
	unsigned closes_before = closes;

	CHECK(nsdir_mounts() == 0);

	netns_registry_free(reg);
	reg = NULL;
	CHECK(closes == closes_before);
	finished = true;
	/* A turn later, so the registry's LoopWake has completed and been released. */
	quit_timer.cb = on_quit;
	loop_timer_arm(loop, &quit_timer, loop_now(loop) + 10 * 1000 * 1000);
}

#define STEP(f) { #f, f }
static const struct {
	const char *name;
	void (*fn)(void);
} steps[] = {
	STEP(step_errors),	   STEP(step_basics),	      STEP(step_aliases),
	STEP(step_external),	   STEP(step_lifetime_start), STEP(step_lifetime_setup),
	STEP(step_lifetime_opened), STEP(step_lifetime_gone),  STEP(step_idle_closed),
	STEP(step_idle_reopened),  STEP(step_cancel),	      STEP(step_many_create),
	STEP(step_many_created),   STEP(step_many_opened),    STEP(step_finish),
};

static void step_run(LoopDefer *d)
{
	check_loop_ns();
	CHECK(outstanding == 0);
	CHECK(step_idx < ARRAY_SIZE(steps));
	current_test = steps[step_idx].name;
	steps[step_idx++].fn();
	if (!finished && outstanding == 0)
		step_next();
}

int main(void)
{
	struct rlimit rl;
	const char *e;
	int r;

	current_test = "setup";
	if (geteuid() != 0) {
		fprintf(stderr, "netns: not root, skipping\n");
		return 77;
	}
	e = getenv("NSRING_TEST_NETNS_COUNT");
	if (e)
		n_many = (unsigned)strtoul(e, NULL, 10);
	CHECK(n_many >= 2);

	/* Isolation first, while we are the only thread: everything mounted from here on lives in
	 * a private mount namespace that disappears with the process. */
	if (unshare(CLONE_NEWNS) < 0) {
		fprintf(stderr, "netns: unshare(CLONE_NEWNS): %m, skipping\n");
		return 77;
	}
	CHECK(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(mkdtemp(tmpdir));
	tmp_made = true;
	atexit(cleanup);
	CHECK(mount("tmpfs", tmpdir, "tmpfs", 0, "mode=0755") == 0);
	tmp_mounted = true;
	/* Not a mount point: exercises making the netns dir one, as `ip netns add` does. */
	CHECK((size_t)snprintf(nsdir, sizeof(nsdir), "%s/run/netns", tmpdir) < sizeof(nsdir));

	/* Two fds per namespace (ns file, socket) plus slack. */
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	rl.rlim_cur = rl.rlim_max;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	if (rl.rlim_cur < 2 * n_many + 64) {
		fprintf(stderr, "netns: RLIMIT_NOFILE %llu too low for %u namespaces, skipping\n",
			(unsigned long long)rl.rlim_cur, n_many);
		return 77;
	}

	r = (int)syscall(SYS_pidfd_open, getpid(), 0);
	have_pidfd = r >= 0;
	if (r >= 0)
		close(r);
	else
		fprintf(stderr, "netns: no pidfd_open(): not checking process watches\n");

	loop_ns_ino = path_ino("/proc/thread-self/ns/net");
	self_ns_ino = path_ino("/proc/self/ns/net");
	CHECK(loop_ns_ino == self_ns_ino);

	CHECK_R(loop_new(&loop, 256), 0);
	CHECK_R(netns_registry_new(&reg, loop, nsdir, MAX_THREADS, on_close, NULL), 0);
	step_defer.cb = step_run;
	step_next();
	if (RUNNING_ON_VALGRIND) {
		tick_timer.cb = on_tick;
		on_tick(&tick_timer);
	}
	r = loop_run(loop);
	CHECK_R(r, 0);
	CHECK(finished);
	loop_free(loop);
	check_loop_ns();
	fprintf(stderr, "netns: OK\n");
	return 0;
}
