//! What the account, credential and runtime checks share: the ARNs and [`Subject`]s of the
//! resources they report on, "was this section collected", and the credential report's cells
//! as evidence text.
//!
//! Nothing here judges anything; it only names things the same way in every check, so that
//! one resource gets one ARN (and so one stable finding id) whichever check reports it.

use std::collections::HashMap;

use iam_model::snapshot::{Bucket, KmsTag, ReportTime, Tag, UserDetail};

use super::Subject;
use crate::context::Context;

/// `(key, value)` pairs of `Key`/`Value` tags, for [`Subject::with_tags`].
pub fn tag_pairs(tags: &[Tag]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter().map(|t| (t.key.as_str(), t.value.as_str()))
}

/// `(key, value)` pairs of KMS's `TagKey`/`TagValue` tags.
pub fn kms_tag_pairs(tags: &[KmsTag]) -> impl Iterator<Item = (&str, &str)> {
    tags.iter()
        .map(|t| (t.tag_key.as_str(), t.tag_value.as_str()))
}

/// `arn:PARTITION:ec2:REGION:ACCOUNT:KIND/ID` (`instance`, `volume`, `snapshot`, `image`).
pub fn ec2_arn(ctx: &Context<'_>, region: &str, kind: &str, id: &str) -> String {
    format!(
        "arn:{}:ec2:{region}:{}:{kind}/{id}",
        ctx.snapshot.partition, ctx.snapshot.account_id
    )
}

/// `arn:PARTITION:s3:::NAME`.
pub fn bucket_arn(ctx: &Context<'_>, name: &str) -> String {
    format!("arn:{}:s3:::{name}", ctx.snapshot.partition)
}

/// The subject of an S3 bucket, with its region and tags.
pub fn bucket_subject(ctx: &Context<'_>, b: &Bucket) -> Subject {
    let tags = b.tags.as_deref().unwrap_or_default();
    let subject = Subject::new(bucket_arn(ctx, &b.name), "s3-bucket").with_tags(tag_pairs(tags));
    match b.region.as_deref() {
        Some(r) => subject.in_region(r),
        None => subject,
    }
}

/// The synthetic resource of an account-level setting of `service` (in `region`, for
/// regional settings): `arn:PARTITION:SERVICE:REGION:ACCOUNT:account`.
pub fn account_subject(ctx: &Context<'_>, service: &str, region: Option<&str>) -> Subject {
    let resource = format!(
        "arn:{}:{service}:{}:{}:account",
        ctx.snapshot.partition,
        region.unwrap_or_default(),
        ctx.snapshot.account_id
    );
    let subject = Subject::new(resource, "aws-account");
    match region {
        Some(r) => subject.in_region(r),
        None => subject,
    }
}

/// IAM users by ARN, to give credential-report findings the user's tags.
pub fn users_by_arn<'a>(ctx: &Context<'a>) -> HashMap<&'a str, &'a UserDetail> {
    ctx.snapshot
        .authorization_details
        .users
        .iter()
        .map(|u| (u.arn.as_str(), u))
        .collect()
}

/// The subject of an IAM user, with its tags when the authorization details list it.
pub fn user_subject(users: &HashMap<&str, &UserDetail>, arn: &str) -> Subject {
    let subject = Subject::new(arn, "iam-user");
    match users.get(arn) {
        Some(u) => subject.with_tags(tag_pairs(&u.tags)),
        None => subject,
    }
}

/// The operation that reads the account-level S3 Block Public Access settings.
pub const ACCOUNT_PAB_CALL: &str = "s3control:GetPublicAccessBlock";

/// Did the collector record a failure of `operation` (in `region`, or anywhere when `None`)?
/// A section missing because its call failed is a coverage gap, never a finding.
pub fn call_failed(ctx: &Context<'_>, operation: &str, region: Option<&str>) -> bool {
    ctx.snapshot.collection_errors.iter().any(|e| {
        e.operation.eq_ignore_ascii_case(operation)
            && (region.is_none() || e.region.is_none() || e.region.as_deref() == region)
    })
}

/// Could the collector have failed to read `operation` for this bucket? True for an error of
/// that operation whose message names the bucket, and for one that names no bucket of the
/// snapshot at all in the bucket's region (the collector's per-bucket errors carry the region
/// but not always the name): a setting that may not have been read is never judged.
pub fn bucket_call_failed(ctx: &Context<'_>, operation: &str, bucket: &Bucket) -> bool {
    let names = || {
        ctx.snapshot
            .s3
            .iter()
            .flat_map(|s3| &s3.buckets)
            .map(|b| b.name.as_str())
    };
    ctx.snapshot
        .collection_errors
        .iter()
        .filter(|e| e.operation.eq_ignore_ascii_case(operation))
        .any(|e| {
            if e.message.contains(bucket.name.as_str()) {
                return true;
            }
            let names_another = names().any(|n| e.message.contains(n));
            let same_region =
                e.region.is_none() || bucket.region.is_none() || e.region == bucket.region;
            !names_another && same_region
        })
}

/// A credential report time cell as AWS writes it, for evidence lines.
pub fn cell(t: ReportTime) -> String {
    match t {
        ReportTime::At(t) => t.to_string(),
        ReportTime::NotApplicable => "N/A".to_string(),
        ReportTime::NoInformation => "no_information".to_string(),
        ReportTime::NotSupported => "not_supported".to_string(),
    }
}
