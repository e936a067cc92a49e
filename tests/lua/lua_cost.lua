-- What the Lua layer makes for a script: a connection gets a box only
-- when Lua is given it, a handler table only when a handler is set on
-- it; the connection table is kept only when asked for before the first
-- connection.  Handlers get the same strings as ever.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails

-- n connections from a to b:80; `server` sets up b's side.
local function storm(n, server, before)
  local sim = synack.simulator{seed = 1}
  if before then before(sim) end
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "1Gbps", delay = "1ms"})
  local ep = a:tcp()
  server(b:tcp(), sim)
  for _ = 1, n do ep:connect(b, 80) end
  sim:run{stop = 1}
  return sim, sim:lua_stats()
end

local none = function(ep) ep:listen(80) end

-- The server's side is never given to Lua: no box for it, whatever n.
for _, n in ipairs{100, 1000} do
  local sim, st = storm(n, none)
  eq(st.conn_boxes_made, n, n .. " connections: boxes made (the clients' only)")
  eq(st.conn_boxes, n, n .. " connections: boxes alive")
  eq(st.conn_handlers, 0, n .. " connections: no handler table")
end

-- An accept handler is given the server's side; a handler table only
-- where a handler was set.
do
  local _, st = storm(50, function(ep) ep:listen(80, function() end) end)
  eq(st.conn_boxes_made, 100, "accepted connections passed to the handler")
  eq(st.conn_handlers, 0, "no conn:on, no handler table")
  _, st = storm(50, function(ep)
    ep:listen(80, function(c) c:on("state", function() end) end)
  end)
  eq(st.conn_boxes_made, 100, "boxes with handlers")
  eq(st.conn_handlers, 50, "one handler table per conn:on'd connection")
  _, st = storm(50, function(ep) ep:listen(80); ep:on_state(function() end) end)
  eq(st.conn_boxes_made, 100, "ep:on_state is given every connection of its endpoint")
end

-- Boxes of freed connections are forgotten: refused connections.
do
  local _, st = storm(20, function() end)
  eq(st.conn_boxes_made, 20, "refused: boxes made")
  eq(st.conn_boxes, 0, "refused: every record freed, every box emptied")
end

-- Handlers get the same strings, in the same order: states, causes and
-- events.
do
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local log = {}
  local function put(...) log[#log + 1] = table.concat({...}, " ") end
  b:tcp():listen(80, function(conn)
    conn:on("state", function(_, from, to, cause)
      put("server", from, to, cause)
      if to == "CLOSE_WAIT" then conn:close() end
    end)
  end)
  b:tcp():on_state(function(_, from, to, cause) put("ep", from, to, cause) end)
  local ep = a:tcp()
  sim:at(0, function()
    ep:connect(b, 80)
      :on("state", function(_, from, to, cause) put("client", from, to, cause) end)
      :on("established", function(x) put("established"); x:send("hello"); x:close() end)
      :on("sent", function() put("sent") end)
      :on("data", function(_, n) put("data", n) end)
      :on("closed", function(_, cause) put("closed", cause) end)
    ep:connect(b, 81)
      :on("reset", function(_, cause) put("reset", cause) end)
      :on("closed", function(_, cause) put("closed 81", cause) end)
  end)
  sim:run()
  eq(table.concat(log, "\n"), table.concat({
    "ep LISTEN SYN_RECEIVED syn",
    "client SYN_SENT ESTABLISHED syn-ack",
    "established",
    "client ESTABLISHED FIN_WAIT_1 close",
    "reset refused",
    "closed 81 reset",
    "ep SYN_RECEIVED ESTABLISHED ack",
    "ep ESTABLISHED CLOSE_WAIT fin",
    "server ESTABLISHED CLOSE_WAIT fin",
    "ep CLOSE_WAIT LAST_ACK close",
    "server CLOSE_WAIT LAST_ACK close",
    "sent",
    "client FIN_WAIT_1 FIN_WAIT_2 ack of fin",
    "client FIN_WAIT_2 TIME_WAIT fin",
    "ep LAST_ACK CLOSED ack of fin",
    "server LAST_ACK CLOSED ack of fin",
    "client TIME_WAIT CLOSED time_wait",
    "closed time_wait",
  }, "\n"), "the handlers' calls")
end

-- The connection table, asked for before the first connection, has every
-- connection, given to Lua or not, exactly.
do
  local sim = storm(30, none, function(s) eq(#s:tcp_table(), 0, "empty before") end)
  local rows = sim:tcp_table()
  eq(#rows, 60, "a row for each side")
  local clients, servers = 0, 0
  for i, r in ipairs(rows) do
    eq(r.id, i, "row order")
    eq(r.state, "ESTABLISHED", "row " .. i .. " state")
    eq(r.handshake_time ~= nil, true, "row " .. i .. " handshake time")
    if r.side == "client" then clients = clients + 1 else servers = servers + 1 end
  end
  eq(clients, 30, "client rows")
  eq(servers, 30, "server rows")
  eq(sim:totals().tcp_connections, 60, "totals")
  eq(sim:totals().tcp_established, 60, "totals established")
end

-- Asked for once the network and its listeners exist, but before any
-- connection: kept too.  And a recorder keeps it.
do
  local sim = storm(5, function(ep, s) ep:listen(80); s:tcp_table() end)
  eq(#sim:tcp_table(), 10, "asked for after listen, before connect")
  sim = storm(5, function(ep, s) ep:listen(80); s:record() end)
  eq(#sim:tcp_table(), 10, "a recorder keeps the table")
end

-- Asked for late: an error saying what to call first, for each of the
-- calls that read the table.
do
  local sim = storm(5, none)
  local what = "call sim:tcp_table() (or sim:record()) before the first connection"
  fails("tcp_table: the connection table was not kept: " .. what, function() sim:tcp_table() end)
  fails("write_tcp_csv: the connection table was not kept", function() sim:write_tcp_csv(os.tmpname()) end)
  fails("totals: the connection table was not kept", function() sim:totals() end)
  -- a simulation without connections has an empty table whenever asked
  local quiet = synack.simulator{}
  local a, b = quiet:node("a"), quiet:node("b")
  quiet:duplex_link(a, b, {rate = "1Gbps", delay = "1ms"})
  b:tcp():listen(80)
  quiet:after(1, function() end)
  quiet:run()
  eq(#quiet:tcp_table(), 0, "no connection: an empty table")
  eq(quiet:totals().tcp_connections, 0, "no connection: totals")
end

-- Connections given the same handlers share a handler table: one per
-- conn:on in the chain, not one per connection; every connection's
-- handlers are still called, and a connection given other handlers
-- later gets its own table without changing the others'.
do
  local est, closed, other = 0, 0, 0
  local function on_est(c) est = est + 1 end
  local function on_closed() closed = closed + 1 end
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "1Gbps", delay = "1ms"})
  b:tcp():listen(80)
  local ep, conns = a:tcp(), {}
  for i = 1, 40 do
    conns[i] = ep:connect(b, 80):on("established", on_est):on("closed", on_closed)
  end
  conns[40]:on("established", function() other = other + 1 end)
  sim:run{stop = 1}
  local st = sim:lua_stats()
  eq(st.conn_handlers, 3, "40 connections with the same two handlers, one with another")
  eq(est, 39, "the shared established handler, for each connection but the last")
  eq(other, 1, "the last connection's own")
  eq(closed, 0, "no connection closed")
end

-- A freed connection's conn.stats and conn:info() are what they were when
-- it went (the same values as read in its closed handler), the same
-- tables at every read.
do
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  b:tcp():listen(80, function(conn)
    conn:on("state", function(_, _, to) if to == "CLOSE_WAIT" then conn:close() end end)
  end)
  local at_close, info_at_close
  local c
  sim:at(0, function()
    c = a:tcp():connect(b, 80)
      :on("established", function(x) x:send(3000); x:close() end)
      :on("closed", function(x)
        at_close, info_at_close = {}, {}
        for k, v in pairs(x.stats) do at_close[k] = v end
        for k, v in pairs(x:info()) do info_at_close[k] = v end
      end)
  end)
  sim:run()
  eq(sim:lua_stats().conn_boxes, 0, "the record is freed")
  local st, info = c.stats, c:info()
  check(st == c.stats and info == c:info(), "the same tables at every read")
  local n = 0
  for k, v in pairs(at_close) do
    eq(st[k], v, "stats." .. k .. " after the record went")
    n = n + 1
  end
  check(n >= 40, "every counter compared")
  for k, v in pairs(info_at_close) do eq(info[k], v, "info." .. k .. " after the record went") end
  for k in pairs(st) do check(at_close[k] ~= nil, "no other field: " .. k) end
  eq(st.state, "CLOSED", "stats.state")
  eq(st.bytes_acked, 3000, "the data acknowledged")
  eq(c.state, "CLOSED", "conn.state")
end
