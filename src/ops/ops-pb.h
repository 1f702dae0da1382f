/* Conversions to API messages (ops-pb.c): rtnetlink objects as nsring.v1 messages, allocated in
 * an Op's arena. A link's name for an address or route comes from op->links. */
#pragma once

#include <stdint.h>

#include "nsring/v1/nsring.pb-c.h"
#include "rtnl/rtnl.h"
#include "rtnl/rtnl-neigh.h"
#include "rtnl/rtnl-nexthop.h"
#include "rtnl/rtnl-rule.h"

typedef struct Op Op;

Nsring__V1__Link *op_link_to_pb(Op *op, const RtnlLink *l);
Nsring__V1__Address *op_addr_to_pb(Op *op, const RtnlAddr *a);
Nsring__V1__Route *op_route_to_pb(Op *op, const RtnlRoute *rt);
/* ops-neigh.c: a neighbour, an FDB entry (the device and bridge named from op->links). */
Nsring__V1__Neighbor *op_neigh_to_pb(Op *op, const RtnlNeigh *n);
Nsring__V1__FdbEntry *op_fdb_to_pb(Op *op, const RtnlNeigh *n);
Nsring__V1__Rule *op_rule_to_pb(Op *op, const RtnlRule *r);
/* A nexthop's device is named from op->links. */
Nsring__V1__Nexthop *op_nexthop_to_pb(Op *op, const RtnlNexthop *nh);
/* The kernel's MACVLAN_MODE_* for the API's mode, 0 for UNSPECIFIED. */
uint32_t op_macvlan_mode_from_pb(Nsring__V1__MacvlanMode m);
/* The name of a link collected by a dump in this op (op->links), or "". */
const char *op_link_name(Op *op, uint32_t index);
