#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang-14, ASan and UBSan in
# build-fuzz/ (preset `fuzz`) and runs each for a fixed number of inputs,
# starting from its seed corpus in fuzz/corpus/<target>/. Usage:
#   scripts/fuzz.sh [RUNS] [TARGET…]      (default: 20000 runs, every target)
# FUZZ_SECONDS=N runs each target for N seconds instead of a number of runs
# (long runs: see README, "Reliability"). Inputs found to grow coverage go to
# build-fuzz/corpus/<target>/ (the repo's seeds are never written); a crash
# leaves its input in build-fuzz/artifacts/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20000}
shift || true
all_targets=(fuzz_order_json fuzz_token fuzz_query fuzz_timestamp fuzz_dynamodb_import)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then targets=("${all_targets[@]}"); fi
jobs=$(( $(nproc) < 2 ? $(nproc) : 2 ))

# Longest input per target: bounds the time per run while leaving room for
# every field and limit the target exercises.
declare -A max_len=(
  [fuzz_order_json]=4096 [fuzz_token]=4200 [fuzz_query]=1024 [fuzz_timestamp]=64
  [fuzz_dynamodb_import]=4096
)

start=$SECONDS
cmake --preset fuzz >/dev/null  # clang-14, -DCARGOMON_FUZZ=ON (CMakePresets.json)
defined=$(ninja -C build-fuzz -t targets all)
built=()
for t in "${targets[@]}"; do
  if ! grep -q "^$t:" <<<"$defined"; then
    echo "skipping $t: not defined (fuzz/CMakeLists.txt needs what it fuzzes)"
    continue
  fi
  built+=("$t")
done
cmake --build build-fuzz -j "$jobs" --target "${built[@]}"
echo "fuzz build: $((SECONDS - start)) s"

mkdir -p build-fuzz/artifacts
for t in "${built[@]}"; do
  mkdir -p "build-fuzz/corpus/$t"
  limit=(-runs="$runs")
  if [ -n "${FUZZ_SECONDS:-}" ]; then limit=(-max_total_time="$FUZZ_SECONDS"); fi
  t0=$SECONDS
  # The first corpus directory receives new inputs; the seeds are read only.
  if ! "build-fuzz/fuzz/$t" "${limit[@]}" -max_len="${max_len[$t]}" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$t-" \
      "build-fuzz/corpus/$t" "fuzz/corpus/$t" >"build-fuzz/$t.log" 2>&1; then
    tail -n 60 "build-fuzz/$t.log" >&2
    echo "$t failed; reproduce with: build-fuzz/fuzz/$t build-fuzz/artifacts/$t-*" >&2
    exit 1
  fi
  echo "$t: $(grep -E '^stat::number_of_executed_units' "build-fuzz/$t.log" | awk '{print $2}') runs," \
    "$(grep -E '^#[0-9]+.*(DONE|INITED)' "build-fuzz/$t.log" | tail -n1 | grep -oE 'cov: [0-9]+' || true)," \
    "$((SECONDS - t0)) s"
done
echo "fuzz total: $((SECONDS - start)) s"
