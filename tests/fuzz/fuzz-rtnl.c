/* libFuzzer harness for the rtnl codec: walks the input as a recv buffer and hands every message
 * to every parser, then checks what they return can be formatted and rebuilt. */
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/names.h"
#include "rtnl/rtnl-neigh.h"
#include "rtnl/rtnl-nexthop.h"
#include "rtnl/rtnl-rule.h"
#include "rtnl/rtnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static bool fuzz_ip_eq(const RtnlIp *a, const RtnlIp *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* A parsed address, rebuilt into a request and parsed again, must come back the same. */
static void fuzz_addr(const RtnlAddr *a)
{
	union {
		struct nlmsghdr nlh;
		uint8_t b[512];
	} m;
	char text[INET6_ADDRSTRLEN];
	RtnlAddr back;

	rtnl_ip_format(&a->addr, text, sizeof(text));
	FUZZ_ASSERT(text[0]);
	if (rtnl_addr_new(m.b, sizeof(m), a) < 0)
		return;
	FUZZ_ASSERT(rtnl_addr_parse(&m.nlh, &back) == 0);
	FUZZ_ASSERT(back.index == a->index && back.prefix_len == a->prefix_len &&
		    back.scope == a->scope && back.flags == a->flags);
	FUZZ_ASSERT(fuzz_ip_eq(&back.addr, &a->addr) && fuzz_ip_eq(&back.broadcast, &a->broadcast));
	FUZZ_ASSERT(fuzz_ip_eq(&back.peer, &a->peer) && strcmp(back.label, a->label) == 0);
	FUZZ_ASSERT(back.has_lifetimes == a->has_lifetimes && back.valid_lft == a->valid_lft &&
		    back.preferred_lft == a->preferred_lft);
	FUZZ_ASSERT(rtnl_addr_del(m.b, sizeof(m), a) > 0);
}

static void fuzz_route(const RtnlRoute *r)
{
	union {
		struct nlmsghdr nlh;
		uint8_t b[4096];
	} m;
	char text[INET6_ADDRSTRLEN];
	RtnlRoute back;

	rtnl_ip_format(&r->dst, text, sizeof(text));
	rtnl_ip_format(&r->gateway, text, sizeof(text));
	if (rtnl_route_new(m.b, sizeof(m), r, false) < 0)
		return;
	FUZZ_ASSERT(rtnl_route_parse(&m.nlh, &back) == 0);
	FUZZ_ASSERT(back.family == r->family && back.dst_len == r->dst_len && back.oif == r->oif &&
		    back.priority == r->priority && back.scope == r->scope &&
		    back.protocol == r->protocol);
	FUZZ_ASSERT(fuzz_ip_eq(&back.dst, &r->dst) && fuzz_ip_eq(&back.gateway, &r->gateway) &&
		    fuzz_ip_eq(&back.prefsrc, &r->prefsrc));
	FUZZ_ASSERT(r->table == 0 ? back.table == RT_TABLE_MAIN : back.table == r->table);
	FUZZ_ASSERT(back.flags == r->flags && back.nhid == r->nhid && back.mtu == r->mtu);
	FUZZ_ASSERT(back.n_paths == r->n_paths);
	for (size_t i = 0; i < r->n_paths; i++) {
		const RtnlRoutePath *p = &r->paths[i], *q = &back.paths[i];

		FUZZ_ASSERT(fuzz_ip_eq(&p->gateway, &q->gateway) && p->ifindex == q->ifindex &&
			    p->flags == q->flags && p->weight == q->weight);
	}
	FUZZ_ASSERT(rtnl_route_del(m.b, sizeof(m), r) > 0);
}

/* A parsed link of a kind with data, rebuilt into a create request and parsed again, keeps that
 * data (when the builder accepts it: parsed values may be ones it refuses, e.g. VLAN id 0). */
static void fuzz_link(const RtnlLink *l)
{
	union {
		struct nlmsghdr nlh;
		uint8_t b[1024];
	} m;
	RtnlLinkSpec s = { .name = "f0", .ns_fd = -1 };
	int kind = rtnl_kind_from_name(l->kind);
	RtnlLink back;

	FUZZ_ASSERT(memchr(l->alias, '\0', sizeof(l->alias)));
	FUZZ_ASSERT(memchr(l->slave_kind, '\0', sizeof(l->slave_kind)));
	if (kind < 0)
		return;
	FUZZ_ASSERT(strcmp(rtnl_kind_to_name((RtnlKind)kind), l->kind) == 0);
	s.kind = (RtnlKind)kind;
	switch (kind) {
	case RTNL_KIND_VLAN:
		s.vlan = l->info.vlan;
		s.vlan.parent_index = l->link;
		break;
	case RTNL_KIND_VRF:
		s.vrf = l->info.vrf;
		break;
	case RTNL_KIND_BOND:
		s.bond = l->info.bond;
		break;
	case RTNL_KIND_GENEVE:
		s.geneve = l->info.geneve;
		break;
	case RTNL_KIND_GRE:
	case RTNL_KIND_GRETAP:
	case RTNL_KIND_IP6GRE:
	case RTNL_KIND_IPIP:
	case RTNL_KIND_SIT:
		s.tunnel = l->info.tunnel;
		break;
	default:
		return;
	}
	if (rtnl_link_new(m.b, sizeof(m), &s) < 0)
		return;
	FUZZ_ASSERT(rtnl_link_parse(&m.nlh, &back) == 0);
	FUZZ_ASSERT(strcmp(back.kind, l->kind) == 0);
	switch (kind) {
	case RTNL_KIND_VLAN:
		FUZZ_ASSERT(back.info.vlan.id == l->info.vlan.id && back.link == l->link);
		break;
	case RTNL_KIND_VRF:
		FUZZ_ASSERT(back.info.vrf.table == l->info.vrf.table);
		break;
	case RTNL_KIND_BOND:
		FUZZ_ASSERT(memcmp(&back.info.bond, &l->info.bond, sizeof(RtnlBond)) == 0);
		break;
	case RTNL_KIND_GENEVE:
		FUZZ_ASSERT(back.info.geneve.id == l->info.geneve.id &&
			    fuzz_ip_eq(&back.info.geneve.remote, &l->info.geneve.remote));
		break;
	default:
		FUZZ_ASSERT(fuzz_ip_eq(&back.info.tunnel.local, &l->info.tunnel.local) &&
			    fuzz_ip_eq(&back.info.tunnel.remote, &l->info.tunnel.remote) &&
			    back.info.tunnel.has_ikey == l->info.tunnel.has_ikey &&
			    back.info.tunnel.ikey == l->info.tunnel.ikey);
		break;
	}
}

/* Bridge VLANs of an AF_BRIDGE reply: valid ids, ranges in order, each one rebuildable. */
static void fuzz_bridge_vlans(const struct nlmsghdr *nlh)
{
	union {
		struct nlmsghdr nlh;
		uint8_t b[256];
	} m;
	RtnlBridgeVlan v[8];
	uint32_t index;
	size_t n;

	if (rtnl_bridge_vlan_parse(nlh, &index, v, 8, &n) != 0)
		return;
	FUZZ_ASSERT(n <= 8);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(v[i].vid >= 1 && v[i].vid <= v[i].vid_end && v[i].vid_end <= 4094);
		if (index == 0 || index > INT32_MAX || (v[i].pvid && v[i].vid_end > v[i].vid))
			continue;
		FUZZ_ASSERT(rtnl_bridge_vlan_add(m.b, sizeof(m), index, &v[i]) > 0);
	}
}

/* Rules, neighbours and nexthops: what parses and rebuilds must parse back the same. */
static void fuzz_rule(const RtnlRule *r)
{
	union {
		struct nlmsghdr nlh;
		uint8_t b[1024];
	} m;
	RtnlRule back;

	FUZZ_ASSERT(memchr(r->iif, '\0', sizeof(r->iif)) && memchr(r->oif, '\0', sizeof(r->oif)));
	if (rtnl_rule_new(m.b, sizeof(m), r) < 0)
		return;
	FUZZ_ASSERT(rtnl_rule_parse(&m.nlh, &back) == 0);
	FUZZ_ASSERT(back.family == r->family && back.has_priority == r->has_priority &&
		    back.priority == r->priority && back.table == r->table &&
		    back.goto_target == r->goto_target && back.l3mdev == r->l3mdev &&
		    back.invert == r->invert && back.tos == r->tos &&
		    back.protocol == r->protocol && back.ip_proto == r->ip_proto &&
		    back.has_fwmark == r->has_fwmark && back.fwmark == r->fwmark &&
		    back.fwmask == r->fwmask &&
		    back.has_suppress_prefixlen == r->has_suppress_prefixlen &&
		    back.suppress_prefixlen == r->suppress_prefixlen);
	FUZZ_ASSERT(back.action == (r->action ? r->action : FR_ACT_TO_TBL));
	FUZZ_ASSERT(fuzz_ip_eq(&back.src, &r->src) && back.src_len == r->src_len &&
		    fuzz_ip_eq(&back.dst, &r->dst) && back.dst_len == r->dst_len);
	FUZZ_ASSERT(strcmp(back.iif, r->iif) == 0 && strcmp(back.oif, r->oif) == 0);
	FUZZ_ASSERT(back.sport.start == r->sport.start && back.sport.end == r->sport.end &&
		    back.dport.start == r->dport.start && back.dport.end == r->dport.end);
	FUZZ_ASSERT(rtnl_rule_del(m.b, sizeof(m), r) > 0);
}

static void fuzz_neigh(RtnlNeigh n)
{
	union {
		struct nlmsghdr nlh;
		uint8_t b[512];
	} m;
	RtnlNeigh back;

	FUZZ_ASSERT(n.lladdr_len <= sizeof(n.lladdr));
	/* Reply-only fields are not requests' to carry. */
	n.master = 0;
	n.type = 0;
	if (rtnl_neigh_new(m.b, sizeof(m), &n, RTNL_NEIGH_REPLACE) < 0)
		return;
	FUZZ_ASSERT(rtnl_neigh_parse(&m.nlh, &back) == 0);
	FUZZ_ASSERT(back.family == n.family && back.ifindex == n.ifindex &&
		    fuzz_ip_eq(&back.dst, &n.dst) && back.lladdr_len == n.lladdr_len &&
		    memcmp(back.lladdr, n.lladdr, n.lladdr_len) == 0 && back.state == n.state &&
		    back.flags == n.flags && back.has_vni == n.has_vni && back.vni == n.vni &&
		    back.port == n.port && back.vlan == n.vlan);
	FUZZ_ASSERT(rtnl_neigh_del(m.b, sizeof(m), &n) > 0);
}

static void fuzz_nexthop(const RtnlNexthop *nh)
{
	union {
		struct nlmsghdr nlh;
		uint8_t b[2048];
	} m;
	RtnlNexthop back;

	FUZZ_ASSERT(nh->n_group <= RTNL_NEXTHOP_GROUP_MAX);
	if (rtnl_nexthop_new(m.b, sizeof(m), nh, true) < 0)
		return;
	FUZZ_ASSERT(rtnl_nexthop_parse(&m.nlh, &back) == 0);
	FUZZ_ASSERT(back.id == nh->id && back.family == nh->family && back.flags == nh->flags &&
		    back.protocol == nh->protocol && fuzz_ip_eq(&back.gateway, &nh->gateway) &&
		    back.oif == nh->oif && back.blackhole == nh->blackhole && back.fdb == nh->fdb &&
		    back.group_type == nh->group_type && back.res_buckets == nh->res_buckets &&
		    back.n_group == nh->n_group);
	for (size_t i = 0; i < nh->n_group; i++)
		FUZZ_ASSERT(back.group[i].id == nh->group[i].id &&
			    back.group[i].weight == nh->group[i].weight);
	if (nh->id)
		FUZZ_ASSERT(rtnl_nexthop_del(m.b, sizeof(m), nh->id) > 0);
}

/* Extended-ack text must be a C string inside the message. */
static void fuzz_check_text(const struct nlmsghdr *nlh, const char *msg)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;

	if (!msg)
		return;
	FUZZ_ASSERT(msg > (const char *)nlh && msg < end);
	FUZZ_ASSERT(memchr(msg, '\0', (size_t)(end - msg)));
}

static int fuzz_msg(const struct nlmsghdr *nlh, void *userdata)
{
	const char *msg;
	uint32_t offset;
	RtnlLink l;
	RtnlAddr a;
	RtnlRoute r;
	RtnlRule rule;
	RtnlNeigh neigh;
	RtnlNexthop nh;
	int error;

	/* The walk promised this much; the parsers must not read beyond it. */
	FUZZ_ASSERT(nlh->nlmsg_len >= sizeof(*nlh));

	if (rtnl_link_parse(nlh, &l) == 0) {
		char mac[3 * sizeof(l.mac)];

		FUZZ_ASSERT(memchr(l.name, '\0', sizeof(l.name)));
		FUZZ_ASSERT(memchr(l.kind, '\0', sizeof(l.kind)));
		FUZZ_ASSERT(l.mac_len <= sizeof(l.mac));
		rtnl_mac_format(l.mac, l.mac_len, mac, sizeof(mac));
		FUZZ_ASSERT(strlen(mac) == (l.mac_len ? 3u * l.mac_len - 1 : 0));
		fuzz_link(&l);
	}
	fuzz_bridge_vlans(nlh);
	if (rtnl_addr_parse(nlh, &a) == 0)
		fuzz_addr(&a);
	if (rtnl_route_parse(nlh, &r) == 0)
		fuzz_route(&r);
	if (rtnl_rule_parse(nlh, &rule) == 0)
		fuzz_rule(&rule);
	if (rtnl_neigh_parse(nlh, &neigh) == 0)
		fuzz_neigh(neigh);
	if (rtnl_nexthop_parse(nlh, &nh) == 0)
		fuzz_nexthop(&nh);
	if (rtnl_parse_error_ext(nlh, &error, &msg, &offset) == 0) {
		FUZZ_ASSERT(error <= 0);
		fuzz_check_text(nlh, msg);
	}
	if (rtnl_parse_done(nlh, &error, &msg) == 0) {
		FUZZ_ASSERT(error <= 0);
		fuzz_check_text(nlh, msg);
	}
	return 0;
}

/* The same bytes as text, for the string helpers. */
static void fuzz_text(const uint8_t *data, size_t size)
{
	char s[96], out[INET6_ADDRSTRLEN];
	uint8_t mac[6], plen;
	RtnlIp ip, back;
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;

	memcpy(s, data, n);
	s[n] = '\0';
	if (name_ifname_valid(s))
		FUZZ_ASSERT(strlen(s) >= 1 && strlen(s) < IFNAMSIZ && !strpbrk(s, "/: \t\n\v\f\r"));
	if (rtnl_ip_parse(s, &ip) == 0) {
		rtnl_ip_format(&ip, out, sizeof(out));
		FUZZ_ASSERT(rtnl_ip_parse(out, &back) == 0 && fuzz_ip_eq(&ip, &back));
	}
	if (rtnl_prefix_parse(s, &ip, &plen) == 0)
		FUZZ_ASSERT(plen <= (ip.family == AF_INET ? 32 : 128));
	if (rtnl_mac_parse(s, mac) == 0) {
		char text[18];
		uint8_t again[6];

		rtnl_mac_format(mac, 6, text, sizeof(text));
		FUZZ_ASSERT(rtnl_mac_parse(text, again) == 0 && memcmp(mac, again, 6) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size heap copy: aligned like a recv buffer, and ASan flags any read past it. */
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	rtnl_walk(buf, size, fuzz_msg, NULL);
	free(buf);
	fuzz_text(data, size);
	return 0;
}
