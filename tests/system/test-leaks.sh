#!/bin/bash
# System test: no leaks. 10,000 namespace cycles (created through nsringd, used: lo brought up,
# and in every 10th a veth whose peer is in a keeper namespace; deleted), in rounds of 1000, each
# round through new client connections;
# 10,000 ttrpc connection cycles and 500 gRPC channel cycles (open, a call, close); 200
# namespaces reached by pid (under NSRING_VALGRIND: 2 x 100 namespaces, 500 connections, no pids) (a process in its own namespace, a call, the process exits). Then:
# nsringd's fd count is back to its start, it holds no nsfs fd, its RSS is flat (its high-water
# mark after two warm-up rounds does not grow: glibc keeps or returns its heap as it likes), and
# the kernel freed the namespaces (each veth peer left the keeper namespace, which happens only
# when its namespace is freed; the other namespaces had nothing else pinning them: no nsfs fd in
# nsringd, no bind mount). NSRING_LEAKS_ROUNDS changes the number of namespace rounds (10).
HERE=$(dirname "$(readlink -f "$0")")
source "$HERE/lib.sh"
sys_init "$@"
require_faults_py
ROUNDS=${NSRING_LEAKS_ROUNDS:-10}
PER=1000
CONNS=10000
PIDS=200
# Under valgrind (lib.sh: NSRING_VALGRIND) everything is much slower: fewer cycles.
# valgrind 3.19 has no pidfd_open, so nsringd cannot watch processes there: no pid cycles.
[[ -n ${NSRING_VALGRIND:-} ]] && ROUNDS=${NSRING_LEAKS_ROUNDS:-2} PER=100 CONNS=500 PIDS=0

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
nsfs_fds() { ls -l "/proc/$1/fd" 2>/dev/null | grep -c 'net:\['; }
keep_links() { in_ns keep ip -o link show | wc -l; }
# wait_keep_empty: up to 60 s for every veth peer to leave keep (their namespaces freed).
wait_keep_empty() {
	local i
	for ((i = 0; i < 600; i++)); do
		(($(keep_links) == 1)) && return 0
		sleep 0.1
	done
	return 1
}

# round R: PER namespaces created and used in one Batch call, then deleted in another, through
# one nsringctl connection each.
round() {
	local r=$1 i
	for ((i = 0; i < PER; i++)); do
		printf 'netns add lk%s.%s\n-n lk%s.%s link set lo up\n' "$r" "$i" "$r" "$i"
		((i % 10 == 0)) &&
			printf -- '-n lk%s.%s link add v0 type veth peer name p%s.%s netns keep\n' \
				"$r" "$i" "$r" "$i"
	done >"$T/create.batch"
	for ((i = 0; i < PER; i++)); do
		printf 'netns del lk%s.%s\n' "$r" "$i"
	done >"$T/delete.batch"
	local rc=0
	timeout 600 "$NSRINGCTL" -s "$SOCK" --timeout 500 -batch "$T/create.batch" || rc=1
	(($(keep_links) == PER / 10 + 1)) || { log "round $r: $(keep_links) links in keep"; rc=1; }
	# Deleted whatever happened, so a failed round leaves nothing behind.
	timeout 600 "$NSRINGCTL" -s "$SOCK" --timeout 500 -batch "$T/delete.batch" -force || rc=1
	return $rc
}

# glibc moves its mmap threshold up after big frees, so the same work may leave RSS at either of
# two levels: fix the thresholds so that RSS follows what is allocated. (ASan's allocator and
# valgrind's ignore these; their RSS says nothing about leaks: LeakSanitizer and memcheck do.)
DAEMON_PREFIX=(env GLIBC_TUNABLES=glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072)
start_daemon
DAEMON_PREFIX=()
check_rss=1
if grep -q libasan "/proc/$DPID/maps" || [[ -n ${NSRING_VALGRIND:-} ]]; then
	check_rss=0
	log "ASan or valgrind: RSS is logged, not checked"
fi
run_ok ctl netns add keep
run_ok ctl -n keep link show lo
fds_start=$(daemon_fds "$DPID")
rss_start=$(rss "$DPID")

# Warm-up: two rounds and some connections, so the allocator has its working set; its RSS
# high-water mark is the reference.
t0=$EPOCHREALTIME
warm=()
for r in w0 w1; do
	run_ok round $r
	warm+=("$(rss "$DPID")")
done
expect_true "warm-up: the kernel freed its namespaces" wait_keep_empty
run_ok timeout 120 "$PY" "$HERE/faults.py" conn-cycles "$SOCK" "$PROTO_DIR" keep 1000 50
warm+=("$(rss "$DPID")")
expect_true "nsringd's fds back after the warm-up ($fds_start; now $(daemon_fds "$DPID"))" wait_fds_le "$fds_start"
rss_warm=$(printf '%s\n' "${warm[@]}" | sort -n | tail -n 1)
log "warm-up took $(elapsed "$t0") s; RSS $rss_start kB at start, after the warm-up steps ${warm[*]} kB"

# ---------------------------------------------------------------- 10,000 namespace cycles
t0=$EPOCHREALTIME
samples=()
ok=1
for ((r = 0; r < ROUNDS; r++)); do
	round "$r" || { ok=0; fail "namespace round $r"; break; }
	samples+=("$(rss "$DPID")")
done
expect_eq "$ok" 1 "$((ROUNDS * PER)) namespaces created, used and deleted in $ROUNDS rounds"
log "$((ROUNDS * PER)) namespace cycles in $(elapsed "$t0") s; RSS after each round (kB): ${samples[*]}"
expect_true "the kernel freed the namespaces (all $((ROUNDS * PER / 10)) veth peers left keep)" wait_keep_empty
expect_eq "$(ls "$NETNS_DIR" | grep -c '^lk')" 0 "no namespace file is left in the netns dir"
expect_true "nsringd holds no nsfs fd but keep's after the namespace cycles ($(nsfs_fds "$DPID"))" \
	test "$(nsfs_fds "$DPID")" -le 1

# ---------------------------------------------------------------- 10,000 connection cycles
t0=$EPOCHREALTIME
run_ok timeout 300 "$PY" "$HERE/faults.py" conn-cycles "$SOCK" "$PROTO_DIR" keep "$CONNS" 500
expect_eq "$OUT" "ttrpc $CONNS/$CONNS grpc 500/500" "$CONNS ttrpc connections and 500 gRPC channels: a call each"
log "connection cycles in $(elapsed "$t0") s"
samples+=("$(rss "$DPID")")

# ---------------------------------------------------------------- 200 namespaces by pid
t0=$EPOCHREALTIME
self=$(readlink /proc/self/ns/net)
bad=0
for ((i = 0; i < PIDS; i++)); do
	unshare --net -- sleep 60 </dev/null >/dev/null 2>&1 &
	pid=$!
	# Until the child is in its own namespace: before that, pid:N names the test's own
	# namespace, which is nsringd's, and nsringd never lets go of its own (a slow machine, or
	# ASan, can take over a second to get there).
	moved=0
	for ((k = 0; k < 2000; k++)); do
		[[ $(readlink "/proc/$pid/ns/net" 2>/dev/null) != "$self" ]] && moved=1 && break
		sleep 0.005
	done
	if ((moved)); then
		timeout 30 "$NSRINGCTL" -s "$SOCK" -n "pid:$pid" link show lo >/dev/null ||
			bad=$((bad + 1))
	else
		log "pid $pid: still in our namespace after 10 s"
		bad=$((bad + 1))
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null
done
expect_eq "$bad" 0 "$PIDS namespaces reached by pid, used, and their processes gone"
log "pid cycles in $(elapsed "$t0") s"
samples+=("$(rss "$DPID")")

# ---------------------------------------------------------------- the verdict
expect_true "nsringd's fds back to the start ($fds_start at start; now $(daemon_fds "$DPID"))" \
	wait_fds_le "$fds_start"
expect_eq "$(nsfs_fds "$DPID")" 1 "nsringd holds one nsfs fd (keep's), none of the others" ||
	log "nsfs fds: $(ls -l "/proc/$DPID/fd" | grep -o 'net:\[[0-9]*\]' | tr '\n' ' ')(keep" \
		"$(stat -L -c %i "$NETNS_DIR/keep"), nsringd's own $(readlink "/proc/$DPID/ns/net"))"
rss_end=$(rss "$DPID")
max=$(printf '%s\n' "${samples[@]}" | sort -n | tail -n 1)
log "RSS kB: start $rss_start, warm-up max $rss_warm, max after $max, end $rss_end"
# 10,000 cycles leaking even 100 bytes each would add ~1 MiB: allow 1 MiB over the warm state.
if ((check_rss)); then
	expect_true "RSS flat: its high-water mark after the warm-up ($max kB) <= the warm-up's ($rss_warm kB) + 1 MiB" \
		test "$max" -le $((rss_warm + 1024))
	expect_true "RSS flat: $rss_end kB at the end <= the warm-up's $rss_warm kB + 1 MiB" \
		test "$rss_end" -le $((rss_warm + 1024))
fi
# Flat across rounds: the second half of the namespace rounds is no higher than the first half.
if ((check_rss && ROUNDS >= 4)); then
	half=$((ROUNDS / 2))
	first=$(printf '%s\n' "${samples[@]:0:half}" | sort -n | tail -n 1)
	second=$(printf '%s\n' "${samples[@]:half:ROUNDS-half}" | sort -n | tail -n 1)
	expect_true "RSS flat across rounds (max of the first half $first kB, of the second $second kB, + 512 KiB)" \
		test "$second" -le $((first + 512))
fi
run_ok ctl netns del keep
expect_true "nsringd holds no nsfs fd at all once keep is deleted" test "$(nsfs_fds "$DPID")" = 0
