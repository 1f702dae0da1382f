# Client side of nsringd's fault and bad-input tests (test-faults.sh, test-badinput.sh): raw
# ttrpc connections that pipeline many calls and count the replies per stream id (exactly one
# each: no duplicate, none missing, none on a stream never used), gRPC calls in flight, clients
# that leave mid-call, and the table of bad inputs with the status each must get.
# Run with Debian's /usr/bin/python3 (python3-protobuf, python3-grpcio; protoc).
#
#   faults.py inflight SOCK PROTO_DIR NS PLAIN BATCH TRIGGER   one connection: PLAIN CreateLink
#       calls and a Batch of BATCH CreateLinks in NS, half of the calls, then TRIGGER, then the
#       rest; waits for every reply. TRIGGER: none | delete-rpc:NAME | unlink:PATH | kill:PID.
#       Prints one JSON document with the counts.
#   faults.py grpc-inflight SOCK PROTO_DIR NS N TRIGGER         the same over gRPC (N futures).
#   faults.py disconnect SOCK PROTO_DIR NS PLAIN BATCH ROUNDS DELAY_MS   each round: a new
#       connection sends the calls, waits DELAY_MS and closes without reading.
#   faults.py grpc-cancel SOCK PROTO_DIR NS BATCH ROUNDS DELAY_MS   a gRPC Batch, cancelled.
#   faults.py conn-cycles SOCK PROTO_DIR NS N NGRPC   N ttrpc connections and NGRPC gRPC
#       channels in turn: open, one GetLink in NS, close.
#   faults.py pipeline SOCK PROTO_DIR NS CALL...   one connection, the calls sent in one write
#       (CALL: del:NAME | del-index:N | bridge:NAME): prints the status of each, in order, as JSON.
#   faults.py badinput SOCK PROTO_DIR NETNS_DIR TMPDIR TABLE_OUT     every bad input of the
#       table; prints "ok"/"not ok" lines and writes the markdown table to TABLE_OUT.
import ctypes
import importlib
import json
import os
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from nsring_ttrpc import (  # noqa: E402
    RESPONSE, SERVICE, Conn, code_name, decode_response, envelope, frame, load_protos)


def load_pb(proto_dir):
    return load_protos(proto_dir, ["nsring/v1/nsring.proto"], prefix="nsring-faults-py.")[0]


def umount_detach(path):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.umount2(path.encode(), 2) != 0:  # MNT_DETACH
        raise OSError(ctypes.get_errno(), "umount2 " + path)


# ---------------------------------------------------------------- calls in flight

def bridge_link(pb, ns, name):
    return pb.CreateLinkRequest(namespace=pb.NamespaceRef(name=ns),
                                link=pb.Link(name=name, bridge=pb.Bridge()))


class Trigger:
    """What happens to the namespace (or the daemon) while calls are in flight."""

    def __init__(self, spec, sock, pb):
        self.kind, _, self.arg = spec.partition(":")
        self.sock, self.pb = sock, pb
        self.conn = None
        self.result = None
        self.at = None

    def fire(self):
        if self.kind == "delete-rpc":
            self.conn = Conn(self.sock)
            self.conn.send(frame(1, envelope(
                "DeleteNamespace", self.pb.DeleteNamespaceRequest(name=self.arg)
                .SerializeToString())))
        elif self.kind == "unlink":
            umount_detach(self.arg)
            os.unlink(self.arg)
        elif self.kind == "kill":
            os.kill(int(self.arg), signal.SIGTERM)
        elif self.kind != "none":
            raise ValueError("unknown trigger " + self.kind)
        self.at = time.time()

    def finish(self):
        if self.conn:
            for st, typ, body in self.conn.frames(time.monotonic() + 60):
                self.result = code_name(decode_response(body)[0])
                break
            self.conn.close()


def inflight(sock, proto_dir, ns, plain, batch, trigger):
    pb = load_pb(proto_dir)
    plain, batch = int(plain), int(batch)
    c = Conn(sock)
    tag = "%x" % os.getpid()  # names unique across runs in one namespace (<= 15 bytes)
    calls = []  # (stream, kind, nops)
    data = []
    stream = 1
    for i in range(plain):
        if i == plain // 2 and batch:
            ops = [pb.BatchOp(create_link=bridge_link(pb, ns, "fb%s.%d" % (tag, k)))
                   for k in range(batch)]
            req = pb.BatchRequest(ops=ops, mode=pb.BATCH_MODE_CONTINUE)
            data.append(frame(stream, envelope("Batch", req.SerializeToString())))
            calls.append((stream, "batch", batch))
            stream += 2
        data.append(frame(stream, envelope("CreateLink",
                                           bridge_link(pb, ns, "fp%s.%d" % (tag, i)).SerializeToString())))
        calls.append((stream, "plain", 1))
        stream += 2
    half = len(data) // 2
    trig = Trigger(trigger, sock, pb)
    t0 = time.monotonic()
    sent = 0
    # Send on a thread: a burst bigger than the socket buffer would block until replies are
    # read, and replies are read below.
    def sender():
        nonlocal sent
        if not c.send(b"".join(data[:half])):
            return
        sent = half
        time.sleep(0.005)  # let the daemon start on the first half
        trig.fire()
        if c.send(b"".join(data[half:])):
            sent = len(data)
    th = threading.Thread(target=sender)
    th.start()
    want = {st: n for st, _, n in calls}
    got = {}
    codes, batch_codes, stray, batch_results = {}, {}, 0, None
    deadline = time.monotonic() + 60
    first = None
    for st, typ, body in c.frames(deadline):
        if first is None:
            first = time.monotonic()
        if typ != RESPONSE or st not in want:
            stray += 1
            continue
        got[st] = got.get(st, 0) + 1
        if got[st] > 1:
            continue
        code, msg, payload = decode_response(body)
        codes[code_name(code)] = codes.get(code_name(code), 0) + 1
        if want[st] > 1 and code == 0:
            r = pb.BatchResponse.FromString(payload)
            batch_results = len(r.results)
            for res in r.results:
                n = code_name(res.code)
                batch_codes[n] = batch_codes.get(n, 0) + 1
        th.join(0)
        if not th.is_alive() and all(got.get(s, 0) >= 1 for s, _, _ in calls[:sent]):
            break
    th.join(10)
    trig.finish()
    sent_streams = [s for s, _, _ in calls[:sent]]
    out = {
        "calls": len(calls), "sent": sent, "answered": sum(1 for s in sent_streams if got.get(s)),
        "dup": sum(n - 1 for n in got.values() if n > 1), "stray": stray,
        "missing": sum(1 for s in sent_streams if not got.get(s)),
        "eof": c.eof, "codes": codes, "batch_ops": batch, "batch_results": batch_results,
        "batch_codes": batch_codes, "trigger": trig.result, "trigger_at": trig.at,
        "elapsed_s": round(time.monotonic() - t0, 3),
        "first_s": None if first is None else round(first - t0, 3),
    }
    c.close()
    print(json.dumps(out, sort_keys=True))


def grpc_inflight(sock, proto_dir, ns, n, trigger):
    import grpc
    pb = load_pb(proto_dir)
    n = int(n)
    ch = grpc.insecure_channel("unix://" + sock)
    m = ch.unary_unary("/%s/CreateLink" % SERVICE,
                       request_serializer=pb.CreateLinkRequest.SerializeToString,
                       response_deserializer=pb.CreateLinkResponse.FromString)
    grpc.channel_ready_future(ch).result(timeout=10)
    tag = "%x" % os.getpid()
    futs = [m.future(bridge_link(pb, ns, "fg%s.%d" % (tag, i)), timeout=60)
            for i in range(n // 2)]
    trig = Trigger(trigger, sock, pb)
    trig.fire()
    futs += [m.future(bridge_link(pb, ns, "fg%s.%d" % (tag, i)), timeout=60)
             for i in range(n // 2, n)]
    codes, hung = {}, 0
    t0 = time.monotonic()
    for f in futs:
        try:
            f.result(timeout=max(0.1, 70 - (time.monotonic() - t0)))
            name = "OK"
        except grpc.FutureTimeoutError:
            hung += 1
            continue
        except grpc.RpcError as e:
            name = e.code().name
        codes[name] = codes.get(name, 0) + 1
    trig.finish()
    ch.close()
    print(json.dumps({"calls": n, "hung": hung, "codes": codes, "trigger": trig.result,
                      "trigger_at": trig.at, "elapsed_s": round(time.monotonic() - t0, 3)}, sort_keys=True))


def disconnect(sock, proto_dir, ns, plain, batch, rounds, delay_ms):
    pb = load_pb(proto_dir)
    plain, batch, rounds = int(plain), int(batch), int(rounds)
    for r in range(rounds):
        c = Conn(sock)
        data = []
        stream = 1
        if batch:
            ops = [pb.BatchOp(create_link=bridge_link(pb, ns, "db%d" % (r * batch + k)))
                   for k in range(batch)]
            data.append(frame(stream, envelope("Batch", pb.BatchRequest(ops=ops)
                                               .SerializeToString())))
            stream += 2
        for i in range(plain):
            data.append(frame(stream, envelope(
                "CreateLink", bridge_link(pb, ns, "dp%d" % (r * plain + i)).SerializeToString())))
            stream += 2
        c.send(b"".join(data))
        time.sleep(int(delay_ms) / 1000)
        # An abortive close (RST) on odd rounds, an orderly one on even rounds.
        if r % 2:
            c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    print("rounds %d" % rounds)


def grpc_cancel(sock, proto_dir, ns, batch, rounds, delay_ms):
    import grpc
    pb = load_pb(proto_dir)
    batch, rounds = int(batch), int(rounds)
    cancelled = 0
    for r in range(rounds):
        ch = grpc.insecure_channel("unix://" + sock)
        m = ch.unary_unary("/%s/Batch" % SERVICE,
                           request_serializer=pb.BatchRequest.SerializeToString,
                           response_deserializer=pb.BatchResponse.FromString)
        ops = [pb.BatchOp(create_link=bridge_link(pb, ns, "gc%d" % (r * batch + k)))
               for k in range(batch)]
        f = m.future(pb.BatchRequest(ops=ops), timeout=60)
        time.sleep(int(delay_ms) / 1000)
        cancelled += bool(f.cancel())
        ch.close()
    print("cancelled %d of %d" % (cancelled, rounds))


def conn_cycles(sock, proto_dir, ns, n, ngrpc):
    """N ttrpc connections and NGRPC gRPC channels, one after the other: each opens, makes a
    call in NS (GetLink lo) and closes. Prints how many calls succeeded."""
    import grpc
    pb = load_pb(proto_dir)
    req = pb.GetLinkRequest(namespace=pb.NamespaceRef(name=ns), name="lo").SerializeToString()
    ok = 0
    for i in range(int(n)):
        c = Conn(sock)
        r = c.call(1, "GetLink", req)
        ok += r is not None and r[0] == 0
        if i % 2:
            c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    gok = 0
    for i in range(int(ngrpc)):
        ch = grpc.insecure_channel("unix://" + sock)
        m = ch.unary_unary("/%s/GetLink" % SERVICE, request_serializer=lambda b: b,
                           response_deserializer=lambda b: b)
        try:
            m(req, timeout=10)
            gok += 1
        except grpc.RpcError:
            pass
        ch.close()
    print("ttrpc %d/%s grpc %d/%s" % (ok, n, gok, ngrpc))


# ---------------------------------------------------------------- bad input

class BadInput:
    def __init__(self, sock, proto_dir, netns_dir, tmp, table_out):
        self.sock, self.netns_dir, self.tmp, self.table_out = sock, netns_dir, tmp, table_out
        self.pb = load_pb(proto_dir)
        self.rows = []
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok - %s" % name, flush=True)
        else:
            self.failed += 1
            print("not ok - %s%s" % (name, ": " + str(detail) if detail else ""), flush=True)
        return ok

    def serves(self, what):
        """After each bad input: a new connection gets a normal call answered."""
        try:
            c = Conn(self.sock, timeout=10)
            r = c.call(1, "ListNamespaces")
            c.close()
        except OSError as e:
            r = e
        return self.check("serves a normal call after: " + what, isinstance(r, tuple) and
                          r[0] == 0, r)

    def row(self, inp, what, status):
        self.rows.append((inp, what, status))

    # One raw-bytes case: what nsringd sends back on this connection, or whether it closes it.
    def raw(self, data, wait=3.0, follow=True):
        c = Conn(self.sock, timeout=10)
        if not c.send(data):
            c.close()
            return "closed", None
        replies = []
        deadline = time.monotonic() + wait
        for st, typ, body in c.frames(deadline):
            replies.append((st, typ, decode_response(body)))
            break
        if c.eof:
            c.close()
            return "closed", replies
        then = None
        if follow and replies:
            then = c.call(1001, "ListNamespaces", timeout=10)
        c.close()
        return ("reply", replies, then) if replies else ("open", None)

    def expect_raw_closed(self, inp, data, what):
        r = self.raw(data)
        self.check("%s: connection closed" % inp, r[0] == "closed", r)
        self.serves(inp)
        self.row(inp, what, "connection closed (no reply)")

    def expect_call(self, inp, method, payload, want, what, service=SERVICE, ns_none=False):
        r = self.raw(frame(1, envelope(method, payload, service)))
        code = r[1][0][2][0] if r[0] == "reply" else None
        msg = r[1][0][2][1] if r[0] == "reply" else ""
        self.check("%s -> %s" % (inp, want), code is not None and code_name(code) == want,
                   (r[0], code and code_name(code), msg))
        self.check("%s: the connection still serves" % inp,
                   r[0] == "reply" and r[2] is not None and r[2][0] == 0, r)
        self.serves(inp)
        self.row(inp, what + (" (`%s`)" % msg[:90] if msg else ""), "`%s`" % want)
        return msg

    def sysctl_cases(self):
        """Sysctls in namespace bi: keys outside net.*, escapes, missing keys and devices, bad
        values, and the kernel's refusals with their errno."""
        pb = self.pb
        from nsring.v1 import sysctl_pb2  # noqa: E402 (generated with nsring.proto)
        bi = pb.NamespaceRef(name="bi")

        def get(*keys):
            return pb.GetSysctlRequest(namespace=bi, keys=list(keys)).SerializeToString()

        def put(key, value):
            return pb.SetSysctlRequest(namespace=bi, sysctls=[
                sysctl_pb2.Sysctl(key=key, value=value)]).SerializeToString()
        for key in ["kernel.hostname", "net/../../kernel/hostname", "net.ipv4..ip_forward",
                    "/proc/sys/net/ipv4/ip_forward", "net", "net.ipv4.conf.a b.rp_filter",
                    "x" * 300]:
            shown = key if len(key) < 40 else key[:8] + "...(%d bytes)" % len(key)
            self.expect_call("sysctl key %r (GetSysctl)" % shown, "GetSysctl", get(key),
                             "INVALID_ARGUMENT", "refused before any file is opened")
        self.expect_call("no key (GetSysctl)", "GetSysctl", get(), "INVALID_ARGUMENT",
                         "error reply")
        self.expect_call("a key that does not exist (GetSysctl)", "GetSysctl",
                         get("net.ipv4.no_such_key"), "NOT_FOUND", "error reply naming the key")
        self.expect_call("a directory as key (net.ipv4)", "GetSysctl", get("net.ipv4"),
                         "INVALID_ARGUMENT", "error reply")
        self.expect_call("a device that does not exist (SetSysctl, IPv4 devconf over rtnetlink)",
                         "SetSysctl", put("net.ipv4.conf.nodev.rp_filter", "1"), "NOT_FOUND",
                         "error reply naming the key")
        self.expect_call("kernel.hostname (SetSysctl)", "SetSysctl", put("kernel.hostname", "x"),
                         "INVALID_ARGUMENT", "refused before any file is opened")
        for value in ["", "1\x01", "1\n2", "x" * 1025]:
            shown = value if len(value) < 20 else "...(%d bytes)" % len(value)
            self.expect_call("sysctl value %r (SetSysctl)" % shown, "SetSysctl",
                             put("net.ipv4.ip_forward", value), "INVALID_ARGUMENT",
                             "refused before any file is opened")
        self.expect_call("a value the kernel refuses (addr_gen_mode 9)", "SetSysctl",
                         put("net.ipv6.conf.all.addr_gen_mode", "9"), "INVALID_ARGUMENT",
                         "the kernel's refusal with its errno (EINVAL)")
        self.expect_call("a read-only key (mc_forwarding)", "SetSysctl",
                         put("net.ipv4.conf.all.mc_forwarding", "1"), "PERMISSION_DENIED",
                         "error reply")
        self.expect_call("sysctls of a bad CreateNamespace (kernel.hostname)", "CreateNamespace",
                         pb.CreateNamespaceRequest(name="bi-sysctl", sysctls=[
                             sysctl_pb2.Sysctl(key="kernel.hostname", value="x")])
                         .SerializeToString(), "INVALID_ARGUMENT",
                         "refused before the namespace is made")
        self.check("a refused CreateNamespace made no namespace",
                   not os.path.exists(os.path.join(self.netns_dir, "bi-sysctl")))

    def run(self):
        pb = self.pb
        NS = pb.NamespaceRef

        def links(ref):
            return pb.ListLinksRequest(namespace=ref).SerializeToString()

        # -- framing
        c = Conn(self.sock)
        c.send(frame(1, envelope("CreateNamespace", b"\x0a\x02tf"))[:20])
        c.close()
        self.serves("a truncated frame, then disconnect")
        self.row("truncated frame (a CreateNamespace cut after 20 bytes), then disconnect",
                 "nothing runs; the daemon frees the connection", "none (closed by the client)")
        # A truncated frame on an open connection: nsringd waits for the rest (no reply, no
        # timeout); nothing runs.
        r = self.raw(frame(1, b"\x0a\x02ab", length=100), wait=1.0, follow=False)
        self.check("truncated frame, connection kept open: no reply, nothing runs", r[0] == "open", r)
        self.serves("a truncated frame left open")
        self.row("truncated frame, client stays", "the daemon waits for the rest of the frame; "
                 "other connections are served", "none (until the frame completes)")
        self.expect_raw_closed("huge length (0xffffffff)", frame(1, b"", length=0xFFFFFFFF),
                               "the frame is over the 4 MiB limit: the daemon closes that "
                               "connection, reads nothing more from it")
        self.expect_raw_closed("length 4 MiB + 1", frame(1, b"", length=(4 << 20) + 1),
                               "over the limit by one byte: closed")
        self.expect_raw_closed("frame of type 2 (a response) from a client",
                               frame(1, b"", typ=RESPONSE), "protocol violation: closed")
        self.expect_raw_closed("request on stream 0", frame(0, envelope("ListNamespaces")),
                               "protocol violation: closed")
        self.expect_raw_closed("garbage bytes (not ttrpc, not HTTP/2)",
                               b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + b"\0" * 16,
                               "the header decodes to an absurd length: closed")
        # -- protobuf
        r = self.raw(frame(1, b"\xff\xff\xff\xff\xff\xff"))
        code = r[1][0][2][0] if r[0] == "reply" else None
        self.check("undecodable ttrpc.Request -> INVALID_ARGUMENT", code == 3, r)
        self.check("undecodable ttrpc.Request: the connection still serves",
                   r[0] == "reply" and r[2] is not None and r[2][0] == 0, r)
        self.serves("an undecodable envelope")
        self.row("wrong protobuf: a ttrpc.Request that does not decode",
                 "an error reply on that stream; the connection lives", "`INVALID_ARGUMENT`")
        self.expect_call("wrong protobuf: a payload that does not decode (CreateNamespace)",
                         "CreateNamespace", b"\xff\xff", "INVALID_ARGUMENT",
                         "error reply; nothing runs")
        # A valid message of the wrong type: a GetLinkRequest sent as CreateNamespace (its
        # field 2 is unknown there and skipped; the required name is missing).
        self.expect_call("wrong protobuf: a GetLinkRequest sent to CreateNamespace",
                         "CreateNamespace", pb.GetLinkRequest(name="lo").SerializeToString(),
                         "INVALID_ARGUMENT", "its fields do not match: the name is missing")
        self.expect_call("wrong protobuf: field with the wrong wire type (name as varint)",
                         "CreateNamespace", b"\x08\x01", "INVALID_ARGUMENT",
                         "error reply; nothing runs")
        # -- methods
        self.expect_call("unknown method (ttrpc)", "NoSuchMethod", b"", "UNIMPLEMENTED",
                         "error reply naming the method")
        self.expect_call("unknown service (ttrpc)", "ListNamespaces", b"", "UNIMPLEMENTED",
                         "error reply", service="other.Service")
        self.grpc_cases()
        # -- names
        for name in ["../escape", "a/b", "..", "", "x" * 256, "\n\x01x", "tab\tname", "del\x7f"]:
            shown = name if len(name) < 20 else name[:8] + "...(%d bytes)" % len(name)
            self.expect_call("bad namespace name %r (CreateNamespace)" % shown, "CreateNamespace",
                             pb.CreateNamespaceRequest(name=name).SerializeToString(),
                             "INVALID_ARGUMENT", "refused before any file is touched")
        self.check("no file escaped the netns dir",
                   not os.path.exists(os.path.join(self.netns_dir, "..", "escape")))
        self.neigh_cases(pb, NS)
        self.expect_call("unknown namespace name (ListLinks)", "ListLinks",
                         links(NS(name="no-such-ns")), "NOT_FOUND", "error reply")
        self.sysctl_cases()
        for ifname in ["", "0123456789abcdef", "a b", "a/b"]:
            self.expect_call("bad interface name %r (CreateLink)" % ifname, "CreateLink",
                             pb.CreateLinkRequest(namespace=NS(name="bi"), link=pb.Link(
                                 name=ifname, bridge=pb.Bridge())).SerializeToString(),
                             "INVALID_ARGUMENT", "refused before any netlink request")
        self.tc_cases()
        # -- link kinds, attributes, bridge ports and VLANs: each names the bad field
        bi = NS(name="bi")
        for inp, link, field in [
                ("a VLAN id outside 1..4094 (4095)",
                 pb.Link(name="x0", vlan=pb.Vlan(parent="lo", id=4095)), "link.vlan.id"),
                ("a bond mode that does not exist",
                 pb.Link(name="x0", bond=pb.Bond(mode="nosuch")), "link.bond.mode"),
                ("conflicting tunnel addresses (gre, IPv4 local, IPv6 remote)",
                 pb.Link(name="x0", gre=pb.Tunnel(local="198.18.0.1", remote="2001:db8::2")),
                 "link.gre.remote"),
                ("keys on an ipip tunnel", pb.Link(name="x0", ipip=pb.Tunnel(ikey=1)),
                 "link.ipip.ikey"),
                ("an unknown addr_gen_mode",
                 pb.Link(name="x0", bridge=pb.Bridge(), addr_gen_mode="eui48"), "addr_gen_mode")]:
            msg = self.expect_call("%s (CreateLink)" % inp, "CreateLink",
                                   pb.CreateLinkRequest(namespace=bi, link=link)
                                   .SerializeToString(), "INVALID_ARGUMENT",
                                   "refused before any netlink request")
            self.check("%s: the message names %s" % (inp, field), field in msg, msg)
        msg = self.expect_call("master naming a link that is not a master kind (lo)",
                               "CreateLink", pb.CreateLinkRequest(
                                   namespace=bi, link=pb.Link(name="x0", bridge=pb.Bridge()),
                                   master="lo").SerializeToString(),
                               "INVALID_ARGUMENT", "refused before the create is sent")
        self.check("master lo: the message names the master field", "invalid master" in msg, msg)
        self.expect_call("bridge port update without any flag (UpdateBridgePort)",
                         "UpdateBridgePort", pb.UpdateBridgePortRequest(
                             namespace=bi, name="lo", port=pb.BridgePort()).SerializeToString(),
                         "INVALID_ARGUMENT", "refused before any netlink request")
        self.expect_call("bridge VLAN id 0 (CreateBridgeVlan)", "CreateBridgeVlan",
                         pb.CreateBridgeVlanRequest(namespace=bi, dev="lo",
                                                    vlan=pb.BridgeVlan(vid=0))
                         .SerializeToString(), "INVALID_ARGUMENT",
                         "refused before any netlink request")
        msg = self.expect_call("a tap that is not persistent (CreateLink)", "CreateLink",
                               pb.CreateLinkRequest(namespace=bi, link=pb.Link(
                                   name="t0", tun=pb.Tun(tap=True))).SerializeToString(),
                               "INVALID_ARGUMENT", "refused: nothing would hold it open")
        self.check("non-persistent tap: names link.tun.persistent",
                   "link.tun.persistent" in msg, msg)
        msg = self.expect_call("a tap owner that is not a user (uid 3999999999)", "CreateLink",
                               pb.CreateLinkRequest(namespace=bi, link=pb.Link(
                                   name="t0", tun=pb.Tun(tap=True, persistent=True,
                                                         owner=3999999999)))
                               .SerializeToString(), "INVALID_ARGUMENT",
                               "refused before /dev/net/tun is opened")
        self.check("tap owner: names link.tun.owner", "link.tun.owner" in msg, msg)
        self.routing_cases(pb, NS)
        # -- paths
        outside = os.path.join(self.tmp, "outside-ns")
        self.expect_call("path outside the prefixes (%s)" % outside, "ListLinks",
                         links(NS(path=outside)), "PERMISSION_DENIED",
                         "refused before the file is opened")
        self.expect_call("path escaping a prefix with .. (/proc/../etc/passwd)", "ListLinks",
                         links(NS(path="/proc/../etc/passwd")), "PERMISSION_DENIED",
                         "judged on the canonical directory")
        link = os.path.join(self.netns_dir, "symlink-out")
        self.expect_call("symlink in the netns dir to a namespace outside", "ListLinks",
                         links(NS(path=link)), "PERMISSION_DENIED", "symlinks are refused")
        self.expect_call("relative path", "ListLinks", links(NS(path="relative/ns")),
                         "INVALID_ARGUMENT", "must be absolute")
        # -- not a network namespace
        self.expect_call("a regular file as namespace (name of a plain file in the netns dir)",
                         "ListLinks", links(NS(name="plainfile")), "INVALID_ARGUMENT",
                         "opened and checked with NS_GET_NSTYPE: not nsfs")
        self.expect_call("a regular file under /proc as namespace path (/proc/self/status)",
                         "ListLinks", links(NS(path="/proc/self/status")), "INVALID_ARGUMENT",
                         "not nsfs")
        self.expect_call("another namespace type (a UTS namespace bind-mounted in the netns dir)",
                         "ListLinks", links(NS(name="utsns")), "INVALID_ARGUMENT",
                         "an nsfs file, but NS_GET_NSTYPE says it is not a network namespace")
        self.expect_call("another namespace type by path (/proc/1/ns/mnt)", "ListLinks",
                         links(NS(path="/proc/1/ns/mnt")), "PERMISSION_DENIED",
                         "a symlink under /proc other than /proc/PID/ns/net: refused by the "
                         "prefix rule before it is opened")
        self.expect_call("a directory as namespace path (/proc/1)", "ListLinks",
                         links(NS(path="/proc/1")), "INVALID_ARGUMENT", "not nsfs")
        self.expect_call("a missing file under a prefix (/proc/999999999/ns/net)", "ListLinks",
                         links(NS(path="/proc/999999999/ns/net")), "NOT_FOUND", "ENOENT")
        self.sockets_cases()
        # -- pids
        p = subprocess.Popen(["true"])
        p.wait()
        self.expect_call("a pid that exited (%d)" % p.pid, "ListLinks", links(NS(pid=p.pid)),
                         "NOT_FOUND", "the process is gone")
        self.expect_call("a negative pid (-1)", "ListLinks", links(NS(pid=-1)),
                         "INVALID_ARGUMENT", "error reply")
        self.expect_call("a pid beyond pid_max (2147483647)", "ListLinks",
                         links(NS(pid=2147483647)), "NOT_FOUND", "no such process")
        # -- connections
        self.many_connections(1000)
        with open(self.table_out, "w") as f:
            f.write("| input | what happens | status |\n| --- | --- | --- |\n")
            for inp, what, status in self.rows:
                f.write("| %s | %s | %s |\n" % (inp.replace("|", "\\|"),
                                                what.replace("|", "\\|"), status))
        print("%d passed, %d failed" % (self.passed, self.failed))
        return self.failed == 0

    def sockets_cases(self):
        """OpenSocket, OpenNamespace and Netlink (docs/sockets.md) on namespace bi: refused
        before any helper thread or netlink request; over gRPC, fds cannot travel. These raw
        clients read without ancillary space, so any fd sent would be dropped by the kernel:
        test-badinput.sh's fd baseline covers the daemon's side."""
        pb = self.pb
        sk = importlib.import_module("nsring.v1.socket_pb2")
        bi = pb.NamespaceRef(name="bi")

        def sock(domain, typ, proto=0):
            return pb.OpenSocketRequest(namespace=bi, socket=sk.SocketSpec(
                domain=domain, type=typ, protocol=proto)).SerializeToString()

        def nl(data, proto=0, **kw):
            return pb.NetlinkRequest(namespace=bi, protocol=proto, messages=data,
                                     **kw).SerializeToString()

        hdr = struct.Struct("=IHHII")
        getlink = hdr.pack(32, 18, 0x301, 1, 0) + bytes(16)
        for inp, method, body, want, what in [
            ("OpenSocket without its socket spec", "OpenSocket",
             pb.OpenSocketRequest(namespace=bi).SerializeToString(), "INVALID_ARGUMENT",
             "names the field"),
            ("OpenSocket domain 31 (AF_BLUETOOTH, not in the list)", "OpenSocket", sock(31, 1),
             "INVALID_ARGUMENT", "refused before a helper thread starts"),
            ("OpenSocket type 7", "OpenSocket", sock(2, 7), "INVALID_ARGUMENT", "likewise"),
            ("OpenSocket AF_NETLINK protocol 40", "OpenSocket", sock(16, 3, 40),
             "INVALID_ARGUMENT", "netlink protocols are 0-31"),
            ("OpenSocket AF_INET SOCK_STREAM IPPROTO_UDP", "OpenSocket", sock(2, 1, 17),
             "UNIMPLEMENTED", "the kernel's EPROTONOSUPPORT, from inside the namespace"),
            ("OpenNamespace of an unknown name", "OpenNamespace",
             pb.OpenNamespaceRequest(namespace=pb.NamespaceRef(name="no-such-ns"))
             .SerializeToString(), "NOT_FOUND", "error reply, no fd"),
            ("Netlink protocol 9 (audit, not in the list)", "Netlink", nl(getlink, 9),
             "INVALID_ARGUMENT", "refused before any socket is opened"),
            ("Netlink message whose nlmsg_len lies (4096, 32 bytes sent)", "Netlink",
             nl(hdr.pack(4096, 18, 0x301, 1, 0) + bytes(16)), "INVALID_ARGUMENT",
             "names the message and the field"),
            ("Netlink control message type (NLMSG_DONE) as a request", "Netlink",
             nl(hdr.pack(16, 3, 1, 1, 0)), "INVALID_ARGUMENT", "likewise"),
            ("Netlink 65 messages in one call", "Netlink", nl(getlink * 65), "INVALID_ARGUMENT",
             "at most 64"),
            ("Netlink timeout_ms 70000", "Netlink", nl(getlink, timeout_ms=70000),
             "INVALID_ARGUMENT", "at most 60000"),
        ]:
            self.expect_call(inp, method, body, want, what)
        import grpc
        ch = grpc.insecure_channel("unix://" + self.sock)
        m = ch.unary_unary("/%s/OpenSocket" % SERVICE, request_serializer=lambda b: b,
                           response_deserializer=lambda b: b)
        try:
            m(sock(2, 1), timeout=10)
            code, msg = "OK", ""
        except grpc.RpcError as e:
            code, msg = e.code().name, e.details() or ""
        ch.close()
        self.check("OpenSocket over gRPC -> FAILED_PRECONDITION", code == "FAILED_PRECONDITION"
                   and "ttrpc" in msg, (code, msg))
        self.serves("OpenSocket over gRPC")
        self.row("OpenSocket (or OpenNamespace) over gRPC", "HTTP/2 cannot carry fds; refused "
                 "before any work (`%s`)" % msg[:90], "`FAILED_PRECONDITION`")
    def tc_cases(self):
        """Traffic control in namespace bi: bad specs refused before any request, the kernel's
        refusals (kinds it lacks, a handle clash, a missing parent) with their statuses."""
        pb = self.pb
        tc = importlib.import_module("nsring.v1.tc_pb2")
        bi = pb.NamespaceRef(name="bi")

        def qdisc(mode=0, **kw):
            return pb.CreateQdiscRequest(namespace=bi, qdisc=tc.Qdisc(link_name="lo", **kw),
                                         mode=mode).SerializeToString()

        def filt(**kw):
            return pb.CreateFilterRequest(namespace=bi, filter=tc.Filter(
                link_name="lo", **kw)).SerializeToString()
        tbf = tc.Tbf(rate=125000, burst=10240, latency_us=10000)
        # The first request to open bi in the daemon: its helper thread's setns can take seconds
        # on a loaded machine, more than a case's wait for its reply.
        c = Conn(self.sock, timeout=30)
        warm = c.call(1, "ListQdiscs", pb.ListQdiscsRequest(namespace=bi).SerializeToString())
        c.close()
        self.check("ListQdiscs in bi (opens it before the timed cases)",
                   isinstance(warm, tuple) and warm[0] == 0, warm)
        self.expect_call("CreateQdisc without a kind", "CreateQdisc", qdisc(),
                         "INVALID_ARGUMENT", "refused before any request, naming the kinds")
        self.expect_call("CreateQdisc tbf without a rate", "CreateQdisc",
                         qdisc(tbf=tc.Tbf(burst=10240, latency_us=10000)), "INVALID_ARGUMENT",
                         "names tbf.rate")
        self.expect_call("CreateQdisc tbf with limit and latency", "CreateQdisc",
                         qdisc(tbf=tc.Tbf(rate=1, burst=1, limit=1, latency_us=1)),
                         "INVALID_ARGUMENT", "exactly one of them")
        self.expect_call("CreateQdisc netem loss 150%", "CreateQdisc",
                         qdisc(netem=tc.Netem(loss=150)), "INVALID_ARGUMENT",
                         "names netem.loss: not a percentage")
        self.expect_call("CreateQdisc with handle \"zz:\"", "CreateQdisc",
                         qdisc(handle="zz:", tbf=tbf), "INVALID_ARGUMENT", "names the handle")
        self.expect_call("CreateQdisc mode 7", "CreateQdisc", qdisc(mode=7, tbf=tbf),
                         "INVALID_ARGUMENT", "not add, replace or change")
        self.expect_call("CreateQdisc on a link that does not exist", "CreateQdisc",
                         pb.CreateQdiscRequest(namespace=bi, qdisc=tc.Qdisc(
                             link_name="nope", tbf=tbf)).SerializeToString(), "NOT_FOUND",
                         "names the link")
        self.expect_call("CreateQdisc netem (a kind this kernel lacks)", "CreateQdisc",
                         qdisc(netem=tc.Netem(delay_ns=10000000)), "INVALID_ARGUMENT",
                         "the kernel refuses (ENOENT); the message names the missing kind")
        self.expect_call("CreateQdisc htb 1: at root", "CreateQdisc",
                         qdisc(handle="1:", htb=tc.Htb()), "OK", "a fixture for the clash")
        self.expect_call("CreateClass 1:10", "CreateClass", pb.CreateClassRequest(
            namespace=bi, tclass=tc.TrafficClass(link_name="lo", classid="1:10", parent="1:",
                                                 htb=tc.HtbClass(rate=125000))
        ).SerializeToString(), "OK", "a fixture for the clash")
        self.expect_call("qdisc handle clash (pfifo 1: under 1:10 while 1: is htb's)",
                         "CreateQdisc", qdisc(parent="1:10", handle="1:", pfifo=tc.Fifo()),
                         "ALREADY_EXISTS", "the kernel's refusal names the handle")
        self.expect_call("CreateClass with classid 1: (minor 0)", "CreateClass",
                         pb.CreateClassRequest(namespace=bi, tclass=tc.TrafficClass(
                             link_name="lo", classid="1:", parent="1:",
                             htb=tc.HtbClass(rate=1))).SerializeToString(),
                         "INVALID_ARGUMENT", "names classid")
        self.expect_call("CreateFilter on a missing parent qdisc (5:)", "CreateFilter",
                         filt(parent="5:", u32=tc.U32()), "NOT_FOUND",
                         "the kernel's refusal, named: no such parent qdisc")
        self.expect_call("CreateFilter without a parent", "CreateFilter", filt(u32=tc.U32()),
                         "INVALID_ARGUMENT", "names parent")
        self.expect_call("CreateFilter bpf", "CreateFilter",
                         filt(parent="1:", bpf=tc.BpfFilter(name="p")), "INVALID_ARGUMENT",
                         "no program loading: refused, saying so")
        self.expect_call("CreateFilter with 5 actions", "CreateFilter",
                         filt(parent="1:", u32=tc.U32(), actions=[
                             tc.Action(gact=tc.TC_VERDICT_PASS)] * 5), "INVALID_ARGUMENT",
                         "at most 4")
        self.expect_call("CreateFilter u32 key at offset 3", "CreateFilter",
                         filt(parent="1:", u32=tc.U32(keys=[tc.U32Key(offset=3)])),
                         "INVALID_ARGUMENT", "names the key's offset")
        self.expect_call("CreateFilter mirred to a missing link", "CreateFilter",
                         filt(parent="1:", u32=tc.U32(), actions=[
                             tc.Action(mirred=tc.Mirred(redirect=True, dev="nope"))]),
                         "NOT_FOUND", "names the target link")
        self.expect_call("ListClasses without a link", "ListClasses",
                         pb.ListClassesRequest(namespace=bi).SerializeToString(),
                         "INVALID_ARGUMENT", "names link_name")
        self.expect_call("DeleteQdisc root (cleanup)", "DeleteQdisc", pb.DeleteQdiscRequest(
            namespace=bi, qdisc=tc.Qdisc(link_name="lo")).SerializeToString(), "OK",
                         "the fixture goes")
        self.expect_call("DeleteQdisc root when there is none", "DeleteQdisc",
                         pb.DeleteQdiscRequest(namespace=bi, qdisc=tc.Qdisc(
                             link_name="lo")).SerializeToString(), "NOT_FOUND",
                         "nothing to delete")

    def neigh_cases(self, pb, NS):
        """Neighbours and FDB entries: refused naming the field, before any request is sent
        (the namespace is not even opened)."""
        nb = importlib.import_module("nsring.v1.neigh_pb2")  # generated by load_pb
        ns = NS(name="bi")
        cases = [
            ("CreateNeighbor with address 198.18.0.300", "CreateNeighbor",
             pb.CreateNeighborRequest(namespace=ns, neighbor=nb.Neighbor(
                 dev="x0", address="198.18.0.300"))),
            ("CreateNeighbor with lladdr 02:zz", "CreateNeighbor",
             pb.CreateNeighborRequest(namespace=ns, neighbor=nb.Neighbor(
                 dev="x0", address="198.18.0.2", lladdr="02:zz"))),
            ("CreateNeighbor without dev", "CreateNeighbor",
             pb.CreateNeighborRequest(namespace=ns, neighbor=nb.Neighbor(address="198.18.0.2"))),
            ("CreateNeighbor proxy with an lladdr", "CreateNeighbor",
             pb.CreateNeighborRequest(namespace=ns, neighbor=nb.Neighbor(
                 dev="x0", address="198.18.0.2", lladdr="02:00:00:00:00:01", proxy=True))),
            ("CreateNeighbor router flag on IPv4", "CreateNeighbor",
             pb.CreateNeighborRequest(namespace=ns, neighbor=nb.Neighbor(
                 dev="x0", address="198.18.0.2", router=True))),
            ("ListNeighbors family 5", "ListNeighbors",
             pb.ListNeighborsRequest(namespace=ns, family=5)),
            ("CreateFdbEntry with MAC 02:00:00:00:01", "CreateFdbEntry",
             pb.CreateFdbEntryRequest(namespace=ns, entry=nb.FdbEntry(
                 dev="x0", mac="02:00:00:00:01"))),
            ("CreateFdbEntry with vlan 4095", "CreateFdbEntry",
             pb.CreateFdbEntryRequest(namespace=ns, entry=nb.FdbEntry(
                 dev="x0", mac="02:00:00:00:01:01", vlan=4095))),
            ("CreateFdbEntry with vni 2^24", "CreateFdbEntry",
             pb.CreateFdbEntryRequest(namespace=ns, entry=nb.FdbEntry(
                 dev="x0", mac="02:00:00:00:01:01", dst="198.18.0.9", vni=1 << 24))),
            ("CreateFdbEntry with dst 198.18.0.300", "CreateFdbEntry",
             pb.CreateFdbEntryRequest(namespace=ns, entry=nb.FdbEntry(
                 dev="x0", mac="00:00:00:00:00:00", dst="198.18.0.300"), append=True)),
            ("CreateFdbEntry append without dst", "CreateFdbEntry",
             pb.CreateFdbEntryRequest(namespace=ns, entry=nb.FdbEntry(
                 dev="x0", mac="00:00:00:00:00:00"), append=True)),
            ("CreateFdbEntry append and replace", "CreateFdbEntry",
             pb.CreateFdbEntryRequest(namespace=ns, entry=nb.FdbEntry(
                 dev="x0", mac="00:00:00:00:00:00", dst="198.18.0.9"), append=True,
                 replace=True)),
            ("DeleteFdbEntry with interface name a/b", "DeleteFdbEntry",
             pb.DeleteFdbEntryRequest(namespace=ns, entry=nb.FdbEntry(
                 dev="a/b", mac="02:00:00:00:01:01"))),
        ]
        for inp, method, req in cases:
            self.expect_call(inp, method, req.SerializeToString(), "INVALID_ARGUMENT",
                             "refused naming the field, before any netlink request")

    def routing_cases(self, pb, NS):
        """Rules, nexthops, route options, route get: refused naming the field, before any
        request (or, for what only the kernel knows, with its errno and extack)."""
        rt = importlib.import_module("nsring.v1.routing_pb2")  # generated by load_pb
        ns = NS(name="bi")
        rule = pb.CreateRuleRequest
        nh = pb.CreateNexthopRequest
        for inp, method, req, want, field in [
            ("rule with both a table and blackhole", "CreateRule",
             rule(namespace=ns, rule=rt.Rule(**{"from": "198.18.1.0/24"}, table=100,
                                             action=rt.RULE_ACTION_BLACKHOLE)),
             "INVALID_ARGUMENT", "rule.table"),
            ("rule from IPv4 to IPv6 (family mismatch)", "CreateRule",
             rule(namespace=ns, rule=rt.Rule(**{"from": "198.18.1.0/24"}, to="2001:db8::/32",
                                             table=100)),
             "INVALID_ARGUMENT", "rule.to"),
            ("rule of family 4 from an IPv6 prefix", "CreateRule",
             rule(namespace=ns, rule=rt.Rule(**{"from": "2001:db8::/32"}, family=4, table=100)),
             "INVALID_ARGUMENT", "rule.from"),
            ("rule without a table or action", "CreateRule",
             rule(namespace=ns, rule=rt.Rule(**{"from": "198.18.1.0/24"})),
             "INVALID_ARGUMENT", "rule.table"),
            ("rule with a reversed port range", "CreateRule",
             rule(namespace=ns, rule=rt.Rule(table=5, dport=rt.PortRange(start=90, end=80))),
             "INVALID_ARGUMENT", "rule.dport"),
            ("rule with goto backwards", "CreateRule",
             rule(namespace=ns, rule=rt.Rule(priority=100, action=rt.RULE_ACTION_GOTO,
                                             goto_priority=50)),
             "INVALID_ARGUMENT", "rule.goto_priority"),
            ("nexthop group with a gateway", "CreateNexthop",
             nh(namespace=ns, nexthop=rt.Nexthop(id=5, gateway="198.18.0.2", group=[
                 rt.NexthopGroupMember(id=1)])),
             "INVALID_ARGUMENT", "nexthop.group"),
            ("nexthop group naming itself", "CreateNexthop",
             nh(namespace=ns, nexthop=rt.Nexthop(id=5, group=[rt.NexthopGroupMember(id=5)])),
             "INVALID_ARGUMENT", "nexthop.group[0]"),
            ("nexthop gateway of another family than nexthop.family", "CreateNexthop",
             nh(namespace=ns, nexthop=rt.Nexthop(id=5, family=4, gateway="2001:db8::2",
                                                 dev="lo")),
             "INVALID_ARGUMENT", "nexthop.gateway"),
            ("nexthop group naming a missing id", "CreateNexthop",
             nh(namespace=ns, nexthop=rt.Nexthop(id=5, group=[rt.NexthopGroupMember(id=999)])),
             "INVALID_ARGUMENT", "Invalid nexthop id"),
            ("route with nhid and a gateway", "CreateRoute",
             pb.CreateRouteRequest(namespace=ns, route=pb.Route(
                 destination="198.18.9.0/24", nhid=3, gateway="198.18.0.2")),
             "INVALID_ARGUMENT", "route.nhid"),
            ("IPv6 route with an IPv4 path gateway", "CreateRoute",
             pb.CreateRouteRequest(namespace=ns, route=pb.Route(
                 destination="2001:db8:9::/48", paths=[rt.RoutePath(gateway="198.18.0.2")])),
             "INVALID_ARGUMENT", "route.paths[0].gateway"),
            ("route get with iif but no from", "GetRoute",
             pb.GetRouteRequest(namespace=ns, destination="198.18.0.1", iif="lo"),
             "INVALID_ARGUMENT", "iif needs from"),
        ]:
            msg = self.expect_call(inp, method, req.SerializeToString(), want,
                                   "refused, naming `%s`" % field)
            self.check("%s: the message names %s" % (inp, field), field in msg, msg)

    def grpc_cases(self):
        import grpc
        ch = grpc.insecure_channel("unix://" + self.sock)

        def call(path, req_bytes, timeout=10):
            m = ch.unary_unary(path, request_serializer=lambda b: b,
                               response_deserializer=lambda b: b)
            try:
                m(req_bytes, timeout=timeout)
                return "OK", ""
            except grpc.RpcError as e:
                return e.code().name, e.details() or ""

        for inp, path, body, want, what in [
            ("unknown method (gRPC)", "/%s/NoSuchMethod" % SERVICE, b"", "UNIMPLEMENTED",
             "trailers with the status; the connection lives"),
            ("unknown service (gRPC)", "/other.Service/ListNamespaces", b"", "UNIMPLEMENTED",
             "likewise"),
            ("wrong protobuf (gRPC): a payload that does not decode", "/%s/CreateNamespace" %
             SERVICE, b"\xff\xff", "INVALID_ARGUMENT", "error status; nothing runs"),
            ("gRPC message over 4 MiB", "/%s/CreateNamespace" % SERVICE,
             b"\x0a\x80\x80\x80\x02" + b"x" * (4 << 20), "RESOURCE_EXHAUSTED",
             "refused; the connection lives"),
        ]:
            code, msg = call(path, body)
            self.check("%s -> %s" % (inp, want), code == want, (code, msg))
            ok, _ = call("/%s/ListNamespaces" % SERVICE, b"")
            self.check("%s: the channel still serves" % inp, ok == "OK", ok)
            self.serves(inp)
            self.row(inp, what + (" (`%s`)" % msg[:90] if msg else ""), "`%s`" % want)
        ch.close()

    def many_connections(self, n):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < n + 100:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 200), hard))
        errors = []

        def worker(k, out):
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(20)
                s.connect(self.sock)
                # Some send half a request, some a whole one, some nothing; then all drop.
                if k % 3 == 1:
                    s.sendall(frame(1, envelope("ListNamespaces"))[:7])
                elif k % 3 == 2:
                    s.sendall(frame(1, envelope("ListNamespaces")))
                out.append(s)
            except OSError as e:
                errors.append(str(e))
        socks = []
        threads = [threading.Thread(target=worker, args=(k, socks)) for k in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        held = len(socks)
        for s in socks:
            s.close()
        self.check("%d concurrent connections opened (%d errors)" % (held, len(errors)),
                   held + len(errors) == n, errors[:3])
        self.serves("%d concurrent connections opening and dropping" % n)
        self.row("%d concurrent connections opening and dropping (a third send nothing, a third "
                 "half a request, a third a whole request)" % n,
                 "all accepted (limit `--max-connections`, default 1024; past it a connection is "
                 "closed at once); each dropped connection is freed, calls of dropped clients "
                 "have their replies discarded", "none (closed by the client)")


def pipeline(sock, proto_dir, ns, *specs):
    pb = load_pb(proto_dir)
    ref = pb.NamespaceRef(name=ns)
    data, streams = [], []
    for i, spec in enumerate(specs):
        kind, _, arg = spec.partition(":")
        if kind == "del":
            m, req = "DeleteLink", pb.DeleteLinkRequest(namespace=ref, name=arg)
        elif kind == "del-index":
            m, req = "DeleteLink", pb.DeleteLinkRequest(namespace=ref, index=int(arg))
        elif kind == "bridge":
            m, req = "CreateLink", bridge_link(pb, ns, arg)
        else:
            raise ValueError("unknown call " + spec)
        data.append(frame(2 * i + 1, envelope(m, req.SerializeToString())))
        streams.append(2 * i + 1)
    c = Conn(sock)
    c.send(b"".join(data))
    got = {}
    for st, typ, body in c.frames(time.monotonic() + 60):
        if typ == RESPONSE and st in streams and st not in got:
            code, msg, _ = decode_response(body)
            got[st] = (code_name(code), msg)
        if len(got) == len(streams):
            break
    c.close()
    print(json.dumps({"codes": [got.get(s, ("MISSING", ""))[0] for s in streams],
                      "msgs": [got.get(s, ("", ""))[1] for s in streams]}))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "inflight":
        inflight(*args)
    elif cmd == "grpc-inflight":
        grpc_inflight(*args)
    elif cmd == "disconnect":
        disconnect(*args)
    elif cmd == "grpc-cancel":
        grpc_cancel(*args)
    elif cmd == "conn-cycles":
        conn_cycles(*args)
    elif cmd == "pipeline":
        pipeline(*args)
    elif cmd == "badinput":
        sys.exit(0 if BadInput(*args).run() else 1)
    else:
        sys.exit("unknown command " + cmd)


main()
