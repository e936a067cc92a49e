-- An interactive viewer of one recorded connection, as one self-contained
-- HTML file (inline CSS and JavaScript, nothing fetched):
--
--   rec:html("out/conn.html", {connection = conn, from = 0, to = "2s",
--                              title = "..."})
--
-- The page embeds the connection's segments (every field of
-- rec:segments), its state changes with their causes and rules
-- (rec:states) and, where the recorder has them, its events
-- (rec:events), as JSON; its script draws the ladder from them in SVG:
-- hovering over a segment shows its fields and highlights its row in the
-- table of segments under the ladder, hovering over a state change shows
-- its cause and the rule behind it; the wheel over the ladder, or the
-- buttons, zoom the time axis.  The text ladder (rec:ladder_text) is there
-- too, for a reader without JavaScript.  The JSON escapes '<', '>' and
-- '&', so no string in it can end the script element.
local M = {}

local KNOWN = { connection = true, from = true, to = true, title = true }

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

local CSS = [[
body{font:14px sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 8px}
#bar{margin:6px 0}
#bar button{margin-right:4px}
#wrap{overflow:auto;max-height:75vh;border:1px solid #ccc;position:relative}
svg text{font:12px monospace}
.line{stroke:#444;stroke-width:2}
.arrow{stroke-width:1.5;fill:none}
.c2s{stroke:#1f5fbf}.s2c{stroke:#9a5a1a}
.lost{stroke:#c00;stroke-dasharray:6 3}
.arrow.hl{stroke-width:4}
.tick{fill:#888}
.hit{stroke:transparent;stroke-width:10;fill:none;cursor:pointer}
.state{font-weight:bold;cursor:help}
.cause{fill:#777}
.event{fill:#7a2}
#tip{position:fixed;display:none;background:#ffd;border:1px solid #999;padding:4px 6px;
 font:12px monospace;white-space:pre;pointer-events:none;z-index:2}
table{border-collapse:collapse;margin-top:10px;font:12px monospace}
td,th{border:1px solid #ccc;padding:1px 5px;text-align:right}
tr.hl{background:#fe8}
tr.dropped td{color:#c00}
]]

-- The viewer: reads the JSON of <script id="data">, draws the ladder and
-- the table.  window.onerror writes any script error into the page
-- (#script-error), where a test finds it.
local JS = [[
window.onerror = function (msg, src, line) {
  var e = document.getElementById("script-error") || document.createElement("pre");
  e.id = "script-error";
  e.textContent += "script error: " + msg + " (line " + line + ")\n";
  document.body.appendChild(e);
};
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("data").textContent);
  var NS = "http://www.w3.org/2000/svg";
  var XL = 200, XR = 660, W = 820, TOP = 50, GAP = 120;
  var zoom = 1, tip = document.getElementById("tip");
  var times = [];
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function ms(t) { return (t * 1000).toFixed(3); }
  D.segments.forEach(function (s) {
    times.push(s.sent);
    var end = s.arrived !== undefined ? s.arrived : s.dropped;
    if (end !== undefined) times.push(end);
  });
  D.states.forEach(function (s) { times.push(s.t); });
  (D.events || []).forEach(function (e) { times.push(e.t); });
  times.sort(function (a, b) { return a - b; });
  // The shortest one-way trip sets the scale: 90 pixels; a longer idle
  // gap is cut to GAP pixels (times stay on the axis).
  var owd = Infinity;
  D.segments.forEach(function (s) {
    if (s.arrived !== undefined && s.arrived > s.sent) owd = Math.min(owd, s.arrived - s.sent);
  });
  if (owd === Infinity) owd = 0.01;
  function ymap() {
    var pps = 90 / owd * zoom, cap = GAP * zoom, knots = [], y = TOP, prev = null;
    times.forEach(function (t) {
      if (prev !== null && t > prev) y += Math.min((t - prev) * pps, cap);
      if (prev === null || t > prev) knots.push([t, y]);
      prev = t;
    });
    return function (t) {
      var lo = 0, hi = knots.length - 1;
      if (!knots.length) return TOP;
      if (t <= knots[0][0]) return knots[0][1];
      if (t >= knots[hi][0]) return knots[hi][1];
      while (hi - lo > 1) {
        var m = (lo + hi) >> 1;
        if (knots[m][0] <= t) lo = m; else hi = m;
      }
      var a = knots[lo], b = knots[hi];
      return a[1] + (b[1] - a[1]) * (t - a[0]) / (b[0] - a[0]);
    };
  }
  function fields(o) {
    var lines = [];
    Object.keys(o).forEach(function (k) {
      var v = o[k];
      if (k === "i") return;
      if (k === "sack") v = v.map(function (b) { return b[0] + "-" + b[1]; }).join(" ");
      lines.push(k + ": " + v);
    });
    return lines.join("\n");
  }
  function show(ev, text) {
    tip.textContent = text;
    tip.style.display = "block";
    tip.style.left = (ev.clientX + 12) + "px";
    tip.style.top = (ev.clientY + 12) + "px";
  }
  function hide() { tip.style.display = "none"; }
  function highlight(i, on) {
    var a = document.getElementById("seg" + i), r = document.getElementById("row" + i);
    if (a) a.classList.toggle("hl", on);
    if (r) r.classList.toggle("hl", on);
  }
  function label(s) {
    var l = s.flags + " seq=" + s.seq;
    if (s.flags.indexOf("ACK") >= 0) l += " ack=" + s.ack;
    if (s.len) l += " len=" + s.len;
    if (s.dropped !== undefined) l += " lost" + (s.reason ? ": " + s.reason : "");
    return l;
  }
  function draw() {
    var y = ymap(), old = document.getElementById("ladder");
    var h = y(times.length ? times[times.length - 1] : 0) + 60;
    var svg = el("svg", { id: "ladder", width: W, height: h, viewBox: "0 0 " + W + " " + h });
    var defs = el("defs", {}, svg);
    ["c2s", "s2c"].forEach(function (c) {
      var m = el("marker", { id: "head-" + c, markerWidth: 8, markerHeight: 8, refX: 7, refY: 4,
                             orient: "auto" }, defs);
      el("path", { d: "M0,0 L8,4 L0,8 z", fill: c === "c2s" ? "#1f5fbf" : "#9a5a1a" }, m);
    });
    el("text", { x: XL, y: 20, "text-anchor": "middle" }, svg).textContent = D.client.node;
    el("text", { x: XL, y: 36, "text-anchor": "middle" }, svg).textContent = D.client.addr;
    el("text", { x: XR, y: 20, "text-anchor": "middle" }, svg).textContent = D.server.node;
    el("text", { x: XR, y: 36, "text-anchor": "middle" }, svg).textContent = D.server.addr;
    el("line", { x1: XL, y1: TOP, x2: XL, y2: h - 20, "class": "line" }, svg);
    el("line", { x1: XR, y1: TOP, x2: XR, y2: h - 20, "class": "line" }, svg);
    // the time axis: a tick at each instant something happens, where
    // there is room
    var lastTick = -Infinity;
    times.forEach(function (t) {
      var yy = y(t);
      if (yy - lastTick < 16) return;
      lastTick = yy;
      el("text", { x: 8, y: yy + 4, "class": "tick" }, svg).textContent = ms(t) + " ms";
    });
    var drawn = 0, labelLow = [-Infinity, -Infinity];
    D.segments.forEach(function (s, i) {
      var c2s = s.dir === "c>s", x1 = c2s ? XL : XR, x2 = c2s ? XR : XL, y1 = y(s.sent), y2;
      var cls = c2s ? "c2s" : "s2c";
      var g = el("g", {}, svg);
      if (s.arrived !== undefined) {
        y2 = y(s.arrived);
      } else {
        // dropped (an X halfway) or still in flight
        y2 = y(s.dropped !== undefined ? s.dropped : s.sent);
        x2 = (x1 + x2) / 2;
      }
      el("line", { x1: x1, y1: y1, x2: x2, y2: y2, "class": "hit" }, g);
      var a = el("line", { id: "seg" + i, x1: x1, y1: y1, x2: x2, y2: y2, "data-i": i,
                           "class": "arrow " + cls + (s.dropped !== undefined ? " lost" : "") }, g);
      if (s.arrived !== undefined) a.setAttribute("marker-end", "url(#head-" + cls + ")");
      if (s.dropped !== undefined) {
        el("path", { d: "M" + (x2 - 5) + "," + (y2 - 5) + " l10,10 m0,-10 l-10,10",
                     stroke: "#c00", "stroke-width": 2 }, g);
      }
      // labels of segments leaving one side close together: a row apart
      var ly = Math.max(y1 - 3, labelLow[c2s ? 0 : 1] + 14);
      labelLow[c2s ? 0 : 1] = ly;
      var t = el("text", { x: c2s ? x1 + 8 : x1 - 8, y: ly,
                           "text-anchor": c2s ? "start" : "end", "class": "seglabel" }, g);
      t.textContent = label(s);
      g.addEventListener("mousemove", function (ev) {
        show(ev, "segment " + (i + 1) + "\n" + fields(s));
      });
      g.addEventListener("mouseenter", function () { highlight(i, true); });
      g.addEventListener("mouseleave", function () { highlight(i, false); hide(); });
      drawn++;
    });
    var low = [0, 0];
    D.states.forEach(function (s) {
      var side = s.side === "client" ? 0 : 1, x = side ? XR : XL, yy = y(s.t);
      el("circle", { cx: x, cy: yy, r: 3, fill: "#222" }, svg);
      if (yy < low[side] + 26) yy = low[side] + 26;
      low[side] = yy;
      var g = el("g", { "class": "statechange" }, svg);
      var t = el("text", { x: side ? x + 8 : x - 8, y: yy + 4, "text-anchor": side ? "start" : "end",
                           "class": "state" }, g);
      t.textContent = s.to;
      var why = s.from + " -> " + s.to + "\ncause: " + s.cause + (s.rule ? "\nrule: " + s.rule : "") +
                "\nt: " + ms(s.t) + " ms";
      el("title", {}, t).textContent = why;
      var c = el("text", { x: side ? x + 8 : x - 8, y: yy + 17, "text-anchor": side ? "start" : "end",
                           "class": "cause" }, g);
      c.textContent = "(" + s.cause + ")";
      g.addEventListener("mousemove", function (ev) { show(ev, why); });
      g.addEventListener("mouseleave", hide);
    });
    (D.events || []).forEach(function (e) {
      var side = e.side === "client" ? 0 : (e.side === "server" ? 1 : -1);
      var x = side === 0 ? XL : (side === 1 ? XR : (XL + XR) / 2), yy = y(e.t);
      var g = el("g", { "class": "eventmark" }, svg);
      el("path", { d: "M" + x + "," + (yy - 5) + " l5,5 l-5,5 l-5,-5 z", "class": "event" }, g);
      var t = el("text", { x: side === 1 ? x - 10 : x + 10, y: yy + 4,
                           "text-anchor": side === 1 ? "end" : "start", "class": "event" }, g);
      t.textContent = String(e.event);
      g.addEventListener("mousemove", function (ev) { show(ev, "event\n" + fields(e)); });
      g.addEventListener("mouseleave", hide);
    });
    svg.setAttribute("data-arrows", drawn);
    if (old) old.parentNode.replaceChild(svg, old);
    else document.getElementById("wrap").appendChild(svg);
    document.getElementById("zoomlevel").textContent = "zoom " + zoom.toFixed(2) + "x";
  }
  function table() {
    var cols = ["#", "sent (ms)", "arrived (ms)", "dir", "flags", "seq", "ack", "len", "win",
                "options", "dropped / reason / event"];
    var tb = document.getElementById("segments"), tr = document.createElement("tr");
    cols.forEach(function (c) {
      var th = document.createElement("th");
      th.textContent = c;
      tr.appendChild(th);
    });
    tb.appendChild(tr);
    D.segments.forEach(function (s, i) {
      var opts = [];
      ["mss", "wscale", "tsval", "tsecr"].forEach(function (k) {
        if (s[k] !== undefined) opts.push(k + "=" + s[k]);
      });
      if (s.sack) opts.push("sack=" + s.sack.map(function (b) { return b[0] + "-" + b[1]; }).join(","));
      var fate = s.dropped !== undefined ? "dropped " + ms(s.dropped) + (s.reason ? ": " + s.reason : "") : "";
      if (s.event !== undefined) fate += (fate ? "; " : "") + s.event;
      var cells = [i + 1, ms(s.sent), s.arrived !== undefined ? ms(s.arrived) : "", s.dir, s.flags,
                   s.seq, s.ack, s.len, s.win, opts.join(" "), fate];
      var row = document.createElement("tr");
      row.id = "row" + i;
      if (s.dropped !== undefined) row.className = "dropped";
      cells.forEach(function (c) {
        var td = document.createElement("td");
        td.textContent = String(c);
        row.appendChild(td);
      });
      row.addEventListener("mouseenter", function () { highlight(i, true); });
      row.addEventListener("mouseleave", function () { highlight(i, false); });
      tb.appendChild(row);
    });
  }
  function setzoom(z) {
    zoom = Math.max(0.05, Math.min(50, z));
    draw();
  }
  document.getElementById("zin").onclick = function () { setzoom(zoom * 1.5); };
  document.getElementById("zout").onclick = function () { setzoom(zoom / 1.5); };
  document.getElementById("zreset").onclick = function () { setzoom(1); };
  document.getElementById("wrap").addEventListener("wheel", function (ev) {
    if (!ev.ctrlKey && !ev.shiftKey) return;  // plain wheel scrolls
    ev.preventDefault();
    setzoom(ev.deltaY < 0 ? zoom * 1.2 : zoom / 1.2);
  }, { passive: false });
  table();
  draw();
  document.body.setAttribute("data-ready", "1");
})();
]]

-- The client's and server's node names and addresses, from the text
-- ladder's heading (the same words the ladders show).
local function ends(text, titled)
  local lines = {}
  for l in text:gmatch("[^\n]*") do lines[#lines + 1] = l end
  local k = titled and 2 or 1
  local cn, sn = (lines[k] or ""):match("^%s*time%s+(%S+)%s+(%S+)%s*$")
  local ca, sa = (lines[k + 1] or ""):match("^%s*%(ms%)%s+(%S+)%s+(%S+)%s*$")
  return { node = cn or "client", addr = ca or "" }, { node = sn or "server", addr = sa or "" }
end

-- A time option (seconds, or a string with a unit) in seconds; checked
-- already by the recorder's methods.
local function seconds(v)
  if v == nil then return nil end
  return require("synack").duration(v) / 1e9
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
  local sel = { connection = opts.connection, from = opts.from, to = opts.to }
  local function get(method)
    local ok, v = pcall(rec[method], rec, sel)
    if not ok then
      fail("%s", (tostring(v):gsub("^[^:]*:%d+: ", ""):gsub("^" .. method .. ":", who .. ":")))
    end
    return v
  end
  local segs, states, text = get("segments"), get("states"), get("ladder_text")
  local client, server = ends(text, false)
  local data = { client = client, server = server, segments = segs, states = states }
  if rec.events then
    -- the listener's events (drops with their reasons), in the window
    local ok, evs = pcall(rec.events, rec, { connection = opts.connection })
    if not ok then fail("%s", (tostring(evs):gsub("^[^:]*:%d+: ", ""):gsub("^events:", who .. ":"))) end
    local from, to = seconds(opts.from), seconds(opts.to)
    local kept = {}
    for _, e in ipairs(evs) do
      local t = tonumber(e.t)
      if not t or ((not from or t >= from) and (not to or t <= to)) then kept[#kept + 1] = e end
    end
    data.events = kept
  end
  local title = opts.title or string.format("%s %s -> %s %s", client.node, client.addr,
                                            server.node, server.addr)
  data.title = title
  local page = table.concat({
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
    "<title>", html_text(title), "</title>\n<style>\n", CSS, "</style>\n</head>\n<body>\n",
    "<h1>", html_text(title), "</h1>\n",
    "<div id=\"bar\"><button id=\"zin\">zoom in</button><button id=\"zout\">zoom out</button>",
    "<button id=\"zreset\">reset</button> <span id=\"zoomlevel\"></span>",
    " (ctrl or shift + wheel over the ladder zooms; hover over a segment or a state)</div>\n",
    "<div id=\"wrap\"></div>\n<div id=\"tip\"></div>\n",
    "<table id=\"segments\"></table>\n",
    "<details><summary>text ladder</summary><pre>", html_text(text), "</pre></details>\n",
    "<script type=\"application/json\" id=\"data\">", json(data), "</script>\n",
    "<script>\n", JS, "</script>\n</body>\n</html>\n",
  })
  local ok, err = pcall(require("synack").write_file, path, page)
  if not ok then fail("%s: %s", who, tostring(err)) end
  return { segments = #segs, states = #states, events = data.events and #data.events or nil }
end

return M
