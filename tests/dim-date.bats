#!/usr/bin/env bats
# dim-date: the year-grain date dimension.  Every output is compared with
# tests/fixtures/dim-date/ref-dim-date.awk, written separately from the C.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	IN=$FIX/dim-date/titles.tsv
	REF=$FIX/dim-date/ref-dim-date.awk
}

ref() {
	awk -v from="$1" -v to="$2" -f "$REF"
}

@test "range from startYear,endYear of the input (default fields): golden and awk reference" {
	run --separate-stderr dim-date "$IN"
	assert_success
	[ -z "$stderr" ]
	assert_golden dim-date/titles.tsv
	ref 1894 1933 >want
	assert_file_eq "$GOLD/dim-date/titles.tsv" want
}

@test "--from/--to: golden over the era and century boundaries" {
	run --separate-stderr dim-date --from 1899 --to 2011
	assert_success
	assert_golden dim-date/1899-2011.tsv
	ref 1899 2011 >want
	assert_file_eq "$GOLD/dim-date/1899-2011.tsv" want
	# the era table of DESIGN.md, one row per boundary year
	run awk -F'\t' '$1 ~ /^(1929|1930|1959|1960|1979|1980|1999|2000|2009|2010)$/ { print $1, $7 }' \
		"$GOLD/dim-date/1899-2011.tsv"
	assert_output "1929 Silent era
1930 Golden Age
1959 Golden Age
1960 New Hollywood
1979 New Hollywood
1980 Blockbuster era
1999 Blockbuster era
2000 Digital era
2009 Digital era
2010 Streaming era"
}

@test "century ordinals: 1st 2nd 3rd 4th 11th 12th 13th 21st 22nd 23rd 100th" {
	run --separate-stderr dim-date --from 1 --to 9999
	assert_success
	ref 1 9999 >want
	printf '%s\n' "$output" >got
	assert_file_eq got want
	run awk -F'\t' '$1 ~ /^(1|100|200|300|1000|1100|1200|2000|2100|2200|9999)$/ { print $1, $6 }' got
	assert_output "1 1st century
100 2nd century
200 3rd century
300 4th century
1000 11th century
1100 12th century
1200 13th century
2000 21st century
2100 22nd century
2200 23rd century
9999 100th century"
}

@test "years below 1000: decade labels without padding (990s, 0s)" {
	run --separate-stderr dim-date --from 8 --to 10
	assert_success
	assert_output "$(ref 8 10)"
	run --separate-stderr dim-date --from 999 --to 999
	assert_line --index 1 $'999\t999\t990\t990s\t10\t10th century\tSilent era\tyear'
}

@test "the -1 and -2 members close every output, after the years" {
	run --separate-stderr dim-date --from 2000 --to 2000
	assert_success
	assert_output $'date_key\tyear\tdecade\tdecade_label\tcentury\tcentury_label\tera_label\tdate_type
2000\t2000\t2000\t2000s\t21\t21st century\tDigital era\tyear
-1\t\\N\t\\N\tUnknown\t\\N\tUnknown\tUnknown\tunknown
-2\t\\N\t\\N\tNot applicable\t\\N\tNot applicable\tNot applicable\tnot_applicable'
}

@test "-f one field, -N with numbers, stdin, gzip; \\N and non-positive years are ignored" {
	run --separate-stderr dim-date -f endYear "$IN"
	assert_success
	assert_output "$(ref 1931 1933)"
	run --separate-stderr sh -c "tail -n +2 '$IN' | gzip | dim-date -N -f 3"
	assert_success
	assert_output "$(ref 1894 1928)"
}

@test "one end given, the other from the data" {
	run --separate-stderr dim-date --from 1890 "$IN"
	assert_success
	assert_output "$(ref 1890 1933)"
	run --separate-stderr dim-date --to 1900 "$IN"
	assert_output "$(ref 1894 1900)"
}

@test "--stats" {
	dim-date --stats st.tsv "$IN" >/dev/null
	run cat st.tsv
	assert_output "$(printf 'tool\tmetric\tvalue\n'; printf 'dim-date\t%s\t%s\n' \
		rows_in 5 rows_out 42 rows_rejected 0 bytes_in "$(wc -c <"$IN")" year_from 1894 \
		year_to 1933 years 40 values_year 5 values_null 4 values_nonpositive 1)"
}

@test "real sample: the range is the min and max of startYear and endYear, computed by awk" {
	need_sample
	imdb-cat "$SAMPLE/title.basics.tsv.gz" >basics.tsv
	read -r lo hi < <(awk -F'\t' 'NR > 1 { for (i = 6; i <= 7; i++) if ($i != "\\N" && $i > 0) {
		if (lo == "" || $i + 0 < lo) lo = $i + 0; if ($i + 0 > hi) hi = $i + 0 } }
		END { print lo, hi }' basics.tsv)
	[ "$lo" -eq 1892 ] && [ "$hi" -eq 2019 ]
	dim-date -f startYear,endYear basics.tsv >got
	ref "$lo" "$hi" >want
	assert_file_eq got want
	[ "$(wc -l <got)" -eq $((hi - lo + 1 + 3)) ]
}

@test "data errors: bad year, ragged row, no years found (status 1)" {
	printf 'startYear\tendYear\n1990\t\\N\n19x0\t\\N\n' >bad.tsv
	run --separate-stderr dim-date bad.tsv
	assert_failure 1
	assert_output ""
	[ "$stderr" = "dim-date: bad.tsv:3: bad startYear '19x0' (expected an integer year up to 9999, or \\N)" ]
	printf 'startYear\tendYear\n12000\t\\N\n' >big.tsv
	run --separate-stderr dim-date big.tsv
	assert_failure 1
	[ "$stderr" = "dim-date: big.tsv:2: bad startYear '12000' (expected an integer year up to 9999, or \\N)" ]
	printf '1990\t\\N\n1991\n' >ragged.tsv
	run --separate-stderr dim-date -N -f 1,2 ragged.tsv
	assert_failure 1
	[ "$stderr" = "dim-date: ragged.tsv:2: expected 2 fields, found 1" ]
	printf 'startYear\tendYear\n\\N\t\\N\n0\t\\N\n' >none.tsv
	run --separate-stderr dim-date none.tsv
	assert_failure 1
	[ "$stderr" = "dim-date: none.tsv: no years found (expected positive integers in -f startYear,endYear)" ]
	run --separate-stderr dim-date </dev/null
	assert_failure 1
	[ "$stderr" = "dim-date: stdin: empty input (expected a header line)" ]
}

@test "usage errors (status 2)" {
	hint="Try 'dim-date --help' for more information."
	run --separate-stderr dim-date --from 2000 --to 1999
	assert_failure 2
	[ "$stderr" = "dim-date: --from 2000 is after --to 1999"$'\n'"$hint" ]
	run --separate-stderr dim-date --from 19.5 --to 2000
	assert_failure 2
	[ "$stderr" = "dim-date: --from: invalid year '19.5' (expected an integer from 1 to 9999)"$'\n'"$hint" ]
	run --separate-stderr dim-date --from 1990 --to 0
	assert_failure 2
	[ "$stderr" = "dim-date: --to: invalid year '0' (expected an integer from 1 to 9999)"$'\n'"$hint" ]
	run --separate-stderr dim-date --from 1990 --to 2000 "$IN"
	assert_failure 2
	[ "$stderr" = "dim-date: --from and --to give the whole range: no input is read (drop -f and FILE)"$'\n'"$hint" ]
	run --separate-stderr dim-date --from 1990 "$IN"
	assert_failure 2
	[ "$stderr" = "dim-date: the range 1990 to 1933 is empty (--from against the years in the input)"$'\n'"$hint" ]
	run --separate-stderr dim-date -N "$IN"
	assert_failure 2
	[ "$stderr" = "dim-date: -N needs -f to say which fields hold years"$'\n'"$hint" ]
	run --separate-stderr dim-date -f runtimeMinutes "$IN"
	assert_failure 2
	[ "$stderr" = "dim-date: -f: unknown field 'runtimeMinutes' (header: tconst, titleType, startYear, endYear)" ]
}

@test "--help prints the synopsis of the man page; --version; -o and /dev/full" {
	run --separate-stderr dim-date --help
	assert_success
	assert_output "usage: dim-date [--from YEAR --to YEAR] [-f FIELD[,FIELD]] [-N] [--stats FILE] [--progress]
                [-o FILE] [FILE ...]"
	run dim-date --version
	assert_output --regexp '^dim-date \(p07\) [0-9.]+$'
	run --separate-stderr dim-date -o out.tsv "$IN"
	assert_success
	[ -z "$output" ]
	assert_file_eq out.tsv "$GOLD/dim-date/titles.tsv"
	run --separate-stderr sh -c "dim-date --from 1 --to 2 >/dev/full"
	assert_failure 1
	[ "$stderr" = "dim-date: stdout: write error: No space left on device" ]
}
