-- Connections in TIME_WAIT that the binding lets go of: those whose
-- handlers that can still fire take no parameter (or that have none) are
-- compacted as records nobody holds, their objects kept weakly.  A fake
-- client (a node with a packet hook, sending with send_raw) opens each
-- connection to a listener; the server closes first and so ends in
-- TIME_WAIT, where the client sends it a FIN again twice (each answered).
--   1: closed() shared by connections 1 and 3, object dropped
--   2: no handler, object dropped
--   3: closed() shared, object kept, read only once TIME_WAIT has ended
--   4: a closed() of its own, object kept, looked up and read in TIME_WAIT
--   5: closed(conn, cause), object kept: held as before
-- The runs with records kept full (SYNACK_TW_COMPACT=0), compacted (the
-- default) and sent through the compact form in place (force) give the
-- same handler calls, states, statistics and identities; by default the
-- connections let go take a compact record's bytes, no more.
local synack = require "synack"

local N = 5

local function sorted(t)
  local keys, out = {}, {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. tostring(t[k]) end
  return table.concat(out, " ")
end

local function child()
  for _, prof in ipairs{"rfc", "linux"} do
    local tag = prof
    local sim = synack.simulator{seed = 7}
    local a, b = sim:node("a"), sim:node("b")
    sim:duplex_link(a, b, {rate = "100Mbps", delay = "1ms"})
    local server = b:tcp{timers = prof, isn = {"fixed", value = 0}}
    local kept, snd, port_of = {}, {}, {}
    local function send(port, flags, seq, ack)
      local size = flags:find("SYN") and 44 or 40
      a:send_raw{to = b, size = size, tcp = {sport = port, dport = 80, seq = seq,
                 ack = ack, flags = flags, options = flags:find("SYN") and {mss = 1460} or {}}}
    end
    a:on_receive("tcp", function(p)
      local st = snd[p.dport]
      if not st then return end
      if p.flags:find("S") and p.flags:find("A") then
        send(p.dport, "ACK", st.seq, p.seq + 1)
      elseif p.flags:find("F") and not st.fin_done then
        st.fin_done, st.ack = true, p.seq + 1
        send(p.dport, "FIN+ACK", st.seq, st.ack)
        st.seq = st.seq + 1
      end
    end)
    local n, shared = 0, nil
    shared = function()
      print(("%s %.6f closed (shared)"):format(tag, sim:now()))
    end
    server:listen(80, function(c)
      n = n + 1
      local k = n
      port_of[k] = c.stats.rport
      if k == 1 or k == 3 then
        c:on("closed", shared)
      elseif k == 4 then
        c:on("closed", function() print(("%s %.6f closed 4"):format(tag, sim:now())) end)
      elseif k == 5 then
        c:on("closed", function(conn, cause)
          print(("%s %.6f closed 5 cause %s state %s same %s stats %s"):format(tag, sim:now(),
                cause, conn.state, tostring(rawequal(conn, kept[5])), sorted(conn.stats)))
        end)
      end
      if k >= 3 then kept[k] = c end
      sim:after(0.01, function() c:close() end)
    end)
    for i = 1, N do
      local port, t0 = 40000 + i, i * 0.1
      snd[port] = {seq = 101}
      sim:at(t0, function() send(port, "SYN", 100) end)
      -- in TIME_WAIT since about t0 + 0.015: a FIN again, answered
      sim:at(t0 + 1, function() send(port, "FIN+ACK", snd[port].seq - 1, snd[port].ack) end)
      sim:at(t0 + 2, function() send(port, "FIN+ACK", snd[port].seq - 1, snd[port].ack) end)
    end
    sim:at(1.05, function()
      local s = server:stats()
      print(("count %s weak %s compact %d bytes %d"):format(tag,
            tostring(sim:lua_stats().conn_weak), s.tw_compact, s.tw_compact_bytes))
      collectgarbage()  -- the dropped objects go
    end)
    sim:at(3, function()
      -- 4 looked up and read in TIME_WAIT: the same object, as it was
      local c = server:connection(80, a, port_of[4])
      print(("%s lookup 4 same %s state %s"):format(tag, tostring(rawequal(c, kept[4])), c.state))
      print(("%s read 4 stats %s"):format(tag, sorted(kept[4].stats)))
      print(("%s read 4 info %s"):format(tag, sorted(kept[4]:info())))
    end)
    sim:at(4, function()
      -- a state handler from now on is given the objects the script kept
      server:on_state(function(conn, from, to)
        local k
        for i = 1, N do if rawequal(conn, kept[i]) then k = i end end
        print(("%s %.6f state %s %s -> %s"):format(tag, sim:now(), tostring(k), from, to))
      end)
    end)
    sim:run()
    for k = 3, N do
      local c = kept[k]
      print(("%s end %d state %s error %s"):format(tag, k, c.state, tostring(c.error)))
      print(("%s end %d stats %s"):format(tag, k, sorted(c.stats)))
      print(("%s end %d info %s"):format(tag, k, sorted(c:info())))
      local ok, err = pcall(c.send, c, 1)
      print(("%s end %d send %s %s"):format(tag, k, tostring(ok), tostring(err):match("[^:]*$")))
    end
    print(("count %s weak_end %s bytes_end %d"):format(tag, tostring(sim:lua_stats().conn_weak),
          server:stats().tw_compact_bytes))
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
    local tag, w, c, by = line:match("^count (%S+) weak (%S+) compact (%d+) bytes (%d+)$")
    local tag2, we, be = line:match("^count (%S+) weak_end (%S+) bytes_end (%d+)$")
    if tag then
      counts[tag] = {weak = tonumber(w), compact = tonumber(c), bytes = tonumber(by)}
    elseif tag2 then
      counts[tag2 .. " end"] = {weak = tonumber(we), bytes = tonumber(be)}
    end
    return tag or tag2
  end)
  return lines, counts
end

local off = run("0")
local on, counts = run(nil)
local force = run("force")

for _, tag in ipairs{"rfc", "linux"} do
  local c = counts[tag]
  check(c, "%s: counted", tag)
  -- 1 to 4 let go, 5 held
  eq(c.weak, 4, tag .. ": connections let go in TIME_WAIT")
  eq(c.compact, N, tag .. ": compact records")
  -- a record let go takes what one nobody holds takes (at most 128
  -- bytes), not the bytes kept beside a held one (about 100 more); the
  -- table's share is what remains once every TIME_WAIT has ended
  local e = counts[tag .. " end"]
  check(e, "%s: counted at the end", tag)
  local records = c.bytes - e.bytes
  check(records > 0 and records <= 4 * 128 + 300,
        "%s: %d bytes for 4 records let go and 1 held", tag, records)
  eq(e.weak, 0, tag .. ": connections let go once every TIME_WAIT ended")
end

-- what the script reads of each is the same, as are the handler calls
local saw = {}
for _, l in ipairs(on) do
  if l:match("closed %(shared%)") then saw.shared = (saw.shared or 0) + 1 end
  if l:match("closed 4$") then saw.four = true end
  if l:match("lookup 4 same true") then saw.same = true end
  if l:match("state 3 TIME_WAIT %-> CLOSED") then saw.state3 = true end
  if l:match("same true stats") then saw.five = true end
end
eq(saw.shared, 4, "the shared closed() handler, twice a profile")
check(saw.four and saw.same and saw.state3 and saw.five,
      "handlers and lookups saw the objects: %s", sorted(saw))
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
