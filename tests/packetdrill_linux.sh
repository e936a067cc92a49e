#!/bin/sh
# The scripts under tests/packetdrill/ against the real Linux kernel: each
# runs in a network namespace of its own, created and deleted here, with a
# packetdrill binary from $PACKETDRILL or PATH.  Skipped (77) without root,
# without `ip netns`, ethtool or packetdrill.  Every script must pass on
# Linux but those in LINUX_DIFFERS, each with its reason.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"
PD=$SYNACK_SRCDIR/tests/packetdrill

skip() {
	echo "SKIP: packetdrill_linux.sh: $*"
	exit 77
}
[ "$(id -u)" = 0 ] || skip "not root (packetdrill needs a tun device)"
command -v ip >/dev/null 2>&1 || skip "no ip command"
ip netns list >/dev/null 2>&1 || skip "no ip netns"
command -v ethtool >/dev/null 2>&1 || skip "no ethtool (defaults.sh turns the tun device's offloads off)"
PACKETDRILL=${PACKETDRILL:-$(command -v packetdrill 2>/dev/null)}
[ -n "$PACKETDRILL" ] && [ -x "$PACKETDRILL" ] || skip "no packetdrill binary (PATH or \$PACKETDRILL)"

# Scripts that cannot pass on Linux, and why.
LINUX_DIFFERS="
time_wait: real packetdrill reads no TCP_INFO fields (tcpi_state)
slow_start_iw10: Linux's PSH flags follow its 2-segment GSO packets, not the end of the write
peer_window_limits: Linux sent 1024 bytes into a 1024-byte window despite the peer's 1000-byte MSS
window_update_opens: Linux sent 1024 bytes into a 1024-byte window despite the peer's 1000-byte MSS
"

differs() {
	echo "$LINUX_DIFFERS" | grep -q "^$1:"
}

ran=0
passed=0
failed=0
listed=0
ns=synack-pd-$$
trap 'ip netns del "$ns" 2>/dev/null' EXIT
trap 'exit 1' HUP INT TERM
for f in "$PD"/*.pkt; do
	name=$(basename "$f" .pkt)
	if differs "$name"; then
		listed=$((listed + 1))
		continue
	fi
	ip netns add "$ns" || { echo "FAIL: cannot create namespace $ns" >&2; exit 1; }
	ran=$((ran + 1))
	if out=$(cd "$PD" && ip netns exec "$ns" "$PACKETDRILL" --ip_version=ipv4 "$name.pkt" 2>&1); then
		passed=$((passed + 1))
		echo "PASS $name"
	else
		failed=$((failed + 1))
		echo "FAIL $name"
		echo "$out" | sed 's/^/    /' | head -6
	fi
	ip netns del "$ns" || { echo "FAIL: cannot delete namespace $ns" >&2; exit 1; }
done
echo "packetdrill_linux.sh: $ran ran on Linux $(uname -r), $passed passed, $failed failed, $listed listed as differing"
[ "$failed" -eq 0 ]
