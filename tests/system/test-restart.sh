#!/bin/bash
# System test: crash-safe restart. Who serves a socket is decided by an OFD lock on
# SOCKET.lock, which the kernel releases when the holder dies: a daemon started right after a
# kill -9 serves (100 cycles), while of two daemons started together exactly one serves.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"

CYCLES=${NSRING_RESTART_CYCLES:-100}

# ---------------------------------------------------------------- kill -9, restart at once
served=0 refused=0
for ((c = 1; c <= CYCLES; c++)); do
	"$NSRINGD" -s "$SOCK" -d "$NETNS_DIR" 2>>"$T/restart.log" &
	pid=$!
	ok=0
	# The call retries while the socket is not there yet (a fresh start), at most 5 s.
	for ((i = 0; i < 500; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		if timeout 10 "$NSRINGCTL" -s "$SOCK" netns list >/dev/null 2>&1; then
			ok=1
			break
		fi
		sleep 0.01
	done
	if ((ok)); then
		served=$((served + 1))
	else
		refused=$((refused + 1))
		log "cycle $c: the daemon did not serve"
	fi
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done
expect_eq "$served" "$CYCLES" "every daemon started right after a kill -9 serves ($served of $CYCLES)"
run grep -c "another nsringd" "$T/restart.log"
expect_eq "${OUT:-0}" 0 "no restart was refused as 'another nsringd'"
expect_true "kill -9 leaves the lock file behind, and it is reused" test -f "$SOCK.lock"

# ---------------------------------------------------------------- two at once
start_daemon
serving=$DPID
run timeout 10 "$NSRINGD" -s "$SOCK" -d "$NETNS_DIR"
expect_eq "$RC" 1 "a second nsringd while one lives exits 1"
expect_err_contains "another nsringd is serving $SOCK"
expect_true "the first one still serves" kill -0 "$serving"
run_ok ctl netns list
stop_daemon

for round in 1 2 3 4 5; do
	rm -f "$SOCK"
	"$NSRINGD" -s "$SOCK" -d "$NETNS_DIR" 2>"$T/a.log" &
	a=$!
	"$NSRINGD" -s "$SOCK" -d "$NETNS_DIR" 2>"$T/b.log" &
	b=$!
	# The loser exits at once; give the winner time to listen.
	for ((i = 0; i < 500; i++)); do
		alive=0
		kill -0 "$a" 2>/dev/null && alive=$((alive + 1))
		kill -0 "$b" 2>/dev/null && alive=$((alive + 1))
		((alive <= 1)) && [[ -S $SOCK ]] && break
		sleep 0.01
	done
	alive=()
	kill -0 "$a" 2>/dev/null && alive+=("$a")
	kill -0 "$b" 2>/dev/null && alive+=("$b")
	expect_eq "${#alive[@]}" 1 "round $round: of two daemons started together exactly one runs"
	run_ok ctl netns list
	run cat "$T/a.log" "$T/b.log"
	expect_eq "$(grep -c "another nsringd" <<<"$OUT")" 1 "round $round: the other said another one serves"
	for p in "$a" "$b"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
done

# ---------------------------------------------------------------- socket activation
# An activator as systemd's (see test-systemd.sh): the lock sits beside the passed socket, so a
# manual daemon on that path is refused while the activated one lives, and an activated daemon
# restarted after a kill -9 (Restart=on-failure) serves at once.
ASOCK=$T/activated.sock
cat >"$T/activate.py" <<'PY'
import os, socket, sys
sock_path = sys.argv[1]
ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    os.unlink(sock_path)
except FileNotFoundError:
    pass
ls.bind(sock_path)
ls.listen(128)
for attempt in range(int(sys.argv[2])):
    pid = os.fork()
    if pid == 0:
        os.dup2(ls.fileno(), 3)
        os.set_inheritable(3, True)
        os.environ["LISTEN_PID"] = str(os.getpid())
        os.environ["LISTEN_FDS"] = "1"
        os.execv(sys.argv[3], sys.argv[3:])
    print(pid, flush=True)
    _, status = os.waitpid(pid, 0)
PY
coproc ACT { "$PY" "$T/activate.py" "$ASOCK" 2 "$NSRINGD" -d "$NETNS_DIR" -s "$T/unused.sock" 2>>"$T/act.log"; }
BG_PIDS+=("$ACT_PID")
read -r -t 10 apid <&"${ACT[0]}"
actl() { timeout 10 "$NSRINGCTL" -s "$ASOCK" "$@"; }
run_ok actl netns list
expect_true "the activated daemon's lock is beside the passed socket" test -f "$ASOCK.lock"
run timeout 10 "$NSRINGD" -s "$ASOCK" -d "$NETNS_DIR"
expect_eq "$RC" 1 "a manual nsringd on the activated socket's path exits 1"
expect_err_contains "another nsringd is serving $ASOCK"
kill -KILL "$apid"
read -r -t 10 apid2 <&"${ACT[0]}"
expect_true "the activator restarted nsringd" test -n "${apid2:-}"
run_ok actl netns list
kill -TERM "$apid2" 2>/dev/null
wait "$ACT_PID" 2>/dev/null

cleanup_namespaces
