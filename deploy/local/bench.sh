#!/usr/bin/env bash
# `just bench`: TaskForge's throughput and latency on a release build, each figure beside a
# ceiling measured in the same run on the same machine and stores, with the ratio and the
# target of issue 9. The ceilings are taskforge-bench-ceilings (crates/bench-ceilings): the
# Redis round trips of a cached authenticated read (GET /read), and the smallest honest create
# (POST /write: one PostgreSQL transaction with an outbox row, one MongoDB insert, one Redis
# write). The load is wrk (from Debian) with the scripts in deploy/local/bench/.
#
#   deploy/local/bench.sh [seconds per run, default 10]
#   BENCH_PROFILE=1 deploy/local/bench.sh   # also perf record -g of TaskForge under the cached GET
#
# Results: target/bench/results.md (and profile.txt, the servers' logs, the raw wrk output).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
seconds=${1:-10}
port=${BENCH_PORT:-18080}          # TaskForge; $port+1 the uncached TaskForge; $port+10 the ceilings
workers=$(nproc)                   # actix workers of both servers (TaskForge's http.workers default: 2)
out=$root/target/bench
mkdir -p "$out"
runs=$out/runs.tsv header=$out/header.md raw=$out/wrk.txt
: >"$runs"; : >"$raw"
say() { printf '[bench] %s\n' "$*"; }

command -v wrk >/dev/null || { say "installing wrk"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
bash deploy/local/services.sh up >/dev/null
eval "$(bash deploy/local/services.sh env)"

say "building both servers with the release profile (thin LTO, one codegen unit: 10 to 25 min from scratch on 2 cores, seconds when nothing changed)"
build_started=$SECONDS
cargo build --release -p taskforge-app-http -p taskforge-bench-ceilings
build_secs=$((SECONDS - build_started))
bin=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release

# A fresh PostgreSQL database and MongoDB database (the ceilings drop it at start) and a Redis
# key prefix of its own, every run.
db=taskforge_bench
psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
bench_url=${DATABASE_URL%/*}/$db
prefix="$db:$(date +%s):"

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
# Waits until $2 answers HTTP at all; fails if process $1 ended first (its log is $3).
wait_up() {
  for _ in $(seq 300); do
    curl -s -o /dev/null "$2" && return 0
    kill -0 "$1" 2>/dev/null || { say "it stopped: $(tail -5 "$3")"; return 1; }
    sleep 0.1
  done
  say "no answer from $2"; return 1
}
rss() { awk '/^VmRSS/ {printf "%.1f MiB", $2 / 1024}' "/proc/$1/status"; }

ceilings=http://127.0.0.1:$((port + 10))
DATABASE_URL=$bench_url MONGODB_DATABASE=$db MONGODB_DROP_FIRST=1 REDIS_PREFIX="${prefix}ceiling:" \
  SESSION_TOKEN=ceiling BIND=127.0.0.1:$((port + 10)) WORKERS=$workers \
  "$bin/taskforge-bench-ceilings" >"$out/ceilings.log" 2>&1 &
ceiling_pid=$!; pids+=("$ceiling_pid")
wait_up "$ceiling_pid" "$ceilings/write" "$out/ceilings.log"

# TaskForge as deployed but for: plain-http cookies, request logs off (warn), the per-user API
# rate limit out of the way (the only limit the bench's requests meet after the one login).
tf_env=(DATABASE_URL="$bench_url" TASKFORGE__MONGO__DATABASE=$db TASKFORGE__REDIS__KEY_PREFIX="$prefix"
  TASKFORGE__HTTP__WORKERS="$workers" TASKFORGE__HTTP__COOKIE_SECURE=false
  TASKFORGE__LOG__FILTER="${TASKFORGE__LOG__FILTER:-warn}"
  TASKFORGE__AUTH__RATE_LIMITS__API_PER_USER__LIMIT=1000000000)
base=http://127.0.0.1:$port
env "${tf_env[@]}" TASKFORGE__HTTP__BIND=127.0.0.1:$port "$bin/taskforge-server" >"$out/server.log" 2>&1 &
server=$!; pids+=("$server")
wait_up "$server" "$base/healthz" "$out/server.log"
sleep 1
rss_idle=$(rss "$server")
ceiling_rss_idle=$(rss "$ceiling_pid")

say "seeding through the API: one user, one team, 200 tasks"
api() { curl -fsS -H 'content-type: application/json' "$@"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
api -X POST "$base/api/auth/register" -d '{"email":"bench@taskforge.test","password":"bench-password","firstName":"B","lastName":"M"}' >/dev/null
token=$(api -X POST "$base/api/auth/login" -d '{"email":"bench@taskforge.test","password":"bench-password"}' | json '["token"]')
auth=(-H "authorization: Bearer $token")
team=$(api -X POST "$base/api/teams" "${auth[@]}" -d '{"name":"Bench"}' | json '["teamId"]')
for i in $(seq 200); do
  api -X POST "$base/api/tasks" "${auth[@]}" -d "{\"teamId\":\"$team\",\"title\":\"task $i\",\"tags\":[\"t$((i % 5))\"]}" >/dev/null
done
task=$(api "$base/api/tasks?teamId=$team&limit=1" "${auth[@]}" | json '["items"][0]["taskId"]')
# The watcher: a second member, whose notification stream the commit-to-SSE probe reads.
api -X POST "$base/api/auth/register" -d '{"email":"watcher@taskforge.test","password":"bench-password","firstName":"W","lastName":"M"}' >/dev/null
watcher_token=$(api -X POST "$base/api/auth/login" -d '{"email":"watcher@taskforge.test","password":"bench-password"}' | json '["token"]')
watcher=$(api "$base/api/users/me" -H "authorization: Bearer $watcher_token" | json '["userId"]')
api -X POST "$base/api/teams/$team/members" "${auth[@]}" -d '{"email":"watcher@taskforge.test","role":"member"}' >/dev/null
spread=$(api "$base/api/tasks?teamId=$team&limit=64" "${auth[@]}" \
  | python3 -c 'import json,sys; print(",".join(t["taskId"] for t in json.load(sys.stdin)["items"]))')
# The read ceiling serves the cached task's document (stored through POST /write, which adds an id).
doc=$(api "$base/api/tasks/$task" "${auth[@]}" | api -X POST "$ceilings/write" -d @- | json '["id"]')
export LUA_PATH="$root/deploy/local/bench/?.lua;;" BENCH_TOKEN=$token BENCH_TEAM=$team BENCH_TASK=$task

commands=()
# run KEY FIGURE CONNECTIONS SCRIPT URL [env...]: one wrk run, its BENCH line into $runs.
run() {
  local key=$1 figure=$2 conns=$3 script=$4 url=$5
  shift 5
  local cmd=(wrk -t2 -c"$conns" -d"${seconds}s" --timeout 10s -s "deploy/local/bench/$script" "$url")
  say "$figure: ${cmd[*]}"
  local shown=() var
  for var in "$@"; do [ ${#var} -le 80 ] && shown+=("$var") || shown+=("${var%%=*}=<${#var} characters>"); done
  commands+=("${shown[*]}${shown:+ }${cmd[*]}")
  local output
  output=$(env "$@" "${cmd[@]}")
  printf '== %s\n%s\n\n' "$figure" "$output" >>"$raw"
  local line
  line=$(grep '^BENCH ' <<<"$output") || { say "wrk gave no result:"; echo "$output"; exit 1; }
  say "  $line"
  printf '%s\t%s\t%s\t%s\n' "$key" "$figure" "$conns" "$line" >>"$runs"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run read "read ceiling: session GET + document GET on Redis" 50 get.lua "$ceilings/read/$doc" BENCH_TOKEN=ceiling
run write "write ceiling: PostgreSQL row + outbox row, MongoDB insert, Redis SET" 16 create.lua "$ceilings/write"

if [ "${BENCH_PROFILE:-0}" = 1 ]; then
  say "recording perf of TaskForge during the cached GET"
  perf record -g -p "$server" -o "$out/perf.data" -- sleep "$seconds" >"$out/perf.log" 2>&1 &
  perf_pid=$!
fi
run get_task "GET /api/tasks/{id} (cached)" 50 get.lua "$base/api/tasks/$task"
if [ -n "${perf_pid:-}" ]; then
  wait "$perf_pid" || true
  {
    echo "# perf record -g -p <taskforge-server> during the cached GET; perf report --stdio --no-children -g none (self time)"
    # awk reads to the end: `head` would stop perf early, and pipefail would end the script.
    perf report -i "$out/perf.data" --stdio --no-children -g none 2>/dev/null | awk '!/^#/ && NF && n++ < 40'
  } >"$out/profile.txt"
  say "profile: $out/profile.txt (call graphs: perf report -i $out/perf.data --no-children)"
fi
run get_me "GET /api/users/me (its users row; no cache, ADR 16)" 50 get.lua "$base/api/users/me"
run list "GET /api/tasks?teamId=..&limit=20 (list page of 20)" 50 get.lua "$base/api/tasks?teamId=$team&limit=20"

# The uncached read: a second server over the same stores with its task cache off.
uncached_note="the second server ran with TASKFORGE__CACHE__ENABLED=false: no task cache."
uncached=http://127.0.0.1:$((port + 1))
start_uncached() {
  env "${tf_env[@]}" TASKFORGE__HTTP__BIND=127.0.0.1:$((port + 1)) "$@" "$bin/taskforge-server" >"$out/server-uncached.log" 2>&1 &
  uncached_pid=$!; pids+=("$uncached_pid")
  wait_up "$uncached_pid" "$uncached/healthz" "$out/server-uncached.log"
}
if ! start_uncached TASKFORGE__CACHE__ENABLED=false; then
  uncached_note="THIS BUILD REFUSED TASKFORGE__CACHE__ENABLED=false (no cache.enabled setting yet), so the \"uncached\" figure was measured WITH the task cache."
  say "$uncached_note"
  start_uncached
fi
run get_uncached "GET /api/tasks/{id} (uncached: cache off)" 50 get.lua "$uncached/api/tasks/$task"
sleep 1   # the requests wrk left in flight finish before the pools close
kill "$uncached_pid"

# Commit-to-SSE latency under the create load: 20 assigned creates/s beside wrk's 16 connections.
sse_cmd=(python3 deploy/local/bench/sse_latency.py "$base" "<watcher token>" "<token>" "$team" "$watcher" "$seconds" 20)
python3 deploy/local/bench/sse_latency.py "$base" "$watcher_token" "$token" "$team" "$watcher" "$seconds" 20 >"$out/sse.txt" 2>&1 &
sse_pid=$!
run create "POST /api/tasks (create, one team)" 16 create.lua "$base/api/tasks"
wait "$sse_pid" || true
sse_line=$(grep '^SSE ' "$out/sse.txt" || echo "SSE failed: $(tail -3 "$out/sse.txt")")
say "  $sse_line"
commands+=("${sse_cmd[*]} (during the create run)")
run patch_many "PATCH /api/tasks/{id} status, 64 tasks in turn" 16 patch.lua "$base" BENCH_TASKS="$spread"
run patch_one "PATCH /api/tasks/{id} status, one task" 16 patch.lua "$base" BENCH_TASKS="$task"
run mixed "mixed: 50% cached GET, 20% list, 20% create, 10% PATCH (one task)" 16 mixed.lua "$base"
sleep 1
rss_after=$(rss "$server")
ceiling_rss_after=$(rss "$ceiling_pid")

{
  echo "# TaskForge benchmarks"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "- machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), load average before the runs: $load_before"
  echo "- commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "- build: \`cargo build --release -p taskforge-app-http -p taskforge-bench-ceilings\` (release profile: thin LTO, codegen-units = 1) took ${build_secs} s in this run"
  echo "- servers: $workers actix workers each (TaskForge and the ceilings); TaskForge log filter ${TASKFORGE__LOG__FILTER:-warn}, API rate limit raised; wrk, the servers and the three stores share the machine"
  echo "- each run: ${seconds} s, reads at 50 connections, writes and the mix at 16; uncached GET: $uncached_note"
  echo "- PATCH: without If-Match; \"64 tasks in turn\" spreads the writes, \"one task\" puts all 16 connections on one row (as the mix does)"
  echo "- server RSS (VmRSS): TaskForge $rss_idle idle (started, before seeding), $rss_after after the runs; ceilings $ceiling_rss_idle idle, $ceiling_rss_after after"
  echo
  echo "Ratio: TaskForge's requests/s over its ceiling's in this run. A target passes when every"
  echo "condition holds and no request failed (non-2xx or socket error)."
  echo
} >"$header"
{
  python3 deploy/local/bench/report.py "$runs" "$header"
  echo
  echo "## Commit-to-SSE latency"
  echo
  echo "A second member's notification stream open while 20 tasks/s assigned to them are created"
  echo "beside the create run's load; latency = arrival of the \`task_assigned\` event minus its"
  echo "\`createdAt\` (the change's time; one clock). Target: p99 < 50 ms, nothing lost."
  echo
  echo "    $sse_line"
  echo
  echo "## Command lines"
  echo
  echo '```'
  printf '%s\n' "${commands[@]}"
  echo '```'
} >"$out/results.md"
cat "$out/results.md"
