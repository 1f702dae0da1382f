/* nsring-bench's pure parts (codec, workload definitions, percentiles, command line) and its
 * async engine against a fake ttrpc server that answers pipelined calls out of order. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../common/check.h"
#include "core/macro.h"
#include "nsring/v1/nsring.pb-c.h"
#include "tools/nsring-bench.h"
#include "ttrpc/ttrpc.pb-c.h"
#include "wire/ttrpc-wire.h"

static BenchConfig config(BenchWorkload w, uint32_t count)
{
	BenchConfig cfg = {
		.workload = w, .count = count, .nodes = 5, .clients = 1, .depth = 4, .batch = 1
	};

	snprintf(cfg.prefix, sizeof(cfg.prefix), "nb7");
	return cfg;
}

/* ---------------------------------------------------------------- workloads */

static void gen(const BenchConfig *cfg, BenchStep step, size_t chain, unsigned k, BenchOp *op)
{
	BenchPhase ph = { .step = step, .nchains = chain + 1, .chain_len = 7 };

	bench_gen(cfg, &ph, chain, k, op);
}

static void test_workloads(void)
{
	BenchConfig cfg = config(WL_WIRE, 1000);
	BenchOp op;
	char buf[64];

	current_test = "test_workloads";
	bench_ns_name(&cfg, NS_ID_MAIN, buf, sizeof(buf));
	CHECK_STREQ(buf, "nb7-h");
	bench_ns_name(&cfg, NS_ID_FIRST + 300, buf, sizeof(buf));
	CHECK_STREQ(buf, "nb7-c300");
	bench_ns_name(&cfg, NS_ID_PROBE, buf, sizeof(buf));
	CHECK_STREQ(buf, "nb7-probe");

	CHECK_EQ(bench_chain_len(&cfg, STEP_WIRE), 6);
	CHECK_EQ(bench_chain_len(&cfg, STEP_WIRE_CREATE), 7);
	CHECK_EQ(bench_chain_len(&cfg, STEP_SETUP_MAIN), 3);

	gen(&cfg, STEP_WIRE, 300, 0, &op);
	CHECK_EQ(op.kind, BOP_CREATE_VETH);
	CHECK_STREQ(op.ns, "nb7-h");
	CHECK_STREQ(op.name, "nb7-h300");
	CHECK_STREQ(op.peer, "eth0");
	CHECK_STREQ(op.peer_ns, "nb7-c300");
	CHECK(!op.up);
	gen(&cfg, STEP_WIRE, 300, 1, &op);
	CHECK_EQ(op.kind, BOP_UPDATE_LINK);
	CHECK_STREQ(op.master, "nb7-br");
	CHECK(op.up);
	gen(&cfg, STEP_WIRE, 300, 2, &op);
	CHECK_EQ(op.kind, BOP_CREATE_ADDR);
	CHECK_STREQ(op.ns, "nb7-c300");
	CHECK_STREQ(op.addr, "198.18.2.44");
	CHECK_EQ(op.plen, 16);
	gen(&cfg, STEP_WIRE, 300, 4, &op);
	CHECK_STREQ(op.name, "lo");
	gen(&cfg, STEP_WIRE, 300, 5, &op);
	CHECK_EQ(op.kind, BOP_CREATE_ROUTE);
	CHECK_STREQ(op.addr, "default");
	CHECK_STREQ(op.gw, "198.18.0.1");
	gen(&cfg, STEP_WIRE_CREATE, 12, 0, &op);
	CHECK_EQ(op.kind, BOP_CREATE_NS);
	CHECK_STREQ(op.ns, "nb7-c12");
	CHECK_EQ(op.ns_id, NS_ID_FIRST + 12);

	cfg = config(WL_ROUTE, 1000);
	gen(&cfg, STEP_ROUTE, 258, 0, &op);
	CHECK_STREQ(op.ns, "nb7-r");
	CHECK_STREQ(op.addr, "198.19.1.2/32");
	CHECK_STREQ(op.gw, "198.18.0.2");
	CHECK_STREQ(op.name, "nb7-r0");

	cfg = config(WL_RULE, 1000);
	gen(&cfg, STEP_RULE, 258, 0, &op);
	CHECK_EQ(op.kind, BOP_CREATE_RULE);
	CHECK_STREQ(op.ns, "nb7-u");
	CHECK_STREQ(op.addr, "198.19.1.2/32");
	CHECK_EQ(op.table, 100u);
	CHECK_EQ(op.priority, 1258u);

	cfg = config(WL_VETH, 10);
	gen(&cfg, STEP_VETH, 9, 0, &op);
	CHECK_STREQ(op.ns, "nb7-v");
	CHECK_STREQ(op.name, "nb79a");
	CHECK_STREQ(op.peer, "nb79b");
	CHECK_STREQ(op.peer_ns, "");

	/* topo, 5 nodes: link 1 joins 1 and 3; link 4 would join 4 and 4 (29 % 5): the second
	 * node comes from k + 1 = 5 in the same formula, 36 % 5 = 1. */
	cfg = config(WL_TOPO, 10);
	gen(&cfg, STEP_TOPO_LINKS, 1, 0, &op);
	CHECK_STREQ(op.ns, "nb7-t1");
	CHECK_STREQ(op.peer_ns, "nb7-t3");
	CHECK_STREQ(op.name, "t1a");
	gen(&cfg, STEP_TOPO_LINKS, 4, 0, &op);
	CHECK_STREQ(op.ns, "nb7-t4");
	CHECK_STREQ(op.peer_ns, "nb7-t1");
	gen(&cfg, STEP_TOPO_LINKS, 4, 2, &op);
	CHECK_STREQ(op.ns, "nb7-t1");
	CHECK_STREQ(op.name, "t4b");
	gen(&cfg, STEP_TOPO_LINKS, 300, 4, &op);
	CHECK_STREQ(op.addr, "198.18.2.89"); /* 198.18.0.0 + 601 */
	CHECK_EQ(op.plen, 31);
	gen(&cfg, STEP_TOPO_LINKS, 300, 5, &op);
	CHECK_STREQ(op.addr, "198.19.1.44/32");
	CHECK_STREQ(op.gw, "198.18.2.89");
	gen(&cfg, STEP_TOPO_LINKS, 300, 6, &op);
	CHECK_STREQ(op.gw, "198.18.2.88");

	/* Name lengths: 15 bytes fit, 16 do not. */
	cfg = config(WL_WIRE, 10000);
	snprintf(cfg.prefix, sizeof(cfg.prefix), "nb4194304");
	CHECK_EQ(bench_check_names(&cfg, buf, sizeof(buf)), 0);
	cfg.count = 10001;
	CHECK_EQ(bench_check_names(&cfg, buf, sizeof(buf)), -ENAMETOOLONG);
	CHECK_STREQ(buf, "nb4194304-h10000");
}

/* ---------------------------------------------------------------- codec */

static Ttrpc__Request *frame_request(const BenchBuf *b, size_t off, TtrpcHeader *h)
{
	ttrpc_header_decode(b->data + off, h);
	return ttrpc__request__unpack(NULL, h->length, b->data + off + TTRPC_HEADER_SIZE);
}

static void test_codec(void)
{
	BenchConfig cfg = config(WL_WIRE, 10);
	BenchBuf out = { 0 }, scratch = { 0 };
	uint32_t lens[8];
	BenchOp ops[8];
	TtrpcHeader h;
	Ttrpc__Request *req;

	current_test = "test_codec";
	gen(&cfg, STEP_WIRE, 3, 0, &ops[0]);
	CHECK_EQ(bench_encode_rpc(&out, 7, ops, 1, false, &scratch, lens), 0);
	req = frame_request(&out, 0, &h);
	CHECK(req != NULL);
	CHECK_EQ(h.stream_id, 7);
	CHECK_EQ(h.type, TTRPC_TYPE_REQUEST);
	CHECK_EQ(h.length + TTRPC_HEADER_SIZE, out.len);
	if (req) {
		Nsring__V1__CreateLinkRequest *cl;

		CHECK_STREQ(req->service, "nsring.v1.NsRing");
		CHECK_STREQ(req->method, "CreateLink");
		cl = nsring__v1__create_link_request__unpack(NULL, req->payload.len,
							     req->payload.data);
		CHECK(cl != NULL);
		if (cl) {
			CHECK_STREQ(cl->namespace_->name, "nb7-h");
			CHECK_STREQ(cl->link->name, "nb7-h3");
			CHECK_EQ(cl->link->info_case, NSRING__V1__LINK__INFO_VETH);
			CHECK_STREQ(cl->link->veth->peer_name, "eth0");
			CHECK_STREQ(cl->link->veth->peer_namespace->name, "nb7-c3");
			nsring__v1__create_link_request__free_unpacked(cl, NULL);
		}
		ttrpc__request__free_unpacked(req, NULL);
	}

	/* A Batch of one container's six ops, appended after the first frame. */
	size_t off = out.len;
	for (unsigned k = 0; k < 6; k++)
		gen(&cfg, STEP_WIRE, 3, k, &ops[k]);
	CHECK_EQ(bench_encode_rpc(&out, 9, ops, 6, true, &scratch, lens), 0);
	req = frame_request(&out, off, &h);
	CHECK(req != NULL);
	CHECK_EQ(h.stream_id, 9);
	if (req) {
		Nsring__V1__BatchRequest *br;

		CHECK_STREQ(req->method, "Batch");
		br = nsring__v1__batch_request__unpack(NULL, req->payload.len, req->payload.data);
		CHECK(br != NULL);
		if (br && br->n_ops == 6) {
			CHECK_EQ(br->mode, NSRING__V1__BATCH_MODE__BATCH_MODE_CONTINUE);
			CHECK_EQ(br->ops[0]->op_case, NSRING__V1__BATCH_OP__OP_CREATE_LINK);
			CHECK_EQ(br->ops[1]->op_case, NSRING__V1__BATCH_OP__OP_UPDATE_LINK);
			CHECK_STREQ(br->ops[1]->update_link->master, "nb7-br");
			CHECK_EQ(br->ops[1]->update_link->set_up_case,
				 NSRING__V1__UPDATE_LINK_REQUEST__SET_UP_UP);
			CHECK_EQ(br->ops[2]->op_case, NSRING__V1__BATCH_OP__OP_CREATE_ADDRESS);
			CHECK_STREQ(br->ops[2]->create_address->address->address, "198.18.1.3");
			CHECK_EQ(br->ops[5]->op_case, NSRING__V1__BATCH_OP__OP_CREATE_ROUTE);
			CHECK_STREQ(br->ops[5]->create_route->route->gateway, "198.18.0.1");
		} else {
			CHECK(!"batch of 6 ops");
		}
		if (br)
			nsring__v1__batch_request__free_unpacked(br, NULL);
		ttrpc__request__free_unpacked(req, NULL);
	}

	/* qdisc: a tbf on each veth end; in a Batch its member (65) needs a two-byte tag. */
	cfg = config(WL_QDISC, 10);
	gen(&cfg, STEP_QDISC, 4, 0, &ops[0]);
	CHECK_STREQ(ops[0].ns, "nb7-v");
	CHECK_STREQ(ops[0].name, "nb74a");
	gen(&cfg, STEP_VETH, 4, 0, &ops[1]);
	CHECK_STREQ(ops[1].ns, "nb7-v");
	CHECK_STREQ(ops[1].name, "nb74a");
	gen(&cfg, STEP_QDISC, 5, 0, &ops[1]);
	off = out.len;
	CHECK_EQ(bench_encode_rpc(&out, 11, ops, 2, true, &scratch, lens), 0);
	req = frame_request(&out, off, &h);
	CHECK(req != NULL);
	if (req) {
		Nsring__V1__BatchRequest *br;

		br = nsring__v1__batch_request__unpack(NULL, req->payload.len, req->payload.data);
		CHECK(br != NULL && br->n_ops == 2);
		if (br && br->n_ops == 2) {
			const Nsring__V1__CreateQdiscRequest *cq = br->ops[1]->create_qdisc;

			CHECK_EQ(br->ops[0]->op_case, NSRING__V1__BATCH_OP__OP_CREATE_QDISC);
			CHECK_EQ(br->ops[1]->op_case, NSRING__V1__BATCH_OP__OP_CREATE_QDISC);
			CHECK_STREQ(cq->namespace_->name, "nb7-v");
			CHECK_STREQ(cq->qdisc->link_name, "nb75a");
			CHECK_EQ(cq->qdisc->options_case, NSRING__V1__QDISC__OPTIONS_TBF);
			CHECK_EQ(cq->qdisc->tbf->rate, 1000000); /* 8mbit */
			CHECK_EQ(cq->qdisc->tbf->burst, 4096);	 /* 32kbit */
			CHECK_EQ(cq->qdisc->tbf->latency_us, 50000);
		}
		if (br)
			nsring__v1__batch_request__free_unpacked(br, NULL);
		ttrpc__request__free_unpacked(req, NULL);
	}

	/* A Batch of rules: BatchOp.create_rule is field 30, a two-byte tag. */
	off = out.len;
	cfg = config(WL_RULE, 10);
	for (unsigned k = 0; k < 3; k++)
		gen(&cfg, STEP_RULE, k, 0, &ops[k]);
	CHECK_EQ(bench_encode_rpc(&out, 11, ops, 3, true, &scratch, lens), 0);
	req = frame_request(&out, off, &h);
	CHECK(req != NULL);
	if (req) {
		Nsring__V1__BatchRequest *br;

		br = nsring__v1__batch_request__unpack(NULL, req->payload.len, req->payload.data);
		CHECK(br != NULL && br->n_ops == 3);
		if (br && br->n_ops == 3) {
			CHECK_EQ(br->ops[2]->op_case, NSRING__V1__BATCH_OP__OP_CREATE_RULE);
			CHECK_STREQ(br->ops[2]->create_rule->rule->from, "198.19.0.2/32");
			CHECK_EQ(br->ops[2]->create_rule->rule->priority, 1002u);
			CHECK_EQ(br->ops[2]->create_rule->rule->table, 100u);
		}
		if (br)
			nsring__v1__batch_request__free_unpacked(br, NULL);
		ttrpc__request__free_unpacked(req, NULL);
	}

	/* Responses: a status with a message, then a BatchResponse's results. */
	{
		Ttrpc__Status st = TTRPC__STATUS__INIT;
		Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
		Nsring__V1__BatchResponse br = NSRING__V1__BATCH_RESPONSE__INIT;
		Nsring__V1__BatchResult r0 = NSRING__V1__BATCH_RESULT__INIT;
		Nsring__V1__BatchResult r1 = NSRING__V1__BATCH_RESULT__INIT;
		Nsring__V1__BatchResult r2 = NSRING__V1__BATCH_RESULT__INIT;
		Nsring__V1__CreateLinkResponse clr = NSRING__V1__CREATE_LINK_RESPONSE__INIT;
		Nsring__V1__BatchResult *rs[] = { &r0, &r1, &r2 };
		uint8_t buf[1024], pl[1024];
		const uint8_t *payload;
		size_t n, msg_len, payload_len, nres;
		BenchResult res[2];
		const char *msg;
		int code;

		st.code = 6;
		st.message = "CreateLink: EEXIST";
		resp.status = &st;
		n = ttrpc__response__pack(&resp, buf);
		CHECK_EQ(bench_decode_response(buf, n, &code, &msg, &msg_len, &payload,
					       &payload_len),
			 0);
		CHECK_EQ(code, 6);
		CHECK_EQ(msg_len, strlen("CreateLink: EEXIST"));
		CHECK(memcmp(msg, "CreateLink: EEXIST", msg_len) == 0);
		CHECK_EQ(payload_len, 0);

		r0.result_case = NSRING__V1__BATCH_RESULT__RESULT_CREATE_LINK;
		r0.create_link = &clr;
		r1.code = 5;
		r1.message = "GetLink: ENODEV";
		r2.code = 10;
		br.n_results = 3;
		br.results = rs;
		br.failed = 1;
		br.aborted = 1;
		resp.status = NULL;
		resp.payload.data = pl;
		resp.payload.len = nsring__v1__batch_response__pack(&br, pl);
		n = ttrpc__response__pack(&resp, buf);
		CHECK_EQ(bench_decode_response(buf, n, &code, &msg, &msg_len, &payload,
					       &payload_len),
			 0);
		CHECK_EQ(code, 0);
		CHECK_EQ(payload_len, resp.payload.len);
		/* Room for only two: the count still says three. */
		CHECK_EQ(bench_decode_batch(payload, payload_len, res, 2, &nres), 0);
		CHECK_EQ(nres, 3);
		CHECK_EQ(res[0].code, 0);
		CHECK_EQ(res[1].code, 5);
		CHECK(res[1].msg_len == 15 && memcmp(res[1].msg, "GetLink: ENODEV", 15) == 0);

		/* Truncated input is malformed, never read past. */
		CHECK_EQ(bench_decode_response(buf, n - 1, &code, &msg, &msg_len, &payload,
					       &payload_len),
			 -EBADMSG);
	}
	bench_buf_free(&out);
	bench_buf_free(&scratch);
}

/* ---------------------------------------------------------------- statistics */

static void test_stats(void)
{
	uint64_t v[1000];
	BenchStats st = { 0 };

	current_test = "test_stats";
	for (unsigned i = 0; i < 1000; i++)
		v[i] = (uint64_t)(1000 - i) * 1000000; /* 1000 ms .. 1 ms, reversed */
	bench_latency_stats(v, 1000, &st);
	CHECK_EQ(v[0], 1000000);
	CHECK_EQ(v[999], 1000000000);
	CHECK_EQ((long long)(st.p50_ms * 1000), 500000);
	CHECK_EQ((long long)(st.p99_ms * 1000), 990000);
	CHECK_EQ((long long)(st.p999_ms * 1000), 999000);
	CHECK_EQ(bench_percentile(v, 0, 0.5), 0);
	v[0] = 42;
	CHECK_EQ(bench_percentile(v, 1, 0.999), 42);
	CHECK_EQ(bench_percentile(v, 2, 0.5), 42);
}

/* ---------------------------------------------------------------- command line */

static int parse(BenchConfig *cfg, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY);
	int r;

	argv[argc++] = "nsring-bench";
	va_start(ap, cfg);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	fflush(stderr);
	dup2(null, STDERR_FILENO); /* the messages are for people */
	r = bench_parse_args(argc, argv, cfg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(null);
	return r;
}

static void test_args(void)
{
	BenchConfig cfg;

	current_test = "test_args";
	CHECK_EQ(parse(&cfg, "veth", NULL), 0);
	CHECK_EQ(cfg.workload, WL_VETH);
	CHECK_EQ(cfg.count, 2000);
	CHECK_EQ(cfg.batch, 1);
	CHECK(strncmp(cfg.prefix, "nb", 2) == 0);
	CHECK_EQ(parse(&cfg, "-s", "/x/s", "get", "--count", "5", "--clients", "4", "--depth", "64",
		       "--batch", "128", "--json", "--prefix", "ab-1", "--no-cleanup", "-q", NULL),
		 0);
	CHECK_EQ(cfg.workload, WL_GET);
	CHECK_EQ(cfg.count, 5);
	CHECK_EQ(cfg.clients, 4);
	CHECK_EQ(cfg.depth, 64);
	CHECK_EQ(cfg.batch, 128);
	CHECK(cfg.json && cfg.no_cleanup && cfg.quiet);
	CHECK_STREQ(cfg.prefix, "ab-1");
	CHECK_STREQ(cfg.socket_path, "/x/s");
	CHECK_EQ(parse(&cfg, "topo", "--nodes", "8", "--links", "9", NULL), 0);
	CHECK_EQ(cfg.nodes, 8);
	CHECK_EQ(cfg.count, 9);

	CHECK_EQ(parse(&cfg, NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "frob", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "veth", "extra", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "veth", "--count", "0", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "veth", "--count", "-1", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "veth", "--count", "12x", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "veth", "--depth", "1025", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "veth", "--count", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "veth", "--frob", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "veth", "--prefix", "a/b", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "veth", "--prefix", "a.b", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "veth", "--nodes", "3", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "topo", "--count", "3", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "topo", "--nodes", "1", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "route", "--count", "65537", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "wire", "--count", "65001", NULL), -EINVAL);
	CHECK_EQ(parse(&cfg, "wire", "--prefix", "abcdefghijk", "--count", "10000", NULL), -EINVAL);
}

/* ---------------------------------------------------------------- engine vs a fake server */

typedef struct Fake {
	int listen_fd;
	unsigned nconns;
	atomic_int fail_at; /* answer the request with this sequence number NOT_FOUND; -1 never */
	atomic_int seen;
	atomic_int max_inflight;
	pthread_t thread;
} Fake;

typedef struct FakeConn {
	int fd;
	uint8_t buf[1 << 16];
	size_t len;
} FakeConn;

static void fake_reply(Fake *f, int fd, uint32_t id, const Ttrpc__Request *req, uint8_t *out,
		       size_t *off)
{
	Ttrpc__Response resp = TTRPC__RESPONSE__INIT;
	Ttrpc__Status st = TTRPC__STATUS__INIT;
	Nsring__V1__BatchResponse br = NSRING__V1__BATCH_RESPONSE__INIT;
	Nsring__V1__BatchResult *results[64], rs[64];
	uint8_t pl[8192];
	int seq = atomic_fetch_add(&f->seen, 1);
	bool fail = seq == atomic_load(&f->fail_at);
	size_t n;

	if (strcmp(req->method, "Batch") == 0) {
		Nsring__V1__BatchRequest *b = nsring__v1__batch_request__unpack(
			NULL, req->payload.len, req->payload.data);

		CHECK(b != NULL && b->n_ops <= 64);
		for (size_t i = 0; b && i < b->n_ops && i < 64; i++) {
			rs[i] = (Nsring__V1__BatchResult)NSRING__V1__BATCH_RESULT__INIT;
			if (fail && i == 1) {
				rs[i].code = 5;
				rs[i].message = "fake: ENODEV";
			} else if (fail && i > 1) {
				rs[i].code = 10;
			}
			results[i] = &rs[i];
		}
		br.n_results = b ? MIN(b->n_ops, 64) : 0;
		br.results = results;
		resp.payload.data = pl;
		resp.payload.len = nsring__v1__batch_response__pack(&br, pl);
		if (b)
			nsring__v1__batch_request__free_unpacked(b, NULL);
	} else if (fail) {
		st.code = 5;
		st.message = "fake: ENODEV";
		resp.status = &st;
	}
	n = ttrpc__response__get_packed_size(&resp);
	ttrpc_header_encode(out + *off, &(TtrpcHeader){ .length = (uint32_t)n,
							.stream_id = id,
							.type = TTRPC_TYPE_RESPONSE });
	ttrpc__response__pack(&resp, out + *off + TTRPC_HEADER_SIZE);
	*off += TTRPC_HEADER_SIZE + n;
	(void)fd;
}

/* Serves until every connection closes. The requests of one read are answered in reverse
 * order, with a stale frame (unknown stream id) in front, so the engine must match by id. */
static void *fake_main(void *arg)
{
	Fake *f = arg;
	FakeConn *conns = calloc(f->nconns, sizeof(*conns));
	struct pollfd pfd[16];
	unsigned open = 0;

	for (unsigned i = 0; i < f->nconns; i++) {
		conns[i].fd = accept(f->listen_fd, NULL, NULL);
		CHECK(conns[i].fd >= 0);
		open++;
	}
	while (open > 0) {
		for (unsigned i = 0; i < f->nconns; i++)
			pfd[i] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
		if (poll(pfd, f->nconns, 5000) <= 0)
			break;
		for (unsigned i = 0; i < f->nconns; i++) {
			FakeConn *c = &conns[i];
			struct {
				uint32_t id;
				Ttrpc__Request *req;
			} got[1100];
			unsigned ngot = 0;
			static uint8_t out[1 << 20];
			size_t off = 0, pos = 0;
			ssize_t n;

			if (!(pfd[i].revents & (POLLIN | POLLHUP)) || c->fd < 0)
				continue;
			n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
			if (n <= 0) {
				close(c->fd);
				c->fd = -1;
				open--;
				continue;
			}
			c->len += (size_t)n;
			while (c->len - pos >= TTRPC_HEADER_SIZE && ngot < 1100) {
				TtrpcHeader h;

				ttrpc_header_decode(c->buf + pos, &h);
				if (c->len - pos < TTRPC_HEADER_SIZE + h.length)
					break;
				CHECK_EQ(h.stream_id % 2, 1);
				got[ngot].id = h.stream_id;
				got[ngot].req = ttrpc__request__unpack(
					NULL, h.length, c->buf + pos + TTRPC_HEADER_SIZE);
				CHECK(got[ngot].req != NULL);
				ngot++;
				pos += TTRPC_HEADER_SIZE + h.length;
			}
			memmove(c->buf, c->buf + pos, c->len - pos);
			c->len -= pos;
			if ((int)ngot > atomic_load(&f->max_inflight))
				atomic_store(&f->max_inflight, (int)ngot);
			/* A stale answer first: stream 2^31+1 was never used. */
			ttrpc_header_encode(out, &(TtrpcHeader){ .length = 0,
								 .stream_id = 0x80000001u,
								 .type = TTRPC_TYPE_RESPONSE });
			off = TTRPC_HEADER_SIZE;
			for (unsigned k = ngot; k-- > 0;) {
				if (got[k].req)
					fake_reply(f, c->fd, got[k].id, got[k].req, out, &off);
				ttrpc__request__free_unpacked(got[k].req, NULL);
			}
			/* Dribble the first bytes to exercise partial frames. */
			CHECK(write(c->fd, out, 3) == 3);
			CHECK(write(c->fd, out + 3, off - 3) == (ssize_t)(off - 3));
		}
	}
	for (unsigned i = 0; i < f->nconns; i++)
		if (conns[i].fd >= 0)
			close(conns[i].fd);
	free(conns);
	return NULL;
}

static int fake_start(Fake *f, const char *path, unsigned nconns)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	f->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (f->listen_fd < 0 || bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(f->listen_fd, 16) < 0)
		return -errno;
	f->nconns = nconns;
	atomic_store(&f->seen, 0);
	atomic_store(&f->max_inflight, 0);
	return pthread_create(&f->thread, NULL, fake_main, f) == 0 ? 0 : -EAGAIN;
}

static void fake_stop(Fake *f)
{
	pthread_join(f->thread, NULL);
	close(f->listen_fd);
}

static void run_engine(const char *path, unsigned clients, unsigned depth, unsigned batch,
		       int fail_at)
{
	static volatile sig_atomic_t sigs;
	BenchConfig cfg = config(WL_GET, 5000);
	BenchPhase ph = {
		.what = "run", .step = STEP_GET, .timed = true, .nchains = 5000, .chain_len = 1
	};
	uint8_t ns_state[NS_ID_FIRST] = { 0 };
	BenchEngine *e = NULL;
	BenchStats st = { 0 };
	uint64_t *lat;
	size_t nlat;
	Fake f = { 0 };
	int r;

	cfg.socket_path = path;
	cfg.clients = clients;
	cfg.depth = depth;
	cfg.batch = batch;
	atomic_store(&f.fail_at, fail_at);
	CHECK_EQ(fake_start(&f, path, clients), 0);
	CHECK_EQ(bench_engine_new(&cfg, &sigs, ns_state, NS_ID_FIRST, &e), 0);
	if (!e) {
		fake_stop(&f);
		return;
	}
	r = bench_engine_run(e, &ph);
	bench_engine_stats(e, &st, &lat, &nlat);
	if (fail_at < 0) {
		CHECK_EQ(r, 0);
		CHECK_EQ(st.ops, 5000);
		CHECK_EQ(st.rpcs, batch > 1 ? (5000 + batch - 1) / batch : 5000);
		CHECK_EQ(nlat, st.rpcs);
		/* Every call answered once; the fake's stale answers were counted, not matched. */
		CHECK_EQ(st.replies, st.calls);
		CHECK(st.stray > 0);
		CHECK(atomic_load(&f.max_inflight) <= (int)depth);
		/* Pipelining happened: more than one call per read at some point. */
		CHECK(depth == 1 || atomic_load(&f.max_inflight) > 1);
	} else {
		CHECK_EQ(r, -EIO);
		if (!strstr(bench_engine_error(e), "fake: ENODEV"))
			fprintf(stderr, "error was: %s\n", bench_engine_error(e));
		CHECK(strstr(bench_engine_error(e), "GetLink nb7-g0 in nb7-g: NOT_FOUND: "
						    "fake: ENODEV") != NULL);
	}
	bench_engine_free(e);
	fake_stop(&f);
}

static void test_engine(void)
{
	char dir[] = "/tmp/test-bench.XXXXXX", path[64];

	current_test = "test_engine";
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/s", dir);
	run_engine(path, 1, 1, 1, -1);
	run_engine(path, 3, 16, 1, -1);
	run_engine(path, 2, 8, 64, -1);
	run_engine(path, 2, 32, 1, 777);
	run_engine(path, 2, 8, 16, 40);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_workloads();
	test_codec();
	test_stats();
	test_args();
	test_engine();
	printf("all checks passed\n");
	return 0;
}
