//! Unused permissions with honest confidence.
//!
//! For every user and role, every policy that grants it something (its own, its groups'),
//! every Allow statement and every granted action, this module says whether the grant is
//! unused and *why it believes so*, from the snapshot's service last-accessed data:
//!
//! - `tracked-unused`: AWS tracks the action at action level and it was not used in the window;
//! - `service-unused`: AWS has only service-level data for the service, and the whole service
//!   was not used in the window (one row per service, no action);
//! - `untracked`: AWS does not track the action (data-plane actions, `iam:PassRole`, actions
//!   missing from the tracked list): never called unused, reported as unknown;
//! - `too-new`: the principal (or the policy version) is younger than the window: not judged.
//!
//! Which actions AWS tracks is read from the last-accessed responses themselves: the union, per
//! service, of the actions listed in any entity's `TrackedActionsLastAccessed`. A principal
//! without last-accessed data is never judged. "Now" is the snapshot's `collected_at`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use iam_model::Timestamp;
use iam_model::catalog::{ActionSet, Catalog, Expander};
use iam_model::policy::Effect;
use iam_model::snapshot::{LastAccessedDetails, Snapshot};
use serde::Serialize;

use crate::account::{Account, GrantSource, PrincipalKind};
use crate::config::Config;

/// AWS keeps last-accessed data for about 400 days.
pub const TRACKING_PERIOD_DAYS: i64 = 400;

/// Actions AWS never records as use of their service, whatever the tracked list says.
const NEVER_TRACKED: &[&str] = &["iam:PassRole"];

/// Why a grant is believed unused (or why it is not judged).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Tracked at action level, not used in the window.
    TrackedUnused,
    /// Only service-level data, and the service was not used in the window.
    ServiceUnused,
    /// AWS does not track it: unknown, never called unused.
    Untracked,
    /// The principal or grant is younger than the window: not judged.
    TooNew,
}

impl Confidence {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::TrackedUnused => "tracked-unused",
            Confidence::ServiceUnused => "service-unused",
            Confidence::Untracked => "untracked",
            Confidence::TooNew => "too-new",
        }
    }

    /// Is this a confident "unused"?
    pub fn is_unused(self) -> bool {
        matches!(self, Confidence::TrackedUnused | Confidence::ServiceUnused)
    }

    /// What to do.
    pub fn recommendation(self) -> &'static str {
        match self {
            Confidence::TrackedUnused | Confidence::ServiceUnused => "remove",
            Confidence::Untracked => "keep: AWS does not track this action",
            Confidence::TooNew => "keep: younger than the window, judge later",
        }
    }
}

/// One principal × policy × statement × permission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnusedRow {
    /// `user` or `role`.
    pub principal_type: &'static str,
    /// Name.
    pub principal_name: String,
    /// ARN.
    pub principal_arn: String,
    /// `inline`, `managed`, `aws-managed`, `group-inline`, `group-managed`.
    pub policy_type: &'static str,
    /// Policy name.
    pub policy_name: String,
    /// Managed policy ARN, or `inline:<holder>:<name>`.
    pub policy_arn: String,
    /// Statement index.
    pub statement: usize,
    /// Statement Sid.
    pub sid: Option<String>,
    /// Service prefix.
    pub service: String,
    /// `service:Action`; `None` for a service-level row.
    pub action: Option<String>,
    /// Last use (older than the window), when AWS saw one.
    pub last_accessed: Option<Timestamp>,
    /// Days since last use, or since the tracking period began when never used.
    pub days_unused: Option<i64>,
    /// Why.
    pub confidence: Confidence,
    /// The window judged, in days (capped by the tracking period).
    pub window_days: i64,
}

/// The result for the whole account.
#[derive(Clone, Debug, Default, Serialize)]
pub struct UnusedReport {
    /// Every row.
    pub rows: Vec<UnusedRow>,
    /// The window, in days.
    pub window_days: i64,
    /// Principals with grants but no last-accessed data: not judged.
    pub principals_without_data: Vec<String>,
    /// Set when the snapshot has no collection time: nothing was judged.
    pub no_collection_time: bool,
}

/// What the snapshot says AWS tracks, per service.
struct Tracking {
    /// Services with an action-level list in some response, and the actions listed.
    actions: HashMap<String, BTreeSet<String>>,
}

impl Tracking {
    fn read(snapshot: &Snapshot) -> Tracking {
        let mut actions: HashMap<String, BTreeSet<String>> = HashMap::new();
        for d in snapshot.last_accessed.values() {
            for s in &d.services_last_accessed {
                if let Some(list) = &s.tracked_actions_last_accessed {
                    let set = actions
                        .entry(s.service_namespace.to_ascii_lowercase())
                        .or_default();
                    set.extend(list.iter().map(|a| a.action_name.to_ascii_lowercase()));
                }
            }
        }
        Tracking { actions }
    }
}

/// Computes every unused-permission row of the account.
pub fn unused_permissions(
    snapshot: &Snapshot,
    account: &Account<'_>,
    config: &Config,
    catalog: &Catalog,
) -> UnusedReport {
    let window = config.thresholds.unused_days.min(TRACKING_PERIOD_DAYS);
    let mut report = UnusedReport {
        window_days: window,
        ..UnusedReport::default()
    };
    let Some(now) = snapshot.collected_at else {
        report.no_collection_time = true;
        return report;
    };
    let cutoff = now.minus_days(window);
    let tracking = Tracking::read(snapshot);
    let mut exp = Expander::new(catalog);
    for p in account
        .principals
        .iter()
        .filter(|p| p.kind != PrincipalKind::Group)
    {
        if p.kind == PrincipalKind::Role && p.path.starts_with("/aws-service-role/") {
            continue;
        }
        let data = snapshot.last_accessed.get(p.arn);
        let principal_too_new = p.created > cutoff;
        if data.is_none() && !principal_too_new {
            if p.grants.iter().any(|g| g.policy.is_some()) {
                report.principals_without_data.push(p.arn.to_string());
            }
            continue;
        }
        let usage = data.map(Usage::from).unwrap_or_default();
        for g in &p.grants {
            let Some(policy) = g.policy else { continue };
            let (policy_type, policy_name) =
                describe_grant(account, &g.source, g.via_group.is_some());
            let version_too_new = match &g.source {
                GrantSource::Managed { arn } => account
                    .managed_policy(arn)
                    .and_then(|m| m.default_version())
                    .and_then(|v| v.create_date)
                    .is_some_and(|d| d > now.minus_days(config.thresholds.new_grant_grace_days)),
                GrantSource::Inline { .. } => false,
            };
            for (si, st) in policy.statements.iter().enumerate() {
                if st.effect != Effect::Allow {
                    continue;
                }
                let mut acts = ActionSet::new_empty(catalog);
                for pat in &st.action.patterns {
                    acts.union_with(&exp.expand(pat).actions);
                }
                if st.action.negated {
                    acts = acts.complement(catalog);
                }
                // Group the granted actions by service.
                let mut by_service: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
                let mut names: Vec<(String, &str)> = Vec::new();
                for id in acts.iter() {
                    let a = catalog.action(id);
                    names.push((a.full_name(), a.service_prefix()));
                }
                for (full, svc) in &names {
                    by_service.entry(svc).or_default().push(full.as_str());
                }
                let row = |service: &str,
                           action: Option<&str>,
                           confidence: Confidence,
                           last: Option<Timestamp>| UnusedRow {
                    principal_type: p.kind.as_str(),
                    principal_name: p.name.to_string(),
                    principal_arn: p.arn.to_string(),
                    policy_type,
                    policy_name: policy_name.clone(),
                    policy_arn: g.id.clone(),
                    statement: si,
                    sid: st.sid.clone(),
                    service: service.to_string(),
                    action: action.map(str::to_string),
                    last_accessed: last,
                    days_unused: if confidence.is_unused() {
                        Some(last.map_or(TRACKING_PERIOD_DAYS, |t| now.days_since(t)))
                    } else {
                        None
                    },
                    confidence,
                    window_days: window,
                };
                for (service, actions) in by_service {
                    if principal_too_new || version_too_new {
                        report
                            .rows
                            .push(row(service, None, Confidence::TooNew, None));
                        continue;
                    }
                    let svc_used = usage.service_last(service).filter(|t| *t >= cutoff);
                    match tracking.actions.get(service) {
                        Some(tracked) => {
                            for a in actions {
                                let name =
                                    a.split_once(':').map_or(a, |(_, n)| n).to_ascii_lowercase();
                                if NEVER_TRACKED.iter().any(|n| n.eq_ignore_ascii_case(a))
                                    || !tracked.contains(&name)
                                {
                                    report.rows.push(row(
                                        service,
                                        Some(a),
                                        Confidence::Untracked,
                                        None,
                                    ));
                                    continue;
                                }
                                let last = usage.action_last(service, &name);
                                if last.is_none_or(|t| t < cutoff) {
                                    report.rows.push(row(
                                        service,
                                        Some(a),
                                        Confidence::TrackedUnused,
                                        last,
                                    ));
                                }
                            }
                        }
                        None => {
                            let only_untracked = actions
                                .iter()
                                .all(|a| NEVER_TRACKED.iter().any(|n| n.eq_ignore_ascii_case(a)));
                            if only_untracked {
                                for a in actions {
                                    report.rows.push(row(
                                        service,
                                        Some(a),
                                        Confidence::Untracked,
                                        None,
                                    ));
                                }
                            } else if svc_used.is_none() && usage.knows_service(service) {
                                report.rows.push(row(
                                    service,
                                    None,
                                    Confidence::ServiceUnused,
                                    usage.service_last(service),
                                ));
                            } else if !usage.knows_service(service) {
                                // Granted but absent from the report: AWS does not track it.
                                report
                                    .rows
                                    .push(row(service, None, Confidence::Untracked, None));
                            }
                        }
                    }
                }
            }
        }
    }
    report
}

fn describe_grant(
    account: &Account<'_>,
    source: &GrantSource,
    via_group: bool,
) -> (&'static str, String) {
    match source {
        GrantSource::Inline { name, .. } => (
            if via_group { "group-inline" } else { "inline" },
            name.clone(),
        ),
        GrantSource::Managed { arn } => {
            let name = account
                .managed_policy(arn)
                .map(|m| m.policy_name.clone())
                .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(arn).to_string());
            let aws = arn.contains(":iam::aws:policy/");
            let t = match (via_group, aws) {
                (true, _) => "group-managed",
                (false, true) => "aws-managed",
                (false, false) => "managed",
            };
            (t, name)
        }
    }
}

/// One entity's last-accessed data, indexed.
#[derive(Default)]
struct Usage {
    services: HashMap<String, Option<Timestamp>>,
    actions: HashMap<(String, String), Option<Timestamp>>,
}

impl From<&LastAccessedDetails> for Usage {
    fn from(d: &LastAccessedDetails) -> Usage {
        let mut u = Usage::default();
        for s in &d.services_last_accessed {
            let svc = s.service_namespace.to_ascii_lowercase();
            u.services.insert(svc.clone(), s.last_authenticated);
            for a in s.tracked_actions_last_accessed.iter().flatten() {
                u.actions.insert(
                    (svc.clone(), a.action_name.to_ascii_lowercase()),
                    a.last_accessed_time,
                );
            }
        }
        u
    }
}

impl Usage {
    fn knows_service(&self, s: &str) -> bool {
        self.services.contains_key(s)
    }

    fn service_last(&self, s: &str) -> Option<Timestamp> {
        self.services.get(s).copied().flatten()
    }

    fn action_last(&self, s: &str, a: &str) -> Option<Timestamp> {
        self.actions
            .get(&(s.to_string(), a.to_string()))
            .copied()
            .flatten()
    }
}

#[cfg(test)]
mod tests;
