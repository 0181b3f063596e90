#!/usr/bin/env bash
# Sets up everything and runs every test: formatter and linters, C++ unit and
# integration tests (ctest), dashboard component tests, and browser tests in
# headless Chromium against the real server, the AWS CDK app's template.
# Idempotent.
#
# Four build trees, each a preset of CMakePresets.json (warnings are errors):
#   build-asan/     ASan+UBSan: every ctest test and the crash test run here
#                   (once: there is no plain test tree), and its
#                   compile_commands.json is what clang-tidy reads
#   build-release/  Release: the browser tests' server, bench --quick
#   build-fuzz/     the libFuzzer targets (clang)
#   build-tsan/     ThreadSanitizer: the concurrency-heavy tests
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
scripts/build.sh asan
cmake --preset release-ci >/dev/null
cmake --build --preset release -j "$(nproc)"
scripts/lint.sh build-asan

echo "== C++ unit and integration tests, and the crash test, under ASan+UBSan (README: Reliability)"
scripts/sanitize.sh asan

echo "== Lambda package: the zip's bootstrap in an empty chroot against a stand-in Runtime API (root)"
scripts/package-lambda.sh build-release
CARGOMON_LAMBDA_ZIP="$PWD/build-release/cargomon-lambda.zip" \
  build-asan/tests/lambda/lambda_runtime_test --gtest_filter='LambdaPackage.*'

echo "== Debian package: lintian, systemd-analyze, dpkg -i, the unit's ExecStart serving the dashboard, dpkg -r and -P (root)"
deb=$(scripts/package-deb.sh build-release)
scripts/test-deb.sh "$deb"

echo "== dashboard component tests"
npm --prefix web test

echo "== browser tests (headless Chromium, real server: the Release build)"
CARGOMON_BIN="$PWD/build-release/src/cli/cargomon" npm --prefix web run e2e

echo "== contract test: the real server behind a validating proxy (Prism) with docs/openapi.json"
CARGOMON_BIN="$PWD/build-release/src/cli/cargomon" scripts/contract-test.sh

echo "== AWS CDK app: its template synthesized offline and pinned (aws-cdk-lib/assertions)"
npm --prefix deploy/aws ci --no-audit --no-fund
npm --prefix deploy/aws run --silent lint
npm --prefix deploy/aws test

echo "== bench --quick (beside DynamoDB Local, for its scenario): the suite still works; figures not checked"
scripts/with-dynamodb-local.sh bench/run.sh --quick

echo "== fuzz targets (libFuzzer, ASan, UBSan): 20,000 inputs each"
scripts/fuzz.sh 20000

echo "== ThreadSanitizer: the concurrent tests"
scripts/sanitize.sh tsan
