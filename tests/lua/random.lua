-- Random streams: reproducibility, independence, ranges, distributions.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, show, fails = T.check, T.eq, T.show, T.fails

-- The first n draws of a stream, as a string (uniform, integer, exponential,
-- bernoulli interleaved so that every method is covered).
local function draws(seed, name, index, n)
  local sim = synack.simulator{ seed = seed }
  local r = index == nil and sim:rng(name) or sim:rng(name, index)
  local out = {}
  for i = 1, n or 20 do
    local k = i % 4
    if k == 0 then out[i] = string.format("%.17g", r:uniform())
    elseif k == 1 then out[i] = tostring(r:integer(-1000000, 1000000))
    elseif k == 2 then out[i] = string.format("%.17g", r:exponential(2.5))
    else out[i] = tostring(r:bernoulli(0.5)) end
  end
  return table.concat(out, " ")
end

-- ------------------------------------------------------ reproducibility
eq(draws(1, "loss"), draws(1, "loss"), "same seed, name: draws")
eq(draws(1, "loss", 3), draws(1, "loss", 3), "same seed, name, index: draws")
eq(draws(1, "loss"), draws(1, "loss", 0), "index defaults to 0")
eq(draws(12345, "arrivals", 7, 200), draws(12345, "arrivals", 7, 200), "200 draws reproduce")

-- Two handles on the same stream in one simulator start at the same point.
do
  local sim = synack.simulator{ seed = 5 }
  local a, b = sim:rng("s"), sim:rng("s")
  for i = 1, 50 do eq(a:uniform(), b:uniform(), "two handles on stream s, draw " .. i) end
end

-- A stream does not depend on the simulator's clock or on its events.
do
  local sim = synack.simulator{ seed = 5 }
  local before = sim:rng("s"):uniform()
  for i = 1, 100 do sim:at(i, function() end) end
  sim:run()
  eq(sim:rng("s"):uniform(), before, "stream after running events")
end

-- ------------------------------------------------------ independence
do
  local base = draws(1, "loss")
  check(draws(2, "loss") ~= base, "seeds 1 and 2 gave the same draws")
  check(draws(1, "delay") ~= base, "names loss and delay gave the same draws")
  check(draws(1, "loss", 1) ~= base, "indices 0 and 1 gave the same draws")
  check(draws(1, "loss", 1) ~= draws(1, "loss", 2), "indices 1 and 2 gave the same draws")
  check(draws(1, "Loss") ~= base, "names loss and Loss gave the same draws")
  check(draws(1, "") ~= base, "names loss and \"\" gave the same draws")
  check(draws(0, "loss") ~= draws(1, "loss"), "seeds 0 and 1 gave the same draws")
  check(draws(-1, "loss") ~= draws(1, "loss"), "seeds -1 and 1 gave the same draws")
  -- Nearby streams are not shifted copies of each other.
  local sim = synack.simulator{ seed = 1 }
  local a, b = sim:rng("x", 0), sim:rng("x", 1)
  local xa, xb = {}, {}
  for i = 1, 32 do xa[i] = a:uniform(); xb[i] = b:uniform() end
  for shift = -4, 4 do
    local same = 0
    for i = 5, 28 do if xa[i] == xb[i + shift] then same = same + 1 end end
    check(same == 0, "streams x/0 and x/1 share %d draws at shift %d", same, shift)
  end
end

-- Adding a stream, or drawing from another, does not change a stream.
do
  local s1 = synack.simulator{ seed = 9 }
  local a1 = s1:rng("a")
  local ref = {}
  for i = 1, 100 do ref[i] = a1:uniform() end

  local s2 = synack.simulator{ seed = 9 }
  local other = s2:rng("b")
  local a2 = s2:rng("a")
  local more = s2:rng("a", 1)
  for i = 1, 100 do
    other:uniform(); more:integer(1, 6); other:exponential(1)
    eq(a2:uniform(), ref[i], "stream a with streams b and a/1 interleaved, draw " .. i)
  end
end

-- -------------------------------------------------- uniform in [0, 1)
do
  local r = synack.simulator{ seed = 3 }:rng("u")
  local N, sum, lo, hi = 100000, 0, 1, 0
  local bins = {}
  for i = 0, 9 do bins[i] = 0 end
  for _ = 1, N do
    local u = r:uniform()
    check(math.type(u) == "float", "uniform() returned a %s", math.type(u) or type(u))
    check(u >= 0 and u < 1, "uniform() returned %s, outside [0, 1)", show(u))
    sum = sum + u
    if u < lo then lo = u end
    if u > hi then hi = u end
    local b = math.floor(u * 10)
    bins[b] = bins[b] + 1
  end
  local mean = sum / N
  -- sd of the mean: sqrt(1/12 / N) = 0.00091; 5 sd.
  check(math.abs(mean - 0.5) < 5 * math.sqrt(1 / 12 / N),
        "uniform mean over %d draws: expected 0.5 +- %.4f, got %.6f", N, 5 * math.sqrt(1 / 12 / N), mean)
  check(lo < 0.001 and hi > 0.999, "uniform range over %d draws: got [%g, %g]", N, lo, hi)
  -- Each tenth: p = 0.1, sd = sqrt(N p (1-p)) = 95; 5 sd.
  for i = 0, 9 do
    check(math.abs(bins[i] - N / 10) < 5 * math.sqrt(N * 0.09),
          "uniform: bin [%.1f, %.1f) has %d of %d draws, expected %d +- %.0f",
          i / 10, (i + 1) / 10, bins[i], N, N // 10, 5 * math.sqrt(N * 0.09))
  end
end

-- -------------------------------------------------- integer(lo, hi)
do
  local r = synack.simulator{ seed = 4 }:rng("i")
  local seen = {}
  for _ = 1, 2000 do
    local v = r:integer(3, 9)
    check(math.type(v) == "integer", "integer(3, 9) returned a %s", math.type(v) or type(v))
    check(v >= 3 and v <= 9, "integer(3, 9) returned %s", show(v))
    seen[v] = (seen[v] or 0) + 1
  end
  for v = 3, 9 do
    check(seen[v] and seen[v] > 2000 / 7 / 2, "integer(3, 9): %d drawn %s times in 2000", v, tostring(seen[v]))
  end
  for _ = 1, 200 do
    local v = r:integer(-2, 1)
    check(v >= -2 and v <= 1, "integer(-2, 1) returned %s", show(v))
    seen["n" .. v] = true
  end
  for v = -2, 1 do check(seen["n" .. v], "integer(-2, 1) never drew %d", v) end
  for _ = 1, 100 do eq(r:integer(5, 5), 5, "integer(5, 5)") end
  local both = {}
  for _ = 1, 200 do both[r:integer(0, 1)] = true end
  check(both[0] and both[1], "integer(0, 1) did not draw both values in 200 draws")
  -- Extreme ranges.
  for _ = 1, 100 do
    local v = r:integer(math.mininteger, math.maxinteger)
    check(math.type(v) == "integer", "integer(min, max) returned a %s", math.type(v) or type(v))
    v = r:integer(math.maxinteger - 1, math.maxinteger)
    check(v == math.maxinteger or v == math.maxinteger - 1, "integer(max-1, max) returned %s", show(v))
    v = r:integer(math.mininteger, math.mininteger + 2)
    check(v >= math.mininteger and v <= math.mininteger + 2, "integer(min, min+2) returned %s", show(v))
  end
  local ok, msg = pcall(r.integer, r, 5, 4)
  check(not ok and tostring(msg):find("empty range", 1, true),
        "integer(5, 4): expected an 'empty range' error, got %s", show(msg))
  ok, msg = pcall(r.integer, r, 1.5, 4)
  check(not ok, "integer(1.5, 4): expected an error")
end

-- -------------------------------------------------- exponential(mean)
do
  local r = synack.simulator{ seed = 6 }:rng("e")
  for _, mean in ipairs({ 1, 0.001, 250 }) do
    local N, sum, neg = 50000, 0, 0
    for _ = 1, N do
      local x = r:exponential(mean)
      if x < 0 then neg = neg + 1 end
      sum = sum + x
    end
    eq(neg, 0, "negative draws of exponential(" .. mean .. ")")
    -- The sd of an exponential is its mean: sd of the mean = mean/sqrt(N).
    local m, tol = sum / N, 5 * mean / math.sqrt(N)
    check(math.abs(m - mean) < tol, "exponential(%g): mean of %d draws expected %g +- %g, got %g",
          mean, N, mean, tol, m)
  end
  -- Median: P(X < mean * ln 2) = 1/2.
  local N, below = 40000, 0
  for _ = 1, N do if r:exponential(2) < 2 * math.log(2) then below = below + 1 end end
  local tol = 5 * math.sqrt(N * 0.25)
  check(math.abs(below - N / 2) < tol, "exponential(2): %d of %d below the median, expected %d +- %.0f",
        below, N, N // 2, tol)
  local ok, msg = pcall(r.exponential, r, 0)
  check(not ok and tostring(msg):find("positive", 1, true),
        "exponential(0): expected a 'mean must be positive' error, got %s", show(msg))
  ok = pcall(r.exponential, r, -1)
  check(not ok, "exponential(-1): expected an error")
end

-- -------------------------------------------------- bernoulli(p)
do
  local r = synack.simulator{ seed = 8 }:rng("b")
  for _, p in ipairs({ 0.5, 0.1, 0.01, 0.9 }) do
    local N, k = 50000, 0
    for _ = 1, N do
      local v = r:bernoulli(p)
      check(type(v) == "boolean", "bernoulli(%g) returned a %s", p, type(v))
      if v then k = k + 1 end
    end
    local tol = 5 * math.sqrt(N * p * (1 - p))
    check(math.abs(k - N * p) < tol, "bernoulli(%g): %d of %d true, expected %g +- %.0f",
          p, k, N, N * p, tol)
  end
  for _ = 1, 1000 do eq(r:bernoulli(0), false, "bernoulli(0)") end
  for _ = 1, 1000 do eq(r:bernoulli(1), true, "bernoulli(1)") end
  local ok, msg = pcall(r.bernoulli, r, 1.5)
  check(not ok and tostring(msg):find("probability", 1, true),
        "bernoulli(1.5): expected a probability error, got %s", show(msg))
  ok = pcall(r.bernoulli, r, -0.1)
  check(not ok, "bernoulli(-0.1): expected an error")
end

-- -------------------------------------------------- the default seed
do
  -- tests/test.conf sets seed = 1: a simulator without a seed option draws
  -- what seed = 1 draws.
  local sim = synack.simulator()
  eq(sim:seed(), 1, "default seed")
  eq(sim:rng("loss"):uniform(), synack.simulator{ seed = 1 }:rng("loss"):uniform(),
     "stream of the default seed vs seed = 1")
end

print("random.lua: ok")
