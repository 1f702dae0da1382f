/* The codec's link (RtnlLink) into the API's newer Link fields: attributes, the kinds of
 * ops-linkkind.c, bridge options and port flags, tun/tap; statistics only when asked for (the
 * kernel sends IFLA_STATS64 in every RTM_NEWLINK, but Get/List without stats and Watch events
 * stay as small as before). Called by op_link_to_pb() for Get/List/Create/Update replies and
 * Watch events alike, so reads show what was set. */
#include <arpa/inet.h>
#include <linux/if_bridge.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <string.h>

#include "ops-linkkind.h"
#include "ops-pb.h"

static char *ip_str(Op *op, const RtnlIp *ip)
{
	char buf[INET6_ADDRSTRLEN];

	return ip->family ? op_strdup(op, rtnl_ip_format(ip, buf, sizeof(buf))) : (char *)"";
}

static const char *vlan_protocol_name(uint16_t proto)
{
	return proto == ETH_P_8021AD ? "802.1ad" : proto == ETH_P_8021Q ? "802.1Q" : "";
}

static const char *const brport_states[] = {
	[BR_STATE_DISABLED] = "disabled", [BR_STATE_LISTENING] = "listening",
	[BR_STATE_LEARNING] = "learning", [BR_STATE_FORWARDING] = "forwarding",
	[BR_STATE_BLOCKING] = "blocking",
};

Nsring__V1__BridgePort *op_brport_to_pb(Op *op, const RtnlBrport *p)
{
	Nsring__V1__BridgePort *b = op_alloc(op, sizeof(*b));

	nsring__v1__bridge_port__init(b);
#define TRI(f, CASE)                                                                               \
	if (p->f) {                                                                                \
		b->set_##f##_case = NSRING__V1__BRIDGE_PORT__SET_##CASE##_##CASE;                  \
		b->f = p->f == RTNL_TRI_ON;                                                        \
	}
	TRI(hairpin, HAIRPIN)
	TRI(learning, LEARNING)
	TRI(flood, FLOOD)
	TRI(mcast_flood, MCAST_FLOOD)
	TRI(isolated, ISOLATED)
	TRI(neigh_suppress, NEIGH_SUPPRESS)
#undef TRI
	if (p->has_cost)
		b->set_cost_case = NSRING__V1__BRIDGE_PORT__SET_COST_COST, b->cost = p->cost;
	if (p->has_priority)
		b->set_priority_case = NSRING__V1__BRIDGE_PORT__SET_PRIORITY_PRIORITY,
		b->priority = p->priority;
	if (p->has_state && p->state < ARRAY_SIZE(brport_states))
		b->state = (char *)brport_states[p->state];
	return b;
}

static Nsring__V1__Bridge *bridge_to_pb(Op *op, const RtnlBridgeOpts *o)
{
	Nsring__V1__Bridge *b = op_alloc(op, sizeof(*b));

	nsring__v1__bridge__init(b);
	if (o->vlan_filtering)
		b->set_vlan_filtering_case = NSRING__V1__BRIDGE__SET_VLAN_FILTERING_VLAN_FILTERING,
		b->vlan_filtering = o->vlan_filtering == RTNL_TRI_ON;
	b->vlan_protocol = (char *)vlan_protocol_name(o->vlan_protocol);
	if (o->has_default_pvid)
		b->set_default_pvid_case = NSRING__V1__BRIDGE__SET_DEFAULT_PVID_DEFAULT_PVID,
		b->default_pvid = o->default_pvid;
	if (o->has_stp_state)
		b->set_stp_state_case = NSRING__V1__BRIDGE__SET_STP_STATE_STP_STATE,
		b->stp_state = o->stp_state;
	if (o->has_ageing_time)
		b->set_ageing_time_case = NSRING__V1__BRIDGE__SET_AGEING_TIME_AGEING_TIME,
		b->ageing_time = o->ageing_time;
	if (o->has_forward_delay)
		b->set_forward_delay_case = NSRING__V1__BRIDGE__SET_FORWARD_DELAY_FORWARD_DELAY,
		b->forward_delay = o->forward_delay;
	if (o->mcast_snooping)
		b->set_mcast_snooping_case = NSRING__V1__BRIDGE__SET_MCAST_SNOOPING_MCAST_SNOOPING,
		b->mcast_snooping = o->mcast_snooping == RTNL_TRI_ON;
	return b;
}

static Nsring__V1__Tunnel *tunnel_to_pb(Op *op, const RtnlTunnel *t)
{
	Nsring__V1__Tunnel *pb = op_alloc(op, sizeof(*pb));

	nsring__v1__tunnel__init(pb);
	pb->local = ip_str(op, &t->local);
	pb->remote = ip_str(op, &t->remote);
	pb->ttl = t->ttl;
	if (t->has_ikey)
		pb->set_ikey_case = NSRING__V1__TUNNEL__SET_IKEY_IKEY, pb->ikey = t->ikey;
	if (t->has_okey)
		pb->set_okey_case = NSRING__V1__TUNNEL__SET_OKEY_OKEY, pb->okey = t->okey;
	return pb;
}

#define NEW(type, init)                                                                            \
	({                                                                                         \
		type *_m = op_alloc(op, sizeof(type));                                             \
		init(_m);                                                                          \
		_m;                                                                                \
	})

static void kind_to_pb(Op *op, const RtnlLink *l, Nsring__V1__Link *pb)
{
	const char *k = l->kind;

	if (strcmp(k, "bridge") == 0) {
		pb->bridge = bridge_to_pb(op, &l->info.bridge);
		pb->info_case = NSRING__V1__LINK__INFO_BRIDGE;
	} else if (strcmp(k, "vlan") == 0) {
		Nsring__V1__Vlan *v = NEW(Nsring__V1__Vlan, nsring__v1__vlan__init);
		v->id = l->info.vlan.id;
		v->protocol = (char *)vlan_protocol_name(l->info.vlan.protocol);
		pb->vlan = v;
		pb->info_case = NSRING__V1__LINK__INFO_VLAN;
	} else if (strcmp(k, "vrf") == 0) {
		pb->vrf = NEW(Nsring__V1__Vrf, nsring__v1__vrf__init);
		pb->vrf->table = l->info.vrf.table;
		pb->info_case = NSRING__V1__LINK__INFO_VRF;
	} else if (strcmp(k, "bond") == 0) {
		const RtnlBond *b = &l->info.bond;
		Nsring__V1__Bond *v = NEW(Nsring__V1__Bond, nsring__v1__bond__init);
		const char *s;

		if (b->has_mode && (s = rtnl_bond_mode_name(b->mode)))
			v->mode = (char *)s;
		if (b->has_miimon)
			v->set_miimon_case = NSRING__V1__BOND__SET_MIIMON_MIIMON,
			v->miimon = b->miimon;
		if (b->has_lacp_rate)
			v->lacp_rate = b->lacp_rate ? "fast" : "slow";
		if (b->has_xmit_hash_policy && (s = rtnl_bond_xmit_hash_name(b->xmit_hash_policy)))
			v->xmit_hash_policy = (char *)s;
		pb->bond = v;
		pb->info_case = NSRING__V1__LINK__INFO_BOND;
	} else if (strcmp(k, "ipvlan") == 0) {
		Nsring__V1__Ipvlan *v = NEW(Nsring__V1__Ipvlan, nsring__v1__ipvlan__init);
		const char *s =
			l->info.ipvlan.has_mode ? rtnl_ipvlan_mode_name(l->info.ipvlan.mode) : NULL;
		v->mode = (char *)(s ? s : "");
		pb->ipvlan = v;
		pb->info_case = NSRING__V1__LINK__INFO_IPVLAN;
	} else if (strcmp(k, "macvtap") == 0) {
		Nsring__V1__Macvtap *v = NEW(Nsring__V1__Macvtap, nsring__v1__macvtap__init);
		const char *s = rtnl_macvlan_mode_name(l->info.macvlan.mode);
		v->mode = (char *)(s ? s : "");
		pb->macvtap = v;
		pb->info_case = NSRING__V1__LINK__INFO_MACVTAP;
	} else if (strcmp(k, "geneve") == 0) {
		Nsring__V1__Geneve *v = NEW(Nsring__V1__Geneve, nsring__v1__geneve__init);
		v->id = l->info.geneve.id;
		v->remote = ip_str(op, &l->info.geneve.remote);
		v->port = l->info.geneve.port;
		v->ttl = l->info.geneve.ttl;
		pb->geneve = v;
		pb->info_case = NSRING__V1__LINK__INFO_GENEVE;
	} else if (strcmp(k, "gre") == 0) {
		pb->gre = tunnel_to_pb(op, &l->info.tunnel);
		pb->info_case = NSRING__V1__LINK__INFO_GRE;
	} else if (strcmp(k, "gretap") == 0) {
		pb->gretap = tunnel_to_pb(op, &l->info.tunnel);
		pb->info_case = NSRING__V1__LINK__INFO_GRETAP;
	} else if (strcmp(k, "ip6gre") == 0) {
		pb->ip6gre = tunnel_to_pb(op, &l->info.tunnel);
		pb->info_case = NSRING__V1__LINK__INFO_IP6GRE;
	} else if (strcmp(k, "ipip") == 0) {
		pb->ipip = tunnel_to_pb(op, &l->info.tunnel);
		pb->info_case = NSRING__V1__LINK__INFO_IPIP;
	} else if (strcmp(k, "sit") == 0) {
		pb->sit = tunnel_to_pb(op, &l->info.tunnel);
		pb->info_case = NSRING__V1__LINK__INFO_SIT;
	} else if (strcmp(k, "wireguard") == 0) {
		pb->wireguard = NEW(Nsring__V1__Wireguard, nsring__v1__wireguard__init);
		pb->info_case = NSRING__V1__LINK__INFO_WIREGUARD;
	} else if (strcmp(k, "tun") == 0) {
		const RtnlTun *t = &l->info.tun;
		Nsring__V1__Tun *v = NEW(Nsring__V1__Tun, nsring__v1__tun__init);
		v->tap = t->type == IFF_TAP;
		if (t->has_owner)
			v->set_owner_case = NSRING__V1__TUN__SET_OWNER_OWNER, v->owner = t->owner;
		if (t->has_group)
			v->set_group_case = NSRING__V1__TUN__SET_GROUP_GROUP, v->group = t->group;
		v->multi_queue = t->multi_queue;
		v->persistent = t->persist;
		v->pi = t->pi;
		v->vnet_hdr = t->vnet_hdr;
		v->num_queues = t->num_queues;
		pb->tun = v;
		pb->info_case = NSRING__V1__LINK__INFO_TUN;
	}
}

static Nsring__V1__LinkStats *stats_to_pb(Op *op, const RtnlLinkStats *s)
{
	Nsring__V1__LinkStats *pb = NEW(Nsring__V1__LinkStats, nsring__v1__link_stats__init);

	pb->rx_packets = s->rx_packets;
	pb->tx_packets = s->tx_packets;
	pb->rx_bytes = s->rx_bytes;
	pb->tx_bytes = s->tx_bytes;
	pb->rx_errors = s->rx_errors;
	pb->tx_errors = s->tx_errors;
	pb->rx_dropped = s->rx_dropped;
	pb->tx_dropped = s->tx_dropped;
	pb->multicast = s->multicast;
	pb->collisions = s->collisions;
	pb->rx_missed_errors = s->rx_missed_errors;
	pb->tx_carrier_errors = s->tx_carrier_errors;
	pb->rx_over_errors = s->rx_over_errors;
	pb->rx_crc_errors = s->rx_crc_errors;
	pb->rx_frame_errors = s->rx_frame_errors;
	pb->rx_fifo_errors = s->rx_fifo_errors;
	pb->tx_aborted_errors = s->tx_aborted_errors;
	pb->tx_fifo_errors = s->tx_fifo_errors;
	pb->tx_heartbeat_errors = s->tx_heartbeat_errors;
	pb->tx_window_errors = s->tx_window_errors;
	pb->rx_nohandler = s->rx_nohandler;
	return pb;
}

void op_link_more_to_pb(Op *op, const RtnlLink *l, Nsring__V1__Link *pb)
{
	const char *s;

	pb->alias = op_strdup(op, l->alias);
	pb->txqlen = l->txqlen;
	pb->set_promisc_case = NSRING__V1__LINK__SET_PROMISC_PROMISC;
	pb->promisc = (l->flags & IFF_PROMISC) != 0;
	pb->set_allmulti_case = NSRING__V1__LINK__SET_ALLMULTI_ALLMULTI;
	pb->allmulti = (l->flags & IFF_ALLMULTI) != 0;
	pb->set_multicast_case = NSRING__V1__LINK__SET_MULTICAST_MULTICAST;
	pb->multicast = (l->flags & IFF_MULTICAST) != 0;
	pb->set_arp_case = NSRING__V1__LINK__SET_ARP_ARP;
	pb->arp = (l->flags & IFF_NOARP) == 0;
	if (l->has_addr_gen_mode && (s = rtnl_addr_gen_mode_name(l->addr_gen_mode)))
		pb->addr_gen_mode = (char *)s;
	pb->slave_kind = op_strdup(op, l->slave_kind);
	if (l->has_brport)
		pb->bridge_port = op_brport_to_pb(op, &l->brport);
	kind_to_pb(op, l, pb);
}

void op_link_stats_to_pb(Op *op, const RtnlLink *l, Nsring__V1__Link *pb)
{
	if (l->has_stats)
		pb->stats = stats_to_pb(op, &l->stats);
}
