//! `default-security-group-allows-traffic`: a VPC's default security group (GroupName
//! `default`) with any inbound or outbound rule.
//!
//! AWS creates every default group with a self-referencing inbound rule and an all-traffic
//! outbound rule; CIS asks to remove both so that anything launched without an explicit group
//! is isolated. Any rule counts, whatever its source or destination.

use iam_model::snapshot::IpPermission;

use super::security_group_open::group_arn;
use super::subjects::tag_pairs;
use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// The default group's name.
const DEFAULT_GROUP: &str = "default";

/// Default group with rules.
pub static CHECK: Check = Check {
    id: "EC2-005",
    name: "default-security-group-allows-traffic",
    title: "Default security group allows traffic",
    severity: Severity::Medium,
    category: Category::Network,
    service: "ec2",
    rationale: "Instances, endpoints and other network interfaces launched without an explicit security group land in the VPC's default group. If it has rules, they silently get network access (to each other and out to the internet) that nobody designed. An empty default group makes that mistake harmless.",
    remediation: Remediation {
        console: "VPC console → Security groups → the group named default → Inbound rules and Outbound rules → Edit: delete every rule. Move any resource that relies on it to a purpose-built group first.",
        cli: "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions \"$(aws ec2 describe-security-groups --group-ids GROUP_ID --query 'SecurityGroups[0].IpPermissions')\" && aws ec2 revoke-security-group-egress --group-id GROUP_ID --ip-permissions \"$(aws ec2 describe-security-groups --group-ids GROUP_ID --query 'SecurityGroups[0].IpPermissionsEgress')\"",
        terraform: "resource \"aws_default_security_group\" \"default\" {\n  vpc_id = aws_vpc.main.id\n  # no ingress or egress blocks: Terraform removes every rule\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 5.4"],
    references: &["https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html"],
    run,
};

fn describe(direction: &str, rule: &IpPermission) -> Evidence {
    let mut peers: Vec<String> = rule
        .ip_ranges
        .iter()
        .map(|r| r.cidr_ip.clone())
        .chain(rule.ipv6_ranges.iter().map(|r| r.cidr_ipv6.clone()))
        .chain(
            rule.user_id_group_pairs
                .iter()
                .map(|p| p.group_id.clone().unwrap_or_else(|| "a group".to_string())),
        )
        .chain(
            rule.prefix_list_ids
                .iter()
                .map(|p| p.prefix_list_id.clone()),
        )
        .collect();
    if peers.is_empty() {
        peers.push("no peer listed".to_string());
    }
    let ports = match (rule.from_port, rule.to_port) {
        (Some(f), Some(t)) if f == t => format!(" {f}"),
        (Some(f), Some(t)) => format!(" {f}-{t}"),
        _ => String::new(),
    };
    let (prep, what) = if direction == "inbound" {
        ("from", "IpPermissions")
    } else {
        ("to", "IpPermissionsEgress")
    };
    Evidence::text(
        "rule",
        format!(
            "{what}: {direction} protocol {}{ports} {prep} {}",
            rule.ip_protocol,
            peers.join(", ")
        ),
    )
}

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (region, section) in &ctx.snapshot.regions {
        for g in section.ec2.iter().flat_map(|e| &e.security_groups) {
            if g.group_name != DEFAULT_GROUP {
                continue;
            }
            let evidence: Vec<Evidence> = g
                .ip_permissions
                .iter()
                .map(|r| describe("inbound", r))
                .chain(
                    g.ip_permissions_egress
                        .iter()
                        .map(|r| describe("outbound", r)),
                )
                .collect();
            if evidence.is_empty() {
                continue;
            }
            out.emit(
                Subject::new(group_arn(ctx, region, g), "ec2-security-group")
                    .in_region(region)
                    .with_tags(tag_pairs(&g.tags)),
                "",
                format!(
                    "the default security group {} of {} has {} inbound and {} outbound rules",
                    g.group_id,
                    g.vpc_id.as_deref().unwrap_or("its VPC"),
                    g.ip_permissions.len(),
                    g.ip_permissions_egress.len()
                ),
                evidence,
            );
        }
    }
}
