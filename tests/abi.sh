#!/bin/sh
# The plugin ABI record (core/abi.list) matches the installed headers: a
# header whose declarations changed comes with a bumped version macro
# (tests/abi-record.sh).  Then, on a scratch copy of the headers, that the
# check does fail when a header changes and its version does not, and
# passes again once the version is bumped and recorded.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-abi.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
. "$here/shlib.sh"
src=$SYNACK_SRCDIR

echo "== 1. the source tree"
run "the record matches the headers" sh "$src/tests/abi-record.sh" --check
expect_rc 0
expect_has out "core/abi.list matches the"

# A copy of what the record depends on, to break at will.
t=$tmp/tree
mkdir -p "$t/tests" "$t/core" || exit 1
cp "$src/tests/abi-record.sh" "$t/tests/" &&
	cp "$src/Makefile.am" "$src/core/abi.list" "$t/" &&
	mv "$t/abi.list" "$t/core/" || exit 1
for h in $(awk -F '\t' '!/^#/ && NF { print $1 }' "$t/core/abi.list"); do
	mkdir -p "$t/$(dirname "$h")" && cp "$src/$h" "$t/$h" || exit 1
done
check() { run "$1" sh "$t/tests/abi-record.sh" --check; }
record() {
	label=$1
	shift
	run "$label" sh "$t/tests/abi-record.sh" "$@"
}
# The value of a version macro in the copy.
version() { sed -n "s/^#define $1 \([0-9]*\).*/\1/p" "$t/$2"; }
queue=core/net/queue.h
qv=$(version SY_QUEUE_OPS_VERSION $queue)
abi=$(version SY_PLUGIN_ABI core/engine/plugin.h)
checks=$((checks + 1))
if [ -z "$qv" ] || [ -z "$abi" ]; then
	fail "no SY_QUEUE_OPS_VERSION or SY_PLUGIN_ABI in the copy"
fi

echo "== 2. comments and layout do not count"
check "the copy matches"
expect_rc 0
sed -i -e 's|^typedef struct sy_queue_ops {|/* a new comment\n * over two lines */\ntypedef   struct  sy_queue_ops\n{|' \
	-e 's|^\t\(bool (\*enqueue)\)|\t\t\1 /* reindented */|' "$t/$queue"
checks=$((checks + 1))
grep -q reindented "$t/$queue" || fail "the comment edit did not apply"
check "comments and whitespace"
expect_rc 0

echo "== 3. a changed header with its version unchanged fails"
cp "$t/core/abi.list" "$tmp/list.before"
sed -i 's|^\(\tsize_t (\*bytes)(const void \*st);\)$|\1\n\tsize_t (*bytes_max)(const void *st);|' "$t/$queue"
checks=$((checks + 1))
grep -q bytes_max "$t/$queue" || fail "the declaration edit did not apply"
check "a new operation in sy_queue_ops"
expect_rc 1
expect_has err "core/abi.list: $queue changed (its declarations differ from those recorded) but SY_QUEUE_OPS_VERSION is still $qv: bump SY_QUEUE_OPS_VERSION ($queue), then run tests/abi-record.sh"
record "recording it"
expect_rc 1
expect_has err "but SY_QUEUE_OPS_VERSION is still $qv: bump SY_QUEUE_OPS_VERSION"
expect_has err "core/abi.list not rewritten"
checks=$((checks + 1))
cmp -s "$tmp/list.before" "$t/core/abi.list" || fail "a refused record changed core/abi.list"

echo "== 4. bumped, it fails until recorded, then passes"
sed -i "s/^#define SY_QUEUE_OPS_VERSION $qv\$/#define SY_QUEUE_OPS_VERSION $((qv + 1))/" "$t/$queue"
check "bumped, not recorded"
expect_rc 1
expect_has err "$queue: SY_QUEUE_OPS_VERSION is $((qv + 1)), recorded $qv; run tests/abi-record.sh"
expect_has err "$queue: its record is out of date; run tests/abi-record.sh"
record "recording the bump"
expect_rc 0
expect_has out "$queue SY_QUEUE_OPS_VERSION=$((qv + 1))"
check "recorded"
expect_rc 0
# only the queue header's line changed
checks=$((checks + 1))
[ "$(diff "$tmp/list.before" "$t/core/abi.list" | grep -c '^[<>]')" -eq 2 ] ||
	fail "recording one header changed more than its line"
sed -i "s/^#define SY_QUEUE_OPS_VERSION $((qv + 1))\$/#define SY_QUEUE_OPS_VERSION $qv/" "$t/$queue"
check "a version going down"
expect_rc 1
expect_has err "SY_QUEUE_OPS_VERSION went down from $((qv + 1)) to $qv ($queue): a version only goes up"
sed -i "s/^#define SY_QUEUE_OPS_VERSION $qv\$/#define SY_QUEUE_OPS_VERSION $((qv + 1))/" "$t/$queue"

echo "== 5. a header covered twice needs both bumped"
cc=core/tcp/cc.h
ccv=$(version SY_CC_OPS_VERSION $cc)
sed -i -e 's|^\(\tuint32_t mss; .*\)$|\1\n\tuint32_t pacing;|' \
	-e "s/^#define SY_CC_OPS_VERSION $ccv\$/#define SY_CC_OPS_VERSION $((ccv + 1))/" "$t/$cc"
checks=$((checks + 1))
grep -q pacing "$t/$cc" || fail "the cc.h edit did not apply"
check "cc.h changed, only its ops version bumped"
expect_rc 1
expect_has err "$cc changed (its declarations differ from those recorded) but SY_PLUGIN_ABI is still $abi: bump SY_PLUGIN_ABI (core/engine/plugin.h)"
expect_not err "but SY_CC_OPS_VERSION is still"
sed -i "s/^#define SY_PLUGIN_ABI $abi\$/#define SY_PLUGIN_ABI $((abi + 1))/" "$t/core/engine/plugin.h"
record "both bumped"
expect_rc 0
check "both recorded"
expect_rc 0

echo "== 6. a new installed header must be recorded with its versions"
cat >"$t/core/net/probe.h" <<'EOF'
#define SY_PROBE_OPS_VERSION 1
typedef struct sy_probe_ops { sy_ops_head head; } sy_probe_ops;
EOF
sed -i 's|^\(synackinclude_HEADERS = \)|\1core/net/probe.h |' "$t/Makefile.am"
check "a header not recorded"
expect_rc 1
expect_has err "core/net/probe.h: installed but not recorded: run tests/abi-record.sh core/net/probe.h=MACRO[,MACRO...]"
record "recording without saying what covers it"
expect_rc 1
expect_has err "core/net/probe.h: installed but not recorded"
record "recording with a macro that is not a version" core/net/probe.h=SY_PROBE_H
expect_rc 1
expect_has err "core/net/probe.h: SY_PROBE_H is not a version macro"
record "recording it" core/net/probe.h=SY_PLUGIN_ABI,SY_PROBE_OPS_VERSION
expect_rc 0
expect_has "$t/core/abi.list" "core/net/probe.h	SY_PLUGIN_ABI=$((abi + 1)),SY_PROBE_OPS_VERSION=1	"
check "the new header recorded"
expect_rc 0

echo "== 7. a header no longer installed"
sed -i 's|^\(synackinclude_HEADERS = \)core/net/probe.h |\1|' "$t/Makefile.am"
check "a recorded header gone"
expect_rc 1
expect_has err "core/net/probe.h: recorded but no longer installed; run tests/abi-record.sh"
record "recording its removal"
expect_rc 0
expect_not "$t/core/abi.list" "probe.h"

echo "abi.sh: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
