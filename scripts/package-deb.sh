#!/usr/bin/env bash
# Builds cargomon_VERSION_amd64.deb with CPack from a release build tree:
# the server in /usr/bin, the dashboard (web/dist) in /usr/share/cargomon/web,
# the systemd unit and /etc/default/cargomon (packaging/, docs/operations.md
# "The Debian package"). Usage: scripts/package-deb.sh [BUILD_DIR]
#   BUILD_DIR  a configured build tree (default: build-release, what CI's
#              release-ci preset builds). Its cargomon is brought up to date;
#              the dashboard must have been built (npm --prefix web run build).
# Prints the package's path (alone on stdout). scripts/test-deb.sh tests it.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build-release}
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  echo "package-deb: $build_dir is not a configured build tree (cmake --preset release)" >&2
  exit 1
fi
if [ ! -f web/dist/index.html ]; then
  echo "package-deb: no dashboard in web/dist (npm --prefix web run build)" >&2
  exit 1
fi
# Only the server: the install step does not build everything
# (CMAKE_SKIP_INSTALL_ALL_DEPENDENCY), so the benchmarks are not rebuilt here.
# Their output goes to stderr: stdout is the package's path alone.
cmake --build "$build_dir" --target cargomon >&2
(cd "$build_dir" && cpack -G DEB >&2)
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build_dir/CPackConfig.cmake")
deb="$build_dir/cargomon_${version}_$(dpkg --print-architecture).deb"
if [ ! -f "$deb" ]; then
  echo "package-deb: cpack made no $deb" >&2
  exit 1
fi
echo "$deb"
