/* nsringctl's netlink object without a daemon: the words (protocol names and numbers, timeout,
 * portid, HEX bytes in any grouping), the usage errors, and the printer on a constructed reply
 * (a data message, an error with its extended-ack text, NLMSG_DONE) as text and as JSON. */
#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "nsring/v1/nsring.pb-c.h"
#include "tools/ctl.h"

static int parse(const char *line, CtlCmd *cmd)
{
	static char buf[1024];
	char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return ctl_parse(argc, argv, cmd);
}

static void test_parse(void)
{
	const Nsring__V1__NetlinkRequest *req;
	CtlCmd cmd;

	current_test = "parse";
	CHECK_EQ(parse("nsringctl -n red netlink protocol generic timeout 500 portid 7 "
		       "0x1400:0000 100001000000000000000000",
		       &cmd),
		 CTL_PARSE_OK);
	CHECK_STREQ(cmd.method, "Netlink");
	req = (const void *)cmd.req;
	CHECK_EQ(req->protocol, NETLINK_GENERIC);
	CHECK_EQ(req->timeout_ms, 500);
	CHECK_EQ(req->portid, 7);
	CHECK_MEMEQ(req->messages.data, req->messages.len,
		    "\x14\x00\x00\x00\x10\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00", 16);
	CHECK(req->namespace_ && strcmp(req->namespace_->name, "red") == 0);
	CHECK(cmd.print);
	ctl_cmd_done(&cmd);

	CHECK_EQ(parse("nsringctl netlink --protocol route 1400000012000103", &cmd), CTL_PARSE_OK);
	CHECK_EQ(((const Nsring__V1__NetlinkRequest *)cmd.req)->protocol, NETLINK_ROUTE);
	CHECK(!((const Nsring__V1__NetlinkRequest *)cmd.req)->namespace_);
	ctl_cmd_done(&cmd);
	CHECK_EQ(parse("nsringctl netlink protocol 12 00", &cmd), CTL_PARSE_OK);
	CHECK_EQ(((const Nsring__V1__NetlinkRequest *)cmd.req)->protocol, NETLINK_NETFILTER);
	ctl_cmd_done(&cmd);

	CHECK_EQ(parse("nsringctl netlink protocol route", &cmd), -EINVAL);
	CHECK(strstr(cmd.error, "HEX"), "%s", cmd.error);
	ctl_cmd_done(&cmd);
	CHECK_EQ(parse("nsringctl netlink protocol bogus 00", &cmd), -EINVAL);
	CHECK(strstr(cmd.error, "bogus"), "%s", cmd.error);
	ctl_cmd_done(&cmd);
	CHECK_EQ(parse("nsringctl netlink 0x123", &cmd), -EINVAL);
	CHECK(strstr(cmd.error, "hex"), "%s", cmd.error);
	ctl_cmd_done(&cmd);
	CHECK_EQ(parse("nsringctl netlink zz", &cmd), -EINVAL);
	ctl_cmd_done(&cmd);
	CHECK_EQ(parse("nsringctl netlink timeout 70000 00", &cmd), -EINVAL);
	ctl_cmd_done(&cmd);
}

/* A reply: RTM_NEWLINK (seq 9), an error -ENODEV with ext-ack "no such dev", NLMSG_DONE. */
static size_t build_reply(uint8_t *b)
{
	struct nlmsghdr h;
	struct nlmsgerr e = { .error = -19 };
	size_t off = 0;
	uint16_t alen = 4 + 12, atype = 1;

	h = (struct nlmsghdr){ .nlmsg_len = 20, .nlmsg_type = 16, .nlmsg_seq = 9, .nlmsg_pid = 1 };
	memcpy(b + off, &h, 16);
	memcpy(b + off + 16, "\xab\xcd\x00\x00", 4);
	off += 20;
	h = (struct nlmsghdr){ .nlmsg_len = 16 + sizeof(e) + alen,
			       .nlmsg_type = NLMSG_ERROR,
			       .nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS,
			       .nlmsg_seq = 9 };
	e.msg = (struct nlmsghdr){ .nlmsg_len = 32, .nlmsg_type = 18, .nlmsg_seq = 9 };
	memcpy(b + off, &h, 16);
	memcpy(b + off + 16, &e, sizeof(e));
	memcpy(b + off + 16 + sizeof(e), &alen, 2);
	memcpy(b + off + 18 + sizeof(e), &atype, 2);
	memcpy(b + off + 20 + sizeof(e), "no such dev\0", 12);
	off += h.nlmsg_len;
	h = (struct nlmsghdr){ .nlmsg_len = 20, .nlmsg_type = NLMSG_DONE, .nlmsg_seq = 9 };
	memcpy(b + off, &h, 16);
	memset(b + off + 16, 0, 4);
	return off + 20;
}

static char *print(const ProtobufCMessage *m, bool json)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CHECK(f);
	CHECK_EQ(ctl_print_netlink(f, m, json), 0);
	fclose(f);
	return out;
}

static void test_print(void)
{
	Nsring__V1__NetlinkResponse r = NSRING__V1__NETLINK_RESPONSE__INIT;
	static uint8_t b[256];
	char *t;

	current_test = "print";
	r.messages.data = b;
	r.messages.len = build_reply(b);
	t = print(&r.base, false);
	CHECK(strstr(t, "NEWLINK len 20 flags 0x0 seq 9 pid 1\n  abcd0000\n"), "%s", t);
	CHECK(strstr(t, "ERROR len") && strstr(t, "error -19 (No such device) extack \"no such "
						  "dev\""),
	      "%s", t);
	CHECK(strstr(t, "DONE len 20"), "%s", t);
	free(t);
	t = print(&r.base, true);
	CHECK(t[0] == '[' && strstr(t, "\"type_name\":\"ERROR\"") && strstr(t, "\"error\":-19") &&
		      strstr(t, "\"extack\":\"no such dev\"") &&
		      strstr(t, "\"hex\":\"14000000030000000900000000000000") &&
		      strcmp(t + strlen(t) - 2, "]\n") == 0,
	      "%s", t);
	free(t);
	/* A truncated last message is not printed past the bytes there are. */
	r.messages.len -= 4;
	t = print(&r.base, false);
	CHECK(!strstr(t, "DONE"), "%s", t);
	free(t);
}

static size_t put_attr(uint8_t *b, size_t off, uint16_t type, const void *data, uint16_t len)
{
	uint16_t alen = 4 + len;

	memcpy(b + off, &alen, 2);
	memcpy(b + off + 2, &type, 2);
	memcpy(b + off + 4, data, len);
	memset(b + off + 4 + len, 0, (4 - len % 4) % 4);
	return off + ((alen + 3u) & ~3u);
}

/* Links and routes of a route reply as nsring's codec reads them, names escaped in JSON. */
static void test_decode(void)
{
	Nsring__V1__NetlinkResponse r = NSRING__V1__NETLINK_RESPONSE__INIT;
	static _Alignas(4) uint8_t b[512];
	struct nlmsghdr h = { .nlmsg_type = 16, .nlmsg_seq = 5 };
	uint32_t mtu = 1400, oif = 3, index = 7, flags = 1;
	uint8_t ifi[16] = { 0 }, rtm[12] = { 2, 24, 0, 0, 254, 3, 0, 1 };
	uint8_t dst[4] = { 198, 18, 5, 0 }, gw[4] = { 198, 18, 4, 1 };
	size_t off = 16, start;
	CtlCmd cmd;
	char *t;

	current_test = "decode";
	CHECK_EQ(parse("nsringctl netlink protocol route 00", &cmd), CTL_PARSE_OK);
	ctl_cmd_done(&cmd);
	memcpy(ifi + 4, &index, 4);
	memcpy(ifi + 8, &flags, 4);
	memcpy(b + off, ifi, 16);
	off = put_attr(b, off + 16, 3 /* IFLA_IFNAME */, "a\"b", 4);
	off = put_attr(b, off, 4 /* IFLA_MTU */, &mtu, 4);
	h.nlmsg_len = (uint32_t)off;
	memcpy(b, &h, 16);
	start = off;
	memcpy(b + off + 16, rtm, 12);
	off = put_attr(b, off + 28, 1 /* RTA_DST */, dst, 4);
	off = put_attr(b, off, 4 /* RTA_OIF */, &oif, 4);
	off = put_attr(b, off, 5 /* RTA_GATEWAY */, gw, 4);
	h.nlmsg_type = 24; /* RTM_NEWROUTE */
	h.nlmsg_len = (uint32_t)(off - start);
	memcpy(b + start, &h, 16);
	r.messages.data = b;
	r.messages.len = off;
	t = print(&r.base, false);
	CHECK(strstr(t, "  link 7 a\"b kind - mtu 1400 flags 0x1\n"), "%s", t);
	CHECK(strstr(t, "  route 198.18.5.0/24 table 254 oif 3 via 198.18.4.1\n"), "%s", t);
	free(t);
	t = print(&r.base, true);
	CHECK(strstr(t, "\"link\":{\"index\":7,\"name\":\"a\\\"b\",\"kind\":\"\",\"mtu\":1400"),
	      "%s", t);
	CHECK(strstr(t, "\"route\":{\"destination\":\"198.18.5.0\",\"dst_len\":24,\"table\":254,"
			"\"oif\":3,\"gateway\":\"198.18.4.1\"}"),
	      "%s", t);
	free(t);
	/* Another protocol's replies are not read as rtnetlink. */
	CHECK_EQ(parse("nsringctl netlink protocol generic 00", &cmd), CTL_PARSE_OK);
	ctl_cmd_done(&cmd);
	t = print(&r.base, false);
	CHECK(!strstr(t, "  link 7"), "%s", t);
	free(t);
}

int main(void)
{
	test_parse();
	test_print();
	test_decode();
	printf("ctl-netlink: all checks passed\n");
	return 0;
}
