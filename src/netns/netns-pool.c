/* The helper-thread pool: bounded short-lived threads that enter a namespace (setns, or
 * unshare for a new one), run one task and exit, their results handed to the loop thread
 * through a done list and a LoopWake; and netns_run_in() / netns_open_socket() on top. */
#include "netns-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"

/* Helper threads make a handful of syscalls; a small stack keeps many of them cheap. Sanitizer
 * builds need more, so stay well above PTHREAD_STACK_MIN. */
#define NETNS_THREAD_STACK (256u * 1024u)

/* Also used by the loop thread for tasks that never got a thread. */
static void netns_task_post(NetnsPool *pool, NetnsTask *t)
{
	pthread_mutex_lock(&pool->lock);
	t->next = NULL;
	*pool->done_tail = t;
	pool->done_tail = &t->next;
	pthread_mutex_unlock(&pool->lock);
	/* pool stays valid: netns_pool_cancel() joins every thread before it is freed. */
	loop_wake_raise(pool->wake);
}

static void *netns_task_thread(void *p)
{
	NetnsTask *t = p;

	if (t->setns_fd >= 0 ? setns(t->setns_fd, CLONE_NEWNET) < 0 : unshare(CLONE_NEWNET) < 0)
		t->r = negative_errno();
	else
		t->r = t->run(t);
	netns_task_post(t->pool, t);
	return NULL;
}

static int netns_task_spawn(NetnsPool *pool, NetnsTask *t)
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
	r = -pthread_create(&t->thread, &attr, netns_task_thread, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		goto out;
	t->joinable = true;
	t->rnext = pool->running;
	pool->running = t;
	pool->threads++;
	pool->threads_started++;
	pool->threads_max_seen = MAX(pool->threads_max_seen, pool->threads);
out:
	pthread_attr_destroy(&attr);
	return r;
}

/* Starts queued tasks while fewer than max_threads helper threads are alive. A thread counts
 * as alive until it has been joined, so the bound holds for threads still on their way out. */
static void netns_pool_start(NetnsPool *pool)
{
	while (pool->queue && pool->threads < pool->max_threads && !pool->cancelling) {
		NetnsTask *t = pool->queue;
		int r;

		pool->queue = t->next;
		if (!pool->queue)
			pool->queue_tail = &pool->queue;
		t->next = NULL;
		r = t->check ? t->check(t) : 0;
		if (r >= 0) {
			r = netns_task_spawn(pool, t);
			if (r < 0)
				log_debug("netns: cannot start a helper thread: %s", strerror(-r));
		}
		if (r < 0) {
			t->r = r;
			netns_task_post(pool, t);
		}
	}
}

void netns_pool_queue(NetnsPool *pool, NetnsTask *t)
{
	t->pool = pool;
	t->joinable = false;
	t->next = NULL;
	*pool->queue_tail = t;
	pool->queue_tail = &t->next;
	netns_pool_start(pool);
}

static void netns_task_reap(NetnsPool *pool, NetnsTask *t)
{
	NetnsTask **p;

	if (!t->joinable)
		return;
	/* The thread posted the task as its last act: this waits for it to exit, briefly. */
	pthread_join(t->thread, NULL);
	t->joinable = false;
	for (p = &pool->running; *p; p = &(*p)->rnext) {
		if (*p == t) {
			*p = t->rnext;
			break;
		}
	}
	pool->threads--;
}

static void netns_task_finish(NetnsPool *pool, NetnsTask *t)
{
	/* Shutting down: the task undoes what the thread did rather than hand it out. */
	t->finish(t, pool->cancelling && t->r >= 0 ? -ECANCELED : t->r);
}

static NetnsTask *netns_done_take(NetnsPool *pool)
{
	NetnsTask *done;

	pthread_mutex_lock(&pool->lock);
	done = pool->done;
	pool->done = NULL;
	pool->done_tail = &pool->done;
	pthread_mutex_unlock(&pool->lock);
	return done;
}

static void netns_pool_wake_cb(void *userdata)
{
	NetnsPool *pool = userdata;
	NetnsTask *done, *t;

	pool->wake_raised = false;
	done = netns_done_take(pool);
	/* Join first and refill the thread slots, so the next namespaces are being entered while
	 * the callbacks below run. */
	for (t = done; t; t = t->next)
		netns_task_reap(pool, t);
	netns_pool_start(pool);
	while (done) {
		t = done;
		done = t->next;
		netns_task_finish(pool, t);
	}
	pool->after_cb(pool->userdata);
}

void netns_pool_wake(NetnsPool *pool)
{
	if (pool->wake_raised)
		return;
	pool->wake_raised = true;
	loop_wake_raise(pool->wake);
}

int netns_pool_init(NetnsPool *pool, Loop *loop, unsigned max_threads,
		    void (*after_cb)(void *userdata), void *userdata)
{
	int r;

	*pool = (NetnsPool){
		.max_threads = max_threads ? max_threads : NETNS_DEFAULT_THREADS,
		.after_cb = after_cb,
		.userdata = userdata,
	};
	pool->queue_tail = &pool->queue;
	pool->done_tail = &pool->done;
	pthread_mutex_init(&pool->lock, NULL);
	r = loop_wake_new(loop, &pool->wake, netns_pool_wake_cb, pool);
	if (r < 0)
		pthread_mutex_destroy(&pool->lock);
	return r;
}

void netns_pool_cancel(NetnsPool *pool)
{
	NetnsTask *t;

	pool->cancelling = true;
	/* Tasks not started never will be. */
	while ((t = pool->queue)) {
		pool->queue = t->next;
		t->finish(t, -ECANCELED);
	}
	pool->queue_tail = &pool->queue;

	/* Running threads only make a few syscalls: wait for them, then undo their work. */
	while (pool->running)
		netns_task_reap(pool, pool->running);
	for (t = netns_done_take(pool); t;) {
		NetnsTask *next = t->next;

		netns_task_finish(pool, t);
		t = next;
	}
}

void netns_pool_free(NetnsPool *pool)
{
	loop_wake_free(pool->wake);
	pool->wake = NULL;
	pthread_mutex_destroy(&pool->lock);
}

unsigned netns_registry_max_threads_seen(const NetnsRegistry *reg)
{
	return reg->pool.threads_max_seen;
}

uint64_t netns_registry_threads_started(const NetnsRegistry *reg)
{
	return reg->pool.threads_started;
}

/* ---- netns_run_in(): a task inside an open entry, for the upper layer */

typedef struct NetnsRunJob {
	NetnsTask task;
	NetnsPriv *ns; /* a reference: closing the entry meanwhile turns the result into -ENOENT */
	int ns_fd;     /* the thread's own copy of ns->ns_fd */
	NetnsJobFn run;
	NetnsJobDoneFn done;
	void *userdata;
} NetnsRunJob;

static int netns_run_job_run(NetnsTask *t)
{
	NetnsRunJob *job = container_of(t, NetnsRunJob, task);

	return job->run(job->userdata);
}

static void netns_run_job_finish(NetnsTask *t, int r)
{
	NetnsRunJob *job = container_of(t, NetnsRunJob, task);
	NetnsPriv *ns = job->ns;

	/* Closed meanwhile: what the job opened must not pin it. */
	if (r >= 0 && ns->closed)
		r = -ENOENT;
	safe_close(job->ns_fd);
	job->done(job->userdata, r);
	netns_unref(&ns->pub);
	free(job);
}

int netns_run_in(Netns *pub, NetnsJobFn run, NetnsJobDoneFn done, void *userdata)
{
	NetnsPriv *ns = pub ? netns_priv(pub) : NULL;
	NetnsRegistry *reg = ns ? ns->reg : NULL;
	NetnsRunJob *job;

	if (!ns || !run || !done)
		return -EINVAL;
	if (!reg || ns->closed || ns->ns_fd < 0)
		return -ESHUTDOWN;
	if (reg->freeing)
		return -ECANCELED;
	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	/* The thread's own copy: closing the entry meanwhile must not pull ns_fd from under it
	 * (the job closes the copy when finished). */
	job->ns_fd = fcntl(ns->ns_fd, F_DUPFD_CLOEXEC, 3);
	if (job->ns_fd < 0) {
		int r = negative_errno();

		free(job);
		return r;
	}
	job->task.run = netns_run_job_run;
	job->task.finish = netns_run_job_finish;
	job->task.setns_fd = job->ns_fd;
	job->ns = netns_ref_priv(ns);
	job->run = run;
	job->done = done;
	job->userdata = userdata;
	netns_pool_queue(&reg->pool, &job->task);
	return 0;
}

/* ---- netns_open_socket() */

typedef struct NetnsSocketJob {
	int protocol;
	int fd;
	netns_socket_cb cb;
	void *userdata;
} NetnsSocketJob;

static int netns_socket_run(void *userdata)
{
	NetnsSocketJob *sj = userdata;

	sj->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, sj->protocol);
	return sj->fd < 0 ? negative_errno() : 0;
}

static void netns_socket_done(void *userdata, int r)
{
	NetnsSocketJob *sj = userdata;

	if (r < 0)
		sj->fd = safe_close(sj->fd);
	sj->cb(sj->userdata, r, TAKE_FD(sj->fd));
	free(sj);
}

int netns_open_socket(Netns *ns, int protocol, netns_socket_cb cb, void *userdata)
{
	NetnsSocketJob *sj;
	int r;

	if (!ns || !cb)
		return -EINVAL;
	sj = malloc(sizeof(*sj));
	if (!sj)
		return -ENOMEM;
	*sj = (NetnsSocketJob){ .protocol = protocol, .fd = -1, .cb = cb, .userdata = userdata };
	r = netns_run_in(ns, netns_socket_run, netns_socket_done, sj);
	if (r < 0)
		free(sj);
	return r;
}
