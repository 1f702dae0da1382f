/* Neighbours (ARP/NDP) and bridge FDB entries in the rtnl codec (RTM_NEWNEIGH/DELNEIGH/GETNEIGH,
 * struct ndmsg): builders into caller-owned buffers and the parser, conventions of rtnl.h. */
#pragma once

#include "rtnl.h"

/* FDB states as `bridge fdb` sends them (ndm_state): */
#define RTNL_FDB_PERMANENT (NUD_PERMANENT | NUD_NOARP) /* permanent, the default */
#define RTNL_FDB_STATIC	   (NUD_REACHABLE | NUD_NOARP) /* static: never ages, not local */
#define RTNL_FDB_DYNAMIC   NUD_REACHABLE	       /* dynamic: ages out */

typedef struct RtnlNeigh {
	uint8_t family;	    /* AF_INET/AF_INET6: a neighbour; AF_BRIDGE: an FDB entry */
	uint32_t ifindex;   /* ndm_ifindex, required */
	RtnlIp dst;	    /* NDA_DST: the neighbour (required); FDB: remote VTEP, family 0 none */
	uint8_t lladdr[32]; /* NDA_LLADDR; FDB: the MAC (6 bytes, required) */
	uint8_t lladdr_len; /* 0: none (a proxy entry, or a neighbour without address yet) */
	uint16_t state;	    /* ndm_state NUD_* (neighbours: NUD_PERMANENT as `ip neigh` by
			     * default; FDB: RTNL_FDB_*), sent as is */
	uint8_t flags;	    /* ndm_flags NTF_*: NTF_PROXY, NTF_ROUTER; FDB NTF_SELF/NTF_MASTER
			     * (neither: the kernel applies it to the device itself) */
	/* FDB (vxlan) only: */
	bool has_vni; /* NDA_VNI, 24 bits */
	uint32_t vni;
	uint16_t port; /* NDA_PORT (host order here, network order on the wire), 0 none */
	uint16_t vlan; /* NDA_VLAN 1..4094, 0 none */
	/* Replies only; builders refuse them (-EINVAL): */
	uint32_t master; /* NDA_MASTER: the bridge of a bridge port's entry */
	uint8_t type;	 /* ndm_type (RTN_*) */
} RtnlNeigh;

typedef enum {
	RTNL_NEIGH_ADD,	    /* NLM_F_CREATE|NLM_F_EXCL: `add` */
	RTNL_NEIGH_REPLACE, /* NLM_F_CREATE|NLM_F_REPLACE: `replace`, add or change */
	RTNL_NEIGH_APPEND,  /* NLM_F_CREATE|NLM_F_APPEND: `bridge fdb append`, one more remote
			     * for the same MAC (the 00:00:00:00:00:00 flood list of a vxlan) */
} RtnlNeighOp;

/* RTM_NEWNEIGH. Neighbours send NDA_DST, NDA_LLADDR (as `ip neigh`); FDB entries NDA_LLADDR,
 * NDA_DST, NDA_VLAN, NDA_PORT, NDA_VNI (as `bridge fdb`). */
int rtnl_neigh_new(void *buf, size_t size, const RtnlNeigh *n, RtnlNeighOp op);
/* RTM_DELNEIGH: a neighbour by ifindex and NDA_DST (lladdr not sent), an FDB entry by MAC
 * and, when set, remote, vlan, port and vni (one remote of a flood list). */
int rtnl_neigh_del(void *buf, size_t size, const RtnlNeigh *n);
/* RTM_GETNEIGH dump of family (AF_UNSPEC, AF_INET, AF_INET6 or AF_BRIDGE), filtered by the
 * kernel: ifindex > 0 one device (`ip neigh show dev X`: NDA_IFINDEX; `bridge fdb show dev X`:
 * ndm_ifindex, as iproute2 sends them), master > 0 the ports of one bridge (NDA_MASTER). */
int rtnl_neigh_dump(void *buf, size_t size, uint8_t family, uint32_t ifindex, uint32_t master);
/* RTM_NEWNEIGH/RTM_DELNEIGH; -EAFNOSUPPORT for another family than the three above. */
int rtnl_neigh_parse(const struct nlmsghdr *nlh, RtnlNeigh *ret);
