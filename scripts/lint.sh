#!/usr/bin/env bash
# Formatter and linter checks, as CI runs them. Usage: scripts/lint.sh [BUILD_DIR]
# (BUILD_DIR holds compile_commands.json for clang-tidy.)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}

mapfile -t sources < <(git ls-files '*.cpp' '*.hpp')
echo "clang-format: ${#sources[@]} files"
clang-format --dry-run -Werror "${sources[@]}"

echo "clang-tidy: ${#sources[@]} files"
mapfile -t units < <(git ls-files 'src/*.cpp' 'tests/*.cpp' 'bench/*.cpp')
log=$(mktemp)
if ! printf '%s\n' "${units[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build_dir" --quiet >"$log" 2>&1; then
  grep -v -E '^[0-9]+ warnings? generated|^Suppressed|^Use -header-filter' "$log"
  rm -f "$log"
  echo "clang-tidy found problems" >&2
  exit 1
fi
rm -f "$log"

echo "web: eslint and prettier"
npm --prefix web run --silent lint

# Warnings and errors only: the style notes (`ls` in a pipe, sed for a
# one-off substitution) are choices, not defects.
mapfile -t shell_scripts < <(git ls-files '*.sh' .ci/run packaging/debian/postinst \
  packaging/debian/prerm packaging/debian/postrm)
echo "shellcheck: ${#shell_scripts[@]} files"
shellcheck -S warning "${shell_scripts[@]}"
