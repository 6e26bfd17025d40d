//! `--format sarif`: SARIF 2.1.0 (OASIS), the format code-scanning tools (GitHub code
//! scanning, Azure DevOps, IDE viewers) import.
//!
//! One `reportingDescriptor` rule per check that ran (id = check id, name = check name, help =
//! remediation and references, tags = category, service and compliance controls, default level
//! from the check's severity), one result per finding. A result is located twice: logically on
//! the resource ARN (kind `resource`), and physically on the snapshot file the user passed
//! (`demo-account.json` for `--demo`; none for a live collection), at the line where the
//! resource appears when it can be found there. Policies named in the evidence become related
//! locations. The finding's stable id is the partial fingerprint, so code-scanning tools track a
//! finding across runs; suppressed findings carry a `suppressions` entry (kind `external`: the
//! suppression lives in `iamsight.toml`, not in the analysed file). Coverage gaps become tool
//! execution notifications.
//!
//! Validated in the test suite against the SARIF 2.1.0 JSON schema and by Microsoft's SARIF
//! multitool (`validate`).

use std::collections::{BTreeSet, HashMap, HashSet};

use analyzer::report::{CheckInfo, Finding, Report, Severity, Status};
use serde::Serialize;

use super::{DEMO_FILE_NAME, Source};
use crate::error::CliError;

/// The schema URI every SARIF 2.1.0 log names.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The partial-fingerprint key of a finding's stable id.
pub const FINGERPRINT: &str = "iamsightFindingId/v1";

/// Renders the report as one SARIF log with one run.
pub fn render(report: &Report, source: &Source) -> Result<String, CliError> {
    let log = build(report, source);
    let mut s = serde_json::to_string_pretty(&log).map_err(super::json_error)?;
    s.push('\n');
    Ok(s)
}

/// SARIF `level` for a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning's `security-severity` (a CVSS-like score) for a severity.
fn security_severity(s: Severity) -> Option<&'static str> {
    match s {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

fn build<'a>(report: &'a Report, source: &Source) -> Log<'a> {
    let rule_index: HashMap<&str, usize> = report
        .checks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let artifact = artifact_uri(source);
    let text = match source {
        Source::Demo(text) => Some(*text),
        Source::File {
            text: Some(text), ..
        } => Some(text.as_str()),
        _ => None,
    };
    let positions = text.map_or_else(HashMap::new, |t| locate(t, &report.findings));
    // A finding on something the file does not name (the account's password policy, a
    // setting) is located on the whole file.
    let whole_file = text.map(|t| Region {
        start_line: 1,
        start_column: None,
        end_line: t.lines().count().max(1),
        end_column: None,
    });
    let results = report
        .findings
        .iter()
        .map(|f| {
            result(
                f,
                rule_index.get(f.check_id.as_str()).copied(),
                artifact.as_deref(),
                &positions,
                whole_file,
            )
        })
        .collect();
    let notifications: Vec<Notification> = report
        .coverage_gaps
        .iter()
        .map(|g| Notification {
            level: "warning",
            message: Message::sentence(&match &g.region {
                Some(r) => format!("Not analysed: {} in {r}: {}", g.operation, g.message),
                None => format!("Not analysed: {}: {}", g.operation, g.message),
            }),
        })
        .collect();
    let version = env!("CARGO_PKG_VERSION");
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "iamsight",
                    full_name: format!("iamsight {version}"),
                    version,
                    semantic_version: version,
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: report.checks.iter().map(rule).collect(),
                },
            },
            automation_details: AutomationDetails {
                id: format!("iamsight/{}/", report.account_id),
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            column_kind: "utf16CodeUnits",
            results,
            properties: RunProperties {
                account_id: &report.account_id,
                partition: &report.partition,
                collected_at: report.collected_at.as_deref(),
                catalog: &report.catalog,
                report_version: report.report_version,
            },
        }],
    }
}

fn rule(c: &CheckInfo) -> Rule<'_> {
    let mut tags = vec![
        "security".to_string(),
        c.category.as_str().to_string(),
        c.service.clone(),
    ];
    tags.extend(c.compliance.iter().cloned());
    let mut text = c.remediation.clone();
    let mut markdown = format!("**Remediation.** {}", c.remediation);
    if !c.references.is_empty() {
        text.push_str("\n\nReferences:");
        markdown.push_str("\n\n**References**\n");
        for r in &c.references {
            text.push_str(&format!("\n- {r}"));
            markdown.push_str(&format!("\n- <{r}>"));
        }
    }
    if !c.compliance.is_empty() {
        markdown.push_str(&format!("\n\n**Compliance.** {}", c.compliance.join(", ")));
    }
    Rule {
        id: &c.id,
        name: &c.name,
        short_description: Message::sentence(&c.title),
        full_description: Message::sentence(&c.rationale),
        help: MultiformatMessage { text, markdown },
        help_uri: c.references.first().map(String::as_str),
        default_configuration: RuleConfiguration {
            level: level(c.severity),
        },
        properties: RuleProperties {
            tags,
            security_severity: security_severity(c.severity),
            severity: c.severity.as_str(),
            category: c.category.as_str(),
            service: &c.service,
        },
    }
}

fn result<'a>(
    f: &'a Finding,
    rule_index: Option<usize>,
    artifact: Option<&str>,
    positions: &HashMap<&str, Position>,
    whole_file: Option<Region>,
) -> SarifResult<'a> {
    let physical = artifact.map(|uri| PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri: uri.to_string(),
        },
        region: lookup(positions, &f.resource)
            .map(Region::from)
            .or(whole_file),
    });
    let policies: BTreeSet<&str> = f
        .evidence
        .iter()
        .filter_map(|e| e.policy.as_deref())
        .collect();
    let related = policies
        .into_iter()
        .enumerate()
        .map(|(i, p)| Location {
            id: Some(i),
            message: Some(Message::sentence(&format!("Evidence: policy `{p}`"))),
            physical_location: artifact.and_then(|uri| {
                positions.get(p).map(|pos| PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: uri.to_string(),
                    },
                    region: Some(Region::from(*pos)),
                })
            }),
            logical_locations: vec![LogicalLocation {
                name: short_name(p),
                fully_qualified_name: p,
                kind: "resource",
            }],
        })
        .collect();
    SarifResult {
        rule_id: &f.check_id,
        rule_index,
        level: level(f.severity),
        message: Message::sentence(&f.message),
        locations: vec![Location {
            id: None,
            message: None,
            physical_location: physical,
            logical_locations: vec![LogicalLocation {
                name: short_name(&f.resource),
                fully_qualified_name: &f.resource,
                kind: "resource",
            }],
        }],
        related_locations: related,
        partial_fingerprints: [(FINGERPRINT, f.id.as_str())].into_iter().collect(),
        suppressions: match f.status {
            Status::Open => Vec::new(),
            Status::Suppressed => vec![Suppression {
                kind: "external",
                status: "accepted",
                justification: f.suppression.as_deref().unwrap_or(""),
            }],
        },
        properties: ResultProperties {
            finding_id: &f.id,
            check: &f.check,
            severity: f.severity.as_str(),
            category: f.category.as_str(),
            service: &f.service,
            resource_type: &f.resource_type,
            region: f.region.as_deref(),
            tags: f.tags.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            evidence: f
                .evidence
                .iter()
                .map(|e| EvidenceProperty {
                    kind: &e.kind,
                    text: &e.text,
                    policy: e.policy.as_deref(),
                    statement: e.statement,
                    sid: e.sid.as_deref(),
                    actions: &e.actions,
                })
                .collect(),
            risk_use: f.risk_use.as_ref().map(|r| r.verdict),
        },
    }
}

/// The URI results are located in: the snapshot file as the user named it (a relative path
/// stays relative, so code scanning resolves it against the repository), `demo-account.json`
/// for the demo, nothing for a live collection.
fn artifact_uri(source: &Source) -> Option<String> {
    match source {
        Source::Demo(_) => Some(DEMO_FILE_NAME.to_string()),
        Source::Live => None,
        Source::File { path, .. } => {
            let p = path.to_string_lossy().replace('\\', "/");
            let p = p.strip_prefix("./").unwrap_or(&p);
            if p.starts_with('/') {
                Some(format!("file://{}", percent_encode(p)))
            } else {
                Some(percent_encode(p))
            }
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The last part of an ARN (`alice` of `arn:aws:iam::1:user/dev/alice`).
fn short_name(arn: &str) -> &str {
    arn.rsplit(['/', ':'])
        .find(|s| !s.is_empty())
        .unwrap_or(arn)
}

/// Where a string literal is in the snapshot text: its line, and the columns of its opening
/// quote and just past its closing quote (1-based, UTF-16 code units).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Position {
    line: usize,
    column: usize,
    end_column: usize,
}

/// The names a resource may appear under in a snapshot: its ARN, or, for resources the
/// AWS APIs identify by id or name (security groups, volumes, buckets), the part after the
/// ARN's last `/` or an S3 ARN's `:::`.
fn names(resource: &str) -> impl Iterator<Item = &str> {
    let id = resource
        .strip_prefix("arn:")
        .and_then(|_| {
            resource
                .rsplit_once('/')
                .map(|(_, id)| id)
                .or_else(|| resource.split_once(":::").map(|(_, id)| id))
        })
        .filter(|id| id.len() >= 3);
    std::iter::once(resource).chain(id)
}

fn lookup(positions: &HashMap<&str, Position>, resource: &str) -> Option<Position> {
    names(resource).find_map(|n| positions.get(n).copied())
}

/// One pass over the snapshot's JSON text: the first position of every string literal that is
/// a resource name or a policy of a finding. The snapshot already parsed, so the text is JSON;
/// this scanner only needs to find string literals and skip their escapes.
fn locate<'t>(text: &'t str, findings: &[Finding]) -> HashMap<&'t str, Position> {
    let mut wanted: HashSet<&str> = HashSet::new();
    for f in findings {
        wanted.extend(names(&f.resource));
        wanted.extend(f.evidence.iter().filter_map(|e| e.policy.as_deref()));
    }
    let mut found = HashMap::new();
    let bytes = text.as_bytes();
    let (mut i, mut line, mut line_start) = (0, 1, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
                i += 1;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    j += if bytes[j] == b'\\' { 2 } else { 1 };
                }
                let end = j.min(bytes.len());
                if let Some(s) = text.get(start..end)
                    && wanted.contains(s)
                    && !found.contains_key(s)
                {
                    let column = text
                        .get(line_start..i)
                        .map_or(1, |p| p.encode_utf16().count() + 1);
                    let end_column = column + s.encode_utf16().count() + 2;
                    found.insert(
                        s,
                        Position {
                            line,
                            column,
                            end_column,
                        },
                    );
                }
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    found
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    invocations: Vec<Invocation>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    full_name: String,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Message,
    full_description: Message,
    help: MultiformatMessage,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<&'a str>,
    default_configuration: RuleConfiguration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct RuleConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: Vec<String>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    severity: &'static str,
    category: &'static str,
    service: &'a str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    /// SARIF asks for plain-text messages as complete sentences ending with a period (the
    /// multitool's SARIF2001); report messages are lines without one.
    fn sentence(text: &str) -> Message {
        let text = text.trim_end();
        Message {
            text: if text.ends_with(['.', '!', '?']) {
                text.to_string()
            } else {
                format!("{text}.")
            },
        }
    }
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    account_id: &'a str,
    partition: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    collected_at: Option<&'a str>,
    catalog: &'a str,
    report_version: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Message,
    locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    partial_fingerprints: std::collections::BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize, Clone, Copy)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    end_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

impl From<Position> for Region {
    fn from(p: Position) -> Region {
        Region {
            start_line: p.line,
            start_column: Some(p.column),
            end_line: p.line,
            end_column: Some(p.end_column),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    finding_id: &'a str,
    check: &'a str,
    severity: &'static str,
    category: &'static str,
    service: &'a str,
    resource_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    evidence: Vec<EvidenceProperty<'a>>,
    /// Risk × use of a risky grant (`safe-to-remove`, `constrain`, `not-judged`).
    #[serde(rename = "riskUse", skip_serializing_if = "Option::is_none")]
    risk_use: Option<analyzer::report::UseVerdict>,
}

#[derive(Serialize)]
struct EvidenceProperty<'a> {
    kind: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    statement: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sid: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    actions: &'a [String],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_are_located_by_line_and_utf16_column() {
        let text = "{\n  \"Users\": [\n    {\"Arn\": \"arn:aws:iam::1:user/alice\", \"n\": \"é\\\"x\"},\n    {\"GroupId\": \"sg-0abc\"}\n  ]\n}";
        let f = |resource: &str| Finding {
            id: "x".into(),
            check_id: "C".into(),
            check: "c".into(),
            severity: Severity::Low,
            category: analyzer::report::Category::Unused,
            service: "iam".into(),
            resource: resource.into(),
            resource_type: "t".into(),
            region: None,
            message: "m".into(),
            evidence: vec![],
            tags: Default::default(),
            status: Status::Open,
            suppression: None,
            risk_use: None,
        };
        let findings = [
            f("arn:aws:iam::1:user/alice"),
            f("arn:aws:ec2:us-east-1:1:security-group/sg-0abc"),
        ];
        let pos = locate(text, &findings);
        assert_eq!(
            lookup(&pos, "arn:aws:iam::1:user/alice"),
            Some(Position {
                line: 3,
                column: 13,
                end_column: 40
            })
        );
        assert_eq!(
            lookup(&pos, "arn:aws:ec2:us-east-1:1:security-group/sg-0abc"),
            Some(Position {
                line: 4,
                column: 17,
                end_column: 26
            })
        );
        assert_eq!(lookup(&pos, "arn:aws:iam::1:user/bob"), None);
    }

    #[test]
    fn artifact_uris_stay_relative_and_are_encoded() {
        let file = |p: &str| Source::File {
            path: p.into(),
            text: None,
        };
        assert_eq!(
            artifact_uri(&file("./snapshots/prod acct.json")).as_deref(),
            Some("snapshots/prod%20acct.json")
        );
        assert_eq!(
            artifact_uri(&file("/tmp/a.json.gz")).as_deref(),
            Some("file:///tmp/a.json.gz")
        );
        assert_eq!(
            artifact_uri(&Source::Demo("")).as_deref(),
            Some("demo-account.json")
        );
        assert_eq!(artifact_uri(&Source::Live), None);
    }

    #[test]
    fn short_names_are_the_last_arn_part() {
        assert_eq!(short_name("arn:aws:iam::1:user/dev/alice"), "alice");
        assert_eq!(short_name("arn:aws:s3:::bucket"), "bucket");
        assert_eq!(short_name("arn:aws:iam::1:root"), "root");
    }
}
