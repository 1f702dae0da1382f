/* Policy routing rules in the rtnl codec (RTM_NEWRULE/DELRULE/GETRULE, struct fib_rule_hdr):
 * builders into caller-owned buffers and the parser, with the conventions of rtnl.h. */
#pragma once

#include "rtnl.h"

/* A port range of FRA_SPORT_RANGE/FRA_DPORT_RANGE; start 0: unset; one port: start == end. */
typedef struct RtnlPortRange {
	uint16_t start, end;
} RtnlPortRange;

typedef struct RtnlRule {
	uint8_t family;	   /* AF_INET or AF_INET6 (required) */
	uint8_t action;	   /* FR_ACT_*; FR_ACT_UNSPEC (0) means FR_ACT_TO_TBL on add and
			    * "any" on delete */
	bool has_priority; /* FRA_PRIORITY (pref); unset on add: the kernel picks one */
	uint32_t priority;
	RtnlIp src; /* FRA_SRC with src_len; family 0: any */
	uint8_t src_len;
	RtnlIp dst; /* FRA_DST with dst_len */
	uint8_t dst_len;
	char iif[IFNAMSIZ]; /* FRA_IIFNAME, "" any (a name: the link need not exist yet) */
	char oif[IFNAMSIZ]; /* FRA_OIFNAME */
	bool has_fwmark;    /* FRA_FWMARK, and FRA_FWMASK when fwmask is not 0 */
	uint32_t fwmark, fwmask;
	uint32_t table;	      /* to_tbl: < 256 in the header, else FRA_TABLE (header 0); 0 none */
	uint32_t goto_target; /* FR_ACT_GOTO: FRA_GOTO, the pref to continue at */
	bool l3mdev;	      /* FRA_L3MDEV: the table of the packet's L3 master device */
	uint8_t ip_proto;     /* FRA_IP_PROTO, 0 any */
	RtnlPortRange sport, dport;
	bool has_suppress_prefixlen; /* FRA_SUPPRESS_PREFIXLEN */
	uint32_t suppress_prefixlen;
	bool invert;	  /* FIB_RULE_INVERT (`not`): the selector is negated */
	uint8_t tos;	  /* header tos (IPv4 DSCP/TOS, IPv6 traffic class) */
	uint8_t protocol; /* FRA_PROTOCOL (RTPROT_*), 0 none */
	uint32_t flags;	  /* parsed fib_rule_hdr flags (FIB_RULE_*); builders derive them */
} RtnlRule;

/* RTM_NEWRULE with NLM_F_CREATE|NLM_F_EXCL, as `ip rule add`. -EINVAL for a rule the kernel
 * would refuse: to_tbl without a table (and not l3mdev) or with both, a table or goto on a
 * blackhole/unreachable/prohibit/nop rule, goto without a target or backwards, bad prefixes,
 * names or port ranges. */
int rtnl_rule_new(void *buf, size_t size, const RtnlRule *r);
/* RTM_DELRULE: every field set is matched (action 0 matches any). */
int rtnl_rule_del(void *buf, size_t size, const RtnlRule *r);
/* RTM_GETRULE dump of one family (AF_INET or AF_INET6; AF_UNSPEC: both). */
int rtnl_rule_dump(void *buf, size_t size, uint8_t family);
/* RTM_NEWRULE/RTM_DELRULE; -EAFNOSUPPORT for a well-formed rule of another family. */
int rtnl_rule_parse(const struct nlmsghdr *nlh, RtnlRule *ret);
