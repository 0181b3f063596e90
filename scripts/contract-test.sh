#!/usr/bin/env bash
# Contract test: the real `cargomon serve` behind Stoplight Prism's validating
# proxy, loaded with the OpenAPI document the server serves; every documented
# operation and status is exercised and any request or response that the
# document and the server disagree on fails it (tests/contract/contract.test.mjs).
# Needs the built server (cmake --build build --target cargomon). Loopback only;
# Prism comes from npm, pinned in tests/contract/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${CARGOMON_BIN:-build/src/cli/cargomon}
if [ ! -x "$bin" ]; then
  echo "contract test: no server binary at $bin (cmake --build build --target cargomon, or set CARGOMON_BIN)" >&2
  exit 1
fi
if [ ! -d tests/contract/node_modules ] ||
  [ tests/contract/package-lock.json -nt tests/contract/node_modules/.package-lock.json ]; then
  # --ignore-scripts: nothing in the tree needs an install script, and none may
  # reach the network.
  npm --prefix tests/contract ci --no-audit --no-fund --ignore-scripts
fi
CARGOMON_BIN="$(realpath "$bin")" node --test --test-reporter=spec tests/contract/contract.test.mjs
