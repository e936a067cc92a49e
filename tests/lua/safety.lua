-- Misuse that must be an error, never a read of freed memory or a write
-- out of bounds: objects of a closed simulator, objects of another
-- simulator, strings with a NUL byte, outputs that cannot be written.
-- (The sanitizer build turns a miss here into a report.)
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails

local CLOSED = "the simulator is closed"

-- A small network with one connection through it, run to ESTABLISHED.
local function network(seed)
  local sim = synack.simulator{seed = seed or 1}
  local a, b = sim:node("a"), sim:node("b")
  local link = sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local ep = a:tcp()
  local listener = b:tcp():listen(80)
  local rec = sim:record()
  local conn = ep:connect(b, 80)
  local app = b:app{"sink", port = 81}
  local ev = sim:at(100, function() end)
  sim:run{stop = 1}
  eq(conn.state, "ESTABLISHED", "the connection before the close")
  return {sim = sim, a = a, b = b, link = link, ep = ep, listener = listener,
          rec = rec, conn = conn, app = app, ev = ev}
end

-- ------------------------------------------------ objects of a closed simulator
local function all_fail(o)
  local fn = function() end
  local calls = {
    {"tostring(node)", function() return tostring(o.a) end},
    {"node:name", function() return o.a:name() end},
    {"node:address", function() return o.a:address() end},
    {"node:stats", function() return o.a:stats() end},
    {"node:send_raw", function() o.a:send_raw{to = o.b} end},
    {"node:on_receive", function() o.a:on_receive("raw", fn) end},
    {"node:tcp", function() return o.a:tcp() end},
    {"node:app", function() return o.a:app{"sink"} end},
    {"node:tun", function() return o.a:tun{address = "192.0.2.2/24"} end},
    {"tostring(link)", function() return tostring(o.link) end},
    {"link:stats", function() return o.link:stats() end},
    {"link:nodes", function() return o.link:nodes() end},
    {"link:addresses", function() return o.link:addresses() end},
    {"link:pcap", function() o.link:pcap("/nonexistent/x.pcap") end},
    {"link:trace", function() o.link:trace("/nonexistent/x.tr") end},
    {"link:sample_queue", function() o.link:sample_queue(1) end},
    {"link:queue_samples", function() return o.link:queue_samples() end},
    {"ep:stats", function() return o.ep:stats() end},
    {"ep:listen", function() return o.ep:listen(99) end},
    {"ep:connect", function() return o.ep:connect("10.0.0.9", 80) end},
    {"ep:on_state", function() o.ep:on_state(fn) end},
    {"ep:state_log", function() o.ep:state_log("/nonexistent/log") end},
    {"listener:stats", function() return o.listener:stats() end},
    {"listener:accept", function() return o.listener:accept() end},
    {"conn.state", function() return o.conn.state end},
    {"conn.stats", function() return o.conn.stats end},
    {"conn:on", function() return o.conn:on("data", fn) end},
    {"conn:send", function() return o.conn:send(10) end},
    {"conn:read", function() return o.conn:read(10) end},
    {"conn:close", function() return o.conn:close() end},
    {"conn:abort", function() return o.conn:abort() end},
    {"conn:shutdown", function() return o.conn:shutdown() end},
    {"conn:set", function() return o.conn:set{nagle = false} end},
    {"conn:info", function() return o.conn:info() end},
    {"conn:sample", function() return o.conn:sample(1, fn) end},
    {"tostring(recorder)", function() return tostring(o.rec) end},
    {"rec:connections", function() return o.rec:connections() end},
    {"rec:ladder", function() return o.rec:ladder("/nonexistent/l.txt") end},
    {"rec:ladder_text", function() return o.rec:ladder_text() end},
    {"rec:segments", function() return o.rec:segments() end},
    {"rec:states", function() return o.rec:states() end},
    {"app:stats", function() return o.app:stats() end},
    {"sim:node", function() return o.sim:node("c") end},
    {"sim:duplex_link", function() return o.sim:duplex_link(o.a, o.b, {rate = 1, delay = 1}) end},
    {"sim:record", function() return o.sim:record() end},
    {"sim:tcp_table", function() return o.sim:tcp_table() end},
    {"sim:totals", function() return o.sim:totals() end},
    {"sim:every", function() return o.sim:every(1, fn) end},
    {"sim:write_tcp_csv", function() return o.sim:write_tcp_csv("/nonexistent/x.csv") end},
  }
  for _, c in ipairs(calls) do
    local ok, e = pcall(c[2])
    check(not ok, "%s after close: expected an error, got success", c[1])
    check(tostring(e):find(CLOSED, 1, true), "%s after close: %s", c[1], tostring(e))
  end
  -- Event handles are inert, as before; tostring of the simulator says so.
  eq(o.ev:pending(), false, "event handle after close")
  eq(o.ev:cancel(), false, "event cancel after close")
  eq(tostring(o.sim), "synack.simulator (closed)", "tostring of a closed simulator")
end

do
  local o = network()
  o.sim:close()
  collectgarbage()
  all_fail(o)
  o.sim:close()  -- twice is harmless
  all_fail(o)
end

-- A to-be-closed simulator: its objects outlive the scope.
do
  local o
  do
    local n = network(2)
    local sim <close> = n.sim
    o = n
  end
  collectgarbage()
  all_fail(o)
end

-- A connection whose record was freed is gone (its state reads CLOSED).
do
  local o = network(3)
  o.conn:abort()
  o.sim:run{stop = 2}
  eq(o.conn.state, "CLOSED", "state of a gone connection")
  -- what it was stays readable; what acts raises
  eq(o.conn.stats.state, "CLOSED", "stats of a gone connection")
  eq(type(o.conn:info().cwnd), "number", "info of a gone connection")
  fails("the connection is gone", function() return o.conn:close() end)
  fails("the connection is gone", function() return o.conn:set{nagle = false} end)
  fails("the connection is gone", function() return o.conn:shutdown() end)
  fails("the connection is gone", function() return o.conn:on("data", function() end) end)
  fails("the connection is gone", function() return o.conn:send(1) end)
  o.sim:close()
  fails(CLOSED, function() return o.conn.state end)
end

-- An application in a to-be-closed variable: its state lives as long as
-- the simulator (its events are still pending when the variable closes).
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local sink = b:app{"sink", port = 5001}
  do
    local bulk <close> = a:app{"bulk", target = b:address(), port = 5001, bytes = 100000, start = 1}
  end
  collectgarbage()
  sim:run()
  eq(sink:stats().bytes_received, 100000, "bytes of an application whose variable closed")
  sim:close()
end

-- ------------------------------------------------ objects of another simulator
do
  local s1, s2 = synack.simulator{}, synack.simulator{}
  local a, b = s1:node("a"), s1:node("b")
  local x = s2:node("x")
  -- (argument numbers as Lua counts them for a method call: without self)
  fails("bad argument #2 to 'duplex_link' (node of another simulator)",
        function() s1:duplex_link(a, x, {rate = "1Mbps", delay = "1ms"}) end)
  fails("bad argument #1 to 'duplex_link' (node of another simulator)",
        function() s1:duplex_link(x, b, {rate = "1Mbps", delay = "1ms"}) end)
  s1:duplex_link(a, b, {rate = "1Mbps", delay = "1ms"})
  local y = s2:node("y")
  s2:duplex_link(x, y, {rate = "1Mbps", delay = "1ms"})
  fails("send_raw: option 'to': node of another simulator", function() a:send_raw{to = x} end)
  fails("bad argument #1 to 'connect' (node of another simulator)",
        function() a:tcp():connect(x, 80) end)
  -- A node whose index is past the other network's nodes: the route
  -- computation of the first packet would index past its tables.
  for i = 1, 40 do s2:node("n" .. i) end
  local far = s2:nodes()[42]
  fails("bad argument #2 to 'duplex_link' (node of another simulator)",
        function() s1:duplex_link(a, far, {rate = "1Mbps", delay = "1ms"}) end)
  -- Nothing of the refused calls reached the networks: both still run.
  a:send_raw{to = b}
  x:send_raw{to = y}
  s1:run()
  s2:run()
  eq(b:stats().received, 1, "packet in the first simulator")
  eq(y:stats().received, 1, "packet in the second simulator")
  -- A connection of another simulator given to a recorder.
  local rec = s1:record()
  b:tcp():listen(80)
  y:tcp():listen(80)
  a:tcp():connect(b, 80)
  local other = x:tcp():connect(y, 80)
  s1:run()
  s2:run()
  fails("ladder_text: option 'connection': connection of another simulator",
        function() return rec:ladder_text{connection = other} end)
  s1:close()
  s2:close()
end

-- ------------------------------------------------ strings with a NUL byte
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  local link = sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  local ep = a:tcp()
  local fn = function() end
  local dir = os.tmpname()
  os.remove(dir)
  local calls = {
    {"sim:node", function() return sim:node("c\0d") end},
    {"sim:rng", function() return sim:rng("x\0y") end},
    {"synack.duration", function() return synack.duration("1s\0junk") end},
    {"synack.rate", function() return synack.rate("10Mbps\0junk") end},
    {"synack.size", function() return synack.size("1KiB\0junk") end},
    {"synack.plugins", function() return synack.plugins("queue\0junk") end},
    {"synack.series", function() return synack.series("s\0t") end},
    {"synack.simulator scheduler", function() return synack.simulator{scheduler = "ladder\0junk"} end},
    {"sim:at", function() return sim:at("1s\0junk", fn) end},
    {"sim:run stop", function() return sim:run{stop = "1s\0junk"} end},
    {"option name", function() return sim:duplex_link(a, b, {rate = 1, delay = 1, ["mtu\0junk"] = 9}) end},
    {"link rate", function() return sim:duplex_link(a, b, {rate = "1Mbps\0junk", delay = 1}) end},
    {"link delay", function() return sim:duplex_link(a, b, {rate = 1, delay = "1ms\0junk"}) end},
    {"link addresses", function()
      return sim:duplex_link(a, b, {rate = 1, delay = 1, addresses = {"10.9.0.1\0junk", "10.9.0.2"}})
    end},
    {"plugin name", function() return sim:duplex_link(a, b, {rate = 1, delay = 1, queue = "droptail\0junk"}) end},
    {"plugin name in a table", function()
      return sim:duplex_link(a, b, {rate = 1, delay = 1, queue = {"droptail\0junk"}})
    end},
    {"parameter name", function()
      return sim:duplex_link(a, b, {rate = 1, delay = 1, queue = {"droptail", ["limit\0junk"] = 5}})
    end},
    {"parameter value", function()
      return sim:duplex_link(a, b, {rate = 1, delay = 1, queue = {"droptail", limit = "5\0junk"}})
    end},
    {"sim:pcap", function() return sim:pcap(dir .. "\0junk") end},
    {"sim:trace", function() return sim:trace(dir .. "\0junk") end},
    {"link:pcap", function() return link:pcap(dir .. "\0junk") end},
    {"link:trace", function() return link:trace(dir .. "\0junk") end},
    {"send_raw flags", function() return a:send_raw{to = b, tcp = {flags = "SYN\0junk"}} end},
    {"on_receive", function() return a:on_receive("raw\0junk", fn) end},
    {"tun name", function() return a:tun{name = "syn\0junk", address = "192.0.2.2/24"} end},
    {"tun address", function() return a:tun{address = "192.0.2.2/24\0junk"} end},
    {"ep:state_log", function() return ep:state_log(dir .. "\0junk") end},
    {"ep:connect address", function() return ep:connect("10.0.1.2\0junk", 80) end},
    {"ep:listen syncookies", function() return ep:listen(90, {syncookies = "off\0junk"}) end},
    {"sim:write_tcp_csv", function() return sim:write_tcp_csv(dir .. "\0junk") end},
  }
  for _, c in ipairs(calls) do
    local ok, e = pcall(c[2])
    check(not ok, "%s with a NUL byte: expected an error, got success", c[1])
    check(tostring(e):find("contains a NUL byte", 1, true), "%s with a NUL byte: %s", c[1], tostring(e))
  end
  check(not io.open(dir), "a file was made at %s", dir)
  -- In a connection's methods, and in a recorder's output name.
  b:tcp():listen(80)
  local rec = sim:record()
  local conn = ep:connect(b, 80)
  sim:run{stop = 1}
  fails("contains a NUL byte", function() return conn:on("data\0junk", fn) end)
  fails("contains a NUL byte", function() return conn:sample("cwnd\0junk", 1, fn) end)
  fails("contains a NUL byte", function() return rec:ladder(dir .. "\0junk") end)
  fails("contains a NUL byte", function() return rec:ladder_text{title = "t\0junk"} end)
  check(not io.open(dir), "a file was made at %s", dir)
  -- Field names are compared whole, NUL bytes included.
  local s = synack.series("s")
  eq(s["name\0junk"], nil, "series['name\\0junk'] is no field")
  eq(s.name, "s", "series.name")
  eq(synack["csv\0junk"], nil, "synack['csv\\0junk'] loads no module")
  sim:close()
end

-- ------------------------------------------------ outputs that cannot be written
local function is(test, path)
  return os.execute("test " .. test .. " '" .. path .. "'") == true
end

do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  b:tcp():listen(80)
  local rec = sim:record()
  a:tcp():connect(b, 80)
  sim:run{stop = 1}
  -- A link to a full device is written through, and the failure named;
  -- the link stays a link.
  local dir = os.tmpname()
  os.remove(dir)
  os.execute("mkdir '" .. dir .. "'")
  local full = dir .. "/full.txt"
  os.execute("ln -s /dev/full '" .. full .. "'")
  fails("ladder: cannot write " .. full, function() rec:ladder(full) end)
  check(is("-L", full), "%s is no longer a symbolic link", full)
  fails("write_tcp_csv: cannot write " .. full, function() sim:write_tcp_csv(full) end)
  check(is("-L", full), "%s is no longer a symbolic link", full)
  fails("cannot write " .. full, function() synack.write_file(full, "x\n") end)
  check(is("-L", full), "%s is no longer a symbolic link", full)
  -- The device itself: an error naming it, and it stays a device.
  fails("ladder: cannot write /dev/full", function() rec:ladder("/dev/full") end)
  fails("write_tcp_csv: cannot write /dev/full", function() sim:write_tcp_csv("/dev/full") end)
  fails("cannot write /dev/full", function() synack.write_file("/dev/full", "x\n") end)
  check(is("-c", "/dev/full"), "/dev/full is no longer a character device")
  -- A regular file is written whole.
  local function read(path)
    local f = assert(io.open(path))
    local text = f:read("a")
    f:close()
    return text
  end
  local good = dir .. "/ladder.txt"
  rec:ladder(good)
  eq(read(good), rec:ladder_text(), "the ladder written to a file")
  sim:write_tcp_csv(good)
  check(read(good):find("^id,node,side,local,remote"), "tcp csv:\n%s", read(good))
  eq(select(2, read(good):gsub("\n", "")), #sim:tcp_table() + 1, "rows of the tcp csv")
  synack.write_file(good, "a\0b")
  eq(read(good), "a\0b", "write_file of bytes")
  fails("contains a NUL byte", function() synack.write_file(good .. "\0x", "") end)
  os.execute("rm -rf '" .. dir .. "'")
  sim:close()
end

-- A state log on a full device fails the run that wrote to it, naming
-- the file; one written after the last run fails sim:close.
do
  local sim = synack.simulator{}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  b:tcp():listen(80)
  a:tcp():state_log("/dev/full")
  local conn = a:tcp():connect(b, 80)
  fails("state_log: cannot write /dev/full: No space left on device",
        function() sim:run{stop = 1} end)
  eq(conn.state, "ESTABLISHED", "the run went on")
  sim:run{stop = 2}  -- reported once
  check(is("-c", "/dev/full"), "/dev/full is no longer a character device")
  sim:close()

  sim = synack.simulator{}
  a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
  b:tcp():listen(80)
  conn = a:tcp():connect(b, 80)
  sim:run{stop = 1}
  a:tcp():state_log("/dev/full")
  conn:abort()
  fails("state_log: cannot write /dev/full: No space left on device", function() sim:close() end)
  fails(CLOSED, function() return a:name() end)
end
