//! The read-only guard: every SDK client the collector builds carries [`ReadOnlyGuard`], an
//! interceptor that refuses any operation not in [`OPERATIONS`] before it is serialized, so a
//! bug can never change an account. It also counts the calls per operation (`--verbose`).
//!
//! [`OPERATIONS`] is the one list of what the collector may call, with the IAM action each
//! operation needs; `deploy/iamsight-readonly-policy.json` grants exactly those actions (a test
//! keeps the two in step).
//!
//! What the guard covers, and what is read-only by construction instead:
//! - Every client of [`super::Clients`], and the STS client that assumes `--role-arn`
//!   (`clients::assume_role`, not aws-config's `AssumeRoleProvider`, so that `sts:AssumeRole`
//!   passes the guard and is counted).
//! - Not the clients aws-config builds inside the standard credential chain, which no
//!   interceptor of ours can reach: STS for a profile's `role_arn`/`source_profile` chain
//!   (`AssumeRole`) and for web identity (`AssumeRoleWithWebIdentity`), SSO (`GetRoleCredentials`)
//!   and SSO OIDC (`CreateToken`, which refreshes the caller's own SSO session token), and the
//!   IMDS, ECS and `credential_process` providers. They are read-only by construction: each
//!   is private to its provider, which calls exactly those operations with a request aws-config
//!   builds, to obtain credentials, and hands iamsight nothing but those credentials. None of
//!   them can change the scanned account's resources: what changes an account are the
//!   credentials' *uses*, and every use goes through a guarded client.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// One operation the collector may call.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The SDK's service name (`Metadata::service`), e.g. `IAM`, `S3 Control`.
    pub sdk_service: &'static str,
    /// The API operation, e.g. `ListBuckets`.
    pub name: &'static str,
    /// The IAM action it needs, e.g. `s3:ListAllMyBuckets`; `None` when no permission is
    /// needed in the scanned account (`sts:GetCallerIdentity`, and `sts:AssumeRole`, which the
    /// *caller's* account must allow).
    pub action: Option<&'static str>,
}

const fn op(sdk_service: &'static str, name: &'static str, action: &'static str) -> Operation {
    Operation {
        sdk_service,
        name,
        action: Some(action),
    }
}

/// Every operation the collector calls. Nothing else passes the guard.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        sdk_service: "STS",
        name: "GetCallerIdentity",
        action: None,
    },
    Operation {
        sdk_service: "STS",
        name: "AssumeRole",
        action: None,
    },
    // IAM
    op(
        "IAM",
        "GetAccountAuthorizationDetails",
        "iam:GetAccountAuthorizationDetails",
    ),
    op(
        "IAM",
        "GenerateCredentialReport",
        "iam:GenerateCredentialReport",
    ),
    op("IAM", "GetCredentialReport", "iam:GetCredentialReport"),
    op(
        "IAM",
        "GetAccountPasswordPolicy",
        "iam:GetAccountPasswordPolicy",
    ),
    op("IAM", "GetAccountSummary", "iam:GetAccountSummary"),
    op("IAM", "ListVirtualMFADevices", "iam:ListVirtualMFADevices"),
    op(
        "IAM",
        "ListServerCertificates",
        "iam:ListServerCertificates",
    ),
    op("IAM", "ListSAMLProviders", "iam:ListSAMLProviders"),
    op(
        "IAM",
        "ListOpenIDConnectProviders",
        "iam:ListOpenIDConnectProviders",
    ),
    op(
        "IAM",
        "GetOpenIDConnectProvider",
        "iam:GetOpenIDConnectProvider",
    ),
    op(
        "IAM",
        "GenerateServiceLastAccessedDetails",
        "iam:GenerateServiceLastAccessedDetails",
    ),
    op(
        "IAM",
        "GetServiceLastAccessedDetails",
        "iam:GetServiceLastAccessedDetails",
    ),
    op("IAM", "GetRole", "iam:GetRole"),
    op("IAM", "GetUser", "iam:GetUser"),
    op("IAM", "ListAccessKeys", "iam:ListAccessKeys"),
    op("IAM", "GetAccessKeyLastUsed", "iam:GetAccessKeyLastUsed"),
    op("IAM", "GetLoginProfile", "iam:GetLoginProfile"),
    op("IAM", "ListMFADevices", "iam:ListMFADevices"),
    op("IAM", "ListPolicyTags", "iam:ListPolicyTags"),
    // Organizations
    op(
        "Organizations",
        "DescribeOrganization",
        "organizations:DescribeOrganization",
    ),
    op("Organizations", "ListParents", "organizations:ListParents"),
    op(
        "Organizations",
        "ListPoliciesForTarget",
        "organizations:ListPoliciesForTarget",
    ),
    op(
        "Organizations",
        "DescribePolicy",
        "organizations:DescribePolicy",
    ),
    // EC2
    op("EC2", "DescribeRegions", "ec2:DescribeRegions"),
    op(
        "EC2",
        "DescribeSecurityGroups",
        "ec2:DescribeSecurityGroups",
    ),
    op("EC2", "DescribeInstances", "ec2:DescribeInstances"),
    op("EC2", "DescribeVolumes", "ec2:DescribeVolumes"),
    op("EC2", "DescribeSnapshots", "ec2:DescribeSnapshots"),
    op(
        "EC2",
        "DescribeSnapshotAttribute",
        "ec2:DescribeSnapshotAttribute",
    ),
    op("EC2", "DescribeImages", "ec2:DescribeImages"),
    op(
        "EC2",
        "GetEbsEncryptionByDefault",
        "ec2:GetEbsEncryptionByDefault",
    ),
    // S3 (operation names differ from action names here)
    op("S3", "ListBuckets", "s3:ListAllMyBuckets"),
    op("S3", "GetBucketLocation", "s3:GetBucketLocation"),
    op("S3", "GetBucketPolicy", "s3:GetBucketPolicy"),
    op("S3", "GetBucketPolicyStatus", "s3:GetBucketPolicyStatus"),
    op("S3", "GetBucketAcl", "s3:GetBucketAcl"),
    op(
        "S3",
        "GetPublicAccessBlock",
        "s3:GetBucketPublicAccessBlock",
    ),
    op("S3", "GetBucketEncryption", "s3:GetEncryptionConfiguration"),
    op("S3", "GetBucketTagging", "s3:GetBucketTagging"),
    op(
        "S3 Control",
        "GetPublicAccessBlock",
        "s3:GetAccountPublicAccessBlock",
    ),
    // CloudTrail
    op("CloudTrail", "DescribeTrails", "cloudtrail:DescribeTrails"),
    op("CloudTrail", "GetTrailStatus", "cloudtrail:GetTrailStatus"),
    op("CloudTrail", "ListTags", "cloudtrail:ListTags"),
    // KMS
    op("KMS", "ListKeys", "kms:ListKeys"),
    op("KMS", "DescribeKey", "kms:DescribeKey"),
    op("KMS", "GetKeyRotationStatus", "kms:GetKeyRotationStatus"),
    op("KMS", "ListResourceTags", "kms:ListResourceTags"),
    op("KMS", "GetKeyPolicy", "kms:GetKeyPolicy"),
    // Access Analyzer
    op(
        "AccessAnalyzer",
        "ListAnalyzers",
        "access-analyzer:ListAnalyzers",
    ),
    // ListFindingsV2 is authorized by the ListFindings action.
    op(
        "AccessAnalyzer",
        "ListFindingsV2",
        "access-analyzer:ListFindings",
    ),
    // GetFindingV2 is authorized by the GetFinding action.
    op(
        "AccessAnalyzer",
        "GetFindingV2",
        "access-analyzer:GetFinding",
    ),
];

/// Finds an allowed operation.
pub fn allowed(sdk_service: &str, name: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .find(|o| o.sdk_service == sdk_service && o.name == name)
}

/// The `service:Operation` label of collection errors and call counts, e.g.
/// `s3control:GetPublicAccessBlock`.
pub fn label(sdk_service: &str, name: &str) -> String {
    let service: String = sdk_service
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    format!("{service}:{name}")
}

/// The interceptor: refuses operations not in [`OPERATIONS`] and counts the others.
#[derive(Clone, Debug, Default)]
pub struct ReadOnlyGuard {
    calls: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl ReadOnlyGuard {
    /// Calls made so far, per `service:Operation` (refused ones are not counted).
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

impl Intercept for ReadOnlyGuard {
    fn name(&self) -> &'static str {
        "iamsight::ReadOnlyGuard"
    }

    // Not `read_before_execution`: for client-level interceptors that runs before the
    // operation's configuration (and so its name) is known. This is the next hook, still
    // before the request is serialized, signed or sent.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(meta) = cfg.load::<Metadata>() else {
            return Err("refused by iamsight's read-only guard: unnamed operation".into());
        };
        if allowed(meta.service(), meta.name()).is_none() {
            return Err(format!(
                "refused by iamsight's read-only guard: `{}` is not a read operation iamsight calls",
                label(meta.service(), meta.name())
            )
            .into());
        }
        if let Ok(mut calls) = self.calls.lock() {
            *calls.entry(label(meta.service(), meta.name())).or_insert(0) += 1;
        }
        Ok(())
    }
}
