#!/bin/bash
# System test: neighbours (ip neigh) and bridge FDB entries (bridge fdb) through nsringd: add,
# replace, delete and list, checked against iproute2's own view, ensure, batches, and the
# error paths (bad input refused before anything is sent, kernel refusals with errno and text).
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
require_faults_py
start_daemon

# ensure_call METHOD JSON: one raw call with ensure set, in namespace na (nsringctl has no
# ensure option yet); $OUT is "OK" or "OK already_done", or "CODE_NAME message".
ensure_call() {
	run "$PY" - "$SOCK" "$PROTO_DIR" "$1" "$2" "$LIB_DIR" <<'EOPY'
import os, sys
sys.path.insert(0, os.path.join(sys.argv[5], "..", "common"))
from google.protobuf import json_format
from nsring_ttrpc import Conn, code_name, load_protos
sock, proto_dir, method, body = sys.argv[1:5]
pb = load_protos(proto_dir, ["nsring/v1/nsring.proto"])[0]
req = json_format.Parse(body, getattr(pb, method + "Request")())
req.namespace.name = "na"
req.ensure = True
code, msg, payload = Conn(sock).call(1, method, req.SerializeToString())
if code:
    print(code_name(code), msg)
else:
    resp = getattr(pb, method + "Response")()
    resp.ParseFromString(payload)
    print("OK already_done" if resp.already_done else "OK")
EOPY
}

run_ok ctl netns add na
run_ok ctl -n na link add n0 up type veth peer name n1
run_ok ctl -n na addr add 198.18.0.1/24 dev n0
run_ok ctl -n na addr add 2001:db8::1/64 dev n0

# ---------------------------------------------------------------- neighbours
run_ok ctl -n na neigh add 198.18.0.2 lladdr 02:00:00:00:00:02 dev n0
run_ok in_ns na ip neigh show dev n0
expect_contains "$OUT" "198.18.0.2 lladdr 02:00:00:00:00:02 PERMANENT" \
	"ip sees the permanent IPv4 neighbour"
run_ok ctl -n na neigh add 198.18.0.3 lladdr 02:00:00:00:00:03 dev n0 nud stale
run_ok ctl -n na neigh add 198.18.0.4 lladdr 02:00:00:00:00:04 dev n0 nud reachable
run_ok ctl -n na neigh add 198.18.0.5 lladdr 02:00:00:00:00:05 dev n0 nud noarp
run_ok ctl -n na neigh add 2001:db8::2 lladdr 02:00:00:00:00:12 dev n0 router
run_ok in_ns na ip neigh show dev n0 nud all
expect_contains "$OUT" "198.18.0.3 lladdr 02:00:00:00:00:03 STALE" "ip: the stale entry"
expect_contains "$OUT" "198.18.0.4 lladdr 02:00:00:00:00:04 REACHABLE" "ip: the reachable entry"
expect_contains "$OUT" "198.18.0.5 lladdr 02:00:00:00:00:05 NOARP" "ip: the noarp entry"
expect_contains "$OUT" "2001:db8::2 lladdr 02:00:00:00:00:12 router PERMANENT" \
	"ip: the IPv6 router entry"

run_ok ctl -n na neigh show dev n0
expect_contains "$OUT" "198.18.0.2 dev n0 lladdr 02:00:00:00:00:02 PERMANENT" \
	"nsringctl neigh show prints ip's line"
expect_contains "$OUT" "2001:db8::2 dev n0 lladdr 02:00:00:00:00:12 router PERMANENT" \
	"nsringctl neigh show: the router flag"
run_ok ctl -j -n na neigh show
json_check "$OUT" 'any(n["address"] == "198.18.0.3" and n["dev"] == "n0" and n["lladdr"] == "02:00:00:00:00:03" and n["state"] == 4 for n in d)' \
	"-j neigh show: the stale entry with its state (NUD_STALE)"
run_ok ctl -j -n na neigh show nud all
json_check "$OUT" 'any(n["address"] == "198.18.0.5" and n["state"] == 64 for n in d)' \
	"-j neigh show nud all: the noarp entry too"
run_ok ctl -4 -j -n na neigh show
json_check "$OUT" 'len(d) == 3 and all(":" not in n["address"] for n in d)' \
	"-4: IPv4 only, noarp hidden as ip does"
# What ip lists, nsring lists (same addresses).
ipset=$(in_ns na ip neigh show dev n0 | awk '{print $1}' | sort | tr '\n' ' ')
ourset=$(ctl -n na neigh show dev n0 | awk '{print $1}' | sort | tr '\n' ' ')
expect_eq "$ourset" "$ipset" "neigh show dev n0 lists exactly what ip neigh show dev n0 lists"
ipset=$(in_ns na ip neigh show nud all | awk '{print $1, $3}' | sort | tr '\n' ' ')
ourset=$(ctl -n na neigh show nud all | awk '{print $1, $3}' | sort | tr '\n' ' ')
expect_eq "$ourset" "$ipset" "neigh show nud all lists exactly what ip neigh show nud all lists"

# replace changes it; add of an existing one is refused.
run_fail ALREADY_EXISTS ctl -n na neigh add 198.18.0.2 lladdr 02:00:00:00:00:22 dev n0
expect_err_contains "EEXIST"
run_ok ctl -n na neigh replace 198.18.0.2 lladdr 02:00:00:00:00:22 dev n0
run_ok in_ns na ip neigh show 198.18.0.2 dev n0
expect_contains "$OUT" "lladdr 02:00:00:00:00:22 PERMANENT" "replace changed the lladdr"

# proxy entries
run_ok ctl -n na neigh add proxy 198.18.0.100 dev n0
run_ok in_ns na ip neigh show proxy
expect_contains "$OUT" "198.18.0.100 dev n0 proxy" "ip sees the proxy entry"
run_ok ctl -n na neigh show proxy
expect_contains "$OUT" "198.18.0.100 dev n0 proxy" "neigh show proxy lists it"
run_ok ctl -n na neigh del proxy 198.18.0.100 dev n0
run_ok in_ns na ip neigh show proxy
expect_not_contains "$OUT" "198.18.0.100" "the proxy entry is gone"

# delete
run_ok ctl -n na neigh del 198.18.0.3 dev n0
run_ok in_ns na ip neigh show dev n0
expect_not_contains "$OUT" "198.18.0.3 " "ip: the deleted neighbour is gone"
run_fail NOT_FOUND ctl -n na neigh del 198.18.0.3 dev n0
expect_err_contains "ENOENT"

# ensure (raw calls: see ensure_call): the same create and a delete of nothing succeed with
# already_done; a create that finds another entry names what differs.
ensure_call CreateNeighbor '{"neighbor": {"dev": "n0", "address": "198.18.0.2", "lladdr": "02:00:00:00:00:22"}}'
expect_eq "$OUT" "OK already_done" "ensure: the same neighbour is already done"
ensure_call CreateNeighbor '{"neighbor": {"dev": "n0", "address": "198.18.0.2", "lladdr": "02:00:00:00:00:99"}}'
expect_contains "$OUT" "ALREADY_EXISTS" "ensure: another lladdr is ALREADY_EXISTS"
expect_contains "$OUT" "exists with different attributes: lladdr 02:00:00:00:00:22 (asked 02:00:00:00:00:99)" \
	"ensure: the message names the differing lladdr, found and asked"
ensure_call DeleteNeighbor '{"neighbor": {"dev": "n0", "address": "198.18.0.3"}}'
expect_eq "$OUT" "OK already_done" "ensure: deleting a gone neighbour is done"
ensure_call DeleteNeighbor '{"neighbor": {"dev": "nodev0", "address": "198.18.0.3"}}'
expect_eq "$OUT" "OK already_done" "ensure: deleting a neighbour of a missing device is done"
ensure_call CreateNeighbor '{"neighbor": {"dev": "nodev0", "address": "198.18.0.3", "lladdr": "02:00:00:00:00:33"}}'
expect_contains "$OUT" "NOT_FOUND" "ensure: creating one on a missing device still fails"
expect_contains "$OUT" "nodev0" "... naming the device"

# bad input: nsringctl refuses it, and the daemon does before sending anything.
run_usage "not an IP address" ctl -n na neigh add 198.18.0.300 lladdr 02:00:00:00:00:02 dev n0
run_usage "lladdr" ctl -n na neigh add 198.18.0.9 lladdr 02:zz:00:00:00:02 dev n0
run_usage "nud takes" ctl -n na neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev n0 nud bogus
run_usage "is not an IPv6 address" ctl -6 -n na neigh add 198.18.0.9 dev n0
run_usage "\"dev\" is required" ctl -n na neigh add 198.18.0.9 lladdr 02:00:00:00:00:09
ensure_call CreateNeighbor '{"neighbor": {"dev": "n0", "address": "198.18.0.9", "lladdr": "02:zz"}}'
expect_contains "$OUT" "INVALID_ARGUMENT CreateNeighbor: lladdr: invalid" "daemon: a bad lladdr names the field"
ensure_call CreateNeighbor '{"neighbor": {"address": "198.18.0.9"}}'
expect_contains "$OUT" "INVALID_ARGUMENT CreateNeighbor: dev:" "daemon: a missing dev names the field"
ensure_call CreateFdbEntry '{"entry": {"dev": "n0", "mac": "02:00:00:00:00"}}'
expect_contains "$OUT" "INVALID_ARGUMENT CreateFdbEntry: mac: invalid" "daemon: a bad MAC names the field"
run_fail NOT_FOUND ctl -n na neigh add 198.18.0.9 lladdr 02:00:00:00:00:09 dev nosuch
expect_err_contains 'link "nosuch" not found'

# ---------------------------------------------------------------- bridge FDB
run_ok ctl -n na link add br0 up type bridge
run_ok ctl -n na link add p0 type veth peer name p1
run_ok ctl -n na link set p0 master br0 up
run_ok ctl -n na link set p1 up
run_ok ctl -n na bridge fdb add 02:00:00:00:01:01 dev p0 master static
# A VLAN entry needs a VLAN-filtering bridge: the kernel's refusal keeps its errno and text.
run_fail INVALID_ARGUMENT ctl -n na bridge fdb add 02:00:00:00:01:02 dev p0 master vlan 1 static
expect_err_contains "EINVAL"
run_ok ctl -n na bridge fdb add 02:00:00:00:01:03 dev p0 master
run_ok in_ns na bridge fdb show dev p0
expect_contains "$OUT" "02:00:00:00:01:01 master br0 static" "bridge sees the static entry"
expect_contains "$OUT" "02:00:00:00:01:03 master br0 permanent" \
	"bridge sees the permanent entry (the default)"
run_ok ctl -n na bridge fdb show dev p0
expect_contains "$OUT" "02:00:00:00:01:01 dev p0 master br0 static" \
	"nsringctl bridge fdb show prints bridge's words"
# (iproute2 only to switch VLAN filtering on: nsringctl has no bridge options yet.)
if in_ns na ip link set br0 type bridge vlan_filtering 1 2>/dev/null; then
	run_ok ctl -n na bridge fdb add 02:00:00:00:01:02 dev p0 master vlan 1 static
	run_ok in_ns na bridge fdb show dev p0
	expect_contains "$OUT" "02:00:00:00:01:02 vlan 1 master br0 static" \
		"bridge sees the vlan entry"
	run_ok ctl -n na bridge fdb show dev p0
	expect_contains "$OUT" "02:00:00:00:01:02 dev p0 vlan 1 master br0 static" \
		"nsringctl bridge fdb show: the vlan entry"
else
	log "this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING): the" \
		"accepted VLAN entry is not tested here"
fi
run_ok ctl -j -n na bridge fdb show br br0
json_check "$OUT" 'any(e["mac"] == "02:00:00:00:01:01" and e["dev"] == "p0" and e["master_name"] == "br0" and e["state"] == "FDB_STATE_STATIC" for e in d)' \
	"-j bridge fdb show br br0: the static entry"
ipn=$(in_ns na bridge fdb show br br0 | wc -l)
ourn=$(ctl -n na bridge fdb show br br0 | wc -l)
expect_eq "$ourn" "$ipn" "bridge fdb show br br0: as many entries as bridge lists"
run_ok ctl -n na bridge fdb replace 02:00:00:00:01:03 dev p0 master static
run_ok in_ns na bridge fdb show dev p0
expect_contains "$OUT" "02:00:00:00:01:03 master br0 static" "replace made it static"
run_ok ctl -n na bridge fdb del 02:00:00:00:01:01 dev p0 master
run_ok in_ns na bridge fdb show dev p0
expect_not_contains "$OUT" "02:00:00:00:01:01" "the deleted FDB entry is gone"
run_fail NOT_FOUND ctl -n na bridge fdb del 02:00:00:00:01:01 dev p0 master
ensure_call DeleteFdbEntry '{"entry": {"dev": "p0", "mac": "02:00:00:00:01:01", "master": true}}'
expect_eq "$OUT" "OK already_done" "ensure: deleting a gone FDB entry is done"
ensure_call DeleteFdbEntry '{"entry": {"dev": "nodev0", "mac": "02:00:00:00:01:01", "master": true}}'
expect_eq "$OUT" "OK already_done" "ensure: deleting an FDB entry of a missing device is done"
ensure_call CreateFdbEntry '{"entry": {"dev": "p0", "mac": "02:00:00:00:01:03", "master": true, "state": "FDB_STATE_STATIC"}}'
expect_eq "$OUT" "OK already_done" "ensure: the same FDB entry is already done"
ensure_call CreateFdbEntry '{"entry": {"dev": "p0", "mac": "02:00:00:00:01:03", "master": true, "state": "FDB_STATE_DYNAMIC"}}'
expect_contains "$OUT" "ALREADY_EXISTS" "ensure: another FDB state is ALREADY_EXISTS"
expect_contains "$OUT" "exists with different attributes: state static (asked dynamic)" \
	"ensure: the differing FDB state is named, found and asked"

# VXLAN: the flood list (one all-zeros entry per remote VTEP, appended), with vni and port.
run_ok ctl -n na link add vx0 type vxlan id 42 local 198.18.0.1 dstport 4789
run_ok ctl -n na bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.11
run_ok ctl -n na bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.12 vni 43 port 4790
run_ok ctl -n na bridge fdb add 02:00:00:00:02:01 dev vx0 dst 198.18.0.13 self
run_ok in_ns na bridge fdb show dev vx0
expect_contains "$OUT" "00:00:00:00:00:00 dst 198.18.0.11 self permanent" \
	"bridge sees the first flood-list remote"
expect_contains "$OUT" "00:00:00:00:00:00 dst 198.18.0.12 port 4790 vni 43 self permanent" \
	"bridge sees the second remote with its port and vni"
expect_contains "$OUT" "02:00:00:00:02:01 dst 198.18.0.13 self permanent" \
	"bridge sees the unicast VXLAN entry"
run_ok ctl -j -n na bridge fdb show dev vx0
json_check "$OUT" 'len([e for e in d if e["mac"] == "00:00:00:00:00:00"]) == 2 and any(e["dst"] == "198.18.0.12" and e["vni"] == 43 and e["port"] == 4790 for e in d)' \
	"-j: the flood list's two remotes, vni and port"
run_ok ctl -n na bridge fdb del 00:00:00:00:00:00 dev vx0 dst 198.18.0.11
run_ok in_ns na bridge fdb show dev vx0
expect_not_contains "$OUT" "198.18.0.11" "deleting one remote of the flood list"
expect_contains "$OUT" "dst 198.18.0.12" "... leaves the other"

# FDB bad input: refused before any change is sent.
run_fail INVALID_ARGUMENT ctl -n na bridge fdb add 02:00:00:00:01:09 dev p0 dst 198.18.0.50
expect_err_contains "only a VXLAN device takes them"
run_usage "invalid MAC" ctl -n na bridge fdb add 02:00:00:00:01 dev p0
run_usage "\"dst\" is required" ctl -n na bridge fdb append 00:00:00:00:00:00 dev vx0
run_fail INVALID_ARGUMENT ctl -n na bridge fdb append 00:00:00:00:00:00 dev vx0 dst 2001:db8::50
expect_err_contains "is IPv6 but"
run_ok in_ns na bridge fdb show dev p0
expect_not_contains "$OUT" "02:00:00:00:01:09" "the refused entry was not created"

# ---------------------------------------------------------------- batch
cat >"$T/neigh.batch" <<EOB
-n na link add n2 up type veth peer name n3
-n na neigh add 198.18.0.20 lladdr 02:00:00:00:00:20 dev n2
-n na neigh add 198.18.0.21 lladdr 02:00:00:00:00:21 dev n2 nud noarp
-n na bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.14
-n na bridge fdb add 02:00:00:00:01:20 dev p0 master static
EOB
run_ok ctl -batch "$T/neigh.batch"
# (noarp, not reachable: a reachable entry may age to stale on a loaded machine)
run_ok in_ns na ip neigh show dev n2 nud all
expect_contains "$OUT" "198.18.0.20 lladdr 02:00:00:00:00:20 PERMANENT" \
	"batch: neighbour on a link made earlier in the same batch"
expect_contains "$OUT" "198.18.0.21 lladdr 02:00:00:00:00:21 NOARP" "batch: second neighbour"
run_ok in_ns na bridge fdb show
expect_contains "$OUT" "dst 198.18.0.14" "batch: flood-list append"
expect_contains "$OUT" "02:00:00:00:01:20 dev p0 master br0 static" "batch: bridge entry"
cat >"$T/neigh-del.batch" <<EOB
-n na neigh del 198.18.0.20 dev n2
-n na neigh del 198.18.0.21 dev n2
-n na bridge fdb del 00:00:00:00:00:00 dev vx0 dst 198.18.0.14
EOB
run_ok ctl -batch "$T/neigh-del.batch"
# The batch's name map knows vx0 is a vxlan after the first append (no lookup for the second),
# and still refuses a remote on a bridge port.
cat >"$T/fdb-map.batch" <<EOB
-n na bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.17
-n na bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.18
-n na bridge fdb append 00:00:00:00:00:00 dev vx0 dst 2001:db8::18
-n na bridge fdb add 02:00:00:00:01:31 dev p0 dst 198.18.0.19
EOB
run ctl -batch "$T/fdb-map.batch"
expect_eq "$RC" 1 "batch with refused FDB entries: exit 1"
expect_contains "$ERR" "is IPv6 but \"vx0\" has an IPv4 local address" \
	"batch: the family mismatch is refused (from the name map's knowledge)"
run_ok in_ns na bridge fdb show dev vx0
expect_contains "$OUT" "dst 198.18.0.18 self permanent" "batch: both appends before it applied"
expect_not_contains "$OUT" "2001:db8::18" "batch: the refused remote is not there"
run ctl -batch <(echo "-n na bridge fdb add 02:00:00:00:01:31 dev p0 dst 198.18.0.19")
expect_contains "$ERR" "only a VXLAN device takes them" "batch: a remote on a bridge port is refused"
run_ok in_ns na ip neigh show dev n2 nud all
expect_not_contains "$OUT" "198.18.0.2" "batch: both neighbours deleted"

# ---------------------------------------------------------------- gRPC
# The same methods over gRPC (one socket serves both transports): list, create, delete.
run "$PY" - "$SOCK" "$PROTO_DIR" "$LIB_DIR" <<'EOPY'
import os, sys
sys.path.insert(0, os.path.join(sys.argv[3], "..", "common"))
import grpc
from nsring_ttrpc import load_protos
sock, proto_dir = sys.argv[1:3]
pb = load_protos(proto_dir, ["nsring/v1/nsring.proto"])[0]
ch = grpc.insecure_channel("unix://" + sock)
def call(method, req):
    m = ch.unary_unary("/nsring.v1.NsRing/" + method,
                       request_serializer=lambda r: r.SerializeToString(),
                       response_deserializer=getattr(pb, method + "Response").FromString)
    return m(req, timeout=10)
ns = pb.NamespaceRef(name="na")
r = call("ListFdbEntries", pb.ListFdbEntriesRequest(namespace=ns, dev="vx0"))
print("fdb", sorted(e.dst for e in r.entries if e.mac == "00:00:00:00:00:00"))
req = pb.CreateNeighborRequest(namespace=ns)
req.neighbor.dev, req.neighbor.address, req.neighbor.lladdr = "n0", "198.18.0.40", "02:00:00:00:00:40"
call("CreateNeighbor", req)
r = call("ListNeighbors", pb.ListNeighborsRequest(namespace=ns, dev="n0"))
print("neigh", [(n.address, n.lladdr, n.state) for n in r.neighbors if n.address == "198.18.0.40"])
d = pb.DeleteNeighborRequest(namespace=ns)
d.neighbor.dev, d.neighbor.address = "n0", "198.18.0.40"
call("DeleteNeighbor", d)
try:
    call("DeleteNeighbor", d)
except grpc.RpcError as e:
    print("again", e.code().name, e.details())
EOPY
expect_eq "$RC" 0 "gRPC client ran"
expect_contains "$OUT" "fdb ['198.18.0.12', '198.18.0.17', '198.18.0.18']" \
	"gRPC ListFdbEntries: the flood list"
expect_contains "$OUT" "neigh [('198.18.0.40', '02:00:00:00:00:40', 128)]" \
	"gRPC CreateNeighbor then ListNeighbors"
expect_contains "$OUT" "again NOT_FOUND DeleteNeighbor: delete neighbor 198.18.0.40 dev \"n0\": ENOENT" \
	"gRPC DeleteNeighbor of a gone one: NOT_FOUND with the errno name"

# BatchRequest.ensure reaches each neighbour/FDB op: a delete of nothing and a repeated append
# both succeed.
run "$PY" - "$SOCK" "$PROTO_DIR" "$LIB_DIR" <<'EOPY'
import os, sys
sys.path.insert(0, os.path.join(sys.argv[3], "..", "common"))
from nsring_ttrpc import Conn, code_name, load_protos
sock, proto_dir = sys.argv[1:3]
pb = load_protos(proto_dir, ["nsring/v1/nsring.proto"])[0]
ns = pb.NamespaceRef(name="na")
b = pb.BatchRequest(ensure=True)
op = b.ops.add().delete_neighbor
op.namespace.CopyFrom(ns)
op.neighbor.dev, op.neighbor.address = "n0", "198.18.0.77"
op = b.ops.add().create_fdb_entry
op.namespace.CopyFrom(ns)
op.append = True
op.entry.dev, op.entry.mac, op.entry.dst = "vx0", "00:00:00:00:00:00", "198.18.0.12"
op = b.ops.add().create_neighbor
op.namespace.CopyFrom(ns)
op.neighbor.dev, op.neighbor.address, op.neighbor.lladdr = "n0", "198.18.0.2", "02:00:00:00:00:22"
code, msg, payload = Conn(sock).call(1, "Batch", b.SerializeToString())
r = pb.BatchResponse.FromString(payload)
print("batch", code, [(x.code, x.WhichOneof("result"), x.message) for x in r.results])
for x in r.results:
    if x.WhichOneof("result") in ("delete_neighbor", "create_neighbor"):
        print(x.WhichOneof("result"), "already_done", getattr(x, x.WhichOneof("result")).already_done)
EOPY
expect_contains "$OUT" "batch 0 [(0, 'delete_neighbor', ''), (0, 'create_fdb_entry', ''), (0, 'create_neighbor', '')]" \
	"Batch with ensure: a gone neighbour, a repeated append and an existing neighbour succeed"
expect_contains "$OUT" "delete_neighbor already_done True" "... the delete reports already_done"
expect_contains "$OUT" "create_neighbor already_done True" "... the create reports already_done"

# ---------------------------------------------------------------- monitor (Watch)
# wait_grep FILE PATTERN DESCRIPTION: up to 10 s for an extended regex in FILE.
wait_grep() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -Eq -- "$2" "$1" && { pass "$3"; return 0; }
		sleep 0.05
	done
	fail "$3"
	printf '#   %s\n' "wanted /$2/ in:" && sed 's/^/#   /' "$1" | tail -8
	return 1
}
"$NSRINGCTL" -s "$SOCK" -j -n na monitor neigh fdb --snapshot >"$T/mon.out" 2>"$T/mon.err" &
MONPID=$!
BG_PIDS+=("$MONPID")
wait_grep "$T/mon.out" '"type":"WATCH_EVENT_TYPE_SYNCED"' "monitor neigh fdb: snapshot, then SYNCED"
expect_true "snapshot: the permanent neighbour 198.18.0.2" grep -Eq \
	'"type":"WATCH_EVENT_TYPE_ADDED".*"neighbor":\{[^}]*"address":"198.18.0.2"' "$T/mon.out"
expect_true "snapshot: the FDB entry of p0" grep -Eq \
	'"fdb":\{[^}]*"dev":"p0"[^}]*"mac":"02:00:00:00:01:03"' "$T/mon.out"
expect_true "snapshot: a flood-list remote of vx0" grep -Eq \
	'"fdb":\{[^}]*"dev":"vx0"[^}]*"mac":"00:00:00:00:00:00"[^}]*"dst":"198.18.0.12"' "$T/mon.out"
run_ok ctl -n na neigh add 198.18.0.30 lladdr 02:00:00:00:00:30 dev n0
wait_grep "$T/mon.out" '"type":"WATCH_EVENT_TYPE_ADDED".*"address":"198.18.0.30"' \
	"monitor: the new neighbour ADDED"
run_ok ctl -n na neigh replace 198.18.0.30 lladdr 02:00:00:00:00:31 dev n0
wait_grep "$T/mon.out" '"type":"WATCH_EVENT_TYPE_CHANGED".*"address":"198.18.0.30".*"lladdr":"02:00:00:00:00:31"' \
	"monitor: its new lladdr CHANGED"
run_ok ctl -n na bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.15
wait_grep "$T/mon.out" '"type":"WATCH_EVENT_TYPE_ADDED".*"dst":"198.18.0.15"' \
	"monitor: one more flood-list remote ADDED (its own entry)"
run_ok ctl -n na bridge fdb del 00:00:00:00:00:00 dev vx0 dst 198.18.0.15
wait_grep "$T/mon.out" '"type":"WATCH_EVENT_TYPE_DELETED".*"dst":"198.18.0.15"' \
	"monitor: the remote DELETED"
run_ok ctl -n na neigh del 198.18.0.30 dev n0
wait_grep "$T/mon.out" '"type":"WATCH_EVENT_TYPE_DELETED".*"address":"198.18.0.30"' \
	"monitor: the neighbour DELETED"
expect_true "monitor: the other remote of the flood list was not reported deleted" \
	bash -c "! grep -E 'DELETED.*\"dst\":\"198.18.0.12\"' '$T/mon.out'"
kill -TERM "$MONPID" 2>/dev/null
wait "$MONPID" 2>/dev/null

# The text lines, as ip monitor / bridge monitor print them.
"$NSRINGCTL" -s "$SOCK" -n na monitor neigh fdb >"$T/mont.out" 2>&1 &
MONPID=$!
BG_PIDS+=("$MONPID")
sleep 0.5
run_ok ctl -n na neigh add 198.18.0.31 lladdr 02:00:00:00:00:32 dev n0
run_ok ctl -n na bridge fdb append 00:00:00:00:00:00 dev vx0 dst 198.18.0.16
run_ok ctl -n na neigh del 198.18.0.31 dev n0
wait_grep "$T/mont.out" '^(\[[^]]*\] )?198.18.0.31 dev n0 lladdr 02:00:00:00:00:32 PERMANENT$' \
	"monitor text: the neighbour line"
wait_grep "$T/mont.out" '^(\[[^]]*\] )?00:00:00:00:00:00 dev vx0 dst 198.18.0.16 self permanent$' \
	"monitor text: the FDB line"
wait_grep "$T/mont.out" '^(\[[^]]*\] )?Deleted 198.18.0.31 dev n0' "monitor text: Deleted"
kill -TERM "$MONPID" 2>/dev/null
wait "$MONPID" 2>/dev/null

run_ok ctl netns del na
