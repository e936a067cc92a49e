-- Plots written as SVG files: time series and distributions.
--
--   local plot = require "synack.plot"    -- or synack.plot
--   plot.lines("out/cwnd.svg", {title = "cwnd", xlabel = "time (s)",
--     ylabel = "bytes", step = true,
--     series = {{name = "cwnd", t = {...}, v = {...}}, a_synack_series, ...}})
--   plot.cdf("out/rtt.svg", {title = "RTT", xlabel = "s",
--     series = {{name = "rtt", values = {...}}}})
--
-- A series is a table {name =, t =, v =} or a synack.series; in `lines` it
-- may also be a name, looked up in opts.data (a table from names to
-- series, or a list of series).  Per series, style = "line" (default),
-- "points" or "linepoints", and lo = {...}, hi = {...} draw error bars at each point.
-- opts.step draws lines as steps (the value holds until the next sample);
-- opts.xmin/xmax/ymin/ymax fix the ranges.  Axes get ticks at round
-- numbers (1, 2, 2.5 or 5 times a power of ten), the legend lists the
-- series in their colours (a colour-blind-safe palette, then dashes).
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
  if not opts.ymin and ymin > 0 and ymin < 0.5 * ymax then ymin = 0 end
  local xf, xs, xn, xd = M.ticks(xmin, xmax)
  local yf, ys, yn, yd = M.ticks(ymin, ymax)
  local ax0, ax1 = xf * xs, (xf + xn) * xs
  local ay0, ay1 = yf * ys, (yf + yn) * ys
  local function X(x) return X0 + (x - ax0) / (ax1 - ax0) * (X1 - X0) end
  local function Y(y) return Y1 - (y - ay0) / (ay1 - ay0) * (Y1 - Y0) end

  local o = {}
  local function add(fmt, ...) o[#o + 1] = string.format(fmt, ...) end
  add('<?xml version="1.0" encoding="UTF-8"?>')
  add('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">', W, H, W, H)
  add('<rect x="0" y="0" width="%d" height="%d" fill="white"/>', W, H)
  if opts.title then
    add('<text x="%s" y="24" text-anchor="middle" font-size="15">%s</text>', num((X0 + X1) / 2), esc(opts.title))
  end
  -- grid, ticks and labels
  add('<g stroke="#dddddd" stroke-width="1">')
  for k = 0, xn do add('<line x1="%s" y1="%d" x2="%s" y2="%d"/>', num(X((xf + k) * xs)), Y0, num(X((xf + k) * xs)), Y1) end
  for k = 0, yn do add('<line x1="%d" y1="%s" x2="%d" y2="%s"/>', X0, num(Y((yf + k) * ys)), X1, num(Y((yf + k) * ys))) end
  add('</g>')
  add('<g stroke="black" stroke-width="1">')
  add('<line x1="%d" y1="%d" x2="%d" y2="%d"/>', X0, Y1, X1, Y1)
  add('<line x1="%d" y1="%d" x2="%d" y2="%d"/>', X0, Y0, X0, Y1)
  for k = 0, xn do add('<line x1="%s" y1="%d" x2="%s" y2="%d"/>', num(X((xf + k) * xs)), Y1, num(X((xf + k) * xs)), Y1 + 5) end
  for k = 0, yn do add('<line x1="%d" y1="%s" x2="%d" y2="%s"/>', X0 - 5, num(Y((yf + k) * ys)), X0, num(Y((yf + k) * ys))) end
  add('</g>')
  for k = 0, xn do
    add('<text x="%s" y="%d" text-anchor="middle">%s</text>', num(X((xf + k) * xs)), Y1 + 19, label(xf + k, xs, xd))
  end
  for k = 0, yn do
    add('<text x="%d" y="%s" text-anchor="end">%s</text>', X0 - 8, num(Y((yf + k) * ys) + 4), label(yf + k, ys, yd))
  end
  if opts.xlabel then
    add('<text x="%s" y="%d" text-anchor="middle">%s</text>', num((X0 + X1) / 2), Y1 + 42, esc(opts.xlabel))
  end
  if opts.ylabel then
    add('<text x="16" y="%s" text-anchor="middle" transform="rotate(-90 16 %s)">%s</text>',
        num((Y0 + Y1) / 2), num((Y0 + Y1) / 2), esc(opts.ylabel))
  end
  -- the data, clipped to the plotting area
  add('<clipPath id="area"><rect x="%d" y="%d" width="%d" height="%d"/></clipPath>', X0 - 6, Y0 - 6, X1 - X0 + 12, Y1 - Y0 + 12)
  add('<g clip-path="url(#area)" fill="none" stroke-width="1.8">')
  for i, s in ipairs(list) do
    local colour = COLOURS[(i - 1) % #COLOURS + 1]
    local dash = DASHES[(i - 1) // #COLOURS % #DASHES + 1]
    s.colour, s.dash = colour, dash
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
        local x = num(X(s.t[k]))
        local lo, hi = num(Y(s.lo and s.lo[k] or s.v[k])), num(Y(s.hi and s.hi[k] or s.v[k]))
        add('<path d="M%s,%s V%s M%s,%s H%s M%s,%s H%s" stroke="%s" stroke-width="1.2"/>', x, lo, hi,
            num(X(s.t[k]) - 4), lo, num(X(s.t[k]) + 4), num(X(s.t[k]) - 4), hi, num(X(s.t[k]) + 4), colour)
      end
    end
  end
  add('</g>')
  -- legend
  add('<g font-size="12">')
  for i, s in ipairs(list) do
    local y = Y0 + 8 + (i - 1) * 20
    if s.style == "points" then
      add('<circle cx="%d" cy="%d" r="3.5" fill="%s"/>', X1 + 27, y, s.colour)
    else
      add('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>', X1 + 16, y, X1 + 38, y, s.colour,
          s.dash ~= "" and (' stroke-dasharray="' .. s.dash .. '"') or "")
    end
    add('<text x="%d" y="%d">%s</text>', X1 + 44, y + 4, esc(s.name))
  end
  add('</g>')
  add('</svg>')
  return table.concat(o, "\n") .. "\n"
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
  o.step, o.ylabel = true, opts.ylabel or "fraction of values <= x"
  csv.replace_file(path, render(who, o, list, { 0, 1 }), who)
end

return M
