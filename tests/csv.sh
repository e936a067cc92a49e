#!/bin/sh
# CSV written by synack.csv and sim:write_tcp_csv reads back through a
# real CSV parser (Python's csv module) field for field: commas, quotes,
# CR and LF inside fields, empty fields, numbers.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "csv.sh: SKIP: python3 is not installed (it provides the reference CSV parser)"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-csv.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

cat >"$tmp/write.lua" <<'EOF'
local synack = require "synack"
local dir = synack.args.dir
synack.csv.write(dir .. "/fields.csv", {
  { name = "plain", value = 1, note = "x" },
  { name = "comma, inside", value = 0.1, note = 'say "hi"' },
  { name = "line\nbreak", value = -2.5e-300, note = "cr\r\nlf" },
  { name = "", value = 1 / 3 },
  { name = '"', value = 9007199254740993, note = ",\"," },
}, { "name", "value", "note" })
local sim = synack.simulator{}
sim:tcp_table() -- kept from the start
local a, b = sim:node("a,\"1\""), sim:node("b")
sim:duplex_link(a, b, { rate = "10Mbps", delay = "1ms" })
b:tcp():listen(80)
sim:at(0, function() a:tcp():connect(b, 80):on("established", function(c) c:send(1000) end) end)
sim:run{ stop = 1 }
sim:write_tcp_csv(dir .. "/tcp.csv")
EOF
if ! out=$("$SYNACK_BUILDDIR/synack" run "$tmp/write.lua" dir="$tmp" 2>&1); then
	echo "FAIL: writing the CSV files: $out"
	exit 1
fi

python3 - "$tmp" <<'EOF'
import csv, sys
d = sys.argv[1]
with open(d + "/fields.csv", newline="") as f:
    rows = list(csv.reader(f))
want = [
    ["name", "value", "note"],
    ["plain", "1", "x"],
    ["comma, inside", "0.1", 'say "hi"'],
    ["line\nbreak", "-2.5e-300", "cr\r\nlf"],
    ["", "0.3333333333333333", ""],
    ['"', "9007199254740993", ",\","],
]
if rows != want:
    sys.exit("fields.csv read back as %r, expected %r" % (rows, want))
assert float(rows[4][1]) == 1 / 3, "a float does not round-trip"
with open(d + "/tcp.csv", newline="") as f:
    rows = list(csv.DictReader(f))
if len(rows) != 2:
    sys.exit("tcp.csv: expected 2 connections, got %d" % len(rows))
c, s = rows
if c["node"] != 'a,"1"' or c["side"] != "client" or s["side"] != "server":
    sys.exit("tcp.csv: node or side wrong: %r" % rows)
if s["bytes_received"] != "1000" or c["closed"] != "" or float(c["handshake_time"]) <= 0:
    sys.exit("tcp.csv: values wrong: %r" % rows)
print("csv.sh: both files read back exactly")
EOF
