-- The synack side of tests/tun.sh, through a TUN device: mode=server (echo
-- what a Linux client sends), mode=client (1 MB each way with a Linux
-- server) or mode=refused (a connection to a closed Linux port).  Prints
-- "ready" once listening or before connecting, a "result ..." line, and
-- the real-time lag; writes the state log to log=FILE.
local synack = require "synack"
local A = synack.args

local sim = synack.simulator{realtime = true}
local node = sim:node("synack")
local tun = node:tun{name = A.dev, address = A.address, peer = A.peer, pcap = A.pcap}
-- Ladders work on the emulated interface as on a link.
local rec = A.ladder and sim:record()
local ep = node:tcp{}
ep:state_log(A.log)
io.stdout:setvbuf("line")
local SIZE = 1000000
local PORT = math.tointeger(tonumber(A.port))

-- The byte pattern both sides send: byte i is i % 251 (made once, before
-- the run, so that it costs the run nothing).
local PATTERN
do
  local t = {}
  for i = 0, 250 do t[#t + 1] = string.char(i) end
  PATTERN = string.rep(table.concat(t), SIZE // 251 + 1):sub(1, SIZE)
end
local function pattern(from, n) return PATTERN:sub(from + 1, from + n) end

local result
if A.mode == "server" then
  ep:listen(PORT, function(c)
    local got = 0
    c:on("data", function(c, n, bytes)
      got = got + n
      c:send(bytes)
    end)
    c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end)
    c:on("closed", function(c, why)
      result = string.format("result server received=%d sent=%d close=%s", got, c.stats.bytes_acked, why)
      sim:stop()
    end)
  end)
  print("ready")
elseif A.mode == "client" then
  local got, ok = 0, true
  sim:at(0, function()
    local c = ep:connect(A.server, PORT)
    c:on("established", function(c)
      c:send(pattern(0, SIZE))
      c:shutdown()  -- half-close: the server still sends
    end)
    c:on("data", function(c, n, bytes)
      if bytes ~= pattern(got, n) then ok = false end
      got = got + n
    end)
    -- Done when both FINs are acknowledged (TIME_WAIT would last minutes).
    c:on("state", function(c, _, to)
      if to == "TIME_WAIT" or to == "CLOSED" then
        result = string.format("result client received=%d intact=%s acked=%d state=%s", got, ok, c.stats.bytes_acked, to)
        sim:stop()
      end
    end)
  end)
  print("ready")
elseif A.mode == "refused" then
  sim:at(0.01, function()
    local t0 = sim:now()
    ep:connect(A.server, PORT):on("reset", function(c, why)
      result = string.format("result refused why=%s after_ms=%.3f", why, (sim:now() - t0) * 1e3)
      sim:stop()
    end)
  end)
  print("ready")
end
-- A 1 ms ticker: events whose lag measures how well the run keeps time
-- while the traffic is handled.
local function tick() sim:after(0.001, tick) end
sim:at(0, tick)
local stop = sim:run{stop = tonumber(A.timeout) or 30}
print(result or ("result none (run ended: " .. stop .. ")"))
if rec then rec:ladder(A.ladder, {connection = 1}) end
local lag, st = sim:lag(), tun:stats()
print(string.format("lag events=%d inputs=%d max_ms=%.3f mean_ms=%.4f", lag.events, lag.inputs, lag.max * 1e3, lag.mean * 1e3))
print(string.format("tun rx=%d tx=%d rx_dropped=%d tx_dropped=%d", st.rx_packets, st.tx_packets, st.rx_dropped, st.tx_dropped))
