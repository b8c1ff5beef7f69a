#!/usr/bin/env bats
# The bad-input corpus (DESIGN §8, issue #10) against every tool in bin/ but
# imdb-synth (it reads no input).  Each tool runs its smallest valid
# invocation with -o out.tsv on one damaged input (tsv-split as the filter
# --part 0/1, which keeps every row; its -n N --prefix mode has a test of
# its own at the end); each case states the exact
# message and status, and that a failed run leaves neither out.tsv nor a
# temporary beside it.  Inputs are generated here, in the test's directory.

load helper

TOOLS=(imdb-cat tsv-split-genres surrogate-key tsv-join scd2-merge wrating kpi-agg dim-date evidence-sum tsv-split tsv-uniq)
H=$'tconst\tgenres\tstartYear\taverageRating\tnumVotes'

setup() {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' "$H" $'tt0000001\tDrama,Comedy\t1894\t5.7\t2000' \
	    $'tt0000002\tAnimation\t1892\t6.1\t150' $'tt0000003\t\\N\t1910\t7.0\t12' >good.tsv
	# for each tool that needs a second input, a good one
	: >dim0.tsv
	printf 'tconst\ntt0000001\ntt0000002\ntt0000003\ntt0000004\n' >keys.tsv
}

# cmd_of TOOL IN: sets cmd to the tool's smallest valid run over IN
# (evidence-sum evaluates one gate over IN as the table).
cmd_of() {
	case $1 in
	imdb-cat) cmd=(imdb-cat --schema none -o out.tsv "$2") ;;
	tsv-split-genres) cmd=(tsv-split-genres -o out.tsv "$2") ;;
	surrogate-key) cmd=(surrogate-key -k k=tconst -o out.tsv "$2") ;;
	tsv-join) cmd=(tsv-join -f keys.tsv -k tconst -o out.tsv "$2") ;;
	scd2-merge) cmd=(scd2-merge --as-of 2026-01-01 -k tconst --sk sk -o out.tsv dim0.tsv "$2") ;;
	wrating) cmd=(wrating -r averageRating -v numVotes -m 100 -C 6.5 -o out.tsv "$2") ;;
	kpi-agg) cmd=(kpi-agg -g genres count mean:averageRating -o out.tsv "$2") ;;
	dim-date) cmd=(dim-date -f startYear -o out.tsv "$2") ;;
	tsv-split) cmd=(tsv-split -k tconst --part 0/1 -o out.tsv "$2") ;;
	tsv-uniq) cmd=(tsv-uniq -f tconst -o out.tsv "$2") ;;
	evidence-sum)
		printf 'id\tfile\tcheck\tcolumns\targument\tseverity\nt.key\t%s\tunique\ttconst\t-\terror\n' \
		    "$2" >gates.tsv
		cmd=(evidence-sum --gates gates.tsv --dir . -o out.tsv) ;;
	*) fail "no invocation for $1" ;;
	esac
}

show_diff() {
	printf '%s' "$1" >got.txt
	printf '%s' "$2" >want.txt
	diff <(od -c want.txt) <(od -c got.txt) | head -n 20 >&2 || true
}

# expect TOOL IN STATUS MESSAGE: the run ends with STATUS and exactly
# MESSAGE on stderr, writes nothing to stdout, and leaves no temporary; a
# failed run leaves no out.tsv either (evidence-sum excepted: its JSON
# records the gate that could not be evaluated, see expect_evidence_error).
# The tool runs without bats' `run` (two more processes each time, and this
# runs some 300 times); stderr is read as `run --separate-stderr` reads it.
expect() {
	[ ! -e out.tsv ] || rm -f out.tsv
	cmd_of "$1" "$2"
	status=0
	"${cmd[@]}" >stdout.txt 2>stderr.txt || status=$?
	stderr=
	read -d '' -r stderr <stderr.txt || true
	if [ "$status" -ne "$3" ] || [ "$stderr" != "$4" ]; then
		show_diff "$stderr" "$4"
		fail "$1 on $2: status $status (expected $3), stderr: $stderr"
	fi
	[ ! -s stdout.txt ] || fail "$1 on $2: wrote to stdout: $(cat stdout.txt)"
	! compgen -G 'out.tsv.tmp.*' >/dev/null || fail "$1 on $2: left $(echo out.tsv.tmp.*)"
	if [ "$3" -ne 0 ] && [ "$1" != evidence-sum ]; then
		[ ! -e out.tsv ] || fail "$1 on $2: failed but left out.tsv"
	fi
	if [ "$3" -eq 0 ]; then
		[ -f out.tsv ] || fail "$1 on $2: succeeded without out.tsv"
	fi
}

# evidence-sum writes its JSON even when a gate cannot be evaluated: the
# file must then say so (status error, the message), and the run exits 1.
# JSONMSG: the message as the JSON holds it (invalid UTF-8 becomes U+FFFD).
expect_evidence_error() {	# IN MESSAGE [JSONMSG]
	expect evidence-sum "$1" 1 "evidence-sum: error: t.key: cannot evaluate: $2"
	run jq -r '.gates[0].status + "|" + .gates[0].message + "|" + (.totals.errors | tostring)' out.tsv
	assert_output "error|${3:-$2}|1"
}

# A deterministic gzip of a file big enough to cut anywhere in the deflate data.
make_big_gz() {
	{ printf '%s\n' "$H"; seq 1 30000 | awk -v OFS='\t' '{ printf "tt%07d\tDrama,Short\t%d\t%d.%d\t%d\n", $1, 1900 + $1 % 120, 1 + $1 % 9, $1 % 10, $1 * 7 }'; } |
	    gzip -n -6 >big.gz
}

@test "the good input: every tool succeeds (the baseline the cases below damage)" {
	for t in "${TOOLS[@]}"; do
		expect "$t" good.tsv 0 ""
	done
	gzip -n -c good.tsv >good.gz
	for t in "${TOOLS[@]}"; do
		expect "$t" good.gz 0 ""
	done
}

@test "truncated gzip at every 10 % of the file: exit 1, the byte count, no output" {
	make_big_gz
	size=$(stat -c %s big.gz)
	for pct in 10 20 30 40 50 60 70 80 90; do
		n=$((size * pct / 100))
		head -c "$n" big.gz >cut.gz
		for t in "${TOOLS[@]}"; do
			p=cut.gz
			[ "$t" = evidence-sum ] && p=./cut.gz
			expect "$t" cut.gz 1 "$t: $p: truncated gzip stream (unexpected end of file after $n bytes)"
		done
	done
}

@test "truncated gzip inside the 10-byte gzip header and at the last byte" {
	make_big_gz
	size=$(stat -c %s big.gz)
	for n in 2 5 $((size - 1)); do
		head -c "$n" big.gz >cut.gz
		for t in "${TOOLS[@]}"; do
			p=cut.gz
			[ "$t" = evidence-sum ] && p=./cut.gz
			expect "$t" cut.gz 1 "$t: $p: truncated gzip stream (unexpected end of file after $n bytes)"
		done
	done
}

@test "gzip with a bad CRC: corrupt stream, exit 1" {
	gzip -n -c good.tsv >crc.gz
	size=$(stat -c %s crc.gz)
	printf '\x00\x00\x00\x00' | dd of=crc.gz bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null
	for t in "${TOOLS[@]}"; do
		p=crc.gz
		[ "$t" = evidence-sum ] && p=./crc.gz
		expect "$t" crc.gz 1 "$t: $p: corrupt gzip stream (CRC mismatch)"
	done
}

@test "gzip magic followed by no deflate data: corrupt stream, exit 1" {
	printf '\x1f\x8bnot gzip after all\n' >fake.gz
	for t in "${TOOLS[@]}"; do
		p=fake.gz
		[ "$t" = evidence-sum ] && p=./fake.gz
		expect "$t" fake.gz 1 "$t: $p: corrupt gzip stream (invalid deflate data)"
	done
}

@test "not gzip at all (a PNG named .tsv.gz): read as plain bytes, refused by its header or NUL" {
	printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01' >png.tsv.gz
	hdr=$'\x89PNG'
	expect imdb-cat png.tsv.gz 1 "imdb-cat: png.tsv.gz:3: NUL byte in row"
	expect tsv-split-genres png.tsv.gz 2 "tsv-split-genres: -f: unknown field 'genres' (header: $hdr)"
	expect surrogate-key png.tsv.gz 2 "surrogate-key: -k k: unknown field 'tconst' (header: $hdr)"
	expect tsv-join png.tsv.gz 2 "tsv-join: -k: unknown field 'tconst' (header: $hdr)"
	expect scd2-merge png.tsv.gz 2 "scd2-merge: -k: unknown field 'tconst' (header: $hdr)"
	expect wrating png.tsv.gz 2 "wrating: -r: unknown field 'averageRating' (header: $hdr)"
	expect kpi-agg png.tsv.gz 2 "kpi-agg: -g: unknown field 'genres' (header: $hdr)"
	expect dim-date png.tsv.gz 2 "dim-date: -f: unknown field 'startYear' (header: $hdr)"
	expect tsv-split png.tsv.gz 2 "tsv-split: -k: unknown field 'tconst' (header: $hdr)"
	expect tsv-uniq png.tsv.gz 2 "tsv-uniq: -f: unknown field 'tconst' (header: $hdr)"
	expect_evidence_error png.tsv.gz "no column 'tconst' in png.tsv.gz (header: $hdr)" \
	    "no column 'tconst' in png.tsv.gz (header: "$'\xef\xbf\xbd'"PNG)"
}

@test "empty file: 'empty input (expected a header line)', exit 1" {
	: >empty.tsv
	for t in "${TOOLS[@]}"; do
		[ "$t" = evidence-sum ] && continue
		expect "$t" empty.tsv 1 "$t: empty.tsv: empty input (expected a header line)"
	done
	expect_evidence_error empty.tsv "./empty.tsv is empty (expected a header line)"
}

@test "empty file on stdin: the same message naming stdin" {
	for t in imdb-cat tsv-split-genres surrogate-key tsv-join wrating kpi-agg dim-date tsv-split tsv-uniq; do
		cmd_of "$t" -
		run --separate-stderr "${cmd[@]}" </dev/null
		assert_failure 1
		assert_equal "$stderr" "$t: stdin: empty input (expected a header line)"
		[ ! -e out.tsv ]
	done
}

@test "header only: the output header and no rows, exit 0 (dim-date has no years: exit 1)" {
	printf '%s\n' "$H" >hdr.tsv
	for t in imdb-cat tsv-split-genres tsv-join tsv-split tsv-uniq; do
		expect "$t" hdr.tsv 0 ""
		assert_file_eq out.tsv hdr.tsv
	done
	expect surrogate-key hdr.tsv 0 ""
	assert_equal "$(cat out.tsv)" "$H"$'\tk'
	expect wrating hdr.tsv 0 ""
	assert_equal "$(cat out.tsv)" "$H"$'\tweighted_rating'
	expect kpi-agg hdr.tsv 0 ""
	assert_equal "$(cat out.tsv)" $'genres\tcount\tmean_averageRating'
	expect scd2-merge hdr.tsv 0 ""
	assert_equal "$(cat out.tsv)" $'tconst\tsk\tgenres\tstartYear\taverageRating\tnumVotes\trow_hash\tvalid_from\tvalid_to\tis_current\tis_deleted\tversion'
	expect dim-date hdr.tsv 1 "dim-date: hdr.tsv: no years found (expected positive integers in -f startYear)"
	expect evidence-sum hdr.tsv 0 ""
	run jq -r '.gates[0].status' out.tsv
	assert_output pass
}

@test "missing header: the first row is taken as the header, so names are usage errors (exit 2)" {
	tail -n +2 good.tsv >nohdr.tsv
	hl='tt0000001, Drama,Comedy, 1894, 5.7, 2000'
	expect tsv-split-genres nohdr.tsv 2 "tsv-split-genres: -f: unknown field 'genres' (header: $hl)"
	expect surrogate-key nohdr.tsv 2 "surrogate-key: -k k: unknown field 'tconst' (header: $hl)"
	expect tsv-join nohdr.tsv 2 "tsv-join: -k: unknown field 'tconst' (header: $hl)"
	expect scd2-merge nohdr.tsv 2 "scd2-merge: -k: unknown field 'tconst' (header: $hl)"
	expect wrating nohdr.tsv 2 "wrating: -r: unknown field 'averageRating' (header: $hl)"
	expect kpi-agg nohdr.tsv 2 "kpi-agg: -g: unknown field 'genres' (header: $hl)"
	expect dim-date nohdr.tsv 2 "dim-date: -f: unknown field 'startYear' (header: $hl)"
	expect tsv-split nohdr.tsv 2 "tsv-split: -k: unknown field 'tconst' (header: $hl)"
	expect tsv-uniq nohdr.tsv 2 "tsv-uniq: -f: unknown field 'tconst' (header: $hl)"
	expect_evidence_error nohdr.tsv "no column 'tconst' in nohdr.tsv (header: tt0000001	Drama,Comedy	1894	5.7	2000)"
	# --schema none cannot know; --schema auto can
	run --separate-stderr imdb-cat nohdr.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: nohdr.tsv:1: header is not one of the seven IMDb files (use --schema none to read any TSV)"
	printf 'tt0000001\t5.7\t2000\n' >r.tsv
	run --separate-stderr imdb-cat r.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: r.tsv:1: header is not one of the seven IMDb files (use --schema none to read any TSV)"
}

@test "ragged rows: too few and too many fields, exit 1 with the line" {
	{ cat good.tsv; printf 'tt0000004\tDrama\t1900\n'; } >few.tsv
	{ cat good.tsv; printf 'tt0000004\tDrama\t1900\t5.0\t10\textra\n'; } >many.tsv
	for t in imdb-cat tsv-split-genres surrogate-key tsv-join scd2-merge wrating dim-date tsv-split tsv-uniq; do
		expect "$t" few.tsv 1 "$t: few.tsv:5: expected 5 fields, found 3"
		expect "$t" many.tsv 1 "$t: many.tsv:5: expected 5 fields, found 6"
	done
	expect kpi-agg few.tsv 1 "kpi-agg: few.tsv:5: expected 5 fields, found 3"
	expect kpi-agg many.tsv 1 "kpi-agg: many.tsv:5: expected 5 fields, found 6"
	expect_evidence_error few.tsv "few.tsv:5: 3 fields (header has 5)"
	expect_evidence_error many.tsv "many.tsv:5: 6 fields (header has 5)"
}

@test "ragged rows with --rejects: kept with line and reason, counts reconcile" {
	{ cat good.tsv; printf 'tt0000004\tDrama\t1900\n'; printf 'tt0000005\tX\t1\t5.0\t1\t!\n'; } >rag.tsv
	for t in imdb-cat tsv-split-genres tsv-join wrating tsv-split; do
		cmd_of "$t" rag.tsv
		run --separate-stderr "${cmd[@]}" --rejects rej.tsv --stats st.tsv
		assert_success
		assert_equal "$(cat rej.tsv)" $'source\tline\treason\traw\nrag.tsv\t5\texpected 5 fields, found 3\ttt0000004\tDrama\t1900\nrag.tsv\t6\texpected 5 fields, found 6\ttt0000005\tX\t1\t5.0\t1\t!'
		run grep -P "^$t\trows_(in|rejected)\t" st.tsv
		assert_output "$t	rows_in	5
$t	rows_rejected	2"
	done
}

@test "CRLF line ends and a BOM: read as the plain file, same output" {
	sed 's/$/\r/' good.tsv >crlf.tsv
	{ printf '\xef\xbb\xbf'; cat good.tsv; } >bom.tsv
	head -c -1 good.tsv >nofinal.tsv
	for t in "${TOOLS[@]}"; do
		expect "$t" good.tsv 0 ""
		if [ "$t" = evidence-sum ]; then
			jq -c '.gates' out.tsv >want.out
		else
			mv out.tsv want.out
		fi
		for f in crlf.tsv bom.tsv nofinal.tsv; do
			expect "$t" "$f" 0 ""
			if [ "$t" = evidence-sum ]; then
				jq -c '.gates' out.tsv | sed "s/$f/good.tsv/" >got.out
			else
				mv out.tsv got.out
			fi
			assert_file_eq got.out want.out
		done
	done
}

@test "NUL bytes: imdb-cat refuses them; every other tool passes them through as data" {
	{ cat good.tsv; printf 'tt0000004\tDr\0ama\t1900\t5.0\t10\n'; } >nul.tsv
	expect imdb-cat nul.tsv 1 "imdb-cat: nul.tsv:5: NUL byte in row"
	for t in tsv-split-genres surrogate-key tsv-join scd2-merge wrating kpi-agg tsv-split tsv-uniq; do
		expect "$t" nul.tsv 0 ""
		[ "$(grep -caP 'Dr\x00ama' out.tsv)" = 1 ] || fail "$t lost the NUL byte"
	done
	expect dim-date nul.tsv 0 ""
	expect evidence-sum nul.tsv 0 ""
}

@test "invalid UTF-8 passes through untouched (bytes, not characters)" {
	{ cat good.tsv; printf 'tt0000004\tDr\xff\xfe\xc3ama\t1900\t5.0\t10\n'; } >bad8.tsv
	for t in imdb-cat tsv-split-genres surrogate-key tsv-join scd2-merge wrating kpi-agg tsv-split tsv-uniq; do
		expect "$t" bad8.tsv 0 ""
		[ "$(grep -caP 'Dr\xff\xfe\xc3ama' out.tsv)" = 1 ] || fail "$t changed the bytes"
	done
	expect dim-date bad8.tsv 0 ""
	expect evidence-sum bad8.tsv 0 ""
}

@test "a 100 MB field: no line limit, the field comes out whole" {
	{ printf '%s\ntt0000001\t' "$H"; head -c 100000000 /dev/zero | tr '\0' a; printf '\t1900\t5.0\t10\n'; } >huge.tsv
	printf '%s\ntt0000001\ta\t1900\t5.0\t10\n' "$H" >small.tsv
	for t in "${TOOLS[@]}"; do
		[ "$t" = evidence-sum ] && continue	# checked below
		cmd_of "$t" small.tsv
		small=$("${cmd[@]/#out.tsv/-}" | wc -c)
		cmd_of "$t" huge.tsv
		big=$("${cmd[@]/#out.tsv/-}" 2>err | wc -c)
		[ ! -s err ] || fail "$t: $(cat err)"
		want=99999999
		[ "$t" = dim-date ] && want=0	# the field is not in its output
		[ $((big - small)) = "$want" ] || fail "$t: output grew by $((big - small)) bytes, expected $want"
	done
	expect evidence-sum huge.tsv 0 ""
	run jq -r '.gates[0].status + " " + (.outputs[] | select(.file == "huge.tsv") | .rows | tostring)' out.tsv
	assert_output "pass 1"
}

@test "10 M empty lines: the first one is a ragged row at line 2" {
	{ printf '%s\n' "$H"; yes '' | head -n 10000000; } >blank.tsv
	for t in imdb-cat tsv-split-genres surrogate-key tsv-join scd2-merge wrating dim-date tsv-split tsv-uniq; do
		expect "$t" blank.tsv 1 "$t: blank.tsv:2: expected 5 fields, found 1"
	done
	expect kpi-agg blank.tsv 1 "kpi-agg: blank.tsv:2: expected 5 fields, found 1"
	expect_evidence_error blank.tsv "blank.tsv:2: 1 fields (header has 5)"
}

@test "10 M empty lines in a one-column file are 10 M rows of the empty string: none lost" {
	{ echo a; yes '' | head -n 10000000; } >blank1.tsv
	run --separate-stderr imdb-cat --schema none --stats st.tsv -o out.tsv blank1.tsv
	assert_success
	assert_file_eq out.tsv blank1.tsv
	run grep -P '^imdb-cat\trows_(in|out)\t' st.tsv
	assert_output $'imdb-cat\trows_in\t10000000\nimdb-cat\trows_out\t10000000'
	run kpi-agg -g a count blank1.tsv
	assert_success
	assert_output $'a\tcount\n\t10000000'
}

@test "unsorted input: scd2-merge refuses it in either input; hash-based tools do not care" {
	printf '%s\n' "$H" $'tt0000002\tDrama\t1900\t5.0\t10' $'tt0000001\tDrama\t1901\t6.0\t11' >unsorted.tsv
	expect scd2-merge unsorted.tsv 1 "scd2-merge: unsorted.tsv:3: key 'tt0000001' is not after 'tt0000002' on line 2 (SNAPSHOT must be sorted by key in byte order, as LC_ALL=C sort)"
	expect scd2-merge good.tsv 0 ""
	# a DIM with its rows swapped
	{ head -n 1 out.tsv; tail -n +2 out.tsv | sort -r; } >dim.tsv
	run --separate-stderr scd2-merge --as-of 2026-01-01 -k tconst --sk sk -o out2.tsv dim.tsv good.tsv
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: dim.tsv:3: key 'tt0000002' is not after 'tt0000003' on line 2 (DIM must be sorted by key in byte order, as LC_ALL=C sort)"
	[ ! -e out2.tsv ]
	for t in imdb-cat tsv-split-genres surrogate-key tsv-join wrating kpi-agg dim-date evidence-sum tsv-split tsv-uniq; do
		expect "$t" unsorted.tsv 0 ""
	done
}

@test "duplicate keys: an error where uniqueness matters, with both lines" {
	printf '%s\n' "$H" $'tt0000001\tDrama\t1900\t5.0\t10' $'tt0000001\tComedy\t1901\t6.0\t11' >dup.tsv
	expect scd2-merge dup.tsv 1 "scd2-merge: dup.tsv:3: duplicate key 'tt0000001' (first on line 2)"
	printf 'tconst\taverageRating\tnumVotes\ntt0000001\t5.0\t10\ntt0000001\t6.0\t11\n' >dupr.tsv
	run --separate-stderr imdb-cat --unique -o out.tsv dupr.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: dupr.tsv:3: duplicate key 'tt0000001' (first seen on line 2)"
	[ ! -e out.tsv ]
	# a duplicate key in tsv-join's filter matters only when it appends
	printf 'tconst\tlabel\ntt0000001\ta\ntt0000001\tb\n' >dupf.tsv
	run --separate-stderr tsv-join -f dupf.tsv -k tconst -a label -o out.tsv good.tsv
	assert_failure 1
	assert_equal "$stderr" "tsv-join: dupf.tsv:3: duplicate key 'tt0000001' (first on line 2; use --first or --last)"
	[ ! -e out.tsv ]
	# tsv-split only routes rows: both go to the key's one partition
	expect tsv-split dup.tsv 0 ""
	assert_file_eq out.tsv dup.tsv
	# tsv-uniq is where a repeated key is dropped: the first row stays
	expect tsv-uniq dup.tsv 0 ""
	assert_equal "$(cat out.tsv)" "$(head -n 2 dup.tsv)"
	expect evidence-sum dup.tsv 1 "evidence-sum: fail: t.key: 1 of 2 rows repeat a key of tconst (1 distinct) (allowed <= 0)"
	run jq -r '.gates[0].status + " " + (.gates[0].unexpected | tostring)' out.tsv
	assert_output "fail 1"
}

@test "\\N in keys: null in surrogate keys, matches nothing in joins, refused by scd2-merge, a value to tsv-uniq" {
	printf '%s\n' "$H" $'\\N\tDrama\t1900\t5.0\t10' >nullkey.tsv
	# tsv-split hashes \N's two bytes like any key: one partition of N gets it
	expect tsv-split nullkey.tsv 0 ""
	assert_file_eq out.tsv nullkey.tsv
	[ "$(for k in 0 1 2; do tsv-split -N -k 1 --part "$k/3" nullkey.tsv; done | grep -c '^\\N')" = 1 ]
	expect scd2-merge nullkey.tsv 1 "scd2-merge: nullkey.tsv:2: null key (field 1 is \\N; keys must not be empty or \\N)"
	expect surrogate-key nullkey.tsv 0 ""
	assert_equal "$(cut -f 6 out.tsv | tail -n 1)" f14cc5cdce0420f4a5a6b6d9d7b85f39
	# tsv-uniq: \N is a value like any other, equal to itself: kept once
	{ cat nullkey.tsv; tail -n 1 nullkey.tsv; } >nullkey2.tsv
	expect tsv-uniq nullkey2.tsv 0 ""
	assert_file_eq out.tsv nullkey.tsv
	printf 'tconst\n\\N\n' >nullfilter.tsv
	run --separate-stderr tsv-join -f nullfilter.tsv -k tconst --stats st.tsv nullkey.tsv
	assert_success
	assert_output "$H"
	run grep -P '^tsv-join\t(rows_in|unmatched|filter_null_keys|data_null_keys)\t' st.tsv
	assert_output $'tsv-join\trows_in\t1\ntsv-join\tfilter_null_keys\t1\ntsv-join\tunmatched\t1\ntsv-join\tdata_null_keys\t1'
	run tsv-join -e -f nullfilter.tsv -k tconst nullkey.tsv
	assert_output "$(cat nullkey.tsv)"
	printf 'tconst\taverageRating\tnumVotes\n\\N\t5.0\t10\n' >r.tsv
	run --separate-stderr imdb-cat r.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: r.tsv:2: bad tconst '\\N' (expected tt followed by 7 or more digits)"
}

@test "the second input is checked as strictly: tsv-join's filter, scd2-merge's DIM" {
	make_big_gz
	size=$(stat -c %s big.gz)
	head -c $((size / 2)) big.gz >cut.gz
	run --separate-stderr tsv-join -f cut.gz -k tconst -o out.tsv good.tsv
	assert_failure 1
	assert_equal "$stderr" "tsv-join: cut.gz: truncated gzip stream (unexpected end of file after $((size / 2)) bytes)"
	[ ! -e out.tsv ]
	printf 'tconst\ntt0000001\tx\n' >ragf.tsv
	run --separate-stderr tsv-join -f ragf.tsv -k tconst -o out.tsv good.tsv
	assert_failure 1
	assert_equal "$stderr" "tsv-join: ragf.tsv:2: expected 1 fields, found 2"
	[ ! -e out.tsv ]
	# a real DIM (the first load of big.gz), gzipped and cut in half
	scd2-merge --as-of 2026-01-01 -k tconst --sk sk dim0.tsv big.gz | gzip -n -1 >dim.gz
	size=$(stat -c %s dim.gz)
	head -c $((size / 2)) dim.gz >dimcut.gz
	run --separate-stderr scd2-merge --as-of 2026-01-02 -k tconst --sk sk -o out.tsv dimcut.gz big.gz
	assert_failure 1
	assert_equal "$stderr" "scd2-merge: dimcut.gz: truncated gzip stream (unexpected end of file after $((size / 2)) bytes)"
	[ ! -e out.tsv ]
}

@test "every tool on stdin: a truncated gzip names stdin" {
	make_big_gz
	size=$(stat -c %s big.gz)
	head -c $((size / 3)) big.gz >cut.gz
	for t in imdb-cat tsv-split-genres surrogate-key tsv-join wrating kpi-agg dim-date tsv-split tsv-uniq; do
		cmd_of "$t" -
		run --separate-stderr "${cmd[@]}" <cut.gz
		assert_failure 1
		assert_equal "$stderr" "$t: stdin: truncated gzip stream (unexpected end of file after $((size / 3)) bytes)"
		[ ! -e out.tsv ]
	done
}

# tsv-split's other mode writes PREFIX.K.tsv files (out.c, committed at
# exit): a damaged input must leave the old partitions as they were.
split_fails() {	# STATUS MESSAGE INPUT ("-": cut.gz on stdin)
	if [ "$3" = - ]; then
		run --separate-stderr tsv-split -k tconst -n 3 --prefix p - <cut.gz
	else
		run --separate-stderr tsv-split -k tconst -n 3 --prefix p "$3"
	fi
	[ "$status" -eq "$1" ] || fail "tsv-split on $3: status $status (expected $1), stderr: $stderr"
	assert_equal "$stderr" "$2"
	assert_output ""
	! compgen -G 'p.*.tmp.*' >/dev/null || fail "tsv-split on $3: left $(echo p.*.tmp.*)"
	sha256sum p.* | cmp - old.sum || fail "tsv-split on $3: the old partitions changed"
}

@test "tsv-split -n N --prefix on damaged input: the exact message, old partitions unchanged, no temporary" {
	tsv-split -k tconst -n 3 --prefix p good.tsv
	sha256sum p.* >old.sum
	[ "$(wc -l <old.sum)" = 3 ]
	make_big_gz
	size=$(stat -c %s big.gz)
	head -c $((size / 2)) big.gz >cut.gz
	: >empty.tsv
	tail -n +2 good.tsv >nohdr.tsv
	{ cat good.tsv; printf 'tt0000004\tDrama\t1900\n'; } >few.tsv
	printf '\x1f\x8bnot gzip after all\n' >fake.gz
	{ printf '%s\n' "$H"; yes '' | head -n 1000; } >blank.tsv
	split_fails 1 "tsv-split: cut.gz: truncated gzip stream (unexpected end of file after $((size / 2)) bytes)" cut.gz
	split_fails 1 "tsv-split: stdin: truncated gzip stream (unexpected end of file after $((size / 2)) bytes)" -
	split_fails 1 "tsv-split: fake.gz: corrupt gzip stream (invalid deflate data)" fake.gz
	split_fails 1 "tsv-split: empty.tsv: empty input (expected a header line)" empty.tsv
	split_fails 2 "tsv-split: -k: unknown field 'tconst' (header: tt0000001, Drama,Comedy, 1894, 5.7, 2000)" nohdr.tsv
	split_fails 1 "tsv-split: few.tsv:5: expected 5 fields, found 3" few.tsv
	split_fails 1 "tsv-split: blank.tsv:2: expected 5 fields, found 1" blank.tsv
}
