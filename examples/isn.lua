-- isn.lua: why the initial sequence number matters when a 4-tuple is
-- reused (RFC 9293 3.4.1, RFC 6528).
--
-- A client talks to a server from port 40000 and sends three 100-byte
-- messages of "A".  The network loses the second segment (the client
-- retransmits it, so the first connection completes), but here the lost
-- copy is not dead: it wanders and reappears 2 s later (a `match` loss,
-- then a replay of the same header with node:send_raw: its payload is
-- virtual, so it reads as zeros).  The client has meanwhile closed
-- without TIME_WAIT (time_wait = 0s) and opened a new connection from the
-- same port, which sends three messages of "B".
--   * fixed ISNs (as ns-3): the new incarnation starts at the same
--     sequence number, the old segment falls inside the server's window
--     and is accepted as data: the server's application reads 100 bytes
--     the new client never sent (counted as corrupted bytes).
--   * rfc793 (a 4 us clock) and rfc6528 (the clock plus a keyed hash of
--     the 4-tuple): 2 s later the new ISN is 500000 higher; the old
--     segment is far below the window and is rejected (a duplicate ACK).
--   * random: rejected too, with overwhelming probability.
-- For the same 4-tuple RFC 6528's hash is the same, so its ISNs advance
-- like RFC 793's clock: the protection is the clock's, and it holds when
-- the old connection's sequence numbers advanced slower than the clock
-- (250 000 bytes/s), as here.  A faster old connection outruns the clock;
-- TIME_WAIT (2 MSL) is what covers that.  Ladders: OUT/isn-NAME.svg (the
-- second incarnation).
--
--   synack run examples/isn.lua
--   synack run examples/isn.lua isn=rfc6528 verbose=false
local synack = require "synack"

local experiment = {
  params = { isn = "all", delay = 0.01, reuse_after = 2.0, verbose = true, out = "out", fast = false },
}

local function mkdir(d)
  os.execute("mkdir -p '" .. d:gsub("'", "'\\''") .. "'")
end

local SPEC = {
  fixed = {"fixed", value = 1000}, rfc793 = "rfc793", rfc6528 = "rfc6528", random = "random",
}

-- Bytes of got that differ from want, plus those missing or extra.
local function corrupted(got, want)
  local n = math.abs(#got - #want)
  for i = 1, math.min(#got, #want) do
    if got:byte(i) ~= want:byte(i) then n = n + 1 end
  end
  return n
end

local function trial(P, name)
  local sim = synack.simulator{}
  local client, server = sim:node("client"), sim:node("server")
  -- the network loses the second data segment from the client
  sim:duplex_link(client, server, {rate = "10Mbps", delay = P.delay,
    ab = {loss = {"match", has_data = "yes", direction = "forward", nth = 2}}})
  local rec = sim:record()
  local timers = {"linux", time_wait = "0s"}
  local ep_c = client:tcp{isn = SPEC[name], timers = timers}
  local ep_s = server:tcp{isn = SPEC[name], timers = timers}
  local got = {}   -- what the server's application read, per connection
  ep_s:listen(80, function(c)
    local k = #got + 1
    got[k] = {}
    c:on("data", function(_, n, bytes) table.insert(got[k], bytes or string.rep("\0", n)) end)
    c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end)
  end)
  local function talk(letter)
    return function(c)
      for i = 0, 2 do
        sim:after(0.05 * i, function() c:send(string.rep(letter, 100)) end)
      end
      sim:after(1.0, function() c:close() end)
    end
  end
  local first, second
  sim:at(0, function()
    first = ep_c:connect(server, 80, {lport = 40000})
    first:on("established", talk("A"))
  end)
  sim:at(P.reuse_after, function()
    second = ep_c:connect(server, 80, {lport = 40000})
    second:on("established", function(c)
      talk("B")(c)
      -- the old segment reappears, 15 ms into the new connection
      sim:after(0.015, function()
        for _, s in ipairs(rec:segments{connection = first}) do
          if s.dropped then
            client:send_raw{to = server, size = 40 + s.len,
              tcp = {sport = 40000, dport = 80, seq = s.seq, ack = s.ack, flags = "ACK", window = s.win}}
          end
        end
      end)
    end)
  end)
  sim:run()
  local old = table.concat(got[1] or {})
  local new = table.concat(got[2] or {})
  mkdir(P.out)
  local svg = P.out .. "/isn-" .. name .. ".svg"
  rec:ladder(svg, {connection = second, title = "Port reuse with " .. name .. " ISNs: the second incarnation"})
  return {
    first_ok = old == string.rep("A", 300),
    received = #new,
    corrupted = corrupted(new, string.rep("B", 300)),
    text = rec:ladder_text{connection = second},
    iss = { rec:segments{connection = first}[1].seq, rec:segments{connection = second}[1].seq },
    svg = svg,
  }
end

function experiment.run(P)
  local names = P.isn == "all" and {"fixed", "rfc793", "rfc6528", "random"} or {P.isn}
  local row = {}
  for _, name in ipairs(names) do
    local r = trial(P, name)
    assert(r.first_ok, "the first connection delivers its 300 bytes")
    row["corrupted_" .. name] = r.corrupted
    if P.verbose then
      print(string.format("== isn %s: ISN %d, then %d for the same 4-tuple %.1f s later ==",
        name, r.iss[1], r.iss[2], P.reuse_after))
      print(string.format("The second connection's server read %d bytes; %d of them are not what its client sent.",
        r.received, r.corrupted))
      if name == "fixed" or P.isn ~= "all" then print(); io.write(r.text) end
      print("Ladder: " .. r.svg .. "\n")
    end
  end
  if P.verbose then
    print("An old segment is accepted when its sequence number falls inside the new")
    print("incarnation's window: with fixed ISNs it always does; ISNs that advance with")
    print("time (RFC 793's clock, RFC 6528) move the window away from old numbers.\n")
  end
  return row
end

return experiment
