/* Named namespaces, as `ip netns add/del/list` handle them: a namespace bind-mounted on a file
 * in the netns directory (a shared mount point), created by a helper thread that unshare()s. */
#include "netns-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/list.h"
#include "core/log.h"
#include "core/names.h"

/* One netns_create() in flight, in reg->creates. */
struct NetnsCreate {
	NetnsTask task; /* setns_fd -1: the thread unshare()s a new namespace */
	NetnsRegistry *reg;
	char *name, *path;
	NetnsWaiter *waiters;
	NetnsCreate *prev, *next; /* reg->creates */
	bool deleted;		  /* netns_delete() of the name while the job was in flight */
	/* results, written by the thread */
	int nl_fd, ns_fd;
	uint64_t dev, ino;
	bool mounted;
};

NetnsWaiter **netns_create_waiters(NetnsRegistry *reg, const char *name)
{
	for (NetnsCreate *c = reg->creates; c; c = c->next)
		if (!c->deleted && strcmp(c->name, name) == 0)
			return &c->waiters;
	return NULL;
}

/* In the helper thread, which unshare()d a new namespace. */
static int netns_create_run(NetnsTask *t)
{
	NetnsCreate *job = container_of(t, NetnsCreate, task);
	struct stat st;

	/* thread-self: /proc/self is the thread group leader, which is in another namespace. */
	if (mount("/proc/thread-self/ns/net", job->path, "none", MS_BIND, NULL) < 0)
		return negative_errno();
	job->mounted = true;
	job->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (job->nl_fd < 0)
		return negative_errno();
	job->ns_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (job->ns_fd < 0)
		return negative_errno();
	if (fstat(job->ns_fd, &st) < 0)
		return negative_errno();
	job->dev = st.st_dev;
	job->ino = st.st_ino;
	return 0;
}

static void netns_create_unlink(NetnsRegistry *reg, NetnsCreate *job)
{
	LIST_UNLINK(reg->creates, job, prev, next);
	job->prev = job->next = NULL;
}

static void netns_create_free(NetnsCreate *job)
{
	safe_close(job->nl_fd);
	safe_close(job->ns_fd);
	free(job->name);
	free(job->path);
	free(job);
}

/* A name deleted while its creation was queued is not created at all. */
static int netns_create_check(NetnsTask *t)
{
	return container_of(t, NetnsCreate, task)->deleted ? -ENOENT : 0;
}

/* Undoes a failed creation: the file is ours unless netns_delete() removed it meanwhile, in
 * which case the name may belong to a newer namespace and only a mount of ours is removed. */
static void netns_create_undo(NetnsRegistry *reg, NetnsCreate *job)
{
	struct stat st;

	if (job->deleted) {
		if (job->ino && stat(job->path, &st) == 0 && st.st_dev == reg->nsfs_dev &&
		    st.st_ino == job->ino) {
			umount2(job->path, MNT_DETACH);
			unlink(job->path);
		}
		return;
	}
	if (job->mounted && umount2(job->path, MNT_DETACH) < 0)
		log_debug("netns: umount %s: %m", job->path);
	if (unlink(job->path) < 0)
		log_debug("netns: unlink %s: %m", job->path);
}

/* Loop thread: the namespace exists (or the creation failed or was cancelled); its waiters
 * get the entry. */
static void netns_create_finish_job(NetnsRegistry *reg, NetnsCreate *job, int r)
{
	NetnsWaiter *w = job->waiters;
	NetnsPriv *ns;

	job->waiters = NULL;
	netns_create_unlink(reg, job);
	if (r >= 0 && job->deleted)
		r = -ENOENT;
	if (r >= 0) {
		ns = netns_entry_find(reg, job->dev, job->ino);
		if (ns) {
			/* An open by path found the new mount before we got here: join it. */
			netns_remember(reg, ns, job->name, NULL, -1, 0);
			if (ns->opening) {
				while (w) {
					NetnsWaiter *next = w->next;

					w->next = ns->waiters;
					ns->waiters = w;
					w = next;
				}
			} else {
				netns_waiters_deliver(ns, w);
			}
			return;
		}
		ns = netns_entry_new(reg, job->ns_fd, job->dev, job->ino);
		if (!ns) {
			r = -ENOMEM;
		} else {
			job->ns_fd = -1;
			ns->nl_fd = TAKE_FD(job->nl_fd);
			netns_remember(reg, ns, job->name, NULL, -1, 0);
			netns_waiters_deliver(ns, w);
			return;
		}
	}
	log_debug("netns: creating %s failed: %s", job->name, strerror(-r));
	job->nl_fd = safe_close(job->nl_fd);
	job->ns_fd = safe_close(job->ns_fd);
	netns_create_undo(reg, job);
	netns_waiters_fail(w, r);
}

static void netns_create_finish(NetnsTask *t, int r)
{
	NetnsCreate *job = container_of(t, NetnsCreate, task);

	netns_create_finish_job(job->reg, job, r);
	netns_create_free(job);
}

/* ---- create, delete, list */

static int netns_mkdir_p(const char *dir, mode_t mode)
{
	_cleanup_free_ char *p = strdup(dir);
	char *s, c;

	if (!p)
		return -ENOMEM;
	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return negative_errno();
		if (c == '\0')
			return 0;
		*s = c;
	}
}

/* As `ip netns add` does: the directory becomes a shared mount point, so the namespace mounts
 * made in it propagate to mount namespaces that receive its events. */
static int netns_dir_prepare(NetnsRegistry *reg)
{
	bool bound = false;
	int r;

	if (reg->dir_shared)
		return 0;
	r = netns_mkdir_p(reg->dir, 0755);
	if (r < 0)
		return r;
	while (mount("", reg->dir, "none", MS_SHARED | MS_REC, NULL) < 0) {
		/* EINVAL: not a mount point yet. Make it one by binding it onto itself. */
		if (errno != EINVAL || bound)
			return negative_errno();
		if (mount(reg->dir, reg->dir, "none", MS_BIND | MS_REC, NULL) < 0)
			return negative_errno();
		bound = true;
	}
	reg->dir_shared = true;
	return 0;
}

int netns_create(NetnsRegistry *reg, const char *name, netns_open_cb cb, void *userdata)
{
	_cleanup_free_ NetnsWaiter *w = NULL;
	char path[PATH_MAX];
	NetnsCreate *job;
	int fd, n, r;

	if (!reg || !cb || !name_netns_valid(name))
		return -EINVAL;
	if (reg->freeing)
		return -ECANCELED;
	n = snprintf(path, sizeof(path), "%s/%s", reg->dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	r = netns_dir_prepare(reg);
	if (r < 0)
		return r;

	w = calloc(1, sizeof(*w));
	job = calloc(1, sizeof(*job));
	if (job) {
		job->reg = reg;
		job->nl_fd = job->ns_fd = -1;
		job->task.run = netns_create_run;
		job->task.finish = netns_create_finish;
		job->task.check = netns_create_check;
		job->task.setns_fd = -1;
	}
	if (!w || !job || !(job->name = strdup(name)) || !(job->path = strdup(path))) {
		if (job)
			netns_create_free(job);
		return -ENOMEM;
	}
	w->cb = cb;
	w->userdata = userdata;

	/* The file the namespace gets bind-mounted onto; O_EXCL claims the name. */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		r = negative_errno();
		netns_create_free(job);
		return r;
	}
	close(fd);

	job->waiters = TAKE_PTR(w);
	LIST_PREPEND(reg->creates, job, prev, next);
	netns_pool_queue(&reg->pool, &job->task);
	return 0;
}

int netns_delete(NetnsRegistry *reg, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	NetnsCreate *job;
	NetnsPriv *ns;
	int n;

	if (!reg || !name_netns_valid(name))
		return -EINVAL;
	n = snprintf(path, sizeof(path), "%s/%s", reg->dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;

	/* A creation in flight for this name fails with -ENOENT instead of resurrecting it. */
	for (job = reg->creates; job; job = job->next)
		if (strcmp(job->name, name) == 0)
			job->deleted = true;

	/* stat() follows the mount: a mounted namespace shows its nsfs identity. */
	if (stat(path, &st) < 0)
		return negative_errno();
	ns = netns_entry_find(reg, st.st_dev, st.st_ino);
	if (ns)
		netns_close_entry(reg, ns);

	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
		return negative_errno();
	if (unlink(path) < 0)
		return negative_errno();
	return 0;
}

int netns_reclaim_stale(NetnsRegistry *reg, const char *name)
{
	char path[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	int n;

	if (!reg || !name_netns_valid(name))
		return -EINVAL;
	if (netns_create_waiters(reg, name))
		return -EBUSY; /* ours, being made: not stale */
	n = snprintf(path, sizeof(path), "%s/%s", reg->dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	/* What netns_create() leaves when it dies before the mount: an empty regular file on the
	 * directory's own file system. A mounted namespace is on nsfs; anything else is not ours
	 * to remove. */
	if (lstat(path, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode) || st.st_size != 0)
		return -EEXIST;
	if (statfs(path, &sfs) < 0)
		return negative_errno();
	if (sfs.f_type == NSFS_MAGIC)
		return -EEXIST;
	if (unlink(path) < 0)
		return negative_errno();
	return 0;
}

static int netns_entry_cmp(const void *a, const void *b)
{
	return strcmp(((const NetnsEntry *)a)->name, ((const NetnsEntry *)b)->name);
}

static void netns_closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

int netns_list(NetnsRegistry *reg, NetnsEntry **ret, size_t *ret_n)
{
	_cleanup_(netns_closedirp) DIR *d = NULL;
	_cleanup_free_ NetnsEntry *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!reg || !ret || !ret_n)
		return -EINVAL;
	d = opendir(reg->dir);
	if (!d) {
		if (errno != ENOENT)
			return negative_errno();
		*ret = NULL;
		*ret_n = 0;
		return 0;
	}
	for (;;) {
		struct stat st;
		size_t len;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				return negative_errno();
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		len = strlen(de->d_name);
		if (len >= sizeof(v->name))
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 16;
			NetnsEntry *nv = realloc(v, c * sizeof(*v));

			if (!nv)
				return -ENOMEM;
			v = nv;
			cap = c;
		}
		memcpy(v[n].name, de->d_name, len + 1);
		v[n].ino = 0;
		if (fstatat(dirfd(d), de->d_name, &st, 0) == 0) {
			if (st.st_dev == reg->nsfs_dev)
				v[n].ino = st.st_ino;
		} else if (errno == ENOENT) {
			continue; /* deleted while we listed */
		}
		n++;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), netns_entry_cmp);
	*ret = TAKE_PTR(v);
	*ret_n = n;
	return 0;
}
