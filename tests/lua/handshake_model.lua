-- Handshake latency under independent loss against Cardwell's model
-- (INFOCOM 2000) in the truncated form that matches synack's
-- retransmission behaviour.
--
-- The client retransmits its SYN after Ts, 2Ts, 4Ts, ... (at most Rc
-- times, giving up Ts(2^(Rc+1) - 1) after the first).  A server in
-- SYN_RECEIVED retransmits its SYN-ACK on its own doubling timer from Ts (at
-- most Rs times, then the record goes back to LISTEN) and answers a
-- retransmitted SYN with a bare ACK (RFC 9293's sequence check), which does
-- not help the client.  So the handshake is Cardwell's two sequential
-- phases, SYN then SYN-ACK: with i SYN losses and j SYN-ACK losses the
-- client is ESTABLISHED at RTT + Ts(2^i - 1) + Ts(2^j - 1).  One addition
-- to the published form: when all Rs + 1 SYN-ACKs are lost, the server is
-- back in LISTEN and a later SYN of the client starts a second SYN-ACK
-- phase.  model() enumerates every such path exactly.
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check = T.check

local TS, RC, RS = 1.0, 6, 5
-- Linux's timers with the classic SYN schedule the model is about (its
-- linear first timeouts, tcp_syn_linear_timeouts, off) and a bare ACK for
-- a retransmitted SYN (Linux's SYN-ACK resend, dup_syn_synack, off).
local TIMERS = {"linux", syn_linear_timeouts = 0, dup_syn_synack = false}
local DELAY = 0.05
local RTT = 2 * DELAY + 2 * 40 * 8 / 1e9  -- two 40-byte segments at 1 Gbit/s

-- The model (lua/synack/models.lua, shared with examples/loss_handshake.lua):
-- mean and variance of the handshake time given success, and the failure
-- probability, by enumerating the loss paths.
local models = require "synack.models"
local function model(p)
  return models.handshake(p, {rtt = RTT, ts = TS, rc = RC, rs = RS})
end

-- One handshake per simulator, each with its own seed: the mean time of
-- those that succeed and the fraction that fail.
local function sample(p, n)
  local times, failed = T.handshakes(p, n, TIMERS, DELAY)
  local sum = 0
  for _, x in ipairs(times) do sum = sum + x end
  return sum / #times, failed / n
end

-- Tolerances: four standard errors of the sample mean (the model's own
-- variance over the successes) and of the failure fraction.
for _, case in ipairs({ {p = 0.1, n = 3000}, {p = 0.3, n = 3000}, {p = 0.5, n = 4000} }) do
  local mean, var, pfail = model(case.p)
  local got, gotfail = sample(case.p, case.n)
  local se = math.sqrt(var / (case.n * (1 - pfail)))
  local sef = math.sqrt(pfail * (1 - pfail) / case.n)
  print(string.format("p=%.1f: mean %.4f s (model %.4f, se %.4f), failures %.4f (model %.4f, se %.4f)",
    case.p, got, mean, se, gotfail, pfail, sef))
  check(math.abs(got - mean) < 4 * se, "p=%g: mean handshake time %.4f s, model %.4f s (4 se = %.4f)",
        case.p, got, mean, 4 * se)
  check(math.abs(gotfail - pfail) <= 4 * sef + 1e-9, "p=%g: failure fraction %.4f, model %.4f (4 se = %.4f)",
        case.p, gotfail, pfail, 4 * sef)
end
