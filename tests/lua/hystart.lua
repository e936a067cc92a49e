-- cc/cubic's slow-start exits on a path with a large buffer: with HyStart
-- (RFC 9406's HyStart++, or Linux's own) slow start ends without a loss
-- and with a lower queue than slow start that ends at a loss, and the
-- first loss comes later or never.
--
-- Dumbbell, one pair: 1 Gbit/s access links of 1 ms, a 20 Mbit/s
-- bottleneck of 38 ms each way (base RTT 80 ms, a bandwidth-delay product
-- of 133 packets of 1500 bytes), its queue droptail of 400 packets (three
-- BDPs), both directions alike.  One CUBIC flow sends without end from
-- t = 0 for 6 s (endpoint defaults: SACK and timestamps, so an RTT sample
-- on every ACK; timers `rfc`), in three runs: hystart = "off", "rfc9406",
-- "linux".  Every 5 ms the run reads the bottleneck's forward queue and
-- drops and the sender's ssthresh; slow start has ended once ssthresh is
-- finite.  The queue's peak is taken until then, its drops until 0.5 s
-- after (the loss recovery that ends it included).
--
-- Checked: off ends slow start at a loss, the queue at its limit, with
-- 100 drops or more.  Each HyStart mode ends it before any drop, with no
-- drop until 0.5 s after, the queue's peak at most 0.9 of off's, and its
-- first drop (if any) at least 2 s after off's.
--
-- Measured here: off: slow start ends at 1.495 s (the first drop 1.175 s),
-- the queue at 400, 295 drops.  rfc9406: the rounds' minimum RTT rises once
-- cwnd passes the BDP (the queue drains between the bursts before that),
-- CSS at about 0.85 s, congestion avoidance at 1.780 s with cwnd 650 kB,
-- the queue's peak 313 (CSS grows cwnd 1.8 times over its 5 rounds here:
-- a quarter of the 1.5 per round of slow start with delayed ACKs); no drop
-- in 6 s.  linux: the ACK train ends slow start at 0.610 s with cwnd
-- 156 kB (under the BDP), the queue's peak 34; no drop in 6 s.
local synack = require "synack"
local topo = require "synack.topo"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check = T.check

local IV = 0.005
local DURATION = 6
local LIMIT = 400

local function run(mode)
  local sim = synack.simulator{seed = 1}
  local net = topo.dumbbell(sim, 1, {
    access = { rate = "1Gbps", delay = "1ms", queue = { "droptail", limit = 1000 } },
    bottleneck = { rate = "20Mbps", delay = "38ms", queue = { "droptail", limit = LIMIT } },
  })
  local r = { mode = mode, peak = 0 }
  net.right[1]:tcp():listen(5001, function() end)
  local conn
  sim:at(0, function()
    conn = net.left[1]:tcp():connect(net.right[1], 5001,
                                     { cc = { "cubic", hystart = mode } })
    conn:on("established", function(c) c:send(1000 * 1000 * 1000) end)
  end)
  local function tick()
    local t = sim:now()
    local s = net.bottleneck:stats().ab
    local q, d = s.queue_now, s.drops.queue
    if d > 0 and not r.first_drop then r.first_drop = t end
    r.drops = d
    if conn and not r.exit then
      local i = conn:info()
      if q > r.peak then r.peak = q end
      if i.bytes_acked > 0 and i.ssthresh < 2 ^ 31 then
        r.exit, r.exit_cwnd = t, i.cwnd
        -- what the first slow start lost: the drops until its loss
        -- recovery has had an RTT or so to end
        sim:after(0.5, function() r.ss_drops = net.bottleneck:stats().ab.drops.queue end)
      end
    end
    if t + IV <= DURATION then sim:after(IV, tick) end
  end
  sim:at(IV, tick)
  sim:run{ stop = DURATION }
  print(string.format("%-8s slow start ends %.3f s (cwnd %d B, queue peak %d), its drops %d; " ..
                      "first drop %s; drops in %d s %d", mode, r.exit or -1, r.exit_cwnd or -1,
                      r.peak, r.ss_drops or -1, r.first_drop and string.format("%.3f s", r.first_drop)
                      or "none", DURATION, r.drops))
  return r
end

local off = run("off")
check(off.exit and off.first_drop and off.first_drop < off.exit,
      "off: slow start should end at a loss")
check(off.peak == LIMIT, "off: the queue peaked at %d in slow start, want the limit %d",
      off.peak, LIMIT)
check(off.ss_drops >= 100, "off: %d drops in the first slow start, want 100 or more", off.ss_drops)

for _, mode in ipairs { "rfc9406", "linux" } do
  local h = run(mode)
  check(h.exit, "%s: slow start did not end", mode)
  check(not h.first_drop or h.first_drop > h.exit, "%s: a drop at %.3f s before the exit at %.3f s",
        mode, h.first_drop or -1, h.exit)
  check(h.ss_drops == 0, "%s: %d drops in the first slow start", mode, h.ss_drops)
  check(h.peak <= 0.9 * off.peak, "%s: the queue peaked at %d in slow start, off at %d",
        mode, h.peak, off.peak)
  check(not h.first_drop or h.first_drop >= off.first_drop + 2,
        "%s: first drop at %.3f s, off at %.3f s", mode, h.first_drop or -1, off.first_drop)
end
