-- A data segment carrying SACK blocks carries that much less data, so the
-- packet stays within the peer's MSS + 40 bytes (RFC 9293 3.7.1: the
-- sender decreases its data by the option length): data flows both ways
-- over 1500-byte links, one direction loses segments, and the side that
-- receives holes sends SACK blocks on its own full-sized data.  No packet
-- may be dropped for its size, and both transfers complete.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local N = 3000000

local function both_ways(sm, timers, label)
  local sim = synack.simulator{seed = 3}
  local a, b = sim:node("a"), sim:node("b")
  local l = sim:duplex_link(a, b, {rate = "20Mbps", delay = "10ms", mtu = 1500,
    ab = {loss = {"bernoulli", p = 0.02}}})
  local got_a, got_b = 0, 0
  b:tcp{state_machine = sm, timers = timers}:listen(80, function(c)
    c:on("data", function(_, n) got_b = got_b + n end)
    c:send(N)
  end)
  local c = a:tcp{state_machine = sm, timers = timers}:connect(b, 80)
  c:on("established", function(conn) conn:send(N) end)
  c:on("data", function(_, n) got_a = got_a + n end)
  sim:run{stop = 300}
  local s = l:stats()
  local what = label .. "/" .. timers
  check(s.ab.drops.loss > 0, "%s: the a->b direction lost segments", what)
  eq(s.ab.drops.mtu, 0, what .. ": a->b packets dropped for their size")
  eq(s.ba.drops.mtu, 0, what .. ": b->a packets dropped for their size")
  eq(got_b, N, what .. ": bytes b received")
  eq(got_a, N, what .. ": bytes a received")
end

for _, timers in ipairs({"rfc", "linux"}) do
  both_ways(nil, timers, "timestamps")
  -- without timestamps, four SACK blocks (36 option bytes) fit
  both_ways({"rfc9293", timestamps = false}, timers, "no timestamps")
end
