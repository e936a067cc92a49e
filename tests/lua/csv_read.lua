-- synack.csv.read: RFC 4180 text back into rows, what csv.write wrote
-- reads back equal, and bad files fail naming the file and line.
local synack = require "synack"
local T = dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "testlib.lua")
local check, eq, fails = T.check, T.eq, T.fails
local csv = synack.csv

local dir = T.tmpdir()
local function file(name, text)
  local path = dir .. "/" .. name
  local f = assert(io.open(path, "wb"))
  assert(f:write(text))
  assert(f:close())
  return path
end

-- What csv.write writes reads back the same: quoting, numbers in full,
-- booleans, missing values, the column order.
local rows = {
  {name = 'say "hi", then\nleave', x = 0.1, n = 3, ok = true},
  {name = "plain", x = 1 / 3, n = -7, ok = false},
  {name = "", x = math.huge, n = 0},
  {name = "e", x = -math.huge, n = 1 << 40, ok = true},
}
local path = dir .. "/out.csv"
csv.write(path, rows, {"name", "x", "n", "ok"})
local got, cols = csv.read(path)
eq(table.concat(cols, ","), "name,x,n,ok", "columns in file order")
eq(#got, #rows, "rows read")
for i, want in ipairs(rows) do
  for _, c in ipairs(cols) do
    local w = want[c]
    if w == "" then w = nil end -- an empty string is an empty field
    eq(got[i][c], w, string.format("row %d, column %s", i, c))
    eq(math.type(got[i][c]), math.type(w), string.format("row %d, column %s: number type", i, c))
  end
end
local nan = csv.read(file("nan.csv", "v\nnan\n"))[1].v
check(nan ~= nan, "nan reads back as nan, got %s", tostring(nan))

-- CRLF line ends, a quoted field over two lines, a trailing empty field,
-- a blank line, a last line without its line end, and strings that only
-- look like numbers.
got = csv.read(file("crlf.csv",
  'a,b,c\r\n1,"two\r\nlines",\r\n\r\n0x10, 5,1e\r\n"q""uote",-,+.5'))
eq(#got, 3, "rows of crlf.csv")
eq(got[1].a, 1, "crlf: a")
eq(got[1].b, "two\r\nlines", "crlf: quoted field keeps its line end")
eq(got[1].c, nil, "crlf: empty last field")
eq(got[2].a, "0x10", "hex stays a string")
eq(got[2].b, " 5", "a space keeps it a string")
eq(got[2].c, "1e", "1e stays a string")
eq(got[3].a, 'q"uote', "doubled quote")
eq(got[3].b, "-", "a lone sign stays a string")
eq(got[3].c, 0.5, "+.5")
got = csv.read(file("crlf2.csv", "a,b\n1,\n"), {raw = true})
eq(got[1].a, "1", "raw keeps strings")
eq(got[1].b, "", "raw keeps empty fields")

-- Bad files: what and where.
fails("csv.read: " .. dir .. "/q.csv:3: a quoted field is not closed",
  csv.read, file("q.csv", 'a,b\n1,2\n3,"open\nstill\n'))
fails("csv.read: " .. dir .. "/t.csv:2: text after a closing quote",
  csv.read, file("t.csv", 'a,b\n"x"y,2\n'))
fails("csv.read: " .. dir .. "/n.csv:3: 3 fields where the header has 2",
  csv.read, file("n.csv", "a,b\n1,2\n1,2,3\n"))
fails("csv.read: " .. dir .. "/z.csv:3: a NUL byte: not a CSV file",
  csv.read, file("z.csv", "a,b\n1,2\n3,\0\n"))
fails("csv.read: /dev/zero:1: a NUL byte: not a CSV file", csv.read, "/dev/zero")
fails("csv.read: " .. dir .. "/e.csv: empty file", csv.read, file("e.csv", ""))
fails("csv.read: " .. dir .. "/d.csv:1: column 'a' appears twice", csv.read, file("d.csv", "a,b,a\n"))
fails("csv.read: " .. dir .. "/h.csv:1: column 2 has no name", csv.read, file("h.csv", "a,,c\n"))
fails("csv.read: cannot open " .. dir .. "/none.csv", csv.read, dir .. "/none.csv")
fails("csv.read: cannot read " .. dir, csv.read, dir)
fails("csv.read: the path must be a string, got a nil", csv.read)
fails("csv.read: options must be a table, got a string", csv.read, path, "raw")

for _, name in ipairs{"out.csv", "nan.csv", "crlf.csv", "crlf2.csv", "q.csv", "t.csv", "n.csv", "z.csv", "e.csv", "d.csv", "h.csv"} do
  os.remove(dir .. "/" .. name)
end
assert(os.remove(dir))
print("csv_read: ok")
