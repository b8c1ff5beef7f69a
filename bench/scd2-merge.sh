#!/usr/bin/env bash
# bench/scd2-merge.sh - one SCD2 merge of a ~12 M-row snapshot into a ~12 M-row
# dimension, by scd2-merge and by the same merge written in SQL for DuckDB
# (when @duckdb/node-api is installed in bench/node_modules), on the same
# files.  Wall time and peak RSS come from /usr/bin/time -v.
#
#   bench/scd2-merge.sh [KEYS]      (KEYS: size of the key universe)
#
# Inputs are made by mawk with a fixed seed in bench/cache/scd2-merge/
# (gitignored) and reused: snapshot 0 holds 98.5 % of the keys; snapshot 1
# drops 1 % of those, adds 60 % of the others, changes 10 % of the ratings
# and 30 % of the vote counts.  The DIM is scd2-merge's first load of
# snapshot 0.  Prints a Markdown table; bench/RESULTS.md holds a run.
set -euo pipefail

KEYS=${1:-12180000}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
CACHE=$HERE/cache/scd2-merge
TOOL=$REPO/bin/scd2-merge
S0=$CACHE/snap0-$KEYS.tsv
S1=$CACHE/snap1-$KEYS.tsv
DIM=$CACHE/dim0-$KEYS.tsv
export LC_ALL=C

# Both snapshots in one pass, so that snapshot 1 is drawn from snapshot 0.
make_snapshots() {
	mawk -v n="$KEYS" -v s0="$S0.tmp" -v s1="$S1.tmp" 'BEGIN {
		srand(7)
		print "tconst\taverageRating\tnumVotes" >s0
		print "tconst\taverageRating\tnumVotes" >s1
		for (i = 1; i <= n; i++) {
			in0 = rand() < 0.985
			r = int(rand() * 91) + 10
			v = int(rand() * 200000)
			if (in0)
				printf "tt%08d\t%d.%d\t%d\n", i, r / 10, r % 10, v >s0
			if (in0 ? rand() >= 0.01 : rand() < 0.6) {
				if (rand() < 0.10)
					r = int(rand() * 91) + 10
				if (rand() < 0.30)
					v += int(rand() * 100) + 1
				printf "tt%08d\t%d.%d\t%d\n", i, r / 10, r % 10, v >s1
			}
		}
	}'
	mv "$S0.tmp" "$S0"
	mv "$S1.tmp" "$S1"
}

prepare() {
	mkdir -p "$CACHE"
	make -s -C "$REPO" bin/scd2-merge >/dev/null
	[ -s "$S0" ] && [ -s "$S1" ] || make_snapshots
	if [ ! -s "$DIM" ]; then
		: >"$CACHE/empty"
		"$TOOL" --as-of 2025-01-01 --sk title_sk -o "$DIM" "$CACHE/empty" "$S0"
	fi
}

# measure LABEL COMMAND: wall seconds, CPU seconds (user + system) and peak
# RSS (MB) of one run.  CPU time is the fairer number on a shared machine.
measure() {
	local label=$1 log=$CACHE/time.log
	shift
	/usr/bin/time -v -o "$log" bash -c "$*" >/dev/null
	printf '| %s | %s | %s | %d |\n' "$label" \
	    "$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":")
		s = t[n] + 60 * t[n - 1] + (n > 2 ? 3600 * t[n - 2] : 0)
		print s }' "$log")" \
	    "$(awk -F': ' '/(User|System) time/ { s += $2 } END { print s }' "$log")" \
	    "$(($(awk -F': ' '/Maximum resident/ { print $2 }' "$log") / 1024))"
}

# DUCKDB=0 skips DuckDB (it needs ~10 GB and minutes at 12 M rows).
have_duckdb() {
	[ "${DUCKDB:-1}" = 1 ] && [ -d "$HERE/node_modules/@duckdb/node-api" ] &&
	    command -v node >/dev/null
}

# The merge in SQL, --deletes new_record, as-of 2025-02-01: untouched rows,
# closed current rows, new and next versions, tombstones; sorted by key and
# version and written as TSV like scd2-merge's output.
duckdb_sql() {
	cat <<EOF
CREATE TABLE dim AS SELECT * FROM read_csv('$DIM', delim='\t', header=true,
    quote='', escape='', all_varchar=true);
CREATE TABLE snap AS SELECT *, md5(averageRating || chr(9) || numVotes) AS h
    FROM read_csv('$S1', delim='\t', header=true, quote='', escape='',
    all_varchar=true);
CREATE TABLE m AS
    SELECT d.tconst AS dk, d.version AS dv, d.is_deleted AS dd,
        d.row_hash AS dh, s.tconst AS sk, s.h AS sh
    FROM (SELECT * FROM dim WHERE is_current = '1') d
    FULL JOIN snap s ON d.tconst = s.tconst;
COPY (
    SELECT * FROM (
        SELECT d.* REPLACE (
            CASE WHEN c.dk IS NULL THEN d.valid_to ELSE '2025-02-01' END
                AS valid_to,
            CASE WHEN c.dk IS NULL THEN d.is_current ELSE '0' END
                AS is_current)
        FROM dim d LEFT JOIN (SELECT dk, dv FROM m WHERE
            (sk IS NULL AND dd = '0') OR (sk IS NOT NULL AND dk IS NOT NULL
            AND (dd = '1' OR sh <> dh))) c
            ON d.tconst = c.dk AND d.version = c.dv
        UNION ALL
        SELECT s.tconst, md5(s.tconst || '-2025-02-01'), s.averageRating,
            s.numVotes, s.h, '2025-02-01', '9999-12-31', '1', '0',
            CAST(coalesce(CAST(m.dv AS INTEGER), 0) + 1 AS VARCHAR)
        FROM m JOIN snap s ON m.sk = s.tconst
        WHERE m.dk IS NULL OR m.dd = '1' OR m.sh <> m.dh
        UNION ALL
        SELECT d.tconst, md5(d.tconst || '-2025-02-01'), d.averageRating,
            d.numVotes, d.row_hash, '2025-02-01', '9999-12-31', '1', '1',
            CAST(CAST(d.version AS INTEGER) + 1 AS VARCHAR)
        FROM m JOIN dim d ON m.dk = d.tconst AND m.dv = d.version
        WHERE m.sk IS NULL AND m.dd = '0')
    ORDER BY tconst, CAST(version AS INTEGER)
) TO '$CACHE/duckdb-out.tsv' (FORMAT csv, DELIMITER '\t', HEADER, QUOTE '',
    ESCAPE '');
EOF
}

duckdb_cmd() {
	duckdb_sql >"$CACHE/merge.sql"
	cat >"$CACHE/merge.js" <<EOF
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(require('fs').readFileSync('$CACHE/merge.sql', 'utf8'));
})();
EOF
	echo "NODE_PATH='$HERE/node_modules' node '$CACHE/merge.js'"
}

main() {
	prepare
	echo "Machine: $(nproc) cores, $(awk '/model name/ { sub(/.*: /, ""); print; exit }' /proc/cpuinfo), $(free -g | awk '/Mem:/ { print $2 }') GB RAM; load average $(cut -d' ' -f1 /proc/loadavg)"
	echo "DIM: $(($(wc -l <"$DIM") - 1)) rows, $(($(stat -c %s "$DIM") / 1048576)) MB; SNAPSHOT: $(($(wc -l <"$S1") - 1)) rows, $(($(stat -c %s "$S1") / 1048576)) MB"
	echo
	echo "| merge | wall s | CPU s | peak RSS MB |"
	echo "|---|---:|---:|---:|"
	measure "scd2-merge (first load of snapshot 0)" \
	    "'$TOOL' --as-of 2025-01-01 --sk title_sk -o '$CACHE/load.tsv' '$CACHE/empty' '$S0'"
	measure "scd2-merge (merge)" \
	    "'$TOOL' --as-of 2025-02-01 --sk title_sk --stats '$CACHE/merge.stats' -o '$CACHE/ours-out.tsv' '$DIM' '$S1'"
	measure "scd2-merge (replay of the same date)" \
	    "'$TOOL' --as-of 2025-02-01 --sk title_sk -o '$CACHE/replay.tsv' '$CACHE/ours-out.tsv' '$S1'"
	if have_duckdb; then
		measure "DuckDB SQL (node, same files)" "$(duckdb_cmd)"
	fi
	echo
	awk -F'\t' 'NR > 1 && $2 !~ /^(as_of|deletes|bytes_in)$/ {
	    printf "%s%s %s", sep, $2, $3; sep = ", " } END { print "" }' \
	    "$CACHE/merge.stats"
	cmp -s "$CACHE/replay.tsv" "$CACHE/ours-out.tsv" &&
	    echo "Replay output byte-identical to the merge output."
	if have_duckdb; then
		if cmp -s "$CACHE/duckdb-out.tsv" "$CACHE/ours-out.tsv"; then
			echo "DuckDB output byte-identical to scd2-merge's."
		else
			echo "DuckDB output DIFFERS from scd2-merge's."
		fi
	fi
}

main "$@"
