#!/bin/sh
# Every example runs and prints its CSV row; the handshake example's
# figures are the ones its text explains (one round trip of 20 ms).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SYNACK_SRCDIR:=$(dirname "$here")}"
: "${SYNACK_BUILDDIR:=$SYNACK_SRCDIR}"
: "${SYNACK_CONFIG:=$SYNACK_SRCDIR/tests/test.conf}"
export SYNACK_CONFIG
unset SYNACK_PLUGIN_PATH
failed=0
for ex in "$SYNACK_SRCDIR"/examples/*.lua; do
	if ! out=$("$SYNACK_BUILDDIR/synack" run "$ex" verbose=false 2>&1); then
		echo "FAIL: $ex exited with an error:"
		echo "$out"
		failed=1
	elif [ "$(printf '%s\n' "$out" | wc -l)" -ne 2 ]; then
		echo "FAIL: $ex printed more or less than a CSV header and row:"
		echo "$out"
		failed=1
	fi
done
row=$("$SYNACK_BUILDDIR/synack" run "$SYNACK_SRCDIR/examples/handshake.lua" verbose=false | tail -1)
case "$row" in
*,20.0096) ;;
*) echo "FAIL: handshake.lua: expected a handshake of 20.0096 ms, got '$row'"; failed=1 ;;
esac
# twoway.lua: the old duplicate SYN is accepted only by the two-way handshake.
row=$("$SYNACK_BUILDDIR/synack" run "$SYNACK_SRCDIR/examples/twoway.lua" verbose=false | tail -1)
[ "$row" = "0.05,both,false,0,CLOSED,6,1,ESTABLISHED,1" ] ||
	{ echo "FAIL: twoway.lua: got '$row'"; failed=1; }
[ $failed -eq 0 ] && echo "examples.sh: all examples ran"
exit $failed
