//! Who is asking: the identities a request principal presents to `Principal` and
//! `NotPrincipal` elements, and the context keys derived from it.

use crate::policy::{PrincipalId, PrincipalKind, Principals};

/// The kind of the request's principal.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PrincipalType {
    /// An IAM user.
    User,
    /// A role session (or a role ARN, treated as its session).
    AssumedRole,
    /// An STS federated user session.
    FederatedUser,
    /// The account's root user.
    Account,
    /// An AWS service principal (`lambda.amazonaws.com`).
    Service,
    /// A web identity or SAML provider (for AssumeRoleWith*).
    Federated,
    /// Nobody: an unsigned request.
    Anonymous,
}

/// A request principal, with the identities it presents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestPrincipal {
    /// As given.
    pub raw: String,
    /// Kind.
    pub kind: PrincipalType,
    /// Partition, for ARNs.
    pub partition: String,
    /// Account, for ARNs.
    pub account: String,
    /// The user or role name (without path); the session name for sessions is in `session`.
    pub name: String,
    /// The session name of a role or federated session.
    pub session: Option<String>,
    /// A role principal given by its IAM ARN has a path; sessions do not.
    pub role_path: Option<String>,
}

impl RequestPrincipal {
    /// Classifies a principal string: an IAM or STS ARN, a service principal, a provider, or
    /// `*`/`anonymous`.
    pub fn parse(raw: &str) -> RequestPrincipal {
        let mut p = RequestPrincipal {
            raw: raw.to_string(),
            kind: PrincipalType::Anonymous,
            partition: "aws".to_string(),
            account: String::new(),
            name: String::new(),
            session: None,
            role_path: None,
        };
        if raw.is_empty() || raw == "*" || raw.eq_ignore_ascii_case("anonymous") {
            return p;
        }
        let Ok(arn) = raw.parse::<crate::Arn>() else {
            p.kind = if raw.ends_with(".amazonaws.com") || raw.ends_with(".amazonaws.com.cn") {
                PrincipalType::Service
            } else {
                PrincipalType::Federated
            };
            p.name = raw.to_string();
            return p;
        };
        p.partition = arn.partition.clone();
        p.account = arn.account.clone();
        let res = arn.resource.as_str();
        match (arn.service.as_str(), res.split_once('/')) {
            ("iam", Some(("user", rest))) => {
                p.kind = PrincipalType::User;
                p.name = rest.rsplit('/').next().unwrap_or(rest).to_string();
            }
            ("iam", Some(("role", rest))) => {
                p.kind = PrincipalType::AssumedRole;
                let (path, name) = match rest.rsplit_once('/') {
                    Some((path, name)) => (format!("/{path}/"), name),
                    None => ("/".to_string(), rest),
                };
                p.name = name.to_string();
                p.role_path = Some(path);
            }
            ("sts", Some(("assumed-role", rest))) => {
                p.kind = PrincipalType::AssumedRole;
                let (role, session) = rest.split_once('/').unwrap_or((rest, ""));
                p.name = role.to_string();
                p.session = Some(session.to_string());
            }
            ("sts", Some(("federated-user", rest))) => {
                p.kind = PrincipalType::FederatedUser;
                p.name = rest.to_string();
                p.session = Some(rest.to_string());
            }
            ("iam", _) if res == "root" => p.kind = PrincipalType::Account,
            ("iam", Some(("saml-provider" | "oidc-provider", _))) => {
                p.kind = PrincipalType::Federated;
                p.name = raw.to_string();
            }
            _ => {
                p.kind = PrincipalType::Federated;
                p.name = raw.to_string();
            }
        }
        p
    }

    /// The account root ARN, for principals that belong to an account.
    pub fn account_arn(&self) -> Option<String> {
        (!self.account.is_empty())
            .then(|| format!("arn:{}:iam::{}:root", self.partition, self.account))
    }

    /// The role's IAM ARN (with its path when known), for role sessions.
    pub fn role_arn(&self) -> Option<String> {
        (self.kind == PrincipalType::AssumedRole).then(|| {
            format!(
                "arn:{}:iam::{}:role{}{}",
                self.partition,
                self.account,
                self.role_path.as_deref().unwrap_or("/"),
                self.name
            )
        })
    }

    /// The session ARN, for role and federated sessions.
    pub fn session_arn(&self) -> Option<String> {
        match (self.kind, &self.session) {
            (PrincipalType::AssumedRole, Some(s)) => Some(format!(
                "arn:{}:sts::{}:assumed-role/{}/{s}",
                self.partition, self.account, self.name
            )),
            (PrincipalType::FederatedUser, Some(s)) => Some(format!(
                "arn:{}:sts::{}:federated-user/{s}",
                self.partition, self.account
            )),
            _ => None,
        }
    }

    /// Users, role sessions, federated users and the root user carry identity-based
    /// permissions; services, identity providers and anonymous callers do not.
    pub fn has_identity_policies(&self) -> bool {
        matches!(
            self.kind,
            PrincipalType::User
                | PrincipalType::AssumedRole
                | PrincipalType::FederatedUser
                | PrincipalType::Account
        )
    }

    /// Service-linked roles are exempt from SCPs and RCPs.
    pub fn is_service_linked_role(&self) -> bool {
        self.kind == PrincipalType::AssumedRole
            && (self.name.starts_with("AWSServiceRoleFor")
                || self
                    .role_path
                    .as_deref()
                    .is_some_and(|p| p.starts_with("/aws-service-role/")))
    }

    /// `aws:PrincipalType` as AWS writes it.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            PrincipalType::User => "User",
            PrincipalType::AssumedRole => "AssumedRole",
            PrincipalType::FederatedUser => "FederatedUser",
            PrincipalType::Account => "Account",
            PrincipalType::Service => "Service",
            PrincipalType::Federated => "WebIdentityUser",
            PrincipalType::Anonymous => "Anonymous",
        }
    }

    /// `aws:PrincipalArn`: the user, the role (not the session), the federated user, the root.
    pub fn principal_arn(&self) -> Option<String> {
        match self.kind {
            PrincipalType::User | PrincipalType::FederatedUser => Some(self.raw.clone()),
            PrincipalType::AssumedRole => self.role_arn(),
            PrincipalType::Account => self.account_arn(),
            _ => None,
        }
    }
}

/// How a `Principal` element matched.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalMatch {
    /// It does not name this principal.
    No,
    /// Only through the principal's account (`"AWS": "111122223333"` or `...:root`):
    /// the account delegates to its own identity policies.
    Account,
    /// Through the role ARN of a role session: limited by the session's boundary and session
    /// policy.
    Role,
    /// The principal itself (user ARN, session ARN, service, provider, or `*`).
    Direct,
}

fn is_account_ref(value: &str, p: &RequestPrincipal) -> bool {
    !p.account.is_empty() && (value == p.account || p.account_arn().is_some_and(|a| a == value))
}

fn role_ref_matches(value: &str, p: &RequestPrincipal) -> bool {
    // A role ARN in a policy may carry a path that the session ARN lacks: compare account and
    // role name.
    let Ok(arn) = value.parse::<crate::Arn>() else {
        return false;
    };
    arn.service == "iam"
        && arn.account == p.account
        && arn.resource.starts_with("role/")
        && arn.resource_name() == p.name
}

/// How one listed principal matches the request principal.
fn id_match(id: &PrincipalId, p: &RequestPrincipal) -> PrincipalMatch {
    let v = id.value.as_str();
    match id.kind {
        PrincipalKind::Aws => {
            if v == "*" {
                return PrincipalMatch::Direct;
            }
            if p.kind == PrincipalType::Account && is_account_ref(v, p) {
                return PrincipalMatch::Direct;
            }
            if is_account_ref(v, p) && p.has_identity_policies() {
                return PrincipalMatch::Account;
            }
            match p.kind {
                PrincipalType::User => {
                    if v == p.raw {
                        PrincipalMatch::Direct
                    } else {
                        PrincipalMatch::No
                    }
                }
                PrincipalType::AssumedRole => {
                    if p.session_arn().is_some_and(|s| s == v) {
                        PrincipalMatch::Direct
                    } else if role_ref_matches(v, p) {
                        PrincipalMatch::Role
                    } else {
                        PrincipalMatch::No
                    }
                }
                PrincipalType::FederatedUser => {
                    if p.session_arn().is_some_and(|s| s == v) {
                        PrincipalMatch::Direct
                    } else {
                        PrincipalMatch::No
                    }
                }
                _ => PrincipalMatch::No,
            }
        }
        PrincipalKind::Service => {
            if p.kind == PrincipalType::Service && v == p.raw {
                PrincipalMatch::Direct
            } else {
                PrincipalMatch::No
            }
        }
        PrincipalKind::Federated => {
            if p.kind == PrincipalType::Federated && v == p.raw {
                PrincipalMatch::Direct
            } else {
                PrincipalMatch::No
            }
        }
        PrincipalKind::CanonicalUser => {
            if v == p.raw {
                PrincipalMatch::Direct
            } else {
                PrincipalMatch::No
            }
        }
    }
}

/// The best match of a `Principal` element for the request principal.
pub fn principal_matches(ps: &Principals, p: &RequestPrincipal) -> PrincipalMatch {
    match ps {
        Principals::Any => PrincipalMatch::Direct,
        Principals::Listed(ids) => ids
            .iter()
            .map(|id| id_match(id, p))
            .max()
            .unwrap_or(PrincipalMatch::No),
    }
}

/// Does a `NotPrincipal` element apply to the request?
///
/// With `Deny` it applies unless it lists *every* identity the request presents: the account,
/// and the user, or for role sessions both the role ARN and the session ARN (AWS matches
/// `NotPrincipal` exactly, so a role ARN alone does not exclude its sessions). With `Allow`,
/// any listed identity excludes the principal.
pub fn not_principal_applies(ps: &Principals, p: &RequestPrincipal, deny: bool) -> bool {
    let Principals::Listed(ids) = ps else {
        return false; // NotPrincipal "*" excludes everyone
    };
    let listed = |pred: &dyn Fn(&PrincipalId) -> bool| ids.iter().any(pred);
    if ids
        .iter()
        .any(|i| i.kind == PrincipalKind::Aws && i.value == "*")
    {
        return false;
    }
    match p.kind {
        PrincipalType::Anonymous => true,
        PrincipalType::Service => {
            !listed(&|i| i.kind == PrincipalKind::Service && i.value == p.raw)
        }
        PrincipalType::Federated => {
            !listed(&|i| i.kind == PrincipalKind::Federated && i.value == p.raw)
        }
        _ => {
            let account_listed =
                listed(&|i| i.kind == PrincipalKind::Aws && is_account_ref(&i.value, p));
            let self_listed = match p.kind {
                PrincipalType::Account => true,
                PrincipalType::User => {
                    listed(&|i| i.kind == PrincipalKind::Aws && i.value == p.raw)
                }
                PrincipalType::AssumedRole => {
                    let role =
                        listed(&|i| i.kind == PrincipalKind::Aws && role_ref_matches(&i.value, p));
                    let session = match p.session_arn() {
                        Some(s) => listed(&|i| i.kind == PrincipalKind::Aws && i.value == s),
                        None => true, // a role given by its IAM ARN presents no session
                    };
                    role && session
                }
                PrincipalType::FederatedUser => listed(&|i| {
                    i.kind == PrincipalKind::Aws && p.session_arn().is_some_and(|s| s == i.value)
                }),
                _ => false,
            };
            if deny {
                !(account_listed && self_listed)
            } else {
                let any_self = match p.kind {
                    PrincipalType::User => {
                        listed(&|i| i.kind == PrincipalKind::Aws && i.value == p.raw)
                    }
                    PrincipalType::AssumedRole => {
                        listed(&|i| i.kind == PrincipalKind::Aws && role_ref_matches(&i.value, p))
                            || p.session_arn().is_some_and(|s| {
                                listed(&|i| i.kind == PrincipalKind::Aws && i.value == s)
                            })
                    }
                    _ => self_listed,
                };
                !(account_listed || any_self)
            }
        }
    }
}
