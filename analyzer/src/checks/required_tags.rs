//! `resource-missing-required-tags`: a resource without a tag that `required_tags` in the
//! config asks for its type (or for every type, `*`). One finding per resource, naming every
//! missing key.
//!
//! Tag keys are compared case-sensitively, as AWS does (`Owner` is not `owner`); a key that is
//! present with an empty value counts as present. Judged types and exemptions:
//!
//! | type | from | not judged |
//! | --- | --- | --- |
//! | `iam-user` | authorization details | |
//! | `iam-role` | authorization details | service-linked roles (AWS owns them) |
//! | `s3-bucket` | `s3` | buckets whose tags were not read (GetBucketTagging failed) |
//! | `ec2-instance` | `Instances` | `shutting-down`, `terminated` |
//! | `ec2-volume` | `Volumes` | `deleting`, `deleted` |
//! | `ec2-snapshot`, `ec2-image` | `Snapshots`, `Images` | |
//! | `ec2-security-group` | `SecurityGroups` | VPC default groups (AWS creates them) |
//! | `kms-key` | `kms` | AWS managed keys; keys pending deletion; keys whose tags were not read |
//! | `iam-policy` | customer managed policies' `Tags` (ListPolicyTags) | AWS managed policies; policies whose tags were not read |
//! | `cloudtrail-trail` | `Trails[].Tags` (ListTags, in the trail's home region) | trails whose tags were not read; a multi-region trail is judged once, as its home region lists it (or the first region that does, when the home region was not scanned) |
//!
//! IAM groups cannot carry tags. The CLI's GAAD and `describe-trails` have no policy or trail
//! tags: where they are missing (`None`), the tags are unknown and nothing is judged; the same
//! for buckets and KMS keys whose tag call failed (the collector leaves their `Tags` out).

use iam_model::snapshot::Tag;

use super::subjects::{bucket_call_failed, bucket_subject, ec2_arn, kms_tag_pairs, tag_pairs};
use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Missing required tags.
pub static CHECK: Check = Check {
    id: "TAG-001",
    name: "resource-missing-required-tags",
    title: "Resource lacks a required tag",
    severity: Severity::Low,
    category: Category::Tagging,
    service: "account",
    rationale: "Ownership tags answer \"whose is this, and may I delete it?\" during an incident, a cost review or a clean-up. Untagged resources outlive their purpose, escape cost allocation and tag-based access control (ABAC), and slow every investigation down.",
    remediation: Remediation {
        console: "Tag the resource in its console (Tags tab), or in bulk with Resource Groups & Tag Editor. Enforce tags at creation with tag policies (AWS Organizations) and an SCP or IAM condition on aws:RequestTag.",
        cli: "aws resourcegroupstaggingapi tag-resources --resource-arn-list ARN --tags owner=TEAM (IAM: aws iam tag-user / tag-role; KMS: aws kms tag-resource)",
        terraform: "provider \"aws\" {\n  default_tags {\n    tags = {\n      owner = \"team-name\"\n    }\n  }\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
        "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_tag-policies.html",
    ],
    run,
};

/// The keys required for a resource type, `*` first, without repeats.
fn required<'c>(ctx: &Context<'c>, resource_type: &str) -> Vec<&'c str> {
    let mut keys: Vec<&str> = Vec::new();
    for list in [
        ctx.config.required_tags.get("*"),
        ctx.config.required_tags.get(resource_type),
    ]
    .into_iter()
    .flatten()
    {
        for k in list {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    keys
}

/// Emits when `subject` (whose tags are already set) lacks any key required for its type.
fn judge(ctx: &Context<'_>, out: &mut Emitter<'_>, subject: Subject, name: &str) {
    let missing: Vec<&str> = required(ctx, &subject.resource_type)
        .into_iter()
        .filter(|k| !subject.tags.contains_key(*k))
        .collect();
    if missing.is_empty() {
        return;
    }
    let present: Vec<&str> = subject.tags.keys().map(String::as_str).collect();
    let evidence = missing
        .iter()
        .map(|k| {
            Evidence::text(
                "tags",
                format!(
                    "no tag with key `{k}` (present: {})",
                    if present.is_empty() {
                        "none".to_string()
                    } else {
                        present.join(", ")
                    }
                ),
            )
        })
        .collect();
    let message = format!(
        "{} `{name}` lacks the required tag(s) {}",
        subject.resource_type,
        missing.join(", ")
    );
    out.emit(subject, "", message, evidence);
}

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    if ctx.config.required_tags.values().all(Vec::is_empty) {
        return;
    }
    // Each trail once, as its home region lists it (or, when its home region was not
    // scanned, the first region that does: the collector reads its tags in the home region
    // and puts them on every copy).
    for v in super::cloudtrail::trails(ctx).unwrap_or_default() {
        if let Some(tags) = &v.trail.tags {
            let s = Subject::new(v.trail.trail_arn.clone(), "cloudtrail-trail")
                .in_region(v.region)
                .with_tags(tag_pairs(tags));
            judge(ctx, out, s, &v.trail.name);
        }
    }
    let d = &ctx.snapshot.authorization_details;
    for u in &d.users {
        let s = Subject::new(u.arn.clone(), "iam-user").with_tags(tag_pairs(&u.tags));
        judge(ctx, out, s, &u.user_name);
    }
    for r in d.roles.iter().filter(|r| !r.is_service_linked()) {
        let s = Subject::new(r.arn.clone(), "iam-role").with_tags(tag_pairs(&r.tags));
        judge(ctx, out, s, &r.role_name);
    }
    for p in d.policies.iter().filter(|p| !p.is_aws_managed()) {
        if let Some(tags) = &p.tags {
            let s = Subject::new(p.arn.clone(), "iam-policy").with_tags(tag_pairs(tags));
            judge(ctx, out, s, &p.policy_name);
        }
    }
    if let Some(s3) = &ctx.snapshot.s3 {
        // Older snapshots wrote `Tags: []` for a failed GetBucketTagging: the recorded
        // failure says so.
        for b in s3.buckets.iter().filter(|b| b.tags.is_some()) {
            if !bucket_call_failed(ctx, "s3:GetBucketTagging", b) {
                judge(ctx, out, bucket_subject(ctx, b), &b.name);
            }
        }
    }
    for (region, section) in &ctx.snapshot.regions {
        let ec2 = |kind: &str, id: &str, resource_type: &str, tags: &[Tag]| {
            Subject::new(ec2_arn(ctx, region, kind, id), resource_type)
                .in_region(region)
                .with_tags(tag_pairs(tags))
        };
        if let Some(e) = &section.ec2 {
            for i in &e.instances {
                if i.state
                    .as_ref()
                    .is_some_and(|s| matches!(s.name.as_str(), "shutting-down" | "terminated"))
                {
                    continue;
                }
                let s = ec2("instance", &i.instance_id, "ec2-instance", &i.tags);
                judge(ctx, out, s, &i.instance_id);
            }
            for v in &e.volumes {
                if matches!(v.state.as_deref(), Some("deleting" | "deleted")) {
                    continue;
                }
                let s = ec2("volume", &v.volume_id, "ec2-volume", &v.tags);
                judge(ctx, out, s, &v.volume_id);
            }
            for snap in &e.snapshots {
                let s = ec2("snapshot", &snap.snapshot_id, "ec2-snapshot", &snap.tags);
                judge(ctx, out, s, &snap.snapshot_id);
            }
            for i in &e.images {
                let s = ec2("image", &i.image_id, "ec2-image", &i.tags);
                judge(ctx, out, s, &i.image_id);
            }
            for g in e
                .security_groups
                .iter()
                .filter(|g| g.group_name != "default")
            {
                let s = Subject::new(
                    super::security_group_open::group_arn(ctx, region, g),
                    "ec2-security-group",
                )
                .in_region(region)
                .with_tags(tag_pairs(&g.tags));
                judge(ctx, out, s, &g.group_id);
            }
        }
        for k in section.kms.iter().flat_map(|k| &k.keys) {
            let Some(tags) = &k.tags else { continue };
            let m = &k.key_metadata;
            if m.key_manager.as_deref() != Some("CUSTOMER")
                || matches!(
                    m.key_state.as_deref(),
                    Some("PendingDeletion" | "PendingReplicaDeletion")
                )
            {
                continue;
            }
            let s = Subject::new(m.arn.clone(), "kms-key")
                .in_region(region)
                .with_tags(kms_tag_pairs(tags));
            judge(ctx, out, s, &m.key_id);
        }
    }
}
