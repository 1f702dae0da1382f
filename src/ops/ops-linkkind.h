/* Link kinds, attributes and bridge options from the API into codec structs (ops-linkkind.c),
 * and the codec's link back into the API's new fields (ops-pb-link.c). A false return has
 * failed the Op with INVALID_ARGUMENT naming the field. */
#pragma once

#include <stdbool.h>

#include "ops-internal.h"

/* The kinds ops-linkkind.c converts (bridge options included). */
bool op_link_kind_handled(const Nsring__V1__Link *l);
/* Checks a CreateLink's kind options and attributes before anything is sent. */
bool op_link_kind_validate(Op *op, const Nsring__V1__Link *l);
/* Fills spec's attributes and, for the kinds above, its kind and options; idx_parent is the
 * looked-up parent (vlan, ipvlan, macvtap) or underlay device (tunnels). */
bool op_link_spec_from_pb(Op *op, const Nsring__V1__Link *l, uint32_t idx_parent,
			  RtnlLinkSpec *spec);
/* The parent or underlay device's name of these kinds, or NULL; the API field naming it. */
const char *op_link_kind_parent(const Nsring__V1__Link *l);
const char *op_link_kind_parent_field(const Nsring__V1__Link *l);
const char *op_tunnel_dev_field(const Nsring__V1__Link *l);
bool op_link_attrs_from_pb(Op *op, const Nsring__V1__Link *l, RtnlLinkAttrs *a);
bool op_update_attrs_from_pb(Op *op, const Nsring__V1__UpdateLinkRequest *req, RtnlLinkAttrs *a);
bool op_update_attrs_set(const RtnlLinkAttrs *a);
/* prefix: "link." or "" (the request's field path to the Bridge message's parent). */
bool op_bridge_opts_from_pb(Op *op, const char *prefix, const Nsring__V1__Bridge *b,
			    RtnlBridgeOpts *ret);
/* A master must be a bridge, bond, vrf (or team). */
bool op_master_kind_ok(const char *kind);
/* What a CreateLink the kernel answers EOPNOTSUPP was doing: names the kind it lacks. */
const char *op_link_unsupported(Op *op, const Nsring__V1__Link *l, const char *kind);

/* ops-pb-link.c: the attributes, kinds, bridge options and port flags; statistics apart. */
void op_link_more_to_pb(Op *op, const RtnlLink *l, Nsring__V1__Link *pb);
void op_link_stats_to_pb(Op *op, const RtnlLink *l, Nsring__V1__Link *pb);
Nsring__V1__BridgePort *op_brport_to_pb(Op *op, const RtnlBrport *p);

/* ops-tun.c: CreateLink of a tun/tap (a helper thread in the namespace opens /dev/net/tun). */
bool ops_tun_validate(Op *op, const Nsring__V1__Link *l);
/* Runs once op->ns[0] is open (call it right after op_open_ns()). */
void ops_create_tun(Op *op);
