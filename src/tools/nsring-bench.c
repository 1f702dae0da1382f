/* nsring-bench: load generator for nsringd. Runs one workload of tests/bench/WORKLOADS.md as
 * phases (untimed setup, timed operations, untimed teardown) and prints the summary. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "core/status.h"
#include "nsring-bench.h"

#define PROBE_POLL_NS	  (20ull * 1000000u)
#define PROBE_CAP_NS	  (60ull * 1000000000u)
#define PROGRESS_AFTER_NS (1000ull * 1000000u)

typedef struct Bench {
	BenchConfig cfg;
	BenchEngine *e;
	uint8_t *ns_state;
	size_t ns_count;
	unsigned probe_seq;
	bool probe_pending; /* namespaces were deleted: the kernel may still be tearing down */
	bool probe_foreign; /* P-probe existed before the run: use, never delete */
	bool progress_on, progress_shown;
	uint64_t t0;
	int err;
	char errmsg[2048];
} Bench;

static volatile sig_atomic_t sigcount, last_signal;

static void on_signal(int sig)
{
	last_signal = sig;
	sigcount++;
}

_printf_(3, 4) static void bench_fail(Bench *b, int err, const char *fmt, ...)
{
	va_list ap;

	if (b->err && b->err != -EINTR)
		return; /* keep the first error */
	b->err = err;
	va_start(ap, fmt);
	vsnprintf(b->errmsg, sizeof(b->errmsg), fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- progress */

static void progress_clear(Bench *b)
{
	if (b->progress_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
		b->progress_shown = false;
	}
}

static void on_progress(void *ud, const BenchPhase *ph, uint64_t done, uint64_t total)
{
	Bench *b = ud;
	uint64_t now = bench_now_ns();
	char bar[31];
	unsigned fill;

	if (!b->progress_on || now - b->t0 < PROGRESS_AFTER_NS || total == 0)
		return;
	fill = (unsigned)(done * 30 / total);
	memset(bar, '#', fill);
	memset(bar + fill, '.', 30 - fill);
	bar[30] = '\0';
	fprintf(stderr, "\r\033[K%s %-8s [%s] %llu/%llu ops  %.1f s",
		bench_workload_name(b->cfg.workload), ph->what, bar, (unsigned long long)done,
		(unsigned long long)total, (double)(now - b->t0) / 1e9);
	fflush(stderr);
	b->progress_shown = true;
}

/* ---------------------------------------------------------------- phases */

static int run_phase(Bench *b, const BenchPhase *ph)
{
	int r = bench_engine_run(b->e, ph);

	if (r < 0)
		bench_fail(b, r, "%s", r == -EINTR ? "interrupted" : bench_engine_error(b->e));
	return r;
}

static int call(Bench *b, const BenchOp *op, int *ret_code, char *msg, size_t n)
{
	int r = bench_engine_call(b->e, op, ret_code, msg, n);

	if (r < 0 && r != -EINTR)
		bench_fail(b, r, "%s", bench_engine_error(b->e));
	return r;
}

/* Waits until the kernel has torn down the namespaces deleted last time: their probe veth end
 * in P-probe disappears when cleanup_net reaches the namespace deleted last. */
static void wait_probe(Bench *b)
{
	uint64_t start = bench_now_ns();
	sig_atomic_t base = sigcount;
	char far[BENCH_IFNAME_MAX], near[BENCH_IFNAME_MAX], msg[512];
	BenchOp op = { .kind = BOP_GET_LINK, .ns_id = -1 };
	int code, r;

	if (!b->probe_pending)
		return;
	b->probe_pending = false;
	bench_ns_name(&b->cfg, NS_ID_PROBE, op.ns, sizeof(op.ns));
	bench_probe_names(&b->cfg, b->probe_seq, near, far);
	snprintf(op.name, sizeof(op.name), "%s", far);
	for (;;) {
		r = call(b, &op, &code, msg, sizeof(msg));
		if (r < 0)
			return;
		if (code == STATUS_NOT_FOUND)
			return;
		if (code != 0) {
			fprintf(stderr, "nsring-bench: warning: probe GetLink %s in %s: %s: %s\n",
				far, op.ns, status_code_name(code), msg);
			return;
		}
		if (bench_now_ns() - start > PROBE_CAP_NS) {
			fprintf(stderr, "nsring-bench: warning: namespace teardown still running "
					"after 60 s; going on\n");
			return;
		}
		if (sigcount != base)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = PROBE_POLL_NS }, NULL);
	}
}

static int ensure_probe_ns(Bench *b)
{
	BenchOp op = { .kind = BOP_CREATE_NS, .ns_id = NS_ID_PROBE };
	char msg[512];
	int code, r;

	if (b->ns_state[NS_ID_PROBE] == NS_EXISTS || b->probe_foreign)
		return 0;
	bench_ns_name(&b->cfg, NS_ID_PROBE, op.ns, sizeof(op.ns));
	b->ns_state[NS_ID_PROBE] = NS_MAYBE;
	r = call(b, &op, &code, msg, sizeof(msg));
	if (r < 0)
		return r;
	if (code == STATUS_ALREADY_EXISTS) {
		/* A long-lived probe namespace of the same prefix (tests/bench/compare's teardown
		 * keeps P-probe): use it, never delete it. */
		b->ns_state[NS_ID_PROBE] = NS_NONE;
		b->probe_foreign = true;
		return 0;
	}
	if (code != 0) {
		b->ns_state[NS_ID_PROBE] = NS_NONE;
		fprintf(stderr, "nsring-bench: warning: cannot create probe namespace %s: %s: %s\n",
			op.ns, status_code_name(code), msg);
		return -EIO;
	}
	b->ns_state[NS_ID_PROBE] = NS_EXISTS;
	return 0;
}

/* Deletes namespaces ids[0..n): all but the last, then the last, which first gets a probe veth
 * to P-probe so the next phase can wait for the kernel's teardown. The probe is untimed even
 * when the deletes are timed. */
static int delete_namespaces(Bench *b, const int *ids, size_t n, bool timed, const char *what)
{
	BenchPhase probe = {
		.what = what, .step = STEP_PROBE, .nchains = 1, .chain_len = 1, .ids = &ids[n - 1]
	};
	BenchPhase del = { .what = what,
			   .step = STEP_DELETE_NS,
			   .timed = timed,
			   .nchains = n - 1,
			   .chain_len = 1,
			   .ids = ids,
			   .ok_if_missing = !timed };
	BenchPhase del_last = del;
	BenchOp op;
	char msg[512];
	int code, r;

	if (n == 0)
		return 0;
	/* The probe only for a namespace known to exist: else it could create what a delete
	 * of a namespace never created would miss. */
	if (b->ns_state[ids[n - 1]] == NS_EXISTS && ensure_probe_ns(b) == 0) {
		probe.probe_seq = ++b->probe_seq;
		bench_gen(&b->cfg, &probe, 0, 0, &op);
		r = call(b, &op, &code, msg, sizeof(msg));
		if (r < 0)
			return r;
		if (code == 0)
			b->probe_pending = true;
		else
			fprintf(stderr, "nsring-bench: warning: probe veth in %s: %s: %s\n", op.ns,
				status_code_name(code), msg);
	}
	r = run_phase(b, &del);
	if (r < 0)
		return r;
	del_last.ids = &ids[n - 1];
	del_last.nchains = 1;
	return run_phase(b, &del_last);
}

static int run_timed(Bench *b, BenchStep step, size_t n)
{
	BenchPhase ph = { .what = "run",
			  .step = step,
			  .timed = true,
			  .nchains = n,
			  .chain_len = bench_chain_len(&b->cfg, step) };

	wait_probe(b);
	return run_phase(b, &ph);
}

static int run_setup(Bench *b, BenchStep step, size_t n)
{
	BenchPhase ph = { .what = "setup",
			  .step = step,
			  .nchains = n,
			  .chain_len = bench_chain_len(&b->cfg, step) };

	return run_phase(b, &ph);
}

static int run_workload(Bench *b)
{
	const BenchConfig *cfg = &b->cfg;
	size_t n = cfg->count;
	int r;

	r = run_setup(b, STEP_SETUP_MAIN, bench_chain_len(cfg, STEP_SETUP_MAIN) ? 1 : 0);
	if (r < 0)
		return r;
	switch (cfg->workload) {
	case WL_VETH:
		return run_timed(b, STEP_VETH, n);
	case WL_ROUTE:
		return run_timed(b, STEP_ROUTE, n);
	case WL_RULE:
		return run_timed(b, STEP_RULE, n);
	case WL_WIRE:
		r = run_setup(b, STEP_CREATE_NODES, n);
		return r < 0 ? r : run_timed(b, STEP_WIRE, n);
	case WL_WIRE_CREATE:
		return run_timed(b, STEP_WIRE_CREATE, n);
	case WL_NETNS: {
		_cleanup_free_ int *ids = malloc(n * sizeof(*ids));

		if (!ids)
			return -ENOMEM;
		r = run_timed(b, STEP_CREATE_NODES, n);
		if (r < 0)
			return r;
		for (size_t i = 0; i < n; i++)
			ids[i] = NS_ID_FIRST + (int)i;
		return delete_namespaces(b, ids, n, true, "run");
	}
	case WL_DELETE:
		r = run_setup(b, STEP_CREATE_NODES, n);
		if (r >= 0)
			r = run_setup(b, STEP_WIRE, n);
		return r < 0 ? r : run_timed(b, STEP_DELETE_LINKS, n);
	case WL_GET:
		return run_timed(b, STEP_GET, n);
	case WL_NEIGH:
		return run_timed(b, STEP_NEIGH, n);
	case WL_FDB:
		return run_timed(b, STEP_FDB, n);
	case WL_TOPO:
		r = run_timed(b, STEP_CREATE_NODES, cfg->nodes);
		return r < 0 ? r : run_timed(b, STEP_TOPO_LINKS, n);
	case WL_SYSCTL:
		r = run_setup(b, STEP_CREATE_NODES, n);
		return r < 0 ? r : run_timed(b, STEP_SYSCTL, n);
	case WL_QDISC:
		r = run_setup(b, STEP_VETH, n);
		return r < 0 ? r : run_timed(b, STEP_QDISC, n);
	default:
		return -EINVAL;
	}
}

/* Waits for the last teardown and removes P-probe (its own teardown is one loopback). */
static int finish_probe(Bench *b)
{
	BenchOp op = { .kind = BOP_DELETE_NS, .ns_id = NS_ID_PROBE, .ok_if_missing = true };
	char msg[512];
	int code, r;

	wait_probe(b);
	if (b->ns_state[NS_ID_PROBE] == NS_NONE)
		return 0;
	bench_ns_name(&b->cfg, NS_ID_PROBE, op.ns, sizeof(op.ns));
	r = call(b, &op, &code, msg, sizeof(msg));
	if (r < 0)
		return r;
	if (code != 0 && code != STATUS_NOT_FOUND) {
		bench_fail(b, -EIO, "DeleteNamespace %s: %s: %s", op.ns, status_code_name(code),
			   msg);
		return -EIO;
	}
	b->ns_state[NS_ID_PROBE] = NS_NONE;
	return 0;
}

/* Deletes every namespace the run created (or may have: a create whose answer never came),
 * the nodes first and the main namespace last. */
static int teardown(Bench *b)
{
	_cleanup_free_ int *ids = malloc(b->ns_count * sizeof(*ids));
	size_t n = 0;

	if (!ids)
		return -ENOMEM;
	for (size_t id = NS_ID_FIRST; id < b->ns_count; id++)
		if (b->ns_state[id] != NS_NONE)
			ids[n++] = (int)id;
	if (b->ns_state[NS_ID_MAIN] != NS_NONE)
		ids[n++] = NS_ID_MAIN;
	return delete_namespaces(b, ids, n, false, "teardown");
}

static size_t ns_count_of(const BenchConfig *cfg)
{
	switch (cfg->workload) {
	case WL_WIRE:
	case WL_WIRE_CREATE:
	case WL_DELETE:
	case WL_NETNS:
	case WL_SYSCTL:
		return NS_ID_FIRST + cfg->count;
	case WL_TOPO:
		return NS_ID_FIRST + cfg->nodes;
	default:
		return NS_ID_FIRST;
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: epoll_wait wakes */
	Bench b = { 0 };
	BenchStats st = { 0 };
	uint64_t *lat;
	size_t nlat;
	int r, run_err;

	r = bench_parse_args(argc, argv, &b.cfg);
	if (r == 1)
		return 0;
	if (r < 0)
		return 2;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	b.ns_count = ns_count_of(&b.cfg);
	b.ns_state = calloc(b.ns_count, 1);
	if (!b.ns_state) {
		fprintf(stderr, "nsring-bench: out of memory\n");
		return 1;
	}
	b.progress_on = !b.cfg.quiet && isatty(STDERR_FILENO);
	b.t0 = bench_now_ns();
	r = bench_engine_new(&b.cfg, &sigcount, b.ns_state, b.ns_count, &b.e);
	if (r < 0) {
		free(b.ns_state);
		return 1;
	}
	bench_engine_set_progress(b.e, on_progress, &b);

	run_err = run_workload(&b);
	if (run_err < 0 && !b.err)
		bench_fail(&b, run_err, "%s", strerror(-run_err));
	if (!b.cfg.no_cleanup) {
		sig_atomic_t before = sigcount;

		r = teardown(&b);
		if (r >= 0)
			r = finish_probe(&b);
		if (r < 0 && sigcount != before) {
			bench_fail(&b, -EINTR, "interrupted");
			progress_clear(&b);
			fprintf(stderr,
				"nsring-bench: interrupted during cleanup: namespaces named "
				"%s-* may be left behind\n",
				b.cfg.prefix);
		}
	} else {
		finish_probe(&b);
	}
	progress_clear(&b);

	if (b.err == -EINTR) {
		fprintf(stderr, "nsring-bench: interrupted\n");
		bench_engine_free(b.e);
		free(b.ns_state);
		return 128 + (last_signal ? last_signal : SIGINT);
	}
	if (b.err) {
		fprintf(stderr, "nsring-bench: %s\n", b.errmsg);
		bench_engine_free(b.e);
		free(b.ns_state);
		return 1;
	}
	bench_engine_stats(b.e, &st, &lat, &nlat);
	if (b.cfg.workload == WL_WIRE || b.cfg.workload == WL_WIRE_CREATE)
		st.containers = b.cfg.count;
	bench_latency_stats(lat, nlat, &st);
	if (st.stray > 0)
		fprintf(stderr,
			"nsring-bench: warning: %llu replies matched no call in flight (duplicates?)\n",
			(unsigned long long)st.stray);
	if (b.cfg.json)
		bench_print_json(stdout, &b.cfg, &st);
	else
		bench_print_summary(stdout, &b.cfg, &st);
	bench_engine_free(b.e);
	free(b.ns_state);
	return fflush(stdout) == 0 ? 0 : 1;
}
