#!/bin/sh
# Every example runs and prints its CSV row; the handshake example's
# figures are the ones its text explains (one round trip of 20 ms).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-examples.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
for ex in "$SYNACK_SRCDIR"/examples/*.lua; do
	# an example with a short version runs that, writing its files (out=)
	# to a temporary directory
	args=verbose=false
	grep -q 'fast = false' "$ex" && args="$args fast=true"
	grep -q 'out = "out"' "$ex" && args="$args out=$tmp"
	# (no input: remote_endpoint.lua reads its commands from it)
	if ! out=$("$SYNACK_BUILDDIR/synack" run "$ex" $args 2>&1 </dev/null); then
		echo "FAIL: $ex exited with an error:"
		echo "$out"
		failed=1
	elif [ "$(printf '%s\n' "$out" | wc -l)" -ne 2 ]; then
		echo "FAIL: $ex printed more or less than a CSV header and row:"
		echo "$out"
		failed=1
	fi
done
# Examples 8-12 in their short versions: field NAME is column NAME of the
# CSV row in $out.
field() { printf '%s\n' "$out" | awk -F, -v k="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i } NR == 2 && c { print $c }'; }
short() { out=$("$SYNACK_BUILDDIR/synack" run "$SYNACK_SRCDIR/examples/$1" verbose=false fast=true out="$tmp" 2>&1) || { echo "FAIL: $1: $out"; failed=1; }; }
short checksum.lua
[ "$(field corrupted)" -gt 0 ] && [ "$(field dropped_corrupt)" = "$(field corrupted)" ] &&
	[ "$(field retransmissions)" -gt 0 ] && [ "$(field intact)" = true ] &&
	[ "$(field bytes_received)" = "$(field bytes_sent)" ] ||
	{ echo "FAIL: checksum.lua: corrupted segments dropped and repaired, data intact: got"; echo "$out"; failed=1; }
short flow_control.lua
[ "$(field min_window)" = 0 ] && [ "$(field zero_window_probes)" -gt 0 ] && [ "$(field completed)" = true ] ||
	{ echo "FAIL: flow_control.lua: window to zero, probes, completion: got"; echo "$out"; failed=1; }
short refused.lua
[ "$(field cause)" = refused ] && awk -v r="$(field ratio)" 'BEGIN { exit !(r >= 0.9 && r <= 1.1) }' ||
	{ echo "FAIL: refused.lua: refused within 10 % of one RTT: got"; echo "$out"; failed=1; }
short syn_flood.lua
[ "$(field success_cookies)" = 1 ] && awk -v s="$(field success_backlog)" 'BEGIN { exit !(s < 0.5) }' ||
	{ echo "FAIL: syn_flood.lua: cookies 100 %, backlog alone < 50 % at the highest rate: got"; echo "$out"; failed=1; }
short loss_handshake.lua
[ -n "$(field points)" ] && [ "$(field within_ci)" = "$(field points)" ] ||
	{ echo "FAIL: loss_handshake.lua: every point within its CI of the model: got"; echo "$out"; failed=1; }
for f in checksum.csv checksum.svg flow_control_window.svg refused.svg syn_flood.csv syn_flood.svg loss_handshake.svg; do
	[ -s "$tmp/$f" ] || { echo "FAIL: $f was not written"; failed=1; }
done
# Examples 1-6 (ladders) in their short versions.
short handshake.lua
[ "$(field handshake_ms)" = 20.0096 ] && [ "$(field syn_seq)" = 3000 ] && [ "$(field synack_ack)" = 3001 ] &&
	[ "$(field data_seq)" = 3001 ] && [ "$(field data_ack)" = 3101 ] ||
	{ echo "FAIL: handshake.lua: one RTT of 20.0096 ms, SYN 3000 acked 3001, 3001 + 100 bytes acked 3101: got"; echo "$out"; failed=1; }
# ... and under the rfc profile, as its usage line runs it: the data's ACK
# comes by itself although RFC 1122's delayed ACK is longer
for args in "timers=rfc" "isn=rfc6528 timers=rfc"; do
	if ! out=$("$SYNACK_BUILDDIR/synack" run "$SYNACK_SRCDIR/examples/handshake.lua" verbose=false fast=true \
		out="$tmp" $args 2>&1); then
		echo "FAIL: handshake.lua $args: $out"
		failed=1
	elif [ "$(field data_ack)" != "$(( $(field data_seq) + 100 ))" ]; then
		echo "FAIL: handshake.lua $args: the data's ACK is not its seq + 100: got"; echo "$out"; failed=1
	fi
done
short close.lua
[ "$(field time_wait_rfc_s)" = 240 ] && [ "$(field time_wait_linux_s)" = 60 ] &&
	[ "$(field client_states_rfc)" = "CLOSED>SYN_SENT>ESTABLISHED>FIN_WAIT_1>FIN_WAIT_2>TIME_WAIT>CLOSED" ] &&
	[ "$(field server_states_linux)" = "LISTEN>SYN_RECEIVED>ESTABLISHED>CLOSE_WAIT>LAST_ACK>CLOSED" ] ||
	{ echo "FAIL: close.lua: every state, TIME_WAIT 240 s (rfc) and 60 s (linux): got"; echo "$out"; failed=1; }
short half_close.lua
[ "$(field received)" = "$(field sent_in_close_wait)" ] && [ "$(field received_half_closed)" = "$(field received)" ] &&
	[ "$(field received)" -gt 0 ] ||
	{ echo "FAIL: half_close.lua: every byte sent in CLOSE_WAIT arrives: got"; echo "$out"; failed=1; }
short isn.lua
[ "$(field corrupted_fixed)" -gt 0 ] && [ "$(field corrupted_rfc6528)" = 0 ] && [ "$(field corrupted_rfc793)" = 0 ] ||
	{ echo "FAIL: isn.lua: the old segment corrupts data under fixed ISNs only: got"; echo "$out"; failed=1; }
short twoway.lua
[ "$(field rfc9293_accepted)" = 0 ] && [ "$(field rfc9293_final_state)" = CLOSED ] &&
	[ "$(field twoway_accepted)" = 1 ] && [ "$(field twoway_final_state)" = ESTABLISHED ] ||
	{ echo "FAIL: twoway.lua: the old duplicate SYN is accepted only by the two-way handshake: got"; echo "$out"; failed=1; }
short time_wait.lua
[ "$(field server_close_60s)" = "ack of fin" ] && [ "$(field server_close_0s)" = reset ] &&
	[ "$(field rsts_0s)" -gt 0 ] && [ "$(field server_close_0s_reopen)" = reset ] &&
	awk -v a="$(field handshake_s_0s_reopen)" -v b="$(field handshake_s_60s)" 'BEGIN { exit !(a > 10 * b) }' ||
	{ echo "FAIL: time_wait.lua: FIN re-ACKed in TIME_WAIT, reset without it, the next connection delayed: got"; echo "$out"; failed=1; }
for f in handshake.svg close-rfc.svg close-linux.svg half_close.svg isn-fixed.svg isn-rfc6528.svg \
	twoway-rfc9293.svg twoway-twoway.svg time_wait-60s.svg time_wait-0s.svg time_wait-0s_reopen-next.svg; do
	[ -s "$tmp/$f" ] || { echo "FAIL: $f was not written"; failed=1; }
done
[ $failed -eq 0 ] && echo "examples.sh: all examples ran"
exit $failed
