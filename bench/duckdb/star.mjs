// bench/duckdb/star.mjs - the reference formulation of p07's ETL in DuckDB:
// the seven star-schema tables of DESIGN §4 and the twelve KPI files of §5
// (columns, orders and rounding of sql/kpi-columns.md; the queries port the
// kpi_* views of sql/schema.sql) from the same IMDb .tsv.gz files, written as
// TSV with a header and \N for NULL.  bench/run.sh times it against
// pipelines/full.sh and bench/compare.sh checks that both wrote the same rows.
//
//   node star.mjs --data DIR --out DIR --as-of YYYY-MM-DD [--m VOTES]
//                 [--threads N] [--memory-limit SIZE] [--temp DIR]
//
// It is a first load (no --state): every title has one current version
// valid from --as-of.  Every number that the design rounds is computed in
// integers (ratings as tenths) and rounded half away from zero by integer
// division, so no binary double decides a printed digit.  It checks less
// than the pipeline does (no duplicate-key or schema gate, no evidence):
// that only makes the comparison kinder to DuckDB.
//
// Per-statement wall times go to OUT/logs/duckdb.log.

import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function usage(msg) {
	if (msg)
		process.stderr.write(`star.mjs: ${msg}\n`);
	process.stderr.write('usage: node star.mjs --data DIR --out DIR --as-of YYYY-MM-DD ' +
	    '[--m VOTES] [--threads N] [--memory-limit SIZE] [--temp DIR]\n');
	process.exit(2);
}

function parseArgs(argv) {
	const opt = { m: '25000', threads: '2', memoryLimit: '', temp: '' };
	const names = { '--data': 'data', '--out': 'out', '--as-of': 'asOf', '--m': 'm',
	    '--threads': 'threads', '--memory-limit': 'memoryLimit', '--temp': 'temp' };
	for (let i = 0; i < argv.length; i += 2) {
		const key = names[argv[i]];
		if (!key || argv[i + 1] === undefined)
			usage(`bad argument '${argv[i]}'`);
		opt[key] = argv[i + 1];
	}
	if (!opt.data || !opt.out || !opt.asOf)
		usage('--data, --out and --as-of are required');
	if (!/^\d{4}-\d{2}-\d{2}$/.test(opt.asOf))
		usage(`--as-of: invalid date '${opt.asOf}'`);
	if (!/^\d+$/.test(opt.m) || !/^[1-9]\d*$/.test(opt.threads))
		usage('--m and --threads take integers');
	if (opt.memoryLimit && !/^\d+(\.\d+)?\s*[KMGT]i?B$/i.test(opt.memoryLimit))
		usage(`--memory-limit: invalid size '${opt.memoryLimit}'`);
	return opt;
}

const opt = parseArgs(process.argv.slice(2));
const q = (s) => `'${s.replaceAll("'", "''")}'`;	// an SQL string literal
const AS_OF = q(opt.asOf);
const M = opt.m;

// One IMDb file, every column VARCHAR, exactly as DESIGN §2 reads TSV: TAB,
// no quoting, no escapes, \N is NULL, the empty string a value.
function imdb(name, columns) {
	const cols = columns.map((c) => `${q(c)}: 'VARCHAR'`).join(', ');
	return `read_csv(${q(join(opt.data, name + '.tsv.gz'))}, delim = '\t', quote = '',
	    escape = '', nullstr = '\\N', header = true, auto_detect = false,
	    compression = 'gzip', columns = {${cols}})`;
}

function tsvOut(query, dir, name) {
	return `COPY (${query}) TO ${q(join(opt.out, dir, name + '.tsv'))}
	    (FORMAT csv, DELIMITER '\t', HEADER, QUOTE '', ESCAPE '', NULLSTR '\\N')`;
}

// --- helpers: exact rounding and fixed-point printing ------------------------
const MACROS = [
	// a / b rounded half away from zero, for a >= 0 and b > 0; NULL if b is 0
	`CREATE MACRO rdiv(a, b) AS
	    CASE WHEN b IS NULL OR b = 0 THEN NULL
	         ELSE (2 * a::HUGEINT + b::HUGEINT) // (2 * b::HUGEINT) END`,
	// a non-negative integer count of hundredths (ten-thousandths, ...)
	// printed with all its decimals: 727 -> 7.27, 7 -> 0.07
	`CREATE MACRO fixed(v, d) AS
	    CASE WHEN v IS NULL THEN NULL
	         ELSE (v::HUGEINT // (10 ** d)::BIGINT)::VARCHAR || '.' ||
	              lpad((v::HUGEINT % (10 ** d)::BIGINT)::VARCHAR, d, '0') END`,
];

// --- the star schema ---------------------------------------------------------
const STAR = [
	['titles', `CREATE TABLE title_basics AS
	SELECT tconst, titleType AS title_type, primaryTitle AS primary_title,
	       originalTitle AS original_title, isAdult::TINYINT AS is_adult,
	       startYear::INTEGER AS start_year, endYear::INTEGER AS end_year,
	       runtimeMinutes::INTEGER AS runtime_minutes, genres
	FROM ${imdb('title.basics', ['tconst', 'titleType', 'primaryTitle', 'originalTitle',
	    'isAdult', 'startYear', 'endYear', 'runtimeMinutes', 'genres'])}`],

	// the snapshot with its episode columns and dim_date keys, then the
	// SCD2 bookkeeping of a first load
	['dim_title', `CREATE TABLE dim_title AS
	WITH episode AS (
	    SELECT tconst, parentTconst AS parent_tconst,
	           seasonNumber::INTEGER AS season_number,
	           episodeNumber::INTEGER AS episode_number
	    FROM ${imdb('title.episode', ['tconst', 'parentTconst', 'seasonNumber', 'episodeNumber'])}
	), snap AS (
	    SELECT b.*, e.parent_tconst, e.season_number, e.episode_number,
	           md5(b.tconst) AS title_key,
	           CASE WHEN b.start_year > 0 THEN b.start_year ELSE -1 END AS start_year_key,
	           CASE WHEN b.title_type IN ('tvSeries', 'tvMiniSeries')
	                THEN CASE WHEN b.end_year > 0 THEN b.end_year ELSE -1 END
	                ELSE -2 END AS end_year_key
	    FROM title_basics b LEFT JOIN episode e USING (tconst)
	)
	SELECT tconst, md5(tconst || '-' || ${AS_OF}) AS title_sk, title_key, title_type,
	       primary_title, original_title, is_adult, start_year, end_year,
	       runtime_minutes, genres, parent_tconst, season_number, episode_number,
	       start_year_key, end_year_key,
	       md5(concat_ws(chr(9), title_key, title_type, coalesce(primary_title, '\\N'),
	           coalesce(original_title, '\\N'), coalesce(is_adult::VARCHAR, '\\N'),
	           coalesce(start_year::VARCHAR, '\\N'), coalesce(end_year::VARCHAR, '\\N'),
	           coalesce(runtime_minutes::VARCHAR, '\\N'), coalesce(genres, '\\N'),
	           coalesce(parent_tconst, '\\N'), coalesce(season_number::VARCHAR, '\\N'),
	           coalesce(episode_number::VARCHAR, '\\N'), start_year_key::VARCHAR,
	           end_year_key::VARCHAR)) AS row_hash,
	       ${AS_OF}::DATE AS valid_from, DATE '9999-12-31' AS valid_to,
	       1 AS is_current, 0 AS is_deleted, 1 AS version
	FROM snap`],
	['drop title_basics', `DROP TABLE title_basics`],
	['dim_title.tsv', tsvOut('SELECT * FROM dim_title', 'star', 'dim_title')],
	['current titles', `CREATE TABLE cur AS
	SELECT tconst, title_key, title_sk, title_type, primary_title, start_year,
	       start_year_key, genres
	FROM dim_title WHERE is_current = 1 AND is_deleted = 0`],

	// C: the vote-weighted mean rating of movies (exact: S / (10 V) with
	// ratings in tenths); WR in hundredths, exact, half away from zero
	['fact_ratings', `CREATE TABLE fact_ratings AS
	WITH r AS (
	    SELECT c.title_key, c.title_sk, c.title_type,
	           x.averageRating::DECIMAL(3,1) AS average_rating,
	           (x.averageRating::DECIMAL(3,1) * 10)::INTEGER AS r10,
	           x.numVotes::BIGINT AS num_votes
	    FROM ${imdb('title.ratings', ['tconst', 'averageRating', 'numVotes'])} x
	    JOIN cur c USING (tconst)
	), cm AS (
	    SELECT sum(r10 * num_votes)::HUGEINT AS s, sum(num_votes)::HUGEINT AS v
	    FROM r WHERE title_type = 'movie' AND num_votes > 0
	)
	SELECT r.title_key, r.title_sk, ${AS_OF}::DATE AS snapshot_date,
	       r.average_rating, r.num_votes, r.r10,
	       CASE WHEN r.num_votes > 0 THEN
	           rdiv(100 * (r.num_votes * r.r10 * cm.v + ${M} * cm.s),
	                10 * cm.v * (r.num_votes + ${M})) END AS wr100,
	       CASE WHEN r.r10 > 0 AND r.r10 <= 20 THEN '(0,2]'
	            WHEN r.r10 > 20 AND r.r10 <= 40 THEN '(2,4]'
	            WHEN r.r10 > 40 AND r.r10 <= 50 THEN '(4,5]'
	            WHEN r.r10 > 50 AND r.r10 <= 60 THEN '(5,6]'
	            WHEN r.r10 > 60 AND r.r10 <= 70 THEN '(6,7]'
	            WHEN r.r10 > 70 AND r.r10 <= 80 THEN '(7,8]'
	            WHEN r.r10 > 80 AND r.r10 <= 90 THEN '(8,9]'
	            WHEN r.r10 > 90 AND r.r10 <= 100 THEN '(9,10]'
	            ELSE 'out_of_range' END AS rating_bucket
	FROM r, cm`],
	['fact_ratings.tsv', tsvOut(`SELECT title_key, title_sk, snapshot_date, average_rating,
	    num_votes, fixed(wr100, 2) AS weighted_rating, rating_bucket FROM fact_ratings`,
	    'star', 'fact_ratings')],

	// principals of known titles, read once
	['principals', `CREATE TABLE principals AS
	SELECT p.tconst, p.ordering::INTEGER AS ordering, p.nconst, p.category, p.job,
	       p.characters
	FROM ${imdb('title.principals', ['tconst', 'ordering', 'nconst', 'category', 'job',
	    'characters'])} p
	SEMI JOIN cur c ON c.tconst = p.tconst`],
	['fact_cast_crew.tsv', tsvOut(`SELECT md5(tconst) AS title_key, md5(nconst) AS person_key,
	    ordering, category, job, characters,
	    CASE WHEN ordering <= 3 THEN 1 ELSE 0 END AS is_lead FROM principals`,
	    'star', 'fact_cast_crew')],

	// people: name.basics, plus inferred members for credited people it lacks
	['dim_person', `CREATE TABLE dim_person AS
	WITH nb AS (
	    SELECT nconst, primaryName AS primary_name, birthYear::INTEGER AS birth_year,
	           deathYear::INTEGER AS death_year, primaryProfession AS primary_profession,
	           knownForTitles AS known_for_titles
	    FROM ${imdb('name.basics', ['nconst', 'primaryName', 'birthYear', 'deathYear',
	        'primaryProfession', 'knownForTitles'])}
	)
	SELECT md5(nconst) AS person_key, nb.*, 0 AS is_inferred FROM nb
	UNION ALL
	SELECT md5(nconst), nconst, NULL, NULL, NULL, NULL, NULL, 1
	FROM (SELECT DISTINCT nconst FROM principals) p ANTI JOIN nb USING (nconst)`],
	['dim_person.tsv', tsvOut('SELECT * FROM dim_person', 'star', 'dim_person')],

	// the bridge: empty and repeated elements dropped (first kept), \N or
	// nothing kept -> Unknown; weights in millionths
	['title_genre_bridge', `CREATE TABLE bridge AS
	WITH l AS (
	    SELECT title_key, list_filter(string_split(coalesce(genres, ''), ','),
	           (g, i) -> g <> '' AND list_position(string_split(genres, ','), g) = i) AS kept
	    FROM cur
	), n AS (
	    SELECT title_key, CASE WHEN len(kept) = 0 THEN ['Unknown'] ELSE kept END AS kept
	    FROM l
	), u AS (
	    SELECT title_key, unnest(kept) AS genre_name,
	           unnest(generate_series(1, len(kept))) AS genre_ordinal,
	           len(kept) AS genre_count
	    FROM n
	)
	SELECT title_key, md5(genre_name) AS genre_key, genre_name, genre_ordinal,
	       genre_count, rdiv(1000000, genre_count) AS weight_e6,
	       CASE WHEN genre_ordinal = 1 THEN 1 ELSE 0 END AS is_primary
	FROM u`],
	['title_genre_bridge.tsv', tsvOut(`SELECT title_key, genre_key, genre_ordinal, genre_count,
	    fixed(weight_e6, 6) AS allocation_weight, is_primary FROM bridge`,
	    'star', 'title_genre_bridge')],
	['dim_genre', `CREATE TABLE dim_genre AS
	SELECT md5(genre_name) AS genre_key, genre_name,
	       row_number() OVER (ORDER BY genre_name) AS genre_id,
	       CASE WHEN genre_name IN ('Action', 'Adult', 'Adventure', 'Animation',
	           'Biography', 'Comedy', 'Crime', 'Documentary', 'Drama', 'Family',
	           'Fantasy', 'Film-Noir', 'Game-Show', 'History', 'Horror', 'Music',
	           'Musical', 'Mystery', 'News', 'Reality-TV', 'Romance', 'Sci-Fi', 'Short',
	           'Sport', 'Talk-Show', 'Thriller', 'War', 'Western') THEN 1 ELSE 0 END
	           AS is_standard
	FROM (SELECT DISTINCT genre_name FROM bridge UNION SELECT 'Unknown')`],
	['dim_genre.tsv', tsvOut('SELECT * FROM dim_genre', 'star', 'dim_genre')],

	// dim_date: every year from the earliest to the latest positive start
	// or end year, then the two special members
	['dim_date', `CREATE TABLE dim_date AS
	WITH span AS (
	    SELECT least(min(start_year) FILTER (WHERE start_year > 0),
	                 min(end_year) FILTER (WHERE end_year > 0)) AS lo,
	           greatest(max(start_year) FILTER (WHERE start_year > 0),
	                    max(end_year) FILTER (WHERE end_year > 0)) AS hi
	    FROM dim_title
	), y AS (
	    SELECT unnest(generate_series(lo, hi)) AS year FROM span
	), c AS (
	    SELECT year, year // 10 * 10 AS decade, year // 100 + 1 AS century FROM y
	)
	SELECT year AS date_key, year, decade, decade || 's' AS decade_label, century,
	       century || CASE WHEN century % 100 BETWEEN 11 AND 13 THEN 'th'
	                       WHEN century % 10 = 1 THEN 'st'
	                       WHEN century % 10 = 2 THEN 'nd'
	                       WHEN century % 10 = 3 THEN 'rd' ELSE 'th' END
	           || ' century' AS century_label,
	       CASE WHEN year < 1930 THEN 'Silent era' WHEN year < 1960 THEN 'Golden Age'
	            WHEN year < 1980 THEN 'New Hollywood' WHEN year < 2000 THEN 'Blockbuster era'
	            WHEN year < 2010 THEN 'Digital era' ELSE 'Streaming era' END AS era_label,
	       'year' AS date_type
	FROM c
	UNION ALL SELECT -1, NULL, NULL, 'Unknown', NULL, 'Unknown', 'Unknown', 'unknown'
	UNION ALL SELECT -2, NULL, NULL, 'Not applicable', NULL, 'Not applicable',
	    'Not applicable', 'not_applicable'`],
	['dim_date.tsv', tsvOut('SELECT * FROM dim_date ORDER BY date_key < 0, abs(date_key)',
	    'star', 'dim_date')],
];

// --- the KPIs: the views of sql/schema.sql --------------------------------------
const rated = `(SELECT c.title_key, c.tconst, c.title_type, c.primary_title, c.start_year,
	    c.start_year_key, f.average_rating, f.r10, f.num_votes, f.wr100, f.rating_bucket
	FROM cur c JOIN fact_ratings f USING (title_key)
	WHERE f.snapshot_date = (SELECT max(snapshot_date) FROM fact_ratings))`;

// the measures of content_overall and content_by_type, over r LEFT JOINed
const MEASURES = `count(r.title_key) AS rated_titles,
	    fixed(rdiv(sum(r.r10) * 10, count(r.title_key)), 2) AS mean_rating,
	    fixed(round(quantile_cont(r.r10, 0.5) * 10)::BIGINT, 2) AS median_rating,
	    coalesce(sum(r.num_votes), 0) AS total_votes,
	    fixed(rdiv(sum(r.num_votes) * 100, count(r.title_key)), 2) AS mean_votes`;

const TALENT_COLS = `nconst, primary_name, titles, rated_titles,
	    fixed(rdiv(sum_r10 * 10, rated_titles), 2) AS mean_rating, total_votes,
	    first_year, last_year, last_year - first_year AS career_span`;

const KPI = [
	['rated', `CREATE TABLE rated AS SELECT * FROM ${rated}`],
	['content_overall', `CREATE TABLE k_content_overall AS
	SELECT (SELECT count(*) FROM cur) AS titles, ${MEASURES},
	       fixed(rdiv(sum(r.r10 * r.num_votes) * 10, sum(r.num_votes)), 2)
	           AS vote_weighted_mean_all,
	       (SELECT fixed(rdiv(sum(r10 * num_votes) * 1000, sum(num_votes)), 4)
	        FROM rated WHERE title_type = 'movie' AND num_votes > 0) AS c,
	       ${M} AS m
	FROM rated r`],
	['content_by_type', `CREATE TABLE k_content_by_type AS
	SELECT t.title_type, count(*) AS titles, ${MEASURES}
	FROM cur t LEFT JOIN rated r USING (title_key)
	GROUP BY t.title_type ORDER BY t.title_type NULLS LAST`],
	['top_rated_movies', `CREATE TABLE k_top_rated_movies AS
	SELECT row_number() OVER w AS rank, tconst, primary_title, start_year,
	       average_rating, num_votes, fixed(wr100, 2) AS weighted_rating
	FROM rated
	WHERE title_type = 'movie' AND wr100 IS NOT NULL AND num_votes >= ${M}
	WINDOW w AS (ORDER BY wr100 DESC, num_votes DESC, tconst)
	ORDER BY rank LIMIT 250`],
	['top_rated_by_type', `CREATE TABLE k_top_rated_by_type AS
	SELECT title_type, rank, tconst, primary_title, start_year, average_rating,
	       num_votes, fixed(wr100, 2) AS weighted_rating
	FROM (SELECT *, row_number() OVER (PARTITION BY title_type
	          ORDER BY wr100 DESC, num_votes DESC, tconst) AS rank
	      FROM rated WHERE wr100 IS NOT NULL)
	WHERE rank <= 10 ORDER BY title_type NULLS LAST, rank`],
	['rating_distribution', `CREATE TABLE k_rating_distribution AS
	WITH def (bucket_ord, bucket) AS (VALUES (1, '(0,2]'), (2, '(2,4]'), (3, '(4,5]'),
	    (4, '(5,6]'), (5, '(6,7]'), (6, '(7,8]'), (7, '(8,9]'), (8, '(9,10]')),
	b AS (
	    SELECT title_type, rating_bucket AS bucket FROM rated
	), scoped AS (
	    SELECT 'ALL' AS scope, bucket FROM b UNION ALL SELECT title_type, bucket FROM b
	), scopes AS (
	    SELECT 0 AS scope_ord, 'ALL' AS scope
	    UNION ALL SELECT DISTINCT 1, title_type FROM b
	), grid AS (
	    SELECT s.scope_ord, s.scope, d.bucket_ord, d.bucket FROM scopes s, def d
	    UNION ALL
	    SELECT DISTINCT s.scope_ord, s.scope, 9, 'out_of_range'
	    FROM scopes s JOIN scoped x ON x.scope = s.scope AND x.bucket = 'out_of_range'
	), counts AS (
	    SELECT scope, bucket, count(*) AS titles FROM scoped GROUP BY ALL
	), totals AS (
	    SELECT scope, count(*) AS titles FROM scoped GROUP BY ALL
	)
	SELECT g.scope AS title_type, g.bucket, coalesce(c.titles, 0) AS titles,
	       fixed(rdiv(coalesce(c.titles, 0) * 10000, t.titles), 4) AS share,
	       g.scope_ord, g.bucket_ord
	FROM grid g LEFT JOIN counts c USING (scope, bucket) LEFT JOIN totals t USING (scope)`],
	['genre_performance', `CREATE TABLE k_genre_performance AS
	SELECT g.genre_name, count(*) AS titles, count(r.title_key) AS rated_titles,
	       fixed(rdiv(sum(r.r10) * 10, count(r.title_key)), 2) AS mean_rating,
	       coalesce(sum(r.num_votes), 0) AS total_votes,
	       fixed(rdiv(sum(r.r10 * r.num_votes) * 10, sum(r.num_votes)), 2)
	           AS vote_weighted_rating,
	       fixed(rdiv(sum(b.weight_e6), 100), 4) AS allocated_titles
	FROM bridge b
	JOIN cur t USING (title_key)
	JOIN dim_genre g ON g.genre_key = b.genre_key
	LEFT JOIN rated r ON r.title_key = b.title_key
	GROUP BY g.genre_key, g.genre_name`],
	// one row per person, role and current title (actor and actress are one
	// role), then per person and role
	['talent', `CREATE TABLE talent AS
	WITH tt AS (
	    SELECT DISTINCT nconst,
	           CASE WHEN category IN ('actor', 'actress') THEN 'actor' ELSE 'director' END
	               AS role, tconst
	    FROM principals WHERE category IN ('actor', 'actress', 'director')
	)
	SELECT tt.role, p.nconst, p.primary_name, count(*) AS titles,
	       count(r.title_key) AS rated_titles, sum(r.r10) AS sum_r10,
	       coalesce(sum(r.num_votes), 0) AS total_votes,
	       min(t.start_year) AS first_year, max(t.start_year) AS last_year
	FROM tt
	JOIN cur t USING (tconst)
	JOIN dim_person p USING (nconst)
	LEFT JOIN rated r ON r.title_key = t.title_key
	GROUP BY tt.role, p.person_key, p.nconst, p.primary_name`],
	['talent_actors', `CREATE TABLE k_talent_actors AS
	SELECT ${TALENT_COLS} FROM talent WHERE role = 'actor' AND titles >= 5`],
	['talent_directors', `CREATE TABLE k_talent_directors AS
	SELECT ${TALENT_COLS} FROM talent WHERE role = 'director' AND titles >= 3`],
	// the exact mean sum_r10 / rated_titles: two different fractions of
	// this size are far apart in a double, equal ones give the same double
	['highest_rated_actors', `CREATE TABLE k_highest_rated_actors AS
	SELECT row_number() OVER (ORDER BY sum_r10::DOUBLE / rated_titles DESC, titles DESC,
	           nconst) AS rank, ${TALENT_COLS}
	FROM talent WHERE role = 'actor' AND titles >= 10 AND rated_titles >= 1`],
	['trend base', `CREATE TABLE trend_base AS
	SELECT t.title_key, d.decade, d.year, r.title_key AS rated_key, r.r10, r.num_votes
	FROM cur t
	LEFT JOIN dim_date d ON d.date_key = t.start_year_key AND d.date_type = 'year'
	LEFT JOIN rated r ON r.title_key = t.title_key`],
	['trends_by_decade', `CREATE TABLE k_trends_by_decade AS
	WITH decades AS (
	    SELECT DISTINCT decade, decade_label FROM dim_date WHERE date_type = 'year'
	), per AS (
	    SELECT decade, count(*) AS titles, count(rated_key) AS rated_titles,
	           sum(r10) AS sum_r10, sum(num_votes) AS total_votes
	    FROM trend_base GROUP BY decade
	), rows_ AS (
	    SELECT 0 AS ord, d.decade, d.decade_label, p.titles, p.rated_titles, p.sum_r10,
	           p.total_votes
	    FROM decades d LEFT JOIN per p ON p.decade = d.decade
	    UNION ALL
	    SELECT 1, NULL, 'Unknown', p.titles, p.rated_titles, p.sum_r10, p.total_votes
	    FROM (SELECT 1) one LEFT JOIN per p ON p.decade IS NULL
	)
	SELECT decade, decade_label, coalesce(titles, 0) AS titles,
	       coalesce(rated_titles, 0) AS rated_titles,
	       fixed(rdiv(sum_r10 * 10, rated_titles), 2) AS mean_rating,
	       fixed(rdiv(total_votes * 100, rated_titles), 2) AS mean_votes,
	       coalesce(total_votes, 0) AS total_votes, ord
	FROM rows_`],
	['trends_by_year', `CREATE TABLE k_trends_by_year AS
	WITH years AS (
	    SELECT year FROM dim_date WHERE date_type = 'year'
	      AND year >= (SELECT max(year) - 14 FROM dim_date WHERE date_type = 'year')
	), per AS (
	    SELECT year, count(*) AS titles, count(rated_key) AS rated_titles,
	           sum(r10) AS sum_r10, sum(num_votes) AS total_votes
	    FROM trend_base WHERE year IS NOT NULL GROUP BY year
	)
	SELECT y.year, coalesce(p.titles, 0) AS titles,
	       coalesce(p.rated_titles, 0) AS rated_titles,
	       fixed(rdiv(p.sum_r10 * 10, p.rated_titles), 2) AS mean_rating,
	       fixed(rdiv(p.total_votes * 100, p.rated_titles), 2) AS mean_votes,
	       coalesce(p.total_votes, 0) AS total_votes
	FROM years y LEFT JOIN per p USING (year)`],
];

// the KPI files: the tables above in the documented row orders
const KPI_FILES = [
	['content_overall', 'SELECT * FROM k_content_overall'],
	['content_by_type', 'SELECT * FROM k_content_by_type ORDER BY title_type NULLS LAST'],
	['top_rated_movies', 'SELECT * FROM k_top_rated_movies ORDER BY rank'],
	['top_rated_by_type', 'SELECT * FROM k_top_rated_by_type ORDER BY title_type NULLS LAST, rank'],
	['rating_distribution', `SELECT title_type, bucket, titles, share FROM k_rating_distribution
	    ORDER BY scope_ord, title_type, bucket_ord`],
	['genre_performance', 'SELECT * FROM k_genre_performance ORDER BY titles DESC, genre_name'],
	['talent_actors', 'SELECT * FROM k_talent_actors ORDER BY titles DESC, nconst'],
	['talent_directors', 'SELECT * FROM k_talent_directors ORDER BY titles DESC, nconst'],
	['highest_rated_actors', 'SELECT * FROM k_highest_rated_actors ORDER BY rank'],
	['trends_by_decade', `SELECT * EXCLUDE (ord) FROM k_trends_by_decade
	    ORDER BY ord, decade`],
	['trends_by_year', 'SELECT * FROM k_trends_by_year ORDER BY year'],
];

// kpi_summary: the headline numbers as they print in their own files
const SUMMARY = `WITH o AS (SELECT * FROM k_content_overall),
	top1 AS (SELECT * FROM k_top_rated_movies WHERE rank = 1),
	genre1 AS (SELECT * FROM k_genre_performance ORDER BY titles DESC, genre_name LIMIT 1),
	actor1 AS (SELECT * FROM k_talent_actors ORDER BY titles DESC, nconst LIMIT 1),
	director1 AS (SELECT * FROM k_talent_directors ORDER BY titles DESC, nconst LIMIT 1),
	best_actor AS (SELECT * FROM k_highest_rated_actors WHERE rank = 1),
	modal AS (SELECT bucket FROM k_rating_distribution
	    WHERE title_type = 'ALL' AND titles > 0 AND bucket_ord <= 8
	    ORDER BY titles DESC, bucket_ord LIMIT 1),
	peak AS (SELECT decade_label FROM k_trends_by_decade
	    WHERE decade IS NOT NULL AND titles > 0 ORDER BY titles DESC, decade LIMIT 1),
	kv (ord, kpi, value) AS (
	    SELECT 1, 'snapshot_date', (SELECT max(snapshot_date)::VARCHAR FROM fact_ratings)
	    UNION ALL SELECT 2, 'titles', (SELECT titles::VARCHAR FROM o)
	    UNION ALL SELECT 3, 'rated_titles', (SELECT rated_titles::VARCHAR FROM o)
	    UNION ALL SELECT 4, 'mean_rating', (SELECT mean_rating FROM o)
	    UNION ALL SELECT 5, 'median_rating', (SELECT median_rating FROM o)
	    UNION ALL SELECT 6, 'total_votes', (SELECT total_votes::VARCHAR FROM o)
	    UNION ALL SELECT 7, 'mean_votes', (SELECT mean_votes FROM o)
	    UNION ALL SELECT 8, 'vote_weighted_mean_all', (SELECT vote_weighted_mean_all FROM o)
	    UNION ALL SELECT 9, 'c', (SELECT c FROM o)
	    UNION ALL SELECT 10, 'm', (SELECT m::VARCHAR FROM o)
	    UNION ALL SELECT 11, 'title_types', (SELECT count(*)::VARCHAR FROM k_content_by_type)
	    UNION ALL SELECT 12, 'top_rated_movies', (SELECT count(*)::VARCHAR FROM k_top_rated_movies)
	    UNION ALL SELECT 13, 'top_movie_tconst', (SELECT tconst FROM top1)
	    UNION ALL SELECT 14, 'top_movie_title', (SELECT primary_title FROM top1)
	    UNION ALL SELECT 15, 'top_movie_weighted_rating', (SELECT weighted_rating FROM top1)
	    UNION ALL SELECT 16, 'modal_rating_bucket', (SELECT bucket FROM modal)
	    UNION ALL SELECT 17, 'genres', (SELECT count(*)::VARCHAR FROM k_genre_performance)
	    UNION ALL SELECT 18, 'top_genre', (SELECT genre_name FROM genre1)
	    UNION ALL SELECT 19, 'top_genre_titles', (SELECT titles::VARCHAR FROM genre1)
	    UNION ALL SELECT 20, 'talent_actors', (SELECT count(*)::VARCHAR FROM k_talent_actors)
	    UNION ALL SELECT 21, 'most_prolific_actor', (SELECT nconst FROM actor1)
	    UNION ALL SELECT 22, 'talent_directors', (SELECT count(*)::VARCHAR FROM k_talent_directors)
	    UNION ALL SELECT 23, 'most_prolific_director', (SELECT nconst FROM director1)
	    UNION ALL SELECT 24, 'highest_rated_actor', (SELECT nconst FROM best_actor)
	    UNION ALL SELECT 25, 'peak_decade', (SELECT decade_label FROM peak))
	SELECT kpi, value FROM kv ORDER BY ord`;

async function main() {
	for (const d of ['star', 'kpi', 'logs'])
		mkdirSync(join(opt.out, d), { recursive: true });
	const db = await DuckDBInstance.create(':memory:');
	const con = await db.connect();
	const settings = [`SET threads = ${opt.threads}`];
	if (opt.memoryLimit)
		settings.push(`SET memory_limit = ${q(opt.memoryLimit)}`);
	if (opt.temp)
		settings.push(`SET temp_directory = ${q(opt.temp)}`);
	const steps = [
		...settings.map((s) => ['settings', s]),
		...MACROS.map((s) => ['macros', s]),
		...STAR,
		...KPI,
		...KPI_FILES.map(([name, sql]) => [`${name}.tsv`, tsvOut(sql, 'kpi', name)]),
		['kpi_summary.tsv', tsvOut(SUMMARY, 'kpi', 'kpi_summary')],
	];
	const log = ['step\tseconds'];
	const t0 = process.hrtime.bigint();
	for (const [name, sql] of steps) {
		const t = process.hrtime.bigint();
		try {
			await con.run(sql);
		} catch (e) {
			process.stderr.write(`star.mjs: step '${name}': ${e.message}\n`);
			process.exit(1);
		}
		log.push(`${name}\t${(Number(process.hrtime.bigint() - t) / 1e9).toFixed(2)}`);
	}
	log.push(`total\t${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(2)}`);
	writeFileSync(join(opt.out, 'logs', 'duckdb.log'), log.join('\n') + '\n');
}

await main();
