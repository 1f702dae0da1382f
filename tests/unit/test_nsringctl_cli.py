#!/usr/bin/python3
# nsringctl's exit codes and messages: 0 help/dry run, 2 usage error, 1 no daemon.
# argv[1]: the nsringctl binary.
import json
import subprocess
import sys


def run(*a, env=None):
    return subprocess.run([sys.argv[1], *a], capture_output=True, text=True, env=env)


r = run("--help"); assert r.returncode == 0 and "pid:N" in r.stdout, r
r = run("link", "frob"); assert r.returncode == 2, r
assert r.stderr == "Error: unknown argument frob\n", r.stderr
r = run("link", "add", "x", "type", "veth"); assert r.returncode == 2, r
r = run("-s", "/nonexistent/nsring.sock", "link"); assert r.returncode == 1, r
assert "/nonexistent/nsring.sock" in r.stderr and "nsringd" in r.stderr, r.stderr
r = run("netns", env={"NSRING_SOCKET": "/nonexistent/env.sock"})
assert r.returncode == 1 and "/nonexistent/env.sock" in r.stderr, r
r = run("--dry-run", "-n", "blue", "link", "set", "v0", "up", "mtu", "1400")
assert r.returncode == 0, r
assert json.loads(r.stdout) == {"method": "UpdateLink", "request": {"namespace":
    {"name": "blue"}, "name": "v0", "up": True, "mtu": 1400}}, r.stdout
