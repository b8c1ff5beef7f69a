#!/usr/bin/env bats
# pipelines/full.sh and kpi.sh end to end on small inputs: kpi.sh on the
# hand-checked star-mini fixture against the SQLite views, the origin
# document's table, incremental loads and replays, what a killed run leaves
# behind, and usage errors.  (tests/pipeline.bats has the runs over the
# real sample; the two files run side by side under tests/run.sh.)

load helper

# fake_tool DIR TOOL CONDITION: DIR/TOOL, which says "TOOL: injected
# failure" and exits 1 when the sh CONDITION on its arguments holds, and
# runs the real TOOL otherwise (put DIR first in P07_BIN)
fake_tool() {
	cat >"$1/$2" <<EOF
#!/bin/sh
if $3; then
	echo "$2: injected failure" >&2
	exit 1
fi
exec "$P07_BIN/$2" "\$@"
EOF
	chmod +x "$1/$2"
}

# small_catalogue: d, the test's directory, with a tiny catalogue in s/, an
# earlier output out/ (whose marker says keep) and fake/ for stand-ins
small_catalogue() {
	d=$BATS_TEST_TMPDIR
	imdb-synth --scale 0.002 --out "$d/s"
	mkdir "$d/out" "$d/fake"
	echo keep >"$d/out/marker"
}

# run_full DATA: full.sh on DATA into $d/out, the stand-ins of $d/fake first
run_full() {
	run --separate-stderr env P07_BIN="$d/fake:$P07_BIN" timeout 120 "$REPO/pipelines/full.sh" \
	    --quiet --data "$1" --out "$d/out" --as-of 2025-01-01 --no-report --no-sqlite
}

KPIS=(content_overall content_by_type top_rated_movies top_rated_by_type rating_distribution
	genre_performance talent_actors talent_directors highest_rated_actors trends_by_decade
	trends_by_year kpi_summary)

@test "kpi.sh on the hand-checked star-mini fixture equals the SQLite views" {
	"$REPO/pipelines/load-sqlite.sh" --star "$FIX/star-mini" --db "$BATS_TEST_TMPDIR/mini.sqlite" \
	    --m 1000 --as-of 2025-02-02
	"$REPO/pipelines/kpi.sh" --star "$FIX/star-mini" --out "$BATS_TEST_TMPDIR/kpi" --m 1000
	for k in "${KPIS[@]}"; do
		view=${k#kpi_}
		sqlite3 -separator "$(printf '\t')" -nullvalue '\N' "$BATS_TEST_TMPDIR/mini.sqlite" \
		    "select * from kpi_$view" >"$BATS_TEST_TMPDIR/$k.view"
		tail -n +2 "$BATS_TEST_TMPDIR/kpi/$k.tsv" >"$BATS_TEST_TMPDIR/$k.file"
		assert_file_eq "$BATS_TEST_TMPDIR/$k.file" "$BATS_TEST_TMPDIR/$k.view"
	done
}

@test "rankings cut at the 10th and 250th place through ties: kpi.sh equals the SQLite views" {
	# star-mini plus 300 movies with m votes and 15 shorts, whose WRs and
	# votes tie across the 250th movie and the 10th short
	s=$BATS_TEST_TMPDIR/star
	cp -r "$FIX/star-mini" "$s"
	for i in $(seq 1 315); do
		if [ "$i" -le 300 ]; then
			type=movie wr=5.$((i % 40 + 10)) votes=$((1000 + i % 3))
		else
			type=short wr=7.0$((i % 3)) votes=$((200 + i % 2))
		fi
		t=tt1$(printf '%06d' "$i")
		key=$(printf '%s' "$t" | md5sum | cut -c1-32)
		sk=$(printf '%s' "$t-2025-01-05" | md5sum | cut -c1-32)
		printf '%s\t%s\t%s\t%s\tT%s\tT%s\t0\t2000\t\\N\t90\tDrama\t\\N\t\\N\t\\N\t2000\t-2\t%s\t2025-01-05\t9999-12-31\t1\t0\t1\n' \
		    "$t" "$sk" "$key" "$type" "$i" "$i" "$key" >>"$s/dim_title.tsv"
		printf '%s\t%s\t2025-02-02\t%s\t%s\t%s\t(%s]\n' "$key" "$sk" "${wr%?}" "$votes" "$wr" \
		    "$([ "$type" = movie ] && echo 5,6 || echo 7,8)" >>"$s/fact_ratings.tsv"
	done
	"$REPO/pipelines/load-sqlite.sh" --star "$s" --db "$BATS_TEST_TMPDIR/r.sqlite" --m 1000 \
	    --as-of 2025-02-02
	"$REPO/pipelines/kpi.sh" --star "$s" --out "$BATS_TEST_TMPDIR/kpi" --m 1000
	for k in top_rated_movies top_rated_by_type; do
		sqlite3 -separator "$(printf '\t')" -nullvalue '\N' "$BATS_TEST_TMPDIR/r.sqlite" \
		    "select * from kpi_$k" >"$BATS_TEST_TMPDIR/$k.view"
		tail -n +2 "$BATS_TEST_TMPDIR/kpi/$k.tsv" >"$BATS_TEST_TMPDIR/$k.file"
		assert_file_eq "$BATS_TEST_TMPDIR/$k.file" "$BATS_TEST_TMPDIR/$k.view"
	done
	# the cuts fall inside ties: rows with the WR of the 250th movie (and of
	# the 10th short) are left out
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/top_rated_movies.file")" 250
	tied() {	# tied TYPE WR [VOTES]: rated current titles of TYPE with that WR
		sqlite3 "$BATS_TEST_TMPDIR/r.sqlite" "select count(*) from fact_ratings f
		    join dim_title d on d.title_sk = f.title_sk and d.is_current = 1
		    where f.snapshot_date = '2025-02-02' and d.title_type = '$1'
		    and f.weighted_rating = $2 and f.num_votes >= ${3:-0}"
	}
	wr=$(tail -n 1 "$BATS_TEST_TMPDIR/top_rated_movies.file" | cut -f 7)
	kept=$(awk -F'\t' -v w="$wr" '$7 == w' "$BATS_TEST_TMPDIR/top_rated_movies.file" | wc -l)
	[ "$(tied movie "$wr" 1000)" -gt "$kept" ]
	wr=$(awk -F'\t' '$1 == "short" && $2 == 10 { print $8 }' "$BATS_TEST_TMPDIR/top_rated_by_type.file")
	kept=$(awk -F'\t' -v w="$wr" '$1 == "short" && $8 == w' "$BATS_TEST_TMPDIR/top_rated_by_type.file" | wc -l)
	[ "$(tied short "$wr")" -gt "$kept" ]
}

@test "the origin document's table: m = 25000, C = 7.0 gives 9.28, 9.17, 8.98" {
	d=$BATS_TEST_TMPDIR/origin
	mkdir -p "$d"
	{
		printf 'tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres\n'
		printf 'tt0111161\tmovie\tThe Shawshank Redemption\tThe Shawshank Redemption\t0\t1994\t\\N\t142\tDrama\n'
		printf 'tt0068646\tmovie\tThe Godfather\tThe Godfather\t0\t1972\t\\N\t175\tCrime,Drama\n'
		printf 'tt0468569\tmovie\tThe Dark Knight\tThe Dark Knight\t0\t2008\t\\N\t152\tAction,Crime,Drama\n'
	} >"$d/title.basics.tsv"
	printf 'tconst\taverageRating\tnumVotes\ntt0111161\t9.3\t2700000\ntt0068646\t9.2\t1900000\ntt0468569\t9.0\t2700000\n' >"$d/title.ratings.tsv"
	printf 'tconst\tordering\tnconst\tcategory\tjob\tcharacters\ntt0111161\t1\tnm0000209\tactor\t\\N\t["Andy Dufresne"]\n' >"$d/title.principals.tsv"
	printf 'nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles\nnm0000209\tTim Robbins\t1958\t\\N\tactor\ttt0111161\n' >"$d/name.basics.tsv"
	run "$REPO/pipelines/full.sh" --quiet --data "$d" --out "$d/out" --as-of 2025-01-01 --m 25000 --C 7.0 --no-report --no-sqlite
	assert_success
	run cut -f 2,3,7 "$d/out/kpi/top_rated_movies.tsv"
	assert_output - <<'OUT'
tconst	primary_title	weighted_rating
tt0111161	The Shawshank Redemption	9.28
tt0068646	The Godfather	9.17
tt0468569	The Dark Knight	8.98
OUT
}

@test "incremental: two synthetic snapshots, then a replay that changes nothing" {
	d=$BATS_TEST_TMPDIR
	imdb-synth --scale 0.0005 --out "$d/s0"
	imdb-synth --scale 0.0005 --snapshot 1 --out "$d/s1"
	"$REPO/pipelines/full.sh" --quiet --data "$d/s0" --out "$d/o" --state "$d/state" --as-of 2025-08-13 --no-report --no-sqlite
	"$REPO/pipelines/full.sh" --quiet --data "$d/s1" --out "$d/o" --state "$d/state" --as-of 2025-08-20 --no-report --no-sqlite
	first=$(sha256sum <"$d/o/star/dim_title.tsv")
	ratings=$(sha256sum <"$d/o/star/fact_ratings.tsv")
	# both snapshot dates in the facts
	run awk -F'\t' 'NR > 1 { print $3 }' "$d/o/star/fact_ratings.tsv"
	assert_equal "$(printf '%s\n' "$output" | sort -u | tr '\n' ' ')" "2025-08-13 2025-08-20 "
	# the changes of snapshot 1 are versions in dim_title
	changed=$(awk -F'\t' '$1 == "titles_changed" { print $2 }' "$d/s1/SYNTH.tsv")
	removed=$(awk -F'\t' '$1 == "titles_removed" { print $2 }' "$d/s1/SYNTH.tsv")
	added=$(awk -F'\t' '$1 == "titles_added" { print $2 }' "$d/s1/SYNTH.tsv")
	run awk -F'\t' '$2 == "changed" || $2 == "deleted" || $2 == "new" { print $2, $3 }' "$d/o/stats/dim_title.scd2-merge.tsv"
	assert_output "new $added
changed $changed
deleted $removed"
	"$REPO/pipelines/full.sh" --quiet --data "$d/s1" --out "$d/o" --state "$d/state" --as-of 2025-08-20 --no-report --no-sqlite
	assert_equal "$(sha256sum <"$d/o/star/dim_title.tsv")" "$first"
	assert_equal "$(sha256sum <"$d/o/star/fact_ratings.tsv")" "$ratings"
}

@test "SIGTERM or SIGKILL in the middle: no partial output; the next run cleans up and succeeds" {
	d=$BATS_TEST_TMPDIR
	imdb-synth --scale 0.002 --out "$d/s"
	for sig in TERM KILL; do
		setsid "$REPO/pipelines/full.sh" --quiet --data "$d/s" --out "$d/out" --as-of 2025-01-01 --no-report &
		pid=$!
		sleep 1.5
		kill -"$sig" -- -"$pid" 2>/dev/null || kill -"$sig" "$pid"
		wait "$pid" || true
		[ ! -e "$d/out" ] || fail "out exists after SIG$sig"
	done
	run "$REPO/pipelines/full.sh" --quiet --data "$d/s" --out "$d/out" --as-of 2025-01-01 --no-report --no-sqlite
	assert_success
	[ -z "$(find "$d" -maxdepth 1 -name '.out.build.*')" ]
}

@test "a step failing in one lane stops the KPIs waiting for it in the other: no hang, OUT as it was" {
	small_catalogue
	# dim_person (the first lane's last table, which the talent KPIs of the
	# second lane read last) fails: surrogate-key dies on the names
	fake_tool "$d/fake" surrogate-key '[ "$#" = 3 ] && [ "$1 $2" = "-k person_key=nconst" ] && sleep 1'
	run_full "$d/s"
	assert_failure 1
	assert_equal "$(grep -c 'surrogate-key: injected failure' <<<"$stderr")" 1
	assert_equal "$(grep -c '^kpi.sh: not waiting for dim_person: a step failed$' <<<"$stderr")" 1
	assert_equal "$(cat "$d/out/marker")" keep
	[ -z "$(find "$d" -maxdepth 1 -name '.out.build.*')" ]
}

@test "a damaged input, whichever lane extracts it: its extract's message alone, exit 1, OUT as it was" {
	small_catalogue
	for f in title.basics title.principals name.basics title.ratings title.episode; do
		rm -rf "$d/data"
		cp -r "$d/s" "$d/data"
		n=$(( $(stat -c %s "$d/s/$f.tsv.gz") / 2 ))
		head -c "$n" "$d/s/$f.tsv.gz" >"$d/data/$f.tsv.gz"
		run_full "$d/data"
		assert_failure 1
		assert_equal "$stderr" "imdb-cat: $f.tsv.gz: truncated gzip stream (unexpected end of file after $n bytes)"
		assert_equal "$(ls "$d/out")" marker
		[ -z "$(find "$d" -maxdepth 1 -name '.out.build.*')" ]
	done
}

@test "title.principals' orphan check failing (say, a full disk): the join's message, not the extract's closed pipe" {
	small_catalogue
	# the join that reads the extract on stdin fails at once, unread
	fake_tool "$d/fake" tsv-join 'for a; do last=$a; done; [ "$last" = - ]'
	run_full "$d/s"
	assert_failure 1
	assert_equal "$stderr" "tsv-join: injected failure"
	assert_equal "$(ls "$d/out")" marker
}

@test "usage errors exit 2" {
	run --separate-stderr "$REPO/pipelines/full.sh" --limit x
	assert_failure 2
	assert_equal "$stderr" $'full.sh: --limit: invalid value \'x\' (expected a non-negative integer)\nTry \'full.sh --help\' for more information.'
	run --separate-stderr "$REPO/pipelines/full.sh" --bogus
	assert_failure 2
	assert_equal "$stderr" $'full.sh: unknown option \'--bogus\'\nTry \'full.sh --help\' for more information.'
	run --separate-stderr "$REPO/pipelines/full.sh" --sshlogin host1
	assert_failure 2
	assert_equal "$stderr" $'full.sh: --sshlogin: needs -j N with N > 1\nTry \'full.sh --help\' for more information.'
	run --separate-stderr "$REPO/pipelines/full.sh" -j 0
	assert_failure 2
	assert_equal "$stderr" $'full.sh: -j: invalid value \'0\' (expected a positive integer)\nTry \'full.sh --help\' for more information.'
	run --separate-stderr "$REPO/pipelines/full.sh" --data /nonexistent --out "$BATS_TEST_TMPDIR/o"
	assert_failure 1
	assert_equal "$stderr" "full.sh: /nonexistent: title.basics.tsv.gz (or .tsv) not found"
}
