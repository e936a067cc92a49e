#!/bin/sh
# synack batch under mpirun (a build configured --with-mpi): two and three
# ranks give the CSV of a single-machine batch, row for row (wall_s, the
# last column, aside), failing and timed-out runs included.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/testenv.sh"

SYNACK=$SYNACK_BUILDDIR/synack
command -v mpirun >/dev/null || { echo "batch_mpi.sh: mpirun not found"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/synack-mpi.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
cp "$SYNACK_SRCDIR/tests/data/batch_exp.lua" "$tmp/exp.lua" || exit 1
cd "$tmp" || exit 1

# Open MPI refuses root unless told; CI runs as root.
root=
[ "$(id -u)" = 0 ] && root=--allow-run-as-root

# The timeout is generous (an ok run takes a few milliseconds) so that a
# busy machine cannot turn an ok run into a timeout.
cat >mpi.cfg <<'CFG'
script = "exp.lua";
output = "local.csv";
timeout = 3.0;
grid: {
  loss = [0.1, 0.5];
  mode = ["ok", "fail", "ok", "crash", "hang"];
};
CFG
failed=0
"$SYNACK" batch mpi.cfg -j2 -q 2>local.err
[ $? -eq 1 ] || { echo "FAIL: the local batch should report failures" >&2; failed=1; }
sed 's/,[^,]*$//' local.csv >local.cut
for np in 2 3; do
	mpirun $root --oversubscribe -np $np "$SYNACK" batch mpi.cfg -o mpi$np.csv -q \
		>mpi$np.out 2>mpi$np.err
	grep -F "10 runs: 4 ok, 6 failed (2 error, 2 timeout, 2 crash)" mpi$np.err >/dev/null ||
		{ echo "FAIL: -np $np: summary" >&2; cat mpi$np.err >&2; failed=1; }
	sed 's/,[^,]*$//' mpi$np.csv >mpi$np.cut
	if ! cmp -s local.cut mpi$np.cut; then
		echo "FAIL: mpirun -np $np differs from the local batch" >&2
		diff local.cut mpi$np.cut >&2
		failed=1
	fi
done
[ $failed -eq 0 ] && echo "batch_mpi.sh: mpirun -np 2 and -np 3 match the local batch"
exit $failed
