-- TCP Fast Open (tcp/fastopen, RFC 7413) saves a round trip: two
-- request/response exchanges between the same pair of nodes, each on a
-- new connection whose request is queued right after the connect.  The
-- first connection asks for a cookie: its request goes after the
-- handshake and its response arrives two round trips after the connect.
-- The second sends the cookie and the request on the SYN; the server
-- delivers the request at once and answers before the handshake
-- completes: the response arrives one round trip after the connect.
-- Times are virtual: exact, but for the links' serialization (a few
-- microseconds here).  Under tcp/rfc9293 both take two round trips.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local DELAY = 0.010          -- one way
local RTT = 2 * DELAY
local REQ, RESP = 300, 2000  -- bytes
local SLACK = 20e-6          -- serialization at 10 Gbps, a few segments

-- Runs two exchanges at 0 and 1 s; returns how long each took, and the
-- server's data delivered before its connection was ESTABLISHED.
local function exchanges(sm)
  local sim = synack.simulator{}
  local a, b = sim:node("client"), sim:node("server")
  sim:duplex_link(a, b, {rate = "10Gbps", delay = DELAY})
  -- Nagle off: the response's last, short segment goes at once
  local spec = {state_machine = {sm, nagle = false}}
  local ta, tb = a:tcp(spec), b:tcp(spec)
  local early = 0
  tb:listen(80, function(c)
    local got = 0
    c:on("data", function(conn, n)
      if conn.state == "SYN_RECEIVED" then early = early + n end
      got = got + n
      if got == REQ then conn:send(RESP) end
    end)
  end)
  local took = {}
  for i, at in ipairs{0, 1} do
    sim:at(at, function()
      local c = ta:connect(b, 80)
      c:send(REQ)
      local got = 0
      c:on("data", function(_, n)
        got = got + n
        if got == RESP then took[i] = sim:now() - at end
      end)
    end)
  end
  sim:run{stop = 2}
  sim:close()
  return took, early
end

local function near(got, want, what)
  check(got and got >= want - 1e-9 and got <= want + SLACK,
        "%s: %s s, expected %g s (+%g)", what, tostring(got), want, SLACK)
end

local took, early = exchanges("fastopen")
near(took[1], 2 * RTT, "fastopen, first exchange (cookie request)")
near(took[2], RTT, "fastopen, second exchange (cookie and data on the SYN)")
eq(early, REQ, "request bytes delivered in SYN_RECEIVED")

-- The same exchanges without Fast Open: two round trips each.
took, early = exchanges("rfc9293")
near(took[1], 2 * RTT, "rfc9293, first exchange")
near(took[2], 2 * RTT, "rfc9293, second exchange")
eq(early, 0, "rfc9293 delivers nothing before the handshake")
