#!/usr/bin/env bash
# imdb-cat throughput against the decompression floor (zcat, igzip -dc) on a
# synthetic title.principals.tsv.gz of at least 1 GB uncompressed.
# Usage: bench/imdb-cat.sh [SCALE]   (default 0.3: about 29 M rows, 1.3 GB raw)
# RUNS=N (default 3) runs per command; each figure is the best of them.
# Data is generated once into bench/cache/ (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=${1:-0.3}
runs=${RUNS:-3}
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
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# best wall-clock and best CPU (user+sys) seconds of $runs runs
timeit() {
	local wall="" cpu="" w u s c i
	for ((i = 0; i < runs; i++)); do
		/usr/bin/time -f '%e %U %S' -o "$tmp" "$@" >/dev/null
		read -r w u s <"$tmp"
		c=$(echo "$u + $s" | bc)
		if [ -z "$wall" ] || [ "$(echo "$w < $wall" | bc)" -eq 1 ]; then wall=$w; fi
		if [ -z "$cpu" ] || [ "$(echo "$c < $cpu" | bc)" -eq 1 ]; then cpu=$c; fi
	done
	echo "$wall $cpu"
}

row() {
	local name=$1 wall cpu
	shift
	read -r wall cpu < <(timeit "$@")
	printf '| %s | %.2f | %.2f | %.0f | %.0f |\n' "$name" "$wall" "$cpu" \
	    "$(echo "$raw_bytes / $wall / 1000000" | bc -l)" \
	    "$(echo "$raw_bytes / $cpu / 1000000" | bc -l)"
}

echo "input: $gz ($(stat -c %s "$gz") bytes gzip, $raw_bytes bytes raw)"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "runs per command: $runs; output to /dev/null"
echo
echo "| command | wall s (best) | CPU s (best) | MB/s wall | MB/s per CPU s |"
echo "|---|---|---|---|---|"
row "zcat" zcat "$gz"
if command -v igzip >/dev/null; then row "igzip -dc" igzip -dc "$gz"; fi
row "imdb-cat --schema none (ISA-L)" "$bin/imdb-cat" --schema none "$gz"
row "imdb-cat (ISA-L)" "$bin/imdb-cat" "$gz"
row "imdb-cat --unique (ISA-L)" "$bin/imdb-cat" --unique "$gz"
row "imdb-cat --schema none (zlib)" "$zbin/imdb-cat" --schema none "$gz"
row "imdb-cat (zlib)" "$zbin/imdb-cat" "$gz"
row "imdb-cat --unique (zlib)" "$zbin/imdb-cat" --unique "$gz"
row "cat (plain)" cat "$cache/plain.tsv"
row "imdb-cat (plain)" "$bin/imdb-cat" "$cache/plain.tsv"
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
