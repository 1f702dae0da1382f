/* The traffic-control methods' conversions between the API's messages (tc.proto) and the tc
 * codec's specs (rtnl-tc.h), pure so unit tests hold CLI words -> request -> bytes to tc's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nsring/v1/nsring.pb-c.h"
#include "rtnl/rtnl-tc.h"

/* Each fills the codec's spec from pb, leaving every ifindex 0 (the caller resolves the link
 * names: the spec's ifindex, and each mirred action's target). create: the options must be
 * complete (a kind set, its required fields); otherwise only what identifies the object is
 * read. Returns 0, or -EINVAL with the reason, naming the field, in err. */
int tc_qdisc_from_pb(const Nsring__V1__Qdisc *pb, bool create, RtnlQdisc *ret, char *err,
		     size_t err_size);
int tc_class_from_pb(const Nsring__V1__TrafficClass *pb, bool create, RtnlClass *ret, char *err,
		     size_t err_size);
int tc_filter_from_pb(const Nsring__V1__Filter *pb, bool create, RtnlFilter *ret, char *err,
		      size_t err_size);

/* tc's handle words: "root", "ingress" (ffff:fff2 for a filter; the ingress/clsact parent for a
 * qdisc), "egress", "MAJ:MIN". filter selects the clsact meanings of ingress/egress. */
int tc_parent_parse(const char *s, bool filter, uint32_t *ret);
/* As tc prints a handle: "root", "ingress", "egress" (filter), "1:", "1:10", ":5". buf >= 16. */
const char *tc_handle_format(uint32_t h, bool filter_parent, char *buf, size_t size);
/* A u32 filter handle as tc prints it ("800::800"); others as a handle. */
const char *tc_filter_handle_format(const char *kind, uint32_t h, char *buf, size_t size);
int tc_filter_handle_parse(const char *s, uint32_t *ret);
/* "all", "ip", "ipv6", "arp", "802.1q", "802.1ad" or a number; 0 or -EINVAL. */
int tc_protocol_parse(const char *s, uint16_t *ret);
const char *tc_protocol_format(uint16_t proto, char *buf, size_t size);
/* The kind's name for a Qdisc options case ("tbf"); NULL for none. */
const char *tc_qdisc_kind(int options_case);
