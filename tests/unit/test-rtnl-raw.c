/* The raw netlink checks of the Netlink method (src/rtnl/rtnl-raw.c): which client messages
 * pass and why the others do not, walking them, the ACKs added and dropped, and the client's
 * header restored in replies and in the request an error echoes. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>

#include "../common/check.h"
#include "rtnl/rtnl-raw.h"

static _Alignas(4) uint8_t buf[8192];
static char why[256];

/* Appends a request of len bytes (header included, zero body) at *off, padded. */
static void put(size_t *off, uint32_t len, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr h = { .nlmsg_len = len,
			      .nlmsg_type = type,
			      .nlmsg_flags = flags,
			      .nlmsg_seq = seq,
			      .nlmsg_pid = 77 };

	memset(buf + *off, 0, NLMSG_ALIGN(len > 16 ? len : 16));
	memcpy(buf + *off, &h, sizeof(h));
	*off += NLMSG_ALIGN(len > 16 ? len : 16);
}

static int validate(size_t len)
{
	why[0] = '\0';
	return rtnl_raw_validate(buf, len, 64, why, sizeof(why));
}

static void test_validate(void)
{
	const struct nlmsghdr *h;
	size_t off = 0, walk = 0;
	int n = 0;

	current_test = "validate";
	put(&off, 32, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1);
	CHECK_EQ(validate(off), 1);
	put(&off, 21, RTM_GETNETCONF, NLM_F_REQUEST | NLM_F_DUMP, 2); /* padded to 24 */
	put(&off, 20, 16, NLM_F_REQUEST, 3);
	CHECK_EQ(validate(off), 3);
	while ((h = rtnl_raw_next(buf, off, &walk)))
		CHECK_EQ(h->nlmsg_seq, (uint32_t)++n);
	CHECK_EQ(n, 3);
	/* The last one's padding may be left out. */
	off = 0;
	put(&off, 21, RTM_GETNETCONF, NLM_F_REQUEST | NLM_F_DUMP, 1);
	CHECK_EQ(validate(21), 1);

	CHECK_EQ(validate(0), -EINVAL);
	CHECK(strstr(why, "empty"), "%s", why);
	CHECK_EQ(validate(10), -EINVAL);
	CHECK(strstr(why, "message 0") && strstr(why, "header"), "%s", why);

	off = 0;
	put(&off, 32, RTM_GETLINK, NLM_F_REQUEST, 1);
	((struct nlmsghdr *)buf)->nlmsg_len = 64; /* lies: more than was sent */
	CHECK_EQ(validate(off), -EINVAL);
	CHECK(strstr(why, "nlmsg_len 64"), "%s", why);
	((struct nlmsghdr *)buf)->nlmsg_len = 8;
	CHECK_EQ(validate(off), -EINVAL);
	CHECK(strstr(why, "nlmsg_len 8"), "%s", why);

	off = 0;
	put(&off, 32, RTM_GETLINK, NLM_F_REQUEST, 1);
	put(&off, 4096, RTM_GETLINK, NLM_F_REQUEST, 2);
	CHECK_EQ(validate(48), -EINVAL);
	CHECK(strstr(why, "message 1"), "%s", why);

	off = 0;
	put(&off, 16, NLMSG_ERROR, NLM_F_REQUEST, 1);
	CHECK_EQ(validate(off), -EINVAL);
	CHECK(strstr(why, "control message"), "%s", why);
	off = 0;
	put(&off, 32, RTM_GETLINK, NLM_F_DUMP, 1);
	CHECK_EQ(validate(off), -EINVAL);
	CHECK(strstr(why, "NLM_F_REQUEST"), "%s", why);

	off = 0;
	for (unsigned i = 0; i < 65; i++)
		put(&off, 16, RTM_GETLINK, NLM_F_REQUEST, i);
	CHECK_EQ(validate(off), -E2BIG);
	CHECK_EQ(validate(off - 16), 64);
}

static void test_acks_and_restore(void)
{
	_Alignas(4) uint8_t m[64] = { 0 };
	struct nlmsghdr *r = (struct nlmsghdr *)m;
	struct nlmsgerr *e = NLMSG_DATA(r);
	struct nlmsghdr req = { .nlmsg_len = 32,
				.nlmsg_type = RTM_GETLINK,
				.nlmsg_flags = NLM_F_REQUEST,
				.nlmsg_seq = 4242,
				.nlmsg_pid = 9 };

	current_test = "acks";
	CHECK(rtnl_raw_needs_ack(&req));
	req.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	CHECK(!rtnl_raw_needs_ack(&req));
	req.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	CHECK(!rtnl_raw_needs_ack(&req), "a dump ends with NLMSG_DONE");
	req.nlmsg_flags = NLM_F_REQUEST;

	/* An ACK as the kernel sends it to our copy (our seq, NLM_F_ACK we added, pid 0). */
	*r = (struct nlmsghdr){ .nlmsg_len = NLMSG_LENGTH(sizeof(*e)),
				.nlmsg_type = NLMSG_ERROR,
				.nlmsg_flags = NLM_F_CAPPED,
				.nlmsg_seq = 17,
				.nlmsg_pid = 555 };
	e->error = 0;
	e->msg = (struct nlmsghdr){ .nlmsg_len = 32,
				    .nlmsg_type = RTM_GETLINK,
				    .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
				    .nlmsg_seq = 17 };
	CHECK(rtnl_raw_is_ack(r));
	rtnl_raw_restore(r, &req, 0);
	CHECK_EQ(r->nlmsg_seq, 4242);
	CHECK_EQ(r->nlmsg_pid, 555);
	CHECK_EQ(e->msg.nlmsg_seq, 4242);
	CHECK_EQ(e->msg.nlmsg_pid, 9);
	CHECK_EQ(e->msg.nlmsg_flags, NLM_F_REQUEST);
	rtnl_raw_restore(r, &req, 4711);
	CHECK_EQ(r->nlmsg_pid, 4711);
	e->error = -ENODEV;
	CHECK(!rtnl_raw_is_ack(r));
	/* A data message: only its header changes. */
	*r = (struct nlmsghdr){ .nlmsg_len = 32, .nlmsg_type = RTM_NEWLINK, .nlmsg_seq = 17 };
	m[20] = 0xab;
	rtnl_raw_restore(r, &req, 0);
	CHECK_EQ(r->nlmsg_seq, 4242);
	CHECK_EQ(m[20], 0xab);
	CHECK(!rtnl_raw_is_ack(r));
}

static void test_protocols(void)
{
	current_test = "protocols";
	CHECK_EQ(rtnl_raw_protocol_parse("route"), NETLINK_ROUTE);
	CHECK_EQ(rtnl_raw_protocol_parse("generic"), NETLINK_GENERIC);
	CHECK_EQ(rtnl_raw_protocol_parse("genl"), NETLINK_GENERIC);
	CHECK_EQ(rtnl_raw_protocol_parse("12"), NETLINK_NETFILTER);
	CHECK_EQ(rtnl_raw_protocol_parse("9"), -EINVAL); /* audit: not per namespace */
	CHECK_EQ(rtnl_raw_protocol_parse(""), -EINVAL);
	CHECK_EQ(rtnl_raw_protocol_parse("16x"), -EINVAL);
	CHECK_STREQ(rtnl_raw_protocol_name(NETLINK_XFRM), "xfrm");
	CHECK(!rtnl_raw_protocol_name(31));
}

int main(void)
{
	test_validate();
	test_acks_and_restore();
	test_protocols();
	printf("rtnl-raw: all checks passed\n");
	return 0;
}
