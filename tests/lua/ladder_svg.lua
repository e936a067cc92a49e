-- The SVG ladder's layout: segments that leave together are stacked a row
-- apart, arrows one way stay a row apart end to end, labels along their
-- arrows never overlap one another, a label that does not fit is cut with
-- "~" and kept whole in its tooltip, both ends of a cut time gap are
-- labelled, font_size and scale, and their errors.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails

local sim = synack.simulator{seed = 3}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "10Mbps", delay = "20ms", ab = {loss = {"list", drop = "5,9"}}})
local rec = sim:record()
b:tcp{timers = "linux"}:listen(80)
sim:at(0, function()
  local c = a:tcp{timers = "linux"}:connect(b, 80)
  c:on("established", function(c) c:send(20000); c:close() end)
end)
sim:run{stop = 100}

local dir = T.tmpdir()
local function draw(opts)
  local path = dir .. "/l.svg"
  rec:ladder(path, opts)
  return T.read(path)
end

-- The arrows and labels of a drawing.
local function parse(svg)
  local font = tonumber(svg:match('font%-size="([%d.]+)"'))
  local arrows, labels = {}, {}
  local kinds = {cs = true, sc = true, lost = true, old = true}
  for x1, y1, x2, y2, cls in svg:gmatch('<line x1="([%d.-]+)" y1="([%d.-]+)" x2="([%d.-]+)" y2="([%d.-]+)" class="(%a+)"') do
    if kinds[cls] then
      arrows[#arrows + 1] = {x1 = tonumber(x1), y1 = tonumber(y1), x2 = tonumber(x2), y2 = tonumber(y2)}
    end
  end
  for x, anchor, ang, text in svg:gmatch('<text x="([%d.-]+)" y="[%d.-]+" text%-anchor="(%a+)" class="[%a]+ lab" transform="rotate%(([%d.-]+) [^"]+">([^<]*)<title>') do
    labels[#labels + 1] = {x = tonumber(x), right = anchor == "start", ang = tonumber(ang), n = #text:gsub("&%a+;", "x")}
  end
  return font, arrows, labels
end

local svg = draw()
local font, arrows, labels = parse(svg)
eq(font, 12, "default font size")
check(#arrows > 25, "arrows drawn: %d", #arrows)
eq(#labels, #arrows, "one label per arrow")

-- Segments leaving together: the burst after the handshake leaves at one
-- instant and is drawn as a stack, a row (font + 5 px) apart.
local stacked = 0
for i = 2, #arrows do
  local p, q = arrows[i - 1], arrows[i]
  if p.x1 == q.x1 and q.y1 > p.y1 then
    check(q.y1 - p.y1 >= font + 5 - 0.05, "arrows %d and %d leave %.1f px apart", i - 1, i, q.y1 - p.y1)
    stacked = stacked + 1
  end
end
check(stacked >= 10, "a burst drawn as a stack: %d", stacked)

-- Arrows the same way never come closer than a row, at either end: their
-- labels, along them, cannot touch.
local function same_way_gap(p, q)
  return math.min(math.abs(q.y1 - p.y1), math.abs(q.y2 - p.y2))
end
for i = 1, #arrows do
  for j = i + 1, #arrows do
    local p, q = arrows[i], arrows[j]
    if p.x1 == q.x1 and p.x2 == q.x2 and q.y1 < p.y2 and p.y1 < q.y2 then
      check(same_way_gap(p, q) >= font + 5 - 0.05, "arrows %d and %d, the same way, %.1f px apart",
            i, j, same_way_gap(p, q))
    end
  end
end
-- Labels stay between the lifelines (each moves along its arrow away
-- from the arrows crossing it; that labels either way never meet is
-- checked by tests/lua/ladder_layout.lua, box against box).
local xl, xr = math.huge, -math.huge
for _, ar in ipairs(arrows) do xl, xr = math.min(xl, ar.x1, ar.x2), math.max(xr, ar.x1, ar.x2) end
local reach_r, reach_l = -math.huge, math.huge
for _, l in ipairs(labels) do
  local len = l.n * 0.6 * font * math.cos(math.rad(l.ang))
  if l.right then reach_r = math.max(reach_r, l.x + len) else reach_l = math.min(reach_l, l.x - len) end
end
check(reach_r < xr and reach_l > xl, "left-to-right labels end at %.1f (the right lifeline at %.1f), "
      .. "right-to-left ones start at %.1f (the left at %.1f)", reach_r, xr, reach_l, xl)
-- the default width gives every label whole room in its share (0.48) of
-- the span between the lifelines (the layout may still shorten one with
-- "~" where arrows crossing it leave no room)
do
  local most = 0
  for tip in svg:gmatch('class="[%a]+ lab" [^>]*>[^<]*<title>([^<;]*);') do
    most = math.max(most, #tip:gsub("&%a+;", "x"))
  end
  check(most > 40 and most * 0.6 * font <= 0.48 * (xr - xl) + 0.6 * font,
        "the default width fits the longest label (%d characters) in %.1f px", most, 0.48 * (xr - xl))
end
-- a loss: the arrow stops in an X, and the label says where and when
check(svg:find("lost: loss a&gt;b at ", 1, true) and svg:find('class="x"', 1, true), "the loss drawn")

-- Both ends of the cut gap (TIME_WAIT's minute) are labelled on the axis.
local ticks = {}
for t in svg:gmatch('class="tick">([%d.]+ m?s)</text>') do ticks[#ticks + 1] = t end
local last_before
for _, st in ipairs(rec:states()) do if st.t < 1 then last_before = st.t end end
check(svg:find('class="cut">60.000 s later', 1, true), "the gap is cut")
check(svg:find(string.format(">%.0f ms</text>", last_before * 1000), 1, true), "the gap's start labelled (%s ms): %s",
      last_before * 1000, table.concat(ticks, ", "))
local states = rec:states()
eq(ticks[#ticks], string.format("%.3f ms", states[#states].t * 1000), "the gap's end labelled")

-- A width chosen too narrow: labels cut with ~, whole in the tooltip.
local narrow = draw{width = 600}
check(narrow:find('width="600"', 1, true), "the width asked for")
local cut = narrow:match('>([^<]*~)<title>([^<]*)</title>')
check(cut, "a label cut with ~ at width 600")
local whole = narrow:match('>[^<]*~<title>([^<]*)</title>')
check(whole:find(cut:sub(1, -2), 1, true) == 1 and #whole > #cut, "the tooltip has the label whole: %q / %q", cut, whole)

-- font_size and scale.
local big = draw{font_size = 16, scale = 0.5}
eq(tonumber(big:match('font%-size="([%d.]+)"')), 16, "font_size")
local w, h, vw, vh = big:match('width="([%d.]+)" height="([%d.]+)" viewBox="0 0 ([%d.]+) ([%d.]+)"')
check(math.abs(tonumber(w) * 2 - tonumber(vw)) <= 1 and math.abs(tonumber(h) * 2 - tonumber(vh)) <= 1,
      "scale halves the drawn size: %s x %s of %s x %s", w, h, vw, vh)
local _, a16 = parse(big)
for i = 2, #a16 do
  local p, q = a16[i - 1], a16[i]
  if p.x1 == q.x1 and q.y1 > p.y1 then check(q.y1 - p.y1 >= 21 - 0.05, "rows grow with the font") end
end
fails("ladder: font_size 3.0: from 6 to 48 (pixels)", function() draw{font_size = 3} end)
fails("ladder: scale 20.0: from 0.1 to 10", function() draw{scale = 20} end)
T.rmdir(dir)
print("ladder_svg: ok")
