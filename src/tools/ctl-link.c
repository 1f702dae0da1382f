/* nsringctl's link object: `link add|set|del|show`, the kinds and their options, the link
 * table and the link line of `monitor`. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"

static int arg_group(CtlParser *p, const char *kw, uint32_t *ret)
{
	const char *v = ctl_peek(p);

	if (v && ctl_streq(v, "default")) {
		p->i++;
		*ret = 0;
		return 0;
	}
	return ctl_arg_u32(p, kw, UINT32_MAX, ret);
}

/* The kinds `link add ... type` takes (the kernel's kind strings); the printer finds a reported
 * kind's sub-message case here too. */
static const CtlWord link_kinds[] = {
	{ "veth", NSRING__V1__LINK__INFO_VETH },   { "bridge", NSRING__V1__LINK__INFO_BRIDGE },
	{ "vxlan", NSRING__V1__LINK__INFO_VXLAN }, { "macvlan", NSRING__V1__LINK__INFO_MACVLAN },
	{ "ifb", NSRING__V1__LINK__INFO_IFB },	   { "dummy", NSRING__V1__LINK__INFO_DUMMY },
};

static const CtlWord macvlan_modes[] = {
	{ "private", NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_PRIVATE },
	{ "vepa", NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_VEPA },
	{ "bridge", NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_BRIDGE },
	{ "passthru", NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_PASSTHRU },
	{ "source", NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_SOURCE },
};

/* Sets link's kind sub-message; the kind's word comes from link_kinds. */
static int link_set_kind(CtlCmd *cmd, Nsring__V1__Link *link, int info_case)
{
	void *m;

	switch (info_case) {
	case NSRING__V1__LINK__INFO_VETH:
		m = link->veth = CTL_NEW_MSG(cmd, Nsring__V1__Veth, nsring__v1__veth__init);
		break;
	case NSRING__V1__LINK__INFO_BRIDGE:
		m = link->bridge = CTL_NEW_MSG(cmd, Nsring__V1__Bridge, nsring__v1__bridge__init);
		break;
	case NSRING__V1__LINK__INFO_VXLAN:
		m = link->vxlan = CTL_NEW_MSG(cmd, Nsring__V1__Vxlan, nsring__v1__vxlan__init);
		break;
	case NSRING__V1__LINK__INFO_MACVLAN:
		m = link->macvlan =
			CTL_NEW_MSG(cmd, Nsring__V1__Macvlan, nsring__v1__macvlan__init);
		break;
	case NSRING__V1__LINK__INFO_IFB:
		m = link->ifb = CTL_NEW_MSG(cmd, Nsring__V1__Ifb, nsring__v1__ifb__init);
		break;
	case NSRING__V1__LINK__INFO_DUMMY:
		m = link->dummy = CTL_NEW_MSG(cmd, Nsring__V1__Dummy, nsring__v1__dummy__init);
		break;
	default:
		return -EINVAL;
	}
	if (!m)
		return ctl_oom(cmd);
	link->info_case = (Nsring__V1__Link__InfoCase)info_case;
	return 0;
}

static int parse_link_kind(CtlParser *p, Nsring__V1__Link *link, const char *kind)
{
	char list[128];
	int info_case;

	if (ctl_word_value(CTL_WORDS(link_kinds), kind, &info_case) < 0) {
		char more[160];
		int r = ctl_linkkind_set(p->cmd, link, kind);

		if (r <= 0)
			return r;
		return ctl_fail(p->cmd, "link type \"%s\" is not supported (%s, %s)", kind,
				ctl_word_list(CTL_WORDS(link_kinds), ", ", list, sizeof(list)),
				ctl_linkkind_words(more, sizeof(more)));
	}
	return link_set_kind(p->cmd, link, info_case);
}

/* veth's `peer [name] NAME [netns NS]`: all remaining words belong to the peer, as in ip. */
static int parse_veth_peer(CtlParser *p, Nsring__V1__Veth *veth)
{
	const char *a;
	int r;

	while ((a = ctl_next(p))) {
		if (ctl_streq(a, "name") || ctl_streq(a, "dev")) {
			const char *n;

			if (veth->peer_name[0])
				return ctl_fail(p->cmd, "duplicate peer name");
			r = ctl_arg_ifname(p, a, &n);
			if (r < 0)
				return r;
			veth->peer_name = (char *)n;
		} else if (ctl_streq(a, "netns")) {
			const char *ns;

			r = ctl_need(p, a, &ns);
			if (r < 0)
				return r;
			r = ctl_parse_nsref(p, ns, &veth->peer_namespace);
			if (r < 0)
				return r;
		} else if (ctl_streq(a, "mtu") || ctl_streq(a, "address") ||
			   ctl_streq(a, "group") || ctl_streq(a, "master") || ctl_streq(a, "up") ||
			   ctl_streq(a, "txqueuelen")) {
			/* ip would apply these to the peer; the API has no peer attributes. */
			return ctl_fail(
				p->cmd,
				"\"%s\" for a veth peer is not supported (options before "
				"\"type\" apply to the new link; \"up\" brings both ends up)",
				a);
		} else if (!veth->peer_name[0]) {
			r = ctl_check_ifname(p, a);
			if (r < 0)
				return r;
			veth->peer_name = (char *)a;
		} else {
			return ctl_unknown(p, a);
		}
	}
	return 0;
}

static int parse_vxlan_opt(CtlParser *p, const char *a, Nsring__V1__Vxlan *x, bool *has_id)
{
	const char *v;
	int r;

	if (ctl_streq(a, "id") || ctl_streq(a, "vni")) {
		r = ctl_arg_u32(p, a, 16777215, &x->vni);
		if (r < 0)
			return r;
		*has_id = true;
	} else if (ctl_streq(a, "dstport")) {
		r = ctl_arg_u32(p, a, 65535, &x->port);
	} else if (ctl_streq(a, "local")) {
		r = ctl_arg_ip(p, a, &v, NULL);
		x->local = (char *)v;
	} else if (ctl_streq(a, "remote")) {
		r = ctl_arg_ip(p, a, &v, NULL);
		x->remote = (char *)v;
	} else if (ctl_streq(a, "group")) {
		r = ctl_arg_ip(p, a, &v, NULL);
		x->group = (char *)v;
	} else if (ctl_streq(a, "dev")) {
		r = ctl_arg_ifname(p, a, &v);
		x->dev = (char *)v;
	} else {
		return 1; /* not a vxlan option */
	}
	return r < 0 ? r : 0;
}

static int parse_macvlan_opt(CtlParser *p, const char *a, Nsring__V1__Macvlan *m)
{
	const char *v;
	char list[128];
	int r, mode;

	if (!ctl_streq(a, "mode"))
		return 1;
	r = ctl_need(p, a, &v);
	if (r < 0)
		return r;
	if (ctl_word_value(CTL_WORDS(macvlan_modes), v, &mode) == 0) {
		m->mode = (Nsring__V1__MacvlanMode)mode;
		return 0;
	}
	return ctl_fail(p->cmd, "argument \"%s\" is wrong: macvlan mode is %s", v,
			ctl_word_list(CTL_WORDS(macvlan_modes), " or ", list, sizeof(list)));
}

static int parse_link_add(CtlParser *p)
{
	Nsring__V1__CreateLinkRequest *req;
	Nsring__V1__Link *link;
	const char *a, *parent = NULL;
	bool has_id = false;
	int r;

	req = CTL_NEW_MSG(p->cmd, Nsring__V1__CreateLinkRequest,
			  nsring__v1__create_link_request__init);
	link = CTL_NEW_MSG(p->cmd, Nsring__V1__Link, nsring__v1__link__init);
	if (!req || !link)
		return ctl_oom(p->cmd);
	req->link = link;
	ctl_set_namespace(p, &req->namespace_);

	while ((a = ctl_next(p))) {
		const char *v;

		/* After `type KIND`, the kind's own keywords win (vxlan's group and dev are not
		 * the link group and the link name), as in ip. */
		if (link->info_case == NSRING__V1__LINK__INFO_VETH) {
			if (ctl_streq(a, "peer")) {
				r = parse_veth_peer(p, link->veth);
				if (r < 0)
					return r;
				continue;
			}
		} else if (link->info_case == NSRING__V1__LINK__INFO_VXLAN) {
			r = parse_vxlan_opt(p, a, link->vxlan, &has_id);
			if (r <= 0) {
				if (r < 0)
					return r;
				continue;
			}
		} else if (link->info_case == NSRING__V1__LINK__INFO_MACVLAN) {
			r = parse_macvlan_opt(p, a, link->macvlan);
			if (r <= 0) {
				if (r < 0)
					return r;
				continue;
			}
		} else if (link->info_case != NSRING__V1__LINK__INFO__NOT_SET) {
			r = ctl_linkkind_opt(p, a, link);
			if (r <= 0) {
				if (r < 0)
					return r;
				continue;
			}
		}
		r = ctl_link_attr_add(p, a, link);
		if (r <= 0) {
			if (r < 0)
				return r;
			continue;
		}

		if (ctl_streq(a, "type")) {
			if (link->info_case != NSRING__V1__LINK__INFO__NOT_SET)
				return ctl_fail(p->cmd, "duplicate \"type\"");
			r = ctl_need(p, a, &v);
			if (r < 0)
				return r;
			r = parse_link_kind(p, link, v);
		} else if (ctl_streq(a, "name") || ctl_streq(a, "dev")) {
			if (link->name[0])
				return ctl_fail(p->cmd, "duplicate link name \"%s\"",
						ctl_peek(p) ?: "");
			r = ctl_arg_ifname(p, a, &v);
			link->name = (char *)v;
		} else if (ctl_streq(a, "mtu")) {
			r = ctl_arg_u32(p, a, UINT32_MAX, &link->mtu);
		} else if (ctl_streq(a, "address") || ctl_streq(a, "addr") ||
			   ctl_streq(a, "lladdr")) {
			r = ctl_arg_lladdr(p, a, &link->address);
		} else if (ctl_streq(a, "group")) {
			r = arg_group(p, a, &link->group);
		} else if (ctl_streq(a, "master")) {
			r = ctl_arg_ifname(p, a, &v);
			req->master = (char *)v;
		} else if (ctl_streq(a, "up")) {
			link->up = true;
			r = 0;
		} else if (ctl_streq(a, "link")) {
			r = ctl_arg_ifname(p, a, &parent);
		} else if (ctl_streq(a, "netns")) {
			return ctl_fail(
				p->cmd,
				"\"netns\" on link add is only supported for a veth peer; use -n "
				"NS to create the link in NS");
		} else if (!link->name[0]) {
			r = ctl_check_ifname(p, a);
			link->name = (char *)a;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}

	if (!link->name[0])
		return ctl_fail(p->cmd, "not enough information: a link NAME is required");
	switch (link->info_case) {
	case NSRING__V1__LINK__INFO__NOT_SET:
		return ctl_fail(p->cmd, "not enough information: \"type\" is required");
	case NSRING__V1__LINK__INFO_VETH:
		if (!link->veth->peer_name[0])
			return ctl_fail(p->cmd, "veth needs \"peer name PEER\"");
		break;
	case NSRING__V1__LINK__INFO_VXLAN:
		if (!has_id)
			return ctl_fail(p->cmd, "vxlan needs \"id VNI\"");
		if (link->vxlan->remote[0] && link->vxlan->group[0])
			return ctl_fail(p->cmd, "vxlan: \"remote\" and \"group\" are exclusive");
		break;
	case NSRING__V1__LINK__INFO_MACVLAN:
		if (!parent)
			return ctl_fail(p->cmd, "macvlan needs \"link PARENT\"");
		link->macvlan->parent = (char *)parent;
		parent = NULL;
		break;
	default:
		r = ctl_linkkind_finish(p, link, &parent);
		if (r < 0)
			return r;
		break;
	}
	if (parent)
		return ctl_fail(p->cmd, "\"link PARENT\" is only supported for macvlan, macvtap, "
					"vlan and ipvlan");

	ctl_set_call(p->cmd, "CreateLink", &req->base,
		     &nsring__v1__create_link_response__descriptor, ctl_print_created);
	return 0;
}

static int parse_link_del(CtlParser *p)
{
	Nsring__V1__DeleteLinkRequest *req;
	const char *name = NULL, *kind_ignored = NULL;
	int r;

	r = ctl_parse_dev(p, &name, &kind_ignored, NULL);
	if (r < 0)
		return r;
	if (!name)
		return ctl_fail(p->cmd, "not enough information: \"dev\" argument is required");
	req = CTL_NEW_CALL(p, DeleteLink, delete_link, ctl_print_created);
	if (!req)
		return ctl_oom(p->cmd);
	req->name = (char *)name;
	return 0;
}

static int parse_link_set(CtlParser *p)
{
	Nsring__V1__UpdateLinkRequest *req;
	const char *a;
	int r;

	req = CTL_NEW_CALL(p, UpdateLink, update_link, ctl_print_created);
	if (!req)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		const char *v;

		r = ctl_link_attr_set(p, a, req);
		if (r <= 0) {
			if (r < 0)
				return r;
			continue;
		}
		r = 0;
		if (ctl_streq(a, "dev")) {
			if (req->name[0])
				return ctl_fail(p->cmd, "duplicate \"dev\"");
			r = ctl_arg_ifname(p, a, &v);
			req->name = (char *)v;
		} else if (ctl_streq(a, "up") || ctl_streq(a, "down")) {
			req->set_up_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_UP_UP;
			req->up = ctl_streq(a, "up");
		} else if (ctl_streq(a, "mtu")) {
			req->set_mtu_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_MTU_MTU;
			r = ctl_arg_u32(p, a, UINT32_MAX, &req->mtu);
		} else if (ctl_streq(a, "address") || ctl_streq(a, "addr") ||
			   ctl_streq(a, "lladdr")) {
			req->set_address_case =
				NSRING__V1__UPDATE_LINK_REQUEST__SET_ADDRESS_ADDRESS;
			r = ctl_arg_lladdr(p, a, &req->address);
		} else if (ctl_streq(a, "master")) {
			req->set_master_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER;
			r = ctl_arg_ifname(p, a, &v);
			req->master = (char *)v;
		} else if (ctl_streq(a, "nomaster")) {
			req->set_master_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_MASTER_MASTER;
			req->master = (char *)"";
		} else if (ctl_streq(a, "name")) {
			req->set_name_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_NAME_NEW_NAME;
			r = ctl_arg_ifname(p, a, &v);
			req->new_name = (char *)v;
		} else if (ctl_streq(a, "group")) {
			req->set_group_case = NSRING__V1__UPDATE_LINK_REQUEST__SET_GROUP_GROUP;
			r = arg_group(p, a, &req->group);
		} else if (ctl_streq(a, "netns")) {
			r = ctl_need(p, a, &v);
			if (r < 0)
				return r;
			r = ctl_parse_nsref(p, v, &req->move_to);
		} else if (!req->name[0]) {
			r = ctl_check_ifname(p, a);
			req->name = (char *)a;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!req->name[0])
		return ctl_fail(p->cmd, "not enough information: \"dev\" argument is required");
	return 0;
}

/* -s and -d of the last `link show` parsed: the printers take only the response. */
static bool show_stats, show_details;

static int parse_link_show(CtlParser *p)
{
	const char *name = NULL, *kind = NULL, *master = NULL;
	int r;

	show_stats = p->cmd->stats;
	show_details = p->cmd->details;
	r = ctl_parse_dev(p, &name, &kind, &master);
	if (r < 0)
		return r;

	if (name) {
		Nsring__V1__GetLinkRequest *req;

		if (kind || master)
			return ctl_fail(
				p->cmd,
				"a link NAME cannot be combined with \"type\" or \"master\"");
		req = CTL_NEW_CALL(p, GetLink, get_link, ctl_print_link);
		if (!req)
			return ctl_oom(p->cmd);
		req->name = (char *)name;
		req->stats = p->cmd->stats;
		ctl_set_call(p->cmd, "GetLink", &req->base,
			     &nsring__v1__get_link_response__descriptor, ctl_print_link);
	} else {
		Nsring__V1__ListLinksRequest *req;

		req = CTL_NEW_CALL(p, ListLinks, list_links, ctl_print_links);
		if (!req)
			return ctl_oom(p->cmd);
		if (kind)
			req->kind = (char *)kind;
		if (master)
			req->master = (char *)master;
		req->stats = p->cmd->stats;
		ctl_set_call(p->cmd, "ListLinks", &req->base,
			     &nsring__v1__list_links_response__descriptor, ctl_print_links);
	}
	return 0;
}

static int parse_link(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c)
		return parse_link_show(p);
	if (ctl_matches(c, "add"))
		return parse_link_add(p);
	if (ctl_streq(c, "set") || ctl_matches(c, "change"))
		return parse_link_set(p);
	if (ctl_matches(c, "delete"))
		return parse_link_del(p);
	if (ctl_matches(c, "show") || ctl_matches(c, "lst") || ctl_matches(c, "list"))
		return parse_link_show(p);
	if (ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	return ctl_unknown(p, c);
}

const CtlObject ctl_object_link = {
	.word = "link",
	.usage = "  link add [name] NAME [mtu N] [address MAC] [group G] [master BR] [up]\n"
		 "           [link PARENT] type TYPE [TYPE ARGS]\n"
		 "      TYPE := veth peer [name] PEER [netns NS]\n"
		 "            | bridge | ifb | dummy\n"
		 "            | vxlan id VNI [dstport PORT] [local ADDR]"
		 " [remote ADDR | group ADDR]\n"
		 "                    [dev DEV]\n"
		 "            | macvlan [mode private|vepa|bridge|passthru|source]\n"
		 "                      (macvlan needs link PARENT)\n"
		 "            | macvtap [mode MODE] | ipvlan [mode l2|l3|l3s] (need link PARENT)\n"
		 "            | vlan id ID [protocol 802.1Q|802.1ad] (needs link PARENT)\n"
		 "            | vrf table T | wireguard\n"
		 "            | tun | tap [user U] [group G] [multi_queue] [pi] [vnet_hdr]\n"
		 "                      (made persistent in the namespace, as ip tuntap add)\n"
		 "            | bond [mode M] [miimon MS] [lacp_rate slow|fast]"
		 " [xmit_hash_policy P]\n"
		 "            | geneve id VNI remote ADDR [dstport PORT] [ttl N]\n"
		 "            | gre|gretap|ip6gre|ipip|sit [local ADDR] [remote ADDR] [ttl N]\n"
		 "                      [key K | ikey K okey K] [dev DEV]\n"
		 "            | bridge [vlan_filtering 0|1] [vlan_protocol P] [vlan_default_pvid N]\n"
		 "                     [stp_state N] [ageing_time CS] [forward_delay CS]"
		 " [mcast_snooping 0|1]\n"
		 "      ATTRS (add and set) := [alias A] [txqueuelen N] [promisc on|off]\n"
		 "                      [allmulticast on|off] [multicast on|off] [arp on|off]\n"
		 "                      [addrgenmode eui64|none|stable_secret|random]\n"
		 "  link set [dev] NAME [up | down] [mtu N] [address MAC] [master M | nomaster]\n"
		 "           [name NEWNAME] [group G] [netns NS] [ATTRS] [type bridge OPTIONS]\n"
		 "  link del [dev] NAME\n"
		 "  link show [[dev] NAME | type TYPE | master BR]   (-s: counters, -d: details)\n",
	.parse = parse_link,
};

/* ---------------------------------------------------------------- printing */

static const Nsring__V1__Link *find_link(Nsring__V1__Link *const *links, size_t n, uint32_t index)
{
	for (size_t i = 0; i < n; i++)
		if (links[i]->index == index)
			return links[i];
	return NULL;
}

/* A peer or parent: its name when it is in this listing (so in this namespace), else the name
 * the daemon gave, else its index; plus the namespace id when it lives elsewhere. */
static void link_ref(FILE *f, Nsring__V1__Link *const *all, size_t n, uint32_t index,
		     int32_t netnsid, const char *fallback)
{
	const Nsring__V1__Link *l = netnsid < 0 && index ? find_link(all, n, index) : NULL;

	if (l)
		fputs(l->name, f);
	else if (fallback && *fallback)
		fputs(fallback, f);
	else if (index)
		fprintf(f, "if%" PRIu32, index);
	else
		fputs("?", f);
	if (netnsid >= 0)
		fprintf(f, " netnsid %" PRId32, netnsid);
}

static void link_details(FILE *f, const Nsring__V1__Link *l, Nsring__V1__Link *const *all, size_t n)
{
	const char *sep = "", *mode;
	bool parent_shown = false;

	switch (l->info_case) {
	case NSRING__V1__LINK__INFO_VETH:
		fputs("peer ", f);
		link_ref(f, all, n, l->parent_index, l->link_netnsid,
			 l->veth ? l->veth->peer_name : NULL);
		sep = " ";
		parent_shown = true;
		break;
	case NSRING__V1__LINK__INFO_MACVLAN:
		fputs("parent ", f);
		link_ref(f, all, n, l->parent_index, l->link_netnsid,
			 l->macvlan ? l->macvlan->parent : NULL);
		mode = l->macvlan ? ctl_word_name(CTL_WORDS(macvlan_modes), l->macvlan->mode)
				  : NULL;
		if (mode)
			fprintf(f, " mode %s", mode);
		sep = " ";
		parent_shown = true;
		break;
	case NSRING__V1__LINK__INFO_VXLAN:
		if (!l->vxlan)
			break;
		fprintf(f, "vni %" PRIu32, l->vxlan->vni);
		if (l->vxlan->port)
			fprintf(f, " dstport %" PRIu32, l->vxlan->port);
		if (l->vxlan->local[0])
			fprintf(f, " local %s", l->vxlan->local);
		if (l->vxlan->remote[0])
			fprintf(f, " remote %s", l->vxlan->remote);
		if (l->vxlan->group[0])
			fprintf(f, " group %s", l->vxlan->group);
		if (l->vxlan->dev[0])
			fprintf(f, " dev %s", l->vxlan->dev);
		else if (l->vxlan->dev_index)
			fprintf(f, " dev if%" PRIu32, l->vxlan->dev_index);
		sep = " ";
		parent_shown = l->vxlan->dev[0] || l->vxlan->dev_index; /* that is its IFLA_LINK */
		break;
	default:
		break;
	}
	if (ctl_linkkind_details(f, l, sep))
		sep = " ";
	if (l->parent_index && !parent_shown) {
		/* The daemon may report only the kind string, without the kind's attributes. */
		int kind = 0;
		const char *what;

		ctl_word_value(CTL_WORDS(link_kinds), l->kind, &kind);
		what = kind == NSRING__V1__LINK__INFO_VETH	? "peer"
		       : kind == NSRING__V1__LINK__INFO_MACVLAN ? "parent"
								: "link";

		fprintf(f, "%s%s ", sep, what);
		link_ref(f, all, n, l->parent_index, l->link_netnsid, NULL);
		sep = " ";
	}
	if (l->group)
		fprintf(f, "%sgroup %" PRIu32, sep, l->group);
}

static void link_table(FILE *f, Nsring__V1__Link *const *links, size_t n)
{
	fprintf(f, "%-6s %-16s %-8s %-5s %-14s %-6s %-17s %-6s %s\n", "INDEX", "NAME", "KIND",
		"STATE", "OPER", "MTU", "ADDRESS", "MASTER", "DETAILS");
	for (size_t i = 0; i < n; i++) {
		const Nsring__V1__Link *l = links[i];
		char master[12] = "-", details[512] = "";
		FILE *d = fmemopen(details, sizeof(details) - 1, "w");

		/* Details first, so a row without any ends without trailing blanks. */
		if (d) {
			link_details(d, l, links, n);
			fclose(d);
		}
		if (l->master_index)
			snprintf(master, sizeof(master), "%" PRIu32, l->master_index);
		fprintf(f, "%-6" PRIu32 " %-16s %-8s %-5s %-14s %-6" PRIu32 " %-17s ", l->index,
			ctl_or_dash(l->name), ctl_or_dash(l->kind), l->up ? "UP" : "DOWN",
			ctl_or_dash(l->oper_state), l->mtu, ctl_or_dash(l->address));
		if (details[0])
			fprintf(f, "%-6s %s\n", master, details);
		else
			fprintf(f, "%s\n", master);
	}
}

int ctl_print_links(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListLinksResponse *r = (const void *)resp;

	if (json)
		ctl_json_array(f, (ProtobufCMessage **)r->links, r->n_links);
	else if (show_stats || show_details)
		for (size_t i = 0; i < r->n_links; i++)
			ctl_link_print_block(f, r->links[i], show_stats, show_details);
	else
		link_table(f, r->links, r->n_links);
	return 0;
}

int ctl_print_link(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__GetLinkResponse *r = (const void *)resp;
	Nsring__V1__Link *const *links = r->link ? &r->link : NULL;
	size_t n = r->link ? 1 : 0;

	/* `link show NAME` is a listing of one, as with ip -j. */
	if (json)
		ctl_json_array(f, (ProtobufCMessage **)links, n);
	else if (show_stats || show_details)
		for (size_t i = 0; i < n; i++)
			ctl_link_print_block(f, links[i], show_stats, show_details);
	else
		link_table(f, links, n);
	return 0;
}

/* ---------------------------------------------------------------- monitor */

/* <FLAGS> in ip's order (IFF_* values from linux/if.h). */
static void link_flags(FILE *f, uint32_t flags)
{
	static const CtlWord names[] = {
		{ "LOOPBACK", 0x8 },	 { "BROADCAST", 0x2 },	 { "POINTOPOINT", 0x10 },
		{ "MULTICAST", 0x1000 }, { "NOARP", 0x80 },	 { "ALLMULTI", 0x200 },
		{ "PROMISC", 0x100 },	 { "MASTER", 0x400 },	 { "SLAVE", 0x800 },
		{ "DEBUG", 0x4 },	 { "DYNAMIC", 0x8000 },	 { "AUTOMEDIA", 0x4000 },
		{ "PORTSEL", 0x2000 },	 { "NOTRAILERS", 0x20 }, { "UP", 0x1 },
		{ "LOWER_UP", 0x10000 }, { "DORMANT", 0x20000 }, { "ECHO", 0x40000 },
	};
	const char *sep = "";

	fputc('<', f);
	/* Up without carrier (IFF_RUNNING clear): ip says so first. */
	if ((flags & 0x1) && !(flags & 0x40)) {
		fputs("NO-CARRIER", f);
		sep = ",";
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & (uint32_t)names[i].value) {
			fprintf(f, "%s%s", sep, names[i].word);
			sep = ",";
		}
	fputc('>', f);
}

/* As `ip monitor link`, on one line: index, name@peer, flags, mtu, master, state, link-layer
 * address, then the kind and its details as in `link show`. */
void ctl_link_print_event(FILE *f, const Nsring__V1__Link *l)
{
	char details[512] = "";
	FILE *d = fmemopen(details, sizeof(details) - 1, "w");

	if (d) {
		Nsring__V1__Link shown = *l;

		/* A veth whose peer is not known (yet, or any more): no "peer ?". */
		if (l->info_case == NSRING__V1__LINK__INFO_VETH && !l->parent_index &&
		    (!l->veth || !l->veth->peer_name[0]))
			shown.info_case = NSRING__V1__LINK__INFO__NOT_SET;
		link_details(d, &shown, NULL, 0);
		fclose(d);
	}
	fprintf(f, "%" PRIu32 ": %s", l->index, ctl_or_dash(l->name));
	if (l->parent_index)
		fprintf(f, "@if%" PRIu32, l->parent_index);
	fputs(": ", f);
	/* Only up is known when the daemon gives no flags. */
	link_flags(f, l->flags ? l->flags : l->up ? 0x1 | 0x40 : 0);
	if (l->mtu)
		fprintf(f, " mtu %" PRIu32, l->mtu);
	if (l->master_index)
		fprintf(f, " master if%" PRIu32, l->master_index);
	if (l->oper_state[0]) {
		fputs(" state ", f);
		for (const char *s = l->oper_state; *s; s++)
			fputc(toupper((unsigned char)*s), f);
	}
	if (l->address[0])
		fprintf(f, " link/%s %s", l->flags & 0x8 ? "loopback" : "ether", l->address);
	if (l->kind[0])
		fprintf(f, " %s", l->kind);
	if (details[0])
		fprintf(f, " %s", details);
}

/* As `ip monitor address`: "5: veth0    inet 198.18.0.1/24 brd 198.18.0.255 scope global
 * veth0". */
