/* Unit tests of the Watch mirror's neighbours and FDB entries (WK_NEIGH, WK_FDB in
 * src/ops/watch-state.c): hand-built RTM_NEWNEIGH/DELNEIGH in, the keys (a flood list's remotes
 * apart, a MAC's self and master entries apart), changes, kinds and dump reconciliation out. */
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../common/check.h"
#include "ops/watch-state.h"

#ifndef AF_BRIDGE
#define AF_BRIDGE PF_BRIDGE
#endif

static uint8_t buf[4096];

typedef struct NeighSpec {
	uint16_t type; /* RTM_NEWNEIGH / RTM_DELNEIGH */
	uint8_t family;
	uint32_t index;
	const char *dst; /* neighbour: its address; FDB: the remote or NULL */
	const uint8_t *lladdr;
	uint16_t state;
	uint8_t flags;
	uint16_t vlan;
	int vni; /* -1: none */
} NeighSpec;

static const struct nlmsghdr *neigh_msg(NeighSpec s)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = s.type;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = s.family;
	ndm->ndm_ifindex = (int)s.index;
	ndm->ndm_state = s.state;
	ndm->ndm_flags = s.flags;
	if (s.dst) {
		uint8_t a[16];
		int fam = strchr(s.dst, ':') ? AF_INET6 : AF_INET;

		CHECK(inet_pton(fam, s.dst, a) == 1);
		mnl_attr_put(nlh, NDA_DST, fam == AF_INET ? 4 : 16, a);
	}
	if (s.lladdr)
		mnl_attr_put(nlh, NDA_LLADDR, 6, s.lladdr);
	if (s.vlan)
		mnl_attr_put_u16(nlh, NDA_VLAN, s.vlan);
	if (s.vni >= 0)
		mnl_attr_put_u32(nlh, NDA_VNI, (uint32_t)s.vni);
	return nlh;
}

static const uint8_t mac1[6] = { 2, 0, 0, 0, 0, 1 }, mac2[6] = { 2, 0, 0, 0, 0, 2 },
		     zero[6] = { 0 };

static struct {
	WStateEvent type;
	uint8_t kind;
	bool from_dump;
} evs[64];
static size_t nevs;

static void on_event(void *userdata, WStateEvent type, const WObj *o, bool from_dump)
{
	(void)userdata;
	CHECK(nevs < 64);
	evs[nevs].type = type;
	evs[nevs].kind = o->kind;
	evs[nevs].from_dump = from_dump;
	nevs++;
}

/* A neighbour on ifindex idx (flags: ndm_flags). */
#define NEIGH_ON(t, idx, ip, mac, st, fl)                                                          \
	neigh_msg((NeighSpec){ .type = (t),                                                        \
			       .family = AF_INET,                                                  \
			       .index = (idx),                                                     \
			       .dst = (ip),                                                        \
			       .lladdr = (mac),                                                    \
			       .state = (st),                                                      \
			       .flags = (fl),                                                      \
			       .vni = -1 })
#define NEIGH(t, ip, mac, st) NEIGH_ON(t, 2, ip, mac, st, 0)
/* An FDB entry of ifindex 3 (fl: NTF_SELF or NTF_MASTER; vni -1: none). */
#define FDB_X(t, mac, remote, fl, vl, vn)                                                          \
	neigh_msg((NeighSpec){ .type = (t),                                                        \
			       .family = AF_BRIDGE,                                                \
			       .index = 3,                                                         \
			       .dst = (remote),                                                    \
			       .lladdr = (mac),                                                    \
			       .state = NUD_PERMANENT | NUD_NOARP,                                 \
			       .flags = (fl),                                                      \
			       .vlan = (vl),                                                       \
			       .vni = (vn) })
#define FDB(t, mac, remote) FDB_X(t, mac, remote, NTF_SELF, 0, -1)

static void expect(size_t n, WStateEvent type, uint8_t kind)
{
	CHECK_EQ(nevs, n);
	CHECK_EQ(evs[n - 1].type, type);
	CHECK_EQ(evs[n - 1].kind, kind);
}

static void test_neighbours(void)
{
	WState st;

	current_test = "test_neighbours";
	wstate_init(&st, WK_LINK | WK_NEIGH, on_event, NULL);
	nevs = 0;
	CHECK_EQ(wstate_apply(&st, NEIGH(RTM_NEWNEIGH, "198.18.0.2", mac1, NUD_REACHABLE)), 0);
	expect(1, WSTATE_ADDED, WK_NEIGH);
	/* The same again: nothing. */
	CHECK_EQ(wstate_apply(&st, NEIGH(RTM_NEWNEIGH, "198.18.0.2", mac1, NUD_REACHABLE)), 0);
	CHECK_EQ(nevs, 1u);
	/* Aged to stale: the same neighbour CHANGED. */
	CHECK_EQ(wstate_apply(&st, NEIGH(RTM_NEWNEIGH, "198.18.0.2", mac1, NUD_STALE)), 0);
	expect(2, WSTATE_CHANGED, WK_NEIGH);
	/* Another address, and the same address on another device, are other neighbours. */
	CHECK_EQ(wstate_apply(&st, NEIGH(RTM_NEWNEIGH, "198.18.0.3", mac2, NUD_PERMANENT)), 0);
	expect(3, WSTATE_ADDED, WK_NEIGH);
	CHECK_EQ(wstate_apply(&st, NEIGH_ON(RTM_NEWNEIGH, 5, "198.18.0.2", mac1, NUD_STALE, 0)), 0);
	expect(4, WSTATE_ADDED, WK_NEIGH);
	CHECK_EQ(wstate_count(&st), 3u);
	/* A proxy entry is not mirrored; FDB messages are not in this mirror's kinds. */
	CHECK_EQ(wstate_apply(&st, NEIGH_ON(RTM_NEWNEIGH, 2, "198.18.0.9", NULL, 0, NTF_PROXY)), 0);
	CHECK_EQ(wstate_apply(&st, FDB(RTM_NEWNEIGH, mac1, NULL)), 0);
	CHECK_EQ(nevs, 4u);
	CHECK_EQ(wstate_apply(&st, NEIGH(RTM_DELNEIGH, "198.18.0.2", mac1, NUD_STALE)), 0);
	expect(5, WSTATE_DELETED, WK_NEIGH);
	CHECK_EQ(wstate_count(&st), 2u);
	wstate_clear(&st);
}

static void test_fdb_keys(void)
{
	WState st;

	current_test = "test_fdb_keys";
	wstate_init(&st, WK_LINK | WK_FDB, on_event, NULL);
	nevs = 0;
	/* A flood list: one entry per remote of the all-zeros MAC. */
	CHECK_EQ(wstate_apply(&st, FDB(RTM_NEWNEIGH, zero, "198.18.10.2")), 0);
	CHECK_EQ(wstate_apply(&st, FDB(RTM_NEWNEIGH, zero, "198.18.10.3")), 0);
	CHECK_EQ(wstate_apply(&st, FDB_X(RTM_NEWNEIGH, zero, "198.18.10.3", NTF_SELF, 0, 43)), 0);
	expect(3, WSTATE_ADDED, WK_FDB);
	CHECK_EQ(wstate_count(&st), 3u);
	CHECK_EQ(wstate_apply(&st, FDB(RTM_DELNEIGH, zero, "198.18.10.2")), 0);
	expect(4, WSTATE_DELETED, WK_FDB);
	CHECK_EQ(wstate_count(&st), 2u);
	/* A unicast MAC is one entry whatever its remote: a new remote CHANGES it. */
	CHECK_EQ(wstate_apply(&st, FDB(RTM_NEWNEIGH, mac1, "198.18.10.4")), 0);
	expect(5, WSTATE_ADDED, WK_FDB);
	CHECK_EQ(wstate_apply(&st, FDB(RTM_NEWNEIGH, mac1, "198.18.10.5")), 0);
	expect(6, WSTATE_CHANGED, WK_FDB);
	/* The same MAC in the bridge (master) and in the port's own table (self), and in
	 * another VLAN, are other entries. */
	CHECK_EQ(wstate_apply(&st, FDB_X(RTM_NEWNEIGH, mac1, NULL, NTF_MASTER, 0, -1)), 0);
	expect(7, WSTATE_ADDED, WK_FDB);
	CHECK_EQ(wstate_apply(&st, FDB_X(RTM_NEWNEIGH, mac1, NULL, NTF_MASTER, 5, -1)), 0);
	expect(8, WSTATE_ADDED, WK_FDB);
	CHECK_EQ(wstate_count(&st), 5u);
	/* Neighbour messages are not in this mirror's kinds. */
	CHECK_EQ(wstate_apply(&st, NEIGH(RTM_NEWNEIGH, "198.18.0.2", mac1, NUD_REACHABLE)), 0);
	CHECK_EQ(nevs, 8u);
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
	WObj dump[2];

	current_test = "test_reconcile";
	wstate_init(&st, WK_LINK | WK_NEIGH | WK_FDB, on_event, NULL);
	nevs = 0;
	CHECK_EQ(wstate_apply(&st, FDB(RTM_NEWNEIGH, zero, "198.18.10.2")), 0);
	CHECK_EQ(wstate_apply(&st, FDB(RTM_NEWNEIGH, zero, "198.18.10.3")), 0);
	CHECK_EQ(wstate_apply(&st, NEIGH(RTM_NEWNEIGH, "198.18.0.2", mac1, NUD_PERMANENT)), 0);
	nevs = 0;
	/* The dump (after lost events) has one remote and the neighbour with a new lladdr. */
	dump[0] = parsed(FDB(RTM_NEWNEIGH, zero, "198.18.10.3"));
	dump[1] = parsed(NEIGH(RTM_NEWNEIGH, "198.18.0.2", mac2, NUD_PERMANENT));
	CHECK_EQ(wstate_reconcile(&st, dump, 2, WK_NEIGH | WK_FDB), 0);
	CHECK_EQ(nevs, 2u);
	for (size_t i = 0; i < nevs; i++) {
		CHECK(evs[i].from_dump);
		if (evs[i].kind == WK_NEIGH)
			CHECK_EQ(evs[i].type, WSTATE_CHANGED);
		else
			CHECK_EQ(evs[i].type, WSTATE_DELETED);
	}
	CHECK_EQ(wstate_count(&st), 2u);
	wstate_clear(&st);
}

int main(void)
{
	test_neighbours();
	test_fdb_keys();
	test_reconcile();
	printf("watch-neigh: all tests passed\n");
	return 0;
}
