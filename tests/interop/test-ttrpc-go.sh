#!/bin/bash
# Interop: containerd's Go ttrpc client (Debian's golang-github-containerd-ttrpc-dev,
# built in GOPATH mode, no module proxy) against a real nsringd.
#
# Usage: test-ttrpc-go.sh NSRINGD GO_SRC_DIR
# Runs in a private mount namespace with a tmpfs scratch dir holding the socket, the
# daemon's netns dir (never /run/netns), GOPATH and GOCACHE. Root only; exits 77
# (skip) without root or without go.
set -uo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 NSRINGD GO_SRC_DIR" >&2
	exit 2
fi
NSRINGD=$1
GO_SRC=$2

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

# Private mount namespace: the tmpfs and the namespaces' bind mounts stay in here.
if [ -z "${NSRING_INTEROP_UNSHARED:-}" ]; then
	export NSRING_INTEROP_UNSHARED=1
	exec unshare --mount --propagation private -- /bin/bash "$0" "$@"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/nsring-ttrpc-go.XXXXXX") || exit 1
DPID=
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -KILL "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
	fi
	if mountpoint -q "$T"; then
		umount -R -l "$T" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount -t tmpfs -o mode=0700 nsring-interop "$T" || { echo "FAIL: mount tmpfs on $T"; exit 1; }
mkdir -p "$T/netns"

# Build the client first (the daemon need not wait for the compiler).
PKG=$T/gopath/src/nsringinterop
mkdir -p "$PKG" "$T/gocache" "$T/home"
cp "$GO_SRC"/*.go "$PKG"/ || { echo "FAIL: copy Go sources from $GO_SRC"; exit 1; }
echo "building the Go ttrpc client"
if ! (cd "$PKG" && env HOME="$T/home" GO111MODULE=off GOPATH="$T/gopath:/usr/share/gocode" \
	GOCACHE="$T/gocache" GOFLAGS= GOPROXY=off CGO_ENABLED=0 \
	go build -o "$T/nsring-interop" .); then
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
"$T/nsring-interop" "$SOCK" || rc=1

# Graceful stop: SIGTERM, then nsringd must exit 0.
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
if [ -z "$drc" ]; then
	echo "FAIL: nsringd still running 10 s after SIGTERM"
	rc=1
elif [ "$drc" != 0 ]; then
	echo "FAIL: nsringd exited $drc after SIGTERM"
	rc=1
else
	echo "PASS nsringd exited 0 after SIGTERM"
fi
DPID=

if [ $rc != 0 ]; then
	echo "--- nsringd log"
	cat "$T/nsringd.log"
fi
exit $rc
