#!/usr/bin/env bash
# Runs every Bats suite on the default build, then the input-layer suite on
# the zlib-only build (build/zlib/bin), and prints "N passed, N failed".
#
# The suites run side by side, P07_TEST_JOBS at a time (default: the number
# of CPUs, at least 2), with GNU parallel through `bats --jobs`: a file's
# tests run one after the other (several share what setup_file built), files
# run in parallel -- no suite shares a path, port or directory with another
# (each works under its own BATS_TEST_TMPDIR or BATS_FILE_TMPDIR, the
# PostgreSQL clusters under their own mktemp directory).  The longest suites
# are started first so that none of them is left running alone at the end;
# the zlib-only run goes alongside.  Output stays in file order.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

jobs=${P07_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -ge 2 ] 2>/dev/null || jobs=2
par=(--jobs "$jobs" --no-parallelize-within-files)
command -v parallel >/dev/null || {
	echo "# GNU parallel not found (Debian package parallel): the suites run one at a time"
	par=()
}

# Slowest first (CPU seconds on a 2-core machine), then the rest in name order.
first=(pipeline faults pipeline-small badinput partitioned imdb-cat scd2-merge sql imdb-synth report kpi-agg)
files=()
for f in "${first[@]}"; do
	[ -f "tests/$f.bats" ] && files+=("tests/$f.bats")
done
for f in tests/*.bats; do
	case " ${first[*]} " in *" $(basename "$f" .bats) "*) continue ;; esac
	files+=("$f")
done

zlib=
if [ -z "${P07_BIN:-}" ] && [ -x build/zlib/bin/imdb-cat ]; then
	zlib=1
	P07_BIN=$PWD/build/zlib/bin bats --formatter tap tests/imdb-cat.bats \
	    >"$tmp/zlib" 2>"$tmp/zlib.err" &
	zpid=$!
fi
P07_BIN=${P07_BIN:-$PWD/bin} bats --formatter tap "${par[@]}" "${files[@]}" | tee "$tmp/main"
if [ -n "$zlib" ]; then
	wait "$zpid"
	echo "# input layer again on the zlib-only build"
	cat "$tmp/zlib"
	cat "$tmp/zlib.err" >&2
fi

cat "$tmp/main" ${zlib:+"$tmp/zlib"} >"$tmp/log"
skipped=$(grep -c '^ok .* # skip' "$tmp/log")
passed=$(( $(grep -c '^ok ' "$tmp/log") - skipped ))
failed=$(grep -c '^not ok ' "$tmp/log")
# A suite that dies before reporting (bats aborts, a setup_file fails
# without reports) shows as a missing result: count those as failed too.
planned=$(awk '/^1\.\.[0-9]+$/ { n += substr($0, 4) } END { print n + 0 }' "$tmp/log")
missing=$(( planned - passed - failed - skipped ))
[ "$missing" -le 0 ] || failed=$(( failed + missing ))
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
