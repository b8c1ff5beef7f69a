#!/usr/bin/env bash
# load-postgres.sh - the star schema into PostgreSQL: the re-runnable DDL and
# KPI views of sql/schema.sql, then every table replaced in ONE transaction
# with COPY (csv mode, TAB delimiter, NULL '\N', a quote byte that never
# occurs: backslashes and quotes load as data), then row counts checked.
# The connection comes from the usual PG* variables or --dbname.
# Usage: load-postgres.sh --star DIR --m VOTES [--c MEAN] [--as-of DATE] [--dbname DB]
set -euo pipefail
# shellcheck source=pipelines/lib.sh
. "$(dirname "$0")/lib.sh"

STAR='' M='' CMEAN='' AS_OF='' DBNAME=''
while [ $# -gt 0 ]; do
	case $1 in
	--star) STAR=${2:?}; shift ;;
	--m) M=${2:?}; shift ;;
	--c) CMEAN=${2:-}; shift ;;
	--as-of) AS_OF=${2:?}; shift ;;
	--dbname) DBNAME=${2:?}; shift ;;
	-h|--help) echo "usage: load-postgres.sh --star DIR --m VOTES [--c MEAN] [--as-of DATE] [--dbname DB]"; exit 0 ;;
	*) usage_error "unknown option '$1'" ;;
	esac
	shift
done
[ -n "$STAR" ] && [[ $M =~ ^[0-9]+$ ]] || usage_error "--star and --m VOTES are required"
[ -z "$CMEAN" ] || [[ $CMEAN =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage_error "--c: invalid value '$CMEAN'"
TABLES=(dim_date dim_genre dim_person dim_title fact_ratings fact_cast_crew title_genre_bridge)
for t in "${TABLES[@]}"; do
	[ -f "$STAR/$t.tsv" ] || die "$STAR/$t.tsv: No such file"
done
STAR=$(cd "$STAR" && pwd)

psql_() { psql -X -q -v ON_ERROR_STOP=1 ${DBNAME:+-d "$DBNAME"} "$@"; }
sql_literal() { [ -n "$1" ] && printf "'%s'" "$1" || printf 'NULL'; }

psql_ -f "$P07_ROOT/sql/schema.sql" >/dev/null
{
	echo 'BEGIN;'
	printf 'TRUNCATE run_parameters, %s;\n' "$(IFS=,; echo "${TABLES[*]}")"
	for t in "${TABLES[@]}"; do
		printf '%s\n' "\\copy $t FROM '$STAR/$t.tsv' WITH (FORMAT csv, DELIMITER E'\\t', NULL '\\N', QUOTE E'\\x01', HEADER)"
	done
	echo "INSERT INTO run_parameters (m, c, as_of) VALUES ($M, $(sql_literal "$CMEAN"), $(sql_literal "$AS_OF"));"
	echo 'COMMIT;'
} | psql_ -f - >/dev/null

for t in "${TABLES[@]}"; do
	want=$(rows "$STAR/$t.tsv")
	got=$(psql_ -At -c "SELECT count(*) FROM $t")
	[ "$got" = "$want" ] || die "$t: $got rows loaded, $want in $STAR/$t.tsv"
done
