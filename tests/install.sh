#!/bin/sh
# Installing for real, as a user on a fresh machine does (run by .ci/run as
# root, never by `make check`: it writes to the prefix, /usr/local by
# default).  In a clone of the source tree:
#   1. configured and built for another prefix first, then reconfigured for
#      PREFIX and installed without `make clean`: the installed program
#      must look for its plugins in PREFIX, not in the first prefix;
#   2. from outside any build tree (the clone is moved away), `synack
#      plugins` lists PREFIX's plugins, the installed example runs, and
#      `lua5.4 -e 'require "synack"'` loads the module, with no extra step
#      (no ldconfig, no LD_LIBRARY_PATH);
#   3. `make uninstall` leaves no file or directory of synack's behind.
# Prints "PASS: install: WHAT" or "FAIL: install: WHAT" per check; exits 1
# on any failure, 77 (skipped) when not root.
#   tests/install.sh SRCDIR [PREFIX]
set -u
src=$(cd "${1:?usage: tests/install.sh SRCDIR [PREFIX]}" && pwd) || exit 1
prefix=${2:-/usr/local}
[ "$(id -u)" = 0 ] || { echo "SKIP: install: needs root to install into $prefix"; exit 77; }
jobs=$(nproc 2>/dev/null || echo 2)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
failed=0
pass() { echo "PASS: install: $1"; }
fail() { echo "FAIL: install: $1"; failed=1; }
check() { what=$1; shift; if "$@" >"$tmp/out" 2>&1; then pass "$what"; else fail "$what"; sed 's/^/    | /' "$tmp/out"; fi; }

git clone -q "$src" "$tmp/tree" || exit 1
cd "$tmp/tree" || exit 1
build() { ./configure "$@" >"$tmp/configure.log" 2>&1 && make -j"$jobs" >"$tmp/make.log" 2>&1; }
./autogen.sh >"$tmp/autogen.log" 2>&1 || { fail "autogen"; cat "$tmp/autogen.log"; exit 1; }
check "build for a first prefix" build --prefix="$tmp/first"
check "reconfigure for $prefix and install, no make clean" \
	sh -c "./configure --prefix='$prefix' >'$tmp/configure2.log' 2>&1 && make -j$jobs >'$tmp/make2.log' 2>&1 && make install"
[ $failed -eq 0 ] || exit 1

# Out of the way: the installed program must not find the build tree.
mv "$tmp/tree" "$tmp/moved"
cd / || exit 1
# The first prefix was never installed: plugins are found only in PREFIX.
lib=$(ls "$prefix"/lib/libsynack.so.* 2>/dev/null | head -n 1)
check "the installed library names $prefix/lib/synack" grep -q -a -F "$prefix/lib/synack" "$lib"
check "the installed library does not name the first prefix" sh -c "! grep -q -a -F '$tmp/first' '$lib'"
check "synack plugins lists loss/bernoulli" sh -c "'$prefix/bin/synack' plugins | grep '^loss/bernoulli '"
check "the installed example runs" "$prefix/bin/synack" run "$prefix/share/doc/synack/examples/handshake.lua"
if command -v lua5.4 >/dev/null 2>&1; then
	check "lua5.4 loads the module" lua5.4 -e 'local s = require "synack"; assert(s.simulator)'
else
	fail "lua5.4 loads the module (no lua5.4: Debian package lua5.4)"
fi

cd "$tmp/moved" || exit 1
check "make uninstall" make uninstall
left=$(find "$prefix" \( -name '*synack*' -o -path "$prefix/share/doc/synack*" \) 2>/dev/null)
if [ -z "$left" ]; then
	pass "nothing of synack's left in $prefix"
else
	fail "left in $prefix after make uninstall:"
	echo "$left" | sed 's/^/    | /'
fi
exit $failed
