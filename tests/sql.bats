#!/usr/bin/env bats
# sql/schema.sql and sql/schema-sqlite.sql: the DDL applies (twice), the
# tables have the columns of DESIGN.md §4, and every KPI view returns the
# rows worked out by hand for tests/fixtures/star-mini -- in PostgreSQL and
# in SQLite alike.  Expected rows are written with `|` between fields and
# compared byte for byte (after `|` -> TAB) with the output of
#   psql -AtF$'\t' -P null='\N' -c 'select * from kpi_...'
#   sqlite3 -separator $'\t' -nullvalue '\N' DB 'select * from kpi_...'
#
# The fixture (see tests/fixtures/star-mini/gen.sh): m = 1000, snapshots
# 2025-01-05 and 2025-02-02 (the latest; only it counts).  12 current titles
# (8 movies, 2 shorts, 1 tvSeries, 1 unrated tvEpisode); tt0000002 changed
# from tvMovie to movie (only the current version counts); tt0000013 is
# deleted (its 9.9 rating, 50000 votes, credits and genre row must all be
# ignored); tt0000010 is rated with 0 votes (rated, WR \N); tt0000008 has no
# start year.  Worked values:
#   movies rated: 3.9 5.4 5.9 6.1 7.8 8.4 8.4 9.5 -> mean 55.4/8 = 6.925,
#     printed 6.93 (half away from zero; a binary double says 6.92),
#     median (6.1+7.8)/2 = 6.95
#   C = sum(R*v)/sum(v) over movies with v > 0 = 186860/25700
#     = 7.27003891... -> 7.2700
#   top movies (v >= 1000): tt0000002 and tt0000004 tie on WR 8.12 and
#     votes (tconst decides); tt0000011 (4400 votes) and tt0000005 (1500)
#     tie on WR 6.15 (votes decide); tt0000008 has exactly m votes (kept);
#     tt0000003 (800) is below m but ranks in top_rated_by_type
#   shorts tt0000012 (151 votes) and tt0000007 (150) tie on WR 7.23
#   actors: nm0000001 11 titles, nm0000002 10 (one unrated), nm0000003
#     (inferred, credited twice on tt0000003) 5, nm0000004 4 current + 1
#     deleted (left out); directors nm0000005 and nm0000006 3 each,
#     nm0000009 2 current + 1 deleted (left out)
#   dim_date 1985..2024: the 1990s have no titles (a row of zeros);
#     trends_by_year is 2010..2024

load lib/assert
load lib/pg

SQL_DIR="$BATS_TEST_DIRNAME/../sql"
FIXTURE="$BATS_TEST_DIRNAME/fixtures/star-mini"
TABLES=(dim_date dim_genre dim_person dim_title fact_ratings fact_cast_crew title_genre_bridge run_parameters)
KPIS=(content_overall content_by_type top_rated_movies top_rated_by_type rating_distribution genre_performance
	talent_actors talent_directors highest_rated_actors trends_by_decade trends_by_year summary)

# psql for one database, stopping at the first error, quiet.
pg() {
	local db=$1
	shift
	psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}

pg_load_fixture() {
	local db=$1 t
	{
		echo 'BEGIN;'
		for t in "${TABLES[@]}"; do
			printf '%s\n' "\\copy $t FROM '$FIXTURE/$t.tsv' WITH (FORMAT csv, DELIMITER E'\\t', NULL '\\N', QUOTE E'\\x01', HEADER)"
		done
		echo 'COMMIT;'
	} | pg "$db" -f -
}

# As pg_dump_kpis: sqlite3 -separator $'\t' -nullvalue '\N' DB 'select ...'.
sqlite_dump_kpis() {
	local k
	{
		cat <<-'SQLITE'
			.mode list
			.separator "\t"
			.nullvalue '\N'
		SQLITE
		for k in "${KPIS[@]}"; do
			printf '.output %s\nselect * from kpi_%s;\n' "$BATS_FILE_TMPDIR/sqlite.$k" "$k"
		done
	} | sqlite3 -bail "$SQLITE_DB"
}

setup_file() {
	export PG_OK=0 SQLITE_OK=0 PG_SKIP_REASON=
	if command -v sqlite3 >/dev/null 2>&1; then
		SQLITE_OK=1
		export SQLITE_DB="$BATS_FILE_TMPDIR/star.sqlite"
		# the loader the pipelines use, with the fixture's run_parameters.tsv;
		# it leaves foreign keys unchecked, so they are checked here
		local m c as_of
		IFS=$'\t' read -r m c as_of < <(tail -n 1 "$FIXTURE/run_parameters.tsv")
		"$BATS_TEST_DIRNAME/../pipelines/load-sqlite.sh" --star "$FIXTURE" --db "$SQLITE_DB" \
		    --m "$m" --c "$c" --as-of "$as_of"
		[ -z "$(sqlite3 "$SQLITE_DB" 'PRAGMA foreign_key_check')" ]
		sqlite_dump_kpis
	fi
	local rc=0
	pg_start || rc=$?
	if [ "$rc" -eq 77 ]; then
		return 0
	elif [ "$rc" -ne 0 ]; then
		return "$rc"
	fi
	PG_OK=1
	pg postgres -c 'CREATE DATABASE star' -c 'CREATE DATABASE rerun' -c 'CREATE DATABASE scratch'
	pg star -f "$SQL_DIR/schema.sql"
	pg_load_fixture star
	pg_dump_kpis
}

# A connection costs a quarter of a second on a busy machine, so the KPI
# views are read once, each into its own file, exactly as
# `psql -AtF$'\t' -P null='\N' -c 'select * from kpi_NAME'` prints them.
pg_dump_kpis() {
	local k
	{
		cat <<-'PSQL'
			\pset format unaligned
			\pset tuples_only on
			\pset fieldsep '\t'
			\pset null '\\N'
		PSQL
		for k in "${KPIS[@]}"; do
			printf '\\o %s\nselect * from kpi_%s;\n' "$BATS_FILE_TMPDIR/pg.$k" "$k"
		done
	} | pg star -f - >/dev/null
}

teardown_file() {
	pg_stop
}

need_pg() {
	[ "$PG_OK" = 1 ] || skip "${PG_SKIP_REASON:-PostgreSQL not available}"
}

need_sqlite() {
	[ "$SQLITE_OK" = 1 ] || skip "sqlite3 not installed"
}

# Expected rows of a KPI, `|` turned into TAB.
expected() {
	"expect_$1" | tr '|' '\t'
}

pg_kpi() {
	cat "$BATS_FILE_TMPDIR/pg.$1"
}

sqlite_kpi() {
	cat "$BATS_FILE_TMPDIR/sqlite.$1"
}

# On a mismatch bats-assert prints both texts; add a byte diff.
assert_kpi() {
	local want
	want=$(expected "$1")
	if [ "$output" != "$want" ]; then
		diff <(printf '%s\n' "$want" | od -c) <(printf '%s\n' "$output" | od -c) >&2 || true
	fi
	assert_output "$want"
}

# ------------------------------------------------------------------ the DDL

@test "postgres: schema.sql applies twice in a row to an empty database" {
	need_pg
	run pg rerun -f "$SQL_DIR/schema.sql"
	assert_success
	run pg rerun -f "$SQL_DIR/schema.sql"
	assert_success
	refute_output --partial ERROR
	run psql -X -d rerun -At -c "select string_agg(table_name, ' ' order by table_name)
		from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'"
	assert_success
	assert_output 'dim_date dim_genre dim_person dim_title fact_cast_crew fact_ratings run_parameters title_genre_bridge'
}

@test "postgres: every table has the columns of DESIGN.md §4, in order" {
	need_pg
	run psql -X -d star -At -c "select table_name || ': ' || string_agg(column_name, ' ' order by ordinal_position)
		from information_schema.columns where table_schema = 'public'
		and table_name in ('dim_date','dim_genre','dim_person','dim_title','fact_ratings','fact_cast_crew','title_genre_bridge','run_parameters')
		group by table_name order by table_name"
	assert_success
	assert_output - <<'OUT'
dim_date: date_key year decade decade_label century century_label era_label date_type
dim_genre: genre_key genre_name genre_id is_standard
dim_person: person_key nconst primary_name birth_year death_year primary_profession known_for_titles is_inferred
dim_title: tconst title_sk title_key title_type primary_title original_title is_adult start_year end_year runtime_minutes genres parent_tconst season_number episode_number start_year_key end_year_key row_hash valid_from valid_to is_current is_deleted version
fact_cast_crew: title_key person_key ordering category job characters is_lead
fact_ratings: title_key title_sk snapshot_date average_rating num_votes weighted_rating rating_bucket
run_parameters: m c as_of
title_genre_bridge: title_key genre_key genre_ordinal genre_count allocation_weight is_primary
OUT
}

@test "sqlite: schema-sqlite.sql applies twice in a row" {
	need_sqlite
	local db="$BATS_TEST_TMPDIR/rerun.sqlite"
	run sqlite3 -bail "$db" <"$SQL_DIR/schema-sqlite.sql"
	assert_success
	assert_output ''
	run sqlite3 -bail "$db" <"$SQL_DIR/schema-sqlite.sql"
	assert_success
	assert_output ''
	run sqlite3 "$db" "select group_concat(name, ' ') from (select name from sqlite_schema where type = 'table' order by name)"
	assert_output 'dim_date dim_genre dim_person dim_title fact_cast_crew fact_ratings run_parameters title_genre_bridge'
}

@test "sqlite: the tables and KPI views have the same columns as in PostgreSQL" {
	need_sqlite
	need_pg
	local names pgcols
	names=$(printf "'%s'," "${TABLES[@]}" "${KPIS[@]/#/kpi_}")
	names=${names%,}
	pgcols=$(psql -X -d star -At -c "select table_name || ': ' || string_agg(column_name, ' ' order by ordinal_position)
		from information_schema.columns where table_schema = 'public' and table_name in ($names)
		group by table_name order by table_name")
	run sqlite3 "$SQLITE_DB" "select s.name || ': ' || (select group_concat(name, ' ')
			from (select name from pragma_table_info(s.name) order by cid))
		from sqlite_schema s where s.name in ($names) order by s.name"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | wc -l)" 20
	assert_output "$pgcols"
}

@test "kpi views have the columns listed in sql/kpi-columns.md" {
	need_pg
	run psql -X -d star -At -c "select table_name || ': ' || string_agg(column_name, ' ' order by ordinal_position)
		from information_schema.columns where table_schema = 'public' and table_name like 'kpi\_%'
		group by table_name order by table_name"
	assert_success
	assert_output - <<'OUT'
kpi_content_by_type: title_type titles rated_titles mean_rating median_rating total_votes mean_votes
kpi_content_overall: titles rated_titles mean_rating median_rating total_votes mean_votes vote_weighted_mean_all c m
kpi_genre_performance: genre_name titles rated_titles mean_rating total_votes vote_weighted_rating allocated_titles
kpi_highest_rated_actors: rank nconst primary_name titles rated_titles mean_rating total_votes first_year last_year career_span
kpi_rating_distribution: title_type bucket titles share
kpi_summary: kpi value
kpi_talent_actors: nconst primary_name titles rated_titles mean_rating total_votes first_year last_year career_span
kpi_talent_directors: nconst primary_name titles rated_titles mean_rating total_votes first_year last_year career_span
kpi_top_rated_by_type: title_type rank tconst primary_title start_year average_rating num_votes weighted_rating
kpi_top_rated_movies: rank tconst primary_title start_year average_rating num_votes weighted_rating
kpi_trends_by_decade: decade decade_label titles rated_titles mean_rating mean_votes total_votes
kpi_trends_by_year: year titles rated_titles mean_rating mean_votes total_votes
OUT
	# ... and the document says the same.
	local view cols
	while IFS=: read -r view cols; do
		grep -qF -- "| \`$view\` |${cols} |" "$SQL_DIR/kpi-columns.md" ||
			fail "sql/kpi-columns.md does not list $view as:$cols"
	done <<<"$output"
}

# -------------------------------------------------------------- the fixture

@test "postgres: the star-mini fixture loads with COPY (FORMAT csv, QUOTE E'\\x01')" {
	need_pg
	run psql -X -d star -AtF ' ' -c "
		select 'dim_date', count(*) from dim_date union all
		select 'dim_genre', count(*) from dim_genre union all
		select 'dim_person', count(*) from dim_person union all
		select 'dim_title', count(*) from dim_title union all
		select 'fact_ratings', count(*) from fact_ratings union all
		select 'fact_cast_crew', count(*) from fact_cast_crew union all
		select 'title_genre_bridge', count(*) from title_genre_bridge union all
		select 'run_parameters', count(*) from run_parameters"
	assert_success
	assert_output - <<'OUT'
dim_date 42
dim_genre 9
dim_person 9
dim_title 15
fact_ratings 22
fact_cast_crew 45
title_genre_bridge 20
run_parameters 1
OUT
	# quotes and backslashes are data
	run psql -X -d star -At -c "select primary_title from dim_title where tconst = 'tt0000003'"
	assert_output '"Charlie" Returns'
	run psql -X -d star -At -c "select characters from fact_cast_crew where ordering = 3 and title_key = md5('tt0000001')"
	assert_output '["Extra \"One\""]'
}

@test "sqlite: the star-mini fixture loads, NULLs and quotes intact" {
	need_sqlite
	run sqlite3 "$SQLITE_DB" "
		select 'dim_title', count(*), count(end_year), count(start_year) from dim_title union all
		select 'fact_ratings', count(*), count(weighted_rating), sum(typeof(average_rating) = 'real') from fact_ratings union all
		select 'fact_cast_crew', count(*), count(job), count(characters) from fact_cast_crew"
	assert_success
	assert_output - <<'OUT'
dim_title|15|1|14
fact_ratings|22|21|22
fact_cast_crew|45|1|34
OUT
	run sqlite3 "$SQLITE_DB" "select primary_title from dim_title where tconst = 'tt0000003'"
	assert_output '"Charlie" Returns'
	run sqlite3 "$SQLITE_DB" 'PRAGMA foreign_key_check'
	assert_output ''
}

# ---------------------------------------------------------- the KPI views

@test "postgres: kpi_content_overall (12 current titles, 11 rated; median of 11 ratings = 7.0; C recomputed = 7.2700)" {
	need_pg
	run pg_kpi content_overall
	assert_success
	assert_kpi content_overall
}

@test "sqlite: kpi_content_overall (12 current titles, 11 rated; median of 11 ratings = 7.0; C recomputed = 7.2700)" {
	need_sqlite
	run sqlite_kpi content_overall
	assert_success
	assert_kpi content_overall
}

@test "postgres: kpi_content_by_type (the changed tt0000002 counts as a movie, not a tvMovie; movie mean 6.925 -> 6.93)" {
	need_pg
	run pg_kpi content_by_type
	assert_success
	assert_kpi content_by_type
}

@test "sqlite: kpi_content_by_type (the changed tt0000002 counts as a movie, not a tvMovie; movie mean 6.925 -> 6.93)" {
	need_sqlite
	run sqlite_kpi content_by_type
	assert_success
	assert_kpi content_by_type
}

@test "postgres: kpi_top_rated_movies (ties: WR then votes desc then tconst; v >= m, tt0000008 has exactly m)" {
	need_pg
	run pg_kpi top_rated_movies
	assert_success
	assert_kpi top_rated_movies
}

@test "sqlite: kpi_top_rated_movies (ties: WR then votes desc then tconst; v >= m, tt0000008 has exactly m)" {
	need_sqlite
	run sqlite_kpi top_rated_movies
	assert_success
	assert_kpi top_rated_movies
}

@test "postgres: kpi_top_rated_by_type (no vote floor; the 0-vote tt0000010 (WR NULL) is not ranked)" {
	need_pg
	run pg_kpi top_rated_by_type
	assert_success
	assert_kpi top_rated_by_type
}

@test "sqlite: kpi_top_rated_by_type (no vote floor; the 0-vote tt0000010 (WR NULL) is not ranked)" {
	need_sqlite
	run sqlite_kpi top_rated_by_type
	assert_success
	assert_kpi top_rated_by_type
}

@test "postgres: kpi_rating_distribution (ALL first, all eight buckets, types without rated titles left out)" {
	need_pg
	run pg_kpi rating_distribution
	assert_success
	assert_kpi rating_distribution
}

@test "sqlite: kpi_rating_distribution (ALL first, all eight buckets, types without rated titles left out)" {
	need_sqlite
	run sqlite_kpi rating_distribution
	assert_success
	assert_kpi rating_distribution
}

@test "postgres: kpi_genre_performance (Thriller (only in an old version) and the deleted title are left out)" {
	need_pg
	run pg_kpi genre_performance
	assert_success
	assert_kpi genre_performance
}

@test "sqlite: kpi_genre_performance (Thriller (only in an old version) and the deleted title are left out)" {
	need_sqlite
	run sqlite_kpi genre_performance
	assert_success
	assert_kpi genre_performance
}

@test "postgres: kpi_talent_actors (nm0000004 has 4 current titles and 1 deleted: left out)" {
	need_pg
	run pg_kpi talent_actors
	assert_success
	assert_kpi talent_actors
}

@test "sqlite: kpi_talent_actors (nm0000004 has 4 current titles and 1 deleted: left out)" {
	need_sqlite
	run sqlite_kpi talent_actors
	assert_success
	assert_kpi talent_actors
}

@test "postgres: kpi_talent_directors (3 titles each, nconst decides; nm0000009 has 2 + 1 deleted)" {
	need_pg
	run pg_kpi talent_directors
	assert_success
	assert_kpi talent_directors
}

@test "sqlite: kpi_talent_directors (3 titles each, nconst decides; nm0000009 has 2 + 1 deleted)" {
	need_sqlite
	run sqlite_kpi talent_directors
	assert_success
	assert_kpi talent_directors
}

@test "postgres: kpi_highest_rated_actors (>= 10 titles; exact mean 7.2111 beats 7.1182)" {
	need_pg
	run pg_kpi highest_rated_actors
	assert_success
	assert_kpi highest_rated_actors
}

@test "sqlite: kpi_highest_rated_actors (>= 10 titles; exact mean 7.2111 beats 7.1182)" {
	need_sqlite
	run sqlite_kpi highest_rated_actors
	assert_success
	assert_kpi highest_rated_actors
}

@test "postgres: kpi_trends_by_decade (the empty 1990s as zeros, Unknown last)" {
	need_pg
	run pg_kpi trends_by_decade
	assert_success
	assert_kpi trends_by_decade
}

@test "sqlite: kpi_trends_by_decade (the empty 1990s as zeros, Unknown last)" {
	need_sqlite
	run sqlite_kpi trends_by_decade
	assert_success
	assert_kpi trends_by_decade
}

@test "postgres: kpi_trends_by_year (2010..2024, the latest year of dim_date and the 14 before it)" {
	need_pg
	run pg_kpi trends_by_year
	assert_success
	assert_kpi trends_by_year
}

@test "sqlite: kpi_trends_by_year (2010..2024, the latest year of dim_date and the 14 before it)" {
	need_sqlite
	run sqlite_kpi trends_by_year
	assert_success
	assert_kpi trends_by_year
}

@test "postgres: kpi_summary (headline numbers, as text)" {
	need_pg
	run pg_kpi summary
	assert_success
	assert_kpi summary
}

@test "sqlite: kpi_summary (headline numbers, as text)" {
	need_sqlite
	run sqlite_kpi summary
	assert_success
	assert_kpi summary
}

@test "postgres: the KPI files read in setup_file equal psql -AtF\$'\\t' -c output" {
	need_pg
	run psql -X -d star -AtF $'\t' -P null='\N' -c 'select * from kpi_trends_by_decade'
	assert_success
	assert_kpi trends_by_decade
}

# ----------------------------------------------------------- special cases

# A rating outside (0,10] (here 0.0 for the unrated tvEpisode) adds an
# out_of_range row to its scopes, and only to them; 12 rated titles now.
expect_out_of_range() {
	cat <<'OUT'
ALL|(0,2]|0|0.0000
ALL|(2,4]|1|0.0833
ALL|(4,5]|0|0.0000
ALL|(5,6]|2|0.1667
ALL|(6,7]|3|0.2500
ALL|(7,8]|1|0.0833
ALL|(8,9]|3|0.2500
ALL|(9,10]|1|0.0833
ALL|out_of_range|1|0.0833
tvEpisode|(0,2]|0|0.0000
tvEpisode|(2,4]|0|0.0000
tvEpisode|(4,5]|0|0.0000
tvEpisode|(5,6]|0|0.0000
tvEpisode|(6,7]|0|0.0000
tvEpisode|(7,8]|0|0.0000
tvEpisode|(8,9]|0|0.0000
tvEpisode|(9,10]|0|0.0000
tvEpisode|out_of_range|1|1.0000
OUT
}

OUT_OF_RANGE_SQL="insert into fact_ratings
	select title_key, title_sk, '2025-02-02', 0.0, 7, NULL, NULL
	from dim_title where tconst = 'tt0000009' and is_current = 1"
OUT_OF_RANGE_SELECT="select * from kpi_rating_distribution where title_type in ('ALL', 'tvEpisode')"

@test "postgres: out_of_range rows appear only where such a rating is" {
	need_pg
	run psql -X -d star -AtF $'\t' -v ON_ERROR_STOP=1 \
		-c 'begin' -c "$OUT_OF_RANGE_SQL" -c "$OUT_OF_RANGE_SELECT" -c 'rollback'
	assert_success
	local want
	want=$(printf 'BEGIN\nINSERT 0 1\n%s\nROLLBACK' "$(expected out_of_range)")
	assert_output "$want"
}

@test "sqlite: out_of_range rows appear only where such a rating is" {
	need_sqlite
	run sqlite3 -bail -separator $'\t' "$SQLITE_DB" \
		"begin; $OUT_OF_RANGE_SQL; $OUT_OF_RANGE_SELECT; rollback"
	assert_success
	assert_kpi out_of_range
}

# An empty schema: every KPI view answers, with zeros and NULLs.
expect_empty() {
	cat <<'OUT'
0|0|\N|\N|0|\N|\N|\N|\N
ALL|(0,2]|0|\N
ALL|(2,4]|0|\N
ALL|(4,5]|0|\N
ALL|(5,6]|0|\N
ALL|(6,7]|0|\N
ALL|(7,8]|0|\N
ALL|(8,9]|0|\N
ALL|(9,10]|0|\N
\N|Unknown|0|0|\N|\N|0
kpi_summary 25
OUT
}

EMPTY_SELECT="select * from kpi_content_overall;
	select * from kpi_rating_distribution;
	select * from kpi_trends_by_decade;
	select * from kpi_top_rated_movies;
	select * from kpi_top_rated_by_type;
	select * from kpi_content_by_type;
	select * from kpi_genre_performance;
	select * from kpi_talent_actors;
	select * from kpi_talent_directors;
	select * from kpi_highest_rated_actors;
	select * from kpi_trends_by_year;
	select 'kpi_summary' || ' ' || count(*) from kpi_summary;"

@test "postgres: on an empty schema the KPI views give zeros and NULLs" {
	need_pg
	pg scratch -f "$SQL_DIR/schema.sql"
	run psql -X -d scratch -AtF $'\t' -P null='\N' -v ON_ERROR_STOP=1 -c "$EMPTY_SELECT"
	assert_success
	assert_kpi empty
}

@test "sqlite: on an empty schema the KPI views give zeros and NULLs" {
	need_sqlite
	local db="$BATS_TEST_TMPDIR/empty.sqlite"
	sqlite3 -bail "$db" <"$SQL_DIR/schema-sqlite.sql"
	run sqlite3 -bail -separator $'\t' -nullvalue '\N' "$db" "$EMPTY_SELECT"
	assert_success
	assert_kpi empty
}

# Constraints that keep the star consistent.

@test "postgres: a second current version of a title is refused" {
	need_pg
	run psql -X -d star -At -v ON_ERROR_STOP=1 -c "insert into dim_title
		select tconst, md5('x'), title_key, title_type, primary_title, original_title,
		       is_adult, start_year, end_year, runtime_minutes, genres, parent_tconst,
		       season_number, episode_number, start_year_key, end_year_key, row_hash,
		       '2025-03-01', valid_to, 1, 0, version + 1
		from dim_title where tconst = 'tt0000001'"
	assert_failure 1
	assert_line 'ERROR:  duplicate key value violates unique constraint "dim_title_one_current"'
}

@test "postgres: run_parameters holds one row" {
	need_pg
	run psql -X -d star -At -v ON_ERROR_STOP=1 -c "insert into run_parameters values (25000, 7.0, '2025-03-01')"
	assert_failure 1
	assert_line 'ERROR:  duplicate key value violates unique constraint "run_parameters_one_row"'
}

@test "postgres: a rating whose title_sk is a version of another title is refused" {
	need_pg
	run psql -X -d star -At -v ON_ERROR_STOP=1 -c "insert into fact_ratings
		values (md5('tt0000001'), md5('tt0000002-2025-02-02'), '2025-03-01', 7.0, 10, 7.0, '(6,7]')"
	assert_failure 1
	assert_line 'ERROR:  insert or update on table "fact_ratings" violates foreign key constraint "fact_ratings_title_key_title_sk_fkey"'
}

@test "sqlite: one current version per title and one run_parameters row" {
	need_sqlite
	run sqlite3 -bail "$SQLITE_DB" "insert into run_parameters values (25000, 7.0, '2025-03-01')"
	assert_failure
	assert_output "Error: stepping, UNIQUE constraint failed: index 'run_parameters_one_row' (19)"
	run sqlite3 -bail "$SQLITE_DB" "update dim_title set is_current = 1 where tconst = 'tt0000002'"
	assert_failure
	assert_output 'Error: stepping, UNIQUE constraint failed: dim_title.title_key (19)'
}

# --------------------------------------------- expected rows (see above)

expect_content_overall() {
	cat <<'EOF'
12|11|7.12|7.00|51001|4636.45|8.07|7.2700|1000
EOF
}

expect_content_by_type() {
	cat <<'EOF'
movie|8|8|6.93|6.95|25700|3212.50
short|2|2|7.00|7.00|301|150.50
tvEpisode|1|0|\N|\N|0|\N
tvSeries|1|1|8.90|8.90|25000|25000.00
EOF
}

expect_top_rated_movies() {
	cat <<'EOF'
1|tt0000002|Bravo|2015|8.4|3000|8.12
2|tt0000004|Delta|1985|8.4|3000|8.12
3|tt0000001|Alpha|2019|7.8|12000|7.76
4|tt0000011|Kilo|2016|5.9|4400|6.15
5|tt0000005|Echo|2003|5.4|1500|6.15
6|tt0000008|Hotel|\N|3.9|1000|5.59
EOF
}

expect_top_rated_by_type() {
	cat <<'EOF'
movie|1|tt0000002|Bravo|2015|8.4|3000|8.12
movie|2|tt0000004|Delta|1985|8.4|3000|8.12
movie|3|tt0000001|Alpha|2019|7.8|12000|7.76
movie|4|tt0000003|"Charlie" Returns|2021|6.1|800|6.75
movie|5|tt0000011|Kilo|2016|5.9|4400|6.15
movie|6|tt0000005|Echo|2003|5.4|1500|6.15
movie|7|tt0000008|Hotel|\N|3.9|1000|5.59
short|1|tt0000012|Lima|2010|7.0|151|7.23
short|2|tt0000007|Golf|2012|7.0|150|7.23
tvSeries|1|tt0000006|Foxtrot|2018|8.9|25000|8.84
EOF
}

expect_rating_distribution() {
	cat <<'EOF'
ALL|(0,2]|0|0.0000
ALL|(2,4]|1|0.0909
ALL|(4,5]|0|0.0000
ALL|(5,6]|2|0.1818
ALL|(6,7]|3|0.2727
ALL|(7,8]|1|0.0909
ALL|(8,9]|3|0.2727
ALL|(9,10]|1|0.0909
movie|(0,2]|0|0.0000
movie|(2,4]|1|0.1250
movie|(4,5]|0|0.0000
movie|(5,6]|2|0.2500
movie|(6,7]|1|0.1250
movie|(7,8]|1|0.1250
movie|(8,9]|2|0.2500
movie|(9,10]|1|0.1250
short|(0,2]|0|0.0000
short|(2,4]|0|0.0000
short|(4,5]|0|0.0000
short|(5,6]|0|0.0000
short|(6,7]|2|1.0000
short|(7,8]|0|0.0000
short|(8,9]|0|0.0000
short|(9,10]|0|0.0000
tvSeries|(0,2]|0|0.0000
tvSeries|(2,4]|0|0.0000
tvSeries|(4,5]|0|0.0000
tvSeries|(5,6]|0|0.0000
tvSeries|(6,7]|0|0.0000
tvSeries|(7,8]|0|0.0000
tvSeries|(8,9]|1|1.0000
tvSeries|(9,10]|0|0.0000
EOF
}

expect_genre_performance() {
	cat <<'EOF'
Drama|7|7|7.76|48900|8.19|4.3333
Comedy|6|5|7.14|42351|8.22|4.0000
Action|1|1|5.40|1500|5.40|0.3333
Animation|1|1|7.00|151|7.00|0.5000
Crime|1|1|8.40|3000|8.40|0.5000
Horror|1|1|3.90|1000|3.90|1.0000
Sci-Fi|1|1|5.40|1500|5.40|0.3333
Unknown|1|1|7.00|150|7.00|1.0000
EOF
}

expect_talent_actors() {
	cat <<'EOF'
nm0000001|Ann Actor|11|11|7.12|51001|1985|2024|39
nm0000002|Bea Star|10|9|7.21|50001|1985|2021|36
nm0000003|\N|5|4|6.58|14450|2003|2021|18
EOF
}

expect_talent_directors() {
	cat <<'EOF'
nm0000005|Eve Lens|3|3|6.60|17200|2016|2021|5
nm0000006|Fay Cut|3|3|7.93|6151|1985|2015|30
EOF
}

expect_highest_rated_actors() {
	cat <<'EOF'
1|nm0000002|Bea Star|10|9|7.21|50001|1985|2021|36
2|nm0000001|Ann Actor|11|11|7.12|51001|1985|2024|39
EOF
}

expect_trends_by_decade() {
	cat <<'EOF'
1980|1980s|1|1|8.40|3000.00|3000
1990|1990s|0|0|\N|\N|0
2000|2000s|1|1|5.40|1500.00|1500
2010|2010s|6|6|7.50|7450.17|44701
2020|2020s|3|2|7.80|400.00|800
\N|Unknown|1|1|3.90|1000.00|1000
EOF
}

expect_trends_by_year() {
	cat <<'EOF'
2010|1|1|7.00|151.00|151
2011|0|0|\N|\N|0
2012|1|1|7.00|150.00|150
2013|0|0|\N|\N|0
2014|0|0|\N|\N|0
2015|1|1|8.40|3000.00|3000
2016|1|1|5.90|4400.00|4400
2017|0|0|\N|\N|0
2018|1|1|8.90|25000.00|25000
2019|1|1|7.80|12000.00|12000
2020|1|0|\N|\N|0
2021|1|1|6.10|800.00|800
2022|0|0|\N|\N|0
2023|0|0|\N|\N|0
2024|1|1|9.50|0.00|0
EOF
}

expect_summary() {
	cat <<'EOF'
snapshot_date|2025-02-02
titles|12
rated_titles|11
mean_rating|7.12
median_rating|7.00
total_votes|51001
mean_votes|4636.45
vote_weighted_mean_all|8.07
c|7.2700
m|1000
title_types|4
top_rated_movies|6
top_movie_tconst|tt0000002
top_movie_title|Bravo
top_movie_weighted_rating|8.12
modal_rating_bucket|(6,7]
genres|8
top_genre|Drama
top_genre_titles|7
talent_actors|3
most_prolific_actor|nm0000001
talent_directors|2
most_prolific_director|nm0000005
highest_rated_actor|nm0000002
peak_decade|2010s
EOF
}
