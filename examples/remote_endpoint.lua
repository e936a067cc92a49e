-- remote_endpoint.lua: a synack TCP endpoint driven live by another program.
--
-- The simulator runs in real time and reads commands from standard input,
-- one per line; it answers, and reports what its connections do, on
-- standard output, one line per event, each starting with the time (s).
-- Another program (a test, a teaching tool, a person at a terminal) can so
-- open, use and close connections of synack's TCP while they run.
--
-- Commands (ID: the number a connection got in its "conn" or "accepted"
-- line):
--   listen PORT            listen; answer "listening PORT"
--   connect ADDR PORT      open a connection; answer "conn ID ADDR PORT"
--   send ID N              queue N bytes of (virtual, zero) data
--   write ID TEXT          queue the bytes of TEXT (the rest of the line)
--   close ID               close: a FIN after the queued data
--   abort ID               abort: a RST, the connection is gone
--   quit                   abort every connection and end the run
-- A command that fails answers "error MESSAGE"; the end of the input is a
-- quit.  Events:
--   accepted ID PORT       a connection to a listening PORT is established
--   state ID FROM TO CAUSE every state change (FROM = CLOSED for a new one)
--   data ID N TOTAL        N bytes arrived (TOTAL so far)
--   sent ID                every byte queued so far is acknowledged
--   reset ID WHY           the peer reset it ("refused" or "reset")
--   closed ID              the connection is gone
--
-- Without a device the endpoint (10.0.1.1) has a simulated peer at
-- 10.0.1.2, 1 ms away, that echoes whatever arrives on port 7:
--   printf 'connect 10.0.1.2 7\nwrite 1 hello\nclose 1\n' | synack run examples/remote_endpoint.lua
-- With dev=NAME it talks to the Linux kernel through a TUN device
-- (root, or CAP_NET_ADMIN; see "Emulation" in the README):
--   synack run examples/remote_endpoint.lua dev=syn0 address=192.0.2.2/24 peer=192.0.2.1
-- then, in another shell, `nc 192.0.2.2 PORT` after "listen PORT", or
-- "connect 192.0.2.1 PORT" to a Linux listener.
local synack = require "synack"

local experiment = {
  params = { dev = "", address = "192.0.2.2/24", peer = "", verbose = true },
}

function experiment.run(P)
  local sim = synack.simulator{realtime = true}
  local node = sim:node("endpoint")
  if P.dev ~= "" then
    node:tun{name = P.dev, address = P.address, peer = P.peer ~= "" and P.peer or nil}
  else
    local peer = sim:node("peer")
    sim:duplex_link(node, peer, {rate = "100Mbps", delay = "1ms"})
    peer:tcp{}:listen(7, function(c)
      c:on("data", function(c, n, bytes) c:send(bytes or n) end)
      c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end)
    end)
  end
  local ep = node:tcp{}
  io.stdout:setvbuf("line")
  local function say(fmt, ...)
    io.stdout:write(string.format("%.6f " .. fmt .. "\n", sim:now(), ...))
  end

  -- Connections by number, and numbers by connection.
  local conns, ids, count, received = {}, {}, 0, {}
  local function number(c)
    if not ids[c] then
      count = count + 1
      ids[c], conns[count], received[count] = count, c, 0
      c:on("data", function(c, n) received[ids[c]] = received[ids[c]] + n
        say("data %d %d %d", ids[c], n, received[ids[c]]) end)
      c:on("sent", function(c) say("sent %d", ids[c]) end)
      c:on("reset", function(c, why) say("reset %d %s", ids[c], why) end)
      c:on("closed", function(c) say("closed %d", ids[c]); conns[ids[c]] = nil end)
    end
    return ids[c]
  end
  ep:on_state(function(c, from, to, cause) say("state %d %s %s %s", number(c), from, to, cause) end)

  local commands = {}
  local function conn_arg(id)
    local c = conns[tonumber(id)]
    if not c then error("no connection " .. tostring(id), 0) end
    return c
  end
  local function quit()
    for _, c in pairs(conns) do pcall(c.abort, c) end
    sim:unwatch(io.stdin)
    sim:stop()
  end
  function commands.listen(port)
    port = assert(math.tointeger(tonumber(port)), "listen PORT")
    ep:listen(port, function(c) say("accepted %d %d", number(c), port) end)
    say("listening %d", port)
  end
  function commands.connect(addr, port)
    port = assert(math.tointeger(tonumber(port)), "connect ADDR PORT")
    local c = ep:connect(addr, port)
    say("conn %d %s %d", number(c), addr, port)
  end
  function commands.send(id, n) conn_arg(id):send(assert(math.tointeger(tonumber(n)), "send ID N")) end
  function commands.write(id, text) conn_arg(id):send(text) end
  function commands.close(id) conn_arg(id):close() end
  function commands.abort(id) conn_arg(id):abort() end
  commands.quit = quit

  local ncommands = 0
  sim:watch(io.stdin, function(line)
    if not line then return quit() end
    local cmd, rest = line:match("^%s*(%S+)%s*(.-)%s*$")
    if not cmd then return end
    ncommands = ncommands + 1
    local f = commands[cmd]
    local args = {}
    if cmd == "write" then
      args[1], args[2] = rest:match("^(%S+) ?(.*)$")
    else
      for a in rest:gmatch("%S+") do args[#args + 1] = a end
    end
    local ok, err = pcall(f or error, f and args[1] or "unknown command '" .. cmd .. "'", args[2])
    if not ok then say("error %s", (tostring(err):gsub("^.-:%d+: ", ""))) end
  end)
  sim:run()
  local lag = sim:lag()
  sim:close()
  return { commands = ncommands, connections = count,
           lag_max_ms = lag.max * 1e3, lag_mean_ms = lag.mean * 1e3 }
end

return experiment
