-- node:app's target may be a node, as ep:connect's: the same run as with
-- its address; errors name what is wrong.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")

local function run(target_of)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "10Mbps", delay = "10ms"})
  local sink = b:app{"sink", port = 5001}
  local params = {"bulk", target = target_of(b), port = 5001, bytes = 100000, start = 0.5}
  local bulk = a:app(params)
  local rr = a:app{"reqresp", target = target_of(b), port = 7, count = 2, request = 10,
                   response = 20}
  local server = b:app{"reqresp", role = "server", port = 7, request = 10, response = 20}
  sim:run{stop = 30}
  return bulk:stats(), sink:stats(), rr:stats(), server:stats(), params
end

local bs, ss, rs, _, params = run(function(b) return b end)
T.eq(ss.bytes_received, 100000, "sink: bytes received from a bulk given a node")
T.eq(bs.completed, 1, "bulk: complete")
T.eq(rs.completed, 2, "reqresp client: both exchanges complete")
T.check(type(params.target) == "userdata", "the caller's table is left as it was")
local bs2, ss2, rs2 = run(function(b) return b:address() end)
local function same(x, y, what)
  local n = 0
  for k, v in pairs(x) do
    T.eq(v, y[k], what .. "." .. k)
    n = n + 1
  end
  T.check(n > 5, "%s: %d counters compared", what, n)
end
same(bs, bs2, "bulk: the same as with the address")
same(ss, ss2, "sink: the same as with the address")
same(rs, rs2, "reqresp: the same as with the address")

-- errors
do
  local sim = synack.simulator{seed = 1}
  local a, b, lonely = sim:node("a"), sim:node("b"), sim:node("lonely")
  local l = sim:duplex_link(a, b, {rate = "10Mbps", delay = "10ms"})
  T.fails("target: the node lonely has no link", function()
    a:app{"bulk", target = lonely, bytes = 1}
  end)
  T.fails("target must be a node or an address", function()
    a:app{"bulk", target = a:tcp(), bytes = 1}
  end)
  local other = synack.simulator{seed = 1}
  local x = other:node("x")
  T.check(not pcall(a.app, a, {"bulk", target = x, bytes = 1}),
    "a node of another simulator is refused")
  local _ = l
end
print("ok")
