#!/bin/sh
# Outputs of the Lua binding on a file that cannot grow (a size limit):
# a state log fails the run and names the file; a ladder fails, names the
# file and leaves what the file held before.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"
SYNACK=$SYNACK_BUILDDIR/synack

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-luaout.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
. "$here/shlib.sh"

# Many connections, the first with 300 kB of data: far more log and
# ladder than the limit below.
cat >"$tmp/big.lua" <<'LUA'
local synack = require "synack"
local sim = synack.simulator{seed = 1}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
b:tcp():listen(80)
if synack.args.log then a:tcp():state_log(synack.args.log) end
local rec = sim:record()
a:tcp():connect(b, 80):on("established", function(c) c:send(300000); c:close() end)
for i = 1, 200 do
  sim:at(i * 0.01, function() a:tcp():connect(b, 80):on("established", function(c) c:close() end) end)
end
sim:run()
if synack.args.ladder then rec:ladder(synack.args.ladder, {connection = 1}) end
if synack.args.file then synack.write_file(synack.args.file, rec:ladder_text{connection = 1}) end
print("done")
LUA

# Without a limit both work.
run "unlimited" "$SYNACK" run "$tmp/big.lua" log="$tmp/state.log" ladder="$tmp/ladder0.txt"
expect_rc 0
expect_has out "done"
expect_has "$tmp/state.log" "ESTABLISHED"
expect_has "$tmp/ladder0.txt" "FIN_WAIT_1"
[ "$(wc -c <"$tmp/ladder0.txt")" -gt 20000 ] || fail "the ladder is too small to test a size limit"

# The limit is in blocks of 512 or 1024 bytes depending on the shell.
limited() {
	(ulimit -f 8 && trap '' XFSZ && exec "$@")
}

run "state log over the size limit" limited "$SYNACK" run "$tmp/big.lua" log="$tmp/state2.log"
expect_rc 1
expect_has err "state_log: cannot write $tmp/state2.log: File too large"
expect_not out "done"

for what in ladder file; do
	printf 'before\n' >"$tmp/$what.txt"
	run "$what over the size limit" limited "$SYNACK" run "$tmp/big.lua" $what="$tmp/$what.txt"
	expect_rc 1
	[ "$what" = file ] || expect_has err "$what: "
	expect_has err "$tmp/$what.txt: "
	expect_has err "File too large"
	expect_not out "done"
	expect_has "$tmp/$what.txt" "before"
done

printf '%s: %d checks, %d failed\n' "${0##*/}" "$checks" "$failed"
[ "$failed" -eq 0 ]
