-- rec:states' rule and the ladders' footnotes and tooltips: the RFC
-- section or the timer profile's parameter behind each state change.
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local synack = require "synack"

-- The states of every recorded connection, side by side, as
-- "side FROM>TO cause" -> rule.
local function rules(rec)
  local out = {}
  for i = 1, #rec:connections() do
    for _, s in ipairs(rec:states{connection = i}) do
      out[#out + 1] = s
    end
  end
  return out
end

local function rule_of(list, side, from, to, cause)
  for _, s in ipairs(list) do
    if s.side == side and s.from == from and s.to == to and (not cause or s.cause == cause) then
      return s.rule, s
    end
  end
  error(string.format("no %s %s -> %s (%s) among %d state changes", side, from, to,
    tostring(cause), #list), 2)
end

local function pair(timers)
  local sim = synack.simulator{seed = 3}
  local a, b = sim:node("client"), sim:node("server")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "5ms"})
  local rec = sim:record()
  return sim, rec, a:tcp{timers = timers}, b:tcp{timers = timers}, a, b
end

-- An active and a passive open, then the client closes first and goes
-- through TIME_WAIT; the server answers the FIN with its own.
do
  local sim, rec, ea, eb, _, b = pair("rfc")
  eb:listen(80, function(c)
    c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end)
  end)
  sim:at(0, function()
    local c = ea:connect(b, 80)
    c:on("established", function(c) sim:after(0.1, function() c:close() end) end)
  end)
  sim:run()
  local l = rules(rec)
  T.eq(rule_of(l, "client", "CLOSED", "SYN_SENT"), "RFC 9293 3.10.1", "connect")
  T.eq(rule_of(l, "client", "SYN_SENT", "ESTABLISHED"), "RFC 9293 3.10.7.3", "SYN-ACK")
  T.eq(rule_of(l, "server", "LISTEN", "SYN_RECEIVED"), "RFC 9293 3.10.7.2", "SYN to a listener")
  T.eq(rule_of(l, "server", "SYN_RECEIVED", "ESTABLISHED"), "RFC 9293 3.10.7.4", "final ACK")
  T.eq(rule_of(l, "client", "ESTABLISHED", "FIN_WAIT_1"), "RFC 9293 3.10.4", "close")
  T.eq(rule_of(l, "client", "FIN_WAIT_2", "TIME_WAIT"), "RFC 9293 3.10.7.4", "FIN")
  T.eq(rule_of(l, "client", "TIME_WAIT", "CLOSED"), "RFC 9293 3.10.8", "TIME_WAIT's end")
  T.eq(rule_of(l, "server", "CLOSE_WAIT", "LAST_ACK"), "RFC 9293 3.10.4", "close")
  for _, s in ipairs(l) do
    T.check(type(s.rule) == "string" and #s.rule > 0, "every change has a rule: %s", T.show(s))
  end

  -- the text ladder: a marker per state change, its footnote under it
  local text = rec:ladder_text{connection = 1}
  T.check(text:find("(syn-ack) [3]", 1, true), "marker of the third change:\n%s", text)
  T.check(text:find("\n *%[3%] ESTABLISHED: syn%-ack %(RFC 9293 3%.10%.7%.3%)\n"),
    "footnote:\n%s", text)
  local notes = 0
  for _ in text:gmatch("\n *%[%d+%] [A-Z_12]+: [^\n]+%(RFC [^\n]+%)") do notes = notes + 1 end
  T.eq(notes, #rec:states{connection = 1}, "a footnote per state change")
  for line in text:gmatch("[^\n]+") do
    T.check(#line <= 80, "line longer than 80 columns: %q", line)
  end
  -- the SVG ladder: the rule in the state label's tooltip
  local dir = T.tmpdir()
  rec:ladder(dir .. "/l.svg", {connection = 1})
  local svg = T.read(dir .. "/l.svg")
  T.check(svg:find("<title>SYN_SENT -&gt; ESTABLISHED (syn-ack): RFC 9293 3.10.7.3</title>", 1, true),
    "SVG tooltip:\n%s", svg)
  T.rmdir(dir)
end

-- Resets: a SYN to a closed port (SYN_SENT), an abort in ESTABLISHED and
-- the reset it sends (RFC 5961's exact match).
do
  local sim, rec, ea, eb, _, b = pair("rfc")
  eb:listen(80, function(c) sim:after(0.05, function() c:abort() end) end)
  sim:at(0, function() ea:connect(b, 81) end)
  sim:at(1, function() ea:connect(b, 80) end)
  sim:run()
  local l = rules(rec)
  T.eq(rule_of(l, "client", "SYN_SENT", "CLOSED", "reset"), "RFC 9293 3.10.7.3", "refused")
  T.eq(rule_of(l, "server", "ESTABLISHED", "CLOSED", "abort"), "RFC 9293 3.10.5", "abort")
  T.eq(rule_of(l, "client", "ESTABLISHED", "CLOSED", "reset"), "RFC 5961 3", "reset")
end

-- linux: an orphan's FIN_WAIT_2 times out (tcp_fin_timeout); a SYN ends
-- a TIME_WAIT (tw_syn_accept).
do
  local sim, rec, ea, eb, _, b = pair("linux")
  local port
  -- the server closes first and keeps the TIME_WAIT; the client's next
  -- connection from the same port ends it
  eb:listen(80, function(c) sim:after(0.05, function() c:close() end) end)
  sim:at(0, function()
    local c = ea:connect(b, 80)
    c:on("established", function(c) port = c.stats.lport end)
    c:on("state", function(c, _, to) if to == "CLOSE_WAIT" then c:close() end end)
  end)
  sim:at(5, function() ea:connect(b, 80, {lport = port}) end)
  -- the client closes a connection whose server never does: the orphan
  -- in FIN_WAIT_2 times out
  eb:listen(81, function() end)
  sim:at(10, function()
    local c = ea:connect(b, 81)
    c:on("established", function(c) c:close() end)
  end)
  sim:run()
  local l = rules(rec)
  T.eq(rule_of(l, "server", "TIME_WAIT", "CLOSED", "syn"), "linux: tw_syn_accept", "tw_syn_accept")
  T.eq(rule_of(l, "client", "FIN_WAIT_2", "CLOSED"), "linux: fin_wait2 (tcp_fin_timeout)",
    "FIN_WAIT_2 timeout")
end

-- A simultaneous open: under linux the crossed SYN-ACK completes it
-- (crossed_synack), under rfc the ACK that follows does.
for _, t in ipairs{{"linux", "crossed syn-ack", "linux: crossed_synack"},
                   {"rfc", "ack", "RFC 9293 3.10.7.4"}} do
  local sim, rec, ea, eb, a, b = pair(t[1])
  sim:at(0, function()
    ea:connect(b, 2000, {lport = 1000})
    eb:connect(a, 1000, {lport = 2000})
  end)
  sim:run{stop = 1}
  local l = rules(rec)
  T.eq(rule_of(l, "client", "SYN_SENT", "SYN_RECEIVED"), "RFC 9293 3.10.7.3", "crossed SYNs")
  local rule, s = rule_of(l, "client", "SYN_RECEIVED", "ESTABLISHED")
  T.eq(s.cause, t[2], t[1] .. ": the cause")
  T.eq(rule, t[3], t[1] .. ": the rule")
end
print("ok")
