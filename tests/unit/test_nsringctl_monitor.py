#!/usr/bin/python3
# nsringctl monitor against a fake ttrpc server (no daemon): the request opens a ttrpc stream
# (flag remote-closed) of Watch, each event is printed as it comes, and the exit status follows
# how the stream ends: 0 for OK (data flagged remote-closed|no-data), 1 with "Error: CODE: msg"
# on stderr for an error status, 1 when the daemon goes away mid-stream.
# Usage: test_nsringctl_monitor.py NSRINGCTL
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from nsring_ttrpc import field, frame, parse_header, recv_exact  # noqa: E402

ctl = sys.argv[1]

ns1 = field(2, field(1, "ns1"))
link = field(10, field(1, 5) + field(2, "veth0") + field(4, 0x11043) + field(5, 1) +
             field(7, 1500) + field(6, "up") + field(12, -1))
addr = field(11, field(1, "veth0") + field(2, 5) + field(3, "198.18.0.1") + field(4, 24) +
             field(6, 0x80))
route = field(12, field(1, "198.18.1.0/24") + field(4, "veth0") + field(9, 4))
EVENTS = [
    field(1, 1) + ns1 + link,       # ADDED link
    field(1, 4) + ns1,              # SYNCED
    field(1, 1) + ns1 + addr,       # ADDED address
    field(1, 3) + ns1 + route,      # DELETED route
]
EXPECT = (
    "[ns1] 5: veth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n"
    "[ns1] Synced: the snapshot is complete, changes follow\n"
    "[ns1] 5: veth0    inet 198.18.0.1/24 scope global veth0\n"
    "[ns1] Deleted 198.18.1.0/24 dev veth0 proto static\n"
)

def serve(sock, end, seen):
    c, _ = sock.accept()
    length, stream, typ, flags = parse_header(recv_exact(c, 10))
    req = recv_exact(c, length)
    seen.update(stream=stream, typ=typ, flags=flags, watch=b"\x12\x05Watch" in req,
                snapshot=b"\x20\x01" in req)
    for ev in EVENTS:
        c.sendall(frame(stream, ev, 3, 0))
    if end == "ok":
        c.sendall(frame(stream, b"", 3, 0x1 | 0x4))
    elif end == "error":
        status = field(1, field(1, 5) + field(2, "Watch: namespace \"x\" not found"))
        c.sendall(frame(stream, status, 2, 0))
    c.close()

def run(end, *args):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "s")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(1)
    seen = {}
    t = threading.Thread(target=serve, args=(sock, end, seen))
    t.start()
    r = subprocess.run([ctl, "-s", path, *args], capture_output=True, text=True, timeout=20)
    t.join()
    sock.close()
    os.unlink(path)
    os.rmdir(d)
    assert seen["typ"] == 1 and seen["flags"] == 1 and seen["stream"] == 1, seen
    assert seen["watch"], seen
    return r, seen

r, seen = run("ok", "-n", "ns1", "monitor", "--snapshot")
assert r.returncode == 0, r
assert r.stdout == EXPECT, repr(r.stdout)
assert r.stderr == "", r.stderr
assert seen["snapshot"], seen

r, _ = run("error", "monitor")
assert r.returncode == 1, r
assert r.stdout == EXPECT, repr(r.stdout)
assert r.stderr == 'Error: NOT_FOUND: Watch: namespace "x" not found\n', repr(r.stderr)

r, _ = run("eof", "monitor")
assert r.returncode == 1 and r.stdout == EXPECT, r
assert "closed the connection" in r.stderr, r.stderr

r, _ = run("ok", "-j", "monitor", "link")
lines = r.stdout.splitlines()
assert r.returncode == 0 and len(lines) == 4, r
docs = [json.loads(l) for l in lines]
assert docs[0]["type"] == "WATCH_EVENT_TYPE_ADDED" and docs[0]["link"]["name"] == "veth0", docs
assert docs[1]["type"] == "WATCH_EVENT_TYPE_SYNCED" and "link" not in docs[1], docs
print("monitor: ok")
