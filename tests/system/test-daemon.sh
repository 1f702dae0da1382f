#!/bin/bash
# System test: the daemon itself. Its socket (mode, stale and foreign files, a second daemon),
# SIGTERM with calls in flight, malformed and abandoned ttrpc input (raw frames from a small
# Python client), validation of requests nsringctl would never send, the connection limit, and
# who may connect (root only; --allow-group).
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"

# ---------------------------------------------------------------- a raw ttrpc client
cat >"$T/ttrpc.py" <<'EOF'
# A raw ttrpc client for nsringd's tests: frames are a 10-byte header (length u32 BE, stream id
# u32 BE, type u8, flags u8) and a protobuf ttrpc.Request / ttrpc.Response.
import os, socket, struct, sys, time

SOCK = sys.argv[1]
SERVICE = "nsring.v1.NsRing"
REQUEST, RESPONSE = 1, 2


def varint(n):
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def fbytes(num, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(num << 3 | 2) + varint(len(data)) + data


def fvarint(num, v):
    return varint(num << 3) + varint(v & 0xFFFFFFFFFFFFFFFF)


def envelope(method, payload=b"", service=SERVICE):
    m = fbytes(1, service) + fbytes(2, method)
    if payload:
        m += fbytes(3, payload)
    return m


def frame(stream, body, typ=REQUEST, length=None):
    return struct.pack(">IIBB", len(body) if length is None else length, stream, typ, 0) + body


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(SOCK)
    return s


def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        try:
            chunk = s.recv(n - len(buf))
        except ConnectionResetError:
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


def read_varint(b, i):
    n = shift = 0
    while True:
        c = b[i]
        i += 1
        n |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return n, i


def fields(b):
    i, out = 0, {}
    while i < len(b):
        key, i = read_varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = read_varint(b, i)
        elif wt == 2:
            n, i = read_varint(b, i)
            v, i = b[i : i + n], i + n
        elif wt == 1:
            v, i = b[i : i + 8], i + 8
        elif wt == 5:
            v, i = b[i : i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        out.setdefault(num, []).append(v)
    return out


def read_response(s):
    """'stream=N code=C msg=M' for the next frame, or 'closed'."""
    h = read_exact(s, 10)
    if h is None:
        return "closed"
    length, stream, typ, _ = struct.unpack(">IIBB", h)
    body = read_exact(s, length)
    if body is None:
        return "closed"
    f = fields(body)
    code, msg = 0, ""
    if 1 in f:
        st = fields(f[1][0])
        code = st.get(1, [0])[0]
        msg = st.get(2, [b""])[0].decode(errors="replace")
    return "type=%d stream=%d code=%d msg=%s" % (typ, stream, code, msg)


def wait_closed(s):
    """'closed' if nsringd closes the connection within the timeout, else 'open'."""
    try:
        while True:
            if not s.recv(65536):
                return "closed"
    except socket.timeout:
        return "open"
    except (ConnectionResetError, BrokenPipeError):
        return "closed"


def nsref_name(name):
    return fbytes(1, name)


def main():
    cmd, args = sys.argv[2], sys.argv[3:]
    if cmd == "send-expect-close":
        # Raw bytes (hex), then: does nsringd close the connection?
        s = connect()
        try:
            s.sendall(bytes.fromhex(args[0]))
        except (BrokenPipeError, ConnectionResetError):
            print("closed")
            return
        print(wait_closed(s))
    elif cmd == "send-and-leave":
        # Raw bytes (hex), then disconnect at once.
        s = connect()
        s.sendall(bytes.fromhex(args[0]))
        s.close()
        print("left")
    elif cmd == "truncated-big":
        # A frame announcing 4 MiB, 1 MiB of it, then disconnect.
        s = connect()
        s.sendall(frame(1, b"", length=4 << 20) + b"\0" * (1 << 20))
        s.close()
        print("left")
    elif cmd == "call":
        # call METHOD PAYLOAD_HEX [SERVICE]: one request; prints the response, then checks the
        # connection still serves (a ListNamespaces on the next stream).
        s = connect()
        service = args[2] if len(args) > 2 else SERVICE
        s.sendall(frame(1, envelope(args[0], bytes.fromhex(args[1]), service)))
        print(read_response(s))
        s.sendall(frame(3, envelope("ListNamespaces")))
        print("then: " + read_response(s))
    elif cmd == "raw-body":
        # raw-body BODY_HEX: a request frame with this body; then the same follow-up.
        s = connect()
        s.sendall(frame(1, bytes.fromhex(args[0])))
        print(read_response(s))
        s.sendall(frame(3, envelope("ListNamespaces")))
        print("then: " + read_response(s))
    elif cmd == "abandon-half":
        # N clients each send half of a request frame, then all disconnect.
        socks = []
        for i in range(int(args[0])):
            s = connect()
            f = frame(1, envelope("CreateNamespace", fbytes(1, "half%d" % i)))
            s.sendall(f[: len(f) // 2])
            socks.append(s)
        for s in socks:
            s.close()
        print("abandoned %d" % len(socks))
    elif cmd == "abandon-full":
        # N clients each send a whole CreateNamespace request and disconnect without reading.
        socks = []
        for i in range(int(args[0])):
            s = connect()
            s.sendall(frame(1, envelope("CreateNamespace", fbytes(1, "full%d" % i))))
            socks.append(s)
        for s in socks:
            s.close()
        print("abandoned %d" % len(socks))
    elif cmd == "hold":
        # hold N: N idle connections until stdin closes.
        socks = [connect() for _ in range(int(args[0]))]
        print("held %d" % len(socks), flush=True)
        sys.stdin.read()
    else:
        sys.exit("unknown command " + cmd)


main()
EOF
ttrpc() { timeout 30 "$PY" "$T/ttrpc.py" "$SOCK" "$@"; }
# Protobuf text helpers (hex) for the raw calls.
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
pb_varint() {
	local n=$1 out=
	while ((n > 127)); do
		out+=$(printf '%02x' $(((n & 127) | 128)))
		n=$((n >> 7))
	done
	printf '%s%02x' "$out" "$n"
}
pb_str() { local h; h=$(hex "$2"); printf '%s%s%s' "$(pb_varint $(($1 << 3 | 2)))" "$(pb_varint $((${#h} / 2)))" "$h"; }
pb_msg() { printf '%s%s%s' "$(pb_varint $(($1 << 3 | 2)))" "$(pb_varint $((${#2} / 2)))" "$2"; }
pb_uint() { printf '%s%s' "$(pb_varint $(($1 << 3)))" "$(pb_varint "$2")"; }

# Status codes.
OK=0 INVALID_ARGUMENT=3 NOT_FOUND=5 PERMISSION_DENIED=7 UNIMPLEMENTED=12

# Still serving? A real nsringctl call.
serves() { run_ok ctl -j netns list; }

# ---------------------------------------------------------------- options
# (Always with this test's socket and netns dir, and a timeout, in case an option is ignored.)
run_ok timeout 10 "$NSRINGD" -s "$SOCK" -d "$NETNS_DIR" --help
expect_contains "$OUT" "--allow-group" "nsringd --help lists its options"
run timeout 10 "$NSRINGD" -s "$SOCK" -d "$NETNS_DIR" --bogus-option
expect_eq "$RC" 2 "nsringd with an unknown option exits 2"
run timeout 10 "$NSRINGD" -s "$SOCK" -d relative/dir
expect_eq "$RC" 2 "nsringd with a relative netns dir exits 2"
run timeout 10 "$NSRINGD" -s "$SOCK" -d "$NETNS_DIR" -g no-such-group-nsringtest
expect_eq "$RC" 2 "nsringd with an unknown group exits 2"
expect_err_contains "no-such-group-nsringtest" "the unknown group is named"
expect_true "no socket was left by the refused starts" test ! -e "$SOCK"

# ---------------------------------------------------------------- the socket
start_daemon
expect_eq "$(stat -c '%a %U %G %F' "$SOCK")" "660 root root socket" "the socket has mode 0660, owner root:root"
serves
ino1=$(stat -c %i "$SOCK")
run_ok env NSRING_SOCKET="$SOCK" timeout 30 "$NSRINGCTL" -j netns list
json_check "$OUT" 'd == []' "nsringctl finds the socket through \$NSRING_SOCKET"

# A second daemon on a live socket refuses to start; the first keeps serving.
run timeout 10 "$NSRINGD" -s "$SOCK" -d "$NETNS_DIR"
expect_true "a second nsringd on a live socket exits non-zero (got $RC)" test "$RC" != 0 -a "$RC" != 124
expect_err_contains "another nsringd" "the second nsringd says another one serves the socket"
expect_eq "$(stat -c %i "$SOCK")" "$ino1" "the live socket was not replaced"
expect_true "the first nsringd still runs" kill -0 "$DPID"
serves

# A stale socket from a killed daemon is replaced.
run_ok ctl netns add kept
{
	kill -KILL "$DPID"
	wait "$DPID"
} 2>/dev/null
DPID=
expect_true "kill -9 leaves the socket file behind" test -S "$SOCK"
run ctl netns list
expect_eq "$RC" 1 "nsringctl on a stale socket fails with exit 1"
# (io_uring drops the dead daemon's listening socket asynchronously, so for a moment a connect
# may still succeed and then be reset.)
expect_true "nsringctl on a stale socket reports a connection error" \
	grep -qE "cannot connect|Connection reset|failed: " <<<"$ERR"
# Wait until the dead daemon's listening socket refuses connections (see above), else the new
# daemon's probe would find it "live".
refused() {
	"$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' "$SOCK"
}
for ((i = 0; i < 100; i++)); do
	refused && break
	sleep 0.05
done
expect_true "the killed daemon's socket refuses connections (stale)" refused
start_daemon
serves
json_check "$OUT" '[n["name"] for n in d] == ["kept"]' "the new daemon serves the namespaces of the killed one"
expect_eq "$(stat -c '%a %F' "$SOCK")" "660 socket" "the replaced socket has mode 0660"
stop_daemon
expect_true "nsringd removes its socket on exit" test ! -e "$SOCK"

# A stale socket nobody ever served (bound, then its process exited).
"$PY" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$SOCK"
expect_true "a stale socket file exists" test -S "$SOCK"
start_daemon
serves
stop_daemon

# Something that is not a socket is never replaced.
echo "not a socket" >"$SOCK"
run timeout 10 "$NSRINGD" -s "$SOCK" -d "$NETNS_DIR"
expect_true "nsringd refuses a path that is not a socket (exit $RC)" test "$RC" != 0 -a "$RC" != 124
expect_eq "$(cat "$SOCK")" "not a socket" "the file was left alone"
rm -f "$SOCK"

# Missing parent directories of the socket are created.
SOCK_SAVED=$SOCK
SOCK=$T/sub/dir/nsring.sock
start_daemon
serves
stop_daemon
SOCK=$SOCK_SAVED

# ---------------------------------------------------------------- malformed input
start_daemon
fds0=$(daemon_fds "$DPID")
run_ok ttrpc send-expect-close "$(hex "this is not ttrpc at all, just garbage")"
expect_eq "$OUT" "closed" "garbage: nsringd closes the connection"
serves
run_ok ttrpc send-expect-close ffffffff000000010100
expect_eq "$OUT" "closed" "a frame announcing 4 GiB: nsringd closes the connection"
serves
run_ok ttrpc send-expect-close 00400001000000010100
expect_eq "$OUT" "closed" "a frame just over the 4 MiB limit: closed"
serves
run_ok ttrpc send-and-leave 00000064000000010100deadbeef
expect_eq "$OUT" "left" "a truncated frame, then disconnect"
serves
run_ok ttrpc truncated-big
serves
run_ok ttrpc send-expect-close 0000000000000001020000
expect_eq "$OUT" "closed" "a response frame (type 2) from a client: closed"
serves
run_ok ttrpc send-expect-close 00000000000000000100
expect_eq "$OUT" "closed" "a request on stream 0: closed"
serves
# An HTTP/2 connection (gRPC is served on the same socket) that breaks the protocol (DATA on
# stream 0 where SETTINGS must come first): GOAWAY, closed.
run_ok ttrpc send-expect-close "$(hex $'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')000000000000000000"
expect_eq "$OUT" "closed" "an HTTP/2 protocol error: closed"
serves
# A request frame whose body is not a ttrpc.Request: an error reply, and the connection lives.
run_ok ttrpc raw-body ffffffffffff
expect_contains "$OUT" "type=2 stream=1 code=$INVALID_ARGUMENT" "a malformed envelope gets INVALID_ARGUMENT"
expect_contains "$OUT" "then: type=2 stream=3 code=$OK" "the connection still serves after a malformed envelope"
run_ok ttrpc call ListNamespaces "" other.Service
expect_contains "$OUT" "stream=1 code=$UNIMPLEMENTED" "an unknown service gets UNIMPLEMENTED"
expect_contains "$OUT" "then: type=2 stream=3 code=$OK" "the connection serves after an unknown service"
run_ok ttrpc call NoSuchMethod ""
expect_contains "$OUT" "stream=1 code=$UNIMPLEMENTED" "an unknown method gets UNIMPLEMENTED"
expect_contains "$OUT" "NoSuchMethod" "the unknown method is named"
run_ok ttrpc call CreateNamespace ffff
expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "a payload that does not decode gets INVALID_ARGUMENT"
expect_contains "$OUT" "then: type=2 stream=3 code=$OK" "the connection serves after a bad payload"
serves

# ---------------------------------------------------------------- the daemon's own validation
# Requests nsringctl refuses to send: nsringd must refuse them too. First, controls: the same
# raw encodings with valid values succeed.
run_ok ttrpc call CreateNamespace "$(pb_str 1 rawok)"
expect_contains "$OUT" "stream=1 code=$OK" "raw CreateNamespace \"rawok\" succeeds (control)"
link="$(pb_str 2 rawv0)$(pb_msg 20 "$(pb_str 1 rawv1)")"
run_ok ttrpc call CreateLink "$(pb_msg 1 "$(pb_str 1 rawok)")$(pb_msg 2 "$link")"
expect_contains "$OUT" "stream=1 code=$OK" "raw CreateLink veth rawv0/rawv1 succeeds (control)"
run_ok ttrpc call CreateAddress "$(pb_msg 1 "$(pb_str 1 rawok)")$(pb_msg 2 "$(pb_str 1 rawv0)$(pb_str 3 198.18.0.1)$(pb_uint 4 24)")"
expect_contains "$OUT" "stream=1 code=$OK" "raw CreateAddress 198.18.0.1/24 succeeds (control)"
run_ok ctl -j -n rawok addr show
json_check "$OUT" '[(a["link_name"], a["address"], a["prefix_len"]) for a in d] == [("rawv0", "198.18.0.1", 24)]' \
	"the raw requests did what they said"
run_ok ctl netns del rawok
for name in "../escape" "a/b" "." ".." "" "$(printf 'x%.0s' {1..256})" "/abs"; do
	run_ok ttrpc call CreateNamespace "$(pb_str 1 "$name")"
	expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw CreateNamespace \"${name:0:20}\" -> INVALID_ARGUMENT"
done
expect_true "no file escaped the netns dir" test ! -e "$T/escape" -a ! -e /escape -a ! -e "$NETNS_DIR/a"
run_ok ttrpc call DeleteNamespace "$(pb_str 1 "../nsring.sock")"
expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw DeleteNamespace \"../nsring.sock\" -> INVALID_ARGUMENT"
expect_true "the socket was not deleted through the netns dir" test -S "$SOCK"
run_ok ttrpc call ListLinks "$(pb_msg 1 "$(pb_str 1 "../netns")")"
expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw ListLinks with namespace name \"../netns\" -> INVALID_ARGUMENT"
run_ok ttrpc call ListLinks "$(pb_msg 1 "$(pb_str 2 "relative/path")")"
expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw ListLinks with a relative path -> INVALID_ARGUMENT"
run_ok ttrpc call ListLinks "$(pb_msg 1 "18ffffffffffffffffff01")"
expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw ListLinks with pid -1 -> INVALID_ARGUMENT"
run_ok ctl netns add rv
for ifname in "" "0123456789abcdef" "a/b" "a b" "." ".."; do
	link="$(pb_str 2 "$ifname")$(pb_msg 20 "$(pb_str 1 peer0)")"
	run_ok ttrpc call CreateLink "$(pb_msg 1 "$(pb_str 1 rv)")$(pb_msg 2 "$link")"
	expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw CreateLink with interface name \"$ifname\" -> INVALID_ARGUMENT"
done
link="$(pb_str 2 rv0)$(pb_msg 20 "$(pb_str 1 "bad/peer")")"
run_ok ttrpc call CreateLink "$(pb_msg 1 "$(pb_str 1 rv)")$(pb_msg 2 "$link")"
expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw CreateLink with peer name \"bad/peer\" -> INVALID_ARGUMENT"
run_ok ttrpc call CreateLink "$(pb_msg 1 "$(pb_str 1 rv)")$(pb_msg 2 "$(pb_str 2 rv1)")"
expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw CreateLink without a kind -> INVALID_ARGUMENT"
run_ok ttrpc call CreateAddress "$(pb_msg 1 "$(pb_str 1 rv)")$(pb_msg 2 "$(pb_str 1 lo)$(pb_str 3 198.18.0.1)$(pb_uint 4 33)")"
expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw CreateAddress with prefix length 33 -> INVALID_ARGUMENT"
run_ok ttrpc call CreateAddress "$(pb_msg 1 "$(pb_str 1 rv)")$(pb_msg 2 "$(pb_str 1 lo)$(pb_str 3 2001:db8::1)$(pb_uint 4 129)")"
expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw CreateAddress with prefix length 129 -> INVALID_ARGUMENT"
run_ok ttrpc call CreateAddress "$(pb_msg 1 "$(pb_str 1 rv)")$(pb_msg 2 "$(pb_str 1 lo)$(pb_str 3 bogus)$(pb_uint 4 24)")"
expect_contains "$OUT" "stream=1 code=$INVALID_ARGUMENT" "raw CreateAddress with a bad address -> INVALID_ARGUMENT"
run_ok ctl -j -n rv link show
json_check "$OUT" '[l["name"] for l in d] == ["lo"]' "the refused raw requests changed nothing in rv"
run_ok ctl -j -n rv addr show
json_check "$OUT" 'd == []' "no address was added by the refused raw requests"
run_ok ctl netns del rv
serves

# ---------------------------------------------------------------- abandoned requests
fds1=$(daemon_fds "$DPID")
run_ok ttrpc abandon-half 100
expect_eq "$OUT" "abandoned 100" "100 clients sent half a request and disconnected"
serves
expect_true "nsringd's fds are back to the baseline after 100 abandoned clients ($fds1; now $(daemon_fds "$DPID"))" \
	wait_fds_le "$fds1"
run_ok ctl -j netns list
json_check "$OUT" 'not any(n["name"].startswith("half") for n in d)' "no half-sent request was executed"
run_ok ttrpc abandon-full 50
serves
# Whatever ran, ran whole: the namespaces that exist are usable; delete them all.
for ((i = 0; i < 100; i++)); do
	n=$(json_get "$(ctl -j netns list)" 'len([x for x in d if x["name"].startswith("full")])')
	[[ $n == 50 ]] && break
	sleep 0.05
done
log "$n of 50 abandoned CreateNamespace requests ran"
while read -r ns; do
	[[ $ns == full* ]] || continue
	ctl -n "$ns" link show lo >/dev/null || fail "abandoned-but-created namespace $ns is not usable"
	ctl netns del "$ns" || fail "cannot delete $ns"
done < <(list_ns_names)
run_ok ctl -j netns list
json_check "$OUT" '[n["name"] for n in d] == ["kept"]' "only 'kept' is left"
expect_true "nsringd's fds are back to the baseline after the abandoned requests ($fds1; now $(daemon_fds "$DPID"))" \
	wait_fds_le "$fds1"
expect_true "fds are back to what they were before the malformed input ($fds0; now $(daemon_fds "$DPID"))" \
	wait_fds_le "$fds0"
stop_daemon

# ---------------------------------------------------------------- the connection limit
start_daemon --max-connections 4
coproc HOLD { "$PY" "$T/ttrpc.py" "$SOCK" hold 4; }
BG_PIDS+=("$HOLD_PID")
read -r -t 10 held <&"${HOLD[0]}"
expect_eq "$held" "held 4" "4 idle connections held"
run timeout 20 "$NSRINGCTL" -s "$SOCK" --timeout 5 netns list
expect_eq "$RC" 1 "a 5th client beyond --max-connections 4 fails (exit 1), without hanging"
expect_err_contains "Error:" "the refused client prints an error"
eval "exec ${HOLD[1]}>&-"
wait "$HOLD_PID" 2>/dev/null
ok=0
for ((i = 0; i < 100; i++)); do
	ctl netns list >/dev/null 2>&1 && ok=1 && break
	sleep 0.05
done
expect_eq "$ok" 1 "once the idle clients leave, new clients are served"
stop_daemon

# ---------------------------------------------------------------- SIGTERM with calls in flight
start_daemon
for i in 0 1 2 3; do
	run_ok ctl netns add t$i
done
mkdir "$T/clients"
# A launcher starts the 200 clients one after the other and sends SIGTERM after the 100th, so
# SIGTERM finds some clients done, some in flight and some not yet started.
client() {
	timeout 20 "$NSRINGCTL" -s "$SOCK" -n t$(($1 % 4)) link add a$1 type veth peer name b$1 \
		>"$T/clients/$1.out" 2>"$T/clients/$1.err"
	echo $? >"$T/clients/$1.rc"
}
(
	for ((i = 0; i < 200; i++)); do
		client $i &
		if ((i == 99)); then
			echo "$(ls "$T/clients" | grep -c '\.rc$')" >"$T/done-at-sigterm"
			kill -TERM "$DPID"
		fi
	done
	wait
) &
LAUNCHER=$!
BG_PIDS+=("$LAUNCHER")
for ((i = 0; i < 1000; i++)); do
	kill -0 "$DPID" 2>/dev/null || break
	[[ -e $T/done-at-sigterm ]] || { sleep 0.01; continue; }
	sleep 0.01
done
log "SIGTERM after $(cat "$T/done-at-sigterm" 2>/dev/null) of 200 clients finished"
if kill -0 "$DPID" 2>/dev/null; then
	fail "nsringd exits within 10 s of SIGTERM with calls in flight"
	kill -KILL "$DPID"
fi
wait "$DPID"
expect_eq "$?" 0 "nsringd exits 0 on SIGTERM with calls in flight"
DPID=
expect_true "nsringd removed its socket when it stopped" test ! -e "$SOCK"
hung=0
wait "$LAUNCHER"
run ctl netns list
expect_eq "$RC" 1 "a client after SIGTERM fails at once (exit 1)"
expect_err_contains "cannot connect" "a client after SIGTERM cannot connect"
n_ok=0 n_unavail=0 n_conn=0 n_other=0 other=
for ((i = 0; i < 200; i++)); do
	rc=$(cat "$T/clients/$i.rc" 2>/dev/null)
	err=$(cat "$T/clients/$i.err" 2>/dev/null)
	if [[ $rc == 0 ]]; then
		n_ok=$((n_ok + 1))
	elif [[ $rc == 124 ]]; then
		hung=$((hung + 1))
	elif [[ $rc == 1 && $err == *"Error: UNAVAILABLE"* ]]; then
		n_unavail=$((n_unavail + 1))
	elif [[ $rc == 1 && ($err == *"cannot connect"* || $err == *"failed:"*) ]]; then
		n_conn=$((n_conn + 1))
	else
		n_other=$((n_other + 1))
		other+="client $i: rc=$rc $err"$'\n'
	fi
done
cat "$T"/clients/*.err | sort | uniq -c | sort -rn | head -5 | sed "s/^/#   /"
log "SIGTERM: $n_ok succeeded, $n_unavail UNAVAILABLE, $n_conn connection errors, $hung hung, $n_other other"
expect_eq "$hung" 0 "no client hung across SIGTERM (timeout 20 each)"
expect_eq "$n_other" 0 "every client got success, UNAVAILABLE or a connection error"
[[ -n $other ]] && printf '%s' "$other" | head -n 5 | sed 's/^/#   /'
expect_true "some clients succeeded before SIGTERM ($n_ok)" test "$n_ok" -ge 1
# What the clients were told matches what happened.
start_daemon
missing=
for ((i = 0; i < 200; i++)); do
	[[ $(cat "$T/clients/$i.rc" 2>/dev/null) == 0 ]] || continue
	in_ns t$((i % 4)) ip link show a$i >/dev/null 2>&1 || missing+=" a$i"
done
expect_eq "$missing" "" "every link a client was told was created exists"
extra=
for ((i = 0; i < 200; i++)); do
	grep -q "UNAVAILABLE: nsringd is shutting down" "$T/clients/$i.err" 2>/dev/null || continue
	in_ns t$((i % 4)) ip link show a$i >/dev/null 2>&1 && extra+=" a$i"
done
expect_eq "$extra" "" "no link exists for a request refused as 'shutting down'"
for i in 0 1 2 3; do
	run_ok ctl netns del t$i
done

# ---------------------------------------------------------------- who may connect
# A copy of nsringctl anybody can execute (the build tree may not be readable by nobody).
install -m 0755 "$NSRINGCTL" "$T/nsringctl-any"
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
run as_nobody timeout 30 "$T/nsringctl-any" -s "$SOCK" netns list
expect_eq "$RC" 1 "nsringctl as nobody exits 1"
expect_err_contains "cannot connect to $SOCK" "nsringctl as nobody: cannot connect"
expect_err_contains "Permission denied" "nsringctl as nobody: the error is EACCES"
# If nobody can reach the socket, nsringd itself refuses non-root peers.
chmod 0666 "$SOCK"
run_fail PERMISSION_DENIED as_nobody timeout 30 "$T/nsringctl-any" -s "$SOCK" netns add bynobody
expect_true "nobody's request did nothing" test ! -e "$NETNS_DIR/bynobody"
chmod 0660 "$SOCK"
serves
stop_daemon

# --allow-group: members (primary or supplementary group) are admitted.
GROUP=nsringtest
if ! getent group "$GROUP" >/dev/null; then
	groupadd -f "$GROUP" || die "groupadd $GROUP failed"
	remove_group() { groupdel "$GROUP" 2>/dev/null; }
	CLEANUP_HOOKS+=(remove_group)
fi
gid=$(getent group "$GROUP" | cut -d: -f3)
start_daemon --allow-group "$GROUP"
expect_eq "$(stat -c '%a %U %G' "$SOCK")" "660 root $GROUP" "with --allow-group the socket is 0660 root:$GROUP"
run_ok setpriv --reuid=65534 --regid="$gid" --clear-groups -- timeout 30 "$T/nsringctl-any" -s "$SOCK" netns add bygroup
expect_true "a member (primary group) created a namespace" test -e "$NETNS_DIR/bygroup"
run_ok setpriv --reuid=65534 --regid=65534 --groups="$gid" -- timeout 30 "$T/nsringctl-any" -s "$SOCK" -j netns list
json_check "$OUT" 'any(n["name"] == "bygroup" for n in d)' "a member (supplementary group) is served"
run_ok setpriv --reuid=65534 --regid=65534 --groups="$gid" -- timeout 30 "$T/nsringctl-any" -s "$SOCK" netns del bygroup
run as_nobody timeout 30 "$T/nsringctl-any" -s "$SOCK" netns list
expect_eq "$RC" 1 "a non-member still cannot connect"
expect_err_contains "Permission denied" "a non-member gets EACCES"
chmod 0666 "$SOCK"
run_fail PERMISSION_DENIED as_nobody timeout 30 "$T/nsringctl-any" -s "$SOCK" netns list
chmod 0660 "$SOCK"
serves
