/* Request builders of the rtnl codec: each writes one rtnetlink request into a caller-owned buffer
 * with libmnl, checking every write against the buffer size first. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <string.h>

#include "core/names.h"
#include "core/macro.h"
#include "rtnl-internal.h"

/* Puts the netlink header and the family header (copied from hdr) at buf, or NULL when they do
 * not fit. Everything else is written through rtnl_put*, so nlmsg_len never exceeds size. */
struct nlmsghdr *rtnl_put_header(void *buf, size_t size, uint16_t type, uint16_t flags,
				 const void *hdr, size_t hdr_len)
{
	struct nlmsghdr *nlh;

	if (!buf || size < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdr_len))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hdr_len), hdr, hdr_len);
	return nlh;
}

/* mnl_attr_put_check() bounds the padded size, but libmnl 1.0.4 leaves the padding bytes as they
 * were: zero them, so requests are reproducible and never carry stale buffer bytes to the kernel.
 */
bool rtnl_put(struct nlmsghdr *nlh, size_t size, uint16_t type, size_t len, const void *data)
{
	struct nlattr *attr = mnl_nlmsg_get_payload_tail(nlh);

	if (len > UINT16_MAX - MNL_ATTR_HDRLEN || !mnl_attr_put_check(nlh, size, type, len, data))
		return false;
	memset((uint8_t *)mnl_attr_get_payload(attr) + len, 0, MNL_ALIGN(len) - len);
	return true;
}

bool rtnl_put_u32(struct nlmsghdr *nlh, size_t size, uint16_t type, uint32_t v)
{
	return rtnl_put(nlh, size, type, sizeof(v), &v);
}

/* Strings go with their NUL, as iproute2 sends them (NLA_STRING accepts both). */
bool rtnl_put_strz(struct nlmsghdr *nlh, size_t size, uint16_t type, const char *s)
{
	return rtnl_put(nlh, size, type, strlen(s) + 1, s);
}

bool rtnl_put_ip(struct nlmsghdr *nlh, size_t size, uint16_t type, const RtnlIp *ip)
{
	return rtnl_put(nlh, size, type, rtnl_family_len(ip->family), ip->bytes);
}

/* Opens a nest without NLA_F_NESTED, as iproute2's addattr_nest() does: rtnetlink parses
 * these nests either way, and requests then compare byte for byte with iproute2's. */
struct nlattr *rtnl_nest_start(struct nlmsghdr *nlh, size_t size, uint16_t type)
{
	static const uint8_t none;
	struct nlattr *nest = mnl_nlmsg_get_payload_tail(nlh);

	if (!rtnl_put(nlh, size, type, 0, &none))
		return NULL;
	return nest;
}

/* Reserves a struct inside the message (the veth peer's ifinfomsg), zeroed. */
void *rtnl_put_struct(struct nlmsghdr *nlh, size_t size, size_t len)
{
	if (MNL_ALIGN(nlh->nlmsg_len) + MNL_ALIGN(len) > size)
		return NULL;
	return mnl_nlmsg_put_extra_header(nlh, len);
}

bool rtnl_ip_family_ok(const RtnlIp *ip)
{
	return ip->family == 0 || rtnl_family_len(ip->family) > 0;
}

static int rtnl_bad(const char **ret_field, const char *field)
{
	if (ret_field)
		*ret_field = field;
	return -EINVAL;
}

static int rtnl_link_attrs_check(const RtnlLinkAttrs *a, const char **ret_field)
{
	if (a->alias && strlen(a->alias) >= IFALIASZ)
		return rtnl_bad(ret_field, "alias");
	if (a->promisc > RTNL_TRI_ON || a->allmulti > RTNL_TRI_ON || a->multicast > RTNL_TRI_ON ||
	    a->arp > RTNL_TRI_ON)
		return rtnl_bad(ret_field, "flags");
	if (a->has_addr_gen_mode && !rtnl_addr_gen_mode_name(a->addr_gen_mode))
		return rtnl_bad(ret_field, "addr_gen_mode");
	return 0;
}

/* Rejects what the kernel would reject anyway, so the caller gets -EINVAL before any I/O. */
int rtnl_link_spec_check(const RtnlLinkSpec *spec, const char **ret_field)
{
	int r;

	if (!spec)
		return rtnl_bad(ret_field, "spec");
	if (!name_ifname_valid(spec->name))
		return rtnl_bad(ret_field, "name");
	if (!rtnl_kind_to_name(spec->kind))
		return rtnl_bad(ret_field, "kind");
	r = rtnl_link_attrs_check(&spec->attrs, ret_field);
	if (r < 0)
		return r;
	switch (spec->kind) {
	case RTNL_KIND_VETH:
		if (!name_ifname_valid(spec->veth.peer_name))
			return rtnl_bad(ret_field, "veth.peer_name");
		break;
	case RTNL_KIND_VXLAN: {
		const RtnlIp *remote =
			spec->vxlan.remote.family ? &spec->vxlan.remote : &spec->vxlan.group;

		if (spec->vxlan.vni > 0xffffff)
			return rtnl_bad(ret_field, "vxlan.vni");
		if (!rtnl_ip_family_ok(&spec->vxlan.local))
			return rtnl_bad(ret_field, "vxlan.local");
		if (!rtnl_ip_family_ok(&spec->vxlan.remote))
			return rtnl_bad(ret_field, "vxlan.remote");
		if (!rtnl_ip_family_ok(&spec->vxlan.group))
			return rtnl_bad(ret_field, "vxlan.group");
		/* Remote and group share IFLA_VXLAN_GROUP(6): only one can be sent. */
		if (spec->vxlan.remote.family && spec->vxlan.group.family)
			return rtnl_bad(ret_field, "vxlan.group");
		/* The kernel refuses local and remote of different families. */
		if (spec->vxlan.local.family && remote->family &&
		    spec->vxlan.local.family != remote->family)
			return rtnl_bad(ret_field, "vxlan.local");
		break;
	}
	case RTNL_KIND_MACVLAN:
		if (spec->macvlan.parent_index == 0)
			return rtnl_bad(ret_field, "macvlan.parent_index");
		break;
	default:
		return rtnl_kind_check(spec, ret_field);
	}
	return 0;
}

static int rtnl_link_info_data(struct nlmsghdr *nlh, size_t size, const RtnlLinkSpec *spec)
{
	struct nlattr *data, *peer;
	struct ifinfomsg *ifm;
	const RtnlIp *remote;

	switch (spec->kind) {
	case RTNL_KIND_VETH:
		data = rtnl_nest_start(nlh, size, IFLA_INFO_DATA);
		if (!data)
			return -ENOBUFS;
		/* The peer is a whole link description: its own ifinfomsg, then its attributes. */
		peer = mnl_attr_nest_start_check(nlh, size, VETH_INFO_PEER);
		if (!peer)
			return -ENOBUFS;
		ifm = rtnl_put_struct(nlh, size, sizeof(*ifm));
		if (!ifm)
			return -ENOBUFS;
		ifm->ifi_family = AF_UNSPEC;
		if (!rtnl_put_strz(nlh, size, IFLA_IFNAME, spec->veth.peer_name))
			return -ENOBUFS;
		if (spec->veth.peer_ns_fd >= 0 &&
		    !rtnl_put_u32(nlh, size, IFLA_NET_NS_FD, (uint32_t)spec->veth.peer_ns_fd))
			return -ENOBUFS;
		mnl_attr_nest_end(nlh, peer);
		mnl_attr_nest_end(nlh, data);
		return 0;

	case RTNL_KIND_VXLAN:
		data = rtnl_nest_start(nlh, size, IFLA_INFO_DATA);
		if (!data)
			return -ENOBUFS;
		remote = spec->vxlan.remote.family ? &spec->vxlan.remote : &spec->vxlan.group;
		if (!rtnl_put_u32(nlh, size, IFLA_VXLAN_ID, spec->vxlan.vni))
			return -ENOBUFS;
		if (spec->vxlan.port) {
			uint16_t port = htons(spec->vxlan.port);

			if (!rtnl_put(nlh, size, IFLA_VXLAN_PORT, sizeof(port), &port))
				return -ENOBUFS;
		}
		if (spec->vxlan.local.family &&
		    !rtnl_put_ip(nlh, size,
				 spec->vxlan.local.family == AF_INET ? IFLA_VXLAN_LOCAL
								     : IFLA_VXLAN_LOCAL6,
				 &spec->vxlan.local))
			return -ENOBUFS;
		if (remote->family &&
		    !rtnl_put_ip(nlh, size,
				 remote->family == AF_INET ? IFLA_VXLAN_GROUP : IFLA_VXLAN_GROUP6,
				 remote))
			return -ENOBUFS;
		if (spec->vxlan.dev_index &&
		    !rtnl_put_u32(nlh, size, IFLA_VXLAN_LINK, spec->vxlan.dev_index))
			return -ENOBUFS;
		mnl_attr_nest_end(nlh, data);
		return 0;

	case RTNL_KIND_MACVLAN:
		if (!spec->macvlan.mode)
			return 0;
		data = rtnl_nest_start(nlh, size, IFLA_INFO_DATA);
		if (!data)
			return -ENOBUFS;
		if (!rtnl_put_u32(nlh, size, IFLA_MACVLAN_MODE, spec->macvlan.mode))
			return -ENOBUFS;
		mnl_attr_nest_end(nlh, data);
		return 0;

	default:
		return rtnl_kind_put_data(nlh, size, spec);
	}
}

/* ifi_flags/ifi_change of the on/off flags; arp off is IFF_NOARP set. */
static void rtnl_link_attrs_flags(const RtnlLinkAttrs *a, struct ifinfomsg *ifm)
{
	const struct {
		RtnlTri v;
		unsigned flag;
		bool inverted;
	} f[] = {
		{ a->promisc, IFF_PROMISC, false },
		{ a->allmulti, IFF_ALLMULTI, false },
		{ a->multicast, IFF_MULTICAST, false },
		{ a->arp, IFF_NOARP, true },
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i].v == RTNL_TRI_LEAVE)
			continue;
		ifm->ifi_change |= f[i].flag;
		if ((f[i].v == RTNL_TRI_ON) != f[i].inverted)
			ifm->ifi_flags |= f[i].flag;
	}
}

/* IFLA_TXQLEN and IFLA_IFALIAS (as iproute2: the alias without its NUL) before the name. */
static int rtnl_link_attrs_put(struct nlmsghdr *nlh, size_t size, const RtnlLinkAttrs *a)
{
	if (a->has_txqlen && !rtnl_put_u32(nlh, size, IFLA_TXQLEN, a->txqlen))
		return -ENOBUFS;
	if (a->alias && !rtnl_put(nlh, size, IFLA_IFALIAS, strlen(a->alias), a->alias))
		return -ENOBUFS;
	return 0;
}

/* IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE } }. */
static int rtnl_link_af_spec_put(struct nlmsghdr *nlh, size_t size, const RtnlLinkAttrs *a)
{
	struct nlattr *spec, *inet6;

	if (!a->has_addr_gen_mode)
		return 0;
	spec = rtnl_nest_start(nlh, size, IFLA_AF_SPEC);
	inet6 = spec ? rtnl_nest_start(nlh, size, AF_INET6) : NULL;
	if (!inet6 || !rtnl_put_u8(nlh, size, IFLA_INET6_ADDR_GEN_MODE, a->addr_gen_mode))
		return -ENOBUFS;
	mnl_attr_nest_end(nlh, inet6);
	mnl_attr_nest_end(nlh, spec);
	return 0;
}

int rtnl_link_new(void *buf, size_t size, const RtnlLinkSpec *spec)
{
	return rtnl_link_new_ex(buf, size, spec, NULL);
}

int rtnl_link_new_ex(void *buf, size_t size, const RtnlLinkSpec *spec, const char **ret_field)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC };
	struct nlmsghdr *nlh;
	struct nlattr *info;
	uint32_t parent;
	int r;

	r = rtnl_link_spec_check(spec, ret_field);
	if (r < 0)
		return r;
	if (spec->up) {
		ifm.ifi_flags = IFF_UP;
		ifm.ifi_change = IFF_UP;
	}
	rtnl_link_attrs_flags(&spec->attrs, &ifm);
	nlh = rtnl_put_header(buf, size, RTM_NEWLINK, RTNL_REQ_FLAGS | NLM_F_CREATE | NLM_F_EXCL,
			      &ifm, sizeof(ifm));
	if (!nlh)
		return -ENOBUFS;

	/* The parent (macvlan, macvtap, vlan, ipvlan) is a top-level attribute, not part of
	 * IFLA_INFO_DATA; iproute2 puts it first ("ip link add link P name X type ..."). */
	parent = rtnl_kind_parent(spec);
	if (parent && !rtnl_put_u32(nlh, size, IFLA_LINK, parent))
		return -ENOBUFS;
	r = rtnl_link_attrs_put(nlh, size, &spec->attrs);
	if (r < 0)
		return r;
	if (spec->mtu && !rtnl_put_u32(nlh, size, IFLA_MTU, spec->mtu))
		return -ENOBUFS;
	if (spec->has_mac && !rtnl_put(nlh, size, IFLA_ADDRESS, 6, spec->mac))
		return -ENOBUFS;
	if (spec->has_group && !rtnl_put_u32(nlh, size, IFLA_GROUP, spec->group))
		return -ENOBUFS;
	if (spec->master_index && !rtnl_put_u32(nlh, size, IFLA_MASTER, spec->master_index))
		return -ENOBUFS;
	if (spec->ns_fd >= 0 && !rtnl_put_u32(nlh, size, IFLA_NET_NS_FD, (uint32_t)spec->ns_fd))
		return -ENOBUFS;
	r = rtnl_link_af_spec_put(nlh, size, &spec->attrs);
	if (r < 0)
		return r;
	/* iproute2 adds the name after every other option. */
	if (!rtnl_put_strz(nlh, size, IFLA_IFNAME, spec->name))
		return -ENOBUFS;

	info = rtnl_nest_start(nlh, size, IFLA_LINKINFO);
	if (!info)
		return -ENOBUFS;
	if (!rtnl_put_strz(nlh, size, IFLA_INFO_KIND, rtnl_kind_to_name(spec->kind)))
		return -ENOBUFS;
	r = rtnl_link_info_data(nlh, size, spec);
	if (r < 0)
		return r;
	mnl_attr_nest_end(nlh, info);
	return (int)nlh->nlmsg_len;
}

int rtnl_link_set(void *buf, size_t size, const RtnlLinkChange *c)
{
	return rtnl_link_set_ex(buf, size, c, NULL);
}

int rtnl_link_set_ex(void *buf, size_t size, const RtnlLinkChange *c, const char **ret_field)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC };
	struct nlmsghdr *nlh;
	int r;

	if (!c)
		return rtnl_bad(ret_field, "change");
	if (c->index == 0) {
		/* IFLA_IFNAME is the identity here, so it cannot also carry a new name. */
		if (!name_ifname_valid(c->name))
			return rtnl_bad(ret_field, "name");
		if (c->new_name)
			return rtnl_bad(ret_field, "new_name");
	}
	if (c->new_name && !name_ifname_valid(c->new_name))
		return rtnl_bad(ret_field, "new_name");
	if (c->up < -1 || c->up > 1)
		return rtnl_bad(ret_field, "up");
	r = rtnl_link_attrs_check(&c->attrs, ret_field);
	if (r < 0)
		return r;
	if (c->bridge) {
		r = rtnl_bridge_opts_check(c->bridge, ret_field);
		if (r < 0)
			return r;
	}

	ifm.ifi_index = (int)c->index;
	if (c->up >= 0) {
		ifm.ifi_change = IFF_UP;
		ifm.ifi_flags = c->up ? IFF_UP : 0;
	}
	rtnl_link_attrs_flags(&c->attrs, &ifm);
	nlh = rtnl_put_header(buf, size, RTM_NEWLINK, RTNL_REQ_FLAGS, &ifm, sizeof(ifm));
	if (!nlh)
		return -ENOBUFS;

	if (c->index == 0 && !rtnl_put_strz(nlh, size, IFLA_IFNAME, c->name))
		return -ENOBUFS;
	if (c->new_name && !rtnl_put_strz(nlh, size, IFLA_IFNAME, c->new_name))
		return -ENOBUFS;
	if (c->has_mtu && !rtnl_put_u32(nlh, size, IFLA_MTU, c->mtu))
		return -ENOBUFS;
	if (c->has_mac && !rtnl_put(nlh, size, IFLA_ADDRESS, 6, c->mac))
		return -ENOBUFS;
	if (c->has_master && !rtnl_put_u32(nlh, size, IFLA_MASTER, c->master_index))
		return -ENOBUFS;
	if (c->has_group && !rtnl_put_u32(nlh, size, IFLA_GROUP, c->group))
		return -ENOBUFS;
	if (c->ns_fd >= 0 && !rtnl_put_u32(nlh, size, IFLA_NET_NS_FD, (uint32_t)c->ns_fd))
		return -ENOBUFS;
	r = rtnl_link_attrs_put(nlh, size, &c->attrs);
	if (r < 0)
		return r;
	r = rtnl_link_af_spec_put(nlh, size, &c->attrs);
	if (r < 0)
		return r;
	if (c->bridge) {
		struct nlattr *info = rtnl_nest_start(nlh, size, IFLA_LINKINFO), *data;

		if (!info || !rtnl_put_strz(nlh, size, IFLA_INFO_KIND, "bridge"))
			return -ENOBUFS;
		data = rtnl_nest_start(nlh, size, IFLA_INFO_DATA);
		if (!data)
			return -ENOBUFS;
		r = rtnl_bridge_opts_put(nlh, size, c->bridge);
		if (r < 0)
			return r;
		mnl_attr_nest_end(nlh, data);
		mnl_attr_nest_end(nlh, info);
	}
	return (int)nlh->nlmsg_len;
}

/* The shape shared by RTM_DELLINK and RTM_GETLINK: a link by index, or by name when index is 0. */
static struct nlmsghdr *rtnl_link_by(void *buf, size_t size, uint16_t type, uint32_t index,
				     const char *name)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC, .ifi_index = (int)index };
	struct nlmsghdr *nlh;

	nlh = rtnl_put_header(buf, size, type, RTNL_REQ_FLAGS, &ifm, sizeof(ifm));
	if (!nlh)
		return NULL;
	if (index == 0 && !rtnl_put_strz(nlh, size, IFLA_IFNAME, name))
		return NULL;
	return nlh;
}

int rtnl_link_del(void *buf, size_t size, uint32_t index, const char *name)
{
	struct nlmsghdr *nlh;

	if (index == 0 && !name_ifname_valid(name))
		return -EINVAL;
	nlh = rtnl_link_by(buf, size, RTM_DELLINK, index, name);
	if (!nlh)
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

int rtnl_link_del_group(void *buf, size_t size, uint32_t group)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC };
	struct nlmsghdr *nlh;

	/* Group 0 is every link's default group: never build "delete all virtual links". */
	if (group == 0)
		return -EINVAL;
	nlh = rtnl_put_header(buf, size, RTM_DELLINK, RTNL_REQ_FLAGS, &ifm, sizeof(ifm));
	if (!nlh || !rtnl_put_u32(nlh, size, IFLA_GROUP, group))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

static int rtnl_link_get_mask(void *buf, size_t size, uint32_t index, const char *name,
			      uint32_t mask)
{
	struct nlmsghdr *nlh;

	if (index == 0 && !name_ifname_valid(name))
		return -EINVAL;
	nlh = rtnl_link_by(buf, size, RTM_GETLINK, index, name);
	if (!nlh || !rtnl_put_u32(nlh, size, IFLA_EXT_MASK, mask))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

int rtnl_link_get(void *buf, size_t size, uint32_t index, const char *name)
{
	/* Statistics are most of a link message: only for those who ask (rtnl_link_get_stats). */
	return rtnl_link_get_mask(buf, size, index, name, RTEXT_FILTER_SKIP_STATS);
}

int rtnl_link_get_stats(void *buf, size_t size, uint32_t index, const char *name)
{
	/* A zero mask is still sent: it keeps the request's shape the same for both. */
	return rtnl_link_get_mask(buf, size, index, name, 0);
}

static int rtnl_link_dump_mask(void *buf, size_t size, uint32_t master_index, const char *kind,
			       uint32_t mask)
{
	/* Strict checking wants a whole ifinfomsg with everything but the family zero. */
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC };
	struct nlmsghdr *nlh;

	/* An empty kind means no filter, like an unset string field in a request. */
	if (kind && (strlen(kind) >= sizeof(((RtnlLink *)0)->kind)))
		return -EINVAL;
	nlh = rtnl_put_header(buf, size, RTM_GETLINK, RTNL_DUMP_FLAGS, &ifm, sizeof(ifm));
	if (!nlh || !rtnl_put_u32(nlh, size, IFLA_EXT_MASK, mask))
		return -ENOBUFS;
	if (master_index && !rtnl_put_u32(nlh, size, IFLA_MASTER, master_index))
		return -ENOBUFS;
	if (kind && kind[0]) {
		struct nlattr *info = rtnl_nest_start(nlh, size, IFLA_LINKINFO);

		if (!info || !rtnl_put_strz(nlh, size, IFLA_INFO_KIND, kind))
			return -ENOBUFS;
		mnl_attr_nest_end(nlh, info);
	}
	return (int)nlh->nlmsg_len;
}

int rtnl_link_dump(void *buf, size_t size, uint32_t master_index, const char *kind)
{
	return rtnl_link_dump_mask(buf, size, master_index, kind, RTEXT_FILTER_SKIP_STATS);
}

int rtnl_link_dump_stats(void *buf, size_t size, uint32_t master_index, const char *kind)
{
	return rtnl_link_dump_mask(buf, size, master_index, kind, 0);
}

static int rtnl_addr_check(const RtnlAddr *a)
{
	if (!a || a->index == 0 || !rtnl_family_len(a->addr.family))
		return -EINVAL;
	if (a->prefix_len > rtnl_family_max_plen(a->addr.family))
		return -EINVAL;
	if (a->broadcast.family && (a->broadcast.family != AF_INET || a->addr.family != AF_INET))
		return -EINVAL;
	if (a->peer.family && a->peer.family != a->addr.family)
		return -EINVAL;
	/* IPv6 has no labels: the kernel would drop one silently. */
	if (strnlen(a->label, sizeof(a->label)) == sizeof(a->label) ||
	    (a->label[0] && a->addr.family != AF_INET))
		return -EINVAL;
	/* The kernel refuses a valid lifetime of 0 and a preferred one beyond the valid one. */
	if (a->has_lifetimes && (a->valid_lft == 0 || a->preferred_lft > a->valid_lft))
		return -EINVAL;
	return 0;
}

/* IFA_ADDRESS is the peer of a point-to-point address, else the address itself. */
static const RtnlIp *rtnl_addr_address(const RtnlAddr *a)
{
	return a->peer.family ? &a->peer : &a->addr;
}

static struct nlmsghdr *rtnl_addr_msg(void *buf, size_t size, uint16_t type, uint16_t flags,
				      const RtnlAddr *a)
{
	struct ifaddrmsg ifa = {
		.ifa_family = a->addr.family,
		.ifa_prefixlen = a->prefix_len,
		.ifa_scope = a->scope,
		.ifa_index = a->index,
	};
	struct nlmsghdr *nlh;

	nlh = rtnl_put_header(buf, size, type, flags, &ifa, sizeof(ifa));
	if (!nlh || !rtnl_put_ip(nlh, size, IFA_LOCAL, &a->addr))
		return NULL;
	return nlh;
}

/* The attributes in the order `ip address add ADDR [peer P] [brd B] [label L] [flags]
 * [lifetimes]` sends them, so requests compare byte for byte with iproute2's. */
static int rtnl_addr_add(void *buf, size_t size, const RtnlAddr *a, uint16_t flags)
{
	struct nlmsghdr *nlh;
	int r;

	r = rtnl_addr_check(a);
	if (r < 0)
		return r;
	nlh = rtnl_addr_msg(buf, size, RTM_NEWADDR, flags, a);
	if (!nlh)
		return -ENOBUFS;
	if (a->peer.family && !rtnl_put_ip(nlh, size, IFA_ADDRESS, &a->peer))
		return -ENOBUFS;
	if (a->broadcast.family && !rtnl_put_ip(nlh, size, IFA_BROADCAST, &a->broadcast))
		return -ENOBUFS;
	/* ifa_flags is 8 bits; IFA_FLAGS carries all 32 and wins when present. */
	((struct ifaddrmsg *)mnl_nlmsg_get_payload(nlh))->ifa_flags = (uint8_t)a->flags;
	if (a->flags > 0xff && !rtnl_put_u32(nlh, size, IFA_FLAGS, a->flags))
		return -ENOBUFS;
	if (a->label[0] && !rtnl_put_strz(nlh, size, IFA_LABEL, a->label))
		return -ENOBUFS;
	if (!a->peer.family && !rtnl_put_ip(nlh, size, IFA_ADDRESS, &a->addr))
		return -ENOBUFS;
	if (a->has_lifetimes) {
		struct ifa_cacheinfo ci = { .ifa_prefered = a->preferred_lft,
					    .ifa_valid = a->valid_lft };

		if (!rtnl_put(nlh, size, IFA_CACHEINFO, sizeof(ci), &ci))
			return -ENOBUFS;
	}
	return (int)nlh->nlmsg_len;
}

int rtnl_addr_new(void *buf, size_t size, const RtnlAddr *a)
{
	return rtnl_addr_add(buf, size, a, RTNL_REQ_FLAGS | NLM_F_CREATE | NLM_F_EXCL);
}

int rtnl_addr_replace(void *buf, size_t size, const RtnlAddr *a)
{
	return rtnl_addr_add(buf, size, a, RTNL_REQ_FLAGS | NLM_F_CREATE | NLM_F_REPLACE);
}

int rtnl_addr_del(void *buf, size_t size, const RtnlAddr *a)
{
	struct nlmsghdr *nlh;
	int r;

	r = rtnl_addr_check(a);
	if (r < 0)
		return r;
	nlh = rtnl_addr_msg(buf, size, RTM_DELADDR, RTNL_REQ_FLAGS, a);
	if (!nlh || !rtnl_put_ip(nlh, size, IFA_ADDRESS, rtnl_addr_address(a)))
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

int rtnl_addr_dump(void *buf, size_t size, uint8_t family, uint32_t index)
{
	/* Strict checking filters on ifa_index and wants the other header fields zero. */
	struct ifaddrmsg ifa = { .ifa_family = family, .ifa_index = index };
	struct nlmsghdr *nlh;

	if (family != AF_UNSPEC && !rtnl_family_len(family))
		return -EINVAL;
	nlh = rtnl_put_header(buf, size, RTM_GETADDR, RTNL_DUMP_FLAGS, &ifa, sizeof(ifa));
	if (!nlh)
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}

static int rtnl_route_check(const RtnlRoute *r)
{
	if (!r || !rtnl_family_len(r->family))
		return -EINVAL;
	if (r->dst.family) {
		if (r->dst.family != r->family || r->dst_len > rtnl_family_max_plen(r->family))
			return -EINVAL;
	} else if (r->dst_len) {
		return -EINVAL;
	}
	if (r->prefsrc.family && r->prefsrc.family != r->family)
		return -EINVAL;
	if (!rtnl_ip_family_ok(&r->gateway))
		return -EINVAL;
	/* An IPv4 route may go via an IPv6 gateway (RTA_VIA); IPv6 routes have no such thing. */
	if (r->gateway.family && r->gateway.family != r->family && r->family != AF_INET)
		return -EINVAL;
	return rtnl_route_check_extra(r);
}

/* The attributes shared by RTM_NEWROUTE and RTM_DELROUTE; the caller filled the rtmsg. */
static int rtnl_route_attrs(struct nlmsghdr *nlh, size_t size, const RtnlRoute *r, uint32_t table,
			    bool new)
{
	if (!rtnl_put_u32(nlh, size, RTA_TABLE, table))
		return -ENOBUFS;
	if (r->dst.family && !rtnl_put_ip(nlh, size, RTA_DST, &r->dst))
		return -ENOBUFS;
	if (r->gateway.family == r->family) {
		if (!rtnl_put_ip(nlh, size, RTA_GATEWAY, &r->gateway))
			return -ENOBUFS;
	} else if (r->gateway.family) {
		/* struct rtvia: a family, then the address (flexible array). */
		uint8_t via[sizeof(struct rtvia) + 16];
		struct rtvia hdr = { .rtvia_family = r->gateway.family };
		size_t len = rtnl_family_len(r->gateway.family);

		memcpy(via, &hdr, sizeof(hdr));
		memcpy(via + sizeof(hdr), r->gateway.bytes, len);
		if (!rtnl_put(nlh, size, RTA_VIA, sizeof(hdr) + len, via))
			return -ENOBUFS;
	}
	if (new && r->prefsrc.family && !rtnl_put_ip(nlh, size, RTA_PREFSRC, &r->prefsrc))
		return -ENOBUFS;
	if (r->oif && !rtnl_put_u32(nlh, size, RTA_OIF, r->oif))
		return -ENOBUFS;
	if (r->priority && !rtnl_put_u32(nlh, size, RTA_PRIORITY, r->priority))
		return -ENOBUFS;
	return rtnl_route_put_extra(nlh, size, r, new);
}

/* Table 0 means the main table, as in every tool; say so explicitly rather than relying on each
 * family's fallback for id 0. */
static uint32_t rtnl_route_table(const RtnlRoute *r)
{
	return r->table ? r->table : RT_TABLE_MAIN;
}

int rtnl_route_new(void *buf, size_t size, const RtnlRoute *r, bool replace)
{
	struct rtmsg rtm = {};
	struct nlmsghdr *nlh;
	uint32_t table;
	int ret;

	ret = rtnl_route_check(r);
	if (ret < 0)
		return ret;
	table = rtnl_route_table(r);
	rtm.rtm_family = r->family;
	rtm.rtm_dst_len = r->dst_len;
	rtm.rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm.rtm_scope = r->scope;
	rtm.rtm_protocol = r->protocol;
	/* RTN_UNSPEC is never a valid new route (IPv4 rejects it as "Invalid scope"). */
	rtm.rtm_type = r->type ? r->type : RTN_UNICAST;
	rtm.rtm_flags = r->flags;
	nlh = rtnl_put_header(buf, size, RTM_NEWROUTE,
			      RTNL_REQ_FLAGS | NLM_F_CREATE |
				      (replace ? NLM_F_REPLACE : NLM_F_EXCL),
			      &rtm, sizeof(rtm));
	if (!nlh)
		return -ENOBUFS;
	ret = rtnl_route_attrs(nlh, size, r, table, true);
	if (ret < 0)
		return ret;
	return (int)nlh->nlmsg_len;
}

int rtnl_route_del(void *buf, size_t size, const RtnlRoute *r)
{
	struct rtmsg rtm = {};
	struct nlmsghdr *nlh;
	uint32_t table;
	int ret;

	ret = rtnl_route_check(r);
	if (ret < 0)
		return ret;
	table = rtnl_route_table(r);
	rtm.rtm_family = r->family;
	rtm.rtm_dst_len = r->dst_len;
	rtm.rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	/* IPv4 matches the scope exactly unless it is RT_SCOPE_NOWHERE (any), as iproute2 sends;
	 * type and protocol 0 are wildcards already. */
	rtm.rtm_scope = RT_SCOPE_NOWHERE;
	rtm.rtm_protocol = r->protocol;
	rtm.rtm_type = r->type;
	nlh = rtnl_put_header(buf, size, RTM_DELROUTE, RTNL_REQ_FLAGS, &rtm, sizeof(rtm));
	if (!nlh)
		return -ENOBUFS;
	ret = rtnl_route_attrs(nlh, size, r, table, false);
	if (ret < 0)
		return ret;
	return (int)nlh->nlmsg_len;
}

int rtnl_route_dump(void *buf, size_t size, uint8_t family)
{
	/* Strict checking treats the other rtmsg fields as filters or rejects them: family only. */
	struct rtmsg rtm = { .rtm_family = family };
	struct nlmsghdr *nlh;

	if (family != AF_UNSPEC && !rtnl_family_len(family))
		return -EINVAL;
	nlh = rtnl_put_header(buf, size, RTM_GETROUTE, RTNL_DUMP_FLAGS, &rtm, sizeof(rtm));
	if (!nlh)
		return -ENOBUFS;
	return (int)nlh->nlmsg_len;
}
