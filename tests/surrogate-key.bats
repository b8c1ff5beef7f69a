#!/usr/bin/env bats
# surrogate-key: dbt_utils generate_surrogate_key as a filter.  Every digest
# here is checked against coreutils md5sum, computed independently (awk builds
# the key bytes, md5sum hashes them), for every MD5 engine this CPU runs.

load helper

SKFIX=$FIX/surrogate-key
SKGOLD=surrogate-key

setup() {
	cd "$BATS_TEST_TMPDIR"
}

# The engines this machine can run (scalar always; avx2/avx512 by cpuid).
# (No /dev/null here: a suite that once renamed a file over it broke this.)
engines() {
	local e msg
	for e in scalar avx2 avx512; do
		if msg=$(printf '' | surrogate-key --engine "$e" -N -k k=1 2>&1); then
			echo "$e"
		fi
	done
}

# md5sum of each line of FILE (LF excluded), one hex per line, in order.
# One md5sum process over one small file per line keeps this fast (in
# /dev/shm when there is one: creating 10,000 files on disk takes seconds).
md5_each_line() {
	local d
	d=$(mktemp -d -p /dev/shm sk-bats.XXXXXX 2>/dev/null) ||
	    d=$(mktemp -d "$BATS_TEST_TMPDIR/lines.XXXXXX")
	awk -v d="$d" '{ f = sprintf("%s/%08d", d, NR); printf "%s", $0 > f; close(f) }' "$1"
	if [ -s "$1" ]; then
		(cd "$d" && md5sum -- *) | cut -c1-32
	fi
	rm -rf "$d"
}

# dbt's key bytes of fields F (awk field numbers, comma-separated) per row.
key_bytes() {
	awk -F'\t' -v f="$1" -v skip="${3:-1}" '
		NR > skip {
			n = split(f, idx, ",")
			s = ""
			for (i = 1; i <= n; i++) {
				v = $idx[i]
				if (v == "\\N")
					v = "_dbt_utils_surrogate_key_null_"
				s = s (i > 1 ? "-" : "") v
			}
			print s
		}' "$2"
}

@test "test vectors from DESIGN.md, on every engine" {
	printf 'tconst\tnconst\ntt0000001\tnm0000001\n\\N\tnm0000001\n' >v.tsv
	for e in $(engines); do
		run --separate-stderr surrogate-key --engine "$e" -k t=tconst \
		    -k tn=tconst,nconst v.tsv
		assert_success
		assert_output "$(printf '%s\n' \
		    $'tconst\tnconst\tt\ttn' \
		    $'tt0000001\tnm0000001\t137d82026f8ae7d67a376714b2b197b8\t131cdb8e4cf0d4a55dcd09032d6a9c82' \
		    $'\\N\tnm0000001\tf14cc5cdce0420f4a5a6b6d9d7b85f39\t'"$(printf '_dbt_utils_surrogate_key_null_-nm0000001' | md5sum | cut -c1-32)")"
		[ -z "$stderr" ]
	done
	# the lone-null vector is md5 of dbt's stand-in
	[ "$(printf '_dbt_utils_surrogate_key_null_' | md5sum | cut -c1-32)" = f14cc5cdce0420f4a5a6b6d9d7b85f39 ]
}

@test "golden: principals with title, person and credit keys, cross-checked with md5sum" {
	run --separate-stderr surrogate-key -k title_key=tconst \
	    -k person_key=nconst -k credit_key=tconst,ordering "$SKFIX/principals.tsv"
	assert_success
	assert_golden "$SKGOLD/principals-keys.tsv"
	key_bytes 1 "$SKFIX/principals.tsv" >t.txt
	key_bytes 3 "$SKFIX/principals.tsv" >n.txt
	key_bytes 1,2 "$SKFIX/principals.tsv" >c.txt
	{ head -n 1 "$SKFIX/principals.tsv" | sed 's/$/\ttitle_key\tperson_key\tcredit_key/'
	  tail -n +2 "$SKFIX/principals.tsv" | paste - <(md5_each_line t.txt) \
	      <(md5_each_line n.txt) <(md5_each_line c.txt); } >want.tsv
	assert_file_eq "$GOLD/$SKGOLD/principals-keys.tsv" want.tsv
}

@test "golden: null is dbt's stand-in, the empty string stays empty (dbt coalesces nulls only)" {
	run --separate-stderr surrogate-key -k ab=a,b -k ba=b,a -k b_key=b "$SKFIX/edge.tsv"
	assert_success
	assert_golden "$SKGOLD/edge-keys.tsv"
	# "" and "" -> md5("-"); "" alone -> md5(""); \\N (two backslashes) is a value
	run grep -c $'^\t\tx\t336d5ebc5436534e61d16e63ddfca327\t336d5ebc5436534e61d16e63ddfca327\td41d8cd98f00b204e9800998ecf8427e$' \
	    "$GOLD/$SKGOLD/edge-keys.tsv"
	assert_output 1
	key_bytes 1,2 "$SKFIX/edge.tsv" >ab.txt
	key_bytes 2,1 "$SKFIX/edge.tsv" >ba.txt
	key_bytes 2 "$SKFIX/edge.tsv" >b.txt
	{ printf 'a\tb\tc\tab\tba\tb_key\n'
	  tail -n +2 "$SKFIX/edge.tsv" | paste - <(md5_each_line ab.txt) \
	      <(md5_each_line ba.txt) <(md5_each_line b.txt); } >want.tsv
	assert_file_eq "$GOLD/$SKGOLD/edge-keys.tsv" want.tsv
}

@test "10,000 random keys (awk, fixed seed) agree with md5sum on every engine, with and without memo" {
	# two fields: short ids, runs of repeats, \N, empty strings and keys
	# past one MD5 block (the scalar fallback)
	awk 'BEGIN {
		srand(42)
		for (i = 0; i < 10000; i++) {
			if (i == 0 || rand() < 0.6)
				t = sprintf("tt%07d", int(rand() * 10000000))
			r = rand()
			if (r < 0.05) n = "\\N"
			else if (r < 0.08) n = ""
			else if (r < 0.12) {
				n = ""
				len = 20 + int(rand() * 60)
				for (j = 0; j < len; j++)
					n = n sprintf("%c", 33 + int(rand() * 90))
			} else
				n = sprintf("nm%07d", int(rand() * 10000000))
			printf "%s\t%s\n", t, n
		}
	}' >rand.tsv
	[ "$(wc -l <rand.tsv)" -eq 10000 ]
	key_bytes 1 rand.tsv 0 >t.txt
	key_bytes 1,2 rand.tsv 0 >tn.txt
	paste rand.tsv <(md5_each_line t.txt) <(md5_each_line tn.txt) >want.tsv
	for e in $(engines); do
		for memo in "" --no-memo; do
			surrogate-key -N --engine "$e" $memo -k t=1 -k tn=1,2 rand.tsv >got.tsv
			assert_file_eq got.tsv want.tsv
		done
	done
}

@test "lengths 0..60 (one block up to 55 bytes, scalar fallback after) agree with md5sum on every engine" {
	awk 'BEGIN { for (n = 0; n <= 60; n++) { s = ""; for (i = 0; i < n; i++) s = s sprintf("%c", 97 + (n + i) % 26); print s } }' >len.tsv
	md5_each_line len.tsv >want.txt
	for e in $(engines); do
		surrogate-key -N --engine "$e" --stats st.tsv -k k=1 len.tsv | cut -f2 >got.txt
		assert_file_eq got.txt want.txt
		run grep -P '^surrogate-key\tkeys_long\t' st.tsv
		assert_output $'surrogate-key\tkeys_long\t5'
	done
}

@test "memo: runs of equal keys are hashed once, also across batch boundaries" {
	# runs of 700 rows straddle the 1024-row batches
	awk 'BEGIN { for (i = 0; i < 5000; i++) printf "tt%07d\tnm%07d\n", int(i / 700), i % 3 }' >runs.tsv
	surrogate-key -N --no-memo -k t=1 -k n=2 runs.tsv >plain.tsv
	surrogate-key -N --stats st.tsv -k t=1 -k n=2 runs.tsv >memo.tsv
	assert_file_eq memo.tsv plain.tsv
	key_bytes 1 runs.tsv 0 >t.txt
	[ "$(cut -f3 memo.tsv)" = "$(md5_each_line t.txt)" ]
	run grep -P '^surrogate-key\tkeys_(hashed|memoised)\t' st.tsv
	# t: 8 runs hashed; n changes every row: 5000 hashed
	assert_output $'surrogate-key\tkeys_hashed\t5008\nsurrogate-key\tkeys_memoised\t4992'
}

@test "--stats: counts reconcile" {
	surrogate-key --stats st.tsv -k title_key=tconst -k person_key=nconst \
	    "$SKFIX/principals.tsv" >/dev/null
	run grep -v md5_engine st.tsv
	assert_output "$(printf '%s\n' $'tool\tmetric\tvalue' \
	    $'surrogate-key\trows_in\t13' $'surrogate-key\trows_out\t13' \
	    $'surrogate-key\trows_rejected\t0' $'surrogate-key\tbytes_in\t576' \
	    $'surrogate-key\tkeys\t2' $'surrogate-key\tkeys_hashed\t15' \
	    $'surrogate-key\tkeys_memoised\t11' $'surrogate-key\tkeys_long\t0')"
}

@test "--position first puts the keys (in -k order) before the row" {
	run --separate-stderr surrogate-key --position first -k p=nconst \
	    -k t=tconst "$SKFIX/principals.tsv"
	assert_success
	[ "${lines[0]}" = $'p\tt\ttconst\tordering\tnconst\tcategory\tjob\tcharacters' ]
	[ "${lines[1]}" = $'b810400a1a1bc61b96846b2eb6234727\t137d82026f8ae7d67a376714b2b197b8\ttt0000001\t1\tnm1588970\tself\t\\N\t["Self"]' ]
	[ "${#lines[@]}" -eq 14 ]
}

@test "--replace puts each key in its source field's place, under the new name" {
	run --separate-stderr surrogate-key --replace -k person_key=nconst \
	    -k title_key=1 "$SKFIX/principals.tsv"
	assert_success
	[ "${lines[0]}" = $'title_key\tordering\tperson_key\tcategory\tjob\tcharacters' ]
	[ "${lines[1]}" = $'137d82026f8ae7d67a376714b2b197b8\t1\tb810400a1a1bc61b96846b2eb6234727\tself\t\\N\t["Self"]' ]
	# keeping the column's name is allowed
	run surrogate-key --replace -k tconst=tconst "$SKFIX/principals.tsv"
	assert_success
	[ "${lines[0]}" = $'tconst\tordering\tnconst\tcategory\tjob\tcharacters' ]
}

@test "-N: headerless, fields by number; gzip input; several files share the header" {
	tail -n +2 "$SKFIX/principals.tsv" >body.tsv
	run --separate-stderr surrogate-key -N -k t=1 -k p=3 body.tsv
	assert_success
	[ "$output" = "$(tail -n +2 "$GOLD/$SKGOLD/principals-keys.tsv" | cut -f1-8)" ]
	gzip -c "$SKFIX/principals.tsv" >p.tsv.gz
	run --separate-stderr surrogate-key -k title_key=tconst -k person_key=nconst \
	    -k credit_key=tconst,ordering <p.tsv.gz
	assert_success
	assert_golden "$SKGOLD/principals-keys.tsv"
	run --separate-stderr surrogate-key -k t=tconst "$SKFIX/principals.tsv" p.tsv.gz
	assert_success
	[ "${#lines[@]}" -eq 27 ]
	[ "${lines[14]}" = "${lines[1]}" ]
}

@test "-o FILE is written whole, and only on success" {
	surrogate-key -o out.tsv -k title_key=tconst -k person_key=nconst \
	    -k credit_key=tconst,ordering "$SKFIX/principals.tsv"
	assert_file_eq out.tsv "$GOLD/$SKGOLD/principals-keys.tsv"
	printf 'a\tb\n1\t2\n3\n' >ragged.tsv
	run surrogate-key -o bad.tsv -k k=a ragged.tsv
	assert_failure 1
	[ ! -e bad.tsv ]
	[ -z "$(ls | grep tmp || true)" ]
}

@test "errors: ragged rows are data errors with file and line" {
	printf 'a\tb\n1\t2\n3\n' >ragged.tsv
	run --separate-stderr surrogate-key -k k=a ragged.tsv
	assert_failure 1
	[ "$stderr" = "surrogate-key: ragged.tsv:3: expected 2 fields, found 1" ]
	printf '1\t2\t3\n4\t5\n' >ragged-n.tsv
	run --separate-stderr surrogate-key -N -k k=1 ragged-n.tsv
	assert_failure 1
	[ "$stderr" = "surrogate-key: ragged-n.tsv:2: expected 3 fields, found 2" ]
	# the same with --replace, which splits rows again when writing them
	run --separate-stderr surrogate-key --replace -k k=a ragged.tsv
	assert_failure 1
	[ "$stderr" = "surrogate-key: ragged.tsv:3: expected 2 fields, found 1" ]
}

@test "errors: usage errors exit 2 with the exact message" {
	printf 'a\tb\n1\t2\n' >ab.tsv
	try='Try '\''surrogate-key --help'\'' for more information.'
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086
		run --separate-stderr surrogate-key $args ab.tsv
		[ "$status" -eq 2 ] || fail "$args: status $status"
		[ "${stderr_lines[0]}" = "surrogate-key: $msg" ] ||
		    fail "$args: got '${stderr_lines[0]}', expected 'surrogate-key: $msg'"
		[ -z "$output" ]
	done <<-'EOF'
	|missing -k NAME=FIELDS (at least one key is required)
	-k ab|-k: invalid key 'ab' (expected NAME=FIELDS)
	-k =a|-k: invalid key '=a' (expected NAME=FIELDS)
	-k k=|-k: invalid key 'k=' (expected NAME=FIELDS)
	-k k=c|-k k: unknown field 'c' (header: a, b)
	-k k=a,,b|-k k: empty field in list 'a,,b'
	-k k=3|-k k: field 3 is past the last field (2)
	-k k=a -k k=b|-k: column name 'k' given twice
	-k b=a|-k b: column 'b' is already in the header
	--replace -k k=a,b|--replace: -k k=a,b has 2 fields (expected exactly one, the field it replaces)
	--replace -k k=a -k j=1|--replace: field 1 is replaced by both -k k and -k j
	--replace -k b=a|-k b: column 'b' is already in the header
	--replace --position last -k k=a|--replace and --position cannot be used together (a replacing key takes its field's place)
	--position middle -k k=a|--position: invalid value 'middle' (expected first or last)
	--engine md4 -k k=a|--engine: invalid value 'md4' (expected auto, scalar, avx2 or avx512)
	-N -k k=a|-k k: field name 'a' needs a header (input is headerless with -N: use numbers)
	-N -k k=5|ab.tsv:1: -k k: field 5 is past the last field (2)
	EOF
	run --separate-stderr surrogate-key --bogus -k k=a ab.tsv
	assert_failure 2
	[ "${stderr_lines[1]}" = "$try" ]
}

@test "errors: a full disk is an error, a closed pipe is quiet" {
	run --separate-stderr surrogate-key -k t=tconst -o /dev/full "$SKFIX/principals.tsv"
	[ "$status" -ne 0 ]
	awk 'BEGIN { for (i = 0; i < 200000; i++) printf "tt%07d\n", i }' >many.tsv
	run bash -c 'surrogate-key -N -k t=1 many.tsv >/dev/full'
	assert_failure 1
	[[ "$output" == *"surrogate-key: "*"No space left on device"* ]]
	run bash -c 'set -o pipefail; surrogate-key -N -k t=1 many.tsv | head -n 1'
	assert_output "tt0000000	$(printf tt0000000 | md5sum | cut -c1-32)"
}

@test "--help prints the man page's synopsis on stdout; --version" {
	run --separate-stderr surrogate-key --help
	assert_success
	[ -z "$stderr" ]
	help=$(printf '%s\n' "$output" | sed 's/^usage: //' | tr -s '[:space:]' ' ' | sed 's/ $//')
	man=$(mandoc -Tascii "$REPO/man/man1/surrogate-key.1" | col -b |
	    awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' |
	    tr -s '[:space:]' ' ' | sed 's/^ //; s/ $//')
	[ "$help" = "$man" ] || fail "usage: '$help' man: '$man'"
	run surrogate-key --version
	assert_success
	assert_output --regexp '^surrogate-key \(p07\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "an engine this CPU lacks is a usage error, never a crash" {
	if [ "$(engines | grep -c avx512)" -eq 1 ]; then
		skip "this CPU runs every engine"
	fi
	: >empty.tsv
	run --separate-stderr surrogate-key --engine avx512 -N -k k=1 empty.tsv
	assert_failure 2
	[ "${stderr_lines[0]}" = "surrogate-key: --engine: avx512 is not supported by this CPU" ]
}

@test "real sample: principals keys match md5sum" {
	need_sample
	zcat "$SAMPLE/title.principals.tsv.gz" | head -n 2001 >p.tsv
	surrogate-key -k title_key=tconst -k person_key=nconst p.tsv >got.tsv
	key_bytes 1 p.tsv >t.txt
	key_bytes 3 p.tsv >n.txt
	{ head -n 1 p.tsv | sed 's/$/\ttitle_key\tperson_key/'
	  tail -n +2 p.tsv | paste - <(md5_each_line t.txt) <(md5_each_line n.txt); } >want.tsv
	assert_file_eq got.tsv want.tsv
}
