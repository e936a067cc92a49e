-- Plots written as SVG files: time series and distributions.
--
--   local plot = require "synack.plot"    -- or synack.plot
--   plot.lines("out/cwnd.svg", {title = "cwnd", xlabel = "time (s)",
--     ylabel = "bytes", step = true,
--     series = {{name = "cwnd", t = {...}, v = {...}}, a_synack_series, ...}})
--   plot.cdf("out/rtt.svg", {title = "RTT", xlabel = "s",
--     series = {{name = "rtt", values = {...}}}})
--   plot.bars("out/share.svg", {title = "goodput share", ylabel = "%",
--     categories = {"cubic", "newreno"},
--     series = {{name = "run 1", values = {61, 39}, lo = {...}, hi = {...}}}})
--
-- A series is a table {name =, t =, v =} or a synack.series; in `lines` it
-- may also be a name, looked up in opts.data (a table from names to
-- series, or a list of series).  Per series, style = "line" (default),
-- "points" or "linepoints", and lo = {...}, hi = {...} draw error bars at each point.
-- opts.step draws lines as steps (the value holds until the next sample);
-- opts.xmin/xmax/ymin/ymax fix the ranges; opts.xlog/ylog = true make an
-- axis logarithmic (ticks at powers of ten; every value on it must then
-- be above zero).  Axes get ticks at round numbers (1, 2, 2.5 or 5 times
-- a power of ten), the legend lists the series in their colours (a
-- colour-blind-safe palette, then dashes).  `bars` draws grouped bars:
-- one group per category, one bar per series in each, from zero (or the
-- bottom of a log axis), with error bars from lo/hi.
--
-- The SVG is written directly, not through gnuplot or another program:
-- nothing to install, the same numbers always give the same bytes (every
-- coordinate is printed with two decimals), and the files are small.
-- Errors name the plot and the series; the file is written as
-- synack.csv writes (a failed plot leaves a file that was there as it
-- was; a link or a device is written through).
local csv = require "synack.csv"

local M = {}

local W, H = 760, 440
local X0, X1, Y0, Y1 = 72, 560, 44, 380   -- the plotting area
local COLOURS = { "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                  "#56B4E9", "#000000", "#999933" }
local DASHES = { "", "6,3", "2,3", "8,3,2,3" }

local fail = csv.fail

local function esc(s)
  return (tostring(s):gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
                                          ['"'] = "&quot;", ["'"] = "&apos;" }))
end

local function num(x)
  local s = string.format("%.2f", x)
  if s == "-0.00" then s = "0.00" end
  return s
end

-- Round tick positions covering [lo, hi], about n of them: returns the
-- first tick, the step, the count and the decimals to print.
function M.ticks(lo, hi, n)
  n = n or 6
  if hi <= lo then
    local d = lo == 0 and 1 or math.abs(lo) * 0.1
    lo, hi = lo - d, hi + d
  end
  local raw = (hi - lo) / n
  local p = 10 ^ math.floor(math.log(raw, 10))
  local step, dec
  for _, m in ipairs({ 1, 2, 2.5, 5, 10 }) do
    if m * p >= raw * (1 - 1e-9) then step = m * p; break end
  end
  dec = math.max(0, -math.floor(math.log(step, 10) + 1e-9))
  if step / 10 ^ math.floor(math.log(step, 10) + 1e-9) == 2.5 then dec = dec + 1 end
  local first = math.floor(lo / step + 1e-9)
  local last = math.ceil(hi / step - 1e-9)
  return first, step, last - first, dec
end

local function label(k, step, dec)
  local s = string.format("%." .. dec .. "f", k * step)
  if s:match("^%-0%.?0*$") then s = s:sub(2) end
  return s
end

-- A series in the form {name, t, v, lo, hi, style}, checked.
local function get_series(who, s, i, data)
  if type(s) == "string" then
    local found = data and data[s]
    if not found and type(data) == "table" then
      for _, d in ipairs(data) do
        if type(d) ~= "string" and d.name == s then found = d end
      end
    end
    if not found then
      local known = {}
      for k, d in pairs(data or {}) do
        known[#known + 1] = type(k) == "string" and k or tostring(d.name)
      end
      table.sort(known)
      fail("%s: unknown series '%s' (known: %s)", who, s,
           #known > 0 and table.concat(known, ", ") or "none: give opts.data")
    end
    s = found
  end
  local name, t, v
  if type(s) == "userdata" then
    name, t, v = s.name, s:times(), s:values()
  elseif type(s) == "table" then
    name, t, v = s.name, s.t, s.v
  else
    fail("%s: series %d is a %s, not a series", who, i, type(s))
  end
  name = name or ("series " .. i)
  if type(t) ~= "table" or type(v) ~= "table" then
    fail("%s: series '%s' needs t and v lists", who, name)
  end
  if #t == 0 then fail("%s: series '%s' has no points", who, name) end
  if #t ~= #v then
    fail("%s: series '%s' has %d times but %d values", who, name, #t, #v)
  end
  for k = 1, #t do
    if type(t[k]) ~= "number" or type(v[k]) ~= "number" or t[k] ~= t[k] or v[k] ~= v[k]
       or math.abs(t[k]) == math.huge or math.abs(v[k]) == math.huge then
      fail("%s: series '%s', point %d is not a pair of finite numbers", who, name, k)
    end
  end
  local lo = type(s) == "table" and s.lo or nil
  local hi = type(s) == "table" and s.hi or nil
  if (lo and #lo ~= #v) or (hi and #hi ~= #v) then
    fail("%s: series '%s': lo and hi need one value per point", who, name)
  end
  return { name = tostring(name), t = t, v = v, lo = lo, hi = hi,
           style = type(s) == "table" and s.style or "line" }
end

-- One axis over [lo, hi]: the transform from values to axis units, the
-- ends in those units and the ticks {at = value, text = label}.
local function axis(who, name, lo, hi, log, si)
  if log then
    if lo <= 0 then fail("%s: a %s value is %s, not above zero, on a log axis", who, name, tostring(lo)) end
    local l0 = math.floor(math.log(lo, 10) + 1e-9)
    local l1 = math.ceil(math.log(hi, 10) - 1e-9)
    if l1 <= l0 then l1 = l0 + 1 end
    local step = math.max(1, math.ceil((l1 - l0) / 8))
    l1 = l0 + math.ceil((l1 - l0) / step) * step
    local ticks = {}
    for k = l0, l1, step do
      local text = (k >= -4 and k <= 6) and string.format("%." .. math.max(0, -k) .. "f", 10.0 ^ k)
                   or ("1e" .. k)
      ticks[#ticks + 1] = { at = k, text = text }
    end
    return function(x) return math.log(x, 10) end, l0, l1, ticks
  end
  local first, step, n, dec = M.ticks(lo, hi)
  local ticks, unit, suffix = {}, 1, ""
  if si then
    -- 1500000 as 1.5M: the prefix the step calls for
    for _, u in ipairs{ {1e9, "G"}, {1e6, "M"}, {1e3, "k"} } do
      if step >= u[1] then unit, suffix = u[1], u[2]; break end
    end
    local m = step / unit
    dec = math.max(0, -math.floor(math.log(m, 10) + 1e-9))
    if m / 10 ^ math.floor(math.log(m, 10) + 1e-9) == 2.5 then dec = dec + 1 end
  end
  for k = 0, n do
    local text = label(first + k, step / unit, dec)
    ticks[#ticks + 1] = { at = (first + k) * step, text = text ~= "0" and text .. suffix or text }
  end
  return function(x) return x end, first * step, (first + n) * step, ticks
end

local function header(add, opts)
  add('<?xml version="1.0" encoding="UTF-8"?>')
  add('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">', W, H, W, H)
  add('<rect x="0" y="0" width="%d" height="%d" fill="white"/>', W, H)
  if opts.title then
    add('<text x="%s" y="24" text-anchor="middle" font-size="15">%s</text>', num((X0 + X1) / 2), esc(opts.title))
  end
end

-- The y axis (grid, ticks, labels), the frame, the axis titles and, when
-- given, the x axis's ticks.
local function frame(add, opts, Y, yt, X, xt)
  add('<g stroke="#dddddd" stroke-width="1">')
  for _, t in ipairs(xt or {}) do add('<line x1="%s" y1="%d" x2="%s" y2="%d"/>', num(X(t.at)), Y0, num(X(t.at)), Y1) end
  for _, t in ipairs(yt) do add('<line x1="%d" y1="%s" x2="%d" y2="%s"/>', X0, num(Y(t.at)), X1, num(Y(t.at))) end
  add('</g>')
  add('<g stroke="black" stroke-width="1">')
  add('<line x1="%d" y1="%d" x2="%d" y2="%d"/>', X0, Y1, X1, Y1)
  add('<line x1="%d" y1="%d" x2="%d" y2="%d"/>', X0, Y0, X0, Y1)
  for _, t in ipairs(xt or {}) do add('<line x1="%s" y1="%d" x2="%s" y2="%d"/>', num(X(t.at)), Y1, num(X(t.at)), Y1 + 5) end
  for _, t in ipairs(yt) do add('<line x1="%d" y1="%s" x2="%d" y2="%s"/>', X0 - 5, num(Y(t.at)), X0, num(Y(t.at))) end
  add('</g>')
  for _, t in ipairs(xt or {}) do
    add('<text x="%s" y="%d" text-anchor="middle">%s</text>', num(X(t.at)), Y1 + 19, t.text)
  end
  for _, t in ipairs(yt) do
    add('<text x="%d" y="%s" text-anchor="end">%s</text>', X0 - 8, num(Y(t.at) + 4), t.text)
  end
  if opts.xlabel then
    add('<text x="%s" y="%d" text-anchor="middle">%s</text>', num((X0 + X1) / 2), Y1 + 42, esc(opts.xlabel))
  end
  if opts.ylabel then
    add('<text x="16" y="%s" text-anchor="middle" transform="rotate(-90 16 %s)">%s</text>',
        num((Y0 + Y1) / 2), num((Y0 + Y1) / 2), esc(opts.ylabel))
  end
end

local function colours(list)
  for i, s in ipairs(list) do
    s.colour = COLOURS[(i - 1) % #COLOURS + 1]
    s.dash = DASHES[(i - 1) // #COLOURS % #DASHES + 1]
  end
end

local function legend(add, list, box)
  add('<g font-size="12">')
  for i, s in ipairs(list) do
    local y = Y0 + 8 + (i - 1) * 20
    if box then
      add('<rect x="%d" y="%d" width="16" height="10" fill="%s"/>', X1 + 19, y - 5, s.colour)
    elseif s.style == "points" then
      add('<circle cx="%d" cy="%d" r="3.5" fill="%s"/>', X1 + 27, y, s.colour)
    else
      add('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>', X1 + 16, y, X1 + 38, y, s.colour,
          s.dash ~= "" and (' stroke-dasharray="' .. s.dash .. '"') or "")
    end
    add('<text x="%d" y="%d">%s</text>', X1 + 44, y + 4, esc(s.name))
  end
  add('</g>')
end

-- An error bar at x from lo to hi (pixels).
local function errbar(add, x, lo, hi, colour)
  add('<path d="M%s,%s V%s M%s,%s H%s M%s,%s H%s" stroke="%s" stroke-width="1.2" fill="none"/>', num(x), num(lo), num(hi),
      num(x - 4), num(lo), num(x + 4), num(x - 4), num(hi), num(x + 4), colour)
end

-- The picture's text so far (o), add(fmt, ...) to append to it, and X
-- and Y from values to pixels: the header, axes and frame of a plot over
-- the given ranges (opts.xlog, ylog and ysi as the options say).
local function axes(who, opts, xmin, xmax, ymin, ymax)
  local fx, ax0, ax1, xt = axis(who, "x", xmin, xmax, opts.xlog)
  local fy, ay0, ay1, yt = axis(who, "y", ymin, ymax, opts.ylog, opts.ysi)
  local function XA(a) return X0 + (a - ax0) / (ax1 - ax0) * (X1 - X0) end
  local function YA(a) return Y1 - (a - ay0) / (ay1 - ay0) * (Y1 - Y0) end
  local o = {}
  local function add(fmt, ...) o[#o + 1] = string.format(fmt, ...) end
  header(add, opts)
  frame(add, opts, YA, yt, XA, xt)
  return o, add, function(x) return XA(fx(x)) end, function(y) return YA(fy(y)) end
end

-- The whole picture, as text.
local function render(who, opts, list, ylim)
  local xmin, xmax, ymin, ymax = math.huge, -math.huge, math.huge, -math.huge
  for _, s in ipairs(list) do
    for k = 1, #s.t do
      xmin, xmax = math.min(xmin, s.t[k]), math.max(xmax, s.t[k])
      local lo = s.lo and s.lo[k] or s.v[k]
      local hi = s.hi and s.hi[k] or s.v[k]
      ymin, ymax = math.min(ymin, lo, s.v[k]), math.max(ymax, hi, s.v[k])
    end
  end
  if ylim then ymin, ymax = ylim[1], ylim[2] end
  xmin, xmax = opts.xmin or xmin, opts.xmax or xmax
  ymin, ymax = opts.ymin or ymin, opts.ymax or ymax
  if not opts.ymin and not opts.ylog and ymin > 0 and ymin < 0.5 * ymax then ymin = 0 end
  local o, add, X, Y = axes(who, opts, xmin, xmax, ymin, ymax)
  -- the data, clipped to the plotting area
  add('<clipPath id="area"><rect x="%d" y="%d" width="%d" height="%d"/></clipPath>', X0 - 6, Y0 - 6, X1 - X0 + 12, Y1 - Y0 + 12)
  add('<g clip-path="url(#area)" fill="none" stroke-width="1.8">')
  colours(list)
  for _, s in ipairs(list) do
    local colour, dash = s.colour, s.dash
    if s.style == "points" or s.style == "linepoints" then
      for k = 1, #s.t do
        add('<circle cx="%s" cy="%s" r="3.5" fill="%s" stroke="none"/>', num(X(s.t[k])), num(Y(s.v[k])), colour)
      end
    end
    if s.style ~= "points" then
      local pts = {}
      for k = 1, #s.t do
        if opts.step and k > 1 then pts[#pts + 1] = num(X(s.t[k])) .. "," .. num(Y(s.v[k - 1])) end
        pts[#pts + 1] = num(X(s.t[k])) .. "," .. num(Y(s.v[k]))
      end
      if #s.t == 1 and s.style == "line" then
        add('<circle cx="%s" cy="%s" r="3" fill="%s" stroke="none"/>', num(X(s.t[1])), num(Y(s.v[1])), colour)
      end
      add('<polyline points="%s" stroke="%s"%s/>', table.concat(pts, " "), colour,
          dash ~= "" and (' stroke-dasharray="' .. dash .. '"') or "")
    end
    if s.lo or s.hi then
      for k = 1, #s.t do
        errbar(add, X(s.t[k]), Y(s.lo and s.lo[k] or s.v[k]), Y(s.hi and s.hi[k] or s.v[k]), colour)
      end
    end
  end
  add('</g>')
  legend(add, list, false)
  add('</svg>')
  return table.concat(o, "\n") .. "\n"
end

-- A drawing area with axes for other modules (synack.seqgraph): the
-- ranges, the frame and titles of opts; returns add(fmt, ...) to draw,
-- X and Y from values to pixels, and finish(legend) -> the SVG text,
-- where legend is a list of {name, colour, style = "line"|"points"|"box"};
-- opts.ysi labels the y axis with k, M, G (1.5M for 1500000).
function M.canvas(who, opts, xmin, xmax, ymin, ymax)
  local o, add, X, Y = axes(who, opts, opts.xmin or xmin, opts.xmax or xmax, opts.ymin or ymin,
                           opts.ymax or ymax)
  add('<clipPath id="area"><rect x="%d" y="%d" width="%d" height="%d"/></clipPath>', X0, Y0, X1 - X0, Y1 - Y0)
  add('<g clip-path="url(#area)" fill="none">')
  local function finish(items)
    add('</g>')
    add('<g font-size="12">')
    for i, it in ipairs(items) do
      local y = Y0 + 8 + (i - 1) * 20
      if it.style == "box" then
        add('<rect x="%d" y="%d" width="16" height="10" fill="%s"/>', X1 + 19, y - 5, it.colour)
      elseif it.style == "points" then
        add('<circle cx="%d" cy="%d" r="3.5" fill="%s"/>', X1 + 27, y, it.colour)
      else
        add('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>', X1 + 16, y, X1 + 38, y, it.colour)
      end
      add('<text x="%d" y="%d">%s</text>', X1 + 44, y + 4, esc(it.name))
    end
    add('</g>')
    add('</svg>')
    return table.concat(o, "\n") .. "\n"
  end
  return add, X, Y, finish, num
end

-- Values on a log axis must be above zero: checked per series and point,
-- so the error names them.
local function check_log(who, list, log, field)
  if not log then return end
  for _, s in ipairs(list) do
    for _, f in ipairs(field) do
      for k, x in ipairs(s[f] or {}) do
        if x <= 0 then
          fail("%s: series '%s', point %d: %s is %s, not above zero, on a log axis", who, s.name, k,
               f == "t" and "x" or f == "v" and "y" or f, tostring(x))
        end
      end
    end
  end
end

local function check_opts(who, path, opts)
  if type(path) ~= "string" then fail("%s: the path must be a string, got a %s", who, type(path)) end
  if type(opts) ~= "table" then fail("%s: options must be a table, got a %s", who, type(opts)) end
  if type(opts.series) ~= "table" or #opts.series == 0 then
    fail("%s: no series to plot in %s (opts.series is empty)", who, path)
  end
end

function M.lines(path, opts)
  local who = "plot.lines"
  check_opts(who, path, opts)
  local list = {}
  for i, s in ipairs(opts.series) do list[i] = get_series(who, s, i, opts.data) end
  check_log(who, list, opts.xlog, {"t"})
  check_log(who, list, opts.ylog, {"v", "lo", "hi"})
  csv.replace_file(path, render(who, opts, list), who)
end

-- The empirical CDF of each series' values: F(x) = (values <= x) / n, as
-- steps.
function M.cdf(path, opts)
  local who = "plot.cdf"
  check_opts(who, path, opts)
  local list = {}
  for i, s in ipairs(opts.series) do
    local name, values
    if type(s) == "userdata" then
      name, values = s.name, s:values()
    elseif type(s) == "table" then
      name, values = s.name or ("series " .. i), s.values
    else
      fail("%s: series %d is a %s, not a series", who, i, type(s))
    end
    if type(values) ~= "table" or #values == 0 then
      fail("%s: series '%s' has no values", who, tostring(name))
    end
    local v = {}
    for k, x in ipairs(values) do
      if type(x) ~= "number" or x ~= x or math.abs(x) == math.huge then
        fail("%s: series '%s', value %d is not a finite number", who, tostring(name), k)
      end
      v[k] = x
    end
    table.sort(v)
    local t, f = { v[1] }, { 0 }
    for k = 1, #v do
      t[#t + 1], f[#f + 1] = v[k], k / #v
    end
    list[i] = { name = tostring(name), t = t, v = f, style = "line" }
  end
  local o = {}
  for k, x in pairs(opts) do o[k] = x end
  o.step, o.ylabel, o.ylog = true, opts.ylabel or "fraction of values <= x", nil
  check_log(who, list, opts.xlog, {"t"})
  csv.replace_file(path, render(who, o, list, { 0, 1 }), who)
end

-- Grouped bars: opts.categories names the groups (left to right), each
-- series gives one value per category (values, and lo/hi for error
-- bars).
function M.bars(path, opts)
  local who = "plot.bars"
  check_opts(who, path, opts)
  local cats = opts.categories
  if type(cats) ~= "table" or #cats == 0 then fail("%s: no categories in %s (opts.categories is empty)", who, path) end
  local list, ymin, ymax = {}, math.huge, -math.huge
  for i, s in ipairs(opts.series) do
    if type(s) ~= "table" then fail("%s: series %d is a %s, not a table", who, i, type(s)) end
    local name = tostring(s.name or ("series " .. i))
    if type(s.values) ~= "table" or #s.values ~= #cats then
      fail("%s: series '%s' needs one value per category (%d)", who, name, #cats)
    end
    for _, f in ipairs{"values", "lo", "hi"} do
      if s[f] ~= nil and (type(s[f]) ~= "table" or #s[f] ~= #cats) then
        fail("%s: series '%s': %s needs one value per category (%d)", who, name, f, #cats)
      end
      for k, x in ipairs(s[f] or {}) do
        if type(x) ~= "number" or x ~= x or math.abs(x) == math.huge then
          fail("%s: series '%s', %s %d is not a finite number", who, name, f, k)
        end
        ymin, ymax = math.min(ymin, x), math.max(ymax, x)
      end
    end
    list[i] = { name = name, v = s.values, lo = s.lo, hi = s.hi }
  end
  check_log(who, list, opts.ylog, {"v", "lo", "hi"})
  if not opts.ylog then ymin, ymax = math.min(ymin, 0), math.max(ymax, 0) end
  ymin, ymax = opts.ymin or ymin, opts.ymax or ymax
  local fy, ay0, ay1, yt = axis(who, "y", ymin, ymax, opts.ylog)
  local function YA(a) return Y1 - (a - ay0) / (ay1 - ay0) * (Y1 - Y0) end
  local function Y(y) return YA(fy(y)) end
  local base = opts.ylog and Y1 or math.max(Y0, math.min(Y1, Y(0)))
  local o = {}
  local function add(fmt, ...) o[#o + 1] = string.format(fmt, ...) end
  header(add, opts)
  frame(add, opts, YA, yt)
  local slot = (X1 - X0) / #cats
  local bw = slot * 0.8 / #list
  for c, name in ipairs(cats) do
    add('<text x="%s" y="%d" text-anchor="middle">%s</text>', num(X0 + (c - 0.5) * slot), Y1 + 19, esc(name))
  end
  add('<clipPath id="area"><rect x="%d" y="%d" width="%d" height="%d"/></clipPath>', X0, Y0 - 6, X1 - X0, Y1 - Y0 + 6)
  add('<g clip-path="url(#area)">')
  colours(list)
  for i, s in ipairs(list) do
    for c = 1, #cats do
      local x = X0 + (c - 1) * slot + slot * 0.1 + (i - 1) * bw
      local y = Y(s.v[c])
      add('<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>', num(x), num(math.min(y, base)), num(bw * 0.92),
          num(math.abs(base - y)), s.colour)
      if s.lo or s.hi then
        errbar(add, x + bw * 0.46, Y(s.lo and s.lo[c] or s.v[c]), Y(s.hi and s.hi[c] or s.v[c]), "#000000")
      end
    end
  end
  add('</g>')
  if #list > 1 or opts.series[1].name then legend(add, list, true) end
  add('</svg>')
  csv.replace_file(path, table.concat(o, "\n") .. "\n", who)
end

return M
