/* The Watch's mirror of one namespace's links, addresses and routes: rtnetlink messages in,
 * ADDED/CHANGED/DELETED decisions out through a callback. Pure state: no I/O, no loop. */
#pragma once

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/hmap.h"
#include "rtnl/rtnl-tc.h"
#include "rtnl/rtnl.h"
#include "rtnl/rtnl-neigh.h"
#include "rtnl/rtnl-nexthop.h"
#include "rtnl/rtnl-rule.h"

/* Object kinds (a bit set: what a mirror tracks, what a watch asked for). WK_ALL is what a watch
 * gets when it names no kind: qdiscs, neighbours, FDB entries, rules and nexthops are asked for
 * by name (neighbours' and FDB entries' events come with traffic). */
enum {
	WK_LINK = 1,
	WK_ADDR = 2,
	WK_ROUTE = 4,
	WK_QDISC = 8,
	WK_ALL = 7,
	WK_NEIGH = 16,
	WK_FDB = 32,
	WK_RULE = 64,
	WK_NEXTHOP = 128,
};

typedef enum {
	WSTATE_ADDED,
	WSTATE_CHANGED,
	WSTATE_DELETED,
} WStateEvent;

/* One object, keyed as the kernel keys it. Zeroed before parsing, so a memcmp of the value
 * tells whether it changed. */
typedef struct WObj {
	HNode node;    /* node.hash: the key's hash, set by wobj_parse() */
	unsigned kind; /* WK_* (a bit; unsigned: room past eight kinds) */
	bool seen;     /* in the dump being reconciled */
	union {
		RtnlLink link;
		RtnlAddr addr;
		RtnlQdisc qdisc; /* its options, not its counters */
		RtnlNeigh neigh; /* WK_NEIGH and WK_FDB */
		struct {
			uint8_t tos;
			RtnlRoute rt; /* last: a route's allocation ends after its n_paths paths */
		} route;
		RtnlRule rule;	     /* keyed by all of it: a rule has no identity but its value */
		RtnlNexthop nexthop; /* by id; its allocation ends after its n_group members */
	} u;
} WObj;

/* An event about o (from_dump: a difference a full dump found, not a notification). o is only
 * valid during the call; the mirror may be looked at (wstate_link()) but not changed. */
/* The bytes of o that hold its value (a route's allocation ends after its n_paths paths):
 * copy an object with memcpy(dst, o, wobj_bytes(o)), never by assignment. */
size_t wobj_bytes(const WObj *o);

typedef void (*wstate_event_fn)(void *userdata, WStateEvent type, const WObj *o, bool from_dump);

typedef struct WState {
	HMap map;
	unsigned kinds; /* WK_* the mirror tracks; messages of other kinds are ignored */
	wstate_event_fn event;
	void *userdata;
} WState;

/* Parses a link, address, route, qdisc, neighbour, FDB, rule or nexthop message into o (zeroed
 * first); false for anything the mirror does not keep (bridge port messages, other families,
 * cloned routes, proxy neighbour entries, malformed). A route via a nexthop object keeps only its
 * nhid: the gateway and device the kernel adds to it in messages follow the nexthop, which
 * changes without a route notification. */
bool wobj_parse(const struct nlmsghdr *nlh, WObj *o);

void wstate_init(WState *st, unsigned kinds, wstate_event_fn event, void *userdata);
/* Forgets every object (no events). */
void wstate_clear(WState *st);

/* wstate_apply(): the message changed nothing the mirror can tell apart from a full dump,
 * except that an IPv6 route replaced one on another device, which the kernel does not name:
 * only a new dump finds (and reports DELETED) the one it replaced. */
#define WSTATE_REDUMP 1
/* Applies one notification (RTM_NEW/DEL LINK/ADDR/ROUTE/RULE/NEXTHOP) and reports what changed:
 * a new object ADDED, a different value CHANGED, nothing for a repeat; a delete is DELETED even
 * when unknown. A link going down takes its IPv4 routes (not the host-scope ones) with it, a link
 * going away all its routes: the kernel removes them without a notification, so they are
 * reported DELETED here. IPv6 multipath routes: the kernel announces a path appended (the whole
 * route, the new path first) and deletes one path at a time (a single-path delete); the mirror
 * keeps them as one route in the order a dump gives. What the kernel changes silently and the
 * mirror cannot work out (nexthops flushed with their device, routes and groups losing a deleted
 * nexthop, multipath routes with a path through a link that went down) asks for WSTATE_REDUMP.
 * Returns 0, WSTATE_REDUMP, or -ENOMEM (the mirror then misses it). */
int wstate_apply(WState *st, const struct nlmsghdr *nlh);
/* Makes the mirror's objects of the given kinds what a full dump found (objs, in order):
 * ADDED, CHANGED, DELETED for the differences, with from_dump set. -ENOMEM: the mirror is
 * partly updated and must be thrown away. */
int wstate_reconcile(WState *st, const WObj *objs, size_t n, unsigned kinds);

/* The link with that ifindex, or NULL. */
const RtnlLink *wstate_link(const WState *st, uint32_t index);
size_t wstate_count(const WState *st);
/* Calls fn for every object of the given kinds: links, addresses, routes, rules, nexthops. Stops
 * when fn returns false; returns false then. */
bool wstate_snapshot(const WState *st, unsigned kinds, bool (*fn)(void *userdata, const WObj *o),
		     void *userdata);
