//! S3 Block Public Access: `s3-account-public-access-not-blocked` (the account-level
//! setting is missing or not all four on) and `s3-bucket-public-access-not-blocked` (a
//! bucket that the account setting does not fully cover, and whose own setting does not
//! close the gap).
//!
//! S3 applies the most restrictive combination of the account and bucket settings, so a
//! bucket is covered when every one of the four settings is on at one level or the other.
//! Once the account-level block is fully on, no bucket is reported, and none is when the
//! account-level setting could not be read. Nothing is judged without an `s3` section.

use iam_model::snapshot::PublicAccessBlock;

use super::subjects::{
    ACCOUNT_PAB_CALL, account_subject, bucket_call_failed, bucket_subject, call_failed,
};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// The four settings, by their API names.
fn settings(p: Option<&PublicAccessBlock>) -> [(&'static str, bool); 4] {
    let p = p.cloned().unwrap_or_default();
    [
        ("BlockPublicAcls", p.block_public_acls),
        ("IgnorePublicAcls", p.ignore_public_acls),
        ("BlockPublicPolicy", p.block_public_policy),
        ("RestrictPublicBuckets", p.restrict_public_buckets),
    ]
}

/// Account-level block missing or partial.
pub static ACCOUNT: Check = Check {
    id: "S3-001",
    name: "s3-account-public-access-not-blocked",
    title: "S3 Block Public Access is not fully on for the account",
    severity: Severity::Medium,
    category: Category::PublicExposure,
    service: "s3",
    rationale: "The account-level Block Public Access settings override every bucket policy and ACL in the account: with all four on, no bucket can be made public by mistake, whatever a bucket's own settings say. Without them, each bucket's exposure depends on each bucket's configuration.",
    remediation: Remediation {
        console: "S3 console → Block Public Access settings for this account → Edit: turn on all four settings. Serve public content through CloudFront with origin access control instead of public buckets.",
        cli: "aws s3control put-public-access-block --account-id ACCOUNT_ID --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        terraform: "resource \"aws_s3_account_public_access_block\" \"all\" {\n  block_public_acls       = true\n  ignore_public_acls      = true\n  block_public_policy     = true\n  restrict_public_buckets = true\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 2.1.4"],
    references: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-account.html",
    ],
    run: run_account,
};

fn run_account(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(s3) = &ctx.snapshot.s3 else {
        return;
    };
    if call_failed(ctx, ACCOUNT_PAB_CALL, None) {
        return;
    }
    let (message, evidence) = match &s3.account_public_access_block {
        None => (
            "the account has no S3 Block Public Access configuration".to_string(),
            vec![Evidence::text(
                "attribute",
                "s3control GetPublicAccessBlock: NoSuchPublicAccessBlockConfiguration",
            )],
        ),
        Some(p) if p.all_on() => return,
        Some(p) => {
            let off: Vec<&str> = settings(Some(p))
                .into_iter()
                .filter(|(_, on)| !on)
                .map(|(name, _)| name)
                .collect();
            (
                format!(
                    "the account's S3 Block Public Access leaves {} off",
                    off.join(", ")
                ),
                off.iter()
                    .map(|name| Evidence::text("attribute", format!("account {name} = false")))
                    .collect(),
            )
        }
    };
    out.emit(account_subject(ctx, "s3", None), "", message, evidence);
}

/// Bucket not covered.
pub static BUCKET: Check = Check {
    id: "S3-002",
    name: "s3-bucket-public-access-not-blocked",
    title: "S3 bucket is not covered by Block Public Access",
    severity: Severity::Medium,
    category: Category::PublicExposure,
    service: "s3",
    rationale: "Where neither the account nor the bucket blocks public access, one policy or ACL edit makes the bucket's data public. Blocking at the bucket level protects buckets that are meant to stay private while the account-level block cannot be turned on.",
    remediation: Remediation {
        console: "S3 console → the bucket → Permissions → Block public access (bucket settings) → Edit: turn on all four settings (or better, turn them on for the whole account).",
        cli: "aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        terraform: "resource \"aws_s3_bucket_public_access_block\" \"this\" {\n  bucket                  = aws_s3_bucket.this.id\n  block_public_acls       = true\n  ignore_public_acls      = true\n  block_public_policy     = true\n  restrict_public_buckets = true\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 2.1.4"],
    references: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-block-public-access-bucket.html",
    ],
    run: run_bucket,
};

fn run_bucket(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(s3) = &ctx.snapshot.s3 else {
        return;
    };
    let account = s3.account_public_access_block.as_ref();
    // Unknown account settings may cover every bucket: judge nothing rather than guess.
    if account.is_some_and(PublicAccessBlock::all_on) || call_failed(ctx, ACCOUNT_PAB_CALL, None) {
        return;
    }
    for b in &s3.buckets {
        if bucket_call_failed(ctx, "s3:GetPublicAccessBlock", b) {
            continue;
        }
        let gaps: Vec<&str> = settings(account)
            .into_iter()
            .zip(settings(b.public_access_block.as_ref()))
            .filter(|((_, at_account), (_, at_bucket))| !at_account && !at_bucket)
            .map(|((name, _), _)| name)
            .collect();
        if gaps.is_empty() {
            continue;
        }
        let evidence = match &b.public_access_block {
            None => vec![Evidence::text(
                "attribute",
                "bucket GetPublicAccessBlock: NoSuchPublicAccessBlockConfiguration",
            )],
            Some(_) => gaps
                .iter()
                .map(|name| Evidence::text("attribute", format!("bucket {name} = false")))
                .collect(),
        };
        let message = if b.public_access_block.is_none() {
            format!(
                "bucket `{}` has no Block Public Access of its own, and the account's leaves {} off",
                b.name,
                gaps.join(", ")
            )
        } else {
            format!(
                "bucket `{}` leaves {} off, at both bucket and account level",
                b.name,
                gaps.join(", ")
            )
        };
        out.emit(bucket_subject(ctx, b), "", message, evidence);
    }
}
