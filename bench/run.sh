#!/usr/bin/env bash
# bench/run.sh - the end-to-end benchmark: p07's pipelines/full.sh against the
# same star schema and KPIs in DuckDB, on one imdb-synth catalogue.
#
#   bench/run.sh [SCALE] [--tree DIR | --rev REV] [--runs N] [--no-duckdb] [--warm] [--report]
#   bench/run.sh micro          every per-tool micro-benchmark (bench/*.sh)
#   make bench SCALE=0.1        the same as bench/run.sh 0.1
#
# SCALE is imdb-synth's (1.0 = the full IMDb export; default 0.1).  The
# catalogue (the five files full.sh reads) is generated once into
# bench/cache/synth-SCALE/.  Then, back to back on the same files:
#   1. the floor: igzip -dc of each input (warm page cache), later cat of
#      every output file to a new file;
#   2. pipelines/full.sh --no-sqlite --no-report (star schema, KPIs, evidence
#      and gates) under GNU time;
#   3. node bench/duckdb/star.mjs (the same tables and KPI files, DuckDB with
#      2 threads, @duckdb/node-api installed into bench/duckdb/node_modules)
#      under GNU time;
#   4. bench/compare.sh: both wrote the same rows in every file.
# It prints Markdown tables (end to end, per stage, the comparison) and keeps
# them in bench/cache/results-SCALE.md; bench/RESULTS.md holds a recorded run.
#
# Peak RSS is GNU time's %M, which for a script is the largest RSS of any
# single process of its tree (wait4 folds each waited-for child's maximum
# into its parent's), not the sum of processes running at once.
#
# --tree DIR benchmarks another p07 tree (its bin/ and pipelines/; default
# this repository, built by make); --rev REV exports commit REV with git
# archive into bench/cache/tree-SHA/ and builds it there, so edits in the
# working tree do not leak into the numbers.  --runs N runs each system N
# times, alternating, and reports the fastest run of each.  --report prints
# the tables of the last run at SCALE again without running anything.
#
# --warm fills the machine's free memory with clean page cache before each
# run (a sparse file read once: no disk used), so that the run takes its
# memory by reclaiming cache, as on a machine that has been up a while,
# rather than from the free lists.  On a virtual machine that hands freed
# memory back to its host (free page reporting), a page taken from the free
# lists costs a fault in the host: about 20 us per 4 KiB page here, 2-4 s of
# system time per GB written or allocated, against 0.2 s when reclaimed.
# Without --warm the numbers depend on how much memory happened to be free.
set -euo pipefail
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
CACHE=$HERE/cache
AS_OF=2025-08-13	# imdb-synth's snapshot date of snapshot 0
M=25000
INPUTS=(title.basics title.ratings title.principals name.basics title.episode)

die() {
	echo "bench/run.sh: $*" >&2
	exit 1
}
usage() {
	echo "usage: bench/run.sh [SCALE] [--tree DIR | --rev REV] [--runs N] [--no-duckdb] [--warm] [--report]" >&2
	echo "       bench/run.sh micro" >&2
	exit 2
}

SCALE=0.1
TREE=$REPO
REV=
RUNS=1
DUCK=1
WARM=0
REPORT_ONLY=0
while [ $# -gt 0 ]; do
	case $1 in
	--tree) TREE=$(cd "${2:?}" && pwd); shift ;;
	--rev) REV=${2:?}; shift ;;
	--runs) RUNS=${2:?}; shift ;;
	--no-duckdb) DUCK=0 ;;
	--warm) WARM=1 ;;
	--report) REPORT_ONLY=1 ;;
	-h|--help) usage ;;
	micro) SCALE=micro ;;
	[0-9]*|.[0-9]*) SCALE=$1 ;;
	*) usage ;;
	esac
	shift
done
[ "$SCALE" = micro ] || [[ $SCALE =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] || usage
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || usage

# --- set-up --------------------------------------------------------------------
need_tools() {
	[ -x /usr/bin/time ] && /usr/bin/time -f %e true 2>/dev/null ||
	    die "GNU time is missing (apt-get install time)"
	command -v igzip >/dev/null || die "igzip is missing (apt-get install isal)"
	if [ "$DUCK" = 1 ]; then
		command -v node >/dev/null && command -v npm >/dev/null ||
		    die "node and npm are needed for the DuckDB side (or use --no-duckdb)"
	fi
}

# The p07 tree under test, built.
prepare_tree() {
	if [ -n "$REV" ]; then
		local sha
		sha=$(git -C "$REPO" rev-parse --verify --short=12 "$REV^{commit}") ||
		    die "--rev: unknown revision '$REV'"
		TREE=$CACHE/tree-$sha
		if [ ! -x "$TREE/bin/imdb-synth" ]; then
			rm -rf "$TREE"
			mkdir -p "$TREE"
			git -C "$REPO" archive "$sha" | tar -x -C "$TREE"
		fi
	fi
	make -s -C "$TREE" all >&2 || die "$TREE: make failed"
	[ -x "$TREE/pipelines/full.sh" ] || die "$TREE: no pipelines/full.sh"
}

# The catalogue: generated once per scale, complete when SYNTH.tsv exists.
DATA=
prepare_data() {
	DATA=$CACHE/synth-$SCALE
	[ -s "$DATA/SYNTH.tsv" ] && return 0
	local need avail
	need=$(awk -v s="$SCALE" 'BEGIN { printf "%d", s * 2600 + 50 }')	# MB of .gz
	avail=$(df -Pm "$CACHE" | awk 'NR == 2 { print $4 }')
	[ "$avail" -gt $((need * 5)) ] ||
	    die "$CACHE: $avail MB free, the run needs about $((need * 5)) MB at scale $SCALE"
	echo "generating the scale-$SCALE catalogue in $DATA" >&2
	mkdir -p "$DATA"
	/usr/bin/time -f '%e %U %S %M' -o "$DATA/.synth.time" \
	    "$TREE/bin/imdb-synth" --scale "$SCALE" --date "$AS_OF" -o "$DATA" \
	    --files "$(IFS=,; echo "${INPUTS[*]}")"
}

prepare_duckdb() {
	[ "$DUCK" = 1 ] || return 0
	[ -d "$HERE/duckdb/node_modules/@duckdb/node-api" ] && return 0
	echo "installing @duckdb/node-api into bench/duckdb/node_modules" >&2
	(cd "$HERE/duckdb" && npm install --no-audit --no-fund --no-package-lock >&2)
}

# --- measuring -------------------------------------------------------------------
# timed NAME COMMAND...: runs COMMAND (stdout and stderr to WORK/NAME.log)
# under GNU time; WORK/NAME.time holds "wall user sys maxrss_kb".
timed() {
	local name=$1
	shift
	if ! /usr/bin/time -f '%e %U %S %M' -o "$WORK/$name.time" "$@" \
	    >"$WORK/$name.log" 2>&1; then
		tail -n 20 "$WORK/$name.log" >&2
		die "$name failed (log: $WORK/$name.log)"
	fi
}

# field FILE N: field N of a .time file.
field() { awk -v n="$2" '{ v = $n } END { print v }' "$1"; }

free_mb() { awk '/^MemFree:/ { printf "%d", $2 / 1024 }' /proc/meminfo; }
load() { echo "$(cut -d' ' -f1-3 /proc/loadavg), $(free_mb) MB free"; }

# The floor: decompressing each input once (page cache warm), sizes in bytes.
measure_floor() {
	local f
	: >"$WORK/floor.tsv"
	for f in "${INPUTS[@]}"; do
		cat "$DATA/$f.tsv.gz" >/dev/null	# warm the page cache
		/usr/bin/time -f '%e %U %S %M' -o "$WORK/igzip.$f.time" \
		    igzip -dc "$DATA/$f.tsv.gz" >/dev/null
		printf '%s\t%s\t%s\t%s\n' "$f" "$(field "$WORK/igzip.$f.time" 1)" \
		    "$(stat -c %s "$DATA/$f.tsv.gz")" \
		    "$(size_of "$f")" >>"$WORK/floor.tsv"
	done
}

# size_of NAME: uncompressed bytes of an input (counted once, cached).
size_of() {
	local c=$DATA/.$1.bytes
	[ -s "$c" ] || igzip -dc "$DATA/$1.tsv.gz" | wc -c >"$c"
	cat "$c"
}

# cat_floor DIR: seconds to copy every star and KPI file of DIR to new files.
cat_floor() {
	local out=$WORK/catfloor
	rm -rf "$out"
	mkdir -p "$out"
	/usr/bin/time -f '%e %U %S %M' -o "$WORK/cat.time" \
	    sh -c 'for f in "$1"/star/*.tsv "$1"/kpi/*.tsv; do cat "$f" >"$2/${f##*/}"; done' \
	    sh "$1" "$out"
	field "$WORK/cat.time" 1
	rm -rf "$out"
}

# warm_memory: with --warm, all but 512 MB of the free memory becomes clean
# page cache (a hole read from a sparse file); cool_memory gives it back.
warm_memory() {
	local free
	[ "$WARM" = 1 ] || return 0
	free=$(free_mb)
	[ "$free" -gt 1024 ] || return 0
	truncate -s "$((free - 512))M" "$WORK/warm.fill"
	cat "$WORK/warm.fill" >/dev/null
}
cool_memory() { rm -f "$WORK/warm.fill"; }

run_ours() {	# run_ours K
	rm -rf "$WORK/ours"
	warm_memory
	echo "[$(load)] full.sh, run $1" >&2
	echo "ours $1 $(load)" >>"$WORK/loadavg"
	timed "ours.$1" "$TREE/pipelines/full.sh" --data "$DATA" --out "$WORK/ours" \
	    --as-of "$AS_OF" --m "$M" --no-sqlite --no-report --quiet
	cool_memory
}

run_duck() {	# run_duck K
	rm -rf "$WORK/duckdb" "$WORK/duckdb.tmp"
	warm_memory
	echo "[$(load)] DuckDB, run $1" >&2
	echo "duckdb $1 $(load)" >>"$WORK/loadavg"
	timed "duckdb.$1" node "$HERE/duckdb/star.mjs" --data "$DATA" --out "$WORK/duckdb" \
	    --as-of "$AS_OF" --m "$M" --threads 2 --temp "$WORK/duckdb.tmp"
	rm -rf "$WORK/duckdb.tmp"
	cool_memory
}

# best SYSTEM: the .time file of the fastest run of SYSTEM.
best() {
	local f
	for f in "$WORK/$1".*.time; do
		printf '%s %s\n' "$(field "$f" 1)" "$f"
	done | sort -n | head -n 1 | cut -d' ' -f2
}

# --- reporting -------------------------------------------------------------------
report_end_to_end() {
	local ours duck in_mb gz_mb floor
	ours=$(best ours)
	in_mb=$(awk -F'\t' '{ s += $4 } END { printf "%.0f", s / 1e6 }' "$WORK/floor.tsv")
	gz_mb=$(awk -F'\t' '{ s += $3 } END { printf "%.0f", s / 1e6 }' "$WORK/floor.tsv")
	floor=$(awk -F'\t' '{ s += $2 } END { printf "%.2f", s }' "$WORK/floor.tsv")
	echo "## End to end: scale $SCALE"
	echo
	echo "Input: ${INPUTS[*]} — $gz_mb MB gzip, $in_mb MB uncompressed" \
	    "($(sed -n 's/^rows_title.principals\t//p' "$DATA/SYNTH.tsv") principals)."
	echo
	echo "| system | wall s | CPU s (user+sys) | peak RSS MB (largest process) | input MB/s (uncompressed / wall) |"
	echo "|---|---:|---:|---:|---:|"
	row() {	# row LABEL TIMEFILE
		awk -v l="$1" -v mb="$in_mb" '{ printf "| %s | %.1f | %.1f | %.0f | %.1f |\n",
		    l, $1, $2 + $3, $4 / 1024, ($1 > 0 ? mb / $1 : 0) }' "$2"
	}
	row "p07 pipelines/full.sh" "$ours"
	if [ "$DUCK" = 1 ]; then
		duck=$(best duckdb)
		row "DuckDB $(duck_version), 2 threads" "$duck"
		paste -d' ' "$ours" "$duck" | awk '{ printf "| ratio p07 / DuckDB | %.2f | %.2f | %.2f | %.2f |\n",
		    $1 / $5, ($2 + $3) / ($6 + $7), $4 / $8, $5 / $1 }'
	fi
	awk -v f="$floor" -v mb="$in_mb" 'BEGIN { printf "| floor: igzip -dc of the inputs, one after another | %.1f | | | %.0f |\n", f, mb / f }'
	echo
	echo "Targets:"
	awk -v f="$floor" -v d="$( [ "$DUCK" = 1 ] && field "$duck" 1 || echo 0)" '{
		printf "- wall ≤ 0.5 × DuckDB: %s\n", (d > 0 ? sprintf("%.2f × (%s)", $1 / d, ($1 <= 0.5 * d ? "met" : "MISSED")) : "not measured")
		printf "- wall ≤ 2 × decompression floor: %.1f × (%s)\n", $1 / f, ($1 <= 2 * f ? "met" : "MISSED")
		printf "- peak RSS ≤ 1.5 GB per process: %.0f MB (%s)\n", $4 / 1024, ($4 <= 1.5 * 1048576 ? "met" : "MISSED")
	}' "$ours"
	echo
	echo "Load average (1, 5, 15 min) and free memory at the start of each run" \
	    "($( [ -e "$WORK/warm" ] && echo "free memory filled with clean page cache first: --warm" ||
	        echo "memory as found, without --warm")):"
	sed 's/^/- /' "$WORK/loadavg"
	echo
}

duck_version() {
	node -e "console.log(require('$HERE/duckdb/node_modules/@duckdb/node-api/package.json').version)" \
	    2>/dev/null || echo '?'
}

# Per stage: full.sh's run log against the floor of what the stage must at
# least do (decompress its input, write its output).
report_stages() {
	local ours_out=$WORK/ours total
	# the log is the last run's (its outputs are the ones kept), so is the
	# wall time the shares are of: with --runs, not the fastest run's
	total=$(field "$WORK/ours.$RUNS.time" 1)
	echo "## Per stage: scale $SCALE (p07, last run: $total s)"
	echo
	echo "Floor of a stage: \`igzip -dc\` of its input file for an extract, \`cat\` of its output" \
	    "file(s) into a new file for a stage that writes star or KPI files (both warm cache)."
	echo
	echo "Steps run in two lanes side by side (pipelines/full.sh), so they overlap: \`from\` and \`to\`" \
	    "are seconds since the first step started, and the percentages add up to more than 100."
	echo
	echo "| step | from s | to s | wall s | % of run | rows out | floor s | × floor |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	local name start end secs rows fl t0
	t0=$(awk -F'\t' 'NR > 1 && (t == "" || $2 < t) { t = $2 } END { print t }' "$ours_out/logs/run.log")
	while IFS=$'\t' read -r name start end secs _ rows _; do
		fl=$(stage_floor "$name")
		awk -v n="$name" -v a="$start" -v b="$end" -v z="$t0" -v s="$secs" -v t="$total" \
		    -v r="$rows" -v f="$fl" 'BEGIN {
		    printf "| %s | %.2f | %.2f | %.2f | %.1f | %s | %s | %s |\n", n, a - z, b - z, s,
		        100 * s / t, r, (f == "" ? "" : sprintf("%.2f", f)), (f > 0 ? sprintf("%.0f", s / f) : "") }'
	done < <(tail -n +2 "$ours_out/logs/run.log" | sort -t "$(printf '\t')" -k2,2g)
	# the time no step was running: start-up, the shell between steps, publish
	tail -n +2 "$ours_out/logs/run.log" | sort -t "$(printf '\t')" -k2,2g |
	awk -F'\t' -v t="$total" '
	    { if (n == 0 || $2 > e) { u += e - b; b = $2; e = $3 } else if ($3 > e) e = $3; n++ }
	    END { u += e - b; printf "| (no step running: start-up, shell, publish) | | | %.2f | %.1f | | | |\n",
	        t - u, 100 * (t - u) / t }'
	echo
	echo "Outputs: $(du -sm "$ours_out/star" | cut -f1) MB star, $(du -sm "$ours_out/kpi" | cut -f1) MB KPI;" \
	    "copying them all takes $(cat_floor "$ours_out") s."
	echo
	if [ "$DUCK" = 1 ]; then
		echo "DuckDB's costliest statements (bench/duckdb/star.mjs, last run):"
		echo
		echo "| statement | wall s |"
		echo "|---|---:|"
		awk -F'\t' 'NR > 1 && $1 != "total"' "$WORK/duckdb/logs/duckdb.log" |
		    sort -t "$(printf '\t')" -k2,2gr | head -n 8 |
		    awk -F'\t' '{ printf "| %s | %s |\n", $1, $2 }'
		echo
	fi
}

# stage_floor STEP: the floor in seconds of a full.sh step, or nothing.
stage_floor() {
	local f
	case $1 in
	"extract "*)
		f=${1#extract }
		awk -F'\t' -v f="$f" '$1 == f { print $2 }' "$WORK/floor.tsv" ;;
	"dim_title (scd2)") one_cat star/dim_title.tsv ;;
	fact_ratings|fact_cast_crew|dim_person|title_genre_bridge|dim_genre|dim_date)
		one_cat "star/$1.tsv" ;;
	KPIs) one_cat 'kpi/*.tsv' ;;
	esac
}

one_cat() {	# one_cat GLOB: seconds to copy those output files (relative to ours/)
	(cd "$WORK/ours" && /usr/bin/time -f %e -o "$WORK/one.time" \
	    sh -c 'for f in '"$1"'; do cat "$f" >"$f.floor"; done')
	(cd "$WORK/ours" && rm -f -- $1.floor)
	field "$WORK/one.time" 1
}

machine() {
	if [ -s "${WORK:-}/machine" ]; then
		cat "$WORK/machine"
		return
	fi
	echo "Machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
	    "$(free -g | awk '/^Mem:/ { print $2 }') GB RAM, $(uname -sr);" \
	    "p07 tree $TREE ($(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo '?') in $REPO)."
	echo
}

# --- micro-benchmarks: every bench/*.sh but this one and compare.sh -----------
run_micro() {
	local s out=$CACHE/micro.md
	prepare_duckdb
	# the micro-benchmarks look for DuckDB in bench/node_modules
	[ -e "$HERE/node_modules" ] || ln -s duckdb/node_modules "$HERE/node_modules"
	make -s -C "$REPO" all >&2
	: >"$out"
	for s in "$HERE"/*.sh; do
		case ${s##*/} in run.sh|compare.sh) continue ;; esac
		echo "== ${s##*/}" | tee -a "$out" >&2
		if ! "$s" 2>&1 | tee -a "$out"; then
			echo "bench/run.sh: ${s##*/} failed" | tee -a "$out" >&2
		fi
		echo >>"$out"
	done
	echo "micro-benchmark results in $out" >&2
}

main() {
	need_tools
	mkdir -p "$CACHE"
	if [ "$SCALE" = micro ]; then
		run_micro
		return
	fi
	WORK=$CACHE/run-$SCALE
	DATA=$CACHE/synth-$SCALE
	[ "$REPORT_ONLY" = 1 ] && [ -f "$WORK/floor.tsv" ] || run_all
	[ -d "$WORK/duckdb" ] || DUCK=0
	{
		machine
		report_end_to_end
		report_stages
		if [ "$DUCK" = 1 ]; then
			echo "## Same rows? scale $SCALE"
			echo
			bench/compare.sh "$WORK/ours" "$WORK/duckdb" || echo "(MISMATCH: see above)"
		fi
	} | tee "$CACHE/results-$SCALE.md"
}

run_all() {
	prepare_tree
	prepare_data
	prepare_duckdb
	rm -rf "$WORK"
	mkdir -p "$WORK"
	machine >"$WORK/machine"
	[ "$WARM" = 0 ] || : >"$WORK/warm"
	trap cool_memory EXIT
	measure_floor
	local k
	for k in $(seq 1 "$RUNS"); do
		if [ $((k % 2)) = 1 ]; then
			run_ours "$k"
			[ "$DUCK" = 0 ] || run_duck "$k"
		else
			[ "$DUCK" = 0 ] || run_duck "$k"
			run_ours "$k"
		fi
	done
	# the outputs compared and copied are those of the last runs (the
	# outputs of every run are the same; full.sh is deterministic)
}

cd "$REPO"
main
