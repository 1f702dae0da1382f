/* IPv4 per-device settings (devconf) over rtnetlink: the /proc/sys/net/ipv4/conf/DEV/ names
 * that RTM_SETLINK IFLA_AF_SPEC/AF_INET/IFLA_INET_CONF can set, and that request. */
#include <errno.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "core/macro.h"
#include "rtnl-internal.h"

/* Writable through /proc as well: mc_forwarding (read-only there, owned by the multicast
 * routing daemon) and tag (no /proc file) are left out, so rtnetlink never sets what /proc
 * refuses. */
static const struct {
	const char *name;
	int type;
} inet_devconf[] = {
	{ "forwarding", IPV4_DEVCONF_FORWARDING },
	{ "proxy_arp", IPV4_DEVCONF_PROXY_ARP },
	{ "accept_redirects", IPV4_DEVCONF_ACCEPT_REDIRECTS },
	{ "secure_redirects", IPV4_DEVCONF_SECURE_REDIRECTS },
	{ "send_redirects", IPV4_DEVCONF_SEND_REDIRECTS },
	{ "shared_media", IPV4_DEVCONF_SHARED_MEDIA },
	{ "rp_filter", IPV4_DEVCONF_RP_FILTER },
	{ "accept_source_route", IPV4_DEVCONF_ACCEPT_SOURCE_ROUTE },
	{ "bootp_relay", IPV4_DEVCONF_BOOTP_RELAY },
	{ "log_martians", IPV4_DEVCONF_LOG_MARTIANS },
	{ "arp_filter", IPV4_DEVCONF_ARPFILTER },
	{ "medium_id", IPV4_DEVCONF_MEDIUM_ID },
	{ "disable_xfrm", IPV4_DEVCONF_NOXFRM },
	{ "disable_policy", IPV4_DEVCONF_NOPOLICY },
	{ "force_igmp_version", IPV4_DEVCONF_FORCE_IGMP_VERSION },
	{ "arp_announce", IPV4_DEVCONF_ARP_ANNOUNCE },
	{ "arp_ignore", IPV4_DEVCONF_ARP_IGNORE },
	{ "promote_secondaries", IPV4_DEVCONF_PROMOTE_SECONDARIES },
	{ "arp_accept", IPV4_DEVCONF_ARP_ACCEPT },
	{ "arp_notify", IPV4_DEVCONF_ARP_NOTIFY },
	{ "accept_local", IPV4_DEVCONF_ACCEPT_LOCAL },
	{ "src_valid_mark", IPV4_DEVCONF_SRC_VMARK },
	{ "proxy_arp_pvlan", IPV4_DEVCONF_PROXY_ARP_PVLAN },
	{ "route_localnet", IPV4_DEVCONF_ROUTE_LOCALNET },
	{ "igmpv2_unsolicited_report_interval", IPV4_DEVCONF_IGMPV2_UNSOLICITED_REPORT_INTERVAL },
	{ "igmpv3_unsolicited_report_interval", IPV4_DEVCONF_IGMPV3_UNSOLICITED_REPORT_INTERVAL },
	{ "ignore_routes_with_linkdown", IPV4_DEVCONF_IGNORE_ROUTES_WITH_LINKDOWN },
	{ "drop_unicast_in_l2_multicast", IPV4_DEVCONF_DROP_UNICAST_IN_L2_MULTICAST },
	{ "drop_gratuitous_arp", IPV4_DEVCONF_DROP_GRATUITOUS_ARP },
	{ "bc_forwarding", IPV4_DEVCONF_BC_FORWARDING },
	{ "arp_evict_nocarrier", IPV4_DEVCONF_ARP_EVICT_NOCARRIER },
};

int rtnl_inet_devconf_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(inet_devconf); i++)
		if (strcmp(inet_devconf[i].name, name) == 0)
			return inet_devconf[i].type;
	return -ENOENT;
}

int rtnl_link_set_inet_conf(void *buf, size_t size, uint32_t index, int type, uint32_t value)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC, .ifi_index = (int)index };
	struct nlattr *spec, *inet, *conf;
	struct nlmsghdr *nlh;

	if (index == 0 || type < 1 || type > IPV4_DEVCONF_MAX)
		return -EINVAL;
	nlh = rtnl_put_header(buf, size, RTM_SETLINK, RTNL_REQ_FLAGS, &ifm, sizeof(ifm));
	spec = nlh ? rtnl_nest_start(nlh, size, IFLA_AF_SPEC) : NULL;
	inet = spec ? rtnl_nest_start(nlh, size, AF_INET) : NULL;
	conf = inet ? rtnl_nest_start(nlh, size, IFLA_INET_CONF) : NULL;
	if (!conf || !rtnl_put_u32(nlh, size, (uint16_t)type, value))
		return -ENOBUFS;
	mnl_attr_nest_end(nlh, conf);
	mnl_attr_nest_end(nlh, inet);
	mnl_attr_nest_end(nlh, spec);
	return (int)nlh->nlmsg_len;
}
