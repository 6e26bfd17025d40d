//! The analyzer's hot paths on generated accounts (`iamsight-tools`, seed 1): permission graph
//! build, escalation paths, unused permissions (each principal's effective actions against its
//! last-accessed data), and the whole `analyze`, next to a baseline measured in the same run:
//! parsing the same snapshot text into `serde_json::Value` (the floor for any tool that reads
//! it). The typed snapshot load is measured too.
//!
//! "graph build + escalation paths" is issue 5's measure: building the permission graph and
//! computing every path to admin (the large account: under 5 s and 2 GB). The peak resident
//! memory of the whole bench process (`VmHWM`, generation and snapshot included, so an upper
//! bound) is printed after each size.
//!
//! `cargo bench -p analyzer --bench analysis` (small and medium; `IAMSIGHT_BENCH_SIZES=large`
//! or `=small,medium,large` for others; a criterion filter such as `-- 'graph build'` narrows
//! the criterion cases, the summary table after them always has every stage).

#![allow(
    missing_docs,
    clippy::expect_used,
    reason = "benchmark harness: criterion's macros generate undocumented items; a generated account that does not load is a broken bench"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use analyzer::account::Account;
use analyzer::config::Config;
use analyzer::graph::PermissionGraph;
use analyzer::unused::unused_permissions;
use analyzer::{Selection, analyze};
use criterion::{Criterion, criterion_group, criterion_main};
use iam_model::catalog::Catalog;
use iam_model::snapshot::Snapshot;
use iamsight_tools::{Params, generate, to_json};

fn sizes() -> Vec<String> {
    std::env::var("IAMSIGHT_BENCH_SIZES")
        .unwrap_or_else(|_| "small,medium".to_string())
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Best of `n` runs, in seconds.
fn best<T>(n: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn bench(c: &mut Criterion) {
    let catalog = Catalog::embedded();
    let config = Config::default();
    for size in sizes() {
        let params = Params::preset(&size, 1).expect("small, medium or large");
        let json = to_json(&generate(&params));
        let snapshot = Snapshot::from_json_str(&json).expect("the generated account loads");
        let account = Account::new(&snapshot);
        let graph = PermissionGraph::build(&account, catalog);

        // A quick look (profiling, a first run on a new size): no criterion cases, the summary
        // stages once each.
        let quick = std::env::var_os("IAMSIGHT_BENCH_QUICK").is_some();
        let n = if quick { 1 } else { 3 };
        if !quick {
            criterion_cases(c, &size, &json, &snapshot, &account, &graph);
        }

        // The same stages once more, best of 3 (1 when quick), with the ratio to the parse
        // floor of this run.
        let floor = best(n, || {
            serde_json::from_str::<serde_json::Value>(&json).is_ok()
        });
        println!(
            "{size} account ({} users, {} roles, {} groups, {} policies, {:.1} MB): parse floor {:.3} s",
            params.users,
            params.roles,
            params.groups,
            params.policies,
            json.len() as f64 / 1e6,
            floor
        );
        // Each stage is printed as soon as it is measured (the large account takes minutes).
        let stage = |name: &str, t: f64| {
            println!(
                "  {name:<20} {t:>8.3} s  {:>6.2}x the parse floor",
                t / floor
            );
        };
        stage(
            "snapshot load",
            best(n, || Snapshot::from_json_str(&json).is_ok()),
        );
        stage(
            "account model",
            best(n, || Account::new(&snapshot).principals.len()),
        );
        stage(
            "graph build",
            best(n, || {
                PermissionGraph::build(&account, catalog).admins().len()
            }),
        );
        stage(
            "escalation paths",
            best(n, || graph.escalation_paths().len()),
        );
        stage(
            "graph + paths",
            best(n, || {
                PermissionGraph::build(&account, catalog)
                    .escalation_paths()
                    .len()
            }),
        );
        stage(
            "unused permissions",
            best(n, || {
                unused_permissions(&snapshot, &account, &config, catalog)
                    .rows
                    .len()
            }),
        );
        stage(
            "analyze",
            best(n, || {
                analyze(&snapshot, &config, &Selection::default())
                    .findings
                    .len()
            }),
        );
        println!(
            "  peak RSS of the bench process so far (VmHWM): {}",
            peak_rss().unwrap_or_else(|| "unknown (no /proc/self/status)".to_string())
        );
        println!(
            "  escalation paths: {}, admins: {}",
            graph.escalation_paths().len(),
            graph.admins().len()
        );
    }
}

/// The criterion cases of one size.
fn criterion_cases(
    c: &mut Criterion,
    size: &str,
    json: &str,
    snapshot: &Snapshot,
    account: &Account<'_>,
    graph: &PermissionGraph,
) {
    let catalog = Catalog::embedded();
    let config = Config::default();
    let mut g = c.benchmark_group(format!("analysis-{size}"));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(if size == "small" { 5 } else { 20 }));
    g.bench_function("baseline: serde_json::Value parse of the snapshot", |b| {
        b.iter(|| black_box(serde_json::from_str::<serde_json::Value>(json).is_ok()))
    });
    g.bench_function("snapshot load (typed, policies parsed)", |b| {
        b.iter(|| black_box(Snapshot::from_json_str(json).is_ok()))
    });
    g.bench_function("account model", |b| {
        b.iter(|| black_box(Account::new(snapshot).principals.len()))
    });
    g.bench_function("graph build", |b| {
        b.iter(|| black_box(PermissionGraph::build(account, catalog).admins().len()))
    });
    g.bench_function("escalation paths", |b| {
        b.iter(|| black_box(graph.escalation_paths().len()))
    });
    g.bench_function("graph build + escalation paths", |b| {
        b.iter(|| {
            black_box(
                PermissionGraph::build(account, catalog)
                    .escalation_paths()
                    .len(),
            )
        })
    });
    g.bench_function("unused permissions", |b| {
        b.iter(|| {
            black_box(
                unused_permissions(snapshot, account, &config, catalog)
                    .rows
                    .len(),
            )
        })
    });
    g.bench_function("analyze (every check)", |b| {
        b.iter(|| {
            black_box(
                analyze(snapshot, &config, &Selection::default())
                    .findings
                    .len(),
            )
        })
    });
    g.finish();
}

/// The process's peak resident set size, from Linux's `/proc/self/status`.
fn peak_rss() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(format!("{:.0} MB", kb / 1024.0))
}

criterion_group!(benches, bench);
criterion_main!(benches);
