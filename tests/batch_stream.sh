#!/bin/sh
# synack batch, local workers holding many runs at once: a worker gets
# runs in batches and the parent takes their results when a marked run
# ends, a worker ends, or at least every 50 ms (cli/pool.c).  A crash is
# still confined to its row, the results a worker sent before it are
# kept, and the rows of finished runs reach the file while a later run of
# the same worker is still going.  Fixture: tests/data/batch_exp.lua.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

SYNACK=$SYNACK_BUILDDIR/synack
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-batch-stream.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
cp "$SYNACK_SRCDIR/tests/data/batch_exp.lua" "$tmp/exp.lua" || exit 1
cd "$tmp" || exit 1

. "$here/shlib.sh"

# cut FILE: FILE without its last column (wall_s), to FILE.cut.
cut_wall() {
	sed 's/,[^,]*$//' "$1" >"$1.cut"
}

# ------------------------------------------------------------ a crash mid-batch
# 81 short runs on one worker, which by the 41st holds many: the 40 before
# the crash keep their rows (some still in the pipe when it crashed), the
# crash gets its own, the 40 after run on a new worker.  Each run as if
# alone: a worker per run gives the same rows, wall_s aside.
cat >crash.cfg <<'CFG'
script = "exp.lua";
grid: { mode = ["ok", "crash", "ok"]; n = { from = 1; to = 40; step = 1; }; };
filter = "mode ~= 'crash' or n == 1";
CFG
run "a crash among many runs held" "$SYNACK" batch crash.cfg -j1 -q -o crash1.csv
expect_rc 1
expect_has err "81 runs: 80 ok, 1 failed (1 crash)"
checks=$((checks + 1))
cut_wall crash1.csv
[ "$(grep -c '^40,0,[0-9]*,crash,1,.*,crash,exited with status 3 without a result$' crash1.csv.cut)" -eq 1 ] &&
	[ "$(grep -c ',ok,$' crash1.csv.cut)" -eq 80 ] ||
	{ fail "crash1.csv: not 80 ok rows and the crash's"; show crash1.csv crash1.csv.cut; }
run "a worker per run" "$SYNACK" batch crash.cfg -j81 -q -o crash81.csv
expect_rc 1
checks=$((checks + 1))
cut_wall crash81.csv
cmp -s crash1.csv.cut crash81.csv.cut ||
	{ fail "-j1 and -j81 differ"; diff crash1.csv.cut crash81.csv.cut | head >&2; }

# ------------------------------------------------------------ rows reach the file
# One worker: the 30 runs of loss 0.1 end, then a run of loss 0.2 waits
# for a gate that never opens.  The 30 rows reach the file although no
# marked run may have ended since some of them (the parent takes results
# at least every 50 ms); the coordinator killed then, they are all there.
cat >gate.cfg <<'CFG'
script = "exp.lua";
output = "gate.csv";
replications = 30;
grid: { loss = [0.1, 0.2]; };
CFG
# rows FILE N: FILE has N rows below its header.
rows() {
	[ -f "$1" ] && [ $(($(wc -l <"$1") - 1)) -eq "$2" ]
}
SYNACK_TEST_GATE=$tmp/gate "$SYNACK" batch gate.cfg -j1 -q >out 2>err &
pid=$!
label="rows of finished runs reach the file"
wait_for "the 30 rows of loss 0.1 in gate.csv" rows gate.csv 30
kill -s KILL $pid
wait $pid 2>/dev/null
checks=$((checks + 1))
[ "$(grep -c ',0.1,.*,ok,,' gate.csv)" -eq 30 ] && rows gate.csv 30 ||
	{ fail "gate.csv: not the 30 rows of loss 0.1"; show gate.csv gate.csv; }
: >gate
run "resume after the coordinator was killed" "$SYNACK" batch gate.cfg -j2 --resume
expect_rc 0
expect_has err "60 runs (30 from before): 60 ok, 0 failed"

echo "batch_stream.sh: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
