-- CoDel (RFC 8289) and FQ-CoDel (RFC 8290) against a drop-tail FIFO, on a
-- long TCP bulk transfer through a bottleneck with a large buffer.
--
-- A sender and a receiver joined through a router: 1 Gbit/s, 1 ms access
-- links, a 10 Mbit/s, 5 ms bottleneck from the router to the receiver
-- (base RTT about 14 ms, a bandwidth-delay product of 12 packets), whose
-- queue is the one compared: droptail of
-- 1000 packets (1.2 s of 1500-byte packets), codel with its defaults
-- (target 5 ms, interval 100 ms, limit 1000) or fq_codel with its defaults.
-- Bulk transfers without end run for 30 s (NewReno, the endpoint
-- defaults); the bottleneck queue's length is sampled every 10 ms from
-- 10 s on (after slow start and the first episodes), and a length of n
-- packets read as a queueing delay of n * 1.2 ms (1500 bytes at 10
-- Mbit/s: the bulk flows' packets are full-sized).
--
-- 1. One bulk flow.  Droptail: the standing queue fills most of the
--    buffer, a median delay of hundreds of ms.  Codel: the median delay in
--    [2, 15] ms, near the 5 ms target, and under a tenth of droptail's;
--    the link still busy 85 % of the time or more.
-- 2. Two bulk flows and a sparse request/response flow (100-byte request,
--    100-byte response, one exchange after another from 10 s on) whose
--    requests cross the bottleneck behind the bulk data.  Its exchange
--    time is the base RTT plus the request's queueing delay: with
--    droptail hundreds of ms more; with fq_codel (new-flow priority) the
--    mean within 5 ms of the base RTT, while the bulk flows' queue stays
--    near the target as in 1 and the link busy 85 % of the time.  Codel
--    alone (one FIFO) is run too: the sparse flow then waits behind the
--    bulk flows' standing queue, more than with fq_codel.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check = T.check

local PKT_TIME = 1500 * 8 / 10e6          -- s per full packet at 10 Mbit/s
local START, STOP = 10, 30                -- measured from START to STOP, s

local function median(v)
  table.sort(v)
  local n = #v
  if n % 2 == 1 then return v[(n + 1) // 2] end
  return (v[n // 2] + v[n // 2 + 1]) / 2
end

-- Runs the set-up with `bulks` bulk flows (and the sparse flow if
-- `sparse`) through a bottleneck queue `queue`; returns the median
-- queueing delay (s), the bottleneck's busy fraction, and the sparse
-- flow's stats.
local function run(queue, bulks, sparse)
  local sim = synack.simulator{seed = 1}
  local a, r, b = sim:node("a"), sim:node("r"), sim:node("b")
  sim:duplex_link(a, r, {rate = "1Gbps", delay = "1ms", queue = {"droptail", limit = 10000}})
  local bn = sim:duplex_link(r, b, {rate = "10Mbps", delay = "5ms", queue = queue})
  for i = 1, bulks do
    b:app{"sink", port = 5000 + i}
    a:app{"bulk", target = b, port = 5000 + i, bytes = 0, start = 0.1 * i}
  end
  local rr
  if sparse then
    b:app{"reqresp", role = "server", port = 7, request = 100, response = 100}
    rr = a:app{"reqresp", target = b, port = 7, request = 100, response = 100,
               count = 100000, start = START}
  end
  sim:run{stop = START}
  local busy0 = bn:stats().ab.utilization * START
  bn:sample_queue(0.01)
  sim:run{stop = STOP}
  local s = bn:queue_samples().ab
  local d = {}
  for i = 1, #s.packets do d[i] = s.packets[i] * PKT_TIME end
  local busy = (bn:stats().ab.utilization * STOP - busy0) / (STOP - START)
  check(#d > 1000, "%s: %d queue samples", queue[1], #d)
  return median(d), busy, rr and rr:stats()
end

local function ms(x) return x * 1000 end

-- 1. One bulk flow.
local dt, dt_busy = run({"droptail", limit = 1000}, 1)
local cd, cd_busy = run({"codel"}, 1)
print(string.format("one flow: median queueing delay droptail %.1f ms (busy %.3f), " ..
                    "codel %.1f ms (busy %.3f)", ms(dt), dt_busy, ms(cd), cd_busy))
check(dt > 0.2, "droptail: median queueing delay %.1f ms, expected a standing queue", ms(dt))
check(cd >= 0.002 and cd <= 0.015, "codel: median queueing delay %.1f ms, not in [2, 15] ms", ms(cd))
check(cd < dt / 10, "codel: median delay %.1f ms, droptail's %.1f ms", ms(cd), ms(dt))
check(cd_busy >= 0.85, "codel: bottleneck busy %.3f of the time", cd_busy)
check(dt_busy >= 0.85, "droptail: bottleneck busy %.3f of the time", dt_busy)

-- 2. Two bulk flows and a sparse one.
local base = 2 * (0.001 + 0.005)
local dt2, _, dt_rr = run({"droptail", limit = 1000}, 2, true)
local cd2, _, cd_rr = run({"codel"}, 2, true)
local fq2, fq_busy, fq_rr = run({"fq_codel"}, 2, true)
print(string.format("two flows + sparse: median queueing delay droptail %.1f ms, codel %.1f ms, " ..
                    "fq_codel %.1f ms (busy %.3f); sparse exchange time (base RTT %.1f ms) mean " ..
                    "(max): droptail %.1f (%.1f) ms, codel %.1f (%.1f) ms, fq_codel %.1f (%.1f) ms",
                    ms(dt2), ms(cd2), ms(fq2), fq_busy, ms(base), ms(dt_rr.latency_mean),
                    ms(dt_rr.latency_max), ms(cd_rr.latency_mean), ms(cd_rr.latency_max),
                    ms(fq_rr.latency_mean), ms(fq_rr.latency_max)))
check(fq_rr.completed > 100, "fq_codel: %d sparse exchanges", fq_rr.completed)
check(dt_rr.completed > 10, "droptail: %d sparse exchanges", dt_rr.completed)
check(fq_rr.latency_mean < base + 0.005,
      "fq_codel: sparse flow's mean exchange time %.1f ms, base RTT %.1f ms",
      ms(fq_rr.latency_mean), ms(base))
check(fq_rr.latency_mean < cd_rr.latency_mean,
      "fq_codel: sparse flow's mean exchange time %.1f ms, codel's %.1f ms",
      ms(fq_rr.latency_mean), ms(cd_rr.latency_mean))
check(dt_rr.latency_mean > base + 0.1,
      "droptail: sparse flow's mean exchange time %.1f ms, expected a long queue",
      ms(dt_rr.latency_mean))
check(fq2 >= 0.002 and fq2 <= 0.015, "fq_codel: median queueing delay %.1f ms, not in [2, 15] ms",
      ms(fq2))
check(fq_busy >= 0.85, "fq_codel: bottleneck busy %.3f of the time", fq_busy)
