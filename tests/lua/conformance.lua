-- The conformance suite: every case file under tests/tcp/, and the
-- runner's own failure reports (a case that must fail does).
local conformance = require "synack.conformance"
local here = debug.getinfo(1, "S").source:match("^@(.*/)")
local T = dofile(here .. "testlib.lua")
local check = T.check

-- Every case runs under both timer profiles (a case may restrict itself).
local cases = {
  "closed_syn", "closed_ack", "closed_fin", "closed_rst", "closed_rtt",
  "passive_open", "active_open", "syn_sent_bad_ack", "syn_sent_rst_no_ack",
  "simultaneous_open", "close_active", "close_active_linux", "close_passive",
  "simultaneous_close", "time_wait_refin", "rst_in_window", "rst_out_of_window",
  "syn_in_established", "out_of_window", "ack_too_far", "listen_ack",
  "synrecv_bad_ack", "synrecv_rst", "syn_retries_linux", "syn_retries_rfc",
  "synack_retries_linux", "twoway_passive", "twoway_active", "old_duplicate_syn",
  "data_in_order", "data_out_of_order", "fin_with_data", "fin_past_gap",
  "last_ack_rst", "time_wait_rst", "closing_rst", "synrecv_dup_syn",
  "abort_established", "abort_syn_sent", "close_syn_sent", "fin_retransmit_rfc",
  "ack_old_duplicate", "syn_sent_synack_bad_ack", "close_wait_refin", "fin_wait_2_data",
}
local dir = here .. "../tcp/"
local failed, ran = 0, 0
for _, name in ipairs(cases) do
  for _, timers in ipairs({"rfc", "linux"}) do
    local ok, report = conformance.run(dir .. name .. ".case", timers)
    if report ~= "skipped" then
      ran = ran + 1
      if ok then
        print("PASS " .. name .. " (" .. timers .. ")")
      else
        print("FAIL " .. name .. " (" .. timers .. ")\n" .. report)
        failed = failed + 1
      end
    end
  end
end
check(failed == 0, "%d of %d conformance runs failed", failed, ran)

-- The runner must notice a wrong field, a wrong time, a missing segment and
-- an unexpected one.
local function must_fail(text, part)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  local ok, report = conformance.run(path)
  os.remove(path)
  check(not ok, "a broken case passed:\n%s", text)
  check(report:find(part, 1, true), "report %q lacks %q", report, part)
end
must_fail("0 < S 1000:1000(0)\n0 > R. 0:0(0) ack 1002\n", "ack differ")
must_fail("0 < S 1000:1000(0)\n0 > R 0:0(0) ack 1001\n", "flags differ")
must_fail("0 < S 1000:1000(0)\n0.5 > R. 0:0(0) ack 1001\n", "time differ")
must_fail("0 < R 1:1(0)\n0 > R. 0:0(0)\n", "nothing was sent")
must_fail("0 < S 1000:1000(0)\n", "unexpected segment")

-- Malformed cases are clear errors with file:line.
local function bad_case(text, part)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
  local ok, err = pcall(conformance.run, path)
  os.remove(path)
  check(not ok and tostring(err):find(part, 1, true), "expected %q, got %s", part, tostring(err))
end
bad_case("0 < X 1:1(0)\n", ":1: unknown flag 'X'")
bad_case("\n0 < S 1:5(0)\n", ":2: 1:5(0): END - SEQ must equal LEN")
bad_case("0 = S 1:1(0)\n", ":1: expected '<', '>', connect")
bad_case("soon < S 1:1(0)\n", ":1: expected a time")
bad_case("0 < S 1:1(0) mss 1460\n", ":1: unexpected 'mss'")
