-- The "peer" side of a scenario of tests/linux_diff.sh with synack's TCP
-- (timers = "linux") through a TUN device: the same steps as peer.py's
-- (tests/linux_diff/scenarios), each waiting as the socket call would.
-- Arguments: scenarios=FILE name=NAME dev=DEV address=A/LEN remote=ADDR
-- syncdir=DIR timers=K=V,K=V (the common profile parameters), and
-- port_offset=N (added to the scenario's port; default 0).
-- Prints "ready" once listening, then "result peer received=N error=E",
-- and ends once the file "end" is in syncdir (the Linux side is done).
local synack = require "synack"
local A = synack.args
io.stdout:setvbuf("line")

local function fail(msg) io.stderr:write("synack_side.lua: ", msg, "\n"); os.exit(1) end

-- The scenario's peer steps and timer parameters.
local steps, port, timers = nil, nil, {"linux"}
local function add_timers(list)
  for kv in list:gmatch("[^,%s]+") do
    local k, v = kv:match("^([%w_]+)=(.+)$")
    if not k then fail("bad timer parameter '" .. kv .. "'") end
    timers[k] = v
  end
end
add_timers(A.timers or "")
do
  local cur
  local n = 0
  for line in io.lines(A.scenarios) do
    n = n + 1
    local words = {}
    for w in line:gsub("#.*", ""):gmatch("%S+") do words[#words + 1] = w end
    if words[1] == "scenario" then
      cur = words[2] == A.name
      if cur then port = math.tointeger(tonumber(words[3])) + math.tointeger(tonumber(A.port_offset or 0)) end
    elseif cur and words[1] == "peer" then
      steps = table.move(words, 2, #words, 1, {})
    elseif cur and words[1] == "timers" then
      add_timers(table.concat(words, ",", 2))
    end
  end
end
if not steps then fail("no scenario '" .. tostring(A.name) .. "' with a peer line in " .. A.scenarios) end

local sim = synack.simulator{realtime = true}
local node = sim:node("synack")
node:tun{name = A.dev, address = A.address, pcap = A.pcap}
-- The receive buffer is the endpoint's, so that a listener's connections
-- advertise Linux's window (half its tcp_rmem default) before accept too.
local ep = node:tcp{timers = timers, rcvbuf = tonumber(A.rcvbuf)}

-- The steps run in a coroutine; a step that waits polls its condition
-- every millisecond (of real time: the simulator runs in real time).
local BOUND = 60
local co
local function wait(what, cond, progress)
  local limit = sim:now() + BOUND
  while not cond() do
    if sim:now() > limit then
      fail(string.format("%s: gave up waiting for %s after %d s%s", A.name, what, BOUND,
        progress and " (" .. progress() .. ")" or ""))
    end
    sim:after(0.001, function()
      local ok, err = coroutine.resume(co)
      if not ok then fail(err) end
    end)
    coroutine.yield()
  end
end

-- A recorder, for zero_window_probes: the segments that arrived, with
-- their lengths.
local rec
for _, step in ipairs(steps) do
  if step:match("^zero_window_probes=") then rec = sim:record() end
end

local opts = {autoread = false, rcvbuf = tonumber(A.rcvbuf)}
local listener, c
local from_peer -- the recorder's direction of the other side's segments
local got, err = 0, "none"
local function conn_failed()
  if c and c.error then
    err = ({refused = "ECONNREFUSED", reset = "ECONNRESET", timeout = "ETIMEDOUT"})[c.error] or c.error
    return true
  end
  return false
end
local function apply()
  if c then c:set(opts) end
end
local function settled(conn)
  local s = conn.state
  return s == "CLOSED" or s == "TIME_WAIT"
end
local function pattern(n)
  local t = {}
  for i = 0, n - 1 do t[#t + 1] = string.char(i % 251) end
  return table.concat(t)
end
-- The bytes of each write are made before the run: building 30000 of them
-- takes milliseconds, the real-time loop would fall that far behind the
-- wall clock, and timers then due (a tail loss probe's) would fire before
-- the segments that came meanwhile are read.
local writes = {}
for _, step in ipairs(steps) do
  local v = step:match("^send=(%d+)$")
  if v then writes[v] = writes[v] or pattern(math.tointeger(tonumber(v))) end
end

local run = {}
function run.nodelay() opts.nagle = false; apply() end
-- (SO_RCVBUF: the kernel's buffer is twice the value, at least 2304 bytes)
function run.rcvbuf(v) opts.rcvbuf = math.max(2 * math.tointeger(tonumber(v)), 2304); apply() end
function run.keepalive(v)
  local idle, intvl, cnt = v:match("^(%d+),(%d+),(%d+)$")
  opts.keepalive, opts.keepidle, opts.keepintvl = true, idle .. "s", intvl .. "s"
  opts.keepcnt = math.tointeger(tonumber(cnt))
  apply()
end
function run.user_timeout(v) opts.user_timeout = v .. "ms"; apply() end
function run.listen()
  listener = ep:listen(port, {accept = "manual"})
  print("ready")
end
function run.accept()
  wait("a connection to accept", function() c = listener:accept(); return c ~= nil end)
  from_peer = "c>s"
  apply()
end
function run.connect()
  c = ep:connect(A.remote, port, opts)
  from_peer = "s>c"
  -- (the peer may have sent and closed already when the poll looks)
  wait("the connection to open", function()
    return c.state ~= "SYN_SENT" or conn_failed()
  end)
end
function run.send(v) c:send(writes[v] or pattern(math.tointeger(tonumber(v)))) end
local function recv(want)
  wait("data", function()
    while not want or got < want do
      local b, e = c:read(want and want - got or nil)
      if b == nil then
        if e ~= "eof" then conn_failed() end
        return true
      end
      -- (a string, or a count when the bytes were not kept)
      local n = type(b) == "string" and #b or b
      if n == 0 then return false end
      got = got + n
    end
    return true
  end)
end
function run.recv(v) recv(math.tointeger(tonumber(v))) end
function run.recv_eof() recv(nil) end
function run.unread(v)
  local n = math.tointeger(tonumber(v))
  wait(v .. " unread bytes", function() return c.stats.bytes_received >= n end)
end
function run.wait_error() wait("an error", conn_failed) end
function run.fin_acked()
  wait("our FIN acknowledged", function()
    return c.state == "FIN_WAIT_2" or c.state == "TIME_WAIT" or c.state == "CLOSED"
  end)
end
local function nth(n)
  local m = n < 20 and n or n % 10
  return n .. (({"st", "nd", "rd"})[m] or "th")
end
-- On an idle connection every segment sent is a keepalive probe and
-- every segment received an answer.
function run.keepalive_probes(v)
  local n = math.tointeger(tonumber(v))
  if not opts.keepalive then fail(A.name .. ": keepalive_probes=" .. v .. ": keepalive is off (no keepalive= step)") end
  local out0, in0 = c.stats.segments_out, c.stats.segments_in
  local function counts() local st = c.stats; return st.segments_out - out0, st.segments_in - in0 end
  wait("the " .. nth(n) .. " keepalive probe and its answer", function()
    local probes, answers = counts()
    if conn_failed() then
      fail(string.format("%s: keepalive_probes=%s: the connection failed (%s) after %d probes", A.name, v, err, probes))
    end
    return probes >= n and answers >= n
  end, function() return string.format("%d probes sent, %d answers received", counts()) end)
end
-- The application not reading, the window closes and the only segments
-- without data that arrive are the sender's probes.
function run.zero_window_probes(v)
  local n = math.tointeger(tonumber(v))
  local function without_data()
    local k = 0
    for _, s in ipairs(rec:segments{connection = c}) do
      if s.dir == from_peer and s.len == 0 and s.arrived then k = k + 1 end
    end
    return k
  end
  local k0 = without_data()
  wait("the " .. nth(n) .. " zero-window probe", function() return without_data() - k0 >= n end,
    function() return (without_data() - k0) .. " arrived" end)
end
function run.shutdown() c:shutdown() end
function run.close()
  if c and c.state ~= "CLOSED" then c:close() end
  if listener then listener:close() end
  listener = nil
end
function run.sync(v) assert(io.open(A.syncdir .. "/" .. v, "w")):close() end
function run.wait(v)
  wait(v, function()
    local f = io.open(A.syncdir .. "/" .. v)
    if f then f:close() end
    return f ~= nil
  end)
end
local function all_settled()
  for _, conn in ipairs(ep:connections()) do
    if not settled(conn) then return false end
  end
  return true
end
function run.gone() wait("the connection to close", all_settled) end

-- The kernel sends nothing out of the device until it has seen it
-- attached: the carrier comes on at once but the kernel's link watch may
-- take up to a second to act on it (and until then drops what it sends,
-- a SYN-ACK say), so the scenario starts once the device's operational
-- state is no longer "down".
local function device_up()
  local f = io.open("/sys/class/net/" .. A.dev .. "/operstate")
  if not f then return true end -- no sysfs here: nothing to wait for
  local state = f:read("l")
  f:close()
  return state ~= "down"
end

co = coroutine.create(function()
  wait("the device " .. A.dev .. " to be up", device_up)
  print("attached")
  io.stdout:flush()
  for _, step in ipairs(steps) do
    local k, v = step:match("^([%w_]+)=?(.*)$")
    if not run[k] then fail("unknown step '" .. step .. "'") end
    run[k](v)
  end
  run.gone()
  print(string.format("result peer received=%d error=%s", got, err))
  -- The node answers for itself as a Linux host's kernel would after its
  -- program has gone (a reset to a later FIN) until the Linux side is done.
  run.wait("end")
  sim:stop()
end)
sim:at(0, function()
  local ok, e = coroutine.resume(co)
  if not ok then fail(e) end
end)
sim:run{stop = 300}
