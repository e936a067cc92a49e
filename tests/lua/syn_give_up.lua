-- When an active open to a peer that never answers gives up.  Under
-- `linux` (syn_retries_by_time) it is the earlier of two limits, as Linux's
-- tcp_write_timeout and retransmits_timed_out have it: the count
-- (syn_retries + syn_linear_timeouts retransmissions) and the time
-- syn_retries timeouts doubling from rto_initial take (tcp_model_timeout),
-- counted from the first SYN, once one retransmission went; a Linux 6.18
-- kernel gave up after 3.06 s with TCP_SYNCNT 1 and 7.13 s with 2
-- (tests/packetdrill/syn_give_up_time.pkt).  Under `rfc`, or with the
-- parameter off, the count alone.  The expected times are computed here
-- from the schedule, timeout by timeout.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check = T.check

-- The time n timeouts doubling from base take, each at most max, n + 1
-- of them (tcp_model_timeout's sum, without its closed form).
local function budget(n, base, max)
  local t, iv = 0, base
  for _ = 0, n do
    t = t + iv
    iv = math.min(2 * iv, max)
  end
  return t
end

-- The give-up time and SYNs sent: timeouts after the SYN sent at 0, the
-- first `linear` ones rto_initial long, then doubling (at most rto_max);
-- at each, give up once `count` retransmissions went, or (by_time) once
-- one went and the budget has passed since the first SYN.
local function give_up(p)
  local t, k, iv = 0, 0, p.rto_initial
  while true do
    t = t + iv
    if k >= p.retries + p.linear or
       (p.by_time and k > 0 and t >= budget(p.retries, p.rto_initial, p.rto_max) - 1e-9) then
      return t, k + 1
    end
    k = k + 1
    if k > p.linear then iv = math.min(2 * iv, p.rto_max) end
  end
end

-- A connect to a node that swallows every SYN.
local function run(timers)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "1ms"})
  local syns = 0
  b:on_receive("tcp", function(p)
    if p.flags == "S" then syns = syns + 1 end
  end)
  local o = {}
  local c = a:tcp{timers = timers}:connect(b, 80)
  c:on("closed", function(_, why) o.closed, o.why = sim:now(), why end)
  sim:run{stop = 10000}
  return o, syns
end

local function near(got, want, what)
  check(got and math.abs(got - want) < 1e-6, "%s: %s, expected %.9f", what, tostring(got), want)
end

-- The schedule model against Linux's numbers.
near(budget(1, 1, 120), 3, "the budget of 1")
near(budget(2, 1, 120), 7, "the budget of 2")
near(budget(8, 1, 120), 127 + 120 * 2, "the budget of 8")
near((give_up{retries = 1, linear = 4, rto_initial = 1, rto_max = 120, by_time = true}), 3,
     "TCP_SYNCNT 1 on Linux 6.18")
near((give_up{retries = 2, linear = 4, rto_initial = 1, rto_max = 120, by_time = true}), 7,
     "TCP_SYNCNT 2 on Linux 6.18")
near((give_up{retries = 6, linear = 4, rto_initial = 1, rto_max = 120, by_time = true}), 131,
     "the default, tcp_syn_retries 6")

local cases = {
  {"linux", {}, true},
  {"linux", {syn_retries = 0}, true},
  {"linux", {syn_retries = 1}, true},
  {"linux", {syn_retries = 2}, true},
  {"linux", {syn_retries = 3, rto_initial = "3s"}, true},
  {"linux", {syn_retries = 2, syn_linear_timeouts = 0}, true},
  {"linux", {syn_retries = 2, syn_retries_by_time = false}, false},
  {"rfc", {}, false},
  {"rfc", {syn_retries = 2, syn_retries_by_time = true, syn_linear_timeouts = 4}, true},
}
for _, cs in ipairs(cases) do
  local name, set, by_time = cs[1], cs[2], cs[3]
  local timers = {name}
  local desc = {}
  for k, v in pairs(set) do
    timers[k] = v
    desc[#desc + 1] = k .. "=" .. tostring(v)
  end
  table.sort(desc)
  local what = name .. " {" .. table.concat(desc, ", ") .. "}"
  local defaults = name == "linux" and {retries = 6, linear = 4, rto_initial = 1, rto_max = 120}
    or {retries = 7, linear = 0, rto_initial = 1, rto_max = 60}
  local p = {
    retries = set.syn_retries or defaults.retries,
    linear = set.syn_linear_timeouts or defaults.linear,
    rto_initial = set.rto_initial and tonumber(set.rto_initial:match("^(%d+)s$")) or defaults.rto_initial,
    rto_max = defaults.rto_max,
    by_time = by_time,
  }
  local want, want_syns = give_up(p)
  local o, syns = run(timers)
  near(o.closed, want, what .. ": gave up at")
  check(o.why == "timeout", "%s: closed by %s", what, tostring(o.why))
  check(syns == want_syns, "%s: %d SYNs, expected %d", what, syns, want_syns)
end
print("syn_give_up: ok")
