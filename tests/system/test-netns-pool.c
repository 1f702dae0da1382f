/* System test for the helper-thread pool (netns_run_in()): jobs run inside the namespace they
 * were given, never more threads than the bound, and closing or freeing cancels exactly once. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/check.h"
#include "core/macro.h"
#include "loop/loop.h"
#include "netns/netns-pool.h"
#include "netns/netns.h"

#define MAX_THREADS 3
#define N_NS	    3
#define N_MANY	    200
#define N_GATED	    8
#define SEC	    UINT64_C(1000000000)

static char tmpdir[] = "/tmp/nsring-test-netns-pool.XXXXXX";
static bool tmp_made, tmp_mounted;
static char nsdir[PATH_MAX];
static Loop *loop;
static NetnsRegistry *reg;
static ino_t loop_ns_ino;
static unsigned closes;

/* One job: what run saw inside the namespace, and how done was called. */
typedef struct Job {
	uint64_t ino;	/* /proc/thread-self/ns/net, read by run */
	int fd;		/* an fd run opened inside: done closes it */
	int ret;	/* what run returns */
	unsigned runs;	/* times run ran */
	unsigned dones; /* times done ran */
	int r;		/* done's result */
	bool gated;	/* run waits for the gate */
} Job;

/* Concurrency seen inside run, and a gate that holds gated jobs inside their namespace. */
static atomic_uint in_run, in_run_max;
static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static atomic_uint gate_waiting;

static void cleanup(void)
{
	if (tmp_mounted)
		umount2(tmpdir, MNT_DETACH);
	if (tmp_made)
		rmdir(tmpdir);
}

static ino_t path_ino(const char *path)
{
	struct stat st;

	CHECK(stat(path, &st) == 0);
	return st.st_ino;
}

static void gate_set(bool open)
{
	pthread_mutex_lock(&gate_lock);
	gate_open = open;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
}

/* In the helper thread, inside the namespace: only the job and the test's atomics. */
static int job_run(void *userdata)
{
	Job *job = userdata;
	unsigned n = atomic_fetch_add(&in_run, 1) + 1, max = atomic_load(&in_run_max);
	struct stat st;
	int r = job->ret;

	while (n > max && !atomic_compare_exchange_weak(&in_run_max, &max, n))
		;
	job->runs++;
	if (job->gated) {
		atomic_fetch_add(&gate_waiting, 1);
		pthread_mutex_lock(&gate_lock);
		while (!gate_open)
			pthread_cond_wait(&gate_cond, &gate_lock);
		pthread_mutex_unlock(&gate_lock);
	} else {
		usleep(2000); /* long enough for jobs to overlap */
	}
	job->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (job->fd < 0 || fstat(job->fd, &st) < 0)
		r = negative_errno();
	else
		job->ino = st.st_ino;
	atomic_fetch_sub(&in_run, 1);
	return r;
}

/* On the loop thread. */
static void job_done(void *userdata, int r)
{
	Job *job = userdata;

	CHECK(path_ino("/proc/thread-self/ns/net") == loop_ns_ino);
	job->dones++;
	job->r = r;
	job->fd = safe_close(job->fd);
}

static int run_in(Netns *ns, Job *job)
{
	job->fd = -1;
	return netns_run_in(ns, job_run, job_done, job);
}

/* ---- driving the loop until a condition holds */

static bool (*until_cond)(void);
static uint64_t until_deadline;

static void on_poll(LoopTimer *t)
{
	if (until_cond() || loop_now(loop) > until_deadline)
		loop_quit(loop, 0);
	else
		loop_timer_arm(loop, t, loop_now(loop) + SEC / 1000);
}

static void run_until(bool (*cond)(void))
{
	static LoopTimer t = { .cb = on_poll };

	until_cond = cond;
	until_deadline = loop_now(loop) + 60 * SEC;
	loop_timer_arm(loop, &t, loop_now(loop));
	CHECK_EQ(loop_run(loop), 0);
	CHECK(cond()); /* else timed out */
}

static uint64_t settle_until;

static bool settled(void)
{
	return loop_now(loop) >= settle_until;
}

/* ---- namespaces to run in */

typedef struct Opened {
	bool done;
	int r;
	Netns *ns;
} Opened;

static void on_open(void *userdata, int r, Netns *ns)
{
	Opened *o = userdata;

	CHECK(!o->done);
	o->done = true;
	o->r = r;
	o->ns = ns;
}

static void on_close(Netns *ns, void *userdata)
{
	closes++;
}

static Opened opened[N_NS];

static bool all_opened(void)
{
	for (unsigned i = 0; i < N_NS; i++)
		if (!opened[i].done)
			return false;
	return true;
}

static void create_namespaces(void)
{
	char name[16];

	for (unsigned i = 0; i < N_NS; i++) {
		opened[i] = (Opened){ 0 };
		snprintf(name, sizeof(name), "pool%u", i);
		CHECK_EQ(netns_create(reg, name, on_open, &opened[i]), 0);
	}
	run_until(all_opened);
	for (unsigned i = 0; i < N_NS; i++) {
		CHECK_EQ(opened[i].r, 0);
		CHECK(opened[i].ns && opened[i].ns->ino != loop_ns_ino);
	}
}

/* ---- tests */

static Job one;

static bool one_done(void)
{
	return one.dones > 0;
}

/* A job runs inside its namespace and hands back what it found there. */
static void test_run_in_namespace(void)
{
	Netns *ns = opened[0].ns;

	current_test = "run_in_namespace";
	one = (Job){ .ret = 7 };
	CHECK_EQ(run_in(ns, &one), 0);
	CHECK_EQ(one.dones, 0); /* never from inside netns_run_in() */
	run_until(one_done);
	CHECK_EQ(one.runs, 1);
	CHECK_EQ(one.dones, 1);
	CHECK_EQ(one.r, 7);
	CHECK_EQ(one.ino, ns->ino);
	CHECK(one.ino != loop_ns_ino);

	/* An error from run is handed back as it is. */
	one = (Job){ .ret = -EPROTO };
	CHECK_EQ(run_in(ns, &one), 0);
	run_until(one_done);
	CHECK_EQ(one.r, -EPROTO);
	CHECK_EQ(one.ino, ns->ino);

	CHECK_EQ(netns_run_in(NULL, job_run, job_done, &one), -EINVAL);
	CHECK_EQ(netns_run_in(ns, NULL, job_done, &one), -EINVAL);
	CHECK_EQ(netns_run_in(ns, job_run, NULL, &one), -EINVAL);
}

static Job many[N_MANY];

static bool many_done(void)
{
	for (unsigned i = 0; i < N_MANY; i++)
		if (!many[i].dones)
			return false;
	return true;
}

/* Many jobs over several namespaces: each in its own namespace, each finished exactly once,
 * never more than MAX_THREADS helper threads at once. */
static void test_many(void)
{
	uint64_t started = netns_registry_threads_started(reg);
	unsigned seen;

	current_test = "many";
	atomic_store(&in_run_max, 0);
	for (unsigned i = 0; i < N_MANY; i++) {
		many[i] = (Job){ .ret = (int)i };
		CHECK_EQ(run_in(opened[i % N_NS].ns, &many[i]), 0);
	}
	run_until(many_done);
	for (unsigned i = 0; i < N_MANY; i++) {
		CHECK_EQ(many[i].runs, 1);
		CHECK_EQ(many[i].dones, 1);
		CHECK_EQ(many[i].r, (int)i);
		CHECK_EQ(many[i].ino, opened[i % N_NS].ns->ino);
	}
	CHECK_EQ(netns_registry_threads_started(reg) - started, N_MANY);
	CHECK(netns_registry_max_threads_seen(reg) <= MAX_THREADS);
	seen = atomic_load(&in_run_max);
	fprintf(stderr, "netns-pool: at most %u jobs inside at once\n", seen);
	CHECK(seen <= MAX_THREADS);
	CHECK(seen >= 2); /* the jobs did overlap: the bound was tested */
}

static Job gated[N_GATED];

static bool gated_done(void)
{
	for (unsigned i = 0; i < N_GATED; i++)
		if (!gated[i].dones)
			return false;
	return true;
}

static bool threads_gated(void)
{
	return atomic_load(&gate_waiting) == MAX_THREADS;
}

/* Closing the namespace (netns_delete()) while jobs run in it and more are queued: each
 * finishes once with -ENOENT, whether run had finished or not started. */
static void test_cancel_on_close(void)
{
	Netns *ns = netns_ref(opened[1].ns);
	unsigned closes_before = closes;

	current_test = "cancel_on_close";
	gate_set(false);
	atomic_store(&gate_waiting, 0);
	for (unsigned i = 0; i < N_GATED; i++) {
		gated[i] = (Job){ .gated = true };
		CHECK_EQ(run_in(ns, &gated[i]), 0);
	}
	run_until(threads_gated); /* MAX_THREADS inside, the rest queued */
	CHECK_EQ(netns_delete(reg, "pool1"), 0);
	CHECK_EQ(closes, closes_before + 1);
	CHECK(!ns->reg && ns->ns_fd < 0);
	/* Closed: no new job, and no callback for the refusal. */
	one = (Job){ 0 };
	CHECK_EQ(run_in(ns, &one), -ESHUTDOWN);
	gate_set(true);
	run_until(gated_done);
	for (unsigned i = 0; i < N_GATED; i++) {
		CHECK_EQ(gated[i].dones, 1);
		CHECK_EQ(gated[i].r, -ENOENT);
		CHECK_EQ(gated[i].fd, -1);
	}
	CHECK_EQ(one.dones, 0);
	netns_unref(ns);
	netns_unref(opened[1].ns);
	opened[1].ns = NULL;
}

/* Freeing the registry with jobs running and queued: each finishes once with -ECANCELED
 * (the queued ones without running), before netns_registry_free() returns. */
static void test_cancel_on_free(void)
{
	unsigned ran = 0;

	current_test = "cancel_on_free";
	gate_set(false);
	atomic_store(&gate_waiting, 0);
	for (unsigned i = 0; i < N_GATED; i++) {
		gated[i] = (Job){ .gated = true };
		CHECK_EQ(run_in(opened[i % 2 ? 0 : 2].ns, &gated[i]), 0);
	}
	run_until(threads_gated);
	netns_unref(opened[0].ns);
	netns_unref(opened[2].ns);
	/* free joins the running threads: let them out first. */
	gate_set(true);
	netns_registry_free(reg);
	reg = NULL;
	for (unsigned i = 0; i < N_GATED; i++) {
		CHECK_EQ(gated[i].dones, 1);
		CHECK_EQ(gated[i].r, -ECANCELED);
		CHECK_EQ(gated[i].fd, -1);
		ran += gated[i].runs;
	}
	/* No loop turn since the gate opened, so no queued job got a thread. */
	CHECK_EQ(ran, MAX_THREADS);
}

int main(void)
{
	current_test = "setup";
	if (geteuid() != 0) {
		fprintf(stderr, "netns-pool: not root, skipping\n");
		return 77;
	}
	/* A private mount namespace with a private netns dir: nothing leaks to the machine. */
	if (unshare(CLONE_NEWNS) < 0) {
		fprintf(stderr, "netns-pool: unshare(CLONE_NEWNS): %m, skipping\n");
		return 77;
	}
	CHECK(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(mkdtemp(tmpdir));
	tmp_made = true;
	atexit(cleanup);
	CHECK(mount("tmpfs", tmpdir, "tmpfs", 0, "mode=0755") == 0);
	tmp_mounted = true;
	CHECK((size_t)snprintf(nsdir, sizeof(nsdir), "%s/netns", tmpdir) < sizeof(nsdir));
	loop_ns_ino = path_ino("/proc/thread-self/ns/net");

	CHECK_EQ(loop_new(&loop, 256), 0);
	CHECK_EQ(netns_registry_new(&reg, loop, nsdir, MAX_THREADS, on_close, NULL), 0);
	create_namespaces();

	test_run_in_namespace();
	test_many();
	test_cancel_on_close();
	test_cancel_on_free();

	current_test = "teardown";
	/* A turn later, so the registry's LoopWake has completed and been released. */
	settle_until = loop_now(loop) + 10 * SEC / 1000;
	run_until(settled);
	loop_free(loop);
	CHECK(path_ino("/proc/thread-self/ns/net") == loop_ns_ino);
	fprintf(stderr, "netns-pool: OK\n");
	return 0;
}
