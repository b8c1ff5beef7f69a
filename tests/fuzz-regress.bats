#!/usr/bin/env bats
# Regressions found by fuzzing (fuzz/README.md): each finding as a plain
# command on the normal build (so `make check` replays it under ASan+UBSan),
# and every input kept in fuzz/crashers/ replayed through its harness when
# the fuzz build exists (make fuzz).

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
}

@test "kpi-agg without -g: the one group's empty key is not memcmp'd from NULL (fuzz: tool-kpi-agg, UBSan)" {
	printf 'a\n1\n2\n3\n' >a.tsv
	run --separate-stderr kpi-agg count sum:a a.tsv
	assert_success
	assert_output $'count\tsum_a\n3\t6'
	assert_equal "$stderr" ""
}

@test "a field range of a million is resolved in linear time (fuzz: fieldlist, timeout)" {
	printf 'a\tb\n1\t2\n' >a.tsv
	run --separate-stderr timeout 10 imdb-cat --schema none -f 1-1000000 a.tsv
	assert_failure 2
	assert_equal "$stderr" $'imdb-cat: -f: field 1000000 is past the last field (2)\nTry \'imdb-cat --help\' for more information.'
}

@test "every kept crasher passes its harness" {
	shopt -s nullglob
	crashers=("$REPO"/fuzz/crashers/*)
	[ ${#crashers[@]} -gt 0 ] || skip "no crashers kept"
	ran=0
	for c in "${crashers[@]}"; do
		name=$(basename "$c")
		target=${name%-*}
		h=$REPO/build/fuzz/fuzz_$target
		[ -x "$h" ] || continue
		ASAN_OPTIONS=detect_leaks=0 run "$h" -timeout=10 "$c"
		[ "$status" -eq 0 ] || fail "$name: $output"
		ran=$((ran + 1))
	done
	[ "$ran" -gt 0 ] || skip "no fuzz build (make fuzz builds build/fuzz/)"
}

@test "scd2-merge: an empty first header name is a message, not a memcpy to NULL (fuzz: tool-scd2-merge, UBSan)" {
	printf '\tb\nx\ty\n' >s.tsv
	printf 'a\tb\n' >d.tsv
	run --separate-stderr scd2-merge --as-of 2026-01-01 -k 1 --deletes invalidate d.tsv s.tsv
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: d.tsv:1: header column 1 is 'a' (expected '': DIM must have SNAPSHOT's columns, key first, plus sk and the SCD columns)"
}
