#!/usr/bin/env bash
# partitioned.sh - the p07 ETL of full.sh with its per-key steps run on N
# hash partitions at once (GNU parallel), then merged back: the star schema
# and the KPI files are byte-identical to full.sh's (tests/partitioned.bats).
#
# What runs where (docs/distributed.md has the same table for Hadoop/Spark):
#   global  extract (one gzip stream is one reader; imdb-cat --unique keeps
#           its exact messages and the sha256 of the file as given), then
#           tsv-split -k tconst into N partitions, the input row number kept
#   per partition (key tconst)
#           ratings/principals/episodes of titles (semi-joins), the title
#           snapshot, scd2-merge, the current titles, the ratings join,
#           fact_cast_crew's keys, the genre bridge, the principals' nconsts
#   merge   dim_title, the bridge and the ratings join by tconst (sort -m:
#           each partition is sorted by tconst already), fact_cast_crew by
#           input row number (sort -m -n), nconsts by sort -m -u
#   global  wrating (C is one number over every movie), dim_person (its
#           inferred members need every partition's nconsts), dim_genre,
#           dim_date, the KPIs (kpi.sh over the merged star schema), evidence
set -euo pipefail
# shellcheck source=pipelines/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<'TXT'
usage: partitioned.sh [-j N] [--data DIR] [--out DIR] [--as-of DATE] [--limit N]
                      [--demo] [--state DIR] [--m VOTES] [--C MEAN] [--no-sqlite]
                      [--no-report] [--sshlogin LOGINS] [--quiet]
TXT
}

run_options 2 "$@"
command -v parallel >/dev/null || die "GNU parallel not found (Debian package 'parallel')"

start_build
P=$S/parts
mkdir -p "$P"
TAB=$(printf '\t')
prepare_inputs 16

# --- extract (global) and partition by tconst ---------------------------------
# split_stage NAME [--number]: stage/NAME.tsv -> parts/NAME.K.tsv
split_stage() {
	tsv-split -k tconst -n "$JOBS" ${2:+--number _row} \
	    --stats "$W/stats/${1}_split.tsv-split.tsv" --prefix "$P/$1" "$S/$1.tsv"
}
extract() {	# extract NAME [imdb-cat options]: DATA/NAME -> stage/NAME.tsv
	local name=$1 step=${1//./_} file
	shift
	file=$(basename "$(input "$name")")
	# from inside DATA, so the evidence names the file, not where it lives
	(cd "$DATA" && imdb-cat --unique "$@" --rejects "$W/rejects/$step.tsv" \
	    --stats "$W/stats/$step.imdb-cat.tsv" -o "$S/$step.tsv" "$file")
}
extract_titles() {
	extract title.basics ${LIMIT:+--limit "$LIMIT"}
	split_stage title_basics
}
extract_ratings() { extract title.ratings; split_stage title_ratings number; }
extract_principals() { extract title.principals; split_stage title_principals number; }
extract_episodes() {
	if [ -n "$(input title.episode)" ]; then
		extract title.episode
	else
		printf 'tconst\tparentTconst\tseasonNumber\tepisodeNumber\n' >"$S/title_episode.tsv"
	fi
	split_stage title_episode
}
previous_titles() {	# the previous dim_title (sorted by tconst), partitioned
	if [ -n "$STATE" ] && [ -f "$STATE/dim_title.tsv" ]; then
		# an empty previous dimension stays an empty file in every partition
		if [ -s "$STATE/dim_title.tsv" ]; then
			tsv-split -k tconst -n "$JOBS" --prefix "$P/dim_title.prev" "$STATE/dim_title.tsv"
			return
		fi
	fi
	local k
	for ((k = 0; k < JOBS; k++)); do : >"$P/dim_title.prev.$k.tsv"; done
}
step "extract title.basics" "$S/title_basics.tsv" "$W/stats/title_basics.imdb-cat.tsv" -- extract_titles
step "extract title.ratings" "$S/title_ratings.tsv" "$W/stats/title_ratings.imdb-cat.tsv" -- extract_ratings
step "extract title.principals" "$S/title_principals.tsv" "$W/stats/title_principals.imdb-cat.tsv" -- extract_principals
extract_names() { extract name.basics; mv "$S/name_basics.tsv" "$S/name_basics.raw.tsv"; }
step "extract name.basics" "$S/name_basics.raw.tsv" "$W/stats/name_basics.imdb-cat.tsv" -- extract_names
step "extract title.episode" "$S/title_episode.tsv" "$W/stats/title_episode.imdb-cat.tsv" -- extract_episodes
previous_titles

# --- per partition --------------------------------------------------------------
# Every function below reads and writes only parts/*.K.* and stats/K/: the
# partitions share nothing, so they run in any order, on any host.
part_belong() {	# part_belong K NAME [ignore]: NAME rows whose tconst is a title
	local k=$1 name=$2 why=(--unmatched "$P/$2.orphans.$1.tsv")
	[ -z "$LIMIT" ] && [ "${3:-}" != ignore ] || why=()
	tsv-join -f "$P/title_basics.$k.tsv" -k tconst "${why[@]}" \
	    --stats "$P/stats/$k/${name}_of_titles.tsv-join.tsv" \
	    -o "$P/$name.in.$k.tsv" "$P/$name.$k.tsv"
}
part_titles() {	# part_titles K: the snapshot, dim_title and the current titles
	local k=$1
	title_snapshot_of "$P/title_basics.$k.tsv" "$P/title_episode.in.$k.tsv" \
	    >"$P/dim_title.snapshot.$k.tsv"
	scd2-merge --as-of "$AS_OF" -k tconst --sk title_sk \
	    --stats "$P/stats/$k/dim_title.scd2-merge.tsv" \
	    -o "$P/dim_title.$k.tsv" "$P/dim_title.prev.$k.tsv" "$P/dim_title.snapshot.$k.tsv"
	current_titles_of "$P/dim_title.$k.tsv" >"$P/title_current.$k.tsv"
}
part_facts() {	# part_facts K: the ratings join, fact_cast_crew, the bridge, nconsts
	local k=$1
	tsv-join -f "$P/title_ratings.in.$k.tsv" -k tconst -a averageRating,numVotes \
	    -o "$P/ratings_joined.$k.tsv" "$P/title_current.$k.tsv"
	cast_crew_of "$P/title_principals.in.$k.tsv" \
	    "$P/stats/$k/fact_cast_crew.surrogate-key.tsv" _row >"$P/fact_cast_crew.$k.tsv"
	genres_of "$P/title_current.$k.tsv" "$P/stats/$k/title_genre_bridge.tsv-split-genres.tsv" \
	    >"$P/bridge_full.$k.tsv"
	reshape nconst <"$P/title_principals.in.$k.tsv" | unique_body >"$P/nconsts.$k.tsv"
}
unique_body() {	# header first, then the distinct rows in byte order
	local header
	IFS= read -r header || return 0
	printf '%s\n' "$header"
	sort -u ${TMPDIR:+-T "$TMPDIR"}
}
partition() {	# partition K: every per-key step of partition K
	mkdir -p "$P/stats/$1"
	part_belong "$1" title_ratings
	part_belong "$1" title_principals
	part_belong "$1" title_episode ignore
	part_titles "$1"
	part_facts "$1"
}
PART_FUNCS=(partition part_belong part_titles part_facts unique_body
	reshape where_eq sorted_body title_snapshot_of snapshot_rows current_titles_of is_lead_table
	cast_crew_of keyed_credits genres_of)
PART_VARS=(P AS_OF LIMIT PATH LC_ALL TMPDIR PRINCIPALS_ORDER)
export -f "${PART_FUNCS[@]}"
export "${PART_VARS[@]}"
run_partitions() {
	local hosts=()
	local name
	# remote hosts need this tree and the build directory at the same paths
	# (a shared file system): only the function definitions travel
	if [ -n "$SSHLOGIN" ]; then
		hosts=(--sshlogin "$SSHLOGIN")
		for name in "${PART_FUNCS[@]}" "${PART_VARS[@]}"; do hosts+=(--env "$name"); done
	fi
	# --halt now,fail=1: the first failed partition stops the others
	seq 0 $((JOBS - 1)) |
	    PARALLEL_SHELL=bash parallel --will-cite --halt now,fail=1 -j "$JOBS" \
	    "${hosts[@]}" partition {}
}
step "partitions x$JOBS" /dev/null "" -- run_partitions

# --- merge ------------------------------------------------------------------------
# merge_sorted NAME SORTKEYS [sort options]: header once, then the partitions'
# bodies merged (each is already in that order)
merge_sorted() {
	local name=$1 keys=$2 k files=()
	shift 2
	for ((k = 0; k < JOBS; k++)); do files+=("$P/$name.$k.body"); done
	for ((k = 0; k < JOBS; k++)); do tail -n +2 "$P/$name.$k.tsv" >"$P/$name.$k.body"; done
	head -n 1 "$P/$name.0.tsv"
	sort -m -t "$TAB" -k "$keys" "$@" "${files[@]}"
	rm -f "${files[@]}"
}
merge_stats() {	# stats/K/NAME -> stats/NAME: counters summed over the partitions
	local f
	for f in "$P"/stats/0/*.tsv; do
		awk -F'\t' -v OFS='\t' '
		FNR == 1 { next }
		!(($1, $2) in v) { order[++n] = $1 SUBSEP $2; v[$1, $2] = $3; next }
		{ if ($3 ~ /^[0-9]+$/) v[$1, $2] += $3 }
		END { print "tool", "metric", "value"
		      for (i = 1; i <= n; i++) { split(order[i], a, SUBSEP); print a[1], a[2], v[order[i]] } }' \
		    "$P"/stats/*/"${f##*/}" >"$W/stats/${f##*/}"
	done
}
merge_orphans() {	# the partitions' orphans in input order, as full.sh's
	local name k files=()
	[ -z "$LIMIT" ] || return 0
	for name in title_ratings title_principals; do
		files=()
		for ((k = 0; k < JOBS; k++)); do files+=("$P/$name.orphans.$k.tsv"); done
		# a row's line in the extract is its _row (the last field) + 1
		{
			head -n 1 "${files[0]}"
			awk -F'\t' -v OFS='\t' 'FNR > 1 { $2 = $NF + 1; NF--; print }' "${files[@]}" |
			    sort -t "$TAB" -k2,2n
		} >"$W/rejects/$name.orphans.tsv"
		trace_orphans "$name"
	done
}
merge_titles() {
	merge_sorted dim_title 1,1 -s >"$W/star/dim_title.tsv"
	merge_sorted bridge_full 1,1 -s >"$S/bridge_full.tsv"
	merge_stats
	merge_orphans
}
step "merge dim_title" "$W/star/dim_title.tsv" "$W/stats/dim_title.scd2-merge.tsv" -- merge_titles

# --- facts: the ratings joined per partition, weighted here (C is global) ---------
# each partition's join is in its current titles' order (by tconst), as
# full.sh's is in dim_title's: merged by tconst
fact_ratings() {
	merge_sorted ratings_joined 1,1 | ratings_fact >"$S/fact_ratings.new.tsv"
	append_ratings "$S/fact_ratings.new.tsv"
}
fact_cast_crew() {	# merged back into input order by _row, then _row dropped
	merge_sorted fact_cast_crew 1,1n | cut -f 2- >"$W/star/fact_cast_crew.tsv"
}
step "fact_ratings" "$W/star/fact_ratings.tsv" "$W/stats/fact_ratings.wrating.tsv" -- fact_ratings
step "fact_cast_crew" "$W/star/fact_cast_crew.tsv" "$W/stats/fact_cast_crew.surrogate-key.tsv" -- fact_cast_crew

# --- dim_person: name.basics, then the inferred members (sorted by nconst) --------
dim_person() {
	merge_sorted nconsts 1,1 -u >"$S/nconsts.tsv"
	if [ -n "$LIMIT" ]; then
		tsv-join -f "$S/nconsts.tsv" -k nconst \
		    --stats "$W/stats/people_of_principals.tsv-join.tsv" -o "$S/name_basics.tsv" \
		    "$S/name_basics.raw.tsv"
	else
		mv "$S/name_basics.raw.tsv" "$S/name_basics.tsv"
	fi
	{
		people_of "$S/name_basics.tsv"
		tsv-join -e -f "$S/name_basics.tsv" -k nconst "$S/nconsts.tsv" | inferred_people
	} >"$W/star/dim_person.tsv"
}
step "dim_person" "$W/star/dim_person.tsv" "" -- dim_person

# --- the bridge and dim_genre (from the merged bridge) ----------------------------
bridge() { bridge_of "$S/bridge_full.tsv" >"$W/star/title_genre_bridge.tsv"; }
step "title_genre_bridge" "$W/star/title_genre_bridge.tsv" "$W/stats/title_genre_bridge.tsv-split-genres.tsv" -- bridge
step "dim_genre" "$W/star/dim_genre.tsv" "" -- dim_genre "$S/bridge_full.tsv"
step "dim_date" "$W/star/dim_date.tsv" "$W/stats/dim_date.dim-date.tsv" -- \
    dim-date -f start_year,end_year --stats "$W/stats/dim_date.dim-date.tsv" \
    -o "$W/star/dim_date.tsv" "$W/star/dim_title.tsv"

# --- KPIs (global aggregations over the merged star schema), evidence, loads -------
s_kpis
finish_run --param "partitions=$JOBS"
