-- CSV output (RFC 4180), for tables of results.
--
--   local csv = require "synack.csv"      -- or synack.csv
--   csv.write("out/runs.csv", rows [, columns])
--
-- rows is a list of tables (one per line).  The header row names the
-- columns: `columns` when given, else the union of the rows' keys, taking
-- each row in turn and its keys in sorted order, a key being added where it
-- first appears (so rows with the same keys give sorted columns).
-- Fields holding a comma, a double quote, CR or LF are quoted, with quotes
-- doubled.  Lines end with LF (RFC 4180 says CRLF; every CSV reader,
-- Python's csv module included, takes either, and LF is what the
-- experiment rows of `synack run` use).  Integers print as integers,
-- floats in the shortest form that reads back to the same double
-- (inf, -inf and nan as such), booleans as true/false, nil as an empty
-- field.  A file already there is replaced only once the new one is
-- written whole (a failure leaves it as it was); a symbolic link or a
-- device is written through.
local M = {}

-- Raises the message at the first caller outside these helpers, so that
-- it names the script's line.
function M.fail(fmt, ...)
  local level = 2
  while true do
    local info = debug.getinfo(level, "S")
    if not info then level = 0; break end
    if not info.source:find("synack[/\\]csv%.lua$") and not info.source:find("synack[/\\]plot%.lua$") then
      break
    end
    level = level + 1
  end
  error(string.format(fmt, ...), level)
end
local fail = M.fail

-- The shortest %.Ng (N = 1..17) that reads back exactly.
function M.number(v)
  if math.type(v) == "integer" then return string.format("%d", v) end
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" elseif v == -math.huge then return "-inf" end
  for digits = 1, 17 do
    local s = string.format("%." .. digits .. "g", v)
    if tonumber(s) == v then return s end
  end
  return string.format("%.17g", v)
end

-- One field as it appears in the file.
function M.field(v)
  local t, s = type(v), nil
  if v == nil then return ""
  elseif t == "number" then s = M.number(v)
  elseif t == "boolean" then s = tostring(v)
  elseif t == "string" then s = v
  else return nil, t end
  if s:find('[,"\r\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

-- The default columns: see above.
function M.columns(rows)
  local cols, seen = {}, {}
  for _, row in ipairs(rows) do
    local keys = {}
    for k in pairs(row) do
      if type(k) == "string" and not seen[k] then keys[#keys + 1] = k end
    end
    table.sort(keys)
    for _, k in ipairs(keys) do
      seen[k] = true
      cols[#cols + 1] = k
    end
  end
  return cols
end

-- The text of the file.
function M.format(rows, columns)
  if type(rows) ~= "table" then fail("csv: rows must be a list of tables, got a %s", type(rows)) end
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then fail("csv: row %d is a %s, not a table", i, type(row)) end
  end
  columns = columns or M.columns(rows)
  if type(columns) ~= "table" or #columns == 0 then
    fail("csv: no columns (give a list of column names, or rows with keys)")
  end
  local out, line = {}, {}
  for i, c in ipairs(columns) do
    if type(c) ~= "string" then fail("csv: column %d is a %s, not a name", i, type(c)) end
    line[i] = M.field(c)
  end
  out[1] = table.concat(line, ",")
  for r, row in ipairs(rows) do
    line = {}
    for i, c in ipairs(columns) do
      local f, bad = M.field(row[c])
      if not f then fail("csv: row %d, column '%s': a %s cannot be written", r, c, bad) end
      line[i] = f
    end
    out[#out + 1] = table.concat(line, ",")
  end
  return table.concat(out, "\n") .. "\n"
end

-- Writes text as the whole of path (synack.write_file): a regular file is
-- written to a temporary file beside it and renamed when every byte was
-- written, so a failure (a full disk) leaves what was there; a symbolic
-- link or a device is written through, never replaced.  A failure is an
-- error naming the file, raised at the script's line.
function M.replace_file(path, text, who)
  if type(path) ~= "string" then fail("%s: the path must be a string, got a %s", who, type(path)) end
  local ok, err = pcall(require("synack").write_file, path, text)
  if not ok then fail("%s: %s", who, tostring(err)) end
end

-- Creates directory dir (and its parents) if it does not exist; for the
-- examples' output directories.
function M.mkdir(dir)
  if type(dir) ~= "string" or dir == "" then fail("mkdir: no directory name") end
  local ok = os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "'")
  if not ok then fail("mkdir: cannot create directory %s", dir) end
end

function M.write(path, rows, columns)
  if type(path) ~= "string" then fail("csv.write: the path must be a string, got a %s", type(path)) end
  M.replace_file(path, M.format(rows, columns), "csv.write")
end

return M
