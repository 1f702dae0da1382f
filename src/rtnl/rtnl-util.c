/* Text helpers of the rtnl codec: IP addresses and prefixes, MAC addresses and interface names,
 * parsed as strictly as the kernel or iproute2 would accept them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/macro.h"
#include "rtnl-internal.h"

int rtnl_ip_parse(const char *s, RtnlIp *ret)
{
	RtnlIp ip = {};

	if (!s || !ret)
		return -EINVAL;
	/* inet_pton() is locale-free and strict: no zone ids, no short IPv4 forms like "10.1". */
	if (inet_pton(AF_INET, s, &ip.v4) == 1)
		ip.family = AF_INET;
	else if (inet_pton(AF_INET6, s, &ip.v6) == 1)
		ip.family = AF_INET6;
	else
		return -EINVAL;
	*ret = ip;
	return 0;
}

int rtnl_prefix_parse(const char *s, RtnlIp *ret, uint8_t *ret_plen)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash;
	unsigned plen = 0;
	RtnlIp ip;
	size_t n;
	int r;

	if (!s || !ret || !ret_plen)
		return -EINVAL;
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	r = rtnl_ip_parse(addr, &ip);
	if (r < 0)
		return r;

	if (!slash) {
		plen = rtnl_family_max_plen(ip.family);
	} else {
		const char *p = slash + 1;

		/* Digits only: strtoul() would take signs, spaces and overflow silently. */
		if (*p == '\0' || strlen(p) > 3)
			return -EINVAL;
		for (; *p; p++) {
			if (*p < '0' || *p > '9')
				return -EINVAL;
			plen = plen * 10 + (unsigned)(*p - '0');
		}
		if (plen > (unsigned)rtnl_family_max_plen(ip.family))
			return -EINVAL;
	}
	*ret = ip;
	*ret_plen = (uint8_t)plen;
	return 0;
}

const char *rtnl_ip_format(const RtnlIp *ip, char *buf, size_t size)
{
	if (!buf || size == 0)
		return buf;
	buf[0] = '\0';
	if (!ip || !rtnl_family_len(ip->family))
		return buf;
	if (!inet_ntop(ip->family, ip->bytes, buf, size))
		buf[0] = '\0';
	return buf;
}

static int rtnl_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rtnl_mac_parse(const char *s, uint8_t ret[6])
{
	uint8_t mac[6];

	/* Exactly six two-digit octets: the canonical form everything prints. */
	if (!s || !ret || strlen(s) != 17)
		return -EINVAL;
	for (size_t i = 0; i < 6; i++) {
		int hi = rtnl_hex_digit(s[3 * i]), lo = rtnl_hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		if (i < 5 && s[3 * i + 2] != ':')
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(ret, mac, sizeof(mac));
	return 0;
}

const char *rtnl_mac_format(const uint8_t *mac, size_t len, char *buf, size_t size)
{
	static const char hex[] = "0123456789abcdef";

	if (!buf || size == 0)
		return buf;
	buf[0] = '\0';
	/* All or nothing: a truncated address would look like a valid shorter one. */
	if (!mac || len == 0 || len > SIZE_MAX / 3 || size < 3 * len)
		return buf;
	for (size_t i = 0; i < len; i++) {
		buf[3 * i] = hex[mac[i] >> 4];
		buf[3 * i + 1] = hex[mac[i] & 0xf];
		buf[3 * i + 2] = i + 1 < len ? ':' : '\0';
	}
	return buf;
}
