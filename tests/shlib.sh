# Helpers shared by the shell tests (sourced; the caller sets $tmp).
# run LABEL CMD... keeps the command's stdout and stderr in $tmp/out and
# $tmp/err and its exit status in $rc; the expect_* functions count a
# check each and report a failure under the label.  FILE arguments are
# "out", "err" (the last command's outputs) or a path.

failed=0
checks=0
label=

fail() {
	failed=$((failed + 1))
	printf 'FAIL: %s: %s\n' "$label" "$1" >&2
}

show() {
	printf '  %s:\n' "$1" >&2
	sed 's/^/    | /' "$2" >&2
}

run() {
	label=$1
	shift
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# The path and the name of FILE (see above).
shlib_file() {
	case $1 in
	out | err) path=$tmp/$1 name=std$1 ;;
	*) path=$1 name=$1 ;;
	esac
}

# expect_rc N: the last command exited with N.
expect_rc() {
	checks=$((checks + 1))
	if [ "$rc" -ne "$1" ]; then
		fail "expected exit status $1, got $rc"
		show stdout "$tmp/out"
		show stderr "$tmp/err"
	fi
}

# expect_has FILE STRING: FILE contains STRING (a fixed string).
expect_has() {
	checks=$((checks + 1))
	shlib_file "$1"
	if ! grep -F -e "$2" "$path" >/dev/null; then
		fail "expected $name to contain '$2'"
		show "$name" "$path"
	fi
}

# expect_not FILE STRING: FILE does not contain STRING.
expect_not() {
	checks=$((checks + 1))
	shlib_file "$1"
	if grep -F -e "$2" "$path" >/dev/null; then
		fail "expected $name not to contain '$2'"
		show "$name" "$path"
	fi
}

# expect_empty FILE
expect_empty() {
	checks=$((checks + 1))
	shlib_file "$1"
	if [ -s "$path" ]; then
		fail "expected $name to be empty"
		show "$name" "$path"
	fi
}

# expect_out FILE: stdout is exactly FILE.
expect_out() {
	checks=$((checks + 1))
	if ! cmp -s "$1" "$tmp/out"; then
		fail "stdout differs from the expected output"
		show expected "$1"
		show got "$tmp/out"
		diff "$1" "$tmp/out" | sed 's/^/    diff /' >&2
	fi
}

# wait_for WHAT CMD...: runs CMD every 0.1 s until it succeeds, for at
# most 120 s, else counts a failure ("gave up waiting for WHAT").  A test
# waits for the condition it needs, never a fixed time: the machine may be
# slow or busy.
wait_for() {
	wait_what=$1
	shift
	wait_end=$(($(date +%s) + 120))
	until "$@"; do
		if [ "$(date +%s)" -ge "$wait_end" ]; then
			checks=$((checks + 1))
			fail "gave up waiting for $wait_what"
			return 1
		fi
		sleep 0.1
	done
}
