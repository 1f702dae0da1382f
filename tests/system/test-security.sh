#!/bin/bash
# System test: who and what nsringd admits. --allow-uid admits a user besides root (others get
# PERMISSION_DENIED); --netns-path-prefix replaces the directories that namespace paths may point
# into (the defaults are the netns dir, /run/netns, /var/run/netns and /proc).
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"

# A namespace bind-mounted outside the netns dir, as a container runtime would keep it.
mkdir -p "$T/runtime"
touch "$T/runtime/ctr1"
run_ok unshare --net="$T/runtime/ctr1" true
umount_runtime() { umount "$T/runtime/ctr1" 2>/dev/null; }
CLEANUP_HOOKS+=(umount_runtime)

start_daemon
run_fail PERMISSION_DENIED ctl -n "$T/runtime/ctr1" link show
expect_err_contains "--netns-path-prefix" "the refusal names the option that would allow it"
stop_daemon

start_daemon --netns-path-prefix "$T/runtime"
run_ok ctl -n "$T/runtime/ctr1" link add r0 type bridge
run_ok ctl -j -n "$T/runtime/ctr1" link show r0
json_check "$OUT" 'd[0]["kind"] == "bridge"' "a runtime's namespace is usable once its directory is allowed"
run_ok ctl netns add sx
# The defaults are replaced, not extended: the netns dir is no longer a path prefix ...
run_fail PERMISSION_DENIED ctl -n "$NETNS_DIR/sx" link show
# ... but names under it are not paths, and stay usable.
run_ok ctl -n sx link show
run_ok ctl netns del sx
stop_daemon

# --allow-uid: the socket must be reachable for the uid to matter (0660 root:root by default).
start_daemon --allow-uid 65534
chmod 0666 "$SOCK"
run_ok setpriv --reuid=65534 --regid=65534 --clear-groups "$NSRINGCTL" -s "$SOCK" netns list
run_fail PERMISSION_DENIED setpriv --reuid=65533 --regid=65533 --clear-groups "$NSRINGCTL" -s "$SOCK" netns list
stop_daemon
run_usage "unknown user" "$NSRINGD" --allow-uid no-such-user-nsring
run_usage "absolute" "$NSRINGD" --netns-path-prefix relative/dir
