//! The report model: the one structure every renderer (table, JSON, CSV, SARIF, OCSF, JUnit,
//! HTML) is built from.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a finding is.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity `{s}` (expected info, low, medium, high or critical)")
            })
    }
}

/// What kind of problem a check finds.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Unused identities, credentials, policies or permissions.
    Unused,
    /// Grants broader than needed.
    OverlyPermissive,
    /// A principal can gain more permissions.
    PrivilegeEscalation,
    /// Can read data out of the account.
    DataExfiltration,
    /// Can change who may access resources.
    ResourceExposure,
    /// Can obtain credentials.
    CredentialExposure,
    /// Can change infrastructure.
    InfrastructureModification,
    /// Trust policies admitting too much.
    RiskyTrust,
    /// Reachable or readable from the internet.
    PublicExposure,
    /// Data at rest without encryption.
    Encryption,
    /// Logging and monitoring.
    Logging,
    /// Account and credential hygiene.
    IdentityHygiene,
    /// Network exposure.
    Network,
    /// Missing ownership tags.
    Tagging,
    /// Policies that do not parse or name unknown actions.
    PolicyHygiene,
    /// Several weaknesses that together open a path to compromise.
    ToxicCombination,
}

impl Category {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Unused => "unused",
            Category::OverlyPermissive => "overly-permissive",
            Category::PrivilegeEscalation => "privilege-escalation",
            Category::DataExfiltration => "data-exfiltration",
            Category::ResourceExposure => "resource-exposure",
            Category::CredentialExposure => "credential-exposure",
            Category::InfrastructureModification => "infrastructure-modification",
            Category::RiskyTrust => "risky-trust",
            Category::PublicExposure => "public-exposure",
            Category::Encryption => "encryption",
            Category::Logging => "logging",
            Category::IdentityHygiene => "identity-hygiene",
            Category::Network => "network",
            Category::Tagging => "tagging",
            Category::PolicyHygiene => "policy-hygiene",
            Category::ToxicCombination => "toxic-combination",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a finding counts.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Counts towards `--fail-on`.
    Open,
    /// Matched a live suppression.
    Suppressed,
}

/// One fact that supports a finding: the exact policy statement, attribute or date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// What this is (`policy`, `statement`, `attribute`, `last-used`, `path-step`, ...).
    pub kind: String,
    /// A human line: `statement 0 (Sid "Admin") allows "*" on "*"`.
    pub text: String,
    /// Policy ARN or `inline:<principal arn>:<name>`, when the evidence is in a policy.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub policy: Option<String>,
    /// Statement index in that policy.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub statement: Option<usize>,
    /// The statement's Sid.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sid: Option<String>,
    /// The actions of that statement the evidence is about (`s3:*`, `iam:PassRole`); empty
    /// when it is about the whole statement.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub actions: Vec<String>,
}

impl Evidence {
    /// Plain evidence.
    pub fn text(kind: &str, text: impl Into<String>) -> Evidence {
        Evidence {
            kind: kind.to_string(),
            text: text.into(),
            policy: None,
            statement: None,
            sid: None,
            actions: Vec::new(),
        }
    }

    /// The same evidence, about these actions of its statement.
    pub fn about(mut self, actions: impl IntoIterator<Item = impl Into<String>>) -> Evidence {
        self.actions = actions.into_iter().map(Into::into).collect();
        self
    }
}

/// Risk × use: what to do with a risky grant, given whether its holders use it. Ordered as
/// findings are: `safe-to-remove` first.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UseVerdict {
    /// Every holder's last-accessed data says the grant was not used in the window
    /// (`tracked-unused` or `service-unused`): removing it takes nothing anyone uses.
    SafeToRemove,
    /// Some holder used it in the window: constrain it (resources, conditions), do not remove
    /// it.
    Constrain,
    /// Its use cannot be judged: AWS does not track the actions, the holders or the grant are
    /// younger than the window, or there is no last-accessed data.
    NotJudged,
}

impl UseVerdict {
    /// The words a reader sees.
    pub fn as_str(self) -> &'static str {
        match self {
            UseVerdict::SafeToRemove => "safe to remove",
            UseVerdict::Constrain => "constrain, do not remove",
            UseVerdict::NotJudged => "use not judged",
        }
    }
}

/// A risky grant's verdict with its reason (also the finding's `risk-use` evidence line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskUse {
    /// What to do.
    pub verdict: UseVerdict,
    /// Why: which actions were used (and when) or were not, by whom.
    pub reason: String,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id: the same check on the same resource and detail gives the same id in every run.
    pub id: String,
    /// The check's id.
    pub check_id: String,
    /// The check's name.
    pub check: String,
    /// Severity (after overrides).
    pub severity: Severity,
    /// Category.
    pub category: Category,
    /// Source service (`iam`, `ec2`, `s3`, ...).
    pub service: String,
    /// The resource ARN (or a synthetic id for resources without one).
    pub resource: String,
    /// Resource type (`iam-user`, `ec2-security-group`, ...).
    pub resource_type: String,
    /// Region, for regional resources.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub region: Option<String>,
    /// One line saying what is wrong with this resource.
    pub message: String,
    /// The exact facts.
    pub evidence: Vec<Evidence>,
    /// The resource's tags (for filters).
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub tags: BTreeMap<String, String>,
    /// Open or suppressed.
    pub status: Status,
    /// The suppression's reason, when suppressed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub suppression: Option<String>,
    /// For a risky grant (admin access, service wildcards, unconstrained writes, PassRole or
    /// AssumeRole on every role, the per-principal risk categories): whether it is used, and
    /// so whether it is safe to remove.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub risk_use: Option<RiskUse>,
}

/// A check's documentation as carried in the report (for renderers that need rule metadata).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInfo {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Title.
    pub title: String,
    /// Default severity.
    pub severity: Severity,
    /// Category.
    pub category: Category,
    /// Service.
    pub service: String,
    /// Why it matters.
    pub rationale: String,
    /// How to fix.
    pub remediation: String,
    /// Compliance controls.
    pub compliance: Vec<String>,
    /// References.
    pub references: Vec<String>,
}

/// Counts for the summary.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Open findings by severity.
    pub by_severity: BTreeMap<String, usize>,
    /// Open findings by category.
    pub by_category: BTreeMap<String, usize>,
    /// Open findings by service.
    pub by_service: BTreeMap<String, usize>,
    /// Open findings.
    pub open: usize,
    /// Suppressed findings.
    pub suppressed: usize,
    /// Checks run.
    pub checks_run: usize,
}

/// A part of the account the analysis could not see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageGap {
    /// The API that failed, or the section that is missing.
    pub operation: String,
    /// Region, for regional calls.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub region: Option<String>,
    /// Why.
    pub message: String,
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Report format version.
    pub report_version: u32,
    /// `iamsight <version>`.
    pub tool: String,
    /// Catalog version used.
    pub catalog: String,
    /// The account.
    pub account_id: String,
    /// Partition.
    pub partition: String,
    /// The snapshot's collection time ("now" for the analysis), if known.
    pub collected_at: Option<String>,
    /// Counts.
    pub summary: Summary,
    /// What could not be analysed.
    pub coverage_gaps: Vec<CoverageGap>,
    /// Every check that ran, with its documentation.
    pub checks: Vec<CheckInfo>,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Least-privilege suggestions per principal, when they were asked for (the HTML report
    /// shows them beside each principal's unused permissions; `iamsight suggest` is the full
    /// form, with what was kept and why).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<PolicySuggestion>,
}

/// The least-privilege suggestion for one principal, as the report carries it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySuggestion {
    /// The principal ARN.
    pub principal: String,
    /// The suggested documents, each replacing one of today's policies.
    pub policies: Vec<SuggestedDocument>,
    /// How many permissions the suggestion drops.
    pub removed: usize,
    /// Size-limit splits and other remarks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// One suggested policy document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedDocument {
    /// Its name.
    pub name: String,
    /// The grant it replaces: a managed policy ARN or `inline:<holder>:<name>`.
    pub replaces: String,
    /// The policy document.
    pub document: serde_json::Value,
}
