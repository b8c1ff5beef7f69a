-- p07 star schema and KPI views for PostgreSQL 15.
--
-- The tables hold the TSV files of OUT/star/ column for column (DESIGN.md §4);
-- the kpi_* views are the specification of the files of OUT/kpi/ (§5): the
-- pipeline's KPI files must equal `SELECT * FROM kpi_...` row for row and
-- byte for byte (with NULL printed as \N).  Column lists, row orders and
-- rounding of every view are listed in sql/kpi-columns.md.
--
-- Re-runnable: every statement is IF NOT EXISTS or OR REPLACE, so applying
-- this file to a loaded database changes nothing.  A view whose column list
-- changes in a later version cannot be replaced in place (PostgreSQL refuses
-- to drop or rename view columns); drop it by hand first.
--
-- Loading (pipelines/load-postgres.sh): COPY each file with
--   (FORMAT csv, DELIMITER E'\t', NULL '\N', QUOTE E'\x01', HEADER)
-- in one transaction.  The foreign keys are DEFERRABLE INITIALLY DEFERRED so
-- the tables may be loaded in any order inside that transaction; emptying
-- the schema needs one TRUNCATE naming every table (or CASCADE).  The loader
-- also fills the one row of run_parameters.
--
-- Byte order: the DESIGN orders text by bytes (LC_ALL=C), so every ORDER BY
-- on text says COLLATE "C", whatever the database's default collation is.
--
-- Numbers: means, medians and vote-weighted ratings are round(x, 2), shares,
-- C and allocated titles round(x, 4), computed on numeric, where round()
-- rounds half away from zero on the exact value.

-- ---------------------------------------------------------------- dimensions

-- Year grain: date_key is the year, plus -1 (Unknown) and -2 (Not applicable).
CREATE TABLE IF NOT EXISTS dim_date (
    date_key       integer  NOT NULL PRIMARY KEY,
    year           integer,
    decade         integer,
    decade_label   text     NOT NULL,
    century        integer,
    century_label  text     NOT NULL,
    era_label      text     NOT NULL,
    date_type      text     NOT NULL
);

CREATE TABLE IF NOT EXISTS dim_genre (
    genre_key    char(32)  NOT NULL PRIMARY KEY,
    genre_name   text      NOT NULL UNIQUE,
    genre_id     integer   NOT NULL,
    is_standard  smallint  NOT NULL CHECK (is_standard IN (0, 1))
);

-- Type 1: one row per person; inferred members have only nconst.
CREATE TABLE IF NOT EXISTS dim_person (
    person_key          char(32)  NOT NULL PRIMARY KEY,
    nconst              text      NOT NULL UNIQUE,
    primary_name        text,
    birth_year          integer,
    death_year          integer,
    primary_profession  text,
    known_for_titles    text,
    is_inferred         smallint  NOT NULL CHECK (is_inferred IN (0, 1))
);

-- SCD type 2: one row per title version.  title_key is the durable key
-- (the same in every version), title_sk the version key.  Attributes are
-- nullable because a tombstone (is_deleted = 1) need not carry them.
CREATE TABLE IF NOT EXISTS dim_title (
    tconst           text      NOT NULL,
    title_sk         char(32)  NOT NULL PRIMARY KEY,
    title_key        char(32)  NOT NULL,
    title_type       text,
    primary_title    text,
    original_title   text,
    is_adult         smallint  CHECK (is_adult IN (0, 1)),
    start_year       integer,
    end_year         integer,
    runtime_minutes  integer,
    genres           text,
    parent_tconst    text,
    season_number    integer,
    episode_number   integer,
    start_year_key   integer   REFERENCES dim_date (date_key)
                               DEFERRABLE INITIALLY DEFERRED,
    end_year_key     integer   REFERENCES dim_date (date_key)
                               DEFERRABLE INITIALLY DEFERRED,
    row_hash         char(32)  NOT NULL,
    valid_from       date      NOT NULL,
    valid_to         date      NOT NULL,
    is_current       smallint  NOT NULL CHECK (is_current IN (0, 1)),
    is_deleted       smallint  NOT NULL CHECK (is_deleted IN (0, 1)),
    version          integer   NOT NULL CHECK (version >= 1),
    UNIQUE (tconst, valid_from),
    -- Target of the facts' composite foreign key: a fact's (title_key,
    -- title_sk) must name a version of that very title.
    UNIQUE (title_key, title_sk),
    CHECK (valid_from < valid_to)
);

-- The SCD2 invariant "exactly one current row per key", as far as an index
-- can say it (at most one; "at least one" is a gate).
CREATE UNIQUE INDEX IF NOT EXISTS dim_title_one_current
    ON dim_title (title_key) WHERE is_current = 1;
CREATE INDEX IF NOT EXISTS dim_title_start_year_key ON dim_title (start_year_key);

-- --------------------------------------------------------------------- facts
--
-- Facts carry the durable title_key.  It cannot be a foreign key to
-- dim_title: a durable key is unique only among current rows, and a partial
-- unique index is no foreign-key target.  fact_ratings also carries the
-- version key title_sk, so it gets the exact constraint (title_key, title_sk)
-- -> dim_title; for fact_cast_crew and title_genre_bridge "title_key
-- resolves to a current title" is left to the fk gates of evidence/gates.tsv,
-- which count orphans instead of refusing the whole load.

-- Periodic snapshot: one row per rated title per snapshot date.
CREATE TABLE IF NOT EXISTS fact_ratings (
    title_key        char(32)      NOT NULL,
    title_sk         char(32)      NOT NULL,
    snapshot_date    date          NOT NULL,
    average_rating   numeric(3,1)  NOT NULL,
    num_votes        bigint        NOT NULL CHECK (num_votes >= 0),
    weighted_rating  numeric(4,2),
    rating_bucket    text,
    PRIMARY KEY (title_key, snapshot_date),
    FOREIGN KEY (title_key, title_sk) REFERENCES dim_title (title_key, title_sk)
        DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX IF NOT EXISTS fact_ratings_snapshot_date ON fact_ratings (snapshot_date);
CREATE INDEX IF NOT EXISTS fact_ratings_title_sk ON fact_ratings (title_sk);

-- One row per title.principals row.
CREATE TABLE IF NOT EXISTS fact_cast_crew (
    title_key   char(32)  NOT NULL,
    person_key  char(32)  NOT NULL REFERENCES dim_person (person_key)
                          DEFERRABLE INITIALLY DEFERRED,
    ordering    integer   NOT NULL,
    category    text      NOT NULL,
    job         text,
    characters  text,
    is_lead     smallint  NOT NULL CHECK (is_lead IN (0, 1)),
    PRIMARY KEY (title_key, ordering)
);
CREATE INDEX IF NOT EXISTS fact_cast_crew_person_key ON fact_cast_crew (person_key);
CREATE INDEX IF NOT EXISTS fact_cast_crew_category ON fact_cast_crew (category);

-- Many-to-many title <-> genre; allocation_weight = 1/genre_count, printed
-- with 6 decimals.
CREATE TABLE IF NOT EXISTS title_genre_bridge (
    title_key          char(32)      NOT NULL,
    genre_key          char(32)      NOT NULL REFERENCES dim_genre (genre_key)
                                     DEFERRABLE INITIALLY DEFERRED,
    genre_ordinal      integer       NOT NULL CHECK (genre_ordinal >= 1),
    genre_count        integer       NOT NULL CHECK (genre_count >= 1),
    allocation_weight  numeric(7,6)  NOT NULL,
    is_primary         smallint      NOT NULL CHECK (is_primary IN (0, 1)),
    PRIMARY KEY (title_key, genre_key)
);
CREATE INDEX IF NOT EXISTS title_genre_bridge_genre_key ON title_genre_bridge (genre_key);

-- The run's parameters, one row, written by the loader: m (minimum votes of
-- the Top 250 and the m of WR), c (the C that wrating used; the KPI views
-- recompute C from the facts and report that one, so the two can be
-- compared), as_of (the run date).
CREATE TABLE IF NOT EXISTS run_parameters (
    m      integer  NOT NULL CHECK (m >= 0),
    c      numeric,
    as_of  date
);
CREATE UNIQUE INDEX IF NOT EXISTS run_parameters_one_row ON run_parameters ((true));

-- ------------------------------------------------------------- helper views

-- The title as it is today: current and not deleted.
CREATE OR REPLACE VIEW dim_title_current AS
SELECT tconst, title_sk, title_key, title_type, primary_title, original_title,
       is_adult, start_year, end_year, runtime_minutes, genres, parent_tconst,
       season_number, episode_number, start_year_key, end_year_key, row_hash,
       valid_from, valid_to, is_current, is_deleted, version
FROM dim_title
WHERE is_current = 1 AND is_deleted = 0;

-- Rated titles: current titles with their rating of the latest snapshot
-- date in fact_ratings.  A title with 0 votes is rated (its WR is NULL).
CREATE OR REPLACE VIEW rated_title_latest AS
SELECT t.title_key, t.tconst, t.title_type, t.primary_title, t.start_year,
       t.start_year_key, f.snapshot_date, f.average_rating, f.num_votes,
       f.weighted_rating
FROM dim_title_current t
JOIN fact_ratings f ON f.title_key = t.title_key
WHERE f.snapshot_date = (SELECT max(snapshot_date) FROM fact_ratings);

-- The eight right-closed rating buckets, in report order.
CREATE OR REPLACE VIEW rating_bucket_def AS
SELECT * FROM (VALUES
    (1, '(0,2]',  0.0,  2.0),
    (2, '(2,4]',  2.0,  4.0),
    (3, '(4,5]',  4.0,  5.0),
    (4, '(5,6]',  5.0,  6.0),
    (5, '(6,7]',  6.0,  7.0),
    (6, '(7,8]',  7.0,  8.0),
    (7, '(8,9]',  8.0,  9.0),
    (8, '(9,10]', 9.0, 10.0)
) AS b (bucket_ord, bucket, lo, hi);

-- One row per person, role and current title credited in that role
-- (actor and actress are one role); a person credited twice on a title
-- counts once.
CREATE OR REPLACE VIEW talent_title AS
SELECT DISTINCT
       c.person_key,
       CASE WHEN c.category IN ('actor', 'actress') THEN 'actor'
            ELSE 'director' END AS role,
       c.title_key
FROM fact_cast_crew c
JOIN dim_title_current t ON t.title_key = c.title_key
WHERE c.category IN ('actor', 'actress', 'director');

-- Per person and role, unrounded: the talent KPIs filter and format this.
CREATE OR REPLACE VIEW talent_stats AS
SELECT tt.role, p.nconst, p.primary_name,
       count(*)                       AS titles,
       count(r.title_key)             AS rated_titles,
       avg(r.average_rating)          AS mean_rating_exact,
       coalesce(sum(r.num_votes), 0)  AS total_votes,
       min(t.start_year)              AS first_year,
       max(t.start_year)              AS last_year
FROM talent_title tt
JOIN dim_person p ON p.person_key = tt.person_key
JOIN dim_title_current t ON t.title_key = tt.title_key
LEFT JOIN rated_title_latest r ON r.title_key = tt.title_key
GROUP BY tt.role, p.person_key, p.nconst, p.primary_name;

-- Per current title: its start decade or year from dim_date (NULL when the
-- start year is unknown) and its latest rating; the trends KPIs group this.
CREATE OR REPLACE VIEW title_trend_base AS
SELECT t.title_key, d.decade, d.year, r.title_key AS rated_key,
       r.average_rating, r.num_votes
FROM dim_title_current t
LEFT JOIN dim_date d ON d.date_key = t.start_year_key AND d.date_type = 'year'
LEFT JOIN rated_title_latest r ON r.title_key = t.title_key;

-- ----------------------------------------------------------------- KPI views

-- content_overall.tsv -- one row:
--   titles                  current titles
--   rated_titles            of them, rated in the latest snapshot
--   mean_rating             mean average_rating, 2 decimals
--   median_rating           percentile_cont(0.5) of average_rating, 2 decimals
--   total_votes             sum of num_votes
--   mean_votes              total_votes / rated_titles, 2 decimals
--   vote_weighted_mean_all  sum(R*v) / sum(v) over all rated titles, 2 decimals
--   c                       sum(R*v) / sum(v) over rated movies with v > 0,
--                           4 decimals (the C of WR, recomputed)
--   m                       run_parameters.m
-- The median is taken over R*10 (integers, so percentile_cont's double
-- arithmetic is exact) and divided by 10 in numeric.
CREATE OR REPLACE VIEW kpi_content_overall AS
SELECT
    (SELECT count(*) FROM dim_title_current)                          AS titles,
    count(*)                                                          AS rated_titles,
    round(avg(r.average_rating), 2)                                   AS mean_rating,
    round((percentile_cont(0.5) WITHIN GROUP
           (ORDER BY r.average_rating * 10))::numeric / 10, 2)        AS median_rating,
    coalesce(sum(r.num_votes), 0)                                     AS total_votes,
    round(sum(r.num_votes)::numeric / nullif(count(*), 0), 2)         AS mean_votes,
    round(sum(r.average_rating * r.num_votes)
          / nullif(sum(r.num_votes), 0), 2)                           AS vote_weighted_mean_all,
    (SELECT round(sum(average_rating * num_votes) / nullif(sum(num_votes), 0), 4)
     FROM rated_title_latest
     WHERE title_type = 'movie' AND num_votes > 0)                    AS c,
    (SELECT m FROM run_parameters)                                    AS m
FROM rated_title_latest r;

-- content_by_type.tsv -- one row per title_type of the current titles,
-- byte order:
--   title_type, titles, rated_titles, mean_rating, median_rating,
--   total_votes, mean_votes
-- (as content_overall; a type without rated titles has NULL means).
CREATE OR REPLACE VIEW kpi_content_by_type AS
SELECT t.title_type,
       count(*)                                                       AS titles,
       count(r.title_key)                                             AS rated_titles,
       round(avg(r.average_rating), 2)                                AS mean_rating,
       round((percentile_cont(0.5) WITHIN GROUP
              (ORDER BY r.average_rating * 10))::numeric / 10, 2)     AS median_rating,
       coalesce(sum(r.num_votes), 0)                                  AS total_votes,
       round(sum(r.num_votes)::numeric / nullif(count(r.title_key), 0), 2) AS mean_votes
FROM dim_title_current t
LEFT JOIN rated_title_latest r ON r.title_key = t.title_key
GROUP BY t.title_type
ORDER BY t.title_type COLLATE "C" NULLS LAST;

-- top_rated_movies.tsv -- at most 250 rows, rank 1..:
--   rank, tconst, primary_title, start_year, average_rating, num_votes,
--   weighted_rating
-- Current movies rated in the latest snapshot with num_votes >= m, ordered
-- by the stored weighted_rating desc, num_votes desc, tconst asc (bytes).
CREATE OR REPLACE VIEW kpi_top_rated_movies AS
SELECT row_number() OVER w AS rank,
       tconst, primary_title, start_year, average_rating, num_votes,
       weighted_rating
FROM rated_title_latest
WHERE title_type = 'movie'
  AND weighted_rating IS NOT NULL
  AND num_votes >= (SELECT m FROM run_parameters)
WINDOW w AS (ORDER BY weighted_rating DESC, num_votes DESC, tconst COLLATE "C")
ORDER BY rank
LIMIT 250;

-- top_rated_by_type.tsv -- up to 10 rows per title_type:
--   title_type, rank, tconst, primary_title, start_year, average_rating,
--   num_votes, weighted_rating
-- No vote floor; titles with NULL WR (0 votes) are not ranked.  Order:
-- title_type (bytes), rank.
CREATE OR REPLACE VIEW kpi_top_rated_by_type AS
SELECT title_type, rank, tconst, primary_title, start_year, average_rating,
       num_votes, weighted_rating
FROM (
    SELECT r.*,
           row_number() OVER (PARTITION BY title_type
                              ORDER BY weighted_rating DESC, num_votes DESC,
                                       tconst COLLATE "C") AS rank
    FROM rated_title_latest r
    WHERE weighted_rating IS NOT NULL
) ranked
WHERE rank <= 10
ORDER BY title_type COLLATE "C" NULLS LAST, rank;

-- rating_distribution.tsv:
--   title_type, bucket, titles, share
-- Rated titles by bucket of average_rating.  Scope ALL first, then every
-- title_type that has rated titles (bytes); within a scope the eight
-- buckets in rating order, zeros shown, then `out_of_range` only when the
-- scope has such titles.  share = titles / rated titles of the scope,
-- 4 decimals.
CREATE OR REPLACE VIEW kpi_rating_distribution AS
WITH bucketed AS (
    SELECT r.title_type, coalesce(b.bucket, 'out_of_range') AS bucket
    FROM rated_title_latest r
    LEFT JOIN rating_bucket_def b
           ON r.average_rating > b.lo AND r.average_rating <= b.hi
), scoped AS (
    SELECT 'ALL'::text AS scope, bucket FROM bucketed
    UNION ALL
    SELECT title_type, bucket FROM bucketed
), scopes AS (
    SELECT 0 AS scope_ord, 'ALL'::text AS scope
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
)
SELECT g.scope AS title_type,
       g.bucket,
       coalesce(c.titles, 0) AS titles,
       round(coalesce(c.titles, 0)::numeric / nullif(t.titles, 0), 4) AS share
FROM grid g
LEFT JOIN counts c ON c.scope = g.scope AND c.bucket = g.bucket
LEFT JOIN totals t ON t.scope = g.scope
ORDER BY g.scope_ord, g.scope COLLATE "C", g.bucket_ord;

-- genre_performance.tsv -- one row per genre with at least one current
-- title:
--   genre_name, titles, rated_titles, mean_rating, total_votes,
--   vote_weighted_rating, allocated_titles
-- vote_weighted_rating = sum(R*v)/sum(v), 2 decimals (NULL when no votes);
-- allocated_titles = sum of the stored allocation_weight, 4 decimals.
-- Order: titles desc, genre_name (bytes).
CREATE OR REPLACE VIEW kpi_genre_performance AS
SELECT g.genre_name,
       count(*)                                                      AS titles,
       count(r.title_key)                                            AS rated_titles,
       round(avg(r.average_rating), 2)                               AS mean_rating,
       coalesce(sum(r.num_votes), 0)                                 AS total_votes,
       round(sum(r.average_rating * r.num_votes)
             / nullif(sum(r.num_votes), 0), 2)                       AS vote_weighted_rating,
       round(sum(b.allocation_weight), 4)                            AS allocated_titles
FROM title_genre_bridge b
JOIN dim_title_current t ON t.title_key = b.title_key
JOIN dim_genre g ON g.genre_key = b.genre_key
LEFT JOIN rated_title_latest r ON r.title_key = b.title_key
GROUP BY g.genre_key, g.genre_name
ORDER BY titles DESC, g.genre_name COLLATE "C";

-- talent_actors.tsv, talent_directors.tsv:
--   nconst, primary_name, titles, rated_titles, mean_rating, total_votes,
--   first_year, last_year, career_span
-- titles = distinct current titles credited as actor/actress (director);
-- mean_rating over the rated ones, 2 decimals; first/last_year = min/max
-- start_year of those titles (unknown years ignored); career_span =
-- last_year - first_year.  Actors with >= 5 titles, directors >= 3,
-- inferred people included (primary_name NULL).  Order: titles desc,
-- nconst (bytes).
CREATE OR REPLACE VIEW kpi_talent_actors AS
SELECT nconst, primary_name, titles, rated_titles,
       round(mean_rating_exact, 2) AS mean_rating, total_votes,
       first_year, last_year, last_year - first_year AS career_span
FROM talent_stats
WHERE role = 'actor' AND titles >= 5
ORDER BY titles DESC, nconst COLLATE "C";

CREATE OR REPLACE VIEW kpi_talent_directors AS
SELECT nconst, primary_name, titles, rated_titles,
       round(mean_rating_exact, 2) AS mean_rating, total_votes,
       first_year, last_year, last_year - first_year AS career_span
FROM talent_stats
WHERE role = 'director' AND titles >= 3
ORDER BY titles DESC, nconst COLLATE "C";

-- highest_rated_actors.tsv:
--   rank, nconst, primary_name, titles, rated_titles, mean_rating,
--   total_votes, first_year, last_year, career_span
-- Actors with >= 10 titles and >= 1 rated, ordered by the exact
-- (unrounded) mean desc, titles desc, nconst (bytes); rank = row number.
CREATE OR REPLACE VIEW kpi_highest_rated_actors AS
SELECT row_number() OVER w AS rank,
       nconst, primary_name, titles, rated_titles,
       round(mean_rating_exact, 2) AS mean_rating, total_votes,
       first_year, last_year, last_year - first_year AS career_span
FROM talent_stats
WHERE role = 'actor' AND titles >= 10 AND rated_titles >= 1
WINDOW w AS (ORDER BY mean_rating_exact DESC, titles DESC, nconst COLLATE "C")
ORDER BY rank;

-- trends_by_decade.tsv:
--   decade, decade_label, titles, rated_titles, mean_rating, mean_votes,
--   total_votes
-- One row per decade of dim_date (year rows), ascending, decades without
-- titles as zeros (means NULL), then one `Unknown` row (decade NULL) for
-- current titles whose start year is unknown.  mean_votes = total_votes /
-- rated_titles, 2 decimals.
CREATE OR REPLACE VIEW kpi_trends_by_decade AS
WITH decades AS (
    SELECT DISTINCT decade, decade_label
    FROM dim_date WHERE date_type = 'year'
), per AS (
    SELECT decade,
           count(*)               AS titles,
           count(rated_key)       AS rated_titles,
           avg(average_rating)    AS mean_rating,
           sum(num_votes)         AS total_votes
    FROM title_trend_base
    GROUP BY decade
), rows_ AS (
    SELECT 0 AS ord, d.decade, d.decade_label, p.titles, p.rated_titles,
           p.mean_rating, p.total_votes
    FROM decades d LEFT JOIN per p ON p.decade = d.decade
    UNION ALL
    SELECT 1, NULL, 'Unknown', p.titles, p.rated_titles, p.mean_rating,
           p.total_votes
    FROM (SELECT 1) one LEFT JOIN per p ON p.decade IS NULL
)
SELECT decade, decade_label,
       coalesce(titles, 0)                                            AS titles,
       coalesce(rated_titles, 0)                                      AS rated_titles,
       round(mean_rating, 2)                                          AS mean_rating,
       round(total_votes::numeric / nullif(rated_titles, 0), 2)       AS mean_votes,
       coalesce(total_votes, 0)                                       AS total_votes
FROM rows_
ORDER BY ord, decade;

-- trends_by_year.tsv:
--   year, titles, rated_titles, mean_rating, mean_votes, total_votes
-- The latest year of dim_date and the 14 before it (those that dim_date
-- has), ascending, years without titles as zeros (means NULL).
CREATE OR REPLACE VIEW kpi_trends_by_year AS
WITH years AS (
    SELECT year FROM dim_date
    WHERE date_type = 'year'
      AND year >= (SELECT max(year) - 14 FROM dim_date WHERE date_type = 'year')
), per AS (
    SELECT year,
           count(*)               AS titles,
           count(rated_key)       AS rated_titles,
           avg(average_rating)    AS mean_rating,
           sum(num_votes)         AS total_votes
    FROM title_trend_base
    WHERE year IS NOT NULL
    GROUP BY year
)
SELECT y.year,
       coalesce(p.titles, 0)                                          AS titles,
       coalesce(p.rated_titles, 0)                                    AS rated_titles,
       round(p.mean_rating, 2)                                        AS mean_rating,
       round(p.total_votes::numeric / nullif(p.rated_titles, 0), 2)   AS mean_votes,
       coalesce(p.total_votes, 0)                                     AS total_votes
FROM years y
LEFT JOIN per p ON p.year = y.year
ORDER BY y.year;

-- kpi_summary.tsv -- `kpi value`, the headline numbers, all text, in the
-- order below.  Values are the other views' values as they print (NULL
-- stays NULL); `top_*` and `most_*` take the first row of their view.
CREATE OR REPLACE VIEW kpi_summary AS
WITH o AS (SELECT * FROM kpi_content_overall),
top1 AS (SELECT * FROM kpi_top_rated_movies WHERE rank = 1),
genre1 AS (SELECT * FROM kpi_genre_performance
           ORDER BY titles DESC, genre_name COLLATE "C" LIMIT 1),
actor1 AS (SELECT * FROM kpi_talent_actors
           ORDER BY titles DESC, nconst COLLATE "C" LIMIT 1),
director1 AS (SELECT * FROM kpi_talent_directors
              ORDER BY titles DESC, nconst COLLATE "C" LIMIT 1),
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
    SELECT  1, 'snapshot_date', (SELECT max(snapshot_date)::text FROM fact_ratings)
    UNION ALL SELECT  2, 'titles', (SELECT titles::text FROM o)
    UNION ALL SELECT  3, 'rated_titles', (SELECT rated_titles::text FROM o)
    UNION ALL SELECT  4, 'mean_rating', (SELECT mean_rating::text FROM o)
    UNION ALL SELECT  5, 'median_rating', (SELECT median_rating::text FROM o)
    UNION ALL SELECT  6, 'total_votes', (SELECT total_votes::text FROM o)
    UNION ALL SELECT  7, 'mean_votes', (SELECT mean_votes::text FROM o)
    UNION ALL SELECT  8, 'vote_weighted_mean_all', (SELECT vote_weighted_mean_all::text FROM o)
    UNION ALL SELECT  9, 'c', (SELECT c::text FROM o)
    UNION ALL SELECT 10, 'm', (SELECT m::text FROM o)
    UNION ALL SELECT 11, 'title_types', (SELECT count(*)::text FROM kpi_content_by_type)
    UNION ALL SELECT 12, 'top_rated_movies', (SELECT count(*)::text FROM kpi_top_rated_movies)
    UNION ALL SELECT 13, 'top_movie_tconst', (SELECT tconst FROM top1)
    UNION ALL SELECT 14, 'top_movie_title', (SELECT primary_title FROM top1)
    UNION ALL SELECT 15, 'top_movie_weighted_rating', (SELECT weighted_rating::text FROM top1)
    UNION ALL SELECT 16, 'modal_rating_bucket', (SELECT bucket FROM modal_bucket)
    UNION ALL SELECT 17, 'genres', (SELECT count(*)::text FROM kpi_genre_performance)
    UNION ALL SELECT 18, 'top_genre', (SELECT genre_name FROM genre1)
    UNION ALL SELECT 19, 'top_genre_titles', (SELECT titles::text FROM genre1)
    UNION ALL SELECT 20, 'talent_actors', (SELECT count(*)::text FROM kpi_talent_actors)
    UNION ALL SELECT 21, 'most_prolific_actor', (SELECT nconst FROM actor1)
    UNION ALL SELECT 22, 'talent_directors', (SELECT count(*)::text FROM kpi_talent_directors)
    UNION ALL SELECT 23, 'most_prolific_director', (SELECT nconst FROM director1)
    UNION ALL SELECT 24, 'highest_rated_actor', (SELECT nconst FROM best_actor)
    UNION ALL SELECT 25, 'peak_decade', (SELECT decade_label FROM peak_decade)
)
SELECT kpi, value FROM kv ORDER BY ord;
