# Shared set-up for every Bats suite: paths, assertions, the real sample.
# shellcheck shell=bash
bats_require_minimum_version 1.5.0

load lib/assert

# BATS_TEST_DIRNAME is absolute (bats resolves it), so no `cd && pwd`.
REPO=${BATS_TEST_DIRNAME%/*}
P07_BIN=${P07_BIN:-$REPO/bin}
PATH=$P07_BIN:$PATH
SAMPLE=${P07_SAMPLE:-$REPO/../shared/data/imdb-sample}
FIX=$REPO/tests/fixtures
GOLD=$REPO/tests/golden
export REPO P07_BIN PATH SAMPLE FIX GOLD LC_ALL=C

need_sample() {
	[ -d "$SAMPLE" ] || skip "real IMDb sample not found at $SAMPLE"
}

# assert_golden NAME: $output equals tests/golden/NAME byte for byte
# (bats strips the final newline of $output, so the file is read the same way).
assert_golden() {
	local want
	want=$(cat "$GOLD/$1")
	if [ "$output" != "$want" ]; then
		printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/got"
		diff <(od -c "$GOLD/$1") <(od -c "$BATS_TEST_TMPDIR/got") | head -n 20 >&2
		fail "output differs from tests/golden/$1"
	fi
}

# assert_file_eq GOT WANT: two files equal byte for byte, with a byte diff.
assert_file_eq() {
	if ! cmp -s "$1" "$2"; then
		cmp "$1" "$2" >&2 || true
		diff <(od -c "$1") <(od -c "$2") | head -n 20 >&2
		fail "$1 differs from $2"
	fi
}

# /dev/full must be the real device (a sandbox may lack it; .ci/run makes it).
need_dev_full() {
	[ -c /dev/full ] || skip "/dev/full is not a character device here"
}
