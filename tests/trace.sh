#!/bin/sh
# Traces: the pcap files of a run open in tshark with every IPv4 and TCP
# checksum verified good and no malformed frame; the ns-2 text trace has
# the expected lines.  Skipped (77) only when tshark is not installed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

if ! command -v tshark >/dev/null 2>&1; then
	echo "SKIP: tshark is not installed (Debian package tshark; .ci/run installs it)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-trace.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }

if ! "$SYNACK_BUILDDIR/synack" run "$SYNACK_SRCDIR/tests/data/trace.lua" \
	dir="$tmp" text="$tmp/all.tr" >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	fail "synack run failed"
fi

# tshark prints one line per frame matching the filter.
frames() { tshark -n -r "$1" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -Y "$2" 2>"$tmp/tshark.err" | wc -l; }

for f in a-r r-b; do
	pcap=$tmp/$f.pcap
	[ -s "$pcap" ] || { fail "$pcap missing or empty"; continue; }
	all=$(frames "$pcap" "frame")
	[ "$all" -eq 5 ] || fail "$f.pcap: expected 5 frames, tshark read $all"
	bad=$(frames "$pcap" "_ws.malformed || _ws.expert.severity >= error || ip.checksum.status == 0 || tcp.checksum.status == 0")
	[ "$bad" -eq 0 ] || fail "$f.pcap: $bad frames malformed or with a bad checksum"
	good=$(frames "$pcap" "ip.checksum.status == 1")
	[ "$good" -eq 5 ] || fail "$f.pcap: $good of 5 IPv4 checksums verified good"
	good=$(frames "$pcap" "tcp.checksum.status == 1")
	[ "$good" -eq 4 ] || fail "$f.pcap: $good of 4 TCP checksums verified good"
	# (tshark warns about running as root, which says nothing of the file)
	if grep -v 'Running as user "root"' "$tmp/tshark.err" | grep -q .; then
		cat "$tmp/tshark.err"
		fail "tshark complained about $f.pcap"
	fi
done

# The data segment: seq 3001 with 100 bytes, as tshark decodes it.
line=$(tshark -n -r "$tmp/a-r.pcap" -Y "tcp.len == 100" -T fields -e tcp.seq_raw -e tcp.ack_raw -e tcp.nxtseq 2>/dev/null)
[ "$line" = "$(printf '3001\t7001\t101')" ] || fail "data segment fields: got '$line'"

# Nanosecond time stamps: r forwards the SYN at 1.032 ms, b answers at 10 ms.
stamps=$(tshark -n -r "$tmp/r-b.pcap" -T fields -e frame.time_epoch 2>/dev/null | head -2 | tr '\n' ' ')
[ "$stamps" = "0.001032000 0.010000000 " ] || fail "r-b.pcap time stamps: got '$stamps'"

# ns-2 text: the SYN leaves a (node 0) for r (node 1) at time 0 at once.
grep -qx '+ 0.000000000 0 1 tcp 40 ------- 0 0.40000 2.80 3000 1 ACK=0 FLAGS=SYN WIN=65535 LEN=0' "$tmp/all.tr" ||
	fail "no '+' line for the SYN in all.tr"
grep -qx -- '- 0.000000000 0 1 tcp 40 ------- 0 0.40000 2.80 3000 1 ACK=0 FLAGS=SYN WIN=65535 LEN=0' "$tmp/all.tr" ||
	fail "no '-' line for the SYN in all.tr"
# 40 B at 10 Mbit/s = 32 us, plus 1 ms: r receives it at 1.032 ms.
grep -qx 'r 0.001032000 0 1 tcp 40 ------- 0 0.40000 2.80 3000 1 ACK=0 FLAGS=SYN WIN=65535 LEN=0' "$tmp/all.tr" ||
	fail "no 'r' line for the SYN at 1.032 ms in all.tr"
# The data segment: seq 3001, 100 bytes, acknowledging 7001.
grep -q ' tcp 140 ------- 0 0.40000 2.80 3001 [0-9]* ACK=7001 FLAGS=PSH,ACK WIN=65535 LEN=100$' "$tmp/all.tr" ||
	fail "no line for the data segment in all.tr"
# b has no TCP: the segments addressed to it are dropped there, and the
# raw packet (protocol 253) is counted.
grep -q '^r .* 253 300 ' "$tmp/all.tr" || fail "the raw packet never reached b"
n=$(wc -l <"$tmp/r-b.tr")
m=$(grep -c ' 1 2 \| 2 1 ' "$tmp/all.tr")
[ "$n" -eq "$m" ] || fail "r-b.tr has $n lines, all.tr $m lines for that link"

# A TCP connection opened by synack's own endpoints, a request of 18 bytes
# answered by 100, then closed by both sides: the nine segments in order,
# the payload lengths, and no warning of tshark's sequence analysis.
mkdir "$tmp/tcp"
if ! "$SYNACK_BUILDDIR/synack" run "$SYNACK_SRCDIR/tests/data/tcp_close.lua" dir="$tmp/tcp" >"$tmp/out" 2>&1; then
	cat "$tmp/out"
	fail "synack run tcp_close.lua failed"
fi
flags=$(tshark -n -r "$tmp/tcp/a-b.pcap" -T fields -e tcp.flags.str 2>/dev/null | tr -d '·' | tr '\n' ' ')
[ "$flags" = "S AS A AP AP AF A AF A " ] || fail "a-b.pcap: segments '$flags', expected 'S AS A AP AP AF A AF A '"
lens=$(tshark -n -r "$tmp/tcp/a-b.pcap" -T fields -e tcp.len 2>/dev/null | tr '\n' ' ')
[ "$lens" = "0 0 0 18 100 0 0 0 0 " ] || fail "a-b.pcap: payload lengths '$lens'"
warn=$(frames "$tmp/tcp/a-b.pcap" "tcp.analysis.flags || _ws.malformed || tcp.checksum.status == 0")
[ "$warn" -eq 0 ] || fail "a-b.pcap: $warn segments with sequence-analysis warnings or bad checksums"

[ $failed -eq 0 ] && echo "trace.sh: all checks passed"
exit $failed
