#!/bin/bash
# Interop: Python grpcio (Debian python3-grpcio, python3-protobuf, protobuf-compiler) against
# nsringd's gRPC transport on its unix socket: every RPC (Watch's stream included), error codes,
# deadlines, cancellation, health (Check, Watch and NOT_SERVING on stop), reflection, and ttrpc
# clients (nsringctl) on the same socket at the same time (tests/interop/grpc_client.py does the
# calls).
#
# Usage: test-grpc-python.sh NSRINGD NSRINGCTL
# Isolation as in the system tests (tests/system/lib.sh): a private mount namespace, a tmpfs
# holding the socket and the daemon's netns dir; never /run/netns or the default socket. Root
# only (77 otherwise); 77 too when the Python packages or protoc are missing.
HERE=$(dirname "$(readlink -f "$0")")
PY=/usr/bin/python3
if [[ $(id -u) == 0 && -z ${NSRING_SYS_ISOLATED:-} ]]; then
	if ! "$PY" -c 'import grpc, google.protobuf' 2>/dev/null || ! command -v protoc >/dev/null; then
		echo "skipped: needs python3-grpcio, python3-protobuf and protobuf-compiler"
		exit 77
	fi
fi
source "$HERE/../system/lib.sh"
sys_init "$@"
PROTO_DIR=$(readlink -f "$HERE/../../proto")
CLIENT=$HERE/grpc_client.py

# Adds the Python client's counts (its last line is "N passed, M failed") to ours.
add_counts() {
	local line=$1 p f
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
		NSRING_SYS_PASSED=$((NSRING_SYS_PASSED + p))
		NSRING_SYS_FAILED=$((NSRING_SYS_FAILED + f))
		((f == 0)) || NSRING_SYS_FAILED_NAMES+=("$f checks of $2 (see FAIL above)")
	else
		fail "$2 ended with a summary line"
	fi
}

start_daemon -l debug

log "grpc_client.py main: every RPC, errors, deadlines, cancellation, health, reflection"
"$PY" "$CLIENT" main "$SOCK" "$PROTO_DIR" "$NSRINGCTL" >"$T/py.out" 2>"$T/py.err"
rc=$?
grep -v '^[0-9]* passed, [0-9]* failed$' "$T/py.out"
add_counts "$(tail -n 1 "$T/py.out")" "grpc_client.py main"
if [[ $rc != 0 && -s $T/py.err ]]; then
	sed 's/^/#   python: /' "$T/py.err" | tail -n 30
fi
expect_true "the daemon still runs after the Python client" kill -0 "$DPID"
run_ok ctl netns list
expect_not_contains "$(grep -E '\] (error|warning|critical):' "$T/nsringd.log")" "]" \
	"nsringd logged no warning or error (cancellations included)"

log "grpc_client.py watch: NOT_SERVING when the daemon stops"
"$PY" "$CLIENT" watch "$SOCK" "$PROTO_DIR" >"$T/watch.out" 2>"$T/watch.err" &
WPID=$!
BG_PIDS+=("$WPID")
for ((i = 0; i < 500; i++)); do
	grep -q '^watching$' "$T/watch.out" && break
	kill -0 "$WPID" 2>/dev/null || break
	sleep 0.02
done
expect_true "the watcher saw SERVING" grep -q '^watching$' "$T/watch.out"
stop_daemon
wait "$WPID"
grep -v -e '^watching$' -e '^[0-9]* passed, [0-9]* failed$' "$T/watch.out"
add_counts "$(tail -n 1 "$T/watch.out")" "grpc_client.py watch"
if [[ -s $T/watch.err ]]; then
	sed 's/^/#   python: /' "$T/watch.err" | tail -n 20
fi
# NSRING_KEEP_LOG=FILE keeps the daemon's (debug) log for a look after the run.
if [[ -n ${NSRING_KEEP_LOG:-} ]]; then
	cp "$T/nsringd.log" "$NSRING_KEEP_LOG"
fi
# The EXIT trap (lib.sh) cleans up and prints the total "N passed, M failed".
