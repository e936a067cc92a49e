#!/bin/sh
# Runs every libFuzzer target of a build configured with --enable-fuzzing
# for a bounded time, each on a copy of its seed corpus in a temporary
# directory (the tree is left as it is), and fails on any crash,
# sanitizer report, leak, timeout or finding of a target's own checks.
#
#   tests/fuzz/run.sh [BUILDDIR]         (default: the current directory)
#
# Environment:
#   FUZZ_TIME     seconds per target (default 60)
#   FUZZ_TARGETS  which targets (default: tcp units config summarize conformance
#                 packetdrill)
#   FUZZ_ARGS     more libFuzzer options (e.g. "-jobs=4 -workers=4")
#
# Builds nothing: `make` in a build configured --enable-fuzzing builds the
# targets.  Prints "PASS: fuzz_NAME" or "FAIL: fuzz_NAME" per target, the
# report and the reproducing input of each failure (kept, with the log,
# in a directory it names), then "N passed, N failed".
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-.}" && pwd) || exit 2
time=${FUZZ_TIME:-60}
targets=${FUZZ_TARGETS:-tcp units config summarize conformance packetdrill}
work=$(mktemp -d "${TMPDIR:-/tmp}/synack-fuzz-run.XXXXXX") || exit 2

# Leaks count (libFuzzer checks them with -detect_leaks, on by default);
# UBSan stops at its first report, as in the sanitizer build.
# lsan.supp names the leaks that are another library's.
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/lsan.supp}
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS

pass=0
fail=0
for t in $targets; do
	bin=$build/tests/fuzz/fuzz_$t
	name=fuzz_$t
	if [ ! -x "$bin" ]; then
		echo "FAIL: $name: $bin is not built (./configure --enable-fuzzing, then make)"
		fail=$((fail + 1))
		continue
	fi
	corpus=$work/$t/corpus
	art=$work/$t/artifacts
	log=$work/$t/log
	mkdir -p "$corpus" "$art"
	cp "$here/corpus/$t/"* "$corpus/" || { echo "FAIL: $name: no seed corpus"; fail=$((fail + 1)); continue; }
	# timeout(1) is a last resort for a hang libFuzzer's own -timeout
	# cannot see (outside an input); it never fires in a sound run.
	guard=
	command -v timeout >/dev/null 2>&1 && guard="timeout -s KILL $((time + 300))"
	# shellcheck disable=SC2086 # FUZZ_ARGS: one word per option
	$guard "$bin" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$art/" ${FUZZ_ARGS:-} \
		"$corpus" >"$log" 2>&1
	rc=$?
	found=$(ls "$art")
	if [ $rc -eq 0 ] && [ -z "$found" ]; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		echo "PASS: $name (${time} s, ${runs:-?} inputs)"
		pass=$((pass + 1))
		continue
	fi
	fail=$((fail + 1))
	echo "FAIL: $name (exit status $rc)"
	# the report: from the first line of a finding to the end of the log,
	# without libFuzzer's module list
	report=$(grep -v '^INFO: Loaded' "$log" |
		sed -n '/fuzz finding\|ERROR: \|runtime error\|WARNING: .*Sanitizer\|ALARM\|out-of-memory/,$p' |
		head -150)
	if [ -n "$report" ]; then
		printf '%s\n' "$report"
	else
		tail -40 "$log"
	fi
	if [ -n "$found" ]; then
		for f in "$art"/*; do
			echo "reproducer: $f"
			echo "  run it:   $bin $f"
		done
	else
		echo "no reproducer was written (the log: $log)"
	fi
	keep=1
done
if [ -n "${keep:-}" ]; then
	echo "logs, corpora and reproducers kept in $work"
else
	rm -rf "$work"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
