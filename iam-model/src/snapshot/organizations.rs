//! AWS Organizations, as seen from the scanned account: the organisation, the account's
//! place in it, and the service and resource control policies that apply to it.

use serde::{Deserialize, Serialize};

use super::PolicyDocument;

/// The organisation section (absent when the account is not in an organisation, or when it
/// could not be read: see `collection_errors`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrganizationsSection {
    /// `aws organizations describe-organization` → `.Organization`.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// `aws organizations list-parents`, walked from the account up to the root, nearest
    /// first.
    #[serde(default)]
    pub parents: Vec<OrgParent>,
    /// `aws organizations describe-policy` → `.Policy` for every SCP and RCP attached to the
    /// account or one of its parents, with the targets (among those) it is attached to.
    #[serde(default)]
    pub policies: Vec<OrgPolicy>,
    /// `aws organizations list-accounts` → `.Accounts`: the organisation's accounts, where
    /// the snapshot has them (only the management account or a delegated administrator may
    /// list them; `iamsight collect` does not read them yet).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<OrgAccount>,
}

/// One account of the organisation (ListAccounts' `Account`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrgAccount {
    /// The 12-digit id.
    pub id: String,
    /// ARN.
    #[serde(default)]
    pub arn: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, ...
    #[serde(default)]
    pub status: Option<String>,
}

/// DescribeOrganization's `Organization`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Organization {
    /// `o-...`.
    #[serde(default)]
    pub id: Option<String>,
    /// ARN.
    #[serde(default)]
    pub arn: Option<String>,
    /// `ALL` or `CONSOLIDATED_BILLING` (no SCPs without `ALL`).
    #[serde(default)]
    pub feature_set: Option<String>,
    /// The management account.
    #[serde(default)]
    pub master_account_id: Option<String>,
}

/// A parent: an organizational unit or the root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrgParent {
    /// `ou-...` or `r-...`.
    pub id: String,
    /// `ORGANIZATIONAL_UNIT` or `ROOT`.
    #[serde(rename = "Type")]
    pub parent_type: String,
}

/// A control policy with its document.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrgPolicy {
    /// What the policy is.
    pub policy_summary: OrgPolicySummary,
    /// The document.
    #[serde(default)]
    pub content: Option<PolicyDocument>,
    /// The account id and parent ids it is attached to (iamsight's addition).
    #[serde(default)]
    pub targets: Vec<String>,
}

/// A policy summary.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OrgPolicySummary {
    /// `p-...`.
    pub id: String,
    /// ARN.
    #[serde(default)]
    pub arn: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// `SERVICE_CONTROL_POLICY` or `RESOURCE_CONTROL_POLICY`.
    #[serde(rename = "Type", default)]
    pub policy_type: Option<String>,
    /// An AWS managed policy (`FullAWSAccess`).
    #[serde(default)]
    pub aws_managed: Option<bool>,
}
