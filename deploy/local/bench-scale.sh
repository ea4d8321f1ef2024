#!/usr/bin/env bash
# `just bench-scale`: list, search and dashboard latency at two sizes of the same shape of data
# (10,000 and 1,000,000 tasks; 5,000 users in 200 teams; two comments per task), seeded with
# `taskforge-admin seed` into databases of their own, then the ratio between the sizes and the
# targets of issue 13. The load client is deploy/local/bench/scale_client.py (sequential
# requests as a seeded admin of the biggest team). Writes docs/scale-results.md and
# docs/scale-plans.md (EXPLAIN (ANALYZE, BUFFERS) of each list, search and dashboard statement
# at the big size, built by the repositories themselves: `taskforge-admin explain`).
#
#   deploy/local/bench-scale.sh
#   BENCH_SCALE_RESEED=1     seed the big database again even if it holds its tasks already
#   BENCH_SCALE_BIG=100000   another big size (BENCH_SCALE_SMALL likewise; default 10000)
#   BENCH_SCALE_SAMPLES=200  requests per shape; BENCH_SCALE_PROFILE=release the cargo profile
#   BENCH_SCALE_RECONCILE=1  run taskforge-admin reconcile after each seeding (slow: every document)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
small=${BENCH_SCALE_SMALL:-10000}
big=${BENCH_SCALE_BIG:-1000000}
samples=${BENCH_SCALE_SAMPLES:-200}
profile=${BENCH_SCALE_PROFILE:-release}
port=${BENCH_PORT:-18180}
out=$root/target/bench-scale
mkdir -p "$out"
say() { printf '[bench-scale] %s\n' "$*"; }
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null || true' EXIT

bash deploy/local/services.sh up >/dev/null
eval "$(bash deploy/local/services.sh env)"
say "building the server and admin with the $profile profile"
cargo build --profile "$profile" -p taskforge-app-http --bin taskforge-server --bin taskforge-admin
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target/$([ "$profile" = dev ] && echo debug || echo "$profile")

# label -> its database; the MongoDB database gets a new name each seeding (recorded in
# $out/$db.env with the login), as nothing here can drop one.
name() { case $1 in 10000) echo 10k ;; 1000000) echo 1m ;; *) echo "$1" ;; esac; }
tf_env() {
  local db=$1
  # shellcheck disable=SC1090
  source "$out/$db.env"
  printf '%s\n' DATABASE_URL="${DATABASE_URL%/*}/$db" TASKFORGE__MONGO__DATABASE="$mongo_db" \
    TASKFORGE__REDIS__KEY_PREFIX="$db:" TASKFORGE__LOG__FILTER=warn TASKFORGE__HTTP__COOKIE_SECURE=false \
    TASKFORGE__WORKER__EMBEDDED=false TASKFORGE__AUTH__RATE_LIMITS__API_PER_USER__LIMIT=1000000000
}

seed() {
  local tasks=$1 db=taskforge_scale_$(name "$1")
  local have=0
  if [ -f "$out/$db.env" ]; then
    have=$(psql -qtA "${DATABASE_URL%/*}/$db" -c "SELECT count(*) FROM tasks" 2>/dev/null || echo 0)
  fi
  if [ "$tasks" = "$big" ] && [ -z "${BENCH_SCALE_RESEED:-}" ] && [ "$have" -ge "$tasks" ]; then
    say "$db holds $have tasks already: not seeded again (BENCH_SCALE_RESEED=1 does); migrating it"
    local kept_env
    mapfile -t kept_env < <(tf_env "$db")
    env "${kept_env[@]}" "$bin/taskforge-admin" migrate >/dev/null
    psql -q "${DATABASE_URL%/*}/$db" -c "VACUUM ANALYZE tasks, comments"
    return
  fi
  # About 8 KB per task with its two comments over both stores (measured at 100k), plus WAL:
  # refuse to start a seeding that would fill the disk the local stores share with everything.
  local need_kb=$((tasks * 12)) free_kb
  free_kb=$(df -Pk "$root" | awk 'NR == 2 {print $4}')
  if [ "$free_kb" -lt "$need_kb" ]; then
    say "seeding $tasks tasks needs about $((need_kb / 1048576 + 1)) GiB free; $((free_kb / 1048576)) GiB are"
    exit 1
  fi
  psql -q "$DATABASE_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
  printf 'mongo_db=%s_%s\n' "$db" "$(date +%s)" >"$out/$db.env"
  local env_args
  mapfile -t env_args < <(tf_env "$db")
  env "${env_args[@]}" "$bin/taskforge-admin" migrate >/dev/null
  say "seeding $db: 5000 users, 200 teams, $tasks tasks, $((2 * tasks)) comments"
  env "${env_args[@]}" "$bin/taskforge-admin" seed --users 5000 --teams 200 --tasks "$tasks" \
    --comments $((2 * tasks)) | tee "$out/$db.seed"
  psql -q "${DATABASE_URL%/*}/$db" -c "VACUUM ANALYZE users, teams, team_memberships, role_permissions, tasks, comments"
  sed -nE 's/^seed: run .* log in as ([^ ]+) \(password ([^)]+)\), .* team ([0-9a-f-]+)$/email=\1\npassword=\2\nteam=\3/p' \
    "$out/$db.seed" >>"$out/$db.env"
  sed -nE 's/^seed: search words: common ([a-z]+), rare ([a-z]+)$/common=\1\nrare=\2/p' "$out/$db.seed" >>"$out/$db.env"
  # reconcile reads every document (minutes at 100k tasks); tests/tests/stores/seed.rs checks drift.
  if [ -n "${BENCH_SCALE_RECONCILE:-}" ]; then
    env "${env_args[@]}" "$bin/taskforge-admin" reconcile 2>/dev/null | grep drift | tee -a "$out/$db.seed"
  fi
}

measure() {
  local db=taskforge_scale_$(name "$1")
  local env_args
  mapfile -t env_args < <(tf_env "$db")
  # shellcheck disable=SC1090
  source "$out/$db.env"
  env "${env_args[@]}" TASKFORGE__HTTP__BIND=127.0.0.1:$port "$bin/taskforge-server" >"$out/$db.server.log" 2>&1 &
  server=$!
  for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
  say "measuring $db ($samples requests per shape)"
  python3 deploy/local/bench/scale_client.py "http://127.0.0.1:$port" "$email" "$password" "$team" \
    "$samples" "$common" "$rare" | tee "$out/$db.jsonl"
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
}

for size in "$small" "$big"; do seed "$size"; done
for size in "$small" "$big"; do measure "$size"; done

say "EXPLAIN (ANALYZE, BUFFERS) of each shape at $big tasks"
big_db=taskforge_scale_$(name "$big")
# shellcheck disable=SC1090
source "$out/$big_db.env"
{
  printf '# Query plans at %s tasks

' "$big"
  printf '`EXPLAIN (ANALYZE, BUFFERS)` of each list, search and dashboard statement, built by the repositories themselves (`taskforge-admin explain`), as the seeded admin of the biggest team, written by `just bench-scale` on %s.

' "$(date -u +%Y-%m-%dT%H:%MZ)"
  mapfile -t big_env < <(tf_env "$big_db")
  env "${big_env[@]}" "$bin/taskforge-admin" explain --email "$email" --team "$team"
} >"$root/docs/scale-plans.md"

python3 deploy/local/bench/scale_report.py "$out" "$(name "$small")" "$(name "$big")" "$small" "$big" "$profile" \
  >"$root/docs/scale-results.md"
cat "$root/docs/scale-results.md"
