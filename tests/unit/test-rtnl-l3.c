/* Unit tests of the rtnl codec's routing and L2 objects (rules, neighbours and FDB, nexthops,
 * multipath routes, address options): requests byte for byte against what iproute2 6.1 sends
 * (tests/unit/vectors/iproute2.txt, argv[1]), build/parse round trips, parses of real kernel
 * answers from the same file, bad input and every too-small buffer. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../common/check.h"
#include "rtnl/rtnl-neigh.h"
#include "rtnl/rtnl-nexthop.h"
#include "rtnl/rtnl-rule.h"
#include "rtnl/rtnl.h"

typedef union {
	struct nlmsghdr nlh;
	uint8_t b[8192];
} MsgBuf;

/* ---- the vectors file: "# comment" lines and "NAME HEX" lines. */

#define MAX_VECTORS 128

typedef struct Vector {
	char name[48];
	uint8_t *bytes;
	size_t len;
	bool used;
} Vector;

static Vector vectors[MAX_VECTORS];
static size_t n_vectors;

static void load_vectors(const char *path)
{
	static char line[65536];
	FILE *f = fopen(path, "r");

	if (!f)
		perror(path);
	CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' '), *hex;
		Vector *v;
		size_t n;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		CHECK(sp && n_vectors < MAX_VECTORS && (size_t)(sp - line) < sizeof(v->name));
		v = &vectors[n_vectors++];
		memcpy(v->name, line, (size_t)(sp - line));
		hex = sp + 1;
		n = strcspn(hex, "\n");
		CHECK(n % 2 == 0);
		/* Aligned like a recv buffer: the parsers get these as kernel answers. */
		v->bytes = aligned_alloc(8, n / 2 + 8);
		CHECK(v->bytes);
		for (size_t i = 0; i < n / 2; i++) {
			unsigned x;

			CHECK(sscanf(hex + 2 * i, "%2x", &x) == 1);
			v->bytes[i] = (uint8_t)x;
		}
		v->len = n / 2;
	}
	fclose(f);
	CHECK(n_vectors > 40);
}

static const Vector *vector(const char *name)
{
	for (size_t i = 0; i < n_vectors; i++)
		if (strcmp(vectors[i].name, name) == 0) {
			vectors[i].used = true;
			return &vectors[i];
		}
	CHECK_FAIL_("no vector %s", name);
}

/* How a request may differ from iproute2's, each for a reason given in rtnl-l3.md. */
enum {
	SAME = 0,
	ROUTE_TABLE = 1, /* rtnl_route_new always sends RTA_TABLE first; iproute2 not below 256 */
	GET_ACK = 2,	 /* gets ask for an ACK (nlconn ends a get on it); iproute2 does not */
	ADDR_FLAGS8 = 4, /* ifa_flags carries the low 8 bits even when IFA_FLAGS is sent */
};

static void golden(const char *name, const MsgBuf *m, int n, unsigned how)
{
	const Vector *v = vector(name);
	uint8_t got[sizeof(MsgBuf)];
	size_t len;

	current_test = name;
	if (n <= 0)
		fprintf(stderr, "[%s] builder returned %d\n", name, n);
	CHECK(n > 0);
	len = (size_t)n;
	memcpy(got, m->b, len);
	if (how & ROUTE_TABLE) {
		const struct rtmsg *rtm = (const void *)(got + NLMSG_HDRLEN);
		struct nlattr *a = (void *)(got + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*rtm)));

		CHECK_EQ(a->nla_type, RTA_TABLE);
		CHECK_EQ(mnl_attr_get_u32(a), rtm->rtm_table);
		memmove(a, (uint8_t *)a + 8, len - ((uint8_t *)a + 8 - got));
		len -= 8;
		((struct nlmsghdr *)got)->nlmsg_len = (uint32_t)len;
	}
	if (how & GET_ACK) {
		CHECK(((struct nlmsghdr *)got)->nlmsg_flags & NLM_F_ACK);
		((struct nlmsghdr *)got)->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	}
	if (how & ADDR_FLAGS8) {
		struct ifaddrmsg *ifa = (void *)(got + NLMSG_HDRLEN);

		CHECK(ifa->ifa_flags != 0);
		ifa->ifa_flags = 0;
	}
	if (len != v->len || memcmp(got, v->bytes, len) != 0) {
		fprintf(stderr, "[%s] want ", name);
		for (size_t i = 0; i < v->len; i++)
			fprintf(stderr, "%02x", v->bytes[i]);
		fprintf(stderr, "\n[%s] got  ", name);
		for (size_t i = 0; i < len; i++)
			fprintf(stderr, "%02x", got[i]);
		fputc('\n', stderr);
	}
	CHECK_MEMEQ(got, len, v->bytes, v->len);
}

static RtnlIp ip(const char *s)
{
	RtnlIp r;

	CHECK(rtnl_ip_parse(s, &r) == 0);
	return r;
}

static bool ip_eq(const RtnlIp *a, const RtnlIp *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

static bool ip_is(const RtnlIp *a, const char *s)
{
	RtnlIp b = ip(s);

	return ip_eq(a, &b);
}

static void mac(const char *s, uint8_t *out, uint8_t *len)
{
	CHECK(rtnl_mac_parse(s, out) == 0);
	*len = 6;
}

/* Interface indexes of capture.py's namespace. */
enum { D0 = 10, BR0 = 11, D1 = 12, VX0 = 13 };

/* ---- rules */

static bool rule_eq(const RtnlRule *a, const RtnlRule *b)
{
	return a->family == b->family && a->has_priority == b->has_priority &&
	       a->priority == b->priority && ip_eq(&a->src, &b->src) && a->src_len == b->src_len &&
	       ip_eq(&a->dst, &b->dst) && a->dst_len == b->dst_len && !strcmp(a->iif, b->iif) &&
	       !strcmp(a->oif, b->oif) && a->has_fwmark == b->has_fwmark &&
	       a->fwmark == b->fwmark && a->fwmask == b->fwmask && a->table == b->table &&
	       a->goto_target == b->goto_target && a->l3mdev == b->l3mdev &&
	       a->ip_proto == b->ip_proto && a->sport.start == b->sport.start &&
	       a->sport.end == b->sport.end && a->dport.start == b->dport.start &&
	       a->dport.end == b->dport.end &&
	       a->has_suppress_prefixlen == b->has_suppress_prefixlen &&
	       a->suppress_prefixlen == b->suppress_prefixlen && a->invert == b->invert &&
	       a->tos == b->tos && a->protocol == b->protocol;
}

/* Builds r, compares with the vector, parses it back. */
static void rule_case(const char *name, const RtnlRule *r, bool del)
{
	RtnlRule back, want = *r;
	MsgBuf m;
	int n;

	n = del ? rtnl_rule_del(m.b, sizeof(m), r) : rtnl_rule_new(m.b, sizeof(m), r);
	golden(name, &m, n, SAME);
	CHECK_EQ(rtnl_rule_parse(&m.nlh, &back), 0);
	if (!del && !want.action)
		want.action = FR_ACT_TO_TBL;
	CHECK(rule_eq(&back, &want));
	CHECK_EQ(back.action, want.action);
}

static RtnlRule rule_v4(void)
{
	return (RtnlRule){ .family = AF_INET,
			   .has_priority = true,
			   .priority = 1000,
			   .src = ip("198.18.0.0"),
			   .src_len = 24,
			   .table = 100 };
}

static void test_rules(void)
{
	RtnlRule r = rule_v4();
	MsgBuf m;

	rule_case("rule-add-v4", &r, false);
	r = (RtnlRule){ .family = AF_INET6,
			.has_priority = true,
			.priority = 2000,
			.dst = ip("2001:db8:1::"),
			.dst_len = 48,
			.iif = "d0",
			.oif = "d1",
			.has_fwmark = true,
			.fwmark = 0x10,
			.fwmask = 0xff,
			.table = 1000 };
	rule_case("rule-add-v6", &r, false);
	static const struct {
		const char *name;
		uint32_t pref;
		uint8_t action;
	} plain[] = { { "rule-add-blackhole", 3000, FR_ACT_BLACKHOLE },
		      { "rule-add-unreachable", 3001, FR_ACT_UNREACHABLE },
		      { "rule-add-prohibit", 3002, FR_ACT_PROHIBIT },
		      { "rule-add-nop", 3003, FR_ACT_NOP } };
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		r = (RtnlRule){ .family = AF_INET,
				.has_priority = true,
				.priority = plain[i].pref,
				.action = plain[i].action };
		rule_case(plain[i].name, &r, false);
	}
	r = (RtnlRule){ .family = AF_INET,
			.has_priority = true,
			.priority = 4000,
			.src = ip("198.18.2.0"),
			.src_len = 24,
			.action = FR_ACT_GOTO,
			.goto_target = 5000 };
	rule_case("rule-add-goto", &r, false);
	r = (RtnlRule){ .family = AF_INET,
			.has_priority = true,
			.priority = 6000,
			.invert = true,
			.src = ip("198.18.1.0"),
			.src_len = 24,
			.tos = 0x10,
			.ip_proto = IPPROTO_TCP,
			.sport = { 1000, 2000 },
			.dport = { 80, 80 },
			.table = RT_TABLE_MAIN,
			.has_suppress_prefixlen = true,
			.suppress_prefixlen = 0,
			.protocol = RTPROT_STATIC };
	rule_case("rule-add-full", &r, false);
	r = (RtnlRule){ .family = AF_INET, .has_priority = true, .priority = 1500, .l3mdev = true };
	rule_case("rule-add-l3mdev", &r, false);
	r = rule_v4();
	rule_case("rule-del", &r, true);
	golden("rule-dump-v4", &m, rtnl_rule_dump(m.b, sizeof(m), AF_INET), SAME);
	golden("rule-dump-v6", &m, rtnl_rule_dump(m.b, sizeof(m), AF_INET6), SAME);

	current_test = "rule invalid";
	r = rule_v4();
	r.action = FR_ACT_BLACKHOLE; /* a table with blackhole */
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	r = rule_v4();
	r.table = 0; /* to_tbl without a table */
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	CHECK(rtnl_rule_del(m.b, sizeof(m), &r) > 0); /* a delete matches on what is given */
	r = rule_v4();
	r.l3mdev = true; /* l3mdev and a table */
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	r = rule_v4();
	r.table = 0;
	r.action = FR_ACT_GOTO;
	r.goto_target = 1000; /* not forward */
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	r.goto_target = 0;
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	r = rule_v4();
	r.src_len = 33;
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	r = rule_v4();
	r.src = ip("2001:db8::");
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	r = rule_v4();
	r.dst_len = 8; /* without dst */
	CHECK_EQ(rtnl_rule_del(m.b, sizeof(m), &r), -EINVAL);
	r = rule_v4();
	strcpy(r.iif, "a/b");
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	r = rule_v4();
	r.dport = (RtnlPortRange){ 90, 80 };
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	r = rule_v4();
	r.sport = (RtnlPortRange){ 0, 80 };
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	r = rule_v4();
	r.action = 42;
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	r = rule_v4();
	r.family = AF_UNSPEC;
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), &r), -EINVAL);
	CHECK_EQ(rtnl_rule_new(m.b, sizeof(m), NULL), -EINVAL);
	CHECK_EQ(rtnl_rule_dump(m.b, sizeof(m), AF_PACKET), -EINVAL);
}

/* ---- neighbours and FDB */

static bool neigh_eq(const RtnlNeigh *a, const RtnlNeigh *b)
{
	return a->family == b->family && a->ifindex == b->ifindex && ip_eq(&a->dst, &b->dst) &&
	       a->lladdr_len == b->lladdr_len && !memcmp(a->lladdr, b->lladdr, a->lladdr_len) &&
	       a->state == b->state && a->flags == b->flags && a->has_vni == b->has_vni &&
	       a->vni == b->vni && a->port == b->port && a->vlan == b->vlan;
}

static void neigh_case(const char *name, const RtnlNeigh *nb, int op)
{
	RtnlNeigh back, want = *nb;
	MsgBuf m;
	int n;

	n = op < 0 ? rtnl_neigh_del(m.b, sizeof(m), nb) : rtnl_neigh_new(m.b, sizeof(m), nb, op);
	golden(name, &m, n, SAME);
	CHECK_EQ(rtnl_neigh_parse(&m.nlh, &back), 0);
	if (op < 0 && nb->family != AF_BRIDGE)
		want.lladdr_len = 0; /* a neighbour is deleted by address alone */
	CHECK(neigh_eq(&back, &want));
}

static RtnlNeigh neigh_v4(void)
{
	RtnlNeigh n = {
		.family = AF_INET, .ifindex = D0, .dst = ip("198.18.0.2"), .state = NUD_PERMANENT
	};

	mac("02:00:00:00:00:02", n.lladdr, &n.lladdr_len);
	return n;
}

static RtnlNeigh fdb_vtep(void)
{
	RtnlNeigh n = { .family = AF_BRIDGE,
			.ifindex = VX0,
			.dst = ip("198.18.0.2"),
			.state = RTNL_FDB_PERMANENT,
			.flags = NTF_SELF };

	mac("00:00:00:00:00:00", n.lladdr, &n.lladdr_len);
	return n;
}

static void test_neigh(void)
{
	RtnlNeigh n = neigh_v4();
	MsgBuf m;

	neigh_case("neigh-add-v4", &n, RTNL_NEIGH_ADD);
	n.dst = ip("198.18.0.3");
	n.state = NUD_REACHABLE;
	mac("02:00:00:00:00:03", n.lladdr, &n.lladdr_len);
	neigh_case("neigh-replace-v4", &n, RTNL_NEIGH_REPLACE);
	n = (RtnlNeigh){ .family = AF_INET6,
			 .ifindex = D0,
			 .dst = ip("2001:db8::2"),
			 .state = NUD_STALE,
			 .flags = NTF_ROUTER };
	mac("02:00:00:00:00:04", n.lladdr, &n.lladdr_len);
	neigh_case("neigh-add-v6-router", &n, RTNL_NEIGH_ADD);
	n = (RtnlNeigh){ .family = AF_INET,
			 .ifindex = D0,
			 .dst = ip("198.18.0.4"),
			 .state = NUD_PERMANENT,
			 .flags = NTF_PROXY };
	neigh_case("neigh-add-proxy", &n, RTNL_NEIGH_ADD);
	n = neigh_v4();
	neigh_case("neigh-del-v4", &n, -1);
	golden("neigh-dump", &m, rtnl_neigh_dump(m.b, sizeof(m), AF_UNSPEC, 0, 0), SAME);
	golden("neigh-dump-dev", &m, rtnl_neigh_dump(m.b, sizeof(m), AF_UNSPEC, D0, 0), SAME);

	n = (RtnlNeigh){ .family = AF_BRIDGE,
			 .ifindex = D1,
			 .state = RTNL_FDB_STATIC,
			 .flags = NTF_MASTER };
	mac("02:00:00:00:00:10", n.lladdr, &n.lladdr_len);
	neigh_case("fdb-add-master-static", &n, RTNL_NEIGH_ADD);
	n.state = RTNL_FDB_PERMANENT;
	neigh_case("fdb-del", &n, -1);
	n.vlan = 10;
	mac("02:00:00:00:00:11", n.lladdr, &n.lladdr_len);
	neigh_case("fdb-add-master-vlan", &n, RTNL_NEIGH_ADD);
	n = fdb_vtep();
	neigh_case("fdb-append-vtep", &n, RTNL_NEIGH_APPEND);
	n.dst = ip("2001:db8::2");
	n.port = 4789;
	n.has_vni = true;
	n.vni = 100;
	mac("02:00:00:00:00:12", n.lladdr, &n.lladdr_len);
	neigh_case("fdb-add-vtep6", &n, RTNL_NEIGH_ADD);
	n = fdb_vtep();
	n.dst = ip("198.18.0.3");
	n.state = RTNL_FDB_DYNAMIC;
	mac("02:00:00:00:00:13", n.lladdr, &n.lladdr_len);
	neigh_case("fdb-replace-dynamic", &n, RTNL_NEIGH_REPLACE);
	golden("fdb-dump", &m, rtnl_neigh_dump(m.b, sizeof(m), AF_BRIDGE, 0, 0), SAME);
	golden("fdb-dump-br", &m, rtnl_neigh_dump(m.b, sizeof(m), AF_BRIDGE, 0, BR0), SAME);
	golden("fdb-dump-dev", &m, rtnl_neigh_dump(m.b, sizeof(m), AF_BRIDGE, VX0, 0), SAME);

	current_test = "neigh invalid";
	n = neigh_v4();
	CHECK_EQ(rtnl_neigh_new(m.b, sizeof(m), &n, RTNL_NEIGH_APPEND), -EINVAL);
	CHECK_EQ(rtnl_neigh_new(m.b, sizeof(m), &n, (RtnlNeighOp)7), -EINVAL);
	n.ifindex = 0;
	CHECK_EQ(rtnl_neigh_new(m.b, sizeof(m), &n, RTNL_NEIGH_ADD), -EINVAL);
	n = neigh_v4();
	n.dst = ip("2001:db8::2"); /* family mismatch */
	CHECK_EQ(rtnl_neigh_new(m.b, sizeof(m), &n, RTNL_NEIGH_ADD), -EINVAL);
	n = neigh_v4();
	n.has_vni = true; /* vxlan attribute on ARP */
	CHECK_EQ(rtnl_neigh_new(m.b, sizeof(m), &n, RTNL_NEIGH_ADD), -EINVAL);
	n = neigh_v4();
	n.lladdr_len = 33;
	CHECK_EQ(rtnl_neigh_del(m.b, sizeof(m), &n), -EINVAL);
	n = fdb_vtep();
	n.lladdr_len = 4; /* FDB needs a MAC */
	CHECK_EQ(rtnl_neigh_new(m.b, sizeof(m), &n, RTNL_NEIGH_ADD), -EINVAL);
	n = fdb_vtep();
	n.vlan = 4095;
	CHECK_EQ(rtnl_neigh_new(m.b, sizeof(m), &n, RTNL_NEIGH_ADD), -EINVAL);
	n = fdb_vtep();
	n.has_vni = true;
	n.vni = 1 << 24;
	CHECK_EQ(rtnl_neigh_new(m.b, sizeof(m), &n, RTNL_NEIGH_ADD), -EINVAL);
	n = fdb_vtep();
	n.master = BR0; /* reply-only */
	CHECK_EQ(rtnl_neigh_new(m.b, sizeof(m), &n, RTNL_NEIGH_ADD), -EINVAL);
	CHECK_EQ(rtnl_neigh_new(m.b, sizeof(m), NULL, RTNL_NEIGH_ADD), -EINVAL);
	CHECK_EQ(rtnl_neigh_dump(m.b, sizeof(m), AF_PACKET, 0, 0), -EINVAL);
}

/* ---- nexthops */

static bool nexthop_eq(const RtnlNexthop *a, const RtnlNexthop *b)
{
	if (a->id != b->id || a->family != b->family || a->protocol != b->protocol ||
	    a->flags != b->flags || !ip_eq(&a->gateway, &b->gateway) || a->oif != b->oif ||
	    a->blackhole != b->blackhole || a->fdb != b->fdb || a->group_type != b->group_type ||
	    a->n_group != b->n_group)
		return false;
	for (size_t i = 0; i < a->n_group; i++)
		if (a->group[i].id != b->group[i].id ||
		    (a->group[i].weight ? a->group[i].weight : 1) !=
			    (b->group[i].weight ? b->group[i].weight : 1))
			return false;
	return true;
}

static void nexthop_case(const char *name, const RtnlNexthop *nh, bool replace)
{
	RtnlNexthop back;
	MsgBuf m;

	golden(name, &m, rtnl_nexthop_new(m.b, sizeof(m), nh, replace), SAME);
	CHECK_EQ(rtnl_nexthop_parse(&m.nlh, &back), 0);
	CHECK(nexthop_eq(&back, nh));
}

static void test_nexthop(void)
{
	RtnlNexthop nh = { .id = 1, .family = AF_INET, .gateway = ip("198.18.0.2"), .oif = D0 };
	const struct nexthop_grp *grp;
	RtnlNexthop back;
	MsgBuf m;

	nexthop_case("nh-add-v4", &nh, false);
	nh.gateway = ip("198.18.0.3");
	nexthop_case("nh-replace", &nh, true);
	nh = (RtnlNexthop){ .id = 2,
			    .family = AF_INET6,
			    .gateway = ip("2001:db8::2"),
			    .oif = D0,
			    .flags = RTNH_F_ONLINK };
	nexthop_case("nh-add-v6-onlink", &nh, false);
	nh = (RtnlNexthop){ .id = 4, .family = AF_INET, .oif = D0 };
	nexthop_case("nh-add-dev", &nh, false);
	nh = (RtnlNexthop){ .id = 3, .family = AF_INET, .blackhole = true };
	nexthop_case("nh-add-blackhole", &nh, false);
	nh = (RtnlNexthop){ .id = 10, .n_group = 2, .group = { { 1, 1 }, { 4, 5 } } };
	nexthop_case("nh-add-group", &nh, false);
	/* Weight w is w - 1 on the wire: 5 -> 4, and 256 -> 255. */
	grp = mnl_attr_get_payload((const struct nlattr *)(m.b + NLMSG_HDRLEN + 8 + 8));
	nh.group[1].weight = 256;
	CHECK(rtnl_nexthop_new(m.b, sizeof(m), &nh, false) > 0);
	CHECK_EQ(grp[1].weight, 255);
	CHECK_EQ(grp[0].weight, 0);
	CHECK_EQ(rtnl_nexthop_parse(&m.nlh, &back), 0);
	CHECK_EQ(back.group[1].weight, 256);
	nh = (RtnlNexthop){ .id = 11,
			    .n_group = 2,
			    .group = { { 1, 1 }, { 4, 1 } },
			    .group_type = NEXTHOP_GRP_TYPE_RES };
	nexthop_case("nh-add-group-res", &nh, false);
	golden("nh-del", &m, rtnl_nexthop_del(m.b, sizeof(m), 1), SAME);
	CHECK_EQ(rtnl_nexthop_parse(&m.nlh, &back), 0);
	CHECK_EQ(back.id, 1);
	golden("nh-dump", &m, rtnl_nexthop_dump(m.b, sizeof(m), 0), SAME);

	current_test = "nexthop invalid";
	CHECK_EQ(rtnl_nexthop_del(m.b, sizeof(m), 0), -EINVAL);
	nh = (RtnlNexthop){ .id = 10, .n_group = 1, .group = { { 1, 1 } }, .oif = D0 };
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL);
	nh = (RtnlNexthop){ .id = 10, .n_group = 2, .group = { { 1, 1 }, { 1, 2 } } };
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL); /* repeated member */
	nh = (RtnlNexthop){ .id = 10, .n_group = 1, .group = { { 1, 257 } } };
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL);
	nh = (RtnlNexthop){ .id = 10, .n_group = 1, .group = { { 0, 1 } } };
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL);
	nh = (RtnlNexthop){ .id = 10, .n_group = 1, .group = { { 10, 1 } } }; /* itself */
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL);
	nh = (RtnlNexthop){ .id = 10, .n_group = 1, .group = { { 1, 1 } }, .group_type = 9 };
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL);
	nh = (RtnlNexthop){ .id = 3, .family = AF_INET, .blackhole = true, .oif = D0 };
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL);
	nh = (RtnlNexthop){ .id = 1, .family = AF_INET, .gateway = ip("198.18.0.2") }; /* no dev */
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL);
	nh = (RtnlNexthop){ .id = 1, .family = AF_INET6, .gateway = ip("198.18.0.2"), .oif = D0 };
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL);
	nh = (RtnlNexthop){ .id = 1, .family = AF_INET, .oif = D0, .flags = RTNH_F_ONLINK };
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL);
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), NULL, false), -EINVAL);
}

/* ---- routes */

static bool route_eq(const RtnlRoute *a, const RtnlRoute *b)
{
	if (a->family != b->family || !ip_eq(&a->dst, &b->dst) || a->dst_len != b->dst_len ||
	    !ip_eq(&a->gateway, &b->gateway) || !ip_eq(&a->prefsrc, &b->prefsrc) ||
	    a->oif != b->oif || a->priority != b->priority || a->scope != b->scope ||
	    a->protocol != b->protocol || a->flags != b->flags || a->nhid != b->nhid ||
	    a->mtu != b->mtu || a->n_paths != b->n_paths)
		return false;
	for (size_t i = 0; i < a->n_paths; i++) {
		const RtnlRoutePath *p = &a->paths[i], *q = &b->paths[i];

		if (!ip_eq(&p->gateway, &q->gateway) || p->ifindex != q->ifindex ||
		    p->flags != q->flags || (p->weight ? p->weight : 1) != (q->weight ? q->weight : 1))
			return false;
	}
	return true;
}

/* What `ip route add` fills in by itself: protocol boot, the main table, unicast. */
static RtnlRoute route4(const char *dst, uint8_t len)
{
	return (RtnlRoute){ .family = AF_INET,
			    .dst = ip(dst),
			    .dst_len = len,
			    .table = RT_TABLE_MAIN,
			    .protocol = RTPROT_BOOT,
			    .type = RTN_UNICAST };
}

static void route_case(const char *name, const RtnlRoute *r)
{
	RtnlRoute back;
	MsgBuf m;

	golden(name, &m, rtnl_route_new(m.b, sizeof(m), r, false), ROUTE_TABLE);
	CHECK_EQ(rtnl_route_parse(&m.nlh, &back), 0);
	CHECK(route_eq(&back, r));
	CHECK_EQ(back.table, r->table);
	CHECK_EQ(back.type, r->type);
}

static void test_routes(void)
{
	RtnlRoute r = route4("198.18.10.0", 24), back;
	RtnlRouteGet g;
	MsgBuf m;

	r.n_paths = 2;
	r.paths[0] = (RtnlRoutePath){ .gateway = ip("198.18.0.2"), .ifindex = D0, .weight = 1 };
	r.paths[1] = (RtnlRoutePath){ .gateway = ip("198.18.0.3"), .ifindex = D0, .weight = 3 };
	route_case("route-add-multipath", &r);
	r = (RtnlRoute){ .family = AF_INET6,
			 .dst = ip("2001:db8:10::"),
			 .dst_len = 64,
			 .table = RT_TABLE_MAIN,
			 .protocol = RTPROT_BOOT,
			 .type = RTN_UNICAST,
			 .n_paths = 2 };
	r.paths[0] = (RtnlRoutePath){ .gateway = ip("2001:db8::2"), .ifindex = D0 };
	r.paths[1] = (RtnlRoutePath){ .gateway = ip("2001:db8::3"), .ifindex = D0, .weight = 2 };
	route_case("route-add-multipath6", &r);
	r = route4("198.18.11.0", 24);
	r.nhid = 10;
	route_case("route-add-nhid", &r);
	r = route4("198.18.12.0", 24);
	r.gateway = ip("198.18.5.1");
	r.oif = D0;
	r.flags = RTNH_F_ONLINK;
	route_case("route-add-onlink", &r);
	r = route4("198.18.13.0", 24);
	r.gateway = ip("198.18.0.2");
	r.oif = D0;
	r.prefsrc = ip("198.18.0.1");
	r.mtu = 1400;
	route_case("route-add-mtu-src", &r);
	r = route4("198.18.14.0", 24);
	r.type = RTN_BLACKHOLE;
	route_case("route-add-blackhole", &r);
	r = route4("198.18.14.0", 25);
	r.type = RTN_UNREACHABLE;
	route_case("route-add-unreachable", &r);
	r = route4("198.18.14.128", 25);
	r.type = RTN_PROHIBIT;
	route_case("route-add-prohibit", &r);
	r = route4("198.18.15.1", 32);
	r.type = RTN_LOCAL;
	r.table = RT_TABLE_LOCAL;
	r.scope = RT_SCOPE_HOST;
	r.oif = D0;
	route_case("route-add-local", &r);

	g = (RtnlRouteGet){ .dst = ip("198.18.0.2") };
	golden("route-get", &m, rtnl_route_get(m.b, sizeof(m), &g), GET_ACK);
	g = (RtnlRouteGet){ .dst = ip("198.18.0.2"), .src = ip("198.18.3.1"), .iif = D0 };
	golden("route-get-from-iif", &m, rtnl_route_get(m.b, sizeof(m), &g), GET_ACK);
	g = (RtnlRouteGet){ .dst = ip("2001:db8::2") };
	golden("route-get6", &m, rtnl_route_get(m.b, sizeof(m), &g), GET_ACK);

	current_test = "route del with paths";
	r = route4("198.18.10.0", 24);
	r.n_paths = 1;
	r.paths[0] = (RtnlRoutePath){ .gateway = ip("198.18.0.2"), .ifindex = D0 };
	r.mtu = 1500;
	CHECK(rtnl_route_del(m.b, sizeof(m), &r) > 0);
	CHECK_EQ(rtnl_route_parse(&m.nlh, &back), 0);
	CHECK_EQ(back.n_paths, 1);
	CHECK_EQ(back.mtu, 0); /* metrics are not part of a delete's match */

	current_test = "route path via v6";
	r = route4("198.18.10.0", 24);
	r.n_paths = 1;
	r.paths[0] = (RtnlRoutePath){ .gateway = ip("2001:db8::9"), .ifindex = D0, .weight = 256 };
	CHECK(rtnl_route_new(m.b, sizeof(m), &r, false) > 0);
	CHECK_EQ(rtnl_route_parse(&m.nlh, &back), 0);
	CHECK(route_eq(&back, &r));

	current_test = "route invalid";
	r.paths[0].weight = 257;
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r.paths[0] = (RtnlRoutePath){ .weight = 1 }; /* neither gateway nor device */
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r.paths[0] = (RtnlRoutePath){ .ifindex = D0, .flags = RTNH_F_ONLINK };
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r.paths[0] = (RtnlRoutePath){ .ifindex = D0 };
	r.oif = D0; /* paths and a top-level device */
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r.oif = 0;
	r.n_paths = RTNL_ROUTE_MAX_PATHS + 1;
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r = route4("198.18.11.0", 24);
	r.nhid = 10;
	r.gateway = ip("198.18.0.2");
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r = route4("198.18.11.0", 24);
	r.nhid = 10;
	r.type = RTN_BLACKHOLE;
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r = route4("198.18.11.0", 24);
	r.flags = RTNH_F_ONLINK; /* onlink without a gateway */
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r.flags = RTM_F_CLONED;
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r = route4("198.18.11.0", 24);
	r.iif = D0; /* answer-only */
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	g = (RtnlRouteGet){ .dst = ip("198.18.0.2"), .src = ip("2001:db8::1") };
	CHECK_EQ(rtnl_route_get(m.b, sizeof(m), &g), -EINVAL);
	g = (RtnlRouteGet){};
	CHECK_EQ(rtnl_route_get(m.b, sizeof(m), &g), -EINVAL);
	CHECK_EQ(rtnl_route_get(m.b, sizeof(m), NULL), -EINVAL);
}

/* ---- addresses */

static bool addr_eq(const RtnlAddr *a, const RtnlAddr *b)
{
	return a->index == b->index && ip_eq(&a->addr, &b->addr) &&
	       a->prefix_len == b->prefix_len && a->scope == b->scope && a->flags == b->flags &&
	       ip_eq(&a->broadcast, &b->broadcast) && ip_eq(&a->peer, &b->peer) &&
	       !strcmp(a->label, b->label) && a->has_lifetimes == b->has_lifetimes &&
	       a->valid_lft == b->valid_lft && a->preferred_lft == b->preferred_lft;
}

static void addr_case(const char *name, const RtnlAddr *a, int (*fn)(void *, size_t,
								     const RtnlAddr *),
		      unsigned how)
{
	RtnlAddr back;
	MsgBuf m;

	golden(name, &m, fn(m.b, sizeof(m), a), how);
	CHECK_EQ(rtnl_addr_parse(&m.nlh, &back), 0);
	CHECK(addr_eq(&back, a));
}

static void test_addrs(void)
{
	RtnlAddr a = { .index = D0, .addr = ip("198.18.0.5"), .prefix_len = 24 };
	MsgBuf m;

	addr_case("addr-add-v4", &a, rtnl_addr_new, SAME);
	a.has_lifetimes = true;
	a.valid_lft = 60;
	a.preferred_lft = 30;
	addr_case("addr-replace", &a, rtnl_addr_replace, SAME);
	a = (RtnlAddr){ .index = D0,
			.addr = ip("198.18.0.6"),
			.prefix_len = 24,
			.broadcast = ip("198.18.0.255"),
			.label = "d0:1" };
	addr_case("addr-add-label-brd", &a, rtnl_addr_new, SAME);
	a = (RtnlAddr){ .index = D0,
			.addr = ip("198.18.0.7"),
			.peer = ip("198.18.0.8"),
			.prefix_len = 32 };
	addr_case("addr-add-peer", &a, rtnl_addr_new, SAME);
	a = (RtnlAddr){ .index = D0,
			.addr = ip("2001:db8::5"),
			.prefix_len = 64,
			.flags = IFA_F_NODAD | IFA_F_NOPREFIXROUTE,
			.has_lifetimes = true,
			.valid_lft = 300,
			.preferred_lft = 100 };
	addr_case("addr-add-v6-flags", &a, rtnl_addr_new, ADDR_FLAGS8);
	a = (RtnlAddr){ .index = D0, .addr = ip("198.18.0.1"), .prefix_len = 24 };
	golden("addr-del", &m, rtnl_addr_del(m.b, sizeof(m), &a), SAME);

	current_test = "addr flags in the header only";
	a.flags = IFA_F_NODAD;
	CHECK(rtnl_addr_new(m.b, sizeof(m), &a) > 0);
	CHECK_EQ(((struct ifaddrmsg *)mnl_nlmsg_get_payload(&m.nlh))->ifa_flags, IFA_F_NODAD);
	CHECK_EQ(m.nlh.nlmsg_len, vector("addr-add-v4")->len); /* no IFA_FLAGS */

	current_test = "addr invalid";
	a = (RtnlAddr){ .index = D0, .addr = ip("198.18.0.1"), .prefix_len = 24 };
	a.peer = ip("2001:db8::1");
	CHECK_EQ(rtnl_addr_new(m.b, sizeof(m), &a), -EINVAL);
	a.peer.family = 0;
	a.has_lifetimes = true;
	a.valid_lft = 0;
	CHECK_EQ(rtnl_addr_new(m.b, sizeof(m), &a), -EINVAL);
	a.valid_lft = 10;
	a.preferred_lft = 11;
	CHECK_EQ(rtnl_addr_replace(m.b, sizeof(m), &a), -EINVAL);
	a.has_lifetimes = false;
	memset(a.label, 'x', sizeof(a.label)); /* no NUL */
	CHECK_EQ(rtnl_addr_new(m.b, sizeof(m), &a), -EINVAL);
	a = (RtnlAddr){ .index = D0, .addr = ip("2001:db8::1"), .prefix_len = 64, .label = "d0:1" };
	CHECK_EQ(rtnl_addr_new(m.b, sizeof(m), &a), -EINVAL);
}

/* ---- real kernel answers (capture.py's reply-* vectors) */

typedef struct Seen {
	RtnlRule rules[16];
	RtnlNeigh neighs[16];
	RtnlNexthop nexthops[8];
	RtnlRoute routes[16];
	RtnlAddr addrs[8];
	size_t n_rules, n_neighs, n_nexthops, n_routes, n_addrs;
} Seen;

static int seen_cb(const struct nlmsghdr *nlh, void *userdata)
{
	Seen *s = userdata;

	switch (nlh->nlmsg_type) {
	case RTM_NEWRULE:
		CHECK(s->n_rules < 16);
		return rtnl_rule_parse(nlh, &s->rules[s->n_rules++]);
	case RTM_NEWNEIGH:
		CHECK(s->n_neighs < 16);
		return rtnl_neigh_parse(nlh, &s->neighs[s->n_neighs++]);
	case RTM_NEWNEXTHOP:
		CHECK(s->n_nexthops < 8);
		return rtnl_nexthop_parse(nlh, &s->nexthops[s->n_nexthops++]);
	case RTM_NEWROUTE:
		CHECK(s->n_routes < 16);
		return rtnl_route_parse(nlh, &s->routes[s->n_routes++]);
	case RTM_NEWADDR:
		CHECK(s->n_addrs < 8);
		return rtnl_addr_parse(nlh, &s->addrs[s->n_addrs++]);
	}
	CHECK_FAIL_("unexpected message type %u", nlh->nlmsg_type);
}

static Seen *seen(const char *name)
{
	static Seen s;
	const Vector *v = vector(name);

	current_test = name;
	memset(&s, 0, sizeof(s));
	CHECK_EQ(rtnl_walk(v->bytes, v->len, seen_cb, &s), 0);
	return &s;
}

static void test_kernel_answers(void)
{
	const RtnlRule *rule = NULL;
	const RtnlRoute *mp = NULL, *nhr = NULL, *mtu = NULL;
	const RtnlNexthop *grp = NULL;
	const RtnlAddr *peer = NULL;
	Seen *s;

	s = seen("reply-rules");
	CHECK_EQ(s->n_rules, 6); /* local, 1000, 2000, main, default, 40000 */
	for (size_t i = 0; i < s->n_rules; i++)
		if (s->rules[i].priority == 2000)
			rule = &s->rules[i];
	CHECK(rule && rule->invert && rule->dst_len == 24 && !strcmp(rule->iif, "d0"));
	CHECK(rule->has_fwmark && rule->fwmark == 0x10 && rule->fwmask == 0xff);
	CHECK(rule->ip_proto == IPPROTO_UDP && rule->dport.start == 53 && rule->dport.end == 53);
	CHECK_EQ(rule->table, 1000);
	CHECK_EQ(rule->action, FR_ACT_TO_TBL);
	CHECK(!rule->has_suppress_prefixlen); /* the kernel's -1 */
	CHECK_EQ(s->rules[s->n_rules - 1].action, FR_ACT_BLACKHOLE);
	CHECK_EQ(s->rules[s->n_rules - 1].priority, 40000);

	s = seen("reply-neigh");
	CHECK_EQ(s->n_neighs, 1);
	CHECK(s->neighs[0].family == AF_INET && s->neighs[0].ifindex == D0);
	CHECK(ip_is(&s->neighs[0].dst, "198.18.0.2"));
	CHECK(s->neighs[0].lladdr_len == 6 && s->neighs[0].lladdr[5] == 2);
	CHECK_EQ(s->neighs[0].state, NUD_PERMANENT);

	s = seen("reply-fdb");
	CHECK(s->n_neighs >= 1);
	CHECK(s->neighs[0].family == AF_BRIDGE && s->neighs[0].ifindex == VX0);
	CHECK(ip_is(&s->neighs[0].dst, "198.18.0.2"));
	CHECK_EQ(s->neighs[0].flags & NTF_SELF, NTF_SELF);
	CHECK_EQ(s->neighs[0].state, NUD_PERMANENT | NUD_NOARP);

	s = seen("reply-nexthops");
	CHECK_EQ(s->n_nexthops, 3);
	CHECK(s->nexthops[0].id == 1 && s->nexthops[0].oif == D0 &&
	      s->nexthops[0].family == AF_INET);
	for (size_t i = 0; i < s->n_nexthops; i++)
		if (s->nexthops[i].id == 10)
			grp = &s->nexthops[i];
	CHECK(grp && grp->n_group == 2 && grp->group[0].id == 1 && grp->group[0].weight == 1);
	CHECK(grp->group[1].id == 2 && grp->group[1].weight == 3);

	s = seen("reply-routes");
	for (size_t i = 0; i < s->n_routes; i++) {
		const RtnlRoute *r = &s->routes[i];

		if (r->dst_len == 24 && r->dst.bytes[2] == 10)
			mp = r;
		if (r->dst_len == 24 && r->dst.bytes[2] == 11)
			nhr = r;
		if (r->dst_len == 24 && r->dst.bytes[2] == 13)
			mtu = r;
	}
	CHECK(mp && mp->n_paths == 2 && mp->paths[0].weight == 1 && mp->paths[1].weight == 3);
	CHECK(ip_is(&mp->paths[1].gateway, "198.18.0.3"));
	CHECK_EQ(mp->paths[0].ifindex, D0);
	CHECK(nhr && nhr->nhid == 10);
	CHECK(mtu && mtu->mtu == 1400 && ip_is(&mtu->prefsrc, "198.18.0.1"));

	s = seen("reply-route-get");
	CHECK_EQ(s->n_routes, 1);
	CHECK(ip_is(&s->routes[0].dst, "198.18.10.1"));
	CHECK_EQ(s->routes[0].dst_len, 32);
	CHECK_EQ(s->routes[0].table, RT_TABLE_MAIN);
	CHECK_EQ(s->routes[0].oif, D0);
	CHECK_EQ(s->routes[0].gateway.family, AF_INET);

	s = seen("reply-addrs");
	for (size_t i = 0; i < s->n_addrs; i++)
		if (s->addrs[i].peer.family)
			peer = &s->addrs[i];
	CHECK(peer && !strcmp(peer->label, "d0:p"));
	CHECK(ip_is(&peer->addr, "198.18.0.7"));
	CHECK(ip_is(&peer->peer, "198.18.0.8"));
	CHECK(peer->has_lifetimes && peer->valid_lft == 0xffffffff);
	CHECK(!strcmp(s->addrs[0].label, "d0") && !s->addrs[0].peer.family);
}

/* ---- malformed input */

typedef int (*ParseFn)(const struct nlmsghdr *nlh, void *ret);

static int p_rule(const struct nlmsghdr *nlh, void *ret)
{
	return rtnl_rule_parse(nlh, ret);
}
static int p_neigh(const struct nlmsghdr *nlh, void *ret)
{
	return rtnl_neigh_parse(nlh, ret);
}
static int p_nexthop(const struct nlmsghdr *nlh, void *ret)
{
	return rtnl_nexthop_parse(nlh, ret);
}
static int p_route(const struct nlmsghdr *nlh, void *ret)
{
	return rtnl_route_parse(nlh, ret);
}

/* Every shorter nlmsg_len in an exact-size heap copy: never a read past it (ASan), and
 * anything shorter than the family header is -EINVAL. */
static void truncations(const char *name, ParseFn parse, size_t hdr_len)
{
	const Vector *v = vector(name);
	union {
		RtnlRule r;
		RtnlNeigh n;
		RtnlNexthop nh;
		RtnlRoute rt;
	} out;

	current_test = name;
	for (size_t len = 0; len <= v->len; len++) {
		struct nlmsghdr *nlh = aligned_alloc(4, (len + 3) & ~(size_t)3 ? (len + 3) & ~3u : 4);
		int r;

		CHECK(nlh);
		memcpy(nlh, v->bytes, len);
		if (len >= sizeof(*nlh)) {
			nlh->nlmsg_len = (uint32_t)len;
			r = parse(nlh, &out);
			if (len < NLMSG_HDRLEN + hdr_len)
				CHECK_EQ(r, -EINVAL);
			if (len == v->len)
				CHECK_EQ(r, 0);
		}
		free(nlh);
	}
}

/* A request vector with one byte changed at off. */
static int mutated(const char *name, size_t off, uint8_t value, ParseFn parse)
{
	const Vector *v = vector(name);
	MsgBuf m;
	union {
		RtnlNexthop nh;
		RtnlRoute rt;
		RtnlRule r;
		RtnlNeigh n;
	} out;

	memcpy(m.b, v->bytes, v->len);
	m.b[off] = value;
	return parse(&m.nlh, &out);
}

static void test_bad_input(void)
{
	MsgBuf m;
	RtnlRoute r;
	int n;

	truncations("rule-add-full", p_rule, sizeof(struct fib_rule_hdr));
	truncations("rule-add-v6", p_rule, sizeof(struct fib_rule_hdr));
	truncations("fdb-add-vtep6", p_neigh, sizeof(struct ndmsg));
	truncations("neigh-add-v6-router", p_neigh, sizeof(struct ndmsg));
	truncations("nh-add-group", p_nexthop, sizeof(struct nhmsg));
	truncations("route-add-multipath6", p_route, sizeof(struct rtmsg));
	truncations("route-add-mtu-src", p_route, sizeof(struct rtmsg));

	current_test = "bad attributes";
	/* NHA_GROUP of 12 bytes: not a whole number of struct nexthop_grp. */
	CHECK_EQ(mutated("nh-add-group", 32, 0x10, p_nexthop), -EINVAL);
	/* FRA_PRIORITY with a 2-byte payload. */
	CHECK_EQ(mutated("rule-add-v4", 28, 6, p_rule), -EINVAL);
	/* The first rtnexthop claims more than RTA_MULTIPATH holds. */
	CHECK_EQ(mutated("route-add-multipath", 40, 0x40, p_route), -EINVAL);
	/* ... or less than its own header. */
	CHECK_EQ(mutated("route-add-multipath", 40, 4, p_route), -EINVAL);
	/* An FDB entry whose MAC is 4 bytes (NDA_LLADDR length 8 -> the next attr misaligns). */
	CHECK_EQ(mutated("fdb-del", 28, 8, p_neigh), -EINVAL);
	/* A message of another type. */
	CHECK_EQ(mutated("rule-add-v4", 4, RTM_NEWROUTE, p_rule), -EINVAL);
	CHECK_EQ(mutated("nh-add-v4", 4, RTM_NEWRULE, p_nexthop), -EINVAL);
	CHECK_EQ(mutated("neigh-add-v4", 4, RTM_NEWNEXTHOP, p_neigh), -EINVAL);
	/* Families not handled: well-formed, skipped by the caller. */
	CHECK_EQ(mutated("rule-add-v4", 16, AF_PACKET, p_rule), -EAFNOSUPPORT);
	CHECK_EQ(mutated("neigh-add-v4", 16, AF_PACKET, p_neigh), -EAFNOSUPPORT);
	CHECK_EQ(mutated("nh-add-v4", 16, AF_PACKET, p_nexthop), -EAFNOSUPPORT);
	/* src_len beyond the family's, and without the address. */
	CHECK_EQ(mutated("route-add-multipath", 18, 33, p_route), -EINVAL);
	CHECK_EQ(mutated("route-add-multipath", 18, 8, p_route), -EINVAL);

	current_test = "too many paths";
	r = route4("198.18.10.0", 24);
	r.n_paths = RTNL_ROUTE_MAX_PATHS;
	for (size_t i = 0; i < r.n_paths; i++)
		r.paths[i] = (RtnlRoutePath){ .ifindex = (uint32_t)i + 1 };
	n = rtnl_route_new(m.b, sizeof(m), &r, false);
	CHECK(n > 0);
	CHECK_EQ(rtnl_route_parse(&m.nlh, &r), 0);
	CHECK_EQ(r.n_paths, RTNL_ROUTE_MAX_PATHS);
	/* One more rtnexthop appended to RTA_MULTIPATH (the message's last attribute). */
	{
		struct nlattr *mp = (void *)(m.b + n - (RTNL_ROUTE_MAX_PATHS * 8) - 4);
		struct rtnexthop *extra = (void *)(m.b + n);

		CHECK_EQ(mp->nla_type, RTA_MULTIPATH);
		*extra = (struct rtnexthop){ .rtnh_len = 8, .rtnh_ifindex = 99 };
		mp->nla_len += 8;
		m.nlh.nlmsg_len += 8;
		CHECK_EQ(rtnl_route_parse(&m.nlh, &r), -E2BIG);
	}
}

/* ---- every builder, every buffer size below what it needs */

typedef int (*BuildFn)(void *buf, size_t size, const void *arg);

static void sweep(const char *what, BuildFn fn, const void *arg)
{
	MsgBuf ref;
	int n;

	current_test = what;
	n = fn(ref.b, sizeof(ref), arg);
	CHECK(n > 0);
	for (size_t size = 0; size <= (size_t)n; size++) {
		uint8_t *exact = malloc(size ? size : 1);
		int r;

		CHECK(exact);
		r = fn(size ? exact : NULL, size, arg);
		if (size < (size_t)n) {
			CHECK_EQ(r, -ENOBUFS);
		} else {
			CHECK_EQ(r, n);
			CHECK(memcmp(exact, ref.b, (size_t)n) == 0);
		}
		free(exact);
	}
}

static int b_rule(void *b, size_t s, const void *a)
{
	return rtnl_rule_new(b, s, a);
}
static int b_rule_del(void *b, size_t s, const void *a)
{
	return rtnl_rule_del(b, s, a);
}
static int b_neigh(void *b, size_t s, const void *a)
{
	return rtnl_neigh_new(b, s, a, RTNL_NEIGH_APPEND);
}
static int b_neigh_del(void *b, size_t s, const void *a)
{
	return rtnl_neigh_del(b, s, a);
}
static int b_neigh_dump(void *b, size_t s, const void *a)
{
	(void)a;
	return rtnl_neigh_dump(b, s, AF_INET, D0, BR0);
}
static int b_nexthop(void *b, size_t s, const void *a)
{
	return rtnl_nexthop_new(b, s, a, false);
}
static int b_nexthop_dump(void *b, size_t s, const void *a)
{
	(void)a;
	return rtnl_nexthop_dump(b, s, D0);
}
static int b_route(void *b, size_t s, const void *a)
{
	return rtnl_route_new(b, s, a, true);
}
static int b_route_get(void *b, size_t s, const void *a)
{
	return rtnl_route_get(b, s, a);
}
static int b_addr(void *b, size_t s, const void *a)
{
	return rtnl_addr_replace(b, s, a);
}

static void test_enobufs(void)
{
	RtnlRule rule = { .family = AF_INET6,
			  .has_priority = true,
			  .priority = 5,
			  .src = ip("2001:db8::"),
			  .src_len = 32,
			  .dst = ip("2001:db8:1::"),
			  .dst_len = 48,
			  .iif = "d0",
			  .oif = "d1",
			  .has_fwmark = true,
			  .fwmark = 1,
			  .fwmask = 3,
			  .ip_proto = 6,
			  .sport = { 1, 2 },
			  .dport = { 3, 4 },
			  .table = 1000,
			  .has_suppress_prefixlen = true,
			  .protocol = 4 };
	RtnlNeigh fdb = fdb_vtep();
	RtnlNexthop grp = { .id = 9, .n_group = 3, .group = { { 1, 1 }, { 2, 2 }, { 3, 3 } },
			    .group_type = NEXTHOP_GRP_TYPE_RES };
	RtnlNexthop gw = { .id = 1, .family = AF_INET, .gateway = ip("198.18.0.2"), .oif = D0,
			   .fdb = true };
	RtnlRoute mp = route4("198.18.10.0", 24);
	RtnlRouteGet get = { .dst = ip("198.18.0.2"), .src = ip("198.18.0.1"), .iif = 1, .oif = 2,
			     .mark = 3 };
	RtnlAddr a = { .index = D0,
		       .addr = ip("198.18.0.7"),
		       .peer = ip("198.18.0.8"),
		       .prefix_len = 32,
		       .broadcast = ip("198.18.0.255"),
		       .label = "d0:long-label",
		       .flags = IFA_F_NOPREFIXROUTE,
		       .has_lifetimes = true,
		       .valid_lft = 9 };

	fdb.dst = ip("2001:db8::2");
	fdb.vlan = 5;
	fdb.port = 1;
	fdb.has_vni = true;
	mp.n_paths = 3;
	mp.mtu = 9000;
	mp.prefsrc = ip("198.18.0.1");
	mp.priority = 7;
	mp.paths[0] = (RtnlRoutePath){ .gateway = ip("198.18.0.2"), .ifindex = D0 };
	mp.paths[1] = (RtnlRoutePath){ .gateway = ip("2001:db8::2"), .ifindex = D0 };
	mp.paths[2] = (RtnlRoutePath){ .ifindex = D1 };
	sweep("enobufs rule_new", b_rule, &rule);
	rule.action = FR_ACT_GOTO;
	rule.table = 0;
	rule.goto_target = 9;
	sweep("enobufs rule_new goto", b_rule, &rule);
	sweep("enobufs rule_del", b_rule_del, &rule);
	sweep("enobufs neigh append", b_neigh, &fdb);
	sweep("enobufs neigh del", b_neigh_del, &fdb);
	sweep("enobufs neigh dump", b_neigh_dump, NULL);
	sweep("enobufs nexthop group", b_nexthop, &grp);
	sweep("enobufs nexthop gw", b_nexthop, &gw);
	sweep("enobufs nexthop dump", b_nexthop_dump, NULL);
	sweep("enobufs route multipath", b_route, &mp);
	sweep("enobufs route get", b_route_get, &get);
	sweep("enobufs addr replace", b_addr, &a);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s VECTORS\n", argv[0]);
		return 2;
	}
	load_vectors(argv[1]);
	test_rules();
	test_neigh();
	test_nexthop();
	test_routes();
	test_addrs();
	test_kernel_answers();
	test_bad_input();
	test_enobufs();
	current_test = "vectors";
	for (size_t i = 0; i < n_vectors; i++)
		if (!vectors[i].used)
			CHECK_FAIL_("vector %s is not checked", vectors[i].name);
	printf("rtnl-l3: all tests passed (%zu iproute2 vectors)\n", n_vectors);
	return 0;
}
