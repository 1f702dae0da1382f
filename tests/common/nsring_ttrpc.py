# The tests' one raw ttrpc helper: frames (10-byte header: length, stream id, type, flags),
# hand-encoded protobuf fields, the ttrpc Request envelope and Response decoding, a pipelining
# client connection, and protoc-generated message modules. Scripts import it with
#   sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import atexit
import importlib.util
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

SERVICE = "nsring.v1.NsRing"
# Frame types and flags (ttrpc 1.2: streams).
REQUEST, RESPONSE, DATA = 1, 2, 3
FLAG_REMOTE_CLOSED, FLAG_REMOTE_OPEN, FLAG_NO_DATA = 0x1, 0x2, 0x4
HEADER = struct.Struct(">IIBB")
CODES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
         "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
         "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
         "UNAUTHENTICATED"]


def code_name(c):
    return CODES[c] if 0 <= c < len(CODES) else str(c)


# ---------------------------------------------------------------- protobuf wire

def varint(n):
    """A varint; negative numbers as their 64-bit two's complement, as protobuf encodes int32/64."""
    n &= (1 << 64) - 1
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def fbytes(num, data):
    """A length-delimited field (string, bytes, sub-message)."""
    if isinstance(data, str):
        data = data.encode()
    return varint(num << 3 | 2) + varint(len(data)) + data


def field(num, value):
    """An int as a varint field, anything else as a length-delimited one."""
    if isinstance(value, int):
        return varint(num << 3) + varint(value)
    return fbytes(num, value)


def read_varint(b, i):
    n = shift = 0
    while True:
        c = b[i]
        i += 1
        n |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return n, i


def fields(b):
    """{field number: [values]} of a message: ints for varints, bytes for the rest."""
    i, out = 0, {}
    while i < len(b):
        key, i = read_varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = read_varint(b, i)
        elif wt == 2:
            n, i = read_varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        out.setdefault(num, []).append(v)
    return out


# ---------------------------------------------------------------- ttrpc wire

def envelope(method, payload=b"", service=SERVICE):
    """A ttrpc.Request: service, method, payload."""
    m = fbytes(1, service) + fbytes(2, method)
    if payload:
        m += fbytes(3, payload)
    return m


def frame(stream, body, typ=REQUEST, flags=0, length=None):
    """A frame; length overrides the header's length (for malformed frames)."""
    return HEADER.pack(len(body) if length is None else length, stream, typ, flags) + body


def parse_header(hdr):
    """(length, stream, type, flags) of a frame's first 10 bytes."""
    return HEADER.unpack(hdr)


def decode_response(body):
    """(code, message, payload) of a ttrpc.Response."""
    f = fields(body)
    code, msg = 0, ""
    if 1 in f:
        st = fields(f[1][0])
        code = st.get(1, [0])[0]
        msg = st.get(2, [b""])[0].decode(errors="replace")
    return code, msg, f.get(2, [b""])[0]


def recv_exact(s, n):
    """n bytes from socket s; EOFError if it closes first."""
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def read_frame(f):
    """(stream, type, flags, body) from a binary file object, or None at EOF."""
    hdr = f.read(HEADER.size)
    if len(hdr) < HEADER.size:
        return None
    n, stream, typ, flags = HEADER.unpack(hdr)
    return stream, typ, flags, f.read(n)


class Conn:
    """A client connection: raw sends, and frames read until EOF or a deadline."""

    def __init__(self, sock, timeout=30):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(sock)
        self.buf = b""
        self.eof = False

    def send(self, data):
        """True if sent; False if the daemon had closed the connection."""
        try:
            self.s.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False

    def frames(self, deadline):
        """Yields (stream, type, body) until EOF or the deadline (then stops)."""
        while True:
            while len(self.buf) >= HEADER.size:
                length, stream, typ, _ = HEADER.unpack(self.buf[:HEADER.size])
                if len(self.buf) < HEADER.size + length:
                    break
                body = self.buf[HEADER.size:HEADER.size + length]
                self.buf = self.buf[HEADER.size + length:]
                yield stream, typ, body
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.s.settimeout(min(left, 1.0))
            try:
                chunk = self.s.recv(1 << 20)
            except socket.timeout:
                continue
            except (ConnectionResetError, BrokenPipeError):
                chunk = b""
            if not chunk:
                self.eof = True
                return
            self.buf += chunk

    def call(self, stream, method, payload=b"", timeout=30):
        """One call; (code, msg, payload), or None if the connection closed first."""
        if not self.send(frame(stream, envelope(method, payload))):
            return None
        for st, typ, body in self.frames(time.monotonic() + timeout):
            if st == stream and typ == RESPONSE:
                return decode_response(body)
        return None

    def close(self):
        self.s.close()


# ---------------------------------------------------------------- generated messages

def load_protos(proto_dir, files, prefix="nsring-py."):
    """protoc --python_out for files (relative to proto_dir) into a temporary directory removed
    at exit; the modules, loaded by path (their package path, grpc/..., would clash with the
    grpc package itself), in the order of files."""
    out = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    subprocess.run(["protoc", "-I" + proto_dir, "--python_out=" + out] + list(files), check=True)
    # A file's imports (nsring.proto's bridge.proto, link.proto...) are compiled alongside and
    # imported by package path: make out reachable, last, so it never shadows a real package.
    deps = set()
    for f in files:
        with open(os.path.join(proto_dir, f)) as src:
            for line in src:
                if line.startswith("import ") and '"' in line:
                    deps.add(line.split('"')[1])
    if deps:
        subprocess.run(["protoc", "-I" + proto_dir, "--python_out=" + out] + sorted(deps),
                       check=True)
    if out not in sys.path:
        sys.path.append(out)
    mods = []
    for f in files:
        path = os.path.join(out, f.replace(".proto", "_pb2.py"))
        name = os.path.basename(path)[:-3]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mods.append(mod)
    return mods
