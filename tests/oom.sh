#!/bin/sh
# Memory that cannot be allocated during a run fails the run: with an
# allocation site made to fail (SYNACK_FAULT), `synack run` exits non-zero
# with sim:run's error naming what could not be stored and when, and
# prints no result; without it the same script completes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-oom.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

synack="$SYNACK_BUILDDIR/synack"
script="$SYNACK_SRCDIR/tests/data/oom.lua"
fail=0

bad() {
	echo "FAIL: $*" >&2
	fail=1
}

SYNACK_FAULT= "$synack" run "$script" >"$tmp/out" 2>"$tmp/err" ||
	bad "the script fails without a fault: $(cat "$tmp/err")"
grep -q '^received 500000$' "$tmp/out" || bad "without a fault: $(cat "$tmp/out")"

# site, then what the message must name
for c in "ooo:queueing an out-of-order segment" "sack:growing the SACK scoreboard" \
	 "cc:allocating the congestion-control state" \
	 "sample:storing a queue-length sample of link a - b"; do
	site=${c%%:*}
	what=${c#*:}
	if SYNACK_FAULT=$site "$synack" run "$script" >"$tmp/out" 2>"$tmp/err"; then
		bad "$site: the run succeeded"
	fi
	grep -q "oom.lua:[0-9]*: the run failed: out of memory $what.* at virtual time [0-9.]* s" "$tmp/err" ||
		bad "$site: no message naming '$what': $(cat "$tmp/err")"
	grep -q received "$tmp/out" && bad "$site: a result was printed: $(cat "$tmp/out")"
	grep -q "Sanitizer\|runtime error" "$tmp/err" && bad "$site: a sanitizer report: $(cat "$tmp/err")"
done

SYNACK_FAULT=nosuch "$synack" run "$script" >"$tmp/out" 2>"$tmp/err" &&
	bad "an unknown fault site was accepted"
grep -q "SYNACK_FAULT: unknown allocation fault site 'nosuch'" "$tmp/err" ||
	bad "unknown site: $(cat "$tmp/err")"
exit $fail
