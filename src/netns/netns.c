/* Namespace registry: resolves references to nsfs files on the loop thread (path policy),
 * identifies namespaces by inode so that every way of naming one shares one entry, and opens
 * new ones through a helper thread (netns-pool.c). What else an entry goes through lives
 * beside it: netns-watch.c (noticing it go away, the idle close), netns-named.c (create,
 * delete, list). */
#include "netns-internal.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/log.h"
#include "core/names.h"

const char *netns_registry_dir(const NetnsRegistry *reg)
{
	return reg->dir;
}

size_t netns_registry_open_count(const NetnsRegistry *reg)
{
	return reg->entries.n;
}

/* ---- the (dev, ino) index */

static uint64_t netns_entry_hash(uint64_t dev, uint64_t ino)
{
	return hmap_hash_u64(ino ^ (dev << 32 | dev >> 32));
}

NetnsPriv *netns_entry_find(NetnsRegistry *reg, uint64_t dev, uint64_t ino)
{
	uint64_t h = netns_entry_hash(dev, ino);
	HNode *n;

	hmap_for_hash(&reg->entries, h, n) {
		NetnsPriv *ns = container_of(n, NetnsPriv, hnode);

		if (ns->dev == dev && ns->ino == ino)
			return ns;
	}
	return NULL;
}

/* Forgets one name of ns. */
void netns_entry_drop_name(NetnsRegistry *reg, NetnsPriv *ns, NetnsName *nn)
{
	NetnsName **p;

	for (p = &ns->names; *p != nn; p = &(*p)->next)
		;
	*p = nn->next;
	hmap_remove(&reg->names, &nn->hnode);
	free(nn);
}

/* ---- entries */

/* A new entry in the index, or NULL (out of memory; ns_fd is then still the caller's). */
NetnsPriv *netns_entry_new(NetnsRegistry *reg, int ns_fd, uint64_t dev, uint64_t ino)
{
	NetnsPriv *ns = calloc(1, sizeof(*ns));

	if (!ns)
		return NULL;
	ns->reg = reg;
	ns->dev = dev;
	ns->ino = ino;
	ns->ns_fd = ns_fd;
	ns->nl_fd = -1;
	ns->self = dev == reg->nsfs_dev && ino == reg->self_ino;
	ns->last_used = loop_now(reg->loop);
	if (hmap_insert(&reg->entries, &ns->hnode, netns_entry_hash(dev, ino)) < 0) {
		free(ns);
		return NULL;
	}
	netns_sweep_arm(reg);
	return ns;
}

static void netns_entry_free(NetnsPriv *ns)
{
	safe_close(ns->ns_fd);
	safe_close(ns->nl_fd);
	assert(!ns->names); /* dropped when the entry was closed */
	free(ns->path);
	free(ns);
}

Netns *netns_ref(Netns *pub)
{
	netns_priv(pub)->refs++;
	return pub;
}

void netns_unref(Netns *pub)
{
	NetnsPriv *ns;

	if (!pub)
		return;
	ns = netns_priv(pub);
	assert(ns->refs > 0);
	/* An entry nobody references stays cached while it is open: it is what the upper layer's
	 * connection for the namespace hangs on. It is closed when the namespace goes away or,
	 * if asked, when it sits idle (the sweep in netns-watch.c). */
	if (--ns->refs > 0)
		return;
	if (!ns->closed) {
		/* Idle from now on: a request that waited long in the kernel (rtnl_lock held by a
		 * namespace teardown) used it until its answer, not just when it started. */
		if (ns->reg)
			ns->last_used = loop_now(ns->reg->loop);
		return;
	}
	netns_entry_free(ns);
}

int netns_take_nl_fd(Netns *ns)
{
	return TAKE_FD(netns_priv(ns)->nl_fd);
}

void netns_touch(Netns *ns)
{
	if (ns && ns->reg)
		netns_priv(ns)->last_used = loop_now(ns->reg->loop);
}

/* ---- deliveries */

static void netns_pending_run(NetnsRegistry *reg);

static void netns_pending_defer_cb(LoopDefer *d)
{
	netns_pending_run(container_of(d, NetnsRegistry, pending_defer));
}

/* Queues a result for the end of this loop turn, so callbacks never run inside the API call
 * that caused them (and cost no wakeup). ns carries a reference taken by the caller. */
void netns_pending_add(NetnsRegistry *reg, NetnsWaiter *w, int r, NetnsPriv *ns)
{
	w->r = r;
	w->ns = ns;
	w->next = NULL;
	*reg->pending_tail = w;
	reg->pending_tail = &w->next;
	loop_defer(reg->loop, &reg->pending_defer);
}

NetnsWaiter *netns_waiters_reverse(NetnsWaiter *w)
{
	NetnsWaiter *out = NULL;

	while (w) {
		NetnsWaiter *next = w->next;

		w->next = out;
		out = w;
		w = next;
	}
	return out;
}

/* Hands ns to every waiter, each with its own reference. Waiter lists are built by prepending,
 * so reverse them to answer in the order the opens were issued. */
void netns_waiters_deliver(NetnsPriv *ns, NetnsWaiter *w)
{
	w = netns_waiters_reverse(w);
	/* A callback may delete the namespace and drop its reference: keep ns alive meanwhile. */
	ns->refs++;
	while (w) {
		NetnsWaiter *next = w->next;

		if (ns->closed) {
			w->cb(w->userdata, -ENOENT, NULL);
		} else {
			ns->refs++;
			w->cb(w->userdata, 0, &ns->pub);
		}
		free(w);
		w = next;
	}
	netns_unref(&ns->pub);
}

void netns_waiters_fail(NetnsWaiter *w, int r)
{
	w = netns_waiters_reverse(w);
	while (w) {
		NetnsWaiter *next = w->next;

		w->cb(w->userdata, r, NULL);
		free(w);
		w = next;
	}
}

static void netns_pending_run(NetnsRegistry *reg)
{
	NetnsWaiter *w = reg->pending;

	reg->pending = NULL;
	reg->pending_tail = &reg->pending;
	while (w) {
		NetnsWaiter *next = w->next;
		NetnsPriv *ns = w->ns;
		int r = w->r;

		if (ns && (ns->closed || reg->freeing)) {
			/* Deleted (or shutting down) since the open was answered from the cache. */
			netns_unref(&ns->pub);
			ns = NULL;
			r = reg->freeing ? -ECANCELED : -ENOENT;
		}
		w->cb(w->userdata, r, ns ? &ns->pub : NULL);
		free(w);
		w = next;
	}
}

/* ---- closing */

/* Takes ns out of every lookup: the indexes and the watches. */
static void netns_detach(NetnsRegistry *reg, NetnsPriv *ns)
{
	hmap_remove(&reg->entries, &ns->hnode);
	while (ns->names)
		netns_entry_drop_name(reg, ns, ns->names);
	free(ns->path);
	ns->path = NULL;
	netns_pid_watches_cancel(reg, ns);
}

/* Closes an entry: after this no fd of ours refers to the namespace (except a helper thread
 * that is still opening it; its job closes what it returns). */
void netns_close_entry(NetnsRegistry *reg, NetnsPriv *ns)
{
	netns_detach(reg, ns);
	ns->closed = true;
	ns->refs++; /* close_cb may drop the last reference */
	if (ns->opening) {
		/* The helper thread still uses ns_fd: the job closes it and frees the entry. */
		NetnsWaiter *w = netns_waiters_reverse(ns->waiters);

		ns->waiters = NULL;
		while (w) {
			NetnsWaiter *next = w->next;

			netns_pending_add(reg, w, -ENOENT, NULL);
			w = next;
		}
	} else {
		if (reg->close_cb)
			reg->close_cb(&ns->pub, reg->userdata);
		ns->ns_fd = safe_close(ns->ns_fd);
		ns->nl_fd = safe_close(ns->nl_fd);
	}
	ns->reg = NULL;
	netns_unref(&ns->pub);
}

/* ---- opening: a helper thread enters the namespace and opens its netlink socket */

/* Holds a reference on ns; its waiters are ns->waiters. The thread gets a copy of ns->ns_fd
 * and never touches ns, which the loop thread keeps changing. */
typedef struct NetnsOpenJob {
	NetnsTask task;
	NetnsPriv *ns;
	int nl_fd; /* written by the thread */
} NetnsOpenJob;

static int netns_open_run(NetnsTask *t)
{
	NetnsOpenJob *job = container_of(t, NetnsOpenJob, task);

	job->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (job->nl_fd < 0)
		return negative_errno();
	return 0;
}

static void netns_open_finish(NetnsTask *t, int r)
{
	NetnsOpenJob *job = container_of(t, NetnsOpenJob, task);
	NetnsPriv *ns = job->ns;
	NetnsRegistry *reg = ns->reg;
	NetnsWaiter *w = ns->waiters;

	ns->waiters = NULL;
	ns->opening = false;
	if (ns->closed) {
		/* Deleted while opening: its waiters have been answered already. */
	} else if (r < 0) {
		log_debug("netns: opening namespace %" PRIu64 " failed: %s", ns->ino, strerror(-r));
		netns_detach(reg, ns);
		ns->closed = true;
		ns->reg = NULL;
		netns_waiters_fail(w, r);
	} else {
		ns->nl_fd = TAKE_FD(job->nl_fd);
		netns_waiters_deliver(ns, w);
	}
	safe_close(job->nl_fd);
	free(job);
	netns_unref(&ns->pub);
}

/* After each batch of helper results (netns_pool's wake): deliver what they queued, and check
 * the names when a new watch on the netns dir may have missed their removal. */
static void netns_pool_after(void *userdata)
{
	NetnsRegistry *reg = userdata;

	netns_pending_run(reg);
	if (reg->revalidate) {
		reg->revalidate = false;
		netns_revalidate_named(reg);
	}
}

/* ---- registry */

int netns_registry_new(NetnsRegistry **ret, Loop *loop, const char *netns_dir, unsigned max_threads,
		       netns_close_cb close_cb, void *userdata)
{
	NetnsRegistry *reg;
	struct stat st;
	size_t n;
	int r;

	if (!ret || !loop)
		return -EINVAL;
	if (!netns_dir)
		netns_dir = NETNS_DEFAULT_DIR;
	if (netns_dir[0] != '/')
		return -EINVAL;
	/* Every nsfs file shares one device: remember it to tell namespace files from others. */
	if (stat("/proc/self/ns/net", &st) < 0)
		return negative_errno();

	reg = calloc(1, sizeof(*reg));
	if (!reg)
		return -ENOMEM;
	reg->loop = loop;
	reg->close_cb = close_cb;
	reg->userdata = userdata;
	reg->nsfs_dev = st.st_dev;
	reg->self_ino = st.st_ino;
	reg->self_pid = getpid();
	reg->sweep.cb = netns_sweep;
	reg->dir_wd = -1;
	reg->pending_tail = &reg->pending;
	reg->pending_defer.cb = netns_pending_defer_cb;

	reg->dir = strdup(netns_dir);
	if (!reg->dir) {
		r = -ENOMEM;
		goto fail;
	}
	/* "/run/netns/" and "/run/netns" must name the same files. */
	for (n = strlen(reg->dir); n > 1 && reg->dir[n - 1] == '/'; n--)
		reg->dir[n - 1] = '\0';
	{
		const char *defaults[] = { reg->dir, "/run/netns", "/var/run/netns", "/proc" };
		r = netns_registry_set_path_prefixes(reg, defaults, ARRAY_SIZE(defaults));
		if (r < 0)
			goto fail;
	}

	r = netns_pool_init(&reg->pool, loop, max_threads, netns_pool_after, reg);
	if (r < 0)
		goto fail;
	/* Now rather than with the first name, so the fd is part of the daemon's baseline. */
	r = netns_inotify_new(reg, &reg->inotify);
	if (r < 0)
		log_debug("netns: no inotify (%s): deleted names are closed only when idle",
			  strerror(-r));
	netns_watch_dir(reg);
	*ret = reg;
	return 0;
fail:
	free(reg->dir);
	for (size_t i = 0; i < reg->n_prefixes; i++)
		free(reg->prefixes[i]);
	free(reg->prefixes);
	free(reg);
	return r;
}

void netns_registry_free(NetnsRegistry *reg)
{
	size_t i;

	if (!reg)
		return;
	reg->freeing = true;
	loop_timer_disarm(reg->loop, &reg->sweep);

	/* Jobs not started never will be, running ones are waited for and undone: their waiters
	 * get -ECANCELED. */
	netns_pool_cancel(&reg->pool);

	netns_pending_run(reg);

	/* Removal never shrinks the bucket array, so each bucket can be emptied in turn. */
	for (i = 0; i < reg->entries.nb; i++)
		while (reg->entries.b[i])
			netns_close_entry(reg, container_of(reg->entries.b[i], NetnsPriv, hnode));

	netns_pending_run(reg); /* what the close callbacks queued */
	loop_defer_cancel(reg->loop, &reg->pending_defer);
	netns_inotify_free(reg->inotify);
	netns_pool_free(&reg->pool);
	hmap_clear(&reg->entries);
	hmap_clear(&reg->names);
	free(reg->dir);
	for (i = 0; i < reg->n_prefixes; i++)
		free(reg->prefixes[i]);
	free(reg->prefixes);
	free(reg);
}

/* ---- open */

static bool path_under(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (n == 1)
		return true; /* "/" */
	return strncmp(path, prefix, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* A PATH reference must name a file directly inside one of the allowed directories, judged on
 * the canonical form of its directory, so neither ".." nor a symlinked directory leads out. The
 * file itself is opened without following a symlink, except under /proc, whose
 * /proc/PID/ns/net is the kernel's own link to the namespace. */
static bool netns_path_allowed(NetnsRegistry *reg, const char *path)
{
	char dir[PATH_MAX], canon[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n = (size_t)(slash - path);

	if (!slash[1] || n >= sizeof(dir))
		return false;
	memcpy(dir, path, n ? n : 1);
	dir[n ? n : 1] = '\0';
	if (!realpath(dir, canon)) {
		/* A directory that does not exist (a pid that is gone) leads nowhere: judge it as
		 * written, if it does not climb, and let the open say ENOENT. */
		if (errno != ENOENT || strstr(dir, "/..") || strstr(dir, "/./"))
			return false;
		snprintf(canon, sizeof(canon), "%s", dir);
	}
	for (size_t i = 0; i < reg->n_prefixes; i++)
		if (path_under(canon, reg->prefixes[i]))
			return true;
	return false;
}

int netns_registry_set_path_prefixes(NetnsRegistry *reg, const char *const *prefixes, size_t n)
{
	char **v = calloc(n ? n : 1, sizeof(*v));
	size_t k = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char canon[PATH_MAX];

		if (prefixes[i][0] != '/') {
			for (size_t j = 0; j < k; j++)
				free(v[j]);
			free(v);
			return -EINVAL;
		}
		/* A prefix that does not exist (yet) is kept as written. */
		v[k] = strdup(realpath(prefixes[i], canon) ? canon : prefixes[i]);
		if (!v[k]) {
			for (size_t j = 0; j < k; j++)
				free(v[j]);
			free(v);
			return -ENOMEM;
		}
		k++;
	}
	for (size_t i = 0; i < reg->n_prefixes; i++)
		free(reg->prefixes[i]);
	free(reg->prefixes);
	reg->prefixes = v;
	reg->n_prefixes = k;
	return 0;
}

/* The nsfs file a reference names, or an error. ref->str is returned as is for PATH. */
static int netns_resolve(NetnsRegistry *reg, const NetnsRef *ref, char *buf, size_t size,
			 const char **ret)
{
	int n;

	switch (ref->type) {
	case NETNS_REF_SELF:
		/* The loop thread is in the daemon's namespace, as is the thread group leader. */
		*ret = "/proc/self/ns/net";
		return 0;
	case NETNS_REF_NAME:
		if (!name_netns_valid(ref->str))
			return -EINVAL;
		n = snprintf(buf, size, "%s/%s", reg->dir, ref->str);
		break;
	case NETNS_REF_PATH:
		if (!ref->str || ref->str[0] != '/')
			return -EINVAL;
		if (!netns_path_allowed(reg, ref->str))
			return -EPERM;
		*ret = ref->str;
		return 0;
	case NETNS_REF_PID:
		if (ref->pid <= 0)
			return -EINVAL;
		snprintf(buf, size, "/proc/%d", (int)ref->pid);
		if (access(buf, F_OK) < 0)
			return errno == ENOENT ? -ESRCH : negative_errno();
		n = snprintf(buf, size, "/proc/%d/ns/net", (int)ref->pid);
		break;
	default:
		return -EINVAL;
	}
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	*ret = buf;
	return 0;
}

/* Checks that fd is a network namespace file and returns its identity. Checking the file
 * system before the ioctl keeps NS_GET_NSTYPE away from device drivers that might give the
 * same number another meaning. */
static int netns_fd_identify(int fd, uint64_t *ret_dev, uint64_t *ret_ino)
{
	struct statfs sfs;
	struct stat st;
	int t;

	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (fstatfs(fd, &sfs) < 0)
		return negative_errno();
	if (sfs.f_type != NSFS_MAGIC)
		return -EINVAL;
	t = ioctl(fd, NS_GET_NSTYPE);
	if (t < 0)
		return errno == ENOTTY ? -EINVAL : negative_errno();
	if (t != CLONE_NEWNET)
		return -EINVAL;
	*ret_dev = st.st_dev;
	*ret_ino = st.st_ino;
	return 0;
}

/* Remembers how ns was reached (see netns_open() in netns.h); adopts pidfd. */
/* The name of a path in the netns dir ("DIR/NAME"), or NULL. */
static const char *netns_dir_name(NetnsRegistry *reg, const char *path)
{
	size_t n = strlen(reg->dir);

	if (strncmp(path, reg->dir, n) != 0 || path[n] != '/' || !name_netns_valid(path + n + 1))
		return NULL;
	return path + n + 1;
}

void netns_remember(NetnsRegistry *reg, NetnsPriv *ns, const char *name, const char *path,
		    int pidfd, pid_t pid)
{
	ns->last_used = loop_now(reg->loop);
	if (name)
		netns_add_name(reg, ns, name);
	if (path)
		netns_set_path(ns, path);
	if (pidfd >= 0)
		netns_watch_pid(reg, ns, pidfd, pid);
}

/* An open entry for a name or our own namespace, found without opening anything: every request
 * names its namespace, and opening, checking and closing the nsfs file each time cost five
 * syscalls. One stat of the name (it shows the nsfs file mounted there) proves that the name
 * still leads to the entry; our own namespace cannot change. */
static bool netns_name_usable(const NetnsName *nn, const char *name)
{
	return strcmp(nn->name, name) == 0 && !nn->ns->opening && !nn->ns->closed;
}

static NetnsPriv *netns_open_cached(NetnsRegistry *reg, const NetnsRef *ref, const char *path)
{
	struct stat st;
	bool any = false;
	uint64_t h;
	HNode *n;

	if (ref->type == NETNS_REF_SELF) {
		NetnsPriv *ns = netns_entry_find(reg, reg->nsfs_dev, reg->self_ino);
		return ns && !ns->opening && !ns->closed ? ns : NULL;
	}
	if (ref->type != NETNS_REF_NAME)
		return NULL;
	h = netns_name_hash(ref->str);
	hmap_for_hash(&reg->names, h, n) {
		if (netns_name_usable(container_of(n, NetnsName, hnode), ref->str)) {
			any = true;
			break;
		}
	}
	if (!any)
		return NULL;
	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return NULL; /* the slow path gives the right error */
	hmap_for_hash(&reg->names, h, n) {
		NetnsName *nn = container_of(n, NetnsName, hnode);

		if (netns_name_usable(nn, ref->str) && st.st_dev == nn->ns->dev &&
		    st.st_ino == nn->ns->ino)
			return nn->ns;
	}
	return NULL;
}

int netns_open(NetnsRegistry *reg, const NetnsRef *ref, netns_open_cb cb, void *userdata)
{
	_cleanup_free_ NetnsWaiter *w = NULL;
	_cleanup_close_ int fd = -1, pidfd = -1;
	const char *path, *name = NULL, *other = NULL;
	char buf[PATH_MAX];
	uint64_t dev, ino;
	pid_t pid = 0;
	NetnsWaiter **create_waiters;
	NetnsOpenJob *job;
	NetnsPriv *ns;
	int r;

	if (!reg || !ref || !cb)
		return -EINVAL;
	if (reg->freeing)
		return -ECANCELED;
	r = netns_resolve(reg, ref, buf, sizeof(buf), &path);
	if (r < 0)
		return r;
	ns = netns_open_cached(reg, ref, path);
	if (ns) {
		w = calloc(1, sizeof(*w));
		if (!w)
			return -ENOMEM;
		w->cb = cb;
		w->userdata = userdata;
		ns->last_used = loop_now(reg->loop);
		netns_pending_add(reg, TAKE_PTR(w), 0, netns_ref_priv(ns));
		return 0;
	}
	/* What to watch, to notice the namespace going away. */
	if (ref->type == NETNS_REF_NAME) {
		name = ref->str;
	} else if (ref->type == NETNS_REF_PID) {
		pid = ref->pid;
	} else if (ref->type == NETNS_REF_PATH) {
		pid = netns_proc_path_id(path);
		if (!pid)
			name = netns_dir_name(reg, path);
		if (!pid && !name)
			other = path;
	}
	if (pid > 0 && pid != reg->self_pid) {
		/* Before the open: a pid can be reused once its process is gone, but not while
		 * our pidfd says it still runs (checked after the open). */
		pidfd = netns_pidfd_open(reg, pid);
		if (pidfd == -ESRCH)
			return ref->type == NETNS_REF_PID ? -ESRCH : -ENOENT;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->cb = cb;
	w->userdata = userdata;

	/* O_NONBLOCK: a FIFO given as a path must not block the loop. */
	fd = open(path,
		  O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
			  (ref->type == NETNS_REF_PATH && !path_under(path, "/proc") ? O_NOFOLLOW
										     : 0));
	if (fd < 0 && errno == ELOOP && ref->type == NETNS_REF_PATH)
		return -EPERM; /* a symlink where a namespace file should be */
	if (fd < 0) {
		r = negative_errno();
		/* The process exited between the two lookups, or is a zombie. */
		return ref->type == NETNS_REF_PID && r == -ENOENT ? -ESRCH : r;
	}
	r = netns_fd_identify(fd, &dev, &ino);
	if (r == -EINVAL && ref->type == NETNS_REF_NAME) {
		/* The plain file netns_create() makes before its thread mounts the namespace. */
		create_waiters = netns_create_waiters(reg, ref->str);
		if (create_waiters) {
			w->next = *create_waiters;
			*create_waiters = TAKE_PTR(w);
			return 0;
		}
	}
	if (r < 0)
		return r;
	if (pidfd >= 0 && netns_pidfd_exited(pidfd))
		/* Gone: the file we opened may already be another process's (pid reuse). */
		return ref->type == NETNS_REF_PID ? -ESRCH : -ENOENT;

	ns = netns_entry_find(reg, dev, ino);
	if (ns && ns->opening) {
		netns_remember(reg, ns, name, other, TAKE_FD(pidfd), pid);
		w->next = ns->waiters;
		ns->waiters = TAKE_PTR(w);
		return 0;
	}
	if (ns) {
		netns_remember(reg, ns, name, other, TAKE_FD(pidfd), pid);
		netns_pending_add(reg, TAKE_PTR(w), 0, netns_ref_priv(ns));
		return 0;
	}

	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	ns = netns_entry_new(reg, fd, dev, ino);
	if (!ns) {
		free(job);
		return -ENOMEM;
	}
	fd = -1;
	ns->opening = true;
	ns->waiters = TAKE_PTR(w);
	netns_remember(reg, ns, name, other, TAKE_FD(pidfd), pid);
	job->task.run = netns_open_run;
	job->task.finish = netns_open_finish;
	job->task.setns_fd = ns->ns_fd;
	job->nl_fd = -1;
	job->ns = netns_ref_priv(ns);
	netns_pool_queue(&reg->pool, &job->task);
	return 0;
}
