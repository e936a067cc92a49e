"""A side of a scenario of tests/linux_diff.sh with a Linux socket.

  peer.py SCENARIOS NAME linux|peer LOCAL REMOTE SYNCDIR [OFFSET]

runs the steps of NAME's "linux" or "peer" line (tests/linux_diff/scenarios)
between LOCAL (this side's address) and REMOTE, the server listening on the
scenario's port plus OFFSET (default 0), then waits until the connection is gone or in TIME_WAIT
(the kernel's orphans included) and prints one "result ..." line."""
import errno
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scen  # noqa: E402

BOUND = 60  # s: no step waits longer


def hexaddr(addr, port):
    a = socket.inet_aton(addr)
    return "%08X:%04X" % (int.from_bytes(a, "little"), port)


def alive(local, remote, port):
    """Sockets of this scenario in /proc/net/tcp neither gone, nor in
    TIME_WAIT (06) nor listening (0A)."""
    n = 0
    with open("/proc/net/tcp") as f:
        next(f)
        for line in f:
            w = line.split()
            la, ra, st = w[1], w[2], w[3]
            if st in ("06", "0A"):
                continue
            if la.startswith(hexaddr(local, 0)[:8]) and ra.startswith(hexaddr(remote, 0)[:8]) and \
                    (la.endswith(":%04X" % port) or ra.endswith(":%04X" % port)):
                n += 1
    return n


def main():
    path, name, side, local, remote, syncdir = sys.argv[1:7]
    sc = scen.load(path)[0][name]
    port = sc["port"] + int(sys.argv[7] if len(sys.argv) > 7 else 0)
    opts = {}
    ls = s = None
    err = "none"
    got = 0

    def apply(sock):
        for k, v in opts.items():
            if k == "nodelay":
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            elif k == "rcvbuf":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(v))
            elif k == "keepalive":
                idle, intvl, cnt = (int(x) for x in v.split(","))
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, intvl)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, cnt)
            elif k == "user_timeout":
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, int(v))

    def wait(what, cond, progress=None):
        end = time.monotonic() + BOUND
        while not cond():
            if time.monotonic() > end:
                raise SystemExit("peer.py %s %s: gave up waiting for %s after %d s%s" % (
                    name, side, what, BOUND, " (%s)" % progress() if progress else ""))
            time.sleep(0.005)

    def nth(n):
        return "%d%s" % (n, {1: "st", 2: "nd", 3: "rd"}.get(n if n < 20 else n % 10, "th"))

    # The bytes of each write, made before the steps: building them takes
    # milliseconds, more on a busy machine, and would delay the segments.
    writes = {}
    for step in sc[side]:
        k, _, v = step.partition("=")
        if k == "send" and v not in writes:
            writes[v] = bytes(i % 251 for i in range(int(v)))

    for step in sc[side]:
        k, _, v = step.partition("=")
        if k in ("nodelay", "rcvbuf", "keepalive", "user_timeout"):
            opts[k] = v
            if s is not None:
                apply(s)
        elif k == "listen":
            ls = socket.socket()
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            apply(ls)
            ls.bind((local, port))
            ls.listen(8)
            print("ready", flush=True)
        elif k == "accept":
            ls.settimeout(BOUND)
            s, _ = ls.accept()
            s.settimeout(BOUND)
            apply(s)
        elif k == "connect":
            s = socket.socket()
            apply(s)
            s.settimeout(BOUND)
            try:
                s.connect((remote, port))
            except OSError as e:
                err = errno.errorcode.get(e.errno, str(e.errno))
        elif k == "send":
            s.sendall(writes[v])
        elif k in ("recv", "recv_eof"):
            want = int(v) if v else None
            try:
                while want is None or got < want:
                    b = s.recv(min(65536, want - got) if want else 65536)
                    if not b:
                        break
                    got += len(b)
            except OSError as e:
                err = errno.errorcode.get(e.errno, str(e.errno))
        elif k == "unread":
            wait("%s unread bytes" % v,
                 lambda: len(s.recv(int(v), socket.MSG_PEEK | socket.MSG_DONTWAIT)) >= int(v)
                 if _readable(s) else False)
        elif k == "wait_error":
            def failed():
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if e:
                    nonlocal err
                    err = errno.errorcode.get(e, str(e))
                return e != 0
            wait("an error", failed)
        elif k == "shutdown":
            s.shutdown(socket.SHUT_WR)
        elif k == "close":
            if s is not None:
                s.close()
            if ls is not None:
                ls.close()
            s = ls = None
        elif k == "keepalive_probes":
            # On an idle connection every segment sent without data is a
            # keepalive probe and every segment received an answer.
            n = int(v)
            if not s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE):
                raise SystemExit("peer.py %s %s: %s: keepalive is off (no keepalive= step)" % (name, side, step))
            out0, in0 = _info(s, "segs_out") - _info(s, "data_segs_out"), _info(s, "segs_in")
            probes = lambda: _info(s, "segs_out") - _info(s, "data_segs_out") - out0
            answers = lambda: _info(s, "segs_in") - in0

            def answered():
                e = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if e:
                    raise SystemExit("peer.py %s %s: %s: the connection failed (%s) after %d probes" % (
                        name, side, step, errno.errorcode.get(e, str(e)), probes()))
                return probes() >= n and answers() >= n
            wait("the %s keepalive probe and its answer" % nth(n), answered,
                 lambda: "%d probes sent, %d answers received" % (probes(), answers()))
        elif k == "zero_window_probes":
            # The application not reading, the window closes and the only
            # segments without data that arrive are the sender's probes.
            n = int(v)
            in0 = _info(s, "segs_in") - _info(s, "data_segs_in")
            probes = lambda: _info(s, "segs_in") - _info(s, "data_segs_in") - in0
            wait("the %s zero-window probe" % nth(n), lambda: probes() >= n,
                 lambda: "%d arrived" % probes())
        elif k == "drained":
            wait("every byte sent acknowledged", lambda: _outq(s) == 0)
        elif k == "fin_acked":
            wait("our FIN acknowledged", lambda: _tcp_state(s) in FIN_ACKED)
        elif k == "sync":
            open(os.path.join(syncdir, v), "w").close()
        elif k == "wait":
            wait(v, lambda: os.path.exists(os.path.join(syncdir, v)))
        elif k == "gone":
            wait("the connection to close", lambda: alive(local, remote, port) == 0)
        else:
            raise SystemExit("peer.py: unknown step '%s' in %s" % (step, name))
    wait("the connection to close", lambda: alive(local, remote, port) == 0)
    print("result %s received=%d error=%s" % (side, got, err), flush=True)


# tcp_info's first byte, tcpi_state: FIN_WAIT2, TIME_WAIT, CLOSE
FIN_ACKED = (5, 6, 7)


def _tcp_state(s):
    return s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)[0]


# Offsets of struct tcp_info's counters (linux/tcp.h; Linux 4.2 and later)
TCP_INFO_U32 = {"segs_out": 136, "segs_in": 140, "data_segs_in": 152, "data_segs_out": 156}


def _info(s, field):
    """A counter of the socket's tcp_info: the kernel fills it under the
    socket's lock, so a segment it counts has been processed."""
    import struct
    ti = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 160)
    if len(ti) < 160:
        raise SystemExit("peer.py: this kernel's tcp_info has no %s (Linux 4.6 or later needed)" % field)
    return struct.unpack_from("I", ti, TCP_INFO_U32[field])[0]


def _outq(s):
    # SIOCOUTQ (TIOCOUTQ): bytes sent or queued and not acknowledged
    import fcntl
    import struct
    import termios
    return struct.unpack("i", fcntl.ioctl(s.fileno(), termios.TIOCOUTQ, b"\0" * 4))[0]


def _readable(s):
    import select
    return bool(select.select([s], [], [], 0)[0])


if __name__ == "__main__":
    main()
