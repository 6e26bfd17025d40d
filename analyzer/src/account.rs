//! The account model: every principal with the policies that apply to it, resolved once.
//!
//! A user's identity policies are its inline policies, its attached managed policies (their
//! default version) and those of its groups; a role's are its inline and attached policies.
//! Boundaries and resource policies (trust, bucket, key) are looked up here too. A grant whose
//! document does not parse, or whose managed policy is not in the snapshot, is kept as
//! *unresolved*: analyses say what they could not see instead of guessing.
//!
//! The organisation's service and resource control policies are resolved here too
//! ([`Organisation`]): every user and role (but service-linked roles) carries the SCP levels
//! that restrict it and the RCP levels of the account's resources, so every evaluation made
//! through [`Principal::policy_set`] honours them — the per-principal checks, `can`,
//! `who-can` and the escalation graph alike.

use std::collections::HashMap;
use std::sync::OnceLock;

use iam_model::Timestamp;
use iam_model::eval::{Named, PolicySet};
use iam_model::policy::Policy;
use iam_model::snapshot::{
    AttachedPolicy, InlinePolicy, ManagedPolicyDetail, RoleDetail, Snapshot, Tag,
};

use crate::context::inline_id;

/// The kind of an IAM principal.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalKind {
    /// A user.
    User,
    /// A role.
    Role,
    /// A group (holds policies, cannot act).
    Group,
}

impl PrincipalKind {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
            PrincipalKind::Group => "group",
        }
    }
}

/// How a policy reaches a principal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GrantSource {
    /// An inline policy of the principal or of one of its groups.
    Inline {
        /// The holder's ARN (the principal, or the group).
        holder: String,
        /// The policy name.
        name: String,
    },
    /// A managed policy attached to the principal or one of its groups.
    Managed {
        /// The policy ARN.
        arn: String,
    },
}

/// One policy that applies to a principal.
#[derive(Clone, Debug)]
pub struct Grant<'a> {
    /// The id iamsight reports it under: the managed policy ARN, or `inline:<holder>:<name>`.
    pub id: String,
    /// Where it comes from.
    pub source: GrantSource,
    /// The group it comes through, for users.
    pub via_group: Option<String>,
    /// The document, when it parses and is in the snapshot.
    pub policy: Option<&'a Policy>,
}

/// A user, role or group with its resolved policies.
#[derive(Clone, Debug)]
pub struct Principal<'a> {
    /// Kind.
    pub kind: PrincipalKind,
    /// Name.
    pub name: &'a str,
    /// ARN.
    pub arn: &'a str,
    /// Path.
    pub path: &'a str,
    /// Creation time.
    pub created: Timestamp,
    /// Tags (none for groups).
    pub tags: &'a [Tag],
    /// Identity policies (for users, including their groups').
    pub grants: Vec<Grant<'a>>,
    /// Permission boundary.
    pub boundary: Option<Grant<'a>>,
    /// Group names (users only).
    pub groups: Vec<&'a str>,
    /// The SCP levels that restrict this principal, root first and the account last
    /// (see [`Organisation`]); empty when none apply.
    pub scps: Vec<Vec<Named<'a>>>,
    /// The RCP levels of the account's resources, which the principal's requests to them
    /// meet; empty when none apply.
    pub rcps: Vec<Vec<Named<'a>>>,
    /// The organisation's id (`aws:PrincipalOrgID`), when known.
    pub org_id: Option<&'a str>,
    /// The account's regions (those in the snapshot), for the engine's choice of
    /// `aws:RequestedRegion` in capability questions ([`PolicySet::regions`]).
    pub regions: Vec<&'a str>,
}

impl<'a> Principal<'a> {
    /// The grants whose document could not be read.
    pub fn unresolved(&self) -> impl Iterator<Item = &Grant<'a>> {
        self.grants
            .iter()
            .chain(self.boundary.iter())
            .filter(|g| g.policy.is_none())
    }

    /// The policy set of this principal's requests to the account's own resources: its
    /// identity policies, its boundary, the SCPs that restrict it and the RCPs of the account,
    /// with the organisation's id and the account's regions (a capability question may be
    /// answered in any of them). The resource's policy and session policies are added by
    /// the caller; for a resource in another account, the caller clears `rcps` (they are
    /// this account's).
    pub fn policy_set(&self) -> PolicySet<'_> {
        PolicySet {
            identity: self
                .grants
                .iter()
                .filter_map(|g| {
                    g.policy.map(|p| Named {
                        name: &g.id,
                        policy: p,
                    })
                })
                .collect(),
            boundary: self.boundary.as_ref().and_then(|b| {
                b.policy.map(|p| Named {
                    name: &b.id,
                    policy: p,
                })
            }),
            scps: self.scps.clone(),
            rcps: self.rcps.clone(),
            org_id: self.org_id,
            regions: &self.regions,
            ..PolicySet::default()
        }
    }

    /// Is this a service-linked role (AWS owns it; SCPs and RCPs do not restrict it)?
    pub fn is_service_linked(&self) -> bool {
        self.kind == PrincipalKind::Role && self.path.starts_with("/aws-service-role/")
    }
}

/// The organisation as it bears on the scanned account, from the snapshot's `organizations`
/// section, following AWS's rules:
///
/// - SCPs and RCPs exist only with all features enabled (`FeatureSet` `ALL`), and restrict
///   nothing in the management account;
/// - every level of the path — the root, each OU down to the account, the account — must
///   allow: one list of policies per level, root first;
/// - SCPs do not restrict service-linked roles, nor RCPs the requests of service-linked roles
///   (the evaluation engine also knows this, from the role's path).
///
/// What the snapshot does not show is not guessed, and always in the direction that keeps a
/// risk visible: a level with no known policy (AWS keeps at least one on each level; none
/// means it was not read) is left out rather than taken to deny everything; a policy whose
/// document was not read keeps its level open (treated as allowing everything, denying
/// nothing) while the level's readable Deny statements still apply; a policy whose place on
/// the path is unknown is not applied. Each such case is listed in [`Organisation::gaps`].
#[derive(Clone, Debug, Default)]
pub struct Organisation<'a> {
    /// `o-...`, when known.
    pub id: Option<&'a str>,
    /// The management account, when known.
    pub management_account: Option<&'a str>,
    /// The accounts known to be in the organisation: the scanned one, the management
    /// account, and those the section lists (`Accounts`). Empty when the account is in no
    /// known organisation.
    pub accounts: Vec<&'a str>,
    /// SCP levels that restrict the account's principals, root first.
    pub scps: Vec<Vec<Named<'a>>>,
    /// RCP levels that restrict access to the account's resources, root first.
    pub rcps: Vec<Vec<Named<'a>>>,
    /// What could not be applied, and why.
    pub gaps: Vec<String>,
}

/// The stand-in for a control policy whose document was not read: allows everything, denies
/// nothing, so its level never blocks on its account.
fn unread_policy() -> Option<&'static Policy> {
    static UNREAD: OnceLock<Option<Policy>> = OnceLock::new();
    UNREAD
        .get_or_init(|| {
            Policy::parse(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
            )
            .ok()
        })
        .as_ref()
}

impl<'a> Organisation<'a> {
    /// The organisation of the snapshot's account.
    pub fn of(snapshot: &'a Snapshot) -> Organisation<'a> {
        let Some(section) = &snapshot.organizations else {
            return Organisation::default();
        };
        let own = snapshot.account_id.as_str();
        let org = section.organization.as_ref();
        let management = org.and_then(|o| o.master_account_id.as_deref());
        let mut accounts = vec![own];
        accounts.extend(management);
        for a in &section.accounts {
            accounts.push(a.id.as_str());
        }
        accounts.sort_unstable();
        accounts.dedup();
        let mut view = Organisation {
            id: org.and_then(|o| o.id.as_deref()),
            management_account: management,
            accounts,
            ..Organisation::default()
        };
        if management == Some(own) {
            // "SCPs don't affect users or roles in the management account"; nor do RCPs its
            // resources.
            return view;
        }
        if org
            .and_then(|o| o.feature_set.as_deref())
            .is_some_and(|f| f.eq_ignore_ascii_case("CONSOLIDATED_BILLING"))
        {
            return view;
        }
        // The path, root first. Without the parents only the account's own level is known.
        let mut levels: Vec<&str> = section
            .parents
            .iter()
            .rev()
            .map(|p| p.id.as_str())
            .collect();
        let path_known = section
            .parents
            .last()
            .is_some_and(|p| p.parent_type.eq_ignore_ascii_case("ROOT"));
        levels.push(own);
        if !path_known && !section.policies.is_empty() {
            view.gaps.push(
                "the account's path to the organisation root is not in the snapshot: only the control policies attached to the known levels are applied".to_string(),
            );
        }
        for kind in [ControlKind::Scp, ControlKind::Rcp] {
            let mut out: Vec<Vec<Named<'a>>> = Vec::new();
            let of_kind: Vec<&'a iam_model::snapshot::OrgPolicy> = section
                .policies
                .iter()
                .filter(|p| kind.matches(p.policy_summary.policy_type.as_deref()))
                .collect();
            if of_kind.is_empty() {
                // Not enabled (RCPs), or not read: the collection errors say which.
                continue;
            }
            for level in &levels {
                let mut named = Vec::new();
                let mut unread = false;
                for p in of_kind
                    .iter()
                    .filter(|p| p.targets.iter().any(|t| t == level))
                {
                    let label = p
                        .policy_summary
                        .arn
                        .as_deref()
                        .unwrap_or(p.policy_summary.id.as_str());
                    match p.content.as_ref().map(|c| c.policy()) {
                        Some(Ok(policy)) => named.push(Named {
                            name: label,
                            policy,
                        }),
                        _ => {
                            unread = true;
                            view.gaps.push(format!(
                                "{} `{label}` (on `{level}`) could not be read: its Deny statements are not applied",
                                kind.as_str()
                            ));
                            if let Some(policy) = unread_policy() {
                                named.push(Named {
                                    name: label,
                                    policy,
                                });
                            }
                        }
                    }
                }
                if named.is_empty() && !unread {
                    view.gaps.push(format!(
                        "no {} attached to `{level}` is in the snapshot (AWS keeps at least one on every level): that level is not applied",
                        kind.as_str()
                    ));
                    continue;
                }
                out.push(named);
            }
            for p in of_kind
                .iter()
                .filter(|p| !p.targets.iter().any(|t| levels.contains(&t.as_str())))
            {
                view.gaps.push(format!(
                    "{} `{}` is attached to no level of the account's known path: not applied",
                    kind.as_str(),
                    p.policy_summary.id
                ));
            }
            match kind {
                ControlKind::Scp => view.scps = out,
                ControlKind::Rcp => view.rcps = out,
            }
        }
        view
    }

    /// Is `account` known to be in the organisation? `None` when the snapshot knows no
    /// organisation.
    pub fn contains(&self, account: &str) -> Option<bool> {
        self.id.is_some().then(|| self.accounts.contains(&account))
    }
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum ControlKind {
    Scp,
    Rcp,
}

impl ControlKind {
    fn matches(self, policy_type: Option<&str>) -> bool {
        let want = match self {
            ControlKind::Scp => "SERVICE_CONTROL_POLICY",
            ControlKind::Rcp => "RESOURCE_CONTROL_POLICY",
        };
        policy_type.is_some_and(|t| t.eq_ignore_ascii_case(want))
    }

    fn as_str(self) -> &'static str {
        match self {
            ControlKind::Scp => "SCP",
            ControlKind::Rcp => "RCP",
        }
    }
}

/// Every principal of a snapshot, with lookups.
pub struct Account<'a> {
    /// The snapshot.
    pub snapshot: &'a Snapshot,
    /// The organisation, its control policies and what of them could not be applied.
    pub organisation: Organisation<'a>,
    /// Users, then roles, then groups, in snapshot order.
    pub principals: Vec<Principal<'a>>,
    by_arn: HashMap<&'a str, usize>,
    managed: HashMap<&'a str, &'a ManagedPolicyDetail>,
    /// Roles by ARN (the first of duplicates), for trust-policy lookups: the graph asks once
    /// per (principal, role) pair, so a scan of the role list made large accounts quadratic.
    roles: HashMap<&'a str, &'a RoleDetail>,
}

/// A principal name that matches several principals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// No principal by that name or ARN.
    NotFound,
    /// Several (a user and a role of the same name): use the ARN.
    Ambiguous(Vec<String>),
}

impl<'a> Account<'a> {
    /// Resolves every principal's policies.
    pub fn new(snapshot: &'a Snapshot) -> Account<'a> {
        let d = &snapshot.authorization_details;
        let organisation = Organisation::of(snapshot);
        let regions: Vec<&str> = snapshot.regions.keys().map(String::as_str).collect();
        let managed: HashMap<&str, &ManagedPolicyDetail> =
            d.policies.iter().map(|p| (p.arn.as_str(), p)).collect();
        let resolve_managed = |a: &AttachedPolicy, via: Option<&str>| Grant {
            id: a.policy_arn.clone(),
            source: GrantSource::Managed {
                arn: a.policy_arn.clone(),
            },
            via_group: via.map(str::to_string),
            policy: managed
                .get(a.policy_arn.as_str())
                .and_then(|m| m.default_version())
                .and_then(|v| v.document.policy().ok()),
        };
        let resolve_inline = |holder: &str, p: &'a InlinePolicy, via: Option<&str>| Grant {
            id: inline_id(holder, &p.policy_name),
            source: GrantSource::Inline {
                holder: holder.to_string(),
                name: p.policy_name.clone(),
            },
            via_group: via.map(str::to_string),
            policy: p.policy_document.policy().ok(),
        };
        let boundary = |b: &Option<iam_model::snapshot::PermissionsBoundary>| {
            b.as_ref().map(|b| {
                resolve_managed(
                    &AttachedPolicy {
                        policy_name: String::new(),
                        policy_arn: b.permissions_boundary_arn.clone(),
                    },
                    None,
                )
            })
        };
        let groups: HashMap<&str, &iam_model::snapshot::GroupDetail> = d
            .groups
            .iter()
            .map(|g| (g.group_name.as_str(), g))
            .collect();
        let mut principals = Vec::new();
        for u in &d.users {
            let mut grants: Vec<Grant<'a>> = u
                .user_policy_list
                .iter()
                .map(|p| resolve_inline(&u.arn, p, None))
                .collect();
            grants.extend(
                u.attached_managed_policies
                    .iter()
                    .map(|a| resolve_managed(a, None)),
            );
            for gname in &u.group_list {
                if let Some(g) = groups.get(gname.as_str()) {
                    grants.extend(
                        g.group_policy_list
                            .iter()
                            .map(|p| resolve_inline(&g.arn, p, Some(&g.arn))),
                    );
                    grants.extend(
                        g.attached_managed_policies
                            .iter()
                            .map(|a| resolve_managed(a, Some(&g.arn))),
                    );
                }
            }
            principals.push(Principal {
                kind: PrincipalKind::User,
                name: &u.user_name,
                arn: &u.arn,
                path: &u.path,
                created: u.create_date,
                tags: &u.tags,
                grants,
                boundary: boundary(&u.permissions_boundary),
                groups: u.group_list.iter().map(String::as_str).collect(),
                scps: organisation.scps.clone(),
                rcps: organisation.rcps.clone(),
                org_id: organisation.id,
                regions: regions.clone(),
            });
        }
        for r in &d.roles {
            let mut grants: Vec<Grant<'a>> = r
                .role_policy_list
                .iter()
                .map(|p| resolve_inline(&r.arn, p, None))
                .collect();
            grants.extend(
                r.attached_managed_policies
                    .iter()
                    .map(|a| resolve_managed(a, None)),
            );
            principals.push(Principal {
                kind: PrincipalKind::Role,
                name: &r.role_name,
                arn: &r.arn,
                path: &r.path,
                created: r.create_date,
                tags: &r.tags,
                grants,
                boundary: boundary(&r.permissions_boundary),
                groups: Vec::new(),
                // AWS owns service-linked roles: no SCP or RCP restricts them.
                scps: if r.is_service_linked() {
                    Vec::new()
                } else {
                    organisation.scps.clone()
                },
                rcps: if r.is_service_linked() {
                    Vec::new()
                } else {
                    organisation.rcps.clone()
                },
                org_id: organisation.id,
                regions: regions.clone(),
            });
        }
        for g in &d.groups {
            let mut grants: Vec<Grant<'a>> = g
                .group_policy_list
                .iter()
                .map(|p| resolve_inline(&g.arn, p, None))
                .collect();
            grants.extend(
                g.attached_managed_policies
                    .iter()
                    .map(|a| resolve_managed(a, None)),
            );
            principals.push(Principal {
                kind: PrincipalKind::Group,
                name: &g.group_name,
                arn: &g.arn,
                path: &g.path,
                created: g.create_date,
                tags: &[],
                grants,
                boundary: None,
                groups: Vec::new(),
                scps: organisation.scps.clone(),
                rcps: organisation.rcps.clone(),
                org_id: organisation.id,
                regions: regions.clone(),
            });
        }
        let by_arn = principals
            .iter()
            .enumerate()
            .map(|(i, p)| (p.arn, i))
            .collect();
        let mut roles: HashMap<&str, &RoleDetail> = HashMap::with_capacity(d.roles.len());
        for r in &d.roles {
            roles.entry(r.arn.as_str()).or_insert(r);
        }
        Account {
            snapshot,
            organisation,
            principals,
            by_arn,
            managed,
            roles,
        }
    }

    /// A principal by ARN.
    pub fn by_arn(&self, arn: &str) -> Option<&Principal<'a>> {
        self.by_arn.get(arn).map(|&i| &self.principals[i])
    }

    /// The index in [`Account::principals`] of the principal with this ARN.
    pub fn index_of(&self, arn: &str) -> Option<usize> {
        self.by_arn.get(arn).copied()
    }

    /// A user or role by name or ARN (a role session ARN resolves to its role).
    pub fn find(&self, name_or_arn: &str) -> Result<&Principal<'a>, Lookup> {
        if let Some(p) = self.by_arn(name_or_arn) {
            return Ok(p);
        }
        let name = if name_or_arn.starts_with("arn:") {
            let p = iam_model::eval::RequestPrincipal::parse(name_or_arn);
            if p.session.is_none() {
                return Err(Lookup::NotFound);
            }
            p.name
        } else {
            name_or_arn.to_string()
        };
        let hits: Vec<&Principal<'a>> = self
            .principals
            .iter()
            .filter(|p| p.kind != PrincipalKind::Group && p.name == name)
            .collect();
        match hits.as_slice() {
            [one] => Ok(one),
            [] => Err(Lookup::NotFound),
            many => Err(Lookup::Ambiguous(
                many.iter().map(|p| p.arn.to_string()).collect(),
            )),
        }
    }

    /// A managed policy by ARN.
    pub fn managed_policy(&self, arn: &str) -> Option<&'a ManagedPolicyDetail> {
        self.managed.get(arn).copied()
    }

    /// The resource policy that governs `action` on `resource`, if the snapshot has it: a
    /// role's trust policy for `sts:AssumeRole*`, a bucket policy for S3, a key policy for KMS.
    pub fn resource_policy(&self, action: &str, resource: &str) -> Option<(String, &'a Policy)> {
        let a = action.to_ascii_lowercase();
        let arn: iam_model::Arn = resource.parse().ok()?;
        if a.starts_with("sts:assumerole")
            && arn.service == "iam"
            && arn.resource.starts_with("role/")
        {
            let role = self.roles.get(resource)?;
            let p = role.assume_role_policy_document.as_ref()?.policy().ok()?;
            return Some((format!("{resource} (trust policy)"), p));
        }
        if a.starts_with("s3:") && arn.service == "s3" {
            let bucket = arn.resource.split('/').next()?;
            let b = self
                .snapshot
                .s3
                .as_ref()?
                .buckets
                .iter()
                .find(|b| b.name == bucket)?;
            let p = b.policy.as_ref()?.policy().ok()?;
            return Some((
                format!("arn:{}:s3:::{bucket} (bucket policy)", arn.partition),
                p,
            ));
        }
        if a.starts_with("kms:") && arn.service == "kms" {
            for region in self.snapshot.regions.values() {
                for k in region.kms.iter().flat_map(|k| &k.keys) {
                    if k.key_metadata.arn == resource {
                        let p = k.policy.as_ref()?.policy().ok()?;
                        return Some((format!("{resource} (key policy)"), p));
                    }
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A member account under `ou-1` under `r-1`, with `policies` (JSON array) and roles.
    fn account(master: &str, feature_set: &str, policies: &str) -> Snapshot {
        Snapshot::from_json_str(&format!(
            r#"{{"iamsight_snapshot":1,"account_id":"111122223333","collected_at":"2026-11-30T12:00:00Z",
            "authorization_details":{{"RoleDetailList":[
              {{"Path":"/","RoleName":"app","RoleId":"AROA1","Arn":"arn:aws:iam::111122223333:role/app","CreateDate":"2024-01-01T00:00:00Z"}},
              {{"Path":"/aws-service-role/support.amazonaws.com/","RoleName":"AWSServiceRoleForSupport","RoleId":"AROA2","Arn":"arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport","CreateDate":"2024-01-01T00:00:00Z"}}]}},
            "organizations":{{"Organization":{{"Id":"o-1","FeatureSet":"{feature_set}","MasterAccountId":"{master}"}},
              "Parents":[{{"Id":"ou-1","Type":"ORGANIZATIONAL_UNIT"}},{{"Id":"r-1","Type":"ROOT"}}],
              "Policies":{policies}}}}}"#
        ))
        .unwrap()
    }

    fn policy(id: &str, kind: &str, content: &str, targets: &str) -> String {
        format!(
            r#"{{"PolicySummary":{{"Id":"{id}","Type":"{kind}"}},"Content":{content},"Targets":{targets}}}"#
        )
    }

    const FULL: &str =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

    #[test]
    fn every_level_of_the_path_root_first_and_service_linked_roles_exempt() {
        let policies = format!(
            "[{},{}]",
            policy(
                "p-full",
                "SERVICE_CONTROL_POLICY",
                FULL,
                r#"["r-1","ou-1","111122223333"]"#
            ),
            policy(
                "p-deny",
                "SERVICE_CONTROL_POLICY",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
                r#"["ou-1"]"#
            )
        );
        let snap = account("999988887777", "ALL", &policies);
        let a = Account::new(&snap);
        let levels: Vec<Vec<&str>> = a
            .organisation
            .scps
            .iter()
            .map(|l| l.iter().map(|n| n.name).collect())
            .collect();
        assert_eq!(
            levels,
            [vec!["p-full"], vec!["p-full", "p-deny"], vec!["p-full"]]
        );
        assert!(a.organisation.rcps.is_empty());
        assert!(a.organisation.gaps.is_empty(), "{:?}", a.organisation.gaps);
        let app = a.by_arn("arn:aws:iam::111122223333:role/app").unwrap();
        assert_eq!(app.policy_set().scps.len(), 3);
        assert_eq!(app.org_id, Some("o-1"));
        let slr = a.principals.iter().find(|p| p.is_service_linked()).unwrap();
        assert!(slr.scps.is_empty() && slr.rcps.is_empty());
        assert_eq!(a.organisation.contains("999988887777"), Some(true));
        assert_eq!(a.organisation.contains("444455556666"), Some(false));
    }

    #[test]
    fn no_control_policy_applies_in_the_management_account_or_without_all_features() {
        let policies = format!(
            "[{}]",
            policy(
                "p-full",
                "SERVICE_CONTROL_POLICY",
                FULL,
                r#"["r-1","ou-1","111122223333"]"#
            )
        );
        for (master, features) in [
            ("111122223333", "ALL"),
            ("999988887777", "CONSOLIDATED_BILLING"),
        ] {
            let snap = account(master, features, &policies);
            let a = Account::new(&snap);
            assert!(a.organisation.scps.is_empty(), "{master} {features}");
            assert!(a.principals.iter().all(|p| p.scps.is_empty()));
        }
    }

    #[test]
    fn what_was_not_read_never_denies_and_is_a_gap() {
        // The account level has no known SCP (not read), and the OU's second SCP has no content.
        let policies = format!(
            "[{},{}]",
            policy(
                "p-full",
                "SERVICE_CONTROL_POLICY",
                FULL,
                r#"["r-1","ou-1"]"#
            ),
            policy("p-unread", "SERVICE_CONTROL_POLICY", "null", r#"["ou-1"]"#)
        );
        let snap = account("999988887777", "ALL", &policies);
        let a = Account::new(&snap);
        assert_eq!(
            a.organisation.scps.len(),
            2,
            "the account level is left out"
        );
        assert_eq!(
            a.organisation.scps[1].len(),
            2,
            "the unread policy stands open"
        );
        let gaps = a.organisation.gaps.join("\n");
        assert!(
            gaps.contains("`p-unread` (on `ou-1`) could not be read"),
            "{gaps}"
        );
        assert!(gaps.contains("no SCP attached to `111122223333`"), "{gaps}");
    }
}
