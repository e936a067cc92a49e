#!/bin/sh
# bench/star.sh: bench/star.lua against two builds, run alternately.
#
#   bench/star.sh OLD_SYNACK NEW_SYNACK [N ...]
#
# For each N (default 1000 10000 100000), builds a star of N hosts REPEAT
# times (default 3) with each build, alternating old and new so that a
# change in the machine's load falls on both alike, and routes two packets
# through it.  Prints every run's figures, then for each N the median CPU
# seconds (building, and building plus routing) and peak RSS of each build
# and the ratios new / old (below 1: the new build is cheaper).  A build
# that cannot do a size (out of memory, a limit) is reported as failing
# there and that size gets no ratio.  OLD_MAX (default 10000) skips the old
# build above that size: it needs 6 N^2 bytes for its routes.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 2 ]; then
	echo "usage: $0 OLD_SYNACK NEW_SYNACK [N ...]" >&2
	exit 2
fi
old=$1
new=$2
shift 2
[ $# -gt 0 ] || set -- 1000 10000 100000
REPEAT=${REPEAT:-3}
OLD_MAX=${OLD_MAX:-10000}
SYNACK_CONFIG=${SYNACK_CONFIG:-$top/tests/test.conf}
export SYNACK_CONFIG
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-star.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# run BUILD NAME N: one star; appends "build_s total_s rss_kb" to $tmp/NAME.N
run() {
	bin=$1
	name=$2
	n=$3
	if ! out=$("$bin" run "$top/bench/star.lua" n="$n" 2>&1); then
		echo "run $name n=$n failed: $(printf '%s\n' "$out" | head -n 1)"
		return 0
	fi
	b=$(printf '%s\n' "$out" | awk '$1 == "build_s" { print $2 }')
	t=$(printf '%s\n' "$out" | awk '$1 == "total_s" { print $2 }')
	rss=$(printf '%s\n' "$out" | awk '$1 == "peak_rss_kb" { print $2 }')
	if [ -z "$b" ] || [ -z "$t" ] || [ -z "$rss" ]; then
		echo "star.sh: $bin gave no figures:" >&2
		printf '%s\n' "$out" >&2
		exit 1
	fi
	echo "$b $t $rss" >>"$tmp/$name.$n"
	echo "run $name n=$n build_s $b total_s $t peak_rss_kb $rss"
}

# median FILE COLUMN
median() {
	sort -g -k"$2" "$1" | awk -v c="$2" '{ v[NR] = $c } END { print v[int((NR + 1) / 2)] }'
}

for n in "$@"; do
	i=0
	while [ "$i" -lt "$REPEAT" ]; do
		if [ "$n" -le "$OLD_MAX" ]; then
			run "$old" old "$n"
		fi
		run "$new" new "$n"
		i=$((i + 1))
	done
done
for n in "$@"; do
	for name in old new; do
		if [ -s "$tmp/$name.$n" ]; then
			echo "n=$n $name build_s $(median "$tmp/$name.$n" 1) total_s $(median "$tmp/$name.$n" 2) peak_rss_kb $(median "$tmp/$name.$n" 3)"
		else
			echo "n=$n $name no run"
		fi
	done
	if [ -s "$tmp/old.$n" ] && [ -s "$tmp/new.$n" ]; then
		awk -v n="$n" -v ob="$(median "$tmp/old.$n" 1)" -v nb="$(median "$tmp/new.$n" 1)" \
		    -v ot="$(median "$tmp/old.$n" 2)" -v nt="$(median "$tmp/new.$n" 2)" \
		    -v orss="$(median "$tmp/old.$n" 3)" -v nrss="$(median "$tmp/new.$n" 3)" 'BEGIN {
			printf "n=%s ratio build %s total %s rss %.3f\n", n,
			       (ob > 0 ? sprintf("%.3f", nb / ob) : "-"),
			       (ot > 0 ? sprintf("%.3f", nt / ot) : "-"), nrss / orss }'
	fi
done
