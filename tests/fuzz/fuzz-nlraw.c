/* libFuzzer harness for the raw netlink checks of the Netlink method (src/rtnl/rtnl-raw.c): the
 * input is a client's messages. What the validator accepts must walk exactly (every message whole
 * inside the buffer, as many as it counted); each message then goes through the reply restoring
 * as if the kernel had sent it, and the leading bytes through the protocol name parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rtnl/rtnl-raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(4) uint8_t copy[1 << 16];
	const struct nlmsghdr *h;
	char why[256], s[32];
	size_t off = 0, k = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	uint8_t *buf;
	int n, walked = 0;

	memcpy(s, data, k);
	s[k] = '\0';
	n = rtnl_raw_protocol_parse(s);
	FUZZ_ASSERT(n < 0 || rtnl_raw_protocol_name((uint32_t)n));

	/* An exact-size aligned copy, as the request's bytes field would be. */
	buf = malloc(size ? size : 1);
	FUZZ_ASSERT(buf);
	memcpy(buf, data, size);
	n = rtnl_raw_validate(buf, size, 64, why, sizeof(why));
	if (n < 0) {
		FUZZ_ASSERT(why[0] != '\0');
		free(buf);
		return 0;
	}
	FUZZ_ASSERT(n >= 1 && n <= 64);
	while ((h = rtnl_raw_next(buf, size, &off))) {
		struct nlmsghdr orig, *r;

		FUZZ_ASSERT((const uint8_t *)h + h->nlmsg_len <= buf + size);
		FUZZ_ASSERT(h->nlmsg_len >= NLMSG_HDRLEN && (h->nlmsg_flags & NLM_F_REQUEST));
		walked++;
		memcpy(&orig, h, sizeof(orig));
		(void)rtnl_raw_needs_ack(h);
		/* As a reply: the kernel's messages are whole and aligned in our buffers. */
		if (h->nlmsg_len <= sizeof(copy)) {
			memcpy(copy, h, h->nlmsg_len);
			r = (struct nlmsghdr *)copy;
			(void)rtnl_raw_is_ack(r);
			rtnl_raw_restore(r, &orig, 7);
			FUZZ_ASSERT(r->nlmsg_seq == orig.nlmsg_seq && r->nlmsg_pid == 7);
		}
	}
	FUZZ_ASSERT(walked == n);
	free(buf);
	return 0;
}
