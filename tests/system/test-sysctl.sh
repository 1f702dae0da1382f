#!/bin/bash
# System test: sysctls through nsringd. A router namespace between two hosts forwards nothing
# until `sysctl -w net.ipv4.ip_forward=1` goes through nsringd; then the ping passes. The
# daemon's own namespace and its loop thread are untouched; per-interface keys (over rtnetlink
# and /proc), CreateNamespace with sysctls, ensure, Batch, and bad input with clear statuses.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
require_ping
start_daemon -l debug # the log shows the -EINTR resubmissions under churn

host_fwd=$(</proc/sys/net/ipv4/ip_forward)
main_ns=$(main_thread_netns "$DPID")

# h1 -- r -- h2; r made with its sysctls in the same call (IPv6 autoconfiguration off).
run_ok ctl netns add h1
run_ok ctl netns add h2
run_ok ctl netns add r sysctl net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
	net.ipv4.conf.all.arp_notify=1
run_ok in_ns r cat /proc/sys/net/ipv6/conf/default/accept_ra
expect_eq "$OUT" 0 "netns add r sysctl ...: default accept_ra is 0 in r"
run_ok in_ns r cat /proc/sys/net/ipv4/conf/all/arp_notify
expect_eq "$OUT" 1 "netns add r sysctl ...: arp_notify is 1 in r"
run_ok in_ns h1 cat /proc/sys/net/ipv4/conf/all/arp_notify
expect_eq "$OUT" 0 "h1 (created without sysctls) keeps arp_notify 0"

run_ok ctl -n h1 link add a0 up type veth peer name r0 netns r
run_ok ctl -n h2 link add b0 up type veth peer name r1 netns r
for ns in h1 h2 r; do run_ok ctl -n $ns link set lo up; done
run_ok ctl -n r link set r0 up
run_ok ctl -n r link set r1 up
run_ok ctl -n h1 addr add 198.18.1.1/24 dev a0
run_ok ctl -n r addr add 198.18.1.254/24 dev r0
run_ok ctl -n r addr add 198.18.2.254/24 dev r1
run_ok ctl -n h2 addr add 198.18.2.1/24 dev b0
run_ok ctl -n h1 route add default via 198.18.1.254
run_ok ctl -n h2 route add default via 198.18.2.254

run_ok ctl -n r sysctl net.ipv4.ip_forward
expect_eq "$OUT" "net.ipv4.ip_forward = 0" "a new namespace does not forward"
run in_ns h1 ping -c 2 -W 1 -i 0.2 198.18.2.1
expect_true "ping h1 -> h2 across r fails while r does not forward" test "$RC" != 0

run_ok ctl -n r sysctl -w net.ipv4.ip_forward=1
expect_eq "$OUT" "net.ipv4.ip_forward = 1" "sysctl -w prints KEY = VALUE as sysctl(8)"
run_ok in_ns h1 ping -c 3 -W 2 -i 0.2 198.18.2.1
expect_contains "$OUT" "3 received" "ping h1 -> h2 across r passes once r forwards"
run_ok ctl -n r sysctl net.ipv4.ip_forward
expect_eq "$OUT" "net.ipv4.ip_forward = 1" "sysctl reads it back"
run_ok in_ns r cat /proc/sys/net/ipv4/ip_forward
expect_eq "$OUT" 1 "the kernel has it in r"

expect_eq "$(</proc/sys/net/ipv4/ip_forward)" "$host_fwd" "the host's own ip_forward is unchanged"
run_ok ctl sysctl net/ipv4/ip_forward
expect_eq "$OUT" "net.ipv4.ip_forward = $host_fwd" \
	"without -n: the daemon's own namespace's value (slashed key, dotted reply)"
expect_eq "$(main_thread_netns "$DPID")" "$main_ns" "nsringd's loop thread never changed namespace"
expect_eq "$(readlink /proc/self/ns/net)" "$main_ns" "... and it is the test's (host's) namespace"

# Per interface: IPv4 devconf over RTM_SETLINK IFLA_INET_CONF, IPv6 through /proc.
run_ok ctl -n r sysctl -w net.ipv4.conf.r0.rp_filter=2 net.ipv6.conf.r0.accept_ra=0 \
	net/ipv4/conf/r1/arp_ignore=1
expect_eq "$OUT" $'net.ipv4.conf.r0.rp_filter = 2\nnet.ipv6.conf.r0.accept_ra = 0\nnet.ipv4.conf.r1.arp_ignore = 1' \
	"three keys in one call, printed in order"
run_ok in_ns r cat /proc/sys/net/ipv4/conf/r0/rp_filter /proc/sys/net/ipv6/conf/r0/accept_ra \
	/proc/sys/net/ipv4/conf/r1/arp_ignore
expect_eq "$OUT" $'2\n0\n1' "the kernel has all three in r"
run_ok ctl -j -n r sysctl net.ipv4.conf.r0.rp_filter net.ipv4.ip_forward
json_check "$OUT" 'd == [{"key": "net.ipv4.conf.r0.rp_filter", "value": "2"}, {"key": "net.ipv4.ip_forward", "value": "1"}]' \
	"-j: a JSON array of key/value"
# A multi-value key, written with a space, read back with the kernel's tab.
run_ok ctl -n r sysctl -w "net.ipv4.ip_local_port_range=20000 30000"
run_ok ctl -n r sysctl net.ipv4.ip_local_port_range
expect_eq "$OUT" $'net.ipv4.ip_local_port_range = 20000\t30000' "a multi-value key"
# A renamed interface: its old key is gone, the new name works (nothing cached).
run_ok ctl -n r link set r1 name r9
run_fail NOT_FOUND ctl -n r sysctl net.ipv4.conf.r1.arp_ignore
run_ok ctl -n r sysctl net.ipv4.conf.r9.arp_ignore
expect_eq "$OUT" "net.ipv4.conf.r9.arp_ignore = 1" "the renamed interface's key"

# -batch: sysctl -w lines go into one Batch with the others.
printf '%s\n' "link add d9 type bridge" "sysctl -w net.ipv4.conf.d9.arp_notify=1 net.ipv4.conf.all.arp_accept=1" >"$T/sysctl.batch"
run_ok ctl -n r -batch "$T/sysctl.batch"
run_ok in_ns r cat /proc/sys/net/ipv4/conf/d9/arp_notify /proc/sys/net/ipv4/conf/all/arp_accept
expect_eq "$OUT" $'1\n1' "-batch: the link made earlier in the batch has its sysctl set"

# Bad input: each a clear status, the daemon keeps serving.
run_fail INVALID_ARGUMENT ctl -n r sysctl kernel.hostname
expect_err_contains "only net.* keys" "kernel.hostname is refused"
run_fail INVALID_ARGUMENT ctl -n r sysctl -w kernel.hostname=x
run_fail INVALID_ARGUMENT ctl -n r sysctl net/../../kernel/hostname
run_fail INVALID_ARGUMENT ctl -n r sysctl net.ipv4..ip_forward
run_fail NOT_FOUND ctl -n r sysctl net.ipv4.no_such_key
expect_err_contains "net.ipv4.no_such_key not found" "the missing key is named"
run_fail NOT_FOUND ctl -n r sysctl -w net.ipv4.conf.nodev.rp_filter=1
run_fail NOT_FOUND ctl -n r sysctl -w net.ipv6.conf.nodev.accept_ra=1
run_fail INVALID_ARGUMENT ctl -n r sysctl -w net.ipv6.conf.all.addr_gen_mode=9
expect_err_contains "EINVAL" "the kernel's refusal carries its errno"
expect_err_contains "net.ipv6.conf.all.addr_gen_mode" "... and names the key"
run_fail INVALID_ARGUMENT ctl -n r sysctl -w "net.ipv4.ip_local_port_range=30000 20000"
expect_err_contains "EINVAL" "a port range the kernel refuses"
run_fail INVALID_ARGUMENT ctl -n r sysctl -w net.ipv4.ip_forward=abc
run_fail INVALID_ARGUMENT ctl -n r sysctl -w net.ipv4.conf.r0.rp_filter=abc
run_fail INVALID_ARGUMENT ctl -n r sysctl net.ipv4
expect_err_contains "is a directory" "a directory is not a key"
run_fail PERMISSION_DENIED ctl -n r sysctl -w net.ipv4.conf.all.mc_forwarding=1
run_fail INVALID_ARGUMENT ctl -n r sysctl -w $'net.ipv4.ip_forward=1\x01'
run_fail NOT_FOUND ctl -n nosuchns sysctl net.ipv4.ip_forward
run_fail NOT_FOUND ctl netns add r2 sysctl net.ipv4.no_such_key=1
run_fail INVALID_ARGUMENT ctl netns add r3 sysctl kernel.hostname=x
run_ok ctl netns list
expect_not_contains "$OUT" "r3" "a refused CreateNamespace made no namespace"
run_usage "KEY=VALUE" ctl -n r sysctl -w net.ipv4.ip_forward
run_usage "sysctl -w" ctl -n r sysctl net.ipv4.ip_forward=1
run_ok in_ns r cat /proc/sys/net/ipv4/ip_forward
expect_eq "$OUT" 1 "r still forwards after the refused writes"
expect_true "nsringd still runs" kill -0 "$DPID"

# ensure and Batch through the API.
require_faults_py
run_ok "$PY" - "$SOCK" "$PROTO_DIR" "$LIB_DIR/../common" <<'EOF'
import sys
sys.path.insert(0, sys.argv[3])
from nsring_ttrpc import Conn, load_protos
pb = load_protos(sys.argv[2], ["nsring/v1/nsring.proto"])[0]
from nsring.v1 import sysctl_pb2
c = Conn(sys.argv[1])
NS = lambda n: pb.NamespaceRef(name=n)
S = sysctl_pb2.Sysctl
def call(stream, method, req, resp_type):
    code, msg, payload = c.call(stream, method, req.SerializeToString())
    if code != 0:
        sys.exit("%s: %d %s" % (method, code, msg))
    r = resp_type()
    r.ParseFromString(payload)
    return r
r = call(1, "SetSysctl", pb.SetSysctlRequest(namespace=NS("r"), ensure=True,
         sysctls=[S(key="net.ipv4.ip_forward", value="1")]), pb.SetSysctlResponse)
assert r.already_done, "ensure on a value already set: already_done"
r = call(3, "SetSysctl", pb.SetSysctlRequest(namespace=NS("h1"), ensure=True,
         sysctls=[S(key="net.ipv4.conf.a0.rp_filter", value="1"),
                  S(key="net.ipv4.ip_forward", value="0")]), pb.SetSysctlResponse)
assert not r.already_done, "ensure writing a different value: not already_done"
r = call(5, "Batch", pb.BatchRequest(mode=pb.BATCH_MODE_CONTINUE, ops=[
    pb.BatchOp(set_sysctl=pb.SetSysctlRequest(namespace=NS("h2"),
               sysctls=[S(key="net.ipv4.conf.all.arp_announce", value="2")])),
    pb.BatchOp(get_sysctl=pb.GetSysctlRequest(namespace=NS("h2"),
               keys=["net.ipv4.conf.all.arp_announce", "net.ipv4.ip_forward"])),
    pb.BatchOp(get_sysctl=pb.GetSysctlRequest(namespace=NS("h2"), keys=["kernel.hostname"])),
    pb.BatchOp(set_sysctl=pb.SetSysctlRequest(namespace=NS("h2"),
               sysctls=[S(key="net.ipv4.conf.all.arp_announce", value="2")])),
]), pb.BatchResponse)
res = r.results
assert res[0].code == 0, res[0]
assert [(s.key, s.value) for s in res[1].get_sysctl.sysctls] == [
    ("net.ipv4.conf.all.arp_announce", "2"), ("net.ipv4.ip_forward", "0")], res[1]
assert res[2].code == 3 and "kernel.hostname" in res[2].message, res[2]
assert res[3].code == 0 and not res[3].set_sysctl.already_done, res[3]
r = call(7, "Batch", pb.BatchRequest(ensure=True, ops=[
    pb.BatchOp(set_sysctl=pb.SetSysctlRequest(namespace=NS("h2"),
               sysctls=[S(key="net.ipv4.conf.all.arp_announce", value="2")]))]),
    pb.BatchResponse)
assert r.results[0].code == 0 and r.results[0].set_sysctl.already_done, r.results[0]
# CreateNamespace with ensure finds r: its sysctls are ensured too.
r = call(9, "CreateNamespace", pb.CreateNamespaceRequest(name="r", ensure=True, sysctls=[
    S(key="net.ipv4.ip_forward", value="1")]), pb.CreateNamespaceResponse)
assert r.already_done, "CreateNamespace ensure, namespace and sysctl already so: already_done"
r = call(11, "CreateNamespace", pb.CreateNamespaceRequest(name="r", ensure=True, sysctls=[
    S(key="net.ipv4.ip_forward", value="1"), S(key="net.ipv4.conf.all.arp_notify", value="0")]),
    pb.CreateNamespaceResponse)
assert not r.already_done, "CreateNamespace ensure with a sysctl to change: not already_done"
print("ok")
EOF
expect_eq "$OUT" ok "ensure reports already_done; Batch orders sysctls per namespace; CreateNamespace ensure"
run_ok in_ns r cat /proc/sys/net/ipv4/conf/all/arp_notify
expect_eq "$OUT" 0 "CreateNamespace with ensure wrote the differing sysctl in the existing namespace"
run_ok in_ns h1 cat /proc/sys/net/ipv4/conf/a0/rp_filter
expect_eq "$OUT" 1 "the ensure write went through (rp_filter 1 on a0 in h1)"

# rtnl contention (fact c): forwarding and disable_ipv6 writes restart while rtnl is busy, which
# io_uring turns into -EINTR with nothing written; nsringd resubmits. Another namespace churns
# veths meanwhile; every write must land.
churn() { while :; do ip link add c0 type veth peer name c1; ip link del c0; done 2>/dev/null; }
run_ok ctl netns add churn
nsenter --net="$NETNS_DIR/churn" -- bash -c "$(declare -f churn); churn" &
BG_PIDS+=($!)
churn_pid=$!
bad=0
for ((i = 0; i < 40; i++)); do
	v=$((i % 2))
	ctl -n r sysctl -w net.ipv6.conf.all.forwarding=$v net.ipv4.conf.all.forwarding=$v \
		net.ipv6.conf.r0.disable_ipv6=$v >/dev/null || bad=$((bad + 1))
	got=$(in_ns r cat /proc/sys/net/ipv6/conf/all/forwarding /proc/sys/net/ipv4/conf/all/forwarding \
		/proc/sys/net/ipv6/conf/r0/disable_ipv6 | tr -d '\n')
	[[ $got == "$v$v$v" ]] || bad=$((bad + 1))
done
kill "$churn_pid" 2>/dev/null
wait "$churn_pid" 2>/dev/null
expect_eq "$bad" 0 "40 rounds of 3 rtnl-trylock writes under veth churn: every one written"
log "-EINTR resubmissions nsringd made: $(grep -c 'rtnl busy), again' "$T/nsringd.log"), writes handed to a helper thread: $(grep -c 'to a helper thread' "$T/nsringd.log")"

# No fd of a sysctl file stays open in the daemon after the calls.
run_ok ls -l /proc/"$DPID"/fd
expect_not_contains "$OUT" "/proc/sys" "nsringd holds no /proc/sys fd after the calls"

cleanup_namespaces
stop_daemon
