//! The hexagon, enforced: which crate may depend on which (what cargo-deny's `wrappers` would
//! say, checked over `cargo metadata` so it needs no extra tool).

use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Command;

/// Direct dependencies of every workspace crate, normal and dev.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cargo metadata: {e}"));
    let meta: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("cargo metadata output: {e}"));
    meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let deps = p["dependencies"].as_array().into_iter().flatten();
            let names = deps
                .filter_map(|d| d["name"].as_str().map(str::to_owned))
                .collect();
            (p["name"].as_str().unwrap_or_default().to_owned(), names)
        })
        .collect()
}

/// Store and web crates, each with the only workspace crates allowed to use it directly
/// (`taskforge-tests` drives the real adapters in the contract suites, so it may name them, but
/// not the drivers).
const WRAPPED: [(&str, &[&str]); 8] = [
    ("diesel", &["taskforge-adapter-sql"]),
    ("diesel-async", &["taskforge-adapter-sql"]),
    ("diesel_migrations", &["taskforge-adapter-sql"]),
    ("mongodb", &["taskforge-adapter-mongo"]),
    ("bson", &["taskforge-adapter-mongo"]),
    ("deadpool-redis", &["taskforge-adapter-redis"]),
    ("redis", &["taskforge-adapter-redis"]),
    ("actix-web", &["taskforge-app-http"]),
];

#[test]
fn store_and_web_crates_are_used_only_by_their_adapter() {
    for (krate, deps) in dependencies() {
        for (wrapped, allowed) in WRAPPED {
            assert!(
                !deps.contains(&wrapped.to_owned()) || allowed.contains(&krate.as_str()),
                "{krate} depends on {wrapped}, which only {allowed:?} may use"
            );
        }
    }
}

#[test]
fn the_domain_depends_on_no_io_crate_and_adapters_only_on_the_domain() {
    let all = dependencies();
    let domain = &all["taskforge-domain"];
    for io in [
        "tokio",
        "reqwest",
        "actix-web",
        "diesel",
        "mongodb",
        "deadpool-redis",
        "redis",
        "hyper",
    ] {
        assert!(
            !domain.contains(&io.to_owned()),
            "taskforge-domain depends on {io}"
        );
    }
    assert!(
        !domain.iter().any(|d| d.starts_with("taskforge-")),
        "the domain depends on no other crate of ours"
    );
    for adapter in [
        "taskforge-adapter-sql",
        "taskforge-adapter-mongo",
        "taskforge-adapter-redis",
        "taskforge-adapter-memory",
    ] {
        let ours: Vec<&String> = all[adapter]
            .iter()
            .filter(|d| d.starts_with("taskforge-"))
            .collect();
        assert!(
            ours.iter()
                .all(|d| *d == "taskforge-domain" || *d == "taskforge-adapter-memory"),
            "{adapter} depends on {ours:?}"
        );
    }
}
