/* CreateLink with ensure: an existing link of the requested name is compared with every
 * attribute the request sets (kind, mtu, address, group, master, and per kind: the veth's peer,
 * vxlan id/port/local/remote/group/dev, macvlan parent/mode). A new kind adds its attributes to
 * link_ensure_kind(). */
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <string.h>

#include "ops-internal.h"

void link_ensure_read(Op *op, const Nsring__V1__Link *l, bool peer_elsewhere, const RtnlLink *link,
		      uint32_t idx_master, RtnlLink *ret_peer, OpFound *peer_found,
		      RtnlLink *ret_master)
{
	if (l->info_case == NSRING__V1__LINK__INFO_VETH && strcmp(link->kind, "veth") == 0)
		op_nl_tolerate_gone(op_get_link(op, peer_elsewhere ? 1 : 0, 0, l->veth->peer_name,
						ret_peer, NULL),
				    peer_found);
	/* Only to name the master it has in the message. */
	if (idx_master && link->master && link->master != idx_master) {
		OpNl *nl = op_get_link(op, 0, link->master, NULL, ret_master, NULL);

		if (nl)
			nl->no_learn = true;
	}
}

static const char *link_kind_word(Nsring__V1__Link__InfoCase c)
{
	switch (c) {
	case NSRING__V1__LINK__INFO_VETH:
		return "veth";
	case NSRING__V1__LINK__INFO_BRIDGE:
		return "bridge";
	case NSRING__V1__LINK__INFO_VXLAN:
		return "vxlan";
	case NSRING__V1__LINK__INFO_MACVLAN:
		return "macvlan";
	case NSRING__V1__LINK__INFO_IFB:
		return "ifb";
	case NSRING__V1__LINK__INFO_DUMMY:
		return "dummy";
	default:
		return "";
	}
}

static const char *macvlan_mode_word(uint32_t mode)
{
	switch (mode) {
	case MACVLAN_MODE_PRIVATE:
		return "private";
	case MACVLAN_MODE_VEPA:
		return "vepa";
	case MACVLAN_MODE_BRIDGE:
		return "bridge";
	case MACVLAN_MODE_PASSTHRU:
		return "passthru";
	case MACVLAN_MODE_SOURCE:
		return "source";
	default:
		return "unknown";
	}
}

static uint32_t macvlan_mode_kernel(Nsring__V1__MacvlanMode m)
{
	switch (m) {
	case NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_PRIVATE:
		return MACVLAN_MODE_PRIVATE;
	case NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_VEPA:
		return MACVLAN_MODE_VEPA;
	case NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_BRIDGE:
		return MACVLAN_MODE_BRIDGE;
	case NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_PASSTHRU:
		return MACVLAN_MODE_PASSTHRU;
	case NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_SOURCE:
		return MACVLAN_MODE_SOURCE;
	default:
		return 0;
	}
}

/* An IP the request gave as text against the one found (family 0: none). */
static void diff_ip(EnsureDiff *d, const char *attr, const RtnlIp *found, const char *asked)
{
	char fbuf[INET6_ADDRSTRLEN], abuf[INET6_ADDRSTRLEN];
	RtnlIp a;

	if (!str_set(asked) || rtnl_ip_parse(asked, &a) < 0)
		return;
	if (found->family == a.family && memcmp(found->bytes, a.bytes, sizeof(a.bytes)) == 0)
		return;
	ensure_diff_str(d, attr, found->family ? rtnl_ip_format(found, fbuf, sizeof(fbuf)) : "",
			rtnl_ip_format(&a, abuf, sizeof(abuf)));
}

static void link_ensure_kind(Op *op, const LinkEnsure *e, EnsureDiff *d)
{
	const Nsring__V1__Link *l = e->req->link;
	const RtnlLink *k = e->link;

	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_VETH:
		/* The peer must exist where asked and be this link's other end. */
		if (e->peer_gone)
			ensure_diff_add(d, "peer \"%s\" (not found in %s)", l->veth->peer_name,
					op_ns_describe(op, l->veth->peer_namespace));
		else if (k->link != e->peer->index || e->peer->link != k->index)
			ensure_diff_add(d, "peer \"%s\" (is not this link's peer)",
					l->veth->peer_name);
		break;
	case NSRING__V1__LINK__INFO_VXLAN: {
		const Nsring__V1__Vxlan *v = l->vxlan;

		ensure_diff_u32(d, "id", k->info.vxlan.vni, v->vni);
		if (v->port)
			ensure_diff_u32(d, "dstport", k->info.vxlan.port, v->port);
		diff_ip(d, "local", &k->info.vxlan.local, v->local);
		diff_ip(d, "remote", &k->info.vxlan.group, v->remote);
		diff_ip(d, "group", &k->info.vxlan.group, v->group);
		if (str_set(v->dev) && k->info.vxlan.dev_index != e->idx_parent)
			ensure_diff_add(d, "dev index %u (asked %s, index %u)",
					k->info.vxlan.dev_index, v->dev, e->idx_parent);
		break;
	}
	case NSRING__V1__LINK__INFO_MACVLAN: {
		uint32_t mode = macvlan_mode_kernel(l->macvlan->mode);

		if (k->link != e->idx_parent)
			ensure_diff_add(d, "parent index %u (asked %s, index %u)", k->link,
					l->macvlan->parent, e->idx_parent);
		if (mode && k->info.macvlan.mode != mode)
			ensure_diff_str(d, "mode", macvlan_mode_word(k->info.macvlan.mode),
					macvlan_mode_word(mode));
		break;
	}
	default:
		break;
	}
}

bool link_ensure_differs(Op *op, const LinkEnsure *e)
{
	const Nsring__V1__CreateLinkRequest *req = e->req;
	const Nsring__V1__Link *l = req->link;
	const RtnlLink *k = e->link;
	char mac[3 * sizeof(k->mac)];
	uint8_t asked[6];
	EnsureDiff d;

	ensure_diff_init(&d);
	ensure_diff_str(&d, "kind", k->kind, link_kind_word(l->info_case));
	if (strcmp(k->kind, link_kind_word(l->info_case)) == 0)
		link_ensure_kind(op, e, &d);
	if (l->mtu)
		ensure_diff_u32(&d, "mtu", k->mtu, l->mtu);
	if (str_set(l->address) && rtnl_mac_parse(l->address, asked) == 0 &&
	    (k->mac_len != 6 || memcmp(k->mac, asked, 6) != 0)) {
		char abuf[3 * 6];

		ensure_diff_str(&d, "address",
				rtnl_mac_format(k->mac, k->mac_len, mac, sizeof(mac)),
				rtnl_mac_format(asked, 6, abuf, sizeof(abuf)));
	}
	if (l->group)
		ensure_diff_u32(&d, "group", k->group, l->group);
	if (str_set(req->master) && k->master != e->idx_master) {
		if (!k->master)
			ensure_diff_str(&d, "master", "", req->master);
		else if (e->master->index == k->master)
			ensure_diff_str(&d, "master", e->master->name, req->master);
		else
			ensure_diff_add(&d, "master index %u (asked %s)", k->master, req->master);
	}
	return ensure_diff_fail(op, &d, op_printf(op, "link \"%s\"", l->name));
}
