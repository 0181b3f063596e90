#!/usr/bin/env bash
# Runs CMD… beside a throwaway PostgreSQL server, as CI does for the tests:
# installs Debian's postgresql if missing, starts a private server (initdb +
# pg_ctl, data and Unix socket in a temporary directory, no TCP port; as the
# `postgres` user when run as root), exports CARGOMON_TEST_PG_URL, runs CMD,
# and always stops the server and removes its data, also when CMD fails or is
# interrupted. Exits with CMD's status.
#   scripts/with-postgres.sh ctest --test-dir build --output-on-failure
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || { echo "usage: with-postgres.sh CMD [ARGS…]" >&2; exit 2; }

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "Installing postgresql"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends postgresql
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/cargomon-pg.XXXXXX")
cleanup() { "$here/pg-server.sh" destroy "$dir" >/dev/null 2>&1 || rm -rf "$dir"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

CARGOMON_TEST_PG_URL=$("$here/pg-server.sh" start "$dir")
export CARGOMON_TEST_PG_URL
echo "PostgreSQL for the tests: $CARGOMON_TEST_PG_URL"
set +e
"$@"
status=$?
set -e
exit $status
