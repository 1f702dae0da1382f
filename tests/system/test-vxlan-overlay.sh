#!/bin/bash
# System test: a VXLAN overlay across three "host" namespaces with head-end replication, built
# through nsringd only: an underlay switch namespace (a bridge with a veth to each host), a
# vxlan device per host with `local`, no multicast group and dstport 4789, and the flood list as
# one all-zeros FDB entry per remote VTEP (bridge fdb append). Then ping across the overlay
# between all three, and the overlay breaks when a remote leaves the flood list.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
require_ping
start_daemon

hosts=(h1 h2 h3)
run_ok ctl netns add sw
run_ok ctl -n sw link add br0 up type bridge
for i in 1 2 3; do
	h=h$i
	run_ok ctl netns add $h
	run_ok ctl -n $h link set lo up
	# The host's underlay uplink u0, its switch side s$i on br0.
	run_ok ctl -n $h link add u0 up type veth peer name s$i netns sw
	run_ok ctl -n sw link set s$i master br0 up
	run_ok ctl -n $h addr add 198.18.10.$i/24 dev u0
	run_ok ctl -n $h link add vx0 type vxlan id 100 local 198.18.10.$i dstport 4789
	run_ok ctl -n $h link set vx0 up
	run_ok ctl -n $h addr add 198.18.20.$i/24 dev vx0
	for j in 1 2 3; do
		[[ $j == "$i" ]] && continue
		run_ok ctl -n $h bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.10.$j
	done
done

for i in 1 2 3; do
	run_ok in_ns h$i bridge fdb show dev vx0
	n=$(grep -c '^00:00:00:00:00:00 dst 198.18.10.[123] self permanent' <<<"$OUT")
	expect_eq "$n" 2 "h$i: bridge sees a flood list of two remote VTEPs"
	run_ok ctl -j -n h$i bridge fdb show dev vx0
	json_check "$OUT" "sorted(e['dst'] for e in d if e['mac'] == '00:00:00:00:00:00') == sorted('198.18.10.%d' % j for j in (1, 2, 3) if j != $i)" \
		"h$i: nsring lists the same flood list"
done

# Across the overlay, every pair both ways (ARP itself goes through the flood list).
for i in 1 2 3; do
	for j in 1 2 3; do
		[[ $j == "$i" ]] && continue
		run_ok in_ns h$i ping -c 2 -W 2 -i 0.2 198.18.20.$j
		expect_contains "$OUT" "2 received" "overlay ping h$i -> h$j"
	done
done

# The traffic really went through vx0: its counters moved.
run_ok in_ns h1 ip -s link show vx0
expect_true "h1's vx0 sent packets" awk '/TX:/ { getline; exit !($2 > 0) }' <<<"$OUT"

# Take h3 out of h1's flood list and forget h1's learned entries and ARP for it: h1 can no
# longer reach h3 (head-end replication only sends where the list says), still h2.
run_ok ctl -n h1 bridge fdb del 00:00:00:00:00:00 dev vx0 dst 198.18.10.3
run_ok in_ns h1 ip neigh flush dev vx0
run_ok in_ns h1 bridge fdb flush dev vx0 dynamic
run in_ns h1 ping -c 1 -W 1 198.18.20.3
expect_contains "$OUT" "0 received" "without h3 in h1's flood list, h1 cannot reach h3"
run_ok in_ns h1 ping -c 1 -W 2 198.18.20.2
expect_contains "$OUT" "1 received" "h1 still reaches h2"
run_ok ctl -n h1 bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.10.3
run_ok in_ns h1 ping -c 1 -W 2 198.18.20.3
expect_contains "$OUT" "1 received" "h3 back in the flood list: reachable again"

for ns in h1 h2 h3 sw; do
	run_ok ctl netns del $ns
done
