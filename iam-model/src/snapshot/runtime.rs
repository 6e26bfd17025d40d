//! Runtime sections of the snapshot (EC2, S3, CloudTrail, KMS, Access Analyzer), in the AWS
//! CLI's output shapes. Only the fields iamsight judges are typed; others are ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{PolicyDocument, Tag};
use crate::time::Timestamp;

/// S3, which is global: the account's public access block and every bucket.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct S3Section {
    /// s3control GetPublicAccessBlock for the account; `None` when not configured.
    #[serde(default)]
    pub account_public_access_block: Option<PublicAccessBlock>,
    /// Every bucket.
    #[serde(default)]
    pub buckets: Vec<Bucket>,
}

/// A bucket with what the per-bucket Get* calls returned.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Bucket {
    /// Name.
    pub name: String,
    /// Creation time.
    #[serde(default)]
    pub creation_date: Option<Timestamp>,
    /// Region (GetBucketLocation, `us-east-1` for null).
    #[serde(default)]
    pub region: Option<String>,
    /// Bucket policy, when one is set.
    #[serde(default)]
    pub policy: Option<PolicyDocument>,
    /// GetBucketPolicyStatus.
    #[serde(default)]
    pub policy_status: Option<PolicyStatus>,
    /// GetBucketAcl.
    #[serde(default)]
    pub acl: Option<BucketAcl>,
    /// GetPublicAccessBlock (bucket level); `None` when not configured.
    #[serde(default)]
    pub public_access_block: Option<PublicAccessBlock>,
    /// GetBucketEncryption's configuration; `None` when not configured.
    #[serde(default)]
    pub encryption: Option<BucketEncryption>,
    /// GetBucketTagging (empty: a bucket without tags, AWS's `NoSuchTagSet`). `None`: not
    /// read (the call failed, or an input without it), so unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// GetBucketPolicyStatus.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyStatus {
    /// AWS's own verdict on the bucket policy.
    #[serde(default)]
    pub is_public: bool,
}

/// The four public access block settings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlock {
    /// Reject new public ACLs.
    #[serde(default)]
    pub block_public_acls: bool,
    /// Ignore existing public ACLs.
    #[serde(default)]
    pub ignore_public_acls: bool,
    /// Reject public bucket policies.
    #[serde(default)]
    pub block_public_policy: bool,
    /// Restrict access to buckets with public policies.
    #[serde(default)]
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four on.
    pub fn all_on(&self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }
}

/// GetBucketAcl.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketAcl {
    /// Grants.
    #[serde(default)]
    pub grants: Vec<Grant>,
}

/// An ACL grant.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Grant {
    /// Who.
    pub grantee: Grantee,
    /// `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`, `FULL_CONTROL`.
    pub permission: String,
}

/// An ACL grantee.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Grantee {
    /// `CanonicalUser`, `Group`, `AmazonCustomerByEmail`.
    #[serde(rename = "Type")]
    pub grantee_type: String,
    /// Canonical id.
    #[serde(rename = "ID", default)]
    pub id: Option<String>,
    /// Group URI.
    #[serde(rename = "URI", default)]
    pub uri: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// The ACL groups that make a bucket public.
pub const PUBLIC_ACL_GROUPS: [&str; 2] = [
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
];

/// GetBucketEncryption's `ServerSideEncryptionConfiguration`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketEncryption {
    /// Rules.
    #[serde(default)]
    pub rules: Vec<EncryptionRule>,
}

/// One encryption rule.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptionRule {
    /// Default encryption.
    #[serde(default)]
    pub apply_server_side_encryption_by_default: Option<SseDefault>,
    /// S3 Bucket Key.
    #[serde(default)]
    pub bucket_key_enabled: Option<bool>,
}

/// Default server-side encryption.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SseDefault {
    /// `AES256`, `aws:kms`, `aws:kms:dsse`.
    #[serde(rename = "SSEAlgorithm")]
    pub sse_algorithm: String,
    /// KMS key.
    #[serde(rename = "KMSMasterKeyID", default)]
    pub kms_master_key_id: Option<String>,
}

/// One region's runtime data.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct RegionSection {
    /// EC2.
    #[serde(default)]
    pub ec2: Option<Ec2Section>,
    /// CloudTrail.
    #[serde(default)]
    pub cloudtrail: Option<CloudTrailSection>,
    /// KMS.
    #[serde(default)]
    pub kms: Option<KmsSection>,
    /// IAM Access Analyzer.
    #[serde(default)]
    pub access_analyzer: Option<AccessAnalyzerSection>,
}

/// EC2 in one region.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ec2Section {
    /// DescribeSecurityGroups.
    #[serde(default)]
    pub security_groups: Vec<SecurityGroup>,
    /// DescribeInstances, reservations flattened.
    #[serde(default)]
    pub instances: Vec<Instance>,
    /// DescribeVolumes.
    #[serde(default)]
    pub volumes: Vec<Volume>,
    /// DescribeSnapshots --owner-ids self, with `Public` from the create-volume permission.
    #[serde(default)]
    pub snapshots: Vec<EbsSnapshot>,
    /// DescribeImages --owners self.
    #[serde(default)]
    pub images: Vec<Image>,
    /// GetEbsEncryptionByDefault.
    #[serde(default)]
    pub ebs_encryption_by_default: Option<bool>,
}

/// A security group.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SecurityGroup {
    /// Id.
    pub group_id: String,
    /// Name (`default` for a VPC's default group).
    pub group_name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Owner account.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// Inbound rules.
    #[serde(default)]
    pub ip_permissions: Vec<IpPermission>,
    /// Outbound rules.
    #[serde(default)]
    pub ip_permissions_egress: Vec<IpPermission>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// One security group rule set.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpPermission {
    /// `tcp`, `udp`, `icmp`, `-1` (all), or a protocol number.
    pub ip_protocol: String,
    /// First port (or ICMP type); absent for all traffic.
    #[serde(default)]
    pub from_port: Option<i64>,
    /// Last port (or ICMP code).
    #[serde(default)]
    pub to_port: Option<i64>,
    /// IPv4 ranges.
    #[serde(default)]
    pub ip_ranges: Vec<IpRange>,
    /// IPv6 ranges.
    #[serde(default)]
    pub ipv6_ranges: Vec<Ipv6Range>,
    /// Other security groups.
    #[serde(default)]
    pub user_id_group_pairs: Vec<UserIdGroupPair>,
    /// Prefix lists.
    #[serde(default)]
    pub prefix_list_ids: Vec<PrefixListId>,
}

/// An IPv4 range in a rule.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IpRange {
    /// CIDR.
    pub cidr_ip: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

/// An IPv6 range in a rule.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ipv6Range {
    /// CIDR.
    pub cidr_ipv6: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

/// A security-group reference in a rule.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserIdGroupPair {
    /// Group id.
    #[serde(default)]
    pub group_id: Option<String>,
    /// Owner account.
    #[serde(default)]
    pub user_id: Option<String>,
}

/// A prefix list in a rule.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PrefixListId {
    /// Id.
    pub prefix_list_id: String,
}

/// An EC2 instance.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Instance {
    /// Id.
    pub instance_id: String,
    /// Type.
    #[serde(default)]
    pub instance_type: Option<String>,
    /// State.
    #[serde(default)]
    pub state: Option<InstanceState>,
    /// Public IPv4 address.
    #[serde(default)]
    pub public_ip_address: Option<String>,
    /// Private IPv4 address.
    #[serde(default)]
    pub private_ip_address: Option<String>,
    /// The instance profile (and so the role) it runs as.
    #[serde(default)]
    pub iam_instance_profile: Option<IamInstanceProfileRef>,
    /// Instance metadata service options.
    #[serde(default)]
    pub metadata_options: Option<MetadataOptions>,
    /// Security groups.
    #[serde(default)]
    pub security_groups: Vec<GroupIdentifier>,
    /// Launch time.
    #[serde(default)]
    pub launch_time: Option<Timestamp>,
    /// VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// Instance state.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InstanceState {
    /// `running`, `stopped`, `terminated`, ...
    pub name: String,
}

/// `IamInstanceProfile` of an instance.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct IamInstanceProfileRef {
    /// Instance profile ARN.
    pub arn: String,
    /// Id.
    #[serde(default)]
    pub id: Option<String>,
}

/// Instance metadata options.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MetadataOptions {
    /// `required` (IMDSv2 only) or `optional`.
    #[serde(default)]
    pub http_tokens: Option<String>,
    /// `enabled` or `disabled`.
    #[serde(default)]
    pub http_endpoint: Option<String>,
}

/// A security group reference on an instance.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GroupIdentifier {
    /// Id.
    pub group_id: String,
    /// Name.
    #[serde(default)]
    pub group_name: Option<String>,
}

/// An EBS volume.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Volume {
    /// Id.
    pub volume_id: String,
    /// Encrypted at rest.
    #[serde(default)]
    pub encrypted: bool,
    /// KMS key.
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// Size in GiB.
    #[serde(default)]
    pub size: Option<i64>,
    /// State.
    #[serde(default)]
    pub state: Option<String>,
    /// Attachments.
    #[serde(default)]
    pub attachments: Vec<VolumeAttachment>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// A volume attachment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VolumeAttachment {
    /// Instance.
    #[serde(default)]
    pub instance_id: Option<String>,
}

/// An EBS snapshot owned by the account.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EbsSnapshot {
    /// Id.
    pub snapshot_id: String,
    /// Source volume.
    #[serde(default)]
    pub volume_id: Option<String>,
    /// Encrypted.
    #[serde(default)]
    pub encrypted: bool,
    /// iamsight's addition (DescribeSnapshotAttribute `createVolumePermission`): shared with
    /// everyone (group `all`). `None`: not read (the call failed, or a plain
    /// `describe-snapshots` output), so unknown, never "private".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// Start time.
    #[serde(default)]
    pub start_time: Option<Timestamp>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// An AMI owned by the account.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Image {
    /// Id.
    pub image_id: String,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Launch permission for everyone. `None`: the input does not say, so unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// CloudTrail in one region.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CloudTrailSection {
    /// DescribeTrails `trailList` (shadow trails of other regions included).
    #[serde(default, alias = "trailList")]
    pub trails: Vec<Trail>,
    /// GetTrailStatus per trail ARN.
    #[serde(default)]
    pub trail_status: BTreeMap<String, TrailStatus>,
}

/// A trail.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Trail {
    /// Name.
    pub name: String,
    /// ARN.
    #[serde(rename = "TrailARN")]
    pub trail_arn: String,
    /// Home region.
    #[serde(default)]
    pub home_region: Option<String>,
    /// Multi-region.
    #[serde(default)]
    pub is_multi_region_trail: bool,
    /// Organization trail.
    #[serde(default)]
    pub is_organization_trail: bool,
    /// Global service events.
    #[serde(default)]
    pub include_global_service_events: bool,
    /// Digest files.
    #[serde(default)]
    pub log_file_validation_enabled: bool,
    /// SSE-KMS key.
    #[serde(default)]
    pub kms_key_id: Option<String>,
    /// Bucket.
    #[serde(default)]
    pub s3_bucket_name: Option<String>,
    /// CloudWatch Logs group.
    #[serde(default)]
    pub cloud_watch_logs_log_group_arn: Option<String>,
    /// iamsight's addition: the trail's tags (ListTags, read in the trail's home region; the
    /// CLI's `describe-trails` has none). `None`: not read, so unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// GetTrailStatus.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrailStatus {
    /// Recording.
    #[serde(default)]
    pub is_logging: bool,
    /// Latest delivery.
    #[serde(default)]
    pub latest_delivery_time: Option<Timestamp>,
}

/// KMS in one region.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KmsSection {
    /// Keys with their metadata, rotation status and tags.
    #[serde(default)]
    pub keys: Vec<KmsKey>,
}

/// A KMS key.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KmsKey {
    /// DescribeKey.
    pub key_metadata: KeyMetadata,
    /// GetKeyRotationStatus (absent where it does not apply).
    #[serde(default)]
    pub key_rotation_enabled: Option<bool>,
    /// ListResourceTags (KMS spells them `TagKey`/`TagValue`). `None`: not read (the call
    /// failed, or an input without it), so unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<KmsTag>>,
    /// GetKeyPolicy.
    #[serde(default)]
    pub policy: Option<PolicyDocument>,
}

/// KMS key metadata.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyMetadata {
    /// Id.
    pub key_id: String,
    /// ARN.
    pub arn: String,
    /// `CUSTOMER` or `AWS`.
    #[serde(default)]
    pub key_manager: Option<String>,
    /// `Enabled`, `Disabled`, `PendingDeletion`, ...
    #[serde(default)]
    pub key_state: Option<String>,
    /// `SYMMETRIC_DEFAULT`, `RSA_2048`, ...
    #[serde(default)]
    pub key_spec: Option<String>,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`, `EXTERNAL_KEY_STORE`.
    #[serde(default)]
    pub origin: Option<String>,
    /// Creation time.
    #[serde(default)]
    pub creation_date: Option<Timestamp>,
}

/// A KMS tag.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KmsTag {
    /// Key.
    pub tag_key: String,
    /// Value.
    #[serde(default)]
    pub tag_value: String,
}

/// IAM Access Analyzer in one region (the CLI writes camelCase here).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AccessAnalyzerSection {
    /// ListAnalyzers.
    #[serde(default)]
    pub analyzers: Vec<Analyzer>,
    /// ListFindingsV2 (active findings).
    #[serde(default)]
    pub findings: Vec<AnalyzerFinding>,
}

/// An analyzer.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Analyzer {
    /// ARN.
    pub arn: String,
    /// Name.
    pub name: String,
    /// `ACCOUNT`, `ORGANIZATION`, `ACCOUNT_UNUSED_ACCESS`, `ORGANIZATION_UNUSED_ACCESS`, ...
    #[serde(rename = "type")]
    pub analyzer_type: String,
    /// `ACTIVE`, `CREATING`, `DISABLED`, `FAILED`.
    #[serde(default)]
    pub status: Option<String>,
    /// ListAnalyzers `configuration`: an unused-access analyzer's window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configuration: Option<AnalyzerConfiguration>,
}

/// ListAnalyzers `configuration` (a union: only unused-access analyzers have one iamsight reads).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzerConfiguration {
    /// `unusedAccess`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_access: Option<UnusedAccessConfiguration>,
}

/// `UnusedAccessConfiguration`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedAccessConfiguration {
    /// Days without use after which the analyzer reports access as unused (1 to 365).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_access_age: Option<i64>,
}

impl Analyzer {
    /// Is this an unused-access analyzer (`ACCOUNT_UNUSED_ACCESS`, `ORGANIZATION_UNUSED_ACCESS`)?
    pub fn is_unused_access(&self) -> bool {
        self.analyzer_type.ends_with("_UNUSED_ACCESS")
    }

    /// `configuration.unusedAccess.unusedAccessAge`, when present.
    pub fn unused_access_age(&self) -> Option<i64> {
        self.configuration
            .as_ref()
            .and_then(|c| c.unused_access.as_ref())
            .and_then(|u| u.unused_access_age)
    }
}

/// An Access Analyzer finding (ListFindingsV2 summary).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzerFinding {
    /// Id.
    pub id: String,
    /// The resource ARN.
    #[serde(default)]
    pub resource: Option<String>,
    /// `AWS::IAM::Role`, ...
    #[serde(default)]
    pub resource_type: Option<String>,
    /// `ExternalAccess`, `UnusedIAMRole`, `UnusedIAMUserAccessKey`, `UnusedIAMUserPassword`,
    /// `UnusedPermission`, ...
    #[serde(default)]
    pub finding_type: Option<String>,
    /// `ACTIVE`, `ARCHIVED`, `RESOLVED`.
    #[serde(default)]
    pub status: Option<String>,
    /// When the finding was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When the IAM entity (or resource policy) behind the finding was last analyzed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyzed_at: Option<Timestamp>,
    /// When the finding was last updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    /// The account that owns the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_owner_account: Option<String>,
    /// iamsight's addition: the analyzer that reported the finding (GetFindingV2's
    /// `analyzerArn` request parameter), since ListFindingsV2 summaries do not name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyzer_arn: Option<String>,
    /// GetFindingV2 `findingDetails`, all pages merged; empty when not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub finding_details: Vec<FindingDetails>,
}

/// GetFindingV2 `FindingDetails`, a union: one member is set. External- and internal-access
/// details are not typed (iamsight does not read them) and are ignored on load.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingDetails {
    /// `UnusedIAMRole`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_iam_role_details: Option<UnusedIamRoleDetails>,
    /// `UnusedIAMUserAccessKey`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_iam_user_access_key_details: Option<UnusedIamUserAccessKeyDetails>,
    /// `UnusedIAMUserPassword`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_iam_user_password_details: Option<UnusedIamUserPasswordDetails>,
    /// `UnusedPermission`: one service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_permission_details: Option<UnusedPermissionDetails>,
}

/// `UnusedIamRoleDetails`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedIamRoleDetails {
    /// When the role was last used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<Timestamp>,
}

/// `UnusedIamUserAccessKeyDetails`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedIamUserAccessKeyDetails {
    /// The key.
    pub access_key_id: String,
    /// When the key was last used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<Timestamp>,
}

/// `UnusedIamUserPasswordDetails`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedIamUserPasswordDetails {
    /// When the password was last used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<Timestamp>,
}

/// `UnusedPermissionDetails`: a service with unused permissions, and the unused actions where
/// AWS has action-level data (no actions: the service as a whole).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedPermissionDetails {
    /// Service prefix, e.g. `s3`.
    pub service_namespace: String,
    /// The unused actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<UnusedAction>,
    /// When the service was last used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<Timestamp>,
}

/// `UnusedAction`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnusedAction {
    /// The action, e.g. `s3:PutBucketPolicy`.
    pub action: String,
    /// When the action was last used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_accessed: Option<Timestamp>,
}

/// Looks a KMS tag up by key.
pub fn kms_tag_value<'a>(tags: &'a [KmsTag], key: &str) -> Option<&'a str> {
    tags.iter()
        .find(|t| t.tag_key == key)
        .map(|t| t.tag_value.as_str())
}
