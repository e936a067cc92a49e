#!/bin/sh
# The SDK from the outside: synack is installed into a scratch directory
# (make install DESTDIR=...), and the example plugins (examples/plugins:
# their C files, Makefile and check.lua, copied) are built by their own
# Makefile with only what pkg-config says about that install, then loaded
# and checked by the installed program.  The in-tree plugins must build
# against the installed headers too, and a small C program embeds the
# installed library.
#
# Why DESTDIR: the configured directories (the plugin directory, the Lua
# helpers, the config) are compiled into the library, so an install into
# another prefix from the same build would still look in the configured
# one.  Under DESTDIR nothing pretends otherwise: the installed program
# finds its library by LD_LIBRARY_PATH, its plugins and the examples by
# SYNACK_PLUGIN_PATH (searched before the configured directory), and
# pkg-config finds the scratch install alone (PKG_CONFIG_LIBDIR) and
# prefixes its paths with the scratch root (PKG_CONFIG_SYSROOT_DIR).  The
# scratch directory is outside the build tree, so the installed library
# does not take itself for the build tree's.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"
: "${MAKE:=make}"
: "${CC:=cc}"
: "${SANITIZERS:=no}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-sdk.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
. "$here/shlib.sh"
root=$tmp/root

finish() {
	if [ $failed -ne 0 ]; then
		echo "sdk.sh: $failed of $checks checks failed" >&2
		exit 1
	fi
	echo "sdk.sh: the example plugins built against the installed SDK and ran ($checks checks)"
	exit 0
}

# The make running the tests keeps its flags (jobs, overrides) to itself.
submake() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $MAKE "$@"
}

run "make install" submake -C "$SYNACK_BUILDDIR" install DESTDIR="$root"
expect_rc 0
[ $failed -eq 0 ] || finish

# ---------------------------------------------------------------- pkg-config
pc=$(find "$root" -type f -name synack.pc -path '*/pkgconfig/*')
label="synack.pc"
checks=$((checks + 1))
if [ -z "$pc" ] || [ ! -f "$pc" ]; then
	fail "make install put no pkgconfig/synack.pc under $root"
	finish
fi
PKG_CONFIG_PATH=${pc%/synack.pc}
PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
run "pkg-config --cflags --libs synack" pkg-config --cflags --libs synack
expect_rc 0
expect_has out "-I$root"
expect_has out "-lsynack"
cflags=$(pkg-config --cflags synack)
# pkgconf puts the sysroot before variables too, pkg-config does not.
plugindir=$(pkg-config --variable=plugindir synack)
case $plugindir in
"$root"/*) ;;
*) plugindir=$root$plugindir ;;
esac
label="plugindir"
checks=$((checks + 1))
[ -f "$plugindir/loss/none.so" ] ||
	fail "pkg-config's plugindir $plugindir holds no loss/none.so"

# ---------------------------------------------------------------- program
bin=$(find "$root" -type f -path '*/bin/synack')
lib=$(find "$root" -name 'libsynack.so.*' | head -n 1)
label="installed program"
checks=$((checks + 1))
if [ -z "$bin" ] || [ -z "$lib" ]; then
	fail "no bin/synack or libsynack.so.* under $root"
	finish
fi
LD_LIBRARY_PATH=${lib%/*}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
run "the installed program's library" ldd "$bin"
expect_rc 0
expect_has out "$root"

# ---------------------------------------------------------------- examples
mkdir "$tmp/ex"
cp "$SYNACK_SRCDIR"/examples/plugins/*.c "$SYNACK_SRCDIR"/examples/plugins/Makefile \
	"$SYNACK_SRCDIR"/examples/plugins/check.lua "$tmp/ex/" || exit 1
run "make (examples/plugins)" submake -C "$tmp/ex" \
	CFLAGS="-O2 -Wall -Wextra -Wno-unused-parameter -Werror"
expect_rc 0
for so in loss/periodic.so isn/counter.so cc/aimd.so tcp/quickclose.so; do
	label="examples/plugins builds $so"
	checks=$((checks + 1))
	[ -f "$tmp/ex/$so" ] || fail "$so was not built"
done

SYNACK_PLUGIN_PATH=$tmp/ex:$plugindir
export SYNACK_PLUGIN_PATH
run "synack plugins" "$bin" plugins
expect_rc 0
expect_has out "loss/periodic"
expect_has out "isn/counter"
expect_has out "cc/aimd"
expect_has out "tcp/quickclose"
expect_has out "loss/bernoulli"
run "synack plugins cc/aimd" "$bin" plugins cc/aimd
expect_rc 0
expect_has out "decrease"
run "synack plugins tcp/quickclose" "$bin" plugins tcp/quickclose
expect_rc 0
expect_has out "time_wait"

run "check.lua" sh -c 'cd "$1" && exec "$2" run check.lua trace="$1/periodic.tr"' \
	sh "$tmp/ex" "$bin"
expect_rc 0
expect_has out "loss/periodic: dropped packets 1,5,9"
expect_has out "isn/counter: ISNs 4000000000,5032704,305032704"
expect_has out "cc/aimd: without loss"
expect_has out "cc/aimd: under loss"
expect_has out "tcp/quickclose: ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 CLOSED; with TIME_WAIT 5 s; final ACK lost: 1 reset"

# A parameter out of its range is refused, naming it.
cat >"$tmp/ex/bad.lua" <<'LUA'
local synack = require "synack"
local sim = synack.simulator{}
local a, b = sim:node("a"), sim:node("b")
sim:duplex_link(a, b, {rate = "1Mbps", delay = "1ms", loss = {"periodic", every = 0}})
LUA
run "a parameter out of range" "$bin" run "$tmp/ex/bad.lua"
expect_rc 1
expect_has err "every"

# ---------------------------------------------------------------- in-tree plugins
# Each in-tree plugin compiles against the installed headers alone (with
# its own folder, for the headers its kind shares).
for f in "$SYNACK_SRCDIR"/plugins/scheduler/*.c "$SYNACK_SRCDIR"/plugins/queue/*.c \
	"$SYNACK_SRCDIR"/plugins/loss/*.c "$SYNACK_SRCDIR"/plugins/isn/*.c \
	"$SYNACK_SRCDIR"/plugins/timers/*.c "$SYNACK_SRCDIR"/plugins/cc/*.c \
	"$SYNACK_SRCDIR"/plugins/app/*.c "$SYNACK_SRCDIR"/plugins/tcp/*.c; do
	run "${f#"$SYNACK_SRCDIR"/} against the installed headers" \
		$CC -fsyntax-only $cflags -I"${f%/*}" "$f"
	expect_rc 0
done

# ---------------------------------------------------------------- embedding
cat >"$tmp/embed.c" <<'C'
#include <stdio.h>

#include "plugin.h"

int main(void)
{
	const sy_plugin *p;
	sy_err err;

	p = sy_plugin_load("isn", "counter", &err);
	if (!p) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf("%s/%s: %s\n", p->kind, p->name, p->summary);
	sy_plugin_unload_all();
	return 0;
}
C
san=
[ "$SANITIZERS" = yes ] && san="-fsanitize=address,undefined"
run "build a program on the library" sh -c '$1 $2 -o "$3/embed" "$3/embed.c" $(pkg-config --cflags --libs synack)' \
	sh "$CC" "$san" "$tmp"
expect_rc 0
run "run it" "$tmp/embed"
expect_rc 0
expect_has out "isn/counter: ISNs start, start + step"

# ---------------------------------------------------------------- documentation
# Every example of the source tree is installed with the documentation.
for f in "$SYNACK_SRCDIR"/examples/*.lua "$SYNACK_SRCDIR"/examples/*.cfg \
	"$SYNACK_SRCDIR"/examples/plugins/*.c "$SYNACK_SRCDIR"/examples/plugins/Makefile; do
	rel=${f#"$SYNACK_SRCDIR"/}
	label="$rel installed"
	checks=$((checks + 1))
	[ -n "$(find "$root" -path "*/share/doc/synack/$rel" -type f)" ] || fail "no share/doc/synack/$rel under $root"
done

# Every Lua helper is installed, the viewer's script and style beside
# html.lua, which embeds them in each page.
for f in "$SYNACK_SRCDIR"/lua/synack/*.lua "$SYNACK_SRCDIR"/lua/synack/*.js \
	"$SYNACK_SRCDIR"/lua/synack/*.css; do
	rel=${f#"$SYNACK_SRCDIR"/lua/}
	label="$rel installed"
	checks=$((checks + 1))
	[ -n "$(find "$root" -path "*/lua/*/$rel" -type f)" ] || fail "no $rel under $root"
done

# ---------------------------------------------------------------- uninstall
run "make uninstall" submake -C "$SYNACK_BUILDDIR" uninstall DESTDIR="$root"
expect_rc 0
label="make uninstall"
checks=$((checks + 1))
# (below the prefix: the prefix's own path may name synack, as
# distcheck's does)
prefix_dir=${bin%/bin/synack}
left=$(find "$prefix_dir" -mindepth 1 \( -name '*synack*' -o -path '*/lua/5.4*' \) -print 2>/dev/null)
if [ -n "$left" ]; then
	fail "left behind after make uninstall:"
	echo "$left" | sed 's/^/    | /' >&2
fi

finish
