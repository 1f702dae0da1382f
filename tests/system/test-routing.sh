#!/bin/bash
# System test: policy routing. Rules, nexthop objects and groups, multipath and nhid routes,
# route and address options and route get, alone, in Batch and in Watch, each checked against
# iproute2's own view; a source-routing test bed (two uplinks, two tables, rules by source)
# proven with route get and with real packets; ensure semantics of the new requests.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
require_ping
start_daemon

run_ok ctl netns add rt
run_ok ctl netns add up1
run_ok ctl netns add up2
# Two uplinks: u1 (198.18.1.0/24, 2001:db8:1::/64) to up1, u2 (198.18.2.0/24, 2001:db8:2::/64)
# to up2; both uplinks answer for 198.18.99.1, so only the counters tell which one was used.
run_ok ctl -n rt link add u1 up type veth peer name p1 netns up1
run_ok ctl -n rt link add u2 up type veth peer name p2 netns up2
run_ok ctl -n rt link set lo up # blackhole nexthops live on lo
run_ok in_ns rt sysctl -qw net.ipv4.ip_forward=1 # (rt's own) for route get iif
for i in 1 2; do
	run_ok ctl -n up$i link set p$i up
	run_ok ctl -n up$i link set lo up
	run_ok ctl -n rt addr add 198.18.$i.1/24 dev u$i
	run_ok ctl -n up$i addr add 198.18.$i.2/24 dev p$i
	run_ok ctl -n up$i addr add 198.18.99.1/32 dev lo
	run_ok ctl -n rt addr add 2001:db8:$i::1/64 dev u$i nodad
	run_ok ctl -n up$i addr add 2001:db8:$i::2/64 dev p$i nodad
done

# ---------------------------------------------------------------- rules and source routing
run_ok ctl -n rt rule add from 198.18.1.1 table 100 priority 1000
run_ok ctl -n rt rule add from 198.18.2.1 lookup 200 pref 1001
run_ok ctl -n rt route add default via 198.18.1.2 dev u1 table 100
run_ok ctl -n rt route add default via 198.18.2.2 dev u2 table 200
run_ok in_ns rt ip rule show
expect_contains "$OUT" $'1000:\tfrom 198.18.1.1 lookup 100' "ip rule sees the rule of 198.18.1.1"
expect_contains "$OUT" $'1001:\tfrom 198.18.2.1 lookup 200' "ip rule sees the rule of 198.18.2.1"
run_ok ctl -j -n rt rule show
json_check "$OUT" 'any(r.get("priority") == 1000 and r["from"] == "198.18.1.1/32" and r["table"] == 100 and r["family"] == 4 for r in d)' \
	"rule show -j: priority 1000 from 198.18.1.1/32 table 100"

# route get: which uplink the kernel picks for each source, and ip route get agrees.
run_ok ctl -j -n rt route get 198.18.99.1 from 198.18.1.1
json_check "$OUT" 'd["route"]["dev"] == "u1" and d["route"]["table"] == 100 and d["route"]["gateway"] == "198.18.1.2"' \
	"route get from 198.18.1.1: u1 via 198.18.1.2, table 100"
run_ok ctl -j -n rt route get 198.18.99.1 from 198.18.2.1
json_check "$OUT" 'd["route"]["dev"] == "u2" and d["route"]["table"] == 200 and d["route"]["gateway"] == "198.18.2.2"' \
	"route get from 198.18.2.1: u2 via 198.18.2.2, table 200"
run_ok in_ns rt ip route get 198.18.99.1 from 198.18.2.1
expect_contains "$OUT" "via 198.18.2.2 dev u2 table 200" "ip route get agrees (u2, table 200)"
run_ok ctl -n rt route get 198.18.99.1 from 198.18.1.1
expect_contains "$OUT" "198.18.99.1 from 198.18.1.1 via 198.18.1.2 dev u1 table 100" "route get prints as ip does"
run_ok ctl -j -n rt route get 198.18.2.2 from 198.18.1.2 iif u1
json_check "$OUT" 'd["route"]["dev"] == "u2" and d["route"]["iif"] > 0' "route get as received on u1 (iif): forwarded out of u2"
run_fail FAILED_PRECONDITION ctl -n rt route get 198.18.99.1
expect_err_contains "ENETUNREACH" "without a source no table routes 198.18.99.1: the errno is named"

# Real packets: the counters of the uplinks say which one carried them.
txp() { in_ns rt ip -s -j link show "$1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["packets"])'; }
a1=$(txp u1) a2=$(txp u2)
run_ok in_ns rt ping -c 3 -i 0.2 -W 2 -I 198.18.1.1 198.18.99.1
b1=$(txp u1) b2=$(txp u2)
expect_true "pings from 198.18.1.1 left by u1 ($a1 -> $b1 packets)" test $((b1 - a1)) -ge 3
expect_true "and not by u2 ($a2 -> $b2)" test $((b2 - a2)) -lt 3
run_ok in_ns rt ping -c 3 -i 0.2 -W 2 -I 198.18.2.1 198.18.99.1
c1=$(txp u1) c2=$(txp u2)
expect_true "pings from 198.18.2.1 left by u2 ($b2 -> $c2 packets)" test $((c2 - b2)) -ge 3
expect_true "and not by u1 ($b1 -> $c1)" test $((c1 - b1)) -lt 3

# Every selector and action, both families; the listing equals ip rule's, line for line.
run_ok ctl -n rt rule add not fwmark 0x10/0xff iif u1 ipproto tcp dport 80 sport 1000-2000 table 300 pref 2000
run_ok ctl -n rt rule add pref 2001 to 198.18.60.0/24 blackhole
run_ok ctl -n rt rule add pref 2002 oif u2 unreachable
run_ok ctl -n rt rule add pref 2003 from 198.18.61.0/24 prohibit
run_ok ctl -n rt rule add pref 2004 goto 2006
run_ok ctl -n rt rule add pref 2005 table main suppress_prefixlength 0
run_ok ctl -n rt rule add pref 2006 l3mdev
run_ok ctl -n rt -6 rule add from 2001:db8:1::/64 table 100 pref 1500
# (ip ends each line with a space.)
run_ok in_ns rt ip rule show
ip_rules=$(sed 's/ *$//' <<<"$OUT")
run_ok ctl -n rt rule show
expect_eq "$OUT" "$ip_rules" "nsringctl rule show prints what ip rule show prints, line for line" ||
	diff <(echo "$OUT") <(echo "$ip_rules") | sed 's/^/#   /' 
run_ok in_ns rt ip -6 rule show
ip_rules6=$(sed 's/ *$//' <<<"$OUT")
run_ok ctl -6 -n rt rule show
expect_eq "$OUT" "$ip_rules6" "nsringctl -6 rule show prints what ip -6 rule show prints, line for line"
expect_contains "$ip_rules" "not from all fwmark 0x10/0xff iif u1 ipproto tcp sport 1000-2000 dport 80 lookup 300" \
	"ip sees the inverted fwmark/iif/ipproto/port rule"
run_fail ALREADY_EXISTS ctl -n rt rule add from 198.18.1.1 table 100 priority 1000
expect_err_contains "EEXIST" "an identical rule: EEXIST named"
run_ok ctl -n rt rule del pref 2001
run_ok in_ns rt ip rule show
expect_not_contains "$OUT" "2001:" "rule 2001 deleted"
run_fail NOT_FOUND ctl -n rt rule del pref 4242
# The odd rules go again (oif u2 unreachable would also refuse gateways on u2 below).
for pref in 2000 2002 2003 2004 2005 2006; do
	run_ok ctl -n rt rule del pref $pref
done
run_ok ctl -n rt -6 rule del pref 1500
run_usage "invalid \"table\" value" ctl -n rt rule add from 198.18.1.0/24 table nosuch
run_usage "not both" ctl -n rt rule add from 198.18.1.0/24 table 100 blackhole

# ---------------------------------------------------------------- nexthops
run_ok ctl -n rt nexthop add id 1 via 198.18.1.2 dev u1
run_ok ctl -n rt nexthop add id 2 via 198.18.2.2 dev u2
run_ok ctl -n rt nh add id 3 blackhole
run_ok ctl -n rt nexthop add id 4 via 198.18.9.9 dev u1 onlink
run_ok ctl -n rt nexthop add id 10 group 1/2,3
run_ok ctl -n rt nexthop add id 11 group 1/2 type resilient buckets 8
run_ok in_ns rt ip nexthop show
expect_contains "$OUT" "id 10 group 1/2,3" "ip sees group 10 with weights 1 and 3"
expect_contains "$OUT" "id 3 blackhole" "ip sees the blackhole nexthop"
expect_contains "$OUT" "id 4 via 198.18.9.9 dev u1 scope link onlink" "ip sees the onlink nexthop"
ipnh=$(in_ns rt ip -j nexthop show)
run_ok ctl -j -n rt nexthop show
json_check "[$OUT, $ipnh]" '(
[(n["id"], n["gateway"] or None, n["dev"] or None, n["blackhole"], [(m["id"], m["weight"]) for m in n["group"]]) for n in d[0]] ==
[(n["id"], n.get("gateway"), n.get("dev"), "blackhole" in n, [(m["id"], m.get("weight", 1)) for m in n.get("group", [])]) for n in d[1]])' \
	"nexthop show -j lists what ip -j nexthop show lists (ids, gateways, devices, groups, weights)"
json_check "$OUT" 'any(n["id"] == 11 and n["resilient_buckets"] == 8 for n in d)' "the resilient group has its 8 buckets"
run_ok ctl -j -n rt nexthop show dev u2
json_check "$OUT" '[n["id"] for n in d] == [2]' "nexthop show dev u2: only id 2"
run_ok ctl -n rt nexthop replace id 1 via 198.18.1.3 dev u1
run_ok in_ns rt ip nexthop show id 1
expect_contains "$OUT" "via 198.18.1.3 dev u1" "replace changed nexthop 1's gateway"
run_fail ALREADY_EXISTS ctl -n rt nexthop add id 1 via 198.18.1.2 dev u1
run_fail INVALID_ARGUMENT ctl -n rt nexthop add id 12 group 99
expect_err_contains "Invalid nexthop id" "a group naming a missing id: the kernel's extack"
run_fail NOT_FOUND ctl -n rt nexthop del id 99
run_fail NOT_FOUND ctl -n rt nexthop show dev nosuch

# ---------------------------------------------------------------- routes with the new options
run_ok ctl -n rt route add 198.18.50.0/24 nhid 10
run_ok in_ns rt ip route show 198.18.50.0/24
expect_contains "$OUT" "198.18.50.0/24 nhid 10" "ip sees the route via nexthop group 10"
run_ok ctl -j -n rt route show
json_check "$OUT" 'any(r["destination"] == "198.18.50.0/24" and r["nhid"] == 10 for r in d)' "route show -j: nhid 10"
run_ok ctl -n rt route add 198.18.51.0/24 nexthop via 198.18.1.2 dev u1 weight 1 nexthop via 198.18.2.2 dev u2 weight 3
run_ok ctl -n rt -6 route add 2001:db8:51::/64 nexthop via 2001:db8:1::2 dev u1 nexthop via 2001:db8:2::2 dev u2 weight 2
# Multipath routes listed back exactly as ip shows them: the paths, in ip's order.
paths_eq() { # DST: nsringctl's paths of DST equal ip -j's multipath of DST
	local dst=$1 fam=$2 ours ips
	ours=$(ctl -j -n rt route show)
	ips=$(in_ns rt ip "$fam" -j route show "$dst")
	json_check "[$ours, $ips]" '(
[(p["gateway"], p["dev"], p["weight"]) for r in d[0] if r["destination"] == "'"$dst"'" for p in r["paths"]] ==
[(p["gateway"], p["dev"], p.get("weight", 1)) for p in d[1][0]["nexthops"]] and len(d[1]) == 1)' \
		"multipath $dst: paths (gateway, dev, weight) as ip $fam route show lists them"
}
paths_eq 198.18.51.0/24 -4
paths_eq 2001:db8:51::/64 -6
run_ok in_ns rt ip route show 198.18.51.0/24
expect_contains "$OUT" "nexthop via 198.18.2.2 dev u2 weight 3" "ip sees the weighted path"
run_ok ctl -n rt route add 198.18.52.0/24 via 198.18.9.9 dev u1 onlink
run_ok ctl -n rt route add 198.18.53.0/24 via 198.18.1.2 mtu 1300 src 198.18.1.1
run_ok ctl -n rt route add local 198.18.54.1 dev u1
run_ok in_ns rt ip route show table all
expect_contains "$OUT" "198.18.52.0/24 via 198.18.9.9 dev u1 onlink" "ip sees the onlink route"
expect_contains "$OUT" "198.18.53.0/24 via 198.18.1.2 dev u1 src 198.18.1.1 mtu 1300" "ip sees mtu and src"
expect_contains "$OUT" "local 198.18.54.1 dev u1 table local" "ip sees the local route in table local"
run_ok ctl -j -n rt route show
json_check "$OUT" 'any(r["destination"] == "198.18.52.0/24" and r["onlink"] for r in d) and any(r["destination"] == "198.18.53.0/24" and r["mtu"] == 1300 for r in d)' \
	"route show -j: onlink and mtu"
run_fail INVALID_ARGUMENT ctl -n rt route add 198.18.56.0/24 nhid 999
expect_err_contains "EINVAL" "a route via a missing nexthop id: the kernel's refusal, named"

# ---------------------------------------------------------------- address options
run_ok ctl -n rt addr add 198.18.1.5/24 dev u1 label u1:five
run_ok ctl -n rt addr add 2001:db8:1::5/64 dev u1 nodad noprefixroute valid_lft 300 preferred_lft 200
run_ok ctl -n rt addr add 198.18.70.1 peer 198.18.70.2/32 dev u2
run_ok in_ns rt ip addr show
expect_contains "$OUT" "inet 198.18.1.5/24 scope global secondary u1:five" "ip sees the label"
expect_contains "$OUT" "inet 198.18.70.1 peer 198.18.70.2/32" "ip sees the peer address"
run_ok in_ns rt ip -6 addr show dev u1
expect_contains "$OUT" "2001:db8:1::5/64 scope global nodad dynamic noprefixroute" "ip sees nodad noprefixroute"
expect_true "ip sees a finite preferred lifetime (about 200 s)" grep -Eq "valid_lft (29[0-9]|300)sec preferred_lft (19[0-9]|200)sec" <<<"$OUT"
run_ok ctl -n rt addr replace 198.18.1.5/24 dev u1 label u1:five valid_lft 100 preferred_lft 50
run_ok in_ns rt ip addr show dev u1
expect_contains "$OUT" "valid_lft " "the replaced address has lifetimes"
expect_not_contains "$OUT" $'u1:five\n       valid_lft forever' "replace changed the lifetimes"
run_ok ctl -j -n rt addr show u2
json_check "$OUT" 'any(a["address"] == "198.18.70.1" and a["peer"] == "198.18.70.2" for a in d)' "addr show -j: the peer"

# ---------------------------------------------------------------- Batch
cat >"$T/batch" <<EOF
-n rt nexthop add id 20 via 198.18.2.2 dev u2
-n rt nexthop add id 21 group 20/1,2
-n rt route add 198.18.80.0/24 nhid 21
-n rt rule add from 198.18.80.0/24 table 400 pref 3000
-n rt rule add from 198.18.81.0/24 table 401 pref 3001
-n rt rule del pref 3001
EOF
run_ok ctl -batch "$T/batch"
run_ok in_ns rt ip rule show
expect_contains "$OUT" $'3000:\tfrom 198.18.80.0/24 lookup 400' "the batch's rule is there"
expect_not_contains "$OUT" "3001:" "the batch's later rule delete ran after its add"
run_ok in_ns rt ip route show 198.18.80.0/24
expect_contains "$OUT" "nhid 21" "the batch's route uses the group the batch made"

# ---------------------------------------------------------------- ensure (raw requests)
require_faults_py
run_ok env LIB_DIR="$LIB_DIR" "$PY" -c '
import importlib, os, sys
sys.path.insert(0, os.path.join(os.environ["LIB_DIR"], "..", "common"))
from nsring_ttrpc import Conn, code_name, load_protos
sock, proto = sys.argv[1], sys.argv[2]
pb = load_protos(proto, ["nsring/v1/nsring.proto"])[0]
rt = importlib.import_module("nsring.v1.routing_pb2")
c = Conn(sock)
ns = pb.NamespaceRef(name="rt")
stream = [1]
def call(m, req, resp):
    stream[0] += 2
    code, msg, body = c.call(stream[0], m, req.SerializeToString())
    return code_name(code), msg, (resp.FromString(body) if code == 0 else None)
rule = rt.Rule(**{"from": "198.18.90.0/24"}, table=500, priority=3500)
print(call("CreateRule", pb.CreateRuleRequest(namespace=ns, rule=rule), pb.CreateRuleResponse))
r = call("CreateRule", pb.CreateRuleRequest(namespace=ns, rule=rule, ensure=True), pb.CreateRuleResponse)
assert r[0] == "OK" and r[2].already_done, r
r = call("DeleteRule", pb.DeleteRuleRequest(namespace=ns, rule=rule, ensure=True), pb.DeleteRuleResponse)
assert r[0] == "OK" and not r[2].already_done, r
r = call("DeleteRule", pb.DeleteRuleRequest(namespace=ns, rule=rule, ensure=True), pb.DeleteRuleResponse)
assert r[0] == "OK" and r[2].already_done, r
nh = rt.Nexthop(id=30, gateway="198.18.1.2", dev="u1")
r = call("CreateNexthop", pb.CreateNexthopRequest(namespace=ns, nexthop=nh, ensure=True), pb.CreateNexthopResponse)
assert r[0] == "OK" and not r[2].already_done, r
r = call("CreateNexthop", pb.CreateNexthopRequest(namespace=ns, nexthop=nh, ensure=True), pb.CreateNexthopResponse)
assert r[0] == "OK" and r[2].already_done, r
other = rt.Nexthop(id=30, gateway="198.18.1.9", dev="u1")
r = call("CreateNexthop", pb.CreateNexthopRequest(namespace=ns, nexthop=other, ensure=True), pb.CreateNexthopResponse)
assert r[0] == "ALREADY_EXISTS" and "gateway" in r[1], r
r = call("DeleteNexthop", pb.DeleteNexthopRequest(namespace=ns, id=30, ensure=True), pb.DeleteNexthopResponse)
assert r[0] == "OK" and not r[2].already_done, r
r = call("DeleteNexthop", pb.DeleteNexthopRequest(namespace=ns, id=30, ensure=True), pb.DeleteNexthopResponse)
assert r[0] == "OK" and r[2].already_done, r
b = pb.BatchRequest(ensure=True, ops=[pb.BatchOp(create_rule=pb.CreateRuleRequest(namespace=ns, rule=rule)),
                                      pb.BatchOp(create_rule=pb.CreateRuleRequest(namespace=ns, rule=rule))])
r = call("Batch", b, pb.BatchResponse)
assert r[0] == "OK" and r[2].failed == 0 and r[2].results[1].create_rule.already_done, r
print("ensure ok")
' "$SOCK" "$PROTO_DIR"
expect_contains "$OUT" "ensure ok" "ensure: rules and nexthops found done are already_done; a differing nexthop names gateway"

# nsringctl --ensure on the new objects and route options: the second call finds it done.
twice() {
	local what=$1
	shift
	run_ok ctl --ensure -j "$@"
	json_check "$OUT" 'not d.get("already_done", False)' "$what: the first ensure call does the work"
	run_ok ctl --ensure -j "$@"
	json_check "$OUT" 'd.get("already_done") is True' "$what: the second finds it done (already_done)"
}
twice "rule add" -n rt rule add from 198.18.91.0/24 table 700 pref 3600
twice "rule del" -n rt rule del from 198.18.91.0/24 table 700 pref 3600
twice "nexthop add" -n rt nexthop add id 50 via 198.18.2.2 dev u2
twice "multipath route add" -n rt route add 198.18.92.0/24 nexthop via 198.18.1.2 dev u1 nexthop via 198.18.2.2 dev u2 weight 2
twice "nhid route add" -n rt route add 198.18.93.0/24 nhid 50
run_fail ALREADY_EXISTS ctl --ensure -n rt route add 198.18.93.0/24 nhid 10
expect_err_contains "nhid" "ensure: another nhid is named"
run_fail ALREADY_EXISTS ctl --ensure -n rt route add 198.18.92.0/24 nexthop via 198.18.1.2 dev u1 nexthop via 198.18.2.2 dev u2 weight 3
expect_err_contains "path 2" "ensure: the differing path is named"
run_fail ALREADY_EXISTS ctl --ensure -n rt nexthop add id 50 via 198.18.1.2 dev u1
expect_err_contains "gateway" "ensure: a nexthop with another gateway names it"
run_ok ctl -n rt route del 198.18.93.0/24
twice "nexthop del" -n rt nexthop del id 50

# ---------------------------------------------------------------- Watch
mon() { # NAME ARGS...: nsringctl -j monitor in the background, events in $T/NAME.json
	local name=$1
	shift
	timeout 60 "$NSRINGCTL" -s "$SOCK" -j monitor "$@" >"$T/$name.json" 2>"$T/$name.err" &
	BG_PIDS+=($!)
	eval "MON_$name=$!"
}
wait_synced() { # NAME
	for _ in $(seq 100); do
		grep -q SYNCED "$T/$1.json" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
mon w1 -n rt rule nexthop route --snapshot
expect_true "the watch got its snapshot" wait_synced w1
# Live changes: an IPv6 path appended and one deleted (the kernel announces them path by path),
# a nexthop and a rule added and deleted.
run_ok in_ns rt ip -6 route append 2001:db8:51::/64 via 2001:db8:1::3 dev u1
run_ok in_ns rt ip -6 route del 2001:db8:51::/64 via 2001:db8:2::2 dev u2
run_ok ctl -n rt nexthop add id 40 via 198.18.2.2 dev u2
run_ok ctl -n rt rule add from 198.18.95.0/24 table 600 pref 3900
run_ok ctl -n rt rule del pref 3900
run_ok ctl -n rt nexthop del id 40
sleep 1
kill "$MON_w1" 2>/dev/null
wait "$MON_w1" 2>/dev/null
snap=$("$PY" -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
i = next(k for k, e in enumerate(evs) if e["type"] == "WATCH_EVENT_TYPE_SYNCED")
print(json.dumps([evs[:i], evs[i + 1:]]))' "$T/w1.json")
json_check "$snap" 'any(e.get("rule", {}).get("priority") == 1000 and e["rule"]["table"] == 100 for e in d[0])' "the snapshot has rule 1000"
json_check "$snap" 'any(e.get("nexthop", {}).get("id") == 10 and [(m["id"], m["weight"]) for m in e["nexthop"]["group"]] == [(1, 1), (2, 3)] for e in d[0])' \
	"the snapshot has nexthop group 10 with its weights"
json_check "$snap" 'any(e.get("route", {}).get("destination") == "198.18.51.0/24" and [(p["gateway"], p["weight"]) for p in e["route"]["paths"]] == [("198.18.1.2", 1), ("198.18.2.2", 3)] for e in d[0])' \
	"the snapshot has the IPv4 multipath route with its paths"
json_check "$snap" 'any(e.get("route", {}).get("destination") == "2001:db8:51::/64" and len(e["route"]["paths"]) == 2 for e in d[0])' \
	"the snapshot has the IPv6 multipath route with both paths"
json_check "$snap" 'any(e.get("route", {}).get("destination") == "198.18.50.0/24" and e["route"]["nhid"] == 10 for e in d[0])' \
	"the snapshot has the nhid route"
json_check "$snap" '[e["type"][17:] for e in d[1] if "rule" in e and e["rule"].get("priority") == 3900] == ["ADDED", "DELETED"]' \
	"live: rule 3900 ADDED then DELETED"
json_check "$snap" '[e["type"][17:] for e in d[1] if "nexthop" in e and e["nexthop"]["id"] == 40] == ["ADDED", "DELETED"]' \
	"live: nexthop 40 ADDED then DELETED"
# The Watch's state of 2001:db8:51::/64 after the events equals ip -6 route show's: replay the
# route events of that destination (keyed as the mirror keys IPv6 routes: by device, 0 for a
# multipath route) and compare the paths.
ip6=$(in_ns rt ip -6 -j route show 2001:db8:51::/64)
run_ok "$PY" -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ip = json.loads(sys.argv[2])
state = {}
for e in evs:
    r = e.get("route")
    if not r or r["destination"] != "2001:db8:51::/64":
        continue
    key = r["dev_index"]
    if e["type"].endswith("DELETED"):
        state.pop(key, None)
    else:
        state[key] = [(p["gateway"], p["dev"], p["weight"]) for p in r["paths"]] or \
            [(r["gateway"], r["dev"], 1)]
want = [[(p["gateway"], p["dev"], p.get("weight", 1)) for p in r["nexthops"]] if "nexthops" in r
        else [(r["gateway"], r["dev"], 1)] for r in ip]
print("watch", sorted(state.values()), "ip", want)
sys.exit(0 if sorted(state.values()) == sorted(want) else 1)' "$T/w1.json" "$ip6"
[[ $RC == 0 ]] || show_last

# ---------------------------------------------------------------- teardown in one step
run_ok ctl -n rt rule del pref 1000
run_ok ctl netns del rt
run_ok ctl netns del up1
run_ok ctl netns del up2
