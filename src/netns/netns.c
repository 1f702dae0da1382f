/* Namespace registry: resolves references to nsfs files on the loop thread, keys open namespaces
 * by inode, runs the short-lived helper threads that setns()/unshare() (see netns.h), and closes
 * entries whose namespace went away (inotify on the netns dir, pidfds) or sat idle. */
#include "core/names.h"
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
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/log.h"
#include "core/macro.h"

#define NETNS_DEFAULT_DIR "/run/netns"
#define NETNS_DEFAULT_THREADS 8
/* Helper threads make a handful of syscalls; a small stack keeps many of them cheap. Sanitizer
 * builds need more, so stay well above PTHREAD_STACK_MIN. */
#define NETNS_THREAD_STACK (256u * 1024u)
#define NETNS_HASH_MIN 64
#define NETNS_SEC UINT64_C(1000000000)
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
	(IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |      \
	 IN_CREATE)

/* An io_uring operation whose owner is gone (a closed entry's pidfd poll, a freed registry's
 * inotify read) waits here for its final completion, which frees it. The list keeps them
 * reachable when the loop never runs again (a daemon frees the registry, then the loop): they
 * are then released with the process, as the ring keeps nothing of them once it is gone. Any
 * loop thread may use it, hence the lock. */
typedef struct NetnsOrphan NetnsOrphan;
struct NetnsOrphan {
	NetnsOrphan *prev, *next;
};
static pthread_mutex_t netns_orphans_lock = PTHREAD_MUTEX_INITIALIZER;
static NetnsOrphan *netns_orphans;

/* A name in the netns dir an entry was opened or created under; in the registry's name hash. */
typedef struct NetnsName NetnsName;
struct NetnsName {
	Netns *ns;
	NetnsName *hnext; /* name hash chain */
	NetnsName *next;  /* ns->names */
	char name[];
};

/* A process (or thread) an entry was opened by: a POLL_ADD on its pidfd reports its exit. */
typedef struct NetnsPidWatch NetnsPidWatch;
struct NetnsPidWatch {
	LoopOp op;
	Netns *ns; /* NULL once cancelled: the poll completes, then this is freed */
	NetnsPidWatch *next;
	NetnsOrphan orphan;
	int pidfd;
	pid_t pid; /* a pid, or a tid with PIDFD_THREAD: /proc/PID/ns/net names its namespace */
};

/* The netns dir watch: one inotify fd, read by io_uring into buf. */
typedef struct NetnsInotify {
	LoopOp op;
	NetnsRegistry *reg; /* NULL once the registry is freed: the read is being cancelled */
	NetnsOrphan orphan;
	int fd;
	bool armed;
	union {
		struct inotify_event ev; /* alignment */
		char buf[4096];		 /* at least one event with a NAME_MAX name */
	} u;
} NetnsInotify;

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
	NETNS_JOB_SOCKET, /* setns() into a dup of ns->ns_fd (in ns_fd), open one socket */
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

	/* SOCKET: holds a reference on ns; the result goes to sock_cb (netns_open_socket()). */
	int protocol;
	netns_socket_cb sock_cb;
	void *sock_userdata;

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
	char **prefixes; /* where PATH references may point (canonical directories) */
	size_t n_prefixes;
	unsigned max_threads;
	netns_close_cb close_cb;
	void *userdata;
	dev_t nsfs_dev; /* every nsfs inode lives on this one device */
	ino_t self_ino; /* our own network namespace */
	pid_t self_pid;
	bool dir_shared; /* dir made a shared mount point (once, lazily) */
	bool freeing;
	bool no_pidfd; /* pidfd_open() is ENOSYS: processes are not watched */

	Netns **buckets; /* (dev, ino) -> Netns, opening or open */
	size_t n_buckets, n_entries;
	NetnsName **nbuckets; /* name -> entries opened under it (several if it was reused) */
	size_t n_nbuckets, n_names;
	size_t n_pid_watches;

	NetnsInotify *inotify; /* NULL if inotify is unavailable */
	netns_dir_cb dir_cb;   /* netns_registry_set_dir_cb() */
	void *dir_userdata;
	int dir_wd;	       /* the watch on dir, -1 before the first */
	bool revalidate;       /* check every name on the next wake */
	uint64_t idle_ns;
	LoopTimer sweep;

	LoopWake *wake;
	bool wake_raised; /* raised from the loop thread and not handled yet */
	NetnsWaiter *pending, **pending_tail;
	LoopDefer pending_defer; /* delivers pending at the end of the loop turn */

	NetnsJob *queue, **queue_tail; /* not started yet, FIFO */
	NetnsJob *running;	       /* threads created and not joined yet */
	NetnsJob *creates;	       /* CREATE jobs queued or running */
	unsigned threads, threads_max_seen;
	uint64_t threads_started;

	pthread_mutex_t lock; /* protects the done list, filled by helper threads */
	NetnsJob *done, **done_tail;
};

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

size_t netns_registry_open_count(const NetnsRegistry *reg)
{
	return reg->n_entries;
}

size_t netns_registry_pid_watches(const NetnsRegistry *reg)
{
	return reg->n_pid_watches;
}

static void netns_sweep_arm(NetnsRegistry *reg);
static void netns_revalidate_named(NetnsRegistry *reg);
static void netns_remember(NetnsRegistry *reg, Netns *ns, const char *name, const char *path,
			   int pidfd, pid_t pid);

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
	netns_sweep_arm(reg);
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

/* ---- the name hash: which entries to look at when a name leaves the netns dir */

static size_t netns_name_hash(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; *name; name++)
		h = (h ^ (uint8_t)*name) * 0x100000001b3ull;
	return (size_t)(h ^ h >> 32);
}

static NetnsName **netns_name_bucket(NetnsRegistry *reg, const char *name)
{
	return &reg->nbuckets[netns_name_hash(name) & (reg->n_nbuckets - 1)];
}

static void netns_name_link(NetnsRegistry *reg, NetnsName *nn)
{
	NetnsName **b;

	if (reg->n_names >= reg->n_nbuckets) {
		size_t n = reg->n_nbuckets * 2;
		NetnsName **nb = calloc(n, sizeof(*nb));

		/* Without memory the chains just get longer. */
		if (nb) {
			for (size_t i = 0; i < reg->n_nbuckets; i++) {
				while (reg->nbuckets[i]) {
					NetnsName *e = reg->nbuckets[i];
					size_t j = netns_name_hash(e->name) & (n - 1);

					reg->nbuckets[i] = e->hnext;
					e->hnext = nb[j];
					nb[j] = e;
				}
			}
			free(reg->nbuckets);
			reg->nbuckets = nb;
			reg->n_nbuckets = n;
		}
	}
	b = netns_name_bucket(reg, nn->name);
	nn->hnext = *b;
	*b = nn;
	reg->n_names++;
}

static void netns_name_unlink(NetnsRegistry *reg, NetnsName *nn)
{
	NetnsName **p = netns_name_bucket(reg, nn->name);

	for (; *p; p = &(*p)->hnext) {
		if (*p == nn) {
			*p = nn->hnext;
			nn->hnext = NULL;
			reg->n_names--;
			return;
		}
	}
}

/* Forgets one name of ns. */
static void netns_name_drop(NetnsRegistry *reg, Netns *ns, NetnsName *nn)
{
	NetnsName **p;

	for (p = &ns->names; *p != nn; p = &(*p)->next)
		;
	*p = nn->next;
	netns_name_unlink(reg, nn);
	free(nn);
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
	ns->self = dev == reg->nsfs_dev && ino == reg->self_ino;
	ns->last_used = loop_now(reg->loop);
	return ns;
}

static void netns_entry_free(Netns *ns)
{
	safe_close(ns->ns_fd);
	safe_close(ns->nl_fd);
	assert(!ns->names); /* dropped when the entry was closed */
	free(ns->path);
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
	 * connection for the namespace hangs on. It is closed when the namespace goes away or,
	 * if asked, when it sits idle (the sweep below). */
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
	return TAKE_FD(ns->nl_fd);
}

void netns_touch(Netns *ns)
{
	if (ns && ns->reg)
		ns->last_used = loop_now(ns->reg->loop);
}

/* ---- deliveries */

static void netns_wake_self(NetnsRegistry *reg)
{
	if (reg->wake_raised)
		return;
	reg->wake_raised = true;
	loop_wake_raise(reg->wake);
}

static void netns_pending_run(NetnsRegistry *reg);

static void netns_pending_defer_cb(LoopDefer *d)
{
	netns_pending_run(container_of(d, NetnsRegistry, pending_defer));
}

/* Queues a result for the end of this loop turn, so callbacks never run inside the API call
 * that caused them (and cost no wakeup). ns carries a reference taken by the caller. */
static void netns_pending_add(NetnsRegistry *reg, NetnsWaiter *w, int r, Netns *ns)
{
	w->r = r;
	w->ns = ns;
	w->next = NULL;
	*reg->pending_tail = w;
	reg->pending_tail = &w->next;
	loop_defer(reg->loop, &reg->pending_defer);
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

/* ---- orphaned io_uring operations (see NetnsOrphan) */

static void netns_orphan_add(NetnsOrphan *o)
{
	pthread_mutex_lock(&netns_orphans_lock);
	o->prev = NULL;
	o->next = netns_orphans;
	if (netns_orphans)
		netns_orphans->prev = o;
	netns_orphans = o;
	pthread_mutex_unlock(&netns_orphans_lock);
}

static void netns_orphan_remove(NetnsOrphan *o)
{
	pthread_mutex_lock(&netns_orphans_lock);
	if (o->prev)
		o->prev->next = o->next;
	else
		netns_orphans = o->next;
	if (o->next)
		o->next->prev = o->prev;
	pthread_mutex_unlock(&netns_orphans_lock);
}

/* Stops watching the processes ns was opened by. The pidfd stays open until the poll's final
 * completion: closed earlier, its number could be reused before the POLL_ADD is submitted. */
static void netns_pid_watches_cancel(NetnsRegistry *reg, Netns *ns)
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

/* Takes ns out of every lookup: the hashes and the watches. */
static void netns_detach(NetnsRegistry *reg, Netns *ns)
{
	netns_hash_remove(reg, ns);
	while (ns->names)
		netns_name_drop(reg, ns, ns->names);
	free(ns->path);
	ns->path = NULL;
	netns_pid_watches_cancel(reg, ns);
}

/* Closes an entry: after this no fd of ours refers to the namespace (except a helper thread
 * that is still opening it; its job closes what it returns). */
static void netns_close_entry(NetnsRegistry *reg, Netns *ns)
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

static int netns_thread_socket(NetnsJob *job);
static void netns_socket_finish(NetnsRegistry *reg, NetnsJob *job);

static void *netns_job_thread(void *p)
{
	NetnsJob *job = p;

	job->r = job->kind == NETNS_JOB_OPEN	   ? netns_thread_open(job)
		 : job->kind == NETNS_JOB_SOCKET ? netns_thread_socket(job)
						 : netns_thread_create(job);
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
		netns_detach(reg, ns);
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
		ns = netns_alloc(reg, job->ns_fd, job->dev, job->ino);
		if (!ns) {
			r = -ENOMEM;
		} else if (netns_hash_add(reg, ns) < 0) {
			free(ns);
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
	else if (job->kind == NETNS_JOB_SOCKET)
		netns_socket_finish(reg, job);
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
	if (reg->revalidate) {
		reg->revalidate = false;
		netns_revalidate_named(reg);
	}
}

/* ---- noticing namespaces that go away: a socket of ours pins its namespace, so nobody else
 * can free it until we let go, and nobody tells us. What we can watch is how the namespace was
 * reached: a name in the netns dir (inotify) or a process in it (pidfd). When one of those goes
 * away, an entry none of its remembered references reaches any more is closed. */

/* Whether path (following a mount) is ns's nsfs file. */
static bool netns_path_is(const char *path, const Netns *ns)
{
	struct stat st;

	return stat(path, &st) == 0 && (uint64_t)st.st_dev == ns->dev &&
	       (uint64_t)st.st_ino == ns->ino;
}

static bool netns_name_is(NetnsRegistry *reg, const char *name, const Netns *ns)
{
	char buf[PATH_MAX];
	int n;

	n = snprintf(buf, sizeof(buf), "%s/%s", reg->dir, name);
	return n > 0 && (size_t)n < sizeof(buf) && netns_path_is(buf, ns);
}

/* Whether a reference ns was opened by still reaches it. Names that no longer do are
 * forgotten, so a namespace that had many names over time does not collect them. */
static bool netns_reachable(NetnsRegistry *reg, Netns *ns)
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
			netns_name_drop(reg, ns, nn);
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
	Netns **v;
	size_t n, cap;
} NetnsSet;

static void netns_set_add(NetnsSet *set, Netns *ns)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 8;
		Netns **v = realloc(set->v, cap * sizeof(*v));

		if (!v)
			return; /* checked at the next event, or closed when idle */
		set->v = v;
		set->cap = cap;
	}
	set->v[set->n++] = netns_ref(ns);
}

static void netns_set_revalidate(NetnsRegistry *reg, NetnsSet *set)
{
	for (size_t i = 0; i < set->n; i++) {
		Netns *ns = set->v[i];

		if (!ns->closed && !netns_reachable(reg, ns)) {
			log_debug("netns: namespace %" PRIu64 " went away: closing it", ns->ino);
			netns_close_entry(reg, ns);
		}
		netns_unref(ns);
	}
	free(set->v);
	*set = (NetnsSet){ 0 };
}

/* name left the netns dir (or arrived, replacing a file). */
static void netns_name_changed(NetnsRegistry *reg, const char *name)
{
	NetnsSet set = { 0 };

	for (NetnsName *nn = *netns_name_bucket(reg, name); nn; nn = nn->hnext)
		if (strcmp(nn->name, name) == 0)
			netns_set_add(&set, nn->ns);
	netns_set_revalidate(reg, &set);
}

/* Events were lost, or the directory itself went away: check every entry with a name. */
static void netns_revalidate_named(NetnsRegistry *reg)
{
	NetnsSet set = { 0 };

	for (size_t i = 0; i < reg->n_buckets; i++)
		for (Netns *ns = reg->buckets[i]; ns; ns = ns->hnext)
			if (ns->names)
				netns_set_add(&set, ns);
	netns_set_revalidate(reg, &set);
}

/* ---- process watches */

static void netns_pid_watch_done(LoopOp *op, int res, uint32_t flags)
{
	NetnsPidWatch *w = container_of(op, NetnsPidWatch, op), **p;
	NetnsSet set = { 0 };
	Netns *ns = w->ns;

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
static int netns_pidfd_open(NetnsRegistry *reg, pid_t id)
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
static bool netns_pidfd_exited(int pidfd)
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
static pid_t netns_proc_path_id(const char *path)
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
static void netns_watch_pid(NetnsRegistry *reg, Netns *ns, int pidfd, pid_t id)
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

static void netns_inotify_free(NetnsInotify *in)
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

static int netns_inotify_new(NetnsRegistry *reg, NetnsInotify **ret)
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
static void netns_watch_dir(NetnsRegistry *reg)
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
	netns_wake_self(reg);
}

/* ---- what an entry remembers */

static void netns_add_name(NetnsRegistry *reg, Netns *ns, const char *name)
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
	nn->next = ns->names;
	ns->names = nn;
	netns_name_link(reg, nn);
	netns_watch_dir(reg);
}

static void netns_set_path(Netns *ns, const char *path)
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

/* The name of a path in the netns dir ("DIR/NAME"), or NULL. */
static const char *netns_dir_name(NetnsRegistry *reg, const char *path)
{
	size_t n = strlen(reg->dir);

	if (strncmp(path, reg->dir, n) != 0 || path[n] != '/' || !name_netns_valid(path + n + 1))
		return NULL;
	return path + n + 1;
}

/* ---- the idle close */

static void netns_sweep_arm(NetnsRegistry *reg)
{
	if (!reg->idle_ns || !reg->n_entries || reg->freeing || loop_timer_armed(&reg->sweep))
		return;
	loop_timer_arm(reg->loop, &reg->sweep,
		       loop_now(reg->loop) + MAX(reg->idle_ns / 4, NETNS_SWEEP_MIN));
}

static void netns_sweep(LoopTimer *t)
{
	NetnsRegistry *reg = container_of(t, NetnsRegistry, sweep);
	uint64_t now = loop_now(reg->loop);
	NetnsSet set = { 0 };

	for (size_t i = 0; i < reg->n_buckets; i++)
		for (Netns *ns = reg->buckets[i]; ns; ns = ns->hnext)
			if (ns->refs == 0 && !ns->opening && now - ns->last_used >= reg->idle_ns)
				netns_set_add(&set, ns);
	for (size_t i = 0; i < set.n; i++) {
		Netns *ns = set.v[i];

		/* Still idle: closing another entry may have started an operation on this one. */
		if (!ns->closed && ns->refs == 1) {
			log_debug("netns: namespace %" PRIu64 " idle for %" PRIu64 " s: closing it",
				  ns->ino, (now - ns->last_used) / NETNS_SEC);
			netns_close_entry(reg, ns);
		}
		netns_unref(ns);
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
	reg->self_ino = st.st_ino;
	reg->self_pid = getpid();
	reg->sweep.cb = netns_sweep;
	reg->dir_wd = -1;
	reg->pending_tail = &reg->pending;
	reg->pending_defer.cb = netns_pending_defer_cb;
	reg->queue_tail = &reg->queue;
	reg->done_tail = &reg->done;
	pthread_mutex_init(&reg->lock, NULL);

	reg->dir = strdup(netns_dir);
	reg->n_buckets = NETNS_HASH_MIN;
	reg->buckets = calloc(reg->n_buckets, sizeof(*reg->buckets));
	reg->n_nbuckets = NETNS_HASH_MIN;
	reg->nbuckets = calloc(reg->n_nbuckets, sizeof(*reg->nbuckets));
	if (!reg->dir || !reg->buckets || !reg->nbuckets) {
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

	r = loop_wake_new(loop, &reg->wake, netns_wake_cb, reg);
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
	pthread_mutex_destroy(&reg->lock);
	free(reg->buckets);
	free(reg->nbuckets);
	free(reg->dir);
	for (size_t i = 0; i < reg->n_prefixes; i++)
		free(reg->prefixes[i]);
	free(reg->prefixes);
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
	loop_timer_disarm(reg->loop, &reg->sweep);

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

	netns_pending_run(reg); /* what the close callbacks queued */
	loop_defer_cancel(reg->loop, &reg->pending_defer);
	netns_inotify_free(reg->inotify);
	loop_wake_free(reg->wake);
	pthread_mutex_destroy(&reg->lock);
	free(reg->buckets);
	free(reg->nbuckets);
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

static NetnsJob *netns_create_find(NetnsRegistry *reg, const char *name)
{
	NetnsJob *job;

	for (job = reg->creates; job; job = job->cnext)
		if (!job->deleted && strcmp(job->name, name) == 0)
			return job;
	return NULL;
}

/* Remembers how ns was reached (see netns_open() in netns.h); adopts pidfd. */
static void netns_remember(NetnsRegistry *reg, Netns *ns, const char *name, const char *path,
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
static Netns *netns_open_cached(NetnsRegistry *reg, const NetnsRef *ref, const char *path)
{
	struct stat st;

	if (ref->type == NETNS_REF_SELF) {
		Netns *ns = netns_hash_find(reg, reg->nsfs_dev, reg->self_ino);
		return ns && !ns->opening && !ns->closed ? ns : NULL;
	}
	if (ref->type != NETNS_REF_NAME)
		return NULL;
	for (NetnsName *nn = *netns_name_bucket(reg, ref->str); nn; nn = nn->hnext) {
		if (strcmp(nn->name, ref->str) != 0 || nn->ns->opening || nn->ns->closed)
			continue;
		if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return NULL; /* the slow path gives the right error */
		for (; nn; nn = nn->hnext)
			if (strcmp(nn->name, ref->str) == 0 && !nn->ns->opening && !nn->ns->closed &&
			    st.st_dev == nn->ns->dev && st.st_ino == nn->ns->ino)
				return nn->ns;
		return NULL;
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
	ns = netns_open_cached(reg, ref, path);
	if (ns) {
		w = calloc(1, sizeof(*w));
		if (!w)
			return -ENOMEM;
		w->cb = cb;
		w->userdata = userdata;
		ns->last_used = loop_now(reg->loop);
		netns_pending_add(reg, TAKE_PTR(w), 0, netns_ref(ns));
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
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
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
		job = netns_create_find(reg, ref->str);
		if (job) {
			w->next = job->waiters;
			job->waiters = TAKE_PTR(w);
			return 0;
		}
	}
	if (r < 0)
		return r;
	if (pidfd >= 0 && netns_pidfd_exited(pidfd))
		/* Gone: the file we opened may already be another process's (pid reuse). */
		return ref->type == NETNS_REF_PID ? -ESRCH : -ENOENT;

	ns = netns_hash_find(reg, dev, ino);
	if (ns && ns->opening) {
		netns_remember(reg, ns, name, other, TAKE_FD(pidfd), pid);
		w->next = ns->waiters;
		ns->waiters = TAKE_PTR(w);
		return 0;
	}
	if (ns) {
		netns_remember(reg, ns, name, other, TAKE_FD(pidfd), pid);
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
	netns_remember(reg, ns, name, other, TAKE_FD(pidfd), pid);
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

	if (!reg || !name_netns_valid(name))
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

int netns_reclaim_stale(NetnsRegistry *reg, const char *name)
{
	char path[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	int n;

	if (!reg || !name_netns_valid(name))
		return -EINVAL;
	if (netns_create_find(reg, name))
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

/* ---- sockets opened inside a namespace for the upper layer (netns_open_socket()) */

static int netns_thread_socket(NetnsJob *job)
{
	if (setns(job->setns_fd, CLONE_NEWNET) < 0)
		return negative_errno();
	job->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, job->protocol);
	if (job->nl_fd < 0)
		return negative_errno();
	return 0;
}

static void netns_socket_finish(NetnsRegistry *reg, NetnsJob *job)
{
	Netns *ns = TAKE_PTR(job->ns);
	int r = job->r;

	if (r >= 0 && ns->closed) {
		/* Closed meanwhile: a socket of ours must not pin it. */
		job->nl_fd = safe_close(job->nl_fd);
		r = -ENOENT;
	}
	job->sock_cb(job->sock_userdata, r, r >= 0 ? TAKE_FD(job->nl_fd) : -1);
	netns_unref(ns);
}

int netns_open_socket(Netns *ns, int protocol, netns_socket_cb cb, void *userdata)
{
	NetnsRegistry *reg = ns ? ns->reg : NULL;
	NetnsJob *job;

	if (!ns || !cb)
		return -EINVAL;
	if (!reg || ns->closed || ns->ns_fd < 0)
		return -ESHUTDOWN;
	if (reg->freeing)
		return -ECANCELED;
	job = netns_job_new(reg, NETNS_JOB_SOCKET);
	if (!job)
		return -ENOMEM;
	/* The thread's own copy: closing the entry meanwhile must not pull ns_fd from under it
	 * (the job closes the copy when freed). */
	job->ns_fd = fcntl(ns->ns_fd, F_DUPFD_CLOEXEC, 3);
	if (job->ns_fd < 0) {
		int r = negative_errno();

		netns_job_free(job);
		return r;
	}
	job->setns_fd = job->ns_fd;
	job->ns = netns_ref(ns);
	job->protocol = protocol;
	job->sock_cb = cb;
	job->sock_userdata = userdata;
	netns_job_queue(reg, job);
	return 0;
}

void netns_registry_set_dir_cb(NetnsRegistry *reg, netns_dir_cb cb, void *userdata)
{
	reg->dir_cb = cb;
	reg->dir_userdata = userdata;
	netns_watch_dir(reg);
}
