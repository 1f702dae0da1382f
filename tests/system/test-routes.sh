#!/bin/bash
# System test: routes. IPv4 and IPv6 add (via, dev only, default), replace, del, show with
# tables, metrics, route types, and the error paths, in namespaces the test creates.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
start_daemon

run_ok ctl netns add ra
# Two up links with addresses: r0 (198.18.0.0/24, 2001:db8::/64) and r2 (198.18.1.0/24).
run_ok ctl -n ra link add r0 up type veth peer name r1
run_ok ctl -n ra link add r2 up type veth peer name r3
run_ok ctl -n ra link add rd type ifb
run_ok ctl -n ra addr add 198.18.0.1/24 dev r0
run_ok ctl -n ra addr add 198.18.1.1/24 dev r2
run_ok ctl -n ra addr add 2001:db8::1/64 dev r0
run_ok ctl -n ra addr add 2001:db8:1::1/64 dev r2
# IPv6 gateways need the prefix route, which exists at once; DAD does not matter for routes.

# A route JSON predicate over `nsringctl -j route show ARGS`: has_route 'EXPR' DESC [ARGS...]
has_route() {
	local expr=$1 desc=$2
	shift 2
	run ctl -j -n ra route show "$@"
	json_check "$OUT" "any($expr for r in d)" "$desc"
}
no_route() {
	local expr=$1 desc=$2
	shift 2
	run ctl -j -n ra route show "$@"
	json_check "$OUT" "not any($expr for r in d)" "$desc"
}

# ---------------------------------------------------------------- IPv4 add
run_ok ctl -n ra route add 198.18.5.0/24 via 198.18.0.2
has_route 'r["destination"] == "198.18.5.0/24" and r["gateway"] == "198.18.0.2" and r["dev"] == "r0" and r["table"] == 254 and r["family"] == 4' \
	"IPv4 route via a gateway: dev r0 resolved by the kernel, table main"
run_ok in_ns ra ip route show 198.18.5.0/24
expect_contains "$OUT" "198.18.5.0/24 via 198.18.0.2 dev r0" "ip sees the IPv4 route via 198.18.0.2"
run_ok ctl -n ra route add 198.18.6.0/24 dev r2
has_route 'r["destination"] == "198.18.6.0/24" and r["gateway"] == "" and r["dev"] == "r2" and r["scope"] == 253' \
	"IPv4 dev-only route has scope link"
run_ok in_ns ra ip route show 198.18.6.0/24
expect_contains "$OUT" "198.18.6.0/24 dev r2" "ip sees the dev-only route"
expect_contains "$OUT" "scope link" "ip: the dev-only route has scope link"
run_ok ctl -n ra route add 198.18.7.0/24 via 198.18.1.2 dev r2 metric 100
has_route 'r["destination"] == "198.18.7.0/24" and r["metric"] == 100 and r["dev"] == "r2"' "IPv4 route with metric 100"
run_ok in_ns ra ip route show 198.18.7.0/24
expect_contains "$OUT" "metric 100" "ip sees metric 100"
run_ok ctl -n ra route add 198.18.8.1 via 198.18.0.2
has_route 'r["destination"] == "198.18.8.1/32"' "a destination without a length is a host route (/32)"
run_ok ctl -n ra route add default via 198.18.0.254
has_route 'r["destination"] in ("", "default") and r["family"] == 4 and r["gateway"] == "198.18.0.254"' \
	"IPv4 default route via 198.18.0.254"
run_ok in_ns ra ip -4 route show default
expect_contains "$OUT" "default via 198.18.0.254 dev r0" "ip sees the IPv4 default route"
run_ok ctl -n ra route add 198.18.9.0/24 via 198.18.0.2 src 198.18.0.1 proto static
has_route 'r["destination"] == "198.18.9.0/24" and r["prefsrc"] == "198.18.0.1" and r["protocol"] == 4' \
	"route with src and proto static"
run_ok ctl -n ra route add 198.18.10.0/24 dev r0 scope host
has_route 'r["destination"] == "198.18.10.0/24" and r["scope"] == 254' "route with scope host"
run_ok ctl -n ra route add blackhole 198.18.11.0/24
has_route 'r["destination"] == "198.18.11.0/24" and r["type"] == 6' "blackhole route (type 6)"
run_ok ctl -n ra route show
expect_contains "$OUT" "blackhole 198.18.11.0/24" "text route show prints the route type"
run_ok in_ns ra ip route show 198.18.11.0/24
expect_contains "$OUT" "blackhole 198.18.11.0/24" "ip sees the blackhole route"
run_ok ctl -n ra route add unreachable 198.18.12.0/24
run_ok ctl -n ra route add prohibit 198.18.13.0/24
run_ok in_ns ra ip route show
expect_contains "$OUT" "unreachable 198.18.12.0/24" "ip sees the unreachable route"
expect_contains "$OUT" "prohibit 198.18.13.0/24" "ip sees the prohibit route"

# ---------------------------------------------------------------- IPv6 add
run_ok ctl -n ra route add 2001:db8:5::/48 via 2001:db8::2
has_route 'r["destination"] == "2001:db8:5::/48" and r["gateway"] == "2001:db8::2" and r["dev"] == "r0" and r["family"] == 6' \
	"IPv6 route via a gateway"
run_ok in_ns ra ip -6 route show 2001:db8:5::/48
expect_contains "$OUT" "2001:db8:5::/48 via 2001:db8::2 dev r0" "ip sees the IPv6 route"
run_ok ctl -n ra route add 2001:db8:6::/48 dev r2 metric 77
has_route 'r["destination"] == "2001:db8:6::/48" and r["gateway"] == "" and r["dev"] == "r2" and r["metric"] == 77' \
	"IPv6 dev-only route with metric 77"
run_ok ctl -n ra route add 2001:db8:7::/48 dev r0
has_route 'r["destination"] == "2001:db8:7::/48" and r["metric"] == 1024' "IPv6 route without metric: the kernel's 1024"
run_ok ctl -n ra route add default via 2001:db8::fe
has_route 'r["destination"] in ("", "default") and r["family"] == 6 and r["gateway"] == "2001:db8::fe"' \
	"IPv6 default route (family from the gateway)"
run_ok in_ns ra ip -6 route show default
expect_contains "$OUT" "default via 2001:db8::fe dev r0" "ip sees the IPv6 default route"
run_ok ctl -n ra route add 2001:db8:8::1 via inet6 2001:db8::2
has_route 'r["destination"] == "2001:db8:8::1/128"' "IPv6 host route (/128), 'via inet6 GW'"

# ---------------------------------------------------------------- show, filters, tables
run_ok ctl -n ra route show
expect_contains "$OUT" "DESTINATION" "text route show prints a header"
expect_contains "$OUT" "198.18.5.0/24" "text route show lists IPv4 routes"
expect_contains "$OUT" "2001:db8:5::/48" "text route show lists IPv6 routes"
run_ok ctl -j -n ra -4 route show
json_check "$OUT" 'len(d) > 0 and all(r["family"] == 4 for r in d)' "-4 route show: IPv4 only"
run_ok ctl -j -n ra -6 route show
json_check "$OUT" 'len(d) > 0 and all(r["family"] == 6 for r in d)' "-6 route show: IPv6 only"
run_ok ctl -j -n ra route show
json_check "$OUT" 'all(r["table"] == 254 for r in d)' "route show: the main table only"
json_check "$OUT" 'any(r["destination"] == "198.18.0.0/24" and r["protocol"] == 2 and r["prefsrc"] == "198.18.0.1" for r in d)' \
	"route show includes the kernel's prefix route with its src"
json_check "$OUT" 'all(k in r for r in d for k in ("destination", "family", "gateway", "dev", "dev_index", "table", "metric", "protocol", "type"))' \
	"JSON routes carry every field"

run_ok ctl -n ra route add 198.18.20.0/24 dev r0 table 100 metric 5
run_ok ctl -n ra route add 198.18.21.0/24 via 198.18.1.2 table 100
run_ok ctl -n ra route add 2001:db8:20::/48 dev r0 table 100
run_ok ctl -j -n ra route show table 100
json_check "$OUT" 'sorted(r["destination"] for r in d) == ["198.18.20.0/24", "198.18.21.0/24", "2001:db8:20::/48"]' \
	"route show table 100 lists exactly table 100's routes"
json_check "$OUT" 'all(r["table"] == 100 for r in d)' "table 100's routes say table 100"
json_check "$OUT" '[r for r in d if r["destination"] == "198.18.20.0/24"][0]["metric"] == 5' "metric in table 100"
run_ok ctl -n ra route show table 100
expect_contains "$OUT" "198.18.20.0/24" "text route show table 100"
run_ok in_ns ra ip route show table 100
expect_contains "$OUT" "198.18.20.0/24 dev r0" "ip sees the route in table 100"
no_route 'r["destination"] == "198.18.20.0/24"' "route show (main) does not list table 100's routes"
run_ok ctl -j -n ra route show table all
json_check "$OUT" 'set(r["table"] for r in d) >= {100, 254, 255}' "route show table all lists tables 100, main and local"
json_check "$OUT" 'any(r["destination"] == "198.18.20.0/24" for r in d) and any(r["destination"] == "198.18.5.0/24" for r in d)' \
	"route show table all has table 100's and main's routes"
run_ok ctl -j -n ra route show table local
json_check "$OUT" 'len(d) > 0 and all(r["table"] == 255 for r in d)' "route show table local"
json_check "$OUT" 'any(r["destination"] == "198.18.0.1/32" and r["type"] == 2 for r in d)' \
	"table local holds the local route of 198.18.0.1"
run_ok ctl -j -n ra -6 route show table 100
json_check "$OUT" '[r["destination"] for r in d] == ["2001:db8:20::/48"]' "-6 route show table 100"
run_ok ctl -j -n ra route show table 4242
json_check "$OUT" 'd == []' "an empty table lists nothing"

# ---------------------------------------------------------------- replace
run_ok ctl -n ra route add 198.18.30.0/24 via 198.18.0.2 metric 10
run_ok ctl -n ra route replace 198.18.30.0/24 via 198.18.1.2 metric 10
has_route 'r["destination"] == "198.18.30.0/24" and r["gateway"] == "198.18.1.2" and r["dev"] == "r2" and r["metric"] == 10' \
	"route replace changed the gateway (and so the dev)"
run ctl -j -n ra route show
json_check "$OUT" 'len([r for r in d if r["destination"] == "198.18.30.0/24"]) == 1' "replace left one route"
run_ok in_ns ra ip route show 198.18.30.0/24
expect_eq "$(sed 's/ *$//' <<<"$OUT")" "198.18.30.0/24 via 198.18.1.2 dev r2 metric 10" "ip sees the replaced route"
run_ok ctl -n ra route replace 198.18.30.0/24 dev r0 metric 10
has_route 'r["destination"] == "198.18.30.0/24" and r["gateway"] == "" and r["dev"] == "r0" and r["metric"] == 10' \
	"route replace to a dev-only route"
# The metric is part of a route's identity: replace with another metric adds one (as ip does).
run_ok ctl -n ra route replace 198.18.30.0/24 via 198.18.0.3 metric 20
run ctl -j -n ra route show
json_check "$OUT" 'sorted((r["metric"], r["gateway"]) for r in d if r["destination"] == "198.18.30.0/24") == [(10, ""), (20, "198.18.0.3")]' \
	"replace with another metric: routes with metrics 10 and 20"
# Replace of a route that does not exist creates it.
run_ok ctl -n ra route replace 198.18.31.0/24 via 198.18.0.2 metric 7
has_route 'r["destination"] == "198.18.31.0/24" and r["metric"] == 7' "route replace creates a missing route"
run_ok ctl -n ra route replace 198.18.20.0/24 via 198.18.0.9 table 100 metric 5
has_route 'r["destination"] == "198.18.20.0/24" and r["gateway"] == "198.18.0.9" and r["table"] == 100' \
	"route replace in table 100" table 100
run ctl -j -n ra route show table 100
json_check "$OUT" 'len([r for r in d if r["destination"] == "198.18.20.0/24"]) == 1' "replace in table 100 left one route"
# IPv6 replace.
run_ok ctl -n ra route replace 2001:db8:5::/48 via 2001:db8:1::2
has_route 'r["destination"] == "2001:db8:5::/48" and r["gateway"] == "2001:db8:1::2" and r["dev"] == "r2"' \
	"IPv6 route replace changed the gateway"
run ctl -j -n ra -6 route show
json_check "$OUT" 'len([r for r in d if r["destination"] == "2001:db8:5::/48"]) == 1' "IPv6 replace left one route"
run_ok ctl -n ra route replace default via 198.18.1.254
has_route 'r["destination"] in ("", "default") and r["family"] == 4 and r["gateway"] == "198.18.1.254"' \
	"replace of the IPv4 default route"
run ctl -j -n ra -4 route show
json_check "$OUT" 'len([r for r in d if r["destination"] in ("", "default")]) == 1' "one IPv4 default route after replace"

# ---------------------------------------------------------------- del
run_ok ctl -n ra route del 198.18.5.0/24
no_route 'r["destination"] == "198.18.5.0/24"' "route del removed 198.18.5.0/24"
run_ok in_ns ra ip route show 198.18.5.0/24
expect_eq "$OUT" "" "ip no longer sees 198.18.5.0/24"
run_ok ctl -n ra route del 198.18.30.0/24 metric 20
has_route 'r["destination"] == "198.18.30.0/24" and r["metric"] == 10' "route del metric 20 kept the metric-10 route"
no_route 'r["destination"] == "198.18.30.0/24" and r["metric"] == 20' "route del metric 20 removed that one"
run_fail NOT_FOUND ctl -n ra route del 198.18.30.0/24 via 198.18.0.77 metric 10
expect_err_contains "ESRCH" "del with a non-matching gateway: ESRCH"
run_ok ctl -n ra route del 198.18.30.0/24 dev r0 metric 10
no_route 'r["destination"] == "198.18.30.0/24"' "route del with dev and metric"
run_ok ctl -n ra route del 198.18.20.0/24 table 100 metric 5
no_route 'r["destination"] == "198.18.20.0/24"' "route del in table 100" table 100
run_ok ctl -n ra route del 2001:db8:6::/48 metric 77
no_route 'r["destination"] == "2001:db8:6::/48"' "IPv6 route del with metric"
run_ok ctl -n ra route del 2001:db8:5::/48
no_route 'r["destination"] == "2001:db8:5::/48"' "IPv6 route del"
run_ok ctl -n ra route del default via 2001:db8::fe
no_route 'r["destination"] in ("", "default") and r["family"] == 6' "IPv6 default route deleted (family from the gateway)"
run_ok ctl -n ra route del default
no_route 'r["destination"] in ("", "default") and r["family"] == 4' "IPv4 default route deleted ('default' is IPv4)"
run_ok ctl -n ra route del blackhole 198.18.11.0/24
no_route 'r["destination"] == "198.18.11.0/24"' "blackhole route deleted"
run_ok ctl -n ra route add default via 2001:db8::fe
run_ok ctl -n ra -6 route del default
no_route 'r["destination"] in ("", "default") and r["family"] == 6' "-6 route del default"

# ---------------------------------------------------------------- errors
run_fail ALREADY_EXISTS ctl -n ra route add 198.18.7.0/24 via 198.18.1.2 dev r2 metric 100
expect_err_contains "EEXIST" "duplicate IPv4 route: EEXIST"
expect_err_contains "198.18.7.0/24" "duplicate route: the message names the destination"
run_fail ALREADY_EXISTS ctl -n ra route add 2001:db8:7::/48 dev r0
expect_err_contains "EEXIST" "duplicate IPv6 route: EEXIST"
run_fail ALREADY_EXISTS ctl -n ra route add 198.18.21.0/24 via 198.18.1.2 table 100
run_fail NOT_FOUND ctl -n ra route del 198.18.99.0/24
expect_err_contains "ESRCH" "deleting a missing IPv4 route: ESRCH"
expect_err_contains "198.18.99.0/24" "deleting a missing route: the message names it"
run_fail NOT_FOUND ctl -n ra route del 2001:db8:99::/48
expect_err_contains "ESRCH" "deleting a missing IPv6 route: ESRCH"
run_fail NOT_FOUND ctl -n ra route del 198.18.7.0/24 metric 101
run_fail NOT_FOUND ctl -n ra route del 198.18.21.0/24
expect_err_contains "ESRCH" "deleting from main a route that lives in table 100: ESRCH"

# Unreachable gateways: the kernel's errno and ext-ack text.
run ctl -n ra route add 198.18.40.0/24 via 198.18.99.1
expect_eq "$RC" 1 "IPv4 route via an unreachable gateway fails (exit 1)"
expect_err_contains "ENETUNREACH" "unreachable IPv4 gateway: ENETUNREACH"
expect_err_contains "Nexthop has invalid gateway" "unreachable IPv4 gateway: the kernel's ext-ack text"
expect_err_contains "198.18.40.0/24" "unreachable gateway: the message names the route"
run ctl -n ra route add 198.18.41.0/24 via 198.18.99.1 dev r0
expect_eq "$RC" 1 "IPv4 route via an off-link gateway on dev r0 fails"
expect_err_contains "ENETUNREACH" "off-link gateway on dev r0: ENETUNREACH"
run ctl -n ra route add 2001:db8:40::/48 via 2001:db8:99::1
expect_eq "$RC" 1 "IPv6 route via an unreachable gateway fails (exit 1)"
expect_true "unreachable IPv6 gateway: EHOSTUNREACH or ENETUNREACH" \
	grep -qE 'EHOSTUNREACH|ENETUNREACH' <<<"$ERR"
# A gateway on a link that is down.
run_ok ctl -n ra addr add 198.18.50.1/24 dev rd
run ctl -n ra route add 198.18.51.0/24 via 198.18.50.2
expect_eq "$RC" 1 "a gateway behind a down link fails"
expect_err_contains "ENETUNREACH" "a gateway behind a down link: ENETUNREACH"
no_route 'r["destination"] in ("198.18.40.0/24", "198.18.41.0/24", "2001:db8:40::/48", "198.18.51.0/24")' \
	"the refused routes do not exist"

# Other kernel refusals: EINVAL with the kernel's text.
run_fail INVALID_ARGUMENT ctl -n ra route add 198.18.65.1/24 dev r0
expect_err_contains "Invalid prefix for given prefix length" "host bits in an IPv4 destination: the kernel's ext-ack text"
run_fail INVALID_ARGUMENT ctl -n ra route add 198.18.66.0/24 dev r0 src 198.18.99.99
expect_err_contains "Invalid prefsrc address" "a src that is not local: the kernel's ext-ack text"

# ip puts routes of type local (and broadcast, nat, anycast) in table local unless told otherwise.
run_ok ctl -n ra route add local 198.18.67.0/24 dev r0
has_route 'r["destination"] == "198.18.67.0/24" and r["type"] == 2 and r["table"] == 255' \
	"route add local PREFIX goes to table local, as with ip" table all
run ctl -n ra route del local 198.18.67.0/24 dev r0 table local
run ctl -n ra route del local 198.18.67.0/24 dev r0
no_route 'r["destination"] == "198.18.67.0/24"' "the local route is deleted again" table all

run_fail NOT_FOUND ctl -n ra route add 198.18.60.0/24 dev nosuchdev
expect_err_contains '"nosuchdev"' "unknown dev: the message names it"
run_fail NOT_FOUND ctl -n ra route del 198.18.6.0/24 dev nosuchdev
run_fail NOT_FOUND ctl -n nosuchns route show
run_usage "IPv4 but the destination is IPv6" ctl -n ra route add 2001:db8:61::/48 via 198.18.0.2
run_usage "not an IP address" ctl -n ra route add 198.18.62.0/24 via bogus
run_usage "invalid prefix length" ctl -n ra route add 198.18.63.0/33 dev r0
run_usage "invalid prefix length" ctl -n ra route add 2001:db8:63::/129 dev r0
run_usage "a destination (or \"default\") is required" ctl -n ra route add via 198.18.0.2
run_usage 'invalid "table" value' ctl -n ra route add 198.18.64.0/24 dev r0 table bogus
run_usage 'invalid "metric" value' ctl -n ra route add 198.18.64.0/24 dev r0 metric x
run_usage "unknown argument" ctl -n ra route show bogus
run_usage "is not IPv6" ctl -n ra -6 route add default via 198.18.0.2

run_ok ctl netns del ra
