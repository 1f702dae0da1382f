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
	ctl_object_monitor, ctl_object_bridge;

/* ctl-linkkind.c: the kinds beyond ctl-link.c's own, their options, bridge options, link
 * attributes, and the -s/-d blocks. The parsers return 0 (consumed), 1 (not theirs) or < 0. */
const char *ctl_linkkind_words(char *buf, size_t size);
int ctl_linkkind_set(CtlCmd *cmd, Nsring__V1__Link *link, const char *word);
int ctl_linkkind_opt(CtlParser *p, const char *a, Nsring__V1__Link *l);
/* Checks what the kind needs; moves `link PARENT` into the kind's parent (*parent = NULL). */
int ctl_linkkind_finish(CtlParser *p, Nsring__V1__Link *l, const char **parent);
int ctl_bridge_opt(CtlParser *p, const char *a, Nsring__V1__Bridge *b);
int ctl_link_attr_add(CtlParser *p, const char *a, Nsring__V1__Link *l);
int ctl_link_attr_set(CtlParser *p, const char *a, Nsring__V1__UpdateLinkRequest *req);
/* The kind's details after sep; false if it printed nothing. */
bool ctl_linkkind_details(FILE *f, const Nsring__V1__Link *l, const char *sep);
void ctl_bridge_details(FILE *f, const Nsring__V1__Bridge *b);
void ctl_brport_details(FILE *f, const Nsring__V1__BridgePort *p);
/* One link as `ip [-s] [-d] link show` prints it (several lines). */
void ctl_link_print_block(FILE *f, const Nsring__V1__Link *l, bool stats, bool details);

/* One WatchEvent object as `ip monitor` prints it, without the newline. */
void ctl_link_print_event(FILE *f, const Nsring__V1__Link *l);
void ctl_addr_print_event(FILE *f, const Nsring__V1__Address *a);
void ctl_route_print_event(FILE *f, const Nsring__V1__Route *rt);
