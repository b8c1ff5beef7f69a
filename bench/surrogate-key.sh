#!/usr/bin/env bash
# bench/surrogate-key.sh [ROWS] - keys per second of surrogate-key on a
# principals-shaped file (tconst grouped in runs of 1..15 credits, random
# nconst; default 10,000,000 rows, generated once by awk with a fixed seed
# into bench/cache/), two keys per row (title_key, person_key):
#   single-lane MD5, 8-lane AVX2, 16-lane AVX-512, each without and with
#   memoisation of runs, and DuckDB's md5() over the same file as a peer
#   (when bench/node_modules/@duckdb/node-api is installed:
#    npm install --no-save --prefix bench @duckdb/node-api).
# Prints a Markdown section for bench/RESULTS.md and keeps a copy in
# bench/cache/surrogate-key.md.  RUNS=N sets the repeats (best is kept).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

ROWS=${1:-10000000}
RUNS=${RUNS:-3}
CACHE=bench/cache
DATA=$CACHE/principals-$ROWS.tsv
SK=bin/surrogate-key
DUCK_API=$PWD/bench/node_modules/@duckdb/node-api
KEYS=$((ROWS * 2))
REPORT=$CACHE/surrogate-key.md

gen_principals() {
	[ -s "$DATA" ] && return
	echo "generating $DATA" >&2
	awk -v rows="$ROWS" 'BEGIN {
		srand(20250813)
		split("actor actress self director writer producer composer cinematographer editor", cat, " ")
		print "tconst\tordering\tnconst\tcategory\tjob\tcharacters"
		while (n < rows) {
			t++
			k = 1 + int(rand() * 15)
			for (o = 1; o <= k && n < rows; o++) {
				c = cat[1 + int(rand() * 9)]
				job = rand() < 0.8 ? "\\N" : c
				ch = (c == "actor" || c == "actress" || c == "self") ?
				    "[\"Role " int(rand() * 1000) "\"]" : "\\N"
				printf "tt%07d\t%d\tnm%07d\t%s\t%s\t%s\n", t, o,
				    1 + int(rand() * 15000000), c, job, ch
				n++
			}
		}
	}' >"$DATA.tmp"
	mv "$DATA.tmp" "$DATA"
}

# best_of CMD...: run RUNS times (output to /dev/null); print the smallest
# wall time and the smallest CPU time (user + sys), in seconds.
best_of() {
	local i w u s bw="" bc=""
	for ((i = 0; i < RUNS; i++)); do
		/usr/bin/time -f '%e %U %S' -o "$CACHE/sk.time" "$@" >/dev/null
		read -r w u s <"$CACHE/sk.time"
		bw=$(awk -v a="$w" -v b="$bw" 'BEGIN { print (b == "" || a < b) ? a : b }')
		bc=$(awk -v a="$u" -v s="$s" -v b="$bc" 'BEGIN { c = a + s; print (b == "" || c < b) ? c : b }')
	done
	echo "$bw $bc"
}

# row LABEL COMMAND...: one line of the table.
row() {
	local label=$1 w c
	shift
	read -r w c < <(best_of "$@")
	awk -v l="$label" -v cmd="$*" -v w="$w" -v c="$c" -v k="$KEYS" 'BEGIN {
		printf "| %s | `%s` | %.2f | %.2f | %.1f | %.1f |\n", l, cmd, w, c,
		    k / w / 1e6, k / (c > 0 ? c : 1e-9) / 1e6
	}'
}

duck_script() {
	cat >"$CACHE/sk-duck.js" <<-'EOF'
	// DuckDB md5() of tconst and nconst, keys written as TSV; prints seconds.
	const { DuckDBInstance } = require(process.env.DUCK_API);
	(async () => {
		const [file, out, threads] = process.argv.slice(2);
		const db = await DuckDBInstance.create(':memory:', { threads: threads });
		const con = await db.connect();
		const t0 = process.hrtime.bigint();
		await con.run(`COPY (SELECT md5(tconst) AS title_key, md5(nconst) AS person_key
		    FROM read_csv('${file}', delim = '\t', header = true, quote = '',
		    escape = '', all_varchar = true)) TO '${out}' (HEADER false, DELIMITER '\t')`);
		console.log((Number(process.hrtime.bigint() - t0) / 1e9).toFixed(3));
	})();
	EOF
}

# duck_row THREADS: DuckDB's query time (best of RUNS) and the CPU time of
# the whole node process; the keys it wrote must equal ours.
duck_row() {
	local threads=$1 i q best="" w c
	for ((i = 0; i < RUNS; i++)); do
		q=$(DUCK_API=$DUCK_API /usr/bin/time -f '%e %U %S' -o "$CACHE/sk.time" \
		    node "$CACHE/sk-duck.js" "$DATA" "$CACHE/sk-duck.tsv" "$threads")
		best=$(awk -v a="$q" -v b="$best" 'BEGIN { print (b == "" || a < b) ? a : b }')
	done
	read -r w u s <"$CACHE/sk.time"
	c=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }')
	if ! cmp -s "$CACHE/sk-duck.tsv" "$CACHE/sk-ours.keys"; then
		echo "DuckDB's keys differ from surrogate-key's" >&2
		exit 1
	fi
	awk -v t="$threads" -v w="$best" -v c="$c" -v k="$KEYS" 'BEGIN {
		printf "| DuckDB md5(), %d thread%s | `COPY (SELECT md5(tconst), md5(nconst) FROM read_csv(...)) TO ...` | %.2f | %.2f (node process) | %.1f | %.1f |\n",
		    t, (t > 1 ? "s" : ""), w, c, k / w / 1e6, k / c / 1e6
	}'
}

main() {
	local base=(-k title_key=tconst -k person_key=nconst "$DATA")
	make -s bin/surrogate-key >&2
	gen_principals
	cat "$DATA" >/dev/null	# warm the page cache
	"$SK" --stats "$CACHE/sk-stats.tsv" "${base[@]}" | tail -n +2 | cut -f7,8 \
	    >"$CACHE/sk-ours.keys"
	{
		echo "## surrogate-key"
		echo
		echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores" \
		    "($(lscpu | sed -n 's/^Flags:.*\(avx512f\).*/AVX-512F, /p')AVX2)," \
		    "load average at start $(cut -d' ' -f1-3 /proc/loadavg)."
		echo "Input: \`$DATA\`, $ROWS principals-shaped rows," \
		    "$(wc -c <"$DATA") bytes; 2 keys per row = $KEYS keys;" \
		    "$(awk -F'\t' '$2 == "keys_hashed" { h = $3 } $2 == "keys_memoised" { m = $3 }
		        END { printf "with memoisation %d hashed, %d memoised", h, m }' "$CACHE/sk-stats.tsv")."
		echo "Command: \`bench/surrogate-key.sh $ROWS\` (RUNS=$RUNS, best run kept)." \
		    "keys/s per core = keys / CPU seconds (user + sys) — the figure the" \
		    "DESIGN target (>= 8 M keys/s per core) is about; keys/s wall includes" \
		    "waiting for a CPU on a shared machine."
		echo
		echo "| run | command | wall s | CPU s | M keys/s wall | M keys/s per core |"
		echo "|---|---|---:|---:|---:|---:|"
		row "pass-through floor (no keys)" bin/imdb-cat --schema none "$DATA"
		row "single-lane, no memo" "$SK" --engine scalar --no-memo "${base[@]}"
		row "AVX2 8 lanes, no memo" "$SK" --engine avx2 --no-memo "${base[@]}"
		row "AVX-512 16 lanes, no memo" "$SK" --engine avx512 --no-memo "${base[@]}"
		row "single-lane, memo" "$SK" --engine scalar "${base[@]}"
		row "AVX-512 16 lanes, memo (default)" "$SK" "${base[@]}"
		if [ -d "$DUCK_API" ] && command -v node >/dev/null; then
			duck_script
			duck_row 1
			duck_row "$(nproc)"
		else
			echo "| DuckDB | not installed (see the top of bench/surrogate-key.sh) | | | | |"
		fi
	} | tee "$REPORT"
}

main "$@"
