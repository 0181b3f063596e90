#!/usr/bin/env bash
# Tests the Debian package the way a Debian 12 machine gets it (as root):
# lintian finds no error, dpkg installs it, systemd-analyze verify accepts the
# installed unit, the installed server started as the unit starts it serves
# /readyz, the packaged dashboard and the admin listener, and keeps its first
# admin password in a file rather than in its output; then dpkg removes and
# purges it and nothing of it is left but the data directory (kept on
# purge: it holds the orders).
#
# systemd is not PID 1 here (a container), so this script does for the unit
# what systemd would: it reads User=, Group=, UMask=, StateDirectory=,
# StateDirectoryMode=, EnvironmentFile= and ExecStart= from the installed
# unit, makes the state directory, loads the environment file and runs the
# ExecStart line word for word as that user, with no new privileges. The
# sandboxing lines (ProtectSystem=, SystemCallFilter=, …) only pass
# systemd-analyze verify here; that they let the server run needs a real
# systemd host (docs/operations.md, "The Debian package").
#
# Usage: scripts/test-deb.sh DEB   (scripts/package-deb.sh makes DEB)
# Changes the machine: installs and purges the package, and creates the
# system user cargomon, which stays (as it does on a purge). Refuses to run
# where cargomon is installed or /var/lib/cargomon exists.
set -euo pipefail

deb=${1:?usage: scripts/test-deb.sh DEB}
unit=/lib/systemd/system/cargomon.service
web=/usr/share/cargomon/web

fail() {
  echo "test-deb: $*" >&2
  if [ -s "${log:-}" ]; then sed 's/^/  server: /' "$log" >&2; fi
  exit 1
}

if [ "$(id -u)" -ne 0 ]; then fail "run as root: it installs the package"; fi
if [ ! -f "$deb" ]; then fail "no package at $deb (scripts/package-deb.sh)"; fi
# installed, config-files (removed, not purged), … or not-installed
package_state() { dpkg-query -W -f='${db:Status-Status}' cargomon 2>/dev/null || echo not-installed; }
if [ "$(package_state)" != not-installed ]; then
  fail "cargomon is installed on this machine; this test installs and purges it: dpkg -P cargomon first"
fi

work=$(mktemp -d)
log=$work/server.log
server=""
made_state_dir=""  # what cleanup deletes: only a directory this test made
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill "$server"
    wait "$server" 2>/dev/null || true
  fi
  if [ "$(package_state)" != not-installed ]; then
    dpkg -P cargomon >/dev/null || true
  fi
  if [ -n "$made_state_dir" ]; then rm -rf "$made_state_dir"; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Waits up to $1 seconds for the command after it to succeed, or for the
# server to exit (it then fails); no fixed sleep: each round waits for the
# server's exit or 0.2 s, whichever comes first.
wait_for() {
  local what=$1 deadline=$((SECONDS + $2))
  shift 2
  until "$@"; do
    kill -0 "$server" 2>/dev/null || fail "the server exited before $what"
    [ $SECONDS -lt "$deadline" ] || fail "no $what within the deadline"
    timeout 0.2 tail --pid="$server" -f /dev/null 2>/dev/null || true
  done
}

echo "-- lintian (errors fail; warnings and notes are shown)"
lintian --fail-on error --display-info "$deb"

echo "-- dpkg -i"
dpkg -i "$deb"
for path in /usr/bin/cargomon "$web/index.html" "$unit" /etc/default/cargomon; do
  [ -e "$path" ] || fail "$path is not installed"
done
[ "$(stat -c %a:%U /etc/default/cargomon)" = 600:root ] ||
  fail "/etc/default/cargomon is $(stat -c %a:%U /etc/default/cargomon), not 600:root (it may hold a password)"
dpkg-query -L cargomon >"$work/files"

echo "-- systemd-analyze verify $unit"
# Any message, a warning included, fails: the unit must be clean.
if ! systemd-analyze verify "$unit" >"$work/verify" 2>&1 || [ -s "$work/verify" ]; then
  cat "$work/verify" >&2
  fail "systemd-analyze verify does not accept $unit"
fi

# The unit with its continuation lines joined.
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$unit" >"$work/unit"
echo "-- the hardening: what docs/operations.md promises, and systemd's own score of it"
for setting in User=cargomon StateDirectory=cargomon EnvironmentFile=-/etc/default/cargomon \
  Restart=on-failure NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
  CapabilityBoundingSet= SystemCallFilter=@system-service; do
  grep -qxF "$setting" "$work/unit" || fail "$unit has no line $setting"
done
grep -q '^ExecStart=.* --admin-listen 127\.0\.0\.1:9464\( \|$\)' "$work/unit" ||
  fail "$unit does not start the admin listener on 127.0.0.1:9464"
# The exposure systemd computes from the unit alone (0 to 10, lower is
# better; 1.4 when this was written): a line dropped or loosened raises it.
if ! systemd-analyze security --offline=yes --threshold=14 "$unit" >"$work/security" 2>&1; then
  cat "$work/security" >&2
  fail "the unit's exposure is above 1.4 (systemd-analyze security --offline=yes $unit)"
fi

echo "-- the unit's ExecStart, as systemd would start it"
unit_value() { sed -n "s/^$1=//p" "$work/unit" | tail -n 1; }
exec_start=$(unit_value ExecStart)
user=$(unit_value User)
group=$(unit_value Group)
umask_value=$(unit_value UMask)
state_dir=/var/lib/$(unit_value StateDirectory)
state_mode=$(unit_value StateDirectoryMode)
environment_file=$(unit_value EnvironmentFile)
environment_file=${environment_file#-}
# Splitting on blanks is systemd's parsing only without quotes, variables,
# specifiers or prefixes: refuse a line that has any.
case $exec_start in
  /*) ;;
  *) fail "ExecStart does not start with an absolute path: $exec_start" ;;
esac
case $exec_start in
  *[\"\'\$%\;]*) fail "ExecStart has quotes, \$, % or ; that this test does not expand: $exec_start" ;;
esac
read -r -a command <<<"$exec_start"
[ "${command[0]}" = /usr/bin/cargomon ] || fail "ExecStart runs ${command[0]}, not the packaged /usr/bin/cargomon"

getent passwd "$user" >/dev/null || fail "the unit's user $user does not exist (postinst makes it)"
[ "$(id -u "$user")" -lt 1000 ] || fail "$user is not a system user"
[ ! -e "$state_dir" ] || fail "$state_dir exists already (a real installation's data?)"
install -d -m "$state_mode" -o "$user" -g "$group" "$state_dir"
made_state_dir=$state_dir

environment=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  HOME="$state_dir" USER="$user" LOGNAME="$user" SHELL=/usr/sbin/nologin STATE_DIRECTORY="$state_dir")
while IFS= read -r line; do
  case $line in
    '' | '#'*) continue ;;
    *[\"\'\\]*) fail "$environment_file has quoting this test does not parse: $line" ;;
    [A-Za-z_]*=*) environment+=("$line") ;;
    *) fail "$environment_file has a line systemd would not read: $line" ;;
  esac
done <"$environment_file"
# The environment file listens on 127.0.0.1:8080. On a machine where that
# port is taken (another server of this machine's), the test listens on any
# free port instead, saying so; the ExecStart line is never changed.
listen=$(printf '%s\n' "${environment[@]}" | sed -n 's/^CARGOMON_LISTEN=//p' | tail -n 1)
if [ -n "$listen" ] && (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null; then
  echo "   ($listen is in use on this machine: listening on a free port instead)"
  environment+=(CARGOMON_LISTEN=127.0.0.1:0)
fi
admin_listen=$(printf '%s\n' "$exec_start" | sed -n 's/.*--admin-listen \([^ ]*\).*/\1/p')
[ -n "$admin_listen" ] || fail "ExecStart has no --admin-listen"

echo "   as $user:$group, umask $umask_value: ${command[*]}"
(
  umask "$umask_value"
  cd /
  exec env -i "${environment[@]}" \
    setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs -- "${command[@]}"
) >"$log" 2>&1 &
server=$!

has_listening_line() { grep -q '^cargomon listening on http://' "$log"; }
wait_for "'listening' line" 60 has_listening_line
url=$(sed -n 's|^cargomon listening on \(http://.*\)$|\1|p' "$log")
is_ready() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ]; }
wait_for "200 from $url/readyz" 30 is_ready
echo "   $url/readyz answers 200"

curl -fsS "$url/" -o "$work/index.html" || fail "GET $url/ failed"
cmp -s "$work/index.html" "$web/index.html" || fail "/ is not the packaged $web/index.html"
asset=$(grep -o 'src="/assets/[^"]*"' "$web/index.html" | head -n 1 | sed 's/^src="\(.*\)"$/\1/')
[ -n "$asset" ] || fail "$web/index.html loads no /assets/ script"
curl -fsS "$url$asset" -o "$work/asset" || fail "GET $url$asset failed"
cmp -s "$work/asset" "$web$asset" || fail "$asset is not the packaged $web$asset"
echo "   / and $asset are the packaged dashboard's"

curl -fsS "http://$admin_listen/metrics" -o "$work/metrics" || fail "GET http://$admin_listen/metrics failed"
grep -q '^cargomon_' "$work/metrics" || fail "http://$admin_listen/metrics has no cargomon_ metric"
echo "   http://$admin_listen/metrics serves the Prometheus metrics"

# The first start: the password is in the file the journal line names, and
# nowhere in the output.
password_file=$(printf '%s\n' "$exec_start" | sed -n 's/.*--generated-admin-password-file \([^ ]*\).*/\1/p')
grep -qF "Created user 'admin' with a generated password, written to $password_file" "$log" ||
  fail "the first start does not say where the admin password is"
[ "$(stat -c %a:%U "$password_file")" = "600:$user" ] ||
  fail "$password_file is $(stat -c %a:%U "$password_file"), not 600:$user"
password=$(cat "$password_file")
[ -n "$password" ] || fail "$password_file is empty"
if grep -qF "$password" "$log"; then fail "the admin password is in the server's output"; fi
jq -n --arg password "$password" '{username: "admin", password: $password}' >"$work/login.json"
curl -fsS -X POST "$url/token" -H 'Content-Type: application/json' --data-binary "@$work/login.json" \
  -o "$work/token.json" || fail "admin cannot log in with the password in $password_file"
jq -e '.access_token | length > 0' "$work/token.json" >/dev/null || fail "POST /token gave no access_token"
echo "   admin logs in with the password from $password_file"
owners=$(find "$state_dir" -mindepth 1 ! -user "$user" -printf '%p ')
[ -z "$owners" ] || fail "files in $state_dir not owned by $user: $owners"

kill -TERM "$server"
stopped() { ! kill -0 "$server" 2>/dev/null; }
deadline=$((SECONDS + 30))
until stopped; do
  [ $SECONDS -lt $deadline ] || fail "the server did not stop within 30 s of SIGTERM"
  timeout 0.2 tail --pid="$server" -f /dev/null 2>/dev/null || true
done
status=0
wait "$server" || status=$?
server=""
[ "$status" -eq 0 ] || fail "the server exited with status $status on SIGTERM"

echo "-- dpkg -r, then dpkg -P"
dpkg -r cargomon
while IFS= read -r path; do
  if [ "$path" != /etc/default/cargomon ] && [ -f "$path" ]; then
    fail "$path is left after dpkg -r"
  fi
done <"$work/files"
for path in /usr/share/cargomon /usr/share/doc/cargomon; do
  [ ! -e "$path" ] || fail "$path is left after dpkg -r"
done
[ -f /etc/default/cargomon ] || fail "dpkg -r removed /etc/default/cargomon (only a purge removes a conffile)"
dpkg -P cargomon
[ ! -e /etc/default/cargomon ] || fail "/etc/default/cargomon is left after dpkg -P"
[ "$(package_state)" = not-installed ] || fail "cargomon is $(package_state) after dpkg -P"
[ -f "$state_dir/cargomon.db" ] || fail "the purge removed the data in $state_dir (it must keep the orders)"
echo "test-deb: ok: $deb builds a clean package that installs, serves and goes away"
