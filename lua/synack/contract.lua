-- The experiment contract: a script returns
--   { params = { name = default, ... }, run = function(P) ... return {metric = v, ...} end }
-- `synack run SCRIPT key=value ...` calls main(experiment, overrides): it
-- overrides the defaults (each value converted to the type of its default),
-- runs the experiment once and prints one CSV row with a header.
local M = {}

-- Errors in what the user asked for (not in the experiment's code) carry no
-- traceback: the message says everything.
local usage_error = { __tostring = function(e) return e.message end }
local function fail(fmt, ...)
  error(setmetatable({ message = fmt:format(...) }, usage_error), 0)
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" then
      fail("parameter and metric names must be strings, got a %s", type(k))
    end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  return keys
end

-- Converts the command-line string s to the type of default d.
function M.convert(name, s, d)
  local t = type(d)
  if t == "string" then
    return s
  elseif t == "boolean" then
    if s == "true" then return true elseif s == "false" then return false end
    fail("parameter '%s' is a boolean: expected true or false, got '%s'", name, s)
  elseif t == "number" then
    local v = math.tointeger(s) or tonumber(s)
    if v == nil then
      fail("parameter '%s' is a number: cannot read '%s'", name, s)
    end
    if math.type(d) == "integer" and math.type(v) ~= "integer" then
      fail("parameter '%s' is an integer: got '%s'", name, s)
    end
    return v
  end
  fail("parameter '%s' has a default of type %s, which cannot be set from the command line", name, t)
end

-- The parameters of one run: defaults, then overrides.
function M.params(exp, overrides)
  local defaults = exp.params or {}
  if type(defaults) ~= "table" then
    fail("the experiment's 'params' must be a table")
  end
  local P = {}
  for k, v in pairs(defaults) do P[k] = v end
  for _, k in ipairs(sorted_keys(overrides or {})) do
    if defaults[k] == nil then
      local known = sorted_keys(defaults)
      fail("unknown parameter '%s' (this experiment has: %s)",
        k, #known > 0 and table.concat(known, ", ") or "no parameters")
    end
    P[k] = M.convert(k, overrides[k], defaults[k])
  end
  return P
end

-- RFC 4180: quote fields holding a comma, quote, CR or LF.
function M.csv_field(v)
  local s
  if math.type(v) == "float" then
    s = string.format("%.17g", v)
    if tonumber(string.format("%.15g", v)) == v then s = string.format("%.15g", v) end
  else
    s = tostring(v)
  end
  if s:find('[,"\r\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

function M.main(exp, overrides)
  local P = M.params(exp, overrides)
  local row = exp.run(P)
  if type(row) ~= "table" then
    error(("the experiment's run() must return a table of metrics, got a %s"):format(type(row)), 0)
  end
  local header, values = {}, {}
  for _, k in ipairs(sorted_keys(P)) do
    header[#header + 1] = M.csv_field(k); values[#values + 1] = M.csv_field(P[k])
  end
  for _, k in ipairs(sorted_keys(row)) do
    if P[k] ~= nil then
      error(("metric '%s' has the name of a parameter"):format(k), 0)
    end
    header[#header + 1] = M.csv_field(k); values[#values + 1] = M.csv_field(row[k])
  end
  io.write(table.concat(header, ","), "\n", table.concat(values, ","), "\n")
  return row
end

return M
