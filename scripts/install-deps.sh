#!/usr/bin/env bash
# Installs what cargomon needs on Debian 12, from Debian's own packages.
# Idempotent. Usage: scripts/install-deps.sh [build|bench|test]
#   build: compiler, libraries and Node.js to build and run cargomon (default)
#   bench: also the benchmark suite's load generators and services (bench/run.sh)
#   test:  also Chromium for browser tests and the linters, bench's packages
#          (CI runs bench/run.sh --quick), and the Debian package's tools
set -euo pipefail

what=${1:-build}
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi

packages=(
  g++ cmake ninja-build ccache pkg-config git ca-certificates tzdata
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev libpq-dev libsodium-dev libjwt-dev libhowardhinnant-date-dev
  libcli11-dev libspdlog-dev libfmt-dev libssl-dev libjemalloc-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # The day's report as an .xlsx workbook.
  libxlsxwriter-dev
  # Prometheus client (only its core library: the exposition is served by our own listener).
  prometheus-cpp-dev
)
if [ "$what" = bench ] || [ "$what" = test ]; then
  # bench/run.sh: wrk (closed-loop load), haproxy and PostgreSQL (the
  # multi-instance scenario), curl and jq (its glue), python3 (fsync probe),
  # zip and unzip (the Lambda scenario packages the function and unpacks it;
  # scripts/package-lambda.sh and its chroot test use them too).
  packages+=(wrk haproxy postgresql curl jq python3 zip unzip)
fi
if [ "$what" = test ]; then
  packages+=(chromium clang-format clang-tidy sqlite3 curl postgresql haproxy)
  # scripts/lint.sh checks every shell script with ShellCheck.
  packages+=(shellcheck)
  # DynamoDB Local (scripts/with-dynamodb-local.sh): its jar comes from npm,
  # Java from Debian; unshare (util-linux) and ip (iproute2) give it a
  # network namespace of its own.
  packages+=(openjdk-17-jre-headless iproute2 util-linux)
  # promtool (Debian's prometheus package) for the alert rules' unit tests.
  packages+=(prometheus)
  # openpyxl reads the report's workbook back in its tests (an independent reader).
  packages+=(python3-openpyxl)
  # Fuzzing (scripts/fuzz.sh): clang with libFuzzer and the sanitizer runtimes.
  packages+=(clang-14 libclang-rt-14-dev)
  # The Debian package (scripts/package-deb.sh, scripts/test-deb.sh): CPack's
  # dependency scan (dpkg-shlibdeps, file, strip), lintian, systemd-analyze,
  # adduser for its postinst, setpriv (util-linux, above) and jq.
  packages+=(dpkg-dev file binutils lintian systemd adduser jq)
fi
# Node.js: the machine's own if it has one (>= 18), else Debian's.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 18 ]; then
  echo "Node.js >= 18 is required, found $(node --version)" >&2
  exit 1
fi
