#!/usr/bin/env bash
# bench/evidence-sum.sh [RUN_DIR [BINARY...]] - evidence-sum over the output
# of a pipeline run (default bench/cache/run-0.1/ours, left by bench/run.sh),
# called as pipelines/lib.sh's evidence() calls it: from inside the run,
# evidence/gates.tsv, --stats stats, the run's m and C, limit \N.
# For each BINARY (default bin/evidence-sum): wall, user, sys, CPU seconds
# and peak RSS (GNU time), the load average before it started, and whether
# the evidence is byte-identical to RUN_DIR/evidence/P07_evidence.json.
# RUNS=N repeats each binary (default 1); SOURCE sets the source parameter
# the run was made with (default synth-0.1).  THREADS="1 2" runs each binary
# with each P07_EVIDENCE_THREADS (default: the binary's own choice; a binary
# from before issue #9 ignores it).  WARM=1 reads the star files first, so
# that they come from the page cache (scale 1.0: 15 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

ROOT=$PWD
RUN=${1:-bench/cache/run-0.1/ours}
shift || true
BINS=("$@")
[ ${#BINS[@]} -gt 0 ] || BINS=("$ROOT/bin/evidence-sum")
RUNS=${RUNS:-1}
SOURCE=${SOURCE:-synth-0.1}
THREADS=${THREADS:--}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

[ -d "$RUN/star" ] || { echo "$RUN: no star/ (run bench/run.sh first)" >&2; exit 1; }

stat_of() {	# FILE METRIC: the value of a --stats file's metric
	awk -F'\t' -v m="$2" '$2 == m { print $3 }' "$1"
}

C=$(stat_of "$RUN/stats/fact_ratings.wrating.tsv" C)
M=$(stat_of "$RUN/stats/fact_ratings.wrating.tsv" m)
AS_OF=$(jq -r .run.as_of "$RUN/evidence/P07_evidence.json")

echo "| binary | threads | load | wall s | user s | sys s | CPU s | peak RSS MB | evidence |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
for b in "${BINS[@]}"; do
	case $b in /*) ;; *) b=$ROOT/$b ;; esac
	for _ in $(seq "$RUNS"); do
		for t in $THREADS; do
			[ "${WARM:-0}" = 0 ] || cat "$RUN"/star/*.tsv >/dev/null
			load=$(cut -d' ' -f1 /proc/loadavg)
			env=()
			[ "$t" = - ] || env=(P07_EVIDENCE_THREADS="$t")
			(cd "$RUN" && env "${env[@]}" /usr/bin/time -o "$OUT/time" -f '%e %U %S %M' \
			    "$b" --gates "$ROOT/evidence/gates.tsv" --dir . --stats stats \
			    --as-of "$AS_OF" --param "m=$M" --param "C=$C" \
			    --param 'limit=\N' --param "source=$SOURCE" \
			    -o "$OUT/ev.json" 2>/dev/null) || true
			same=differs
			cmp -s "$OUT/ev.json" "$RUN/evidence/P07_evidence.json" && same=identical
			read -r e u s m < <(tail -n 1 "$OUT/time")
			awk -v b="$b" -v t="$t" -v l="$load" -v e="$e" -v u="$u" -v s="$s" -v m="$m" -v same="$same" \
			    'BEGIN { printf "| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.0f | %s |\n",
			    b, t, l, e, u, s, u + s, m / 1024, same }'
		done
	done
done
