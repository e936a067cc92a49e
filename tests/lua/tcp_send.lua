-- conn:send(n): every count that is not a whole number from 0 to
-- math.maxinteger is an error naming the argument and what is wrong; any
-- count up to math.maxinteger queues at once, in constant memory, and
-- sends as the windows allow.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails

local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "100Mbps", delay = "1ms"})
b:tcp():listen(80)
local ta = a:tcp()
local c = ta:connect(b, 80)
sim:run{stop = 0.1}
eq(c.state, "ESTABLISHED", "established")

-- 1. Bad counts: nothing is queued.
local bad = {
  {-1, "a byte count cannot be negative, got -1"},
  {math.mininteger, "a byte count cannot be negative"},
  {-0.5, "a byte count cannot be negative, got -0.5"},
  {1.5, "a byte count is a whole number, got 1.5"},
  {0 / 0, "a byte count cannot be NaN"},
  {1 / 0, "a byte count cannot be infinite"},
  {-1 / 0, "a byte count cannot be infinite"},
  {2 ^ 63, "a byte count is at most math.maxinteger"},
  {1e300, "a byte count is at most math.maxinteger"},
  {true, "a byte count (an integer) or a string expected, got boolean"},
  {{}, "a byte count (an integer) or a string expected, got table"},
}
for _, t in ipairs(bad) do
  fails("bad argument #1 to 'send' (" .. t[2], function() c:send(t[1]) end)
end
fails("bad argument #1 to 'send' (a byte count (an integer) or a string expected, got no value",
      function() c:send() end)
eq(c.stats.bytes_queued, 0, "bytes queued after the bad counts")

-- 2. A float with a whole value is a count.
c:send(2 ^ 10)
c:send(1e3)
eq(c.stats.bytes_queued, 2024, "bytes queued from whole floats")
sim:run{stop = 2}
eq(c.stats.bytes_acked, 2024, "bytes acknowledged")

-- 3. math.maxinteger bytes on a new connection: queued at once (a count,
-- not memory), sent as fast as the path allows, and the count is then
-- full: one more byte is an error that says so.
local c2 = ta:connect(b, 80)
sim:run{stop = 2.1}
eq(c2.state, "ESTABLISHED", "second connection established")
c2:send(math.maxinteger)
eq(c2.stats.bytes_queued, math.maxinteger, "bytes queued")
fails("bad argument", function() c2:send(-1) end)
local ok, err = pcall(c2.send, c2, 1)
check(not ok and tostring(err):find("past 2^63 - 1", 1, true),
      "one byte more than math.maxinteger: %s", tostring(err))
eq(c2.stats.bytes_queued, math.maxinteger, "bytes queued after the refused send")
sim:run{stop = 3.1}
local s = c2.stats
check(s.bytes_acked > 5000000, "bytes acknowledged in a second at 100 Mbps: %d", s.bytes_acked)
eq(s.bytes_queued, math.maxinteger, "bytes queued while sending")
fails("past 2^63 - 1", function() c2:send("tail") end)
