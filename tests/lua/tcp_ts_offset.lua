-- The TS clock (RFC 7323 5.4) under the timer profiles' ts_offset: the rfc
-- profile sends milliseconds since the start of the run; the linux profile
-- adds an offset that is a keyed hash of the two addresses, as Linux's
-- tcp_timestamps = 1 (secure_tcp_ts_off): every connection between the
-- same two nodes shares it, the run seed decides it, and RTT samples from
-- echoed timestamps are unchanged by it.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

-- TSval of a TCP option string, or nil.
local function tsval(opts)
  local i = 1
  while i <= #opts do
    local kind = opts:byte(i)
    if kind == 0 then return nil end
    if kind == 1 then
      i = i + 1
    else
      local len = opts:byte(i + 1)
      if kind == 8 then return string.unpack(">I4", opts, i + 2) end
      i = i + len
    end
  end
end

-- The TSval of the first SYN of two connections from a to a silent b,
-- opened at 0 and at 2.5 s.
local function syns(timers, seed)
  local sim = synack.simulator{seed = seed}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "1ms"})
  local ta = a:tcp{timers = timers}
  local first = {}
  b:on_receive("tcp", function(p)
    if p.flags:find("S") and not first[p.sport] then
      first[p.sport] = tsval(p.options)
      first[#first + 1] = first[p.sport]
    end
  end)
  ta:connect(b, 80)
  sim:at(2.5, function() ta:connect(b, 80) end)
  sim:run{stop = 2.6}
  eq(#first, 2, "two SYNs seen")
  return first[1], first[2]
end

local r1, r2 = syns("rfc", 1)
eq(r1, 0, "rfc: the first SYN's TSval is the clock at 0")
eq(r2, 2500, "rfc: the second's, at 2.5 s")

local l1, l2 = syns("linux", 1)
check(l1 ~= 0, "linux: the first SYN's TSval is offset")
eq((l2 - l1) % 2^32, 2500, "linux: the second connection to the same peer shares the offset")
eq(select(1, syns("linux", 1)), l1, "linux: the same seed, the same offset")
local seen = {[l1] = true}
local n = 1
for seed = 2, 5 do
  local v = syns("linux", seed)
  if not seen[v] then seen[v] = true; n = n + 1 end
end
check(n >= 4, "linux: the offset follows the seed (%d distinct of 5)", n)
eq(select(1, syns({"linux", ts_offset = false}, 1)), 0, "linux without ts_offset: the clock")

-- RTT from the echoed timestamps: the same with and without the offset.
local function srtt(timers)
  local sim = synack.simulator{seed = 3}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms"})
  local ta, tb = a:tcp{timers = timers}, b:tcp{timers = timers}
  tb:listen(80, function() end)
  local c = ta:connect(b, 80)
  c:on("established", function(conn) conn:send(200000) end)
  sim:run{stop = 5}
  eq(c.stats.timestamps, true, "timestamps negotiated")
  return c:info().srtt
end
local with, without = srtt("linux"), srtt({"linux", ts_offset = false})
check(with > 0.019 and with < 0.05, "linux: SRTT %.6f s on a 20 ms path", with)
eq(with, without, "linux: SRTT with and without the offset")
