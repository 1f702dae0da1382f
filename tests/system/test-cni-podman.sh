#!/bin/bash
# A real runtime: podman (Debian 12's 4.3, CNI network backend) starts two containers of a
# locally built busybox image on a network of type "nsring" and they ping each other.
# Isolation: podman's storage, CNI config and cache, /run/netns and a cgroup2 view live in this
# test's private mount namespace (tmpfs); podman runs in a "host" network namespace the test
# creates, where nsringd runs too, so the network's bridge is never in the root namespace.
# Skips (77) when podman, crun or busybox-static is missing or containers cannot run here.
source "$(dirname "$(readlink -f "$0")")/lib.sh"
sys_init "$@"

CNI=$(readlink -f "${NSRING_CNI:?NSRING_CNI must name the nsring-cni binary}")
skip() {
	echo "skipped: $*"
	trap - EXIT
	sys_exit_quiet
	exit 77
}
sys_exit_quiet() {
	local h
	for h in ${CLEANUP_HOOKS[@]+"${CLEANUP_HOOKS[@]}"}; do
		$h >/dev/null 2>&1
	done
	[[ -n $DPID ]] && kill -TERM "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	cleanup_namespaces >/dev/null 2>&1
	umount -R -l "$T" 2>/dev/null
	rmdir "$T" 2>/dev/null
}
command -v podman >/dev/null || { echo "skipped: podman is not installed"; exit 77; }
[[ -x /bin/busybox ]] || { echo "skipped: busybox-static is not installed"; exit 77; }
[[ -x /usr/lib/cni/host-local ]] ||
	{ echo "skipped: containernetworking-plugins (host-local) is not installed"; exit 77; }

P=$T/podman
HOSTNS=$NETNS_DIR/podhost
BR=nsrpod$$
BR=${BR:0:15}
NET=nsrtest$$
MADE_DIRS=()
CGROUPS_BEFORE=
CG_MOUNTED=
pod() { timeout 120 nsenter --net="$HOSTNS" podman "$@"; }
podman_cleanup() {
	local d
	# podman only once it is pointed at this test's storage (else it would use the host's)
	if [[ -n ${CONTAINERS_CONF:-} ]]; then
		pod rm -f -t 0 -a >/dev/null 2>&1
		pod rmi -a -f >/dev/null 2>&1
	fi
	rm -f "$P/net.d/$NET.conflist"
	[[ -e $HOSTNS ]] && nsenter --net="$HOSTNS" ip link del "$BR" 2>/dev/null
	# cgroups something made in our cgroup2 view despite --cgroups=disabled (conmon's parent,
	# say); only there, and only those that were not there before
	if [[ -n $CG_MOUNTED ]]; then
		while read -r d; do
			[[ -n $d ]] && ! grep -qxF "$d" <<<"$CGROUPS_BEFORE" && rmdir "$d" 2>/dev/null
		done < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d | sort -r)
	fi
	for d in /var/lib/cni /run/netns /run/containers /run/libpod /run/crun /var/lib/containers /sys/fs/cgroup; do
		umount -R -l "$d" 2>/dev/null
	done
	umount -R -l "$P" 2>/dev/null
	for d in ${MADE_DIRS[@]+"${MADE_DIRS[@]}"}; do
		rmdir "$d"
	done
}
CLEANUP_HOOKS+=(podman_cleanup)
mkdir "$P"
mount -t tmpfs -o mode=0755,size=256m nsring-podman "$P" || die "cannot mount a tmpfs for podman"
mkdir -p "$P"/{cni-bin,net.d,storage,run,tmp,img/bin}
# Everything podman and libcni write outside its storage goes to tmpfs mounts of this private
# mount namespace: the CNI result cache, the netns files, libpod's and crun's runtime dirs.
# Those it has to create for that are removed again on exit.
for d in /var/lib/cni /run/netns /run/containers /run/libpod /run/crun /var/lib/containers; do
	if [[ ! -d $d ]]; then
		mkdir "$d" || die "cannot create $d"
		MADE_DIRS+=("$d")
	fi
	mount -t tmpfs -o mode=0755,size=16m nsring-podman "$d" || die "cannot mount a tmpfs on $d"
done
# crun refuses hybrid cgroup setups (v1 controllers with a v2 mount): give it a pure cgroup2
# view in this mount namespace; containers run with --cgroups=disabled, so nothing is created.
if [[ $(stat -f -c %T /sys/fs/cgroup) != cgroup2fs ]]; then
	umount -R -l /sys/fs/cgroup 2>/dev/null
	mount -t cgroup2 nsring-cgroup2 /sys/fs/cgroup || skip "cannot mount cgroup2 for crun"
	CGROUPS_BEFORE=$(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d | sort)
	CG_MOUNTED=1
fi

ln -s "$CNI" "$P/cni-bin/nsring"
ln -s /usr/lib/cni/host-local "$P/cni-bin/host-local"
cat >"$P/containers.conf" <<EOF
[network]
network_backend = "cni"
cni_plugin_dirs = ["$P/cni-bin"]
network_config_dir = "$P/net.d"
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P/events.log"
tmp_dir = "$P/tmp"
EOF
cat >"$P/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$P/storage"
runroot = "$P/run"
EOF
export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf

# The "host" namespace of podman and nsringd (the daemon's own: hostNamespace stays unset, as in
# a real deployment).
touch "$HOSTNS"
unshare --net="$HOSTNS" true || die "cannot create the host namespace"
nsenter --net="$HOSTNS" ip link set lo up
DAEMON_PREFIX=(nsenter --net="$HOSTNS" --)
start_daemon

cat >"$P/net.d/$NET.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "plugins": [
  {"type": "nsring", "bridge": "$BR", "isGateway": true, "isDefaultGateway": true,
   "socket": "$SOCK",
   "ipam": {"type": "host-local", "dataDir": "$P/ipam",
            "ranges": [[{"subnet": "198.18.77.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}}]}
EOF


for c in sh ping sleep ip cat true; do ln -s busybox "$P/img/bin/$c"; done
cp /bin/busybox "$P/img/bin/"
tar -C "$P/img" -cf "$P/img.tar" . || die "cannot pack the image"
run pod import "$P/img.tar" localhost/nsr-busybox:test
[[ $RC == 0 ]] || skip "podman import fails here: $(tail -n 2 <<<"$ERR$OUT")"
RUNOPTS=(--cgroups=disabled --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
# Can containers run here at all (no network involved)?
run pod run --rm "${RUNOPTS[@]}" --network none localhost/nsr-busybox:test true
[[ $RC == 0 ]] || skip "podman cannot run a container here: $(tail -n 2 <<<"$ERR$OUT")"

run_ok pod run -d "${RUNOPTS[@]}" --name c1 --network "$NET" localhost/nsr-busybox:test sleep 600
run_ok pod run -d "${RUNOPTS[@]}" --name c2 --network "$NET" localhost/nsr-busybox:test sleep 600
ip1=$(pod inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" c1)
ip2=$(pod inspect -f "{{(index .NetworkSettings.Networks \"$NET\").IPAddress}}" c2)
expect_eq "$ip1 $ip2" "198.18.77.2 198.18.77.3" "podman reports the addresses host-local gave through nsring-cni"
expect_contains "$(nsenter --net="$HOSTNS" ip -o link show master "$BR")" "nsr" "the containers' host ends are ports of $BR"
run_ok pod exec c1 ping -c 1 -W 5 "$ip2"
run_ok pod exec c2 ping -c 1 -W 5 "$ip1"
run_ok pod exec c1 ip route show default
expect_contains "$OUT" "198.18.77.1" "c1's default route is via the bridge's gateway address"
run_ok pod rm -f -t 0 c1 c2
expect_eq "$(nsenter --net="$HOSTNS" ip -o link show master "$BR" | wc -l)" 0 \
	"podman rm ran DEL: no ports left on $BR"
expect_eq "$(ls "$P/ipam/$NET" 2>/dev/null | grep -c '^198')" 0 "DEL released both addresses"
