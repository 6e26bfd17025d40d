//! Customer managed policy templates: what real teams write, good and (a small fraction) bad.

use serde_json::{Value, json};

use crate::rng::Rng;

/// What a customer managed policy is for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// An application's S3 prefix, DynamoDB tables and queues, scoped by ARN.
    AppData,
    /// CloudWatch Logs writes for one team's log groups.
    Logs,
    /// Secrets Manager reads under `team/app/`.
    Secrets,
    /// `kms:Decrypt` through S3 only (`kms:ViaService`).
    Kms,
    /// `Describe*`/`Get*`/`List*` wildcards on `*`.
    ReadOnly,
    /// Team developer access: ABAC on `aws:PrincipalTag` with `${...}` variables, office IPs.
    Developer,
    /// Deny everything but MFA setup without MFA (`NotAction` + `BoolIfExists`).
    RequireMfa,
    /// Users manage their own credentials (`${aws:username}`).
    SelfService,
    /// A CI deploy policy: CloudFormation, Lambda updates, PassRole scoped to the team.
    Deploy,
    /// A permissions boundary.
    Boundary,
    /// Read access for a cross-account auditor.
    CrossAccountRead,
    /// Bad: `service:*` on `*`.
    ServiceWildcard,
    /// Bad: `Allow` + `NotAction` on `*` (a home-made PowerUser).
    NotActionAllow,
    /// Bad: `iam:PassRole` on `*` with `lambda:CreateFunction` (escalation).
    PassRoleLambda,
    /// Bad: `iam:CreatePolicyVersion` on the team's own policies (escalation).
    SelfPolicyVersion,
    /// Bad: `iam:CreateAccessKey` on every user (escalation).
    CreateAccessKeyAny,
    /// Bad: `sts:AssumeRole` on `*`.
    AssumeAnyRole,
    /// Bad: `*` on `*`.
    FullAdmin,
    /// Bad: a typo in an action name.
    UnknownAction,
    /// Bad: destructive writes on `*`.
    WriteNoResource,
}

impl Kind {
    /// The policy name suffix.
    #[expect(
        clippy::explicit_auto_deref,
        reason = "the picked item is a &&'static str; the deref names the static str returned"
    )]
    pub fn suffix(self, rng: &mut Rng) -> &'static str {
        match self {
            Kind::AppData => *rng.pick(&["data-access", "app-access", "runtime"]),
            Kind::Logs => "logs-write",
            Kind::Secrets => "secrets-read",
            Kind::Kms => "kms-decrypt",
            Kind::ReadOnly => *rng.pick(&["readonly", "observability", "describe"]),
            Kind::Developer => "developer",
            Kind::RequireMfa => "require-mfa",
            Kind::SelfService => "self-service-credentials",
            Kind::Deploy => *rng.pick(&["deploy", "ci-deploy", "release"]),
            Kind::Boundary => "boundary",
            Kind::CrossAccountRead => "auditor-read",
            Kind::ServiceWildcard => *rng.pick(&["full", "admin", "all"]),
            Kind::NotActionAllow => "power-user",
            Kind::PassRoleLambda => "lambda-deployer",
            Kind::SelfPolicyVersion => "policy-manager",
            Kind::CreateAccessKeyAny => "key-rotation",
            Kind::AssumeAnyRole => "assume-roles",
            Kind::FullAdmin => "full-access",
            Kind::UnknownAction => "reporting",
            Kind::WriteNoResource => "queue-admin",
        }
    }

    /// Deliberately bad kinds (the checks must fire on them).
    pub fn is_bad(self) -> bool {
        self >= Kind::ServiceWildcard
    }
}

/// The mix of customer policy kinds, in per-mille. About 9% are bad.
pub const MIX: &[(u32, Kind)] = &[
    (300, Kind::AppData),
    (60, Kind::Logs),
    (80, Kind::Secrets),
    (40, Kind::Kms),
    (90, Kind::ReadOnly),
    (80, Kind::Developer),
    (15, Kind::RequireMfa),
    (15, Kind::SelfService),
    (70, Kind::Deploy),
    (40, Kind::Boundary),
    (20, Kind::CrossAccountRead),
    (30, Kind::ServiceWildcard),
    (10, Kind::NotActionAllow),
    (10, Kind::PassRoleLambda),
    (8, Kind::SelfPolicyVersion),
    (5, Kind::CreateAccessKeyAny),
    (10, Kind::AssumeAnyRole),
    (2, Kind::FullAdmin),
    (5, Kind::UnknownAction),
    (10, Kind::WriteNoResource),
];

/// Where a policy lives.
pub struct Site<'a> {
    /// Account id.
    pub account: &'a str,
    /// Team.
    pub team: &'a str,
    /// Application.
    pub app: &'a str,
    /// Environment.
    pub env: &'a str,
    /// Home region.
    pub region: &'a str,
}

fn policy(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Office egress ranges (documentation ranges, RFC 5737).
pub const OFFICE_CIDRS: &[&str] = &["198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24"];

/// The document of a policy of `kind` for `site`.
pub fn document(kind: Kind, s: &Site<'_>, rng: &mut Rng) -> Value {
    let (a, t, p, e, r) = (s.account, s.team, s.app, s.env, s.region);
    let bucket = format!("{t}-{p}-{e}");
    match kind {
        Kind::AppData => {
            let mut st = vec![
                json!({"Sid": "ListBucket", "Effect": "Allow", "Action": "s3:ListBucket",
                       "Resource": format!("arn:aws:s3:::{bucket}"),
                       "Condition": {"StringLike": {"s3:prefix": [format!("{p}/*"), "shared/*"]}}}),
                json!({"Sid": "Objects", "Effect": "Allow",
                       "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                       "Resource": format!("arn:aws:s3:::{bucket}/{p}/*")}),
            ];
            if rng.chance(0.7) {
                st.push(json!({"Sid": "Tables", "Effect": "Allow",
                    "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                               "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem"],
                    "Resource": [format!("arn:aws:dynamodb:{r}:{a}:table/{t}-{p}-*"),
                                 format!("arn:aws:dynamodb:{r}:{a}:table/{t}-{p}-*/index/*")]}));
            }
            if rng.chance(0.5) {
                st.push(json!({"Sid": "Queues", "Effect": "Allow",
                    "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage",
                               "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                    "Resource": format!("arn:aws:sqs:{r}:{a}:{t}-{p}-*")}));
            }
            if rng.chance(0.3) {
                st.push(
                    json!({"Sid": "Events", "Effect": "Allow", "Action": "sns:Publish",
                    "Resource": format!("arn:aws:sns:{r}:{a}:{t}-{p}-events")}),
                );
            }
            policy(st)
        }
        Kind::Logs => policy(vec![json!({"Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                       "logs:DescribeLogStreams"],
            "Resource": [format!("arn:aws:logs:*:{a}:log-group:/aws/lambda/{t}-*"),
                         format!("arn:aws:logs:*:{a}:log-group:/{t}/*:*")]})]),
        Kind::Secrets => policy(vec![
            json!({"Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": format!("arn:aws:secretsmanager:{r}:{a}:secret:{t}/{p}/*")}),
            json!({"Effect": "Allow", "Action": "ssm:GetParameter*",
                "Resource": format!("arn:aws:ssm:{r}:{a}:parameter/{t}/{p}/*")}),
        ]),
        Kind::Kms => policy(vec![json!({"Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": format!("arn:aws:kms:{r}:{a}:key/{}", uuid(rng)),
            "Condition": {"StringEquals": {"kms:ViaService": [format!("s3.{r}.amazonaws.com"),
                                                              format!("secretsmanager.{r}.amazonaws.com")]}}})]),
        Kind::ReadOnly => policy(vec![json!({"Effect": "Allow",
            "Action": ["ec2:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
                       "cloudwatch:Describe*", "logs:Describe*", "logs:Get*", "logs:FilterLogEvents",
                       "s3:ListAllMyBuckets", "s3:GetBucketLocation", "tag:GetResources"],
            "Resource": "*"})]),
        Kind::Developer => policy(vec![
            json!({"Sid": "TeamInstances", "Effect": "Allow",
                "Action": ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"],
                "Resource": format!("arn:aws:ec2:*:{a}:instance/*"),
                "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}),
            json!({"Sid": "TeamBuckets", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "s3:PutObject"],
                "Resource": ["arn:aws:s3:::${aws:PrincipalTag/team}-*",
                             "arn:aws:s3:::${aws:PrincipalTag/team}-*/*"]}),
            json!({"Sid": "TeamFunctions", "Effect": "Allow",
                "Action": ["lambda:GetFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionCode",
                           "lambda:ListFunctions"],
                "Resource": format!("arn:aws:lambda:*:{a}:function:{t}-*")}),
            json!({"Sid": "FromTheOffice", "Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": OFFICE_CIDRS},
                              "Bool": {"aws:ViaAWSService": "false"}}}),
        ]),
        Kind::RequireMfa => policy(vec![json!({"Sid": "DenyAllExceptListedIfNoMFA",
            "Effect": "Deny",
            "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser",
                          "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice",
                          "sts:GetSessionToken", "iam:ChangePassword"],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}})]),
        Kind::SelfService => policy(vec![
            json!({"Sid": "OwnCredentials", "Effect": "Allow",
                "Action": ["iam:ChangePassword", "iam:GetLoginProfile", "iam:CreateAccessKey",
                           "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey",
                           "iam:ListSSHPublicKeys", "iam:UploadSSHPublicKey"],
                "Resource": format!("arn:aws:iam::{a}:user/${{aws:username}}")}),
            json!({"Sid": "OwnMfa", "Effect": "Allow",
                "Action": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices",
                           "iam:ResyncMFADevice"],
                "Resource": [format!("arn:aws:iam::{a}:mfa/${{aws:username}}"),
                             format!("arn:aws:iam::{a}:user/${{aws:username}}")]}),
        ]),
        Kind::Deploy => policy(vec![
            json!({"Sid": "Stacks", "Effect": "Allow", "Action": "cloudformation:*",
                "Resource": format!("arn:aws:cloudformation:{r}:{a}:stack/{t}-*/*")}),
            json!({"Sid": "Functions", "Effect": "Allow",
                "Action": ["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
                           "lambda:PublishVersion", "lambda:UpdateAlias", "lambda:GetFunction"],
                "Resource": format!("arn:aws:lambda:{r}:{a}:function:{t}-*")}),
            json!({"Sid": "Artifacts", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                "Resource": format!("arn:aws:s3:::{t}-build-artifacts-{a}/*")}),
            json!({"Sid": "PassTeamRoles", "Effect": "Allow", "Action": "iam:PassRole",
                "Resource": format!("arn:aws:iam::{a}:role/{t}-*"),
                "Condition": {"StringEquals": {"iam:PassedToService": ["lambda.amazonaws.com",
                                                                       "cloudformation.amazonaws.com"]}}}),
        ]),
        Kind::Boundary => policy(vec![
            json!({"Sid": "Workloads", "Effect": "Allow",
                "Action": ["s3:*", "dynamodb:*", "sqs:*", "sns:*", "logs:*", "cloudwatch:*",
                           "lambda:*", "ec2:Describe*", "secretsmanager:GetSecretValue",
                           "kms:Decrypt", "xray:Put*", "ssm:GetParameter*"],
                "Resource": "*"}),
            json!({"Sid": "NoIamChanges", "Effect": "Deny",
                "Action": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}),
            json!({"Sid": "KeepBoundary", "Effect": "Deny",
                "Action": ["iam:DeleteUserPermissionsBoundary", "iam:DeleteRolePermissionsBoundary"],
                "Resource": "*"}),
        ]),
        Kind::CrossAccountRead => policy(vec![json!({"Effect": "Allow",
            "Action": ["iam:Get*", "iam:List*", "iam:GenerateCredentialReport",
                       "iam:GenerateServiceLastAccessedDetails", "config:Describe*", "config:Get*",
                       "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus",
                       "s3:GetBucketPolicy", "s3:GetBucketAcl", "s3:GetEncryptionConfiguration"],
            "Resource": "*"})]),
        Kind::ServiceWildcard => {
            let svc = *rng.pick(&["s3", "dynamodb", "ec2", "sqs", "lambda", "rds"]);
            policy(vec![
                json!({"Effect": "Allow", "Action": format!("{svc}:*"), "Resource": "*"}),
            ])
        }
        Kind::NotActionAllow => policy(vec![
            json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"],
                   "Resource": "*"}),
            json!({"Effect": "Allow",
                   "Action": ["iam:GetRole", "iam:ListRoles", "iam:CreateServiceLinkedRole"],
                   "Resource": "*"}),
        ]),
        Kind::PassRoleLambda => policy(vec![
            json!({"Sid": "Functions", "Effect": "Allow",
                "Action": ["lambda:CreateFunction", "lambda:InvokeFunction", "lambda:UpdateFunctionCode",
                           "lambda:GetFunction", "lambda:ListFunctions"],
                "Resource": "*"}),
            json!({"Sid": "PassAnyRole", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}),
        ]),
        Kind::SelfPolicyVersion => {
            policy(vec![json!({"Sid": "ManageTeamPolicies", "Effect": "Allow",
            "Action": ["iam:CreatePolicyVersion", "iam:DeletePolicyVersion", "iam:GetPolicy",
                       "iam:GetPolicyVersion", "iam:ListPolicyVersions"],
            "Resource": format!("arn:aws:iam::{a}:policy/{t}-*")})])
        }
        Kind::CreateAccessKeyAny => policy(vec![json!({"Sid": "RotateKeys", "Effect": "Allow",
            "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys",
                       "iam:UpdateAccessKey"],
            "Resource": format!("arn:aws:iam::{a}:user/*")})]),
        Kind::AssumeAnyRole => policy(vec![json!({"Effect": "Allow", "Action": "sts:AssumeRole",
            "Resource": "*"})]),
        Kind::FullAdmin => policy(vec![
            json!({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        ]),
        Kind::UnknownAction => policy(vec![json!({"Effect": "Allow",
            "Action": ["athena:StartQueryExecution", "athena:GetQueryResults", "athena:GetQueryExecution",
                       "s3:GetObjcet", "glue:GetTable", "glue:GetDatabase"],
            "Resource": "*"})]),
        Kind::WriteNoResource => policy(vec![json!({"Effect": "Allow",
            "Action": ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:PurgeQueue", "sqs:SetQueueAttributes",
                       "sns:DeleteTopic", "sns:Publish"],
            "Resource": "*"})]),
    }
}

/// An older, narrower first version of a policy (stored, not in force).
pub fn older_version(current: &Value) -> Value {
    let mut v = current.clone();
    if let Some(Value::Array(st)) = v.get_mut("Statement")
        && st.len() > 1
    {
        st.pop();
    }
    v
}

/// A random UUID-shaped id (KMS key ids).
pub fn uuid(rng: &mut Rng) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        rng.hex(8),
        rng.hex(4),
        rng.hex(4),
        rng.hex(4),
        rng.hex(12)
    )
}
