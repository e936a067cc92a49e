#!/bin/sh
# The synack program: commands, options, exit codes, messages, config files,
# the experiment contract and reproducible output.  Fixtures: tests/data/.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

SYNACK=$SYNACK_BUILDDIR/synack

if [ ! -x "$SYNACK" ]; then
	echo "FAIL: $SYNACK is not built" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Lua shortens long chunk names in messages ("...nack/tests/data/x.lua"), so
# the fixtures are run from a short path where messages show it whole.
DATA=$tmp/d
cp -R "$SYNACK_SRCDIR/tests/data" "$DATA" || exit 1

. "$here/shlib.sh"

# ------------------------------------------------------------ help, version
run "--help" "$SYNACK" --help
expect_rc 0
expect_has out "synack run"
expect_has out "synack plugins"
expect_has out "--seed"
expect_has out "--config"
expect_empty err

run "-h" "$SYNACK" -h
expect_rc 0
expect_has out "synack run"

run "--version" "$SYNACK" --version
expect_rc 0
expect_has out "synack"
expect_has out "ABI"
expect_has out "Lua 5.4"
expect_empty err

# ------------------------------------------------------------ usage errors
run "no arguments" "$SYNACK"
expect_rc 2
expect_has err "usage: synack run"
expect_empty out

run "unknown command" "$SYNACK" frobnicate
expect_rc 2
expect_has err "frobnicate"
expect_has err "synack --help"

run "run without a script" "$SYNACK" run
expect_rc 2
expect_has err "SCRIPT"

run "unknown option" "$SYNACK" run "$DATA/seed.lua" --frob
expect_rc 2
expect_has err "--frob"
expect_empty out

run "unknown option before the script" "$SYNACK" run -x "$DATA/seed.lua"
expect_rc 2
expect_has err "'-x'"

run "bad --seed" "$SYNACK" run "$DATA/seed.lua" --seed abc
expect_rc 2
expect_has err "--seed"
expect_has err "abc"
expect_empty out

run "negative --seed" "$SYNACK" run "$DATA/seed.lua" --seed -1
expect_rc 2
expect_has err "'-1'"

run "--seed out of range" "$SYNACK" run "$DATA/seed.lua" --seed 18446744073709551616
expect_rc 2

run "--seed with trailing junk" "$SYNACK" run "$DATA/seed.lua" --seed 12x
expect_rc 2

run "--seed without a value" "$SYNACK" run "$DATA/seed.lua" --seed
expect_rc 2

run "--config without a value" "$SYNACK" run "$DATA/seed.lua" --config
expect_rc 2
expect_has err "--config"

run "argument that is not key=value" "$SYNACK" run "$DATA/seed.lua" extra
expect_rc 2
expect_has err "'extra'"

run "plugins with two arguments" "$SYNACK" plugins scheduler heap
expect_rc 2

# ------------------------------------------------------------ script failures
run "missing script" "$SYNACK" run "$tmp/no-such-script.lua"
expect_rc 1
expect_has err "$tmp/no-such-script.lua"
expect_empty out

run "syntax error" "$SYNACK" run "$DATA/syntax_error.lua"
expect_rc 1
expect_has err "$DATA/syntax_error.lua:3:"
expect_empty out

run "runtime error" "$SYNACK" run "$DATA/runtime_error.lua"
expect_rc 1
expect_has out "before"
expect_not out "not reached"
expect_has err "$DATA/runtime_error.lua:4: runtime failure: kaboom"
expect_has err "stack traceback"
expect_has err "$DATA/runtime_error.lua:7:"

run "error in a callback" "$SYNACK" run "$DATA/callback_error.lua"
expect_rc 1
expect_has out "event at 1 s"
expect_not out "not reached"
expect_has err "virtual time 3.000000000 s"
expect_has err "$DATA/callback_error.lua:6: callback failure"
expect_has err "stack traceback"
checks=$((checks + 1))
n=$(grep -c "stack traceback" "$tmp/err")
if [ "$n" -ne 1 ]; then
	fail "expected one traceback, got $n"
	show stderr "$tmp/err"
fi

# ------------------------------------------------------------ plugins
run "plugins" "$SYNACK" plugins
expect_rc 0
expect_has out "scheduler/heap"
expect_has out "scheduler/calendar"
expect_has out "min-heap"
expect_has out "calendar queue"
checks=$((checks + 1))
if ! grep -E '^scheduler/heap +[^ ]' "$tmp/out" >/dev/null ||
   ! grep -E '^scheduler/calendar +[^ ]' "$tmp/out" >/dev/null; then
	fail "expected a summary after each plugin name"
	show stdout "$tmp/out"
fi

run "plugins scheduler" "$SYNACK" plugins scheduler
expect_rc 0
expect_has out "scheduler/heap"
expect_has out "scheduler/calendar"

run "plugins scheduler/calendar" "$SYNACK" plugins scheduler/calendar
expect_rc 0
expect_has out "scheduler/calendar:"
expect_has out "PARAMETER"
expect_has out "DEFAULT"
for p in buckets width resize; do
	checks=$((checks + 1))
	if ! grep -E "^$p +[a-z]+ " "$tmp/out" >/dev/null; then
		fail "expected a row for parameter '$p'"
		show stdout "$tmp/out"
	fi
done

run "plugins scheduler/heap" "$SYNACK" plugins scheduler/heap
expect_rc 0
checks=$((checks + 1))
if ! grep -E '^arity +integer +4 +2\.\.16 ' "$tmp/out" >/dev/null; then
	fail "expected the row 'arity integer 4 2..16 ...'"
	show stdout "$tmp/out"
fi

run "plugins scheduler/nope" "$SYNACK" plugins scheduler/nope
expect_rc 1
expect_has err "'nope'"
expect_has err "heap"
expect_empty out

run "plugins of an unknown kind" "$SYNACK" plugins nokind
expect_rc 1
expect_has err "nokind"

# ------------------------------------------------------------ standard output
# Output that cannot be written (a full disk) is an error, not a success.
for cmd in "--help" "plugins" "run $DATA/seed.lua"; do
	# shellcheck disable=SC2086
	"$SYNACK" $cmd >/dev/full 2>"$tmp/err"
	rc=$?
	label="$cmd to a full device"
	expect_rc 1
	expect_has err "cannot write the standard output"
done

# ------------------------------------------------------------ config files
run "broken config" "$SYNACK" run "$DATA/simulator.lua" --config "$DATA/broken.conf"
expect_rc 1
expect_has err "$DATA/broken.conf:4"
expect_empty out

run "unknown setting in a config" "$SYNACK" run "$DATA/simulator.lua" --config "$DATA/unknown_setting.conf"
expect_rc 1
expect_has err "$DATA/unknown_setting.conf:3"
expect_has err "'sched'"
expect_empty out

run "unknown heap parameter in a config" "$SYNACK" run "$DATA/simulator.lua" --config "$DATA/heap_unknown_param.conf"
expect_rc 1
expect_has err "$DATA/heap_unknown_param.conf:5"
expect_has err "'arty'"
expect_has err "scheduler/heap"
expect_has err "$DATA/simulator.lua:4"

run "bad heap value in a config" "$SYNACK" run "$DATA/simulator.lua" --config "$DATA/heap_bad_value.conf"
expect_rc 1
expect_has err "$DATA/heap_bad_value.conf:5"
expect_has err "'arity'"
expect_has err "minimum"

# Parameter errors in a config surface only when a simulator is created.
run "bad heap value, no simulator" "$SYNACK" run "$DATA/args.lua" --config "$DATA/heap_bad_value.conf"
expect_rc 0
expect_has out "arg[0]="

run "missing config" "$SYNACK" run "$DATA/seed.lua" --config "$tmp/no-such.conf"
expect_rc 1
expect_has err "$tmp/no-such.conf"
expect_empty out

run "missing \$SYNACK_CONFIG" env SYNACK_CONFIG="$tmp/env-missing.conf" "$SYNACK" run "$DATA/seed.lua"
expect_rc 1
expect_has err "$tmp/env-missing.conf"

# A config file is read whole up to a bound (an endless device or FIFO is
# refused), and a \x00 escape, which libconfig would drop, is refused.
run "config /dev/zero" "$SYNACK" run "$DATA/seed.lua" --config /dev/zero
expect_rc 1
expect_has err "cannot read the config file: /dev/zero:1: a NUL byte: not a text file"
run "config a directory" "$SYNACK" run "$DATA/seed.lua" --config "$DATA"
expect_rc 1
expect_has err "cannot read the config file: $DATA: is a directory"
printf '# a plugin name\nscheduler: { default = "heap\\x00x"; };\n' >"$tmp/nul.conf"
run "config with a NUL escape" "$SYNACK" run "$DATA/simulator.lua" --config "$tmp/nul.conf"
expect_rc 1
expect_has err "$tmp/nul.conf:2: a string holds \\x00, a NUL byte"
expect_empty out

run "config seed and default plugin" "$SYNACK" run "$DATA/simulator.lua" --config "$DATA/seed.conf"
expect_rc 0
printf 'calendar\t77\n' >"$tmp/want"
expect_out "$tmp/want"

# TCP endpoints made without options take the config's plugins and
# parameters: 3 segments of 1000 - 12 bytes (timestamps), CUBIC.
run "TCP defaults from a config" "$SYNACK" run "$DATA/tcp_conf.lua" --config "$DATA/tcp.conf"
expect_rc 0
printf '2964\tcubic\n' >"$tmp/want"
expect_out "$tmp/want"

run "--config=FILE" "$SYNACK" run "$DATA/seed.lua" --config="$DATA/seed.conf"
expect_rc 0
printf 'seed=77\n' >"$tmp/want"
expect_out "$tmp/want"

run "\$SYNACK_CONFIG" env SYNACK_CONFIG="$DATA/seed.conf" "$SYNACK" run "$DATA/seed.lua"
expect_rc 0
expect_out "$tmp/want"

run "--config wins over \$SYNACK_CONFIG" env SYNACK_CONFIG="$DATA/broken.conf" "$SYNACK" run "$DATA/seed.lua" --config "$DATA/seed.conf"
expect_rc 0
expect_out "$tmp/want"

run "--seed wins over the config" "$SYNACK" run "$DATA/simulator.lua" --config "$DATA/seed.conf" --seed 5
expect_rc 0
printf 'calendar\t5\n' >"$tmp/want"
expect_out "$tmp/want"

# ------------------------------------------------------------ seeds
run "default seed (tests/test.conf)" "$SYNACK" run "$DATA/seed.lua"
expect_rc 0
printf 'seed=1\n' >"$tmp/want"
expect_out "$tmp/want"

run "--seed" "$SYNACK" run "$DATA/seed.lua" --seed 9
expect_rc 0
printf 'seed=9\n' >"$tmp/want"
expect_out "$tmp/want"

run "--seed before the script" "$SYNACK" run --seed 11 "$DATA/seed.lua"
expect_rc 0
printf 'seed=11\n' >"$tmp/want"
expect_out "$tmp/want"

run "--seed=N" "$SYNACK" run "$DATA/seed.lua" --seed=12
expect_rc 0
printf 'seed=12\n' >"$tmp/want"
expect_out "$tmp/want"

run "--seed 0" "$SYNACK" run "$DATA/seed.lua" --seed 0
expect_rc 0
printf 'seed=0\n' >"$tmp/want"
expect_out "$tmp/want"

run "script seed wins over --seed" "$SYNACK" run "$DATA/script_seed.lua" --seed 9
expect_rc 0
printf 'seed=42\n' >"$tmp/want"
expect_out "$tmp/want"

# ------------------------------------------------------------ synack.args
run "key=value args" "$SYNACK" run "$DATA/args.lua" a=1 --seed 3 b=x=y c= --config "$DATA/seed.conf" loss=0.5
expect_rc 0
cat >"$tmp/want" <<EOF
args.a=1
args.b=x=y
args.c=
args.loss=0.5
arg[0]=$DATA/args.lua
arg[1]=a=1
arg[2]=b=x=y
arg[3]=c=
arg[4]=loss=0.5
EOF
expect_out "$tmp/want"

run "no args" "$SYNACK" run "$DATA/args.lua"
expect_rc 0
printf 'arg[0]=%s\n' "$DATA/args.lua" >"$tmp/want"
expect_out "$tmp/want"

# ------------------------------------------------------------ experiments
run "experiment defaults" "$SYNACK" run "$DATA/experiment.lua"
expect_rc 0
printf 'flag,loss,n,name,y\nfalse,0.1,3,x,6\n' >"$tmp/want"
expect_out "$tmp/want"

run "experiment n=5" "$SYNACK" run "$DATA/experiment.lua" n=5
expect_rc 0
printf 'flag,loss,n,name,y\nfalse,0.1,5,x,10\n' >"$tmp/want"
expect_out "$tmp/want"

run "experiment, every type overridden" "$SYNACK" run "$DATA/experiment.lua" n=7 loss=0.25 name=hello flag=true
expect_rc 0
printf 'flag,loss,n,name,y\ntrue,0.25,7,hello,14\n' >"$tmp/want"
expect_out "$tmp/want"

run "experiment, a string needing CSV quotes" "$SYNACK" run "$DATA/experiment.lua" 'name=a,b'
expect_rc 0
printf 'flag,loss,n,name,y\nfalse,0.1,3,"a,b",6\n' >"$tmp/want"
expect_out "$tmp/want"

run "experiment, unknown override" "$SYNACK" run "$DATA/experiment.lua" bogus=1
expect_rc 1
expect_has err "'bogus'"
expect_has err "flag, loss, n, name"
expect_empty out

run "experiment, n=abc" "$SYNACK" run "$DATA/experiment.lua" n=abc
expect_rc 1
expect_has err "'n'"
expect_has err "abc"
expect_empty out

run "experiment, n=2.5" "$SYNACK" run "$DATA/experiment.lua" n=2.5
expect_rc 1
expect_has err "'n'"
expect_has err "integer"

run "experiment, flag=maybe" "$SYNACK" run "$DATA/experiment.lua" flag=maybe
expect_rc 1
expect_has err "'flag'"
expect_has err "maybe"

# ------------------------------------------------------------ events
run "schedule and cancel" "$SYNACK" run "$DATA/events.lua"
expect_rc 0
cat >"$tmp/want" <<'EOF'
cancel c:	true
pending:	5
1000000000 a
cancel d:	true
cancel d again:	false
1000000000 b
1000000000 a-now
1500000000 a+500ms
2000000000 e
run:	until
cancel a (fired):	false
now:	2000000000	fired:	5	pending:	1
3000000000 f
run:	empty
now:	3000000000	fired:	6	pending:	0
EOF
expect_out "$tmp/want"
expect_empty err

# ------------------------------------------------------------ reproducibility
run "--seed 7, first run" "$SYNACK" run "$DATA/random.lua" --seed 7
expect_rc 0
cp "$tmp/out" "$tmp/seed7a"
expect_has out "seed	7	fired	50"
run "--seed 7, second run" "$SYNACK" run "$DATA/random.lua" --seed 7
expect_rc 0
expect_out "$tmp/seed7a"
run "--seed 8" "$SYNACK" run "$DATA/random.lua" --seed 8
expect_rc 0
checks=$((checks + 1))
if cmp -s "$tmp/out" "$tmp/seed7a"; then
	fail "--seed 7 and --seed 8 gave the same output"
fi
run "seed 7 from a config" "$SYNACK" run "$DATA/random.lua" --config "$DATA/seed.conf" --seed 7
expect_rc 0
expect_out "$tmp/seed7a"

# ------------------------------------------------------------ unwatched errors
# A refused connection nobody watches is reported once on stderr, with
# the virtual time and the 4-tuple; one whose reset a handler sees is not.
cat >"$tmp/refused.lua" <<'LUA'
local synack = require "synack"
local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "10Mbps", delay = "5ms"})
b:tcp{}
local ep = a:tcp{}
local watched = synack.args.watched == "yes"
sim:at(0.5, function()
  local c = ep:connect(b, 81)
  if watched then c:on("reset", function(_, why) print("handled " .. why) end) end
end)
sim:run()
LUA
run "an unwatched refused connection" "$SYNACK" run "$tmp/refused.lua"
expect_rc 0
expect_has err "synack: 0.510"
expect_has err "s: connection "
expect_has err ":81 refused"
checks=$((checks + 1))
[ "$(grep -c refused "$tmp/err")" -eq 1 ] || fail "the refusal was not reported exactly once"
run "a watched refused connection" "$SYNACK" run "$tmp/refused.lua" watched=yes
expect_rc 0
expect_has out "handled refused"
expect_empty err

# ------------------------------------------------------------ summary
if [ "$failed" -ne 0 ]; then
	echo "cli.sh: $failed of $checks checks failed" >&2
	exit 1
fi
echo "cli.sh: all $checks checks passed"
exit 0
