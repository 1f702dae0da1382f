/* Conversions of rtnetlink objects (RtnlLink, RtnlAddr, RtnlRoute) to API messages, shared by
 * the List/Get/Create methods and the Watch streams. Everything is allocated in the Op's arena. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/nexthop.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "ops-internal.h"
#include "ops-linkkind.h"
#include "ops-pb.h"

static const char *const oper_states[] = {
	"unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up",
};

static bool ip_multicast(const RtnlIp *ip)
{
	if (ip->family == AF_INET)
		return (ip->bytes[0] & 0xf0) == 0xe0;
	return ip->family == AF_INET6 && ip->bytes[0] == 0xff;
}

/* The macvlan modes both ways: the API's enum and the kernel's MACVLAN_MODE_*. */
static const struct {
	Nsring__V1__MacvlanMode pb;
	uint32_t kernel;
} macvlan_modes[] = {
	{ NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_PRIVATE, MACVLAN_MODE_PRIVATE },
	{ NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_VEPA, MACVLAN_MODE_VEPA },
	{ NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_BRIDGE, MACVLAN_MODE_BRIDGE },
	{ NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_PASSTHRU, MACVLAN_MODE_PASSTHRU },
	{ NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_SOURCE, MACVLAN_MODE_SOURCE },
};

uint32_t op_macvlan_mode_from_pb(Nsring__V1__MacvlanMode m)
{
	for (size_t i = 0; i < ARRAY_SIZE(macvlan_modes); i++)
		if (macvlan_modes[i].pb == m)
			return macvlan_modes[i].kernel;
	return 0;
}

static Nsring__V1__MacvlanMode macvlan_mode_to_pb(uint32_t mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(macvlan_modes); i++)
		if (macvlan_modes[i].kernel == mode)
			return macvlan_modes[i].pb;
	return NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_UNSPECIFIED;
}

/* The kind-specific oneof, for the kinds the API models. */
static void op_link_info_to_pb(Op *op, const RtnlLink *l, Nsring__V1__Link *pb)
{
	char ip[INET6_ADDRSTRLEN];

	if (strcmp(l->kind, "veth") == 0) {
		pb->veth = op_alloc(op, sizeof(*pb->veth));
		nsring__v1__veth__init(pb->veth);
		pb->info_case = NSRING__V1__LINK__INFO_VETH;
	} else if (strcmp(l->kind, "bridge") == 0) {
		pb->bridge = op_alloc(op, sizeof(*pb->bridge));
		nsring__v1__bridge__init(pb->bridge);
		pb->info_case = NSRING__V1__LINK__INFO_BRIDGE;
	} else if (strcmp(l->kind, "vxlan") == 0) {
		Nsring__V1__Vxlan *v = op_alloc(op, sizeof(*v));
		nsring__v1__vxlan__init(v);
		v->vni = l->info.vxlan.vni;
		v->port = l->info.vxlan.port;
		v->dev_index = l->info.vxlan.dev_index;
		if (l->info.vxlan.local.family)
			v->local =
				op_strdup(op, rtnl_ip_format(&l->info.vxlan.local, ip, sizeof(ip)));
		if (l->info.vxlan.group.family) {
			char *g =
				op_strdup(op, rtnl_ip_format(&l->info.vxlan.group, ip, sizeof(ip)));
			if (ip_multicast(&l->info.vxlan.group))
				v->group = g;
			else
				v->remote = g;
		}
		pb->vxlan = v;
		pb->info_case = NSRING__V1__LINK__INFO_VXLAN;
	} else if (strcmp(l->kind, "macvlan") == 0) {
		pb->macvlan = op_alloc(op, sizeof(*pb->macvlan));
		nsring__v1__macvlan__init(pb->macvlan);
		pb->macvlan->mode = macvlan_mode_to_pb(l->info.macvlan.mode);
		pb->info_case = NSRING__V1__LINK__INFO_MACVLAN;
	} else if (strcmp(l->kind, "ifb") == 0) {
		pb->ifb = op_alloc(op, sizeof(*pb->ifb));
		nsring__v1__ifb__init(pb->ifb);
		pb->info_case = NSRING__V1__LINK__INFO_IFB;
	} else if (strcmp(l->kind, "dummy") == 0) {
		pb->dummy = op_alloc(op, sizeof(*pb->dummy));
		nsring__v1__dummy__init(pb->dummy);
		pb->info_case = NSRING__V1__LINK__INFO_DUMMY;
	}
}

Nsring__V1__Link *op_link_to_pb(Op *op, const RtnlLink *l)
{
	Nsring__V1__Link *pb = op_alloc(op, sizeof(*pb));
	char mac[3 * sizeof(l->mac)];

	nsring__v1__link__init(pb);
	pb->index = l->index;
	pb->name = op_strdup(op, l->name);
	pb->kind = op_strdup(op, l->kind);
	pb->flags = l->flags;
	pb->up = (l->flags & IFF_UP) != 0;
	pb->oper_state = (char *)(l->operstate < ARRAY_SIZE(oper_states) ? oper_states[l->operstate]
									 : "unknown");
	pb->mtu = l->mtu;
	if (l->mac_len)
		pb->address = op_strdup(op, rtnl_mac_format(l->mac, l->mac_len, mac, sizeof(mac)));
	pb->master_index = l->master;
	pb->group = l->group;
	pb->parent_index = l->link;
	pb->link_netnsid = l->link_netnsid;
	op_link_info_to_pb(op, l, pb);
	op_link_more_to_pb(op, l, pb);
	return pb;
}

/* Name of a link collected by a dump in this op, or "" . */
const char *op_link_name(Op *op, uint32_t index)
{
	for (size_t i = 0; i < op->dump.nlinks; i++)
		if (op->dump.links[i].index == index)
			return op->dump.links[i].name;
	return "";
}

Nsring__V1__Address *op_addr_to_pb(Op *op, const RtnlAddr *a)
{
	Nsring__V1__Address *pb = op_alloc(op, sizeof(*pb));
	char ip[INET6_ADDRSTRLEN];

	nsring__v1__address__init(pb);
	pb->link_index = a->index;
	pb->link_name = (char *)op_link_name(op, a->index);
	pb->address = op_strdup(op, rtnl_ip_format(&a->addr, ip, sizeof(ip)));
	pb->prefix_len = a->prefix_len;
	pb->scope = a->scope;
	pb->flags = a->flags;
	if (a->broadcast.family)
		pb->broadcast = op_strdup(op, rtnl_ip_format(&a->broadcast, ip, sizeof(ip)));
	if (a->peer.family)
		pb->peer = op_strdup(op, rtnl_ip_format(&a->peer, ip, sizeof(ip)));
	if (a->label[0])
		pb->label = op_strdup(op, a->label);
	if (a->has_lifetimes) {
		pb->set_valid_lft_case = NSRING__V1__ADDRESS__SET_VALID_LFT_VALID_LFT;
		pb->valid_lft = a->valid_lft;
		pb->set_preferred_lft_case = NSRING__V1__ADDRESS__SET_PREFERRED_LFT_PREFERRED_LFT;
		pb->preferred_lft = a->preferred_lft;
	}
	pb->nodad = (a->flags & IFA_F_NODAD) != 0;
	pb->noprefixroute = (a->flags & IFA_F_NOPREFIXROUTE) != 0;
	return pb;
}

Nsring__V1__Route *op_route_to_pb(Op *op, const RtnlRoute *rt)
{
	Nsring__V1__Route *pb = op_alloc(op, sizeof(*pb));
	char ip[INET6_ADDRSTRLEN];

	nsring__v1__route__init(pb);
	pb->destination = rt->dst.family
				  ? op_printf(op, "%s/%u", rtnl_ip_format(&rt->dst, ip, sizeof(ip)),
					      rt->dst_len)
				  : "default";
	pb->family = rt->family == AF_INET ? 4 : 6;
	if (rt->gateway.family)
		pb->gateway = op_strdup(op, rtnl_ip_format(&rt->gateway, ip, sizeof(ip)));
	pb->dev_index = rt->oif;
	pb->dev = (char *)op_link_name(op, rt->oif);
	pb->table = rt->table;
	pb->metric = rt->priority;
	pb->set_scope_case = NSRING__V1__ROUTE__SET_SCOPE_SCOPE;
	pb->scope = rt->scope;
	pb->protocol = rt->protocol;
	pb->type = rt->type;
	if (rt->prefsrc.family)
		pb->prefsrc = op_strdup(op, rtnl_ip_format(&rt->prefsrc, ip, sizeof(ip)));
	pb->nhid = rt->nhid;
	pb->onlink = (rt->flags & RTNH_F_ONLINK) != 0;
	pb->flags = rt->flags;
	pb->mtu = rt->mtu;
	if (rt->src.family)
		pb->src = op_printf(op, "%s/%u", rtnl_ip_format(&rt->src, ip, sizeof(ip)),
				    rt->src_len);
	pb->iif = rt->iif;
	if (rt->n_paths) {
		pb->paths = op_alloc(op, rt->n_paths * sizeof(*pb->paths));
		for (size_t i = 0; i < rt->n_paths; i++) {
			const RtnlRoutePath *p = &rt->paths[i];
			Nsring__V1__RoutePath *pp = op_alloc(op, sizeof(*pp));

			nsring__v1__route_path__init(pp);
			if (p->gateway.family)
				pp->gateway =
					op_strdup(op, rtnl_ip_format(&p->gateway, ip, sizeof(ip)));
			pp->dev_index = p->ifindex;
			pp->dev = (char *)op_link_name(op, p->ifindex);
			pp->weight = p->weight ? p->weight : 1;
			pp->onlink = (p->flags & RTNH_F_ONLINK) != 0;
			pp->flags = p->flags;
			pb->paths[pb->n_paths++] = pp;
		}
	}
	return pb;
}

Nsring__V1__Rule *op_rule_to_pb(Op *op, const RtnlRule *r)
{
	Nsring__V1__Rule *pb = op_alloc(op, sizeof(*pb));
	char ip[INET6_ADDRSTRLEN];

	nsring__v1__rule__init(pb);
	pb->family = r->family == AF_INET ? 4 : 6;
	if (r->has_priority) {
		pb->set_priority_case = NSRING__V1__RULE__SET_PRIORITY_PRIORITY;
		pb->priority = r->priority;
	}
	if (r->src.family)
		pb->from =
			op_printf(op, "%s/%u", rtnl_ip_format(&r->src, ip, sizeof(ip)), r->src_len);
	if (r->dst.family)
		pb->to =
			op_printf(op, "%s/%u", rtnl_ip_format(&r->dst, ip, sizeof(ip)), r->dst_len);
	if (r->iif[0])
		pb->iif = op_strdup(op, r->iif);
	if (r->oif[0])
		pb->oif = op_strdup(op, r->oif);
	if (r->has_fwmark) {
		pb->set_fwmark_case = NSRING__V1__RULE__SET_FWMARK_FWMARK;
		pb->fwmark = r->fwmark;
		pb->fwmask = r->fwmask;
	}
	pb->table = r->table;
	pb->action = (Nsring__V1__RuleAction)r->action;
	pb->goto_priority = r->goto_target;
	pb->l3mdev = r->l3mdev;
	pb->ipproto = r->ip_proto;
	if (r->sport.start) {
		pb->sport = op_alloc(op, sizeof(*pb->sport));
		nsring__v1__port_range__init(pb->sport);
		pb->sport->start = r->sport.start;
		pb->sport->end = r->sport.end;
	}
	if (r->dport.start) {
		pb->dport = op_alloc(op, sizeof(*pb->dport));
		nsring__v1__port_range__init(pb->dport);
		pb->dport->start = r->dport.start;
		pb->dport->end = r->dport.end;
	}
	if (r->has_suppress_prefixlen) {
		pb->set_suppress_prefixlength_case =
			NSRING__V1__RULE__SET_SUPPRESS_PREFIXLENGTH_SUPPRESS_PREFIXLENGTH;
		pb->suppress_prefixlength = r->suppress_prefixlen;
	}
	pb->invert = r->invert;
	pb->tos = r->tos;
	pb->protocol = r->protocol;
	return pb;
}

Nsring__V1__Nexthop *op_nexthop_to_pb(Op *op, const RtnlNexthop *nh)
{
	Nsring__V1__Nexthop *pb = op_alloc(op, sizeof(*pb));
	char ip[INET6_ADDRSTRLEN];

	nsring__v1__nexthop__init(pb);
	pb->id = nh->id;
	pb->family = nh->family == AF_INET ? 4 : nh->family == AF_INET6 ? 6 : 0;
	if (nh->gateway.family)
		pb->gateway = op_strdup(op, rtnl_ip_format(&nh->gateway, ip, sizeof(ip)));
	pb->dev_index = nh->oif;
	pb->dev = (char *)op_link_name(op, nh->oif);
	pb->blackhole = nh->blackhole;
	pb->onlink = (nh->flags & RTNH_F_ONLINK) != 0;
	pb->flags = nh->flags;
	pb->fdb = nh->fdb;
	pb->protocol = nh->protocol;
	if (nh->n_group) {
		pb->group = op_alloc(op, nh->n_group * sizeof(*pb->group));
		for (size_t i = 0; i < nh->n_group; i++) {
			Nsring__V1__NexthopGroupMember *m = op_alloc(op, sizeof(*m));

			nsring__v1__nexthop_group_member__init(m);
			m->id = nh->group[i].id;
			m->weight = nh->group[i].weight ? nh->group[i].weight : 1;
			pb->group[pb->n_group++] = m;
		}
		if (nh->group_type == NEXTHOP_GRP_TYPE_RES)
			pb->resilient_buckets = nh->res_buckets;
	}
	return pb;
}
