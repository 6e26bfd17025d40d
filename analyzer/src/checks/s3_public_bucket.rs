//! S3 buckets readable or writable by anyone: `s3-bucket-public-policy` and
//! `s3-bucket-public-acl`.
//!
//! **Policy.** A statement makes a bucket public when it is an `Allow` whose principal is
//! everyone (`"*"`, `{"AWS": "*"}`, or a `NotPrincipal`) and no condition narrows the caller
//! to known networks, accounts or sources (`aws:SourceIp`, `aws:SourceVpc`,
//! `aws:SourceVpce`, `aws:PrincipalOrgID`, `aws:PrincipalAccount`, `aws:SourceArn`,
//! `aws:SourceAccount`, ...). A condition narrows only when it is a positive operator
//! without `IfExists` or `ForAllValues` (those hold when the key is absent) and with no
//! value that admits everything (`*`, `0.0.0.0/0`). When GetBucketPolicyStatus was
//! collected, its `IsPublic` is AWS's own verdict and decides; the statements found are the
//! evidence.
//!
//! **ACL.** A grant to the `AllUsers` or `AuthenticatedUsers` group (any AWS account) makes
//! the bucket public.
//!
//! Block Public Access neutralises both: `RestrictPublicBuckets` (bucket or account level)
//! makes a public policy ineffective for anyone outside the account, and `IgnorePublicAcls`
//! makes S3 ignore public grants. Such buckets are not reported here. A bucket is still
//! reported when the account-level settings could not be read: an unread setting is no
//! protection, and the evidence says it was not read.

use iam_model::ip::Cidr;
use iam_model::policy::{
    Condition, Effect, OperatorFamily, Policy, PrincipalKind, Principals, SetQualifier, Statement,
};
use iam_model::snapshot::{Bucket, PUBLIC_ACL_GROUPS, PublicAccessBlock};

use super::subjects::{ACCOUNT_PAB_CALL, bucket_arn, bucket_subject, call_failed};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Condition keys that tie a request to known networks, accounts or sources.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:SourceIp",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceOrgID",
];

/// Does the condition narrow who may call?
fn restricts(c: &Condition) -> bool {
    let op = c.operator;
    let key_restricts = RESTRICTING_KEYS
        .iter()
        .any(|k| k.eq_ignore_ascii_case(&c.key));
    let admits_all = c.values.iter().any(|v| {
        let v = v.as_text();
        v == "*" || v.parse::<Cidr>().is_ok_and(|c| c.is_everything())
    });
    key_restricts
        && !op.base.is_negated()
        && !op.if_exists
        && op.qualifier != Some(SetQualifier::ForAllValues)
        && op.base.family() != OperatorFamily::Null
        && !c.values.is_empty()
        && !admits_all
}

/// Is the statement's principal everyone?
fn everyone(s: &Statement) -> Option<&'static str> {
    let p = s.principal.as_ref()?;
    if p.negated {
        return Some("NotPrincipal");
    }
    match &p.principals {
        Principals::Any => Some("Principal \"*\""),
        Principals::Listed(ids) => ids
            .iter()
            .any(|id| id.kind == PrincipalKind::Aws && id.value == "*")
            .then_some("Principal {\"AWS\": \"*\"}"),
    }
}

/// The statements of a bucket policy that grant to everyone without a narrowing condition.
fn public_statements(policy: &Policy) -> Vec<(usize, &Statement, &'static str)> {
    policy
        .statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s.effect == Effect::Allow)
        .filter_map(|(i, s)| everyone(s).map(|who| (i, s, who)))
        .filter(|(_, s, _)| !s.conditions.iter().any(restricts))
        .collect()
}

/// Where the public access block setting was found off, for evidence. When the account-level
/// call failed the bucket is still reported: an unread setting is not a protection.
fn off_where(ctx: &Context<'_>, setting: &str) -> Evidence {
    let text = if call_failed(ctx, ACCOUNT_PAB_CALL, None) {
        format!("{setting} is off at bucket level; the account-level setting could not be read")
    } else {
        format!("{setting} is off at bucket and account level")
    };
    Evidence::text("attribute", text)
}

/// Is the public access block setting `pick` on at bucket or account level?
fn blocked(
    b: &Bucket,
    account: Option<&PublicAccessBlock>,
    pick: fn(&PublicAccessBlock) -> bool,
) -> bool {
    b.public_access_block.as_ref().is_some_and(pick) || account.is_some_and(pick)
}

/// Public through the bucket policy.
pub static POLICY: Check = Check {
    id: "S3-003",
    name: "s3-bucket-public-policy",
    title: "S3 bucket policy grants access to everyone",
    severity: Severity::Critical,
    category: Category::PublicExposure,
    service: "s3",
    rationale: "A bucket policy statement that allows Principal \"*\" without a condition tying the caller to your accounts, networks or a specific AWS service lets anyone on the internet, signed in or not, perform the allowed actions: read (and list) the data, or write and delete it.",
    remediation: Remediation {
        console: "S3 console → the bucket → Permissions → Bucket policy → Edit: replace Principal \"*\" with the accounts or roles that need access, or add a condition (aws:PrincipalOrgID, aws:SourceVpce, aws:SourceArn). Serve public websites through CloudFront with origin access control. Then turn on Block Public Access.",
        cli: "aws s3api put-bucket-policy --bucket BUCKET --policy file://restricted.json && aws s3api put-public-access-block --bucket BUCKET --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        terraform: "data \"aws_iam_policy_document\" \"bucket\" {\n  statement {\n    principals {\n      type        = \"Service\"\n      identifiers = [\"cloudfront.amazonaws.com\"]\n    }\n    actions   = [\"s3:GetObject\"]\n    resources = [\"${aws_s3_bucket.this.arn}/*\"]\n    condition {\n      test     = \"StringEquals\"\n      variable = \"AWS:SourceArn\"\n      values   = [aws_cloudfront_distribution.this.arn]\n    }\n  }\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html",
    ],
    run: run_policy,
};

fn run_policy(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(s3) = &ctx.snapshot.s3 else {
        return;
    };
    let account = s3.account_public_access_block.as_ref();
    for b in &s3.buckets {
        if blocked(b, account, |p| p.restrict_public_buckets) {
            continue;
        }
        let arn = bucket_arn(ctx, &b.name);
        let found = match b.policy.as_ref().map(|d| d.policy()) {
            Some(Ok(p)) => public_statements(p),
            // No policy, or one that does not parse (invalid-policy-document's finding).
            _ => Vec::new(),
        };
        let public = match &b.policy_status {
            Some(status) => status.is_public,
            None => !found.is_empty(),
        };
        if !public {
            continue;
        }
        let mut evidence: Vec<Evidence> = found
            .iter()
            .map(|(i, s, who)| Evidence {
                policy: Some(arn.clone()),
                statement: Some(*i),
                sid: s.sid.clone(),
                ..Evidence::text(
                    "statement",
                    format!(
                        "statement {i}{} allows {} to {who} with no condition narrowing the caller",
                        s.sid
                            .as_deref()
                            .map(|sid| format!(" (Sid \"{sid}\")"))
                            .unwrap_or_default(),
                        if s.action.negated {
                            format!("every action except {}", s.action.patterns.join(", "))
                        } else {
                            s.action.patterns.join(", ")
                        }
                    ),
                )
            })
            .collect();
        if b.policy_status.is_some() {
            evidence.push(Evidence::text(
                "attribute",
                "GetBucketPolicyStatus: PolicyStatus.IsPublic = true",
            ));
        }
        evidence.push(off_where(ctx, "RestrictPublicBuckets"));
        out.emit(
            bucket_subject(ctx, b),
            "policy",
            format!(
                "bucket `{}` is public through its bucket policy{}",
                b.name,
                match found.len() {
                    0 => String::new(),
                    1 => " (1 statement)".to_string(),
                    n => format!(" ({n} statements)"),
                }
            ),
            evidence,
        );
    }
}

/// Public through the ACL.
pub static ACL: Check = Check {
    id: "S3-004",
    name: "s3-bucket-public-acl",
    title: "S3 bucket ACL grants access to everyone",
    severity: Severity::Critical,
    category: Category::PublicExposure,
    service: "s3",
    rationale: "An ACL grant to the AllUsers group opens the bucket to anyone on the internet; a grant to AuthenticatedUsers opens it to anyone with any AWS account. Depending on the permission, anyone can list and read the data (READ), write it (WRITE) or change the ACL itself (WRITE_ACP, FULL_CONTROL).",
    remediation: Remediation {
        console: "S3 console → the bucket → Permissions → Access control list → Edit: remove the Everyone and Authenticated users groups. Then set Object Ownership to Bucket owner enforced (disables ACLs) and turn on Block Public Access.",
        cli: "aws s3api put-bucket-acl --bucket BUCKET --acl private && aws s3api put-bucket-ownership-controls --bucket BUCKET --ownership-controls Rules=[{ObjectOwnership=BucketOwnerEnforced}]",
        terraform: "resource \"aws_s3_bucket_ownership_controls\" \"this\" {\n  bucket = aws_s3_bucket.this.id\n  rule {\n    object_ownership = \"BucketOwnerEnforced\"\n  }\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#specifying-grantee-predefined-groups",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
    ],
    run: run_acl,
};

fn run_acl(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(s3) = &ctx.snapshot.s3 else {
        return;
    };
    let account = s3.account_public_access_block.as_ref();
    for b in &s3.buckets {
        let Some(acl) = &b.acl else {
            continue;
        };
        if blocked(b, account, |p| p.ignore_public_acls) {
            continue;
        }
        let evidence: Vec<Evidence> = acl
            .grants
            .iter()
            .filter_map(|g| {
                let uri = g.grantee.uri.as_deref()?;
                PUBLIC_ACL_GROUPS.contains(&uri).then(|| {
                    Evidence::text(
                        "acl-grant",
                        format!("Grant: {} to Group `{uri}`", g.permission),
                    )
                })
            })
            .collect();
        if evidence.is_empty() {
            continue;
        }
        let mut evidence = evidence;
        evidence.push(off_where(ctx, "IgnorePublicAcls"));
        out.emit(
            bucket_subject(ctx, b),
            "acl",
            format!(
                "bucket `{}` is public through its ACL ({} public grant(s))",
                b.name,
                evidence.len() - 1
            ),
            evidence,
        );
    }
}
