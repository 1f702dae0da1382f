#!/bin/bash
# System test: the bad-input table. Each bad input is sent for real (raw ttrpc frames, gRPC
# through grpcio, bad names, paths outside the prefixes, files that are no network namespace,
# a pid that exited, 1000 concurrent connections opening and dropping) and must get its exact
# status (or its connection closed, where that is the answer); after each one a new connection
# is served. tests/system/faults.py holds the table and writes it as markdown (the "Bad input"
# table of docs/operations.md; NSRING_BADINPUT_TABLE=FILE keeps a copy). The daemon must not
# crash, and its fds come back to the baseline.
HERE=$(dirname "$(readlink -f "$0")")
source "$HERE/lib.sh"
sys_init "$@"
require_faults_py

# Fixtures: a namespace for the link cases, a plain file and a symlink in the netns dir, and a
# network namespace bind-mounted outside every prefix.
start_daemon
run_ok ctl netns add bi
echo "not a namespace" >"$NETNS_DIR/plainfile"
touch "$T/outside-ns"
run_ok unshare --net="$T/outside-ns" true
umount_outside() { umount "$T/outside-ns" 2>/dev/null; }
CLEANUP_HOOKS+=(umount_outside)
ln -s "$T/outside-ns" "$NETNS_DIR/symlink-out"
touch "$NETNS_DIR/utsns"
mount --bind /proc/self/ns/uts "$NETNS_DIR/utsns" || die "cannot bind-mount a UTS namespace"
fds0=$(daemon_fds "$DPID")

"$PY" "$HERE/faults.py" badinput "$SOCK" "$PROTO_DIR" "$NETNS_DIR" "$T" "$T/table.md" \
	>"$T/py.out" 2>"$T/py.err"
rc=$?
grep -v '^[0-9]* passed, [0-9]* failed$' "$T/py.out"
if [[ $(tail -n 1 "$T/py.out") =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
	NSRING_SYS_PASSED=$((NSRING_SYS_PASSED + BASH_REMATCH[1]))
	NSRING_SYS_FAILED=$((NSRING_SYS_FAILED + BASH_REMATCH[2]))
	((BASH_REMATCH[2] == 0)) || NSRING_SYS_FAILED_NAMES+=("${BASH_REMATCH[2]} bad-input checks (see above)")
else
	fail "faults.py badinput ran to its summary (exit $rc)"
	sed 's/^/#   python: /' "$T/py.err" | tail -n 30
fi
[[ -n ${NSRING_BADINPUT_TABLE:-} && -s $T/table.md ]] && cp "$T/table.md" "$NSRING_BADINPUT_TABLE"

expect_true "nsringd survived every bad input" kill -0 "$DPID"
run_ok ctl -j netns list
json_check "$OUT" '[n["name"] for n in d if n["name"] == "bi"] == ["bi"]' "the daemon still lists its namespaces"
run_ok ctl -j -n bi link show
json_check "$OUT" '[l["name"] for l in d] == ["lo"]' "no bad input created a link"
expect_true "no file escaped the netns dir" test ! -e "$T/escape" -a ! -e "$NETNS_DIR/a"
expect_true "nsringd's fds back to the baseline after the bad inputs ($fds0; now $(daemon_fds "$DPID"))" \
	wait_fds_le "$fds0" || ls -l "/proc/$DPID/fd" | sed 's/^/#   /'
umount "$NETNS_DIR/utsns"
rm -f "$NETNS_DIR/plainfile" "$NETNS_DIR/symlink-out" "$NETNS_DIR/utsns"
run_ok ctl netns del bi
