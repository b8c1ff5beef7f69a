#!/usr/bin/env bats
# tsv-join: semi, inner, left outer and anti hash joins.  Every golden file is
# also recomputed here by coreutils join(1) on sorted copies, and random data
# is checked against sqlite3.

load helper

T=$'\t'

setup() {
	cd "$BATS_TEST_TMPDIR"
	F=$FIX/tsv-join
	G=tsv-join
}

# body FILE: the data lines (no header), sorted in byte order.
body() {
	tail -n +2 "$1" | sort
}

# The filter as coreutils join sees it: no header, no \N key (null never
# matches), sorted on the key.
sorted_filter() {
	tail -n +2 "$F/titles.tsv" | grep -v '^\\N' | sort -t "$T" -k1,1
}

sorted_data() {
	tail -n +2 "$F/ratings.tsv" | sort -t "$T" -k1,1
}

# same_rows GOLDEN REFERENCE: the golden file's rows, sorted, equal the
# reference rows (already sorted), byte for byte.
same_rows() {
	body "$GOLD/$G/$1" >got.sorted
	sort "$2" >want.sorted
	assert_file_eq got.sorted want.sorted
}

@test "semi-join (default): matching rows unchanged; agrees with join(1)" {
	run --separate-stderr tsv-join -f "$F/titles.tsv" "$F/ratings.tsv"
	assert_success
	[ -z "$stderr" ]
	assert_golden "$G/semi.tsv"
	join -t "$T" -o 1.1,1.2,1.3 <(sorted_data) <(sorted_filter) >want
	same_rows semi.tsv want
}

@test "inner join with -a: filter fields appended, header extended; agrees with join(1)" {
	run --separate-stderr tsv-join -f "$F/titles.tsv" -a titleType,primaryTitle "$F/ratings.tsv"
	assert_success
	assert_golden "$G/inner.tsv"
	join -t "$T" -o 1.1,1.2,1.3,2.2,2.3 <(sorted_data) <(sorted_filter) >want
	same_rows inner.tsv want
}

@test "left outer join with -w: unmatched rows kept with \\N; agrees with join(1) -a 1" {
	run --separate-stderr tsv-join -f "$F/titles.tsv" -a titleType -w "$F/ratings.tsv"
	assert_success
	assert_golden "$G/left.tsv"
	join -t "$T" -a 1 -e '\N' -o 1.1,1.2,1.3,2.2 <(sorted_data) <(sorted_filter) >want
	same_rows left.tsv want
}

@test "left outer join with --fill VALUE" {
	run tsv-join -f "$F/titles.tsv" -a titleType -w --fill unknown "$F/ratings.tsv"
	assert_success
	assert_golden "$G/left-fill.tsv"
	join -t "$T" -a 1 -e unknown -o 1.1,1.2,1.3,2.2 <(sorted_data) <(sorted_filter) >want
	same_rows left-fill.tsv want
}

@test "anti-join with -e: only rows that match nothing, a \\N key included; agrees with join(1) -v 1" {
	run tsv-join -f "$F/titles.tsv" -e "$F/ratings.tsv"
	assert_success
	assert_golden "$G/anti.tsv"
	join -t "$T" -v 1 <(sorted_data) <(sorted_filter) >want
	same_rows anti.tsv want
}

@test "multi-field key, filter key columns not adjacent and reordered; \\N in a key part never matches" {
	run --separate-stderr tsv-join -f "$F/credits.tsv" -k tconst,ordering -a job "$F/principals.tsv"
	assert_success
	assert_golden "$G/multikey.tsv"
	# join(1) on one composite column: tconst:ordering.
	tail -n +2 "$F/principals.tsv" | awk -F'\t' -v OFS='\t' '{ print $1 ":" $2, $0 }' |
	    sort -t "$T" -k1,1 >d
	tail -n +2 "$F/credits.tsv" | awk -F'\t' -v OFS='\t' '$1 != "\\N" { print $3 ":" $1, $2 }' |
	    sort -t "$T" -k1,1 >f
	join -t "$T" d f | cut -f 2- >want
	same_rows multikey.tsv want
}

@test "-d names the data's key fields when they differ; numbers work too" {
	printf 'id\tv\ntt0000002\tx\ntt0000004\ty\n' >d.tsv
	run tsv-join -f "$F/titles.tsv" -k 1 -d id -a 2 d.tsv
	assert_success
	assert_output $'id\tv\ttitleType\ntt0000002\tx\tshort'
}

@test "--prefix renames appended columns (a clash with a data column is otherwise a usage error)" {
	run tsv-join -f "$F/titles.tsv" -a tconst,titleType --prefix title_ "$F/ratings.tsv"
	assert_success
	assert_golden "$G/prefix.tsv"
	run --separate-stderr tsv-join -f "$F/titles.tsv" -a tconst "$F/ratings.tsv"
	assert_equal "$status" 2
	assert_equal "$stderr" "tsv-join: -a: field 'tconst' is also a data column (use --prefix to rename appended columns)
Try 'tsv-join --help' for more information."
	[ -z "$output" ]
}

@test "-N: headerless filter and data, fields by number" {
	tail -n +2 "$F/titles.tsv" >f
	run sh -c "tail -n +2 '$F/ratings.tsv' | tsv-join -N -f f -a 2 -w"
	assert_success
	assert_golden "$G/headerless.tsv"
	run --separate-stderr tsv-join -N -f f -a titleType "$F/ratings.tsv"
	assert_equal "$status" 2
	assert_equal "$stderr" "tsv-join: -a: field name 'titleType' needs a header (input is headerless with -N: use numbers)
Try 'tsv-join --help' for more information."
}

@test "duplicate keys: harmless without -a; with -a an error naming both lines; --first / --last choose" {
	run tsv-join -f "$F/titles-dup.tsv" "$F/ratings.tsv"
	assert_success
	assert_output $'tconst\taverageRating\tnumVotes\ntt0000001\t5.7\t2100\ntt0000002\t5.5\t290\ntt0000001\t5.8\t10'
	run --separate-stderr tsv-join -f "$F/titles-dup.tsv" -a titleType "$F/ratings.tsv"
	assert_equal "$status" 1
	assert_equal "$stderr" "tsv-join: $F/titles-dup.tsv:4: duplicate key 'tt0000001' (first on line 2; use --first or --last)"
	[ -z "$output" ]
	run tsv-join -f "$F/titles-dup.tsv" -a titleType --first "$F/ratings.tsv"
	assert_output $'tconst\taverageRating\tnumVotes\ttitleType\ntt0000001\t5.7\t2100\tshort\ntt0000002\t5.5\t290\tshort\ntt0000001\t5.8\t10\tshort'
	run tsv-join -f "$F/titles-dup.tsv" -a titleType --last "$F/ratings.tsv"
	assert_output $'tconst\taverageRating\tnumVotes\ttitleType\ntt0000001\t5.7\t2100\tmovie\ntt0000002\t5.5\t290\tshort\ntt0000001\t5.8\t10\tmovie'
}

@test "duplicate composite key is shown with its parts joined by commas" {
	printf 'tconst\tordering\tjob\ntt1\t1\ta\ntt1\t1\tb\n' >f.tsv
	run --separate-stderr tsv-join -f f.tsv -k tconst,ordering -a job "$F/principals.tsv"
	assert_equal "$status" 1
	assert_equal "$stderr" "tsv-join: f.tsv:3: duplicate key 'tt1,1' (first on line 2; use --first or --last)"
}

@test "unknown field: usage error (exit 2) naming the field and the header" {
	run --separate-stderr tsv-join -f "$F/titles.tsv" -k nope "$F/ratings.tsv"
	assert_equal "$status" 2
	assert_equal "$stderr" "tsv-join: -k: unknown field 'nope' (header: tconst, titleType, primaryTitle)"
	run --separate-stderr tsv-join -f "$F/titles.tsv" -d nope "$F/ratings.tsv"
	assert_equal "$status" 2
	assert_equal "$stderr" "tsv-join: -d: unknown field 'nope' (header: tconst, averageRating, numVotes)"
	run --separate-stderr tsv-join -f "$F/titles.tsv" -a runtime "$F/ratings.tsv"
	assert_equal "$status" 2
	assert_equal "$stderr" "tsv-join: -a: unknown field 'runtime' (header: tconst, titleType, primaryTitle)"
}

@test "ragged rows are errors with FILE:LINE (data and filter)" {
	run --separate-stderr tsv-join -f "$F/titles.tsv" "$F/ratings-ragged.tsv"
	assert_equal "$status" 1
	assert_equal "$stderr" "tsv-join: $F/ratings-ragged.tsv:3: expected 3 fields, found 2"
	run --separate-stderr tsv-join -f "$F/ratings-ragged.tsv" "$F/titles.tsv"
	assert_equal "$status" 1
	assert_equal "$stderr" "tsv-join: $F/ratings-ragged.tsv:3: expected 3 fields, found 2"
}

@test "--rejects takes ragged data rows; the counts reconcile in --stats" {
	run --separate-stderr tsv-join -f "$F/titles.tsv" --rejects rej.tsv --stats st.tsv "$F/ratings-ragged.tsv"
	assert_success
	assert_output $'tconst\taverageRating\tnumVotes\ntt0000001\t5.7\t2100\ntt0000005\t6.2\t2900'
	run cat rej.tsv
	assert_output "source	line	reason	raw
$F/ratings-ragged.tsv	3	expected 3 fields, found 2	tt0000002	5.5"
	run cut -f 2,3 st.tsv
	assert_output "$(printf '%s\n' 'metric	value' 'rows_in	3' 'rows_out	2' 'rows_rejected	1' \
	    "bytes_in	$(wc -c <"$F/ratings-ragged.tsv")" 'filter_rows	6' 'filter_keys	5' 'filter_null_keys	1' 'filter_duplicates	0' \
	    'matched	2' 'unmatched	0' 'data_null_keys	0')"$'\n'"$(grep -P '^tsv-join\thmap_bytes\t[0-9]+$' st.tsv | cut -f 2,3)"
}

@test "--stats: rows_in = matched + unmatched; rows_out per mode" {
	for mode in "" "-e" "-a titleType" "-a titleType -w"; do
		# shellcheck disable=SC2086
		tsv-join -f "$F/titles.tsv" $mode --stats st.tsv "$F/ratings.tsv" >out.tsv
		get() { awk -F'\t' -v m="$1" '$2 == m { print $3 }' st.tsv; }
		[ "$(get rows_in)" -eq 7 ]
		[ "$(get matched)" -eq 5 ]
		[ "$(get unmatched)" -eq 2 ]
		[ "$(get data_null_keys)" -eq 1 ]
		[ "$(get rows_out)" -eq $(($(wc -l <out.tsv) - 1)) ]
	done
}

@test "usage errors: missing -f, conflicting options, key counts that do not pair up" {
	run --separate-stderr tsv-join "$F/ratings.tsv"
	assert_equal "$status" 2
	assert_equal "$stderr" "tsv-join: -f FILTER is required (the file whose keys are looked up)
Try 'tsv-join --help' for more information."
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run --separate-stderr tsv-join -f "$F/titles.tsv" $args "$F/ratings.tsv"
		assert_equal "$status" 2
		assert_equal "$stderr" "tsv-join: $msg
Try 'tsv-join --help' for more information."
	done <<-'EOF'
	-e -a titleType|-e and -a conflict (an anti-join has nothing to append)
	-e -w -a 2|-e and -a conflict (an anti-join has nothing to append)
	-w|-w needs -a (without appended fields every row would pass unchanged)
	-a 2 --fill x|--fill needs -w
	--prefix x|--prefix needs -a
	-a 2 --first --last|--first and --last conflict
	--last|--last needs -a (without appended fields duplicate keys are harmless)
	-k 1,2 -d 1|-k and -d name 2 and 1 fields (they must pair up)
	-a 2,2 --prefix t_|-a: field 'titleType' is appended twice
	EOF
	run --separate-stderr tsv-join --bogus
	assert_equal "$status" 2
}

@test "filter may be gzip; data may be several files and stdin" {
	gzip -c "$F/titles.tsv" >titles.gz
	run tsv-join -f titles.gz -a titleType "$F/ratings.tsv"
	assert_success
	assert_golden "$G/inner-type.tsv"
	run sh -c "tsv-join -f titles.gz -a titleType < '$F/ratings.tsv'"
	assert_golden "$G/inner-type.tsv"
	run tsv-join -f "$F/titles.tsv" "$F/ratings.tsv" "$F/ratings.tsv"
	assert_output "$(cat "$GOLD/$G/semi.tsv"; tail -n +2 "$GOLD/$G/semi.tsv")"
}

@test "-o FILE is written whole; a failed run leaves no file" {
	run tsv-join -f "$F/titles.tsv" -o out.tsv "$F/ratings.tsv"
	assert_success
	assert_file_eq out.tsv "$GOLD/$G/semi.tsv"
	run tsv-join -f "$F/titles.tsv" -o bad.tsv "$F/ratings-ragged.tsv"
	assert_equal "$status" 1
	[ ! -e bad.tsv ]
	[ -z "$(ls ./*.tmp.* 2>/dev/null)" ]
}

@test "--help prints the man page's synopsis to stdout; --version" {
	run --separate-stderr tsv-join --help
	assert_success
	[ -z "$stderr" ]
	got=$(printf '%s\n' "$output" | sed 's/^usage: //' | tr -s ' \n' '  ' | sed 's/ $//')
	want=$(MANWIDTH=200 mandoc -Tascii "$REPO/man/man1/tsv-join.1" | col -b |
	    awk '/^SYNOPSIS/ { s = 1; next } /^[A-Z]/ { s = 0 } s' | tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//')
	assert_equal "$got" "$want"
	run tsv-join --version
	assert_success
	assert_output --regexp '^tsv-join \(p07\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a closed pipe ends quietly" {
	seq 1 200000 | awk 'BEGIN { print "k" } { print "k" $1 }' >big.tsv
	run --separate-stderr sh -c "tsv-join -f big.tsv big.tsv | head -n 2"
	assert_success
	assert_output $'k\nk1'
	[ -z "$stderr" ]
}

@test "random data, composite keys with nulls: every mode equals sqlite3" {
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	# Filter: 600 unique (a, b) keys plus 40 with a \N part; data: 2,000 rows
	# drawn from a slightly larger key space, some with \N parts.
	awk 'BEGIN {
		srand(42); OFS = "\t"; print "a", "b", "val", "other"
		for (i = 0; i < 640; i++) {
			a = "k" int(i / 8); b = i % 8
			if (i >= 600) b = "\\N"
			print a, b, "v" int(rand() * 1000), "o" i
		}
	}' >f.tsv
	awk 'BEGIN {
		srand(43); OFS = "\t"; print "id", "b", "x", "a"
		for (i = 0; i < 2000; i++) {
			a = "k" int(rand() * 90); b = int(rand() * 9)
			if (rand() < 0.05) a = "\\N"
			if (rand() < 0.05) b = "\\N"
			print i, b, int(rand() * 100), a
		}
	}' >d.tsv
	sqlite3 db.sqlite <<-'EOF'
	.mode tabs
	.import f.tsv f
	.import d.tsv d
	UPDATE f SET a = NULL WHERE a = '\N';
	UPDATE f SET b = NULL WHERE b = '\N';
	UPDATE d SET a = NULL WHERE a = '\N';
	UPDATE d SET b = NULL WHERE b = '\N';
	EOF
	q() { sqlite3 -separator "$T" -nullvalue '\N' db.sqlite "$1" | sort; }
	cols="d.id, d.b, d.x, d.a"
	q "SELECT $cols FROM d WHERE EXISTS (SELECT 1 FROM f WHERE f.a = d.a AND f.b = d.b)" >semi.want
	q "SELECT $cols FROM d WHERE NOT EXISTS (SELECT 1 FROM f WHERE f.a = d.a AND f.b = d.b)" >anti.want
	q "SELECT $cols, f.val, f.other FROM d JOIN f ON f.a = d.a AND f.b = d.b" >inner.want
	q "SELECT $cols, f.val, f.other FROM d LEFT JOIN f ON f.a = d.a AND f.b = d.b" >left.want
	tsv-join -f f.tsv -k a,b -d a,b d.tsv | tail -n +2 | sort >semi.got
	tsv-join -f f.tsv -k a,b -d a,b -e d.tsv | tail -n +2 | sort >anti.got
	tsv-join -f f.tsv -k a,b -d a,b -a val,other d.tsv | tail -n +2 | sort >inner.got
	tsv-join -f f.tsv -k 1,2 -d 4,2 -a 3-4 -w d.tsv | tail -n +2 | sort >left.got
	for m in semi anti inner left; do
		assert_file_eq "$m.got" "$m.want"
	done
	[ "$(wc -l <semi.want)" -gt 100 ] && [ "$(wc -l <anti.want)" -gt 100 ]
	[ $(($(wc -l <semi.got) + $(wc -l <anti.got))) -eq 2000 ]
}

@test "real sample: ratings joined to title.basics get their titleType; every rating matches" {
	need_sample
	run --separate-stderr tsv-join -f "$SAMPLE/title.basics.tsv.gz" -a titleType --stats st.tsv "$SAMPLE/title.ratings.tsv.gz"
	assert_success
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 32239 ]
	assert_equal "$(printf '%s\n' "$output" | head -n 1)" $'tconst\taverageRating\tnumVotes\ttitleType'
	grep -P '^tsv-join\t(rows_in|rows_out|matched|unmatched|filter_keys)\t' st.tsv >got
	printf 'tsv-join\t%s\n' 'rows_in	32238' 'rows_out	32238' 'filter_keys	50001' 'matched	32238' \
	    'unmatched	0' >want
	assert_file_eq got want
	# Independent: an awk hash join over the decompressed files.
	printf '%s\n' "$output" | tail -n +2 >got
	awk -F'\t' -v OFS='\t' 'NR == FNR { t[$1] = $2; next } FNR > 1 && ($1 in t) { print $0, t[$1] }' \
	    <(gzip -dc "$SAMPLE/title.basics.tsv.gz") <(gzip -dc "$SAMPLE/title.ratings.tsv.gz") >want
	assert_file_eq got want
}

@test "real sample: principals anti-joined to name.basics are the 44,512 dangling rows" {
	need_sample
	tsv-join -f "$SAMPLE/name.basics.tsv.gz" -k nconst -e "$SAMPLE/title.principals.tsv.gz" >dangling.tsv
	[ "$(tail -n +2 dangling.tsv | wc -l)" -eq 44512 ]
	awk -F'\t' 'NR == FNR { n[$1]; next } FNR > 1 && !($3 in n)' \
	    <(gzip -dc "$SAMPLE/name.basics.tsv.gz") <(gzip -dc "$SAMPLE/title.principals.tsv.gz") >want
	tail -n +2 dangling.tsv >got
	assert_file_eq got want
	# Semi-join gives the rest: 50,001 in all.
	[ "$(tsv-join -f "$SAMPLE/name.basics.tsv.gz" -k nconst "$SAMPLE/title.principals.tsv.gz" | tail -n +2 | wc -l)" -eq 5489 ]
}

@test "long appended values (over 63 bytes, not packed) and --last agree with awk" {
	awk 'BEGIN {
		srand(5); OFS = "\t"; print "k", "v"
		for (i = 0; i < 3000; i++) {
			v = "v" i; n = int(rand() * 150)
			for (c = 0; c < n; c++) v = v "x"
			print "k" int(rand() * 2000), v
		}
	}' >f.tsv
	awk 'BEGIN { srand(6); print "k\tx"; for (i = 0; i < 3000; i++) print "k" int(rand() * 2500) "\t" i }' >d.tsv
	tsv-join -f f.tsv -a v --last d.tsv >got
	awk -F'\t' -v OFS='\t' 'NR == FNR { if (FNR > 1) v[$1] = $2; next }
	    FNR == 1 { print $0, "v"; next } ($1 in v) { print $0, v[$1] }' f.tsv d.tsv >want
	assert_file_eq got want
	cut -c 1-60 f.tsv >short.tsv
	tsv-join -f short.tsv -a v --last d.tsv >got
	awk -F'\t' -v OFS='\t' 'NR == FNR { if (FNR > 1) v[$1] = $2; next }
	    FNR == 1 { print $0, "v"; next } ($1 in v) { print $0, v[$1] }' short.tsv d.tsv >want
	assert_file_eq got want
}

@test "filter on standard input with -f -" {
	run sh -c "tsv-join -f - -a titleType '$F/ratings.tsv' < '$F/titles.tsv'"
	assert_success
	assert_golden "$G/inner-type.tsv"
	run --separate-stderr sh -c "tsv-join -f - < '$F/titles.tsv'"
	assert_equal "$status" 2
	assert_equal "$stderr" "tsv-join: -f -: the filter and the data cannot both be standard input
Try 'tsv-join --help' for more information."
}

@test "--unmatched keeps the rows a semi or inner join drops, with line and reason" {
	printf 'k\tv\na\t1\nb\t2\n' >f.tsv
	printf 'k\tx\na\t9\nc\t8\n\\N\t7\nb\t6\n' >d.tsv
	run tsv-join -f f.tsv -k k -a v --unmatched u.tsv d.tsv
	assert_success
	assert_output $'k\tx\tv\na\t9\t1\nb\t6\t2'
	run cat u.tsv
	assert_output $'source\tline\treason\traw\nd.tsv\t3\tno match in filter\tc\t8\nd.tsv\t4\tnull key\t\\N\t7'
	run --separate-stderr tsv-join -f f.tsv -k k -e --unmatched u.tsv d.tsv
	assert_failure 2
	assert_equal "$stderr" $'tsv-join: --unmatched conflicts with -e (no row is dropped for want of a match)\nTry \'tsv-join --help\' for more information.'
}

@test "--unmatched names the right file and line across several data files" {
	printf 'k\tv\na\t1\n' >f.tsv
	printf 'k\tx\na\t1\nz\t2\n' >d1.tsv
	printf 'k\tx\ny\t3\na\t4\n' >d2.tsv
	run tsv-join -f f.tsv --unmatched u.tsv d1.tsv d2.tsv
	assert_success
	assert_output $'k\tx\na\t1\na\t4'
	run cat u.tsv
	assert_output $'source\tline\treason\traw\nd1.tsv\t3\tno match in filter\tz\t2\nd2.tsv\t2\tno match in filter\ty\t3'
}

# A filter of 150,000 composite keys: its table is far bigger than the cache,
# so data rows are looked up in prefetched batches (a small table is probed
# row by row; the tests above cover that path).  Key parts: a = k0..k21428,
# b = 0..6, with a \N part now and then; values of every length up to 50.
big_join_files() {
	awk 'BEGIN {
		srand(8); OFS = "\t"; print "a", "b", "val", "other"
		pad = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		for (i = 0; i < 150000; i++) {
			b = i % 7
			if (i % 997 == 0) b = "\\N"
			print "k" int(i / 7), b, "v" int(rand() * 1e6), substr(pad, 1, int(rand() * 50)) "o" i
		}
	}' >f.tsv
	awk 'BEGIN {
		srand(9); OFS = "\t"; print "id", "b", "x", "a"
		for (i = 0; i < 20000; i++) {
			a = "k" int(rand() * 24000); b = int(rand() * 8)
			if (rand() < 0.03) a = "\\N"
			if (rand() < 0.03) b = "\\N"
			print i, b, int(rand() * 100), a
		}
	}' >d.tsv
}

# awk_join: the reference joins of d.tsv (key a,b) to f.tsv (key a,b), one
# file per mode: semi.want, anti.want, inner.want, left.want, unmatched.want.
awk_join() {
	awk -F'\t' -v OFS='\t' '
	NR == FNR { if (FNR > 1 && $1 != "\\N" && $2 != "\\N") v[$1 SUBSEP $2] = $3 "\t" $4; next }
	FNR == 1 {
		print >"semi.want"; print >"anti.want"
		print $0, "val", "other" >"inner.want"; print $0, "val", "other" >"left.want"
		next
	}
	{ k = $4 SUBSEP $2; m = $4 != "\\N" && $2 != "\\N" && (k in v) }
	m { print >"semi.want"; print $0, v[k] >"inner.want"; print $0, v[k] >"left.want" }
	!m {
		print >"anti.want"; print $0, "\\N", "\\N" >"left.want"
		print "d.tsv", FNR, ($4 == "\\N" || $2 == "\\N") ? "null key" : "no match in filter", $0 >"unmatched.want"
	}
	' f.tsv d.tsv
}

@test "big filter (batched look-ups): every mode equals an awk hash join; from a pipe the table grows" {
	big_join_files
	awk_join
	tsv-join -f f.tsv -k a,b -d a,b d.tsv >semi.got
	tsv-join -f f.tsv -k a,b -d a,b -e d.tsv >anti.got
	tsv-join -f f.tsv -k 1,2 -d 4,2 -a 3-4 -w d.tsv >left.got
	# Read from a pipe, the filter's size is unknown: the table starts at
	# 64 Ki keys and doubles on the way.
	cat f.tsv | tsv-join -f - -k a,b -d a,b -a val,other --unmatched u.tsv --stats st.tsv d.tsv >inner.got
	tail -n +2 u.tsv >unmatched.got
	for m in semi anti inner left unmatched; do
		assert_file_eq "$m.got" "$m.want"
	done
	[ "$(awk -F'\t' '$2 == "filter_keys" { print $3 }' st.tsv)" -eq $((150000 - 151)) ]
	[ "$(wc -l <semi.want)" -gt 12000 ] && [ "$(wc -l <anti.want)" -gt 3000 ]
}

@test "big filter with duplicate keys: --first and --last agree with awk; the error names both lines from a file, a gzip file and a pipe" {
	awk 'BEGIN {
		srand(10); OFS = "\t"; print "k", "v"
		pad = "yyyyyyyyyyyyyyyyyyyy"
		for (i = 0; i < 80000; i++)
			print "k" i, "v" i substr(pad, 1, int(rand() * 20))
		for (i = 0; i < 20000; i++)
			print "k" int(rand() * 80000), "w" i substr(pad, 1, int(rand() * 20))
	}' >f.tsv
	awk 'BEGIN { srand(11); print "k\tx"; for (i = 0; i < 30000; i++) print "k" int(rand() * 90000) "\t" i }' >d.tsv
	for w in first last; do
		tsv-join -f f.tsv -a v --"$w" d.tsv >got
		awk -F'\t' -v OFS='\t' -v w="$w" 'NR == FNR { if (FNR > 1 && (w == "last" || !($1 in v))) v[$1] = $2; next }
		    FNR == 1 { print $0, "v"; next } ($1 in v) { print $0, v[$1] }' f.tsv d.tsv >want
		assert_file_eq got want
	done
	# The first repeated key and where it was first seen.
	read -r dup first line < <(awk -F'\t' 'FNR > 1 { if ($1 in at) { print $1, at[$1], FNR; exit } at[$1] = FNR }' f.tsv)
	gzip -c f.tsv >f.gz
	for src in f.tsv f.gz stdin; do
		if [ "$src" = stdin ]; then
			run --separate-stderr tsv-join -f - -a v d.tsv <f.tsv
		else
			run --separate-stderr tsv-join -f "$src" -a v d.tsv
		fi
		assert_equal "$status" 1
		assert_equal "$stderr" "tsv-join: $src:$line: duplicate key '$dup' (first on line $first; use --first or --last)"
		[ -z "$output" ]
	done
}

@test "keys and values over 64 KiB, and one longer than a 16 MiB chunk, round-trip exactly" {
	head -c 70000 /dev/zero | tr '\0' k >long
	head -c 17000000 /dev/zero | tr '\0' v >huge
	{ printf 'k\tv\nshort\t'; cat huge; printf '\n'; cat long; printf '\tlongkey\nmid\tm\n'; } >f.tsv
	{ printf 'k\tx\n'; cat long; printf '\t1\nshort\t2\nmid\t3\nnone\t4\n'; } >d.tsv
	tsv-join -f f.tsv -a v d.tsv >got
	{ printf 'k\tx\tv\n'; cat long; printf '\t1\tlongkey\nshort\t2\t'; cat huge; printf '\nmid\t3\tm\n'; } >want
	assert_file_eq got want
}

@test "rows of every width: the key field is found and the fields counted exactly (ragged rows to --rejects), as awk does" {
	# 20,000 headerless rows of 5 fields of 0-24 bytes (lines of 4 to 124
	# bytes, TABs on both sides of every 32-byte step), 2% with 4 or 6.
	awk 'BEGIN {
		srand(12); OFS = "\t"
		s = "abcdefghijklmnopqrstuvwxyz"
		print "a", "b", "c", "d", "e"
		for (i = 0; i < 20000; i++) {
			n = 5
			if (rand() < 0.02) n = rand() < 0.5 ? 4 : 6
			line = ""
			for (f = 1; f <= n; f++)
				line = line (f > 1 ? "\t" : "") substr(s, 1, int(rand() * 25))
			print line
		}
	}' >d.tsv
	printf '%s\n' "" abc abcdefghijklmnopqrstu abcdefghijklmnopqrstuvwx >f.tsv
	tsv-join -N -f f.tsv -k 1 -d 3 --rejects rej.tsv d.tsv >got
	awk -F'\t' 'NR == FNR { k[$1]; next } NF == 5 && ($3 in k)' f.tsv d.tsv >want
	assert_file_eq got want
	awk -F'\t' -v OFS='\t' 'NF != 5 { print "d.tsv", NR, "expected 5 fields, found " NF, $0 }' d.tsv >want
	tail -n +2 rej.tsv >got
	assert_file_eq got want
	[ "$(wc -l <got)" -gt 300 ] && [ "$(tsv-join -N -f f.tsv -k 1 -d 3 -e --rejects /dev/null d.tsv | wc -l)" -gt 1000 ]
}

# Data grouped by key, as the pipeline's facts come: runs of 1 to 120 equal
# keys (so runs cross the batches of 32 rows and the three batches in flight),
# a run now and then of a key the filter lacks or a \N key, a \N row inside
# a run, a few 100 KB rows (a batch is also cut by its bytes), keys that
# differ only in length (k1, k10), in two data files.  A row whose key equals
# the row before it takes that row's answer; every mode must still equal an
# awk hash join, and --first / --last must hold across the runs.
@test "runs of equal keys across batch boundaries: -a, -w, -e, semi, --first/--last, --unmatched equal awk" {
	awk 'BEGIN {
		srand(12); OFS = "\t"; print "k", "v", "w"
		for (i = 0; i < 150000; i++) print "k" i, "v" i, (i % 5 == 0 ? "\\N" : "w" int(rand() * 100))
		for (i = 0; i < 3000; i++) print "k" (i * 37 % 150000), "dup" i, "x"
	}' >f.tsv
	awk 'BEGIN {
		srand(13); OFS = "\t"; big = "y"; while (length(big) < 100000) big = big big
		for (f = 1; f <= 2; f++) {
			file = "d" f ".tsv"; print "id", "k", "x" >file
			key = 0
			for (n = 0; n < 20000; ) {
				r = rand()
				len = r < 0.5 ? 1 : r < 0.8 ? 2 + int(rand() * 3) : r < 0.97 ? 5 + int(rand() * 30) : 33 + int(rand() * 90)
				key += 1 + (rand() < 0.3 ? int(rand() * 20) : 0)
				k = "k" key
				if (rand() < 0.05) k = "zz" key
				if (rand() < 0.02) k = "\\N"
				if (rand() < 0.02) k = "k" int(key / 10)
				for (j = 0; j < len; j++) {
					x = (rand() < 0.002) ? big : int(rand() * 1000)
					print f "-" n, (j > 0 && rand() < 0.01) ? "\\N" : k, x >file
					n++
				}
			}
			close(file)
		}
	}'
	for w in first last; do
		awk -F'\t' -v OFS='\t' -v w="$w" '
		NR == FNR { if (FNR > 1 && (w == "last" || !($1 in v))) v[$1] = $2 "\t" $3; next }
		FNR == 1 { if (!hdr++) { print >"semi.want"; print >"anti.want"
			print $0, "v", "w" >"inner.want"; print $0, "v", "w" >"left.want" }; next }
		{ m = $2 != "\\N" && ($2 in v) }
		m { print >"semi.want"; print $0, v[$2] >"inner.want"; print $0, v[$2] >"left.want" }
		!m { print >"anti.want"; print $0, "\\N", "\\N" >"left.want"
			print FILENAME, FNR, $2 == "\\N" ? "null key" : "no match in filter", $0 >"unmatched.want" }
		' f.tsv d1.tsv d2.tsv
		tsv-join -f f.tsv -k k -a v,w --"$w" --unmatched u.tsv --stats st.tsv d1.tsv d2.tsv >inner.got
		tail -n +2 u.tsv >unmatched.got
		tsv-join -f f.tsv -k k -a v,w -w --"$w" d1.tsv d2.tsv >left.got
		tsv-join -f f.tsv -k k d1.tsv d2.tsv >semi.got
		tsv-join -f f.tsv -k k -e d1.tsv - <d2.tsv >anti.got
		sed -i 's/^-\t/d2.tsv\t/' unmatched.want
		for m in semi anti inner left unmatched; do
			assert_file_eq "$m.got" "$m.want"
		done
		[ "$(awk -F'\t' '$2 == "matched" { print $3 }' st.tsv)" -eq "$(($(wc -l <inner.want) - 1))" ]
	done
	# the data really has long runs and misses
	[ "$(awk -F'\t' 'FNR > 1 && $2 == p { n++ } { p = $2 } END { print n }' d1.tsv)" -gt 15000 ]
	[ "$(wc -l <anti.want)" -gt 2000 ]
}

# Without -a the table holds keys of up to 15 bytes in its slots; the first
# longer key moves them all into records.  Keys of 0, 14, 15 and 16 bytes,
# repeated before and after the move, from a file (sized once) and from a
# pipe (the slots grow before the move); semi- and anti-join against awk.
@test "keys-only table: short keys in the slots, then a 16-byte key moves them to records; equal to awk" {
	awk 'BEGIN {
		srand(14); OFS = "\t"; print "k", "x"
		for (i = 0; i < 120000; i++) {
			if (i == 90000) print "long-key-16bytes", i
			if (i == 100000) print "", i
			k = "n" int(rand() * 200000)
			if (i % 1000 == 1) k = sprintf("%014d", i)
			if (i % 1000 == 2) k = sprintf("%015d", i)
			if (i % 1000 == 3 && i > 90000) k = sprintf("%016d", i)
			print k, i
		}
	}' >f.tsv
	awk 'BEGIN {
		srand(15); OFS = "\t"; print "id", "k"
		for (i = 0; i < 40000; i++) {
			k = "n" int(rand() * 260000)
			if (i % 50 == 1) k = sprintf("%014d", int(rand() * 120000))
			if (i % 50 == 2) k = sprintf("%015d", int(rand() * 120000))
			if (i % 50 == 3) k = sprintf("%016d", int(rand() * 120000))
			if (i % 500 == 4) k = ""
			if (i % 500 == 5) k = "long-key-16bytes"
			print i, k
		}
	}' >d.tsv
	awk -F'\t' 'NR == FNR { if (FNR > 1) v[$1]; next }
	    FNR == 1 { print >"semi.want"; print >"anti.want"; next }
	    ($2 in v) { print >"semi.want"; next } { print >"anti.want" }' f.tsv d.tsv
	tsv-join -f f.tsv -k k d.tsv >semi.got
	cat f.tsv | tsv-join -f - -k k -e d.tsv >anti.got
	assert_file_eq semi.got semi.want
	assert_file_eq anti.got anti.want
	# the same keys, none longer than 15 bytes: they stay in the slots
	grep -v -e '^long-key' -e '^[0-9]\{16\}' f.tsv >g.tsv
	awk -F'\t' 'NR == FNR { if (FNR > 1) v[$1]; next } FNR == 1 || ($2 in v)' g.tsv d.tsv >semi2.want
	cat g.tsv | tsv-join -f - -k k --stats st.tsv d.tsv >semi2.got
	assert_file_eq semi2.got semi2.want
	[ "$(grep -c $'^[0-9]\\{16\\}\t' f.tsv)" -gt 20 ] && [ "$(wc -l <semi.want)" -gt 5000 ]
	[ "$(awk -F'\t' '$2 == "filter_duplicates" { print $3 }' st.tsv)" -gt 1000 ]
}

# A key of 32 lowercase hex digits is stored in 16 bytes; every other key as
# it is.  Uppercase and mixed-case twins, 31 and 33 digits, a 'g', a hex key
# with a value over 64 KiB (kept as text), --first/--last with values of
# another length (a new record) and of the same length (in place), a table
# grown from a pipe (keys unpacked to be hashed again), the duplicate error.
@test "32-hex keys (stored packed) match exactly, case and length kept apart; -a, --first/--last, pipe, duplicates" {
	awk 'BEGIN {
		srand(16); OFS = "\t"; print "k", "v"
		hex = "0123456789abcdef"; HEX = "0123456789ABCDEF"
		for (i = 0; i < 100000; i++) {
			k = ""
			for (j = 0; j < 32; j++) k = k substr(hex, int(rand() * 16) + 1, 1)
			print k, "v" i
			if (i % 100 == 1) { K = ""; for (j = 1; j <= 32; j++) { c = substr(k, j, 1); K = K ((j % 2 && c ~ /[a-f]/) ? toupper(c) : c) }; print K, "mixed" i }
			if (i % 100 == 2) print toupper(k), "upper" i
			if (i % 100 == 3) print substr(k, 2), "short" i
			if (i % 100 == 4) print k "0", "long" i
			if (i % 100 == 5) print substr(k, 1, 31) "g", "g" i
			if (i % 100 == 6) print k, "again" i
			if (i % 100 == 7) print k, "w" i
			keys[i] = k
		}
		for (i = 0; i < 100000; i += 997) print keys[i], "x" i
	}' >f.tsv
	big=$(head -c 70000 /dev/zero | tr '\0' b)
	k1=$(awk -F'\t' 'FNR == 2 { print $1 }' f.tsv)
	printf '%s\t%s\n' "${k1%?}z" "$big" >>f.tsv
	cut -f 1 f.tsv | awk 'BEGIN { srand(17); print "id\tk" } NR > 1 { if (rand() < 0.3) print NR "\t" $1; if (rand() < 0.05) print NR "\t" toupper($1) }' >d.tsv
	printf '0\t%s\n' "${k1%?}z" "${k1%?}Z" >>d.tsv
	for w in first last; do
		awk -F'\t' -v OFS='\t' -v w="$w" '
		NR == FNR { if (FNR > 1 && (w == "last" || !($1 in v))) v[$1] = $2; next }
		FNR == 1 { print $0, "v"; next } ($2 in v) { print $0, v[$2] }' f.tsv d.tsv >want
		tsv-join -f f.tsv -k k -a v --"$w" d.tsv >got
		assert_file_eq got want
		cat f.tsv | tsv-join -f - -k k -a v --"$w" d.tsv >got
		assert_file_eq got want
	done
	awk -F'\t' 'NR == FNR { if (FNR > 1) v[$1]; next } FNR == 1 || !($2 in v)' f.tsv d.tsv >anti.want
	tsv-join -f f.tsv -k k -e d.tsv >anti.got
	assert_file_eq anti.got anti.want
	[ "$(wc -l <want)" -gt 30000 ] && [ "$(wc -l <anti.want)" -gt 1000 ]
	read -r dup first line < <(awk -F'\t' 'FNR > 1 { if ($1 in at) { print $1, at[$1], FNR; exit } at[$1] = FNR }' f.tsv)
	for src in f.tsv stdin; do
		if [ "$src" = stdin ]; then
			run --separate-stderr bash -c 'cat f.tsv | tsv-join -f - -k k -a v d.tsv'
		else
			run --separate-stderr tsv-join -f "$src" -k k -a v d.tsv
		fi
		assert_equal "$status" 1
		assert_equal "$stderr" "tsv-join: $src:$line: duplicate key '$dup' (first on line $first; use --first or --last)"
	done
}

# IMDb's ids (two letters, then 7 digits or 8 not starting with 0) go into
# a keys-only table as bits: the letters of the first id are the ids', and
# every other key goes to the slots, which are made when the first comes.
# Near misses must stay apart from the ids they resemble: tt00012345 (8
# digits, leading 0) from tt0012345, tt123456789 (9) and tt123 (3), another
# prefix (nm), uppercase, a digit where a letter goes.
@test "id keys (tt0000001) held as bits: near misses kept apart, ids and other keys in either order; equal to awk" {
	# every M-th row from the L-th on: each near miss in turn; past them
	# (the data only), tconsts no filter key reaches
	id_rows() {	# id_rows SEED ROWS M L KEY-FIRST
		awk -v seed="$1" -v rows="$2" -v m="$3" -v l="$4" -v kf="$5" 'BEGIN {
			srand(seed); OFS = "\t"; print (kf ? "k" : "id"), (kf ? "x" : "k")
			for (i = 0; i < rows; i++) {
				n = int(rand() * 400000)
				r = i % m
				if (r < l) k = sprintf("tt%07d", n)
				else if (r == l) k = sprintf("tt%08d", n + 10000000)
				else if (r == l + 1) k = sprintf("tt%08d", n)
				else if (r == l + 2) k = sprintf("nm%07d", n)
				else if (r == l + 3) k = sprintf("tt%d", n)
				else if (r == l + 4) k = sprintf("TT%07d", n)
				else k = sprintf("tt%07d", n + 9990000)
				if (kf) print k, i; else print i, k
			}
		}'
	}
	{ id_rows 18 60000 10 5 1
	  printf '%s\t%s\n' tt123456789 nine 1t0000001 digit tt99999999 last; } >f.tsv
	{ id_rows 19 50000 9 3 0
	  printf '0\t%s\n' tt123456789 tt12345678 1t0000001 tt99999999 tt9999999 tt0000000; } >d.tsv
	# f.tsv: a tconst first, so the ids are tconsts; g.tsv: keys that are
	# no ids first (slots made first), then the nconsts, whose letters win
	{ head -n 1 f.tsv; grep '^TT' f.tsv; grep '^nm' f.tsv; tail -n +2 f.tsv | grep -v -e '^TT' -e '^nm'; } >g.tsv
	[ "$(sed -n 2p f.tsv | cut -c 1-2)" = tt ] && [ "$(sed -n 2p g.tsv | cut -c 1-2)" = TT ]
	for ft in f.tsv g.tsv; do
		awk -F'\t' 'NR == FNR { if (FNR > 1) v[$1]; next }
		    FNR == 1 { print >"semi.want"; print >"anti.want"; next }
		    ($2 in v) { print >"semi.want"; next } { print >"anti.want" }' "$ft" d.tsv
		tsv-join -f "$ft" -k k --stats st.tsv d.tsv >semi.got
		assert_file_eq semi.got semi.want
		cat "$ft" | tsv-join -f - -k k -e d.tsv >anti.got
		assert_file_eq anti.got anti.want
		assert_equal "$(awk -F'\t' '$2 == "filter_keys" { print $3 }' st.tsv)" \
		    "$(tail -n +2 "$ft" | cut -f 1 | sort -u | wc -l)"
	done
	[ "$(wc -l <semi.want)" -gt 15000 ] && [ "$(wc -l <anti.want)" -gt 15000 ]
	grep -q $'\ttt12345678$' anti.want && grep -q $'\ttt99999999$' semi.want
	# ids alone: the bits take 16 KB for numbers below 100,000 and 2 bytes
	# a number for 15 M, where slots took 16 bytes a key and a half more
	awk 'BEGIN { print "k"; for (i = 1; i < 100000; i += 3) printf "nm%07d\n", i }' >ids.tsv
	printf 'k\nnm0000004\nnm0000005\nnm00000004\n' | tsv-join -f ids.tsv -k k --stats st.tsv >got
	assert_equal "$(cat got)" $'k\nnm0000004'
	assert_equal "$(awk -F'\t' '$2 == "hmap_bytes" || $2 == "filter_keys" { print $2, $3 }' st.tsv)" \
	    $'filter_keys 33333\nhmap_bytes 16384'
}
