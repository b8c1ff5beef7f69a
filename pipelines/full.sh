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
               [-j JOBS] [--quiet]
TXT
}

DATA=data
OUT=out
AS_OF=
LIMIT=
DEMO=0
STATE=
M=25000
C=auto
SQLITE=1
REPORT=1
STEP_QUIET=0
JOBS=1
ORIG_ARGS=("$@")
DEMO_SCALE=${P07_DEMO_SCALE:-0.002}

while [ $# -gt 0 ]; do
	case $1 in
	--data) DATA=${2:?}; shift ;;
	--out) OUT=${2:?}; shift ;;
	--as-of) AS_OF=${2:?}; shift ;;
	--limit) LIMIT=${2:?}; shift ;;
	--demo) DEMO=1 ;;
	--state) STATE=${2:?}; shift ;;
	--m) M=${2:?}; shift ;;
	--C) C=${2:?}; shift ;;
	--no-sqlite) SQLITE=0 ;;
	--no-report) REPORT=0 ;;
	-j) JOBS=${2:?}; shift ;;
	--quiet) STEP_QUIET=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage_error "unknown option '$1'" ;;
	esac
	shift
done
[ -z "$LIMIT" ] || [[ $LIMIT =~ ^[0-9]+$ ]] || usage_error "--limit: invalid value '$LIMIT' (expected a non-negative integer)"
[ -z "$AS_OF" ] || [[ $AS_OF =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || usage_error "--as-of: invalid date '$AS_OF' (expected YYYY-MM-DD)"
[[ $M =~ ^[0-9]+$ ]] || usage_error "--m: invalid value '$M' (expected a non-negative integer)"
[ "$C" = auto ] || [[ $C =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage_error "--C: invalid value '$C' (expected a decimal number or auto)"
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || usage_error "-j: invalid value '$JOBS' (expected a positive integer)"
export STEP_QUIET
# -j N: the per-key steps run on N tconst partitions (docs/distributed.md)
if [ "$JOBS" -gt 1 ]; then
	exec "$P07_ROOT/pipelines/partitioned.sh" "${ORIG_ARGS[@]}"
fi

start_build
prepare_inputs 19

# --- extract: every input through the ingress gate ---------------------------
extract() {	# extract NAME [imdb-cat options]: DATA/NAME -> stage/NAME.tsv
	local name=$1 step=${1//./_} file
	shift
	file=$(basename "$(input "$name")")
	# from inside DATA, so the evidence names the file, not where it lives
	(cd "$DATA" && imdb-cat --unique "$@" --rejects "$W/rejects/$step.tsv" \
	    --stats "$W/stats/$step.imdb-cat.tsv" -o "$S/$step.raw.tsv" "$file")
}
episode_or_empty() {
	if [ -n "$(input title.episode)" ]; then
		extract title.episode
	else
		printf 'tconst\tparentTconst\tseasonNumber\tepisodeNumber\n' >"$S/title_episode.raw.tsv"
	fi
}
extract_titles() {
	step "extract title.basics" "$S/title_basics.raw.tsv" "$W/stats/title_basics.imdb-cat.tsv" -- \
	    extract title.basics ${LIMIT:+--limit "$LIMIT"}
	mv "$S/title_basics.raw.tsv" "$S/title_basics.tsv"
}
extract_ratings() {
	step "extract title.ratings" "$S/title_ratings.raw.tsv" "$W/stats/title_ratings.imdb-cat.tsv" -- \
	    extract title.ratings
}
extract_principals() {
	step "extract title.principals" "$S/title_principals.raw.tsv" "$W/stats/title_principals.imdb-cat.tsv" -- \
	    extract title.principals
}
extract_names() {
	step "extract name.basics" "$S/name_basics.raw.tsv" "$W/stats/name_basics.imdb-cat.tsv" -- \
	    extract name.basics
}
extract_episodes() {
	step "extract title.episode" "$S/title_episode.raw.tsv" "$W/stats/title_episode.imdb-cat.tsv" -- \
	    episode_or_empty
}
# the largest file in one lane, the four others in the second
lane extract_principals extract_ratings
lane extract_titles extract_names extract_episodes
join_lanes

# --- what belongs to the titles: orphans are rejected, not dropped -----------
belong() {	# belong NAME [ignore]: stage/NAME.raw.tsv rows whose tconst is a title
	local name=$1 why=(--unmatched "$W/rejects/$1.orphans.tsv")
	# with --limit, rows of titles past the limit are not orphans; episodes
	# of titles not in title.basics are ignored (counted as unmatched)
	[ -z "$LIMIT" ] && [ "${2:-}" != ignore ] || why=()
	tsv-join -f "$S/title_basics.tsv" -k tconst "${why[@]}" \
	    --stats "$W/stats/${name}_of_titles.tsv-join.tsv" -o "$S/$name.tsv" "$S/$name.raw.tsv"
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
title_snapshot() {
	tsv-join -f "$S/title_episode.tsv" -k tconst -w \
	    -a parentTconst,seasonNumber,episodeNumber "$S/title_basics.tsv" |
	surrogate-key -k title_key=tconst |
	year_keys |
	reshape 'tconst title_key title_type=titleType primary_title=primaryTitle
	    original_title=originalTitle is_adult=isAdult start_year=startYear
	    end_year=endYear runtime_minutes=runtimeMinutes genres
	    parent_tconst=parentTconst season_number=seasonNumber
	    episode_number=episodeNumber start_year_key end_year_key' |
	sorted_body 1,1 >"$S/dim_title.snapshot.tsv"
}
merge_titles() {
	local prev=$S/dim_title.prev.tsv
	if [ -n "$STATE" ] && [ -f "$STATE/dim_title.tsv" ]; then
		prev=$STATE/dim_title.tsv
	else
		: >"$prev"
	fi
	scd2-merge --as-of "$AS_OF" -k tconst --sk title_sk \
	    --stats "$W/stats/dim_title.scd2-merge.tsv" \
	    -o "$W/star/dim_title.tsv" "$prev" "$S/dim_title.snapshot.tsv"
	where_eq is_current 1 is_deleted 0 <"$W/star/dim_title.tsv" |
	    reshape 'tconst title_key title_sk title_type genres' >"$S/title_current.tsv"
}

# --- facts ---------------------------------------------------------------------
fact_ratings() {
	local ELIGIBLE=
	# C computed from the data: the vote-weighted mean rating of movies
	[ "$C" != auto ] || ELIGIBLE=title_type=movie
	tsv-join -f "$S/title_current.tsv" -k tconst -a title_key,title_sk,title_type \
	    "$S/title_ratings.tsv" |
	wrating -r averageRating -v numVotes -m "$M" -C "$C" \
	    ${ELIGIBLE:+--eligible "$ELIGIBLE"} -n weighted_rating -p 2 \
	    --stats "$W/stats/fact_ratings.wrating.tsv" |
	rating_bucket |
	awk -F'\t' -v OFS='\t' -v d="$AS_OF" 'NR == 1 { print $0, "snapshot_date"; next } { print $0, d }' |
	reshape 'title_key title_sk snapshot_date average_rating=averageRating
	    num_votes=numVotes weighted_rating rating_bucket' >"$S/fact_ratings.new.tsv"
	if [ -n "$STATE" ] && [ -f "$STATE/fact_ratings.tsv" ]; then
		# earlier snapshots stay; a replay of this date replaces its rows
		{ awk -F'\t' -v d="$AS_OF" 'NR == 1 || $3 != d' "$STATE/fact_ratings.tsv"
		  tail -n +2 "$S/fact_ratings.new.tsv"; } >"$W/star/fact_ratings.tsv"
	else
		mv "$S/fact_ratings.new.tsv" "$W/star/fact_ratings.tsv"
	fi
}
fact_cast_crew() {
	# is_lead = ordering <= 3, as a lookup of every spelling imdb-cat lets
	# through (leading zeros too): three C passes instead of an awk
	local w
	{
		printf 'ordering\tis_lead\n'
		for ((w = 1; w <= 18; w++)); do printf '%0*d\t1\n' "$w" 1 "$w" 2 "$w" 3; done
	} >"$S/is_lead.tsv"
	surrogate-key --replace -k title_key=tconst -k person_key=nconst \
	    --stats "$W/stats/fact_cast_crew.surrogate-key.tsv" "$S/title_principals.tsv" |
	tsv-join -f "$S/is_lead.tsv" -k ordering -a is_lead -w --fill 0 |
	reshape 'title_key person_key ordering category job characters is_lead' \
	    >"$W/star/fact_cast_crew.tsv"
}
# --- dim_person, with inferred members for people missing from name.basics ----
dim_person() {
	{
		surrogate-key -k person_key=nconst "$S/name_basics.tsv" |
		awk -F'\t' -v OFS='\t' 'NR == 1 { print $0, "is_inferred"; next } { print $0, 0 }' |
		reshape 'person_key nconst primary_name=primaryName birth_year=birthYear
		    death_year=deathYear primary_profession=primaryProfession
		    known_for_titles=knownForTitles is_inferred'
		tsv-join -e -f "$S/name_basics.tsv" -k nconst "$S/title_principals.tsv" |
		kpi-agg -g nconst count --stats "$W/stats/dim_person_inferred.kpi-agg.tsv" |
		surrogate-key -k person_key=nconst |
		awk -F'\t' -v OFS='\t' 'NR > 1 { print $3, $1, "\\N", "\\N", "\\N", "\\N", "\\N", 1 }'
	} >"$W/star/dim_person.tsv"
}

# --- genres: the bridge and dim_genre ------------------------------------------
bridge() {
	tsv-split-genres -f genres --null-as Unknown --ordinal genre_ordinal \
	    --count genre_count --weight allocation_weight \
	    --stats "$W/stats/title_genre_bridge.tsv-split-genres.tsv" "$S/title_current.tsv" |
	surrogate-key -k genre_key=genres >"$S/bridge_full.tsv"
	awk -F'\t' -v OFS='\t' 'NR == 1 { print $0, "is_primary"; next } { print $0, ($6 == 1 ? 1 : 0) }' \
	    "$S/bridge_full.tsv" |
	reshape 'title_key genre_key genre_ordinal genre_count allocation_weight is_primary' \
	    >"$W/star/title_genre_bridge.tsv"
}


# --- the star schema in two lanes: the credits, and everything else --------------
s_ratings_of_titles() {
	step "ratings of titles" "$S/title_ratings.tsv" "$W/stats/title_ratings_of_titles.tsv-join.tsv" -- \
	    belong title_ratings
}
s_principals_of_titles() {
	step "principals of titles" "$S/title_principals.tsv" "$W/stats/title_principals_of_titles.tsv-join.tsv" -- \
	    belong title_principals
}
s_episodes_of_titles() {
	step "episodes of titles" "$S/title_episode.tsv" "$W/stats/title_episode_of_titles.tsv-join.tsv" -- \
	    belong title_episode ignore
}
s_people_of_principals() {
	step "people of principals" "$S/name_basics.tsv" "$W/stats/people_of_principals.tsv-join.tsv" -- \
	    people_of_principals
}
s_title_snapshot() { step "title snapshot" "$S/dim_title.snapshot.tsv" "" -- title_snapshot; }
s_dim_title() {
	step "dim_title (scd2)" "$W/star/dim_title.tsv" "$W/stats/dim_title.scd2-merge.tsv" -- merge_titles
}
s_fact_ratings() {
	step "fact_ratings" "$W/star/fact_ratings.tsv" "$W/stats/fact_ratings.wrating.tsv" -- fact_ratings
}
s_fact_cast_crew() {
	step "fact_cast_crew" "$W/star/fact_cast_crew.tsv" "$W/stats/fact_cast_crew.surrogate-key.tsv" -- \
	    fact_cast_crew
}
s_dim_person() { step "dim_person" "$W/star/dim_person.tsv" "" -- dim_person; }
s_bridge() {
	step "title_genre_bridge" "$W/star/title_genre_bridge.tsv" \
	    "$W/stats/title_genre_bridge.tsv-split-genres.tsv" -- bridge
}
s_dim_genre() { step "dim_genre" "$W/star/dim_genre.tsv" "" -- dim_genre; }
s_dim_date() {
	step "dim_date" "$W/star/dim_date.tsv" "$W/stats/dim_date.dim-date.tsv" -- \
	    dim-date -f start_year,end_year --stats "$W/stats/dim_date.dim-date.tsv" \
	    -o "$W/star/dim_date.tsv" "$W/star/dim_title.tsv"
}
lane s_principals_of_titles s_fact_cast_crew s_people_of_principals s_dim_person
lane s_ratings_of_titles s_episodes_of_titles s_title_snapshot s_dim_title s_fact_ratings \
    s_bridge s_dim_genre s_dim_date
join_lanes

# --- KPIs, evidence, loads ---------------------------------------------------------
finish_run
