-- Every size or count parameter of the schedulers, queues and loss models
-- has a maximum that can be allocated: a value beyond it is refused with
-- the script line, the plugin, the parameter and the maximum, and so is a
-- number too large for an integer at all.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, fails = T.check, T.fails

local function sim_with(sched)
  return synack.simulator{scheduler = sched}
end

fails("scheduler/calendar: parameter 'buckets': value 1000000000000000 is above the maximum 16777216",
      sim_with, {"calendar", buckets = 1e15})
fails("parameter 'buckets': value 33554432 is above the maximum 16777216",
      sim_with, {"calendar", buckets = 2^25})
fails("parameter 'buckets': integer 1e+300 is out of range",
      sim_with, {"calendar", buckets = 1e300})
fails("parameter 'buckets': value 9223372036854775807 is above the maximum",
      sim_with, {"calendar", buckets = math.maxinteger})
fails("scheduler/heap: parameter 'capacity': value 16777217 is above the maximum 16777216",
      sim_with, {"heap", capacity = 16777217})
fails("scheduler/ladder: parameter 'threshold': value 100001 is above the maximum 100000",
      sim_with, {"ladder", threshold = 100001})
fails("scheduler/ladder: parameter 'rungs': value 65 is above the maximum 64",
      sim_with, {"ladder", rungs = 65})

-- The message names the line of the call.
do
  local line = debug.getinfo(1, "l").currentline + 1
  local ok, e = pcall(synack.simulator, {scheduler = {"calendar", buckets = 1e15}})
  check(not ok and tostring(e):find("plugin_limits.lua:" .. line .. ":", 1, true),
        "no script line in %q", tostring(e))
end

local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
local function link(opts)
  opts.rate, opts.delay = 1e6, 0
  return sim:duplex_link(a, b, opts)
end

fails("queue/droptail: parameter 'limit': value 10000001 is above the maximum 10000000",
      link, {queue = {"droptail", limit = 10000001}})
fails("queue/droptail: parameter 'limit': integer 1e+300 is out of range",
      link, {queue = {"droptail", limit = 1e300}})
fails("queue/droptail: parameter 'bytes': value 1099511627777B is above the maximum 1024GiB",
      link, {queue = {"droptail", bytes = 2^40 + 1}})
fails("queue/droptail: parameter 'bytes': bad size 1e+300: too large",
      link, {queue = {"droptail", bytes = 1e300}})
fails("queue/red: parameter 'limit': value 10000001 is above the maximum 10000000",
      link, {queue = {"red", limit = 10000001}})
fails("queue/red: parameter 'max_th': value 10000001 is above the maximum",
      link, {queue = {"red", max_th = 10000001}})
fails("queue/red: parameter 'mean_pktsize': value 65537B is above the maximum 64KiB",
      link, {queue = {"red", mean_pktsize = 65537}})
fails("loss/list: parameter 'drop': 1000001 items, more than the 1000000 allowed",
      link, {loss = {"list", drop = string.rep("1,", 1000000) .. "2"}})

-- The maxima themselves are accepted (none of these allocates by size).
link{queue = {"droptail", limit = 10000000, bytes = "1024GiB"}}
link{queue = {"red", limit = 10000000, max_th = 10000000, mean_pktsize = "64KiB"}}
link{loss = {"list", drop = string.rep("1,", 999999) .. "2"}}
