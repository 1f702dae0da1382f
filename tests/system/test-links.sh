#!/bin/bash
# System test: links. Every link kind this kernel has (veth, bridge, vxlan, macvlan, ifb; dummy
# fails cleanly), link set (up/down/mtu/address/master/nomaster/name/group/netns), del, show (text
# and JSON) and the error paths, in namespaces the test creates.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
start_daemon

run_ok ctl netns add la
run_ok ctl netns add lb

# ip's detailed JSON view of one link inside a namespace, to check what the kernel really has.
ipd() { in_ns "$1" ip -d -j link show dev "$2"; }

# ---------------------------------------------------------------- veth
run_ok ctl -n la link add va0 type veth peer name va1
run_ok ctl -j -n la link show
json_check "$OUT" 'sorted(l["name"] for l in d) == ["lo", "va0", "va1"]' \
	"veth in one namespace: both ends in la"
json_check "$OUT" '[l for l in d if l["name"] == "va0"][0]["parent_index"] == [l for l in d if l["name"] == "va1"][0]["index"]' \
	"va0's peer index is va1's index"
json_check "$OUT" 'all(l["link_netnsid"] == -1 for l in d if l["kind"] == "veth")' \
	"same-namespace veth ends report link_netnsid -1"
run_ok ipd la va1
json_check "$OUT" 'd[0]["linkinfo"]["info_kind"] == "veth"' "ip: va1 is a veth"

# Peer created directly in another namespace.
run_ok ctl -n la link add vx0 type veth peer name vx1 netns lb
run_ok ctl -n lb link show
expect_contains "$OUT" "vx1" "nsringctl -n lb link show shows the peer vx1"
run_ok ctl -j -n lb link show vx1
json_check "$OUT" 'd[0]["kind"] == "veth" and "veth" in d[0] and d[0]["link_netnsid"] >= 0' \
	"vx1 is a veth whose peer is in another namespace"
run_ok ctl -j -n la link show
json_check "$OUT" 'not any(l["name"] == "vx1" for l in d)' "vx1 is not in la"
run_ok in_ns lb ip -br link show vx1
expect_contains "$OUT" "vx1" "ip in lb sees vx1"
# Peer by path, and attributes on create: up brings both ends up.
run_ok ctl -n la link add vu0 mtu 1300 address 02:00:00:00:01:01 group 4 up type veth peer name vu1 netns "$NETNS_DIR/lb"
run_ok ctl -j -n la link show vu0
json_check "$OUT" 'd[0]["mtu"] == 1300 and d[0]["address"] == "02:00:00:00:01:01" and d[0]["group"] == 4 and d[0]["up"]' \
	"veth created with mtu, address, group and up"
run_ok ctl -j -n lb link show vu1
json_check "$OUT" 'd[0]["up"]' "up on create brings the peer up too"
run_ok in_ns lb ip -j link show vu1
json_check "$OUT" '"UP" in d[0]["flags"]' "ip: vu1 is up"
run_ok ctl -n la link add name vn0 type veth peer vn1
run_ok ctl -n la link show vn1
expect_contains "$OUT" "vn1" "veth with 'name NAME' and 'peer PEER' (no 'name')"

# ---------------------------------------------------------------- bridge
run_ok ctl -n la link add br0 type bridge
run_ok ctl -j -n la link show br0
json_check "$OUT" 'd[0]["kind"] == "bridge" and "bridge" in d[0]' "br0 is a bridge (kind and oneof)"
run_ok ipd la br0
json_check "$OUT" 'd[0]["linkinfo"]["info_kind"] == "bridge"' "ip: br0 is a bridge"

run_ok ctl -n la link add br1 up type bridge
run_ok ctl -j -n la link show br1
json_check "$OUT" 'd[0]["up"]' "link add up: a bridge is created up"
run_ok ctl -n la link del br1

# ---------------------------------------------------------------- vxlan
run_ok ctl -n la link add vxl0 type vxlan id 42 dstport 4789 local 198.18.0.1 remote 198.18.0.2
run_ok ipd la vxl0
json_check "$OUT" 'd[0]["linkinfo"]["info_kind"] == "vxlan"' "ip: vxl0 is a vxlan"
json_check "$OUT" 'd[0]["linkinfo"]["info_data"]["id"] == 42' "ip: vxl0 has id 42"
json_check "$OUT" 'd[0]["linkinfo"]["info_data"]["port"] == 4789' "ip: vxl0 has dstport 4789"
json_check "$OUT" 'd[0]["linkinfo"]["info_data"]["local"] == "198.18.0.1"' "ip: vxl0 has local 198.18.0.1"
json_check "$OUT" 'd[0]["linkinfo"]["info_data"]["remote"] == "198.18.0.2"' "ip: vxl0 has remote 198.18.0.2"
run_ok ctl -j -n la link show vxl0
json_check "$OUT" 'd[0]["kind"] == "vxlan"' "nsringctl: vxl0 is a vxlan"
# The API's Link has the kind-specific oneof, and nsringctl prints vni/dstport from it.
json_check "$OUT" 'd[0].get("vxlan", {}).get("vni") == 42 and d[0]["vxlan"].get("port") == 4789' \
	"nsringctl link show reports vxlan attributes (vni, port)"
json_check "$OUT" 'd[0].get("vxlan", {}).get("local") == "198.18.0.1" and d[0]["vxlan"].get("remote") == "198.18.0.2"' \
	"nsringctl link show reports vxlan local and remote"
run_ok ctl -n la link show vxl0
expect_contains "$OUT" "vni 42 dstport 4789 local 198.18.0.1 remote 198.18.0.2" "text link show prints the vxlan details"
run_ok ctl -n la link add vxl6 type vxlan id 16777215 local 2001:db8::1 remote 2001:db8::2
run_ok ipd la vxl6
json_check "$OUT" 'd[0]["linkinfo"]["info_data"]["id"] == 16777215 and d[0]["linkinfo"]["info_data"]["remote6"] == "2001:db8::2" and d[0]["linkinfo"]["info_data"]["local6"] == "2001:db8::1"' \
	"ip: IPv6 vxlan with the largest id, local6 and remote6"
json_check "$OUT" 'd[0]["linkinfo"]["info_data"]["port"] == 8472' "ip: vxlan without dstport has the kernel default 8472"
run_ok ctl -j -n la link show vxl6
json_check "$OUT" 'd[0].get("vxlan", {}).get("vni") == 16777215 and d[0]["vxlan"].get("local") == "2001:db8::1" and d[0]["vxlan"].get("remote") == "2001:db8::2"' \
	"nsringctl reports the IPv6 vxlan's vni, local and remote"
run_ok ctl -n la link add vxg0 type vxlan id 43 group 239.1.1.1 dev br0
run_ok ipd la vxg0
json_check "$OUT" 'd[0]["linkinfo"]["info_data"]["group"] == "239.1.1.1" and d[0]["linkinfo"]["info_data"]["link"] == "br0"' \
	"ip: vxg0 has group 239.1.1.1 and dev br0"
run_ok ctl -j -n la link show vxg0
json_check "$OUT" 'd[0].get("vxlan", {}).get("group") == "239.1.1.1" and d[0]["vxlan"].get("remote") == ""' \
	"nsringctl reports the vxlan group (not as remote)"
run_fail NOT_FOUND ctl -n la link add vxg1 type vxlan id 44 group 239.1.1.2 dev nosuchdev
expect_err_contains '"nosuchdev"' "vxlan with a missing dev names it"
run_usage '"remote" and "group" are exclusive' ctl -n la link add vxg2 type vxlan id 45 remote 198.18.0.2 group 239.1.1.1
run_usage 'vxlan needs "id VNI"' ctl -n la link add vxg3 type vxlan remote 198.18.0.2
run_usage "invalid \"id\" value" ctl -n la link add vxg4 type vxlan id 16777216

# ---------------------------------------------------------------- macvlan
run_ok ctl -n la link add mv0 link va0 type macvlan mode bridge
run_ok ipd la mv0
json_check "$OUT" 'd[0]["linkinfo"]["info_kind"] == "macvlan" and d[0]["linkinfo"]["info_data"]["mode"] == "bridge" and d[0]["link"] == "va0"' \
	"ip: mv0 is a macvlan on va0 in bridge mode"
run_ok ctl -j -n la link show mv0
va0_index=$(json_get "$(ctl -j -n la link show va0)" 'd[0]["index"]')
json_check "$OUT" 'd[0]["kind"] == "macvlan" and d[0]["parent_index"] == '"$va0_index" \
	"nsringctl: mv0's parent_index is va0"
json_check "$OUT" 'd[0].get("macvlan", {}).get("mode") == "MACVLAN_MODE_BRIDGE"' \
	"nsringctl link show reports the macvlan mode"
run_ok ctl -n la link show
expect_contains "$OUT" "parent va0 mode bridge" "text link show prints the macvlan's parent and mode"
run_ok ctl -n la link add mv1 link va0 type macvlan
run_ok ipd la mv1
json_check "$OUT" 'd[0]["linkinfo"]["info_data"]["mode"] == "vepa"' "macvlan without mode: the kernel's vepa"
run_fail NOT_FOUND ctl -n la link add mv2 link nosuchparent type macvlan mode bridge
expect_err_contains '"nosuchparent"' "macvlan with a missing parent names it"
run_usage 'macvlan needs "link PARENT"' ctl -n la link add mv3 type macvlan mode bridge
run_usage "macvlan mode is" ctl -n la link add mv4 link va0 type macvlan mode bogus

# ---------------------------------------------------------------- ifb
run_ok ctl -n la link add ifb0 type ifb
run_ok ipd la ifb0
json_check "$OUT" 'd[0]["linkinfo"]["info_kind"] == "ifb"' "ip: ifb0 is an ifb"
run_ok ctl -j -n la link show ifb0
json_check "$OUT" 'd[0]["kind"] == "ifb" and "ifb" in d[0]' "nsringctl: ifb0 is an ifb (kind and oneof)"

# ---------------------------------------------------------------- dummy (not in this kernel)
run_ok ctl -n la link show
before=$OUT
run "$NSRINGCTL" -s "$SOCK" -n la link add dm0 type dummy
if [[ $RC == 0 ]]; then
	# A kernel with dummy: then it must simply work.
	pass "dummy is available in this kernel and was created"
	run_ok ctl -n la link del dm0
else
	expect_eq "$RC" 1 "link add type dummy fails with exit 1 (no dummy in this kernel)"
	expect_true "the dummy error is INVALID_ARGUMENT, NOT_FOUND or UNIMPLEMENTED" \
		grep -qE '^Error: (INVALID_ARGUMENT|NOT_FOUND|UNIMPLEMENTED): ' <<<"$ERR"
	expect_err_contains "Unknown device type" "the dummy error carries the kernel's ext-ack text"
	expect_err_contains "EOPNOTSUPP" "the dummy error names the errno"
	expect_err_contains '"dm0"' "the dummy error names the link"
	expect_eq "$(grep -c '^Error' <<<"$ERR")" 1 "the dummy error is one clean line"
fi
run_ok ctl -n la link show
expect_eq "$OUT" "$before" "after the failed dummy the daemon serves and nothing changed"

# ---------------------------------------------------------------- show
run_ok ctl -n la link show va0
expect_contains "$OUT" "INDEX" "link show NAME prints the table header"
expect_contains "$OUT" "va0" "link show NAME prints the link"
expect_contains "$OUT" "veth" "link show NAME prints the kind"
expect_eq "$(wc -l <<<"$OUT")" 2 "link show NAME prints only that link"
run_ok ctl -n la link show dev va0
expect_contains "$OUT" "va0" "link show dev NAME"
run_ok ctl -n la l sh va0
expect_contains "$OUT" "va0" "abbreviated 'l sh'"
run_ok ctl -j -n la link show va0
json_check "$OUT" 'isinstance(d, list) and len(d) == 1' "link show -j NAME is a list of one"
json_check "$OUT" 'isinstance(d[0]["index"], int) and d[0]["index"] > 0' "JSON index is a positive integer"
json_check "$OUT" 'd[0]["name"] == "va0"' "JSON name"
json_check "$OUT" 'd[0]["kind"] == "veth"' "JSON kind"
json_check "$OUT" 'd[0]["up"] is False' "JSON up is a boolean"
json_check "$OUT" 'd[0]["mtu"] == 1500' "JSON mtu"
json_check "$OUT" 'len(d[0]["address"].split(":")) == 6' "JSON address is a MAC"
ip_view=$(ipd la va0)
json_check "$OUT" 'd[0]["address"] == "'"$(json_get "$ip_view" 'd[0]["address"]')"'" and d[0]["index"] == '"$(json_get "$ip_view" 'd[0]["ifindex"]')" \
	"JSON index and address match ip's"
run_ok ctl -j -n la link show
json_check "$OUT" 'sorted(l["name"] for l in d) == sorted(["lo", "va0", "va1", "vx0", "vu0", "vn0", "vn1", "br0", "vxl0", "vxl6", "vxg0", "mv0", "mv1", "ifb0"])' \
	"link show lists every link of la"
json_check "$OUT" '[l for l in d if l["name"] == "lo"][0]["kind"] == ""' "lo has no kind"
run_ok ctl -j -n la link show type veth
json_check "$OUT" 'sorted(l["name"] for l in d) == ["va0", "va1", "vn0", "vn1", "vu0", "vx0"]' \
	"link show type veth lists only veths"
run_ok ctl -j -n la link show type nosuchkind
json_check "$OUT" 'd == []' "link show type with an unknown kind lists nothing"

# ---------------------------------------------------------------- set
run_ok ctl -n la link set va0 up
run_ok ctl -j -n la link show va0
json_check "$OUT" 'd[0]["up"] is True' "link set up"
run_ok in_ns la ip -j link show va0
json_check "$OUT" '"UP" in d[0]["flags"]' "ip: va0 is up"
run_ok ctl -n la link set dev va0 down
run_ok ctl -j -n la link show va0
json_check "$OUT" 'd[0]["up"] is False' "link set dev NAME down"
run_ok ctl -n la link set va0 mtu 1400
run_ok ipd la va0
json_check "$OUT" 'd[0]["mtu"] == 1400' "link set mtu: ip sees 1400"
run_ok ctl -n la link set va0 address 02:00:5e:10:00:01
run_ok ipd la va0
json_check "$OUT" 'd[0]["address"] == "02:00:5e:10:00:01"' "link set address: ip sees it"
run_ok ctl -n la link set va0 address 2:0:5E:10:0:2
run_ok ctl -j -n la link show va0
json_check "$OUT" 'd[0]["address"] == "02:00:5e:10:00:02"' "link set address accepts short, upper-case hex"
run_ok ctl -n la link set va0 group 7
run_ok ipd la va0
json_check "$OUT" 'd[0]["group"] == "7"' "link set group: ip sees group 7"
run_ok ctl -j -n la link show va0
json_check "$OUT" 'd[0]["group"] == 7' "link set group: JSON group 7"
run_ok ctl -n la link set va0 group default
run_ok ctl -j -n la link show va0
json_check "$OUT" 'd[0]["group"] == 0' "link set group default"
# Several changes in one request.
run_ok ctl -n la link set va0 mtu 1280 address 02:00:5e:10:00:03 group 2 up
run_ok ctl -j -n la link show va0
json_check "$OUT" 'd[0]["mtu"] == 1280 and d[0]["address"] == "02:00:5e:10:00:03" and d[0]["group"] == 2 and d[0]["up"]' \
	"link set with mtu, address, group and up at once"

# master / nomaster (on va1: va0 carries macvlans, which the kernel does not let a bridge take)
br_index=$(json_get "$(ctl -j -n la link show br0)" 'd[0]["index"]')
run_ok ctl -n la link set va1 master br0
run_ok ctl -j -n la link show va1
json_check "$OUT" 'd[0]["master_index"] == '"$br_index" "link set master br0: master_index is br0's"
run_ok ipd la va1
json_check "$OUT" 'd[0].get("master") == "br0"' "ip: va1's master is br0"
run_ok ctl -j -n la link show master br0
json_check "$OUT" '[l["name"] for l in d] == ["va1"]' "link show master br0 lists va1"
run_ok ctl -n la link set va1 nomaster
run_ok ctl -j -n la link show va1
json_check "$OUT" 'd[0]["master_index"] == 0' "link set nomaster"
run_ok ctl -j -n la link show master br0
json_check "$OUT" 'd == []' "link show master br0 is empty after nomaster"
# Enslaving at creation.
run_ok ctl -n la link add vm0 master br0 type veth peer name vm1
run_ok ctl -j -n la link show vm0
json_check "$OUT" 'd[0]["master_index"] == '"$br_index" "link add master br0"

# name
run_ok ctl -n la link set vn1 name vn1r
run_fail NOT_FOUND ctl -n la link show vn1
run_ok ctl -j -n la link show vn1r
json_check "$OUT" 'd[0]["name"] == "vn1r"' "link set name renames"
run_ok in_ns la ip -br link show vn1r
expect_contains "$OUT" "vn1r" "ip sees the new name"

# netns: move a link (it leaves la and appears in lb)
vn1r_mac=$(json_get "$(ctl -j -n la link show vn1r)" 'd[0]["address"]')
run_ok ctl -n la link set vn1r netns lb
run_ok ctl -j -n la link show
json_check "$OUT" 'not any(l["name"] == "vn1r" for l in d)' "moved link is gone from la"
run_ok ctl -j -n lb link show vn1r
json_check "$OUT" 'd[0]["address"] == "'"$vn1r_mac"'"' "moved link is in lb (same MAC)"
run_ok in_ns lb ip -br link show vn1r
expect_contains "$OUT" "vn1r" "ip in lb sees the moved link"
run_ok ctl -j -n la link show vn0
json_check "$OUT" 'd[0]["link_netnsid"] >= 0' "after the move, vn0's peer is in another namespace"
# Move by path, and back by name with a rename in the same request.
run_ok ctl -n lb link set vn1r netns "$NETNS_DIR/la"
run_ok ctl -j -n la link show vn1r
json_check "$OUT" 'd[0]["name"] == "vn1r"' "moved back by path"
run_ok ctl -n la link set vn1r name vn1m netns lb
run_ok ctl -j -n lb link show vn1m
json_check "$OUT" 'd[0]["name"] == "vn1m"' "rename and move in one request"
run_fail NOT_FOUND ctl -n la link show vn1m

# What the mutations print with -j: the resource after the change.
run_ok ctl -j -n la link add vj0 type veth peer name vj1 netns lb
json_check "$OUT" 'd["name"] == "vj0" and d["kind"] == "veth" and d["index"] > 0' \
	"link add -j prints the created link with its index"
vj0_index=$(json_get "$OUT" 'd["index"]')
expect_eq "$(json_get "$(ctl -j -n la link show vj0)" 'd[0]["index"]')" "$vj0_index" "the printed index is the link's"
run_ok ctl -j -n la link set vj0 mtu 1450 up
json_check "$OUT" 'd["name"] == "vj0" and d["mtu"] == 1450 and d["up"]' "link set -j prints the link after the change"
run_ok ctl -j -n la link set vj0 netns lb name vj0m
json_check "$OUT" 'd["name"] == "vj0m" and d["link_netnsid"] == -1' \
	"link set netns -j prints the link as seen from its new namespace (its peer is local there)"
expect_eq "$(json_get "$OUT" 'd["index"]')" "$(json_get "$(ctl -j -n lb link show vj0m)" 'd[0]["index"]')" \
	"the printed index is the one in the new namespace"
run_ok ctl -j -n lb link del vj0m
expect_eq "$OUT" "{}" "link del -j prints an empty object"

# ---------------------------------------------------------------- del
run_ok ctl -n la link del vx0
run_fail NOT_FOUND ctl -n la link show vx0
run_ok ctl -j -n lb link show
json_check "$OUT" 'not any(l["name"] == "vx1" for l in d)' "deleting a veth end deletes its peer in lb"
run_ok ctl -n la link del dev ifb0
run_ok in_ns la ip -br link show
expect_not_contains "$OUT" "ifb0" "link del dev NAME: ip no longer sees ifb0"
run_ok ctl -n la link delete mv1 type macvlan
run_fail NOT_FOUND ctl -n la link show mv1

# ---------------------------------------------------------------- errors
# Interface names: nsringctl rejects bad ones itself (exit 2) before sending.
run_usage "not a valid interface name" ctl -n la link add "" type bridge
run_usage "not a valid interface name" ctl -n la link add 0123456789abcdef type bridge
run_usage "not a valid interface name" ctl -n la link add "a/b" type bridge
run_usage "not a valid interface name" ctl -n la link add "a b" type bridge
run_usage "not a valid interface name" ctl -n la link add "." type bridge
run_usage "not a valid interface name" ctl -n la link add ".." type bridge
run_usage "not a valid interface name" ctl -n la link add va9 type veth peer name "p/q"
run_usage "not a valid interface name" ctl -n la link set va0 name 0123456789abcdef
run_usage "not a valid interface name" ctl -n la link set va0 name "x y"
run_usage "not a valid interface name" ctl -n la link show "a/b"
run_usage "not a valid interface name" ctl -n la link del ""
# 15 bytes is the longest valid name.
run_ok ctl -n la link add 0123456789abcde type bridge
run_ok in_ns la ip -br link show 0123456789abcde
run_ok ctl -n la link del 0123456789abcde
# Usage errors of the grammar.
run_usage '"type" is required' ctl -n la link add xx0
run_usage 'veth needs "peer name PEER"' ctl -n la link add xx0 type veth
run_usage "not supported" ctl -n la link add xx0 type bogus
run_usage "only supported for a veth peer" ctl -n la link add xx0 netns lb type bridge
run_usage "not a link-layer address" ctl -n la link set va0 address 02:00:zz:00:00:01
run_usage 'invalid "mtu" value' ctl -n la link set va0 mtu -1
run_usage '"dev" argument is required' ctl -n la link set up
run_usage "unknown argument" ctl -n la link set va0 bogus

# Existing names.
run_fail ALREADY_EXISTS ctl -n la link add br0 type bridge
expect_err_contains "EEXIST" "ALREADY_EXISTS names the errno (EEXIST)"
expect_err_contains '"br0"' "ALREADY_EXISTS names the link"
run_fail ALREADY_EXISTS ctl -n la link add vq0 type veth peer name va0
expect_err_contains "EEXIST" "veth with an existing peer name: EEXIST"
run_fail ALREADY_EXISTS ctl -n la link add vq1 type veth peer name vu1 netns lb
expect_err_contains "EEXIST" "veth peer name taken in the peer's namespace: EEXIST"
run_fail ALREADY_EXISTS ctl -n la link add vq2 type veth peer name vq2
run_fail ALREADY_EXISTS ctl -n la link set va1 name br0
expect_err_contains "EEXIST" "rename to an existing name: EEXIST"
run_ok ctl -j -n la link show
json_check "$OUT" 'not any(l["name"].startswith("vq") for l in d)' "failed creates left nothing behind in la"
run_ok ctl -j -n lb link show
json_check "$OUT" 'not any(l["name"].startswith("vq") for l in d)' "failed creates left nothing behind in lb"

# Unknown links.
run_fail NOT_FOUND ctl -n la link show nosuchlink
expect_err_contains '"nosuchlink"' "NOT_FOUND names the link"
run_fail NOT_FOUND ctl -n la link set nosuchlink up
run_fail NOT_FOUND ctl -n la link del nosuchlink
run_fail NOT_FOUND ctl -n la link set va0 master nosuchbridge
expect_err_contains '"nosuchbridge"' "NOT_FOUND names the missing master"
run_fail NOT_FOUND ctl -n la link add xx1 master nosuchbridge type bridge
run_fail NOT_FOUND ctl -n la link set va0 netns nosuchns
expect_err_contains '"nosuchns"' "moving to a missing namespace names it"
run_fail NOT_FOUND ctl -n la link add xx2 type veth peer name xx3 netns nosuchns
run_fail NOT_FOUND ctl -n lb link show va0
run_ok ctl -j -n la link show
json_check "$OUT" 'not any(l["name"].startswith("xx") for l in d)' "failed requests left nothing behind"

# Kernel refusals carry the errno and the ext-ack text.
run_fail INVALID_ARGUMENT ctl -n la link set va0 mtu 70000
expect_err_contains "EINVAL" "too large an MTU: EINVAL"
expect_err_contains "mtu greater than device maximum" "too large an MTU: the kernel's ext-ack text"
run_fail INVALID_ARGUMENT ctl -n la link set va0 master va1
expect_err_contains 'invalid master "va1": it is a veth link, not a master' \
	"enslaving to a non-master is refused before anything is sent, naming the field"
run_fail FAILED_PRECONDITION ctl -n la link set va0 master br0
expect_err_contains "EBUSY" "enslaving a link that carries macvlans: EBUSY"
run_ok ctl -j -n la link show va0
json_check "$OUT" 'd[0]["mtu"] == 1280 and d[0]["master_index"] == 0' "refused changes left va0 as it was"

# ---------------------------------------------------------------- coalesced deletes
# DeleteLink calls that reach one namespace in the same loop turn go out as one group delete
# (faults.py pipeline sends them in one write): each call still gets its own outcome, in order.
require_faults_py
pipeline() { timeout 60 "$PY" "$LIB_DIR/faults.py" pipeline "$SOCK" "$PROTO_DIR" "$@"; }
run_ok ctl netns add lg
calls=() batch=""
for i in $(seq 0 39); do
	batch+="link add g$i type veth peer name g${i}p"$'\n'
	calls+=("del:g$i")
done
run_ok ctl -n lg -batch - <<<"$batch"
in_ns lg ip -o monitor link >"$T/monitor" 2>&1 &
MON=$!
sleep 0.2
run_ok pipeline lg "${calls[@]}"
sleep 0.2
kill "$MON"
wait "$MON" 2>/dev/null
json_check "$OUT" 'd["codes"] == ["OK"] * 40' "40 pipelined DeleteLink calls: each OK"
run_ok ctl -j -n lg link show
json_check "$OUT" '[l["name"] for l in d] == ["lo"]' "... and the 40 veth pairs are gone"
# ip prints a group above 2^31 as negative: ours start at 0xfff00000 (-1048576).
expect_true "they went through a link group (ip monitor saw them deleted in one)" \
	grep -Eq "^Deleted .* group -[0-9]{1,7} " "$T/monitor"
# A member the kernel cannot delete (lo) makes it refuse the whole group: each member is then
# deleted alone, lo goes back to its group, and a missing link is NOT_FOUND.
run_ok ctl -n lg link add gb1 type bridge
run_ok ctl -n lg link add gb2 type bridge
run_ok in_ns lg ip link set lo group 5
run_ok pipeline lg del:gb1 del-index:1 del:nosuch del:gb2
json_check "$OUT" 'd["codes"][0] == "OK" and d["codes"][1] not in ("OK", "NOT_FOUND") and d["codes"][2:] == ["NOT_FOUND", "OK"]' \
	"a group with lo and a missing link: lo fails alone, the missing one is NOT_FOUND, the rest OK"
json_check "$OUT" '"EOPNOTSUPP" in d["msgs"][1]' "lo's failure names EOPNOTSUPP"
run_ok ctl -j -n lg link show
json_check "$OUT" '[(l["name"], l["group"]) for l in d] == [("lo", 5)]' \
	"gb1 and gb2 are gone; lo is back in group 5"
run_ok in_ns lg ip link set lo group default
# The same link twice: the second is NOT_FOUND (as one after the other); a delete and a create
# of the same name: the create sees the delete done.
run_ok ctl -n lg link add gd type bridge
run_ok ctl -n lg link add ge type bridge
run_ok pipeline lg del:gd del:gd del:ge bridge:ge
json_check "$OUT" 'd["codes"] == ["OK", "NOT_FOUND", "OK", "OK"]' \
	"del x, del x, del y, create y: OK, NOT_FOUND, OK, OK"
run_ok ctl -j -n lg link show
json_check "$OUT" 'sorted(l["name"] for l in d) == ["ge", "lo"]' "ge exists again, gd is gone"
run_ok ctl netns del lg

# Deleting the namespaces while they still hold links.
run_ok ctl netns del la
run_ok ctl netns del lb
run_ok ctl -j netns list
json_check "$OUT" 'd == []' "all namespaces deleted"
