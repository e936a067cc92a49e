-- Segments to a TIME_WAIT the script holds (its object, its handlers),
-- whose record is compact: a retransmitted FIN (answered by an ACK), a
-- stray ACK in and out of the window, an RST and a SYN that reopens, under
-- both timer profiles, with and without timestamps.  A fake client (a
-- node with a packet hook, sending with send_raw) opens each connection to
-- a listener; the server closes first and so ends in TIME_WAIT.  The runs
-- with records kept full (SYNACK_TW_COMPACT=0), compacted (the default)
-- and sent through the compact form in place (force) see the same
-- segments at the same times, the same handler calls and the same state
-- and statistics through the objects.
local synack = require "synack"

local KINDS = {"fin", "ack", "oldack", "rst", "syn"}

local function sorted(t)
  local keys, out = {}, {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. tostring(t[k]) end
  return table.concat(out, " ")
end

local function child()
  for _, prof in ipairs{"rfc", "linux"} do
    for _, ts in ipairs{false, true} do
      local tag = prof .. (ts and "+ts" or "")
      local sim = synack.simulator{seed = 5}
      local a, b = sim:node("a"), sim:node("b")
      sim:duplex_link(a, b, {rate = "100Mbps", delay = "1ms"})
      local server = b:tcp{timers = prof, isn = {"fixed", value = 0}}
      local held, snd, tsval = {}, {}, 1000
      local function send(port, flags, seq, ack)
        tsval = tsval + 7
        local opts, size = {}, 40
        if flags:find("SYN") then opts.mss, size = 1460, size + 4 end
        if ts then
          opts.ts, size = {tsval, snd[port] and snd[port].peer_ts or 0}, size + 12
        end
        a:send_raw{to = b, size = size, tcp = {sport = port, dport = 80, seq = seq,
                   ack = ack, flags = flags, options = opts}}
      end
      a:on_receive("tcp", function(p)
        local port = p.dport
        local st = snd[port]
        print(("%s %.6f rx %d %s seq %d ack %d win %d opts %s"):format(tag, sim:now(), port,
              p.flags, p.seq, p.ack, p.win, (p.options:gsub(".", function(c)
                return ("%02x"):format(c:byte()) end))))
        if not st then return end
        if #p.options >= 10 then
          -- the TSval the server sends, echoed by the fake client
          local i = p.options:find("\8\10", 1, true)
          if i then st.peer_ts = string.unpack(">I4", p.options, i + 2) end
        end
        if p.flags:find("S") and p.flags:find("A") then
          send(port, "ACK", st.seq, p.seq + 1)
        elseif p.flags:find("F") and not st.fin_done then
          st.fin_done = true
          st.ack = p.seq + 1
          send(port, "FIN+ACK", st.seq, st.ack)
          st.seq = st.seq + 1
        end
      end)
      local n = 0
      server:listen(80, function(c)
        n = n + 1
        local k = n
        held[k] = c
        print(("%s %.6f accept %d port %d"):format(tag, sim:now(), k, c.stats.rport))
        c:on("closed", function(conn, cause)
          print(("%s %.6f closed %d cause %s state %s"):format(tag, sim:now(), k, cause,
                conn.state))
        end)
        sim:after(0.01, function() c:close() end)
      end)
      for i, kind in ipairs(KINDS) do
        local port, t0 = 40000 + i, i * 0.1
        snd[port] = {seq = 101}
        sim:at(t0, function() send(port, "SYN", 100) end)
        -- in TIME_WAIT since about t0 + 0.015: the record compact
        sim:at(t0 + 1, function()
          local st = snd[port]
          if kind == "fin" then
            send(port, "FIN+ACK", st.seq - 1, st.ack)
          elseif kind == "ack" then
            send(port, "ACK", st.seq, st.ack)
          elseif kind == "oldack" then
            send(port, "ACK", st.seq + 100000, st.ack)
          elseif kind == "rst" then
            send(port, "RST", st.seq)
          elseif kind == "syn" then
            st.seq, st.fin_done = st.seq + 1000000, false
            send(port, "SYN", st.seq)
            st.seq = st.seq + 1
          end
        end)
        -- again, once the first has been answered: the record written back
        sim:at(t0 + 2, function()
          local st = snd[port]
          if kind ~= "syn" then send(port, "FIN+ACK", st.seq - 1, st.ack) end
        end)
      end
      local function counts(what)
        local s = server:stats()
        print(("count %s %s compact %d full %d"):format(tag, what, s.tw_compact, s.tw_full))
      end
      sim:at(1.05, function() counts("before") end)
      sim:at(4, function()
        counts("after")
        for k, c in ipairs(held) do
          print(("%s read %d state %s stats %s"):format(tag, k, c.state, sorted(c.stats)))
          print(("%s read %d info %s"):format(tag, k, sorted(c:info())))
        end
      end)
      sim:run()
      for k, c in ipairs(held) do print(("%s end %d state %s"):format(tag, k, c.state)) end
    end
  end
end

if synack.args.child then
  child()
  return
end

local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local function run(mode)
  local counts = {}
  local lines = T.run_child_tw(mode, function(line)
    local tag, what, c, f = line:match("^count (%S+) (%a+) compact (%d+) full (%d+)$")
    if tag then
      counts[tag .. " " .. what] = {compact = tonumber(c), full = tonumber(f)}
    end
    return tag
  end)
  return lines, counts
end

local off, off_counts = run("0")
local on, on_counts = run(nil)
local force = run("force")

local TAGS = {"rfc", "rfc+ts", "linux", "linux+ts"}
for _, tag in ipairs(TAGS) do
  -- every connection is in TIME_WAIT before the segments, held by the
  -- script: full with SYNACK_TW_COMPACT=0, compact by default
  local c0, c1 = off_counts[tag .. " before"], on_counts[tag .. " before"]
  check(c0 and c1, "%s: counted", tag)
  eq(c0.compact, 0, tag .. ": SYNACK_TW_COMPACT=0: compact records")
  eq(c0.full, #KINDS, tag .. ": SYNACK_TW_COMPACT=0: full records in TIME_WAIT")
  eq(c1.compact, #KINDS, tag .. ": compact records before the segments")
  eq(c1.full, 0, tag .. ": full records before the segments")
  -- the connections still in TIME_WAIT are compact again after them
  local a0, a1 = off_counts[tag .. " after"], on_counts[tag .. " after"]
  check(a0 and a1 and a0.full > 0, "%s: connections still in TIME_WAIT", tag)
  eq(a1.compact, a0.full, tag .. ": compact again after the segments")
  eq(a1.full, 0, tag .. ": full records after the segments")
end

-- the fake client saw answers to what it sent to the TIME_WAITs: the ACK
-- of a retransmitted FIN, at 1 s and at 2 s after each open
local answers = 0
for _, l in ipairs(off) do
  if l:match(" rx 4000%d A seq ") then answers = answers + 1 end
end
check(answers >= 4 * 4, "answers from TIME_WAIT: %d", answers)

for name, lines in pairs{default = on, force = force} do
  eq(#lines, #off, name .. ": lines")
  for i = 1, math.max(#lines, #off) do
    if lines[i] ~= off[i] then
      check(false, "%s: line %d differs:\n  full:    %s\n  %s: %s", name, i,
            tostring(off[i]), name, tostring(lines[i]))
      break
    end
  end
end
