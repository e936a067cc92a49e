#!/bin/sh
# Outputs never fail silently and never destroy what is not a regular
# file: for each output of a run (text traces, pcap files, text and SVG
# ladders, plots, CSV, by tests/data/output.lua),
#   1. a symbolic link is written through: it stays a link, its target
#      gets the output;
#   2. a full device fails the run, naming the file, and stays a character
#      device (a node made here when mknod is allowed, then /dev/full);
#   3. a full disk (a file-size limit) fails the run naming the file, and
#      an older file at a whole-file output's path is left as it was, with
#      no temporary file beside it;
#   4. the capture of a TUN interface (as root, in a network namespace):
#      written through a link, and a full device fails the run;
#   5. a trace of a simulator the script leaves open is flushed when the
#      program ends, and a failure then still fails the run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-output.XXXXXX") || exit 1
ns=
trap '[ -n "$ns" ] && ip netns del "$ns"; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
. "$here/shlib.sh"

synack="$SYNACK_BUILDDIR/synack"
script="$SYNACK_SRCDIR/tests/data/output.lua"
# The outputs written whole (the others are written as the run goes).
whole="ladder svg plot csv"
kinds="trace link_trace pcap link_pcap $whole"

# out KIND NAME: $arg, the path the script is given for an output called NAME
# (pcap: a directory, whose a-b.pcap is the file), and $file, what to check.
out() {
	case $1 in
	pcap)
		mkdir -p "$tmp/$2.d"
		file=$tmp/$2.d/a-b.pcap
		arg=$tmp/$2.d ;;
	svg)
		file=$tmp/$2.svg
		arg=$file ;;
	*)
		file=$tmp/$2
		arg=$file ;;
	esac
}

is_link() { [ -L "$1" ]; }
is_chardev() { [ -c "$1" ] && ! [ -L "$1" ]; }

echo "== 1. symbolic links are written through"
for k in $kinds; do
	out "$k" "$k.link"
	: >"$tmp/$k.target"
	ln -s "$tmp/$k.target" "$file"
	run "$k to a symbolic link" "$synack" run "$script" kind="$k" path="$arg"
	expect_rc 0
	checks=$((checks + 1))
	is_link "$file" || fail "$file is no longer a symbolic link"
	checks=$((checks + 1))
	[ -s "$tmp/$k.target" ] || fail "the link's target $tmp/$k.target is empty"
done

echo "== 2. a full device"
# dev_test DEV LABEL: every output written to the device DEV (for pcap,
# the directory's a-b.pcap is a link to it; for svg, a link DEV.svg).
dev_test() {
	dev=$1
	for k in $kinds; do
		case $k in
		pcap)
			rm -rf "$tmp/pcapdev.d"
			mkdir "$tmp/pcapdev.d"
			ln -s "$dev" "$tmp/pcapdev.d/a-b.pcap"
			arg=$tmp/pcapdev.d want=$tmp/pcapdev.d/a-b.pcap ;;
		svg)
			rm -f "$tmp/dev.svg"
			ln -s "$dev" "$tmp/dev.svg"
			arg=$tmp/dev.svg want=$tmp/dev.svg ;;
		*)
			arg=$dev want=$dev ;;
		esac
		run "$k to $dev" "$synack" run "$script" kind="$k" path="$arg"
		expect_rc 1
		expect_has err "cannot write"
		expect_has err "$want: No space left on device"
		checks=$((checks + 1))
		if ! is_chardev "$dev"; then
			fail "$dev is no longer a character device: $(ls -l "$dev")"
			return 1
		fi
	done
}
# A node of our own first: a regression must not replace the system's.
if mknod "$tmp/full" c 1 7 2>/dev/null && is_chardev "$tmp/full"; then
	dev_test "$tmp/full" || exit 1
else
	echo "(mknod is not allowed here: /dev/full only)"
fi
if is_chardev /dev/full; then
	dev_test /dev/full
	ls -l /dev/full
else
	echo "(no /dev/full)"
fi

echo "== 3. a full disk (ulimit -f)"
for k in $kinds; do
	out "$k" "$k.limit"
	case " $whole " in
	*" $k "*)
		echo "older contents" >"$file"
		old=yes ;;
	*)
		old=no ;;
	esac
	# 8 blocks (4 or 8 KiB): every output is longer
	run "$k with a file-size limit" sh -c 'ulimit -f 8; trap "" XFSZ; exec "$@"' sh \
		"$synack" run "$script" kind="$k" path="$arg"
	expect_rc 1
	expect_has err "cannot write"
	expect_has err "$file: File too large"
	if [ $old = yes ]; then
		checks=$((checks + 1))
		[ "$(cat "$file")" = "older contents" ] ||
			fail "the older $file was not left as it was: $(head -c 200 "$file")"
	fi
	checks=$((checks + 1))
	left=$(find "$tmp" -name '*.tmp*')
	[ -z "$left" ] || fail "temporary files left: $left"
done

echo "== 4. the capture of a TUN interface"
# In a network namespace of its own; the device is not configured.
if [ "$(id -u)" != 0 ] || ! [ -c /dev/net/tun ] || ! command -v ip >/dev/null 2>&1; then
	echo "(skipped: needs root, /dev/net/tun and ip)"
elif ! ip netns add "synack-output-$$" 2>"$tmp/err"; then
	echo "(skipped: ip netns add failed: $(cat "$tmp/err"))"
else
	ns=synack-output-$$
	tun() { ip netns exec "$ns" "$synack" run "$SYNACK_SRCDIR/tests/data/output_tun.lua" "$@"; }
	: >"$tmp/tun.target"
	ln -s "$tmp/tun.target" "$tmp/tun.link"
	run "TUN capture to a symbolic link" tun pcap="$tmp/tun.link"
	expect_rc 0
	checks=$((checks + 1))
	is_link "$tmp/tun.link" && [ -s "$tmp/tun.target" ] ||
		fail "$tmp/tun.link is no longer a link, or its target is empty"
	for dev in "$tmp/full" /dev/full; do
		is_chardev "$dev" || continue
		run "TUN capture to $dev" tun pcap="$dev"
		expect_rc 1
		expect_has err "TUN capture: cannot write $dev: No space left on device"
		checks=$((checks + 1))
		is_chardev "$dev" || fail "$dev is no longer a character device"
	done
	ip netns del "$ns"
	ns=
fi

echo "== 5. a simulator left open"
run "a trace left open" "$synack" run "$SYNACK_SRCDIR/tests/data/output_open.lua" path="$tmp/open.tr"
expect_rc 0
expect_has "$tmp/open.tr" "+ 0"
for dev in "$tmp/full" /dev/full; do
	is_chardev "$dev" || continue
	run "a trace left open to $dev" "$synack" run "$SYNACK_SRCDIR/tests/data/output_open.lua" path="$dev"
	expect_rc 1
	expect_has err "cannot write the trace file $dev: No space left on device"
	checks=$((checks + 1))
	is_chardev "$dev" || fail "$dev is no longer a character device"
done

echo "output.sh: $checks checks, $failed failed"
[ "$failed" -eq 0 ]
