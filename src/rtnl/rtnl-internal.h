/* Helpers shared by the rtnl codec's builders and parsers; not part of the module's interface. */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "rtnl.h"

/* Bytes of an address of this family on the wire, or 0 for a family the codec does not handle. */
static inline size_t rtnl_family_len(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

/* Longest prefix of the family, or -1 when the family is not handled. */
static inline int rtnl_family_max_plen(int family)
{
	return family == AF_INET ? 32 : family == AF_INET6 ? 128 : -1;
}

struct nlattr;
struct nlmsghdr;

#define RTNL_REQ_FLAGS (NLM_F_REQUEST | NLM_F_ACK)
/* No NLM_F_ACK on dumps: their end is NLMSG_DONE (or an error), an ACK would add nothing. */
#define RTNL_DUMP_FLAGS (NLM_F_REQUEST | NLM_F_DUMP)

/* ---- building (rtnl-build.c). Every write is checked against size first; false/NULL means
 * the message does not fit (the builder returns -ENOBUFS). */
struct nlmsghdr *rtnl_put_header(void *buf, size_t size, uint16_t type, uint16_t flags,
				 const void *hdr, size_t hdr_len);
bool rtnl_put(struct nlmsghdr *nlh, size_t size, uint16_t type, size_t len, const void *data);
bool rtnl_put_u32(struct nlmsghdr *nlh, size_t size, uint16_t type, uint32_t v);
bool rtnl_put_strz(struct nlmsghdr *nlh, size_t size, uint16_t type, const char *s);
bool rtnl_put_ip(struct nlmsghdr *nlh, size_t size, uint16_t type, const RtnlIp *ip);
void *rtnl_put_struct(struct nlmsghdr *nlh, size_t size, size_t len);
struct nlattr *rtnl_nest_start(struct nlmsghdr *nlh, size_t size, uint16_t type);
/* Family 0 (unset), AF_INET or AF_INET6. */
bool rtnl_ip_family_ok(const RtnlIp *ip);

static inline bool rtnl_put_u8(struct nlmsghdr *nlh, size_t size, uint16_t type, uint8_t v)
{
	return rtnl_put(nlh, size, type, sizeof(v), &v);
}

static inline bool rtnl_put_u16(struct nlmsghdr *nlh, size_t size, uint16_t type, uint16_t v)
{
	return rtnl_put(nlh, size, type, sizeof(v), &v);
}

/* ---- parsing (rtnl-parse.c). Attribute walks reject overruns and stray bytes. */
typedef int (*rtnl_attr_cb)(const struct nlattr *attr, void *userdata);

int rtnl_attrs_parse(const void *payload, size_t len, rtnl_attr_cb cb, void *userdata);
/* The attributes after a message's family header, or -EINVAL if the header does not fit. */
int rtnl_msg_parse(const struct nlmsghdr *nlh, size_t hdr_len, rtnl_attr_cb cb, void *userdata);
int rtnl_nested_parse(const struct nlattr *attr, rtnl_attr_cb cb, void *userdata);
/* mnl_attr_validate() without touching errno. */
bool rtnl_attr_ok(const struct nlattr *attr, int mnl_type);
bool rtnl_attr_len_ok(const struct nlattr *attr, size_t len);
/* A string attribute into dst; -EINVAL if empty or too long. */
int rtnl_attr_strcpy(const struct nlattr *attr, char *dst, size_t size);
/* An address of exactly the family's length; -EINVAL otherwise. */
int rtnl_attr_ip(const struct nlattr *attr, uint8_t family, RtnlIp *ret);
/* Fixed-size integer attributes (and a u8 as on/off): -EINVAL, *ret untouched, if the
 * attribute is not one. */
int rtnl_get_u8(const struct nlattr *attr, uint8_t *ret);
int rtnl_get_u16(const struct nlattr *attr, uint16_t *ret);
int rtnl_get_u32(const struct nlattr *attr, uint32_t *ret);
int rtnl_get_tri(const struct nlattr *attr, RtnlTri *ret);

/* True when a and b hold the same address (padding and unused bytes ignored). */
static inline bool rtnl_ip_eq(const RtnlIp *a, const RtnlIp *b)
{
	size_t len = rtnl_family_len(a->family);

	return a->family == b->family && (len == 0 || memcmp(a->bytes, b->bytes, len) == 0);
}

/* A prefix is valid when unset with length 0, or set, of family, with a length in range. */
static inline bool rtnl_prefix_ok(const RtnlIp *ip, uint8_t plen, uint8_t family)
{
	if (!ip->family)
		return plen == 0;
	return ip->family == family && plen <= rtnl_family_max_plen(family);
}

/* rtnl-route.c: the route attributes added after the original set (multipath, nexthop id,
 * metrics), for rtnl-build.c and rtnl-parse.c. */
int rtnl_route_put_extra(struct nlmsghdr *nlh, size_t size, const RtnlRoute *r, bool metrics);
int rtnl_route_check_extra(const RtnlRoute *r);
int rtnl_route_parse_multipath(const struct nlattr *attr, RtnlRoute *r);
int rtnl_route_parse_metrics(const struct nlattr *attr, RtnlRoute *r);

/* rtnl-linkkind.c: the per-kind parts of link requests and replies. */
/* IFLA_INFO_DATA of the kinds rtnl-linkkind.c owns (not veth, vxlan, macvlan); 0 if none. */
int rtnl_kind_put_data(struct nlmsghdr *nlh, size_t size, const RtnlLinkSpec *spec);
/* Top-level IFLA_LINK of kinds with a parent, or 0. */
uint32_t rtnl_kind_parent(const RtnlLinkSpec *spec);
int rtnl_kind_check(const RtnlLinkSpec *spec, const char **ret_field);
/* IFLA_INFO_DATA of a reply, by l->kind (already parsed); unknown kinds are skipped. */
int rtnl_kind_parse_data(const struct nlattr *data, RtnlLink *l);
int rtnl_bridge_opts_check(const RtnlBridgeOpts *b, const char **ret_field);
int rtnl_bridge_opts_put(struct nlmsghdr *nlh, size_t size, const RtnlBridgeOpts *b);
int rtnl_brport_attr(const struct nlattr *attr, void *userdata); /* userdata: RtnlBrport */
