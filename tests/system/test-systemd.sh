#!/bin/bash
# System test: systemd integration without systemd. A small activator does what systemd does
# for nsringd.socket + Type=notify: it binds the listening socket, passes it as fd 3 with
# LISTEN_PID/LISTEN_FDS, and listens on NOTIFY_SOCKET. Checks that nsringd serves the passed
# socket, reports READY=1 once it serves and STOPPING=1 when told to stop, and leaves the
# socket file alone (systemd owns it).
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"

ASOCK=$T/activated.sock
NOTIFY_LOG=$T/notify.log

# activator: LISTEN socket on fd 3, NOTIFY_SOCKET datagrams appended to a log, exec nsringd.
cat >"$T/activate.py" <<'EOF'
import os, socket, sys, threading
sock_path, notify_log = sys.argv[1], sys.argv[2]
cmd = sys.argv[3:]
ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ls.bind(sock_path)
os.chmod(sock_path, 0o660)
ls.listen(128)
ns_path = sock_path + ".notify"
ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
ns.bind(ns_path)
pid = os.fork()
if pid == 0:
    if ls.fileno() == 3:
        os.set_inheritable(3, True)  # dup2(3, 3) would leave it close-on-exec
    else:
        os.dup2(ls.fileno(), 3)
    os.environ["LISTEN_PID"] = str(os.getpid())
    os.environ["LISTEN_FDS"] = "1"
    os.environ["NOTIFY_SOCKET"] = ns_path
    os.execv(cmd[0], cmd)
ls.close()
def pump():
    with open(notify_log, "a") as f:
        while True:
            data = ns.recv(4096)
            f.write(data.decode() + "\n")
            f.flush()
threading.Thread(target=pump, daemon=True).start()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
EOF

"$PY" "$T/activate.py" "$ASOCK" "$NOTIFY_LOG" "$NSRINGD" -d "$NETNS_DIR" -s "$T/unused.sock" \
	2>"$T/activated.log" &
APID=$!
BG_PIDS+=("$APID")
for _ in $(seq 100); do
	grep -q READY=1 "$NOTIFY_LOG" 2>/dev/null && break
	sleep 0.05
done
run_ok grep -q READY=1 "$NOTIFY_LOG"
DPID_ACT=$(pgrep -P "$APID" -x nsringd || true)
expect_true "nsringd runs under the activator" test -n "$DPID_ACT"

actl() { timeout 30 "$NSRINGCTL" -s "$ASOCK" "$@"; }
run_ok actl netns add sa
run_ok actl -n sa link add s0 type veth peer name s1
run_ok actl -j -n sa link show
json_check "$OUT" 'sorted(l["name"] for l in d) == ["lo", "s0", "s1"]' "served on the passed socket"
expect_true "its own --socket path is not created when activated" test ! -e "$T/unused.sock"
run_ok actl netns del sa

kill -TERM "$DPID_ACT"
wait "$APID"
expect_eq "$?" 0 "nsringd exits 0 on SIGTERM"
run_ok grep -q STOPPING=1 "$NOTIFY_LOG"
expect_true "the activated socket file is left to systemd" test -S "$ASOCK"

# A passed fd that is not a listening socket is refused with a clear error.
LISTEN_PID=$$ LISTEN_FDS=1 run bash -c "exec 3</dev/null; LISTEN_PID=\$\$ exec '$NSRINGD' -d '$NETNS_DIR' -s '$T/x.sock'"
expect_eq "$RC" 1 "a bad passed fd: exit 1"
expect_err_contains "not a listening unix stream socket"
