#!/usr/bin/env bash
# Builds cargomon with sanitizers and runs its tests there. Usage:
#   scripts/sanitize.sh [asan|tsan|all]   (default: all)
# asan: the whole project with AddressSanitizer + UndefinedBehaviorSanitizer
#       (preset `asan`: -DCARGOMON_SANITIZE=ON) in build-asan/, every ctest
#       test (beside PostgreSQL and DynamoDB Local) and the crash test's 20
#       SIGKILL rounds and 2 SIGTERM rounds (and 3 + 1 on the DynamoDB store).
#       This is CI's only ctest run (scripts/test.sh): the sanitizers add
#       their checks to every test, and a test that fails fails either way.
# tsan: ThreadSanitizer (preset `tsan`: -DCARGOMON_TSAN=ON) in build-tsan/,
#       building only what the concurrency-heavy tests need: the store
#       contract tests (concurrent duplicates, group commit), the integration
#       tests (real server binary, several I/O threads, streams, restarts,
#       several instances on PostgreSQL), the store-failure tests and a
#       short crash test (SIGKILL and SIGTERM under concurrent load).
# Builds use at most 2 jobs; warnings are errors (the presets are CI's).
# Reports from the server processes the tests start go to files under the
# build directory (log_path); any report fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
jobs=$(( $(nproc) < 2 ? $(nproc) : 2 ))
# The PostgreSQL store's tests need a server beside them, as in scripts/test.sh.
with_pg=()
if [ -x scripts/with-postgres.sh ]; then with_pg=(scripts/with-postgres.sh); fi
# The DynamoDB store's tests need DynamoDB Local, which runs (with the whole
# ctest run) in a private network namespace: see with-dynamodb-local.sh.
# Inside with-postgres.sh, whose server is a Unix socket on the file system,
# reachable from any network namespace.
with_ddb=()
if [ -x scripts/with-dynamodb-local.sh ]; then with_ddb=(scripts/with-dynamodb-local.sh); fi
with_services=("${with_pg[@]}" "${with_ddb[@]}")

# Fails when a sanitizer wrote a report file; prints the reports.
check_reports() {
  local dir=$1
  if compgen -G "$dir/report.*" >/dev/null; then
    echo "sanitizer reports in $dir:" >&2
    cat "$dir"/report.* >&2
    return 1
  fi
}

run_asan() {
  echo "== AddressSanitizer + UndefinedBehaviorSanitizer (build-asan)"
  local start=$SECONDS
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j "$jobs"
  local reports="$PWD/build-asan/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  # halt_on_error: a report fails the test that caused it (and the server
  # process it came from); log_path keeps the server's reports after its
  # temporary log is gone.
  ASAN_OPTIONS="halt_on_error=1:detect_stack_use_after_return=1:strict_init_order=1:log_path=$reports/report" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/report" \
    "${with_services[@]}" ctest --test-dir build-asan --output-on-failure -j "$jobs" --timeout 600
  # The crash test (README, "Reliability"), its servers under ASan: 20
  # SIGKILL rounds and 2 SIGTERM ones (whose exit status includes
  # LeakSanitizer's verdict).
  echo "== crash test: 20 rounds of SIGKILL under load, then SIGTERM (ASan+UBSan)"
  ASAN_OPTIONS="halt_on_error=1:log_path=$reports/report" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/report" \
    build-asan/tests/crash/crash_test --rounds 20 --sigterm-rounds 2
  if [ ${#with_ddb[@]} -gt 0 ]; then
    # The same on the DynamoDB store (docs/dynamodb.md), fewer rounds: each
    # restart waits on DynamoDB Local, and the store's logic, not the disk,
    # is what is under test there.
    echo "== crash test on the DynamoDB store (DynamoDB Local): 3 rounds of SIGKILL, then SIGTERM"
    ASAN_OPTIONS="halt_on_error=1:log_path=$reports/report" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/report" \
      "${with_ddb[@]}" build-asan/tests/crash/crash_test --rounds 3 --sigterm-rounds 1 \
      --store dynamodb://crash
  fi
  check_reports "$reports"
  echo "asan: $((SECONDS - start)) s"
}

run_tsan() {
  echo "== ThreadSanitizer (build-tsan)"
  local start=$SECONDS
  cmake --preset tsan >/dev/null
  # The build preset names the targets the runs below need.
  cmake --build --preset tsan -j "$jobs"
  local reports="$PWD/build-tsan/sanitizer-reports"
  rm -rf "$reports" && mkdir -p "$reports"
  # The suppressions file says why each entry is there.
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/scripts/tsan.supp:log_path=$reports/report"
  "${with_pg[@]}" build-tsan/src/storage/storage_test --gtest_brief=1
  "${with_pg[@]}" build-tsan/tests/integration/integration_test --gtest_brief=1
  build-tsan/tests/reliability/reliability_test --gtest_brief=1
  build-tsan/tests/crash/crash_test --rounds 3 --sigterm-rounds 1
  check_reports "$reports"
  echo "tsan: $((SECONDS - start)) s"
}

case "$what" in
  asan) run_asan ;;
  tsan) run_tsan ;;
  all) run_asan; run_tsan ;;
  *) echo "usage: $0 [asan|tsan|all]" >&2; exit 2 ;;
esac
