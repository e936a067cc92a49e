"""The Linux side of tests/tun.sh, run inside the test's namespace.

  peer.py client ADDR PORT      connect, send 1 MB, read the echo, close
  peer.py server ADDR PORT      accept one connection, 1 MB each way, close
  peer.py remote SYNACK... --   drive examples/remote_endpoint.lua (the
                                command after the options) over its pipes
Each prints one "linux ..." report line; a failure exits non-zero."""
import socket
import subprocess
import sys
import threading
import time

SIZE = 1000000
PATTERN = bytes(i % 251 for i in range(SIZE))


def recv_all(s, into):
    while True:
        b = s.recv(65536)
        if not b:
            return
        into.extend(b)


def client(addr, port):
    s = socket.create_connection((addr, port), timeout=20)
    got = bytearray()
    t = threading.Thread(target=recv_all, args=(s, got))
    t.start()
    s.sendall(PATTERN)
    s.shutdown(socket.SHUT_WR)
    t.join()
    s.close()
    print("linux client sent=%d received=%d intact=%s" % (SIZE, len(got), bytes(got) == PATTERN))


def server(addr, port, ready):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(20)
    ready()
    s, peer = ls.accept()
    s.settimeout(20)
    got = bytearray()
    t = threading.Thread(target=recv_all, args=(s, got))
    t.start()
    s.sendall(PATTERN)
    s.shutdown(socket.SHUT_WR)
    t.join()
    s.close()
    ls.close()
    print("linux server peer=%s:%d sent=%d received=%d intact=%s" %
          (peer[0], peer[1], SIZE, len(got), bytes(got) == PATTERN))


class Remote:
    """examples/remote_endpoint.lua over its standard input and output."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, bufsize=1)
        self.lines = []

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def expect(self, words, to=None, timeout=10):
        """The next event line whose fields (after the time) start with
        words (and whose fourth field is `to`, if given)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            line = self.p.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            f = line.split()[1:]
            if f[:len(words)] == words and (to is None or f[3:4] == [to]):
                return f
        raise SystemExit("remote: no '%s' line; got:\n%s" % (" ".join(words), "\n".join(self.lines)))


def remote(argv, linux_addr, synack_addr):
    r = Remote(argv)
    # synack connects to a Linux listener, sends, and closes.
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((linux_addr, 40002))
    ls.listen(1)
    ls.settimeout(10)
    r.send("connect %s 40002" % linux_addr)
    r.expect(["state", "1", "SYN_SENT", "ESTABLISHED"])
    s, _ = ls.accept()
    r.send("write 1 hello from synack")
    r.send("send 1 10000")
    r.expect(["sent", "1"])
    s.sendall(b"hello from linux\n")
    r.expect(["data", "1", "17", "17"])
    r.send("close 1")
    got = bytearray()
    s.settimeout(10)
    recv_all(s, got)
    s.close()
    r.expect(["state", "1"], to="TIME_WAIT")
    ok1 = bytes(got[:17]) == b"hello from synack" and len(got) == 10017
    # A Linux client connects to a synack listener, which aborts it.
    r.send("listen 40003")
    r.expect(["listening", "40003"])
    c = socket.create_connection((synack_addr, 40003), timeout=10)
    f = r.expect(["accepted"])
    r.send("abort %s" % f[1])
    try:
        ok2 = c.recv(10) == b"" and False
    except ConnectionResetError:
        ok2 = True
    c.close()
    r.send("bogus")
    r.expect(["error"])
    r.p.stdin.close()
    out = r.p.stdout.read()
    rc = r.p.wait(timeout=10)
    print("linux remote connect_close=%s abort_reset=%s exit=%d csv=%s" %
          (ok1, ok2, rc, out.strip().splitlines()[-1] if out.strip() else "-"))


def main():
    mode = sys.argv[1]
    if mode == "client":
        client(sys.argv[2], int(sys.argv[3]))
    elif mode == "server":
        server(sys.argv[2], int(sys.argv[3]), lambda: print("listening", flush=True))
    elif mode == "remote":
        linux_addr, synack_addr = sys.argv[2], sys.argv[3]
        remote(sys.argv[4:], linux_addr, synack_addr)


if __name__ == "__main__":
    main()
