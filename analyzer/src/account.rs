//! The account model: every principal with the policies that apply to it, resolved once.
//!
//! A user's identity policies are its inline policies, its attached managed policies (their
//! default version) and those of its groups; a role's are its inline and attached policies.
//! Boundaries and resource policies (trust, bucket, key) are looked up here too. A grant whose
//! document does not parse, or whose managed policy is not in the snapshot, is kept as
//! *unresolved*: analyses say what they could not see instead of guessing.

use std::collections::HashMap;

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
}

impl<'a> Principal<'a> {
    /// The grants whose document could not be read.
    pub fn unresolved(&self) -> impl Iterator<Item = &Grant<'a>> {
        self.grants
            .iter()
            .chain(self.boundary.iter())
            .filter(|g| g.policy.is_none())
    }

    /// The identity side of a policy set for this principal: its identity policies and
    /// boundary. Resource, organisation and session policies are added by the caller.
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
            ..PolicySet::default()
        }
    }
}

/// Every principal of a snapshot, with lookups.
pub struct Account<'a> {
    /// The snapshot.
    pub snapshot: &'a Snapshot,
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
