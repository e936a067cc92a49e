-- rec:html: one self-contained HTML file per connection, with the data as
-- JSON that no string can break out of, well-formed, the same bytes for
-- the same run; its options' errors.  (tests/html_viewer.sh runs its
-- script in a browser.)
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local synack = require "synack"

local function run()
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("alice"), sim:node("bob")
  -- the first data segment is lost: a dropped segment with its reason
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms",
                         ab = {loss = {"match", has_data = "yes", direction = "forward"}}})
  local rec = sim:record()
  local ea = a:tcp{timers = "linux"}
  local eb = b:tcp{timers = "linux"}
  eb:listen(80, function(c)
    c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end)
  end)
  local conn
  sim:at(0, function()
    conn = ea:connect(b, 80)
    conn:on("established", function(c) c:send("x"); sim:after(0.5, function() c:close() end) end)
  end)
  sim:run()
  return rec, conn
end

local dir = T.tmpdir()
local rec, conn = run()
local evil = "a </script><script>alert(1)</script> & <b>\"quoted\"</b> \226\128\168"
local counts = rec:html(dir .. "/c.html", {connection = conn, title = evil})
local page = T.read(dir .. "/c.html")
local segs, states = rec:segments{connection = conn}, rec:states{connection = conn}
T.eq(counts.segments, #segs, "segments counted")
T.eq(counts.states, #states, "states counted")

-- self-contained: no external resource of any kind
T.check(page:sub(1, 15) == "<!DOCTYPE html>", "a doctype first")
for _, bad in ipairs{"<link", " src=", " href=", "@import", "url(http", "fetch(", "XMLHttpRequest"} do
  T.check(not page:find(bad, 1, true), "nothing external: %q found", bad)
end

-- the data: one JSON script element, which nothing ends early
local s1, e1 = page:find('<script type="application/json" id="data">', 1, true)
T.check(s1, "the data's script element")
local close = page:find("</script>", e1, true)
local data = page:sub(e1 + 1, close - 1)
T.check(not data:find("<", 1, true) and not data:find(">", 1, true), "no < or > in the JSON")
T.check(data:find('"title":"a \\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e \\u0026 '
  .. '\\u003cb\\u003e\\"quoted\\"\\u003c/b\\u003e \\u2028"', 1, true), "the title escaped:\n%s", data)
local nscript = 0
for _ in page:gmatch("<script") do nscript = nscript + 1 end
T.eq(nscript, 2, "two script elements (the data and the viewer): the title added none")
T.check(page:find("<title>a &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; ", 1, true),
  "the title escaped as HTML")
-- every segment and state with its fields
local nflags, nrule = 0, 0
for _ in data:gmatch('"flags":') do nflags = nflags + 1 end
for _ in data:gmatch('"rule":') do nrule = nrule + 1 end
T.eq(nflags, #segs, "every segment in the data")
T.eq(nrule, #states, "every state change with its rule")
local lost
for _, s in ipairs(segs) do if s.dropped then lost = s end end
T.check(lost and lost.reason, "the run has a dropped segment with a reason")
T.check(data:find('"reason":"' .. lost.reason .. '"', 1, true), "the drop's reason")
T.check(data:find('"rule":"RFC 9293 3.10.7.3"', 1, true), "the SYN-ACK's rule")
T.check(data:find('"seq":' .. segs[2].seq, 1, true) and data:find('"win":' .. segs[1].win, 1, true),
  "seq and win")
T.check(data:find('"tsval":', 1, true), "the options")

-- well-formed: the elements outside the scripts and the style nest
local body = page:gsub("<script[^>]*>.-</script>", "<script></script>")
                 :gsub("<style>.-</style>", "<style></style>")
local stack, void = {}, {meta = true, ["!DOCTYPE"] = true}
for slash, name in body:gmatch("<(/?)([%w!]+)[^>]*>") do
  if slash == "/" then
    T.eq(table.remove(stack), name, "closing tag")
  elseif not void[name] then
    stack[#stack + 1] = name
  end
end
T.eq(#stack, 0, "every element closed")

-- the same run, the same bytes
local rec2, conn2 = run()
rec2:html(dir .. "/d.html", {connection = conn2, title = evil})
T.eq(T.read(dir .. "/d.html"), page, "deterministic")

-- a time window
local w = rec:html(dir .. "/w.html", {connection = 1, from = 0, to = 0.015})
T.check(w.segments < #segs and w.segments >= 1, "window: %d of %d segments", w.segments, #segs)

-- events, when the recorder has them (a table standing for it)
local fake = setmetatable({
  events = function(_, o)
    T.eq(o.connection, 1, "events: the connection asked for")
    return {{t = 0.01, side = "server", node = "bob", event = "syn_queue_drop </script>", seq = 7}}
  end,
}, {__index = function(_, k) return function(_, ...) return rec[k](rec, ...) end end})
local fc = require("synack.html").write(fake, dir .. "/e.html", {connection = 1})
T.eq(fc.events, 1, "events counted")
local epage = T.read(dir .. "/e.html")
T.check(epage:find('"events":[{"event":"syn_queue_drop \\u003c/script\\u003e","node":"bob","seq":7,'
  .. '"side":"server","t":0.01}]', 1, true), "the events:\n%s", epage:match('"events":[^%]]*%]') or "none")
T.check(not page:find('"events":', 1, true) == (rec.events == nil), "events only when the recorder has them")

-- two recordings side by side: both in the data, under their labels,
-- the same bytes for the same runs
local cmp = rec:html(dir .. "/cmp.html", {compare = rec2, compare_connection = 1, labels = {"one </h2>", "two"}})
T.eq(cmp.connections, 1, "connections counted")
local cpage = T.read(dir .. "/cmp.html")
T.check(cpage:find("<h2>one &lt;/h2&gt;</h2>", 1, true) and cpage:find("<h2>two</h2>", 1, true), "the labels")
for _, id in ipairs{"conns", "wrap", "graph", "segments"} do
  T.check(cpage:find('id="' .. id .. '0"', 1, true) and cpage:find('id="' .. id .. '1"', 1, true), "both panes' %s", id)
end
local npanes = 0
for _ in cpage:gmatch('"label":') do npanes = npanes + 1 end
T.eq(npanes, 2, "two recordings in the data")
local nf = 0
for _ in cpage:gmatch('"flags":') do nf = nf + 1 end
T.eq(nf, 2 * #segs, "both recordings' segments")
rec:html(dir .. "/cmp2.html", {compare = rec2, compare_connection = 1, labels = {"one </h2>", "two"}})
T.eq(T.read(dir .. "/cmp2.html"), cpage, "side by side: deterministic")
T.check(not page:find('"label":', 1, true), "one recording: no label")

-- a SYN flood from addresses no node owns: every connection's text
-- ladder in the data (the page shows the one clicked), the spoofed
-- clients named, none blank
do
  local sim = synack.simulator{seed = 3}
  local client, attacker, server, r = sim:node("client"), sim:node("attacker"), sim:node("server"), sim:node("r")
  for _, n in ipairs{client, attacker, server} do sim:duplex_link(n, r, {rate = "100Mbps", delay = "5ms"}) end
  local frec = sim:record()
  server:tcp{timers = "linux"}:listen(80, {backlog = 8})
  attacker:app{"synflood", target = server:address(), port = 80, rate = 2000, stop = 0.01}
  sim:at(0.002, function() client:tcp{timers = "linux"}:connect(server, 80) end)
  sim:run{stop = 20}
  local conns = frec:connections()
  T.check(#conns > 5, "the flood's connections: %d", #conns)
  frec:html(dir .. "/flood.html")
  local fpage = T.read(dir .. "/flood.html")
  local json = require("synack.html").json
  for k = 1, #conns do
    T.check(fpage:find('"text":' .. json(frec:ladder_text{connection = k}), 1, true),
      "connection %d's text ladder in the data", k)
  end
  T.check(conns[1].client_node == "", "the first client is spoofed")
  T.check(fpage:find('"client":{"addr":"' .. conns[1].client .. '","node":"(no node)"}', 1, true),
    "a spoofed client named")
  T.check(fpage:find('"node":"client"', 1, true), "the client node by its name")
  T.check(not fpage:find('"node":""', 1, true), "no blank node name")
end

-- errors
T.fails("html: option 'compare' must be a recorder (sim:record()), got a number",
  function() rec:html(dir .. "/x.html", {compare = 3}) end)
T.fails("html: option 'compare_connection' without 'compare'",
  function() rec:html(dir .. "/x.html", {compare_connection = 1}) end)
T.fails("html: option 'labels' must be a list of 2 strings",
  function() rec:html(dir .. "/x.html", {compare = rec2, labels = {"a"}}) end)
T.fails("html: option 'labels': label 2 must be a string, got a number",
  function() rec:html(dir .. "/x.html", {compare = rec2, labels = {"a", 2}}) end)
T.fails("html: no connection 5", function() rec:html(dir .. "/x.html", {compare = rec2, compare_connection = 5}) end)
T.fails("html: unknown option 'colour'", function() rec:html(dir .. "/x.html", {colour = 1}) end)
T.fails("html: option 'title' must be a string", function() rec:html(dir .. "/x.html", {title = 1}) end)
T.fails("html: no connection 9", function() rec:html(dir .. "/x.html", {connection = 9}) end)
T.fails("html: the path must be a string", function() rec:html(nil) end)
T.fails("x.html", function() rec:html(dir .. "/no/such/dir/x.html") end)
T.check(not io.open(dir .. "/x.html"), "nothing written on an error")
T.rmdir(dir)
print("ok")
