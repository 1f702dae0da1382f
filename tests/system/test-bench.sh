#!/bin/bash
# System test: nsring-bench smoke runs. Every workload with a small N against a private nsringd,
# plain RPCs and Batch: it completes, the summary / JSON is well-formed and counts the right
# operations, and everything it created is gone afterwards. Never asserts on speed.
# nsring-bench's path comes in $NSRING_BENCH (the harness re-executes with two arguments only).
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"

BENCH=${NSRING_BENCH:-$(dirname "$NSRINGCTL")/nsring-bench}
[[ -x $BENCH ]] || die "nsring-bench not found: $BENCH (set NSRING_BENCH)"
start_daemon

bench() { timeout 300 "$BENCH" -s "$SOCK" "$@"; }

# ---------------------------------------------------------------- command line

run bench --help
expect_eq "$RC" 0 "--help exits 0"
for word in veth route wire wire-create netns delete get topo sysctl --count --clients --depth \
	--batch --nodes --links --json --prefix --no-cleanup --no-ipv6 --quiet --socket; do
	expect_contains "$OUT" "$word" "--help mentions $word"
done
run bench
expect_eq "$RC" 2 "no workload: exit 2"
expect_contains "$ERR" "no workload" "no workload: says so"
run bench frob
expect_eq "$RC" 2 "unknown workload: exit 2"
expect_contains "$ERR" 'unknown workload "frob"' "unknown workload: named"
run bench veth --depth 0
expect_eq "$RC" 2 "--depth 0: exit 2"
expect_contains "$ERR" "--depth" "--depth 0: the option is named"
run bench topo --count 5
expect_eq "$RC" 2 "topo --count: exit 2"
run "$BENCH" -s "$T/nonexistent.sock" -q get -n 1
expect_eq "$RC" 1 "no daemon: exit 1"
expect_contains "$ERR" "$T/nonexistent.sock" "no daemon: the socket is named"

# ---------------------------------------------------------------- every workload

# check_run WORKLOAD EXPECTED_OPS BATCH ARGS...: a JSON run; checks fields and counts.
check_run() {
	local w=$1 ops=$2 batch=$3
	shift 3
	run bench -q -j --batch "$batch" "$w" "$@"
	if [[ $RC != 0 ]]; then
		fail "$w --batch $batch $* should succeed"
		show_last
		return 1
	fi
	pass "$w --batch $batch $*"
	expect_eq "$(wc -l <<<"$OUT")" 1 "$w --batch $batch: one line on stdout"
	json_check "$OUT" 'd["workload"] == "'"$w"'" and d["ops"] == '"$ops"' and d["batch"] == '"$batch" \
		"$w --batch $batch: workload, $ops ops, batch"
	json_check "$OUT" 'all(k in d for k in ["clients", "depth", "elapsed_s", "ops_per_s", "rpcs",
		"rpcs_per_s", "latency_p50_ms", "latency_p99_ms", "latency_p999_ms"])' \
		"$w --batch $batch: every summary field"
	json_check "$OUT" '(d["elapsed_s"] > 0 and d["rpcs"] >= 1 and
		0 < d["latency_p50_ms"] <= d["latency_p99_ms"] <= d["latency_p999_ms"])' \
		"$w --batch $batch: elapsed and latency percentiles are sane"
	if [[ $batch == 1 ]]; then
		json_check "$OUT" 'd["rpcs"] == d["ops"]' "$w --batch 1: one RPC per op"
	else
		json_check "$OUT" 'd["rpcs"] < d["ops"]' "$w --batch $batch: fewer RPCs than ops"
	fi
	if [[ $w == wire || $w == wire-create ]]; then
		json_check "$OUT" '"containers_per_s" in d' "$w: containers/s reported"
	fi
	run_ok ctl -j netns list
	json_check "$OUT" 'd == []' "$w --batch $batch: every namespace it made is deleted"
}

N=12
for batch in 1 8; do
	check_run veth $N $batch -n $N -c 2 -d 4
	check_run route $((N * 4)) $batch -n $((N * 4)) -c 2 -d 4
	check_run wire $((N * 6)) $batch -n $N -c 2 -d 4
	check_run wire-create $((N * 7)) $batch -n $N -c 2 -d 4
	check_run netns $((N * 2)) $batch -n $N -c 2 -d 4
	check_run delete $N $batch -n $N -c 2 -d 4
	check_run get 500 $batch -n 500 -c 3 -d 16
	check_run topo $((6 + 9 * 7)) $batch --nodes 6 --links 9 -c 2 -d 4
	check_run sysctl $N $batch -n $N -c 2 -d 4
	check_run wire $((N * 6)) $batch -n $N -c 2 -d 4 --no-ipv6
	check_run qdisc $N $batch -n $N -c 2 -d 4
done
# A Batch smaller than a container's chain of 6: the chain is split over several RPCs.
check_run wire $((N * 6)) 4 -n $N -c 1 -d 2

# The text summary.
run_ok bench -q wire -n 3
for word in workload count clients depth batch elapsed ops/s containers/s rpcs/s \
	"latency p50" "latency p99" "latency p99.9"; do
	expect_contains "$OUT" "$word" "summary shows $word"
done

# ---------------------------------------------------------------- failures and cleanup

# A name that is taken: exit 1 with the daemon's error, and the other party's namespace stays.
run_ok ctl netns add taken-v
run bench -q --prefix taken veth -n 3
expect_eq "$RC" 1 "a failed operation: exit 1"
expect_contains "$ERR" "CreateNamespace taken-v: ALREADY_EXISTS" "the first error is printed"
run_ok ctl -j netns list
json_check "$OUT" '[n["name"] for n in d] == ["taken-v"]' "a namespace it did not create stays"
run_ok ctl netns del taken-v

# A failure inside a Batch (a container namespace taken): its message is reported.
run_ok ctl netns add bt-c2
run bench -q --prefix bt --batch 14 wire-create -n 4
expect_eq "$RC" 1 "a failed op in a Batch: exit 1"
expect_contains "$ERR" "CreateNamespace bt-c2: ALREADY_EXISTS" "the Batch's failed op is named"
run_ok ctl -j netns list
json_check "$OUT" '[n["name"] for n in d] == ["bt-c2"]' "only the foreign namespace is left"
run_ok ctl netns del bt-c2

# sysctl: ip_forward is on in every namespace; --no-ipv6: IPv6 off in the containers and on the
# bridge, set when each namespace was made.
run_ok bench -q --prefix sy --no-cleanup sysctl -n 3
run_ok in_ns sy-s2 cat /proc/sys/net/ipv4/ip_forward
expect_eq "$OUT" 1 "sysctl: ip_forward is 1 in the last namespace"
for i in 0 1 2; do run_ok ctl netns del sy-s$i; done
run_ok bench -q --prefix v6 --no-cleanup --no-ipv6 wire -n 2
run_ok in_ns v6-c1 cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6 /proc/sys/net/ipv6/conf/all/disable_ipv6
expect_eq "$OUT" $'1\n1' "--no-ipv6: eth0 and all have IPv6 off in a container"
run_ok in_ns v6-h cat /proc/sys/net/ipv6/conf/v6-br/disable_ipv6
expect_eq "$OUT" 1 "--no-ipv6: the bridge has IPv6 off"
for n in v6-c0 v6-c1 v6-h; do run_ok ctl netns del $n; done

# --no-cleanup leaves the workload's namespaces (but not its probe namespace).
run_ok bench -q --prefix keep --no-cleanup veth -n 3
run_ok ctl -j -n keep-v link show
json_check "$OUT" 'len([l for l in d if l["kind"] == "veth"]) == 6' "--no-cleanup: the veths stay"
run_ok ctl -j netns list
json_check "$OUT" '[n["name"] for n in d] == ["keep-v"]' "--no-cleanup: only keep-v"
run_ok ctl netns del keep-v

# SIGINT: stop, drain, clean up, exit 128+2 (or 0 if it was already done: no timing assumed).
"$BENCH" -s "$SOCK" -q --prefix int wire-create -n 400 -c 2 -d 8 >"$T/int.out" 2>"$T/int.err" &
pid=$!
sleep 0.3
kill -INT "$pid" 2>/dev/null
wait "$pid"
rc=$?
expect_true "SIGINT: exit 130 or 0 (got $rc)" test "$rc" = 130 -o "$rc" = 0
[[ $rc == 130 ]] && expect_contains "$(<"$T/int.err")" "interrupted" "SIGINT: says interrupted"
run_ok ctl -j netns list
json_check "$OUT" 'd == []' "SIGINT: everything it created is deleted"
