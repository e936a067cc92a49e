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
