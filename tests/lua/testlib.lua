-- Assertions shared by the Lua tests.  Load with
--   local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local T = {}

-- A value as a message shows it: strings quoted, floats in full.
function T.show(v)
  if type(v) == "string" then return string.format("%q", v) end
  if math.type(v) == "float" then return string.format("%.17g", v) end
  return tostring(v)
end

-- Fails at the caller's line unless cond holds.
function T.check(cond, fmt, ...)
  if not cond then error(string.format(fmt, ...), 2) end
end

function T.eq(got, want, what)
  if got ~= want then
    error(string.format("%s: expected %s, got %s", what, T.show(want), T.show(got)), 2)
  end
end

-- f(...) must raise an error whose text contains `part` (plain text).
function T.fails(part, f, ...)
  local ok, e = pcall(f, ...)
  if ok then error(string.format("expected an error containing %q, got success", part), 2) end
  if not tostring(e):find(part, 1, true) then
    error(string.format("error %q does not contain %q", tostring(e), part), 2)
  end
end

-- A new empty directory for a test's files (remove it with T.rmdir).
function T.tmpdir()
  local dir = os.tmpname()
  os.remove(dir)
  require("synack").csv.mkdir(dir)
  return dir
end

function T.rmdir(dir)
  os.execute("rm -rf '" .. dir:gsub("'", "'\\''") .. "'")
end

-- The whole of a file, as bytes.
function T.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- Handshakes under independent loss p each way, one simulator per seed
-- 1..n (a 1 Gbit/s link, one-way delay `delay`, both ends with `timers`):
-- the sorted times to ESTABLISHED and how many never got there.
function T.handshakes(p, n, timers, delay)
  local synack = require "synack"
  local times, failed = {}, 0
  for seed = 1, n do
    local sim = synack.simulator{seed = seed}
    local a, b = sim:node("a"), sim:node("b")
    sim:duplex_link(a, b, {rate = "1Gbps", delay = delay, loss = {"bernoulli", p = p}})
    b:tcp{timers = timers}:listen(80)
    local ta = a:tcp{timers = timers}
    local done
    sim:at(0, function()
      ta:connect(b, 80):on("established", function() done = sim:now() end):on("error", function() end)
    end)
    sim:run{stop = 200}
    if done then
      times[#times + 1] = done
    else
      failed = failed + 1
    end
    sim:close()
  end
  table.sort(times)
  return times, failed
end

-- A pseudo-random printable text of n bytes (the same for the same n and
-- seed): payload whose every byte can be checked at the other end.
function T.text(n, seed)
  local r = require("synack").simulator{seed = seed}:rng("text")
  local t = {}
  for i = 1, n do t[i] = string.char(r:integer(32, 126)) end
  return table.concat(t)
end

-- Runs the calling test script again as a child (`child=1`), with the
-- environment's SYNACK_TW_COMPACT set to mode (nil: unset).  Each line of
-- its output goes to take(line) first, which returns true for a line it
-- took; the others come back in order.  The child must exit with 0.
function T.run_child_tw(mode, take)
  local script = debug.getinfo(2, "S").source:match("^@(.*)$")
  local prog = (os.getenv("SYNACK_BUILDDIR") or ".") .. "/synack"
  local env = mode and ("SYNACK_TW_COMPACT=" .. mode .. " ") or "unset SYNACK_TW_COMPACT; "
  local p = assert(io.popen(env .. "'" .. prog .. "' run '" .. script .. "' child=1 2>&1"))
  local lines = {}
  for line in p:lines() do
    if not take(line) then lines[#lines + 1] = line end
  end
  local ok, how, code = p:close()
  if not ok then
    error(string.format("the child run (SYNACK_TW_COMPACT=%s) exits %s %s: %s", tostring(mode),
                        tostring(how), tostring(code), table.concat(lines, "\n")), 2)
  end
  return lines
end

return T
