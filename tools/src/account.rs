//! The synthetic account: principals, policies, usage, credentials and runtime resources.
//!
//! Everything is drawn from [`Rng`] streams forked from the seed per section, and every
//! collection that reaches the output is ordered (vectors, `BTreeMap`s), so one seed gives
//! one byte sequence.

use std::collections::{BTreeMap, BTreeSet};

use iam_model::Timestamp;
use iam_model::catalog::{ActionSet, Catalog, Expander};
use iam_model::policy::{Effect, Policy};
use iam_model::snapshot::*;
use serde_json::{Value, json};

use crate::managed::{self, AwsManaged};
use crate::policies::{self, Kind, Site};
use crate::rng::Rng;

/// How big an account to generate, and from which seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// IAM users.
    pub users: usize,
    /// IAM roles (service-linked and fixed ones included).
    pub roles: usize,
    /// IAM groups.
    pub groups: usize,
    /// Customer managed policies.
    pub policies: usize,
    /// The seed: same seed, same bytes.
    pub seed: u64,
}

impl Params {
    /// The sizes: `small` (50 users, 200 roles, 20 groups, 100 policies), `medium`
    /// (500, 2,000, 100, 1,000) and `large` (2,000, 10,000, 300, 5,000).
    pub fn preset(size: &str, seed: u64) -> Option<Params> {
        let (users, roles, groups, policies) = match size {
            "small" => (50, 200, 20, 100),
            "medium" => (500, 2_000, 100, 1_000),
            "large" => (2_000, 10_000, 300, 5_000),
            _ => return None,
        };
        Some(Params {
            users,
            roles,
            groups,
            policies,
            seed,
        })
    }
}

/// "Now" of every generated account: its `collected_at`, 2026-11-30T12:00:00Z.
pub const NOW: Timestamp = Timestamp(1_796_040_000);

const DAY: i64 = 86_400;

const TEAMS: &[&str] = &[
    "payments",
    "platform",
    "data",
    "web",
    "mobile",
    "search",
    "identity",
    "billing",
    "growth",
    "ml",
    "sre",
    "security",
    "analytics",
    "checkout",
    "catalog",
    "logistics",
    "support",
    "marketing",
    "infra",
    "risk",
];

const APPS: &[&str] = &[
    "api",
    "worker",
    "ingest",
    "etl",
    "frontend",
    "gateway",
    "scheduler",
    "reports",
    "notifier",
    "indexer",
    "auth",
    "ledger",
    "exporter",
    "sync",
    "crawler",
    "pipeline",
];

const ENVS: &[(u32, &str)] = &[(50, "prod"), (30, "staging"), (20, "dev")];

const REGIONS: &[(u32, &str)] = &[(60, "us-east-1"), (25, "eu-west-1"), (15, "us-west-2")];

const FIRST: &[&str] = &[
    "maria", "james", "wei", "priya", "ahmed", "olga", "kenji", "fatima", "lucas", "sofia", "noah",
    "amara", "liam", "chen", "elena", "mateo", "aisha", "jonas", "yuki", "omar", "ines", "david",
    "hana", "samuel", "leila", "tomas", "nina", "raj", "emma", "ivan", "zoe", "kwame", "lea",
    "diego", "sara", "felix", "mira", "arjun", "clara", "hugo",
];

const LAST: &[&str] = &[
    "garcia",
    "smith",
    "wang",
    "sharma",
    "hassan",
    "petrova",
    "tanaka",
    "okafor",
    "silva",
    "rossi",
    "muller",
    "nguyen",
    "kim",
    "johnson",
    "lopez",
    "novak",
    "dubois",
    "kowalski",
    "jensen",
    "haddad",
    "costa",
    "murphy",
    "sato",
    "brown",
    "moreau",
    "ali",
    "fischer",
    "larsen",
    "santos",
    "weber",
    "ito",
    "mensah",
    "ortiz",
    "berg",
    "khan",
    "meyer",
    "park",
    "reyes",
    "wood",
    "lindqvist",
];

/// Partner and vendor accounts that real accounts trust (security tooling, monitoring, backup).
const VENDOR_ACCOUNTS: &[&str] = &[
    "464622532012",
    "414351767826",
    "986837452932",
    "292101264187",
    "754135023419",
    "036240431633",
];

const GITHUB_ORG: &str = "acme-corp";

/// Actions AWS tracks at action level, per service (management actions only: S3 object
/// operations and Lambda invocations are data events and are not tracked).
fn tracked(service: &str, action: &str) -> bool {
    match service {
        "ec2" | "iam" => true,
        "lambda" => !action.starts_with("Invoke"),
        "s3" => !action.contains("Object") && !action.contains("Multipart"),
        _ => false,
    }
}

/// Services people and workloads touch day to day (used now and then through broad grants).
const POPULAR: &[&str] = &[
    "s3",
    "ec2",
    "cloudwatch",
    "logs",
    "sts",
    "iam",
    "lambda",
    "dynamodb",
    "sqs",
    "sns",
    "cloudformation",
    "kms",
    "ssm",
    "secretsmanager",
    "ecr",
    "ecs",
    "rds",
    "athena",
    "glue",
    "tag",
];

/// Generates one account.
pub fn generate(params: &Params) -> Snapshot {
    Gen::new(params).run()
}

/// The snapshot as pretty JSON (2-space indent, like `iamsight collect` writes), with absent
/// optional fields left out as the AWS CLI does rather than written as `null`.
pub fn to_json(snapshot: &Snapshot) -> String {
    let mut v = serde_json::to_value(snapshot).unwrap_or(Value::Null);
    strip_nulls(&mut v);
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

fn doc(v: &Value) -> PolicyDocument {
    PolicyDocument::from_text(&v.to_string())
}

fn tag(k: &str, v: &str) -> Tag {
    Tag {
        key: k.to_string(),
        value: v.to_string(),
    }
}

/// A time `days` days (plus a random part of a day) before [`NOW`].
fn ago(rng: &mut Rng, days: i64) -> Timestamp {
    Timestamp(NOW.0 - days * DAY - rng.below(DAY as u64) as i64)
}

/// A time between `lo` and `hi` days before [`NOW`].
fn ago_in(rng: &mut Rng, lo: i64, hi: i64) -> Timestamp {
    let days = rng.range(lo, hi);
    ago(rng, days)
}

fn aws_time(t: Timestamp) -> String {
    // The credential report's spelling.
    t.to_string().replace('Z', "+00:00")
}

/// A customer managed policy being built.
struct Customer {
    name: String,
    arn: String,
    kind: Kind,
    created: Timestamp,
    /// Every stored version, oldest first; the last is the default.
    versions: Vec<(Value, Timestamp)>,
    attachments: i64,
    boundary_uses: i64,
}

/// How busy a principal is.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Activity {
    /// Used recently; the last use.
    Active(Timestamp),
    /// Last used long ago.
    Stale(Timestamp),
    /// Never used.
    Never,
}

impl Activity {
    fn draw(rng: &mut Rng, created: Timestamp, active: f64, stale: f64) -> Activity {
        let age = NOW.days_since(created).max(0);
        let x = rng.next_u64() as f64 / u64::MAX as f64;
        if x < active || age < 100 && x < active + stale {
            Activity::Active(ago_in(rng, 0, age.clamp(0, 20)))
        } else if x < active + stale {
            Activity::Stale(ago_in(rng, 100, age.min(500)))
        } else {
            Activity::Never
        }
    }

    fn last(self) -> Option<Timestamp> {
        match self {
            Activity::Active(t) | Activity::Stale(t) => Some(t),
            Activity::Never => None,
        }
    }
}

/// What a policy grants, for synthesising last-accessed data.
#[derive(Clone)]
struct Grants {
    actions: ActionSet,
    /// Services the policy is about (named without a service wildcard, in a narrow policy).
    focus: BTreeSet<String>,
    /// Literal actions it names, lower-case `service:action`.
    named: BTreeSet<String>,
}

/// One policy reaching a principal, for the usage model.
enum Source {
    Managed(String),
    Inline(Value),
}

struct Gen<'c> {
    p: Params,
    acct: String,
    catalog: &'c Catalog,
    exp: Expander<'c>,
    aws: BTreeMap<String, AwsManaged>,
    aws_used: BTreeMap<String, (i64, i64)>,
    customer: Vec<Customer>,
    by_kind: BTreeMap<Kind, Vec<usize>>,
    names: BTreeSet<String>,
    grants: BTreeMap<String, Grants>,
    /// Sources per group name.
    group_sources: BTreeMap<String, Vec<String>>,
    group_inline: BTreeMap<String, Vec<Value>>,
    eks_issuers: Vec<String>,
    /// Bad kinds not attached yet: the first bad attachments take one of each, so every
    /// account has each kind of finding.
    pending_bad: Vec<Kind>,
    sso_provider: String,
    mgmt_account: String,
}

impl<'c> Gen<'c> {
    fn new(p: &Params) -> Gen<'c> {
        let catalog = Catalog::embedded();
        let mut r = Rng::fork(p.seed, "account");
        let acct = format!("{:012}", 100_000_000_000 + r.below(899_999_999_999));
        let mgmt_account = format!("{:012}", 100_000_000_000 + r.below(899_999_999_999));
        let sso_provider = format!("AWSSSO_{}_DO_NOT_DELETE", r.hex(16));
        Gen {
            p: p.clone(),
            acct,
            catalog,
            exp: Expander::new(catalog),
            aws: managed::all()
                .into_iter()
                .map(|m| (m.name.clone(), m))
                .collect(),
            aws_used: BTreeMap::new(),
            customer: Vec::new(),
            by_kind: BTreeMap::new(),
            names: BTreeSet::new(),
            grants: BTreeMap::new(),
            group_sources: BTreeMap::new(),
            group_inline: BTreeMap::new(),
            eks_issuers: Vec::new(),
            pending_bad: vec![
                Kind::PassRoleLambda,
                Kind::SelfPolicyVersion,
                Kind::NotActionAllow,
                Kind::ServiceWildcard,
                Kind::UnknownAction,
                Kind::AssumeAnyRole,
                Kind::CreateAccessKeyAny,
                Kind::WriteNoResource,
            ],
            sso_provider,
            mgmt_account,
        }
    }

    fn unique(&mut self, base: String) -> String {
        if self.names.insert(base.clone()) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| self.names.insert(c.clone()))
            .unwrap_or(base)
    }

    fn run(mut self) -> Snapshot {
        self.customer_policies();
        let groups = self.groups();
        let (users, user_facts) = self.users(&groups);
        let (roles, role_facts) = self.roles();
        let mut last_accessed = BTreeMap::new();
        let mut usage = Rng::fork(self.p.seed, "usage");
        for (arn, sources, activity, created) in user_facts.iter().chain(role_facts.iter()) {
            let d = self.last_accessed(&mut usage, arn, sources, *activity, *created);
            last_accessed.insert(arn.clone(), d);
        }
        let credential_report = self.credential_report(&users, &user_facts);
        let policies = self.policy_details();
        let mut rt = Rng::fork(self.p.seed, "runtime");
        let (regions, s3) = crate::runtime::generate(&mut rt, &self.acct, &roles, &self.p);
        let mfa = self.mfa_devices(&users, &credential_report);
        let summary = self.summary(&users, &roles, &groups, &mfa);
        let acct = self.acct.clone();
        Snapshot {
            format_version: FORMAT_VERSION,
            account_id: acct.clone(),
            partition: "aws".to_string(),
            collected_at: Some(NOW),
            collection_errors: Vec::new(),
            authorization_details: AuthorizationDetails {
                users,
                groups,
                roles,
                policies,
            },
            credential_report: CredentialReport::parse(&credential_report).ok(),
            credential_report_generated_at: Some(Timestamp(NOW.0 - 1_800)),
            password_policy: Some(PasswordPolicy {
                minimum_password_length: Some(8),
                require_symbols: false,
                require_numbers: true,
                require_uppercase_characters: true,
                require_lowercase_characters: true,
                allow_users_to_change_password: true,
                expire_passwords: false,
                max_password_age: None,
                password_reuse_prevention: Some(3),
                hard_expiry: Some(false),
            }),
            account_summary: summary,
            virtual_mfa_devices: mfa,
            mfa_devices: Vec::new(),
            server_certificates: vec![
                ServerCertificate {
                    server_certificate_name: "legacy-elb-2024".to_string(),
                    arn: format!("arn:aws:iam::{acct}:server-certificate/legacy-elb-2024"),
                    expiration: Some(Timestamp(NOW.0 - 260 * DAY)),
                    upload_date: Some(Timestamp(NOW.0 - 990 * DAY)),
                    tags: Some(Vec::new()),
                },
                ServerCertificate {
                    server_certificate_name: "api-2027".to_string(),
                    arn: format!("arn:aws:iam::{acct}:server-certificate/cloudfront/api-2027"),
                    expiration: Some(Timestamp(NOW.0 + 210 * DAY)),
                    upload_date: Some(Timestamp(NOW.0 - 160 * DAY)),
                    tags: Some(vec![tag("owner", "platform")]),
                },
            ],
            saml_providers: vec![
                SamlProvider {
                    arn: format!("arn:aws:iam::{acct}:saml-provider/Okta"),
                    create_date: Some(Timestamp(NOW.0 - 1_400 * DAY)),
                    valid_until: Some(Timestamp(NOW.0 + 36_500 * DAY)),
                    tags: Some(vec![tag("owner", "identity")]),
                },
                SamlProvider {
                    arn: format!("arn:aws:iam::{acct}:saml-provider/{}", self.sso_provider),
                    create_date: Some(Timestamp(NOW.0 - 900 * DAY)),
                    valid_until: Some(Timestamp(NOW.0 + 36_500 * DAY)),
                    tags: Some(vec![tag("owner", "identity")]),
                },
            ],
            oidc_providers: std::iter::once("token.actions.githubusercontent.com".to_string())
                .chain(self.eks_issuers.iter().cloned())
                .map(|url| OidcProvider {
                    arn: format!("arn:aws:iam::{acct}:oidc-provider/{url}"),
                    url: Some(url),
                    client_id_list: vec!["sts.amazonaws.com".to_string()],
                    tags: Some(vec![tag("owner", "platform")]),
                })
                .collect(),
            last_accessed,
            s3: Some(s3),
            regions,
            organizations: Some(self.organizations()),
        }
    }

    // ---------------------------------------------------------------------------------------
    // Policies
    // ---------------------------------------------------------------------------------------

    fn customer_policies(&mut self) {
        let mut r = Rng::fork(self.p.seed, "policies");
        // The first ones of each kind that matter are guaranteed; the rest follow the mix.
        let guaranteed = [
            Kind::AppData,
            Kind::Developer,
            Kind::RequireMfa,
            Kind::SelfService,
            Kind::ReadOnly,
            Kind::Boundary,
            Kind::Deploy,
            Kind::PassRoleLambda,
            Kind::SelfPolicyVersion,
            Kind::ServiceWildcard,
            Kind::NotActionAllow,
            Kind::UnknownAction,
            Kind::AssumeAnyRole,
        ];
        for i in 0..self.p.policies {
            let kind = guaranteed
                .get(i)
                .copied()
                .unwrap_or_else(|| *r.weighted(policies::MIX));
            let team = *r.pick(TEAMS);
            let app = *r.pick(APPS);
            let env = *r.weighted(ENVS);
            let region = *r.weighted(REGIONS);
            let suffix = kind.suffix(&mut r);
            let base = match kind {
                Kind::RequireMfa | Kind::SelfService | Kind::Boundary | Kind::CrossAccountRead => {
                    format!("{team}-{suffix}")
                }
                _ => format!("{team}-{app}-{suffix}"),
            };
            let name = self.unique(base);
            let acct = self.acct.clone();
            let site = Site {
                account: &acct,
                team,
                app,
                env,
                region,
            };
            let document = policies::document(kind, &site, &mut r);
            let created = ago_in(&mut r, 0, 2_200);
            let mut versions = Vec::new();
            if r.chance(0.15) {
                let older = policies::older_version(&document);
                let age = NOW.days_since(created);
                let then = Timestamp(created.0);
                versions.push((older, then));
                versions.push((document, ago_in(&mut r, 0, age)));
            } else {
                versions.push((document, created));
            }
            let path = if kind == Kind::Boundary {
                "/boundaries/"
            } else {
                "/"
            };
            let arn = format!("arn:aws:iam::{acct}:policy{path}{name}");
            self.by_kind
                .entry(kind)
                .or_default()
                .push(self.customer.len());
            self.customer.push(Customer {
                name,
                arn,
                kind,
                created,
                versions,
                attachments: 0,
                boundary_uses: 0,
            });
        }
    }

    fn aws_attach(&mut self, name: &str) -> Option<AttachedPolicy> {
        let m = self.aws.get(name)?;
        let arn = m.arn();
        self.aws_used.entry(name.to_string()).or_default().0 += 1;
        Some(AttachedPolicy {
            policy_name: name.to_string(),
            policy_arn: arn,
        })
    }

    fn pick_customer(&mut self, r: &mut Rng, kind: Kind) -> Option<usize> {
        let pool = self.by_kind.get(&kind)?;
        Some(*r.pick(pool))
    }

    fn attach_kind(&mut self, r: &mut Rng, kind: Kind) -> Option<AttachedPolicy> {
        let i = self.pick_customer(r, kind)?;
        let c = &mut self.customer[i];
        c.attachments += 1;
        Some(AttachedPolicy {
            policy_name: c.name.clone(),
            policy_arn: c.arn.clone(),
        })
    }

    fn boundary(&mut self, r: &mut Rng) -> Option<PermissionsBoundary> {
        let i = self.pick_customer(r, Kind::Boundary)?;
        let c = &mut self.customer[i];
        c.boundary_uses += 1;
        Some(PermissionsBoundary {
            permissions_boundary_type: Some("Policy".to_string()),
            permissions_boundary_arn: c.arn.clone(),
        })
    }

    /// One deliberately bad policy, weighted by how many of each bad kind exist.
    fn attach_bad(&mut self, r: &mut Rng) -> Option<AttachedPolicy> {
        while !self.pending_bad.is_empty() {
            let kind = self.pending_bad.remove(0);
            if let Some(a) = self.attach_kind(r, kind) {
                return Some(a);
            }
        }
        let bad: Vec<usize> = self
            .by_kind
            .iter()
            .filter(|(k, _)| k.is_bad())
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        if bad.is_empty() {
            return None;
        }
        let i = *r.pick(&bad);
        let c = &mut self.customer[i];
        c.attachments += 1;
        Some(AttachedPolicy {
            policy_name: c.name.clone(),
            policy_arn: c.arn.clone(),
        })
    }

    fn policy_details(&self) -> Vec<ManagedPolicyDetail> {
        let mut out = Vec::new();
        let mut r = Rng::fork(self.p.seed, "policy-ids");
        for c in &self.customer {
            let n = c.versions.len();
            out.push(ManagedPolicyDetail {
                policy_name: c.name.clone(),
                policy_id: r.aws_id("ANPA"),
                arn: c.arn.clone(),
                path: if c.kind == Kind::Boundary {
                    "/boundaries/".to_string()
                } else {
                    "/".to_string()
                },
                default_version_id: Some(format!("v{n}")),
                attachment_count: Some(c.attachments),
                permissions_boundary_usage_count: Some(c.boundary_uses),
                is_attachable: Some(true),
                description: None,
                create_date: Some(c.created),
                update_date: c.versions.last().map(|v| v.1),
                policy_version_list: c
                    .versions
                    .iter()
                    .enumerate()
                    .rev()
                    .map(|(i, (d, t))| PolicyVersionDetail {
                        document: doc(d),
                        version_id: format!("v{}", i + 1),
                        is_default_version: i + 1 == n,
                        create_date: Some(*t),
                    })
                    .collect(),
                // ListPolicyTags was read: most customer policies name an owner, some do not
                // (chosen by name, so the generator's random stream is unchanged).
                tags: Some(if c.name.len() % 4 == 0 {
                    Vec::new()
                } else {
                    vec![tag("owner", "platform")]
                }),
            });
        }
        for (name, (attached, boundary)) in &self.aws_used {
            let Some(m) = self.aws.get(name) else {
                continue;
            };
            out.push(ManagedPolicyDetail {
                policy_name: name.clone(),
                policy_id: r.aws_id("ANPA"),
                arn: m.arn(),
                path: m.path.clone(),
                default_version_id: Some(m.default_version_id.clone()),
                attachment_count: Some(*attached),
                permissions_boundary_usage_count: Some(*boundary),
                is_attachable: Some(true),
                description: None,
                create_date: m.create_date.parse().ok(),
                update_date: m.update_date.parse().ok(),
                policy_version_list: vec![PolicyVersionDetail {
                    document: PolicyDocument::from_text(&m.document),
                    version_id: m.default_version_id.clone(),
                    is_default_version: true,
                    create_date: m.update_date.parse().ok(),
                }],
                tags: None,
            });
        }
        out
    }

    // ---------------------------------------------------------------------------------------
    // Groups and users
    // ---------------------------------------------------------------------------------------

    fn groups(&mut self) -> Vec<GroupDetail> {
        let mut r = Rng::fork(self.p.seed, "groups");
        let fixed = [
            "platform-admins",
            "all-staff",
            "security-auditors",
            "break-glass",
            "legacy-contractors",
        ];
        let roles = [
            "developers",
            "oncall",
            "readonly",
            "deployers",
            "data-analysts",
        ];
        let mut out = Vec::new();
        for i in 0..self.p.groups {
            let name = match fixed.get(i) {
                Some(f) => f.to_string(),
                None => {
                    let k = i - fixed.len();
                    let team = TEAMS[k % TEAMS.len()];
                    let role = roles[(k / TEAMS.len()) % roles.len()];
                    let round = k / (TEAMS.len() * roles.len());
                    if round == 0 {
                        format!("{team}-{role}")
                    } else {
                        format!("{team}-{}-{role}", APPS[(round - 1) % APPS.len()])
                    }
                }
            };
            let name = self.unique(name);
            let mut attached: Vec<AttachedPolicy> = Vec::new();
            let mut inline: Vec<(String, Value)> = Vec::new();
            let aws = |g: &mut Self, n: &str, out: &mut Vec<AttachedPolicy>| {
                if let Some(a) = g.aws_attach(n) {
                    out.push(a);
                }
            };
            let cust = |g: &mut Self, r: &mut Rng, k: Kind, out: &mut Vec<AttachedPolicy>| {
                if let Some(a) = g.attach_kind(r, k) {
                    out.push(a);
                }
            };
            match name.as_str() {
                "platform-admins" | "break-glass" => {
                    aws(self, "AdministratorAccess", &mut attached)
                }
                "all-staff" => {
                    aws(self, "IAMUserChangePassword", &mut attached);
                    cust(self, &mut r, Kind::RequireMfa, &mut attached);
                    cust(self, &mut r, Kind::SelfService, &mut attached);
                }
                "security-auditors" => {
                    aws(self, "SecurityAudit", &mut attached);
                    aws(self, "ViewOnlyAccess", &mut attached);
                }
                "legacy-contractors" => {}
                n if n.ends_with("-developers") => {
                    cust(self, &mut r, Kind::Developer, &mut attached);
                    for m in ["AmazonS3ReadOnlyAccess", "AWSLambda_ReadOnlyAccess"] {
                        if r.chance(0.6) {
                            aws(self, m, &mut attached);
                        }
                    }
                    if r.chance(0.4) {
                        aws(self, "CloudWatchLogsFullAccess", &mut attached);
                    }
                    if r.chance(0.3) {
                        aws(self, "AmazonDynamoDBReadOnlyAccess", &mut attached);
                    }
                }
                n if n.ends_with("-oncall") => {
                    cust(self, &mut r, Kind::ReadOnly, &mut attached);
                    aws(self, "AmazonEC2ReadOnlyAccess", &mut attached);
                    if r.chance(0.1) {
                        aws(self, "PowerUserAccess", &mut attached);
                    }
                    inline.push((
                        "restart-team-instances".to_string(),
                        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                            "Action": ["ec2:RebootInstances", "ec2:StartInstances", "ec2:StopInstances"],
                            "Resource": "*",
                            "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"},
                                          "Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}),
                    ));
                }
                n if n.ends_with("-readonly") => {
                    if r.chance(0.5) {
                        aws(self, "ViewOnlyAccess", &mut attached);
                    } else {
                        cust(self, &mut r, Kind::ReadOnly, &mut attached);
                    }
                }
                n if n.ends_with("-deployers") => {
                    cust(self, &mut r, Kind::Deploy, &mut attached);
                    aws(self, "AWSCloudFormationReadOnlyAccess", &mut attached);
                }
                _ => {
                    aws(self, "AmazonAthenaFullAccess", &mut attached);
                    aws(self, "AmazonS3ReadOnlyAccess", &mut attached);
                    if r.chance(0.3) {
                        inline.push((
                            "glue-catalog-read".to_string(),
                            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                "Action": ["glue:GetDatabase*", "glue:GetTable*", "glue:GetPartition*"],
                                "Resource": "*"}]}),
                        ));
                    }
                }
            }
            if i >= fixed.len()
                && r.chance(0.05)
                && let Some(a) = self.attach_bad(&mut r)
            {
                attached.push(a);
            }
            let arn = format!("arn:aws:iam::{}:group/{name}", self.acct);
            self.group_sources.insert(
                name.clone(),
                attached.iter().map(|a| a.policy_arn.clone()).collect(),
            );
            self.group_inline.insert(
                name.clone(),
                inline.iter().map(|(_, v)| v.clone()).collect(),
            );
            out.push(GroupDetail {
                path: "/".to_string(),
                group_name: name,
                group_id: r.aws_id("AGPA"),
                arn,
                create_date: ago_in(&mut r, 30, 2_500),
                group_policy_list: inline
                    .iter()
                    .map(|(n, v)| InlinePolicy {
                        policy_name: n.clone(),
                        policy_document: doc(v),
                    })
                    .collect(),
                attached_managed_policies: attached,
            });
        }
        out
    }

    #[allow(clippy::type_complexity)]
    fn users(
        &mut self,
        groups: &[GroupDetail],
    ) -> (
        Vec<UserDetail>,
        Vec<(String, Vec<Source>, Activity, Timestamp)>,
    ) {
        let mut r = Rng::fork(self.p.seed, "users");
        let group_names: Vec<&str> = groups.iter().map(|g| g.group_name.as_str()).collect();
        let team_groups = |team: &str| -> Vec<&str> {
            group_names
                .iter()
                .copied()
                .filter(|g| g.starts_with(&format!("{team}-")))
                .collect()
        };
        let humans = self.p.users - self.p.users / 5;
        let admins = (humans / 100).clamp(2, 25);
        let mut out = Vec::new();
        let mut facts = Vec::new();
        for i in 0..self.p.users {
            let team = *r.pick(TEAMS);
            let human = i < humans;
            let created = if r.chance(0.03) {
                ago_in(&mut r, 0, 10)
            } else {
                ago_in(&mut r, 20, 2_900)
            };
            let (name, path) = if human {
                let base = format!("{}.{}", r.pick(FIRST), r.pick(LAST));
                let contractor = r.chance(0.08);
                (
                    self.unique(base),
                    if contractor { "/contractors/" } else { "/" },
                )
            } else {
                let base = format!(
                    "{team}-{}-{}",
                    r.pick(APPS),
                    r.pick(&["ci", "bot", "sync", "exporter", "svc"])
                );
                (self.unique(base), "/service-accounts/")
            };
            let arn = format!("arn:aws:iam::{}:user{path}{name}", self.acct);
            let mut group_list: Vec<String> = Vec::new();
            let mut attached = Vec::new();
            let mut inline: Vec<(String, Value)> = Vec::new();
            let mut boundary = None;
            if human {
                let mut add = |g: &str| {
                    if group_names.contains(&g) && !group_list.iter().any(|x| x == g) {
                        group_list.push(g.to_string());
                    }
                };
                if i < admins {
                    add("platform-admins");
                }
                if !path.starts_with("/contractors/") || r.chance(0.5) {
                    add("all-staff");
                } else {
                    add("legacy-contractors");
                }
                if r.chance(0.04) {
                    add("security-auditors");
                }
                let mine = team_groups(team);
                if !mine.is_empty() {
                    for _ in 0..r.range(1, 3) {
                        add(mine[r.index(mine.len())]);
                    }
                } else if group_names.len() > 5 {
                    add(group_names[5 + r.index(group_names.len() - 5)]);
                }
                if r.chance(0.08) {
                    // Direct attachments on people: user-has-direct-policies.
                    let m = *r.pick(&[
                        "AmazonS3FullAccess",
                        "AmazonEC2FullAccess",
                        "AmazonDynamoDBFullAccess",
                        "IAMReadOnlyAccess",
                    ]);
                    attached.extend(self.aws_attach(m));
                }
                if r.chance(0.1) {
                    boundary = self.boundary(&mut r);
                }
            } else {
                let k = *r.pick(&[Kind::AppData, Kind::Deploy, Kind::Deploy, Kind::Secrets]);
                attached.extend(self.attach_kind(&mut r, k));
                if r.chance(0.4) {
                    inline.push((
                        format!("{name}-extra"),
                        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                            "Action": ["s3:GetObject", "s3:PutObject"],
                            "Resource": format!("arn:aws:s3:::{team}-exports-{}/*", self.acct)}]}),
                    ));
                }
                if r.chance(0.12) {
                    attached.extend(self.attach_bad(&mut r));
                }
            }
            let mut tags = Vec::new();
            if r.chance(0.85) {
                tags.push(tag(
                    "owner",
                    &if human {
                        format!("{team}-team")
                    } else {
                        format!("{team}-platform")
                    },
                ));
            }
            tags.push(tag("team", team));
            if human && r.chance(0.3) {
                tags.push(tag("cost-center", &format!("cc-{}", 1000 + r.below(90))));
            }
            let activity = if human {
                Activity::draw(&mut r, created, 0.78, 0.12)
            } else {
                Activity::draw(&mut r, created, 0.75, 0.15)
            };
            let mut sources: Vec<Source> = attached
                .iter()
                .map(|a: &AttachedPolicy| Source::Managed(a.policy_arn.clone()))
                .collect();
            sources.extend(inline.iter().map(|(_, v)| Source::Inline(v.clone())));
            for g in &group_list {
                for a in self.group_sources.get(g).into_iter().flatten() {
                    sources.push(Source::Managed(a.clone()));
                }
                for v in self.group_inline.get(g).into_iter().flatten() {
                    sources.push(Source::Inline(v.clone()));
                }
            }
            facts.push((arn.clone(), sources, activity, created));
            out.push(UserDetail {
                path: path.to_string(),
                user_name: name,
                user_id: r.aws_id("AIDA"),
                arn,
                create_date: created,
                user_policy_list: inline
                    .iter()
                    .map(|(n, v)| InlinePolicy {
                        policy_name: n.clone(),
                        policy_document: doc(v),
                    })
                    .collect(),
                group_list,
                attached_managed_policies: attached,
                permissions_boundary: boundary,
                tags,
            });
        }
        (out, facts)
    }

    // ---------------------------------------------------------------------------------------
    // Roles
    // ---------------------------------------------------------------------------------------

    #[allow(clippy::type_complexity)]
    fn roles(
        &mut self,
    ) -> (
        Vec<RoleDetail>,
        Vec<(String, Vec<Source>, Activity, Timestamp)>,
    ) {
        let mut r = Rng::fork(self.p.seed, "roles");
        let acct = self.acct.clone();
        let eks_clusters = 1 + self.p.roles / 1_500;
        for _ in 0..eks_clusters {
            let region = *r.weighted(REGIONS);
            self.eks_issuers.push(format!(
                "oidc.eks.{region}.amazonaws.com/id/{}",
                r.hex(32).to_ascii_uppercase()
            ));
        }
        let service_trust = |svc: &str| {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": svc}, "Action": "sts:AssumeRole"}]})
        };
        let mut out = Vec::new();
        let mut facts = Vec::new();
        // Fixed roles every real account has, plus a few deliberately bad ones.
        let slrs: &[(&str, &str, &str)] = &[
            (
                "AWSServiceRoleForTrustedAdvisor",
                "trustedadvisor.amazonaws.com",
                "AWSTrustedAdvisorServiceRolePolicy",
            ),
            (
                "AWSServiceRoleForRDS",
                "rds.amazonaws.com",
                "AmazonRDSServiceRolePolicy",
            ),
            (
                "AWSServiceRoleForElasticLoadBalancing",
                "elasticloadbalancing.amazonaws.com",
                "AWSElasticLoadBalancingServiceRolePolicy",
            ),
            (
                "AWSServiceRoleForAutoScaling",
                "autoscaling.amazonaws.com",
                "AutoScalingServiceRolePolicy",
            ),
            (
                "AWSServiceRoleForECS",
                "ecs.amazonaws.com",
                "AmazonECSServiceRolePolicy",
            ),
        ];
        let mut i = 0;
        while out.len() < self.p.roles {
            let created = if r.chance(0.04) {
                ago_in(&mut r, 0, 10)
            } else {
                ago_in(&mut r, 15, 2_600)
            };
            let team = *r.pick(TEAMS);
            let app = *r.pick(APPS);
            let env = *r.weighted(ENVS);
            let mut path = "/".to_string();
            let mut attached: Vec<AttachedPolicy> = Vec::new();
            let mut inline: Vec<(String, Value)> = Vec::new();
            let mut boundary = None;
            let mut profile = false;
            let mut bad = 0.04;
            let (name, trust) = if let Some((n, svc, pol)) = slrs.get(i) {
                let short = svc.trim_end_matches(".amazonaws.com");
                path = format!("/aws-service-role/{svc}/");
                let _ = short;
                attached.extend(self.aws_attach(pol));
                bad = 0.0;
                (n.to_string(), service_trust(svc))
            } else {
                match i - slrs.len() {
                    0 => {
                        attached.extend(self.aws_attach("AWSSupportAccess"));
                        bad = 0.0;
                        (
                            "support-access".to_string(),
                            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                "Principal": {"AWS": format!("arn:aws:iam::{acct}:root")},
                                "Action": "sts:AssumeRole",
                                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]}),
                        )
                    }
                    1 => {
                        attached.extend(self.aws_attach("AdministratorAccess"));
                        bad = 0.0;
                        (
                            "OrganizationAccountAccessRole".to_string(),
                            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                "Principal": {"AWS": format!("arn:aws:iam::{}:root", self.mgmt_account)},
                                "Action": "sts:AssumeRole"}]}),
                        )
                    }
                    2 => {
                        // Bad: an admin role any Lambda function can run as (escalation target).
                        attached.extend(self.aws_attach("AdministratorAccess"));
                        bad = 0.0;
                        (
                            "legacy-admin-lambda".to_string(),
                            service_trust("lambda.amazonaws.com"),
                        )
                    }
                    3 => {
                        // Bad: an admin instance role.
                        attached.extend(self.aws_attach("AdministratorAccess"));
                        profile = true;
                        bad = 0.0;
                        (
                            "ops-admin-ec2".to_string(),
                            service_trust("ec2.amazonaws.com"),
                        )
                    }
                    4 => {
                        // Bad: trusts any principal, unconditionally.
                        attached.extend(self.aws_attach("ViewOnlyAccess"));
                        bad = 0.0;
                        (
                            "vendor-integration-legacy".to_string(),
                            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}),
                        )
                    }
                    _ => self.random_role(
                        &mut r,
                        team,
                        app,
                        env,
                        &mut RoleParts {
                            path: &mut path,
                            attached: &mut attached,
                            inline: &mut inline,
                            boundary: &mut boundary,
                            profile: &mut profile,
                        },
                    ),
                }
            };
            i += 1;
            if bad > 0.0 && r.chance(bad) {
                attached.extend(self.attach_bad(&mut r));
            }
            let name = self.unique(name);
            let arn = format!("arn:aws:iam::{acct}:role{path}{name}");
            let role_id = r.aws_id("AROA");
            let activity = if path.starts_with("/aws-service-role/") {
                Activity::Active(ago(&mut r, 0))
            } else {
                Activity::draw(&mut r, created, 0.7, 0.15)
            };
            let mut tags = Vec::new();
            if !path.starts_with("/aws-") {
                if r.chance(0.85) {
                    tags.push(tag("owner", &format!("{team}-team")));
                }
                tags.push(tag("team", team));
                tags.push(tag("env", env));
                if r.chance(0.6) {
                    tags.push(tag("managed-by", "terraform"));
                }
            }
            let instance_profile_list = if profile {
                vec![InstanceProfile {
                    path: "/".to_string(),
                    instance_profile_name: name.clone(),
                    instance_profile_id: r.aws_id("AIPA"),
                    arn: format!("arn:aws:iam::{acct}:instance-profile/{name}"),
                    create_date: Some(created),
                    roles: vec![RoleRef {
                        role_name: name.clone(),
                        arn: arn.clone(),
                    }],
                    // Created with the role, tagged like it.
                    tags: Some(tags.clone()),
                }]
            } else {
                Vec::new()
            };
            let mut sources: Vec<Source> = attached
                .iter()
                .map(|a| Source::Managed(a.policy_arn.clone()))
                .collect();
            sources.extend(inline.iter().map(|(_, v)| Source::Inline(v.clone())));
            facts.push((arn.clone(), sources, activity, created));
            out.push(RoleDetail {
                path,
                role_name: name,
                role_id,
                arn,
                create_date: created,
                assume_role_policy_document: Some(doc(&trust)),
                instance_profile_list,
                role_policy_list: inline
                    .iter()
                    .map(|(n, v)| InlinePolicy {
                        policy_name: n.clone(),
                        policy_document: doc(v),
                    })
                    .collect(),
                attached_managed_policies: attached,
                permissions_boundary: boundary,
                tags,
                role_last_used: Some(RoleLastUsed {
                    last_used_date: activity.last(),
                    region: activity.last().map(|_| r.weighted(REGIONS).to_string()),
                }),
            });
        }
        (out, facts)
    }

    fn random_role(
        &mut self,
        r: &mut Rng,
        team: &str,
        app: &str,
        env: &str,
        parts: &mut RoleParts<'_>,
    ) -> (String, Value) {
        let acct = self.acct.clone();
        let service_trust = |svc: &str| {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": {"Service": svc}, "Action": "sts:AssumeRole"}]})
        };
        #[derive(Copy, Clone)]
        enum K {
            Lambda,
            Ecs,
            Ec2,
            CrossAccount,
            Sso,
            Github,
            Eks,
            SameAccount,
            OtherService,
        }
        let kind = *r.weighted(&[
            (28, K::Lambda),
            (14, K::Ecs),
            (12, K::Ec2),
            (7, K::CrossAccount),
            (7, K::Sso),
            (6, K::Github),
            (8, K::Eks),
            (8, K::SameAccount),
            (10, K::OtherService),
        ]);
        let attach_kind = |g: &mut Self, r: &mut Rng, k: Kind, out: &mut Vec<AttachedPolicy>| {
            out.extend(g.attach_kind(r, k));
        };
        match kind {
            K::Lambda => {
                parts.attached.extend(self.aws_attach(if r.chance(0.25) {
                    "AWSLambdaVPCAccessExecutionRole"
                } else {
                    "AWSLambdaBasicExecutionRole"
                }));
                attach_kind(self, r, Kind::AppData, parts.attached);
                if r.chance(0.3) {
                    attach_kind(self, r, Kind::Secrets, parts.attached);
                }
                if r.chance(0.2) {
                    parts
                        .attached
                        .extend(self.aws_attach("AWSXrayWriteOnlyAccess"));
                }
                if r.chance(0.3) {
                    parts.inline.push((
                        format!("{app}-inline"),
                        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                            "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"],
                            "Resource": format!("arn:aws:sqs:*:{acct}:{team}-{app}-*")}]}),
                    ));
                }
                if r.chance(0.2) {
                    *parts.boundary = self.boundary(r);
                }
                (
                    format!("{team}-{app}-lambda-{env}"),
                    service_trust("lambda.amazonaws.com"),
                )
            }
            K::Ecs => {
                let exec = r.chance(0.4);
                if exec {
                    parts
                        .attached
                        .extend(self.aws_attach("AmazonECSTaskExecutionRolePolicy"));
                } else {
                    attach_kind(self, r, Kind::AppData, parts.attached);
                    if r.chance(0.5) {
                        attach_kind(self, r, Kind::Secrets, parts.attached);
                    }
                    if r.chance(0.3) {
                        attach_kind(self, r, Kind::Kms, parts.attached);
                    }
                }
                if r.chance(0.15) {
                    *parts.boundary = self.boundary(r);
                }
                (
                    format!(
                        "{team}-{app}-{}-{env}",
                        if exec { "ecs-exec" } else { "task" }
                    ),
                    service_trust("ecs-tasks.amazonaws.com"),
                )
            }
            K::Ec2 => {
                *parts.profile = true;
                parts
                    .attached
                    .extend(self.aws_attach("AmazonSSMManagedInstanceCore"));
                if r.chance(0.6) {
                    parts
                        .attached
                        .extend(self.aws_attach("CloudWatchAgentServerPolicy"));
                }
                if r.chance(0.3) {
                    parts
                        .attached
                        .extend(self.aws_attach("AmazonEC2ContainerRegistryReadOnly"));
                }
                attach_kind(self, r, Kind::AppData, parts.attached);
                (
                    format!("{team}-{app}-ec2-{env}"),
                    service_trust("ec2.amazonaws.com"),
                )
            }
            K::CrossAccount => {
                let vendor = *r.pick(VENDOR_ACCOUNTS);
                let external_id = r.chance(0.75);
                let mut st = json!({"Effect": "Allow",
                    "Principal": {"AWS": format!("arn:aws:iam::{vendor}:root")},
                    "Action": "sts:AssumeRole"});
                if external_id {
                    st["Condition"] = json!({"StringEquals": {"sts:ExternalId": r.hex(24)}});
                }
                if r.chance(0.5) {
                    parts.attached.extend(self.aws_attach("SecurityAudit"));
                } else if r.chance(0.5) {
                    parts.attached.extend(self.aws_attach("ViewOnlyAccess"));
                } else {
                    attach_kind(self, r, Kind::CrossAccountRead, parts.attached);
                }
                (
                    format!(
                        "{}-integration",
                        r.pick(&[
                            "datadog",
                            "wiz",
                            "lacework",
                            "cloudhealth",
                            "snyk",
                            "backup"
                        ])
                    ),
                    json!({"Version": "2012-10-17", "Statement": [st]}),
                )
            }
            K::Sso => {
                let region = if r.chance(0.3) { "eu-west-1/" } else { "" };
                *parts.path = format!("/aws-reserved/sso.amazonaws.com/{region}");
                let set = *r.weighted(&[
                    (3, "AdministratorAccess"),
                    (15, "PowerUserAccess"),
                    (30, "ViewOnlyAccess"),
                    (40, "Developer"),
                    (12, "Billing"),
                ]);
                match set {
                    "Developer" => {
                        parts
                            .attached
                            .extend(self.aws_attach("AmazonS3ReadOnlyAccess"));
                        parts
                            .attached
                            .extend(self.aws_attach("AWSLambda_ReadOnlyAccess"));
                        parts.inline.push((
                            "AwsSSOInlinePolicy".to_string(),
                            policies::document(
                                Kind::Developer,
                                &Site {
                                    account: &acct,
                                    team,
                                    app,
                                    env,
                                    region: "us-east-1",
                                },
                                r,
                            ),
                        ));
                    }
                    "Billing" => {
                        parts.attached.extend(self.aws_attach("ViewOnlyAccess"));
                    }
                    other => parts.attached.extend(self.aws_attach(other)),
                }
                let tname: String = team
                    .split('-')
                    .map(|w| {
                        let mut c = w.chars();
                        c.next()
                            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                            .unwrap_or_default()
                    })
                    .collect();
                let set_name = if set == "Developer" {
                    format!("{tname}Developer")
                } else {
                    set.to_string()
                };
                (
                    format!("AWSReservedSSO_{set_name}_{}", r.hex(16)),
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"Federated": format!("arn:aws:iam::{acct}:saml-provider/{}", self.sso_provider)},
                        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
                        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]}),
                )
            }
            K::Github => {
                attach_kind(self, r, Kind::Deploy, parts.attached);
                let repo = format!("{team}-{app}");
                let mut cond = json!({"StringEquals": {
                    "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}});
                if !r.chance(0.1) {
                    // 10% forget the subject: any repository of any organisation can assume.
                    cond["StringLike"] = json!({"token.actions.githubusercontent.com:sub":
                        format!("repo:{GITHUB_ORG}/{repo}:ref:refs/heads/main")});
                }
                (
                    format!("github-{repo}-deploy"),
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"Federated": format!("arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com")},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": cond}]}),
                )
            }
            K::Eks => {
                let issuer = r.pick(&self.eks_issuers).clone();
                attach_kind(self, r, Kind::AppData, parts.attached);
                if r.chance(0.2) {
                    parts
                        .attached
                        .extend(self.aws_attach("AmazonEKS_CNI_Policy"));
                }
                (
                    format!("{team}-{app}-irsa-{env}"),
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"Federated": format!("arn:aws:iam::{acct}:oidc-provider/{issuer}")},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {
                            format!("{issuer}:sub"): format!("system:serviceaccount:{team}:{app}"),
                            format!("{issuer}:aud"): "sts.amazonaws.com"}}}]}),
                )
            }
            K::SameAccount => {
                let human = r.chance(0.5);
                let trust = if human {
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"AWS": format!("arn:aws:iam::{acct}:root")},
                        "Action": "sts:AssumeRole",
                        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})
                } else {
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"AWS": format!("arn:aws:iam::{acct}:root")},
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                        "Condition": {"StringEquals": {"aws:PrincipalTag/team": team}}}]})
                };
                attach_kind(
                    self,
                    r,
                    if human { Kind::ReadOnly } else { Kind::Deploy },
                    parts.attached,
                );
                if r.chance(0.3) {
                    attach_kind(self, r, Kind::Logs, parts.attached);
                }
                (
                    format!(
                        "{team}-{}-{env}",
                        if human { "operator" } else { "deployer" }
                    ),
                    trust,
                )
            }
            K::OtherService => {
                let (svc, pol, label) = *r.pick(&[
                    ("glue.amazonaws.com", Some("AWSGlueServiceRole"), "glue"),
                    ("states.amazonaws.com", None, "sfn"),
                    ("events.amazonaws.com", None, "events"),
                    ("codebuild.amazonaws.com", None, "codebuild"),
                    ("firehose.amazonaws.com", None, "firehose"),
                ]);
                if let Some(p) = pol {
                    parts.attached.extend(self.aws_attach(p));
                }
                attach_kind(self, r, Kind::AppData, parts.attached);
                if label == "codebuild" {
                    attach_kind(self, r, Kind::Logs, parts.attached);
                }
                (format!("{team}-{app}-{label}-{env}"), service_trust(svc))
            }
        }
    }

    // ---------------------------------------------------------------------------------------
    // Usage
    // ---------------------------------------------------------------------------------------

    fn grants_of_policy(&mut self, policy: &Policy, narrow_managed: bool) -> Grants {
        let mut g = Grants {
            actions: ActionSet::new_empty(self.catalog),
            focus: BTreeSet::new(),
            named: BTreeSet::new(),
        };
        for st in policy
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
        {
            let mut acts = ActionSet::new_empty(self.catalog);
            for pat in &st.action.patterns {
                acts.union_with(&self.exp.expand(pat).actions);
                if st.action.negated || pat == "*" {
                    continue;
                }
                if let Some((svc, action)) = pat.split_once(':')
                    && !svc.contains('*')
                {
                    if narrow_managed {
                        g.focus.insert(svc.to_ascii_lowercase());
                    }
                    if !action.contains('*') {
                        g.named.insert(pat.to_ascii_lowercase());
                    }
                }
            }
            if st.action.negated {
                acts = acts.complement(self.catalog);
            }
            g.actions.union_with(&acts);
        }
        g
    }

    fn grants_of(&mut self, source: &Source) -> Option<Grants> {
        match source {
            Source::Managed(arn) => {
                if let Some(g) = self.grants.get(arn) {
                    return Some(g.clone());
                }
                let (text, narrow) = if let Some(c) = self.customer.iter().find(|c| &c.arn == arn) {
                    (c.versions.last()?.0.to_string(), true)
                } else {
                    let name = arn.rsplit('/').next()?;
                    let m = self.aws.get(name)?;
                    (m.document.clone(), false)
                };
                let policy = Policy::parse(&text).ok()?;
                let mut g = self.grants_of_policy(&policy, narrow);
                if !narrow {
                    // A small AWS managed policy (a handful of services) is what its holder is for.
                    let services: BTreeSet<&str> = g
                        .actions
                        .iter()
                        .map(|id| self.catalog.action(id).service_prefix())
                        .collect();
                    if services.len() <= 3 {
                        g.focus = services.into_iter().map(str::to_string).collect();
                    }
                }
                self.grants.insert(arn.clone(), g.clone());
                Some(g)
            }
            Source::Inline(v) => {
                let policy = Policy::parse(&v.to_string()).ok()?;
                Some(self.grants_of_policy(&policy, true))
            }
        }
    }

    fn last_accessed(
        &mut self,
        r: &mut Rng,
        arn: &str,
        sources: &[Source],
        activity: Activity,
        created: Timestamp,
    ) -> LastAccessedDetails {
        let mut actions = ActionSet::new_empty(self.catalog);
        let mut focus = BTreeSet::new();
        let mut named = BTreeSet::new();
        for s in sources {
            if let Some(g) = self.grants_of(s) {
                actions.union_with(&g.actions);
                focus.extend(g.focus);
                named.extend(g.named);
            }
        }
        let mut by_service: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for id in actions.iter() {
            let a = self.catalog.action(id);
            by_service
                .entry(a.service_prefix())
                .or_default()
                .push(a.name());
        }
        let created_days = NOW.days_since(created).max(0);
        let region = *r.weighted(REGIONS);
        let mut services = Vec::new();
        for (svc, acts) in by_service {
            let used_at = match activity {
                Activity::Never => None,
                Activity::Active(last) | Activity::Stale(last) => {
                    let p = if focus.contains(svc) {
                        0.85
                    } else if POPULAR.contains(&svc) {
                        0.04
                    } else {
                        0.0
                    };
                    r.chance(p).then(|| {
                        if matches!(activity, Activity::Active(_)) && r.chance(0.12) {
                            // Used once, long ago: unused in the window.
                            ago_in(r, 100, created_days.clamp(100, 390))
                        } else {
                            Timestamp(last.0 - r.range(0, 5 * DAY))
                        }
                    })
                }
            }
            .filter(|t| *t >= created);
            let tracked_actions: Option<Vec<TrackedActionLastAccessed>> =
                if ["ec2", "iam", "lambda", "s3"].contains(&svc) {
                    let mut list = Vec::new();
                    let mut any = false;
                    for a in acts.iter().filter(|a| tracked(svc, a)) {
                        let full = format!("{svc}:{a}").to_ascii_lowercase();
                        let used = used_at.is_some()
                            && if named.contains(&full) {
                                r.chance(0.7)
                            } else {
                                ["Describe", "Get", "List"].iter().any(|p| a.starts_with(p))
                                    && r.chance(0.02)
                            };
                        any |= used;
                        list.push(TrackedActionLastAccessed {
                            action_name: a.to_string(),
                            last_accessed_entity: used.then(|| arn.to_string()),
                            last_accessed_time: used.then(|| used_at.unwrap_or(NOW)),
                            last_accessed_region: used.then(|| region.to_string()),
                        });
                    }
                    if let (Some(t), false, Some(first)) = (used_at, any, list.first_mut()) {
                        first.last_accessed_entity = Some(arn.to_string());
                        first.last_accessed_time = Some(t);
                        first.last_accessed_region = Some(region.to_string());
                    }
                    Some(list)
                } else {
                    None
                };
            let service_name = self
                .catalog
                .service(svc)
                .map(|s| s.name().to_string())
                .unwrap_or_else(|| svc.to_string());
            services.push(ServiceLastAccessed {
                service_name,
                service_namespace: svc.to_string(),
                last_authenticated: used_at,
                last_authenticated_entity: used_at.map(|_| arn.to_string()),
                last_authenticated_region: used_at.map(|_| region.to_string()),
                total_authenticated_entities: Some(i64::from(used_at.is_some())),
                tracked_actions_last_accessed: tracked_actions,
            });
        }
        services.sort_by(|a, b| a.service_name.cmp(&b.service_name));
        LastAccessedDetails {
            job_status: Some("COMPLETED".to_string()),
            job_type: Some("ACTION_LEVEL".to_string()),
            job_creation_date: Some(Timestamp(NOW.0 - 1_500)),
            job_completion_date: Some(Timestamp(NOW.0 - 1_490)),
            services_last_accessed: services,
        }
    }

    // ---------------------------------------------------------------------------------------
    // Credentials
    // ---------------------------------------------------------------------------------------

    fn credential_report(
        &self,
        users: &[UserDetail],
        facts: &[(String, Vec<Source>, Activity, Timestamp)],
    ) -> String {
        let mut r = Rng::fork(self.p.seed, "credentials");
        let mut s = String::from(
            "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n",
        );
        let root_created = Timestamp(NOW.0 - 2_950 * DAY);
        s.push_str(&format!(
            "<root_account>,arn:aws:iam::{}:root,{},not_supported,{},not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n",
            self.acct,
            aws_time(root_created),
            aws_time(ago(&mut r, 47)),
        ));
        for (u, (_, _, activity, created)) in users.iter().zip(facts) {
            let human = !u.path.starts_with("/service-accounts/");
            let password = human && r.chance(0.95);
            let used = |r: &mut Rng| match activity {
                Activity::Active(t) | Activity::Stale(t) => {
                    aws_time(Timestamp(t.0 - r.range(0, 3 * DAY).min(t.0 - created.0)))
                }
                Activity::Never => "no_information".to_string(),
            };
            let (pw_used, pw_changed) = if password {
                (
                    used(&mut r),
                    aws_time(ago_in(&mut r, 0, NOW.days_since(*created).max(0))),
                )
            } else {
                ("N/A".to_string(), "N/A".to_string())
            };
            let mfa = password && r.chance(0.9);
            let key = |r: &mut Rng, present: bool| -> String {
                if !present {
                    return "false,N/A,N/A,N/A,N/A".to_string();
                }
                let age = NOW.days_since(*created).max(0);
                let rotated = ago_in(r, 0, age.min(900));
                let (last, region, service) = match activity {
                    Activity::Never => ("N/A".to_string(), "N/A", "N/A"),
                    _ if r.chance(0.08) => ("N/A".to_string(), "N/A", "N/A"),
                    Activity::Active(t) | Activity::Stale(t) => {
                        let t = Timestamp(t.0.max(rotated.0));
                        (
                            aws_time(t),
                            *r.weighted(REGIONS),
                            *r.pick(&["s3", "sts", "lambda", "cloudformation", "dynamodb", "ec2"]),
                        )
                    }
                };
                format!("true,{},{last},{region},{service}", aws_time(rotated))
            };
            let has1 = !human || r.chance(0.3);
            let k1 = key(&mut r, has1);
            let has2 = !human && r.chance(0.1);
            let k2 = key(&mut r, has2);
            let name = if u.user_name.contains(',') {
                format!("\"{}\"", u.user_name)
            } else {
                u.user_name.clone()
            };
            s.push_str(&format!(
                "{name},{},{},{},{pw_used},{pw_changed},N/A,{mfa},{k1},{k2},false,N/A,false,N/A\n",
                u.arn,
                aws_time(u.create_date),
                password,
            ));
        }
        s
    }

    fn mfa_devices(&self, users: &[UserDetail], report: &str) -> Vec<VirtualMfaDevice> {
        let mut out = vec![VirtualMfaDevice {
            serial_number: format!("arn:aws:iam::{}:mfa/root-account-mfa-device", self.acct),
            user: Some(MfaUser {
                arn: format!("arn:aws:iam::{}:root", self.acct),
                user_name: None,
            }),
            enable_date: Some(Timestamp(NOW.0 - 2_900 * DAY)),
            tags: Some(Vec::new()),
        }];
        let Ok(rep) = CredentialReport::parse(report) else {
            return out;
        };
        for u in users {
            if rep.by_arn(&u.arn).is_some_and(|row| row.mfa_active) {
                out.push(VirtualMfaDevice {
                    serial_number: format!("arn:aws:iam::{}:mfa/{}", self.acct, u.user_name),
                    user: Some(MfaUser {
                        arn: u.arn.clone(),
                        user_name: Some(u.user_name.clone()),
                    }),
                    enable_date: Some(Timestamp(u.create_date.0 + DAY)),
                    tags: Some(Vec::new()),
                });
            }
        }
        out
    }

    fn summary(
        &self,
        users: &[UserDetail],
        roles: &[RoleDetail],
        groups: &[GroupDetail],
        mfa: &[VirtualMfaDevice],
    ) -> BTreeMap<String, i64> {
        let n = |x: usize| x as i64;
        let profiles = roles.iter().map(|r| r.instance_profile_list.len()).sum();
        BTreeMap::from(
            [
                ("AccountAccessKeysPresent", 0),
                ("AccountMFAEnabled", 1),
                ("AccountPasswordPresent", 1),
                ("AccountSigningCertificatesPresent", 0),
                ("AssumeRolePolicySizeQuota", 2_048),
                ("AttachedPoliciesPerGroupQuota", 10),
                ("AttachedPoliciesPerRoleQuota", 10),
                ("AttachedPoliciesPerUserQuota", 10),
                ("GroupPolicySizeQuota", 5_120),
                ("Groups", n(groups.len())),
                ("GroupsPerUserQuota", 10),
                ("GroupsQuota", 300),
                ("InstanceProfiles", n(profiles)),
                ("InstanceProfilesQuota", 1_000),
                ("MFADevices", n(mfa.len())),
                ("MFADevicesInUse", n(mfa.len())),
                ("Policies", n(self.customer.len())),
                ("PoliciesQuota", 1_500),
                ("PolicySizeQuota", 6_144),
                (
                    "PolicyVersionsInUse",
                    n(self.customer.len() + self.aws_used.len()),
                ),
                ("PolicyVersionsInUseQuota", 10_000),
                ("Providers", n(3 + self.eks_issuers.len())),
                ("RolePolicySizeQuota", 10_240),
                ("Roles", n(roles.len())),
                ("RolesQuota", 1_000),
                ("ServerCertificates", 2),
                ("ServerCertificatesQuota", 20),
                ("SigningCertificatesPerUserQuota", 2),
                ("UserPolicySizeQuota", 2_048),
                ("Users", n(users.len())),
                ("UsersQuota", 5_000),
                ("VersionsPerPolicyQuota", 5),
            ]
            .map(|(k, v)| (k.to_string(), v)),
        )
    }

    fn organizations(&self) -> OrganizationsSection {
        let org = "o-a1b2c3d4e5";
        let ou = "ou-a1b2-workload";
        let root = "r-a1b2";
        let scp =
            |id: &str, name: &str, managed: bool, content: Value, targets: &[&str]| OrgPolicy {
                policy_summary: OrgPolicySummary {
                    id: id.to_string(),
                    arn: Some(format!(
                        "arn:aws:organizations::{}:policy/{org}/service_control_policy/{id}",
                        self.mgmt_account
                    )),
                    name: Some(name.to_string()),
                    policy_type: Some("SERVICE_CONTROL_POLICY".to_string()),
                    aws_managed: Some(managed),
                },
                content: Some(doc(&content)),
                targets: targets.iter().map(|t| t.to_string()).collect(),
            };
        OrganizationsSection {
            organization: Some(Organization {
                id: Some(org.to_string()),
                arn: Some(format!(
                    "arn:aws:organizations::{}:organization/{org}",
                    self.mgmt_account
                )),
                feature_set: Some("ALL".to_string()),
                master_account_id: Some(self.mgmt_account.clone()),
            }),
            parents: vec![
                OrgParent {
                    id: ou.to_string(),
                    parent_type: "ORGANIZATIONAL_UNIT".to_string(),
                },
                OrgParent {
                    id: root.to_string(),
                    parent_type: "ROOT".to_string(),
                },
            ],
            policies: vec![
                scp(
                    "p-FullAWSAccess",
                    "FullAWSAccess",
                    true,
                    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
                    // As AWS attaches it: to the root, every OU and every account.
                    &[root, ou, &self.acct],
                ),
                scp(
                    "p-9x8y7w6v",
                    "DenyLeaveOrgAndRegions",
                    false,
                    json!({"Version": "2012-10-17", "Statement": [
                        {"Sid": "DenyLeave", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
                        {"Sid": "Regions", "Effect": "Deny",
                         "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*",
                                       "route53:*", "budgets:*", "waf:*", "health:*", "trustedadvisor:*"],
                         "Resource": "*",
                         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1", "us-west-2"]},
                                       "ArnNotLike": {"aws:PrincipalArn": format!("arn:aws:iam::*:role/OrganizationAccountAccessRole")}}}]}),
                    &[ou],
                ),
            ],
            accounts: Vec::new(),
        }
    }
}

struct RoleParts<'x> {
    path: &'x mut String,
    attached: &'x mut Vec<AttachedPolicy>,
    inline: &'x mut Vec<(String, Value)>,
    boundary: &'x mut Option<PermissionsBoundary>,
    profile: &'x mut bool,
}
