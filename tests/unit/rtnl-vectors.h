/* Shared by the rtnl codec's vector tests (test-rtnl-l3, test-rtnl-route): the iproute2 request
 * vectors (tests/unit/vectors/iproute2.txt) and the checks every object's test runs on them. */
#pragma once

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../common/check.h"
#include "rtnl/rtnl-neigh.h"
#include "rtnl/rtnl-nexthop.h"
#include "rtnl/rtnl-rule.h"
#include "rtnl/rtnl.h"

typedef union {
	struct nlmsghdr nlh;
	uint8_t b[8192];
} MsgBuf;

/* ---- the vectors file: "# comment" lines and "NAME HEX" lines. */

#define MAX_VECTORS 128

typedef struct Vector {
	char name[48];
	uint8_t *bytes;
	size_t len;
	bool used;
} Vector;

static Vector vectors[MAX_VECTORS];
static size_t n_vectors;

static void load_vectors(const char *path)
{
	static char line[65536];
	FILE *f = fopen(path, "r");

	if (!f)
		perror(path);
	CHECK(f);
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' '), *hex;
		Vector *v;
		size_t n;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		CHECK(sp && n_vectors < MAX_VECTORS && (size_t)(sp - line) < sizeof(v->name));
		v = &vectors[n_vectors++];
		memcpy(v->name, line, (size_t)(sp - line));
		hex = sp + 1;
		n = strcspn(hex, "\n");
		CHECK(n % 2 == 0);
		/* Aligned like a recv buffer: the parsers get these as kernel answers. */
		v->bytes = aligned_alloc(8, (n / 2 + 8 + 7) & ~(size_t)7); /* size: a multiple of 8 */
		CHECK(v->bytes);
		for (size_t i = 0; i < n / 2; i++) {
			unsigned x;

			CHECK(sscanf(hex + 2 * i, "%2x", &x) == 1);
			v->bytes[i] = (uint8_t)x;
		}
		v->len = n / 2;
	}
	fclose(f);
	CHECK(n_vectors > 40);
}

static const Vector *vector(const char *name)
{
	for (size_t i = 0; i < n_vectors; i++)
		if (strcmp(vectors[i].name, name) == 0) {
			vectors[i].used = true;
			return &vectors[i];
		}
	CHECK_FAIL_("no vector %s", name);
}

/* How a request may differ from iproute2's, each for a reason given in rtnl-l3.md. */
enum {
	SAME = 0,
	ROUTE_TABLE = 1, /* rtnl_route_new always sends RTA_TABLE first; iproute2 not below 256 */
	GET_ACK = 2,	 /* gets ask for an ACK (nlconn ends a get on it); iproute2 does not */
	ADDR_FLAGS8 = 4, /* ifa_flags carries the low 8 bits even when IFA_FLAGS is sent */
};

static void golden(const char *name, const MsgBuf *m, int n, unsigned how)
{
	const Vector *v = vector(name);
	uint8_t got[sizeof(MsgBuf)];
	size_t len;

	current_test = name;
	if (n <= 0)
		fprintf(stderr, "[%s] builder returned %d\n", name, n);
	CHECK(n > 0);
	len = (size_t)n;
	memcpy(got, m->b, len);
	if (how & ROUTE_TABLE) {
		const struct rtmsg *rtm = (const void *)(got + NLMSG_HDRLEN);
		struct nlattr *a = (void *)(got + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*rtm)));

		CHECK_EQ(a->nla_type, RTA_TABLE);
		CHECK_EQ(mnl_attr_get_u32(a), rtm->rtm_table);
		memmove(a, (uint8_t *)a + 8, len - ((uint8_t *)a + 8 - got));
		len -= 8;
		((struct nlmsghdr *)got)->nlmsg_len = (uint32_t)len;
	}
	if (how & GET_ACK) {
		CHECK(((struct nlmsghdr *)got)->nlmsg_flags & NLM_F_ACK);
		((struct nlmsghdr *)got)->nlmsg_flags &= (uint16_t)~NLM_F_ACK;
	}
	if (how & ADDR_FLAGS8) {
		struct ifaddrmsg *ifa = (void *)(got + NLMSG_HDRLEN);

		CHECK(ifa->ifa_flags != 0);
		ifa->ifa_flags = 0;
	}
	if (len != v->len || memcmp(got, v->bytes, len) != 0) {
		fprintf(stderr, "[%s] want ", name);
		for (size_t i = 0; i < v->len; i++)
			fprintf(stderr, "%02x", v->bytes[i]);
		fprintf(stderr, "\n[%s] got  ", name);
		for (size_t i = 0; i < len; i++)
			fprintf(stderr, "%02x", got[i]);
		fputc('\n', stderr);
	}
	CHECK_MEMEQ(got, len, v->bytes, v->len);
}

static RtnlIp ip(const char *s)
{
	RtnlIp r;

	CHECK(rtnl_ip_parse(s, &r) == 0);
	return r;
}

static bool ip_eq(const RtnlIp *a, const RtnlIp *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

static bool ip_is(const RtnlIp *a, const char *s)
{
	RtnlIp b = ip(s);

	return ip_eq(a, &b);
}

/* Interface indexes of capture.py's namespace. */
enum { D0 = 10, BR0 = 11, D1 = 12, VX0 = 13 };

/* Each test checks the vectors whose names start with one of its prefixes, and all of them. */
static void vectors_check_used(const char *const *prefixes)
{
	current_test = "vectors";
	for (size_t i = 0; i < n_vectors; i++)
		for (const char *const *p = prefixes; *p; p++)
			if (strncmp(vectors[i].name, *p, strlen(*p)) == 0 && !vectors[i].used)
				CHECK_FAIL_("vector %s is not checked", vectors[i].name);
}

/* ---- real kernel answers (capture.py's reply-* vectors) */

typedef struct Seen {
	RtnlRule rules[16];
	RtnlNeigh neighs[16];
	RtnlNexthop nexthops[8];
	RtnlRoute routes[16];
	RtnlAddr addrs[8];
	size_t n_rules, n_neighs, n_nexthops, n_routes, n_addrs;
} Seen;

static int seen_cb(const struct nlmsghdr *nlh, void *userdata)
{
	Seen *s = userdata;

	switch (nlh->nlmsg_type) {
	case RTM_NEWRULE:
		CHECK(s->n_rules < 16);
		return rtnl_rule_parse(nlh, &s->rules[s->n_rules++]);
	case RTM_NEWNEIGH:
		CHECK(s->n_neighs < 16);
		return rtnl_neigh_parse(nlh, &s->neighs[s->n_neighs++]);
	case RTM_NEWNEXTHOP:
		CHECK(s->n_nexthops < 8);
		return rtnl_nexthop_parse(nlh, &s->nexthops[s->n_nexthops++]);
	case RTM_NEWROUTE:
		CHECK(s->n_routes < 16);
		return rtnl_route_parse(nlh, &s->routes[s->n_routes++]);
	case RTM_NEWADDR:
		CHECK(s->n_addrs < 8);
		return rtnl_addr_parse(nlh, &s->addrs[s->n_addrs++]);
	}
	CHECK_FAIL_("unexpected message type %u", nlh->nlmsg_type);
}

static Seen *seen(const char *name)
{
	static Seen s;
	const Vector *v = vector(name);

	current_test = name;
	memset(&s, 0, sizeof(s));
	CHECK_EQ(rtnl_walk(v->bytes, v->len, seen_cb, &s), 0);
	return &s;
}

/* ---- malformed input */

typedef int (*ParseFn)(const struct nlmsghdr *nlh, void *ret);

/* Every shorter nlmsg_len in an exact-size heap copy: never a read past it (ASan), and
 * anything shorter than the family header is -EINVAL. */
static void truncations(const char *name, ParseFn parse, size_t hdr_len)
{
	const Vector *v = vector(name);
	union {
		RtnlRule r;
		RtnlNeigh n;
		RtnlNexthop nh;
		RtnlRoute rt;
	} out;

	current_test = name;
	for (size_t len = 0; len <= v->len; len++) {
		struct nlmsghdr *nlh =
			aligned_alloc(4, (len + 3) & ~(size_t)3 ? (len + 3) & ~3u : 4);
		int r;

		CHECK(nlh);
		memcpy(nlh, v->bytes, len);
		if (len >= sizeof(*nlh)) {
			nlh->nlmsg_len = (uint32_t)len;
			r = parse(nlh, &out);
			if (len < NLMSG_HDRLEN + hdr_len)
				CHECK_EQ(r, -EINVAL);
			if (len == v->len)
				CHECK_EQ(r, 0);
		}
		free(nlh);
	}
}

/* A request vector with one byte changed at off. */
static int mutated(const char *name, size_t off, uint8_t value, ParseFn parse)
{
	const Vector *v = vector(name);
	MsgBuf m;
	union {
		RtnlNexthop nh;
		RtnlRoute rt;
		RtnlRule r;
		RtnlNeigh n;
	} out;

	memcpy(m.b, v->bytes, v->len);
	m.b[off] = value;
	return parse(&m.nlh, &out);
}

/* ---- every builder, every buffer size below what it needs */

typedef int (*BuildFn)(void *buf, size_t size, const void *arg);

static void sweep(const char *what, BuildFn fn, const void *arg)
{
	MsgBuf ref;
	int n;

	current_test = what;
	n = fn(ref.b, sizeof(ref), arg);
	CHECK(n > 0);
	for (size_t size = 0; size <= (size_t)n; size++) {
		uint8_t *exact = malloc(size ? size : 1);
		int r;

		CHECK(exact);
		r = fn(size ? exact : NULL, size, arg);
		if (size < (size_t)n) {
			CHECK_EQ(r, -ENOBUFS);
		} else {
			CHECK_EQ(r, n);
			CHECK(memcmp(exact, ref.b, (size_t)n) == 0);
		}
		free(exact);
	}
}
