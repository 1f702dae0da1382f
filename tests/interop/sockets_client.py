# Sockets born in namespaces and raw netlink through nsringd, from one Python process that never
# calls setns(): the Python example of docs/sockets.md and the client side of
# tests/system/test-sockets.sh. fds come with the ttrpc reply (SCM_RIGHTS): each call reads with
# recvmsg (socket.recv_fds) and pairs the fd with the OK reply. Run with Debian's /usr/bin/python3
# (python3-protobuf, protoc; python3-pyroute2 for the raw netlink checks).
#
#   sockets_client.py udp SOCK PROTO_DIR NS_A NS_B ADDR_A ADDR_B   a UDP socket in A and one in
#       B (obtained with OpenSocket), bound to ADDR_A and ADDR_B, exchange datagrams both ways
#   sockets_client.py unix SOCK PROTO_DIR NS_A NS_B   abstract AF_UNIX names are per namespace
#   sockets_client.py packet SOCK PROTO_DIR NS IFNAME   AF_PACKET and AF_NETLINK sockets of NS
#   sockets_client.py fds SOCK PROTO_DIR NETNS_DIR NS   OpenNamespace's fd is the namespace;
#       a plain ttrpc client that reads without ancillary space leaks nothing
#   sockets_client.py netlink SOCK PROTO_DIR NETNS_DIR NS   pyroute2-built generic netlink
#       CTRL_CMD_GETFAMILY and RTM_GETNETCONF answered exactly as a local socket in NS answers
#   sockets_client.py local-netlink PROTOCOL HEX   (run inside a namespace) the replies of a
#       local socket, as hex, one message a line
#   sockets_client.py bad SOCK PROTO_DIR NETNS_DIR NS   bad inputs and their statuses
#   sockets_client.py vanish SOCK PROTO_DIR NS   calls in flight while NS is deleted
#   sockets_client.py leave SOCK PROTO_DIR NS   clients that leave with fd calls in flight
# Each prints "ok - ..." / "not ok - ..." lines and exits 1 if any check failed.
import importlib
import json
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from nsring_ttrpc import (  # noqa: E402
    HEADER, RESPONSE, Conn, code_name, decode_response, envelope, frame, load_protos)

AF_NETLINK, NETLINK_ROUTE, NETLINK_GENERIC = 16, 0, 16
SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 10, 11
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
RTM_GETNETCONF = 82
NLH = struct.Struct("=IHHII")

FAILED = 0


def check(ok, what, detail=""):
    global FAILED
    if ok:
        print("ok - " + what)
    else:
        FAILED += 1
        print("not ok - %s%s" % (what, (": " + str(detail)) if detail else ""))
    sys.stdout.flush()
    return ok


def load(proto_dir):
    """nsring_pb2, with socket.proto's SocketSpec next to the requests that carry it."""
    pb = load_protos(proto_dir, ["nsring/v1/nsring.proto"], prefix="nsring-sockets-py.")[0]
    pb.SocketSpec = importlib.import_module("nsring.v1.socket_pb2").SocketSpec
    return pb


class FdConn:
    """A ttrpc connection that reads with recvmsg and keeps the fds that come along."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(30)
        self.s.connect(path)
        self.buf = b""
        self.fds = []
        self.stream = 1

    def _frame(self):
        while True:
            if len(self.buf) >= HEADER.size:
                n, st, typ, _ = HEADER.unpack(self.buf[:HEADER.size])
                if len(self.buf) >= HEADER.size + n:
                    body = self.buf[HEADER.size:HEADER.size + n]
                    self.buf = self.buf[HEADER.size + n:]
                    return st, typ, body
            data, fds, _, _ = socket.recv_fds(self.s, 1 << 20, 8)
            if not data:
                raise EOFError("nsringd closed the connection")
            self.buf += data
            self.fds += fds

    def call(self, method, req, want_fd=False):
        """(code, message, payload bytes, fd or None). An fd comes with an OK reply only."""
        st = self.stream
        self.stream += 2
        self.s.sendall(frame(st, envelope(method, req.SerializeToString())))
        while True:
            s, typ, body = self._frame()
            if s == st and typ == RESPONSE:
                break
        code, msg, payload = decode_response(body)
        fd = None
        if want_fd and code == 0:
            fd = self.fds.pop(0) if self.fds else None
        return code, msg, payload, fd

    def close(self):
        for fd in self.fds:
            os.close(fd)
        self.s.close()


def task_namespaces():
    """{tid: net namespace} of every thread of this process."""
    out = {}
    for t in os.listdir("/proc/self/task"):
        try:
            out[t] = os.readlink("/proc/self/task/%s/ns/net" % t)
        except FileNotFoundError:
            pass
    return out


def open_socket(c, pb, ns, domain, typ, proto=0):
    req = pb.OpenSocketRequest(namespace=pb.NamespaceRef(name=ns),
                               socket=pb.SocketSpec(domain=domain, type=typ, protocol=proto))
    code, msg, payload, fd = c.call("OpenSocket", req, want_fd=True)
    if code != 0 or fd is None:
        raise RuntimeError("OpenSocket %s: %s %s (fd %s)" % (ns, code_name(code), msg, fd))
    resp = pb.OpenSocketResponse.FromString(payload)
    return socket.socket(fileno=fd), resp.namespace_inode


# ---------------------------------------------------------------- udp, unix

def cmd_udp(sock, proto_dir, ns_a, ns_b, addr_a, addr_b):
    pb = load(proto_dir)
    before = task_namespaces()
    c = FdConn(sock)
    a, ino_a = open_socket(c, pb, ns_a, socket.AF_INET, socket.SOCK_DGRAM)
    b, ino_b = open_socket(c, pb, ns_b, socket.AF_INET, socket.SOCK_DGRAM)
    check(ino_a != ino_b, "the two sockets live in different namespaces (%d, %d)" % (ino_a, ino_b))
    # The addresses exist only in their own namespace: binding proves where each socket lives.
    a.bind((addr_a, 5301))
    b.bind((addr_b, 5302))
    check(True, "socket of %s bound to %s, socket of %s to %s" % (ns_a, addr_a, ns_b, addr_b))
    for s in (a, b):
        s.settimeout(5)
    a.sendto(b"ping from A", (addr_b, 5302))
    data, peer = b.recvfrom(100)
    check(data == b"ping from A" and peer == (addr_a, 5301), "B got A's datagram", (data, peer))
    b.sendto(b"pong from B", peer)
    data, peer = a.recvfrom(100)
    check(data == b"pong from B" and peer == (addr_b, 5302), "A got B's answer", (data, peer))
    # The same port on 127.0.0.1 in both: two loopbacks, no EADDRINUSE.
    la, _ = open_socket(c, pb, ns_a, socket.AF_INET, socket.SOCK_DGRAM)
    lb, _ = open_socket(c, pb, ns_b, socket.AF_INET, socket.SOCK_DGRAM)
    try:
        la.bind(("127.0.0.1", 5400))
        lb.bind(("127.0.0.1", 5400))
        check(True, "127.0.0.1:5400 bound in both namespaces (one loopback each)")
    except OSError as e:
        check(False, "127.0.0.1:5400 bound in both namespaces", e)
    after = task_namespaces()
    mine = os.readlink("/proc/self/ns/net")
    check(all(v == mine for v in after.values()) and
          all(before[t] == after[t] for t in before if t in after),
          "every thread of this process stayed in %s" % mine, after)
    for s in (a, b, la, lb):
        s.close()
    c.close()


def cmd_unix(sock, proto_dir, ns_a, ns_b):
    pb = load(proto_dir)
    c = FdConn(sock)
    name = b"\0nsring-sockets-test"
    sa, _ = open_socket(c, pb, ns_a, socket.AF_UNIX, socket.SOCK_STREAM)
    sb, _ = open_socket(c, pb, ns_b, socket.AF_UNIX, socket.SOCK_STREAM)
    sa.bind(name)
    sa.listen(1)
    try:
        sb.bind(name)
        sb.listen(1)
        check(True, "one abstract name bound in both namespaces")
    except OSError as e:
        check(False, "one abstract name bound in both namespaces", e)
    cb, _ = open_socket(c, pb, ns_b, socket.AF_UNIX, socket.SOCK_STREAM)
    cb.connect(name)
    peer, _ = sb.accept()
    cb.sendall(b"hello B")
    check(peer.recv(10) == b"hello B", "a client socket of B reaches B's listener")
    sa.settimeout(0.2)
    try:
        sa.accept()
        check(False, "A's listener saw no connection")
    except socket.timeout:
        check(True, "A's listener saw no connection")
    # Here, in our own namespace, the name is free.
    local = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        local.connect(name)
        check(False, "the abstract name is not bound in the client's own namespace")
    except ConnectionRefusedError:
        check(True, "the abstract name is not bound in the client's own namespace")
    for s in (sa, sb, cb, peer, local):
        s.close()
    c.close()


def cmd_packet(sock, proto_dir, ns, ifname):
    """AF_PACKET and AF_NETLINK sockets of ns: they see ns's interfaces, not ours."""
    pb = load(proto_dir)
    c = FdConn(sock)
    p, _ = open_socket(c, pb, ns, socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0003))
    try:
        p.bind((ifname, 0))
        check(True, "an AF_PACKET socket of %s binds to its interface %s" % (ns, ifname))
    except OSError as e:
        check(False, "an AF_PACKET socket of %s binds to its interface %s" % (ns, ifname), e)
    check(ifname not in [n for _, n in socket.if_nameindex()],
          "... which this process's own namespace does not have")
    n, _ = open_socket(c, pb, ns, AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    n.bind((0, 0))
    n.send(NLH.pack(32, 18, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + bytes(16))
    names, done = [], False
    n.settimeout(5)
    while not done:
        for m in split(n.recv(1 << 16)):
            typ = NLH.unpack_from(m)[1]
            done |= typ in (NLMSG_DONE, NLMSG_ERROR)
            off = 32  # header + ifinfomsg: the attributes
            while typ == 16 and off + 4 <= len(m):
                alen, atype = struct.unpack_from("=HH", m, off)
                if atype == 3:  # IFLA_IFNAME
                    names.append(m[off + 4:off + alen].rstrip(b"\0").decode())
                off += (alen + 3) & ~3
    check(sorted(names) == sorted(["lo", ifname]),
          "a NETLINK_ROUTE socket from OpenSocket dumps %s's links: %s" % (ns, names))
    p.close()
    n.close()
    c.close()


# ---------------------------------------------------------------- fds

def fd_count():
    return len(os.listdir("/proc/self/fd"))


def cmd_fds(sock, proto_dir, netns_dir, ns):
    pb = load(proto_dir)
    c = FdConn(sock)
    req = pb.OpenNamespaceRequest(namespace=pb.NamespaceRef(name=ns))
    code, msg, payload, fd = c.call("OpenNamespace", req, want_fd=True)
    check(code == 0 and fd is not None, "OpenNamespace passes an fd", (code_name(code), msg))
    if fd is not None:
        st, want = os.fstat(fd), os.stat(os.path.join(netns_dir, ns))
        resp = pb.OpenNamespaceResponse.FromString(payload)
        check((st.st_dev, st.st_ino) == (want.st_dev, want.st_ino) and
              resp.namespace_inode == want.st_ino, "its fd is the namespace's nsfs file")
        os.close(fd)
    c.close()
    # A plain ttrpc client (recv without ancillary space): the kernel discards the fds.
    n0 = fd_count()
    p = Conn(sock)
    oreq = pb.OpenSocketRequest(namespace=pb.NamespaceRef(name=ns),
                                socket=pb.SocketSpec(domain=socket.AF_INET,
                                                     type=socket.SOCK_STREAM))
    codes = set()
    for i in range(20):
        r = p.call(2 * i + 1, "OpenSocket", oreq.SerializeToString())
        codes.add(r[0] if r else None)
        r = p.call(2 * i + 101, "OpenNamespace", req.SerializeToString())
        codes.add(r[0] if r else None)
    check(codes == {0}, "a plain client's 40 fd calls are answered OK", codes)
    check(fd_count() == n0 + 1, "... and it holds no fd but its connection (%d -> %d)"
          % (n0, fd_count()))
    p.close()
    # fds and replies pair up when many fd calls are pipelined in one write.
    c = FdConn(sock)
    n = 30
    data = b""
    for i in range(n):
        m = "OpenNamespace" if i % 2 else "OpenSocket"
        r = req if i % 2 else oreq
        data += frame(2 * i + 1, envelope(m, r.SerializeToString()))
    c.s.sendall(data)
    got, order = 0, []
    for _ in range(n):
        st, typ, body = c._frame()
        got += typ == RESPONSE and decode_response(body)[0] == 0
        order.append("ns" if (st // 2) % 2 else "sock")
    ok = len(c.fds) == n
    kinds = []
    for fd in c.fds:
        st = os.fstat(fd)
        kinds.append("sock" if (st.st_mode & 0o170000) == 0o140000 else "ns")
        os.close(fd)
    c.fds = []
    # Replies come as calls finish (a socket waits for its helper thread): the fds come in
    # the order of the replies they go with.
    check(got == n and ok and kinds == order,
          "%d pipelined fd calls: one fd per OK reply, in the replies' order" % n,
          (got, kinds, order))
    c.close()
    print(json.dumps({"client_fds": fd_count()}))


# ---------------------------------------------------------------- raw netlink

def split(buf):
    out, off = [], 0
    while off + 16 <= len(buf):
        n = NLH.unpack_from(buf, off)[0]
        out.append(bytes(buf[off:off + n]))
        off += (n + 3) & ~3
    return out


def normalize(msgs):
    """The messages with nlmsg_pid zeroed (the port ids of two sockets differ)."""
    out = []
    for m in msgs:
        ln, typ, flags, seq, _ = NLH.unpack_from(m)
        out.append(NLH.pack(ln, typ, flags, seq, 0) + m[16:])
    return out


def local_socket(protocol):
    s = socket.socket(AF_NETLINK, socket.SOCK_RAW, protocol)
    # As the daemon's: extended acks, capped error echoes.
    s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
    s.bind((0, 0))
    return s


def local_exchange(protocol, data):
    """Replies of a local socket to data: until every request has its final message."""
    s = local_socket(protocol)
    s.settimeout(5)
    s.send(data)
    reqs = split(data)
    pending = {}
    for r in reqs:
        ln, typ, flags, seq, _ = NLH.unpack_from(r)
        pending[seq] = (flags & NLM_F_DUMP) == NLM_F_DUMP or bool(flags & NLM_F_ACK)
    out = []
    while any(pending.values()) or not out:
        try:
            buf = s.recv(1 << 16)
        except socket.timeout:
            break
        for m in split(buf):
            out.append(m)
            _, typ, _, seq, _ = NLH.unpack_from(m)
            if typ in (NLMSG_ERROR, NLMSG_DONE) or (seq in pending and not pending[seq]):
                pending[seq] = False
        if all(not v for v in pending.values()):
            # a GET without ACK has one reply: drain a moment for anything else
            s.settimeout(0.2)
    s.close()
    return out


def cmd_local_netlink(protocol, hexdata):
    for m in local_exchange(int(protocol), bytes.fromhex(hexdata)):
        print(m.hex())


def rpc_netlink(c, pb, ns, protocol, data, portid=0):
    req = pb.NetlinkRequest(namespace=pb.NamespaceRef(name=ns), protocol=protocol,
                            messages=data, portid=portid)
    code, msg, payload, _ = c.call("Netlink", req)
    if code != 0:
        return code, msg, []
    return 0, "", split(pb.NetlinkResponse.FromString(payload).messages)


def in_namespace(netns_dir, ns, protocol, data):
    out = subprocess.run(["nsenter", "--net=" + os.path.join(netns_dir, ns), sys.executable,
                          os.path.abspath(__file__), "local-netlink", str(protocol), data.hex()],
                         check=True, capture_output=True, text=True).stdout
    return [bytes.fromhex(line) for line in out.split()]


def cmd_netlink(sock, proto_dir, netns_dir, ns):
    from pyroute2.netlink import (CTRL_CMD_GETFAMILY, GENL_ID_CTRL, ctrlmsg, nlmsg)

    class netconfmsg(nlmsg):
        """struct netconfmsg (pyroute2 0.7 lacks it): the family and NETCONFA_* attributes."""
        fields = (("family", "B"), ("__pad", "3x"))
        nla_map = (("NETCONFA_UNSPEC", "none"), ("NETCONFA_IFINDEX", "int32"),
                   ("NETCONFA_FORWARDING", "int32"), ("NETCONFA_RP_FILTER", "int32"),
                   ("NETCONFA_MC_FORWARDING", "int32"), ("NETCONFA_PROXY_NEIGH", "int32"),
                   ("NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN", "int32"),
                   ("NETCONFA_INPUT", "int32"), ("NETCONFA_BC_FORWARDING", "int32"))

    def getfamily(name, seq, flags=NLM_F_REQUEST):
        m = ctrlmsg()
        m["cmd"] = CTRL_CMD_GETFAMILY
        m["version"] = 1
        m["attrs"] = [("CTRL_ATTR_FAMILY_NAME", name)]
        m["header"]["type"] = GENL_ID_CTRL
        m["header"]["flags"] = flags
        m["header"]["sequence_number"] = seq
        m.encode()
        return bytes(m.data)

    pb = load(proto_dir)
    c = FdConn(sock)
    # Which family to ask for: ethtool when this kernel has it, else the controller itself.
    fam = "ethtool"
    probe = in_namespace(netns_dir, ns, NETLINK_GENERIC, getfamily(fam, 1))
    if not probe or NLH.unpack_from(probe[0])[1] == NLMSG_ERROR:
        fam = "nlctrl"
    cases = [
        ("generic CTRL_CMD_GETFAMILY %s (no ACK asked)" % fam, NETLINK_GENERIC,
         getfamily(fam, 4242)),
        ("generic CTRL_CMD_GETFAMILY %s with NLM_F_ACK" % fam, NETLINK_GENERIC,
         getfamily(fam, 7, NLM_F_REQUEST | NLM_F_ACK)),
        ("generic CTRL_CMD_GETFAMILY of a family nobody has (an error with extack)",
         NETLINK_GENERIC, getfamily("nsring-nosuch", 99)),
        ("generic: two GETFAMILYs in one call, answered in order", NETLINK_GENERIC,
         getfamily(fam, 11) + getfamily("nlctrl", 12, NLM_F_REQUEST | NLM_F_ACK)),
    ]
    for af, seq in ((socket.AF_INET, 500), (socket.AF_INET6, 501)):
        m = netconfmsg()
        m["family"] = af
        m["header"]["type"] = RTM_GETNETCONF
        m["header"]["flags"] = NLM_F_REQUEST | NLM_F_DUMP
        m["header"]["sequence_number"] = seq
        m.encode()
        cases.append(("rtnetlink RTM_GETNETCONF dump, family %d" % af, NETLINK_ROUTE,
                      bytes(m.data)))
    for what, proto, data in cases:
        code, msg, got = rpc_netlink(c, pb, ns, proto, data)
        want = in_namespace(netns_dir, ns, proto, data)
        check(code == 0 and got and normalize(got) == normalize(want),
              what + ": the RPC answers as a local socket in the namespace (%d messages)"
              % len(got), (code_name(code), msg, [m.hex() for m in got],
                           [m.hex() for m in want]))
    # Decoded by pyroute2: the reply is what the library would have read itself.
    code, msg, got = rpc_netlink(c, pb, ns, NETLINK_GENERIC, getfamily(fam, 31))
    if got:
        r = ctrlmsg(got[0])
        r.decode()
        check(r.get_attr("CTRL_ATTR_FAMILY_NAME") == fam and
              r["header"]["sequence_number"] == 31,
              "pyroute2 decodes the reply: family %s id %s, seq 31" %
              (fam, r.get_attr("CTRL_ATTR_FAMILY_ID")))
    else:
        check(False, "GETFAMILY answered", (code_name(code), msg))
    # portid: set in every reply when asked.
    code, msg, got = rpc_netlink(c, pb, ns, NETLINK_GENERIC,
                                 getfamily(fam, 32, NLM_F_REQUEST | NLM_F_ACK), portid=4711)
    check(code == 0 and len(got) == 2 and all(NLH.unpack_from(m)[4] == 4711 for m in got),
          "portid 4711 is every reply's nlmsg_pid", (code_name(code), msg))
    c.close()


# ---------------------------------------------------------------- bad input

def cmd_bad(sock, proto_dir, netns_dir, ns):
    pb = load(proto_dir)
    c = FdConn(sock)
    NS = pb.NamespaceRef(name=ns)

    def expect(what, method, req, want, fd=False, text=None):
        code, msg, _, got_fd = c.call(method, req, want_fd=fd)
        check(code_name(code) == want and (text is None or text in msg),
              "%s -> %s" % (what, want), (code_name(code), msg))
        if got_fd is not None:
            os.close(got_fd)

    def sock_req(domain, typ, proto=0, ns_ref=NS):
        return pb.OpenSocketRequest(namespace=ns_ref, socket=pb.SocketSpec(
            domain=domain, type=typ, protocol=proto))

    def nl(proto, data, **kw):
        return pb.NetlinkRequest(namespace=NS, protocol=proto, messages=data, **kw)

    getlink = NLH.pack(32, 18, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + bytes(16)
    n0 = fd_count()
    expect("OpenSocket without socket", "OpenSocket", pb.OpenSocketRequest(namespace=NS),
           "INVALID_ARGUMENT", True, "socket")
    expect("OpenSocket domain AF_BLUETOOTH (31)", "OpenSocket", sock_req(31, 1),
           "INVALID_ARGUMENT", True, "socket.domain")
    expect("OpenSocket type 7", "OpenSocket", sock_req(2, 7), "INVALID_ARGUMENT", True,
           "socket.type")
    expect("OpenSocket AF_NETLINK protocol 40", "OpenSocket", sock_req(16, 3, 40),
           "INVALID_ARGUMENT", True, "socket.protocol")
    expect("OpenSocket AF_INET SOCK_STREAM protocol UDP (the kernel refuses)", "OpenSocket",
           sock_req(2, 1, 17), "UNIMPLEMENTED", True, "EPROTONOSUPPORT")
    expect("OpenSocket in a namespace that does not exist", "OpenSocket",
           sock_req(2, 1, 0, pb.NamespaceRef(name="nsring-no-such-ns")), "NOT_FOUND", True)
    expect("Netlink protocol 9 (audit, not in the list)", "Netlink", nl(9, getlink),
           "INVALID_ARGUMENT", text="protocol")
    expect("Netlink with no messages", "Netlink", nl(0, b""), "INVALID_ARGUMENT",
           text="empty")
    expect("Netlink nlmsg_len larger than the bytes sent", "Netlink",
           nl(0, NLH.pack(64, 18, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + bytes(16)),
           "INVALID_ARGUMENT", text="nlmsg_len 64")
    expect("Netlink nlmsg_len smaller than a header", "Netlink",
           nl(0, NLH.pack(8, 18, NLM_F_REQUEST, 1, 0) + bytes(16)), "INVALID_ARGUMENT",
           text="nlmsg_len 8")
    expect("Netlink truncated header", "Netlink", nl(0, getlink[:10]), "INVALID_ARGUMENT",
           text="header")
    expect("Netlink second message lies about its length", "Netlink",
           nl(0, getlink + NLH.pack(4096, 18, NLM_F_REQUEST, 2, 0)), "INVALID_ARGUMENT",
           text="message 1")
    expect("Netlink control type NLMSG_ERROR as a request", "Netlink",
           nl(0, NLH.pack(16, 2, NLM_F_REQUEST, 1, 0)), "INVALID_ARGUMENT",
           text="control message")
    expect("Netlink without NLM_F_REQUEST", "Netlink",
           nl(0, NLH.pack(32, 18, NLM_F_DUMP, 1, 0) + bytes(16)), "INVALID_ARGUMENT",
           text="NLM_F_REQUEST")
    expect("Netlink 65 messages", "Netlink", nl(0, getlink * 65), "INVALID_ARGUMENT",
           text="more than 64")
    expect("Netlink timeout_ms 70000", "Netlink", nl(0, getlink, timeout_ms=70000),
           "INVALID_ARGUMENT", text="timeout_ms")
    # 64 link dumps of a namespace with 60 bridges: more than the 4 MiB reply limit.
    expect("Netlink replies over the 4 MiB limit", "Netlink", nl(0, getlink * 64),
           "RESOURCE_EXHAUSTED", text="exceed")
    # The kernel's own refusal is a reply, not a failed call.
    code, msg, payload, _ = c.call("Netlink", nl(0, NLH.pack(32, 16, NLM_F_REQUEST | NLM_F_ACK,
                                                              5, 0) + bytes(16)))
    msgs = split(pb.NetlinkResponse.FromString(payload).messages) if code == 0 else []
    err = struct.unpack_from("=i", msgs[0], 16)[0] if msgs else None
    check(code == 0 and len(msgs) == 1 and NLH.unpack_from(msgs[0])[1] == NLMSG_ERROR and
          err < 0, "an RTM_NEWLINK the kernel refuses comes back as its NLMSG_ERROR (%s)" % err,
          (code_name(code), msg))
    # Still serving, and nothing leaked on this side.
    code, _, _, fd = c.call("OpenSocket", sock_req(2, 2), want_fd=True)
    check(code == 0 and fd is not None, "the daemon still serves OpenSocket")
    if fd is not None:
        os.close(fd)
    check(fd_count() == n0, "the client holds no fd it did not ask for (%d -> %d)"
          % (n0, fd_count()))
    c.close()


def cmd_vanish(sock, proto_dir, ns):
    """Calls in flight on ns while it is deleted (pipelined behind them, in one write)."""
    pb = load(proto_dir)
    c = FdConn(sock)
    NS = pb.NamespaceRef(name=ns)
    getlink = NLH.pack(32, 18, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + bytes(16)
    calls = [("Netlink", pb.NetlinkRequest(namespace=NS, protocol=NETLINK_GENERIC,
                                           messages=getlink)),
             ("OpenSocket", pb.OpenSocketRequest(namespace=NS, socket=pb.SocketSpec(
                 domain=socket.AF_INET, type=socket.SOCK_DGRAM))),
             ("Netlink", pb.NetlinkRequest(namespace=NS, protocol=NETLINK_ROUTE,
                                           messages=getlink)),
             ("DeleteNamespace", pb.DeleteNamespaceRequest(name=ns))]
    data = b""
    for i, (m, r) in enumerate(calls):
        data += frame(2 * i + 1, envelope(m, r.SerializeToString()))
    c.s.sendall(data)
    codes = {}
    while len(codes) < len(calls):
        st, typ, body = c._frame()
        if typ == RESPONSE:
            codes[st] = decode_response(body)[:2]
    fds = len(c.fds)
    for fd in c.fds:
        os.close(fd)
    c.fds = []
    names = [code_name(codes[2 * i + 1][0]) for i in range(len(calls))]
    check(names[3] == "OK", "DeleteNamespace behind the calls succeeds", codes)
    check(all(n in ("OK", "NOT_FOUND") for n in names[:3]),
          "the calls in flight end OK or NOT_FOUND: %s" % names[:3], codes)
    check(fds == (names[1] == "OK"), "an fd came only with an OK OpenSocket (%d)" % fds)
    print(json.dumps({"statuses": names}))
    c.close()


def cmd_leave(sock, proto_dir, ns):
    """Fd calls and dumps in flight, then the client leaves without reading: the daemon must
    close every socket it made for them (test-sockets.sh checks its fds)."""
    pb = load(proto_dir)
    NS = pb.NamespaceRef(name=ns)
    getlink = NLH.pack(32, 18, NLM_F_REQUEST | NLM_F_DUMP, 1, 0) + bytes(16)
    for rnd in range(5):
        c = Conn(sock)
        data = b""
        for i in range(20):
            data += frame(4 * i + 1, envelope("OpenSocket", pb.OpenSocketRequest(
                namespace=NS, socket=pb.SocketSpec(domain=socket.AF_INET6,
                                                   type=socket.SOCK_DGRAM))
                .SerializeToString()))
            data += frame(4 * i + 3, envelope("Netlink", pb.NetlinkRequest(
                namespace=NS, protocol=NETLINK_ROUTE, messages=getlink).SerializeToString()))
        c.send(data)
        if rnd % 2:
            time.sleep(0.01)
        c.close()
    check(True, "5 clients left with 40 calls in flight each")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    {"udp": cmd_udp, "unix": cmd_unix, "fds": cmd_fds, "netlink": cmd_netlink,
     "local-netlink": cmd_local_netlink, "bad": cmd_bad, "vanish": cmd_vanish,
     "packet": cmd_packet,
     "leave": cmd_leave}[cmd](*args)
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
