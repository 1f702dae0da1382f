/* Reply parsers of the rtnl codec. Input is untrusted bytes (they are fuzzed): every length is
 * checked before it is used and nothing is read past nlmsg_len. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>

#include "core/macro.h"
#include "rtnl-internal.h"

/* Largest errno the kernel can report (MAX_ERRNO); anything beyond is not an errno. */
#define RTNL_MAX_ERRNO 4095

/* Calls cb for each attribute in [payload, payload + len). Unlike mnl_attr_parse(), which
 * rounds nlmsg_len up to 4 and silently stops at a bad attribute, this rejects an attribute
 * that overruns its container or stray bytes after the last one. */
int rtnl_attrs_parse(const void *payload, size_t len, rtnl_attr_cb cb, void *userdata)
{
	const uint8_t *p = payload;

	while (len > 0) {
		const struct nlattr *attr = (const struct nlattr *)p;
		size_t step;
		int r;

		if (len < sizeof(*attr) || attr->nla_len < sizeof(*attr) || attr->nla_len > len)
			return -EINVAL;
		r = cb(attr, userdata);
		if (r < 0)
			return r;
		/* The last attribute's padding may be missing. */
		step = MNL_ALIGN((size_t)attr->nla_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

/* The attributes after a message's family header, or -EINVAL if the header does not fit. */
int rtnl_msg_parse(const struct nlmsghdr *nlh, size_t hdr_len, rtnl_attr_cb cb, void *userdata)
{
	size_t len, off = MNL_ALIGN(hdr_len);

	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + hdr_len)
		return -EINVAL;
	len = nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
	if (off >= len)
		return 0;
	return rtnl_attrs_parse((const uint8_t *)mnl_nlmsg_get_payload(nlh) + off, len - off, cb,
				userdata);
}

int rtnl_nested_parse(const struct nlattr *attr, rtnl_attr_cb cb, void *userdata)
{
	return rtnl_attrs_parse(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr), cb,
				userdata);
}

/* mnl_attr_validate() reports through errno, which must not leak out of this module. */
bool rtnl_attr_ok(const struct nlattr *attr, int type)
{
	int saved = errno;
	bool ok = mnl_attr_validate(attr, type) == 0;

	errno = saved;
	return ok;
}

/* An attribute that holds exactly len bytes. */
bool rtnl_attr_len_ok(const struct nlattr *attr, size_t len)
{
	return mnl_attr_get_payload_len(attr) == len;
}

/* Copies a string attribute (NUL-terminated or not) into dst; -EINVAL if empty or too long. */
int rtnl_attr_strcpy(const struct nlattr *attr, char *dst, size_t size)
{
	size_t n = strnlen(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr));

	if (n == 0 || n >= size)
		return -EINVAL;
	memcpy(dst, mnl_attr_get_payload(attr), n);
	dst[n] = '\0';
	return 0;
}

int rtnl_get_u8(const struct nlattr *attr, uint8_t *ret)
{
	if (!rtnl_attr_ok(attr, MNL_TYPE_U8))
		return -EINVAL;
	*ret = mnl_attr_get_u8(attr);
	return 0;
}

int rtnl_get_u16(const struct nlattr *attr, uint16_t *ret)
{
	if (!rtnl_attr_ok(attr, MNL_TYPE_U16))
		return -EINVAL;
	*ret = mnl_attr_get_u16(attr);
	return 0;
}

int rtnl_get_u32(const struct nlattr *attr, uint32_t *ret)
{
	if (!rtnl_attr_ok(attr, MNL_TYPE_U32))
		return -EINVAL;
	*ret = mnl_attr_get_u32(attr);
	return 0;
}

int rtnl_get_tri(const struct nlattr *attr, RtnlTri *ret)
{
	uint8_t v;
	int r = rtnl_get_u8(attr, &v);

	if (r == 0)
		*ret = v ? RTNL_TRI_ON : RTNL_TRI_OFF;
	return r;
}

int rtnl_attr_ip(const struct nlattr *attr, uint8_t family, RtnlIp *ret)
{
	size_t len = rtnl_family_len(family);

	if (!len || !rtnl_attr_len_ok(attr, len))
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	ret->family = family;
	memcpy(ret->bytes, mnl_attr_get_payload(attr), len);
	return 0;
}

static int rtnl_vxlan_attr(const struct nlattr *attr, void *userdata)
{
	RtnlLink *l = userdata;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_VXLAN_ID:
		return rtnl_get_u32(attr, &l->info.vxlan.vni);
	case IFLA_VXLAN_LINK:
		return rtnl_get_u32(attr, &l->info.vxlan.dev_index);
	case IFLA_VXLAN_PORT:
		if (!rtnl_attr_ok(attr, MNL_TYPE_U16))
			return -EINVAL;
		l->info.vxlan.port = ntohs(mnl_attr_get_u16(attr));
		return 0;
	case IFLA_VXLAN_LOCAL:
		return rtnl_attr_ip(attr, AF_INET, &l->info.vxlan.local);
	case IFLA_VXLAN_LOCAL6:
		return rtnl_attr_ip(attr, AF_INET6, &l->info.vxlan.local);
	case IFLA_VXLAN_GROUP:
		return rtnl_attr_ip(attr, AF_INET, &l->info.vxlan.group);
	case IFLA_VXLAN_GROUP6:
		return rtnl_attr_ip(attr, AF_INET6, &l->info.vxlan.group);
	default:
		return 0;
	}
}

static int rtnl_macvlan_attr(const struct nlattr *attr, void *userdata)
{
	RtnlLink *l = userdata;

	if (mnl_attr_get_type(attr) != IFLA_MACVLAN_MODE)
		return 0;
	return rtnl_get_u32(attr, &l->info.macvlan.mode);
}

static int rtnl_linkinfo_attr(const struct nlattr *attr, void *userdata)
{
	RtnlLink *l = userdata;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_INFO_DATA:
		/* The kernel puts IFLA_INFO_KIND before IFLA_INFO_DATA, so the kind is known
		 * here; data of another kind (or before any kind) is skipped. */
		if (!rtnl_attr_ok(attr, MNL_TYPE_NESTED))
			return -EINVAL;
		if (strcmp(l->kind, "vxlan") == 0)
			return rtnl_nested_parse(attr, rtnl_vxlan_attr, l);
		if (strcmp(l->kind, "macvlan") == 0)
			return rtnl_nested_parse(attr, rtnl_macvlan_attr, l);
		return rtnl_kind_parse_data(attr, l);
	case IFLA_INFO_KIND:
		/* info is a union read by kind: a second kind must not inherit the first's data. */
		memset(&l->info, 0, sizeof(l->info));
		/* A kind longer than the field is not malformed, just unknown here: leave it empty
		 * rather than truncate it into something that might match another kind. */
		if (rtnl_attr_strcpy(attr, l->kind, sizeof(l->kind)) < 0)
			l->kind[0] = '\0';
		return 0;
	case IFLA_INFO_SLAVE_KIND:
		if (rtnl_attr_strcpy(attr, l->slave_kind, sizeof(l->slave_kind)) < 0)
			l->slave_kind[0] = '\0';
		return 0;
	case IFLA_INFO_SLAVE_DATA:
		if (!rtnl_attr_ok(attr, MNL_TYPE_NESTED))
			return -EINVAL;
		/* A bridge port's settings, the same IFLA_BRPORT_* as AF_BRIDGE's IFLA_PROTINFO. */
		if (strcmp(l->slave_kind, "bridge") != 0)
			return 0;
		l->has_brport = true;
		return rtnl_nested_parse(attr, rtnl_brport_attr, &l->brport);
	default:
		return 0;
	}
}

static int rtnl_inet6_attr(const struct nlattr *attr, void *userdata)
{
	RtnlLink *l = userdata;

	if (mnl_attr_get_type(attr) != IFLA_INET6_ADDR_GEN_MODE)
		return 0;
	if (rtnl_get_u8(attr, &l->addr_gen_mode) < 0)
		return -EINVAL;
	l->has_addr_gen_mode = true;
	return 0;
}

/* IFLA_AF_SPEC of an AF_UNSPEC message: one nest per address family. */
static int rtnl_af_spec_attr(const struct nlattr *attr, void *userdata)
{
	if (mnl_attr_get_type(attr) != AF_INET6)
		return 0;
	if (!rtnl_attr_ok(attr, MNL_TYPE_NESTED))
		return -EINVAL;
	return rtnl_nested_parse(attr, rtnl_inet6_attr, userdata);
}

/* struct rtnl_link_stats64 only ever grew at its end (rx_nohandler, rx_otherhost_dropped): take
 * the counters that are there, whatever the sender's version; the rest stay 0. */
static int rtnl_stats64(const struct nlattr *attr, RtnlLink *l)
{
	size_t len = mnl_attr_get_payload_len(attr);

	memset(&l->stats, 0, sizeof(l->stats));
	memcpy(&l->stats, mnl_attr_get_payload(attr), MIN(len, sizeof(l->stats)));
	l->has_stats = true;
	return 0;
}

static int rtnl_link_attr(const struct nlattr *attr, void *userdata)
{
	RtnlLink *l = userdata;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_IFNAME:
		return rtnl_attr_strcpy(attr, l->name, sizeof(l->name));
	case IFLA_LINKINFO:
		if (!rtnl_attr_ok(attr, MNL_TYPE_NESTED))
			return -EINVAL;
		return rtnl_nested_parse(attr, rtnl_linkinfo_attr, l);
	case IFLA_IFALIAS: {
		size_t n = strnlen(mnl_attr_get_payload(attr), mnl_attr_get_payload_len(attr));

		if (n >= sizeof(l->alias))
			return -EINVAL;
		memcpy(l->alias, mnl_attr_get_payload(attr), n);
		l->alias[n] = '\0';
		return 0;
	}
	case IFLA_AF_SPEC:
		/* AF_BRIDGE messages carry bridge VLANs here (rtnl_bridge_vlan_parse()). */
		if (l->family == AF_BRIDGE)
			return 0;
		if (!rtnl_attr_ok(attr, MNL_TYPE_NESTED))
			return -EINVAL;
		return rtnl_nested_parse(attr, rtnl_af_spec_attr, l);
	case IFLA_PROTINFO:
		/* IPv6 (AF_INET6 dumps) uses IFLA_PROTINFO for its own IFLA_INET6_*. */
		if (l->family != AF_BRIDGE)
			return 0;
		if (!rtnl_attr_ok(attr, MNL_TYPE_NESTED))
			return -EINVAL;
		l->has_brport = true;
		return rtnl_nested_parse(attr, rtnl_brport_attr, &l->brport);
	case IFLA_STATS64:
		return rtnl_stats64(attr, l);
	case IFLA_OPERSTATE:
		return rtnl_get_u8(attr, &l->operstate);
	case IFLA_ADDRESS:
		if (mnl_attr_get_payload_len(attr) > sizeof(l->mac))
			return -EINVAL;
		l->mac_len = (uint8_t)mnl_attr_get_payload_len(attr);
		memcpy(l->mac, mnl_attr_get_payload(attr), l->mac_len);
		return 0;
	case IFLA_MTU:
	case IFLA_MASTER:
	case IFLA_GROUP:
	case IFLA_LINK:
	case IFLA_LINK_NETNSID:
	case IFLA_TXQLEN:
		if (!rtnl_attr_ok(attr, MNL_TYPE_U32))
			return -EINVAL;
		break;
	default:
		return 0;
	}

	switch (mnl_attr_get_type(attr)) {
	case IFLA_MTU:
		l->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_MASTER:
		l->master = mnl_attr_get_u32(attr);
		break;
	case IFLA_GROUP:
		l->group = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK:
		l->link = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINK_NETNSID:
		l->link_netnsid = (int32_t)mnl_attr_get_u32(attr);
		break;
	case IFLA_TXQLEN:
		l->txqlen = mnl_attr_get_u32(attr);
		break;
	}
	return 0;
}

/* The family header of a message of type new_type or del_type that holds hdr_len bytes of
 * it, or NULL. */
static const void *rtnl_msg_header(const struct nlmsghdr *nlh, uint16_t new_type, uint16_t del_type,
				   size_t hdr_len)
{
	if (!nlh || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + hdr_len)
		return NULL;
	if (nlh->nlmsg_type != new_type && nlh->nlmsg_type != del_type)
		return NULL;
	return mnl_nlmsg_get_payload(nlh);
}

/* An address's or route's family and prefix length: -EAFNOSUPPORT for a family that is not
 * IPv4 or IPv6 (well-formed, just not ours), -EINVAL for a length beyond the family's. */
static int rtnl_prefix_check(uint8_t family, unsigned plen)
{
	if (!rtnl_family_len(family))
		return -EAFNOSUPPORT;
	if (plen > rtnl_family_max_plen(family))
		return -EINVAL;
	return 0;
}

int rtnl_link_parse(const struct nlmsghdr *nlh, RtnlLink *ret)
{
	const struct ifinfomsg *ifm;
	RtnlLink l = { .link_netnsid = -1 };
	int r;

	ifm = rtnl_msg_header(nlh, RTM_NEWLINK, RTM_DELLINK, sizeof(*ifm));
	if (!ifm || !ret)
		return -EINVAL;
	l.family = ifm->ifi_family;
	l.index = (uint32_t)ifm->ifi_index;
	l.flags = ifm->ifi_flags;
	r = rtnl_msg_parse(nlh, sizeof(*ifm), rtnl_link_attr, &l);
	if (r < 0)
		return r;
	*ret = l;
	return 0;
}

typedef struct RtnlAddrParse {
	RtnlAddr a;
	RtnlIp local, address;
} RtnlAddrParse;

static int rtnl_addr_attr(const struct nlattr *attr, void *userdata)
{
	RtnlAddrParse *p = userdata;

	switch (mnl_attr_get_type(attr)) {
	case IFA_LOCAL:
		return rtnl_attr_ip(attr, p->a.addr.family, &p->local);
	case IFA_ADDRESS:
		return rtnl_attr_ip(attr, p->a.addr.family, &p->address);
	case IFA_BROADCAST:
		if (p->a.addr.family != AF_INET)
			return -EINVAL;
		return rtnl_attr_ip(attr, AF_INET, &p->a.broadcast);
	case IFA_FLAGS:
		return rtnl_get_u32(attr, &p->a.flags);
	case IFA_LABEL:
		return rtnl_attr_strcpy(attr, p->a.label, sizeof(p->a.label));
	case IFA_CACHEINFO: {
		struct ifa_cacheinfo ci;

		if (!rtnl_attr_len_ok(attr, sizeof(ci)))
			return -EINVAL;
		memcpy(&ci, mnl_attr_get_payload(attr), sizeof(ci));
		p->a.has_lifetimes = true;
		p->a.valid_lft = ci.ifa_valid;
		p->a.preferred_lft = ci.ifa_prefered;
		return 0;
	}
	default:
		return 0;
	}
}

int rtnl_addr_parse(const struct nlmsghdr *nlh, RtnlAddr *ret)
{
	const struct ifaddrmsg *ifa;
	RtnlAddrParse p = {};
	int r;

	ifa = rtnl_msg_header(nlh, RTM_NEWADDR, RTM_DELADDR, sizeof(*ifa));
	if (!ifa || !ret)
		return -EINVAL;
	r = rtnl_prefix_check(ifa->ifa_family, ifa->ifa_prefixlen);
	if (r < 0)
		return r;
	p.a.index = ifa->ifa_index;
	p.a.addr.family = ifa->ifa_family;
	p.a.prefix_len = ifa->ifa_prefixlen;
	p.a.scope = ifa->ifa_scope;
	p.a.flags = ifa->ifa_flags;
	r = rtnl_msg_parse(nlh, sizeof(*ifa), rtnl_addr_attr, &p);
	if (r < 0)
		return r;
	/* IFA_LOCAL is the interface's own address; IFA_ADDRESS differs from it only on
	 * point-to-point links, where it is the peer. IPv6 sends IFA_ADDRESS alone. */
	if (p.local.family) {
		p.a.addr = p.local;
		if (p.address.family && !rtnl_ip_eq(&p.address, &p.local))
			p.a.peer = p.address;
	} else if (p.address.family)
		p.a.addr = p.address;
	else
		return -EINVAL;
	*ret = p.a;
	return 0;
}

typedef struct RtnlRouteParse {
	RtnlRoute r;
	bool has_gateway;
} RtnlRouteParse;

static int rtnl_route_attr(const struct nlattr *attr, void *userdata)
{
	RtnlRouteParse *p = userdata;
	const struct rtvia *via;
	size_t len;

	switch (mnl_attr_get_type(attr)) {
	case RTA_DST:
		return rtnl_attr_ip(attr, p->r.family, &p->r.dst);
	case RTA_GATEWAY:
		p->has_gateway = true;
		return rtnl_attr_ip(attr, p->r.family, &p->r.gateway);
	case RTA_VIA:
		len = mnl_attr_get_payload_len(attr);
		if (len < sizeof(*via))
			return -EINVAL;
		via = mnl_attr_get_payload(attr);
		if (!rtnl_family_len(via->rtvia_family) ||
		    len != sizeof(*via) + rtnl_family_len(via->rtvia_family))
			return -EINVAL;
		/* RTA_GATEWAY, when a message had both, is the one the route uses. */
		if (!p->has_gateway) {
			memset(&p->r.gateway, 0, sizeof(p->r.gateway));
			p->r.gateway.family = (uint8_t)via->rtvia_family;
			memcpy(p->r.gateway.bytes, via->rtvia_addr, len - sizeof(*via));
		}
		return 0;
	case RTA_PREFSRC:
		return rtnl_attr_ip(attr, p->r.family, &p->r.prefsrc);
	case RTA_SRC:
		return rtnl_attr_ip(attr, p->r.family, &p->r.src);
	case RTA_MULTIPATH:
		return rtnl_route_parse_multipath(attr, &p->r);
	case RTA_METRICS:
		if (!rtnl_attr_ok(attr, MNL_TYPE_NESTED))
			return -EINVAL;
		return rtnl_route_parse_metrics(attr, &p->r);
	case RTA_OIF:
		return rtnl_get_u32(attr, &p->r.oif);
	case RTA_PRIORITY:
		return rtnl_get_u32(attr, &p->r.priority);
	case RTA_TABLE:
		return rtnl_get_u32(attr, &p->r.table);
	case RTA_IIF:
		return rtnl_get_u32(attr, &p->r.iif);
	case RTA_NH_ID:
		return rtnl_get_u32(attr, &p->r.nhid);
	default:
		return 0;
	}
}

int rtnl_route_parse(const struct nlmsghdr *nlh, RtnlRoute *ret)
{
	const struct rtmsg *rtm;
	RtnlRouteParse p = {};
	int r;

	rtm = rtnl_msg_header(nlh, RTM_NEWROUTE, RTM_DELROUTE, sizeof(*rtm));
	if (!rtm || !ret)
		return -EINVAL;
	/* Dumps of AF_UNSPEC also bring e.g. MPLS or multicast routes: -EAFNOSUPPORT, so callers
	 * can tell them from garbage and skip them. */
	r = rtnl_prefix_check(rtm->rtm_family, rtm->rtm_dst_len);
	if (r < 0)
		return r;
	if (rtm->rtm_src_len > rtnl_family_max_plen(rtm->rtm_family))
		return -EINVAL;
	p.r.family = rtm->rtm_family;
	p.r.dst_len = rtm->rtm_dst_len;
	p.r.table = rtm->rtm_table; /* RTA_TABLE, which holds all 32 bits, overrides it */
	p.r.scope = rtm->rtm_scope;
	p.r.protocol = rtm->rtm_protocol;
	p.r.type = rtm->rtm_type;
	p.r.flags = rtm->rtm_flags;
	p.r.src_len = rtm->rtm_src_len;
	r = rtnl_msg_parse(nlh, sizeof(*rtm), rtnl_route_attr, &p);
	if (r < 0)
		return r;
	if ((p.r.dst_len && !p.r.dst.family) || (p.r.src_len && !p.r.src.family))
		return -EINVAL;
	*ret = p.r;
	return 0;
}

typedef struct RtnlErrParse {
	const char *msg;
	uint32_t offset;
} RtnlErrParse;

static int rtnl_error_attr(const struct nlattr *attr, void *userdata)
{
	RtnlErrParse *p = userdata;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		/* Handed out as a C string: the NUL must be inside the attribute. */
		if (!memchr(mnl_attr_get_payload(attr), '\0', mnl_attr_get_payload_len(attr)))
			return -EINVAL;
		p->msg = mnl_attr_get_payload(attr);
		return 0;
	case NLMSGERR_ATTR_OFFS:
		return rtnl_get_u32(attr, &p->offset);
	default:
		return 0;
	}
}

int rtnl_parse_error_ext(const struct nlmsghdr *nlh, int *ret_error, const char **ret_msg,
			 uint32_t *ret_offset)
{
	const struct nlmsgerr *err;
	RtnlErrParse p = {};
	size_t len;

	if (!nlh || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*err))
		return -EINVAL;
	if (nlh->nlmsg_type != NLMSG_ERROR)
		return -EINVAL;
	err = mnl_nlmsg_get_payload(nlh);
	if (err->error > 0 || err->error < -RTNL_MAX_ERRNO)
		return -EINVAL;
	len = nlh->nlmsg_len - MNL_NLMSG_HDRLEN;

	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = sizeof(*err);

		/* Without NETLINK_CAP_ACK the request follows, whole: its own nlmsg_len says how
		 * long it is (the kernel copies exactly that), and the TLVs start aligned after it.
		 */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			size_t orig = err->msg.nlmsg_len;

			if (orig < sizeof(struct nlmsghdr))
				return -EINVAL;
			off = sizeof(*err) - sizeof(struct nlmsghdr) + MNL_ALIGN(orig);
		}
		if (off > len)
			return -EINVAL;
		if (rtnl_attrs_parse((const uint8_t *)err + off, len - off, rtnl_error_attr, &p) <
		    0)
			return -EINVAL;
	}

	if (ret_error)
		*ret_error = err->error;
	if (ret_msg)
		*ret_msg = p.msg;
	if (ret_offset)
		*ret_offset = p.offset;
	return 0;
}

int rtnl_parse_error(const struct nlmsghdr *nlh, int *ret_error, const char **ret_msg)
{
	return rtnl_parse_error_ext(nlh, ret_error, ret_msg, NULL);
}

int rtnl_parse_done(const struct nlmsghdr *nlh, int *ret_error, const char **ret_msg)
{
	RtnlErrParse p = {};
	int32_t error = 0;
	size_t len;

	if (!nlh || nlh->nlmsg_len < MNL_NLMSG_HDRLEN || nlh->nlmsg_type != NLMSG_DONE)
		return -EINVAL;
	len = nlh->nlmsg_len - MNL_NLMSG_HDRLEN;
	/* rtnetlink always sends the dump's status as an int; tolerate a bare header, as other
	 * netlink families send. */
	if (len >= sizeof(error)) {
		memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
		if (error > 0 || error < -RTNL_MAX_ERRNO)
			return -EINVAL;
	} else if (len > 0) {
		return -EINVAL;
	}
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = MNL_ALIGN(sizeof(error));

		if (off > len)
			return -EINVAL;
		if (rtnl_attrs_parse((const uint8_t *)mnl_nlmsg_get_payload(nlh) + off, len - off,
				     rtnl_error_attr, &p) < 0)
			return -EINVAL;
	}
	if (ret_error)
		*ret_error = error;
	if (ret_msg)
		*ret_msg = p.msg;
	return 0;
}

int rtnl_walk(const void *buf, size_t len, int (*cb)(const struct nlmsghdr *nlh, void *userdata),
	      void *userdata)
{
	const uint8_t *p = buf;

	if (!cb || (!buf && len) || ((uintptr_t)buf % NLMSG_ALIGNTO))
		return -EINVAL;
	while (len > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		size_t step;
		int r;

		/* The checks of mnl_nlmsg_ok(), but a short or overlong message is an error here,
		 * not the end of the walk: its sender thinks it sent more. */
		if (len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len)
			return -EINVAL;
		r = cb(nlh, userdata);
		if (r < 0)
			return r;
		step = MNL_ALIGN((size_t)nlh->nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}
