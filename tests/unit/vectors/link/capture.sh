#!/bin/sh
# Captures the rtnetlink requests iproute2 sends, as golden vectors for test-rtnl-link.c.
# Run as root from this directory: ./capture.sh. Each command runs in a throwaway network
# namespace (lo, veth v0/v1 and bridge br0 set up first, so indices are fixed: lo 1, v1 2,
# v0 3, br0 4); the kernel may refuse the kind ("Unknown device type"), ip still sends it.
# Each NAME.hex holds the command as a comment, then the last request of the given type.
# dump-NAME.hex (capr) holds the kernel's RTM_NEWLINK reply for link INDEX to the command, run
# after the richer setup in $RICH (recvmsg instead of sendmsg).
set -eu
BASE='ip link set lo up; ip link add v0 type veth peer name v1; ip link add br0 type bridge'
RICH="$BASE
ip link set v0 master br0 alias uplink txqueuelen 500
ip link set v1 addrgenmode none
ip link set br0 type bridge stp_state 0 ageing_time 30000 mcast_snooping 0
bridge link set dev v0 hairpin on learning off cost 7
bridge vlan add dev v0 vid 10 pvid untagged || true # EOPNOTSUPP without VLAN filtering
bridge vlan add dev v0 vid 20-22 || true
ip link add vx0 type vxlan id 42 local 198.18.0.1 remote 198.18.0.2 dstport 4789
ip link add link v1 name mvt0 type macvtap mode bridge
ip tuntap add tp0 mode tap multi_queue user 1000 group 1000
ip link set v0 up; ip link set v1 up"
run() { # SETUP SYSCALL COMMAND...
	setup=$1 call=$2
	shift 2
	unshare -n sh -c "$setup"'
		exec strace -f -e trace='"$call"' -e write=all -e read=all -o "$0" "$@"' \
		/tmp/cap.$$ "$@" >/dev/null 2>&1 || true
}
extract() { # SYSCALL NLMSG_TYPE INDEX(-1: any)
	python3 - "$@" /tmp/cap.$$ <<'PY'
import re, sys
call, want, index = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]); bufs = []; cur = None
for line in open(sys.argv[4]):
    if any(c + '(' in line for c in call.split(',')): cur = bytearray(); bufs.append(cur); continue
    m = re.match(r'\s*\| [0-9a-f]{5}  ((?:[0-9a-f]{2} {1,2})+)', line)
    if m and cur is not None: cur += bytes.fromhex(m.group(1).replace(' ', ''))
msgs = []
for b in bufs:  # a receive buffer holds several messages
    while len(b) >= 16:
        n = int.from_bytes(b[0:4], 'little')
        if n < 16 or n > len(b): break
        msgs.append(b[:n]); b = b[(n + 3) & ~3:]
msgs = [m for m in msgs if int.from_bytes(m[4:6], 'little') == want and
        (index < 0 or (len(m) >= 24 and int.from_bytes(m[20:24], 'little') == index))]
if not msgs: sys.exit("no request of type %d" % want)
m = msgs[-1]
for i in range(0, len(m), 16): print(m[i:i+16].hex(' '))
PY
}
cap() { # NAME NLMSG_TYPE COMMAND...
	name=$1 type=$2
	shift 2
	run "$BASE" sendmsg,sendto "$@"
	{ echo "# $*"; extract sendmsg,sendto "$type" -1; } >"$name.hex"
	rm -f /tmp/cap.$$
}
capr() { # NAME INDEX COMMAND...
	name=$1 index=$2
	shift 2
	run "$RICH" recvmsg "$@"
	{ echo "# reply to: $* (setup: capture.sh RICH)"; extract recvmsg 16 "$index"; } \
		>"dump-$name.hex"
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
cap brport-order $SET bridge link set dev v0 priority 3 hairpin on neigh_suppress on learning off flood off mcast_flood on cost 7 isolated on
cap brvlan-show 18 bridge vlan show
# Replies; indices after RICH: lo 1, v1 2, v0 3, br0 4, vx0 5, mvt0 6, tp0 7.
capr veth 3 ip -d link show dev v0
capr veth-stats 3 ip -s -d link show dev v0
capr veth-addrgen 2 ip -d link show dev v1
capr bridge 4 ip -d link show dev br0
capr vxlan 5 ip -d link show dev vx0
capr macvtap 6 ip -d link show dev mvt0
capr tap 7 ip -d link show dev tp0
capr brport 3 bridge -d link show dev v0
capr brvlan 3 bridge vlan show
