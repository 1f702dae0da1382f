/* Pure rtnetlink codec on libmnl: builds requests into caller-owned buffers and parses
 * replies. No I/O, no allocation, no protobuf: unit-tested and fuzzed on its own. */
#pragma once

#include <linux/if.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address; family 0 means unset. */
typedef struct RtnlIp {
	uint8_t family; /* 0, AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
} RtnlIp;

#include "rtnl-link.h"

/* Parses "198.18.0.1" or "2001:db8::1" into ret; -EINVAL on anything else. */
int rtnl_ip_parse(const char *s, RtnlIp *ret);
/* Parses "ADDR/PLEN" or "ADDR" (full-length prefix); -EINVAL if malformed or plen too big. */
int rtnl_prefix_parse(const char *s, RtnlIp *ret, uint8_t *ret_plen);
/* Formats into buf (at least INET6_ADDRSTRLEN bytes); returns buf. */
const char *rtnl_ip_format(const RtnlIp *ip, char *buf, size_t size);
/* "aa:bb:cc:dd:ee:ff" <-> 6 bytes. Parse returns -EINVAL on malformed input. */
int rtnl_mac_parse(const char *s, uint8_t ret[6]);
/* Formats len bytes as colon-separated hex into buf (3*len bytes); returns buf. */
const char *rtnl_mac_format(const uint8_t *mac, size_t len, char *buf, size_t size);
/* Interface name rules of the kernel's dev_valid_name(): 1..15 bytes, not "." or "..", no
 * '/', ':' or whitespace. */

/* ---- requests. Each builder writes one complete message at buf (size bytes), with
 * NLM_F_REQUEST|NLM_F_ACK set (dumps: NLM_F_REQUEST|NLM_F_DUMP only, they end in NLMSG_DONE)
 * and nlmsg_seq = 0 (the connection assigns sequence numbers). A get is answered by its reply
 * and then an ACK. It returns the message's nlmsg_len, or -ENOBUFS if it does not
 * fit in size, or -EINVAL for an impossible spec (e.g. name too long). */

typedef enum {
	RTNL_KIND_VETH,
	RTNL_KIND_BRIDGE,
	RTNL_KIND_VXLAN,
	RTNL_KIND_MACVLAN,
	RTNL_KIND_IFB,
	RTNL_KIND_DUMMY,
	/* rtnl-linkkind.c; the kernel headers here have no netkit (IFLA_NETKIT_*) */
	RTNL_KIND_VLAN,
	RTNL_KIND_VRF,
	RTNL_KIND_BOND,
	RTNL_KIND_IPVLAN,
	RTNL_KIND_MACVTAP, /* uses the macvlan member */
	RTNL_KIND_GENEVE,
	RTNL_KIND_GRE, /* gre, gretap, ip6gre, ipip, sit: the tunnel member */
	RTNL_KIND_GRETAP,
	RTNL_KIND_IP6GRE,
	RTNL_KIND_IPIP,
	RTNL_KIND_SIT,
	RTNL_KIND_WIREGUARD,
	RTNL_KIND_TUN, /* parse only: tun/tap are created with TUNSETIFF */
} RtnlKind;

/* "vlan" <-> RTNL_KIND_VLAN...; from_name returns the kind or -EINVAL. */
int rtnl_kind_from_name(const char *name);
const char *rtnl_kind_to_name(RtnlKind kind);

typedef struct RtnlLinkSpec {
	const char *name; /* required */
	RtnlKind kind;
	int ns_fd;	       /* >= 0: IFLA_NET_NS_FD, create directly in that namespace */
	uint32_t mtu;	       /* 0: kernel default */
	bool has_mac;
	uint8_t mac[6];
	bool has_group;
	uint32_t group;
	uint32_t master_index; /* 0: none; IFLA_MASTER */
	bool up;	       /* IFF_UP in ifi_flags/ifi_change (callers never set it for veth) */
	RtnlLinkAttrs attrs;
	union {
		struct {
			const char *peer_name; /* required */
			int peer_ns_fd;	       /* >= 0: IFLA_NET_NS_FD inside the peer's ifinfomsg */
		} veth;
		struct {
			uint32_t vni;
			uint16_t port; /* 0: unset (kernel default) */
			RtnlIp local, remote, group; /* family 0: unset; remote/group -> IFLA_VXLAN_GROUP(6) */
			uint32_t dev_index;	     /* 0: unset; IFLA_VXLAN_LINK */
		} vxlan;
		struct {
			uint32_t parent_index; /* IFLA_LINK, required */
			uint32_t mode;	       /* MACVLAN_MODE_*; 0: unset */
		} macvlan;
		RtnlVlan vlan;
		RtnlVrf vrf;
		RtnlBond bond;
		RtnlIpvlan ipvlan;
		RtnlGeneve geneve;
		RtnlTunnel tunnel;
		RtnlBridgeOpts bridge;
	};
} RtnlLinkSpec;

/* RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL and IFLA_LINKINFO. Attributes go in iproute2's order
 * (IFLA_LINK, the others, IFLA_IFNAME, IFLA_LINKINFO) so requests compare with its bytes. */
int rtnl_link_new(void *buf, size_t size, const RtnlLinkSpec *spec);
/* The same; on -EINVAL *ret_field (if not NULL) names the bad field ("name", "vlan.id", ...). */
int rtnl_link_new_ex(void *buf, size_t size, const RtnlLinkSpec *spec, const char **ret_field);
/* The validation alone: 0 or -EINVAL with *ret_field set. */
int rtnl_link_spec_check(const RtnlLinkSpec *spec, const char **ret_field);

typedef struct RtnlLinkChange {
	uint32_t index;	  /* identifies the link ... */
	const char *name; /* ... or, when index is 0, IFLA_IFNAME identifies it */
	int up;		  /* -1 leave, 0 down, 1 up */
	bool has_mtu;
	uint32_t mtu;
	bool has_mac;
	uint8_t mac[6];
	bool has_master;
	uint32_t master_index; /* 0 = nomaster */
	const char *new_name;  /* NULL: leave; needs index (the name attribute is the new name) */
	bool has_group;
	uint32_t group;
	int ns_fd; /* >= 0: move to that namespace (IFLA_NET_NS_FD); -1 leave */
	RtnlLinkAttrs attrs;
	const RtnlBridgeOpts *bridge; /* non-NULL: IFLA_LINKINFO "bridge" with these options */
} RtnlLinkChange;

/* RTM_NEWLINK without NLM_F_CREATE (changes an existing link), as `ip link set` sends it. */
int rtnl_link_set(void *buf, size_t size, const RtnlLinkChange *c);
int rtnl_link_set_ex(void *buf, size_t size, const RtnlLinkChange *c, const char **ret_field);

/* RTM_SETLINK AF_BRIDGE with IFLA_PROTINFO (nested): bridge port flags of port index. */
int rtnl_brport_set(void *buf, size_t size, uint32_t index, const RtnlBrport *p);
/* `bridge vlan add|del`: RTM_SETLINK (add) or RTM_DELLINK AF_BRIDGE with IFLA_AF_SPEC. */
int rtnl_bridge_vlan_add(void *buf, size_t size, uint32_t index, const RtnlBridgeVlan *v);
int rtnl_bridge_vlan_del(void *buf, size_t size, uint32_t index, const RtnlBridgeVlan *v);
/* `bridge vlan show`: RTM_GETLINK AF_BRIDGE dump with IFLA_EXT_MASK RTEXT_FILTER_BRVLAN. */
int rtnl_bridge_vlan_dump(void *buf, size_t size);
/* One reply of that dump: the port's index and its VLANs (ranges merged into one entry) into
 * ret[0..max); *ret_n = how many. -ENOBUFS if more than max, -EINVAL if malformed,
 * -EAFNOSUPPORT for a message that is not AF_BRIDGE. */
int rtnl_bridge_vlan_parse(const struct nlmsghdr *nlh, uint32_t *ret_index, RtnlBridgeVlan *ret,
			   size_t max, size_t *ret_n);
/* RTM_DELLINK by index, or by IFLA_IFNAME when index is 0. */
int rtnl_link_del(void *buf, size_t size, uint32_t index, const char *name);
/* RTM_DELLINK with ifi_index 0 and IFLA_GROUP: deletes every link of a group at once. Group 0
 * (everyone's default group) is -EINVAL. */
int rtnl_link_del_group(void *buf, size_t size, uint32_t group);
/* RTM_GETLINK by index, or by IFLA_IFNAME when index is 0; IFLA_EXT_MASK RTEXT_FILTER_SKIP_STATS. */
int rtnl_link_get(void *buf, size_t size, uint32_t index, const char *name);
/* RTM_GETLINK dump; master_index > 0 filters on IFLA_MASTER, kind (non-NULL, non-empty) on
 * IFLA_LINKINFO/IFLA_INFO_KIND (kernel-side filtering, needs NETLINK_GET_STRICT_CHK). A kind the
 * kernel does not know is ignored by it, not matched against: check RtnlLink.kind as well. */
int rtnl_link_dump(void *buf, size_t size, uint32_t master_index, const char *kind);
/* The same two with statistics: no RTEXT_FILTER_SKIP_STATS, so replies carry IFLA_STATS64 (and
 * IFLA_STATS, IFLA_VF stats...), which rtnl_link_parse() puts in RtnlLink.stats. */
int rtnl_link_get_stats(void *buf, size_t size, uint32_t index, const char *name);
int rtnl_link_dump_stats(void *buf, size_t size, uint32_t master_index, const char *kind);

typedef struct RtnlAddr {
	uint32_t index; /* ifa_index, required */
	RtnlIp addr;	/* IFA_LOCAL and IFA_ADDRESS; its family is ifa_family */
	uint8_t prefix_len;
	uint8_t scope;	   /* ifa_scope (RT_SCOPE_*) */
	uint32_t flags;	   /* IFA_F_* (NODAD, NOPREFIXROUTE, ...): ifa_flags holds the low 8 bits,
			    * IFA_FLAGS (sent when any bit above 0xff is set) all 32 */
	RtnlIp broadcast;  /* IPv4 only; family 0: none */
	RtnlIp peer;	   /* IFA_ADDRESS of a point-to-point address, when it differs from
			    * IFA_LOCAL (addr); family 0: none, IFA_ADDRESS = addr */
	char label[IFNAMSIZ]; /* IFA_LABEL, IPv4 only; "" none (the kernel uses the link name) */
	bool has_lifetimes; /* IFA_CACHEINFO: valid and preferred lifetimes in seconds, */
	uint32_t valid_lft; /* 0xffffffff forever; valid_lft > 0 and >= preferred_lft */
	uint32_t preferred_lft;
} RtnlAddr;

/* RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL. */
int rtnl_addr_new(void *buf, size_t size, const RtnlAddr *a);
/* RTM_NEWADDR with NLM_F_CREATE|NLM_F_REPLACE (`ip address replace`: add or update). */
int rtnl_addr_replace(void *buf, size_t size, const RtnlAddr *a);
/* RTM_DELADDR (index, address and prefix_len). */
int rtnl_addr_del(void *buf, size_t size, const RtnlAddr *a);
/* RTM_GETADDR dump; family AF_UNSPEC/AF_INET/AF_INET6, index > 0 filters (strict check). */
int rtnl_addr_dump(void *buf, size_t size, uint8_t family, uint32_t index);

/* Most paths a multipath route holds here (the kernel has no small limit: a longer route is
 * parsed as -E2BIG). */
#define RTNL_ROUTE_MAX_PATHS 32

/* One path of a multipath route: a struct rtnexthop and its RTA_GATEWAY/RTA_VIA. */
typedef struct RtnlRoutePath {
	RtnlIp gateway;	 /* family 0: none; another family than the route's: RTA_VIA */
	uint32_t ifindex; /* rtnh_ifindex, 0: none */
	uint8_t flags;	 /* RTNH_F_* (RTNH_F_ONLINK) */
	uint16_t weight; /* 1..256; on the wire rtnh_hops = weight - 1 (0 here means 1) */
} RtnlRoutePath;

typedef struct RtnlRoute {
	uint8_t family;	 /* AF_INET or AF_INET6 (required) */
	RtnlIp dst;	 /* family 0: default route (dst_len 0) */
	uint8_t dst_len;
	RtnlIp gateway;	 /* family 0: none */
	RtnlIp prefsrc;	 /* family 0: none */
	uint32_t oif;	 /* 0: none */
	uint32_t table;	 /* full 32-bit table: rtm_table = table < 256 ? table : RT_TABLE_UNSPEC,
			  * plus RTA_TABLE always */
	uint32_t priority; /* RTA_PRIORITY (metric); 0 omitted */
	uint8_t scope;
	uint8_t protocol;
	uint8_t type;	 /* RTN_* */
	/* Added for policy routing and nexthop objects; all 0 keeps the original requests. */
	uint32_t flags;	 /* rtm_flags: RTNH_F_ONLINK on requests; answers may add RTM_F_* */
	uint32_t nhid;	 /* RTA_NH_ID: route via a nexthop object (then no gateway/oif/paths) */
	uint32_t mtu;	 /* RTA_METRICS/RTAX_MTU, 0: none (only rtnl_route_new sends it) */
	/* Answers and dumps only (rtnl_route_get's answer); builders refuse them (-EINVAL). */
	RtnlIp src;	 /* RTA_SRC with src_len */
	uint8_t src_len;
	uint32_t iif;	 /* RTA_IIF */
	uint8_t n_paths; /* > 0: RTA_MULTIPATH of paths[] (then no gateway/oif at the top) */
	/* Last, so a copy may keep only the n_paths in use (the Watch's mirror does). */
	RtnlRoutePath paths[RTNL_ROUTE_MAX_PATHS];
} RtnlRoute;

/* RTM_NEWROUTE with NLM_F_CREATE and NLM_F_EXCL, or NLM_F_REPLACE when replace. */
int rtnl_route_new(void *buf, size_t size, const RtnlRoute *r, bool replace);
/* RTM_DELROUTE: family, dst/dst_len, table, priority, plus gateway/oif when set. */
int rtnl_route_del(void *buf, size_t size, const RtnlRoute *r);
/* RTM_GETROUTE dump; family AF_UNSPEC/AF_INET/AF_INET6; table 0 = all (filtering by table
 * is the caller's, after parsing). */
int rtnl_route_dump(void *buf, size_t size, uint8_t family);

/* One lookup, as `ip route get DST [from SRC] [iif NAME] [oif NAME] [mark M]` asks it. */
typedef struct RtnlRouteGet {
	RtnlIp dst;	/* required; its family is the lookup's */
	RtnlIp src;	/* family 0: none (RTA_SRC) */
	uint32_t iif;	/* 0: none (RTA_IIF: as if received there; needs src) */
	uint32_t oif;	/* 0: none (RTA_OIF) */
	uint32_t mark;	/* 0: none (RTA_MARK) */
	bool fib_match; /* RTM_F_FIB_MATCH: answer with the matching FIB entry, not the result */
} RtnlRouteGet;

/* RTM_GETROUTE for one destination; like iproute2, IPv4 asks RTM_F_LOOKUP_TABLE (the answer
 * names the table that matched). Answered by one RTM_NEWROUTE (rtnl_route_parse) and the ACK. */
int rtnl_route_get(void *buf, size_t size, const RtnlRouteGet *g);

/* ---- replies. Parsers take one message (nlmsg_len already checked to fit the buffer by the
 * caller's walk) and return 0, or -EINVAL if it is malformed or of another type. They never
 * read past nlh->nlmsg_len. The address and route parsers return -EAFNOSUPPORT for a
 * well-formed message of a family other than AF_INET/AF_INET6 (skip it in a dump). */

typedef struct RtnlLink {
	uint8_t family; /* ifi_family: AF_UNSPEC, or AF_BRIDGE in bridge dumps */
	uint32_t index;
	char name[IFNAMSIZ];
	char kind[32]; /* IFLA_INFO_KIND or "" */
	uint32_t flags;	 /* ifi_flags */
	uint8_t operstate; /* IF_OPER_* */
	uint32_t mtu;
	uint8_t mac[32];
	uint8_t mac_len;
	uint32_t master;
	uint32_t group;
	uint32_t link; /* IFLA_LINK or 0 */
	int32_t link_netnsid; /* IFLA_LINK_NETNSID or -1 */
	/* IFLA_INFO_DATA of the kinds modelled here; which member is valid follows kind. */
	union {
		struct {
			uint32_t vni;
			uint16_t port;	/* host byte order; 0 if absent */
			RtnlIp local;
			RtnlIp group;	/* IFLA_VXLAN_GROUP(6): unicast remote or multicast group */
			uint32_t dev_index;
		} vxlan;
		struct {
			uint32_t mode; /* MACVLAN_MODE_* (macvlan and macvtap) */
		} macvlan;
		RtnlVlan vlan; /* parent_index 0: it is in link */
		RtnlVrf vrf;
		RtnlBond bond;
		RtnlIpvlan ipvlan;
		RtnlGeneve geneve;
		RtnlTunnel tunnel; /* gre, gretap, ip6gre, ipip, sit */
		RtnlBridgeOpts bridge;
		RtnlTun tun;
	} info;
	char alias[256];      /* IFLA_IFALIAS or "" */
	uint32_t txqlen;      /* IFLA_TXQLEN */
	bool has_addr_gen_mode;
	uint8_t addr_gen_mode; /* IFLA_AF_SPEC/AF_INET6/IFLA_INET6_ADDR_GEN_MODE */
	char slave_kind[32];   /* IFLA_INFO_SLAVE_KIND or "" */
	bool has_brport;       /* from IFLA_PROTINFO (AF_BRIDGE) or bridge IFLA_INFO_SLAVE_DATA */
	RtnlBrport brport;
	bool has_stats;	       /* IFLA_STATS64 was present */
	RtnlLinkStats stats;
} RtnlLink;

/* RTM_NEWLINK (also RTM_DELLINK notifications). */
int rtnl_link_parse(const struct nlmsghdr *nlh, RtnlLink *ret);
/* RTM_NEWADDR (also RTM_DELADDR notifications). */
int rtnl_addr_parse(const struct nlmsghdr *nlh, RtnlAddr *ret);
/* RTM_NEWROUTE (also RTM_DELROUTE notifications); table from RTA_TABLE when present, else
 * rtm_table; an RTA_VIA gateway (IPv4 route via IPv6) is returned in gateway. -E2BIG for a
 * route of more than RTNL_ROUTE_MAX_PATHS paths. */
int rtnl_route_parse(const struct nlmsghdr *nlh, RtnlRoute *ret);

/* NLMSG_ERROR: *ret_error = the errno as a negative number (0 for an ACK); *ret_msg = the
 * NLMSGERR_ATTR_MSG extended-ack text (NUL-terminated inside the message) or NULL, and
 * *ret_offset the NLMSGERR_ATTR_OFFS offset or 0. Works with and without NETLINK_CAP_ACK.
 * Returns 0, or -EINVAL if malformed. Any ret_* may be NULL. */
int rtnl_parse_error(const struct nlmsghdr *nlh, int *ret_error, const char **ret_msg);
/* The same, also returning NLMSGERR_ATTR_OFFS (byte offset of the offending attribute in the
 * request, 0 if absent). */
int rtnl_parse_error_ext(const struct nlmsghdr *nlh, int *ret_error, const char **ret_msg,
			 uint32_t *ret_offset);

/* NLMSG_DONE, the end of a dump: *ret_error = the dump's status (0, or the negative errno of a
 * dump that failed, e.g. a strict-check refusal: dumps report errors here, not in NLMSG_ERROR),
 * *ret_msg = its extended-ack text or NULL. Returns 0, or -EINVAL if malformed. */
int rtnl_parse_done(const struct nlmsghdr *nlh, int *ret_error, const char **ret_msg);

/* Walks a buffer of messages as recvmsg returned it: calls cb for each complete message,
 * stops at a malformed length (-EINVAL) or when cb returns < 0 (that value); returns 0 once
 * every message went to cb. buf must be 4-byte aligned (-EINVAL otherwise). */
int rtnl_walk(const void *buf, size_t len, int (*cb)(const struct nlmsghdr *nlh, void *userdata),
	      void *userdata);

/* rtnl-sysctl.c: IPv4 devconf over rtnetlink. The IPV4_DEVCONF_* type of a per-device IPv4
 * setting by its /proc/sys/net/ipv4/conf/DEV/ name ("rp_filter"), or -ENOENT when rtnetlink
 * cannot set it. */
int rtnl_inet_devconf_from_name(const char *name);
/* RTM_SETLINK of link index with IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { type: value } } }. */
int rtnl_link_set_inet_conf(void *buf, size_t size, uint32_t index, int type, uint32_t value);
