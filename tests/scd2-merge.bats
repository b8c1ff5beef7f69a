#!/usr/bin/env bats
# scd2-merge: every per-key case on a five-title fixture run through three
# snapshots (goldens after each), the three --deletes policies, type 1
# columns, time order and replay, every error path with its exact message,
# atomic output, and the two real IMDb ratings snapshots of 2017.
# Goldens were read row by row once; every sk and row_hash in them is
# recomputed here with md5sum, and the SCD invariants with awk.

# shellcheck disable=SC2154 # $stderr is set by Bats' run --separate-stderr.
bats_require_minimum_version 1.5.0
load helper

F=$REPO/tests/fixtures/scd2-merge
G=scd2-merge

setup() {
	T=$BATS_TEST_TMPDIR
}

# Runs 1..3 of the fixture under POLICY (and extra options) into $T/r1..r3.
three_runs() {
	local policy=$1
	shift
	scd2-merge --as-of 2025-01-01 --deletes "$policy" "$@" -o "$T/r1" \
	    "$F/empty.tsv" "$F/snap1.tsv"
	scd2-merge --as-of 2025-02-01 --deletes "$policy" "$@" -o "$T/r2" \
	    --stats "$T/st2" "$T/r1" "$F/snap2.tsv"
	scd2-merge --as-of 2025-03-01 --deletes "$policy" "$@" -o "$T/r3" \
	    --stats "$T/st3" "$T/r2" "$F/snap3.tsv"
}

# The counters of a stats file as "name=value ..." (in file order).
counters() {
	awk -F'\t' 'NR > 1 && $2 != "as_of" && $2 != "deletes" &&
	    $2 != "bytes_in" { printf "%s%s=%s", sep, $2, $3; sep = " " }
	    END { print "" }' "$1"
}

# check_hashes FILE NKEY TRACKED...: every sk is md5(key-valid_from) and
# every row_hash md5 of the TRACKED columns (1-based) joined by TAB, by
# md5sum -c over one file per value, not by the tool.
check_hashes() {
	local file=$1 nk=$2 dir=$BATS_TEST_TMPDIR/md5
	shift 2
	rm -rf "$dir"
	mkdir "$dir"
	awk -F'\t' -v nk="$nk" -v cols="$*" -v dir="$dir" '
	    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    {
		k = ""; for (i = 1; i <= nk; i++) k = k $i "-"
		printf "%s%s", k, $c["valid_from"] >(dir "/sk." NR)
		close(dir "/sk." NR)
		split(cols, t, " "); h = ""
		for (i = 1; i in t; i++) h = h (i > 1 ? "\t" : "") $(t[i])
		printf "%s", h >(dir "/rh." NR)
		close(dir "/rh." NR)
		printf "%s  %s/sk.%d\n%s  %s/rh.%d\n", $(nk + 1), dir, NR,
		    $c["row_hash"], dir, NR
	    }' "$file" >"$dir.list"
	run md5sum -c --quiet "$dir.list"
	assert_success
	assert_equal "$(wc -l <"$dir.list")" "$((2 * ($(wc -l <"$file") - 1)))"
}

# check_scd FILE [invalidate]: per key, versions 1..n, valid_from <
# valid_to, contiguous intervals (a gap only after an invalidated version),
# exactly one current row and it is the last (none when invalidated),
# never two tombstones in a row.
check_scd() {
	run awk -F'\t' -v mode="${2:-}" '
	    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	    function done() {
		if (key == "") return
		if (cur > 1 || (cur == 0 && !(mode == "invalidate" &&
		    lastto != "9999-12-31")) || (cur == 1 && !lastcur))
			bad = bad " current:" key
	    }
	    {
		k = $1
		if (k != key) { done(); key = k; v = 0; cur = 0; prevto = ""
		    prevdel = 0 }
		v++
		if ($c["version"] != v) bad = bad " version:" NR
		if ($c["valid_from"] >= $c["valid_to"]) bad = bad " empty:" NR
		if (prevto != "" && prevto != $c["valid_from"] &&
		    !(mode == "invalidate" && prevto < $c["valid_from"]))
			bad = bad " gap:" NR
		if (prevdel && $c["is_deleted"] == 1) bad = bad " tomb:" NR
		cur += $c["is_current"]; lastcur = $c["is_current"]
		if (($c["valid_to"] == "9999-12-31") != ($c["is_current"] == 1))
			bad = bad " open:" NR
		prevto = lastto = $c["valid_to"]; prevdel = $c["is_deleted"]
	    }
	    END { done(); print bad == "" ? "ok" : "bad" bad }' "$1"
	assert_output ok
}

@test "--help prints the man page synopsis to stdout and exits 0" {
	run --separate-stderr scd2-merge --help
	assert_success
	assert_equal "$stderr" ""
	usage=$(printf '%s\n' "$output" | sed 's/^usage: //' | tr -s ' \n' '  ' |
	    sed 's/ *| */|/g; s/ $//')
	synopsis=$(mandoc -Tascii "$REPO/man/man1/scd2-merge.1" | col -b |
	    sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
	    tr -s ' \t\n' '   ' | sed 's/ *| */|/g; s/^ //; s/ $//' |
	    tr '[:lower:]' '[:upper:]')
	assert_equal "$(printf '%s' "$usage" | tr '[:lower:]' '[:upper:]')" \
	    "$synopsis"
}

@test "--version" {
	run --separate-stderr scd2-merge --version
	assert_success
	assert_output "scd2-merge (p07) 0.1.0"
}

@test "first load from an empty DIM: every key new, version 1 (golden)" {
	run --separate-stderr scd2-merge --as-of 2025-01-01 --stats "$T/st" \
	    "$F/empty.tsv" "$F/snap1.tsv"
	assert_success
	assert_equal "$stderr" ""
	assert_golden "$G/run1.tsv"
	printf '%s\n' "$output" >"$T/r1"
	check_hashes "$T/r1" 1 3 4 5
	check_scd "$T/r1"
	run counters "$T/st"
	assert_output "rows_in=5 rows_out=5 rows_rejected=0 rows_dim_in=0 rows_snapshot_in=5 keys_dim_in=0 new=5 changed=0 unchanged=0 deleted=0 still_deleted=0 resurrected=0 type1_updated=0"
}

@test "a header-only DIM is a first load too" {
	head -n 1 "$GOLD/$G/run1.tsv" >"$T/hdr"
	run --separate-stderr scd2-merge --as-of 2025-01-01 "$T/hdr" \
	    "$F/snap1.tsv"
	assert_success
	assert_golden "$G/run1.tsv"
}

@test "sk is md5 of key-valid_from: the DESIGN's vector" {
	printf 'tconst\tx\ntt0000001\ta\n' >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-08-13 --sk title_sk \
	    "$F/empty.tsv" "$T/s"
	assert_success
	assert_line -n 0 "tconst	title_sk	x	row_hash	valid_from	valid_to	is_current	is_deleted	version"
	assert_line -n 1 "tt0000001	$(printf 'tt0000001-2025-08-13' | md5sum | cut -c1-32)	a	$(printf 'a' | md5sum | cut -c1-32)	2025-08-13	9999-12-31	1	0	1"
}

@test "run 2: unchanged, changed, NULL->value, value->NULL, deleted, new (golden)" {
	three_runs new_record
	run cat "$T/r2"
	assert_golden "$G/run2.tsv"
	check_hashes "$T/r2" 1 3 4 5
	check_scd "$T/r2"
	# tt01 unchanged: its row is copied byte for byte.
	assert_equal "$(grep '^tt01' "$T/r2")" "$(grep '^tt01' "$T/r1")"
	# tt04 \N -> 4.0 and tt05 8.0 -> \N are changes.
	assert_equal "$(awk -F'\t' '$1 == "tt04" || $1 == "tt05" { print $1, $4, $8, $9, $11 }' "$T/r2")" \
"tt04 \\N 2025-02-01 0 1
tt04 4.0 9999-12-31 1 2
tt05 8.0 2025-02-01 0 1
tt05 \\N 9999-12-31 1 2"
	# tt03 left: closed, then a current tombstone with the same attributes.
	assert_equal "$(awk -F'\t' '$1 == "tt03" { print $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$T/r2")" \
"C 7.0 30 8af3e3357f9419d42a6b5b1115a11d68 2025-01-01 2025-02-01 0 0 1
C 7.0 30 8af3e3357f9419d42a6b5b1115a11d68 2025-02-01 9999-12-31 1 1 2"
	run counters "$T/st2"
	assert_output "rows_in=10 rows_out=10 rows_rejected=0 rows_dim_in=5 rows_snapshot_in=5 keys_dim_in=5 new=1 changed=3 unchanged=1 deleted=1 still_deleted=0 resurrected=0 type1_updated=0"
}

@test "run 3: resurrection, tombstones, new key with an empty title (golden)" {
	three_runs new_record
	run cat "$T/r3"
	assert_golden "$G/run3.tsv"
	check_hashes "$T/r3" 1 3 4 5
	check_scd "$T/r3"
	# tt03 came back: its tombstone closed, a live version 3.
	assert_equal "$(awk -F'\t' '$1 == "tt03" { print $7, $8, $9, $10, $11 }' "$T/r3")" \
"2025-01-01 2025-02-01 0 0 1
2025-02-01 2025-03-01 0 1 2
2025-03-01 9999-12-31 1 0 3"
	run counters "$T/st3"
	assert_output "rows_in=15 rows_out=15 rows_rejected=0 rows_dim_in=10 rows_snapshot_in=5 keys_dim_in=6 new=1 changed=1 unchanged=2 deleted=2 still_deleted=0 resurrected=1 type1_updated=0"
}

@test "a key still gone is not deleted again and gets no second tombstone" {
	three_runs new_record
	run --separate-stderr scd2-merge --as-of 2025-04-01 --stats "$T/st4" \
	    "$T/r3" "$F/snap3.tsv"
	assert_success
	printf '%s\n' "$output" >"$T/r4"
	assert_file_eq "$T/r4" "$T/r3"
	run counters "$T/st4"
	assert_output "rows_in=20 rows_out=15 rows_rejected=0 rows_dim_in=15 rows_snapshot_in=5 keys_dim_in=7 new=0 changed=0 unchanged=5 deleted=0 still_deleted=2 resurrected=0 type1_updated=0"
}

@test "the stats identity holds after every run" {
	three_runs new_record
	for st in "$T/st2" "$T/st3"; do
		run awk -F'\t' '{ v[$2] = $3 }
		    END { want = v["rows_dim_in"] + v["new"] + v["changed"]
			want += v["resurrected"] + v["deleted"]
			print (v["rows_out"] == want ? "ok" : "broken") }' "$st"
		assert_output ok
	done
	assert_equal "$(($(wc -l <"$T/r3") - 1))" "$(awk -F'\t' '$2 == "rows_out" { print $3 }' "$T/st3")"
}

@test "replay: the same snapshot and date again gives byte-identical output" {
	three_runs new_record
	want=$(sha256sum <"$T/r3")
	run --separate-stderr scd2-merge --as-of 2025-03-01 --stats "$T/st" \
	    -o "$T/r3" "$T/r3" "$F/snap3.tsv"
	assert_success
	assert_equal "$stderr" ""
	assert_equal "$(sha256sum <"$T/r3")" "$want"
	run counters "$T/st"
	assert_output "rows_in=20 rows_out=15 rows_rejected=0 rows_dim_in=15 rows_snapshot_in=5 keys_dim_in=7 new=0 changed=0 unchanged=5 deleted=0 still_deleted=2 resurrected=0 type1_updated=0"
}

@test "replay of the latest date that would change something: error, OUT untouched" {
	three_runs new_record
	want=$(sha256sum <"$T/r3")
	run --separate-stderr scd2-merge --as-of 2025-03-01 -o "$T/r3" \
	    "$T/r3" "$F/snap2.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $F/snap2.tsv:2: key 'tt01' would change the dimension, but --as-of 2025-03-01 is DIM's latest date (a replay must change nothing; use a later date)"
	assert_equal "$(sha256sum <"$T/r3")" "$want"
	run ls "$T"
	refute_output --partial .tmp.
}

@test "--as-of earlier than a date in DIM is an error" {
	three_runs new_record
	run --separate-stderr scd2-merge --as-of 2025-02-28 "$T/r3" \
	    "$F/snap3.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/r3:2: valid_to 2025-03-01 is later than --as-of 2025-02-28 (snapshots must be merged in date order)"
	assert_output ""
}

@test "--deletes invalidate: closed without a tombstone, resurrected after a gap (golden)" {
	three_runs invalidate
	run cat "$T/r2"
	assert_golden "$G/run2-invalidate.tsv"
	run cat "$T/r3"
	assert_golden "$G/run3-invalidate.tsv"
	check_hashes "$T/r3" 1 3 4 5
	check_scd "$T/r3" invalidate
	# tt03: closed on 2025-02-01, gone until it came back on 2025-03-01.
	assert_equal "$(awk -F'\t' '$1 == "tt03" { print $7, $8, $9, $10, $11 }' "$T/r3")" \
"2025-01-01 2025-02-01 0 0 1
2025-03-01 9999-12-31 1 0 2"
	# tt05 and tt06 left: no current row at all.
	assert_equal "$(awk -F'\t' '($1 == "tt05" || $1 == "tt06") && $9 == 1' "$T/r3")" ""
	run counters "$T/st2"
	assert_output "rows_in=10 rows_out=9 rows_rejected=0 rows_dim_in=5 rows_snapshot_in=5 keys_dim_in=5 new=1 changed=3 unchanged=1 deleted=1 still_deleted=0 resurrected=0 type1_updated=0"
	run counters "$T/st3"
	assert_output "rows_in=14 rows_out=12 rows_rejected=0 rows_dim_in=9 rows_snapshot_in=5 keys_dim_in=6 new=1 changed=1 unchanged=2 deleted=2 still_deleted=0 resurrected=1 type1_updated=0"
}

@test "--deletes invalidate: a replay leaves invalidated keys alone" {
	three_runs invalidate
	run --separate-stderr scd2-merge --as-of 2025-03-01 --deletes invalidate \
	    "$T/r3" "$F/snap3.tsv"
	assert_success
	printf '%s\n' "$output" >"$T/again"
	assert_file_eq "$T/again" "$T/r3"
}

@test "a DIM with an invalidated key needs --deletes invalidate" {
	three_runs invalidate
	run --separate-stderr scd2-merge --as-of 2025-04-01 "$T/r3" \
	    "$F/snap3.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/r3:7: valid_from 2025-03-01 is not the previous version's valid_to 2025-02-01 (intervals must be contiguous)"
	grep -v '^tt03' "$T/r3" >"$T/no3"
	run --separate-stderr scd2-merge --as-of 2025-04-01 "$T/no3" \
	    "$F/snap3.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/no3:9: key 'tt05' has no current version (only --deletes invalidate closes a key without a tombstone)"
}

@test "--deletes ignore: a missing key stays current, counted as deleted" {
	three_runs ignore
	run cat "$T/r2"
	assert_golden "$G/run2-ignore.tsv"
	check_scd "$T/r2"
	assert_equal "$(grep '^tt03' "$T/r2")" "$(grep '^tt03' "$T/r1")"
	run counters "$T/st2"
	assert_output "rows_in=10 rows_out=9 rows_rejected=0 rows_dim_in=5 rows_snapshot_in=5 keys_dim_in=5 new=1 changed=3 unchanged=1 deleted=1 still_deleted=0 resurrected=0 type1_updated=0"
	run counters "$T/st3"
	assert_output "rows_in=14 rows_out=11 rows_rejected=0 rows_dim_in=9 rows_snapshot_in=5 keys_dim_in=6 new=1 changed=1 unchanged=3 deleted=2 still_deleted=0 resurrected=0 type1_updated=0"
}

@test "--type1: a type 1 change rewrites every version in place, no new version (golden)" {
	scd2-merge --as-of 2025-01-01 --type1 numVotes -o "$T/r1" \
	    "$F/empty.tsv" "$F/snap1.tsv"
	scd2-merge --as-of 2025-02-01 --type1 numVotes -o "$T/r2" \
	    "$T/r1" "$F/snap2.tsv"
	run --separate-stderr scd2-merge --as-of 2025-03-01 --type1 numVotes \
	    --stats "$T/st" "$T/r2" "$F/snap3-type1.tsv"
	assert_success
	assert_golden "$G/run3-type1.tsv"
	printf '%s\n' "$output" >"$T/r3"
	check_hashes "$T/r3" 1 3 4
	check_scd "$T/r3"
	# tt02: votes 20 -> 21 only: both versions now say 21, still 2 versions.
	assert_equal "$(awk -F'\t' '$1 == "tt02" { print $5, $11 }' "$T/r3")" \
"21 1
21 2"
	# tt04: rating and votes changed: a new version, the old one gets 41 too.
	assert_equal "$(awk -F'\t' '$1 == "tt04" { print $4, $5, $9, $11 }' "$T/r3")" \
"\\N 41 0 1
4.0 41 0 2
4.5 41 1 3"
	run counters "$T/st"
	# tt03 was deleted by run 2 and is still gone: not deleted again.
	assert_output "rows_in=15 rows_out=11 rows_rejected=0 rows_dim_in=10 rows_snapshot_in=5 keys_dim_in=6 new=0 changed=1 unchanged=4 deleted=0 still_deleted=1 resurrected=0 type1_updated=1"
}

@test "-N: headerless inputs give the same rows" {
	three_runs new_record
	tail -n +2 "$T/r2" >"$T/r2n"
	tail -n +2 "$F/snap3.tsv" >"$T/s3n"
	run --separate-stderr scd2-merge -N --as-of 2025-03-01 "$T/r2n" "$T/s3n"
	assert_success
	assert_equal "$output" "$(tail -n +2 "$T/r3")"
}

@test "-k with two fields out of column order; key comes first" {
	printf 'a\tb\tv\n1\tx\tp\n0\ty\tq\n' >"$T/s"
	run --separate-stderr scd2-merge -k b,a --as-of 2025-01-01 \
	    "$F/empty.tsv" "$T/s"
	assert_success
	assert_line -n 0 "b	a	sk	v	row_hash	valid_from	valid_to	is_current	is_deleted	version"
	assert_line -n 1 "x	1	$(printf 'x-1-2025-01-01' | md5sum | cut -c1-32)	p	$(printf 'p' | md5sum | cut -c1-32)	2025-01-01	9999-12-31	1	0	1"
	assert_line -n 2 --partial "y	0	"
}

@test "keys compare as bytes: a prefix sorts first, TAB before any other byte" {
	printf 'k\tv\ntt1\ta\ntt10\tb\ntt1a\tc\ntt2\td\n' >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-01-01 "$F/empty.tsv" "$T/s"
	assert_success
	assert_equal "$(LC_ALL=C sort -c <(tail -n +2 "$T/s") && echo sorted)" sorted
	printf 'k\tv\ntt10\tb\ntt1\ta\n' >"$T/u"
	run --separate-stderr scd2-merge --as-of 2025-01-01 "$F/empty.tsv" "$T/u"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/u:3: key 'tt1' is not after 'tt10' on line 2 (SNAPSHOT must be sorted by key in byte order, as LC_ALL=C sort)"
}

@test "unsorted SNAPSHOT is an error with the line" {
	printf 'tconst\tx\ntt01\ta\ntt03\tb\ntt02\tc\n' >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-01-01 -o "$T/out" \
	    "$F/empty.tsv" "$T/s"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/s:4: key 'tt02' is not after 'tt03' on line 3 (SNAPSHOT must be sorted by key in byte order, as LC_ALL=C sort)"
	[ ! -e "$T/out" ]
}

@test "duplicate key in SNAPSHOT is an error with both lines" {
	printf 'tconst\tx\ntt01\ta\ntt02\tb\ntt02\tc\n' >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-01-01 "$F/empty.tsv" "$T/s"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/s:4: duplicate key 'tt02' (first on line 3)"
}

@test "unsorted DIM is an error with the line" {
	three_runs new_record
	awk 'NR == 2 { held = $0; next } { print } NR == 3 { print held }' \
	    "$T/r1" >"$T/d"
	run --separate-stderr scd2-merge --as-of 2025-02-01 "$T/d" "$F/snap2.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/d:3: key 'tt01' is not after 'tt02' on line 2 (DIM must be sorted by key in byte order, as LC_ALL=C sort)"
}

@test "duplicate key in DIM is an error with both lines" {
	three_runs new_record
	{ head -n 2 "$T/r1"; sed -n '2,$p' "$T/r1"; } >"$T/d"
	run --separate-stderr scd2-merge --as-of 2025-02-01 "$T/d" "$F/snap2.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/d:3: duplicate key 'tt01' version 1 (first on line 2)"
}

@test "null and empty keys are errors" {
	printf 'tconst\tx\n\\N\ta\n' >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-01-01 "$F/empty.tsv" "$T/s"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/s:2: null key (field 1 is \\N; keys must not be empty or \\N)"
	printf 'tconst\tx\ntt1\ta\n\tb\n' >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-01-01 "$F/empty.tsv" "$T/s"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/s:3: empty key (field 1; keys must not be empty or \\N)"
}

@test "ragged rows in SNAPSHOT and DIM are errors" {
	printf 'tconst\tx\ty\ntt1\ta\n' >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-01-01 "$F/empty.tsv" "$T/s"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/s:2: expected 3 fields, found 2"
	three_runs new_record
	sed '3s/\t0\t1$//' "$T/r1" >"$T/d"
	run --separate-stderr scd2-merge --as-of 2025-02-01 "$T/d" "$F/snap2.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/d:3: expected 11 fields, found 9"
}

@test "DIM header must match SNAPSHOT's columns and --sk" {
	three_runs new_record
	run --separate-stderr scd2-merge --as-of 2025-02-01 --sk title_sk \
	    "$T/r1" "$F/snap2.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/r1:1: header column 2 is 'sk' (expected 'title_sk': DIM must have SNAPSHOT's columns, key first, plus title_sk and the SCD columns)"
	cut -f 1,2,4 "$F/snap2.tsv" >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-02-01 "$T/r1" "$T/s"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/r1:1: header column 4 is 'averageRating' (expected 'numVotes': DIM must have SNAPSHOT's columns, key first, plus sk and the SCD columns)"
	paste "$F/snap2.tsv" <(printf 'extra\n1\n2\n3\n4\n5\n') >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-02-01 "$T/r1" "$T/s"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/r1:1: header column 6 is 'row_hash' (expected 'extra': DIM must have SNAPSHOT's columns, key first, plus sk and the SCD columns)"
	printf 'tconst\tversion\ntt1\t1\n' >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-02-01 "$F/empty.tsv" "$T/s"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/s:1: column 'version' clashes with a column scd2-merge adds (sk or an SCD column)"
}

@test "DIM invariants: each broken one is an error naming the line" {
	three_runs new_record
	# r3 line 6 is tt03 version 1 (2025-01-01..2025-02-01), line 7 its
	# tombstone, line 8 its live version 3.
	check() {
		sed "$1" "$T/r3" >"$T/d"
		run --separate-stderr scd2-merge --as-of 2025-04-01 "$T/d" \
		    "$F/snap3.tsv"
		assert_failure 1
		assert_equal "$stderr" "scd2-merge: $T/d:$2"
	}
	check '8s/\t3$/\t4/' "8: version 4 (expected 3: the versions of a key run 1..n in order)"
	check '8s/\t3$/\tx/' "8: bad version 'x' (expected a positive integer)"
	check '6s/2025-02-01/2025-01-15/' "7: valid_from 2025-02-01 is not the previous version's valid_to 2025-01-15 (intervals must be contiguous)"
	check '6s/\t0\t0\t1$/\t1\t0\t1/' "6: version 1 is current but version 2 follows (only the last version is current)"
	check '8s/\t1\t0\t3$/\t0\t0\t3/' "8: last version has valid_to 9999-12-31 but is_current 0"
	check '8s/\t0\t3$/\t1\t3/' "8: two tombstones in a row (is_deleted 1 on versions 2 and 3)"
	check '8s/9999-12-31/2025-03-02/' "8: current version has valid_to 2025-03-02 (expected 9999-12-31)"
	check '6s/\ttt03\t/\ttt03\t/; 6s/^tt03/\\N/' "6: key '\\N' is not after 'tt02' on line 5 (DIM must be sorted by key in byte order, as LC_ALL=C sort)"
}

@test "DIM invariants: bad dates and flags" {
	three_runs new_record
	check() {
		sed "$1" "$T/r3" >"$T/d"
		run --separate-stderr scd2-merge --as-of 2025-04-01 "$T/d" \
		    "$F/snap3.tsv"
		assert_failure 1
		assert_equal "$stderr" "scd2-merge: $T/d:$2"
	}
	check '8s/2025-03-01\t9999/2025-02-30\t9999/' "8: bad valid_from '2025-02-30' (expected YYYY-MM-DD)"
	check '2s/\t2025-01-01\t/\t2025-1-01\t/' "2: bad valid_from '2025-1-01' (expected YYYY-MM-DD)"
	check '8s/9999-12-31/2025-03-01/' "8: valid_from 2025-03-01 is not before valid_to 2025-03-01"
	check '8s/\t1\t0\t3$/\t2\t0\t3/' "8: bad is_current '2' or is_deleted '0' (expected 0 or 1)"
}

@test "usage errors exit 2" {
	check() {
		run --separate-stderr scd2-merge "$@"
		assert_failure 2
		assert_output ""
	}
	check "$F/empty.tsv" "$F/snap1.tsv"
	assert_equal "$stderr" "scd2-merge: --as-of is required (the date of SNAPSHOT)
Try 'scd2-merge --help' for more information."
	check --as-of 2025-02-29 "$F/empty.tsv" "$F/snap1.tsv"
	assert_equal "${stderr%%$'\n'*}" "scd2-merge: --as-of: invalid date '2025-02-29' (expected YYYY-MM-DD before 9999-12-31)"
	check --as-of 9999-12-31 "$F/empty.tsv" "$F/snap1.tsv"
	check --as-of 2025-1-1 "$F/empty.tsv" "$F/snap1.tsv"
	check --as-of 2025-01-01 --deletes drop "$F/empty.tsv" "$F/snap1.tsv"
	assert_equal "${stderr%%$'\n'*}" "scd2-merge: --deletes: invalid value 'drop' (expected ignore, invalidate or new_record)"
	check --as-of 2025-01-01 "$F/snap1.tsv"
	assert_equal "${stderr%%$'\n'*}" "scd2-merge: expected two files, DIM and SNAPSHOT (1 given)"
	check --as-of 2025-01-01 --type1 tconst "$F/empty.tsv" "$F/snap1.tsv"
	assert_equal "${stderr%%$'\n'*}" "scd2-merge: --type1: field 1 is a key field (-k)"
	check --as-of 2025-01-01 -k nope "$F/empty.tsv" "$F/snap1.tsv"
	assert_equal "$stderr" "scd2-merge: -k: unknown field 'nope' (header: tconst, primaryTitle, averageRating, numVotes)"
	check --as-of 2025-01-01 --bogus "$F/empty.tsv" "$F/snap1.tsv"
	check --as-of 2025-01-01 - -
}

@test "-o OUT may be DIM itself, also through stdin" {
	three_runs new_record
	cp "$T/r1" "$T/dim"
	scd2-merge --as-of 2025-02-01 -o "$T/dim" "$T/dim" "$F/snap2.tsv"
	assert_file_eq "$T/dim" "$T/r2"
	scd2-merge --as-of 2025-03-01 -o "$T/dim" - "$F/snap3.tsv" <"$T/dim"
	assert_file_eq "$T/dim" "$T/r3"
	run ls "$T"
	refute_output --partial .tmp.
}

@test "-o through a symlink replaces the target and keeps the link" {
	three_runs new_record
	cp "$T/r1" "$T/dim-v1"
	ln -s dim-v1 "$T/current"
	scd2-merge --as-of 2025-02-01 -o "$T/current" "$T/current" "$F/snap2.tsv"
	[ -L "$T/current" ]
	assert_file_eq "$T/dim-v1" "$T/r2"
}

@test "gzip DIM and SNAPSHOT are read" {
	three_runs new_record
	gzip -c "$T/r2" >"$T/r2.gz"
	gzip -c "$F/snap3.tsv" >"$T/s3.gz"
	scd2-merge --as-of 2025-03-01 -o "$T/out" "$T/r2.gz" "$T/s3.gz"
	assert_file_eq "$T/out" "$T/r3"
}

@test "a failing run leaves the previous OUT intact and no temporary file" {
	three_runs new_record
	cp "$T/r2" "$T/dim"
	want=$(sha256sum <"$T/dim")
	# The error is on the last SNAPSHOT row, after most rows were written.
	{ cat "$F/snap3.tsv"; printf 'tt05\tx\t1.0\n'; } >"$T/s"
	run --separate-stderr scd2-merge --as-of 2025-03-01 -o "$T/dim" \
	    "$T/dim" "$T/s"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $T/s:7: expected 4 fields, found 3"
	assert_equal "$(sha256sum <"$T/dim")" "$want"
	run ls "$T"
	refute_output --partial .tmp.
	run --separate-stderr scd2-merge --as-of 2025-03-01 -o /dev/full \
	    "$T/r2" "$F/snap3.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: /dev/full: write error: No space left on device"
}

@test "killed while writing a big output: the previous OUT is intact" {
	# 300,000 rows (8 MB of output) through a FIFO that we stop feeding
	# half way, so the tool is surely mid-write when it is killed.
	awk 'BEGIN { print "tconst\tv"; for (i = 0; i < 300000; i++)
	    printf "tt%07d\t%d\n", i, i }' >"$T/big"
	for sig in KILL TERM; do
		printf 'previous\n' >"$T/dim"
		: >"$T/empty"
		mkfifo "$T/fifo"
		scd2-merge --as-of 2025-01-01 -o "$T/dim" "$T/empty" "$T/fifo" &
		pid=$!
		exec 7>"$T/fifo"
		head -n 150000 "$T/big" >&7
		for _ in $(seq 50); do
			[ -n "$(find "$T" -name 'dim.tmp.*' -size +1M)" ] && break
			sleep 0.1
		done
		[ -n "$(find "$T" -name 'dim.tmp.*' -size +1M)" ] ||
		    fail "no partial temporary file"
		kill -s "$sig" "$pid"
		wait "$pid" || true
		exec 7>&-
		rm "$T/fifo"
		assert_equal "$(cat "$T/dim")" previous
		if [ "$sig" = TERM ]; then
			# A catchable signal removes the temporary file.
			assert_equal "$(find "$T" -name 'dim.tmp.*')" ""
		else
			# SIGKILL cannot be caught: the temporary stays (CAVEATS).
			rm -f "$T"/dim.tmp.*
		fi
	done
}

@test "real IMDb ratings 2017-08-13 -> 2017-10-29: new, deleted, changed as computed by awk" {
	need_sample
	aug=$SAMPLE/ratings-2017-08-13/title.ratings.tsv.gz
	oct=$SAMPLE/ratings-2017-10-29/title.ratings.tsv.gz
	# Both files are already in byte order: no sort needed.
	gzip -dc "$aug" | tail -n +2 | LC_ALL=C sort -c
	gzip -dc "$oct" | tail -n +2 | LC_ALL=C sort -c
	scd2-merge --as-of 2017-08-13 --sk title_sk -o "$T/d1" "$F/empty.tsv" "$aug"
	scd2-merge --as-of 2017-10-29 --sk title_sk --stats "$T/st" -o "$T/d2" \
	    "$T/d1" "$oct"
	# Independently: tconsts in both whose (rating, votes) pair differs.
	gzip -dc "$aug" | tail -n +2 >"$T/a"
	gzip -dc "$oct" | tail -n +2 >"$T/o"
	want=$(join -t "$(printf '\t')" "$T/a" "$T/o" |
	    awk -F'\t' '$2 != $4 || $3 != $5 { n++ } END { print n }')
	rating=$(join -t "$(printf '\t')" "$T/a" "$T/o" |
	    awk -F'\t' '$2 != $4 { n++ } END { print n }')
	both=$(join -t "$(printf '\t')" "$T/a" "$T/o" |
	    awk -F'\t' '$2 != $4 && $3 != $5 { n++ } END { print n }')
	# PROVENANCE.md: 163,124 rating changes, 367,222 vote changes.
	assert_equal "$rating" 163124
	assert_equal "$want" "$((163124 + 367222 - both))"
	run counters "$T/st"
	assert_output "rows_in=1531416 rows_out=$((755460 + 20882 + want + 386)) rows_rejected=0 rows_dim_in=755460 rows_snapshot_in=775956 keys_dim_in=755460 new=20882 changed=$want unchanged=$((755074 - want)) deleted=386 still_deleted=0 resurrected=0 type1_updated=0"
	assert_equal "$(($(wc -l <"$T/d2") - 1))" "$((755460 + 20882 + want + 386))"
	# One changed title, by hand: tt0000001 had 1296 votes, then 1320.
	assert_equal "$(grep '^tt0000001	' "$T/d2" | cut -f 2-)" \
"$(printf 'tt0000001-2017-08-13' | md5sum | cut -c1-32)	5.8	1296	$(printf '5.8\t1296' | md5sum | cut -c1-32)	2017-08-13	2017-10-29	0	0	1
$(printf 'tt0000001-2017-10-29' | md5sum | cut -c1-32)	5.8	1320	$(printf '5.8\t1320' | md5sum | cut -c1-32)	2017-10-29	9999-12-31	1	0	2"
	# Tombstones: exactly the 386 tconsts that left, by comm.
	assert_equal "$(awk -F'\t' '$9 == 1 { print $1 }' "$T/d2" | sha256sum)" \
	    "$(comm -23 <(cut -f 1 "$T/a") <(cut -f 1 "$T/o") | sha256sum)"
	# Replaying October changes nothing.
	scd2-merge --as-of 2017-10-29 --sk title_sk -o "$T/d3" "$T/d2" "$oct"
	assert_equal "$(sha256sum <"$T/d3")" "$(sha256sum <"$T/d2")"
}

@test "real IMDb ratings with --type1 numVotes: only rating changes version" {
	need_sample
	aug=$SAMPLE/ratings-2017-08-13/title.ratings.tsv.gz
	oct=$SAMPLE/ratings-2017-10-29/title.ratings.tsv.gz
	scd2-merge --as-of 2017-08-13 --type1 numVotes -o "$T/d1" "$F/empty.tsv" "$aug"
	scd2-merge --as-of 2017-10-29 --type1 numVotes --stats "$T/st" \
	    -o "$T/d2" "$T/d1" "$oct"
	gzip -dc "$aug" | tail -n +2 >"$T/a"
	gzip -dc "$oct" | tail -n +2 >"$T/o"
	votes_only=$(join -t "$(printf '\t')" "$T/a" "$T/o" |
	    awk -F'\t' '$2 == $4 && $3 != $5 { n++ } END { print n }')
	run counters "$T/st"
	assert_output "rows_in=1531416 rows_out=$((755460 + 20882 + 163124 + 386)) rows_rejected=0 rows_dim_in=755460 rows_snapshot_in=775956 keys_dim_in=755460 new=20882 changed=163124 unchanged=$((755074 - 163124)) deleted=386 still_deleted=0 resurrected=0 type1_updated=$votes_only"
	# Every version of a title carries its latest vote count.
	assert_equal "$(awk -F'\t' 'NR > 1 && $9 == 0 { print $1 "\t" $4 }' "$T/d2" |
	    join -t "$(printf '\t')" - "$T/o" | awk -F'\t' '$2 != $4' | wc -l)" 0
}
