#!/usr/bin/env bash
# kpi.sh - the KPI files of DESIGN §5 from a star schema directory, with the
# column lists, orders and rounding of sql/kpi-columns.md: each file equals
# the matching view of sql/schema.sql over the loaded schema.
# Usage: kpi.sh --star DIR --out DIR --m VOTES [--as-of DATE] [--ready DIR]
# --ready DIR: a star table T may still be in the making until DIR/T exists
# (pipelines/lib.sh, ready): each part waits for the tables it reads.
set -euo pipefail
# shellcheck source=pipelines/lib.sh
. "$(dirname "$0")/lib.sh"

STAR=
KPI=
M=
while [ $# -gt 0 ]; do
	case $1 in
	--star) STAR=${2:?}; shift ;;
	--out) KPI=${2:?}; shift ;;
	--m) M=${2:?}; shift ;;
	--as-of) shift ;;	# accepted for symmetry; the facts carry their dates
	--ready) READY=${2:?}; shift ;;
	-h|--help) echo "usage: kpi.sh --star DIR --out DIR --m VOTES [--as-of DATE] [--ready DIR]"; exit 0 ;;
	*) usage_error "unknown option '$1'" ;;
	esac
	shift
done
[ -n "$STAR" ] && [ -n "$KPI" ] && [[ $M =~ ^[0-9]+$ ]] ||
	usage_error "--star, --out and --m VOTES are required"
mkdir -p "$KPI"
T=$(mktemp -d "${TMPDIR:-/tmp}/kpi.XXXXXX")
trap 'wait; rm -rf "$T"' EXIT

# --- the two scopes every KPI uses -------------------------------------------
# titles: current, live versions; rated: those with a rating at the latest date
ready dim_title fact_ratings
where_eq is_current 1 is_deleted 0 <"$STAR/dim_title.tsv" |
	reshape 'title_key tconst title_type primary_title start_year start_year_key' \
	>"$T/titles.tsv"
latest=$(awk -F'\t' 'NR > 1 && $3 > d { d = $3 } END { print d }' "$STAR/fact_ratings.tsv")
where_eq snapshot_date "$latest" <"$STAR/fact_ratings.tsv" |
	reshape 'title_key average_rating num_votes weighted_rating' >"$T/ratings.tsv"
# every current title, with its latest rating or \N; and the rated titles only
lane_call tsv-join -f "$T/ratings.tsv" -k title_key -w -a average_rating,num_votes,weighted_rating \
	-o "$T/titles_r.tsv" "$T/titles.tsv"
lane_call tsv-join -f "$T/ratings.tsv" -k title_key -a average_rating,num_votes,weighted_rating \
	-o "$T/rated.tsv" "$T/titles.tsv"
join_lanes

# zero_votes COLUMN: an empty sum of votes is 0, not \N (as the views' coalesce)
zero_votes() {
	awk -F'\t' -v OFS='\t' -v c="$1" '
	NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; print; next }
	{ if ($k == "\\N") $k = 0; print }'
}

MEASURES=(titles=count rated_titles=count-nonnull:average_rating
	mean_rating=mean:average_rating median_rating=median:average_rating
	total_votes=sum:num_votes mean_votes=mean:num_votes)

# --- content -----------------------------------------------------------------
content() {
	c=$(where_eq title_type movie <"$T/rated.tsv" |
		kpi-agg c=wmean:average_rating:num_votes/4 | tail -n 1)
	kpi-agg "${MEASURES[@]}" vote_weighted_mean_all=wmean:average_rating:num_votes \
		"$T/titles_r.tsv" | zero_votes total_votes |
		awk -F'\t' -v OFS='\t' -v c="$c" -v m="$M" \
		    'NR == 1 { print $0, "c", "m"; next } { print $0, c, m }' \
		>"$KPI/content_overall.tsv"
	kpi-agg -g title_type "${MEASURES[@]}" "$T/titles_r.tsv" | zero_votes total_votes \
		>"$KPI/content_by_type.tsv"
}

# --- rankings: stored WR desc, votes desc, tconst ----------------------------
# ranked_candidates: the rated titles that can be in a ranking -- a WR at
# least the 10th best of their type, or (movies with m votes) the 250th
# best -- found in two passes over rated.tsv: a few thousand rows to sort
# instead of every rated title (1.6 M at full IMDb size: 10 CPU s to sort).
# Ties with the last place stay, so the order of the first places is the
# full sort's.
ranked_candidates() {
	awk -F'\t' -v m="$M" '
	function keep(list, k, wr,    i, n) {	# best[list, 1..k]: the k best WRs
		n = count[list]
		if (n == k && wr <= best[list, k])
			return
		if (n < k)
			count[list] = ++n
		for (i = n; i > 1 && best[list, i - 1] < wr; i--)
			best[list, i] = best[list, i - 1]
		best[list, i] = wr
	}
	FNR == 1 { pass++; next }
	$9 == "\\N" { next }
	pass == 1 {
		keep($3, 10, $9 + 0)
		if ($3 == "movie" && $8 >= m)
			keep("\t", 250, $9 + 0)	# a TAB is no title type
		next
	}
	$9 + 0 >= best[$3, count[$3]] ||
	    ($3 == "movie" && $8 >= m && $9 + 0 >= best["\t", count["\t"]])' \
	    "$T/rated.tsv" "$T/rated.tsv"
}
rankings() {
	# the candidates in ranking order (WR is printed with two decimals,
	# never an exponent: -n, several times faster than -g)
	ranked_candidates | sort -t "$(printf '\t')" -k9,9nr -k8,8nr -k2,2 >"$T/ranked.tsv"
	{
		printf 'rank\ttconst\tprimary_title\tstart_year\taverage_rating\tnum_votes\tweighted_rating\n'
		awk -F'\t' -v OFS='\t' -v m="$M" '$3 == "movie" && $8 >= m && n < 250 {
			print ++n, $2, $4, $5, $7, $8, $9 }' "$T/ranked.tsv"
	} >"$KPI/top_rated_movies.tsv"
	# the first ten of each type in ranking order, then the types in byte
	# order (a stable sort of at most ten rows a type, not of every title)
	{
		printf 'title_type\trank\ttconst\tprimary_title\tstart_year\taverage_rating\tnum_votes\tweighted_rating\n'
		awk -F'\t' -v OFS='\t' '{ if (++n[$3] <= 10) print $3, n[$3], $2, $4, $5, $7, $8, $9 }' \
		    "$T/ranked.tsv" |
		sort -t "$(printf '\t')" -s -k1,1
	} >"$KPI/top_rated_by_type.tsv"
}

# --- rating distribution: ALL, then each type; all eight buckets ------------
distribution() {
	EDGES=average_rating=0,2,4,5,6,7,8,9,10
	{
		awk -F'\t' -v OFS='\t' 'NR == 1 { print "scope", $0; next } { print "ALL", $0 }' "$T/rated.tsv" |
		kpi-agg --bucket "$EDGES" --all-buckets -g title_type=scope,bucket \
		    --within title_type titles=count share/4
		kpi-agg --bucket "$EDGES" --all-buckets -g title_type,bucket \
		    --within title_type titles=count share/4 "$T/rated.tsv" | tail -n +2
	} >"$KPI/rating_distribution.tsv"
}

# --- genres --------------------------------------------------------------------
# aggregated per genre_key, and only then (29 rows, not 20 M) named; the order
# is --sort-by titles:desc's: titles desc, then the name
genres() {
	ready title_genre_bridge dim_genre
	tsv-join -f "$T/titles_r.tsv" -k title_key -a average_rating,num_votes \
	    "$STAR/title_genre_bridge.tsv" |
	kpi-agg -g genre_key titles=count rated_titles=count-nonnull:average_rating \
	    mean_rating=mean:average_rating total_votes=sum:num_votes \
	    vote_weighted_rating=wmean:average_rating:num_votes \
	    allocated_titles=sum:allocation_weight/4 |
	tsv-join -f "$STAR/dim_genre.tsv" -k genre_key -a genre_name |
	reshape 'genre_name titles rated_titles mean_rating total_votes
	    vote_weighted_rating allocated_titles' |
	zero_votes total_votes |
	{ IFS= read -r h; printf '%s\n' "$h"; sort -t "$(printf '\t')" -k2,2nr -k1,1; } \
	    >"$KPI/genre_performance.tsv"
}

# --- talent: distinct current titles per person ------------------------------
# Actors (actor or actress) and directors in one pass over the credits: role
# A or D, one row per (title, person, role) -- the credits of a title are
# adjacent (principals come grouped by tconst), so tsv-uniq forgets its keys
# at each new title and holds one title's credits, not 51 M --
# with the title's year and rating; aggregated per person_key, and only then
# (a row per person, not per credit) joined to the person's name.  Only the
# five columns the aggregation reads go on: half the bytes of a full credit
# row, written to the parts and read back (kpi.sh at full scale 82 -> 62 s).
talent_credits() {
	printf 'category\trole\nactor\tA\nactress\tA\ndirector\tD\n' >"$T/roles.tsv"
	ready fact_cast_crew
	tsv-join -f "$T/roles.tsv" -k category -a role "$STAR/fact_cast_crew.tsv" |
	tsv-uniq -f role,person_key --within title_key |
	tsv-join -f "$T/titles_r.tsv" -k title_key -a start_year,average_rating,num_votes |
	reshape 'role person_key start_year average_rating num_votes'
}
# talent_of ROLE [awk condition on titles, rated]: ROLE's people as the KPI
# columns, with exact_mean first: highest_rated_actors orders by the exact
# mean, not the rounded one, and 12 decimals tell apart any two means a/b,
# c/d with b, d < 10^5 titles (they differ by at least 1/(b*d) > 10^-10)
talent_of() {
	awk -F'\t' -v OFS='\t' '
	    NR > 1 { titles = $4; rated = $5; if ($7 == "\\N") $7 = 0 }
	    NR > 1 && '"${2:-1}"' { print $10, $2, $3, $4, $5, $6, $7, $8, $9,
	        ($9 == "\\N" ? "\\N" : $9 - $8) }' "$T/talent_$1.tsv"
}
TALENT_HEADER='nconst	primary_name	titles	rated_titles	mean_rating	total_votes	first_year	last_year	career_span'
# The aggregation holds every person at once (~270 bytes each: 4 GB at full
# IMDb scale), so the credits are hash-partitioned by person first and each
# part aggregated alone: a person is in one part only, and the rows are
# sorted again after the names are joined.
TALENT_PARTS=8
talent_parts() {	# talent_parts K...: aggregates the parts K of the credits
	local k
	for k in "$@"; do
		kpi-agg -g role,person_key titles=count rated_titles=count-nonnull:average_rating \
		    mean_rating=mean:average_rating total_votes=sum:num_votes \
		    first_year=min:start_year last_year=max:start_year \
		    exact_mean=mean:average_rating/12 --having 'titles>=3' \
		    -o "$T/talent.$k.tsv" "$T/credits.$k.tsv"
		rm -f "$T/credits.$k.tsv"
	done
}
talent_named() {	# talent_named ROLE: ROLE's rows of the parts with nconst and name
	local k
	for ((k = 0; k < TALENT_PARTS; k++)); do
		tail -n +$((k == 0 ? 1 : 2)) "$T/talent.$k.tsv"
	done |
	where_eq role "$1" >"$T/talent_$1.agg.tsv"
	reshape 'person_key nconst primary_name' <"$STAR/dim_person.tsv" |
	tsv-join -f "$T/talent_$1.agg.tsv" -k person_key \
	    -a titles,rated_titles,mean_rating,total_votes,first_year,last_year,exact_mean \
	    >"$T/talent_$1.tsv"
}
talent() {
	# its own lanes (lane_call and join_lanes use the caller's LANE_PIDS)
	# shellcheck disable=SC2034
	local k even=() odd=() LANE_PIDS=()
	talent_credits | tsv-split -k person_key -n "$TALENT_PARTS" --prefix "$T/credits"
	# two parts at a time, one per core
	for ((k = 0; k < TALENT_PARTS; k++)); do
		if ((k % 2 == 0)); then even+=("$k"); else odd+=("$k"); fi
	done
	lane_call talent_parts "${even[@]}"
	lane_call talent_parts "${odd[@]}"
	join_lanes
	# the names: dim_person streams past each role's people (a table of
	# thousands, not of every person: 16 M and 1.1 GB at full IMDb scale)
	ready dim_person
	lane_call talent_named A
	lane_call talent_named D
	join_lanes
	lane_call talent_actors
	lane_call talent_directors
	lane_call highest_rated_actors
	join_lanes
}
# most titles first, then nconst
talent_actors() {
	{ printf '%s\n' "$TALENT_HEADER"
	  talent_of A 'titles >= 5' | cut -f 2- | sort -t "$(printf '\t')" -k3,3nr -k1,1; } \
	    >"$KPI/talent_actors.tsv"
}
talent_directors() {
	{ printf '%s\n' "$TALENT_HEADER"
	  talent_of D | cut -f 2- | sort -t "$(printf '\t')" -k3,3nr -k1,1; } \
	    >"$KPI/talent_directors.tsv"
}
# exact mean desc, titles desc, nconst
highest_rated_actors() {
	{ printf 'rank\t%s\n' "$TALENT_HEADER"
	  talent_of A 'titles >= 10 && rated >= 1' |
	  sort -t "$(printf '\t')" -k1,1gr -k4,4nr -k2,2 | cut -f 2- |
	  awk -F'\t' -v OFS='\t' '{ print NR, $0 }'; } >"$KPI/highest_rated_actors.tsv"
}
# --- trends over dim_date's decades and years ----------------------------------
# one join gives every title its year and decade; the two aggregations read it
# side by side.  Every start_year_key is in dim_date (the fk gate checks it);
# the key -1 has year and decade \N and the label Unknown.
TREND_OPS=(titles=count rated_titles=count-nonnull:average_rating
	mean_rating=mean:average_rating mean_votes=mean:num_votes total_votes=sum:num_votes)
periods_of() {	# periods_of COLUMNS AGGREGATE: every year period of dim_date, in
	# order, with AGGREGATE's columns or zeros (mean columns \N)
	local cols=$1 n
	n=$(echo "$cols" | tr ',' '\n' | wc -l)
	where_eq date_type year <"$STAR/dim_date.tsv" | reshape "${cols//,/ }" |
	awk -F'\t' '!seen[$0]++' >"$T/periods.$n.tsv"
	tsv-join -f "$2" -k "$cols" -w --fill '\N' \
	    -a titles,rated_titles,mean_rating,mean_votes,total_votes "$T/periods.$n.tsv" |
	awk -F'\t' -v OFS='\t' -v n="$n" '
	    NR > 1 { for (i = n + 1; i <= n + 2; i++) if ($i == "\\N") $i = 0
	             if ($(n + 5) == "\\N") $(n + 5) = 0 } { print }' |
	{ IFS= read -r h; printf '%s\n' "$h"; sort -t "$(printf '\t')" -k1,1n; }
}
trends() {
	local by_year
	ready dim_date
	mkfifo "$T/years"
	kpi-agg -g year "${TREND_OPS[@]}" -o "$T/by_year.tsv" "$T/years" &
	by_year=$!
	tsv-join -f "$STAR/dim_date.tsv" -k date_key -d start_year_key \
	    -a year,decade,decade_label -w "$T/titles_r.tsv" |
	tee "$T/years" |
	kpi-agg -g decade,decade_label "${TREND_OPS[@]}" >"$T/by_decade.tsv"
	wait "$by_year"
	{
		periods_of decade,decade_label "$T/by_decade.tsv"
		# titles whose start year is unknown: always one row
		awk -F'\t' -v OFS='\t' '$1 == "\\N" { if ($7 == "\\N") $7 = 0; print; f = 1 }
		    END { if (!f) print "\\N", "Unknown", 0, 0, "\\N", "\\N", 0 }' "$T/by_decade.tsv"
	} >"$KPI/trends_by_decade.tsv"
	periods_of year "$T/by_year.tsv" | { IFS= read -r h; printf '%s\n' "$h"; tail -n 15; } \
	    >"$KPI/trends_by_year.tsv"
}

# --- kpi_summary: the headline numbers, in the documented order ----------------
summary() {
	local f=$KPI
	val() { awk -F'\t' -v c="$2" -v r="${3:-1}" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i; next }
		NR - 1 == r { print $k; found = 1 } END { if (!found) print "\\N" }' "$f/$1"; }
	printf 'kpi\tvalue\n'
	printf 'snapshot_date\t%s\n' "${latest:-\\N}"
	for k in titles rated_titles mean_rating median_rating total_votes mean_votes \
	    vote_weighted_mean_all c m; do
		printf '%s\t%s\n' "$k" "$(val content_overall.tsv "$k")"
	done
	printf 'title_types\t%s\n' "$(rows "$f/content_by_type.tsv")"
	printf 'top_rated_movies\t%s\n' "$(rows "$f/top_rated_movies.tsv")"
	printf 'top_movie_tconst\t%s\n' "$(val top_rated_movies.tsv tconst)"
	printf 'top_movie_title\t%s\n' "$(val top_rated_movies.tsv primary_title)"
	printf 'top_movie_weighted_rating\t%s\n' "$(val top_rated_movies.tsv weighted_rating)"
	printf 'modal_rating_bucket\t%s\n' "$(awk -F'\t' '$1 == "ALL" && $3 > 0 && $3 > best { best = $3; b = $2 }
		END { print (b == "" ? "\\N" : b) }' "$f/rating_distribution.tsv")"
	printf 'genres\t%s\n' "$(rows "$f/genre_performance.tsv")"
	printf 'top_genre\t%s\n' "$(val genre_performance.tsv genre_name)"
	printf 'top_genre_titles\t%s\n' "$(val genre_performance.tsv titles)"
	printf 'talent_actors\t%s\n' "$(rows "$f/talent_actors.tsv")"
	printf 'most_prolific_actor\t%s\n' "$(val talent_actors.tsv nconst)"
	printf 'talent_directors\t%s\n' "$(rows "$f/talent_directors.tsv")"
	printf 'most_prolific_director\t%s\n' "$(val talent_directors.tsv nconst)"
	printf 'highest_rated_actor\t%s\n' "$(val highest_rated_actors.tsv nconst)"
	printf 'peak_decade\t%s\n' "$(awk -F'\t' 'NR > 1 && $1 != "\\N" && $3 > best { best = $3; d = $2 }
		END { print (d == "" ? "\\N" : d) }' "$f/trends_by_decade.tsv")"
}
# three lanes over the two scopes: the talent KPIs (the longest: they read
# every credit), genres and trends, and the content KPIs
lane talent
lane genres trends
lane content rankings distribution
join_lanes
summary >"$KPI/kpi_summary.tsv"
