#!/bin/bash
# System test: ensure semantics (safe resends). For every object kind: create twice with
# --ensure (the second: OK, already_done in -j), delete twice (the second: already_done), create
# with a different attribute (ALREADY_EXISTS naming it), and without ensure the old errors. Then
# the crash test: a wire Batch of N containers (tests/bench/WORKLOADS.md's shape) interrupted by
# kill -9 at a random point, a restart, and the same Batch resent with -ensure must succeed and
# leave every namespace as a run never interrupted does.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
start_daemon

# The second of two identical ensure calls: OK and already_done in its JSON.
twice() {
	local what=$1
	shift
	run_ok ctl --ensure -j "$@"
	json_check "$OUT" 'not d.get("already_done", False)' "$what: the first ensure call does the work"
	run_ok ctl --ensure -j "$@"
	json_check "$OUT" 'd.get("already_done") is True' "$what: the second finds it done (already_done)"
}

# ---------------------------------------------------------------- namespaces
twice "netns add" netns add ea
twice "netns add" netns add eb
run_fail ALREADY_EXISTS ctl netns add ea
run_ok ctl --ensure netns add ea
expect_eq "$OUT" "" "text output of an ensure call that found its work done is unchanged (silent)"
run_ok ctl netns add edel
twice "netns del" netns del edel
run_fail NOT_FOUND ctl netns del edel
run_ok ctl --ensure -j netns del edel
json_check "$OUT" 'd == {"already_done": True}' "netns del --ensure of a missing name: {\"already_done\": true}"
# What a daemon killed while creating a namespace leaves: the empty file, never mounted.
touch "$NETNS_DIR/estale"
run_fail ALREADY_EXISTS ctl netns add estale
run_ok ctl --ensure -j netns add estale
json_check "$OUT" 'not d.get("already_done", False) and d["inode"] > 0' \
	"netns add --ensure over a stale empty file makes the namespace (not already_done)"
run_ok in_ns estale ip link show lo
# A file that is not empty is not taken for a stale one.
echo data >"$NETNS_DIR/efile"
run_fail ALREADY_EXISTS ctl --ensure netns add efile
expect_err_contains "not a network namespace"
rm -f "$NETNS_DIR/efile"
run_usage "--ensure applies to changes" ctl --ensure netns list

# ---------------------------------------------------------------- links
twice "veth with its peer in another namespace" -n ea link add ev0 mtu 1400 group 3 up type veth peer name ev1 netns eb
json_check "$OUT" 'd["name"] == "ev0" and d["kind"] == "veth" and d["mtu"] == 1400 and d["up"]' \
	"the already_done reply carries the existing link"
run_fail ALREADY_EXISTS ctl -n ea link add ev0 mtu 1400 group 3 up type veth peer name ev1 netns eb
run_fail ALREADY_EXISTS ctl --ensure -n ea link add ev0 mtu 1500 group 3 up type veth peer name ev1 netns eb
expect_err_contains "exists with different attributes: mtu 1400 (asked 1500)"
run_fail ALREADY_EXISTS ctl --ensure -n ea link add ev0 mtu 1400 group 3 up type veth peer name other netns eb
expect_err_contains 'peer "other" (not found in namespace "eb")'
run_fail ALREADY_EXISTS ctl --ensure -n ea link add ev0 mtu 1400 group 3 type bridge
expect_err_contains "kind veth (asked bridge)"
# A crash between the creation and bringing the ends up (two requests): ensure finishes it.
run_ok in_ns eb ip link set ev1 down
run_ok ctl --ensure -j -n ea link add ev0 mtu 1400 group 3 up type veth peer name ev1 netns eb
json_check "$OUT" 'not d.get("already_done", False)' "a peer found down is brought up: work done, not already_done"
run_ok in_ns eb ip -j link show ev1
json_check "$OUT" '"UP" in d[0]["flags"]' "ip: the peer is up again"

twice "bridge" -n ea link add ebr0 up type bridge
twice "bridge" -n ea link add ebr1 type bridge
twice "veth enslaved to a bridge" -n ea link add es0 master ebr0 type veth peer name es1
run_fail ALREADY_EXISTS ctl --ensure -n ea link add es0 master ebr1 type veth peer name es1
expect_err_contains "master ebr0 (asked ebr1)"
run_fail ALREADY_EXISTS ctl --ensure -n ea link add es0 address 02:00:00:00:00:99 type veth peer name es1
expect_err_contains "address "
expect_err_contains "(asked 02:00:00:00:00:99)"
run_fail ALREADY_EXISTS ctl --ensure -n ea link add es0 group 7 type veth peer name es1
expect_err_contains "group 0 (asked 7)"

twice "vxlan" -n ea link add evx0 type vxlan id 42 dstport 4789 local 198.18.0.1 remote 198.18.0.2
run_fail ALREADY_EXISTS ctl --ensure -n ea link add evx0 type vxlan id 43 dstport 4789 local 198.18.0.1 remote 198.18.0.2
expect_err_contains "id 42 (asked 43)"
run_fail ALREADY_EXISTS ctl --ensure -n ea link add evx0 type vxlan id 42 dstport 4790 local 198.18.0.1 remote 198.18.0.3
expect_err_contains "dstport 4789 (asked 4790), remote 198.18.0.2 (asked 198.18.0.3)"
run_ok ctl -n ea link add edum0 type veth peer name edum1
twice "vxlan with group and dev" -n ea link add evx1 type vxlan id 7 group 239.1.1.1 dev edum0
run_fail ALREADY_EXISTS ctl --ensure -n ea link add evx1 type vxlan id 7 group 239.1.1.2 dev edum0
expect_err_contains "group 239.1.1.1 (asked 239.1.1.2)"
run_fail ALREADY_EXISTS ctl --ensure -n ea link add evx1 type vxlan id 7 group 239.1.1.1 dev edum1
expect_err_contains "(asked edum1,"

twice "macvlan" -n ea link add emv0 link edum0 type macvlan mode bridge
run_fail ALREADY_EXISTS ctl --ensure -n ea link add emv0 link edum0 type macvlan mode private
expect_err_contains "mode bridge (asked private)"
run_fail ALREADY_EXISTS ctl --ensure -n ea link add emv0 link edum1 type macvlan mode bridge
expect_err_contains "parent index"

twice "ifb" -n ea link add eifb0 mtu 1600 type ifb
run_fail ALREADY_EXISTS ctl --ensure -n ea link add eifb0 mtu 1700 type ifb
expect_err_contains "mtu 1600 (asked 1700)"

# Every kind: created twice, refused twice without ensure, deleted twice, missing without it.
for spec in "kveth type veth peer name kveth1 netns eb" "kbr type bridge" \
	"kvx type vxlan id 9 remote 198.18.0.9" "kmv link edum0 type macvlan mode vepa" "kifb type ifb"; do
	name=${spec%% *}
	# shellcheck disable=SC2086 # the words of the spec
	twice "$name" -n ea link add $spec
	# shellcheck disable=SC2086
	run_fail ALREADY_EXISTS ctl -n ea link add $spec
	twice "$name del" -n ea link del "$name"
	run_fail NOT_FOUND ctl -n ea link del "$name"
done
run_fail NOT_FOUND ctl -n eb link show kveth1

# Deletes: the second finds nothing.
twice "link del" -n ea link del eifb0
run_fail NOT_FOUND ctl -n ea link del eifb0
# Coalesced plain deletes (calls in flight together): each member on its own.
ctl --ensure -j -n ea link del evx0 >"$T/d1" 2>&1 &
p1=$!
ctl --ensure -j -n ea link del evx0 >"$T/d2" 2>&1 &
p2=$!
ctl --ensure -j -n ea link del nosuch >"$T/d3" 2>&1 &
p3=$!
wait "$p1" "$p2" "$p3"
run cat "$T/d1" "$T/d2" "$T/d3"
expect_eq "$(grep -c '"already_done":true' <<<"$OUT")" 2 \
	"concurrent ensure deletes of one link and of a missing one: two find it gone"
expect_not_contains "$OUT" "Error" "no concurrent ensure delete fails"

# Updates: changing nothing is done already; a rename or a move found done.
twice "link set to what it is" -n ea link set ebr1 mtu 1500 up
run_ok ctl --ensure -j -n ea link set ebr1 mtu 1400
json_check "$OUT" 'not d.get("already_done", False) and d["mtu"] == 1400' "link set --ensure that changes something changes it"
twice "link rename" -n ea link set ebr1 name ebr9
run_fail NOT_FOUND ctl -n ea link set ebr1 name ebr9
twice "link move" -n ea link set es1 netns eb
run_ok ctl -j -n eb link show es1
json_check "$OUT" 'd[0]["name"] == "es1"' "es1 moved to eb once"
run_fail NOT_FOUND ctl --ensure -n ea link set nosuch up

# ---------------------------------------------------------------- addresses
twice "addr add" -n ea addr add 198.18.7.1/24 dev ebr0
twice "addr add with broadcast" -n ea addr add 198.18.8.1/24 broadcast 198.18.8.255 dev ebr0
twice "IPv6 addr add" -n ea addr add 2001:db8:7::1/64 dev ebr0
run_fail ALREADY_EXISTS ctl -n ea addr add 198.18.7.1/24 dev ebr0
run_fail ALREADY_EXISTS ctl --ensure -n ea addr add 198.18.8.1/24 broadcast 198.18.8.254 dev ebr0
expect_err_contains "broadcast 198.18.8.255 (asked 198.18.8.254)"
run_fail ALREADY_EXISTS ctl --ensure -n ea addr add 2001:db8:7::1/80 dev ebr0
expect_err_contains "prefix length 64 (asked 80)"
twice "addr del" -n ea addr del 198.18.7.1/24 dev ebr0
run_fail NOT_FOUND ctl -n ea addr del 198.18.7.1/24 dev ebr0
twice "IPv6 addr del" -n ea addr del 2001:db8:7::1/64 dev ebr0
run_ok ctl --ensure -j -n ea addr del 198.18.9.1/24 dev nosuch
json_check "$OUT" 'd.get("already_done") is True' "addr del --ensure on a missing link: already done"
run_fail NOT_FOUND ctl --ensure -n ea addr add 198.18.9.1/24 dev nosuch

# ---------------------------------------------------------------- routes
run_ok ctl -n ea addr add 198.18.7.1/24 dev ebr0
run_ok ctl -n ea addr add 198.18.7.9/32 dev ebr0
run_ok ctl -n ea addr add 2001:db8:7::1/64 dev ebr0
run_ok ctl -n ea addr add 198.18.10.1/24 dev ebr9
twice "route add" -n ea route add 198.18.100.0/24 via 198.18.7.2
twice "default route" -n ea route add default via 198.18.7.2 metric 5
twice "route with dev, proto, metric" -n ea route add 198.18.101.0/24 dev ebr0 proto static metric 20
twice "route with src" -n ea route add 198.18.102.0/24 dev ebr0 src 198.18.7.1
twice "IPv6 route" -n ea route add 2001:db8:99::/64 via 2001:db8:7::2 dev ebr0
run_fail ALREADY_EXISTS ctl -n ea route add 198.18.100.0/24 via 198.18.7.2
run_fail ALREADY_EXISTS ctl --ensure -n ea route add 198.18.100.0/24 via 198.18.7.3
expect_err_contains "gateway 198.18.7.2 (asked 198.18.7.3)"
run_fail ALREADY_EXISTS ctl --ensure -n ea route add 198.18.101.0/24 dev ebr9 proto static metric 20
expect_err_contains "dev ebr0 (asked ebr9)"
run_fail ALREADY_EXISTS ctl --ensure -n ea route add 198.18.101.0/24 dev ebr0 proto kernel metric 20
expect_err_contains "protocol 4 (asked 2)"
run_fail ALREADY_EXISTS ctl --ensure -n ea route add 198.18.102.0/24 dev ebr0 src 198.18.7.9
expect_err_contains "prefsrc 198.18.7.1 (asked 198.18.7.9)"
run_fail ALREADY_EXISTS ctl --ensure -n ea route add 198.18.100.0/24 dev ebr0 scope host
expect_err_contains "gateway 198.18.7.2 (asked none)"
expect_err_contains "scope 0 (asked 254)"
run_fail ALREADY_EXISTS ctl --ensure -n ea route add unreachable 198.18.100.0/24
expect_err_contains "type 1 (asked 7)"
twice "route del" -n ea route del 198.18.100.0/24
run_fail NOT_FOUND ctl -n ea route del 198.18.100.0/24
twice "IPv6 route del" -n ea route del 2001:db8:99::/64
run_ok ctl --ensure -j -n ea route del 198.18.103.0/24 dev nosuch
json_check "$OUT" 'd.get("already_done") is True' "route del --ensure through a missing device: already done"

# ---------------------------------------------------------------- batches
cat >"$T/b1" <<EOF
netns add ec
-n ec link set lo up
-n ec link add ecb up type bridge
-n ec addr add 198.18.20.1/24 dev ecb
-n ec route add 198.18.21.0/24 via 198.18.20.2
-n ec link add ecv0 master ecb up type veth peer name ecv1
-n ec link del ecv1
EOF
run_ok ctl -batch "$T/b1"
run_fail ALREADY_EXISTS ctl -batch "$T/b1"
run_ok ctl -batch "$T/b1" -ensure
run_ok ctl -j -n ec link show
json_check "$OUT" 'sorted(l["name"] for l in d) == ["ecb", "lo"]' "the resent batch left the same links"

# ---------------------------------------------------------------- BatchResult.already_done
require_faults_py
HERE=$(dirname "$(readlink -f "$0")")
wire() { timeout $((600 * SLOW)) "$PY" "$HERE/ensure_batch.py" "$SOCK" "$PROTO_DIR" "$@"; }
STATE=${NSRING_ENSURE_STATE:-$(dirname "$NSRINGCTL")/../../tests/system/ensure-state}
[[ -x $STATE ]] || die "ensure-state not found: $STATE (set NSRING_ENSURE_STATE)"

run_ok wire s 3
json_check "$OUT" 'd["code"] == "OK" and d["codes"] == {"OK": d["ops"]} and d["already_done"] == 0' \
	"a small wire batch: every operation OK, none already done"
run_ok wire s 3
json_check "$OUT" 'd["codes"].get("ALREADY_EXISTS", 0) > 0' "resent without ensure: ALREADY_EXISTS"
run_ok wire s 3 --ensure
json_check "$OUT" 'd["codes"] == {"OK": d["ops"]} and d["already_done"] == d["ops"]' \
	"resent with ensure: every operation OK and already_done"
run_ok wire s 3 --ensure --stop
json_check "$OUT" 'd["codes"] == {"OK": d["ops"]} and d["already_done"] == d["ops"]' \
	"the same in stop-on-error mode"
# A batch's run of deletes goes out as one group delete: its members already gone are done.
cat >"$T/b2" <<EOF2
-n s-h link del s-h0
-n s-h link del s-h1
-n s-h link del s-h2
EOF2
run_ok ctl -batch "$T/b2"
run_fail NOT_FOUND ctl -batch "$T/b2"
run_ok ctl -batch "$T/b2" -ensure

# ---------------------------------------------------------------- kill -9 in the middle
# The reference: the same batch never interrupted, into namespaces of another prefix.
# The issue's 1,000 containers run once, in the plain build; the sanitizer build (CI runs the
# system suite twice) checks the same with 200, to keep the suite's time in bounds.
if sanitized_build; then
	N=${NSRING_ENSURE_N:-200}
else
	N=${NSRING_ENSURE_N:-1000}
fi
run_ok wire b "$N"
ref_time=$(json_get "$OUT" 'round(d["elapsed"], 3)')
log "wire batch of $N containers ($((5 * N + 3)) operations), uninterrupted: $ref_time s"
json_check "$OUT" 'd["codes"] == {"OK": d["ops"]}' "the uninterrupted batch: every operation OK"

# Killed after a random delay while it runs (between 5% and 60% of the reference's time, from
# the moment the request is written).
delay=$(awk -v t="$ref_time" -v r="$RANDOM" 'BEGIN { printf "%.3f", t * (0.05 + 0.55 * r / 32768) }')
wire a "$N" --sent="$T/sent" >"$T/killed.json" 2>&1 &
wpid=$!
for ((i = 0; i < 3000; i++)); do
	[[ -e $T/sent ]] || ! kill -0 "$wpid" 2>/dev/null && break
	sleep 0.01
done
sleep "$delay"
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null
DPID=
wait "$wpid"
wrc=$?
log "nsringd killed ${delay} s into the batch; the client: $(<"$T/killed.json")"
expect_eq "$wrc" 3 "the batch was cut off by the kill (its connection ended unanswered)"
run ls "$NETNS_DIR"
log "namespaces of the interrupted run: $(grep -c '^a-' <<<"$OUT")"

t0=$EPOCHREALTIME
start_daemon
run_ok ctl netns list
log "the restarted daemon served after $(elapsed "$t0") s"
t0=$EPOCHREALTIME
run_ok wire a "$N" --ensure
log "resent with ensure in $(elapsed "$t0") s: $OUT"
json_check "$OUT" 'd["code"] == "OK" and d["codes"] == {"OK": d["ops"]}' \
	"the resent batch with ensure: every operation OK"
json_check "$OUT" '0 < d["already_done"] < d["ops"]' \
	"some operations found their work done, the others did it"
run_ok wire a "$N" --ensure
json_check "$OUT" 'd["codes"] == {"OK": d["ops"]} and d["already_done"] == d["ops"]' \
	"resent once more: everything already done"

# Every namespace as the uninterrupted run left it (from the kernel, not through nsringd).
"$STATE" "$NETNS_DIR" a "$N" >"$T/state-a" 2>"$T/state-a.err" || fail "ensure-state a: $(<"$T/state-a.err")"
"$STATE" "$NETNS_DIR" b "$N" >"$T/state-b" 2>"$T/state-b.err" || fail "ensure-state b: $(<"$T/state-b.err")"
run diff "$T/state-b" "$T/state-a"
expect_eq "$RC" 0 "links, addresses and routes of all $((N + 1)) namespaces equal the uninterrupted run's"
[[ $RC == 0 ]] || printf '#   %s\n' "$(head -n 20 <<<"$OUT")"
expect_eq "$(grep -c ': link eth0 kind veth mtu 1500 UP master - group 0 peer elsewhere$' "$T/state-a")" "$N" \
	"every container has its eth0, up, its peer in the host namespace"
expect_eq "$(grep -c ': route table 254 default/0 via 198.18.0.1 dev eth0 ' "$T/state-a")" "$N" \
	"every container has its default route"
expect_eq "$(grep -c '^P-h: link P-h[0-9]* kind veth mtu 1500 UP master P-br ' "$T/state-a")" "$N" \
	"every host end is up and enslaved to the bridge"
# ip's own view of a sample, with what differs between runs taken out: indexes, MACs, IPv6
# link-local addresses (made from the MACs) and their DAD state (a timer's).
ipview() {
	{
		in_ns "$1" ip -d -o link show 2>/dev/null
		in_ns "$1" ip -o addr show
		in_ns "$1" ip route show table all
	} | grep -v fe80 | sed -E 's/^[0-9]+: //; s/@if[0-9]+//; s/link-netns(id)? [^ ]+//; s/(link\/ether|brd|permaddr) [0-9a-f:]+//g;
		s/(inet6 fe80|fe80::)[^ ]*//; s/ (addrgenmode|numtxqueues|numrxqueues|gso_max_[a-z]+|gro_max_[a-z]+|tso_max_[a-z]+|gso_ipv4_max_[a-z]+|gro_ipv4_max_[a-z]+|parentbus|parentdev) [^ ]+//g;
		s/valid_lft [^ ]+ preferred_lft [^ ]+//; s/(id|port_id|port_no|bridge_id|designated_root|root_id|designated_bridge|designated_port|hold_timer|message_age_timer|forward_delay_timer|topology_change_timer|gc_timer|hello_timer|tcn_timer) [^ ]+//g;
		s/ tentative//; s/ +/ /g' | sort
}
same=0 checked=0
for i in 0 $((N / 2)) $((N - 1)) $((RANDOM % N)); do
	checked=$((checked + 1))
	if [[ "$(ipview "a-c$i")" == "$(ipview "b-c$i")" ]]; then
		same=$((same + 1))
	else
		diff <(ipview "b-c$i") <(ipview "a-c$i") | head -n 10 | sed "s/^/#   c$i: /"
	fi
done
expect_eq "$same" "$checked" "ip -d link / ip addr / ip route of sampled containers equal the uninterrupted run's"
