# shellcheck shell=bash
# lib.sh - what every p07 pipeline shares: paths, the step runner and its run
# log, and the small TSV reshapes that are clearer in awk than as a tool.
# Sourced, never run.  Nothing here reads or writes outside the paths given.

P07_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PATH=${P07_BIN:-$P07_ROOT/bin}:$PATH
export LC_ALL=C PATH P07_ROOT

STEP_N=0
STEP_TOTAL=0
STEP_LOG0=0	# lines of the run log before the first step (its header)
RUN_LOG=/dev/null

die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

usage_error() {
	printf '%s: %s\nTry '\''%s --help'\'' for more information.\n' \
	    "${0##*/}" "$1" "${0##*/}" >&2
	exit 2
}

now() { date +%s.%N; }

# run_options JOBS ARG...: the options of full.sh and partitioned.sh (JOBS:
# the default of -j) into DATA OUT AS_OF LIMIT DEMO STATE M C SQLITE REPORT
# JOBS SSHLOGIN STEP_QUIET DEMO_SCALE, checked; --help calls the caller's
# usage.
run_options() {
	DATA=data OUT=out AS_OF='' LIMIT='' DEMO=0 STATE='' M=25000 C=auto SQLITE=1 REPORT=1
	JOBS=$1 SSHLOGIN='' STEP_QUIET=0 DEMO_SCALE=${P07_DEMO_SCALE:-0.002}
	shift
	while [ $# -gt 0 ]; do
		# SSHLOGIN is partitioned.sh's (full.sh passes it on with -j)
		# shellcheck disable=SC2034
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
		--sshlogin) SSHLOGIN=${2:?}; shift ;;
		--quiet) STEP_QUIET=1 ;;
		-h|--help) usage; exit 0 ;;
		*) usage_error "unknown option '$1'" ;;
		esac
		shift
	done
	[ -z "$LIMIT" ] || [[ $LIMIT =~ ^[0-9]+$ ]] ||
		usage_error "--limit: invalid value '$LIMIT' (expected a non-negative integer)"
	[ -z "$AS_OF" ] || [[ $AS_OF =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] ||
		usage_error "--as-of: invalid date '$AS_OF' (expected YYYY-MM-DD)"
	[[ $M =~ ^[0-9]+$ ]] || usage_error "--m: invalid value '$M' (expected a non-negative integer)"
	[ "$C" = auto ] || [[ $C =~ ^[0-9]+(\.[0-9]+)?$ ]] ||
		usage_error "--C: invalid value '$C' (expected a decimal number or auto)"
	[[ $JOBS =~ ^[1-9][0-9]*$ ]] || usage_error "-j: invalid value '$JOBS' (expected a positive integer)"
	export STEP_QUIET
}

# rows FILE [WRITER]: data rows of a TSV file with a header (0 if absent):
# rows_out of WRITER, the --stats file of the tool that wrote FILE, when
# there is one; else counted (wc reads a 9 GB fact table in seconds).
rows() {
	local n=
	[ -z "${2:-}" ] || n=$(stat_of "$2" rows_out)
	if [ -n "$n" ]; then
		echo "$n"
	elif [ -s "$1" ]; then
		echo $(( $(wc -l <"$1") - 1 ))
	else
		echo 0
	fi
}

# stat_of FILE METRIC: a value from a --stats file (empty if absent).
stat_of() {
	if [ -f "$1" ]; then
		awk -F'\t' -v m="$2" '$2 == m { print $3; exit }' "$1"
	fi
}

# step NAME OUTPUT STATS [WRITER] -- COMMAND...: runs one step; when it ends,
# appends a line to the run log and prints "[k/n] NAME ... rows, seconds", k
# counting the steps ended so far (steps of parallel lanes end in any order:
# the lock keeps their lines whole and their numbers distinct).  Rows in and
# rejected come from STATS, rows out from WRITER (see rows).
step() {
	local name=$1 output=$2 stats=$3 writer='' start end secs n rin rej
	if [ "$4" != -- ]; then
		writer=$4
		shift
	fi
	shift 4
	# in a lane: a run killed with SIGKILL ($$ is the run's shell) goes no
	# further than the step it was in
	kill -0 $$ 2>/dev/null || exit 1
	start=$(now)
	"$@"
	end=$(now)
	case $output in
	"${W:-/nonexistent}"/star/*) : >"$READY/$(basename "$output" .tsv)" ;;
	esac
	secs=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f", e - s }')
	n=$(rows "$output" "$writer")
	rin=$(stat_of "$stats" rows_in)
	rej=$(stat_of "$stats" rows_rejected)
	{
		flock 9
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$start" "$end" "$secs" \
		    "${rin:-\\N}" "$n" "${rej:-\\N}" >&9
		STEP_N=$(( $(wc -l <"$RUN_LOG") - STEP_LOG0 ))
		[ "$STEP_QUIET" = 1 ] ||
		    printf '[%d/%d] %-26s %10s rows %8s s\n' "$STEP_N" "$STEP_TOTAL" "$name" "$n" "$secs" >&2
	} 9>>"$RUN_LOG"
}

# lane FUNCTION...: runs the functions one after another in the background
# (a lane of steps that needs nothing from the other lanes running beside
# it); join_lanes waits for every lane and fails if one failed.
LANE_PIDS=()
lane() {
	local f
	(
		# a failed lane says so, so that no other lane waits for it (ready)
		trap '[ $? -eq 0 ] || [ -z "${READY:-}" ] || : >"$READY/.failed"' EXIT
		for f in "$@"; do "$f"; done
	) &
	LANE_PIDS+=("$!")
}
lane_call() {	# lane_call COMMAND [ARG...]: one command as a lane
	"$@" &
	LANE_PIDS+=("$!")
}
join_lanes() {
	local pid rc=0
	for pid in "${LANE_PIDS[@]}"; do
		wait "$pid" || rc=$?
	done
	LANE_PIDS=()
	return "$rc"
}

# Order across lanes: step marks each star table it wrote as READY/TABLE
# when it ends, and ready TABLE... waits for the marks (kpi.sh --ready), so
# a lane can start on the KPIs while the other still builds the tables they
# read last.  Without READY there is nothing to wait for.  -q: nothing to
# add when a step failed (its message said it all), just exit 1.
ready() {
	local t quiet=0
	[ -n "${READY:-}" ] || return 0
	[ "${1:-}" != -q ] || { quiet=1; shift; }
	for t in "$@"; do
		until [ -e "$READY/$t" ]; do
			# a failed step, or a build directory removed (the run was
			# killed and a later one cleaned up): nothing will come
			if [ -e "$READY/.failed" ]; then
				[ "$quiet" = 0 ] || exit 1
				die "not waiting for $t: a step failed"
			fi
			[ -d "$READY" ] || die "not waiting for $t: $READY is gone"
			sleep 0.2
		done
	done
}

# sorted_body KEYFIELDS: header first, then the rows in byte order of the
# key fields (sort -k syntax, e.g. 1,1).  Bounded memory: sort spills to disk.
sorted_body() {
	local header
	IFS= read -r header || return 0
	printf '%s\n' "$header"
	sort -t "$(printf '\t')" -k "$1" -S 40% --parallel=2 ${TMPDIR:+-T "$TMPDIR"}
}

# reshape 'out=in out2=in2 ...': keep, reorder and rename columns by header
# name; a bare name keeps its name.  Unknown names are an error.  The header
# is read here, the rest of the stream goes straight to imdb-cat, which picks
# the columns by number (in C: a third of awk's time, and no extra pipe).
reshape() {
	local header part src i fields='' names=''
	local -a head_cols
	IFS= read -r header || return 0
	IFS=$'\t' read -r -a head_cols <<<"$header"
	for part in $1; do
		src=${part#*=}
		for ((i = 0; i < ${#head_cols[@]}; i++)); do
			[ "${head_cols[i]}" = "$src" ] && break
		done
		if [ "$i" -eq "${#head_cols[@]}" ]; then
			echo "reshape: no column $src" >&2
			return 2
		fi
		names+=${names:+$'\t'}${part%%=*}
		fields+=${fields:+,}$((i + 1))
	done
	printf '%s\n' "$names"
	imdb-cat --schema none -N -f "$fields"
}

# where_eq COLUMN VALUE [COLUMN VALUE ...]: rows whose COLUMNs equal the
# VALUEs (header kept): a semi-join with a one-row filter.
where_eq() {
	local cols='' vals=''
	while [ $# -ge 2 ]; do
		cols+=${cols:+$'\t'}$1
		vals+=${vals:+$'\t'}$2
		shift 2
	done
	tsv-join -f <(printf '%s\n%s\n' "$cols" "$vals") -k "${cols//$'\t'/,}"
}

# add_column NAME VALUE: appends a column NAME holding VALUE to every row --
# a left join against an empty table, so a C pass instead of an awk
add_column() {
	tsv-join -f <(printf '_\t%s\n' "$1") -k 1 -a 2 -w --fill "$2"
}

# --- steps that full.sh and partitioned.sh share (they use DATA, S and W) ---

input() {	# the path of IMDb file $1 (.tsv.gz or .tsv) in DATA, or nothing
	local f
	for f in "$DATA/$1.tsv.gz" "$DATA/$1.tsv"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 0
}

# trace_orphans NAME [FIELDS]: rejects/NAME.orphans.tsv, written by the join
# that read NAME's extract (imdb-cat's output; FIELDS, a permutation of the
# file's columns, when -f gave one), rewritten as rows of the input file:
# its name as the source, its line (rows imdb-cat rejected before a row are
# lines the join never saw), its column order in raw, and the reason in its
# terms -- as imdb-cat's own rejects, so that `gzip -dc FILE | sed -n LINEp`
# finds each.  Needs imdb-cat's rejects/NAME.tsv whole.
trace_orphans() {
	local name=$1 path file orphans=$W/rejects/$1.orphans.tsv
	[ -f "$orphans" ] || return 0	# --limit: rows past it are not orphans
	path=$(input "${name/_/.}")
	file=$(basename "$path")
	FILE_HEADER=$(imdb-cat --schema none --limit 0 "$path") FIELDS=${2:-} \
	awk -F'\t' -v OFS='\t' -v src="$file" '
	BEGIN {
		n = split(ENVIRON["FILE_HEADER"], fh, "\t")
		if (ENVIRON["FIELDS"] == "") for (i = 1; i <= n; i++) from[i] = i
		else {
			split(ENVIRON["FIELDS"], sh, ",")
			for (j in sh) at[sh[j]] = j
			for (i = 1; i <= n; i++) from[i] = at[fh[i]]
		}
	}
	FNR == 1 { if (FILENAME != ARGV[1]) print; next }
	FILENAME == ARGV[1] { gone[++ngone] = $2; next }
	{
		line = $2 + k
		while (k < ngone && gone[k + 1] <= line) line = $2 + ++k
		out = src OFS line OFS "tconst not in title.basics"
		for (i = 1; i <= n; i++) out = out OFS $(3 + from[i])
		print out
	}' "$W/rejects/$name.tsv" "$orphans" >"$orphans.tmp"
	mv "$orphans.tmp" "$orphans"
}

rating_bucket() {	# appends rating_bucket: the right-closed bucket, exact
	awk -F'\t' -v OFS='\t' '
	BEGIN { n = split("0 20 40 50 60 70 80 90 100", e, " ") }
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print $0, "rating_bucket"; next }
	{
		r = $(c["averageRating"]); split(r, p, ".")
		x = p[1] * 10 + (p[2] == "" ? 0 : p[2])
		b = "out_of_range"
		for (i = 1; i < n; i++)
			if (x > e[i] && x <= e[i + 1]) { b = "(" e[i] / 10 "," e[i + 1] / 10 "]"; break }
		print $0, b
	}'
}

# --- the star schema's transforms, shared by full.sh and partitioned.sh ------
# Each reads the files it is named (or stdin) and writes rows on stdout, so
# the same code runs on the whole input or on one partition of it.

title_snapshot_of() {	# title_snapshot_of BASICS EPISODES: dim_title's snapshot by tconst
	# IMDb writes its files sorted by tconst and the joins keep that order:
	# sort only a file that is not (the check costs a fifth of a sort)
	if tail -n +2 "$1" | sort -C -t "$(printf '\t')" -k1,1; then
		snapshot_rows "$1" "$2"
	else
		snapshot_rows "$1" "$2" | sorted_body 1,1
	fi
}
snapshot_rows() {	# snapshot_rows BASICS EPISODES: the snapshot in BASICS's order
	tsv-join -f "$2" -k tconst -w -a parentTconst,seasonNumber,episodeNumber "$1" |
	surrogate-key -k title_key=tconst |
	dim-date --keys -f startYear,endYear --type titleType |
	reshape 'tconst title_key title_type=titleType primary_title=primaryTitle
	    original_title=originalTitle is_adult=isAdult start_year=startYear
	    end_year=endYear runtime_minutes=runtimeMinutes genres
	    parent_tconst=parentTconst season_number=seasonNumber
	    episode_number=episodeNumber start_year_key end_year_key'
}

current_titles_of() {	# current_titles_of DIM: the live current version of each title
	where_eq is_current 1 is_deleted 0 <"$1" |
	reshape 'tconst title_key title_sk title_type genres'
}

# is_lead = ordering <= 3: a lookup of every spelling of 1, 2 and 3 that
# imdb-cat lets through (leading zeros too), so tsv-join adds the column --
# C passes instead of an awk over every credit
is_lead_table() {
	local w
	printf 'ordering\tis_lead\n'
	for ((w = 1; w <= 18; w++)); do printf '%0*d\t1\n' "$w" 1 "$w" 2 "$w" 3; done
}

# the order extract gives title.principals (full.sh): tconst and nconst,
# once replaced by their keys, are then already where fact_cast_crew has them
PRINCIPALS_ORDER='tconst,nconst,ordering,category,job,characters'
cast_crew_of() {	# cast_crew_of PRINCIPALS STATS [COLUMN...]: fact_cast_crew rows, COLUMNs first
	local in=$1 stats=$2
	shift 2
	if [ $# -eq 0 ] && [ "$(head -n 1 "$in")" = "${PRINCIPALS_ORDER//,/$'\t'}" ]; then
		keyed_credits "$in" "$stats"
	else
		keyed_credits "$in" "$stats" |
		reshape "$* title_key person_key ordering category job characters is_lead"
	fi
}
keyed_credits() {	# keyed_credits PRINCIPALS STATS: the keys in place, is_lead appended
	surrogate-key --replace -k title_key=tconst -k person_key=nconst --stats "$2" "$1" |
	tsv-join -f <(is_lead_table) -k ordering -a is_lead -w --fill 0
}

genres_of() {	# genres_of TITLES STATS: a row per title and genre, with genre_key
	tsv-split-genres -f genres --null-as Unknown --ordinal genre_ordinal \
	    --count genre_count --weight allocation_weight --primary is_primary \
	    --stats "$2" "$1" |
	surrogate-key -k genre_key=genres
}

bridge_of() {	# bridge_of GENRES: title_genre_bridge from genres_of's rows
	reshape 'title_key genre_key genre_ordinal genre_count allocation_weight is_primary' <"$1"
}

people_of() {	# people_of NAMES: dim_person rows of the people in name.basics
	surrogate-key -k person_key=nconst "$1" | add_column is_inferred 0 |
	reshape 'person_key nconst primary_name=primaryName birth_year=birthYear
	    death_year=deathYear primary_profession=primaryProfession
	    known_for_titles=knownForTitles is_inferred'
}

inferred_people() {	# stdin: distinct nconsts (column nconst) -> inferred dim_person rows
	surrogate-key -k person_key=nconst | reshape 'person_key nconst' |
	awk -F'\t' -v OFS='\t' 'NR > 1 { print $1, $2, "\\N", "\\N", "\\N", "\\N", "\\N", 1 }'
}

# ratings_fact: ratings joined to title_key, title_sk and title_type on stdin
# -> the fact_ratings rows of AS_OF's snapshot (C from the movies unless set)
ratings_fact() {
	local eligible=''
	[ "$C" != auto ] || eligible=title_type=movie
	wrating -r averageRating -v numVotes -m "$M" -C "$C" \
	    ${eligible:+--eligible "$eligible"} -n weighted_rating -p 2 \
	    --stats "$W/stats/fact_ratings.wrating.tsv" |
	rating_bucket |
	add_column snapshot_date "$AS_OF" |
	reshape 'title_key title_sk snapshot_date average_rating=averageRating
	    num_votes=numVotes weighted_rating rating_bucket'
}

# append_ratings NEW: star/fact_ratings.tsv = the earlier snapshots of STATE
# (a replay of AS_OF replaces its rows) and NEW
append_ratings() {
	if [ -n "$STATE" ] && [ -f "$STATE/fact_ratings.tsv" ]; then
		{ awk -F'\t' -v d="$AS_OF" 'NR == 1 || $3 != d' "$STATE/fact_ratings.tsv"
		  tail -n +2 "$1"; } >"$W/star/fact_ratings.tsv"
	else
		mv "$1" "$W/star/fact_ratings.tsv"
	fi
}

dim_genre() {	# dim_genre TITLES: the genres of TITLES' column genres (lists, or one a row)
	{
		printf 'genre_name\n'
		# the genres seen: the distinct lists (a hash group-by: a few
		# thousand groups, not a sort of 12 M rows), split as the bridge
		# splits them
		{ echo Unknown
		  kpi-agg -g genres n=count "$1" | tsv-split-genres -f genres --null-as Unknown |
		  tail -n +2 | cut -f 1; } |
		sort -u
	} |
	awk -F'\t' -v OFS='\t' '
	BEGIN { n = split("Action Adult Adventure Animation Biography Comedy Crime " \
	    "Documentary Drama Family Fantasy Film-Noir Game-Show History Horror " \
	    "Music Musical Mystery News Reality-TV Romance Sci-Fi Short Sport " \
	    "Talk-Show Thriller War Western", g, " "); for (i = 1; i <= n; i++) std[g[i]] = 1 }
	NR == 1 { print "genre_name", "genre_id", "is_standard"; next }
	{ print $1, NR - 1, ($1 in std) ? 1 : 0 }' |
	surrogate-key -k genre_key=genre_name --position first >"$W/star/dim_genre.tsv"
}

# s_kpis: the KPI step; in a lane, it waits for the star tables it reads
s_kpis() {
	step "KPIs" "$W/kpi/kpi_summary.tsv" "" -- \
	    "$P07_ROOT/pipelines/kpi.sh" --star "$W/star" --out "$W/kpi" --m "$M" \
	    --as-of "$AS_OF" --ready "$READY"
}

# finish_run [evidence-sum options]: the steps after the star schema and the
# KPIs (evidence and gates, SQLite, report), then publish: STATE updated and OUT
# replaced by the build directory W only now, when everything passed.
finish_run() {
	EVIDENCE_ARGS=("$@")
	# the gates and the SQLite load read the same finished files: side by side
	lane s_evidence
	[ "$SQLITE" = 0 ] || lane s_load_sqlite
	join_lanes
	if [ "$REPORT" = 1 ]; then
		step "HTML report" /dev/null "" -- "$P07_ROOT/pipelines/report.sh" --out "$W"
	fi
	publish
	[ "$STEP_QUIET" = 1 ] ||
	    echo "${0##*/}: star schema, KPIs and evidence in $OUT (as of $AS_OF)" >&2
}
s_evidence() { step "evidence and gates" /dev/null "" -- evidence "${EVIDENCE_ARGS[@]}"; }
s_load_sqlite() {
	step "load SQLite" /dev/null "" -- \
	    "$P07_ROOT/pipelines/load-sqlite.sh" --star "$W/star" --db "$W/p07.sqlite" \
	    --m "$M" --c "$(stat_of "$W/stats/fact_ratings.wrating.tsv" C)" --as-of "$AS_OF"
}

evidence() {	# the inputs' sizes and digests come from imdb-cat's stats
	local c
	c=$(stat_of "$W/stats/fact_ratings.wrating.tsv" C)
	# from inside the build, so the evidence names paths relative to OUT
	(cd "$W" && evidence-sum --gates "$P07_ROOT/evidence/gates.tsv" --dir . \
	    --stats stats --as-of "$AS_OF" --param "m=$M" --param "C=$c" \
	    --param "limit=${LIMIT:-\\N}" --param "source=$SOURCE" "$@" \
	    -o evidence/P07_evidence.json)
}

publish() {
	rm -rf "$S"
	if [ -n "$STATE" ]; then
		mkdir -p "$STATE"
		for f in dim_title fact_ratings; do
			cp "$W/star/$f.tsv" "$STATE/.$f.tsv.$$"
			mv "$STATE/.$f.tsv.$$" "$STATE/$f.tsv"
		done
	fi
	if [ -e "$OUT" ]; then
		mv "$OUT" "$W.old"
		mv "$W" "$OUT"
		rm -rf "$W.old"
	else
		mv "$W" "$OUT"
	fi
	trap - EXIT
}

# start_build: the build directory W beside OUT (so the final rename stays on
# one disk), removed on exit unless published; S its stage, the run log, and
# the demo's data.  Uses OUT, DATA, DEMO, DEMO_SCALE, AS_OF.
start_build() {
	local parent base stale pid gone
	OUT=${OUT%/}
	mkdir -p "$(dirname "$OUT")"
	parent=$(cd "$(dirname "$OUT")" && pwd)
	base=$(basename "$OUT")
	for stale in "$parent/.$base.build."*; do
		# a run killed with SIGKILL leaves its build directory: remove it
		# when the process that made it is gone.  Its lanes may still be
		# ending a step (step stops them at the next): moved aside first,
		# the files they go on to open are not found.
		[ -d "$stale" ] || continue
		pid=${stale##*.}
		if kill -0 "$pid" 2>/dev/null; then
			continue
		fi
		gone=$parent/.$base.gone.$$
		if ! { mv "$stale" "$gone" && rm -rf "$gone"; }; then
			[ -e "$gone" ] && stale=$gone
			printf '%s: warning: %s: could not remove this build directory of a killed run\n' \
			    "${0##*/}" "$stale" >&2
		fi
	done
	W=$parent/.$base.build.$$
	rm -rf "$W"
	mkdir -p "$W"/{star,kpi,stats,rejects,logs,evidence,stage,ready}
	# steps still running in lanes finish first: nothing writes into W
	# while it is removed
	trap 'wait; [ -n "${P07_KEEP_BUILD:-}" ] || rm -rf "$W"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	S=$W/stage
	READY=$W/ready
	export TMPDIR=$S
	RUN_LOG=$W/logs/run.log
	printf 'step\tstart\tend\tseconds\trows_in\trows_out\trows_rejected\n' >"$RUN_LOG"
	STEP_LOG0=1
	SOURCE=$(basename "$DATA")	# not the path: the evidence must not depend on it
	if [ "$DEMO" = 1 ]; then
		DATA=$S/demo-data
		SOURCE="imdb-synth --scale $DEMO_SCALE"
		AS_OF=${AS_OF:-2026-01-01}
	fi
}

# prepare_inputs STEPS: the step count (STEPS plus the optional ones), the
# demo catalogue, the required inputs, and AS_OF from title.basics if unset.
prepare_inputs() {
	local f
	STEP_TOTAL=$1
	[ "$DEMO" = 1 ] && STEP_TOTAL=$((STEP_TOTAL + 1))
	[ "$SQLITE" = 1 ] && STEP_TOTAL=$((STEP_TOTAL + 1))
	[ "$REPORT" = 1 ] && STEP_TOTAL=$((STEP_TOTAL + 1))
	if [ "$DEMO" = 1 ]; then
		step "generate demo catalogue" /dev/null "$W/stats/demo.imdb-synth.tsv" -- \
		    imdb-synth --scale "$DEMO_SCALE" --out "$DATA" --stats "$W/stats/demo.imdb-synth.tsv"
	fi
	for f in title.basics title.ratings title.principals name.basics; do
		[ -n "$(input "$f")" ] || die "$DATA: $f.tsv.gz (or .tsv) not found"
	done
	if [ -z "$AS_OF" ]; then
		# the snapshot date of the data: the day title.basics was written
		AS_OF=$(date -u -r "$(input title.basics)" +%F)
	fi
}
