/* Unit test of the API -> codec path of link kinds (src/ops/ops-linkkind.c): a CreateLink's Link
 * message, as a client sends it, must become the request iproute2 sends for the same command
 * (tests/unit/vectors/link/, the codec's golden vectors); bad fields are refused naming the API
 * field. No I/O: the Op is only an arena and an error slot. argv[1] is the vector directory. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../common/check.h"
#include "ops/ops-internal.h"
#include "ops/ops-linkkind.h"

static const char *vector_dir;

typedef union {
	struct nlmsghdr nlh;
	uint8_t b[8192];
} MsgBuf;

/* NAME.hex: '#' lines are comments, the rest hex bytes (as test-rtnl-link.c reads them). */
static size_t vec_load(const char *name, MsgBuf *m)
{
	char path[512], line[1024];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.hex", vector_dir, name);
	f = fopen(path, "re");
	CHECK(f, "%s", path);
	memset(m, 0, sizeof(*m));
	while (fgets(line, sizeof(line), f)) {
		const char *p = line;
		unsigned v;
		int used;

		if (line[0] == '#')
			continue;
		while (sscanf(p, "%2x%n", &v, &used) == 1) {
			CHECK(n < sizeof(m->b));
			m->b[n++] = (uint8_t)v;
			p += used;
		}
	}
	fclose(f);
	CHECK(n >= sizeof(struct nlmsghdr) && m->nlh.nlmsg_len == n);
	return n;
}

/* nsring sends IFLA_INFO_KIND with its NUL, iproute2 without (see test-rtnl-link.c). */
static size_t strip_kind_nul(MsgBuf *m, size_t len)
{
	struct nlattr *info = NULL, *kind;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct ifinfomsg)), old, neu;

	while (off + 4 <= len) {
		struct nlattr *a = (struct nlattr *)(m->b + off);

		if ((a->nla_type & NLA_TYPE_MASK) == IFLA_LINKINFO)
			info = a;
		off += NLMSG_ALIGN(a->nla_len);
	}
	if (!info)
		return len;
	kind = (struct nlattr *)((uint8_t *)info + 4);
	old = NLMSG_ALIGN(kind->nla_len);
	kind->nla_len--;
	neu = NLMSG_ALIGN(kind->nla_len);
	if (neu < old) {
		uint8_t *end = (uint8_t *)kind + old;

		memmove((uint8_t *)kind + neu, end, len - (size_t)(end - m->b));
		info->nla_len -= (uint16_t)(old - neu);
		len -= old - neu;
		m->nlh.nlmsg_len = (uint32_t)len;
	}
	return len;
}

static Op *op_fresh(void)
{
	static Op op;

	op_arena_reset(&op);
	memset(&op, 0, sizeof(op));
	op.m = ops_method("CreateLink");
	CHECK(op.m);
	return &op;
}

/* The Link converted with parent index 3 (the vectors' v0) equals iproute2's request. */
static void golden(const char *vec, Nsring__V1__Link *l)
{
	Op *op = op_fresh();
	RtnlLinkSpec spec = { .name = l->name, .ns_fd = -1 };
	MsgBuf ours, want;
	size_t wlen = vec_load(vec, &want);
	int n;

	CHECK(op_link_kind_validate(op, l), "%s: %s", vec, op->err_msg ? op->err_msg : "");
	CHECK(op_link_spec_from_pb(op, l, op_link_kind_parent(l) ? 3 : 0, &spec), "%s", vec);
	n = rtnl_link_new(ours.b, sizeof(ours), &spec);
	CHECK(n > 0, "%s", vec);
	want.nlh.nlmsg_seq = 0;
	want.nlh.nlmsg_pid = 0;
	CHECK_MEMEQ(ours.b, strip_kind_nul(&ours, (size_t)n), want.b, wlen);
}

/* The Link is refused with INVALID_ARGUMENT and a message naming field. */
static void refused(Nsring__V1__Link *l, const char *field)
{
	Op *op = op_fresh();

	CHECK(!op_link_kind_validate(op, l), "%s accepted", field);
	CHECK_EQ(op->err_code, 3 /* INVALID_ARGUMENT */);
	CHECK(strstr(op->err_msg, field), "\"%s\" lacks %s", op->err_msg, field);
}

#define LINK(var, nm)                                                                              \
	Nsring__V1__Link var = NSRING__V1__LINK__INIT;                                             \
	var.name = (char *)(nm)

static void test_golden(void)
{
	Nsring__V1__Vlan vlan = NSRING__V1__VLAN__INIT;
	Nsring__V1__Vrf vrf = NSRING__V1__VRF__INIT;
	Nsring__V1__Bond bond = NSRING__V1__BOND__INIT;
	Nsring__V1__Ipvlan ipvlan = NSRING__V1__IPVLAN__INIT;
	Nsring__V1__Macvtap mvt = NSRING__V1__MACVTAP__INIT;
	Nsring__V1__Geneve gnv = NSRING__V1__GENEVE__INIT;
	Nsring__V1__Tunnel t = NSRING__V1__TUNNEL__INIT;
	Nsring__V1__Wireguard wg = NSRING__V1__WIREGUARD__INIT;
	Nsring__V1__Bridge br = NSRING__V1__BRIDGE__INIT;
	Nsring__V1__Dummy dm = NSRING__V1__DUMMY__INIT;

	LINK(l1, "vl0");
	vlan.parent = "v0", vlan.id = 100;
	l1.info_case = NSRING__V1__LINK__INFO_VLAN, l1.vlan = &vlan;
	golden("vlan", &l1);
	LINK(l2, "vl1");
	vlan.id = 4094, vlan.protocol = "802.1ad";
	l2.info_case = NSRING__V1__LINK__INFO_VLAN, l2.vlan = &vlan;
	golden("vlan-ad", &l2);
	LINK(l3, "vrf0");
	vrf.table = 10;
	l3.info_case = NSRING__V1__LINK__INFO_VRF, l3.vrf = &vrf;
	golden("vrf", &l3);
	LINK(l4, "bond0");
	bond.mode = "802.3ad", bond.lacp_rate = "fast", bond.xmit_hash_policy = "layer3+4";
	bond.set_miimon_case = NSRING__V1__BOND__SET_MIIMON_MIIMON, bond.miimon = 100;
	l4.info_case = NSRING__V1__LINK__INFO_BOND, l4.bond = &bond;
	golden("bond", &l4);
	LINK(l5, "ipv0");
	ipvlan.parent = "v0", ipvlan.mode = "l3";
	l5.info_case = NSRING__V1__LINK__INFO_IPVLAN, l5.ipvlan = &ipvlan;
	golden("ipvlan", &l5);
	LINK(l6, "mvt0");
	mvt.parent = "v0", mvt.mode = "bridge";
	l6.info_case = NSRING__V1__LINK__INFO_MACVTAP, l6.macvtap = &mvt;
	golden("macvtap", &l6);
	LINK(l7, "gnv0");
	gnv.id = 42, gnv.remote = "198.18.0.2", gnv.port = 6081;
	l7.info_case = NSRING__V1__LINK__INFO_GENEVE, l7.geneve = &gnv;
	golden("geneve", &l7);
	LINK(l8, "gre1");
	t.local = "198.18.0.1", t.remote = "198.18.0.2", t.ttl = 64;
	t.set_ikey_case = NSRING__V1__TUNNEL__SET_IKEY_IKEY, t.ikey = 1;
	t.set_okey_case = NSRING__V1__TUNNEL__SET_OKEY_OKEY, t.okey = 2;
	l8.info_case = NSRING__V1__LINK__INFO_GRE, l8.gre = &t;
	golden("gre", &l8);
	LINK(l9, "gt0");
	t.ttl = 0, t.ikey = 5, t.okey = 5;
	l9.info_case = NSRING__V1__LINK__INFO_GRETAP, l9.gretap = &t;
	golden("gretap", &l9);
	LINK(l10, "g6");
	t.local = "2001:db8::1", t.remote = "2001:db8::2", t.ttl = 64, t.ikey = 7, t.okey = 7;
	l10.info_case = NSRING__V1__LINK__INFO_IP6GRE, l10.ip6gre = &t;
	golden("ip6gre", &l10);
	LINK(l11, "ipip1");
	t = (Nsring__V1__Tunnel)NSRING__V1__TUNNEL__INIT;
	t.local = "198.18.0.1", t.remote = "198.18.0.2", t.ttl = 64;
	l11.info_case = NSRING__V1__LINK__INFO_IPIP, l11.ipip = &t;
	golden("ipip", &l11);
	LINK(l12, "sit1");
	l12.info_case = NSRING__V1__LINK__INFO_SIT, l12.sit = &t;
	golden("sit", &l12);
	LINK(l13, "wg0");
	l13.info_case = NSRING__V1__LINK__INFO_WIREGUARD, l13.wireguard = &wg;
	golden("wireguard", &l13);
	LINK(l14, "br1");
	br.set_vlan_filtering_case = NSRING__V1__BRIDGE__SET_VLAN_FILTERING_VLAN_FILTERING;
	br.vlan_filtering = true;
	br.vlan_protocol = "802.1ad";
	br.set_default_pvid_case = NSRING__V1__BRIDGE__SET_DEFAULT_PVID_DEFAULT_PVID;
	br.default_pvid = 10;
	br.set_stp_state_case = NSRING__V1__BRIDGE__SET_STP_STATE_STP_STATE, br.stp_state = 1;
	br.set_ageing_time_case = NSRING__V1__BRIDGE__SET_AGEING_TIME_AGEING_TIME;
	br.ageing_time = 30000;
	br.set_forward_delay_case = NSRING__V1__BRIDGE__SET_FORWARD_DELAY_FORWARD_DELAY;
	br.forward_delay = 1500;
	br.set_mcast_snooping_case = NSRING__V1__BRIDGE__SET_MCAST_SNOOPING_MCAST_SNOOPING;
	br.mcast_snooping = false;
	l14.info_case = NSRING__V1__LINK__INFO_BRIDGE, l14.bridge = &br;
	golden("br-opts", &l14);
	/* Attributes on create (dummy's kind is set by ops-link.c, not by this file). */
	{
		Op *op = op_fresh();
		RtnlLinkSpec spec = { .name = "d1", .ns_fd = -1, .kind = RTNL_KIND_DUMMY };
		MsgBuf ours, want;
		size_t wlen = vec_load("attrs-new", &want);
		int n;

		LINK(l15, "d1");
		l15.txqlen = 500;
		l15.info_case = NSRING__V1__LINK__INFO_DUMMY, l15.dummy = &dm;
		CHECK(op_link_spec_from_pb(op, &l15, 0, &spec));
		n = rtnl_link_new(ours.b, sizeof(ours), &spec);
		want.nlh.nlmsg_seq = 0;
		want.nlh.nlmsg_pid = 0;
		CHECK_MEMEQ(ours.b, strip_kind_nul(&ours, (size_t)n), want.b, wlen);
	}
}

static void test_refused(void)
{
	Nsring__V1__Vlan vlan = NSRING__V1__VLAN__INIT;
	Nsring__V1__Bond bond = NSRING__V1__BOND__INIT;
	Nsring__V1__Tunnel t = NSRING__V1__TUNNEL__INIT;
	Nsring__V1__Geneve gnv = NSRING__V1__GENEVE__INIT;
	Nsring__V1__Bridge br = NSRING__V1__BRIDGE__INIT;

	LINK(l, "x0");
	l.info_case = NSRING__V1__LINK__INFO_VLAN, l.vlan = &vlan;
	vlan.parent = "v0", vlan.id = 4095;
	refused(&l, "link.vlan.id");
	vlan.id = 0;
	refused(&l, "link.vlan.id");
	vlan.id = 5, vlan.protocol = "802.1x";
	refused(&l, "link.vlan.protocol");
	vlan.protocol = "", vlan.parent = "";
	refused(&l, "link.vlan.parent");
	vlan.parent = "a/b";
	refused(&l, "link.vlan.parent");
	l.info_case = NSRING__V1__LINK__INFO_BOND, l.bond = &bond;
	bond.mode = "nosuch";
	refused(&l, "link.bond.mode");
	bond.mode = "", bond.xmit_hash_policy = "layer9";
	refused(&l, "link.bond.xmit_hash_policy");
	l.info_case = NSRING__V1__LINK__INFO_GRE, l.gre = &t;
	t.local = "198.18.0.1", t.remote = "2001:db8::2";
	refused(&l, "link.gre.remote");
	l.info_case = NSRING__V1__LINK__INFO_IP6GRE, l.ip6gre = &t;
	t.local = "198.18.0.1", t.remote = "";
	refused(&l, "link.ip6gre.local");
	l.info_case = NSRING__V1__LINK__INFO_SIT, l.sit = &t;
	t.local = "198.18.0.1", t.set_okey_case = NSRING__V1__TUNNEL__SET_OKEY_OKEY;
	refused(&l, "link.sit.okey");
	t.set_okey_case = 0, t.remote = "nope";
	refused(&l, "link.sit.remote");
	l.info_case = NSRING__V1__LINK__INFO_GENEVE, l.geneve = &gnv;
	gnv.remote = "";
	refused(&l, "link.geneve.remote");
	gnv.remote = "198.18.0.2", gnv.id = 1u << 24;
	refused(&l, "link.geneve.id");
	l.info_case = NSRING__V1__LINK__INFO_BRIDGE, l.bridge = &br;
	br.set_default_pvid_case = NSRING__V1__BRIDGE__SET_DEFAULT_PVID_DEFAULT_PVID;
	br.default_pvid = 4095;
	refused(&l, "bridge.default_pvid");
	br.set_default_pvid_case = 0, br.vlan_protocol = "802.1x";
	refused(&l, "bridge.vlan_protocol");
	br.vlan_protocol = "", l.addr_gen_mode = "eui48";
	refused(&l, "addr_gen_mode");
}

int main(int argc, char **argv)
{
	CHECK(argc == 2, "usage: %s VECTOR_DIR", argv[0]);
	vector_dir = argv[1];
	test_golden();
	test_refused();
	op_arena_reset(op_fresh());
	printf("ok\n");
	return 0;
}
