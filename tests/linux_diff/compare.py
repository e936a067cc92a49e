"""Compares the two runs of each scenario of tests/linux_diff.sh.

  compare.py SCENARIOS LINUX.pcap LINUX_ADDR SYNACK.pcap LINUX_ADDR2

Each scenario's segments (its port) of the first capture (between two
Linux sockets) and of the second (synack as the peer) are compared in
order: sender, flags, relative seq and ack, payload length exactly; the
window within WINDOW_TOL (both zero or neither); the time since the
previous segment within 10 % + 20 ms.  Prints per scenario "match" or the
first difference with both sequences side by side; a difference is
expected when the scenario says "known REASON".  Exits 1 on an unexpected
difference or a scenario without segments."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scen  # noqa: E402

WINDOW_TOL = 0.5     # the windows may differ by this fraction of the larger
TIME_REL, TIME_ABS = 0.10, 0.020


def segments(pcap, linux_addr):
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "tcp", "-T", "fields",
                          "-e", "frame.time_epoch", "-e", "ip.src", "-e", "tcp.srcport",
                          "-e", "tcp.dstport", "-e", "tcp.flags.str", "-e", "tcp.seq",
                          "-e", "tcp.ack", "-e", "tcp.len", "-e", "tcp.window_size"],
                         check=True, capture_output=True, text=True).stdout
    by_port = {}
    for line in out.splitlines():
        f = line.split("\t")
        if len(f) < 9:
            continue
        seg = {"t": float(f[0]), "from": "linux" if f[1] == linux_addr else "peer",
               "flags": "".join(ch for ch in f[4] if ch.isalpha()),
               "seq": int(f[5] or 0), "ack": int(f[6] or 0), "len": int(f[7] or 0),
               "win": int(f[8] or 0)}
        for p in (int(f[2]), int(f[3])):
            by_port.setdefault(p, []).append(seg)
    return by_port


def fmt(s, prev):
    if s is None:
        return "-"
    d = s["t"] - prev["t"] if prev else 0.0
    return "+%7.3f %-5s %-6s seq=%-6d ack=%-6d len=%-5d win=%d" % (
        d, s["from"], s["flags"], s["seq"], s["ack"], s["len"], s["win"])


def differ(a, pa, b, pb):
    """Why segment a (after pa) and b (after pb) differ, or None."""
    for k in ("from", "flags", "seq", "ack", "len"):
        if a[k] != b[k]:
            return k
    if (a["win"] == 0) != (b["win"] == 0) or \
            abs(a["win"] - b["win"]) > WINDOW_TOL * max(a["win"], b["win"]):
        return "window"
    da = a["t"] - pa["t"] if pa else 0.0
    db = b["t"] - pb["t"] if pb else 0.0
    if abs(da - db) > TIME_REL * max(da, db) + TIME_ABS:
        return "time"
    return None


def main():
    path, pcap1, addr1, pcap2, addr2 = sys.argv[1:6]
    scens, order = scen.load(path)
    if sys.argv[6:7] == ["--only"]:
        order = [n for n in order if n in sys.argv[7:]]
    s1, s2 = segments(pcap1, addr1), segments(pcap2, addr2)
    bad, rows = 0, []
    for name in order:
        sc = scens[name]
        a, b = s1.get(sc["port"], []), s2.get(sc["port"], [])
        first = None
        for i in range(max(len(a), len(b))):
            if i >= len(a) or i >= len(b):
                first = (i, "count")
                break
            why = differ(a[i], a[i - 1] if i else None, b[i], b[i - 1] if i else None)
            if why:
                first = (i, why)
                break
        if not a or not b:
            first = (0, "no segments")
        if first is None:
            verdict = "match"
            print("%s: match (%d segments)" % (name, len(a)))
        else:
            i, why = first
            print("%s: differs at segment %d (%s); Linux peer | synack peer:" % (name, i + 1, why))
            for j in range(max(len(a), len(b))):
                x = a[j] if j < len(a) else None
                y = b[j] if j < len(b) else None
                mark = ">>" if j == i else "  "
                print("  %s %2d %-72s | %s" % (mark, j + 1,
                      fmt(x, a[j - 1] if 0 < j <= len(a) else None),
                      fmt(y, b[j - 1] if 0 < j <= len(b) else None)))
            if sc["known"] and why != "no segments":
                verdict = "differs (known: %s)" % sc["known"]
                print("  known difference: %s" % sc["known"])
            else:
                verdict = "DIFFERS (unexpected: segment %d, %s)" % (i + 1, why)
                bad += 1
        rows.append((name, verdict))
    print("\nscenario                  result")
    for name, verdict in rows:
        print("%-25s %s" % (name, verdict))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
