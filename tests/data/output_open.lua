-- Fixture for tests/output.sh: a trace of a simulator that is never run
-- nor closed, to synack.args.path; what it wrote is flushed when the
-- program closes the simulators left open, and a failure fails the run.
local synack = require "synack"
local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
sim:trace(synack.args.path)
a:send_raw{to = b, size = 100}
print("done")
