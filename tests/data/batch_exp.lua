-- Fixture for tests/batch.sh: a fast experiment for `synack batch`.
-- mode = "fail" raises an error, "hang" never returns, "crash" exits the
-- process without a result; spin busy-waits that many CPU seconds first.
local synack = require "synack"
return {
  params = { loss = 0.1, n = 3, name = "x", flag = false, mode = "ok", spin = 0.0 },
  run = function(P)
    local t = os.clock() + P.spin
    while os.clock() < t do end
    if P.mode == "fail" then error("asked to fail") end
    if P.mode == "hang" then while true do end end
    if P.mode == "crash" then os.exit(3) end
    -- With SYNACK_TEST_GATE naming a file, a run with loss above 0.1 waits
    -- until that file exists: tests stop a batch half-way without timing.
    local gate = os.getenv("SYNACK_TEST_GATE")
    if gate and P.loss > 0.1 then
      while not io.open(gate) do end
    end
    local sim = synack.simulator{}
    local hits, rng = 0, sim:rng("loss")
    for _ = 1, 100 do
      if rng:bernoulli(P.loss) then hits = hits + 1 end
    end
    -- a trace that cannot be written, of a simulator left open (SYNACK_TEST_FULL
    -- names a full device): the run fails, naming it
    if P.mode == "opentrace" then
      local a, b = sim:node("a"), sim:node("b")
      sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
      sim:trace(os.getenv("SYNACK_TEST_FULL"))
      a:send_raw{to = b, size = 100}
    end
    -- a metric holding a NUL byte, in its value or in its name
    if P.mode == "nulvalue" then return { y = "a\0b" } end
    if P.mode == "nulname" then return { ["y\0z"] = 1 } end
    -- With SYNACK_TEST_DONE naming a path, a run says it is done by making
    -- the file PATH.LOSS as it returns.
    local done = os.getenv("SYNACK_TEST_DONE")
    if done then assert(io.open(done .. "." .. P.loss, "w")):close() end
    return { y = P.n * 2, lost = hits, label = P.name .. ', "quoted"' }
  end,
}
