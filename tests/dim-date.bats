#!/usr/bin/env bats
# dim-date: the year-grain date dimension.  Every output is compared with
# tests/fixtures/dim-date/ref-dim-date.awk, written separately from the C;
# every --keys output with ref-year-keys.awk, the pipeline's awk it replaces.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	IN=$FIX/dim-date/titles.tsv
	REF=$FIX/dim-date/ref-dim-date.awk
	KEYS=$FIX/dim-date/keys.tsv
}

# ref_keys [FILE]: year_keys() of pipelines/lib.sh, as the pipeline ran it
ref_keys() {
	awk -F'\t' -v OFS='\t' -f "$FIX/dim-date/ref-year-keys.awk" "$@"
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
                [-o FILE] [FILE ...]
       dim-date --keys [-f START,END] [--type FIELD] [-N] [--stats FILE] [--progress]
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

# --- --keys: start_year_key and end_year_key appended to every row ---------

@test "--keys: golden, byte for byte what year_keys()'s awk gives (leading zeros, 0, -0, negatives, \\N, case and spaces in the type)" {
	run --separate-stderr dim-date --keys "$KEYS"
	assert_success
	[ -z "$stderr" ]
	assert_golden dim-date/keys.tsv
	ref_keys "$KEYS" >want
	assert_file_eq "$GOLD/dim-date/keys.tsv" want
	# the cases spelled out: start_year_key, end_year_key by tconst
	run awk -F'\t' 'NR > 1 { printf "%s %s %s|", substr($1, 8), $7, $8 }' "$GOLD/dim-date/keys.tsv"
	assert_output "01 1994 -2|02 2001 2005|03 2019 -1|04 2020 2020|05 -1 -1|06 2003 -2|07 123 -2|08 -1 -1|09 -1 -1|10 -1 -2|11 1 9999|12 1990 -2|13 -1 -1|14 -1 -2|15 2010 -2|16 1 2024|17 1950 -2|18 1988 -2|19 1977 1978|"
	run --separate-stderr dim-date --keys "$IN"
	assert_success
	[ "$output" = "$(ref_keys "$IN")" ]
}

@test "--keys on the real sample: title.basics (50,001 rows) and movies-2022-a equal the awk byte for byte" {
	need_sample
	for f in title.basics.tsv.gz movies-2022-a/title.basics.tsv.gz; do
		imdb-cat "$SAMPLE/$f" >basics.tsv
		dim-date --keys --stats "st-${f%%/*}" "$SAMPLE/$f" >got
		ref_keys basics.tsv >want
		assert_file_eq got want
		[ "$(wc -l <got)" -eq "$(wc -l <basics.tsv)" ]
	done
	# head-2025 has every kind of key; movies-2022-a only movies (-2), a
	# third of them not out yet (no start year)
	run grep -hP '\t(rows_in|start_year_key_unknown|end_year_key_unknown|end_year_key_not_applicable)\t' \
		st-title.basics.tsv.gz st-movies-2022-a
	assert_output "$(printf 'dim-date\t%s\t%s\n' rows_in 50001 start_year_key_unknown 1 \
		end_year_key_unknown 292 end_year_key_not_applicable 49159 \
		rows_in 1000 start_year_key_unknown 326 end_year_key_unknown 0 end_year_key_not_applicable 1000)"
	# the same counts by awk over the raw columns of head-2025
	run sh -c "imdb-cat '$SAMPLE/title.basics.tsv.gz' | awk -F'\t' 'NR > 1 {
		se = \$2 == \"tvSeries\" || \$2 == \"tvMiniSeries\"
		su += !(\$6 ~ /^[0-9]+\$/ && \$6 > 0); eu += se && !(\$7 ~ /^[0-9]+\$/ && \$7 > 0); na += !se }
		END { print su, eu, na }'"
	assert_output "1 292 49159"
	# every key is a row of the dimension built from the same input
	dim-date "$SAMPLE/title.basics.tsv.gz" >dim.tsv
	for col in start_year_key end_year_key; do
		run sh -c "dim-date --keys '$SAMPLE/title.basics.tsv.gz' | tsv-join -e -f dim.tsv -k date_key -d $col | wc -l"
		assert_output 1
	done
}

@test "--keys -N: -f and --type by number, no header in or out; stdin and gzip" {
	run --separate-stderr sh -c "tail -n +2 '$KEYS' | gzip | dim-date --keys -N -f 4,5 --type 2"
	assert_success
	[ "$output" = "$(ref_keys "$KEYS" | tail -n +2)" ]
	# the fields in another order, by name, with dim_title's names
	sed '1s/.*/tconst\ttitle_type\tprimary_title\tstart_year\tend_year\tgenres/' "$KEYS" >renamed.tsv
	run --separate-stderr dim-date --keys -f start_year,end_year --type title_type renamed.tsv
	assert_success
	[ "$(printf '%s\n' "$output" | tail -n +2)" = "$(ref_keys "$KEYS" | tail -n +2)" ]
	[ "${lines[0]}" = $'tconst\ttitle_type\tprimary_title\tstart_year\tend_year\tgenres\tstart_year_key\tend_year_key' ]
}

@test "--keys --stats: rows, values read and the -1/-2 keys" {
	dim-date --keys --stats st.tsv -o out.tsv "$KEYS"
	assert_file_eq out.tsv "$GOLD/dim-date/keys.tsv"
	run cat st.tsv
	assert_output "$(printf 'tool\tmetric\tvalue\n'; printf 'dim-date\t%s\t%s\n' \
		rows_in 19 rows_out 19 rows_rejected 0 bytes_in "$(wc -c <"$KEYS")" \
		values_year 24 values_null 7 values_nonpositive 7 \
		start_year_key_unknown 6 end_year_key_unknown 5 end_year_key_not_applicable 9)"
	# the same counted by awk: values over both year fields, keys in the golden
	run awk -F'\t' 'NR > 1 { for (i = 4; i <= 5; i++) { n += $i == "\\N"; y += $i ~ /^[0-9]+$/ && $i + 0 > 0 }
		su += $7 == -1; eu += $8 == -1; na += $8 == -2 }
		END { print y, n, 2 * (NR - 1) - y - n, su, eu, na }' out.tsv
	assert_output "24 7 7 6 5 9"
}

@test "--keys: a value the dimension rejects is an error here too, even where the awk gave -1 or -2 (status 1)" {
	while IFS='|' read -r row msg; do
		printf 'tconst\ttitleType\tstartYear\tendYear\ntt1\tmovie\t1990\t\\N\n%s\n' "$row" >bad.tsv
		run --separate-stderr dim-date --keys -o out.tsv bad.tsv
		[ "$status" -eq 1 ] || fail "$row: status $status"
		[ "$stderr" = "$msg" ] || fail "$row: got '$stderr'"
		[ ! -e out.tsv ] || fail "$row: out.tsv written"
	done <<-'EOF'
	tt2	movie		\N|dim-date: bad.tsv:3: bad startYear '' (expected an integer year up to 9999, or \N)
	tt2	movie	19x0	\N|dim-date: bad.tsv:3: bad startYear '19x0' (expected an integer year up to 9999, or \N)
	tt2	movie	12000	\N|dim-date: bad.tsv:3: bad startYear '12000' (expected an integer year up to 9999, or \N)
	tt2	movie	+1990	\N|dim-date: bad.tsv:3: bad startYear '+1990' (expected an integer year up to 9999, or \N)
	tt2	movie	1990	abc|dim-date: bad.tsv:3: bad endYear 'abc' (expected an integer year up to 9999, or \N)
	tt2	tvSeries	1990	1990.5|dim-date: bad.tsv:3: bad endYear '1990.5' (expected an integer year up to 9999, or \N)
	tt2	movie	1990|dim-date: bad.tsv:3: expected 4 fields, found 3
	tt2	movie	1990	\N	x|dim-date: bad.tsv:3: expected 4 fields, found 5
	EOF
	# the dimension says the same of the same rows
	printf 'tconst\ttitleType\tstartYear\tendYear\ntt2\tmovie\t1990\tabc\n' >bad.tsv
	run --separate-stderr dim-date bad.tsv
	assert_failure 1
	[ "$stderr" = "dim-date: bad.tsv:2: bad endYear 'abc' (expected an integer year up to 9999, or \N)" ]
	# headerless: fields by number in the message, and fields past the end
	printf '1990\tx\tmovie\n' >bad.tsv
	run --separate-stderr dim-date --keys -N -f 1,2 --type 3 bad.tsv
	assert_failure 1
	[ "$stderr" = "dim-date: bad.tsv:1: bad field 2 'x' (expected an integer year up to 9999, or \N)" ]
	run --separate-stderr dim-date --keys -N -f 1,4 --type 3 bad.tsv
	assert_failure 1
	[ "$stderr" = "dim-date: bad.tsv:1: -f: field 4 is past the last field (3)" ]
	run --separate-stderr dim-date --keys -N -f 1,2 --type 7 bad.tsv
	assert_failure 1
	[ "$stderr" = "dim-date: bad.tsv:1: --type: field 7 is past the last field (3)" ]
	run --separate-stderr dim-date --keys </dev/null
	assert_failure 1
	[ "$stderr" = "dim-date: stdin: empty input (expected a header line)" ]
}

@test "--keys: usage errors (status 2)" {
	hint="Try 'dim-date --help' for more information."
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run --separate-stderr dim-date $args "$KEYS"
		[ "$status" -eq 2 ] || fail "$args: status $status"
		[ -z "$output" ] || fail "$args: wrote to stdout"
		[ "$stderr" = "$msg" ] || [ "$stderr" = "$msg"$'\n'"$hint" ] || fail "$args: got '$stderr'"
	done <<-'EOF'
	--keys --from 1990|dim-date: --keys writes no dimension: --from and --to cannot be used with it
	--type titleType|dim-date: --type is only used with --keys
	--keys -N --type 2|dim-date: -N needs -f to say which fields hold years
	--keys -N -f 4,5|dim-date: -N needs --type to say which field holds the title type
	--keys -f startYear|dim-date: -f: 'startYear' names 1 field (expected START,END with --keys)
	--keys -f 4-6|dim-date: -f: '4-6' names 3 fields (expected START,END with --keys)
	--keys --type 1,2|dim-date: --type: '1,2' names 2 fields (expected exactly one)
	--keys --type kind|dim-date: --type: unknown field 'kind' (header: tconst, titleType, primaryTitle, startYear, endYear, genres)
	--keys -N -f 4,5 --type titleType|dim-date: --type: field name 'titleType' needs a header (input is headerless with -N: use numbers)
	EOF
	printf 'tconst\ttitleType\tstartYear\tendYear\tend_year_key\n' >has.tsv
	run --separate-stderr dim-date --keys has.tsv
	assert_failure 2
	[ "$stderr" = "dim-date: --keys: column 'end_year_key' is already in the header"$'\n'"$hint" ]
}

@test "--keys: -o only on success, /dev/full, a closed pipe ends quietly" {
	printf 'tconst\ttitleType\tstartYear\tendYear\ntt1\tmovie\t1990\t\\N\ntt2\tmovie\tx\t\\N\n' >bad.tsv
	run --separate-stderr dim-date --keys -o out.tsv bad.tsv
	assert_failure 1
	[ ! -e out.tsv ]
	[ -z "$(ls out.tsv.tmp.* 2>/dev/null)" ]
	run --separate-stderr sh -c "dim-date --keys '$KEYS' >/dev/full"
	assert_failure 1
	[ "$stderr" = "dim-date: stdout: write error: No space left on device" ]
	{ printf 'tconst\ttitleType\tstartYear\tendYear\n'; seq 1 200000 | sed 's/$/\tmovie\t1990\t\\N/'; } >big.tsv
	run --separate-stderr sh -c "dim-date --keys big.tsv | head -n 1"
	assert_success
	assert_output $'tconst\ttitleType\tstartYear\tendYear\tstart_year_key\tend_year_key'
	[ -z "$stderr" ]
}
