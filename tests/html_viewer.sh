#!/bin/sh
# rec:html's viewer runs in a browser: headless Chromium loads the file,
# and the DOM after its scripts holds, for the chosen connection, the
# drawn ladder (an arrow per segment, each segment's label as
# rec:segments() gives its fields, along its arrow, no two labels' boxes
# overlapping and no arrow crossing another segment's label, both boxes
# as the browser drew them, turned along their arrows; a label per state
# change with its rule in the tooltip), the
# time-sequence graph (a bar per segment of the sender's, the receive
# window's edge at each ACK, its time range the ladder's view: zoomed and
# scrolled with it), the text ladder, a table row per segment, the table
# of connections, where a click switches the ladder, the graph and the
# text ladder to another connection; a SYN flood's spoofed clients
# named, not blank; two recordings side by side
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
# losses, then a short exchange), one per timer profile (the rfc one's
# receiver with a small buffer); the labels each
# segment must have in the viewer and the bars of its graph.
cat >"$tmp/write.lua" <<'LUA'
local synack = require "synack"
local dir = synack.args.dir
local function run(timers)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("alice"), sim:node("bob")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "10ms", ab = {loss = {"list", drop = "4,5,12"}}})
  local rec = sim:record()
  -- under rfc a small receive buffer: its window's edge near the data
  local eb = b:tcp{timers = timers, state_machine = timers == "rfc" and {"rfc9293", rcvbuf = 10000} or nil}
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
  -- a long connection (a bulk transfer losing 1% of its segments): the
  -- ACKs cross the data's arrows wherever they are drawn, so some labels
  -- are left out
  if timers == "linux" then
    local c = sim:node("carol")
    sim:duplex_link(c, b, {rate = "10Mbps", delay = "10ms", ab = {loss = {"bernoulli", p = 0.01}}})
    local ec = c:tcp{timers = timers}
    sim:at(4, function()
      ec:connect(b, 80):on("established", function(c) c:send(400000); c:close() end)
    end)
  end
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
    -- the receive window's edge at each ACK to the sender, in order of
    -- arrival: ACK + window (scaled once both SYNs offered a scale),
    -- relative to the sender's ISN
    local isn, wsm, wsp
    for _, s in ipairs(segs) do
      if s.flags:find("SYN", 1, true) then
        if s.dir == mine then isn = isn or s.seq; wsm = wsm or s.wscale or false
        else wsp = wsp or s.wscale or false end
      end
    end
    local shift = (wsm and wsp) and wsp or 0
    local acks = {}
    for _, s in ipairs(segs) do
      if s.dir ~= mine and s.arrived and s.flags:find("ACK", 1, true) then acks[#acks + 1] = s end
    end
    table.sort(acks, function(a, b) return a.arrived < b.arrived end)
    local edges = {}
    for i, s in ipairs(acks) do
      local win = s.flags:find("SYN", 1, true) and s.win or s.win << shift
      edges[i] = string.format("%d", (s.ack - isn) % (1 << 32) + win)
    end
    put(name .. "-" .. k .. ".edges", table.concat(edges, " ") .. "\n")
    put(name .. "-" .. k .. ".text", rec:ladder_text{connection = k})
  end
end
local linux, rfc = run("linux"), run("rfc")
expect(linux, "linux")
expect(rfc, "rfc")
local n = linux:html(dir .. "/c.html", {connection = 1, title = "</script><script>document.title='x'</script>"})
linux:html(dir .. "/cmp.html", {compare = rfc, labels = {"timers=linux", "timers=rfc"}})
put("counts", n.segments .. " " .. n.states .. " " .. n.connections .. "\n")
-- a SYN flood from addresses no node owns, and a client
do
  local sim = synack.simulator{seed = 3}
  local client, attacker, server, r = sim:node("client"), sim:node("attacker"), sim:node("server"), sim:node("r")
  for _, x in ipairs{client, attacker, server} do sim:duplex_link(x, r, {rate = "100Mbps", delay = "5ms"}) end
  local rec = sim:record()
  server:tcp{timers = "linux"}:listen(80, {backlog = 8})
  attacker:app{"synflood", target = server:address(), port = 80, rate = 2000, stop = 0.01}
  sim:at(0.002, function() client:tcp{timers = "linux"}:connect(server, 80) end)
  sim:run{stop = 20}
  rec:html(dir .. "/flood.html")
  put("flood-addr", rec:connections()[1].client .. "\n")
end
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
local B = dofile(os.getenv("SYNACK_SRCDIR") .. "/tests/lua/svgboxes.lua")
local unxml = B.unxml
-- the labels, by segment; a segment without one is counted above the
-- ladder (hidden=none: there must be none; hidden=some: some)
local labs, n = B.viewer_labels(svg), 0
for _ in pairs(labs) do n = n + 1 end
if n ~= select(2, svg:gsub('class="seglabel', "")) then fail("a segment labelled twice") end
local missing = 0
for i, w in ipairs(want) do
  if not labs[i] then missing = missing + 1
  elseif labs[i].text ~= w then fail("segment %d's label %q, its fields say %q", i, labs[i].text, w) end
end
if n > #want then fail("%d labels drawn, %d segments", n, #want) end
local line = dom:match('<div id="elided' .. A.pane .. '"[^>]*>[^<]*</div>')
local shown = line and tonumber(line:match('data%-hidden="(%d+)"'))
if not shown then fail("no count of the labels left out above the ladder")
elseif shown ~= missing then fail("the page says %d labels are hidden, %d segments have none", shown, missing)
elseif shown > 0 and not line:find(">" .. shown .. " labels? hidden where arrows cross") then
  fail("the count of labels left out is not shown: %s", line)
end
if A.hidden == "none" and missing > 0 then fail("%d labels left out, all should fit", missing) end
if A.hidden == "some" and missing == 0 then fail("no label left out: the check of the long connection proves nothing") end
if A.hiddenout then
  local f = assert(io.open(A.hiddenout, "w"))
  assert(f:write(missing, "\n"))
  assert(f:close())
end
local arrows = select(2, svg:gsub('class="arrow ', ""))
if arrows ~= #want then fail("%d arrows drawn, %d segments", arrows, #want) end
-- each label's box as the browser drew it: its glyphs' box (getBBox)
-- through its transform (its rotation along its arrow), its 1.5 px halo
-- around it, which the measuring script wrote into data-box
local box, ids, arrs = {}, {}, B.viewer_arrows(svg)
for tag in svg:gmatch('<text [^>]*class="seglabel[^>]*>') do
  local i, pts = tonumber(tag:match('data%-i="(%d+)"')), tag:match('data%-box="([^"]*)"')
  local c = {}
  for x, y in (pts or ""):gmatch("([%d.e+-]+),([%d.e+-]+)") do c[#c + 1] = {tonumber(x), tonumber(y)} end
  if not i or #c ~= 4 then fail("a label without its measured box: %s", tag); os.exit(1) end
  box[i + 1] = c
  ids[#ids + 1] = i + 1
end
table.sort(ids)
-- along its arrow: the box's long side parallel to it
local askew = 0
for _, i in ipairs(ids) do
  local c, a = box[i], arrs[i]
  if a then
    local bx, by, ax, ay = c[2][1] - c[1][1], c[2][2] - c[1][2], a[2][1] - a[1][1], a[2][2] - a[1][2]
    local sin = math.abs(bx * ay - by * ax) / math.max(1e-9, math.sqrt((bx * bx + by * by) * (ax * ax + ay * ay)))
    if sin > 0.02 then
      askew = askew + 1
      if askew <= 3 then fail("the label of segment %d is not along its arrow", i) end
    end
  end
end
-- no two labels' boxes overlap
local over = 0
for a = 1, #ids do
  for b = a + 1, #ids do
    if B.overlap(box[ids[a]], box[ids[b]]) then
      over = over + 1
      if over <= 3 then fail("the labels of segments %d and %d overlap", ids[a], ids[b]) end
    end
  end
end
-- no arrow crosses another segment's label: its line through the box
local cross = 0
for _, j in ipairs(ids) do
  for i, a in pairs(arrs) do
    if i ~= j and B.overlap(a, box[j]) then
      cross = cross + 1
      if cross <= 3 then fail("the arrow of segment %d crosses the label of segment %d", i, j) end
    end
  end
end
print(string.format("pane %s: %d label/arrow crossings, %d overlapping labels, %d labels not along their arrows, "
                    .. "%d of %d labels left out", A.pane, cross, over, askew, missing, #want))
-- the time-sequence graph
local bars = tonumber(read(A.bars):match("%d+"))
local g = dom:match('<svg id="seqgraph' .. A.pane .. '".-</svg>')
if not g then fail("no time-sequence graph")
else
  local drawn = select(2, g:gsub('class="bar"', ""))
  if drawn ~= bars then fail("%d bars in the graph, %d segments with sequence space", drawn, bars) end
  if not g:find('data-bars="' .. bars .. '"', 1, true) then fail("the graph's bar count") end
end
-- the receive window's edge, ACK by ACK
local edges = read(A.edges):match("^(.-)%s*$")
if g then
  local drawn = g:match('<polyline[^>]-class="winline"[^>]-data%-values="([^"]*)"')
  if not drawn then fail("no window edge in the graph")
  elseif drawn ~= edges then fail("the window edge at %s, ACK + window is %s", drawn, edges) end
end
-- the text ladder is the connection's
local text = dom:match('<pre id="text' .. A.pane .. '">(.-)</pre>')
if not text then fail("no text ladder")
elseif unxml(text) ~= read(A.text) then fail("the text ladder is not the connection's:\n%s", unxml(text)) end
-- the graph's time axis is the ladder's view: the ladder's time ticks
-- (at their times' heights) in the view are in the graph's range, the
-- others out of it; each bar at its time on the graph's scale
if g then
  local from, to = tonumber(g:match('data%-from="([^"]*)"')), tonumber(g:match('data%-to="([^"]*)"'))
  local top, bottom = tonumber(g:match('data%-top="([^"]*)"')), tonumber(g:match('data%-bottom="([^"]*)"'))
  local eps, inside, outside = 1e-6, 0, 0
  if not (from and to and top and bottom) then fail("the graph has no time range"); os.exit(1) end
  for y, t in svg:gmatch('<text x="8" y="([%d.-]+)" class="tick">([%d.]+) ms</text>') do
    y, t = tonumber(y) - 4, tonumber(t) / 1000
    if y < top - 0.5 then
      outside = outside + 1
      if t > from + eps then fail("the tick at %g s is above the view, the graph starts at %g s", t, from) end
    elseif y > bottom + 0.5 then
      outside = outside + 1
      if t < to - eps then fail("the tick at %g s is below the view, the graph ends at %g s", t, to) end
    elseif y < top + 0.5 or y > bottom - 0.5 then
      -- on the view's edge, within the tick's rounding to a pixel
    else
      inside = inside + 1
      if t < from - eps or t > to + eps then fail("the tick at %g s is in the view, not in the graph's %g-%g s", t, from, to) end
    end
  end
  if inside == 0 then fail("no time tick in the ladder's view") end
  for x, t in g:gmatch('<path d="M([%d.e+-]+),[^"]*"[^>]-class="bar" data%-t="([^"]*)"') do
    local want = 90 + (tonumber(t) - from) / (to - from) * (860 - 90 - 20)
    if math.abs(tonumber(x) - want) > 0.01 then fail("a bar at x=%s, its time %s s is at %g", x, t, want) end
  end
  print(string.format("pane %s: the graph shows %.6f-%.6f s, %d ticks in the ladder's view, %d out",
                      A.pane, from, to, inside, outside))
  if A.range then
    local f = assert(io.open(A.range, "w"))
    assert(f:write(string.format("%.9f %.9f\n", from, to)))
    assert(f:close())
  end
end
if bad == 0 then
  print("pane " .. A.pane .. ": " .. #want .. " segments, " .. n .. " labels along their arrows, apart, no arrow crossing them, " .. bars .. " bars")
end
os.exit(bad == 0 and 0 or 1)
LUA

if ! out=$("$SYNACK_BUILDDIR/synack" run "$tmp/write.lua" dir="$tmp" 2>&1); then
	echo "FAIL: writing the viewer: $out"
	exit 1
fi

# Each page gets a script after the viewer's that writes into each
# segment label its box as the browser drew it (its glyphs' box through
# its transform, with its halo), for check.lua, and then removes itself.
cat >"$tmp/measure.js" <<'JS'
(function () {
  var H = 1.5;
  Array.prototype.forEach.call(document.querySelectorAll("text.seglabel"), function (t) {
    var b = t.getBBox(), m = t.transform.baseVal.consolidate();
    m = m ? m.matrix : null;
    var pts = [[b.x - H, b.y - H], [b.x + b.width + H, b.y - H], [b.x + b.width + H, b.y + b.height + H],
               [b.x - H, b.y + b.height + H]].map(function (c) {
      var x = c[0], y = c[1];
      if (m) { var X = m.a * x + m.c * y + m.e; y = m.b * x + m.d * y + m.f; x = X; }
      return x.toFixed(3) + "," + y.toFixed(3);
    });
    t.setAttribute("data-box", pts.join(" "));
  });
  document.currentScript.parentNode.removeChild(document.currentScript);
})();
JS
for page in c cmp flood; do
	awk -v js="$tmp/measure.js" '/^<\/body>$/ { print "<script>"; while ((getline l <js) > 0) print l; print "</script>" } { print }' \
		"$tmp/$page.html" >"$tmp/$page.m" && mv "$tmp/$page.m" "$tmp/$page.html" || exit 1
	grep -q 'data-box' "$tmp/$page.html" || { echo "FAIL: no measuring script in $page.html"; exit 1; }
done
read -r nseg nstate nconn <"$tmp/counts"

# The DOM once the page's scripts have run (timeout bounds a browser that
# hangs; it is not a wait); the console's messages go to $tmp/browser.err.
chrome() {
	timeout 300 "$browser" --headless --no-sandbox --disable-gpu --disable-extensions \
		--no-first-run --user-data-dir="$tmp/profile" --virtual-time-budget=10000 \
		--enable-logging=stderr --v=0 --window-size=1800,1200 "$@" 2>"$tmp/browser.err"
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
	"$SYNACK_BUILDDIR/synack" run "$tmp/check.lua" dom="$1" pane="$2" want="$tmp/$3.labels" bars="$tmp/$3.bars" \
		edges="$tmp/$3.edges" text="$tmp/$3.text" range="$tmp/range-${4:-x}" hidden="${5:-none}" \
		hiddenout="$tmp/hidden-${4:-x}" || fail=1
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
check "$tmp/dom.html" 0 linux-1 z1
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

# The long connection: labels that would be crossed or meet another are
# left out, and counted above the ladder; zoomed in, fewer of them.
loaded "$tmp/c.html#click=0.3" "$tmp/dom3.html"
check "$tmp/dom3.html" 0 linux-3 long1 some
loaded "$tmp/c.html#click=0.3&zoom=3" "$tmp/dom3z.html"
check "$tmp/dom3z.html" 0 linux-3 long3 some
read -r h1 <"$tmp/hidden-long1" && read -r h3 <"$tmp/hidden-long3" && [ "$h3" -lt "$h1" ] ||
	{ echo "FAIL: zoomed in, ${h3:-?} labels left out of the long connection's, ${h1:-?} at zoom 1"; fail=1; }

# Zoomed in, then scrolled: the graph's time range narrows, then moves
# later, as the ladder's view does.
loaded "$tmp/c.html#zoom=4" "$tmp/dom-z4.html"
check "$tmp/dom-z4.html" 0 linux-1 z4
loaded "$tmp/c.html#zoom=4&scroll=0.4" "$tmp/dom-z4s.html"
check "$tmp/dom-z4s.html" 0 linux-1 z4s
if ! awk 'FILENAME ~ /z1$/ { w1 = $2 - $1 }
	  FILENAME ~ /z4$/ { f4 = $1; w4 = $2 - $1 }
	  FILENAME ~ /z4s$/ { f5 = $1; n = 1 }
	  END { exit !(n && w4 > 0 && w4 < w1 * 0.75 && f5 > f4) }' \
	"$tmp/range-z1" "$tmp/range-z4" "$tmp/range-z4s"; then
	echo "FAIL: the graph's time range does not follow the zoom and the scrolling:" \
		"$(cat "$tmp/range-z1" "$tmp/range-z4" "$tmp/range-z4s" | tr '\n' ';')"
	fail=1
fi

# A SYN flood's spoofed clients: their address, and no blank name.
loaded "$tmp/flood.html" "$tmp/flood-dom.html"
read -r faddr <"$tmp/flood-addr"
grep -q "<td>(no node) $faddr</td>" "$tmp/flood-dom.html" ||
	{ echo "FAIL: a spoofed client's row does not name it"; fail=1; }
grep -q '<text x="200" y="20" text-anchor="middle">(no node)</text>' "$tmp/flood-dom.html" ||
	{ echo "FAIL: the ladder of a spoofed client does not name it"; fail=1; }
if grep -q '<td> \|<text x="200" y="20" text-anchor="middle"></text>' "$tmp/flood-dom.html"; then
	echo "FAIL: a blank node name"
	fail=1
fi

# Two recordings side by side.
loaded "$tmp/cmp.html" "$tmp/cmp-dom.html"
check "$tmp/cmp-dom.html" 0 linux-1
check "$tmp/cmp-dom.html" 1 rfc-1
grep -q '<h2>timers=linux</h2>' "$tmp/cmp-dom.html" && grep -q '<h2>timers=rfc</h2>' "$tmp/cmp-dom.html" ||
	{ echo "FAIL: the recordings' labels"; fail=1; }
loaded "$tmp/cmp.html#click=1.2" "$tmp/cmp-dom2.html"
check "$tmp/cmp-dom2.html" 1 rfc-2
check "$tmp/cmp-dom2.html" 0 linux-1

# Screenshots: PNG files with something in them (c-zoom: zoomed in and
# scrolled, the graph following; c-long: the long connection, scrolled).
for page in c c-zoom c-long cmp; do
	url="file://$tmp/$page.html"
	[ "$page" = c-zoom ] && url="file://$tmp/c.html#zoom=3&scroll=0.3"
	[ "$page" = c-long ] && url="file://$tmp/c.html#click=0.3&scroll=0.3"
	chrome --screenshot="$tmp/$page.png" "$url" >/dev/null
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
