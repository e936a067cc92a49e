#!/bin/sh
# The record of the plugin ABI: core/abi.list holds, for every installed
# header (Makefile.am's synackinclude_HEADERS), the version macros that
# cover it, their values and a hash of the header's declarations.
#
#   tests/abi-record.sh [HEADER=MACRO[,MACRO...]]...   rewrites the record
#   tests/abi-record.sh --check                        only checks it
#
# A header whose declarations changed must come with a higher value of
# every macro that covers it: the record is not rewritten otherwise, and
# --check (tests/abi.sh) fails naming the header and the macro to bump.
# HEADER=MACROS says which macros cover a header: required for a header
# not yet recorded, and changes the cover of one that is.  Version macros
# are SY_PLUGIN_ABI and SY_<NAME>_OPS_VERSION, defined as plain numbers in
# installed headers (plugin.h, "Versions").
#
# The declarations are the header without its comments, with whitespace
# reduced to what separates two words (one space in a preprocessor
# directive, each kept on a line of its own), and
# without the definitions of the version macros themselves (their values
# are recorded beside): editing documentation or layout changes nothing.
#
# The tree is the one this script lives in (its parent directory), so a
# copy of the tree is checked or recorded on its own.
set -u
LC_ALL=C
export LC_ALL
root=$(cd "$(dirname "$0")/.." && pwd) || exit 1
me=tests/abi-record.sh
list=core/abi.list
mode=record
if [ "${1:-}" = --check ]; then
	mode=check
	shift
fi
for a in "$@"; do
	case $a in
	*=?*) ;;
	*)
		echo "$me: argument '$a' is not HEADER=MACRO[,MACRO...]" >&2
		exit 2
		;;
	esac
done
[ $mode = check ] && [ $# -gt 0 ] && {
	echo "$me: --check takes no argument" >&2
	exit 2
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-abi.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# The installed headers: every word assigned or appended to
# synackinclude_HEADERS in Makefile.am, continuation lines included.
awk '
/^[ \t]*synackinclude_HEADERS[ \t]*\+?=/ { on = 1; sub(/^[^=]*=/, "") }
on {
	line = $0
	more = sub(/\\[ \t]*$/, "", line)
	n = split(line, w, /[ \t]+/)
	for (i = 1; i <= n; i++)
		if (w[i] != "")
			print w[i]
	on = more
}' "$root/Makefile.am" >"$tmp/headers" || exit 1
if [ ! -s "$tmp/headers" ]; then
	echo "$me: Makefile.am: no synackinclude_HEADERS found" >&2
	exit 1
fi

# The declarations of one header on stdout (see above).
declarations() {
	awk '
	function isword(c) { return c ~ /[A-Za-z0-9_]/ }
	# Appends c to the line, with a space before it only where two
	# words would otherwise run together, or anywhere whitespace was in
	# a directive (#define X (1) is not #define X(1)).
	function put(c) {
		if (c ~ /[ \t]/) { space = 1; return }
		if (space && out != "" && (indirective || isword(substr(out, length(out), 1)) && isword(c)))
			out = out " "
		space = 0
		out = out c
	}
	function flush() {
		if (out ~ /^#define (SY_PLUGIN_ABI|SY_[A-Z0-9_]+_OPS_VERSION)( |$)/) {
			out = ""; return
		}
		if (out ~ /^#/) {
			if (joined != "") print joined
			joined = ""
			print out
		} else if (out != "") {
			if (joined != "" && isword(substr(joined, length(joined), 1)) && isword(substr(out, 1, 1)))
				joined = joined " "
			joined = joined out
		}
		out = ""
	}
	{
		s = $0
		# a directive keeps its line, up to its continuations
		if (!incomment && !indirective && s ~ /^[ \t]*#/) {
			flush()
			indirective = 1
		}
		n = length(s)
		for (i = 1; i <= n; i++) {
			c = substr(s, i, 1)
			if (incomment) {
				if (c == "*" && substr(s, i + 1, 1) == "/") { incomment = 0; i++; space = 1 }
				continue
			}
			if (quote != "") {
				out = out c
				if (c == "\\") { out = out substr(s, i + 1, 1); i++ }
				else if (c == quote) quote = ""
				continue
			}
			if (c == "/" && substr(s, i + 1, 1) == "*") { incomment = 1; i++; space = 1; continue }
			if (c == "/" && substr(s, i + 1, 1) == "/") break
			if (c == "\"" || c == "\047") { put(c); quote = c; continue }
			if (indirective && c == "\\" && i == n) continue
			put(c)
		}
		space = 1
		if (indirective && !incomment && s !~ /\\[ \t]*$/) {
			indirective = 0
			flush()
		}
	}
	END { flush(); if (joined != "") print joined }' "$1"
}

# Each header's hash, and the value of every version macro defined in one.
: >"$tmp/current"
while read -r h; do
	if [ ! -f "$root/$h" ]; then
		echo "$me: $h: listed in Makefile.am's synackinclude_HEADERS but missing" >&2
		exit 1
	fi
	sum=$(declarations "$root/$h" | sha256sum) || exit 1
	printf 'H\t%s\t%s\n' "$h" "${sum%% *}" >>"$tmp/current"
	awk -v h="$h" '
	/^[ \t]*#[ \t]*define[ \t]+(SY_PLUGIN_ABI|SY_[A-Z0-9_]+_OPS_VERSION)([ \t]|$)/ {
		sub(/^[ \t]*#[ \t]*define[ \t]+/, "")
		name = $1
		value = $2
		if (value !~ /^[1-9][0-9]*$/) {
			printf "%s: %s is not defined as a plain positive number\n", h, name
			exit 1
		}
		printf "M\t%s\t%s\t%s\n", name, value, h
	}' "$root/$h" >>"$tmp/current" 2>"$tmp/err" || {
		sed "s|^|$me: |" "$tmp/err" >&2
		exit 1
	}
done <"$tmp/headers"
for a in "$@"; do
	printf 'A\t%s\t%s\n' "${a%%=*}" "${a#*=}" >>"$tmp/current"
done
record=$root/$list
if [ ! -f "$record" ]; then
	: >"$tmp/empty"
	record=$tmp/empty
fi

# Compares the record with the tree.  Prints the new record on stdout and
# each problem on stderr; exits 1 when a problem forbids recording, 3 when
# the record is only out of date.
awk -F '\t' -v me="$me" -v list="$list" -v mode="$mode" '
function problem(msg) { printf "%s: %s\n", list, msg >"/dev/stderr"; bad = 1 }
function stale(msg) {
	if (mode == "check")
		printf "%s: %s\n", list, msg >"/dev/stderr"
	old = 1
}
FILENAME != cur && /^#/ { comments = comments $0 "\n"; next }
FILENAME != cur && NF == 0 { next }
FILENAME != cur {
	if (NF != 3) { problem("line " FNR ": not HEADER<tab>MACRO=VALUE[,...]<tab>HASH"); next }
	rec[$1] = 1; rcover[$1] = $2; rhash[$1] = $3; order[++nrec] = $1
	n = split($2, m, ",")
	for (i = 1; i <= n; i++) {
		split(m[i], kv, "=")
		if ((kv[1] in rval) && rval[kv[1]] != kv[2])
			problem(kv[1] " is recorded as both " rval[kv[1]] " and " kv[2])
		rval[kv[1]] = kv[2]
		rv[$1, kv[1]] = kv[2]
	}
	next
}
$1 == "H" { hdr[++nh] = $2; hash[$2] = $3; inst[$2] = 1; next }
$1 == "M" {
	if (($2 in val) && val[$2] != $3)
		problem($2 " is defined as " val[$2] " in " where[$2] " and as " $3 " in " $4)
	val[$2] = $3; where[$2] = $4; next
}
$1 == "A" { arg[$2] = $3; next }
END {
	for (h in arg)
		if (!(h in inst))
			problem(h ": given on the command line but not an installed header (Makefile.am synackinclude_HEADERS)")
	for (i = 1; i <= nrec; i++)
		if (!(order[i] in inst))
			stale(order[i] ": recorded but no longer installed; run " me)
	for (i = 1; i <= nh; i++) {
		h = hdr[i]
		if (h in arg) cover = arg[h]
		else if (h in rec) {
			cover = rcover[h]; gsub(/=[^,]*/, "", cover)
		} else {
			problem(h ": installed but not recorded: run " me " " h "=MACRO[,MACRO...] naming the version macros that cover it")
			continue
		}
		n = split(cover, m, ",")
		line = ""
		for (j = 1; j <= n; j++) {
			k = m[j]
			if (k !~ /^(SY_PLUGIN_ABI|SY_[A-Z0-9_]+_OPS_VERSION)$/) {
				problem(h ": " k " is not a version macro (SY_PLUGIN_ABI or SY_<NAME>_OPS_VERSION)")
				continue
			}
			if (!(k in val)) {
				problem(h ": " k " is defined in no installed header")
				continue
			}
			line = line (line == "" ? "" : ",") k "=" val[k]
			was = ((h, k) in rv) ? rv[h, k] : ((k in rval) ? rval[k] : "")
			if (was != "" && val[k] + 0 < was + 0)
				problem(k " went down from " was " to " val[k] " (" where[k] "): a version only goes up")
			else if (h in rec && hash[h] != rhash[h] && was != "" && val[k] == was)
				problem(h " changed (its declarations differ from those recorded) but " k " is still " val[k] ": bump " k " (" where[k] "), then run " me)
			else if (was != "" && val[k] != was)
				stale(h ": " k " is " val[k] ", recorded " was "; run " me)
		}
		if (!(h in rec))
			stale(h ": installed but not recorded; run " me)
		else if (line != rcover[h] || hash[h] != rhash[h])
			stale(h ": its record is out of date; run " me)
		out = out h "\t" line "\t" hash[h] "\n"
	}
	if (comments == "")
		comments = "# The plugin ABI record, written by " me ": per installed header, the\n# version macros that cover it with their values, and the SHA-256 of its\n# declarations.  tests/abi.sh checks it; see plugin.h, \"Versions\".\n"
	printf "%s%s", comments, out
	exit bad ? 1 : old ? 3 : 0
}' cur="$tmp/current" "$record" "$tmp/current" >"$tmp/new" 2>"$tmp/problems"
rc=$?
cat "$tmp/problems" >&2
case $rc.$mode in
0.*)
	echo "$me: $list matches the $(wc -l <"$tmp/headers") installed headers"
	;;
3.record)
	if ! { cp "$record" "$tmp/old" && cp "$tmp/new" "$root/$list.tmp" &&
		mv "$root/$list.tmp" "$root/$list"; }; then
		echo "$me: cannot write $root/$list" >&2
		exit 1
	fi
	echo "$me: recorded $list; new or changed:"
	awk -F '\t' 'FILENAME == ARGV[1] { was[$0] = 1; next }
		!/^#/ && !($0 in was) { print "  " $1 " " $2 }' "$tmp/old" "$root/$list"
	;;
*.record)
	echo "$me: $list not rewritten" >&2
	exit 1
	;;
*)
	exit 1
	;;
esac
