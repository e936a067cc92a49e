#!/bin/sh
# synack batch and synack summarize: grid expansion, seeds, failing runs,
# -j1 against -j2, an interrupted batch completed with --resume, bad sweep
# files, and the statistics of summarize.  Fixture: tests/data/batch_exp.lua.
# Rows are compared without their last column, wall_s (wall-clock time).
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

SYNACK=$SYNACK_BUILDDIR/synack
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-batch.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
cp "$SYNACK_SRCDIR/tests/data/batch_exp.lua" "$tmp/exp.lua" || exit 1
cd "$tmp" || exit 1

. "$here/shlib.sh"

# same A B: the files are equal without their last column (wall_s).
same() {
	checks=$((checks + 1))
	sed 's/,[^,]*$//' "$1" >"$1.cut"
	sed 's/,[^,]*$//' "$2" >"$2.cut"
	if ! cmp -s "$1.cut" "$2.cut"; then
		fail "$1 and $2 differ"
		diff "$1.cut" "$2.cut" | sed 's/^/    diff /' >&2
	fi
}

# ------------------------------------------------------------ grid expansion
cat >grid.cfg <<'CFG'
script = "exp.lua";
output = "grid.csv";
replications = 2;
seed = 42;
grid: {
  loss = [0.0, 0.5];
  n = { from = 1; to = 5; step = 2; };
  pair: { name = ["a", "b"]; flag = [true, false]; };
  mode = "ok";
};
CFG
run "--list" "$SYNACK" batch grid.cfg --list
expect_rc 0
cut -d, -f1,2,4- out >list.txt
cat >list.expected <<'TXT'
point,rep,loss,n,name,flag,mode,spin
0,0,0,1,a,true,ok,0
0,1,0,1,a,true,ok,0
1,0,0,1,b,false,ok,0
1,1,0,1,b,false,ok,0
2,0,0,3,a,true,ok,0
2,1,0,3,a,true,ok,0
3,0,0,3,b,false,ok,0
3,1,0,3,b,false,ok,0
4,0,0,5,a,true,ok,0
4,1,0,5,a,true,ok,0
5,0,0,5,b,false,ok,0
5,1,0,5,b,false,ok,0
6,0,0.5,1,a,true,ok,0
6,1,0.5,1,a,true,ok,0
7,0,0.5,1,b,false,ok,0
7,1,0.5,1,b,false,ok,0
8,0,0.5,3,a,true,ok,0
8,1,0.5,3,a,true,ok,0
9,0,0.5,3,b,false,ok,0
9,1,0.5,3,b,false,ok,0
10,0,0.5,5,a,true,ok,0
10,1,0.5,5,a,true,ok,0
11,0,0.5,5,b,false,ok,0
11,1,0.5,5,b,false,ok,0
TXT
checks=$((checks + 1))
cmp -s list.txt list.expected || { fail "grid expansion"; diff list.expected list.txt >&2; }
mv out list1
# Seeds: deterministic, distinct, and changed by the base seed.
run "--list again" "$SYNACK" batch grid.cfg --list
checks=$((checks + 1))
cmp -s out list1 || fail "two listings differ"
checks=$((checks + 1))
[ "$(tail -n +2 list1 | cut -d, -f3 | sort -u | wc -l)" -eq 24 ] || fail "seeds are not distinct"
sed 's/seed = 42/seed = 43/' grid.cfg >grid43.cfg
run "--list, other base seed" "$SYNACK" batch grid43.cfg --list
checks=$((checks + 1))
[ "$(cat list1 out | tail -n +2 | cut -d, -f3 | sort -u | wc -l)" -ge 48 ] ||
	fail "the base seed does not change the seeds"

# Float ranges and the filter.
cat >range.cfg <<'CFG'
script = "exp.lua";
grid: { loss = { from = 0.1; to = 0.3; step = 0.1; }; n = [1, 2]; };
filter = "not (loss > 0.25 and n == 2)";
CFG
run "float range and filter" "$SYNACK" batch range.cfg --list
expect_rc 0
checks=$((checks + 1))
[ "$(cut -d, -f1,4,5 out | tr '\n' ' ')" = "point,loss,n 0,0.1,1 1,0.1,2 2,0.2,1 3,0.2,2 4,0.3,1 " ] ||
	{ fail "range or filter"; show stdout out; }

# ------------------------------------------------------------ a batch
run "batch -j2" "$SYNACK" batch grid.cfg -j2 -o j2.csv
expect_rc 0
expect_has err "24 runs: 24 ok, 0 failed"
checks=$((checks + 1))
[ "$(head -1 j2.csv)" = "point,rep,seed,loss,n,name,flag,mode,spin,label,lost,y,status,error,wall_s" ] ||
	{ fail "header"; head -1 j2.csv >&2; }
expect_has j2.csv ',0,1,a,true,ok,0,"a, ""quoted""",0,2,ok,,'
run "batch -j1" "$SYNACK" batch grid.cfg -j1 -o j1.csv -q
expect_rc 0
same j1.csv j2.csv
# A row is reproduced by `synack run` with its parameters and seed.
row=$(sed -n 16p j1.csv)
seed=$(echo "$row" | cut -d, -f3)
lost=$(echo "$row" | cut -d, -f12)
run "synack run with a row's seed" "$SYNACK" run exp.lua loss=0.5 n=1 name=b flag=false --seed "$seed"
checks=$((checks + 1))
[ "$(tail -1 out | cut -d, -f9)" = "$lost" ] || { fail "row 16 not reproduced ($lost)"; show stdout out; }
checks=$((checks + 1))
[ "$lost" -gt 30 ] || fail "loss 0.5 lost only $lost of 100"

run "existing output" "$SYNACK" batch grid.cfg -o j1.csv
expect_rc 1
expect_has err "j1.csv exists"
expect_has err "--resume"

# ------------------------------------------------------------ failing runs
cat >fail.cfg <<'CFG'
script = "exp.lua";
output = "fail.csv";
timeout = 3.0;
grid: { mode = ["ok", "fail", "hang", "crash", "ok"]; };
CFG
run "failing runs" "$SYNACK" batch fail.cfg -j2
expect_rc 1
expect_has err "5 runs: 2 ok, 3 failed (1 error, 1 timeout, 1 crash)"
expect_has err "point 1 rep 0 (mode=fail): error: exp.lua:10: asked to fail"
expect_has fail.csv ",,,error,exp.lua:10: asked to fail,"
expect_has fail.csv ",,,timeout,no result after 3 s,"
expect_has fail.csv ",,,crash,exited with status 3 without a result,"
checks=$((checks + 1))
[ "$(cut -d, -f1 fail.csv | tr '\n' ' ')" = "point 0 1 2 3 4 " ] || { fail "rows"; show fail.csv fail.csv; }
# Failures without an error: the kinds in balanced parentheses.
cat >fail2.cfg <<'CFG'
script = "exp.lua";
output = "fail2.csv";
timeout = 3.0;
grid: { mode = ["ok", "hang", "crash"]; };
CFG
run "a timeout and a crash" "$SYNACK" batch fail2.cfg -j2 -q
expect_rc 1
checks=$((checks + 1))
[ "$(grep -F ' runs: ' err)" = "synack: 3 runs: 1 ok, 2 failed (1 timeout, 1 crash); results in fail2.csv" ] ||
	{ fail "summary of failures"; show stderr err; }
# One worker runs the runs one after another: a crash or a timeout ends
# it, the run it was in gets the row, and the runs it held beyond go to a
# new worker.  Each run is as if alone: -j1 (one worker for all) gives the
# rows of -j15 (a worker per run), wall_s aside.
cat >reuse.cfg <<'CFG'
script = "exp.lua";
grid: { mode = ["ok", "crash", "ok", "fail", "ok"]; loss = [0.1, 0.3, 0.5]; };
CFG
run "failures in one worker" "$SYNACK" batch reuse.cfg -j1 -q -o reuse1.csv
expect_rc 1
expect_has err "15 runs: 9 ok, 6 failed (3 error, 3 crash)"
run "a worker per run" "$SYNACK" batch reuse.cfg -j15 -q -o reuse15.csv
expect_rc 1
checks=$((checks + 1))
# (wall_s is the last column)
sed 's/,[^,]*$//' reuse1.csv >reuse1.cut
sed 's/,[^,]*$//' reuse15.csv >reuse15.cut
[ "$(grep -c ',ok,$' reuse1.cut)" -eq 9 ] && cmp -s reuse1.cut reuse15.cut ||
	{ fail "-j1 and -j15 differ"; diff reuse1.cut reuse15.cut | head >&2; }
printf 'script = "exp.lua";\ntimeout = 3.0;\ngrid: { mode = ["ok", "hang", "ok", "ok"]; };\n' >hang.cfg
run "a timeout in one worker" "$SYNACK" batch hang.cfg -j1 -q -o hang.csv
expect_rc 1
expect_has err "4 runs: 3 ok, 1 failed (1 timeout)"
# A metric holding a NUL byte would be cut short: the run fails instead.
printf 'script = "exp.lua";\noutput = "nul.csv";\ngrid: { mode = ["nulvalue", "nulname"]; };\n' >nulm.cfg
run "metrics with a NUL byte" "$SYNACK" batch nulm.cfg -j1 -q
expect_rc 1
expect_has err "(mode=nulvalue): error: metric 'y' holds a NUL byte"
expect_has err "(mode=nulname): error: metric name 'y' holds a NUL byte"
# A trace of a simulator the run left open, which cannot be written: the
# run fails, naming the file (a full device; skipped where there is none).
if [ -c /dev/full ]; then
	printf 'script = "exp.lua";\noutput = "open.csv";\ngrid: { mode = ["opentrace"]; };\n' >open.cfg
	run "a trace left open" env SYNACK_TEST_FULL=/dev/full "$SYNACK" batch open.cfg -j1 -q
	expect_rc 1
	expect_has err "(mode=opentrace): error: cannot write the trace file /dev/full"
fi
# --resume runs the failed ones again (and they fail again).
run "resume reruns failures" "$SYNACK" batch fail.cfg -j2 --resume
expect_rc 1
expect_has err "(2 from before)"

# ------------------------------------------------------------ interruptions
cat >slow.cfg <<'CFG'
script = "exp.lua";
output = "slow.csv";
replications = 4;
grid: { loss = [0.1, 0.2, 0.3, 0.4, 0.5]; spin = 0.05; };
CFG
run "uninterrupted" "$SYNACK" batch slow.cfg -j2 -o whole.csv -q
expect_rc 0
# rows FILE N: FILE has at least N rows below its header.
rows() {
	[ -f "$1" ] && [ $(($(wc -l <"$1") - 1)) -ge "$2" ]
}
# The runs of point 0 (loss 0.1) finish; the others wait for the gate,
# which never opens: the batch is interrupted half-way whatever the
# machine's speed.
for sig in KILL INT; do
	rm -f slow.csv gate
	SYNACK_TEST_GATE=$tmp/gate "$SYNACK" batch slow.cfg -j2 >out 2>err &
	pid=$!
	wait_for "a row in slow.csv" rows slow.csv 1
	kill -s $sig $pid
	wait $pid 2>/dev/null
	rc=$?
	label="killed with SIG$sig"
	if [ $sig = INT ]; then
		expect_rc 130
		expect_has err "--resume"
	fi
	checks=$((checks + 1))
	n=$(($(wc -l <slow.csv) - 1))
	if [ "$n" -lt 1 ] || [ "$n" -gt 4 ]; then
		fail "expected 1 to 4 of the 20 rows (those of point 0), got $n"
	fi
	run "resume after SIG$sig" "$SYNACK" batch slow.cfg -j2 --resume
	expect_rc 0
	expect_has err "from before)"
	same slow.csv whole.csv
done
# A row cut short by a crash is dropped and run again.
head -5 whole.csv >slow.csv
printf '4,0,123' >>slow.csv
run "resume after a torn row" "$SYNACK" batch slow.cfg -j1 --resume -q
expect_rc 0
same slow.csv whole.csv
# A sweep that changed since is refused.
sed 's/0.5]/0.6]/' slow.cfg >changed.cfg
head -20 whole.csv >changed.csv
run "resume a changed sweep" "$SYNACK" batch changed.cfg -o changed.csv --resume
expect_rc 1
expect_has err "changed.csv:18:"
expect_has err "differ"

# ------------------------------------------------------------ bad input
cat >syntax.cfg <<'CFG'
script = "exp.lua";
grid: {
  loss = [0.1, 0.2;
};
CFG
run "syntax error" "$SYNACK" batch syntax.cfg -o x.csv
expect_rc 1
expect_has err "syntax.cfg:3:"
cat >unknown.cfg <<'CFG'
script = "exp.lua";
grid: {
  loss = [0.1];
  lsos = [0.2];
};
CFG
run "unknown parameter" "$SYNACK" batch unknown.cfg -o x.csv
expect_rc 1
expect_has err "unknown.cfg:4: unknown parameter 'lsos'"
expect_has err "exp.lua"
expect_has err "flag, loss, mode, n, name, spin"
printf 'script = "exp.lua";\ngrid: { loss = []; };\n' >empty.cfg
run "empty list" "$SYNACK" batch empty.cfg -o x.csv
expect_rc 1
expect_has err "empty.cfg:2: the grid is empty"
printf 'script = "exp.lua";\ngrid: { };\n' >empty2.cfg
run "empty grid" "$SYNACK" batch empty2.cfg -o x.csv
expect_rc 1
expect_has err "the grid is empty"
printf 'script = "exp.lua";\ngrid: { n = [1]; };\nfilter = "n > 1";\n' >empty3.cfg
run "filter excluding everything" "$SYNACK" batch empty3.cfg -o x.csv
expect_rc 1
expect_has err "empty3.cfg:3: the grid is empty"
printf 'script = "exp.lua";\ngrid: { n = (1, "two"); };\n' >badvalue.cfg
run "bad value" "$SYNACK" batch badvalue.cfg -o x.csv
expect_rc 1
expect_has err "point 1 (n=two)"
expect_has err "parameter 'n' is a number"
run "unwritable output" "$SYNACK" batch grid.cfg -o "$tmp/no/such/dir/out.csv"
expect_rc 1
expect_has err "cannot write $tmp/no/such/dir/out.csv"
expect_not err "runs"
run "no output" "$SYNACK" batch range.cfg
expect_rc 1
expect_has err "no output file"
run "no sweep" "$SYNACK" batch
expect_rc 2
run "bad -j" "$SYNACK" batch grid.cfg -j 0
expect_rc 2
checks=$((checks + 1))
[ ! -e x.csv ] || fail "a bad sweep wrote x.csv"

# ------------------------------------------------------------ full disk
# A file-size limit stands for a full disk (SIGXFSZ ignored: writes fail
# with EFBIG).  The batch stops with a message naming the file, whose
# complete rows are those of the batch; --resume then completes it.
cat >big.cfg <<'CFG'
script = "exp.lua";
output = "big.csv";
replications = 40;
grid: { loss = [0.1, 0.2]; };
CFG
run "a batch without a limit" "$SYNACK" batch big.cfg -j1 -q -o bigwhole.csv
expect_rc 0
checks=$((checks + 1))
[ "$(wc -c <bigwhole.csv)" -gt 4096 ] || fail "bigwhole.csv is too short for the limit below"
run "disk full while appending" sh -c "ulimit -f 4; trap '' XFSZ; exec \"\$0\" batch big.cfg -j1 -q" "$SYNACK"
expect_rc 1
expect_has err "cannot write big.csv: File too large"
expect_has err "synack batch big.cfg --resume"
checks=$((checks + 1))
n=$(wc -l <big.csv) # the complete lines, header included
head -n "$n" big.csv | sed 's/,[^,]*$//' >big.cut
head -n "$n" bigwhole.csv | sed 's/,[^,]*$//' >bigwhole.cut
if [ "$n" -lt 2 ] || [ "$n" -gt 80 ] || ! cmp -s big.cut bigwhole.cut; then
	fail "the rows written before the disk filled are not those of the batch ($n lines)"
	diff bigwhole.cut big.cut | sed 's/^/    diff /' >&2
fi
run "resume after a full disk" "$SYNACK" batch big.cfg -j2 --resume -q
expect_rc 0
same big.csv bigwhole.csv

# The disk fills while the file is rewritten (a first metric column) as a
# second run's result is ready: both are stored in one pass, the second
# after the failed rewrite.  The batch is stopped until both runs have
# ended, so that it takes their results together: each run makes a file
# as it returns, and its worker then writes the result and waits (S) for
# another run.  (ps: Debian package procps, which ./setup installs.)
long=$(printf '%02000d' 0)
printf 'script = "exp.lua";\noutput = "two.csv";\ngrid: { loss = [0.2, 0.3]; name = "%s"; };\n' \
	"$long" >two.cfg
rm -f gate two.csv done.*
# ps lists the batch's children (its workers): the state of each.
children() {
	[ "$(ps -o stat= --ppid "$pid" | grep -c "^$1")" -eq 2 ]
}
both_done() {
	[ -e done.0.2 ] && [ -e done.0.3 ] && children S
}
(ulimit -f 1; trap '' XFSZ; SYNACK_TEST_GATE=$tmp/gate SYNACK_TEST_DONE=$tmp/done \
	exec "$SYNACK" batch two.cfg -j2 -q) >out 2>err &
pid=$!
wait_for "two runs" children '[RS]'
kill -s STOP $pid
: >gate
wait_for "the two runs to end" both_done
kill -s CONT $pid
wait $pid
rc=$?
label="disk full while rewriting"
expect_rc 1
expect_has err "cannot write two.csv: File too large"
expect_has err "synack batch two.cfg --resume"
checks=$((checks + 1))
[ "$(cat two.csv)" = "point,rep,seed,loss,name,flag,mode,n,spin,status,error,wall_s" ] ||
	{ fail "two.csv lost its header"; show two.csv two.csv; }
run "resume after a full disk while rewriting" "$SYNACK" batch two.cfg --resume -q
expect_rc 0
checks=$((checks + 1))
[ "$(grep -c ",ok,," two.csv)" -eq 2 ] || { fail "two.csv"; show two.csv two.csv; }

# A device is written through and never replaced.  As root, a device node
# of our own stands for /dev/full (a bug could otherwise replace the real
# one for the whole machine).
full=/dev/full
[ "$(id -u)" = 0 ] && mknod "$tmp/full" c 1 7 2>/dev/null && full=$tmp/full
run "-o a full device" "$SYNACK" batch grid.cfg -j2 -q -o "$full" --force
expect_rc 1
expect_has err "cannot write $full: No space left on device"
checks=$((checks + 1))
[ -c "$full" ] || fail "$full is no longer a character device"
run "--resume on a device" "$SYNACK" batch grid.cfg -q -o /dev/zero --resume
expect_rc 1
expect_has err "cannot resume from /dev/zero: not a regular file"
mkdir adir
run "--resume on a directory" "$SYNACK" batch grid.cfg -q -o adir --resume
expect_rc 1
expect_has err "cannot write adir: it is a directory"
# Standard output that cannot be written is an error.
"$SYNACK" batch grid.cfg --list >/dev/full 2>err
rc=$?
label="--list to a full device"
expect_rc 1
expect_has err "cannot write the standard output: No space left on device"

# ------------------------------------------------------------ endless input
run "sweep file /dev/zero" "$SYNACK" batch /dev/zero -o x.csv
expect_rc 1
expect_has err "cannot read the sweep file: /dev/zero:1: a NUL byte: not a text file"
run "sweep file a directory" "$SYNACK" batch adir -o x.csv
expect_rc 1
expect_has err "cannot read the sweep file: adir: is a directory"
if mkfifo fifo 2>/dev/null; then
	yes '# an endless comment' >fifo 2>/dev/null &
	ypid=$!
	run "sweep file an endless FIFO" "$SYNACK" batch fifo -o x.csv
	expect_rc 1
	expect_has err "cannot read the sweep file: fifo: longer than 16777216 bytes"
	kill $ypid 2>/dev/null
	wait $ypid 2>/dev/null
fi
# libconfig drops a \x00 escape: the value would silently differ.
printf 'script = "exp.lua";\noutput = "x.csv";\ngrid: {\n  name = ["a\\x00b"];\n};\n' >nul.cfg
run "a NUL escape in a sweep value" "$SYNACK" batch nul.cfg
expect_rc 1
expect_has err "nul.cfg:4: a string holds \\x00, a NUL byte"
printf 'script = "exp.lua";\noutput = "x\\x00.csv";\ngrid: { n = 1; };\n' >nul2.cfg
run "a NUL escape in the output's name" "$SYNACK" batch nul2.cfg
expect_rc 1
expect_has err "nul2.cfg:2: a string holds \\x00, a NUL byte"
printf 'script = "exp.lua";\n# "\\x00" in a comment\noutput = "x.csv"; /* \\x00 */\ngrid: { name = ["\\\\x00"]; };\n' >nul3.cfg
run "\\x00 in comments, an escaped backslash" "$SYNACK" batch nul3.cfg --list
expect_rc 0
expect_has out ',\x00,'
printf 'script = "exp.lua";\ngrid: { n = 1; };\0\n' >nul4.cfg
run "a NUL byte in a sweep file" "$SYNACK" batch nul4.cfg -o x.csv
expect_rc 1
expect_has err "nul4.cfg:2: a NUL byte: not a text file"
cat >nulparam.lua <<'LUA'
return { params = { s = "a\0b" }, run = function(P) return {} end }
LUA
printf 'script = "nulparam.lua";\ngrid: { other = 1; };\n' >nulp.cfg
run "a script parameter with a NUL byte" "$SYNACK" batch nulp.cfg --list
expect_rc 1
expect_has err "nulparam.lua: parameter 's' holds a NUL byte in its value"
checks=$((checks + 1))
[ ! -e x.csv ] || fail "a bad sweep wrote x.csv"

# ------------------------------------------------------------ summarize
cat >res.csv <<'CSV'
point,rep,seed,loss,q,t,status,error,wall_s
0,0,1,0.1,a,1,ok,,0.1
0,1,2,0.1,a,2,ok,,0.1
0,2,3,0.1,a,3,ok,,0.1
1,0,4,0.2,a,10,ok,,0.1
1,1,5,0.2,a,,ok,,0.1
1,2,6,0.2,a,99,error,"boom, here",0.1
CSV
run "summarize" "$SYNACK" summarize res.csv --by loss
expect_rc 0
cat >sum.expected <<'CSV'
loss,metric,n,mean,sd,ci95_half,ci95_low,ci95_high
0.1,t,3,2,1,2.484,-0.4841,4.484
0.2,t,1,10,,,,
CSV
checks=$((checks + 1))
cmp -s out sum.expected || { fail "summary"; diff sum.expected out >&2; }
expect_has err "1 rows of res.csv left out"
run "summarize --digits 10" "$SYNACK" summarize res.csv --by loss --digits 10
expect_rc 0
expect_has out "0.1,t,3,2,1,2.484137712,-0.4841377119,4.484137712"
run "summarize --digits 17" "$SYNACK" summarize res.csv --by loss --metrics t --digits 17
expect_rc 0
expect_has out "0.1,t,3,2,1,2.4841377118949786,-0.48413771189497856,"
for d in 0 18 x 4x ''; do
	run "summarize --digits '$d'" "$SYNACK" summarize res.csv --digits "$d"
	expect_rc 2
done
expect_has err "needs a value"
run "summarize --digits 0" "$SYNACK" summarize res.csv --digits 0
expect_has err "--digits '0': a number of significant digits from 1 to 17"
run "summarize, no such column" "$SYNACK" summarize res.csv --by queue
expect_rc 1
expect_has err "no column 'queue'"
run "summarize a batch" "$SYNACK" summarize whole.csv --by loss
expect_rc 0
expect_has out "loss,metric,n,mean,sd,ci95_half,ci95_low,ci95_high"
expect_has out "0.3,lost,4,"
expect_not out "wall_s"
expect_not out ",y,"
run "summarize /dev/zero" "$SYNACK" summarize /dev/zero
expect_rc 1
expect_has err "/dev/zero:1: a NUL byte: not a CSV file"
run "summarize a directory" "$SYNACK" summarize adir
expect_rc 1
expect_has err "adir: is a directory"
printf 'a,b\n1,2\n3,\0\n' >nul.csv
run "summarize, a NUL byte" "$SYNACK" summarize nul.csv
expect_rc 1
expect_has err "nul.csv:3: a NUL byte"
"$SYNACK" summarize res.csv --by loss >/dev/full 2>err
rc=$?
label="summarize to a full stdout"
expect_rc 1
expect_has err "cannot write the standard output: No space left on device"
run "summarize -o a full device" "$SYNACK" summarize res.csv --by loss -o "$full"
expect_rc 1
expect_has err "cannot write $full: No space left on device"
checks=$((checks + 1))
[ -c "$full" ] || fail "$full is no longer a character device"
echo old >sum.csv
ln -s sum.csv sumlink
run "summarize -o a symlink" "$SYNACK" summarize res.csv --by loss -o sumlink
expect_rc 0
checks=$((checks + 1))
[ -L sumlink ] && cmp -s sum.csv sum.expected || fail "summarize -o through a symlink"

echo "batch.sh: $checks checks, $failed failed"
[ $failed -eq 0 ]
