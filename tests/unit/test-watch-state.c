/* Unit tests of the Watch's state mirror (src/ops/watch-state.c): hand-built rtnetlink
 * notifications in, the ADDED/CHANGED/DELETED decisions, keys, the routes the kernel removes
 * silently, dump reconciliation and the snapshot order out. No kernel, no privileges. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../common/check.h"
#include "ops/watch-state.h"

/* ---- hand-built messages */

static uint8_t buf[8192];

static struct nlmsghdr *msg_start(uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return nlh;
}

static const struct nlmsghdr *link_msg(uint16_t type, uint8_t family, uint32_t index,
				       const char *name, uint32_t flags, uint32_t mtu)
{
	struct nlmsghdr *nlh = msg_start(type, 0);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));

	ifi->ifi_family = family;
	ifi->ifi_index = (int)index;
	ifi->ifi_flags = flags;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return nlh;
}

static void put_ip(struct nlmsghdr *nlh, uint16_t attr, int family, const char *s)
{
	uint8_t a[16];

	CHECK(inet_pton(family, s, a) == 1);
	mnl_attr_put(nlh, attr, family == AF_INET ? 4 : 16, a);
}

static const struct nlmsghdr *addr_msg(uint16_t type, int family, uint32_t index, const char *ip,
				       uint8_t plen, uint32_t flags)
{
	struct nlmsghdr *nlh = msg_start(type, 0);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));

	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_index = index;
	ifa->ifa_prefixlen = plen;
	put_ip(nlh, IFA_ADDRESS, family, ip);
	if (family == AF_INET)
		put_ip(nlh, IFA_LOCAL, family, ip);
	mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
	return nlh;
}

typedef struct RouteSpec {
	uint16_t type;	  /* RTM_NEWROUTE / RTM_DELROUTE */
	uint16_t nlflags; /* NLM_F_REPLACE, ... */
	int family;
	const char *dst; /* NULL: default */
	uint8_t plen;
	uint32_t oif, table, metric;
	uint8_t scope, rtm_type, tos;
	uint32_t rtm_flags;
} RouteSpec;

static const struct nlmsghdr *route_msg(RouteSpec r)
{
	struct nlmsghdr *nlh = msg_start(r.type, r.nlflags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	if (!r.table)
		r.table = RT_TABLE_MAIN;
	rtm->rtm_family = (uint8_t)r.family;
	rtm->rtm_dst_len = r.plen;
	rtm->rtm_table = r.table < 256 ? (uint8_t)r.table : RT_TABLE_UNSPEC;
	rtm->rtm_scope = r.scope;
	rtm->rtm_type = r.rtm_type ? r.rtm_type : RTN_UNICAST;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_tos = r.tos;
	rtm->rtm_flags = r.rtm_flags;
	if (r.dst)
		put_ip(nlh, RTA_DST, r.family, r.dst);
	mnl_attr_put_u32(nlh, RTA_TABLE, r.table);
	if (r.oif)
		mnl_attr_put_u32(nlh, RTA_OIF, r.oif);
	if (r.metric)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r.metric);
	return nlh;
}

/* table 0: the main table. */
#define ROUTE(...)    route_msg((RouteSpec){ .type = RTM_NEWROUTE, __VA_ARGS__ })
#define DELROUTE(...) route_msg((RouteSpec){ .type = RTM_DELROUTE, __VA_ARGS__ })

/* ---- the events a mirror reports */

typedef struct Ev {
	WStateEvent type;
	WObj o;
	bool from_dump;
} Ev;

static Ev evs[64];
static size_t nevs;

static void on_event(void *userdata, WStateEvent type, const WObj *o, bool from_dump)
{
	(void)userdata;
	CHECK(nevs < 64);
	evs[nevs] = (Ev){ .type = type, .from_dump = from_dump };
	memcpy(&evs[nevs].o, o, wobj_bytes(o)); /* a route's allocation may end before sizeof */
	nevs++;
}

static void mirror_init(WState *st, unsigned kinds)
{
	wstate_init(st, kinds, on_event, NULL);
	nevs = 0;
}

static void apply_ok(WState *st, const struct nlmsghdr *nlh)
{
	CHECK_EQ(wstate_apply(st, nlh), 0);
}

static const char *route_dst(const WObj *o, char *s, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "default";

	if (o->u.route.rt.dst.family)
		inet_ntop(o->u.route.rt.dst.family, o->u.route.rt.dst.bytes, ip, sizeof(ip));
	snprintf(s, size, "%s/%u", ip, o->u.route.rt.dst_len);
	return s;
}

/* Event i is a route event of that type for dst on oif. */
static void check_route_ev(size_t i, WStateEvent type, const char *dst, uint32_t oif)
{
	char s[64];

	CHECK(i < nevs);
	CHECK_EQ(evs[i].type, type);
	CHECK_EQ(evs[i].o.kind, WK_ROUTE);
	CHECK_STREQ(route_dst(&evs[i].o, s, sizeof(s)), dst);
	CHECK_EQ(evs[i].o.u.route.rt.oif, oif);
}

/* ---- tests */

static void test_links(void)
{
	WState st;
	const RtnlLink *l;

	current_test = "links";
	mirror_init(&st, WK_LINK);
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 2, "v0", IFF_UP, 1500));
	CHECK_EQ(nevs, 1);
	CHECK_EQ(evs[0].type, WSTATE_ADDED);
	CHECK_EQ(evs[0].o.kind, WK_LINK);
	CHECK_EQ(evs[0].o.u.link.index, 2);
	CHECK_STREQ(evs[0].o.u.link.name, "v0");
	CHECK(!evs[0].from_dump);
	CHECK_EQ(wstate_count(&st), 1);

	/* The same again (the kernel's statistics-only notifications): nothing to report. */
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 2, "v0", IFF_UP, 1500));
	CHECK_EQ(nevs, 1);

	/* A new value of the same link (keyed by ifindex, not by name). */
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 2, "v0", IFF_UP, 1400));
	CHECK_EQ(nevs, 2);
	CHECK_EQ(evs[1].type, WSTATE_CHANGED);
	CHECK_EQ(evs[1].o.u.link.mtu, 1400);
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 2, "renamed", IFF_UP, 1400));
	CHECK_EQ(nevs, 3);
	CHECK_EQ(evs[2].type, WSTATE_CHANGED);
	CHECK_EQ(wstate_count(&st), 1);
	l = wstate_link(&st, 2);
	CHECK(l);
	CHECK_STREQ(l->name, "renamed");
	CHECK_EQ(l->mtu, 1400);
	CHECK(!wstate_link(&st, 3));

	/* A bridge port message (AF_BRIDGE) is not the link itself. */
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_BRIDGE, 2, "renamed", 0, 9000));
	apply_ok(&st, link_msg(RTM_DELLINK, AF_BRIDGE, 2, "renamed", 0, 9000));
	CHECK_EQ(nevs, 3);
	CHECK_EQ(wstate_count(&st), 1);
	/* ... but its port settings are the link's: `bridge link set dev X hairpin on` is told
	 * only there. A change is CHANGED with the port's flags (nothing else taken); the same
	 * again is nothing. */
	for (int i = 0; i < 2; i++) {
		struct nlmsghdr *nlh =
			(struct nlmsghdr *)link_msg(RTM_NEWLINK, AF_BRIDGE, 2, "renamed", 0, 9000);
		struct nlattr *pi = mnl_attr_nest_start(nlh, IFLA_PROTINFO);

		mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, 1);
		mnl_attr_nest_end(nlh, pi);
		apply_ok(&st, nlh);
	}
	CHECK_EQ(nevs, 4);
	CHECK_EQ(evs[3].type, WSTATE_CHANGED);
	CHECK(evs[3].o.u.link.has_brport);
	CHECK_EQ(evs[3].o.u.link.brport.hairpin, RTNL_TRI_ON);
	CHECK_EQ(evs[3].o.u.link.mtu, 1400);
	nevs = 3;

	apply_ok(&st, link_msg(RTM_DELLINK, AF_UNSPEC, 2, "renamed", 0, 1400));
	CHECK_EQ(nevs, 4);
	CHECK_EQ(evs[3].type, WSTATE_DELETED);
	CHECK_EQ(evs[3].o.u.link.index, 2);
	CHECK_EQ(wstate_count(&st), 0);
	CHECK(!wstate_link(&st, 2));

	/* A delete of something never seen is still reported: it existed. */
	apply_ok(&st, link_msg(RTM_DELLINK, AF_UNSPEC, 7, "x", 0, 1500));
	CHECK_EQ(nevs, 5);
	CHECK_EQ(evs[4].type, WSTATE_DELETED);
	CHECK_EQ(evs[4].o.u.link.index, 7);
	CHECK_EQ(wstate_count(&st), 0);
	wstate_clear(&st);
}

static void test_kinds_and_junk(void)
{
	WState st;
	struct nlmsghdr *nlh;

	current_test = "kinds";
	mirror_init(&st, WK_LINK);
	/* Kinds the mirror does not track are ignored. */
	apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET, 2, "198.18.0.1", 24, 0));
	apply_ok(&st, ROUTE(.family = AF_INET, .dst = "198.18.0.0", .plen = 24, .oif = 2));
	CHECK_EQ(nevs, 0);
	CHECK_EQ(wstate_count(&st), 0);
	st.kinds |= WK_ADDR | WK_ROUTE;
	apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET, 2, "198.18.0.1", 24, 0));
	CHECK_EQ(nevs, 1);
	CHECK_EQ(evs[0].o.kind, WK_ADDR);

	/* Cached (cloned) routes are not routes of the table. */
	apply_ok(&st, ROUTE(.family = AF_INET, .dst = "198.18.0.9", .plen = 32, .oif = 2,
			    .rtm_flags = RTM_F_CLONED));
	CHECK_EQ(nevs, 1);
	/* Other message types, other families, truncated messages. */
	nlh = msg_start(RTM_NEWNEIGH, 0);
	mnl_nlmsg_put_extra_header(nlh, 12);
	apply_ok(&st, nlh);
	apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET6, 2, "2001:db8::1", 64, 0));
	CHECK_EQ(nevs, 2);
	nlh = (struct nlmsghdr *)addr_msg(RTM_NEWADDR, AF_INET, 2, "198.18.0.2", 24, 0);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_family = AF_PACKET;
	apply_ok(&st, nlh);
	nlh = msg_start(RTM_NEWROUTE, 0);
	apply_ok(&st, nlh); /* no rtmsg at all */
	nlh = msg_start(RTM_NEWLINK, 0);
	apply_ok(&st, nlh);
	CHECK_EQ(nevs, 2);
	CHECK_EQ(wstate_count(&st), 2);
	wstate_clear(&st);
	CHECK_EQ(wstate_count(&st), 0);
}

static void test_addresses(void)
{
	WState st;

	current_test = "addresses";
	mirror_init(&st, WK_ALL);
	apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET, 2, "198.18.0.1", 24, 0));
	CHECK_EQ(nevs, 1);
	CHECK_EQ(evs[0].type, WSTATE_ADDED);
	/* Same key (ifindex, address, prefix length), new flags: CHANGED. */
	apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET, 2, "198.18.0.1", 24, IFA_F_NOPREFIXROUTE));
	CHECK_EQ(nevs, 2);
	CHECK_EQ(evs[1].type, WSTATE_CHANGED);
	CHECK_EQ(evs[1].o.u.addr.flags, IFA_F_NOPREFIXROUTE);
	apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET, 2, "198.18.0.1", 24, IFA_F_NOPREFIXROUTE));
	CHECK_EQ(nevs, 2);
	/* Another prefix length, another link, another family: other addresses. */
	apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET, 2, "198.18.0.1", 25, 0));
	apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET, 3, "198.18.0.1", 24, 0));
	apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET6, 2, "2001:db8::1", 64, 0));
	CHECK_EQ(nevs, 5);
	for (size_t i = 2; i < 5; i++)
		CHECK_EQ(evs[i].type, WSTATE_ADDED);
	CHECK_EQ(wstate_count(&st), 4);
	apply_ok(&st, addr_msg(RTM_DELADDR, AF_INET, 2, "198.18.0.1", 24, IFA_F_NOPREFIXROUTE));
	CHECK_EQ(nevs, 6);
	CHECK_EQ(evs[5].type, WSTATE_DELETED);
	CHECK_EQ(evs[5].o.u.addr.index, 2);
	CHECK_EQ(evs[5].o.u.addr.prefix_len, 24);
	CHECK_EQ(wstate_count(&st), 3);
	wstate_clear(&st);
}

static void test_route_keys(void)
{
	WState st;

	current_test = "route-keys";
	mirror_init(&st, WK_ALL);
	/* IPv6 routes are keyed by their device as well: fe80::/64 exists once per link. */
	apply_ok(&st,
		 ROUTE(.family = AF_INET6, .dst = "fe80::", .plen = 64, .oif = 2, .metric = 256));
	apply_ok(&st,
		 ROUTE(.family = AF_INET6, .dst = "fe80::", .plen = 64, .oif = 3, .metric = 256));
	CHECK_EQ(nevs, 2);
	check_route_ev(0, WSTATE_ADDED, "fe80::/64", 2);
	check_route_ev(1, WSTATE_ADDED, "fe80::/64", 3);
	CHECK_EQ(wstate_count(&st), 2);
	apply_ok(&st, DELROUTE(.family = AF_INET6, .dst = "fe80::", .plen = 64, .oif = 3,
			       .metric = 256));
	check_route_ev(2, WSTATE_DELETED, "fe80::/64", 3);
	CHECK_EQ(wstate_count(&st), 1);

	/* IPv4 ones are not: the same destination through another device is the same route,
	 * changed (ip route replace). */
	apply_ok(&st, ROUTE(.family = AF_INET, .dst = "198.18.1.0", .plen = 24, .oif = 2));
	check_route_ev(3, WSTATE_ADDED, "198.18.1.0/24", 2);
	apply_ok(&st, ROUTE(.family = AF_INET, .dst = "198.18.1.0", .plen = 24, .oif = 3,
			    .nlflags = NLM_F_REPLACE));
	check_route_ev(4, WSTATE_CHANGED, "198.18.1.0/24", 3);
	CHECK_EQ(wstate_count(&st), 2);
	/* Metric, table, tos and type are part of the key; a default route has no RTA_DST. */
	apply_ok(&st,
		 ROUTE(.family = AF_INET, .dst = "198.18.1.0", .plen = 24, .oif = 3, .metric = 10));
	apply_ok(&st, ROUTE(.family = AF_INET, .dst = "198.18.1.0", .plen = 24, .oif = 3,
			    .table = 1000));
	apply_ok(&st,
		 ROUTE(.family = AF_INET, .dst = "198.18.1.0", .plen = 24, .oif = 3, .tos = 0x10));
	apply_ok(&st, ROUTE(.family = AF_INET, .dst = "198.18.1.0", .plen = 24,
			    .rtm_type = RTN_BLACKHOLE));
	apply_ok(&st, ROUTE(.family = AF_INET, .oif = 3));
	CHECK_EQ(nevs, 10);
	for (size_t i = 5; i < 10; i++)
		CHECK_EQ(evs[i].type, WSTATE_ADDED);
	check_route_ev(9, WSTATE_ADDED, "default/0", 3);
	CHECK_EQ(wstate_count(&st), 7);
	/* A delete names the key: the table-1000 one goes, the main one stays. */
	apply_ok(&st, DELROUTE(.family = AF_INET, .dst = "198.18.1.0", .plen = 24, .oif = 3,
			       .table = 1000));
	CHECK_EQ(nevs, 11);
	check_route_ev(10, WSTATE_DELETED, "198.18.1.0/24", 3);
	CHECK_EQ(evs[10].o.u.route.rt.table, 1000);
	CHECK_EQ(wstate_count(&st), 6);

	/* An IPv6 route replacing one on another device: the kernel does not say which, so the
	 * caller must dump; an IPv4 replace is complete as it is. */
	CHECK_EQ(wstate_apply(&st, ROUTE(.family = AF_INET6, .dst = "2001:db8:1::", .plen = 48,
					 .oif = 3, .nlflags = NLM_F_REPLACE)),
		 WSTATE_REDUMP);
	check_route_ev(11, WSTATE_ADDED, "2001:db8:1::/48", 3);
	CHECK_EQ(wstate_apply(&st, ROUTE(.family = AF_INET, .dst = "198.18.2.0", .plen = 24,
					 .oif = 3, .nlflags = NLM_F_REPLACE)),
		 0);
	CHECK_EQ(nevs, 13);
	wstate_clear(&st);
}

/* The kernel removes IPv4 routes through a link that goes down (except host-scope ones) and
 * every route through a link that goes away, without notifications. */
static void test_silent_route_removal(void)
{
	WState st;

	current_test = "silent-routes";
	mirror_init(&st, WK_ALL);
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 2, "v0", IFF_UP, 1500));
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 3, "v1", IFF_UP, 1500));
	apply_ok(&st, ROUTE(.family = AF_INET, .dst = "198.18.1.0", .plen = 24, .oif = 2,
			    .scope = RT_SCOPE_LINK));
	apply_ok(&st,
		 ROUTE(.family = AF_INET, .dst = "198.18.1.1", .plen = 32, .oif = 2,
		       .table = RT_TABLE_LOCAL, .scope = RT_SCOPE_HOST, .rtm_type = RTN_LOCAL));
	apply_ok(&st, ROUTE(.family = AF_INET6, .dst = "2001:db8::", .plen = 64, .oif = 2,
			    .metric = 256));
	apply_ok(&st, ROUTE(.family = AF_INET, .dst = "198.18.2.0", .plen = 24, .oif = 3));
	CHECK_EQ(nevs, 6);
	CHECK_EQ(wstate_count(&st), 6);
	nevs = 0;

	/* v0 goes down: the link CHANGED, then its IPv4 non-host route DELETED. */
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 2, "v0", 0, 1500));
	CHECK_EQ(nevs, 2);
	CHECK_EQ(evs[0].type, WSTATE_CHANGED);
	CHECK_EQ(evs[0].o.kind, WK_LINK);
	check_route_ev(1, WSTATE_DELETED, "198.18.1.0/24", 2);
	CHECK(!evs[1].from_dump);
	CHECK_EQ(wstate_count(&st), 5);

	/* Down again, or up: nothing more goes. */
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 2, "v0", 0, 1500));
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 2, "v0", IFF_UP, 1500));
	CHECK_EQ(nevs, 3);
	CHECK_EQ(evs[2].type, WSTATE_CHANGED);
	CHECK_EQ(wstate_count(&st), 5);

	/* v0 goes away: the link, then every route through it (in some order). */
	nevs = 0;
	apply_ok(&st, link_msg(RTM_DELLINK, AF_UNSPEC, 2, "v0", 0, 1500));
	CHECK_EQ(nevs, 3);
	CHECK_EQ(evs[0].type, WSTATE_DELETED);
	CHECK_EQ(evs[0].o.kind, WK_LINK);
	{
		bool local = false, v6 = false;
		char s[64];

		for (size_t i = 1; i < 3; i++) {
			CHECK_EQ(evs[i].type, WSTATE_DELETED);
			CHECK_EQ(evs[i].o.kind, WK_ROUTE);
			CHECK_EQ(evs[i].o.u.route.rt.oif, 2);
			route_dst(&evs[i].o, s, sizeof(s));
			local |= strcmp(s, "198.18.1.1/32") == 0;
			v6 |= strcmp(s, "2001:db8::/64") == 0;
		}
		CHECK(local && v6);
	}
	/* v1's route and v1 stay. */
	CHECK_EQ(wstate_count(&st), 2);
	CHECK(wstate_link(&st, 3));
	wstate_clear(&st);
}

static WObj parsed(const struct nlmsghdr *nlh)
{
	WObj o;

	CHECK(wobj_parse(nlh, &o));
	return o;
}

static void test_reconcile(void)
{
	WState st;
	WObj dump[4];

	current_test = "reconcile";
	mirror_init(&st, WK_ALL);
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 1, "lo", IFF_UP, 65536));
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 2, "v0", IFF_UP, 1500));
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 5, "gone", IFF_UP, 1500));
	apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET, 5, "198.18.0.1", 24, 0));
	nevs = 0;

	/* A dump of links only: lo unchanged, v0 changed, v9 new, "gone" gone; the address is
	 * of a kind the dump did not cover and stays. */
	dump[0] = parsed(link_msg(RTM_NEWLINK, AF_UNSPEC, 1, "lo", IFF_UP, 65536));
	dump[1] = parsed(link_msg(RTM_NEWLINK, AF_UNSPEC, 2, "v0", IFF_UP, 9000));
	dump[2] = parsed(link_msg(RTM_NEWLINK, AF_UNSPEC, 9, "v9", 0, 1500));
	CHECK_EQ(wstate_reconcile(&st, dump, 3, WK_LINK), 0);
	CHECK_EQ(nevs, 3);
	CHECK_EQ(evs[0].type, WSTATE_CHANGED);
	CHECK_EQ(evs[0].o.u.link.index, 2);
	CHECK_EQ(evs[0].o.u.link.mtu, 9000);
	CHECK_EQ(evs[1].type, WSTATE_ADDED);
	CHECK_EQ(evs[1].o.u.link.index, 9);
	CHECK_EQ(evs[2].type, WSTATE_DELETED);
	CHECK_EQ(evs[2].o.u.link.index, 5);
	for (size_t i = 0; i < 3; i++)
		CHECK(evs[i].from_dump);
	CHECK_EQ(wstate_count(&st), 4);
	CHECK_EQ(wstate_link(&st, 2)->mtu, 9000);

	/* The same dump again: nothing. A dump of every kind without the address: DELETED. */
	nevs = 0;
	CHECK_EQ(wstate_reconcile(&st, dump, 3, WK_LINK), 0);
	CHECK_EQ(nevs, 0);
	CHECK_EQ(wstate_reconcile(&st, dump, 3, WK_ALL), 0);
	CHECK_EQ(nevs, 1);
	CHECK_EQ(evs[0].type, WSTATE_DELETED);
	CHECK_EQ(evs[0].o.kind, WK_ADDR);
	CHECK(evs[0].from_dump);
	CHECK_EQ(wstate_count(&st), 3);

	/* Into an empty mirror (after a loss): everything ADDED, in the dump's order. */
	wstate_clear(&st);
	nevs = 0;
	dump[3] = parsed(addr_msg(RTM_NEWADDR, AF_INET6, 9, "2001:db8::9", 64, 0));
	CHECK_EQ(wstate_reconcile(&st, dump, 4, WK_ALL), 0);
	CHECK_EQ(nevs, 4);
	for (size_t i = 0; i < 4; i++) {
		CHECK_EQ(evs[i].type, WSTATE_ADDED);
		CHECK_EQ(evs[i].o.kind, dump[i].kind);
	}
	CHECK_EQ(wstate_count(&st), 4);
	wstate_clear(&st);
}

static uint8_t seen_kinds[64];
static size_t nseen, stop_after;

static bool snap_cb(void *userdata, const WObj *o)
{
	CHECK(userdata == &nseen);
	CHECK(nseen < 64);
	seen_kinds[nseen++] = o->kind;
	return nseen != stop_after;
}

static void test_snapshot(void)
{
	WState st;
	size_t links = 0, addrs = 0, routes = 0;

	current_test = "snapshot";
	mirror_init(&st, WK_ALL);
	/* Interleaved on purpose, over many objects (several hash buckets). */
	for (uint32_t i = 2; i < 12; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "198.18.%u.0", i);
		apply_ok(&st, ROUTE(.family = AF_INET, .dst = ip, .plen = 24, .oif = i));
		snprintf(ip, sizeof(ip), "198.18.%u.1", i);
		apply_ok(&st, addr_msg(RTM_NEWADDR, AF_INET, i, ip, 24, 0));
		apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, i, "v", IFF_UP, 1500));
	}
	CHECK_EQ(wstate_count(&st), 30);
	nevs = 0;

	nseen = 0;
	stop_after = 0;
	CHECK(wstate_snapshot(&st, WK_ALL, snap_cb, &nseen));
	CHECK_EQ(nseen, 30);
	for (size_t i = 0; i < nseen; i++) {
		uint8_t want = i < 10 ? WK_LINK : i < 20 ? WK_ADDR : WK_ROUTE;

		CHECK_EQ(seen_kinds[i], want);
		links += seen_kinds[i] == WK_LINK;
		addrs += seen_kinds[i] == WK_ADDR;
		routes += seen_kinds[i] == WK_ROUTE;
	}
	CHECK_EQ(links, 10);
	CHECK_EQ(addrs, 10);
	CHECK_EQ(routes, 10);

	/* Only the kinds asked for, still in order. */
	nseen = 0;
	CHECK(wstate_snapshot(&st, WK_ADDR | WK_ROUTE, snap_cb, &nseen));
	CHECK_EQ(nseen, 20);
	for (size_t i = 0; i < nseen; i++)
		CHECK_EQ(seen_kinds[i], i < 10 ? WK_ADDR : WK_ROUTE);

	/* A consumer that gives up stops it. */
	nseen = 0;
	stop_after = 12;
	CHECK(!wstate_snapshot(&st, WK_ALL, snap_cb, &nseen));
	CHECK_EQ(nseen, 12);
	/* A snapshot reports nothing through the event callback. */
	CHECK_EQ(nevs, 0);
	wstate_clear(&st);
}

/* What the stream does not report is not a change: counters, remaining lifetimes. A route
 * object keeps only the paths it has, and grows when a replacement has more. */
static void test_normalized(void)
{
	struct rtnl_link_stats64 st64 = { .rx_packets = 1 };
	struct ifa_cacheinfo ci = { .ifa_valid = 100, .ifa_prefered = 50 };
	struct nlmsghdr *nlh;
	struct rtnexthop *rtnh;
	struct nlattr *mp;
	WState st;

	current_test = "normalized";
	mirror_init(&st, WK_ALL);
	nlh = (struct nlmsghdr *)link_msg(RTM_NEWLINK, AF_UNSPEC, 7, "s0", IFF_UP, 1500);
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(st64), &st64);
	apply_ok(&st, nlh);
	CHECK_EQ(nevs, 1);
	st64.rx_packets = 99;
	nlh = (struct nlmsghdr *)link_msg(RTM_NEWLINK, AF_UNSPEC, 7, "s0", IFF_UP, 1500);
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(st64), &st64);
	apply_ok(&st, nlh);
	CHECK_EQ(nevs, 1); /* only the counters moved */

	nlh = (struct nlmsghdr *)addr_msg(RTM_NEWADDR, AF_INET, 7, "198.18.0.1", 24, 0);
	mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	apply_ok(&st, nlh);
	CHECK_EQ(nevs, 2);
	ci.ifa_valid = 90;
	ci.ifa_prefered = 40;
	nlh = (struct nlmsghdr *)addr_msg(RTM_NEWADDR, AF_INET, 7, "198.18.0.1", 24, 0);
	mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	apply_ok(&st, nlh);
	CHECK_EQ(nevs, 2); /* only the lifetimes counted down */

	/* One path, then the same route with three: CHANGED, and all three are kept. */
	for (int paths = 1; paths <= 3; paths += 2) {
		nlh = (struct nlmsghdr *)ROUTE(.family = AF_INET, .dst = "198.19.0.0", .plen = 16);
		mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
		for (int i = 0; i < paths; i++) {
			rtnh = mnl_nlmsg_get_payload_tail(nlh);
			memset(rtnh, 0, sizeof(*rtnh));
			rtnh->rtnh_len = sizeof(*rtnh);
			rtnh->rtnh_ifindex = 7 + i;
			nlh->nlmsg_len += MNL_ALIGN(sizeof(*rtnh));
		}
		mnl_attr_nest_end(nlh, mp);
		apply_ok(&st, nlh);
	}
	CHECK_EQ(nevs, 4);
	CHECK_EQ(evs[2].type, WSTATE_ADDED);
	CHECK_EQ(evs[2].o.u.route.rt.n_paths, 1);
	CHECK_EQ(evs[3].type, WSTATE_CHANGED);
	CHECK_EQ(evs[3].o.u.route.rt.n_paths, 3);
	CHECK_EQ(evs[3].o.u.route.rt.paths[2].ifindex, 9);
	CHECK(wobj_bytes(&evs[2].o) < wobj_bytes(&evs[3].o));
	CHECK(wobj_bytes(&evs[2].o) < sizeof(WObj) / 2);
	wstate_clear(&st);
}

/* qdiscs: built with the tc codec (a request parses as the kernel's notification does): keyed
 * by (link, handle, parent), options compared, counters not; a deleted link takes its qdiscs;
 * a mirror without WK_QDISC ignores them. */
static const struct nlmsghdr *qdisc_msg(uint16_t type, uint32_t index, uint32_t handle,
					uint32_t parent, uint64_t rate)
{
	RtnlQdisc q = { .ifindex = index,
			.handle = handle,
			.parent = parent,
			.kind = RTNL_QDISC_TBF,
			.tbf = { .rate = rate, .burst = 4096, .latency_us = 50000 } };
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

	memset(buf, 0, sizeof(buf));
	CHECK(rtnl_qdisc_new(buf, sizeof(buf), &q, RTNL_TC_ADD, NULL) > 0);
	nlh->nlmsg_type = type;
	return nlh;
}

static void test_qdiscs(void)
{
	WState st;

	current_test = "qdiscs";
	mirror_init(&st, WK_LINK | WK_ADDR | WK_ROUTE);
	apply_ok(&st, qdisc_msg(RTM_NEWQDISC, 3, 0x10000, TC_H_ROOT, 1000000));
	CHECK_EQ(nevs, 0);
	CHECK_EQ(wstate_count(&st), 0);

	mirror_init(&st, WK_LINK | WK_QDISC);
	apply_ok(&st, link_msg(RTM_NEWLINK, AF_UNSPEC, 3, "v0", IFF_UP, 1500));
	nevs = 0;
	apply_ok(&st, qdisc_msg(RTM_NEWQDISC, 3, 0x10000, TC_H_ROOT, 1000000));
	CHECK_EQ(nevs, 1);
	CHECK_EQ(evs[0].type, WSTATE_ADDED);
	CHECK_EQ(evs[0].o.kind, WK_QDISC);
	CHECK_EQ(evs[0].o.u.qdisc.ifindex, 3);
	CHECK_EQ(evs[0].o.u.qdisc.tbf.rate, 1000000);
	apply_ok(&st, qdisc_msg(RTM_NEWQDISC, 3, 0x10000, TC_H_ROOT, 1000000));
	CHECK_EQ(nevs, 1); /* the same again */
	apply_ok(&st, qdisc_msg(RTM_NEWQDISC, 3, 0x10000, TC_H_ROOT, 500000));
	CHECK_EQ(nevs, 2);
	CHECK_EQ(evs[1].type, WSTATE_CHANGED);
	CHECK_EQ(evs[1].o.u.qdisc.tbf.rate, 500000);
	/* another parent, another link: other objects */
	apply_ok(&st, qdisc_msg(RTM_NEWQDISC, 3, 0x20000, 0x10001, 1000000));
	apply_ok(&st, qdisc_msg(RTM_NEWQDISC, 4, 0x10000, TC_H_ROOT, 1000000));
	CHECK_EQ(nevs, 4);
	CHECK_EQ(wstate_count(&st), 4);
	apply_ok(&st, qdisc_msg(RTM_DELQDISC, 4, 0x10000, TC_H_ROOT, 1000000));
	CHECK_EQ(nevs, 5);
	CHECK_EQ(evs[4].type, WSTATE_DELETED);
	CHECK_EQ(evs[4].o.u.qdisc.ifindex, 4);
	/* v0 goes away with its two qdiscs, unannounced by the kernel */
	apply_ok(&st, link_msg(RTM_DELLINK, AF_UNSPEC, 3, "v0", 0, 1500));
	CHECK_EQ(nevs, 8);
	for (size_t i = 6; i < 8; i++) {
		CHECK_EQ(evs[i].type, WSTATE_DELETED);
		CHECK_EQ(evs[i].o.kind, WK_QDISC);
		CHECK_EQ(evs[i].o.u.qdisc.ifindex, 3);
	}
	CHECK_EQ(wstate_count(&st), 0);
	wstate_clear(&st);
}

int main(void)
{
	test_normalized();
	test_links();
	test_kinds_and_junk();
	test_addresses();
	test_route_keys();
	test_silent_route_removal();
	test_reconcile();
	test_snapshot();
	test_qdiscs();
	printf("watch-state: all tests passed\n");
	return 0;
}
