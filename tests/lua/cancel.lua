-- Event handles: cancel, pending, time; cancellation in bulk.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, show, fails = T.check, T.eq, T.show, T.fails

local SCHEDULERS = { "heap", "calendar", { "calendar", buckets = 8 }, { "heap", arity = 2 } }

local function label(spec)
  if type(spec) == "string" then return spec end
  local s = {}
  for k, v in pairs(spec) do
    if type(k) == "string" then s[#s + 1] = k .. "=" .. tostring(v) end
  end
  table.sort(s)
  return spec[1] .. (#s > 0 and "{" .. table.concat(s, ",") .. "}" or "")
end

for _, spec in ipairs(SCHEDULERS) do
  local L = label(spec) .. ": "

  -- cancel: true once, then false; the callback never runs.
  do
    local sim = synack.simulator{ scheduler = spec }
    local ran = false
    local h = sim:at(1, function() ran = true end)
    eq(h:pending(), true, L .. "pending() of a new event")
    eq(h:time(), 1.0, L .. "time() of a new event")
    eq(sim:pending(), 1, L .. "sim:pending() before cancel")
    eq(h:cancel(), true, L .. "first cancel()")
    eq(h:cancel(), false, L .. "second cancel()")
    eq(h:pending(), false, L .. "pending() after cancel")
    eq(h:time(), nil, L .. "time() after cancel")
    eq(sim:pending(), 0, L .. "sim:pending() after cancel")
    eq(sim:run(), "empty", L .. "run() with only a cancelled event")
    eq(ran, false, L .. "cancelled callback ran")
    eq(sim:fired(), 0, L .. "fired with only a cancelled event")
    eq(h:cancel(), false, L .. "cancel() after the run")
  end

  -- Cancelling a fired event returns false and changes nothing.
  do
    local sim = synack.simulator{ scheduler = spec }
    local log = {}
    local h1 = sim:at(1, function() log[#log + 1] = "a" end)
    sim:at(2, function() log[#log + 1] = "b" end)
    sim:run{ stop = 1 }
    eq(h1:pending(), false, L .. "pending() of a fired event")
    eq(h1:time(), nil, L .. "time() of a fired event")
    eq(h1:cancel(), false, L .. "cancel() of a fired event")
    -- The fired event's slot is reused by a new event; the old handle must
    -- not name it.
    local h3 = sim:at(3, function() log[#log + 1] = "c" end)
    eq(h1:cancel(), false, L .. "cancel() of a fired event after its slot was reused")
    eq(h3:pending(), true, L .. "new event pending after the stale cancel")
    eq(sim:pending(), 2, L .. "sim:pending() after the stale cancel")
    sim:run()
    eq(table.concat(log), "abc", L .. "events after cancelling a fired event")
  end

  -- An event cancelling itself while it runs: false, harmless.
  do
    local sim = synack.simulator{ scheduler = spec }
    local h, r
    h = sim:at(1, function()
      r = { h:pending(), h:cancel(), h:time() }
    end)
    sim:at(1, function() r[4] = "next" end)
    sim:run()
    eq(r[1], false, L .. "pending() of the running event")
    eq(r[2], false, L .. "cancel() of the running event")
    eq(r[3], nil, L .. "time() of the running event")
    eq(r[4], "next", L .. "event after a self-cancel")
  end

  -- Cancel the front, a middle, the back and the only event.
  for _, which in ipairs({ 1, 3, 5 }) do
    local sim = synack.simulator{ scheduler = spec }
    local log, hs = {}, {}
    for i = 1, 5 do
      hs[i] = sim:at(i, function() log[#log + 1] = i end)
    end
    eq(hs[which]:cancel(), true, L .. "cancel event " .. which .. " of 5")
    sim:run()
    local want = {}
    for i = 1, 5 do if i ~= which then want[#want + 1] = i end end
    eq(table.concat(log, " "), table.concat(want, " "),
       L .. "order after cancelling event " .. which .. " of 5")
  end
  do
    local sim = synack.simulator{ scheduler = spec }
    local ran = 0
    -- Ties: cancel the front, middle and back of a group at one time.
    local log, hs = {}, {}
    for i = 1, 7 do hs[i] = sim:at("2ms", function() log[#log + 1] = i end) end
    hs[1]:cancel(); hs[4]:cancel(); hs[7]:cancel()
    sim:run()
    eq(table.concat(log, " "), "2 3 5 6", L .. "same-time events after cancels")
    local only = sim:after(1, function() ran = ran + 1 end)
    eq(only:cancel(), true, L .. "cancel the only event")
    eq(sim:run(), "empty", L .. "run() after cancelling the only event")
    eq(ran, 0, L .. "the only event ran after being cancelled")
    eq(sim:now_ns(), 2000000, L .. "clock after cancelling the only event")
  end

  -- Cancel from inside another callback at the same time.
  do
    local sim = synack.simulator{ scheduler = spec }
    local log = {}
    local hb, hd, r
    sim:at(4, function()
      log[#log + 1] = "a"
      r = { hb:cancel(), hb:cancel(), hd:pending(), hd:time() }
    end)
    hb = sim:at(4, function() log[#log + 1] = "b" end)
    sim:at(4, function() log[#log + 1] = "c" end)
    hd = sim:at(6, function() log[#log + 1] = "d" end)
    sim:run()
    eq(table.concat(log), "acd", L .. "events after a same-time cancel")
    eq(r[1], true, L .. "cancel of a same-time event from a callback")
    eq(r[2], false, L .. "second cancel of it")
    eq(r[3], true, L .. "pending() of a later event from a callback")
    eq(r[4], 6.0, L .. "time() of a later event from a callback")
    eq(sim:fired(), 3, L .. "fired after a same-time cancel")
  end

  -- handle:time() for several notations; pending() flips when it fires.
  do
    local sim = synack.simulator{ scheduler = spec }
    local h1 = sim:at("1500ms", function() end)
    local h2 = sim:after(0.25, function() end)
    local h3 = sim:at("7ns", function() end)
    eq(h1:time(), 1.5, L .. "time() of at(\"1500ms\")")
    eq(h2:time(), 0.25, L .. "time() of after(0.25)")
    eq(h3:time(), 7e-9, L .. "time() of at(\"7ns\")")
    sim:run{ stop = 1 }
    eq(h3:pending(), false, L .. "pending() after firing at 7ns")
    eq(h2:pending(), false, L .. "pending() after firing at 0.25 s")
    eq(h1:pending(), true, L .. "pending() of the event at 1.5 s at 1 s")
    local h4
    sim:at(1.2, function() h4 = sim:after("300ms", function() end) end)
    sim:run{ stop = 1.2 }
    eq(h4:time(), 1.5, L .. "time() of after(300ms) scheduled at 1.2 s")
    sim:run()
    eq(h1:pending() or h4:pending(), false, L .. "pending() at the end")
  end

  -- Cancelling many events (enough to compact the queue) keeps the order.
  do
    local sim = synack.simulator{ scheduler = spec }
    local r = sim:rng("cancel")
    local N = 6000
    local hs, times, log = {}, {}, {}
    for i = 1, N do
      local t = r:integer(1, 500)     -- microseconds: many ties
      times[i] = t * 1000
      hs[i] = sim:at(t .. "us", function() log[#log + 1] = i end)
    end
    -- Cancel most of them, in a scrambled order (4099 is prime to N).
    local cancelled, ncancel = {}, 0
    for i = 1, N do
      if i % 7 ~= 0 then
        local j = (i * 4099) % N + 1
        local again = cancelled[j]
        eq(hs[j]:cancel(), not again, L .. "cancel of event " .. j)
        if not again then ncancel = ncancel + 1 end
        cancelled[j] = true
      end
    end
    for j = 1, N, 97 do   -- cancelling again changes nothing
      if cancelled[j] then
        eq(hs[j]:cancel(), false, L .. "second cancel of event " .. j)
      end
      eq(hs[j]:pending(), not cancelled[j], L .. "pending() of event " .. j)
    end
    eq(sim:pending(), N - ncancel, L .. "pending after mass cancel")
    check(ncancel > 2000, "%sonly %d events cancelled", L, ncancel)
    -- Add more events after the compaction; they must interleave correctly.
    for i = N + 1, N + 500 do
      local t = r:integer(1, 500)
      times[i] = t * 1000
      hs[i] = sim:at(t .. "us", function() log[#log + 1] = i end)
    end
    -- Cancel half of the survivors from inside the run.
    sim:at("250us", function()
      for i = 1, N + 500, 2 do
        if not cancelled[i] and times[i] > 250000 then
          eq(hs[i]:cancel(), true, L .. "cancel from inside the run of event " .. i)
          cancelled[i] = true
        end
      end
    end)
    sim:run()
    local want = {}
    for i = 1, N + 500 do if not cancelled[i] then want[#want + 1] = i end end
    table.sort(want, function(a, b)
      if times[a] ~= times[b] then return times[a] < times[b] end
      return a < b
    end)
    eq(#log, #want, L .. "events run after mass cancel")
    for k = 1, #want do
      if log[k] ~= want[k] then
        error(string.format("%sposition %d after mass cancel: expected event %d (t=%dns), got %s",
                            L, k, want[k], times[want[k]], show(log[k])))
      end
    end
    eq(sim:pending(), 0, L .. "pending at the end")
    eq(sim:fired(), #want + 1, L .. "fired at the end")
  end

  -- Repeated schedule/cancel churn with a steady small queue.
  do
    local sim = synack.simulator{ scheduler = spec }
    local log = {}
    local keep = {}
    for round = 1, 3000 do
      local h = sim:at(round .. "us", function() log[#log + 1] = round end)
      if round % 10 == 0 then keep[#keep + 1] = round else h:cancel() end
    end
    sim:run()
    eq(table.concat(log, ","), table.concat(keep, ","), L .. "order after churn")
  end
end

print("cancel.lua: ok")
