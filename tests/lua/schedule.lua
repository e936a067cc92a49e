-- Event ordering, time arguments, run limits, stop, counters, and the
-- equivalence of the scheduler plugins.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, show, fails = T.check, T.eq, T.show, T.fails

-- ----------------------------------------------------------- time order
do
  local sim = synack.simulator()
  local log = {}
  local function rec(tag) return function() log[#log + 1] = tag end end
  sim:at(5, rec("e"))
  sim:at(1, rec("a"))
  sim:at(3, rec("c"))
  sim:at(2, rec("b"))
  sim:at(4, rec("d"))
  eq(sim:pending(), 5, "pending before run")
  eq(sim:fired(), 0, "fired before run")
  eq(sim:run(), "empty", "run() result")
  eq(table.concat(log), "abcde", "events out of time order")
  eq(sim:pending(), 0, "pending after run")
  eq(sim:fired(), 5, "fired after run")
  eq(sim:now_ns(), 5000000000, "clock after the last event")
end

-- ------------------------------------------ ties: scheduling order wins
do
  local sim = synack.simulator()
  local log = {}
  local N = 200
  -- Many events at one time, scheduled in a scrambled interleaving with
  -- events at other times.
  for i = 1, N do
    sim:at(7, function() log[#log + 1] = "t7." .. i end)
    if i % 3 == 0 then sim:at(9, function() log[#log + 1] = "t9." .. i end) end
    if i % 5 == 0 then sim:at(2, function() log[#log + 1] = "t2." .. i end) end
  end
  sim:run()
  local want = {}
  for i = 1, N do if i % 5 == 0 then want[#want + 1] = "t2." .. i end end
  for i = 1, N do want[#want + 1] = "t7." .. i end
  for i = 1, N do if i % 3 == 0 then want[#want + 1] = "t9." .. i end end
  eq(#log, #want, "number of events run")
  eq(table.concat(log, " "), table.concat(want, " "), "tie order")
end

-- Events scheduled at the current time from inside a callback run after
-- the events already queued for that time, in the order scheduled.
do
  local sim = synack.simulator()
  local log = {}
  local function add(s) log[#log + 1] = s end
  sim:at(1, function()
    add("A")
    sim:at(1, function()
      add("A1")
      sim:after(0, function() add("A1a") end)
    end)
    sim:after(0, function() add("A2") end)
    sim:at("1s", function() add("A3") end)
  end)
  sim:at(1, function()
    add("B")
    sim:after(0, function() add("B1") end)
  end)
  sim:at(1, function() add("C") end)
  sim:at(2, function() add("D") end)
  sim:run()
  eq(table.concat(log, " "), "A B C A1 A2 A3 B1 A1a D",
     "same-time events scheduled from callbacks")
end

-- ------------------------------------- at (absolute) vs after (relative)
do
  local sim = synack.simulator()
  local seen = {}
  sim:at(10, function()
    eq(sim:now_ns(), 10000000000, "now_ns inside the event at 10 s")
    eq(sim:now(), 10.0, "now inside the event at 10 s")
    eq(math.type(sim:now_ns()), "integer", "now_ns type")
    eq(math.type(sim:now()), "float", "now type")
    sim:at(12, function() seen.abs = sim:now_ns() end)     -- absolute: 12 s
    sim:after(12, function() seen.rel = sim:now_ns() end)  -- relative: 22 s
    sim:after("250ms", function() seen.rel_ms = sim:now_ns() end)
    sim:at("10500ms", function() seen.abs_ms = sim:now_ns() end)
  end)
  sim:run()
  eq(seen.abs, 12000000000, "sim:at(12) from a callback at 10 s")
  eq(seen.rel, 22000000000, "sim:after(12) from a callback at 10 s")
  eq(seen.rel_ms, 10250000000, "sim:after(\"250ms\") from a callback at 10 s")
  eq(seen.abs_ms, 10500000000, "sim:at(\"10500ms\") from a callback at 10 s")
end

-- --------------------------------------------- time argument notations
do
  local sim = synack.simulator()
  local got = {}
  local cases = {
    { 2, 2000000000 },            -- integer seconds
    { 0, 0 },
    { 1.5, 1500000000 },          -- float seconds
    { 0.25, 250000000 },
    { 0.000001, 1000 },
    { "1ns", 1 },
    { "3us", 3000 },
    { "5ms", 5000000 },
    { "2s", 2000000000 },
    { "0.5s", 500000000 },
    { "1.5us", 1500 },
    { "7ns", 7 },
  }
  for i, c in ipairs(cases) do
    local h = sim:at(c[1], function() got[i] = sim:now_ns() end)
    eq(h:time(), c[2] / 1e9, "handle:time() for sim:at(" .. show(c[1]) .. ")")
  end
  sim:run()
  for i, c in ipairs(cases) do
    eq(got[i], c[2], "now_ns inside sim:at(" .. show(c[1]) .. ")")
  end

  -- now() is the nanosecond clock in seconds.
  local sim2 = synack.simulator()
  local f
  sim2:at("3us", function() f = { sim2:now(), sim2:now_ns() } end)
  sim2:run()
  eq(f[2], 3000, "now_ns at 3us")
  eq(f[1], 3e-6, "now at 3us")
end

-- --------------------------------------------------- run{stop = T}
do
  local sim = synack.simulator()
  local log = {}
  local function rec(tag) return function() log[#log + 1] = tag .. "@" .. sim:now_ns() end end
  sim:at(1, rec("a"))
  sim:at(3, rec("b"))       -- exactly at the limit: runs
  sim:at(3, rec("c"))
  sim:at("3000000001ns", rec("d"))
  sim:at(5, rec("e"))
  eq(sim:run{stop = 3}, "until", "run{stop=3} result")
  eq(table.concat(log, " "), "a@1000000000 b@3000000000 c@3000000000",
     "events run by run{stop=3}")
  eq(sim:now_ns(), 3000000000, "clock after run{stop=3}")
  eq(sim:pending(), 2, "pending after run{stop=3}")
  eq(sim:fired(), 3, "fired after run{stop=3}")

  -- The same limit again runs nothing and keeps the clock.
  eq(sim:run{stop = "3000000000ns"}, "until", "run{stop=3s} again")
  eq(sim:now_ns(), 3000000000, "clock after repeating run{stop=3s}")
  eq(sim:fired(), 3, "fired after repeating run{stop=3s}")
  -- A limit between events leaves the clock at the limit.
  eq(sim:run{stop = "4s"}, "until", "run{stop=4s} result")
  eq(sim:now_ns(), 4000000000, "clock left at a limit between events")
  eq(table.concat(log, " "),
     "a@1000000000 b@3000000000 c@3000000000 d@3000000001",
     "events run by run{stop=4s}")

  -- Positional limit too.
  eq(sim:run(4.5), "until", "run(4.5) result")
  eq(sim:now_ns(), 4500000000, "clock after run(4.5)")

  eq(sim:run(), "empty", "final run() result")
  eq(table.concat(log, " "),
     "a@1000000000 b@3000000000 c@3000000000 d@3000000001 e@5000000000",
     "all events after the final run()")
  eq(sim:now_ns(), 5000000000, "clock after the final run()")

  -- A finite limit past the last event: "empty", clock at the limit.
  sim:after(1, rec("f"))
  eq(sim:run{stop = 10}, "empty", "run{stop=10} with the queue emptied")
  eq(sim:now_ns(), 10000000000, "clock after run{stop=10} ran out of events")
  eq(sim:run(), "empty", "run() on an empty queue")
  eq(sim:now_ns(), 10000000000, "run() on an empty queue moves the clock")
end

-- -------------------------------------------------------------- stop
do
  local sim = synack.simulator()
  local log = {}
  for i = 1, 6 do
    sim:at(i, function()
      log[#log + 1] = i
      if i == 2 or i == 4 then sim:stop() end
    end)
  end
  sim:at(2, function() log[#log + 1] = "2b" end)  -- same time, after the stopper
  eq(sim:run(), "stopped", "first run() with sim:stop() at 2 s")
  eq(table.concat(log, " "), "1 2", "events before the stop")
  eq(sim:now_ns(), 2000000000, "clock after stopping at 2 s")
  eq(sim:pending(), 5, "pending after stopping at 2 s")
  eq(sim:run(), "stopped", "second run() with sim:stop() at 4 s")
  eq(table.concat(log, " "), "1 2 2b 3 4", "events before the second stop")
  eq(sim:run{stop = 5}, "until", "third run{stop=5}")
  eq(table.concat(log, " "), "1 2 2b 3 4 5", "events before the limit")
  eq(sim:run(), "empty", "last run()")
  eq(table.concat(log, " "), "1 2 2b 3 4 5 6", "all events")
  eq(sim:fired(), 7, "fired count")

  -- stop() outside a run does not end the next run early.
  local sim2 = synack.simulator()
  local n = 0
  sim2:at(1, function() n = n + 1 end)
  sim2:at(2, function() n = n + 1 end)
  sim2:stop()
  eq(sim2:run(), "empty", "run() after a stop() called outside a run")
  eq(n, 2, "events run after a stop() called outside a run")

  -- stop() in the last event still reports "stopped".
  local sim3 = synack.simulator()
  sim3:at(1, function() sim3:stop() end)
  eq(sim3:run(), "stopped", "stop() in the only event")
  eq(sim3:run(), "empty", "run() after that")
end

-- ------------------------------------------------- pending/fired counts
do
  local sim = synack.simulator()
  eq(sim:pending(), 0, "pending of a new simulator")
  eq(sim:fired(), 0, "fired of a new simulator")
  local hs = {}
  for i = 1, 10 do hs[i] = sim:at(i, function() end) end
  eq(sim:pending(), 10, "pending after 10 at()")
  hs[3]:cancel(); hs[7]:cancel()
  eq(sim:pending(), 8, "pending after 2 cancels")
  sim:run{stop = 5}
  eq(sim:fired(), 4, "fired by run{stop=5} (one cancelled)")
  eq(sim:pending(), 4, "pending after run{stop=5}")
  sim:run()
  eq(sim:fired(), 8, "fired in total")
  eq(sim:pending(), 0, "pending at the end")
end

-- ------------------------------------- schedulers agree on a random program
-- A program driven by sim:rng: events at random (often equal) times, events
-- that schedule further events (some at the current time), cancellations,
-- and runs in slices.  Returns the trace as a string.
local function program(spec, seed)
  local sim = synack.simulator{ seed = seed, scheduler = spec }
  local r = sim:rng("program")
  local trace = {}
  local handles = {}
  local nextid = 0
  local last_t, last_id = -1, -1
  local ok_order = true

  local schedule
  local function body(id)
    return function()
      local t = sim:now_ns()
      -- Within one time, ids (scheduling order) must increase.
      if t < last_t or (t == last_t and id < last_id) then ok_order = false end
      last_t, last_id = t, id
      trace[#trace + 1] = t .. ":" .. id
      local k = r:integer(0, 3)
      for _ = 1, k do
        if #trace < 6000 then schedule() end
      end
      if r:bernoulli(0.2) and #handles > 0 then
        local h = handles[r:integer(1, #handles)]
        trace[#trace + 1] = "x" .. tostring(h:cancel())
      end
    end
  end

  function schedule()
    nextid = nextid + 1
    local u = r:uniform()
    local h
    if u < 0.2 then
      h = sim:after(0, body(nextid))
    elseif u < 0.5 then
      h = sim:after(r:integer(1, 5) * 1000, body(nextid))     -- coarse: ties
    elseif u < 0.8 then
      h = sim:after(r:exponential(0.001), body(nextid))       -- float seconds
    elseif u < 0.95 then
      h = sim:after(r:integer(0, 100000000) .. "ns", body(nextid))  -- up to 0.1 s
    else
      h = sim:at(sim:now_ns() // 1000000000 + r:integer(1, 3), body(nextid))  -- whole seconds
    end
    handles[#handles + 1] = h
  end

  for _ = 1, 300 do schedule() end
  local ends = {}
  for step = 1, 40 do
    ends[#ends + 1] = sim:run{ stop = step * 0.05 }
    trace[#trace + 1] = "|" .. sim:now_ns()
  end
  ends[#ends + 1] = sim:run()
  trace[#trace + 1] = "end " .. table.concat(ends, ",") .. " fired=" .. sim:fired() ..
    " pending=" .. sim:pending() .. " now=" .. sim:now_ns()
  check(ok_order, "%s: events ran out of (time, scheduling) order", show(spec))
  check(sim:fired() > 1000, "%s: the random program fired only %d events",
        show(spec), sim:fired())
  eq(sim:pending(), 0, "pending at the end of the random program")
  return table.concat(trace, "\n"), sim:scheduler()
end

local specs = {
  { "heap", "heap" },
  { { "heap", arity = 2 }, "heap" },
  { { "heap", arity = 16, capacity = 1 }, "heap" },
  { "calendar", "calendar" },
  { { "calendar", buckets = 8 }, "calendar" },
  { { "calendar", buckets = 2, width = "1ns", resize = false }, "calendar" },
  { { name = "calendar", width = "10s" }, "calendar" },
}
for _, seed in ipairs({ 1, 42 }) do
  local ref = program("heap", seed)
  for _, s in ipairs(specs) do
    local name = type(s[1]) == "table" and (s[1][1] or s[1].name) or s[1]
    local ok, trace, used = pcall(program, s[1], seed)
    check(ok, "scheduler %s (seed %d) failed: %s", name, seed, tostring(trace))
    eq(used, s[2], "sim:scheduler() for " .. name)
    if trace ~= ref then
      -- Name the first line that differs.
      local i, a, b = 0, nil, nil
      local ia, ib = ref:gmatch("[^\n]+"), trace:gmatch("[^\n]+")
      repeat i = i + 1; a, b = ia(), ib() until a ~= b
      error(string.format("scheduler %s (seed %d): trace differs from heap at line %d: expected %s, got %s",
                          name, seed, i, show(a), show(b)))
    end
  end
end

-- Same seed, same output; different seeds differ.
do
  local a = program("heap", 7)
  local b = program("heap", 7)
  eq(b, a, "trace of seed 7 run twice")
  local c = program("heap", 8)
  check(a ~= c, "seeds 7 and 8 gave the same trace")
  local d = program("calendar", 8)
  eq(d, c, "calendar trace of seed 8")
end

print("schedule.lua: ok")
