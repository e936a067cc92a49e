#!/bin/sh
# rec:html's viewer runs in a browser: headless Chromium loads the file,
# and the DOM after its scripts holds, for the chosen connection, the
# drawn ladder (an arrow per segment, each segment's label as
# rec:segments() gives its fields, no two labels' boxes overlapping, a
# label per state change with its rule in the tooltip), the
# time-sequence graph (a bar per segment of the sender's), a table row
# per segment, the table of connections, where a click switches the
# ladder and the graph to another connection; two recordings side by side
# (timers=linux and timers=rfc); no script error and nothing on the
# console; a screenshot (a PNG; kept in $SYNACK_SHOTS when that is set).
# A copy with a broken script must show the error marker, so the check
# can fail.  SKIP without Chromium.
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

# Two recordings of the same two connections (an initial window with
# losses, then a short exchange), one per timer profile; the labels each
# segment must have in the viewer and the bars of its graph.
cat >"$tmp/write.lua" <<'LUA'
local synack = require "synack"
local dir = synack.args.dir
local function run(timers)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("alice"), sim:node("bob")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "10ms", ab = {loss = {"list", drop = "4,5,12"}}})
  local rec = sim:record()
  local eb = b:tcp{timers = timers}
  eb:listen(80, function(c)
    c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end)
  end)
  local ea = a:tcp{timers = timers}
  sim:at(0, function()
    ea:connect(b, 80):on("established", function(c) c:send(20000); c:close() end)
  end)
  sim:at(2, function()
    ea:connect(b, 80):on("established", function(c) c:send("x"); sim:after(0.5, function() c:close() end) end)
  end)
  sim:run()
  return rec
end
local function put(name, text)
  local f = assert(io.open(dir .. "/" .. name, "w"))
  assert(f:write(text))
  assert(f:close())
end
-- what the viewer's ladder must show for each segment, and its graph
local function expect(rec, name)
  for k = 1, #rec:connections() do
    local lines, bytes, bars = {}, {["c>s"] = 0, ["s>c"] = 0}, 0
    local segs = rec:segments{connection = k}
    for _, s in ipairs(segs) do
      local l = s.flags .. " seq=" .. s.seq
      if s.flags:find("ACK", 1, true) then l = l .. " ack=" .. s.ack end
      if s.len > 0 then l = l .. " len=" .. s.len end
      if s.dropped then l = l .. " lost" .. (s.reason and ": " .. s.reason or "") end
      lines[#lines + 1] = l
      bytes[s.dir] = bytes[s.dir] + s.len
    end
    local mine = bytes["s>c"] > bytes["c>s"] and "s>c" or "c>s"
    for _, s in ipairs(segs) do
      local n = s.len + (s.flags:find("SYN", 1, true) and 1 or 0) + (s.flags:find("FIN", 1, true) and 1 or 0)
      if s.dir == mine and n > 0 then bars = bars + 1 end
    end
    put(name .. "-" .. k .. ".labels", table.concat(lines, "\n") .. "\n")
    put(name .. "-" .. k .. ".bars", bars .. "\n")
  end
end
local linux, rfc = run("linux"), run("rfc")
expect(linux, "linux")
expect(rfc, "rfc")
local n = linux:html(dir .. "/c.html", {connection = 1, title = "</script><script>document.title='x'</script>"})
linux:html(dir .. "/cmp.html", {compare = rfc, labels = {"timers=linux", "timers=rfc"}})
put("counts", n.segments .. " " .. n.states .. " " .. n.connections .. "\n")
LUA

# Checks the DOM of one pane's ladder and graph: args dom=, pane=, want=
# (the file of expected labels), bars= (the file of the graph's count).
cat >"$tmp/check.lua" <<'LUA'
local synack = require "synack"
local A = synack.args
local function read(p) local f = assert(io.open(p)); local s = f:read("a"); f:close(); return s end
local dom = read(A.dom)
local want = {}
for l in read(A.want):gmatch("[^\n]+") do want[#want + 1] = l end
local bad = 0
local function fail(fmt, ...) print("FAIL: pane " .. A.pane .. ": " .. string.format(fmt, ...)); bad = bad + 1 end
local svg = dom:match('<svg id="ladder' .. A.pane .. '".-</svg>')
if not svg then fail("no ladder"); os.exit(1) end
local function unxml(s) return (s:gsub("&lt;", "<"):gsub("&gt;", ">"):gsub("&quot;", '"'):gsub("&amp;", "&")) end
-- the labels, by segment
local labs, n = {}, 0
for x, y, anchor, i, text in svg:gmatch('<text x="([%d.-]+)" y="([%d.-]+)" text%-anchor="(%a+)" class="seglabel[^"]*" data%-i="(%d+)">([^<]*)</text>') do
  i = tonumber(i) + 1
  if labs[i] then fail("segment %d labelled twice", i) end
  labs[i] = {x = tonumber(x), y = tonumber(y), right = anchor == "start", text = unxml(text)}
  n = n + 1
end
if n ~= #want then fail("%d labels drawn, %d segments", n, #want) end
for i, w in ipairs(want) do
  if not labs[i] then fail("segment %d has no label", i)
  elseif labs[i].text ~= w then fail("segment %d's label %q, its fields say %q", i, labs[i].text, w) end
end
local arrows = select(2, svg:gsub('class="arrow ', ""))
if arrows ~= #want then fail("%d arrows drawn, %d segments", arrows, #want) end
-- no two labels' boxes (12 px monospace: a character 7.2 px wide, the
-- glyphs 9.6 px above the baseline and 2.4 below, a 1.5 px halo) overlap
local box = {}
for i, l in pairs(labs) do
  local w = utf8.len(l.text) * 7.2
  local x0 = l.right and l.x or l.x - w
  box[#box + 1] = {i = i, x0 = x0 - 1.5, x1 = x0 + w + 1.5, y0 = l.y - 9.6 - 1.5, y1 = l.y + 2.4 + 1.5}
end
local over = 0
for a = 1, #box do
  for b = a + 1, #box do
    local p, q = box[a], box[b]
    if p.x0 < q.x1 and q.x0 < p.x1 and p.y0 < q.y1 and q.y0 < p.y1 then
      over = over + 1
      if over <= 3 then fail("the labels of segments %d and %d overlap", p.i, q.i) end
    end
  end
end
-- the time-sequence graph
local bars = tonumber(read(A.bars):match("%d+"))
local g = dom:match('<svg id="seqgraph' .. A.pane .. '".-</svg>')
if not g then fail("no time-sequence graph")
else
  local drawn = select(2, g:gsub('class="bar"', ""))
  if drawn ~= bars then fail("%d bars in the graph, %d segments with sequence space", drawn, bars) end
  if not g:find('data-bars="' .. bars .. '"', 1, true) then fail("the graph's bar count") end
end
if bad == 0 then print("pane " .. A.pane .. ": " .. #want .. " segments, labels apart, " .. bars .. " bars") end
os.exit(bad == 0 and 0 or 1)
LUA

if ! out=$("$SYNACK_BUILDDIR/synack" run "$tmp/write.lua" dir="$tmp" 2>&1); then
	echo "FAIL: writing the viewer: $out"
	exit 1
fi
read -r nseg nstate nconn <"$tmp/counts"

# The DOM once the page's scripts have run (timeout bounds a browser that
# hangs; it is not a wait); the console's messages go to $tmp/browser.err.
chrome() {
	timeout 300 "$browser" --headless --no-sandbox --disable-gpu --disable-extensions \
		--no-first-run --user-data-dir="$tmp/profile" --virtual-time-budget=10000 \
		--enable-logging=stderr --v=0 "$@" 2>"$tmp/browser.err"
}
dom() {
	chrome --dump-dom "file://$1"
}
count() {
	grep -o "$1" "$2" | wc -l
}
quiet() {
	if grep -q 'CONSOLE' "$tmp/browser.err"; then
		echo "FAIL: $1: the console has messages:"
		grep 'CONSOLE' "$tmp/browser.err"
		fail=1
	fi
}
check() {
	"$SYNACK_BUILDDIR/synack" run "$tmp/check.lua" dom="$1" pane="$2" want="$tmp/$3.labels" bars="$tmp/$3.bars" ||
		fail=1
}
loaded() {
	if ! dom "$1" >"$2" || ! [ -s "$2" ]; then
		echo "FAIL: $browser did not load $1:"
		cat "$tmp/browser.err"
		exit 1
	fi
	quiet "$1"
	if grep -q 'id="script-error"' "$2"; then
		echo "FAIL: the viewer's script failed:"
		grep -A3 'id="script-error"' "$2"
		fail=1
	fi
	grep -q '<body[^>]*data-ready="1"' "$2" || { echo "FAIL: $1: the script did not finish"; fail=1; }
}

fail=0
loaded "$tmp/c.html" "$tmp/dom.html"
check "$tmp/dom.html" 0 linux-1
grep -q "data-arrows=\"$nseg\"" "$tmp/dom.html" || { echo "FAIL: the ladder's arrow count"; fail=1; }
got=$(count 'class="state"' "$tmp/dom.html")
[ "$got" -eq "$nstate" ] || { echo "FAIL: $got state labels, $nstate state changes"; fail=1; }
got=$(count '<tr id="row0-' "$tmp/dom.html")
[ "$got" -eq "$nseg" ] || { echo "FAIL: $got table rows, $nseg segments"; fail=1; }
got=$(count '<tr id="conn0-' "$tmp/dom.html")
[ "$got" -eq "$nconn" ] || { echo "FAIL: $got rows of connections, $nconn connections"; fail=1; }
grep -q 'rule: RFC 9293 3.10.7.3' "$tmp/dom.html" || { echo "FAIL: no rule in a state's tooltip"; fail=1; }
grep -q 'class="arrow c2s lost"' "$tmp/dom.html" || { echo "FAIL: the lost segment is not drawn lost"; fail=1; }
got=$(count '<script' "$tmp/dom.html")
[ "$got" -eq 2 ] || { echo "FAIL: $got script elements (the title made one?)"; fail=1; }

# A click on the second connection's row: its ladder, graph and table.
loaded "$tmp/c.html#click=0.2" "$tmp/dom2.html"
grep -q '<svg id="ladder0"[^>]*data-conn="2"' "$tmp/dom2.html" || { echo "FAIL: the click did not switch the ladder"; fail=1; }
grep -q '<tr id="conn0-1" class="sel"' "$tmp/dom2.html" || { echo "FAIL: the clicked connection is not marked"; fail=1; }
check "$tmp/dom2.html" 0 linux-2
n2=$(wc -l <"$tmp/linux-2.labels")
got=$(count '<tr id="row0-' "$tmp/dom2.html")
[ "$got" -eq "$n2" ] || { echo "FAIL: after the click $got table rows, $n2 segments"; fail=1; }

# Two recordings side by side.
loaded "$tmp/cmp.html" "$tmp/cmp-dom.html"
check "$tmp/cmp-dom.html" 0 linux-1
check "$tmp/cmp-dom.html" 1 rfc-1
grep -q '<h2>timers=linux</h2>' "$tmp/cmp-dom.html" && grep -q '<h2>timers=rfc</h2>' "$tmp/cmp-dom.html" ||
	{ echo "FAIL: the recordings' labels"; fail=1; }
loaded "$tmp/cmp.html#click=1.2" "$tmp/cmp-dom2.html"
check "$tmp/cmp-dom2.html" 1 rfc-2
check "$tmp/cmp-dom2.html" 0 linux-1

# Screenshots: PNG files with something in them.
for page in c cmp; do
	chrome --screenshot="$tmp/$page.png" --window-size=1800,1200 "file://$tmp/$page.html" >/dev/null
	quiet "$page.html's screenshot"
	if [ "$(head -c 8 "$tmp/$page.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ] ||
	   [ "$(wc -c <"$tmp/$page.png")" -lt 20000 ]; then
		echo "FAIL: no screenshot of $page.html (or an empty one)"
		cat "$tmp/browser.err"
		fail=1
	elif [ -n "${SYNACK_SHOTS:-}" ]; then
		cp "$tmp/$page.png" "$SYNACK_SHOTS/html_viewer-$page.png" || fail=1
	fi
done

# The same page with its script broken: the marker must show.
sed 's/JSON\.parse(/JSON.parze(/' "$tmp/c.html" >"$tmp/broken.html"
dom "$tmp/broken.html" >"$tmp/broken-dom.html"
if ! grep -q 'id="script-error"' "$tmp/broken-dom.html"; then
	echo "FAIL: a broken script leaves no error marker: the check above proves nothing"
	fail=1
fi
[ "$fail" -eq 0 ] && echo "html_viewer.sh: $nseg segments, $nstate state changes, $nconn connections drawn"
exit "$fail"
