//! The analysis context: the account, the config and "now", with lookups built once and
//! shared by every check.

use std::collections::HashMap;
use std::sync::OnceLock;

use iam_model::Timestamp;
use iam_model::snapshot::{ManagedPolicyDetail, Snapshot};

use crate::account::Account;
use crate::config::Config;
use crate::graph::PermissionGraph;
use crate::unused::{UnusedReport, unused_permissions};
use iam_model::catalog::Catalog;

/// What every check sees.
pub struct Context<'a> {
    /// The account.
    pub snapshot: &'a Snapshot,
    /// Settings.
    pub config: &'a Config,
    /// "Now": the snapshot's collection time. `None` for a bare authorization-details dump:
    /// checks that judge age say so instead of guessing.
    pub now: Option<Timestamp>,
    /// Every principal with its resolved policies.
    pub account: Account<'a>,
    policies: HashMap<&'a str, &'a ManagedPolicyDetail>,
    graph: OnceLock<PermissionGraph>,
    unused: OnceLock<UnusedReport>,
}

impl<'a> Context<'a> {
    /// Builds the context and its indexes.
    pub fn new(snapshot: &'a Snapshot, config: &'a Config) -> Context<'a> {
        let policies = snapshot
            .authorization_details
            .policies
            .iter()
            .map(|p| (p.arn.as_str(), p))
            .collect();
        Context {
            snapshot,
            config,
            now: snapshot.collected_at,
            account: Account::new(snapshot),
            policies,
            graph: OnceLock::new(),
            unused: OnceLock::new(),
        }
    }

    /// Unused permissions with their confidence, computed on first use.
    pub fn unused(&self) -> &UnusedReport {
        self.unused.get_or_init(|| {
            unused_permissions(
                self.snapshot,
                &self.account,
                self.config,
                Catalog::embedded(),
            )
        })
    }

    /// The permission graph, built on first use and shared by every check.
    pub fn graph(&self) -> &PermissionGraph {
        self.graph
            .get_or_init(|| PermissionGraph::build(&self.account, Catalog::embedded()))
    }

    /// Builds the permission graph and the unused report, on two threads, before the checks
    /// that need them run (each would otherwise wait for the other's).
    pub fn prepare(&self, graph: bool, unused: bool) {
        match (graph, unused) {
            (true, true) => std::thread::scope(|s| {
                let g = s.spawn(|| {
                    self.graph();
                });
                self.unused();
                if let Err(e) = g.join() {
                    std::panic::resume_unwind(e);
                }
            }),
            (true, false) => {
                self.graph();
            }
            (false, true) => {
                self.unused();
            }
            (false, false) => {}
        }
    }

    /// Whether the graph and the unused report have been built (for the registry test that
    /// keeps [`crate::checks::USES_GRAPH`] and [`crate::checks::USES_UNUSED`] true).
    #[cfg(test)]
    pub(crate) fn built(&self) -> (bool, bool) {
        (self.graph.get().is_some(), self.unused.get().is_some())
    }

    /// A managed policy by ARN, if the snapshot has it.
    pub fn managed_policy(&self, arn: &str) -> Option<&'a ManagedPolicyDetail> {
        self.policies.get(arn).copied()
    }

    /// The account's root ARN.
    pub fn root_arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:root",
            self.snapshot.partition, self.snapshot.account_id
        )
    }
}

/// Where a policy document lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentSite {
    /// A managed policy version.
    Managed {
        /// Version id.
        version: String,
        /// Is it the version in force.
        default: bool,
    },
    /// An inline policy of a user, group or role.
    Inline {
        /// The principal's ARN.
        principal: String,
        /// The policy name.
        name: String,
    },
    /// A role's trust policy.
    Trust,
    /// An S3 bucket policy.
    BucketPolicy,
    /// A KMS key policy.
    KeyPolicy,
}

/// A policy document in the account and where it lives.
pub struct LocatedDocument<'a> {
    /// The ARN of the resource that holds it (policy, principal, role, bucket, key), or the
    /// synthetic `inline:` id for inline policies.
    pub id: String,
    /// Where it lives.
    pub site: DocumentSite,
    /// The document.
    pub document: &'a iam_model::snapshot::PolicyDocument,
}

impl<'a> Context<'a> {
    /// Every policy document in the account: managed policy versions, inline policies, trust
    /// policies, bucket and key policies.
    pub fn documents(&self) -> Vec<LocatedDocument<'a>> {
        let d = &self.snapshot.authorization_details;
        let mut out = Vec::new();
        for p in &d.policies {
            for v in &p.policy_version_list {
                out.push(LocatedDocument {
                    id: p.arn.clone(),
                    site: DocumentSite::Managed {
                        version: v.version_id.clone(),
                        default: v.is_default_version,
                    },
                    document: &v.document,
                });
            }
        }
        let inline = |principal: &str,
                      list: &'a [iam_model::snapshot::InlinePolicy],
                      out: &mut Vec<LocatedDocument<'a>>| {
            for ip in list {
                out.push(LocatedDocument {
                    id: inline_id(principal, &ip.policy_name),
                    site: DocumentSite::Inline {
                        principal: principal.to_string(),
                        name: ip.policy_name.clone(),
                    },
                    document: &ip.policy_document,
                });
            }
        };
        for u in &d.users {
            inline(&u.arn, &u.user_policy_list, &mut out);
        }
        for g in &d.groups {
            inline(&g.arn, &g.group_policy_list, &mut out);
        }
        for r in &d.roles {
            inline(&r.arn, &r.role_policy_list, &mut out);
            if let Some(t) = &r.assume_role_policy_document {
                out.push(LocatedDocument {
                    id: r.arn.clone(),
                    site: DocumentSite::Trust,
                    document: t,
                });
            }
        }
        if let Some(s3) = &self.snapshot.s3 {
            for b in &s3.buckets {
                if let Some(p) = &b.policy {
                    out.push(LocatedDocument {
                        id: format!("arn:{}:s3:::{}", self.snapshot.partition, b.name),
                        site: DocumentSite::BucketPolicy,
                        document: p,
                    });
                }
            }
        }
        for region in self.snapshot.regions.values() {
            for k in region.kms.iter().flat_map(|k| &k.keys) {
                if let Some(p) = &k.policy {
                    out.push(LocatedDocument {
                        id: k.key_metadata.arn.clone(),
                        site: DocumentSite::KeyPolicy,
                        document: p,
                    });
                }
            }
        }
        out
    }
}

/// The id iamsight gives an inline policy: `inline:<principal arn>:<policy name>`.
pub fn inline_id(principal: &str, name: &str) -> String {
    format!("inline:{principal}:{name}")
}
