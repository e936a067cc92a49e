-- twoway.lua: why TCP's handshake has three segments (RFC 9293 3.5).
--
-- An old duplicate SYN from a connection that no longer exists (its
-- client is gone: nothing answers for it) reaches a server.
--   * With the real state machine (rfc9293) the server answers with a
--     SYN-ACK and waits in SYN_RECEIVED for the third segment.  It never
--     comes; after its SYN-ACK retries the server forgets the SYN.  No
--     connection is ever given to the application.
--   * With a two-way handshake (twoway) the server is ESTABLISHED as soon
--     as it has answered: the application accepts a connection nobody
--     opened, and it stays half-open, holding its resources.
--
-- Ladders: OUT/twoway-rfc9293.svg and OUT/twoway-twoway.svg.
--
--   synack run examples/twoway.lua                       (both, explained)
--   synack run examples/twoway.lua state_machine=twoway verbose=false
local synack = require "synack"

local experiment = {
  params = { state_machine = "both", delay = 0.05, verbose = true, out = "out", fast = false },
}

-- One run with one state machine: returns what the application saw and
-- the server's connection state at the end.
local function trial(sm, delay, out, fast)
  local sim = synack.simulator{}
  local ghost, server = sim:node("ghost"), sim:node("server")
  sim:duplex_link(ghost, server, {rate = "10Mbps", delay = delay})
  local rec = sim:record()
  local accepted, last = 0, "none"
  local ep = server:tcp{state_machine = sm, timers = "linux"}
  ep:listen(80, {syncookies = "off"}, function() accepted = accepted + 1 end)
  ep:on_state(function(_, _, to) last = to end)
  -- The ghost has no TCP: the old SYN is sent raw, and the SYN-ACKs that
  -- come back are dropped unanswered, as for a host that has gone.
  sim:at(1, function()
    ghost:send_raw{to = server, size = 40, tcp = {sport = 4321, dport = 80, seq = 77000, flags = "SYN"}}
  end)
  sim:run{stop = 300}
  os.execute("mkdir -p '" .. out:gsub("'", "'\\''") .. "'")
  -- the first 5 s: the SYN, the answer and the first retransmissions
  local opts = {connection = 1, to = fast and 2 or 5, title = "An old duplicate SYN, " .. sm}
  rec:ladder(out .. "/twoway-" .. sm .. ".svg", opts)
  return accepted, last, ep:stats().segments_out, rec:ladder_text(opts)
end

function experiment.run(P)
  local sms = P.state_machine == "both" and {"rfc9293", "twoway"} or {P.state_machine}
  local row = {}
  for _, sm in ipairs(sms) do
    local accepted, state, sent, text = trial(sm, P.delay, P.out, P.fast)
    row[sm .. "_accepted"] = accepted
    row[sm .. "_final_state"] = state
    row[sm .. "_segments_sent"] = sent
    if P.verbose then
      print(string.format("%-8s an old duplicate SYN -> the application accepted %d connection(s);", sm, accepted))
      print(string.format("         the server's record ended in %s after sending %d segment(s).", state, sent))
      print(); io.write(text); print()
    end
  end
  if P.verbose then
    print("\nWith three segments the server waits for the client to confirm the SYN is")
    print("current; a two-way handshake cannot tell an old SYN from a new one.\n")
  end
  return row
end

return experiment
