#!/usr/bin/env bats
# kpi-agg: every operation, \N semantics, buckets, top-N, --having, rounding,
# errors, and differential checks against sqlite3, awk and PostgreSQL.

load helper
load lib/pg

SMALL=$FIX/kpi-agg/small.tsv

# The PostgreSQL test starts its own cluster: stop and remove it whatever
# the test did (a failing command between pg_start and the end of the test
# used to leave it running), in the shell that knows its directory.  pg_stop
# does nothing when no cluster was started.
teardown() {
	pg_stop
}

# Random one-decimal values in 20 groups, 10 % \N (fixed seed).
gen_random() {
	awk -v n="${1:-5000}" 'BEGIN {
		srand(7); print "g\tx\tw"
		for (i = 0; i < n; i++) {
			g = sprintf("g%02d", int(rand() * 20))
			x = rand() < 0.1 ? "\\N" : sprintf("%.1f", int(rand() * 101) / 10)
			printf "%s\t%s\t%d\n", g, x, int(rand() * 1000)
		}
	}'
}

@test "every operation on a small file (hand-checked golden)" {
	run --separate-stderr kpi-agg -g g count count-nonnull:x \
	    count-distinct:x sum:x mean:x wmean:x:w min:x max:x median:x \
	    quantile:x:0.25 stdev:x first:x last:x share "$SMALL"
	assert_success
	assert_golden kpi-agg/all-ops.tsv
}

@test "no -g: one global row, also for empty input" {
	run --separate-stderr kpi-agg count sum:x mean:x median:x "$SMALL"
	assert_success
	assert_output "$(printf 'count\tsum_x\tmean_x\tmedian_x\n6\t10.75\t2.69\t2.63')"
	run --separate-stderr kpi-agg count mean:x <(printf 'g\tx\n')
	assert_success
	assert_output "$(printf 'count\tmean_x\n0\t\\N')"
	run --separate-stderr kpi-agg -g g count <(printf 'g\tx\n')
	assert_output "g	count"
}

@test "\\N is counted by count, skipped by numeric ops; empty string is an error for numbers" {
	run --separate-stderr kpi-agg count count-nonnull:x min:x <(printf 'x\n\\N\n\\N\n')
	assert_output "$(printf 'count\tcount_nonnull_x\tmin_x\n2\t0\t\\N')"
	run --separate-stderr kpi-agg sum:x <(printf 'x\n1\n\n')
	assert_failure 1
	[[ "$stderr" == "kpi-agg: "*":3: bad x '' (expected a number or \\N)" ]] || fail "$stderr"
}

@test "a non-numeric value is an error naming file, line and field" {
	printf 'tconst\taverageRating\ntt1\t7.5\ntt2\tx\n' >"$BATS_TEST_TMPDIR/r.tsv"
	run --separate-stderr kpi-agg mean:averageRating "$BATS_TEST_TMPDIR/r.tsv"
	assert_failure 1
	[ "$stderr" = "kpi-agg: $BATS_TEST_TMPDIR/r.tsv:3: bad averageRating 'x' (expected a number or \\N)" ] || fail "$stderr"
	assert_output ""
}

@test "renaming, per-column decimals and -p" {
	run --separate-stderr kpi-agg -p 3 -g grp=g n=count avg=mean:x wm=wmean:x:w/4 share/1 "$SMALL"
	assert_success
	assert_output "$(printf 'grp\tn\tavg\twm\tshare\na\t3\t2.375\t2.0833\t0.5\nb\t2\t3.000\t2.0000\t0.3\nc\t1\t\\N\t\\N\t0.2')"
}

@test "rounding is half away from zero on the exact decimal value" {
	# 0.125, 0.135, 2.675, -2.675 are not exact in binary
	printf 'g\tx\na\t0.125\nb\t0.135\nc\t2.675\nd\t-2.675\ne\t-0.001\n' >"$BATS_TEST_TMPDIR/h.tsv"
	run --separate-stderr kpi-agg -g g mean:x "$BATS_TEST_TMPDIR/h.tsv"
	assert_output "$(printf 'g\tmean_x\na\t0.13\nb\t0.14\nc\t2.68\nd\t-2.68\ne\t0.00')"
}

@test "median and quantile follow percentile_cont" {
	printf 'x\n4\n1\n3\n2\n' >"$BATS_TEST_TMPDIR/q.tsv"
	run --separate-stderr kpi-agg -p 4 median:x quantile:x:0 quantile:x:1 \
	    quantile:x:0.1 quantile:x:0.75 "$BATS_TEST_TMPDIR/q.tsv"
	# positions q*(n-1): 1.5 -> 2.5, 0 -> 1, 3 -> 4, 0.3 -> 1.3, 2.25 -> 3.25
	assert_output "$(printf 'median_x\tquantile_x_0\tquantile_x_1\tquantile_x_0.1\tquantile_x_0.75\n2.5000\t1.0000\t4.0000\t1.3000\t3.2500')"
}

@test "stdev is the sample standard deviation; \\N below two values" {
	run --separate-stderr kpi-agg -p 6 stdev:x <(printf 'x\n2\n4\n4\n4\n5\n5\n7\n9\n')
	# mean 5, sum of squares 32, 32/7 -> 2.138090
	assert_output "$(printf 'stdev_x\n2.138090')"
	run --separate-stderr kpi-agg stdev:x <(printf 'x\n2\n')
	assert_output "$(printf 'stdev_x\n\\N')"
}

@test "count-distinct ignores \\N and counts per group" {
	run --separate-stderr kpi-agg -g 1 count-distinct:2 -N <(printf 'a\tt1\na\tt1\na\tt2\nb\tt1\nb\t\\N\n')
	assert_output "$(printf 'a\t2\nb\t1')"
}

@test "first and last keep raw bytes in input order" {
	run --separate-stderr kpi-agg -g 1 first:2 last:2 -N <(printf 'a\t"x y"\nb\t\\N\na\t\nb\tz\n')
	assert_output "$(printf 'a\t"x y"\t\nb\t\\N\tz')"
}

@test "buckets: right-closed, edges to the lower bucket, out_of_range counted" {
	printf 'v\n0\n0.1\n2\n2.01\n4\n5\n10\n10.5\n\\N\n' >"$BATS_TEST_TMPDIR/b.tsv"
	run --separate-stderr kpi-agg --bucket v=0,2,4,5,10 --stats "$BATS_TEST_TMPDIR/st" count "$BATS_TEST_TMPDIR/b.tsv"
	assert_success
	assert_output "$(printf 'bucket\tcount\n(0,2]\t2\n(2,4]\t2\n(4,5]\t1\n(5,10]\t1\nout_of_range\t2\n\\N\t1')"
	run grep out_of_range "$BATS_TEST_TMPDIR/st"
	assert_output "$(printf 'kpi-agg\tout_of_range\t2')"
}

@test "--all-buckets emits every bucket with zeros, per group, in edge order" {
	printf 't\tv\nA\t1\nA\t15\nB\t3\n' >"$BATS_TEST_TMPDIR/b.tsv"
	run --separate-stderr kpi-agg -g t,bucket --bucket v=0,2,5,10 --all-buckets \
	    --within t count share/4 "$BATS_TEST_TMPDIR/b.tsv"
	assert_success
	assert_output "$(printf 't\tbucket\tcount\tshare\nA\t(0,2]\t1\t0.5000\nA\t(2,5]\t0\t0.0000\nA\t(5,10]\t0\t0.0000\nA\tout_of_range\t1\t0.5000\nB\t(0,2]\t0\t0.0000\nB\t(2,5]\t1\t1.0000\nB\t(5,10]\t0\t0.0000')"
}

@test "buckets sort by edge, not by label bytes" {
	run --separate-stderr kpi-agg --bucket v=0,5,10,100 --all-buckets count <(printf 'v\n50\n')
	assert_output "$(printf 'bucket\tcount\n(0,5]\t0\n(5,10]\t0\n(10,100]\t1')"
}

@test "--top keeps the N largest; ties by the next --by key, then group key" {
	printf 'id\tr\tv\nt5\t8\t10\nt4\t9\t5\nt3\t9\t5\nt2\t9\t7\nt1\t7\t99\n' >"$BATS_TEST_TMPDIR/t.tsv"
	run --separate-stderr kpi-agg -g id,r,v --top 3 --by r,v --rank rank "$BATS_TEST_TMPDIR/t.tsv"
	assert_success
	assert_output "$(printf 'rank\tid\tr\tv\n1\tt2\t9\t7\n2\tt3\t9\t5\n3\tt4\t9\t5')"
	run --separate-stderr kpi-agg -g id,r,v --top 2 --by v:asc "$BATS_TEST_TMPDIR/t.tsv"
	assert_output "$(printf 'id\tr\tv\nt3\t9\t5\nt4\t9\t5')"
}

@test "--top per --within scope" {
	printf 'type\tid\tr\nm\ta\t5\nm\tb\t6\nm\tc\t7\ns\td\t1\ns\te\t2\n' >"$BATS_TEST_TMPDIR/w.tsv"
	run --separate-stderr kpi-agg -g type,id mean:r/1 --top 2 --by mean_r --within type --rank rank "$BATS_TEST_TMPDIR/w.tsv"
	assert_output "$(printf 'rank\ttype\tid\tmean_r\n1\tm\tc\t7.0\n2\tm\tb\t6.0\n1\ts\te\t2.0\n2\ts\td\t1.0')"
}

@test "--by compares exact values, not rounded ones" {
	printf 'g\tx\na\t1.004\nb\t1.001\nb\t1.001\nb\t1.003\n' >"$BATS_TEST_TMPDIR/e.tsv"
	run --separate-stderr kpi-agg -g g mean:x --top 1 --by mean_x "$BATS_TEST_TMPDIR/e.tsv"
	assert_output "$(printf 'g\tmean_x\na\t1.00')"
}

@test "--having filters groups; every comparison operator" {
	for c in 'count>=2:a b' 'count>2:a' 'count<=2:b c' 'count<2:c' 'count=2:b' 'count!=2:a c' '1=b:b' '1!=b:a c' 'mean_2>2.5:b' 'mean_2<3:a'; do
		cond=${c%%:*} want=${c#*:}
		run --separate-stderr kpi-agg -N -g 1 count mean:2 --having "$cond" <(tail -n +2 "$SMALL")
		got=$(printf '%s\n' "$output" | cut -f1 | paste -sd' ')
		[ "$got" = "$want" ] || fail "--having '$cond': got '$got', want '$want'"
	done
}

@test "--sort-by an output column, descending, ties by group key" {
	run --separate-stderr kpi-agg -g g count --sort-by count:desc <(printf 'g\nb\na\nc\nc\n')
	assert_output "$(printf 'g\tcount\nc\t2\na\t1\nb\t1')"
}

@test "headerless input: fields by number, no header out" {
	run --separate-stderr kpi-agg -N -g 1 count sum:2 <(printf 'b\t1\na\t2\na\t3\n')
	assert_output "$(printf 'a\t2\t5\nb\t1\t1')"
}

@test "several files and gzip input" {
	gzip -c "$SMALL" >"$BATS_TEST_TMPDIR/s.gz"
	run --separate-stderr kpi-agg -g g count "$SMALL" "$BATS_TEST_TMPDIR/s.gz"
	assert_output "$(printf 'g\tcount\na\t6\nb\t4\nc\t2')"
}

@test "--stats reports rows and groups; -o writes the file" {
	run --separate-stderr kpi-agg -g g count --stats "$BATS_TEST_TMPDIR/st" -o "$BATS_TEST_TMPDIR/o.tsv" "$SMALL"
	assert_success
	assert_output ""
	run cat "$BATS_TEST_TMPDIR/st"
	assert_output "$(printf 'tool\tmetric\tvalue\nkpi-agg\trows_in\t6\nkpi-agg\trows_out\t3\nkpi-agg\trows_rejected\t0\nkpi-agg\tgroups\t3\nkpi-agg\tbytes_in\t50')"
	run cat "$BATS_TEST_TMPDIR/o.tsv"
	assert_output "$(printf 'g\tcount\na\t3\nb\t2\nc\t1')"
}

@test "usage errors exit 2 with a message" {
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run --separate-stderr kpi-agg $args "$SMALL"
		[ "$status" -eq 2 ] || fail "$args: status $status"
		[ "${stderr%%$'\n'*}" = "kpi-agg: $msg" ] || fail "$args: got '$stderr'"
	done <<'EOT'
|no operation given (expected count, sum:FIELD, mean:FIELD, ...)
mean:nope|mean: unknown field 'nope' (header: g, x, w)
mean|mean: mean needs a field (mean:FIELD)
count:x|count:x: count takes no field
quantile:x:2|quantile:x:2: invalid fraction '2' (expected 0 to 1 with at most 6 decimals)
count --top 2|--top needs --by to say what is largest
count --by count|--by needs --top
count --top 1 --by nope|--by: unknown column 'nope' (output columns: count)
count --having count~1|--having: invalid condition 'count~1' (expected COLUMN OP VALUE with OP one of >= > <= < = !=)
count --bucket x=3,1|--bucket: edges must increase ('1' follows a larger or equal edge)
count --all-buckets|--all-buckets needs --bucket
-g g count --within nope|--within: unknown column 'nope' (output columns: g, count)
count -p x|-p: invalid value 'x' (expected a non-negative integer)
EOT
}

@test "a ragged row is an error" {
	run --separate-stderr kpi-agg count <(printf 'a\tb\n1\t2\n3\n')
	assert_failure 1
	[[ "$stderr" == "kpi-agg: "*":3: expected 2 fields, found 1" ]] || fail "$stderr"
}

@test "--help matches the man page synopsis; --version" {
	run kpi-agg --help
	assert_success
	assert_line --index 0 --regexp '^usage: kpi-agg \[-N\] \[-g FIELDS\] OP \.\.\.'
	run kpi-agg --version
	assert_output "kpi-agg (p07) 0.1.0"
	want=$(mandoc -Tascii -O width=200 "$REPO/man/man1/kpi-agg.1" | col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' | tr '\t\n' '  ' | tr -s ' ' | sed 's/^ //; s/ $//')
	got=$(kpi-agg --help | sed '/^OP:/,$d' | sed 's/^usage: //' | tr '\t\n' '  ' | tr -s ' ' | sed 's/ $//')
	[ "$got" = "$want" ] || fail "help: '$got' man: '$want'"
}

@test "a closed pipe ends quietly" {
	run bash -c "seq 1 200000 | sed '1i n' | kpi-agg -g n count | head -n 1"
	assert_success
	assert_output "n	count"
}

# ---- differential tests ----

@test "differential: count, count-nonnull, sum, mean, min, max, stdev vs sqlite3" {
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	gen_random 5000 >"$BATS_TEST_TMPDIR/r.tsv"
	kpi-agg -N -g 1 count count-nonnull:2 sum:2 mean:2 min:2 max:2 \
	    <(tail -n +2 "$BATS_TEST_TMPDIR/r.tsv") >"$BATS_TEST_TMPDIR/got"
	# Exact expectations in integers: x10 = x*10; mean*100 rounded half up
	# (all values >= 0) = (20*S + n) / (2*n) with S = sum(x10).
	sqlite3 -batch -tabs :memory: >"$BATS_TEST_TMPDIR/want" <<EOT
CREATE TABLE r(g TEXT, x TEXT, w INTEGER);
.import --skip 1 $BATS_TEST_TMPDIR/r.tsv r
CREATE VIEW v AS SELECT g, CASE WHEN x = '\\N' THEN NULL
  ELSE CAST(round(CAST(x AS REAL) * 10) AS INTEGER) END AS x10 FROM r;
SELECT g, count(*), count(x10),
  printf('%d.%d', sum(x10) / 10, sum(x10) % 10),
  printf('%d.%02d', ((20 * sum(x10) + count(x10)) / (2 * count(x10))) / 100,
                    ((20 * sum(x10) + count(x10)) / (2 * count(x10))) % 100),
  printf('%d.%d', min(x10) / 10, min(x10) % 10),
  printf('%d.%d', max(x10) / 10, max(x10) % 10)
FROM v GROUP BY g ORDER BY g;
EOT
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -eq 20 ]
	# stdev within 1e-9 relative of sqlite's double computation
	kpi-agg -N -g 1 stdev:2/12 <(tail -n +2 "$BATS_TEST_TMPDIR/r.tsv") >"$BATS_TEST_TMPDIR/sd"
	sqlite3 -batch -tabs :memory: >"$BATS_TEST_TMPDIR/sdw" <<EOT
CREATE TABLE r(g TEXT, x TEXT, w INTEGER);
.import --skip 1 $BATS_TEST_TMPDIR/r.tsv r
CREATE VIEW v AS SELECT g, CAST(x AS REAL) AS x FROM r WHERE x != '\\N';
SELECT v.g, printf('%.15e', sqrt(sum((x - m) * (x - m)) / (count(*) - 1)))
FROM v JOIN (SELECT g, avg(x) AS m FROM v GROUP BY g) a ON a.g = v.g
GROUP BY v.g ORDER BY v.g;
EOT
	run join -t "$(printf '\t')" "$BATS_TEST_TMPDIR/sd" "$BATS_TEST_TMPDIR/sdw"
	[ "${#lines[@]}" -eq 20 ]
	run awk -F'\t' '{ d = $2 - $3; if (d < 0) d = -d; if (d > 1e-9 * $3) { print; bad = 1 } } END { exit bad }' <<<"$output"
	assert_success
}

# percentile_cont reference: sort each group's values (x10 integers) and
# interpolate; with Q = q*10 a one-digit fraction, the value *100 is the
# exact integer 10*v[lo] + rem*(v[lo+1]-v[lo]) where pos*10 = Q*(n-1).
percentile_ref() {
	awk -F'\t' -v Q="$1" '$2 != "\\N" { print $1 "\t" int($2 * 10 + 0.5) }' "$2" |
	    sort -t "$(printf '\t')" -k1,1 -k2,2n |
	    awk -F'\t' -v Q="$1" '
		function flush(   p, lo, rem, r) {
			if (n == 0) return
			p = Q * (n - 1); lo = int(p / 10); rem = p % 10
			r = 10 * v[lo] + (rem ? rem * (v[lo + 1] - v[lo]) : 0)
			printf "%s\t%d.%02d\n", g, int(r / 100), r % 100
		}
		$1 != g { flush(); g = $1; n = 0 }
		{ v[n++] = $2 }
		END { flush() }'
}

@test "differential: median and quantile vs an awk percentile_cont" {
	gen_random 5000 | tail -n +2 >"$BATS_TEST_TMPDIR/r.tsv"
	kpi-agg -N -g 1 median:2 <"$BATS_TEST_TMPDIR/r.tsv" >"$BATS_TEST_TMPDIR/got"
	percentile_ref 5 "$BATS_TEST_TMPDIR/r.tsv" >"$BATS_TEST_TMPDIR/want"
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	for q in 0 1 3 9 10; do
		kpi-agg -N -g 1 "quantile:2:0.$q" <"$BATS_TEST_TMPDIR/r.tsv" >"$BATS_TEST_TMPDIR/got"
		[ "$q" = 10 ] && kpi-agg -N -g 1 "quantile:2:1" <"$BATS_TEST_TMPDIR/r.tsv" >"$BATS_TEST_TMPDIR/got"
		percentile_ref "$q" "$BATS_TEST_TMPDIR/r.tsv" >"$BATS_TEST_TMPDIR/want"
		assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	done
}

@test "differential: real title.ratings by bucket vs sqlite3 and awk" {
	need_sample
	command -v sqlite3 >/dev/null || skip "sqlite3 not installed"
	zcat "$SAMPLE/title.ratings.tsv.gz" >"$BATS_TEST_TMPDIR/r.tsv"
	kpi-agg -N --bucket 2=0,2,4,5,6,7,8,9,10 count sum:3 mean:3 mean:2 \
	    <(tail -n +2 "$BATS_TEST_TMPDIR/r.tsv") >"$BATS_TEST_TMPDIR/got"
	sqlite3 -batch -tabs :memory: >"$BATS_TEST_TMPDIR/want" <<EOT
CREATE TABLE r(t TEXT, x TEXT, v INTEGER);
.import --skip 1 $BATS_TEST_TMPDIR/r.tsv r
CREATE VIEW b AS SELECT CAST(round(CAST(x AS REAL) * 10) AS INTEGER) AS x10, v,
  CASE WHEN CAST(x AS REAL) <= 2 THEN 1 WHEN CAST(x AS REAL) <= 4 THEN 2
  ELSE 3 + CAST(ceil(CAST(x AS REAL)) AS INTEGER) - 5 END AS k,
  CASE WHEN CAST(x AS REAL) <= 2 THEN '(0,2]' WHEN CAST(x AS REAL) <= 4 THEN '(2,4]'
  ELSE printf('(%d,%d]', CAST(ceil(CAST(x AS REAL)) AS INTEGER) - 1,
              CAST(ceil(CAST(x AS REAL)) AS INTEGER)) END AS label FROM r;
SELECT label, count(*), sum(v),
  printf('%d.%02d', ((200 * sum(v) + count(*)) / (2 * count(*))) / 100,
                    ((200 * sum(v) + count(*)) / (2 * count(*))) % 100),
  printf('%d.%02d', ((20 * sum(x10) + count(*)) / (2 * count(*))) / 100,
                    ((20 * sum(x10) + count(*)) / (2 * count(*))) % 100)
FROM b GROUP BY k, label ORDER BY k;
EOT
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	# medians of the ratings per first digit of numVotes, vs the awk reference
	awk -F'\t' 'NR > 1 { print substr($3, 1, 1) "\t" $2 }' "$BATS_TEST_TMPDIR/r.tsv" >"$BATS_TEST_TMPDIR/m.tsv"
	kpi-agg -N -g 1 median:2 "$BATS_TEST_TMPDIR/m.tsv" >"$BATS_TEST_TMPDIR/got"
	percentile_ref 5 "$BATS_TEST_TMPDIR/m.tsv" >"$BATS_TEST_TMPDIR/want"
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
}

@test "differential: PostgreSQL avg, percentile_cont, stddev_samp, round" {
	rc=0
	pg_start || rc=$?
	[ "$rc" -eq 77 ] && skip "$PG_SKIP_REASON"
	[ "$rc" -eq 0 ] || fail "PostgreSQL did not start: $PG_SKIP_REASON"
	gen_random 5000 >"$BATS_TEST_TMPDIR/r.tsv"
	chmod 644 "$BATS_TEST_TMPDIR/r.tsv"
	kpi-agg -g g count mean:x median:x quantile:x:0.9 wmean:x:w/4 \
	    "$BATS_TEST_TMPDIR/r.tsv" | tail -n +2 >"$BATS_TEST_TMPDIR/got"
	kpi-agg -N -g 1 stdev:2/12 <(tail -n +2 "$BATS_TEST_TMPDIR/r.tsv") >"$BATS_TEST_TMPDIR/sd"
	psql -X -q -At -F "$(printf '\t')" -v ON_ERROR_STOP=1 >"$BATS_TEST_TMPDIR/want" 2>"$BATS_TEST_TMPDIR/pgerr" <<EOT || { cat "$BATS_TEST_TMPDIR/pgerr" >&2; fail "psql failed"; }
\pset null '\\N'
CREATE TEMP TABLE r(g text, x numeric, w numeric);
\copy r FROM '$BATS_TEST_TMPDIR/r.tsv' WITH (FORMAT text, HEADER true)
SELECT g, count(*), round(avg(x), 2),
  round((percentile_cont(0.5) WITHIN GROUP (ORDER BY x))::numeric, 2),
  round((percentile_cont(0.9) WITHIN GROUP (ORDER BY x))::numeric, 2),
  round(sum(x * w) FILTER (WHERE x IS NOT NULL) / nullif(sum(w) FILTER (WHERE x IS NOT NULL), 0), 4)
FROM r GROUP BY g ORDER BY g COLLATE "C";
\o $BATS_TEST_TMPDIR/sdw
SELECT g, stddev_samp(x) FROM r GROUP BY g ORDER BY g COLLATE "C";
EOT
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	run join -t "$(printf '\t')" "$BATS_TEST_TMPDIR/sd" "$BATS_TEST_TMPDIR/sdw"
	[ "${#lines[@]}" -eq 20 ]
	run awk -F'\t' '{ d = $2 - $3; if (d < 0) d = -d; if (d > 1e-9 * $3) { print; bad = 1 } } END { exit bad }' <<<"$output"
	assert_success
}

@test "sum, min and max keep the input's decimals unless /DIGITS rounds them" {
	cd "$BATS_TEST_TMPDIR"
	printf 'a\tw\nx\t0.333333\nx\t0.333333\ny\t0.5\ny\t0.000050\n' >w.tsv
	run kpi-agg -g a s=sum:w/4 t=sum:w lo=min:w/2 hi=max:w w.tsv
	assert_success
	assert_output $'a\ts\tt\tlo\thi\nx\t0.6667\t0.666666\t0.33\t0.333333\ny\t0.5001\t0.500050\t0.00\t0.500000'
}

# Keys k000000..: N rows over about G groups, unsorted (fixed seed), with
# a value column v (10 % \N) and a text column t.
gen_many() {
	awk -v n="$1" -v g="$2" 'BEGIN {
		srand(11); print "k\tv\tt"
		for (i = 0; i < n; i++) {
			v = rand() < 0.1 ? "\\N" : sprintf("v%d", int(rand() * 50))
			printf "k%06d\t%s\tr%d\n", int(rand() * g), v, i
		}
	}'
}

@test "many groups (table growth, batches): counts vs sort | uniq -c" {
	gen_many 150000 60000 >"$BATS_TEST_TMPDIR/m.tsv"
	kpi-agg -g k count "$BATS_TEST_TMPDIR/m.tsv" | tail -n +2 >"$BATS_TEST_TMPDIR/got"
	tail -n +2 "$BATS_TEST_TMPDIR/m.tsv" | cut -f1 | LC_ALL=C sort | uniq -c |
	    awk '{ print $2 "\t" $1 }' >"$BATS_TEST_TMPDIR/want"
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -gt 50000 ]
	# --sort-by a count: count descending, then the key ascending
	kpi-agg -g k n=count --sort-by n:desc "$BATS_TEST_TMPDIR/m.tsv" | tail -n +2 >"$BATS_TEST_TMPDIR/got"
	LC_ALL=C sort -t "$(printf '\t')" -k2,2nr -k1,1 "$BATS_TEST_TMPDIR/want" >"$BATS_TEST_TMPDIR/want2"
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want2"
	# ... then a second column; the key breaks the remaining ties
	kpi-agg -g k n=count c=count-nonnull:v --sort-by n:desc,c "$BATS_TEST_TMPDIR/m.tsv" | tail -n +2 >"$BATS_TEST_TMPDIR/got"
	awk -F'\t' 'NR > 1 { n[$1]++; c[$1] += $2 != "\\N" } END { for (k in n) print k "\t" n[k] "\t" c[k] }' \
	    "$BATS_TEST_TMPDIR/m.tsv" | LC_ALL=C sort -t "$(printf '\t')" -k2,2nr -k3,3n -k1,1 >"$BATS_TEST_TMPDIR/want"
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
}

@test "many groups: first and last follow input order across batches" {
	gen_many 100000 30000 >"$BATS_TEST_TMPDIR/m.tsv"
	kpi-agg -g k first:t last:t "$BATS_TEST_TMPDIR/m.tsv" | tail -n +2 >"$BATS_TEST_TMPDIR/got"
	awk -F'\t' 'NR > 1 { if (!($1 in f)) f[$1] = $3; l[$1] = $3 } END { for (k in f) print k "\t" f[k] "\t" l[k] }' \
	    "$BATS_TEST_TMPDIR/m.tsv" | LC_ALL=C sort >"$BATS_TEST_TMPDIR/want"
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
}

@test "count-distinct on many groups vs sort -u | cut | uniq -c, sorted and unsorted values" {
	gen_many 150000 40000 >"$BATS_TEST_TMPDIR/m.tsv"
	awk -F'\t' 'NR > 1 && $2 != "\\N" { print $1 "\t" $2 }' "$BATS_TEST_TMPDIR/m.tsv" |
	    LC_ALL=C sort -u | cut -f1 | uniq -c | awk '{ print $2 "\t" $1 }' >"$BATS_TEST_TMPDIR/nn"
	# groups whose values are all \N count 0
	tail -n +2 "$BATS_TEST_TMPDIR/m.tsv" | cut -f1 | LC_ALL=C sort -u |
	    LC_ALL=C join -t "$(printf '\t')" -a 1 -e 0 -o 0,2.2 - "$BATS_TEST_TMPDIR/nn" >"$BATS_TEST_TMPDIR/want"
	kpi-agg -g k count-distinct:v "$BATS_TEST_TMPDIR/m.tsv" | tail -n +2 >"$BATS_TEST_TMPDIR/got"
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	# the same rows sorted by value (the repeated-value shortcut)
	{ head -n 1 "$BATS_TEST_TMPDIR/m.tsv"; tail -n +2 "$BATS_TEST_TMPDIR/m.tsv" |
	    LC_ALL=C sort -t "$(printf '\t')" -k2,2; } >"$BATS_TEST_TMPDIR/s.tsv"
	kpi-agg -g k count-distinct:v "$BATS_TEST_TMPDIR/s.tsv" | tail -n +2 >"$BATS_TEST_TMPDIR/got"
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	# one group with many values (a group's ids out of order get sorted)
	kpi-agg count-distinct:t count-distinct:v "$BATS_TEST_TMPDIR/m.tsv" >"$BATS_TEST_TMPDIR/got"
	printf 'count_distinct_t\tcount_distinct_v\n150000\t50\n' >"$BATS_TEST_TMPDIR/want"
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
}

@test "the first bad row is the one reported, wherever it falls in a batch" {
	awk 'BEGIN { print "g\tx"; for (i = 2; i <= 100; i++) print "a\t" (i == 50 ? "x" : i) }' >"$BATS_TEST_TMPDIR/b.tsv"
	printf 'a\t1\textra\n' >>"$BATS_TEST_TMPDIR/b.tsv"
	run --separate-stderr kpi-agg -g g sum:x "$BATS_TEST_TMPDIR/b.tsv"
	assert_failure 1
	[ "$stderr" = "kpi-agg: $BATS_TEST_TMPDIR/b.tsv:50: bad x 'x' (expected a number or \\N)" ] || fail "$stderr"
	# a bad bucket value (found while building keys) after a bad number
	# in the same batch, and alone
	awk 'BEGIN { print "g\tx\ty"; for (i = 2; i <= 100; i++)
		print "a\t" (i == 50 ? "z" : i) "\t" (i == 45 ? "bad" : 1) }' >"$BATS_TEST_TMPDIR/c.tsv"
	run --separate-stderr kpi-agg --bucket x=0,50,100 count sum:y "$BATS_TEST_TMPDIR/c.tsv"
	assert_failure 1
	[ "$stderr" = "kpi-agg: $BATS_TEST_TMPDIR/c.tsv:45: bad y 'bad' (expected a number or \\N)" ] || fail "$stderr"
	run --separate-stderr kpi-agg --bucket x=0,50,100 count "$BATS_TEST_TMPDIR/c.tsv"
	assert_failure 1
	[ "$stderr" = "kpi-agg: $BATS_TEST_TMPDIR/c.tsv:50: bad x 'z' (expected a number or \\N)" ] || fail "$stderr"
	run --separate-stderr kpi-agg -g g count <(head -n 100 "$BATS_TEST_TMPDIR/b.tsv"; printf 'a\n')
	assert_failure 1
	[[ "$stderr" == "kpi-agg: "*":101: expected 2 fields, found 1" ]] || fail "$stderr"
	# in the first of two files: reported before the second is read
	run --separate-stderr kpi-agg -g g sum:x "$BATS_TEST_TMPDIR/b.tsv" "$BATS_TEST_TMPDIR/missing.tsv"
	assert_failure 1
	[ "$stderr" = "kpi-agg: $BATS_TEST_TMPDIR/b.tsv:50: bad x 'x' (expected a number or \\N)" ] || fail "$stderr"
}

@test "median and quantile: groups of 18 k values and 50 k groups of a few vs awk" {
	gen_random 40000 | tail -n +2 | awk -F'\t' '{ print (NR % 2 ? "a" : "b") "\t" $2 }' >"$BATS_TEST_TMPDIR/r.tsv"
	for q in 1 5 9; do
		kpi-agg -N -g 1 "quantile:2:0.$q" "$BATS_TEST_TMPDIR/r.tsv" >"$BATS_TEST_TMPDIR/got"
		percentile_ref "$q" "$BATS_TEST_TMPDIR/r.tsv" >"$BATS_TEST_TMPDIR/want"
		assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	done
	gen_random 150000 | tail -n +2 | awk -F'\t' '{ printf "k%06d\t%s\n", $3 * 50 + NR % 50, $2 }' >"$BATS_TEST_TMPDIR/m.tsv"
	kpi-agg -N -g 1 median:2 "$BATS_TEST_TMPDIR/m.tsv" | grep -v '\\N$' >"$BATS_TEST_TMPDIR/got"
	percentile_ref 5 "$BATS_TEST_TMPDIR/m.tsv" >"$BATS_TEST_TMPDIR/want"
	assert_file_eq "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -gt 40000 ]
}
