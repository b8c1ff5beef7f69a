#!/usr/bin/env bats
# pipelines/partitioned.sh: the star schema and the KPI files byte-identical
# to full.sh's (the real sample; a synthetic catalogue over two snapshots;
# --limit), and the conventions that let the tools run as mappers and
# reducers (DESIGN §9): headerless input, key-order checks, counters.

load helper

TABLES=(dim_title dim_person dim_genre dim_date fact_ratings fact_cast_crew title_genre_bridge)
KPIS=(content_overall content_by_type top_rated_movies top_rated_by_type rating_distribution
	genre_performance talent_actors talent_directors highest_rated_actors trends_by_decade
	trends_by_year kpi_summary)
OPTS=(--quiet --no-sqlite --no-report)

need_parallel() {
	command -v parallel >/dev/null || skip "GNU parallel not found"
}

# same_outputs A B: every star table and KPI file of run B equals run A's
same_outputs() {
	local f
	for f in "${TABLES[@]/#/star/}" "${KPIS[@]/#/kpi/}"; do
		[ -s "$1/$f.tsv" ] || fail "$1/$f.tsv is missing or empty"
		assert_file_eq "$2/$f.tsv" "$1/$f.tsv"
	done
}

setup_file() {
	command -v parallel >/dev/null || return 0
	local d=$BATS_FILE_TMPDIR
	imdb-synth --scale 0.0005 --date 2025-08-13 --out "$d/syn1" 2>/dev/null
	imdb-synth --scale 0.0005 --date 2025-09-13 --snapshot 1 --out "$d/syn2" 2>/dev/null
}

# same_as_evidence DIR: every star table and KPI file of DIR has the sha256
# that the committed evidence/P07_evidence.json records for full.sh's run of
# the real sample (as of 2025-08-13, default m and C).  pipeline.bats runs
# full.sh on the sample and checks that it still writes that evidence byte
# for byte, so this is full.sh's output without a second full.sh run here.
same_as_evidence() {
	local f want got
	for f in "${TABLES[@]/#/star/}" "${KPIS[@]/#/kpi/}"; do
		[ -s "$1/$f.tsv" ] || fail "$1/$f.tsv is missing or empty"
		want=$(jq -r --arg f "$f.tsv" '.outputs[] | select(.file == $f) | .sha256' \
		    "$REPO/evidence/P07_evidence.json")
		[ ${#want} -eq 64 ] || fail "evidence/P07_evidence.json has no sha256 for $f.tsv"
		got=$(sha256sum <"$1/$f.tsv")
		assert_equal "$f.tsv ${got%% *}" "$f.tsv $want"
	done
}

@test "real sample: -j 3 gives full.sh's star schema and KPIs byte for byte" {
	need_sample
	need_parallel
	d=$BATS_TEST_TMPDIR
	run --separate-stderr "$REPO/pipelines/partitioned.sh" "${OPTS[@]}" -j 3 --data "$SAMPLE" \
	    --out "$d/part" --as-of 2025-08-13
	assert_success
	same_as_evidence "$d/part"
	# the partitions shared the rows out: together they hold every principal
	assert_equal "$(awk -F'\t' '$2 ~ /^rows_part_/ { n += $3 } END { print n }' \
	    "$d/part/stats/title_principals_split.tsv-split.tsv")" 50001
	jq -e '.totals.failed == 0 and .totals.errors == 0' "$d/part/evidence/P07_evidence.json"
	[ ! -e "$d/part/stage" ]
}

@test "synthetic catalogue, two snapshots with --state: identical at -j 4, as the state" {
	need_parallel
	d=$BATS_TEST_TMPDIR
	f=$BATS_FILE_TMPDIR
	for run in full part; do
		if [ "$run" = full ]; then cmd=("$REPO/pipelines/full.sh"); else cmd=("$REPO/pipelines/partitioned.sh" -j 4); fi
		"${cmd[@]}" "${OPTS[@]}" --data "$f/syn1" --out "$d/$run.1" --as-of 2025-08-13 \
		    --state "$d/$run.state" 2>/dev/null
		"${cmd[@]}" "${OPTS[@]}" --data "$f/syn2" --out "$d/$run.2" --as-of 2025-09-13 \
		    --state "$d/$run.state" 2>/dev/null
	done
	same_outputs "$d/full.1" "$d/part.1"
	same_outputs "$d/full.2" "$d/part.2"
	assert_file_eq "$d/part.state/dim_title.tsv" "$d/full.state/dim_title.tsv"
	assert_file_eq "$d/part.state/fact_ratings.tsv" "$d/full.state/fact_ratings.tsv"
	# the second load has versions (changed or deleted titles), so the
	# merge by tconst had several rows per key to keep in order
	[ "$(awk -F'\t' 'NR > 1 && $NF > 1' "$d/part.2/star/dim_title.tsv" | wc -l)" -gt 0 ]
}

@test "synthetic catalogue: --limit, and -j 1 and -j 5 give the same bytes" {
	need_parallel
	d=$BATS_TEST_TMPDIR
	f=$BATS_FILE_TMPDIR
	"$REPO/pipelines/full.sh" "${OPTS[@]}" --data "$f/syn1" --out "$d/full" --as-of 2025-08-13 \
	    --limit 300 2>/dev/null
	for j in 1 5; do
		"$REPO/pipelines/partitioned.sh" "${OPTS[@]}" -j "$j" --data "$f/syn1" --out "$d/part$j" \
		    --as-of 2025-08-13 --limit 300 2>/dev/null
		same_outputs "$d/full" "$d/part$j"
	done
	assert_equal "$(( $(wc -l <"$d/part5/star/dim_title.tsv") - 1 ))" 300
}

@test "bad rows and orphans: -j 3 rejects full.sh's rows, with their files and lines" {
	need_parallel
	d=$BATS_TEST_TMPDIR
	mkdir "$d/data"
	cp "$BATS_FILE_TMPDIR"/syn1/*.gz "$d/data/"
	# two orphans (in two partitions at -j 3) after a ragged row: their lines count it
	for f in title.ratings title.principals; do
		gzip -dc "$BATS_FILE_TMPDIR/syn1/$f.tsv.gz" | awk -F'\t' -v OFS='\t' '
		    NR == 3 { print $1, "ragged" }
		    { print }
		    NR == 9 || NR == 20 { $1 = sprintf("tt99%07d", NR); print }' | gzip -n >"$d/data/$f.tsv.gz"
	done
	"$REPO/pipelines/full.sh" "${OPTS[@]}" --data "$d/data" --out "$d/full" --as-of 2025-08-13 2>/dev/null
	"$REPO/pipelines/partitioned.sh" "${OPTS[@]}" -j 3 --data "$d/data" --out "$d/part" \
	    --as-of 2025-08-13 2>/dev/null
	same_outputs "$d/full" "$d/part"
	for f in title_ratings title_principals; do
		assert_file_eq "$d/part/rejects/$f.tsv" "$d/full/rejects/$f.tsv"
		assert_file_eq "$d/part/rejects/$f.orphans.tsv" "$d/full/rejects/$f.orphans.tsv"
		run cut -f 1-3 "$d/part/rejects/$f.orphans.tsv"
		assert_output $'source\tline\treason\n'"${f/_/.}.tsv.gz"$'\t11\ttconst not in title.basics\n'"${f/_/.}.tsv.gz"$'\t23\ttconst not in title.basics'
		# each is the line of the file it names
		while IFS=$'\t' read -r src line reason raw; do
			assert_equal "$(gzip -dc "$d/data/$src" | sed -n "${line}p")" "$raw"
		done < <(tail -n +2 "$d/part/rejects/$f.orphans.tsv")
	done
}

@test "a failed partition stops the run and leaves OUT as it was" {
	need_parallel
	d=$BATS_TEST_TMPDIR
	mkdir "$d/data" "$d/out"
	echo keep >"$d/out/marker"
	cp "$BATS_FILE_TMPDIR"/syn1/*.gz "$d/data/"
	# a previous dim_title that is not sorted: scd2-merge refuses it
	mkdir "$d/state"
	printf 'tconst\ta\ntt2\tx\ntt1\ty\n' >"$d/state/dim_title.tsv"
	run --separate-stderr "$REPO/pipelines/partitioned.sh" "${OPTS[@]}" -j 2 --data "$d/data" \
	    --out "$d/out" --as-of 2025-08-13 --state "$d/state"
	assert_failure
	assert_equal "$(cat "$d/out/marker")" keep
	run compgen -G "$d/.out.build.*"
	assert_failure
}

@test "usage errors" {
	run --separate-stderr "$REPO/pipelines/partitioned.sh" -j 0
	assert_failure 2
	assert_equal "$stderr" "partitioned.sh: -j: invalid value '0' (expected a positive integer)
Try 'partitioned.sh --help' for more information."
	run --separate-stderr "$REPO/pipelines/partitioned.sh" --bogus
	assert_failure 2
	assert_equal "$stderr" "partitioned.sh: unknown option '--bogus'
Try 'partitioned.sh --help' for more information."
}

# --- the tools as mappers and reducers (DESIGN §9) -----------------------------

@test "every filter gives the same rows with -N as with a header" {
	d=$BATS_TEST_TMPDIR
	printf 'tconst\tgenres\taverageRating\tnumVotes\tstartYear\n' >"$d/h.tsv"
	printf 'tt0000001\tDrama,Short\t7.5\t100\t1999\n' >>"$d/h.tsv"
	printf 'tt0000002\t\\N\t6.0\t30000\t2001\n' >>"$d/h.tsv"
	printf 'tt0000003\tComedy\t8.1\t5\t2010\n' >>"$d/h.tsv"
	tail -n +2 "$d/h.tsv" >"$d/n.tsv"
	printf 'tconst\tlabel\ntt0000002\tb\ntt0000001\ta\n' >"$d/f.tsv"
	tail -n +2 "$d/f.tsv" >"$d/fn.tsv"
	while IFS='|' read -r named numbered; do
		with=$(eval "$named \"$d/h.tsv\"" | tail -n +2)
		# headerless and with --counters: the rows are the same, stderr
		# holds only counter lines (what a Hadoop task may print there)
		without=$(eval "$numbered --counters \"$d/n.tsv\"" 2>"$d/err")
		[ -n "$with" ] || fail "no rows from: $named"
		assert_equal "$without" "$with"
		tool=${numbered%% *}
		[ -s "$d/err" ] || fail "$tool --counters wrote no counters"
		run grep -cv "^reporter:counter:$tool,[a-z_0-9]*,[0-9]*\$" "$d/err"
		assert_output 0
	done <<'CASES'
imdb-cat --schema none|imdb-cat -N --schema none
tsv-split-genres -f genres --ordinal o --count c --weight w|tsv-split-genres -N -f 2 --ordinal o --count c --weight w
surrogate-key -k k=tconst|surrogate-key -N -k k=1
tsv-join -f "$d/f.tsv" -k tconst -a label|tsv-join -N -f "$d/fn.tsv" -k 1 -a 2
wrating -r averageRating -v numVotes -m 25000 -C 7.0|wrating -N -r 3 -v 4 -m 25000 -C 7.0
kpi-agg -g startYear count sum:numVotes|kpi-agg -N -g 5 count sum:4
tsv-split -k tconst --part 0/1|tsv-split -N -k 1 --part 0/1
CASES
	# dim-date writes a table of its own, header included, whatever its input
	assert_equal "$(dim-date -N -f 5 "$d/n.tsv")" "$(dim-date -f startYear "$d/h.tsv")"
}

@test "scd2-merge, the reducer, refuses unsorted keys (with and without a header)" {
	d=$BATS_TEST_TMPDIR
	: >"$d/dim.tsv"
	printf 'tconst\ta\ntt2\tx\ntt1\ty\n' >"$d/snap.tsv"
	run --separate-stderr scd2-merge --as-of 2025-01-01 -k tconst "$d/dim.tsv" "$d/snap.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $d/snap.tsv:3: key 'tt1' is not after 'tt2' on line 2 (SNAPSHOT must be sorted by key in byte order, as LC_ALL=C sort)"
	tail -n +2 "$d/snap.tsv" >"$d/snapN.tsv"
	run --separate-stderr scd2-merge -N --as-of 2025-01-01 -k 1 "$d/dim.tsv" "$d/snapN.tsv"
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: $d/snapN.tsv:2: key 'tt1' is not after 'tt2' on line 1 (SNAPSHOT must be sorted by key in byte order, as LC_ALL=C sort)"
	assert_output ''
}

@test "--counters: exact Hadoop Streaming counter lines on stderr, stdout untouched" {
	d=$BATS_TEST_TMPDIR
	printf 'tconst\tgenres\ntt0000001\tDrama,Short\ntt0000002\t\\N\n' >"$d/g.tsv"
	run --separate-stderr tsv-split-genres -N --null-as Unknown -f 2 --counters "$d/g.tsv"
	assert_success
	assert_output "$(printf 'tconst\tgenres\ntt0000001\tDrama\ntt0000001\tShort\ntt0000002\tUnknown')"
	assert_equal "$stderr" "reporter:counter:tsv-split-genres,rows_in,3
reporter:counter:tsv-split-genres,rows_out,4
reporter:counter:tsv-split-genres,rows_rejected,0
reporter:counter:tsv-split-genres,bytes_in,49
reporter:counter:tsv-split-genres,lists,2
reporter:counter:tsv-split-genres,null_lists,1
reporter:counter:tsv-split-genres,null_dropped,0
reporter:counter:tsv-split-genres,elements_in,3
reporter:counter:tsv-split-genres,elements_out,3
reporter:counter:tsv-split-genres,empty_elements,0
reporter:counter:tsv-split-genres,null_elements,0
reporter:counter:tsv-split-genres,repeated_elements,0"
}
