-- Outputs written from Lua: synack.write_file, and trace failures that
-- sim:run and sim:close report (tests/output.sh runs whole scripts
-- against links, full devices and a full disk).
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local synack = require "synack"

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir '" .. dir .. "'"))
local function slurp(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- synack.write_file writes the whole text and replaces a regular file.
local p = dir .. "/a.txt"
synack.write_file(p, "first\n")
T.eq(slurp(p), "first\n", "a new file")
synack.write_file(p, ("x"):rep(100000))
T.eq(#slurp(p), 100000, "a replaced file")
-- A NUL in the path is refused, and the name cut at the NUL not created.
T.fails("contains a NUL byte", synack.write_file, dir .. "/b\0.txt", "text")
T.eq(slurp(dir .. "/b"), nil, "the name before the NUL")
-- A directory, a missing directory: errors naming the path.
T.fails("cannot write " .. dir .. ": it is a directory", synack.write_file, dir, "text")
T.fails("cannot write " .. dir .. "/no/such", synack.write_file, dir .. "/no/such", "text")
T.fails("bad argument #2", synack.write_file, p, {})
T.eq(#slurp(p), 100000, "the file after the failures")

-- A pcap file that cannot be opened for a link added after sim:pcap(dir)
-- is an error of the run naming the file (not only a message).
do
  local pdir = dir .. "/pcap"
  assert(os.execute("mkdir '" .. pdir .. "'"))
  local sim = synack.simulator{}
  sim:pcap(pdir)
  assert(os.remove(pdir))
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  sim:at(0, function() a:send_raw{to = b, size = 100} end)
  T.fails("cannot write the pcap file " .. pdir .. "/a-b.pcap", sim.run, sim)
  -- the failure stays: closing reports it too
  T.fails(pdir .. "/a-b.pcap", sim.close, sim)
  sim:close()   -- once closed, closing again is quiet
end

-- A trace that cannot be written: sim:run fails naming it, then sim:close.
local f = io.open("/dev/full", "w")
if f then
  f:close()
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  local l = sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  l:trace("/dev/full")
  sim:at(0, function() a:send_raw{to = b, size = 100} end)
  T.fails("cannot write the trace file /dev/full: No space left on device", sim.run, sim)
  T.fails("/dev/full", sim.close, sim)
  -- an error of the script's own comes first
  sim = synack.simulator{}
  a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"}):pcap("/dev/full")
  sim:at(0, function() a:send_raw{to = b, size = 100} end)
  sim:at(0.5, function() error("the script's own error") end)
  T.fails("the script's own error", sim.run, sim)
  T.fails("cannot write the pcap file /dev/full", sim.close, sim)
end

os.execute("rm -rf '" .. dir .. "'")
print("output.lua: ok")
