#!/usr/bin/env bats
# pipelines/fetch.sh against a local busybox httpd serving copies of the real sample files.
# The expected bytes and sha256 are the ones PROVENANCE.md of the sample publishes, not values the script
# computed; Last-Modified is pinned by setting the served files' mtime.

# shellcheck disable=SC2154 # $stderr is set by Bats' run --separate-stderr.
bats_require_minimum_version 1.5.0
load lib/assert
load 'lib/httpd'

REPO=${BATS_TEST_DIRNAME%/*}
SAMPLE=$REPO/../shared/data/imdb-sample
FETCH=$REPO/pipelines/fetch.sh

# From ../shared/data/imdb-sample/PROVENANCE.md (head-2025): file, .gz bytes, sha256 of .gz.
PROVENANCE_ROWS='name.basics.tsv.gz	1296498	78a703ac031fb755360874466176bb80eea77bca9394295fa18fc309de05dd1d
title.akas.tsv.gz	640847	2d3be8e981a9c19e9b4be0ddeb97ff57589b84e8dd3a9d0ca181534333f4fb3e
title.basics.tsv.gz	983841	08b73482bab06076cf6be3e5307ce6f548ece1bc916db933a5ec40128e52ce1f
title.crew.tsv.gz	641744	e44c44b549d04da3b09c66b6dab2690e5dfe143dffc7b797e0a7038b4400eb48
title.episode.tsv.gz	15840	437052cb6743afbd95df4fc3f1e4c2aaf8df2b6fabaf90109255489344316071
title.principals.tsv.gz	543525	96f2f39bf13be70af3f4c8411c554a52061781efeace388f3de653bdac2505b8
title.ratings.tsv.gz	164734	bb1a6049aabd6d991cc0cee56f17c2271d2bd58b21b6aa1d3f86999467eafbaa'
SERVED_MTIME='2025-08-13 08:11:00 UTC'
SERVED_ISO=2025-08-13T08:11:00Z

setup() {
	[[ -d $SAMPLE ]] || skip "IMDb sample not found at $SAMPLE"
	SRV=$BATS_TEST_TMPDIR/srv
	OUT=$BATS_TEST_TMPDIR/out
	LOG=$BATS_TEST_TMPDIR/httpd.log
	mkdir -p "$SRV"
	cp "$SAMPLE"/*.tsv.gz "$SRV"/
	touch -d "$SERVED_MTIME" "$SRV"/*.tsv.gz
	httpd_start "$SRV" "$LOG"
}

teardown() {
	httpd_stop
}

# The manifest the sample should give: PROVENANCE's rows for FILES (all seven by default), plus the
# pinned Last-Modified and the URL on our server.
expected_manifest() {
	printf 'file\tbytes\tsha256\tlast_modified\turl\n'
	printf '%s\n' "$PROVENANCE_ROWS" | while IFS=$'\t' read -r file bytes sha; do
		if (($# == 0)) || [[ " $* " == *" $file "* ]]; then
			printf '%s\t%s\t%s\t%s\t%s\n' "$file" "$bytes" "$sha" "$SERVED_ISO" "$HTTPD_URL/$file"
		fi
	done
}

# Compare a file with the expected text byte for byte; on a difference show both with od -c.
assert_file_is() {
	local path=$1 expected=$2
	if [[ $(cat "$path"; printf x) != "$expected"x ]]; then
		echo "--- $path (od -c)"
		od -c "$path" | head -40
		echo "--- expected (od -c)"
		printf '%s' "$expected" | od -c | head -40
		return 1
	fi
}

mtimes() {
	stat -c '%n %Y' "$OUT"/*
}

@test "fetches all seven files and writes the exact manifest" {
	run --separate-stderr "$FETCH" --base-url "$HTTPD_URL/" --dir "$OUT"
	assert_success
	assert_output ''
	assert_equal "$stderr" "fetch.sh: name.basics.tsv.gz: downloaded 1296498 bytes
fetch.sh: title.akas.tsv.gz: downloaded 640847 bytes
fetch.sh: title.basics.tsv.gz: downloaded 983841 bytes
fetch.sh: title.crew.tsv.gz: downloaded 641744 bytes
fetch.sh: title.episode.tsv.gz: downloaded 15840 bytes
fetch.sh: title.principals.tsv.gz: downloaded 543525 bytes
fetch.sh: title.ratings.tsv.gz: downloaded 164734 bytes"
	assert_file_is "$OUT/MANIFEST.tsv" "$(expected_manifest)
"
	run ls "$OUT"
	assert_output "MANIFEST.tsv
name.basics.tsv.gz
title.akas.tsv.gz
title.basics.tsv.gz
title.crew.tsv.gz
title.episode.tsv.gz
title.principals.tsv.gz
title.ratings.tsv.gz"
	# Independent of the manifest: the files on disk are the sample's bytes, stamped with the server's time.
	(cd "$OUT" && printf '%s\n' "$PROVENANCE_ROWS" | awk -F'\t' '{ print $3 "  " $1 }' | sha256sum -c --quiet)
	assert_equal "$(stat -c %Y "$OUT/title.basics.tsv.gz")" "$(date -d "$SERVED_MTIME" +%s)"
	run httpd_requests "$LOG"
	assert_output "url:/name.basics.tsv.gz
url:/title.akas.tsv.gz
url:/title.basics.tsv.gz
url:/title.crew.tsv.gz
url:/title.episode.tsv.gz
url:/title.principals.tsv.gz
url:/title.ratings.tsv.gz"
}

@test "a second run re-verifies what is there and downloads nothing" {
	"$FETCH" --base-url "$HTTPD_URL" --dir "$OUT" 2>/dev/null
	cp "$OUT/MANIFEST.tsv" "$BATS_TEST_TMPDIR/manifest.first"
	before=$(mtimes | grep -v MANIFEST)
	requests_before=$(httpd_requests "$LOG" | wc -l)
	run --separate-stderr "$FETCH" --base-url "$HTTPD_URL" --dir "$OUT"
	assert_success
	assert_output ''
	assert_equal "$stderr" "fetch.sh: name.basics.tsv.gz: present, verified (1296498 bytes)
fetch.sh: title.akas.tsv.gz: present, verified (640847 bytes)
fetch.sh: title.basics.tsv.gz: present, verified (983841 bytes)
fetch.sh: title.crew.tsv.gz: present, verified (641744 bytes)
fetch.sh: title.episode.tsv.gz: present, verified (15840 bytes)
fetch.sh: title.principals.tsv.gz: present, verified (543525 bytes)
fetch.sh: title.ratings.tsv.gz: present, verified (164734 bytes)"
	assert_equal "$(httpd_requests "$LOG" | wc -l)" "$requests_before"
	assert_equal "$requests_before" 7
	assert_equal "$(mtimes | grep -v MANIFEST)" "$before"
	cmp "$BATS_TEST_TMPDIR/manifest.first" "$OUT/MANIFEST.tsv"
}

@test "resumes a partial .part with a range request" {
	mkdir -p "$OUT"
	head -c 400000 "$SAMPLE/title.basics.tsv.gz" >"$OUT/title.basics.tsv.gz.part"
	run --separate-stderr "$FETCH" --base-url "$HTTPD_URL" --dir "$OUT" --files title.basics
	assert_success
	assert_output ''
	assert_equal "$stderr" "fetch.sh: title.basics.tsv.gz: resumed at byte 400000, 983841 bytes"
	run httpd_responses "$LOG"
	assert_output "response:206"
	assert_equal "$(sha256sum <"$OUT/title.basics.tsv.gz")" \
		"08b73482bab06076cf6be3e5307ce6f548ece1bc916db933a5ec40128e52ce1f  -"
	assert [ ! -e "$OUT/title.basics.tsv.gz.part" ]
	assert_file_is "$OUT/MANIFEST.tsv" "$(expected_manifest title.basics.tsv.gz)
"
}

@test "a .part the server cannot continue is downloaded again from the start" {
	mkdir -p "$OUT"
	head -c 20000 /dev/zero >"$OUT/title.episode.tsv.gz.part"
	run --separate-stderr "$FETCH" --base-url "$HTTPD_URL" --dir "$OUT" --files title.episode.tsv.gz
	assert_success
	assert_equal "$stderr" "fetch.sh: title.episode.tsv.gz: server cannot resume at byte 20000; downloading from the start
fetch.sh: title.episode.tsv.gz: downloaded 15840 bytes"
	cmp "$SAMPLE/title.episode.tsv.gz" "$OUT/title.episode.tsv.gz"
	assert_file_is "$OUT/MANIFEST.tsv" "$(expected_manifest title.episode.tsv.gz)
"
}

@test "a truncated gzip on the server is an error naming the file; the .part stays, no final file" {
	head -c 300000 "$SAMPLE/title.crew.tsv.gz" >"$SRV/title.crew.tsv.gz"
	touch -d "$SERVED_MTIME" "$SRV/title.crew.tsv.gz"
	run --separate-stderr "$FETCH" --base-url "$HTTPD_URL" --dir "$OUT" --files title.crew,title.ratings
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "fetch.sh: $OUT/title.crew.tsv.gz.part: gzip -t failed: unexpected end of file (kept for resume; remove it to download afresh)
fetch.sh: title.ratings.tsv.gz: downloaded 164734 bytes"
	assert [ ! -e "$OUT/title.crew.tsv.gz" ]
	assert_equal "$(wc -c <"$OUT/title.crew.tsv.gz.part")" 300000
	assert_file_is "$OUT/MANIFEST.tsv" "$(expected_manifest title.ratings.tsv.gz)
"
	# Running again asks the server for the rest, finds the stream still broken, and says so again.
	run --separate-stderr "$FETCH" --base-url "$HTTPD_URL" --dir "$OUT" --files title.crew
	assert_failure 1
	assert_equal "$stderr" "fetch.sh: $OUT/title.crew.tsv.gz.part: gzip -t failed: unexpected end of file (kept for resume; remove it to download afresh)"
	assert [ ! -e "$OUT/title.crew.tsv.gz" ]
}

@test "a 404 is an error naming the file and URL; the other files are still fetched" {
	rm "$SRV/title.principals.tsv.gz"
	run --separate-stderr "$FETCH" --base-url "$HTTPD_URL" --dir "$OUT" --retries 2
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "fetch.sh: name.basics.tsv.gz: downloaded 1296498 bytes
fetch.sh: title.akas.tsv.gz: downloaded 640847 bytes
fetch.sh: title.basics.tsv.gz: downloaded 983841 bytes
fetch.sh: title.crew.tsv.gz: downloaded 641744 bytes
fetch.sh: title.episode.tsv.gz: downloaded 15840 bytes
fetch.sh: title.principals.tsv.gz: download failed: HTTP 404 from $HTTPD_URL/title.principals.tsv.gz
fetch.sh: title.ratings.tsv.gz: downloaded 164734 bytes"
	assert [ ! -e "$OUT/title.principals.tsv.gz" ]
	assert [ ! -e "$OUT/title.principals.tsv.gz.part" ]
	assert_file_is "$OUT/MANIFEST.tsv" "$(expected_manifest name.basics.tsv.gz title.akas.tsv.gz \
		title.basics.tsv.gz title.crew.tsv.gz title.episode.tsv.gz title.ratings.tsv.gz)
"
	# A 404 is not transient: one request, no retries.
	assert_equal "$(httpd_requests "$LOG" | grep -c principals)" 1
}

@test "a present file that no longer matches its manifest row is an error" {
	"$FETCH" --base-url "$HTTPD_URL" --dir "$OUT" --files title.ratings,title.episode 2>/dev/null
	cp "$SAMPLE/ratings-2017-08-13/title.ratings.tsv.gz" "$OUT/title.ratings.tsv.gz"
	run --separate-stderr "$FETCH" --base-url "$HTTPD_URL" --dir "$OUT" --files title.ratings,title.episode
	assert_failure 1
	assert_equal "$stderr" "fetch.sh: title.episode.tsv.gz: present, verified (15840 bytes)
fetch.sh: $OUT/title.ratings.tsv.gz: sha256 78e7229746ec0bda431d9004676feb7bcd9196eb1d2e0856db5f5b5ab6e3443b differs from MANIFEST.tsv (bb1a6049aabd6d991cc0cee56f17c2271d2bd58b21b6aa1d3f86999467eafbaa); remove it to download again"
	# The row keeps recording what was fetched.
	assert_file_is "$OUT/MANIFEST.tsv" "$(expected_manifest title.episode.tsv.gz title.ratings.tsv.gz)
"
}

@test "usage errors exit 2 with the exact message" {
	local -a cases=(
		"--bogus|unrecognized option '--bogus'"
		"-x|unrecognized option '-x'"
		"extra|unexpected argument 'extra'"
		"--dir|option '--dir' requires an argument"
		"--retries=x|--retries: expected an integer from 0 to 100, got 'x'"
		"--retries=101|--retries: expected an integer from 0 to 100, got '101'"
		"--files=title.basics,title.foo|--files: unknown file 'title.foo' (expected one of: name.basics title.akas title.basics title.crew title.episode title.principals title.ratings)"
		"--files=|--files: expected a comma-separated list of file names, got ''"
		"--base-url=ftp://example.org/|--base-url: expected an http:// or https:// URL, got 'ftp://example.org/'"
	)
	local c arg msg
	for c in "${cases[@]}"; do
		arg=${c%%|*}
		msg=${c#*|}
		run --separate-stderr "$FETCH" --dir "$OUT" "$arg"
		assert_failure 2
		assert_output ''
		assert_equal "$stderr" "fetch.sh: $msg
Try 'fetch.sh --help' for more information."
	done
	assert [ ! -e "$OUT" ]
	run httpd_requests "$LOG"
	assert_output ''
}

@test "--help prints the usage to stdout and exits 0" {
	run --separate-stderr "$FETCH" --help
	assert_success
	assert_equal "$stderr" ''
	assert_line --index 0 'usage: fetch.sh [--base-url URL] [--dir DIR] [--files LIST] [--retries N] [--help]'
	assert_line '  --base-url URL  where the files are (default https://datasets.imdbws.com/)'
}
