/* nsringctl's link kinds beyond veth/bridge/vxlan/macvlan/ifb/dummy and their `type KIND ...`
 * options, bridge options, the link attributes of `link add|set` (alias, txqueuelen, promisc,
 * allmulticast, multicast, arp, addrgenmode), and `link show -s|-d` blocks as ip prints them. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <inttypes.h>
#include <string.h>

#include "ctl-internal.h"

/* Kinds whose options live here: the word and the Link.info member. */
static const CtlWord kinds[] = {
	{ "vlan", NSRING__V1__LINK__INFO_VLAN },
	{ "vrf", NSRING__V1__LINK__INFO_VRF },
	{ "bond", NSRING__V1__LINK__INFO_BOND },
	{ "ipvlan", NSRING__V1__LINK__INFO_IPVLAN },
	{ "macvtap", NSRING__V1__LINK__INFO_MACVTAP },
	{ "geneve", NSRING__V1__LINK__INFO_GENEVE },
	{ "gre", NSRING__V1__LINK__INFO_GRE },
	{ "gretap", NSRING__V1__LINK__INFO_GRETAP },
	{ "ip6gre", NSRING__V1__LINK__INFO_IP6GRE },
	{ "ipip", NSRING__V1__LINK__INFO_IPIP },
	{ "sit", NSRING__V1__LINK__INFO_SIT },
	{ "wireguard", NSRING__V1__LINK__INFO_WIREGUARD },
	{ "tun", NSRING__V1__LINK__INFO_TUN },
	{ "tap", NSRING__V1__LINK__INFO_TUN },
};

const char *ctl_linkkind_words(char *buf, size_t size)
{
	return ctl_word_list(CTL_WORDS(kinds), ", ", buf, size);
}

static Nsring__V1__Tunnel **tunnel_slot(Nsring__V1__Link *l)
{
	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_GRE:
		return &l->gre;
	case NSRING__V1__LINK__INFO_GRETAP:
		return &l->gretap;
	case NSRING__V1__LINK__INFO_IP6GRE:
		return &l->ip6gre;
	case NSRING__V1__LINK__INFO_IPIP:
		return &l->ipip;
	case NSRING__V1__LINK__INFO_SIT:
		return &l->sit;
	default:
		return NULL;
	}
}

int ctl_linkkind_set(CtlCmd *cmd, Nsring__V1__Link *link, const char *word)
{
	int info;
	void *m = NULL;

	if (ctl_word_value(CTL_WORDS(kinds), word, &info) < 0)
		return 1;
	link->info_case = (Nsring__V1__Link__InfoCase)info;
	switch (info) {
	case NSRING__V1__LINK__INFO_VLAN:
		m = link->vlan = CTL_NEW_MSG(cmd, Nsring__V1__Vlan, nsring__v1__vlan__init);
		break;
	case NSRING__V1__LINK__INFO_VRF:
		m = link->vrf = CTL_NEW_MSG(cmd, Nsring__V1__Vrf, nsring__v1__vrf__init);
		break;
	case NSRING__V1__LINK__INFO_BOND:
		m = link->bond = CTL_NEW_MSG(cmd, Nsring__V1__Bond, nsring__v1__bond__init);
		break;
	case NSRING__V1__LINK__INFO_IPVLAN:
		m = link->ipvlan = CTL_NEW_MSG(cmd, Nsring__V1__Ipvlan, nsring__v1__ipvlan__init);
		break;
	case NSRING__V1__LINK__INFO_MACVTAP:
		m = link->macvtap =
			CTL_NEW_MSG(cmd, Nsring__V1__Macvtap, nsring__v1__macvtap__init);
		break;
	case NSRING__V1__LINK__INFO_GENEVE:
		m = link->geneve = CTL_NEW_MSG(cmd, Nsring__V1__Geneve, nsring__v1__geneve__init);
		break;
	case NSRING__V1__LINK__INFO_WIREGUARD:
		m = link->wireguard =
			CTL_NEW_MSG(cmd, Nsring__V1__Wireguard, nsring__v1__wireguard__init);
		break;
	case NSRING__V1__LINK__INFO_TUN:
		/* As `ip tuntap add`: always persistent. */
		m = link->tun = CTL_NEW_MSG(cmd, Nsring__V1__Tun, nsring__v1__tun__init);
		if (m) {
			link->tun->tap = ctl_streq(word, "tap");
			link->tun->persistent = true;
		}
		break;
	default:
		m = *tunnel_slot(link) =
			CTL_NEW_MSG(cmd, Nsring__V1__Tunnel, nsring__v1__tunnel__init);
		break;
	}
	return m ? 0 : ctl_oom(cmd);
}

static int arg_str(CtlParser *p, const char *kw, char **ret)
{
	const char *v;
	int r = ctl_need(p, kw, &v);

	if (r >= 0)
		*ret = (char *)v;
	return r;
}

static int arg_onoff(CtlParser *p, const char *kw, protobuf_c_boolean *ret)
{
	const char *v;
	int r = ctl_need(p, kw, &v);

	if (r < 0)
		return r;
	if (ctl_streq(v, "on") || ctl_streq(v, "1"))
		*ret = true;
	else if (ctl_streq(v, "off") || ctl_streq(v, "0"))
		*ret = false;
	else
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: \"%s\" takes on or off", v, kw);
	return 0;
}

/* user/group NAME or number, as ip tuntap takes them (resolved here, by this host's names). */
static int arg_id(CtlParser *p, const char *kw, bool user, uint32_t *ret)
{
	const char *v;
	int r = ctl_need(p, kw, &v);

	if (r < 0)
		return r;
	if (ctl_parse_u32(v, ret) == 0)
		return 0;
	if (user) {
		struct passwd *pw = getpwnam(v);

		if (pw) {
			*ret = pw->pw_uid;
			return 0;
		}
	} else {
		struct group *gr = getgrnam(v);

		if (gr) {
			*ret = gr->gr_gid;
			return 0;
		}
	}
	return ctl_fail(p->cmd, "argument \"%s\" is wrong: no such %s", v, user ? "user" : "group");
}

static int tun_opt(CtlParser *p, const char *a, Nsring__V1__Tun *t)
{
	if (ctl_streq(a, "user") || ctl_streq(a, "owner")) {
		t->set_owner_case = NSRING__V1__TUN__SET_OWNER_OWNER;
		return arg_id(p, a, true, &t->owner);
	}
	if (ctl_streq(a, "group")) {
		t->set_group_case = NSRING__V1__TUN__SET_GROUP_GROUP;
		return arg_id(p, a, false, &t->group);
	}
	if (ctl_streq(a, "multi_queue"))
		t->multi_queue = true;
	else if (ctl_streq(a, "pi"))
		t->pi = true;
	else if (ctl_streq(a, "vnet_hdr"))
		t->vnet_hdr = true;
	else if (ctl_streq(a, "mode")) {
		const char *v;
		int r = ctl_need(p, a, &v);

		if (r < 0)
			return r;
		if (!ctl_streq(v, "tun") && !ctl_streq(v, "tap"))
			return ctl_fail(p->cmd, "argument \"%s\" is wrong: mode is tun or tap", v);
		t->tap = ctl_streq(v, "tap");
	} else
		return 1;
	return 0;
}

static int tunnel_opt(CtlParser *p, const char *a, Nsring__V1__Tunnel *t)
{
	const char *v;
	uint32_t key;
	int r;

	if (ctl_streq(a, "local") || ctl_streq(a, "remote")) {
		r = ctl_need(p, a, &v);
		if (r < 0)
			return r;
		if (ctl_streq(v, "any"))
			v = "";
		else if (!ctl_ip_family(v))
			return ctl_fail(p->cmd, "argument \"%s\" is wrong: \"%s\" takes an address",
					v, a);
		if (ctl_streq(a, "local"))
			t->local = (char *)v;
		else
			t->remote = (char *)v;
		return 0;
	}
	if (ctl_streq(a, "ttl") || ctl_streq(a, "hoplimit"))
		return ctl_arg_u32(p, a, 255, &t->ttl);
	if (ctl_streq(a, "key") || ctl_streq(a, "ikey") || ctl_streq(a, "okey")) {
		r = ctl_arg_u32(p, a, UINT32_MAX, &key);
		if (r < 0)
			return r;
		if (!ctl_streq(a, "okey"))
			t->set_ikey_case = NSRING__V1__TUNNEL__SET_IKEY_IKEY, t->ikey = key;
		if (!ctl_streq(a, "ikey"))
			t->set_okey_case = NSRING__V1__TUNNEL__SET_OKEY_OKEY, t->okey = key;
		return 0;
	}
	if (ctl_streq(a, "dev")) {
		r = ctl_arg_ifname(p, a, &v);
		t->dev = (char *)v;
		return r < 0 ? r : 0;
	}
	return 1;
}

int ctl_bridge_opt(CtlParser *p, const char *a, Nsring__V1__Bridge *b)
{
	protobuf_c_boolean on;
	int r;

	if (ctl_streq(a, "vlan_filtering")) {
		r = arg_onoff(p, a, &on);
		b->set_vlan_filtering_case = NSRING__V1__BRIDGE__SET_VLAN_FILTERING_VLAN_FILTERING;
		b->vlan_filtering = on;
	} else if (ctl_streq(a, "mcast_snooping")) {
		r = arg_onoff(p, a, &on);
		b->set_mcast_snooping_case = NSRING__V1__BRIDGE__SET_MCAST_SNOOPING_MCAST_SNOOPING;
		b->mcast_snooping = on;
	} else if (ctl_streq(a, "vlan_protocol")) {
		r = arg_str(p, a, &b->vlan_protocol);
	} else if (ctl_streq(a, "vlan_default_pvid") || ctl_streq(a, "default_pvid")) {
		b->set_default_pvid_case = NSRING__V1__BRIDGE__SET_DEFAULT_PVID_DEFAULT_PVID;
		r = ctl_arg_u32(p, a, 4094, &b->default_pvid);
	} else if (ctl_streq(a, "stp_state")) {
		b->set_stp_state_case = NSRING__V1__BRIDGE__SET_STP_STATE_STP_STATE;
		r = ctl_arg_u32(p, a, UINT32_MAX, &b->stp_state);
	} else if (ctl_streq(a, "ageing_time")) {
		b->set_ageing_time_case = NSRING__V1__BRIDGE__SET_AGEING_TIME_AGEING_TIME;
		r = ctl_arg_u32(p, a, UINT32_MAX, &b->ageing_time);
	} else if (ctl_streq(a, "forward_delay")) {
		b->set_forward_delay_case = NSRING__V1__BRIDGE__SET_FORWARD_DELAY_FORWARD_DELAY;
		r = ctl_arg_u32(p, a, UINT32_MAX, &b->forward_delay);
	} else {
		return 1;
	}
	return r < 0 ? r : 0;
}

int ctl_linkkind_opt(CtlParser *p, const char *a, Nsring__V1__Link *l)
{
	Nsring__V1__Tunnel **t = tunnel_slot(l);
	int r;

	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_BRIDGE:
		return ctl_bridge_opt(p, a, l->bridge);
	case NSRING__V1__LINK__INFO_VLAN:
		if (ctl_streq(a, "id"))
			return ctl_arg_u32(p, a, UINT32_MAX, &l->vlan->id);
		if (ctl_streq(a, "protocol"))
			return arg_str(p, a, &l->vlan->protocol);
		return 1;
	case NSRING__V1__LINK__INFO_VRF:
		if (ctl_streq(a, "table"))
			return ctl_arg_u32(p, a, UINT32_MAX, &l->vrf->table);
		return 1;
	case NSRING__V1__LINK__INFO_BOND:
		if (ctl_streq(a, "mode"))
			return arg_str(p, a, &l->bond->mode);
		if (ctl_streq(a, "miimon")) {
			l->bond->set_miimon_case = NSRING__V1__BOND__SET_MIIMON_MIIMON;
			return ctl_arg_u32(p, a, UINT32_MAX, &l->bond->miimon);
		}
		if (ctl_streq(a, "lacp_rate"))
			return arg_str(p, a, &l->bond->lacp_rate);
		if (ctl_streq(a, "xmit_hash_policy"))
			return arg_str(p, a, &l->bond->xmit_hash_policy);
		return 1;
	case NSRING__V1__LINK__INFO_IPVLAN:
		if (ctl_streq(a, "mode"))
			return arg_str(p, a, &l->ipvlan->mode);
		return 1;
	case NSRING__V1__LINK__INFO_MACVTAP:
		if (ctl_streq(a, "mode"))
			return arg_str(p, a, &l->macvtap->mode);
		return 1;
	case NSRING__V1__LINK__INFO_TUN:
		return tun_opt(p, a, l->tun);
	case NSRING__V1__LINK__INFO_GENEVE:
		if (ctl_streq(a, "id") || ctl_streq(a, "vni"))
			return ctl_arg_u32(p, a, UINT32_MAX, &l->geneve->id);
		if (ctl_streq(a, "remote")) {
			const char *v;
			r = ctl_arg_ip(p, a, &v, NULL);
			l->geneve->remote = (char *)v;
			return r < 0 ? r : 0;
		}
		if (ctl_streq(a, "dstport"))
			return ctl_arg_u32(p, a, 65535, &l->geneve->port);
		if (ctl_streq(a, "ttl"))
			return ctl_arg_u32(p, a, 255, &l->geneve->ttl);
		return 1;
	default:
		return t ? tunnel_opt(p, a, *t) : 1;
	}
}

int ctl_linkkind_finish(CtlParser *p, Nsring__V1__Link *l, const char **parent)
{
	char **slot = NULL;

	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_VLAN:
		if (!l->vlan->id)
			return ctl_fail(p->cmd, "vlan needs \"id VLANID\"");
		slot = &l->vlan->parent;
		break;
	case NSRING__V1__LINK__INFO_IPVLAN:
		slot = &l->ipvlan->parent;
		break;
	case NSRING__V1__LINK__INFO_MACVTAP:
		slot = &l->macvtap->parent;
		break;
	case NSRING__V1__LINK__INFO_VRF:
		if (!l->vrf->table)
			return ctl_fail(p->cmd, "vrf needs \"table TABLE\"");
		return 0;
	case NSRING__V1__LINK__INFO_GENEVE:
		if (!l->geneve->remote[0])
			return ctl_fail(p->cmd, "geneve needs \"remote ADDR\"");
		return 0;
	default:
		return 0;
	}
	if (!*parent)
		return ctl_fail(p->cmd, "%s needs \"link PARENT\"",
				ctl_word_name(CTL_WORDS(kinds), (int)l->info_case));
	*slot = (char *)*parent;
	*parent = NULL;
	return 0;
}

/* ---- attributes: `link add` (into Link) and `link set` (into UpdateLinkRequest) */

static const CtlWord addr_gen_modes[] = {
	{ "eui64", 0 },
	{ "none", 1 },
	{ "stable_secret", 2 },
	{ "random", 3 },
};

static int arg_addrgenmode(CtlParser *p, const char *kw, char **ret)
{
	const char *v;
	char list[96];
	int r = ctl_need(p, kw, &v), x;

	if (r < 0)
		return r;
	if (ctl_word_value(CTL_WORDS(addr_gen_modes), v, &x) < 0)
		return ctl_fail(
			p->cmd, "argument \"%s\" is wrong: addrgenmode is %s", v,
			ctl_word_list(CTL_WORDS(addr_gen_modes), " or ", list, sizeof(list)));
	*ret = (char *)v;
	return 0;
}

int ctl_link_attr_add(CtlParser *p, const char *a, Nsring__V1__Link *l)
{
	protobuf_c_boolean on;
	int r;

	if (ctl_streq(a, "alias"))
		return arg_str(p, a, &l->alias);
	if (ctl_streq(a, "txqueuelen") || ctl_streq(a, "txqlen") || ctl_streq(a, "qlen"))
		return ctl_arg_u32(p, a, UINT32_MAX, &l->txqlen);
	if (ctl_streq(a, "addrgenmode"))
		return arg_addrgenmode(p, a, &l->addr_gen_mode);
	if (ctl_streq(a, "promisc")) {
		r = arg_onoff(p, a, &on);
		l->set_promisc_case = NSRING__V1__LINK__SET_PROMISC_PROMISC, l->promisc = on;
	} else if (ctl_streq(a, "allmulticast")) {
		r = arg_onoff(p, a, &on);
		l->set_allmulti_case = NSRING__V1__LINK__SET_ALLMULTI_ALLMULTI, l->allmulti = on;
	} else if (ctl_streq(a, "multicast")) {
		r = arg_onoff(p, a, &on);
		l->set_multicast_case = NSRING__V1__LINK__SET_MULTICAST_MULTICAST,
		l->multicast = on;
	} else if (ctl_streq(a, "arp")) {
		r = arg_onoff(p, a, &on);
		l->set_arp_case = NSRING__V1__LINK__SET_ARP_ARP, l->arp = on;
	} else {
		return 1;
	}
	return r < 0 ? r : 0;
}

int ctl_link_attr_set(CtlParser *p, const char *a, Nsring__V1__UpdateLinkRequest *req)
{
	protobuf_c_boolean on;
	int r;

	if (ctl_streq(a, "alias")) {
		req->set_alias_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_ALIAS_ALIAS;
		return arg_str(p, a, &req->alias);
	}
	if (ctl_streq(a, "txqueuelen") || ctl_streq(a, "txqlen") || ctl_streq(a, "qlen")) {
		req->set_txqlen_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_TXQLEN_TXQLEN;
		return ctl_arg_u32(p, a, UINT32_MAX, &req->txqlen);
	}
	if (ctl_streq(a, "addrgenmode"))
		return arg_addrgenmode(p, a, &req->addr_gen_mode);
	if (ctl_streq(a, "promisc")) {
		r = arg_onoff(p, a, &on);
		req->set_promisc_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_PROMISC_PROMISC;
		req->promisc = on;
	} else if (ctl_streq(a, "allmulticast")) {
		r = arg_onoff(p, a, &on);
		req->set_allmulti_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_ALLMULTI_ALLMULTI;
		req->allmulti = on;
	} else if (ctl_streq(a, "multicast")) {
		r = arg_onoff(p, a, &on);
		req->set_multicast_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_MULTICAST_MULTICAST;
		req->multicast = on;
	} else if (ctl_streq(a, "arp")) {
		r = arg_onoff(p, a, &on);
		req->set_arp_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_ARP_ARP;
		req->arp = on;
	} else if (ctl_streq(a, "type")) {
		/* `link set BR type bridge OPTIONS...`: the rest are bridge options. */
		const char *v, *o;

		r = ctl_need(p, a, &v);
		if (r < 0)
			return r;
		if (!ctl_streq(v, "bridge"))
			return ctl_fail(p->cmd,
					"link set ... type %s: only bridge options can be "
					"changed",
					v);
		req->bridge = CTL_NEW_MSG(p->cmd, Nsring__V1__Bridge, nsring__v1__bridge__init);
		if (!req->bridge)
			return ctl_oom(p->cmd);
		while ((o = ctl_next(p))) {
			r = ctl_bridge_opt(p, o, req->bridge);
			if (r > 0)
				return ctl_unknown(p, o);
			if (r < 0)
				return r;
		}
		return 0;
	} else {
		return 1;
	}
	return r < 0 ? r : 0;
}

/* ---- printing */

static void tunnel_details(FILE *f, const Nsring__V1__Tunnel *t)
{
	fprintf(f, "remote %s local %s", t->remote[0] ? t->remote : "any",
		t->local[0] ? t->local : "any");
	if (t->ttl)
		fprintf(f, " ttl %" PRIu32, t->ttl);
	else
		fputs(" ttl inherit", f);
	if (t->set_ikey_case)
		fprintf(f, " ikey %" PRIu32, t->ikey);
	if (t->set_okey_case)
		fprintf(f, " okey %" PRIu32, t->okey);
}

static void onoff(FILE *f, const char *name, bool set, bool on)
{
	if (set)
		fprintf(f, " %s %s", name, on ? "on" : "off");
}

void ctl_bridge_details(FILE *f, const Nsring__V1__Bridge *b)
{
	fputs("bridge", f);
	if (b->set_forward_delay_case)
		fprintf(f, " forward_delay %" PRIu32, b->forward_delay);
	if (b->set_ageing_time_case)
		fprintf(f, " ageing_time %" PRIu32, b->ageing_time);
	if (b->set_stp_state_case)
		fprintf(f, " stp_state %" PRIu32, b->stp_state);
	if (b->set_vlan_filtering_case)
		fprintf(f, " vlan_filtering %d", b->vlan_filtering ? 1 : 0);
	if (b->vlan_protocol[0])
		fprintf(f, " vlan_protocol %s", b->vlan_protocol);
	if (b->set_default_pvid_case)
		fprintf(f, " vlan_default_pvid %" PRIu32, b->default_pvid);
	if (b->set_mcast_snooping_case)
		fprintf(f, " mcast_snooping %d", b->mcast_snooping ? 1 : 0);
}

void ctl_brport_details(FILE *f, const Nsring__V1__BridgePort *p)
{
	if (p->state[0])
		fprintf(f, " state %s", p->state);
	if (p->set_priority_case)
		fprintf(f, " priority %" PRIu32, p->priority);
	if (p->set_cost_case)
		fprintf(f, " cost %" PRIu32, p->cost);
	onoff(f, "hairpin", p->set_hairpin_case, p->hairpin);
	onoff(f, "learning", p->set_learning_case, p->learning);
	onoff(f, "flood", p->set_flood_case, p->flood);
	onoff(f, "mcast_flood", p->set_mcast_flood_case, p->mcast_flood);
	onoff(f, "neigh_suppress", p->set_neigh_suppress_case, p->neigh_suppress);
	onoff(f, "isolated", p->set_isolated_case, p->isolated);
}

bool ctl_linkkind_details(FILE *f, const Nsring__V1__Link *l, const char *sep)
{
	const Nsring__V1__Tunnel *t =
		tunnel_slot((Nsring__V1__Link *)l) ? *tunnel_slot((Nsring__V1__Link *)l) : NULL;

	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_VLAN:
		fprintf(f, "%sprotocol %s id %" PRIu32, sep,
			l->vlan->protocol[0] ? l->vlan->protocol : "802.1Q", l->vlan->id);
		return true;
	case NSRING__V1__LINK__INFO_VRF:
		fprintf(f, "%stable %" PRIu32, sep, l->vrf->table);
		return true;
	case NSRING__V1__LINK__INFO_BOND:
		fprintf(f, "%smode %s", sep, l->bond->mode[0] ? l->bond->mode : "balance-rr");
		if (l->bond->set_miimon_case)
			fprintf(f, " miimon %" PRIu32, l->bond->miimon);
		if (l->bond->lacp_rate[0])
			fprintf(f, " lacp_rate %s", l->bond->lacp_rate);
		if (l->bond->xmit_hash_policy[0])
			fprintf(f, " xmit_hash_policy %s", l->bond->xmit_hash_policy);
		return true;
	case NSRING__V1__LINK__INFO_IPVLAN:
		if (l->ipvlan->mode[0])
			fprintf(f, "%smode %s", sep, l->ipvlan->mode);
		return l->ipvlan->mode[0];
	case NSRING__V1__LINK__INFO_MACVTAP:
		if (l->macvtap->mode[0])
			fprintf(f, "%smode %s", sep, l->macvtap->mode);
		return l->macvtap->mode[0];
	case NSRING__V1__LINK__INFO_GENEVE:
		fprintf(f, "%sid %" PRIu32 " remote %s", sep, l->geneve->id, l->geneve->remote);
		if (l->geneve->port)
			fprintf(f, " dstport %" PRIu32, l->geneve->port);
		return true;
	case NSRING__V1__LINK__INFO_TUN:
		fprintf(f, "%s%s", sep, l->tun->tap ? "tap" : "tun");
		if (l->tun->set_owner_case)
			fprintf(f, " user %" PRIu32, l->tun->owner);
		if (l->tun->set_group_case)
			fprintf(f, " group %" PRIu32, l->tun->group);
		if (l->tun->multi_queue)
			fputs(" multi_queue", f);
		if (l->tun->persistent)
			fputs(" persist", f);
		return true;
	default:
		if (!t)
			return false;
		fputs(sep, f);
		tunnel_details(f, t);
		return true;
	}
}

static void stats_lines(FILE *f, const Nsring__V1__LinkStats *s)
{
	fprintf(f, "    RX:  bytes packets errors dropped  missed   mcast\n");
	fprintf(f,
		"    %10" PRIu64 " %7" PRIu64 " %6" PRIu64 " %7" PRIu64 " %7" PRIu64 " %7" PRIu64
		"\n",
		s->rx_bytes, s->rx_packets, s->rx_errors, s->rx_dropped, s->rx_missed_errors,
		s->multicast);
	fprintf(f, "    TX:  bytes packets errors dropped carrier collsns\n");
	fprintf(f,
		"    %10" PRIu64 " %7" PRIu64 " %6" PRIu64 " %7" PRIu64 " %7" PRIu64 " %7" PRIu64
		"\n",
		s->tx_bytes, s->tx_packets, s->tx_errors, s->tx_dropped, s->tx_carrier_errors,
		s->collisions);
}

void ctl_link_print_block(FILE *f, const Nsring__V1__Link *l, bool stats, bool details)
{
	ctl_link_print_event(f, l);
	if (l->txqlen)
		fprintf(f, " qlen %" PRIu32, l->txqlen);
	fputc('\n', f);
	if (details) {
		fprintf(f, "    promiscuity %d allmulti %d", l->promisc ? 1 : 0,
			l->allmulti ? 1 : 0);
		if (l->set_arp_case && !l->arp)
			fputs(" noarp", f);
		if (l->addr_gen_mode[0])
			fprintf(f, " addrgenmode %s", l->addr_gen_mode);
		fputc('\n', f);
		if (l->info_case == NSRING__V1__LINK__INFO_BRIDGE && l->bridge) {
			fputs("    ", f);
			ctl_bridge_details(f, l->bridge);
			fputc('\n', f);
		}
		if (l->bridge_port) {
			fputs("    bridge_slave", f);
			ctl_brport_details(f, l->bridge_port);
			fputc('\n', f);
		}
		if (l->alias[0])
			fprintf(f, "    alias %s\n", l->alias);
	}
	if (stats && l->stats)
		stats_lines(f, l->stats);
}
