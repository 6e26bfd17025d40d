//! EBS encryption at rest: `ebs-default-encryption-disabled` (per region, from
//! GetEbsEncryptionByDefault) and `ebs-volume-unencrypted` (per volume).
//!
//! A region whose `EbsEncryptionByDefault` is absent was not collected and is not judged.
//! Volumes being deleted (`deleting`, `deleted`) are not judged either.

use super::subjects::{account_subject, ec2_arn, tag_pairs};
use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Default encryption off in a region.
pub static DEFAULT_OFF: Check = Check {
    id: "EC2-006",
    name: "ebs-default-encryption-disabled",
    title: "EBS encryption by default is off in a region",
    severity: Severity::Medium,
    category: Category::Encryption,
    service: "ec2",
    rationale: "With encryption by default on, every new EBS volume and snapshot copy in the region is encrypted, whoever creates it and however. Without it, encryption depends on each launch template, script and console click remembering to ask for it.",
    remediation: Remediation {
        console: "EC2 console (in each region) → Settings → Data protection and security → EBS encryption → Manage: enable, and pick the default KMS key.",
        cli: "aws ec2 enable-ebs-encryption-by-default --region REGION",
        terraform: "resource \"aws_ebs_encryption_by_default\" \"on\" {\n  enabled = true\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 2.2.1"],
    references: &["https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html"],
    run: run_default,
};

fn run_default(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (region, section) in &ctx.snapshot.regions {
        if section
            .ec2
            .as_ref()
            .and_then(|e| e.ebs_encryption_by_default)
            != Some(false)
        {
            continue;
        }
        out.emit(
            account_subject(ctx, "ec2", Some(region)),
            "ebs-encryption-by-default",
            format!("EBS encryption by default is off in {region}"),
            vec![Evidence::text(
                "attribute",
                format!("GetEbsEncryptionByDefault in {region}: EbsEncryptionByDefault = false"),
            )],
        );
    }
}

/// Unencrypted volume.
pub static VOLUME_UNENCRYPTED: Check = Check {
    id: "EC2-007",
    name: "ebs-volume-unencrypted",
    title: "EBS volume is not encrypted",
    severity: Severity::Medium,
    category: Category::Encryption,
    service: "ec2",
    rationale: "An unencrypted volume's data, and every snapshot taken of it, is readable by anyone who gets a copy (a shared or public snapshot, a compromised backup account) without needing any KMS permission. Encryption with KMS adds a key policy and CloudTrail record to every access.",
    remediation: Remediation {
        console: "A volume cannot be encrypted in place: EC2 console → Volumes → the volume → Create snapshot; Snapshots → Copy snapshot with encryption; create a volume from the copy, stop the instance, swap the volumes, then delete the old volume and snapshots.",
        cli: "aws ec2 create-snapshot --volume-id VOLUME_ID && aws ec2 copy-snapshot --source-region REGION --source-snapshot-id SNAP_ID --encrypted --kms-key-id KEY_ID",
        terraform: "resource \"aws_ebs_volume\" \"data\" {\n  # ...\n  encrypted = true\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-3",
    ],
    run: run_volumes,
};

fn run_volumes(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (region, section) in &ctx.snapshot.regions {
        for v in section.ec2.iter().flat_map(|e| &e.volumes) {
            if v.encrypted || matches!(v.state.as_deref(), Some("deleting" | "deleted")) {
                continue;
            }
            let attached: Vec<&str> = v
                .attachments
                .iter()
                .filter_map(|a| a.instance_id.as_deref())
                .collect();
            let place = if attached.is_empty() {
                "not attached".to_string()
            } else {
                format!("attached to {}", attached.join(", "))
            };
            out.emit(
                Subject::new(ec2_arn(ctx, region, "volume", &v.volume_id), "ec2-volume")
                    .in_region(region)
                    .with_tags(tag_pairs(&v.tags)),
                "",
                format!("volume {} is not encrypted ({place})", v.volume_id),
                vec![Evidence::text("attribute", "Encrypted = false")],
            );
        }
    }
}
