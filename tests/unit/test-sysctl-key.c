/* sysctl keys: sysctl(8)'s dotted and slashed forms, interface names with dots, every escape
 * refused; values checked and newline-terminated. */
#include <errno.h>
#include <string.h>

#include "../common/check.h"
#include "core/sysctl-key.h"

static char path[SYSCTL_PATH_MAX];

static const char *to_path(const char *key)
{
	CHECK_EQ(sysctl_key_to_path(key, path, sizeof(path)), 0);
	return path;
}

static void test_keys(void)
{
	char big[SYSCTL_PATH_MAX + 8];

	current_test = "keys";
	CHECK_STREQ(to_path("net.ipv4.ip_forward"), "net/ipv4/ip_forward");
	CHECK_STREQ(to_path("net.ipv4.conf.eth0.rp_filter"), "net/ipv4/conf/eth0/rp_filter");
	CHECK_STREQ(to_path("net/ipv4/conf/eth0/rp_filter"), "net/ipv4/conf/eth0/rp_filter");
	/* VLAN eth0.10: dotted form writes its dot as '/', the slashed form keeps it */
	CHECK_STREQ(to_path("net.ipv4.conf.eth0/10.rp_filter"), "net/ipv4/conf/eth0.10/rp_filter");
	CHECK_STREQ(to_path("net/ipv4/conf/eth0.10/rp_filter"), "net/ipv4/conf/eth0.10/rp_filter");
	CHECK_STREQ(to_path("net.ipv6.conf.v0/1/2.disable_ipv6"),
		    "net/ipv6/conf/v0.1.2/disable_ipv6");
	CHECK_STREQ(to_path("net.ipv4.neigh.br-lan.gc_stale_time"),
		    "net/ipv4/neigh/br-lan/gc_stale_time");
	CHECK_STREQ(to_path("net.core.somaxconn"), "net/core/somaxconn");
	/* "eth0.." is a valid interface name (only "." and ".." are not) */
	CHECK_STREQ(to_path("net.ipv4.conf.eth0//.rp_filter"), "net/ipv4/conf/eth0../rp_filter");
	CHECK_EQ(sysctl_path_to_key("net/ipv4/conf/eth0.10/rp_filter", path, sizeof(path)), 0);
	CHECK_STREQ(path, "net.ipv4.conf.eth0/10.rp_filter");
	CHECK_EQ(sysctl_path_to_key("net.ipv4.ip_forward", path, sizeof(path)), -EINVAL);

	/* outside net, escapes, empty components, control characters */
	static const char *const bad[] = {
		"",
		"net",
		"net.",
		".net.ipv4.ip_forward",
		"kernel.hostname",
		"vm/swappiness",
		"net..ipv4.ip_forward",
		"net.ipv4.ip_forward.",
		"net/ipv4/../../kernel/hostname",
		"net/ipv4/./ip_forward",
		"net/ipv4//ip_forward",
		"/net/ipv4/ip_forward",
		"net/ipv4/ip_forward/",
		"net.ipv4.conf./..rp_filter",
		"net.ipv4.ip forward",
		"net.ipv4.ip_forward\n",
		"net.ipv4.\tx",
		"net.ipv4.\x7f",
		"network.x",
		"net/ipv4/conf/a.b/..",
		"nets/x",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = sysctl_key_to_path(bad[i], path, sizeof(path));

		if (r != -EINVAL)
			fprintf(stderr, "accepted or wrong error for \"%s\": %d\n", bad[i], r);
		CHECK_EQ(r, -EINVAL);
		CHECK_STREQ(path, "");
	}
	CHECK_EQ(sysctl_key_to_path(NULL, path, sizeof(path)), -EINVAL);
	/* "net.ipv4.conf../.x": the dotted form's "/." becomes "./": an escape, refused */
	CHECK_EQ(sysctl_key_to_path("net.ipv4.conf../.x", path, sizeof(path)), -EINVAL);

	/* length bounds */
	memset(big, 'a', sizeof(big));
	memcpy(big, "net.", 4);
	big[SYSCTL_PATH_MAX - 1] = '\0'; /* 255 bytes: fits */
	CHECK_EQ(sysctl_key_to_path(big, path, sizeof(path)), 0);
	CHECK_EQ(sysctl_key_to_path(big, path, 100), -ENAMETOOLONG);
	big[SYSCTL_PATH_MAX - 1] = 'a';
	big[SYSCTL_PATH_MAX] = '\0';
	CHECK_EQ(sysctl_key_to_path(big, path, sizeof(path)), -ENAMETOOLONG);
}

static void test_values(void)
{
	char out[SYSCTL_VALUE_MAX + 2], big[SYSCTL_VALUE_MAX + 2];

	current_test = "values";
	CHECK_EQ(sysctl_value_format("1", out, sizeof(out)), 2);
	CHECK_STREQ(out, "1\n");
	CHECK_EQ(sysctl_value_format("1\n", out, sizeof(out)), 2);
	CHECK_STREQ(out, "1\n");
	CHECK_EQ(sysctl_value_format("32768\t60999", out, sizeof(out)), 12);
	CHECK_STREQ(out, "32768\t60999\n");
	CHECK_EQ(sysctl_value_format("4096 131072 6291456", out, sizeof(out)), 20);
	CHECK_EQ(sysctl_value_format("", out, sizeof(out)), -EINVAL);
	CHECK_EQ(sysctl_value_format("\n", out, sizeof(out)), -EINVAL);
	CHECK_EQ(sysctl_value_format("1\n\n", out, sizeof(out)), -EINVAL);
	CHECK_EQ(sysctl_value_format("1\n2", out, sizeof(out)), -EINVAL);
	CHECK_EQ(sysctl_value_format("1\r", out, sizeof(out)), -EINVAL);
	CHECK_EQ(sysctl_value_format("\x1b[0m", out, sizeof(out)), -EINVAL);
	CHECK_EQ(sysctl_value_format("caf\xc3\xa9", out, sizeof(out)), -EINVAL);
	CHECK_EQ(sysctl_value_format(NULL, out, sizeof(out)), -EINVAL);
	CHECK_EQ(sysctl_value_format("12", out, 3), -ENOBUFS);
	CHECK_EQ(sysctl_value_format("12", out, 4), 3);
	memset(big, '7', SYSCTL_VALUE_MAX);
	big[SYSCTL_VALUE_MAX] = '\0';
	CHECK_EQ(sysctl_value_format(big, out, sizeof(out)), SYSCTL_VALUE_MAX + 1);
	big[SYSCTL_VALUE_MAX] = '7';
	big[SYSCTL_VALUE_MAX + 1] = '\0';
	CHECK_EQ(sysctl_value_format(big, out, sizeof(out)), -EINVAL);
	strcpy(out, "0\n");
	CHECK_EQ(sysctl_value_trim(out, 2), 1);
	CHECK_STREQ(out, "0");
	CHECK_EQ(sysctl_value_trim(out, 1), 1);
}

int main(void)
{
	test_keys();
	test_values();
	printf("ok\n");
	return 0;
}
