#!/usr/bin/env bash
# full.sh - the p07 ETL: IMDb files -> star schema -> KPIs -> evidence ->
# SQLite (and an HTML report).  Everything is built in a temporary directory
# beside OUT and renamed into place only when every step and every
# error-severity gate passed; a failed or killed run leaves OUT as it was.
set -euo pipefail
# shellcheck source=pipelines/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<'TXT'
usage: full.sh [--data DIR] [--out DIR] [--as-of DATE] [--limit N] [--demo]
               [--state DIR] [--m VOTES] [--C MEAN] [--no-sqlite] [--no-report]
               [-j JOBS [--sshlogin LOGINS]] [--quiet]
TXT
}

run_options 1 "$@"
# -j N: the per-key steps run on N tconst partitions (docs/distributed.md)
if [ "$JOBS" -gt 1 ]; then
	exec "$P07_ROOT/pipelines/partitioned.sh" "$@"
fi
[ -z "$SSHLOGIN" ] || usage_error "--sshlogin: needs -j N with N > 1"

start_build
prepare_inputs 17

# drop FILE...: a stage file no later step reads goes now, not at the end.
# At full IMDb size the stage held ~12 GB beside the 15 GB star: more than
# a 24 GB machine caches, so that every page written had first to be
# reclaimed from another file (dropping them: 30 s and 55 CPU s less of
# about 240 and 450, bench/RESULTS.md).  That was measured with the memory
# free; with it in use (bench/run.sh --warm) one run each showed no gain,
# but dropping still keeps the stage off the disk beside the star.
drop() { rm -f "$@"; }

# --- extract: every input through the ingress gate ---------------------------
extract() {	# extract NAME [imdb-cat options]: DATA/NAME -> stage/NAME.raw.tsv
	# (or EXTRACT_TO: - for stdout)
	local name=$1 step=${1//./_} file
	shift
	file=$(basename "$(input "$name")")
	# from inside DATA, so the evidence names the file, not where it lives
	(cd "$DATA" && imdb-cat --unique "$@" --rejects "$W/rejects/$step.tsv" \
	    --stats "$W/stats/$step.imdb-cat.tsv" -o "${EXTRACT_TO:-$S/$step.raw.tsv}" "$file")
}
episode_or_empty() {
	if [ -n "$(input title.episode)" ]; then
		extract title.episode
	else
		printf 'tconst\tparentTconst\tseasonNumber\tepisodeNumber\n' >"$S/title_episode.raw.tsv"
	fi
}
# extract_step NAME OUTPUT [WRITER] COMMAND...: the step "extract NAME" (its
# rows those of OUTPUT, written by imdb-cat or the tool of WRITER's stats),
# then NAME's READY mark: the extract is whole
extract_step() {
	local name=$1 out=$2 stats=$W/stats/${1//./_}.imdb-cat.tsv writer
	shift 2
	writer=$stats
	if [ "$1" = --writer ]; then
		writer=$2
		shift 2
	fi
	step "extract $name" "$out" "$stats" "$writer" -- "$@"
	: >"$READY/${name//./_}"
}
extract_titles() {
	EXTRACT_TO=$S/title_basics.tsv extract_step title.basics "$S/title_basics.tsv" \
	    extract title.basics ${LIMIT:+--limit "$LIMIT"}
}
extract_ratings() { extract_step title.ratings "$S/title_ratings.raw.tsv" extract title.ratings; }
# The largest file goes straight from the ingress gate into its orphan
# check, so that its 4.5 GB (at full IMDb size) are written once, not twice.
# When the extract fails (a damaged file), its message says why: the join
# after it would only add that its input ended in the middle of a row.  When
# the join fails (a full disk), the extract only died of the closed pipe.
principals_of_titles() {
	local st
	set +e
	EXTRACT_TO=- extract title.principals -f "$PRINCIPALS_ORDER" |
	    belong title_principals - 2>"$S/title_principals.join.err"
	st=("${PIPESTATUS[@]}")
	set -e
	if [ "${st[0]}" -ne 0 ] && [ "${st[0]}" -ne 141 ]; then
		return "${st[0]}"
	fi
	cat "$S/title_principals.join.err" >&2
	[ "${st[1]}" -eq 0 ] || return "${st[1]}"
	[ "${st[0]}" -eq 0 ] || return "${st[0]}"
	trace_orphans title_principals "$PRINCIPALS_ORDER"
}
extract_principals() {
	extract_step title.principals "$S/title_principals.tsv" \
	    --writer "$W/stats/title_principals_of_titles.tsv-join.tsv" principals_of_titles
}
extract_names() { extract_step name.basics "$S/name_basics.raw.tsv" extract name.basics; }
extract_episodes() { extract_step title.episode "$S/title_episode.raw.tsv" episode_or_empty; }
# A damaged input stops the run, and its extract alone says why: the credits
# lane goes on only when the other lane's extracts are whole (they are done
# long before title.principals is), and the other lane runs its transforms
# beside the credits' extract but starts the KPIs only when title.principals
# was whole; each stops quietly, the failed extract having said why.
credits_inputs() { ready -q name_basics title_episode title_ratings; }
principals_input() { ready -q title_principals; }
# title.basics' last readers are the orphan checks (the credits' in this lane)
# and the title snapshot (dim_title comes right after it, in the other lane)
titles_read() { ready -q dim_title; drop "$S/title_basics.tsv"; }
# --- what belongs to the titles: orphans are rejected, not dropped -----------
belong() {	# belong NAME [-|ignore]: stage/NAME.raw.tsv (or stdin) rows whose tconst is a title
	local name=$1 in=$S/$1.raw.tsv why=(--unmatched "$W/rejects/$1.orphans.tsv")
	[ "${2:-}" != - ] || in=-
	# with --limit, rows of titles past the limit are not orphans; episodes
	# of titles not in title.basics are ignored (counted as unmatched)
	[ -z "$LIMIT" ] && [ "${2:-}" != ignore ] || why=()
	ready -q title_basics
	tsv-join -f "$S/title_basics.tsv" -k tconst "${why[@]}" \
	    --stats "$W/stats/${name}_of_titles.tsv-join.tsv" -o "$S/$name.tsv" "$in"
	# from stdin, the caller traces the orphans when the extract feeding
	# it has ended (its rejects are whole only then)
	[ "$in" != - ] || return 0
	drop "$in"
	trace_orphans "$name"
}
people_of_principals() {
	if [ -n "$LIMIT" ]; then
		tsv-join -f "$S/title_principals.tsv" -k nconst \
		    --stats "$W/stats/people_of_principals.tsv-join.tsv" -o "$S/name_basics.tsv" \
		    "$S/name_basics.raw.tsv"
	else
		mv "$S/name_basics.raw.tsv" "$S/name_basics.tsv"
	fi
}

# --- dim_title (SCD type 2) ----------------------------------------------------
# The snapshot streams into the merge: as a file (1.6 GB at full IMDb size)
# it was written only to be read once.
merge_titles() {
	local prev=$S/dim_title.prev.tsv
	if [ -n "$STATE" ] && [ -f "$STATE/dim_title.tsv" ]; then
		prev=$STATE/dim_title.tsv
	else
		: >"$prev"
	fi
	title_snapshot_of "$S/title_basics.tsv" "$S/title_episode.tsv" |
	scd2-merge --as-of "$AS_OF" -k tconst --sk title_sk \
	    --stats "$W/stats/dim_title.scd2-merge.tsv" \
	    -o "$W/star/dim_title.tsv" "$prev" -
	drop "$S/title_episode.tsv"
	current_titles_of "$W/star/dim_title.tsv" >"$S/title_current.tsv"
}

# --- facts ---------------------------------------------------------------------
# the ratings are the join's table and the current titles stream past it:
# a 1.6 M-key table instead of 12.3 M (at full IMDb size), and the rows
# come in dim_title's order (by tconst)
fact_ratings() {
	tsv-join -f "$S/title_ratings.tsv" -k tconst -a averageRating,numVotes \
	    "$S/title_current.tsv" | ratings_fact >"$S/fact_ratings.new.tsv"
	drop "$S/title_ratings.tsv"
	append_ratings "$S/fact_ratings.new.tsv"
}
fact_cast_crew() {
	cast_crew_of "$S/title_principals.tsv" "$W/stats/fact_cast_crew.surrogate-key.tsv" \
	    >"$W/star/fact_cast_crew.tsv"
}

# --- dim_person, with inferred members for people missing from name.basics ----
dim_person() {
	local inferred
	# the named people and the inferred ones side by side: neither needs the
	# other, and the inferred rows (few) follow the named ones
	tsv-join -e -f "$S/name_basics.tsv" -k nconst "$S/title_principals.tsv" |
	kpi-agg -g nconst count --stats "$W/stats/dim_person_inferred.kpi-agg.tsv" |
	inferred_people >"$S/dim_person.inferred.tsv" &
	inferred=$!
	people_of "$S/name_basics.tsv" >"$W/star/dim_person.tsv"
	wait "$inferred"
	cat "$S/dim_person.inferred.tsv" >>"$W/star/dim_person.tsv"
	drop "$S/title_principals.tsv" "$S/name_basics.tsv"
}

# --- genres: the bridge and dim_genre ------------------------------------------
# The bridge's rows go straight into their columns: dim_genre splits the
# distinct genre lists of the titles again (thousands of rows) instead of
# reading the bridge's 20 M (3 GB at full IMDb size, written only for it).
bridge() {
	genres_of "$S/title_current.tsv" "$W/stats/title_genre_bridge.tsv-split-genres.tsv" |
	bridge_of /dev/stdin >"$W/star/title_genre_bridge.tsv"
}

# --- the star schema in two lanes: the credits, and everything else --------------
# Where a step's STATS are those of the tool that wrote its OUTPUT, they
# are its WRITER too (step: the rows out without counting them again).
s_ratings_of_titles() {
	local sf=$W/stats/title_ratings_of_titles.tsv-join.tsv
	step "ratings of titles" "$S/title_ratings.tsv" "$sf" "$sf" -- belong title_ratings
}
s_episodes_of_titles() {
	local sf=$W/stats/title_episode_of_titles.tsv-join.tsv
	step "episodes of titles" "$S/title_episode.tsv" "$sf" "$sf" -- belong title_episode ignore
}
s_people_of_principals() {
	local writer=$W/stats/name_basics.imdb-cat.tsv	# the file moved whole
	[ -z "$LIMIT" ] || writer=$W/stats/people_of_principals.tsv-join.tsv
	step "people of principals" "$S/name_basics.tsv" "$W/stats/people_of_principals.tsv-join.tsv" \
	    "$writer" -- people_of_principals
}
s_dim_title() {
	local sf=$W/stats/dim_title.scd2-merge.tsv
	step "dim_title (scd2)" "$W/star/dim_title.tsv" "$sf" "$sf" -- merge_titles
}
s_fact_ratings() {
	step "fact_ratings" "$W/star/fact_ratings.tsv" "$W/stats/fact_ratings.wrating.tsv" -- fact_ratings
}
s_fact_cast_crew() {
	# a row out of surrogate-key is a row of the table (the is_lead join keeps all)
	local sf=$W/stats/fact_cast_crew.surrogate-key.tsv
	step "fact_cast_crew" "$W/star/fact_cast_crew.tsv" "$sf" "$sf" -- fact_cast_crew
}
s_dim_person() { step "dim_person" "$W/star/dim_person.tsv" "" -- dim_person; }
s_bridge() {
	local sf=$W/stats/title_genre_bridge.tsv-split-genres.tsv
	step "title_genre_bridge" "$W/star/title_genre_bridge.tsv" "$sf" "$sf" -- bridge
}
s_dim_genre() {
	step "dim_genre" "$W/star/dim_genre.tsv" "" -- dim_genre "$S/title_current.tsv"
	drop "$S/title_current.tsv"
}
s_dim_date() {
	step "dim_date" "$W/star/dim_date.tsv" "$W/stats/dim_date.dim-date.tsv" -- \
	    dim-date -f start_year,end_year --stats "$W/stats/dim_date.dim-date.tsv" \
	    -o "$W/star/dim_date.tsv" "$W/star/dim_title.tsv"
}
# Two lanes from the start: the credits (title.basics first: the others'
# orphan checks wait for it), and everything else.  The KPIs follow in the
# second lane: they wait for the tables of the first (fact_cast_crew,
# dim_person) only where they read them (kpi.sh --ready).
lane extract_titles extract_principals credits_inputs s_fact_cast_crew titles_read \
    s_people_of_principals s_dim_person
lane extract_names extract_episodes extract_ratings s_ratings_of_titles s_episodes_of_titles \
    s_dim_title s_fact_ratings s_bridge s_dim_genre s_dim_date principals_input s_kpis
join_lanes

# --- evidence, loads ---------------------------------------------------------------
finish_run
