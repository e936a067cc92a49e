#!/bin/sh
# Differential test: each scenario of tests/linux_diff/scenarios runs twice,
# once between two Linux sockets (namespaces synack-diff-l-PID and
# synack-diff-r-PID joined by a veth pair, 198.18.0.1 and 198.18.0.2), once
# with synack's TCP (timers = "linux") in place of the "peer" side, through
# the TUN device syn0 of the first namespace (192.0.2.1, synack 192.0.2.2).
# Both are captured on the Linux side's interface and compared segment by
# segment (tests/linux_diff/compare.py).  Losses are nftables rules in the
# Linux side's namespace that drop the Nth segment of a kind, the same in
# both runs.  A scenario that differs where it should not is run and
# compared again, up to five rounds in all (see "rounds" below): only a
# difference that persists fails.  The namespaces are deleted on exit,
# failure included.
# Skipped (77), with the reason, without root, /dev/net/tun, ip netns,
# python3, tshark/dumpcap, nft or ethtool.
# LINUX_DIFF_ONLY="NAME..." runs those scenarios only; LINUX_DIFF_KEEP=1
# keeps the directory of the captures and outputs; PYTHON names python3.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (CAP_NET_ADMIN) for network namespaces and a TUN device"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (the kernel's tun driver)"
command -v ip >/dev/null 2>&1 || skip "no ip command (Debian package iproute2)"
# (Debian's python3, which ./setup installs, before another on the PATH: a
# version manager's shim takes a tenth of a second or more to start)
if [ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then python=/usr/bin/python3; else python=${PYTHON:-python3}; fi
command -v "$python" >/dev/null 2>&1 || skip "no $python (Debian package python3)"
command -v tshark >/dev/null 2>&1 && command -v dumpcap >/dev/null 2>&1 ||
	skip "no tshark/dumpcap (Debian package tshark)"
command -v nft >/dev/null 2>&1 || skip "no nft, for the losses (Debian package nftables)"
command -v ethtool >/dev/null 2>&1 || skip "no ethtool, to turn the veth offloads off (Debian package ethtool)"

nsl=synack-diff-l-$$
nsr=synack-diff-r-$$
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-diff.XXXXXX") || exit 1
caps=
pids=
cleanup() {
	for p in $pids $caps; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	for n in $nsl $nsr; do
		if ip netns list 2>/dev/null | grep -q "^$n\b"; then
			ip netns exec "$n" ip link del syn0 2>/dev/null
			ip netns exec "$n" ip link del veth0 2>/dev/null
			ip netns del "$n"
		fi
	done
	if [ -n "${LINUX_DIFF_KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
. "$here/shlib.sh"
label=linux_diff

ip netns add "$nsl" 2>"$tmp/err" || skip "ip netns add failed: $(cat "$tmp/err")"
ip netns add "$nsr" || exit 1
inl() { ip netns exec "$nsl" "$@"; }
inr() { ip netns exec "$nsr" "$@"; }
for n in $nsl $nsr; do
	ip netns exec "$n" ip link set lo up
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
	# the orphans' FIN_WAIT_2 timeout, synack's fin_wait2 below
	ip netns exec "$n" sysctl -qw net.ipv4.tcp_fin_timeout=2 || exit 1
done
inl ip link add veth0 type veth peer name veth1 netns "$nsr" 2>"$tmp/err" ||
	skip "cannot create a veth pair: $(cat "$tmp/err")"
inl ip addr add 198.18.0.1/24 dev veth0 && inl ip link set veth0 up &&
	inr ip addr add 198.18.0.2/24 dev veth1 && inr ip link set veth1 up || exit 1
# One segment per packet, as on the TUN device.
inl ethtool -K veth0 tso off gso off gro off >/dev/null 2>&1 &&
	inr ethtool -K veth1 tso off gso off gro off >/dev/null 2>&1 ||
	skip "ethtool cannot turn the veth offloads off"
inl ip tuntap add dev syn0 mode tun 2>"$tmp/err" ||
	skip "cannot create a TUN device in a namespace: $(cat "$tmp/err")"
inl ip addr add 192.0.2.1/24 dev syn0 && inl ip link set syn0 up || exit 1
# The drops: a chain for what arrives at the Linux side, one for what leaves.
inl nft -f - <<'NFT' 2>"$tmp/err" || skip "nftables does not work here: $(cat "$tmp/err")"
table inet synack_diff {
	chain in { type filter hook input priority 0; }
	chain out { type filter hook output priority 0; }
}
NFT

has_line() { grep -q "$2" "$1" 2>/dev/null; }
# packets_on DEV: the packets DEV (in the Linux side's namespace) has
# sent and received so far
packets_on() {
	echo $(($(inl cat /sys/class/net/$1/statistics/rx_packets) +
		$(inl cat /sys/class/net/$1/statistics/tx_packets)))
}
# start_captures DIR: dumpcap on both devices of the Linux side, into DIR
start_captures() {
	cap_dir=$1
	for dev in veth0 syn0; do
		# (a 64 MiB buffer: a busy machine makes dumpcap drop packets otherwise)
		# (ip netns exec execs dumpcap: $! is dumpcap's pid)
		ip netns exec "$nsl" dumpcap -P -B 64 -i $dev -w "$1/$dev.pcap" 2>"$1/dumpcap-$dev.err" &
		caps="$caps $!"
		wait_for "dumpcap on $dev" has_line "$1/dumpcap-$dev.err" "Capturing on" || return 1
		# (counted once it captures: it may count more, never fewer)
		eval "cap_base_$dev=\$(packets_on $dev)"
	done
}
# captured DEV: true once dumpcap has counted every packet DEV carried
# since its capture began (it reads them from the kernel in batches: one
# interrupted earlier loses the last, a scenario's final segments)
captured() {
	eval "want=\$((\$(packets_on $1) - cap_base_$1))"
	got=$(tr '\r' '\n' <"$cap_dir/dumpcap-$1.err" | sed -n 's/^Packets: \([0-9]*\).*/\1/p' | tail -n 1)
	[ "${got:-0}" -ge "$want" ]
}
# stop_captures: the last segments are in the captures once dumpcap has
# counted them, and written them: it writes what it has when interrupted.
stop_captures() {
	for dev in veth0 syn0; do
		wait_for "dumpcap to count every packet on $dev" captured $dev
	done
	for p in $caps; do
		kill -INT "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	caps=
}

# The programs of both sides run before the machine's other work, in the
# real-time class (SCHED_FIFO; they sleep but for a few ms a second, and
# the kernel keeps 5 % of each CPU for the others): on a busy machine (a
# load of 15 on 2 cores, another test's real-time packetdrill) a program
# at the default priority, even at nice -20, waits tens of ms for a CPU
# now and then; synack then acknowledges a segment late and the kernel's
# tail loss probe (2 SRTT + 8 ms) goes before the ACK, which no scenario
# step can order.  (Without chrt or the right to use it, nice -n -20; else
# the default.)
prio=
if command -v chrt >/dev/null 2>&1 && chrt -f 10 true 2>/dev/null; then
	prio="chrt -f 10"
elif [ "$(nice -n -20 nice 2>/dev/null)" -lt "$(nice)" ] 2>/dev/null; then
	prio="nice -n -20"
fi
scenarios="$SYNACK_SRCDIR/tests/linux_diff/scenarios"
peer="$SYNACK_SRCDIR/tests/linux_diff/peer.py"
side="$SYNACK_SRCDIR/tests/linux_diff/synack_side.lua"
synack="$SYNACK_BUILDDIR/synack"
# synack's timer profile parameters matching the namespaces' sysctls
timers="fin_wait2=2s"
# (Linux's default receive buffer, tcp_rmem[1]; the window is a share of it)
rcvbuf=131072

# field N of scenario NAME's line KEYWORD
scen_line() { awk -v n="$1" -v k="$2" '$1 == "scenario" { cur = ($2 == n) } cur && $1 == k' "$scenarios"; }

# nft rules for scenario $1 (port $2)
add_drops() {
	scen_line "$1" drop | while read -r _ dir what which; do
		case $what in
		syn) m='tcp flags & (syn | ack) == syn' ;;
		synack) m='tcp flags & (syn | ack) == syn | ack' ;;
		fin) m='tcp flags & fin == fin' ;;
		# (headers with options take at most 80 bytes, and the scenarios'
		# payloads at least 100: nft has no arithmetic for the exact length)
		data) m='ip length > 180' ;;
		pureack) m='tcp flags == ack ip length <= 80' ;;
		esac
		case $which in
		all) n= ;;
		*) n="numgen inc mod 1000000 { $(echo "$which" | awk -F, '{ for (i = 1; i <= NF; i++) printf "%s%d", (i > 1 ? ", " : ""), $i - 1 }') }" ;;
		esac
		echo "add rule inet synack_diff $dir tcp sport $2 $m $n counter drop"
		echo "add rule inet synack_diff $dir tcp dport $2 $m $n counter drop"
	done >"$tmp/rules"
	inl nft -f "$tmp/rules" || { fail "$1: nft rules: $(cat "$tmp/rules")"; return 1; }
}

# run NAME PORT MODE DIR: one run of a scenario, MODE linux or synack,
# its files in DIR
run_scenario() {
	name=$1 port=$2 mode=$3
	d=$4/$name-$mode
	mkdir -p "$d"
	t0=$(date +%s)
	add_drops "$name" "$port" || return
	if [ "$mode" = linux ]; then
		laddr=198.18.0.1 paddr=198.18.0.2
		set -- inr $prio timeout 120 "$python" "$peer" "$scenarios" "$name" peer $paddr $laddr "$d" $offset
	else
		laddr=192.0.2.1 paddr=192.0.2.2
		set -- inl $prio timeout 120 "$synack" run "$side" scenarios="$scenarios" name="$name" dev=syn0 \
			address=$paddr/24 remote=$laddr syncdir="$d" port_offset=$offset timers="$timers" rcvbuf="$rcvbuf" pcap="$d/synack.pcap"
	fi
	# the listening side first
	if scen_line "$name" peer | grep -qw listen; then
		"$@" >"$d/peer.out" 2>&1 &
		ppid=$!
		wait_for "$name's $mode peer to listen" has_line "$d/peer.out" '^ready'
		inl $prio timeout 120 "$python" "$peer" "$scenarios" "$name" linux $laddr $paddr "$d" $offset >"$d/linux.out" 2>&1 &
		lpid=$!
	elif [ "$mode" = synack ] && ! scen_line "$name" linux | grep -qw listen; then
		# the Linux side connects to synack's node: the node is there
		# first, its device up, or the SYN would find no one
		"$@" >"$d/peer.out" 2>&1 &
		ppid=$!
		wait_for "$name's synack side to attach" has_line "$d/peer.out" '^attached'
		inl $prio timeout 120 "$python" "$peer" "$scenarios" "$name" linux $laddr $paddr "$d" $offset >"$d/linux.out" 2>&1 &
		lpid=$!
	else
		inl $prio timeout 120 "$python" "$peer" "$scenarios" "$name" linux $laddr $paddr "$d" $offset >"$d/linux.out" 2>&1 &
		lpid=$!
		if scen_line "$name" linux | grep -qw listen; then
			wait_for "$name's Linux side to listen" has_line "$d/linux.out" '^ready'
		fi
		"$@" >"$d/peer.out" 2>&1 &
		ppid=$!
	fi
	pids="$lpid $ppid"
	wait $lpid || fail "$name ($mode run): the Linux side exited with $?: $(cat "$d/linux.out")"
	: >"$d/end"
	wait $ppid || fail "$name ($mode run): the peer exited with $?: $(cat "$d/peer.out")"
	pids=
	inl nft flush chain inet synack_diff in && inl nft flush chain inet synack_diff out
	echo "$name $mode ($(($(date +%s) - t0)) s): $(grep -h '^result' "$d/linux.out" "$d/peer.out" | tr '\n' ' ')"
}

# A round runs the scenarios named, each twice, under fresh captures, and
# compares them; a scenario that differs where no "known" line expects it
# runs again in the next round.  The kernel's timers and the two programs
# run in real time, so on a busy machine a step may come late enough to
# change what is sent (a delayed ACK timer firing before a read, say): a
# difference counts when it persists through $rounds rounds (delayed_ack's
# Linux receiver, reading late, batches its ACKs in about one round of two).  Round R uses
# the scenarios' ports plus (R - 1) * 1000, so that no connection of an
# earlier round (in TIME_WAIT) meets the new ones.
rounds=5
start=$(date +%s)
todo=${LINUX_DIFF_ONLY:-$(awk '$1 == "scenario" { print $2 }' "$scenarios")}
round=1
while [ -n "$todo" ]; do
	rdir=$tmp/round$round
	mkdir -p "$rdir"
	offset=$(((round - 1) * 1000))
	echo "== round $round of at most $rounds: $(echo $todo)"
	start_captures "$rdir" || exit 1
	for name in $todo; do
		port=$(awk -v n="$name" '$1 == "scenario" && $2 == n { print $3 }' "$scenarios")
		[ -n "$port" ] || { fail "no scenario $name"; continue; }
		port=$((port + offset))
		run_scenario "$name" "$port" linux "$rdir"
		run_scenario "$name" "$port" synack "$rdir"
	done
	stop_captures
	grep -h '^Packets' "$rdir"/dumpcap-*.err
	echo "== comparison, round $round (first run: two Linux sockets; second: synack as the peer)"
	"$python" "$SYNACK_SRCDIR/tests/linux_diff/compare.py" "$scenarios" \
		"$rdir/veth0.pcap" 198.18.0.1 "$rdir/syn0.pcap" 192.0.2.1 \
		--port-offset $offset --differing "$rdir/differing" --only $todo
	case $? in
	0) todo= ;;
	1) todo=$(cat "$rdir/differing") ;;
	*) fail "compare.py failed in round $round"; todo= ;;
	esac
	if [ -n "$todo" ] && [ $round -ge $rounds ]; then
		fail "unexpected differences from Linux in each of $rounds rounds: $(echo $todo)"
		todo=
	elif [ -n "$todo" ]; then
		echo "== unexpected differences in round $round, run again: $(echo $todo)"
	elif [ $round -gt 1 ]; then
		echo "== round $round: no unexpected difference left (the differences of earlier rounds did not repeat)"
	fi
	round=$((round + 1))
done
echo "linux_diff.sh: $(($(date +%s) - start)) s of scenarios"
[ $failed -eq 0 ] || echo "linux_diff.sh: $failed failed checks"
exit $((failed != 0))
