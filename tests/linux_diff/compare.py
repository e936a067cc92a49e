"""Compares the two runs of each scenario of tests/linux_diff.sh.

  compare.py SCENARIOS LINUX.pcap LINUX_ADDR SYNACK.pcap LINUX_ADDR2
             [--port-offset N] [--differing FILE] [--only NAME...]

Each scenario's segments (its port) of the first capture (between two
Linux sockets) and of the second (synack as the peer) are compared in
order, each sender's on their own: flags (but PSH), relative seq and ack, payload
length exactly; the window within WINDOW_TOL (both zero or neither); the
time since the sender's previous segment within TIME_REL + TIME_ABS.  Prints per scenario "match" or the
first difference with both sequences side by side; a difference is
expected when the scenario says "known REASON".  Exits 1 on an unexpected
difference or a scenario without segments, and writes their names, a line
each, to FILE; --only compares the scenarios named only; each scenario's port is
its port in SCENARIOS plus N."""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scen  # noqa: E402

WINDOW_TOL = 0.5     # the windows may differ by this fraction of the larger
# A segment's time since the previous one of the same sender: within 10 %
# (the kernel's timer slack) and 50 ms (the scheduling of the programs on
# a busy machine: a step of a Python or Lua program runs a few tens of
# milliseconds late at times)
TIME_REL, TIME_ABS = 0.10, 0.050


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
        # (PSH is left out: where a sender sets it is no behaviour of TCP's
        # state machine or timers, and Linux sets it by its own rules)
        seg = {"t": float(f[0]), "from": "linux" if f[1] == linux_addr else "peer",
               "flags": "".join(ch for ch in f[4] if ch.isalpha() and ch != "P"),
               "seq": int(f[5] or 0), "ack": int(f[6] or 0), "len": int(f[7] or 0),
               "win": int(f[8] or 0)}
        for p in (int(f[2]), int(f[3])):
            by_port.setdefault(p, []).append(seg)
    return by_port


def fmt(s, t0):
    if s is None:
        return "-"
    return "%7.3f %-6s seq=%-6d ack=%-6d len=%-5d win=%d" % (
        s["t"] - t0, s["flags"], s["seq"], s["ack"], s["len"], s["win"])


def differ(a, pa, b, pb):
    """Why segment a (after pa) and b (after pb) differ, or None."""
    for k in ("flags", "seq", "ack", "len"):
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


def first_difference(a, b):
    """Index and reason of the first difference of two segment lists of
    one sender, or None."""
    for i in range(max(len(a), len(b))):
        if i >= len(a) or i >= len(b):
            return i, "count"
        why = differ(a[i], a[i - 1] if i else None, b[i], b[i - 1] if i else None)
        if why:
            return i, why
    return None


def main():
    ap = argparse.ArgumentParser()
    for a in ("scenarios", "pcap1", "addr1", "pcap2", "addr2"):
        ap.add_argument(a)
    ap.add_argument("--differing")
    ap.add_argument("--port-offset", type=int, default=0)
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()
    scens, order = scen.load(args.scenarios)
    if args.only is not None:
        order = [n for n in order if n in args.only]
    s1, s2 = segments(args.pcap1, args.addr1), segments(args.pcap2, args.addr2)
    differing = []
    rows = []
    for name in order:
        sc = scens[name]
        port = sc["port"] + args.port_offset
        a, b = s1.get(port, []), s2.get(port, [])
        first = None if a and b else ("peer", 0, "no segments")
        # Each sender's segments in order, on their own: segments of the
        # two directions sent at nearly the same time may pass each other.
        for who in ("peer", "linux"):
            if first:
                break
            d = first_difference([x for x in a if x["from"] == who], [x for x in b if x["from"] == who])
            if d:
                first = (who,) + d
        if first is None:
            if sc["known"]:
                verdict = "match (listed as known: %s)" % sc["known"]
            else:
                verdict = "match"
            print("%s: %s (%d segments)" % (name, verdict, len(a)))
        else:
            who, i, why = first
            print("%s: differs at the %s side's segment %d (%s); Linux peer | synack peer"
                  " (s since the first segment):" % (name, who, i + 1, why))
            ta, tb = a[0]["t"] if a else 0, b[0]["t"] if b else 0
            for j in range(max(len(a), len(b))):
                x = a[j] if j < len(a) else None
                y = b[j] if j < len(b) else None
                print("  %2d %-5s %-58s | %-5s %s" % (j + 1, x["from"] if x else "", fmt(x, ta),
                                                     y["from"] if y else "", fmt(y, tb)))
            if sc["known"] and why != "no segments":
                verdict = "differs (known: %s)" % sc["known"]
                print("  known difference: %s" % sc["known"])
            else:
                verdict = "DIFFERS (unexpected: %s's segment %d, %s)" % (who, i + 1, why)
                differing.append(name)
        rows.append((name, verdict))
    print("\nscenario                  result")
    for name, verdict in rows:
        print("%-25s %s" % (name, verdict))
    if args.differing:
        with open(args.differing, "w") as f:
            f.write("".join(n + "\n" for n in differing))
    for name, verdict in rows:
        if name in differing:
            print("unexpected: %s: %s" % (name, verdict))
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
