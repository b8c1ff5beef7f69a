-- p07 star schema and KPI views for SQLite (3.40, Debian bookworm).
--
-- The same tables, columns, keys and kpi_* views as sql/schema.sql, whose
-- comments (and sql/kpi-columns.md) define every KPI column; the views here
-- must return the same rows, printed the same way, as PostgreSQL's.
--
-- Re-runnable: tables and indexes are IF NOT EXISTS; views are dropped and
-- created again, so re-applying the file also installs changed views.
--
-- Loading (pipelines/load-sqlite.sh): SQLite has no NULL marker for
-- .import, and the CHECK constraints below refuse a literal `\N` in a flag
-- column, so import each TSV file into a staging table of TEXT columns
-- (`.mode ascii`, `.separator "\t" "\n"`, `.import --skip 1`: ascii mode
-- does no quote processing, so `"` in titles is data) and copy it with
-- `INSERT INTO t SELECT nullif(c1, '\N'), ...`.  Foreign keys are checked
-- only under `PRAGMA foreign_keys = ON`; they are DEFERRABLE INITIALLY
-- DEFERRED as in PostgreSQL.
--
-- Numbers.  SQLite has no exact decimal type: REAL columns hold the nearest
-- binary double, and round()/printf('%.2f') work on that double, so a mean
-- of exactly 6.925 (stored as 6.92499999...) would print 6.92 where
-- PostgreSQL's numeric round() prints 6.93.  The views therefore never
-- round a REAL.  Every rating is taken as an integer R*10 (exact: ratings
-- have one decimal), sums are integer sums (SQLite raises an error on
-- int64 overflow instead of wrapping), and a ratio num/den is rounded half
-- away from zero to d decimals in integer arithmetic,
--     h = (num * 2 * 10^d + den) / (2 * den)      (integer division)
-- and printed as h/10^d "." last d digits of h.  All values are >= 0, and
-- x/0 is NULL in SQLite, so an empty group prints as NULL like PostgreSQL's.
-- Only two REAL comparisons remain: highest_rated_actors orders by the
-- exact mean as a double sum/count (one correctly rounded division, so
-- equal fractions give equal doubles and different ones, with the small
-- denominators here, different doubles), and stored WR/ratings are read
-- back through round(x * 100) or printf('%.1f'/'%.2f') of a value that
-- was written with that many decimals (exact).
--
-- Note the `||` operator binds tighter than `/`: (h / 100) || '.' ...

-- ---------------------------------------------------------------- dimensions

CREATE TABLE IF NOT EXISTS dim_date (
    date_key       INTEGER  NOT NULL PRIMARY KEY,
    year           INTEGER,
    decade         INTEGER,
    decade_label   TEXT     NOT NULL,
    century        INTEGER,
    century_label  TEXT     NOT NULL,
    era_label      TEXT     NOT NULL,
    date_type      TEXT     NOT NULL
);

CREATE TABLE IF NOT EXISTS dim_genre (
    genre_key    TEXT     NOT NULL PRIMARY KEY,
    genre_name   TEXT     NOT NULL UNIQUE,
    genre_id     INTEGER  NOT NULL,
    is_standard  INTEGER  NOT NULL CHECK (is_standard IN (0, 1))
);

CREATE TABLE IF NOT EXISTS dim_person (
    person_key          TEXT     NOT NULL PRIMARY KEY,
    nconst              TEXT     NOT NULL UNIQUE,
    primary_name        TEXT,
    birth_year          INTEGER,
    death_year          INTEGER,
    primary_profession  TEXT,
    known_for_titles    TEXT,
    is_inferred         INTEGER  NOT NULL CHECK (is_inferred IN (0, 1))
);

CREATE TABLE IF NOT EXISTS dim_title (
    tconst           TEXT     NOT NULL,
    title_sk         TEXT     NOT NULL PRIMARY KEY,
    title_key        TEXT     NOT NULL,
    title_type       TEXT,
    primary_title    TEXT,
    original_title   TEXT,
    is_adult         INTEGER  CHECK (is_adult IN (0, 1)),
    start_year       INTEGER,
    end_year         INTEGER,
    runtime_minutes  INTEGER,
    genres           TEXT,
    parent_tconst    TEXT,
    season_number    INTEGER,
    episode_number   INTEGER,
    start_year_key   INTEGER  REFERENCES dim_date (date_key)
                              DEFERRABLE INITIALLY DEFERRED,
    end_year_key     INTEGER  REFERENCES dim_date (date_key)
                              DEFERRABLE INITIALLY DEFERRED,
    row_hash         TEXT     NOT NULL,
    valid_from       TEXT     NOT NULL,   -- YYYY-MM-DD
    valid_to         TEXT     NOT NULL,   -- YYYY-MM-DD, 9999-12-31 if open
    is_current       INTEGER  NOT NULL CHECK (is_current IN (0, 1)),
    is_deleted       INTEGER  NOT NULL CHECK (is_deleted IN (0, 1)),
    version          INTEGER  NOT NULL CHECK (version >= 1),
    UNIQUE (tconst, valid_from),
    UNIQUE (title_key, title_sk),
    CHECK (valid_from < valid_to)
);
CREATE UNIQUE INDEX IF NOT EXISTS dim_title_one_current
    ON dim_title (title_key) WHERE is_current = 1;
CREATE INDEX IF NOT EXISTS dim_title_start_year_key ON dim_title (start_year_key);

-- --------------------------------------------------------------------- facts
-- title_key is the durable key, not unique in dim_title: see schema.sql.

CREATE TABLE IF NOT EXISTS fact_ratings (
    title_key        TEXT     NOT NULL,
    title_sk         TEXT     NOT NULL,
    snapshot_date    TEXT     NOT NULL,   -- YYYY-MM-DD
    average_rating   REAL     NOT NULL,
    num_votes        INTEGER  NOT NULL CHECK (num_votes >= 0),
    weighted_rating  REAL,
    rating_bucket    TEXT,
    PRIMARY KEY (title_key, snapshot_date),
    FOREIGN KEY (title_key, title_sk) REFERENCES dim_title (title_key, title_sk)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX IF NOT EXISTS fact_ratings_snapshot_date ON fact_ratings (snapshot_date);
CREATE INDEX IF NOT EXISTS fact_ratings_title_sk ON fact_ratings (title_sk);

CREATE TABLE IF NOT EXISTS fact_cast_crew (
    title_key   TEXT     NOT NULL,
    person_key  TEXT     NOT NULL REFERENCES dim_person (person_key)
                         DEFERRABLE INITIALLY DEFERRED,
    ordering    INTEGER  NOT NULL,
    category    TEXT     NOT NULL,
    job         TEXT,
    characters  TEXT,
    is_lead     INTEGER  NOT NULL CHECK (is_lead IN (0, 1)),
    PRIMARY KEY (title_key, ordering)
);
CREATE INDEX IF NOT EXISTS fact_cast_crew_person_key ON fact_cast_crew (person_key);
CREATE INDEX IF NOT EXISTS fact_cast_crew_category ON fact_cast_crew (category);

CREATE TABLE IF NOT EXISTS title_genre_bridge (
    title_key          TEXT     NOT NULL,
    genre_key          TEXT     NOT NULL REFERENCES dim_genre (genre_key)
                                DEFERRABLE INITIALLY DEFERRED,
    genre_ordinal      INTEGER  NOT NULL CHECK (genre_ordinal >= 1),
    genre_count        INTEGER  NOT NULL CHECK (genre_count >= 1),
    allocation_weight  REAL     NOT NULL,  -- 6 decimals in the TSV
    is_primary         INTEGER  NOT NULL CHECK (is_primary IN (0, 1)),
    PRIMARY KEY (title_key, genre_key)
);
CREATE INDEX IF NOT EXISTS title_genre_bridge_genre_key ON title_genre_bridge (genre_key);

CREATE TABLE IF NOT EXISTS run_parameters (
    m      INTEGER  NOT NULL CHECK (m >= 0),
    c      REAL,
    as_of  TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS run_parameters_one_row ON run_parameters ((1));

-- ------------------------------------------------------------- helper views
-- Dropped dependants first, so that the file can be re-applied.

DROP VIEW IF EXISTS kpi_summary;
DROP VIEW IF EXISTS kpi_trends_by_year;
DROP VIEW IF EXISTS kpi_trends_by_decade;
DROP VIEW IF EXISTS kpi_highest_rated_actors;
DROP VIEW IF EXISTS kpi_talent_directors;
DROP VIEW IF EXISTS kpi_talent_actors;
DROP VIEW IF EXISTS kpi_genre_performance;
DROP VIEW IF EXISTS kpi_rating_distribution;
DROP VIEW IF EXISTS kpi_top_rated_by_type;
DROP VIEW IF EXISTS kpi_top_rated_movies;
DROP VIEW IF EXISTS kpi_content_by_type;
DROP VIEW IF EXISTS kpi_content_overall;
DROP VIEW IF EXISTS title_trend_base;
DROP VIEW IF EXISTS talent_stats;
DROP VIEW IF EXISTS talent_title;
DROP VIEW IF EXISTS rating_bucket_def;
DROP VIEW IF EXISTS rated_title_latest;
DROP VIEW IF EXISTS dim_title_current;

CREATE VIEW dim_title_current AS
SELECT tconst, title_sk, title_key, title_type, primary_title, original_title,
       is_adult, start_year, end_year, runtime_minutes, genres, parent_tconst,
       season_number, episode_number, start_year_key, end_year_key, row_hash,
       valid_from, valid_to, is_current, is_deleted, version
FROM dim_title
WHERE is_current = 1 AND is_deleted = 0;

-- As in schema.sql, plus r10 = rating * 10 and wr100 = WR * 100 as integers.
CREATE VIEW rated_title_latest AS
SELECT t.title_key, t.tconst, t.title_type, t.primary_title, t.start_year,
       t.start_year_key, f.snapshot_date, f.average_rating, f.num_votes,
       f.weighted_rating,
       CAST(round(f.average_rating * 10) AS INTEGER)   AS r10,
       CAST(round(f.weighted_rating * 100) AS INTEGER) AS wr100
FROM dim_title_current t
JOIN fact_ratings f ON f.title_key = t.title_key
WHERE f.snapshot_date = (SELECT max(snapshot_date) FROM fact_ratings);

-- Bucket edges as rating * 10.
CREATE VIEW rating_bucket_def (bucket_ord, bucket, lo10, hi10) AS
VALUES (1, '(0,2]',   0,  20),
       (2, '(2,4]',  20,  40),
       (3, '(4,5]',  40,  50),
       (4, '(5,6]',  50,  60),
       (5, '(6,7]',  60,  70),
       (6, '(7,8]',  70,  80),
       (7, '(8,9]',  80,  90),
       (8, '(9,10]', 90, 100);

CREATE VIEW talent_title AS
SELECT DISTINCT
       c.person_key,
       CASE WHEN c.category IN ('actor', 'actress') THEN 'actor'
            ELSE 'director' END AS role,
       c.title_key
FROM fact_cast_crew c
JOIN dim_title_current t ON t.title_key = c.title_key
WHERE c.category IN ('actor', 'actress', 'director');

-- Integer sums instead of a mean: sum_r10 / (10 * rated_titles).
CREATE VIEW talent_stats AS
SELECT tt.role, p.nconst, p.primary_name,
       count(*)                       AS titles,
       count(r.title_key)             AS rated_titles,
       sum(r.r10)                     AS sum_r10,
       coalesce(sum(r.num_votes), 0)  AS total_votes,
       min(t.start_year)              AS first_year,
       max(t.start_year)              AS last_year
FROM talent_title tt
JOIN dim_person p ON p.person_key = tt.person_key
JOIN dim_title_current t ON t.title_key = tt.title_key
LEFT JOIN rated_title_latest r ON r.title_key = tt.title_key
GROUP BY tt.role, p.person_key, p.nconst, p.primary_name;

CREATE VIEW title_trend_base AS
SELECT t.title_key, d.decade, d.year, r.title_key AS rated_key,
       r.r10, r.num_votes
FROM dim_title_current t
LEFT JOIN dim_date d ON d.date_key = t.start_year_key AND d.date_type = 'year'
LEFT JOIN rated_title_latest r ON r.title_key = t.title_key;

-- ----------------------------------------------------------------- KPI views
-- Columns, orders and rounding: see schema.sql and sql/kpi-columns.md.
-- In each view the CTE computes the rounded value h as an integer, the
-- final SELECT prints it.

CREATE VIEW kpi_content_overall AS
WITH ranked AS (
    SELECT r10, row_number() OVER (ORDER BY r10) AS rn,
           count(*) OVER () AS cnt
    FROM rated_title_latest
), med AS (
    -- 20 * median: the middle value twice, or the two middle values.
    SELECT CASE WHEN max(cnt) % 2 = 1 THEN 2 * sum(r10) ELSE sum(r10) END AS m20
    FROM ranked WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2)
), agg AS (
    SELECT count(*) AS n, sum(r10) AS s10, sum(num_votes) AS sv,
           sum(r10 * num_votes) AS srv
    FROM rated_title_latest
), movie AS (
    SELECT sum(r10 * num_votes) AS srv, sum(num_votes) AS sv
    FROM rated_title_latest
    WHERE title_type = 'movie' AND num_votes > 0
), h AS (
    SELECT agg.n,
           coalesce(agg.sv, 0)                                     AS total_votes,
           (agg.s10 * 200 + 10 * agg.n) / (20 * agg.n)             AS mean_h,
           med.m20 * 5                                             AS median_h,
           (agg.sv * 200 + agg.n) / (2 * agg.n)                    AS votes_h,
           (agg.srv * 200 + 10 * agg.sv) / (20 * agg.sv)           AS vwm_h,
           (movie.srv * 20000 + 10 * movie.sv) / (20 * movie.sv)   AS c_h
    FROM agg, med, movie
)
SELECT (SELECT count(*) FROM dim_title_current)                    AS titles,
       n                                                           AS rated_titles,
       (mean_h / 100) || '.' || substr('00' || (mean_h % 100), -2)     AS mean_rating,
       (median_h / 100) || '.' || substr('00' || (median_h % 100), -2) AS median_rating,
       total_votes,
       (votes_h / 100) || '.' || substr('00' || (votes_h % 100), -2)   AS mean_votes,
       (vwm_h / 100) || '.' || substr('00' || (vwm_h % 100), -2)       AS vote_weighted_mean_all,
       (c_h / 10000) || '.' || substr('0000' || (c_h % 10000), -4)     AS c,
       (SELECT m FROM run_parameters)                              AS m
FROM h;

CREATE VIEW kpi_content_by_type AS
WITH ranked AS (
    SELECT title_type, r10,
           row_number() OVER (PARTITION BY title_type ORDER BY r10) AS rn,
           count(*) OVER (PARTITION BY title_type) AS cnt
    FROM rated_title_latest
), med AS (
    SELECT title_type,
           CASE WHEN max(cnt) % 2 = 1 THEN 2 * sum(r10) ELSE sum(r10) END AS m20
    FROM ranked WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2)
    GROUP BY title_type
), agg AS (
    SELECT t.title_type,
           count(*)            AS titles,
           count(r.title_key)  AS n,
           sum(r.r10)          AS s10,
           sum(r.num_votes)    AS sv
    FROM dim_title_current t
    LEFT JOIN rated_title_latest r ON r.title_key = t.title_key
    GROUP BY t.title_type
), h AS (
    SELECT agg.title_type, agg.titles, agg.n,
           coalesce(agg.sv, 0)                          AS total_votes,
           (agg.s10 * 200 + 10 * agg.n) / (20 * agg.n)  AS mean_h,
           med.m20 * 5                                  AS median_h,
           (agg.sv * 200 + agg.n) / (2 * agg.n)         AS votes_h
    FROM agg LEFT JOIN med ON med.title_type IS agg.title_type
)
SELECT title_type, titles, n AS rated_titles,
       (mean_h / 100) || '.' || substr('00' || (mean_h % 100), -2)     AS mean_rating,
       (median_h / 100) || '.' || substr('00' || (median_h % 100), -2) AS median_rating,
       total_votes,
       (votes_h / 100) || '.' || substr('00' || (votes_h % 100), -2)   AS mean_votes
FROM h
ORDER BY title_type NULLS LAST;

CREATE VIEW kpi_top_rated_movies AS
SELECT row_number() OVER (ORDER BY wr100 DESC, num_votes DESC, tconst) AS rank,
       tconst, primary_title, start_year,
       printf('%.1f', average_rating)  AS average_rating,
       num_votes,
       printf('%.2f', weighted_rating) AS weighted_rating
FROM rated_title_latest
WHERE title_type = 'movie'
  AND weighted_rating IS NOT NULL
  AND num_votes >= (SELECT m FROM run_parameters)
ORDER BY rank
LIMIT 250;

CREATE VIEW kpi_top_rated_by_type AS
SELECT title_type, rank, tconst, primary_title, start_year,
       printf('%.1f', average_rating)  AS average_rating,
       num_votes,
       printf('%.2f', weighted_rating) AS weighted_rating
FROM (
    SELECT r.*,
           row_number() OVER (PARTITION BY title_type
                              ORDER BY wr100 DESC, num_votes DESC, tconst) AS rank
    FROM rated_title_latest r
    WHERE weighted_rating IS NOT NULL
)
WHERE rank <= 10
ORDER BY title_type NULLS LAST, rank;

CREATE VIEW kpi_rating_distribution AS
WITH bucketed AS (
    SELECT r.title_type, coalesce(b.bucket, 'out_of_range') AS bucket
    FROM rated_title_latest r
    LEFT JOIN rating_bucket_def b ON r.r10 > b.lo10 AND r.r10 <= b.hi10
), scoped AS (
    SELECT 'ALL' AS scope, bucket FROM bucketed
    UNION ALL
    SELECT title_type, bucket FROM bucketed
), scopes AS (
    SELECT 0 AS scope_ord, 'ALL' AS scope
    UNION ALL
    SELECT DISTINCT 1, title_type FROM bucketed
), grid AS (
    SELECT s.scope_ord, s.scope, b.bucket_ord, b.bucket
    FROM scopes s CROSS JOIN rating_bucket_def b
    UNION ALL
    SELECT DISTINCT s.scope_ord, s.scope, 9, 'out_of_range'
    FROM scopes s JOIN scoped x ON x.scope = s.scope AND x.bucket = 'out_of_range'
), counts AS (
    SELECT scope, bucket, count(*) AS titles FROM scoped GROUP BY scope, bucket
), totals AS (
    SELECT scope, count(*) AS titles FROM scoped GROUP BY scope
), h AS (
    SELECT g.scope_ord, g.scope, g.bucket_ord, g.bucket,
           coalesce(c.titles, 0) AS titles,
           (coalesce(c.titles, 0) * 20000 + t.titles) / (2 * t.titles) AS share_h
    FROM grid g
    LEFT JOIN counts c ON c.scope = g.scope AND c.bucket = g.bucket
    LEFT JOIN totals t ON t.scope = g.scope
)
SELECT scope AS title_type, bucket, titles,
       (share_h / 10000) || '.' || substr('0000' || (share_h % 10000), -4) AS share
FROM h
ORDER BY scope_ord, scope, bucket_ord;

CREATE VIEW kpi_genre_performance AS
WITH agg AS (
    SELECT g.genre_name,
           count(*)               AS titles,
           count(r.title_key)     AS n,
           sum(r.r10)             AS s10,
           sum(r.num_votes)       AS sv,
           sum(r.r10 * r.num_votes) AS srv,
           sum(CAST(round(b.allocation_weight * 1000000) AS INTEGER)) AS w6
    FROM title_genre_bridge b
    JOIN dim_title_current t ON t.title_key = b.title_key
    JOIN dim_genre g ON g.genre_key = b.genre_key
    LEFT JOIN rated_title_latest r ON r.title_key = b.title_key
    GROUP BY g.genre_key, g.genre_name
), h AS (
    SELECT genre_name, titles, n,
           coalesce(sv, 0)                       AS total_votes,
           (s10 * 200 + 10 * n) / (20 * n)       AS mean_h,
           (srv * 200 + 10 * sv) / (20 * sv)     AS vwr_h,
           (w6 * 20000 + 1000000) / 2000000      AS alloc_h
    FROM agg
)
SELECT genre_name, titles, n AS rated_titles,
       (mean_h / 100) || '.' || substr('00' || (mean_h % 100), -2)        AS mean_rating,
       total_votes,
       (vwr_h / 100) || '.' || substr('00' || (vwr_h % 100), -2)          AS vote_weighted_rating,
       (alloc_h / 10000) || '.' || substr('0000' || (alloc_h % 10000), -4) AS allocated_titles
FROM h
ORDER BY titles DESC, genre_name;

CREATE VIEW kpi_talent_actors AS
WITH h AS (
    SELECT *, (sum_r10 * 200 + 10 * rated_titles) / (20 * rated_titles) AS mean_h
    FROM talent_stats
    WHERE role = 'actor' AND titles >= 5
)
SELECT nconst, primary_name, titles, rated_titles,
       (mean_h / 100) || '.' || substr('00' || (mean_h % 100), -2) AS mean_rating,
       total_votes, first_year, last_year, last_year - first_year AS career_span
FROM h
ORDER BY titles DESC, nconst;

CREATE VIEW kpi_talent_directors AS
WITH h AS (
    SELECT *, (sum_r10 * 200 + 10 * rated_titles) / (20 * rated_titles) AS mean_h
    FROM talent_stats
    WHERE role = 'director' AND titles >= 3
)
SELECT nconst, primary_name, titles, rated_titles,
       (mean_h / 100) || '.' || substr('00' || (mean_h % 100), -2) AS mean_rating,
       total_votes, first_year, last_year, last_year - first_year AS career_span
FROM h
ORDER BY titles DESC, nconst;

CREATE VIEW kpi_highest_rated_actors AS
WITH h AS (
    SELECT *, (sum_r10 * 200 + 10 * rated_titles) / (20 * rated_titles) AS mean_h,
           CAST(sum_r10 AS REAL) / rated_titles AS mean_order
    FROM talent_stats
    WHERE role = 'actor' AND titles >= 10 AND rated_titles >= 1
)
SELECT row_number() OVER (ORDER BY mean_order DESC, titles DESC, nconst) AS rank,
       nconst, primary_name, titles, rated_titles,
       (mean_h / 100) || '.' || substr('00' || (mean_h % 100), -2) AS mean_rating,
       total_votes, first_year, last_year, last_year - first_year AS career_span
FROM h
ORDER BY rank;

CREATE VIEW kpi_trends_by_decade AS
WITH decades AS (
    SELECT DISTINCT decade, decade_label
    FROM dim_date WHERE date_type = 'year'
), per AS (
    SELECT decade,
           count(*)          AS titles,
           count(rated_key)  AS n,
           sum(r10)          AS s10,
           sum(num_votes)    AS sv
    FROM title_trend_base
    GROUP BY decade
), rows_ AS (
    SELECT 0 AS ord, d.decade, d.decade_label, p.titles, p.n, p.s10, p.sv
    FROM decades d LEFT JOIN per p ON p.decade = d.decade
    UNION ALL
    SELECT 1, NULL, 'Unknown', p.titles, p.n, p.s10, p.sv
    FROM (SELECT 1) one LEFT JOIN per p ON p.decade IS NULL
), h AS (
    SELECT ord, decade, decade_label,
           coalesce(titles, 0)                AS titles,
           coalesce(n, 0)                     AS rated_titles,
           (s10 * 200 + 10 * n) / (20 * n)    AS mean_h,
           (sv * 200 + n) / (2 * n)           AS votes_h,
           coalesce(sv, 0)                    AS total_votes
    FROM rows_
)
SELECT decade, decade_label, titles, rated_titles,
       (mean_h / 100) || '.' || substr('00' || (mean_h % 100), -2)   AS mean_rating,
       (votes_h / 100) || '.' || substr('00' || (votes_h % 100), -2) AS mean_votes,
       total_votes
FROM h
ORDER BY ord, decade;

CREATE VIEW kpi_trends_by_year AS
WITH years AS (
    SELECT year FROM dim_date
    WHERE date_type = 'year'
      AND year >= (SELECT max(year) - 14 FROM dim_date WHERE date_type = 'year')
), per AS (
    SELECT year,
           count(*)          AS titles,
           count(rated_key)  AS n,
           sum(r10)          AS s10,
           sum(num_votes)    AS sv
    FROM title_trend_base
    WHERE year IS NOT NULL
    GROUP BY year
), h AS (
    SELECT y.year,
           coalesce(p.titles, 0)                    AS titles,
           coalesce(p.n, 0)                         AS rated_titles,
           (p.s10 * 200 + 10 * p.n) / (20 * p.n)    AS mean_h,
           (p.sv * 200 + p.n) / (2 * p.n)           AS votes_h,
           coalesce(p.sv, 0)                        AS total_votes
    FROM years y LEFT JOIN per p ON p.year = y.year
)
SELECT year, titles, rated_titles,
       (mean_h / 100) || '.' || substr('00' || (mean_h % 100), -2)   AS mean_rating,
       (votes_h / 100) || '.' || substr('00' || (votes_h % 100), -2) AS mean_votes,
       total_votes
FROM h
ORDER BY year;

CREATE VIEW kpi_summary AS
WITH o AS (SELECT * FROM kpi_content_overall),
top1 AS (SELECT * FROM kpi_top_rated_movies WHERE rank = 1),
genre1 AS (SELECT * FROM kpi_genre_performance
           ORDER BY titles DESC, genre_name LIMIT 1),
actor1 AS (SELECT * FROM kpi_talent_actors
           ORDER BY titles DESC, nconst LIMIT 1),
director1 AS (SELECT * FROM kpi_talent_directors
              ORDER BY titles DESC, nconst LIMIT 1),
best_actor AS (SELECT * FROM kpi_highest_rated_actors WHERE rank = 1),
modal_bucket AS (
    SELECT k.bucket FROM kpi_rating_distribution k
    JOIN rating_bucket_def d ON d.bucket = k.bucket
    WHERE k.title_type = 'ALL' AND k.titles > 0
    ORDER BY k.titles DESC, d.bucket_ord
    LIMIT 1
),
peak_decade AS (
    SELECT decade_label FROM kpi_trends_by_decade
    WHERE decade IS NOT NULL AND titles > 0
    ORDER BY titles DESC, decade LIMIT 1
),
kv (ord, kpi, value) AS (
    SELECT  1, 'snapshot_date', (SELECT max(snapshot_date) FROM fact_ratings)
    UNION ALL SELECT  2, 'titles', (SELECT CAST(titles AS TEXT) FROM o)
    UNION ALL SELECT  3, 'rated_titles', (SELECT CAST(rated_titles AS TEXT) FROM o)
    UNION ALL SELECT  4, 'mean_rating', (SELECT mean_rating FROM o)
    UNION ALL SELECT  5, 'median_rating', (SELECT median_rating FROM o)
    UNION ALL SELECT  6, 'total_votes', (SELECT CAST(total_votes AS TEXT) FROM o)
    UNION ALL SELECT  7, 'mean_votes', (SELECT mean_votes FROM o)
    UNION ALL SELECT  8, 'vote_weighted_mean_all', (SELECT vote_weighted_mean_all FROM o)
    UNION ALL SELECT  9, 'c', (SELECT c FROM o)
    UNION ALL SELECT 10, 'm', (SELECT CAST(m AS TEXT) FROM o)
    UNION ALL SELECT 11, 'title_types', (SELECT CAST(count(*) AS TEXT) FROM kpi_content_by_type)
    UNION ALL SELECT 12, 'top_rated_movies', (SELECT CAST(count(*) AS TEXT) FROM kpi_top_rated_movies)
    UNION ALL SELECT 13, 'top_movie_tconst', (SELECT tconst FROM top1)
    UNION ALL SELECT 14, 'top_movie_title', (SELECT primary_title FROM top1)
    UNION ALL SELECT 15, 'top_movie_weighted_rating', (SELECT weighted_rating FROM top1)
    UNION ALL SELECT 16, 'modal_rating_bucket', (SELECT bucket FROM modal_bucket)
    UNION ALL SELECT 17, 'genres', (SELECT CAST(count(*) AS TEXT) FROM kpi_genre_performance)
    UNION ALL SELECT 18, 'top_genre', (SELECT genre_name FROM genre1)
    UNION ALL SELECT 19, 'top_genre_titles', (SELECT CAST(titles AS TEXT) FROM genre1)
    UNION ALL SELECT 20, 'talent_actors', (SELECT CAST(count(*) AS TEXT) FROM kpi_talent_actors)
    UNION ALL SELECT 21, 'most_prolific_actor', (SELECT nconst FROM actor1)
    UNION ALL SELECT 22, 'talent_directors', (SELECT CAST(count(*) AS TEXT) FROM kpi_talent_directors)
    UNION ALL SELECT 23, 'most_prolific_director', (SELECT nconst FROM director1)
    UNION ALL SELECT 24, 'highest_rated_actor', (SELECT nconst FROM best_actor)
    UNION ALL SELECT 25, 'peak_decade', (SELECT decade_label FROM peak_decade)
)
SELECT kpi, value FROM kv ORDER BY ord;
