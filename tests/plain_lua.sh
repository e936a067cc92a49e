#!/bin/sh
# require "synack" from a plain lua5.4 interpreter, using the module built
# in the tree (lua/.libs/synack.so).  Loaded from the build tree, the library
# finds the build tree's plugins without SYNACK_PLUGIN_PATH.
set -u

here=$(cd "$(dirname "$0")" && pwd)
: "${SYNACK_SRCDIR:=$(dirname "$here")}"
: "${SYNACK_BUILDDIR:=$SYNACK_SRCDIR}"
: "${SYNACK_CONFIG:=$SYNACK_SRCDIR/tests/test.conf}"
: "${LUA_INTERP:=}"
: "${SANITIZERS:=no}"
export SYNACK_CONFIG
unset SYNACK_PLUGIN_PATH

if [ -z "$LUA_INTERP" ]; then
	echo "plain_lua.sh: SKIP: no lua5.4 interpreter was found by configure (LUA_INTERP is empty)"
	exit 77
fi
if [ "$SANITIZERS" = yes ]; then
	echo "plain_lua.sh: SKIP: built with sanitizers; an ASan-built module cannot load into an uninstrumented $LUA_INTERP"
	exit 77
fi
module=$SYNACK_BUILDDIR/lua/.libs/synack.so
if [ ! -f "$module" ]; then
	echo "plain_lua.sh: FAIL: $module is not built" >&2
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-plain.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

cat >"$tmp/plain.lua" <<'EOF'
local function check(cond, fmt, ...)
  if not cond then error(string.format(fmt, ...), 2) end
end
local function eq(got, want, what)
  check(got == want, "%s: expected %s, got %s", what, tostring(want), tostring(got))
end

local synack = require "synack"
eq(type(synack), "table", "require 'synack'")
eq(package.loaded.synack, synack, "package.loaded.synack")
check(package.searchpath("synack", package.cpath), "synack.so not on package.cpath")
eq(type(synack.version), "string", "synack.version")
eq(type(synack.args), "table", "synack.args")
eq(next(synack.args), nil, "synack.args in a plain interpreter")
eq(synack.duration("250ms"), 250000000, "synack.duration")
eq(synack.rate("10Mbps"), 10000000, "synack.rate")
eq(synack.size("64KiB"), 65536, "synack.size")
eq(synack.config(), os.getenv("SYNACK_CONFIG"), "synack.config()")

-- Plugins are found in the build tree.
local names = {}
for _, p in ipairs(synack.plugins("scheduler")) do names[p.name] = true end
check(names.heap and names.calendar, "synack.plugins('scheduler') lacks heap or calendar")

local function trace(spec)
  local sim = synack.simulator{ seed = 5, scheduler = spec }
  eq(sim:scheduler(), type(spec) == "table" and spec[1] or spec, "sim:scheduler()")
  local r = sim:rng("plain")
  local log = {}
  local cancel
  sim:at(2, function() log[#log + 1] = "b@" .. sim:now_ns() end)
  sim:at("1s", function()
    log[#log + 1] = "a@" .. sim:now_ns()
    sim:after(0, function() log[#log + 1] = "a0@" .. sim:now_ns() end)
    eq(cancel:cancel(), true, "cancel from a callback")
  end)
  cancel = sim:at(1.5, function() log[#log + 1] = "cancelled!" end)
  sim:at(1, function() log[#log + 1] = "a2@" .. sim:now_ns() end)
  for i = 1, 20 do
    sim:at(3 + r:integer(0, 4), function() log[#log + 1] = "r" .. i .. "@" .. sim:now_ns() end)
  end
  eq(sim:pending(), 24, "pending before run")
  eq(sim:run{ stop = 2 }, "until", "run{stop=2}")
  eq(sim:now_ns(), 2000000000, "clock after run{stop=2}")
  eq(sim:run(), "empty", "run()")
  eq(sim:fired(), 24, "fired (24 scheduled, 1 cancelled, 1 added)")
  return table.concat(log, " ")
end

local t = trace("heap")
check(t:find("^a@1000000000 a2@1000000000 a0@1000000000 b@2000000000 r"), "trace starts wrong: %s", t)
check(not t:find("cancelled", 1, true), "a cancelled event ran: %s", t)
eq(trace("calendar"), t, "calendar trace vs heap trace")
eq(trace({ "heap", arity = 2 }), t, "binary heap trace vs heap trace")

-- Errors in callbacks surface as error objects here too.
local sim = synack.simulator()
sim:at(3, function() error("plain boom") end)
local ok, e = pcall(sim.run, sim)
eq(ok, false, "run with a failing callback")
check(tostring(e):find("virtual time 3.000000000 s", 1, true) and tostring(e):find("plain boom", 1, true),
      "callback error: got %s", tostring(e))

-- The experiment contract helper is on LUA_PATH.
local contract = require "synack.contract"
local P = contract.params({ params = { n = 3 } }, { n = "4" })
eq(P.n, 4, "synack.contract.params")

print("plain lua: ok")
EOF

LUA_CPATH="$SYNACK_BUILDDIR/lua/.libs/?.so;;" \
LUA_PATH="$SYNACK_SRCDIR/lua/?.lua;;" \
	"$LUA_INTERP" "$tmp/plain.lua" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out"
cat "$tmp/err" >&2
if [ "$rc" -ne 0 ]; then
	echo "plain_lua.sh: FAIL: $LUA_INTERP exited with status $rc (expected 0)" >&2
	exit 1
fi
if ! grep -F "plain lua: ok" "$tmp/out" >/dev/null; then
	echo "plain_lua.sh: FAIL: the script did not finish (expected 'plain lua: ok' on stdout)" >&2
	exit 1
fi
exit 0
