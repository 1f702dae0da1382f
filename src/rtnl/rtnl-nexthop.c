/* Nexthop objects: `ip nexthop` requests, byte for byte as iproute2 6.1 sends them, and the
 * parser of nexthop messages (see docs/design/rtnl-l3.md). */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "rtnl-internal.h"
#include "rtnl-nexthop.h"

static int rtnl_nexthop_check(const RtnlNexthop *nh)
{
	if (!nh || nh->n_group > RTNL_NEXTHOP_GROUP_MAX)
		return -EINVAL;
	if (nh->flags & ~(uint32_t)RTNH_F_ONLINK)
		return -EINVAL;
	if (nh->n_group) {
		if (nh->gateway.family || nh->oif || nh->blackhole || (nh->flags & RTNH_F_ONLINK))
			return -EINVAL;
		if (nh->family != AF_UNSPEC)
			return -EINVAL;
		if (nh->group_type != NEXTHOP_GRP_TYPE_MPATH &&
		    nh->group_type != NEXTHOP_GRP_TYPE_RES)
			return -EINVAL;
		if (nh->res_buckets && nh->group_type != NEXTHOP_GRP_TYPE_RES)
			return -EINVAL;
		for (size_t i = 0; i < nh->n_group; i++) {
			if (nh->group[i].id == 0 || nh->group[i].weight > 256 ||
			    nh->group[i].id == nh->id)
				return -EINVAL;
			for (size_t j = 0; j < i; j++)
				if (nh->group[j].id == nh->group[i].id)
					return -EINVAL;
		}
		return 0;
	}
	if (nh->group_type || nh->res_buckets)
		return -EINVAL;
	if (!rtnl_family_len(nh->family) || !rtnl_ip_family_ok(&nh->gateway))
		return -EINVAL;
	if (nh->blackhole)
		return nh->gateway.family || nh->oif || nh->flags ? -EINVAL : 0;
	/* A gateway needs its device; an IPv4 nexthop may use an IPv6 gateway (like RTA_VIA). */
	if (!nh->oif && !nh->fdb)
		return -EINVAL;
	if (nh->gateway.family && nh->gateway.family != nh->family && nh->family != AF_INET)
		return -EINVAL;
	if ((nh->flags & RTNH_F_ONLINK) && !nh->gateway.family)
		return -EINVAL;
	return 0;
}

int rtnl_nexthop_new(void *buf, size_t size, const RtnlNexthop *nh, bool replace)
{
	struct nhmsg nhm = {};
	struct nlmsghdr *nlh;
	int r;

	r = rtnl_nexthop_check(nh);
	if (r < 0)
		return r;
	nhm.nh_family = nh->family;
	nhm.nh_protocol = nh->protocol;
	nhm.nh_flags = nh->flags;
	nlh = rtnl_put_header(buf, size, RTM_NEWNEXTHOP,
			      RTNL_REQ_FLAGS | NLM_F_CREATE |
				      (replace ? NLM_F_REPLACE : NLM_F_EXCL),
			      &nhm, sizeof(nhm));
	if (!nlh)
		return -ENOBUFS;
	if (nh->id && !rtnl_put_u32(nlh, size, NHA_ID, nh->id))
		return -ENOBUFS;
	if (nh->n_group) {
		struct nexthop_grp grp[RTNL_NEXTHOP_GROUP_MAX] = {};

		for (size_t i = 0; i < nh->n_group; i++) {
			grp[i].id = nh->group[i].id;
			/* Weights 1..256 travel as 0..255. */
			grp[i].weight =
				(uint8_t)(nh->group[i].weight ? nh->group[i].weight - 1 : 0);
		}
		if (!rtnl_put(nlh, size, NHA_GROUP, nh->n_group * sizeof(grp[0]), grp))
			return -ENOBUFS;
		/* The resilient options come before the type, as iproute2 sends them. */
		if (nh->res_buckets) {
			struct nlattr *res = mnl_attr_nest_start_check(nlh, size, NHA_RES_GROUP);

			if (!res ||
			    !rtnl_put_u16(nlh, size, NHA_RES_GROUP_BUCKETS, nh->res_buckets))
				return -ENOBUFS;
			mnl_attr_nest_end(nlh, res);
		}
		if (nh->group_type && !rtnl_put_u16(nlh, size, NHA_GROUP_TYPE, nh->group_type))
			return -ENOBUFS;
	}
	if (nh->blackhole && !rtnl_put(nlh, size, NHA_BLACKHOLE, 0, NULL))
		return -ENOBUFS;
	if (nh->gateway.family && !rtnl_put_ip(nlh, size, NHA_GATEWAY, &nh->gateway))
		return -ENOBUFS;
	if (nh->oif && !rtnl_put_u32(nlh, size, NHA_OIF, nh->oif))
		return -ENOBUFS;
	if (nh->fdb && !rtnl_put(nlh, size, NHA_FDB, 0, NULL))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

int rtnl_nexthop_del(void *buf, size_t size, uint32_t id)
{
	struct nhmsg nhm = {};
	struct nlmsghdr *nlh;

	if (id == 0)
		return -EINVAL;
	nlh = rtnl_put_header(buf, size, RTM_DELNEXTHOP, RTNL_REQ_FLAGS, &nhm, sizeof(nhm));
	if (!nlh || !rtnl_put_u32(nlh, size, NHA_ID, id))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

int rtnl_nexthop_dump(void *buf, size_t size, uint32_t oif)
{
	struct nhmsg nhm = {};
	struct nlmsghdr *nlh;

	nlh = rtnl_put_header(buf, size, RTM_GETNEXTHOP, RTNL_DUMP_FLAGS, &nhm, sizeof(nhm));
	if (!nlh)
		return -ENOBUFS;
	if (oif && !rtnl_put_u32(nlh, size, NHA_OIF, oif))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

static int rtnl_nexthop_group(const struct nlattr *attr, RtnlNexthop *nh)
{
	const struct nexthop_grp *grp = mnl_attr_get_payload(attr);
	size_t len = mnl_attr_get_payload_len(attr);

	if (len == 0 || len % sizeof(*grp))
		return -EINVAL;
	if (len / sizeof(*grp) > RTNL_NEXTHOP_GROUP_MAX)
		return -E2BIG;
	nh->n_group = (uint16_t)(len / sizeof(*grp));
	for (size_t i = 0; i < nh->n_group; i++) {
		struct nexthop_grp g;

		/* The attribute payload is only 4-byte aligned, which suffices, but copy: the
		 * struct is read field by field below. */
		memcpy(&g, &grp[i], sizeof(g));
		nh->group[i].id = g.id;
		nh->group[i].weight = (uint16_t)(g.weight + 1);
	}
	return 0;
}

static int rtnl_res_group_attr(const struct nlattr *attr, void *userdata)
{
	RtnlNexthop *nh = userdata;

	if (mnl_attr_get_type(attr) != NHA_RES_GROUP_BUCKETS)
		return 0;
	if (!rtnl_attr_ok(attr, MNL_TYPE_U16))
		return -EINVAL;
	nh->res_buckets = mnl_attr_get_u16(attr);
	return 0;
}

static int rtnl_nexthop_attr(const struct nlattr *attr, void *userdata)
{
	RtnlNexthop *nh = userdata;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case NHA_ID:
	case NHA_OIF:
		if (!rtnl_attr_ok(attr, MNL_TYPE_U32))
			return -EINVAL;
		if (type == NHA_ID)
			nh->id = mnl_attr_get_u32(attr);
		else
			nh->oif = mnl_attr_get_u32(attr);
		return 0;
	case NHA_GROUP:
		return rtnl_nexthop_group(attr, nh);
	case NHA_RES_GROUP:
		if (!rtnl_attr_ok(attr, MNL_TYPE_NESTED))
			return -EINVAL;
		return rtnl_nested_parse(attr, rtnl_res_group_attr, nh);
	case NHA_GROUP_TYPE:
		if (!rtnl_attr_ok(attr, MNL_TYPE_U16))
			return -EINVAL;
		nh->group_type = mnl_attr_get_u16(attr);
		return 0;
	case NHA_BLACKHOLE:
	case NHA_FDB:
		if (mnl_attr_get_payload_len(attr) != 0)
			return -EINVAL;
		if (type == NHA_BLACKHOLE)
			nh->blackhole = true;
		else
			nh->fdb = true;
		return 0;
	case NHA_GATEWAY:
		/* An IPv4 nexthop's gateway may be IPv6: the length tells. */
		return rtnl_attr_ip(attr, mnl_attr_get_payload_len(attr) == 16 ? AF_INET6 : AF_INET,
				    &nh->gateway);
	default:
		return 0;
	}
}

int rtnl_nexthop_parse(const struct nlmsghdr *nlh, RtnlNexthop *ret)
{
	const struct nhmsg *nhm;
	RtnlNexthop nh = {};
	int r;

	if (!nlh || !ret || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*nhm))
		return -EINVAL;
	if (nlh->nlmsg_type != RTM_NEWNEXTHOP && nlh->nlmsg_type != RTM_DELNEXTHOP)
		return -EINVAL;
	nhm = mnl_nlmsg_get_payload(nlh);
	if (nhm->nh_family != AF_UNSPEC && !rtnl_family_len(nhm->nh_family))
		return -EAFNOSUPPORT;
	nh.family = nhm->nh_family;
	nh.protocol = nhm->nh_protocol;
	nh.flags = nhm->nh_flags;
	r = rtnl_msg_parse(nlh, sizeof(*nhm), rtnl_nexthop_attr, &nh);
	if (r < 0)
		return r;
	*ret = nh;
	return 0;
}
