/* Helpers shared by the tc codec's builders and parsers; not part of the module's interface. */
#pragma once

#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include "rtnl-tc.h"

static inline const RtnlPsched *rtnl_tc_ps(const RtnlPsched *ps)
{
	return ps ? ps : &rtnl_psched_default;
}

/* tc's tick_in_usec (15.625 with rtnl_psched_default). */
double rtnl_tc_tick_in_usec(const RtnlPsched *ps);

/* The TCA_KIND text of each modelled kind, and back (NONE / NULL for the others). */
const char *rtnl_qdisc_kind_name(RtnlQdiscKind kind);
RtnlQdiscKind rtnl_qdisc_kind_from_name(const char *name);
const char *rtnl_filter_kind_name(RtnlFilterKind kind);
RtnlFilterKind rtnl_filter_kind_from_name(const char *name);

/* tc's default prio map (q_prio.c), also what the kernel's prio qdisc starts with. */
extern const uint8_t rtnl_prio_default_map[TC_PRIO_MAX + 1];
