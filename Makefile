# Loopin: the two commands a newcomer needs are `make run` and `make test`.
# Build directories: build/ (release, gcc), build-asan/ (tests: clang with
# ASan+UBSan), build-gcc-check/ (gcc -Werror debug build), build-fuzz/.

JOBS ?= $(shell nproc)
CMAKE ?= cmake
SRC_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find src tests -name '*.[ch]')

.PHONY: all build run test unit api-test api-test-gcc browser-test deps check-gcc format format-check lint fuzz bench clean fuzz-smoke check-migrations deb deb-test

all: build

deps:
	bash scripts/deps

build/Makefile:
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOOPIN_UNIT_TESTS=OFF

build: build/Makefile
	$(CMAKE) --build build -j$(JOBS) --target loopin

# Installs dependencies, builds, migrates and serves on SQLite at 127.0.0.1:8000.
run: deps build
	./build/loopin serve

build-asan/Makefile:
	CC=clang $(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLOOPIN_SANITIZE=ON

unit: build-asan/Makefile
	$(CMAKE) --build build-asan -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1 bash scripts/with-pg ctest --test-dir build-asan --output-on-failure

api-test: build-asan/Makefile
	$(CMAKE) --build build-asan -j$(JOBS) --target loopin
	bash tests/api/run.sh build-asan/loopin both

build-gcc-check/Makefile:
	CC=gcc $(CMAKE) -S . -B build-gcc-check -DCMAKE_BUILD_TYPE=Debug

# gcc must build everything with -Werror too (the test build uses clang).
check-gcc: build-gcc-check/Makefile
	$(CMAKE) --build build-gcc-check -j$(JOBS)

# The handlers' API tests once more against the gcc build (SQLite): the sanitizer build is
# clang's, and code that leans on unspecified behaviour (argument evaluation order) can
# pass there and abort under gcc.
api-test-gcc: check-gcc
	bash tests/api/run.sh build-gcc-check/loopin sqlite tests/api/tickets.test.mjs \
	  tests/api/invitations.test.mjs tests/api/payments.test.mjs tests/api/payouts.test.mjs \
	  tests/api/bank_accounts.test.mjs tests/api/notifications.test.mjs tests/api/requests.test.mjs

# Everything CI checks: formatting, cppcheck, gcc and clang -Werror builds, unit tests
# and API tests on SQLite and PostgreSQL under ASan+UBSan (and the handlers' under gcc),
# browser tests, a short fuzz run.
test: format-check lint check-gcc check-migrations unit api-test api-test-gcc browser-test fuzz-smoke deb-test

# Swagger UI and Redoc in Debian's chromium, driven by playwright-core.
browser-test: build-asan/Makefile
	$(CMAKE) --build build-asan -j$(JOBS) --target loopin
	bash tests/browser/run.sh build-asan/loopin

# Schema parity and constraint cases on both databases (scripts/check-migrations).
check-migrations:
	bash scripts/check-migrations

format:
	clang-format -i $(filter src/% tests/%,$(SRC_FILES))

format-check:
	clang-format --dry-run --Werror $(filter src/% tests/%,$(SRC_FILES))

# varFuncNullUB: log_msg takes a NULL sentinel; glibc defines NULL as ((void *)0).
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem --suppress=varFuncNullUB -I src src

build-fuzz/Makefile:
	CC=clang $(CMAKE) -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DLOOPIN_FUZZ=ON \
	  -DLOOPIN_SANITIZE=ON -DLOOPIN_UNIT_TESTS=OFF

FUZZ_SECONDS ?= 60
fuzz: build-fuzz/Makefile
	$(CMAKE) --build build-fuzz -j$(JOBS)
	bash tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

fuzz-smoke: build-fuzz/Makefile
	$(CMAKE) --build build-fuzz -j$(JOBS)
	bash tests/fuzz/run.sh build-fuzz 10

bench: build
	bash bench/run.sh

# The Debian package (scripts/deb): a release build in build-deb/, then
# build-deb/loopin_VERSION_ARCH.deb (the last line printed).
deb:
	bash scripts/deb

# The package installed for real, started, upgraded and purged (as root, as CI
# runs; skipped with a message for other users; it refuses a machine that
# already has Loopin), and the monitoring files checked
# with promtool (tests/deploy).
deb-test:
	bash tests/deploy/monitoring.sh
	bash tests/deploy/deb.sh

clean:
	rm -rf build build-asan build-gcc-check build-fuzz
