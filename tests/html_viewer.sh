#!/bin/sh
# rec:html's viewer runs in a browser: headless Chromium loads the file,
# and the DOM after its scripts holds the drawn ladder (an arrow per
# segment, a label per state change with its rule in the tooltip, a table
# row per segment) and no script error.  A copy with a broken script must
# show the error marker, so the check can fail.  SKIP without Chromium.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

browser=
for b in chromium chromium-browser; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$b
		break
	fi
done
if [ -z "$browser" ]; then
	echo "html_viewer.sh: SKIP: chromium is not installed (it runs the viewer's script)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-html.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

cat >"$tmp/write.lua" <<'LUA'
local synack = require "synack"
local dir = synack.args.dir
local sim = synack.simulator{seed = 1}
local a, b = sim:node("alice"), sim:node("bob")
sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms",
                       ab = {loss = {"match", has_data = "yes", direction = "forward"}}})
local rec = sim:record()
local eb = b:tcp{timers = "linux"}
eb:listen(80, function(c)
  c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end)
end)
sim:at(0, function()
  a:tcp{timers = "linux"}:connect(b, 80):on("established", function(c)
    c:send("x"); sim:after(0.5, function() c:close() end)
  end)
end)
sim:run()
local n = rec:html(dir .. "/c.html", {connection = 1, title = "</script><script>document.title='x'</script>"})
local f = assert(io.open(dir .. "/counts", "w"))
assert(f:write(n.segments, " ", n.states, "\n"))
assert(f:close())
LUA
if ! out=$("$SYNACK_BUILDDIR/synack" run "$tmp/write.lua" dir="$tmp" 2>&1); then
	echo "FAIL: writing the viewer: $out"
	exit 1
fi
read -r nseg nstate <"$tmp/counts"

# The DOM once the page's scripts have run (timeout bounds a browser that
# hangs; it is not a wait).
dom() {
	timeout 300 "$browser" --headless --no-sandbox --disable-gpu --disable-extensions \
		--no-first-run --user-data-dir="$tmp/profile" --virtual-time-budget=10000 \
		--dump-dom "file://$1" 2>"$tmp/browser.err"
}
count() {
	grep -o "$1" "$2" | wc -l
}

fail=0
if ! dom "$tmp/c.html" >"$tmp/dom.html" || ! [ -s "$tmp/dom.html" ]; then
	echo "FAIL: $browser did not load the viewer:"
	cat "$tmp/browser.err"
	exit 1
fi
if grep -q 'id="script-error"' "$tmp/dom.html"; then
	echo "FAIL: the viewer's script failed:"
	grep -A3 'id="script-error"' "$tmp/dom.html"
	fail=1
fi
grep -q '<body[^>]*data-ready="1"' "$tmp/dom.html" || { echo "FAIL: the script did not finish"; fail=1; }
got=$(count 'class="arrow ' "$tmp/dom.html")
[ "$got" -eq "$nseg" ] || { echo "FAIL: $got arrows drawn, $nseg segments"; fail=1; }
grep -q "data-arrows=\"$nseg\"" "$tmp/dom.html" || { echo "FAIL: the ladder's arrow count"; fail=1; }
got=$(count 'class="state"' "$tmp/dom.html")
[ "$got" -eq "$nstate" ] || { echo "FAIL: $got state labels, $nstate state changes"; fail=1; }
got=$(count '<tr id="row' "$tmp/dom.html")
[ "$got" -eq "$nseg" ] || { echo "FAIL: $got table rows, $nseg segments"; fail=1; }
grep -q 'rule: RFC 9293 3.10.7.3' "$tmp/dom.html" || { echo "FAIL: no rule in a state's tooltip"; fail=1; }
grep -q 'class="arrow c2s lost"' "$tmp/dom.html" || { echo "FAIL: the lost segment is not drawn lost"; fail=1; }
got=$(count '<script' "$tmp/dom.html")
[ "$got" -eq 2 ] || { echo "FAIL: $got script elements (the title made one?)"; fail=1; }

# The same page with its script broken: the marker must show.
sed 's/JSON\.parse(/JSON.parze(/' "$tmp/c.html" >"$tmp/broken.html"
dom "$tmp/broken.html" >"$tmp/broken-dom.html"
if ! grep -q 'id="script-error"' "$tmp/broken-dom.html"; then
	echo "FAIL: a broken script leaves no error marker: the check above proves nothing"
	fail=1
fi
[ "$fail" -eq 0 ] && echo "html_viewer.sh: $nseg segments, $nstate state changes drawn"
exit "$fail"
