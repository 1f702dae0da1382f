/* Unit tests of the rtnl codec's policy rules, neighbours and bridge FDB entries and nexthop
 * objects: requests byte for byte against what iproute2 6.1 sends (vectors/iproute2.txt, argv[1]),
 * build/parse round trips, real kernel answers, malformed input and every too-small buffer. */
#include "rtnl-vectors.h"

static void mac(const char *s, uint8_t *out, uint8_t *len)
{
	CHECK(rtnl_mac_parse(s, out) == 0);
	*len = 6;
}

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

	n = (RtnlNeigh){
		.family = AF_BRIDGE, .ifindex = D1, .state = RTNL_FDB_STATIC, .flags = NTF_MASTER
	};
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
	    a->res_buckets != b->res_buckets || a->n_group != b->n_group)
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
			    .group_type = NEXTHOP_GRP_TYPE_RES,
			    .res_buckets = 8 };
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
	nh = (RtnlNexthop){ .id = 10, .n_group = 1, .group = { { 1, 1 } }, .res_buckets = 8 };
	CHECK_EQ(rtnl_nexthop_new(m.b, sizeof(m), &nh, false), -EINVAL); /* buckets, not _RES */
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

/* ---- real kernel answers */

static void test_kernel_answers(void)
{
	const RtnlRule *rule = NULL;
	const RtnlNexthop *grp = NULL;
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
}

/* ---- malformed input */

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

static void test_bad_input(void)
{
	truncations("rule-add-full", p_rule, sizeof(struct fib_rule_hdr));
	truncations("rule-add-v6", p_rule, sizeof(struct fib_rule_hdr));
	truncations("fdb-add-vtep6", p_neigh, sizeof(struct ndmsg));
	truncations("neigh-add-v6-router", p_neigh, sizeof(struct ndmsg));
	truncations("nh-add-group", p_nexthop, sizeof(struct nhmsg));

	current_test = "bad attributes";
	/* NHA_GROUP of 12 bytes: not a whole number of struct nexthop_grp. */
	CHECK_EQ(mutated("nh-add-group", 32, 0x10, p_nexthop), -EINVAL);
	/* FRA_PRIORITY with a 2-byte payload. */
	CHECK_EQ(mutated("rule-add-v4", 28, 6, p_rule), -EINVAL);
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
}

/* ---- every builder, every buffer size below what it needs */

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
	RtnlNexthop grp = { .id = 9,
			    .n_group = 3,
			    .group = { { 1, 1 }, { 2, 2 }, { 3, 3 } },
			    .group_type = NEXTHOP_GRP_TYPE_RES,
			    .res_buckets = 16 };
	RtnlNexthop gw = {
		.id = 1, .family = AF_INET, .gateway = ip("198.18.0.2"), .oif = D0, .fdb = true
	};

	fdb.dst = ip("2001:db8::2");
	fdb.vlan = 5;
	fdb.port = 1;
	fdb.has_vni = true;
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
}

int main(int argc, char **argv)
{
	static const char *const mine[] = { "rule-",	 "neigh-",	   "fdb-",
					    "nh-",	 "reply-rules",	   "reply-neigh",
					    "reply-fdb", "reply-nexthops", NULL };

	if (argc != 2) {
		fprintf(stderr, "usage: %s VECTORS\n", argv[0]);
		return 2;
	}
	load_vectors(argv[1]);
	test_rules();
	test_neigh();
	test_nexthop();
	test_kernel_answers();
	test_bad_input();
	test_enobufs();
	vectors_check_used(mine);
	printf("rtnl-l3: all tests passed\n");
	return 0;
}
