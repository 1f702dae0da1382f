/* Helpers shared by the rtnl codec's builders and parsers; not part of the module's interface. */
#pragma once

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

/* rtnl-build.c: writers that check every write against size first (false/NULL: no room). */
struct nlmsghdr *rtnl_put_header(void *buf, size_t size, uint16_t type, uint16_t flags,
				 const void *hdr, size_t hdr_len);
bool rtnl_put(struct nlmsghdr *nlh, size_t size, uint16_t type, size_t len, const void *data);
bool rtnl_put_u32(struct nlmsghdr *nlh, size_t size, uint16_t type, uint32_t v);
bool rtnl_put_strz(struct nlmsghdr *nlh, size_t size, uint16_t type, const char *s);
bool rtnl_put_ip(struct nlmsghdr *nlh, size_t size, uint16_t type, const RtnlIp *ip);
void *rtnl_put_struct(struct nlmsghdr *nlh, size_t size, size_t len);
struct nlattr *rtnl_nest_start(struct nlmsghdr *nlh, size_t size, uint16_t type);

static inline bool rtnl_put_u8(struct nlmsghdr *nlh, size_t size, uint16_t type, uint8_t v)
{
	return rtnl_put(nlh, size, type, sizeof(v), &v);
}

static inline bool rtnl_put_u16(struct nlmsghdr *nlh, size_t size, uint16_t type, uint16_t v)
{
	return rtnl_put(nlh, size, type, sizeof(v), &v);
}

/* rtnl-parse.c: attribute walkers that reject overruns and stray bytes. */
typedef int (*rtnl_attr_cb)(const struct nlattr *attr, void *userdata);
int rtnl_attrs_parse(const void *payload, size_t len, rtnl_attr_cb cb, void *userdata);
int rtnl_msg_parse(const struct nlmsghdr *nlh, size_t hdr_len, rtnl_attr_cb cb, void *userdata);
int rtnl_nested_parse(const struct nlattr *attr, rtnl_attr_cb cb, void *userdata);
bool rtnl_attr_ok(const struct nlattr *attr, int mnl_type);
bool rtnl_attr_len_ok(const struct nlattr *attr, size_t len);
int rtnl_attr_strcpy(const struct nlattr *attr, char *dst, size_t size);
int rtnl_attr_ip(const struct nlattr *attr, uint8_t family, RtnlIp *ret);
/* Fixed-size integer attributes (and a u8 as on/off): -EINVAL, *ret untouched, if the
 * attribute is not one. */
int rtnl_get_u8(const struct nlattr *attr, uint8_t *ret);
int rtnl_get_u16(const struct nlattr *attr, uint16_t *ret);
int rtnl_get_u32(const struct nlattr *attr, uint32_t *ret);
int rtnl_get_tri(const struct nlattr *attr, RtnlTri *ret);

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
