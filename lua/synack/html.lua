-- An interactive viewer of a recording, as one self-contained HTML file
-- (inline CSS and JavaScript, nothing fetched):
--
--   rec:html("out/conn.html", {connection = conn, from = 0, to = "2s",
--                              title = "..."})
--   rec:html("out/cmp.html", {compare = other_rec, labels = {"linux", "rfc"}})
--
-- The page embeds every connection of the recording: its segments (every
-- field of rec:segments), its state changes with their causes and rules
-- (rec:states) and, where the recorder has them, its events
-- (rec:events), in the time window, as JSON.  Its script lists the
-- connections in a table (a click on one switches to it) and draws the
-- chosen one (`connection`, default the first): the ladder in SVG, each
-- segment's label in a row of its own (the time scale stretches where
-- segments leave together), moved along it from its arrow's tail to the
-- first place no other arrow crosses, if any; hovering over a
-- segment shows its fields and highlights its row in the table of
-- segments, hovering over a state change shows its cause and the rule
-- behind it; the time-sequence graph of the side that sent more data,
-- with its ACK line and the receive window's edge, over the time range
-- the ladder shows; ctrl or shift and the wheel over the ladder or the
-- graph, or the buttons, zoom the time axis of both, the plain wheel over
-- the graph scrolls the ladder in time.  The text ladder follows the
-- chosen connection.  An address no node owns (a spoofed client) is
-- named "(no node)".  With
-- `compare`, a second recording (its connection `compare_connection`)
-- is drawn beside the first, both under their `labels`, at one zoom.
-- The text ladder (rec:ladder_text) is there too, for a reader without
-- JavaScript.  The JSON escapes '<', '>' and '&', so no string in it can
-- end the script element.
local M = {}

local KNOWN = { connection = true, from = true, to = true, title = true, compare = true,
                compare_connection = true, labels = true }

-- Raises the message at the script's line: past this module and the C
-- functions calling it (the recorder's method).
local function fail(fmt, ...)
  local level = 2
  while true do
    local info = debug.getinfo(level, "S")
    if not info then level = 0; break end
    if info.what ~= "C" and not info.source:find("synack[/\\]html%.lua$") then break end
    level = level + 1
  end
  error(string.format(fmt, ...), level)
end

-- ------------------------------------------------------------ JSON

local function json_number(v)
  if math.type(v) == "integer" then return string.format("%d", v) end
  if v ~= v or v == math.huge or v == -math.huge then return "null" end
  for digits = 1, 17 do
    local s = string.format("%." .. digits .. "g", v)
    if tonumber(s) == v then return s end
  end
  return string.format("%.17g", v)
end

local ESC = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
              ["<"] = "\\u003c", [">"] = "\\u003e", ["&"] = "\\u0026" }

-- A JSON string safe inside a script element: '<', '>' and '&' escaped,
-- control characters too, and U+2028 and U+2029 (line ends to older
-- JavaScript).
local function json_string(s)
  s = s:gsub('[%c"\\<>&]', function(c)
    return ESC[c] or string.format("\\u%04x", c:byte())
  end)
  s = s:gsub("\226\128\168", "\\u2028"):gsub("\226\128\169", "\\u2029")
  return '"' .. s .. '"'
end

local function json(v)
  local t = type(v)
  if t == "nil" then return "null"
  elseif t == "boolean" then return tostring(v)
  elseif t == "number" then return json_number(v)
  elseif t == "string" then return json_string(v)
  elseif t == "table" then
    local n = #v
    local keys = {}
    for k in pairs(v) do
      if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = tostring(k) end
    end
    local out = {}
    if #keys == 0 then
      for i = 1, n do out[i] = json(v[i]) end
      return "[" .. table.concat(out, ",") .. "]"
    end
    table.sort(keys)  -- the same run, the same bytes
    for _, k in ipairs(keys) do out[#out + 1] = json_string(k) .. ":" .. json(v[k]) end
    return "{" .. table.concat(out, ",") .. "}"
  end
  return json_string(tostring(v))
end
M.json = json

local function html_text(s)
  return (s:gsub("[&<>\"]", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;" }))
end

-- ------------------------------------------------------------ the page

-- The viewer (html_viewer.js): reads the JSON of <script id="data">,
-- draws for each recording (pane) its table of connections and, for the
-- connection chosen there, the ladder, the time-sequence graph and the
-- table of segments.  window.onerror writes any script error into the
-- page (#script-error), where a test finds it.  "#click=P.K" in the
-- address clicks connection K of pane P once the page is drawn (tests
-- use it).  Its style (html_viewer.css) and script are files beside this
-- module, installed with it, read when a page is first written and
-- embedded in it: the page stays one self-contained file.
local HERE = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or ""
local assets = {}
local function asset(ext)
  if assets[ext] then return assets[ext] end
  local path = HERE .. "html_viewer." .. ext
  local f, err = io.open(path, "rb")
  if not f then fail("html: cannot open the viewer's %s file: %s", ext, err) end
  local text, rerr = f:read("a")
  f:close()
  if not text then fail("html: cannot read %s: %s", path, rerr) end
  assets[ext] = text
  return text
end

-- A time option (seconds, or a string with a unit) in seconds; checked
-- already by the recorder's methods.
local function seconds(v)
  if v == nil then return nil end
  return require("synack").duration(v) / 1e9
end

-- A connection's end, as rec:connections() names it.
-- An address no node owns (a spoofed source, say) gets a name saying so.
local function endpoint(c, side)
  local node = c[side .. "_node"]
  if node == nil or node == "" then node = "(no node)" end
  return { node = node, addr = c[side] or "" }
end

-- The index of a connection option among rec:connections(): an index
-- as it is, a connection object found by its segments (the recorder
-- checks it belongs to it).
local function index_of(rec, conns, c, get)
  if c == nil then return 1 end
  local mine = get(rec, "segments", { connection = c })
  if math.type(c) == "integer" then return c end
  local first = mine[1]
  for k = 1, #conns do
    if conns[k].segments == #mine then
      local s = get(rec, "segments", { connection = k })[1]
      if not first or (s and s.sent == first.sent and s.seq == first.seq and s.dir == first.dir
                       and s.flags == first.flags) then
        return k
      end
    end
  end
  return 1
end

-- One recording's part of the page: every connection with its segments,
-- state changes and events in the time window.
local function pane(rec, opts, connection, label, get)
  local conns = rec:connections()
  if #conns == 0 then fail("html: no connection was recorded%s", label and " in '" .. label .. "'" or "") end
  local sel = index_of(rec, conns, connection, get)
  local from, to = seconds(opts.from), seconds(opts.to)
  local out = {}
  for k, c in ipairs(conns) do
    local w = { connection = k, from = opts.from, to = opts.to }
    local e = { index = k, client = endpoint(c, "client"), server = endpoint(c, "server"),
                first = c.first, last = c.last, segments = get(rec, "segments", w),
                states = get(rec, "states", w),
                text = get(rec, "ladder_text", { connection = k, from = opts.from, to = opts.to }) }
    if rec.events then
      -- the listener's events (drops with their reasons), in the window
      local kept = {}
      for _, ev in ipairs(get(rec, "events", { connection = k })) do
        local t = tonumber(ev.t)
        if not t or ((not from or t >= from) and (not to or t <= to)) then kept[#kept + 1] = ev end
      end
      e.events = kept
    end
    out[k] = e
  end
  return { label = label, sel = sel - 1, conns = out }, out[sel].text
end

function M.write(rec, path, opts)
  local who = "html"
  if type(path) ~= "string" then fail("%s: the path must be a string, got a %s", who, type(path)) end
  if opts ~= nil and type(opts) ~= "table" then fail("%s: options must be a table, got a %s", who, type(opts)) end
  opts = opts or {}
  for k in pairs(opts) do
    if not KNOWN[k] then fail("%s: unknown option '%s'", who, tostring(k)) end
  end
  if opts.title ~= nil and type(opts.title) ~= "string" then
    fail("%s: option 'title' must be a string, got a %s", who, type(opts.title))
  end
  local other = opts.compare
  if other ~= nil and (type(other) ~= "userdata" and type(other) ~= "table" or not other.connections) then
    fail("%s: option 'compare' must be a recorder (sim:record()), got a %s", who, type(other))
  end
  if other == nil and opts.compare_connection ~= nil then
    fail("%s: option 'compare_connection' without 'compare'", who)
  end
  local labels = opts.labels
  if labels ~= nil then
    local n = other and 2 or 1
    if type(labels) ~= "table" or #labels ~= n then
      fail("%s: option 'labels' must be a list of %d string%s", who, n, n > 1 and "s" or "")
    end
    for i = 1, n do
      if type(labels[i]) ~= "string" then
        fail("%s: option 'labels': label %d must be a string, got a %s", who, i, type(labels[i]))
      end
    end
  end
  local function get(r, method, sel)
    local ok, v = pcall(r[method], r, sel)
    if not ok then
      fail("%s", (tostring(v):gsub("^[^:]*:%d+: ", ""):gsub("^" .. method .. ":", who .. ":")))
    end
    return v
  end
  labels = labels or (other and { "recording 1", "recording 2" } or {})
  local p1, text = pane(rec, opts, opts.connection, labels[1], get)
  local panes, texts = { p1 }, { text }
  if other then
    panes[2], texts[2] = pane(other, opts, opts.compare_connection, labels[2], get)
  end
  local c1 = p1.conns[p1.sel + 1]
  local title = opts.title or string.format("%s %s -> %s %s", c1.client.node, c1.client.addr,
                                            c1.server.node, c1.server.addr)
  local data = { title = title, panes = panes }
  local body = {}
  for p, P in ipairs(panes) do
    local q = p - 1
    body[#body + 1] = table.concat({
      "<div class=\"pane\" id=\"pane", q, "\">\n",
      P.label and "<h2>" .. html_text(P.label) .. "</h2>\n" or "",
      "<table class=\"conns\" id=\"conns", q, "\"></table>\n",
      "<div class=\"wrap\" id=\"wrap", q, "\"></div>\n",
      "<div class=\"graph\" id=\"graph", q, "\"></div>\n",
      "<table class=\"segments\" id=\"segments", q, "\"></table>\n",
      "<details><summary>text ladder</summary><pre id=\"text", q, "\">", html_text(texts[p]), "</pre></details>\n",
      "</div>\n" })
  end
  local page = table.concat({
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
    "<title>", html_text(title), "</title>\n<style>\n", asset("css"), "</style>\n</head>\n<body>\n",
    "<h1>", html_text(title), "</h1>\n",
    "<div id=\"bar\"><button id=\"zin\">zoom in</button><button id=\"zout\">zoom out</button>",
    "<button id=\"zreset\">reset</button> <span id=\"zoomlevel\"></span>",
    " (ctrl or shift + wheel over a ladder zooms; hover over a segment or a state; click a connection)</div>\n",
    "<div id=\"panes\">\n", table.concat(body), "</div>\n<div id=\"tip\"></div>\n",
    "<script type=\"application/json\" id=\"data\">", json(data), "</script>\n",
    "<script>\n", asset("js"), "</script>\n</body>\n</html>\n",
  })
  local ok, err = pcall(require("synack").write_file, path, page)
  if not ok then fail("%s: %s", who, tostring(err)) end
  return { segments = #c1.segments, states = #c1.states, events = c1.events and #c1.events or nil,
           connections = #p1.conns }
end

return M
