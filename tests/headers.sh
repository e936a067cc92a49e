#!/bin/sh
# Every public header compiles on its own: the headers `make install` puts
# under $(includedir)/synack are installed into a scratch directory, and
# for each a C file including only it (twice: the include guard) is
# compiled with nothing but that directory on the include path, strictly.
# A header that needs another it does not include, or one that is not
# installed, fails here.  No config.h is on the path: an installed header
# must not need one.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"
: "${MAKE:=make}"
: "${CC:=cc}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-headers.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
. "$here/shlib.sh"

# Only the headers (no relinking, nothing else); MAKEFLAGS belongs to the
# make running the tests, not to this one.
run "install the headers" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	$MAKE -C "$SYNACK_BUILDDIR" install-synackincludeHEADERS DESTDIR="$tmp/root"
expect_rc 0
inc=$(find "$tmp/root" -type f -name plugin.h -path '*/synack/plugin.h' | head -n 1)
inc=${inc%/plugin.h}
label="installed headers"
checks=$((checks + 1))
if [ -z "$inc" ]; then
	fail "no synack/plugin.h under $tmp/root"
else
	# What a plugin of each kind and an embedding program include.
	for h in errors.h vtime.h units.h rng.h param.h plugin.h sim.h \
		scheduler.h packet.h queue.h loss.h net.h app.h tcp.h cc.h \
		isn.h timers.h siphash.h trace.h stats.h record.h outfile.h tcp_sm.h; do
		[ -f "$inc/$h" ] || fail "$h is not installed"
	done
	# The library's internals stay out (the connection record among them:
	# plugins see it only through tcp.h and tcp_sm.h).
	for h in tcp_priv.h tcb.h net_priv.h record_priv.h param_priv.h; do
		[ -f "$inc/$h" ] && fail "$h is installed"
	done
	mkdir "$tmp/src"
	for path in "$inc"/*.h; do
		h=${path##*/}
		printf '#include "%s"\n#include "%s"\n' "$h" "$h" >"$tmp/src/${h%.h}.c"
		run "$h on its own" $CC -std=c11 -Wall -Wextra -Wpedantic -Werror \
			-fsyntax-only -I"$inc" "$tmp/src/${h%.h}.c"
		expect_rc 0
	done
fi

if [ $failed -ne 0 ]; then
	echo "headers.sh: $failed of $checks checks failed" >&2
	exit 1
fi
echo "headers.sh: every installed header compiles on its own ($checks checks)"
