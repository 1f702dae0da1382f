#!/bin/bash
# System test: scale. 1000 namespaces created, opened (a link show in each, 16 clients at a time)
# and deleted through one nsringd, while a sampler checks that the daemon's thread count stays
# bounded and its main thread never leaves its network namespace; the daemon's fds come back
# down once the namespaces are deleted.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"

N=${NSRING_SCALE_N:-1000}
# Threads allowed: the main thread, the namespace opener threads (--opener-threads, default 4)
# and a few more (io_uring workers).
MAX_THREADS=8

# nsringd needs 2 fds per open namespace: with the usual soft limit of 1024 (systemd's default)
# it cannot serve more than ~500 namespaces unless it raises its own soft limit toward the hard
# limit. Started with a soft limit of 1024, it must serve 600.
hard=$(ulimit -Hn)
if [[ $hard == unlimited || $hard -ge 4096 ]]; then
	DAEMON_PREFIX=(prlimit --nofile=1024: --)
	start_daemon
	DAEMON_PREFIX=()
	seq 0 599 | xargs -P 8 -I{} timeout 60 "$NSRINGCTL" -s "$SOCK" netns add lim{} 2>"$T/lim.err"
	expect_eq "$?" 0 "nsringd started with a soft fd limit of 1024 serves 600 namespaces"
	if [[ -s $T/lim.err ]]; then
		log "$(grep -c . "$T/lim.err") errors, e.g.:"
		head -n 3 "$T/lim.err" | sed 's/^/#   /'
	fi
	log "nsringd's soft fd limit: $(awk '/^Max open files/ { print $4 }' "/proc/$DPID/limits")"
	seq 0 599 | xargs -P 8 -I{} timeout 60 "$NSRINGCTL" -s "$SOCK" netns del lim{} >/dev/null 2>&1
	run_ok ctl -j netns list
	json_check "$OUT" 'd == []' "the 600 namespaces are deleted"
	stop_daemon
	# The rest runs with a soft limit that fits, so it tests the scale and not the limit.
	if [[ $hard == unlimited ]]; then ulimit -Sn 65536; else ulimit -Sn "$((hard < 65536 ? hard : 65536))"; fi
else
	log "hard fd limit $hard: not checking that nsringd copes with a soft limit of 1024"
fi
(($(ulimit -Sn) >= 2 * N + 100)) || die "the fd limit ($(ulimit -Sn)) is too low for $N namespaces"

start_daemon
own_netns=$(readlink /proc/self/ns/net)
netns0=$(main_thread_netns "$DPID")
expect_eq "$netns0" "$own_netns" "before: nsringd's main thread is in the test's network namespace"
fds0=$(daemon_fds "$DPID")
threads0=$(daemon_threads "$DPID")
log "nsringd pid $DPID: $threads0 threads, $fds0 fds at start"

# The sampler: every 50 ms, the thread count and the main thread's netns (and every 10th
# time the fd count).
sampler() {
	local pid=$1 i=0 line threads
	while kill -0 "$pid" 2>/dev/null; do
		# One read of the whole file: /proc regenerates it on every read.
		line=$(<"/proc/$pid/status") || break
		threads=${line#*Threads:}
		threads=${threads%%$'\n'*}
		if ((i++ % 10 == 0)); then
			echo "${threads//[[:space:]]/} $(readlink "/proc/$pid/task/$pid/ns/net") $(ls "/proc/$pid/fd" | wc -l)"
		else
			echo "${threads//[[:space:]]/} $(readlink "/proc/$pid/task/$pid/ns/net")"
		fi
		sleep 0.05
	done
}
sampler "$DPID" >"$T/samples" 2>/dev/null &
SAMPLER=$!
BG_PIDS+=("$SAMPLER")

names() { seq 0 $((N - 1)) | sed 's/^/ns/'; }

# ---------------------------------------------------------------- create
t0=$EPOCHREALTIME
names | xargs -P 8 -I{} timeout 60 "$NSRINGCTL" -s "$SOCK" netns add {} 2>"$T/add.err"
rc=$?
expect_eq "$rc" 0 "$N x netns add (8 clients at a time) all succeed"
[[ -s $T/add.err ]] && head -n 5 "$T/add.err" | sed 's/^/#   /'
log "created $N namespaces in $(elapsed "$t0") s"
run_ok ctl -j netns list
json_check "$OUT" 'len(d) == '"$N" "netns list shows $N namespaces"
json_check "$OUT" '[n["name"] for n in d] == sorted(n["name"] for n in d)' "netns list is sorted by name"
json_check "$OUT" 'len(set(n["inode"] for n in d)) == '"$N" "the $N namespaces are distinct"
expect_eq "$(ls "$NETNS_DIR" | wc -l)" "$N" "$N files in the netns dir"

# ---------------------------------------------------------------- open them all
t0=$EPOCHREALTIME
names | xargs -P 16 -I{} timeout 60 "$NSRINGCTL" -s "$SOCK" -j -n {} link show >"$T/show.out" 2>"$T/show.err"
rc=$?
expect_eq "$rc" 0 "$N x link show -n nsI (16 clients at a time) all succeed"
[[ -s $T/show.err ]] && head -n 5 "$T/show.err" | sed 's/^/#   /'
log "opened $N namespaces (link show in each) in $(elapsed "$t0") s"
expect_eq "$("$PY" -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    n += len(d) == 1 and d[0]["name"] == "lo"
print(n)' "$T/show.out")" "$N" "each of the $N namespaces lists exactly lo"
fds_open=$(daemon_fds "$DPID")
log "nsringd has $fds_open fds with $N namespaces open"
expect_true "nsringd holds fds for the open namespaces ($fds_open fds)" test "$fds_open" -ge "$N"
# A second round reuses the open namespaces: no new fds.
seq 0 99 | sed "s/^/ns/" | xargs -P 16 -I{} timeout 60 "$NSRINGCTL" -s "$SOCK" -n {} link show lo >/dev/null 2>"$T/show2.err"
expect_eq "$?" 0 "a second link show in 100 open namespaces succeeds"
fds_again=$(daemon_fds "$DPID")
expect_true "re-using open namespaces opens no new fds ($fds_open -> $fds_again)" \
	test "$fds_again" -le $((fds_open + 4))
# Changes in a few of them, to see the connections work past a lookup.
run_ok ctl -n ns7 link add sv0 type veth peer name sv1 netns ns8
run_ok ctl -j -n ns8 link show sv1
json_check "$OUT" 'd[0]["kind"] == "veth"' "a veth between two of the $N namespaces"
run_ok ctl -n ns$((N - 1)) addr add 198.18.0.1/24 dev lo
run_ok ctl -j -n ns$((N - 1)) addr show
json_check "$OUT" '[a["address"] for a in d] == ["198.18.0.1"]' "an address in the last namespace"

# Many links in one namespace, created by concurrent clients: every request answered, and a
# listing (a multi-part dump) that holds them all.
L=${NSRING_SCALE_LINKS:-300}
seq 0 $((L - 1)) | xargs -P 16 -I{} timeout 60 "$NSRINGCTL" -s "$SOCK" -n ns1 link add m{} type veth peer name p{} 2>"$T/links.err"
expect_eq "$?" 0 "$L veth pairs created in ns1 by 16 concurrent clients"
[[ -s $T/links.err ]] && head -n 5 "$T/links.err" | sed 's/^/#   /'
run_ok ctl -j -n ns1 link show
json_check "$OUT" 'len(d) == 2 * '"$L"' + 1' "link show in ns1 lists all $((2 * L + 1)) links"
json_check "$OUT" 'len(set(l["index"] for l in d)) == len(d)' "every listed link has its own index"
expect_eq "$(in_ns ns1 ip -o link show | wc -l)" $((2 * L + 1)) "ip agrees: $((2 * L + 1)) links in ns1"
run_ok ctl -j -n ns1 link show type veth
json_check "$OUT" 'len(d) == 2 * '"$L" "link show type veth lists the $((2 * L)) veths"
seq 0 49 | xargs -P 16 -I{} timeout 60 "$NSRINGCTL" -s "$SOCK" -n ns1 link del m{} 2>"$T/linkdel.err"
expect_eq "$?" 0 "50 concurrent link deletes in ns1"
expect_eq "$(in_ns ns1 ip -o link show | wc -l)" $((2 * (L - 50) + 1)) "ip: 50 pairs gone from ns1"

# ---------------------------------------------------------------- delete
t0=$EPOCHREALTIME
names | xargs -P 8 -I{} timeout 60 "$NSRINGCTL" -s "$SOCK" netns del {} 2>"$T/del.err"
rc=$?
expect_eq "$rc" 0 "$N x netns del all succeed"
[[ -s $T/del.err ]] && head -n 5 "$T/del.err" | sed 's/^/#   /'
log "deleted $N namespaces in $(elapsed "$t0") s"
run_ok ctl -j netns list
json_check "$OUT" 'd == []' "netns list is empty after deleting all"
expect_eq "$(ls "$NETNS_DIR" | wc -l)" 0 "the netns dir is empty"
fds1=$(daemon_fds "$DPID")
expect_true "nsringd's fds are back near the start after deletion ($fds0 at start, $fds_open open, $fds1 now)" \
	test "$fds1" -le $((fds0 + 4))
run_fail NOT_FOUND ctl -n ns0 link show

# ---------------------------------------------------------------- the samples
netns1=$(main_thread_netns "$DPID")
expect_eq "$netns1" "$netns0" "after: nsringd's main thread is still in its network namespace"
kill "$SAMPLER" 2>/dev/null
wait "$SAMPLER" 2>/dev/null
nsamples=$(wc -l <"$T/samples")
log "$nsamples samples"
expect_true "the sampler took samples during the run ($nsamples)" test "$nsamples" -ge 10
max_threads=$(awk '$1 !~ /^[0-9]+$/ { bad++ } $1 + 0 > m { m = $1 + 0 } END { print (bad ? "unparsable" : m + 0) }' "$T/samples")
expect_true "nsringd's thread count stayed <= $MAX_THREADS (max sampled: $max_threads)" \
	test "$max_threads" != unparsable -a "$max_threads" -le "$MAX_THREADS"
other_netns=$(awk -v want="$netns0" '$2 != "" && $2 != want' "$T/samples" | sort | uniq -c)
expect_eq "$other_netns" "" "nsringd's main thread never left its network namespace (every sample)"
max_fds=$(awk 'NF >= 3 && $3 + 0 > m { m = $3 + 0 } END { print m + 0 }' "$T/samples")
log "max sampled: $max_threads threads, $max_fds fds"
