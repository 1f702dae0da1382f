#!/bin/bash
# Installs what nsring needs to build, run and test on Debian 12, skipping what is there.
# Usage: .ci/deps.sh [build|test]   (test adds the tools the test suites use)
set -euo pipefail
build_pkgs=(gcc meson ninja-build pkg-config liburing-dev libmnl-dev libprotobuf-c-dev
	protobuf-c-compiler libnghttp2-dev protobuf-compiler libjansson-dev)
test_pkgs=(iproute2 iputils-ping util-linux python3 socat clang libclang-rt-14-dev
	golang-go golang-github-containerd-ttrpc-dev python3-grpcio python3-protobuf
	containernetworking-plugins podman busybox-static
	python3-pyroute2)
pkgs=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages: ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
