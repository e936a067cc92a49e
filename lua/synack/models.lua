-- Analytical models that the examples and tests compare synack against.
--
--   local models = require "synack.models"     -- or synack.models
--   local mean, var, pfail = models.handshake(p, {rtt =, ts =, rc =, rs =})
--
-- Handshake latency under independent loss p in each direction
-- (Cardwell, Savage and Anderson, "Modeling TCP latency", INFOCOM 2000),
-- in the truncated form that matches synack's retransmission behaviour.
-- The client retransmits its SYN after Ts, 2Ts, 4Ts, ... (at most Rc
-- times, giving up Ts(2^(Rc+1) - 1) after the first).  A server in
-- SYN_RECEIVED retransmits its SYN-ACK on its own doubling timer from Ts
-- (at most Rs times, then the record goes back to LISTEN) and answers a
-- retransmitted SYN with a bare ACK (RFC 9293's sequence check), which does
-- not help the client.  So the handshake is Cardwell's two sequential
-- phases, SYN then SYN-ACK: with i SYN losses and j SYN-ACK losses the
-- client is ESTABLISHED at RTT + Ts(2^i - 1) + Ts(2^j - 1).  One addition
-- to the published form: when all Rs + 1 SYN-ACKs are lost, the server is
-- back in LISTEN and a later SYN of the client starts a second SYN-ACK
-- phase.  handshake() enumerates every such path exactly and returns the
-- mean and variance of the handshake time given success, and the
-- probability of failure.
local M = {}

function M.handshake(p, o)
  local rtt, ts, rc, rs = o.rtt, o.ts or 1.0, o.rc or 6, o.rs or 5
  local h = rtt / 2
  local giveup = ts * (2 ^ (rc + 1) - 1)
  local m0, m1, m2 = 0, 0, 0
  -- The server is in LISTEN from `free` on; client SYNs k >= k0 remain;
  -- `w` is the probability of the path so far.
  local function client(k0, free, w)
    for k = k0, rc do
      local arrive = ts * (2 ^ k - 1) + h
      if arrive >= free then
        -- SYN k arrives (prob 1 - p) and opens a SYN-ACK phase
        local wk = w * (1 - p)
        for j = 0, rs do
          local t = arrive + ts * (2 ^ j - 1) + h
          local wj = wk * p ^ j * (1 - p)
          if t <= giveup then
            m0, m1, m2 = m0 + wj, m1 + wj * t, m2 + wj * t * t
          end
        end
        client(k + 1, arrive + ts * (2 ^ (rs + 1) - 1), wk * p ^ (rs + 1))
        w = w * p -- or SYN k is lost
      end
    end
  end
  client(0, 0, 1)
  local mean = m1 / m0
  return mean, m2 / m0 - mean * mean, 1 - m0
end

-- Cardwell's equation (4): unlimited retries, losses pf (SYN) and pr
-- (SYN-ACK) below 1/2.
function M.cardwell(pf, pr, rtt, ts)
  return rtt + ts * ((1 - pr) / (1 - 2 * pr) + (1 - pf) / (1 - 2 * pf) - 2)
end

return M
