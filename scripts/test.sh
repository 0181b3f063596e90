#!/usr/bin/env bash
# Sets up everything and runs every test: formatter and linters, C++ unit and
# integration tests (ctest), dashboard component tests, and browser tests in
# headless Chromium against the real server. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
scripts/build.sh build
scripts/lint.sh build

echo "== C++ unit and integration tests"
scripts/with-postgres.sh ctest --test-dir build --output-on-failure -j "$(nproc)"

echo "== dashboard component tests"
npm --prefix web test

echo "== browser tests (headless Chromium, real server)"
CARGOMON_BIN="$PWD/build/src/cli/cargomon" npm --prefix web run e2e

echo "== crash test: 20 rounds of SIGKILL under load, then SIGTERM (README: Reliability)"
build/tests/crash/crash_test --rounds 20

echo "== bench --quick: the suite still works; figures not checked"
bench/run.sh --quick

echo "== fuzz targets (libFuzzer, ASan, UBSan): 20,000 inputs each"
scripts/fuzz.sh 20000

echo "== sanitizers: every test under ASan+UBSan, the concurrent ones under TSan"
scripts/sanitize.sh
