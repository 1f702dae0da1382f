/* Policy routing rules: `ip rule` requests and the parser of rule messages, attribute for
 * attribute in the order iproute2 6.1 sends them (see docs/design/rtnl-l3.md). */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "core/names.h"
#include "rtnl-internal.h"
#include "rtnl-rule.h"

static bool rtnl_range_ok(const RtnlPortRange *p)
{
	return (p->start == 0 && p->end == 0) || (p->start != 0 && p->start <= p->end);
}

/* What any rule message must satisfy, add or delete. */
static int rtnl_rule_check(const RtnlRule *r)
{
	if (!r || !rtnl_family_len(r->family))
		return -EINVAL;
	if (!rtnl_prefix_ok(&r->src, r->src_len, r->family) ||
	    !rtnl_prefix_ok(&r->dst, r->dst_len, r->family))
		return -EINVAL;
	if ((r->iif[0] && !name_ifname_valid(r->iif)) || (r->oif[0] && !name_ifname_valid(r->oif)))
		return -EINVAL;
	if (!rtnl_range_ok(&r->sport) || !rtnl_range_ok(&r->dport))
		return -EINVAL;
	if (r->action > FR_ACT_PROHIBIT || r->action == FR_ACT_RES3 || r->action == FR_ACT_RES4)
		return -EINVAL;
	return 0;
}

/* The combinations fib_nl2rule() refuses, caught before any I/O. */
static int rtnl_rule_check_new(const RtnlRule *r)
{
	uint8_t action = r->action ? r->action : FR_ACT_TO_TBL;

	switch (action) {
	case FR_ACT_TO_TBL:
		/* l3mdev picks the table itself: exactly one of the two. */
		if (!r->table == !r->l3mdev || r->goto_target)
			return -EINVAL;
		break;
	case FR_ACT_GOTO:
		if (!r->goto_target || r->table || r->l3mdev)
			return -EINVAL;
		if (r->has_priority && r->goto_target <= r->priority)
			return -EINVAL;
		break;
	default:
		if (r->table || r->goto_target || r->l3mdev)
			return -EINVAL;
		break;
	}
	return 0;
}

static int rtnl_rule_msg(void *buf, size_t size, uint16_t type, uint16_t flags, const RtnlRule *r,
			 uint8_t action)
{
	struct fib_rule_hdr frh = {
		.family = r->family,
		.dst_len = r->dst_len,
		.src_len = r->src_len,
		.tos = r->tos,
		.table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC,
		.action = action,
		.flags = r->invert ? FIB_RULE_INVERT : 0,
	};
	struct nlmsghdr *nlh;

	nlh = rtnl_put_header(buf, size, type, flags, &frh, sizeof(frh));
	if (!nlh)
		return -ENOBUFS;
	if (r->has_priority && !rtnl_put_u32(nlh, size, FRA_PRIORITY, r->priority))
		return -ENOBUFS;
	if (r->src.family && !rtnl_put_ip(nlh, size, FRA_SRC, &r->src))
		return -ENOBUFS;
	if (r->dst.family && !rtnl_put_ip(nlh, size, FRA_DST, &r->dst))
		return -ENOBUFS;
	if (r->iif[0] && !rtnl_put_strz(nlh, size, FRA_IIFNAME, r->iif))
		return -ENOBUFS;
	if (r->oif[0] && !rtnl_put_strz(nlh, size, FRA_OIFNAME, r->oif))
		return -ENOBUFS;
	if (r->has_fwmark) {
		if (!rtnl_put_u32(nlh, size, FRA_FWMARK, r->fwmark))
			return -ENOBUFS;
		if (r->fwmask && !rtnl_put_u32(nlh, size, FRA_FWMASK, r->fwmask))
			return -ENOBUFS;
	}
	if (r->l3mdev && !rtnl_put_u8(nlh, size, FRA_L3MDEV, 1))
		return -ENOBUFS;
	if (r->ip_proto && !rtnl_put_u8(nlh, size, FRA_IP_PROTO, r->ip_proto))
		return -ENOBUFS;
	if (r->sport.start) {
		struct fib_rule_port_range pr = { .start = r->sport.start, .end = r->sport.end };

		if (!rtnl_put(nlh, size, FRA_SPORT_RANGE, sizeof(pr), &pr))
			return -ENOBUFS;
	}
	if (r->dport.start) {
		struct fib_rule_port_range pr = { .start = r->dport.start, .end = r->dport.end };

		if (!rtnl_put(nlh, size, FRA_DPORT_RANGE, sizeof(pr), &pr))
			return -ENOBUFS;
	}
	if (r->table >= 256 && !rtnl_put_u32(nlh, size, FRA_TABLE, r->table))
		return -ENOBUFS;
	if (r->has_suppress_prefixlen &&
	    !rtnl_put_u32(nlh, size, FRA_SUPPRESS_PREFIXLEN, r->suppress_prefixlen))
		return -ENOBUFS;
	if (r->goto_target && !rtnl_put_u32(nlh, size, FRA_GOTO, r->goto_target))
		return -ENOBUFS;
	if (r->protocol && !rtnl_put_u8(nlh, size, FRA_PROTOCOL, r->protocol))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

int rtnl_rule_new(void *buf, size_t size, const RtnlRule *r)
{
	int ret;

	ret = rtnl_rule_check(r);
	if (ret < 0)
		return ret;
	ret = rtnl_rule_check_new(r);
	if (ret < 0)
		return ret;
	return rtnl_rule_msg(buf, size, RTM_NEWRULE, RTNL_REQ_FLAGS | NLM_F_CREATE | NLM_F_EXCL, r,
			     r->action ? r->action : FR_ACT_TO_TBL);
}

int rtnl_rule_del(void *buf, size_t size, const RtnlRule *r)
{
	int ret;

	ret = rtnl_rule_check(r);
	if (ret < 0)
		return ret;
	return rtnl_rule_msg(buf, size, RTM_DELRULE, RTNL_REQ_FLAGS, r, r->action);
}

int rtnl_rule_dump(void *buf, size_t size, uint8_t family)
{
	struct fib_rule_hdr frh = { .family = family };
	struct nlmsghdr *nlh;

	if (family != AF_UNSPEC && !rtnl_family_len(family))
		return -EINVAL;
	nlh = rtnl_put_header(buf, size, RTM_GETRULE, RTNL_DUMP_FLAGS, &frh, sizeof(frh));
	if (!nlh)
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

static int rtnl_attr_range(const struct nlattr *attr, RtnlPortRange *ret)
{
	struct fib_rule_port_range pr;

	if (!rtnl_attr_len_ok(attr, sizeof(pr)))
		return -EINVAL;
	memcpy(&pr, mnl_attr_get_payload(attr), sizeof(pr));
	ret->start = pr.start;
	ret->end = pr.end;
	return 0;
}

static int rtnl_rule_attr(const struct nlattr *attr, void *userdata)
{
	RtnlRule *r = userdata;
	uint16_t type = mnl_attr_get_type(attr);

	switch (type) {
	case FRA_SRC:
		return rtnl_attr_ip(attr, r->family, &r->src);
	case FRA_DST:
		return rtnl_attr_ip(attr, r->family, &r->dst);
	case FRA_IIFNAME:
		return rtnl_attr_strcpy(attr, r->iif, sizeof(r->iif));
	case FRA_OIFNAME:
		return rtnl_attr_strcpy(attr, r->oif, sizeof(r->oif));
	case FRA_SPORT_RANGE:
		return rtnl_attr_range(attr, &r->sport);
	case FRA_DPORT_RANGE:
		return rtnl_attr_range(attr, &r->dport);
	case FRA_L3MDEV:
	case FRA_IP_PROTO:
	case FRA_PROTOCOL:
		if (!rtnl_attr_ok(attr, MNL_TYPE_U8))
			return -EINVAL;
		if (type == FRA_L3MDEV)
			r->l3mdev = mnl_attr_get_u8(attr) != 0;
		else if (type == FRA_IP_PROTO)
			r->ip_proto = mnl_attr_get_u8(attr);
		else
			r->protocol = mnl_attr_get_u8(attr);
		return 0;
	case FRA_PRIORITY:
	case FRA_FWMARK:
	case FRA_FWMASK:
	case FRA_TABLE:
	case FRA_GOTO:
	case FRA_SUPPRESS_PREFIXLEN:
		if (!rtnl_attr_ok(attr, MNL_TYPE_U32))
			return -EINVAL;
		break;
	default:
		return 0;
	}

	switch (type) {
	case FRA_PRIORITY:
		r->has_priority = true;
		r->priority = mnl_attr_get_u32(attr);
		break;
	case FRA_FWMARK:
		r->has_fwmark = true;
		r->fwmark = mnl_attr_get_u32(attr);
		break;
	case FRA_FWMASK:
		r->has_fwmark = true;
		r->fwmask = mnl_attr_get_u32(attr);
		break;
	case FRA_TABLE:
		r->table = mnl_attr_get_u32(attr);
		break;
	case FRA_GOTO:
		r->goto_target = mnl_attr_get_u32(attr);
		break;
	case FRA_SUPPRESS_PREFIXLEN:
		/* The kernel reports -1 ("not set") in dumps of rules without one. */
		r->has_suppress_prefixlen = mnl_attr_get_u32(attr) != UINT32_MAX;
		r->suppress_prefixlen = r->has_suppress_prefixlen ? mnl_attr_get_u32(attr) : 0;
		break;
	}
	return 0;
}

int rtnl_rule_parse(const struct nlmsghdr *nlh, RtnlRule *ret)
{
	const struct fib_rule_hdr *frh;
	RtnlRule r = {};
	int err;

	if (!nlh || !ret || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*frh))
		return -EINVAL;
	if (nlh->nlmsg_type != RTM_NEWRULE && nlh->nlmsg_type != RTM_DELRULE)
		return -EINVAL;
	frh = mnl_nlmsg_get_payload(nlh);
	if (!rtnl_family_len(frh->family))
		return -EAFNOSUPPORT;
	if (frh->dst_len > rtnl_family_max_plen(frh->family) ||
	    frh->src_len > rtnl_family_max_plen(frh->family))
		return -EINVAL;
	r.family = frh->family;
	r.dst_len = frh->dst_len;
	r.src_len = frh->src_len;
	r.tos = frh->tos;
	r.table = frh->table; /* FRA_TABLE, all 32 bits, overrides it */
	r.action = frh->action;
	r.flags = frh->flags;
	r.invert = frh->flags & FIB_RULE_INVERT;
	err = rtnl_msg_parse(nlh, sizeof(*frh), rtnl_rule_attr, &r);
	if (err < 0)
		return err;
	if ((r.dst_len && !r.dst.family) || (r.src_len && !r.src.family))
		return -EINVAL;
	*ret = r;
	return 0;
}
