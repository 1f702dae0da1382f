/* From nsringctl's words to the kernel's bytes: each tc command captured in vectors/tc/ is
 * parsed by nsringctl's grammar (the same words after the object), converted by the daemon's
 * protobuf -> codec conversion (ops-tc-conv.c) and built by the codec; the request must equal,
 * byte for byte, what tc 6.1 sent. Usage: test-tc-words VECTORS_DIR */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "ops/ops-tc.h"
#include "tools/ctl.h"

#define V0   3 /* the captures' ifindexes: lo 1, v1 2, v0 3, ifb0 4 */
#define IFB0 4

static const char *vectors_dir;
static _Alignas(4) uint8_t want[4096], buf[4096];

/* The first message of a vector file and its command ("tc ..."); false when it has none. */
static bool vec_load(const char *file, char *cmd, size_t cmd_size, size_t *ret_len)
{
	char path[512], line[512];
	size_t len = 0;
	bool in_msg = false, done = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", vectors_dir, file);
	f = fopen(path, "r");
	CHECK(f, "%s", path);
	cmd[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		unsigned b;
		int off = 0, n;

		if (line[0] == '#') {
			if (!cmd[0] && strncmp(line, "# tc ", 5) == 0) {
				snprintf(cmd, cmd_size, "%s", line + 5);
				cmd[strcspn(cmd, "\n")] = '\0';
			}
			continue;
		}
		if (line[0] == '\n') {
			if (in_msg)
				done = true;
			continue;
		}
		if (done)
			continue;
		in_msg = true;
		while (sscanf(line + off, "%2x%n", &b, &n) == 1) {
			CHECK(len < sizeof(want));
			want[len++] = (uint8_t)b;
			off += n;
		}
	}
	fclose(f);
	memset(want + 8, 0, 8); /* nlmsg_seq and nlmsg_pid are the connection's */
	*ret_len = len;
	return cmd[0] && len > 0;
}

static uint32_t ifindex_of(const char *name)
{
	CHECK(name && (strcmp(name, "v0") == 0 || strcmp(name, "ifb0") == 0), "link %s",
	      name ? name : "(none)");
	return strcmp(name, "v0") == 0 ? V0 : IFB0;
}

static RtnlTcOp op_of(Nsring__V1__TcMode m)
{
	return m == NSRING__V1__TC_MODE__TC_MODE_REPLACE  ? RTNL_TC_REPLACE
	       : m == NSRING__V1__TC_MODE__TC_MODE_CHANGE ? RTNL_TC_CHANGE
							  : RTNL_TC_ADD;
}

/* The request nsringctl makes of the words, built as the daemon builds it. */
static int build(const char *words)
{
	char *copy = strdup(words), *argv[64], err[512] = "";
	int argc = 0, len = -1;
	CtlCmd cmd;

	argv[argc++] = "nsringctl";
	for (char *t = strtok(copy, " "); t && argc < 63; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	CHECK(ctl_parse(argc, argv, &cmd) == CTL_PARSE_OK, "nsringctl %s: %s", words, cmd.error);
	if (strcmp(cmd.method, "CreateQdisc") == 0) {
		const Nsring__V1__CreateQdiscRequest *r = (const void *)cmd.req;
		RtnlQdisc q;

		CHECK(tc_qdisc_from_pb(r->qdisc, true, &q, err, sizeof(err)) == 0, "%s", err);
		q.ifindex = ifindex_of(r->qdisc->link_name);
		len = rtnl_qdisc_new(buf, sizeof(buf), &q, op_of(r->mode), NULL);
	} else if (strcmp(cmd.method, "DeleteQdisc") == 0) {
		const Nsring__V1__DeleteQdiscRequest *r = (const void *)cmd.req;
		RtnlQdisc q;

		CHECK(tc_qdisc_from_pb(r->qdisc, false, &q, err, sizeof(err)) == 0, "%s", err);
		len = rtnl_qdisc_del(buf, sizeof(buf), ifindex_of(r->qdisc->link_name), q.parent);
	} else if (strcmp(cmd.method, "CreateClass") == 0) {
		const Nsring__V1__CreateClassRequest *r = (const void *)cmd.req;
		RtnlClass c;

		CHECK(tc_class_from_pb(r->tclass, true, &c, err, sizeof(err)) == 0, "%s", err);
		c.ifindex = ifindex_of(r->tclass->link_name);
		len = rtnl_class_new(buf, sizeof(buf), &c, op_of(r->mode), NULL);
	} else if (strcmp(cmd.method, "CreateFilter") == 0) {
		const Nsring__V1__CreateFilterRequest *r = (const void *)cmd.req;
		RtnlFilter f;

		CHECK(tc_filter_from_pb(r->filter, true, &f, err, sizeof(err)) == 0, "%s", err);
		f.ifindex = ifindex_of(r->filter->link_name);
		for (size_t i = 0; i < r->filter->n_actions; i++)
			if (r->filter->actions[i]->action_case == NSRING__V1__ACTION__ACTION_MIRRED)
				f.actions[i].mirred.ifindex =
					ifindex_of(r->filter->actions[i]->mirred->dev);
		len = rtnl_filter_new(buf, sizeof(buf), &f, op_of(r->mode), NULL);
	} else if (strcmp(cmd.method, "DeleteFilter") == 0) {
		const Nsring__V1__DeleteFilterRequest *r = (const void *)cmd.req;
		RtnlFilter f;

		CHECK(tc_filter_from_pb(r->filter, false, &f, err, sizeof(err)) == 0, "%s", err);
		f.ifindex = ifindex_of(r->filter->link_name);
		len = rtnl_filter_del(buf, sizeof(buf), &f);
	} else {
		CHECK(false, "nsringctl %s: unexpected method %s", words, cmd.method);
	}
	ctl_cmd_done(&cmd);
	free(copy);
	return len;
}

/* Words nsringctl refuses itself (exit 2), with the reason. */
static void test_usage_errors(void)
{
	static const struct {
		const char *words, *error;
	} cases[] = {
		{ "qdisc add dev v0 root tbf rate 1mbit burst 10k", "exactly one of" },
		{ "qdisc add dev v0 root tbf rate fast burst 10k latency 1ms", "needs a rate" },
		{ "qdisc add dev v0 root cake", "unknown qdisc \"cake\"" },
		{ "qdisc add dev v0 root", "the qdisc's kind is required" },
		{ "qdisc add root tbf rate 1mbit burst 1k latency 1ms",
		  "\"dev\" argument is required" },
		{ "qdisc add dev v0 handle x: htb", "invalid handle" },
		{ "qdisc add dev v0 root netem loss lots", "needs a percentage" },
		{ "class add dev v0 parent 1: classid 1:10 htb", "\"rate\" is required" },
		{ "class add dev v0 classid 1:10 htb rate 1mbit", "\"parent\" is required" },
		{ "class show", "\"dev\" argument is required" },
		{ "filter add dev v0 u32 match u32 0 0", "\"parent\" (or ingress, egress)" },
		{ "filter add dev v0 ingress u32 match ip tos 1", "only \"src\" and \"dst\"" },
		{ "filter add dev v0 ingress u32 action mirred ingress redirect dev x",
		  "only \"egress\"" },
		{ "filter add dev v0 ingress u32 action nat", "unknown action \"nat\"" },
		{ "filter add dev v0 ingress u32 action police rate 1mbit",
		  "\"burst\" are required" },
		{ "filter add dev v0 ingress basic", "unknown argument basic (filter kinds" },
		{ "filter add dev v0 ingress u32 action drop action drop action drop action drop "
		  "action drop",
		  "too many actions" },
	};

	current_test = "usage errors";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *copy = strdup(cases[i].words), *argv[64];
		int argc = 0, r;
		CtlCmd cmd;

		argv[argc++] = "nsringctl";
		for (char *t = strtok(copy, " "); t && argc < 63; t = strtok(NULL, " "))
			argv[argc++] = t;
		argv[argc] = NULL;
		r = ctl_parse(argc, argv, &cmd);
		CHECK(r == -EINVAL && strstr(cmd.error, cases[i].error), "nsringctl %s: %d \"%s\"",
		      cases[i].words, r, cmd.error);
		ctl_cmd_done(&cmd);
		free(copy);
	}
}

/* `tc -s`-style output of a list, and -s before a tc object versus -s SOCKET. */
static void test_print(void)
{
	Nsring__V1__TcStats st = NSRING__V1__TC_STATS__INIT;
	Nsring__V1__Tbf tbf = NSRING__V1__TBF__INIT;
	Nsring__V1__Qdisc q = NSRING__V1__QDISC__INIT;
	Nsring__V1__Qdisc *qs[] = { &q };
	Nsring__V1__ListQdiscsResponse resp = NSRING__V1__LIST_QDISCS_RESPONSE__INIT;
	char *argv[] = {
		"nsringctl", "-s", "/tmp/x.sock", "-s", "qdisc", "show", "dev", "v0", NULL
	};
	char *text = NULL;
	size_t len = 0;
	CtlCmd cmd;
	FILE *f;

	current_test = "print";
	q.link_name = "v0";
	q.handle = "8001:";
	q.parent = "root";
	q.kind = "tbf";
	q.options_case = NSRING__V1__QDISC__OPTIONS_TBF;
	q.tbf = &tbf;
	tbf.rate = 1000000;
	tbf.burst = 4096;
	tbf.limit = 54096;
	st.bytes = 392;
	st.packets = 6;
	st.overlimits = 2;
	q.stats = &st;
	resp.n_qdiscs = 1;
	resp.qdiscs = qs;
	f = open_memstream(&text, &len);
	CHECK(f);
	CHECK_EQ(ctl_print_qdiscs(f, &resp.base, false), 0);
	fclose(f);
	CHECK_STREQ(text, "qdisc tbf 8001: dev v0 root rate 8Mbit burst 4Kb limit 54096b\n"
			  " Sent 392 bytes 6 pkt (dropped 0, overlimits 2 requeues 0) \n"
			  " backlog 0b 0p requeues 0\n");
	free(text);

	CHECK(ctl_parse(8, argv, &cmd) == CTL_PARSE_OK, "%s", cmd.error);
	CHECK_STREQ(cmd.socket_path, "/tmp/x.sock");
	CHECK(cmd.stats);
	CHECK_STREQ(cmd.method, "ListQdiscs");
	CHECK(((Nsring__V1__ListQdiscsRequest *)cmd.req)->stats);
	ctl_cmd_done(&cmd);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	struct dirent **ents;
	unsigned checked = 0;
	int n;

	CHECK(argc == 2, "usage: test-tc-words VECTORS_DIR");
	test_usage_errors();
	test_print();
	vectors_dir = argv[1];
	current_test = "words";
	n = scandir(vectors_dir, &ents, NULL, by_name);
	CHECK(n > 0, "%s", vectors_dir);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		char cmd[512];
		size_t wlen;
		int len;

		if (strlen(name) < 5 || strcmp(name + strlen(name) - 4, ".hex") != 0 ||
		    !vec_load(name, cmd, sizeof(cmd), &wlen) || strstr(cmd, " show")) {
			free(ents[i]);
			continue; /* dumps are the listings' business */
		}
		len = build(cmd);
		CHECK(len > 0, "%s: nsringctl %s: built %d", name, cmd, len);
		if ((size_t)len != wlen || memcmp(buf, want, wlen) != 0) {
			for (size_t k = 0; k < wlen && k < (size_t)len; k++)
				if (buf[k] != want[k]) {
					fprintf(stderr, "%s: byte %zu: 0x%02x, tc 0x%02x\n", name,
						k, buf[k], want[k]);
					break;
				}
		}
		if ((size_t)len != wlen || memcmp(buf, want, wlen) != 0)
			fprintf(stderr, "%s: nsringctl %s: not tc's bytes\n", name, cmd);
		CHECK_MEMEQ(buf, (size_t)len, want, wlen);
		printf("ok %s: nsringctl %s\n", name, cmd);
		checked++;
		free(ents[i]);
	}
	free(ents);
	/* every captured command but the listings (27 when this was written) */
	CHECK(checked >= 27, "only %u vectors checked", checked);
	printf("%u commands from nsringctl's words to tc's bytes\n", checked);
	return 0;
}
