//! Evaluation hot path: one request against a realistic 10-statement policy set, next to a
//! baseline measured in the same run (matching the request's action against every statement's
//! action patterns once — the floor for any evaluator).
//!
//! `cargo bench -p iam-model --bench eval`. The target (issue: 1 million requests under one
//! second on a 2-core machine) means under 1 µs per evaluation.

#![allow(
    missing_docs,
    clippy::expect_used,
    reason = "benchmark harness: criterion's macros generate undocumented items; a bench input that fails to parse is a broken bench"
)]

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use iam_model::eval::{
    Named, PolicySet, Request, RequestContext, RequestPrincipal, ResourceMatch, evaluate,
};
use iam_model::policy::Policy;
use iam_model::wildcard::wildcard_match;

const IDENTITY: &str = r#"{"Version":"2012-10-17","Statement":[
 {"Sid":"Read","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":["arn:aws:s3:::data-*","arn:aws:s3:::data-*/*"]},
 {"Sid":"Write","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::data-${aws:username}/*"},
 {"Sid":"Logs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:*:111111111111:log-group:/app/*"},
 {"Sid":"Kms","Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}},
 {"Sid":"Describe","Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},
 {"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111111111111:role/app-*","Condition":{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}},
 {"Sid":"NoDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"*"},
 {"Sid":"Mfa","Effect":"Deny","NotAction":["iam:ChangePassword","sts:GetSessionToken"],"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}},
 {"Sid":"Region","Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["us-east-1","eu-west-1"]}}},
 {"Sid":"Tls","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}
]}"#;

fn bench(c: &mut Criterion) {
    let policy = Policy::parse(IDENTITY).expect("bench policy parses");
    let set = PolicySet {
        identity: vec![Named {
            name: "app",
            policy: &policy,
        }],
        ..PolicySet::default()
    };
    let principal = RequestPrincipal::parse("arn:aws:iam::111111111111:user/alice");
    let mut ctx = RequestContext::new();
    ctx.set("aws:SecureTransport", "true");
    ctx.set("aws:MultiFactorAuthPresent", "true");
    ctx.set("aws:RequestedRegion", "us-east-1");
    iam_model::eval::derive_context(&mut ctx, &principal);
    let requests = [
        ("s3:GetObject", "arn:aws:s3:::data-lake/x.csv"),
        ("s3:PutObject", "arn:aws:s3:::data-alice/x.csv"),
        ("s3:DeleteObject", "arn:aws:s3:::data-lake/x.csv"),
        ("iam:CreateUser", "*"),
    ];
    let eval_one = |i: usize| {
        let (action, resource) = requests[i % requests.len()];
        evaluate(
            &set,
            &Request {
                principal: &principal,
                action,
                resource,
                resource_match: ResourceMatch::Exact,
                resource_account: None,
                context: &ctx,
            },
        )
    };
    let baseline_one = |i: usize| {
        let (action, _) = requests[i % requests.len()];
        policy
            .statements
            .iter()
            .filter(|s| {
                s.action
                    .patterns
                    .iter()
                    .any(|p| wildcard_match(p, action, true))
            })
            .count()
    };
    let mut g = c.benchmark_group("evaluate");
    let mut i = 0usize;
    g.bench_function("baseline: action scan of 10 statements", |b| {
        b.iter(|| {
            i += 1;
            black_box(baseline_one(i))
        })
    });
    g.bench_function("engine: 10-statement policy set", |b| {
        b.iter(|| {
            i += 1;
            black_box(eval_one(i))
        })
    });
    g.finish();

    // The issue's yardstick, printed with the ratio to the baseline of the same run.
    const N: usize = 1_000_000;
    let t = Instant::now();
    for i in 0..N {
        black_box(baseline_one(i));
    }
    let base = t.elapsed();
    let t = Instant::now();
    for i in 0..N {
        black_box(eval_one(i));
    }
    let engine = t.elapsed();
    println!(
        "1M evaluations: {:.3} s (baseline action scan {:.3} s, ratio {:.1}x)",
        engine.as_secs_f64(),
        base.as_secs_f64(),
        engine.as_secs_f64() / base.as_secs_f64()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
