/* nsringctl's netlink object: `netlink [protocol P] [timeout MS] HEX...` sends raw netlink
 * messages in the namespace (the Netlink method) and prints every reply message, for debugging. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "ctl-internal.h"
#include "ctl-json.h"
#include "rtnl/rtnl.h"

#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

static const CtlWord protocols[] = {
	{ "route", NETLINK_ROUTE },	    { "rtnl", NETLINK_ROUTE },
	{ "sock_diag", NETLINK_SOCK_DIAG }, { "xfrm", NETLINK_XFRM },
	{ "netfilter", NETLINK_NETFILTER }, { "generic", NETLINK_GENERIC },
	{ "genl", NETLINK_GENERIC },
};

/* The protocol of the request parsed last: the replies are decoded as its messages. */
static uint32_t reply_protocol = NETLINK_ROUTE;

static int hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Appends the bytes of one HEX word (an optional 0x, then pairs of hex digits; ':' and '_'
 * between bytes are ignored). */
static int append_hex(CtlParser *p, const char *w, uint8_t **buf, size_t *len, size_t *cap)
{
	if (w[0] == '0' && (w[1] == 'x' || w[1] == 'X'))
		w += 2;
	while (*w) {
		int hi, lo;

		if (*w == ':' || *w == '_') {
			w++;
			continue;
		}
		hi = hex_val(w[0]);
		lo = hi >= 0 && w[1] ? hex_val(w[1]) : -1;
		if (lo < 0)
			return ctl_fail(p->cmd, "\"%s\" is not hex bytes (pairs of 0-9a-f)", w);
		if (*len == *cap) {
			size_t ncap = *cap ? *cap * 2 : 256;
			uint8_t *n = ctl_alloc(p->cmd, ncap);

			if (!n)
				return ctl_oom(p->cmd);
			if (*len)
				memcpy(n, *buf, *len);
			*buf = n;
			*cap = ncap;
		}
		(*buf)[(*len)++] = (uint8_t)(hi << 4 | lo);
		w += 2;
	}
	return 0;
}

static int parse_netlink(CtlParser *p)
{
	Nsring__V1__NetlinkRequest *req;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	const char *w;
	int r;

	req = CTL_NEW_MSG(p->cmd, Nsring__V1__NetlinkRequest, nsring__v1__netlink_request__init);
	if (!req)
		return ctl_oom(p->cmd);
	while ((w = ctl_peek(p))) {
		if (ctl_streq(w, "help"))
			return CTL_PARSE_HELP;
		if (ctl_streq(w, "protocol") || ctl_streq(w, "--protocol") ||
		    ctl_streq(w, "proto")) {
			ctl_next(p);
			r = ctl_arg_word(p, w, CTL_WORDS(protocols), 31, &req->protocol);
			if (r < 0)
				return r;
			continue;
		}
		if (ctl_streq(w, "timeout") || ctl_streq(w, "--timeout-ms")) {
			ctl_next(p);
			r = ctl_arg_u32(p, w, 60000, &req->timeout_ms);
			if (r < 0)
				return r;
			continue;
		}
		if (ctl_streq(w, "portid")) {
			ctl_next(p);
			r = ctl_arg_u32(p, w, UINT32_MAX, &req->portid);
			if (r < 0)
				return r;
			continue;
		}
		ctl_next(p);
		r = append_hex(p, w, &buf, &len, &cap);
		if (r < 0)
			return r;
	}
	if (len == 0)
		return ctl_fail(p->cmd, "netlink needs the messages as HEX bytes");
	req->messages.data = buf;
	req->messages.len = len;
	reply_protocol = req->protocol;
	ctl_set_namespace(p, &req->namespace_);
	ctl_set_call(p->cmd, "Netlink", &req->base, &nsring__v1__netlink_response__descriptor,
		     ctl_print_netlink);
	return 0;
}

const CtlObject ctl_object_netlink = {
	.word = "netlink",
	.usage = "  netlink [protocol route|generic|sock_diag|xfrm|netfilter|N] [timeout MS]\n"
		 "          [portid N] HEX...   (raw messages; replies printed)\n",
	.parse = parse_netlink,
};

/* ---- replies */

static const CtlWord control_types[] = {
	{ "NOOP", NLMSG_NOOP },
	{ "ERROR", NLMSG_ERROR },
	{ "DONE", NLMSG_DONE },
	{ "OVERRUN", NLMSG_OVERRUN },
};

static const CtlWord rtm_types[] = {
	{ "NEWLINK", RTM_NEWLINK },	  { "DELLINK", RTM_DELLINK },
	{ "NEWADDR", RTM_NEWADDR },	  { "DELADDR", RTM_DELADDR },
	{ "NEWROUTE", RTM_NEWROUTE },	  { "DELROUTE", RTM_DELROUTE },
	{ "NEWNEIGH", RTM_NEWNEIGH },	  { "DELNEIGH", RTM_DELNEIGH },
	{ "NEWRULE", RTM_NEWRULE },	  { "DELRULE", RTM_DELRULE },
	{ "NEWQDISC", RTM_NEWQDISC },	  { "NEWTCLASS", RTM_NEWTCLASS },
	{ "NEWTFILTER", RTM_NEWTFILTER }, { "NEWNETCONF", RTM_NEWNETCONF },
	{ "NEWNSID", RTM_NEWNSID },	  { "NEWNEXTHOP", RTM_NEWNEXTHOP },
};

/* The extended-ack message (NLMSGERR_ATTR_MSG) after the error's echoed request, if any. */
static const char *error_extack(const struct nlmsghdr *h, char *buf, size_t size)
{
	const struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	while (off + 4 <= h->nlmsg_len) {
		uint16_t alen, atype;

		memcpy(&alen, (const uint8_t *)h + off, 2);
		memcpy(&atype, (const uint8_t *)h + off + 2, 2);
		if (alen < 4 || off + alen > h->nlmsg_len)
			break;
		if ((atype & 0x3fff) == NLMSGERR_ATTR_MSG) {
			snprintf(buf, size, "%.*s", (int)(alen - 4), (const char *)h + off + 4);
			return buf;
		}
		off += (alen + 3u) & ~3u;
	}
	return NULL;
}

static void print_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void print_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	fputc('"', f);
}

/* rtnetlink links, addresses and routes as nsring's codec reads them: one line of text (or a
 * JSON object's members after a comma), or false when the message is none of those. */
static bool print_decoded(FILE *f, const struct nlmsghdr *h, bool json)
{
	char a[64], b[64];
	RtnlLink l;
	RtnlAddr ad;
	RtnlRoute rt;

	if (reply_protocol != NETLINK_ROUTE)
		return false;
	switch (h->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		if (rtnl_link_parse(h, &l) < 0)
			return false;
		if (!json) {
			fprintf(f, "  link %u %s kind %s mtu %u flags 0x%x\n", l.index, l.name,
				l.kind[0] ? l.kind : "-", l.mtu, l.flags);
			return true;
		}
		fprintf(f, ",\"link\":{\"index\":%u,\"name\":", l.index);
		print_json_str(f, l.name);
		fputs(",\"kind\":", f);
		print_json_str(f, l.kind);
		fprintf(f, ",\"mtu\":%u,\"flags\":%u}", l.mtu, l.flags);
		return true;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		if (rtnl_addr_parse(h, &ad) < 0)
			return false;
		fprintf(f,
			json ? ",\"address\":{\"address\":\"%s\",\"prefix_len\":%u,"
			       "\"index\":%u}"
			     : "  address %s/%u dev index %u\n",
			rtnl_ip_format(&ad.addr, a, sizeof(a)), ad.prefix_len, ad.index);
		return true;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (rtnl_route_parse(h, &rt) < 0)
			return false;
		if (rt.dst.family)
			rtnl_ip_format(&rt.dst, a, sizeof(a));
		else
			snprintf(a, sizeof(a), "default");
		if (rt.gateway.family)
			rtnl_ip_format(&rt.gateway, b, sizeof(b));
		else
			b[0] = '\0';
		if (json)
			fprintf(f,
				",\"route\":{\"destination\":\"%s\",\"dst_len\":%u,\"table\":%u,"
				"\"oif\":%u,\"gateway\":\"%s\"}",
				a, rt.dst_len, rt.table, rt.oif, b);
		else
			fprintf(f, "  route %s/%u table %u oif %u%s%s\n", a, rt.dst_len, rt.table,
				rt.oif, b[0] ? " via " : "", b);
		return true;
	default:
		return false;
	}
}

static void print_msg(FILE *f, const struct nlmsghdr *h, bool json, bool first)
{
	char tname[32], extack[512];
	const char *name = ctl_word_name(CTL_WORDS(control_types), h->nlmsg_type);
	const char *ext = NULL;
	int error = 0;
	bool is_err = h->nlmsg_type == NLMSG_ERROR && h->nlmsg_len >= NLMSG_LENGTH(sizeof(int));

	if (!name)
		name = ctl_word_name(CTL_WORDS(rtm_types), h->nlmsg_type);
	if (!name) {
		snprintf(tname, sizeof(tname), "%u", h->nlmsg_type);
		name = tname;
	}
	if (is_err) {
		memcpy(&error, NLMSG_DATA(h), sizeof(int));
		if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct nlmsgerr)))
			ext = error_extack(h, extack, sizeof(extack));
	}
	if (json) {
		fprintf(f, "%s{\"type\":%u,\"type_name\":\"%s\",\"flags\":%u,\"seq\":%u,\"pid\":%u",
			first ? "" : ",", h->nlmsg_type, name, h->nlmsg_flags, h->nlmsg_seq,
			h->nlmsg_pid);
		if (is_err)
			fprintf(f, ",\"error\":%d", error);
		if (ext) {
			fputs(",\"extack\":", f);
			print_json_str(f, ext);
		}
		print_decoded(f, h, true);
		fputs(",\"hex\":\"", f);
		print_hex(f, (const uint8_t *)h, h->nlmsg_len);
		fputs("\"}", f);
		return;
	}
	fprintf(f, "%s len %u flags 0x%x seq %u pid %u", name, h->nlmsg_len, h->nlmsg_flags,
		h->nlmsg_seq, h->nlmsg_pid);
	if (is_err) {
		if (error == 0)
			fputs(" ack", f);
		else
			fprintf(f, " error %d (%s)", error, strerror(-error));
		if (ext)
			fprintf(f, " extack \"%s\"", ext);
	}
	fputc('\n', f);
	print_decoded(f, h, false);
	fputs("  ", f);
	print_hex(f, (const uint8_t *)h + NLMSG_HDRLEN, h->nlmsg_len - NLMSG_HDRLEN);
	fputc('\n', f);
}

int ctl_print_netlink(FILE *f, const ProtobufCMessage *resp, bool json)
{
	const Nsring__V1__NetlinkResponse *r = (const void *)resp;
	size_t off = 0;
	bool first = true;

	if (json)
		fputc('[', f);
	while (off + NLMSG_HDRLEN <= r->messages.len) {
		struct nlmsghdr hdr;
		uint8_t *copy;

		memcpy(&hdr, r->messages.data + off, sizeof(hdr));
		if (hdr.nlmsg_len < NLMSG_HDRLEN || hdr.nlmsg_len > r->messages.len - off)
			break;
		copy = malloc(hdr.nlmsg_len); /* aligned for the casts */
		if (!copy)
			return -ENOMEM;
		memcpy(copy, r->messages.data + off, hdr.nlmsg_len);
		print_msg(f, (const struct nlmsghdr *)copy, json, first);
		free(copy);
		first = false;
		off += NLMSG_ALIGN(hdr.nlmsg_len);
	}
	if (json)
		fputs("]\n", f);
	return 0;
}
