#!/usr/bin/env bats
# Input files in any order (DESIGN §6): real slices are not always sorted by
# key.  full.sh sorts what must be sorted (the dim_title snapshot) and skips
# the sort when the file already is; both paths give the same star schema and
# KPI files, byte for byte -- the ones the committed evidence records.

load helper

# shuffled NAME DIR: DIR/NAME.tsv, the sample's NAME with its rows reversed
shuffled() {
	zcat "$SAMPLE/$1.tsv.gz" | { IFS= read -r h; printf '%s\n' "$h"; tac; } >"$2/$1.tsv"
}

@test "title.basics and title.episode in reverse order: the committed evidence's star and KPI files" {
	need_sample
	d=$BATS_TEST_TMPDIR/data
	mkdir "$d"
	for f in title.ratings title.principals name.basics; do
		ln -s "$SAMPLE/$f.tsv.gz" "$d/$f.tsv.gz"
	done
	shuffled title.basics "$d"
	shuffled title.episode "$d"
	run "$REPO/pipelines/full.sh" --quiet --data "$d" --out "$BATS_TEST_TMPDIR/out" \
	    --as-of 2025-08-13 --no-sqlite --no-report
	assert_success
	# every output file has the sha256 the sorted run recorded
	outputs() { jq -r '.outputs[] | "\(.file) \(.rows) \(.sha256)"' "$1"; }
	assert_equal "$(outputs "$BATS_TEST_TMPDIR/out/evidence/P07_evidence.json")" \
	    "$(outputs "$REPO/evidence/P07_evidence.json")"
	[ "$(outputs "$REPO/evidence/P07_evidence.json" | wc -l)" -eq 19 ]
}
