#!/bin/sh
# Emulation: synack's TCP talks to the Linux kernel through a TUN device,
# in a network namespace this test creates (synack-test-PID) and removes
# afterwards, also on failure; addresses from 192.0.2.0/24 and
# 198.18.0.0/24, nothing outside the namespace touched.
#   1. synack server, Linux client: 1 MB echoed, full open and close logged;
#   2. synack client, Linux server: 1 MB each way, the Linux side confirms;
#   3. a closed Linux port: the kernel's RST, reported as "refused" at once;
#   4. examples/remote_endpoint.lua driven over its pipes;
#   5. the capture of the device: good checksums, no TCP analysis warnings.
# Skipped (77), with the reason, without root, /dev/net/tun, ip netns,
# python3 or tshark.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (CAP_NET_ADMIN) for a network namespace and a TUN device"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (the kernel's tun driver)"
command -v ip >/dev/null 2>&1 || skip "no ip command (Debian package iproute2)"
command -v python3 >/dev/null 2>&1 || skip "no python3 (Debian package python3)"
command -v tshark >/dev/null 2>&1 && command -v dumpcap >/dev/null 2>&1 ||
	skip "no tshark/dumpcap (Debian package tshark)"

ns=synack-test-$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-tun.XXXXXX") || exit 1
cap=
cleanup() {
	[ -n "$cap" ] && kill "$cap" 2>/dev/null && wait "$cap" 2>/dev/null
	if ip netns list 2>/dev/null | grep -q "^$ns\b"; then
		ip netns exec "$ns" ip link del syn0 2>/dev/null
		ip netns exec "$ns" ip link del syn1 2>/dev/null
		ip netns del "$ns"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
ip netns add "$ns" 2>"$tmp/err" || skip "ip netns add failed: $(cat "$tmp/err")"
inns() { ip netns exec "$ns" "$@"; }
synack="$SYNACK_BUILDDIR/synack"
scenario="$SYNACK_SRCDIR/tests/tun_fixtures/scenario.lua"
peer="$SYNACK_SRCDIR/tests/tun_fixtures/peer.py"
. "$here/shlib.sh"
failed=0
failures=
fail() {
	echo "FAIL: $*"
	failed=1
	failures="$failures
FAIL: $(printf '%s' "$*" | head -c 2000)"
}
# A line matching $2 in file $1 (shlib's wait_for polls, up to 120 s).
has_line() { grep -q "$2" "$1" 2>/dev/null; }

# The namespace: loopback up, no IPv6 (no router solicitations in the
# capture), and syn0 made here, as a user would with `ip`.
inns ip link set lo up
inns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
if ! inns ip tuntap add dev syn0 mode tun 2>"$tmp/err"; then
	skip "cannot create a TUN device in a namespace: $(cat "$tmp/err")"
fi
inns ip addr add 192.0.2.1/24 dev syn0 && inns ip link set syn0 up || fail "configuring syn0"

# (ip netns exec execs dumpcap: $! is dumpcap's pid)
# (a 64 MiB buffer: a busy machine makes dumpcap drop packets otherwise)
ip netns exec "$ns" dumpcap -P -B 64 -i syn0 -w "$tmp/syn0.pcap" 2>"$tmp/dumpcap.err" &
cap=$!
wait_for "dumpcap to start" has_line "$tmp/dumpcap.err" "Capturing on" || fail "dumpcap did not start: $(cat "$tmp/dumpcap.err")"

echo "== 0. a TUN interface of a closed simulator"
inns "$synack" run "$SYNACK_SRCDIR/tests/tun_fixtures/closed.lua" >"$tmp/closed.out" 2>&1 ||
	fail "closed.lua: $(cat "$tmp/closed.out")"
grep -qx "closed ok" "$tmp/closed.out" || fail "closed.lua did not finish: $(cat "$tmp/closed.out")"

echo "== 1. synack server, Linux client"
inns timeout 60 "$synack" run "$scenario" mode=server dev=syn0 address=192.0.2.2/24 \
	port=40000 log="$tmp/server.log" >"$tmp/server.out" 2>&1 &
spid=$!
wait_for "the synack server" has_line "$tmp/server.out" '^ready' || fail "synack server not ready: $(cat "$tmp/server.out")"
inns timeout 60 python3 "$peer" client 192.0.2.2 40000 >"$tmp/client.out" 2>&1 || fail "Linux client failed"
wait $spid || fail "synack server exited with $?"
cat "$tmp/client.out" "$tmp/server.out" "$tmp/server.log"
grep -qx "linux client sent=1000000 received=1000000 intact=True" "$tmp/client.out" || fail "Linux client's counts"
grep -q "^result server received=1000000 sent=1000000 " "$tmp/server.out" || fail "synack server's counts"
for t in "LISTEN SYN_RECEIVED" "SYN_RECEIVED ESTABLISHED" "ESTABLISHED CLOSE_WAIT" \
	 "CLOSE_WAIT LAST_ACK" "LAST_ACK CLOSED"; do
	grep -q " $t " "$tmp/server.log" || fail "server state log lacks $t"
done

echo "== 2. synack client, Linux server"
inns timeout 60 python3 "$peer" server 192.0.2.1 40001 >"$tmp/lserver.out" 2>&1 &
ppid=$!
wait_for "the Linux server" has_line "$tmp/lserver.out" '^listening' || fail "Linux server not listening: $(cat "$tmp/lserver.out")"
inns timeout 60 "$synack" run "$scenario" mode=client dev=syn0 address=192.0.2.2/24 \
	server=192.0.2.1 port=40001 log="$tmp/client.log" >"$tmp/sclient.out" 2>&1 || fail "synack client exited with $?"
wait $ppid || fail "Linux server failed"
cat "$tmp/lserver.out" "$tmp/sclient.out" "$tmp/client.log"
grep -q "^linux server peer=192.0.2.2:[0-9]* sent=1000000 received=1000000 intact=True" "$tmp/lserver.out" ||
	fail "Linux server's report"
grep -q "^result client received=1000000 intact=true acked=1000000 " "$tmp/sclient.out" || fail "synack client's counts"
for t in "SYN_SENT ESTABLISHED"; do
	grep -q " $t " "$tmp/client.log" || fail "client state log lacks $t"
done

echo "== 3. a closed Linux port (syn1, set up by synack itself)"
inns timeout 60 "$synack" run "$scenario" mode=refused dev=syn1 address=198.18.0.2/24 peer=198.18.0.1 \
	server=198.18.0.1 port=40099 log="$tmp/refused.log" pcap="$tmp/syn1.pcap" ladder="$tmp/refused.txt" \
	>"$tmp/refused.out" 2>&1 || fail "synack exited with $?"
cat "$tmp/refused.out"
ms=$(sed -n 's/^result refused why=refused after_ms=\([0-9.]*\)$/\1/p' "$tmp/refused.out")
if [ -z "$ms" ]; then
	fail "no refusal reported"
elif ! awk -v ms="$ms" 'BEGIN { exit !(ms < 3000) }'; then
	# One SYN answered by RST (the capture below shows there was one):
	# well before the second SYN retransmission even on a busy machine.
	fail "the refusal took $ms ms"
fi
# synack's own capture of the device and its ladder of the connection
flags=$(tshark -n -r "$tmp/syn1.pcap" -o tcp.check_checksum:TRUE -Y "tcp.checksum.status == 1" \
	-T fields -e tcp.flags.str 2>/dev/null | tr -d '·' | tr '\n' ' ')
[ "$flags" = "S AR " ] || fail "syn1.pcap (synack's capture): segments '$flags', expected 'S AR '"
cat "$tmp/refused.txt"
grep -q -- "SYN seq=" "$tmp/refused.txt" && grep -q "RST" "$tmp/refused.txt" ||
	fail "the ladder of the refused connection lacks its SYN or RST"
! grep -q "in flight" "$tmp/refused.txt" || fail "the ladder has segments that never arrived"

echo "== 4. examples/remote_endpoint.lua, driven live"
inns timeout 60 python3 "$peer" remote 192.0.2.1 192.0.2.2 "$synack" run \
	"$SYNACK_SRCDIR/examples/remote_endpoint.lua" dev=syn0 address=192.0.2.2/24 verbose=false \
	>"$tmp/remote.out" 2>&1 || fail "remote driver failed"
cat "$tmp/remote.out"
grep -q "^linux remote connect_close=True abort_reset=True exit=0 " "$tmp/remote.out" || fail "remote endpoint"

echo "== 5. the capture of syn0"
# The last segment of section 4 is synack's RST to the aborted Linux
# client (port 40003): once dumpcap has written it, the capture is whole.
last_rst() {
	tshark -n -r "$tmp/syn0.pcap" -Y "tcp.flags.reset == 1 && tcp.srcport == 40003" 2>/dev/null | grep -q .
}
wait_for "the RST of section 4 in the capture" last_rst
kill -INT "$cap" 2>/dev/null
wait "$cap" 2>/dev/null
cap=
frames() { tshark -n -r "$tmp/syn0.pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -Y "$1" 2>/dev/null | wc -l; }
all=$(frames "tcp")
bad=$(frames "ip.checksum.status != 1 || tcp.checksum.status != 1 || _ws.malformed")
# Packets dumpcap could not keep up with (it counts them) are missing from
# the capture but were on the wire: the gaps they leave ("previous segment
# not captured", "ACKed segment that wasn't captured") are the capture's,
# not synack's, and are not counted then.
grep '^Packets' "$tmp/dumpcap.err"
dropped=$(sed -n 's|^Packets received/dropped on interface .*: [0-9]*/\([0-9]*\) .*|\1|p' "$tmp/dumpcap.err" | head -n 1)
warning="tcp.analysis.flags && _ws.expert.severity >= warning"
if [ "${dropped:-0}" -gt 0 ]; then
	echo "capture: dumpcap dropped $dropped packets; the gaps they leave are not counted"
	warning="$warning && !tcp.analysis.lost_segment && !tcp.analysis.ack_lost_segment"
fi
warn=$(frames "$warning")
echo "capture: $all TCP frames, $bad with a bad or unverified checksum, $warn with analysis warnings"
[ "$all" -gt 1000 ] || fail "only $all TCP frames captured"
[ "$bad" -eq 0 ] || fail "$bad frames with bad checksums"
if [ "$warn" -ne 0 ]; then
	tshark -n -r "$tmp/syn0.pcap" -Y "$warning" \
		-T fields -e frame.number -e _ws.expert.message 2>/dev/null | head -20
	fail "$warn frames with TCP sequence-analysis warnings"
fi
for f in server sclient refused; do
	printf 'real-time %s: ' "$f"
	grep '^lag' "$tmp/$f.out"
done

if [ $failed -eq 0 ]; then
	echo "tun.sh: all emulation checks passed"
else
	# again at the end, where a log's tail shows them
	echo "tun.sh: failed checks:$failures"
fi
exit $failed
