#!/usr/bin/env bash
# Local PostgreSQL, Redis, FerretDB (the MongoDB-compatible server) and an SMTP sink (every mail
# written to $state/mail/, nothing relayed) for development and CI, on loopback. Idempotent:
# installs and builds what is missing, starts what is not running.
#
#   deploy/local/services.sh [up|down|status|env]
#
# `up` also installs what the browser tests use: Chromium, chromedriver and axe-core.
#
# State (the FerretDB binary, logs, pid files) lives in $TASKFORGE_STATE_DIR (default .local/).
# `up` records there what it started itself (run/*.pid, run/postgres.started); `down` stops only
# that, never a PostgreSQL or Redis that was already running.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
state=${TASKFORGE_STATE_DIR:-$root/.local}
pg_port=${PGPORT:-5432}
redis_port=${REDIS_PORT:-6379}
ferret_port=${FERRET_PORT:-27017}
ferret_debug_port=${FERRET_DEBUG_PORT:-8088}
smtp_port=${SMTP_PORT:-2525}
mail_dir=$state/mail
ferret_version=v1.24.2
axe_version=4.10.3
axe_js=$state/axe-core-$axe_version/axe.min.js
ferret_bin=$state/bin/ferretdb
pg_user=taskforge
pg_password=taskforge

say() { printf '[services] %s\n' "$*"; }
step_started=0
step() { step_started=$SECONDS; say "$*"; }
took() { say "$* ($((SECONDS - step_started)) s)"; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    say "refreshing Debian's package lists (usually 5-20 s)"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # description, seconds, command...
  local what=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
  took "$what is up"
}

pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1; }
pg_url() { echo "postgres://$pg_user:$pg_password@127.0.0.1:$pg_port/$1"; }
pg_ready() { pg_isready -q -h 127.0.0.1 -p "$pg_port"; }
psql_admin() { as_root su postgres -c "psql -v ON_ERROR_STOP=1 -qAt -p $pg_port $*"; }

postgres_up() {
  if ! { command -v pg_ctlcluster >/dev/null && [ -n "$(pg_version)" ]; }; then
    step "installing PostgreSQL from Debian's packages (usually 30-90 s, once)"
    apt_install postgresql
    took "PostgreSQL installed"
  fi
  local ver; ver=$(pg_version)
  if [[ $(pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}') != *"$ver main"* ]]; then
    step "creating PostgreSQL $ver cluster main (a few seconds, once)"
    as_root pg_createcluster "$ver" main --port "$pg_port" -- --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_ready; then
    step "starting PostgreSQL $ver (a few seconds)"
    as_root pg_ctlcluster "$ver" main start
    echo "$ver" > "$state/run/postgres.started"
    wait_for "PostgreSQL $ver" 60 pg_ready || die "PostgreSQL did not start (see /var/log/postgresql/)"
  fi
  # Tests run many connection pools at once.
  if [ "$(psql_admin "-c 'SHOW max_connections'")" -lt 300 ]; then
    step "raising PostgreSQL's max_connections to 300 for the tests (a restart, a few seconds, once)"
    psql_admin "-c 'ALTER SYSTEM SET max_connections = 300'"
    as_root pg_ctlcluster "$ver" main restart
    wait_for "PostgreSQL (restarted)" 60 pg_ready || die "PostgreSQL did not restart"
  fi
  psql_admin "-c \"DO \\\$\\\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$pg_user') THEN
        CREATE ROLE $pg_user LOGIN CREATEDB PASSWORD '$pg_password';
      END IF; END \\\$\\\$\""
  for db in taskforge ferretdb; do
    [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = '$db'\"")" = 1 ] \
      || psql_admin "-c \"CREATE DATABASE $db OWNER $pg_user ENCODING 'UTF8' TEMPLATE template0\""
  done
  PGPASSWORD=$pg_password psql -qAt -h 127.0.0.1 -p "$pg_port" -U "$pg_user" -d taskforge -c 'SELECT 1' >/dev/null \
    || die "cannot log in to PostgreSQL as $pg_user over TCP"
}

redis_ready() { [[ $(redis-cli -p "$redis_port" ping 2>/dev/null) == PONG ]]; }

redis_up() {
  if ! command -v redis-server >/dev/null; then
    step "installing Redis from Debian's packages (usually 10-30 s, once)"
    apt_install redis-server
    took "Redis installed"
  fi
  redis_ready && return 0
  step "starting Redis"
  redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize yes \
    --pidfile "$state/run/redis.pid" --logfile "$state/log/redis.log"
  wait_for "Redis" 30 redis_ready || die "Redis did not start (see $state/log/redis.log)"
}

# (Output captured, not piped into `grep -q`: with pipefail, grep quitting early makes the
# writer's SIGPIPE fail the whole check at random.)
ferret_is_built() {
  [ -x "$ferret_bin" ] && [[ $("$ferret_bin" --version 2>/dev/null) == *"version: $ferret_version"* ]]
}

ferret_build() {
  ferret_is_built && return 0
  command -v go >/dev/null || die "Go is needed to build FerretDB"
  step "downloading FerretDB $ferret_version's Go modules (usually 10-60 s, once)"
  local scratch; scratch=$(mktemp -d)
  # A plain `go install` gives a binary that panics (build/version/version.txt is generated
  # upstream and missing from the module): build from a writable copy that has it.
  cp "$root/deploy/ferretdb/go.mod" "$root/deploy/ferretdb/go.sum" "$scratch/"
  local src
  src=$(cd "$scratch" && go mod download github.com/FerretDB/FerretDB && go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)
  cp -r "$src" "$scratch/ferretdb-src"
  chmod -R u+w "$scratch/ferretdb-src"
  echo "$ferret_version" > "$scratch/ferretdb-src/build/version/version.txt"
  mkdir -p "$state/bin"
  took "FerretDB's modules are here"
  step "compiling FerretDB $ferret_version (about a minute on 2 cores, once)"
  (cd "$scratch" && go mod edit -replace "github.com/FerretDB/FerretDB=./ferretdb-src" \
    && CGO_ENABLED=0 go build -trimpath -o "$ferret_bin" github.com/FerretDB/FerretDB/cmd/ferretdb)
  rm -rf "$scratch"
  ferret_is_built || die "built FerretDB is not $ferret_version"
  took "FerretDB built"
}

ferret_ready() { curl -fsS -o /dev/null "http://127.0.0.1:$ferret_debug_port/debug/livez" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$ferret_port"); }

ferret_up() {
  ferret_build
  ferret_ready && return 0
  step "starting FerretDB (a few seconds)"
  setsid nohup "$ferret_bin" --handler=postgresql \
    --postgresql-url="$(pg_url ferretdb)?search_path=" \
    --listen-addr="127.0.0.1:$ferret_port" --debug-addr="127.0.0.1:$ferret_debug_port" \
    --state-dir=- --telemetry=disable --log-level=warn \
    >>"$state/log/ferretdb.log" 2>&1 < /dev/null &
  echo $! > "$state/run/ferretdb.pid"
  wait_for "FerretDB $ferret_version" 60 ferret_ready || die "FerretDB did not start (see $state/log/ferretdb.log)"
}

smtp_ready() { (exec 3<>"/dev/tcp/127.0.0.1/$smtp_port") 2>/dev/null; }

# aiosmtpd is packaged for Debian's own Python, which may not be the first python3 on PATH.
smtp_up() {
  if ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
    step "installing aiosmtpd (the SMTP sink) from Debian's packages (usually 5-20 s, once)"
    apt_install python3-aiosmtpd
    took "aiosmtpd installed"
  fi
  mkdir -p "$mail_dir"
  smtp_ready && return 0
  step "starting the SMTP sink"
  setsid nohup /usr/bin/python3 "$root/deploy/local/smtp_sink.py" 127.0.0.1 "$smtp_port" "$mail_dir" \
    >>"$state/log/smtp.log" 2>&1 < /dev/null &
  echo $! > "$state/run/smtp.pid"
  wait_for "SMTP sink" 30 smtp_ready || die "the SMTP sink did not start (see $state/log/smtp.log)"
}

# The browser tests drive Debian's Chromium through chromedriver, and check pages with axe-core
# (from the npm registry, kept in $state; the browser injects it, no CDN).
browser_up() {
  if ! { command -v chromium >/dev/null && command -v chromedriver >/dev/null; }; then
    step "installing Chromium and chromedriver from Debian's packages (usually 30-90 s, once)"
    apt_install chromium chromium-driver
    took "Chromium installed"
  fi
  if [ ! -f "$axe_js" ]; then
    command -v npm >/dev/null || apt_install npm
    step "fetching axe-core $axe_version from the npm registry (a few seconds, once)"
    local scratch; scratch=$(mktemp -d)
    (cd "$scratch" && npm pack --silent "axe-core@$axe_version" >/dev/null && tar xzf axe-core-*.tgz)
    mkdir -p "$(dirname "$axe_js")"
    cp "$scratch/package/axe.min.js" "$axe_js"
    rm -rf "$scratch"
    took "axe-core fetched"
  fi
}

# Defaults only: whatever the caller's environment already sets wins when this is eval'd.
print_env() {
  printf 'export DATABASE_URL="${DATABASE_URL:-%s}"\n' "$(pg_url taskforge)"
  printf 'export MONGODB_URI="${MONGODB_URI:-%s}"\n' "mongodb://127.0.0.1:$ferret_port/?directConnection=true"
  printf 'export REDIS_URL="${REDIS_URL:-%s}"\n' "redis://127.0.0.1:$redis_port"
  printf 'export TASKFORGE_FERRETDB_BIN="${TASKFORGE_FERRETDB_BIN:-%s}"\n' "$ferret_bin"
  printf 'export TASKFORGE__MAIL__SMTP_HOST="${TASKFORGE__MAIL__SMTP_HOST:-127.0.0.1}"\n'
  printf 'export TASKFORGE__MAIL__SMTP_PORT="${TASKFORGE__MAIL__SMTP_PORT:-%s}"\n' "$smtp_port"
  printf 'export TASKFORGE_MAIL_DIR="${TASKFORGE_MAIL_DIR:-%s}"\n' "$mail_dir"
  printf 'export TASKFORGE_AXE_JS="${TASKFORGE_AXE_JS:-%s}"\n' "$axe_js"
}

# The pid in run/$1.pid, if that process is still alive and still the program named $2 (a
# recycled pid must not be killed).
started_pid() {
  local file=$state/run/$1.pid pid
  [ -f "$file" ] || return 1
  pid=$(cat "$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) == *"$2"* ]] || return 1
  echo "$pid"
}

# Stops what `up` started under the name $1 (program $2), and forgets it.
stop_started() {
  local pid
  if pid=$(started_pid "$1" "$2"); then
    kill "$pid"
    local deadline=$((SECONDS + 30))
    while kill -0 "$pid" 2>/dev/null; do
      [ $SECONDS -lt $deadline ] || die "$1 (pid $pid) did not stop within 30 s"
      sleep 0.1
    done
    say "$1 stopped"
  else
    say "$1: nothing of ours running"
  fi
  rm -f "$state/run/$1.pid"
}

postgres_down() {
  local file=$state/run/postgres.started
  if [ ! -f "$file" ]; then
    say "PostgreSQL: not started by this script, left as it is"
    return 0
  fi
  local ver; ver=$(cat "$file")
  if [ -n "$ver" ] && pg_ready; then
    as_root pg_ctlcluster "$ver" main stop
    say "PostgreSQL $ver stopped"
  fi
  rm -f "$file"
}

cmd=${1:-up}
case $cmd in
  up)
    mkdir -p "$state/run" "$state/log"
    command -v curl >/dev/null || apt_install curl
    # pymongo: the attachment tests read GridFS back through a client written by others.
    python3 -c 'import pymongo' 2>/dev/null || python3 -m pip install -q pymongo
    postgres_up
    redis_up
    ferret_up
    smtp_up
    browser_up
    say "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port, FerretDB on 127.0.0.1:$ferret_port, SMTP on 127.0.0.1:$smtp_port (mail in $mail_dir)"
    print_env | sed 's/^/[services]   /'
    ;;
  down)
    stop_started smtp smtp_sink.py
    stop_started ferretdb ferretdb
    stop_started redis redis-server
    postgres_down
    ;;
  status)
    ours() { [ -f "$state/run/$1" ] && echo " (started by this script)" || true; }
    pg_ready && say "PostgreSQL: up$(ours postgres.started)" || say "PostgreSQL: down"
    redis_ready 2>/dev/null && say "Redis: up$(ours redis.pid)" || say "Redis: down"
    ferret_ready 2>/dev/null && say "FerretDB: up$(ours ferretdb.pid)" || say "FerretDB: down"
    smtp_ready && say "SMTP sink: up$(ours smtp.pid)" || say "SMTP sink: down"
    ;;
  env) print_env ;;
  *) die "usage: $0 [up|down|status|env]" ;;
esac
