//! The hexagon, enforced over the full resolved dependency graph (`cargo metadata`): which crate
//! may reach which, directly or through any chain of dependencies. It is what cargo-deny's
//! `wrappers` would say, and needs no extra tool.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// The crates whose code ends up in the binaries.
const PRODUCTION: [&str; 5] = [
    "taskforge-domain",
    "taskforge-adapter-sql",
    "taskforge-adapter-mongo",
    "taskforge-adapter-redis",
    "taskforge-app-http",
];
/// The crates that only tests use: the fakes with their contract suites, and the black-box tests.
const TEST_ONLY: [&str; 2] = ["taskforge-adapter-memory", "taskforge-tests"];
/// Tools that use the store drivers and actix bare on purpose (the bench's ceilings measure what
/// the stores allow without TaskForge's code): they reach no crate of ours and none reaches them.
const TOOLS: [&str; 1] = ["taskforge-bench-ceilings"];

/// Store drivers and the web framework (a name ending in `-` is a prefix), each with the only
/// crate of ours through which anything may reach it.
const WRAPPED: [(&str, &str); 9] = [
    ("diesel", "taskforge-adapter-sql"),
    ("diesel-async", "taskforge-adapter-sql"),
    ("diesel_migrations", "taskforge-adapter-sql"),
    ("tokio-postgres", "taskforge-adapter-sql"),
    ("mongodb", "taskforge-adapter-mongo"),
    ("bson", "taskforge-adapter-mongo"),
    ("deadpool-redis", "taskforge-adapter-redis"),
    ("redis", "taskforge-adapter-redis"),
    ("actix-", "taskforge-app-http"),
];

/// Crates that do I/O (or run it): the domain reaches none of them.
const IO: [&str; 16] = [
    "tokio",
    "mio",
    "socket2",
    "hyper",
    "reqwest",
    "actix-",
    "diesel",
    "diesel-async",
    "tokio-postgres",
    "mongodb",
    "bson",
    "redis",
    "deadpool",
    "deadpool-redis",
    "lettre",
    "rustls",
];

fn matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('-') {
        Some(prefix) => name.starts_with(pattern) || name == prefix,
        None => name == pattern,
    }
}

/// One dependency edge of the resolved graph.
struct Edge {
    to: String,
    dev_only: bool,
}

/// The resolved graph (every package, every edge, by package name) and the workspace's crates.
struct Graph {
    edges: BTreeMap<String, Vec<Edge>>,
    workspace: BTreeSet<String>,
}

impl Graph {
    fn load() -> Self {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let run = |args: &[&str]| {
            let out = Command::new(&cargo)
                .args(args)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .unwrap_or_else(|e| panic!("cargo {args:?}: {e}"));
            assert!(
                out.status.success(),
                "cargo {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            out.stdout
        };
        // This machine's platform only: the packages of others were never downloaded.
        let version = String::from_utf8_lossy(&run(&["-vV"])).into_owned();
        let host = version
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .unwrap_or_else(|| panic!("no host in `cargo -vV`: {version}"));
        let out = run(&[
            "metadata",
            "--format-version",
            "1",
            "--offline",
            "--filter-platform",
            host,
        ]);
        let meta: Value =
            serde_json::from_slice(&out).unwrap_or_else(|e| panic!("cargo metadata output: {e}"));
        let names: BTreeMap<&str, &str> = meta["packages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
            .collect();
        let name = |id: &Value| -> String {
            let id = id.as_str().unwrap_or_default();
            names
                .get(id)
                .map(|n| (*n).to_owned())
                .unwrap_or_else(|| panic!("package {id} is not in the metadata"))
        };
        let mut edges: BTreeMap<String, Vec<Edge>> = BTreeMap::new();
        for node in meta["resolve"]["nodes"].as_array().into_iter().flatten() {
            let from = name(&node["id"]);
            for dep in node["deps"].as_array().into_iter().flatten() {
                let kinds = dep["dep_kinds"].as_array().into_iter().flatten();
                let dev_only = kinds.clone().count() > 0
                    && kinds.clone().all(|k| k["kind"].as_str() == Some("dev"));
                edges.entry(from.clone()).or_default().push(Edge {
                    to: name(&dep["pkg"]),
                    dev_only,
                });
            }
        }
        assert!(!edges.is_empty(), "cargo metadata gave no resolved graph");
        let workspace = meta["workspace_members"]
            .as_array()
            .into_iter()
            .flatten()
            .map(name)
            .collect();
        Self { edges, workspace }
    }

    /// Every package `from` reaches, with the path that reaches it. A crate's dev-dependencies
    /// count only for `from` itself (its own tests) and only when `with_dev` is set: cargo
    /// never builds the dev-dependencies of a dependency. `wall` is never entered.
    fn reach(&self, from: &str, with_dev: bool, wall: Option<&str>) -> BTreeMap<String, String> {
        let mut seen = BTreeMap::from([(from.to_owned(), from.to_owned())]);
        let mut todo = vec![from.to_owned()];
        while let Some(at) = todo.pop() {
            let path = seen[&at].clone();
            for edge in self.edges.get(&at).into_iter().flatten() {
                let dev_allowed = with_dev && at == from;
                if (edge.dev_only && !dev_allowed) || Some(edge.to.as_str()) == wall {
                    continue;
                }
                if !seen.contains_key(&edge.to) {
                    seen.insert(edge.to.clone(), format!("{path} -> {}", edge.to));
                    todo.push(edge.to.clone());
                }
            }
        }
        seen.remove(from);
        seen
    }
}

#[test]
fn every_crate_of_the_workspace_is_classified() {
    let graph = Graph::load();
    let known: BTreeSet<String> = PRODUCTION
        .iter()
        .chain(TEST_ONLY.iter())
        .chain(TOOLS.iter())
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(
        graph.workspace, known,
        "each crate of the workspace is production or test-only, so the rules below cover it"
    );
}

#[test]
fn no_production_crate_reaches_the_fakes() {
    let graph = Graph::load();
    for krate in PRODUCTION {
        for fake in TEST_ONLY {
            if let Some(path) = graph.reach(krate, false, None).get(fake) {
                panic!("{krate} reaches {fake}, which only tests may use: {path}");
            }
        }
    }
}

#[test]
fn store_and_web_crates_are_reached_only_through_their_adapter() {
    let graph = Graph::load();
    for krate in graph
        .workspace
        .iter()
        .filter(|k| !TOOLS.contains(&k.as_str()))
    {
        for (wrapped, adapter) in WRAPPED {
            if krate == adapter {
                continue;
            }
            for (reached, path) in graph.reach(krate, true, Some(adapter)) {
                assert!(
                    !matches(wrapped, &reached),
                    "{krate} reaches {reached} other than through {adapter}: {path}"
                );
            }
        }
    }
}

#[test]
fn tools_stand_apart() {
    let graph = Graph::load();
    for tool in TOOLS {
        for (reached, path) in graph.reach(tool, true, None) {
            assert!(
                !graph.workspace.contains(&reached),
                "{tool} reaches {reached}, a crate of ours: {path}"
            );
        }
        for krate in graph.workspace.iter().filter(|k| k.as_str() != tool) {
            if let Some(path) = graph.reach(krate, true, None).get(tool) {
                panic!("{krate} reaches the tool {tool}: {path}");
            }
        }
    }
}

#[test]
fn the_domain_reaches_no_io_crate() {
    let graph = Graph::load();
    for (reached, path) in graph.reach("taskforge-domain", false, None) {
        for io in IO {
            assert!(
                !matches(io, &reached),
                "the domain reaches {reached}: {path}"
            );
        }
    }
}

#[test]
fn dependencies_point_inward_only() {
    let graph = Graph::load();
    let direct = |krate: &str| -> Vec<String> {
        graph
            .edges
            .get(krate)
            .into_iter()
            .flatten()
            .filter(|e| !e.dev_only)
            .map(|e| e.to.clone())
            .filter(|to| graph.workspace.contains(to))
            .collect()
    };
    assert_eq!(direct("taskforge-domain"), Vec::<String>::new());
    for adapter in [
        "taskforge-adapter-sql",
        "taskforge-adapter-mongo",
        "taskforge-adapter-redis",
        "taskforge-adapter-memory",
    ] {
        assert_eq!(
            direct(adapter),
            vec!["taskforge-domain".to_owned()],
            "{adapter} depends on the domain and no other crate of ours (its tests may use more)"
        );
    }
}
