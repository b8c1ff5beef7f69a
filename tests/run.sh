#!/usr/bin/env bash
# Runs every Bats suite on the default build, then the input-layer suite on
# the zlib-only build (build/zlib/bin), and prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

suite() {
	P07_BIN=$1 bats --formatter tap "${@:2}" | tee -a "$log"
}

suite "${P07_BIN:-$PWD/bin}" tests/*.bats
if [ -z "${P07_BIN:-}" ] && [ -x build/zlib/bin/imdb-cat ]; then
	echo "# input layer again on the zlib-only build"
	suite "$PWD/build/zlib/bin" tests/imdb-cat.bats
fi
skipped=$(grep -c '^ok .* # skip' "$log")
passed=$(( $(grep -c '^ok ' "$log") - skipped ))
failed=$(grep -c '^not ok ' "$log")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
