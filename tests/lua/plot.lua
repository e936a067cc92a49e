-- synack.plot: log axes, axis limits and bar charts (lines and cdf are in stats.lua):
-- ticks where the values are, bars as tall as their values, error bars,
-- errors that name the plot, series and point.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails
local plot = synack.plot

local dir = T.tmpdir()
local read = T.read
-- y of the tick labelled `text` on the y axis (labels sit 4 px below)
local function ytick(svg, text)
  local y = svg:match('<text x="64" y="([%d.]+)" text%-anchor="end">' .. text:gsub("%p", "%%%0") .. '</text>')
  return y and tonumber(y) - 4
end

-- A log y axis: a tick per decade, labelled 0.01 ... 1000, decades equally
-- spaced, and each point at its logarithm.
local path = dir .. "/log.svg"
plot.lines(path, {ylog = true, series = {{name = "rto", t = {1, 2, 3}, v = {0.02, 1, 500}, style = "points"}}})
local svg = read(path)
local ticks = {}
for _, text in ipairs{"0.01", "0.1", "1", "10", "100", "1000"} do
  ticks[#ticks + 1] = ytick(svg, text)
  check(ticks[#ticks], "log tick %s missing:\n%s", text, svg)
end
for k = 2, #ticks do
  check(math.abs((ticks[k - 1] - ticks[k]) - (ticks[1] - ticks[2])) < 0.02, "decades equally spaced: %s", table.concat(ticks, " "))
end
local ys = {}
for cy in svg:gmatch('<circle cx="[%d.]+" cy="([%d.]+)" r="3.5" fill="#0072B2" stroke="none"/>') do ys[#ys + 1] = tonumber(cy) end
eq(#ys, 3, "points drawn")
local decade = ticks[1] - ticks[2]
check(math.abs(ys[2] - ticks[3]) < 0.01, "1 on the tick 1: %s vs %s", ys[2], ticks[3])
check(math.abs(ys[1] - (ticks[2] + decade * (math.log(0.1, 10) - math.log(0.02, 10)))) < 0.02, "0.02 at its logarithm")
check(math.abs(ys[3] - (ticks[5] - decade * math.log(5, 10))) < 0.02, "500 at its logarithm")
eq(read(path), (function() plot.lines(path, {ylog = true, series = {{name = "rto", t = {1, 2, 3}, v = {0.02, 1, 500}, style = "points"}}}); return read(path) end)(), "the same plot, the same bytes")
-- a log x axis too, and labels for far decades
plot.lines(path, {xlog = true, ylog = true, series = {{name = "s", t = {1e-6, 1e3}, v = {1e-7, 1e8}}}})
svg = read(path)
check(svg:find(">1e-6</text>", 1, true) and svg:find(">1000</text>", 1, true), "x decades labelled:\n%s", svg)
check(svg:find(">1e-7</text>", 1, true) and svg:find(">1e9</text>", 1, true) and svg:find(">1e7</text>", 1, true), "wide y axis labelled every other decade:\n%s", svg)

-- Values at or below zero cannot go on a log axis.
fails("plot.lines: series 'z', point 2: y is 0, not above zero, on a log axis",
  plot.lines, path, {ylog = true, series = {{name = "z", t = {1, 2}, v = {1, 0}}}})
fails("plot.lines: series 'z', point 1: x is -1, not above zero, on a log axis",
  plot.lines, path, {xlog = true, series = {{name = "z", t = {-1, 2}, v = {1, 1}}}})
fails("plot.lines: series 'z', point 1: lo is -2, not above zero, on a log axis",
  plot.lines, path, {ylog = true, series = {{name = "z", t = {1}, v = {1}, lo = {-2}, hi = {2}}}})
fails("plot.lines: a y value is 0, not above zero, on a log axis",
  plot.lines, path, {ylog = true, ymin = 0, series = {{name = "z", t = {1}, v = {1}}}})

-- Bars: one per series and category, from zero, as tall as the value.
path = dir .. "/bars.svg"
plot.bars(path, {title = "goodput share", ylabel = "%", categories = {"cubic", "newreno", "<other>"},
  series = {{name = "run 1", values = {60, 30, 10}, lo = {55, 25, 5}, hi = {65, 35, 15}},
            {name = "run 2", values = {50, 40, 10}}}})
svg = read(path)
local bars = {}
for x, y, w, h, fill in svg:gmatch('<rect x="([%d.]+)" y="([%d.]+)" width="([%d.]+)" height="([%d.]+)" fill="(#%x+)"/>') do
  if tonumber(x) < 560 then -- not a legend box, right of the plotting area
    bars[#bars + 1] = {x = tonumber(x), y = tonumber(y), h = tonumber(h), fill = fill}
  end
end
eq(#bars, 6, "bars drawn")
local zero = ytick(svg, "0")
check(zero, "a tick at 0:\n%s", svg)
for _, b in ipairs(bars) do
  check(math.abs(b.y + b.h - zero) < 0.02, "every bar stands on 0: %s + %s vs %s", b.y, b.h, zero)
end
check(math.abs(bars[1].h - 2 * bars[2].h) < 0.02, "60 twice as tall as 30: %s, %s", bars[1].h, bars[2].h)
check(math.abs(bars[1].h - 6 * bars[3].h) < 0.02, "60 six times 10")
check(bars[1].x < bars[4].x and bars[4].x < bars[2].x, "grouped by category, series side by side")
check(bars[1].fill ~= bars[4].fill, "series in different colours")
eq(select(2, svg:gsub('<path d="M[^"]+" stroke="#000000"', "")), 3, "error bars of run 1")
check(svg:find(">&lt;other&gt;</text>", 1, true), "category names escaped")
check(svg:find(">run 2</text>", 1, true), "legend")
-- negative values hang below zero
plot.bars(path, {categories = {"a", "b"}, series = {{values = {-2, 4}}}})
svg = read(path)
zero = ytick(svg, "0")
local neg = svg:match('<rect x="[%d.]+" y="([%d.]+)" width="[%d.]+" height="[%d.]+" fill="#0072B2"/>')
check(math.abs(tonumber(neg) - zero) < 0.02, "a negative bar starts at 0")
check(not svg:find(">series 1</text>", 1, true), "no legend for one unnamed series")

-- Axis limits: ymin/ymax (and xmin/xmax) fix the ranges, beyond the
-- data's: the y axis from 0 to 10 for values 1 to 3, which alone do not
-- reach 10.
plot.lines(path, {series = {{name = "a", t = {1, 2, 3}, v = {1, 2, 3}}}})
check(not ytick(read(path), "10"), "no tick at 10 without limits")
plot.lines(path, {ymin = 0, ymax = 10, xmin = 0, xmax = 5, series = {{name = "a", t = {1, 2, 3}, v = {1, 2, 3}}}})
svg = read(path)
local y0, y10 = ytick(svg, "0"), ytick(svg, "10")
check(y0 and y10 and y0 > y10, "the y axis from 0 to 10:\n%s", svg)
check(svg:find('text-anchor="middle">5</text>', 1, true), "the x axis to 5:\n%s", svg)

fails("plot.bars: no categories", plot.bars, path, {series = {{values = {1}}}})
fails("plot.bars: series 's' needs one value per category (2)", plot.bars, path,
  {categories = {"a", "b"}, series = {{name = "s", values = {1}}}})
fails("plot.bars: series 's': hi needs one value per category (2)", plot.bars, path,
  {categories = {"a", "b"}, series = {{name = "s", values = {1, 2}, hi = {3}}}})
fails("plot.bars: series 's', values 2 is not a finite number", plot.bars, path,
  {categories = {"a", "b"}, series = {{name = "s", values = {1, 0 / 0}}}})
fails("plot.bars: series 's', point 1: y is 0, not above zero, on a log axis", plot.bars, path,
  {ylog = true, categories = {"a"}, series = {{name = "s", values = {0}}}})
fails("plot.bars: cannot write /nonexistent-dir/x.svg", plot.bars, "/nonexistent-dir/x.svg",
  {categories = {"a"}, series = {{values = {1}}}})

T.rmdir(dir)
print("plot: ok")
