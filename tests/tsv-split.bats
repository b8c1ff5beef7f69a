#!/usr/bin/env bats
# tsv-split: hash partitions by key, the --part mapper filter, row numbers,
# headerless input, stats and Hadoop counters, and the error paths.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	printf 'tconst\tv\ntt0000001\t1\ntt0000002\t2\ntt0000003\t3\ntt0000001\t4\ntt0000004\t5\n' >in.tsv
}

# FNV-1a 64 of KEY, modulo N, computed apart from the tool (python3's ints)
fnv_mod() {
	python3 -c 'import sys
h = 14695981039346656037
for c in sys.argv[1].encode(): h = ((h ^ c) * 1099511628211) % 2**64
print(h % int(sys.argv[2]))' "$1" "$2"
}

@test "the partition is FNV-1a 64 of the key bytes mod N (pinned vectors)" {
	# 16638944721600521684 = FNV-1a 64 of "tt0000001"; mod 4 = 0, mod 3 = 2
	printf 'tt0000001\n' >k.tsv
	run --separate-stderr tsv-split -N -k 1 --part 0/4 k.tsv
	assert_success
	assert_output tt0000001
	run --separate-stderr tsv-split -N -k 1 --part 2/3 k.tsv
	assert_output tt0000001
	run --separate-stderr tsv-split -N -k 1 --part 1/3 k.tsv
	assert_output ''
}

@test "every row lands in the partition an independent FNV-1a computes" {
	command -v python3 >/dev/null || skip "python3 not found"
	tsv-split -k tconst -n 3 --prefix p in.tsv
	for k in 0 1 2; do
		while IFS=$'\t' read -r key _; do
			[ "$key" = tconst ] && continue
			assert_equal "$(fnv_mod "$key" 3)" "$k"
		done <"p.$k.tsv"
	done
	# a two-field key is hashed as the fields joined by one TAB
	printf 'a\tb\n' >two.tsv
	want=$(fnv_mod "$(printf 'a\tb')" 5)
	run tsv-split -N -k 1,2 --part "$want/5" two.tsv
	assert_output "$(printf 'a\tb')"
}

@test "N files, each with the header, rows in input order, nothing lost" {
	run --separate-stderr tsv-split -k tconst -n 3 --prefix p in.tsv
	assert_success
	assert_output ''
	# (the partitions are checked against python3's FNV-1a above)
	assert_equal "$(cat p.0.tsv)" "$(printf 'tconst\tv')"
	assert_equal "$(cat p.1.tsv)" "$(printf 'tconst\tv\ntt0000003\t3')"
	assert_equal "$(cat p.2.tsv)" "$(printf 'tconst\tv\ntt0000001\t1\ntt0000002\t2\ntt0000001\t4\ntt0000004\t5')"
	# the union is the input (cross-check with coreutils)
	assert_equal "$(tail -q -n +2 p.*.tsv | sort)" "$(tail -n +2 in.tsv | sort)"
	ls p.* >files
	assert_equal "$(cat files)" "$(printf 'p.0.tsv\np.1.tsv\np.2.tsv')"
}

@test "--part K/N writes what PREFIX.K.tsv holds, to stdout or -o" {
	tsv-split -k tconst -n 3 --prefix p in.tsv
	for k in 0 1 2; do
		run --separate-stderr tsv-split -k tconst --part "$k/3" in.tsv
		assert_success
		assert_equal "$output" "$(cat "p.$k.tsv")"
	done
	tsv-split -k tconst --part 2/3 -o out.tsv <in.tsv
	assert_file_eq out.tsv p.2.tsv
}

@test "--number appends the input row number, so partitions can be merged back" {
	tsv-split -k 1 -n 2 --number _row --prefix p in.tsv
	run cat p.0.tsv
	assert_output "$(printf 'tconst\tv\t_row\ntt0000001\t1\t1\ntt0000003\t3\t3\ntt0000001\t4\t4')"
	run cat p.1.tsv
	assert_output "$(printf 'tconst\tv\t_row\ntt0000002\t2\t2\ntt0000004\t5\t5')"
	# merged on the number: the input again
	run sh -c 'tail -q -n +2 p.0.tsv p.1.tsv | sort -t "	" -k3,3n | cut -f 1,2'
	assert_output "$(tail -n +2 in.tsv)"
}

@test "-N: headerless input, fields by number, numbers count every line" {
	tail -n +2 in.tsv >body.tsv
	tsv-split -N -k 1 -n 3 --number row --prefix q body.tsv
	assert_equal "$(cat q.2.tsv)" "$(printf 'tt0000001\t1\t1\ntt0000002\t2\t2\ntt0000001\t4\t4\ntt0000004\t5\t5')"
	run --separate-stderr tsv-split -N -k tconst -n 2 --prefix q body.tsv
	assert_failure 2
	assert_equal "$stderr" "tsv-split: -k: field name 'tconst' needs a header (input is headerless with -N: use numbers)
Try 'tsv-split --help' for more information."
}

@test "several inputs and gzip are one stream; empty partitions still get the header" {
	gzip -c in.tsv >in.tsv.gz
	tsv-split -k tconst -n 8 --prefix p in.tsv.gz in.tsv
	assert_equal "$(tail -q -n +2 p.*.tsv | wc -l)" 10
	for k in 0 1 2 3 4 5 6 7; do
		assert_equal "$(head -n 1 "p.$k.tsv")" "$(printf 'tconst\tv')"
	done
}

@test "--stats and --counters (Hadoop Streaming counter lines on stderr)" {
	run --separate-stderr tsv-split -k tconst -n 3 --prefix p --stats st.tsv --counters in.tsv
	assert_success
	assert_equal "$stderr" "reporter:counter:tsv-split,rows_in,5
reporter:counter:tsv-split,rows_out,5
reporter:counter:tsv-split,rows_rejected,0
reporter:counter:tsv-split,bytes_in,69
reporter:counter:tsv-split,partitions,3
reporter:counter:tsv-split,rows_part_0,0
reporter:counter:tsv-split,rows_part_1,1
reporter:counter:tsv-split,rows_part_2,4"
	run cat st.tsv
	assert_output "$(printf 'tool\tmetric\tvalue\ntsv-split\trows_in\t5\ntsv-split\trows_out\t5\ntsv-split\trows_rejected\t0\ntsv-split\tbytes_in\t69\ntsv-split\tpartitions\t3\ntsv-split\trows_part_0\t0\ntsv-split\trows_part_1\t1\ntsv-split\trows_part_2\t4')"
	run --separate-stderr tsv-split -k tconst --part 2/3 --stats st.tsv in.tsv
	run cat st.tsv
	assert_output "$(printf 'tool\tmetric\tvalue\ntsv-split\trows_in\t5\ntsv-split\trows_out\t4\ntsv-split\trows_rejected\t0\ntsv-split\tbytes_in\t69\ntsv-split\tpartitions\t3\ntsv-split\trows_other_partitions\t1\ntsv-split\trows_part_2\t4')"
}

@test "a ragged row is an error naming the line, and no partition file is left" {
	printf 'tconst\tv\ntt1\t1\ntt2\n' >bad.tsv
	run --separate-stderr tsv-split -k tconst -n 2 --prefix p bad.tsv
	assert_failure 1
	assert_equal "$stderr" "tsv-split: bad.tsv:3: expected 2 fields, found 1"
	run compgen -G 'p.*'
	assert_failure
	run --separate-stderr tsv-split -k tconst -n 2 --prefix p --rejects rej.tsv bad.tsv
	assert_success
	assert_equal "$(cat rej.tsv)" "$(printf 'source\tline\treason\traw\nbad.tsv\t3\texpected 2 fields, found 1\ttt2')"
	assert_equal "$(tail -q -n +2 p.*.tsv)" "$(printf 'tt1\t1')"
}

@test "usage errors: exact message, status 2" {
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run --separate-stderr tsv-split $args in.tsv
		assert_failure 2
		assert_equal "$stderr" "tsv-split: $msg
Try 'tsv-split --help' for more information."
	done <<'CASES'
-n 2 --prefix p|-k FIELDS is required
-k 1|one of --prefix PREFIX and --part K/N is required
-k 1 --prefix p|-n N is required with --prefix
-k 1 -n 0 --prefix p|-n: invalid value '0' (expected a positive integer)
-k 1 --part 3/3|--part: invalid value '3/3' (expected K/N with 0 <= K < N)
-k 1 --part x/3|--part: invalid value 'x/3' (expected K/N with 0 <= K < N)
-k 1 --part 1|--part: invalid value '1' (expected K/N with 0 <= K < N)
-k 1 --part 0/2 -n 2|--part K/N and -n cannot be used together
-k 1 --part 0/2 --prefix p|--part and --prefix cannot be used together
-k 1 -n 2 --prefix p -o x|-o applies to --part only (partitions are named by --prefix)
-k 1 -n 2 --prefix p --number v|--number: column 'v' is already in the header
CASES
	run --separate-stderr tsv-split -k nope -n 2 --prefix p in.tsv
	assert_failure 2
	assert_equal "$stderr" "tsv-split: -k: unknown field 'nope' (header: tconst, v)"
}

@test "--help and --version" {
	run --separate-stderr tsv-split --help
	assert_success
	assert_line --index 0 --partial 'usage: tsv-split [-N] -k FIELDS -n N --prefix PREFIX'
	run --separate-stderr tsv-split --version
	assert_output --regexp '^tsv-split \(p07\) [0-9.]+$'
}
