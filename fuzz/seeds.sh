#!/usr/bin/env bash
# fuzz/seeds.sh DIR: seed corpora for every harness, cut from the real IMDb
# sample (../shared/data/imdb-sample) when present, else from imdb-synth, into
# DIR/NAME/.  Small inputs: libFuzzer mutates best what it can read whole.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1
sample=${P07_SAMPLE:-../shared/data/imdb-sample}
if [ ! -d "$sample" ]; then
	sample=build/fuzz/synth
	[ -f "$sample/title.basics.tsv.gz" ] || bin/imdb-synth --scale 0.00002 -o "$sample"
fi
files=(title.basics title.ratings title.principals name.basics title.crew title.episode title.akas)
mkdir -p "$dir"
seed() {	# seed TARGET NAME FIRSTBYTE < data
	mkdir -p "$dir/$1"
	{ printf "\\x$(printf %02x "$3")"; cat; } >"$dir/$1/$2"
}
head_of() { { gzip -dc "$sample/$1.tsv.gz" 2>/dev/null || true; } | head -n "$2"; }
for f in "${files[@]}"; do
	[ -f "$sample/$f.tsv.gz" ] || continue
	for flag in 0 1 3; do head_of "$f" 20 | seed tsv "$f-$flag" "$flag"; done
	head_of "$f" 30 | gzip -n >"$dir/gzip.$f.gz" 2>/dev/null || true
	mkdir -p "$dir/gzip" && mv "$dir/gzip.$f.gz" "$dir/gzip/$f.gz"
	{ head_of "$f" 5 | gzip -n; head_of "$f" 8 | tail -n 3 | gzip -n; } >"$dir/gzip/$f.multi.gz"
	head_of "$f" 1 | { cat; echo 'tconst,3-5'; } | seed fieldlist "$f" 1
	for v in 0 1 2 3 4 5; do head_of "$f" 25 | seed tool-imdb-cat "$f-$v" "$v"; done
	for v in 0 1 2 3; do head_of "$f" 25 | seed tool-surrogate-key "$f-$v" "$v"; done
	for v in 0 1 2; do head_of "$f" 25 | seed tool-dim-date "$f-$v" "$v"; done
done
printf '1\n' | seed fieldlist numbers 0
printf 'a\tb\tc\n2-3,1,c\n' | seed fieldlist range 1
cp -r "$dir/gzip" "$dir/gzip.tmp" && mv "$dir/gzip.tmp"/* "$dir/gzip/" && rmdir "$dir/gzip.tmp"
b=title.basics r=title.ratings p=title.principals
for v in 0 1 2 3; do head_of "$b" 25 | cut -f 1,9,2,3 | seed tool-tsv-split-genres "b-$v" "$v"; done
for v in 0 1 2 3 4; do
	{ head_of "$r" 20; printf -- '--\n'; head_of "$b" 30 | cut -f 1-4; } | seed tool-tsv-join "rb-$v" "$v"
	{ head_of "$p" 20 | cut -f 1,3,4; printf -- '--\n'; head_of "$p" 25; } | seed tool-tsv-join "pp-$v" "$v"
done
for v in 0 1 2 3; do
	{ head_of "$b" 15 | cut -f 1-6; printf -- '--\n'; head_of "$b" 20 | cut -f 1-6 | sed '5s/\t0\t/\t1\t/'; } |
	    seed tool-scd2-merge "b-$v" "$v"
	head_of "$r" 30 | seed tool-wrating "r-$v" "$v"
done
for v in 0 1 2 3 4; do
	head_of "$r" 30 | awk -F'\t' -v OFS='\t' 'NR == 1 { print "titleType", $2, $3; next } { print (NR % 3 ? "movie" : "short"), $2, $3 }' |
	    seed tool-kpi-agg "r-$v" "$v"
done
for v in 0 1 2 3; do head_of "$p" 25 | seed tool-tsv-split "p-$v" "$v"; done
# principals come in runs by title; the second copy of a few rows repeats keys
for v in 0 1 2 3 4; do { head_of "$p" 25; head_of "$p" 25 | tail -n 8; } | seed tool-tsv-uniq "p-$v" "$v"; done
# and one run of 100 rows with 70 keys: past the keys tsv-uniq compares one by one
awk 'BEGIN { print "t\to\tn\tc"; for (i = 0; i < 100; i++) printf "tt1\t%d\tnm%d\tx\n", i % 7, i % 70 }' |
    seed tool-tsv-uniq long 2
for v in 0 2; do head_of "$r" 20 | seed tool-evidence-sum "t-$v" "$v"; done
printf 'id\tfile\tcheck\tcolumns\targument\tseverity\nr\tt.tsv\trow_count_between\t-\t1..5\terror\ne\t-\trow_count_eq\t-\tstats:x.rows_in = 3\twarn\n' |
    seed tool-evidence-sum gates 1
