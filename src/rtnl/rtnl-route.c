/* The route codec's newer half: multipath (RTA_MULTIPATH), nexthop objects (RTA_NH_ID), metrics
 * (RTA_METRICS) and the single-destination RTM_GETROUTE of `ip route get`. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "rtnl-internal.h"

/* The types that drop or refuse packets: they never have a next hop. */
static bool rtnl_route_type_nohop(uint8_t type)
{
	return type == RTN_BLACKHOLE || type == RTN_UNREACHABLE || type == RTN_PROHIBIT ||
	       type == RTN_THROW;
}

/* A gateway of another family than the route's is an RTA_VIA, which only IPv4 routes have. */
static bool rtnl_route_gw_ok(const RtnlRoute *r, const RtnlIp *gw)
{
	return rtnl_ip_family_ok(gw) &&
	       (gw->family == 0 || gw->family == r->family || r->family == AF_INET);
}

int rtnl_route_check_extra(const RtnlRoute *r)
{
	bool top_hop = r->gateway.family || r->oif;

	/* Answer-only fields: a request carrying them would mean something else (RTA_SRC is a
	 * source-specific route, RTA_IIF an input route). Refuse rather than guess. */
	if (r->src.family || r->src_len || r->iif)
		return -EINVAL;
	if (r->flags & ~(uint32_t)RTNH_F_ONLINK)
		return -EINVAL;
	if (r->n_paths > RTNL_ROUTE_MAX_PATHS)
		return -EINVAL;
	/* A route has one kind of next hop: its own, a list of paths, or a nexthop object. */
	if ((top_hop ? 1 : 0) + (r->n_paths ? 1 : 0) + (r->nhid ? 1 : 0) > 1)
		return -EINVAL;
	/* Paths or a nexthop object on a blackhole route is a contradiction. (A plain gateway or
	 * device was always passed through to the kernel, which refuses it, and still is.) */
	if (rtnl_route_type_nohop(r->type) && (r->n_paths || r->nhid))
		return -EINVAL;
	if ((r->flags & RTNH_F_ONLINK) && !r->gateway.family)
		return -EINVAL;
	for (size_t i = 0; i < r->n_paths; i++) {
		const RtnlRoutePath *p = &r->paths[i];

		if (!rtnl_route_gw_ok(r, &p->gateway) || p->weight > 256)
			return -EINVAL;
		if (!p->gateway.family && !p->ifindex)
			return -EINVAL;
		if ((p->flags & ~RTNH_F_ONLINK) ||
		    ((p->flags & RTNH_F_ONLINK) && !p->gateway.family))
			return -EINVAL;
	}
	return 0;
}

/* RTA_GATEWAY for the route's family, RTA_VIA (struct rtvia) for an IPv6 gateway of IPv4. */
static bool rtnl_put_gateway(struct nlmsghdr *nlh, size_t size, uint8_t family, const RtnlIp *gw)
{
	uint8_t via[sizeof(struct rtvia) + 16];
	struct rtvia hdr = { .rtvia_family = gw->family };
	size_t len = rtnl_family_len(gw->family);

	if (gw->family == family)
		return rtnl_put_ip(nlh, size, RTA_GATEWAY, gw);
	memcpy(via, &hdr, sizeof(hdr));
	memcpy(via + sizeof(hdr), gw->bytes, len);
	return rtnl_put(nlh, size, RTA_VIA, sizeof(hdr) + len, via);
}

static int rtnl_put_multipath(struct nlmsghdr *nlh, size_t size, const RtnlRoute *r)
{
	struct nlattr *mp = mnl_attr_nest_start_check(nlh, size, RTA_MULTIPATH);

	if (!mp)
		return -ENOBUFS;
	/* iproute2 sends RTA_MULTIPATH and RTA_METRICS without NLA_F_NESTED; the kernel's
	 * policies take both forms. Without it, requests compare byte for byte. */
	mp->nla_type &= (uint16_t)~NLA_F_NESTED;
	for (size_t i = 0; i < r->n_paths; i++) {
		const RtnlRoutePath *p = &r->paths[i];
		struct rtnexthop *rtnh;

		if (MNL_ALIGN(nlh->nlmsg_len) + RTNH_ALIGN(sizeof(*rtnh)) > size)
			return -ENOBUFS;
		rtnh = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtnh));
		rtnh->rtnh_flags = p->flags;
		/* The kernel counts weight as hops + 1, so 0 is weight 1 (and unset means 1). */
		rtnh->rtnh_hops = (uint8_t)(p->weight ? p->weight - 1 : 0);
		rtnh->rtnh_ifindex = (int)p->ifindex;
		if (p->gateway.family && !rtnl_put_gateway(nlh, size, r->family, &p->gateway))
			return -ENOBUFS;
		rtnh->rtnh_len = (unsigned short)((uint8_t *)mnl_nlmsg_get_payload_tail(nlh) -
						  (uint8_t *)rtnh);
	}
	mnl_attr_nest_end(nlh, mp);
	return 0;
}

int rtnl_route_put_extra(struct nlmsghdr *nlh, size_t size, const RtnlRoute *r, bool metrics)
{
	int ret;

	if (r->nhid && !rtnl_put_u32(nlh, size, RTA_NH_ID, r->nhid))
		return -ENOBUFS;
	if (r->n_paths) {
		ret = rtnl_put_multipath(nlh, size, r);
		if (ret < 0)
			return ret;
	}
	if (metrics && r->mtu) {
		struct nlattr *m = mnl_attr_nest_start_check(nlh, size, RTA_METRICS);

		if (!m)
			return -ENOBUFS;
		m->nla_type &= (uint16_t)~NLA_F_NESTED;
		if (!rtnl_put_u32(nlh, size, RTAX_MTU, r->mtu))
			return -ENOBUFS;
		mnl_attr_nest_end(nlh, m);
	}
	return 0;
}

typedef struct RtnlPathParse {
	const RtnlRoute *r;
	RtnlRoutePath *p;
	bool has_gateway;
} RtnlPathParse;

static int rtnl_path_attr(const struct nlattr *attr, void *userdata)
{
	RtnlPathParse *pp = userdata;
	const struct rtvia *via;
	size_t len;

	switch (mnl_attr_get_type(attr)) {
	case RTA_GATEWAY:
		pp->has_gateway = true;
		return rtnl_attr_ip(attr, pp->r->family, &pp->p->gateway);
	case RTA_VIA:
		len = mnl_attr_get_payload_len(attr);
		if (len < sizeof(*via))
			return -EINVAL;
		via = mnl_attr_get_payload(attr);
		if (!rtnl_family_len(via->rtvia_family) ||
		    len != sizeof(*via) + rtnl_family_len(via->rtvia_family))
			return -EINVAL;
		if (!pp->has_gateway) {
			memset(&pp->p->gateway, 0, sizeof(pp->p->gateway));
			pp->p->gateway.family = (uint8_t)via->rtvia_family;
			memcpy(pp->p->gateway.bytes, via->rtvia_addr, len - sizeof(*via));
		}
		return 0;
	default:
		return 0;
	}
}

int rtnl_route_parse_multipath(const struct nlattr *attr, RtnlRoute *r)
{
	const uint8_t *p = mnl_attr_get_payload(attr);
	size_t len = mnl_attr_get_payload_len(attr);

	r->n_paths = 0;
	while (len > 0) {
		const struct rtnexthop *rtnh = (const struct rtnexthop *)p;
		RtnlPathParse pp = { .r = r };
		size_t step;
		int ret;

		if (len < sizeof(*rtnh) || rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > len)
			return -EINVAL;
		if (r->n_paths == RTNL_ROUTE_MAX_PATHS)
			return -E2BIG;
		pp.p = &r->paths[r->n_paths];
		memset(pp.p, 0, sizeof(*pp.p));
		pp.p->flags = rtnh->rtnh_flags;
		pp.p->weight = (uint16_t)(rtnh->rtnh_hops + 1);
		pp.p->ifindex = (uint32_t)rtnh->rtnh_ifindex;
		ret = rtnl_attrs_parse(p + sizeof(*rtnh), rtnh->rtnh_len - sizeof(*rtnh),
				       rtnl_path_attr, &pp);
		if (ret < 0)
			return ret;
		r->n_paths++;
		step = RTNH_ALIGN((size_t)rtnh->rtnh_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

static int rtnl_metrics_attr(const struct nlattr *attr, void *userdata)
{
	RtnlRoute *r = userdata;

	if (mnl_attr_get_type(attr) != RTAX_MTU)
		return 0;
	if (!rtnl_attr_ok(attr, MNL_TYPE_U32))
		return -EINVAL;
	r->mtu = mnl_attr_get_u32(attr);
	return 0;
}

int rtnl_route_parse_metrics(const struct nlattr *attr, RtnlRoute *r)
{
	return rtnl_nested_parse(attr, rtnl_metrics_attr, r);
}

int rtnl_route_get(void *buf, size_t size, const RtnlRouteGet *g)
{
	struct rtmsg rtm = {};
	struct nlmsghdr *nlh;

	if (!g || !rtnl_family_len(g->dst.family))
		return -EINVAL;
	if (g->src.family && g->src.family != g->dst.family)
		return -EINVAL;
	rtm.rtm_family = g->dst.family;
	rtm.rtm_dst_len = (uint8_t)rtnl_family_max_plen(g->dst.family);
	rtm.rtm_src_len = g->src.family ? rtm.rtm_dst_len : 0;
	/* As iproute2 6.1 sends it: IPv4 asks for the table that matched (RTA_TABLE in the
	 * answer); IPv6 reports it anyway. */
	if (g->dst.family == AF_INET)
		rtm.rtm_flags |= RTM_F_LOOKUP_TABLE;
	if (g->fib_match)
		rtm.rtm_flags |= RTM_F_FIB_MATCH;
	nlh = rtnl_put_header(buf, size, RTM_GETROUTE, RTNL_REQ_FLAGS, &rtm, sizeof(rtm));
	if (!nlh || !rtnl_put_ip(nlh, size, RTA_DST, &g->dst))
		return -ENOBUFS;
	if (g->src.family && !rtnl_put_ip(nlh, size, RTA_SRC, &g->src))
		return -ENOBUFS;
	if (g->mark && !rtnl_put_u32(nlh, size, RTA_MARK, g->mark))
		return -ENOBUFS;
	if (g->iif && !rtnl_put_u32(nlh, size, RTA_IIF, g->iif))
		return -ENOBUFS;
	if (g->oif && !rtnl_put_u32(nlh, size, RTA_OIF, g->oif))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}
