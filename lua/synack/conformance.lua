-- A packetdrill-style tester in virtual time.  A case file drives a fake
-- peer that injects TCP segments into the endpoint under test and asserts
-- every segment the endpoint sends back: its fields, its time, and that
-- nothing else is sent.
--
-- Case format, one directive per line; '#' starts a comment:
--
--   TIME < SEGMENT      the peer sends SEGMENT to the endpoint at TIME
--   TIME > SEGMENT      the endpoint must send SEGMENT, arriving at the
--                       peer between TIME and TIME + tolerance
--   tolerance SECONDS   the window for '>' lines (default 0.001)
--   ports PEER DUT      the peers' ports (default 40000 80)
--   rtt SECONDS         round-trip time of the link (default 0: none)
--   isn N               the endpoint's ISN (a fixed generator; default 0)
--   state_machine NAME  the endpoint's state-machine plugin (default rfc9293)
--   timers NAME         only run under this timer profile (default: the
--                       case runs under every profile it is given)
--   set KEY VALUE       a parameter of the timer profile ("set
--                       keepalive_time 10s")
--   listen              the endpoint listens on its port from the start
--   TIME connect        the endpoint connects to the peer's port
--   TIME close          the endpoint closes its connection
--   TIME abort          the endpoint aborts its connection
--   TIME state NAME     the endpoint's connection is in state NAME
--                       (LISTEN or CLOSED when there is none)
--
-- TIME is seconds from the start ("0.1") or from the previous line
-- ("+0.05").  SEGMENT is
--
--   FLAGS SEQ:END(LEN) [ack N] [win N]
--
-- FLAGS are letters S (SYN), F (FIN), R (RST), P (PSH) and '.' for ACK, as
-- packetdrill writes them ("S", "S.", "R.", "F.", "."); END - SEQ = LEN is
-- the payload length.  Sequence and acknowledgment numbers are absolute
-- (run the endpoint with a fixed ISN to know its numbers).  In a '>' line,
-- ack and win are checked only when given.  Every segment the endpoint
-- sends must match the next '>' line in order; a segment sent where none
-- is expected, or a '>' line with no segment, fails the case.  The case
-- ends with its last line (plus the tolerance): what the endpoint would
-- do later is not checked.  After a connect, the endpoint's port is the
-- ephemeral port of its first segment.
--
--   local conformance = require "synack.conformance"
--   local ok, report = conformance.run("tests/tcp/closed_syn.case")
local synack = require "synack"

local M = {}

-- packetdrill's flag letters: the hook's letter and send_raw's name.
local FLAG_BITS = { F = "F", S = "S", R = "R", P = "P", ["."] = "A", U = "U", E = "E", W = "C" }
local FLAG_NAMES = { F = "FIN", S = "SYN", R = "RST", P = "PSH", A = "ACK", U = "URG", E = "ECE", C = "CWR" }

-- "S." -> the letters as the hook reports them, in its order (FSRPAUEC).
local function canonical_flags(s, where)
  local set = {}
  for c in s:gmatch(".") do
    local f = FLAG_BITS[c]
    if not f then error(("%s: unknown flag '%s' in '%s'"):format(where, c, s), 0) end
    set[f] = true
  end
  local out = {}
  for c in ("FSRPAUEC"):gmatch(".") do
    if set[c] then out[#out + 1] = c end
  end
  return table.concat(out)
end

local function parse_segment(words, i, where)
  local seg = {}
  local flags = words[i]
  if not flags then error(where .. ": missing flags", 0) end
  seg.flags = canonical_flags(flags, where)
  local names = {}
  for c in seg.flags:gmatch(".") do names[#names + 1] = FLAG_NAMES[c] end
  seg.names = table.concat(names, "+")
  local range = words[i + 1]
  local a, b, len = (range or ""):match("^(%d+):(%d+)%((%d+)%)$")
  if not a then error(("%s: expected SEQ:END(LEN), got '%s'"):format(where, tostring(range)), 0) end
  seg.seq, seg.len = math.tointeger(a), math.tointeger(len)
  if math.tointeger(b) - seg.seq ~= seg.len then
    error(("%s: %s: END - SEQ must equal LEN"):format(where, range), 0)
  end
  i = i + 2
  while words[i] do
    local key, value = words[i], math.tointeger(words[i + 1])
    if (key ~= "ack" and key ~= "win") or not value then
      error(("%s: unexpected '%s' (options are 'ack N' and 'win N')"):format(where, key), 0)
    end
    seg[key] = value
    i = i + 2
  end
  return seg
end

-- Parses a case file into a list of steps and settings.
function M.parse(path)
  local f, err = io.open(path)
  if not f then error(err, 0) end
  local case = { steps = {}, tolerance = 0.001, peer_port = 40000, dut_port = 80, rtt = 0 }
  local t, n = 0, 0
  for line in f:lines() do
    n = n + 1
    local where = ("%s:%d"):format(path, n)
    line = line:gsub("#.*", "")
    local words = {}
    for w in line:gmatch("%S+") do words[#words + 1] = w end
    if #words == 0 then
      -- blank
    elseif words[1] == "tolerance" or words[1] == "rtt" then
      local v = tonumber(words[2])
      if not v or v < 0 then error(where .. ": expected a non-negative number of seconds", 0) end
      case[words[1]] = v
    elseif words[1] == "ports" then
      case.peer_port, case.dut_port = math.tointeger(words[2]), math.tointeger(words[3])
      if not case.peer_port or not case.dut_port then error(where .. ": expected two port numbers", 0) end
    elseif words[1] == "isn" then
      case.isn = math.tointeger(words[2])
      if not case.isn or case.isn < 0 or case.isn > 0xffffffff then error(where .. ": expected an ISN", 0) end
    elseif words[1] == "timers" then
      case.only_timers = words[2]
      if not case.only_timers then error(where .. ": expected a timer profile", 0) end
    elseif words[1] == "set" then
      if not words[2] or not words[3] then error(where .. ": expected 'set KEY VALUE'", 0) end
      case.timer_params = case.timer_params or {}
      case.timer_params[words[2]] = words[3]
    elseif words[1] == "state_machine" then
      case.sm = words[2]
      if not case.sm then error(where .. ": expected a state-machine plugin name", 0) end
    elseif words[1] == "listen" then
      case.listen = true
    else
      local rel, num = words[1]:match("^(%+?)([%d.]+)$")
      if not num or not tonumber(num) then error(("%s: expected a time, got '%s'"):format(where, words[1]), 0) end
      t = (rel == "+" and t or 0) + tonumber(num)
      local dir = words[2]
      if dir == "connect" or dir == "close" or dir == "abort" then
        case.steps[#case.steps + 1] = { time = t, dir = dir, where = where }
      elseif dir == "state" then
        if not words[3] then error(where .. ": expected a state name", 0) end
        case.steps[#case.steps + 1] = { time = t, dir = dir, state = words[3], where = where }
      elseif dir ~= "<" and dir ~= ">" then
        error(("%s: expected '<', '>', connect, close, abort or state after the time, got '%s'"):format(
          where, tostring(dir)), 0)
      else
        local seg = parse_segment(words, 3, where)
        seg.time, seg.dir, seg.where = t, dir, where
        case.steps[#case.steps + 1] = seg
      end
    end
  end
  f:close()
  return case
end

local function describe(p)
  return ("%s %d:%d(%d) ack %d win %d"):format(p.flags == "" and "-" or p.flags,
    p.seq, p.seq + p.len, p.len, p.ack, p.win)
end

-- Runs a case under a timer profile (default "rfc").  Returns true, or
-- false and a report of every mismatch; a case restricted to another
-- profile returns true, "skipped".
function M.run(path, timers)
  local case = M.parse(path)
  timers = timers or "rfc"
  if case.only_timers and case.only_timers ~= timers then return true, "skipped" end
  local sim = synack.simulator{}
  local peer, dut = sim:node("peer"), sim:node("dut")
  sim:duplex_link(peer, dut, {rate = "100Gbps", delay = case.rtt / 2})
  local tspec = {timers}
  for k, v in pairs(case.timer_params or {}) do tspec[k] = v end
  local ep = dut:tcp{isn = {"fixed", value = case.isn or 0}, timers = tspec,
                     state_machine = case.sm or "rfc9293"}
  local conn
  ep:on_state(function(c) conn = c end)
  if case.listen then ep:listen(case.dut_port) end
  local failures = {}
  local expected = {}
  for _, s in ipairs(case.steps) do
    if s.dir == ">" then expected[#expected + 1] = s end
  end
  local next_expected = 1
  local dut_port = case.dut_port
  local learn_port = false
  for _, st in ipairs(case.steps) do
    if st.dir == "connect" then learn_port = true end
  end
  peer:on_receive("tcp", function(p)
    if learn_port then
      dut_port, learn_port = p.sport, false
    end
    local now = sim:now()
    local e = expected[next_expected]
    if not e then
      failures[#failures + 1] = ("%.6f: unexpected segment %s"):format(now, describe(p))
      return
    end
    next_expected = next_expected + 1
    local bad = {}
    if p.flags ~= e.flags then bad[#bad + 1] = "flags" end
    if p.seq ~= e.seq then bad[#bad + 1] = "seq" end
    if p.len ~= e.len then bad[#bad + 1] = "len" end
    if e.ack and p.ack ~= e.ack then bad[#bad + 1] = "ack" end
    if e.win and p.win ~= e.win then bad[#bad + 1] = "win" end
    if p.sport ~= dut_port or p.dport ~= case.peer_port then bad[#bad + 1] = "ports" end
    if now < e.time - 1e-9 or now > e.time + case.tolerance then bad[#bad + 1] = "time" end
    if #bad > 0 then
      failures[#failures + 1] = ("%s: expected %s %d:%d(%d)%s%s at %.6f, got %s at %.6f (%s differ)"):format(
        e.where, e.flags, e.seq, e.seq + e.len, e.len,
        e.ack and (" ack " .. e.ack) or "", e.win and (" win " .. e.win) or "",
        e.time, describe(p), now, table.concat(bad, ", "))
    end
  end)
  for _, s in ipairs(case.steps) do
    if s.dir == "connect" then
      sim:at(s.time, function()
        local ok, e = pcall(ep.connect, ep, peer, case.peer_port)
        if not ok then failures[#failures + 1] = s.where .. ": connect failed: " .. tostring(e) end
      end)
    elseif s.dir == "close" or s.dir == "abort" then
      sim:at(s.time, function()
        if not conn or conn.state == "CLOSED" then
          failures[#failures + 1] = s.where .. ": no connection to " .. s.dir
        else
          conn[s.dir](conn)
        end
      end)
    elseif s.dir == "state" then
      sim:at(s.time, function()
        local got = conn and conn.state or (case.listen and "LISTEN" or "CLOSED")
        if got == "CLOSED" and case.listen then got = "LISTEN" end
        if got ~= s.state then
          failures[#failures + 1] = ("%s: expected state %s at %.6f, got %s"):format(s.where, s.state, s.time, got)
        end
      end)
    elseif s.dir == "<" then
      sim:at(s.time, function()
        peer:send_raw{to = dut, size = 40 + s.len, tcp = {
          sport = case.peer_port, dport = dut_port, seq = s.seq,
          ack = s.ack or 0, window = s.win or 65535, flags = s.names}}
      end)
    end
  end
  local last = 0
  for _, st in ipairs(case.steps) do last = math.max(last, st.time) end
  sim:run{stop = last + case.tolerance}
  for i = next_expected, #expected do
    local e = expected[i]
    failures[#failures + 1] = ("%s: expected %s %d:%d(%d) at %.6f, nothing was sent"):format(
      e.where, e.flags, e.seq, e.seq + e.len, e.len, e.time)
  end
  sim:close()
  if #failures > 0 then return false, table.concat(failures, "\n") end
  return true
end

return M
