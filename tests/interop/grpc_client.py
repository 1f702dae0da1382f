#!/usr/bin/python3
# Interop: Python grpcio (Debian python3-grpcio) against nsringd's gRPC transport.
#
# Usage: grpc_client.py main SOCKET PROTO_DIR NSRINGCTL
#        grpc_client.py watch SOCKET PROTO_DIR
# "main" calls every RPC of nsring.v1.NsRing (Watch: snapshot, live events, cancellation),
# checks error codes, deadlines, cancellation,
# health, reflection and ttrpc (nsringctl) next to gRPC on the same socket. "watch" opens a
# Health.Watch, prints "watching" once SERVING arrived, and checks that the daemon's stop sends
# NOT_SERVING (the caller stops the daemon). Message classes come from protoc --python_out at
# run time (Debian's grpc tools are too old for stubs), so methods are called through
# channel.unary_unary() and friends. Prints one line per check and "N passed, M failed".
import os
import queue
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import grpc  # noqa: E402
import nsring_ttrpc as ttrpc  # noqa: E402
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory  # noqa: E402

PASSED = 0
FAILED = 0
SERVICE = "nsring.v1.NsRing"
METHODS = {
    "CreateNamespace", "DeleteNamespace", "ListNamespaces", "CreateLink", "GetLink",
    "ListLinks", "UpdateLink", "DeleteLink", "CreateAddress", "DeleteAddress",
    "ListAddresses", "CreateRoute", "DeleteRoute", "ListRoutes", "Batch", "Watch",
    "OpenSocket", "OpenNamespace", "Netlink", "GetSysctl", "SetSysctl",
    "CreateQdisc", "DeleteQdisc", "ListQdiscs", "CreateClass", "DeleteClass", "ListClasses",
    "CreateFilter", "DeleteFilter", "ListFilters",
    "UpdateBridgePort", "CreateBridgeVlan", "DeleteBridgeVlan", "ListBridgeVlans",
    "CreateNeighbor", "DeleteNeighbor", "ListNeighbors", "CreateFdbEntry", "DeleteFdbEntry",
    "ListFdbEntries",
    "GetRoute", "CreateRule", "DeleteRule", "ListRules", "CreateNexthop", "DeleteNexthop",
    "ListNexthops",
}


def check(name, ok, detail=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print("PASS %s" % name, flush=True)
    else:
        FAILED += 1
        print("FAIL %s%s" % (name, ": " + str(detail) if detail else ""),
              flush=True)
    return ok


def load_protos(proto_dir):
    """The generated modules of nsring, health and reflection (in that order)."""
    return ttrpc.load_protos(proto_dir, ["nsring/v1/nsring.proto", "grpc/health/v1/health.proto",
                                         "grpc/reflection/v1/reflection.proto"],
                             prefix="nsring-grpc-py.")


class Client:
    def __init__(self, sock, pb):
        self.pb = pb
        self.channel = grpc.insecure_channel("unix://" + sock)

    def method(self, name, service=SERVICE, req_cls=None, resp_cls=None):
        req_cls = req_cls or getattr(self.pb, name + "Request")
        resp_cls = resp_cls or getattr(self.pb, name + "Response")
        return self.channel.unary_unary("/%s/%s" % (service, name),
                                        request_serializer=req_cls.SerializeToString,
                                        response_deserializer=resp_cls.FromString)

    def call(self, method, /, timeout=30, **fields):
        return self.method(method)(getattr(self.pb, method + "Request")(**fields),
                                   timeout=timeout)


def expect_ok(name, fn):
    try:
        r = fn()
        check(name, True)
        return r
    except grpc.RpcError as e:
        check(name, False, "%s: %s" % (e.code(), e.details()))
    return None


def expect_code(name, code, fn, contains=None):
    try:
        fn()
        check(name + " -> " + code.name, False, "the call succeeded")
        return None
    except grpc.RpcError as e:
        ok = e.code() == code and bool(e.details()) and (contains is None or
                                                         contains in e.details())
        check(name + " -> " + code.name, ok, "got %s: %r" % (e.code(), e.details()))
        return e.details()


def ctl(nsringctl, sock, *args):
    return subprocess.run([nsringctl, "-s", sock] + list(args), capture_output=True, text=True,
                          timeout=60)


def test_health(c, hp):
    check_m = c.method("Check", "grpc.health.v1.Health", hp.HealthCheckRequest,
                       hp.HealthCheckResponse)
    r = expect_ok("Health.Check", lambda: check_m(hp.HealthCheckRequest(), timeout=10))
    check("Health.Check: SERVING", r is not None and
          r.status == hp.HealthCheckResponse.SERVING, r)
    r = expect_ok("Health.Check(nsring.v1.NsRing)",
                  lambda: check_m(hp.HealthCheckRequest(service=SERVICE), timeout=10))
    check("Health.Check(nsring.v1.NsRing): SERVING",
          r is not None and r.status == hp.HealthCheckResponse.SERVING, r)
    expect_code("Health.Check(unknown service)", grpc.StatusCode.NOT_FOUND,
                lambda: check_m(hp.HealthCheckRequest(service="no.Such"), timeout=10))
    watch_m = c.channel.unary_stream("/grpc.health.v1.Health/Watch",
                                     request_serializer=hp.HealthCheckRequest.SerializeToString,
                                     response_deserializer=hp.HealthCheckResponse.FromString)
    w = watch_m(hp.HealthCheckRequest(), timeout=30)
    first = next(w)
    check("Health.Watch: first message SERVING", first.status == hp.HealthCheckResponse.SERVING,
          first)
    # It stays open: nothing more arrives while the daemon serves.
    got = []

    def drain():
        try:
            for m in w:
                got.append(m)
        except grpc.RpcError as e:
            got.append(e.code())
    t = threading.Thread(target=drain, daemon=True)
    t.start()
    t.join(0.5)
    check("Health.Watch: stays open", t.is_alive() and not got, got)
    w.cancel()
    t.join(5)
    check("Health.Watch: the client can cancel it", not t.is_alive() and
          got == [grpc.StatusCode.CANCELLED], got)


def reflection_stream(c, rp, version, requests):
    m = c.channel.stream_stream(
        "/grpc.reflection.%s.ServerReflection/ServerReflectionInfo" % version,
        request_serializer=rp.ServerReflectionRequest.SerializeToString,
        response_deserializer=rp.ServerReflectionResponse.FromString)
    return list(m(iter(requests), timeout=30))


def test_reflection(c, rp, sock):
    R = rp.ServerReflectionRequest
    for version in ("v1", "v1alpha"):
        try:
            answers = reflection_stream(c, rp, version, [
                R(host="h", list_services=""),
                R(file_containing_symbol=SERVICE),
                R(file_containing_symbol="nsring.v1.NsRing.CreateLink"),
                R(file_containing_symbol="nsring.v1.Veth"),
                R(file_by_filename="grpc/health/v1/health.proto"),
                R(file_containing_symbol="no.such.Symbol"),
            ])
        except grpc.RpcError as e:
            check("reflection %s: ServerReflectionInfo" % version, False,
                  "%s: %s" % (e.code(), e.details()))
            continue
        check("reflection %s: one answer per request" % version, len(answers) == 6,
              len(answers))
        if len(answers) != 6:
            continue
        names = [s.name for s in answers[0].list_services_response.service]
        check("reflection %s: list_services has nsring.v1.NsRing and grpc.health.v1.Health" %
              version, SERVICE in names and "grpc.health.v1.Health" in names, names)
        check("reflection %s: list_services has the reflection services" % version,
              "grpc.reflection.v1.ServerReflection" in names and
              "grpc.reflection.v1alpha.ServerReflection" in names, names)
        check("reflection %s: valid_host and original_request echoed" % version,
              answers[0].valid_host == "h" and answers[0].original_request.host == "h")
        fd = answers[1].file_descriptor_response.file_descriptor_proto
        ok = len(fd) >= 1
        if ok:
            f = descriptor_pb2.FileDescriptorProto.FromString(fd[0])
            svc = [s for s in f.service if s.name == "NsRing"]
            ok = (f.name == "nsring/v1/nsring.proto" and f.package == "nsring.v1" and
                  len(svc) == 1 and {m.name for m in svc[0].method} == METHODS)
            if ok:
                cl = [m for m in svc[0].method if m.name == "CreateLink"][0]
                ok = (cl.input_type == ".nsring.v1.CreateLinkRequest" and
                      cl.output_type == ".nsring.v1.CreateLinkResponse")
        check("reflection %s: file_containing_symbol(%s) is nsring.proto with the service "
              "and its %d methods" % (version, SERVICE, len(METHODS)), ok)
        for i, what in ((2, "a method"), (3, "a message")):
            fd = answers[i].file_descriptor_response.file_descriptor_proto
            check("reflection %s: file_containing_symbol(%s) finds nsring.proto" %
                  (version, what), len(fd) >= 1 and
                  descriptor_pb2.FileDescriptorProto.FromString(fd[0]).name ==
                  "nsring/v1/nsring.proto")
        fd = answers[4].file_descriptor_response.file_descriptor_proto
        ok = len(fd) >= 1
        if ok:
            f = descriptor_pb2.FileDescriptorProto.FromString(fd[0])
            ok = (f.package == "grpc.health.v1" and
                  [m.name for m in f.service[0].method] == ["Check", "Watch"])
        check("reflection %s: file_by_filename(grpc/health/v1/health.proto)" % version, ok)
        err = answers[5].error_response
        check("reflection %s: unknown symbol -> error_response NOT_FOUND" % version,
              answers[5].WhichOneof("message_response") == "error_response" and
              err.error_code == grpc.StatusCode.NOT_FOUND.value[0] and err.error_message, err)

    # What a reflection-based tool does: build the messages from the reflected descriptors
    # alone (a fresh pool, no generated code) and call a method with them.
    try:
        answers = reflection_stream(c, rp, "v1", [R(file_containing_symbol=SERVICE)])
        pool = descriptor_pool.DescriptorPool()
        for raw in reversed(answers[0].file_descriptor_response.file_descriptor_proto):
            pool.Add(descriptor_pb2.FileDescriptorProto.FromString(raw))
        sd = pool.FindServiceByName(SERVICE)
        md = sd.FindMethodByName("ListNamespaces")
        fac = message_factory.MessageFactory(pool)
        req_cls = fac.GetPrototype(md.input_type)
        resp_cls = fac.GetPrototype(md.output_type)
        m = c.channel.unary_unary("/%s/%s" % (SERVICE, md.name),
                                  request_serializer=req_cls.SerializeToString,
                                  response_deserializer=resp_cls.FromString)
        r = m(req_cls(), timeout=10)
        check("reflection: a call built from reflected descriptors alone works",
              hasattr(r, "namespaces"))
    except Exception as e:  # noqa: BLE001 - any failure is the check's failure
        check("reflection: a call built from reflected descriptors alone works", False, repr(e))


def test_api(c, pb, nsringctl, sock):
    NS = pb.NamespaceRef
    r = expect_ok("CreateNamespace ga", lambda: c.call("CreateNamespace", name="ga"))
    check("CreateNamespace returns the namespace", r is not None and r.namespace.name == "ga" and
          r.namespace.inode > 0, r)
    expect_ok("CreateNamespace gb", lambda: c.call("CreateNamespace", name="gb"))
    r = expect_ok("ListNamespaces", lambda: c.call("ListNamespaces"))
    names = [n.name for n in r.namespaces] if r else []
    check("ListNamespaces has ga and gb", "ga" in names and "gb" in names, names)

    link = pb.Link(name="v0", veth=pb.Veth(peer_name="v1", peer_namespace=NS(name="gb")))
    r = expect_ok("CreateLink veth v0 (peer v1 in gb)",
                  lambda: c.call("CreateLink", namespace=NS(name="ga"), link=link))
    check("CreateLink returns the link", r is not None and r.link.name == "v0" and
          r.link.index > 0, r)
    r = expect_ok("GetLink v0", lambda: c.call("GetLink", namespace=NS(name="ga"), name="v0"))
    check("GetLink: a veth", r is not None and r.link.kind == "veth", r)
    r = expect_ok("GetLink v1 in gb", lambda: c.call("GetLink", namespace=NS(name="gb"),
                                                     name="v1"))
    check("the peer was created in gb", r is not None and r.link.kind == "veth", r)
    r = expect_ok("ListLinks kind veth", lambda: c.call("ListLinks", namespace=NS(name="ga"),
                                                        kind="veth"))
    check("ListLinks: v0 only", r is not None and [l.name for l in r.links] == ["v0"], r)
    r = expect_ok("UpdateLink v0 up mtu 1400",
                  lambda: c.call("UpdateLink", namespace=NS(name="ga"), name="v0", up=True,
                                 mtu=1400))
    check("UpdateLink returns the changed link", r is not None and r.link.up and
          r.link.mtu == 1400, r)
    expect_ok("UpdateLink v1 up (in gb)",
              lambda: c.call("UpdateLink", namespace=NS(name="gb"), name="v1", up=True))

    addr = pb.Address(link_name="v0", address="198.18.50.1", prefix_len=24)
    expect_ok("CreateAddress 198.18.50.1/24",
              lambda: c.call("CreateAddress", namespace=NS(name="ga"), address=addr))
    r = expect_ok("ListAddresses", lambda: c.call("ListAddresses", namespace=NS(name="ga"),
                                                  link_name="v0", family=4))
    check("ListAddresses has it", r is not None and
          any(a.address == "198.18.50.1" and a.prefix_len == 24 for a in r.addresses), r)
    route = pb.Route(destination="198.19.0.0/16", gateway="198.18.50.2", dev="v0")
    expect_ok("CreateRoute 198.19.0.0/16 via 198.18.50.2",
              lambda: c.call("CreateRoute", namespace=NS(name="ga"), route=route))
    r = expect_ok("ListRoutes", lambda: c.call("ListRoutes", namespace=NS(name="ga")))
    check("ListRoutes has it", r is not None and
          any(x.destination == "198.19.0.0/16" and x.gateway == "198.18.50.2"
              for x in r.routes), r)
    expect_ok("DeleteRoute", lambda: c.call("DeleteRoute", namespace=NS(name="ga"), route=route))
    r = c.call("ListRoutes", namespace=NS(name="ga"))
    check("the route is gone", not any(x.destination == "198.19.0.0/16" for x in r.routes))
    expect_ok("DeleteAddress", lambda: c.call("DeleteAddress", namespace=NS(name="ga"),
                                              address=addr))
    r = c.call("ListAddresses", namespace=NS(name="ga"), link_name="v0", family=4)
    check("the address is gone", not r.addresses, r)

    # Errors come back as gRPC status codes with the daemon's message (the same as ttrpc's).
    d = expect_code("GetLink nope", grpc.StatusCode.NOT_FOUND,
                    lambda: c.call("GetLink", namespace=NS(name="ga"), name="nope"))
    p = ctl(nsringctl, sock, "-n", "ga", "link", "show", "nope")
    check("NOT_FOUND: the same message as over ttrpc",
          d is not None and p.stderr.strip() == "Error: NOT_FOUND: " + d, (d, p.stderr))
    expect_code("CreateNamespace ga again", grpc.StatusCode.ALREADY_EXISTS,
                lambda: c.call("CreateNamespace", name="ga"), contains="ga")
    expect_code("CreateLink v0 again", grpc.StatusCode.ALREADY_EXISTS,
                lambda: c.call("CreateLink", namespace=NS(name="ga"), link=link),
                contains="EEXIST")
    expect_code("CreateNamespace a/b", grpc.StatusCode.INVALID_ARGUMENT,
                lambda: c.call("CreateNamespace", name="a/b"))
    expect_code("CreateLink without a kind", grpc.StatusCode.INVALID_ARGUMENT,
                lambda: c.call("CreateLink", namespace=NS(name="ga"), link=pb.Link(name="x0")))
    expect_code("GetLink in a namespace that does not exist", grpc.StatusCode.NOT_FOUND,
                lambda: c.call("GetLink", namespace=NS(name="nonexistent"), name="lo"))
    expect_code("an unknown method", grpc.StatusCode.UNIMPLEMENTED,
                lambda: c.method("Frobnicate", req_cls=pb.ListNamespacesRequest,
                                 resp_cls=pb.ListNamespacesResponse)(
                                     pb.ListNamespacesRequest(), timeout=10))
    expect_code("an unknown service", grpc.StatusCode.UNIMPLEMENTED,
                lambda: c.method("ListNamespaces", service="nsring.v2.Other")(
                    pb.ListNamespacesRequest(), timeout=10))
    expect_code("a request over the 4 MiB limit", grpc.StatusCode.RESOURCE_EXHAUSTED,
                lambda: c.call("CreateNamespace", name="x" * (5 << 20)))
    # A malformed request message (not protobuf).
    raw = c.channel.unary_unary("/%s/GetLink" % SERVICE,
                                request_serializer=lambda b: b,
                                response_deserializer=lambda b: b)
    expect_code("a malformed request message", grpc.StatusCode.INVALID_ARGUMENT,
                lambda: raw(b"\xff\xff\xff\xff", timeout=10))

    expect_ok("DeleteLink v0", lambda: c.call("DeleteLink", namespace=NS(name="ga"), name="v0"))
    r = c.call("ListLinks", namespace=NS(name="gb"), kind="veth")
    check("the peer went with it", not r.links, r)

    # Batch: a namespace, a bridge in it and a link lookup, in one call.
    ops = [pb.BatchOp(create_namespace=pb.CreateNamespaceRequest(name="gc")),
           pb.BatchOp(create_link=pb.CreateLinkRequest(
               namespace=NS(name="gc"), link=pb.Link(name="br0", bridge=pb.Bridge()))),
           pb.BatchOp(get_link=pb.GetLinkRequest(namespace=NS(name="gc"), name="br0"))]
    r = expect_ok("Batch", lambda: c.call("Batch", ops=ops))
    check("Batch: every operation succeeded", r is not None and r.failed == 0 and
          [x.code for x in r.results] == [0, 0, 0] and
          r.results[2].get_link.link.kind == "bridge", r)
    ops = [pb.BatchOp(create_link=pb.CreateLinkRequest(
        namespace=NS(name="gc"), link=pb.Link(name="br0", bridge=pb.Bridge()))),
        pb.BatchOp(create_link=pb.CreateLinkRequest(
            namespace=NS(name="gc"), link=pb.Link(name="br1", bridge=pb.Bridge())))]
    r = expect_ok("Batch (stop on error)", lambda: c.call("Batch", ops=ops))
    check("Batch: ALREADY_EXISTS then ABORTED", r is not None and
          [x.code for x in r.results] == [6, 10] and r.failed == 1 and r.aborted == 1, r)

    for ns in ("ga", "gb", "gc"):
        expect_ok("DeleteNamespace " + ns, lambda ns=ns: c.call("DeleteNamespace", name=ns))
    expect_code("DeleteNamespace ga again", grpc.StatusCode.NOT_FOUND,
                lambda: c.call("DeleteNamespace", name="ga"))


def cleanup_prefix(c, pb, prefix):
    """Deletes the namespaces named PREFIX*, which a cut-short call may still be creating (the
    daemon finishes the work of a call whose client went): waits until their number holds
    still, deletes them, and repeats until none is left (bounded)."""
    def left():
        r = c.call("ListNamespaces")
        return [n.name for n in r.namespaces if n.name.startswith(prefix)]
    end = time.monotonic() + 60
    last = None
    while time.monotonic() < end:
        now = left()
        if now == last:
            if not now:
                return True
            c.call("Batch", timeout=120, mode=pb.BATCH_MODE_CONTINUE,
                   ops=[pb.BatchOp(delete_namespace=pb.DeleteNamespaceRequest(name=n))
                        for n in now])
            last = None
            continue
        last = now
        time.sleep(0.3)
    return False


def test_deadlines_and_cancel(c, pb):
    many = [pb.BatchOp(create_namespace=pb.CreateNamespaceRequest(name="dl%d" % i))
            for i in range(300)]
    t0 = time.monotonic()
    expect_code("Batch of 300 CreateNamespace with a 1 ms deadline",
                grpc.StatusCode.DEADLINE_EXCEEDED,
                lambda: c.call("Batch", timeout=0.001, ops=many))
    check("the deadline cut the wait short", time.monotonic() - t0 < 5)
    expect_ok("a call with a deadline that does not expire (30 s)",
              lambda: c.call("ListNamespaces", timeout=30))
    check("cleanup after the deadline", cleanup_prefix(c, pb, "dl"))

    # Cancel an in-flight call: the daemon drops its reply and keeps serving.
    many = [pb.BatchOp(create_namespace=pb.CreateNamespaceRequest(name="cx%d" % i))
            for i in range(300)]
    fut = c.method("Batch").future(pb.BatchRequest(ops=many), timeout=60)
    time.sleep(0.02)
    cancelled = fut.cancel()
    check("future.cancel() on an in-flight Batch", cancelled and fut.cancelled(),
          "cancel() returned %s; done=%s" % (cancelled, fut.done()))
    expect_ok("the daemon serves after a cancellation", lambda: c.call("ListNamespaces"))
    check("cleanup after the cancellation", cleanup_prefix(c, pb, "cx"))

    # Many calls in flight at once on one connection (HTTP/2 streams).
    m = c.method("ListNamespaces")
    futs = [m.future(pb.ListNamespacesRequest(), timeout=30) for _ in range(200)]
    ok = 0
    for f in futs:
        try:
            f.result()
            ok += 1
        except grpc.RpcError:
            pass
    check("200 concurrent calls on one channel", ok == 200, "%d of 200" % ok)


def test_mixed(c, pb, nsringctl, sock):
    """ttrpc (nsringctl) and gRPC clients on the same socket at the same time."""
    errors = []
    stop = threading.Event()
    count = [0]

    def ttrpc_loop():
        i = 0
        while not stop.is_set() and i < 40:
            for args in (("netns", "add", "tt%d" % i), ("-n", "tt%d" % i, "link", "add", "b0",
                                                          "type", "bridge"),
                         ("-j", "-n", "tt%d" % i, "link", "show", "b0"),
                         ("netns", "del", "tt%d" % i)):
                p = ctl(nsringctl, sock, *args)
                if p.returncode != 0:
                    errors.append((args, p.stderr))
                count[0] += 1
            i += 1

    t = threading.Thread(target=ttrpc_loop)
    t.start()
    NS = pb.NamespaceRef
    grpc_ok = 0
    for i in range(40):
        try:
            c.call("CreateNamespace", name="gg%d" % i)
            c.call("CreateLink", namespace=NS(name="gg%d" % i),
                   link=pb.Link(name="d0", bridge=pb.Bridge()))
            c.call("GetLink", namespace=NS(name="gg%d" % i), name="d0")
            c.call("DeleteNamespace", name="gg%d" % i)
            grpc_ok += 1
        except grpc.RpcError as e:
            errors.append(("grpc", e.code(), e.details()))
    stop.set()
    t.join(120)
    check("ttrpc (nsringctl) and gRPC at the same time: all calls succeed",
          not errors and grpc_ok == 40 and count[0] > 0, errors[:3])


def test_watch(c, pb):
    """Watch (server streaming): a snapshot then SYNCED, live events of changes made through
    the API, cancellation, and errors before the first message."""
    NS = pb.NamespaceRef
    T = pb.WatchEventType
    watch = c.channel.unary_stream("/%s/Watch" % SERVICE,
                                   request_serializer=pb.WatchRequest.SerializeToString,
                                   response_deserializer=pb.WatchEvent.FromString)
    expect_ok("CreateNamespace gw", lambda: c.call("CreateNamespace", name="gw"))
    expect_ok("CreateLink gw0 (bridge) before the watch",
              lambda: c.call("CreateLink", namespace=NS(name="gw"),
                             link=pb.Link(name="gw0", bridge=pb.Bridge())))
    stream = watch(pb.WatchRequest(namespaces=[NS(name="gw")], snapshot=True), timeout=60)
    q = queue.Queue()

    def reader():
        try:
            for ev in stream:
                q.put(ev)
            q.put("OK")
        except grpc.RpcError as e:
            q.put(e.code())
    t = threading.Thread(target=reader, daemon=True)
    t.start()

    def until(pred, timeout=10):
        """Events up to and including the first one pred accepts (None if none in time)."""
        got = []
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                ev = q.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            got.append(ev)
            if not isinstance(ev, pb.WatchEvent) or pred(ev):
                return got
        return None

    snap = until(lambda e: e.type == T.Value("WATCH_EVENT_TYPE_SYNCED"))
    check("Watch: snapshot then SYNCED", snap is not None and
          isinstance(snap[-1], pb.WatchEvent) and
          all(e.type == T.Value("WATCH_EVENT_TYPE_ADDED") for e in snap[:-1]), snap)
    names = {e.link.name for e in (snap or [])[:-1]
             if isinstance(e, pb.WatchEvent) and e.WhichOneof("object") == "link"}
    check("Watch: the snapshot has lo and gw0", {"lo", "gw0"} <= names, names)
    check("Watch: events name the namespace", snap is not None and
          snap[-1].namespace.name == "gw" and snap[-1].namespace.inode > 0, snap and snap[-1])

    expect_ok("CreateLink gw1 (bridge) while watching",
              lambda: c.call("CreateLink", namespace=NS(name="gw"),
                             link=pb.Link(name="gw1", bridge=pb.Bridge())))
    got = until(lambda e: e.WhichOneof("object") == "link" and e.link.name == "gw1")
    check("Watch: ADDED link gw1", got is not None and
          got[-1].type == T.Value("WATCH_EVENT_TYPE_ADDED"), got)
    expect_ok("UpdateLink gw1 mtu 1400",
              lambda: c.call("UpdateLink", namespace=NS(name="gw"), name="gw1", mtu=1400))
    got = until(lambda e: e.WhichOneof("object") == "link" and e.link.name == "gw1" and
                e.link.mtu == 1400)
    check("Watch: CHANGED link gw1 (mtu 1400)", got is not None and
          got[-1].type == T.Value("WATCH_EVENT_TYPE_CHANGED"), got)
    addr = pb.Address(link_name="gw0", address="198.18.60.1", prefix_len=24)
    expect_ok("CreateAddress 198.18.60.1/24 on gw0",
              lambda: c.call("CreateAddress", namespace=NS(name="gw"), address=addr))
    got = until(lambda e: e.WhichOneof("object") == "address" and
                e.address.address == "198.18.60.1")
    check("Watch: ADDED address 198.18.60.1/24", got is not None and
          got[-1].type == T.Value("WATCH_EVENT_TYPE_ADDED") and
          got[-1].address.link_name == "gw0", got)
    expect_ok("DeleteLink gw1", lambda: c.call("DeleteLink", namespace=NS(name="gw"),
                                               name="gw1"))
    got = until(lambda e: e.WhichOneof("object") == "link" and e.link.name == "gw1" and
                e.type == T.Value("WATCH_EVENT_TYPE_DELETED"))
    check("Watch: DELETED link gw1", got is not None and isinstance(got[-1], pb.WatchEvent),
          got)

    stream.cancel()
    t.join(5)
    rest = []
    while not q.empty():
        rest.append(q.get())
    check("Watch: the client can cancel it", not t.is_alive() and
          rest[-1:] == [grpc.StatusCode.CANCELLED], rest[-3:])
    expect_ok("the daemon serves after the cancelled watch", lambda: c.call("ListNamespaces"))

    def first(req):
        return next(iter(watch(req, timeout=10)))
    expect_code("Watch of a namespace that does not exist", grpc.StatusCode.NOT_FOUND,
                lambda: first(pb.WatchRequest(namespaces=[NS(name="nonexistent")])))
    expect_code("Watch with an invalid namespace name", grpc.StatusCode.INVALID_ARGUMENT,
                lambda: first(pb.WatchRequest(namespaces=[NS(name="a/b")])))
    expect_code("Watch with an unknown kind", grpc.StatusCode.INVALID_ARGUMENT,
                lambda: first(pb.WatchRequest(kinds=[99])))
    expect_ok("DeleteNamespace gw", lambda: c.call("DeleteNamespace", name="gw"))


def main_test(sock, proto_dir, nsringctl):
    pb, hp, rp = load_protos(proto_dir)
    c = Client(sock, pb)
    try:
        grpc.channel_ready_future(c.channel).result(timeout=10)
    except grpc.FutureTimeoutError:
        check("connect to " + sock, False)
        return
    for name, fn in (("health", lambda: test_health(c, hp)),
                     ("reflection", lambda: test_reflection(c, rp, sock)),
                     ("the API", lambda: test_api(c, pb, nsringctl, sock)),
                     ("Watch", lambda: test_watch(c, pb)),
                     ("deadlines and cancellation", lambda: test_deadlines_and_cancel(c, pb)),
                     ("ttrpc next to gRPC", lambda: test_mixed(c, pb, nsringctl, sock))):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - report and go on with the next part
            check("%s: no unexpected exception" % name, False, repr(e))
    c.channel.close()


def watch_test(sock, proto_dir):
    pb, hp, rp = load_protos(proto_dir)
    c = Client(sock, pb)
    m = c.channel.unary_stream("/grpc.health.v1.Health/Watch",
                               request_serializer=hp.HealthCheckRequest.SerializeToString,
                               response_deserializer=hp.HealthCheckResponse.FromString)
    w = m(hp.HealthCheckRequest(), timeout=60)
    first = next(w)
    check("Health.Watch: SERVING before the stop", first.status == hp.HealthCheckResponse.SERVING,
          first)
    print("watching", flush=True)
    try:
        second = next(w)
        check("Health.Watch: NOT_SERVING when the daemon stops",
              second.status == hp.HealthCheckResponse.NOT_SERVING, second)
    except (grpc.RpcError, StopIteration) as e:
        check("Health.Watch: NOT_SERVING when the daemon stops", False, repr(e))
    try:
        rest = list(w)
        check("Health.Watch: the stream then ends", False, "ended OK after %r" % rest)
    except grpc.RpcError as e:
        check("Health.Watch: the stream then ends (UNAVAILABLE)",
              e.code() == grpc.StatusCode.UNAVAILABLE, "%s: %s" % (e.code(), e.details()))


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "main":
        main_test(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) >= 4 and sys.argv[1] == "watch":
        watch_test(sys.argv[2], sys.argv[3])
    else:
        print(__doc__ or "usage: grpc_client.py main|watch SOCKET PROTO_DIR [NSRINGCTL]",
              file=sys.stderr)
        sys.exit(2)
    print("%d passed, %d failed" % (PASSED, FAILED), flush=True)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
