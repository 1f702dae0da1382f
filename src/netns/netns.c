/* Namespace registry: resolves references to nsfs files on the loop thread, keys open namespaces
 * by inode, and runs the short-lived helper threads that setns()/unshare() (see netns.h). */
#include "netns.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "core/log.h"
#include "core/macro.h"

#define NETNS_DEFAULT_DIR "/run/netns"
#define NETNS_DEFAULT_THREADS 8
/* Helper threads make a handful of syscalls; a small stack keeps many of them cheap. Sanitizer
 * builds need more, so stay well above PTHREAD_STACK_MIN. */
#define NETNS_THREAD_STACK (256u * 1024u)
#define NETNS_HASH_MIN 64

/* One open() waiting for a namespace, or a result queued for delivery on the next wake. */
typedef struct NetnsWaiter NetnsWaiter;
struct NetnsWaiter {
	netns_open_cb cb;
	void *userdata;
	Netns *ns; /* queued delivery: the reference handed to cb (NULL with r < 0) */
	int r;
	NetnsWaiter *next;
};

typedef enum {
	NETNS_JOB_OPEN,	  /* setns() into ns->ns_fd, open the netlink socket */
	NETNS_JOB_CREATE, /* unshare(), bind-mount onto path, open the socket and ns file */
} NetnsJobKind;

/* One helper thread's work. The thread writes the result fields and posts the job on the done
 * list; the loop thread reads them only after pthread_join(), so they need no lock. */
typedef struct NetnsJob NetnsJob;
struct NetnsJob {
	NetnsRegistry *reg;
	NetnsJobKind kind;
	NetnsJob *next;	 /* queue or done list */
	NetnsJob *rnext; /* running list: loop thread only, the thread may be using next */

	/* OPEN: holds a reference on ns; its waiters are ns->waiters. The thread gets a copy of
	 * ns->ns_fd and never touches ns, which the loop thread keeps changing. */
	Netns *ns;
	int setns_fd;

	/* CREATE */
	char *name, *path;
	NetnsWaiter *waiters;
	NetnsJob *cprev, *cnext; /* reg->creates */
	bool deleted;		 /* netns_delete() of the name while the job was in flight */

	pthread_t thread;
	bool joinable;

	/* results */
	int r;
	int nl_fd, ns_fd;
	uint64_t dev, ino;
	bool mounted;
};

struct NetnsRegistry {
	Loop *loop;
	char *dir;
	unsigned max_threads;
	netns_close_cb close_cb;
	void *userdata;
	dev_t nsfs_dev;	 /* every nsfs inode lives on this one device */
	bool dir_shared; /* dir made a shared mount point (once, lazily) */
	bool freeing;

	Netns **buckets; /* (dev, ino) -> Netns, opening or open */
	size_t n_buckets, n_entries;

	LoopWake *wake;
	bool wake_raised; /* raised from the loop thread and not handled yet */
	NetnsWaiter *pending, **pending_tail;

	NetnsJob *queue, **queue_tail; /* not started yet, FIFO */
	NetnsJob *running;	       /* threads created and not joined yet */
	NetnsJob *creates;	       /* CREATE jobs queued or running */
	unsigned threads, threads_max_seen;
	uint64_t threads_started;

	pthread_mutex_t lock; /* protects the done list, filled by helper threads */
	NetnsJob *done, **done_tail;
};

bool netns_name_valid(const char *name)
{
	size_t n;

	if (!name)
		return false;
	n = strnlen(name, 256);
	if (n == 0 || n > 255)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return !strchr(name, '/');
}

const char *netns_registry_dir(const NetnsRegistry *reg)
{
	return reg->dir;
}

unsigned netns_registry_max_threads_seen(const NetnsRegistry *reg)
{
	return reg->threads_max_seen;
}

uint64_t netns_registry_threads_started(const NetnsRegistry *reg)
{
	return reg->threads_started;
}

/* ---- the (dev, ino) hash */

static size_t netns_hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino ^ (dev << 32 | dev >> 32)) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 29);
}

static Netns *netns_hash_find(NetnsRegistry *reg, uint64_t dev, uint64_t ino)
{
	Netns *ns = reg->buckets[netns_hash(dev, ino) & (reg->n_buckets - 1)];

	while (ns && (ns->dev != dev || ns->ino != ino))
		ns = ns->hnext;
	return ns;
}

static int netns_hash_add(NetnsRegistry *reg, Netns *ns)
{
	size_t i;

	if (reg->n_entries >= reg->n_buckets) {
		size_t n = reg->n_buckets * 2;
		Netns **b = calloc(n, sizeof(*b));

		if (!b)
			return -ENOMEM;
		for (i = 0; i < reg->n_buckets; i++) {
			while (reg->buckets[i]) {
				Netns *e = reg->buckets[i];
				size_t j = netns_hash(e->dev, e->ino) & (n - 1);

				reg->buckets[i] = e->hnext;
				e->hnext = b[j];
				b[j] = e;
			}
		}
		free(reg->buckets);
		reg->buckets = b;
		reg->n_buckets = n;
	}
	i = netns_hash(ns->dev, ns->ino) & (reg->n_buckets - 1);
	ns->hnext = reg->buckets[i];
	reg->buckets[i] = ns;
	reg->n_entries++;
	return 0;
}

static void netns_hash_remove(NetnsRegistry *reg, Netns *ns)
{
	Netns **p = &reg->buckets[netns_hash(ns->dev, ns->ino) & (reg->n_buckets - 1)];

	for (; *p; p = &(*p)->hnext) {
		if (*p == ns) {
			*p = ns->hnext;
			ns->hnext = NULL;
			reg->n_entries--;
			return;
		}
	}
}

/* ---- entries */

static Netns *netns_alloc(NetnsRegistry *reg, int ns_fd, uint64_t dev, uint64_t ino)
{
	Netns *ns = calloc(1, sizeof(*ns));

	if (!ns)
		return NULL;
	ns->reg = reg;
	ns->dev = dev;
	ns->ino = ino;
	ns->ns_fd = ns_fd;
	ns->nl_fd = -1;
	return ns;
}

static void netns_entry_free(Netns *ns)
{
	safe_close(ns->ns_fd);
	safe_close(ns->nl_fd);
	free(ns);
}

Netns *netns_ref(Netns *ns)
{
	ns->refs++;
	return ns;
}

void netns_unref(Netns *ns)
{
	if (!ns)
		return;
	assert(ns->refs > 0);
	/* An entry nobody references stays cached while it is open: it is what the upper layer's
	 * connection for the namespace hangs on. TODO: close entries idle for a while (their
	 * connection has nothing in flight) so namespaces deleted behind our back are not pinned
	 * forever. */
	if (--ns->refs > 0 || !ns->closed)
		return;
	netns_entry_free(ns);
}

int netns_take_nl_fd(Netns *ns)
{
	return TAKE_FD(ns->nl_fd);
}

/* ---- deliveries */

static void netns_wake_self(NetnsRegistry *reg)
{
	if (reg->wake_raised)
		return;
	reg->wake_raised = true;
	loop_wake_raise(reg->wake);
}

/* Queues a result for the next wake, so callbacks never run inside the API call that caused
 * them. ns carries a reference taken by the caller. */
static void netns_pending_add(NetnsRegistry *reg, NetnsWaiter *w, int r, Netns *ns)
{
	w->r = r;
	w->ns = ns;
	w->next = NULL;
	*reg->pending_tail = w;
	reg->pending_tail = &w->next;
	netns_wake_self(reg);
}

static NetnsWaiter *netns_waiters_reverse(NetnsWaiter *w)
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
static void netns_waiters_deliver(Netns *ns, NetnsWaiter *w)
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
			w->cb(w->userdata, 0, ns);
		}
		free(w);
		w = next;
	}
	netns_unref(ns);
}

static void netns_waiters_fail(NetnsWaiter *w, int r)
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
		Netns *ns = w->ns;
		int r = w->r;

		if (ns && (ns->closed || reg->freeing)) {
			/* Deleted (or shutting down) since the open was answered from the cache. */
			netns_unref(ns);
			ns = NULL;
			r = reg->freeing ? -ECANCELED : -ENOENT;
		}
		w->cb(w->userdata, r, ns);
		free(w);
		w = next;
	}
}

/* Closes an entry: after this no fd of ours refers to the namespace (except a helper thread
 * that is still opening it; its job closes what it returns). */
static void netns_close_entry(NetnsRegistry *reg, Netns *ns)
{
	netns_hash_remove(reg, ns);
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
			reg->close_cb(ns, reg->userdata);
		ns->ns_fd = safe_close(ns->ns_fd);
		ns->nl_fd = safe_close(ns->nl_fd);
	}
	ns->reg = NULL;
	netns_unref(ns);
}

/* ---- helper threads: everything below up to the loop side runs in a thread that enters a
 * namespace, finishes its one job and exits. */

static int netns_thread_open(NetnsJob *job)
{
	if (setns(job->setns_fd, CLONE_NEWNET) < 0)
		return negative_errno();
	job->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
	if (job->nl_fd < 0)
		return negative_errno();
	return 0;
}

static int netns_thread_create(NetnsJob *job)
{
	struct stat st;

	if (unshare(CLONE_NEWNET) < 0)
		return negative_errno();
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

/* Also used by the loop thread for jobs that never got a thread. */
static void netns_job_post(NetnsRegistry *reg, NetnsJob *job)
{
	pthread_mutex_lock(&reg->lock);
	job->next = NULL;
	*reg->done_tail = job;
	reg->done_tail = &job->next;
	pthread_mutex_unlock(&reg->lock);
	/* reg stays valid: netns_registry_free() joins every thread before freeing it. */
	loop_wake_raise(reg->wake);
}

static void *netns_job_thread(void *p)
{
	NetnsJob *job = p;

	job->r = job->kind == NETNS_JOB_OPEN ? netns_thread_open(job) : netns_thread_create(job);
	netns_job_post(job->reg, job);
	return NULL;
}

/* ---- jobs, loop side */

static NetnsJob *netns_job_new(NetnsRegistry *reg, NetnsJobKind kind)
{
	NetnsJob *job = calloc(1, sizeof(*job));

	if (!job)
		return NULL;
	job->reg = reg;
	job->kind = kind;
	job->nl_fd = -1;
	job->ns_fd = -1;
	return job;
}

static void netns_job_free(NetnsJob *job)
{
	safe_close(job->nl_fd);
	safe_close(job->ns_fd);
	free(job->name);
	free(job->path);
	free(job);
}

static int netns_job_spawn(NetnsRegistry *reg, NetnsJob *job)
{
	pthread_attr_t attr;
	sigset_t all, old;
	int r;

	r = -pthread_attr_init(&attr);
	if (r < 0)
		return r;
	r = -pthread_attr_setstacksize(&attr, NETNS_THREAD_STACK);
	if (r < 0)
		goto out;
	/* The thread inherits the mask: with every signal blocked, process-directed signals
	 * (SIGTERM) go to the loop thread's signalfd, never to a thread inside a namespace. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = -pthread_create(&job->thread, &attr, netns_job_thread, job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		goto out;
	job->joinable = true;
	job->rnext = reg->running;
	reg->running = job;
	reg->threads++;
	reg->threads_started++;
	reg->threads_max_seen = MAX(reg->threads_max_seen, reg->threads);
out:
	pthread_attr_destroy(&attr);
	return r;
}

/* Starts queued jobs while fewer than max_threads helper threads are alive. A thread counts as
 * alive until it has been joined, so the bound holds for threads still on their way out. */
static void netns_jobs_start(NetnsRegistry *reg)
{
	while (reg->queue && reg->threads < reg->max_threads && !reg->freeing) {
		NetnsJob *job = reg->queue;
		int r;

		reg->queue = job->next;
		if (!reg->queue)
			reg->queue_tail = &reg->queue;
		job->next = NULL;
		if (job->kind == NETNS_JOB_CREATE && job->deleted) {
			job->r = -ENOENT;
			netns_job_post(reg, job);
			continue;
		}
		r = netns_job_spawn(reg, job);
		if (r < 0) {
			log_debug("netns: cannot start a helper thread: %s", strerror(-r));
			job->r = r;
			netns_job_post(reg, job);
		}
	}
}

static void netns_job_queue(NetnsRegistry *reg, NetnsJob *job)
{
	job->next = NULL;
	*reg->queue_tail = job;
	reg->queue_tail = &job->next;
	netns_jobs_start(reg);
}

static void netns_job_reap(NetnsRegistry *reg, NetnsJob *job)
{
	NetnsJob **p;

	if (!job->joinable)
		return;
	/* The thread posted the job as its last act: this waits for it to exit, briefly. */
	pthread_join(job->thread, NULL);
	job->joinable = false;
	for (p = &reg->running; *p; p = &(*p)->rnext) {
		if (*p == job) {
			*p = job->rnext;
			break;
		}
	}
	reg->threads--;
}

static void netns_open_finish(NetnsRegistry *reg, NetnsJob *job)
{
	Netns *ns = job->ns;
	NetnsWaiter *w = ns->waiters;

	ns->waiters = NULL;
	ns->opening = false;
	if (ns->closed) {
		/* Deleted while opening: its waiters have been answered already. */
	} else if (job->r < 0) {
		log_debug("netns: opening namespace %" PRIu64 " failed: %s", ns->ino,
			  strerror(-job->r));
		netns_hash_remove(reg, ns);
		ns->closed = true;
		ns->reg = NULL;
		netns_waiters_fail(w, job->r);
	} else {
		ns->nl_fd = TAKE_FD(job->nl_fd);
		netns_waiters_deliver(ns, w);
	}
	job->ns = NULL;
	netns_unref(ns);
}

static void netns_create_unlink(NetnsRegistry *reg, NetnsJob *job)
{
	if (job->cprev)
		job->cprev->cnext = job->cnext;
	else
		reg->creates = job->cnext;
	if (job->cnext)
		job->cnext->cprev = job->cprev;
	job->cprev = job->cnext = NULL;
}

/* Undoes a failed creation: the file is ours unless netns_delete() removed it meanwhile, in
 * which case the name may belong to a newer namespace and only a mount of ours is removed. */
static void netns_create_undo(NetnsRegistry *reg, NetnsJob *job)
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

static void netns_create_finish(NetnsRegistry *reg, NetnsJob *job)
{
	NetnsWaiter *w = job->waiters;
	int r = job->r;
	Netns *ns;

	job->waiters = NULL;
	netns_create_unlink(reg, job);
	if (r >= 0 && job->deleted)
		r = -ENOENT;
	if (r >= 0) {
		ns = netns_hash_find(reg, job->dev, job->ino);
		if (ns) {
			/* An open by path found the new mount before we got here: join it. */
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
		ns = netns_alloc(reg, job->ns_fd, job->dev, job->ino);
		if (!ns) {
			r = -ENOMEM;
		} else if (netns_hash_add(reg, ns) < 0) {
			free(ns);
			r = -ENOMEM;
		} else {
			job->ns_fd = -1;
			ns->nl_fd = TAKE_FD(job->nl_fd);
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

static void netns_job_finish(NetnsRegistry *reg, NetnsJob *job)
{
	if (reg->freeing && job->r >= 0) {
		/* Shutting down: undo what the thread did rather than hand out a namespace. */
		job->nl_fd = safe_close(job->nl_fd);
		job->ns_fd = safe_close(job->ns_fd);
		job->r = -ECANCELED;
	}
	if (job->kind == NETNS_JOB_OPEN)
		netns_open_finish(reg, job);
	else
		netns_create_finish(reg, job);
	netns_job_free(job);
}

static NetnsJob *netns_done_take(NetnsRegistry *reg)
{
	NetnsJob *done;

	pthread_mutex_lock(&reg->lock);
	done = reg->done;
	reg->done = NULL;
	reg->done_tail = &reg->done;
	pthread_mutex_unlock(&reg->lock);
	return done;
}

static void netns_wake_cb(void *userdata)
{
	NetnsRegistry *reg = userdata;
	NetnsJob *done, *job;

	reg->wake_raised = false;
	done = netns_done_take(reg);
	/* Join first and refill the thread slots, so the next namespaces are being entered while
	 * the callbacks below run. */
	for (job = done; job; job = job->next)
		netns_job_reap(reg, job);
	netns_jobs_start(reg);
	while (done) {
		job = done;
		done = job->next;
		netns_job_finish(reg, job);
	}
	netns_pending_run(reg);
}

/* ---- registry */

int netns_registry_new(NetnsRegistry **ret, Loop *loop, const char *netns_dir,
		       unsigned max_threads, netns_close_cb close_cb, void *userdata)
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
	reg->max_threads = max_threads ? max_threads : NETNS_DEFAULT_THREADS;
	reg->close_cb = close_cb;
	reg->userdata = userdata;
	reg->nsfs_dev = st.st_dev;
	reg->pending_tail = &reg->pending;
	reg->queue_tail = &reg->queue;
	reg->done_tail = &reg->done;
	pthread_mutex_init(&reg->lock, NULL);

	reg->dir = strdup(netns_dir);
	reg->n_buckets = NETNS_HASH_MIN;
	reg->buckets = calloc(reg->n_buckets, sizeof(*reg->buckets));
	if (!reg->dir || !reg->buckets) {
		r = -ENOMEM;
		goto fail;
	}
	/* "/run/netns/" and "/run/netns" must name the same files. */
	for (n = strlen(reg->dir); n > 1 && reg->dir[n - 1] == '/'; n--)
		reg->dir[n - 1] = '\0';

	r = loop_wake_new(loop, &reg->wake, netns_wake_cb, reg);
	if (r < 0)
		goto fail;
	*ret = reg;
	return 0;
fail:
	pthread_mutex_destroy(&reg->lock);
	free(reg->buckets);
	free(reg->dir);
	free(reg);
	return r;
}

void netns_registry_free(NetnsRegistry *reg)
{
	NetnsJob *job;
	size_t i;

	if (!reg)
		return;
	reg->freeing = true;

	/* Jobs not started never will be; their waiters get -ECANCELED. */
	while ((job = reg->queue)) {
		reg->queue = job->next;
		job->r = -ECANCELED;
		netns_job_finish(reg, job);
	}
	reg->queue_tail = &reg->queue;

	/* Running threads only make a few syscalls: wait for them, then undo their work. */
	while (reg->running)
		netns_job_reap(reg, reg->running);
	for (job = netns_done_take(reg); job;) {
		NetnsJob *next = job->next;

		netns_job_finish(reg, job);
		job = next;
	}

	netns_pending_run(reg);

	for (i = 0; i < reg->n_buckets; i++)
		while (reg->buckets[i])
			netns_close_entry(reg, reg->buckets[i]);

	loop_wake_free(reg->wake);
	pthread_mutex_destroy(&reg->lock);
	free(reg->buckets);
	free(reg->dir);
	free(reg);
}

/* ---- open */

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
		if (!netns_name_valid(ref->str))
			return -EINVAL;
		n = snprintf(buf, size, "%s/%s", reg->dir, ref->str);
		break;
	case NETNS_REF_PATH:
		if (!ref->str || ref->str[0] != '/')
			return -EINVAL;
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

static NetnsJob *netns_create_find(NetnsRegistry *reg, const char *name)
{
	NetnsJob *job;

	for (job = reg->creates; job; job = job->cnext)
		if (!job->deleted && strcmp(job->name, name) == 0)
			return job;
	return NULL;
}

int netns_open(NetnsRegistry *reg, const NetnsRef *ref, netns_open_cb cb, void *userdata)
{
	_cleanup_free_ NetnsWaiter *w = NULL;
	_cleanup_close_ int fd = -1;
	char buf[PATH_MAX];
	const char *path;
	uint64_t dev, ino;
	NetnsJob *job;
	Netns *ns;
	int r;

	if (!reg || !ref || !cb)
		return -EINVAL;
	if (reg->freeing)
		return -ECANCELED;
	r = netns_resolve(reg, ref, buf, sizeof(buf), &path);
	if (r < 0)
		return r;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->cb = cb;
	w->userdata = userdata;

	/* O_NONBLOCK: a FIFO given as a path must not block the loop. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = negative_errno();
		/* The process exited between the two lookups, or is a zombie. */
		return ref->type == NETNS_REF_PID && r == -ENOENT ? -ESRCH : r;
	}
	r = netns_fd_identify(fd, &dev, &ino);
	if (r == -EINVAL && ref->type == NETNS_REF_NAME) {
		/* The plain file netns_create() makes before its thread mounts the namespace. */
		job = netns_create_find(reg, ref->str);
		if (job) {
			w->next = job->waiters;
			job->waiters = TAKE_PTR(w);
			return 0;
		}
	}
	if (r < 0)
		return r;

	ns = netns_hash_find(reg, dev, ino);
	if (ns && ns->opening) {
		w->next = ns->waiters;
		ns->waiters = TAKE_PTR(w);
		return 0;
	}
	if (ns) {
		netns_pending_add(reg, TAKE_PTR(w), 0, netns_ref(ns));
		return 0;
	}

	job = netns_job_new(reg, NETNS_JOB_OPEN);
	if (!job)
		return -ENOMEM;
	ns = netns_alloc(reg, fd, dev, ino);
	if (!ns || netns_hash_add(reg, ns) < 0) {
		free(ns);
		netns_job_free(job);
		return -ENOMEM;
	}
	fd = -1;
	ns->opening = true;
	ns->waiters = TAKE_PTR(w);
	job->ns = netns_ref(ns);
	job->setns_fd = ns->ns_fd;
	netns_job_queue(reg, job);
	return 0;
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
	NetnsJob *job;
	int fd, n, r;

	if (!reg || !cb || !netns_name_valid(name))
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
	job = netns_job_new(reg, NETNS_JOB_CREATE);
	if (!w || !job || !(job->name = strdup(name)) || !(job->path = strdup(path))) {
		if (job)
			netns_job_free(job);
		return -ENOMEM;
	}
	w->cb = cb;
	w->userdata = userdata;

	/* The file the namespace gets bind-mounted onto; O_EXCL claims the name. */
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0) {
		r = negative_errno();
		netns_job_free(job);
		return r;
	}
	close(fd);

	job->waiters = TAKE_PTR(w);
	job->cnext = reg->creates;
	if (reg->creates)
		reg->creates->cprev = job;
	reg->creates = job;
	netns_job_queue(reg, job);
	return 0;
}

int netns_delete(NetnsRegistry *reg, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	NetnsJob *job;
	Netns *ns;
	int n;

	if (!reg || !netns_name_valid(name))
		return -EINVAL;
	n = snprintf(path, sizeof(path), "%s/%s", reg->dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;

	/* A creation in flight for this name fails with -ENOENT instead of resurrecting it. */
	for (job = reg->creates; job; job = job->cnext)
		if (strcmp(job->name, name) == 0)
			job->deleted = true;

	/* stat() follows the mount: a mounted namespace shows its nsfs identity. */
	if (stat(path, &st) < 0)
		return negative_errno();
	ns = netns_hash_find(reg, st.st_dev, st.st_ino);
	if (ns)
		netns_close_entry(reg, ns);

	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
		return negative_errno();
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
