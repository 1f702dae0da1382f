/* The netns module's private state, shared by its files: the registry (netns.c), the helper
 * thread pool (netns-pool.c), the watches and idle close (netns-watch.c), named namespaces
 * (netns-named.c). Nothing outside src/netns includes this, except white-box tests. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/inotify.h>
#include <sys/types.h>

#include "core/hmap.h"
#include "core/macro.h"
#include "loop/loop.h"
#include "netns.h"
#include "netns-pool.h"

#define NETNS_DEFAULT_DIR "/run/netns"
#define NETNS_SEC	  UINT64_C(1000000000)

typedef struct NetnsPriv NetnsPriv;
typedef struct NetnsName NetnsName;
typedef struct NetnsPidWatch NetnsPidWatch;
typedef struct NetnsWaiter NetnsWaiter;
typedef struct NetnsInotify NetnsInotify;
typedef struct NetnsTask NetnsTask;
typedef struct NetnsPool NetnsPool;

/* An entry: the public Netns (same fields, also by name) and what only the module sees. */
struct NetnsPriv {
	union {
		Netns pub;
		struct {
			NETNS_PUBLIC_FIELDS
		};
	};
	int nl_fd;
	unsigned refs;
	bool opening;
	bool closed;
	bool self; /* the daemon's own namespace: it cannot go away while we run */
	NetnsWaiter *waiters;
	HNode hnode; /* reg->entries, by (dev, ino) */
	/* What it was opened by, to notice when it goes away (see netns_open()). */
	NetnsName *names; /* names under the netns directory */
	char *path;	  /* the last other absolute path */
	NetnsPidWatch *pid_watches;
	uint64_t last_used; /* loop clock: last open or netns_touch() */
};

static inline NetnsPriv *netns_priv(Netns *ns)
{
	return container_of(ns, NetnsPriv, pub);
}

/* netns_ref() for the module's own pointers. */
static inline NetnsPriv *netns_ref_priv(NetnsPriv *ns)
{
	ns->refs++;
	return ns;
}

/* An io_uring operation whose owner is gone (a closed entry's pidfd poll, a freed registry's
 * inotify read) waits here for its final completion, which frees it. The list keeps them
 * reachable when the loop never runs again (a daemon frees the registry, then the loop): they
 * are then released with the process, as the ring keeps nothing of them once it is gone. */
typedef struct NetnsOrphan NetnsOrphan;
struct NetnsOrphan {
	NetnsOrphan *prev, *next;
};

/* A name in the netns dir an entry was opened or created under; in reg->names. */
struct NetnsName {
	NetnsPriv *ns;
	HNode hnode;	 /* reg->names, by name */
	NetnsName *next; /* ns->names */
	char name[];
};

/* A process (or thread) an entry was opened by: a POLL_ADD on its pidfd reports its exit. */
struct NetnsPidWatch {
	LoopOp op;
	NetnsPriv *ns; /* NULL once cancelled: the poll completes, then this is freed */
	NetnsPidWatch *next;
	NetnsOrphan orphan;
	int pidfd;
	pid_t pid; /* a pid, or a tid with PIDFD_THREAD: /proc/PID/ns/net names its namespace */
};

/* The netns dir watch: one inotify fd, read by io_uring into buf. */
struct NetnsInotify {
	LoopOp op;
	NetnsRegistry *reg; /* NULL once the registry is freed: the read is being cancelled */
	NetnsOrphan orphan;
	int fd;
	bool armed;
	union {
		struct inotify_event ev; /* alignment */
		char buf[4096];		 /* at least one event with a NAME_MAX name */
	} u;
};

/* One open() waiting for a namespace, or a result queued for delivery on the next wake. */
struct NetnsWaiter {
	netns_open_cb cb;
	void *userdata;
	NetnsPriv *ns; /* queued delivery: the reference handed to cb (NULL with r < 0) */
	int r;
	NetnsWaiter *next;
};

/* ---- the helper-thread pool (netns-pool.c): the module's own jobs embed a NetnsTask;
 * netns_run_in() (netns-pool.h) is the public face of the same machinery. */

struct NetnsTask {
	/* Runs in the helper thread once it is inside the namespace: setns(setns_fd), or
	 * unshare(CLONE_NEWNET) when setns_fd is -1. Touches only the task. */
	int (*run)(NetnsTask *t);
	/* Loop thread, exactly once: r is run()'s result, the error entering the namespace or
	 * starting the thread, or -ECANCELED (the pool is being freed; also when run() succeeded:
	 * undo its work). Frees the task. */
	void (*finish)(NetnsTask *t, int r);
	/* Optional, loop thread, just before the thread starts: a negative errno finishes the
	 * task with it instead (netns_create() of a name deleted while queued). */
	int (*check)(NetnsTask *t);
	int setns_fd;
	/* Pool state. The thread writes r and posts the task on the done list; the loop thread
	 * reads r only after pthread_join(), so it needs no lock. */
	NetnsPool *pool;
	NetnsTask *next;  /* queue or done list */
	NetnsTask *rnext; /* running list: loop thread only, the thread may be using next */
	pthread_t thread;
	bool joinable;
	int r;
};

struct NetnsPool {
	unsigned max_threads;
	bool cancelling; /* being freed: start nothing, fail what finishes */
	LoopWake *wake;
	bool wake_raised;		  /* raised from the loop thread and not handled yet */
	void (*after_cb)(void *userdata); /* after each wake's completions */
	void *userdata;

	NetnsTask *queue, **queue_tail; /* not started yet, FIFO */
	NetnsTask *running;		/* threads created and not joined yet */
	unsigned threads, threads_max_seen;
	uint64_t threads_started;

	pthread_mutex_t lock; /* protects the done list, filled by helper threads */
	NetnsTask *done, **done_tail;
};

int netns_pool_init(NetnsPool *pool, Loop *loop, unsigned max_threads,
		    void (*after_cb)(void *userdata), void *userdata);
/* Queues t (run, finish, setns_fd set); it may start at once. */
void netns_pool_queue(NetnsPool *pool, NetnsTask *t);
/* Raises the wake from the loop thread: after_cb runs on the next loop turn. */
void netns_pool_wake(NetnsPool *pool);
/* Finishes every task: queued ones never run, running ones are waited for; both get
 * -ECANCELED (a failed one keeps its error). Nothing starts afterwards. */
void netns_pool_cancel(NetnsPool *pool);
/* Releases the pool's wake and lock (after netns_pool_cancel()). */
void netns_pool_free(NetnsPool *pool);

/* ---- the registry */

typedef struct NetnsCreate NetnsCreate;

struct NetnsRegistry {
	Loop *loop;
	char *dir;
	char **prefixes; /* where PATH references may point (canonical directories) */
	size_t n_prefixes;
	netns_close_cb close_cb;
	void *userdata;
	dev_t nsfs_dev; /* every nsfs inode lives on this one device */
	ino_t self_ino; /* our own network namespace */
	pid_t self_pid;
	bool dir_shared; /* dir made a shared mount point (once, lazily) */
	bool freeing;
	bool no_pidfd; /* pidfd_open() is ENOSYS: processes are not watched */

	HMap entries; /* (dev, ino) -> NetnsPriv, opening or open */
	HMap names;   /* name -> NetnsName of entries opened under it (several if reused) */
	size_t n_pid_watches;

	NetnsInotify *inotify; /* NULL if inotify is unavailable */
	netns_dir_cb dir_cb;   /* netns_registry_set_dir_cb() */
	void *dir_userdata;
	int dir_wd;	 /* the watch on dir, -1 before the first */
	bool revalidate; /* check every name on the next wake */
	uint64_t idle_ns;
	LoopTimer sweep;

	NetnsWaiter *pending, **pending_tail;
	LoopDefer pending_defer; /* delivers pending at the end of the loop turn */

	NetnsCreate *creates; /* netns_create() jobs queued or running */
	NetnsPool pool;
};

/* netns.c */
NetnsPriv *netns_entry_find(NetnsRegistry *reg, uint64_t dev, uint64_t ino);
NetnsPriv *netns_entry_new(NetnsRegistry *reg, int ns_fd, uint64_t dev, uint64_t ino);
void netns_entry_drop_name(NetnsRegistry *reg, NetnsPriv *ns, NetnsName *nn);
void netns_close_entry(NetnsRegistry *reg, NetnsPriv *ns);
void netns_remember(NetnsRegistry *reg, NetnsPriv *ns, const char *name, const char *path,
		    int pidfd, pid_t pid);
void netns_pending_add(NetnsRegistry *reg, NetnsWaiter *w, int r, NetnsPriv *ns);
void netns_waiters_deliver(NetnsPriv *ns, NetnsWaiter *w);
void netns_waiters_fail(NetnsWaiter *w, int r);
NetnsWaiter *netns_waiters_reverse(NetnsWaiter *w);
static inline uint64_t netns_name_hash(const char *name)
{
	return hmap_hash_str(HMAP_HASH_SEED, name);
}

/* netns-watch.c */
void netns_orphan_add(NetnsOrphan *o);
void netns_orphan_remove(NetnsOrphan *o);
void netns_revalidate_named(NetnsRegistry *reg);
void netns_pid_watches_cancel(NetnsRegistry *reg, NetnsPriv *ns);
int netns_pidfd_open(NetnsRegistry *reg, pid_t id);
bool netns_pidfd_exited(int pidfd);
pid_t netns_proc_path_id(const char *path);
void netns_watch_pid(NetnsRegistry *reg, NetnsPriv *ns, int pidfd, pid_t id);
int netns_inotify_new(NetnsRegistry *reg, NetnsInotify **ret);
void netns_inotify_free(NetnsInotify *in);
void netns_watch_dir(NetnsRegistry *reg);
void netns_add_name(NetnsRegistry *reg, NetnsPriv *ns, const char *name);
void netns_set_path(NetnsPriv *ns, const char *path);
void netns_sweep(LoopTimer *t);
void netns_sweep_arm(NetnsRegistry *reg);

/* netns-named.c */
/* The creation in flight for name (not deleted meanwhile): an open of the name waits for it. */
NetnsWaiter **netns_create_waiters(NetnsRegistry *reg, const char *name);
