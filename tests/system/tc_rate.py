# The tc system test's bulk transfer: `recv ADDR PORT` (in the receiving namespace) prints the
# payload rate in bits/s measured over the transfer after its first 0.5 s (TCP's start and the
# bucket's burst left out); `send ADDR PORT SECONDS` sends as fast as the path allows.
import socket
import sys
import time

WARMUP = 0.5


def recv(addr, port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(30)
    print("listening", file=sys.stderr, flush=True)
    c, _ = ls.accept()
    c.settimeout(30)
    start = None
    counted = 0
    t0 = t_last = 0.0
    while True:
        b = c.recv(1 << 16)
        now = time.monotonic()
        if not b:
            break
        if start is None:
            start = now
        if now - start >= WARMUP:
            if not t0:
                t0 = now
            else:
                counted += len(b)
            t_last = now
    if not t0 or t_last <= t0:
        print("0")
        return
    print(int(counted * 8 / (t_last - t0)))


def send(addr, port, seconds):
    deadline = time.monotonic() + 10
    while True:
        try:
            s = socket.create_connection((addr, port), timeout=10)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    chunk = b"x" * (1 << 16)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s.sendall(chunk)
    s.close()


if __name__ == "__main__":
    if sys.argv[1] == "recv":
        recv(sys.argv[2], int(sys.argv[3]))
    else:
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
