#!/bin/bash
# System test: Watch (server-streaming link, address and route events). Snapshot then SYNCED,
# live ADDED/CHANGED/DELETED for links, addresses and routes made with ip, a list of two
# namespaces, all_namespaces with namespaces created and deleted later (through nsringd and
# behind its back), an event-socket overrun (tiny receive buffer, daemon stopped during a burst
# of 2000 changes) -> RESYNC and a fresh snapshot whose state is exactly what ip shows, a
# consumer that stops reading during a burst (40,000 changes) -> RESOURCE_EXHAUSTED with the daemon's memory
# bounded and other watches going on, and SIGTERM ending open watches (UNAVAILABLE).
# The watches are made by tests/interop/watch_client.py (Python grpcio, Debian python3-grpcio).
HERE=$(dirname "$(readlink -f "$0")")
if [[ $(id -u) == 0 && -z ${NSRING_SYS_ISOLATED:-} ]]; then
	if ! /usr/bin/python3 -c 'import grpc, google.protobuf' 2>/dev/null ||
		! command -v protoc >/dev/null; then
		echo "skipped: needs python3-grpcio, python3-protobuf and protobuf-compiler"
		exit 77
	fi
fi
source "$HERE/lib.sh"
sys_init "$@"
PROTO_DIR=$(readlink -f "$HERE/../../proto")
WC=$(readlink -f "$HERE/../interop/watch_client.py")

# watch_start NAME ARGS...: a watch_client.py in the background, events in $T/NAME.out.
watch_start() {
	local name=$1
	shift
	rm -f "$T/$name.out" "$T/$name.ready"
	"$PY" "$WC" "$SOCK" "$PROTO_DIR" --ready "$T/$name.ready" "$@" >"$T/$name.out" \
		2>"$T/$name.err" &
	BG_PIDS+=($!)
	eval "WPID_$name=$!"
}

# wcheck NAME EXPR DESCRIPTION [TIMEOUT]: waits up to TIMEOUT s (default 10) for the Python
# expression EXPR to hold over the watch's events so far: ev (a list of dicts), end (the END
# line or None), and helpers typ(e), objs(kind, ns) (the events carrying that kind of object).
wcheck() {
	local name=$1 expr=$2 desc=$3 timeout=${4:-10} r
	r=$("$PY" - "$T/$name.out" "$expr" "$timeout" <<'EOF'
import json, sys, time
path, expr, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
end_t = time.monotonic() + timeout
while True:
    ev, end = [], None
    with open(path) as f:
        for line in f:
            if line.startswith("END"):
                end = line.strip()
            elif line.strip():
                try:
                    ev.append(json.loads(line))
                except ValueError:
                    pass
    def typ(e): return e["type"]
    def objs(kind, ns=None):
        return [e for e in ev if kind in e and (ns is None or e["ns"] == ns)]
    try:
        ok = eval(expr, {"ev": ev, "end": end, "typ": typ, "objs": objs, "any": any,
                         "all": all, "len": len, "set": set, "sorted": sorted})
    except Exception as e:
        ok = False
        err = repr(e)
    if ok:
        sys.exit(0)
    if time.monotonic() > end_t:
        print("%d events; end %r; last: %s" % (len(ev), end,
              json.dumps(ev[-3:])[:1500]))
        sys.exit(1)
    time.sleep(0.05)
EOF
)
	if [[ $? == 0 ]]; then
		pass "$desc"
		return 0
	fi
	fail "$desc"
	printf '#   %s\n' "$r"
	return 1
}

# wait_ready NAME: the watch's stream is open (first message in), up to 30 s (a loaded
# machine, a sanitizer build, and Python starting up).
wait_ready() {
	local i
	for ((i = 0; i < 600; i++)); do
		[[ -e $T/$1.ready ]] && return 0
		sleep 0.05
	done
	fail "watch $1 opened its stream"
	sed 's/^/#   /' "$T/$1.err" | tail -5
	return 1
}

watch_stop() {
	local pid
	pid=$(eval echo "\$WPID_$1")
	# grpcio blocks SIGINT while it waits for a message; SIGTERM's default action works.
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

start_daemon -l debug

# ---------------------------------------------------------------- snapshot and live events
run_ok ctl netns add wa
run_ok ctl netns add wb
run_ok in_ns wa ip link add w0 type veth peer name w1
run_ok in_ns wa ip link set w0 up
run_ok in_ns wa ip link set w1 up
run_ok in_ns wa ip addr add 198.18.0.1/24 dev w0
run_ok in_ns wa ip -6 addr add 2001:db8::1/64 dev w0 nodad
run_ok in_ns wa ip route add 198.19.0.0/24 via 198.18.0.2

watch_start s1 --ns wa --snapshot
wait_ready s1
wcheck s1 'any(typ(e) == "SYNCED" for e in ev)' "snapshot of wa ends with SYNCED"
wcheck s1 'set(e["link"]["name"] for e in objs("link")) == {"lo", "w0", "w1"} and all(typ(e) == "ADDED" and e["ns"] == "wa" for e in ev[:-1]) and typ(ev[-1]) == "SYNCED"' \
	"snapshot: links lo, w0, w1 as ADDED (namespace wa), SYNCED last"
wcheck s1 'any(e["address"]["address"] == "198.18.0.1" and e["address"]["prefix_len"] == 24 and e["address"]["link_name"] == "w0" for e in objs("address")) and any(e["address"]["address"] == "2001:db8::1" for e in objs("address"))' \
	"snapshot: the IPv4 and IPv6 addresses of w0"
wcheck s1 'any(e["route"]["destination"] == "198.19.0.0/24" and e["route"]["gateway"] == "198.18.0.2" and e["route"]["dev"] == "w0" and e["route"]["table"] == 254 for e in objs("route"))' \
	"snapshot: the route 198.19.0.0/24 via 198.18.0.2 dev w0"
wcheck s1 'ev[0]["inode"] > 0 and ev[0]["path"].endswith("/wa")' "events name the namespace (path, inode)"

run_ok in_ns wa ip link add w2 type bridge
wcheck s1 'any(typ(e) == "ADDED" and e["link"]["name"] == "w2" and e["link"]["kind"] == "bridge" for e in objs("link"))' \
	"live: ADDED link w2 (bridge)"
run_ok in_ns wa ip link set w2 mtu 1400
wcheck s1 'any(typ(e) == "CHANGED" and e["link"]["name"] == "w2" and e["link"]["mtu"] == 1400 for e in objs("link"))' \
	"live: CHANGED link w2 (mtu 1400)"
run_ok in_ns wa ip addr add 198.18.1.1/24 dev w1
wcheck s1 'any(typ(e) == "ADDED" and e["address"]["address"] == "198.18.1.1" and e["address"]["link_name"] == "w1" for e in objs("address"))' \
	"live: ADDED address 198.18.1.1/24 on w1"
run_ok in_ns wa ip route add 198.19.2.0/24 via 198.18.1.2 metric 7
wcheck s1 'any(typ(e) == "ADDED" and e["route"]["destination"] == "198.19.2.0/24" and e["route"]["metric"] == 7 and e["route"]["dev"] == "w1" for e in objs("route"))' \
	"live: ADDED route 198.19.2.0/24 via 198.18.1.2 metric 7"
run_ok in_ns wa ip route replace 198.19.2.0/24 via 198.18.0.9 metric 7
wcheck s1 'any(typ(e) == "CHANGED" and e["route"]["destination"] == "198.19.2.0/24" and e["route"]["gateway"] == "198.18.0.9" and e["route"]["dev"] == "w0" for e in objs("route"))' \
	"live: CHANGED route 198.19.2.0/24 (replaced: via 198.18.0.9 dev w0)"
run_ok in_ns wa ip route del 198.19.2.0/24 metric 7
wcheck s1 'any(typ(e) == "DELETED" and e["route"]["destination"] == "198.19.2.0/24" for e in objs("route"))' \
	"live: DELETED route 198.19.2.0/24"
run_ok in_ns wa ip addr del 198.18.1.1/24 dev w1
wcheck s1 'any(typ(e) == "DELETED" and e["address"]["address"] == "198.18.1.1" for e in objs("address"))' \
	"live: DELETED address 198.18.1.1/24"
run_ok in_ns wa ip link del w2
wcheck s1 'any(typ(e) == "DELETED" and e["link"]["name"] == "w2" for e in objs("link"))' \
	"live: DELETED link w2"
# The kernel removes IPv4 routes through a link that goes down without a notification.
run_ok in_ns wa ip link set w0 down
wcheck s1 'any(typ(e) == "DELETED" and e["route"]["destination"] == "198.19.0.0/24" for e in objs("route")) and any(typ(e) == "CHANGED" and e["link"]["name"] == "w0" and not e["link"]["up"] for e in objs("link"))' \
	"link w0 down: CHANGED link, DELETED for the IPv4 routes the kernel dropped silently"
run_ok in_ns wa ip link set w0 up
wcheck s1 'end is None and not any(typ(e) == "RESYNC" for e in ev)' "the stream stays open, no RESYNC" 0
watch_stop s1

# kinds: only routes.
watch_start k1 --ns wa --snapshot --kinds route
wait_ready k1
wcheck k1 'any(typ(e) == "SYNCED" for e in ev) and objs("route") and not objs("link") and not objs("address")' \
	"kinds [ROUTE]: only route events"
watch_stop k1

# ---------------------------------------------------------------- a list of namespaces
watch_start l1 --ns wa --ns wb --snapshot
wait_ready l1
wcheck l1 'set(e["ns"] for e in ev if typ(e) == "SYNCED") == {"wa", "wb"}' "a list: SYNCED for wa and wb"
run_ok in_ns wb ip link add b0 type bridge
run_ok in_ns wa ip addr add 198.18.2.1/24 dev w1
wcheck l1 'any(e["ns"] == "wb" and typ(e) == "ADDED" and e["link"]["name"] == "b0" for e in objs("link")) and any(e["ns"] == "wa" and typ(e) == "ADDED" and e["address"]["address"] == "198.18.2.1" for e in objs("address"))' \
	"a list: events of both namespaces, each named"
watch_stop l1

# ---------------------------------------------------------------- all namespaces
watch_start a1 --all --snapshot
wait_ready a1
wcheck a1 'set(e["ns"] for e in ev if typ(e) == "SYNCED") >= {"wa", "wb", ""} and set(e["ns"] for e in ev if typ(e) == "NAMESPACE_ADDED") >= {"wa", "wb", ""}' \
	"all: NAMESPACE_ADDED and SYNCED for wa, wb and the daemon's own namespace"
run_ok ctl netns add wc
wcheck a1 'any(typ(e) == "NAMESPACE_ADDED" and e["ns"] == "wc" for e in ev) and any(typ(e) == "SYNCED" and e["ns"] == "wc" for e in ev)' \
	"all: a namespace created later (CreateNamespace wc): NAMESPACE_ADDED, snapshot, SYNCED"
run_ok in_ns wc ip link add c0 type bridge
wcheck a1 'any(e["ns"] == "wc" and typ(e) == "ADDED" and e["link"]["name"] == "c0" for e in objs("link"))' \
	"all: live events of the new namespace"
run_ok ctl netns del wc
wcheck a1 'any(typ(e) == "NAMESPACE_DELETED" and e["ns"] == "wc" for e in ev)' \
	"all: DeleteNamespace wc -> NAMESPACE_DELETED"
# Behind the daemon's back, as ip netns add/del do it.
touch "$NETNS_DIR/wd"
run_ok unshare --net="$NETNS_DIR/wd" true
wcheck a1 'any(typ(e) == "NAMESPACE_ADDED" and e["ns"] == "wd" for e in ev) and any(typ(e) == "SYNCED" and e["ns"] == "wd" for e in ev)' \
	"all: a namespace mounted in the netns dir by someone else -> NAMESPACE_ADDED"
WD_INO=$(stat -L -c %i "$NETNS_DIR/wd")
umount -l "$NETNS_DIR/wd" && rm -f "$NETNS_DIR/wd" # as ip netns del does
wcheck a1 'any(typ(e) == "NAMESPACE_DELETED" and e["ns"] == "wd" for e in ev)' \
	"all: its name removed -> NAMESPACE_DELETED"
expect_true "the daemon lets go of the deleted namespace (its event socket closed)" \
	wait_not_held "$DPID" "$WD_INO"
wcheck a1 'end is None' "all: the stream stays open" 0
watch_stop a1

# ---------------------------------------------------------------- slow consumer
run_ok ctl netns add ws
run_ok in_ns ws ip link add s0 type veth peer name s1
run_ok in_ns ws ip link set s0 up
run_ok in_ns ws ip addr add 198.18.0.1/24 dev s0
watch_start fast --ns ws --snapshot --kinds route
# A ttrpc client reads nothing until told (no HTTP/2 flow control to hold the daemon back):
# the socket buffers fill, then the daemon's queue for the call.
watch_start slow --ns ws --snapshot --ttrpc --stall-until "$T/slow.go"
wait_ready fast
wait_ready slow
wcheck fast 'any(typ(e) == "SYNCED" for e in ev)' "slow consumer: a reading watch is synced"
sleep 1 # the stalled one is subscribed too
RSS0=$(rss_kb "$DPID")
for ((i = 0; i < 20000; i++)); do
	echo "route add 198.19.$((i / 250)).$((i % 250))/32 via 198.18.0.2"
done >"$T/burst"
for ((i = 0; i < 20000; i++)); do
	echo "route del 198.19.$((i / 250)).$((i % 250))/32 via 198.18.0.2"
done >>"$T/burst"
run_ok in_ns ws ip -batch "$T/burst"
RSS1=$(rss_kb "$DPID")
log "daemon RSS before the burst ${RSS0} kB, after ${RSS1} kB"
# Sanitizer builds keep freed memory in quarantine (up to 256 MiB): a looser bound there.
RSS_MAX=$((64 * 1024))
# (grep without -q: with pipefail, ldd killed by SIGPIPE would fail the pipeline)
ldd "$NSRINGD" 2>/dev/null | grep libasan >/dev/null && RSS_MAX=$((320 * 1024))
expect_true "the daemon's memory stays bounded (RSS grew $(((RSS1 - RSS0) / 1024)) MiB < $((RSS_MAX / 1024)) MiB)" \
	test $((RSS1 - RSS0)) -lt $RSS_MAX
run_ok ctl netns list
touch "$T/slow.go"
wcheck slow 'end is not None and end.startswith("END RESOURCE_EXHAUSTED") and "consumer too slow" in end and "bytes queued" in end' \
	"the stalled watch ends with RESOURCE_EXHAUSTED (consumer too slow: N bytes queued)" 30
wcheck fast 'end is None and (any(typ(e) == "DELETED" and e["route"]["destination"] == "198.19.79.249/32" for e in objs("route")) or ("RESYNC" in [typ(e) for e in ev] and typ(ev[-1]) == "SYNCED"))' \
	"the reading watch goes on and sees the end of the burst" 30
watch_stop fast
run_ok ctl -n ws link show s0

# ---------------------------------------------------------------- SIGTERM ends watches
watch_start t1 --ns wa --snapshot
wait_ready t1
stop_daemon
wcheck t1 'end is not None and end.startswith("END UNAVAILABLE")' "SIGTERM: an open watch ends with UNAVAILABLE" 10

# ---------------------------------------------------------------- overrun -> RESYNC
# A tiny event receive buffer (NSRINGD_EVENT_RCVBUF, for tests) and the daemon stopped while
# 2000 changes happen: the kernel drops notifications.
export NSRINGD_EVENT_RCVBUF=4096
start_daemon -l debug
unset NSRINGD_EVENT_RCVBUF
run_ok ctl netns add wo
run_ok in_ns wo ip link add o0 type veth peer name o1
run_ok in_ns wo ip link set o0 up
run_ok in_ns wo ip link set o1 up
run_ok in_ns wo ip addr add 198.18.0.1/24 dev o0
watch_start o1 --ns wo --snapshot
wait_ready o1
wcheck o1 'any(typ(e) == "SYNCED" for e in ev)' "overrun: the watch is synced"
{
	for ((i = 0; i < 1000; i++)); do
		echo "route add 198.19.$((i / 250)).$((i % 250))/32 via 198.18.0.2"
	done
	for ((i = 0; i < 500; i++)); do
		echo "route del 198.19.$((i / 250)).$((i % 250))/32 via 198.18.0.2"
	done
	for ((i = 0; i < 250; i++)); do
		echo "address add 198.18.$((i / 200 + 10)).$((i % 200 + 1))/32 dev o1"
	done
	for ((i = 0; i < 250; i++)); do
		echo "link set o1 mtu $((1300 + i))"
	done
} >"$T/burst2"
kill -STOP "$DPID"
run_ok in_ns wo ip -batch "$T/burst2"
kill -CONT "$DPID"
wcheck o1 'any(typ(e) == "RESYNC" for e in ev) and any(typ(e) == "SYNCED" for e in ev[[typ(x) for x in ev].index("RESYNC"):])' \
	"overrun: RESYNC, then a fresh snapshot and SYNCED" 20
# compare_state: the stream's state (its events applied, RESYNC forgetting) against ip's.
compare_state() {
	in_ns wo ip -j link show >"$T/ip-link.json"
	in_ns wo ip -j addr show >"$T/ip-addr.json"
	in_ns wo ip -j -4 route show table all >"$T/ip-route4.json"
	in_ns wo ip -j -6 route show table all >"$T/ip-route6.json"
	"$PY" - "$T/o1.out" "$T" <<'EOF'
import json, sys
path, t = sys.argv[1], sys.argv[2]
links, addrs, routes = {}, {}, {}
for line in open(path):
    if not line.startswith("{"):
        continue
    e = json.loads(line)
    if e["type"] == "RESYNC":
        links, addrs, routes = {}, {}, {}
        continue
    if e["type"] not in ("ADDED", "CHANGED", "DELETED"):
        continue
    if "link" in e:
        m, k, v = links, e["link"]["index"], (e["link"]["name"], e["link"]["mtu"])
    elif "address" in e:
        a = e["address"]
        m, k, v = addrs, (a["address"], a["prefix_len"], a["link_index"]), a["link_name"]
    else:
        r = e["route"]
        m, k, v = routes, (r["destination"], r["table"], r["dev"], r["metric"]), r["gateway"]
    if e["type"] == "DELETED":
        m.pop(k, None)
    else:
        m[k] = v
ip_links = {l["ifindex"]: (l["ifname"], l["mtu"]) for l in json.load(open(t + "/ip-link.json"))}
ip_addrs = {}
for l in json.load(open(t + "/ip-addr.json")):
    for a in l.get("addr_info", []):
        ip_addrs[(a["local"], a["prefixlen"], l["ifindex"])] = l["ifname"]
tables = {"main": 254, "local": 255, "default": 253}
ip_routes = {}
for fam, f in ((4, "/ip-route4.json"), (6, "/ip-route6.json")):
    for r in json.load(open(t + f)):
        dst = r["dst"]
        if dst != "default" and "/" not in dst:
            dst += "/32" if fam == 4 else "/128"
        table = r.get("table", "main")
        table = tables.get(table, None) if not str(table).isdigit() else int(table)
        ip_routes[(dst, table, r.get("dev", ""), r.get("metric", 0))] = r.get("gateway", "")
bad = []
for name, a, b in (("links", links, ip_links), ("addresses", addrs, ip_addrs),
                   ("routes", routes, ip_routes)):
    if a != b:
        bad.append("%s: only in the stream %s; only in ip %s; differ %s" % (
            name, sorted(set(a) - set(b))[:5], sorted(set(b) - set(a))[:5],
            [k for k in set(a) & set(b) if a[k] != b[k]][:5]))
print("%d links, %d addresses, %d routes" % (len(links), len(addrs), len(routes)))
print("; ".join(bad))
sys.exit(1 if bad else 0)
EOF
}
# The stream may lag behind the kernel a little (and IPv6 DAD goes on): give it a few seconds.
for ((i = 0; i < 20; i++)); do
	r=$(compare_state) && break
	sleep 0.5
done
r=$(compare_state)
rc=$?
log "stream state after the resync: $(head -n 1 <<<"$r")"
if [[ $rc == 0 ]]; then
	pass "overrun: the state the stream describes is exactly what ip shows (nothing lost)"
else
	fail "overrun: the state the stream describes is exactly what ip shows (nothing lost)"
	printf '#   %s\n' "$r"
fi
expect_true "the daemon logged the overrun (debug)" grep -q 'overran the event socket' "$T/nsringd.log"
watch_stop o1
run_ok ctl netns list
# The EXIT trap (lib.sh) cleans up and prints the total "N passed, M failed".
