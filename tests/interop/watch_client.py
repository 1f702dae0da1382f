#!/usr/bin/python3
# Watch client for the tests (Python grpcio; Debian python3-grpcio): opens nsring.v1.NsRing/Watch
# on nsringd's unix socket and prints every event as one JSON line, then "END <CODE> <details>".
#
# Usage: watch_client.py SOCKET PROTO_DIR [--ns NAME]... [--all] [--snapshot]
#                        [--kinds link,address,route] [--stall SECONDS] [--seconds N]
#                        [--until-synced N] [--ready FILE]
# --stall: open the stream and read nothing for SECONDS (a slow consumer), then read to the end.
# --seconds: cancel the stream after N seconds (prints "END CANCELLED ...").
# --until-synced: cancel once N SYNCED events arrived (and after --seconds at the latest).
# --ready FILE: touched once the stream is open (its first message arrived, or at once with
# --stall), so a test knows the daemon watches.
# --ttrpc: speak ttrpc (1.2 streaming: a request flagged remote-closed) on a raw socket instead
# of gRPC: no flow control on the client's side, so --stall-until FILE (read nothing until FILE
# exists, at most 120 s) makes the daemon queue everything it sends.
import json
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "common"))
import grpc  # noqa: E402
import nsring_ttrpc as ttrpc  # noqa: E402

from grpc_client import load_protos  # noqa: E402

TYPES = {0: "UNSPECIFIED", 1: "ADDED", 2: "CHANGED", 3: "DELETED", 4: "SYNCED", 5: "RESYNC",
         6: "NAMESPACE_ADDED", 7: "NAMESPACE_DELETED"}


def event_json(ev):
    d = {"type": TYPES.get(ev.type, str(ev.type)), "ns": ev.namespace.name,
         "inode": ev.namespace.inode, "path": ev.namespace.path}
    which = ev.WhichOneof("object")
    if which == "link":
        l = ev.link
        d["link"] = {"index": l.index, "name": l.name, "kind": l.kind, "up": l.up, "mtu": l.mtu,
                     "address": l.address, "master_index": l.master_index}
    elif which == "address":
        a = ev.address
        d["address"] = {"link_index": a.link_index, "link_name": a.link_name,
                        "address": a.address, "prefix_len": a.prefix_len}
    elif which == "route":
        r = ev.route
        d["route"] = {"destination": r.destination, "family": r.family, "gateway": r.gateway,
                      "dev": r.dev, "dev_index": r.dev_index, "table": r.table,
                      "metric": r.metric, "type": r.type, "scope": r.scope,
                      "protocol": r.protocol, "prefsrc": r.prefsrc}
    return d


def ttrpc_watch(sock, proto_dir, pb, req, opts):
    ttrpc_pb2 = ttrpc.load_protos(proto_dir, ["ttrpc/ttrpc.proto"], prefix="nsring-ttrpc-py.")[0]
    codes = {c.value[0]: c.name for c in grpc.StatusCode}
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock)
    body = ttrpc_pb2.Request(service=ttrpc.SERVICE, method="Watch",
                             payload=req.SerializeToString()).SerializeToString()
    # a request flagged remote-closed: a server stream
    s.sendall(ttrpc.frame(1, body, ttrpc.REQUEST, ttrpc.FLAG_REMOTE_CLOSED))
    if opts["ready"]:
        open(opts["ready"], "w").close()
    if opts["stall_until"]:
        end = time.monotonic() + 120
        while not os.path.exists(opts["stall_until"]) and time.monotonic() < end:
            time.sleep(0.05)
    f = s.makefile("rb")
    while True:
        fr = ttrpc.read_frame(f)
        if fr is None:
            print("END EOF", flush=True)
            return
        sid, typ, flags, data = fr
        if typ == ttrpc.DATA and not flags & ttrpc.FLAG_NO_DATA:
            print(json.dumps(event_json(pb.WatchEvent.FromString(data))), flush=True)
        elif typ == ttrpc.RESPONSE:
            st = ttrpc_pb2.Response.FromString(data).status
            print("END %s %s" % (codes.get(st.code, str(st.code)), st.message), flush=True)
            return


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print("usage: watch_client.py SOCKET PROTO_DIR [options]", file=sys.stderr)
        sys.exit(2)
    sock, proto_dir = args[0], args[1]
    opts = {"ns": [], "all": False, "snapshot": False, "kinds": "", "stall": 0.0,
            "seconds": 0.0, "until_synced": 0, "ready": "", "ttrpc": False, "stall_until": ""}
    i = 2
    while i < len(args):
        a = args[i]
        if a == "--ns":
            opts["ns"].append(args[i + 1])
            i += 2
        elif a in ("--all", "--snapshot"):
            opts[a[2:]] = True
            i += 1
        elif a in ("--kinds", "--ready"):
            opts[a[2:]] = args[i + 1]
            i += 2
        elif a in ("--stall", "--seconds"):
            opts[a[2:]] = float(args[i + 1])
            i += 2
        elif a == "--ttrpc":
            opts["ttrpc"] = True
            i += 1
        elif a == "--stall-until":
            opts["stall_until"] = args[i + 1]
            i += 2
        elif a == "--until-synced":
            opts["until_synced"] = int(args[i + 1])
            i += 2
        else:
            print("unknown option " + a, file=sys.stderr)
            sys.exit(2)
    pb = load_protos(proto_dir)[0]
    kinds = {"link": pb.WATCH_KIND_LINK, "address": pb.WATCH_KIND_ADDRESS,
             "route": pb.WATCH_KIND_ROUTE}
    req = pb.WatchRequest(namespaces=[pb.NamespaceRef(name=n) for n in opts["ns"]],
                          all_namespaces=opts["all"], snapshot=opts["snapshot"],
                          kinds=[kinds[k] for k in opts["kinds"].split(",") if k])
    if opts["ttrpc"]:
        ttrpc_watch(sock, proto_dir, pb, req, opts)
        return
    # No BDP probing: the HTTP/2 window stays small, so a client that does not read makes the
    # daemon queue (what a slow consumer does).
    channel = grpc.insecure_channel("unix://" + sock, options=[("grpc.http2.bdp_probe", 0)])
    m = channel.unary_stream("/nsring.v1.NsRing/Watch",
                             request_serializer=pb.WatchRequest.SerializeToString,
                             response_deserializer=pb.WatchEvent.FromString)
    stream = m(req)
    if opts["seconds"]:
        timer = threading.Timer(opts["seconds"], stream.cancel)
        timer.daemon = True
        timer.start()

    def ready():
        if opts["ready"]:
            open(opts["ready"], "w").close()
            opts["ready"] = ""

    if opts["stall"]:
        ready()
        time.sleep(opts["stall"])
    synced = 0
    try:
        for ev in stream:
            ready()
            print(json.dumps(event_json(ev)), flush=True)
            if ev.type == 4:
                synced += 1
                if opts["until_synced"] and synced >= opts["until_synced"]:
                    stream.cancel()
        print("END OK", flush=True)
    except grpc.RpcError as e:
        print("END %s %s" % (e.code().name, e.details() or ""), flush=True)
    channel.close()


if __name__ == "__main__":
    main()
