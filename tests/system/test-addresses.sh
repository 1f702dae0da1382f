#!/bin/bash
# System test: addresses. IPv4 and IPv6 add/del/show with prefix lengths and broadcast, the
# family filters, and the error paths, in namespaces the test creates.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
start_daemon

run_ok ctl netns add aa
run_ok ctl netns add ab
run_ok ctl -n aa link add ad0 type veth peer name ad1
run_ok ctl -n ab link add bd0 type ifb

# The addresses ip sees on a link, as "ADDR/PLEN" sorted (optionally with brd).
ip_addrs() {
	in_ns "$1" ip -j addr show dev "$2" |
		"$PY" -c 'import json,sys; print(" ".join(sorted("%s/%s%s" % (a["local"], a["prefixlen"], (" brd " + a["broadcast"]) if a.get("broadcast") else "") for i in json.load(sys.stdin) for a in i.get("addr_info", []) if not a["local"].startswith("fe80"))))'
}
# The addresses nsringctl shows, in the same form.
ctl_addrs() {
	ctl -j -n "$1" addr show "${@:2}" |
		"$PY" -c 'import json,sys; print(" ".join(sorted("%s/%s%s" % (a["address"], a["prefix_len"], (" brd " + a["broadcast"]) if a["broadcast"] else "") for a in json.load(sys.stdin) if not a["address"].startswith("fe80"))))'
}

# ---------------------------------------------------------------- IPv4
run_ok ctl -j -n aa addr show
json_check "$OUT" 'd == []' "no addresses at first (links down, lo down)"
run_ok ctl -n aa addr add 198.18.1.1/24 dev ad0
run_ok ctl -n aa addr add 198.18.2.1/24 dev ad0 broadcast +
run_ok ctl -n aa addr add 198.18.3.1/25 dev ad0 brd 198.18.3.100
run_ok ctl -n aa addr add 198.18.4.1 dev ad0
run_ok ctl -n aa addr add 198.18.5.1/31 dev ad0
run_ok ctl -n aa addr add 198.18.6.1/16 dev ad0
run_ok ctl -n aa addr add local 198.18.7.1/0 dev ad0
run_ok ctl -n aa a a 198.19.255.254/15 dev ad1
want4="198.18.1.1/24 198.18.2.1/24 brd 198.18.2.255 198.18.3.1/25 brd 198.18.3.100 198.18.4.1/32 198.18.5.1/31 198.18.6.1/16 198.18.7.1/0"
expect_eq "$(ip_addrs aa ad0)" "$want4" "ip sees the IPv4 addresses on ad0 (prefix lengths and broadcasts)"
expect_eq "$(ctl_addrs aa ad0)" "$want4" "nsringctl addr show ad0 shows the same"
run_ok ctl -j -n aa addr show dev ad0
json_check "$OUT" 'all(a["link_name"] == "ad0" for a in d)' "addr show dev ad0 lists only ad0's"
ad0_index=$(json_get "$(ctl -j -n aa link show ad0)" 'd[0]["index"]')
json_check "$OUT" 'all(a["link_index"] == '"$ad0_index"' for a in d)' "JSON link_index is ad0's index"
json_check "$OUT" '[a for a in d if a["address"] == "198.18.2.1"][0]["broadcast"] == "198.18.2.255"' \
	"JSON broadcast of 'broadcast +'"
json_check "$OUT" '[a for a in d if a["address"] == "198.18.1.1"][0]["broadcast"] == ""' \
	"JSON broadcast is empty when none was given"
json_check "$OUT" 'all(a["scope"] == 0 for a in d)' "JSON scope is global (0)"
json_check "$OUT" 'all(isinstance(a["prefix_len"], int) and isinstance(a["flags"], int) for a in d)' \
	"JSON prefix_len and flags are integers"
run_ok ctl -n aa addr show ad0
expect_contains "$OUT" "198.18.2.1/24" "text addr show prints ADDR/PLEN"
expect_contains "$OUT" "198.18.2.255" "text addr show prints the broadcast"
expect_contains "$OUT" "global" "text addr show prints the scope"
expect_eq "$(ctl_addrs aa ad1)" "198.19.255.254/15" "ad1 has its address (abbreviated 'a a')"

# The same address on another link is fine; twice on one link is not.
run_ok ctl -n aa addr add 198.18.1.1/24 dev ad1
run_fail ALREADY_EXISTS ctl -n aa addr add 198.18.1.1/24 dev ad0
expect_err_contains "EEXIST" "duplicate IPv4 address: EEXIST"
expect_err_contains "198.18.1.1/24" "duplicate IPv4 address: the message names the address"
expect_err_contains '"ad0"' "duplicate IPv4 address: the message names the link"

# Delete.
run_ok ctl -n aa addr del 198.18.1.1/24 dev ad1
expect_eq "$(ip_addrs aa ad1)" "198.19.255.254/15" "addr del removed 198.18.1.1 from ad1"
expect_eq "$(ip_addrs aa ad0 | grep -c 198.18.1.1/24)" 1 "and left ad0's 198.18.1.1 alone"
run_ok ctl -n aa addr delete 198.18.4.1/32 dev ad0
run_ok ctl -n aa addr del 198.18.3.1/25 dev ad0
expect_eq "$(ip_addrs aa ad0)" "198.18.1.1/24 198.18.2.1/24 brd 198.18.2.255 198.18.5.1/31 198.18.6.1/16 198.18.7.1/0" \
	"ip: the deleted IPv4 addresses are gone"
run_fail NOT_FOUND ctl -n aa addr del 198.18.4.1/32 dev ad0
expect_err_contains "EADDRNOTAVAIL" "deleting a missing IPv4 address names the errno"
expect_err_contains "Address not found" "deleting a missing IPv4 address carries the kernel's text"
run_fail NOT_FOUND ctl -n aa addr del 198.18.1.1/25 dev ad0
expect_err_contains "198.18.1.1/25" "deleting with the wrong prefix length: not found, named"

# ---------------------------------------------------------------- IPv6
run_ok ctl -n aa addr add 2001:db8::1/64 dev ad0
run_ok ctl -n aa addr add 2001:db8:1::1 dev ad0
run_ok ctl -n aa addr add 2001:db8:2::1/48 dev ad0
run_ok ctl -n aa addr add 2001:db8:3::1/127 dev ad0
run_ok ctl -n aa addr add 2001:DB8:4:0::1/96 dev ad0
want6="2001:db8:1::1/128 2001:db8:2::1/48 2001:db8:3::1/127 2001:db8:4::1/96 2001:db8::1/64"
expect_eq "$(ctl_addrs aa ad0 | tr ' ' '\n' | grep : | tr '\n' ' ' | sed 's/ $//')" "$want6" \
	"nsringctl shows the IPv6 addresses with their prefix lengths (canonical text)"
expect_eq "$(in_ns aa ip -6 -j addr show dev ad0 | "$PY" -c 'import json,sys; print(" ".join(sorted("%s/%s" % (a["local"], a["prefixlen"]) for i in json.load(sys.stdin) for a in i["addr_info"])))')" \
	"$want6" "ip sees the same IPv6 addresses"
run_fail ALREADY_EXISTS ctl -n aa addr add 2001:db8::1/64 dev ad0
expect_err_contains "EEXIST" "duplicate IPv6 address: EEXIST"
run_ok ctl -n aa addr del 2001:db8:3::1/127 dev ad0
run_ok ctl -n aa addr del 2001:db8:4::1/96 dev ad0
run_fail NOT_FOUND ctl -n aa addr del 2001:db8:3::1/127 dev ad0
expect_err_contains "EADDRNOTAVAIL" "deleting a missing IPv6 address names the errno"
run_fail NOT_FOUND ctl -n aa addr del 2001:db8::1/65 dev ad0
expect_eq "$(in_ns aa ip -6 -j addr show dev ad0 | "$PY" -c 'import json,sys; print(" ".join(sorted("%s/%s" % (a["local"], a["prefixlen"]) for i in json.load(sys.stdin) for a in i["addr_info"])))')" \
	"2001:db8:1::1/128 2001:db8:2::1/48 2001:db8::1/64" "ip: the deleted IPv6 addresses are gone"

# ---------------------------------------------------------------- show and filters
run_ok ctl -j -n aa -4 addr show
json_check "$OUT" 'len(d) > 0 and all(":" not in a["address"] for a in d)' "-4 addr show: IPv4 only"
run_ok ctl -j -n aa -6 addr show
json_check "$OUT" 'len(d) > 0 and all(":" in a["address"] for a in d)' "-6 addr show: IPv6 only"
run_ok ctl -j -n aa addr show
json_check "$OUT" 'set(a["link_name"] for a in d) == {"ad0", "ad1"}' "addr show lists every link's"
run_ok ctl -j -n aa addr
json_check "$OUT" 'len(d) > 0' "'addr' alone is addr show"
run_ok ctl -j -n aa addr show ad1
json_check "$OUT" '[a["address"] for a in d] == ["198.19.255.254"]' "addr show NAME filters by link"
# Another namespace's addresses are its own.
run_ok ctl -j -n ab addr show
json_check "$OUT" 'd == []' "namespace ab has no addresses"
run_ok ctl -n ab addr add 198.18.1.1/24 dev bd0
run_ok ctl -j -n ab addr show
json_check "$OUT" '[(a["link_name"], a["address"]) for a in d] == [("bd0", "198.18.1.1")]' \
	"the same address in another namespace is independent"
# On lo.
run_ok ctl -n ab addr add 198.18.9.9/32 dev lo
run_ok ctl -n ab addr add 2001:db8:9::9/128 dev lo
run_ok in_ns ab ip -br addr show dev lo
expect_contains "$OUT" "198.18.9.9/32" "ip: lo has 198.18.9.9/32"
# Link-local addresses appear once the link is up, with scope link.
run_ok ctl -n aa link set ad0 up
run_ok ctl -n aa link set ad1 up
for ((i = 0; i < 100; i++)); do
	ctl -j -n aa -6 addr show ad0 | grep -q '"fe80' && break
	sleep 0.05
done
run_ok ctl -j -n aa -6 addr show ad0
json_check "$OUT" 'any(a["address"].startswith("fe80:") and a["scope"] == 253 and a["prefix_len"] == 64 for a in d)' \
	"an up link gets a link-local fe80::/64 address with scope link (253)"
run_ok ctl -n aa -6 addr show ad0
expect_contains "$OUT" "link" "text addr show prints scope link"

# Deleting a link deletes its addresses.
run_ok ctl -n aa link add ad2 type ifb
run_ok ctl -n aa addr add 198.18.20.1/24 dev ad2
run_ok ctl -n aa addr add 2001:db8:20::1/64 dev ad2
run_ok ctl -n aa link del ad2
run_ok ctl -j -n aa addr show
json_check "$OUT" 'not any(a["address"] in ("198.18.20.1", "2001:db8:20::1") for a in d)' \
	"the deleted link's addresses are gone"

# ---------------------------------------------------------------- errors
run_usage "invalid prefix length" ctl -n aa addr add 198.18.1.2/33 dev ad0
run_usage "invalid prefix length" ctl -n aa addr add 2001:db8::2/129 dev ad0
run_usage "invalid prefix length" ctl -n aa addr add 198.18.1.2/-1 dev ad0
run_usage "invalid prefix length" ctl -n aa addr add 198.18.1.2/ dev ad0
run_usage "invalid prefix length" ctl -n aa addr add 198.18.1.2/abc dev ad0
run_usage "invalid prefix length" ctl -n aa addr del 2001:db8::1/200 dev ad0
run_usage "is not an IP address" ctl -n aa addr add 198.18.1.256/24 dev ad0
run_usage "is not an IP address" ctl -n aa addr add bogus dev ad0
run_usage '"dev" argument is required' ctl -n aa addr add 198.18.1.2/24
run_usage "ADDRESS/PLEN is required" ctl -n aa addr add dev ad0
run_usage "only for IPv4" ctl -n aa addr add 2001:db8::5/64 dev ad0 broadcast +
run_usage "broadcast must be an IPv4" ctl -n aa addr add 198.18.1.5/24 dev ad0 broadcast 2001:db8::1
run_usage "prefix length below 31" ctl -n aa addr add 198.18.1.5/31 dev ad0 broadcast +
run_usage "is not an IPv4 address" ctl -n aa -4 addr add 2001:db8::5/64 dev ad0
run_usage "not a valid interface name" ctl -n aa addr add 198.18.1.5/24 dev 0123456789abcdef
run_fail NOT_FOUND ctl -n aa addr add 198.18.1.2/24 dev nosuchdev
expect_err_contains '"nosuchdev"' "unknown dev: the message names it"
run_fail NOT_FOUND ctl -n aa addr del 198.18.1.1/24 dev nosuchdev
run_fail NOT_FOUND ctl -n aa addr show dev nosuchdev
run_fail NOT_FOUND ctl -n aa addr add 2001:db8::7/64 dev nosuchdev
run_fail NOT_FOUND ctl -n nosuchns addr add 198.18.1.2/24 dev ad0
# Nothing of the above changed ad0.
expect_eq "$(ip_addrs aa ad0)" "198.18.1.1/24 198.18.2.1/24 brd 198.18.2.255 198.18.5.1/31 198.18.6.1/16 198.18.7.1/0 2001:db8:1::1/128 2001:db8:2::1/48 2001:db8::1/64" \
	"the failed requests left ad0's addresses as they were"

run_ok ctl netns del aa
run_ok ctl netns del ab
