#!/usr/bin/env bash
# Builds cargomon-lambda.zip: the AWS Lambda package for the provided.al2023
# runtime (x86_64). Usage: scripts/package-lambda.sh [BUILD_DIR] [ZIP]
#   BUILD_DIR  a configured, non-sanitizer build tree (default: build-release,
#              configured with `cmake --preset release` if missing)
#   ZIP        where to write the package (default: BUILD_DIR/cargomon-lambda.zip)
#
# Debian 12's glibc (2.36) is newer than Amazon Linux 2023's, so the binary
# cannot use the system's: it travels with the dynamic loader and every
# library `ldd` lists, and `bootstrap` (a static executable,
# src/lambda/bootstrap.cpp) starts it through that loader:
#
#   bootstrap                    static; execs the line below
#   lib/ld-linux-x86-64.so.2 --library-path lib cargomon lambda
#   cargomon                     the same program as `cargomon serve`
#   lib/*.so*                    its libraries, from this machine
#
# Nothing else is needed from the system but the time zone database
# (/usr/share/zoneinfo; see docs/aws.md). tests/lambda/package_test.cpp runs
# the zip in a chroot holding only its files.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build-release}
zip_path=${2:-$build_dir/cargomon-lambda.zip}

if [ "$(uname -m)" != x86_64 ]; then
  echo "package-lambda: this machine is $(uname -m); the package is built for x86_64" >&2
  exit 1
fi
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  if [ "$build_dir" = build-release ]; then
    cmake --preset release >/dev/null
  else
    echo "package-lambda: $build_dir is not a configured build tree" >&2
    exit 1
  fi
fi
cmake --build "$build_dir" --target cargomon cargomon_bootstrap

binary=$build_dir/src/cli/cargomon
bootstrap=$build_dir/src/lambda/cargomon_bootstrap
# A sanitizer runtime reads /proc at start and is not for production.
if ldd "$binary" | grep -q -E 'lib(asan|tsan|ubsan)'; then
  echo "package-lambda: $binary is a sanitizer build; use a release tree" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/lib"
cp "$binary" "$stage/cargomon"
cp "$bootstrap" "$stage/bootstrap"
strip --strip-unneeded "$stage/cargomon" "$stage/bootstrap"

# Every library the loader would map, and the loader itself, copied (not
# linked) under their sonames.
while read -r path; do
  cp -L "$path" "$stage/lib/$(basename "$path")"
done < <(ldd "$binary" | awk '/=> \// { print $3 } /^[[:space:]]*\/.*ld-linux/ { print $1 }')
if [ ! -f "$stage/lib/ld-linux-x86-64.so.2" ]; then
  echo "package-lambda: ldd did not name ld-linux-x86-64.so.2" >&2
  exit 1
fi
chmod 755 "$stage/bootstrap" "$stage/cargomon" "$stage/lib/ld-linux-x86-64.so.2"
chmod 644 "$stage"/lib/*.so.* 2>/dev/null || true
chmod 755 "$stage/lib/ld-linux-x86-64.so.2"

mkdir -p "$(dirname "$zip_path")"
zip_abs=$(cd "$(dirname "$zip_path")" && pwd)/$(basename "$zip_path")
rm -f "$zip_abs"
# -X: no extra file attributes; the Unix permissions (bootstrap's x bit) stay.
(cd "$stage" && zip -q -X -r "$zip_abs" bootstrap cargomon lib)
echo "package-lambda: $zip_path ($(du -k "$zip_abs" | cut -f1) KiB; $(ls "$stage/lib" | wc -l) libraries)"
