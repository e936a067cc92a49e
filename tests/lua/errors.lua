-- Errors: in callbacks, bad arguments, bad options, misuse of a simulator.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, show, fails = T.check, T.eq, T.show, T.fails

local SELF = debug.getinfo(1, "S").short_src

local function has(msg, want, what)
  if not tostring(msg):find(want, 1, true) then
    error(string.format("%s: expected the message to contain %s, got %s", what,
                        show(want), show(tostring(msg))), 2)
  end
end

local function count(s, sub)
  local n, i = 0, 1
  while true do
    local a, b = s:find(sub, i, true)
    if not a then return n end
    n, i = n + 1, b + 1
  end
end

-- Runs f expecting an error; returns the error value.
local function raises(f, what)
  local ok, e = pcall(f)
  check(not ok, "%s: expected an error, got none", what)
  return e
end

-- ---------------------------------------------------- error in a callback
do
  local sim = synack.simulator()
  local log = {}
  local fail_line
  sim:at(1, function() log[#log + 1] = "a" end)
  sim:at(3, function()
    log[#log + 1] = "b"
    sim:after(1, function() log[#log + 1] = "scheduled-by-b" end)
    fail_line = debug.getinfo(1, "l").currentline + 1
    error("boom in b")
  end)
  sim:at(3, function() log[#log + 1] = "c" end)    -- same time, after the failure
  sim:at(5, function() log[#log + 1] = "d" end)
  local run_line = debug.getinfo(1, "l").currentline + 1
  local ok, e = pcall(function() return sim:run() end)
  eq(ok, false, "run() with a failing callback")
  local s = tostring(e)
  has(s, "virtual time 3.000000000 s", "callback error")
  has(s, "boom in b", "callback error")
  has(s, SELF .. ":" .. fail_line .. ": boom in b", "callback error (file:line of the error call)")
  has(s, "stack traceback", "callback error")
  has(s, SELF .. ":" .. run_line, "callback error traceback (the sim:run call)")
  eq(count(s, "stack traceback"), 1, "number of tracebacks in the callback error")
  eq(type(e), "table", "type of the callback error object")
  eq(e.message, s, "error object's message field vs tostring")
  eq(e.time_ns, 3000000000, "error object's time_ns")

  -- The simulator is usable afterwards.
  eq(table.concat(log, " "), "a b", "events run before the failure stopped the run")
  eq(sim:now_ns(), 3000000000, "clock after the failure")
  eq(sim:fired(), 2, "fired after the failure")
  eq(sim:pending(), 3, "pending after the failure (c, scheduled-by-b, d)")
  eq(sim:run(), "empty", "run() after the failure")
  eq(table.concat(log, " "), "a b c scheduled-by-b d", "events after the failure")
  eq(sim:fired(), 5, "fired at the end")
end

-- Errors of other shapes inside callbacks.
do
  local sim = synack.simulator()
  sim:at("2500ms", function() error({ code = 7 }) end)
  local e = raises(function() sim:run() end, "error with a table value")
  has(e, "virtual time 2.500000000 s", "table-valued callback error")
  has(e, "table value", "table-valued callback error")

  sim:at(3, function() error(setmetatable({}, { __tostring = function() return "custom object" end })) end)
  e = raises(function() sim:run() end, "error with a __tostring object")
  has(e, "virtual time 3.000000000 s", "__tostring callback error")
  has(e, "custom object", "__tostring callback error")

  sim:at(4, function() error("no position", 0) end)
  e = raises(function() sim:run() end, "error(msg, 0)")
  has(e, "virtual time 4.000000000 s: no position", "level-0 callback error")

  sim:at(5, function() local x = nil; return x.field end)
  e = raises(function() sim:run() end, "runtime error in a callback")
  has(e, "virtual time 5.000000000 s", "runtime error in a callback")
  has(e, "attempt to index", "runtime error in a callback")

  -- An error in an event scheduled by an event.
  sim:at(6, function() sim:after("1ms", function() error("nested") end) end)
  e = raises(function() sim:run() end, "error in a nested event")
  has(e, "virtual time 6.001000000 s", "nested callback error")
  has(e, "nested", "nested callback error")
  eq(sim:pending(), 0, "pending after the errors")
  eq(sim:run(), "empty", "run() after all the errors")

  -- An error caught inside the callback does not stop the run.
  local n = 0
  sim:at(7, function() pcall(error, "caught"); n = n + 1 end)
  sim:at(8, function() n = n + 1 end)
  eq(sim:run(), "empty", "run() with an error caught inside a callback")
  eq(n, 2, "events run with an error caught inside a callback")
end

-- ------------------------------------------------ scheduling errors
do
  local sim = synack.simulator()
  sim:at(5, function() end)
  sim:run()
  local fn = function() end
  local e = raises(function() sim:at(4, fn) end, "sim:at in the past")
  has(e, "before the current time", "sim:at in the past")
  e = raises(function() sim:at("4999999999ns", fn) end, "sim:at 1 ns in the past")
  has(e, "before the current time", "sim:at 1 ns in the past")
  e = raises(function() sim:at(0, fn) end, "sim:at(0) at 5 s")
  has(e, "before the current time", "sim:at(0) at 5 s")
  eq(sim:pending(), 0, "pending after refused sim:at")
  -- Exactly now is fine.
  local ran = false
  sim:at(5, function() ran = true end)
  sim:run()
  eq(ran, true, "sim:at(now) ran")

  -- Inside a callback too.
  sim:at(6, function()
    local ok, m = pcall(sim.at, sim, 5.5, fn)
    eq(ok, false, "sim:at(5.5) from a callback at 6 s")
    has(m, "before the current time", "sim:at(5.5) from a callback at 6 s")
  end)
  sim:run()

  e = raises(function() sim:after(-1, fn) end, "sim:after(-1)")
  has(e, "negative", "sim:after(-1)")
  has(e, "bad argument #1 to 'after'", "sim:after(-1)")
  e = raises(function() sim:after(-0.001, fn) end, "sim:after(-0.001)")
  has(e, "negative", "sim:after(-0.001)")
  e = raises(function() sim:after("-1ms", fn) end, "sim:after(\"-1ms\")")
  has(e, "negative", "sim:after(\"-1ms\")")
  e = raises(function() sim:at(-1, fn) end, "sim:at(-1)")
  has(e, "negative", "sim:at(-1)")

  e = raises(function() sim:at(10, 42) end, "sim:at with a number callback")
  has(e, "bad argument #2 to 'at'", "sim:at with a number callback")
  has(e, "function expected", "sim:at with a number callback")
  e = raises(function() sim:after(1, "f") end, "sim:after with a string callback")
  has(e, "function expected", "sim:after with a string callback")
  e = raises(function() sim:after(1) end, "sim:after without a callback")
  has(e, "function expected", "sim:after without a callback")
  e = raises(function() sim:at(1e30, fn) end, "sim:at(1e30)")
  has(e, "too large", "sim:at(1e30)")
  e = raises(function() sim:after(math.maxinteger // 1000000000, fn) end, "sim:after past the end of time")
  has(e, "end of time", "sim:after past the end of time")
  eq(sim:pending(), 0, "pending after refused schedules")
end

-- ---------------------------------------------- simulator options
do
  local line = debug.getinfo(1, "l").currentline + 1
  local e = raises(function() return synack.simulator{ sed = 1 } end, "simulator{sed=1}")
  has(e, "'sed'", "simulator{sed=1}")
  has(e, "seed", "simulator{sed=1} lists the known options")
  has(e, "scheduler", "simulator{sed=1} lists the known options")
  has(e, SELF .. ":" .. line, "simulator{sed=1} location")

  e = raises(function() return synack.simulator{ seed = 1.5 } end, "simulator{seed=1.5}")
  has(e, "seed must be an integer", "simulator{seed=1.5}")
  e = raises(function() return synack.simulator{ seed = "7" } end, "simulator{seed=\"7\"}")
  has(e, "seed must be an integer", "simulator{seed=\"7\"}")
  e = raises(function() return synack.simulator(5) end, "simulator(5)")
  has(e, "table expected", "simulator(5)")
  e = raises(function() return synack.simulator{ scheduler = 5 } end, "simulator{scheduler=5}")
  has(e, "scheduler", "simulator{scheduler=5}")

  line = debug.getinfo(1, "l").currentline + 1
  e = raises(function() return synack.simulator{ scheduler = "nope" } end, "scheduler nope")
  has(e, "'nope'", "unknown scheduler")
  has(e, "available: calendar, heap", "unknown scheduler lists the available ones")
  has(e, SELF .. ":" .. line, "unknown scheduler location")

  e = raises(function() return synack.simulator{ scheduler = "../heap" } end, "scheduler ../heap")
  has(e, "../heap", "bad scheduler name")

  e = raises(function() return synack.simulator{ scheduler = { 42 } } end, "scheduler {42}")
  has(e, "name must be a string", "scheduler {42}")

  line = debug.getinfo(1, "l").currentline + 1
  e = raises(function() return synack.simulator{ scheduler = { "heap", arty = 2 } } end, "heap arty=2")
  has(e, "'arty'", "unknown scheduler parameter")
  has(e, "scheduler/heap", "unknown scheduler parameter")
  has(e, "arity", "unknown scheduler parameter lists the known ones")
  has(e, SELF .. ":" .. line, "unknown scheduler parameter location")

  line = debug.getinfo(1, "l").currentline + 1
  e = raises(function() return synack.simulator{ scheduler = { "calendar", bukets = 8 } } end, "calendar bukets=8")
  has(e, "'bukets'", "unknown calendar parameter")
  has(e, "scheduler/calendar", "unknown calendar parameter")
  has(e, SELF .. ":" .. line, "unknown calendar parameter location")

  e = raises(function() return synack.simulator{ scheduler = { "heap", arity = 1 } } end, "heap arity=1")
  has(e, "'arity'", "heap arity=1")
  has(e, "scheduler/heap", "heap arity=1")
  has(e, "below the minimum 2", "heap arity=1")
  e = raises(function() return synack.simulator{ scheduler = { "heap", arity = 17 } } end, "heap arity=17")
  has(e, "above the maximum 16", "heap arity=17")
  e = raises(function() return synack.simulator{ scheduler = { "heap", arity = 2.5 } } end, "heap arity=2.5")
  has(e, "integer", "heap arity=2.5")
  e = raises(function() return synack.simulator{ scheduler = { "heap", arity = {} } } end, "heap arity={}")
  has(e, "'arity'", "heap arity={}")
  e = raises(function() return synack.simulator{ scheduler = { "calendar", width = "1 ms" } } end, "calendar width=\"1 ms\"")
  has(e, "'width'", "calendar width=\"1 ms\"")
  has(e, "\"1 ms\"", "calendar width=\"1 ms\"")
  e = raises(function() return synack.simulator{ scheduler = { "calendar", resize = "maybe" } } end, "calendar resize=maybe")
  has(e, "'resize'", "calendar resize=maybe")

  -- Accepted forms.
  eq(synack.simulator{ scheduler = { "heap", arity = 2 } }:scheduler(), "heap", "{\"heap\", arity=2}")
  eq(synack.simulator{ scheduler = { name = "calendar" } }:scheduler(), "calendar", "{name=\"calendar\"}")
  eq(synack.simulator{ scheduler = { threshold = 3 } }:scheduler(), "ladder", "{threshold=3} uses the default plugin")
  eq(synack.simulator{ scheduler = { "calendar", width = 0.001, resize = "no" } }:scheduler(), "calendar", "calendar width=0.001")
  eq(synack.simulator{}:scheduler(), "ladder", "default scheduler")
  eq(synack.simulator():seed(), 1, "default seed from tests/test.conf")
  eq(synack.simulator{ seed = 99 }:seed(), 99, "seed option")
end

-- ------------------------------------------------ run() misuse
do
  local sim = synack.simulator()
  local r
  sim:at(1, function() r = { pcall(sim.run, sim) } end)
  sim:at(2, function() end)
  eq(sim:run(), "empty", "outer run() after a nested run() was refused")
  eq(r[1], false, "nested sim:run() from a callback")
  has(r[2], "from inside an event", "nested sim:run() from a callback")
  eq(sim:fired(), 2, "fired after a refused nested run")

  -- Uncaught, it becomes the callback's error.
  sim:at(3, function() sim:run() end)
  local e = raises(function() sim:run() end, "uncaught nested run")
  has(e, "from inside an event", "uncaught nested run")
  has(e, "virtual time 3.000000000 s", "uncaught nested run")

  -- close() from inside a callback is refused.
  sim:at(4, function() r = { pcall(sim.close, sim) } end)
  sim:run()
  eq(r[1], false, "sim:close() from a callback")
  has(r[2], "while it runs", "sim:close() from a callback")
  eq(sim:now_ns(), 4000000000, "simulator usable after a refused close")

  -- Another simulator may run inside a callback.
  local inner = synack.simulator()
  local n = 0
  inner:at(1, function() n = n + 1 end)
  sim:at(5, function() inner:run() end)
  sim:run()
  eq(n, 1, "events of another simulator run from a callback")

  local e2 = raises(function() sim:run{ stopp = 3 } end, "run{stopp=3}")
  has(e2, "'stopp'", "run{stopp=3}")
  has(e2, "stop", "run{stopp=3} lists the known options")
end

-- ------------------------------------------------ closed simulators
do
  local sim = synack.simulator()
  local h = sim:at(1, function() end)
  local g = sim:rng("x")
  sim:close()
  eq(tostring(sim), "synack.simulator (closed)", "tostring of a closed simulator")
  for _, m in ipairs({ "now", "now_ns", "run", "stop", "seed", "pending", "fired", "scheduler" }) do
    local e = raises(function() return sim[m](sim) end, "sim:" .. m .. "() when closed")
    has(e, "closed", "sim:" .. m .. "() when closed")
  end
  local e = raises(function() return sim:at(2, function() end) end, "sim:at when closed")
  has(e, "closed", "sim:at when closed")
  e = raises(function() return sim:after(2, function() end) end, "sim:after when closed")
  has(e, "closed", "sim:after when closed")
  e = raises(function() return sim:rng("y") end, "sim:rng when closed")
  has(e, "closed", "sim:rng when closed")
  -- Handles of a closed simulator are inert; streams stay usable.
  eq(h:cancel(), false, "cancel() of a handle of a closed simulator")
  eq(h:pending(), false, "pending() of a handle of a closed simulator")
  eq(h:time(), nil, "time() of a handle of a closed simulator")
  check(g:uniform() >= 0, "rng of a closed simulator")
  sim:close()   -- twice is harmless
  eq(tostring(sim), "synack.simulator (closed)", "tostring after closing twice")

  -- A to-be-closed variable closes it.
  local kept
  do
    local s2 <close> = synack.simulator()
    kept = s2
    s2:at(1, function() end)
  end
  e = raises(function() return kept:now() end, "a <close> simulator after its block")
  has(e, "closed", "a <close> simulator after its block")

  -- Closing after a failed run works too.
  local s3 = synack.simulator()
  s3:at(1, function() error("x") end)
  raises(function() s3:run() end, "failing run before close")
  s3:close()
  e = raises(function() return s3:pending() end, "closed after a failing run")
  has(e, "closed", "closed after a failing run")
end

-- Last, so that the checks above run first: messages name the location
-- once, not twice ("f.lua:3: f.lua:3: scheduler/heap: ...").
do
  local e = raises(function() return synack.simulator{ scheduler = { "heap", arty = 2 } } end, "heap arty=2")
  local loc = tostring(e):match("^[^:]+:%d+:")
  check(loc and count(tostring(e), loc) == 1,
        "unknown scheduler parameter: expected the location once, got %s", show(tostring(e)))
  e = raises(function() return synack.simulator{ scheduler = "nope" } end, "scheduler nope")
  loc = tostring(e):match("^[^:]+:%d+:")
  check(loc and count(tostring(e), loc) == 1,
        "unknown scheduler: expected the location once, got %s", show(tostring(e)))
end

print("errors.lua: ok")
