# TaskForge's everyday commands. `just --list` shows them all.
set shell := ["bash", "-euo", "pipefail", "-c"]

# The store URLs: DATABASE_URL, MONGODB_URI and REDIS_URL as set in your environment, else the
# local services'.
services_env := "eval \"$(bash deploy/local/services.sh env)\""

# Services, migrations, demo data, then the server (quickstart build) on a printed URL.
run: services
    @echo "[run] building the server with the quickstart profile (from scratch on 2 cores: 6 to 10 minutes, with little output while big crates compile; then seconds)"
    cargo build --profile quickstart -p taskforge-app-http
    @echo "[run] applying migrations"
    {{services_env}} && cargo run -q --profile quickstart -p taskforge-app-http --bin taskforge-admin -- migrate
    @echo "[run] adding the demo team and its accounts (once)"
    {{services_env}} && cargo run -q --profile quickstart -p taskforge-app-http --bin taskforge-admin -- seed-demo
    @echo "[run] starting the server (Ctrl-C stops it)"
    {{services_env}} && TASKFORGE__HTTP__COOKIE_SECURE=false cargo run -q --profile quickstart -p taskforge-app-http --bin taskforge-server

# Every test (unit, contract, black-box HTTP, failure) against the real stores.
test: services
    @echo "[test] building the test binaries (from scratch on 2 cores: 10 to 18 minutes; after a change: about a minute), then running them (about 4 minutes)"
    {{services_env}} && cargo test --workspace --tests

# Formatting and lints, as CI runs them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Start (installing or building what is missing) PostgreSQL, Redis and FerretDB on loopback.
services:
    bash deploy/local/services.sh up

# Stop the local services this project started (never a PostgreSQL or Redis it found running).
services-down:
    bash deploy/local/services.sh down

# Apply pending migrations.
migrate: services
    {{services_env}} && cargo run -q -p taskforge-app-http --bin taskforge-admin -- migrate

# TaskForge's reads and writes beside ceilings measured in the same run, on a release build (optimized for speed: slow to build); results in target/bench/results.md. `just bench 30` runs 30 s per load; BENCH_PROFILE=1 adds a perf profile.
bench seconds="10": services
    bash deploy/local/bench.sh {{seconds}}

# List, search and dashboard latency at 10k and 1M seeded tasks, the 1M/10k ratio and issue 13's targets; writes docs/scale-results.md and docs/scale-plans.md. BENCH_SCALE_RESEED=1 seeds 1M again (it is kept otherwise).
bench-scale: services
    bash deploy/local/bench-scale.sh
