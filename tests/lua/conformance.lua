-- The conformance suite: every case file under tests/tcp/, and the
-- runner's own failure reports (a case that must fail does).
local conformance = require "synack.conformance"
local here = debug.getinfo(1, "S").source:match("^@(.*/)")
local T = dofile(here .. "testlib.lua")
local check = T.check

-- Every case runs under both timer profiles (a case may restrict itself).
local cases = {
  "abort_established", "abort_syn_sent", "ack_old_duplicate", "ack_too_far",
  "active_open", "active_then_peer_close", "close_active",
  "close_active_linux", "close_passive", "close_syn_sent",
  "close_wait_refin", "close_wait_rst", "closed_ack", "closed_fin",
  "closed_rst", "closed_rtt", "closed_syn", "closing_retransmit",
  "closing_rst", "data_in_order", "data_out_of_order", "established_rst_ack",
  "fin_past_gap", "fin_retransmit_rfc", "fin_wait_1_rst", "fin_wait_2_data",
  "fin_wait_2_rst", "fin_with_data", "keepalive_abort", "keepalive_answered",
  "keepalive_off", "last_ack_retransmit", "last_ack_rst", "listen_ack",
  "listen_fin", "listen_syn_data", "old_duplicate_syn", "out_of_window",
  "passive_open", "rst_in_window", "rst_out_of_window", "simultaneous_close",
  "simultaneous_open", "syn_in_established", "syn_retries_linux",
  "syn_retries_rfc", "syn_sent_bad_ack", "syn_sent_rst_no_ack",
  "syn_sent_synack_bad_ack", "synack_retries_linux", "synrecv_ack_data",
  "synrecv_bad_ack", "synrecv_dup_syn", "synrecv_rst",
  "synrecv_rst_in_window", "synrecv_rst_out_of_window",
  "synrecv_syn_then_ack", "time_wait_refin", "time_wait_rst",
  "time_wait_syn", "twoway_active", "twoway_passive", "window_update",
  "data_active_open_mss", "data_delack_one", "data_delack_ooo",
  "data_delack_piggyback", "data_delack_two_full",
  "data_duplicate_segment", "data_fast_retransmit", "data_fin_after_data",
  "data_fin_queued_behind_data", "data_idle_restart",
  "data_initial_window", "data_initial_window_rfc5681", "data_nagle",
  "data_nagle_off", "data_overlap_trim", "data_partial_ack",
  "data_reassembly", "data_receive_window_zero",
  "data_retries_default_rfc", "data_retries_limit",
  "data_retries_limit_linux", "data_rto_backoff_linux",
  "data_rto_backoff_rfc", "data_rto_loss_window", "data_rto_max",
  "data_rto_restart", "data_sack_blocks", "data_sack_recovery",
  "data_sender_default_mss", "data_sender_mss", "data_sender_sws",
  "data_seq_wrap_receive", "data_seq_wrap_send", "data_timestamps",
  "data_window_limited", "data_window_old_ack", "data_window_scale",
  "data_window_trim", "data_zero_window_persist",
  "data_zero_window_persist_linux", "data_limited_transmit",
  "data_rto_after_syn_timeout", "data_sack_blocks_recency",
  "data_sack_islost_entry", "data_timestamps_echo", "data_user_timeout",
  "data_user_timeout_linux",
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
