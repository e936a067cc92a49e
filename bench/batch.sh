#!/bin/sh
# bench/batch.sh: `synack batch` with one worker and with two.
#
# Two sweeps (or those named: `sh bench/batch.sh handshake`), each run
# with -j1 and -j2 (the median of REPEAT tries,
# default 5, -j1 and -j2 alternating):
#   spin       240 runs of tests/data/batch_exp.lua, each 20 ms of CPU
#              (short runs: process and Lua start-up are a few percent)
#   handshake  examples/sweep_handshake.cfg, 810 runs of one connection
#              each (about 1 ms: start-up dominates)
# Prints `name value unit` lines: wall times, the ratio -j2 / -j1 (0.5
# would be perfect scaling on two cores) and the runs per second of one
# worker.  Checks that both CSVs
# agree, wall_s aside.  An uninstalled synack is libtool's wrapper script,
# whose start (a few hundred ms of shell) is no part of a batch: the
# program behind it is timed instead.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SYNACK=${SYNACK:-$top/synack}
REPEAT=${REPEAT:-5}
dir=$(dirname "$SYNACK")
if [ -x "$dir/.libs/synack" ] && head -c 2 "$SYNACK" | grep -q '#!'; then
	LD_LIBRARY_PATH=$dir/core/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	export LD_LIBRARY_PATH
	SYNACK=$dir/.libs/synack
fi
SYNACK_CONFIG=${SYNACK_CONFIG:-$top/tests/test.conf}
export SYNACK_CONFIG
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp "$top/tests/data/batch_exp.lua" "$tmp/exp.lua"
cat >"$tmp/spin.cfg" <<'CFG'
script = "exp.lua";
replications = 10;
grid: { loss = { from = 0.0; to = 0.5; step = 0.1; }; n = [1, 2, 3, 4]; spin = 0.02; };
CFG

# once SWEEP J: the wall time of one batch, in seconds.
once() {
	s=$(date +%s.%N)
	"$SYNACK" batch "$1" -j"$2" -o "$tmp/out$2.csv" --force -q 2>/dev/null
	e=$(date +%s.%N)
	awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f\n", e - s }'
}

# median FILE: the median of the numbers in FILE, one a line.
median() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { printf "%.3f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The sweeps named as arguments (spin, handshake), else both.
for name in ${*:-spin handshake}; do
	case $name in
	spin) cfg=$tmp/spin.cfg ;;
	handshake) cfg=$top/examples/sweep_handshake.cfg ;;
	esac
	: >"$tmp/t1"
	: >"$tmp/t2"
	i=0
	while [ $i -lt "$REPEAT" ]; do
		once "$cfg" 1 >>"$tmp/t1"
		once "$cfg" 2 >>"$tmp/t2"
		i=$((i + 1))
	done
	t1=$(median "$tmp/t1")
	t2=$(median "$tmp/t2")
	runs=$(($(wc -l <"$tmp/out1.csv") - 1))
	sed 's/,[^,]*$//' "$tmp/out1.csv" >"$tmp/a"
	sed 's/,[^,]*$//' "$tmp/out2.csv" >"$tmp/b"
	cmp -s "$tmp/a" "$tmp/b" || { echo "$name: -j1 and -j2 differ" >&2; exit 1; }
	echo "${name}_runs $runs runs"
	echo "${name}_wall_j1 $t1 s"
	echo "${name}_wall_j2 $t2 s"
	echo "${name}_ratio $(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.3f", b / a }') (j2/j1)"
	echo "${name}_rate_j1 $(awk -v a="$t1" -v n="$runs" 'BEGIN { printf "%.0f", n / a }') runs/s"
done
