#!/bin/sh
# bench/storm.sh: bench/storm.lua against two builds, run alternately.
#
#   bench/storm.sh OLD_SYNACK NEW_SYNACK [N ...]
#
# For each N (default 10000 100000), runs the storm REPEAT times (default
# 3) with each build, alternating old and new so that a change in the
# machine's load falls on both alike.  Prints every run's figures, then
# for each N the median CPU us per connection and peak RSS of each build
# and the ratios new / old (below 1: the new build is cheaper).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 2 ]; then
	echo "usage: $0 OLD_SYNACK NEW_SYNACK [N ...]" >&2
	exit 2
fi
old=$1
new=$2
shift 2
[ $# -gt 0 ] || set -- 10000 100000
REPEAT=${REPEAT:-3}
SYNACK_CONFIG=${SYNACK_CONFIG:-$top/tests/test.conf}
export SYNACK_CONFIG
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-storm.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run BUILD N: one storm; appends "cpu_us rss_kb" to $tmp/BUILD.N
run() {
	bin=$1
	name=$2
	n=$3
	out=$("$bin" run "$top/bench/storm.lua" n="$n")
	cpu=$(printf '%s\n' "$out" | awk '$1 == "cpu_us_per_conn" { print $2 }')
	rss=$(printf '%s\n' "$out" | awk '$1 == "peak_rss_kb" { print $2 }')
	if [ -z "$cpu" ] || [ -z "$rss" ]; then
		echo "storm.sh: $bin gave no figures:" >&2
		printf '%s\n' "$out" >&2
		exit 1
	fi
	echo "$cpu $rss" >>"$tmp/$name.$n"
	echo "run $name n=$n cpu_us_per_conn $cpu peak_rss_kb $rss"
}

# median FILE COLUMN
median() {
	sort -g -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}

for n in "$@"; do
	i=0
	while [ "$i" -lt "$REPEAT" ]; do
		run "$old" old "$n"
		run "$new" new "$n"
		i=$((i + 1))
	done
done
for n in "$@"; do
	oc=$(median "$tmp/old.$n" 1)
	nc=$(median "$tmp/new.$n" 1)
	orss=$(median "$tmp/old.$n" 2)
	nrss=$(median "$tmp/new.$n" 2)
	echo "n=$n old cpu_us_per_conn $oc peak_rss_kb $orss"
	echo "n=$n new cpu_us_per_conn $nc peak_rss_kb $nrss"
	awk -v n="$n" -v oc="$oc" -v nc="$nc" -v orss="$orss" -v nrss="$nrss" 'BEGIN {
		printf "n=%s ratio cpu %.3f rss %.3f\n", n, nc / oc, nrss / orss }'
done
