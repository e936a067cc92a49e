-- The restart after idle of cc/cubic's idle_restart, through the endpoint:
-- the sender goes idle longer than the RTO, and the first send after it
-- restarts cwnd.
--
-- Two nodes joined by a 10 Mbit/s link of 40 ms each way (RTT 80 ms), a
-- queue of 1000 packets; timers `linux` (RTO = srtt + max(4 rttvar,
-- 200 ms), about 0.28 s here).  The client sends 600 kB; once all of it
-- is acknowledged it stays idle 0.45 s (more than one RTO, less than two)
-- and sends 100 kB more.  cwnd and ssthresh are read just before that
-- send and just after it (the restart happens as the data goes out).
--
-- idle_restart = "linux" (the default under this profile, Linux 6.18's
-- tcp_cwnd_restart): one RTO past the first, so cwnd is halved once (not
-- below the initial window, 10 segments) and ssthresh is at least 3/4 of
-- the cwnd before.  "rfc5681": cwnd is the initial window, ssthresh as
-- it was.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check = T.check

-- Both experiments' path: a 10 Mbit/s link of 40 ms to a listener on
-- b:80, both ends under the linux profile.
local function path()
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, { rate = "10Mbps", delay = "40ms", queue = { "droptail", limit = 1000 } })
  b:tcp{ timers = "linux" }:listen(80, function() end)
  return sim, a, b
end

local function run(cc)
  local sim, a, b = path()
  local r = {}
  sim:at(0, function()
    local c = a:tcp{ timers = "linux" }:connect(b, 80, { cc = cc })
    local again = false
    c:on("established", function(c2) c2:send(600 * 1000) end)
    c:on("sent", function(c2)
      if again then return end
      again = true
      sim:after(0.45, function()
        local i = c2:info()
        r.rto, r.cwnd0, r.ss0 = i.rto, i.cwnd, i.ssthresh
        c2:send(100 * 1000)
        i = c2:info()
        r.cwnd1, r.ss1 = i.cwnd, i.ssthresh
        r.mss = c2.stats.mss_peer - (c2.stats.timestamps and 12 or 0)
      end)
    end)
  end)
  sim:run{ stop = 5 }
  print(string.format("%s: rto %.3f s; cwnd %d -> %d, ssthresh %d -> %d",
                      type(cc) == "table" and cc.idle_restart or cc, r.rto or -1,
                      r.cwnd0 or -1, r.cwnd1 or -1, r.ss0 or -1, r.ss1 or -1))
  return r
end

local lx = run("cubic")
check(lx.cwnd1, "linux: the second send never happened")
check(lx.rto < 0.45 and 2 * lx.rto > 0.45, "linux: the RTO %.3f s should be between 0.225 and 0.45 s", lx.rto)
local iw = 10 * lx.mss
check(lx.cwnd0 // 2 > iw, "linux: cwnd %d before the idle is too small for the test", lx.cwnd0)
check(lx.cwnd1 == lx.cwnd0 // 2, "linux: cwnd %d after the restart, want %d (halved once)",
      lx.cwnd1, lx.cwnd0 // 2)
local q = lx.cwnd0 // 2 + lx.cwnd0 // 4
check(lx.ss1 == math.max(lx.ss0, q), "linux: ssthresh %d, want max(%d, %d)", lx.ss1, lx.ss0, q)

local rfc = run({ "cubic", idle_restart = "rfc5681" })
check(rfc.cwnd1 == iw, "rfc5681: cwnd %d after the restart, want the initial window %d", rfc.cwnd1, iw)
check(rfc.ss1 == rfc.ss0, "rfc5681: ssthresh %d -> %d", rfc.ss0, rfc.ss1)

-- An application-limited sender on the same path: 5 kB every 0.2 s for
-- 4 s (each chunk acknowledged before the next; idle less than the RTO,
-- so no restart).  With cwnd_limited = "linux" (the default under this
-- profile, Linux 6.18's tcp_is_cwnd_limited) cwnd grows only while it
-- limits the sender: in slow start up to twice the most in flight, so it
-- stays at the initial window (10 segments, more than twice 5 kB); with
-- "off" every ACK of slow start adds up to a segment: over 20 chunks of 4
-- segments at least 40 segments (measured: 79).
local function trickle(cc)
  local sim, a, b = path()
  local r = {}
  sim:at(0, function()
    local c = a:tcp{ timers = "linux" }:connect(b, 80, { cc = cc, nagle = false })
    c:on("established", function(c2)
      for k = 0, 19 do sim:after(0.2 * k, function() c2:send(5000) end) end
      sim:after(4.1, function()
        r.cwnd = c2:info().cwnd
        r.mss = c2.stats.mss_peer - (c2.stats.timestamps and 12 or 0)
      end)
    end)
  end)
  sim:run{ stop = 5 }
  print(string.format("trickle %s: cwnd %d", type(cc) == "table" and cc.cwnd_limited or cc,
                      r.cwnd or -1))
  return r
end

local held = trickle("cubic")
check(held.cwnd == 10 * held.mss, "linux: cwnd %d of an application-limited sender, want %d",
      held.cwnd, 10 * held.mss)
local grown = trickle({ "cubic", cwnd_limited = "off" })
check(grown.cwnd >= 40 * grown.mss, "off: cwnd %d, want at least %d", grown.cwnd, 40 * grown.mss)
