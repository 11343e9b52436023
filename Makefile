# SPDX-License-Identifier: MIT
# weft's entry points. Each target first installs the Debian packages that are missing (as
# root; otherwise it says what to install), then drives meson. Build dirs: build/ (g++),
# build-sanitize/ (clang, AddressSanitizer + UndefinedBehaviorSanitizer).
BUILD ?= build
SANITIZE_BUILD ?= build-sanitize
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 15
# pkgconf: meson finds libuv, libevent and c-ares (the benchmark peers) through pkg-config;
# without it those peers are silently not built.
PACKAGES = meson ninja-build g++ clang libclang-rt-14-dev doctest-dev libasio-dev python3-twisted \
           libuv1-dev libevent-dev dnsmasq-base bind9-dnsutils libc-ares-dev pkgconf \
           nginx libnginx-mod-http-echo curl wrk libcurl4-openssl-dev
NINJA = ninja -C
TEST_ARGS ?=

.PHONY: all build test-build test demo bench fuzz copyable test-sanitize test-tsan deps clean

all: build

deps:
	@tools/ensure-packages.sh $(PACKAGES)

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=release

build: deps $(BUILD)/build.ninja
	@$(NINJA) $(BUILD)

# What the tests run (the suite, and the demos and tools it starts); not the benchmarks.
TEST_TARGETS = tests/weft-tests demos/echo demos/planet demos/trivial demos/failures demos/weft-resolve demos/weft-get
test-build: deps $(BUILD)/build.ninja
	@$(NINJA) $(BUILD) $(TEST_TARGETS)

# The parsers' fuzz targets, the copyable-modules check and the demos' self-tests first, then
# the suite, so that the output ends with doctest's summary.
test: test-build fuzz copyable
	$(BUILD)/demos/echo --self-test
	$(BUILD)/tests/weft-tests $(TEST_ARGS)

# Each module built alone and its tests run, as a copy with only the folders it declares it
# needs (tools/check-copyable.sh: one compiler command per module, no meson).
copyable: deps
	tools/check-copyable.sh

# The article's planet scraper, offline against weft's own server in the same process:
# sequential vs concurrent. Options: make demo ARGS="--blogs 50 --latency-ms 100 --concurrency 10".
ARGS ?=
demo: build
	$(BUILD)/demos/planet $(ARGS)

bench: build
	bench/run.sh all

# The whole suite again under ASan+UBSan, built with clang (so both compilers stay clean).
$(SANITIZE_BUILD)/build.ninja: | deps
	CC=clang CXX=clang++ meson setup $(SANITIZE_BUILD) --buildtype=debugoptimized \
	    -Db_sanitize=address,undefined -Db_lundef=false

test-sanitize: deps $(SANITIZE_BUILD)/build.ninja
	@$(NINJA) $(SANITIZE_BUILD) $(TEST_TARGETS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    $(SANITIZE_BUILD)/tests/weft-tests $(TEST_ARGS)

# Every libFuzzer target (built with clang into $(FUZZ_BUILD)) for FUZZ_SECONDS on its corpus.
$(FUZZ_BUILD)/build.ninja: | deps
	CC=clang CXX=clang++ meson setup $(FUZZ_BUILD) --buildtype=debugoptimized -Dfuzz=true \
	    -Db_sanitize=address,undefined -Db_lundef=false

fuzz: deps $(FUZZ_BUILD)/build.ninja
	@$(NINJA) $(FUZZ_BUILD) fuzz
	tools/run-fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The tests whose code crosses threads (callFromThread, the waker), under ThreadSanitizer.
$(TSAN_BUILD)/build.ninja: | deps
	CXX=clang++ meson setup $(TSAN_BUILD) --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false

test-tsan: deps $(TSAN_BUILD)/build.ninja
	@$(NINJA) $(TSAN_BUILD) tests/weft-tests
	TSAN_OPTIONS=halt_on_error=1 $(TSAN_BUILD)/tests/weft-tests -tc="*thread*,*Thread*"

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
