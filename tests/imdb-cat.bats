#!/usr/bin/env bats
# imdb-cat: the ingress gate.  Runs on both inflate paths (tests/run.sh).

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	H=$'tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres'
	R1=$'tt0000001\tshort\tCarmencita\tCarmencita\t0\t1894\t\\N\t1\tDocumentary,Short'
	R2=$'tt0000002\tshort\t"Le clown" et ses chiens\tLe clown et ses chiens\t0\t1892\t\\N\t5\tAnimation,Short'
	R3=$'tt10000003\tmovie\tPauvre Pierrot\tPauvre Pierrot\t1\t\\N\t\\N\t\\N\t\\N'
	printf '%s\n' "$H" "$R1" "$R2" "$R3" >basics.tsv
}

@test "real sample: every file passes --schema auto; rows and content sha256 as PROVENANCE.md says" {
	need_sample
	while read -r file rows sha; do
		run --separate-stderr imdb-cat --stats st.tsv "$SAMPLE/$file"
		assert_success
		[ -z "$stderr" ]
		got=$(imdb-cat "$SAMPLE/$file" | sha256sum | cut -d' ' -f1)
		[ "$got" = "$sha" ] || fail "$file: sha256 $got, expected $sha"
		run grep -P '^imdb-cat\trows_out\t' st.tsv
		assert_output "imdb-cat	rows_out	$rows"
	done <<-'EOF2'
	title.basics.tsv.gz 50001 09a1d3de695300a2ea2adc620be61cc3941d18370b84b151010b5750387709a8
	title.ratings.tsv.gz 32238 1dd2372fd7f0d42dc46b1b4faafd7f8d2d659b353162636a5141a5595559ea21
	title.principals.tsv.gz 50001 2f165ea919bedabbfd35e82fc09a882cfa3b21b3bb1def3260fac493df5d856c
	name.basics.tsv.gz 50001 404d13672183edbf6d20fd93b794cee10e81216082cb29f8797fcdadc8148273
	title.crew.tsv.gz 50001 6737d735e9e9f37a90e1b2d9334bdd340c0a873db9a6a31cec3b9cfeb731fa47
	title.akas.tsv.gz 50001 b9e3463deaece05f7f7bacfe5e770ad6019fbeabf71b3a70ac435bae3e39e06a
	title.episode.tsv.gz 3371 edcb94554331c1ac7d7cbd8a7f881942eb4c002e83f47cf4dbbd5e9186cfb010
	movies-2022-a/title.basics.tsv.gz 1000 3122463869240747838350ce472f9f492ca9be604560065fa4dd5adc64512e07
	movies-2022-a/title.principals.tsv.gz 5957 dbaa9f3a34fde18331b1afc8502e4411d097855676049cde8e218a4e16e74f99
	movies-2022-a/name.basics.tsv.gz 5477 b35c4ee8a193a0daa8f749043caf3e857d21a77e5f941f4506bcd7f6463b4594
	ratings-2017-08-13/title.ratings.tsv.gz 755460 06893ec3a856e243e3fccf6ba606e25480ab45956818ca513478f5b1bfa5bf10
	ratings-2017-10-29/title.ratings.tsv.gz 775956 659de1b9629c25bc7055d4dfdd30d97f6267e98d3abfb8c9354e0b3ae5a256d7
	EOF2
}

@test "real sample: title.basics has 50,002 lines and stats carry the .gz sha256" {
	need_sample
	run sh -c "imdb-cat '$SAMPLE/title.basics.tsv.gz' | wc -l"
	assert_output 50002
	imdb-cat --stats st.tsv "$SAMPLE/title.basics.tsv.gz" >/dev/null
	run grep -P '\tinput_(bytes|sha256)\t' st.tsv
	assert_output $'imdb-cat\tinput_bytes\t983841\nimdb-cat\tinput_sha256\t08b73482bab06076cf6be3e5307ce6f548ece1bc916db933a5ec40128e52ce1f'
}

@test "plain file passes through unchanged" {
	run imdb-cat basics.tsv
	assert_success
	assert_output "$(cat basics.tsv)"
}

@test "gzip on stdin is detected by its magic bytes" {
	gzip -c basics.tsv >b.gz
	run sh -c 'imdb-cat < b.gz'
	assert_success
	assert_output "$(cat basics.tsv)"
}

@test "multi-member gzip and several files: one header, rows in order" {
	printf '%s\n' "$H" "$R1" | gzip -c >a.gz
	printf '%s\n' "$H" "$R2" | gzip -c >b.gz
	printf '%s\n' "$R3" | gzip -c >>b.gz          # second member without header
	run imdb-cat a.gz b.gz
	assert_success
	assert_output "$(printf '%s\n' "$H" "$R1" "$R2" "$R3")"
}

@test "a later file with another header is an error naming it" {
	printf 'tconst\taverageRating\tnumVotes\ntt0000001\t5.7\t2000\n' >r.tsv
	run --separate-stderr imdb-cat basics.tsv r.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: r.tsv:1: header differs from the first file's (expected '$H')"
}

@test "truncated gzip: exit 1, message names the file, rows before it were written" {
	seq 1 200000 | awk 'BEGIN{print "a\tb"} {print $1 "\t" $1*7}' | gzip -c >big.gz
	size=$(stat -c %s big.gz)
	head -c $((size / 2)) big.gz >cut.gz
	run --separate-stderr imdb-cat --schema none cut.gz
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: cut.gz: truncated gzip stream (unexpected end of file after $((size / 2)) bytes)"
	[ "${#output}" -gt 1000 ]
}

@test "truncated gzip at every 10 % of the file is always an error" {
	seq 1 50000 | awk 'BEGIN{print "a"} {print $1}' | gzip -c >big.gz
	size=$(stat -c %s big.gz)
	for pct in 0 10 20 30 40 50 60 70 80 90 99; do
		head -c $((size * pct / 100 + 2)) big.gz >cut.gz
		run --separate-stderr imdb-cat --schema none cut.gz
		assert_failure 1
		[[ "$stderr" == "imdb-cat: cut.gz: "* ]] || fail "at $pct %: $stderr"
	done
}

@test "a CRC mismatch is a corrupt stream" {
	gzip -c basics.tsv >b.gz
	size=$(stat -c %s b.gz)
	printf '\x00\x00\x00\x00' | dd of=b.gz bs=1 seek=$((size - 8)) conv=notrunc 2>/dev/null
	run --separate-stderr imdb-cat b.gz
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: b.gz: corrupt gzip stream (CRC mismatch)"
}

@test "garbage after the last gzip member is an error" {
	gzip -c basics.tsv >b.gz
	size=$(stat -c %s b.gz)
	printf 'junk' >>b.gz
	run --separate-stderr imdb-cat b.gz
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: b.gz: trailing garbage after gzip data at byte $size"
}

@test "a BOM is stripped, CRLF becomes LF, a missing final newline is accepted" {
	printf '\xef\xbb\xbf%s\r\n%s\r\n%s' "$H" "$R1" "$R2" >crlf.tsv
	run imdb-cat crlf.tsv
	assert_success
	assert_output "$(printf '%s\n' "$H" "$R1" "$R2")"
	[ "$(imdb-cat crlf.tsv | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ]
}

@test "an empty file is an error; a header-only file gives the header" {
	: >empty.tsv
	run --separate-stderr imdb-cat empty.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: empty.tsv: empty input (expected a header line)"
	printf '%s\n' "$H" >h.tsv
	run imdb-cat h.tsv
	assert_success
	assert_output "$H"
}

@test "an unknown header needs --schema none" {
	printf 'a\tb\n1\t2\n' >x.tsv
	run --separate-stderr imdb-cat x.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: x.tsv:1: header is not one of the seven IMDb files (use --schema none to read any TSV)"
	run imdb-cat --schema none x.tsv
	assert_success
	assert_output $'a\tb\n1\t2'
}

@test "schema checks: each bad value is named with what was expected" {
	while IFS='|' read -r row msg; do
		printf '%s\n%b\n' "$H" "$row" >bad.tsv
		run --separate-stderr imdb-cat bad.tsv
		assert_failure 1
		assert_equal "$stderr" "imdb-cat: bad.tsv:2: $msg"
	done <<-'EOF2'
	tt0000001\tshort\tA\tA\t0\t1894\t\\N\t1|expected 9 fields, found 8
	tt0000001\tshort\tA\tA\t0\t1894\t\\N\t1\tShort\textra|expected 9 fields, found 10
	tt000001\tshort\tA\tA\t0\t1894\t\\N\t1\tShort|bad tconst 'tt000001' (expected tt followed by 7 or more digits)
	\\N\tshort\tA\tA\t0\t1894\t\\N\t1\tShort|bad tconst '\N' (expected tt followed by 7 or more digits)
	tt0000001\t\tA\tA\t0\t1894\t\\N\t1\tShort|bad titleType '' (expected a non-empty value)
	tt0000001\tshort\tA\tA\t2\t1894\t\\N\t1\tShort|bad isAdult '2' (expected 0 or 1)
	tt0000001\tshort\tA\tA\t0\t18x4\t\\N\t1\tShort|bad startYear '18x4' (expected a non-negative integer or \N)
	tt0000001\tshort\tA\tA\t0\t1894\t\\N\t-1\tShort|bad runtimeMinutes '-1' (expected a non-negative integer or \N)
	tt0000001\tshort\tA\x00B\tA\t0\t1894\t\\N\t1\tShort|NUL byte in row
	EOF2
}

@test "ratings: averageRating 1.0 to 10.0, numVotes a non-negative integer" {
	hr=$'tconst\taverageRating\tnumVotes'
	for row in $'tt0000001\t10.1\t5|bad averageRating \'10.1\' (expected 1.0 to 10.0)' \
	    $'tt0000001\t0.9\t5|bad averageRating \'0.9\' (expected 1.0 to 10.0)' \
	    $'tt0000001\t7.25\t5|bad averageRating \'7.25\' (expected 1.0 to 10.0)' \
	    $'tt0000001\t7.2\t-1|bad numVotes \'-1\' (expected a non-negative integer)' \
	    $'tt0000001\t7.2\t\\N|bad numVotes \'\\N\' (expected a non-negative integer)'; do
		printf '%s\n%s\n' "$hr" "${row%%|*}" >r.tsv
		run --separate-stderr imdb-cat r.tsv
		assert_failure 1
		assert_equal "$stderr" "imdb-cat: r.tsv:2: ${row#*|}"
	done
	printf '%s\n%s\n%s\n' "$hr" $'tt0000001\t1\t0' $'tt0000002\t10.0\t5' >r.tsv
	run imdb-cat r.tsv
	assert_success
}

@test "crew, principals, episode, akas, name.basics rows are checked" {
	printf 'tconst\tdirectors\twriters\ntt0000001\tnm0000001,nm12345678\t\\N\ntt0000002\tnm001,x\t\\N\n' >c.tsv
	run --separate-stderr imdb-cat c.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: c.tsv:3: bad directors 'nm001,x' (expected nm ids separated by commas, or \\N)"
	printf 'tconst\tordering\tnconst\tcategory\tjob\tcharacters\ntt0000001\t0\tnm0000001\tself\t\\N\t["Self"]\n' >p.tsv
	run --separate-stderr imdb-cat p.tsv
	assert_equal "$stderr" "imdb-cat: p.tsv:2: bad ordering '0' (expected a positive integer)"
	printf 'tconst\tparentTconst\tseasonNumber\tepisodeNumber\ntt0000001\ttt0000002\t1\tx\n' >e.tsv
	run --separate-stderr imdb-cat e.tsv
	assert_equal "$stderr" "imdb-cat: e.tsv:2: bad episodeNumber 'x' (expected a non-negative integer or \\N)"
	printf 'titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle\ntt0000001\t1\tA\t\\N\t\\N\t\\N\t\\N\t2\n' >k.tsv
	run --separate-stderr imdb-cat k.tsv
	assert_equal "$stderr" "imdb-cat: k.tsv:2: bad isOriginalTitle '2' (expected 0, 1 or \\N)"
	printf 'nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles\nnm0000001\tFred\t1899\t\\N\tactor\ttt0000001,nm0000001\n' >n.tsv
	run --separate-stderr imdb-cat n.tsv
	assert_equal "$stderr" "imdb-cat: n.tsv:2: bad knownForTitles 'tt0000001,nm0000001' (expected tt ids separated by commas, or \\N)"
}

@test "--rejects keeps bad rows with line and reason; counts reconcile" {
	printf '%s\n%s\n%s\n%s\n%s\n' "$H" "$R1" $'tt1\tx' "$R2" $'tt0000004\tshort\tA\tA\t3\t1\t\\N\t1\tShort' >mixed.tsv
	run --separate-stderr imdb-cat --rejects rej.tsv --stats st.tsv mixed.tsv
	assert_success
	assert_output "$(printf '%s\n' "$H" "$R1" "$R2")"
	run cat rej.tsv
	assert_output $'source\tline\treason\traw\nmixed.tsv\t3\texpected 9 fields, found 2\ttt1\tx\nmixed.tsv\t5\tbad isAdult \'3\' (expected 0 or 1)\ttt0000004\tshort\tA\tA\t3\t1\t\\N\t1\tShort'
	run grep -P '\trows_(in|out|rejected)\t' st.tsv
	assert_output $'imdb-cat\trows_in\t4\nimdb-cat\trows_out\t2\nimdb-cat\trows_rejected\t2'
}

@test "--unique rejects later rows with a key seen before" {
	printf '%s\n%s\n%s\n%s\n' "$H" "$R1" "$R2" "$R1" >dup.tsv
	run --separate-stderr imdb-cat --unique dup.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: dup.tsv:4: duplicate key 'tt0000001' (first seen on line 2)"
	run imdb-cat --unique --rejects rej.tsv dup.tsv
	assert_success
	assert_output "$(printf '%s\n' "$H" "$R1" "$R2")"
	run cut -f1-3 rej.tsv
	assert_output $'source\tline\treason\ndup.tsv\t4\tduplicate key \'tt0000001\' (first seen on line 2)'
}

@test "--limit and -f project and reorder by name or number" {
	run imdb-cat --limit 2 -f genres,tconst,6 basics.tsv
	assert_success
	assert_output $'genres\ttconst\tstartYear\nDocumentary,Short\ttt0000001\t1894\nAnimation,Short\ttt0000002\t1892'
	run imdb-cat --limit 0 basics.tsv
	assert_output "$H"
}

@test "--limit still hashes the whole file for --stats" {
	gzip -c basics.tsv >b.gz
	imdb-cat --limit 1 --stats st.tsv b.gz >/dev/null
	run grep -P '\tinput_sha256\t' st.tsv
	assert_output "imdb-cat	input_sha256	$(sha256sum b.gz | cut -d' ' -f1)"
}

@test "-N reads headerless rows under a named schema" {
	tail -n +2 basics.tsv >nh.tsv
	run imdb-cat -N --schema title.basics -f 1,5 nh.tsv
	assert_success
	assert_output $'tt0000001\t0\ntt0000002\t0\ntt10000003\t1'
}

@test "usage errors exit 2 with a message" {
	run --separate-stderr imdb-cat -f nope basics.tsv
	assert_failure 2
	assert_equal "$stderr" "imdb-cat: -f: unknown field 'nope' (header: tconst, titleType, primaryTitle, originalTitle, isAdult, startYear, endYear, runtimeMinutes, genres)"
	run --separate-stderr imdb-cat -N basics.tsv
	assert_failure 2
	assert_equal "$stderr" $'imdb-cat: --schema auto needs a header: with -N name the schema or use --schema none\nTry \'imdb-cat --help\' for more information.'
	run --separate-stderr imdb-cat --schema title.bogus basics.tsv
	assert_failure 2
	run --separate-stderr imdb-cat --limit x basics.tsv
	assert_failure 2
	assert_equal "$stderr" $'imdb-cat: --limit: invalid value \'x\' (expected a non-negative integer)\nTry \'imdb-cat --help\' for more information.'
	run --separate-stderr imdb-cat --bogus
	assert_failure 2
	assert_equal "$stderr" $'imdb-cat: unrecognized option \'--bogus\'\nTry \'imdb-cat --help\' for more information.'
}

@test "a missing file is an error naming it" {
	run --separate-stderr imdb-cat nothere.tsv
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: nothere.tsv: No such file or directory"
}

@test "--help, --version" {
	run --separate-stderr imdb-cat --help
	assert_success
	assert_line --index 0 --partial "usage: imdb-cat [-N] [-f FIELDS]"
	run imdb-cat --version
	assert_output --regexp '^imdb-cat \(p07\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a full disk is an error; -o leaves no partial file" {
	need_dev_full
	run --separate-stderr sh -c 'imdb-cat basics.tsv >/dev/full'
	assert_failure 1
	assert_equal "$stderr" "imdb-cat: stdout: write error: No space left on device"
	printf '%s\n%s\n%s\n' "$H" "$R1" $'bad\trow' >bad.tsv
	run imdb-cat -o out.tsv bad.tsv
	assert_failure 1
	[ ! -e out.tsv ]
	[ -z "$(ls out.tsv.tmp.* 2>/dev/null)" ]
	run imdb-cat -o out.tsv basics.tsv
	assert_success
	assert_file_eq out.tsv basics.tsv
}

@test "a closed pipe ends quietly" {
	seq 1 300000 | awk 'BEGIN{print "a"} {print $1}' >long.tsv
	run --separate-stderr bash -c 'set -o pipefail; imdb-cat --schema none long.tsv | head -n 1'
	assert_output a
	assert_equal "$stderr" ""
}

@test "the build in use reports its inflater in --stats" {
	imdb-cat --stats st.tsv basics.tsv >/dev/null
	run grep -P '\tinflater\t' st.tsv
	assert_output --regexp $'^imdb-cat\tinflater\t(isa-l|zlib)$'
}

@test "--unique on (tconst, ordering): a repeated pair is rejected wherever it comes, also above 64" {
	printf 'tconst\tordering\tnconst\tcategory\tjob\tcharacters\n' >pp.tsv
	for r in 'tt0000001 1 nm0000001' 'tt0000001 2 nm0000001' 'tt0000002 1 nm0000001' \
	    'tt0000001 1 nm0000002' 'tt0000001 70 nm0000001' 'tt0000001 70 nm0000003'; do
		set -- $r
		printf '%s\t%s\t%s\tself\t\\N\t\\N\n' "$1" "$2" "$3" >>pp.tsv
	done
	run imdb-cat --unique --rejects rj.tsv pp.tsv
	assert_success
	assert_output $'tconst\tordering\tnconst\tcategory\tjob\tcharacters\ntt0000001\t1\tnm0000001\tself\t\\N\t\\N\ntt0000001\t2\tnm0000001\tself\t\\N\t\\N\ntt0000002\t1\tnm0000001\tself\t\\N\t\\N\ntt0000001\t70\tnm0000001\tself\t\\N\t\\N'
	run cut -f 1-3 rj.tsv
	assert_output $'source\tline\treason\npp.tsv\t5\tduplicate key \'tt0000001\' with ordering 1\npp.tsv\t7\tduplicate key \'tt0000001\' with ordering 70'
}
