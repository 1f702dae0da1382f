/* libFuzzer harness for the tc codec: the input is one qdisc, class or filter message (its type
 * picked by the input's type field modulo 3) handed to the parsers; what parses is rebuilt and
 * parsed again. The leading bytes also go through the unit parsers as text. */
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl/rtnl-tc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void fuzz_units(const uint8_t *data, size_t size)
{
	char s[64];
	size_t k = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	uint64_t r64;
	uint32_t r;

	memcpy(s, data, k);
	s[k] = '\0';
	(void)rtnl_tc_parse_rate(s, &r64);
	(void)rtnl_tc_parse_size(s, &r);
	(void)rtnl_tc_parse_time(s, &r);
	(void)rtnl_tc_parse_time64(s, &r64);
	(void)rtnl_tc_parse_percent(s, &r);
	(void)rtnl_tc_parse_handle(s, &r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(4) uint8_t m[8192], out[8192];
	struct nlmsghdr *nlh = (struct nlmsghdr *)m;
	RtnlQdisc q, qb;
	RtnlClass c, cb;
	RtnlFilter f, fb;
	RtnlTcStats st;
	uint16_t t;

	fuzz_units(data, size);
	if (size < sizeof(*nlh) || size > sizeof(m))
		return 0;
	memcpy(m, data, size);
	nlh->nlmsg_len = (uint32_t)size;
	t = nlh->nlmsg_type % 3;
	nlh->nlmsg_type = t == 0 ? RTM_NEWQDISC : t == 1 ? RTM_NEWTCLASS : RTM_NEWTFILTER;

	if (rtnl_qdisc_parse(nlh, &q, &st, NULL) == 0 && q.kind != RTNL_QDISC_NONE &&
	    rtnl_qdisc_new(out, sizeof(out), &q, RTNL_TC_ADD, NULL) > 0) {
		FUZZ_ASSERT(rtnl_qdisc_parse((struct nlmsghdr *)out, &qb, NULL, NULL) == 0);
		FUZZ_ASSERT(qb.kind == q.kind && qb.ifindex == q.ifindex);
	}
	if (rtnl_class_parse(nlh, &c, &st, NULL) == 0 && c.htb.rate &&
	    rtnl_class_new(out, sizeof(out), &c, RTNL_TC_ADD, NULL) > 0) {
		FUZZ_ASSERT(rtnl_class_parse((struct nlmsghdr *)out, &cb, NULL, NULL) == 0);
		FUZZ_ASSERT(cb.classid == c.classid && cb.htb.rate == c.htb.rate);
	}
	if (rtnl_filter_parse(nlh, &f, NULL) == 0 && f.kind != RTNL_FILTER_BPF &&
	    rtnl_filter_new(out, sizeof(out), &f, RTNL_TC_ADD, NULL) > 0) {
		FUZZ_ASSERT(rtnl_filter_parse((struct nlmsghdr *)out, &fb, NULL) == 0);
		FUZZ_ASSERT(fb.kind == f.kind && fb.prio == f.prio && fb.protocol == f.protocol &&
			    fb.classid == f.classid && fb.n_actions == f.n_actions);
	}
	return 0;
}
