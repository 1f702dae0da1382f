#!/usr/bin/python3
# test-ensure.sh's client: a wire Batch (tests/bench/WORKLOADS.md's `wire` shape) of N containers
# in one Batch call, sent over ttrpc with or without ensure; prints a one-line JSON summary of the
# results (codes, already_done counts, the first failures).
#   ensure_batch.py SOCK PROTO_DIR PREFIX N [--ensure] [--stop] [--sent=FILE]
# --sent=FILE: FILE is created once the request is written (the test kills the daemon after).
# Per container i: namespace PREFIX-c{i}; veth PREFIX-h{i} in PREFIX-h, its peer eth0 created in
# PREFIX-c{i}, enslaved to PREFIX-br, both up; lo up; 198.18.(1 + i / 256).(i % 256)/16 on eth0;
# default route via 198.18.0.1. Before them: PREFIX-h, its bridge PREFIX-br (up, 198.18.0.1/16).
# Exit 0 when the call was answered (whatever the results), 3 when the connection ended first
# (the daemon was killed), 2 on usage errors.
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from nsring_ttrpc import (  # noqa: E402
    RESPONSE, Conn, code_name, decode_response, envelope, frame, load_protos)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 4:
        print(__doc__ or "usage: ensure_batch.py SOCK PROTO_DIR PREFIX N [--ensure] [--stop]",
              file=sys.stderr)
        return 2
    sock, proto_dir, p, n = args[0], args[1], args[2], int(args[3])
    pb = load_protos(proto_dir, ["nsring/v1/nsring.proto"], prefix="nsring-ensure-py.")[0]
    req = pb.BatchRequest()
    req.ensure = "--ensure" in sys.argv
    if "--stop" not in sys.argv:
        req.mode = pb.BATCH_MODE_CONTINUE
    host = pb.NamespaceRef(name=p + "-h")

    req.ops.add().create_namespace.name = p + "-h"
    op = req.ops.add().create_link
    op.namespace.CopyFrom(host)
    op.link.name = p + "-br"
    op.link.up = True
    op.link.bridge.SetInParent()
    op = req.ops.add().create_address
    op.namespace.CopyFrom(host)
    op.address.link_name = p + "-br"
    op.address.address = "198.18.0.1"
    op.address.prefix_len = 16
    for i in range(n):
        c = pb.NamespaceRef(name="%s-c%d" % (p, i))
        req.ops.add().create_namespace.name = c.name
        op = req.ops.add().create_link
        op.namespace.CopyFrom(host)
        op.link.name = "%s-h%d" % (p, i)
        op.link.up = True
        op.link.veth.peer_name = "eth0"
        op.link.veth.peer_namespace.CopyFrom(c)
        op.master = p + "-br"
        op = req.ops.add().update_link
        op.namespace.CopyFrom(c)
        op.name = "lo"
        op.up = True
        op = req.ops.add().create_address
        op.namespace.CopyFrom(c)
        op.address.link_name = "eth0"
        op.address.address = "198.18.%d.%d" % (1 + i // 256, i % 256)
        op.address.prefix_len = 16
        op = req.ops.add().create_route
        op.namespace.CopyFrom(c)
        op.route.destination = "default"
        op.route.gateway = "198.18.0.1"

    sent = [a[len("--sent="):] for a in sys.argv if a.startswith("--sent=")]
    conn = Conn(sock, timeout=600)
    data = frame(1, envelope("Batch", req.SerializeToString()))
    t0 = time.monotonic()
    res = None
    if conn.send(data):
        if sent:
            open(sent[0], "w").close()
        for st, typ, body in conn.frames(time.monotonic() + 600):
            if st == 1 and typ == RESPONSE:
                res = decode_response(body)
                break
    elapsed = time.monotonic() - t0
    conn.close()
    if res is None:
        print(json.dumps({"answered": False, "elapsed": elapsed}))
        return 3
    code, msg, payload = res
    out = {"answered": True, "code": code_name(code), "message": msg, "elapsed": elapsed}
    if code == 0:
        resp = pb.BatchResponse()
        resp.ParseFromString(payload)
        codes = {}
        for r in resp.results:
            codes[code_name(r.code)] = codes.get(code_name(r.code), 0) + 1
        out.update({
            "ops": len(req.ops),
            "results": len(resp.results),
            "codes": codes,
            "already_done": sum(1 for r in resp.results if r.already_done),
            "failed": resp.failed,
            "errors": [r.message for r in resp.results if r.code not in (0, 10)][:5],
        })
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
