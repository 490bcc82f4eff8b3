# Thin wrapper over CMake. `make` builds, `make test` runs every test,
# `make asan` builds and tests under AddressSanitizer + UBSan.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: all build test asan check dogfood clean deps test-deps
all: build

# The README's two commands: `make dogfood` (main job on this repo) and
# `make check` (every test, plain and under the sanitizers).
dogfood: deps build
	./$(BUILD)/unentropy verify unentropy.json
	./$(BUILD)/unentropy collect

check: test-deps test asan

test-deps:
	./scripts/install-deps --test

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DUNENTROPY_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

deps:
	./scripts/install-deps

clean:
	rm -rf $(BUILD) build-asan
