#!/bin/bash
# System test: the Batch RPC through nsringctl -batch. Wiring containers in one call (a link
# named by later operations of the same batch), stop-on-error versus -force, per-line errors,
# coalesced deletes (a run of deletes in one namespace becomes one group delete), batches of
# namespace creation and deletion, and real traffic through what a batch built.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
require_ping
start_daemon

B=$T/batch
N=20

# Host namespace with a bridge, in one batch that creates the namespace first.
cat >"$B.host" <<EOF
netns add bh
-n bh link add bbr up type bridge
-n bh addr add 198.18.0.1/16 dev bbr
EOF
run_ok ctl -batch "$B.host"
run_ok ctl -j -n bh link show bbr
json_check "$OUT" 'd[0]["kind"] == "bridge" and d[0]["up"]' "the bridge exists and is up"

# N containers wired in one batch: every operation after the first names links the batch
# created (the host end, and eth0 which was created as the veth's peer in another namespace).
: >"$B.wire"
for i in $(seq 0 $((N - 1))); do
	cat >>"$B.wire" <<EOF
netns add bc$i
-n bh link add bh$i type veth peer name eth0 netns bc$i
-n bh link set bh$i master bbr up
-n bc$i addr add 198.18.1.$i/16 dev eth0
-n bc$i link set eth0 up
-n bc$i link set lo up
-n bc$i route add default via 198.18.0.1
EOF
done
run_ok ctl -batch "$B.wire"
expect_eq "$OUT" "" "a successful batch prints nothing (like ip -batch)"
run_ok ctl -j -n bh link show master bbr
json_check "$OUT" "len(d) == $N and all(l['up'] for l in d)" "$N host ends enslaved and up"
run_ok ctl -j -n bc7 addr show dev eth0
json_check "$OUT" 'any(a["address"] == "198.18.1.7" and a["prefix_len"] == 16 for a in d)' \
	"container 7 has its address"
run_ok ctl -j -n bc7 route show
json_check "$OUT" 'any(r["destination"] == "default" and r["gateway"] == "198.18.0.1" for r in d)' \
	"container 7 has its default route"
run_ok in_ns bc3 ping -c 1 -W 2 198.18.1.11
run_ok in_ns bc3 ping -c 1 -W 2 198.18.0.1

# Stop on error (the default): the failing line is reported with its number, later lines of
# the same namespace do not run.
printf '%s\n' '-n bh link add e0 type bridge' '-n bh link add e0 type bridge' \
	'-n bh link add e1 type bridge' >"$B.stop"
run_fail ALREADY_EXISTS ctl -batch "$B.stop"
expect_err_contains "line 2"
expect_err_contains "EEXIST"
run_fail NOT_FOUND ctl -n bh link show e1
# -force: everything runs, each failure reported.
printf '%s\n' '-n bh link add f0 type bridge' '-n bh link add f0 type bridge' \
	'-n bh link add f1 type bridge' '-n bh link del nope0' >"$B.force"
run_fail ALREADY_EXISTS ctl -batch "$B.force" -force
expect_err_contains "line 2"
expect_err_contains "NOT_FOUND: line 4"
run_ok ctl -n bh link show f1

# A line that does not parse stops the batch before anything is sent (usage error, exit 2).
printf '%s\n' '-n bh link add g0 type bridge' 'link frobnicate' >"$B.bad"
run_usage "line 2" ctl -batch "$B.bad"
run_fail NOT_FOUND ctl -n bh link show g0
# Listing commands are not batched.
printf '%s\n' '-n bh link show' >"$B.show"
run_usage "cannot be batched" ctl -batch "$B.show"
# Input from stdin.
run_ok bash -c "printf '%s\n' '-n bh link add h0 type bridge' | timeout 30 '$NSRINGCTL' -s '$SOCK' -batch -"
run_ok ctl -n bh link show h0

# -force (CONTINUE) pipelines a namespace's operations: each goes out right behind the previous
# one's requests. The name map must stay right when a link is deleted and made again, renamed,
# or named before its creation has answered.
printf '%s\n' 'netns add bp' \
	'-n bp link add p0 type veth peer name p1' '-n bp address add 198.18.9.1/24 dev p0' \
	'-n bp link del p0' '-n bp link add p0 type veth peer name p1' \
	'-n bp address add 198.18.9.2/24 dev p0' '-n bp link set p0 up' \
	'-n bp link set p1 name p9' '-n bp address add 198.18.10.1/24 dev p9' \
	'-n bp link set p9 up' '-n bp route add 198.18.11.0/24 via 198.18.10.2' \
	'-n bp route add 198.18.12.0/24 dev p0' '-n bp route del 198.18.12.0/24 dev p0' \
	'-n bp link add p0 type bridge' '-n bp address add 198.18.9.3/24 dev p0' \
	'netns add bq' '-n bp link add q0 type veth peer name q1 netns bq' \
	'-n bp link set q0 up' '-n bq address add 198.18.13.1/24 dev q1' '-n bq link set q1 up' \
	'-n bp link add q2 type veth peer name q3 netns bq' '-n bq address add 198.18.14.1/24 dev q3' \
	>"$B.pipe"
run_fail ALREADY_EXISTS ctl -batch "$B.pipe" -force
expect_err_contains "line 14"
expect_not_contains "$ERR" "line 15" "the op after a failed one in the same namespace still ran"
expect_not_contains "$ERR" "line 2" "no other line failed"
run_ok ctl -j -n bq address show
json_check "$OUT" 'sorted(a["address"] for a in d if ":" not in a["address"]) == ["198.18.13.1", "198.18.14.1"]' \
	"addresses on veth peers made from another namespace in the same batch"
run_ok ctl -j -n bp address show dev p0
json_check "$OUT" '[a["address"] for a in d if ":" not in a["address"]] == ["198.18.9.2", "198.18.9.3"]' \
	"p0 (made again) has the addresses given after its re-creation only"
run_ok ctl -j -n bp address show dev p9
json_check "$OUT" '[a["address"] for a in d if ":" not in a["address"]] == ["198.18.10.1"]' \
	"the renamed peer got its address by its new name"
run_ok ctl -j -n bp route show
json_check "$OUT" 'sorted(r["destination"] for r in d if r["destination"].startswith("198.18.1")) == ["198.18.10.0/24", "198.18.11.0/24"]' \
	"routes added and deleted in order"
: >"$B.pipe2"
for i in $(seq 1 500); do
	echo "-n bp route add 198.19.$((i / 250)).$((i % 250))/32 dev p0" >>"$B.pipe2"
done
run_ok ctl -batch "$B.pipe2" -force
run_ok ctl -j -n bp route show
json_check "$OUT" 'len([r for r in d if r["destination"].startswith("198.19.")]) == 500' \
	"500 pipelined routes in one namespace all made"
run_ok ctl netns del bp
run_ok ctl netns del bq
# An op that fails at once (bad input) after a pipelined one must not let a DeleteNamespace
# behind it overtake the pipelined op, which is still in flight.
printf '%s\n' 'netns add br' '-n br link add r0 type bridge' '-n br link set lo mtu 0' \
	'netns del br' >"$B.trans"
run_fail INVALID_ARGUMENT ctl -batch "$B.trans" -force
expect_err_contains "line 3"
expect_not_contains "$ERR" "line 2" "the link creation finished before the namespace was deleted"

# Coalesced delete: N host ends and a missing link in one batch (-force): the missing one
# fails, the others go (with their peers), and the containers keep only lo.
: >"$B.del"
for i in $(seq 0 $((N - 1))); do
	echo "-n bh link del bh$i" >>"$B.del"
done
echo "-n bh link del nope1" >>"$B.del"
run_fail NOT_FOUND ctl -batch "$B.del" -force
expect_err_contains "NOT_FOUND: line $((N + 1))"
run_ok ctl -j -n bh link show
json_check "$OUT" '[l["name"] for l in d if l["name"].startswith("bh")] == []' "every host end deleted"
run_ok ctl -j -n bc5 link show
json_check "$OUT" '[l["name"] for l in d] == ["lo"]' "the peer went with its host end"

# A run of deletes with lo in it: the kernel refuses the whole group (EOPNOTSUPP), so each is
# deleted alone: only lo fails, and it is back in the group it was in.
run_ok ctl -n bh link add bx1 type bridge
run_ok ctl -n bh link add bx2 type bridge
run_ok in_ns bh ip link set lo group 6
printf '%s\n' "-n bh link del bx1" "-n bh link del lo" "-n bh link del bx2" >"$B.dello"
run_fail "" ctl -batch "$B.dello" -force
expect_err_contains "line 2" "only line 2 (lo) failed"
expect_not_contains "$ERR" "line 1" "line 1 did not fail with the group"
expect_not_contains "$ERR" "line 3" "line 3 did not fail with the group"
expect_err_contains "EOPNOTSUPP" "lo's failure names EOPNOTSUPP"
run_ok ctl -j -n bh link show
json_check "$OUT" '[(l["name"], l["group"]) for l in d if l["name"] in ("lo", "bx1", "bx2")] == [("lo", 6)]' \
	"bx1 and bx2 are gone, lo is back in group 6"

# Namespaces deleted in one batch.
: >"$B.nsdel"
for i in $(seq 0 $((N - 1))); do
	echo "netns del bc$i" >>"$B.nsdel"
done
echo "netns del bh" >>"$B.nsdel"
run_ok ctl -batch "$B.nsdel"
run_ok ctl -j netns list
json_check "$OUT" 'd == []' "every namespace deleted"
