//! Action pattern expansion against the embedded catalog: cold (`Catalog::expand`, every call
//! computes) and cached (`Expander`, each distinct pattern computed once), next to a baseline
//! measured in the same run: the naive way, `wildcard_match` of the pattern against every
//! action name of the catalog.
//!
//! `cargo bench -p iam-model --bench expand`.

#![allow(
    missing_docs,
    reason = "benchmark harness: criterion's macros generate undocumented items"
)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use iam_model::catalog::{Catalog, Expander};
use iam_model::wildcard::wildcard_match;

/// Patterns as they appear in real policies: literals, prefix wildcards, service wildcards,
/// inner wildcards, `*`.
const PATTERNS: &[&str] = &[
    "s3:GetObject",
    "s3:Get*",
    "s3:*",
    "ec2:Describe*",
    "iam:PassRole",
    "iam:*",
    "dynamodb:?etItem",
    "lambda:Invoke*",
    "logs:*Log*",
    "*:List*",
    "s3*:Get*",
    "*",
    "kms:Decrypt",
    "cloudwatch:Get*",
    "sts:AssumeRole",
    "secretsmanager:GetSecretValue",
];

fn bench(c: &mut Criterion) {
    let catalog = Catalog::embedded();
    let names: Vec<String> = catalog.actions().map(|a| a.full_name()).collect();
    let naive = || {
        PATTERNS
            .iter()
            .map(|p| names.iter().filter(|n| wildcard_match(p, n, true)).count())
            .sum::<usize>()
    };
    let cold = || {
        PATTERNS
            .iter()
            .map(|p| catalog.expand(p).actions.len())
            .sum::<usize>()
    };
    let mut warm = Expander::new(catalog);
    let mut cached = || {
        PATTERNS
            .iter()
            .map(|p| warm.expand(p).actions.len())
            .sum::<usize>()
    };
    assert_eq!(naive(), cold(), "the catalog and the naive scan disagree");
    let mut g = c.benchmark_group("pattern-expansion");
    g.bench_function(
        format!(
            "baseline: naive wildcard scan of {} actions, {} patterns",
            names.len(),
            PATTERNS.len()
        ),
        |b| b.iter(|| black_box(naive())),
    );
    g.bench_function(
        format!("cold Catalog::expand, {} patterns", PATTERNS.len()),
        |b| b.iter(|| black_box(cold())),
    );
    g.bench_function(
        format!("cached Expander, {} patterns", PATTERNS.len()),
        |b| b.iter(|| black_box(cached())),
    );
    g.finish();

    let time = |f: &mut dyn FnMut() -> usize, n: usize| {
        let t = Instant::now();
        for _ in 0..n {
            black_box(f());
        }
        t.elapsed().as_secs_f64() / n as f64
    };
    let base = time(&mut { naive }, 20);
    let c1 = time(&mut { cold }, 200);
    let c2 = time(&mut cached, 20_000);
    println!(
        "expansion of {} patterns: naive {:.1} µs, cold {:.1} µs ({:.3}x of naive), cached {:.2} µs ({:.4}x of naive)",
        PATTERNS.len(),
        base * 1e6,
        c1 * 1e6,
        c1 / base,
        c2 * 1e6,
        c2 / base
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
