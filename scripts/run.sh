#!/usr/bin/env bash
# Sets up and starts cargomon on its embedded store, with a gentle courier
# simulator so the dashboard has orders to show. Idempotent; Ctrl-C stops both.
#
# Environment: CARGOMON_LISTEN (default 127.0.0.1:8080), CARGOMON_DATA_DIR
# (default ./data), CARGOMON_ADMIN_PASSWORD (first start only; generated and
# printed when unset), CARGOMON_DEMO=0 to start without the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
# Warnings never stop the server from starting here (a newer compiler may
# warn where this one does not).
scripts/build.sh release --compile-no-warning-as-error

export CARGOMON_LISTEN=${CARGOMON_LISTEN:-127.0.0.1:8080}
export CARGOMON_DATA_DIR=${CARGOMON_DATA_DIR:-$PWD/data}
mkdir -p "$CARGOMON_DATA_DIR"
# The demo courier account's password lives beside the data, readable only by us.
demo_password_file="$CARGOMON_DATA_DIR/demo-courier-password"
bin=build-release/src/cli/cargomon

first_start=no
[ -f "$CARGOMON_DATA_DIR/cargomon.db" ] || first_start=yes

"$bin" serve --web-dir web/dist &
server=$!
trap 'kill $simulator $server 2>/dev/null; wait 2>/dev/null' EXIT INT TERM
simulator=""

# Wait until the server answers (bounded).
for _ in $(seq 100); do
  if curl -fsS "http://$CARGOMON_LISTEN/readyz" >/dev/null 2>&1; then break; fi
  kill -0 $server 2>/dev/null || { echo "cargomon failed to start" >&2; exit 1; }
  sleep 0.1
done

if [ "${CARGOMON_DEMO:-1}" != 0 ]; then
  if [ ! -f "$demo_password_file" ]; then
    (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$demo_password_file")
    "$bin" user add demo-courier --role courier < "$demo_password_file" >/dev/null
  fi
  CARGOMON_SIM_PASSWORD=$(cat "$demo_password_file") "$bin" simulate \
    --url "http://$CARGOMON_LISTEN" --username demo-courier --interval 2 --quiet &
  simulator=$!
  echo "A simulated courier registers an order every 2 seconds (CARGOMON_DEMO=0 to turn off)."
fi
echo
echo "Dashboard: http://$CARGOMON_LISTEN/   (user admin; password printed above on first start)"
[ "$first_start" = no ] && echo "Forgot the admin password? $bin user passwd admin --data-dir $CARGOMON_DATA_DIR"
wait $server
