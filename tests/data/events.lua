-- Fixture for tests/cli.sh: schedules and cancels events and prints what
-- runs, when.  The expected output is in tests/cli.sh.
local synack = require "synack"
local sim = synack.simulator()
local function say(s) print(string.format("%d %s", sim:now_ns(), s)) end
local h = {}
h.a = sim:at(1, function()
  say("a")
  print("cancel d:", h.d:cancel())
  print("cancel d again:", h.d:cancel())
  sim:after(0, function() say("a-now") end)
  sim:after("500ms", function() say("a+500ms") end)
end)
h.b = sim:at("1s", function() say("b") end)
h.c = sim:at(1.0, function() say("c") end)
h.d = sim:at(2, function() say("d") end)
h.e = sim:at("2000ms", function() say("e") end)
h.f = sim:at(3, function() say("f") end)
print("cancel c:", h.c:cancel())
print("pending:", sim:pending())
print("run:", sim:run{ stop = 2 })
print("cancel a (fired):", h.a:cancel())
print("now:", sim:now_ns(), "fired:", sim:fired(), "pending:", sim:pending())
print("run:", sim:run())
print("now:", sim:now_ns(), "fired:", sim:fired(), "pending:", sim:pending())
