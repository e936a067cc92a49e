-- Topology builders: each creates its nodes and links on a simulator and
-- returns them.  Link options are the options of sim:duplex_link (rate,
-- delay, mtu, queue, loss, ab, ba); every link of a role gets its own copy
-- of the plugins they name.
--
--   local topo = require "synack.topo"
--   local t = topo.chain(sim, 4, {rate = "10Mbps", delay = "5ms"})
--   -- t.nodes[1] .. t.nodes[4], t.links[1] .. t.links[3]
local M = {}

local function check_count(fname, what, n, min)
  if math.type(n) ~= "integer" or n < min then
    error(("topo.%s: %s must be an integer of at least %d, got %s"):format(fname, what, min, tostring(n)), 3)
  end
end

local function check_opts(fname, what, o)
  if type(o) ~= "table" then
    error(("topo.%s: %s must be a table of link options, got %s"):format(fname, what, type(o)), 3)
  end
end

-- n nodes in a line: prefix1 - prefix2 - ... - prefixN.
-- Returns {nodes = {...}, links = {...}}; links[i] joins nodes[i] and nodes[i+1].
function M.chain(sim, n, opts, prefix)
  check_count("chain", "the node count", n, 2)
  check_opts("chain", "opts", opts)
  prefix = prefix or "n"
  local t = { nodes = {}, links = {} }
  for i = 1, n do
    t.nodes[i] = sim:node(prefix .. i)
    if i > 1 then t.links[i - 1] = sim:duplex_link(t.nodes[i - 1], t.nodes[i], opts) end
  end
  return t
end

-- A hub and n leaves.  Returns {hub = node, leaves = {...}, links = {...}};
-- links[i] joins the hub (side a) and leaves[i] (side b).
function M.star(sim, n, opts, prefix)
  check_count("star", "the leaf count", n, 1)
  check_opts("star", "opts", opts)
  prefix = prefix or "leaf"
  local t = { hub = sim:node("hub"), leaves = {}, links = {} }
  for i = 1, n do
    t.leaves[i] = sim:node(prefix .. i)
    t.links[i] = sim:duplex_link(t.hub, t.leaves[i], opts)
  end
  return t
end

-- n senders and n receivers joined by one bottleneck between two routers:
--   left_i - router_l == bottleneck == router_r - right_i
-- opts = {access = {...link options...}, bottleneck = {...}}.
-- Returns {left = {...}, right = {...}, routers = {l, r},
--          bottleneck = link, left_links = {...}, right_links = {...}}.
function M.dumbbell(sim, n, opts)
  check_count("dumbbell", "the pair count", n, 1)
  check_opts("dumbbell", "opts", opts)
  check_opts("dumbbell", "opts.access", opts.access)
  check_opts("dumbbell", "opts.bottleneck", opts.bottleneck)
  local t = { left = {}, right = {}, left_links = {}, right_links = {} }
  local rl, rr = sim:node("router_l"), sim:node("router_r")
  t.routers = { rl, rr }
  t.bottleneck = sim:duplex_link(rl, rr, opts.bottleneck)
  for i = 1, n do
    t.left[i] = sim:node("left" .. i)
    t.right[i] = sim:node("right" .. i)
    t.left_links[i] = sim:duplex_link(t.left[i], rl, opts.access)
    t.right_links[i] = sim:duplex_link(rr, t.right[i], opts.access)
  end
  return t
end

return M
