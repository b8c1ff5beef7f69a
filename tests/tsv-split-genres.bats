#!/usr/bin/env bats
# tsv-split-genres: explode a list field.  Every golden output is also
# recomputed by tests/fixtures/tsv-split-genres/ref-split.awk (awk split and
# an associative array, integer rounding of 1/n).

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	IN=$FIX/tsv-split-genres/basics.tsv
	REF=$FIX/tsv-split-genres/ref-split.awk
	ALL=(--ordinal genre_ordinal --count genre_count --weight allocation_weight)
}

# ref FIELD MODE [awk args...]: the reference on stdin, header renamed.
ref() {
	local f=$1 mode=$2
	shift 2
	awk -v f="$f" -v mode="$mode" -v nullas=Unknown "$@" -f "$REF"
}

@test "--null-as Unknown with all three columns: golden, equal to the awk reference" {
	run --separate-stderr tsv-split-genres --null-as Unknown "${ALL[@]}" "$IN"
	assert_success
	[ -z "$stderr" ]
	assert_golden tsv-split-genres/all-columns.tsv
	ref 3 null -v hdr=1 <"$IN" | tail -n +2 >want
	printf '%s\n' "$output" | tail -n +2 >got
	assert_file_eq got want
}

# primary: the awk of bridge_of in pipelines/lib.sh before --primary (is the
# ordinal 1?), over the reference's ordinal column (third from the end)
primary_of() {
	awk -F'\t' -v OFS='\t' '{ print $0, ($(NF - 2) == 1 ? 1 : 0) }'
}

@test "--primary after the other three (ordinal count weight primary, whatever the option order): golden, equal to the reference and to bridge_of's awk" {
	run --separate-stderr tsv-split-genres --primary is_primary --weight allocation_weight \
		--null-as Unknown --count genre_count --ordinal genre_ordinal "$IN"
	assert_success
	[ -z "$stderr" ]
	assert_golden tsv-split-genres/all-four.tsv
	[ "${lines[0]}" = $'tconst\tprimaryTitle\tgenres\tstartYear\tgenre_ordinal\tgenre_count\tallocation_weight\tis_primary' ]
	ref 3 null -v hdr=1 <"$IN" | tail -n +2 | primary_of >want
	printf '%s\n' "$output" | tail -n +2 >got
	assert_file_eq got want
	# the \N, empty and ",," lists are one Unknown row each, primary
	run awk -F'\t' '$3 == "Unknown" { print $1, $5, $8 }' "$GOLD/tsv-split-genres/all-four.tsv"
	assert_output $'tt0000003 1 1\ntt0000004 1 1\ntt0000007 1 1'
	# exactly one primary row per title
	run sh -c "tail -n +2 '$GOLD/tsv-split-genres/all-four.tsv' | awk -F'\t' '\$8 == 1 { print \$1 }' | uniq -c | awk '\$1 != 1'"
	assert_output ""
}

@test "--primary: the first kept element is primary when the list starts with empty, \\N or repeated elements" {
	printf 'id\tgenres\na\t,,Drama,Comedy,Drama\nb\t\\N,Comedy,,Comedy,War\nc\tWar,War,War\nd\t,\\N,\nd2\t\\N\n' >in.tsv
	run --separate-stderr tsv-split-genres --primary p --ordinal o in.tsv
	assert_success
	assert_output $'id\tgenres\to\tp
a\tDrama\t1\t1
a\tComedy\t2\t0
b\tComedy\t1\t1
b\tWar\t2\t0
c\tWar\t1\t1
d\t,\\N,\t\\N\t\\N
d2\t\\N\t\\N\t\\N'
	# with --null-as the substituted row is primary; alone, --primary
	run --separate-stderr tsv-split-genres --null-as Unknown --primary p in.tsv
	assert_success
	assert_output $'id\tgenres\tp
a\tDrama\t1
a\tComedy\t0
b\tComedy\t1
b\tWar\t0
c\tWar\t1
d\tUnknown\t1
d2\tUnknown\t1'
	run --separate-stderr tsv-split-genres --drop-null --primary p in.tsv
	assert_success
	assert_output $'id\tgenres\tp\na\tDrama\t1\na\tComedy\t0\nb\tComedy\t1\nb\tWar\t0\nc\tWar\t1'
}

@test "--primary with -N: no header, field by number" {
	run --separate-stderr sh -c "tail -n +2 '$IN' | tsv-split-genres -N -f 3 --null-as Unknown --primary p --ordinal o"
	assert_success
	ref 3 null <"$IN" | tail -n +2 | primary_of | cut -f1-5,8 >want
	printf '%s\n' "$output" >got
	assert_file_eq got want
	[ "$(cut -f6 got | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }')" = "0=6 1=9 " ]
}

@test "without --null-as or --drop-null a null list passes through with \\N columns" {
	run --separate-stderr tsv-split-genres "${ALL[@]}" "$IN"
	assert_success
	assert_golden tsv-split-genres/pass-null.tsv
	ref 3 pass -v hdr=1 <"$IN" | tail -n +2 >want
	printf '%s\n' "$output" | tail -n +2 >got
	assert_file_eq got want
}

@test "--drop-null drops null lists; no columns appended unless asked" {
	run --separate-stderr tsv-split-genres --drop-null --stats st.tsv "$IN"
	assert_success
	assert_golden tsv-split-genres/drop-null.tsv
	ref 3 drop <"$IN" | tail -n +2 | cut -f1-4 >want
	printf '%s\n' "$output" | tail -n +2 >got
	assert_file_eq got want
	run grep -P '\t(rows_out|null_lists|null_dropped)\t' st.tsv
	assert_output $'tsv-split-genres\trows_out\t12\ntsv-split-genres\tnull_lists\t3\ntsv-split-genres\tnull_dropped\t3'
}

@test "--stats: every counter, and both identities hold" {
	tsv-split-genres --null-as Unknown --stats st.tsv "$IN" >/dev/null
	run cat st.tsv
	assert_output "$(printf 'tool\tmetric\tvalue\n'; printf 'tsv-split-genres\t%s\t%s\n' \
		rows_in 9 rows_out 15 rows_rejected 0 bytes_in 397 lists 6 null_lists 3 \
		null_dropped 0 elements_in 20 elements_out 12 empty_elements 5 \
		null_elements 1 repeated_elements 2)"
	# rows_in = lists + null_lists + rows_rejected
	# rows_out = elements_out + null_lists - null_dropped
	# elements_in = elements_out + empty + null + repeated elements
	run awk -F'\t' '{v[$2] = $3} END {
		print (v["rows_in"] == v["lists"] + v["null_lists"] + v["rows_rejected"]),
		    (v["rows_out"] == v["elements_out"] + v["null_lists"] - v["null_dropped"]),
		    (v["elements_in"] == v["elements_out"] + v["empty_elements"] + \
		    v["null_elements"] + v["repeated_elements"]) }' st.tsv
	assert_output "1 1 1"
}

@test "-N with the field by number; stdin" {
	run --separate-stderr sh -c "tail -n +2 '$IN' | tsv-split-genres -N -f 3 --null-as Unknown --count n"
	assert_success
	ref 3 null <"$IN" | tail -n +2 | cut -f1-4,6 >want
	printf '%s\n' "$output" >got
	assert_file_eq got want
}

@test "gzip input is read transparently" {
	gzip -c "$IN" >in.gz
	run --separate-stderr tsv-split-genres --null-as Unknown "${ALL[@]}" in.gz
	assert_success
	assert_golden tsv-split-genres/all-columns.tsv
}

@test "-d with a one-byte and a multi-byte separator" {
	printf 'id\tlist\na\tx|y||x\nb\tp; q; p\n' >in.tsv
	run --separate-stderr tsv-split-genres -f list -d '|' --count n in.tsv
	assert_success
	assert_output $'id\tlist\tn\na\tx\t2\na\ty\t2\nb\tp; q; p\t1'
	run --separate-stderr tsv-split-genres -f 2 -d '; ' --ordinal i in.tsv
	assert_output $'id\tlist\ti\na\tx|y||x\t1\nb\tp\t1\nb\tq\t2'
}

@test "weight 1/128 = 0.0078125 rounds half away from zero to 0.007813 (printf would give 0.007812)" {
	{ printf 'id\tgenres\n'; printf 't\t'; seq -s, 1 128; } >in.tsv
	run --separate-stderr tsv-split-genres --weight w in.tsv
	assert_success
	[ "$(printf '%s\n' "$output" | tail -n +2 | cut -f3 | sort -u)" = 0.007813 ]
	# bc: the exact value has a 5 in the 7th decimal and nothing after it
	[ "$(echo 'scale=10; 1/128' | bc)" = .0078125000 ]
	[ "$(printf '%.6f' 0.0078125)" = 0.007812 ]
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 129 ]
}

@test "a 60,000-byte field with 10,000 elements, 7,000 repeated" {
	{ printf 'id\tgenres\n'; printf 't\t'; seq 1 10000 | awk '{printf "%s%05d", (NR > 1 ? "," : ""), NR % 3000}'; echo; } >in.tsv
	[ "$(wc -c <in.tsv)" -gt 60000 ]
	run --separate-stderr tsv-split-genres --count n --stats st.tsv in.tsv
	assert_success
	ref 2 pass -v hdr=1 <in.tsv | tail -n +2 | cut -f1,2,4 | sort >want
	printf '%s\n' "$output" | tail -n +2 | sort >got
	assert_file_eq got want
	[ "$(wc -l <got)" -eq 3000 ]
	run grep -P '\t(elements_in|elements_out|repeated_elements)\t' st.tsv
	assert_output $'tsv-split-genres\telements_in\t10000\ntsv-split-genres\telements_out\t3000\ntsv-split-genres\trepeated_elements\t7000'
}

@test "a ragged row is an error naming file and line" {
	printf 'a\tgenres\tc\nx\tDrama\t1\ny\tComedy\n' >in.tsv
	run --separate-stderr tsv-split-genres in.tsv
	assert_failure 1
	assert_output ""
	[ "$stderr" = "tsv-split-genres: in.tsv:3: expected 3 fields, found 2" ]
}

@test "--rejects keeps ragged rows and the counts reconcile" {
	printf 'a\tgenres\tc\nx\tDrama\t1\ny\tComedy\nz\tWar\t3\t4\n' >in.tsv
	run --separate-stderr tsv-split-genres --rejects rej.tsv --stats st.tsv in.tsv
	assert_success
	assert_output $'a\tgenres\tc\nx\tDrama\t1'
	run cat rej.tsv
	assert_output $'source\tline\treason\traw\nin.tsv\t3\texpected 3 fields, found 2\ty\tComedy\nin.tsv\t4\texpected 3 fields, found 4\tz\tWar\t3\t4'
	run grep -P '\t(rows_in|rows_out|rows_rejected)\t' st.tsv
	assert_output $'tsv-split-genres\trows_in\t3\ntsv-split-genres\trows_out\t1\ntsv-split-genres\trows_rejected\t2'
}

@test "usage errors: exact messages, status 2" {
	# the first line of stderr; option errors add the --help hint after it
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run --separate-stderr tsv-split-genres $args "$IN"
		[ "$status" -eq 2 ] || fail "$args: status $status"
		[ -z "$output" ] || fail "$args: wrote to stdout"
		[ "${stderr%%$'\n'*}" = "$msg" ] || fail "$args: got '$stderr'"
	done <<-'EOF'
	-f nope|tsv-split-genres: -f: unknown field 'nope' (header: tconst, primaryTitle, genres, startYear)
	-f 1,3|tsv-split-genres: -f: '1,3' names 2 fields (expected exactly one)
	-f 9|tsv-split-genres: -f: field 9 is past the last field (4)
	--null-as X --drop-null|tsv-split-genres: --null-as and --drop-null cannot be used together
	--ordinal tconst|tsv-split-genres: --ordinal: column 'tconst' is already in the header
	--ordinal n --count n|tsv-split-genres: --count: column 'n' is named twice
	--weight w --primary w|tsv-split-genres: --primary: column 'w' is named twice
	--primary genres|tsv-split-genres: --primary: column 'genres' is already in the header
	--bogus|tsv-split-genres: unrecognized option '--bogus'
	EOF
	run --separate-stderr tsv-split-genres --primary '' "$IN"
	assert_failure 2
	[ "$stderr" = "tsv-split-genres: --primary: invalid column name '' (expected a non-empty name without TAB or newline)
Try 'tsv-split-genres --help' for more information." ]
	run --separate-stderr tsv-split-genres -d '' "$IN"
	assert_failure 2
	[ "$stderr" = "tsv-split-genres: -d: invalid separator '' (expected one or more bytes, no TAB or newline)
Try 'tsv-split-genres --help' for more information." ]
	run --separate-stderr tsv-split-genres -N -f genres "$IN"
	assert_failure 2
	[ "${stderr%%$'\n'*}" = "tsv-split-genres: -f: field name 'genres' needs a header (input is headerless with -N: use numbers)" ]
}

@test "--help prints the synopsis of the man page on stdout; --version" {
	run --separate-stderr tsv-split-genres --help
	assert_success
	[ -z "$stderr" ]
	assert_output "usage: tsv-split-genres [-N] [-f FIELD] [-d SEP] [--null-as VALUE | --drop-null] [--ordinal NAME]
                        [--count NAME] [--weight NAME] [--primary NAME] [--rejects FILE]
                        [--stats FILE] [--progress] [-o FILE] [FILE ...]"
	run tsv-split-genres --version
	assert_success
	assert_output --regexp '^tsv-split-genres \(p07\) [0-9.]+$'
}

@test "-o writes the file only on success; a full disk is an error" {
	run --separate-stderr tsv-split-genres -o out.tsv --drop-null "$IN"
	assert_success
	[ -z "$output" ]
	assert_file_eq out.tsv "$GOLD/tsv-split-genres/drop-null.tsv"
	printf 'a\tgenres\nx\n' >bad.tsv
	run --separate-stderr tsv-split-genres -o out2.tsv bad.tsv
	assert_failure 1
	[ ! -e out2.tsv ]
	[ -z "$(ls out2.tsv.tmp.* 2>/dev/null)" ]
	run --separate-stderr sh -c "tsv-split-genres '$IN' >/dev/full"
	assert_failure 1
	[ "$stderr" = "tsv-split-genres: stdout: write error: No space left on device" ]
}

@test "a closed pipe ends quietly" {
	{ printf 'id\tgenres\n'; seq 1 200000 | sed 's/$/\tA,B,C/'; } >big.tsv
	run --separate-stderr sh -c "tsv-split-genres big.tsv | head -n 1"
	assert_success
	assert_output $'id\tgenres'
	[ -z "$stderr" ]
}

@test "real sample: one row per (title, genre), 3,123 Unknown, weights are exactly 1/n" {
	need_sample
	imdb-cat -f tconst,genres "$SAMPLE/title.basics.tsv.gz" |
		tsv-split-genres --null-as Unknown "${ALL[@]}" --stats st.tsv >bridge.tsv
	[ "$(head -n 1 bridge.tsv)" = $'tconst\tgenres\tgenre_ordinal\tgenre_count\tallocation_weight' ]
	# every title is there, each (title, genre) once
	[ "$(tail -n +2 bridge.tsv | cut -f1 | uniq | wc -l)" -eq 50001 ]
	[ -z "$(tail -n +2 bridge.tsv | cut -f1,2 | sort | uniq -d)" ]
	[ "$(awk -F'\t' '$2 == "Unknown"' bridge.tsv | wc -l)" -eq 3123 ]
	# per title: rows = genre_count, ordinals 1..n, weight = 1/n rounded
	# exactly (so the exact weights sum to n * 1/n = 1); the printed
	# weights' sum is 1 within n * 0.0000005.
	run awk -F'\t' 'NR > 1 {
		if ($1 != t) { check(); t = $1; rows = 0; sum = 0 }
		rows++; sum += $5; n = $4
		if ($3 != rows) bad = bad " ordinal:" NR
		w = int((2000000 + n) / (2 * n))
		if ($5 != sprintf("%d.%06d", int(w / 1000000), w % 1000000)) bad = bad " weight:" NR
	}
	function check() {
		if (t == "") return
		if (rows != n) bad = bad " count:" t
		d = sum - 1; if (d < 0) d = -d
		if (d > n * 0.0000005 + 1e-12) bad = bad " sum:" t
	}
	END { check(); print (bad == "" ? "ok" : bad) }' bridge.tsv
	assert_output ok
	run grep -P '\t(rows_in|rows_out|null_lists|elements_out)\t' st.tsv
	assert_output $'tsv-split-genres\trows_in\t50001\ntsv-split-genres\trows_out\t95679\ntsv-split-genres\tnull_lists\t3123\ntsv-split-genres\telements_out\t92556'
}

@test "real sample: --primary equals bridge_of's awk on the three-column output, one primary per title" {
	need_sample
	imdb-cat -f tconst,genres "$SAMPLE/title.basics.tsv.gz" >in.tsv
	tsv-split-genres --null-as Unknown "${ALL[@]}" in.tsv |
		awk -F'\t' -v OFS='\t' 'NR == 1 { print $0, "is_primary"; next } { print $0, ($3 == 1 ? 1 : 0) }' >want
	tsv-split-genres --null-as Unknown "${ALL[@]}" --primary is_primary in.tsv >got
	assert_file_eq got want
	[ "$(awk -F'\t' '$6 == 1' got | wc -l)" -eq 50001 ]
	[ "$(awk -F'\t' '$6 == 1 { print $1 }' got | sort -u | wc -l)" -eq 50001 ]
}

@test "real sample: primaryProfession, knownForTitles, crew directors and writers match the reference" {
	need_sample
	while read -r file field col; do
		imdb-cat "$SAMPLE/$file" >in.tsv
		tsv-split-genres -f "$field" --null-as Unknown "${ALL[@]}" in.tsv | tail -n +2 >got
		ref "$col" null <in.tsv | tail -n +2 >want
		assert_file_eq got want
		[ "$(wc -l <got)" -gt 50001 ] || fail "$field: only $(wc -l <got) rows"
	done <<-'EOF'
	name.basics.tsv.gz primaryProfession 5
	name.basics.tsv.gz knownForTitles 6
	title.crew.tsv.gz directors 2
	title.crew.tsv.gz writers 3
	EOF
}
