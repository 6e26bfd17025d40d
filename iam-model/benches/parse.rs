//! Policy parsing hot path: the valid policy corpus (`fixtures/policies/valid/`), parsed into
//! typed [`Policy`] values, next to a baseline measured in the same run: parsing the same
//! texts into `serde_json::Value` (the floor for anything that reads the JSON at all).
//!
//! `cargo bench -p iam-model --bench parse`.

#![allow(
    missing_docs,
    clippy::expect_used,
    reason = "benchmark harness: criterion's macros generate undocumented items; a corpus that cannot be read is a broken bench"
)]

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use iam_model::policy::Policy;

fn corpus() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/policies/valid");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("the policy corpus is readable")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p.to_string_lossy().ends_with(".expect.json")
        })
        .collect();
    names.sort();
    let docs: Vec<String> = names
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("a corpus file is readable"))
        .collect();
    for (d, n) in docs.iter().zip(&names) {
        assert!(Policy::parse(d).is_ok(), "{} does not parse", n.display());
    }
    docs
}

fn bench(c: &mut Criterion) {
    let docs = corpus();
    let bytes: usize = docs.iter().map(String::len).sum();
    let typed = || {
        docs.iter()
            .map(|d| Policy::parse(d).map_or(0, |p| p.statements.len()))
            .sum::<usize>()
    };
    let baseline = || {
        docs.iter()
            .map(|d| {
                serde_json::from_str::<serde_json::Value>(d).map_or(0, |v| v.is_object() as usize)
            })
            .sum::<usize>()
    };
    let mut g = c.benchmark_group("policy-parse");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function(
        format!("baseline: serde_json::Value, {} documents", docs.len()),
        |b| b.iter(|| black_box(baseline())),
    );
    g.bench_function(format!("Policy::parse, {} documents", docs.len()), |b| {
        b.iter(|| black_box(typed()))
    });
    g.finish();

    const N: usize = 2_000;
    let t = Instant::now();
    for _ in 0..N {
        black_box(baseline());
    }
    let base = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for _ in 0..N {
        black_box(typed());
    }
    let parse = t.elapsed().as_secs_f64();
    println!(
        "policy parse: {:.1} MB/s typed, {:.1} MB/s serde_json::Value baseline, ratio {:.2}x ({} documents, {} bytes)",
        (bytes * N) as f64 / parse / 1e6,
        (bytes * N) as f64 / base / 1e6,
        parse / base,
        docs.len(),
        bytes
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
