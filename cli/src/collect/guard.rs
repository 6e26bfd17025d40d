//! The read-only guard: every SDK client the collector builds carries [`ReadOnlyGuard`], an
//! interceptor that refuses any operation not in [`OPERATIONS`] before it is serialized, so a
//! bug can never change an account. It also counts the calls per operation (`--verbose`).
//!
//! [`OPERATIONS`] is the one list of what the collector may call, with the IAM action each
//! operation needs; `deploy/iamsight-readonly-policy.json` grants exactly those actions (a test
//! keeps the two in step). The same `allow!` list gives each of those operations' request
//! builders a [`Call`] impl, and the collector sends requests only through [`Call`]: calling
//! an operation that is not listed does not compile, and a test fails on any request sent
//! around it (the SDK's own `send()`), so the list is every operation the collector *can*
//! call, not just the ones a test happened to see.
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
use aws_smithy_runtime_api::client::orchestrator::{HttpResponse, Metadata};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

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

impl Operation {
    /// The `service:Operation` label of collection errors and call counts.
    pub fn label(&self) -> String {
        label(self.sdk_service, self.name)
    }
}

/// An SDK request builder of an allowed operation: the only way the collector sends a
/// request (`Ctx::call` and friends take a `Call`, never a future). A builder of an operation
/// that is not in [`OPERATIONS`] has no `Call` impl, so calling it does not compile; the
/// test `every_sdk_call_goes_through_the_allow_list` keeps anyone from calling the SDK's own
/// `send()` instead.
pub trait Call: Sized {
    /// What the operation answers.
    type Output;
    /// The operation's error.
    type Error: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static;
    /// The operation, as the guard and the call counts name it.
    const OPERATION: Operation;
    /// Sends the request (one call, with the SDK's retries).
    fn send(
        self,
    ) -> impl Future<Output = Result<Self::Output, SdkError<Self::Error, HttpResponse>>>;
}

/// A [`Call`] with an SDK paginator: every page, in order.
pub trait Paged: Call {
    /// Sends the request and every follow-up page request; fails if any page fails.
    fn pages(
        self,
    ) -> impl Future<Output = Result<Vec<Self::Output>, SdkError<Self::Error, HttpResponse>>>;
}

/// Declares the allowed operations: [`OPERATIONS`], and a [`Call`] (and, with `paged`, a
/// [`Paged`]) impl for each one's fluent builder. An entry is
/// `crate::module::{Builder, Output, Error} [paged] => ("SDK service", "Operation", action);`.
macro_rules! allow {
    ($(
        $krate:ident :: $module:ident :: { $builder:ident, $output:ident, $error:ident } $($paged:ident)?
            => ($service:literal, $name:literal, $action:expr);
    )*) => {
        /// Every operation the collector calls. Nothing else passes the guard.
        pub const OPERATIONS: &[Operation] = &[$(
            Operation { sdk_service: $service, name: $name, action: $action },
        )*];

        /// The SDK crate and operation module of each entry of [`OPERATIONS`], in order (for
        /// the test that each entry names the operation its builder sends).
        #[cfg(test)]
        pub const MODULES: &[(&str, &str)] = &[$( (stringify!($krate), stringify!($module)), )*];

        $(
            impl Call for $krate::operation::$module::builders::$builder {
                type Output = $krate::operation::$module::$output;
                type Error = $krate::operation::$module::$error;
                const OPERATION: Operation =
                    Operation { sdk_service: $service, name: $name, action: $action };
                fn send(
                    self,
                ) -> impl Future<Output = Result<Self::Output, SdkError<Self::Error, HttpResponse>>> {
                    // The builder's own (inherent) `send`.
                    $krate::operation::$module::builders::$builder::send(self)
                }
            }
            $( paged!($paged, $krate::operation::$module::builders::$builder); )?
        )*
    };
}

/// The [`Paged`] impl of an `allow!` entry marked `paged`.
macro_rules! paged {
    (paged, $builder:ty) => {
        impl Paged for $builder {
            fn pages(
                self,
            ) -> impl Future<Output = Result<Vec<Self::Output>, SdkError<Self::Error, HttpResponse>>>
            {
                self.into_paginator().send().collect()
            }
        }
    };
}

allow! {
    // STS
    aws_sdk_sts::get_caller_identity::{GetCallerIdentityFluentBuilder, GetCallerIdentityOutput, GetCallerIdentityError}
        => ("STS", "GetCallerIdentity", None);
    aws_sdk_sts::assume_role::{AssumeRoleFluentBuilder, AssumeRoleOutput, AssumeRoleError}
        => ("STS", "AssumeRole", None);
    // IAM
    aws_sdk_iam::get_account_authorization_details::{GetAccountAuthorizationDetailsFluentBuilder, GetAccountAuthorizationDetailsOutput, GetAccountAuthorizationDetailsError}
        => ("IAM", "GetAccountAuthorizationDetails", Some("iam:GetAccountAuthorizationDetails"));
    aws_sdk_iam::generate_credential_report::{GenerateCredentialReportFluentBuilder, GenerateCredentialReportOutput, GenerateCredentialReportError}
        => ("IAM", "GenerateCredentialReport", Some("iam:GenerateCredentialReport"));
    aws_sdk_iam::get_credential_report::{GetCredentialReportFluentBuilder, GetCredentialReportOutput, GetCredentialReportError}
        => ("IAM", "GetCredentialReport", Some("iam:GetCredentialReport"));
    aws_sdk_iam::get_account_password_policy::{GetAccountPasswordPolicyFluentBuilder, GetAccountPasswordPolicyOutput, GetAccountPasswordPolicyError}
        => ("IAM", "GetAccountPasswordPolicy", Some("iam:GetAccountPasswordPolicy"));
    aws_sdk_iam::get_account_summary::{GetAccountSummaryFluentBuilder, GetAccountSummaryOutput, GetAccountSummaryError}
        => ("IAM", "GetAccountSummary", Some("iam:GetAccountSummary"));
    aws_sdk_iam::list_virtual_mfa_devices::{ListVirtualMFADevicesFluentBuilder, ListVirtualMfaDevicesOutput, ListVirtualMFADevicesError} paged
        => ("IAM", "ListVirtualMFADevices", Some("iam:ListVirtualMFADevices"));
    aws_sdk_iam::list_server_certificates::{ListServerCertificatesFluentBuilder, ListServerCertificatesOutput, ListServerCertificatesError} paged
        => ("IAM", "ListServerCertificates", Some("iam:ListServerCertificates"));
    aws_sdk_iam::list_saml_providers::{ListSAMLProvidersFluentBuilder, ListSamlProvidersOutput, ListSAMLProvidersError}
        => ("IAM", "ListSAMLProviders", Some("iam:ListSAMLProviders"));
    aws_sdk_iam::list_open_id_connect_providers::{ListOpenIDConnectProvidersFluentBuilder, ListOpenIdConnectProvidersOutput, ListOpenIDConnectProvidersError}
        => ("IAM", "ListOpenIDConnectProviders", Some("iam:ListOpenIDConnectProviders"));
    aws_sdk_iam::get_open_id_connect_provider::{GetOpenIDConnectProviderFluentBuilder, GetOpenIdConnectProviderOutput, GetOpenIDConnectProviderError}
        => ("IAM", "GetOpenIDConnectProvider", Some("iam:GetOpenIDConnectProvider"));
    aws_sdk_iam::generate_service_last_accessed_details::{GenerateServiceLastAccessedDetailsFluentBuilder, GenerateServiceLastAccessedDetailsOutput, GenerateServiceLastAccessedDetailsError}
        => ("IAM", "GenerateServiceLastAccessedDetails", Some("iam:GenerateServiceLastAccessedDetails"));
    aws_sdk_iam::get_service_last_accessed_details::{GetServiceLastAccessedDetailsFluentBuilder, GetServiceLastAccessedDetailsOutput, GetServiceLastAccessedDetailsError}
        => ("IAM", "GetServiceLastAccessedDetails", Some("iam:GetServiceLastAccessedDetails"));
    aws_sdk_iam::get_role::{GetRoleFluentBuilder, GetRoleOutput, GetRoleError}
        => ("IAM", "GetRole", Some("iam:GetRole"));
    aws_sdk_iam::get_user::{GetUserFluentBuilder, GetUserOutput, GetUserError}
        => ("IAM", "GetUser", Some("iam:GetUser"));
    aws_sdk_iam::list_access_keys::{ListAccessKeysFluentBuilder, ListAccessKeysOutput, ListAccessKeysError}
        => ("IAM", "ListAccessKeys", Some("iam:ListAccessKeys"));
    aws_sdk_iam::get_access_key_last_used::{GetAccessKeyLastUsedFluentBuilder, GetAccessKeyLastUsedOutput, GetAccessKeyLastUsedError}
        => ("IAM", "GetAccessKeyLastUsed", Some("iam:GetAccessKeyLastUsed"));
    aws_sdk_iam::get_login_profile::{GetLoginProfileFluentBuilder, GetLoginProfileOutput, GetLoginProfileError}
        => ("IAM", "GetLoginProfile", Some("iam:GetLoginProfile"));
    aws_sdk_iam::list_mfa_devices::{ListMFADevicesFluentBuilder, ListMfaDevicesOutput, ListMFADevicesError} paged
        => ("IAM", "ListMFADevices", Some("iam:ListMFADevices"));
    aws_sdk_iam::list_policy_tags::{ListPolicyTagsFluentBuilder, ListPolicyTagsOutput, ListPolicyTagsError} paged
        => ("IAM", "ListPolicyTags", Some("iam:ListPolicyTags"));
    aws_sdk_iam::list_saml_provider_tags::{ListSAMLProviderTagsFluentBuilder, ListSamlProviderTagsOutput, ListSAMLProviderTagsError} paged
        => ("IAM", "ListSAMLProviderTags", Some("iam:ListSAMLProviderTags"));
    aws_sdk_iam::list_server_certificate_tags::{ListServerCertificateTagsFluentBuilder, ListServerCertificateTagsOutput, ListServerCertificateTagsError} paged
        => ("IAM", "ListServerCertificateTags", Some("iam:ListServerCertificateTags"));
    aws_sdk_iam::list_mfa_device_tags::{ListMFADeviceTagsFluentBuilder, ListMfaDeviceTagsOutput, ListMFADeviceTagsError} paged
        => ("IAM", "ListMFADeviceTags", Some("iam:ListMFADeviceTags"));
    aws_sdk_iam::get_instance_profile::{GetInstanceProfileFluentBuilder, GetInstanceProfileOutput, GetInstanceProfileError}
        => ("IAM", "GetInstanceProfile", Some("iam:GetInstanceProfile"));
    // Organizations
    aws_sdk_organizations::describe_organization::{DescribeOrganizationFluentBuilder, DescribeOrganizationOutput, DescribeOrganizationError}
        => ("Organizations", "DescribeOrganization", Some("organizations:DescribeOrganization"));
    aws_sdk_organizations::list_parents::{ListParentsFluentBuilder, ListParentsOutput, ListParentsError}
        => ("Organizations", "ListParents", Some("organizations:ListParents"));
    aws_sdk_organizations::list_policies_for_target::{ListPoliciesForTargetFluentBuilder, ListPoliciesForTargetOutput, ListPoliciesForTargetError} paged
        => ("Organizations", "ListPoliciesForTarget", Some("organizations:ListPoliciesForTarget"));
    aws_sdk_organizations::describe_policy::{DescribePolicyFluentBuilder, DescribePolicyOutput, DescribePolicyError}
        => ("Organizations", "DescribePolicy", Some("organizations:DescribePolicy"));
    // EC2
    aws_sdk_ec2::describe_regions::{DescribeRegionsFluentBuilder, DescribeRegionsOutput, DescribeRegionsError}
        => ("EC2", "DescribeRegions", Some("ec2:DescribeRegions"));
    aws_sdk_ec2::describe_security_groups::{DescribeSecurityGroupsFluentBuilder, DescribeSecurityGroupsOutput, DescribeSecurityGroupsError} paged
        => ("EC2", "DescribeSecurityGroups", Some("ec2:DescribeSecurityGroups"));
    aws_sdk_ec2::describe_instances::{DescribeInstancesFluentBuilder, DescribeInstancesOutput, DescribeInstancesError} paged
        => ("EC2", "DescribeInstances", Some("ec2:DescribeInstances"));
    aws_sdk_ec2::describe_volumes::{DescribeVolumesFluentBuilder, DescribeVolumesOutput, DescribeVolumesError} paged
        => ("EC2", "DescribeVolumes", Some("ec2:DescribeVolumes"));
    aws_sdk_ec2::describe_snapshots::{DescribeSnapshotsFluentBuilder, DescribeSnapshotsOutput, DescribeSnapshotsError} paged
        => ("EC2", "DescribeSnapshots", Some("ec2:DescribeSnapshots"));
    aws_sdk_ec2::describe_snapshot_attribute::{DescribeSnapshotAttributeFluentBuilder, DescribeSnapshotAttributeOutput, DescribeSnapshotAttributeError}
        => ("EC2", "DescribeSnapshotAttribute", Some("ec2:DescribeSnapshotAttribute"));
    aws_sdk_ec2::describe_images::{DescribeImagesFluentBuilder, DescribeImagesOutput, DescribeImagesError}
        => ("EC2", "DescribeImages", Some("ec2:DescribeImages"));
    aws_sdk_ec2::get_ebs_encryption_by_default::{GetEbsEncryptionByDefaultFluentBuilder, GetEbsEncryptionByDefaultOutput, GetEbsEncryptionByDefaultError}
        => ("EC2", "GetEbsEncryptionByDefault", Some("ec2:GetEbsEncryptionByDefault"));
    // S3
    // (S3 operation names differ from action names here.)
    aws_sdk_s3::list_buckets::{ListBucketsFluentBuilder, ListBucketsOutput, ListBucketsError}
        => ("S3", "ListBuckets", Some("s3:ListAllMyBuckets"));
    aws_sdk_s3::get_bucket_location::{GetBucketLocationFluentBuilder, GetBucketLocationOutput, GetBucketLocationError}
        => ("S3", "GetBucketLocation", Some("s3:GetBucketLocation"));
    aws_sdk_s3::get_bucket_policy::{GetBucketPolicyFluentBuilder, GetBucketPolicyOutput, GetBucketPolicyError}
        => ("S3", "GetBucketPolicy", Some("s3:GetBucketPolicy"));
    aws_sdk_s3::get_bucket_policy_status::{GetBucketPolicyStatusFluentBuilder, GetBucketPolicyStatusOutput, GetBucketPolicyStatusError}
        => ("S3", "GetBucketPolicyStatus", Some("s3:GetBucketPolicyStatus"));
    aws_sdk_s3::get_bucket_acl::{GetBucketAclFluentBuilder, GetBucketAclOutput, GetBucketAclError}
        => ("S3", "GetBucketAcl", Some("s3:GetBucketAcl"));
    aws_sdk_s3::get_public_access_block::{GetPublicAccessBlockFluentBuilder, GetPublicAccessBlockOutput, GetPublicAccessBlockError}
        => ("S3", "GetPublicAccessBlock", Some("s3:GetBucketPublicAccessBlock"));
    aws_sdk_s3::get_bucket_encryption::{GetBucketEncryptionFluentBuilder, GetBucketEncryptionOutput, GetBucketEncryptionError}
        => ("S3", "GetBucketEncryption", Some("s3:GetEncryptionConfiguration"));
    aws_sdk_s3::get_bucket_tagging::{GetBucketTaggingFluentBuilder, GetBucketTaggingOutput, GetBucketTaggingError}
        => ("S3", "GetBucketTagging", Some("s3:GetBucketTagging"));
    // S3 Control
    aws_sdk_s3control::get_public_access_block::{GetPublicAccessBlockFluentBuilder, GetPublicAccessBlockOutput, GetPublicAccessBlockError}
        => ("S3 Control", "GetPublicAccessBlock", Some("s3:GetAccountPublicAccessBlock"));
    // CloudTrail
    aws_sdk_cloudtrail::describe_trails::{DescribeTrailsFluentBuilder, DescribeTrailsOutput, DescribeTrailsError}
        => ("CloudTrail", "DescribeTrails", Some("cloudtrail:DescribeTrails"));
    aws_sdk_cloudtrail::get_trail_status::{GetTrailStatusFluentBuilder, GetTrailStatusOutput, GetTrailStatusError}
        => ("CloudTrail", "GetTrailStatus", Some("cloudtrail:GetTrailStatus"));
    aws_sdk_cloudtrail::list_tags::{ListTagsFluentBuilder, ListTagsOutput, ListTagsError} paged
        => ("CloudTrail", "ListTags", Some("cloudtrail:ListTags"));
    // KMS
    aws_sdk_kms::list_keys::{ListKeysFluentBuilder, ListKeysOutput, ListKeysError} paged
        => ("KMS", "ListKeys", Some("kms:ListKeys"));
    aws_sdk_kms::describe_key::{DescribeKeyFluentBuilder, DescribeKeyOutput, DescribeKeyError}
        => ("KMS", "DescribeKey", Some("kms:DescribeKey"));
    aws_sdk_kms::get_key_rotation_status::{GetKeyRotationStatusFluentBuilder, GetKeyRotationStatusOutput, GetKeyRotationStatusError}
        => ("KMS", "GetKeyRotationStatus", Some("kms:GetKeyRotationStatus"));
    aws_sdk_kms::list_resource_tags::{ListResourceTagsFluentBuilder, ListResourceTagsOutput, ListResourceTagsError}
        => ("KMS", "ListResourceTags", Some("kms:ListResourceTags"));
    aws_sdk_kms::get_key_policy::{GetKeyPolicyFluentBuilder, GetKeyPolicyOutput, GetKeyPolicyError}
        => ("KMS", "GetKeyPolicy", Some("kms:GetKeyPolicy"));
    // AccessAnalyzer
    aws_sdk_accessanalyzer::list_analyzers::{ListAnalyzersFluentBuilder, ListAnalyzersOutput, ListAnalyzersError} paged
        => ("AccessAnalyzer", "ListAnalyzers", Some("access-analyzer:ListAnalyzers"));
    // ListFindingsV2 and GetFindingV2 are authorized by the ListFindings and GetFinding actions.
    aws_sdk_accessanalyzer::list_findings_v2::{ListFindingsV2FluentBuilder, ListFindingsV2Output, ListFindingsV2Error} paged
        => ("AccessAnalyzer", "ListFindingsV2", Some("access-analyzer:ListFindings"));
    aws_sdk_accessanalyzer::get_finding_v2::{GetFindingV2FluentBuilder, GetFindingV2Output, GetFindingV2Error} paged
        => ("AccessAnalyzer", "GetFindingV2", Some("access-analyzer:GetFinding"));
}

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
