#!/usr/bin/env bats
# wrating: Bayesian weighted rating, exact.  Golden outputs are recomputed
# with bc (arbitrary precision) and C with sqlite3 integer sums.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	ORIGIN=$FIX/wrating/origin.tsv
	EDGE=$FIX/wrating/boundary.tsv
	HINT="Try 'wrating --help' for more information."
}

# bc_wr M CN CD FILE RCOL VCOL: WR with 2 decimals, half away from zero,
# from the exact value (bc integer division of scaled numbers).
bc_wr() {
	awk -F'\t' -v m="$1" -v cn="$2" -v cd="$3" -v rc="$5" -v vc="$6" 'NR > 1 {
		if ($rc == "\\N" || $vc == "\\N" || $vc == 0) { print "-1"; next }
		n = split($rc, a, "."); r10 = a[1] * 10 + (n > 1 ? a[2] : 0)
		printf "n=%s*%d*%s+10*%s*%s; d=10*%s*(%s+%s); (200*n+d)/(2*d)\n",
		    $vc, r10, cd, m, cn, cd, $vc, m }' "$4" |
		BC_LINE_LENGTH=0 bc |
		awk '{ if ($1 < 0) print "\\N"; else printf "%d.%02d\n", int($1 / 100), $1 % 100 }'
}

@test "the origin document's table: m=25000, C=7.0 -> 9.28, 9.17, 8.98; \\N rating and 0 votes -> \\N" {
	run --separate-stderr wrating -C 7.0 "$ORIGIN"
	assert_success
	[ -z "$stderr" ]
	assert_golden wrating/origin-C7.tsv
	bc_wr 25000 7 1 "$ORIGIN" 3 4 >want
	tail -n +2 "$GOLD/wrating/origin-C7.tsv" | cut -f5 >got
	assert_file_eq got want
	run cut -f5 "$GOLD/wrating/origin-C7.tsv"
	assert_output $'weighted_rating\n9.28\n9.17\n8.98\n\\N\n\\N\n7.00'
}

@test "x.xx5 exactly: rounded half away from zero, where binary printf goes down" {
	run --separate-stderr wrating -C 7.0 -m 19900 "$EDGE"
	assert_success
	assert_golden wrating/boundary-m19900.tsv
	bc_wr 19900 7 1 "$EDGE" 2 3 >want
	tail -n +2 "$GOLD/wrating/boundary-m19900.tsv" | cut -f4 >got
	assert_file_eq got want
	# every exact value has a 5 in the third decimal and nothing after it
	tail -n +2 "$EDGE" | while IFS=$'\t' read -r _ r v; do
		echo "scale=20; ($v*$r+19900*7.0)/($v+19900)"
	done | bc | grep -c '^[0-9]\.[0-9][0-9]50*$' >n
	[ "$(cat n)" -eq 8 ]
	# and a double with printf rounds 7 of the 8 down
	awk -F'\t' 'NR > 1 { printf "%.2f\n", ($3 * $2 + 19900 * 7.0) / ($3 + 19900) }' "$EDGE" >float
	[ "$(paste got float | awk '$1 != $2' | wc -l)" -eq 7 ]
}

@test "-p sets the decimals; -n names the column; -m 0 gives R itself" {
	run --separate-stderr wrating -C 7.0 -p 0 -n wr "$ORIGIN"
	assert_success
	[ "$(printf '%s\n' "$output" | cut -f5 | paste -sd' ')" = 'wr 9 9 9 \N \N 7' ]
	run --separate-stderr wrating -C 7.0 -p 6 "$ORIGIN"
	# (9.3*2700000 + 7.0*25000) / 2725000 = 9.27889908256...
	[ "$(printf '%s\n' "$output" | sed -n 2p | cut -f5)" = 9.278899 ]
	[ "$(echo 'scale=8; (9.3*2700000+7.0*25000)/2725000' | bc)" = 9.27889908 ]
	run --separate-stderr wrating -C 7.0 -m 0 -p 1 "$ORIGIN"
	[ "$(printf '%s\n' "$output" | cut -f5 | paste -sd' ')" = 'weighted_rating 9.3 9.2 9.0 \N \N 6.1' ]
}

@test "-C auto with --eligible: C = sum(R*v)/sum(v) over eligible rows, exact, in --stats" {
	run --separate-stderr wrating --eligible titleType=movie --stats st.tsv "$ORIGIN"
	assert_success
	# (93*2700000 + 92*1900000 + 90*2700000) / (10 * 7300000) = 6689/730
	run cat st.tsv
	assert_output "$(printf 'tool\tmetric\tvalue\n'; printf 'wrating\t%s\t%s\n' \
		rows_in 6 rows_out 6 rows_rejected 0 bytes_in "$(wc -c <"$ORIGIN")" m 25000 \
		C 9.1630 C_exact 6689/730 C_source auto eligible_rows 3 \
		eligible_votes 7300000 null_rows 2)"
	[ "$(echo 'scale=4; 66890000/7300000' | bc)" = 9.1630 ]
}

@test "-C auto reads stdin twice: a pipe (gzip too) is spooled and leaves no file behind" {
	mkdir tmp
	wrating --eligible titleType=movie "$ORIGIN" >want
	run --separate-stderr sh -c "gzip -c '$ORIGIN' | TMPDIR=tmp wrating --eligible titleType=movie"
	assert_success
	printf '%s\n' "$output" >got
	assert_file_eq got want
	[ -z "$(ls -A tmp)" ]
	run --separate-stderr sh -c "cat '$ORIGIN' | TMPDIR=tmp wrating -p 3 --eligible titleType=movie - && ls -A tmp"
	assert_success
	# (9.3*2700000 + 25000*6689/730) / 2725000 = 9.29874...
	assert_line --index 1 $'tt0111161\tmovie\t9.3\t2700000\t9.299'
	[ "$(echo 'scale=5; (9.3*2700000+25000*6689/730)/2725000' | bc)" = 9.29874 ]
	run --separate-stderr sh -c "wrating --eligible titleType=movie <'$ORIGIN'"
	assert_success
	assert_output "$(cat want)"
}

@test "-C auto: no temporary directory is an error" {
	run --separate-stderr sh -c "cat '$ORIGIN' | TMPDIR=/nonexistent wrating"
	assert_failure 1
	assert_output ""
	[ "$stderr" = "wrating: /nonexistent: cannot create a temporary file to read stdin twice: No such file or directory" ]
}

@test "-C auto with no eligible votes is an error; with nothing to rate it is not" {
	run --separate-stderr wrating --eligible titleType=tvEpisode "$ORIGIN"
	assert_failure 1
	assert_output ""
	[ "$stderr" = "wrating: $ORIGIN: -C auto: no eligible row has a rating and votes (C is undefined; give -C MEAN)" ]
	printf 'tconst\taverageRating\tnumVotes\ntt1\t\\N\t3\n' >null.tsv
	run --separate-stderr wrating --stats st.tsv null.tsv
	assert_success
	assert_output $'tconst\taverageRating\tnumVotes\tweighted_rating\ntt1\t\\N\t3\t\\N'
	run grep -P '\tC(_exact)?\t' st.tsv
	assert_output $'wrating\tC\t\\N\nwrating\tC_exact\t\\N'
}

@test "-N with fields by number" {
	run --separate-stderr sh -c "tail -n +2 '$ORIGIN' | wrating -N -r 3 -v 4 -C 7"
	assert_success
	assert_output "$(tail -n +2 "$GOLD/wrating/origin-C7.tsv")"
}

@test "real sample: -C auto over movies equals sqlite3's integer sums; every WR equals bc's" {
	need_sample
	imdb-cat -f tconst,titleType "$SAMPLE/title.basics.tsv.gz" >types.tsv
	imdb-cat "$SAMPLE/title.ratings.tsv.gz" |
		awk -F'\t' -v OFS='\t' 'NR == FNR { t[$1] = $2; next }
			FNR == 1 { print $1, "titleType", $2, $3; next }
			{ print $1, t[$1], $2, $3 }' types.tsv - >rated.tsv
	wrating --eligible titleType=movie --stats st.tsv rated.tsv >wr.tsv
	read -r srv sv < <(sqlite3 :memory: -cmd '.mode tabs' -cmd '.import rated.tsv r' \
		"select sum(cast(round(averageRating * 10) as integer) * numVotes), sum(numVotes)
		 from r where titleType = 'movie' and numVotes > 0" | tr '\t' ' ')
	# reduce srv / (10 sv) by their gcd (exact in awk: both below 2^53)
	read -r cn cd < <(awk -v a="$srv" -v b="$((10 * sv))" 'BEGIN {
		x = a; y = b; while (y) { t = x % y; x = y; y = t } printf "%.0f %.0f\n", a / x, b / x }')
	run grep -P '\t(C_exact|eligible_votes|rows_out)\t' st.tsv
	assert_output $'wrating\trows_out\t32238\nwrating\tC_exact\t'"$cn/$cd"$'\nwrating\teligible_votes\t'"$sv"
	bc_wr 25000 "$cn" "$cd" rated.tsv 3 4 >want
	tail -n +2 wr.tsv | cut -f5 >got
	assert_file_eq got want
}

@test "bad values are data errors naming file, line, field and value" {
	while IFS='|' read -r r v msg; do
		printf 'tconst\taverageRating\tnumVotes\ntt1\t7.0\t10\ntt2\t%s\t%s\n' "$r" "$v" >bad.tsv
		run --separate-stderr wrating -C 7.0 bad.tsv
		[ "$status" -eq 1 ] || fail "$r $v: status $status"
		[ "$stderr" = "wrating: bad.tsv:3: $msg" ] || fail "$r $v: got '$stderr'"
		run --separate-stderr wrating bad.tsv
		[ "$status" -eq 1 ] && [ "$stderr" = "wrating: bad.tsv:3: $msg" ] ||
			fail "-C auto, $r $v: got '$stderr'"
	done <<-'EOF'
	x|10|bad averageRating 'x' (expected a non-negative decimal with at most one decimal, or \N)
	7.25|10|bad averageRating '7.25' (expected a non-negative decimal with at most one decimal, or \N)
	-1.0|10|bad averageRating '-1.0' (expected a non-negative decimal with at most one decimal, or \N)
	|10|bad averageRating '' (expected a non-negative decimal with at most one decimal, or \N)
	7.0|1e3|bad numVotes '1e3' (expected a non-negative integer, or \N)
	7.0|-3|bad numVotes '-3' (expected a non-negative integer, or \N)
	EOF
	printf 'tconst\taverageRating\tnumVotes\ntt1\t7.0\n' >ragged.tsv
	run --separate-stderr wrating -C 7 ragged.tsv
	assert_failure 1
	[ "$stderr" = "wrating: ragged.tsv:2: expected 3 fields, found 2" ]
	printf '1\t7.x\n' >nohdr.tsv
	run --separate-stderr wrating -N -r 2 -v 1 -C 7 nohdr.tsv
	assert_failure 1
	[ "$stderr" = "wrating: nohdr.tsv:1: bad field 2 '7.x' (expected a non-negative decimal with at most one decimal, or \\N)" ]
}

@test "--rejects: bad rows set aside in both passes, counts reconcile" {
	printf 'tconst\taverageRating\tnumVotes\ntt1\t8.0\t10\ntt2\tx\t10\ntt3\t6.0\t30\ntt4\t7.0\n' >bad.tsv
	run --separate-stderr wrating --rejects rej.tsv --stats st.tsv -p 4 bad.tsv
	assert_success
	# C = (80*10 + 60*30) / (10*40) = 6.5
	assert_output $'tconst\taverageRating\tnumVotes\tweighted_rating\ntt1\t8.0\t10\t6.5006\ntt3\t6.0\t30\t6.4994'
	run cat rej.tsv
	assert_output $'source\tline\treason\traw
bad.tsv\t3\tbad averageRating \'x\' (expected a non-negative decimal with at most one decimal, or \\N)\ttt2\tx\t10
bad.tsv\t5\texpected 3 fields, found 2\ttt4\t7.0'
	run grep -P '\t(rows_in|rows_out|rows_rejected|C_exact)\t' st.tsv
	assert_output $'wrating\trows_in\t4\nwrating\trows_out\t2\nwrating\trows_rejected\t2\nwrating\tC_exact\t13/2'
}

@test "usage errors (status 2)" {
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run --separate-stderr wrating $args "$ORIGIN"
		[ "$status" -eq 2 ] || fail "$args: status $status"
		[ -z "$output" ] || fail "$args: wrote to stdout"
		[ "$stderr" = "wrating: $msg"$'\n'"$HINT" ] || fail "$args: got '$stderr'"
	done <<-'EOF'
	-C seven|-C: invalid value 'seven' (expected a non-negative decimal with at most 6 decimals, or auto)
	-C -1|-C: invalid value '-1' (expected a non-negative decimal with at most 6 decimals, or auto)
	-m 2.5|-m: invalid value '2.5' (expected a non-negative integer)
	-p 13|-p: invalid value '13' (expected 0 to 12 decimals)
	-C 7 --eligible titleType=movie|--eligible applies only to -C auto (C is given as 7)
	--eligible movie|--eligible: invalid value 'movie' (expected FIELD=VALUE)
	-n averageRating|-n: column 'averageRating' is already in the header
	-r averageRating,numVotes|-r: 'averageRating,numVotes' names 2 fields (expected exactly one)
	EOF
	run --separate-stderr wrating "$ORIGIN" "$ORIGIN"
	assert_failure 2
	[ "$stderr" = "wrating: too many files (expected at most one FILE)"$'\n'"$HINT" ]
	run --separate-stderr wrating -r rating "$ORIGIN"
	assert_failure 2
	[ "$stderr" = "wrating: -r: unknown field 'rating' (header: tconst, titleType, averageRating, numVotes)" ]
}

@test "--help prints the man page's synopsis; --version; -o; /dev/full" {
	run --separate-stderr wrating --help
	assert_success
	assert_output "usage: wrating [-N] [-r FIELD] [-v FIELD] [-m VOTES] [-C MEAN|auto] [--eligible FIELD=VALUE]
               [-n NAME] [-p DIGITS] [--rejects FILE] [--stats FILE] [--progress] [-o FILE]
               [FILE]"
	run wrating --version
	assert_output --regexp '^wrating \(p07\) [0-9.]+$'
	run --separate-stderr wrating -C 7.0 -o out.tsv "$ORIGIN"
	assert_success
	[ -z "$output" ]
	assert_file_eq out.tsv "$GOLD/wrating/origin-C7.tsv"
	run --separate-stderr sh -c "wrating -C 7 '$ORIGIN' >/dev/full"
	assert_failure 1
	[ "$stderr" = "wrating: stdout: write error: No space left on device" ]
}
