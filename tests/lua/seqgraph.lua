-- rec:seqgraph: the time-sequence graph of a transfer with losses and
-- SACK, checked against rec:segments(): every data segment drawn once,
-- the resent and lost ones marked, one SACK bar per block; rec:segments'
-- option fields; errors.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails

local function run()
  local sim = synack.simulator{seed = 3}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "20ms", ab = {loss = {"list", drop = "8,9,20"}}})
  local rec = sim:record()
  b:tcp{timers = "linux", isn = {"fixed", value = 4294000000}}:listen(80)
  local conn
  sim:at(0, function()
    conn = a:tcp{timers = "linux", isn = {"fixed", value = 4294967000}}:connect(b, 80)
    conn:on("established", function(c) c:send(200000) end)
  end)
  sim:run{stop = 5}
  return sim, rec, conn
end
local sim, rec, conn = run()
local dir = T.tmpdir()
local read = T.read

-- rec:segments carries the options a reader needs.
local segs = rec:segments()
eq(segs[1].mss, 1460, "the SYN's MSS")
check(segs[1].wscale and segs[2].wscale, "window scale on both SYNs")
check(segs[1].tsval, "timestamps")
local want = {segments = 0, retransmissions = 0, lost = 0, acks = 0, sacks = 0}
local high
for _, s in ipairs(segs) do
  if s.dir == "c>s" then
    local n = s.len + (s.flags:find("SYN") and 1 or 0) + (s.flags:find("FIN") and 1 or 0)
    local lo = (s.seq - 4294967000) % (1 << 32)  -- the ISN is just below 2^32: relative numbers wrap
    if n > 0 then
      want.segments = want.segments + 1
      if high and lo < high then want.retransmissions = want.retransmissions + 1 end
      high = math.max(high or 0, lo + n)
      if s.dropped then want.lost = want.lost + 1 end
    end
  elseif s.arrived and s.flags:find("ACK") then
    want.acks = want.acks + 1
    for _, b in ipairs(s.sack or {}) do
      want.sacks = want.sacks + 1
      check((b[1] - s.ack) % (1 << 32) < (1 << 31) and (b[2] - b[1]) % (1 << 32) > 0,
            "a SACK block above the ACK: ack %d, block %d-%d", s.ack, b[1], b[2])
    end
  end
end
check(want.lost == 3 and want.sacks > 0 and want.retransmissions >= 3, "the run has losses and SACK: lost %d, sacks %d",
      want.lost, want.sacks)

-- The graph draws each of them once.
local path = dir .. "/seq.svg"
local got = rec:seqgraph(path, {connection = conn})
for k, v in pairs(want) do eq(got[k], v, "seqgraph's count of " .. k) end
local svg = read(path)
local function count(pat) return select(2, svg:gsub(pat, "")) end
eq(count('stroke="#0072B2" stroke%-width="1.5"/>'), want.segments - want.retransmissions, "new data bars")
eq(count('stroke="#D55E00" stroke%-width="1.5"/>'), want.retransmissions, "resent bars")
eq(count('<path d="M[^"]*" stroke="#CC0000" stroke%-width="2"/>'), want.lost, "lost marks")
eq(count('stroke="#CC79A7" stroke%-width="3"/>'), want.sacks, "SACK bars")
check(svg:find(">200k</text>", 1, true), "relative numbers in k:\n%s", svg)
-- wrapped past 2^32: relative numbers run on (no bar from the top to 0)
for y0, y1 in svg:gmatch('<path d="M[%d.]+,([%d.]+) V([%d.]+) ') do
  check(tonumber(y0) - tonumber(y1) < 20, "a data bar %s..%s spans more than a segment", y0, y1)
end
-- the same run, the same bytes
local _, rec2 = run()
rec2:seqgraph(dir .. "/again.svg")
eq(read(dir .. "/again.svg"), svg, "deterministic")

-- Absolute numbers, a time window, the other side.
rec:seqgraph(path, {relative = false, title = "absolute"})
svg = read(path)
check(svg:find(">absolute</text>", 1, true) and svg:find(">4295150k</text>", 1, true), "absolute numbers, unwrapped past 2^32:\n%s", svg)
local part = rec:seqgraph(path, {from = 0.1, to = "200ms"})
check(part.segments > 0 and part.segments < want.segments, "a window draws part: %d of %d", part.segments, want.segments)
local srv = rec:seqgraph(path, {side = "server", window = false})
eq(srv.segments, 1, "the server sent only its SYN-ACK with sequence space")
check(not read(path):find(">window</text>", 1, true), "window = false leaves the window out")

-- Errors name what is wrong.
fails("seqgraph: unknown option 'colour'", function() rec:seqgraph(path, {colour = 1}) end)
fails("seqgraph: option 'side': \"client\" or \"server\", got both", function() rec:seqgraph(path, {side = "both"}) end)
fails("seqgraph: the window ends (to) before it starts (from)", function() rec:seqgraph(path, {from = 2, to = 1}) end)
fails("seqgraph: nothing of the client's data in this time window", function() rec:seqgraph(path, {from = 4, to = 4.5}) end)
fails("seqgraph: no connection 7: the recorder has 1", function() rec:seqgraph(path, {connection = 7}) end)
fails("seqgraph: cannot write /nonexistent-dir/x.svg", function() rec:seqgraph("/nonexistent-dir/x.svg") end)
fails("seqgraph: the path must be a string", function() rec:seqgraph() end)
sim:close()
fails("closed", function() rec:seqgraph(path) end)
T.rmdir(dir)
print("seqgraph: ok")
