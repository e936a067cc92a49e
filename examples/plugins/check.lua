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
