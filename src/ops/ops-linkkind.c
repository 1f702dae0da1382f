/* Link kinds beyond veth/bridge/vxlan/macvlan/ifb/dummy, link attributes and bridge options:
 * protobuf -> codec struct conversion and its validation, naming the API field that is wrong
 * before anything is sent. ops-link.c calls these from CreateLink and UpdateLink. */
#include <errno.h>
#include <linux/if_ether.h>
#include <string.h>

#include "core/names.h"
#include "core/status.h"
#include "ops-internal.h"
#include "ops-linkkind.h"

/* The codec's field names (rtnl_link_spec_check's ret_field) as the API spells them, and why. */
static const struct {
	const char *codec, *api, *why;
} field_names[] = {
	{ "vlan.id", "link.vlan.id", "VLAN ids are 1-4094" },
	{ "vlan.protocol", "link.vlan.protocol", "\"802.1Q\" or \"802.1ad\"" },
	{ "vlan.parent_index", "link.vlan.parent", "the parent device is required" },
	{ "vrf.table", "link.vrf.table", "a VRF needs a table above 0" },
	{ "bond.mode", "link.bond.mode", "not a bond mode" },
	{ "bond.lacp_rate", "link.bond.lacp_rate", "\"slow\" or \"fast\"" },
	{ "bond.xmit_hash_policy", "link.bond.xmit_hash_policy", "not a transmit hash policy" },
	{ "ipvlan.parent_index", "link.ipvlan.parent", "the parent device is required" },
	{ "ipvlan.mode", "link.ipvlan.mode", "\"l2\", \"l3\" or \"l3s\"" },
	{ "macvlan.parent_index", "link.macvtap.parent", "the parent device is required" },
	{ "macvlan.mode", "link.macvtap.mode", "not a macvlan mode" },
	{ "geneve.id", "link.geneve.id", "geneve ids are 0-16777215" },
	{ "geneve.remote", "link.geneve.remote", "an IPv4 or IPv6 remote is required" },
	{ "tunnel.local", "local",
	  "local and remote must both be of the tunnel's family (IPv6 for ip6gre, IPv4 for the "
	  "others)" },
	{ "tunnel.remote", "remote",
	  "local and remote must both be of the tunnel's family (IPv6 for ip6gre, IPv4 for the "
	  "others)" },
	{ "tunnel.ikey", "ikey", "ipip and sit tunnels have no keys" },
	{ "tunnel.okey", "okey", "ipip and sit tunnels have no keys" },
	{ "bridge.vlan_protocol", "bridge.vlan_protocol", "\"802.1Q\" or \"802.1ad\"" },
	{ "bridge.default_pvid", "bridge.default_pvid", "VLAN ids are 0-4094 (0 disables)" },
	{ "alias", "alias", "an alias has at most 255 bytes" },
	{ "addr_gen_mode", "addr_gen_mode",
	  "\"eui64\", \"none\", \"stable_secret\" or \"random\"" },
};

/* The oneof member's name for a tunnel kind (the API field path of its options). */
static const char *tunnel_member(const Nsring__V1__Link *l)
{
	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_GRE:
		return "gre";
	case NSRING__V1__LINK__INFO_GRETAP:
		return "gretap";
	case NSRING__V1__LINK__INFO_IP6GRE:
		return "ip6gre";
	case NSRING__V1__LINK__INFO_IPIP:
		return "ipip";
	case NSRING__V1__LINK__INFO_SIT:
		return "sit";
	default:
		return NULL;
	}
}

static const Nsring__V1__Tunnel *tunnel_of(const Nsring__V1__Link *l)
{
	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_GRE:
		return l->gre;
	case NSRING__V1__LINK__INFO_GRETAP:
		return l->gretap;
	case NSRING__V1__LINK__INFO_IP6GRE:
		return l->ip6gre;
	case NSRING__V1__LINK__INFO_IPIP:
		return l->ipip;
	case NSRING__V1__LINK__INFO_SIT:
		return l->sit;
	default:
		return NULL;
	}
}

/* Fails op with INVALID_ARGUMENT naming the API field for the codec's field (prefix: "link."
 * for CreateLink, "" for UpdateLink). */
static void fail_field(Op *op, const Nsring__V1__Link *l, const char *prefix, const char *codec,
		       const char *value)
{
	const char *api = codec, *why = "not valid";

	for (size_t i = 0; i < ARRAY_SIZE(field_names); i++)
		if (strcmp(field_names[i].codec, codec) == 0) {
			api = field_names[i].api;
			why = field_names[i].why;
			break;
		}
	if (strncmp(codec, "tunnel.", 7) == 0 && l && tunnel_member(l))
		api = op_printf(op, "link.%s.%s", tunnel_member(l), api);
	else if (strncmp(api, "link.", 5) != 0)
		api = op_printf(op, "%s%s", prefix, api);
	if (value)
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid %s \"%.64s\": %s", api, value, why);
	else
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid %s: %s", api, why);
}

static bool parse_ip(Op *op, const char *field, const char *s, RtnlIp *ret)
{
	if (!str_set(s))
		return true;
	if (rtnl_ip_parse(s, ret) == 0)
		return true;
	op_fail(op, STATUS_INVALID_ARGUMENT, "invalid %s \"%.64s\": not an IPv4 or IPv6 address",
		field, s);
	return false;
}

/* A named value of a string field: the table's value, or a failure naming the field. */
static bool named(Op *op, const Nsring__V1__Link *l, const char *prefix, const char *codec,
		  const char *s, int (*from_name)(const char *), int *ret)
{
	int v = from_name(s);

	if (v < 0) {
		fail_field(op, l, prefix, codec, s);
		return false;
	}
	*ret = v;
	return true;
}

static int lacp_rate_from_name(const char *s)
{
	return strcmp(s, "slow") == 0 ? 0 : strcmp(s, "fast") == 0 ? 1 : -EINVAL;
}

bool op_bridge_opts_from_pb(Op *op, const char *prefix, const Nsring__V1__Bridge *b,
			    RtnlBridgeOpts *ret)
{
	int v;

	*ret = (RtnlBridgeOpts){ 0 };
	if (!b)
		return true;
	if (b->set_vlan_filtering_case)
		ret->vlan_filtering = b->vlan_filtering ? RTNL_TRI_ON : RTNL_TRI_OFF;
	if (str_set(b->vlan_protocol)) {
		if (!named(op, NULL, prefix, "bridge.vlan_protocol", b->vlan_protocol,
			   rtnl_vlan_protocol_from_name, &v))
			return false;
		ret->vlan_protocol = (uint16_t)v;
	}
	if (b->set_default_pvid_case) {
		if (b->default_pvid > 4094) {
			fail_field(op, NULL, prefix, "bridge.default_pvid",
				   op_printf(op, "%u", b->default_pvid));
			return false;
		}
		ret->has_default_pvid = true, ret->default_pvid = (uint16_t)b->default_pvid;
	}
	if (b->set_stp_state_case)
		ret->has_stp_state = true, ret->stp_state = b->stp_state;
	if (b->set_ageing_time_case)
		ret->has_ageing_time = true, ret->ageing_time = b->ageing_time;
	if (b->set_forward_delay_case)
		ret->has_forward_delay = true, ret->forward_delay = b->forward_delay;
	if (b->set_mcast_snooping_case)
		ret->mcast_snooping = b->mcast_snooping ? RTNL_TRI_ON : RTNL_TRI_OFF;
	return true;
}

static RtnlTri tri(bool set, bool on)
{
	return !set ? RTNL_TRI_LEAVE : on ? RTNL_TRI_ON : RTNL_TRI_OFF;
}

bool op_link_attrs_from_pb(Op *op, const Nsring__V1__Link *l, RtnlLinkAttrs *a)
{
	int v;

	*a = (RtnlLinkAttrs){ 0 };
	if (str_set(l->alias)) {
		if (strlen(l->alias) >= 256) {
			fail_field(op, l, "link.", "alias", NULL);
			return false;
		}
		a->alias = l->alias;
	}
	if (l->txqlen)
		a->has_txqlen = true, a->txqlen = l->txqlen;
	a->promisc = tri(l->set_promisc_case, l->promisc);
	a->allmulti = tri(l->set_allmulti_case, l->allmulti);
	a->multicast = tri(l->set_multicast_case, l->multicast);
	a->arp = tri(l->set_arp_case, l->arp);
	if (str_set(l->addr_gen_mode)) {
		if (!named(op, l, "link.", "addr_gen_mode", l->addr_gen_mode,
			   rtnl_addr_gen_mode_from_name, &v))
			return false;
		a->has_addr_gen_mode = true, a->addr_gen_mode = (uint8_t)v;
	}
	return true;
}

bool op_update_attrs_from_pb(Op *op, const Nsring__V1__UpdateLinkRequest *req, RtnlLinkAttrs *a)
{
	int v;

	*a = (RtnlLinkAttrs){ 0 };
	if (req->set_alias_case) {
		if (strlen(req->alias ? req->alias : "") >= 256) {
			fail_field(op, NULL, "", "alias", NULL);
			return false;
		}
		a->alias = req->alias ? req->alias : "";
	}
	if (req->set_txqlen_case)
		a->has_txqlen = true, a->txqlen = req->txqlen;
	a->promisc = tri(req->set_promisc_case, req->promisc);
	a->allmulti = tri(req->set_allmulti_case, req->allmulti);
	a->multicast = tri(req->set_multicast_case, req->multicast);
	a->arp = tri(req->set_arp_case, req->arp);
	if (str_set(req->addr_gen_mode)) {
		if (!named(op, NULL, "", "addr_gen_mode", req->addr_gen_mode,
			   rtnl_addr_gen_mode_from_name, &v))
			return false;
		a->has_addr_gen_mode = true, a->addr_gen_mode = (uint8_t)v;
	}
	return true;
}

bool op_update_attrs_set(const RtnlLinkAttrs *a)
{
	return a->alias || a->has_txqlen || a->promisc || a->allmulti || a->multicast || a->arp ||
	       a->has_addr_gen_mode;
}

const char *op_link_kind_parent(const Nsring__V1__Link *l)
{
	const Nsring__V1__Tunnel *t = tunnel_of(l);

	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_VLAN:
		return l->vlan->parent;
	case NSRING__V1__LINK__INFO_IPVLAN:
		return l->ipvlan->parent;
	case NSRING__V1__LINK__INFO_MACVTAP:
		return l->macvtap->parent;
	default:
		return t && str_set(t->dev) ? t->dev : NULL;
	}
}

const char *op_link_kind_parent_field(const Nsring__V1__Link *l)
{
	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_VLAN:
		return "link.vlan.parent";
	case NSRING__V1__LINK__INFO_IPVLAN:
		return "link.ipvlan.parent";
	case NSRING__V1__LINK__INFO_MACVTAP:
		return "link.macvtap.parent";
	default:
		return tunnel_member(l) ? op_tunnel_dev_field(l) : NULL;
	}
}

const char *op_tunnel_dev_field(const Nsring__V1__Link *l)
{
	static const struct {
		int info;
		const char *field;
	} t[] = {
		{ NSRING__V1__LINK__INFO_GRE, "link.gre.dev" },
		{ NSRING__V1__LINK__INFO_GRETAP, "link.gretap.dev" },
		{ NSRING__V1__LINK__INFO_IP6GRE, "link.ip6gre.dev" },
		{ NSRING__V1__LINK__INFO_IPIP, "link.ipip.dev" },
		{ NSRING__V1__LINK__INFO_SIT, "link.sit.dev" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if ((int)l->info_case == t[i].info)
			return t[i].field;
	return NULL;
}

static bool tunnel_from_pb(Op *op, const Nsring__V1__Link *l, const Nsring__V1__Tunnel *t,
			   uint32_t idx_parent, RtnlTunnel *ret)
{
	const char *m = tunnel_member(l);

	*ret = (RtnlTunnel){ .link = idx_parent };
	if (!parse_ip(op, op_printf(op, "link.%s.local", m), t->local, &ret->local) ||
	    !parse_ip(op, op_printf(op, "link.%s.remote", m), t->remote, &ret->remote))
		return false;
	if (t->ttl > 255) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid link.%s.ttl %u: 0-255", m, t->ttl);
		return false;
	}
	ret->ttl = (uint8_t)t->ttl;
	if (t->set_ikey_case)
		ret->has_ikey = true, ret->ikey = t->ikey;
	if (t->set_okey_case)
		ret->has_okey = true, ret->okey = t->okey;
	return true;
}

/* The kinds of this file into spec (kind and its union member); false (failed) on bad input. */
static bool kind_from_pb(Op *op, const Nsring__V1__Link *l, uint32_t idx_parent, RtnlLinkSpec *spec)
{
	int v;

	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_BRIDGE:
		spec->kind = RTNL_KIND_BRIDGE;
		return op_bridge_opts_from_pb(op, "link.", l->bridge, &spec->bridge);
	case NSRING__V1__LINK__INFO_VLAN:
		spec->kind = RTNL_KIND_VLAN;
		spec->vlan.parent_index = idx_parent;
		if (l->vlan->id < 1 || l->vlan->id > 4094) {
			fail_field(op, l, "link.", "vlan.id", op_printf(op, "%u", l->vlan->id));
			return false;
		}
		spec->vlan.id = (uint16_t)l->vlan->id;
		if (str_set(l->vlan->protocol)) {
			if (!named(op, l, "link.", "vlan.protocol", l->vlan->protocol,
				   rtnl_vlan_protocol_from_name, &v))
				return false;
			spec->vlan.protocol = (uint16_t)v;
		}
		return true;
	case NSRING__V1__LINK__INFO_VRF:
		spec->kind = RTNL_KIND_VRF;
		spec->vrf.table = l->vrf->table;
		return true;
	case NSRING__V1__LINK__INFO_BOND: {
		const Nsring__V1__Bond *b = l->bond;

		spec->kind = RTNL_KIND_BOND;
		if (str_set(b->mode)) {
			if (!named(op, l, "link.", "bond.mode", b->mode, rtnl_bond_mode_from_name,
				   &v))
				return false;
			spec->bond.has_mode = true, spec->bond.mode = (uint8_t)v;
		}
		if (b->set_miimon_case)
			spec->bond.has_miimon = true, spec->bond.miimon = b->miimon;
		if (str_set(b->lacp_rate)) {
			if (!named(op, l, "link.", "bond.lacp_rate", b->lacp_rate,
				   lacp_rate_from_name, &v))
				return false;
			spec->bond.has_lacp_rate = true, spec->bond.lacp_rate = (uint8_t)v;
		}
		if (str_set(b->xmit_hash_policy)) {
			if (!named(op, l, "link.", "bond.xmit_hash_policy", b->xmit_hash_policy,
				   rtnl_bond_xmit_hash_from_name, &v))
				return false;
			spec->bond.has_xmit_hash_policy = true;
			spec->bond.xmit_hash_policy = (uint8_t)v;
		}
		return true;
	}
	case NSRING__V1__LINK__INFO_IPVLAN:
		spec->kind = RTNL_KIND_IPVLAN;
		spec->ipvlan.parent_index = idx_parent;
		if (str_set(l->ipvlan->mode)) {
			if (!named(op, l, "link.", "ipvlan.mode", l->ipvlan->mode,
				   rtnl_ipvlan_mode_from_name, &v))
				return false;
			spec->ipvlan.has_mode = true, spec->ipvlan.mode = (uint16_t)v;
		}
		return true;
	case NSRING__V1__LINK__INFO_MACVTAP:
		spec->kind = RTNL_KIND_MACVTAP;
		spec->macvlan.parent_index = idx_parent;
		if (str_set(l->macvtap->mode)) {
			if (!named(op, l, "link.", "macvlan.mode", l->macvtap->mode,
				   rtnl_macvlan_mode_from_name, &v))
				return false;
			spec->macvlan.mode = (uint32_t)v;
		}
		return true;
	case NSRING__V1__LINK__INFO_GENEVE: {
		const Nsring__V1__Geneve *g = l->geneve;

		spec->kind = RTNL_KIND_GENEVE;
		spec->geneve.id = g->id;
		if (!str_set(g->remote)) {
			fail_field(op, l, "link.", "geneve.remote", NULL);
			return false;
		}
		if (!parse_ip(op, "link.geneve.remote", g->remote, &spec->geneve.remote))
			return false;
		if (g->port > 65535 || g->ttl > 255) {
			op_fail(op, STATUS_INVALID_ARGUMENT, "invalid link.geneve.%s %u: 0-%u",
				g->port > 65535 ? "port" : "ttl",
				g->port > 65535 ? g->port : g->ttl, g->port > 65535 ? 65535 : 255);
			return false;
		}
		spec->geneve.port = (uint16_t)g->port;
		spec->geneve.ttl = (uint8_t)g->ttl;
		return true;
	}
	case NSRING__V1__LINK__INFO_GRE:
		spec->kind = RTNL_KIND_GRE;
		return tunnel_from_pb(op, l, l->gre, idx_parent, &spec->tunnel);
	case NSRING__V1__LINK__INFO_GRETAP:
		spec->kind = RTNL_KIND_GRETAP;
		return tunnel_from_pb(op, l, l->gretap, idx_parent, &spec->tunnel);
	case NSRING__V1__LINK__INFO_IP6GRE:
		spec->kind = RTNL_KIND_IP6GRE;
		return tunnel_from_pb(op, l, l->ip6gre, idx_parent, &spec->tunnel);
	case NSRING__V1__LINK__INFO_IPIP:
		spec->kind = RTNL_KIND_IPIP;
		return tunnel_from_pb(op, l, l->ipip, idx_parent, &spec->tunnel);
	case NSRING__V1__LINK__INFO_SIT:
		spec->kind = RTNL_KIND_SIT;
		return tunnel_from_pb(op, l, l->sit, idx_parent, &spec->tunnel);
	case NSRING__V1__LINK__INFO_WIREGUARD:
		spec->kind = RTNL_KIND_WIREGUARD;
		return true;
	default:
		return true;
	}
}

bool op_link_kind_handled(const Nsring__V1__Link *l)
{
	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_BRIDGE:
	case NSRING__V1__LINK__INFO_VLAN:
	case NSRING__V1__LINK__INFO_VRF:
	case NSRING__V1__LINK__INFO_BOND:
	case NSRING__V1__LINK__INFO_IPVLAN:
	case NSRING__V1__LINK__INFO_MACVTAP:
	case NSRING__V1__LINK__INFO_GENEVE:
	case NSRING__V1__LINK__INFO_GRE:
	case NSRING__V1__LINK__INFO_GRETAP:
	case NSRING__V1__LINK__INFO_IP6GRE:
	case NSRING__V1__LINK__INFO_IPIP:
	case NSRING__V1__LINK__INFO_SIT:
	case NSRING__V1__LINK__INFO_WIREGUARD:
		return true;
	default:
		return false;
	}
}

bool op_link_spec_from_pb(Op *op, const Nsring__V1__Link *l, uint32_t idx_parent,
			  RtnlLinkSpec *spec)
{
	const char *field = NULL;

	if (!op_link_attrs_from_pb(op, l, &spec->attrs))
		return false;
	if (!op_link_kind_handled(l))
		return true;
	/* A kind without its message (a zero-length submessage decodes as set but empty). */
	if (!l->vlan) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "link kind options are missing");
		return false;
	}
	if (!kind_from_pb(op, l, idx_parent, spec))
		return false;
	if (rtnl_link_spec_check(spec, &field) < 0) {
		fail_field(op, l, "link.", field, NULL);
		return false;
	}
	return true;
}

bool op_link_kind_validate(Op *op, const Nsring__V1__Link *l)
{
	RtnlLinkSpec spec = { .name = l->name, .ns_fd = -1 };
	const char *parent = op_link_kind_parent(l);
	const char *pfield = op_link_kind_parent_field(l);

	if (op_link_kind_handled(l) && pfield && !str_set(parent) &&
	    l->info_case != NSRING__V1__LINK__INFO_GRE &&
	    l->info_case != NSRING__V1__LINK__INFO_GRETAP &&
	    l->info_case != NSRING__V1__LINK__INFO_IP6GRE &&
	    l->info_case != NSRING__V1__LINK__INFO_IPIP &&
	    l->info_case != NSRING__V1__LINK__INFO_SIT) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "%s is required", pfield);
		return false;
	}
	if (str_set(parent) && !name_ifname_valid(parent)) {
		op_fail(op, STATUS_INVALID_ARGUMENT, "invalid %s \"%.64s\": not an interface name",
			pfield, parent);
		return false;
	}
	/* A stand-in parent index: the real one is looked up later; the rest is checked now. */
	return op_link_spec_from_pb(op, l, parent ? 1 : 0, &spec);
}

bool op_master_kind_ok(const char *kind)
{
	return strcmp(kind, "bridge") == 0 || strcmp(kind, "bond") == 0 ||
	       strcmp(kind, "vrf") == 0 || strcmp(kind, "team") == 0;
}

const char *op_link_unsupported(Op *op, const Nsring__V1__Link *l, const char *kind)
{
	if (l->info_case == NSRING__V1__LINK__INFO_BRIDGE && l->bridge &&
	    l->bridge->set_vlan_filtering_case && l->bridge->vlan_filtering)
		return op_printf(op,
				 "create link \"%s\": this kernel lacks support for bridge VLAN "
				 "filtering (CONFIG_BRIDGE_VLAN_FILTERING)",
				 l->name);
	return op_printf(op,
			 "create link \"%s\": this kernel lacks support for link kind \"%s\" "
			 "(no driver built in or loadable)",
			 l->name, kind);
}
