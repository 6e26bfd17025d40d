//! The account snapshot: everything iamsight knows about one AWS account, in one document.
//!
//! Sections reuse the AWS CLI JSON output shapes of the APIs they come from (see
//! `docs/snapshot-format.md`), so a snapshot can be assembled from `aws ... --output json`.
//! Policy documents are parsed here, at the edge, into [`PolicyDocument`]s that hold either a
//! typed [`Policy`] or the errors that make it invalid: bad data inside an account is kept,
//! reported later as a finding, and never stops a load.
//!
//! These types only describe data; reading files (and gzip) is the binary's job.
//!
//! ```
//! use iam_model::snapshot::Snapshot;
//! let s = Snapshot::from_json_str(r#"{"UserDetailList":[],"GroupDetailList":[],
//!     "RoleDetailList":[{"RoleName":"r","RoleId":"AROA1","Path":"/","Arn":"arn:aws:iam::111122223333:role/r",
//!       "CreateDate":"2020-01-01T00:00:00Z","AssumeRolePolicyDocument":"%7B%22Statement%22%3A%5B%5D%7D"}],
//!     "Policies":[]}"#).unwrap();
//! assert_eq!(s.account_id, "111122223333");
//! assert!(s.collected_at.is_none()); // a bare authorization-details dump has no "now"
//! assert!(s.authorization_details.roles[0].assume_role_policy_document.as_ref().unwrap().policy().is_err());
//! ```

mod credential_report;
mod iam;
mod organizations;
mod runtime;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use credential_report::{CredentialReport, CredentialReportError, CredentialRow, ReportTime};
pub use iam::*;
pub use organizations::*;
pub use runtime::*;

use crate::policy::{Policy, PolicyErrors};
use crate::time::Timestamp;

/// The snapshot format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// One account's snapshot.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Format version ([`FORMAT_VERSION`]).
    #[serde(rename = "iamsight_snapshot")]
    pub format_version: u32,
    /// The account's 12-digit id.
    pub account_id: String,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    #[serde(default = "default_partition")]
    pub partition: String,
    /// When the data was read: "now" for every analysis. `None` only for a bare
    /// authorization-details dump.
    #[serde(default)]
    pub collected_at: Option<Timestamp>,
    /// APIs that failed during collection: the report shows them as coverage gaps.
    #[serde(default)]
    pub collection_errors: Vec<CollectionError>,
    /// GetAccountAuthorizationDetails, all pages merged.
    #[serde(default)]
    pub authorization_details: AuthorizationDetails,
    /// The credential report, parsed from its CSV text.
    #[serde(default)]
    pub credential_report: Option<CredentialReport>,
    /// When the credential report was generated.
    #[serde(default)]
    pub credential_report_generated_at: Option<Timestamp>,
    /// The account password policy; `None` when no policy is set (or not collected: see
    /// `collection_errors`).
    #[serde(default)]
    pub password_policy: Option<PasswordPolicy>,
    /// GetAccountSummary's `SummaryMap`.
    #[serde(default)]
    pub account_summary: BTreeMap<String, i64>,
    /// ListVirtualMFADevices.
    #[serde(default)]
    pub virtual_mfa_devices: Vec<VirtualMfaDevice>,
    /// ListMFADevices of the users that have MFA, merged: every kind of device, per user.
    #[serde(default)]
    pub mfa_devices: Vec<MfaDevice>,
    /// ListServerCertificates.
    #[serde(default)]
    pub server_certificates: Vec<ServerCertificate>,
    /// ListSAMLProviders.
    #[serde(default)]
    pub saml_providers: Vec<SamlProvider>,
    /// ListOpenIDConnectProviders + GetOpenIDConnectProvider.
    #[serde(default)]
    pub oidc_providers: Vec<OidcProvider>,
    /// Service last-accessed details per entity ARN.
    #[serde(default)]
    pub last_accessed: BTreeMap<String, LastAccessedDetails>,
    /// S3 (global).
    #[serde(default)]
    pub s3: Option<S3Section>,
    /// Regional runtime data, by region name.
    #[serde(default)]
    pub regions: BTreeMap<String, RegionSection>,
    /// AWS Organizations, where readable; `None` when the account is in no organisation.
    #[serde(default)]
    pub organizations: Option<OrganizationsSection>,
}

fn default_partition() -> String {
    "aws".to_string()
}

/// An API call that failed during collection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionError {
    /// `service:Operation`, e.g. `iam:GetCredentialReport`.
    pub operation: String,
    /// The region, for regional calls.
    #[serde(default)]
    pub region: Option<String>,
    /// What AWS said (never credentials).
    pub message: String,
}

/// Why a snapshot could not be read from JSON text.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The JSON is malformed or a field has the wrong shape.
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    /// The document is neither a snapshot nor an authorization-details dump.
    #[error(
        "not an iamsight snapshot (no `iamsight_snapshot` field) nor an `aws iam get-account-authorization-details` output (no `UserDetailList`/`RoleDetailList`)"
    )]
    UnknownShape,
    /// A snapshot from a newer iamsight.
    #[error(
        "snapshot format version {0} is newer than this iamsight understands ({FORMAT_VERSION})"
    )]
    UnsupportedVersion(u32),
}

/// The two document shapes iamsight reads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SnapshotShape {
    /// An iamsight snapshot.
    Snapshot,
    /// A bare GetAccountAuthorizationDetails output.
    AuthorizationDetails,
}

impl SnapshotShape {
    /// Sniffs the shape from the first top-level keys of a JSON document, without parsing it.
    pub fn sniff(json: &str) -> Option<SnapshotShape> {
        // Cheap and good enough: both shapes are objects whose distinguishing keys are unique
        // strings that cannot appear unquoted elsewhere at the top level.
        if json.contains("\"iamsight_snapshot\"") {
            Some(SnapshotShape::Snapshot)
        } else if [
            "\"UserDetailList\"",
            "\"RoleDetailList\"",
            "\"GroupDetailList\"",
            "\"Policies\"",
        ]
        .iter()
        .any(|k| json.contains(k))
        {
            Some(SnapshotShape::AuthorizationDetails)
        } else {
            None
        }
    }
}

impl Snapshot {
    /// Reads a snapshot or a bare authorization-details dump from JSON text.
    ///
    /// Callers that want the JSON path of a bad field use [`Snapshot::deserialize`] through
    /// `serde_path_to_error` and [`Snapshot::from_authorization_details`] themselves.
    pub fn from_json_str(json: &str) -> Result<Snapshot, SnapshotError> {
        match SnapshotShape::sniff(json) {
            Some(SnapshotShape::Snapshot) => {
                let s: Snapshot = serde_json::from_str(json)?;
                s.check_version()?;
                Ok(s)
            }
            Some(SnapshotShape::AuthorizationDetails) => Ok(Snapshot::from_authorization_details(
                serde_json::from_str(json)?,
            )),
            None => Err(SnapshotError::UnknownShape),
        }
    }

    /// Refuses versions newer than this build.
    pub fn check_version(&self) -> Result<(), SnapshotError> {
        if self.format_version > FORMAT_VERSION || self.format_version == 0 {
            return Err(SnapshotError::UnsupportedVersion(self.format_version));
        }
        Ok(())
    }

    /// Wraps a bare GetAccountAuthorizationDetails output. The account id and partition are
    /// taken from the first ARN; there is no collection time.
    pub fn from_authorization_details(details: AuthorizationDetails) -> Snapshot {
        let first = details
            .users
            .iter()
            .map(|u| u.arn.as_str())
            .chain(details.roles.iter().map(|r| r.arn.as_str()))
            .chain(details.groups.iter().map(|g| g.arn.as_str()))
            .chain(
                details
                    .policies
                    .iter()
                    .map(|p| p.arn.as_str())
                    .filter(|a| !a.contains(":iam::aws:")),
            )
            .find_map(|a| a.parse::<crate::Arn>().ok());
        let (account_id, partition) = first
            .map(|a| (a.account, a.partition))
            .unwrap_or_else(|| (String::new(), default_partition()));
        Snapshot {
            format_version: FORMAT_VERSION,
            account_id,
            partition,
            authorization_details: details,
            ..Snapshot::default()
        }
    }
}

/// A policy document as found in the account: its text, and the parsed policy or the errors
/// that make it invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDocument {
    /// The document text (URL-decoded when it arrived encoded).
    pub text: String,
    /// The parsed document, or every error found in it.
    pub parsed: Result<Policy, PolicyErrors>,
}

impl PolicyDocument {
    /// Parses a document from its text (raw or URL-encoded JSON).
    pub fn from_text(text: &str) -> PolicyDocument {
        let decoded = if text.trim_start().starts_with('%') {
            crate::policy::url_decode(text.trim()).unwrap_or_else(|| text.to_string())
        } else {
            text.to_string()
        };
        PolicyDocument {
            parsed: Policy::parse(&decoded),
            text: decoded,
        }
    }

    /// Wraps a policy built in code.
    pub fn from_policy(policy: Policy) -> PolicyDocument {
        PolicyDocument {
            text: policy.to_json(),
            parsed: Ok(policy),
        }
    }

    /// The parsed policy, or its errors.
    pub fn policy(&self) -> Result<&Policy, &PolicyErrors> {
        self.parsed.as_ref()
    }
}

impl Serialize for PolicyDocument {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // Written back as an object when the text is JSON, so snapshots stay readable.
        match serde_json::from_str::<serde_json::Value>(&self.text) {
            Ok(v @ serde_json::Value::Object(_)) => v.serialize(s),
            _ => s.serialize_str(&self.text),
        }
    }
}

impl<'de> Deserialize<'de> for PolicyDocument {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Ok(match &v {
            serde_json::Value::String(s) => PolicyDocument::from_text(s),
            other => PolicyDocument {
                text: other.to_string(),
                parsed: Policy::from_json_value(other),
            },
        })
    }
}

/// A `{"Key": ..., "Value": ...}` tag, as IAM, EC2 and S3 write it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    /// Tag key.
    #[serde(rename = "Key")]
    pub key: String,
    /// Tag value.
    #[serde(rename = "Value", default)]
    pub value: String,
}

/// Finds a tag's value by key (tag keys are case-sensitive in AWS).
pub fn tag_value<'a>(tags: &'a [Tag], key: &str) -> Option<&'a str> {
    tags.iter().find(|t| t.key == key).map(|t| t.value.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_authorization_details_is_detected() {
        let json = r#"{"UserDetailList":[{"UserName":"u","UserId":"AIDA","Path":"/","Arn":"arn:aws-cn:iam::123456789012:user/u","CreateDate":"2019-12-18 19:10:08+00:00"}],"GroupDetailList":[],"RoleDetailList":[],"Policies":[]}"#;
        let s = Snapshot::from_json_str(json).unwrap();
        assert_eq!(s.account_id, "123456789012");
        assert_eq!(s.partition, "aws-cn");
        assert_eq!(s.authorization_details.users[0].user_name, "u");
    }

    #[test]
    fn unknown_shape_and_future_versions_are_refused() {
        assert!(matches!(
            Snapshot::from_json_str("{\"a\":1}"),
            Err(SnapshotError::UnknownShape)
        ));
        let future =
            r#"{"iamsight_snapshot":99,"account_id":"1","collected_at":"2026-01-01T00:00:00Z"}"#;
        assert!(matches!(
            Snapshot::from_json_str(future),
            Err(SnapshotError::UnsupportedVersion(99))
        ));
    }

    #[test]
    fn documents_in_every_form() {
        let raw = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let a: PolicyDocument = serde_json::from_str(raw).unwrap();
        let b: PolicyDocument =
            serde_json::from_value(serde_json::Value::String(raw.into())).unwrap();
        let c: PolicyDocument =
            serde_json::from_value(serde_json::Value::String(encoded.into())).unwrap();
        assert!(a.parsed.is_ok());
        assert_eq!(a.parsed, b.parsed);
        assert_eq!(a.parsed, c.parsed);
        assert_eq!(c.text, raw);
        // Written back as an object.
        assert!(
            serde_json::to_string(&c)
                .unwrap()
                .starts_with("{\"Version\"")
        );
    }
}
