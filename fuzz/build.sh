#!/usr/bin/env bash
# fuzz/build.sh [TARGET...]: builds the libFuzzer harnesses into build/fuzz/.
# Targets: tsv gzip fieldlist (common/), and tool-NAME for each cmd/NAME.c but
# imdb-synth (default: all).  Needs clang with the libFuzzer runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${FUZZ_CC:-clang}
OUT=build/fuzz
SAN='-fsanitize=address,undefined'
CFLAGS=(-g -O1 -std=c11 -D_GNU_SOURCE '-DP07_VERSION="fuzz"' -Icommon -Ifuzz
    "$SAN" -fno-sanitize-recover=undefined)
# the code under test: exit jumps back, allocations are tracked (fuzz_rt.h)
RENAME=(-Dexit=fuzz_exit -Dmalloc=fuzz_malloc -Dcalloc=fuzz_calloc -Drealloc=fuzz_realloc
    -Dfree=fuzz_free -Dstrdup=fuzz_strdup)
LIBS=(-lcrypto -lz -lm)
if printf '#include <isa-l/igzip_lib.h>\n' | $CC -E -x c - >/dev/null 2>&1; then
	CFLAGS+=(-DHAVE_ISAL)
	LIBS=(-lisal "${LIBS[@]}")
fi
mkdir -p "$OUT/obj"

common_objs=()
for c in common/*.c; do
	o=$OUT/obj/$(basename "${c%.c}").o
	if [ ! -e "$o" ] || [ "$c" -nt "$o" ] || [ -n "$(find common -name '*.h' -newer "$o")" ]; then
		$CC "${CFLAGS[@]}" -fsanitize=fuzzer-no-link "${RENAME[@]}" -c -o "$o" "$c"
	fi
	common_objs+=("$o")
done
$CC "${CFLAGS[@]}" -c -o "$OUT/obj/fuzz_rt.o" fuzz/fuzz_rt.c

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	targets=(tsv gzip fieldlist)
	for c in cmd/*.c; do
		t=$(basename "${c%.c}")
		[ "$t" = imdb-synth ] || targets+=("tool-$t")
	done
fi
for t in "${targets[@]}"; do
	case $t in
	tool-*)
		name=${t#tool-}
		$CC "${CFLAGS[@]}" -fsanitize=fuzzer-no-link "${RENAME[@]}" -Dmain=tool_main \
		    -c -o "$OUT/obj/cmd-$name.o" "cmd/$name.c"
		$CC "${CFLAGS[@]}" -fsanitize=fuzzer "-DFUZZ_TOOL_${name//-/_}" -o "$OUT/fuzz_$t" \
		    fuzz/fuzz_tool.c "$OUT/obj/cmd-$name.o" "${common_objs[@]}" "$OUT/obj/fuzz_rt.o" "${LIBS[@]}" ;;
	*)
		$CC "${CFLAGS[@]}" -fsanitize=fuzzer -o "$OUT/fuzz_$t" "fuzz/fuzz_$t.c" \
		    "${common_objs[@]}" "$OUT/obj/fuzz_rt.o" "${LIBS[@]}" ;;
	esac
	echo "built $OUT/fuzz_$t"
done
