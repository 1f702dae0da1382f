/* Unit tests of the rtnl codec's newer route and address options (multipath, nexthop ids, onlink,
 * metrics, route get; peer, label, lifetimes, replace): requests byte for byte against iproute2
 * 6.1's (vectors/iproute2.txt, argv[1]), round trips, real kernel answers, malformed input. */
#include "rtnl-vectors.h"

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
		    p->flags != q->flags ||
		    (p->weight ? p->weight : 1) != (q->weight ? q->weight : 1))
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

static void addr_case(const char *name, const RtnlAddr *a,
		      int (*fn)(void *, size_t, const RtnlAddr *), unsigned how)
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
	a = (RtnlAddr){
		.index = D0, .addr = ip("198.18.0.7"), .peer = ip("198.18.0.8"), .prefix_len = 32
	};
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

/* ---- real kernel answers */

static void test_kernel_answers(void)
{
	const RtnlRoute *mp = NULL, *nhr = NULL, *mtu = NULL;
	const RtnlAddr *peer = NULL;
	Seen *s;

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

static int p_route(const struct nlmsghdr *nlh, void *ret)
{
	return rtnl_route_parse(nlh, ret);
}

static void test_bad_input(void)
{
	MsgBuf m;
	RtnlRoute r;
	int n;

	truncations("route-add-multipath6", p_route, sizeof(struct rtmsg));
	truncations("route-add-mtu-src", p_route, sizeof(struct rtmsg));

	current_test = "bad attributes";
	/* The first rtnexthop claims more than RTA_MULTIPATH holds. */
	CHECK_EQ(mutated("route-add-multipath", 40, 0x40, p_route), -EINVAL);
	/* ... or less than its own header. */
	CHECK_EQ(mutated("route-add-multipath", 40, 4, p_route), -EINVAL);
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
	RtnlRoute mp = route4("198.18.10.0", 24);
	RtnlRouteGet get = {
		.dst = ip("198.18.0.2"), .src = ip("198.18.0.1"), .iif = 1, .oif = 2, .mark = 3
	};
	RtnlAddr a = { .index = D0,
		       .addr = ip("198.18.0.7"),
		       .peer = ip("198.18.0.8"),
		       .prefix_len = 32,
		       .broadcast = ip("198.18.0.255"),
		       .label = "d0:long-label",
		       .flags = IFA_F_NOPREFIXROUTE,
		       .has_lifetimes = true,
		       .valid_lft = 9 };

	mp.n_paths = 3;
	mp.mtu = 9000;
	mp.prefsrc = ip("198.18.0.1");
	mp.priority = 7;
	mp.paths[0] = (RtnlRoutePath){ .gateway = ip("198.18.0.2"), .ifindex = D0 };
	mp.paths[1] = (RtnlRoutePath){ .gateway = ip("2001:db8::2"), .ifindex = D0 };
	mp.paths[2] = (RtnlRoutePath){ .ifindex = D1 };
	sweep("enobufs route multipath", b_route, &mp);
	sweep("enobufs route get", b_route_get, &get);
	sweep("enobufs addr replace", b_addr, &a);
}

int main(int argc, char **argv)
{
	static const char *const mine[] = { "route-", "addr-", "reply-route", "reply-addrs", NULL };

	if (argc != 2) {
		fprintf(stderr, "usage: %s VECTORS\n", argv[0]);
		return 2;
	}
	load_vectors(argv[1]);
	test_routes();
	test_addrs();
	test_kernel_answers();
	test_bad_input();
	test_enobufs();
	vectors_check_used(mine);
	printf("rtnl-route: all tests passed\n");
	return 0;
}
