/* nsring-bench statistics: exact latency percentiles (by sorting every RPC's latency) and the
 * summary, as text or as one JSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsring-bench.h"

uint64_t bench_percentile(const uint64_t *sorted, size_t n, double q)
{
	size_t rank;

	if (n == 0)
		return 0;
	/* Nearest rank: the smallest value with at least q of the samples at or below it. The
	 * small epsilon keeps 0.99 * 100 from becoming 99.00000000000001 -> rank 100. */
	rank = (size_t)(q * (double)n - 1e-9);
	if ((double)rank < q * (double)n - 1e-9)
		rank++;
	if (rank == 0)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void bench_latency_stats(uint64_t *lat, size_t n, BenchStats *st)
{
	if (n > 1)
		qsort(lat, n, sizeof(*lat), cmp_u64);
	st->p50_ms = (double)bench_percentile(lat, n, 0.50) / 1e6;
	st->p99_ms = (double)bench_percentile(lat, n, 0.99) / 1e6;
	st->p999_ms = (double)bench_percentile(lat, n, 0.999) / 1e6;
}

static double rate(uint64_t n, double s)
{
	return s > 0 ? (double)n / s : 0;
}

static bool has_containers(const BenchConfig *cfg)
{
	return cfg->workload == WL_WIRE || cfg->workload == WL_WIRE_CREATE;
}

void bench_print_summary(FILE *f, const BenchConfig *cfg, const BenchStats *st)
{
	fprintf(f, "workload      %s\n", bench_workload_name(cfg->workload));
	if (cfg->workload == WL_TOPO)
		fprintf(f, "nodes         %u\nlinks         %u\n", cfg->nodes, cfg->count);
	else
		fprintf(f, "count         %u\n", cfg->count);
	fprintf(f, "clients       %u\ndepth         %u\nbatch         %u\n", cfg->clients,
		cfg->depth, cfg->batch);
	fprintf(f, "elapsed       %.3f s\n", st->elapsed_s);
	fprintf(f, "ops           %llu\n", (unsigned long long)st->ops);
	fprintf(f, "ops/s         %.1f\n", rate(st->ops, st->elapsed_s));
	if (has_containers(cfg))
		fprintf(f, "containers/s  %.1f\n", rate(st->containers, st->elapsed_s));
	fprintf(f, "rpcs          %llu\n", (unsigned long long)st->rpcs);
	fprintf(f, "rpcs/s        %.1f\n", rate(st->rpcs, st->elapsed_s));
	fprintf(f, "latency p50   %.3f ms\nlatency p99   %.3f ms\nlatency p99.9 %.3f ms\n",
		st->p50_ms, st->p99_ms, st->p999_ms);
}

void bench_print_json(FILE *f, const BenchConfig *cfg, const BenchStats *st)
{
	/* Workload names and numbers only: nothing here needs JSON string escaping. */
	fprintf(f, "{\"workload\":\"%s\"", bench_workload_name(cfg->workload));
	if (cfg->workload == WL_TOPO)
		fprintf(f, ",\"nodes\":%u,\"links\":%u", cfg->nodes, cfg->count);
	else
		fprintf(f, ",\"count\":%u", cfg->count);
	fprintf(f, ",\"clients\":%u,\"depth\":%u,\"batch\":%u", cfg->clients, cfg->depth,
		cfg->batch);
	fprintf(f, ",\"elapsed_s\":%.6f,\"ops\":%llu,\"ops_per_s\":%.1f", st->elapsed_s,
		(unsigned long long)st->ops, rate(st->ops, st->elapsed_s));
	if (has_containers(cfg))
		fprintf(f, ",\"containers\":%llu,\"containers_per_s\":%.1f",
			(unsigned long long)st->containers, rate(st->containers, st->elapsed_s));
	fprintf(f, ",\"rpcs\":%llu,\"rpcs_per_s\":%.1f", (unsigned long long)st->rpcs,
		rate(st->rpcs, st->elapsed_s));
	fprintf(f, ",\"calls\":%llu,\"replies\":%llu,\"stray_replies\":%llu",
		(unsigned long long)st->calls, (unsigned long long)st->replies,
		(unsigned long long)st->stray);
	fprintf(f, ",\"latency_p50_ms\":%.6f,\"latency_p99_ms\":%.6f,\"latency_p999_ms\":%.6f}\n",
		st->p50_ms, st->p99_ms, st->p999_ms);
}
