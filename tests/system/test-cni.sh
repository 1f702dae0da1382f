#!/bin/bash
# System test of nsring-cni as a runtime calls a CNI plugin (environment, stdin, stdout, exit
# status), side by side with the standard bridge and ptp plugins on the same configuration.
# Every "host" side is a namespace this test creates (nsring-cni's hostNamespace; the standard
# plugins run under nsenter there): the root namespace is never touched.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"

CNI=$(readlink -f "${NSRING_CNI:?NSRING_CNI must name the nsring-cni binary}")
CNI_DIR=/usr/lib/cni
for p in bridge ptp host-local; do
	if [[ ! -x $CNI_DIR/$p ]]; then
		echo "skipped: the standard CNI plugins are missing ($CNI_DIR/$p): install containernetworking-plugins"
		exit 77
	fi
done
require_ping
start_daemon

N=$NETNS_DIR
for ns in nhost c1 c2 c3 bhost b1 phost p1 q1; do
	ctl netns add "$ns" || die "cannot create namespace $ns"
done
CONF=$T/conf
mkdir "$CONF"

# conf FILE TYPE MODE EXTRA: a network config; nsring's gets its socket and host namespace.
conf() {
	local file=$1 type=$2 mode=$3 extra=${4:-} ipam=$T/ipam-$(basename "$1" .json) own=
	[[ $type == nsring ]] && own="\"socket\": \"$SOCK\", \"hostNamespace\": \"$N/${5:-nhost}\","
	cat >"$CONF/$file" <<EOF
{
  "cniVersion": "1.0.0", "name": "net-$mode", "type": "$type", "mode": "$mode", $own
  "bridge": "cnibr0", "isGateway": true, "isDefaultGateway": true, "ipMasq": false,
  "hairpinMode": false, "promiscMode": false, $extra
  "ipam": {"type": "host-local", "dataDir": "$ipam",
           "ranges": [[{"subnet": "198.18.10.0/24", "gateway": "198.18.10.1"}]],
           "routes": [{"dst": "198.19.0.0/16"}]}
}
EOF
}
conf nsring.json nsring bridge
conf bridge.json bridge bridge
conf nsptp.json nsring ptp '' nhost
conf ptp.json ptp ptp

# cni PLUGIN COMMAND CONTAINER NETNS CONFIG [HOSTNS]: one plugin execution as a runtime does it;
# the standard plugins run inside HOSTNS (their "host" side).
cni() {
	local plugin=$1 cmd=$2 cid=$3 netns=$4 conf=$5 host=${6:-}
	local pre=()
	[[ -n $host ]] && pre=(nsenter --net="$N/$host" --)
	run "${pre[@]}" env CNI_COMMAND="$cmd" CNI_CONTAINERID="$cid" CNI_NETNS="$netns" \
		CNI_IFNAME=eth0 CNI_PATH="$CNI_DIR" "$plugin" <"$conf"
}

# The parts of a result both plugins must agree on (host end names are random in the standard
# plugin: only their position and the bridge's and container's names compare).
norm='{"n_ifs": len(d["interfaces"]),
 "ifs": [(i.get("name") if i.get("name") in ("cnibr0", "eth0") else "HOST", bool(i.get("sandbox")), bool(i.get("mac"))) for i in d["interfaces"]],
 "ips": [sorted(i.items()) for i in d["ips"]],
 "routes": sorted(sorted(r.items()) for r in d.get("routes", [])), "dns": d.get("dns", {})}'
result_norm() { json_get "$1" "$norm"; }
# Kernel state of a container's eth0: addresses and routes, comparable across namespaces.
kstate() {
	in_ns "$1" ip -j -4 addr show dev eth0 |
		"$PY" -c 'import json,sys; print(sorted((a["local"], a["prefixlen"]) for l in json.load(sys.stdin) for a in l["addr_info"]))'
	in_ns "$1" ip -j -4 route show | "$PY" -c \
		'import json,sys; print(sorted((r["dst"], r.get("gateway", ""), r.get("scope", "")) for r in json.load(sys.stdin)))'
}

log "bridge mode: nsring-cni and the standard bridge plugin on the same config"
cni "$CNI" ADD c1 "$N/c1" "$CONF/nsring.json" && pass "nsring-cni ADD c1" || { fail "nsring-cni ADD c1"; show_last; }
NS_RES=$OUT
cni "$CNI_DIR/bridge" ADD b1 "$N/b1" "$CONF/bridge.json" bhost &&
	pass "standard bridge ADD b1" || { fail "standard bridge ADD b1"; show_last; }
BR_RES=$OUT
json_check "$NS_RES" 'd["cniVersion"] == "1.0.0" and d["ips"][0]["address"] == "198.18.10.2/24" and d["ips"][0]["gateway"] == "198.18.10.1" and d["ips"][0]["interface"] == 2' \
	"nsring-cni result: the IPAM address and gateway on interface 2 (eth0)"
json_check "$NS_RES" 'd["interfaces"][0]["name"] == "cnibr0" and d["interfaces"][2] == {"name": "eth0", "mac": d["interfaces"][2]["mac"], "sandbox": "'"$N/c1"'"}' \
	"nsring-cni result: bridge, host end, eth0 in the sandbox"
expect_eq "$(result_norm "$NS_RES")" "$(result_norm "$BR_RES")" \
	"nsring-cni and the bridge plugin give the same interfaces, addresses, routes and gateway"
expect_eq "$(kstate c1)" "$(kstate b1)" "the containers' eth0 have the same addresses and routes"
expect_eq "$(in_ns nhost ip -j -4 addr show dev cnibr0 | json_get "$(cat)" '[a["local"] + "/" + str(a["prefixlen"]) for a in d[0]["addr_info"]]')" \
	"$(in_ns bhost ip -j -4 addr show dev cnibr0 | json_get "$(cat)" '[a["local"] + "/" + str(a["prefixlen"]) for a in d[0]["addr_info"]]')" \
	"both bridges carry the gateway address"
host_end=$(json_get "$NS_RES" 'd["interfaces"][1]["name"]')
expect_contains "$(in_ns nhost ip -o link show master cnibr0)" "$host_end@" "the host end $host_end is a port of cnibr0 and up"
expect_contains "$(in_ns c1 ip -o link show dev eth0)" "$(json_get "$NS_RES" 'd["interfaces"][2]["mac"]')" \
	"the result's MAC is eth0's"

cni "$CNI" ADD c2 "$N/c2" "$CONF/nsring.json" && pass "nsring-cni ADD c2 (bridge exists now)" || { fail "nsring-cni ADD c2"; show_last; }
C2_RES=$OUT
json_check "$C2_RES" 'd["ips"][0]["address"] == "198.18.10.3/24"' "c2 gets the next address"
run_ok in_ns c1 ping -c 1 -W 5 198.18.10.3
run_ok in_ns c2 ping -c 1 -W 5 198.18.10.1

conf mtu1400.json nsring bridge '"mtu": 1400,'
sed -i "s|$T/ipam-mtu1400|$T/ipam-nsring|" "$CONF/mtu1400.json" # one address pool per bridge
ctl netns add c5 || die "cannot create c5"
cni "$CNI" ADD c5 "$N/c5" "$CONF/mtu1400.json" && pass "ADD with mtu 1400" || { fail "ADD with mtu 1400"; show_last; }
c5_end=$(json_get "$OUT" 'd["interfaces"][1]["name"]')
expect_contains "$(in_ns c5 ip -o link show dev eth0)" "mtu 1400" "mtu: the container end has it"
expect_contains "$(in_ns nhost ip -o link show dev "$c5_end")" "mtu 1400" "mtu: the host end has it"
cni "$CNI" DEL c5 "$N/c5" "$CONF/mtu1400.json"
expect_eq "$RC:$OUT" "0:" "DEL c5"

log "CHECK"
prev_conf() { # prev_conf CONFIG RESULT OUT: the config with prevResult, as a runtime passes it
	"$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); c["prevResult"]=json.loads(sys.argv[2]); json.dump(c, open(sys.argv[3],"w"))' "$1" "$2" "$3"
}
prev_conf "$CONF/nsring.json" "$NS_RES" "$CONF/check-c1.json"
cni "$CNI" CHECK c1 "$N/c1" "$CONF/check-c1.json"
expect_eq "$RC:$OUT" "0:" "CHECK of an intact container: exit 0, no output"
in_ns c1 ip addr del 198.18.10.2/24 dev eth0
cni "$CNI" CHECK c1 "$N/c1" "$CONF/check-c1.json"
expect_eq "$RC" 1 "CHECK after the address was removed: exit 1"
json_check "$OUT" 'd["code"] == 101 and "198.18.10.2/24" in d["msg"] and d["cniVersion"] == "1.0.0"' \
	"CHECK names the missing address in the spec's error document"
# (The standard bridge plugin's own CHECK fails on this config: it expects a route without a
# gateway ("dst": "198.19.0.0/16") to be installed without one, while it installs it via the
# gateway, as nsring-cni does; so it is not run here.)

log "DEL"
ipam_file=$T/ipam-nsring/net-bridge/198.18.10.2
[[ -e $ipam_file ]] && pass "host-local holds 198.18.10.2" || fail "host-local holds 198.18.10.2"
cni "$CNI" DEL c1 "$N/c1" "$CONF/nsring.json"
expect_eq "$RC:$OUT" "0:" "DEL c1: exit 0, no output"
[[ ! -e $ipam_file ]] && pass "DEL released the address (IPAM DEL)" || fail "DEL released the address"
expect_not_contains "$(in_ns nhost ip -o link show)" "$host_end" "DEL removed the host end"
cni "$CNI" DEL c1 "$N/c1" "$CONF/nsring.json"
expect_eq "$RC:$OUT" "0:" "DEL c1 again: exit 0"
cni "$CNI" DEL c9 "" "$CONF/nsring.json"
expect_eq "$RC:$OUT" "0:" "DEL without CNI_NETNS of a container never added: exit 0"
cni "$CNI" DEL c1 "$N/gone" "$CONF/nsring.json"
expect_eq "$RC:$OUT" "0:" "DEL with a namespace that no longer exists: exit 0"

log "ptp mode, side by side with the standard ptp plugin"
cni "$CNI" ADD p1 "$N/p1" "$CONF/nsptp.json" && pass "nsring-cni ptp ADD" || { fail "nsring-cni ptp ADD"; show_last; }
NP_RES=$OUT
cni "$CNI_DIR/ptp" ADD q1 "$N/q1" "$CONF/ptp.json" phost && pass "standard ptp ADD" || { fail "standard ptp ADD"; show_last; }
SP_RES=$OUT
expect_eq "$(json_get "$NP_RES" '[[sorted(i.items()) for i in d["ips"]], sorted(sorted(r.items()) for r in d.get("routes", [])), len(d["interfaces"])]')" \
	"$(json_get "$SP_RES" '[[sorted(i.items()) for i in d["ips"]], sorted(sorted(r.items()) for r in d.get("routes", [])), len(d["interfaces"])]')" \
	"ptp: the same addresses, gateway, routes and interface count as the standard ptp plugin"
run_ok in_ns p1 ping -c 1 -W 5 198.18.10.1
run_ok in_ns nhost ping -c 1 -W 5 198.18.10.2
prev_conf "$CONF/nsptp.json" "$NP_RES" "$CONF/check-p1.json"
cni "$CNI" CHECK p1 "$N/p1" "$CONF/check-p1.json"
expect_eq "$RC:$OUT" "0:" "ptp CHECK of an intact container"
in_ns p1 ip route del 198.19.0.0/16
cni "$CNI" CHECK p1 "$N/p1" "$CONF/check-p1.json"
json_check "$OUT" 'd["code"] == 101 and "198.19.0.0/16" in d["msg"]' "ptp CHECK names the removed route"
cni "$CNI" DEL p1 "$N/p1" "$CONF/nsptp.json"
expect_eq "$RC:$OUT" "0:" "ptp DEL"
expect_eq "$(in_ns nhost ip -o link show type veth | grep -c nsr)" 1 "ptp DEL removed its host end (c2's bridge port is left)"

log "errors as the spec's error documents"
echo '{"cniVersion": "1.0.0", "name": ' >"$CONF/bad.json"
cni "$CNI" ADD c3 "$N/c3" "$CONF/bad.json"
json_check "$OUT" 'd["code"] == 6 and "decode" in d["msg"]' "bad JSON: code 6 (failed to decode content)"
expect_eq "$RC" 1 "bad JSON: exit 1"
conf mtu.json nsring bridge '"mtu": "big",'
cni "$CNI" ADD c3 "$N/c3" "$CONF/mtu.json"
json_check "$OUT" 'd["code"] == 7 and "mtu" in d["msg"]' "mtu of the wrong type: code 7 (invalid network config)"
conf hp.json nsring bridge '"hairpinMode": true, "vlan": 5,'
sed -i 's/"hairpinMode": false, //' "$CONF/hp.json"
cni "$CNI" ADD c3 "$N/c3" "$CONF/hp.json"
json_check "$OUT" 'd["code"] == 102 and d["msg"] == "hairpinMode needs nsringd link attributes not available in this version"' \
	"hairpinMode: a clear error while nsringd lacks the attribute"
sed 's/"ipMasq": false/"ipMasq": true/' "$CONF/nsring.json" >"$CONF/masq.json"
cni "$CNI" ADD c3 "$N/c3" "$CONF/masq.json"
json_check "$OUT" 'd["code"] == 2 and "ipMasq" in d["msg"]' "ipMasq true: code 2 (unsupported field), not silently ignored"
sed 's/"1.0.0"/"9.9.9"/' "$CONF/nsring.json" >"$CONF/v9.json"
cni "$CNI" ADD c3 "$N/c3" "$CONF/v9.json"
json_check "$OUT" 'd["code"] == 1' "unsupported cniVersion: code 1"
cni "$CNI" ADD c3 "" "$CONF/nsring.json"
json_check "$OUT" 'd["code"] == 4 and "CNI_NETNS" in d["msg"]' "missing CNI_NETNS: code 4 naming it"
expect_eq "$RC" 1 "missing CNI_NETNS: exit 1"
cni "$CNI_DIR/bridge" ADD b3 "" "$CONF/bridge.json" bhost
json_check "$OUT" 'd["code"] == 4' "(the standard bridge plugin also says code 4)"
sed "s|\"$SOCK\"|\"$T/no-such.sock\"|" "$CONF/nsring.json" >"$CONF/nosock.json"
cni "$CNI" ADD c3 "$N/c3" "$CONF/nosock.json"
json_check "$OUT" 'd["code"] == 11 and "'"$T/no-such.sock"'" in d["msg"]' \
	"nsringd unreachable: code 11 (try again later) naming the socket"
cni "$CNI" DEL c3 "$N/c3" "$CONF/nosock.json"
json_check "$OUT" 'd["code"] == 11' "DEL without nsringd: code 11 too (the runtime retries)"

log "VERSION, STATUS, GC (CNI 1.1)"
echo '{"cniVersion": "1.1.0"}' >"$CONF/ver.json"
cni "$CNI" VERSION "" "" "$CONF/ver.json"
json_check "$OUT" 'd["cniVersion"] == "1.1.0" and "1.0.0" in d["supportedVersions"] and "0.4.0" in d["supportedVersions"]' "VERSION"
sed 's/"1.0.0"/"1.1.0"/' "$CONF/nsring.json" >"$CONF/v11.json"
cni "$CNI" STATUS "" "" "$CONF/v11.json"
expect_eq "$RC:$OUT" "0:" "STATUS with nsringd up: exit 0"
sed 's/"1.0.0"/"1.1.0"/' "$CONF/nosock.json" >"$CONF/v11-nosock.json"
cni "$CNI" STATUS "" "" "$CONF/v11-nosock.json"
json_check "$OUT" 'd["code"] == 50' "STATUS without nsringd: code 50 (plugin not available)"
cni "$CNI" ADD c3 "$N/c3" "$CONF/nsring.json" || { fail "ADD c3"; show_last; }
c3_end=$(json_get "$OUT" 'd["interfaces"][1]["name"]')
c2_end=$(json_get "$C2_RES" 'd["interfaces"][1]["name"]')
"$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); c["cni.dev/valid-attachments"]=[{"containerID": "c2", "ifname": "eth0"}]; json.dump(c, open(sys.argv[2],"w"))' \
	"$CONF/v11.json" "$CONF/gc.json"
cni "$CNI" GC "" "" "$CONF/gc.json"
expect_eq "$RC:$OUT" "0:" "GC keeping only c2: exit 0"
links=$(in_ns nhost ip -o link show master cnibr0)
expect_contains "$links" "$c2_end@" "GC kept c2's host end"
expect_not_contains "$links" "$c3_end@" "GC removed c3's host end"

log "chaining: ADD with a prevResult"
prev_conf "$CONF/nsring.json" '{"cniVersion": "1.0.0", "interfaces": [{"name": "dummy0", "sandbox": "'"$N/c3"'"}], "ips": [{"address": "198.19.0.5/32", "interface": 0}]}' "$CONF/chain.json"
ctl netns add c4 || die "cannot create c4"
cni "$CNI" ADD c4 "$N/c4" "$CONF/chain.json" && pass "ADD with a prevResult" || { fail "ADD with a prevResult"; show_last; }
json_check "$OUT" 'd["interfaces"][0]["name"] == "dummy0" and len(d["interfaces"]) == 4 and d["ips"][0] == {"address": "198.19.0.5/32", "interface": 0} and d["ips"][1]["interface"] == 3 and d["interfaces"][3]["name"] == "eth0"' \
	"the previous result comes first, ours follows with its interface index shifted"
