#!/bin/bash
# System test: sockets born in namespaces and raw netlink (docs/sockets.md). One Python process
# that never calls setns() gets UDP and abstract AF_UNIX sockets inside two namespaces
# (OpenSocket) and exchanges datagrams between them; OpenNamespace passes the nsfs fd; a plain
# ttrpc client leaks nothing; pyroute2-built generic netlink and RTM_GETNETCONF requests are
# answered through Netlink exactly as a local socket in the namespace answers them; bad inputs
# get clear statuses; gRPC gets FAILED_PRECONDITION; calls in flight on a namespace being
# deleted end cleanly; the daemon's fds come back to the baseline and it keeps serving.
HERE=$(dirname "$(readlink -f "$0")")
source "$HERE/lib.sh"
sys_init "$@"
require_faults_py
CLIENT=$HERE/../interop/sockets_client.py
"$PY" -c 'import pyroute2' 2>/dev/null || die "needs python3-pyroute2 (.ci/deps.sh test)"

# client CMD ARGS...: the Python client's checks, counted here.
client() {
	local out rc line
	out=$("$PY" "$CLIENT" "$@" 2>"$T/client.err")
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) pass "${line#ok - }" ;;
		"not ok - "*) fail "${line#not ok - }" ;;
		*) printf '# %s\n' "$line" ;;
		esac
	done <<<"$out"
	if [[ $rc != 0 && $out != *"not ok - "* ]]; then
		fail "sockets_client.py $1 exited $rc"
		sed 's/^/#   python: /' "$T/client.err" | tail -n 30
	fi
	CLIENT_OUT=$out
}

start_daemon
fds0=$(daemon_fds "$DPID")
run_ok ctl netns add sa
run_ok ctl netns add sb
run_ok ctl -n sa link add va type veth peer name vb netns sb
run_ok ctl -n sa addr add 198.18.7.1/24 dev va
run_ok ctl -n sb addr add 198.18.7.2/24 dev vb
run_ok ctl -n sa link set va up
run_ok ctl -n sb link set vb up
run_ok ctl -n sa link set lo up
run_ok ctl -n sb link set lo up

# -- sockets from one process that never enters a namespace
client udp "$SOCK" "$PROTO_DIR" sa sb 198.18.7.1 198.18.7.2
client unix "$SOCK" "$PROTO_DIR" sa sb
client packet "$SOCK" "$PROTO_DIR" sa va
client fds "$SOCK" "$PROTO_DIR" "$NETNS_DIR" sa

# -- raw netlink, compared with a local socket in the namespace
client netlink "$SOCK" "$PROTO_DIR" "$NETNS_DIR" sa

# -- clients that leave with fd calls and dumps in flight: nothing stays open in the daemon
fds1=$(daemon_fds "$DPID")
client leave "$SOCK" "$PROTO_DIR" sa
# 100 sockets to make by helper threads and 100 dumps to read first: up to 60 s on a busy machine.
for ((i = 0; i < 12; i++)); do wait_fds_le "$fds1" && break; done
expect_true "nsringd's fds back to $fds1 after clients left mid-call" \
	test "$(daemon_fds "$DPID")" -le "$fds1"

# -- nsringctl netlink: an RTM_GETLINK dump of sa (lo and va), printed and as JSON
getlink=$("$PY" -c 'import struct; print((struct.pack("=IHHII", 32, 18, 0x301, 9, 0) + bytes(16)).hex())')
run_ok ctl -n sa netlink protocol route "$getlink"
expect_contains "$OUT" "NEWLINK len" "nsringctl netlink prints the dump's messages"
expect_contains "$OUT" "DONE len 20" "... and its NLMSG_DONE"
expect_contains "$OUT" "  link 1 lo kind - mtu 65536" "... lo decoded by nsring's codec"
run_ok ctl -j -n sa netlink --protocol route "$getlink"
json_check "$OUT" 'len([m for m in d if m["type_name"] == "NEWLINK"]) == 2 and all(m["seq"] == 9 for m in d)' \
	"two links, every reply with the client's seq 9"
json_check "$OUT" 'sorted(m["link"]["name"] for m in d if "link" in m) == ["lo", "va"]' \
	"JSON: the links decoded (lo, va)"
# RTM_NEWLINK of a kind no kernel has: IFLA_IFNAME "x0", IFLA_LINKINFO { IFLA_INFO_KIND }.
newlink=$("$PY" -c '
import struct
def attr(t, p): return struct.pack("=HH", 4 + len(p), t) + p + bytes((4 - len(p) % 4) % 4)
body = bytes(16) + attr(3, b"x0\0") + attr(18, attr(1, b"nsringnosuch\0"))
print((struct.pack("=IHHII", 16 + len(body), 16, 0x405, 3, 0) + body).hex())')
run_ok ctl -n sa netlink --protocol route "$newlink"
expect_contains "$OUT" "ERROR len" "a refused RTM_NEWLINK prints its NLMSG_ERROR"
expect_contains "$OUT" "extack" "... with the kernel's extended-ack text"
run_usage "protocol" ctl -n sa netlink protocol nosuch "$getlink"
run_usage "hex" ctl -n sa netlink protocol route 12z4
run_fail INVALID_ARGUMENT ctl -n sa netlink protocol 9 "$getlink"

# -- bad input; the reply limit needs a big dump: 60 bridges in sb
for i in $(seq 60); do echo "link add d$i type bridge"; done >"$T/links.batch"
run_ok in_ns sb ip -batch "$T/links.batch"
client bad "$SOCK" "$PROTO_DIR" "$NETNS_DIR" sb

# -- gRPC cannot carry fds
run_ok "$PY" - "$SOCK" "$PROTO_DIR" "$HERE/../common" <<'PYEOF'
import sys
sys.path.insert(0, sys.argv[3])
import grpc
from nsring_ttrpc import load_protos
import importlib
pb = load_protos(sys.argv[2], ["nsring/v1/nsring.proto"], prefix="nsring-sockets-grpc.")[0]
pb.SocketSpec = importlib.import_module("nsring.v1.socket_pb2").SocketSpec
ch = grpc.insecure_channel("unix://" + sys.argv[1])
call = ch.unary_unary("/nsring.v1.NsRing/OpenSocket",
                      request_serializer=lambda m: m.SerializeToString(),
                      response_deserializer=pb.OpenSocketResponse.FromString)
req = pb.OpenSocketRequest(namespace=pb.NamespaceRef(name="sa"),
                           socket=pb.SocketSpec(domain=2, type=1))
try:
    call(req, timeout=10)
    print("OpenSocket over gRPC succeeded"); sys.exit(1)
except grpc.RpcError as e:
    print(e.code(), e.details())
    sys.exit(0 if e.code() == grpc.StatusCode.FAILED_PRECONDITION and "ttrpc" in e.details() else 1)
PYEOF
expect_contains "$OUT" "FAILED_PRECONDITION" "OpenSocket over gRPC: FAILED_PRECONDITION naming the ttrpc transport"

# -- a namespace deleted with calls in flight on it
run_ok ctl netns add sv
run_ok ctl -n sv link show # opened: the calls below find it open, their sockets not yet
client vanish "$SOCK" "$PROTO_DIR" sv

# -- only admitted peers
chmod 0666 "$SOCK"
run_fail PERMISSION_DENIED setpriv --reuid=65533 --regid=65533 --clear-groups "$NSRINGCTL" -s "$SOCK" -n sa netlink protocol route "$getlink"

# -- namespaces gone: every socket of theirs closed, the daemon back to its baseline
run_ok ctl netns del sa
run_ok ctl netns del sb
wait_fds_le "$fds0"
expect_true "nsringd's fds back to the baseline ($fds0) after the namespaces went" \
	test "$(daemon_fds "$DPID")" -le "$fds0"
run_ok ctl netns list
stop_daemon
