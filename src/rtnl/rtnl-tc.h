/* Pure traffic-control codec: tc's units and rate tables, RTM_*QDISC/TCLASS/TFILTER requests
 * byte-identical to what tc (iproute2 6.1) sends, and parsers of the kernel's dump replies. */
#pragma once

#include <linux/pkt_sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rtnl.h"

/* ---- tc_core: the clock tc converts times with, from /proc/net/psched ("t2us us2t clock_res
 * hz" in hex). The codec never reads the file: callers pass the values, or NULL for
 * rtnl_psched_default. */
typedef struct RtnlPsched {
	uint32_t t2us;
	uint32_t us2t;
	uint32_t clock_res;
	uint32_t hz; /* the fourth field; tc's get_hz() uses it when clock_res is 1000000 */
} RtnlPsched;

/* 000003e8 00000040 000f4240 3b9aca00: what this kernel (6.18, high-resolution timers)
 * reports; tick_in_usec = 1000 / 64 = 15.625. Pass the target's own values where they differ. */
extern const RtnlPsched rtnl_psched_default;

/* Parses the text of /proc/net/psched; -EINVAL if malformed. */
int rtnl_psched_parse(const char *text, RtnlPsched *ret);
/* tc's tc_calc_xmittime(): the ticks size bytes take at rate bytes/s, truncated as tc truncates
 * (to whole microseconds first, then to ticks); UINT32_MAX when that does not fit, 0 for rate 0. */
uint32_t rtnl_tc_xmittime(const RtnlPsched *ps, uint64_t rate, uint32_t size);
/* tc's tc_calc_rtable() for Ethernet link layer: fills rtab[256] and r's cell_log, cell_align,
 * linklayer for r->rate. cell_log < 0 picks it from mtu (0 means 2047, as tc). Returns the
 * cell_log used. */
int rtnl_tc_rtable(const RtnlPsched *ps, struct tc_ratespec *r, uint32_t rtab[256], int cell_log,
		   uint32_t mtu);

/* ---- tc's units (case-insensitive, as tc's get_rate64/get_size/get_time). Each returns 0 or
 * -EINVAL (malformed, negative, unknown unit) / -ERANGE (does not fit). */
/* "8mbit", "32kbit", "1gbit", "100kbps" (bytes), "1000" (bits): *ret in bytes per second. */
int rtnl_tc_parse_rate(const char *s, uint64_t *ret);
/* "32kbit", "1kb", "10k", "1mb", "1500" (bytes): *ret in bytes (k = 1024, as tc). */
int rtnl_tc_parse_size(const char *s, uint32_t *ret);
/* "50ms", "1s", "250us", "100" (usec): *ret in microseconds (tc's TIME_UNITS_PER_SEC). */
int rtnl_tc_parse_time(const char *s, uint32_t *ret);
/* The same in nanoseconds, with "ns" too (tc's get_time64, used by netem). */
int rtnl_tc_parse_time64(const char *s, uint64_t *ret);
/* "25%", "0.5%", "25": *ret = the fraction of UINT32_MAX (netem's probabilities), rounded. */
int rtnl_tc_parse_percent(const char *s, uint32_t *ret);
/* "1:", "1:10", "ffff:", ":5", "10" (hex, as tc): *ret = major << 16 | minor. "root" is
 * TC_H_ROOT, "none" TC_H_UNSPEC. */
int rtnl_tc_parse_handle(const char *s, uint32_t *ret);

/* ---- requests. As rtnl.h's builders: one message at buf, NLM_F_REQUEST|NLM_F_ACK (dumps
 * NLM_F_REQUEST|NLM_F_DUMP), nlmsg_seq 0; returns nlmsg_len, -ENOBUFS, or -EINVAL for an
 * impossible spec. ps NULL means rtnl_psched_default. */

typedef enum {
	RTNL_TC_ADD,	 /* NLM_F_CREATE|NLM_F_EXCL (tc ... add) */
	RTNL_TC_REPLACE, /* NLM_F_CREATE|NLM_F_REPLACE (tc ... replace) */
	RTNL_TC_CHANGE,	 /* no flag: the object must exist (tc ... change) */
} RtnlTcOp;

typedef enum {
	RTNL_QDISC_NONE, /* parsed: a kind the codec does not model (kind text still set) */
	RTNL_QDISC_TBF,
	RTNL_QDISC_HTB,
	RTNL_QDISC_NETEM,
	RTNL_QDISC_PFIFO,
	RTNL_QDISC_BFIFO,
	RTNL_QDISC_FQ_CODEL,
	RTNL_QDISC_PRIO,
	RTNL_QDISC_SFQ,
	RTNL_QDISC_INGRESS, /* parent TC_H_INGRESS, handle ffff: (set by the builder) */
	RTNL_QDISC_CLSACT,  /* parent TC_H_CLSACT, handle ffff: (set by the builder) */
} RtnlQdiscKind;

typedef struct RtnlTbf {
	uint64_t rate;	     /* bytes/s, required */
	uint32_t burst;	     /* bytes, required (tc's burst/buffer/maxburst) */
	uint32_t limit;	     /* bytes; exactly one of limit and latency_us */
	uint32_t latency_us; /* limit = rate * latency + burst, as tc computes it */
	uint32_t mtu;	     /* 0: tc's default (rate table cell from 2047) */
} RtnlTbf;

typedef struct RtnlHtb {
	uint32_t defcls; /* minor of the default class (tc's "default 10" is hex: 0x10) */
	uint32_t r2q;	 /* 0: 10, tc's default */
} RtnlHtb;

typedef struct RtnlNetem {
	uint64_t delay_ns, jitter_ns; /* 0: none */
	uint32_t delay_corr;	      /* fractions of UINT32_MAX (rtnl_tc_parse_percent) */
	uint32_t loss, loss_corr;
	uint32_t duplicate, dup_corr;
	uint32_t corrupt, corrupt_corr;
	uint32_t reorder, reorder_corr; /* reorder needs a delay; gap 0 means 1, as tc */
	uint32_t gap;
	uint64_t rate;			   /* bytes/s; 0: none */
	uint32_t limit;			   /* packets; 0: 1000, tc's default */
	uint64_t slot_min_ns, slot_max_ns; /* slot_min_ns 0: no slot; max 0 means min */
} RtnlNetem;

typedef struct RtnlFqCodel {
	/* 0 (or -1 for ecn): leave the kernel's default, the attribute is not sent */
	uint32_t limit, flows, quantum, target_us, interval_us;
	int ecn; /* -1 unset, 0 noecn, 1 ecn */
} RtnlFqCodel;

typedef struct RtnlPrio {
	uint32_t bands;	     /* 0: 3 */
	bool has_priomap;    /* false: tc's default map 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1 */
	uint8_t priomap[16]; /* TC_PRIO_MAX + 1 entries */
} RtnlPrio;

typedef struct RtnlSfq {
	uint32_t perturb_s;			 /* perturb period, seconds */
	uint32_t quantum, limit, divisor, depth; /* 0: kernel default */
} RtnlSfq;

typedef struct RtnlQdisc {
	uint32_t ifindex; /* required */
	uint32_t handle;  /* 0: the kernel picks one */
	uint32_t parent;  /* TC_H_ROOT or a class; ignored for ingress/clsact */
	RtnlQdiscKind kind;
	char kind_name[16]; /* parsed: TCA_KIND as the kernel sent it */
	union {
		RtnlTbf tbf;
		RtnlHtb htb;
		RtnlNetem netem;
		uint32_t fifo_limit; /* pfifo: packets, bfifo: bytes; 0: the kernel's default */
		RtnlFqCodel fq_codel;
		RtnlPrio prio;
		RtnlSfq sfq;
	};
} RtnlQdisc;

/* RTM_NEWQDISC with op's flags (and TCA_OPTIONS of the kind, as tc sends them). */
int rtnl_qdisc_new(void *buf, size_t size, const RtnlQdisc *q, RtnlTcOp op, const RtnlPsched *ps);
/* RTM_DELQDISC of ifindex at parent (handle 0 as tc sends it; ingress/clsact: TC_H_INGRESS). */
int rtnl_qdisc_del(void *buf, size_t size, uint32_t ifindex, uint32_t parent);
/* RTM_GETQDISC dump; ifindex 0 = every link (tc qdisc show [dev X]). */
int rtnl_qdisc_dump(void *buf, size_t size, uint32_t ifindex);

typedef struct RtnlHtbClass {
	uint64_t rate;		/* bytes/s, required */
	uint64_t ceil;		/* 0: rate */
	uint32_t burst, cburst; /* bytes; 0: rate / hz + mtu, as tc */
	uint32_t prio, quantum;
	uint32_t mtu; /* 0: 1600, tc's default */
} RtnlHtbClass;

typedef struct RtnlClass {
	uint32_t ifindex; /* required */
	uint32_t classid; /* required, major:minor */
	uint32_t parent;  /* the qdisc (major:0) or a parent class */
	char kind_name[16];
	RtnlHtbClass htb; /* the only class kind built (RTNL_QDISC_HTB) */
} RtnlClass;

/* RTM_NEWTCLASS of an htb class. */
int rtnl_class_new(void *buf, size_t size, const RtnlClass *c, RtnlTcOp op, const RtnlPsched *ps);
int rtnl_class_del(void *buf, size_t size, uint32_t ifindex, uint32_t classid);
int rtnl_class_dump(void *buf, size_t size, uint32_t ifindex);

/* ---- actions, nested in a filter's TCA_*_ACT as tc sends them (priorities 1, 2, ...). */
typedef enum {
	RTNL_ACT_MIRRED = 1,
	RTNL_ACT_GACT,
	RTNL_ACT_POLICE,
} RtnlActKind;

typedef struct RtnlAction {
	RtnlActKind kind;
	union {
		struct {
			bool redirect;	  /* true: egress redirect (stolen); false: egress mirror */
			uint32_t ifindex; /* required */
		} mirred;
		int gact; /* TC_ACT_SHOT (drop), TC_ACT_OK (pass), ... */
		struct {
			uint64_t rate;	/* bytes/s, required */
			uint32_t burst; /* bytes, required */
			int exceed; /* TC_ACT_SHOT (drop), TC_ACT_RECLASSIFY, ...; tc's default */
		} police;
	};
} RtnlAction;

#define RTNL_TC_MAX_ACTIONS 4
#define RTNL_U32_MAX_KEYS   8

typedef enum {
	RTNL_FILTER_NONE, /* parsed: a kind the codec does not model */
	RTNL_FILTER_U32,
	RTNL_FILTER_MATCHALL,
	RTNL_FILTER_FLOWER,
	RTNL_FILTER_BPF,
} RtnlFilterKind;

/* One u32 key: (packet[off..off+4] & mask) == val, in network byte order as on the wire. */
typedef struct RtnlU32Key {
	uint32_t mask, val; /* network byte order */
	int32_t off;
} RtnlU32Key;

typedef struct RtnlFilter {
	uint32_t ifindex;  /* required */
	uint32_t parent;   /* the qdisc; clsact: TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS/EGRESS) */
	uint32_t handle;   /* 0: the kernel picks */
	uint16_t prio;	   /* 0: the kernel picks (del: every prio) */
	uint16_t protocol; /* ETH_P_* in host order: ETH_P_ALL, ETH_P_IP...; tcm_info = prio << 16 |
			    * htons(protocol) */
	RtnlFilterKind kind;
	char kind_name[16];
	uint32_t classid; /* flowid/classid; 0: none */
	union {
		struct {
			uint8_t nkeys; /* 0 is `match u32 0 0` (one all-zero key), as tc needs one
					*/
			RtnlU32Key keys[RTNL_U32_MAX_KEYS];
		} u32;
		struct {
			uint8_t ip_proto; /* IPPROTO_*; 0: any */
			RtnlIp src, dst;  /* family 0: any; IPv4 only needs protocol ETH_P_IP */
			uint8_t src_len, dst_len;
			uint16_t dst_port; /* host order; 0: any (needs ip_proto tcp or udp) */
		} flower;
		struct {
			int fd; /* a loaded BPF_PROG_TYPE_SCHED_CLS program (loading is the
				 * caller's: out of the codec's scope) */
			const char *name; /* TCA_BPF_NAME; required */
			bool direct_action;
		} bpf;
	};
	uint8_t n_actions;
	RtnlAction actions[RTNL_TC_MAX_ACTIONS];
} RtnlFilter;

/* A u32 key for `match ip src|dst PREFIX` (IPv4 only; -EINVAL otherwise). */
int rtnl_u32_key_ip(RtnlU32Key *ret, bool dst, const RtnlIp *ip, uint8_t plen);

/* RTM_NEWTFILTER with op's flags. */
int rtnl_filter_new(void *buf, size_t size, const RtnlFilter *f, RtnlTcOp op, const RtnlPsched *ps);
/* RTM_DELTFILTER: ifindex, parent, prio, protocol (and handle/kind when set, to delete one). */
int rtnl_filter_del(void *buf, size_t size, const RtnlFilter *f);
int rtnl_filter_dump(void *buf, size_t size, uint32_t ifindex, uint32_t parent);

/* ---- replies (`tc -s` counters). */
typedef struct RtnlTcStats {
	bool present;
	uint64_t bytes;
	uint32_t packets;
	uint32_t qlen, backlog, drops, requeues, overlimits; /* TCA_STATS_QUEUE */
	uint64_t rate_bps;				     /* TCA_STATS_RATE_EST(64) bytes/s */
	uint32_t rate_pps;
} RtnlTcStats;

/* RTM_NEWQDISC (also RTM_DELQDISC notifications): the tcmsg, kind, the options of the kinds
 * built here (tbf's rate from RATE64 or the spec, burst in bytes back from the ticks), stats
 * (may be NULL). -EINVAL if malformed or another type. */
int rtnl_qdisc_parse(const struct nlmsghdr *nlh, RtnlQdisc *ret, RtnlTcStats *stats,
		     const RtnlPsched *ps);
/* RTM_NEWTCLASS: htb's rate/ceil (64-bit when sent), prio, quantum. */
int rtnl_class_parse(const struct nlmsghdr *nlh, RtnlClass *ret, RtnlTcStats *stats,
		     const RtnlPsched *ps);
/* RTM_NEWTFILTER: prio, protocol, kind, classid, u32 keys, flower keys, actions. A filter
 * chain's head (no TCA_OPTIONS) parses with kind set and nothing else. */
int rtnl_filter_parse(const struct nlmsghdr *nlh, RtnlFilter *ret, const RtnlPsched *ps);
