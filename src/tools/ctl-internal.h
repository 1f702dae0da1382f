/* What nsringctl's object files (ctl-netns.c, ctl-link.c...) share with the dispatcher (ctl.c)
 * and with each other: the object table's rows and the per-object lines of `monitor`. */
#pragma once

#include <stdio.h>

#include "ctl-args.h"

/* One object of the grammar (netns, link, address...): its word, which ip's abbreviations
 * match by prefix, its lines of the usage text, and its parser, called after the object word. */
typedef struct CtlObject {
	const char *word;
	const char *usage;
	int (*parse)(CtlParser *p);
} CtlObject;

extern const CtlObject ctl_object_netns, ctl_object_link, ctl_object_addr, ctl_object_route,
	ctl_object_monitor, ctl_object_rule, ctl_object_nexthop;

/* One WatchEvent object as `ip monitor` prints it, without the newline. */
void ctl_link_print_event(FILE *f, const Nsring__V1__Link *l);
void ctl_addr_print_event(FILE *f, const Nsring__V1__Address *a);
void ctl_route_print_event(FILE *f, const Nsring__V1__Route *rt);
void ctl_rule_print_line(FILE *f, const Nsring__V1__Rule *r);
void ctl_nexthop_print_line(FILE *f, const Nsring__V1__Nexthop *nh);
