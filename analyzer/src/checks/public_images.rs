//! Disk images shared with everyone: `public-ebs-snapshot` and `public-ami`.
//!
//! The snapshot's `Public` is true when its create-volume permission includes the group
//! `all`; an AMI's `Public` is true when its launch permission does. Either way, any AWS
//! account can copy the disk and read everything on it. Where `Public` is unknown (absent: the
//! collector could not read the attribute, and says so in `collection_errors`, which the
//! report shows as a coverage gap), nothing is judged.

use super::subjects::{ec2_arn, tag_pairs};
use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Public EBS snapshot.
pub static SNAPSHOT: Check = Check {
    id: "EC2-008",
    name: "public-ebs-snapshot",
    title: "EBS snapshot is public",
    severity: Severity::Critical,
    category: Category::PublicExposure,
    service: "ec2",
    rationale: "Any AWS account can create a volume from a public snapshot and read the whole disk: databases, configuration files, keys and credentials left on it. Public snapshots are searched for systematically.",
    remediation: Remediation {
        console: "EC2 console → Snapshots → the snapshot → Actions → Snapshot settings → Modify permissions: Private (share with specific accounts if needed). Turn on Block public access for snapshots in each region.",
        cli: "aws ec2 modify-snapshot-attribute --snapshot-id SNAP_ID --attribute createVolumePermission --operation-type remove --group-names all && aws ec2 enable-snapshot-block-public-access --state block-all-sharing",
        terraform: "resource \"aws_ebs_snapshot_block_public_access\" \"block\" {\n  state = \"block-all-sharing\"\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html",
        "https://docs.aws.amazon.com/ebs/latest/userguide/block-public-access-snapshots.html",
    ],
    run: run_snapshots,
};

fn run_snapshots(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (region, section) in &ctx.snapshot.regions {
        for s in section.ec2.iter().flat_map(|e| &e.snapshots) {
            if s.public != Some(true) {
                continue;
            }
            let mut evidence = vec![Evidence::text(
                "attribute",
                "createVolumePermission includes Group `all` (Public = true)",
            )];
            if !s.encrypted {
                evidence.push(Evidence::text("attribute", "Encrypted = false"));
            }
            out.emit(
                Subject::new(
                    ec2_arn(ctx, region, "snapshot", &s.snapshot_id),
                    "ec2-snapshot",
                )
                .in_region(region)
                .with_tags(tag_pairs(&s.tags)),
                "",
                format!(
                    "snapshot {}{} can be copied by any AWS account",
                    s.snapshot_id,
                    s.volume_id
                        .as_deref()
                        .map(|v| format!(" (of {v})"))
                        .unwrap_or_default()
                ),
                evidence,
            );
        }
    }
}

/// Public AMI.
pub static IMAGE: Check = Check {
    id: "EC2-009",
    name: "public-ami",
    title: "AMI is public",
    severity: Severity::High,
    category: Category::PublicExposure,
    service: "ec2",
    rationale: "Any AWS account can launch a public AMI and read its disks. Images built for internal use carry configuration, internal hostnames, and sometimes keys, tokens or data baked in by the build.",
    remediation: Remediation {
        console: "EC2 console → AMIs → the image → Actions → Edit AMI permissions: Private (share with specific accounts or the organization if needed). Turn on Block public access for AMIs in each region.",
        cli: "aws ec2 modify-image-attribute --image-id AMI_ID --launch-permission \"Remove=[{Group=all}]\" && aws ec2 enable-image-block-public-access --image-block-public-access-state block-new-sharing",
        terraform: "resource \"aws_ec2_image_block_public_access\" \"block\" {\n  state = \"block-new-sharing\"\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/block-public-access-to-amis.html",
    ],
    run: run_images,
};

fn run_images(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (region, section) in &ctx.snapshot.regions {
        for i in section.ec2.iter().flat_map(|e| &e.images) {
            if i.public != Some(true) {
                continue;
            }
            out.emit(
                Subject::new(ec2_arn(ctx, region, "image", &i.image_id), "ec2-image")
                    .in_region(region)
                    .with_tags(tag_pairs(&i.tags)),
                "",
                format!(
                    "AMI {}{} can be launched by any AWS account",
                    i.image_id,
                    i.name
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                ),
                vec![Evidence::text(
                    "attribute",
                    "launchPermission includes Group `all` (Public = true)",
                )],
            );
        }
    }
}
