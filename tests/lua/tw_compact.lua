-- Compact TIME_WAIT seen from a script: a storm of connections opened
-- from Lua, each with its own "established" and "closed" handlers, runs
-- the same with TIME_WAIT records kept full (SYNACK_TW_COMPACT=0),
-- compacted where they may be (the default) and sent through the compact
-- form in place (force): the closed handlers fire once each at the same
-- virtual times with the same arguments, and the connection objects read
-- the same state, statistics and info in TIME_WAIT and once freed.
-- ep:stats() counts the TIME_WAIT records of either form: here every one
-- is compact, though the script holds its object and handlers.
local synack = require "synack"
local topo = require "synack.topo"

local N, CLIENTS = 24, 4

-- The storm itself, in a child run: prints what the script sees.
local function child()
  local sim = synack.simulator{seed = 3}
  local star = topo.star(sim, CLIENTS, {rate = "1Gbps", delay = "100us"}, "client")
  local server = sim:node("server")
  sim:duplex_link(star.hub, server, {rate = "10Gbps", delay = "1ms"})
  server:app{"sink", port = 80}
  local eps = {}
  for i = 1, CLIENTS do
    eps[i] = star.leaves[i]:tcp{timers = i % 2 == 0 and "linux" or "rfc"}
  end
  local conns = {}
  local function sorted(t)
    local keys, out = {}, {}
    for k in pairs(t) do keys[#keys + 1] = k end
    table.sort(keys)
    for _, k in ipairs(keys) do out[#out + 1] = k .. "=" .. tostring(t[k]) end
    return table.concat(out, " ")
  end
  local function show(i, c, when)
    print(("%s %d state %s"):format(when, i, c.state))
    print(("%s %d stats %s"):format(when, i, sorted(c.stats)))
    print(("%s %d info %s"):format(when, i, sorted(c:info())))
  end
  local function established(c) c:send(1000); c:close() end
  for i = 1, N do
    sim:at(i * 0.001, function()
      local c = eps[(i - 1) % CLIENTS + 1]:connect(server, 80)
      c:on("established", established)
      c:on("closed", function(conn, cause)
        assert(conn == c, "the closed handler is given its connection")
        print(("closed %d at %.9f cause %s state %s"):format(i, sim:now(), cause, conn.state))
      end)
      conns[i] = c
    end)
  end
  -- every connection is in TIME_WAIT by then (the earliest expiry is at
  -- 60 s); reading an object rebuilds its record, compacted again after
  -- the event
  local function counts(what)
    local compact, full = 0, 0
    for i = 1, CLIENTS do
      local s = eps[i]:stats()
      compact, full = compact + s.tw_compact, full + s.tw_full
      if s.tw_compact > 0 then
        assert(s.tw_compact_bytes >= s.tw_compact * 64, "tw_compact_bytes counts the records")
      end
    end
    print(("%s compact %d full %d"):format(what, compact, full))
  end
  sim:at("30s", function()
    counts("counts")
    for i = 1, N do show(i, conns[i], "tw") end
  end)
  sim:at("31s", function() counts("recounts") end)
  sim:at("32s", function()
    local n, bytes = 0, 0
    for i = 1, CLIENTS do
      local s = eps[i]:stats()
      n, bytes = n + s.tw_compact, bytes + s.tw_compact_bytes
    end
    print(("bytes %d compact records take %d"):format(n, bytes))
  end)
  sim:run()
  for i = 1, N do show(i, conns[i], "end") end
end

if synack.args.child then
  child()
  return
end

local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local function run(mode)
  local counts
  local lines = T.run_child_tw(mode, function(line)
    local what, c, f = line:match("^(%a+) compact (%d+) full (%d+)$")
    if what == "counts" then
      counts = counts or {}
      counts.compact, counts.full = tonumber(c), tonumber(f)
    elseif line:match("^bytes ") then
      io.stderr:write(line, "\n")  -- for the log: the form's cost
    elseif what == "recounts" then
      counts = counts or {}
      counts.compact2, counts.full2 = tonumber(c), tonumber(f)
    else
      return false
    end
    return true
  end)
  check(counts, "the child run (SYNACK_TW_COMPACT=%s) counts its records", tostring(mode))
  return lines, counts or {compact = -1, full = -1}
end

local off, off_counts = run("0")
local on, on_counts = run(nil)
local force, force_counts = run("force")

-- the runs see the storm: each closed handler once, every connection read
local closed = 0
for _, l in ipairs(off) do
  if l:match("^closed ") then closed = closed + 1 end
end
eq(closed, N, "closed handlers called")
eq(#off, N + 6 * N, "lines of the run with full records")
eq(off_counts.compact, 0, "SYNACK_TW_COMPACT=0: no compact record")
eq(off_counts.full, N, "SYNACK_TW_COMPACT=0: every connection in TIME_WAIT, full")
-- the script holds every connection and has handlers on each: the
-- records are compact all the same, and again once read
eq(on_counts.compact, N, "compact records")
eq(on_counts.full, 0, "full records in TIME_WAIT")
eq(on_counts.compact2, N, "compact records once the objects were read")
eq(force_counts.compact, N, "force: compact records")

-- and see the same, line by line
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

-- a value the switch does not know is refused, naming it
do
  local script = debug.getinfo(1, "S").source:match("^@(.*)$")
  local prog = (os.getenv("SYNACK_BUILDDIR") or ".") .. "/synack"
  local p = assert(io.popen("SYNACK_TW_COMPACT=sometimes '" .. prog .. "' run '" .. script ..
                            "' child=1 2>&1"))
  local out = p:read("a")
  local ok = p:close()
  check(not ok, "SYNACK_TW_COMPACT=sometimes: the run must fail, it printed:\n%s", out)
  check(out:find("SYNACK_TW_COMPACT is 'sometimes': expected 0, 1 or force", 1, true),
        "SYNACK_TW_COMPACT=sometimes: no message naming it:\n%s", out)
end
