/* Nexthop objects in the rtnl codec (RTM_NEWNEXTHOP/DELNEXTHOP/GETNEXTHOP, struct nhmsg):
 * builders into caller-owned buffers and the parser, with the conventions of rtnl.h. */
#pragma once

#include "rtnl.h"

/* Most members a group holds here (the kernel allows more: a larger one parses as -E2BIG). */
#define RTNL_NEXTHOP_GROUP_MAX 64

typedef struct RtnlNexthopMember {
	uint32_t id;
	uint16_t
		weight; /* 1..256; on the wire struct nexthop_grp.weight = weight - 1 (0 here: 1) */
} RtnlNexthopMember;

typedef struct RtnlNexthop {
	uint32_t id;	/* NHA_ID; 0 on add: the kernel picks one */
	uint8_t family; /* nh_family: AF_INET/AF_INET6 (gateway's family); AF_UNSPEC for a group */
	uint8_t protocol; /* nh_protocol (RTPROT_*), 0 unspec */
	uint32_t flags;	  /* nh_flags: RTNH_F_ONLINK on requests; replies may add RTNH_F_DEAD... */
	RtnlIp gateway;	  /* NHA_GATEWAY, family 0: none */
	uint32_t oif;	  /* NHA_OIF, 0: none */
	bool blackhole;	  /* NHA_BLACKHOLE: no gateway, no device */
	bool fdb;	  /* NHA_FDB: a nexthop for vxlan FDB entries, not routes */
	uint16_t group_type;  /* NHA_GROUP_TYPE: NEXTHOP_GRP_TYPE_MPATH (0, not sent) or _RES */
	uint16_t res_buckets; /* _RES: NHA_RES_GROUP/NHA_RES_GROUP_BUCKETS; 0 none (this kernel
			       * refuses a resilient group without it) */
	uint16_t n_group;     /* > 0: NHA_GROUP of group[] */
	RtnlNexthopMember group[RTNL_NEXTHOP_GROUP_MAX];
} RtnlNexthop;

/* RTM_NEWNEXTHOP with NLM_F_CREATE and NLM_F_EXCL, or NLM_F_REPLACE when replace (as
 * `ip nexthop add|replace`). -EINVAL for what the kernel refuses: a group with a gateway,
 * device or blackhole, a blackhole with a gateway or device, a gateway of another family,
 * onlink without gateway and device, group members of id 0 or weight > 256, a repeated member. */
int rtnl_nexthop_new(void *buf, size_t size, const RtnlNexthop *nh, bool replace);
/* RTM_DELNEXTHOP of id (> 0). */
int rtnl_nexthop_del(void *buf, size_t size, uint32_t id);
/* RTM_GETNEXTHOP dump; oif > 0: only the nexthops using that device (NHA_OIF filter). */
int rtnl_nexthop_dump(void *buf, size_t size, uint32_t oif);
/* RTM_NEWNEXTHOP/RTM_DELNEXTHOP. -EAFNOSUPPORT for a family other than AF_UNSPEC/INET/INET6. */
int rtnl_nexthop_parse(const struct nlmsghdr *nlh, RtnlNexthop *ret);
