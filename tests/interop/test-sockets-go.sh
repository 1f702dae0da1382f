#!/bin/bash
# Interop: a long-lived Go program (tests/interop/sockets-go, Debian's Go packages in GOPATH
# mode, containerd's ttrpc) serves HTTP on a TCP socket nsringd created inside namespace A and
# fetches the page through a socket created inside namespace B, while every one of its threads
# stays in the namespace it started in (docs/sockets.md).
#
# Usage: test-sockets-go.sh NSRINGD NSRINGCTL GO_SRC_DIR
# Runs in a private mount namespace with a tmpfs scratch dir holding the socket, the daemon's
# netns dir (never /run/netns), GOPATH and GOCACHE. Root only; exits 77 (skip) without root or
# without go.
set -uo pipefail

if [ $# -ne 3 ]; then
	echo "usage: $0 NSRINGD NSRINGCTL GO_SRC_DIR" >&2
	exit 2
fi
NSRINGD=$1
NSRINGCTL=$2
GO_SRC=$3

if [ "$EUID" != 0 ]; then
	echo "SKIP: needs root (namespaces, bind mounts)"
	exit 77
fi
if ! command -v go >/dev/null 2>&1; then
	echo "SKIP: go is not installed (apt-get install golang-go golang-github-containerd-ttrpc-dev)"
	exit 77
fi
if [ ! -d /usr/share/gocode/src/github.com/containerd/ttrpc ]; then
	echo "SKIP: golang-github-containerd-ttrpc-dev is not installed"
	exit 77
fi

if [ -z "${NSRING_INTEROP_UNSHARED:-}" ]; then
	export NSRING_INTEROP_UNSHARED=1
	exec unshare --mount --propagation private -- /bin/bash "$0" "$@"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/nsring-sockets-go.XXXXXX") || exit 1
DPID=
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	for ns in "$T"/netns/*; do
		[ -e "$ns" ] && umount -l "$ns" 2>/dev/null
	done
	if mountpoint -q "$T"; then
		umount -R -l "$T" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount -t tmpfs -o mode=0700 nsring-interop "$T" || { echo "FAIL: mount tmpfs on $T"; exit 1; }
mkdir -p "$T/netns"

PKG=$T/gopath/src/nsringsockets
mkdir -p "$PKG" "$T/gocache" "$T/home"
cp "$GO_SRC"/*.go "$PKG"/ || { echo "FAIL: copy Go sources from $GO_SRC"; exit 1; }
echo "building the Go example"
if ! (cd "$PKG" && env HOME="$T/home" GO111MODULE=off GOPATH="$T/gopath:/usr/share/gocode" \
	GOCACHE="$T/gocache" GOFLAGS= GOPROXY=off CGO_ENABLED=0 \
	go build -o "$T/sockets-go" .); then
	echo "FAIL: go build (missing Debian Go packages? see the import errors above)"
	exit 1
fi

SOCK=$T/nsring.sock
"$NSRINGD" -s "$SOCK" -d "$T/netns" -l debug >"$T/nsringd.log" 2>&1 &
DPID=$!
for _ in $(seq 100); do
	[ -S "$SOCK" ] && break
	kill -0 "$DPID" 2>/dev/null || break
	sleep 0.1
done
if [ ! -S "$SOCK" ]; then
	echo "FAIL: nsringd did not create $SOCK"
	cat "$T/nsringd.log"
	exit 1
fi

rc=0
ctl() {
	if ! timeout 30 "$NSRINGCTL" -s "$SOCK" "$@"; then
		echo "FAIL: nsringctl $*"
		rc=1
	fi
}
# A and B, joined by a veth pair: 198.18.8.1 in A, 198.18.8.2 in B.
ctl netns add goa
ctl netns add gob
ctl -n goa link add ga type veth peer name gb netns gob
ctl -n goa addr add 198.18.8.1/24 dev ga
ctl -n gob addr add 198.18.8.2/24 dev gb
ctl -n goa link set ga up
ctl -n gob link set gb up

if [ $rc = 0 ]; then
	timeout 120 "$T/sockets-go" "$SOCK" goa gob 198.18.8.1 || rc=1
fi
ctl netns del goa
ctl netns del gob

kill -TERM "$DPID"
drc=
for _ in $(seq 100); do
	if ! kill -0 "$DPID" 2>/dev/null; then
		wait "$DPID"
		drc=$?
		break
	fi
	sleep 0.1
done
if [ "$drc" != 0 ]; then
	echo "FAIL: nsringd did not exit 0 after SIGTERM ($drc)"
	rc=1
else
	echo "PASS nsringd exited 0 after SIGTERM"
fi
DPID=
if [ $rc != 0 ]; then
	echo "--- nsringd log"
	tail -n 50 "$T/nsringd.log"
fi
exit $rc
