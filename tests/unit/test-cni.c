/* Unit tests of nsring-cni's pure parts: the network config (defaults, validation and the
 * spec's error codes), address prefixes, host end names, results and their chaining merge, and
 * the Batch an ADD sends (built, not sent). */
#include <string.h>

#include "../common/check.h"
#include "cni/cni-batch.h"
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
	refused("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\",\"hairpinMode\":true,"
		"\"promiscMode\":true}",
		CNI_ERR_CONFIG, "hairpinMode and promiscMode cannot both be true");
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
	json_t *doc, *prev, *prev2;
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
	prev2 = json_pack("{s:[{s:s}],s:[{s:s,s:i}]}", "interfaces", "name", "lo", "ips", "address",
			  "198.18.9.9/32", "interface", 0);
	CHECK(cni_result_merge_prev(prev2, doc) == 0);
	json_decref(prev2); /* borrowed by the merge */
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

/* The op at i is a SetSysctl of key=value with ensure, in the namespace at path (NULL: the
 * daemon's own). */
static void check_sysctl(CniBatch *b, size_t i, const char *path, const char *key,
			 const char *value)
{
	Nsring__V1__SetSysctlRequest *r;

	CHECK(i < b->n && b->ops[i]->op_case == NSRING__V1__BATCH_OP__OP_SET_SYSCTL,
	      "op %zu is not SetSysctl %s", i, key);
	r = b->ops[i]->set_sysctl;
	CHECK(r->ensure && r->n_sysctls == 1);
	CHECK_STREQ(r->sysctls[0]->key, key);
	CHECK_STREQ(r->sysctls[0]->value, value);
	if (path)
		CHECK(r->namespace_ && r->namespace_->ref_case == NSRING__V1__NAMESPACE_REF__REF_PATH &&
		      strcmp(r->namespace_->path, path) == 0);
	else
		CHECK(!r->namespace_);
}

/* Index of the first op of this case at or after from (b->n if none). */
static size_t find_op(CniBatch *b, size_t from, int op_case)
{
	while (from < b->n && (int)b->ops[from]->op_case != op_case)
		from++;
	return from;
}

static void set_ip(CniIp *ip, int family, const char *addr, unsigned plen, const char *gw)
{
	ip->family = family;
	strcpy(ip->addr, addr);
	ip->plen = plen;
	strcpy(ip->gw, gw);
}

static void test_add_batch(void)
{
	static const char H[] = "/run/netns/h", Cn[] = "/run/netns/c";
	CniEnv env = { .command = "ADD", .container_id = "ctr1", .netns = Cn, .ifname = "eth0" };
	CniConfig c;
	CniError e = { 0 };
	CniIpam ip = { 0 };
	CniCtx ctx = { .cfg = &c, .env = &env };
	char host_if[16];
	int idx[3];
	size_t i, veth, addr;

	current_test = "add-batch";
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"nsring\",\"bridge\":\"br9\","
		    "\"isGateway\":true,\"hairpinMode\":true,\"vlan\":10,"
		    "\"hostNamespace\":\"/run/netns/h\",\"ipam\":{\"type\":\"host-local\"}}",
		    &c, &e) == 0,
	      "%s", e.msg);
	set_ip(&ip.ips[ip.n_ips++], 4, "198.18.0.2", 24, "198.18.0.1");
	set_ip(&ip.ips[ip.n_ips++], 6, "2001:db8::2", 64, "2001:db8::1");
	cni_host_ifname(c.name, env.container_id, env.ifname, host_if);
	{
		_cleanup_(cni_batch_free) CniBatch b = { 0 };
		Nsring__V1__UpdateLinkRequest *u;
		Nsring__V1__UpdateBridgePortRequest *p;
		Nsring__V1__CreateBridgeVlanRequest *v;

		cni_add_ops(&ctx, &b, &ip, NULL, 0, host_if, idx);
		CHECK(!b.oom && b.n > 0);
		/* The bridge first, then VLAN filtering on it (ensure). */
		CHECK(b.ops[0]->op_case == NSRING__V1__BATCH_OP__OP_CREATE_LINK);
		CHECK_STREQ(b.ops[0]->create_link->link->name, "br9");
		i = find_op(&b, 0, NSRING__V1__BATCH_OP__OP_UPDATE_LINK); /* set up */
		i = find_op(&b, i + 1, NSRING__V1__BATCH_OP__OP_UPDATE_LINK);
		CHECK(i < b.n, "no vlan_filtering op");
		u = b.ops[i]->update_link;
		CHECK_STREQ(u->name, "br9");
		CHECK_STREQ(u->namespace_->path, H);
		CHECK(u->bridge && u->ensure &&
		      u->bridge->set_vlan_filtering_case ==
			      NSRING__V1__BRIDGE__SET_VLAN_FILTERING_VLAN_FILTERING &&
		      u->bridge->vlan_filtering);
		CHECK(u->set_promisc_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_PROMISC__NOT_SET);
		CHECK(u->set_up_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_UP__NOT_SET);
		veth = find_op(&b, 0, NSRING__V1__BATCH_OP__OP_CREATE_BRIDGE_VLAN);
		CHECK(i < veth && veth < b.n, "vlan filtering must come before the port VLAN");
		/* isGateway: forwarding in the host namespace for both families, never in the
		 * daemon's own. */
		i = find_op(&b, 0, NSRING__V1__BATCH_OP__OP_SET_SYSCTL);
		check_sysctl(&b, i, H, "net.ipv4.ip_forward", "1");
		check_sysctl(&b, i + 1, H, "net.ipv6.conf.all.forwarding", "1");
		/* The veth enslaved to br9, then hairpin and the PVID on its host end. */
		veth = find_op(&b, 0, NSRING__V1__BATCH_OP__OP_CREATE_LINK);
		veth = find_op(&b, veth + 1, NSRING__V1__BATCH_OP__OP_CREATE_LINK);
		CHECK(veth < b.n && b.ops[veth]->create_link->link->veth);
		CHECK_STREQ(b.ops[veth]->create_link->master, "br9");
		CHECK_STREQ(b.ops[veth]->create_link->link->name, host_if);
		i = find_op(&b, 0, NSRING__V1__BATCH_OP__OP_UPDATE_BRIDGE_PORT);
		CHECK(i > veth && i < b.n);
		p = b.ops[i]->update_bridge_port;
		CHECK_STREQ(p->name, host_if);
		CHECK_STREQ(p->namespace_->path, H);
		CHECK(p->ensure && p->port &&
		      p->port->set_hairpin_case == NSRING__V1__BRIDGE_PORT__SET_HAIRPIN_HAIRPIN &&
		      p->port->hairpin);
		CHECK(p->port->set_learning_case == NSRING__V1__BRIDGE_PORT__SET_LEARNING__NOT_SET);
		i = find_op(&b, 0, NSRING__V1__BATCH_OP__OP_CREATE_BRIDGE_VLAN);
		CHECK(i > veth && i < b.n);
		v = b.ops[i]->create_bridge_vlan;
		CHECK_STREQ(v->dev, host_if);
		CHECK_STREQ(v->namespace_->path, H);
		CHECK(v->ensure && v->vlan && v->vlan->vid == 10 && v->vlan->vid_end == 0 &&
		      v->vlan->pvid && v->vlan->untagged &&
		      v->target == NSRING__V1__BRIDGE_VLAN_TARGET__BRIDGE_VLAN_TARGET_UNSPECIFIED);
		/* Inside: arp_notify and (an IPv6 address is there) no DAD, before the addresses. */
		i = find_op(&b, veth, NSRING__V1__BATCH_OP__OP_SET_SYSCTL);
		check_sysctl(&b, i, Cn, "net/ipv4/conf/eth0/arp_notify", "1");
		check_sysctl(&b, i + 1, Cn, "net/ipv6/conf/eth0/accept_dad", "0");
		addr = find_op(&b, veth, NSRING__V1__BATCH_OP__OP_CREATE_ADDRESS);
		CHECK(addr < b.n && addr > i + 1, "accept_dad must be set before the addresses");
		CHECK(find_op(&b, i + 2, NSRING__V1__BATCH_OP__OP_SET_SYSCTL) == b.n);
		CHECK(idx[0] >= 0 && idx[1] > idx[0] && idx[2] > idx[1]);
	}
	/* promiscMode: UpdateLink promisc on the bridge (ensure), and no hairpin. */
	cni_config_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"nsring\",\"bridge\":\"br9\","
		    "\"promiscMode\":true,\"ipam\":{\"type\":\"host-local\"}}",
		    &c, &e) == 0,
	      "%s", e.msg);
	{
		_cleanup_(cni_batch_free) CniBatch b = { 0 };
		Nsring__V1__UpdateLinkRequest *u;

		cni_add_ops(&ctx, &b, &ip, NULL, 0, host_if, idx);
		i = find_op(&b, 0, NSRING__V1__BATCH_OP__OP_UPDATE_LINK); /* set up */
		i = find_op(&b, i + 1, NSRING__V1__BATCH_OP__OP_UPDATE_LINK);
		CHECK(i < b.n, "no promisc op");
		u = b.ops[i]->update_link;
		CHECK_STREQ(u->name, "br9");
		CHECK(u->set_promisc_case == NSRING__V1__UPDATE_LINK_REQUEST__SET_PROMISC_PROMISC &&
		      u->promisc && u->ensure && !u->bridge);
		CHECK(find_op(&b, 0, NSRING__V1__BATCH_OP__OP_UPDATE_BRIDGE_PORT) == b.n);
		/* isGateway false: no forwarding; IPv6 address: accept_dad 0. */
		i = find_op(&b, 0, NSRING__V1__BATCH_OP__OP_SET_SYSCTL);
		check_sysctl(&b, i, Cn, "net/ipv4/conf/eth0/arp_notify", "1");
		check_sysctl(&b, i + 1, Cn, "net/ipv6/conf/eth0/accept_dad", "0");
	}
	/* Without the keys, none of their ops; IPv4 only: no accept_dad, no IPv6 forwarding;
	 * no isGateway: no forwarding at all. */
	cni_config_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"nsring\","
		    "\"ipam\":{\"type\":\"host-local\"}}",
		    &c, &e) == 0,
	      "%s", e.msg);
	ip.n_ips = 1;
	ip.ips[0].gw[0] = 0;
	{
		_cleanup_(cni_batch_free) CniBatch b = { 0 };

		cni_add_ops(&ctx, &b, &ip, NULL, 0, host_if, idx);
		CHECK(find_op(&b, 0, NSRING__V1__BATCH_OP__OP_UPDATE_BRIDGE_PORT) == b.n);
		CHECK(find_op(&b, 0, NSRING__V1__BATCH_OP__OP_CREATE_BRIDGE_VLAN) == b.n);
		for (i = 0; i < b.n; i++)
			if (b.ops[i]->op_case == NSRING__V1__BATCH_OP__OP_UPDATE_LINK)
				CHECK(!b.ops[i]->update_link->bridge &&
				      !b.ops[i]->update_link->set_promisc_case);
		i = find_op(&b, 0, NSRING__V1__BATCH_OP__OP_SET_SYSCTL);
		check_sysctl(&b, i, Cn, "net/ipv4/conf/eth0/arp_notify", "1");
		CHECK(find_op(&b, i + 1, NSRING__V1__BATCH_OP__OP_SET_SYSCTL) == b.n);
	}
	/* ptp: forwarding on the host side for the family it routes, as the standard ptp
	 * plugin. */
	cni_config_free(&c);
	CHECK(parse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"nsring\",\"mode\":\"ptp\","
		    "\"ipam\":{\"type\":\"host-local\"}}",
		    &c, &e) == 0,
	      "%s", e.msg);
	strcpy(ip.ips[0].gw, "198.18.0.1");
	{
		_cleanup_(cni_batch_free) CniBatch b = { 0 };

		cni_add_ops(&ctx, &b, &ip, NULL, 0, host_if, idx);
		i = find_op(&b, 0, NSRING__V1__BATCH_OP__OP_SET_SYSCTL);
		check_sysctl(&b, i, NULL, "net.ipv4.ip_forward", "1");
		CHECK(find_op(&b, i + 1, NSRING__V1__BATCH_OP__OP_SET_SYSCTL) == b.n);
		CHECK(idx[0] == -1);
	}
	cni_config_free(&c);
}

int main(void)
{
	test_config();
	test_prefix();
	test_host_ifname();
	test_result();
	test_add_batch();
	return 0;
}
