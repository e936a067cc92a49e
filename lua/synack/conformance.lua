-- A packetdrill-style tester in virtual time.  A case file drives a fake
-- peer that injects TCP segments into the endpoint under test and asserts
-- every segment the endpoint sends back: its fields, its time, and that
-- nothing else is sent.
--
-- Case format, one directive per line; '#' starts a comment.  Settings
-- (anywhere in the file; they apply to the whole case):
--
--   tolerance SECONDS   the window for '>' lines (default 0.001)
--   ports PEER DUT      the peers' ports (default 40000 80)
--   rtt SECONDS         round-trip time of the link (default 0: none)
--   isn N               the endpoint's ISN (a fixed generator; default 0)
--   state_machine NAME  the endpoint's state-machine plugin (default rfc9293)
--   timers NAME         only run under this timer profile (default: the
--                       case runs under every profile it is given)
--   set KEY VALUE       a parameter of the timer profile ("set
--                       keepalive_time 10s", "set delack 200ms")
--   sm KEY VALUE        a parameter of the state-machine plugin (rfc9293:
--                       mss, window_scaling, wscale, timestamps, sack,
--                       sndbuf, rcvbuf, initial_window, nagle,
--                       challenge_ack_limit); a VALUE of digits is a
--                       number (bytes for sizes), other values go to the
--                       plugin as strings ("on", "off", "64KiB")
--   mss N               short for 'sm mss N': the MSS the endpoint
--                       announces in its SYN or SYN-ACK
--   sndbuf N, rcvbuf N  short for 'sm sndbuf N', 'sm rcvbuf N' (bytes;
--                       rcvbuf is the largest window the endpoint offers)
--   initial_window N    short for 'sm initial_window N' (segments)
--   nagle on|off        short for 'sm nagle on|off'
--   autoread on|off     'off': the endpoint's user reads only what 'read'
--                       lines read (conn:set{autoread = false} as soon as
--                       the connection exists), so unread bytes fill the
--                       receive buffer and close the window
--   listen              the endpoint listens on its port from the start
--
-- Timed lines:
--
--   TIME < SEGMENT      the peer sends SEGMENT to the endpoint at TIME
--   TIME > SEGMENT      the endpoint must send SEGMENT, arriving at the
--                       peer between TIME and TIME + tolerance
--   TIME connect        the endpoint connects to the peer's port
--   TIME close          the endpoint closes its connection (the socket's
--                       close: a reset with unread data, and a reset
--                       for data arriving afterwards)
--   TIME shutdown [HOW]  the endpoint shuts its connection down: HOW is
--                       write (the default: a FIN), read or both
--   TIME abort          the endpoint aborts its connection
--   TIME send N         the endpoint's user queues N (virtual) bytes on
--                       its connection (conn:send(N))
--   TIME read N         the endpoint's user reads N bytes (conn:read(N),
--                       with 'autoread off'); fails when fewer than N
--                       bytes were there to read
--   TIME state NAME     the endpoint's connection is in state NAME
--                       (LISTEN or CLOSED when there is none)
--   TIME stat KEY VALUE the field KEY of the connection's stats
--                       (conn.stats: dupacks_in, fast_retransmits,
--                       timeouts, retransmissions, zero_window_probes,
--                       bytes_acked, bytes_received, bytes_duplicate,
--                       segments_ooo, mss_peer, timestamps, ...) is VALUE
--                       (a number, true or false, or a name)
--
-- TIME is seconds from the start ("0.1") or from the previous line
-- ("+0.05"); times, the tolerance and the rtt are at most 1e9 seconds.
-- A line that does not parse, or a setting the endpoint refuses, is an
-- error "FILE:LINE: message".  SEGMENT is
--
--   FLAGS SEQ:END(LEN) [ack N] [win N] [<OPTIONS>]
--
-- FLAGS are letters S (SYN), F (FIN), R (RST), P (PSH) and '.' for ACK, as
-- packetdrill writes them ("S", "S.", "R.", "F.", "."); END - SEQ = LEN is
-- the payload length, modulo 2^32 (a segment may cross the wrap:
-- "4294967000:704(1000)").  Sequence and acknowledgment numbers are
-- absolute (run the endpoint with a fixed ISN to know its numbers).  In a
-- '>' line, ack and win are checked only when given.
--
-- OPTIONS, after the other fields, are packetdrill's comma-separated list
-- between '<' and '>' (spaces allowed):
--
--   mss N               maximum segment size
--   wscale N            window scale
--   sackOK              SACK permitted
--   sack L:R [L:R ...]  SACK blocks (at most 4), in the order given
--   TS val N ecr N      timestamps
--   tfo [HEX]           TCP Fast Open (RFC 7413, kind 34): alone, an empty
--                       cookie (a request); with HEX, the cookie, 4 to 16
--                       bytes in hex digits ("tfo 0102030405060708")
--   nop, eol            padding
--
-- In a '<' line the options are sent in the order written, padded to a
-- multiple of 4 bytes with end-of-list bytes ("<mss 1000,sackOK>",
-- "<sack 2001:3001 4001:5001>").  In a '>' line, "<...>" requires the
-- endpoint's options to be exactly those listed (order and padding
-- aside; "TS" alone only requires timestamps to be present, "TS val N
-- ecr N" their values); "<>" requires no options; without "<...>" the
-- options are not checked.
--
-- Every segment the endpoint sends must match the next '>' line in order;
-- a segment sent where none is expected, or a '>' line with no segment,
-- fails the case.  The case ends with its last line (plus the
-- tolerance): what the endpoint would do later is not checked.  After
-- each connect, the endpoint's port is the ephemeral port of its next
-- segment.
--
--   local conformance = require "synack.conformance"
--   local ok, report = conformance.run("tests/tcp/closed_syn.case")
local synack = require "synack"

local tcpseg = require "synack.tcpseg"

local M = {}

local WRAP = tcpseg.WRAP
local FLAG_NAMES = tcpseg.FLAG_NAMES
local canonical_flags, u32 = tcpseg.canonical_flags, tcpseg.u32
local parse_options, encode_options = tcpseg.parse_options, tcpseg.encode_options
local decode_options, options_text, options_match = tcpseg.decode_options, tcpseg.options_text, tcpseg.options_match

-- Shorthands for 'sm KEY VALUE'.
local SM_SHORT = { mss = true, sndbuf = true, rcvbuf = true, initial_window = true, nagle = true }

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
  seg.seq, seg.len = u32(a), math.tointeger(len)
  local e = u32(b)
  if not seg.seq or not e or not seg.len then
    error(("%s: %s: sequence numbers are from 0 to 4294967295"):format(where, range), 0)
  end
  if (e - seg.seq) % WRAP ~= seg.len then
    error(("%s: %s: END - SEQ must equal LEN"):format(where, range), 0)
  end
  i = i + 2
  while words[i] do
    if words[i]:sub(1, 1) == "<" then
      local text = table.concat(words, " ", i)
      local inner = text:match("^<(.*)>$")
      if not inner then error(("%s: options must be one '<...>' at the end of the line"):format(where), 0) end
      seg.options = parse_options(inner, where)
      break
    end
    local key, value = words[i], nil
    if key == "ack" then
      value = u32(words[i + 1])
      if not value then error(("%s: expected 'ack N' with N from 0 to 4294967295"):format(where), 0) end
    elseif key == "win" then
      value = math.tointeger(tonumber(words[i + 1]))
      if not value or value < 0 or value > 65535 then
        error(("%s: expected 'win N' with N from 0 to 65535"):format(where), 0)
      end
    else
      error(("%s: unexpected '%s' (options are 'ack N', 'win N' and '<...>')"):format(where, key), 0)
    end
    seg[key] = value
    i = i + 2
  end
  return seg
end

local function sm_value(v)
  local n = math.tointeger(tonumber(v))
  if n and v:match("^%d+$") then return n end
  return v
end

-- Times, the tolerance and the round-trip time are at most this many
-- seconds (so that any sum of them is a valid virtual time).
local MAX_SECONDS = 1e9

-- A non-negative number of seconds up to MAX_SECONDS, or nil.
local function seconds(s)
  local v = tonumber(s)
  if v and v >= 0 and v <= MAX_SECONDS then return v end
end

local function port(s)
  local v = math.tointeger(tonumber(s))
  if v and v >= 1 and v <= 65535 then return v end
end

local function timer_profiles()
  local names = {}
  for _, p in ipairs(synack.plugins("timers")) do names[#names + 1] = p.name end
  table.sort(names)
  return names
end

-- Parses a case file into a list of steps and settings.  Every error is
-- "FILE:LINE: message".
function M.parse(path)
  local f, err = io.open(path)
  if not f then error(err, 0) end
  local case = { steps = {}, tolerance = 0.001, peer_port = 40000, dut_port = 80, rtt = 0, sm_params = {},
                 params = {} }
  local t, n = 0, 0
  -- a directive that takes `count` words after its name
  local function words_of(words, count, where, usage)
    if #words ~= count + 1 then error(("%s: expected '%s'"):format(where, usage), 0) end
  end
  -- 'set' and 'sm' lines by parameter (the last one of a key counts)
  local function param(kind, key, value, where)
    local k = kind .. " " .. key
    if not case.params[k] then case.params[#case.params + 1] = k end
    case.params[k] = { kind = kind, key = key, value = value, where = where, line = n }
  end
  local ok, lerr = pcall(function()
  for line in f:lines() do
    n = n + 1
    local where = ("%s:%d"):format(path, n)
    line = line:gsub("#.*", "")
    local words = {}
    for w in line:gmatch("%S+") do words[#words + 1] = w end
    if #words == 0 then
      -- blank
    elseif words[1] == "tolerance" or words[1] == "rtt" then
      local v = seconds(words[2])
      if not v or words[3] then
        error(("%s: expected '%s SECONDS' with SECONDS from 0 to %g"):format(where, words[1], MAX_SECONDS), 0)
      end
      case[words[1]] = v
    elseif words[1] == "ports" then
      case.peer_port, case.dut_port = port(words[2]), port(words[3])
      if not case.peer_port or not case.dut_port or words[4] then
        error(where .. ": expected 'ports PEER DUT', two port numbers from 1 to 65535", 0)
      end
    elseif words[1] == "isn" then
      case.isn = u32(words[2])
      if not case.isn or words[3] then error(where .. ": expected 'isn N' with N from 0 to 4294967295", 0) end
    elseif words[1] == "timers" then
      words_of(words, 1, where, "timers NAME")
      local names = timer_profiles()
      local known = false
      for _, name in ipairs(names) do known = known or name == words[2] end
      if not known then
        error(("%s: no timer profile '%s' (available: %s)"):format(where, words[2], table.concat(names, ", ")), 0)
      end
      case.only_timers, case.timers_where = words[2], where
    elseif words[1] == "set" then
      words_of(words, 2, where, "set KEY VALUE")
      case.timer_params = case.timer_params or {}
      case.timer_params[words[2]] = words[3]
      param("set", words[2], words[3], where)
    elseif words[1] == "sm" then
      words_of(words, 2, where, "sm KEY VALUE")
      case.sm_params[words[2]] = sm_value(words[3])
      param("sm", words[2], case.sm_params[words[2]], where)
    elseif SM_SHORT[words[1]] then
      words_of(words, 1, where, words[1] .. " VALUE")
      case.sm_params[words[1]] = sm_value(words[2])
      param("sm", words[1], case.sm_params[words[1]], where)
    elseif words[1] == "autoread" then
      if (words[2] ~= "on" and words[2] ~= "off") or words[3] then
        error(where .. ": expected 'autoread on' or 'autoread off'", 0)
      end
      case.autoread = words[2] == "on"
    elseif words[1] == "state_machine" then
      words_of(words, 1, where, "state_machine NAME")
      case.sm, case.sm_where = words[2], where
    elseif words[1] == "listen" then
      words_of(words, 0, where, "listen")
      case.listen = true
    else
      local rel, num = words[1]:match("^(%+?)([%d.]+)$")
      if not num or not tonumber(num) then error(("%s: expected a time, got '%s'"):format(where, words[1]), 0) end
      t = (rel == "+" and t or 0) + tonumber(num)
      if not seconds(t) then
        error(("%s: time %s is past the longest a case may last (%g seconds)"):format(where, words[1], MAX_SECONDS), 0)
      end
      local dir = words[2]
      if dir == "connect" or dir == "close" or dir == "abort" then
        words_of(words, 1, where, "TIME " .. dir)
        case.steps[#case.steps + 1] = { time = t, dir = dir, where = where }
      elseif dir == "shutdown" then
        local how = words[3] or "write"
        if (how ~= "read" and how ~= "write" and how ~= "both") or words[4] then
          error(where .. ": expected 'TIME shutdown [read|write|both]'", 0)
        end
        case.steps[#case.steps + 1] = { time = t, dir = dir, how = how, where = where }
      elseif dir == "state" then
        words_of(words, 2, where, "TIME state NAME")
        case.steps[#case.steps + 1] = { time = t, dir = dir, state = words[3], where = where }
      elseif dir == "send" or dir == "read" then
        local v = math.tointeger(tonumber(words[3]))
        if not v or v < 0 or words[4] then error(("%s: expected '%s N' with N a byte count"):format(where, dir), 0) end
        case.steps[#case.steps + 1] = { time = t, dir = dir, bytes = v, where = where }
      elseif dir == "stat" then
        words_of(words, 3, where, "TIME stat KEY VALUE")
        case.steps[#case.steps + 1] = { time = t, dir = dir, key = words[3], value = words[4], where = where }
      elseif dir ~= "<" and dir ~= ">" then
        error(("%s: expected '<', '>', connect, close, shutdown, abort, send, read, state or stat after the time, got '%s'"):format(
          where, dir or "nothing"), 0)
      else
        local seg = parse_segment(words, 3, where)
        seg.time, seg.dir, seg.where = t, dir, where
        if dir == "<" and seg.options then seg.raw_options = encode_options(seg.options, where) end
        if dir == "<" and 40 + #(seg.raw_options or "") + seg.len > 65535 then
          error(("%s: a segment of %d payload bytes does not fit in an IPv4 packet (65535 bytes)"):format(
            where, seg.len), 0)
        end
        case.steps[#case.steps + 1] = seg
      end
    end
  end
  end)
  f:close()
  -- a read error (a directory) has no line of its own
  if not ok then
    lerr = tostring(lerr)
    if lerr:sub(1, #path + 1) ~= path .. ":" then lerr = path .. ": " .. lerr:gsub("^.-:%d+: ", "") end
    error(lerr, 0)
  end
  return case
end

-- The endpoint's plugins and parameters, those of lines 1..upto only (a
-- line number; nil: all).
local function endpoint_spec(case, timers, upto)
  local tspec, smspec = {timers}, {case.sm or "rfc9293"}
  if not case.sm and case.sm_default then
    for k, v in pairs(case.sm_default) do smspec[k] = v end
  end
  for _, k in ipairs(case.params) do
    local p = case.params[k]
    if not upto or p.line <= upto then
      if p.kind == "set" then tspec[p.key] = p.value else smspec[p.key] = p.value end
    end
  end
  return {isn = {"fixed", value = case.isn or 0}, timers = tspec, state_machine = smspec}
end

-- The line whose setting makes the endpoint fail, tried in a simulator of
-- its own: the plugins first, then each parameter in line order.
local function blame(path, case, timers)
  local sim = synack.simulator{}
  local i = 0
  local function fails(upto)
    i = i + 1
    local node = sim:node("n" .. i)
    return not pcall(node.tcp, node, endpoint_spec(case, timers, upto))
  end
  local where = path
  if fails(0) then
    where = case.sm_where or case.timers_where or path
  else
    local lines = {}
    for _, k in ipairs(case.params) do lines[#lines + 1] = case.params[k] end
    table.sort(lines, function(a, b) return a.line < b.line end)
    for _, p in ipairs(lines) do
      if fails(p.line) then
        where = p.where
        break
      end
    end
  end
  sim:close()
  return where
end

local function describe(p)
  local s = ("%s %d:%d(%d) ack %d win %d"):format(p.flags == "" and "-" or p.flags,
    p.seq, (p.seq + p.len) % WRAP, p.len, p.ack, p.win)
  if p.options and #p.options > 0 then
    local list = decode_options(p.options)
    s = s .. " " .. (list and options_text(list) or "<malformed>")
  end
  return s
end

-- Runs a case under a timer profile (default "rfc").  Returns true, or
-- false and a report of every mismatch; a case restricted to another
-- profile returns true, "skipped".  sm, if given, is the state machine
-- of a case that names none (a plugin spec: {"fastopen", client =
-- false}); a case naming its own returns true, "skipped" then, so that a
-- suite can run its RFC 9293 cases under every machine claiming RFC
-- 9293's behaviour.  The case's own sm lines still apply.
function M.run(path, timers, sm)
  local case = M.parse(path)
  timers = timers or "rfc"
  if case.only_timers and case.only_timers ~= timers then return true, "skipped" end
  if sm ~= nil then
    if type(sm) ~= "table" or type(sm[1]) ~= "string" then
      error("conformance.run: sm must be a plugin spec such as {\"rfc9293\"}", 2)
    end
    if case.sm then return true, "skipped" end
    case.sm_default = sm
  end
  local sim = synack.simulator{}
  local peer, dut = sim:node("peer"), sim:node("dut")
  sim:duplex_link(peer, dut, {rate = "100Gbps", delay = case.rtt / 2})
  local made, ep = pcall(dut.tcp, dut, endpoint_spec(case, timers))
  if not made then
    sim:close()
    error(("%s: %s"):format(blame(path, case, timers), tostring(ep):gsub("^.-:%d+: ", "")), 0)
  end
  local conn
  local failures = {}
  local configured = setmetatable({}, {__mode = "k"})
  ep:on_state(function(c)
    conn = c
    if case.autoread ~= nil and not configured[c] and c.state ~= "CLOSED" then
      configured[c] = true
      local ok, e = pcall(c.set, c, {autoread = case.autoread})
      if not ok then failures[#failures + 1] = ("%.6f: autoread: %s"):format(sim:now(), tostring(e)) end
    end
  end)
  if case.listen then ep:listen(case.dut_port) end
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
    if e.options then
      local got = decode_options(p.options or "")
      if not got or not options_match(e.options, got) then bad[#bad + 1] = "options" end
    end
    if p.sport ~= dut_port or p.dport ~= case.peer_port then bad[#bad + 1] = "ports" end
    if now < e.time - 1e-9 or now > e.time + case.tolerance then bad[#bad + 1] = "time" end
    if #bad > 0 then
      failures[#failures + 1] = ("%s: expected %s %d:%d(%d)%s%s%s at %.6f, got %s at %.6f (%s differ)"):format(
        e.where, e.flags, e.seq, (e.seq + e.len) % WRAP, e.len,
        e.ack and (" ack " .. e.ack) or "", e.win and (" win " .. e.win) or "",
        e.options and (" " .. options_text(e.options)) or "",
        e.time, describe(p), now, table.concat(bad, ", "))
    end
  end)
  local function need_conn(s)
    if not conn or conn.state == "CLOSED" then
      failures[#failures + 1] = s.where .. ": no connection to " .. s.dir
      return false
    end
    return true
  end
  for _, s in ipairs(case.steps) do
    if s.dir == "connect" then
      sim:at(s.time, function()
        learn_port = true
        local opts = case.autoread ~= nil and {autoread = case.autoread} or nil
        local ok, e = pcall(ep.connect, ep, peer, case.peer_port, opts)
        if not ok then failures[#failures + 1] = s.where .. ": connect failed: " .. tostring(e) end
      end)
    elseif s.dir == "close" or s.dir == "abort" then
      sim:at(s.time, function()
        if not need_conn(s) then return end
        local ok, e = pcall(conn[s.dir], conn)
        if not ok then failures[#failures + 1] = ("%s: %s failed: %s"):format(s.where, s.dir, tostring(e)) end
      end)
    elseif s.dir == "shutdown" then
      sim:at(s.time, function()
        if not need_conn(s) then return end
        local ok, e = pcall(conn.shutdown, conn, s.how)
        if not ok then failures[#failures + 1] = ("%s: shutdown failed: %s"):format(s.where, tostring(e)) end
      end)
    elseif s.dir == "send" then
      sim:at(s.time, function()
        if not need_conn(s) then return end
        local ok, e = pcall(conn.send, conn, s.bytes)
        if not ok then failures[#failures + 1] = s.where .. ": send failed: " .. tostring(e) end
      end)
    elseif s.dir == "read" then
      sim:at(s.time, function()
        if not need_conn(s) then return end
        -- conn:read returns a run of real bytes (a string) or a count of
        -- virtual ones: read until N bytes or nothing more
        local ok, got = true, 0
        while ok and got < s.bytes do
          local r
          ok, r = pcall(conn.read, conn, s.bytes - got)
          if not ok then got = r break end
          r = type(r) == "string" and #r or r or 0
          if r == 0 then break end
          got = got + r
        end
        if not ok then
          failures[#failures + 1] = s.where .. ": read failed: " .. tostring(got)
        elseif got ~= s.bytes then
          failures[#failures + 1] = ("%s: read %d bytes at %.6f, got %d"):format(s.where, s.bytes, s.time, got)
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
    elseif s.dir == "stat" then
      sim:at(s.time, function()
        if not conn then
          failures[#failures + 1] = s.where .. ": no connection for stat " .. s.key
          return
        end
        local ok, stats = pcall(function() return conn.stats end)
        if not ok then
          failures[#failures + 1] = s.where .. ": no stats (the connection is gone): " .. tostring(stats)
          return
        end
        local got = stats[s.key]
        if got == nil then
          failures[#failures + 1] = ("%s: no stat '%s'"):format(s.where, s.key)
        elseif tostring(got) ~= s.value and tonumber(s.value) ~= got then
          failures[#failures + 1] = ("%s: expected stat %s = %s at %.6f, got %s"):format(
            s.where, s.key, s.value, s.time, tostring(got))
        end
      end)
    elseif s.dir == "<" then
      sim:at(s.time, function()
        local raw = s.raw_options or ""
        local ok, e = pcall(peer.send_raw, peer, {to = dut, size = 40 + #raw + s.len, tcp = {
          sport = case.peer_port, dport = dut_port, seq = s.seq,
          ack = s.ack or 0, window = s.win or 65535, flags = s.names,
          options = raw ~= "" and raw or nil}})
        if not ok then failures[#failures + 1] = ("%s: cannot send the segment: %s"):format(s.where, tostring(e)) end
      end)
    end
  end
  local last = 0
  for _, st in ipairs(case.steps) do last = math.max(last, st.time) end
  sim:run{stop = last + case.tolerance}
  for i = next_expected, #expected do
    local e = expected[i]
    failures[#failures + 1] = ("%s: expected %s %d:%d(%d) at %.6f, nothing was sent"):format(
      e.where, e.flags, e.seq, (e.seq + e.len) % WRAP, e.len, e.time)
  end
  sim:close()
  if #failures > 0 then return false, table.concat(failures, "\n") end
  return true
end

return M
