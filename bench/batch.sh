#!/bin/sh
# bench/batch.sh: `synack batch` with one worker and with two.
#
# Two sweeps, each run with -j1 and -j2 (best of REPEAT tries, default 3):
#   spin       240 runs of tests/data/batch_exp.lua, each 20 ms of CPU
#              (short runs: process and Lua start-up are a few percent)
#   handshake  examples/sweep_handshake.cfg, 810 runs of one connection
#              each (about 2 ms: start-up dominates)
# Prints `name value unit` lines: wall times, the ratio -j2 / -j1 (0.5
# would be perfect scaling on two cores) and the runs per second of one
# worker.  Checks that both CSVs
# agree, wall_s aside.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
SYNACK=${SYNACK:-$top/synack}
REPEAT=${REPEAT:-3}
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

# best SWEEP J: the shortest wall time of REPEAT batches, in seconds.
best() {
	b=
	i=0
	while [ $i -lt "$REPEAT" ]; do
		s=$(date +%s.%N)
		"$SYNACK" batch "$1" -j"$2" -o "$tmp/out$2.csv" --force -q 2>/dev/null
		e=$(date +%s.%N)
		b=$(awk -v s="$s" -v e="$e" -v b="$b" 'BEGIN { t = e - s; if (b == "" || t < b) b = t; printf "%.3f", b }')
		i=$((i + 1))
	done
	echo "$b"
}

for name in spin handshake; do
	case $name in
	spin) cfg=$tmp/spin.cfg ;;
	handshake) cfg=$top/examples/sweep_handshake.cfg ;;
	esac
	t1=$(best "$cfg" 1)
	t2=$(best "$cfg" 2)
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
