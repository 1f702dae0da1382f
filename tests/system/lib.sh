# Shared helpers of the nsring system tests (sourced by tests/system/test-*.sh).
#
# A test script does:
#     source "$(dirname "$(readlink -f "$0")")/lib.sh"
#     sys_init "$@"          # $1 = nsringd, $2 = nsringctl
#     start_daemon
#     ... checks ...
#     (the EXIT trap cleans up and prints the summary)
#
# Isolation: sys_init re-executes the script under `unshare --mount --propagation private`,
# mounts a tmpfs on a fresh directory $T and runs nsringd with its socket ($SOCK) and its netns
# directory ($NETNS_DIR) in there. Nothing touches /run/netns, /run/nsring or the interfaces of
# the root network namespace: every link operation names a namespace the test created.
#
# NSRING_VALGRIND=1 runs every nsringd the tests start under valgrind's memcheck (errors and
# leaks fail the test; NSRING_VALGRIND_KEEP=DIR keeps the reports), e.g.
#     NSRING_VALGRIND=1 meson test -C build --suite system --timeout-multiplier 6
#
# The last line of the output is exactly "N passed, M failed" (the CI log parser reads it); the
# exit status is 0 if M is 0, else 1; 77 (skipped) when not root.

set -u
set -o pipefail

NSRING_SYS_PASSED=0
NSRING_SYS_FAILED=0
NSRING_SYS_FAILED_NAMES=()
DPID=
T=
SOCK=
NETNS_DIR=
OUT=
ERR=
RC=0
BG_PIDS=()
CLEANUP_HOOKS=()
DAEMON_PREFIX=()
PY=/usr/bin/python3
LIB_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")

# require_faults_py: what tests/system/faults.py needs (python3-grpcio, python3-protobuf,
# protoc), else the test dies; sets PROTO_DIR, the .proto tree it compiles.
require_faults_py() {
	PROTO_DIR=$(readlink -f "$LIB_DIR/../../proto")
	"$PY" -c 'import grpc, google.protobuf' 2>/dev/null && command -v protoc >/dev/null ||
		die "needs python3-grpcio, python3-protobuf and protobuf-compiler"
}
# NSRING_VALGRIND=1: every nsringd a test starts runs under valgrind's memcheck (after the words
# of DAEMON_PREFIX); an error or a definite/possible leak makes it exit 99, which the tests'
# "exits 0" checks catch, and the report is printed. Waits are stretched by SLOW.
VALGRIND=()
SLOW=1
if [[ -n ${NSRING_VALGRIND:-} ]]; then
	VALGRIND=(valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,possible
		--errors-for-leak-kinds=definite,possible --track-origins=yes --num-callers=30)
	SLOW=10
fi

# ---------------------------------------------------------------- reporting

log() { printf '# %s\n' "$*"; }

pass() {
	NSRING_SYS_PASSED=$((NSRING_SYS_PASSED + 1))
	printf 'ok %d - %s\n' $((NSRING_SYS_PASSED + NSRING_SYS_FAILED)) "$*"
}

fail() {
	NSRING_SYS_FAILED=$((NSRING_SYS_FAILED + 1))
	NSRING_SYS_FAILED_NAMES+=("$*")
	printf 'not ok %d - %s\n' $((NSRING_SYS_PASSED + NSRING_SYS_FAILED)) "$*"
}

# Shows the last command's result (after a failed check).
show_last() {
	printf '#   exit status: %s\n' "$RC"
	[[ -n $OUT ]] && printf '#   stdout: %s\n' "$(head -c 2000 <<<"$OUT" | sed '2,$s/^/#           /')"
	[[ -n $ERR ]] && printf '#   stderr: %s\n' "$(head -c 2000 <<<"$ERR" | sed '2,$s/^/#           /')"
	return 0
}

# Aborts the test (counted as a failure); the EXIT trap still cleans up.
die() {
	fail "FATAL: $*"
	exit 1
}

# ---------------------------------------------------------------- running commands

# Runs a command, keeping its stdout in $OUT, stderr in $ERR and exit status in $RC.
run() {
	local o e
	o=$(mktemp "$T/out.XXXXXX") e=$(mktemp "$T/err.XXXXXX")
	local t0=$EPOCHREALTIME
	"$@" >"$o" 2>"$e"
	RC=$?
	[[ -n ${NSRING_SYS_SLOW:-} ]] && printf '# %s took %s s\n' "$(describe "$@")" "$(elapsed "$t0")"
	OUT=$(<"$o") ERR=$(<"$e")
	rm -f "$o" "$e"
	return $RC
}

# The command must succeed (exit 0).
run_ok() {
	run "$@"
	if [[ $RC == 0 ]]; then
		pass "$(describe "$@")"
		return 0
	fi
	fail "$(describe "$@") should succeed"
	show_last
	return 1
}

# The command must fail with exit 1 and "Error: CODE" on stderr.
run_fail() {
	local code=$1
	shift
	run "$@"
	if [[ $RC == 1 && $ERR == *"Error: $code"* ]]; then
		pass "$(describe "$@") -> $code"
		return 0
	fi
	fail "$(describe "$@") should fail with exit 1 and \"Error: $code\""
	show_last
	return 1
}

# The command line must be rejected by nsringctl itself: exit 2, TEXT on stderr.
run_usage() {
	local text=$1
	shift
	run "$@"
	if [[ $RC == 2 && $ERR == *"$text"* ]]; then
		pass "$(describe "$@") -> usage error"
		return 0
	fi
	fail "$(describe "$@") should be a usage error (exit 2) mentioning \"$text\""
	show_last
	return 1
}

# Seconds since $1 (an $EPOCHREALTIME).
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'; }

# A readable name for a command in the log.
describe() {
	local s="$*"
	s=${s//"$NSRINGCTL"/nsringctl}
	((${#s} > 160)) && s="${s:0:157}..."
	printf '%s' "$s"
}

# ---------------------------------------------------------------- checks on values

# expect_contains HAYSTACK NEEDLE [DESCRIPTION]
expect_contains() {
	local desc=${3:-"output contains \"$2\""}
	if [[ $1 == *"$2"* ]]; then
		pass "$desc"
		return 0
	fi
	fail "$desc"
	printf '#   wanted: %s\n#   in: %s\n' "$2" "$(head -c 2000 <<<"$1" | sed '2,$s/^/#       /')"
	return 1
}

# expect_not_contains HAYSTACK NEEDLE [DESCRIPTION]
expect_not_contains() {
	local desc=${3:-"output does not contain \"$2\""}
	if [[ $1 != *"$2"* ]]; then
		pass "$desc"
		return 0
	fi
	fail "$desc"
	printf '#   unwanted: %s\n#   in: %s\n' "$2" "$(head -c 2000 <<<"$1" | sed '2,$s/^/#       /')"
	return 1
}

# Checks on the last run's stderr.
expect_err_contains() { expect_contains "$ERR" "$1" "${2:-"error message contains \"$1\""}"; }

# expect_eq GOT WANT DESCRIPTION
expect_eq() {
	if [[ $1 == "$2" ]]; then
		pass "$3"
		return 0
	fi
	fail "$3"
	printf '#   got: %s\n#   want: %s\n' "$1" "$2"
	return 1
}

# expect_true DESCRIPTION CMD...: the command must exit 0 (a condition, not an operation).
expect_true() {
	local desc=$1
	shift
	if "$@"; then
		pass "$desc"
		return 0
	fi
	fail "$desc"
	return 1
}

# JSON checks with Debian's python3 (PY; the python3 on PATH may be another build).

# json_check JSON EXPR [DESCRIPTION]: EXPR is a Python expression over d (the document), e.g.
# 'd[0]["mtu"] == 1400'; the check passes if it is true.
json_check() {
	local desc=${3:-"JSON: $2"} r
	# The document on stdin: a listing of hundreds of links is more than one argument may hold.
	r=$("$PY" -c '
import json, sys
try:
    d = json.loads(sys.stdin.read())
except Exception as e:
    print("not JSON: %s" % (e,))
    sys.exit(2)
try:
    ok = eval(sys.argv[1], {"d": d, "any": any, "all": all, "len": len, "set": set, "sorted": sorted})
except Exception as e:
    print("exception: %r" % (e,))
    sys.exit(2)
sys.exit(0 if ok else 1)
' "$2" 2>&1 <<<"$1")
	if [[ $? == 0 ]]; then
		pass "$desc"
		return 0
	fi
	fail "$desc"
	[[ -n $r ]] && printf '#   %s\n' "$r"
	printf '#   document: %s\n' "$(head -c 3000 <<<"$1")"
	return 1
}

# json_get JSON EXPR: prints the value of EXPR (strings bare, others as JSON).
json_get() {
	"$PY" -c '
import json, sys
d = json.loads(sys.stdin.read())
v = eval(sys.argv[1], {"d": d, "len": len, "sorted": sorted})
print(v if isinstance(v, str) else json.dumps(v))
' "$2" <<<"$1"
}

# ---------------------------------------------------------------- environment

# sys_init NSRINGD NSRINGCTL: checks root, isolates (re-exec), sets up $T and the EXIT trap.
sys_init() {
	NSRINGD=${1:-}
	NSRINGCTL=${2:-}
	if [[ $(id -u) != 0 ]]; then
		echo "skipped: the system tests need root"
		exit 77
	fi
	if [[ -z $NSRINGD || -z $NSRINGCTL ]]; then
		echo "usage: $0 NSRINGD NSRINGCTL" >&2
		exit 2
	fi
	NSRINGD=$(readlink -f "$NSRINGD")
	NSRINGCTL=$(readlink -f "$NSRINGCTL")
	[[ -x $NSRINGD ]] || { echo "nsringd not found: $NSRINGD" >&2; exit 1; }
	[[ -x $NSRINGCTL ]] || { echo "nsringctl not found: $NSRINGCTL" >&2; exit 1; }

	if [[ ${NSRING_SYS_ISOLATED:-} != "$$" ]]; then
		command -v unshare >/dev/null || { echo "unshare (util-linux) is missing" >&2; exit 1; }
		# Marked with the pid exec keeps, so a test started from a test re-isolates.
		export NSRING_SYS_ISOLATED=$$
		exec unshare --mount --propagation private -- bash "$0" "$NSRINGD" "$NSRINGCTL"
		echo "cannot re-execute under unshare" >&2
		exit 1
	fi
	unset NSRING_SYS_ISOLATED
	local tool missing=()
	for tool in nsenter ip timeout mount umount xargs awk od setpriv prlimit "$PY"; do
		command -v "$tool" >/dev/null || missing+=("$tool")
	done
	if ((${#missing[@]})); then
		echo "missing tools: ${missing[*]} (util-linux, iproute2, coreutils, findutils, gawk/mawk, python3)" >&2
		echo "0 passed, 1 failed"
		exit 1
	fi

	T=$(mktemp -d /tmp/nsring-systest.XXXXXX) || exit 1
	if ! mount -t tmpfs -o mode=0755,size=64m nsring-systest "$T"; then
		rmdir "$T"
		echo "cannot mount a tmpfs on $T" >&2
		exit 1
	fi
	NETNS_DIR=$T/netns
	SOCK=$T/nsring.sock
	mkdir "$NETNS_DIR"
	export NSRING_SOCKET=$SOCK # belt and braces: -s is always given too
	# Helpers' temporary files (the Python clients' generated protobuf modules) go with the
	# tmpfs, also those of a client the test kills before its own cleanup runs.
	export TMPDIR=$T
	trap sys_exit EXIT
	trap 'exit 1' INT TERM HUP
	log "test dir $T (private tmpfs), nsringd $NSRINGD, nsringctl $NSRINGCTL"
}

# nsringctl against this test's daemon, never hanging.
ctl() { timeout 30 "$NSRINGCTL" -s "$SOCK" "$@"; }

# A command inside a test namespace (ip netns exec would look in /run/netns).
in_ns() {
	local ns=$1
	shift
	nsenter --net="$NETNS_DIR/$ns" -- "$@"
}

require_ping() {
	command -v ping >/dev/null ||
		die "ping is missing: install iputils-ping (the CI script does)"
}

# ---------------------------------------------------------------- the daemon

# start_daemon [NSRINGD OPTIONS...]: starts nsringd on $SOCK and waits for its socket. The
# command words in the array DAEMON_PREFIX, if set, go in front (e.g. prlimit ... --).
start_daemon() {
	local i before
	# A socket file left by a killed daemon is not this one's: nsringd renames a fresh socket
	# into place, so wait for a new inode.
	before=$(stat -c %i "$SOCK" 2>/dev/null)
	if ((${#VALGRIND[@]})); then
		# One log per daemon (%p), so a test that starts several keeps every report.
		${DAEMON_PREFIX[@]+"${DAEMON_PREFIX[@]}"} "${VALGRIND[@]}" --log-file="$T/valgrind.%p.log" \
			"$NSRINGD" -s "$SOCK" -d "$NETNS_DIR" "$@" 2>>"$T/nsringd.log" &
	else
		${DAEMON_PREFIX[@]+"${DAEMON_PREFIX[@]}"} "$NSRINGD" -s "$SOCK" -d "$NETNS_DIR" "$@" 2>>"$T/nsringd.log" &
	fi
	DPID=$!
	for ((i = 0; i < 500 * SLOW; i++)); do
		[[ -S $SOCK && $(stat -c %i "$SOCK" 2>/dev/null) != "$before" ]] &&
			kill -0 "$DPID" 2>/dev/null && return 0
		kill -0 "$DPID" 2>/dev/null || break
		sleep 0.01
	done
	tail -n 20 "$T/nsringd.log" | sed 's/^/#   nsringd: /'
	local pid=$DPID rc
	DPID=
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		die "nsringd did not create its socket $SOCK within 5 s"
	fi
	wait "$pid"
	rc=$?
	die "nsringd exited with status $rc instead of serving $SOCK"
}

# stop_daemon: SIGTERM, it must exit 0 within 10 s (a counted check).
stop_daemon() {
	local pid=$DPID rc i
	[[ -n $pid ]] || return 0
	DPID=
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		rc=$?
		fail "nsringd (pid $pid) runs until it is told to stop (it had exited with status $rc)"
		return 1
	fi
	kill -TERM "$pid"
	for ((i = 0; i < 1000 * SLOW; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	if kill -0 "$pid" 2>/dev/null; then
		fail "nsringd exits within 10 s of SIGTERM"
		kill -KILL "$pid"
		wait "$pid"
		return 1
	fi
	wait "$pid"
	rc=$?
	expect_eq "$rc" 0 "nsringd exits 0 on SIGTERM"
}

# True when nsringd is built with AddressSanitizer (the CI's second pass): expensive scale cases
# run once, in the plain build, and smaller here.
sanitized_build() { ldd "$NSRINGD" 2>/dev/null | grep -q libasan; }

daemon_threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
daemon_fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
# wait_fds_le MAX: up to 5 s for nsringd ($DPID) to have at most MAX fds.
wait_fds_le() {
	local i
	for ((i = 0; i < 100; i++)); do
		(($(daemon_fds "$DPID") <= $1)) && return 0
		sleep 0.05
	done
	return 1
}
# wait_link_gone NS LINK [SECONDS]: up to SECONDS (60) for LINK to disappear from NS (namespace
# teardown is asynchronous: the kernel frees a namespace from a workqueue once the last reference
# is gone, and a namespace with a thousand links takes long under rtnl_lock contention).
wait_link_gone() {
	local i
	for ((i = 0; i < ${3:-60} * 20; i++)); do
		in_ns "$1" ip link show "$2" >/dev/null 2>&1 || return 0
		sleep 0.05
	done
	return 1
}
main_thread_netns() { readlink "/proc/$1/task/$1/ns/net" 2>/dev/null; }
# daemon_holds_netns PID INODE: whether process PID has an fd on network namespace INODE (an
# nsfs fd, whether opened as /proc/N/ns/net or through a bind mount of it).
daemon_holds_netns() {
	local dev
	dev=$(stat -L -c %d /proc/self/ns/net) || return 2
	stat -L -c '%d:%i' /proc/"$1"/fd/* 2>/dev/null | grep -qx "$dev:$2"
}
# wait_not_held PID INODE: up to 2 s for PID to let go of namespace INODE.
wait_not_held() {
	local i
	for ((i = 0; i < 40; i++)); do
		daemon_holds_netns "$1" "$2" || return 0
		sleep 0.05
	done
	return 1
}

# Names of the namespaces nsringd lists (one a line).
list_ns_names() {
	local j
	j=$(ctl -j netns list) || return 1
	json_get "$j" '"\n".join(n["name"] for n in d)'
}

# ---------------------------------------------------------------- cleanup

# Removes every namespace left in the test's netns dir: through nsringd when it runs (so it
# closes its sockets in them and the kernel frees them), else by hand.
cleanup_namespaces() {
	local n f
	if [[ -n $DPID ]] && kill -0 "$DPID" 2>/dev/null; then
		while read -r n; do
			[[ -n $n ]] || continue
			ctl netns del "$n" >/dev/null 2>&1 ||
				printf '# cleanup: netns del %s failed\n' "$n"
		done < <(list_ns_names 2>/dev/null)
	fi
	for f in "$NETNS_DIR"/*; do
		[[ -e $f ]] || continue
		umount -l "$f" 2>/dev/null
		rm -f "$f"
	done
}

# Under NSRING_VALGRIND: a counted check per daemon that memcheck found clean, with the report of
# those that were not (NSRING_VALGRIND_KEEP=DIR keeps every log).
valgrind_report() {
	local f
	((${#VALGRIND[@]})) || return 0
	for f in "$T"/valgrind.*.log; do
		[[ -e $f ]] || continue
		[[ -n ${NSRING_VALGRIND_KEEP:-} ]] && mkdir -p "$NSRING_VALGRIND_KEEP" &&
			cp "$f" "$NSRING_VALGRIND_KEEP/$(basename "$0" .sh).$(basename "$f")"
		if grep -q "ERROR SUMMARY: 0 errors" "$f"; then
			pass "valgrind: $(basename "$f"): no errors, no leaks"
		elif ! grep -q "ERROR SUMMARY" "$f"; then
			# A daemon killed with SIGKILL on purpose (or a launcher that never ran it).
			log "valgrind: $(basename "$f"): no summary (killed)"
		else
			fail "valgrind: $(basename "$f"): $(grep -m1 'ERROR SUMMARY' "$f" | sed 's/^==[0-9]*== //')"
			grep -vE '^==[0-9]+== *$' "$f" | sed -n '/ERROR SUMMARY\|Invalid\|uninitialised\|definitely lost\|possibly lost\|Syscall param/,+25p' |
				head -n 150 | sed 's/^/#   /'
		fi
	done
}

sys_exit() {
	local rc=$? h p
	trap - EXIT
	set +e
	for h in ${CLEANUP_HOOKS[@]+"${CLEANUP_HOOKS[@]}"}; do
		$h
	done
	for p in ${BG_PIDS[@]+"${BG_PIDS[@]}"}; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [[ -n $T ]]; then
		cleanup_namespaces
		stop_daemon
		cleanup_namespaces
		valgrind_report
		if [[ $NSRING_SYS_FAILED != 0 && -s $T/nsringd.log ]]; then
			echo "# nsringd log (last 40 lines):"
			tail -n 40 "$T/nsringd.log" | sed 's/^/#   /'
		fi
		cd /
		umount -R -l "$T" 2>/dev/null
		rmdir "$T" 2>/dev/null
	fi
	# An unexpected exit of the script (not through the summary) is a failure too.
	if [[ $rc != 0 && $NSRING_SYS_FAILED == 0 ]]; then
		fail "the test script exited early with status $rc"
	fi
	if [[ $NSRING_SYS_FAILED != 0 ]]; then
		echo "# failed checks:"
		printf '#   %s\n' "${NSRING_SYS_FAILED_NAMES[@]}"
	fi
	echo "$NSRING_SYS_PASSED passed, $NSRING_SYS_FAILED failed"
	[[ $NSRING_SYS_FAILED == 0 ]] && exit 0
	exit 1
}
