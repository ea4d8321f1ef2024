# TaskForge's everyday commands. `just --list` shows them all.
set shell := ["bash", "-euo", "pipefail", "-c"]

# The store URLs: DATABASE_URL, MONGODB_URI and REDIS_URL as set in your environment, else the
# local services'.
services_env := "eval \"$(bash deploy/local/services.sh env)\""

# Services, migrations, demo data, then the server (release build) on a printed URL.
run: services
    cargo build --release -p taskforge-app-http
    {{services_env}} && ./target/release/taskforge-admin migrate
    {{services_env}} && ./target/release/taskforge-admin seed-demo
    {{services_env}} && TASKFORGE__HTTP__COOKIE_SECURE=false ./target/release/taskforge-server

# Every test (unit, contract, black-box HTTP, failure) against the real stores.
test: services
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

# Benchmarks of the hot read paths on a release build; results in target/bench/results.md.
bench: services
    bash deploy/local/bench.sh
