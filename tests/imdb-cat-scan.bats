#!/usr/bin/env bats
# imdb-cat's fast path (rows checked in place from scan bitmaps): every scan
# implementation (P07_SCAN) keeps and rejects exactly the rows the per-row
# checks do, with the same messages; --unique with keys in and out of order.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR"
	HP=$'tconst\tordering\tnconst\tcategory\tjob\tcharacters'
}

@test "real sample: every scan implementation gives the same bytes (sha256 from PROVENANCE)" {
	need_sample
	for impl in c sse2 avx2 default; do
		while read -r file sha; do
			got=$(P07_SCAN=$impl imdb-cat --unique "$SAMPLE/$file" | sha256sum | cut -d' ' -f1)
			[ "$got" = "$sha" ] || fail "P07_SCAN=$impl $file: sha256 $got, expected $sha"
		done <<-'EOF2'
		title.basics.tsv.gz 09a1d3de695300a2ea2adc620be61cc3941d18370b84b151010b5750387709a8
		title.principals.tsv.gz 2f165ea919bedabbfd35e82fc09a882cfa3b21b3bb1def3260fac493df5d856c
		name.basics.tsv.gz 404d13672183edbf6d20fd93b794cee10e81216082cb29f8797fcdadc8148273
		title.crew.tsv.gz 6737d735e9e9f37a90e1b2d9334bdd340c0a873db9a6a31cec3b9cfeb731fa47
		title.akas.tsv.gz b9e3463deaece05f7f7bacfe5e770ad6019fbeabf71b3a70ac435bae3e39e06a
		EOF2
	done
}

@test "bad rows among good ones: same rows out, same rejects, under every scan implementation" {
	long=$(head -c 70000 /dev/zero | tr '\0' y)
	{
		printf '%s\n' "$HP"
		printf 'tt0000001\t1\tnm0000001\tself\t\\N\t["Self"]\n'
		printf 'tt0000001\t2\tnm0000002\tactor\t\\N\t["A"]\r\n'          # CRLF: CR dropped
		printf 'tt0000001\t3\tnm0000003\tactor\t\\N\n'                    # 5 fields
		printf 'tt0000001\t04\tnm0000004\tactor\t\\N\t\\N\n'              # 04 is positive
		printf 'tt0000001\t5\tnm000000x\tactor\t\\N\t\\N\n'
		printf 'tt0000001\t6\tnm0000006\tact\0or\t\\N\t\\N\n'
		printf 'tt0000002\t1\tnm0000007\tactor\t%s\t\\N\n' "$long"       # 70 kB field
		printf 'tt0000002\t0\tnm0000008\tactor\t\\N\t\\N\n'
		printf 'tt0000002\t2\tnm0000009\t\\N\t\\N\t\\N\n'
		printf 'tt0000002\t3\tnm0000010\tactor\t\\N\t\\N\textra\n'
		printf 'tt0000002\t4\tnm0000011\tactor\ta\rb\t\\N'              # CR inside, no final LF
	} >p.tsv
	{
		printf '%s\n' "$HP"
		printf 'tt0000001\t1\tnm0000001\tself\t\\N\t["Self"]\n'
		printf 'tt0000001\t2\tnm0000002\tactor\t\\N\t["A"]\n'
		printf 'tt0000001\t04\tnm0000004\tactor\t\\N\t\\N\n'
		printf 'tt0000002\t1\tnm0000007\tactor\t%s\t\\N\n' "$long"
		printf 'tt0000002\t4\tnm0000011\tactor\ta\rb\t\\N\n'
	} >want.tsv
	printf '%s\n' 'p.tsv	4	expected 6 fields, found 5' \
	    "p.tsv	6	bad nconst 'nm000000x' (expected nm followed by 7 or more digits)" \
	    'p.tsv	7	NUL byte in row' \
	    "p.tsv	9	bad ordering '0' (expected a positive integer)" \
	    "p.tsv	10	bad category '\\N' (expected a non-empty value)" \
	    'p.tsv	11	expected 6 fields, found 7' >want-rej.tsv
	for impl in c sse2 avx2 default; do
		P07_SCAN=$impl imdb-cat --unique --rejects rej.tsv p.tsv >got.tsv
		assert_file_eq got.tsv want.tsv
		tail -n +2 rej.tsv | cut -f 1-3 >got-rej.tsv
		assert_file_eq got-rej.tsv want-rej.tsv
	done
	# --limit counts the rows kept, whichever path took them
	for n in 1 2 3 4 5; do
		imdb-cat --limit "$n" --rejects rej.tsv p.tsv >got.tsv
		head -n $((n + 1)) want.tsv >want-n.tsv
		assert_file_eq got.tsv want-n.tsv
	done
}

@test "--unique: keys out of byte order are still checked against every earlier key" {
	{
		printf '%s\n' "$HP"
		for r in 'tt0000002 1' 'tt0000001 1' 'tt0000003 1' 'tt0000001 1' 'tt10000000 1' \
		    'tt1000001 1' 'tt0000002 2' 'tt0000002 1' 'tt10000000 1' 'tt00000001 1'; do
			set -- $r
			printf '%s\t%s\tnm0000001\tself\t\\N\t\\N\n' "$1" "$2"
		done
	} >u.tsv
	run --separate-stderr imdb-cat --unique --rejects rej.tsv u.tsv
	assert_success
	run cut -f 1,2 <(imdb-cat --unique --rejects rej.tsv u.tsv)
	assert_output $'tconst\tordering\ntt0000002\t1\ntt0000001\t1\ntt0000003\t1\ntt10000000\t1\ntt1000001\t1\ntt0000002\t2\ntt00000001\t1'
	run cut -f 2,3 rej.tsv
	assert_output $'line\treason\n5\tduplicate key \'tt0000001\' with ordering 1\n9\tduplicate key \'tt0000002\' with ordering 1\n10\tduplicate key \'tt10000000\' with ordering 1'
	printf 'tconst\taverageRating\tnumVotes\n' >r.tsv
	for k in tt0000005 tt0000003 tt0000005 tt0000003 tt00000003 tt0000009; do
		printf '%s\t5.0\t1\n' "$k" >>r.tsv
	done
	run imdb-cat --unique --rejects rej.tsv r.tsv
	assert_success
	assert_output $'tconst\taverageRating\tnumVotes\ntt0000005\t5.0\t1\ntt0000003\t5.0\t1\ntt00000003\t5.0\t1\ntt0000009\t5.0\t1'
	run cut -f 2,3 rej.tsv
	assert_output $'line\treason\n4\tduplicate key \'tt0000005\' (first seen on line 2)\n5\tduplicate key \'tt0000003\' (first seen on line 3)'
}
