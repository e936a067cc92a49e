-- A connect onto a 4-tuple held by a TIME_WAIT (the profile's tw_reuse,
-- Linux's tcp_tw_reuse and tcp_twsk_unique): taken over when the
-- TIME_WAIT used timestamps, with an ISS beyond the old SND.NXT (+ 65537);
-- an explicit port at once, an ephemeral one only under tw_reuse 1 and
-- once tw_reuse_delay has passed.  Under rfc the 4-tuple waits 2 MSL.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails

local FIRST = 32768 -- the first ephemeral port

-- Two nodes; the client connects from `lport` and closes first, so that
-- its side ends in TIME_WAIT (the server's closes after LAST_ACK).
-- Returns the simulator, the client's endpoint and its old connection.
local function time_wait(timers, sm)
  local sim = synack.simulator{seed = 5}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "5ms"})
  local ta = a:tcp{timers = timers, state_machine = sm}
  local tb = b:tcp{timers = timers}
  tb:listen(80, function(c)
    c:on("state", function(conn, _, to)
      if to == "CLOSE_WAIT" then conn:close() end
    end)
  end)
  local old = ta:connect(b, 80, {lport = FIRST})
  old:on("established", function(conn) conn:close() end)
  sim:run{stop = 0.2}
  eq(old.state, "TIME_WAIT", "the first connection after its close")
  return sim, ta, b, old
end

local function iss_after(snd_nxt)
  return (snd_nxt + 65537) % 2^32
end

-- 1. An explicit port under linux: the TIME_WAIT is taken over at once.
do
  local sim, ta, b, old = time_wait("linux")
  local snd_nxt = old.stats.snd_nxt
  local c = ta:connect(b, 80, {lport = FIRST})
  eq(old.state, "CLOSED", "linux, explicit port: the TIME_WAIT")
  eq(c.stats.lport, FIRST, "linux, explicit port: the new connection's port")
  eq(c.stats.iss, iss_after(snd_nxt), "linux, explicit port: ISS = old SND.NXT + 65537")
  sim:run{stop = 1}
  eq(c.state, "ESTABLISHED", "linux, explicit port: the new connection")
end

-- 2. Under rfc, or without timestamps, the 4-tuple stays the TIME_WAIT's.
do
  local _, ta, b, old = time_wait("rfc")
  fails("is in use (TIME_WAIT)", ta.connect, ta, b, 80, {lport = FIRST})
  eq(old.state, "TIME_WAIT", "rfc, explicit port: the TIME_WAIT")
  local _, ta2, b2, old2 = time_wait("linux", {"rfc9293", timestamps = false})
  fails("is in use (TIME_WAIT)", ta2.connect, ta2, b2, 80, {lport = FIRST})
  eq(old2.state, "TIME_WAIT", "linux without timestamps: the TIME_WAIT")
end

-- 3. An ephemeral port: the next one (the TIME_WAIT's) is skipped under
-- linux's default 2 between two nodes, and under 1 before the delay; it
-- is taken under 1 after it.
do
  local sim, ta, b, old = time_wait("linux")
  local c = ta:connect(b, 80)
  eq(c.stats.lport, FIRST + 1, "tw_reuse 2, another node: the ephemeral port")
  eq(old.state, "TIME_WAIT", "tw_reuse 2, another node: the TIME_WAIT")

  sim, ta, b, old = time_wait({"linux", tw_reuse = 1})
  c = ta:connect(b, 80) -- about 0.18 s into TIME_WAIT
  eq(c.stats.lport, FIRST + 1, "tw_reuse 1 before tw_reuse_delay: the ephemeral port")
  eq(old.state, "TIME_WAIT", "tw_reuse 1 before tw_reuse_delay: the TIME_WAIT")

  sim, ta, b, old = time_wait({"linux", tw_reuse = 1})
  sim:run{stop = 1.5}
  local snd_nxt = old.stats.snd_nxt
  c = ta:connect(b, 80)
  eq(c.stats.lport, FIRST, "tw_reuse 1 after tw_reuse_delay: the ephemeral port")
  eq(old.state, "CLOSED", "tw_reuse 1 after tw_reuse_delay: the TIME_WAIT")
  eq(c.stats.iss, iss_after(snd_nxt), "tw_reuse 1: ISS = old SND.NXT + 65537")
  sim:run{stop = 3}
  eq(c.state, "ESTABLISHED", "tw_reuse 1: the new connection")

  sim, ta, b, old = time_wait({"linux", tw_reuse = 1, tw_reuse_delay = "5s"})
  sim:run{stop = 1.5}
  c = ta:connect(b, 80)
  eq(c.stats.lport, FIRST + 1, "tw_reuse_delay 5s at 1.5 s: the ephemeral port")
  check(old.state == "TIME_WAIT", "tw_reuse_delay 5s: the TIME_WAIT was taken")
end
