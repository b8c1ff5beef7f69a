#!/usr/bin/env bash
# bench/compare.sh - do two runs hold the same rows?  Order-independent
# comparison of every star/*.tsv and kpi/*.tsv of two output directories
# (pipelines/full.sh's OUT and bench/duckdb/star.mjs's): per file the header,
# the number of data rows and the sha256 of the data rows in byte order
# (LC_ALL=C sort), the same normalisation on both sides.  KPI files have a
# defined row order (sql/kpi-columns.md), so for them a same-rows-other-order
# result is reported too.  Each mismatch is shown with up to SHOW (default 5)
# rows found on one side only.
#
#   bench/compare.sh [-q] OURS REFERENCE
#
# Prints a Markdown table; exit 0 when every file matches, 1 otherwise, 2 on
# a usage error.
set -euo pipefail
export LC_ALL=C

SHOW=${SHOW:-5}
QUIET=0
usage() {
	echo "usage: bench/compare.sh [-q] OURS REFERENCE" >&2
	exit 2
}
[ "${1:-}" = -q ] && { QUIET=1; shift; }
[ $# -eq 2 ] && [ -d "$1" ] && [ -d "$2" ] || usage
A=$1
B=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/compare.XXXXXX")
trap 'rm -rf "$T"' EXIT

# The files to compare: the union of both sides' star/ and kpi/ files.
files() {
	local side
	for side in "$A" "$B"; do
		(cd "$side" && find star kpi -maxdepth 1 -name '*.tsv' 2>/dev/null)
	done | sort -u
}

# body FILE OUT: the data rows of FILE in byte order into OUT.
body() {
	tail -n +2 "$1" | sort -S 25% ${TMPDIR:+-T "$TMPDIR"} >"$2"
}

# show_diff: up to SHOW rows found in only one of the two sorted bodies.
show_diff() {
	local side label
	for side in 1 2; do
		label=ours
		[ "$side" = 2 ] && label=reference
		comm -"$side"3 "$T/a" "$T/b" | head -n "$SHOW" |
		    sed "s/^\\t*/    only in $label: /"
	done
}

# compare_file REL: one table row, plus the differing rows on a mismatch.
compare_file() {
	local rel=$1 a=$A/$1 b=$B/$1 ra rb verdict=same
	if [ ! -f "$a" ] || [ ! -f "$b" ]; then
		printf '| %s | %s | %s | MISSING on %s |\n' "$rel" \
		    "$( [ -f "$a" ] && echo $(($(wc -l <"$a") - 1)) || echo -)" \
		    "$( [ -f "$b" ] && echo $(($(wc -l <"$b") - 1)) || echo -)" \
		    "$( [ -f "$a" ] && echo reference || echo ours)"
		return 1
	fi
	ra=$(($(wc -l <"$a") - 1))
	rb=$(($(wc -l <"$b") - 1))
	if ! cmp -s <(head -n 1 "$a") <(head -n 1 "$b"); then
		printf '| %s | %d | %d | HEADER differs |\n' "$rel" "$ra" "$rb"
		printf '    ours:      %s\n    reference: %s\n' "$(head -n 1 "$a")" "$(head -n 1 "$b")"
		return 1
	fi
	body "$a" "$T/a"
	body "$b" "$T/b"
	if [ "$ra" != "$rb" ] || [ "$(sha256sum <"$T/a")" != "$(sha256sum <"$T/b")" ]; then
		printf '| %s | %d | %d | ROWS differ (%d only in ours, %d only in reference) |\n' \
		    "$rel" "$ra" "$rb" "$(comm -23 "$T/a" "$T/b" | wc -l)" \
		    "$(comm -13 "$T/a" "$T/b" | wc -l)"
		[ "$QUIET" = 1 ] || show_diff
		return 1
	fi
	case $rel in
	kpi/*) cmp -s "$a" "$b" || verdict="same rows, ORDER differs" ;;
	esac
	printf '| %s | %d | %d | %s (sha256 %.12s) |\n' "$rel" "$ra" "$rb" "$verdict" \
	    "$(sha256sum <"$T/a")"
	[ "$verdict" = same ]
}

main() {
	local rel bad=0 n=0
	echo "| file | rows ours | rows reference | result |"
	echo "|---|---:|---:|---|"
	while IFS= read -r rel; do
		n=$((n + 1))
		compare_file "$rel" || bad=$((bad + 1))
	done < <(files)
	echo
	if [ "$n" = 0 ]; then
		echo "no star/*.tsv or kpi/*.tsv in $A or $B" >&2
		exit 1
	fi
	echo "$((n - bad)) of $n files identical (order-independent; KPI files also in order)."
	[ "$bad" = 0 ]
}

main
