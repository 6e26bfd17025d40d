//! EC2 instances: `instance-imdsv1-allowed` and `instance-with-public-ip`.
//!
//! Only instances that still exist are judged: `pending`, `running`, `stopping` and
//! `stopped` (or no state recorded). `shutting-down` and `terminated` instances linger in
//! DescribeInstances for a while and are skipped.
//!
//! IMDSv1 is allowed when `MetadataOptions.HttpTokens` is not `required` while the metadata
//! endpoint is on (`HttpEndpoint` is not `disabled`). An instance without `MetadataOptions`,
//! or without `HttpTokens`, was not fully collected and is not judged.

use iam_model::snapshot::Instance;

use super::subjects::{ec2_arn, tag_pairs};
use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// States of instances that are gone or going.
const GONE: [&str; 2] = ["shutting-down", "terminated"];

/// Every instance that still exists, with its region.
fn live<'a>(ctx: &Context<'a>) -> impl Iterator<Item = (&'a str, &'a Instance)> {
    ctx.snapshot
        .regions
        .iter()
        .flat_map(|(region, section)| {
            section
                .ec2
                .iter()
                .flat_map(|e| &e.instances)
                .map(move |i| (region.as_str(), i))
        })
        .filter(|(_, i)| {
            !i.state
                .as_ref()
                .is_some_and(|s| GONE.contains(&s.name.as_str()))
        })
}

fn subject(ctx: &Context<'_>, region: &str, i: &Instance) -> Subject {
    Subject::new(
        ec2_arn(ctx, region, "instance", &i.instance_id),
        "ec2-instance",
    )
    .in_region(region)
    .with_tags(tag_pairs(&i.tags))
}

fn state(i: &Instance) -> &str {
    i.state.as_ref().map_or("unknown", |s| s.name.as_str())
}

/// IMDSv1 allowed.
pub static IMDSV1: Check = Check {
    id: "EC2-010",
    name: "instance-imdsv1-allowed",
    title: "EC2 instance allows IMDSv1",
    severity: Severity::Medium,
    category: Category::CredentialExposure,
    service: "ec2",
    rationale: "IMDSv1 answers any GET request to 169.254.169.254, so a server-side request forgery or an open proxy on the instance hands out the credentials of the instance's role. IMDSv2 requires a session token obtained with a PUT and a hop limit, which those attacks cannot provide.",
    remediation: Remediation {
        console: "EC2 console → Instances → the instance → Actions → Instance settings → Modify instance metadata options: IMDSv2 Required. Check first (CloudWatch metric MetadataNoToken) that no software still uses IMDSv1. Set the account default for new instances in EC2 → Settings → Data protection and security.",
        cli: "aws ec2 modify-instance-metadata-options --instance-id INSTANCE_ID --http-tokens required --http-endpoint enabled",
        terraform: "resource \"aws_instance\" \"app\" {\n  # ...\n  metadata_options {\n    http_tokens   = \"required\"\n    http_endpoint = \"enabled\"\n  }\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 5.6"],
    references: &[
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-transition-to-version-2.html",
    ],
    run: run_imdsv1,
};

fn run_imdsv1(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (region, i) in live(ctx) {
        let Some(m) = &i.metadata_options else {
            continue;
        };
        let Some(tokens) = m.http_tokens.as_deref() else {
            continue;
        };
        if tokens.eq_ignore_ascii_case("required")
            || m.http_endpoint
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case("disabled"))
        {
            continue;
        }
        let role = i
            .iam_instance_profile
            .as_ref()
            .map(|p| format!(", instance profile {}", p.arn))
            .unwrap_or_default();
        out.emit(
            subject(ctx, region, i),
            "",
            format!(
                "instance {} ({}{role}) answers IMDSv1 requests",
                i.instance_id,
                state(i)
            ),
            vec![
                Evidence::text(
                    "attribute",
                    format!("MetadataOptions.HttpTokens = {tokens}"),
                ),
                Evidence::text(
                    "attribute",
                    format!(
                        "MetadataOptions.HttpEndpoint = {}",
                        m.http_endpoint.as_deref().unwrap_or("enabled (default)")
                    ),
                ),
            ],
        );
    }
}

/// Public IPv4 address.
pub static PUBLIC_IP: Check = Check {
    id: "EC2-011",
    name: "instance-with-public-ip",
    title: "EC2 instance has a public IP address",
    severity: Severity::Low,
    category: Category::PublicExposure,
    service: "ec2",
    rationale: "An instance with a public address is one security group rule away from the internet, and every rule added to its groups later applies to the world. Most instances are better served from private subnets behind a load balancer, NAT gateway or Session Manager, keeping exposure a deliberate choice.",
    remediation: Remediation {
        console: "Move the workload to a private subnet behind a load balancer (or reach it through Session Manager), then stop auto-assigning public addresses: VPC console → Subnets → Edit subnet settings → clear Auto-assign public IPv4 address, and release any Elastic IP on the instance.",
        cli: "aws ec2 modify-subnet-attribute --subnet-id SUBNET_ID --no-map-public-ip-on-launch",
        terraform: "resource \"aws_instance\" \"app\" {\n  # ...\n  associate_public_ip_address = false\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-9",
    ],
    run: run_public_ip,
};

fn run_public_ip(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (region, i) in live(ctx) {
        let Some(ip) = i.public_ip_address.as_deref().filter(|ip| !ip.is_empty()) else {
            continue;
        };
        out.emit(
            subject(ctx, region, i),
            "",
            format!(
                "instance {} ({}) has the public IP address {ip}",
                i.instance_id,
                state(i)
            ),
            vec![Evidence::text(
                "attribute",
                format!("PublicIpAddress = {ip}"),
            )],
        );
    }
}
