-- Fixture for tests/tun.sh: a TUN interface of a closed simulator. Every
-- method and tostring raise "the simulator is closed"; nothing reads the
-- freed interface.
local synack = require "synack"
local sim = synack.simulator{realtime = true}
local tun = sim:node("n"):tun{address = "192.0.2.2/24"}
print("open", tostring(tun), tun:name())
sim:close()
collectgarbage()
for _, f in ipairs({
  function() return tostring(tun) end,
  function() return tun:name() end,
  function() return tun:node() end,
  function() return tun:stats() end,
}) do
  local ok, err = pcall(f)
  assert(not ok, "a closed simulator's TUN interface answered")
  assert(tostring(err):find("the simulator is closed", 1, true), tostring(err))
end
print("closed ok")
