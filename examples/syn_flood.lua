-- syn_flood.lua: a SYN flood exhausts the SYN_RECEIVED slots; defences.
--
-- An attacker sends SYNs from spoofed addresses (the `synflood` app) at a
-- given rate for 6 s.  Each takes a slot of the listener's backlog (64
-- records in SYN_RECEIVED) and holds it while the server retransmits its
-- SYN-ACK into the void.  Meanwhile 20 legitimate clients connect, one
-- every 200 ms; a client that is not established within `deadline`
-- seconds gives up.  Three defences, at each attack rate:
--   backlog      the backlog alone: a record lives through all its SYN-ACK
--                retransmissions (Linux: 1+2+4+8+16 s), so about 2 SYNs a
--                second fill it;
--   timeout      a short SYN_RECEIVED timeout (`syn_received` of the
--                timers, default 0.5 s): slots free up quickly, so the
--                flood must be faster than backlog / timeout to fill them;
--   cookies      SYN cookies (RFC 4987) once the backlog is full: the
--                server answers without keeping a record, and a client's
--                ACK carries everything needed to create the connection.
--
--   synack run examples/syn_flood.lua
--   synack run examples/syn_flood.lua syn_received=0.2 deadline=10
--
-- Writes out/syn_flood.csv (success rate and handshake time per defence
-- and rate) and out/syn_flood.svg (success rate against attack rate).
local synack = require "synack"

local experiment = {
  params = { backlog = 64, syn_received = 0.5, deadline = 3.0, clients = 20,
             fast = false, verbose = true, out = "out" },
}

local DEFENCES = { "backlog", "timeout", "cookies" }

-- One run: the fraction of clients established within the deadline and
-- their mean handshake time.
local function run(P, defence, rate)
  local sim = synack.simulator{seed = 7}
  local client, attacker, server = sim:node("client"), sim:node("attacker"), sim:node("server")
  local r = sim:node("router")
  for _, n in ipairs({ client, attacker, server }) do
    sim:duplex_link(n, r, { rate = "100Mbps", delay = "5ms" })
  end
  local timers = defence == "timeout" and { "linux", syn_received = P.syn_received } or "linux"
  local l = server:tcp{ timers = timers }:listen(80, {
    backlog = P.backlog, syncookies = defence == "cookies" and "on_overflow" or "off" })
  local ep = client:tcp{ timers = "linux" }
  local ok, times = 0, {}
  for i = 1, P.clients do
    sim:at(1 + i * 0.2, function()
      local t0 = sim:now()
      local c = ep:connect(server, 80)
      local timer = sim:after(P.deadline, function() c:abort() end)
      c:on("established", function()
        timer:cancel()
        ok = ok + 1
        times[#times + 1] = sim:now() - t0
        c:abort()
      end)
    end)
  end
  if rate > 0 then
    attacker:app{ "synflood", target = server:address(), port = 80, rate = rate, stop = 6 }
  end
  sim:run{ stop = 12 }
  local s = synack.summary(times)
  return ok / P.clients, s.mean, l:stats()
end

function experiment.run(P)
  local rates = P.fast and { 0, 100, 1000 } or { 0, 10, 30, 100, 300, 1000 }
  local rows, curves = {}, {}
  for k, d in ipairs(DEFENCES) do
    curves[k] = { name = d, t = {}, v = {}, style = "linepoints" }
    for _, rate in ipairs(rates) do
      local success, hs, ls = run(P, d, rate)
      rows[#rows + 1] = { defence = d, attack_rate = rate, success = success,
                          handshake_mean = hs, syn_queue_drops = ls.syn_queue_drops,
                          cookies_sent = ls.cookies_sent }
      curves[k].t[#curves[k].t + 1] = rate
      curves[k].v[#curves[k].v + 1] = success * 100
    end
  end
  synack.csv.mkdir(P.out)
  synack.csv.write(P.out .. "/syn_flood.csv", rows,
    { "defence", "attack_rate", "success", "handshake_mean", "syn_queue_drops", "cookies_sent" })
  synack.plot.lines(P.out .. "/syn_flood.svg", {
    title = string.format("Legitimate connections under a SYN flood (backlog %d)", P.backlog),
    xlabel = "attack rate (SYN/s)", ylabel = "clients established within the deadline (%)",
    ymin = 0, ymax = 100, series = curves })

  local top = rates[#rates]
  local at_top = {}
  for _, r in ipairs(rows) do if r.attack_rate == top then at_top[r.defence] = r end end
  if P.verbose then
    print(string.format("%d clients against a SYN flood; backlog %d, client deadline %g s.\n", P.clients, P.backlog, P.deadline))
    print("  defence   attack (SYN/s)  success  handshake (ms)  SYN drops  cookies")
    for _, r in ipairs(rows) do
      print(string.format("  %-8s  %14d  %6.0f %%  %14s  %9d  %7d", r.defence, r.attack_rate, r.success * 100,
        r.handshake_mean and string.format("%.1f", r.handshake_mean * 1e3) or "-", r.syn_queue_drops, r.cookies_sent))
    end
    print(string.format("\nThe backlog alone falls to a few SYNs a second; a %g s SYN_RECEIVED timeout holds", P.syn_received))
    print(string.format("up to about %d SYN/s (backlog / timeout); SYN cookies hold at any rate.", math.floor(P.backlog / P.syn_received)))
    print("Wrote " .. P.out .. "/syn_flood.csv and syn_flood.svg.\n")
  end
  return { attack_rate = top, success_backlog = at_top.backlog.success,
           success_timeout = at_top.timeout.success, success_cookies = at_top.cookies.success,
           handshake_cookies_ms = at_top.cookies.handshake_mean * 1e3 }
end

return experiment
