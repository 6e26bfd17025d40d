//! The checks registry: every check iamsight runs, as data, in one slice.
//!
//! A check is a [`Check`] value: stable id (never reused), a kebab-case name that names the
//! problem, documentation (title, rationale, remediation, compliance controls, references)
//! and a plain `run` function over a [`Context`] built once per analysis. Nothing registers
//! itself by side effect: a check exists when it is listed in [`CHECKS`], and the registry
//! tests hold every listed check to the same rules (unique ids and names, docs present, a
//! fixture with `pass-*` and `fail-*` resources that it flags exactly, docs/checks.md fresh).

use std::collections::BTreeMap;

use crate::context::Context;
use crate::report::{Category, Evidence, Finding, Severity, Status};

mod access_analyzer;
mod access_keys;
mod admin_access;
mod admin_compute_role;
mod admin_user_mfa;
mod cloudtrail;
mod console_user_mfa;
mod default_security_group;
mod ebs_encryption;
mod expired_server_certificate;
mod grants;
mod instances;
mod invalid_policy_document;
mod kms_rotation;
mod notaction_allow;
mod password_complexity;
mod password_max_age;
mod password_policy;
mod principal_risk;
mod privilege_escalation;
mod public_images;
mod required_tags;
mod role_grants;
mod root_account;
mod root_hardware_mfa;
mod root_used_recently;
mod s3_default_encryption;
mod s3_insecure_transport;
mod s3_public_access_block;
mod s3_public_bucket;
mod security_group_exposure;
mod security_group_open;
mod service_wildcard;
mod subjects;
mod support_role;
mod toxic;
mod trust_accounts;
mod trust_oidc;
mod unconstrained_write;
mod unknown_action;
mod unused_console_password;
mod unused_principals;
mod user_direct_policies;

/// How to fix what a check finds.
#[derive(Debug)]
pub struct Remediation {
    /// What to do, in the console or in words.
    pub console: &'static str,
    /// An AWS CLI command (or "" when the fix is not a single command).
    pub cli: &'static str,
    /// A Terraform snippet (or "").
    pub terraform: &'static str,
}

/// A check.
#[derive(Debug)]
pub struct Check {
    /// Stable id, e.g. `IAM-001`. Never reused.
    pub id: &'static str,
    /// Kebab-case name that names the problem, e.g. `root-account-without-mfa`.
    pub name: &'static str,
    /// One-line title.
    pub title: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Category.
    pub category: Category,
    /// Source service (`iam`, `ec2`, `s3`, `cloudtrail`, `kms`, `account`).
    pub service: &'static str,
    /// Why it matters.
    pub rationale: &'static str,
    /// How to fix it.
    pub remediation: Remediation,
    /// Compliance controls, e.g. `CIS AWS Foundations 3.0: 1.5`.
    pub compliance: &'static [&'static str],
    /// Documentation links.
    pub references: &'static [&'static str],
    /// The logic.
    pub run: fn(&Context<'_>, &mut Emitter<'_>),
}

/// The checks that ask for the permission graph ([`Context::graph`]): `analyze` builds it
/// up front, beside the unused report, when one is selected. A registry test runs each check
/// and keeps this list true.
pub static USES_GRAPH: &[&str] = &[
    "admin-role-trusted-by-compute-service",
    "admin-user-without-mfa",
    "internet-exposed-instance-with-admin-role",
    "principal-can-escalate-to-admin",
    "principal-can-exfiltrate-data",
    "principal-can-expose-resources",
    "principal-can-modify-infrastructure",
    "principal-can-obtain-credentials",
    "principal-has-admin-access",
];

/// The checks that ask for the unused report ([`Context::unused`]), kept true likewise.
pub static USES_UNUSED: &[&str] = &["unused-permissions"];

/// Every check, in id order.
pub static CHECKS: &[&Check] = &[
    &invalid_policy_document::CHECK,
    &privilege_escalation::CHECK,
    &admin_access::POLICY,
    &admin_access::PRINCIPAL,
    &service_wildcard::CHECK,
    &unconstrained_write::CHECK,
    &notaction_allow::CHECK,
    &role_grants::PASS_ROLE,
    &role_grants::ASSUME_ROLE,
    &unknown_action::CHECK,
    &principal_risk::EXFILTRATE,
    &principal_risk::EXPOSE,
    &principal_risk::CREDENTIALS_CHECK,
    &principal_risk::INFRASTRUCTURE_CHECK,
    &trust_accounts::ANY_PRINCIPAL,
    &trust_accounts::EXTERNAL_WITHOUT_EXTERNAL_ID,
    &trust_accounts::UNKNOWN_ACCOUNT,
    &trust_oidc::CHECK,
    &admin_compute_role::CHECK,
    &root_account::WITHOUT_MFA,
    &root_account::WITH_ACCESS_KEYS,
    &root_hardware_mfa::CHECK,
    &root_used_recently::CHECK,
    &password_policy::MISSING,
    &password_policy::SHORT,
    &password_policy::NO_REUSE_PREVENTION,
    &password_complexity::NO_SYMBOLS,
    &password_complexity::NO_NUMBERS,
    &password_complexity::NO_UPPERCASE,
    &password_complexity::NO_LOWERCASE,
    &password_max_age::CHECK,
    &console_user_mfa::CHECK,
    &admin_user_mfa::CHECK,
    &access_keys::NOT_ROTATED,
    &access_keys::UNUSED,
    &access_keys::NEVER_USED,
    &access_keys::MULTIPLE_ACTIVE,
    &unused_console_password::CHECK,
    &user_direct_policies::CHECK,
    &support_role::CHECK,
    &expired_server_certificate::CHECK,
    &access_analyzer::CHECK,
    &unused_principals::USER,
    &unused_principals::ROLE,
    &unused_principals::EMPTY_GROUP,
    &unused_principals::POLICYLESS_GROUP,
    &unused_principals::UNATTACHED_POLICY,
    &unused_principals::PERMISSIONS,
    &security_group_open::SSH,
    &security_group_exposure::RDP_OPEN,
    &security_group_exposure::ALL_PORTS,
    &security_group_exposure::HIGH_RISK_PORT,
    &default_security_group::CHECK,
    &ebs_encryption::DEFAULT_OFF,
    &ebs_encryption::VOLUME_UNENCRYPTED,
    &public_images::SNAPSHOT,
    &public_images::IMAGE,
    &instances::IMDSV1,
    &instances::PUBLIC_IP,
    &s3_public_access_block::ACCOUNT,
    &s3_public_access_block::BUCKET,
    &s3_public_bucket::POLICY,
    &s3_public_bucket::ACL,
    &s3_default_encryption::CHECK,
    &s3_insecure_transport::CHECK,
    &cloudtrail::NO_MULTI_REGION,
    &cloudtrail::NOT_LOGGING,
    &cloudtrail::NO_VALIDATION,
    &cloudtrail::NO_KMS,
    &cloudtrail::SINGLE_REGION,
    &kms_rotation::CHECK,
    &required_tags::CHECK,
    &toxic::EXPOSED_ADMIN_INSTANCE,
    &toxic::EXTERNAL_SECRETS,
];

/// Looks a check up by id or name.
pub fn find(id_or_name: &str) -> Option<&'static Check> {
    CHECKS
        .iter()
        .copied()
        .find(|c| c.id.eq_ignore_ascii_case(id_or_name) || c.name == id_or_name)
}

/// Where a check writes its findings.
pub struct Emitter<'a> {
    check: &'a Check,
    findings: Vec<Finding>,
}

/// A resource a finding is about.
#[derive(Clone, Debug, Default)]
pub struct Subject {
    /// ARN (or a synthetic id).
    pub resource: String,
    /// Resource type (`iam-user`, ...).
    pub resource_type: String,
    /// Region.
    pub region: Option<String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

impl Subject {
    /// A global resource.
    pub fn new(resource: impl Into<String>, resource_type: &str) -> Subject {
        Subject {
            resource: resource.into(),
            resource_type: resource_type.to_string(),
            ..Subject::default()
        }
    }

    /// Sets the region.
    pub fn in_region(mut self, region: &str) -> Subject {
        self.region = Some(region.to_string());
        self
    }

    /// Sets the tags.
    pub fn with_tags<'t>(mut self, tags: impl IntoIterator<Item = (&'t str, &'t str)>) -> Subject {
        self.tags = tags
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self
    }
}

impl<'a> Emitter<'a> {
    /// An emitter for one check.
    pub fn new(check: &'a Check) -> Emitter<'a> {
        Emitter {
            check,
            findings: Vec::new(),
        }
    }

    /// Records a finding. `detail` distinguishes several findings of one check on one
    /// resource (a port, a statement) and goes into the stable id.
    pub fn emit(
        &mut self,
        subject: Subject,
        detail: &str,
        message: String,
        evidence: Vec<Evidence>,
    ) {
        let id = stable_id(&[self.check.id, &subject.resource, detail]);
        self.findings.push(Finding {
            id,
            check_id: self.check.id.to_string(),
            check: self.check.name.to_string(),
            severity: self.check.severity,
            category: self.check.category,
            service: self.check.service.to_string(),
            resource: subject.resource,
            resource_type: subject.resource_type,
            region: subject.region,
            message,
            evidence,
            tags: subject.tags,
            status: Status::Open,
            suppression: None,
            risk_use: None,
        });
    }

    /// The findings recorded so far.
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// FNV-1a over the parts, separated by NUL: stable across runs, platforms and versions.
pub fn stable_id(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in p.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests;
