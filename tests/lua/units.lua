-- synack.duration / rate / size and time arguments: suffixes, exactness,
-- errors.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, show = T.check, T.show

-- Stricter than T.eq: the number type (integer or float) must match too.
local function eq(got, want, what)
  if got ~= want or math.type(got) ~= math.type(want) then
    error(string.format("%s: expected %s (%s), got %s (%s)", what, show(want),
                        math.type(want) or type(want), show(got),
                        math.type(got) or type(got)), 2)
  end
end

-- Calls f(arg) expecting an error whose message contains every string in
-- `wants` (plain find).
local function fails(f, fname, arg, wants)
  local ok, msg = pcall(f, arg)
  check(not ok, "%s(%s): expected an error, got %s", fname, show(arg), show(msg))
  msg = tostring(msg)
  for _, w in ipairs(wants) do
    check(msg:find(w, 1, true), "%s(%s): expected the error to contain %s, got %s",
          fname, show(arg), show(w), show(msg))
  end
  return msg
end

-- ------------------------------------------------------------ durations
local durations = {
  { "1ns", 1 }, { "0ns", 0 }, { "999ns", 999 },
  { "1us", 1000 }, { "3us", 3000 }, { "1.5us", 1500 }, { "0.001us", 1 },
  { "1ms", 1000000 }, { "5ms", 5000000 }, { "0.25ms", 250000 }, { "1.000001ms", 1000001 },
  { "1s", 1000000000 }, { "2s", 2000000000 }, { "0s", 0 },
  { "0.1s", 100000000 }, { "0.3s", 300000000 }, { "1.1s", 1100000000 },
  { "0.000000001s", 1 }, { "123.456789012s", 123456789012 },
  { "9223372036854775807ns", math.maxinteger },
  { "9223372036s", 9223372036000000000 },
  { 0, 0 }, { 1, 1000000000 }, { 2, 2000000000 }, { 86400, 86400000000000 },
  { 0.1, 100000000 }, { 0.5, 500000000 }, { 1.25, 1250000000 }, { 1e-9, 1 },
  { 0.000001, 1000 }, { 3.0, 3000000000 }, { 1e-3, 1000000 },
}
for _, c in ipairs(durations) do
  eq(synack.duration(c[1]), c[2], "synack.duration(" .. show(c[1]) .. ")")
end
eq(synack.duration("0.1s"), 100000000, "\"0.1s\" is exactly 100000000 ns")
eq(synack.duration("0.1s") * 3, synack.duration("0.3s"), "3 x 0.1s == 0.3s exactly")

-- ------------------------------------------------------------ rates
local rates = {
  { "1bps", 1 }, { "0bps", 0 }, { "1500bps", 1500 },
  { "1Kbps", 1000 }, { "64Kbps", 64000 }, { "1.5Kbps", 1500 },
  { "1Mbps", 1000000 }, { "10Mbps", 10000000 }, { "1.5Mbps", 1500000 }, { "0.001Mbps", 1000 },
  { "1Gbps", 1000000000 }, { "100Gbps", 100000000000 }, { "2.5Gbps", 2500000000 },
  { 0, 0 }, { 1, 1 }, { 1000000, 1000000 }, { 1e9, 1000000000 }, { 2.0, 2 },
}
for _, c in ipairs(rates) do
  eq(synack.rate(c[1]), c[2], "synack.rate(" .. show(c[1]) .. ")")
end

-- ------------------------------------------------------------ sizes
local sizes = {
  { "1B", 1 }, { "0B", 0 }, { "1500B", 1500 },
  { "1KB", 1000 }, { "64KB", 64000 }, { "1.5KB", 1500 },
  { "1MB", 1000000 }, { "2.5MB", 2500000 },
  { "1GB", 1000000000 }, { "4GB", 4000000000 },
  { "1KiB", 1024 }, { "64KiB", 65536 }, { "1.5KiB", 1536 }, { "0.5KiB", 512 },
  { "1MiB", 1048576 }, { "0.25MiB", 262144 },
  { "1GiB", 1073741824 }, { "8GiB", 8589934592 },
  { 0, 0 }, { 1, 1 }, { 1500, 1500 }, { 65536.0, 65536 },
}
for _, c in ipairs(sizes) do
  eq(synack.size(c[1]), c[2], "synack.size(" .. show(c[1]) .. ")")
end

-- ------------------------------------------------------------ errors
-- Missing unit.
fails(synack.duration, "synack.duration", "10", { "\"10\"", "missing unit" })
fails(synack.rate, "synack.rate", "10", { "\"10\"", "missing unit" })
fails(synack.size, "synack.size", "64", { "\"64\"", "missing unit" })
fails(synack.duration, "synack.duration", "0.5", { "\"0.5\"", "unit" })
-- Unknown unit, white space, wrong family, wrong case.
fails(synack.duration, "synack.duration", "10 ms", { "\"10 ms\"" })
fails(synack.duration, "synack.duration", "10mbit", { "\"10mbit\"", "unknown unit", "mbit" })
fails(synack.duration, "synack.duration", "5sec", { "\"5sec\"", "unknown unit", "sec" })
fails(synack.duration, "synack.duration", "5S", { "\"5S\"", "unknown unit" })
fails(synack.duration, "synack.duration", "10Mbps", { "\"10Mbps\"", "unknown unit" })
fails(synack.duration, "synack.duration", "1min", { "\"1min\"", "unknown unit" })
fails(synack.rate, "synack.rate", "10mbps", { "\"10mbps\"", "unknown unit" })
fails(synack.rate, "synack.rate", "10Mbit", { "\"10Mbit\"", "unknown unit" })
fails(synack.rate, "synack.rate", "10MB", { "\"10MB\"", "unknown unit" })
fails(synack.rate, "synack.rate", "10 Mbps", { "\"10 Mbps\"" })
fails(synack.size, "synack.size", "64kB", { "\"64kB\"", "unknown unit" })
fails(synack.size, "synack.size", "64KIB", { "\"64KIB\"", "unknown unit" })
fails(synack.size, "synack.size", "64ms", { "\"64ms\"", "unknown unit" })
-- Not a whole number of the base unit.
fails(synack.duration, "synack.duration", "1.5ns", { "\"1.5ns\"", "whole" })
fails(synack.duration, "synack.duration", "0.0000000001s", { "\"0.0000000001s\"", "whole" })
fails(synack.rate, "synack.rate", "1.5bps", { "\"1.5bps\"", "whole" })
fails(synack.size, "synack.size", "0.5B", { "\"0.5B\"", "whole" })
fails(synack.size, "synack.size", "1.0001KiB", { "\"1.0001KiB\"", "whole" })
fails(synack.rate, "synack.rate", 1.5, { "1.5", "whole" })
fails(synack.size, "synack.size", 0.5, { "0.5", "whole" })
-- Negative.
fails(synack.duration, "synack.duration", "-1s", { "\"-1s\"", "negative" })
fails(synack.rate, "synack.rate", "-1Mbps", { "\"-1Mbps\"", "negative" })
fails(synack.size, "synack.size", "-1B", { "\"-1B\"", "negative" })
fails(synack.duration, "synack.duration", -1, { "negative" })
fails(synack.duration, "synack.duration", -0.5, { "negative" })
fails(synack.rate, "synack.rate", -1, { "negative" })
fails(synack.size, "synack.size", -1, { "negative" })
-- Malformed numbers, empty strings, too large, wrong types.
fails(synack.duration, "synack.duration", "", { "empty" })
fails(synack.duration, "synack.duration", "ms", { "\"ms\"" })
fails(synack.duration, "synack.duration", "1e3s", { "\"1e3s\"" })
fails(synack.duration, "synack.duration", "1.2.3s", { "\"1.2.3s\"" })
fails(synack.duration, "synack.duration", ".5s", { "\".5s\"" })
fails(synack.duration, "synack.duration", "1.s", { "\"1.s\"" })
fails(synack.duration, "synack.duration", "+1s", { "\"+1s\"" })
fails(synack.duration, "synack.duration", "9223372036854775808ns", { "\"9223372036854775808ns\"", "too large" })
fails(synack.duration, "synack.duration", "9223372037s", { "\"9223372037s\"", "too large" })
fails(synack.duration, "synack.duration", 1e300, { "too large" })
fails(synack.duration, "synack.duration", math.huge, { "too large" })
fails(synack.duration, "synack.duration", 0 / 0, { "not a number" })
fails(synack.duration, "synack.duration", {}, { "table" })
fails(synack.duration, "synack.duration", nil, { "synack.duration" })
fails(synack.rate, "synack.rate", true, { "boolean" })
fails(synack.size, "synack.size", {}, { "table" })
fails(synack.size, "synack.size", "99999999999GiB", { "too large" })
-- The unknown-unit message lists the accepted suffixes.
fails(synack.duration, "synack.duration", "3h", { "ns", "us", "ms" })
fails(synack.rate, "synack.rate", "3Tbps", { "Kbps", "Mbps", "Gbps" })
fails(synack.size, "synack.size", "3TB", { "KiB", "MiB", "GiB" })

-- ---------------------------------------------- time arguments of methods
do
  local sim = synack.simulator()
  local function try(f)
    local ok, msg = pcall(f)
    check(not ok, "expected an error, got none")
    return tostring(msg)
  end
  local fn = function() end
  local msg = try(function() sim:at("10 ms", fn) end)
  check(msg:find("bad argument #1 to 'at'", 1, true) and msg:find("\"10 ms\"", 1, true),
        "sim:at(\"10 ms\"): expected \"bad argument #1 to 'at'\" and the value quoted, got %s", show(msg))
  check(msg:find(debug.getinfo(1, "S").short_src .. ":", 1, true), "sim:at(\"10 ms\"): expected the caller's location, got %s", show(msg))
  msg = try(function() sim:after("5sec", fn) end)
  check(msg:find("bad argument #1 to 'after'", 1, true) and msg:find("\"5sec\"", 1, true),
        "sim:after(\"5sec\"): expected \"bad argument #1 to 'after'\" and the value quoted, got %s", show(msg))
  msg = try(function() sim:at("10", fn) end)
  check(msg:find("missing unit", 1, true), "sim:at(\"10\"): expected 'missing unit', got %s", show(msg))
  msg = try(function() sim:at({}, fn) end)
  check(msg:find("bad argument #1 to 'at'", 1, true), "sim:at({}): expected a bad-argument error, got %s", show(msg))
  msg = try(function() sim:run{ stop = "10mbit" } end)
  check(msg:find("\"10mbit\"", 1, true), "sim:run{stop=\"10mbit\"}: expected the value quoted, got %s", show(msg))
  msg = try(function() sim:run("1.5ns") end)
  check(msg:find("\"1.5ns\"", 1, true), "sim:run(\"1.5ns\"): expected the value quoted, got %s", show(msg))
  eq(sim:pending(), 0, "pending after refused time arguments")
  eq(sim:now_ns(), 0, "clock after refused time arguments")

  -- The same notations are accepted by at, after and run.
  local t = {}
  sim:at("1.5ms", function() t[#t + 1] = sim:now_ns() end)
  sim:after(0.002, function() t[#t + 1] = sim:now_ns() end)
  sim:run{ stop = "1500us" }
  eq(sim:now_ns(), 1500000, "clock after run{stop=\"1500us\"}")
  sim:run("3ms")
  eq(sim:now_ns(), 3000000, "clock after run(\"3ms\")")
  eq(table.concat(t, ","), "1500000,2000000", "event times")
end

-- Last, so that the checks above run first: integers are exact over the
-- whole int64 range, as for plugin parameters (param.c: "Exact, even beyond
-- 2^53").
eq(synack.size(9007199254740993), 9007199254740993, "synack.size(2^53 + 1)")
eq(synack.rate(9007199254740993), 9007199254740993, "synack.rate(2^53 + 1)")
eq(synack.size(math.maxinteger), math.maxinteger, "synack.size(math.maxinteger)")
eq(synack.rate(math.maxinteger), math.maxinteger, "synack.rate(math.maxinteger)")

print("units.lua: ok")
