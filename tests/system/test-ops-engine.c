/* System test of the operation engine (src/ops) without a daemon: ops_call() through a real
 * Loop against a real namespace, in a private mount and network namespace (root; else 77). */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/status.h"
#include "loop/loop.h"
#include "nsring/v1/nsring.pb-c.h"
#include "ops/ops.h"

#include "../common/check.h"

typedef struct Reply {
	int n; /* replies: exactly one per call */
	int code;
	char msg[1024];
	ProtobufCMessage *resp; /* a copy, unpacked again */
} Reply;

static Loop *loop;
static Ops *ops;
static char tmpdir[] = "/tmp/nsring-test-ops.XXXXXX";
static bool tmp_made, tmp_mounted;

static void cleanup(void)
{
	/* The namespaces and their mounts die with the private mount and network namespace. */
	if (tmp_mounted)
		umount2(tmpdir, MNT_DETACH);
	if (tmp_made)
		rmdir(tmpdir);
}

static void on_reply(void *userdata, int code, const char *msg, const ProtobufCMessage *resp)
{
	Reply *r = userdata;

	r->n++;
	r->code = code;
	snprintf(r->msg, sizeof(r->msg), "%s", msg ? msg : "");
	if (code == 0) {
		size_t n = protobuf_c_message_get_packed_size(resp);
		uint8_t *p = malloc(n ? n : 1);

		CHECK(p);
		protobuf_c_message_pack(resp, p);
		r->resp = protobuf_c_message_unpack(resp->descriptor, NULL, n, p);
		CHECK(r->resp);
		free(p);
	}
	loop_quit(loop, 0);
}

/* Starts a call; its reply comes while wait_all() runs the loop (or at once: bad input). */
static void start(Reply *r, const char *method, const ProtobufCMessage *req)
{
	size_t n = protobuf_c_message_get_packed_size(req);
	uint8_t *p = malloc(n ? n : 1);

	CHECK(p);
	memset(r, 0, sizeof(*r));
	protobuf_c_message_pack(req, p);
	ops_call(ops, method, p, n, 0, on_reply, r);
	free(p);
}

static void wait_all(Reply *r, size_t n)
{
	for (;;) {
		bool done = true;

		for (size_t i = 0; i < n; i++) {
			CHECK(r[i].n <= 1, "call %zu replied %d times", i, r[i].n);
			done = done && r[i].n == 1;
		}
		if (done)
			return;
		CHECK(loop_run(loop) == 0);
	}
}

static Reply call(const char *method, const ProtobufCMessage *req)
{
	Reply r;

	start(&r, method, req);
	wait_all(&r, 1);
	return r;
}

static void reply_free(Reply *r)
{
	if (r->resp)
		protobuf_c_message_free_unpacked(r->resp, NULL);
	r->resp = NULL;
}

static Nsring__V1__NamespaceRef ns_eng = { PROTOBUF_C_MESSAGE_INIT(
						   &nsring__v1__namespace_ref__descriptor),
					   NSRING__V1__NAMESPACE_REF__REF_NAME,
					   { .name = "eng" } };

/* A GetLink of name in "eng": the reply (the caller frees it). */
static Reply get_link(const char *name)
{
	Nsring__V1__GetLinkRequest req = NSRING__V1__GET_LINK_REQUEST__INIT;

	req.namespace_ = &ns_eng;
	req.name = (char *)name;
	return call("GetLink", &req.base);
}

static const Nsring__V1__Link *reply_link(const Reply *r)
{
	CHECK(r->code == 0, "%d %s", r->code, r->msg);
	return ((const Nsring__V1__GetLinkResponse *)r->resp)->link;
}

static void test_create_and_get(uint32_t *ret_index)
{
	Nsring__V1__CreateNamespaceRequest cns = NSRING__V1__CREATE_NAMESPACE_REQUEST__INIT;
	Nsring__V1__CreateLinkRequest cl = NSRING__V1__CREATE_LINK_REQUEST__INIT;
	Nsring__V1__Link l = NSRING__V1__LINK__INIT;
	Nsring__V1__Bridge br = NSRING__V1__BRIDGE__INIT;
	const Nsring__V1__Link *got;
	Reply r;

	current_test = "create_and_get";
	cns.name = "eng";
	r = call("CreateNamespace", &cns.base);
	CHECK(r.code == 0, "CreateNamespace: %d %s", r.code, r.msg);
	CHECK_STREQ(((Nsring__V1__CreateNamespaceResponse *)r.resp)->namespace_->name, "eng");
	reply_free(&r);

	l.name = "br0";
	l.up = true;
	l.info_case = NSRING__V1__LINK__INFO_BRIDGE;
	l.bridge = &br;
	cl.namespace_ = &ns_eng;
	cl.link = &l;
	r = call("CreateLink", &cl.base);
	CHECK(r.code == 0, "CreateLink: %d %s", r.code, r.msg);
	got = ((Nsring__V1__CreateLinkResponse *)r.resp)->link;
	CHECK_STREQ(got->name, "br0");
	CHECK_STREQ(got->kind, "bridge");
	CHECK(got->up);
	CHECK(got->index > 1, "index %u", got->index);
	*ret_index = got->index;
	reply_free(&r);

	/* The same link read back, by name. */
	r = get_link("br0");
	got = reply_link(&r);
	CHECK_EQ(got->index, *ret_index);
	CHECK_STREQ(got->kind, "bridge");
	reply_free(&r);

	/* A second bridge of the same name: the kernel's EEXIST. */
	r = call("CreateLink", &cl.base);
	CHECK_EQ(r.code, STATUS_ALREADY_EXISTS);
	CHECK(strstr(r.msg, "CreateLink: create link \"br0\""), "%s", r.msg);
	CHECK(!r.resp);
}

/* The namespace reference as every caller judges it (ops-nsref.c). */
static void test_bad_refs(void)
{
	Nsring__V1__GetLinkRequest req = NSRING__V1__GET_LINK_REQUEST__INIT;
	Nsring__V1__NamespaceRef ref = NSRING__V1__NAMESPACE_REF__INIT;
	Reply r;

	current_test = "bad_refs";
	req.namespace_ = &ref;
	req.name = "lo";
	ref.ref_case = NSRING__V1__NAMESPACE_REF__REF_NAME;
	ref.name = "a/b";
	r = call("GetLink", &req.base);
	CHECK_EQ(r.code, STATUS_INVALID_ARGUMENT);
	CHECK_STREQ(r.msg, "GetLink: invalid namespace name \"a/b\": it must be 1-255 bytes, "
			   "without '/' or control characters, and not \".\" or \"..\"");

	ref.name = "nope";
	r = call("GetLink", &req.base);
	CHECK_EQ(r.code, STATUS_NOT_FOUND);
	CHECK_STREQ(r.msg, "GetLink: namespace \"nope\" not found");

	ref.ref_case = NSRING__V1__NAMESPACE_REF__REF_PATH;
	ref.path = "relative/path";
	r = call("GetLink", &req.base);
	CHECK_EQ(r.code, STATUS_INVALID_ARGUMENT);
	CHECK_STREQ(r.msg, "GetLink: namespace path \"relative/path\" is not absolute");

	ref.ref_case = NSRING__V1__NAMESPACE_REF__REF_PID;
	ref.pid = -3;
	r = call("GetLink", &req.base);
	CHECK_EQ(r.code, STATUS_INVALID_ARGUMENT);
	CHECK_STREQ(r.msg, "GetLink: invalid pid -3");

	/* The daemon's own namespace (here: the test's private one) has lo as ifindex 1. */
	req.namespace_ = NULL;
	r = call("GetLink", &req.base);
	CHECK(r.code == 0, "%d %s", r.code, r.msg);
	CHECK_EQ(((Nsring__V1__GetLinkResponse *)r.resp)->link->index, 1);
	reply_free(&r);
}

static Nsring__V1__BatchOp *batch_create(const char *name, bool bridge, const char *master)
{
	Nsring__V1__BatchOp *op = calloc(1, sizeof(*op));
	Nsring__V1__CreateLinkRequest *cl = calloc(1, sizeof(*cl));
	Nsring__V1__Link *l = calloc(1, sizeof(*l));

	CHECK(op && cl && l);
	nsring__v1__batch_op__init(op);
	nsring__v1__create_link_request__init(cl);
	nsring__v1__link__init(l);
	l->name = (char *)name;
	if (bridge) {
		l->info_case = NSRING__V1__LINK__INFO_BRIDGE;
		l->bridge = calloc(1, sizeof(*l->bridge));
		nsring__v1__bridge__init(l->bridge);
	} else {
		l->info_case = NSRING__V1__LINK__INFO_IFB;
		l->ifb = calloc(1, sizeof(*l->ifb));
		nsring__v1__ifb__init(l->ifb);
	}
	cl->namespace_ = &ns_eng;
	cl->link = l;
	cl->master = (char *)master;
	op->op_case = NSRING__V1__BATCH_OP__OP_CREATE_LINK;
	op->create_link = cl;
	return op;
}

static Nsring__V1__BatchOp *batch_delete(const char *name)
{
	Nsring__V1__BatchOp *op = calloc(1, sizeof(*op));
	Nsring__V1__DeleteLinkRequest *dl = calloc(1, sizeof(*dl));

	CHECK(op && dl);
	nsring__v1__batch_op__init(op);
	nsring__v1__delete_link_request__init(dl);
	dl->namespace_ = &ns_eng;
	dl->name = (char *)name;
	op->op_case = NSRING__V1__BATCH_OP__OP_DELETE_LINK;
	op->delete_link = dl;
	return op;
}

static Nsring__V1__BatchOp *batch_get(const char *name)
{
	Nsring__V1__BatchOp *op = calloc(1, sizeof(*op));
	Nsring__V1__GetLinkRequest *gl = calloc(1, sizeof(*gl));

	CHECK(op && gl);
	nsring__v1__batch_op__init(op);
	nsring__v1__get_link_request__init(gl);
	gl->namespace_ = &ns_eng;
	gl->name = (char *)name;
	op->op_case = NSRING__V1__BATCH_OP__OP_GET_LINK;
	op->get_link = gl;
	return op;
}

static void batch_op_free(Nsring__V1__BatchOp *op)
{
	if (op->op_case == NSRING__V1__BATCH_OP__OP_CREATE_LINK) {
		free(op->create_link->link->bridge); /* or ifb: the same union member slot */
		free(op->create_link->link);
		free(op->create_link);
	} else if (op->op_case == NSRING__V1__BATCH_OP__OP_DELETE_LINK) {
		free(op->delete_link);
	} else {
		free(op->get_link);
	}
	free(op);
}

/* A batch: br1, then d1 enslaved to br1 (its master named through the batch's name map, learned
 * from br1's answer), d2 and d3 deleted as one group delete, and d1 read back. */
static void test_batch(void)
{
	Nsring__V1__BatchRequest req = NSRING__V1__BATCH_REQUEST__INIT;
	Nsring__V1__BatchOp *bops[7];
	const Nsring__V1__BatchResponse *resp;
	uint32_t br1;
	Reply r;

	current_test = "batch";
	bops[0] = batch_create("br1", true, NULL);
	bops[1] = batch_create("d1", false, "br1");
	bops[2] = batch_create("d2", false, NULL);
	bops[3] = batch_create("d3", false, NULL);
	bops[4] = batch_delete("d2");
	bops[5] = batch_delete("d3");
	bops[6] = batch_get("d1");
	req.n_ops = 7;
	req.ops = bops;
	req.mode = NSRING__V1__BATCH_MODE__BATCH_MODE_STOP_ON_ERROR;
	r = call("Batch", &req.base);
	CHECK(r.code == 0, "Batch: %d %s", r.code, r.msg);
	resp = (const void *)r.resp;
	CHECK_EQ(resp->n_results, 7);
	for (size_t i = 0; i < 7; i++)
		CHECK(resp->results[i]->code == 0, "op %zu: %d %s", i, resp->results[i]->code,
		      resp->results[i]->message);
	CHECK_EQ(resp->failed, 0);
	CHECK_EQ(resp->aborted, 0);
	CHECK_EQ(resp->results[0]->result_case, NSRING__V1__BATCH_RESULT__RESULT_CREATE_LINK);
	br1 = resp->results[0]->create_link->link->index;
	CHECK(br1 > 1);
	CHECK_STREQ(resp->results[1]->create_link->link->name, "d1");
	CHECK_EQ(resp->results[1]->create_link->link->master_index, br1);
	CHECK_EQ(resp->results[4]->result_case, NSRING__V1__BATCH_RESULT__RESULT_DELETE_LINK);
	CHECK_EQ(resp->results[5]->result_case, NSRING__V1__BATCH_RESULT__RESULT_DELETE_LINK);
	CHECK_EQ(resp->results[6]->result_case, NSRING__V1__BATCH_RESULT__RESULT_GET_LINK);
	CHECK_EQ(resp->results[6]->get_link->link->master_index, br1);
	reply_free(&r);
	for (size_t i = 0; i < 7; i++)
		batch_op_free(bops[i]);

	/* The group delete took both. */
	r = get_link("d2");
	CHECK_EQ(r.code, STATUS_NOT_FOUND);
	CHECK_STREQ(r.msg, "GetLink: link \"d2\" not found");
	r = get_link("d3");
	CHECK_EQ(r.code, STATUS_NOT_FOUND);
	r = get_link("d1");
	CHECK_EQ(reply_link(&r)->master_index, br1);
	reply_free(&r);
}

/* DeleteLink calls of one loop turn go out as one group delete; a member the kernel cannot
 * delete (lo) makes it refuse the group: every member then gets its own outcome, and lo is
 * back in its group. */
static void test_delete_coalesced(uint32_t br0)
{
	Nsring__V1__DeleteLinkRequest dl[2];
	Reply r[2], g;
	const char *names[2] = { "d1", "br1" };

	current_test = "delete_coalesced";
	for (int i = 0; i < 2; i++) {
		nsring__v1__delete_link_request__init(&dl[i]);
		dl[i].namespace_ = &ns_eng;
		dl[i].name = (char *)names[i];
		start(&r[i], "DeleteLink", &dl[i].base);
	}
	wait_all(r, 2);
	for (int i = 0; i < 2; i++) {
		CHECK(r[i].code == 0, "DeleteLink %s: %d %s", names[i], r[i].code, r[i].msg);
		reply_free(&r[i]);
		g = get_link(names[i]);
		CHECK_EQ(g.code, STATUS_NOT_FOUND);
	}

	/* br0 (still the link CreateLink made) and lo together: lo cannot be deleted. */
	g = get_link("br0");
	CHECK_EQ(reply_link(&g)->index, br0);
	reply_free(&g);
	names[0] = "br0";
	names[1] = "lo";
	for (int i = 0; i < 2; i++) {
		nsring__v1__delete_link_request__init(&dl[i]);
		dl[i].namespace_ = &ns_eng;
		dl[i].name = (char *)names[i];
		start(&r[i], "DeleteLink", &dl[i].base);
	}
	wait_all(r, 2);
	CHECK(r[0].code == 0, "DeleteLink br0: %d %s", r[0].code, r[0].msg);
	reply_free(&r[0]);
	CHECK(r[1].code != 0, "deleting lo succeeded");
	CHECK(strncmp(r[1].msg, "DeleteLink: link \"lo\": ", 23) == 0, "%s", r[1].msg);
	g = get_link("br0");
	CHECK_EQ(g.code, STATUS_NOT_FOUND);
	g = get_link("lo");
	CHECK_EQ(reply_link(&g)->group, 0);
	CHECK_EQ(reply_link(&g)->index, 1);
	reply_free(&g);
}

static void test_delete_namespace(void)
{
	Nsring__V1__DeleteNamespaceRequest req = NSRING__V1__DELETE_NAMESPACE_REQUEST__INIT;
	Reply r;

	current_test = "delete_namespace";
	req.name = "eng";
	r = call("DeleteNamespace", &req.base);
	CHECK(r.code == 0, "%d %s", r.code, r.msg);
	reply_free(&r);
	r = call("DeleteNamespace", &req.base);
	CHECK_EQ(r.code, STATUS_NOT_FOUND);
	CHECK_STREQ(r.msg, "DeleteNamespace: namespace \"eng\" not found");
	r = get_link("lo");
	CHECK_EQ(r.code, STATUS_NOT_FOUND);
}

static void quit_cb(LoopTimer *t)
{
	(void)t;
	loop_quit(loop, 0);
}

int main(void)
{
	char nsdir[sizeof(tmpdir) + 16];
	OpsConfig cfg = { .opener_threads = 2 };
	const char *prefixes[1];
	LoopTimer settle = { .cb = quit_cb };
	uint32_t br0 = 0;

	if (geteuid() != 0) {
		fprintf(stderr, "ops-engine: needs root, skipping\n");
		return 77;
	}
	/* A private mount namespace (its own netns dir) and network namespace (the "daemon's
	 * namespace" of the test): nothing here touches the machine's own. */
	if (unshare(CLONE_NEWNS | CLONE_NEWNET) < 0) {
		fprintf(stderr, "ops-engine: unshare: %s, skipping\n", strerror(errno));
		return 77;
	}
	CHECK(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0);
	CHECK(mkdtemp(tmpdir));
	tmp_made = true;
	atexit(cleanup);
	CHECK(mount("tmpfs", tmpdir, "tmpfs", 0, "mode=0755") == 0);
	tmp_mounted = true;
	snprintf(nsdir, sizeof(nsdir), "%s/netns", tmpdir);
	CHECK(mkdir(nsdir, 0755) == 0);
	alarm(120); /* a lost reply fails the test instead of hanging it */

	prefixes[0] = nsdir;
	cfg.netns_dir = nsdir;
	cfg.path_prefixes = prefixes;
	cfg.n_path_prefixes = 1;
	if (loop_new(&loop, 256) < 0) {
		fprintf(stderr, "ops-engine: io_uring unavailable, skipping\n");
		return 77;
	}
	CHECK(ops_new(&ops, loop, &cfg) == 0);

	test_create_and_get(&br0);
	test_bad_refs();
	test_batch();
	test_delete_coalesced(br0);
	test_delete_namespace();
	CHECK_EQ(ops_outstanding(ops), 0);

	ops_shutdown(ops);
	while (!ops_idle(ops)) {
		loop_timer_arm(loop, &settle, loop_now(loop) + 10 * 1000000ull);
		CHECK(loop_run(loop) == 0);
	}
	ops_free(ops);
	loop_free(loop);
	printf("ops-engine: all checks passed\n");
	return 0;
}
