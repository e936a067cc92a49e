-- The SVG ladder's labels in dense bursts: no two labels' boxes overlap,
-- and no arrow passes through another segment's label box,
-- computed here from the emitted coordinates (each label's anchor, its
-- rotation, its length in characters) and the font size, as a monospace
-- font draws them (a character 0.6 of the font size wide, 0.8 above the
-- baseline and 0.2 below), with their halos.  Bursts: an initial window of 10 segments
-- leaving at one instant and arriving together (a fast link) or a
-- transmission time apart, both sides sending at once, a lossy transfer
-- with retransmissions, and a listener's SYN-ACKs under a SYN flood.
-- And the ladder's content: every segment of rec:segments() drawn once,
-- with its label and send time, as the text ladder shows it.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local dir = T.tmpdir()
local failed = 0  -- drawings with overlapping or crossed labels: all are reported

local B = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "svgboxes.lua")

local function no_overlaps(what, svg)
  local ls = B.svg_labels(svg)
  local boxes = {}
  for i, l in ipairs(ls) do boxes[i] = B.corners(l) end
  -- no arrow passes through another segment's label
  local as = B.svg_arrows(svg)
  eq(#as, #ls, what .. ": an arrow per label")
  local cross = B.crossings(as, ls)
  local crossed = #cross
  for k = 1, math.min(3, crossed) do
    local i, j = cross[k][1], cross[k][2]
    print(string.format("%s: the arrow of segment %d crosses the label of segment %d:\n  %s", what, i, j, ls[j].text))
  end
  if crossed > 0 then
    print(string.format("%s: %d arrows cross labels (of %d labels)", what, crossed, #ls))
    failed = failed + 1
  end
  local bad = 0
  for i = 1, #ls do
    for j = i + 1, #ls do
      if B.overlap(boxes[i], boxes[j]) then
        bad = bad + 1
        if bad <= 3 then
          print(string.format("%s: labels %d and %d overlap:\n  %s\n  %s", what, i, j, ls[i].text, ls[j].text))
        end
      end
    end
  end
  if bad > 0 then
    print(string.format("%s: %d pairs of labels overlap (of %d labels)", what, bad, #ls))
    failed = failed + 1
  end
  return ls
end

-- Every segment drawn once with its label: each tooltip names a segment's
-- fields and send time, as rec:segments() has them.
local function content(what, rec, ls, opts)
  local want = {}
  local segs = rec:segments{connection = opts.connection, from = opts.from, to = opts.to}
  local isn = {}  -- each side's: the sequence number of its SYN
  for _, s in ipairs(segs) do
    if s.flags:find("SYN", 1, true) then isn[s.dir] = isn[s.dir] or s.seq end
  end
  for _, s in ipairs(segs) do
    local seq, ack = s.seq, s.ack
    if opts.relative then
      local mine, peer = isn[s.dir], isn[s.dir == "c>s" and "s>c" or "c>s"]
      seq, ack = (seq - mine) % (1 << 32), (ack - peer) % (1 << 32)
    end
    local l = s.flags .. " seq=" .. seq
    if s.flags:find("ACK", 1, true) then l = l .. " ack=" .. ack end
    if s.len > 0 then l = l .. " len=" .. s.len end
    l = l .. " win=" .. s.win
    local k = string.format("%s @%.3f", l, s.sent * 1000)
    want[k] = (want[k] or 0) + 1
  end
  local got = {}
  for _, lab in ipairs(ls) do
    local l, sent = lab.tip:match("^(.- win=%d+).*; sent at ([%d.]+) ms")
    check(l, "%s: a tooltip without fields: %q", what, lab.tip)
    local k = l:gsub("^old ", "") .. " @" .. sent
    got[k] = (got[k] or 0) + 1
    -- a label with no room for all of it along its arrow is shortened,
    -- marked with "~" (none at all on a stub the window cuts)
    local shown = lab.text:gsub("~$", "")
    local whole = lab.text:sub(1, #l) == l
    local short = (lab.text:sub(-1) == "~" or lab.text == "") and l:sub(1, #shown) == shown
    check(l:sub(1, 1) == "o" or whole or short, "%s: the label %q is not its segment's %q", what, lab.text, l)
  end
  for k, n in pairs(want) do eq(got[k], n, what .. ": segment " .. k .. " drawn") end
  for k, n in pairs(got) do eq(want[k], n, what .. ": drawn " .. k .. " is a segment") end
end

local function transfer(rate, both, loss)
  local sim = synack.simulator{seed = 5}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = rate, delay = "20ms", ab = loss and {loss = {"list", drop = loss}} or nil})
  local rec = sim:record()
  b:tcp{timers = "linux"}:listen(80, function(c)
    if both then c:send(30000) end
    c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end)
  end)
  sim:at(0, function()
    a:tcp{timers = "linux"}:connect(b, 80):on("established", function(c) c:send(30000); c:close() end)
  end)
  sim:run{stop = 30}
  return rec
end

local function ladder(what, rec, opts)
  local path = dir .. "/l.svg"
  rec:ladder(path, opts)
  local svg = T.read(path)
  local ls = no_overlaps(what, svg)
  content(what, rec, ls, opts or {})
  return ls
end

local ls = ladder("IW10 on a fast link", transfer("10Gbps"))
check(#ls > 40, "IW10: %d labels", #ls)
ladder("IW10 at 10 Mbps", transfer("10Mbps"))
ladder("both sides at once", transfer("10Gbps", true))
ladder("both sides at once, font 16", transfer("10Gbps", true), {font_size = 16})
ladder("losses and retransmissions", transfer("10Mbps", false, "4,5,6,12"))
ladder("a window cutting the arrows", transfer("10Gbps"), {from = 0.078, to = 0.095})
ladder("relative numbers", transfer("10Gbps", true), {relative = true})

-- A listener under a SYN flood from spoofed addresses: its SYN-ACKs and
-- their retransmissions, connection by connection.
do
  local sim = synack.simulator{seed = 3}
  local client, attacker, server, r = sim:node("client"), sim:node("attacker"), sim:node("server"), sim:node("r")
  for _, n in ipairs{client, attacker, server} do sim:duplex_link(n, r, {rate = "100Mbps", delay = "5ms"}) end
  local rec = sim:record()
  server:tcp{timers = "linux"}:listen(80, {backlog = 8})
  attacker:app{"synflood", target = server:address(), port = 80, rate = 2000, stop = 0.05}
  sim:at(0.01, function() client:tcp{timers = "linux"}:connect(server, 80) end)
  sim:run{stop = 20}
  local conns = rec:connections()
  check(#conns > 50, "the flood's connections: %d", #conns)
  for i = 1, #conns, 17 do ladder("SYN flood, connection " .. i, rec, {connection = i}) end
end

T.rmdir(dir)
eq(failed, 0, "drawings with overlapping or crossed labels")
print("ladder_layout: ok")
