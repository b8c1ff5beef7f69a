#!/usr/bin/env bats
# pipelines/report.sh: the HTML page and its Markdown twin over a run built
# from the star-mini fixture (KPIs by kpi.sh, evidence by evidence-sum with
# tests/fixtures/report/gates.tsv: passing, warning and failing gates).  Two
# titles are renamed so the data carries markup: tt0000003 becomes
#   "Charlie" & 'Co' <Returns>     (HTML: quotes, ampersand, angle brackets)
# and tt0000001 becomes
#   Alpha|Beta \ Gamma             (Markdown: a table bar, a backslash)
# The page is opened in headless Chromium when the chromium package is there.

# shellcheck disable=SC2154  # $stderr is set by bats' run --separate-stderr
load helper

CHARLIE=$'"Charlie" & \'Co\' <Returns>'
ALPHA='Alpha|Beta \ Gamma'

setup_file() {
	local r=$BATS_FILE_TMPDIR/out
	mkdir -p "$r/star" "$r/evidence"
	cp "$FIX"/star-mini/{dim_*,fact_*,title_genre_bridge}.tsv "$r/star/"
	awk -F'\t' -v OFS='\t' -v c="$CHARLIE" -v a="$ALPHA" '
		$1 == "tt0000003" { $5 = c; $6 = c }
		$1 == "tt0000001" { $5 = a }
		{ print }' "$FIX/star-mini/dim_title.tsv" >"$r/star/dim_title.tsv"
	"$REPO/pipelines/kpi.sh" --star "$r/star" --out "$r/kpi" --m 1000
	# one gate fails on purpose (exit 1): the panel must show red
	evidence-sum --gates "$FIX/report/gates.tsv" --dir "$r" --as-of 2025-02-02 \
		--param m=1000 -o "$r/evidence/P07_evidence.json" 2>/dev/null && return 1
	[ -s "$r/evidence/P07_evidence.json" ]
	"$REPO/pipelines/report.sh" --out "$r"
	"$REPO/pipelines/report.sh" --out "$r" --format md
}

setup() {
	R=$BATS_FILE_TMPDIR/out
	REPORT=$REPO/pipelines/report.sh
}

# bars ID FILE: the <rect> elements inside the <svg> whose id is ID
bars() {
	awk -v id="id=\"$1\"" '
		BEGIN { RS = "</svg>" }
		(i = index($0, id)) > 0 { s = substr($0, i); print gsub(/<rect[ >]/, "", s); found = 1 }
		END { if (!found) print "no chart " id }' "$2"
}

# expected bars, from the KPI files: every bucket of ALL; a titles bar per
# genre plus a mean bar per genre with a mean; a bar per decade row; a mean
# bar per decade with a mean
expect_bars() {
	case $1 in
	chart-rating-buckets) awk -F'\t' '$1 == "ALL"' "$R/kpi/rating_distribution.tsv" | wc -l ;;
	chart-genres) awk -F'\t' 'NR > 1 { n++; if ($4 != "\\N") n++ } END { print n }' \
		"$R/kpi/genre_performance.tsv" ;;
	chart-decade-titles) awk 'NR > 1' "$R/kpi/trends_by_decade.tsv" | wc -l ;;
	chart-decade-rating) awk -F'\t' 'NR > 1 && $5 != "\\N"' "$R/kpi/trends_by_decade.tsv" | wc -l ;;
	esac
}

@test "report.sh: the page and the Markdown land in OUT, nothing else is left" {
	[ -s "$R/report.html" ]
	[ -s "$R/report.md" ]
	run compgen -G "$R/report.*.tmp.*"
	assert_failure
	run head -c 15 "$R/report.html"
	assert_output '<!DOCTYPE html>'
}

@test "report.sh: every chart has one bar per value (8 rating buckets, 8+8 genres, 6 and 5 decades)" {
	local chart want
	for chart in chart-rating-buckets chart-genres chart-decade-titles chart-decade-rating; do
		want=$(expect_bars "$chart")
		run bars "$chart" "$R/report.html"
		assert_output "$want"
	done
	# the fixture's numbers, worked out by hand from star-mini
	run bars chart-rating-buckets "$R/report.html"
	assert_output 8
	run bars chart-genres "$R/report.html"
	assert_output 16
	run bars chart-decade-titles "$R/report.html"
	assert_output 6
	run bars chart-decade-rating "$R/report.html"
	assert_output 5
	# no rect outside the four charts
	run grep -c '<rect' "$R/report.html"
	assert_output 35
}

@test "report.sh: text from the data is escaped in HTML" {
	run grep -cF '<td>&quot;Charlie&quot; &amp; &#39;Co&#39; &lt;Returns&gt;</td>' "$R/report.html"
	assert_output 1
	run grep -cF "$CHARLIE" "$R/report.html"
	assert_output 0
	run grep -cF "<td>$ALPHA</td>" "$R/report.html"
	assert_output 2
}

@test "report.sh: the page is well-formed, self-contained and valid for the checkers present" {
	if command -v xmllint >/dev/null; then
		run xmllint --noout "$R/report.html"
		assert_success
		assert_output ''
	fi
	if command -v tidy >/dev/null; then
		run tidy -q -e "$R/report.html"
		assert_success
		assert_output ''
	fi
	# nothing to fetch: no src or href, the only URLs are the two namespaces
	run grep -ciE 'src=|href=|url\(|@import' "$R/report.html"
	assert_output 0
	run sh -c "grep -oE 'https?://[^\"]*' '$R/report.html' | sort -u"
	assert_output $'http://www.w3.org/1999/xhtml\nhttp://www.w3.org/2000/svg'
	run grep -c 'Content-Security-Policy' "$R/report.html"
	assert_output 1
}

@test "report.sh: the quality panel is red, with each gate's colour and every table" {
	run grep -c '<div class="status red">5 of 7 quality gates passed</div>' "$R/report.html"
	assert_output 1
	run grep -c '<span class="pill fail">fail</span>' "$R/report.html"
	assert_output 2    # the gate and its table
	run grep -c '<span class="pill warn">warn</span>' "$R/report.html"
	assert_output 2
	# a row per table: rows and sha256 of every star and KPI file, in path order
	local want
	want=$(cd "$R" && { sha256sum star/*.tsv kpi/*.tsv; wc -l star/*.tsv kpi/*.tsv; } |
		awk 'length($1) == 64 { sha[$2] = $1; next } $2 in sha { print $2, $1 - 1, sha[$2] }' |
		LC_ALL=C sort)
	run awk '
		/<table id="tables">/ { on = 1 }
		on && /<\/table>/ { exit }
		on && /^<tr><td/ { gsub(/<[^>]*>/, " "); print $1, $2, $NF }' "$R/report.html"
	assert_output "$want"
}

@test "report.sh --format md: exact text for the fixture" {
	run cat "$R/report.md"
	assert_golden report/mini.md
	# cross-check the histogram rows with the KPI file
	run sh -c "awk -F'\t' '\$1 == \"ALL\" { print \$2, \$3 }' '$R/kpi/rating_distribution.tsv'"
	local want=$output
	run sh -c "awk '/^### All rated titles/ { on = 1; next } on && /^[|]/ { print; seen = 1; next }
		seen { exit }' '$R/report.md' | awk -F' *[|] *' 'NR > 2 { print \$2, \$3 }'"
	assert_output "$want"
	# the markup of the data is escaped for Markdown
	run grep -cF '| "Charlie" \& '"'Co'"' \<Returns> |' "$R/report.md"
	assert_output 1
	run grep -cF '| Alpha\|Beta \\ Gamma ' "$R/report.md"
	assert_output 2
}

@test "report.sh: deterministic: a second run on a copy of OUT elsewhere gives the same bytes" {
	local fmt copy=$BATS_TEST_TMPDIR/elsewhere
	cp -r "$R" "$copy"
	for fmt in html md; do
		run "$REPORT" --out "$copy" --format "$fmt"
		assert_success
		assert_file_eq "$copy/report.$fmt" "$R/report.$fmt"
	done
}

@test "report.sh -o -: standard output, OUT untouched; --rows cuts the long lists" {
	local before
	before=$(sha256sum "$R/report.md")
	run --separate-stderr "$REPORT" --out "$R" --format md -o -
	assert_success
	[ "$output" = "$(cat "$R/report.md")" ]
	[ "$before" = "$(sha256sum "$R/report.md")" ]
	run --separate-stderr "$REPORT" --out "$R" --format md --rows 2 -o -
	assert_success
	assert_line 'Showing 2 of 6 rows; all of them are in kpi/top_rated_movies.tsv.'
	assert_line 'Showing 2 of 3 rows; all of them are in kpi/talent_actors.tsv.'
}

@test "report.sh: usage errors exit 2, missing inputs exit 1, and no report is left" {
	run --separate-stderr "$REPORT"
	assert_equal "$status" 2
	assert_equal "$stderr" $'report.sh: --out DIR is required\nTry \'report.sh --help\' for more information.'
	run --separate-stderr "$REPORT" --out "$R" --format pdf
	assert_equal "$status" 2
	assert_equal "${stderr%%$'\n'*}" "report.sh: --format: invalid value 'pdf' (expected html or md)"
	run --separate-stderr "$REPORT" --out "$R" --rows x
	assert_equal "$status" 2
	run --separate-stderr "$REPORT" --help
	assert_success
	assert_line --index 0 'usage: report.sh --out DIR [--format html|md] [-o FILE|-] [--rows N]'

	local bad=$BATS_TEST_TMPDIR/bad
	cp -r "$R" "$bad"
	rm "$bad/report.html" "$bad/kpi/genre_performance.tsv"
	run --separate-stderr "$REPORT" --out "$bad"
	assert_equal "$status" 1
	assert_equal "$stderr" "report.sh: $bad/kpi/genre_performance.tsv: not found (run pipelines/kpi.sh first)"
	cp "$R/kpi/genre_performance.tsv" "$bad/kpi/"
	echo '{"not": "evidence"}' >"$bad/evidence/P07_evidence.json"
	run --separate-stderr "$REPORT" --out "$bad"
	assert_equal "$status" 1
	assert_equal "$stderr" "report.sh: $bad/evidence/P07_evidence.json: not an evidence file of evidence-sum"
	run ls "$bad"
	refute_output --partial report.html
}

@test "report.html in headless Chromium: loads without console errors, charts drawn, screenshot taken" {
	command -v chromium >/dev/null ||
		skip "chromium not installed (Debian package chromium, see pipelines/install-deps.sh)"
	local profile=$BATS_TEST_TMPDIR/profile shot=$BATS_TEST_TMPDIR/report.png chart want
	mkdir -p "$profile"
	run --separate-stderr timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$profile" \
		--enable-logging=stderr --v=0 --hide-scrollbars --window-size=1280,1600 \
		--screenshot="$shot" --dump-dom "file://$R/report.html"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/dom.html"
	# no console message at all (errors, CSP violations, failed loads log there)
	if grep -E ':CONSOLE|Refused to|net::ERR' <<<"$stderr"; then
		fail "the page logged messages in Chromium"
	fi
	# the whole document was parsed: the footer is there
	assert_output --partial '<footer id="end">'
	# the browser's DOM has every bar, and the title as text
	for chart in chart-rating-buckets chart-genres chart-decade-titles chart-decade-rating; do
		want=$(expect_bars "$chart")
		run bars "$chart" "$BATS_TEST_TMPDIR/dom.html"
		assert_output "$want"
	done
	run grep -cF '<td>"Charlie" &amp; '"'Co'"' &lt;Returns&gt;</td>' "$BATS_TEST_TMPDIR/dom.html"
	assert_output 1
	# a PNG of the window's size
	run od -An -tx1 -N8 "$shot"
	assert_output ' 89 50 4e 47 0d 0a 1a 0a'
	[ "$(stat -c %s "$shot")" -gt 20000 ]
}
