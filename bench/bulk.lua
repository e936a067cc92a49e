-- Loss recovery in bulk: `n` transfers (default 10) of `mb` MB (default
-- 10) one after another, each on its own connection over a `rate`
-- (default 10 Mbit/s), 20 ms RTT path whose data direction loses each
-- packet with probability `loss` (default 0.01, loss/bernoulli, its own
-- seed per transfer, the same for every recovery).  The sender runs
-- `cc` (default cubic) under the `linux` timer profile, once with the
-- profile's defaults (RACK, TLP, PRR, D-SACK and timestamp undo, F-RTO)
-- and once with the older recovery (those off: three duplicate ACKs,
-- RFC 6675 with SACK, go-back-N after a timeout).  Prints, per recovery,
-- the mean goodput (payload over the time from the SYN to the last
-- byte acknowledged), the sum of timeouts, fast recoveries,
-- retransmissions, D-SACKs received (retransmissions that were not
-- needed) and undos, and the CPU seconds of the runs.  Goodput
-- is in virtual time: the same on every machine.
--
--   synack run bench/bulk.lua [n=10] [mb=10] [loss=0.01] [cc=cubic] [rate=10Mbps]
local synack = require "synack"

local args = synack.args
local N = math.tointeger(tonumber(args.n or "10"))
local MB = tonumber(args.mb or "10")
local LOSS = tonumber(args.loss or "0.01")
local CC = args.cc or "cubic"
local RATE = args.rate or "10Mbps"
assert(N and N > 0, "bulk: n must be a positive integer")
assert(MB and MB > 0, "bulk: mb must be a positive number")
assert(LOSS and LOSS >= 0 and LOSS < 1, "bulk: loss must be a probability")
local BYTES = math.floor(MB * 1e6)

local OLD = {rack = false, tlp = false, prr = false, dsack_undo = false,
             ts_undo = false, frto = false}

local function transfer(seed, old)
  local sim = synack.simulator{seed = seed}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = RATE, delay = "10ms",
    ab = {queue = {"droptail", limit = 100},
          loss = LOSS > 0 and {"bernoulli", p = LOSS} or nil}})
  local timers = {"linux"}
  if old then for k, v in pairs(OLD) do timers[k] = v end end
  local sm = {"rfc9293", sndbuf = "4MiB", rcvbuf = "4MiB"}
  b:tcp{state_machine = sm, timers = timers}:listen(80, function() end)
  local c = a:tcp{state_machine = sm, timers = timers, cc = CC}:connect(b, 80)
  local done
  c:on("established", function(conn) conn:send(BYTES); conn:close() end)
  c:on("sent", function() done = sim:now(); sim:stop() end)
  sim:run{stop = 3600}
  assert(done, ("bulk: transfer %d did not complete"):format(seed))
  return BYTES * 8 / done, c.stats
end

for _, old in ipairs{false, true} do
  local name = old and "older" or "linux"
  local t0 = os.clock()
  local sum, tot = 0, {timeouts = 0, fast_retransmits = 0, retransmissions = 0,
                       undos = 0, dsacks = 0}
  for seed = 1, N do
    local g, st = transfer(seed, old)
    sum = sum + g
    tot.timeouts = tot.timeouts + st.timeouts
    tot.fast_retransmits = tot.fast_retransmits + st.fast_retransmits
    tot.retransmissions = tot.retransmissions + st.retransmissions
    tot.dsacks = tot.dsacks + st.dsacks_received
    tot.undos = tot.undos + st.dsack_undos + st.ts_undos + st.frto_spurious
  end
  print(("%s_goodput %.3f Mbit/s"):format(name, sum / N / 1e6))
  print(("%s_timeouts %d"):format(name, tot.timeouts))
  print(("%s_fast_recoveries %d"):format(name, tot.fast_retransmits))
  print(("%s_retransmissions %d"):format(name, tot.retransmissions))
  print(("%s_dsacks %d"):format(name, tot.dsacks))
  print(("%s_undos %d"):format(name, tot.undos))
  print(("%s_cpu_s %.3f"):format(name, os.clock() - t0))
end
