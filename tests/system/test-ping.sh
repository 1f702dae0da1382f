#!/bin/bash
# System test: real traffic. Two namespaces joined by a veth made in one request (one end in
# each), addresses and links set up through nsringd, then ping and ping -6 across it; and a third
# namespace reached through routes nsringd installed (pb forwards).
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
require_ping
start_daemon

run_ok ctl netns add pa
run_ok ctl netns add pb
run_ok ctl netns add pc

# One request: p0 in pa, its peer p1 created directly in pb, both up.
run_ok ctl -n pa link add p0 up type veth peer name p1 netns pb
run_ok ctl -j -n pb link show p1
json_check "$OUT" 'd[0]["up"] and d[0]["link_netnsid"] >= 0' "p1 is up in pb, its peer in another namespace"
run_ok ctl -n pb link add q0 type veth peer name q1 netns pc
run_ok ctl -n pb link set q0 up
run_ok ctl -n pc link set q1 up
for ns in pa pb pc; do
	run_ok ctl -n $ns link set lo up
done

run_ok ctl -n pa addr add 198.18.100.1/24 dev p0
run_ok ctl -n pb addr add 198.18.100.2/24 dev p1
run_ok ctl -n pa addr add 2001:db8:100::1/64 dev p0
run_ok ctl -n pb addr add 2001:db8:100::2/64 dev p1
run_ok ctl -n pb addr add 198.18.101.1/24 dev q0
run_ok ctl -n pc addr add 198.18.101.2/24 dev q1
run_ok ctl -n pb addr add 2001:db8:101::1/64 dev q0
run_ok ctl -n pc addr add 2001:db8:101::2/64 dev q1

run_ok ctl -j -n pa link show p0
json_check "$OUT" 'd[0]["oper_state"] == "up"' "p0's operational state is up"
run_ok ctl -j -n pa link show lo
json_check "$OUT" 'd[0]["up"]' "lo is up in pa"

# nsringctl has no nodad: wait (up to ~3 s) until no IPv6 address is tentative (IFA_F_TENTATIVE).
wait_dad() {
	local ns=$1 i
	for ((i = 0; i < 60; i++)); do
		ctl -j -n "$ns" -6 addr show | "$PY" -c '
import json, sys
sys.exit(0 if all(not (a["flags"] & 0x40) for a in json.load(sys.stdin)) else 1)' && return 0
		sleep 0.05
	done
	return 1
}

# IPv4 across the veth, both ways.
run_ok in_ns pa ping -c 3 -W 2 -i 0.2 198.18.100.2
expect_contains "$OUT" "3 received" "ping pa -> pb over the veth: 3 replies"
run_ok in_ns pb ping -c 3 -W 2 -i 0.2 198.18.100.1
expect_contains "$OUT" "3 received" "ping pb -> pa: 3 replies"
run_ok in_ns pa ping -c 1 -W 2 198.18.100.1
expect_contains "$OUT" "1 received" "ping of pa's own address (lo is up)"

# IPv6 after DAD.
expect_true "DAD finished in pa within 3 s" wait_dad pa
expect_true "DAD finished in pb within 3 s" wait_dad pb
run_ok in_ns pa ping -6 -c 3 -W 2 -i 0.2 2001:db8:100::2
expect_contains "$OUT" "3 received" "ping -6 pa -> pb: 3 replies"
run_ok in_ns pb ping -6 -c 3 -W 2 -i 0.2 2001:db8:100::1
expect_contains "$OUT" "3 received" "ping -6 pb -> pa: 3 replies"

# Routed: pa -> pb -> pc with routes installed by nsringd; pb forwards.
run_ok in_ns pb sysctl -q -w net.ipv4.ip_forward=1
run_ok in_ns pb sysctl -q -w net.ipv6.conf.all.forwarding=1
run_fail "" ctl -n pa route add 198.18.101.0/24 via 198.18.101.1
expect_err_contains "ENETUNREACH" "a gateway pa cannot reach directly is refused"
run_ok ctl -n pa route add 198.18.101.0/24 via 198.18.100.2
run_ok ctl -n pc route add default via 198.18.101.1
run_ok ctl -n pa route add 2001:db8:101::/64 via 2001:db8:100::2
run_ok ctl -n pc route add default via 2001:db8:101::1
expect_true "DAD finished in pc within 3 s" wait_dad pc
expect_true "DAD finished in pb within 3 s (q0)" wait_dad pb
run_ok in_ns pa ping -c 3 -W 2 -i 0.2 198.18.101.2
expect_contains "$OUT" "3 received" "routed ping pa -> pc through pb"
run_ok in_ns pa ping -6 -c 3 -W 2 -i 0.2 2001:db8:101::2
expect_contains "$OUT" "3 received" "routed ping -6 pa -> pc through pb"
run_ok in_ns pc ping -c 1 -W 2 198.18.100.1
expect_contains "$OUT" "1 received" "routed ping pc -> pa (pc's default route)"

# Replacing the route with a blackhole stops the traffic; restoring it brings it back.
run_ok ctl -n pa route replace blackhole 198.18.101.0/24
run in_ns pa ping -c 1 -W 1 198.18.101.2
expect_true "ping into a blackhole route fails" test "$RC" != 0
run_ok ctl -n pa route replace 198.18.101.0/24 via 198.18.100.2
run_ok in_ns pa ping -c 1 -W 2 198.18.101.2
expect_contains "$OUT" "1 received" "ping works again after route replace"

# Link down stops the traffic, up restores it.
run_ok ctl -n pa link set p0 down
run in_ns pa ping -c 1 -W 1 198.18.100.2
expect_true "ping fails while p0 is down" test "$RC" != 0
run_ok ctl -n pa link set p0 up
# The connected route comes back with the link; neighbours may need a moment.
for ((i = 0; i < 20; i++)); do
	in_ns pa ping -c 1 -W 1 198.18.100.2 >/dev/null 2>&1 && break
	sleep 0.1
done
run_ok in_ns pa ping -c 2 -W 2 -i 0.2 198.18.100.2
expect_contains "$OUT" "2 received" "ping works again after link set up"

for ns in pa pb pc; do
	run_ok ctl netns del $ns
done
