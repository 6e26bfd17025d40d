//! `access-analyzer-not-enabled`: a region without an ACTIVE IAM Access Analyzer for external
//! access.
//!
//! Judged per region that has an `access_analyzer` section (a region without one was not
//! collected). The analyzers that find external access are of type `ACCOUNT` or
//! `ORGANIZATION`; unused-access and internal-access analyzers do not count, and neither do
//! analyzers that are `CREATING`, `DISABLED` or `FAILED`.

use super::subjects::account_subject;
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// The analyzer types that report external access.
const EXTERNAL_ACCESS_TYPES: [&str; 2] = ["ACCOUNT", "ORGANIZATION"];

/// No active analyzer in a region.
pub static CHECK: Check = Check {
    id: "IAM-042",
    name: "access-analyzer-not-enabled",
    title: "IAM Access Analyzer is not enabled in a region",
    severity: Severity::Low,
    category: Category::Logging,
    service: "access-analyzer",
    rationale: "Access Analyzer continuously reports buckets, keys, roles, queues, snapshots and other resources shared outside the account or organization. Analyzers are regional: a region without one shares resources unseen.",
    remediation: Remediation {
        console: "IAM console → Access analyzer (in each region) → Create analyzer: type external access, zone of trust your account or organization.",
        cli: "aws accessanalyzer create-analyzer --analyzer-name account-analyzer --type ACCOUNT --region REGION",
        terraform: "resource \"aws_accessanalyzer_analyzer\" \"account\" {\n  analyzer_name = \"account-analyzer\"\n  type          = \"ACCOUNT\"\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.20"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-getting-started.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (region, section) in &ctx.snapshot.regions {
        let Some(aa) = &section.access_analyzer else {
            continue;
        };
        let active = aa.analyzers.iter().any(|a| {
            EXTERNAL_ACCESS_TYPES.contains(&a.analyzer_type.as_str())
                && a.status
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case("ACTIVE"))
        });
        if active {
            continue;
        }
        let evidence = if aa.analyzers.is_empty() {
            vec![Evidence::text(
                "attribute",
                format!("ListAnalyzers in {region}: no analyzer"),
            )]
        } else {
            aa.analyzers
                .iter()
                .map(|a| {
                    Evidence::text(
                        "attribute",
                        format!(
                            "analyzer `{}`: type {}, status {}",
                            a.name,
                            a.analyzer_type,
                            a.status.as_deref().unwrap_or("unknown")
                        ),
                    )
                })
                .collect()
        };
        out.emit(
            account_subject(ctx, "access-analyzer", Some(region)),
            "",
            format!("no active external-access analyzer in {region}"),
            evidence,
        );
    }
}
