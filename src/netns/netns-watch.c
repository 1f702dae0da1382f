/* Noticing namespaces that go away, and the idle close: a socket of ours pins its namespace, so
 * nobody else can free it until we let go, and nobody tells us. What we can watch is how the
 * namespace was reached: a name in the netns dir (inotify) or a process in it (pidfd). When
 * one of those goes away, an entry none of its remembered references reaches any more is
 * closed; an entry nobody uses is closed after the idle time (netns_registry_set_idle_close()). */
#include "netns-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/list.h"
#include "core/log.h"

/* The idle sweep walks every entry: at most once a second, whatever the idle time. */
#define NETNS_SWEEP_MIN NETNS_SEC

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL /* Linux 6.9: a pidfd for one thread, not the thread group */
#endif

/* Names leaving the directory, and the directory itself going away (the kernel adds
 * IN_IGNORED, IN_UNMOUNT and IN_Q_OVERFLOW on its own). A name arriving (IN_MOVED_TO) can
 * only replace a file that is not mounted, but costs nothing to check. */
#define NETNS_INOTIFY_MASK                                                                         \
	(IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |    \
	 IN_CREATE)

/* Any loop thread may use the orphan list (see NetnsOrphan), hence the lock. */
static pthread_mutex_t netns_orphans_lock = PTHREAD_MUTEX_INITIALIZER;
static NetnsOrphan *netns_orphans;

size_t netns_registry_pid_watches(const NetnsRegistry *reg)
{
	return reg->n_pid_watches;
}

/* ---- orphaned io_uring operations (see NetnsOrphan) */

void netns_orphan_add(NetnsOrphan *o)
{
	pthread_mutex_lock(&netns_orphans_lock);
	o->prev = NULL;
	LIST_PREPEND(netns_orphans, o, prev, next);
	pthread_mutex_unlock(&netns_orphans_lock);
}

void netns_orphan_remove(NetnsOrphan *o)
{
	pthread_mutex_lock(&netns_orphans_lock);
	LIST_UNLINK(netns_orphans, o, prev, next);
	pthread_mutex_unlock(&netns_orphans_lock);
}

/* Stops watching the processes ns was opened by. The pidfd stays open until the poll's final
 * completion: closed earlier, its number could be reused before the POLL_ADD is submitted. */
void netns_pid_watches_cancel(NetnsRegistry *reg, NetnsPriv *ns)
{
	NetnsPidWatch *w;

	while ((w = ns->pid_watches)) {
		struct io_uring_sqe *sqe;

		ns->pid_watches = w->next;
		w->next = NULL;
		w->ns = NULL;
		reg->n_pid_watches--;
		netns_orphan_add(&w->orphan);
		/* No owner for the removal's own completion: the loop skips a NULL op. */
		sqe = loop_sqe(reg->loop, NULL);
		io_uring_prep_poll_remove(sqe, (uint64_t)(uintptr_t)&w->op);
	}
}

/* ---- reachability */

/* Whether path (following a mount) is ns's nsfs file. */
static bool netns_path_is(const char *path, const NetnsPriv *ns)
{
	struct stat st;

	return stat(path, &st) == 0 && (uint64_t)st.st_dev == ns->dev &&
	       (uint64_t)st.st_ino == ns->ino;
}

static bool netns_name_is(NetnsRegistry *reg, const char *name, const NetnsPriv *ns)
{
	char buf[PATH_MAX];
	int n;

	n = snprintf(buf, sizeof(buf), "%s/%s", reg->dir, name);
	return n > 0 && (size_t)n < sizeof(buf) && netns_path_is(buf, ns);
}

/* Whether a reference ns was opened by still reaches it. Names that no longer do are
 * forgotten, so a namespace that had many names over time does not collect them. */
static bool netns_reachable(NetnsRegistry *reg, NetnsPriv *ns)
{
	NetnsName *nn, *next;
	char buf[PATH_MAX];
	NetnsPidWatch *w;
	bool named = false;

	if (ns->self)
		return true;
	for (nn = ns->names; nn; nn = next) {
		next = nn->next;
		if (netns_name_is(reg, nn->name, ns))
			named = true;
		else
			netns_entry_drop_name(reg, ns, nn);
	}
	if (named)
		return true;
	if (ns->path && netns_path_is(ns->path, ns))
		return true;
	/* A process still alive counts only if it is still in the namespace: it may have moved. */
	for (w = ns->pid_watches; w; w = w->next) {
		snprintf(buf, sizeof(buf), "/proc/%d/ns/net", (int)w->pid);
		if (netns_path_is(buf, ns))
			return true;
	}
	return false;
}

/* A set of entries to check, each holding a reference: closing one runs the upper layer's
 * callback, which may open, close and free other entries, so never walk a chain meanwhile. */
typedef struct NetnsSet {
	NetnsPriv **v;
	size_t n, cap;
} NetnsSet;

static void netns_set_add(NetnsSet *set, NetnsPriv *ns)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		NetnsPriv **v = realloc(set->v, cap * sizeof(*v));

		if (!v)
			return; /* checked at the next event, or closed when idle */
		set->v = v;
		set->cap = cap;
	}
	set->v[set->n++] = netns_ref_priv(ns);
}

static void netns_set_revalidate(NetnsRegistry *reg, NetnsSet *set)
{
	for (size_t i = 0; i < set->n; i++) {
		NetnsPriv *ns = set->v[i];

		if (!ns->closed && !netns_reachable(reg, ns)) {
			log_debug("netns: namespace %" PRIu64 " went away: closing it", ns->ino);
			netns_close_entry(reg, ns);
		}
		netns_unref(&ns->pub);
	}
	free(set->v);
	*set = (NetnsSet){ 0 };
}

/* name left the netns dir (or arrived, replacing a file). */
static void netns_name_changed(NetnsRegistry *reg, const char *name)
{
	uint64_t h = netns_name_hash(name);
	NetnsSet set = { 0 };
	HNode *n;

	hmap_for_hash(&reg->names, h, n) {
		NetnsName *nn = container_of(n, NetnsName, hnode);

		if (strcmp(nn->name, name) == 0)
			netns_set_add(&set, nn->ns);
	}
	netns_set_revalidate(reg, &set);
}

/* Events were lost, or the directory itself went away: check every entry with a name. */
void netns_revalidate_named(NetnsRegistry *reg)
{
	NetnsSet set = { 0 };
	HNode *n, *tmp;
	size_t i;

	hmap_for_each(&reg->entries, i, n, tmp) {
		NetnsPriv *ns = container_of(n, NetnsPriv, hnode);

		if (ns->names)
			netns_set_add(&set, ns);
	}
	netns_set_revalidate(reg, &set);
}

/* ---- process watches */

static void netns_pid_watch_done(LoopOp *op, int res, uint32_t flags)
{
	NetnsPidWatch *w = container_of(op, NetnsPidWatch, op), **p;
	NetnsSet set = { 0 };
	NetnsPriv *ns = w->ns;

	if (ns) {
		NetnsRegistry *reg = ns->reg;

		/* Whatever the result, this poll is over: stop watching, then check the entry
		 * if the process exited (an error leaves it to the idle close). */
		for (p = &ns->pid_watches; *p != w; p = &(*p)->next)
			;
		*p = w->next;
		reg->n_pid_watches--;
		if (res > 0) {
			netns_set_add(&set, ns);
			netns_set_revalidate(reg, &set);
		} else {
			log_debug("netns: watching pid %d failed: %s", (int)w->pid, strerror(-res));
		}
	} else {
		netns_orphan_remove(&w->orphan);
	}
	close(w->pidfd);
	free(w);
}

/* A pidfd for the process or thread id, to learn when it exits. -ESRCH: no such process;
 * another error: it cannot be watched, and the open goes on without. */
int netns_pidfd_open(NetnsRegistry *reg, pid_t id)
{
	int fd, r;

	if (reg->no_pidfd)
		return -ENOSYS;
	fd = (int)syscall(SYS_pidfd_open, id, 0);
	if (fd < 0 && errno == EINVAL) /* a thread, not a process: Linux 6.9 can watch those */
		fd = (int)syscall(SYS_pidfd_open, id, PIDFD_THREAD);
	if (fd >= 0)
		return fd;
	r = negative_errno();
	if (r == -ENOSYS) {
		log_debug("netns: no pidfd_open(): namespaces opened by pid are closed only when "
			  "idle");
		reg->no_pidfd = true;
	} else if (r != -ESRCH) {
		log_debug("netns: pidfd_open(%d): %s", (int)id, strerror(-r));
	}
	return r;
}

/* Whether the process a pidfd names has exited (a pidfd polls readable then). */
bool netns_pidfd_exited(int pidfd)
{
	struct pollfd p = { .fd = pidfd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static bool netns_parse_id(const char *s, const char **ret_end, pid_t *ret)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || v == 0 || v > INT_MAX)
		return false;
	*ret = (pid_t)v;
	*ret_end = end;
	return true;
}

/* The process (or thread) whose exit makes /proc/PID/ns/net or /proc/PID/task/TID/ns/net go
 * away; 0 for other paths. */
pid_t netns_proc_path_id(const char *path)
{
	const char *p;
	pid_t pid, tid;

	if (strncmp(path, "/proc/", 6) != 0 || !netns_parse_id(path + 6, &p, &pid))
		return 0;
	if (strcmp(p, "/ns/net") == 0)
		return pid;
	if (strncmp(p, "/task/", 6) != 0 || !netns_parse_id(p + 6, &p, &tid))
		return 0;
	return strcmp(p, "/ns/net") == 0 ? tid : 0;
}

/* Adopts pidfd: ns is watched until id exits, once per id however often it is opened by it. */
void netns_watch_pid(NetnsRegistry *reg, NetnsPriv *ns, int pidfd, pid_t id)
{
	struct io_uring_sqe *sqe;
	NetnsPidWatch *w;

	if (ns->self)
		goto drop; /* ours: it cannot go away */
	for (w = ns->pid_watches; w; w = w->next)
		if (w->pid == id)
			goto drop;
	w = calloc(1, sizeof(*w));
	if (!w)
		goto drop;
	w->op.cb = netns_pid_watch_done;
	w->ns = ns;
	w->pidfd = pidfd;
	w->pid = id;
	w->next = ns->pid_watches;
	ns->pid_watches = w;
	reg->n_pid_watches++;
	sqe = loop_sqe(reg->loop, &w->op);
	io_uring_prep_poll_add(sqe, pidfd, POLLIN);
	return;
drop:
	close(pidfd);
}

/* ---- the netns dir watch */

static void netns_inotify_arm(NetnsInotify *in)
{
	struct io_uring_sqe *sqe = loop_sqe(in->reg->loop, &in->op);

	io_uring_prep_read(sqe, in->fd, in->u.buf, sizeof(in->u.buf), 0);
	in->armed = true;
}

void netns_inotify_free(NetnsInotify *in)
{
	if (!in)
		return;
	if (in->armed) {
		/* The kernel may still write into in->u: free it on the read's final completion. */
		struct io_uring_sqe *sqe = loop_sqe(in->reg->loop, NULL);

		io_uring_prep_cancel(sqe, &in->op, 0);
		in->reg = NULL;
		netns_orphan_add(&in->orphan);
		return;
	}
	close(in->fd);
	free(in);
}

static void netns_inotify_process(NetnsRegistry *reg, const char *buf, size_t len)
{
	const struct inotify_event *ev;
	bool all = false;

	for (size_t off = 0; off + sizeof(*ev) <= len; off += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)(buf + off);
		if (ev->mask &
		    (IN_Q_OVERFLOW | IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
			all = true;
		} else if (!all && ev->len > 0 && !(ev->mask & IN_ISDIR) &&
			   (ev->mask & (IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO))) {
			netns_name_changed(reg, ev->name);
		}
		if (reg->dir_cb && !all && ev->len > 0 && !(ev->mask & IN_ISDIR) &&
		    (ev->mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)))
			reg->dir_cb(reg->dir_userdata, ev->name);
	}
	if (all && reg->dir_cb)
		reg->dir_cb(reg->dir_userdata, NULL);
	if (all) {
		/* IN_IGNORED: the watch is gone with the directory; the next name opened or
		 * created adds it again (netns_watch_dir()). */
		log_debug("netns: %s: directory changed or events lost: checking every name",
			  reg->dir);
		netns_revalidate_named(reg);
	}
}

static void netns_inotify_done(LoopOp *op, int res, uint32_t flags)
{
	NetnsInotify *in = container_of(op, NetnsInotify, op);
	NetnsRegistry *reg = in->reg;

	in->armed = false;
	if (!reg) {
		netns_orphan_remove(&in->orphan);
		close(in->fd);
		free(in);
		return;
	}
	if (res > 0) {
		mem_mark_defined(in->u.buf, (size_t)res);
		netns_inotify_process(reg, in->u.buf, (size_t)res);
	} else if (res != -EINTR && res != -EAGAIN) {
		/* Not expected; re-arming could spin on it. Names are then closed when idle. */
		log_debug("netns: reading inotify events failed: %s; %s is no longer watched",
			  strerror(-res), reg->dir);
		reg->inotify = NULL;
		close(in->fd);
		free(in);
		netns_revalidate_named(reg);
		return;
	}
	netns_inotify_arm(in);
}

int netns_inotify_new(NetnsRegistry *reg, NetnsInotify **ret)
{
	NetnsInotify *in = calloc(1, sizeof(*in));

	if (!in)
		return -ENOMEM;
	/* IN_NONBLOCK: io_uring then waits by polling; on a blocking fd it would park an io-wq
	 * thread in read(). */
	in->fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in->fd < 0) {
		int r = negative_errno();

		free(in);
		return r;
	}
	in->op.cb = netns_inotify_done;
	in->reg = reg;
	netns_inotify_arm(in);
	*ret = in;
	return 0;
}

/* (Re)adds the watch on the netns dir. Called for every new name: cheap (an existing watch is
 * returned as is), and it follows the directory when it was removed and made again or
 * mounted over since. Fails quietly: the idle close remains. */
void netns_watch_dir(NetnsRegistry *reg)
{
	int wd;

	if (!reg->inotify)
		return;
	wd = inotify_add_watch(reg->inotify->fd, reg->dir, NETNS_INOTIFY_MASK);
	if (wd < 0) {
		if (errno != ENOENT)
			log_debug("netns: cannot watch %s: %m", reg->dir);
		return;
	}
	if (wd == reg->dir_wd)
		return;
	/* A new watch: names removed before it existed sent us nothing. Check them, but on the
	 * next wake: we may be inside netns_open(), which never runs callbacks. */
	reg->dir_wd = wd;
	reg->revalidate = true;
	netns_pool_wake(&reg->pool);
}

/* ---- what an entry remembers */

void netns_add_name(NetnsRegistry *reg, NetnsPriv *ns, const char *name)
{
	size_t len = strlen(name);
	NetnsName *nn;

	for (nn = ns->names; nn; nn = nn->next)
		if (strcmp(nn->name, name) == 0)
			return;
	nn = malloc(sizeof(*nn) + len + 1);
	if (!nn)
		return; /* best effort: the idle close remains */
	memcpy(nn->name, name, len + 1);
	nn->ns = ns;
	if (hmap_insert(&reg->names, &nn->hnode, netns_name_hash(name)) < 0) {
		free(nn);
		return;
	}
	nn->next = ns->names;
	ns->names = nn;
	netns_watch_dir(reg);
}

void netns_set_path(NetnsPriv *ns, const char *path)
{
	char *s;

	if (ns->path && strcmp(ns->path, path) == 0)
		return;
	s = strdup(path);
	if (!s)
		return;
	free(ns->path);
	ns->path = s;
}

/* ---- the idle close */

void netns_sweep_arm(NetnsRegistry *reg)
{
	if (!reg->idle_ns || !reg->entries.n || reg->freeing || loop_timer_armed(&reg->sweep))
		return;
	loop_timer_arm(reg->loop, &reg->sweep,
		       loop_now(reg->loop) + MAX(reg->idle_ns / 4, NETNS_SWEEP_MIN));
}

void netns_sweep(LoopTimer *t)
{
	NetnsRegistry *reg = container_of(t, NetnsRegistry, sweep);
	uint64_t now = loop_now(reg->loop);
	NetnsSet set = { 0 };
	HNode *n, *tmp;
	size_t i;

	hmap_for_each(&reg->entries, i, n, tmp) {
		NetnsPriv *ns = container_of(n, NetnsPriv, hnode);

		if (ns->refs == 0 && !ns->opening && now - ns->last_used >= reg->idle_ns)
			netns_set_add(&set, ns);
	}
	for (i = 0; i < set.n; i++) {
		NetnsPriv *ns = set.v[i];

		/* Still idle: closing another entry may have started an operation on this one. */
		if (!ns->closed && ns->refs == 1) {
			log_debug("netns: namespace %" PRIu64 " idle for %" PRIu64 " s: closing it",
				  ns->ino, (now - ns->last_used) / NETNS_SEC);
			netns_close_entry(reg, ns);
		}
		netns_unref(&ns->pub);
	}
	free(set.v);
	netns_sweep_arm(reg);
}

void netns_registry_set_idle_close(NetnsRegistry *reg, uint64_t idle_ns)
{
	reg->idle_ns = idle_ns;
	loop_timer_disarm(reg->loop, &reg->sweep);
	netns_sweep_arm(reg);
}

void netns_registry_set_dir_cb(NetnsRegistry *reg, netns_dir_cb cb, void *userdata)
{
	reg->dir_cb = cb;
	reg->dir_userdata = userdata;
	netns_watch_dir(reg);
}
