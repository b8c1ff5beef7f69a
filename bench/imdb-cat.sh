#!/usr/bin/env bash
# imdb-cat throughput against the decompression floor (zcat, igzip -dc) on a
# synthetic title.principals.tsv.gz of at least 1 GB uncompressed.
# Usage: bench/imdb-cat.sh [SCALE]   (default 0.3: about 29 M rows, 1.3 GB raw)
# Data is generated once into bench/cache/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-0.3}
cache=bench/cache/principals-$scale
bin=bin
zbin=build/zlib/bin

make -s bin/imdb-cat bin/imdb-synth
make -s BUILD=build/zlib/obj BIN=build/zlib/bin ZLIB_ONLY=1 build/zlib/bin/imdb-cat
if [ ! -s "$cache/title.principals.tsv.gz" ]; then
	mkdir -p "$cache"
	"$bin/imdb-synth" --scale "$scale" --files title.principals --out "$cache"
fi
gz=$cache/title.principals.tsv.gz
raw_bytes=$(gzip -dc "$gz" | wc -c)
[ -s "$cache/plain.tsv" ] || gzip -dc "$gz" >"$cache/plain.tsv"

# best of three wall-clock seconds
timeit() {
	local best="" t s e
	for _ in 1 2 3; do
		s=$(date +%s.%N)
		"$@" >/dev/null
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" -eq 1 ]; then best=$t; fi
	done
	echo "$best"
}

row() {
	local name=$1; shift
	local t
	t=$(timeit "$@")
	printf '| %s | %.2f | %.0f |\n' "$name" "$t" "$(echo "$raw_bytes / $t / 1000000" | bc -l)"
}

echo "input: $gz ($(stat -c %s "$gz") bytes gzip, $raw_bytes bytes raw)"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
echo
echo "| command | seconds (best of 3) | MB/s of uncompressed output |"
echo "|---|---|---|"
row "zcat" zcat "$gz"
command -v igzip >/dev/null && row "igzip -dc" igzip -dc "$gz"
row "imdb-cat --schema none (ISA-L)" "$bin/imdb-cat" --schema none "$gz"
row "imdb-cat --schema auto (ISA-L)" "$bin/imdb-cat" "$gz"
row "imdb-cat --schema none (zlib)" "$zbin/imdb-cat" --schema none "$gz"
row "imdb-cat --schema auto (zlib)" "$zbin/imdb-cat" "$gz"
row "cat (plain)" cat "$cache/plain.tsv"
row "imdb-cat --schema auto (plain)" "$bin/imdb-cat" "$cache/plain.tsv"
