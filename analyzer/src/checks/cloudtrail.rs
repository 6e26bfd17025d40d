//! CloudTrail: `cloudtrail-no-multi-region-trail` (account level) and, per trail,
//! `cloudtrail-trail-not-logging`, `cloudtrail-log-file-validation-disabled`,
//! `cloudtrail-trail-not-encrypted-with-kms` and `cloudtrail-trail-single-region`.
//!
//! DescribeTrails in one region also lists the multi-region and organization trails whose
//! home is another region (shadow trails), so the same `TrailARN` shows up in many regions.
//! Each ARN is judged once, as its home region reports it ([`trails`]); its status is the
//! `TrailStatus` entry for that ARN, from the home region when collected there, otherwise
//! from any region. A trail whose status is unknown is never reported as not logging.
//!
//! Nothing is judged when no region has a `cloudtrail` section.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use iam_model::snapshot::{CloudTrailSection, Trail, TrailStatus};

use super::subjects::account_subject;
use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// One trail, de-duplicated across regions.
pub struct TrailView<'a> {
    /// The trail as listed in its home region (or the first region that lists it).
    pub trail: &'a Trail,
    /// Its home region.
    pub region: &'a str,
    /// GetTrailStatus, if collected anywhere.
    pub status: Option<&'a TrailStatus>,
}

/// Every trail of the account once, by ARN; `None` when CloudTrail was not collected.
pub fn trails<'a>(ctx: &Context<'a>) -> Option<Vec<TrailView<'a>>> {
    let sections: Vec<(&'a str, &'a CloudTrailSection)> = ctx
        .snapshot
        .regions
        .iter()
        .filter_map(|(r, s)| s.cloudtrail.as_ref().map(|c| (r.as_str(), c)))
        .collect();
    if sections.is_empty() {
        return None;
    }
    let mut by_arn: BTreeMap<&'a str, TrailView<'a>> = BTreeMap::new();
    for &(region, section) in &sections {
        for t in &section.trails {
            let home = t.home_region.as_deref().unwrap_or(region);
            match by_arn.entry(t.trail_arn.as_str()) {
                Entry::Vacant(e) => {
                    e.insert(TrailView {
                        trail: t,
                        region: home,
                        status: None,
                    });
                }
                // The home region's listing wins over a shadow copy.
                Entry::Occupied(mut e) if home == region => e.get_mut().trail = t,
                Entry::Occupied(_) => {}
            }
        }
    }
    for view in by_arn.values_mut() {
        let arn = view.trail.trail_arn.as_str();
        view.status = sections
            .iter()
            .find(|(r, _)| *r == view.region)
            .and_then(|(_, s)| s.trail_status.get(arn))
            .or_else(|| sections.iter().find_map(|(_, s)| s.trail_status.get(arn)));
    }
    Some(by_arn.into_values().collect())
}

fn subject(v: &TrailView<'_>) -> Subject {
    Subject::new(v.trail.trail_arn.clone(), "cloudtrail-trail").in_region(v.region)
}

/// No multi-region trail that is logging.
pub static NO_MULTI_REGION: Check = Check {
    id: "CT-001",
    name: "cloudtrail-no-multi-region-trail",
    title: "No multi-region CloudTrail trail is logging",
    severity: Severity::High,
    category: Category::Logging,
    service: "cloudtrail",
    rationale: "Without a logging multi-region trail, API activity in some regions (or all of them) leaves no durable record: an attacker can work in a region nobody watches, and an investigation has nothing to start from. Event history keeps only 90 days of management events and cannot be protected or centralised.",
    remediation: Remediation {
        console: "CloudTrail console → Trails → Create trail (or edit an existing one): apply to all regions, management events read and write, log file validation, SSE-KMS; then make sure it is logging. In an organization, an organization trail from the management account covers every member.",
        cli: "aws cloudtrail create-trail --name account-trail --s3-bucket-name BUCKET --is-multi-region-trail --enable-log-file-validation --kms-key-id KEY_ARN && aws cloudtrail start-logging --name account-trail",
        terraform: "resource \"aws_cloudtrail\" \"account\" {\n  name                          = \"account-trail\"\n  s3_bucket_name                = aws_s3_bucket.trail.id\n  is_multi_region_trail         = true\n  include_global_service_events = true\n  enable_log_file_validation    = true\n  kms_key_id                    = aws_kms_key.trail.arn\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 3.1"],
    references: &[
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail.html",
    ],
    run: run_multi_region,
};

fn run_multi_region(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(all) = trails(ctx) else {
        return;
    };
    let multi: Vec<&TrailView<'_>> = all
        .iter()
        .filter(|v| v.trail.is_multi_region_trail)
        .collect();
    // A multi-region trail that logs settles it; one whose status is unknown leaves it open.
    if multi.iter().any(|v| v.status.is_none_or(|s| s.is_logging)) {
        return;
    }
    let mut evidence: Vec<Evidence> = all
        .iter()
        .map(|v| {
            let what = if v.trail.is_multi_region_trail {
                "multi-region, IsLogging = false".to_string()
            } else {
                format!("single-region ({}), IsMultiRegionTrail = false", v.region)
            };
            Evidence::text(
                "attribute",
                format!("trail `{}`: {what}", v.trail.trail_arn),
            )
        })
        .collect();
    if evidence.is_empty() {
        let regions: Vec<&str> = ctx
            .snapshot
            .regions
            .iter()
            .filter(|(_, s)| s.cloudtrail.is_some())
            .map(|(r, _)| r.as_str())
            .collect();
        evidence.push(Evidence::text(
            "attribute",
            format!("DescribeTrails: no trail in {}", regions.join(", ")),
        ));
    }
    out.emit(
        account_subject(ctx, "cloudtrail", None),
        "",
        format!(
            "no multi-region trail is logging ({} trail(s), {} multi-region)",
            all.len(),
            multi.len()
        ),
        evidence,
    );
}

/// Trail stopped.
pub static NOT_LOGGING: Check = Check {
    id: "CT-002",
    name: "cloudtrail-trail-not-logging",
    title: "CloudTrail trail is not logging",
    severity: Severity::High,
    category: Category::Logging,
    service: "cloudtrail",
    rationale: "A stopped trail records nothing while it still looks configured. Stopping logging (cloudtrail:StopLogging) is also a classic first step of an attacker covering their tracks.",
    remediation: Remediation {
        console: "CloudTrail console → Trails → the trail → Start logging. Find out who stopped it (CloudTrail event StopLogging) and why; delete the trail if it is truly not needed.",
        cli: "aws cloudtrail start-logging --name TRAIL_ARN",
        terraform: "resource \"aws_cloudtrail\" \"this\" {\n  # ...\n  enable_logging = true\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 3.1"],
    references: &[
        "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-turning-off-logging.html",
    ],
    run: run_not_logging,
};

fn run_not_logging(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for v in trails(ctx).unwrap_or_default() {
        let Some(status) = v.status else {
            continue;
        };
        if status.is_logging {
            continue;
        }
        let mut evidence = vec![Evidence::text(
            "attribute",
            "GetTrailStatus: IsLogging = false",
        )];
        if let Some(t) = status.latest_delivery_time {
            evidence.push(Evidence::text(
                "attribute",
                format!("GetTrailStatus: LatestDeliveryTime = {t}"),
            ));
        }
        out.emit(
            subject(&v),
            "",
            format!("trail `{}` is not logging", v.trail.name),
            evidence,
        );
    }
}

/// No digest files.
pub static NO_VALIDATION: Check = Check {
    id: "CT-003",
    name: "cloudtrail-log-file-validation-disabled",
    title: "CloudTrail log file validation is off",
    severity: Severity::Medium,
    category: Category::Logging,
    service: "cloudtrail",
    rationale: "Log file validation writes signed, chained digest files, which prove that delivered log files were not changed, deleted or forged afterwards. Without them, logs cannot be trusted as evidence after a compromise of the log bucket.",
    remediation: Remediation {
        console: "CloudTrail console → Trails → the trail → General details → Edit: enable Log file validation.",
        cli: "aws cloudtrail update-trail --name TRAIL_ARN --enable-log-file-validation",
        terraform: "resource \"aws_cloudtrail\" \"this\" {\n  # ...\n  enable_log_file_validation = true\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 3.2"],
    references: &[
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
    ],
    run: run_validation,
};

fn run_validation(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for v in trails(ctx).unwrap_or_default() {
        if v.trail.log_file_validation_enabled {
            continue;
        }
        out.emit(
            subject(&v),
            "",
            format!("trail `{}` does not validate its log files", v.trail.name),
            vec![Evidence::text(
                "attribute",
                "LogFileValidationEnabled = false",
            )],
        );
    }
}

/// Logs not encrypted with KMS.
pub static NO_KMS: Check = Check {
    id: "CT-004",
    name: "cloudtrail-trail-not-encrypted-with-kms",
    title: "CloudTrail trail is not encrypted with a KMS key",
    severity: Severity::Medium,
    category: Category::Encryption,
    service: "cloudtrail",
    rationale: "With SSE-KMS, reading the logs needs kms:Decrypt on the trail's key as well as s3:GetObject on the bucket, so a bucket policy mistake alone does not expose the account's activity history, and every read of the logs is itself logged.",
    remediation: Remediation {
        console: "CloudTrail console → Trails → the trail → General details → Edit: Log file SSE-KMS encryption enabled, with a customer managed key whose policy allows CloudTrail to encrypt and your auditors to decrypt.",
        cli: "aws cloudtrail update-trail --name TRAIL_ARN --kms-key-id KEY_ARN",
        terraform: "resource \"aws_cloudtrail\" \"this\" {\n  # ...\n  kms_key_id = aws_kms_key.trail.arn\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 3.5"],
    references: &[
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html",
    ],
    run: run_kms,
};

fn run_kms(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for v in trails(ctx).unwrap_or_default() {
        if v.trail.kms_key_id.as_deref().is_some_and(|k| !k.is_empty()) {
            continue;
        }
        out.emit(
            subject(&v),
            "",
            format!(
                "trail `{}` logs are not encrypted with a KMS key",
                v.trail.name
            ),
            vec![Evidence::text("attribute", "KmsKeyId absent")],
        );
    }
}

/// Single-region trail.
pub static SINGLE_REGION: Check = Check {
    id: "CT-005",
    name: "cloudtrail-trail-single-region",
    title: "CloudTrail trail records a single region",
    severity: Severity::Low,
    category: Category::Logging,
    service: "cloudtrail",
    rationale: "A single-region trail misses activity in every other region, including regions enabled later. As a supplement to a multi-region trail it is harmless, but it is often the only trail someone relies on for a workload that has since spread.",
    remediation: Remediation {
        console: "CloudTrail console → Trails → the trail → General details → Edit: apply the trail to all regions (or delete it if a multi-region trail already records the same events).",
        cli: "aws cloudtrail update-trail --name TRAIL_ARN --is-multi-region-trail",
        terraform: "resource \"aws_cloudtrail\" \"this\" {\n  # ...\n  is_multi_region_trail = true\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html",
    ],
    run: run_single_region,
};

fn run_single_region(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for v in trails(ctx).unwrap_or_default() {
        if v.trail.is_multi_region_trail {
            continue;
        }
        out.emit(
            subject(&v),
            "",
            format!("trail `{}` records only {}", v.trail.name, v.region),
            vec![Evidence::text("attribute", "IsMultiRegionTrail = false")],
        );
    }
}

#[cfg(test)]
mod tests {
    use iam_model::snapshot::Snapshot;

    use super::*;
    use crate::config::Config;

    fn fixture(check: &str) -> Snapshot {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/checks")
            .join(check)
            .join("resources.json");
        Snapshot::from_json_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn shadow_trails_are_judged_once_in_their_home_region() {
        let snap = fixture("cloudtrail-trail-not-logging");
        let config = Config::default();
        let ctx = Context::new(&snap, &config);
        let mut out = Emitter::new(&NOT_LOGGING);
        run_not_logging(&ctx, &mut out);
        let got: Vec<(String, Option<String>)> = out
            .into_findings()
            .into_iter()
            .map(|f| (f.resource, f.region))
            .collect();
        let arn = |region: &str, name: &str| {
            format!("arn:aws:cloudtrail:{region}:111122223333:trail/{name}")
        };
        assert_eq!(
            got,
            [
                (
                    arn("eu-west-1", "fail-stopped-eu"),
                    Some("eu-west-1".into())
                ),
                (arn("us-east-1", "fail-stopped"), Some("us-east-1".into())),
                (
                    arn("us-east-1", "fail-stopped-multi-region"),
                    Some("us-east-1".into())
                ),
            ]
        );
    }
}
