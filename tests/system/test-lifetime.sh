#!/bin/bash
# System test: namespace lifetime. An open socket pins its namespace, so nsringd must let go of
# namespaces that go away behind its back (`ip netns del`, the process a pid referred to
# exiting) and, with --idle-close, of namespaces nobody uses; the proof that it did is the
# kernel freeing the namespace (a veth peer it held in another namespace disappears). A
# namespace deleted under a burst of requests fails them; none hangs.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"

# `ip netns` knows only /run/netns. We run in a private mount namespace (lib.sh): put a tmpfs
# there so the host's /run/netns is never touched. When it does not exist, creating it would
# change the host's /run: cover /run instead (only in our mount namespace).
if [[ -d /run/netns ]]; then
	mount -t tmpfs -o mode=0755,size=16m nsring-lifetime /run/netns ||
		die "cannot mount a tmpfs on /run/netns"
else
	mount -t tmpfs -o mode=0755,size=16m nsring-lifetime /run || die "cannot mount a tmpfs on /run"
	mkdir /run/netns || die "cannot make /run/netns in the private tmpfs"
fi
# lib.sh's in_ns and cleanup look here.
NETNS_DIR=/run/netns

link_in() { in_ns "$1" ip link show "$2" >/dev/null 2>&1; }
# A process in a network namespace of its own, in $pid once it is in there.
start_netns_process() {
	local self i
	self=$(readlink /proc/self/ns/net)
	unshare --net -- sleep 600 </dev/null >/dev/null 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	for ((i = 0; i < 200; i++)); do
		[[ $(readlink "/proc/$pid/ns/net" 2>/dev/null) != "$self" ]] && break
		sleep 0.01
	done
	[[ $(readlink "/proc/$pid/ns/net") != "$self" ]]
}

start_daemon -d /run/netns

# ---------------------------------------------------------------- (a) ip netns del
# The issue's test: A made with the real `ip netns add`, used through nsringd (a veth with its
# peer in B), deleted with the real `ip netns del`.
run_ok ip netns add A
run_ok ctl netns add B
expect_true "ip netns add made /run/netns/A (in the private tmpfs)" test -e /run/netns/A
ino_a=$(stat -L -c %i /run/netns/A)
run_ok ctl -n B link show lo # B open before the baseline: only A's fds should come and go
fds0=$(daemon_fds "$DPID")
run_ok ctl -n A link add la0 type veth peer name lb0 netns B
expect_true "the veth peer lb0 is in B" link_in B lb0
expect_true "the veth end la0 is in A" link_in A la0
expect_true "nsringd holds A open after using it" daemon_holds_netns "$DPID" "$ino_a"
fds1=$(daemon_fds "$DPID")
run_ok ip netns del A
t0=$EPOCHREALTIME
expect_true "after ip netns del A, the peer lb0 disappears from B: the kernel freed A" \
	wait_link_gone B lb0
log "lb0 gone $(elapsed "$t0") s after ip netns del"
expect_true "nsringd holds no fd on A's namespace" wait_not_held "$DPID" "$ino_a"
expect_true "nsringd's fds went back down ($fds0 before A, $fds1 with A open, now $(daemon_fds "$DPID"))" \
	wait_fds_le "$fds0"
run_fail NOT_FOUND ctl -n A link show
# The name can be reused: a new namespace, opened afresh.
run_ok ip netns add A
run_ok ctl -j -n A link show
json_check "$OUT" '[l["name"] for l in d] == ["lo"]' "a re-added A is a new namespace (only lo)"
run_ok ip netns del A
# Replaced in one go, with requests right before and after: an open namespace is found by its
# name without reopening it, but only after checking the name still leads to it.
for i in 1 2 3 4 5; do
	ip netns add A && ctl -n A link add "r$i" type bridge &&
		ip netns del A && ip netns add A && ctl -n A link add "s$i" type bridge ||
		fail "replace A, round $i"
	run_ok ctl -j -n A link show
	json_check "$OUT" 'sorted(l["name"] for l in d) == ["lo", "s'$i'"]' \
		"round $i: requests after the replacement reach the new A"
	ip netns del A
done

# Deleted while a second name for it exists: still reachable, so it stays open and usable.
run_ok ip netns add A2
mount_target=/run/netns/A2alias
touch "$mount_target" && mount --bind /run/netns/A2 "$mount_target" || die "cannot bind-mount A2"
ino_a2=$(stat -L -c %i /run/netns/A2)
run_ok ctl -n A2 link add la2 type veth peer name lb2 netns B
run_ok ctl -n A2alias link show la2 # the name used last is the one removed below
# Lazily, as ip netns del does: nsringd's open fd on it would make a plain umount EBUSY.
umount -l /run/netns/A2alias && rm -f /run/netns/A2alias
sleep 0.3
expect_true "a namespace whose other name was removed stays open (A2 still names it)" \
	daemon_holds_netns "$DPID" "$ino_a2"
run_ok ctl -n A2 link show la2
run_ok ip netns del A2
expect_true "then ip netns del A2 frees it (lb2 disappears from B)" wait_link_gone B lb2
expect_true "and nsringd holds no fd on it" wait_not_held "$DPID" "$ino_a2"

# ---------------------------------------------------------------- (b) pid references
start_netns_process || die "unshare --net did not make a new namespace"
ino_p=$(stat -L -c %i "/proc/$pid/ns/net")
fds0=$(daemon_fds "$DPID")
run_ok ctl -n "pid:$pid" link add pa0 type veth peer name pb0 netns B
expect_true "the peer pb0 is in B" link_in B pb0
# The same process by path, and by the path of its main thread: one namespace, one watch.
run_ok ctl -n "/proc/$pid/ns/net" link show pa0
run_ok ctl -n "/proc/$pid/task/$pid/ns/net" link show pa0
run_ok ctl -n "pid:$pid" link show pa0
expect_true "nsringd holds the process's namespace" daemon_holds_netns "$DPID" "$ino_p"
fds1=$(daemon_fds "$DPID")
# Two fds for the namespace (nsfs file, netlink socket), one pidfd: not one per request.
expect_true "repeated opens by pid and path add one watch, not more ($fds0 -> $fds1 fds)" \
	test "$fds1" -le $((fds0 + 3))
kill "$pid"
wait "$pid" 2>/dev/null
t0=$EPOCHREALTIME
expect_true "once the process exits, the peer pb0 disappears from B: the kernel freed its namespace" \
	wait_link_gone B pb0
log "pb0 gone $(elapsed "$t0") s after the process was killed"
expect_true "nsringd holds no fd on the exited process's namespace" wait_not_held "$DPID" "$ino_p"
expect_true "nsringd's fds went back down ($fds0 before, $fds1 while used, now $(daemon_fds "$DPID"))" \
	wait_fds_le "$fds0"
run_fail NOT_FOUND ctl -n "pid:$pid" link show

# A process whose namespace also has a name: its exit does not close what the name still
# reaches; the name's removal then does.
start_netns_process || die "unshare --net did not make a new namespace"
ino_p=$(stat -L -c %i "/proc/$pid/ns/net")
touch /run/netns/P && mount --bind "/proc/$pid/ns/net" /run/netns/P || die "cannot name the namespace"
run_ok ctl -n "pid:$pid" link add pa1 type veth peer name pb1 netns B
run_ok ctl -n P link show pa1
kill "$pid"
wait "$pid" 2>/dev/null
sleep 0.3
expect_true "the process exited but the namespace is still named P: nsringd keeps it" \
	daemon_holds_netns "$DPID" "$ino_p"
run_ok ctl -n P link show pa1
run_ok ip netns del P
expect_true "ip netns del P frees it (pb1 disappears from B)" wait_link_gone B pb1
expect_true "and nsringd holds no fd on it" wait_not_held "$DPID" "$ino_p"
stop_daemon

# ---------------------------------------------------------------- (c) --idle-close
start_daemon -d /run/netns --idle-close 1
run_ok ip netns add C
ino_c=$(stat -L -c %i /run/netns/C)
fds0=$(daemon_fds "$DPID")
run_ok ctl -n C link add ic0 type ifb
t0=$EPOCHREALTIME
fds1=$(daemon_fds "$DPID")
expect_true "nsringd holds C right after using it ($fds0 -> $fds1 fds)" daemon_holds_netns "$DPID" "$ino_c"
# still_held T DESC: C must still be open if its last use ended at T less than 0.8 s ago (the
# request's own use of it was earlier still); on a machine too busy to look in time, say so.
still_held() {
	local gap
	gap=$(elapsed "$1")
	if awk -v g="$gap" 'BEGIN { exit !(g >= 0.8) }'; then
		log "not checked ($2): $gap s passed, the machine is too busy"
		return 0
	fi
	daemon_holds_netns "$DPID" "$ino_c" && return 0
	log "$2: C was closed only $gap s after its last use"
	return 1
}
sleep 0.5
expect_true "C is not closed half a second after its use (not idle long enough)" \
	still_held "$t0" "half a second later"
expect_true "with --idle-close 1, nsringd lets go of C once idle ($fds1 fds; now $(daemon_fds "$DPID"))" \
	wait_fds_le "$fds0"
log "C closed $(elapsed "$t0") s after its last use"
expect_true "no fd on C's namespace once idle-closed" wait_not_held "$DPID" "$ino_c"
run_ok ctl -j -n C link show ic0
json_check "$OUT" 'd[0]["name"] == "ic0"' "the next request on C works (reopened on demand)"
expect_true "C is open again" daemon_holds_netns "$DPID" "$ino_c"
# Used more often than the idle time: never closed in between.
busy_ok=1
t_prev=$EPOCHREALTIME
for ((i = 0; i < 8; i++)); do
	sleep 0.3
	still_held "$t_prev" "use $i" || busy_ok=0
	ctl -n C link show ic0 >/dev/null || busy_ok=0
	t_prev=$EPOCHREALTIME
done
expect_eq "$busy_ok" 1 "a namespace used every 0.3 s stays open with --idle-close 1"
expect_true "idle again, it is closed again" wait_not_held "$DPID" "$ino_c"
# An idle-closed namespace deleted with ip netns del is simply gone.
run_ok ip netns del C
run_fail NOT_FOUND ctl -n C link show
stop_daemon
run "$NSRINGD" --idle-close -1
expect_eq "$RC" 2 "nsringd --idle-close -1 is a usage error"
run "$NSRINGD" --help
expect_contains "$OUT" "--idle-close" "nsringd --help documents --idle-close"

# ---------------------------------------------------------------- (d) deleted under load
start_daemon -d /run/netns
run_ok ip netns add D
ino_d=$(stat -L -c %i /run/netns/D)
run_ok ctl -n D link show lo
mkdir "$T/burst"
pids=()
t0=$EPOCHREALTIME
for ((i = 0; i < 200; i++)); do
	(
		timeout 20 "$NSRINGCTL" -s "$SOCK" -n D link add "bu$i" type veth peer name "bv$i" \
			>"$T/burst/$i.out" 2>"$T/burst/$i.err"
		echo $? >"$T/burst/$i.rc"
	) &
	pids+=($!)
	((i == 100)) && ip netns del D
done
wait "${pids[@]}"
log "200 requests with ip netns del in the middle: all returned after $(elapsed "$t0") s"
n_ok=0 n_err=0 n_bad=0
for ((i = 0; i < 200; i++)); do
	rc=$(<"$T/burst/$i.rc")
	if [[ $rc == 0 ]]; then
		n_ok=$((n_ok + 1))
	elif [[ $rc == 1 ]] && grep -q "Error: " "$T/burst/$i.err"; then
		n_err=$((n_err + 1))
	else
		n_bad=$((n_bad + 1))
		((n_bad <= 3)) && log "request $i: exit $rc: $(head -c 300 "$T/burst/$i.err")"
	fi
done
log "$n_ok succeeded, $n_err failed with an error reply, $n_bad neither"
expect_eq "$n_bad" 0 "every request on a namespace deleted under load returned success or an error (no hang)"
expect_true "some requests after the deletion failed with an error ($n_err)" test "$n_err" -gt 0
grep -h "Error: " "$T"/burst/*.err | sed 's/"bu[0-9]*"/"buN"/; s/link bu[0-9]*/link buN/' |
	sort | uniq -c | sort -rn | head -n 4 | sed 's/^/#   /'
expect_true "nsringd holds no fd on D after the burst" wait_not_held "$DPID" "$ino_d"
run_ok ctl -j netns list
json_check "$OUT" '[n["name"] for n in d] == ["B"]' "only B is left"
run_ok ctl netns del B
stop_daemon
