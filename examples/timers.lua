-- timers.lua: the event engine on its own, with a retransmission timer.
--
-- A client sends a SYN and arms a retransmission timer (initial RTO 1 s).
-- Each SYN is lost with probability `loss`; one that gets through is
-- answered after one round-trip time, and the answer cancels the timer.
-- Each timeout doubles the RTO (exponential backoff, RFC 6298 5.5); after
-- `retries` retransmissions the client gives up.  With Linux's 6 retries
-- the last wait ends 1+2+4+8+16+32+64 = 127 s after the first SYN.
--
--   synack run examples/timers.lua                 one run, timeline printed
--   synack run examples/timers.lua loss=0.9 --seed 3
--
-- This is a model of the timer alone (no packets, no TCP state machine):
-- it shows scheduling, cancelling and virtual time.
local synack = require "synack"

local experiment = {
  params = { loss = 0.5, rtt = 0.1, rto = 1.0, retries = 6, verbose = true },
}

function experiment.run(P)
  local sim = synack.simulator{}
  local lossy = sim:rng("syn-loss")
  local say = P.verbose and function(fmt, ...)
    io.write(string.format("%9.3f s  " .. fmt .. "\n", sim:now(), ...))
  end or function() end

  local attempts, rto, timer, done_at = 0, P.rto, nil, nil
  local send

  local function timeout()
    say("timer expired after %g s", rto)
    if attempts > P.retries then
      say("giving up after %d retransmissions", P.retries)
      return
    end
    rto = rto * 2
    send()
  end

  send = function()
    attempts = attempts + 1
    timer = sim:after(rto, timeout)
    if lossy:bernoulli(P.loss) then
      say("SYN #%d sent, lost; timer set for %g s", attempts, rto)
    else
      say("SYN #%d sent; timer set for %g s", attempts, rto)
      sim:after(P.rtt, function()
        timer:cancel()
        done_at = sim:now()
        say("SYN-ACK received, timer cancelled: connected")
      end)
    end
  end

  if P.verbose then
    print(string.format("Retransmission timer: loss %g, RTT %g s, initial RTO %g s, %d retries (seed %d)\n",
      P.loss, P.rtt, P.rto, P.retries, sim:seed()))
  end
  sim:at(0, send)
  sim:run()
  if P.verbose then print() end
  return {
    connected = done_at ~= nil,
    attempts = attempts,
    connect_time = done_at or -1,
    end_time = sim:now(),
  }
end

return experiment
