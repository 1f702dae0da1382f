#!/bin/bash
# System test: namespaces. netns add/list/del, name validation, errors, and namespaces nsringd
# did not create (a bind mount made with unshare) reached by name, by path and by pid.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"
start_daemon

# ---------------------------------------------------------------- add / list / del
run_ok ctl -j netns list
json_check "$OUT" 'd == []' "netns list is empty at first"
run_ok ctl netns list
expect_contains "$OUT" "NAME" "netns list prints a header"

run_ok ctl netns add nsa
expect_true "netns add creates the nsfs file $NETNS_DIR/nsa" test -e "$NETNS_DIR/nsa"
run_ok ctl -j netns add nsb
json_check "$OUT" 'd["name"] == "nsb" and d["path"] == "'"$NETNS_DIR"'/nsb" and d["inode"] > 0' \
	"netns add -j prints the new namespace (name, path, inode)"
ino_b=$(json_get "$OUT" 'd["inode"]')
expect_eq "$(stat -L -c %i "$NETNS_DIR/nsb")" "$ino_b" "the inode reported is the namespace's"
expect_eq "$(in_ns nsb readlink /proc/self/ns/net)" "net:[$ino_b]" \
	"nsenter into the file lands in that namespace"
expect_true "the new namespace is not the test's own" \
	test "$(readlink /proc/self/ns/net)" != "net:[$ino_b]"

run_ok ctl -j netns list
json_check "$OUT" '[n["name"] for n in d] == ["nsa", "nsb"]' "netns list shows nsa and nsb, sorted"
json_check "$OUT" 'd[0]["inode"] != d[1]["inode"]' "nsa and nsb are different namespaces"
json_check "$OUT" 'all(n["path"] == "'"$NETNS_DIR"'/" + n["name"] for n in d)' \
	"netns list gives each namespace's path"
run_ok ctl netns list
expect_contains "$OUT" "$NETNS_DIR/nsa" "text netns list shows nsa's path"
run_ok ctl netns show
expect_contains "$OUT" "nsb" "netns show is netns list"

# A new namespace has only lo, down.
run_ok ctl -j -n nsa link show
json_check "$OUT" 'len(d) == 1 and d[0]["name"] == "lo" and d[0]["up"] == False' \
	"a new namespace has only lo, down"
run_ok in_ns nsa ip -br link show
expect_contains "$OUT" "lo" "ip sees lo in nsa"

# Duplicates.
run_fail ALREADY_EXISTS ctl netns add nsa
expect_err_contains '"nsa"' "ALREADY_EXISTS names the namespace"

# Bad names: nsringctl rejects them before sending (exit 2).
run_usage "not a valid namespace name" ctl netns add "a/b"
run_usage "not a valid namespace name" ctl netns add ".."
run_usage "not a valid namespace name" ctl netns add "."
run_usage "not a valid namespace name" ctl netns add "$(printf 'x%.0s' {1..256})"
run_usage "not a valid namespace name" ctl netns add ""
run_usage "not a valid namespace name" ctl netns del "a/b"
run_usage "not a valid namespace" ctl -n "a/b" link show
run_usage "bad pid" ctl -n "pid:0" link show
run_usage "bad pid" ctl -n "pid:abc" link show
run_usage "needs a NAME" ctl netns add
expect_true "no file was created for the bad names" test ! -e "$T/a" -a ! -e "$NETNS_DIR/a"
# 255 bytes is the longest valid name.
long=$(printf 'y%.0s' {1..255})
run_ok ctl netns add "$long"
expect_true "a 255-byte name is accepted" test -e "$NETNS_DIR/$long"
run_ok ctl -n "$long" link show lo
run_ok ctl netns del "$long"
expect_true "the 255-byte namespace is gone" test ! -e "$NETNS_DIR/$long"

# Unknown names.
run_fail NOT_FOUND ctl netns del nosuchns
expect_err_contains '"nosuchns"' "NOT_FOUND on del names the namespace"
run_fail NOT_FOUND ctl -n nosuchns link show
expect_err_contains '"nosuchns"' "NOT_FOUND for -n names the namespace"
run_fail NOT_FOUND ctl -n nosuchns link add v0 type veth peer name v1
expect_err_contains '"nosuchns"' "NOT_FOUND for -n on link add names the namespace"
run_fail NOT_FOUND ctl -n nosuchns addr show
run_fail NOT_FOUND ctl -n nosuchns route show
run_fail NOT_FOUND ctl -n "$NETNS_DIR/no-such-file" link show
expect_err_contains "$NETNS_DIR/no-such-file" "NOT_FOUND for a missing path names it"
# Paths must stay inside the allowed directories (--netns-path-prefix; the defaults are the
# netns dir, /run/netns, /var/run/netns and /proc), also through "..", and must not be symlinks.
run_fail PERMISSION_DENIED ctl -n "$T/no/such/file" link show
expect_err_contains "not allowed" "a path outside the prefixes is refused"
run_fail PERMISSION_DENIED ctl -n "$NETNS_DIR/../x" link show
ln -s /proc/self/ns/net "$NETNS_DIR/alink"
run_fail PERMISSION_DENIED ctl -n "$NETNS_DIR/alink" link show
rm -f "$NETNS_DIR/alink"
run_fail NOT_FOUND ctl -n pid:2147483647 link show
expect_err_contains "2147483647" "NOT_FOUND for a missing pid names it"
# A file that is not a network namespace.
echo plain >"$NETNS_DIR/plainfile"
run_fail INVALID_ARGUMENT ctl -n "$NETNS_DIR/plainfile" link show
expect_err_contains "$NETNS_DIR/plainfile" "INVALID_ARGUMENT for a non-nsfs file names it"
rm -f "$NETNS_DIR/plainfile"
# A namespace of another type (mount namespace) is not a network namespace.
run_fail INVALID_ARGUMENT ctl -n /proc/self/ns/mnt link show

# Delete.
fds0=$(daemon_fds "$DPID")
run_ok ctl netns del nsa
expect_true "netns del removes the file" test ! -e "$NETNS_DIR/nsa"
run_ok ctl -j netns list
json_check "$OUT" '[n["name"] for n in d] == ["nsb"]' "netns list no longer shows nsa"
run_fail NOT_FOUND ctl -n nsa link show
run_fail NOT_FOUND ctl netns del nsa
# nsb was opened above (link show): deleting it must close the daemon's sockets in it.
expect_true "nsringd holds nsb open (an fd on net:[$ino_b])" daemon_holds_netns "$DPID" "$ino_b"
run_ok ctl netns del nsb
fds1=$(daemon_fds "$DPID")
expect_true "the daemon closed its fds in the deleted namespaces ($fds0 -> $fds1 fds)" \
	test "$fds1" -lt "$fds0"
expect_true "after netns del, nsringd holds no fd on nsb's namespace" wait_not_held "$DPID" "$ino_b"
# A name can be reused after deletion; it is a new namespace (not compared by inode: the
# kernel may give a new namespace the number a freed one had).
run_ok ctl -j netns add nsb
run_ok ctl -j -n nsb link show
json_check "$OUT" 'len(d) == 1' "the re-added nsb is fresh (only lo)"

# ---------------------------------------------------------------- namespaces made without nsringd
# As `ip netns add` would: an nsfs bind mount on a file in the netns dir.
touch "$NETNS_DIR/ext"
unshare --net="$NETNS_DIR/ext" true || die "cannot create a namespace with unshare --net=FILE"
ino_ext=$(stat -L -c %i "$NETNS_DIR/ext")
run_ok ctl -j netns list
json_check "$OUT" 'any(n["name"] == "ext" and n["inode"] == '"$ino_ext"' for n in d)' \
	"netns list shows the externally made namespace with its inode"

run_ok ctl -n ext link add e0 type veth peer name e1
# A process living in ext, for pid:N.
nsenter --net="$NETNS_DIR/ext" -- sleep 300 &
ext_pid=$!
BG_PIDS+=("$ext_pid")
for ((i = 0; i < 200; i++)); do
	[[ $(readlink "/proc/$ext_pid/ns/net" 2>/dev/null) == "net:[$ino_ext]" ]] && break
	sleep 0.01
done
# Never go on with a pid that is still in the test's own namespace (it would be the root one).
[[ $(readlink "/proc/$ext_pid/ns/net") == "net:[$ino_ext]" ]] || die "the helper process did not enter ext"
pass "the helper process is in ext"

links_of() { json_get "$1" 'sorted((l["index"], l["name"]) for l in d)'; }
run_ok ctl -j -n ext link show
by_name=$(links_of "$OUT")
json_check "$OUT" 'sorted(l["name"] for l in d) == ["e0", "e1", "lo"]' "by name: ext has lo, e0, e1"
run_ok ctl -j -n "$NETNS_DIR/ext" link show
expect_eq "$(links_of "$OUT")" "$by_name" "by absolute path: the same links as by name"
run_ok ctl -j -n "pid:$ext_pid" link show
expect_eq "$(links_of "$OUT")" "$by_name" "by pid: the same links as by name"
run_ok ctl -j -n "/proc/$ext_pid/ns/net" link show
expect_eq "$(links_of "$OUT")" "$by_name" "by /proc/PID/ns/net: the same links as by name"
run_ok ctl --netns="pid:$ext_pid" link show e1
expect_contains "$OUT" "e1" "--netns=pid:N works"

# A change made through one reference is seen through the others.
run_ok ctl -n "pid:$ext_pid" link set e0 up
run_ok ctl -n "$NETNS_DIR/ext" link add br9 type bridge
run_ok ctl -j -n ext link show
json_check "$OUT" 'any(l["name"] == "e0" and l["up"] for l in d)' "up set by pid, seen by name"
json_check "$OUT" 'any(l["name"] == "br9" and l["kind"] == "bridge" for l in d)' \
	"bridge added by path, seen by name"
run_ok in_ns ext ip -br link show
expect_contains "$OUT" "br9" "ip in ext sees the bridge"

# A namespace with no name at all: only a process holds it.
unshare --net -- sleep 300 &
anon_pid=$!
BG_PIDS+=("$anon_pid")
for ((i = 0; i < 200; i++)); do
	[[ $(readlink "/proc/$anon_pid/ns/net" 2>/dev/null) != "$(readlink /proc/self/ns/net)" ]] && break
	sleep 0.01
done
anon_ns=$(readlink "/proc/$anon_pid/ns/net")
[[ -n $anon_ns && $anon_ns != "$(readlink /proc/self/ns/net)" ]] || die "unshare --net did not make a new namespace"
run_ok ctl -n "pid:$anon_pid" link add an0 type ifb
run_ok nsenter --net="/proc/$anon_pid/ns/net" -- ip -br link show an0
expect_contains "$OUT" "an0" "a link created by pid exists in that process's namespace"
run_ok ctl -j netns list
json_check "$OUT" 'sorted(n["name"] for n in d) == ["ext", "nsb"]' \
	"a namespace opened by pid does not appear in netns list"
anon_ino=$(stat -L -c %i "/proc/$anon_pid/ns/net")
expect_true "nsringd holds the pid's namespace open while it is used" daemon_holds_netns "$DPID" "$anon_ino"
kill "$anon_pid"
wait "$anon_pid" 2>/dev/null
run_fail NOT_FOUND ctl -n "pid:$anon_pid" link show
expect_err_contains "$anon_pid" "NOT_FOUND for a gone pid names it"
# The namespace is gone for everybody but nsringd: it must not keep it alive (design: "the
# daemon must close its sockets for a namespace that is deleted or gone").
expect_true "once the process is gone, nsringd lets go of its namespace (no fd on net:[$anon_ino])" \
	wait_not_held "$DPID" "$anon_ino"

# A namespace deleted behind nsringd's back (as `ip netns del` does: umount + unlink) after
# nsringd opened it: lookups fail, and nsringd must not keep the namespace alive.
touch "$NETNS_DIR/ext2"
unshare --net="$NETNS_DIR/ext2" true || die "cannot create a namespace with unshare --net=FILE"
ino_ext2=$(stat -L -c %i "$NETNS_DIR/ext2")
run_ok ctl -n ext2 link show
expect_true "nsringd holds ext2 open after using it" daemon_holds_netns "$DPID" "$ino_ext2"
umount -l "$NETNS_DIR/ext2" && rm -f "$NETNS_DIR/ext2"
run_fail NOT_FOUND ctl -n ext2 link show
expect_err_contains '"ext2"' "a namespace deleted behind nsringd's back is NOT_FOUND by name"
run_ok ctl -j netns list
json_check "$OUT" 'not any(n["name"] == "ext2" for n in d)' "netns list no longer shows ext2"
expect_true "nsringd lets go of a namespace deleted behind its back (no fd on net:[$ino_ext2])" \
	wait_not_held "$DPID" "$ino_ext2"

# Deleting the external namespace through nsringd.
kill "$ext_pid"
wait "$ext_pid" 2>/dev/null
run_ok ctl netns del ext
expect_true "netns del removed ext's file" test ! -e "$NETNS_DIR/ext"
expect_true "after netns del, nsringd holds no fd on ext's namespace" wait_not_held "$DPID" "$ino_ext"
run_fail NOT_FOUND ctl -n ext link show
run_ok ctl netns del nsb
run_ok ctl -j netns list
json_check "$OUT" 'd == []' "netns list is empty at the end"
run_ok ctl -n nsb -j netns list
json_check "$OUT" 'd == []' "netns list ignores -n"

# The daemon still serves.
run_ok ctl netns add last
run_ok ctl netns del last
