/* nsringctl's neigh, bridge fdb and monitor neigh|fdb words without a daemon: argv -> method and
 * request (compact JSON), the usage errors, and the ip/bridge-style lines of the printers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "nsring/v1/nsring.pb-c.h"
#include "tools/ctl-json.h"
#include "tools/ctl.h"

typedef struct Case {
	const char *args;
	int ret;
	const char *method; /* OK: the method; BAD: NULL */
	const char *expect; /* OK: the request as JSON ('' for ""); BAD: part of the error */
} Case;

#define OK(a, m, j)                                                                                \
	{                                                                                          \
		a, CTL_PARSE_OK, m, j                                                              \
	}
#define BAD(a, e)                                                                                  \
	{                                                                                          \
		a, -22, NULL, e                                                                    \
	}

static const Case cases[] = {
	OK("neigh add 198.18.0.2 lladdr 02:00:00:00:00:02 dev v0", "CreateNeighbor",
	   "{'neighbor':{'dev':'v0','address':'198.18.0.2','lladdr':'02:00:00:00:00:02'}}"),
	OK("neighbour replace 2001:db8::2 lladdr 2:0:0:0:0:3 dev v0 nud stale router",
	   "CreateNeighbor",
	   "{'neighbor':{'dev':'v0','address':'2001:db8::2','lladdr':'02:00:00:00:00:03',"
	   "'state':4,'router':true},'replace':true}"),
	OK("-n blue nei add proxy 198.18.0.9 dev v0", "CreateNeighbor",
	   "{'namespace':{'name':'blue'},'neighbor':{'dev':'v0','address':'198.18.0.9',"
	   "'proxy':true}}"),
	OK("neigh add to 198.18.0.3 dev v0 nud noarp lladdr 02:00:00:00:00:03", "CreateNeighbor",
	   "{'neighbor':{'dev':'v0','address':'198.18.0.3','lladdr':'02:00:00:00:00:03',"
	   "'state':64}}"),
	OK("neigh del 198.18.0.2 dev v0", "DeleteNeighbor",
	   "{'neighbor':{'dev':'v0','address':'198.18.0.2'}}"),
	OK("neigh", "ListNeighbors", "{'nud_mask':191}"),
	OK("-6 neigh show dev v0 nud all", "ListNeighbors", "{'dev':'v0','family':6}"),
	OK("neigh show nud stale nud reachable", "ListNeighbors", "{'nud_mask':6}"),
	OK("neigh show proxy", "ListNeighbors", "{'proxy':true,'nud_mask':191}"),
	BAD("neigh add 198.18.0.2 lladdr 02:00:00:00:00:02", "\"dev\" is required"),
	BAD("neigh add lladdr 02:00:00:00:00:02 dev v0", "an address is required"),
	BAD("neigh add 198.18.0.300 dev v0", "not an IP address"),
	BAD("neigh add 198.18.0.2 lladdr 02:zz dev v0", "lladdr"),
	BAD("neigh add 198.18.0.2 dev v0 nud bogus", "nud takes"),
	BAD("-6 neigh add 198.18.0.2 dev v0", "not an IPv6 address"),
	BAD("neigh add proxy 198.18.0.2 dev v0 lladdr 02:00:00:00:00:02", "proxy entry takes"),
	BAD("neigh show nud bogus", "nud takes all or a state"),
	BAD("neigh frob", "unknown argument frob"),

	OK("bridge fdb add 02:00:00:00:01:01 dev p0 master static vlan 5", "CreateFdbEntry",
	   "{'entry':{'dev':'p0','mac':'02:00:00:00:01:01','vlan':5,'state':'FDB_STATE_STATIC',"
	   "'master':true}}"),
	OK("bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.2 vni 43 port 4790 self",
	   "CreateFdbEntry",
	   "{'entry':{'dev':'vx0','mac':'00:00:00:00:00:00','dst':'198.18.0.2','vni':43,"
	   "'port':4790,'self':true},'append':true}"),
	OK("bridge fdb replace 02:00:00:00:01:01 dev p0 master dynamic", "CreateFdbEntry",
	   "{'entry':{'dev':'p0','mac':'02:00:00:00:01:01','state':'FDB_STATE_DYNAMIC',"
	   "'master':true},'replace':true}"),
	OK("-n blue bridge fdb del 00:00:00:00:00:00 dev vx0 dst 2001:db8::2", "DeleteFdbEntry",
	   "{'namespace':{'name':'blue'},'entry':{'dev':'vx0','mac':'00:00:00:00:00:00',"
	   "'dst':'2001:db8::2'}}"),
	OK("bridge fdb", "ListFdbEntries", "{}"),
	OK("bridge fdb show br br0", "ListFdbEntries", "{'bridge':'br0'}"),
	OK("bridge fdb show brport p0", "ListFdbEntries", "{'dev':'p0'}"),
	BAD("bridge fdb add 02:00:00:00:01 dev p0", "invalid MAC"),
	BAD("bridge fdb add 02:00:00:00:01:01", "\"dev\" is required"),
	BAD("bridge fdb add dev p0", "MAC address is required"),
	BAD("bridge fdb append 00:00:00:00:00:00 dev vx0", "\"dst\" is required"),
	BAD("bridge fdb add 02:00:00:00:01:01 dev p0 vlan 0", "vlan is 1-4094"),
	BAD("bridge fdb add 02:00:00:00:01:01 dev p0 vni 16777216", "vni"),
	BAD("bridge fdb add 02:00:00:00:01:01 dev p0 static permanent", "only one of"),
	BAD("bridge fdb add 02:00:00:00:01:01 dev p0 dst nope", "not an IP address"),
	BAD("bridge fdb show frob", "unknown argument frob"),
	BAD("bridge frob", "unknown argument frob"),

	OK("monitor neigh fdb", "Watch", "{'kinds':['WATCH_KIND_NEIGHBOR','WATCH_KIND_FDB']}"),
};

static void split(const char *args, char *buf, size_t bufsz, char **argv, int *argc)
{
	char *save = NULL, *tok;

	snprintf(buf, bufsz, "%s", args);
	argv[0] = (char *)"nsringctl";
	*argc = 1;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[(*argc)++] = tok;
	argv[*argc] = NULL;
}

static char *to_string(void (*fn)(FILE *, const void *), const void *arg)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	fn(f, arg);
	fclose(f);
	return out;
}

static void print_req(FILE *f, const void *cmd)
{
	ctl_print_json_message(f, ((const CtlCmd *)cmd)->req, false);
}

static void test_grammar(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const Case *c = &cases[i];
		char buf[512], *argv[64], want[512];
		CtlCmd cmd;
		int argc, r;

		split(c->args, buf, sizeof(buf), argv, &argc);
		r = ctl_parse(argc, argv, &cmd);
		if (r != c->ret)
			fprintf(stderr, "\"%s\": returned %d, expected %d (%s)\n", c->args, r,
				c->ret, cmd.error);
		CHECK_EQ(r, c->ret);
		if (r == CTL_PARSE_OK) {
			char *got = to_string(print_req, &cmd);

			snprintf(want, sizeof(want), "%s", c->expect);
			for (char *q = want; *q; q++)
				if (*q == '\'')
					*q = '"';
			if (strcmp(cmd.method, c->method) != 0 || strcmp(got, want) != 0)
				fprintf(stderr, "\"%s\":\n  got      %s %s\n  expected %s %s\n",
					c->args, cmd.method, got, c->method, want);
			CHECK_STREQ(cmd.method, c->method);
			CHECK_STREQ(got, want);
			CHECK(strstr(cmd.resp_desc->name, cmd.method) || cmd.stream);
			free(got);
		} else if (r < 0) {
			if (!strstr(cmd.error, c->expect))
				fprintf(stderr, "\"%s\": error \"%s\" lacks \"%s\"\n", c->args,
					cmd.error, c->expect);
			CHECK(strstr(cmd.error, c->expect));
		}
		ctl_cmd_done(&cmd);
	}
}

static const ProtobufCMessage *print_arg;
static int (*print_fn)(FILE *, const ProtobufCMessage *, bool);
static void print_text(FILE *f, const void *unused)
{
	(void)unused;
	print_fn(f, print_arg, false);
}

static void test_printers(void)
{
	Nsring__V1__Neighbor n[3];
	Nsring__V1__Neighbor *np[3] = { &n[0], &n[1], &n[2] };
	Nsring__V1__ListNeighborsResponse nr = NSRING__V1__LIST_NEIGHBORS_RESPONSE__INIT;
	Nsring__V1__FdbEntry e[2];
	Nsring__V1__FdbEntry *ep[2] = { &e[0], &e[1] };
	Nsring__V1__ListFdbEntriesResponse fr = NSRING__V1__LIST_FDB_ENTRIES_RESPONSE__INIT;
	char *out;

	for (int i = 0; i < 3; i++)
		nsring__v1__neighbor__init(&n[i]);
	n[0].address = "198.18.0.2", n[0].dev = "v0", n[0].lladdr = "02:00:00:00:00:02";
	n[0].state = 0x80;
	n[1].address = "2001:db8::2", n[1].dev_index = 7, n[1].lladdr = "02:00:00:00:00:03";
	n[1].router = true, n[1].state = 0x04 | 0x10;
	n[2].address = "198.18.0.9", n[2].dev = "v0", n[2].proxy = true;
	nr.n_neighbors = 3, nr.neighbors = np;
	print_fn = ctl_print_neighbors, print_arg = &nr.base;
	out = to_string(print_text, NULL);
	CHECK_STREQ(out, "198.18.0.2 dev v0 lladdr 02:00:00:00:00:02 PERMANENT\n"
			 "2001:db8::2 dev if7 lladdr 02:00:00:00:00:03 router STALE,PROBE\n"
			 "198.18.0.9 dev v0 proxy\n");
	free(out);

	for (int i = 0; i < 2; i++)
		nsring__v1__fdb_entry__init(&e[i]);
	e[0].mac = "02:00:00:00:01:01", e[0].dev = "p0", e[0].vlan = 5, e[0].master = true;
	e[0].master_name = "br0", e[0].state = NSRING__V1__FDB_STATE__FDB_STATE_STATIC;
	e[1].mac = "00:00:00:00:00:00", e[1].dev = "vx0", e[1].dst = "198.18.0.2";
	e[1].set_vni_case = NSRING__V1__FDB_ENTRY__SET_VNI_VNI, e[1].vni = 43, e[1].port = 4790;
	e[1].self = true, e[1].state = NSRING__V1__FDB_STATE__FDB_STATE_PERMANENT;
	fr.n_entries = 2, fr.entries = ep;
	print_fn = ctl_print_fdb_entries, print_arg = &fr.base;
	out = to_string(print_text, NULL);
	CHECK_STREQ(out,
		    "02:00:00:00:01:01 dev p0 vlan 5 master br0 static\n"
		    "00:00:00:00:00:00 dev vx0 dst 198.18.0.2 port 4790 vni 43 self permanent\n");
	free(out);
}

int main(void)
{
	current_test = "test_grammar";
	test_grammar();
	current_test = "test_printers";
	test_printers();
	printf("ok: %zu grammar cases\n", sizeof(cases) / sizeof(cases[0]));
	return 0;
}
