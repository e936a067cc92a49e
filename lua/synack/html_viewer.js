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
  // Each label along its row, from its arrow's tail, to the first place
  // no other arrow crosses its box (12 px monospace: a character 7.2 px
  // wide, 9.6 px above the baseline and 2.4 below, with its halo and a
  // pixel more), between the lifelines; labels are a row apart, so moving
  // one along its row never brings it onto another.  Where every place is
  // crossed, it stays at the tail.
  function place(labels, arrows) {
    var M = 2.5;
    labels.forEach(function (l) {
      var b0 = l.y - 9.6 - M, b1 = l.y + 2.4 + M, cross = [];
      arrows.forEach(function (a) {
        if (a.i === l.i || Math.max(a.y1, a.y2) < b0 || Math.min(a.y1, a.y2) > b1) return;
        var xa = Math.min(a.x1, a.x2), xb = Math.max(a.x1, a.x2);
        if (a.y2 !== a.y1) {
          var u = (b0 - a.y1) / (a.y2 - a.y1), v = (b1 - a.y1) / (a.y2 - a.y1);
          var t0 = Math.max(0, Math.min(u, v)), t1 = Math.min(1, Math.max(u, v));
          if (t0 >= t1) return;
          xa = a.x1 + (a.x2 - a.x1) * t0;
          xb = a.x1 + (a.x2 - a.x1) * t1;
          if (xa > xb) { var z = xa; xa = xb; xb = z; }
        }
        cross.push([xa - M, xb + M]);
      });
      // the label's span from a start (left to right) or an end
      var free = function (lo, hi) {
        return cross.every(function (c) { return c[1] <= lo || c[0] >= hi; });
      };
      var best = null;
      if (l.c2s) {
        [l.x].concat(cross.map(function (c) { return c[1]; })).forEach(function (s) {
          if (s >= l.x && s + l.w <= XR - 8 && free(s, s + l.w) && (best === null || s < best)) best = s;
        });
      } else {
        [l.x].concat(cross.map(function (c) { return c[0]; })).forEach(function (e) {
          if (e <= l.x && e - l.w >= XL + 8 && free(e - l.w, e) && (best === null || e > best)) best = e;
        });
      }
      if (best !== null) l.el.setAttribute("x", best);
    });
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
    var drawn = 0, stack = new Map(), arrows = [], labels = [];
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
      arrows.push({ i: i, x1: x1, y1: y1, x2: x2, y2: y2 });
      if (lost) {
        el("path", { d: "M" + (x2 - 5) + "," + (y2 - 5) + " l10,10 m0,-10 l-10,10",
                     stroke: "#c00", "stroke-width": 2 }, g);
      }
      // the label at the arrow's tail, in its own row
      var t = el("text", { x: c2s ? x1 + 8 : x1 - 8, y: y1 - 3, "text-anchor": c2s ? "start" : "end",
                           "class": "seglabel " + cls + lost, "data-i": i }, g);
      t.textContent = label(s);
      labels.push({ i: i, el: t, c2s: c2s, x: c2s ? x1 + 8 : x1 - 8, y: y1 - 3, w: 7.2 * t.textContent.length });
      g.addEventListener("mousemove", function (ev) {
        show(ev, "segment " + (i + 1) + "\n" + fields(s));
      });
      g.addEventListener("mouseenter", function () { highlight(p, i, true); });
      g.addEventListener("mouseleave", function () { highlight(p, i, false); hide(); });
      drawn++;
    });
    place(labels, arrows);
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
