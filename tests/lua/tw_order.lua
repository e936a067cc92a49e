-- Compact TIME_WAIT records expire when full records do and in the same
-- order: two servers (profiles rfc and linux, 60 s TIME_WAIT) each close
-- connections from a fake client that swallows every answer, four at
-- each instant (two per server), so that records of both endpoints fall
-- due at the same instants.  Some get their FIN again (the wait
-- restarts), some a stray ACK (rebuilt, compacted again: under rfc with
-- the expiry they had, under linux restarted), some a new SYN (linux:
-- the TIME_WAIT ends, a new connection begins).  An event scheduled a
-- second after each connection entered TIME_WAIT puts a marker at the
-- instant its record falls due: it runs after the record's expiry, as
-- an event scheduled later does.  The run prints every state change and
-- marker with its time; with records kept full (SYNACK_TW_COMPACT=0),
-- compacted (the default) and sent through the compact form in place
-- (force) the lines are the same, in the same order.
local synack = require "synack"

local N = 48

-- connection i's server: 1 (rfc) for even i, 2 (linux) for odd
local function server(i) return (i % 2) + 1 end

local function child()
  local sim = synack.simulator{seed = 7}
  local f = sim:node("f")
  local eps, nodes = {}, {}
  local profiles = {{"rfc", time_wait = "60s"}, {"linux", time_wait = "60s"}}
  for k = 1, 2 do
    local s = sim:node("s" .. k)
    nodes[k] = s
    sim:duplex_link(f, s, {rate = "1Gbps", delay = "1ms"})
    eps[k] = s:tcp{timers = profiles[k], isn = {"fixed", value = 0}}
  end
  -- the fake client: no endpoint, nothing answers the servers' segments
  f:on_receive("tcp", function() end)
  local function out(fmt, ...)
    print(("%.9f "):format(sim:now()) .. fmt:format(...))
  end
  local function send(i, seq, ack, flags)
    f:send_raw{to = nodes[server(i)], size = 40,
               tcp = {sport = 40000 + i, dport = 80, seq = seq, ack = ack, flags = flags}}
  end
  for k = 1, 2 do
    eps[k]:listen(80, function(c)
      local i = c.stats.rport - 40000
      assert(c.stats.iss == 0, "the fixed ISN")
      c:on("state", function(_, from, to, cause)
        out("%d %s -> %s %s", i, from, to, cause)
        if to == "TIME_WAIT" then
          local since = sim:now()
          sim:at(since + 1, function()
            sim:at(since + 60, function() out("%d marker", i) end)
          end)
        end
      end)
      c:on("closed", function(_, cause) out("%d closed %s", i, cause) end)
      c:close()
      -- the client's FIN, acknowledging the server's
      sim:at(sim:now() + 0.004, function() send(i, 101, 2, "FIN+ACK") end)
    end)
  end
  for i = 1, N do
    local t = 0.1 + ((i - 1) // 4) * 0.02
    sim:at(t, function() send(i, 100, 0, "SYN") end)
    sim:at(t + 0.005, function() send(i, 101, 1, "ACK") end)
    -- the FIN again: the wait restarts
    if i % 5 == 0 then sim:at(20 + i * 0.1, function() send(i, 101, 2, "FIN+ACK") end) end
    -- a stray ACK out of the window
    if i % 7 == 0 then sim:at(30 + i * 0.1, function() send(i, 100000, 2, "ACK") end) end
    -- a new SYN: under linux it ends the TIME_WAIT
    if i % 11 == 0 then sim:at(40 + i * 0.1, function() send(i, 1000000, 0, "SYN") end) end
  end
  for _, t in ipairs{10, 25, 35, 45, 61} do
    sim:at(t, function()
      local n = 0
      for k = 1, 2 do n = n + eps[k]:stats().tw_compact end
      print(("count %d %d"):format(t, n))
    end)
  end
  sim:run{stop = 400}
end

if synack.args.child then
  child()
  return
end

local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local function run(mode)
  local counts = {}
  local lines = T.run_child_tw(mode, function(line)
    local t, n = line:match("^count (%d+) (%d+)$")
    if t then
      counts[tonumber(t)] = tonumber(n)
    end
    return t
  end)
  return lines, counts
end

local off, off_counts = run("0")
local on, on_counts = run(nil)
local force = run("force")

-- the run does what it says: every connection reached TIME_WAIT, most
-- left it by their timer, some restarted, some at the same instant as
-- others and as their markers
local entered, expired, restarted, ties, marker_after = 0, 0, 0, 0, 0
local at, closed_at = {}, {}
for _, l in ipairs(off) do
  local t, i, what = l:match("^(%S+) (%d+) (.*)$")
  check(t, "a line of the run: %s", l)
  if what:find("-> TIME_WAIT", 1, true) then entered = entered + 1 end
  if what == "TIME_WAIT -> CLOSED time_wait" then
    expired = expired + 1
    at[t] = (at[t] or 0) + 1
    if at[t] == 2 then ties = ties + 1 end
    closed_at[i] = t
  end
  if what == "marker" then
    if closed_at[i] == t then marker_after = marker_after + 1 end
  end
end
eq(entered, N, "connections in TIME_WAIT")
check(expired >= N - 6 and expired < N, "most expire by the timer (%d)", expired)
check(ties >= 5, "records of the two endpoints fall due at the same instants (%d)", ties)
check(marker_after >= N / 2, "markers run at the instant of the expiry, after it (%d)",
      marker_after)
for _, l in ipairs(off) do
  local t, i = l:match("^(%S+) (%d+) TIME_WAIT %-> CLOSED time_wait$")
  if t and tonumber(i) % 5 == 0 then restarted = restarted + 1 end
end
check(restarted >= 4, "restarted records expire (%d)", restarted)
eq(off_counts[10], 0, "SYNACK_TW_COMPACT=0: no compact record")
eq(on_counts[10], N, "compact records at 10 s")
check(on_counts[35] > 0 and on_counts[45] > 0, "compact records later on")

-- The same lines at the same times, in the same order.  One exception,
-- older than the queue: a record a segment rebuilt without restarting
-- its wait (under rfc, a stray ACK or SYN) is compacted again with a
-- timer scheduled anew, so among the events of its instant it runs
-- where an event scheduled then would, not where the full record's
-- timer, never rescheduled, does.  Its lines are compared as a set, at
-- their times; the rest line by line.
local function rebuilt(i) return server(i) == 1 and (i % 7 == 0 or i % 11 == 0) end
local function split(lines)
  local ordered, loose = {}, {}
  for _, l in ipairs(lines) do
    local i = tonumber(l:match("^%S+ (%d+) "))
    if i and rebuilt(i) and not l:find(" marker$") then
      loose[#loose + 1] = l
    else
      ordered[#ordered + 1] = l
    end
  end
  table.sort(loose)
  return ordered, loose
end
local function same(name, a, b, what)
  eq(#b, #a, name .. ": " .. what)
  for i = 1, math.max(#a, #b) do
    if a[i] ~= b[i] then
      check(false, "%s: %s: line %d differs:\n  full:    %s\n  %s: %s", name, what, i,
            tostring(a[i]), name, tostring(b[i]))
      break
    end
  end
end
local off_ordered, off_loose = split(off)
check(#off_loose > 0, "records rebuilt without a restart")
for name, lines in pairs{default = on, force = force} do
  local ordered, loose = split(lines)
  same(name, off_ordered, ordered, "lines in order")
  same(name, off_loose, loose, "lines of the records rebuilt")
end
-- the compact forms, between them: every line in the same order
same("force", on, force, "lines as by default")
