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
	ctl_object_monitor;
/* ctl-neigh.c (`neigh`), ctl-bridge-fdb.c (`bridge`, whose fdb rows are in ctl-fdb.c). */
extern const CtlObject ctl_object_neigh, ctl_object_neighbour, ctl_object_bridge;
int ctl_fdb_parse(CtlParser *p);
extern const char ctl_fdb_usage[];
void ctl_neigh_print_event(FILE *f, const Nsring__V1__Neighbor *n);
void ctl_fdb_print_event(FILE *f, const Nsring__V1__FdbEntry *e);

/* One WatchEvent object as `ip monitor` prints it, without the newline. */
void ctl_link_print_event(FILE *f, const Nsring__V1__Link *l);
void ctl_addr_print_event(FILE *f, const Nsring__V1__Address *a);
void ctl_route_print_event(FILE *f, const Nsring__V1__Route *rt);
