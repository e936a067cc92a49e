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
-- segment's label in a row of its own at its arrow's tail (the time
-- scale stretches where segments leave together), hovering over a
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

local CSS = [[
body{font:14px sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 8px}
h2{font-size:16px;margin:4px 0}
#bar{margin:6px 0}
#bar button{margin-right:4px}
#panes{display:flex;gap:16px;align-items:flex-start}
.pane{flex:1 1 0;min-width:0}
.wrap{overflow:auto;max-height:50vh;border:1px solid #ccc;position:relative}
.graph{overflow:auto;border:1px solid #ccc;margin-top:6px}
svg text{font:12px monospace}
.line{stroke:#444;stroke-width:2}
.arrow{stroke-width:1.5;fill:none}
.c2s{stroke:#1f5fbf}.s2c{stroke:#9a5a1a}
.lost{stroke:#c00;stroke-dasharray:6 3}
.arrow.hl{stroke-width:4}
.seglabel{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.seglabel.c2s{fill:#1f5fbf}.seglabel.s2c{fill:#9a5a1a}.seglabel.lost{fill:#c00;stroke-dasharray:none}
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
table.conns tr{cursor:pointer}
table.conns tr.sel{background:#cde}
table.conns{max-height:20vh;display:block;overflow:auto}
]]

-- The viewer: reads the JSON of <script id="data">, draws for each
-- recording (pane) its table of connections and, for the connection
-- chosen there, the ladder, the time-sequence graph and the table of
-- segments.  window.onerror writes any script error into the page
-- (#script-error), where a test finds it.  "#click=P.K" in the address
-- clicks connection K of pane P once the page is drawn (tests use it).
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
  // ROW: the height of a segment's label, each in its own row
  var XL = 200, XR = 660, W = 860, TOP = 50, GAP = 120, ROW = 17;
  var zoom = 1, tip = document.getElementById("tip");
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(name, text, parent) {
    var e = document.createElement(name);
    if (text !== undefined) e.textContent = String(text);
    if (parent) parent.appendChild(e);
    return e;
  }
  function ms(t) { return (t * 1000).toFixed(3); }
  function fields(o) {
    var lines = [];
    Object.keys(o).forEach(function (k) {
      var v = o[k];
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
  function highlight(p, i, on) {
    var a = document.getElementById("seg" + p + "-" + i), r = document.getElementById("row" + p + "-" + i);
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
  // Time to height: piecewise linear, the shortest one-way trip 90 pixels,
  // an idle gap cut to GAP; after an instant at which n segments leave,
  // n rows at least, so that every label has a row of its own and none
  // meets another, whichever side it is on.
  function ymap(C) {
    var times = [], rows = new Map(), owd = Infinity;
    C.segments.forEach(function (s) {
      times.push(s.sent);
      rows.set(s.sent, (rows.get(s.sent) || 0) + 1);
      var end = s.arrived !== undefined ? s.arrived : s.dropped;
      if (end !== undefined) times.push(end);
      if (s.arrived !== undefined && s.arrived > s.sent) owd = Math.min(owd, s.arrived - s.sent);
    });
    C.states.forEach(function (s) { times.push(s.t); });
    (C.events || []).forEach(function (e) { if (typeof e.t === "number") times.push(e.t); });
    times.sort(function (a, b) { return a - b; });
    if (owd === Infinity) owd = 0.01;
    var pps = 90 / owd * zoom, cap = GAP * zoom, knots = [], y = TOP, prev = null;
    times.forEach(function (t) {
      if (prev !== null && t > prev) y += Math.max(Math.min((t - prev) * pps, cap), (rows.get(prev) || 0) * ROW);
      if (prev === null || t > prev) knots.push([t, y]);
      prev = t;
    });
    var f = function (t) {
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
    // height to time: the inverse, for the time range a view shows
    f.inv = function (yy) {
      var lo = 0, hi = knots.length - 1;
      if (!knots.length) return 0;
      if (yy <= knots[0][1]) return knots[0][0];
      if (yy >= knots[hi][1]) return knots[hi][0];
      while (hi - lo > 1) {
        var m = (lo + hi) >> 1;
        if (knots[m][1] <= yy) lo = m; else hi = m;
      }
      var a = knots[lo], b = knots[hi];
      return b[1] > a[1] ? a[0] + (b[0] - a[0]) * (yy - a[1]) / (b[1] - a[1]) : a[0];
    };
    f.times = times;
    f.bottom = y + (prev !== null ? (rows.get(prev) || 0) * ROW : 0);
    return f;
  }
  function ladder(p) {
    var P = D.panes[p], C = P.conns[P.sel], y = ymap(C), old = document.getElementById("ladder" + p);
    P.y = y;
    var h = y.bottom + 60;
    var svg = el("svg", { id: "ladder" + p, width: W, height: h, viewBox: "0 0 " + W + " " + h,
                          "data-conn": C.index });
    var defs = el("defs", {}, svg);
    ["c2s", "s2c"].forEach(function (c) {
      var m = el("marker", { id: "head" + p + c, markerWidth: 8, markerHeight: 8, refX: 7, refY: 4,
                             orient: "auto" }, defs);
      el("path", { d: "M0,0 L8,4 L0,8 z", fill: c === "c2s" ? "#1f5fbf" : "#9a5a1a" }, m);
    });
    el("text", { x: XL, y: 20, "text-anchor": "middle" }, svg).textContent = C.client.node;
    el("text", { x: XL, y: 36, "text-anchor": "middle" }, svg).textContent = C.client.addr;
    el("text", { x: XR, y: 20, "text-anchor": "middle" }, svg).textContent = C.server.node;
    el("text", { x: XR, y: 36, "text-anchor": "middle" }, svg).textContent = C.server.addr;
    el("line", { x1: XL, y1: TOP, x2: XL, y2: h - 20, "class": "line" }, svg);
    el("line", { x1: XR, y1: TOP, x2: XR, y2: h - 20, "class": "line" }, svg);
    // the time axis: a tick at each instant something happens, where
    // there is room
    var lastTick = -Infinity;
    y.times.forEach(function (t) {
      var yy = y(t);
      if (yy - lastTick < 16) return;
      lastTick = yy;
      el("text", { x: 8, y: yy + 4, "class": "tick" }, svg).textContent = ms(t) + " ms";
    });
    var drawn = 0, stack = new Map();
    C.segments.forEach(function (s, i) {
      var c2s = s.dir === "c>s", x1 = c2s ? XL : XR, x2 = c2s ? XR : XL, y2;
      var cls = c2s ? "c2s" : "s2c", j = stack.get(s.sent) || 0, y1 = y(s.sent) + j * ROW;
      stack.set(s.sent, j + 1);
      var g = el("g", {}, svg);
      if (s.arrived !== undefined) {
        y2 = y(s.arrived);
      } else {
        // dropped (an X halfway) or still in flight
        y2 = y(s.dropped !== undefined ? s.dropped : s.sent);
        x2 = (x1 + x2) / 2;
      }
      y2 = Math.max(y2, y1);
      el("line", { x1: x1, y1: y1, x2: x2, y2: y2, "class": "hit" }, g);
      var lost = s.dropped !== undefined ? " lost" : "";
      var a = el("line", { id: "seg" + p + "-" + i, x1: x1, y1: y1, x2: x2, y2: y2, "data-i": i,
                           "class": "arrow " + cls + lost }, g);
      if (s.arrived !== undefined) a.setAttribute("marker-end", "url(#head" + p + cls + ")");
      if (lost) {
        el("path", { d: "M" + (x2 - 5) + "," + (y2 - 5) + " l10,10 m0,-10 l-10,10",
                     stroke: "#c00", "stroke-width": 2 }, g);
      }
      // the label at the arrow's tail, in its own row
      var t = el("text", { x: c2s ? x1 + 8 : x1 - 8, y: y1 - 3, "text-anchor": c2s ? "start" : "end",
                           "class": "seglabel " + cls + lost, "data-i": i }, g);
      t.textContent = label(s);
      g.addEventListener("mousemove", function (ev) {
        show(ev, "segment " + (i + 1) + "\n" + fields(s));
      });
      g.addEventListener("mouseenter", function () { highlight(p, i, true); });
      g.addEventListener("mouseleave", function () { highlight(p, i, false); hide(); });
      drawn++;
    });
    var low = [0, 0];
    C.states.forEach(function (s) {
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
    (C.events || []).forEach(function (e) {
      var side = e.side === "client" ? 0 : (e.side === "server" ? 1 : -1);
      var x = side === 0 ? XL : (side === 1 ? XR : (XL + XR) / 2), yy = y(e.t);
      var g = el("g", { "class": "eventmark" }, svg);
      el("path", { d: "M" + x + "," + (yy - 5) + " l5,5 l-5,5 l-5,-5 z", "class": "event" }, g);
      // outside the lines, where the state names are
      var t = el("text", { x: side === 1 ? x + 10 : x - 10, y: yy + 4,
                           "text-anchor": side === 1 ? "start" : "end", "class": "event" }, g);
      t.textContent = String(e.event);
      g.addEventListener("mousemove", function (ev) { show(ev, "event\n" + fields(e)); });
      g.addEventListener("mouseleave", hide);
    });
    svg.setAttribute("data-arrows", drawn);
    if (old) old.parentNode.replaceChild(svg, old);
    else document.getElementById("wrap" + p).appendChild(svg);
  }
  // The time-sequence graph of the side that sent more data: a bar per
  // segment from its first to its last sequence number at its send time
  // (blue, orange when resent, a red X when lost), the other side's ACKs
  // as they arrived (a green step line), the right edge of the window
  // they offered (ACK + window, scaled as negotiated; a yellow step line,
  // leaving the top when far above the data) and SACK blocks (purple).
  // Its time axis is the time range the ladder shows (zoomed, scrolled),
  // its sequence axis what is sent or acknowledged in that range.
  function graph(p) {
    var P = D.panes[p], C = P.conns[P.sel], old = document.getElementById("seqgraph" + p);
    var GW = W, GH = 320, L = 90, R = 20, T = 30, B = 40;
    var bytes = { "c>s": 0, "s>c": 0 };
    C.segments.forEach(function (s) { bytes[s.dir] += s.len; });
    var mine = bytes["s>c"] > bytes["c>s"] ? "s>c" : "c>s", isn = null, bars = [], acks = [];
    // the sender's ISN and the window scale the receiver's window uses
    var wsMine = null, wsPeer = null;
    C.segments.forEach(function (s) {
      if (s.flags.indexOf("SYN") >= 0) {
        if (s.dir === mine) {
          if (isn === null) isn = s.seq;
          if (wsMine === null) wsMine = s.wscale !== undefined ? s.wscale : false;
        } else if (wsPeer === null) {
          wsPeer = s.wscale !== undefined ? s.wscale : false;
        }
      }
    });
    C.segments.forEach(function (s) {
      if (s.dir === mine && isn === null) isn = s.seq;
    });
    var shift = wsMine !== null && wsMine !== false && wsPeer !== null && wsPeer !== false ? wsPeer : 0;
    var svg = el("svg", { id: "seqgraph" + p, width: GW, height: GH, viewBox: "0 0 " + GW + " " + GH });
    function rel(v) { return ((v - isn) % 4294967296 + 4294967296) % 4294967296; }
    var high = -1;
    C.segments.forEach(function (s) {
      if (isn === null) return;
      var n = s.len + (s.flags.indexOf("SYN") >= 0 ? 1 : 0) + (s.flags.indexOf("FIN") >= 0 ? 1 : 0);
      if (s.dir === mine && n > 0) {
        var lo = rel(s.seq);
        bars.push({ t: s.sent, lo: lo, hi: lo + n, again: lo < high, lost: s.dropped !== undefined });
        high = Math.max(high, lo + n);
      } else if (s.dir !== mine && s.arrived !== undefined && s.flags.indexOf("ACK") >= 0) {
        var a = rel(s.ack), win = s.flags.indexOf("SYN") >= 0 ? s.win : s.win * Math.pow(2, shift);
        acks.push({ t: s.arrived, ack: a, edge: a + win, sack: (s.sack || []).map(function (b) {
          return [a + ((b[0] - s.ack) | 0), a + ((b[1] - s.ack) | 0)];
        }) });
      }
    });
    acks.sort(function (a, b) { return a.t - b.t; });
    // the time range: the ladder's view of its scale
    var wrap = document.getElementById("wrap" + p), y = P.y, t0, t1, vtop = 0, vbottom = 0;
    if (y && wrap.clientHeight > 0) {
      vtop = wrap.scrollTop;
      vbottom = vtop + wrap.clientHeight;
      t0 = y.inv(vtop);
      t1 = y.inv(vbottom);
    } else {
      t0 = y && y.times.length ? y.times[0] : 0;
      t1 = y && y.times.length ? y.times[y.times.length - 1] : 0;
    }
    if (!(t1 > t0)) t1 = t0 + 0.001;
    var s0 = Infinity, s1 = -Infinity;
    function within(t) { return t >= t0 && t <= t1; }
    bars.forEach(function (b) { if (within(b.t)) { s0 = Math.min(s0, b.lo); s1 = Math.max(s1, b.hi); } });
    acks.forEach(function (a, k) {
      // the ACK in force when the range starts counts too
      if (within(a.t) || (a.t < t0 && (k + 1 === acks.length || acks[k + 1].t >= t0))) {
        s0 = Math.min(s0, a.ack);
        s1 = Math.max(s1, a.ack);
      }
    });
    if (s0 === Infinity) {
      bars.forEach(function (b) { s0 = Math.min(s0, b.lo); s1 = Math.max(s1, b.hi); });
      acks.forEach(function (a) { s0 = Math.min(s0, a.ack); s1 = Math.max(s1, a.ack); });
    }
    // the window's edge in view when near the data (at most doubling the
    // range); far above, it leaves the top
    var edge = -Infinity;
    acks.forEach(function (a, k) {
      if (within(a.t) || (a.t < t0 && (k + 1 === acks.length || acks[k + 1].t >= t0))) edge = Math.max(edge, a.edge);
    });
    if (edge > s1 && s1 > s0) s1 = Math.min(edge, s0 + 2 * (s1 - s0));
    el("text", { x: L, y: 18 }, svg).textContent = (mine === "c>s" ? C.client.node : C.server.node) +
      "'s sequence numbers (relative) over time (ms), as the ladder shows it";
    svg.setAttribute("data-from", t0);
    svg.setAttribute("data-to", t1);
    svg.setAttribute("data-top", vtop);
    svg.setAttribute("data-bottom", vbottom);
    if (!bars.length) {
      el("text", { x: L, y: 60 }, svg).textContent = "no data in this connection";
    } else {
      if (s1 === s0) s1 = s0 + 1;
      var X = function (t) { return L + (t - t0) / (t1 - t0) * (GW - L - R); };
      var Y = function (v) { return GH - B - (v - s0) / (s1 - s0) * (GH - T - B); };
      var clip = el("clipPath", { id: "gclip" + p }, el("defs", {}, svg));
      el("rect", { x: L, y: T, width: GW - L - R, height: GH - T - B }, clip);
      el("line", { x1: L, y1: GH - B, x2: GW - R, y2: GH - B, stroke: "#888" }, svg);
      el("line", { x1: L, y1: T, x2: L, y2: GH - B, stroke: "#888" }, svg);
      for (var k = 0; k <= 4; k++) {
        var tt = t0 + (t1 - t0) * k / 4, vv = Math.round(s0 + (s1 - s0) * k / 4);
        el("text", { x: X(tt), y: GH - B + 16, "text-anchor": "middle", "class": "tick" }, svg).textContent = ms(tt);
        el("text", { x: L - 6, y: Y(vv) + 4, "text-anchor": "end", "class": "tick" }, svg).textContent = vv;
      }
      var g = el("g", { "clip-path": "url(#gclip" + p + ")" }, svg);
      // ACK line and window edge: steps at the ACKs' arrival
      var steps = function (field, colour, cls) {
        var pts = [];
        acks.forEach(function (a, k) {
          if (k) pts.push(X(a.t) + "," + Y(acks[k - 1][field]));
          pts.push(X(a.t) + "," + Y(a[field]));
        });
        pts.push(X(Math.max(t1, acks[acks.length - 1].t)) + "," + Y(acks[acks.length - 1][field]));
        el("polyline", { points: pts.join(" "), stroke: colour, "stroke-width": 1.5, fill: "none",
                         "class": cls, "data-values": acks.map(function (a) { return a[field]; }).join(" ") }, g);
      };
      if (acks.length) {
        steps("edge", "#E69F00", "winline");
        steps("ack", "#009E73", "ackline");
        acks.forEach(function (a) {
          a.sack.forEach(function (b) {
            el("line", { x1: X(a.t), y1: Y(b[0]), x2: X(a.t), y2: Y(b[1]), stroke: "#CC79A7",
                         "stroke-width": 3, "class": "sackbar" }, g);
          });
        });
      }
      bars.forEach(function (b) {
        var x = X(b.t), ya = Y(b.lo), yb = Y(b.hi);
        el("path", { d: "M" + x + "," + ya + " V" + yb + " M" + (x - 3) + "," + ya + " h6 M" + (x - 3) + "," + yb + " h6",
                     stroke: b.again ? "#D55E00" : "#0072B2", "stroke-width": 1.5, fill: "none",
                     "class": "bar", "data-t": b.t }, g);
        if (b.lost) {
          el("path", { d: "M" + (x - 5) + "," + (yb - 5) + " l10,10 m0,-10 l-10,10", stroke: "#CC0000",
                       "stroke-width": 2 }, g);
        }
      });
    }
    svg.setAttribute("data-bars", bars.length);
    if (old) old.parentNode.replaceChild(svg, old);
    else document.getElementById("graph" + p).appendChild(svg);
  }
  function segtable(p) {
    var P = D.panes[p], C = P.conns[P.sel], tb = document.getElementById("segments" + p);
    var cols = ["#", "sent (ms)", "arrived (ms)", "dir", "flags", "seq", "ack", "len", "win",
                "options", "dropped / reason / event"];
    tb.textContent = "";
    var tr = html("tr", undefined, tb);
    cols.forEach(function (c) { html("th", c, tr); });
    C.segments.forEach(function (s, i) {
      var opts = [];
      ["mss", "wscale", "tsval", "tsecr"].forEach(function (k) {
        if (s[k] !== undefined) opts.push(k + "=" + s[k]);
      });
      if (s.sack) opts.push("sack=" + s.sack.map(function (b) { return b[0] + "-" + b[1]; }).join(","));
      var fate = s.dropped !== undefined ? "dropped " + ms(s.dropped) + (s.reason ? ": " + s.reason : "") : "";
      if (s.event !== undefined) fate += (fate ? "; " : "") + s.event;
      var cells = [i + 1, ms(s.sent), s.arrived !== undefined ? ms(s.arrived) : "", s.dir, s.flags,
                   s.seq, s.ack, s.len, s.win, opts.join(" "), fate];
      var row = html("tr", undefined, tb);
      row.id = "row" + p + "-" + i;
      if (s.dropped !== undefined) row.className = "dropped";
      cells.forEach(function (c) { html("td", c, row); });
      row.addEventListener("mouseenter", function () { highlight(p, i, true); });
      row.addEventListener("mouseleave", function () { highlight(p, i, false); });
    });
  }
  function conntable(p) {
    var P = D.panes[p], tb = document.getElementById("conns" + p);
    var tr = html("tr", undefined, tb);
    ["#", "client", "server", "first (ms)", "last (ms)", "segments"].forEach(function (c) { html("th", c, tr); });
    P.conns.forEach(function (C, k) {
      var row = html("tr", undefined, tb);
      row.id = "conn" + p + "-" + k;
      [C.index, C.client.node + " " + C.client.addr, C.server.node + " " + C.server.addr,
       ms(C.first), ms(C.last), C.segments.length].forEach(function (c) { html("td", c, row); });
      row.addEventListener("click", function () { select(p, k); });
    });
  }
  function select(p, k) {
    var P = D.panes[p], was = document.getElementById("conn" + p + "-" + P.sel);
    if (was) was.classList.remove("sel");
    P.sel = k;
    document.getElementById("conn" + p + "-" + k).classList.add("sel");
    segtable(p);
    ladder(p);
    graph(p);
    document.getElementById("text" + p).textContent = P.conns[k].text;
  }
  // A new zoom keeps the time at the middle of each ladder's view there.
  function redraw() {
    D.panes.forEach(function (P, p) {
      var wrap = document.getElementById("wrap" + p), mid = wrap.clientHeight / 2, t;
      if (P.y) t = P.y.inv(wrap.scrollTop + mid);
      ladder(p);
      if (t !== undefined) wrap.scrollTop = Math.max(0, P.y(t) - mid);
      graph(p);
    });
    document.getElementById("zoomlevel").textContent = "zoom " + zoom.toFixed(2) + "x";
  }
  function setzoom(z) {
    zoom = Math.max(0.05, Math.min(50, z));
    redraw();
  }
  // the graph follows its ladder's scrolling, once a frame
  var pending = {};
  function follow(p) {
    if (pending[p]) return;
    pending[p] = true;
    requestAnimationFrame(function () { pending[p] = false; graph(p); });
  }
  document.getElementById("zin").onclick = function () { setzoom(zoom * 1.5); };
  document.getElementById("zout").onclick = function () { setzoom(zoom / 1.5); };
  document.getElementById("zreset").onclick = function () { setzoom(1); };
  D.panes.forEach(function (P, p) {
    document.getElementById("wrap" + p).addEventListener("wheel", function (ev) {
      if (!ev.ctrlKey && !ev.shiftKey) return;  // plain wheel scrolls
      ev.preventDefault();
      setzoom(ev.deltaY < 0 ? zoom * 1.2 : zoom / 1.2);
    }, { passive: false });
    document.getElementById("wrap" + p).addEventListener("scroll", function () { follow(p); });
    // the wheel over the graph scrolls its ladder in time (or zooms both)
    document.getElementById("graph" + p).addEventListener("wheel", function (ev) {
      ev.preventDefault();
      if (ev.ctrlKey || ev.shiftKey) setzoom(ev.deltaY < 0 ? zoom * 1.2 : zoom / 1.2);
      else document.getElementById("wrap" + p).scrollTop += ev.deltaY;
    }, { passive: false });
    conntable(p);
    select(p, P.sel);
  });
  redraw();
  // "#zoom=Z" zooms, "#scroll=F" scrolls each ladder to F of its height
  // (tests use them)
  var m = /click=(\d+)\.(\d+)/.exec(location.hash);
  if (m) document.getElementById("conn" + m[1] + "-" + (m[2] - 1)).click();
  m = /zoom=([\d.]+)/.exec(location.hash);
  if (m) setzoom(Number(m[1]));
  m = /scroll=([\d.]+)/.exec(location.hash);
  if (m) {
    D.panes.forEach(function (P, p) {
      var wrap = document.getElementById("wrap" + p);
      wrap.scrollTop = Number(m[1]) * wrap.scrollHeight;
      graph(p);
    });
  }
  document.body.setAttribute("data-ready", "1");
})();
]]

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
    "<title>", html_text(title), "</title>\n<style>\n", CSS, "</style>\n</head>\n<body>\n",
    "<h1>", html_text(title), "</h1>\n",
    "<div id=\"bar\"><button id=\"zin\">zoom in</button><button id=\"zout\">zoom out</button>",
    "<button id=\"zreset\">reset</button> <span id=\"zoomlevel\"></span>",
    " (ctrl or shift + wheel over a ladder zooms; hover over a segment or a state; click a connection)</div>\n",
    "<div id=\"panes\">\n", table.concat(body), "</div>\n<div id=\"tip\"></div>\n",
    "<script type=\"application/json\" id=\"data\">", json(data), "</script>\n",
    "<script>\n", JS, "</script>\n</body>\n</html>\n",
  })
  local ok, err = pcall(require("synack").write_file, path, page)
  if not ok then fail("%s: %s", who, tostring(err)) end
  return { segments = #c1.segments, states = #c1.states, events = c1.events and #c1.events or nil,
           connections = #p1.conns }
end

return M
