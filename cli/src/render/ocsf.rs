//! `--format ocsf`: OCSF (Open Cybersecurity Schema Framework) events, the shape security
//! data lakes and SIEMs ingest (Amazon Security Lake, Splunk, ...): a JSON array with one
//! Detection Finding (class 2004, category 2 Findings, activity 1 Create) per finding.
//!
//! Mapping: `finding_info.uid` is the finding's stable id, `finding_info.analytic` the check
//! (a rule), `severity_id` follows the finding's severity (info 1 … critical 5), a suppressed
//! finding has `status_id` 3 Suppressed with the reason in `status_detail`, `time` is the
//! snapshot's collection time in epoch milliseconds, `resources[0]` the resource (ARN, type,
//! region, partition, tags as `key=value` labels), `cloud.account` the AWS account,
//! `remediation` the check's guidance and references, `evidences` the exact facts, and
//! `unmapped` what OCSF has no attribute for (check id and name, category, compliance
//! controls). The target schema version is [`OCSF_VERSION`].
//!
//! Validated in the test suite with py-ocsf-models' `DetectionFinding` (no validation error and
//! nothing dropped in a round trip).

use std::collections::BTreeMap;

use analyzer::report::{Finding, Report, Severity, Status};
use iam_model::Timestamp;
use serde::Serialize;

use crate::error::CliError;

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.5.0";

/// Detection Finding.
pub const CLASS_UID: u32 = 2004;
/// Findings.
pub const CATEGORY_UID: u32 = 2;
/// Create: a finding was created.
pub const ACTIVITY_ID: u32 = 1;

/// Renders one Detection Finding per finding, as a JSON array. `fallback_time` is the event
/// time when the report does not know when its snapshot was collected.
pub fn render(report: &Report, fallback_time: Timestamp) -> Result<String, CliError> {
    let time = super::report_time(report, fallback_time).unix_seconds() * 1000;
    let checks = super::checks_by_id(report);
    let events: Vec<Event<'_>> = report
        .findings
        .iter()
        .map(|f| event(report, checks.get(f.check_id.as_str()).copied(), f, time))
        .collect();
    let mut s = serde_json::to_string_pretty(&events).map_err(super::json_error)?;
    s.push('\n');
    Ok(s)
}

/// OCSF `severity_id` and its caption.
pub fn severity(s: Severity) -> (u8, &'static str) {
    match s {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

fn event<'a>(
    report: &'a Report,
    check: Option<&'a analyzer::report::CheckInfo>,
    f: &'a Finding,
    time: i64,
) -> Event<'a> {
    let (severity_id, severity) = severity(f.severity);
    let (status_id, status) = match f.status {
        Status::Open => (1, "New"),
        Status::Suppressed => (3, "Suppressed"),
    };
    let version = env!("CARGO_PKG_VERSION");
    Event {
        activity_id: ACTIVITY_ID,
        activity_name: "Create",
        category_uid: CATEGORY_UID,
        category_name: "Findings",
        class_uid: CLASS_UID,
        class_name: "Detection Finding",
        type_uid: CLASS_UID * 100 + ACTIVITY_ID,
        type_name: "Detection Finding: Create",
        severity_id,
        severity,
        status_id,
        status,
        status_detail: f.suppression.as_deref(),
        time,
        message: &f.message,
        metadata: Metadata {
            version: OCSF_VERSION,
            uid: &f.id,
            event_code: &f.check_id,
            product: Product {
                name: "iamsight",
                vendor_name: "iamsight",
                version,
                url_string: env!("CARGO_PKG_REPOSITORY"),
            },
            profiles: vec!["cloud"],
        },
        finding_info: FindingInfo {
            uid: &f.id,
            title: check.map_or(&f.check, |c| &c.title),
            desc: check.map_or(&f.message, |c| &c.rationale),
            types: vec![f.category.as_str(), &f.check],
            analytic: Analytic {
                uid: &f.check_id,
                name: &f.check,
                type_id: 1,
                r#type: "Rule",
                category: f.category.as_str(),
            },
            first_seen_time: time,
            last_seen_time: time,
            src_url: check.and_then(|c| c.references.first().map(String::as_str)),
        },
        resources: vec![Resource {
            uid: &f.resource,
            name: f.resource.rsplit(['/', ':']).next().unwrap_or(&f.resource),
            r#type: &f.resource_type,
            region: f.region.as_deref(),
            cloud_partition: &report.partition,
            labels: f.tags.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        }],
        cloud: Cloud {
            provider: "AWS",
            region: f.region.as_deref(),
            account: Account {
                uid: &report.account_id,
                name: &report.account_id,
                type_id: 10,
                r#type: "AWS Account",
            },
        },
        remediation: check.map(|c| Remediation {
            desc: &c.remediation,
            references: c.references.iter().map(String::as_str).collect(),
        }),
        evidences: f
            .evidence
            .iter()
            .map(|e| EvidenceArtifact {
                data: EvidenceData {
                    kind: &e.kind,
                    text: &e.text,
                    policy: e.policy.as_deref(),
                    statement: e.statement,
                    sid: e.sid.as_deref(),
                },
            })
            .collect(),
        unmapped: Unmapped {
            check_id: &f.check_id,
            check: &f.check,
            category: f.category.as_str(),
            service: &f.service,
            compliance: check.map(|c| c.compliance.as_slice()).unwrap_or_default(),
            tags: &f.tags,
        },
    }
}

#[derive(Serialize)]
struct Event<'a> {
    activity_id: u32,
    activity_name: &'static str,
    category_uid: u32,
    category_name: &'static str,
    class_uid: u32,
    class_name: &'static str,
    type_uid: u32,
    type_name: &'static str,
    severity_id: u8,
    severity: &'static str,
    status_id: u8,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status_detail: Option<&'a str>,
    time: i64,
    message: &'a str,
    metadata: Metadata<'a>,
    finding_info: FindingInfo<'a>,
    resources: Vec<Resource<'a>>,
    cloud: Cloud<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<Remediation<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    evidences: Vec<EvidenceArtifact<'a>>,
    unmapped: Unmapped<'a>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    version: &'static str,
    uid: &'a str,
    event_code: &'a str,
    product: Product,
    profiles: Vec<&'static str>,
}

#[derive(Serialize)]
struct Product {
    name: &'static str,
    vendor_name: &'static str,
    version: &'static str,
    url_string: &'static str,
}

#[derive(Serialize)]
struct FindingInfo<'a> {
    uid: &'a str,
    title: &'a str,
    desc: &'a str,
    types: Vec<&'a str>,
    analytic: Analytic<'a>,
    first_seen_time: i64,
    last_seen_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    src_url: Option<&'a str>,
}

#[derive(Serialize)]
struct Analytic<'a> {
    uid: &'a str,
    name: &'a str,
    type_id: u8,
    r#type: &'static str,
    category: &'static str,
}

#[derive(Serialize)]
struct Resource<'a> {
    uid: &'a str,
    name: &'a str,
    r#type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    cloud_partition: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    labels: Vec<String>,
}

#[derive(Serialize)]
struct Cloud<'a> {
    provider: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    account: Account<'a>,
}

#[derive(Serialize)]
struct Account<'a> {
    uid: &'a str,
    name: &'a str,
    type_id: u8,
    r#type: &'static str,
}

#[derive(Serialize)]
struct Remediation<'a> {
    desc: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<&'a str>,
}

#[derive(Serialize)]
struct EvidenceArtifact<'a> {
    data: EvidenceData<'a>,
}

#[derive(Serialize)]
struct EvidenceData<'a> {
    kind: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statement: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'a str>,
}

#[derive(Serialize)]
struct Unmapped<'a> {
    check_id: &'a str,
    check: &'a str,
    category: &'static str,
    service: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    compliance: &'a [String],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: &'a BTreeMap<String, String>,
}
