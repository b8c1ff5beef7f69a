#!/usr/bin/env bash
# fuzz/valgrind.sh: pipelines/full.sh on the real sample with every tool it
# runs under Valgrind memcheck: P07_BIN points at a directory of wrappers
# that exec valgrind on bin/TOOL, one log per process.  Prints one line per
# tool (processes, error lines) and exits 1 on any Valgrind error or when
# the pipeline fails.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
S=${P07_SAMPLE:-../shared/data/imdb-sample}
[ -d "$S" ] || { echo "valgrind: no sample at $S" >&2; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
mkdir "$w/bin" "$w/logs"
for b in bin/*; do
	t=${b#bin/}
	# --error-exitcode: a memcheck error fails the step, and so the run
	printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=no --track-origins=yes --log-file=%s/%s.%%p.log %s/%s "$@"\n' \
	    "$w/logs" "$t" "$root/bin" "$t" >"$w/bin/$t"
	chmod +x "$w/bin/$t"
done
start=$(date +%s)
P07_BIN=$w/bin pipelines/full.sh --quiet --data "$S" --out "$w/out" --as-of 2025-08-13 \
    --no-report --no-sqlite 2>"$w/full.err"
rc=$?
secs=$(( $(date +%s) - start ))
bad=0
printf '%-18s %9s %12s\n' tool processes error_lines
for b in bin/*; do
	t=${b#bin/}
	n=$(find "$w/logs" -name "$t.*.log" | wc -l)
	[ "$n" -gt 0 ] || continue
	e=$(cat "$w/logs/$t".*.log | grep -c '^==')
	printf '%-18s %9d %12d\n' "$t" "$n" "$e"
	[ "$e" -eq 0 ] || { bad=1; cat "$w/logs/$t".*.log >&2; }
done
echo "full.sh exit $rc in ${secs} s; evidence: $(jq -c .totals "$w/out/evidence/P07_evidence.json" 2>/dev/null)"
[ "$rc" -eq 0 ] || { bad=1; cat "$w/full.err" >&2; }
exit "$bad"
