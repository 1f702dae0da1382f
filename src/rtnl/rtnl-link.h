/* Link kinds, link attributes, bridge ports and VLANs, statistics and tun/tap of the rtnl codec:
 * plain structs a protobuf converter can fill. Part of rtnl.h (which includes it); no I/O. */
#pragma once

#include <linux/if_link.h>
#include <stdbool.h>
#include <stdint.h>

struct ifreq;

/* A setting a request may leave alone: zero (the default of a zeroed struct) means leave. */
typedef enum {
	RTNL_TRI_LEAVE = 0,
	RTNL_TRI_OFF,
	RTNL_TRI_ON,
} RtnlTri;

/* vlan: IFLA_VLAN_*; the parent is a top-level IFLA_LINK. */
typedef struct RtnlVlan {
	uint32_t parent_index; /* IFLA_LINK, required */
	uint16_t id;	       /* 1..4094, required */
	uint16_t protocol;     /* ETH_P_8021Q or ETH_P_8021AD (host order); 0: unset (802.1Q) */
} RtnlVlan;

typedef struct RtnlVrf {
	uint32_t table; /* IFLA_VRF_TABLE, required (> 0) */
} RtnlVrf;

/* bond: every option is sent only when its has_ flag is set. */
typedef struct RtnlBond {
	bool has_mode;
	uint8_t mode; /* BOND_MODE_*: rtnl_bond_mode_from_name() */
	bool has_miimon;
	uint32_t miimon; /* ms */
	bool has_lacp_rate;
	uint8_t lacp_rate; /* 0 slow, 1 fast */
	bool has_xmit_hash_policy;
	uint8_t xmit_hash_policy; /* BOND_XMIT_POLICY_*: rtnl_bond_xmit_hash_from_name() */
} RtnlBond;

typedef struct RtnlIpvlan {
	uint32_t parent_index; /* IFLA_LINK, required */
	bool has_mode;
	uint16_t mode;	/* IPVLAN_MODE_L2/L3/L3S */
	uint16_t flags; /* IPVLAN_F_*; sent with the mode, as iproute2 does */
} RtnlIpvlan;

typedef struct RtnlGeneve {
	uint32_t id;   /* VNI, 0..2^24-1 */
	RtnlIp remote; /* required: IFLA_GENEVE_REMOTE or REMOTE6 */
	uint16_t port; /* host order; 0: unset (kernel default 6081) */
	uint8_t ttl;   /* 0: inherit from the route */
	uint8_t tos;
	uint32_t label; /* IPv6 flow label (network order on the wire) */
} RtnlGeneve;

/* gre, gretap, ip6gre (IFLA_GRE_*) and ipip, sit (IFLA_IPTUN_*). Keys are host order; a key sets
 * GRE_KEY in the matching i/oflags. ipip and sit have no keys. */
typedef struct RtnlTunnel {
	RtnlIp local, remote; /* family 0: unset; both set must be of one family */
	uint8_t ttl;	      /* 0: inherit */
	uint8_t tos;
	bool has_ikey, has_okey;
	uint32_t ikey, okey;
	uint32_t link; /* underlay device index, 0: none */
	bool nopmtudisc;
} RtnlTunnel;

/* Bridge options (IFLA_BR_*), on create and on change. */
typedef struct RtnlBridgeOpts {
	RtnlTri vlan_filtering;
	uint16_t vlan_protocol; /* ETH_P_8021Q/AD host order; 0: leave */
	bool has_default_pvid;
	uint16_t default_pvid; /* 0 disables */
	bool has_stp_state;
	uint32_t stp_state;
	bool has_ageing_time;
	uint32_t ageing_time; /* centiseconds, as iproute2 and the kernel take it */
	bool has_forward_delay;
	uint32_t forward_delay; /* centiseconds */
	RtnlTri mcast_snooping;
} RtnlBridgeOpts;

/* tun/tap as reported in IFLA_INFO_DATA (creation is TUNSETIFF, see rtnl_tun_ifreq()). */
typedef struct RtnlTun {
	uint8_t type; /* IFF_TUN or IFF_TAP */
	bool has_owner, has_group;
	uint32_t owner, group;
	bool pi, vnet_hdr, persist, multi_queue;
	uint32_t num_queues, num_disabled_queues;
} RtnlTun;

/* Attributes settable on create and on change. */
typedef struct RtnlLinkAttrs {
	const char *alias; /* NULL: leave; "" clears it */
	bool has_txqlen;
	uint32_t txqlen;
	RtnlTri promisc, allmulti, multicast, arp; /* ifi_flags/ifi_change; arp off = IFF_NOARP */
	bool has_addr_gen_mode;
	uint8_t addr_gen_mode; /* IN6_ADDR_GEN_MODE_*: rtnl_addr_gen_mode_from_name() */
} RtnlLinkAttrs;

/* Bridge port flags: RTM_SETLINK AF_BRIDGE with IFLA_PROTINFO, as `bridge link set`. */
typedef struct RtnlBrport {
	RtnlTri hairpin, learning, flood, mcast_flood, isolated, neigh_suppress;
	bool has_cost;
	uint32_t cost;
	bool has_priority;
	uint16_t priority;
	bool has_state;
	uint8_t state; /* BR_STATE_*, parsed only */
} RtnlBrport;

/* One VLAN or a range [vid, vid_end] of a bridge port. */
typedef enum {
	RTNL_BRVLAN_DEFAULT = 0, /* no IFLA_BRIDGE_FLAGS: the kernel's default (master) */
	RTNL_BRVLAN_MASTER,
	RTNL_BRVLAN_SELF,
} RtnlBrvlanTarget;

typedef struct RtnlBridgeVlan {
	uint16_t vid;	  /* 1..4094 */
	uint16_t vid_end; /* 0 or vid: one VLAN; > vid: a range */
	bool pvid, untagged;
	RtnlBrvlanTarget target; /* builders only */
} RtnlBridgeVlan;

/* Link statistics: the kernel's struct rtnl_link_stats64 as this header knows it; fields the
 * kernel did not send stay 0. */
typedef struct rtnl_link_stats64 RtnlLinkStats;

/* Names <-> values as iproute2 spells them; from_name returns the value or -EINVAL. */
int rtnl_bond_mode_from_name(const char *name);
const char *rtnl_bond_mode_name(uint8_t mode);
int rtnl_bond_xmit_hash_from_name(const char *name);
const char *rtnl_bond_xmit_hash_name(uint8_t policy);
int rtnl_ipvlan_mode_from_name(const char *name);
const char *rtnl_ipvlan_mode_name(uint16_t mode);
int rtnl_macvlan_mode_from_name(const char *name);
const char *rtnl_macvlan_mode_name(uint32_t mode);
int rtnl_addr_gen_mode_from_name(const char *name);
const char *rtnl_addr_gen_mode_name(uint8_t mode);
/* "802.1Q"/"802.1ad" (either case) -> ETH_P_8021Q/ETH_P_8021AD. */
int rtnl_vlan_protocol_from_name(const char *name);

/* tun/tap: fills ifr for TUNSETIFF. name may be NULL or "" (the kernel picks tunN/tapN). owner
 * and group are -1 for none, else a uid/gid below (uid_t)-1; checked here for TUNSETOWNER and
 * TUNSETGROUP, which the caller issues after TUNSETIFF. -EINVAL with *ret_field naming the bad
 * field ("name", "owner", "group", "flags"). */
typedef struct RtnlTunSpec {
	const char *name;
	bool tap; /* IFF_TAP, else IFF_TUN */
	bool multi_queue, no_pi, vnet_hdr;
	int64_t owner, group;
} RtnlTunSpec;
int rtnl_tun_ifreq(const RtnlTunSpec *spec, struct ifreq *ret, const char **ret_field);
