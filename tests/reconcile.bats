#!/usr/bin/env bats
# Row accounting of pipelines/full.sh (issue #10): every input row is in the
# star schema, in a rejects file with its reason, or merged by a documented
# rule (DESIGN §4) — checked by file from the data, from the steps' --stats,
# and from the evidence JSON's step metrics.  On the real sample and on an
# imdb-synth catalogue with injected bad rows.

load helper

# data rows of a TSV (plain or gzip) with a header
rows() { echo $(( $(gzip -dcf "$1" | wc -l) - 1 )); }
# stat OUT STEP TOOL METRIC: a step's metric as the evidence JSON holds it
ev() {
	jq -r --arg s "$2" --arg t "$3" --arg m "$4" \
	    '.steps[] | select(.step == $s and .tool == $t) | .metrics[$m]' "$1/evidence/P07_evidence.json"
}
# st OUT STEP.TOOL METRIC: the same metric from the stats file
st() { awk -F'\t' -v m="$3" '$2 == m { print $3 }' "$1/stats/$2.tsv"; }

# account OUT DATA: the identities, by file
account() {
	local out=$1 data=$2 f step n in ok rej
	for f in title.basics title.ratings title.principals name.basics title.episode; do
		step=${f//./_}
		n=$(rows "$data/$f.tsv.gz")
		in=$(st "$out" "$step.imdb-cat" rows_in)
		ok=$(st "$out" "$step.imdb-cat" rows_out)
		rej=$(st "$out" "$step.imdb-cat" rows_rejected)
		assert_equal "$f rows_in $in" "$f rows_in $n"
		assert_equal "$f $ok + $rej" "$f $((n - rej)) + $(rows "$out/rejects/$step.tsv")"
		assert_equal "$(ev "$out" "$step" imdb-cat rows_in) $(ev "$out" "$step" imdb-cat rows_rejected)" "$in $rej"
	done
	# title.basics: one dim_title version per accepted title (a first load)
	assert_equal "$(rows "$out/star/dim_title.tsv")" "$(st "$out" title_basics.imdb-cat rows_out)"
	# ratings and principals: matched into the facts, orphans into rejects
	for f in title_ratings:fact_ratings title_principals:fact_cast_crew; do
		step=${f%%:*}
		assert_equal "$(st "$out" "${step}_of_titles.tsv-join" rows_in)" "$(st "$out" "$step.imdb-cat" rows_out)"
		assert_equal "$(st "$out" "${step}_of_titles.tsv-join" matched)" "$(rows "$out/star/${f#*:}.tsv")"
		assert_equal "$(st "$out" "${step}_of_titles.tsv-join" unmatched)" "$(rows "$out/rejects/$step.orphans.tsv")"
		assert_equal "$(ev "$out" "${step}_of_titles" tsv-join matched)" "$(rows "$out/star/${f#*:}.tsv")"
	done
	# name.basics: one dim_person row each, plus the inferred people
	assert_equal "$(awk -F'\t' 'NR > 1 && $8 == 0' "$out/star/dim_person.tsv" | wc -l)" "$(st "$out" name_basics.imdb-cat rows_out)"
	assert_equal "$(awk -F'\t' 'NR > 1 && $8 == 1' "$out/star/dim_person.tsv" | wc -l)" "$(st "$out" dim_person_inferred.kpi-agg rows_out)"
	# title.episode: matched episodes are columns of dim_title, the rest ignored (counted)
	assert_equal "$(st "$out" title_episode_of_titles.tsv-join matched)" \
	    "$(awk -F'\t' 'NR > 1 && $12 != "\\N"' "$out/star/dim_title.tsv" | wc -l)"
	assert_equal "$(( $(st "$out" title_episode_of_titles.tsv-join matched) + $(st "$out" title_episode_of_titles.tsv-join unmatched) ))" \
	    "$(st "$out" title_episode.imdb-cat rows_out)"
}

run_full() {	# run_full DATA OUT
	"$REPO/pipelines/full.sh" --quiet --data "$1" --out "$2" --as-of 2025-08-13 --no-report --no-sqlite
}

@test "real sample: every row of every input file is accounted for" {
	need_sample
	run_full "$SAMPLE" "$BATS_TEST_TMPDIR/out"
	account "$BATS_TEST_TMPDIR/out" "$SAMPLE"
	# and the sample has nothing to reject
	for f in "$BATS_TEST_TMPDIR"/out/rejects/*.tsv; do
		assert_equal "$(basename "$f") $(rows "$f")" "$(basename "$f") 0"
	done
}

@test "synthetic catalogue with injected bad rows: each is rejected with its reason, the rest loaded" {
	cd "$BATS_TEST_TMPDIR"
	imdb-synth --scale 0.0005 -o syn
	mkdir data
	# title.basics: a ragged row and a bad tconst after line 2
	gzip -dc syn/title.basics.tsv.gz | awk 'NR == 3 { print "tt9000001\tmovie\tToo few"; print "t9000002\tmovie\tA\tA\t0\t2001\t\\N\t90\tDrama" } { print }' |
	    gzip -n >data/title.basics.tsv.gz
	# name.basics: the first person again at the end (a duplicate key)
	gzip -dc syn/name.basics.tsv.gz | awk '{ print } NR == 2 { dup = $0 } END { print dup }' | gzip -n >data/name.basics.tsv.gz
	# title.ratings and title.principals: a row for a title that does not exist
	gzip -dc syn/title.ratings.tsv.gz | awk '{ print } END { print "tt9999999\t7.0\t10" }' | gzip -n >data/title.ratings.tsv.gz
	# (and a ragged credit on line 4: the orphan's line counts it)
	gzip -dc syn/title.principals.tsv.gz |
	    awk '{ print } NR == 3 { print "tt0000001\tbad" } END { print "tt9999999\t1\tnm0000001\tactor\t\\N\t[\"X\"]" }' |
	    gzip -n >data/title.principals.tsv.gz
	cp syn/title.episode.tsv.gz data/
	run_full "$PWD/data" out
	account out data
	run cut -f 2-3 out/rejects/title_basics.tsv
	assert_output $'line\treason\n3\texpected 9 fields, found 3\n4\tbad tconst \'t9000002\' (expected tt followed by 7 or more digits)'
	n=$(( $(rows syn/name.basics.tsv.gz) + 2 ))
	first=$(gzip -dc syn/name.basics.tsv.gz | sed -n 2p | cut -f 1)
	run cut -f 2-3 out/rejects/name_basics.tsv
	assert_output $'line\treason\n'"$n"$'\t'"duplicate key '$first' (first seen on line 2)"
	run cut -f 2-3 out/rejects/title_principals.tsv
	assert_output $'line\treason\n4\texpected 6 fields, found 2'
	# the orphans name the file and the line where they are, as they are there
	for f in title.ratings:$'tt9999999\t7.0\t10' \
	    title.principals:$'tt9999999\t1\tnm0000001\tactor\t\\N\t["X"]'; do
		name=${f%%:*} raw=${f#*:}
		last=$(gzip -dc "data/$name.tsv.gz" | wc -l)
		run cat "out/rejects/${name/./_}.orphans.tsv"
		assert_output $'source\tline\treason\traw\n'"$name.tsv.gz"$'\t'"$last"$'\ttconst not in title.basics\t'"$raw"
		assert_equal "$(gzip -dc "data/$name.tsv.gz" | sed -n "${last}p")" "$raw"
	done
	jq -e '.totals.errors == 0' out/evidence/P07_evidence.json
}
