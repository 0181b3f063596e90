#!/usr/bin/env bash
# Builds cargomon (C++) and its dashboard (web/dist). Usage:
#   scripts/build.sh [PRESET] [CMAKE_ARGS…]
# PRESET is a configure preset of CMakePresets.json (default: `default`, in
# build/; `release` in build-release/, `asan` in build-asan/, …); the build
# preset of the same name says which targets. CMAKE_ARGS go to the configure
# step (e.g. --compile-no-warning-as-error, -DCARGOMON_JEMALLOC=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
shift || true
cmake --preset "$preset" "$@" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  npm --prefix web ci --no-audit --no-fund
fi
npm --prefix web run build
