/* nsringctl's bridge object, with the grammar of bridge(8): `bridge link set|show` (port flags)
 * and `bridge vlan add|del|show`. Sub-objects dispatch through one table, so another (fdb) is
 * one more row and its own file. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"

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

/* ---- bridge link */

static int parse_link_set(CtlParser *p)
{
	Nsring__V1__UpdateBridgePortRequest *req;
	Nsring__V1__BridgePort *b;
	protobuf_c_boolean on;
	const char *a;
	bool any = false;
	int r;

	req = CTL_NEW_MSG(p->cmd, Nsring__V1__UpdateBridgePortRequest,
			  nsring__v1__update_bridge_port_request__init);
	b = CTL_NEW_MSG(p->cmd, Nsring__V1__BridgePort, nsring__v1__bridge_port__init);
	if (!req || !b)
		return ctl_oom(p->cmd);
	req->port = b;
	ctl_set_namespace(p, &req->namespace_);
	while ((a = ctl_next(p))) {
		const char *v;

#define FLAG(word, f, CASE)                                                                        \
	if (ctl_streq(a, word)) {                                                                  \
		r = arg_onoff(p, a, &on);                                                          \
		b->set_##f##_case = NSRING__V1__BRIDGE_PORT__SET_##CASE##_##CASE;                  \
		b->f = on;                                                                         \
		any = true;                                                                        \
		if (r < 0)                                                                         \
			return r;                                                                  \
		continue;                                                                          \
	}
		FLAG("hairpin", hairpin, HAIRPIN)
		FLAG("learning", learning, LEARNING)
		FLAG("flood", flood, FLOOD)
		FLAG("mcast_flood", mcast_flood, MCAST_FLOOD)
		FLAG("isolated", isolated, ISOLATED)
		FLAG("neigh_suppress", neigh_suppress, NEIGH_SUPPRESS)
#undef FLAG
		if (ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &v);
			req->name = (char *)v;
		} else if (ctl_streq(a, "cost")) {
			b->set_cost_case = NSRING__V1__BRIDGE_PORT__SET_COST_COST;
			r = ctl_arg_u32(p, a, UINT32_MAX, &b->cost);
			any = true;
		} else if (ctl_streq(a, "priority")) {
			b->set_priority_case = NSRING__V1__BRIDGE_PORT__SET_PRIORITY_PRIORITY;
			r = ctl_arg_u32(p, a, 63, &b->priority);
			any = true;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!req->name[0])
		return ctl_fail(p->cmd, "not enough information: \"dev\" argument is required");
	if (!any)
		return ctl_fail(p->cmd, "nothing to change: give a flag (hairpin on, cost 5...)");
	ctl_set_call(p->cmd, "UpdateBridgePort", &req->base,
		     &nsring__v1__update_bridge_port_response__descriptor, ctl_print_created);
	return 0;
}

static const char *show_dev; /* `bridge link show dev NAME`: the printer's filter */

static int print_ports(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListLinksResponse *r = (const void *)resp;
	Nsring__V1__Link **ports = calloc(r->n_links ? r->n_links : 1, sizeof(*ports));
	size_t n = 0;

	if (!ports)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_links; i++)
		if (r->links[i]->bridge_port &&
		    (!show_dev || strcmp(show_dev, r->links[i]->name) == 0))
			ports[n++] = r->links[i];
	if (json) {
		ctl_json_array(f, (ProtobufCMessage **)ports, n);
		free(ports);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const Nsring__V1__Link *l = ports[i];
		const char *master = NULL;

		for (size_t j = 0; j < r->n_links; j++)
			if (r->links[j]->index == l->master_index)
				master = r->links[j]->name;
		fprintf(f, "%" PRIu32 ": %s: mtu %" PRIu32 " master %s", l->index, l->name, l->mtu,
			master ? master : "?");
		ctl_brport_details(f, l->bridge_port);
		fputc('\n', f);
	}
	free(ports);
	return 0;
}

static int parse_link_show(CtlParser *p)
{
	Nsring__V1__ListLinksRequest *req;
	const char *a;
	int r;

	show_dev = NULL;
	while ((a = ctl_next(p))) {
		if (!ctl_streq(a, "dev"))
			return ctl_unknown(p, a);
		r = ctl_arg_ifname(p, a, &show_dev);
		if (r < 0)
			return r;
	}
	req = CTL_NEW_MSG(p->cmd, Nsring__V1__ListLinksRequest,
			  nsring__v1__list_links_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	ctl_set_namespace(p, &req->namespace_);
	ctl_set_call(p->cmd, "ListLinks", &req->base, &nsring__v1__list_links_response__descriptor,
		     print_ports);
	return 0;
}

static int parse_link(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c || ctl_matches(c, "show") || ctl_matches(c, "list"))
		return parse_link_show(p);
	if (ctl_streq(c, "set"))
		return parse_link_set(p);
	return ctl_unknown(p, c);
}

/* ---- bridge vlan */

static int parse_vid(CtlParser *p, const char *kw, Nsring__V1__BridgeVlan *v)
{
	const char *s, *dash;
	char first[8];
	int r = ctl_need(p, kw, &s);

	if (r < 0)
		return r;
	dash = strchr(s, '-');
	if (dash) {
		size_t n = (size_t)(dash - s);

		if (n == 0 || n >= sizeof(first))
			return ctl_fail(p->cmd, "argument \"%s\" is wrong: vid is N or N-M", s);
		memcpy(first, s, n);
		first[n] = 0;
		if (ctl_parse_u32(first, &v->vid) < 0 || ctl_parse_u32(dash + 1, &v->vid_end) < 0)
			return ctl_fail(p->cmd, "argument \"%s\" is wrong: vid is N or N-M", s);
	} else if (ctl_parse_u32(s, &v->vid) < 0) {
		return ctl_fail(p->cmd, "argument \"%s\" is wrong: vid is N or N-M", s);
	}
	return 0;
}

static int parse_vlan_change(CtlParser *p, bool del)
{
	Nsring__V1__BridgeVlan *v;
	Nsring__V1__BridgeVlanTarget target = 0;
	const char *a, *dev = NULL;
	bool has_vid = false;
	int r;

	v = CTL_NEW_MSG(p->cmd, Nsring__V1__BridgeVlan, nsring__v1__bridge_vlan__init);
	if (!v)
		return ctl_oom(p->cmd);
	while ((a = ctl_next(p))) {
		r = 0;
		if (ctl_streq(a, "dev")) {
			r = ctl_arg_ifname(p, a, &dev);
		} else if (ctl_streq(a, "vid")) {
			r = parse_vid(p, a, v);
			has_vid = true;
		} else if (ctl_streq(a, "pvid")) {
			v->pvid = true;
		} else if (ctl_streq(a, "untagged")) {
			v->untagged = true;
		} else if (ctl_streq(a, "self")) {
			target = NSRING__V1__BRIDGE_VLAN_TARGET__BRIDGE_VLAN_TARGET_SELF;
		} else if (ctl_streq(a, "master")) {
			target = NSRING__V1__BRIDGE_VLAN_TARGET__BRIDGE_VLAN_TARGET_MASTER;
		} else {
			return ctl_unknown(p, a);
		}
		if (r < 0)
			return r;
	}
	if (!dev)
		return ctl_fail(p->cmd, "not enough information: \"dev\" argument is required");
	if (!has_vid)
		return ctl_fail(p->cmd, "not enough information: \"vid\" argument is required");
	if (del) {
		Nsring__V1__DeleteBridgeVlanRequest *req =
			CTL_NEW_MSG(p->cmd, Nsring__V1__DeleteBridgeVlanRequest,
				    nsring__v1__delete_bridge_vlan_request__init);
		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_namespace(p, &req->namespace_);
		req->dev = (char *)dev, req->vlan = v, req->target = target;
		ctl_set_call(p->cmd, "DeleteBridgeVlan", &req->base,
			     &nsring__v1__delete_bridge_vlan_response__descriptor,
			     ctl_print_created);
	} else {
		Nsring__V1__CreateBridgeVlanRequest *req =
			CTL_NEW_MSG(p->cmd, Nsring__V1__CreateBridgeVlanRequest,
				    nsring__v1__create_bridge_vlan_request__init);
		if (!req)
			return ctl_oom(p->cmd);
		ctl_set_namespace(p, &req->namespace_);
		req->dev = (char *)dev, req->vlan = v, req->target = target;
		ctl_set_call(p->cmd, "CreateBridgeVlan", &req->base,
			     &nsring__v1__create_bridge_vlan_response__descriptor,
			     ctl_print_created);
	}
	return 0;
}

/* As `bridge vlan show`: "port  vlan-id", then one VLAN (or range) a line. */
static int print_vlans(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__ListBridgeVlansResponse *r = (const void *)resp;

	if (json) {
		ctl_json_array(f, (ProtobufCMessage **)r->ports, r->n_ports);
		return 0;
	}
	fprintf(f, "%-16s %s\n", "port", "vlan-id");
	for (size_t i = 0; i < r->n_ports; i++) {
		const Nsring__V1__BridgePortVlans *pv = r->ports[i];

		for (size_t j = 0; j < pv->n_vlans; j++) {
			const Nsring__V1__BridgeVlan *v = pv->vlans[j];
			char id[24];

			if (v->vid_end > v->vid)
				snprintf(id, sizeof(id), "%" PRIu32 "-%" PRIu32, v->vid,
					 v->vid_end);
			else
				snprintf(id, sizeof(id), "%" PRIu32, v->vid);
			fprintf(f, "%-16s %s%s%s\n", j ? "" : pv->dev, id, v->pvid ? " PVID" : "",
				v->untagged ? " Egress Untagged" : "");
		}
	}
	return 0;
}

static int parse_vlan_show(CtlParser *p)
{
	Nsring__V1__ListBridgeVlansRequest *req;
	const char *a, *dev = NULL;
	int r;

	while ((a = ctl_next(p))) {
		if (!ctl_streq(a, "dev"))
			return ctl_unknown(p, a);
		r = ctl_arg_ifname(p, a, &dev);
		if (r < 0)
			return r;
	}
	req = CTL_NEW_MSG(p->cmd, Nsring__V1__ListBridgeVlansRequest,
			  nsring__v1__list_bridge_vlans_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	ctl_set_namespace(p, &req->namespace_);
	if (dev)
		req->dev = (char *)dev;
	ctl_set_call(p->cmd, "ListBridgeVlans", &req->base,
		     &nsring__v1__list_bridge_vlans_response__descriptor, print_vlans);
	return 0;
}

static int parse_vlan(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c || ctl_matches(c, "show") || ctl_matches(c, "list"))
		return parse_vlan_show(p);
	if (ctl_matches(c, "add"))
		return parse_vlan_change(p, false);
	if (ctl_matches(c, "delete"))
		return parse_vlan_change(p, true);
	return ctl_unknown(p, c);
}

/* ---- the object */

/* bridge(8)'s sub-objects; fdb (ctl-fdb.c) is one more row. */
static const struct {
	const char *word;
	int (*parse)(CtlParser *p);
} subobjects[] = {
	{ "link", parse_link },
	{ "vlan", parse_vlan },
};

static int parse_bridge(CtlParser *p)
{
	const char *c = ctl_next(p);

	if (!c || ctl_matches(c, "help"))
		return CTL_PARSE_HELP;
	for (size_t i = 0; i < ARRAY_SIZE(subobjects); i++)
		if (ctl_matches(c, subobjects[i].word))
			return subobjects[i].parse(p);
	return ctl_unknown(p, c);
}

const CtlObject ctl_object_bridge = {
	.word = "bridge",
	.usage = "  bridge link set dev PORT [hairpin on|off] [learning on|off] [flood on|off]\n"
		 "           [mcast_flood on|off] [isolated on|off] [neigh_suppress on|off]\n"
		 "           [cost N] [priority N]\n"
		 "  bridge link [show] [dev PORT]\n"
		 "  bridge vlan add|del dev PORT vid N[-M] [pvid] [untagged] [self|master]\n"
		 "  bridge vlan [show] [dev PORT]\n",
	.parse = parse_bridge,
};
