/* Neighbours and bridge FDB entries: `ip neigh` and `bridge fdb` requests, byte for byte as
 * iproute2 6.1 sends them, and the parser of neighbour messages (see docs/design/rtnl-l3.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "rtnl-internal.h"
#include "rtnl-neigh.h"

#ifndef AF_BRIDGE
#define AF_BRIDGE PF_BRIDGE
#endif

static int rtnl_neigh_check(const RtnlNeigh *n)
{
	if (!n || n->ifindex == 0 || n->lladdr_len > sizeof(n->lladdr))
		return -EINVAL;
	if (n->master || n->type)
		return -EINVAL;
	if (n->family == AF_BRIDGE) {
		if (n->lladdr_len != 6 || !rtnl_ip_family_ok(&n->dst))
			return -EINVAL;
		if (n->vlan > 4094 || (n->has_vni && n->vni > 0xffffff))
			return -EINVAL;
		return 0;
	}
	if (!rtnl_family_len(n->family) || n->dst.family != n->family)
		return -EINVAL;
	/* The vxlan attributes mean nothing to ARP/NDP: the kernel would ignore them. */
	if (n->has_vni || n->port || n->vlan)
		return -EINVAL;
	return 0;
}

static int rtnl_neigh_msg(void *buf, size_t size, uint16_t type, uint16_t flags, const RtnlNeigh *n)
{
	struct ndmsg ndm = {
		.ndm_family = n->family,
		.ndm_ifindex = (int)n->ifindex,
		.ndm_state = n->state,
		.ndm_flags = n->flags,
	};
	bool del = type == RTM_DELNEIGH;
	struct nlmsghdr *nlh;

	nlh = rtnl_put_header(buf, size, type, flags, &ndm, sizeof(ndm));
	if (!nlh)
		return -ENOBUFS;
	if (n->family != AF_BRIDGE) {
		if (!rtnl_put_ip(nlh, size, NDA_DST, &n->dst))
			return -ENOBUFS;
		if (!del && n->lladdr_len &&
		    !rtnl_put(nlh, size, NDA_LLADDR, n->lladdr_len, n->lladdr))
			return -ENOBUFS;
		return (int)nlh->nlmsg_len;
	}
	if (!rtnl_put(nlh, size, NDA_LLADDR, n->lladdr_len, n->lladdr))
		return -ENOBUFS;
	if (n->dst.family && !rtnl_put_ip(nlh, size, NDA_DST, &n->dst))
		return -ENOBUFS;
	if (n->vlan && !rtnl_put_u16(nlh, size, NDA_VLAN, n->vlan))
		return -ENOBUFS;
	if (n->port && !rtnl_put_u16(nlh, size, NDA_PORT, htons(n->port)))
		return -ENOBUFS;
	if (n->has_vni && !rtnl_put_u32(nlh, size, NDA_VNI, n->vni))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

int rtnl_neigh_new(void *buf, size_t size, const RtnlNeigh *n, RtnlNeighOp op)
{
	uint16_t flags = RTNL_REQ_FLAGS | NLM_F_CREATE;
	int r;

	r = rtnl_neigh_check(n);
	if (r < 0)
		return r;
	switch (op) {
	case RTNL_NEIGH_ADD:
		flags |= NLM_F_EXCL;
		break;
	case RTNL_NEIGH_REPLACE:
		flags |= NLM_F_REPLACE;
		break;
	case RTNL_NEIGH_APPEND:
		/* Only the bridge/vxlan FDB keeps lists; ARP/NDP would treat it as a plain add. */
		if (n->family != AF_BRIDGE)
			return -EINVAL;
		flags |= NLM_F_APPEND;
		break;
	default:
		return -EINVAL;
	}
	return rtnl_neigh_msg(buf, size, RTM_NEWNEIGH, flags, n);
}

int rtnl_neigh_del(void *buf, size_t size, const RtnlNeigh *n)
{
	int r;

	r = rtnl_neigh_check(n);
	if (r < 0)
		return r;
	return rtnl_neigh_msg(buf, size, RTM_DELNEIGH, RTNL_REQ_FLAGS, n);
}

int rtnl_neigh_dump(void *buf, size_t size, uint8_t family, uint32_t ifindex, uint32_t master)
{
	struct ndmsg ndm = { .ndm_family = family };
	struct nlmsghdr *nlh;

	if (family != AF_UNSPEC && family != AF_BRIDGE && !rtnl_family_len(family))
		return -EINVAL;
	/* Strict checking: the FDB dump takes the port in ndm_ifindex, the neighbour dump
	 * wants the header zero and the device in NDA_IFINDEX. */
	if (family == AF_BRIDGE)
		ndm.ndm_ifindex = (int)ifindex;
	nlh = rtnl_put_header(buf, size, RTM_GETNEIGH, RTNL_DUMP_FLAGS, &ndm, sizeof(ndm));
	if (!nlh)
		return -ENOBUFS;
	if (family != AF_BRIDGE && ifindex && !rtnl_put_u32(nlh, size, NDA_IFINDEX, ifindex))
		return -ENOBUFS;
	if (master && !rtnl_put_u32(nlh, size, NDA_MASTER, master))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

static int rtnl_neigh_attr(const struct nlattr *attr, void *userdata)
{
	RtnlNeigh *n = userdata;
	uint16_t type = mnl_attr_get_type(attr);
	size_t len = mnl_attr_get_payload_len(attr);

	switch (type) {
	case NDA_DST:
		/* FDB remotes are IPv4 or IPv6, told apart by length. */
		if (n->family == AF_BRIDGE)
			return rtnl_attr_ip(attr, len == 16 ? AF_INET6 : AF_INET, &n->dst);
		return rtnl_attr_ip(attr, n->family, &n->dst);
	case NDA_LLADDR:
		if (len > sizeof(n->lladdr))
			return -EINVAL;
		n->lladdr_len = (uint8_t)len;
		memcpy(n->lladdr, mnl_attr_get_payload(attr), len);
		return 0;
	case NDA_VLAN:
	case NDA_PORT:
		if (!rtnl_attr_ok(attr, MNL_TYPE_U16))
			return -EINVAL;
		if (type == NDA_VLAN)
			n->vlan = mnl_attr_get_u16(attr);
		else
			n->port = ntohs(mnl_attr_get_u16(attr));
		return 0;
	case NDA_VNI:
	case NDA_MASTER:
		if (!rtnl_attr_ok(attr, MNL_TYPE_U32))
			return -EINVAL;
		if (type == NDA_VNI) {
			n->has_vni = true;
			n->vni = mnl_attr_get_u32(attr);
		} else {
			n->master = mnl_attr_get_u32(attr);
		}
		return 0;
	default:
		return 0;
	}
}

int rtnl_neigh_parse(const struct nlmsghdr *nlh, RtnlNeigh *ret)
{
	const struct ndmsg *ndm;
	RtnlNeigh n = {};
	int r;

	if (!nlh || !ret || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ndm))
		return -EINVAL;
	if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH)
		return -EINVAL;
	ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != AF_BRIDGE && !rtnl_family_len(ndm->ndm_family))
		return -EAFNOSUPPORT;
	n.family = ndm->ndm_family;
	n.ifindex = (uint32_t)ndm->ndm_ifindex;
	n.state = ndm->ndm_state;
	n.flags = ndm->ndm_flags;
	n.type = ndm->ndm_type;
	r = rtnl_msg_parse(nlh, sizeof(*ndm), rtnl_neigh_attr, &n);
	if (r < 0)
		return r;
	/* A neighbour is its address; an FDB entry its MAC. */
	if (n.family == AF_BRIDGE ? n.lladdr_len != 6 : !n.dst.family)
		return -EINVAL;
	*ret = n;
	return 0;
}
