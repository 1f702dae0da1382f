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
	ctl_object_monitor, ctl_object_netlink, ctl_object_sysctl;

/* ctl-sysctl.c: "KEY=VALUE" (sysctl -w's argument, netns add's sysctl list) as a Sysctl. */
int ctl_parse_sysctl_assign(CtlParser *p, const char *s, Nsring__V1__Sysctl **ret);

/* One WatchEvent object as `ip monitor` prints it, without the newline. */
void ctl_link_print_event(FILE *f, const Nsring__V1__Link *l);
void ctl_addr_print_event(FILE *f, const Nsring__V1__Address *a);
void ctl_route_print_event(FILE *f, const Nsring__V1__Route *rt);
