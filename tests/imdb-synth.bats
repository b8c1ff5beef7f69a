#!/usr/bin/env bats
# imdb-synth: the synthetic catalogue against what imdb-synth(1) promises,
# checked with coreutils, awk and gzip rather than with the tool itself.

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

GENRES="Action Adult Adventure Animation Biography Comedy Crime Documentary Drama Family Fantasy Film-Noir Game-Show History Horror Music Musical Mystery News Reality-TV Romance Sci-Fi Short Sport Talk-Show Thriller War Western"
FILES="name.basics title.akas title.basics title.crew title.episode title.principals title.ratings"

setup_file() {
	local repo
	repo=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
	export P07_BIN=${P07_BIN:-$repo/bin}
	export PATH=$P07_BIN:$PATH LC_ALL=C
	# One base catalogue and its next snapshot, shared by the tests below.
	imdb-synth --scale 0.001 --seed 7 -o "$BATS_FILE_TMPDIR/k0"
	imdb-synth --scale 0.001 --seed 7 --snapshot 1 -o "$BATS_FILE_TMPDIR/k1"
}

setup() {
	K0=$BATS_FILE_TMPDIR/k0
	K1=$BATS_FILE_TMPDIR/k1
	T=$BATS_TEST_TMPDIR
}

# rows FILE: data rows of a .tsv.gz
rows() {
	gzip -dc "$1" | tail -n +2 | wc -l
}

# header FILE: the first line of a .tsv.gz
header() {
	gzip -dc "$1" | head -1
}

# keys DIR NAME [COLUMN]: the sorted distinct values of a column
keys() {
	gzip -dc "$1/$2.tsv.gz" | tail -n +2 | cut -f "${3:-1}" | sort -u
}

# manifest DIR METRIC: a value of SYNTH.tsv
manifest() {
	awk -F'\t' -v m="$2" '$1 == m { print $2 }' "$1/SYNTH.tsv"
}

@test "--help prints the usage on stdout and exits 0" {
	run imdb-synth --help
	assert_success
	assert_line --index 0 "usage: imdb-synth [-v] [-j jobs] [-o dir] [--date YYYY-MM-DD] [--files list] [--plain]"
	assert_line --index 1 "                  [--scale S] [--seed N] [--snapshot K] [--stats file]"
}

@test "--version names the toolkit" {
	run imdb-synth --version
	assert_success
	assert_output --regexp '^imdb-synth \(p07\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a bad option is a usage error with exit 2" {
	run imdb-synth --bogus
	assert_failure 2
	assert_output "imdb-synth: unrecognized option '--bogus'
Try 'imdb-synth --help' for more information."
}

@test "bad option values are usage errors naming the value" {
	run imdb-synth --scale abc
	assert_failure 2
	assert_line --index 0 "imdb-synth: --scale: invalid value 'abc' (expected a number)"
	run imdb-synth --scale 3
	assert_failure 2
	assert_line --index 0 "imdb-synth: --scale: invalid value '3' (expected a number above 0 and at most 2)"
	run imdb-synth --seed -1
	assert_failure 2
	assert_line --index 0 "imdb-synth: --seed: invalid value '-1' (expected a non-negative integer)"
	run imdb-synth --date 2025-02-30
	assert_failure 2
	assert_line --index 0 "imdb-synth: --date: invalid value '2025-02-30' (no such day)"
	run imdb-synth --files title.basics,title.foo
	assert_failure 2
	assert_line --index 0 "imdb-synth: --files: unknown file 'title.foo' (expected name.basics, title.akas, title.basics, title.crew, title.episode, title.principals or title.ratings)"
	run imdb-synth extra
	assert_failure 2
	assert_line --index 0 "imdb-synth: unexpected argument 'extra'"
}

@test "an --out that is not a directory exits 1 and writes nothing" {
	: >"$T/file"
	run imdb-synth --scale 0.0001 -o "$T/file"
	assert_failure 1
	assert_output "imdb-synth: $T/file: Not a directory"
	run imdb-synth --scale 0.0001 -o "$T/file/sub"
	assert_failure 1
	assert_output "imdb-synth: $T/file/sub: Not a directory"
}

@test "an unwritable --out exits 1 and leaves no temporary file" {
	[ "$(id -u)" -ne 0 ] || skip "root writes into a read-only directory"
	mkdir "$T/ro"
	chmod 555 "$T/ro"
	run imdb-synth --scale 0.0001 -o "$T/ro"
	assert_failure 1
	assert_output "imdb-synth: $T/ro/name.basics.tsv.gz: Permission denied"
	run ls -A "$T/ro"
	assert_output ""
}

@test "a full disk exits 1 and leaves no file, temporary or not" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small tmpfs"
	mkdir "$T/tiny"
	mount -t tmpfs -o size=1m tmpfs "$T/tiny" 2>/dev/null || skip "cannot mount tmpfs here"
	run imdb-synth --scale 0.001 -j 1 -o "$T/tiny/out"
	left=$(ls -A "$T/tiny/out")
	umount "$T/tiny"
	assert_failure 1
	assert_output "imdb-synth: $T/tiny/out/title.principals.tsv.gz: write error: No space left on device"
	[ -z "$left" ] || fail "left behind: $left"
}

# The data files are finished before SYNTH.tsv and --stats are written;
# they must not be renamed into place when those fail (common/out.c).
@test "a failing --stats exits 1 and leaves no data file, SYNTH.tsv or temporary" {
	run imdb-synth --scale 0.0005 -o "$T/full" --stats /dev/full
	assert_failure 1
	assert_output "imdb-synth: /dev/full: write error: No space left on device"
	run ls -A "$T/full"
	assert_output ""
	run imdb-synth --scale 0.0005 --plain -o "$T/nodir" --stats "$T/missing/st.tsv"
	assert_failure 1
	assert_output "imdb-synth: $T/missing/st.tsv: No such file or directory"
	run ls -A "$T/nodir"
	assert_output ""
}

@test "a failing --stats over an old catalogue leaves every old file as it was" {
	imdb-synth --scale 0.0005 --seed 1 -o "$T/old"
	(cd "$T/old" && sha256sum ./*) >"$T/before"
	run imdb-synth --scale 0.0005 --seed 2 -o "$T/old" --stats /dev/full
	assert_failure 1
	assert_output "imdb-synth: /dev/full: write error: No space left on device"
	(cd "$T/old" && sha256sum ./*) >"$T/after"
	cmp "$T/before" "$T/after"
	run sh -c "ls -A '$T/old' | grep -c tmp"
	assert_output 0
}

@test "SIGTERM mid-run exits 143, leaves nothing and stops the children too" {
	imdb-synth --scale 0.2 -j 2 -o "$T/sig" &
	pid=$!
	# wait (up to 60 s) until a child has written bytes to its temporary
	for _ in $(seq 600); do
		[ -n "$(find "$T/sig" -name '*.tmp.*' -size +0 2>/dev/null)" ] && break
		sleep 0.1
	done
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 143 ] || fail "exit status $st, expected 143"
	# the children die with the parent instead of writing on (~15 s of work)
	for _ in $(seq 30); do
		pgrep -f -- "-o $T/sig" >/dev/null || break
		sleep 0.1
	done
	run pgrep -f -- "-o $T/sig"
	assert_failure 1
	run ls -A "$T/sig"
	assert_output ""
}

@test "the same options give byte-identical files" {
	imdb-synth --scale 0.001 --seed 7 -j 1 -o "$T/again"
	for f in $FILES; do
		a=$(sha256sum <"$K0/$f.tsv.gz")
		b=$(sha256sum <"$T/again/$f.tsv.gz")
		[ "$a" = "$b" ] || fail "$f.tsv.gz differs between two runs"
	done
	cmp "$K0/SYNTH.tsv" "$T/again/SYNTH.tsv"
	ls -A "$T/again" | grep -v -e '\.tsv\.gz$' -e '^SYNTH\.tsv$' && fail "stray file" || true
}

@test "another seed gives another catalogue" {
	imdb-synth --scale 0.001 --seed 8 --files title.basics -o "$T/s8"
	! cmp -s "$K0/title.basics.tsv.gz" "$T/s8/title.basics.tsv.gz"
}

@test "every file is a sound gzip stream with no name and mtime 0" {
	for f in $FILES; do
		gzip -t "$K0/$f.tsv.gz"
		# bytes 4-7 of a gzip member: flags 0, then mtime 0
		run sh -c "od -An -tx1 -j3 -N5 '$K0/$f.tsv.gz' | tr -d ' '"
		assert_output "0000000000"
	done
}

@test "headers are IMDb's, exactly" {
	run header "$K0/name.basics.tsv.gz"
	assert_output "$(printf 'nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles')"
	run header "$K0/title.akas.tsv.gz"
	assert_output "$(printf 'titleId\tordering\ttitle\tregion\tlanguage\ttypes\tattributes\tisOriginalTitle')"
	run header "$K0/title.basics.tsv.gz"
	assert_output "$(printf 'tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\tendYear\truntimeMinutes\tgenres')"
	run header "$K0/title.crew.tsv.gz"
	assert_output "$(printf 'tconst\tdirectors\twriters')"
	run header "$K0/title.episode.tsv.gz"
	assert_output "$(printf 'tconst\tparentTconst\tseasonNumber\tepisodeNumber')"
	run header "$K0/title.principals.tsv.gz"
	assert_output "$(printf 'tconst\tordering\tnconst\tcategory\tjob\tcharacters')"
	run header "$K0/title.ratings.tsv.gz"
	assert_output "$(printf 'tconst\taverageRating\tnumVotes')"
}

@test "the headers match the real IMDb sample" {
	sample=$BATS_TEST_DIRNAME/../../shared/data/imdb-sample
	[ -d "$sample" ] || skip "no IMDb sample at $sample"
	for f in $FILES; do
		[ "$(header "$K0/$f.tsv.gz")" = "$(header "$sample/$f.tsv.gz")" ] ||
			fail "$f header differs from the sample"
	done
}

@test "every row has as many fields as its header" {
	for f in $FILES; do
		run sh -c "gzip -dc '$K0/$f.tsv.gz' | awk -F'\t' 'NR == 1 { n = NF } NF != n { print NR; exit }'"
		assert_output ""
	done
}

@test "row counts at --scale 0.001 are the man page's formulas" {
	# T = round(12,300,000 x 0.001) = 12300
	[ "$(rows "$K0/title.basics.tsv.gz")" -eq 12300 ]
	[ "$(rows "$K0/title.crew.tsv.gz")" -eq 12300 ]
	[ "$(rows "$K0/title.ratings.tsv.gz")" -eq 1640 ]
	[ "$(rows "$K0/name.basics.tsv.gz")" -eq 15100 ]
	[ "$(rows "$K0/title.principals.tsv.gz")" -eq 98000 ]
	[ "$(rows "$K0/title.akas.tsv.gz")" -eq 30750 ]	# floor(5T/2)
	[ "$(rows "$K0/title.episode.tsv.gz")" -eq 8610 ]	# floor(7T/10)
	run gzip -dc "$K0/title.basics.tsv.gz"
	[ "$(printf '%s\n' "$output" | awk -F'\t' '$2 == "tvEpisode"' | wc -l)" -eq 8610 ]
}

@test "an odd scale rounds as documented" {
	# 12,300,000 x 0.0003 = 3690; 1,640,000 x 0.0003 = 492; floor(5 x 3690 / 2) = 9225
	imdb-synth --scale 0.0003 -o "$T/odd"
	[ "$(rows "$T/odd/title.basics.tsv.gz")" -eq 3690 ]
	[ "$(rows "$T/odd/title.ratings.tsv.gz")" -eq 492 ]
	[ "$(rows "$T/odd/name.basics.tsv.gz")" -eq 4530 ]
	[ "$(rows "$T/odd/title.principals.tsv.gz")" -eq 29400 ]
	[ "$(rows "$T/odd/title.akas.tsv.gz")" -eq 9225 ]
	[ "$(rows "$T/odd/title.episode.tsv.gz")" -eq 2583 ]
}

@test "SYNTH.tsv counts the rows of every file" {
	run head -1 "$K0/SYNTH.tsv"
	assert_output "$(printf 'metric\tvalue')"
	for f in $FILES; do
		[ "$(manifest "$K0" "rows_$f")" -eq "$(rows "$K0/$f.tsv.gz")" ] ||
			fail "rows_$f in SYNTH.tsv is not the row count"
	done
	[ "$(manifest "$K0" snapshot_date)" = 2025-08-13 ]
	[ "$(manifest "$K1" snapshot_date)" = 2025-08-20 ]
}

@test "every tconst of the other title files is in title.basics" {
	keys "$K0" title.basics >"$T/basics"
	for f in title.ratings title.principals title.crew title.episode; do
		keys "$K0" "$f" >"$T/k"
		[ "$(comm -23 "$T/k" "$T/basics" | wc -l)" -eq 0 ] || fail "$f has orphans"
	done
	keys "$K0" title.akas >"$T/k"
	[ "$(comm -23 "$T/k" "$T/basics" | wc -l)" -eq 0 ]
	# episode parents are series of the catalogue
	gzip -dc "$K0/title.basics.tsv.gz" | awk -F'\t' '$2 == "tvSeries" || $2 == "tvMiniSeries" { print $1 }' | sort >"$T/series"
	keys "$K0" title.episode 2 >"$T/parents"
	[ "$(comm -23 "$T/parents" "$T/series" | wc -l)" -eq 0 ]
}

@test "about 1% of principal rows name a person missing from name.basics" {
	keys "$K0" name.basics >"$T/names"
	gzip -dc "$K0/title.principals.tsv.gz" | tail -n +2 | cut -f3 | sort >"$T/p"
	missing=$(join -v1 "$T/p" "$T/names" | wc -l)
	[ "$missing" -eq "$(manifest "$K0" principals_dangling_nconst)" ]
	# 1 in 100 of 98,000 rows: well within 800..1200
	[ "$missing" -ge 800 ] && [ "$missing" -le 1200 ]
	# crew and knownForTitles point at existing rows
	gzip -dc "$K0/title.crew.tsv.gz" | tail -n +2 | cut -f2,3 | tr '\t,' '\n\n' | grep -v '^\\N$' | sort -u >"$T/crew"
	[ "$(comm -23 "$T/crew" "$T/names" | wc -l)" -eq 0 ]
}

@test "ids have 7 digits below 10,000,000 and 8 above, both present" {
	for f in title.basics name.basics; do
		run sh -c "gzip -dc '$K0/$f.tsv.gz' | tail -n +2 | cut -f1 | awk '{ n[length(\$0)]++ } END { for (l in n) print l }' | sort"
		assert_output "$(printf '10\n9')"
	done
	run sh -c "gzip -dc '$K0/title.basics.tsv.gz' | sed -n 2p | cut -f1"
	assert_output tt0000001
	run sh -c "gzip -dc '$K0/name.basics.tsv.gz' | sed -n 2p | cut -f1"
	assert_output nm0000001
	# an 8-digit id never starts with 0; a 7-digit one is zero-padded
	[ "$(gzip -dc "$K0/title.basics.tsv.gz" | tail -n +2 | cut -f1 | grep -c -E -v '^tt([0-9]{7}|[1-9][0-9]{7})$')" -eq 0 ]
}

@test "files are in IMDb's order: by key as text, ordering numeric within a key" {
	for f in $FILES; do
		gzip -dc "$K0/$f.tsv.gz" | tail -n +2 | sort -c -s -t "$(printf '\t')" -k1,1 ||
			fail "$f is not sorted by its key in byte order"
	done
	# text order is not numeric order: some 8-digit id precedes a 7-digit one
	run sh -c "gzip -dc '$K0/title.basics.tsv.gz' | tail -n +2 | cut -f1 | awk 'length(p) == 10 && length(\$0) == 9 { n++ } { p = \$0 } END { print (n > 0) }'"
	assert_output 1
	for f in title.principals title.akas; do
		run sh -c "gzip -dc '$K0/$f.tsv.gz' | tail -n +2 | awk -F'\t' '\$1 != k { k = \$1; o = 0 } \$2 != ++o { print NR; exit }'"
		assert_output ""
	done
	# and some title has 10 or more principals, so 10 follows 9
	[ "$(gzip -dc "$K0/title.principals.tsv.gz" | awk -F'\t' '$2 == 10' | wc -l)" -gt 0 ]
}

@test "values have IMDb's shapes and quirks" {
	gzip -dc "$K0/title.basics.tsv.gz" | tail -n +2 >"$T/b"
	run awk -F'\t' -v list="$GENRES" '
	    BEGIN { split(list, l, " "); for (i in l) known[l[i]] = 1 }
	    $5 != "0" && $5 != "1" { print "isAdult " NR }
	    $6 !~ /^([0-9]+|\\N)$/ || $7 !~ /^([0-9]+|\\N)$/ || $8 !~ /^([0-9]+|\\N)$/ { print "number " NR }
	    $9 != "\\N" { n = split($9, g, ","); if (n > 3) print "genres " NR
	        for (i = 1; i <= n; i++) if (!(g[i] in known)) print "genre " NR
	        for (i = 2; i <= n; i++) if (g[i - 1] >= g[i]) print "genre order " NR }' "$T/b"
	assert_output ""
	# quirks the real files have
	[ "$(awk -F'\t' '$3 ~ /^"/' "$T/b" | wc -l)" -gt 0 ]
	[ "$(awk -F'\t' '$6 != "\\N" && $6 < 1000' "$T/b" | wc -l)" -gt 0 ]
	[ "$(awk -F'\t' '$7 == "\\N"' "$T/b" | wc -l)" -gt 11000 ]
	[ "$(awk -F'\t' '$8 == "\\N"' "$T/b" | wc -l)" -gt 1000 ]
	[ "$(awk -F'\t' '$9 == "\\N"' "$T/b" | wc -l)" -gt 100 ]
	run sh -c "cut -f2 '$T/b' | sort -u | tr '\n' ' '"
	assert_output "movie short tvEpisode tvMiniSeries tvMovie tvPilot tvSeries tvShort tvSpecial video videoGame "
	run sh -c "gzip -dc '$K0/title.ratings.tsv.gz' | tail -n +2 | awk -F'\t' '\$2 !~ /^([1-9]|10)\\.[0-9]\$/ || \$2 > 10 || \$2 < 1 || \$3 !~ /^[0-9]+\$/ || \$3 < 5'"
	assert_output ""
	run sh -c "gzip -dc '$K0/title.principals.tsv.gz' | tail -n +2 | cut -f4 | sort -u | tr '\n' ' '"
	assert_output "actor actress archive_footage archive_sound casting_director cinematographer composer director editor producer production_designer self writer "
	[ "$(gzip -dc "$K0/title.principals.tsv.gz" | grep -c -F '["Self"]')" -gt 0 ]
	[ "$(gzip -dc "$K0/title.principals.tsv.gz" | grep -c -F '\"')" -gt 0 ]
	[ "$(gzip -dc "$K0/title.crew.tsv.gz" | awk -F'\t' 'length($2) > 5000 || length($3) > 5000' | wc -l)" -gt 0 ]
	[ "$(gzip -dc "$K0/title.episode.tsv.gz" | awk -F'\t' '$3 == "\\N"' | wc -l)" -gt 0 ]
	[ "$(gzip -dc "$K0/name.basics.tsv.gz" | awk -F'\t' '$3 == "\\N"' | wc -l)" -gt 0 ]
}

@test "snapshot 1 differs from snapshot 0 by the counts in SYNTH.tsv" {
	gzip -dc "$K0/title.basics.tsv.gz" | tail -n +2 >"$T/b0"
	gzip -dc "$K1/title.basics.tsv.gz" | tail -n +2 >"$T/b1"
	removed=$(join -t "$(printf '\t')" -v1 "$T/b0" "$T/b1" | wc -l)
	added=$(join -t "$(printf '\t')" -v2 "$T/b0" "$T/b1" | wc -l)
	changed=$(join -t "$(printf '\t')" "$T/b0" "$T/b1" | awk -F'\t' '{ for (i = 2; i <= 9; i++) if ($i != $(i + 8)) { n++; break } } END { print n + 0 }')
	[ "$removed" -eq "$(manifest "$K1" titles_removed)" ]
	[ "$added" -eq "$(manifest "$K1" titles_added)" ]
	[ "$changed" -eq "$(manifest "$K1" titles_changed)" ]
	[ "$added" -eq 123 ]				# round(12300 / 100)
	[ "$removed" -ge 30 ] && [ "$removed" -le 100 ]	# 1 in 200
	[ "$changed" -ge 170 ] && [ "$changed" -le 330 ]	# 1 in 50
	# new ids lie above every old one
	[ "$(join -t "$(printf '\t')" -v2 "$T/b0" "$T/b1" | cut -f1 | tr -d t | sort -n | head -1)" -gt \
	  "$(cut -f1 "$T/b0" | tr -d t | sort -n | tail -1)" ]
	# ratings moved as counted
	gzip -dc "$K0/title.ratings.tsv.gz" | tail -n +2 >"$T/r0"
	gzip -dc "$K1/title.ratings.tsv.gz" | tail -n +2 >"$T/r1"
	run sh -c "join -t '	' '$T/r0' '$T/r1' | awk -F'\t' '\$2 != \$4 { r++ } \$5 > \$3 { u++ } \$5 < \$3 { d++ } END { print r + 0, u + 0, d + 0 }'"
	assert_output "$(manifest "$K1" ratings_rating_changed) $(manifest "$K1" ratings_votes_up) $(manifest "$K1" ratings_votes_down)"
	[ "$(join -v1 "$T/r0" "$T/r1" | wc -l)" -eq "$(manifest "$K1" ratings_removed)" ]
	[ "$(join -v2 "$T/r0" "$T/r1" | wc -l)" -eq "$(manifest "$K1" ratings_added)" ]
}

@test "removed titles vanish from every title file of the snapshot" {
	keys "$K0" title.basics >"$T/t0"
	keys "$K1" title.basics >"$T/t1"
	comm -23 "$T/t0" "$T/t1" >"$T/gone"
	[ -s "$T/gone" ]
	for f in title.akas title.crew title.episode title.principals title.ratings; do
		keys "$K1" "$f" >"$T/k"
		[ "$(comm -12 "$T/k" "$T/gone" | wc -l)" -eq 0 ] || fail "$f keeps a removed title"
	done
	# the rest of the catalogue is unchanged: principals of kept titles are the same rows
	gzip -dc "$K0/title.principals.tsv.gz" | tail -n +2 | grep -v -F -f "$T/gone" >"$T/p0"
	gzip -dc "$K1/title.principals.tsv.gz" | tail -n +2 >"$T/p1"
	[ "$(comm -23 "$T/p0" "$T/p1" | wc -l)" -eq 0 ]
}

@test "--files writes only the files named, identical to a full run" {
	imdb-synth --scale 0.001 --seed 7 --files title.ratings,name.basics -o "$T/some"
	run sh -c "ls '$T/some' | tr '\n' ' '"
	assert_output "SYNTH.tsv name.basics.tsv.gz title.ratings.tsv.gz "
	cmp "$T/some/title.ratings.tsv.gz" "$K0/title.ratings.tsv.gz"
	cmp "$T/some/name.basics.tsv.gz" "$K0/name.basics.tsv.gz"
	cmp "$T/some/SYNTH.tsv" "$K0/SYNTH.tsv"
}

@test "--plain writes the same bytes uncompressed" {
	imdb-synth --scale 0.001 --seed 7 --plain --files title.basics,title.crew -o "$T/plain"
	gzip -dc "$K0/title.basics.tsv.gz" | cmp - "$T/plain/title.basics.tsv"
	gzip -dc "$K0/title.crew.tsv.gz" | cmp - "$T/plain/title.crew.tsv"
}

@test "--date goes to SYNTH.tsv only; --stats repeats the counts" {
	imdb-synth --scale 0.001 --seed 7 --files title.ratings --date 2024-02-29 --stats "$T/st.tsv" -o "$T/d"
	[ "$(manifest "$T/d" snapshot_date)" = 2024-02-29 ]
	cmp "$T/d/title.ratings.tsv.gz" "$K0/title.ratings.tsv.gz"
	run head -2 "$T/st.tsv"
	assert_output "$(printf 'tool\tmetric\tvalue\nimdb-synth\tscale\t0.001')"
}
