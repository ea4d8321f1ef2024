//! The ceilings `just bench` (deploy/local/bench.sh) measures TaskForge against, in the same run,
//! with the same wrk loads: a server that does only the store round trips TaskForge's two hot
//! paths cannot avoid, so that "TaskForge / ceiling" is the share of what this machine and these
//! stores allow that TaskForge's own code leaves.
//!
//! - `GET /read/{id}` (read ceiling): a cached, authenticated read. Two Redis round trips, one
//!   after the other, because the session decides whether the document may be read at all: a
//!   GET of the session named by the bearer token, then a GET of the cached document, answered
//!   as stored. One multiplexed Redis connection for the whole process. Nothing else: no token
//!   hashing, no JSON decoding, no rate limit, no membership check. Any cached authenticated read
//!   costs at least this.
//! - `POST /write` (write ceiling): the smallest honest create. One PostgreSQL transaction that
//!   inserts the row and its outbox row (the single commit point a change needs, ADR 10), then
//!   the two projections a create makes: one MongoDB insert of the document and one Redis SET
//!   of its cache entry. Nothing else: no validation beyond parsing the JSON body, no audit
//!   row, no authorisation. Any durable create that keeps the three stores in agreement costs at
//!   least this.
//!
//! Same actix-web, worker count (`WORKERS`) and pool sizes as the TaskForge server. Its own
//! tables, `bench_rows` and `bench_outbox`, are created at start-up in `DATABASE_URL`'s database
//! (a bench database, never through TaskForge's migrations).
//!
//! Environment: `DATABASE_URL`, `MONGODB_URI`, `MONGODB_DATABASE` (default `taskforge_bench`),
//! `MONGODB_DROP_FIRST=1` (drop that database at start-up: a fresh one per bench run), `REDIS_URL`,
//! `REDIS_PREFIX` (prepended to every key), `SESSION_TOKEN` (the bearer token whose session is
//! stored at start-up, default `ceiling`), `BIND` (default `127.0.0.1:18090`), `WORKERS`
//! (default: the number of cores).

use actix_web::http::header::AUTHORIZATION;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use deadpool_redis::redis::aio::MultiplexedConnection;
use deadpool_redis::redis::{self, RedisError};
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use mongodb::bson::{self, Document};
use mongodb::Collection;
use serde_json::{json, Value};
use std::fmt::Display;
use uuid::Uuid;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// TaskForge's defaults (`database.pool_size`, `mongo.pool_size`).
const PG_POOL_SIZE: usize = 16;
const MONGO_POOL_SIZE: u32 = 32;
/// TaskForge keeps a task in its cache for five minutes.
const CACHE_TTL_SECS: u64 = 300;

const TABLES: &str = "
    CREATE TABLE IF NOT EXISTS bench_rows (
        id uuid PRIMARY KEY,
        body jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS bench_outbox (
        id bigserial PRIMARY KEY,
        row_id uuid NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    );";

struct State {
    pg: Pool<AsyncPgConnection>,
    docs: Collection<Document>,
    redis: MultiplexedConnection,
    prefix: String,
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

fn required(name: &str) -> Result<String, Error> {
    std::env::var(name).map_err(|_| format!("{name} must be set").into())
}

fn unavailable(store: &str, e: impl Display) -> HttpResponse {
    HttpResponse::ServiceUnavailable()
        .json(json!({"error": {"code": "UNAVAILABLE", "message": format!("{store}: {e}")}}))
}

async fn redis_get(
    conn: &mut MultiplexedConnection,
    key: &str,
) -> Result<Option<Vec<u8>>, RedisError> {
    redis::cmd("GET").arg(key).query_async(conn).await
}

/// The read ceiling: session GET, then document GET.
async fn read(state: web::Data<State>, req: HttpRequest, id: web::Path<Uuid>) -> HttpResponse {
    let token = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        return HttpResponse::Unauthorized().finish();
    };
    let mut redis = state.redis.clone();
    match redis_get(&mut redis, &format!("{}session:{token}", state.prefix)).await {
        Ok(Some(_)) => {}
        Ok(None) => return HttpResponse::Unauthorized().finish(),
        Err(e) => return unavailable("redis", e),
    }
    match redis_get(&mut redis, &format!("{}doc:{id}", state.prefix)).await {
        Ok(Some(doc)) => HttpResponse::Ok()
            .content_type("application/json")
            .body(doc),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(e) => unavailable("redis", e),
    }
}

/// The write ceiling: row and outbox row in one transaction, then the MongoDB insert and the
/// Redis SET.
async fn write(state: web::Data<State>, body: web::Json<Value>) -> HttpResponse {
    let id = Uuid::now_v7();
    let mut doc = body.into_inner();
    if let Some(fields) = doc.as_object_mut() {
        fields.insert("id".into(), json!(id));
    }
    let mut conn = match state.pg.get().await {
        Ok(conn) => conn,
        Err(e) => return unavailable("postgres", e),
    };
    let (row, outbox) = (doc.clone(), doc.clone());
    let committed = conn
        .transaction(async move |tx| {
            diesel::sql_query("INSERT INTO bench_rows (id, body) VALUES ($1, $2)")
                .bind::<diesel::sql_types::Uuid, _>(id)
                .bind::<diesel::sql_types::Jsonb, _>(row)
                .execute(tx)
                .await?;
            diesel::sql_query("INSERT INTO bench_outbox (row_id, payload) VALUES ($1, $2)")
                .bind::<diesel::sql_types::Uuid, _>(id)
                .bind::<diesel::sql_types::Jsonb, _>(outbox)
                .execute(tx)
                .await?;
            Ok::<_, diesel::result::Error>(())
        })
        .await;
    drop(conn);
    if let Err(e) = committed {
        return unavailable("postgres", e);
    }
    let mut document = match bson::serialize_to_document(&doc) {
        Ok(d) => d,
        Err(e) => return HttpResponse::BadRequest().body(e.to_string()),
    };
    document.insert("_id", id.to_string());
    if let Err(e) = state.docs.insert_one(document).await {
        return unavailable("mongo", e);
    }
    let set: Result<(), RedisError> = redis::cmd("SET")
        .arg(format!("{}doc:{id}", state.prefix))
        .arg(doc.to_string())
        .arg("EX")
        .arg(CACHE_TTL_SECS)
        .query_async(&mut state.redis.clone())
        .await;
    match set {
        Ok(()) => HttpResponse::Created().json(doc),
        Err(e) => unavailable("redis", e),
    }
}

#[actix_web::main]
async fn main() -> Result<(), Error> {
    let bind = env_or("BIND", "127.0.0.1:18090");
    let workers = match std::env::var("WORKERS") {
        Ok(n) => n.parse().map_err(|e| format!("WORKERS: {e}"))?,
        Err(_) => std::thread::available_parallelism().map_or(2, usize::from),
    };
    let prefix = env_or("REDIS_PREFIX", "");

    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(required("DATABASE_URL")?);
    let pg = Pool::builder(manager).max_size(PG_POOL_SIZE).build()?;
    pg.get().await?.batch_execute(TABLES).await?;

    let mut options = mongodb::options::ClientOptions::parse(required("MONGODB_URI")?).await?;
    options.max_pool_size = Some(MONGO_POOL_SIZE);
    let db = mongodb::Client::with_options(options)?
        .database(&env_or("MONGODB_DATABASE", "taskforge_bench"));
    if env_or("MONGODB_DROP_FIRST", "") == "1" {
        db.drop().await?;
    }
    let docs = db.collection::<Document>("bench_docs");

    // Created here, on the main thread's runtime: one connection that every worker shares.
    let mut redis = redis::Client::open(required("REDIS_URL")?)?
        .get_multiplexed_async_connection()
        .await?;
    let token = env_or("SESSION_TOKEN", "ceiling");
    let session = json!({"userId": Uuid::now_v7(), "sessionId": Uuid::now_v7(), "createdAt": 0, "lastSeenAt": 0});
    redis::cmd("SET")
        .arg(format!("{prefix}session:{token}"))
        .arg(session.to_string())
        .arg("EX")
        .arg(86_400)
        .query_async::<()>(&mut redis)
        .await?;

    let state = web::Data::new(State {
        pg,
        docs,
        redis,
        prefix,
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/read/{id}", web::get().to(read))
            .route("/write", web::post().to(write))
    })
    .workers(workers)
    .bind(&bind)?;
    println!("taskforge-bench-ceilings is listening on http://{bind} with {workers} workers");
    server.run().await?;
    Ok(())
}
