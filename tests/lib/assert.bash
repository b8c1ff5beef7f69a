# shellcheck shell=bash
# bats-support and bats-assert (Debian packages bats-support, bats-assert):
# the files their load.bash scripts source, in the same order, sourced
# directly.  Each load.bash runs one `dirname` per file, 15 processes before
# every test; on a loaded 2-core machine that is about a third of a CPU
# second per test, some 100 CPU seconds over the suites.
#
#   load lib/assert      (in place of the two `load .../load` lines)

for _lib in bats-support/src/{output,error,lang} \
    bats-assert/src/{assert,refute,assert_equal,assert_not_equal,assert_success,assert_failure} \
    bats-assert/src/{assert_output,refute_output,assert_line,refute_line,assert_regex,refute_regex}; do
	# shellcheck disable=SC1090
	source "/usr/lib/bats/$_lib.bash"
done
unset _lib
