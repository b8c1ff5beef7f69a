# p07 - IMDb star-schema toolkit.  See README.md.
#
#   make              build every tool into bin/
#   make test         run the Bats suite (both inflate paths)
#   make check        the same suite on an ASan+UBSan build, then Valgrind
#   make demo         install missing Debian packages, build, run the demo ETL
#   make lint         mandoc -Tlint and shellcheck
#   make install PREFIX=/usr/local
#   make ZLIB_ONLY=1  build without ISA-L even when it is installed

VERSION	= 0.1.0
PREFIX	?= /usr/local
CC	?= cc
CFLAGS	?= -O2 -g
P07_CFLAGS = -std=c11 -Wall -Wextra -D_GNU_SOURCE -DP07_VERSION='"$(VERSION)"' -Icommon
LDLIBS	= -lcrypto -lz -lm

BUILD	?= build
BIN	?= bin

# ISA-L inflate is used when its header is installed, unless ZLIB_ONLY=1.
ifeq ($(ZLIB_ONLY),)
HAVE_ISAL := $(shell printf '\043include <isa-l/igzip_lib.h>\n' | $(CC) -E -x c - >/dev/null 2>&1 && echo 1)
endif
ifeq ($(HAVE_ISAL),1)
P07_CFLAGS += -DHAVE_ISAL
LDLIBS	:= -lisal $(LDLIBS)
endif

COMMON_SRC = $(wildcard common/*.c)
COMMON_OBJ = $(COMMON_SRC:common/%.c=$(BUILD)/common/%.o)
TOOLS	= $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
TOOL_BINS = $(TOOLS:%=$(BIN)/%)

all: $(TOOL_BINS)

$(BUILD)/common/%.o: common/%.c common/*.h
	@mkdir -p $(@D)
	$(CC) $(P07_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/libp07.a: $(COMMON_OBJ)
	rm -f $@
	ar rcs $@ $(COMMON_OBJ)

$(BIN)/%: cmd/%.c $(BUILD)/libp07.a common/*.h
	@mkdir -p $(@D)
	$(CC) $(P07_CFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libp07.a $(LDFLAGS) $(LDLIBS)

# The suite runs twice over the input layer: once on the default build and
# once on a zlib-only build (build/zlib), so both inflate paths are tested.
# Both builds use a job per CPU unless make already runs with -j.
TEST_JOBS = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 2))
test:
	$(MAKE) $(TEST_JOBS) all
	$(MAKE) -s $(TEST_JOBS) BUILD=build/zlib/obj BIN=build/zlib/bin ZLIB_ONLY=1 all
	tests/run.sh

# Memory still held at exit is not a leak here (tools free nothing they
# need until exit), so LeakSanitizer is off; ASan and UBSan are on.  Then
# pipelines/full.sh on the sample with every tool under Valgrind memcheck
# (fuzz/valgrind.sh; `make valgrind` alone).  docs/reliability.md.
check: all
	$(MAKE) -s BUILD=build/asan/obj BIN=build/asan/bin \
	    CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' all
	ASAN_OPTIONS=detect_leaks=0 P07_BIN=$(CURDIR)/build/asan/bin tests/run.sh
	fuzz/valgrind.sh

demo:
	pipelines/install-deps.sh
	$(MAKE) all
	pipelines/full.sh --demo --out out

lint:
	mandoc -Tlint -Wwarning man/man1/*.1 man/man7/*.7
	shellcheck -S warning pipelines/*.sh bench/*.sh tests/*.sh .ci/run

bench: all
	bench/run.sh $(SCALE)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(TOOL_BINS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 man/man1/*.1 $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 man/man7/*.7 $(DESTDIR)$(PREFIX)/share/man/man7

clean:
	rm -rf $(BIN) build

.PHONY: all test check demo lint bench install clean fuzz valgrind
.SECONDARY: $(COMMON_OBJ)

# ---- fuzzing and Valgrind (issue #10; see fuzz/README.md) -------------------
# Neither is part of `make test`: they need clang's libFuzzer and valgrind.
#   make fuzz                  every harness for FUZZ_SECONDS (default 120) each
#   make fuzz FUZZ_SECONDS=10 FUZZ_TARGETS='tsv gzip'
#   make valgrind              pipelines/full.sh on the sample, every tool under memcheck
FUZZ_SECONDS ?= 120
FUZZ_TARGETS ?=

fuzz: all
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_TARGETS)

valgrind: all
	fuzz/valgrind.sh
