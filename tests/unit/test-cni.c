/* Unit tests of nsring-cni's pure parts: the network config (defaults, validation and the
 * spec's error codes), address prefixes, host end names, results and their chaining merge. */
#include <string.h>

#include "../common/check.h"
#include "cni/cni.h"
#include "core/names.h"

static int parse(const char *s, CniConfig *c, CniError *e)
{
	return cni_config_parse(s, strlen(s), c, e);
}

/* The code a config is refused with, and its message contains want. */
static void refused(const char *s, int code, const char *want)
{
	CniConfig c;
	CniError e = { 0 };

	CHECK(parse(s, &c, &e) < 0, "accepted: %s", s);
	CHECK(e.code == code, "%s: code %d, want %d (%s)", s, e.code, code, e.msg);
	CHECK(strstr(e.msg, want), "%s: message \"%s\" lacks \"%s\"", s, e.msg, want);
	cni_config_free(&c);
}

static void test_config(void)
{
	CniConfig c;
	CniError e = { 0 };

	current_test = "config";
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"nsring\","
		    "\"isDefaultGateway\":true,\"mtu\":1400,\"ipam\":{\"type\":\"host-local\"}}",
		    &c, &e) == 0,
	      "%s", e.msg);
	CHECK_STREQ(c.bridge, "cni0");
	CHECK_STREQ(c.socket, "/run/nsring/nsring.sock");
	CHECK(c.mode == CNI_MODE_BRIDGE && c.is_gateway && c.mtu == 1400 && !c.host_ns);
	CHECK_STREQ(c.ipam_type, "host-local");
	cni_config_free(&c);

	CHECK(parse("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"nsring\",\"mode\":\"ptp\","
		    "\"hostNamespace\":\"/run/netns/h\",\"socket\":\"/tmp/s\",\"vlan\":7}",
		    &c, &e) == 0,
	      "%s", e.msg);
	CHECK(c.mode == CNI_MODE_PTP && c.vlan == 7 && !c.ipam);
	CHECK_STREQ(c.host_ns, "/run/netns/h");
	CHECK_STREQ(c.socket, "/tmp/s");
	cni_config_free(&c);

	refused("{\"cniVersion\":\"1.0.0\",", CNI_ERR_DECODE, "failed to decode");
	refused("[1]", CNI_ERR_DECODE, "not a JSON object");
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"a\",\"name\":\"b\",\"type\":\"t\"}",
		CNI_ERR_DECODE, "duplicate");
	refused("{\"cniVersion\":\"2.0.0\",\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_VERSION,
		"2.0.0");
	refused("{\"name\":\"n\",\"type\":\"t\"}", CNI_ERR_CONFIG, "cniVersion");
	refused("{\"cniVersion\":\"1.0.0\",\"type\":\"t\"}", CNI_ERR_CONFIG, "name");
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"mtu\":\"9000\"}",
		CNI_ERR_CONFIG, "\"mtu\"");
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"mtu\":10}", CNI_ERR_CONFIG,
		"below 68");
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"vlan\":4095}",
		CNI_ERR_CONFIG, "\"vlan\"");
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"hairpinMode\":1}",
		CNI_ERR_CONFIG, "hairpinMode");
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"mode\":\"macvlan\"}",
		CNI_ERR_CONFIG, "macvlan");
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"bridge\":\"a/b\"}",
		CNI_ERR_CONFIG, "bridge");
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"hostNamespace\":\"x\"}",
		CNI_ERR_CONFIG, "absolute");
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":{}}",
		CNI_ERR_CONFIG, "ipam.type");
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"ipam\":{\"type\":\"../x\"}}",
		CNI_ERR_CONFIG, "not a path");
	CHECK(cni_version_cmp("1.0.0", "0.4.0") > 0 && cni_version_cmp("0.3.1", "0.4.0") < 0 &&
	      cni_version_cmp("1.1.0", "1.1.0") == 0);
}

static void test_prefix(void)
{
	char addr[CNI_ADDR_MAX], net[CNI_ADDR_MAX], first[CNI_ADDR_MAX];
	unsigned plen;
	int family;

	current_test = "prefix";
	CHECK(cni_parse_prefix("198.18.3.4/16", &family, addr, &plen) == 0);
	CHECK(family == 4 && plen == 16);
	CHECK_STREQ(addr, "198.18.3.4");
	CHECK(cni_parse_prefix("2001:DB8:0::5/64", &family, addr, &plen) == 0 && family == 6);
	CHECK_STREQ(addr, "2001:db8::5");
	CHECK(cni_parse_prefix("198.18.0.1/33", &family, addr, &plen) < 0);
	CHECK(cni_parse_prefix("198.18.0.1", &family, addr, &plen) < 0);
	CHECK(cni_parse_prefix("198.18.0.1/-1", &family, addr, &plen) < 0);
	CHECK(cni_parse_prefix("198.18.0.1/", &family, addr, &plen) < 0);
	CHECK(cni_net_first(4, "198.18.3.4", 16, net, first) == 0);
	CHECK_STREQ(net, "198.18.0.0");
	CHECK_STREQ(first, "198.18.0.1");
	CHECK(cni_net_first(4, "198.18.3.130", 25, net, first) == 0);
	CHECK_STREQ(net, "198.18.3.128");
	CHECK(cni_net_first(6, "2001:db8::ff", 120, net, first) == 0);
	CHECK_STREQ(first, "2001:db8::1");
}

static void test_host_ifname(void)
{
	char a[16], b[16], c[16];

	current_test = "host_ifname";
	cni_host_ifname("net", "ctr1", "eth0", a);
	cni_host_ifname("net", "ctr1", "eth0", b);
	cni_host_ifname("net", "ctr1", "eth1", c);
	CHECK_STREQ(a, b);
	CHECK(strcmp(a, c) != 0);
	CHECK(strlen(a) == 15 && !strncmp(a, "nsr", 3) && name_ifname_valid(a));
	cni_host_ifname("ne", "tctr1", "eth0", c);
	CHECK(strcmp(a, c) != 0, "the parts are separated");
}

static void test_result(void)
{
	CniConfig c;
	CniError e = { 0 };
	CniIpam ip;
	CniIface ifs[2] = { { .name = "br0", .mac = "02:00:00:00:00:01" },
			    { .name = "eth0", .sandbox = "/run/netns/c" } };
	json_t *doc, *prev;
	char *s;

	current_test = "result";
	CHECK(parse("{\"cniVersion\":\"0.3.1\",\"name\":\"n\",\"type\":\"t\"}", &c, &e) == 0);
	prev = json_loads("{\"ips\":[{\"address\":\"198.18.0.2/24\",\"gateway\":\"198.18.0.1\"}],"
			  "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"2001:db8::/32\","
			  "\"gw\":\"2001:db8::1\"}],\"dns\":{\"nameservers\":[\"198.18.0.53\"]}}",
			  0, NULL);
	CHECK(cni_ipam_from_json(prev, &ip, &e) == 0, "%s", e.msg);
	CHECK(ip.n_ips == 1 && ip.n_routes == 2 && ip.routes[1].family == 6 && ip.dns);
	CHECK_STREQ(ip.ips[0].gw, "198.18.0.1");
	doc = cni_result_build(&c, ifs, 2, 1, &ip, ip.routes, ip.n_routes);
	s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	/* 0.3.x results carry the IP version; dns from IPAM when the config has none */
	CHECK(strstr(s, "{\"address\":\"198.18.0.2/24\",\"gateway\":\"198.18.0.1\","
			"\"interface\":1,\"version\":\"4\"}"),
	      "%s", s);
	CHECK(strstr(s, "\"dns\":{\"nameservers\":[\"198.18.0.53\"]}"), "%s", s);
	CHECK(strstr(s, "{\"name\":\"eth0\",\"sandbox\":\"/run/netns/c\"}"), "%s", s);
	free(s);
	/* chaining: a previous result's interface and ip first, ours shifted past them */
	CHECK(cni_result_merge_prev(json_pack("{s:[{s:s}],s:[{s:s,s:i}]}", "interfaces", "name",
					      "lo", "ips", "address", "198.18.9.9/32", "interface",
					      0),
				    doc) == 0);
	CHECK_EQ(json_array_size(json_object_get(doc, "interfaces")), 3);
	CHECK_STREQ(json_string_value(json_object_get(
			    json_array_get(json_object_get(doc, "interfaces"), 0), "name")),
		    "lo");
	CHECK_EQ(json_integer_value(json_object_get(json_array_get(json_object_get(doc, "ips"), 1),
						    "interface")),
		 2);
	json_decref(doc);
	json_decref(prev);
	cni_ipam_free(&ip);
	cni_config_free(&c);

	prev = json_loads("{\"ips\":[{\"address\":\"198.18.0.2\"}]}", 0, NULL);
	CHECK(cni_ipam_from_json(prev, &ip, &e) < 0 && e.code == CNI_ERR_DECODE);
	json_decref(prev);
}

int main(void)
{
	test_config();
	test_prefix();
	test_host_ifname();
	test_result();
	return 0;
}
