/* Unit tests of the Watch mirror's policy-routing objects (src/ops/watch-state.c): rules keyed by
 * their whole value, nexthops by id, routes via nexthop objects, and IPv6 multipath routes as this
 * kernel announces them (a path appended: the whole route with the new path first; a path
 * deleted: a single-path delete). Messages come from the rtnl codec's builders. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "../common/check.h"
#include "ops/watch-state.h"
#include "rtnl/rtnl-nexthop.h"
#include "rtnl/rtnl-rule.h"

static uint8_t buf[8192];

typedef struct Ev {
	WStateEvent type;
	WObj o;
} Ev;

static Ev evs[32];
static size_t nevs;

static void on_event(void *userdata, WStateEvent type, const WObj *o, bool from_dump)
{
	(void)userdata;
	(void)from_dump;
	CHECK(nevs < 32);
	evs[nevs].type = type;
	memcpy(&evs[nevs].o, o, wobj_bytes(o));
	nevs++;
}

/* The message a builder wrote, retyped as the notification (RTM_DEL... for a delete). */
static const struct nlmsghdr *as(int len, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	CHECK(len > 0);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return nlh;
}

static const struct nlmsghdr *link_msg(uint32_t index, uint32_t flags)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = (int)index;
	ifi->ifi_flags = flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, index == 7 ? "u7" : "u9");
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	return nlh;
}

static RtnlIp ip(const char *s)
{
	RtnlIp r;

	CHECK_EQ(rtnl_ip_parse(s, &r), 0);
	return r;
}

static void test_rules(void)
{
	RtnlRule r = { .family = AF_INET, .has_priority = true, .priority = 1000, .table = 100 };
	RtnlRule r2 = r;
	WState st;

	wstate_init(&st, WK_RULE, on_event, NULL);
	nevs = 0;
	r.src = ip("198.18.1.0");
	r.src_len = 24;
	r.action = FR_ACT_TO_TBL;
	CHECK_EQ(wstate_apply(&st, as(rtnl_rule_new(buf, sizeof(buf), &r), RTM_NEWRULE, 0)), 0);
	CHECK_EQ(nevs, 1u);
	CHECK_EQ(evs[0].type, WSTATE_ADDED);
	CHECK_EQ(evs[0].o.kind, WK_RULE);
	CHECK_EQ(evs[0].o.u.rule.priority, 1000u);
	CHECK_EQ(evs[0].o.u.rule.table, 100u);
	/* The same rule again: nothing new. Another one at the same priority: another object
	 * (the kernel keeps both). */
	CHECK_EQ(wstate_apply(&st, as(rtnl_rule_new(buf, sizeof(buf), &r), RTM_NEWRULE, 0)), 0);
	CHECK_EQ(nevs, 1u);
	r2.action = FR_ACT_TO_TBL;
	r2.table = 200;
	CHECK_EQ(wstate_apply(&st, as(rtnl_rule_new(buf, sizeof(buf), &r2), RTM_NEWRULE, 0)), 0);
	CHECK_EQ(nevs, 2u);
	CHECK_EQ(wstate_count(&st), 2u);
	CHECK_EQ(wstate_apply(&st, as(rtnl_rule_new(buf, sizeof(buf), &r), RTM_DELRULE, 0)), 0);
	CHECK_EQ(nevs, 3u);
	CHECK_EQ(evs[2].type, WSTATE_DELETED);
	CHECK_EQ(evs[2].o.u.rule.table, 100u);
	CHECK_EQ(wstate_count(&st), 1u);
	wstate_clear(&st);
}

static void test_nexthops(void)
{
	RtnlNexthop a = { .id = 1, .family = AF_INET, .oif = 7 };
	RtnlNexthop g = { .id = 10, .n_group = 2 };
	RtnlRoute rt = { .family = AF_INET,
			 .dst_len = 24,
			 .table = RT_TABLE_MAIN,
			 .nhid = 10,
			 .protocol = RTPROT_BOOT,
			 .type = RTN_UNICAST };
	WState st;

	wstate_init(&st, WK_LINK | WK_ROUTE | WK_NEXTHOP, on_event, NULL);
	nevs = 0;
	a.gateway = ip("198.18.0.2");
	g.group[0] = (RtnlNexthopMember){ 1, 1 };
	g.group[1] = (RtnlNexthopMember){ 2, 3 };
	CHECK_EQ(wstate_apply(&st,
			      as(rtnl_nexthop_new(buf, sizeof(buf), &a, false), RTM_NEWNEXTHOP, 0)),
		 0);
	CHECK_EQ(wstate_apply(&st,
			      as(rtnl_nexthop_new(buf, sizeof(buf), &g, false), RTM_NEWNEXTHOP, 0)),
		 0);
	CHECK_EQ(nevs, 2u);
	CHECK_EQ(evs[1].o.kind, WK_NEXTHOP);
	CHECK_EQ(evs[1].o.u.nexthop.n_group, 2);
	CHECK_EQ(evs[1].o.u.nexthop.group[1].weight, 3);
	/* The object's bytes end after its members. */
	CHECK(wobj_bytes(&evs[1].o) < sizeof(WObj));
	/* A replace of nexthop 1 with another gateway: CHANGED. */
	a.gateway = ip("198.18.0.3");
	CHECK_EQ(wstate_apply(&st,
			      as(rtnl_nexthop_new(buf, sizeof(buf), &a, true), RTM_NEWNEXTHOP, 0)),
		 0);
	CHECK_EQ(nevs, 3u);
	CHECK_EQ(evs[2].type, WSTATE_CHANGED);

	/* A route via the group: the gateway the kernel adds to it in messages is not kept. */
	rt.dst = ip("198.18.50.0");
	CHECK_EQ(wstate_apply(&st,
			      as(rtnl_route_new(buf, sizeof(buf), &rt, false), RTM_NEWROUTE, 0)),
		 0);
	CHECK_EQ(nevs, 4u);
	rt.nhid = 0;
	rt.gateway = ip("198.18.0.3");
	rt.oif = 7;
	{
		/* The same route as a dump shows it: nhid plus the nexthop's gateway and oif. */
		int len = rtnl_route_new(buf, sizeof(buf), &rt, false);
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		uint32_t id = 10;
		struct rtattr *rta = (struct rtattr *)(buf + NLMSG_ALIGN(nlh->nlmsg_len));

		CHECK(len > 0);
		rta->rta_type = RTA_NH_ID;
		rta->rta_len = RTA_LENGTH(sizeof(id));
		memcpy(RTA_DATA(rta), &id, sizeof(id));
		nlh->nlmsg_len = NLMSG_ALIGN(nlh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
		CHECK_EQ(wstate_apply(&st, as(len, RTM_NEWROUTE, 0)), 0);
		CHECK_EQ(nevs, 4u); /* no CHANGED: the nexthop's details are the nexthop's */
	}

	/* Deleting member 1 changes the group and the route silently: a new dump is asked for. */
	CHECK_EQ(wstate_apply(&st, as(rtnl_nexthop_del(buf, sizeof(buf), 1), RTM_DELNEXTHOP, 0)),
		 WSTATE_REDUMP);
	CHECK_EQ(evs[nevs - 1].type, WSTATE_DELETED);
	CHECK_EQ(evs[nevs - 1].o.u.nexthop.id, 1u);
	/* An unused nexthop goes without one. */
	CHECK_EQ(wstate_apply(&st, as(rtnl_nexthop_del(buf, sizeof(buf), 99), RTM_DELNEXTHOP, 0)),
		 0);

	/* A link with a nexthop on it going down: the kernel flushes it silently. */
	a.id = 2;
	CHECK_EQ(wstate_apply(&st,
			      as(rtnl_nexthop_new(buf, sizeof(buf), &a, false), RTM_NEWNEXTHOP, 0)),
		 0);
	CHECK_EQ(wstate_apply(&st, link_msg(7, IFF_UP)), 0);
	CHECK_EQ(wstate_apply(&st, link_msg(7, 0)), WSTATE_REDUMP);
	/* Down again with nothing on it: no dump. */
	CHECK_EQ(wstate_apply(&st, link_msg(9, IFF_UP)), 0);
	CHECK_EQ(wstate_apply(&st, link_msg(9, 0)), 0);
	wstate_clear(&st);
}

/* An IPv6 multipath route on oifs 7 and 8 via gateways ::a, ::b (paths in that order). */
static int mp6(const char *const *gws, const uint32_t *oifs, size_t n)
{
	RtnlRoute rt = { .family = AF_INET6,
			 .dst_len = 64,
			 .table = RT_TABLE_MAIN,
			 .priority = 1024,
			 .protocol = RTPROT_BOOT,
			 .type = RTN_UNICAST };

	rt.dst = ip("2001:db8:51::");
	for (size_t i = 0; i < n; i++) {
		rt.paths[i].gateway = ip(gws[i]);
		rt.paths[i].ifindex = oifs[i];
		rt.paths[i].weight = 1;
	}
	rt.n_paths = (uint8_t)n;
	return rtnl_route_new(buf, sizeof(buf), &rt, false);
}

/* A single-path IPv6 route of the same destination (the kernel's per-path delete). */
static int single6(const char *gw, uint32_t oif)
{
	RtnlRoute rt = { .family = AF_INET6,
			 .dst_len = 64,
			 .table = RT_TABLE_MAIN,
			 .priority = 1024,
			 .protocol = RTPROT_BOOT,
			 .type = RTN_UNICAST,
			 .oif = oif };

	rt.dst = ip("2001:db8:51::");
	rt.gateway = ip(gw);
	return rtnl_route_new(buf, sizeof(buf), &rt, false);
}

static void check_paths(const WObj *o, const char *const *gws, size_t n)
{
	char s[INET6_ADDRSTRLEN];

	CHECK_EQ(o->kind, WK_ROUTE);
	CHECK_EQ(o->u.route.rt.n_paths, n);
	for (size_t i = 0; i < n; i++)
		CHECK_STREQ(rtnl_ip_format(&o->u.route.rt.paths[i].gateway, s, sizeof(s)), gws[i]);
}

static void test_multipath6(void)
{
	static const char *const ab[] = { "2001:db8:1::a", "2001:db8:2::b" };
	static const char *const cab[] = { "2001:db8:1::c", "2001:db8:1::a", "2001:db8:2::b" };
	static const char *const abc[] = { "2001:db8:1::a", "2001:db8:2::b", "2001:db8:1::c" };
	static const char *const ac[] = { "2001:db8:1::a", "2001:db8:1::c" };
	static const uint32_t o78[] = { 7, 8 }, o778[] = { 7, 7, 8 };
	char s[INET6_ADDRSTRLEN];
	WState st;

	wstate_init(&st, WK_ROUTE, on_event, NULL);
	nevs = 0;
	CHECK_EQ(wstate_apply(&st, as(mp6(ab, o78, 2), RTM_NEWROUTE, NLM_F_CREATE)), 0);
	CHECK_EQ(nevs, 1u);
	check_paths(&evs[0].o, ab, 2);
	/* ip -6 route append ... via ::c: the notification names c first; a dump lists it last. */
	CHECK_EQ(wstate_apply(&st, as(mp6(cab, o778, 3), RTM_NEWROUTE, NLM_F_APPEND)), 0);
	CHECK_EQ(nevs, 2u);
	CHECK_EQ(evs[1].type, WSTATE_CHANGED);
	check_paths(&evs[1].o, abc, 3);
	CHECK_EQ(wstate_count(&st), 1u);
	/* ip -6 route del ... via ::b dev 8: one path goes. */
	CHECK_EQ(wstate_apply(&st, as(single6("2001:db8:2::b", 8), RTM_DELROUTE, 0)), 0);
	CHECK_EQ(nevs, 3u);
	CHECK_EQ(evs[2].type, WSTATE_CHANGED);
	check_paths(&evs[2].o, ac, 2);
	/* And ::a: one path left is a plain route on its device, as a dump shows it. */
	CHECK_EQ(wstate_apply(&st, as(single6("2001:db8:1::a", 7), RTM_DELROUTE, 0)), 0);
	CHECK_EQ(nevs, 5u);
	CHECK_EQ(evs[3].type, WSTATE_DELETED);
	CHECK_EQ(evs[3].o.u.route.rt.n_paths, 2);
	CHECK_EQ(evs[4].type, WSTATE_ADDED);
	CHECK_EQ(evs[4].o.u.route.rt.n_paths, 0);
	CHECK_EQ(evs[4].o.u.route.rt.oif, 7u);
	CHECK_STREQ(rtnl_ip_format(&evs[4].o.u.route.rt.gateway, s, sizeof(s)), "2001:db8:1::c");
	CHECK_EQ(wstate_count(&st), 1u);
	/* Appending to the single-path route makes it multipath again: the single one is gone
	 * into it (DELETED), the multipath route ADDED with the old path first. */
	{
		static const char *const dc[] = { "2001:db8:2::d", "2001:db8:1::c" };
		static const char *const cd[] = { "2001:db8:1::c", "2001:db8:2::d" };
		static const uint32_t o87[] = { 8, 7 };

		CHECK_EQ(wstate_apply(&st, as(mp6(dc, o87, 2), RTM_NEWROUTE, NLM_F_APPEND)), 0);
		CHECK_EQ(nevs, 7u);
		CHECK_EQ(evs[5].type, WSTATE_DELETED);
		CHECK_EQ(evs[5].o.u.route.rt.oif, 7u);
		CHECK_EQ(evs[6].type, WSTATE_ADDED);
		check_paths(&evs[6].o, cd, 2);
		CHECK_EQ(wstate_count(&st), 1u);
	}
	/* The whole route deleted at once (ip -6 route del DST): DELETED. */
	{
		static const char *const cd[] = { "2001:db8:1::c", "2001:db8:2::d" };
		static const uint32_t o78b[] = { 7, 8 };

		CHECK_EQ(wstate_apply(&st, as(mp6(cd, o78b, 2), RTM_DELROUTE, 0)), 0);
		CHECK_EQ(evs[nevs - 1].type, WSTATE_DELETED);
		CHECK_EQ(wstate_count(&st), 0u);
	}
	wstate_clear(&st);
}

int main(void)
{
	test_rules();
	test_nexthops();
	test_multipath6();
	printf("watch-routing: all tests passed\n");
	return 0;
}
