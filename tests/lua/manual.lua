-- doc/synack-lua.3 against the API the binding really exposes: every key
-- of the synack table and of its submodules, and every method of every
-- class the binding registers, must have an entry on the page (and every
-- entry must name something that exists); the page must format without a
-- groff warning; its EXAMPLES must run.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check = T.check

local srcdir = os.getenv("SYNACK_SRCDIR") or "."
local page = srcdir .. "/doc/synack-lua.3"
local f = assert(io.open(page))
local text = f:read("a")
f:close()

-- ------------------------------------------------------------ the entries

-- roff to plain text: fonts, quotes, the escapes the page uses
local function plain(s)
  return (s:gsub("\\f[BIRP]", ""):gsub("\\%-", "-"):gsub("\\e", "\\")
    :gsub("\\%(dq", '"'):gsub("\\%(mu", "*"):gsub("\\ ", " "):gsub("\\&", ""))
end

-- An entry is the tag line after .TP; it names "prefix:method" or
-- "prefix.field" (several for a shared entry).
local documented = {}
do
  local after_tp = false
  for line in text:gmatch("[^\n]*") do
    if after_tp then
      for a, sep, b in plain(line):gmatch("([%a_][%w_]*)([:.])([%a_][%w_]*)") do
        documented[a .. sep .. b] = true
      end
      -- "#series": the length operator
      if plain(line):find("#series", 1, true) then documented["series:__len"] = true end
    end
    after_tp = line == ".TP"
  end
end

local missing, stale = {}, {}
local function want(name)
  if not documented[name] then missing[#missing + 1] = name end
end

-- ------------------------------------------------------------ the module

-- Loaded on first use by synack's __index (lua/lstats.c, module_index):
-- touch them so that pairs() sees them.
local LAZY = { "csv", "plot", "models" }
for _, k in ipairs(LAZY) do check(type(synack[k]) == "table", "synack.%s is not a module", k) end
for k in pairs(synack) do want("synack." .. k) end

-- The submodules a script requires; the internal ones (named on the page
-- as not an interface) are left out.
local SUBMODULES = { "topo", "csv", "plot", "models", "packetdrill", "conformance" }
for _, m in ipairs(SUBMODULES) do
  for k, v in pairs(require("synack." .. m)) do
    if type(v) == "function" then want(m .. "." .. k) end
  end
end

-- ------------------------------------------------------------ the objects

-- One object of each kind, in a small simulation.
local sim = synack.simulator{seed = 3}
local rec = sim:record()
local a, b = sim:node("a"), sim:node("b")
local link = sim:duplex_link(a, b, {rate = "10Mbps", delay = "1ms"})
local listener = b:tcp():listen(80, function() end)
local conn = a:tcp():connect(b, 80)
local app = b:app{"sink", port = 9}
local objects = {
  sim = sim, handle = sim:at(0.5, function() end), rng = sim:rng("manual"),
  node = a, link = link, ep = a:tcp(), listener = listener, conn = conn,
  app = app, rec = rec, series = synack.series("s"),
}
sim:run{stop = 0.1}
check(conn.state == "ESTABLISHED", "the connection is %s", conn.state)

-- The class of each object, by the registry name of its metatable.  A tun
-- needs a TUN device: its class is enumerated from the registry alone.
local CLASSES = {
  ["synack.sim"] = "sim", ["synack.event"] = "handle", ["synack.rng"] = "rng",
  ["synack.node"] = "node", ["synack.link"] = "link", ["synack.tun"] = "tun",
  ["synack.tcp"] = "ep", ["synack.listener"] = "listener", ["synack.conn"] = "conn",
  ["synack.app"] = "app", ["synack.record"] = "rec", ["synack.series"] = "series",
}
-- Fields that a C __index answers besides the methods (lua/ltcp.c
-- conn_index, lua/lstats.c series_index).
local FIELDS = { conn = { "state", "stats", "error", "send_space" }, series = { "name" } }

local reg = debug.getregistry()
for name, kind in pairs(CLASSES) do
  check(type(reg[name]) == "table", "no class %s is registered", name)
  if objects[kind] then
    check(getmetatable(objects[kind]) == reg[name], "%s is not a %s", kind, name)
  end
end

-- The methods of a class: its __index table, or the table a C __index
-- closure looks methods up in (its first upvalue).
local function methods(mt)
  local idx = mt.__index
  if type(idx) == "function" then
    local _, up = debug.getupvalue(idx, 1)
    idx = up
  end
  check(type(idx) == "table", "a class whose methods cannot be listed")
  return idx
end

local exists = {}
for name, mt in pairs(reg) do
  if type(name) == "string" and name:find("^synack%.") and type(mt) == "table" and mt.__index then
    local kind = CLASSES[name]
    if not kind then
      missing[#missing + 1] = "the class " .. name .. " (not known to this test: add it and its section)"
    else
      for m in pairs(methods(mt)) do
        want(kind .. ":" .. m)
        exists[kind .. ":" .. m] = true
      end
      for _, fld in ipairs(FIELDS[kind] or {}) do
        want(kind .. "." .. fld)
        exists[kind .. "." .. fld] = true
      end
      if mt.__len then want(kind .. ":__len") exists[kind .. ":__len"] = true end
    end
  end
end

-- Every entry names something real.
local PREFIX = {}
for _, kind in pairs(CLASSES) do PREFIX[kind] = "object" end
for _, m in ipairs(SUBMODULES) do PREFIX[m] = "module" end
PREFIX.synack = "module"
for name in pairs(documented) do
  local p, sep, k = name:match("^(.-)([:.])(.*)$")
  if PREFIX[p] == "object" then
    if not exists[name] then stale[#stale + 1] = name end
  elseif PREFIX[p] == "module" then
    local t = p == "synack" and synack or require("synack." .. p)
    if t[k] == nil then stale[#stale + 1] = name end
  end
end

table.sort(missing)
table.sort(stale)
check(#missing == 0, "%s has no entry for: %s", page, table.concat(missing, ", "))
check(#stale == 0, "%s documents what does not exist: %s", page, table.concat(stale, ", "))
sim:close()

-- ------------------------------------------------------------ groff

local g = io.popen("command -v groff >/dev/null 2>&1 && groff -man -ww -z '" .. page .. "' 2>&1 && echo OK")
local out = g:read("a")
g:close()
if out == "" then
  print("groff not installed: the formatting check is skipped")
else
  check(out == "OK\n", "groff -man -ww -z %s:\n%s", page, out)
end

-- ------------------------------------------------------------ examples

local section = text:match("\n%.SH EXAMPLES\n(.-)\n%.SH ")
check(section, "%s has no EXAMPLES section", page)
local n = 0
for block in section:gmatch("\n%.nf\n(.-)\n%.fi") do
  n = n + 1
  local chunk, err = load(plain(block), "=" .. page .. " EXAMPLES #" .. n)
  check(chunk, "example %d does not compile: %s", n, tostring(err))
  local ok, e = pcall(chunk)
  check(ok, "example %d fails: %s", n, tostring(e))
end
check(n >= 2, "%s: %d examples, expected at least 2", page, n)
print(("manual: %d examples ran"):format(n))
