/* Bridge ports and bridge VLANs in the rtnl codec: `bridge link set` (IFLA_PROTINFO), `bridge
 * vlan add|del|show` (IFLA_AF_SPEC with IFLA_BRIDGE_*), all AF_BRIDGE, as iproute2 6.1 sends. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_bridge.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "core/macro.h"
#include "rtnl-internal.h"

static bool rtnl_brport_empty(const RtnlBrport *p)
{
	return !p->hairpin && !p->learning && !p->flood && !p->mcast_flood && !p->isolated &&
	       !p->neigh_suppress && !p->has_cost && !p->has_priority && !p->has_state;
}

static bool rtnl_put_tri(struct nlmsghdr *nlh, size_t size, uint16_t type, RtnlTri v)
{
	return v == RTNL_TRI_LEAVE || rtnl_put_u8(nlh, size, type, v == RTNL_TRI_ON);
}

int rtnl_brport_set(void *buf, size_t size, uint32_t index, const RtnlBrport *p)
{
	struct ifinfomsg ifm = { .ifi_family = AF_BRIDGE, .ifi_index = (int)index };
	struct nlmsghdr *nlh;
	struct nlattr *info;

	if (!p || index == 0 || index > INT32_MAX || rtnl_brport_empty(p))
		return -EINVAL;
	if (p->hairpin > RTNL_TRI_ON || p->learning > RTNL_TRI_ON || p->flood > RTNL_TRI_ON ||
	    p->mcast_flood > RTNL_TRI_ON || p->isolated > RTNL_TRI_ON ||
	    p->neigh_suppress > RTNL_TRI_ON || (p->has_state && p->state > BR_STATE_BLOCKING))
		return -EINVAL;
	nlh = rtnl_put_header(buf, size, RTM_SETLINK, RTNL_REQ_FLAGS, &ifm, sizeof(ifm));
	if (!nlh)
		return -ENOBUFS;
	/* The kernel wants NLA_F_NESTED here to tell the nest from the old single-byte state. */
	info = mnl_attr_nest_start_check(nlh, size, IFLA_PROTINFO);
	if (!info)
		return -ENOBUFS;
	/* iproute2's order, so the bytes compare with `bridge link set`'s. */
	if (!rtnl_put_tri(nlh, size, IFLA_BRPORT_MODE, p->hairpin) ||
	    !rtnl_put_tri(nlh, size, IFLA_BRPORT_UNICAST_FLOOD, p->flood) ||
	    !rtnl_put_tri(nlh, size, IFLA_BRPORT_MCAST_FLOOD, p->mcast_flood) ||
	    !rtnl_put_tri(nlh, size, IFLA_BRPORT_LEARNING, p->learning))
		return -ENOBUFS;
	if (p->has_cost && !rtnl_put_u32(nlh, size, IFLA_BRPORT_COST, p->cost))
		return -ENOBUFS;
	if (p->has_priority && !rtnl_put_u16(nlh, size, IFLA_BRPORT_PRIORITY, p->priority))
		return -ENOBUFS;
	if (p->has_state && !rtnl_put_u8(nlh, size, IFLA_BRPORT_STATE, p->state))
		return -ENOBUFS;
	if (!rtnl_put_tri(nlh, size, IFLA_BRPORT_NEIGH_SUPPRESS, p->neigh_suppress) ||
	    !rtnl_put_tri(nlh, size, IFLA_BRPORT_ISOLATED, p->isolated))
		return -ENOBUFS;
	mnl_attr_nest_end(nlh, info);
	return (int)nlh->nlmsg_len;
}

int rtnl_brport_attr(const struct nlattr *attr, void *userdata)
{
	RtnlBrport *p = userdata;
	int r;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_BRPORT_MODE:
		return rtnl_get_tri(attr, &p->hairpin);
	case IFLA_BRPORT_LEARNING:
		return rtnl_get_tri(attr, &p->learning);
	case IFLA_BRPORT_UNICAST_FLOOD:
		return rtnl_get_tri(attr, &p->flood);
	case IFLA_BRPORT_MCAST_FLOOD:
		return rtnl_get_tri(attr, &p->mcast_flood);
	case IFLA_BRPORT_ISOLATED:
		return rtnl_get_tri(attr, &p->isolated);
	case IFLA_BRPORT_NEIGH_SUPPRESS:
		return rtnl_get_tri(attr, &p->neigh_suppress);
	case IFLA_BRPORT_COST:
		r = rtnl_get_u32(attr, &p->cost);
		p->has_cost |= r == 0;
		return r;
	case IFLA_BRPORT_PRIORITY:
		r = rtnl_get_u16(attr, &p->priority);
		p->has_priority |= r == 0;
		return r;
	case IFLA_BRPORT_STATE:
		r = rtnl_get_u8(attr, &p->state);
		p->has_state |= r == 0;
		return r;
	default:
		return 0;
	}
}

static int rtnl_bridge_vlan_msg(void *buf, size_t size, uint16_t type, uint32_t index,
				const RtnlBridgeVlan *v)
{
	struct ifinfomsg ifm = { .ifi_family = AF_BRIDGE, .ifi_index = (int)index };
	struct bridge_vlan_info info = {};
	struct nlmsghdr *nlh;
	struct nlattr *spec;
	bool range;

	if (!v || index == 0 || index > INT32_MAX || v->vid < 1 || v->vid > 4094)
		return -EINVAL;
	if (v->vid_end && (v->vid_end < v->vid || v->vid_end > 4094))
		return -EINVAL;
	range = v->vid_end > v->vid;
	/* One port has one pvid: the kernel refuses it on a range. */
	if (range && v->pvid)
		return -EINVAL;
	if (v->target > RTNL_BRVLAN_SELF)
		return -EINVAL;
	nlh = rtnl_put_header(buf, size, type, RTNL_REQ_FLAGS, &ifm, sizeof(ifm));
	if (!nlh)
		return -ENOBUFS;
	spec = rtnl_nest_start(nlh, size, IFLA_AF_SPEC);
	if (!spec)
		return -ENOBUFS;
	if (v->target != RTNL_BRVLAN_DEFAULT &&
	    !rtnl_put_u16(nlh, size, IFLA_BRIDGE_FLAGS,
			  v->target == RTNL_BRVLAN_SELF ? BRIDGE_FLAGS_SELF : BRIDGE_FLAGS_MASTER))
		return -ENOBUFS;
	info.flags = (uint16_t)((v->pvid ? BRIDGE_VLAN_INFO_PVID : 0) |
				(v->untagged ? BRIDGE_VLAN_INFO_UNTAGGED : 0));
	info.vid = v->vid;
	if (range)
		info.flags |= BRIDGE_VLAN_INFO_RANGE_BEGIN;
	if (!rtnl_put(nlh, size, IFLA_BRIDGE_VLAN_INFO, sizeof(info), &info))
		return -ENOBUFS;
	if (range) {
		info.flags = (uint16_t)((info.flags & ~BRIDGE_VLAN_INFO_RANGE_BEGIN) |
					BRIDGE_VLAN_INFO_RANGE_END);
		info.vid = v->vid_end;
		if (!rtnl_put(nlh, size, IFLA_BRIDGE_VLAN_INFO, sizeof(info), &info))
			return -ENOBUFS;
	}
	mnl_attr_nest_end(nlh, spec);
	return (int)nlh->nlmsg_len;
}

int rtnl_bridge_vlan_add(void *buf, size_t size, uint32_t index, const RtnlBridgeVlan *v)
{
	return rtnl_bridge_vlan_msg(buf, size, RTM_SETLINK, index, v);
}

int rtnl_bridge_vlan_del(void *buf, size_t size, uint32_t index, const RtnlBridgeVlan *v)
{
	return rtnl_bridge_vlan_msg(buf, size, RTM_DELLINK, index, v);
}

int rtnl_bridge_vlan_dump(void *buf, size_t size)
{
	struct ifinfomsg ifm = { .ifi_family = AF_BRIDGE };
	struct nlmsghdr *nlh;

	nlh = rtnl_put_header(buf, size, RTM_GETLINK, RTNL_DUMP_FLAGS, &ifm, sizeof(ifm));
	if (!nlh || !rtnl_put_u32(nlh, size, IFLA_EXT_MASK, RTEXT_FILTER_BRVLAN))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

typedef struct RtnlBrvlanParse {
	RtnlBridgeVlan *out;
	size_t max, n;
	bool in_range; /* a RANGE_BEGIN waits for its RANGE_END */
} RtnlBrvlanParse;

static int rtnl_brvlan_info(const struct nlattr *attr, void *userdata)
{
	RtnlBrvlanParse *p = userdata;
	struct bridge_vlan_info info;
	RtnlBridgeVlan *v;

	if (mnl_attr_get_type(attr) != IFLA_BRIDGE_VLAN_INFO)
		return 0;
	if (!rtnl_attr_len_ok(attr, sizeof(info)))
		return -EINVAL;
	memcpy(&info, mnl_attr_get_payload(attr), sizeof(info));
	if (info.vid < 1 || info.vid > 4094)
		return -EINVAL;
	if (info.flags & BRIDGE_VLAN_INFO_RANGE_END) {
		if (!p->in_range || (info.flags & BRIDGE_VLAN_INFO_RANGE_BEGIN) ||
		    info.vid <= p->out[p->n - 1].vid)
			return -EINVAL;
		p->out[p->n - 1].vid_end = info.vid;
		p->in_range = false;
		return 0;
	}
	if (p->in_range)
		return -EINVAL;
	if (p->n == p->max)
		return -ENOBUFS;
	v = &p->out[p->n++];
	*v = (RtnlBridgeVlan){
		.vid = info.vid,
		.vid_end = info.vid,
		.pvid = info.flags & BRIDGE_VLAN_INFO_PVID,
		.untagged = info.flags & BRIDGE_VLAN_INFO_UNTAGGED,
	};
	p->in_range = info.flags & BRIDGE_VLAN_INFO_RANGE_BEGIN;
	return 0;
}

typedef struct RtnlBrvlanMsg {
	RtnlBrvlanParse *p;
	bool seen;
} RtnlBrvlanMsg;

static int rtnl_brvlan_attr(const struct nlattr *attr, void *userdata)
{
	RtnlBrvlanMsg *m = userdata;

	if (mnl_attr_get_type(attr) != IFLA_AF_SPEC)
		return 0;
	if (!rtnl_attr_ok(attr, MNL_TYPE_NESTED) || m->seen)
		return -EINVAL;
	m->seen = true;
	return rtnl_nested_parse(attr, rtnl_brvlan_info, m->p);
}

int rtnl_bridge_vlan_parse(const struct nlmsghdr *nlh, uint32_t *ret_index, RtnlBridgeVlan *ret,
			   size_t max, size_t *ret_n)
{
	RtnlBrvlanParse p = { .out = ret, .max = max };
	RtnlBrvlanMsg m = { .p = &p };
	const struct ifinfomsg *ifm;
	int r;

	if (!nlh || !ret_index || !ret_n || (!ret && max) ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifm) || nlh->nlmsg_type != RTM_NEWLINK)
		return -EINVAL;
	ifm = mnl_nlmsg_get_payload(nlh);
	if (ifm->ifi_family != AF_BRIDGE)
		return -EAFNOSUPPORT;
	r = rtnl_msg_parse(nlh, sizeof(*ifm), rtnl_brvlan_attr, &m);
	if (r < 0)
		return r;
	if (p.in_range)
		return -EINVAL;
	*ret_index = (uint32_t)ifm->ifi_index;
	*ret_n = p.n;
	return 0;
}
