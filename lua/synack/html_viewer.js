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
  // XL, XR: the lifelines (XR and the width W as the longest label
  // needs); ROW: the least height of a row of a stack of segments sent at
  // one instant
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
  // n rows at least (a row of its own for each arrow's tail), the rows
  // of that instant as tall as the layout asked (rowh), and extra space
  // the layout asked for before a time (extra).
  function ymap(C, rh, extra) {
    var times = [], rows = new Map(), arrive = new Set(), owd = Infinity;
    C.segments.forEach(function (s) {
      times.push(s.sent);
      rows.set(s.sent, (rows.get(s.sent) || 0) + 1);
      var end = s.arrived !== undefined ? s.arrived : s.dropped;
      if (end !== undefined) {
        times.push(end);
        // an arrow's head a row from the next time too: arrows one way
        // run a row apart end to end, as they left
        arrive.add(end);
      }
      if (s.arrived !== undefined && s.arrived > s.sent) owd = Math.min(owd, s.arrived - s.sent);
    });
    C.states.forEach(function (s) { times.push(s.t); });
    (C.events || []).forEach(function (e) { if (typeof e.t === "number") times.push(e.t); });
    times.sort(function (a, b) { return a - b; });
    if (owd === Infinity) owd = 0.01;
    var pps = 90 / owd * zoom, cap = GAP * zoom, knots = [], y = TOP, prev = null;
    var stack = function (t) { return Math.max(rows.get(t) || 0, arrive.has(t) ? 1 : 0) * rh(t); };
    times.forEach(function (t) {
      if (prev !== null && t > prev) y += Math.max(Math.min((t - prev) * pps, cap), stack(prev)) + (extra.get(t) || 0);
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
    f.owd = owd;
    f.bottom = y + (prev !== null ? stack(prev) : 0);
    return f;
  }
  // The font's metrics as the browser draws a label: a character's
  // width, the glyphs' extent above and below the baseline (its box).
  var FONT = null;
  function metrics() {
    if (FONT) return FONT;
    FONT = { cw: 7.2, asc: 9.6, desc: 2.4 };
    var svg = el("svg", { width: 10, height: 10, style: "position:absolute;visibility:hidden" }, document.body);
    var t = el("text", { x: 0, y: 0, "class": "seglabel" }, svg);
    t.textContent = "ACK seq=0123456789";
    try {
      var b = t.getBBox(), w = t.getComputedTextLength();
      if (w > 0 && b.height > 0) FONT = { cw: w / t.textContent.length, asc: -b.y, desc: b.y + b.height };
    } catch (e) { /* not drawn: the nominal metrics */ }
    svg.parentNode.removeChild(svg);
    return FONT;
  }
  // The arrows of a connection on a time scale: from the tail (x1, y1)
  // to the head (x2, y2); a lost segment's ends halfway in an X, one
  // still in flight halfway too; head: whether it has an arrowhead.
  function arrows(C, y, rh) {
    var stack = new Map(), out = [];
    C.segments.forEach(function (s, i) {
      var c2s = s.dir === "c>s", x1 = c2s ? XL : XR, x2 = c2s ? XR : XL, y2;
      var j = stack.get(s.sent) || 0, y1 = y(s.sent) + j * rh(s.sent), above = out[i - 1];
      stack.set(s.sent, j + 1);
      if (s.arrived !== undefined) {
        y2 = y(s.arrived);
      } else {
        // lost (an X on the way) or still in flight: it runs as a
        // delivered one would (parallel to the one above it in a stack,
        // whose label it must not cross) and stops a third to two thirds
        // of the way, as far as it went
        var frac = s.dropped !== undefined ? (s.dropped - s.sent) / y.owd : 0.5;
        frac = Math.max(0.33, Math.min(0.67, frac));
        var yd = y(s.sent + y.owd) + j * rh(s.sent);
        if (j && above && above.c2s === c2s && above.t === s.sent)
          yd = y1 + (above.y2 - above.y1) / (above.x2 - above.x1) * (x2 - x1);
        yd = Math.max(yd, y1 + 8);
        x2 = x1 + (x2 - x1) * frac;
        y2 = y1 + (yd - y1) * frac;
      }
      out.push({ i: i, c2s: c2s, t: s.sent, end: s.arrived !== undefined ? s.arrived : s.dropped, j: j,
                 x1: x1, y1: y1, x2: x2, y2: Math.max(y2, y1), head: s.arrived !== undefined });
    });
    return out;
  }
  // Each label along its arrow (turned to its slope, read left to right,
  // 3 px above it, from OFF after its tail), at the least distance from
  // the tail at which no other arrow passes through its box (its glyphs'
  // box, its halo and a pixel more), ending before the head (a lost
  // arrow's label may run past its X, along its line) and the far
  // lifeline.  In the arrow's frame (a along it from the tail, b across,
  // the glyphs rising negative) the box spans b0..b1, and each arrow
  // crossing that band over a0..a1 leaves room before a0 or after a1.
  // Sets a.off, a.ang and a.box (the corners); returns whether no place
  // was free (it then stays at OFF).
  var OFF = 8, MG = 2.5, RAISE = 3;
  function place(a, all, byTop, reach, F) {
    var dx = a.x2 - a.x1, dy = a.y2 - a.y1, len = Math.max(1, Math.hypot(dx, dy));
    var ex = dx / len, ey = dy / len, nx = a.c2s ? -ey : ey, ny = a.c2s ? ex : -ex;
    var w = F.cw * a.n, h = F.asc + F.desc + 2 * MG;
    var far = Math.abs(ex) > 1e-9 ? (XR - XL) / Math.abs(ex) : Infinity;
    var end = Math.min(a.head ? len - 10 : Infinity, far - 8);
    // the arrows near it: those near its line as far as its label may
    // run (past a lost arrow's X)
    var yEnd = a.y1 + ey * Math.max(len, isFinite(end) ? end : len);
    var top = Math.min(a.y1, yEnd) - h - RAISE - 2, bottom = Math.max(a.y1, yEnd) + h + RAISE + 2;
    var near = [], lo = 0, hi = byTop.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (byTop[mid].top < top - reach) lo = mid + 1; else hi = mid;
    }
    for (var k = lo; k < byTop.length && byTop[k].top <= bottom; k++) {
      var o = byTop[k].a;
      if (o === a || byTop[k].bottom < top) continue;
      near.push([(o.x1 - a.x1) * ex + (o.y1 - a.y1) * ey, (o.x1 - a.x1) * nx + (o.y1 - a.y1) * ny,
                 (o.x2 - a.x1) * ex + (o.y2 - a.y1) * ey, (o.x2 - a.x1) * nx + (o.y2 - a.y1) * ny, o]);
    }
    // the first free place with the label above its arrow (b0..b1, the
    // baseline RAISE above it), else below it
    var free = function (b0, b1) {
      var gaps = [];
      near.forEach(function (q) {
        var t0 = 0, t1 = 1;
        if (Math.abs(q[3] - q[1]) < 1e-9) {
          if (q[1] <= b0 || q[1] >= b1) return;
        } else {
          var u = (b0 - q[1]) / (q[3] - q[1]), v = (b1 - q[1]) / (q[3] - q[1]);
          t0 = Math.max(0, Math.min(u, v));
          t1 = Math.min(1, Math.max(u, v));
          if (t0 >= t1) return;
        }
        var g0 = q[0] + (q[2] - q[0]) * t0, g1 = q[0] + (q[2] - q[0]) * t1;
        gaps.push([Math.min(g0, g1), Math.max(g0, g1), q[4]]);
      });
      gaps.sort(function (p, q) { return p[0] - q[0] || p[2].i - q[2].i; });
      for (var i = 0; i <= gaps.length; i++) {
        var at = i ? gaps[i - 1][1] + MG + 0.5 : OFF, inside = false;
        if (at < OFF || at + w > end - MG) continue;
        for (var j = 0; j < gaps.length && !inside; j++)
          inside = gaps[j][0] < at + w + MG && gaps[j][1] > at - MG;
        if (!inside) return { off: at };
      }
      // the arrow that crosses the label at its first place
      for (var c = 0; c < gaps.length; c++)
        if (gaps[c][1] > OFF - MG && gaps[c][0] < OFF + w + MG) return { blame: gaps[c][2] };
      return { blame: a };
    };
    var b0 = -RAISE - F.asc - MG, got = free(b0, b0 + h), base = -RAISE;
    if (got.off === undefined) {
      var under = free(RAISE, RAISE + h);
      if (under.off !== undefined) { got = under; b0 = RAISE; base = RAISE + MG + F.asc; }
    }
    a.off = got.off !== undefined ? got.off : OFF;
    a.base = base;
    a.px = a.x1 + ex * a.off;
    a.py = a.y1 + ey * a.off;
    a.ang = Math.atan2(a.c2s ? dy : -dy, a.c2s ? dx : -dx) * 180 / Math.PI;
    // the box: along the text from the anchor (its start, or its end
    // when read against the arrow), across it from b0 (up) to b0 + h
    var tx = a.c2s ? ex : -ex, ty = a.c2s ? ey : -ey, sx = a.c2s ? 0 : -w, lx0 = sx - MG, lx1 = sx + w + MG;
    a.box = [[lx0, b0], [lx1, b0], [lx1, b0 + h], [lx0, b0 + h]].map(function (c) {
      return [a.px + c[0] * tx - c[1] * ty, a.py + c[0] * ty + c[1] * tx];
    });
    return got.blame || null;
  }
  // Two convex polygons overlap unless an edge's normal separates them.
  function overlap(p, q) {
    return [p, q].every(function (poly) {
      return poly.every(function (c, i) {
        var d = poly[(i + 1) % poly.length], ax = d[1] - c[1], ay = c[0] - d[0];
        var pm = Infinity, pM = -Infinity, qm = Infinity, qM = -Infinity;
        p.forEach(function (v) { var z = v[0] * ax + v[1] * ay; pm = Math.min(pm, z); pM = Math.max(pM, z); });
        q.forEach(function (v) { var z = v[0] * ax + v[1] * ay; qm = Math.min(qm, z); qM = Math.max(qM, z); });
        return !(pM <= qm || qM <= pm);
      });
    });
  }
  // The time scale and each label's place.  Where a label has no free
  // place along its arrow, or two labels' boxes meet, the scale grows:
  // the rows of stacks of segments sent at one instant, or the space
  // before one of the times the arrows in question leave or arrive, two
  // pixels a pass, whichever leaves the fewest such labels (the least
  // height of those; where none helps, the later arrow moves down),
  // until every label is free, PASSES passes or WORK labels placed in
  // all: bursts get the room their labels need.  A connection of more
  // than SEARCH segments does not grow: in a bulk transfer the ACKs
  // cross each data segment's arrow wherever it is drawn (which arrows
  // cross does not depend on the scale), growth there buys few labels
  // for a ladder several times taller and slower to draw.  The labels
  // still crossed or meeting another are then left out (elide) and
  // counted above the ladder; zooming in gives more of them room.
  // Deterministic: the same recording, the same drawing.
  var PASSES = 200, WORK = 1e5, SEARCH = 300;
  function attempt(C, n, F, rows, extra) {
    var rh = function (t) { return rows.at.get(t) || rows.base; };
    var y = ymap(C, rh, extra), as = arrows(C, y, rh), bad = [], taller = false;
    var byTop = as.map(function (a) {
      a.n = n[a.i];
      return { a: a, top: Math.min(a.y1, a.y2), bottom: Math.max(a.y1, a.y2) };
    }).sort(function (p, q) { return p.top - q.top || p.a.i - q.a.i; });
    var reach = 0;
    byTop.forEach(function (b) { reach = Math.max(reach, b.bottom - b.top); });
    as.forEach(function (a) {
      var o = place(a, as, byTop, reach, F);
      a.crossed = !!o;
      if (o) bad.push([a, o]);
    });
    // the labels' boxes by their top: each against those below it that
    // start above its bottom
    var spans = as.map(function (a) {
      var ys = a.box.map(function (c) { return c[1]; });
      return { a: a, top: Math.min.apply(null, ys), bottom: Math.max.apply(null, ys) };
    }).sort(function (p, q) { return p.top - q.top || p.a.i - q.a.i; });
    for (var u = 0; u < spans.length; u++) {
      for (var v = u + 1; v < spans.length && spans[v].top < spans[u].bottom; v++) {
        var p = spans[u].a, q = spans[v].a;
        if (overlap(p.box, q.box)) bad.push(p.i < q.i ? [q, p] : [p, q]);
      }
    }
    return { y: y, arrows: as, bad: bad };
  }
  function layout(C) {
    var F = metrics(), extra = new Map(), n = C.segments.map(function (s) { return label(s).length; });
    // zoomed in, the rows of a stack grow with the scale: the arrows
    // further apart, room for the labels the growth could not make
    var row = { base: Math.max(ROW, Math.ceil(F.asc + F.desc + 2 * MG + 4)) * Math.max(1, zoom), at: new Map() };
    var ends = new Map();
    C.segments.forEach(function (s) {
      var e = s.arrived !== undefined ? s.arrived : s.dropped;
      if (!ends.has(s.sent)) ends.set(s.sent, []);
      if (e !== undefined) ends.get(s.sent).push(e);
    });
    // labels at most two fifths of the way between the lifelines: room
    // for one on either side of an arrow crossing its arrow halfway
    XR = XL + Math.max(460, Math.ceil(2.5 * F.cw * Math.max.apply(null, n.concat([0])) + 30));
    W = XR + 200;
    var cur = attempt(C, n, F, row, extra), pass, work = n.length;
    // a bound on the work (in labels placed) as well as on the passes,
    // so that a long connection is drawn in a few seconds however
    // crowded
    for (pass = 0; cur.bad.length && n.length <= SEARCH && pass < PASSES && work < WORK; pass++) {
      // the first label in question: the times that may give it room
      var a = cur.bad[0][0], o = cur.bad[0][1], ts = [a.t, o.t];
      [a, o].forEach(function (x) { if (x.end !== undefined) ts.push(x.end); });
      var best = null, later = null;
      ts.sort(function (p, q) { return p - q; }).filter(function (t, k) { return !k || t !== ts[k - 1]; })
        .concat([null]).forEach(function (t) {
        var r = row, e = extra;
        if (t === null) {
          // the rows of a's stack, and those of their arrivals, which
          // keep its arrows parallel
          r = { base: row.base, at: new Map(row.at) };
          [a.t].concat(ends.get(a.t)).forEach(function (u) { r.at.set(u, (row.at.get(u) || row.base) + 2); });
        } else {
          e = new Map(extra);
          e.set(t, (e.get(t) || 0) + 2);
        }
        var c = { row: r, extra: e }, pick = a.t === o.t ? t === null : t === Math.max(a.t, o.t);
        var got = c.got = attempt(C, n, F, r, e);
        work += n.length;
        if (!best || got.bad.length < best.got.bad.length ||
            (got.bad.length === best.got.bad.length && got.y.bottom < best.got.y.bottom))
          best = c;
        if (pick) later = c;
      });
      // none helps yet: the later of the two moves down (in a stack,
      // its rows grow)
      if (best.got.bad.length >= cur.bad.length && later) best = later;
      cur = best.got;
      row = best.row;
      extra = best.extra;
    }
    return { y: cur.y, arrows: cur.arrows, hidden: elide(cur.arrows) };
  }
  // What the growth left: a label crossed by another arrow is not drawn,
  // nor one whose box meets that of an earlier segment's drawn label;
  // its arrow stays, and hovering shows its fields.  Marks a.hidden;
  // returns how many.
  function elide(as) {
    var spans = [], earlier = new Map(), hidden = 0;
    as.forEach(function (a) {
      a.hidden = a.crossed;
      if (a.crossed) return;
      var ys = a.box.map(function (c) { return c[1]; });
      spans.push({ a: a, top: Math.min.apply(null, ys), bottom: Math.max.apply(null, ys) });
    });
    spans.sort(function (p, q) { return p.top - q.top || p.a.i - q.a.i; });
    for (var u = 0; u < spans.length; u++) {
      for (var v = u + 1; v < spans.length && spans[v].top < spans[u].bottom; v++) {
        var p = spans[u].a, q = spans[v].a;
        if (!overlap(p.box, q.box)) continue;
        if (p.i > q.i) { var x = p; p = q; q = x; }
        if (!earlier.has(q.i)) earlier.set(q.i, []);
        earlier.get(q.i).push(p);
      }
    }
    as.forEach(function (a) {
      if (!a.hidden && earlier.has(a.i))
        a.hidden = earlier.get(a.i).some(function (o) { return !o.hidden; });
      if (a.hidden) hidden++;
    });
    return hidden;
  }
  function ladder(p) {
    var P = D.panes[p], C = P.conns[P.sel], L = layout(C), y = L.y, old = document.getElementById("ladder" + p);
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
    var drawn = 0;
    C.segments.forEach(function (s, i) {
      var a = L.arrows[i], cls = a.c2s ? "c2s" : "s2c", x1 = a.x1, y1 = a.y1, x2 = a.x2, y2 = a.y2;
      var g = el("g", {}, svg);
      el("line", { x1: x1, y1: y1, x2: x2, y2: y2, "class": "hit" }, g);
      var lost = s.dropped !== undefined ? " lost" : "";
      var line = el("line", { id: "seg" + p + "-" + i, x1: x1, y1: y1, x2: x2, y2: y2, "data-i": i,
                              "class": "arrow " + cls + lost }, g);
      if (a.head) line.setAttribute("marker-end", "url(#head" + p + cls + ")");
      if (lost) {
        el("path", { d: "M" + (x2 - 5) + "," + (y2 - 5) + " l10,10 m0,-10 l-10,10",
                     stroke: "#c00", "stroke-width": 2 }, g);
      }
      // the label along its arrow, where the layout put it (none where
      // it would be crossed or meet another: hovering shows the fields)
      if (a.hidden) line.classList.add("nolabel");
      var t = a.hidden ? null : el("text", { x: a.px, y: a.py + a.base, "text-anchor": a.c2s ? "start" : "end",
                           transform: "rotate(" + a.ang + " " + a.px + " " + a.py + ")",
                           "class": "seglabel " + cls + lost, "data-i": i }, g);
      if (t) t.textContent = label(s);
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
    svg.setAttribute("data-hidden", L.hidden);
    P.arrows = L.arrows;
    P.hidden = L.hidden;
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
    var GW = 860, GH = 320, L = 90, R = 20, T = 30, B = 40;
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
    elided(p, vtop, vbottom);
  }
  // Above the ladder: how many labels are not drawn, and how many of
  // those in the view (vtop..vbottom; none when the page is not laid out)
  function elided(p, vtop, vbottom) {
    var P = D.panes[p], wrap = document.getElementById("wrap" + p), e = document.getElementById("elided" + p);
    if (!e) {
      e = html("div");
      e.id = "elided" + p;
      e.className = "elided";
      wrap.parentNode.insertBefore(e, wrap);
    }
    var n = P.hidden || 0, inview = 0;
    (P.arrows || []).forEach(function (a) {
      if (a.hidden && Math.max(a.y1, a.y2) >= vtop && Math.min(a.y1, a.y2) <= vbottom) inview++;
    });
    e.setAttribute("data-hidden", n);
    e.setAttribute("data-inview", inview);
    e.textContent = n ? n + (n === 1 ? " label" : " labels") + " hidden where arrows cross (" + inview +
                    " in this view): zoom in or hover an arrow" : "";
    e.style.display = n ? "" : "none";
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
  document.getElementById("zoomlevel").textContent = "zoom " + zoom.toFixed(2) + "x";
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
