#!/usr/bin/env bash
# fuzz/valgrind.sh: the pipeline's tool steps on the real sample, each under
# Valgrind memcheck; prints one line per step and exits 1 on any error.
# (full.sh puts bin/ first in PATH, so the steps are replayed here.)
set -uo pipefail
cd "$(dirname "$0")/.."
S=${P07_SAMPLE:-../shared/data/imdb-sample}
[ -d "$S" ] || { echo "valgrind: no sample at $S" >&2; exit 1; }
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
vg=(valgrind -q --error-exitcode=99 --leak-check=no --track-origins=yes)
bad=0
step() {	# step NAME COMMAND...: stdout to $w/NAME.tsv
	local name=$1 rc
	shift
	"${vg[@]}" "$@" >"$w/$name.tsv" 2>"$w/$name.err"
	rc=$?
	printf '%-28s exit %3d  %s\n' "$name" "$rc" "$(grep -c '^==' "$w/$name.err") valgrind lines"
	[ "$rc" -ne 99 ] && ! grep -q '^==' "$w/$name.err" || { bad=1; cat "$w/$name.err" >&2; }
}
step basics bin/imdb-cat --unique --rejects "$w/rej.tsv" --stats "$w/st.tsv" "$S/title.basics.tsv.gz"
step ratings bin/imdb-cat "$S/title.ratings.tsv.gz"
step principals bin/imdb-cat "$S/title.principals.tsv.gz"
step names bin/imdb-cat "$S/name.basics.tsv.gz"
step ratings_of_titles bin/tsv-join -f "$w/basics.tsv" -k tconst -a titleType "$w/ratings.tsv"
step wrating bin/wrating -r averageRating -v numVotes -m 1000 -C auto --eligible titleType=movie "$w/ratings_of_titles.tsv"
step keys bin/surrogate-key -k title_key=tconst -k person_key=nconst "$w/principals.tsv"
step inferred bin/tsv-join -e -f "$w/names.tsv" -k nconst "$w/principals.tsv"
step genres bin/tsv-split-genres --null-as Unknown --ordinal o --count n --weight w "$w/basics.tsv"
step kpi bin/kpi-agg -g genres count mean:startYear median:runtimeMinutes --top 5 --by count "$w/genres.tsv"
step snapshot bin/scd2-merge --as-of 2025-08-13 -k tconst --sk title_sk /dev/null "$w/basics.tsv"
step dim_date bin/dim-date -f startYear,endYear "$w/basics.tsv"
printf 'id\tfile\tcheck\tcolumns\targument\tseverity\nu\tsnapshot.tsv\tunique\ttitle_sk\t-\terror\nf\tratings_of_titles.tsv\tfk\ttconst\tbasics.tsv:tconst\terror\n' >"$w/gates.tsv"
step evidence bin/evidence-sum --gates "$w/gates.tsv" --dir "$w" --stats "$w/st.tsv"
exit "$bad"
