-- sim:record and ladder diagrams: the handshake in order with its seq and
-- ack, a lost segment marked, the time window, well-formed SVG, errors.
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local synack = require "synack"

local function run(loss)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("alice"), sim:node("bob")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms", ab = {loss = loss}})
  local rec = sim:record()
  T.check(rec == sim:record(), "a second sim:record() returns the same recorder")
  local ea = a:tcp{isn = {"fixed", value = 1000}, timers = "linux"}
  local eb = b:tcp{isn = {"fixed", value = 5000}, timers = "linux"}
  eb:listen(80, function(c)
    c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end)
  end)
  local conn
  sim:at(0, function()
    conn = ea:connect(b, 80)
    conn:on("established", function(c) c:send("x"); sim:after(0.1, function() c:close() end) end)
  end)
  sim:run()
  return sim, rec, conn
end

local sim, rec, conn = run(nil)
local cs = rec:connections()
T.eq(#cs, 1, "connections")
T.eq(cs[1].index, 1, "index")
T.check(cs[1].client:match("^10%.0%.1%.1:%d+$"), "client %s", cs[1].client)
T.eq(cs[1].server, "10.0.1.2:80", "server")
T.eq(cs[1].first, 0.0, "first")
T.check(cs[1].last > 60, "last %s (after TIME_WAIT)", cs[1].last)
T.check(cs[1].segments >= 7, "segments %d", cs[1].segments)

-- The text ladder lists the handshake in order, with absolute numbers.
local text = rec:ladder_text{connection = conn}   -- the connection closed long ago
local p1 = text:find("SYN seq=1000 ", 1, true)
local p2 = text:find("SYN,ACK seq=5000 ack=1001 ", 1, true)
local p3 = text:find("ACK seq=1001 ack=5001 ", 1, true)
T.check(p1 and p2 and p3 and p1 < p2 and p2 < p3, "handshake in order:\n%s", text)
T.check(text:find("SYN_SENT", 1, true) and text:find("TIME_WAIT", 1, true), "states:\n%s", text)
for line in text:gmatch("[^\n]+") do
  T.check(#line <= 80, "line longer than 80 columns: %q", line)
end
T.eq(rec:ladder_text{connection = 1}, text, "by index and by object")
-- relative numbers: the SYN is seq 0
local rel = rec:ladder_text{relative = true}
T.check(rel:find("SYN seq=0 ", 1, true) and rel:find("SYN,ACK seq=0 ack=1 ", 1, true), "relative:\n%s", rel)
-- the segments and states as tables
local segs = rec:segments{connection = 1}
T.eq(segs[1].flags, "SYN", "first segment")
T.eq(segs[2].flags, "SYN,ACK", "second segment")
T.eq(segs[2].ack, 1001, "SYN-ACK's ack")
T.eq(segs[1].dir, "c>s", "direction")
T.check(math.abs(segs[1].arrived - segs[1].sent - 0.01) < 0.0001, "one-way delay")
local states = rec:states{}
T.eq(states[1].to, "SYN_SENT", "first state change")
T.eq(states[1].side, "client", "its side")

-- The time window: only what happens from 15 ms to 25 ms.
local win = rec:ladder_text{from = 0.015, to = "25ms"}
T.check(not win:find("SYN seq=1000 ", 1, true), "window excludes the SYN:\n%s", win)
T.check(win:find("SYN,ACK", 1, true) and win:find("ESTABLISHED", 1, true), "window:\n%s", win)
T.check(not win:find("TIME_WAIT", 1, true), "window excludes the close:\n%s", win)

-- The SVG: well-formed XML with the three segments in order.
local dir = os.tmpname()
os.remove(dir)
os.execute("mkdir -p '" .. dir .. "'")
local svg = dir .. "/hs.svg"
rec:ladder(svg, {connection = conn, title = "a <handshake> & \"close\""})
local f = assert(io.open(svg))
local s = f:read("a")
f:close()
T.check(s:find("^<%?xml") and s:find("</svg>%s*$"), "an SVG document")
T.check(s:find("a &lt;handshake&gt; &amp; &quot;close&quot;", 1, true), "title escaped")
local q1 = s:find(">SYN seq=1000 ", 1, true)
local q2 = s:find(">SYN,ACK seq=5000 ack=1001 ", 1, true)
local q3 = s:find(">ACK seq=1001 ack=5001 ", 1, true)
T.check(q1 and q2 and q3 and q1 < q2 and q2 < q3, "SVG handshake in order")
if os.execute("command -v python3 >/dev/null 2>&1") then
  T.check(os.execute("python3 -c \"import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])\" '" .. svg .. "'"),
    "the SVG parses as XML")
end
-- a text ladder to a file
rec:ladder(dir .. "/hs.txt")
f = assert(io.open(dir .. "/hs.txt"))
T.eq(f:read("a"), text, "ladder to a text file")
f:close()

-- Errors: a bad index, a foreign connection, an unwritable path; what
-- was already written stays.
T.fails("no connection 2", function() rec:ladder_text{connection = 2} end)
T.fails("no connection 0", function() rec:ladder(svg, {connection = 0}) end)
T.fails("/nonexistent/dir/x.svg", function() rec:ladder("/nonexistent/dir/x.svg") end)
T.fails("unknown option", function() rec:ladder_text{colour = 1} end)
f = assert(io.open(svg))
T.eq(f:read("a"), s, "the SVG is untouched by the failures")
f:close()
local sim2 = synack.simulator{}
local c2, s2 = sim2:node("c"), sim2:node("s")
sim2:duplex_link(c2, s2, {rate = "1Mbps", delay = "1ms"})
s2:tcp():listen(80, function() end)
local other
sim2:at(0, function() other = c2:tcp():connect(s2, 80) end)
sim2:run{stop = 0.1}
T.fails("ladder_text: option 'connection': connection of another simulator",
        function() rec:ladder_text{connection = other} end)
local empty = sim2:record()
T.fails("no connection", function() empty:ladder_text() end)

-- A lost segment: the first data segment is dropped and marked.
local _, rec2 = run({"match", has_data = "yes", direction = "forward"})
local t2 = rec2:ladder_text()
T.check(t2:find("X", 1, true) and t2:find("lost: loss alice>bob", 1, true), "lost segment marked:\n%s", t2)
local lost = 0
for _, sg in ipairs(rec2:segments()) do if sg.dropped then lost = lost + 1; T.eq(sg.reason, "loss", "reason") end end
T.eq(lost, 1, "one segment lost")
rec2:ladder(dir .. "/lost.svg")
f = assert(io.open(dir .. "/lost.svg"))
local s3 = f:read("a")
f:close()
T.check(s3:find("lost: loss alice&gt;bob", 1, true) and s3:find('class="x"', 1, true), "SVG marks the loss")

-- Labels too long for the width are cut visibly: the last column is '~'
-- and a footnote counts them and names the width that shows them whole;
-- width = "auto" is that width.
do
  local narrow = rec:ladder_text{width = 60}
  local cuts = select(2, narrow:gsub("~", ""))
  local n, need = narrow:match("%((%d+) fields? cut short, marked ~: width = (%d+) or \"auto\" shows every label whole%)")
  T.check(n, "the footnote of a narrow ladder:\n%s", narrow)
  T.eq(cuts, tonumber(n) + 1, "every cut marked ~ (and one ~ in the footnote)")
  for line in narrow:gmatch("[^\n]+") do
    if not line:find("cut short", 1, true) then T.check(#line <= 60, "line longer than 60 columns: %q", line) end
  end
  local auto = rec:ladder_text{width = "auto"}
  T.check(not auto:find("~", 1, true), "nothing cut at width auto:\n%s", auto)
  local widest = 0
  for line in auto:gmatch("[^\n]+") do widest = math.max(widest, #line) end
  T.eq(widest, tonumber(need), "the auto width is the width the footnote names")
  T.eq(rec:ladder_text{width = tonumber(need)}, auto, "width = the named width is width auto")
  -- everything at the default width either fits or is marked
  T.check(not text:find("~", 1, true) or text:find("cut short", 1, true), "default width:\n%s", text)
  T.fails("ladder_text: width 'wide': a number or \"auto\"", function() rec:ladder_text{width = "wide"} end)
end

-- After the simulator closes, the recorder says so.
sim:close()
T.fails("closed", function() rec:connections() end)
os.execute("rm -rf '" .. dir .. "'")
print("ladder: ok")
