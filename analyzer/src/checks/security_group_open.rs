//! Security groups open to the whole internet: `security-group-open-to-world-ssh`.
//!
//! A rule admits the world when its IPv4 range is `0.0.0.0/0` or its IPv6 range `::/0`, and
//! it covers the port when the protocol is `-1` (all traffic) or tcp with the port inside
//! `FromPort..=ToPort`.

use iam_model::ip::Cidr;
use iam_model::snapshot::{IpPermission, SecurityGroup};

use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// The world-open CIDRs of a rule that covers `port` over tcp.
pub fn world_open_on(rule: &IpPermission, port: i64) -> Vec<String> {
    let covers = match rule.ip_protocol.as_str() {
        "-1" | "all" => true,
        "tcp" | "6" => {
            let from = rule.from_port.unwrap_or(0);
            let to = rule.to_port.unwrap_or(65_535);
            (from..=to).contains(&port) || (from == -1 && to == -1)
        }
        _ => false,
    };
    if !covers {
        return Vec::new();
    }
    let v4 = rule.ip_ranges.iter().map(|r| r.cidr_ip.as_str());
    let v6 = rule.ipv6_ranges.iter().map(|r| r.cidr_ipv6.as_str());
    v4.chain(v6)
        .filter(|c| c.parse::<Cidr>().is_ok_and(|c| c.is_everything()))
        .map(str::to_string)
        .collect()
}

/// The ARN of a security group.
pub fn group_arn(ctx: &Context<'_>, region: &str, g: &SecurityGroup) -> String {
    let owner = g.owner_id.as_deref().unwrap_or(&ctx.snapshot.account_id);
    format!(
        "arn:{}:ec2:{region}:{owner}:security-group/{}",
        ctx.snapshot.partition, g.group_id
    )
}

/// SSH open to the world.
pub static SSH: Check = Check {
    id: "EC2-001",
    name: "security-group-open-to-world-ssh",
    title: "Security group allows SSH (22) from the internet",
    severity: Severity::High,
    category: Category::Network,
    service: "ec2",
    rationale: "SSH open to 0.0.0.0/0 or ::/0 exposes every instance in the group to credential stuffing and exploits of the SSH server; administrative access belongs behind Session Manager, a VPN or a bastion with a narrow source range.",
    remediation: Remediation {
        console: "EC2 console → Security Groups → the group → Inbound rules → Edit: remove the 0.0.0.0/0 and ::/0 sources on port 22 (use Session Manager or a known CIDR instead).",
        cli: "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --protocol tcp --port 22 --cidr 0.0.0.0/0",
        terraform: "# in aws_security_group / aws_vpc_security_group_ingress_rule, replace\n#   cidr_ipv4 = \"0.0.0.0/0\"\n# with the narrow range of your bastion or VPN",
    },
    compliance: &[
        "CIS AWS Foundations 3.0: 5.2",
        "CIS AWS Foundations 3.0: 5.3",
    ],
    references: &["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
    run: run_ssh,
};

fn run_ssh(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (region, section) in &ctx.snapshot.regions {
        for g in section.ec2.iter().flat_map(|e| &e.security_groups) {
            let open: Vec<String> = g
                .ip_permissions
                .iter()
                .flat_map(|r| world_open_on(r, 22))
                .collect();
            if open.is_empty() {
                continue;
            }
            out.emit(
                Subject::new(group_arn(ctx, region, g), "ec2-security-group")
                    .in_region(region)
                    .with_tags(g.tags.iter().map(|t| (t.key.as_str(), t.value.as_str()))),
                "22",
                format!(
                    "security group {} ({}) allows tcp/22 from {}",
                    g.group_id,
                    g.group_name,
                    open.join(", ")
                ),
                open.iter()
                    .map(|c| Evidence::text("rule", format!("inbound tcp 22 from {c}")))
                    .collect(),
            );
        }
    }
}
