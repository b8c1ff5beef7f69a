# report.awk - the rendering helpers of pipelines/report.sh: escaping, number
# display, sections, tables and bar charts, in one format per run (fmt "html":
# HTML with inline SVG; fmt "md": Markdown for a terminal).  Function
# definitions only: each section of report.sh appends its own program.  Text
# from the data reaches the page only through cell(), which escapes it.
# Portable awk (mawk, gawk, busybox): byte strings, no locale.

# --- text ----------------------------------------------------------------------

# repl(s, from, to): every occurrence of the literal string from replaced
function repl(s, from, to,   out, i) {
	out = ""
	while ((i = index(s, from)) > 0) {
		out = out substr(s, 1, i - 1) to
		s = substr(s, i + length(from))
	}
	return out s
}

# esc(s): text or attribute value for HTML (and XML: the page is well-formed)
function esc(s) {
	s = repl(s, "&", "&amp;")
	s = repl(s, "<", "&lt;")
	s = repl(s, ">", "&gt;")
	s = repl(s, "\"", "&quot;")
	s = repl(s, "'", "&#39;")
	# control bytes are not allowed in HTML text: U+FFFD stands in for them
	gsub(/[\001-\010\013\014\016-\037\177]/, "\357\277\275", s)
	return s
}

# mdesc(s): Markdown text: a bar would end a table cell, < start an HTML tag
# and & an entity, so they (and the backslash) get a backslash
function mdesc(s) {
	s = repl(s, "\\", "\\\\")
	s = repl(s, "|", "\\|")
	s = repl(s, "<", "\\<")
	s = repl(s, "&", "\\&")
	gsub(/[\001-\010\013\014\016-\037\177]/, "\357\277\275", s)
	return s
}

function out(s) { return fmt == "html" ? esc(s) : mdesc(s) }

# width(s): characters of UTF-8 text (continuation bytes do not count)
function width(s) { return length(s) - gsub(/[\200-\277]/, "", s) }

function pad(s, w, right,   n) {
	n = w - width(s)
	while (n-- > 0) s = right ? " " s : s " "
	return s
}

function rep(s, n,   r) {
	r = ""
	while (n-- > 0) r = r s
	return r
}

# --- numbers (as text: the KPI files are exact, nothing is recomputed) -----------

function isnull(v) { return v == "\\N" }

# thou(v): 1234567 -> 1,234,567 (integers only; anything else as it is)
function thou(v,   s, neg, r) {
	if (v !~ /^-?[0-9]+$/) return v
	neg = substr(v, 1, 1) == "-"
	s = neg ? substr(v, 2) : v
	r = ""
	while (length(s) > 3) {
		r = "," substr(s, length(s) - 2) r
		s = substr(s, 1, length(s) - 3)
	}
	return (neg ? "-" : "") s r
}

# pct(v): a 4-decimal share as a percentage with 2 decimals, by moving the point
function pct(v,   p) {
	if (v !~ /^[0-9]+\.[0-9][0-9][0-9][0-9]$/) return v
	split(v, p, ".")
	return (p[1] * 100 + substr(p[2], 1, 2)) "." substr(p[2], 3, 2) "%"
}

# show(v, type): the display text of a KPI value (before escaping)
function show(v, t) {
	if (isnull(v)) return "—"
	if (t == "n") return thou(v)
	if (t == "p") return pct(v)
	return v
}

function years(a, b) {
	if (isnull(a) && isnull(b)) return "—"
	return a == b ? a : a "–" b
}

function ceil(x) { return x > int(x) ? int(x) + 1 : int(x) }

# --- page structure ------------------------------------------------------------

function sec_begin(id, title, lead) {
	if (fmt == "html") {
		printf "<section id=\"%s\">\n<h2>%s</h2>\n", id, esc(title)
		if (lead != "") printf "<p class=\"lead\">%s</p>\n", esc(lead)
	} else {
		printf "## %s\n\n", title
		if (lead != "") printf "%s\n\n", mdesc(lead)
	}
}
function sec_end() { if (fmt == "html") print "</section>" }

function grid_begin() { if (fmt == "html") print "<div class=\"grid\">" }
function grid_end() { if (fmt == "html") print "</div>" }
function col_begin() { if (fmt == "html") print "<div>" }
function col_end() { if (fmt == "html") print "</div>" }

function h3(title) {
	if (fmt == "html") printf "<h3>%s</h3>\n", esc(title)
	else printf "### %s\n\n", title
}

function note(text) {
	if (text == "") return
	if (fmt == "html") printf "<p class=\"note\">%s</p>\n", esc(text)
	else printf "%s\n\n", mdesc(text)
}

# shown(n, file): the note under a table cut to the first `top` rows
function shown(n, file) {
	return n > top && top > 0 ? \
	    "Showing " top " of " thou(n) " rows; all of them are in " file "." : ""
}

# --- headline cards (a KPI table in Markdown) ----------------------------------

function cards_begin() {
	if (fmt == "html") print "<div class=\"cards\">"
	else tbl("headline", "KPI\tvalue\tdetail", "l l l")
}
function card(label, value, detail, tone) {
	if (fmt == "html")
		printf "<div class=\"card%s\"><div class=\"k\">%s</div>" \
		    "<div class=\"v\">%s</div><div class=\"s\">%s</div></div>\n", \
		    tone == "" ? "" : " " tone, esc(label), esc(value), esc(detail)
	else row(label "\t" value "\t" detail)
}
function cards_end() {
	if (fmt == "html") print "</div>"
	else tbl_end("")
}

# --- tables --------------------------------------------------------------------
# tbl(id, heads, types): heads TAB-separated; types one letter per column:
# l text, c code (monospace), h hash or path (monospace, may wrap), n integer (1,234), r decimal, p share (as %),
# y year, s gate status.  row(cells) adds TAB-separated raw values;
# tbl_end(note) prints the table.

function tbl(id, heads, types) {
	T_id = id
	T_nc = split(heads, T_head, "\t")
	split(types, T_type, " ")
	T_nr = 0
}

function row(cells,   v, c) {
	split(cells, v, "\t")
	T_nr++
	for (c = 1; c <= T_nc; c++) T_cell[T_nr, c] = (c in v) ? v[c] : ""
}

function right(t) { return t == "n" || t == "r" || t == "p" || t == "y" }

function tbl_end(text) {
	if (fmt == "html") tbl_html()
	else tbl_md()
	note(text)
}

function tbl_html(   r, c, t, v, cls) {
	printf "<div class=\"tbl\"><table id=\"%s\">\n<thead><tr>", T_id
	for (c = 1; c <= T_nc; c++)
		printf "<th%s>%s</th>", right(T_type[c]) ? " class=\"r\"" : "", esc(T_head[c])
	print "</tr></thead>\n<tbody>"
	if (T_nr == 0) printf "<tr><td class=\"none\" colspan=\"%d\">none</td></tr>\n", T_nc
	for (r = 1; r <= T_nr; r++) {
		printf "<tr>"
		for (c = 1; c <= T_nc; c++) {
			t = T_type[c]
			v = T_cell[r, c]
			cls = right(t) ? " class=\"r\"" : t == "c" || t == "h" ? " class=\"" t "\"" : ""
			if (t == "s" && v in RANK)
				printf "<td><span class=\"pill %s\">%s</span></td>", v, v
			else
				printf "<td%s>%s</td>", cls, esc(show(v, t))
		}
		print "</tr>"
	}
	print "</tbody></table></div>"
}

function tbl_md(   r, c, w, line) {
	if (T_nr == 0) {
		print "_none_\n"
		return
	}
	for (c = 1; c <= T_nc; c++) w[c] = width(T_head[c]) < 3 ? 3 : width(T_head[c])
	for (r = 1; r <= T_nr; r++)
		for (c = 1; c <= T_nc; c++) {
			T_cell[r, c] = mdesc(show(T_cell[r, c], T_type[c]))
			if (width(T_cell[r, c]) > w[c]) w[c] = width(T_cell[r, c])
		}
	line = "|"
	for (c = 1; c <= T_nc; c++) line = line " " pad(T_head[c], w[c], right(T_type[c])) " |"
	print line
	line = "|"
	for (c = 1; c <= T_nc; c++)
		line = line (right(T_type[c]) ? " " rep("-", w[c] - 1) ": |" : " " rep("-", w[c]) " |")
	print line
	for (r = 1; r <= T_nr; r++) {
		line = "|"
		for (c = 1; c <= T_nc; c++)
			line = line " " pad(T_cell[r, c], w[c], right(T_type[c])) " |"
		print line
	}
	print ""
}

# --- charts --------------------------------------------------------------------
# Bars come from the arrays B_lab (label), B_sub (second label line or ""),
# B_val (a number, or "" for no bar: a mean over nothing is not a zero) and
# B_txt (the value as text), 1..B_n.  In HTML every bar is one <rect> and
# nothing else in a chart is a rect, so a test can count the bars.

function nicestep(vmax,   raw, mag, f) {
	raw = vmax / 4
	mag = 1
	while (mag * 10 <= raw) mag *= 10
	while (mag > raw) mag /= 10
	f = raw / mag
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag
}

# vbars(id, caption, kind): kind "count" (axis from 0 to a round number
# above the largest value) or "rating" (axis 0..10)
function vbars(id, caption, kind,   i, vmax, step, amax, W, H, ml, mr, mt, mb, pw, ph, slot, bw, x, y, h, t, cx, rot) {
	vmax = 0
	for (i = 1; i <= B_n; i++) if (B_val[i] != "" && B_val[i] + 0 > vmax) vmax = B_val[i] + 0
	if (kind == "rating") { amax = 10; step = 2 }
	else {
		step = vmax > 0 ? nicestep(vmax) : 1
		if (step < 1) step = 1
		amax = step * ceil(vmax / step)
		if (amax == 0) amax = step
	}
	if (fmt != "html") { textbars(caption, vmax > 0 ? vmax : 1); return }
	rot = B_n > 10
	W = 560; H = rot ? 290 : 270
	ml = 58; mr = 10; mt = 22; mb = rot ? 62 : 42
	pw = W - ml - mr; ph = H - mt - mb
	slot = pw / B_n; bw = slot * 0.72
	printf "<figure><figcaption>%s</figcaption>\n", esc(caption)
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" class=\"chart\" " \
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", id, W, H, esc(caption)
	for (t = 0; t <= amax + step / 1000; t += step) {
		y = mt + ph - t / amax * ph
		printf "<line class=\"gl\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>" \
		    "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n", \
		    ml, y, W - mr, y, ml - 6, y + 4, kind == "rating" ? t : thou(sprintf("%d", t))
	}
	for (i = 1; i <= B_n; i++) {
		x = ml + (i - 1) * slot + (slot - bw) / 2
		cx = x + bw / 2
		if (B_val[i] != "") {
			h = B_val[i] / amax * ph
			y = mt + ph - h
			printf "<rect class=\"bar %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">" \
			    "<title>%s: %s</title></rect>\n", kind, x, y, bw, h, esc(B_lab[i]), esc(B_txt[i])
			if (slot >= 40)
				printf "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", \
				    cx, y - 5, esc(B_txt[i])
		}
		if (rot)
			printf "<text class=\"lab\" transform=\"translate(%.1f %d) rotate(-45)\" " \
			    "text-anchor=\"end\">%s</text>\n", cx + 4, mt + ph + 14, esc(B_lab[i])
		else
			printf "<text class=\"lab\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", \
			    cx, mt + ph + 16, esc(B_lab[i])
		if (B_sub[i] != "")
			printf "<text class=\"sub\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", \
			    cx, mt + ph + 31, esc(B_sub[i])
	}
	printf "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", ml, mt + ph, W - mr, mt + ph
	print "</svg></figure>"
}

# textbars(caption, vmax): the Markdown chart: a table with a bar of up to
# 30 blocks per row
function textbars(caption, vmax,   i, subs) {
	subs = 0
	for (i = 1; i <= B_n; i++) if (B_sub[i] != "") subs = 1
	h3(caption)
	tbl("", B_head "\t" B_vhead (subs ? "\tshare\t" : "\t"), subs ? "l r r l" : "l r l")
	for (i = 1; i <= B_n; i++) {
		row(B_lab[i] "\t" (B_val[i] == "" ? "—" : B_txt[i]) "\t" \
		    (subs ? B_sub[i] "\t" : "") blocks(B_val[i], vmax))
	}
	tbl_end("")
}

# blocks(v, vmax): a text bar of up to 30 blocks; a value above 0 shows
function blocks(v, vmax,   n) {
	if (v == "" || vmax <= 0) return ""
	n = int(v / vmax * 30 + 0.5)
	return rep("█", v > 0 && n == 0 ? 1 : n)
}

# pairbars(id, caption): one row per category with two bars: B_val (titles,
# axis from 0 to the largest) and B_val2/B_txt2 (a mean rating, axis 0..10)
function pairbars(id, caption, head1, head2,   i, vmax, W, H, top, rowh, l1, w1, l2, w2, y, w) {
	vmax = 0
	for (i = 1; i <= B_n; i++) if (B_val[i] + 0 > vmax) vmax = B_val[i] + 0
	if (vmax == 0) vmax = 1
	if (fmt != "html") return
	W = 560; rowh = 22; top = 30
	l1 = 104; w1 = 214; l2 = 392; w2 = 130
	H = top + B_n * rowh + 8
	printf "<figure><figcaption>%s</figcaption>\n", esc(caption)
	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"%s\" class=\"chart\" " \
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">\n", id, W, H, esc(caption)
	printf "<text class=\"head\" x=\"%d\" y=\"16\">%s</text>" \
	    "<text class=\"head\" x=\"%d\" y=\"16\">%s</text>\n", l1, esc(head1), l2, esc(head2)
	printf "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>" \
	    "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", \
	    l1, top - 6, l1, H - 4, l2, top - 6, l2, H - 4
	for (i = 1; i <= B_n; i++) {
		y = top + (i - 1) * rowh
		printf "<text class=\"lab\" x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", \
		    l1 - 8, y + 12, esc(B_lab[i])
		w = B_val[i] / vmax * w1
		printf "<rect class=\"bar count\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"15\">" \
		    "<title>%s: %s</title></rect>" \
		    "<text class=\"val\" x=\"%.1f\" y=\"%d\">%s</text>\n", \
		    l1, y, w, esc(B_lab[i]), esc(B_txt[i]), l1 + w + 5, y + 12, esc(B_txt[i])
		if (B_val2[i] != "") {
			w = B_val2[i] / 10 * w2
			printf "<rect class=\"bar rating\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"15\">" \
			    "<title>%s: %s</title></rect>" \
			    "<text class=\"val\" x=\"%.1f\" y=\"%d\">%s</text>\n", \
			    l2, y, w, esc(B_lab[i]), esc(B_txt2[i]), l2 + w + 5, y + 12, esc(B_txt2[i])
		} else
			printf "<text class=\"sub\" x=\"%d\" y=\"%d\">—</text>\n", l2 + 5, y + 12
	}
	print "</svg></figure>"
}

BEGIN {
	RANK["pass"] = 0; RANK["warn"] = 1; RANK["fail"] = 2; RANK["error"] = 3
}
