#!/usr/bin/env bats
# pipelines/full.sh end to end on the real sample: the star schema, the
# committed evidence, the KPI files against the PostgreSQL and SQLite views,
# --limit, and what a failed run leaves behind.  The sample is loaded once,
# in setup_file; the tests read that run.  (tests/pipeline-small.bats has
# the runs over small inputs: star-mini, the origin table, incremental
# loads, signals, usage; the two files run side by side under tests/run.sh.)

load helper
load lib/pg

TABLES=(dim_title dim_person dim_genre dim_date fact_ratings fact_cast_crew title_genre_bridge)
KPIS=(content_overall content_by_type top_rated_movies top_rated_by_type rating_distribution
	genre_performance talent_actors talent_directors highest_rated_actors trends_by_decade
	trends_by_year kpi_summary)

setup_file() {
	[ -d "$SAMPLE" ] || return 0
	"$REPO/pipelines/full.sh" --quiet --data "$SAMPLE" --out "$BATS_FILE_TMPDIR/sample" \
	    --as-of 2025-08-13 --no-report 2>"$BATS_FILE_TMPDIR/sample.err" ||
	    { cat "$BATS_FILE_TMPDIR/sample.err" >&2; return 1; }
}

# The differential test starts its own cluster: stop it with the test, in
# the same shell that knows its directory.
teardown() {
	pg_stop
}

# view_rows DB KPI: the view's rows as psql prints them (no header)
pg_view() {
	psql -X -q -At -F "$(printf '\t')" -P null='\N' -d "$1" -c "select * from kpi_$2"
}

@test "real sample: seven star tables, every KPI file, evidence and SQLite" {
	need_sample
	out=$BATS_FILE_TMPDIR/sample
	for t in "${TABLES[@]}"; do
		[ "$(rows "$out/star/$t.tsv")" -gt 0 ] || fail "star/$t.tsv is empty"
	done
	for k in "${KPIS[@]}"; do
		[ -f "$out/kpi/$k.tsv" ] || fail "kpi/$k.tsv missing"
	done
	jq -e '.totals.failed == 0 and .totals.errors == 0' "$out/evidence/P07_evidence.json"
	run sqlite3 "$out/p07.sqlite" 'select count(*) from dim_title'
	assert_output "$(rows "$out/star/dim_title.tsv")"
	[ ! -e "$out/stage" ]
}

rows() { echo $(( $(wc -l <"$1") - 1 )); }

@test "real sample: the evidence equals the committed evidence/P07_evidence.json byte for byte" {
	need_sample
	assert_file_eq "$BATS_FILE_TMPDIR/sample/evidence/P07_evidence.json" "$REPO/evidence/P07_evidence.json"
}

@test "real sample: every input row is in the star schema, a rejects file, or an expected merge" {
	need_sample
	out=$BATS_FILE_TMPDIR/sample
	# title.basics: 50,001 rows, one dim_title row each on a first load
	assert_equal "$(rows "$out/star/dim_title.tsv")" 50001
	# ratings and principals all resolve (PROVENANCE.md): no orphans
	assert_equal "$(rows "$out/star/fact_ratings.tsv")" 32238
	assert_equal "$(rows "$out/star/fact_cast_crew.tsv")" 50001
	assert_equal "$(rows "$out/rejects/title_ratings.orphans.tsv")" 0
	# dim_person = name.basics + the 9,153 principal nconsts not in it
	assert_equal "$(awk -F'\t' 'NR > 1 && $8 == 0' "$out/star/dim_person.tsv" | wc -l)" 50001
	assert_equal "$(awk -F'\t' 'NR > 1 && $8 == 1' "$out/star/dim_person.tsv" | wc -l)" 9153
	# 3,123 titles have no genre and get Unknown
	unknown=$(awk -F'\t' '$2 == "Unknown" { print $1 }' "$out/star/dim_genre.tsv")
	assert_equal "$(awk -F'\t' -v k="$unknown" '$2 == k' "$out/star/title_genre_bridge.tsv" | wc -l)" 3123
}

@test "real sample: every KPI file equals its PostgreSQL view over the loaded schema" {
	need_sample
	local rc=0
	pg_start || rc=$?
	[ "$rc" -ne 77 ] || skip "$PG_SKIP_REASON"
	[ "$rc" -eq 0 ]
	out=$BATS_FILE_TMPDIR/sample
	c=$(jq -r '.run.params.C' "$out/evidence/P07_evidence.json")
	"$REPO/pipelines/load-postgres.sh" --star "$out/star" --m 25000 --c "$c" --as-of 2025-08-13
	for k in "${KPIS[@]}"; do
		view=${k#kpi_}
		pg_view postgres "$view" >"$BATS_TEST_TMPDIR/$k.view"
		tail -n +2 "$out/kpi/$k.tsv" >"$BATS_TEST_TMPDIR/$k.file"
		assert_file_eq "$BATS_TEST_TMPDIR/$k.file" "$BATS_TEST_TMPDIR/$k.view"
	done
}

@test "real sample: every KPI file equals its SQLite view in p07.sqlite" {
	need_sample
	out=$BATS_FILE_TMPDIR/sample
	for k in "${KPIS[@]}"; do
		view=${k#kpi_}
		sqlite3 -separator "$(printf '\t')" -nullvalue '\N' "$out/p07.sqlite" \
		    "select * from kpi_$view" >"$BATS_TEST_TMPDIR/$k.view"
		tail -n +2 "$out/kpi/$k.tsv" >"$BATS_TEST_TMPDIR/$k.file"
		assert_file_eq "$BATS_TEST_TMPDIR/$k.file" "$BATS_TEST_TMPDIR/$k.view"
	done
}

@test "--limit 1000: the first 1,000 titles and everything that belongs to them; every KPI file has rows" {
	need_sample
	# no movie of the first 1,000 titles (1890s-1910s) has 25,000 votes, so
	# the top-250 list would be empty at the default m: use m = 1000
	# (and --data relative to the working directory)
	cd "$SAMPLE/.."
	# (no SQLite database: this test reads the star and KPI files only)
	run "$REPO/pipelines/full.sh" --quiet --data "$(basename "$SAMPLE")" --out "$BATS_TEST_TMPDIR/o" \
	    --as-of 2025-08-13 --limit 1000 --m 1000 --no-report --no-sqlite
	assert_success
	o=$BATS_TEST_TMPDIR/o
	assert_equal "$(rows "$o/star/dim_title.tsv")" 1000
	# ratings and credits of exactly those titles, computed independently
	want=$(zcat "$SAMPLE/title.basics.tsv.gz" | awk -F'\t' 'NR > 1 && NR <= 1001 { print $1 }' >"$BATS_TEST_TMPDIR/t1000"
	    zcat "$SAMPLE/title.ratings.tsv.gz" | awk -F'\t' 'NR == FNR { t[$1]; next } FNR > 1 && $1 in t' "$BATS_TEST_TMPDIR/t1000" - | wc -l)
	assert_equal "$(rows "$o/star/fact_ratings.tsv")" "$want"
	want=$(zcat "$SAMPLE/title.principals.tsv.gz" | awk -F'\t' 'NR == FNR { t[$1]; next } FNR > 1 && $1 in t' "$BATS_TEST_TMPDIR/t1000" - | wc -l)
	assert_equal "$(rows "$o/star/fact_cast_crew.tsv")" "$want"
	for k in "${KPIS[@]}"; do
		[ "$(rows "$o/kpi/$k.tsv")" -gt 0 ] || fail "kpi/$k.tsv has no rows"
	done
}

@test "a damaged input stops the run and leaves the previous outputs as they were" {
	need_sample
	d=$BATS_TEST_TMPDIR
	cp -r "$BATS_FILE_TMPDIR/sample" "$d/out"
	before=$(cd "$d/out" && find . -type f -exec sha256sum {} + | sort | sha256sum)
	mkdir "$d/data"
	cp "$SAMPLE"/title.*.tsv.gz "$SAMPLE"/name.basics.tsv.gz "$d/data/"
	size=$(stat -c %s "$d/data/title.principals.tsv.gz")
	head -c $((size / 2)) "$SAMPLE/title.principals.tsv.gz" >"$d/data/title.principals.tsv.gz"
	run --separate-stderr "$REPO/pipelines/full.sh" --quiet --data "$d/data" --out "$d/out" --as-of 2025-08-13
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: title.principals.tsv.gz: truncated gzip stream (unexpected end of file after $((size / 2)) bytes)"
	assert_equal "$(cd "$d/out" && find . -type f -exec sha256sum {} + | sort | sha256sum)" "$before"
	[ -z "$(ls -A "$d" | grep build)" ]
}
