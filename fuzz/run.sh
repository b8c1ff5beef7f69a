#!/usr/bin/env bash
# fuzz/run.sh [TARGET...]: builds the harnesses, seeds their corpora from the
# sample, runs each for FUZZ_SECONDS (default 60) and prints one line per
# target: seconds, executions, exec/s, corpus size, findings.  A finding is copied to
# fuzz/crashers/TARGET-<sha1> for review (and tests/fuzz-regress.bats).
# Exit 1 when any target found something.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
secs=${FUZZ_SECONDS:-60}
work=build/fuzz
fuzz/build.sh "$@" >/dev/null || exit 1
[ -d "$work/corpus" ] || fuzz/seeds.sh "$work/corpus" || exit 1
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in "$work"/fuzz_*; do targets+=("${f#"$work"/fuzz_}"); done
fi
found=0
final_stat() { sed -n "s/^stat::$1: *//p" "$work/$t.log" | tail -n 1; }	# libFuzzer's
# the table, also kept as TSV in $work/summary.tsv for docs/reliability.md
summary=$work/summary.tsv
printf 'target\tseconds\texecutions\texec_per_s\tcorpus\tnew_units\tpeak_rss_mb\tfindings\n' >"$summary"
printf '%-24s %7s %12s %8s %7s %s\n' target seconds executions exec/s corpus findings
for t in "${targets[@]}"; do
	corpus=$work/corpus/$t art=$work/artifacts/$t/
	mkdir -p "$corpus" "$art"
	[ -d "fuzz/corpus/$t" ] && cp -n fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null
	ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
	    "$work/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 -artifact_prefix="$art" \
	    "$corpus" >"$work/$t.log" 2>&1
	execs=$(final_stat number_of_executed_units)
	rate=$(final_stat average_exec_per_sec)
	newu=$(final_stat new_units_added)
	rss=$(final_stat peak_rss_mb)
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$work/$t.log" | tail -n 1)
	n=0
	for a in "$art"*; do
		[ -f "$a" ] || continue
		n=$((n + 1))
		cp "$a" "fuzz/crashers/$t-$(sha1sum "$a" | cut -c 1-12)"
	done
	[ "$n" -eq 0 ] || found=1
	size=$(find "$corpus" -type f | wc -l)
	what=$([ "$n" -eq 0 ] && echo none || echo "$n in $art (see $work/$t.log)")
	printf '%-24s %7s %12s %8s %7s %s\n' "$t" "${took:-?}" "${execs:-?}" "${rate:-?}" "$size" "$what"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "${took:-?}" "${execs:-?}" "${rate:-?}" \
	    "$size" "${newu:-?}" "${rss:-?}" "$n" >>"$summary"
done
exit "$found"
