#!/usr/bin/env bash
# load-sqlite.sh - the star schema into one SQLite file (the embedded
# default): schema and KPI views from sql/schema-sqlite.sql, every table
# imported as bytes (no CSV quoting: `"` and `\` are data), `\N` made NULL,
# row counts checked against the files.  Built beside DB and renamed into
# place, so a failed load leaves the previous DB as it was.
# Usage: load-sqlite.sh --star DIR --db FILE --m VOTES [--c MEAN] [--as-of DATE]
set -euo pipefail
# shellcheck source=pipelines/lib.sh
. "$(dirname "$0")/lib.sh"

STAR='' DB='' M='' CMEAN='' AS_OF=''
while [ $# -gt 0 ]; do
	case $1 in
	--star) STAR=${2:?}; shift ;;
	--db) DB=${2:?}; shift ;;
	--m) M=${2:?}; shift ;;
	--c) CMEAN=${2:-}; shift ;;
	--as-of) AS_OF=${2:?}; shift ;;
	-h|--help) echo "usage: load-sqlite.sh --star DIR --db FILE --m VOTES [--c MEAN] [--as-of DATE]"; exit 0 ;;
	*) usage_error "unknown option '$1'" ;;
	esac
	shift
done
[ -n "$STAR" ] && [ -n "$DB" ] && [[ $M =~ ^[0-9]+$ ]] ||
	usage_error "--star, --db and --m VOTES are required"
[ -z "$CMEAN" ] || [[ $CMEAN =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage_error "--c: invalid value '$CMEAN'"
TABLES=(dim_date dim_genre dim_person dim_title fact_ratings fact_cast_crew title_genre_bridge)
for t in "${TABLES[@]}"; do
	[ -f "$STAR/$t.tsv" ] || die "$STAR/$t.tsv: No such file"
done

tmp=$DB.tmp.$$
rm -f "$tmp"
trap 'rm -f "$tmp"' EXIT

sql_literal() { [ -n "$1" ] && printf "'%s'" "$1" || printf 'NULL'; }

{
	cat "$P07_ROOT/sql/schema-sqlite.sql"
	echo '.mode ascii'
	printf '%s\n' '.separator "\t" "\n"'
	echo 'BEGIN;'
	for t in "${TABLES[@]}"; do
		cols=$(head -n 1 "$STAR/$t.tsv" | tr '\t' ,)
		sel=$(head -n 1 "$STAR/$t.tsv" |
			sed -e "s/[^\t][^\t]*/nullif(\"&\", '\\\\N')/g" -e 's/\t/, /g')
		echo ".import '$STAR/$t.tsv' stage_$t"
		echo "INSERT INTO $t ($cols) SELECT $sel FROM stage_$t;"
		echo "DROP TABLE stage_$t;"
	done
	echo "INSERT INTO run_parameters (m, c, as_of) VALUES ($M, $(sql_literal "$CMEAN"), $(sql_literal "$AS_OF"));"
	echo 'COMMIT;'
	# Statistics for the planner: without them it scans the materialised
	# rated_title_latest once per row of a LEFT JOIN (minutes on 50,000
	# titles) instead of building an automatic index (seconds).
	echo 'ANALYZE;'
} | sqlite3 -bail "$tmp" >/dev/null

# every row of every file is in its table
for t in "${TABLES[@]}"; do
	want=$(rows "$STAR/$t.tsv")
	got=$(sqlite3 "$tmp" "SELECT count(*) FROM $t")
	[ "$got" = "$want" ] || die "$t: $got rows loaded, $want in $STAR/$t.tsv"
done
mv "$tmp" "$DB"
trap - EXIT
