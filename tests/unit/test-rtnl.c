/* Unit tests of the rtnl codec: requests are decoded back with libmnl's own parser, replies are
 * hand-built with libmnl, and every builder is run against every too-small buffer size.
 * "test-rtnl --write-corpus DIR" writes the messages used here as seeds for the fuzzer. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../common/check.h"
#include "core/names.h"
#include "rtnl/rtnl.h"

/* Message buffers must be aligned like a recv buffer. */
typedef union {
	struct nlmsghdr nlh;
	uint8_t b[4096];
} MsgBuf;

/* ---- decoding requests with libmnl (an independent parser from the codec's). */

#define TB_MAX 64

typedef struct Tb {
	const struct nlattr *a[TB_MAX];
	int count[TB_MAX];
} Tb;

static int tb_cb(const struct nlattr *attr, void *data)
{
	Tb *t = data;
	uint16_t type = mnl_attr_get_type(attr);

	CHECK(type < TB_MAX);
	t->a[type] = attr;
	t->count[type]++;
	return MNL_CB_OK;
}

/* Attributes must tile [p, p + len) exactly: no stray bytes, nothing overrunning. */
static void check_tiling(const void *p, size_t len)
{
	const struct nlattr *attr;
	size_t seen = 0;

	mnl_attr_for_each_payload(p, len) seen =
		(const uint8_t *)attr - (const uint8_t *)p + MNL_ALIGN(attr->nla_len);
	CHECK_EQ(seen, len);
}

static void tb_payload(Tb *t, const void *p, size_t len)
{
	memset(t, 0, sizeof(*t));
	check_tiling(p, len);
	CHECK(mnl_attr_parse_payload(p, len, tb_cb, t) == MNL_CB_OK);
}

static void tb_msg(Tb *t, const struct nlmsghdr *nlh, size_t hdr_len)
{
	size_t off = MNL_ALIGN(hdr_len);

	CHECK(mnl_nlmsg_get_payload_len(nlh) >= off);
	tb_payload(t, (const uint8_t *)mnl_nlmsg_get_payload(nlh) + off,
		   mnl_nlmsg_get_payload_len(nlh) - off);
}

static void tb_nested(Tb *t, const struct nlattr *attr)
{
	tb_payload(t, mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr));
}

static const struct nlattr *tb_get(const Tb *t, uint16_t type)
{
	CHECK(type < TB_MAX);
	if (t->count[type] != 1) {
		fprintf(stderr, "[%s] attribute %u present %d times, wanted once\n", current_test,
			type, t->count[type]);
		exit(1);
	}
	return t->a[type];
}

static uint32_t tb_u32(const Tb *t, uint16_t type)
{
	const struct nlattr *a = tb_get(t, type);

	CHECK_EQ(mnl_attr_get_payload_len(a), 4);
	return mnl_attr_get_u32(a);
}

static const char *tb_str(const Tb *t, uint16_t type)
{
	const struct nlattr *a = tb_get(t, type);

	CHECK(mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0);
	return mnl_attr_get_str(a);
}

static void tb_bytes(const Tb *t, uint16_t type, const void *want, size_t len)
{
	const struct nlattr *a = tb_get(t, type);

	CHECK_EQ(mnl_attr_get_payload_len(a), len);
	CHECK(memcmp(mnl_attr_get_payload(a), want, len) == 0);
}

static void tb_absent(const Tb *t, uint16_t type)
{
	CHECK(type < TB_MAX);
	if (t->count[type]) {
		fprintf(stderr, "[%s] attribute %u present, wanted absent\n", current_test, type);
		exit(1);
	}
}

/* Header checks every request shares; returns the message. */
static const struct nlmsghdr *check_req(const MsgBuf *m, int n, uint16_t type, uint16_t flags)
{
	const struct nlmsghdr *nlh = &m->nlh;

	CHECK(n > 0);
	CHECK_EQ(nlh->nlmsg_len, n);
	CHECK_EQ(n % 4, 0);
	CHECK_EQ(nlh->nlmsg_type, type);
	CHECK_EQ(nlh->nlmsg_flags, flags);
	CHECK_EQ(nlh->nlmsg_seq, 0);
	CHECK_EQ(nlh->nlmsg_pid, 0);
	return nlh;
}

static RtnlIp ip(const char *s)
{
	RtnlIp r;

	if (rtnl_ip_parse(s, &r) < 0) {
		fprintf(stderr, "[%s] bad test address %s\n", current_test, s);
		exit(1);
	}
	return r;
}

/* Field by field: the structs have padding that memcmp() would compare too. */
static bool ip_eq(const RtnlIp *a, const RtnlIp *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

static bool addr_eq(const RtnlAddr *a, const RtnlAddr *b)
{
	return a->index == b->index && ip_eq(&a->addr, &b->addr) &&
	       a->prefix_len == b->prefix_len && a->scope == b->scope && a->flags == b->flags &&
	       ip_eq(&a->broadcast, &b->broadcast);
}

static bool route_eq(const RtnlRoute *a, const RtnlRoute *b)
{
	return a->family == b->family && ip_eq(&a->dst, &b->dst) && a->dst_len == b->dst_len &&
	       ip_eq(&a->gateway, &b->gateway) && ip_eq(&a->prefsrc, &b->prefsrc) &&
	       a->oif == b->oif && a->table == b->table && a->priority == b->priority &&
	       a->scope == b->scope && a->protocol == b->protocol && a->type == b->type;
}

static const uint8_t test_mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };

#define REQ  (NLM_F_REQUEST | NLM_F_ACK)
#define DUMP (NLM_F_REQUEST | NLM_F_DUMP)

/* ---- request builders. */

static RtnlLinkSpec veth_spec(void)
{
	return (RtnlLinkSpec){
		.name = "veth0",
		.kind = RTNL_KIND_VETH,
		.ns_fd = 5,
		.mtu = 1400,
		.has_mac = true,
		.mac = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 },
		.has_group = true,
		.group = 9,
		.master_index = 3,
		.veth = { .peer_name = "veth0-peer-123", .peer_ns_fd = 7 },
	};
}

static void test_link_new_veth(void)
{
	RtnlLinkSpec s = veth_spec();
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifm;
	const struct nlattr *peer;
	Tb t, info, data, pt;
	MsgBuf m;
	int n;

	current_test = "link_new veth";
	n = rtnl_link_new(m.b, sizeof(m), &s);
	nlh = check_req(&m, n, RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ifm->ifi_family, AF_UNSPEC);
	CHECK_EQ(ifm->ifi_index, 0);
	CHECK_EQ(ifm->ifi_flags, 0);
	CHECK_EQ(ifm->ifi_change, 0);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_STREQ(tb_str(&t, IFLA_IFNAME), "veth0");
	CHECK_EQ(tb_u32(&t, IFLA_MTU), 1400);
	tb_bytes(&t, IFLA_ADDRESS, test_mac, 6);
	CHECK_EQ(tb_u32(&t, IFLA_GROUP), 9);
	CHECK_EQ(tb_u32(&t, IFLA_MASTER), 3);
	CHECK_EQ(tb_u32(&t, IFLA_NET_NS_FD), 5);
	tb_absent(&t, IFLA_LINK);

	tb_nested(&info, tb_get(&t, IFLA_LINKINFO));
	CHECK_STREQ(tb_str(&info, IFLA_INFO_KIND), "veth");
	tb_nested(&data, tb_get(&info, IFLA_INFO_DATA));
	peer = tb_get(&data, VETH_INFO_PEER);
	/* The peer nest is an ifinfomsg followed by the peer's own attributes. */
	CHECK(mnl_attr_get_payload_len(peer) >= sizeof(struct ifinfomsg));
	ifm = mnl_attr_get_payload(peer);
	CHECK_EQ(ifm->ifi_index, 0);
	CHECK_EQ(ifm->ifi_flags, 0);
	tb_payload(&pt, (const uint8_t *)ifm + sizeof(*ifm),
		   mnl_attr_get_payload_len(peer) - sizeof(*ifm));
	CHECK_STREQ(tb_str(&pt, IFLA_IFNAME), "veth0-peer-123");
	CHECK_EQ(tb_u32(&pt, IFLA_NET_NS_FD), 7);

	/* No namespace fds, no optional attributes. */
	s = (RtnlLinkSpec){ .name = "v",
			    .kind = RTNL_KIND_VETH,
			    .ns_fd = -1,
			    .veth = { .peer_name = "w", .peer_ns_fd = -1 } };
	n = rtnl_link_new(m.b, sizeof(m), &s);
	nlh = check_req(&m, n, RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_STREQ(tb_str(&t, IFLA_IFNAME), "v");
	tb_absent(&t, IFLA_NET_NS_FD);
	tb_absent(&t, IFLA_MTU);
	tb_absent(&t, IFLA_ADDRESS);
	tb_absent(&t, IFLA_GROUP);
	tb_absent(&t, IFLA_MASTER);
	tb_nested(&info, tb_get(&t, IFLA_LINKINFO));
	tb_nested(&data, tb_get(&info, IFLA_INFO_DATA));
	peer = tb_get(&data, VETH_INFO_PEER);
	tb_payload(&pt, (const uint8_t *)mnl_attr_get_payload(peer) + sizeof(struct ifinfomsg),
		   mnl_attr_get_payload_len(peer) - sizeof(struct ifinfomsg));
	CHECK_STREQ(tb_str(&pt, IFLA_IFNAME), "w");
	tb_absent(&pt, IFLA_NET_NS_FD);

	/* ns fd 0 is a valid fd. */
	s.ns_fd = 0;
	s.veth.peer_ns_fd = 0;
	n = rtnl_link_new(m.b, sizeof(m), &s);
	tb_msg(&t, check_req(&m, n, RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL), sizeof(*ifm));
	CHECK_EQ(tb_u32(&t, IFLA_NET_NS_FD), 0);

	/* Invalid specs. */
	s = veth_spec();
	s.veth.peer_name = NULL;
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
	s.veth.peer_name = "bad/name";
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
	s.veth.peer_name = "0123456789abcdef";
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
	s = veth_spec();
	s.name = NULL;
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
	s.name = "0123456789abcdef";
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
	s.name = "";
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
	s = veth_spec();
	s.kind = (RtnlKind)42;
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), NULL), -EINVAL);
	/* A 15-byte name is the longest that fits IFNAMSIZ. */
	s = veth_spec();
	s.name = "0123456789abcde";
	CHECK(rtnl_link_new(m.b, sizeof(m), &s) > 0);
}

static RtnlLinkSpec vxlan_spec(void)
{
	return (RtnlLinkSpec){
		.name = "vx42",
		.kind = RTNL_KIND_VXLAN,
		.ns_fd = -1,
		.up = true,
		.vxlan = { .vni = 42,
			   .port = 4789,
			   .local = ip("198.18.0.1"),
			   .remote = ip("198.18.0.2"),
			   .dev_index = 4 },
	};
}

static void test_link_new_vxlan(void)
{
	RtnlLinkSpec s = vxlan_spec();
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifm;
	uint16_t port = htons(4789);
	RtnlIp a;
	Tb t, info, data;
	MsgBuf m;
	int n;

	current_test = "link_new vxlan";
	n = rtnl_link_new(m.b, sizeof(m), &s);
	nlh = check_req(&m, n, RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ifm->ifi_flags, IFF_UP);
	CHECK_EQ(ifm->ifi_change, IFF_UP);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_STREQ(tb_str(&t, IFLA_IFNAME), "vx42");
	tb_nested(&info, tb_get(&t, IFLA_LINKINFO));
	CHECK_STREQ(tb_str(&info, IFLA_INFO_KIND), "vxlan");
	tb_nested(&data, tb_get(&info, IFLA_INFO_DATA));
	CHECK_EQ(tb_u32(&data, IFLA_VXLAN_ID), 42);
	tb_bytes(&data, IFLA_VXLAN_PORT, &port, 2);
	a = ip("198.18.0.1");
	tb_bytes(&data, IFLA_VXLAN_LOCAL, &a.v4, 4);
	a = ip("198.18.0.2");
	tb_bytes(&data, IFLA_VXLAN_GROUP, &a.v4, 4);
	CHECK_EQ(tb_u32(&data, IFLA_VXLAN_LINK), 4);
	tb_absent(&data, IFLA_VXLAN_LOCAL6);
	tb_absent(&data, IFLA_VXLAN_GROUP6);

	/* IPv6, group instead of remote, no port, no device. */
	s.vxlan = (typeof(s.vxlan)){ .vni = 0xffffff,
				     .local = ip("2001:db8::1"),
				     .group = ip("ff05::100") };
	n = rtnl_link_new(m.b, sizeof(m), &s);
	tb_msg(&t, check_req(&m, n, RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL), sizeof(*ifm));
	tb_nested(&info, tb_get(&t, IFLA_LINKINFO));
	tb_nested(&data, tb_get(&info, IFLA_INFO_DATA));
	CHECK_EQ(tb_u32(&data, IFLA_VXLAN_ID), 0xffffff);
	tb_absent(&data, IFLA_VXLAN_PORT);
	tb_absent(&data, IFLA_VXLAN_LINK);
	tb_absent(&data, IFLA_VXLAN_LOCAL);
	tb_absent(&data, IFLA_VXLAN_GROUP);
	a = ip("2001:db8::1");
	tb_bytes(&data, IFLA_VXLAN_LOCAL6, &a.v6, 16);
	a = ip("ff05::100");
	tb_bytes(&data, IFLA_VXLAN_GROUP6, &a.v6, 16);

	/* Bare vxlan: only the id. */
	s.vxlan = (typeof(s.vxlan)){ .vni = 7 };
	n = rtnl_link_new(m.b, sizeof(m), &s);
	tb_msg(&t, check_req(&m, n, RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL), sizeof(*ifm));
	tb_nested(&info, tb_get(&t, IFLA_LINKINFO));
	tb_nested(&data, tb_get(&info, IFLA_INFO_DATA));
	CHECK_EQ(tb_u32(&data, IFLA_VXLAN_ID), 7);
	for (uint16_t type = IFLA_VXLAN_ID + 1; type < TB_MAX; type++)
		tb_absent(&data, type);

	/* Invalid: vni beyond 24 bits, remote and group both, families that differ or unknown. */
	s = vxlan_spec();
	s.vxlan.vni = 1u << 24;
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
	s = vxlan_spec();
	s.vxlan.group = ip("239.1.1.1");
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
	s = vxlan_spec();
	s.vxlan.remote = ip("2001:db8::2");
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
	s = vxlan_spec();
	s.vxlan.local.family = 7;
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
}

static void test_link_new_others(void)
{
	static const struct {
		RtnlKind kind;
		const char *name;
	} kinds[] = {
		{ RTNL_KIND_BRIDGE, "bridge" },
		{ RTNL_KIND_IFB, "ifb" },
		{ RTNL_KIND_DUMMY, "dummy" },
	};
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifm;
	RtnlLinkSpec s;
	Tb t, info, data;
	MsgBuf m;
	int n;

	current_test = "link_new bridge/ifb/dummy";
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		s = (RtnlLinkSpec){ .name = "x0", .kind = kinds[i].kind, .ns_fd = -1, .up = true };
		n = rtnl_link_new(m.b, sizeof(m), &s);
		nlh = check_req(&m, n, RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL);
		ifm = mnl_nlmsg_get_payload(nlh);
		CHECK_EQ(ifm->ifi_flags, IFF_UP);
		CHECK_EQ(ifm->ifi_change, IFF_UP);
		tb_msg(&t, nlh, sizeof(*ifm));
		tb_nested(&info, tb_get(&t, IFLA_LINKINFO));
		CHECK_STREQ(tb_str(&info, IFLA_INFO_KIND), kinds[i].name);
		tb_absent(&info, IFLA_INFO_DATA);
	}

	current_test = "link_new macvlan";
	s = (RtnlLinkSpec){ .name = "mv0",
			    .kind = RTNL_KIND_MACVLAN,
			    .ns_fd = 3,
			    .macvlan = { .parent_index = 2, .mode = MACVLAN_MODE_BRIDGE } };
	n = rtnl_link_new(m.b, sizeof(m), &s);
	nlh = check_req(&m, n, RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL);
	tb_msg(&t, nlh, sizeof(struct ifinfomsg));
	CHECK_EQ(tb_u32(&t, IFLA_LINK), 2);
	CHECK_EQ(tb_u32(&t, IFLA_NET_NS_FD), 3);
	tb_nested(&info, tb_get(&t, IFLA_LINKINFO));
	CHECK_STREQ(tb_str(&info, IFLA_INFO_KIND), "macvlan");
	tb_nested(&data, tb_get(&info, IFLA_INFO_DATA));
	CHECK_EQ(tb_u32(&data, IFLA_MACVLAN_MODE), MACVLAN_MODE_BRIDGE);

	s.macvlan.mode = 0;
	n = rtnl_link_new(m.b, sizeof(m), &s);
	tb_msg(&t, check_req(&m, n, RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL),
	       sizeof(struct ifinfomsg));
	CHECK_EQ(tb_u32(&t, IFLA_LINK), 2);
	tb_nested(&info, tb_get(&t, IFLA_LINKINFO));
	tb_absent(&info, IFLA_INFO_DATA);

	s.macvlan.parent_index = 0;
	CHECK_EQ(rtnl_link_new(m.b, sizeof(m), &s), -EINVAL);
}

static RtnlLinkChange full_change(void)
{
	return (RtnlLinkChange){
		.index = 5,
		.up = 1,
		.has_mtu = true,
		.mtu = 9000,
		.has_mac = true,
		.mac = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 },
		.has_master = true,
		.master_index = 0,
		.new_name = "eth1",
		.has_group = true,
		.group = 77,
		.ns_fd = 3,
	};
}

static void test_link_set(void)
{
	RtnlLinkChange c = full_change();
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifm;
	MsgBuf m;
	Tb t;
	int n;

	current_test = "link_set";
	n = rtnl_link_set(m.b, sizeof(m), &c);
	nlh = check_req(&m, n, RTM_NEWLINK, REQ);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ifm->ifi_index, 5);
	CHECK_EQ(ifm->ifi_flags, IFF_UP);
	CHECK_EQ(ifm->ifi_change, IFF_UP);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_STREQ(tb_str(&t, IFLA_IFNAME), "eth1");
	CHECK_EQ(tb_u32(&t, IFLA_MTU), 9000);
	tb_bytes(&t, IFLA_ADDRESS, test_mac, 6);
	CHECK_EQ(tb_u32(&t, IFLA_MASTER), 0);
	CHECK_EQ(tb_u32(&t, IFLA_GROUP), 77);
	CHECK_EQ(tb_u32(&t, IFLA_NET_NS_FD), 3);
	tb_absent(&t, IFLA_LINKINFO);

	/* By name, down, nothing else. */
	c = (RtnlLinkChange){ .name = "veth0", .up = 0, .ns_fd = -1 };
	n = rtnl_link_set(m.b, sizeof(m), &c);
	nlh = check_req(&m, n, RTM_NEWLINK, REQ);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ifm->ifi_index, 0);
	CHECK_EQ(ifm->ifi_flags, 0);
	CHECK_EQ(ifm->ifi_change, IFF_UP);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_STREQ(tb_str(&t, IFLA_IFNAME), "veth0");
	tb_absent(&t, IFLA_MTU);
	tb_absent(&t, IFLA_MASTER);
	tb_absent(&t, IFLA_NET_NS_FD);

	/* By index, flags left alone; a name next to an index is not sent (it would rename). */
	c = (RtnlLinkChange){ .index = 9, .name = "ignored", .up = -1, .ns_fd = -1 };
	n = rtnl_link_set(m.b, sizeof(m), &c);
	nlh = check_req(&m, n, RTM_NEWLINK, REQ);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ifm->ifi_index, 9);
	CHECK_EQ(ifm->ifi_change, 0);
	CHECK_EQ(n, NLMSG_HDRLEN + sizeof(*ifm));

	/* Invalid. */
	c = (RtnlLinkChange){ .name = "veth0", .new_name = "veth1", .up = -1, .ns_fd = -1 };
	CHECK_EQ(rtnl_link_set(m.b, sizeof(m), &c), -EINVAL);
	c = (RtnlLinkChange){ .up = -1, .ns_fd = -1 };
	CHECK_EQ(rtnl_link_set(m.b, sizeof(m), &c), -EINVAL);
	c = (RtnlLinkChange){ .index = 1, .new_name = "a:b", .up = -1, .ns_fd = -1 };
	CHECK_EQ(rtnl_link_set(m.b, sizeof(m), &c), -EINVAL);
	c = (RtnlLinkChange){ .index = 1, .up = 2, .ns_fd = -1 };
	CHECK_EQ(rtnl_link_set(m.b, sizeof(m), &c), -EINVAL);
	CHECK_EQ(rtnl_link_set(m.b, sizeof(m), NULL), -EINVAL);
}

static void test_link_del_get_dump(void)
{
	const struct nlmsghdr *nlh;
	const struct ifinfomsg *ifm;
	MsgBuf m;
	Tb t, info;
	int n;

	current_test = "link_del";
	n = rtnl_link_del(m.b, sizeof(m), 12, NULL);
	nlh = check_req(&m, n, RTM_DELLINK, REQ);
	ifm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ifm->ifi_index, 12);
	CHECK_EQ(n, NLMSG_HDRLEN + sizeof(*ifm));
	n = rtnl_link_del(m.b, sizeof(m), 0, "veth0");
	nlh = check_req(&m, n, RTM_DELLINK, REQ);
	CHECK_EQ(((const struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 0);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_STREQ(tb_str(&t, IFLA_IFNAME), "veth0");
	CHECK_EQ(rtnl_link_del(m.b, sizeof(m), 0, NULL), -EINVAL);
	CHECK_EQ(rtnl_link_del(m.b, sizeof(m), 0, ".."), -EINVAL);

	current_test = "link_del_group";
	n = rtnl_link_del_group(m.b, sizeof(m), 4242);
	nlh = check_req(&m, n, RTM_DELLINK, REQ);
	CHECK_EQ(((const struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 0);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_EQ(tb_u32(&t, IFLA_GROUP), 4242);
	tb_absent(&t, IFLA_IFNAME);
	CHECK_EQ(rtnl_link_del_group(m.b, sizeof(m), 0), -EINVAL);

	current_test = "link_get";
	n = rtnl_link_get(m.b, sizeof(m), 3, NULL);
	nlh = check_req(&m, n, RTM_GETLINK, REQ);
	CHECK_EQ(((const struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index, 3);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_EQ(tb_u32(&t, IFLA_EXT_MASK), RTEXT_FILTER_SKIP_STATS);
	tb_absent(&t, IFLA_IFNAME);
	n = rtnl_link_get(m.b, sizeof(m), 0, "lo");
	nlh = check_req(&m, n, RTM_GETLINK, REQ);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_STREQ(tb_str(&t, IFLA_IFNAME), "lo");
	CHECK_EQ(tb_u32(&t, IFLA_EXT_MASK), RTEXT_FILTER_SKIP_STATS);
	CHECK_EQ(rtnl_link_get(m.b, sizeof(m), 0, NULL), -EINVAL);

	current_test = "link_dump";
	n = rtnl_link_dump(m.b, sizeof(m), 0, NULL);
	nlh = check_req(&m, n, RTM_GETLINK, DUMP);
	ifm = mnl_nlmsg_get_payload(nlh);
	/* Strict checking rejects a dump whose header has anything but the family set. */
	CHECK_EQ(ifm->ifi_index, 0);
	CHECK_EQ(ifm->ifi_flags, 0);
	CHECK_EQ(ifm->ifi_change, 0);
	CHECK_EQ(ifm->ifi_type, 0);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_EQ(tb_u32(&t, IFLA_EXT_MASK), RTEXT_FILTER_SKIP_STATS);
	tb_absent(&t, IFLA_MASTER);
	tb_absent(&t, IFLA_LINKINFO);
	n = rtnl_link_dump(m.b, sizeof(m), 0, "");
	tb_msg(&t, check_req(&m, n, RTM_GETLINK, DUMP), sizeof(*ifm));
	tb_absent(&t, IFLA_LINKINFO);
	n = rtnl_link_dump(m.b, sizeof(m), 8, "veth");
	nlh = check_req(&m, n, RTM_GETLINK, DUMP);
	tb_msg(&t, nlh, sizeof(*ifm));
	CHECK_EQ(tb_u32(&t, IFLA_MASTER), 8);
	tb_nested(&info, tb_get(&t, IFLA_LINKINFO));
	CHECK_STREQ(tb_str(&info, IFLA_INFO_KIND), "veth");
	CHECK_EQ(rtnl_link_dump(m.b, sizeof(m), 0, "0123456789abcdef0123456789abcdef"), -EINVAL);
}

static RtnlAddr v4_addr(void)
{
	return (RtnlAddr){ .index = 4,
			   .addr = ip("198.18.1.10"),
			   .prefix_len = 24,
			   .scope = RT_SCOPE_UNIVERSE,
			   .flags = IFA_F_NODAD | IFA_F_NOPREFIXROUTE,
			   .broadcast = ip("198.18.1.255") };
}

static RtnlAddr v6_addr(void)
{
	return (RtnlAddr){
		.index = 4, .addr = ip("2001:db8::10"), .prefix_len = 64, .scope = RT_SCOPE_LINK
	};
}

static void test_addr(void)
{
	const struct nlmsghdr *nlh;
	const struct ifaddrmsg *ifa;
	RtnlAddr a = v4_addr();
	RtnlIp x;
	MsgBuf m;
	Tb t;
	int n;

	current_test = "addr_new v4";
	n = rtnl_addr_new(m.b, sizeof(m), &a);
	nlh = check_req(&m, n, RTM_NEWADDR, REQ | NLM_F_CREATE | NLM_F_EXCL);
	ifa = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ifa->ifa_family, AF_INET);
	CHECK_EQ(ifa->ifa_prefixlen, 24);
	CHECK_EQ(ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	CHECK_EQ(ifa->ifa_index, 4);
	CHECK_EQ(ifa->ifa_flags, IFA_F_NODAD);
	tb_msg(&t, nlh, sizeof(*ifa));
	tb_bytes(&t, IFA_LOCAL, &a.addr.v4, 4);
	tb_bytes(&t, IFA_ADDRESS, &a.addr.v4, 4);
	tb_bytes(&t, IFA_BROADCAST, &a.broadcast.v4, 4);
	CHECK_EQ(tb_u32(&t, IFA_FLAGS), IFA_F_NODAD | IFA_F_NOPREFIXROUTE);

	current_test = "addr_new v6";
	a = v6_addr();
	n = rtnl_addr_new(m.b, sizeof(m), &a);
	nlh = check_req(&m, n, RTM_NEWADDR, REQ | NLM_F_CREATE | NLM_F_EXCL);
	ifa = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ifa->ifa_family, AF_INET6);
	CHECK_EQ(ifa->ifa_prefixlen, 64);
	CHECK_EQ(ifa->ifa_scope, RT_SCOPE_LINK);
	CHECK_EQ(ifa->ifa_flags, 0);
	tb_msg(&t, nlh, sizeof(*ifa));
	x = ip("2001:db8::10");
	tb_bytes(&t, IFA_LOCAL, &x.v6, 16);
	tb_bytes(&t, IFA_ADDRESS, &x.v6, 16);
	tb_absent(&t, IFA_FLAGS);
	tb_absent(&t, IFA_BROADCAST);

	current_test = "addr_del";
	a = v4_addr();
	n = rtnl_addr_del(m.b, sizeof(m), &a);
	nlh = check_req(&m, n, RTM_DELADDR, REQ);
	ifa = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ifa->ifa_prefixlen, 24);
	CHECK_EQ(ifa->ifa_index, 4);
	tb_msg(&t, nlh, sizeof(*ifa));
	tb_bytes(&t, IFA_LOCAL, &a.addr.v4, 4);
	tb_bytes(&t, IFA_ADDRESS, &a.addr.v4, 4);
	tb_absent(&t, IFA_FLAGS);
	tb_absent(&t, IFA_BROADCAST);

	current_test = "addr_dump";
	n = rtnl_addr_dump(m.b, sizeof(m), AF_INET6, 3);
	nlh = check_req(&m, n, RTM_GETADDR, DUMP);
	ifa = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(ifa->ifa_family, AF_INET6);
	CHECK_EQ(ifa->ifa_index, 3);
	CHECK_EQ(ifa->ifa_prefixlen, 0);
	CHECK_EQ(ifa->ifa_flags, 0);
	CHECK_EQ(ifa->ifa_scope, 0);
	CHECK_EQ(n, NLMSG_HDRLEN + sizeof(*ifa));
	n = rtnl_addr_dump(m.b, sizeof(m), AF_UNSPEC, 0);
	check_req(&m, n, RTM_GETADDR, DUMP);
	CHECK_EQ(rtnl_addr_dump(m.b, sizeof(m), AF_PACKET, 0), -EINVAL);

	current_test = "addr invalid";
	a = v4_addr();
	a.index = 0;
	CHECK_EQ(rtnl_addr_new(m.b, sizeof(m), &a), -EINVAL);
	a = v4_addr();
	a.prefix_len = 33;
	CHECK_EQ(rtnl_addr_new(m.b, sizeof(m), &a), -EINVAL);
	a = v4_addr();
	a.addr.family = 0;
	CHECK_EQ(rtnl_addr_new(m.b, sizeof(m), &a), -EINVAL);
	a = v6_addr();
	a.broadcast = ip("198.18.1.255");
	CHECK_EQ(rtnl_addr_new(m.b, sizeof(m), &a), -EINVAL);
	a = v6_addr();
	a.prefix_len = 129;
	CHECK_EQ(rtnl_addr_del(m.b, sizeof(m), &a), -EINVAL);
	CHECK_EQ(rtnl_addr_new(m.b, sizeof(m), NULL), -EINVAL);
}

static RtnlRoute v4_route(void)
{
	return (RtnlRoute){
		.family = AF_INET,
		.dst = ip("10.1.0.0"),
		.dst_len = 16,
		.gateway = ip("10.0.0.1"),
		.prefsrc = ip("10.0.0.2"),
		.oif = 3,
		.table = 1000,
		.priority = 100,
		.scope = RT_SCOPE_UNIVERSE,
		.protocol = RTPROT_STATIC,
	};
}

static void test_route(void)
{
	const struct nlmsghdr *nlh;
	const struct rtmsg *rtm;
	const struct nlattr *via;
	RtnlRoute r = v4_route();
	RtnlIp x;
	MsgBuf m;
	Tb t;
	int n;

	current_test = "route_new v4";
	n = rtnl_route_new(m.b, sizeof(m), &r, false);
	nlh = check_req(&m, n, RTM_NEWROUTE, REQ | NLM_F_CREATE | NLM_F_EXCL);
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(rtm->rtm_family, AF_INET);
	CHECK_EQ(rtm->rtm_dst_len, 16);
	CHECK_EQ(rtm->rtm_table, RT_TABLE_UNSPEC);
	CHECK_EQ(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	CHECK_EQ(rtm->rtm_protocol, RTPROT_STATIC);
	CHECK_EQ(rtm->rtm_type, RTN_UNICAST);
	tb_msg(&t, nlh, sizeof(*rtm));
	CHECK_EQ(tb_u32(&t, RTA_TABLE), 1000);
	x = ip("10.1.0.0");
	tb_bytes(&t, RTA_DST, &x.v4, 4);
	x = ip("10.0.0.1");
	tb_bytes(&t, RTA_GATEWAY, &x.v4, 4);
	x = ip("10.0.0.2");
	tb_bytes(&t, RTA_PREFSRC, &x.v4, 4);
	CHECK_EQ(tb_u32(&t, RTA_OIF), 3);
	CHECK_EQ(tb_u32(&t, RTA_PRIORITY), 100);
	tb_absent(&t, RTA_VIA);

	current_test = "route_new replace";
	r.table = 10;
	r.type = RTN_BLACKHOLE;
	n = rtnl_route_new(m.b, sizeof(m), &r, true);
	nlh = check_req(&m, n, RTM_NEWROUTE, REQ | NLM_F_CREATE | NLM_F_REPLACE);
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(rtm->rtm_table, 10);
	CHECK_EQ(rtm->rtm_type, RTN_BLACKHOLE);
	tb_msg(&t, nlh, sizeof(*rtm));
	CHECK_EQ(tb_u32(&t, RTA_TABLE), 10);

	current_test = "route_new v6 default";
	r = (RtnlRoute){ .family = AF_INET6, .gateway = ip("fe80::1"), .oif = 2 };
	n = rtnl_route_new(m.b, sizeof(m), &r, false);
	nlh = check_req(&m, n, RTM_NEWROUTE, REQ | NLM_F_CREATE | NLM_F_EXCL);
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(rtm->rtm_dst_len, 0);
	CHECK_EQ(rtm->rtm_table, RT_TABLE_MAIN);
	tb_msg(&t, nlh, sizeof(*rtm));
	CHECK_EQ(tb_u32(&t, RTA_TABLE), RT_TABLE_MAIN);
	tb_absent(&t, RTA_DST);
	tb_absent(&t, RTA_PREFSRC);
	tb_absent(&t, RTA_PRIORITY);
	x = ip("fe80::1");
	tb_bytes(&t, RTA_GATEWAY, &x.v6, 16);

	current_test = "route_new v4 via v6";
	r = (RtnlRoute){ .family = AF_INET,
			 .dst = ip("10.9.0.0"),
			 .dst_len = 24,
			 .gateway = ip("fe80::2"),
			 .oif = 2 };
	n = rtnl_route_new(m.b, sizeof(m), &r, false);
	nlh = check_req(&m, n, RTM_NEWROUTE, REQ | NLM_F_CREATE | NLM_F_EXCL);
	tb_msg(&t, nlh, sizeof(*rtm));
	tb_absent(&t, RTA_GATEWAY);
	via = tb_get(&t, RTA_VIA);
	CHECK_EQ(mnl_attr_get_payload_len(via), 2 + 16);
	CHECK_EQ(((const struct rtvia *)mnl_attr_get_payload(via))->rtvia_family, AF_INET6);
	x = ip("fe80::2");
	CHECK(memcmp(((const struct rtvia *)mnl_attr_get_payload(via))->rtvia_addr, &x.v6, 16) ==
	      0);

	current_test = "route_del";
	r = v4_route();
	n = rtnl_route_del(m.b, sizeof(m), &r);
	nlh = check_req(&m, n, RTM_DELROUTE, REQ);
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(rtm->rtm_scope, RT_SCOPE_NOWHERE);
	CHECK_EQ(rtm->rtm_dst_len, 16);
	CHECK_EQ(rtm->rtm_type, 0);
	tb_msg(&t, nlh, sizeof(*rtm));
	CHECK_EQ(tb_u32(&t, RTA_TABLE), 1000);
	CHECK_EQ(tb_u32(&t, RTA_OIF), 3);
	CHECK_EQ(tb_u32(&t, RTA_PRIORITY), 100);
	x = ip("10.0.0.1");
	tb_bytes(&t, RTA_GATEWAY, &x.v4, 4);
	tb_absent(&t, RTA_PREFSRC);

	current_test = "route_dump";
	n = rtnl_route_dump(m.b, sizeof(m), AF_INET);
	nlh = check_req(&m, n, RTM_GETROUTE, DUMP);
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ(n, NLMSG_HDRLEN + sizeof(*rtm));
	CHECK_EQ(rtm->rtm_family, AF_INET);
	CHECK_EQ(rtm->rtm_table, 0);
	CHECK_EQ(rtm->rtm_type, 0);
	CHECK_EQ(rtm->rtm_scope, 0);
	CHECK_EQ(rtm->rtm_protocol, 0);
	CHECK_EQ(rtnl_route_dump(m.b, sizeof(m), 99), -EINVAL);

	current_test = "route invalid";
	r = v4_route();
	r.family = AF_UNSPEC;
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r = v4_route();
	r.dst_len = 33;
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r = v4_route();
	r.dst = ip("2001:db8::");
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r = v4_route();
	r.dst.family = 0;
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL); /* dst_len without dst */
	r = v4_route();
	r.prefsrc = ip("2001:db8::1");
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	r = (RtnlRoute){ .family = AF_INET6, .gateway = ip("10.0.0.1") };
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), &r, false), -EINVAL);
	CHECK_EQ(rtnl_route_del(m.b, sizeof(m), &r), -EINVAL);
	CHECK_EQ(rtnl_route_new(m.b, sizeof(m), NULL, false), -EINVAL);
}

/* ---- every builder, every buffer size below what it needs. */

typedef struct BuildArgs {
	const void *spec;
	uint32_t index;
	const char *name;
	uint8_t family;
	bool replace;
} BuildArgs;

typedef int (*BuildFn)(void *buf, size_t size, const BuildArgs *a);

static int b_link_new(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_link_new(b, s, a->spec);
}
static int b_link_set(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_link_set(b, s, a->spec);
}
static int b_link_del(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_link_del(b, s, a->index, a->name);
}
static int b_link_del_group(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_link_del_group(b, s, a->index);
}
static int b_link_get(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_link_get(b, s, a->index, a->name);
}
static int b_link_dump(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_link_dump(b, s, a->index, a->name);
}
static int b_addr_new(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_addr_new(b, s, a->spec);
}
static int b_addr_del(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_addr_del(b, s, a->spec);
}
static int b_addr_dump(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_addr_dump(b, s, a->family, a->index);
}
static int b_route_new(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_route_new(b, s, a->spec, a->replace);
}
static int b_route_del(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_route_del(b, s, a->spec);
}
static int b_route_dump(void *b, size_t s, const BuildArgs *a)
{
	return rtnl_route_dump(b, s, a->family);
}

#define CANARY 16

static void sweep(const char *what, BuildFn fn, const BuildArgs *a)
{
	MsgBuf ref;
	int n;

	current_test = what;
	n = fn(ref.b, sizeof(ref), a);
	CHECK(n > 0);
	for (size_t size = 0; size <= (size_t)n; size++) {
		/* Exact-size heap buffer, so ASan sees a single byte written past the end... */
		uint8_t *exact = malloc(size ? size : 1);
		/* ... and a canary after the buffer catches it without ASan. */
		uint8_t *guarded = malloc(size + CANARY);
		int r;

		CHECK(exact && guarded);
		r = fn(size ? exact : NULL, size, a);
		if (size < (size_t)n) {
			if (r != -ENOBUFS)
				fprintf(stderr, "[%s] size %zu of %d: got %d\n", what, size, n, r);
			CHECK_EQ(r, -ENOBUFS);
		} else {
			CHECK_EQ(r, n);
			CHECK(memcmp(exact, ref.b, n) == 0);
		}
		memset(guarded, 0xa5, size + CANARY);
		r = fn(guarded, size, a);
		CHECK_EQ(r, size < (size_t)n ? -ENOBUFS : n);
		for (size_t i = size; i < size + CANARY; i++)
			CHECK_EQ(guarded[i], 0xa5);
		free(exact);
		free(guarded);
	}
}

static void test_enobufs(void)
{
	RtnlLinkSpec veth = veth_spec(), vxlan = vxlan_spec(), vxlan6 = vxlan_spec(), mv, br;
	RtnlLinkChange full = full_change(), byname = { .name = "abc", .up = 1, .ns_fd = -1 };
	RtnlAddr a4 = v4_addr(), a6 = v6_addr();
	RtnlRoute r4 = v4_route(), rvia = v4_route(), r6 = { .family = AF_INET6, .oif = 1 };

	vxlan6.vxlan = (typeof(vxlan6.vxlan)){ .vni = 1,
					       .port = 8472,
					       .local = ip("2001:db8::1"),
					       .group = ip("ff05::1"),
					       .dev_index = 2 };
	mv = (RtnlLinkSpec){ .name = "mv0",
			     .kind = RTNL_KIND_MACVLAN,
			     .ns_fd = 1,
			     .macvlan = { .parent_index = 2, .mode = MACVLAN_MODE_PRIVATE } };
	br = (RtnlLinkSpec){ .name = "br-0123456789a",
			     .kind = RTNL_KIND_BRIDGE,
			     .ns_fd = -1,
			     .up = true,
			     .has_mac = true };
	rvia.gateway = ip("2001:db8::99");

	sweep("enobufs link_new veth", b_link_new, &(BuildArgs){ .spec = &veth });
	sweep("enobufs link_new vxlan", b_link_new, &(BuildArgs){ .spec = &vxlan });
	sweep("enobufs link_new vxlan6", b_link_new, &(BuildArgs){ .spec = &vxlan6 });
	sweep("enobufs link_new macvlan", b_link_new, &(BuildArgs){ .spec = &mv });
	sweep("enobufs link_new bridge", b_link_new, &(BuildArgs){ .spec = &br });
	sweep("enobufs link_set full", b_link_set, &(BuildArgs){ .spec = &full });
	sweep("enobufs link_set by name", b_link_set, &(BuildArgs){ .spec = &byname });
	sweep("enobufs link_del index", b_link_del, &(BuildArgs){ .index = 3 });
	sweep("enobufs link_del name", b_link_del, &(BuildArgs){ .name = "veth-x" });
	sweep("enobufs link_del_group", b_link_del_group, &(BuildArgs){ .index = 7 });
	sweep("enobufs link_get index", b_link_get, &(BuildArgs){ .index = 3 });
	sweep("enobufs link_get name", b_link_get, &(BuildArgs){ .name = "abcdefg" });
	sweep("enobufs link_dump", b_link_dump, &(BuildArgs){});
	sweep("enobufs link_dump filtered", b_link_dump,
	      &(BuildArgs){ .index = 4, .name = "bridge" });
	sweep("enobufs addr_new v4", b_addr_new, &(BuildArgs){ .spec = &a4 });
	sweep("enobufs addr_new v6", b_addr_new, &(BuildArgs){ .spec = &a6 });
	sweep("enobufs addr_del", b_addr_del, &(BuildArgs){ .spec = &a6 });
	sweep("enobufs addr_dump", b_addr_dump, &(BuildArgs){ .family = AF_INET, .index = 2 });
	sweep("enobufs route_new v4", b_route_new, &(BuildArgs){ .spec = &r4 });
	sweep("enobufs route_new via", b_route_new, &(BuildArgs){ .spec = &rvia, .replace = true });
	sweep("enobufs route_new v6", b_route_new, &(BuildArgs){ .spec = &r6 });
	sweep("enobufs route_del", b_route_del, &(BuildArgs){ .spec = &r4 });
	sweep("enobufs route_dump", b_route_dump, &(BuildArgs){ .family = AF_INET6 });
}

/* ---- hand-built replies, as the kernel sends them. */

static struct nlmsghdr *msg_start(MsgBuf *m, uint16_t type, uint16_t flags, const void *hdr,
				  size_t hdr_len)
{
	struct nlmsghdr *nlh;

	memset(m, 0, sizeof(*m));
	nlh = mnl_nlmsg_put_header(m->b);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = 77;
	nlh->nlmsg_pid = 1234;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hdr_len), hdr, hdr_len);
	return nlh;
}

enum {
	LINK_NETNSID = 1 << 0,
	LINK_LONG_KIND = 1 << 1,
};

static size_t mk_link(MsgBuf *m, uint16_t type, unsigned opts)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC,
				 .ifi_type = 1,
				 .ifi_index = 7,
				 .ifi_flags = IFF_UP | IFF_LOWER_UP | IFF_BROADCAST };
	uint8_t stats[64] = { 1, 2, 3 };
	struct nlmsghdr *nlh = msg_start(m, type, NLM_F_MULTI, &ifm, sizeof(ifm));
	struct nlattr *info, *data;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth0");
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 1000);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, IF_OPER_UP);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u32(nlh, IFLA_GROUP, 2);
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, test_mac);
	mnl_attr_put(nlh, IFLA_BROADCAST, 6, "\xff\xff\xff\xff\xff\xff");
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(stats), stats);
	mnl_attr_put_u32(nlh, IFLA_LINK, 8);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_str(nlh, IFLA_INFO_KIND,
			 opts & LINK_LONG_KIND ? "a-kind-longer-than-thirty-two-bytes" : "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_put_u32(nlh, 99, 1);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	if (opts & LINK_NETNSID)
		mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, 1);
	return nlh->nlmsg_len;
}

static size_t mk_addr4(MsgBuf *m)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET,
				 .ifa_prefixlen = 24,
				 .ifa_flags = 0x80,
				 .ifa_scope = RT_SCOPE_HOST,
				 .ifa_index = 5 };
	struct nlmsghdr *nlh = msg_start(m, RTM_NEWADDR, NLM_F_MULTI, &ifa, sizeof(ifa));
	RtnlIp local = ip("198.18.2.1"), peer = ip("198.18.2.2"), brd = ip("198.18.2.255");

	mnl_attr_put(nlh, IFA_ADDRESS, 4, &peer.v4);
	mnl_attr_put(nlh, IFA_LOCAL, 4, &local.v4);
	mnl_attr_put(nlh, IFA_BROADCAST, 4, &brd.v4);
	mnl_attr_put_strz(nlh, IFA_LABEL, "veth0");
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NOPREFIXROUTE | IFA_F_PERMANENT);
	return nlh->nlmsg_len;
}

static size_t mk_addr6(MsgBuf *m)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_INET6,
				 .ifa_prefixlen = 64,
				 .ifa_flags = IFA_F_PERMANENT,
				 .ifa_scope = RT_SCOPE_UNIVERSE,
				 .ifa_index = 6 };
	struct nlmsghdr *nlh = msg_start(m, RTM_NEWADDR, NLM_F_MULTI, &ifa, sizeof(ifa));
	struct ifa_cacheinfo ci = { .ifa_prefered = ~0u, .ifa_valid = ~0u };
	RtnlIp a = ip("2001:db8::6");

	mnl_attr_put(nlh, IFA_ADDRESS, 16, &a.v6);
	mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	return nlh->nlmsg_len;
}

static size_t mk_route4(MsgBuf *m, bool with_table)
{
	struct rtmsg rtm = { .rtm_family = AF_INET,
			     .rtm_dst_len = 24,
			     .rtm_table = RT_TABLE_COMPAT,
			     .rtm_protocol = RTPROT_STATIC,
			     .rtm_scope = RT_SCOPE_UNIVERSE,
			     .rtm_type = RTN_UNICAST };
	struct nlmsghdr *nlh = msg_start(m, RTM_NEWROUTE, NLM_F_MULTI, &rtm, sizeof(rtm));
	RtnlIp dst = ip("10.2.3.0"), gw = ip("10.0.0.1"), src = ip("10.0.0.9");

	if (with_table)
		mnl_attr_put_u32(nlh, RTA_TABLE, 1000);
	mnl_attr_put(nlh, RTA_DST, 4, &dst.v4);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 50);
	mnl_attr_put(nlh, RTA_PREFSRC, 4, &src.v4);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw.v4);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	return nlh->nlmsg_len;
}

static size_t mk_route_via(MsgBuf *m)
{
	struct rtmsg rtm = { .rtm_family = AF_INET,
			     .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_BOOT,
			     .rtm_type = RTN_UNICAST };
	struct nlmsghdr *nlh = msg_start(m, RTM_NEWROUTE, 0, &rtm, sizeof(rtm));
	uint8_t via[18];
	struct rtvia v = { .rtvia_family = AF_INET6 };
	RtnlIp gw = ip("fe80::1");

	memcpy(via, &v, 2);
	memcpy(via + 2, &gw.v6, 16);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	mnl_attr_put(nlh, RTA_VIA, sizeof(via), via);
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	return nlh->nlmsg_len;
}

static size_t mk_route6_default(MsgBuf *m)
{
	struct rtmsg rtm = { .rtm_family = AF_INET6,
			     .rtm_table = RT_TABLE_MAIN,
			     .rtm_protocol = RTPROT_RA,
			     .rtm_type = RTN_UNICAST };
	struct nlmsghdr *nlh = msg_start(m, RTM_NEWROUTE, NLM_F_MULTI, &rtm, sizeof(rtm));
	RtnlIp gw = ip("fe80::1");
	struct rta_cacheinfo ci = { .rta_expires = 1800 };

	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 1024);
	mnl_attr_put(nlh, RTA_GATEWAY, 16, &gw.v6);
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	mnl_attr_put(nlh, RTA_CACHEINFO, sizeof(ci), &ci);
	mnl_attr_put_u8(nlh, RTA_PREF, 0);
	return nlh->nlmsg_len;
}

/* NLMSG_ERROR for orig (orig_len bytes of it echoed unless capped), with TLVs when msg. */
static size_t mk_error(MsgBuf *m, int error, bool capped, const struct nlmsghdr *orig,
		       const char *msg, uint32_t offs)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;

	memset(m, 0, sizeof(*m));
	nlh = mnl_nlmsg_put_header(m->b);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = orig->nlmsg_seq;
	nlh->nlmsg_flags = (capped ? NLM_F_CAPPED : 0) | (msg ? NLM_F_ACK_TLVS : 0);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = error;
	e->msg = *orig;
	if (!capped) {
		/* The kernel copies orig->nlmsg_len bytes; the rest of the header is padding. */
		size_t body = orig->nlmsg_len - sizeof(*orig);

		memcpy(mnl_nlmsg_put_extra_header(nlh, body), (const uint8_t *)orig + sizeof(*orig),
		       body);
	}
	if (msg) {
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
		if (offs)
			mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	}
	return nlh->nlmsg_len;
}

static void test_parse_link(void)
{
	RtnlLink l;
	MsgBuf m;

	current_test = "link_parse";
	mk_link(&m, RTM_NEWLINK, LINK_NETNSID);
	memset(&l, 0xee, sizeof(l));
	CHECK_EQ(rtnl_link_parse(&m.nlh, &l), 0);
	CHECK_EQ(l.index, 7);
	CHECK_STREQ(l.name, "veth0");
	CHECK_STREQ(l.kind, "veth");
	CHECK_EQ(l.flags, IFF_UP | IFF_LOWER_UP | IFF_BROADCAST);
	CHECK_EQ(l.operstate, IF_OPER_UP);
	CHECK_EQ(l.mtu, 1500);
	CHECK_EQ(l.mac_len, 6);
	CHECK(memcmp(l.mac, test_mac, 6) == 0);
	CHECK_EQ(l.master, 3);
	CHECK_EQ(l.group, 2);
	CHECK_EQ(l.link, 8);
	CHECK_EQ(l.link_netnsid, 1);

	/* Defaults; a delete notification; an overlong kind is left empty. */
	mk_link(&m, RTM_DELLINK, LINK_LONG_KIND);
	CHECK_EQ(rtnl_link_parse(&m.nlh, &l), 0);
	CHECK_EQ(l.link_netnsid, -1);
	CHECK_STREQ(l.kind, "");
	CHECK_STREQ(l.name, "veth0");

	/* A bare header: no attributes at all. */
	{
		struct ifinfomsg ifm = { .ifi_index = 1 };

		msg_start(&m, RTM_NEWLINK, 0, &ifm, sizeof(ifm));
		CHECK_EQ(rtnl_link_parse(&m.nlh, &l), 0);
		CHECK_EQ(l.index, 1);
		CHECK_STREQ(l.name, "");
		CHECK_EQ(l.mac_len, 0);
		CHECK_EQ(l.link_netnsid, -1);
	}

	/* Our own request is a well-formed RTM_NEWLINK too. */
	{
		RtnlLinkSpec s = veth_spec();

		CHECK(rtnl_link_new(m.b, sizeof(m), &s) > 0);
		CHECK_EQ(rtnl_link_parse(&m.nlh, &l), 0);
		CHECK_STREQ(l.name, "veth0");
		CHECK_STREQ(l.kind, "veth");
		CHECK_EQ(l.mtu, 1400);
		CHECK_EQ(l.master, 3);
		CHECK_EQ(l.group, 9);
	}

	mk_link(&m, RTM_NEWADDR, 0);
	CHECK_EQ(rtnl_link_parse(&m.nlh, &l), -EINVAL);
}

/* Appends an attribute to a copy of a reply and expects the parser to refuse it. */
typedef int (*ParseFn)(const struct nlmsghdr *nlh, void *ret);

static int p_link(const struct nlmsghdr *nlh, void *ret)
{
	return rtnl_link_parse(nlh, ret);
}
static int p_addr(const struct nlmsghdr *nlh, void *ret)
{
	return rtnl_addr_parse(nlh, ret);
}
static int p_route(const struct nlmsghdr *nlh, void *ret)
{
	return rtnl_route_parse(nlh, ret);
}
static int p_error(const struct nlmsghdr *nlh, void *ret)
{
	const char *msg;
	int e;

	return rtnl_parse_error(nlh, &e, &msg);
}

static void expect_bad_attr(size_t (*mk)(MsgBuf *), ParseFn parse, uint16_t type, const void *data,
			    size_t len)
{
	union {
		RtnlLink l;
		RtnlAddr a;
		RtnlRoute r;
	} out;
	MsgBuf m;

	mk(&m);
	CHECK_EQ(parse(&m.nlh, &out), 0);
	mnl_attr_put(&m.nlh, type, len, data);
	if (parse(&m.nlh, &out) != -EINVAL) {
		fprintf(stderr, "[%s] attribute %u of %zu bytes accepted\n", current_test, type,
			len);
		exit(1);
	}
}

static size_t mk_link_plain(MsgBuf *m)
{
	return mk_link(m, RTM_NEWLINK, 0);
}
static size_t mk_route4_table(MsgBuf *m)
{
	return mk_route4(m, true);
}

static void test_parse_link_bad(void)
{
	static const uint8_t zeros[40];
	MsgBuf m;
	RtnlLink l;

	current_test = "link_parse bad attributes";
	expect_bad_attr(mk_link_plain, p_link, IFLA_MTU, zeros, 2);
	expect_bad_attr(mk_link_plain, p_link, IFLA_MTU, zeros, 8);
	expect_bad_attr(mk_link_plain, p_link, IFLA_MASTER, zeros, 0);
	expect_bad_attr(mk_link_plain, p_link, IFLA_GROUP, zeros, 3);
	expect_bad_attr(mk_link_plain, p_link, IFLA_LINK, zeros, 5);
	expect_bad_attr(mk_link_plain, p_link, IFLA_LINK_NETNSID, zeros, 1);
	expect_bad_attr(mk_link_plain, p_link, IFLA_OPERSTATE, zeros, 4);
	expect_bad_attr(mk_link_plain, p_link, IFLA_ADDRESS, zeros, 33);
	expect_bad_attr(mk_link_plain, p_link, IFLA_IFNAME, "0123456789abcdef", 17);
	expect_bad_attr(mk_link_plain, p_link, IFLA_IFNAME, "", 1);
	expect_bad_attr(mk_link_plain, p_link, IFLA_LINKINFO, zeros, 2);
	/* A nest whose inner attribute claims more than the nest holds. */
	expect_bad_attr(mk_link_plain, p_link, IFLA_LINKINFO, "\x10\x00\x01\x00veth", 8);

	/* An unterminated name of 15 bytes is still a 15-byte name. */
	mk_link(&m, RTM_NEWLINK, 0);
	mnl_attr_put(&m.nlh, IFLA_IFNAME, 15, "0123456789abcde");
	CHECK_EQ(rtnl_link_parse(&m.nlh, &l), 0);
	CHECK_STREQ(l.name, "0123456789abcde");
	/* A 32-byte hardware address (MAX_ADDR_LEN) is allowed. */
	mnl_attr_put(&m.nlh, IFLA_ADDRESS, 32, zeros);
	CHECK_EQ(rtnl_link_parse(&m.nlh, &l), 0);
	CHECK_EQ(l.mac_len, 32);

	/* Header too short, and an attribute header cut in half. */
	mk_link(&m, RTM_NEWLINK, 0);
	m.nlh.nlmsg_len = NLMSG_HDRLEN + sizeof(struct ifinfomsg) - 1;
	CHECK_EQ(rtnl_link_parse(&m.nlh, &l), -EINVAL);
	m.nlh.nlmsg_len = NLMSG_HDRLEN + sizeof(struct ifinfomsg) + 2;
	CHECK_EQ(rtnl_link_parse(&m.nlh, &l), -EINVAL);
	/* An attribute with nla_len < 4 would loop forever in a naive walker. */
	mk_link(&m, RTM_NEWLINK, 0);
	{
		struct nlattr *a = mnl_nlmsg_get_payload_tail(&m.nlh);

		a->nla_len = 2;
		a->nla_type = IFLA_MTU;
		m.nlh.nlmsg_len += 4;
		CHECK_EQ(rtnl_link_parse(&m.nlh, &l), -EINVAL);
		a->nla_len = 0;
		CHECK_EQ(rtnl_link_parse(&m.nlh, &l), -EINVAL);
	}
}

static void test_parse_addr(void)
{
	static const uint8_t zeros[20];
	RtnlAddr a;
	RtnlIp x;
	MsgBuf m;

	current_test = "addr_parse v4";
	mk_addr4(&m);
	CHECK_EQ(rtnl_addr_parse(&m.nlh, &a), 0);
	CHECK_EQ(a.index, 5);
	CHECK_EQ(a.addr.family, AF_INET);
	x = ip("198.18.2.1"); /* IFA_LOCAL, not the IFA_ADDRESS peer */
	CHECK(ip_eq(&a.addr, &x));
	CHECK_EQ(a.prefix_len, 24);
	CHECK_EQ(a.scope, RT_SCOPE_HOST);
	CHECK_EQ(a.flags, IFA_F_NOPREFIXROUTE | IFA_F_PERMANENT);
	x = ip("198.18.2.255");
	CHECK(ip_eq(&a.broadcast, &x));

	current_test = "addr_parse v6";
	mk_addr6(&m);
	CHECK_EQ(rtnl_addr_parse(&m.nlh, &a), 0);
	x = ip("2001:db8::6");
	CHECK(ip_eq(&a.addr, &x));
	CHECK_EQ(a.prefix_len, 64);
	CHECK_EQ(a.flags, IFA_F_PERMANENT); /* from ifa_flags: no IFA_FLAGS */
	CHECK_EQ(a.broadcast.family, 0);
	CHECK_EQ(a.index, 6);

	current_test = "addr_parse roundtrip";
	{
		RtnlAddr in = v4_addr();

		CHECK(rtnl_addr_new(m.b, sizeof(m), &in) > 0);
		CHECK_EQ(rtnl_addr_parse(&m.nlh, &a), 0);
		CHECK(addr_eq(&a, &in));
	}

	current_test = "addr_parse bad";
	expect_bad_attr(mk_addr4, p_addr, IFA_LOCAL, zeros, 16);
	expect_bad_attr(mk_addr4, p_addr, IFA_ADDRESS, zeros, 3);
	expect_bad_attr(mk_addr4, p_addr, IFA_BROADCAST, zeros, 5);
	expect_bad_attr(mk_addr4, p_addr, IFA_FLAGS, zeros, 1);
	expect_bad_attr(mk_addr6, p_addr, IFA_ADDRESS, zeros, 4);
	expect_bad_attr(mk_addr6, p_addr, IFA_BROADCAST, zeros, 4);
	/* No address at all. */
	{
		struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_index = 1 };

		msg_start(&m, RTM_NEWADDR, 0, &ifa, sizeof(ifa));
		CHECK_EQ(rtnl_addr_parse(&m.nlh, &a), -EINVAL);
		ifa.ifa_family = AF_PACKET;
		msg_start(&m, RTM_NEWADDR, 0, &ifa, sizeof(ifa));
		CHECK_EQ(rtnl_addr_parse(&m.nlh, &a), -EAFNOSUPPORT);
	}
	mk_addr4(&m);
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(&m.nlh))->ifa_prefixlen = 33;
	CHECK_EQ(rtnl_addr_parse(&m.nlh, &a), -EINVAL);
	mk_addr4(&m);
	m.nlh.nlmsg_type = RTM_DELADDR;
	CHECK_EQ(rtnl_addr_parse(&m.nlh, &a), 0);
	m.nlh.nlmsg_type = RTM_NEWROUTE;
	CHECK_EQ(rtnl_addr_parse(&m.nlh, &a), -EINVAL);
}

static void test_parse_route(void)
{
	static const uint8_t zeros[20];
	RtnlRoute r;
	RtnlIp x;
	MsgBuf m;

	current_test = "route_parse v4";
	mk_route4(&m, true);
	CHECK_EQ(rtnl_route_parse(&m.nlh, &r), 0);
	CHECK_EQ(r.family, AF_INET);
	CHECK_EQ(r.table, 1000);
	CHECK_EQ(r.dst_len, 24);
	x = ip("10.2.3.0");
	CHECK(ip_eq(&r.dst, &x));
	x = ip("10.0.0.1");
	CHECK(ip_eq(&r.gateway, &x));
	x = ip("10.0.0.9");
	CHECK(ip_eq(&r.prefsrc, &x));
	CHECK_EQ(r.oif, 3);
	CHECK_EQ(r.priority, 50);
	CHECK_EQ(r.protocol, RTPROT_STATIC);
	CHECK_EQ(r.scope, RT_SCOPE_UNIVERSE);
	CHECK_EQ(r.type, RTN_UNICAST);
	mk_route4(&m, false);
	CHECK_EQ(rtnl_route_parse(&m.nlh, &r), 0);
	CHECK_EQ(r.table, RT_TABLE_COMPAT);

	current_test = "route_parse via";
	mk_route_via(&m);
	CHECK_EQ(rtnl_route_parse(&m.nlh, &r), 0);
	x = ip("fe80::1");
	CHECK(ip_eq(&r.gateway, &x));
	CHECK_EQ(r.dst.family, 0);
	CHECK_EQ(r.dst_len, 0);
	CHECK_EQ(r.oif, 2);

	current_test = "route_parse v6 default";
	mk_route6_default(&m);
	CHECK_EQ(rtnl_route_parse(&m.nlh, &r), 0);
	CHECK_EQ(r.family, AF_INET6);
	CHECK_EQ(r.dst.family, 0);
	CHECK_EQ(r.priority, 1024);
	CHECK_EQ(r.table, RT_TABLE_MAIN);
	CHECK_EQ(r.protocol, RTPROT_RA);
	x = ip("fe80::1");
	CHECK(ip_eq(&r.gateway, &x));

	current_test = "route_parse roundtrip";
	{
		RtnlRoute in = v4_route();

		in.type = RTN_UNICAST;
		CHECK(rtnl_route_new(m.b, sizeof(m), &in, false) > 0);
		CHECK_EQ(rtnl_route_parse(&m.nlh, &r), 0);
		CHECK(route_eq(&r, &in));
		in = v4_route();
		in.gateway = ip("fe80::5");
		in.type = RTN_UNICAST;
		CHECK(rtnl_route_new(m.b, sizeof(m), &in, false) > 0);
		CHECK_EQ(rtnl_route_parse(&m.nlh, &r), 0);
		CHECK(route_eq(&r, &in));
	}

	current_test = "route_parse bad";
	expect_bad_attr(mk_route4_table, p_route, RTA_DST, zeros, 16);
	expect_bad_attr(mk_route4_table, p_route, RTA_GATEWAY, zeros, 3);
	expect_bad_attr(mk_route4_table, p_route, RTA_PREFSRC, zeros, 0);
	expect_bad_attr(mk_route4_table, p_route, RTA_OIF, zeros, 2);
	expect_bad_attr(mk_route4_table, p_route, RTA_PRIORITY, zeros, 8);
	expect_bad_attr(mk_route4_table, p_route, RTA_TABLE, zeros, 1);
	expect_bad_attr(mk_route4_table, p_route, RTA_VIA, zeros, 1);
	expect_bad_attr(mk_route4_table, p_route, RTA_VIA, "\x02\x00\x01\x02\x03", 5);
	expect_bad_attr(mk_route4_table, p_route, RTA_VIA, "\x0a\x00\x01\x02\x03\x04", 6);
	expect_bad_attr(mk_route4_table, p_route, RTA_VIA, "\x63\x00\x01\x02\x03\x04", 6);
	{
		struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 8 };

		/* A prefix length without a destination. */
		msg_start(&m, RTM_NEWROUTE, 0, &rtm, sizeof(rtm));
		CHECK_EQ(rtnl_route_parse(&m.nlh, &r), -EINVAL);
		rtm.rtm_dst_len = 0;
		rtm.rtm_family = AF_MPLS;
		msg_start(&m, RTM_NEWROUTE, 0, &rtm, sizeof(rtm));
		CHECK_EQ(rtnl_route_parse(&m.nlh, &r), -EAFNOSUPPORT);
		rtm.rtm_family = AF_INET6;
		rtm.rtm_dst_len = 129;
		msg_start(&m, RTM_NEWROUTE, 0, &rtm, sizeof(rtm));
		CHECK_EQ(rtnl_route_parse(&m.nlh, &r), -EINVAL);
	}
	mk_route4(&m, true);
	m.nlh.nlmsg_type = RTM_GETROUTE;
	CHECK_EQ(rtnl_route_parse(&m.nlh, &r), -EINVAL);
}

static void test_parse_error(void)
{
	MsgBuf req, m;
	const char *msg;
	uint32_t offs;
	int e, n;

	current_test = "parse_error ack";
	n = rtnl_link_del(req.b, sizeof(req), 9, NULL);
	CHECK(n > 0);
	req.nlh.nlmsg_seq = 31;
	mk_error(&m, 0, true, &req.nlh, NULL, 0);
	e = 1;
	msg = "x";
	CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), 0);
	CHECK_EQ(e, 0);
	CHECK(msg == NULL);
	CHECK_EQ(m.nlh.nlmsg_len, NLMSG_HDRLEN + sizeof(struct nlmsgerr));

	current_test = "parse_error capped with ext-ack";
	{
		RtnlLinkSpec s = veth_spec();

		CHECK(rtnl_link_new(req.b, sizeof(req), &s) > 0);
	}
	mk_error(&m, -EEXIST, true, &req.nlh, "File exists, really", 36);
	CHECK_EQ(rtnl_parse_error_ext(&m.nlh, &e, &msg, &offs), 0);
	CHECK_EQ(e, -EEXIST);
	CHECK_STREQ(msg, "File exists, really");
	CHECK(msg > (const char *)&m && msg < (const char *)&m + m.nlh.nlmsg_len);
	CHECK_EQ(offs, 36);
	/* No NULL outputs required. */
	CHECK_EQ(rtnl_parse_error_ext(&m.nlh, NULL, NULL, NULL), 0);

	current_test = "parse_error uncapped with ext-ack";
	mk_error(&m, -EINVAL, false, &req.nlh, "Unknown device type", 0);
	CHECK(m.nlh.nlmsg_len > req.nlh.nlmsg_len + NLMSG_HDRLEN);
	CHECK_EQ(rtnl_parse_error_ext(&m.nlh, &e, &msg, &offs), 0);
	CHECK_EQ(e, -EINVAL);
	CHECK_STREQ(msg, "Unknown device type");
	CHECK_EQ(offs, 0);

	current_test = "parse_error uncapped, unaligned request";
	/* A request whose nlmsg_len is not a multiple of 4: the TLVs start aligned after it. */
	{
		MsgBuf odd;

		memcpy(&odd, &req, sizeof(odd));
		odd.nlh.nlmsg_len = 37;
		mk_error(&m, -ERANGE, false, &odd.nlh, "odd", 20);
		CHECK_EQ(rtnl_parse_error_ext(&m.nlh, &e, &msg, &offs), 0);
		CHECK_EQ(e, -ERANGE);
		CHECK_STREQ(msg, "odd");
		CHECK_EQ(offs, 20);
	}

	current_test = "parse_error uncapped without TLVs";
	mk_error(&m, -ENODEV, false, &req.nlh, NULL, 0);
	CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), 0);
	CHECK_EQ(e, -ENODEV);
	CHECK(msg == NULL);

	current_test = "parse_error malformed";
	mk_error(&m, 5, true, &req.nlh, NULL, 0);
	CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), -EINVAL);
	mk_error(&m, -5000, true, &req.nlh, NULL, 0);
	CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), -EINVAL);
	mk_error(&m, -EPERM, true, &req.nlh, NULL, 0);
	m.nlh.nlmsg_len -= 1;
	CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), -EINVAL);
	mk_error(&m, -EPERM, true, &req.nlh, NULL, 0);
	m.nlh.nlmsg_type = NLMSG_DONE;
	CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), -EINVAL);
	/* The message text must be NUL-terminated inside its attribute. */
	mk_error(&m, -EPERM, true, &req.nlh, "abc", 0);
	{
		struct nlattr *a = (struct nlattr *)(m.b + NLMSG_HDRLEN + sizeof(struct nlmsgerr));

		CHECK_EQ(a->nla_type, NLMSGERR_ATTR_MSG);
		CHECK_EQ(a->nla_len, 8);
		a->nla_len = 7; /* "abc" without its NUL */
		CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), -EINVAL);
	}
	/* The echoed request claims more bytes than the error holds. */
	mk_error(&m, -EPERM, false, &req.nlh, "abc", 0);
	((struct nlmsgerr *)mnl_nlmsg_get_payload(&m.nlh))->msg.nlmsg_len = 0xffffffff;
	CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), -EINVAL);
	((struct nlmsgerr *)mnl_nlmsg_get_payload(&m.nlh))->msg.nlmsg_len = 8;
	CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), -EINVAL);
	/* NLM_F_ACK_TLVS with TLVs cut short. */
	mk_error(&m, -EPERM, true, &req.nlh, "a longer message", 44);
	m.nlh.nlmsg_len -= 6;
	CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), -EINVAL);
	/* A bad NLMSGERR_ATTR_OFFS. */
	mk_error(&m, -EPERM, true, &req.nlh, NULL, 0);
	m.nlh.nlmsg_flags |= NLM_F_ACK_TLVS;
	mnl_attr_put_u16(&m.nlh, NLMSGERR_ATTR_OFFS, 4);
	CHECK_EQ(rtnl_parse_error(&m.nlh, &e, &msg), -EINVAL);
}

/* Captured from Linux 6.18 (NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK): RTM_NEWLINK of kind "dummy"
 * (not built in) without and with NETLINK_CAP_ACK, and a route dump with rtm_dst_len = 7. */
static const uint8_t kernel_err_uncapped[] __attribute__((aligned(4))) = {
	0x68, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x02, 0x07, 0x00, 0x00, 0x00, 0xc8, 0x4b, 0x00,
	0x00, 0xa1, 0xff, 0xff, 0xff, 0x3c, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x06, 0x07, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x03, 0x00, 0x64, 0x75, 0x6d, 0x30,
	0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x12, 0x80, 0x0a, 0x00, 0x01, 0x00, 0x64, 0x75, 0x6d,
	0x6d, 0x79, 0x00, 0x00, 0x00, 0x18, 0x00, 0x01, 0x00, 0x55, 0x6e, 0x6b, 0x6e, 0x6f, 0x77,
	0x6e, 0x20, 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x20, 0x74, 0x79, 0x70, 0x65, 0x00,
};

static const uint8_t kernel_err_capped[] __attribute__((aligned(4))) = {
	0x3c, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x03, 0x07, 0x00, 0x00, 0x00, 0xd4, 0x4b, 0x00,
	0x00, 0xa1, 0xff, 0xff, 0xff, 0x3c, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x06, 0x07, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18, 0x00, 0x01, 0x00, 0x55, 0x6e, 0x6b, 0x6e, 0x6f,
	0x77, 0x6e, 0x20, 0x64, 0x65, 0x76, 0x69, 0x63, 0x65, 0x20, 0x74, 0x79, 0x70, 0x65, 0x00,
};

static const uint8_t kernel_dump_refused[] __attribute__((aligned(4))) = {
	0x48, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x82, 0x4f, 0x00,
	0x00, 0xea, 0xff, 0xff, 0xff, 0x32, 0x00, 0x01, 0x00, 0x49, 0x6e, 0x76, 0x61, 0x6c, 0x69,
	0x64, 0x20, 0x76, 0x61, 0x6c, 0x75, 0x65, 0x73, 0x20, 0x69, 0x6e, 0x20, 0x68, 0x65, 0x61,
	0x64, 0x65, 0x72, 0x20, 0x66, 0x6f, 0x72, 0x20, 0x46, 0x49, 0x42, 0x20, 0x64, 0x75, 0x6d,
	0x70, 0x20, 0x72, 0x65, 0x71, 0x75, 0x65, 0x73, 0x74, 0x00, 0x00, 0x00,
};

static void test_parse_kernel(void)
{
	const struct nlmsghdr *nlh;
	const char *msg;
	int e;

	current_test = "parse_error kernel uncapped";
	nlh = (const struct nlmsghdr *)kernel_err_uncapped;
	CHECK_EQ(nlh->nlmsg_len, sizeof(kernel_err_uncapped));
	CHECK_EQ(rtnl_parse_error(nlh, &e, &msg), 0);
	CHECK_EQ(e, -EOPNOTSUPP);
	CHECK_STREQ(msg, "Unknown device type");

	current_test = "parse_error kernel capped";
	nlh = (const struct nlmsghdr *)kernel_err_capped;
	CHECK_EQ(rtnl_parse_error(nlh, &e, &msg), 0);
	CHECK_EQ(e, -EOPNOTSUPP);
	CHECK_STREQ(msg, "Unknown device type");
	CHECK_EQ(rtnl_parse_done(nlh, &e, &msg), -EINVAL);

	current_test = "parse_done kernel";
	nlh = (const struct nlmsghdr *)kernel_dump_refused;
	CHECK_EQ(rtnl_parse_done(nlh, &e, &msg), 0);
	CHECK_EQ(e, -EINVAL);
	CHECK_STREQ(msg, "Invalid values in header for FIB dump request");
	CHECK_EQ(rtnl_parse_error(nlh, &e, &msg), -EINVAL);
}

static void test_parse_done(void)
{
	MsgBuf m;
	const char *msg;
	int32_t status;
	int e;

	current_test = "parse_done";
	status = 0;
	msg_start(&m, NLMSG_DONE, NLM_F_MULTI, &status, sizeof(status));
	e = 1;
	msg = "x";
	CHECK_EQ(rtnl_parse_done(&m.nlh, &e, &msg), 0);
	CHECK_EQ(e, 0);
	CHECK(msg == NULL);
	/* A bare header, as other netlink families send it. */
	m.nlh.nlmsg_len = NLMSG_HDRLEN;
	CHECK_EQ(rtnl_parse_done(&m.nlh, &e, &msg), 0);
	CHECK_EQ(e, 0);
	m.nlh.nlmsg_len = NLMSG_HDRLEN + 2;
	CHECK_EQ(rtnl_parse_done(&m.nlh, &e, &msg), -EINVAL);

	status = -EBUSY;
	msg_start(&m, NLMSG_DONE, NLM_F_MULTI, &status, sizeof(status));
	CHECK_EQ(rtnl_parse_done(&m.nlh, &e, &msg), 0);
	CHECK_EQ(e, -EBUSY);
	m.nlh.nlmsg_flags |= NLM_F_ACK_TLVS;
	mnl_attr_put_strz(&m.nlh, NLMSGERR_ATTR_MSG, "busy");
	CHECK_EQ(rtnl_parse_done(&m.nlh, &e, &msg), 0);
	CHECK_STREQ(msg, "busy");
	m.nlh.nlmsg_len -= 4; /* cut into the TLV */
	CHECK_EQ(rtnl_parse_done(&m.nlh, &e, &msg), -EINVAL);

	status = 3;
	msg_start(&m, NLMSG_DONE, NLM_F_MULTI, &status, sizeof(status));
	CHECK_EQ(rtnl_parse_done(&m.nlh, &e, &msg), -EINVAL);
	status = 0;
	msg_start(&m, NLMSG_ERROR, 0, &status, sizeof(status));
	CHECK_EQ(rtnl_parse_done(&m.nlh, &e, &msg), -EINVAL);
}

/* Cuts a reply at every length and checks the parser either refuses it or accepts exactly the
 * lengths that end on an attribute boundary (or inside the last attribute's padding). */
static void test_truncation_one(const char *what, size_t (*mk)(MsgBuf *), ParseFn parse,
				size_t hdr_len, int required)
{
	const struct nlattr *attr;
	bool valid[4096] = {};
	MsgBuf full;
	size_t len, attrs;
	int i = 0;

	current_test = what;
	len = mk(&full);
	attrs = NLMSG_HDRLEN + MNL_ALIGN(hdr_len);
	valid[attrs] = required == 0;
	mnl_attr_for_each(attr, &full.nlh, hdr_len)
	{
		size_t start = (const uint8_t *)attr - full.b;

		/* Without its first `required` attributes (e.g. the address), a message is
		 * incomplete. */
		if (++i < required)
			continue;
		for (size_t l = start + attr->nla_len; l <= start + MNL_ALIGN(attr->nla_len); l++)
			valid[l] = true;
	}
	for (size_t l = NLMSG_HDRLEN; l <= len; l++) {
		union {
			RtnlLink l;
			RtnlAddr a;
			RtnlRoute r;
		} out;
		uint8_t *b = malloc(l);
		int r;

		memcpy(b, full.b, l);
		((struct nlmsghdr *)b)->nlmsg_len = (uint32_t)l;
		r = parse((struct nlmsghdr *)b, &out);
		if (valid[l] ? r != 0 : r != -EINVAL) {
			fprintf(stderr, "[%s] cut at %zu of %zu: got %d\n", what, l, len, r);
			exit(1);
		}
		free(b);
	}
}

static size_t mk_error_capped(MsgBuf *m)
{
	MsgBuf req;

	CHECK(rtnl_link_del(req.b, sizeof(req), 0, "abcde") > 0);
	return mk_error(m, -ENODEV, true, &req.nlh, "Cannot find device", 44);
}

static size_t mk_error_uncapped(MsgBuf *m)
{
	MsgBuf req;

	CHECK(rtnl_link_del(req.b, sizeof(req), 0, "abcde") > 0);
	return mk_error(m, -ENODEV, false, &req.nlh, "Cannot find device", 44);
}

static void test_truncation(void)
{
	test_truncation_one("truncated link", mk_link_plain, p_link, sizeof(struct ifinfomsg), 0);
	/* The address is the first attribute, the route's destination the second. */
	test_truncation_one("truncated addr", mk_addr4, p_addr, sizeof(struct ifaddrmsg), 1);
	test_truncation_one("truncated route", mk_route4_table, p_route, sizeof(struct rtmsg), 2);

	/* The error parser's header includes the (echoed) request: cut before the TLVs, it is
	 * malformed; cut on a TLV boundary, valid. */
	current_test = "truncated error";
	for (int capped = 0; capped <= 1; capped++) {
		MsgBuf full;
		size_t len = capped ? mk_error_capped(&full) : mk_error_uncapped(&full);
		/* The TLVs: MSG (4 + 19 bytes, padded to 24), then OFFS (8). */
		size_t tlvs = len - 8 - MNL_ALIGN(4 + sizeof("Cannot find device"));
		for (size_t l = NLMSG_HDRLEN; l <= len; l++) {
			uint8_t *b = malloc(l);
			bool ok = l == tlvs || l == len ||
				  (l >= tlvs + 4 + sizeof("Cannot find device") && l <= len - 8);
			int r;

			memcpy(b, full.b, l);
			((struct nlmsghdr *)b)->nlmsg_len = (uint32_t)l;
			r = p_error((struct nlmsghdr *)b, NULL);
			if (ok ? r != 0 : r != -EINVAL) {
				fprintf(stderr, "[%s] capped=%d cut at %zu of %zu: got %d\n",
					current_test, capped, l, len, r);
				exit(1);
			}
			free(b);
		}
	}
}

/* ---- walking. */

typedef struct WalkLog {
	int count;
	uint16_t types[8];
	int fail_at;
} WalkLog;

static int walk_cb(const struct nlmsghdr *nlh, void *userdata)
{
	WalkLog *w = userdata;

	if (w->count < 8)
		w->types[w->count] = nlh->nlmsg_type;
	w->count++;
	return w->count == w->fail_at ? -42 : 0;
}

static size_t mk_multi(uint8_t *buf, size_t size)
{
	MsgBuf m;
	size_t len = 0, n;
	struct nlmsghdr *done;

	n = mk_link(&m, RTM_NEWLINK, LINK_NETNSID);
	CHECK(len + n <= size);
	memcpy(buf + len, m.b, n);
	len += n;
	n = mk_addr6(&m);
	CHECK(len + n <= size);
	memcpy(buf + len, m.b, n);
	len += n;
	n = mk_route4(&m, true);
	CHECK(len + n <= size);
	memcpy(buf + len, m.b, n);
	len += n;
	CHECK(len + NLMSG_HDRLEN + 4 <= size);
	done = (struct nlmsghdr *)(buf + len);
	memset(done, 0, NLMSG_HDRLEN + 4);
	done->nlmsg_len = NLMSG_HDRLEN + 4;
	done->nlmsg_type = NLMSG_DONE;
	done->nlmsg_flags = NLM_F_MULTI;
	return len + done->nlmsg_len;
}

static void test_walk(void)
{
	MsgBuf m;
	WalkLog w = {};
	size_t len;

	current_test = "walk";
	len = mk_multi(m.b, sizeof(m));
	CHECK_EQ(rtnl_walk(m.b, len, walk_cb, &w), 0);
	CHECK_EQ(w.count, 4);
	CHECK_EQ(w.types[0], RTM_NEWLINK);
	CHECK_EQ(w.types[1], RTM_NEWADDR);
	CHECK_EQ(w.types[2], RTM_NEWROUTE);
	CHECK_EQ(w.types[3], NLMSG_DONE);

	w = (WalkLog){ .fail_at = 2 };
	CHECK_EQ(rtnl_walk(m.b, len, walk_cb, &w), -42);
	CHECK_EQ(w.count, 2);

	w = (WalkLog){};
	CHECK_EQ(rtnl_walk(m.b, 0, walk_cb, &w), 0);
	CHECK_EQ(rtnl_walk(NULL, 0, walk_cb, &w), 0);
	CHECK_EQ(w.count, 0);
	CHECK_EQ(rtnl_walk(m.b, len, NULL, &w), -EINVAL);
	CHECK_EQ(rtnl_walk(m.b + 1, len - 4, walk_cb, &w), -EINVAL);

	current_test = "walk truncated";
	for (size_t l = 1; l < len; l++) {
		uint8_t *b = malloc(l);
		int r;

		memcpy(b, m.b, l);
		w = (WalkLog){};
		r = rtnl_walk(b, l, walk_cb, &w);
		CHECK(r == 0 || r == -EINVAL);
		free(b);
	}
	/* Stray bytes after the last message, and a header whose length is below its size. */
	w = (WalkLog){};
	CHECK_EQ(rtnl_walk(m.b, len + 8, walk_cb, &w), -EINVAL);
	CHECK_EQ(w.count, 4);
	m.nlh.nlmsg_len = 8;
	CHECK_EQ(rtnl_walk(m.b, len, walk_cb, &w), -EINVAL);
	m.nlh.nlmsg_len = (uint32_t)len + 4;
	CHECK_EQ(rtnl_walk(m.b, len, walk_cb, &w), -EINVAL);

	/* A last message whose length is not a multiple of 4 and has no padding after it. */
	{
		MsgBuf one;
		uint8_t *b;
		size_t n = mk_link(&one, RTM_NEWLINK, 0);

		mnl_attr_put(&one.nlh, IFLA_ADDRESS, 1, "x");
		one.nlh.nlmsg_len -= 3;
		n = one.nlh.nlmsg_len;
		b = malloc(n);
		memcpy(b, one.b, n);
		w = (WalkLog){};
		CHECK_EQ(rtnl_walk(b, n, walk_cb, &w), 0);
		CHECK_EQ(w.count, 1);
		{
			RtnlLink l;

			CHECK_EQ(rtnl_link_parse((const struct nlmsghdr *)b, &l), 0);
			CHECK_EQ(l.mac_len, 1);
		}
		free(b);
	}
}

/* ---- text helpers. */

static void test_ifname(void)
{
	static const struct {
		const char *name;
		bool valid;
	} cases[] = {
		{ "eth0", true },
		{ "a", true },
		{ "0123456789abcde", true },
		{ "veth-x_y.z@1", true },
		{ "...", true },
		{ ".a", true },
		{ "%d", true },
		{ "\xc3\xa9t\xc3\xa9", true },
		{ "", false },
		{ ".", false },
		{ "..", false },
		{ "0123456789abcdef", false },
		{ "a/b", false },
		{ "a:b", false },
		{ "a b", false },
		{ "a\tb", false },
		{ "a\nb", false },
		{ "a\vb", false },
		{ "a\fb", false },
		{ "a\rb", false },
		{ "a\xa0"
		  "b",
		  false },
		{ "/", false },
		{ ":", false },
		{ NULL, false },
	};

	current_test = "ifname_valid";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (name_ifname_valid(cases[i].name) != cases[i].valid) {
			fprintf(stderr, "[%s] \"%s\": expected %s\n", current_test,
				cases[i].name ? cases[i].name : "(null)",
				cases[i].valid ? "valid" : "invalid");
			exit(1);
		}
	}
}

static void test_ip(void)
{
	static const struct {
		const char *in;
		int family; /* 0: invalid */
		const char *out;
	} cases[] = {
		{ "198.18.0.1", AF_INET, "198.18.0.1" },
		{ "0.0.0.0", AF_INET, "0.0.0.0" },
		{ "255.255.255.255", AF_INET, "255.255.255.255" },
		{ "2001:db8::1", AF_INET6, "2001:db8::1" },
		{ "2001:DB8:0:0:0:0:0:1", AF_INET6, "2001:db8::1" },
		{ "::", AF_INET6, "::" },
		{ "::ffff:10.0.0.1", AF_INET6, "::ffff:10.0.0.1" },
		{ "", 0, NULL },
		{ "1.2.3", 0, NULL },
		{ "1.2.3.4.5", 0, NULL },
		{ "256.1.1.1", 0, NULL },
		{ " 1.2.3.4", 0, NULL },
		{ "1.2.3.4 ", 0, NULL },
		{ "1.2.3.4/24", 0, NULL },
		{ "fe80::1%eth0", 0, NULL },
		{ "2001:db8:::1", 0, NULL },
		{ "gggg::", 0, NULL },
		{ "localhost", 0, NULL },
	};
	char buf[INET6_ADDRSTRLEN];
	RtnlIp x;

	current_test = "ip_parse";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		memset(&x, 0x77, sizeof(x));
		r = rtnl_ip_parse(cases[i].in, &x);
		if (!cases[i].family) {
			if (r != -EINVAL) {
				fprintf(stderr, "[%s] \"%s\" accepted\n", current_test,
					cases[i].in);
				exit(1);
			}
			CHECK_EQ(x.family, 0x77); /* untouched on failure */
			continue;
		}
		CHECK_EQ(r, 0);
		CHECK_EQ(x.family, cases[i].family);
		if (x.family == AF_INET)
			for (int b = 4; b < 16; b++)
				CHECK_EQ(x.bytes[b], 0);
		CHECK_STREQ(rtnl_ip_format(&x, buf, sizeof(buf)), cases[i].out);
	}
	CHECK_EQ(rtnl_ip_parse(NULL, &x), -EINVAL);

	current_test = "ip_format";
	x = (RtnlIp){};
	CHECK_STREQ(rtnl_ip_format(&x, buf, sizeof(buf)), "");
	x.family = 99;
	CHECK_STREQ(rtnl_ip_format(&x, buf, sizeof(buf)), "");
	x = ip("2001:db8:1:2:3:4:5:6");
	CHECK_STREQ(rtnl_ip_format(&x, buf, 8), ""); /* too small: empty, not truncated */
	CHECK_STREQ(rtnl_ip_format(NULL, buf, sizeof(buf)), "");
}

static void test_prefix(void)
{
	static const struct {
		const char *in;
		int family;
		int plen;
	} cases[] = {
		{ "10.0.0.1/24", AF_INET, 24 },
		{ "10.0.0.0/0", AF_INET, 0 },
		{ "10.0.0.1/32", AF_INET, 32 },
		{ "10.0.0.1", AF_INET, 32 },
		{ "2001:db8::/64", AF_INET6, 64 },
		{ "2001:db8::1", AF_INET6, 128 },
		{ "::/0", AF_INET6, 0 },
		{ "2001:db8::/128", AF_INET6, 128 },
		{ "10.0.0.1/024", AF_INET, 24 },
		{ "10.0.0.1/33", 0, 0 },
		{ "2001:db8::/129", 0, 0 },
		{ "10.0.0.1/", 0, 0 },
		{ "10.0.0.1/-1", 0, 0 },
		{ "10.0.0.1/+8", 0, 0 },
		{ "10.0.0.1/ 8", 0, 0 },
		{ "10.0.0.1/8 ", 0, 0 },
		{ "10.0.0.1/8/8", 0, 0 },
		{ "10.0.0.1/0008", 0, 0 },
		{ "10.0.0.1/4294967304", 0, 0 },
		{ "/24", 0, 0 },
		{ "", 0, 0 },
		{ "10.0.0/24", 0, 0 },
		{ "1111:2222:3333:4444:5555:6666:7777:8888:9999/64", 0, 0 },
	};
	uint8_t plen;
	RtnlIp x;

	current_test = "prefix_parse";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		plen = 0xee;
		r = rtnl_prefix_parse(cases[i].in, &x, &plen);
		if (cases[i].family ? r != 0 : r != -EINVAL) {
			fprintf(stderr, "[%s] \"%s\": got %d\n", current_test, cases[i].in, r);
			exit(1);
		}
		if (!cases[i].family) {
			CHECK_EQ(plen, 0xee);
			continue;
		}
		CHECK_EQ(x.family, cases[i].family);
		CHECK_EQ(plen, cases[i].plen);
	}
	CHECK(rtnl_prefix_parse("10.0.0.1/24", &x, &plen) == 0);
	CHECK(ip_eq(&x, &(RtnlIp){ .family = AF_INET, .bytes = { 10, 0, 0, 1 } }));
	CHECK_EQ(rtnl_prefix_parse(NULL, &x, &plen), -EINVAL);
}

static void test_mac_text(void)
{
	static const struct {
		const char *in;
		bool valid;
	} cases[] = {
		{ "02:00:5e:10:20:30", true },
		{ "02:00:5E:10:20:30", true },
		{ "ff:ff:ff:ff:ff:ff", true },
		{ "2:0:5e:10:20:30", false },
		{ "02-00-5e-10-20-30", false },
		{ "02:00:5e:10:20", false },
		{ "02:00:5e:10:20:30:40", false },
		{ "02:00:5e:10:20:3g", false },
		{ "02:00:5e:10:20:30 ", false },
		{ "0200.5e10.2030", false },
		{ "", false },
		{ NULL, false },
	};
	uint8_t mac[6];
	char buf[3 * 32];

	current_test = "mac_parse";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		memset(mac, 0x11, sizeof(mac));
		r = rtnl_mac_parse(cases[i].in, mac);
		if (cases[i].valid ? r != 0 : r != -EINVAL) {
			fprintf(stderr, "[%s] \"%s\": got %d\n", current_test,
				cases[i].in ? cases[i].in : "(null)", r);
			exit(1);
		}
		if (!cases[i].valid) {
			CHECK_EQ(mac[0], 0x11);
			continue;
		}
		rtnl_mac_format(mac, 6, buf, sizeof(buf));
		CHECK(strcasecmp(buf, cases[i].in) == 0);
	}
	CHECK_EQ(rtnl_mac_parse("02:00:5e:10:20:30", mac), 0);
	CHECK(memcmp(mac, test_mac, 6) == 0);

	current_test = "mac_format";
	CHECK_STREQ(rtnl_mac_format(test_mac, 6, buf, 18), "02:00:5e:10:20:30");
	CHECK_STREQ(rtnl_mac_format(test_mac, 6, buf, 17), "");
	CHECK_STREQ(rtnl_mac_format(test_mac, 1, buf, 3), "02");
	CHECK_STREQ(rtnl_mac_format(test_mac, 0, buf, sizeof(buf)), "");
	{
		uint8_t long_addr[32];

		memset(long_addr, 0xab, sizeof(long_addr));
		rtnl_mac_format(long_addr, 32, buf, sizeof(buf));
		CHECK_EQ(strlen(buf), 3 * 32 - 1);
	}
}

/* ---- fuzzer seeds. */

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(1);
	}
}

static int write_corpus(const char *dir)
{
	MsgBuf m, req;
	RtnlLinkSpec veth = veth_spec(), vx = vxlan_spec();
	RtnlAddr a4 = v4_addr();
	RtnlRoute r4 = v4_route(), rvia = v4_route();
	size_t n;

	current_test = "write corpus";
	write_file(dir, "link-reply", m.b, mk_link(&m, RTM_NEWLINK, LINK_NETNSID));
	write_file(dir, "link-del-long-kind", m.b, mk_link(&m, RTM_DELLINK, LINK_LONG_KIND));
	write_file(dir, "addr4-reply", m.b, mk_addr4(&m));
	write_file(dir, "addr6-reply", m.b, mk_addr6(&m));
	write_file(dir, "route4-reply", m.b, mk_route4(&m, true));
	write_file(dir, "route-via-reply", m.b, mk_route_via(&m));
	write_file(dir, "route6-default", m.b, mk_route6_default(&m));
	write_file(dir, "error-capped", m.b, mk_error_capped(&m));
	write_file(dir, "error-uncapped", m.b, mk_error_uncapped(&m));
	CHECK(rtnl_link_del(req.b, sizeof(req), 1, NULL) > 0);
	write_file(dir, "ack", m.b, mk_error(&m, 0, true, &req.nlh, NULL, 0));
	n = mk_multi(m.b, sizeof(m));
	write_file(dir, "dump-multi", m.b, n);
	write_file(dir, "req-link-new-veth", m.b, rtnl_link_new(m.b, sizeof(m), &veth));
	write_file(dir, "req-link-new-vxlan", m.b, rtnl_link_new(m.b, sizeof(m), &vx));
	write_file(dir, "req-addr-new", m.b, rtnl_addr_new(m.b, sizeof(m), &a4));
	write_file(dir, "req-route-new", m.b, rtnl_route_new(m.b, sizeof(m), &r4, false));
	rvia.gateway = ip("fe80::7");
	write_file(dir, "req-route-via", m.b, rtnl_route_new(m.b, sizeof(m), &rvia, true));
	return 0;
}

/* A create request carries the same IFLA_LINKINFO a dump reply does: parse it back. */
static void test_parse_link_info(void)
{
	uint8_t buf[1024];
	RtnlLinkSpec spec = { .name = "vx0", .kind = RTNL_KIND_VXLAN, .ns_fd = -1 };
	RtnlLink l;
	char ip[64];

	spec.vxlan.vni = 4242;
	spec.vxlan.port = 4789;
	spec.vxlan.dev_index = 7;
	CHECK(rtnl_ip_parse("198.18.0.1", &spec.vxlan.local) == 0);
	CHECK(rtnl_ip_parse("239.1.1.1", &spec.vxlan.group) == 0);
	CHECK(rtnl_link_new(buf, sizeof(buf), &spec) > 0);
	CHECK(rtnl_link_parse((struct nlmsghdr *)buf, &l) == 0);
	CHECK(strcmp(l.kind, "vxlan") == 0);
	CHECK(l.info.vxlan.vni == 4242 && l.info.vxlan.port == 4789 &&
	      l.info.vxlan.dev_index == 7);
	CHECK(strcmp(rtnl_ip_format(&l.info.vxlan.local, ip, sizeof(ip)), "198.18.0.1") == 0);
	CHECK(strcmp(rtnl_ip_format(&l.info.vxlan.group, ip, sizeof(ip)), "239.1.1.1") == 0);

	spec = (RtnlLinkSpec){ .name = "mv0", .kind = RTNL_KIND_MACVLAN, .ns_fd = -1 };
	spec.macvlan.parent_index = 3;
	spec.macvlan.mode = MACVLAN_MODE_BRIDGE;
	CHECK(rtnl_link_new(buf, sizeof(buf), &spec) > 0);
	CHECK(rtnl_link_parse((struct nlmsghdr *)buf, &l) == 0);
	CHECK(strcmp(l.kind, "macvlan") == 0 && l.info.macvlan.mode == MACVLAN_MODE_BRIDGE);
	CHECK(l.link == 3);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0)
		return write_corpus(argv[2]);

	test_link_new_veth();
	test_link_new_vxlan();
	test_link_new_others();
	test_link_set();
	test_link_del_get_dump();
	test_addr();
	test_route();
	test_enobufs();
	test_parse_link();
	test_parse_link_bad();
	test_parse_link_info();
	test_parse_addr();
	test_parse_route();
	test_parse_error();
	test_parse_kernel();
	test_parse_done();
	test_truncation();
	test_walk();
	test_ifname();
	test_ip();
	test_prefix();
	test_mac_text();
	printf("rtnl: all tests passed\n");
	return 0;
}
