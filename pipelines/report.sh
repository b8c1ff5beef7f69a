#!/usr/bin/env bash
# report.sh - the KPIs, charts and quality gates of one p07 run as one
# self-contained HTML page (inline CSS and SVG charts, no script, nothing
# fetched) or as Markdown for a terminal.  Reads OUT/kpi, OUT/star,
# OUT/evidence/P07_evidence.json and OUT/logs/run.log; writes only the report.
# The same OUT gives the same bytes: no clock, the date is the evidence's as_of.
set -euo pipefail
# shellcheck source=pipelines/lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<'TXT'
usage: report.sh --out DIR [--format html|md] [-o FILE|-] [--rows N]
  --out DIR       the output directory of full.sh (kpi/, star/, evidence/)
  --format FMT    html (default: DIR/report.html) or md (DIR/report.md)
  -o FILE         write FILE instead; - is standard output
  --rows N        rows shown of the long lists (default 25, 0 = all)
TXT
}

OUT=
FORMAT=html
TARGET=
ROWS=25
KPI_FILES=(kpi_summary content_overall content_by_type rating_distribution
	genre_performance trends_by_decade top_rated_movies top_rated_by_type
	talent_actors talent_directors highest_rated_actors)

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--out) OUT=${2:?--out needs a directory}; shift ;;
		--format) FORMAT=${2:?--format needs html or md}; shift ;;
		-o|--output) TARGET=${2:?-o needs a file}; shift ;;
		--rows) ROWS=${2:?--rows needs a number}; shift ;;
		-h|--help) usage; exit 0 ;;
		*) usage_error "unknown option '$1'" ;;
		esac
		shift
	done
	[ -n "$OUT" ] || usage_error "--out DIR is required"
	case $FORMAT in
	html|md) ;;
	*) usage_error "--format: invalid value '$FORMAT' (expected html or md)" ;;
	esac
	[[ $ROWS =~ ^[0-9]+$ ]] || usage_error "--rows: invalid value '$ROWS' (expected a non-negative integer)"
	[ -n "$TARGET" ] || TARGET=$OUT/report.$FORMAT
}

check_inputs() {
	local f
	command -v jq >/dev/null || die "jq not found (Debian package jq)"
	[ -d "$OUT" ] || die "$OUT: no such directory"
	for f in "${KPI_FILES[@]}"; do
		[ -f "$OUT/kpi/$f.tsv" ] || die "$OUT/kpi/$f.tsv: not found (run pipelines/kpi.sh first)"
	done
	EVIDENCE=$OUT/evidence/P07_evidence.json
	[ -f "$EVIDENCE" ] || die "$EVIDENCE: not found (run evidence-sum first)"
	jq -e '.run and .gates and .totals and .outputs' "$EVIDENCE" >/dev/null 2>&1 ||
		die "$EVIDENCE: not an evidence file of evidence-sum"
}

# --- the evidence as small TSV files (\N for null) in $T -----------------------
# One jq pass writes "FILE<TAB>row" lines; awk sorts them into $T/FILE.tsv.
evidence_tables() {
	jq -r '
		def cell: if . == null then "\\N" else tostring | gsub("[\t\r\n]"; " ") end;
		def tsv($file): [$file] + map(cell) | join("\t");
		(["as_of", "p07_version", "gates", "passed", "warned", "failed", "errors"] | tsv("totals")),
		([.run.as_of, .p07_version, .totals.gates, .totals.passed, .totals.warned,
		  .totals.failed, .totals.errors] | tsv("totals")),
		(["key", "value"] | tsv("params")),
		(.run.params | to_entries[] | [.key, .value] | tsv("params")),
		(.run.tool_versions | to_entries[] | ["version of " + .key, .value] | tsv("params")),
		(["id", "file", "check", "severity", "status", "observed", "threshold", "message"]
		 | tsv("gates")),
		(.gates[] | [.id, .file, .check, .severity, .status, .observed, .threshold, .message]
		 | tsv("gates")),
		(["file", "rows", "sha256"] | tsv("outputs")),
		(.outputs[] | [.file, .rows, .sha256] | tsv("outputs")),
		# an input appears once as given (--input) and once per step that read it
		(["file", "bytes", "rows", "step", "rows_read", "sha256"] | tsv("inputs")),
		(.inputs | group_by(.file)[] |
		 (map(select(.step == null))[0]) as $given |
		 (map(select(.step != null))[0]) as $read |
		 [.[0].file, .[0].bytes, $given.rows, $read.step, $read.rows, .[0].sha256]
		 | tsv("inputs"))' "$EVIDENCE" |
	awk -F'\t' -v dir="$T" '{ f = $1; sub(/^[^\t]*\t/, ""); print > (dir "/" f ".tsv") }'
	{
		head -n 1 "$T/outputs.tsv"
		{ tail -n +2 "$T/outputs.tsv"; unlisted_tables; } | sort
	} >"$T/tables.tsv"
}

# unlisted_tables: rows and sha256 of the star and KPI tables no gate named
unlisted_tables() {
	local f rel files=()
	local -A listed=()
	while IFS=$'\t' read -r rel _; do
		listed[$rel]=1
	done <"$T/outputs.tsv"
	for f in "$OUT"/star/*.tsv "$OUT"/kpi/*.tsv; do
		rel=${f#"$OUT"/}
		[ -f "$f" ] && [ -z "${listed[$rel]:-}" ] && files+=("$rel")
	done
	[ "${#files[@]}" -gt 0 ] || return 0
	(cd "$OUT" && sha256sum -- "${files[@]}" && wc -l -- "${files[@]}") |
	awk '
		NF == 2 && length($1) == 64 { sha[$2] = $1; next }
		NF == 2 && ($2 in sha) { printf "%s\t%d\t%s\n", $2, ($1 > 0 ? $1 - 1 : 0), sha[$2] }'
}

# rawk [-v NAME=VALUE]... PROGRAM FILE...: awk with the helpers of
# report.awk in front of PROGRAM
rawk() {
	local vars=()
	while [ "$1" = -v ]; do
		vars+=(-v "$2")
		shift 2
	done
	local prog=$1
	shift
	awk -F'\t' -v OFS='\t' -v fmt="$FORMAT" -v top="$ROWS" "${vars[@]}" "$AWKLIB
$prog" "$@"
}

# --- page -------------------------------------------------------------------------
page_begin() {
	rawk '
	NR == 2 { as_of = $1 }
	END {
		title = "IMDb KPI report" (isnull(as_of) ? "" : " — as of " as_of)
		if (fmt == "md") { printf "# %s\n\n", title; exit }
		print "<!DOCTYPE html>"
		print "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">"
		print "<head>"
		print "<meta charset=\"utf-8\"/>"
		print "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
		print "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;\"/>"
		printf "<title>%s</title>\n", esc("p07 " title)
	}' "$T/totals.tsv"
	[ "$FORMAT" = md ] || { page_css; echo "</head>"; echo "<body>"; }
}

page_css() {
	cat <<'CSS'
<style>
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#f3f5f8}
header.top{background:#1f2a37;color:#fff;padding:18px 28px;display:flex;justify-content:space-between;align-items:center;gap:16px;flex-wrap:wrap}
header.top h1{margin:0;font-size:22px;font-weight:600}
header.top p{margin:3px 0 0;color:#c3cdd8}
main{max-width:1200px;margin:0 auto;padding:4px 24px 16px}
section{background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:16px 20px 18px;margin:16px 0}
h2{font-size:17px;margin:0 0 12px}
h3,figcaption{font-size:14px;font-weight:600;margin:2px 0 8px;color:#3d4652}
.lead{margin:-6px 0 12px;color:#59636e}
.cards+h3,.tbl+h3,.note+h3{margin-top:16px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(440px,1fr));gap:16px 28px;align-items:start}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(172px,1fr));gap:12px}
.card{border:1px solid #d8dee4;border-left:4px solid #3572b0;border-radius:6px;padding:9px 12px;background:#fbfcfd;min-width:0}
.card .k{font-size:11px;color:#59636e;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:20px;font-weight:600;margin:1px 0;overflow-wrap:anywhere}
.card .s{font-size:12px;color:#59636e;overflow-wrap:anywhere}
.card.green{border-left-color:#1a7f37}.card.amber{border-left-color:#bf8700}.card.red{border-left-color:#cf222e}
.tbl{max-height:440px;overflow:auto;border:1px solid #d8dee4;border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:4px 8px;border-bottom:1px solid #eceff2;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#f3f5f8;font-weight:600;white-space:nowrap}
.r{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.c,td.h{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px}
td.c{white-space:nowrap}td.h{overflow-wrap:anywhere;min-width:9em}
td.none{color:#59636e;font-style:italic}
tbody tr:nth-child(even){background:#f9fafb}
.pill{display:inline-block;padding:0 8px;border-radius:9px;font-size:12px;font-weight:600;color:#fff}
.pass{background:#1a7f37}.warn{background:#bf8700}.fail,.error{background:#cf222e}
.status{font-size:15px;font-weight:600;padding:6px 16px;border-radius:18px;color:#fff;white-space:nowrap}
.status.green{background:#1a7f37}.status.amber{background:#bf8700}.status.red{background:#cf222e}
.note{color:#59636e;font-size:12px;margin:6px 0 0}
figure{margin:0}
svg.chart{width:100%;height:auto;display:block}
svg .bar.count{fill:#3572b0}svg .bar.rating{fill:#e0892b}
svg .gl{stroke:#e6eaee}svg .axis{stroke:#8c959f}
svg text{font-size:11px;fill:#3d4652}svg .tick,svg .sub{fill:#7d8590}
svg .val{fill:#1f2328;font-weight:600}svg .head{font-weight:600;fill:#59636e}
footer{color:#59636e;font-size:12px;text-align:center;padding:0 0 24px}
</style>
CSS
}

# header: the date, m and C, and the colour of the quality gates
page_header() {
	rawk '
	FILENAME ~ /totals/ && FNR == 2 { as_of = $1; g = $3; p = $4; w = $5; f = $6 + $7 }
	FILENAME ~ /content_overall/ && FNR == 2 { m = $9; c = $8 }
	END {
		tone = f > 0 ? "red" : w > 0 ? "amber" : "green"
		line = "As of " show(as_of) " · m = " thou(m) " votes · C = " c
		state = p " of " g " quality gates passed"
		if (fmt == "md") {
			sub(/^As of [^·]* · /, "", line)
			printf "%s · quality gates: **%s** (%s)\n\n", line, toupper(tone), state
			exit
		}
		print "<header class=\"top\"><div>"
		printf "<h1>IMDb KPI report</h1>\n<p>%s</p>\n", esc(line)
		printf "</div><div class=\"status %s\">%s</div></header>\n<main>\n", tone, esc(state)
	}' "$T/totals.tsv" "$OUT/kpi/content_overall.tsv"
}

page_end() {
	[ "$FORMAT" = html ] || return 0
	rawk '
	FNR == 2 {
		printf "</main>\n<footer id=\"end\">p07 %s · pipelines/report.sh · ", esc($2)
		print "from kpi/, star/ and evidence/P07_evidence.json</footer>\n</body>\n</html>"
	}' "$T/totals.tsv"
}

# --- sections ---------------------------------------------------------------------
sec_headline() {
	rawk '
	FNR == 1 { f++; next }
	f == 1 { kv[$1] = $2; next }
	f == 2 && $1 == kv["most_prolific_actor"] { an = $2; at = $3; next }
	f == 3 && $1 == kv["most_prolific_director"] { dn = $2; dt = $3; next }
	f == 4 && $2 == kv["highest_rated_actor"] { hn = $3; hm = $6; ht = $4; next }
	f == 5 { g = $3; p = $4; w = $5; fl = $6 + $7 }
	function who(nconst, name) {
		return isnull(nconst) ? "—" : isnull(name) || name == "" ? nconst : name
	}
	END {
		sec_begin("headline", "Headline KPIs", "")
		cards_begin()
		card("Titles", thou(kv["titles"]), thou(kv["rated_titles"]) " rated · " \
		    kv["title_types"] " title types")
		card("Mean rating", show(kv["mean_rating"]), "median " show(kv["median_rating"]))
		card("Votes", thou(kv["total_votes"]), show(kv["mean_votes"]) " per rated title")
		card("Vote-weighted mean", show(kv["vote_weighted_mean_all"]), \
		    "C = " show(kv["c"]) " (movies) · m = " thou(kv["m"]))
		card("Top movie", show(kv["top_movie_title"]), isnull(kv["top_movie_tconst"]) ? \
		    "no movie with m votes" : "WR " kv["top_movie_weighted_rating"] " · " \
		    kv["top_movie_tconst"] " · " kv["top_rated_movies"] " ranked")
		card("Top genre", show(kv["top_genre"]), thou(kv["top_genre_titles"]) " titles · " \
		    kv["genres"] " genres")
		card("Modal rating bucket", show(kv["modal_rating_bucket"]), "most rated titles")
		card("Peak decade", show(kv["peak_decade"]), "most titles")
		card("Most prolific actor", who(kv["most_prolific_actor"], an), \
		    at == "" ? "" : thou(at) " titles · " kv["talent_actors"] " with 5 or more")
		card("Most prolific director", who(kv["most_prolific_director"], dn), \
		    dt == "" ? "" : thou(dt) " titles · " kv["talent_directors"] " with 3 or more")
		card("Highest-rated actor", who(kv["highest_rated_actor"], hn), \
		    ht == "" ? "" : "mean " hm " · " thou(ht) " titles")
		card("Quality gates", p " of " g, "passed · " w " warned · " fl " failed", \
		    fl > 0 ? "red" : w > 0 ? "amber" : "green")
		cards_end()
	}' "$OUT/kpi/kpi_summary.tsv" "$OUT/kpi/talent_actors.tsv" \
		"$OUT/kpi/talent_directors.tsv" "$OUT/kpi/highest_rated_actors.tsv" "$T/totals.tsv"
	rawk '
	BEGIN {
		h3("Titles by type")
		tbl("content-by-type", "type\ttitles\trated\tmean rating\tmedian\tvotes\tmean votes",
		    "l n n r r n r")
	}
	FNR > 1 { row($0) }
	END { tbl_end(""); sec_end() }' "$OUT/kpi/content_by_type.tsv"
}

sec_ratings() {
	rawk '
	FNR == 1 { next }
	$1 == "ALL" {
		B_n++; B_lab[B_n] = $2; B_val[B_n] = $3; B_txt[B_n] = thou($3)
		B_sub[B_n] = isnull($4) ? "" : pct($4)
		next
	}
	{
		if (!($1 in seen)) { seen[$1] = 1; types[++nt] = $1 }
		if (!($2 in col)) { col[$2] = ++nb; bucket[nb] = $2 }
		n[$1, $2] = $3
	}
	END {
		sec_begin("ratings", "Rating distribution", \
		    "Rated titles by the right-closed bucket of their average rating.")
		grid_begin(); col_begin()
		B_head = "bucket"; B_vhead = "titles"
		vbars("chart-rating-buckets", "All rated titles by rating bucket", "count")
		col_end(); col_begin()
		h3("Rated titles by type and bucket")
		heads = "type"; types_ = "l"
		for (b = 1; b <= nb; b++) { heads = heads "\t" bucket[b]; types_ = types_ " n" }
		tbl("rating-by-type", heads, types_)
		for (t = 1; t <= nt; t++) {
			line = types[t]
			for (b = 1; b <= nb; b++) line = line "\t" ((types[t], bucket[b]) in n ? n[types[t], bucket[b]] : 0)
			row(line)
		}
		tbl_end("")
		col_end(); grid_end(); sec_end()
	}' "$OUT/kpi/rating_distribution.tsv"
}

sec_genres() {
	rawk '
	FNR == 1 { next }
	{
		B_n++; B_lab[B_n] = $1; B_val[B_n] = $2; B_txt[B_n] = thou($2)
		B_val2[B_n] = isnull($4) ? "" : $4; B_txt2[B_n] = $4
		line[B_n] = $0
	}
	END {
		sec_begin("genres", "Genres", "A title counts once in each of its genres; " \
		    "allocated titles split it evenly between them.")
		grid_begin(); col_begin()
		pairbars("chart-genres", "Titles and mean rating by genre", "titles", "mean rating (0–10)")
		col_end(); col_begin()
		if (fmt == "html") h3("Genre performance (weighted: by votes)")
		tbl("genre-performance", "genre\ttitles\trated\tmean\tvotes\tweighted\tallocated",
		    "l n n r n r r")
		for (i = 1; i <= B_n; i++) row(line[i])
		tbl_end("")
		col_end(); grid_end(); sec_end()
	}' "$OUT/kpi/genre_performance.tsv"
}

sec_decades() {
	rawk '
	FNR == 1 { next }
	{ n++; lab[n] = $2; titles[n] = $3; mean[n] = $5; line[n] = $0 }
	END {
		sec_begin("decades", "Decades", "Titles by the decade of their start year; " \
		    "Unknown has no start year.")
		if (fmt == "md") {
			for (i = 1; i <= n; i++) if (titles[i] + 0 > vmax) vmax = titles[i] + 0
			tbl("", "decade\ttitles\trated\tmean rating\tmean votes\tvotes\t", "l n n r r n l")
			for (i = 1; i <= n; i++) {
				split(line[i], v, "\t")
				row(v[2] "\t" v[3] "\t" v[4] "\t" v[5] "\t" v[6] "\t" v[7] "\t" blocks(v[3], vmax))
			}
			tbl_end("")
			sec_end()
			exit
		}
		grid_begin(); col_begin()
		B_n = n
		for (i = 1; i <= n; i++) { B_lab[i] = lab[i]; B_val[i] = titles[i]; B_txt[i] = thou(titles[i]) }
		vbars("chart-decade-titles", "Titles by decade", "count")
		col_end(); col_begin()
		for (i = 1; i <= n; i++) { B_val[i] = isnull(mean[i]) ? "" : mean[i]; B_txt[i] = mean[i] }
		vbars("chart-decade-rating", "Mean rating by decade", "rating")
		col_end(); grid_end()
		sec_end()
	}' "$OUT/kpi/trends_by_decade.tsv"
}

sec_top_rated() {
	rawk '
	FNR == 1 { f++; next }
	f == 1 { nm++; if (top == 0 || nm <= top) movies[nm] = $0; next }
	{ nt++; bytype[nt] = $0 }
	END {
		sec_begin("top-rated", "Top-rated titles", "Ranked by the weighted rating " \
		    "WR = v/(v+m)·R + m/(v+m)·C, then votes; movies need m votes, the other lists do not.")
		h3("Top-rated movies")
		tbl("top-rated-movies", "#\ttitle\tyear\trating\tvotes\tWR\ttconst", "n l y r n r c")
		for (i = 1; i <= nm && (top == 0 || i <= top); i++) {
			split(movies[i], v, "\t")
			row(v[1] "\t" v[3] "\t" v[4] "\t" v[5] "\t" v[6] "\t" v[7] "\t" v[2])
		}
		tbl_end(shown(nm, "kpi/top_rated_movies.tsv"))
		h3("Top 10 by title type")
		tbl("top-rated-by-type", "type\t#\ttitle\tyear\trating\tvotes\tWR\ttconst", "l n l y r n r c")
		for (i = 1; i <= nt; i++) {
			split(bytype[i], v, "\t")
			row(v[1] "\t" v[2] "\t" v[4] "\t" v[5] "\t" v[6] "\t" v[7] "\t" v[8] "\t" v[3])
		}
		tbl_end("")
		sec_end()
	}' "$OUT/kpi/top_rated_movies.tsv" "$OUT/kpi/top_rated_by_type.tsv"
}

# sec_talent: the first --rows people of each talent list; a person missing
# from name.basics shows as their nconst
sec_talent() {
	rawk -v dir="$OUT/" '
	function person_table(   id, caption) {
		if (nf) tbl_end(shown(n, file))
		nf++
		if (nf == 1) { grid_begin(); col_begin() }
		if (nf == 2) { col_end(); col_begin() }
		if (nf == 3) { col_end(); grid_end() }
		n = 0
		file = substr(FILENAME, length(dir) + 1)
		ranked = nf == 3
		id = nf == 1 ? "talent-actors" : nf == 2 ? "talent-directors" : "highest-rated-actors"
		caption = nf == 1 ? "Most prolific actors (5+ titles)" : \
		    nf == 2 ? "Most prolific directors (3+ titles)" : \
		    "Highest-rated actors (10+ titles, 1+ rated)"
		h3(caption)
		tbl(id, "#\tname\ttitles\trated\tmean\tvotes\tyears", "n l n n r n y")
	}
	BEGIN {
		sec_begin("talent", "Talent", "People by distinct current titles credited; " \
		    "means over their rated titles.")
	}
	FNR == 1 { person_table(); next }
	{
		n++
		if (top > 0 && n > top) next
		o = ranked ? 1 : 0
		row((ranked ? $1 : n) "\t" (isnull($(o + 2)) ? $(o + 1) : $(o + 2)) "\t" $(o + 3) "\t" \
		    $(o + 4) "\t" $(o + 5) "\t" $(o + 6) "\t" years($(o + 7), $(o + 8)))
	}
	END { tbl_end(shown(n, file)); sec_end() }' \
		"$OUT/kpi/talent_actors.tsv" "$OUT/kpi/talent_directors.tsv" \
		"$OUT/kpi/highest_rated_actors.tsv"
}

# the quality panel: gates (worst first), then every table with its rows,
# sha256 and the worst status of the gates on it, the inputs, the run
sec_quality() {
	rawk '
	FNR == 1 { f++; next }
	f == 1 { g = $3; p = $4; w = $5; fl = $6; er = $7; next }
	f == 2 {
		ng++; gate[ng] = $0
		if (!($2 in worst) || RANK[$5] > RANK[worst[$2]]) worst[$2] = $5
		next
	}
	f == 3 { nout++; output[nout] = $0 }
	END {
		tone = fl + er > 0 ? "red" : w > 0 ? "amber" : "green"
		sec_begin("quality", "Quality gates and tables", "")
		if (fmt == "html") {
			print "<div class=\"cards\">"
			card("Status", toupper(tone), g " gates", tone)
			card("Passed", p, "", "green")
			card("Warned", w, "", w > 0 ? "amber" : "green")
			card("Failed", fl, "", fl > 0 ? "red" : "green")
			card("Errors", er, "could not be evaluated", er > 0 ? "red" : "green")
			print "</div>"
		} else
			printf "Status **%s**: %d gates, %d passed, %d warned, %d failed, %d errors.\n\n", \
			    toupper(tone), g, p, w, fl, er
		h3("Tables")
		tbl("tables", "table\trows\tgates\tsha256", "c n s c")
		for (i = 1; i <= nout; i++) {
			split(output[i], v, "\t")
			row(v[1] "\t" v[2] "\t" (v[1] in worst ? worst[v[1]] : "—") "\t" v[3])
		}
		tbl_end("gates: the worst status of the gates on the table; — none checks it.")
		h3(fmt == "html" ? "Gates, worst first" : "Gates that did not pass")
		tbl("gates", "gate\tstatus\tseverity\tobserved\tthreshold\tmessage", "c s l h c l")
		for (r = 3; r >= 0; r--)
			for (i = 1; i <= ng; i++) {
				split(gate[i], v, "\t")
				if (RANK[v[5]] != r || (fmt == "md" && r == 0)) continue
				row(v[1] "\t" v[5] "\t" v[4] "\t" v[6] "\t" v[7] "\t" v[8])
			}
		tbl_end("")
	}' "$T/totals.tsv" "$T/gates.tsv" "$T/tables.tsv"
	rawk '
	FNR == 1 { f++; next }
	f == 1 { ni++; input[ni] = $0; next }
	f == 2 { np++; param[np] = $0; next }
	f == 3 { ns++; steps[ns] = $1 "\t" $5 "\t" $6 "\t" $7 }
	END {
		h3("Inputs")
		tbl("inputs", "file\tbytes\trows\tstep\trows read\tsha256", "h n n l n h")
		for (i = 1; i <= ni; i++) row(input[i])
		tbl_end("")
		grid_begin(); col_begin()
		h3("Run parameters")
		tbl("params", "parameter\tvalue", "l l")
		for (i = 1; i <= np; i++) row(param[i])
		tbl_end("")
		col_end(); col_begin()
		h3("Pipeline steps")
		tbl("steps", "step\trows in\trows out\trejected", "l n n n")
		for (i = 1; i <= ns; i++) row(steps[i])
		tbl_end(ns ? "" : "No run log (logs/run.log).")
		col_end(); grid_end()
		sec_end()
	}' "$T/inputs.tsv" "$T/params.tsv" "$RUN_LOG"
}

render() {
	page_begin
	page_header
	sec_headline
	sec_ratings
	sec_genres
	sec_decades
	sec_top_rated
	sec_talent
	sec_quality
	page_end
}

# write_report: to standard output, or to a temporary file beside TARGET that
# is renamed into place only when the whole page was written
write_report() {
	if [ "$TARGET" = - ]; then
		render
		return
	fi
	mkdir -p "$(dirname "$TARGET")"
	TMP_OUT=$(mktemp "$TARGET.tmp.XXXXXX")
	trap 'rm -f "$TMP_OUT"; rm -rf "$T"' EXIT
	render >"$TMP_OUT"
	chmod "$(printf '%o' $((0666 & ~0$(umask))))" "$TMP_OUT"
	mv -f "$TMP_OUT" "$TARGET"
}

main() {
	parse_args "$@"
	check_inputs
	AWKLIB=$(cat "$P07_ROOT/pipelines/report.awk")
	T=$(mktemp -d "${TMPDIR:-/tmp}/report.XXXXXX")
	trap 'rm -rf "$T"' EXIT
	RUN_LOG=$OUT/logs/run.log
	if [ ! -f "$RUN_LOG" ]; then
		RUN_LOG=$T/run.log
		printf 'step\n' >"$RUN_LOG"
	fi
	evidence_tables
	write_report
}

main "$@"
