#!/usr/bin/env bash
# Benchmarks of the hot read paths on a release build, against the local services:
# wrk (from Debian) drives GET /api/users/me and GET /api/tasks/{id} (both cached) and
# GET /api/tasks (a list page) for a few seconds each. Results go to target/bench/results.md.
#
#   deploy/local/bench.sh [seconds per run, default 10]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
seconds=${1:-10}
port=${BENCH_PORT:-18080}
out=target/bench/results.md

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
bash deploy/local/services.sh up >/dev/null
eval "$(bash deploy/local/services.sh env)"
cargo build -q --release -p taskforge-app-http

db="taskforge_bench"
admin_url=$DATABASE_URL
psql -q "$admin_url" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
export DATABASE_URL=${admin_url%/*}/$db
export TASKFORGE__MONGO__DATABASE=$db TASKFORGE__REDIS__KEY_PREFIX="$db:$(date +%s):"
export TASKFORGE__HTTP__BIND=127.0.0.1:$port TASKFORGE__HTTP__COOKIE_SECURE=false
export TASKFORGE__AUTH__RATE_LIMITS__API_PER_USER__LIMIT=1000000000 TASKFORGE__LOG__FILTER=warn

./target/release/taskforge-server >target/bench-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

api() { curl -fsS -H 'content-type: application/json' "$@"; }
base=http://127.0.0.1:$port
api -X POST "$base/api/auth/register" -d '{"email":"bench@taskforge.test","password":"bench-password","firstName":"B","lastName":"M"}' >/dev/null
token=$(api -X POST "$base/api/auth/login" -d '{"email":"bench@taskforge.test","password":"bench-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
team=$(api -X POST "$base/api/teams" -H "authorization: Bearer $token" -d '{"name":"Bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["teamId"])')
for i in $(seq 200); do
  api -X POST "$base/api/tasks" -H "authorization: Bearer $token" -d "{\"teamId\":\"$team\",\"title\":\"task $i\",\"tags\":[\"t$((i % 5))\"]}" >/dev/null
done
task=$(api "$base/api/tasks?limit=1" -H "authorization: Bearer $token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["taskId"])')

mkdir -p "$(dirname "$out")"
{
  echo "# TaskForge benchmarks"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, release build, 2 actix workers, wrk -t2 -c32 -d${seconds}s, loopback."
  echo
  echo "| request | requests/s | p50 | p99 |"
  echo "|---|---|---|---|"
} >"$out"
run() { # name, path
  local stats
  stats=$(wrk -t2 -c32 -d"${seconds}s" --latency -H "authorization: Bearer $token" "$base$2")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$stats")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$stats")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$stats")
  echo "| $1 | $rps | $p50 | $p99 |" >>"$out"
  if grep -q "Non-2xx" <<<"$stats"; then echo "$1: non-2xx responses" >&2; grep "Non-2xx" <<<"$stats" >&2; fi
}
run "GET /api/users/me (cached profile)" "/api/users/me"
run "GET /api/tasks/{id} (cached task)" "/api/tasks/$task"
run "GET /api/tasks (page of 20 of 200)" "/api/tasks"
run "GET /api/tasks?q=task&tag=t1" "/api/tasks?q=task&tag=t1"
cat "$out"
