/* Link kinds of the rtnl codec beyond veth/vxlan/macvlan: one table of kind names, then per kind
 * the IFLA_INFO_DATA builder (attributes in iproute2 6.1's order, defaults included, so requests
 * compare byte for byte with its own), its validation and its reply parser; tun/tap's ifreq. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_bonding.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/if_tunnel.h>
#include <linux/ip6_tunnel.h>
#include <string.h>
#include <strings.h>

#include "core/macro.h"
#include "core/names.h"
#include "rtnl-internal.h"

typedef struct RtnlName {
	const char *name;
	int value;
} RtnlName;

static const RtnlName rtnl_kinds[] = {
	{ "veth", RTNL_KIND_VETH },	  { "bridge", RTNL_KIND_BRIDGE },
	{ "vxlan", RTNL_KIND_VXLAN },	  { "macvlan", RTNL_KIND_MACVLAN },
	{ "ifb", RTNL_KIND_IFB },	  { "dummy", RTNL_KIND_DUMMY },
	{ "vlan", RTNL_KIND_VLAN },	  { "vrf", RTNL_KIND_VRF },
	{ "bond", RTNL_KIND_BOND },	  { "ipvlan", RTNL_KIND_IPVLAN },
	{ "macvtap", RTNL_KIND_MACVTAP }, { "geneve", RTNL_KIND_GENEVE },
	{ "gre", RTNL_KIND_GRE },	  { "gretap", RTNL_KIND_GRETAP },
	{ "ip6gre", RTNL_KIND_IP6GRE },	  { "ipip", RTNL_KIND_IPIP },
	{ "sit", RTNL_KIND_SIT },	  { "wireguard", RTNL_KIND_WIREGUARD },
	{ "tun", RTNL_KIND_TUN },	  { NULL, 0 },
};

static const RtnlName rtnl_bond_modes[] = {
	{ "balance-rr", BOND_MODE_ROUNDROBIN }, { "active-backup", BOND_MODE_ACTIVEBACKUP },
	{ "balance-xor", BOND_MODE_XOR },	{ "broadcast", BOND_MODE_BROADCAST },
	{ "802.3ad", BOND_MODE_8023AD },	{ "balance-tlb", BOND_MODE_TLB },
	{ "balance-alb", BOND_MODE_ALB },	{ NULL, 0 },
};

static const RtnlName rtnl_bond_xmit_hashes[] = {
	{ "layer2", BOND_XMIT_POLICY_LAYER2 },
	{ "layer3+4", BOND_XMIT_POLICY_LAYER34 },
	{ "layer2+3", BOND_XMIT_POLICY_LAYER23 },
	{ "encap2+3", BOND_XMIT_POLICY_ENCAP23 },
	{ "encap3+4", BOND_XMIT_POLICY_ENCAP34 },
	{ "vlan+srcmac", BOND_XMIT_POLICY_VLAN_SRCMAC },
	{ NULL, 0 },
};

static const RtnlName rtnl_ipvlan_modes[] = {
	{ "l2", IPVLAN_MODE_L2 },
	{ "l3", IPVLAN_MODE_L3 },
	{ "l3s", IPVLAN_MODE_L3S },
	{ NULL, 0 },
};

static const RtnlName rtnl_macvlan_modes[] = {
	{ "private", MACVLAN_MODE_PRIVATE }, { "vepa", MACVLAN_MODE_VEPA },
	{ "bridge", MACVLAN_MODE_BRIDGE },   { "passthru", MACVLAN_MODE_PASSTHRU },
	{ "source", MACVLAN_MODE_SOURCE },   { NULL, 0 },
};

/* iproute2 calls IN6_ADDR_GEN_MODE_STABLE_PRIVACY "stable_secret". */
static const RtnlName rtnl_addr_gen_modes[] = {
	{ "eui64", IN6_ADDR_GEN_MODE_EUI64 },
	{ "none", IN6_ADDR_GEN_MODE_NONE },
	{ "stable_secret", IN6_ADDR_GEN_MODE_STABLE_PRIVACY },
	{ "random", IN6_ADDR_GEN_MODE_RANDOM },
	{ NULL, 0 },
};

static int rtnl_name_lookup(const RtnlName *t, const char *name)
{
	if (!name)
		return -EINVAL;
	for (; t->name; t++)
		if (strcmp(t->name, name) == 0)
			return t->value;
	return -EINVAL;
}

static const char *rtnl_name_of(const RtnlName *t, int value)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

int rtnl_kind_from_name(const char *name)
{
	return rtnl_name_lookup(rtnl_kinds, name);
}

const char *rtnl_kind_to_name(RtnlKind kind)
{
	return rtnl_name_of(rtnl_kinds, (int)kind);
}

int rtnl_bond_mode_from_name(const char *name)
{
	return rtnl_name_lookup(rtnl_bond_modes, name);
}

const char *rtnl_bond_mode_name(uint8_t mode)
{
	return rtnl_name_of(rtnl_bond_modes, mode);
}

int rtnl_bond_xmit_hash_from_name(const char *name)
{
	return rtnl_name_lookup(rtnl_bond_xmit_hashes, name);
}

const char *rtnl_bond_xmit_hash_name(uint8_t policy)
{
	return rtnl_name_of(rtnl_bond_xmit_hashes, policy);
}

int rtnl_ipvlan_mode_from_name(const char *name)
{
	return rtnl_name_lookup(rtnl_ipvlan_modes, name);
}

const char *rtnl_ipvlan_mode_name(uint16_t mode)
{
	return rtnl_name_of(rtnl_ipvlan_modes, mode);
}

int rtnl_macvlan_mode_from_name(const char *name)
{
	return rtnl_name_lookup(rtnl_macvlan_modes, name);
}

const char *rtnl_macvlan_mode_name(uint32_t mode)
{
	return mode > INT32_MAX ? NULL : rtnl_name_of(rtnl_macvlan_modes, (int)mode);
}

int rtnl_addr_gen_mode_from_name(const char *name)
{
	return rtnl_name_lookup(rtnl_addr_gen_modes, name);
}

const char *rtnl_addr_gen_mode_name(uint8_t mode)
{
	return rtnl_name_of(rtnl_addr_gen_modes, mode);
}

int rtnl_vlan_protocol_from_name(const char *name)
{
	if (name && strcasecmp(name, "802.1q") == 0)
		return ETH_P_8021Q;
	if (name && strcasecmp(name, "802.1ad") == 0)
		return ETH_P_8021AD;
	return -EINVAL;
}

static int rtnl_bad(const char **ret_field, const char *field)
{
	if (ret_field)
		*ret_field = field;
	return -EINVAL;
}

static bool rtnl_ip_ok(const RtnlIp *ip)
{
	return ip->family == 0 || rtnl_family_len(ip->family) > 0;
}

/* local/remote of a tunnel: each of a known family, one family for both, and the family the
 * kind carries (ip6gre IPv6, the others IPv4). */
static int rtnl_tunnel_check(const RtnlTunnel *t, int family, bool keys, const char **ret_field)
{
	if (!rtnl_ip_ok(&t->local) || (t->local.family && t->local.family != family))
		return rtnl_bad(ret_field, "tunnel.local");
	if (!rtnl_ip_ok(&t->remote) || (t->remote.family && t->remote.family != family))
		return rtnl_bad(ret_field, "tunnel.remote");
	if (!keys && (t->has_ikey || t->has_okey))
		return rtnl_bad(ret_field, t->has_ikey ? "tunnel.ikey" : "tunnel.okey");
	return 0;
}

int rtnl_bridge_opts_check(const RtnlBridgeOpts *b, const char **ret_field)
{
	if (b->vlan_filtering > RTNL_TRI_ON)
		return rtnl_bad(ret_field, "bridge.vlan_filtering");
	if (b->mcast_snooping > RTNL_TRI_ON)
		return rtnl_bad(ret_field, "bridge.mcast_snooping");
	if (b->vlan_protocol && b->vlan_protocol != ETH_P_8021Q && b->vlan_protocol != ETH_P_8021AD)
		return rtnl_bad(ret_field, "bridge.vlan_protocol");
	if (b->has_default_pvid && b->default_pvid > 4094)
		return rtnl_bad(ret_field, "bridge.default_pvid");
	return 0;
}

int rtnl_kind_check(const RtnlLinkSpec *spec, const char **ret_field)
{
	switch (spec->kind) {
	case RTNL_KIND_BRIDGE:
		return rtnl_bridge_opts_check(&spec->bridge, ret_field);
	case RTNL_KIND_VLAN:
		if (spec->vlan.parent_index == 0)
			return rtnl_bad(ret_field, "vlan.parent_index");
		if (spec->vlan.id < 1 || spec->vlan.id > 4094)
			return rtnl_bad(ret_field, "vlan.id");
		if (spec->vlan.protocol && spec->vlan.protocol != ETH_P_8021Q &&
		    spec->vlan.protocol != ETH_P_8021AD)
			return rtnl_bad(ret_field, "vlan.protocol");
		return 0;
	case RTNL_KIND_VRF:
		if (spec->vrf.table == 0)
			return rtnl_bad(ret_field, "vrf.table");
		return 0;
	case RTNL_KIND_BOND:
		if (spec->bond.has_mode && !rtnl_bond_mode_name(spec->bond.mode))
			return rtnl_bad(ret_field, "bond.mode");
		if (spec->bond.has_lacp_rate && spec->bond.lacp_rate > 1)
			return rtnl_bad(ret_field, "bond.lacp_rate");
		if (spec->bond.has_xmit_hash_policy &&
		    !rtnl_bond_xmit_hash_name(spec->bond.xmit_hash_policy))
			return rtnl_bad(ret_field, "bond.xmit_hash_policy");
		return 0;
	case RTNL_KIND_IPVLAN:
		if (spec->ipvlan.parent_index == 0)
			return rtnl_bad(ret_field, "ipvlan.parent_index");
		if (spec->ipvlan.has_mode && spec->ipvlan.mode >= IPVLAN_MODE_MAX)
			return rtnl_bad(ret_field, "ipvlan.mode");
		return 0;
	case RTNL_KIND_MACVTAP:
		if (spec->macvlan.parent_index == 0)
			return rtnl_bad(ret_field, "macvlan.parent_index");
		if (spec->macvlan.mode && !rtnl_macvlan_mode_name(spec->macvlan.mode))
			return rtnl_bad(ret_field, "macvlan.mode");
		return 0;
	case RTNL_KIND_GENEVE:
		if (spec->geneve.id > 0xffffff)
			return rtnl_bad(ret_field, "geneve.id");
		if (!rtnl_family_len(spec->geneve.remote.family))
			return rtnl_bad(ret_field, "geneve.remote");
		if (spec->geneve.label > 0xfffff ||
		    (spec->geneve.label && spec->geneve.remote.family != AF_INET6))
			return rtnl_bad(ret_field, "geneve.label");
		return 0;
	case RTNL_KIND_GRE:
	case RTNL_KIND_GRETAP:
		return rtnl_tunnel_check(&spec->tunnel, AF_INET, true, ret_field);
	case RTNL_KIND_IP6GRE:
		return rtnl_tunnel_check(&spec->tunnel, AF_INET6, true, ret_field);
	case RTNL_KIND_IPIP:
	case RTNL_KIND_SIT:
		return rtnl_tunnel_check(&spec->tunnel, AF_INET, false, ret_field);
	case RTNL_KIND_TUN:
		/* No rtnetlink create for tun/tap: TUNSETIFF (rtnl_tun_ifreq()). */
		return rtnl_bad(ret_field, "kind");
	default:
		return 0;
	}
}

uint32_t rtnl_kind_parent(const RtnlLinkSpec *spec)
{
	switch (spec->kind) {
	case RTNL_KIND_MACVLAN:
	case RTNL_KIND_MACVTAP:
		return spec->macvlan.parent_index;
	case RTNL_KIND_VLAN:
		return spec->vlan.parent_index;
	case RTNL_KIND_IPVLAN:
		return spec->ipvlan.parent_index;
	default:
		return 0;
	}
}

static int rtnl_vlan_put(struct nlmsghdr *nlh, size_t size, const RtnlVlan *v)
{
	if (!rtnl_put_u16(nlh, size, IFLA_VLAN_ID, v->id))
		return -ENOBUFS;
	if (v->protocol && !rtnl_put_u16(nlh, size, IFLA_VLAN_PROTOCOL, htons(v->protocol)))
		return -ENOBUFS;
	return 0;
}

static int rtnl_bond_put(struct nlmsghdr *nlh, size_t size, const RtnlBond *b)
{
	if (b->has_mode && !rtnl_put_u8(nlh, size, IFLA_BOND_MODE, b->mode))
		return -ENOBUFS;
	if (b->has_miimon && !rtnl_put_u32(nlh, size, IFLA_BOND_MIIMON, b->miimon))
		return -ENOBUFS;
	if (b->has_lacp_rate && !rtnl_put_u8(nlh, size, IFLA_BOND_AD_LACP_RATE, b->lacp_rate))
		return -ENOBUFS;
	if (b->has_xmit_hash_policy &&
	    !rtnl_put_u8(nlh, size, IFLA_BOND_XMIT_HASH_POLICY, b->xmit_hash_policy))
		return -ENOBUFS;
	return 0;
}

static int rtnl_geneve_put(struct nlmsghdr *nlh, size_t size, const RtnlGeneve *g)
{
	bool v4 = g->remote.family == AF_INET;

	if (!rtnl_put_u32(nlh, size, IFLA_GENEVE_ID, g->id) ||
	    !rtnl_put_ip(nlh, size, v4 ? IFLA_GENEVE_REMOTE : IFLA_GENEVE_REMOTE6, &g->remote) ||
	    !rtnl_put_u32(nlh, size, IFLA_GENEVE_LABEL, htonl(g->label)) ||
	    !rtnl_put_u8(nlh, size, IFLA_GENEVE_TTL, g->ttl) ||
	    !rtnl_put_u8(nlh, size, IFLA_GENEVE_TOS, g->tos))
		return -ENOBUFS;
	if (g->port && !rtnl_put_u16(nlh, size, IFLA_GENEVE_PORT, htons(g->port)))
		return -ENOBUFS;
	return 0;
}

/* gre, gretap and ip6gre: iproute2 sends every setting, the unset ones as their defaults. */
static int rtnl_gre_put(struct nlmsghdr *nlh, size_t size, const RtnlTunnel *t, bool v6)
{
	uint16_t iflags = t->has_ikey ? GRE_KEY : 0, oflags = t->has_okey ? GRE_KEY : 0;

	if (!rtnl_put_u32(nlh, size, IFLA_GRE_IKEY, t->has_ikey ? htonl(t->ikey) : 0) ||
	    !rtnl_put_u32(nlh, size, IFLA_GRE_OKEY, t->has_okey ? htonl(t->okey) : 0) ||
	    !rtnl_put_u16(nlh, size, IFLA_GRE_IFLAGS, iflags) ||
	    !rtnl_put_u16(nlh, size, IFLA_GRE_OFLAGS, oflags))
		return -ENOBUFS;
	if (t->local.family && !rtnl_put_ip(nlh, size, IFLA_GRE_LOCAL, &t->local))
		return -ENOBUFS;
	if (t->remote.family && !rtnl_put_ip(nlh, size, IFLA_GRE_REMOTE, &t->remote))
		return -ENOBUFS;
	if (v6) {
		/* ip6gre: hop limit, the default encapsulation limit, flow info, flags, fwmark and
		 * an ERSPAN version the kernel ignores for plain ip6gre (iproute2 sends it). */
		if (t->link && !rtnl_put_u32(nlh, size, IFLA_GRE_LINK, t->link))
			return -ENOBUFS;
		if (!rtnl_put_u8(nlh, size, IFLA_GRE_TTL, t->ttl) ||
		    !rtnl_put_u8(nlh, size, IFLA_GRE_ENCAP_LIMIT, IPV6_DEFAULT_TNL_ENCAP_LIMIT) ||
		    !rtnl_put_u32(nlh, size, IFLA_GRE_FLOWINFO, 0) ||
		    !rtnl_put_u32(nlh, size, IFLA_GRE_FLAGS, 0) ||
		    !rtnl_put_u32(nlh, size, IFLA_GRE_FWMARK, 0) ||
		    !rtnl_put_u8(nlh, size, IFLA_GRE_ERSPAN_VER, 1) ||
		    !rtnl_put_u16(nlh, size, IFLA_GRE_ENCAP_TYPE, 0) ||
		    !rtnl_put_u16(nlh, size, IFLA_GRE_ENCAP_FLAGS, TUNNEL_ENCAP_FLAG_CSUM6) ||
		    !rtnl_put_u16(nlh, size, IFLA_GRE_ENCAP_SPORT, 0) ||
		    !rtnl_put_u16(nlh, size, IFLA_GRE_ENCAP_DPORT, 0))
			return -ENOBUFS;
		return 0;
	}
	if (!rtnl_put_u8(nlh, size, IFLA_GRE_PMTUDISC, !t->nopmtudisc) ||
	    !rtnl_put_u8(nlh, size, IFLA_GRE_TOS, t->tos))
		return -ENOBUFS;
	if (t->link && !rtnl_put_u32(nlh, size, IFLA_GRE_LINK, t->link))
		return -ENOBUFS;
	if (!rtnl_put_u8(nlh, size, IFLA_GRE_TTL, t->ttl) ||
	    !rtnl_put_u32(nlh, size, IFLA_GRE_FWMARK, 0) ||
	    !rtnl_put_u16(nlh, size, IFLA_GRE_ENCAP_TYPE, 0) ||
	    !rtnl_put_u16(nlh, size, IFLA_GRE_ENCAP_FLAGS, 0) ||
	    !rtnl_put_u16(nlh, size, IFLA_GRE_ENCAP_SPORT, 0) ||
	    !rtnl_put_u16(nlh, size, IFLA_GRE_ENCAP_DPORT, 0))
		return -ENOBUFS;
	return 0;
}

/* ipip and sit (IFLA_IPTUN_*), same rule: everything, defaults included. */
static int rtnl_iptun_put(struct nlmsghdr *nlh, size_t size, const RtnlTunnel *t, bool sit)
{
	if (!rtnl_put_u8(nlh, size, IFLA_IPTUN_PROTO, 0))
		return -ENOBUFS;
	if (t->local.family && !rtnl_put_ip(nlh, size, IFLA_IPTUN_LOCAL, &t->local))
		return -ENOBUFS;
	if (t->remote.family && !rtnl_put_ip(nlh, size, IFLA_IPTUN_REMOTE, &t->remote))
		return -ENOBUFS;
	if (!rtnl_put_u8(nlh, size, IFLA_IPTUN_PMTUDISC, !t->nopmtudisc) ||
	    !rtnl_put_u8(nlh, size, IFLA_IPTUN_TOS, t->tos) ||
	    !rtnl_put_u8(nlh, size, IFLA_IPTUN_TTL, t->ttl) ||
	    !rtnl_put_u32(nlh, size, IFLA_IPTUN_LINK, t->link) ||
	    !rtnl_put_u32(nlh, size, IFLA_IPTUN_FWMARK, 0) ||
	    !rtnl_put_u16(nlh, size, IFLA_IPTUN_ENCAP_TYPE, 0) ||
	    !rtnl_put_u16(nlh, size, IFLA_IPTUN_ENCAP_FLAGS, 0) ||
	    !rtnl_put_u16(nlh, size, IFLA_IPTUN_ENCAP_SPORT, 0) ||
	    !rtnl_put_u16(nlh, size, IFLA_IPTUN_ENCAP_DPORT, 0))
		return -ENOBUFS;
	if (sit && !rtnl_put_u16(nlh, size, IFLA_IPTUN_FLAGS, 0))
		return -ENOBUFS;
	return 0;
}

int rtnl_bridge_opts_put(struct nlmsghdr *nlh, size_t size, const RtnlBridgeOpts *b)
{
	if (b->vlan_filtering &&
	    !rtnl_put_u8(nlh, size, IFLA_BR_VLAN_FILTERING, b->vlan_filtering == RTNL_TRI_ON))
		return -ENOBUFS;
	if (b->vlan_protocol &&
	    !rtnl_put_u16(nlh, size, IFLA_BR_VLAN_PROTOCOL, htons(b->vlan_protocol)))
		return -ENOBUFS;
	if (b->has_default_pvid &&
	    !rtnl_put_u16(nlh, size, IFLA_BR_VLAN_DEFAULT_PVID, b->default_pvid))
		return -ENOBUFS;
	if (b->has_stp_state && !rtnl_put_u32(nlh, size, IFLA_BR_STP_STATE, b->stp_state))
		return -ENOBUFS;
	if (b->has_ageing_time && !rtnl_put_u32(nlh, size, IFLA_BR_AGEING_TIME, b->ageing_time))
		return -ENOBUFS;
	if (b->has_forward_delay &&
	    !rtnl_put_u32(nlh, size, IFLA_BR_FORWARD_DELAY, b->forward_delay))
		return -ENOBUFS;
	if (b->mcast_snooping &&
	    !rtnl_put_u8(nlh, size, IFLA_BR_MCAST_SNOOPING, b->mcast_snooping == RTNL_TRI_ON))
		return -ENOBUFS;
	return 0;
}

static bool rtnl_bridge_opts_empty(const RtnlBridgeOpts *b)
{
	return !b->vlan_filtering && !b->vlan_protocol && !b->has_default_pvid &&
	       !b->has_stp_state && !b->has_ageing_time && !b->has_forward_delay &&
	       !b->mcast_snooping;
}

int rtnl_kind_put_data(struct nlmsghdr *nlh, size_t size, const RtnlLinkSpec *spec)
{
	struct nlattr *data;
	int r;

	switch (spec->kind) {
	case RTNL_KIND_VLAN:
	case RTNL_KIND_VRF:
	case RTNL_KIND_BOND:
	case RTNL_KIND_GENEVE:
	case RTNL_KIND_GRE:
	case RTNL_KIND_GRETAP:
	case RTNL_KIND_IP6GRE:
	case RTNL_KIND_IPIP:
	case RTNL_KIND_SIT:
		break;
	case RTNL_KIND_IPVLAN:
		if (!spec->ipvlan.has_mode)
			return 0;
		break;
	case RTNL_KIND_MACVTAP:
		if (!spec->macvlan.mode)
			return 0;
		break;
	case RTNL_KIND_BRIDGE:
		if (rtnl_bridge_opts_empty(&spec->bridge))
			return 0;
		break;
	default:
		return 0;
	}
	/* A bond without options gets no IFLA_INFO_DATA, as from iproute2. */
	if (spec->kind == RTNL_KIND_BOND && !spec->bond.has_mode && !spec->bond.has_miimon &&
	    !spec->bond.has_lacp_rate && !spec->bond.has_xmit_hash_policy)
		return 0;

	data = rtnl_nest_start(nlh, size, IFLA_INFO_DATA);
	if (!data)
		return -ENOBUFS;
	switch (spec->kind) {
	case RTNL_KIND_VLAN:
		r = rtnl_vlan_put(nlh, size, &spec->vlan);
		break;
	case RTNL_KIND_VRF:
		r = rtnl_put_u32(nlh, size, IFLA_VRF_TABLE, spec->vrf.table) ? 0 : -ENOBUFS;
		break;
	case RTNL_KIND_BOND:
		r = rtnl_bond_put(nlh, size, &spec->bond);
		break;
	case RTNL_KIND_IPVLAN:
		r = rtnl_put_u16(nlh, size, IFLA_IPVLAN_MODE, spec->ipvlan.mode) &&
				    rtnl_put_u16(nlh, size, IFLA_IPVLAN_FLAGS, spec->ipvlan.flags)
			    ? 0
			    : -ENOBUFS;
		break;
	case RTNL_KIND_MACVTAP:
		r = rtnl_put_u32(nlh, size, IFLA_MACVLAN_MODE, spec->macvlan.mode) ? 0 : -ENOBUFS;
		break;
	case RTNL_KIND_BRIDGE:
		r = rtnl_bridge_opts_put(nlh, size, &spec->bridge);
		break;
	case RTNL_KIND_GENEVE:
		r = rtnl_geneve_put(nlh, size, &spec->geneve);
		break;
	case RTNL_KIND_GRE:
	case RTNL_KIND_GRETAP:
	case RTNL_KIND_IP6GRE:
		r = rtnl_gre_put(nlh, size, &spec->tunnel, spec->kind == RTNL_KIND_IP6GRE);
		break;
	default: /* ipip, sit */
		r = rtnl_iptun_put(nlh, size, &spec->tunnel, spec->kind == RTNL_KIND_SIT);
		break;
	}
	if (r < 0)
		return r;
	mnl_attr_nest_end(nlh, data);
	return 0;
}

/* ---- replies */

static int rtnl_vlan_attr(const struct nlattr *attr, void *userdata)
{
	RtnlVlan *v = userdata;
	int r;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_VLAN_ID:
		return rtnl_get_u16(attr, &v->id);
	case IFLA_VLAN_PROTOCOL:
		r = rtnl_get_u16(attr, &v->protocol);
		v->protocol = ntohs(v->protocol);
		return r;
	default:
		return 0;
	}
}

static int rtnl_vrf_attr(const struct nlattr *attr, void *userdata)
{
	RtnlVrf *v = userdata;

	return mnl_attr_get_type(attr) == IFLA_VRF_TABLE ? rtnl_get_u32(attr, &v->table) : 0;
}

static int rtnl_bond_attr(const struct nlattr *attr, void *userdata)
{
	RtnlBond *b = userdata;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_BOND_MODE:
		b->has_mode = true;
		return rtnl_get_u8(attr, &b->mode);
	case IFLA_BOND_MIIMON:
		b->has_miimon = true;
		return rtnl_get_u32(attr, &b->miimon);
	case IFLA_BOND_AD_LACP_RATE:
		b->has_lacp_rate = true;
		return rtnl_get_u8(attr, &b->lacp_rate);
	case IFLA_BOND_XMIT_HASH_POLICY:
		b->has_xmit_hash_policy = true;
		return rtnl_get_u8(attr, &b->xmit_hash_policy);
	default:
		return 0;
	}
}

static int rtnl_ipvlan_attr(const struct nlattr *attr, void *userdata)
{
	RtnlIpvlan *v = userdata;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IPVLAN_MODE:
		v->has_mode = true;
		return rtnl_get_u16(attr, &v->mode);
	case IFLA_IPVLAN_FLAGS:
		return rtnl_get_u16(attr, &v->flags);
	default:
		return 0;
	}
}

static int rtnl_macvlan_attr(const struct nlattr *attr, void *userdata)
{
	uint32_t *mode = userdata;

	return mnl_attr_get_type(attr) == IFLA_MACVLAN_MODE ? rtnl_get_u32(attr, mode) : 0;
}

static int rtnl_geneve_attr(const struct nlattr *attr, void *userdata)
{
	RtnlGeneve *g = userdata;
	int r;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_GENEVE_ID:
		return rtnl_get_u32(attr, &g->id);
	case IFLA_GENEVE_REMOTE:
		return rtnl_attr_ip(attr, AF_INET, &g->remote);
	case IFLA_GENEVE_REMOTE6:
		return rtnl_attr_ip(attr, AF_INET6, &g->remote);
	case IFLA_GENEVE_TTL:
		return rtnl_get_u8(attr, &g->ttl);
	case IFLA_GENEVE_TOS:
		return rtnl_get_u8(attr, &g->tos);
	case IFLA_GENEVE_LABEL:
		r = rtnl_get_u32(attr, &g->label);
		g->label = ntohl(g->label);
		return r;
	case IFLA_GENEVE_PORT:
		r = rtnl_get_u16(attr, &g->port);
		g->port = ntohs(g->port);
		return r;
	default:
		return 0;
	}
}

typedef struct RtnlTunnelParse {
	RtnlTunnel *t;
	int family;
	uint16_t iflags, oflags;
	uint32_t ikey, okey;
} RtnlTunnelParse;

static int rtnl_gre_attr(const struct nlattr *attr, void *userdata)
{
	RtnlTunnelParse *p = userdata;
	uint8_t pmtudisc = 1;
	int r;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_GRE_LOCAL:
		return rtnl_attr_ip(attr, p->family, &p->t->local);
	case IFLA_GRE_REMOTE:
		return rtnl_attr_ip(attr, p->family, &p->t->remote);
	case IFLA_GRE_TTL:
		return rtnl_get_u8(attr, &p->t->ttl);
	case IFLA_GRE_TOS:
		return rtnl_get_u8(attr, &p->t->tos);
	case IFLA_GRE_LINK:
		return rtnl_get_u32(attr, &p->t->link);
	case IFLA_GRE_IKEY:
		return rtnl_get_u32(attr, &p->ikey);
	case IFLA_GRE_OKEY:
		return rtnl_get_u32(attr, &p->okey);
	case IFLA_GRE_IFLAGS:
		return rtnl_get_u16(attr, &p->iflags);
	case IFLA_GRE_OFLAGS:
		return rtnl_get_u16(attr, &p->oflags);
	case IFLA_GRE_PMTUDISC:
		r = rtnl_get_u8(attr, &pmtudisc);
		p->t->nopmtudisc = !pmtudisc;
		return r;
	default:
		return 0;
	}
}

static int rtnl_iptun_attr(const struct nlattr *attr, void *userdata)
{
	RtnlTunnelParse *p = userdata;
	uint8_t pmtudisc = 1;
	int r;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IPTUN_LOCAL:
		return rtnl_attr_ip(attr, AF_INET, &p->t->local);
	case IFLA_IPTUN_REMOTE:
		return rtnl_attr_ip(attr, AF_INET, &p->t->remote);
	case IFLA_IPTUN_TTL:
		return rtnl_get_u8(attr, &p->t->ttl);
	case IFLA_IPTUN_TOS:
		return rtnl_get_u8(attr, &p->t->tos);
	case IFLA_IPTUN_LINK:
		return rtnl_get_u32(attr, &p->t->link);
	case IFLA_IPTUN_PMTUDISC:
		r = rtnl_get_u8(attr, &pmtudisc);
		p->t->nopmtudisc = !pmtudisc;
		return r;
	default:
		return 0;
	}
}

static int rtnl_bridge_attr(const struct nlattr *attr, void *userdata)
{
	RtnlBridgeOpts *b = userdata;
	int r;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_BR_VLAN_FILTERING:
		return rtnl_get_tri(attr, &b->vlan_filtering);
	case IFLA_BR_VLAN_PROTOCOL:
		r = rtnl_get_u16(attr, &b->vlan_protocol);
		b->vlan_protocol = ntohs(b->vlan_protocol);
		return r;
	case IFLA_BR_VLAN_DEFAULT_PVID:
		b->has_default_pvid = true;
		return rtnl_get_u16(attr, &b->default_pvid);
	case IFLA_BR_STP_STATE:
		b->has_stp_state = true;
		return rtnl_get_u32(attr, &b->stp_state);
	case IFLA_BR_AGEING_TIME:
		b->has_ageing_time = true;
		return rtnl_get_u32(attr, &b->ageing_time);
	case IFLA_BR_FORWARD_DELAY:
		b->has_forward_delay = true;
		return rtnl_get_u32(attr, &b->forward_delay);
	case IFLA_BR_MCAST_SNOOPING:
		return rtnl_get_tri(attr, &b->mcast_snooping);
	default:
		return 0;
	}
}

static int rtnl_tun_attr(const struct nlattr *attr, void *userdata)
{
	RtnlTun *t = userdata;
	uint8_t v = 0;
	int r;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_TUN_OWNER:
		t->has_owner = true;
		return rtnl_get_u32(attr, &t->owner);
	case IFLA_TUN_GROUP:
		t->has_group = true;
		return rtnl_get_u32(attr, &t->group);
	case IFLA_TUN_TYPE:
		return rtnl_get_u8(attr, &t->type);
	case IFLA_TUN_NUM_QUEUES:
		return rtnl_get_u32(attr, &t->num_queues);
	case IFLA_TUN_NUM_DISABLED_QUEUES:
		return rtnl_get_u32(attr, &t->num_disabled_queues);
	case IFLA_TUN_PI:
	case IFLA_TUN_VNET_HDR:
	case IFLA_TUN_PERSIST:
	case IFLA_TUN_MULTI_QUEUE:
		r = rtnl_get_u8(attr, &v);
		if (r < 0)
			return r;
		if (mnl_attr_get_type(attr) == IFLA_TUN_PI)
			t->pi = v;
		else if (mnl_attr_get_type(attr) == IFLA_TUN_VNET_HDR)
			t->vnet_hdr = v;
		else if (mnl_attr_get_type(attr) == IFLA_TUN_PERSIST)
			t->persist = v;
		else
			t->multi_queue = v;
		return 0;
	default:
		return 0;
	}
}

int rtnl_kind_parse_data(const struct nlattr *data, RtnlLink *l)
{
	RtnlTunnelParse p = { .t = &l->info.tunnel, .family = AF_INET };
	int kind = rtnl_kind_from_name(l->kind), r;

	switch (kind) {
	case RTNL_KIND_VLAN:
		return rtnl_nested_parse(data, rtnl_vlan_attr, &l->info.vlan);
	case RTNL_KIND_VRF:
		return rtnl_nested_parse(data, rtnl_vrf_attr, &l->info.vrf);
	case RTNL_KIND_BOND:
		return rtnl_nested_parse(data, rtnl_bond_attr, &l->info.bond);
	case RTNL_KIND_IPVLAN:
		return rtnl_nested_parse(data, rtnl_ipvlan_attr, &l->info.ipvlan);
	case RTNL_KIND_MACVTAP:
		return rtnl_nested_parse(data, rtnl_macvlan_attr, &l->info.macvlan.mode);
	case RTNL_KIND_GENEVE:
		return rtnl_nested_parse(data, rtnl_geneve_attr, &l->info.geneve);
	case RTNL_KIND_BRIDGE:
		return rtnl_nested_parse(data, rtnl_bridge_attr, &l->info.bridge);
	case RTNL_KIND_TUN:
		return rtnl_nested_parse(data, rtnl_tun_attr, &l->info.tun);
	case RTNL_KIND_IP6GRE:
		p.family = AF_INET6;
		/* fall through */
	case RTNL_KIND_GRE:
	case RTNL_KIND_GRETAP:
		r = rtnl_nested_parse(data, rtnl_gre_attr, &p);
		if (r < 0)
			return r;
		/* A key is only a key with GRE_KEY in its flags. */
		if (p.iflags & GRE_KEY) {
			l->info.tunnel.has_ikey = true;
			l->info.tunnel.ikey = ntohl(p.ikey);
		}
		if (p.oflags & GRE_KEY) {
			l->info.tunnel.has_okey = true;
			l->info.tunnel.okey = ntohl(p.okey);
		}
		return 0;
	case RTNL_KIND_IPIP:
	case RTNL_KIND_SIT:
		return rtnl_nested_parse(data, rtnl_iptun_attr, &p);
	default:
		return 0;
	}
}

/* ---- tun/tap */

int rtnl_tun_ifreq(const RtnlTunSpec *spec, struct ifreq *ret, const char **ret_field)
{
	struct ifreq ifr = {};

	if (!spec || !ret)
		return rtnl_bad(ret_field, "spec");
	if (spec->name && spec->name[0] && !name_ifname_valid(spec->name))
		return rtnl_bad(ret_field, "name");
	/* (uid_t)-1 means "no change" to chown-like calls: never a real owner. */
	if (spec->owner < -1 || spec->owner >= (int64_t)UINT32_MAX)
		return rtnl_bad(ret_field, "owner");
	if (spec->group < -1 || spec->group >= (int64_t)UINT32_MAX)
		return rtnl_bad(ret_field, "group");
	if (spec->name && spec->name[0])
		memcpy(ifr.ifr_name, spec->name, strlen(spec->name));
	ifr.ifr_flags =
		(short)((spec->tap ? IFF_TAP : IFF_TUN) |
			(spec->multi_queue ? IFF_MULTI_QUEUE : 0) | (spec->no_pi ? IFF_NO_PI : 0) |
			(spec->vnet_hdr ? IFF_VNET_HDR : 0));
	*ret = ifr;
	return 0;
}
