//! Security groups open to the whole internet beyond SSH: `security-group-open-to-world-rdp`,
//! `security-group-open-to-world-all-ports` and `security-group-open-to-world-high-risk-port`.
//!
//! An inbound rule admits the world when one of its ranges is `0.0.0.0/0` or `::/0`. It
//! covers a port when its protocol is `-1` (all traffic), or tcp or udp with the port inside
//! `FromPort..=ToPort` (so a range such as 3000-4000 exposes 3306 and 3389). It covers *all*
//! ports when the protocol is `-1`, or tcp or udp over 0-65535.
//!
//! A rule for all traffic therefore fires the SSH and RDP checks (each has its own CIS control)
//! as well as the all-ports one. The high-risk port check reports each group once, with every
//! exposed high-risk port as its own evidence line, so one wide-open group is one finding to
//! act on, not twenty. The high-risk ports come from `high_risk_ports` in the config; 22 and
//! 3389 are left to their own checks there.

use iam_model::ip::Cidr;
use iam_model::snapshot::{IpPermission, SecurityGroup};

use super::security_group_open::group_arn;
use super::subjects::tag_pairs;
use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

const SSH: u16 = 22;
const RDP: u16 = 3389;
const MAX_PORT: i64 = 65_535;

/// The rule's protocol, named, when it is one whose ports we judge (`None` for icmp & co).
fn protocol(rule: &IpPermission) -> Option<&'static str> {
    match rule.ip_protocol.to_ascii_lowercase().as_str() {
        "-1" | "all" => Some("all"),
        "tcp" | "6" => Some("tcp"),
        "udp" | "17" => Some("udp"),
        _ => None,
    }
}

/// The rule's port range; absent ports mean every port.
fn ports(rule: &IpPermission) -> (i64, i64) {
    match (rule.from_port, rule.to_port) {
        (Some(-1), Some(-1)) | (None, None) => (0, MAX_PORT),
        (from, to) => (from.unwrap_or(0), to.unwrap_or(MAX_PORT)),
    }
}

/// The world-open ranges of a rule.
fn world_ranges(rule: &IpPermission) -> Vec<&str> {
    let v4 = rule.ip_ranges.iter().map(|r| r.cidr_ip.as_str());
    let v6 = rule.ipv6_ranges.iter().map(|r| r.cidr_ipv6.as_str());
    v4.chain(v6)
        .filter(|c| c.parse::<Cidr>().is_ok_and(|c| c.is_everything()))
        .collect()
}

/// How a rule is written, for evidence: `tcp 3000-4000`, `all traffic`.
fn describe(rule: &IpPermission) -> String {
    match protocol(rule) {
        Some("all") | None => format!("protocol {}", rule.ip_protocol),
        Some(p) => {
            let (from, to) = ports(rule);
            if from == to {
                format!("{p} {from}")
            } else {
                format!("{p} {from}-{to}")
            }
        }
    }
}

/// Evidence lines for every world-open inbound rule of `g` that `covers` accepts.
fn exposures(g: &SecurityGroup, covers: impl Fn(&IpPermission) -> bool) -> Vec<Evidence> {
    g.ip_permissions
        .iter()
        .filter(|r| covers(r))
        .flat_map(|r| {
            world_ranges(r).into_iter().map(move |c| {
                let what = if protocol(r) == Some("all") {
                    "all traffic".to_string()
                } else {
                    describe(r)
                };
                Evidence::text("rule", format!("inbound {what} from {c}"))
            })
        })
        .collect()
}

/// Does the rule reach `port` over tcp or udp?
fn covers_port(rule: &IpPermission, port: u16) -> bool {
    match protocol(rule) {
        Some("all") => true,
        Some(_) => {
            let (from, to) = ports(rule);
            (from..=to).contains(&i64::from(port))
        }
        None => false,
    }
}

/// Does the rule reach every port?
fn covers_all(rule: &IpPermission) -> bool {
    match protocol(rule) {
        Some("all") => true,
        Some(_) => {
            let (from, to) = ports(rule);
            from <= 0 && to >= MAX_PORT
        }
        None => false,
    }
}

fn subject(ctx: &Context<'_>, region: &str, g: &SecurityGroup) -> Subject {
    Subject::new(group_arn(ctx, region, g), "ec2-security-group")
        .in_region(region)
        .with_tags(tag_pairs(&g.tags))
}

/// Every security group with its region.
fn groups<'a>(ctx: &Context<'a>) -> impl Iterator<Item = (&'a str, &'a SecurityGroup)> {
    ctx.snapshot.regions.iter().flat_map(|(region, section)| {
        section
            .ec2
            .iter()
            .flat_map(|e| &e.security_groups)
            .map(move |g| (region.as_str(), g))
    })
}

fn emit_port(ctx: &Context<'_>, out: &mut Emitter<'_>, port: u16, label: &str) {
    for (region, g) in groups(ctx) {
        let evidence = exposures(g, |r| covers_port(r, port));
        if evidence.is_empty() {
            continue;
        }
        out.emit(
            subject(ctx, region, g),
            &port.to_string(),
            format!(
                "security group {} ({}) allows {label} port {port} from the internet",
                g.group_id, g.group_name
            ),
            evidence,
        );
    }
}

/// RDP open to the world.
pub static RDP_OPEN: Check = Check {
    id: "EC2-002",
    name: "security-group-open-to-world-rdp",
    title: "Security group allows RDP (3389) from the internet",
    severity: Severity::High,
    category: Category::Network,
    service: "ec2",
    rationale: "RDP open to 0.0.0.0/0 or ::/0 is scanned within minutes of exposure and is one of the most common ransomware entry points (password spraying, RDP server vulnerabilities). Remote administration belongs behind Session Manager, Fleet Manager, a VPN or a narrow source range.",
    remediation: Remediation {
        console: "EC2 console → Security Groups → the group → Inbound rules → Edit: remove the 0.0.0.0/0 and ::/0 sources that reach port 3389 (use Fleet Manager / Session Manager port forwarding or a known CIDR instead).",
        cli: "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --protocol tcp --port 3389 --cidr 0.0.0.0/0 (and --ip-permissions for ::/0)",
        terraform: "# in aws_security_group / aws_vpc_security_group_ingress_rule, replace\n#   cidr_ipv4 = \"0.0.0.0/0\" or cidr_ipv6 = \"::/0\"\n# with the narrow range of your VPN or bastion",
    },
    compliance: &[
        "CIS AWS Foundations 3.0: 5.2",
        "CIS AWS Foundations 3.0: 5.3",
    ],
    references: &[
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/fleet-manager-remote-desktop-connections.html",
    ],
    run: run_rdp,
};

fn run_rdp(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    emit_port(ctx, out, RDP, "the RDP");
}

/// Every port open to the world.
pub static ALL_PORTS: Check = Check {
    id: "EC2-003",
    name: "security-group-open-to-world-all-ports",
    title: "Security group allows all traffic from the internet",
    severity: Severity::Critical,
    category: Category::Network,
    service: "ec2",
    rationale: "A rule admitting all protocols, or every tcp or udp port, from 0.0.0.0/0 or ::/0 exposes every service listening on every instance in the group, including ones nobody knows are listening (databases, debug endpoints, agents).",
    remediation: Remediation {
        console: "EC2 console → Security Groups → the group → Inbound rules → Edit: delete the all-traffic (or 0-65535) rule from 0.0.0.0/0 and ::/0, and add rules for the specific ports and sources that need access.",
        cli: "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --ip-permissions IpProtocol=-1,IpRanges=[{CidrIp=0.0.0.0/0}]",
        terraform: "# remove ingress { protocol = \"-1\" cidr_blocks = [\"0.0.0.0/0\"] } and list each needed port and source",
    },
    compliance: &[
        "CIS AWS Foundations 3.0: 5.2",
        "CIS AWS Foundations 3.0: 5.3",
    ],
    references: &["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
    run: run_all,
};

fn run_all(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (region, g) in groups(ctx) {
        let evidence = exposures(g, covers_all);
        if evidence.is_empty() {
            continue;
        }
        out.emit(
            subject(ctx, region, g),
            "all",
            format!(
                "security group {} ({}) allows every port from the internet",
                g.group_id, g.group_name
            ),
            evidence,
        );
    }
}

/// A high-risk port open to the world.
pub static HIGH_RISK_PORT: Check = Check {
    id: "EC2-004",
    name: "security-group-open-to-world-high-risk-port",
    title: "Security group allows a high-risk port from the internet",
    severity: Severity::High,
    category: Category::Network,
    service: "ec2",
    rationale: "Databases (MySQL, PostgreSQL, SQL Server, Oracle, Redshift, MongoDB, Cassandra), caches (Redis, Memcached), search engines (Elasticsearch), file sharing (SMB, FTP) and clear-text protocols (Telnet, SMTP relay) were not built to face the internet. Exposed, they are brute-forced, exploited, ransomed or used for amplification.",
    remediation: Remediation {
        console: "EC2 console → Security Groups → the group → Inbound rules → Edit: replace the 0.0.0.0/0 and ::/0 sources on that port with the application's security group or private CIDR.",
        cli: "aws ec2 revoke-security-group-ingress --group-id GROUP_ID --protocol tcp --port PORT --cidr 0.0.0.0/0",
        terraform: "# in aws_vpc_security_group_ingress_rule, use\n#   referenced_security_group_id = aws_security_group.app.id\n# instead of cidr_ipv4 = \"0.0.0.0/0\"",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19",
    ],
    run: run_high_risk,
};

fn run_high_risk(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let mut ports: Vec<u16> = ctx
        .config
        .high_risk_ports
        .iter()
        .copied()
        .filter(|p| *p != SSH && *p != RDP)
        .collect();
    ports.sort_unstable();
    ports.dedup();
    for (region, g) in groups(ctx) {
        let mut open = Vec::new();
        let mut evidence = Vec::new();
        for &port in &ports {
            let rules = exposures(g, |r| covers_port(r, port));
            if rules.is_empty() {
                continue;
            }
            open.push(port.to_string());
            let via: Vec<&str> = rules
                .iter()
                .map(|e| e.text.trim_start_matches("inbound "))
                .collect();
            evidence.push(Evidence::text(
                "port",
                format!("port {port} open through inbound {}", via.join("; ")),
            ));
        }
        if open.is_empty() {
            continue;
        }
        let plural = if open.len() == 1 { "" } else { "s" };
        out.emit(
            subject(ctx, region, g),
            "high-risk",
            format!(
                "security group {} ({}) allows high-risk port{plural} {} from the internet",
                g.group_id,
                g.group_name,
                open.join(", ")
            ),
            evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use iam_model::snapshot::Snapshot;

    use super::*;
    use crate::config::Config;

    #[test]
    fn a_wide_open_group_is_one_high_risk_finding_naming_every_port() {
        let snap = Snapshot::from_json_str(
            r#"{"iamsight_snapshot":1,"account_id":"111122223333","collected_at":"2026-11-30T12:00:00Z",
            "regions":{"us-east-1":{"ec2":{"SecurityGroups":[
              {"GroupId":"sg-open","GroupName":"open","IpPermissions":[
                {"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]},
              {"GroupId":"sg-range","GroupName":"range","IpPermissions":[
                {"IpProtocol":"tcp","FromPort":5000,"ToPort":6400,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]}
            ]}}}}"#,
        )
        .unwrap();
        let config = Config {
            high_risk_ports: vec![22, 3306, 5432, 6379, 3389],
            ..Config::default()
        };
        let ctx = Context::new(&snap, &config);
        let mut out = Emitter::new(&HIGH_RISK_PORT);
        run_high_risk(&ctx, &mut out);
        let got: Vec<(String, Vec<String>)> = out
            .into_findings()
            .into_iter()
            .map(|f| (f.message, f.evidence.into_iter().map(|e| e.text).collect()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "security group sg-open (open) allows high-risk ports 3306, 5432, 6379 from the internet".to_string(),
                    vec![
                        "port 3306 open through inbound all traffic from 0.0.0.0/0; all traffic from ::/0".to_string(),
                        "port 5432 open through inbound all traffic from 0.0.0.0/0; all traffic from ::/0".to_string(),
                        "port 6379 open through inbound all traffic from 0.0.0.0/0; all traffic from ::/0".to_string(),
                    ]
                ),
                (
                    "security group sg-range (range) allows high-risk ports 5432, 6379 from the internet".to_string(),
                    vec![
                        "port 5432 open through inbound tcp 5000-6400 from 0.0.0.0/0".to_string(),
                        "port 6379 open through inbound tcp 5000-6400 from 0.0.0.0/0".to_string(),
                    ]
                ),
            ]
        );
    }
}
