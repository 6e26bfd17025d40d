//! IAM sections of the snapshot, in the AWS CLI's output shapes.

use serde::{Deserialize, Serialize};

use super::{PolicyDocument, Tag};
use crate::time::Timestamp;

/// GetAccountAuthorizationDetails output.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AuthorizationDetails {
    /// `UserDetailList`.
    #[serde(rename = "UserDetailList", default)]
    pub users: Vec<UserDetail>,
    /// `GroupDetailList`.
    #[serde(rename = "GroupDetailList", default)]
    pub groups: Vec<GroupDetail>,
    /// `RoleDetailList`.
    #[serde(rename = "RoleDetailList", default)]
    pub roles: Vec<RoleDetail>,
    /// `Policies`: managed policies (customer and the AWS managed ones in use).
    #[serde(rename = "Policies", default)]
    pub policies: Vec<ManagedPolicyDetail>,
}

/// An inline policy: `{PolicyName, PolicyDocument}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InlinePolicy {
    /// Name, unique per principal.
    pub policy_name: String,
    /// The document.
    pub policy_document: PolicyDocument,
}

/// An attached managed policy reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    /// Name.
    #[serde(default)]
    pub policy_name: String,
    /// ARN.
    pub policy_arn: String,
}

/// A permissions boundary reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PermissionsBoundary {
    /// Always `Policy` today.
    #[serde(default)]
    pub permissions_boundary_type: Option<String>,
    /// The boundary policy's ARN.
    pub permissions_boundary_arn: String,
}

/// `UserDetailList` entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserDetail {
    /// Path.
    #[serde(default = "slash")]
    pub path: String,
    /// Name.
    pub user_name: String,
    /// Unique id (`AIDA...`).
    #[serde(default)]
    pub user_id: String,
    /// ARN.
    pub arn: String,
    /// Creation time.
    pub create_date: Timestamp,
    /// Inline policies.
    #[serde(default)]
    pub user_policy_list: Vec<InlinePolicy>,
    /// Group names.
    #[serde(default)]
    pub group_list: Vec<String>,
    /// Attached managed policies.
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// Permissions boundary.
    #[serde(default)]
    pub permissions_boundary: Option<PermissionsBoundary>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// `GroupDetailList` entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupDetail {
    /// Path.
    #[serde(default = "slash")]
    pub path: String,
    /// Name.
    pub group_name: String,
    /// Unique id (`AGPA...`).
    #[serde(default)]
    pub group_id: String,
    /// ARN.
    pub arn: String,
    /// Creation time.
    pub create_date: Timestamp,
    /// Inline policies.
    #[serde(default)]
    pub group_policy_list: Vec<InlinePolicy>,
    /// Attached managed policies.
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
}

/// `RoleDetailList` entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleDetail {
    /// Path (`/aws-service-role/...` for service-linked roles).
    #[serde(default = "slash")]
    pub path: String,
    /// Name.
    pub role_name: String,
    /// Unique id (`AROA...`).
    #[serde(default)]
    pub role_id: String,
    /// ARN.
    pub arn: String,
    /// Creation time.
    pub create_date: Timestamp,
    /// The trust policy.
    #[serde(default)]
    pub assume_role_policy_document: Option<PolicyDocument>,
    /// Instance profiles that carry the role.
    #[serde(default)]
    pub instance_profile_list: Vec<InstanceProfile>,
    /// Inline policies.
    #[serde(default)]
    pub role_policy_list: Vec<InlinePolicy>,
    /// Attached managed policies.
    #[serde(default)]
    pub attached_managed_policies: Vec<AttachedPolicy>,
    /// Permissions boundary.
    #[serde(default)]
    pub permissions_boundary: Option<PermissionsBoundary>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// When the role was last used, if AWS has seen it used.
    #[serde(default)]
    pub role_last_used: Option<RoleLastUsed>,
}

impl RoleDetail {
    /// Service-linked roles live under `/aws-service-role/`: AWS owns their policies.
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

/// `RoleLastUsed`: empty (`{}`) when the role was never used in the tracking period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleLastUsed {
    /// Last use.
    #[serde(default)]
    pub last_used_date: Option<Timestamp>,
    /// Region of the last use.
    #[serde(default)]
    pub region: Option<String>,
}

/// An instance profile.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceProfile {
    /// Path.
    #[serde(default = "slash")]
    pub path: String,
    /// Name.
    pub instance_profile_name: String,
    /// Id.
    #[serde(default)]
    pub instance_profile_id: String,
    /// ARN.
    pub arn: String,
    /// Creation time.
    #[serde(default)]
    pub create_date: Option<Timestamp>,
    /// The roles in the profile (at most one).
    #[serde(default)]
    pub roles: Vec<RoleRef>,
    /// Tags, as GAAD's entry carries them or, where it has none, GetInstanceProfile. `None`:
    /// not read (the call failed, or an input without it), so unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// A role as listed inside an instance profile (only the identifying fields are kept).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleRef {
    /// Name.
    #[serde(default)]
    pub role_name: String,
    /// ARN.
    pub arn: String,
}

/// `Policies` entry: a managed policy with all its versions.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ManagedPolicyDetail {
    /// Name.
    pub policy_name: String,
    /// Id (`ANPA...`).
    #[serde(default)]
    pub policy_id: String,
    /// ARN (`arn:aws:iam::aws:policy/...` for AWS managed policies).
    pub arn: String,
    /// Path.
    #[serde(default = "slash")]
    pub path: String,
    /// The version in force.
    #[serde(default)]
    pub default_version_id: Option<String>,
    /// Number of principals it is attached to.
    #[serde(default)]
    pub attachment_count: Option<i64>,
    /// Number of principals using it as a boundary.
    #[serde(default)]
    pub permissions_boundary_usage_count: Option<i64>,
    /// Can it be attached.
    #[serde(default)]
    pub is_attachable: Option<bool>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub create_date: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub update_date: Option<Timestamp>,
    /// Every stored version.
    #[serde(default)]
    pub policy_version_list: Vec<PolicyVersionDetail>,
    /// Tags (ListPolicyTags: GAAD does not carry them; customer managed policies only).
    /// `None`: not read (a dump of the CLI's GAAD, or ListPolicyTags failed), so unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

impl ManagedPolicyDetail {
    /// True for `arn:<partition>:iam::aws:policy/...`.
    pub fn is_aws_managed(&self) -> bool {
        self.arn.contains(":iam::aws:policy/")
    }

    /// The default version (the one in force).
    pub fn default_version(&self) -> Option<&PolicyVersionDetail> {
        self.policy_version_list
            .iter()
            .find(|v| v.is_default_version)
            .or_else(|| {
                let id = self.default_version_id.as_deref()?;
                self.policy_version_list.iter().find(|v| v.version_id == id)
            })
    }
}

/// One stored version of a managed policy.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersionDetail {
    /// The document.
    pub document: PolicyDocument,
    /// `v1`, `v2`, ...
    pub version_id: String,
    /// Is this the version in force.
    #[serde(default)]
    pub is_default_version: bool,
    /// When this version was created.
    #[serde(default)]
    pub create_date: Option<Timestamp>,
}

fn slash() -> String {
    "/".to_string()
}

/// GetAccountPasswordPolicy's `PasswordPolicy`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    /// Minimum length.
    #[serde(default)]
    pub minimum_password_length: Option<i64>,
    /// Requires a symbol.
    #[serde(default)]
    pub require_symbols: bool,
    /// Requires a digit.
    #[serde(default)]
    pub require_numbers: bool,
    /// Requires an upper-case letter.
    #[serde(default)]
    pub require_uppercase_characters: bool,
    /// Requires a lower-case letter.
    #[serde(default)]
    pub require_lowercase_characters: bool,
    /// Users may change their own password.
    #[serde(default)]
    pub allow_users_to_change_password: bool,
    /// Passwords expire.
    #[serde(default)]
    pub expire_passwords: bool,
    /// Days before a password expires.
    #[serde(default)]
    pub max_password_age: Option<i64>,
    /// Number of previous passwords that cannot be reused.
    #[serde(default)]
    pub password_reuse_prevention: Option<i64>,
    /// An expired password can only be reset by an administrator.
    #[serde(default)]
    pub hard_expiry: Option<bool>,
}

/// ListVirtualMFADevices entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VirtualMfaDevice {
    /// Serial number (an ARN for virtual devices).
    pub serial_number: String,
    /// The user it is assigned to.
    #[serde(default)]
    pub user: Option<MfaUser>,
    /// When it was enabled.
    #[serde(default)]
    pub enable_date: Option<Timestamp>,
    /// iamsight's addition: tags (ListMFADeviceTags; the list call carries none). `None`: not read
    /// (the call failed, or an input without it), so unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// The user a virtual MFA device belongs to.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaUser {
    /// ARN (`arn:aws:iam::ACCOUNT:root` for the root user).
    pub arn: String,
    /// Name.
    #[serde(default)]
    pub user_name: Option<String>,
}

/// ListMFADevices entry: an MFA device of an IAM user (virtual, hardware or FIDO).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MfaDevice {
    /// The user.
    pub user_name: String,
    /// Serial number: an ARN for virtual and FIDO devices, the device's serial for hardware
    /// ones.
    pub serial_number: String,
    /// When it was enabled for the user.
    #[serde(default)]
    pub enable_date: Option<Timestamp>,
}

/// ListServerCertificates entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServerCertificate {
    /// Name.
    pub server_certificate_name: String,
    /// ARN.
    pub arn: String,
    /// Expiry.
    #[serde(default)]
    pub expiration: Option<Timestamp>,
    /// Upload time.
    #[serde(default)]
    pub upload_date: Option<Timestamp>,
    /// iamsight's addition: tags (ListServerCertificateTags; the list call carries none). `None`: not read
    /// (the call failed, or an input without it), so unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// ListSAMLProviders entry.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SamlProvider {
    /// ARN.
    pub arn: String,
    /// Creation time.
    #[serde(default)]
    pub create_date: Option<Timestamp>,
    /// Expiry of the metadata document.
    #[serde(default)]
    pub valid_until: Option<Timestamp>,
    /// iamsight's addition: tags (ListSAMLProviderTags; the list call carries none). `None`: not read
    /// (the call failed, or an input without it), so unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// An OIDC provider.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OidcProvider {
    /// ARN.
    pub arn: String,
    /// Issuer URL without scheme.
    #[serde(default)]
    pub url: Option<String>,
    /// Audiences.
    #[serde(rename = "ClientIDList", default)]
    pub client_id_list: Vec<String>,
    /// Tags (GetOpenIDConnectProvider). `None`: not read (the call failed, or an input
    /// without it), so unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// GetServiceLastAccessedDetails output for one entity.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LastAccessedDetails {
    /// `COMPLETED`, `IN_PROGRESS`, `FAILED`.
    #[serde(default)]
    pub job_status: Option<String>,
    /// `SERVICE_LEVEL` or `ACTION_LEVEL`.
    #[serde(default)]
    pub job_type: Option<String>,
    /// When the job was created.
    #[serde(default)]
    pub job_creation_date: Option<Timestamp>,
    /// When it completed.
    #[serde(default)]
    pub job_completion_date: Option<Timestamp>,
    /// One entry per service the entity's policies allow.
    #[serde(default)]
    pub services_last_accessed: Vec<ServiceLastAccessed>,
}

/// One service in a last-accessed report.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceLastAccessed {
    /// Display name.
    #[serde(default)]
    pub service_name: String,
    /// Prefix (`s3`).
    pub service_namespace: String,
    /// Last authenticated use; absent when not used in the tracking period.
    #[serde(default)]
    pub last_authenticated: Option<Timestamp>,
    /// Which entity used it (for groups and policies).
    #[serde(default)]
    pub last_authenticated_entity: Option<String>,
    /// Region of the last use.
    #[serde(default)]
    pub last_authenticated_region: Option<String>,
    /// Number of entities that used it.
    #[serde(default)]
    pub total_authenticated_entities: Option<i64>,
    /// Present only for services AWS tracks at action level: one entry per tracked action.
    #[serde(default)]
    pub tracked_actions_last_accessed: Option<Vec<TrackedActionLastAccessed>>,
}

/// One tracked action in a last-accessed report.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrackedActionLastAccessed {
    /// Action name without prefix (`GetObject`).
    pub action_name: String,
    /// Which entity used it.
    #[serde(default)]
    pub last_accessed_entity: Option<String>,
    /// Last use; absent when not used in the tracking period.
    #[serde(default)]
    pub last_accessed_time: Option<Timestamp>,
    /// Region of the last use.
    #[serde(default)]
    pub last_accessed_region: Option<String>,
}
