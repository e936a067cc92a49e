#!/bin/sh
# synack packetdrill: every script under tests/packetdrill/ passes under
# the linux profile (those that need the socket API still to come are
# unsupported until it exists, never failing), and the runner's reports:
# a wrong expectation, a syntax error, an unknown call or option, exit
# statuses.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

SYNACK=$SYNACK_BUILDDIR/synack

if [ ! -x "$SYNACK" ]; then
	echo "FAIL: $SYNACK is not built" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-pd.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

. "$here/shlib.sh"

PD=$SYNACK_SRCDIR/tests/packetdrill
# Scripts that describe Linux where synack differs today, each line the
# script and what Linux does.  They must FAIL: a gap closed moves its
# script back among those that must pass.
GAPS=""
gaps=$(echo "$GAPS" | sed -n 's/^\([a-z0-9_]*\):.*/\1/p' | tr '\n' ' ')
# Scripts using a call the runner cannot map yet: they must be UNSUPPORTED
# (names separated by spaces; none at present).
AWAITING=""

# ------------------------------------------------------------ the scripts
set --
for f in "$PD"/*.pkt; do
	case " $gaps $AWAITING " in
	*" $(basename "$f" .pkt) "*) ;;
	*) set -- "$@" "$f" ;;
	esac
done
run "all scripts" "$SYNACK" packetdrill "$@"
expect_rc 0
expect_not out "FAIL "
expect_not out "ERROR "
expect_not out "UNSUPPORTED "
for f in "$@"; do
	expect_has out "PASS $f"
done
expect_has out "$# passed, 0 failed, 0 unsupported"
for name in $gaps; do
	label="known gap $name"
	checks=$((checks + 1))
	[ -f "$PD/$name.pkt" ] || { fail "no script $PD/$name.pkt"; continue; }
	run "known gap $name" "$SYNACK" packetdrill "$PD/$name.pkt"
	expect_rc 1
	expect_has out "FAIL $PD/$name.pkt:"
done
for name in $AWAITING; do
	run "awaiting $name" "$SYNACK" packetdrill "$PD/$name.pkt"
	expect_rc 1
	expect_has out "UNSUPPORTED $PD/$name.pkt:"
done

# ------------------------------------------------------------ a wrong expectation
cat >"$tmp/wrong.pkt" <<'PKT'
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
+0    < S 0:0(0) win 65535 <mss 1000>
+0    > S. 0:0(0) ack 1 win 1234 <mss 1460>
PKT
run "wrong window" "$SYNACK" packetdrill "$tmp/wrong.pkt"
expect_rc 1
expect_has out "FAIL $tmp/wrong.pkt:5: expected > S. 0:0(0) ack 1 win 1234 <mss 1460> at 0.000000, got > S. 0:0(0) ack 1 win 65535 <mss 1460>"
expect_has out "(win differ)"
expect_has out "0 passed, 1 failed, 0 unsupported"

cat >"$tmp/late.pkt" <<'PKT'
0     < S 0:0(0) win 65535
+0.5  > R. 0:0(0) ack 1
PKT
run "segment at the wrong time" "$SYNACK" packetdrill "$tmp/late.pkt"
expect_rc 1
expect_has out "late.pkt:2: expected > R. 0:0(0) ack 1 at 0.500000, got > R. 0:0(0) ack 1 win 0 <> at 0.000"
expect_has out "(time differ)"

cat >"$tmp/extra.pkt" <<'PKT'
0     < S 0:0(0) win 65535
PKT
run "unexpected segment" "$SYNACK" packetdrill "$tmp/extra.pkt"
expect_rc 1
expect_has out "extra.pkt:1: expected nothing more, got > R. 0:0(0) ack 1"

cat >"$tmp/ret.pkt" <<'PKT'
0     socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0    bind(3, ..., ...) = 0
+0    listen(3, 1) = 0
+0    fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0    accept(3, ..., ...) = 4
PKT
run "wrong result" "$SYNACK" packetdrill "$tmp/ret.pkt"
expect_rc 1
expect_has out "ret.pkt:5: expected accept(3, ..., ...) = 4, got -1 EAGAIN"

# ------------------------------------------------------------ errors in scripts
printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0 win 1\n' >"$tmp/syntax.pkt"
run "syntax error" "$SYNACK" packetdrill "$tmp/syntax.pkt"
expect_rc 1
expect_has out "ERROR $tmp/syntax.pkt:2: expected '(' in SEQ:END(LEN), got 'win'"

printf '0 < S 0:0(0)\n' >"$tmp/nowin.pkt"
run "inbound without window" "$SYNACK" packetdrill "$tmp/nowin.pkt"
expect_rc 1
expect_has out "ERROR $tmp/nowin.pkt:1: window must be specified for inbound packets"

printf '/* never closed\n0 < S 0:0(0) win 1\n' >"$tmp/comment.pkt"
run "unterminated comment" "$SYNACK" packetdrill "$tmp/comment.pkt"
expect_rc 1
expect_has out "ERROR $tmp/comment.pkt:1: unterminated comment"

printf '0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 frobnicate(3) = 0\n' >"$tmp/call.pkt"
run "unknown call" "$SYNACK" packetdrill "$tmp/call.pkt"
expect_rc 1
expect_has out "UNSUPPORTED $tmp/call.pkt:2: unsupported: system call frobnicate"
expect_has out "0 passed, 0 failed, 1 unsupported"

printf -- '--speed=100\n0 < S 0:0(0) win 1\n' >"$tmp/opt.pkt"
run "unknown option" "$SYNACK" packetdrill "$tmp/opt.pkt"
expect_rc 1
expect_has out "UNSUPPORTED $tmp/opt.pkt:1: unsupported: option --speed"

printf '0 `sysctl -q net.ipv4.tcp_frto=2`\n0 < S 0:0(0) win 1\n' >"$tmp/sysctl.pkt"
run "unknown sysctl" "$SYNACK" packetdrill "$tmp/sysctl.pkt"
expect_rc 1
expect_has out "unsupported: sysctl net.ipv4.tcp_frto"

printf '0 `rm -rf /`\n' >"$tmp/shell.pkt"
run "shell command" "$SYNACK" packetdrill "$tmp/shell.pkt"
expect_rc 1
expect_has out "unsupported: shell command 'rm'"

printf -- '--tolerance_usecs=x\n0 < S 0:0(0) win 1\n' >"$tmp/badnum.pkt"
run "bad number" "$SYNACK" packetdrill "$tmp/badnum.pkt"
expect_rc 1
expect_has out "ERROR $tmp/badnum.pkt:1: --tolerance_usecs needs a number"

run "missing file" "$SYNACK" packetdrill "$tmp/none.pkt"
expect_rc 1
expect_has out "ERROR"

# ------------------------------------------------------------ the command line
run "no script" "$SYNACK" packetdrill
expect_rc 2
expect_has err "no script"

run "bad option" "$SYNACK" packetdrill --frob "$tmp/wrong.pkt"
expect_rc 2

run "bad --set" "$SYNACK" packetdrill --set nosuchparam=1 "$PD/passive_open.pkt"
expect_rc 1
expect_has out "no such parameter"

# retx_psh: under rfc a retransmission has PSH only where the queued data
# ends; set, it keeps the PSH its data was first sent with
run "rfc: no PSH on the retransmission" "$SYNACK" packetdrill --timers rfc \
	"$PD/fast_retransmit_dupacks.pkt" "$PD/sack_sender_retransmit.pkt"
expect_rc 1
expect_has out "FAIL $PD/fast_retransmit_dupacks.pkt:24: expected > P. 1:1001(1000) ack 1"
expect_has out "FAIL $PD/sack_sender_retransmit.pkt:24: expected > P. 1:1001(1000) ack 1"
expect_has out "(flags differ)"
run "rfc with retx_psh" "$SYNACK" packetdrill --timers rfc --set retx_psh=true \
	"$PD/fast_retransmit_dupacks.pkt" "$PD/sack_sender_retransmit.pkt"
expect_rc 0
expect_has out "2 passed, 0 failed"

# tlp: without it no tail loss probe goes, only the RTO (backing off)
run "linux with tlp off" "$SYNACK" packetdrill --set tlp=false \
	"$PD/tlp_two_srtt.pkt" "$PD/tlp_new_data.pkt" "$PD/tail_loss_probe.pkt"
expect_rc 1
expect_has out "FAIL $PD/tlp_two_srtt.pkt:26: expected > P. 3001:4001(1000) ack 1 at 0.402001, got nothing"
expect_has out "FAIL $PD/tlp_new_data.pkt:38: expected > P. 10001:11001(1000) ack 1 at 0.302002, got nothing"
expect_has out "FAIL $PD/tail_loss_probe.pkt:16: expected > P. 1:1001(1000) ack 1 at 0.530000~0.550000, got nothing"
expect_has out "0 passed, 3 failed"

# sack_reneg: without it the reneging ACK restarts the RTO
run "linux with sack_reneg off" "$SYNACK" packetdrill --set sack_reneg=false \
	"$PD/sack_reneging.pkt"
expect_rc 1
expect_has out "FAIL $PD/sack_reneging.pkt:32: expected > P. 2001:3001(1000) ack 1 at 0.259001, got nothing"

# --set reaches the timer profile: a 200 ms delayed ACK breaks the 40 ms one
run "--set delack" "$SYNACK" packetdrill --set delack=200ms "$PD/delayed_ack.pkt"
expect_rc 1
expect_has out "FAIL $PD/delayed_ack.pkt:"

run "--verbose" "$SYNACK" packetdrill --verbose "$PD/passive_open.pkt"
expect_rc 0
expect_has out "0.000000 < S 0:0(0) win 65535"
expect_has out "0.010000 accept(3, ..., ...) = 4"

run "--ladder" "$SYNACK" packetdrill --ladder "$tmp" "$PD/active_close.pkt"
expect_rc 0
if ! grep -q "FIN" "$tmp/active_close.txt" 2>/dev/null; then
	fail "no ladder with the FIN in $tmp/active_close.txt"
fi

# ------------------------------------------------------------ summary
if [ "$failed" -ne 0 ]; then
	echo "packetdrill.sh: $failed of $checks checks failed" >&2
	exit 1
fi
echo "packetdrill.sh: all $checks checks passed"
exit 0
