//! `s3-bucket-allows-insecure-transport`: a bucket whose policy does not deny requests made
//! over plain HTTP.
//!
//! The bucket is protected when its policy has a `Deny` statement for everyone (`"*"` or
//! `{"AWS": "*"}`), covering `s3:*` (or `*`) on the bucket or its objects, with the condition
//! `Bool` (or `BoolIfExists`) `aws:SecureTransport` = `false`. A bucket without a policy is
//! not protected. A policy that does not parse is `invalid-policy-document`'s finding and is
//! not judged here, nor is a bucket whose GetBucketPolicy call failed.

use iam_model::policy::{
    BaseOperator, ConditionValue, Effect, Policy, PrincipalKind, Principals, Statement,
};
use iam_model::wildcard::wildcard_match;

use super::subjects::{bucket_arn, bucket_call_failed, bucket_subject};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// The condition key that is `false` for plain-HTTP requests.
const SECURE_TRANSPORT: &str = "aws:SecureTransport";

/// No TLS-only policy.
pub static CHECK: Check = Check {
    id: "S3-006",
    name: "s3-bucket-allows-insecure-transport",
    title: "S3 bucket policy does not deny plain-HTTP requests",
    severity: Severity::Medium,
    category: Category::Encryption,
    service: "s3",
    rationale: "S3 answers plain HTTP as well as HTTPS. Without a policy that denies requests where aws:SecureTransport is false, a misconfigured client or SDK endpoint can send data and credentials-signed requests in clear text, open to interception and tampering on the path.",
    remediation: Remediation {
        console: "S3 console → the bucket → Permissions → Bucket policy → Edit: add a statement that denies s3:* on the bucket and its objects to Principal \"*\" when aws:SecureTransport is false.",
        cli: "aws s3api put-bucket-policy --bucket BUCKET --policy '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::BUCKET\",\"arn:aws:s3:::BUCKET/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}' (merge with the existing policy: the call replaces it)",
        terraform: "data \"aws_iam_policy_document\" \"tls_only\" {\n  statement {\n    sid     = \"DenyInsecureTransport\"\n    effect  = \"Deny\"\n    actions = [\"s3:*\"]\n    resources = [aws_s3_bucket.this.arn, \"${aws_s3_bucket.this.arn}/*\"]\n    principals {\n      type        = \"*\"\n      identifiers = [\"*\"]\n    }\n    condition {\n      test     = \"Bool\"\n      variable = \"aws:SecureTransport\"\n      values   = [\"false\"]\n    }\n  }\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 2.1.1"],
    references: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit",
        "https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule",
    ],
    run,
};

/// Does the statement deny plain HTTP to everyone for all S3 actions on the bucket?
fn denies_http(s: &Statement, bucket: &str) -> bool {
    let everyone = s.principal.as_ref().is_some_and(|p| {
        !p.negated
            && match &p.principals {
                Principals::Any => true,
                Principals::Listed(ids) => ids
                    .iter()
                    .any(|id| id.kind == PrincipalKind::Aws && id.value == "*"),
            }
    });
    let all_actions = !s.action.negated
        && s.action
            .patterns
            .iter()
            .any(|a| a == "*" || a.eq_ignore_ascii_case("s3:*"));
    let object = format!("{bucket}/object");
    let on_bucket = s.resource.as_ref().is_some_and(|r| {
        !r.negated
            && r.patterns
                .iter()
                .any(|p| wildcard_match(p, bucket, false) || wildcard_match(p, &object, false))
    });
    let insecure = s.conditions.iter().any(|c| {
        c.operator.base == BaseOperator::Bool
            && c.operator.qualifier.is_none()
            && c.key.eq_ignore_ascii_case(SECURE_TRANSPORT)
            && c.values.iter().any(|v| match v {
                ConditionValue::Bool(b) => !b,
                other => other.as_text().eq_ignore_ascii_case("false"),
            })
    });
    s.effect == Effect::Deny && everyone && all_actions && on_bucket && insecure
}

fn tls_only(policy: &Policy, bucket: &str) -> bool {
    policy.statements.iter().any(|s| denies_http(s, bucket))
}

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(s3) = &ctx.snapshot.s3 else {
        return;
    };
    for b in &s3.buckets {
        if bucket_call_failed(ctx, "s3:GetBucketPolicy", b) {
            continue;
        }
        let arn = bucket_arn(ctx, &b.name);
        let evidence = match b.policy.as_ref().map(|d| d.policy()) {
            None => Evidence::text("attribute", "GetBucketPolicy: NoSuchBucketPolicy"),
            Some(Err(_)) => continue,
            Some(Ok(p)) if tls_only(p, &arn) => continue,
            Some(Ok(p)) => Evidence {
                policy: Some(arn.clone()),
                ..Evidence::text(
                    "policy",
                    format!(
                        "none of the policy's {} statement(s) denies s3:* to \"*\" when {SECURE_TRANSPORT} is false",
                        p.statements.len()
                    ),
                )
            },
        };
        out.emit(
            bucket_subject(ctx, b),
            "",
            format!("bucket `{}` accepts requests over plain HTTP", b.name),
            vec![evidence],
        );
    }
}
