# The environment of a shell test (sourced first, after `here` is set to
# the test's directory): the source and build trees (make check passes
# them; run by hand, the tree the test is in), the test config, and no
# plugin path from the caller's environment.
: "${SYNACK_SRCDIR:=$(dirname "$here")}"
: "${SYNACK_BUILDDIR:=$SYNACK_SRCDIR}"
: "${SYNACK_CONFIG:=$SYNACK_SRCDIR/tests/test.conf}"
export SYNACK_CONFIG
unset SYNACK_PLUGIN_PATH
