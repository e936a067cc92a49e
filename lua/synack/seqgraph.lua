-- Time-sequence graphs (Stevens' graph, as tcptrace and Wireshark draw
-- it) of a recorded connection, as SVG:
--
--   rec:seqgraph("out/seq.svg", {connection = conn, side = "client",
--                                from = 0, to = "2s", title = "..."})
--
-- Seen from one side, the sender of the data (`side`, "client" by
-- default): each segment it sent is a vertical bar at its send time from
-- its first to its last sequence number (SYN and FIN count one), blue when
-- new data, orange when it resends sequence numbers already sent, with a
-- red X at its top when the network dropped it.  The other side's ACKs,
-- at the time they reached the sender, draw the ACK line (green, a step)
-- and the right edge of the window they offered (ACK + window, scaled as
-- negotiated; yellow), and each SACK block is a purple bar at that time
-- from its left to its right edge.  Sequence numbers are relative to the
-- sender's ISN (`relative = false`: absolute, unwrapped past 2^32).
-- Returns the counts drawn: {segments, retransmissions, lost, acks, sacks}.
local csv = require "synack.csv"
local plot = require "synack.plot"

local M = {}
local fail = csv.fail

local BLUE, ORANGE, RED, GREEN, YELLOW, PURPLE =
  "#0072B2", "#D55E00", "#CC0000", "#009E73", "#E69F00", "#CC79A7"
local KNOWN = { connection = true, side = true, from = true, to = true, title = true,
                relative = true, window = true }

-- Unwraps 32-bit sequence numbers that move by less than 2^31 between
-- calls into a line of integers starting at isn.
local function unwrapper(isn)
  local raw, val = isn, isn
  return function(v)
    local d = (v - raw + (1 << 31)) % (1 << 32) - (1 << 31)
    raw, val = v, val + d
    return val
  end
end

local function seconds(synack, who, v, name)
  if v == nil then return nil end
  local ok, ns = pcall(synack.duration, v)
  if not ok then fail("%s: option '%s': %s", who, name, tostring(ns):gsub("^[^:]*:%d+: ", "")) end
  return ns / 1e9
end

function M.write(rec, path, opts)
  local who = "seqgraph"
  local synack = require "synack"
  if type(path) ~= "string" then fail("%s: the path must be a string, got a %s", who, type(path)) end
  if opts ~= nil and type(opts) ~= "table" then fail("%s: options must be a table, got a %s", who, type(opts)) end
  opts = opts or {}
  for k in pairs(opts) do
    if not KNOWN[k] then fail("%s: unknown option '%s'", who, tostring(k)) end
  end
  local side = opts.side or "client"
  if side ~= "client" and side ~= "server" then
    fail("%s: option 'side': \"client\" or \"server\", got %s", who, tostring(side))
  end
  local from, to = seconds(synack, who, opts.from, "from"), seconds(synack, who, opts.to, "to")
  if from and to and to < from then fail("%s: the window ends (to) before it starts (from)", who) end
  local ok, segs = pcall(rec.segments, rec, opts.connection and { connection = opts.connection } or nil)
  if not ok then fail("%s", (tostring(segs):gsub("^[^:]*:%d+: ", ""):gsub("^segments:", who .. ":"))) end
  local mine = side == "client" and "c>s" or "s>c"

  -- The sender's ISN and the window scale the receiver's window uses.
  local isn, ws_mine, ws_peer
  for _, s in ipairs(segs) do
    if s.flags:find("SYN", 1, true) then
      if s.dir == mine then
        isn = isn or s.seq
        ws_mine = ws_mine or s.wscale or false
      else
        ws_peer = ws_peer or s.wscale or false
      end
    end
  end
  if not isn then
    for _, s in ipairs(segs) do
      if s.dir == mine then isn = s.seq; break end
    end
  end
  if not isn then fail("%s: the %s sent nothing in this connection", who, side) end
  local shift = (ws_mine and ws_peer) and ws_peer or 0
  local base = opts.relative == false and isn or 0
  local function inside(t) return (not from or t >= from) and (not to or t <= to) end

  -- What to draw, in sequence space.
  local data, acks = {}, {}
  local seq_of, high = unwrapper(isn), nil
  for _, s in ipairs(segs) do
    if s.dir == mine then
      local lo = seq_of(s.seq) - isn
      local n = s.len + (s.flags:find("SYN", 1, true) and 1 or 0) + (s.flags:find("FIN", 1, true) and 1 or 0)
      if n > 0 then
        local again = high ~= nil and lo < high
        high = math.max(high or lo + n, lo + n)
        if inside(s.sent) then
          data[#data + 1] = { t = s.sent, lo = lo, hi = lo + n, again = again, lost = s.dropped ~= nil }
        end
      end
    end
  end
  local ack_of = unwrapper(isn)
  local peer = {}
  for _, s in ipairs(segs) do
    if s.dir ~= mine and s.arrived and s.flags:find("ACK", 1, true) then peer[#peer + 1] = s end
  end
  table.sort(peer, function(a, b) return a.arrived < b.arrived end)
  for _, s in ipairs(peer) do
    local a = ack_of(s.ack) - isn
    local win = s.flags:find("SYN", 1, true) and s.win or s.win << shift
    local sack = {}
    for k, b in ipairs(s.sack or {}) do
      local l = a + ((b[1] - s.ack + (1 << 31)) % (1 << 32) - (1 << 31))
      sack[k] = { l, l + ((b[2] - b[1]) % (1 << 32)) }
    end
    if inside(s.arrived) then acks[#acks + 1] = { t = s.arrived, ack = a, edge = a + win, sack = sack } end
  end
  if #data == 0 and #acks == 0 then fail("%s: nothing of the %s's data in this time window", who, side) end

  -- Ranges: the window's time, and the sequence numbers of the data, ACKs
  -- and SACK blocks (a receive window far above them would flatten the
  -- graph: its line leaves the top instead).
  local tmin, tmax, ymin, ymax = math.huge, -math.huge, math.huge, -math.huge
  for _, d in ipairs(data) do
    tmin, tmax, ymin, ymax = math.min(tmin, d.t), math.max(tmax, d.t), math.min(ymin, d.lo), math.max(ymax, d.hi)
  end
  for _, a in ipairs(acks) do
    tmin, tmax = math.min(tmin, a.t), math.max(tmax, a.t)
    ymin, ymax = math.min(ymin, a.ack), math.max(ymax, a.ack)
    for _, b in ipairs(a.sack) do ymin, ymax = math.min(ymin, b[1]), math.max(ymax, b[2]) end
  end
  tmin, tmax = from or tmin, to or tmax
  local title = opts.title or string.format("%s's sequence numbers", side)
  local add, X, Y, finish, num = plot.canvas(who, { title = title, xlabel = "time (s)", ysi = true,
    ylabel = opts.relative == false and "sequence number" or "sequence number (relative)" },
    tmin, tmax, base + ymin, base + ymax)

  local counts = { segments = #data, retransmissions = 0, lost = 0, acks = #acks, sacks = 0 }
  -- the ACK line and the window's right edge, as steps
  local function steps(field, colour)
    if #acks == 0 then return end
    local pts = {}
    for k, a in ipairs(acks) do
      if k > 1 then pts[#pts + 1] = num(X(a.t)) .. "," .. num(Y(base + acks[k - 1][field])) end
      pts[#pts + 1] = num(X(a.t)) .. "," .. num(Y(base + a[field]))
    end
    pts[#pts + 1] = num(X(tmax)) .. "," .. num(Y(base + acks[#acks][field]))
    add('<polyline points="%s" stroke="%s" stroke-width="1.5"/>', table.concat(pts, " "), colour)
  end
  if opts.window ~= false then steps("edge", YELLOW) end
  steps("ack", GREEN)
  for _, a in ipairs(acks) do
    for _, b in ipairs(a.sack) do
      counts.sacks = counts.sacks + 1
      add('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3"/>', num(X(a.t)), num(Y(base + b[1])),
          num(X(a.t)), num(Y(base + b[2])), PURPLE)
    end
  end
  for _, d in ipairs(data) do
    local x, y0, y1 = X(d.t), Y(base + d.lo), Y(base + d.hi)
    local colour = d.again and ORANGE or BLUE
    if d.again then counts.retransmissions = counts.retransmissions + 1 end
    add('<path d="M%s,%s V%s M%s,%s H%s M%s,%s H%s" stroke="%s" stroke-width="1.5"/>', num(x), num(y0), num(y1),
        num(x - 3), num(y0), num(x + 3), num(x - 3), num(y1), num(x + 3), colour)
    if d.lost then
      counts.lost = counts.lost + 1
      add('<path d="M%s,%s L%s,%s M%s,%s L%s,%s" stroke="%s" stroke-width="2"/>', num(x - 5), num(y1 - 5),
          num(x + 5), num(y1 + 5), num(x - 5), num(y1 + 5), num(x + 5), num(y1 - 5), RED)
    end
  end
  local legend = { { name = "data", colour = BLUE }, { name = "resent", colour = ORANGE },
                   { name = "lost", colour = RED }, { name = "ACK", colour = GREEN } }
  if opts.window ~= false then legend[#legend + 1] = { name = "window", colour = YELLOW } end
  legend[#legend + 1] = { name = "SACK", colour = PURPLE }
  csv.replace_file(path, finish(legend), who)
  return counts
end

return M
