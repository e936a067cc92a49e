-- The label boxes and arrows of drawn ladders, for the tests that check
-- no label overlaps another or is crossed by an arrow: rec:ladder's SVG
-- (tests/lua/ladder_layout.lua) and the ladder rec:html's page draws
-- (tests/html_viewer.sh, from the DOM after its script ran).
-- A label's box is computed from its anchor, rotation, length in
-- characters and font size as a monospace font draws it (a character
-- 0.6 of the font size wide, the glyphs 0.8 above the baseline and 0.2
-- below), with its white halo (1.5 px: a stroke 3 px wide).
local M = {}

M.HALO = 1.5

function M.unxml(s)
  return (s:gsub("&lt;", "<"):gsub("&gt;", ">"):gsub("&quot;", '"'):gsub("&apos;", "'"):gsub("&amp;", "&"))
end

-- A label's box: its four corners.  l: x, y (the text's anchor), right
-- (anchored at its start: it runs to the right), n (characters), font,
-- and ang, cx, cy (a rotation by ang degrees about (cx, cy); none when
-- ang is nil).
function M.corners(l)
  local a = math.rad(l.ang or 0)
  local cx, cy = l.cx or l.x, l.cy or l.y
  local ex, ey, nx, ny = math.cos(a), math.sin(a), -math.sin(a), math.cos(a)
  local w = l.n * 0.6 * l.font
  local lx0, lx1 = -M.HALO, w + M.HALO
  if not l.right then lx0, lx1 = -w - M.HALO, M.HALO end
  -- the text sits at (x, y) before the rotation about (cx, cy)
  local ox, oy = l.x - cx, l.y - cy
  local ly0, ly1 = oy - 0.8 * l.font - M.HALO, oy + 0.2 * l.font + M.HALO
  local c = {}
  for _, p in ipairs{{lx0, ly0}, {lx1, ly0}, {lx1, ly1}, {lx0, ly1}} do
    local px, py = ox + p[1], p[2]
    c[#c + 1] = {cx + px * ex + py * nx, cy + px * ey + py * ny}
  end
  return c
end

-- Two convex polygons (a line is one of two points) overlap unless an
-- edge's normal separates them.
function M.overlap(p, q)
  for _, poly in ipairs{p, q} do
    for i = 1, #poly do
      local a, b = poly[i], poly[i % #poly + 1]
      local ax, ay = b[2] - a[2], a[1] - b[1]
      local pmin, pmax, qmin, qmax = math.huge, -math.huge, math.huge, -math.huge
      for _, v in ipairs(p) do
        local d = v[1] * ax + v[2] * ay
        pmin, pmax = math.min(pmin, d), math.max(pmax, d)
      end
      for _, v in ipairs(q) do
        local d = v[1] * ax + v[2] * ay
        qmin, qmax = math.min(qmin, d), math.max(qmax, d)
      end
      if pmax <= qmin or qmax <= pmin then return false end
    end
  end
  return true
end

-- rec:ladder's SVG: the segment labels, in order (with their text and
-- tooltip), and the segments' arrows, in the same order: each a line
-- {{x1, y1}, {x2, y2}}.
function M.svg_labels(svg)
  local font = tonumber(svg:match('font%-size="([%d.]+)"'))
  local out = {}
  for x, y, anchor, ang, cx, cy, text, tip in svg:gmatch('<text x="([%d.-]+)" y="([%d.-]+)" text%-anchor="(%a+)" '
      .. 'class="%a+ lab" transform="rotate%(([%d.-]+) ([%d.-]+) ([%d.-]+)%)">([^<]*)<title>([^<]*)</title>') do
    out[#out + 1] = {x = tonumber(x), y = tonumber(y), cx = tonumber(cx), cy = tonumber(cy), ang = tonumber(ang),
                     right = anchor == "start", n = utf8.len(M.unxml(text)), font = font, text = M.unxml(text),
                     tip = M.unxml(tip)}
  end
  return out
end

function M.svg_arrows(svg)
  local out = {}
  local kinds = {cs = true, sc = true, lost = true, old = true}
  for x1, y1, x2, y2, cls in svg:gmatch('<line x1="([%d.-]+)" y1="([%d.-]+)" x2="([%d.-]+)" y2="([%d.-]+)" '
      .. 'class="(%a+)"') do
    if kinds[cls] then out[#out + 1] = {{tonumber(x1), tonumber(y1)}, {tonumber(x2), tonumber(y2)}} end
  end
  return out
end

-- The viewer's ladder (one <svg> of the page's DOM; 12 px monospace,
-- labels not rotated): labels by segment (from 1) {x, y, right, text, n,
-- font}, and arrows by segment, each a line.
local function attrs(tag)
  local a = {}
  for k, v in tag:gmatch('([%w-]+)="([^"]*)"') do a[k] = v end
  return a
end

function M.viewer_labels(svg)
  local out = {}
  for tag, text in svg:gmatch('(<text [^>]*class="seglabel[^>]*>)([^<]*)</text>') do
    local a = attrs(tag)
    local i = tonumber(a["data-i"]) + 1
    text = M.unxml(text)
    out[i] = out[i] or {x = tonumber(a.x), y = tonumber(a.y), right = a["text-anchor"] == "start", text = text,
                        n = utf8.len(text), font = 12}
  end
  return out
end

function M.viewer_arrows(svg)
  local out = {}
  for tag in svg:gmatch('<line [^>]*class="arrow [^>]*>') do
    local a = attrs(tag)
    out[tonumber(a["data-i"]) + 1] = {{tonumber(a.x1), tonumber(a.y1)}, {tonumber(a.x2), tonumber(a.y2)}}
  end
  return out
end

-- The pairs (arrow i, label j), i ~= j, where the arrow crosses the
-- label's box: a list of {i, j}.
function M.crossings(arrows, labels)
  local out = {}
  for j, l in pairs(labels) do
    local box = M.corners(l)
    for i, a in pairs(arrows) do
      if i ~= j and M.overlap(a, box) then out[#out + 1] = {i, j} end
    end
  end
  table.sort(out, function(p, q) return p[1] < q[1] or (p[1] == q[1] and p[2] < q[2]) end)
  return out
end

return M
