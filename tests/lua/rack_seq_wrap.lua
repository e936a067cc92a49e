-- RACK's record of the highest SACKed byte (rk_fack) across sequence
-- number zero: a `linux` sender (RACK on, SACK, no timestamps) whose first
-- flight crosses 2^32 sees no reordering on a path that only drops (2 %,
-- Bernoulli, nothing held back).  Only a segment that arrives after one
-- sent later is reordering; here every hole is a loss, so the count must
-- be zero whatever the ISS.  The same transfer from an ISS far from the
-- wrap is the control: the losses, retransmissions and bytes must match.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq = T.check, T.eq

local BYTES = 200000

local function run(iss)
  local sim = synack.simulator{seed = 1}
  local a, b = sim:node("a"), sim:node("b")
  sim:duplex_link(a, b, {rate = "100Mbps", delay = "10ms", queue = {"droptail", limit = 1000},
    ab = {loss = {"bernoulli", p = 0.02}}})
  local sm = {"rfc9293", mss = 1000, timestamps = false}
  b:tcp{state_machine = sm, timers = "linux"}:listen(80, function() end)
  local c = a:tcp{state_machine = sm, timers = "linux", cc = "newreno",
    isn = {"fixed", value = iss}}:connect(b, 80)
  c:on("established", function(conn) conn:send(BYTES) end)
  sim:run{stop = 60}
  return c.stats
end

local far = run(1000)
-- the SYN takes 2^32 - 2001; data starts at 2^32 - 2000 and its first
-- flight (ten segments) crosses zero
local wrap = run(4294967295 - 2000)
eq(far.bytes_acked, BYTES, "far from the wrap: bytes acknowledged")
eq(wrap.bytes_acked, BYTES, "across the wrap: bytes acknowledged")
check(far.rack_lost > 0, "the path lost nothing: the test needs losses")
eq(far.rack_reord_seen, 0, "far from the wrap: reordering seen")
eq(wrap.rack_reord_seen, 0, "across the wrap: reordering seen")
eq(wrap.rack_lost, far.rack_lost, "across the wrap: segments marked lost")
eq(wrap.retransmissions, far.retransmissions, "across the wrap: retransmissions")
print(("2 %% loss, nothing reordered: %d marked lost, %d retransmissions, reordering seen %d times "
  .. "from ISS 1000 and %d times across the wrap"):format(far.rack_lost, far.retransmissions,
  far.rack_reord_seen, wrap.rack_reord_seen))
