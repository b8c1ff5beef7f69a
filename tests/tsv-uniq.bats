#!/usr/bin/env bats
# tsv-uniq: the first row of each key in input order, by whole line or by
# fields, --within runs (a short run's list and a long run's set), -N,
# stats, checked against awk; then the error paths.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	# principals-like rows grouped by tconst; tt2 comes back after tt3
	printf '%s\n' $'tconst\tnconst\tcategory' \
	    $'tt1\tnm1\tactor' $'tt1\tnm2\tactor' $'tt1\tnm1\tactor' $'tt1\tnm1\tdirector' \
	    $'tt2\tnm1\tactor' $'tt2\tnm3\tself' $'tt2\tnm3\tself' \
	    $'tt3\tnm2\tactor' \
	    $'tt2\tnm3\tself' $'tt2\tnm1\tactor' >in.tsv
}

# same_as_awk PROGRAM -- TSV-UNIQ-ARGS...: tsv-uniq on rand.tsv gives what the
# awk PROGRAM gives (which sees the data rows only; the header is kept)
same_as_awk() {
	local prog=$1
	shift 2
	{ head -n 1 rand.tsv; tail -n +2 rand.tsv | awk -F '\t' "$prog"; } >want.tsv
	run --separate-stderr tsv-uniq "$@" -o got.tsv rand.tsv
	assert_success
	assert_equal "$stderr" ""
	assert_file_eq got.tsv want.tsv
}

@test "default: the whole line is the key, first occurrence kept in input order" {
	run --separate-stderr tsv-uniq in.tsv
	assert_success
	assert_equal "$stderr" ""
	assert_output "$(printf '%s\n' $'tconst\tnconst\tcategory' \
	    $'tt1\tnm1\tactor' $'tt1\tnm2\tactor' $'tt1\tnm1\tdirector' \
	    $'tt2\tnm1\tactor' $'tt2\tnm3\tself' $'tt3\tnm2\tactor')"
	# the same as awk's idiom on the data rows
	assert_output "$(head -n 1 in.tsv; tail -n +2 in.tsv | awk '!seen[$0]++')"
}

@test "-f by name and by number, one field or several, in any order" {
	want1=$(printf '%s\n' $'tconst\tnconst\tcategory' $'tt1\tnm1\tactor' $'tt2\tnm1\tactor' $'tt3\tnm2\tactor')
	for f in tconst 1 --fields=tconst; do
		if [ "$f" = --fields=tconst ]; then run --separate-stderr tsv-uniq "$f" in.tsv
		else run --separate-stderr tsv-uniq -f "$f" in.tsv; fi
		assert_success
		assert_output "$want1"
	done
	want2=$(printf '%s\n' $'tconst\tnconst\tcategory' $'tt1\tnm1\tactor' $'tt1\tnm2\tactor' \
	    $'tt2\tnm1\tactor' $'tt2\tnm3\tself' $'tt3\tnm2\tactor')
	# adjacent fields (a slice of the row) and others (copied), same keys
	for f in tconst,nconst 1-2 2,1 nconst,tconst; do
		run --separate-stderr tsv-uniq -f "$f" in.tsv
		assert_success
		assert_output "$want2"
	done
	run --separate-stderr tsv-uniq -f category in.tsv
	assert_output "$(printf '%s\n' $'tconst\tnconst\tcategory' $'tt1\tnm1\tactor' $'tt1\tnm1\tdirector' $'tt2\tnm3\tself')"
}

@test "--within: a repeat inside a run is dropped, the same key in the next run kept, a recurring run is a new run" {
	run --separate-stderr tsv-uniq -f nconst --within tconst --stats st.tsv in.tsv
	assert_success
	assert_equal "$stderr" ""
	# tt1: nm1 nm2 (nm1 twice dropped); tt2: nm1 (new run) nm3 (once dropped);
	# tt3: nm2; tt2 again: a new run, so nm3 and nm1 are kept again
	assert_output "$(printf '%s\n' $'tconst\tnconst\tcategory' \
	    $'tt1\tnm1\tactor' $'tt1\tnm2\tactor' \
	    $'tt2\tnm1\tactor' $'tt2\tnm3\tself' \
	    $'tt3\tnm2\tactor' \
	    $'tt2\tnm3\tself' $'tt2\tnm1\tactor')"
	assert_equal "$(cat st.tsv)" "$(printf '%s\n' $'tool\tmetric\tvalue' $'tsv-uniq\trows_in\t10' \
	    $'tsv-uniq\trows_out\t7' $'tsv-uniq\tduplicates\t3' $'tsv-uniq\truns\t4' $'tsv-uniq\tbytes_in\t163')"
	# the run is the value of all --within fields: by (tconst, category)
	run --separate-stderr tsv-uniq -f nconst --within category,tconst in.tsv
	assert_output "$(printf '%s\n' $'tconst\tnconst\tcategory' \
	    $'tt1\tnm1\tactor' $'tt1\tnm2\tactor' $'tt1\tnm1\tdirector' \
	    $'tt2\tnm1\tactor' $'tt2\tnm3\tself' $'tt3\tnm2\tactor' $'tt2\tnm3\tself' $'tt2\tnm1\tactor')"
	# a key that never changes in its run: the first row of each run
	run --separate-stderr tsv-uniq -f tconst --within tconst in.tsv
	assert_output "$(printf '%s\n' $'tconst\tnconst\tcategory' \
	    $'tt1\tnm1\tactor' $'tt2\tnm1\tactor' $'tt3\tnm2\tactor' $'tt2\tnm3\tself')"
}

@test "-N: headerless input, fields by number, no header written" {
	tail -n +2 in.tsv >body.tsv
	run --separate-stderr tsv-uniq -N -f 2 --within 1 body.tsv
	assert_success
	assert_output "$(printf '%s\n' $'tt1\tnm1\tactor' $'tt1\tnm2\tactor' \
	    $'tt2\tnm1\tactor' $'tt2\tnm3\tself' $'tt3\tnm2\tactor' $'tt2\tnm3\tself' $'tt2\tnm1\tactor')"
	# without -N the first row would be the header: here it is data
	printf 'a\na\nb\n' >one.tsv
	run --separate-stderr tsv-uniq -N one.tsv
	assert_output "$(printf 'a\nb')"
	run --separate-stderr tsv-uniq one.tsv
	assert_output "$(printf 'a\na\nb')"
	run --separate-stderr tsv-uniq -N -f nconst body.tsv
	assert_failure 2
	assert_equal "$stderr" "tsv-uniq: -f: field name 'nconst' needs a header (input is headerless with -N: use numbers)
Try 'tsv-uniq --help' for more information."
	run --separate-stderr tsv-uniq -N -f 4 body.tsv
	assert_failure 1
	assert_equal "$stderr" "tsv-uniq: body.tsv:1: -f: field 4 is past the last field (3)"
	run --separate-stderr tsv-uniq -N --within 5 body.tsv
	assert_failure 1
	assert_equal "$stderr" "tsv-uniq: body.tsv:1: --within: field 5 is past the last field (3)"
}

@test "--stats: exact contents, rows_in = rows_out + duplicates; --counters" {
	run --separate-stderr tsv-uniq -f 1 --stats st.tsv --counters in.tsv
	assert_success
	assert_equal "$stderr" "reporter:counter:tsv-uniq,rows_in,10
reporter:counter:tsv-uniq,rows_out,3
reporter:counter:tsv-uniq,duplicates,7
reporter:counter:tsv-uniq,bytes_in,163"
	# no runs without --within
	assert_equal "$(cat st.tsv)" "$(printf '%s\n' $'tool\tmetric\tvalue' $'tsv-uniq\trows_in\t10' \
	    $'tsv-uniq\trows_out\t3' $'tsv-uniq\tduplicates\t7' $'tsv-uniq\tbytes_in\t163')"
	assert_equal "$(wc -c <in.tsv)" 163
	# the identity, and rows_out is what was written, on every mode
	for args in "" "-f 2" "-f 3,1" "-f 2 --within 1" "--within 3" "-f 1 --within 1"; do
		# shellcheck disable=SC2086
		tsv-uniq $args --stats st.tsv -o out.tsv in.tsv
		run awk -F '\t' '$2 == "rows_in" { i = $3 } $2 == "rows_out" { o = $3 } $2 == "duplicates" { d = $3 }
		    END { print (i == o + d && i == 10) ? "ok" : "bad " i " " o " " d, o }' st.tsv
		assert_output "ok $(($(wc -l <out.tsv) - 1))"
	done
}

@test "bytes, not characters: \\N, the empty string, case and Unicode forms are distinct values" {
	printf '%s\n' k $'\\N' '' $'\\N' 'a' 'A' '' $'\xc3\xa9' $'e\xcc\x81' $'\xc3\xa9' $'\xff' $'\xff' >b.tsv
	run --separate-stderr tsv-uniq -f k --stats st.tsv b.tsv
	assert_success
	assert_output "$(printf '%s\n' k $'\\N' '' a A $'\xc3\xa9' $'e\xcc\x81' $'\xff')"
	assert_equal "$(grep duplicates st.tsv)" $'tsv-uniq\tduplicates\t4'
	# a NUL byte is data too
	printf 'k\na\0b\na\0c\na\0b\n' >nul.tsv
	assert_equal "$(tsv-uniq nul.tsv | od -An -c | tr -s ' ')" "$(printf 'k\na\0b\na\0c\n' | od -An -c | tr -s ' ')"
}

@test "several inputs and gzip are one stream: one header, keys seen across files" {
	gzip -c in.tsv >in.tsv.gz
	run --separate-stderr tsv-uniq -f nconst in.tsv.gz in.tsv
	assert_success
	assert_output "$(printf '%s\n' $'tconst\tnconst\tcategory' $'tt1\tnm1\tactor' $'tt1\tnm2\tactor' $'tt2\tnm3\tself')"
	run --separate-stderr tsv-uniq -f nconst - <in.tsv.gz
	assert_output "$(printf '%s\n' $'tconst\tnconst\tcategory' $'tt1\tnm1\tactor' $'tt1\tnm2\tactor' $'tt2\tnm3\tself')"
	# header only: the header, no rows
	head -n 1 in.tsv >h.tsv
	run --separate-stderr tsv-uniq --within 1 --stats st.tsv h.tsv
	assert_success
	assert_output $'tconst\tnconst\tcategory'
	assert_equal "$(cut -f 2,3 st.tsv | tr '\t\n' '= ')" "metric=value rows_in=0 rows_out=0 duplicates=0 runs=0 bytes_in=23 "
}

@test "a run of 10,000 rows (past the 64 keys compared one by one) is the same as awk" {
	# one run: key = whole line, 10,000 rows over 3,000 distinct lines
	awk 'BEGIN { print "g\tk"; for (i = 0; i < 10000; i++) printf "x\tk%d\n", (i * 7919) % 3000 }' >long.tsv
	{ head -n 1 long.tsv; tail -n +2 long.tsv | awk '!seen[$0]++'; } >want.tsv
	run --separate-stderr tsv-uniq --within g --stats st.tsv -o got.tsv long.tsv
	assert_success
	assert_file_eq got.tsv want.tsv
	assert_equal "$(wc -l <got.tsv)" 3001
	assert_equal "$(grep -E 'duplicates|runs' st.tsv | cut -f 2,3 | tr '\t\n' '= ')" "duplicates=7000 runs=1 "
	# long runs and short ones in turn: each long run's set is left behind
	awk 'BEGIN { print "g\tk"; for (r = 0; r < 20; r++) { n = r % 2 ? 5 : 500
	    for (i = 0; i < n; i++) printf "r%d\tk%d\n", r % 4, (i * 31) % (n / 5 + 1) } }' >mixed.tsv
	{ head -n 1 mixed.tsv; tail -n +2 mixed.tsv | awk -F '\t' 'NR == 1 || $1 != g { delete seen; g = $1 } !seen[$2]++'; } >want.tsv
	run --separate-stderr tsv-uniq -f k --within g -o got.tsv mixed.tsv
	assert_success
	assert_file_eq got.tsv want.tsv
}

@test "differential against awk: 5,000 random rows, with and without --within" {
	# runs of 1-150 rows over 6 recurring values, keys from small alphabets
	awk -v OFS='\t' 'BEGIN { srand(20261126); print "g", "a", "b", "c"
	    for (n = 0; n < 5000; ) { g = "g" int(rand() * 6); len = 1 + int(rand() * 150)
	        for (i = 0; i < len && n < 5000; i++) {
	            n++
	            print g, (rand() < 0.1 ? "\\N" : "a" int(rand() * 9)),
	                substr("xyz", 1 + int(rand() * 3), int(rand() * 3)), "c" int(rand() * 4) } } }' >rand.tsv
	[ "$(wc -l <rand.tsv)" = 5001 ]
	same_as_awk '!s[$0]++' --
	same_as_awk '!s[$2]++' -- -f a
	same_as_awk '!s[$2 FS $3]++' -- -f a,b
	same_as_awk '!s[$4 FS $2]++' -- -f c,a
	same_as_awk '!s[$2 FS $3 FS $4]++' -- -f 2-4
	same_as_awk 'NR == 1 || $1 != p { delete s; p = $1 } !s[$0]++' -- --within g
	same_as_awk 'NR == 1 || $1 != p { delete s; p = $1 } !s[$2 FS $3]++' -- -f a,b --within g
	same_as_awk 'NR == 1 || $1 != p { delete s; p = $1 } !s[$4 FS $2]++' -- -f c,a --within 1
	same_as_awk 'NR == 1 || $4 FS $1 != p { delete s; p = $4 FS $1 } !s[$3]++' -- -f b --within c,g
	# and on headerless input
	tail -n +2 rand.tsv >rand-n.tsv
	tail -n +2 rand.tsv | awk -F '\t' 'NR == 1 || $1 != p { delete s; p = $1 } !s[$3]++' >want.tsv
	run --separate-stderr tsv-uniq -N -f 3 --within 1 -o got.tsv rand-n.tsv
	assert_success
	assert_file_eq got.tsv want.tsv
}

@test "a ragged row is an error naming the line (too few or too many fields), and -o is not written" {
	{ cat in.tsv; printf 'tt9\tnm9\n'; } >few.tsv
	{ cat in.tsv; printf 'tt9\tnm9\tactor\tx\n'; } >many.tsv
	for args in "" "-f 1" "-f 3 --within 1"; do
		# shellcheck disable=SC2086
		run --separate-stderr tsv-uniq $args -o out.tsv few.tsv
		assert_failure 1
		assert_equal "$stderr" "tsv-uniq: few.tsv:12: expected 3 fields, found 2"
		[ ! -e out.tsv ]
		# shellcheck disable=SC2086
		run --separate-stderr tsv-uniq $args -o out.tsv many.tsv
		assert_failure 1
		assert_equal "$stderr" "tsv-uniq: many.tsv:12: expected 3 fields, found 4"
		[ ! -e out.tsv ]
	done
	# an old FILE stays as it was, and no temporary is left
	echo old >out.tsv
	run --separate-stderr tsv-uniq -f 1 -o out.tsv few.tsv
	assert_failure 1
	assert_equal "$(cat out.tsv)" old
	[ -z "$(compgen -G '*.tmp.*')" ]
	# -N: the first row's width
	printf 'a\tb\nc\n' >nr.tsv
	run --separate-stderr tsv-uniq -N nr.tsv
	assert_failure 1
	assert_equal "$stderr" "tsv-uniq: nr.tsv:2: expected 2 fields, found 1"
}

@test "unknown field names: usage error (exit 2) listing the header" {
	run --separate-stderr tsv-uniq -f nope in.tsv
	assert_failure 2
	assert_equal "$stderr" "tsv-uniq: -f: unknown field 'nope' (header: tconst, nconst, category)"
	run --separate-stderr tsv-uniq -f 1 --within tconst,titleId -o out.tsv in.tsv
	assert_failure 2
	assert_equal "$stderr" "tsv-uniq: --within: unknown field 'titleId' (header: tconst, nconst, category)"
	[ ! -e out.tsv ]
	assert_output ""
}

@test "usage and input errors: exact message, status" {
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run --separate-stderr tsv-uniq $args in.tsv
		assert_failure 2
		assert_equal "$stderr" "tsv-uniq: $msg
Try 'tsv-uniq --help' for more information."
	done <<'CASES'
-f 0|-f: invalid field number '0' in '0' (fields are numbered from 1)
-f 1,,2|-f: empty field in list '1,,2'
-f 3-1|-f: invalid range '3-1' in '3-1'
-f 4|-f: field 4 is past the last field (3)
--within 2-5|--within: field 5 is past the last field (3)
CASES
	run --separate-stderr tsv-uniq -f '' in.tsv
	assert_failure 2
	assert_equal "$stderr" "tsv-uniq: -f: empty field list
Try 'tsv-uniq --help' for more information."
	run --separate-stderr tsv-uniq --bogus in.tsv
	assert_failure 2
	assert_equal "$stderr" "tsv-uniq: unrecognized option '--bogus'
Try 'tsv-uniq --help' for more information."
	run --separate-stderr tsv-uniq -o out.tsv missing.tsv
	assert_failure 1
	assert_equal "$stderr" "tsv-uniq: missing.tsv: No such file or directory"
	[ ! -e out.tsv ]
	: >empty.tsv
	run --separate-stderr tsv-uniq empty.tsv
	assert_failure 1
	assert_equal "$stderr" "tsv-uniq: empty.tsv: empty input (expected a header line)"
	# a truncated gzip stream
	seq 1 20000 | sed 's/^/tt/' | gzip -n >big.gz
	head -c 2000 big.gz >cut.gz
	run --separate-stderr tsv-uniq -o out.tsv cut.gz
	assert_failure 1
	assert_equal "$stderr" "tsv-uniq: cut.gz: truncated gzip stream (unexpected end of file after 2000 bytes)"
	[ ! -e out.tsv ]
}

@test "-o FILE only on success; /dev/full is a write error; | head -1 ends quietly" {
	run --separate-stderr tsv-uniq -f 2 -o out.tsv in.tsv
	assert_success
	assert_equal "$(cat out.tsv)" "$(tsv-uniq -f 2 in.tsv)"
	[ -z "$(compgen -G '*.tmp.*')" ]
	need_dev_full
	run --separate-stderr tsv-uniq -o /dev/full in.tsv
	assert_failure 1
	assert_equal "$stderr" "tsv-uniq: /dev/full: write error: No space left on device"
	run --separate-stderr bash -c 'tsv-uniq in.tsv >/dev/full'
	assert_failure 1
	assert_equal "$stderr" "tsv-uniq: stdout: write error: No space left on device"
	# --stats on /dev/full: -o FILE is not committed either
	echo old >out.tsv
	run --separate-stderr tsv-uniq --stats /dev/full -o out.tsv in.tsv
	assert_failure 1
	assert_equal "$(cat out.tsv)" old
	# more than the 1 MiB output buffer and a pipe: the reader goes away
	seq 1 300000 | sed 's/^/tt/' >many.tsv
	run --separate-stderr bash -c 'tsv-uniq many.tsv | head -n 1; echo "${PIPESTATUS[0]}" >&2'
	assert_success
	assert_output tt1
	assert_equal "$stderr" 141
}

@test "--help and --version" {
	run --separate-stderr tsv-uniq --help
	assert_success
	assert_line --index 0 'usage: tsv-uniq [-N] [-f FIELDS] [--within FIELDS] [--stats FILE] [--progress]'
	run --separate-stderr tsv-uniq --version
	assert_output --regexp '^tsv-uniq \(p07\) [0-9.]+$'
}
