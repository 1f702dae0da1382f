#!/bin/bash
# System test: traffic control. A tbf at 8 Mbit/s on a veth shapes a real bulk transfer between
# two namespaces to its rate (and deleting it restores full speed); the CNI bandwidth plugin's
# ingress shaping (ingress qdisc, u32 + mirred redirect to an ifb, tbf on the ifb) in one Batch
# shapes a transfer into the namespace; htb classes and filters; ensure; the kinds this kernel
# lacks and bad input get clear statuses while the daemon keeps serving.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
start_daemon

RATE_PY=$(dirname "$(readlink -f "$0")")/tc_rate.py
PORT=5201

# measure SRC_NS DST_NS DST_ADDR SECONDS: the payload rate (bits/s) of a bulk transfer.
measure() {
	local out=$T/rate.out
	PORT=$((PORT + 1))
	in_ns "$2" "$PY" "$RATE_PY" recv "$3" "$PORT" >"$out" 2>"$T/rate.err" &
	local rpid=$!
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q listening "$T/rate.err" 2>/dev/null && break
		sleep 0.05
	done
	in_ns "$1" "$PY" "$RATE_PY" send "$3" "$PORT" "$4" 2>>"$T/rate.err"
	wait "$rpid"
	cat "$out"
}

# within VALUE TARGET PERCENT: VALUE within PERCENT of TARGET.
within() { awk -v v="$1" -v t="$2" -v p="$3" 'BEGIN { exit !(v >= t * (1 - p / 100) && v <= t * (1 + p / 100)) }'; }
fast() { awk -v v="$1" 'BEGIN { exit !(v > 50e6) }'; }
mbit() { awk -v v="$1" 'BEGIN { printf "%.2f Mbit/s", v / 1e6 }'; }

run_ok ctl netns add ta
run_ok ctl netns add tb
run_ok ctl -n ta link add va type veth peer name vb netns tb
run_ok ctl -n ta addr add 198.18.9.1/24 dev va
run_ok ctl -n tb addr add 198.18.9.2/24 dev vb
run_ok ctl -n ta link set va up
run_ok ctl -n tb link set vb up
run_ok ctl -n ta link set lo up
run_ok ctl -n tb link set lo up

# ---------------------------------------------------------------- egress tbf on a veth
full=$(measure ta tb 198.18.9.2 1)
log "without a qdisc: $(mbit "$full")"
expect_true "unshaped, the veth carries well over 50 Mbit/s" fast "$full"

run_ok ctl -n ta qdisc add dev va root tbf rate 8mbit burst 32kbit latency 50ms
expect_contains "$(in_ns ta tc qdisc show dev va)" "qdisc tbf" "tc sees the tbf on va"
expect_contains "$(in_ns ta tc qdisc show dev va)" "rate 8Mbit" "at 8 Mbit/s"
run_ok ctl -n ta qdisc show dev va
expect_contains "$OUT" "qdisc tbf" "nsringctl qdisc show lists it"
expect_contains "$OUT" "rate 8Mbit burst 4Kb limit 54096b" "with tc's rate, burst and limit"

shaped=$(measure ta tb 198.18.9.2 4)
log "through tbf 8mbit: $(mbit "$shaped")"
expect_true "a bulk transfer through tbf 8mbit measures within 25% of 8 Mbit/s ($(mbit "$shaped"))" within "$shaped" 8000000 25

run_ok ctl -n ta -s qdisc show dev va
expect_contains "$OUT" " Sent " "-s prints tc's counters"
sent=$(awk '/ Sent / { print $2; exit }' <<<"$OUT")
expect_true "the counters saw the transfer ($sent bytes sent)" test "${sent:-0}" -gt 1000000
run_ok ctl -j -n ta -s qdisc show dev va
json_check "$OUT" 'd[0]["kind"] == "tbf" and d[0]["tbf"]["rate"] == 1000000 and int(d[0]["stats"]["bytes"]) > 1000000' "-j -s: kind, rate in bytes/s and stats"

run_ok ctl -n ta qdisc del dev va root
expect_not_contains "$(in_ns ta tc qdisc show dev va)" "tbf" "the tbf is gone"
again=$(measure ta tb 198.18.9.2 1)
log "after qdisc del: $(mbit "$again")"
expect_true "deleting the qdisc restores full speed ($(mbit "$again"))" fast "$again"

# ---------------------------------------------------------------- ingress shaping in one Batch
# As the CNI bandwidth plugin does it for traffic into the namespace: an ifb, the ingress qdisc
# on the veth, a u32 match-all filter redirecting to the ifb, a tbf on the ifb.
cat >"$T/ingress.batch" <<'B'
-n tb link add ifb0 type ifb
-n tb link set ifb0 up
-n tb qdisc add dev vb ingress
-n tb filter add dev vb parent ffff: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev ifb0
-n tb qdisc add dev ifb0 root tbf rate 8mbit burst 32kbit latency 50ms
B
run_ok ctl -batch "$T/ingress.batch"
expect_contains "$(in_ns tb tc filter show dev vb parent ffff:)" "Redirect to device ifb0" "tc sees the redirect to ifb0"
run_ok ctl -n tb filter show dev vb parent ffff:
expect_contains "$OUT" "mirred (Egress Redirect to device ifb0)" "nsringctl filter show prints the redirect"
expect_contains "$OUT" "match 00000000/00000000 at 0" "and the match-all key"
ingress=$(measure ta tb 198.18.9.2 4)
log "into tb through ingress -> ifb0 tbf 8mbit: $(mbit "$ingress")"
expect_true "a transfer into the namespace is shaped to 8 Mbit/s within 25% ($(mbit "$ingress"))" within "$ingress" 8000000 25
outgoing=$(measure tb ta 198.18.9.1 1)
expect_true "traffic out of tb is not shaped ($(mbit "$outgoing"))" fast "$outgoing"
run_ok ctl -n tb filter del dev vb parent ffff: protocol all prio 1
run_ok ctl -n tb qdisc del dev vb ingress
expect_not_contains "$(in_ns tb tc qdisc show dev vb)" "ingress" "the ingress qdisc is gone"

# ---------------------------------------------------------------- htb, classes, filters
run_ok ctl -n ta qdisc add dev va root handle 1: htb default 10
run_ok ctl -n ta class add dev va parent 1: classid 1:10 htb rate 8mbit ceil 16mbit
run_ok ctl -n ta class add dev va parent 1: classid 1:20 htb rate 1mbit
run_ok ctl -n ta -s class show dev va
expect_contains "$OUT" "class htb 1:10 root prio 0 rate 8Mbit ceil 16Mbit" "class show: 1:10 with rate and ceil"
expect_contains "$OUT" "class htb 1:20 root prio 0 rate 1Mbit ceil 1Mbit" "class show: 1:20"
expect_contains "$OUT" " Sent " "-s class show: counters"
expect_contains "$(in_ns ta tc class show dev va)" "class htb 1:10" "tc sees the class"
run_ok ctl -n ta qdisc add dev va parent 1:20 handle 20: pfifo limit 50
expect_contains "$(in_ns ta tc qdisc show dev va)" "qdisc pfifo 20: parent 1:20 limit 50p" "tc sees a pfifo under class 1:20"
run_ok ctl -n ta qdisc show dev va
expect_contains "$OUT" "qdisc pfifo 20: dev va parent 1:20 limit 50p" "nsringctl lists it under its class"
run_ok ctl -n ta filter add dev va parent 1: protocol ip prio 1 u32 match ip dst 198.18.9.2/32 flowid 1:20
run_ok ctl -n ta filter show dev va parent 1:
expect_contains "$OUT" "flowid 1:20" "filter show: the flowid"
expect_contains "$OUT" "match c6120902/ffffffff at 16" "filter show: the ip dst key"
run_ok ctl -n ta filter show dev va
expect_contains "$OUT" "filter parent 1: protocol ip pref 1 u32" "filter show without a parent: the root qdisc's"
# The filter sends the transfer to 1:20 (1 Mbit/s).
classed=$(measure ta tb 198.18.9.2 3)
log "through htb class 1:20 (1mbit): $(mbit "$classed")"
expect_true "the u32 filter puts the transfer in class 1:20 ($(mbit "$classed"))" within "$classed" 1000000 35
run_ok ctl -n ta filter del dev va parent 1: prio 1
run_fail NOT_FOUND ctl -n ta class del dev va classid 1:30
expect_err_contains 'class 1:30 on "va"' "deleting a class that is not there names it"
run_ok ctl -n ta class del dev va classid 1:20
expect_not_contains "$(in_ns ta tc class show dev va)" "1:20" "class 1:20 is gone"
run_ok ctl -n ta qdisc replace dev va root tbf rate 4mbit burst 16kbit latency 20ms
expect_contains "$(in_ns ta tc qdisc show dev va)" "rate 4Mbit" "qdisc replace put a tbf in htb's place"
run_ok ctl -n ta qdisc change dev va root tbf rate 2mbit burst 16kbit latency 20ms
expect_contains "$(in_ns ta tc qdisc show dev va)" "rate 2Mbit" "qdisc change changed its rate"
run_ok ctl -n ta qdisc add dev va clsact
run_ok ctl -n ta qdisc show dev va
expect_contains "$OUT" "qdisc clsact ffff: dev va parent ffff:fff1" "clsact listed as tc lists it"
run_ok ctl -n ta filter add dev va egress protocol all prio 5 u32 match u32 0 0 action mirred egress mirror dev lo
run_ok ctl -j -n ta filter show dev va egress
json_check "$OUT" 'len(d) == 1 and d[0]["actions"][0]["mirred"]["dev"] == "lo" and not d[0]["actions"][0]["mirred"]["redirect"] and d[0]["parent"] == "egress"' "a clsact egress filter mirroring to lo"
run_ok ctl -n ta qdisc del dev va clsact
run_ok ctl -n ta qdisc del dev va root

# ---------------------------------------------------------------- kinds this kernel lacks
for q in "netem delay 10ms" "fq_codel" "prio" "sfq perturb 10"; do
	kind=${q%% *}
	if in_ns ta tc qdisc add dev va root $q 2>/dev/null; then
		in_ns ta tc qdisc del dev va root
		log "this kernel has $kind: not a missing kind here"
		continue
	fi
	run_fail INVALID_ARGUMENT ctl -n ta qdisc add dev va root $q
	expect_err_contains "CreateQdisc: qdisc \"$kind\" on \"va\": this kernel has no $kind qdisc (ENOENT: Specified qdisc kind is unknown" "$kind: the kernel's refusal names the missing kind"
done
run_ok ctl -n ta qdisc add dev va clsact
if ! in_ns ta tc filter add dev va ingress matchall action mirred egress mirror dev lo 2>/dev/null; then
	run_fail INVALID_ARGUMENT ctl -n ta filter add dev va ingress prio 1 matchall action mirred egress mirror dev lo
	expect_err_contains "this kernel has no matchall filter" "matchall: named as missing"
	run_fail INVALID_ARGUMENT ctl -n ta filter add dev va ingress protocol ip prio 1 flower ip_proto tcp dst_port 80 action mirred egress mirror dev lo
	expect_err_contains "this kernel has no flower filter" "flower: named as missing"
fi
if ! in_ns ta tc filter add dev va ingress protocol ip u32 match u32 0 0 action drop 2>/dev/null; then
	run_fail INVALID_ARGUMENT ctl -n ta filter add dev va ingress protocol ip prio 2 u32 match ip src 198.18.9.2/32 action drop
	expect_err_contains "this kernel lacks an action the filter uses (gact)" "gact drop: the missing action is named"
fi
run_fail INVALID_ARGUMENT ctl -n ta filter add dev va ingress prio 3 bpf name prog.o
expect_err_contains "bpf" "bpf: refused (no program loading), named"
run_ok ctl -n ta qdisc del dev va clsact

# ---------------------------------------------------------------- ensure (through raw ttrpc)
ensure_call() { # METHOD HEX-PAYLOAD: prints "CODE already_done"
	"$PY" - "$SOCK" "$1" "$2" <<'P'
import os, sys
sys.path.insert(0, os.path.join(os.environ["COMMON"]))
import nsring_ttrpc as t
c = t.Conn(sys.argv[1])
code, msg, payload = c.call(1, sys.argv[2], bytes.fromhex(sys.argv[3]))
f = t.fields(payload)
print(t.code_name(code), f.get(15, [0])[0], msg)
P
}
export COMMON=$(dirname "$(readlink -f "$0")")/../common
hexq=$("$PY" - <<'P'
import os, sys
sys.path.insert(0, os.environ["COMMON"])
import nsring_ttrpc as t
tbf = t.field(1, 1000000) + t.field(2, 4096) + t.field(4, 50000)
q = t.field(1, "va") + t.field(10, tbf)
print((t.field(1, t.field(1, "ta")) + t.field(2, q) + t.field(15, 1)).hex())
tbf2 = t.field(1, 2000000) + t.field(2, 4096) + t.field(4, 50000)
print((t.field(1, t.field(1, "ta")) + t.field(2, t.field(1, "va") + t.field(10, tbf2)) + t.field(15, 1)).hex())
print((t.field(1, t.field(1, "ta")) + t.field(2, t.field(1, "va")) + t.field(15, 1)).hex())
P
)
create=$(sed -n 1p <<<"$hexq"); other=$(sed -n 2p <<<"$hexq"); del=$(sed -n 3p <<<"$hexq")
expect_eq "$(ensure_call CreateQdisc "$create" | cut -d' ' -f1-2)" "OK 0" "ensure: the first CreateQdisc creates it"
expect_eq "$(ensure_call CreateQdisc "$create" | cut -d' ' -f1-2)" "OK 1" "ensure: the same again is already_done"
# BatchRequest.ensure carries it to every op of the batch (the op's own flag is not set).
batch_ensure=$("$PY" - "$SOCK" <<'P'
import os, sys
sys.path.insert(0, os.environ["COMMON"])
import nsring_ttrpc as t
tbf = t.field(1, 1000000) + t.field(2, 4096) + t.field(4, 50000)
cq = t.field(1, t.field(1, "ta")) + t.field(2, t.field(1, "va") + t.field(10, tbf))
c = t.Conn(sys.argv[1])
for ensure in (1, 0):
    req = t.field(1, t.field(65, cq)) + (t.field(3, 1) if ensure else b"")
    code, msg, payload = c.call(1 + ensure, "Batch", req)
    res = t.fields(t.fields(payload)[1][0])
    done = t.fields(res[165][0]).get(15, [0])[0] if 165 in res else "-"
    print(t.code_name(code), res.get(1, [0])[0], done, end=" ")
P
)
expect_eq "$batch_ensure" "OK 0 1 OK 6 - " "Batch with ensure: the existing tbf is already_done; without: ALREADY_EXISTS (6)"
r=$(ensure_call CreateQdisc "$other")
expect_eq "$(cut -d' ' -f1 <<<"$r")" "ALREADY_EXISTS" "ensure: another rate is ALREADY_EXISTS"
expect_contains "$r" "tbf.rate" "naming the differing attribute"
expect_eq "$(ensure_call DeleteQdisc "$del" | cut -d' ' -f1-2)" "OK 0" "ensure: DeleteQdisc deletes it"
expect_eq "$(ensure_call DeleteQdisc "$del" | cut -d' ' -f1-2)" "OK 1" "ensure: deleting again is already_done"

# ---------------------------------------------------------------- bad input
run_ok ctl -n ta qdisc add dev va root handle 1: htb
run_fail ALREADY_EXISTS ctl -n ta qdisc add dev va root handle 1: tbf rate 1mbit burst 10k latency 10ms
expect_err_contains 'qdisc "tbf" on "va"' "a handle clash at root names the qdisc and link"
run_ok ctl -n ta class add dev va parent 1: classid 1:10 htb rate 1mbit
run_fail ALREADY_EXISTS ctl -n ta qdisc add dev va parent 1:10 handle 1: pfifo
expect_err_contains 'qdisc "pfifo" on "va": handle 1: is another qdisc'"'"'s on this link' "a handle clash (1: is htb's) names the handle"
run_fail NOT_FOUND ctl -n ta filter add dev va parent 5: protocol all prio 1 u32 match u32 0 0 action mirred egress redirect dev lo
expect_err_contains 'filter u32 at 5: on "va": no such parent qdisc' "a filter on a missing parent: NOT_FOUND naming it"
run_fail NOT_FOUND ctl -n ta filter add dev vb parent ffff: protocol all u32 match u32 0 0
expect_err_contains '"vb" not found' "a filter on a link not in the namespace"
run_fail NOT_FOUND ctl -n ta qdisc add dev nosuch root tbf rate 1mbit burst 10k latency 10ms
run_fail NOT_FOUND ctl -n ta filter add dev va parent 1: u32 match u32 0 0 action mirred egress redirect dev nosuch
expect_err_contains '"nosuch"' "a mirred target that does not exist is named"
run_usage "exactly one of" ctl -n ta qdisc add dev va root tbf rate 1mbit burst 10k
run_usage "unknown qdisc" ctl -n ta qdisc add dev va root cake
run_usage "needs a rate" ctl -n ta qdisc add dev va root tbf rate fast burst 10k latency 1ms
run_ok ctl -n ta qdisc del dev va root
run_fail NOT_FOUND ctl -n ta qdisc del dev va root
expect_err_contains "there is none to delete" "deleting a root qdisc that is not there"
run_ok ctl netns list
expect_contains "$OUT" "ta" "the daemon keeps serving after the refusals"

# ---------------------------------------------------------------- Watch: qdisc events
timeout 20 "$NSRINGCTL" -s "$SOCK" -n ta monitor qdisc --snapshot >"$T/mon.out" 2>"$T/mon.err" &
mon=$!
for ((i = 0; i < 200; i++)); do
	grep -q Synced "$T/mon.out" 2>/dev/null && break
	sleep 0.05
done
run_ok ctl -n ta qdisc add dev va root handle 5: tbf rate 8mbit burst 32kbit latency 50ms
run_ok ctl -n ta qdisc change dev va root handle 5: tbf rate 4mbit burst 32kbit latency 50ms
run_ok ctl -n ta qdisc del dev va root
for ((i = 0; i < 200; i++)); do
	grep -q "Deleted qdisc tbf 5:" "$T/mon.out" 2>/dev/null && break
	sleep 0.05
done
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
mon_out=$(cat "$T/mon.out")
expect_contains "$mon_out" "[ta] qdisc noqueue 0: dev va root" "monitor qdisc --snapshot: va's default qdisc in the snapshot"
expect_contains "$mon_out" "[ta] Synced" "then Synced"
expect_contains "$mon_out" "[ta] qdisc tbf 5: dev va root rate 8Mbit burst 4Kb limit 54096b" "the added tbf"
expect_contains "$mon_out" "[ta] qdisc tbf 5: dev va root rate 4Mbit" "the changed tbf"
expect_contains "$mon_out" "[ta] Deleted qdisc tbf 5: dev va root" "the deleted tbf"
log "monitor qdisc: $(tr '\n' '|' <<<"$mon_out")"

run_ok ctl netns del ta
run_ok ctl netns del tb
