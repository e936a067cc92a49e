-- Runs each example plugin with parameters and checks its effect; an
-- error (exit status 1) names what differs.  Build the plugins first:
--
--   make && SYNACK_PLUGIN_PATH=$PWD synack run check.lua [trace=FILE]
--
-- trace: where the loss test writes its ns-2-style trace (default
-- periodic.tr in the current directory).
local synack = require "synack"

local function check(cond, fmt, ...)
  if not cond then error(string.format(fmt, ...), 2) end
end

-- loss/periodic, every = 4, first = 1: of 10 packets a -> b, those with
-- indices 1, 5 and 9 are dropped.  The packets have sizes 100 + index, so
-- the trace's drop lines name them.
do
  local trace = synack.args.trace or "periodic.tr"
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  local l = sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms",
    ab = {loss = {"periodic", every = 4, first = 1}}})
  l:trace(trace)
  sim:at(0, function()
    for i = 0, 9 do a:send_raw{to = b, size = 100 + i} end
  end)
  sim:run()
  sim:close()
  local dropped = {}
  for line in io.lines(trace) do
    local size = line:match("^d %S+ %S+ %S+ %S+ (%d+) .*REASON=loss")
    if size then dropped[#dropped + 1] = tonumber(size) - 100 end
  end
  local got = table.concat(dropped, ",")
  check(got == "1,5,9", "loss/periodic dropped packets %s, expected 1,5,9", got)
  print("loss/periodic: dropped packets " .. got)
end

-- isn/counter, start = 4000000000, step = 300000000: the client's three
-- connections get ISNs 4000000000, 4300000000 and 4600000000 modulo 2^32,
-- and the server sees each as its IRS.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local client = a:tcp{isn = {"counter", start = 4000000000, step = 300000000}}
  local irs = {}
  b:tcp():listen(80, {}, function(conn) irs[#irs + 1] = conn.stats.irs end)
  local iss = {}
  for k = 0, 2 do
    sim:at(k * 0.1, function()
      local c = client:connect(b, 80)
      c:on("established", function(c)
        iss[#iss + 1] = c.stats.iss
        c:close()
      end)
    end)
  end
  sim:run()
  for k = 0, 2 do
    local want = (4000000000 + k * 300000000) % 2^32 // 1
    check(iss[k + 1] == want, "isn/counter: connection %d has ISS %s, expected %d",
          k + 1, tostring(iss[k + 1]), want)
    check(irs[k + 1] == want, "isn/counter: the server saw IRS %s for connection %d, expected %d",
          tostring(irs[k + 1]), k + 1, want)
  end
  sim:close()
  print("isn/counter: ISNs " .. table.concat(iss, ","))
end

-- cc/aimd: a transfer with cwnd sampled every 0.5 ms.  Without loss, cwnd
-- starts at initial segments and grows by `increase` segments for each
-- window of bytes acknowledged, so once every byte is acknowledged it
-- follows from the byte count alone.  With loss (loss/periodic on the
-- data direction), each fall of cwnd is to decrease times the window
-- (whole segments, at least min), the window being the last sample or at
-- most one increase above it.
local function transfer(loss)
  local P = {initial = 3, increase = 2, decrease = 0.7, min = 2}
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "10ms", ab = {loss = loss}})
  local client = a:tcp{cc = {"aimd", initial = P.initial, increase = P.increase,
                             decrease = P.decrease, min = P.min}}
  b:tcp():listen(80, {}, function() end)
  local samples, final, acked, conn = {}, nil, nil, nil
  local bytes = 2000000
  sim:at(0, function()
    conn = client:connect(b, 80)
    conn:on("established", function(c)
      c:sample("cwnd", 0.0005, function(t, w) samples[#samples + 1] = w end)
      c:send(bytes)
    end)
    conn:on("sent", function(c)
      final = c:info().cwnd
      acked = c.stats.bytes_acked
      c:abort()   -- ends the connection, and its sampling, at once
    end)
  end)
  sim:run()
  check(final, "cc/aimd: the transfer did not finish")
  check(acked == bytes, "cc/aimd: %d bytes acknowledged, expected %d", acked, bytes)
  local mss = samples[1] // P.initial
  check(samples[1] == P.initial * mss, "cc/aimd: first cwnd %d is not %d segments",
        samples[1], P.initial)
  sim:close()
  return P, mss, samples, final, acked
end

do
  local P, mss, samples, final, acked = transfer(nil)
  local w, counted = P.initial * mss, acked
  while counted >= w do counted = counted - w; w = w + P.increase * mss end
  check(final == w, "cc/aimd: cwnd %d after %d bytes acknowledged, expected %d",
        final, acked, w)
  for i = 2, #samples do
    check(samples[i] >= samples[i - 1] and (samples[i] - P.initial * mss) % (P.increase * mss) == 0,
          "cc/aimd: without loss, cwnd went from %d to %d", samples[i - 1], samples[i])
  end
  print(string.format("cc/aimd: without loss, cwnd %d segments after %d bytes", final // mss, acked))
end

do
  local P, mss, samples = transfer{"periodic", every = 200, first = 100}
  local falls = 0
  for i = 2, #samples do
    local before, after = samples[i - 1], samples[i]
    if after < before then
      local ok = false
      for _, win in ipairs{before, before + P.increase * mss} do
        local want = math.max(math.floor(P.decrease * win) // mss * mss, P.min * mss)
        if after == want then ok = true end
      end
      check(ok, "cc/aimd: cwnd fell from %d to %d, not by the factor %g",
            before, after, P.decrease)
      falls = falls + 1
    end
  end
  check(falls > 0, "cc/aimd: cwnd never fell under loss")
  print(string.format("cc/aimd: under loss, cwnd fell %d times, each by %g", falls, P.decrease))
end

-- tcp/quickclose on both sides, timers {"rfc", time_wait = "5s"}.  An
-- ordinary connection: the handshake, 3000 bytes from the client and
-- 2000 from the server, then the client closes, and the server 5 ms after
-- the client's FIN.  Every byte arrives and the client's record goes
-- FIN_WAIT_2 -> CLOSED without TIME_WAIT, so that its port can be used
-- again as soon as the server's record is gone too.  With time_wait =
-- true (RFC 9293) the client waits 5 s in TIME_WAIT and the port is in
-- use.  lose: the client's final ACK is lost; then the server's
-- retransmitted FIN finds no record under quickclose and meets a reset,
-- and is answered from TIME_WAIT under RFC 9293.
local function quickclose(time_wait, lose)
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms", ab = {loss = lose and
    {"match", flags = "ACK", has_data = "no", direction = "forward", nth = 2} or nil}})
  local opts = {state_machine = {"quickclose", time_wait = time_wait},
                timers = {"rfc", time_wait = "5s"}}
  local client, server = a:tcp(opts), b:tcp(opts)
  local r = {client = {}, server = {}, got = {client = 0, server = 0}}
  local up, down = lose and 0 or 3000, lose and 0 or 2000
  local accepted = 0
  server:listen(80, {}, function(c)
    accepted = accepted + 1
    if accepted > 1 then return end -- the port's reuse
    c:on("data", function(_, n) r.got.server = r.got.server + n end)
    c:on("state", function(c, _, to)
      r.server[#r.server + 1] = to
      if to == "CLOSE_WAIT" then sim:after(0.005, function() c:close() end) end
      if to ~= "CLOSED" then return end
      r.rst_in = server:stats().rst_in
      -- both records gone under quickclose: the client's port is free
      sim:after(0.001, function()
        local ok, e = pcall(client.connect, client, b, 80, {lport = 40000})
        r.reuse = ok and "connected" or tostring(e)
        if ok then e:on("established", function(c) r.reused = true; c:abort() end) end
      end)
    end)
    if down > 0 then c:send(down) end
  end)
  sim:at(0, function()
    local c = client:connect(b, 80, {lport = 40000})
    local sent = up == 0
    local function maybe_close(c)
      if sent and r.got.client == down and c.state == "ESTABLISHED" then c:close() end
    end
    c:on("state", function(c, _, to)
      r.client[#r.client + 1] = to
      r.client[to] = sim:now()
      if to == "ESTABLISHED" then
        if up > 0 then c:send(up) end
        maybe_close(c)
      end
    end)
    c:on("data", function(c, n) r.got.client = r.got.client + n; maybe_close(c) end)
    c:on("sent", function(c) sent = true; maybe_close(c) end)
  end)
  sim:run{stop = 60}
  sim:close()
  r.path = table.concat(r.client, " ", 1, #r.client)
  check(r.got.server == up and r.got.client == down,
        "tcp/quickclose: %d of %d bytes arrived at the server, %d of %d at the client",
        r.got.server, up, r.got.client, down)
  return r
end

do
  local r = quickclose(false)
  check(r.path == "ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 CLOSED",
        "tcp/quickclose: the client went %s", r.path)
  local s = table.concat(r.server, " ")
  check(s == "CLOSE_WAIT LAST_ACK CLOSED", "tcp/quickclose: the server went %s", s)
  check(r.client.CLOSED - r.client.FIN_WAIT_2 < 0.1,
        "tcp/quickclose: the client closed %.3f s after FIN_WAIT_2",
        r.client.CLOSED - r.client.FIN_WAIT_2)
  check(r.reuse == "connected" and r.reused, "tcp/quickclose: the port was not free: %s",
        tostring(r.reuse))
  check(r.rst_in == 0, "tcp/quickclose: the server received %s resets", tostring(r.rst_in))

  local w = quickclose(true)
  check(w.path == "ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT CLOSED",
        "tcp/quickclose, time_wait = true: the client went %s", w.path)
  local tw = w.client.CLOSED - w.client.TIME_WAIT
  check(math.abs(tw - 5) < 1e-6, "tcp/quickclose, time_wait = true: TIME_WAIT lasted %g s", tw)
  check(w.reuse and w.reuse:find("in use", 1, true),
        "tcp/quickclose, time_wait = true: reusing the port gave %s", tostring(w.reuse))

  local lost, kept = quickclose(false, true), quickclose(true, true)
  check(lost.rst_in == 1 and kept.rst_in == 0,
        "tcp/quickclose: with the final ACK lost, the server received %s resets (%s with TIME_WAIT), expected 1 (0)",
        tostring(lost.rst_in), tostring(kept.rst_in))
  print(string.format("tcp/quickclose: %s; with TIME_WAIT %g s; final ACK lost: %d reset",
        r.path, tw, lost.rst_in))
end
