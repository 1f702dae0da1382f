/* nsringctl without a daemon: every grammar form (argv -> method and request, compared as
 * compact JSON), the usage errors, and the text and JSON printers on constructed responses.
 * With --emit-json it prints the printers' JSON documents, one per line, for a real parser. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/check.h"
#include "core/names.h"
#include "nsring/v1/nsring.pb-c.h"
#include "tools/ctl-json.h"
#include "tools/ctl.h"

static FILE *emit; /* --emit-json: where the JSON documents go */

/* ---------------------------------------------------------------- a small JSON checker */

static const char *json_ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

static const char *json_value(const char *s, int depth);

static const char *json_str(const char *s)
{
	if (*s++ != '"')
		return NULL;
	while (*s != '"') {
		if ((unsigned char)*s < 0x20)
			return NULL; /* includes the terminating NUL */
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
						return NULL;
				s += 4;
			} else if (!*s || !strchr("\"\\/bfnrt", *s)) {
				return NULL;
			}
		}
		s++;
	}
	return s + 1;
}

static const char *json_num(const char *s)
{
	const char *start;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return NULL;
	if (*s == '.') {
		start = ++s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == start)
			return NULL;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		start = s;
		while (*s >= '0' && *s <= '9')
			s++;
		if (s == start)
			return NULL;
	}
	return s;
}

static const char *json_value(const char *s, int depth)
{
	if (depth > 64)
		return NULL;
	s = json_ws(s);
	if (*s == '{' || *s == '[') {
		char close = *s == '{' ? '}' : ']';

		s = json_ws(s + 1);
		if (*s == close)
			return s + 1;
		for (;;) {
			if (close == '}') {
				s = json_str(json_ws(s));
				if (!s)
					return NULL;
				s = json_ws(s);
				if (*s++ != ':')
					return NULL;
			}
			s = json_value(s, depth + 1);
			if (!s)
				return NULL;
			s = json_ws(s);
			if (*s == close)
				return s + 1;
			if (*s++ != ',')
				return NULL;
		}
	}
	if (*s == '"')
		return json_str(s);
	if (strncmp(s, "true", 4) == 0)
		return s + 4;
	if (strncmp(s, "false", 5) == 0)
		return s + 5;
	if (strncmp(s, "null", 4) == 0)
		return s + 4;
	return json_num(s);
}

static bool json_valid(const char *s)
{
	s = json_value(s, 0);
	return s && *json_ws(s) == '\0';
}

/* ---------------------------------------------------------------- grammar */

typedef struct Case {
	const char *args; /* split at spaces; argv[0] is added */
	int ret;	  /* CTL_PARSE_OK, CTL_PARSE_HELP or -EINVAL */
	const char *method;
	/* ret 0: the request as compact JSON without defaults, with ' for ";
	 * ret < 0: a substring of the error message. */
	const char *expect;
} Case;

/* clang-format off */
#define OK(a, m, j) { a, CTL_PARSE_OK, m, j }
#define BAD(a, e) { a, -EINVAL, NULL, e }
#define HELP(a) { a, CTL_PARSE_HELP, NULL, NULL }
/* clang-format on */

static const Case cases[] = {
	/* netns */
	OK("netns add blue", "CreateNamespace", "{'name':'blue'}"),
	OK("netns del blue", "DeleteNamespace", "{'name':'blue'}"),
	OK("netns delete blue", "DeleteNamespace", "{'name':'blue'}"),
	OK("netns list", "ListNamespaces", "{}"),
	OK("netns ls", "ListNamespaces", "{}"),
	OK("netns show", "ListNamespaces", "{}"),
	OK("netns", "ListNamespaces", "{}"),
	OK("n", "ListNamespaces", "{}"),
	OK("net l", "ListNamespaces", "{}"),
	OK("-n blue netns add red", "CreateNamespace", "{'name':'red'}"),
	BAD("netns add", "needs a NAME"),
	BAD("netns add a/b", "not a valid namespace name"),
	BAD("netns add ..", "not a valid namespace name"),
	BAD("netns list extra", "unknown argument extra"),
	BAD("netns add blue red", "unknown argument red"),
	BAD("netns frob", "unknown argument frob"),
	HELP("netns help"),
	OK("netns add r sysctl net.ipv4.ip_forward=1 net.ipv6.conf.all.disable_ipv6=1",
	   "CreateNamespace",
	   "{'name':'r','sysctls':[{'key':'net.ipv4.ip_forward','value':'1'},"
	   "{'key':'net.ipv6.conf.all.disable_ipv6','value':'1'}]}"),
	BAD("netns add r sysctl", "needs KEY=VALUE"),
	BAD("netns add r sysctl net.ipv4.ip_forward", "is not KEY=VALUE"),

	/* sysctl */
	OK("sysctl net.ipv4.ip_forward", "GetSysctl", "{'keys':['net.ipv4.ip_forward']}"),
	OK("-n r sysctl net.ipv4.ip_forward net/ipv6/conf/all/forwarding", "GetSysctl",
	   "{'namespace':{'name':'r'},'keys':['net.ipv4.ip_forward','net/ipv6/conf/all/forwarding']}"),
	OK("-n r sysctl -w net.ipv4.ip_forward=1 net.ipv4.conf.eth0.rp_filter=2", "SetSysctl",
	   "{'namespace':{'name':'r'},'sysctls':[{'key':'net.ipv4.ip_forward','value':'1'},"
	   "{'key':'net.ipv4.conf.eth0.rp_filter','value':'2'}]}"),
	OK("s -w net.ipv4.ip_forward=1", "SetSysctl",
	   "{'sysctls':[{'key':'net.ipv4.ip_forward','value':'1'}]}"),
	BAD("sysctl", "needs a KEY"),
	BAD("sysctl -w", "needs KEY=VALUE"),
	BAD("sysctl -w net.ipv4.ip_forward", "is not KEY=VALUE"),
	BAD("sysctl -w =1", "is not KEY=VALUE"),
	BAD("sysctl -w net.ipv4.ip_forward=", "key and value are required"),
	BAD("sysctl net.ipv4.ip_forward=1", "use sysctl -w"),
	BAD("sysctl -a", "unknown sysctl option"),
	HELP("sysctl help"),

	/* link add */
	OK("link add v0 type veth peer name v1", "CreateLink",
	   "{'link':{'name':'v0','veth':{'peer_name':'v1'}}}"),
	OK("-n blue link add v0 type veth peer name v1 netns red", "CreateLink",
	   "{'namespace':{'name':'blue'},'link':{'name':'v0','veth':{'peer_name':'v1',"
	   "'peer_namespace':{'name':'red'}}}}"),
	OK("link add v0 type veth peer v1 netns /proc/1/ns/net", "CreateLink",
	   "{'link':{'name':'v0','veth':{'peer_name':'v1','peer_namespace':{'path':'/proc/1/ns/"
	   "net'}}}}"),
	OK("link add v0 type veth peer name v1 netns pid:1234", "CreateLink",
	   "{'link':{'name':'v0','veth':{'peer_name':'v1','peer_namespace':{'pid':1234}}}}"),
	OK("link add name v0 mtu 1400 address 02:00:00:00:00:01 group 7 master br0 up type veth "
	   "peer name v1",
	   "CreateLink",
	   "{'link':{'name':'v0','up':true,'mtu':1400,'address':'02:00:00:00:00:01','group':7,"
	   "'veth':{'peer_name':'v1'}},'master':'br0'}"),
	OK("l a dev v0 type veth peer name v1", "CreateLink",
	   "{'link':{'name':'v0','veth':{'peer_name':'v1'}}}"),
	OK("link add br0 type bridge", "CreateLink", "{'link':{'name':'br0','bridge':{}}}"),
	OK("link add br0 type bridge mtu 9000 up", "CreateLink",
	   "{'link':{'name':'br0','up':true,'mtu':9000,'bridge':{}}}"),
	OK("link add vx0 type vxlan id 42 dstport 4789 local 198.18.0.1 remote 198.18.0.2 dev eth0",
	   "CreateLink",
	   "{'link':{'name':'vx0','vxlan':{'vni':42,'port':4789,'local':'198.18.0.1',"
	   "'remote':'198.18.0.2','dev':'eth0'}}}"),
	OK("link add vx0 group 3 type vxlan vni 16777215 group 2001:db8::1 dev eth0", "CreateLink",
	   "{'link':{'name':'vx0','group':3,'vxlan':{'vni':16777215,'group':'2001:db8::1',"
	   "'dev':'eth0'}}}"),
	OK("link add mv0 link eth0 type macvlan mode bridge", "CreateLink",
	   "{'link':{'name':'mv0','macvlan':{'parent':'eth0','mode':'MACVLAN_MODE_BRIDGE'}}}"),
	OK("link add mv0 link eth0 type macvlan mode private", "CreateLink",
	   "{'link':{'name':'mv0','macvlan':{'parent':'eth0','mode':'MACVLAN_MODE_PRIVATE'}}}"),
	OK("link add mv0 link eth0 type macvlan mode vepa", "CreateLink",
	   "{'link':{'name':'mv0','macvlan':{'parent':'eth0','mode':'MACVLAN_MODE_VEPA'}}}"),
	OK("link add mv0 link eth0 type macvlan mode passthru", "CreateLink",
	   "{'link':{'name':'mv0','macvlan':{'parent':'eth0','mode':'MACVLAN_MODE_PASSTHRU'}}}"),
	OK("link add mv0 link eth0 type macvlan mode source", "CreateLink",
	   "{'link':{'name':'mv0','macvlan':{'parent':'eth0','mode':'MACVLAN_MODE_SOURCE'}}}"),
	OK("link add mv0 link eth0 type macvlan", "CreateLink",
	   "{'link':{'name':'mv0','macvlan':{'parent':'eth0'}}}"),
	OK("link add ifb0 type ifb", "CreateLink", "{'link':{'name':'ifb0','ifb':{}}}"),
	OK("link add d0 type dummy group default", "CreateLink",
	   "{'link':{'name':'d0','dummy':{}}}"),
	OK("-n pid:77 link add d0 address 2:0:AB:cd:0:1 type dummy", "CreateLink",
	   "{'namespace':{'pid':77},'link':{'name':'d0','address':'02:00:ab:cd:00:01','dummy':{}}"
	   "}"),
	OK("link add link eth0 name v10 type vlan id 10 protocol 802.1ad", "CreateLink",
	   "{'link':{'name':'v10','vlan':{'parent':'eth0','id':10,'protocol':'802.1ad'}}}"),
	OK("link add vrf1 type vrf table 10", "CreateLink",
	   "{'link':{'name':'vrf1','vrf':{'table':10}}}"),
	OK("link add b0 type bond mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4",
	   "CreateLink",
	   "{'link':{'name':'b0','bond':{'mode':'802.3ad','miimon':100,'lacp_rate':'fast',"
	   "'xmit_hash_policy':'layer3+4'}}}"),
	OK("link add iv0 link eth0 type ipvlan mode l3s", "CreateLink",
	   "{'link':{'name':'iv0','ipvlan':{'parent':'eth0','mode':'l3s'}}}"),
	OK("link add mt0 link eth0 type macvtap mode bridge", "CreateLink",
	   "{'link':{'name':'mt0','macvtap':{'parent':'eth0','mode':'bridge'}}}"),
	OK("link add gn0 type geneve id 7 remote 198.18.0.2 dstport 6082 ttl 9", "CreateLink",
	   "{'link':{'name':'gn0','geneve':{'id':7,'remote':'198.18.0.2','port':6082,'ttl':9}}}"),
	OK("link add g0 type gre local 198.18.0.1 remote 198.18.0.2 ttl 64 key 5 dev eth0",
	   "CreateLink",
	   "{'link':{'name':'g0','gre':{'local':'198.18.0.1','remote':'198.18.0.2','ttl':64,"
	   "'ikey':5,'okey':5,'dev':'eth0'}}}"),
	OK("link add g6 type ip6gre remote 2001:db8::2 ikey 1 okey 2", "CreateLink",
	   "{'link':{'name':'g6','ip6gre':{'remote':'2001:db8::2','ikey':1,'okey':2}}}"),
	OK("link add s0 type sit local any remote 198.18.0.2", "CreateLink",
	   "{'link':{'name':'s0','sit':{'remote':'198.18.0.2'}}}"),
	OK("link add wg0 type wireguard", "CreateLink", "{'link':{'name':'wg0','wireguard':{}}}"),
	OK("link add t0 type tap user 0 group root multi_queue vnet_hdr", "CreateLink",
	   "{'link':{'name':'t0','tun':{'tap':true,'owner':0,'group':0,'multi_queue':true,"
	   "'persistent':true,'vnet_hdr':true}}}"),
	OK("link add t1 type tun pi", "CreateLink",
	   "{'link':{'name':'t1','tun':{'persistent':true,'pi':true}}}"),
	OK("link add br0 type bridge vlan_filtering 1 vlan_protocol 802.1Q vlan_default_pvid 0 "
	   "stp_state 1 ageing_time 3000 forward_delay 400 mcast_snooping 0",
	   "CreateLink",
	   "{'link':{'name':'br0','bridge':{'vlan_filtering':true,'vlan_protocol':'802.1Q',"
	   "'default_pvid':0,'stp_state':1,'ageing_time':3000,'forward_delay':400,"
	   "'mcast_snooping':false}}}"),
	OK("link add d0 alias hello txqueuelen 500 promisc on allmulticast off multicast on arp off "
	   "addrgenmode none type dummy",
	   "CreateLink",
	   "{'link':{'name':'d0','alias':'hello','txqlen':500,'promisc':true,'allmulti':false,"
	   "'multicast':true,'arp':false,'dummy':{},'addr_gen_mode':'none'}}"),
	OK("link set d0 alias x txqlen 10 promisc off arp on addrgenmode random", "UpdateLink",
	   "{'name':'d0','alias':'x','txqlen':10,'promisc':false,'arp':true,"
	   "'addr_gen_mode':'random'}"),
	OK("link set br0 type bridge vlan_filtering 0 ageing_time 100", "UpdateLink",
	   "{'name':'br0','bridge':{'vlan_filtering':false,'ageing_time':100}}"),
	OK("-s link show", "ListLinks", "{'stats':true}"),
	OK("-s -d link show dev d0", "GetLink", "{'name':'d0','stats':true}"),
	OK("bridge link set dev p1 hairpin on isolated off cost 5 priority 3", "UpdateBridgePort",
	   "{'name':'p1','port':{'hairpin':true,'isolated':false,'cost':5,'priority':3}}"),
	OK("bridge link show", "ListLinks", "{}"),
	OK("bridge vlan add dev p1 vid 10 pvid untagged master", "CreateBridgeVlan",
	   "{'dev':'p1','vlan':{'vid':10,'pvid':true,'untagged':true},"
	   "'target':'BRIDGE_VLAN_TARGET_MASTER'}"),
	OK("bridge vlan del dev p1 vid 10-20 self", "DeleteBridgeVlan",
	   "{'dev':'p1','vlan':{'vid':10,'vid_end':20},'target':'BRIDGE_VLAN_TARGET_SELF'}"),
	OK("bridge vlan show dev p1", "ListBridgeVlans", "{'dev':'p1'}"),
	OK("link add aaaaaaaaaaaaaaa type dummy", "CreateLink",
	   "{'link':{'name':'aaaaaaaaaaaaaaa','dummy':{}}}"),
	BAD("link add x type veth", "veth needs \"peer name PEER\""),
	BAD("link add x type veth peer", "veth needs \"peer name PEER\""),
	BAD("link add aaaaaaaaaaaaaaaa type dummy", "not a valid interface name"),
	BAD("link add x type veth peer name aaaaaaaaaaaaaaaa", "not a valid interface name"),
	BAD("link add x:1 type dummy", "not a valid interface name"),
	BAD("link add x type vxlan", "vxlan needs \"id VNI\""),
	BAD("link add x type vxlan id 16777216", "invalid \"id\" value"),
	BAD("link add x type vxlan id 1 remote 198.18.0.1 group 2001:db8::1", "exclusive"),
	BAD("link add x type vxlan id 1 remote nope", "not an IP address"),
	BAD("link add x type vxlan id 1 dstport 65536", "invalid \"dstport\" value"),
	BAD("link add x type macvlan", "macvlan needs \"link PARENT\""),
	BAD("link add x link eth0 type macvlan mode foo", "macvlan mode is"),
	BAD("link add x link eth0 type bridge", "only supported for macvlan"),
	BAD("link add x type netkit", "not supported"),
	BAD("link add x type vlan id 5", "vlan needs \"link PARENT\""),
	BAD("link add x link eth0 type vlan", "vlan needs \"id VLANID\""),
	BAD("link add x type vrf", "vrf needs \"table TABLE\""),
	BAD("link add x type geneve id 5", "geneve needs \"remote ADDR\""),
	BAD("link add x type gre remote nope", "takes an address"),
	BAD("link add x type bridge vlan_filtering maybe", "takes on or off"),
	BAD("link add x type dummy addrgenmode foo", "addrgenmode is"),
	BAD("link set x promisc yes", "takes on or off"),
	BAD("link set x type vxlan id 1", "only bridge options"),
	BAD("link add x type tap user nosuchuser-x", "no such user"),
	BAD("link add x type tun mode foo", "mode is tun or tap"),
	BAD("bridge link set dev p1", "nothing to change"),
	BAD("bridge link set hairpin on", "\"dev\" argument is required"),
	BAD("bridge link set dev p1 priority 64", "invalid \"priority\" value"),
	BAD("bridge vlan add dev p1", "\"vid\" argument is required"),
	BAD("bridge vlan add vid 10", "\"dev\" argument is required"),
	BAD("bridge vlan add dev p1 vid x-3", "vid is N or N-M"),
	BAD("bridge mdb show", "unknown"),
	BAD("link add x type dummy type bridge", "duplicate \"type\""),
	BAD("link add x", "\"type\" is required"),
	BAD("link add type dummy", "NAME is required"),
	BAD("link add x mtu abc type dummy", "invalid \"mtu\" value"),
	BAD("link add x mtu -1 type dummy", "invalid \"mtu\" value"),
	BAD("link add x mtu 4294967296 type dummy", "invalid \"mtu\" value"),
	BAD("link add x address zz type dummy", "not a link-layer address"),
	BAD("link add x address 02::01 type dummy", "not a link-layer address"),
	BAD("link add x address 02:001 type dummy", "not a link-layer address"),
	BAD("link add x type veth peer name y mtu 1400", "not supported"),
	BAD("link add x type dummy bogus", "unknown argument bogus"),
	BAD("link add x type bridge id 4", "unknown argument id"),
	BAD("link add x netns blue type dummy", "only supported for a veth peer"),
	BAD("link add x type veth peer name y netns a/b", "not a valid namespace"),
	BAD("link add x type veth peer name y netns pid:0", "bad pid"),
	BAD("link add x type veth peer name y netns pid:x", "bad pid"),
	BAD("link add x type dummy mtu", "\"mtu\" needs an argument"),
	BAD("link add x type veth peer name y z", "unknown argument z"),

	/* link set */
	OK("link set v0 up", "UpdateLink", "{'name':'v0','up':true}"),
	OK("link set v0 down", "UpdateLink", "{'name':'v0','up':false}"),
	OK("link set dev v0 up mtu 1400", "UpdateLink", "{'name':'v0','up':true,'mtu':1400}"),
	OK("link set up dev v0", "UpdateLink", "{'name':'v0','up':true}"),
	OK("link set v0 address 02:00:00:00:00:AA", "UpdateLink",
	   "{'name':'v0','address':'02:00:00:00:00:aa'}"),
	OK("link set v0 master br0", "UpdateLink", "{'name':'v0','master':'br0'}"),
	OK("link set v0 nomaster", "UpdateLink", "{'name':'v0','master':''}"),
	OK("link set v0 name v9", "UpdateLink", "{'name':'v0','new_name':'v9'}"),
	OK("link set v0 group 5", "UpdateLink", "{'name':'v0','group':5}"),
	OK("link set v0 group default", "UpdateLink", "{'name':'v0','group':0}"),
	OK("link set v0 netns blue", "UpdateLink", "{'name':'v0','move_to':{'name':'blue'}}"),
	OK("link set v0 netns pid:42", "UpdateLink", "{'name':'v0','move_to':{'pid':42}}"),
	OK("-n red link set v0 netns /run/netns/blue up", "UpdateLink",
	   "{'namespace':{'name':'red'},'name':'v0','up':true,'move_to':{'path':'/run/netns/"
	   "blue'}}"),
	OK("link change v0 mtu 0x500", "UpdateLink", "{'name':'v0','mtu':1280}"),
	OK("l set v0 up", "UpdateLink", "{'name':'v0','up':true}"),
	BAD("link set up", "\"dev\" argument is required"),
	BAD("link set v0 mtu x", "invalid \"mtu\" value"),
	BAD("link set v0 bogus", "unknown argument bogus"),
	BAD("link set v0 up v1", "unknown argument v1"),
	BAD("link set v0 dev v1", "duplicate \"dev\""),
	BAD("link set v0 name a/b", "not a valid interface name"),
	BAD("link set v0 netns", "\"netns\" needs an argument"),

	/* link del */
	OK("link del v0", "DeleteLink", "{'name':'v0'}"),
	OK("link delete v0", "DeleteLink", "{'name':'v0'}"),
	OK("link del dev v0", "DeleteLink", "{'name':'v0'}"),
	OK("l d v0", "DeleteLink", "{'name':'v0'}"),
	OK("-n blue link del v0 type veth", "DeleteLink",
	   "{'namespace':{'name':'blue'},'name':'v0'}"),
	BAD("link del", "\"dev\" argument is required"),
	BAD("link del v0 v1", "unknown argument v1"),

	/* link show */
	OK("link show", "ListLinks", "{}"),
	OK("link", "ListLinks", "{}"),
	OK("link list", "ListLinks", "{}"),
	OK("link ls", "ListLinks", "{}"),
	OK("link lst", "ListLinks", "{}"),
	OK("l", "ListLinks", "{}"),
	OK("l s", "ListLinks", "{}"),
	OK("link show v0", "GetLink", "{'name':'v0'}"),
	OK("link show dev v0", "GetLink", "{'name':'v0'}"),
	OK("link show type veth", "ListLinks", "{'kind':'veth'}"),
	OK("link show master br0", "ListLinks", "{'master':'br0'}"),
	OK("-n blue link show", "ListLinks", "{'namespace':{'name':'blue'}}"),
	OK("-netns blue link show", "ListLinks", "{'namespace':{'name':'blue'}}"),
	OK("--netns=/proc/7/ns/net link", "ListLinks", "{'namespace':{'path':'/proc/7/ns/net'}}"),
	BAD("link show v0 type veth", "cannot be combined"),
	BAD("link show v0 v1", "unknown argument v1"),
	BAD("link frob", "unknown argument frob"),
	HELP("link help"),

	/* addresses */
	OK("addr add 198.18.0.1/24 dev v0", "CreateAddress",
	   "{'address':{'link_name':'v0','address':'198.18.0.1','prefix_len':24}}"),
	OK("address add 2001:db8::1/64 dev v0", "CreateAddress",
	   "{'address':{'link_name':'v0','address':'2001:db8::1','prefix_len':64}}"),
	OK("a a 198.18.0.1/24 dev v0 broadcast 198.18.0.255", "CreateAddress",
	   "{'address':{'link_name':'v0','address':'198.18.0.1','prefix_len':24,"
	   "'broadcast':'198.18.0.255'}}"),
	OK("addr add 198.18.0.1/22 brd + dev v0", "CreateAddress",
	   "{'address':{'link_name':'v0','address':'198.18.0.1','prefix_len':22,"
	   "'broadcast':'198.18.3.255'}}"),
	OK("addr add 198.18.0.1 dev v0", "CreateAddress",
	   "{'address':{'link_name':'v0','address':'198.18.0.1','prefix_len':32}}"),
	OK("addr add 2001:db8::1 dev v0", "CreateAddress",
	   "{'address':{'link_name':'v0','address':'2001:db8::1','prefix_len':128}}"),
	OK("-n blue addr add local 198.18.0.1/0 dev v0", "CreateAddress",
	   "{'namespace':{'name':'blue'},'address':{'link_name':'v0','address':'198.18.0.1'}}"),
	OK("addr del 198.18.0.1/24 dev v0", "DeleteAddress",
	   "{'address':{'link_name':'v0','address':'198.18.0.1','prefix_len':24}}"),
	OK("-6 addr delete 2001:db8::1/64 dev v0", "DeleteAddress",
	   "{'address':{'link_name':'v0','address':'2001:db8::1','prefix_len':64}}"),
	BAD("addr add 198.18.0.1/33 dev x", "invalid prefix length"),
	BAD("addr add 2001:db8::1/129 dev x", "invalid prefix length"),
	BAD("addr add 198.18.0.1/ dev x", "invalid prefix length"),
	BAD("addr add 198.18.0.1/-1 dev x", "invalid prefix length"),
	BAD("addr add 198.18.0.1/24", "\"dev\" argument is required"),
	BAD("addr add dev x", "ADDRESS/PLEN is required"),
	BAD("addr add foo dev x", "not an IP address"),
	BAD("addr add 2001:db8::1/64 dev x broadcast 198.18.0.255", "only for IPv4"),
	BAD("addr add 198.18.0.1/24 dev x broadcast nope", "broadcast must be"),
	BAD("addr add 198.18.0.1/31 dev x broadcast +", "below 31"),
	BAD("-6 addr add 198.18.0.1/24 dev x", "not an IPv6 address"),
	BAD("-4 addr add 2001:db8::1/64 dev x", "not an IPv4 address"),
	BAD("addr add 198.18.0.1/24 dev x bogus", "unknown argument bogus"),
	OK("addr show", "ListAddresses", "{}"),
	OK("addr", "ListAddresses", "{}"),
	OK("a", "ListAddresses", "{}"),
	OK("addr list", "ListAddresses", "{}"),
	OK("addr ls", "ListAddresses", "{}"),
	OK("addr show dev v0", "ListAddresses", "{'link_name':'v0'}"),
	OK("addr show v0", "ListAddresses", "{'link_name':'v0'}"),
	OK("-4 addr show", "ListAddresses", "{'family':4}"),
	OK("-6 a s v0", "ListAddresses", "{'link_name':'v0','family':6}"),
	BAD("addr show v0 v1", "unknown argument v1"),
	BAD("addr frob", "unknown argument frob"),

	/* routes */
	OK("route add 198.18.1.0/24 via 198.18.0.1", "CreateRoute",
	   "{'route':{'destination':'198.18.1.0/24','family':4,'gateway':'198.18.0.1'}}"),
	OK("route add default via 198.18.0.1 dev v0 table 100 metric 10 scope global proto static "
	   "src 198.18.0.2",
	   "CreateRoute",
	   "{'route':{'family':4,'gateway':'198.18.0.1','dev':'v0','table':100,'metric':10,"
	   "'scope':0,'protocol':4,'prefsrc':'198.18.0.2'}}"),
	OK("route replace 2001:db8:1::/64 dev v0 priority 5", "CreateRoute",
	   "{'route':{'destination':'2001:db8:1::/64','family':6,'dev':'v0','metric':5},"
	   "'replace':true}"),
	OK("route del 198.18.1.0/24", "DeleteRoute",
	   "{'route':{'destination':'198.18.1.0/24','family':4}}"),
	OK("route delete default table main", "DeleteRoute", "{'route':{'family':4,'table':254}}"),
	OK("r a default dev v0 scope link", "CreateRoute",
	   "{'route':{'family':4,'dev':'v0','scope':253}}"),
	OK("ro add default via 2001:db8::1", "CreateRoute",
	   "{'route':{'family':6,'gateway':'2001:db8::1'}}"),
	OK("route add default via inet6 2001:db8::1 metric 1024", "CreateRoute",
	   "{'route':{'family':6,'gateway':'2001:db8::1','metric':1024}}"),
	OK("-6 route add default dev v0", "CreateRoute", "{'route':{'family':6,'dev':'v0'}}"),
	OK("route add 198.18.1.0/24 dev v0 table local proto 42", "CreateRoute",
	   "{'route':{'destination':'198.18.1.0/24','family':4,'dev':'v0','table':255,"
	   "'protocol':42}}"),
	OK("route add blackhole 198.18.2.0/24", "CreateRoute",
	   "{'route':{'destination':'198.18.2.0/24','family':4,'type':6}}"),
	OK("route add 198.18.1.5 dev v0 scope host proto kernel", "CreateRoute",
	   "{'route':{'destination':'198.18.1.5','family':4,'dev':'v0','scope':254,'protocol':2}}"),
	OK("route add to 198.18.1.0/24 oif v0 scope 17 proto boot", "CreateRoute",
	   "{'route':{'destination':'198.18.1.0/24','family':4,'dev':'v0','scope':17,"
	   "'protocol':3}}"),
	OK("-n blue route replace default via 198.18.0.1", "CreateRoute",
	   "{'namespace':{'name':'blue'},'route':{'family':4,'gateway':'198.18.0.1'},"
	   "'replace':true}"),
	BAD("route add 198.18.1.0/24 via 2001:db8::1", "the gateway is IPv6"),
	BAD("route add", "destination"),
	BAD("route add 198.18.1.0/33 dev v0", "invalid prefix length"),
	BAD("route add default via nope", "not an IP address"),
	BAD("route add default dev v0 scope bogus", "invalid \"scope\" value"),
	BAD("route add default dev v0 scope 256", "invalid \"scope\" value"),
	BAD("route add default dev v0 proto bogus", "invalid \"proto\" value"),
	BAD("route add default dev v0 table all", "invalid \"table\" value"),
	BAD("route add default dev v0 metric", "\"metric\" needs an argument"),
	BAD("route add 198.18.1.0/24 dev v0 bogus", "unknown argument bogus"),
	BAD("route add 198.18.1.0/24 198.18.2.0/24", "unknown argument 198.18.2.0/24"),
	BAD("-6 route add default via 198.18.0.1", "not IPv6"),
	BAD("route add 198.18.1.0/24 dev v0 src 2001:db8::1", "\"src\" is not an IPv4"),
	OK("route show", "ListRoutes", "{}"),
	OK("route", "ListRoutes", "{}"),
	OK("route list", "ListRoutes", "{}"),
	OK("route show table all", "ListRoutes", "{'table':4294967295}"),
	OK("route show table main", "ListRoutes", "{'table':254}"),
	OK("route ls table 100", "ListRoutes", "{'table':100}"),
	OK("-6 route show", "ListRoutes", "{'family':6}"),
	OK("-n pid:9 r", "ListRoutes", "{'namespace':{'pid':9}}"),
	BAD("route show dev v0", "unknown argument dev"),
	BAD("route show table", "\"table\" needs an argument"),
	BAD("route frob", "unknown argument frob"),
	/* route and address options (routing.md) */
	OK("route add 198.18.10.0/24 nexthop via 198.18.0.2 dev d0 weight 1 nexthop via "
	   "198.18.0.3 dev d1 weight 3 onlink",
	   "CreateRoute",
	   "{'route':{'destination':'198.18.10.0/24','family':4,'paths':[{'gateway':"
	   "'198.18.0.2','dev':'d0','weight':1},{'gateway':'198.18.0.3','dev':'d1','weight':3,"
	   "'onlink':true}]}}"),
	OK("route add 198.18.11.0/24 nhid 10", "CreateRoute",
	   "{'route':{'destination':'198.18.11.0/24','family':4,'nhid':10}}"),
	OK("route add 198.18.12.0/24 via 198.18.0.2 dev d0 onlink mtu 1400 src 198.18.0.1",
	   "CreateRoute",
	   "{'route':{'destination':'198.18.12.0/24','family':4,'gateway':'198.18.0.2',"
	   "'dev':'d0','prefsrc':'198.18.0.1','onlink':true,'mtu':1400}}"),
	BAD("route add 198.18.10.0/24 via 198.18.0.2 nexthop via 198.18.0.3", "each \"nexthop\""),
	BAD("route add 198.18.10.0/24 nexthop weight 2", "needs \"via\" or \"dev\""),
	BAD("route add 198.18.10.0/24 nexthop via 198.18.0.2 weight 0", "weights are 1-256"),
	BAD("route add 198.18.10.0/24 nhid 3 via 198.18.0.2", "\"nhid\" is the route's"),
	OK("route get 198.18.1.5 from 198.18.0.9 iif d0", "GetRoute",
	   "{'destination':'198.18.1.5','from':'198.18.0.9','iif':'d0'}"),
	OK("route get to 2001:db8::5 oif d0 mark 7 fibmatch", "GetRoute",
	   "{'destination':'2001:db8::5','oif':'d0','mark':7,'fib_match':true}"),
	BAD("route get 198.18.1.5 iif d0", "\"iif\" needs \"from\""),
	BAD("route get 198.18.1.5 from 2001:db8::1", "\"from\" is IPv6"),
	BAD("route get", "an address to look up"),
	OK("addr replace 198.18.0.1/24 dev d0 valid_lft 300 preferred_lft forever label d0:1",
	   "CreateAddress",
	   "{'address':{'link_name':'d0','address':'198.18.0.1','prefix_len':24,'label':'d0:1',"
	   "'valid_lft':300,'preferred_lft':4294967295},'replace':true}"),
	OK("addr add 198.18.0.1 peer 198.18.0.2/32 dev d0", "CreateAddress",
	   "{'address':{'link_name':'d0','address':'198.18.0.1','prefix_len':32,"
	   "'peer':'198.18.0.2'}}"),
	OK("addr add 2001:db8::1/64 dev d0 nodad noprefixroute", "CreateAddress",
	   "{'address':{'link_name':'d0','address':'2001:db8::1','prefix_len':64,'nodad':true,"
	   "'noprefixroute':true}}"),
	BAD("addr add 2001:db8::1/64 dev d0 label d0:1", "only for IPv4"),
	BAD("addr add 198.18.0.1/24 dev d0 peer 2001:db8::2", "not of the address's family"),
	BAD("addr add 198.18.0.1/24 dev d0 valid_lft soon", "seconds or"),

	/* rule */
	OK("rule add from 198.18.1.0/24 table 100 priority 1000", "CreateRule",
	   "{'rule':{'family':4,'priority':1000,'from':'198.18.1.0/24','table':100,"
	   "'action':'RULE_ACTION_TABLE'}}"),
	OK("-n red ru add not to 2001:db8::/32 fwmark 0x10/0xff iif d0 oif d1 ipproto tcp "
	   "sport 1000-2000 dport 80 lookup main suppress_prefixlength 0 pref 5",
	   "CreateRule",
	   "{'namespace':{'name':'red'},'rule':{'family':6,'priority':5,'to':'2001:db8::/32',"
	   "'iif':'d0','oif':'d1','fwmark':16,'fwmask':255,'table':254,"
	   "'action':'RULE_ACTION_TABLE','ipproto':6,'sport':{'start':1000,'end':2000},"
	   "'dport':{'start':80,'end':80},'suppress_prefixlength':0,'invert':true}}"),
	OK("rule add pref 10 goto 20", "CreateRule",
	   "{'rule':{'family':4,'priority':10,'action':'RULE_ACTION_GOTO','goto_priority':20}}"),
	OK("rule add from all type blackhole pref 3", "CreateRule",
	   "{'rule':{'family':4,'priority':3,'action':'RULE_ACTION_BLACKHOLE'}}"),
	OK("rule add l3mdev pref 1000", "CreateRule",
	   "{'rule':{'family':4,'priority':1000,'l3mdev':true}}"),
	OK("rule del pref 1000", "DeleteRule", "{'rule':{'family':4,'priority':1000}}"),
	OK("-6 rule show", "ListRules", "{'family':6}"),
	OK("rule", "ListRules", "{'family':4}"),
	BAD("rule add from 198.18.1.0/24 table 100 blackhole", "not both"),
	BAD("rule add from 198.18.1.0/24 table nosuch", "invalid \"table\" value"),
	BAD("rule add from 198.18.1.0/24", "\"table\" (or l3mdev"),
	BAD("rule add from 198.18.1.0/24 to 2001:db8::/32 table 5", "is IPv6 but the rule is IPv4"),
	BAD("rule add sport 0 table 5", "port or a range"),
	BAD("rule add sport 20-10 table 5", "port or a range"),
	BAD("rule add fwmark x table 5", "fwmark MARK[/MASK]"),

	/* nexthop */
	OK("nexthop add id 1 via 198.18.0.2 dev d0", "CreateNexthop",
	   "{'nexthop':{'id':1,'gateway':'198.18.0.2','dev':'d0'}}"),
	OK("nh replace id 2 via 2001:db8::2 dev d0 onlink", "CreateNexthop",
	   "{'nexthop':{'id':2,'gateway':'2001:db8::2','dev':'d0','onlink':true},'replace':true}"),
	OK("nexthop add id 3 blackhole", "CreateNexthop", "{'nexthop':{'id':3,'blackhole':true}}"),
	OK("nexthop add id 10 group 1/4,5", "CreateNexthop",
	   "{'nexthop':{'id':10,'group':[{'id':1},{'id':4,'weight':5}]}}"),
	OK("nexthop add id 11 group 1/4 type resilient buckets 8", "CreateNexthop",
	   "{'nexthop':{'id':11,'group':[{'id':1},{'id':4}],'resilient_buckets':8}}"),
	OK("nexthop del id 10", "DeleteNexthop", "{'id':10}"),
	OK("nexthop show dev d0", "ListNexthops", "{'dev':'d0'}"),
	OK("nh", "ListNexthops", "{}"),
	BAD("nexthop add id 11 group 1/4 type resilient", "needs \"buckets N\""),
	BAD("nexthop add id 11 group 1,300", "weights 1-256"),
	BAD("nexthop add id 0 blackhole", "ids start at 1"),
	BAD("nexthop del", "\"id ID\" is required"),
	BAD("nexthop del id 4 extra", "unknown argument extra"),

	/* monitor (a Watch stream) */
	OK("monitor", "Watch", "{}"),
	OK("monitor all", "Watch",
	   "{'kinds':['WATCH_KIND_LINK','WATCH_KIND_ADDRESS','WATCH_KIND_ROUTE',"
	   "'WATCH_KIND_NEIGHBOR','WATCH_KIND_RULE','WATCH_KIND_NEXTHOP']}"),
	OK("monitor rule nh", "Watch", "{'kinds':['WATCH_KIND_RULE','WATCH_KIND_NEXTHOP']}"),
	OK("monitor q ru", "Watch", "{'kinds':['WATCH_KIND_QDISC','WATCH_KIND_RULE']}"),
	OK("mon link addr", "Watch", "{'kinds':['WATCH_KIND_LINK','WATCH_KIND_ADDRESS']}"),
	OK("monitor route r l", "Watch", "{'kinds':['WATCH_KIND_ROUTE','WATCH_KIND_LINK']}"),
	OK("monitor link all", "Watch",
	   "{'kinds':['WATCH_KIND_LINK','WATCH_KIND_ADDRESS','WATCH_KIND_ROUTE',"
	   "'WATCH_KIND_NEIGHBOR','WATCH_KIND_RULE','WATCH_KIND_NEXTHOP']}"),
	OK("-n blue monitor -n red netns pid:7 --snapshot", "Watch",
	   "{'namespaces':[{'name':'blue'},{'name':'red'},{'pid':7}],'snapshot':true}"),
	OK("monitor -n /proc/1/ns/net address", "Watch",
	   "{'namespaces':[{'path':'/proc/1/ns/net'}],'kinds':['WATCH_KIND_ADDRESS']}"),
	OK("monitor --all link", "Watch", "{'all_namespaces':true,'kinds':['WATCH_KIND_LINK']}"),
	OK("monitor all-nsid snapshot", "Watch", "{'all_namespaces':true,'snapshot':true}"),
	BAD("monitor frob", "unknown argument frob"),
	BAD("monitor -n", "\"-n\" needs an argument"),
	BAD("monitor -n a/b", "not a valid namespace"),
	BAD("-n blue monitor --all", "excludes -n"),
	BAD("monitor --all -n red", "excludes -n"),
	HELP("monitor help"),

	/* global options and objects */
	HELP("-h"),
	HELP("--help"),
	HELP("help"),
	HELP("-j -h link"),
	HELP("route help"),
	HELP("addr help"),
	BAD("", "no object given"),
	BAD("foo", "unknown argument foo"),
	BAD("-x link", "unknown argument -x"),
	BAD("-n", "\"-n\" needs an argument"),
	BAD("-n a/b link", "not a valid namespace"),
	BAD("-n pid:-1 link", "bad pid"),
	BAD("-s", "\"-s\" needs an argument"),
	BAD("--timeout abc link", "invalid timeout"),
	BAD("--timeout -1 link", "invalid timeout"),
	BAD("--socket= link", "empty"),
};

static void split(const char *args, char *buf, size_t bufsz, char **argv, int *argc)
{
	char *save = NULL, *tok;

	snprintf(buf, bufsz, "%s", args);
	argv[0] = (char *)"nsringctl";
	*argc = 1;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		argv[(*argc)++] = tok;
	argv[*argc] = NULL;
}

static char *request_json(const CtlCmd *cmd)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ctl_print_json_message(f, cmd->req, false);
	fclose(f);
	return out;
}

static void test_grammar(void)
{
	current_test = "test_grammar";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const Case *c = &cases[i];
		char buf[512], *argv[64], want[512];
		CtlCmd cmd;
		int argc, r;

		split(c->args, buf, sizeof(buf), argv, &argc);
		r = ctl_parse(argc, argv, &cmd);
		if (r != c->ret)
			fprintf(stderr, "\"%s\": returned %d, expected %d (error: %s)\n", c->args,
				r, c->ret, cmd.error);
		CHECK_EQ(r, c->ret);
		if (r == CTL_PARSE_OK) {
			char *got = request_json(&cmd);

			snprintf(want, sizeof(want), "%s", c->expect);
			for (char *q = want; *q; q++)
				if (*q == '\'')
					*q = '"';
			if (strcmp(cmd.method, c->method) != 0 || strcmp(got, want) != 0)
				fprintf(stderr, "\"%s\":\n  got      %s %s\n  expected %s %s\n",
					c->args, cmd.method, got, c->method, want);
			CHECK_STREQ(cmd.method, c->method);
			CHECK_STREQ(got, want);
			/* The method, request and response descriptor must agree. */
			if (!strstr(cmd.req->descriptor->name, cmd.method) ||
			    !strstr(cmd.resp_desc->name, cmd.method) || !cmd.print)
				fprintf(stderr, "\"%s\": %s with %s -> %s\n", c->args, cmd.method,
					cmd.req->descriptor->name, cmd.resp_desc->name);
			CHECK(strstr(cmd.req->descriptor->name, cmd.method));
			CHECK(strstr(cmd.resp_desc->name, cmd.method));
			CHECK(cmd.print);
			free(got);
		} else if (r < 0) {
			if (!strstr(cmd.error, c->expect))
				fprintf(stderr, "\"%s\": error \"%s\" lacks \"%s\"\n", c->args,
					cmd.error, c->expect);
			CHECK(strstr(cmd.error, c->expect));
		}
		ctl_cmd_done(&cmd);
	}
}

static void test_globals(void)
{
	char *argv1[] = {
		"nsringctl", "-j", "-s", "/tmp/x.sock", "--timeout", "2.5", "link", NULL
	};
	char *argv2[] = { "nsringctl", "--socket=/tmp/y.sock", "--json", "--dry-run", "-4", "r",
			  NULL };
	char *argv3[] = { "nsringctl", "link", "add", "a b", "type", "dummy", NULL };
	char *argv4[] = { "nsringctl", "--", "link", NULL };
	char *argv5[] = { "nsringctl", "link", "add", "", "type", "dummy", NULL };
	CtlCmd cmd;

	current_test = "test_globals";
	CHECK(ctl_parse(7, argv1, &cmd) == 0);
	CHECK(cmd.json && !cmd.dry_run && cmd.family == 0);
	CHECK(cmd.socket_path && strcmp(cmd.socket_path, "/tmp/x.sock") == 0);
	CHECK(cmd.timeout_ns == 2500000000ull);
	CHECK(cmd.print == ctl_print_links);
	ctl_cmd_done(&cmd);

	CHECK(ctl_parse(6, argv2, &cmd) == 0);
	CHECK(cmd.json && cmd.dry_run && cmd.family == 4);
	CHECK(strcmp(cmd.socket_path, "/tmp/y.sock") == 0);
	CHECK(cmd.timeout_ns == CTL_DEFAULT_TIMEOUT_NS);
	CHECK(cmd.print == ctl_print_routes);
	ctl_cmd_done(&cmd);

	CHECK(ctl_parse(6, argv3, &cmd) == -EINVAL);
	CHECK(strstr(cmd.error, "not a valid interface name"));
	ctl_cmd_done(&cmd);

	CHECK(ctl_parse(3, argv4, &cmd) == 0);
	CHECK(strcmp(cmd.method, "ListLinks") == 0);
	ctl_cmd_done(&cmd);

	CHECK(ctl_parse(6, argv5, &cmd) == -EINVAL);
	ctl_cmd_done(&cmd);

	/* --ensure sets the request's ensure field; a request without one is a usage error. */
	{
		char *argv7[] = { "nsringctl", "--ensure", "link", "add", "d0", "type", "dummy",
				  NULL };
		char *argv8[] = { "nsringctl", "-ensure", "-n", "x", "route", "del", "default",
				  "via", "198.18.0.1", NULL };
		char *argv9[] = { "nsringctl", "--ensure", "link", "show", NULL };
		char *argv10[] = { "nsringctl", "netns", "add", "x", NULL };

		CHECK(ctl_parse(7, argv7, &cmd) == 0);
		CHECK(cmd.ensure && ((Nsring__V1__CreateLinkRequest *)cmd.req)->ensure);
		ctl_cmd_done(&cmd);
		CHECK(ctl_parse(9, argv8, &cmd) == 0);
		CHECK(((Nsring__V1__DeleteRouteRequest *)cmd.req)->ensure);
		ctl_cmd_done(&cmd);
		CHECK(ctl_parse(4, argv9, &cmd) == -EINVAL);
		CHECK(strstr(cmd.error, "--ensure applies to changes"));
		ctl_cmd_done(&cmd);
		CHECK(ctl_parse(4, argv10, &cmd) == 0);
		CHECK(!cmd.ensure && !((Nsring__V1__CreateNamespaceRequest *)cmd.req)->ensure);
		ctl_cmd_done(&cmd);
	}

	/* Only monitor streams: its printer runs once per event. */
	{
		char *argv6[] = { "nsringctl", "-j", "monitor", NULL };

		CHECK(ctl_parse(3, argv6, &cmd) == 0);
		CHECK(cmd.stream && cmd.json && cmd.print == ctl_print_watch_event);
		CHECK(cmd.resp_desc == &nsring__v1__watch_event__descriptor);
		ctl_cmd_done(&cmd);
		CHECK(ctl_parse(3, argv4, &cmd) == 0 && !cmd.stream);
		ctl_cmd_done(&cmd);
	}

	CHECK(name_ifname_valid("eth0") && name_ifname_valid("123456789012345"));
	CHECK(!name_ifname_valid("1234567890123456") && !name_ifname_valid("") &&
	      !name_ifname_valid(".") && !name_ifname_valid("..") && !name_ifname_valid("a/b") &&
	      !name_ifname_valid("a\tb"));
	CHECK(name_netns_valid("blue") && !name_netns_valid("a/b") && !name_netns_valid("") &&
	      !name_netns_valid(".."));

	/* The usage names every object. */
	{
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		ctl_usage(f);
		fclose(f);
		CHECK(strstr(out, "netns add") && strstr(out, "link add") &&
		      strstr(out, "addr add") && strstr(out, "route add") && strstr(out, "pid:N") &&
		      strstr(out, "monitor ["));
		free(out);
	}
}

/* ---------------------------------------------------------------- printing */

/* Runs a printer into a string; JSON output is checked for validity and emitted. */
static char *print_to_string(CtlPrintFn fn, const ProtobufCMessage *m, bool json)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	CHECK(fn(f, m, json) == 0);
	fclose(f);
	if (json) {
		if (!json_valid(out))
			fprintf(stderr, "invalid JSON: %s\n", out);
		CHECK(json_valid(out));
		CHECK(len > 0 && out[len - 1] == '\n');
		CHECK(strchr(out, '\n') == out + len - 1); /* one line */
		if (emit)
			fputs(out, emit);
	}
	return out;
}

static void expect_contains(const char *out, const char *want, int line)
{
	if (!strstr(out, want))
		fprintf(stderr, "%s:%d: output lacks \"%s\":\n%s\n", __FILE__, line, want, out);
	CHECK(strstr(out, want));
}
#define CONTAINS(out, want) expect_contains(out, want, __LINE__)

static void test_print_links(void)
{
	Nsring__V1__Link l[6];
	Nsring__V1__Link *ptrs[6];
	Nsring__V1__Veth veth = NSRING__V1__VETH__INIT, veth2 = NSRING__V1__VETH__INIT;
	Nsring__V1__Bridge br = NSRING__V1__BRIDGE__INIT;
	Nsring__V1__Macvlan mv = NSRING__V1__MACVLAN__INIT;
	Nsring__V1__Vxlan vx = NSRING__V1__VXLAN__INIT;
	Nsring__V1__ListLinksResponse resp = NSRING__V1__LIST_LINKS_RESPONSE__INIT;
	Nsring__V1__GetLinkResponse get = NSRING__V1__GET_LINK_RESPONSE__INIT;
	Nsring__V1__CreateLinkResponse created = NSRING__V1__CREATE_LINK_RESPONSE__INIT;
	char *out;

	current_test = "test_print_links";
	for (int i = 0; i < 6; i++) {
		nsring__v1__link__init(&l[i]);
		l[i].link_netnsid = -1;
		ptrs[i] = &l[i];
	}
	l[0].index = 1, l[0].name = "lo", l[0].up = true, l[0].oper_state = "unknown";
	l[0].mtu = 65536, l[0].address = "00:00:00:00:00:00";

	l[1].index = 5, l[1].name = "veth0", l[1].kind = "veth", l[1].up = true;
	l[1].oper_state = "up", l[1].mtu = 1500, l[1].address = "02:00:00:00:00:05";
	l[1].master_index = 3, l[1].parent_index = 6;
	l[1].info_case = NSRING__V1__LINK__INFO_VETH, l[1].veth = &veth;

	/* The other end lives in netnsid 0: only its index is known. */
	l[2].index = 7, l[2].name = "veth1", l[2].kind = "veth", l[2].oper_state = "down";
	l[2].mtu = 1500, l[2].parent_index = 12, l[2].link_netnsid = 0, l[2].group = 9;
	l[2].info_case = NSRING__V1__LINK__INFO_VETH, l[2].veth = &veth2;

	l[3].index = 3, l[3].name = "br0", l[3].kind = "bridge", l[3].up = true;
	l[3].info_case = NSRING__V1__LINK__INFO_BRIDGE, l[3].bridge = &br;

	mv.mode = NSRING__V1__MACVLAN_MODE__MACVLAN_MODE_BRIDGE;
	l[4].index = 8, l[4].name = "mv0", l[4].kind = "macvlan", l[4].parent_index = 2;
	l[4].info_case = NSRING__V1__LINK__INFO_MACVLAN, l[4].macvlan = &mv;

	vx.vni = 42, vx.port = 4789, vx.remote = "198.18.0.2", vx.local = "198.18.0.1";
	/* A name that needs escaping: quote, backslash, control and a stray byte. */
	l[5].index = 9, l[5].name = "we\"ird\\\x01\xff", l[5].kind = "vxlan";
	l[5].info_case = NSRING__V1__LINK__INFO_VXLAN, l[5].vxlan = &vx;

	resp.n_links = 6;
	resp.links = ptrs;

	out = print_to_string(ctl_print_links, &resp.base, false);
	CONTAINS(out, "INDEX");
	CONTAINS(out, "MASTER");
	CONTAINS(out, "lo ");
	CONTAINS(out, "65536");
	CONTAINS(out, "UP");
	CONTAINS(out, "DOWN");
	CONTAINS(out, "peer if6\n"); /* index 6 is not in the listing */
	CONTAINS(out, "peer if12 netnsid 0 group 9");
	CONTAINS(out, "parent if2 mode bridge");
	CONTAINS(out, "vni 42 dstport 4789 local 198.18.0.1 remote 198.18.0.2");
	CONTAINS(out, "02:00:00:00:00:05");
	free(out);

	/* A peer in the listing is named. */
	l[1].parent_index = 7, l[2].link_netnsid = -1, l[2].parent_index = 5;
	out = print_to_string(ctl_print_links, &resp.base, false);
	CONTAINS(out, "peer veth1");
	CONTAINS(out, "peer veth0");
	free(out);

	/* Only the kind string, without the kind's attributes: still labelled by kind. */
	l[1].info_case = NSRING__V1__LINK__INFO__NOT_SET;
	l[4].info_case = NSRING__V1__LINK__INFO__NOT_SET;
	out = print_to_string(ctl_print_links, &resp.base, false);
	CONTAINS(out, "peer veth1\n");
	CONTAINS(out, "parent if2\n");
	free(out);
	l[1].info_case = NSRING__V1__LINK__INFO_VETH;
	l[4].info_case = NSRING__V1__LINK__INFO_MACVLAN;

	out = print_to_string(ctl_print_links, &resp.base, true);
	CHECK(out[0] == '[');
	CONTAINS(out, "\"name\":\"veth0\"");
	CONTAINS(out, "\"index\":5");
	CONTAINS(out, "\"master_index\":3");
	CONTAINS(out, "\"link_netnsid\":-1");
	CONTAINS(out, "\"oper_state\":\"up\"");
	CONTAINS(out, "\"up\":true");
	CONTAINS(out, "\"veth\":{\"peer_name\":\"\"}");
	CONTAINS(out, "\"bridge\":{\"vlan_protocol\":\"\"}");
	CONTAINS(out, "\"mode\":\"MACVLAN_MODE_BRIDGE\"");
	CONTAINS(out, "\"vni\":42");
	CONTAINS(out, "\"name\":\"we\\\"ird\\\\\\u0001\\ufffd\"");
	free(out);

	/* link show NAME: a listing of one. */
	get.link = &l[1];
	out = print_to_string(ctl_print_link, &get.base, true);
	CHECK(out[0] == '[');
	CONTAINS(out, "\"name\":\"veth0\"");
	free(out);
	out = print_to_string(ctl_print_link, &get.base, false);
	CONTAINS(out, "veth0");
	free(out);

	/* link add: silent as text, the link as JSON. */
	out = print_to_string(ctl_print_created, &created.base, true);
	CHECK(strcmp(out, "{}\n") == 0);
	free(out);
	created.link = &l[3];
	out = print_to_string(ctl_print_created, &created.base, false);
	CHECK(strcmp(out, "") == 0);
	free(out);
	out = print_to_string(ctl_print_created, &created.base, true);
	CHECK(strncmp(out, "{\"index\":3,\"name\":\"br0\"", 23) == 0);
	CHECK(!strstr(out, "already_done"));
	free(out);
	/* --ensure found it done: the same object with "already_done":true last; text silent. */
	created.already_done = true;
	out = print_to_string(ctl_print_created, &created.base, true);
	CHECK(strncmp(out, "{\"index\":3,\"name\":\"br0\"", 23) == 0);
	CHECK(strlen(out) > 22 && strcmp(out + strlen(out) - 22, ",\"already_done\":true}\n") == 0);
	free(out);
	out = print_to_string(ctl_print_created, &created.base, false);
	CHECK(strcmp(out, "") == 0);
	free(out);
	created.already_done = false;

	resp.n_links = 0;
	out = print_to_string(ctl_print_links, &resp.base, true);
	CHECK(strcmp(out, "[]\n") == 0);
	free(out);
}

static void test_print_addresses(void)
{
	Nsring__V1__Address a[2];
	Nsring__V1__Address *ptrs[2] = { &a[0], &a[1] };
	Nsring__V1__ListAddressesResponse resp = NSRING__V1__LIST_ADDRESSES_RESPONSE__INIT;
	Nsring__V1__CreateAddressResponse created = NSRING__V1__CREATE_ADDRESS_RESPONSE__INIT;
	char *out;

	current_test = "test_print_addresses";
	nsring__v1__address__init(&a[0]);
	nsring__v1__address__init(&a[1]);
	a[0].link_name = "veth0", a[0].link_index = 5, a[0].address = "198.18.0.1";
	a[0].prefix_len = 24, a[0].broadcast = "198.18.0.255";
	a[1].link_index = 6, a[1].address = "2001:db8::1", a[1].prefix_len = 64, a[1].scope = 253;
	resp.n_addresses = 2;
	resp.addresses = ptrs;

	out = print_to_string(ctl_print_addresses, &resp.base, false);
	CONTAINS(out, "LINK");
	CONTAINS(out, "veth0");
	CONTAINS(out, "198.18.0.1/24");
	CONTAINS(out, "198.18.0.255");
	CONTAINS(out, "if6");
	CONTAINS(out, "2001:db8::1/64");
	CONTAINS(out, "link");
	CONTAINS(out, "global");
	free(out);

	out = print_to_string(ctl_print_addresses, &resp.base, true);
	CONTAINS(out, "{\"link_name\":\"veth0\",\"link_index\":5,\"address\":\"198.18.0.1\","
		      "\"prefix_len\":24,\"scope\":0,\"flags\":0,\"broadcast\":\"198.18.0.255\","
		      "\"peer\":\"\"");
	CONTAINS(out, "\"address\":\"2001:db8::1\"");
	free(out);

	out = print_to_string(ctl_print_created, &created.base, true);
	CHECK(strcmp(out, "{}\n") == 0);
	free(out);
	created.already_done = true;
	out = print_to_string(ctl_print_created, &created.base, true);
	CHECK(strcmp(out, "{\"already_done\":true}\n") == 0);
	free(out);
}

static void test_print_routes(void)
{
	Nsring__V1__Route r[3];
	Nsring__V1__Route *ptrs[3] = { &r[0], &r[1], &r[2] };
	Nsring__V1__ListRoutesResponse resp = NSRING__V1__LIST_ROUTES_RESPONSE__INIT;
	char *out;

	current_test = "test_print_routes";
	for (int i = 0; i < 3; i++)
		nsring__v1__route__init(&r[i]);
	r[0].family = 4, r[0].gateway = "198.18.0.1", r[0].dev = "veth0", r[0].table = 254;
	r[0].protocol = 4, r[0].set_scope_case = NSRING__V1__ROUTE__SET_SCOPE_SCOPE, r[0].scope = 0;
	r[1].destination = "198.18.1.0/24", r[1].family = 4, r[1].dev_index = 7, r[1].table = 100;
	r[1].metric = 10, r[1].protocol = 2, r[1].prefsrc = "198.18.1.1";
	r[1].set_scope_case = NSRING__V1__ROUTE__SET_SCOPE_SCOPE, r[1].scope = 253;
	r[2].destination = "2001:db8:2::/64", r[2].family = 6, r[2].type = 6, r[2].table = 255;
	r[2].protocol = 99;
	resp.n_routes = 3;
	resp.routes = ptrs;

	out = print_to_string(ctl_print_routes, &resp.base, false);
	CONTAINS(out, "DESTINATION");
	CONTAINS(out, "default");
	CONTAINS(out, "198.18.0.1");
	CONTAINS(out, "main");
	CONTAINS(out, "static");
	CONTAINS(out, "global");
	CONTAINS(out, "198.18.1.0/24");
	CONTAINS(out, "if7");
	CONTAINS(out, "100");
	CONTAINS(out, "kernel");
	CONTAINS(out, "link");
	CONTAINS(out, "198.18.1.1");
	CONTAINS(out, "blackhole 2001:db8:2::/64");
	CONTAINS(out, "local");
	CONTAINS(out, "openr");
	free(out);

	out = print_to_string(ctl_print_routes, &resp.base, true);
	CONTAINS(out, "\"gateway\":\"198.18.0.1\"");
	CONTAINS(out, "\"scope\":0");
	CONTAINS(out, "\"scope\":253");
	CONTAINS(out, "\"dev_index\":7");
	CONTAINS(out, "\"type\":6");
	free(out);

	/* An unset scope is left out, not printed as 0. */
	resp.n_routes = 1;
	resp.routes = &ptrs[2];
	out = print_to_string(ctl_print_routes, &resp.base, true);
	CHECK(!strstr(out, "scope"));
	free(out);

	{
		char b[12];

		CHECK(strcmp(ctl_route_table_name(0, b), "main") == 0);
		CHECK(strcmp(ctl_route_table_name(1000, b), "1000") == 0);
		CHECK(strcmp(ctl_route_scope_name(254, b), "host") == 0);
		CHECK(strcmp(ctl_route_scope_name(17, b), "17") == 0);
		CHECK(strcmp(ctl_route_proto_name(3, b), "boot") == 0);
		CHECK(strcmp(ctl_route_proto_name(5, b), "5") == 0);
		CHECK(strcmp(ctl_route_proto_name(4000, b), "4000") == 0);
	}
}

static void test_print_namespaces(void)
{
	Nsring__V1__Namespace ns[2];
	Nsring__V1__Namespace *ptrs[2] = { &ns[0], &ns[1] };
	Nsring__V1__ListNamespacesResponse resp = NSRING__V1__LIST_NAMESPACES_RESPONSE__INIT;
	Nsring__V1__CreateNamespaceResponse created = NSRING__V1__CREATE_NAMESPACE_RESPONSE__INIT;
	char *out;

	current_test = "test_print_namespaces";
	nsring__v1__namespace__init(&ns[0]);
	nsring__v1__namespace__init(&ns[1]);
	ns[0].name = "blue", ns[0].path = "/run/netns/blue", ns[0].inode = 4026532288u;
	ns[1].name = "red\n", ns[1].path = "/run/netns/red\n", ns[1].inode = 18446744073709551615u;
	resp.n_namespaces = 2;
	resp.namespaces = ptrs;

	out = print_to_string(ctl_print_namespaces, &resp.base, false);
	CONTAINS(out, "NAME");
	CONTAINS(out, "blue");
	CONTAINS(out, "4026532288");
	CONTAINS(out, "/run/netns/blue");
	free(out);

	out = print_to_string(ctl_print_namespaces, &resp.base, true);
	CONTAINS(out, "[{\"name\":\"blue\",\"path\":\"/run/netns/blue\",\"inode\":4026532288}");
	CONTAINS(out, "\"name\":\"red\\n\"");
	CONTAINS(out, "\"inode\":18446744073709551615");
	free(out);

	created.namespace_ = &ns[0];
	out = print_to_string(ctl_print_created, &created.base, true);
	CHECK(strcmp(out,
		     "{\"name\":\"blue\",\"path\":\"/run/netns/blue\",\"inode\":4026532288}\n") ==
	      0);
	free(out);
}

static void test_print_sysctls(void)
{
	Nsring__V1__Sysctl sc[2];
	Nsring__V1__Sysctl *ptrs[2] = { &sc[0], &sc[1] };
	Nsring__V1__GetSysctlResponse get = NSRING__V1__GET_SYSCTL_RESPONSE__INIT;
	Nsring__V1__SetSysctlResponse set = NSRING__V1__SET_SYSCTL_RESPONSE__INIT;
	char *out;

	current_test = "test_print_sysctls";
	nsring__v1__sysctl__init(&sc[0]);
	nsring__v1__sysctl__init(&sc[1]);
	sc[0].key = "net.ipv4.ip_forward", sc[0].value = "1";
	sc[1].key = "net.ipv4.ip_local_port_range", sc[1].value = "32768\t60999";
	get.n_sysctls = set.n_sysctls = 2;
	get.sysctls = set.sysctls = ptrs;

	out = print_to_string(ctl_print_sysctls, &get.base, false);
	CHECK_STREQ(out, "net.ipv4.ip_forward = 1\nnet.ipv4.ip_local_port_range = 32768\t60999\n");
	free(out);
	out = print_to_string(ctl_print_sysctls, &set.base, false);
	CHECK_STREQ(out, "net.ipv4.ip_forward = 1\nnet.ipv4.ip_local_port_range = 32768\t60999\n");
	free(out);
	out = print_to_string(ctl_print_sysctls, &get.base, true);
	CONTAINS(out, "[{\"key\":\"net.ipv4.ip_forward\",\"value\":\"1\"},");
	CONTAINS(out, "\"value\":\"32768\\t60999\"}]");
	free(out);
}

static void test_json_checker(void)
{
	current_test = "test_json_checker";
	/* The checker itself must reject what it is there to catch. */
	CHECK(json_valid("{\"a\":[1,-2.5e3,true,null,\"x\\u00e9\"]}"));
	CHECK(!json_valid("{\"a\":1,}"));
	CHECK(!json_valid("{\"a\":\"\x01\"}"));
	CHECK(!json_valid("{\"a\":\"\\x\"}"));
	CHECK(!json_valid("[1] 2"));
	CHECK(!json_valid("{a:1}"));
}

/* One event as monitor prints it must be exactly want. */
static void expect_event(const Nsring__V1__WatchEvent *ev, const char *want, int line)
{
	char *out = print_to_string(ctl_print_watch_event, &ev->base, false);

	if (strcmp(out, want) != 0)
		fprintf(stderr, "%s:%d: printed\n  %s  expected\n  %s", __FILE__, line, out, want);
	CHECK(strcmp(out, want) == 0);
	free(out);
	out = print_to_string(ctl_print_watch_event, &ev->base, true); /* checked for JSON */
	free(out);
}
#define EVENT(ev, want) expect_event(ev, want, __LINE__)

static void test_print_events(void)
{
	Nsring__V1__WatchEvent ev = NSRING__V1__WATCH_EVENT__INIT;
	Nsring__V1__Namespace ns = NSRING__V1__NAMESPACE__INIT,
			      ns_path = NSRING__V1__NAMESPACE__INIT;
	Nsring__V1__Link l = NSRING__V1__LINK__INIT;
	Nsring__V1__Veth veth = NSRING__V1__VETH__INIT;
	Nsring__V1__Address a = NSRING__V1__ADDRESS__INIT;
	Nsring__V1__Route rt = NSRING__V1__ROUTE__INIT;
	char *out;

	current_test = "test_print_events";
	ns.name = "ns1";
	ns.path = "/run/netns/ns1";
	ns.inode = 4026532288u;
	ns_path.path = "/proc/1/ns/net";

	/* Links, as ip monitor link (on one line). */
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_ADDED;
	ev.namespace_ = &ns;
	ev.object_case = NSRING__V1__WATCH_EVENT__OBJECT_LINK;
	ev.link = &l;
	l.index = 5, l.name = "veth0", l.flags = 0x11043, l.up = true, l.mtu = 1500;
	l.oper_state = "up", l.address = "02:00:00:00:00:01", l.kind = "veth";
	l.parent_index = 4, l.link_netnsid = 0;
	l.info_case = NSRING__V1__LINK__INFO_VETH, l.veth = &veth, veth.peer_name = "veth1";
	EVENT(&ev, "[ns1] 5: veth0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP "
		   "link/ether 02:00:00:00:00:01 veth peer veth1 netnsid 0\n");
	out = print_to_string(ctl_print_watch_event, &ev.base, true);
	CONTAINS(out, "\"type\":\"WATCH_EVENT_TYPE_ADDED\"");
	CONTAINS(out, "\"namespace\":{\"name\":\"ns1\"");
	CONTAINS(out, "\"link\":{\"index\":5,\"name\":\"veth0\"");
	CHECK(!strstr(out, "\"address\":{")); /* only the oneof's member */
	free(out);

	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_DELETED;
	ev.namespace_ = NULL;
	l.index = 7, l.name = "br0", l.flags = 0x1003, l.oper_state = "down", l.kind = "bridge";
	l.parent_index = 0, l.link_netnsid = -1, l.info_case = NSRING__V1__LINK__INFO__NOT_SET;
	l.master_index = 3, l.group = 2;
	EVENT(&ev, "Deleted 7: br0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 master if3 "
		   "state DOWN link/ether 02:00:00:00:00:01 bridge group 2\n");
	/* A veth whose peer is not known: no "peer ?"; a loopback's address. */
	l.flags = 0x49, l.kind = "veth", l.info_case = NSRING__V1__LINK__INFO_VETH;
	veth.peer_name = "", l.master_index = 0, l.group = 0, l.oper_state = "unknown";
	l.address = "00:00:00:00:00:00";
	EVENT(&ev, "Deleted 7: br0: <LOOPBACK,UP> mtu 1500 state UNKNOWN link/loopback "
		   "00:00:00:00:00:00 veth\n");
	/* A daemon that sends no flags: up is still shown. */
	l.flags = 0, l.master_index = 0, l.group = 0, l.address = "", l.kind = "", l.mtu = 0;
	l.oper_state = "";
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_CHANGED;
	EVENT(&ev, "7: br0: <UP>\n");

	/* Addresses, as ip monitor address. */
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_ADDED;
	ev.namespace_ = &ns_path;
	ev.object_case = NSRING__V1__WATCH_EVENT__OBJECT_ADDRESS;
	ev.address = &a;
	a.link_index = 5, a.link_name = "veth0", a.address = "198.18.0.1", a.prefix_len = 24;
	a.broadcast = "198.18.0.255", a.flags = 0x80;
	EVENT(&ev, "[/proc/1/ns/net] 5: veth0    inet 198.18.0.1/24 brd 198.18.0.255 scope global "
		   "veth0\n");
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_DELETED;
	ev.namespace_ = NULL;
	a.address = "2001:db8::1", a.prefix_len = 64, a.broadcast = "", a.flags = 0x40;
	EVENT(&ev, "Deleted 5: veth0    inet6 2001:db8::1/64 scope global dynamic tentative\n");
	a.address = "fe80::1", a.scope = 253, a.flags = 0x80, a.link_name = "";
	EVENT(&ev, "Deleted 5: if5    inet6 fe80::1/64 scope link\n");

	/* Routes, as ip monitor route. */
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_ADDED;
	ev.object_case = NSRING__V1__WATCH_EVENT__OBJECT_ROUTE;
	ev.route = &rt;
	rt.family = 4, rt.gateway = "198.18.0.254", rt.dev = "veth0", rt.table = 254;
	rt.protocol = 4, rt.metric = 100, rt.type = 1;
	EVENT(&ev, "default via 198.18.0.254 dev veth0 proto static metric 100\n");
	rt.destination = "198.18.0.1", rt.gateway = "", rt.type = 2, rt.table = 255;
	rt.protocol = 2, rt.metric = 0, rt.prefsrc = "198.18.0.1";
	rt.set_scope_case = NSRING__V1__ROUTE__SET_SCOPE_SCOPE, rt.scope = 254;
	EVENT(&ev, "local 198.18.0.1 dev veth0 table local proto kernel scope host src "
		   "198.18.0.1\n");
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_DELETED;
	ev.namespace_ = &ns;
	rt.destination = "198.18.1.0/24", rt.type = 1, rt.table = 0, rt.protocol = 3;
	rt.dev = "", rt.dev_index = 9, rt.prefsrc = "", rt.scope = 253;
	EVENT(&ev, "[ns1] Deleted 198.18.1.0/24 dev if9 scope link\n");

	/* The stream's own events. */
	ev.object_case = NSRING__V1__WATCH_EVENT__OBJECT__NOT_SET;
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_SYNCED;
	EVENT(&ev, "[ns1] Synced: the snapshot is complete, changes follow\n");
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_RESYNC;
	EVENT(&ev, "[ns1] Resync: events were lost; a fresh snapshot follows\n");
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_NAMESPACE_ADDED;
	EVENT(&ev, "[ns1] Namespace added /run/netns/ns1 inode 4026532288\n");
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_NAMESPACE_DELETED;
	EVENT(&ev, "[ns1] Namespace deleted\n");
	ev.type = NSRING__V1__WATCH_EVENT_TYPE__WATCH_EVENT_TYPE_NAMESPACE_ADDED;
	ev.namespace_ = &ns_path;
	EVENT(&ev, "[/proc/1/ns/net] Namespace added\n");
	ev.namespace_ = &ns;
	ns.name = "", ns.path = "";
	ev.type = 42; /* from a newer daemon */
	EVENT(&ev, "[inode 4026532288] event 42\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--emit-json") == 0)
		emit = stdout;
	test_json_checker();
	test_grammar();
	test_globals();
	test_print_links();
	test_print_addresses();
	test_print_routes();
	test_print_namespaces();
	test_print_sysctls();
	test_print_events();
	if (!emit)
		printf("ok: %zu grammar cases\n", sizeof(cases) / sizeof(cases[0]));
	return 0;
}
