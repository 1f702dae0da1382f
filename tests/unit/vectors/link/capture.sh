#!/bin/sh
# Captures the rtnetlink requests iproute2 sends, as golden vectors for test-rtnl-link.c.
# Run as root from this directory: ./capture.sh. Each command runs in a throwaway network
# namespace (lo, veth v0/v1 and bridge br0 set up first, so indices are fixed: lo 1, v1 2,
# v0 3, br0 4); the kernel may refuse the kind ("Unknown device type"), ip still sends it.
# Each NAME.hex holds the command as a comment, then the last request of the given type.
set -eu
cap() { # NAME NLMSG_TYPE COMMAND...
	name=$1 type=$2
	shift 2
	unshare -n sh -c 'ip link set lo up; ip link add v0 type veth peer name v1
		ip link add br0 type bridge
		exec strace -f -e trace=sendmsg -e write=all -o "$0" "$@"' /tmp/cap.$$ "$@" \
		>/dev/null 2>&1 || true
	{ echo "# $*"; python3 - "$type" /tmp/cap.$$ <<'PY'
import re, sys
want = int(sys.argv[1]); msgs = []; cur = None
for line in open(sys.argv[2]):
    if 'sendmsg(' in line: cur = bytearray(); msgs.append(cur); continue
    m = re.match(r'\s*\| [0-9a-f]{5}  ((?:[0-9a-f]{2} {1,2})+)', line)
    if m and cur is not None: cur += bytes.fromhex(m.group(1).replace(' ', ''))
msgs = [m for m in msgs if len(m) >= 16 and int.from_bytes(m[4:6], 'little') == want]
if not msgs: sys.exit("no request of type %d" % want)
m = msgs[-1]
for i in range(0, len(m), 16): print(m[i:i+16].hex(' '))
PY
	} >"$name.hex"
	rm -f /tmp/cap.$$
}
NEW=16 DEL=17 SET=19
cap vlan $NEW ip link add link v0 name vl0 type vlan id 100
cap vlan-ad $NEW ip link add link v0 name vl1 type vlan id 4094 protocol 802.1ad
cap vrf $NEW ip link add vrf0 type vrf table 10
cap bond $NEW ip link add bond0 type bond mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4
cap bond-ab $NEW ip link add bond1 type bond mode active-backup
cap ipvlan $NEW ip link add link v0 name ipv0 type ipvlan mode l3
cap macvtap $NEW ip link add link v0 name mvt0 type macvtap mode bridge
cap geneve $NEW ip link add gnv0 type geneve id 42 remote 198.18.0.2 dstport 6081
cap geneve6 $NEW ip link add gnv1 type geneve id 43 remote 2001:db8::2
cap gre $NEW ip link add gre1 type gre local 198.18.0.1 remote 198.18.0.2 ttl 64 ikey 1 okey 2
cap gretap $NEW ip link add gt0 type gretap local 198.18.0.1 remote 198.18.0.2 key 5
cap ipip $NEW ip link add ipip1 type ipip local 198.18.0.1 remote 198.18.0.2 ttl 64
cap sit $NEW ip link add sit1 type sit local 198.18.0.1 remote 198.18.0.2 ttl 64
cap ip6gre $NEW ip link add g6 type ip6gre local 2001:db8::1 remote 2001:db8::2 ttl 64 key 7
cap wireguard $NEW ip link add wg0 type wireguard
cap dummy $NEW ip link add d0 type dummy
cap attrs-new $NEW ip link add d1 txqueuelen 500 type dummy
cap set-alias $NEW ip link set dev v0 alias uplink
cap set-txqlen $NEW ip link set dev v0 txqueuelen 2000
cap set-promisc $NEW ip link set dev v0 promisc on
cap set-allmulti-off $NEW ip link set dev v0 allmulticast off
cap set-multicast $NEW ip link set dev v0 multicast on
cap set-noarp $NEW ip link set dev v0 arp off
cap set-addrgen $NEW ip link set dev v0 addrgenmode none
cap set-addrgen-random $NEW ip link set dev v0 addrgenmode random
cap set-master $NEW ip link set dev v0 master br0
cap set-nomaster $NEW ip link set dev v0 nomaster
cap br-opts $NEW ip link add br1 type bridge vlan_filtering 1 vlan_protocol 802.1ad vlan_default_pvid 10 stp_state 1 ageing_time 30000 forward_delay 1500 mcast_snooping 0
cap br-set $NEW ip link set dev br0 type bridge vlan_filtering 1
cap brport-hairpin $SET bridge link set dev v0 hairpin on
cap brport-flags $SET bridge link set dev v0 learning off flood off mcast_flood on isolated on neigh_suppress on cost 7 priority 3
cap brvlan-add $SET bridge vlan add dev v0 vid 10 pvid untagged
cap brvlan-range $SET bridge vlan add dev v0 vid 20-30 master
cap brvlan-self $SET bridge vlan add dev br0 vid 5 self
cap brvlan-del $DEL bridge vlan del dev v0 vid 10
