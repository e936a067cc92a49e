#!/bin/sh
# bench/sackloss.sh: bench/sackloss.lua lossless and with loss, for this
# build and (optionally) a previous one, run alternately.
#
#   SYNACK=/path/to/old/synack bench/sackloss.sh [MB [FROM [LOSS]]]
#
# Runs a transfer of MB MiB (default 256) over 10 Gbit/s with a 100 ms
# RTT without loss and with LOSS (default 0.001) from packet FROM on
# (default 150000, once slow start has filled the pipe), REPEAT times
# each (default 3), alternating the builds and the two runs so that a
# change in the machine's load falls on all alike.  Prints every run's
# CPU nanoseconds per byte, then for each build the medians and the
# ratio loss / lossless (the target: at most 2), and with SYNACK set the
# ratios this build / the previous one (below 1: cheaper).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
new=$top/synack
old=${SYNACK:-}
mb=${1:-256}
from=${2:-150000}
loss=${3:-0.001}
REPEAT=${REPEAT:-3}
SYNACK_CONFIG=${SYNACK_CONFIG:-$top/tests/test.conf}
export SYNACK_CONFIG
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-sackloss.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run BIN NAME LOSS: one transfer; appends its CPU ns/byte to $tmp/NAME.LOSS
run() {
	out=$("$1" run "$top/bench/sackloss.lua" mb="$mb" from="$from" loss="$3")
	v=$(printf '%s\n' "$out" | awk '$1 == "cpu_ns_per_byte" { print $2 }')
	if [ -z "$v" ]; then
		echo "sackloss.sh: $1 gave no figures:" >&2
		printf '%s\n' "$out" >&2
		exit 1
	fi
	echo "$v" >>"$tmp/$2.$3"
	echo "run $2 loss=$3 cpu_ns_per_byte $v"
}

median() {
	sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

builds=new
[ -z "$old" ] || builds="old new"
i=0
while [ "$i" -lt "$REPEAT" ]; do
	for b in $builds; do
		if [ "$b" = old ]; then bin=$old; else bin=$new; fi
		run "$bin" "$b" 0
		run "$bin" "$b" "$loss"
	done
	i=$((i + 1))
done
for b in $builds; do
	l0=$(median "$tmp/$b.0")
	l1=$(median "$tmp/$b.$loss")
	awk -v b="$b" -v l0="$l0" -v l1="$l1" -v p="$loss" 'BEGIN {
		printf "%s lossless cpu_ns_per_byte %s\n", b, l0
		printf "%s loss=%s cpu_ns_per_byte %s\n", b, p, l1
		printf "%s ratio loss/lossless %.3f\n", b, l1 / l0 }'
done
if [ -n "$old" ]; then
	awk -v o0="$(median "$tmp/old.0")" -v n0="$(median "$tmp/new.0")" \
	    -v o1="$(median "$tmp/old.$loss")" -v n1="$(median "$tmp/new.$loss")" 'BEGIN {
		printf "ratio new/old lossless %.3f loss %.3f\n", n0 / o0, n1 / o1 }'
fi
