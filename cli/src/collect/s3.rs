//! S3 (global): the account's public access block (s3control) and every bucket with its
//! region, policy, policy status, ACL, public access block, default encryption and tags.
//! "Not configured" answers (no policy, no public access block, no encryption, no tags) are
//! facts, not errors.

use aws_sdk_s3::types as t;
use futures_util::future::join_all;
use iam_model::snapshot::{
    Bucket, BucketAcl, BucketEncryption, EncryptionRule, Grant, Grantee, PolicyDocument,
    PolicyStatus, PublicAccessBlock, S3Section, SseDefault, Tag,
};

use super::Clients;
use super::ctx::{Ctx, Got};
use super::{os, ots};

/// Collects S3. `None` when the bucket list could not be read.
pub async fn collect(ctx: &Ctx, c: &Clients, account_id: &str) -> Option<S3Section> {
    let (account_pab, buckets) = tokio::join!(
        account_public_access_block(ctx, c, account_id),
        buckets(ctx, c)
    );
    let buckets = buckets?;
    Some(S3Section {
        account_public_access_block: account_pab,
        buckets,
    })
}

async fn account_public_access_block(
    ctx: &Ctx,
    c: &Clients,
    account_id: &str,
) -> Option<PublicAccessBlock> {
    let out = ctx
        .call(
            None,
            &["NoSuchPublicAccessBlockConfiguration"],
            c.s3control()
                .get_public_access_block()
                .account_id(account_id),
        )
        .await
        .value()?;
    let p = out.public_access_block_configuration()?;
    Some(PublicAccessBlock {
        block_public_acls: p.block_public_acls().unwrap_or(false),
        ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
        block_public_policy: p.block_public_policy().unwrap_or(false),
        restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
    })
}

async fn buckets(ctx: &Ctx, c: &Clients) -> Option<Vec<Bucket>> {
    let home = c.s3(&c.home_region);
    let mut listed: Vec<t::Bucket> = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = ctx
            .call(
                None,
                &[],
                home.list_buckets().set_continuation_token(token.clone()),
            )
            .await
            .value()?;
        listed.extend(page.buckets().iter().cloned());
        match page.continuation_token() {
            Some(t) if !t.is_empty() && token.as_deref() != Some(t) => token = Some(t.to_string()),
            _ => break,
        }
    }
    let phase = ctx.progress.phase("S3 buckets", listed.len() as u64);
    let out = join_all(listed.iter().map(|b| async {
        let r = bucket(ctx, c, &home, b).await;
        phase.inc();
        r
    }))
    .await;
    phase.done();
    Some(out)
}

/// GetBucketLocation's answer as a region name (null is us-east-1, `EU` is eu-west-1).
fn location_region(l: Option<&t::BucketLocationConstraint>) -> String {
    match l.map(|x| x.as_str()) {
        None | Some("") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(r) => r.to_string(),
    }
}

async fn bucket(ctx: &Ctx, c: &Clients, home: &aws_sdk_s3::Client, b: &t::Bucket) -> Bucket {
    let name = b.name().unwrap_or_default();
    // ListBuckets names each bucket's region nowadays; GetBucketLocation only when it does not.
    // Failures name the bucket, and the region the call went to (the home region until the
    // bucket's own is known).
    let subject = format!("bucket `{name}`");
    let region = match b.bucket_region().filter(|r| !r.is_empty()) {
        Some(r) => Some(r.to_string()),
        None => match ctx
            .call_about(
                Some(&c.home_region),
                &subject,
                &[],
                home.get_bucket_location().bucket(name),
            )
            .await
        {
            Got::Value(l) => Some(location_region(l.location_constraint())),
            _ => None,
        },
    };
    let client = match &region {
        Some(r) if *r != c.home_region => c.s3(r),
        _ => home.clone(),
    };
    let r = Some(region.as_deref().unwrap_or(&c.home_region));
    let about = subject.as_str();
    let (policy, status, acl, pab, enc, tagging) = tokio::join!(
        ctx.call_about(
            r,
            about,
            &["NoSuchBucketPolicy"],
            client.get_bucket_policy().bucket(name)
        ),
        ctx.call_about(
            r,
            about,
            &["NoSuchBucketPolicy"],
            client.get_bucket_policy_status().bucket(name)
        ),
        ctx.call_about(r, about, &[], client.get_bucket_acl().bucket(name)),
        ctx.call_about(
            r,
            about,
            &["NoSuchPublicAccessBlockConfiguration"],
            client.get_public_access_block().bucket(name)
        ),
        ctx.call_about(
            r,
            about,
            &["ServerSideEncryptionConfigurationNotFoundError"],
            client.get_bucket_encryption().bucket(name)
        ),
        ctx.call_about(
            r,
            about,
            &["NoSuchTagSet", "NoSuchTagSetError"],
            client.get_bucket_tagging().bucket(name)
        ),
    );
    Bucket {
        name: name.to_string(),
        creation_date: ots(b.creation_date()),
        region,
        policy: policy
            .value()
            .and_then(|p| p.policy().map(PolicyDocument::from_text)),
        policy_status: status.value().and_then(|s| {
            s.policy_status().map(|p| PolicyStatus {
                is_public: p.is_public().unwrap_or(false),
            })
        }),
        acl: acl.value().map(|a| BucketAcl {
            grants: a.grants().iter().filter_map(grant).collect(),
        }),
        public_access_block: pab.value().and_then(|o| {
            o.public_access_block_configuration()
                .map(|p| PublicAccessBlock {
                    block_public_acls: p.block_public_acls().unwrap_or(false),
                    ignore_public_acls: p.ignore_public_acls().unwrap_or(false),
                    block_public_policy: p.block_public_policy().unwrap_or(false),
                    restrict_public_buckets: p.restrict_public_buckets().unwrap_or(false),
                })
        }),
        encryption: enc.value().and_then(|o| {
            o.server_side_encryption_configuration()
                .map(|cfg| BucketEncryption {
                    rules: cfg
                        .rules()
                        .iter()
                        .map(|rule| EncryptionRule {
                            apply_server_side_encryption_by_default: rule
                                .apply_server_side_encryption_by_default()
                                .map(|d| SseDefault {
                                    sse_algorithm: d.sse_algorithm().as_str().to_string(),
                                    kms_master_key_id: os(d.kms_master_key_id()),
                                }),
                            bucket_key_enabled: rule.bucket_key_enabled(),
                        })
                        .collect(),
                })
        }),
        // No tag set is a fact (no tags); a failure leaves them unknown.
        tags: tagging.known().map(|o| {
            o.map(|o| {
                o.tag_set()
                    .iter()
                    .map(|t| Tag {
                        key: t.key().to_string(),
                        value: t.value().to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default()
        }),
    }
}

fn grant(g: &t::Grant) -> Option<Grant> {
    let who = g.grantee()?;
    Some(Grant {
        grantee: Grantee {
            grantee_type: who.r#type().as_str().to_string(),
            id: os(who.id()),
            uri: os(who.uri()),
            display_name: os(who.display_name()),
        },
        permission: g.permission()?.as_str().to_string(),
    })
}
