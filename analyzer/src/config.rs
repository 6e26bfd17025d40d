//! Analysis settings: thresholds, required tags, known accounts, severity overrides and
//! suppressions. Plain data with defaults; the binary reads `iamsight.toml` into it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::report::Severity;

/// Every setting a check may read. Checks never hold thresholds as literals.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Numbers the checks compare against.
    pub thresholds: Thresholds,
    /// Tags that must be present, per resource type (`iam-user`, `iam-role`, `s3-bucket`,
    /// `ec2-instance`, `ec2-volume`, `ec2-snapshot`, `ec2-image`, `ec2-security-group`,
    /// `kms-key`) or `*` for all.
    pub required_tags: BTreeMap<String, Vec<String>>,
    /// Ports that must not be open to the whole internet (databases, caches, file sharing,
    /// search and admin consoles). SSH (22) and RDP (3389) have checks of their own.
    pub high_risk_ports: Vec<u16>,
    /// Accounts outside this one that are trusted on purpose (partners, the org's others).
    pub known_accounts: Vec<String>,
    /// Severity overrides by check id or name.
    pub severity: BTreeMap<String, Severity>,
    /// Findings to suppress.
    pub suppressions: Vec<Suppression>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            thresholds: Thresholds::default(),
            required_tags: BTreeMap::from([("*".to_string(), vec!["owner".to_string()])]),
            high_risk_ports: vec![
                20, 21, 23, 25, 445, 1433, 1521, 3306, 5432, 5439, 5984, 6379, 7199, 8888, 9042,
                9200, 9300, 11211, 27017, 27018,
            ],
            known_accounts: Vec::new(),
            severity: BTreeMap::new(),
            suppressions: Vec::new(),
        }
    }
}

/// Numeric thresholds, in days unless named otherwise.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// A principal or permission not used for this long is unused.
    pub unused_days: i64,
    /// An access key or password not used for this long is unused.
    pub unused_credential_days: i64,
    /// Access keys older than this should be rotated.
    pub access_key_max_age_days: i64,
    /// Root used within this many days is "used recently".
    pub root_recent_use_days: i64,
    /// Minimum password length.
    pub password_min_length: i64,
    /// Minimum number of remembered passwords.
    pub password_reuse_prevention: i64,
    /// Maximum password age.
    pub password_max_age_days: i64,
    /// Grants younger than this are kept by suggestions.
    pub new_grant_grace_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            unused_days: 90,
            unused_credential_days: 45,
            access_key_max_age_days: 90,
            root_recent_use_days: 90,
            password_min_length: 14,
            password_reuse_prevention: 24,
            password_max_age_days: 90,
            new_grant_grace_days: 14,
        }
    }
}

/// A suppression: a check, a resource glob, a reason and an optional expiry.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Suppression {
    /// Check id or name.
    pub check: String,
    /// Resource ARN glob (`*` and `?`).
    #[serde(default = "star")]
    pub resource: String,
    /// Why (required: a suppression without a reason is not reviewable).
    pub reason: String,
    /// Date after which the suppression stops (RFC 3339 date).
    #[serde(default)]
    pub expires: Option<iam_model::Timestamp>,
}

fn star() -> String {
    "*".to_string()
}
