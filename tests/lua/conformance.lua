-- The conformance suite: every case file under tests/tcp/, and the
-- runner's own failure reports (a case that must fail does).
local conformance = require "synack.conformance"
local here = debug.getinfo(1, "S").source:match("^@(.*/)")
local T = dofile(here .. "testlib.lua")
local check = T.check

-- Every case runs under both timer profiles (a case may restrict itself).
local dir = here .. "../tcp/"
local cases = {}
local ls = assert(io.popen('ls "' .. dir .. '"'))
for file in ls:lines() do
  local name = file:match("^(.+)%.case$")
  if name then cases[#cases + 1] = name end
end
ls:close()
check(#cases > 0, "no case files in %s", dir)
-- Every case under both profiles, with the state machine sm for those
-- naming none (nil: rfc9293); returns the runs, the failures and the runs
-- of cases naming their own machine.
local function run_all(sm, label)
  local ran, failed, own = 0, 0, 0
  for _, name in ipairs(cases) do
    for _, timers in ipairs({"rfc", "linux"}) do
      local ok, report = conformance.run(dir .. name .. ".case", timers, sm)
      if report ~= "skipped" then
        ran = ran + 1
        if conformance.parse(dir .. name .. ".case").sm then own = own + 1 end
        local what = name .. " (" .. timers .. label .. ")"
        if ok then
          print("PASS " .. what)
        else
          print("FAIL " .. what .. "\n" .. report)
          failed = failed + 1
        end
      end
    end
  end
  return ran, failed, own
end

local ran, failed, own_sm = run_all(nil, "")
check(failed == 0, "%d of %d conformance runs failed", failed, ran)

-- tcp/fastopen is RFC 9293's machine with Fast Open on top: every case
-- that names no machine runs under it too, as a client that asks for no
-- cookie (a server side only answers a SYN carrying the option).  Cases
-- naming a machine (twoway's, Fast Open's own) are skipped.
local fo_ran, fo_failed = run_all({"fastopen", client = false}, ", fastopen")
check(own_sm > 0 and fo_ran == ran - own_sm, "%d runs under fastopen, expected %d - %d", fo_ran, ran, own_sm)
check(fo_failed == 0, "%d of %d conformance runs under tcp/fastopen failed", fo_failed, fo_ran)
do
  local ok, err = pcall(conformance.run, dir .. cases[1] .. ".case", "rfc", "fastopen")
  check(not ok and tostring(err):find("plugin spec", 1, true), "a bad sm was taken: %s", tostring(err))
end

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
bad_case("0 < S 1:1(0) <tfo 010203>\n", ":1: option 'tfo 010203': expected 'tfo' or 'tfo HEX'")
bad_case("0 < S 1:1(0) <tfo 0102030405>\n", "a cookie of 4 to 16 bytes, an even number")
bad_case("0 < S 1:1(0) <tfo xyzw0102>\n", "expected 'tfo' or 'tfo HEX'")

-- A sweep of malformed lines, every directive: bad, huge, negative and
-- missing numbers, unknown flags and options, words too many.  Each is an
-- error "FILE:LINE: message" naming the case file and the line (3, after
-- two good ones), never a line of the runner.
local malformed = {
  "tolerance", "tolerance x", "tolerance -1", "tolerance 1e999", "tolerance 1e300", "tolerance 1 2",
  "rtt", "rtt -1", "rtt 1e999", "rtt 1e300", "rtt 0.1 2",
  "ports", "ports 1", "ports x y", "ports 0 80", "ports 70000 80", "ports 40000 -1", "ports 1 2 3",
  "ports 99999999999999999999 80",
  "isn", "isn -1", "isn 4294967296", "isn 1.5", "isn 99999999999999999999", "isn 1 2",
  "timers", "timers nosuch", "timers rfc linux",
  "set", "set delack", "set nosuch 1", "set delack -5ms", "set delack 1e999s", "set delack banana", "set a b c",
  "sm", "sm mss", "sm nosuch 1", "sm mss -1", "sm mss 99999999999999999999", "sm mss banana", "sm a b c",
  "mss", "mss -1", "mss 1 2", "sndbuf x", "rcvbuf 1e999", "initial_window -3", "nagle maybe",
  "autoread", "autoread maybe", "autoread on x",
  "state_machine", "state_machine nosuch", "state_machine rfc9293 twoway", "listen now",
  "x connect", "-1 close", "1e999 close", "99999999999999999999 close", "+99999999999999 close", "1.2.3 close",
  "0", "0 connect now", "0 close x", "0 abort x", "0 frobnicate", "0 state", "0 state A B",
  "0 send", "0 send -1", "0 send 1e999", "0 send 99999999999999999999", "0 send 1.5", "0 send 1 2",
  "0 read", "0 read -1", "0 stat", "0 stat k", "0 stat k v w",
  "0 <", "0 < Q 1:1(0)", "0 < S", "0 < S 1:1", "0 < S 1:2(0)", "0 < S 4294967296:4294967296(0)",
  "0 < S 99999999999999999999:99999999999999999999(0)", "0 < S 0:4294967295(4294967295)",
  "0 < S 0:70000(70000)", "0 < S 1:1(0) ack", "0 < S 1:1(0) ack -1", "0 < S 1:1(0) ack 4294967296",
  "0 < S 1:1(0) ack 99999999999999999999", "0 < S 1:1(0) win -1", "0 < S 1:1(0) win 65536",
  "0 < S 1:1(0) win x", "0 < S 1:1(0) bogus 1", "0 < S 1:1(0) <mss>", "0 < S 1:1(0) <mss 70000>",
  "0 < S 1:1(0) <wscale 256>", "0 < S 1:1(0) <sack 1:4294967296>", "0 < S 1:1(0) <sack>",
  "0 < S 1:1(0) <sack 1:2 3:4 5:6 7:8 9:10>", "0 < S 1:1(0) <TS val 4294967296 ecr 0>",
  "0 < S 1:1(0) <TS val 1>", "0 < S 1:1(0) <nop 1>", "0 < S 1:1(0) <bogus>", "0 < S 1:1(0) <mss 1,>",
  "0 < S 1:1(0) <mss 1", "0 < S 1:1(0) <> x", "0 < S 1:1(0) <sack 1:2 3:4 5:6 7:8,TS val 1 ecr 2,mss 1>",
  "0 > S 4294967296:4294967296(0)", "0 > S 1:1(0) ack 4294967296", "0 > S 1:1(0) win 65536", "0 > Z 1:1(0)",
}
-- case text -> the line its error must name
local bad_cases = {}
for _, l in ipairs(malformed) do bad_cases[#bad_cases + 1] = { "# a case\nlisten\n" .. l .. "\n0 state LISTEN\n", 3 } end
-- the endpoint's settings: the line of the one that is wrong
bad_cases[#bad_cases + 1] = { "set delack 200ms\nsm mss 1000\nlisten\nsm sack banana\nset rto_min 1s\n", 4 }
bad_cases[#bad_cases + 1] = { "sm mss 1000\nset delack 200ms\nlisten\nset rto_min -1s\nnagle maybe\n", 4 }
bad_cases[#bad_cases + 1] = { "sm mss 1000\n\nstate_machine nosuch\n", 3 }
-- times add up past the limit
bad_cases[#bad_cases + 1] = { "listen\n999999999 state LISTEN\n+999999999 state LISTEN\n", 3 }
for _, c in ipairs(bad_cases) do
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(c[1])
  f:close()
  local ok, err = pcall(conformance.run, path)
  os.remove(path)
  local want = ("%s:%d: "):format(path, c[2])
  check(not ok and type(err) == "string" and err:sub(1, #want) == want,
    "case %q: expected an error starting %q, got %s", c[1], want, tostring(err))
end
-- A case file that cannot be read is an error naming it.
local ok, err = pcall(conformance.run, here)
check(not ok and tostring(err):sub(1, #here + 2) == here .. ": ", "a directory: %s", tostring(err))
