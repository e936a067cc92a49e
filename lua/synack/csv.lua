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
--
--   local rows, columns = csv.read("out/runs.csv" [, {raw = true}])
--
-- reads such a file back (any RFC 4180 CSV with a header row, CRLF or LF
-- line ends): rows is a list of tables keyed by the header's names,
-- columns the names in order.  A field that reads as a number (inf, -inf
-- and nan included) becomes a number, true/false a boolean, an empty
-- field is absent (nil), anything else stays a string; {raw = true} keeps
-- every field as its string.  A blank line is skipped.  Errors name the
-- file and line: a quoted field not closed, text after a closing quote, a
-- row with more or fewer fields than the header, a duplicate or empty
-- column name, a NUL byte (not a text file: found at once, so /dev/zero
-- fails at its first byte) or a file over 1 GiB.
local M = {}

-- Raises the message at the first caller outside these helpers, so that
-- it names the script's line.
function M.fail(fmt, ...)
  local level = 2
  while true do
    local info = debug.getinfo(level, "S")
    if not info then level = 0; break end
    -- past these modules and the C functions that call them (a
    -- recorder's method, pcall) to the script's own line
    if info.what ~= "C" and not info.source:find("synack[/\\]csv%.lua$") and
       not info.source:find("synack[/\\]plot%.lua$") and not info.source:find("synack[/\\]seqgraph%.lua$") then
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

local READ_LIMIT = 1 << 30

-- The whole text of path, read in chunks so that a NUL byte or an endless
-- device stops the read early.
local function slurp(path)
  local f, err = io.open(path, "rb")
  if not f then fail("csv.read: cannot open %s", err) end
  local parts, size, line = {}, 0, 1
  while true do
    local chunk, rerr = f:read(65536)
    if not chunk then
      if rerr then
        f:close()
        fail("csv.read: cannot read %s: %s", path, rerr)
      end
      break
    end
    local nul = chunk:find("\0", 1, true)
    if nul then
      f:close()
      local _, lf = chunk:sub(1, nul):gsub("\n", "")
      fail("csv.read: %s:%d: a NUL byte: not a CSV file", path, line + lf)
    end
    size = size + #chunk
    if size > READ_LIMIT then
      f:close()
      fail("csv.read: %s: larger than 1 GiB", path)
    end
    local _, lf = chunk:gsub("\n", "")
    line = line + lf
    parts[#parts + 1] = chunk
  end
  f:close()
  return table.concat(parts)
end

-- The records of text: a list of {line = N, field, field, ...}.
local function records(path, text)
  local recs, i, n, line = {}, 1, #text, 1
  while i <= n do
    local rec = {line = line}
    while true do
      local field
      if text:byte(i) == 34 then -- '"'
        local start_line, buf = line, {}
        i = i + 1
        while true do
          local q = text:find('"', i, true)
          if not q then fail("csv.read: %s:%d: a quoted field is not closed", path, start_line) end
          local piece = text:sub(i, q - 1)
          local _, lf = piece:gsub("\n", "")
          line = line + lf
          buf[#buf + 1] = piece
          if text:byte(q + 1) == 34 then
            buf[#buf + 1] = '"'
            i = q + 2
          else
            i = q + 1
            break
          end
        end
        field = table.concat(buf)
        local c = text:byte(i)
        if c and c ~= 44 and c ~= 10 and not (c == 13 and text:byte(i + 1) == 10) then
          fail("csv.read: %s:%d: text after a closing quote", path, line)
        end
      else
        local j = i
        while true do
          local k = text:find("[,\n]", j)
          if not k then j = n + 1; break end
          if text:byte(k) == 10 and k > i and text:byte(k - 1) == 13 then j = k - 1 else j = k end
          break
        end
        field = text:sub(i, j - 1)
        i = j
      end
      rec[#rec + 1] = field
      local c = text:byte(i)
      if not c then break end
      if c == 44 then
        i = i + 1
        if i > n then rec[#rec + 1] = ""; break end
      else
        i = i + (c == 13 and 2 or 1)
        line = line + 1
        break
      end
    end
    recs[#recs + 1] = rec
  end
  return recs
end

local function value(s)
  if s == "" then return nil end
  if s == "true" then return true elseif s == "false" then return false end
  if s == "inf" then return math.huge elseif s == "-inf" then return -math.huge end
  if s == "nan" or s == "-nan" then return 0 / 0 end
  -- tonumber takes hex and surrounding spaces; a CSV number does not
  if s:find("^[-+]?%d*%.?%d*[eE]?[-+]?%d*$") and s:find("%d") then
    local v = tonumber(s)
    if v then return v end
  end
  return s
end

function M.read(path, opts)
  if type(path) ~= "string" then fail("csv.read: the path must be a string, got a %s", type(path)) end
  if opts ~= nil and type(opts) ~= "table" then fail("csv.read: options must be a table, got a %s", type(opts)) end
  local raw = opts and opts.raw
  local recs = records(path, slurp(path))
  if #recs == 0 then fail("csv.read: %s: empty file (no header row)", path) end
  local head, columns, seen = recs[1], {}, {}
  for i, name in ipairs(head) do
    if name == "" then fail("csv.read: %s:%d: column %d has no name", path, head.line, i) end
    if seen[name] then fail("csv.read: %s:%d: column '%s' appears twice", path, head.line, name) end
    seen[name] = true
    columns[i] = name
  end
  local rows = {}
  for r = 2, #recs do
    local rec = recs[r]
    if not (#rec == 1 and rec[1] == "") then
      if #rec ~= #columns then
        fail("csv.read: %s:%d: %d fields where the header has %d", path, rec.line, #rec, #columns)
      end
      local row = {}
      for i, name in ipairs(columns) do
        if raw then row[name] = rec[i] else row[name] = value(rec[i]) end
      end
      rows[#rows + 1] = row
    end
  end
  return rows, columns
end

function M.write(path, rows, columns)
  if type(path) ~= "string" then fail("csv.write: the path must be a string, got a %s", type(path)) end
  M.replace_file(path, M.format(rows, columns), "csv.write")
end

return M
