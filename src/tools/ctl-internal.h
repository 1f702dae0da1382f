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
	ctl_object_monitor, ctl_object_netlink, ctl_object_sysctl, ctl_object_qdisc,
	ctl_object_class, ctl_object_filter, ctl_object_bridge, ctl_object_rule, ctl_object_nexthop;
/* ctl-neigh.c (`neigh`); ctl-fdb.c: `bridge fdb`, a row of ctl-bridge.c's sub-objects. */
extern const CtlObject ctl_object_neigh, ctl_object_neighbour;
int ctl_fdb_parse(CtlParser *p);
void ctl_neigh_print_event(FILE *f, const Nsring__V1__Neighbor *n);
void ctl_fdb_print_event(FILE *f, const Nsring__V1__FdbEntry *e);

/* ctl-sysctl.c: "KEY=VALUE" (sysctl -w's argument, netns add's sysctl list) as a Sysctl. */
int ctl_parse_sysctl_assign(CtlParser *p, const char *s, Nsring__V1__Sysctl **ret);

/* ctl-qdisc.c: the words the tc objects (qdisc, class, filter) share. */
enum { CTL_TC_ADD = 2, CTL_TC_REPLACE, CTL_TC_CHANGE, CTL_TC_DEL, CTL_TC_SHOW };
/* add|replace|change|del|show (NULL: show) as CTL_TC_*, CTL_PARSE_HELP, or a usage error. */
int ctl_tc_verb(CtlParser *p, const char *word);
Nsring__V1__TcMode ctl_tc_mode(int verb);
/* The value after kw in tc's units: a rate (bytes/s), a size (bytes), a time (us). */
int ctl_tc_rate(CtlParser *p, const char *kw, uint64_t *ret);
int ctl_tc_size(CtlParser *p, const char *kw, uint32_t *ret);
int ctl_tc_time(CtlParser *p, const char *kw, uint32_t *ret);
/* As tc prints them: "8Mbit", "32Kb", and `tc -s`'s counter lines. */
void ctl_tc_print_rate(FILE *f, uint64_t bytes_per_s);
void ctl_tc_print_size(FILE *f, uint32_t bytes);
void ctl_tc_print_stats(FILE *f, const Nsring__V1__TcStats *s);

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
void ctl_qdisc_print_event(FILE *f, const Nsring__V1__Qdisc *q); /* tc's line, no counters */
void ctl_rule_print_line(FILE *f, const Nsring__V1__Rule *r);
void ctl_nexthop_print_line(FILE *f, const Nsring__V1__Nexthop *nh);
