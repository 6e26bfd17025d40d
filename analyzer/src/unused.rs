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
//! service, of the actions listed in any entity's `TrackedActionsLastAccessed`; an entity whose
//! job was `SERVICE_LEVEL` is judged per service only. A principal without last-accessed data,
//! or whose job did not complete, is never judged. "Now" is the snapshot's `collected_at`.
//!
//! **The window the data covers.** Each row carries the window it was judged on,
//! `window_start`..`window_end`, and never claims more than the data covers:
//!
//! - it ends when the entity's last-accessed job completed (`JobCompletionDate`, at most
//!   `collected_at`): use after that is not in the data, so the window is counted back from
//!   there, not from "now";
//! - it is the configured `unused_days`, capped by AWS's tracking period
//!   ([`TRACKING_PERIOD_DAYS`]: "IAM reports activity for at least the last 400 days");
//! - `days_unused` is counted to the window's end, and for a grant never used in the tracking
//!   period it is the days the data covers for that entity: from the later of the tracking
//!   period's start and the entity's creation, not a flat 400.
//!
//! Not modelled, and so not claimed either way: AWS's per-Region tracking start for Regions
//! that began supporting last-accessed data within the last year (the snapshot does not say
//! where an entity could act), and per-service start dates of action-level tracking (AWS
//! publishes them for no service in a machine-readable form); an action missing from the
//! tracked lists is `untracked`, never unused.
//!
//! Grants that *were* used in the window are listed apart, in [`UnusedReport::used`], with the
//! confidence `used`: the rows of [`UnusedReport::rows`] keep their meaning (unused or not
//! judged) for the checks and for `suggest`.
//!
//! Every row also carries a risk × use ranking: its [`RiskTier`] (what the grant would let an
//! attacker do, from the catalog's access levels, or admin-equivalent when the statement grants
//! everything on every resource) and a [`Recommendation`] (`remove` when confidently unused,
//! `constrain` when used but written on every resource at write level or above, `keep` when
//! used, `review` when not judged). [`UnusedReport::ranked`] orders the rows by both.
//!
//! Where the snapshot holds the findings of an IAM Access Analyzer unused-access analyzer,
//! [`access_analyzer`] sets each row's Access Analyzer verdict beside iamsight's, with an
//! [`Agreement`] marker, and lists the role, access-key, password and permission findings that
//! no row answers in [`UnusedReport::access_analyzer`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

use iam_model::Timestamp;
use iam_model::catalog::{AccessLevel, ActionId, ActionSet, Catalog, Expander, ServiceRef};
use iam_model::policy::{Effect, Statement};
use iam_model::snapshot::{LastAccessedDetails, Snapshot};
use serde::Serialize;

use crate::account::{Account, GrantSource, PrincipalKind};
use crate::config::Config;

pub mod access_analyzer;

pub use access_analyzer::{AccessAnalyzerReport, Agreement, Comparison};

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
    /// Used inside the window (rows of [`UnusedReport::used`] only).
    Used,
}

impl Confidence {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::TrackedUnused => "tracked-unused",
            Confidence::ServiceUnused => "service-unused",
            Confidence::Untracked => "untracked",
            Confidence::TooNew => "too-new",
            Confidence::Used => "used",
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
            Confidence::Used => "keep: used in the window",
        }
    }
}

/// What a grant would let an attacker do, lowest first: the catalog's access level of the
/// action (the highest one in the service for a service-level row), or admin-equivalent when
/// the statement grants every action (or every IAM permissions-management action) on every
/// resource.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RiskTier {
    /// List access.
    List,
    /// Read access.
    Read,
    /// Tagging access.
    Tagging,
    /// Write access.
    Write,
    /// Permissions management: changes who may do what.
    PermissionsManagement,
    /// The statement makes its holder an administrator.
    AdminEquivalent,
}

impl RiskTier {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskTier::List => "list",
            RiskTier::Read => "read",
            RiskTier::Tagging => "tagging",
            RiskTier::Write => "write",
            RiskTier::PermissionsManagement => "permissions-management",
            RiskTier::AdminEquivalent => "admin-equivalent",
        }
    }

    /// The tier of an access level.
    pub fn of(level: AccessLevel) -> RiskTier {
        match level {
            AccessLevel::List => RiskTier::List,
            AccessLevel::Read => RiskTier::Read,
            AccessLevel::Tagging => RiskTier::Tagging,
            AccessLevel::Write => RiskTier::Write,
            AccessLevel::PermissionsManagement => RiskTier::PermissionsManagement,
        }
    }

    /// Weight in the risk × use score: 1 (list) to 6 (admin-equivalent).
    pub fn weight(self) -> u32 {
        match self {
            RiskTier::List => 1,
            RiskTier::Read => 2,
            RiskTier::Tagging => 3,
            RiskTier::Write => 4,
            RiskTier::PermissionsManagement => 5,
            RiskTier::AdminEquivalent => 6,
        }
    }
}

/// What to do with a grant, from its use and its risk.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Recommendation {
    /// Safe to remove: confidently unused (`tracked-unused`, `service-unused`).
    Remove,
    /// Used, but over-broad: write level or above on every resource. Constrain, do not remove.
    Constrain,
    /// Not judged (`untracked`, `too-new`): a person decides.
    Review,
    /// Used: keep.
    Keep,
}

impl Recommendation {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Remove => "remove",
            Recommendation::Constrain => "constrain",
            Recommendation::Review => "review",
            Recommendation::Keep => "keep",
        }
    }

    /// Weight in the risk × use score: how much acting on the row reduces risk.
    pub fn weight(self) -> u32 {
        match self {
            Recommendation::Remove => 3,
            Recommendation::Constrain => 2,
            Recommendation::Review => 1,
            Recommendation::Keep => 0,
        }
    }

    /// The recommendation for a verdict on a grant of `tier`; `unscoped` when the statement is
    /// written on every resource although the action supports resource-level permissions.
    pub fn judge(confidence: Confidence, tier: RiskTier, unscoped: bool) -> Recommendation {
        match confidence {
            Confidence::TrackedUnused | Confidence::ServiceUnused => Recommendation::Remove,
            Confidence::Untracked | Confidence::TooNew => Recommendation::Review,
            Confidence::Used
                if unscoped && tier >= RiskTier::Write && tier != RiskTier::Tagging =>
            {
                Recommendation::Constrain
            }
            Confidence::Used => Recommendation::Keep,
        }
    }
}

/// One principal × policy × statement × permission.
///
/// The names are shared (`Arc<str>`): a medium account has hundreds of thousands of rows, over a
/// few thousand principals, policies and actions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnusedRow {
    /// `user` or `role`.
    pub principal_type: &'static str,
    /// Name.
    pub principal_name: Arc<str>,
    /// ARN.
    pub principal_arn: Arc<str>,
    /// `inline`, `managed`, `aws-managed`, `group-inline`, `group-managed`.
    pub policy_type: &'static str,
    /// Policy name.
    pub policy_name: Arc<str>,
    /// Managed policy ARN, or `inline:<holder>:<name>`.
    pub policy_arn: Arc<str>,
    /// Statement index.
    pub statement: usize,
    /// Statement Sid.
    pub sid: Option<Arc<str>>,
    /// Service prefix.
    pub service: Arc<str>,
    /// `service:Action`; `None` for a service-level row.
    pub action: Option<Arc<str>>,
    /// The catalog id of `action` (not serialized: ids belong to one catalog build).
    #[serde(skip)]
    pub action_id: Option<ActionId>,
    /// Last use, when AWS saw one: older than the window on unused rows, inside it on `used`
    /// rows.
    pub last_accessed: Option<Timestamp>,
    /// Days since last use, or since the tracking period began when never used.
    pub days_unused: Option<i64>,
    /// Why.
    pub confidence: Confidence,
    /// The window judged, in days (capped by the tracking period).
    pub window_days: i64,
    /// The window's start: `window_days` before its end.
    pub window_start: Timestamp,
    /// The window's end: when the entity's last-accessed job completed (at most "now"), or
    /// "now" for a grant judged without data (`too-new`).
    pub window_end: Timestamp,
    /// What the grant would let an attacker do.
    pub risk: RiskTier,
    /// What to do with it.
    pub recommendation: Recommendation,
    /// Access Analyzer's verdict beside iamsight's; `None` when the snapshot holds no active
    /// unused-access analyzer.
    pub access_analyzer: Option<Comparison>,
}

impl UnusedRow {
    /// Risk × use: the tier's weight times the recommendation's (0 for `keep`).
    pub fn risk_score(&self) -> u32 {
        self.risk.weight() * self.recommendation.weight()
    }
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
    /// Grants used inside the window (confidence `used`; `keep` or `constrain`).
    pub used: Vec<UnusedRow>,
    /// The comparison with Access Analyzer's unused-access findings, when the snapshot has an
    /// active unused-access analyzer.
    pub access_analyzer: Option<AccessAnalyzerReport>,
}

impl UnusedReport {
    /// Every row, unused and used, highest risk × use first: by score, then recommendation
    /// (`remove` before `constrain`, `review`, `keep`), tier, days unused, and names.
    pub fn ranked(&self) -> Vec<&UnusedRow> {
        let mut all: Vec<&UnusedRow> = self.rows.iter().chain(&self.used).collect();
        all.sort_by(|a, b| {
            b.risk_score()
                .cmp(&a.risk_score())
                .then(a.recommendation.cmp(&b.recommendation))
                .then(b.risk.cmp(&a.risk))
                .then(b.days_unused.cmp(&a.days_unused))
                .then_with(|| {
                    (
                        &a.principal_arn,
                        &a.policy_arn,
                        a.statement,
                        &a.service,
                        &a.action,
                    )
                        .cmp(&(
                            &b.principal_arn,
                            &b.policy_arn,
                            b.statement,
                            &b.service,
                            &b.action,
                        ))
                })
        });
        all
    }
}

/// Last-accessed names resolved to the catalog, each distinct (namespace, action name) once:
/// every entity's report repeats the same few thousand names.
struct Names<'c, 's> {
    catalog: &'c Catalog,
    services: HashMap<&'s str, Option<ServiceRef<'c>>>,
    actions: HashMap<(&'s str, &'s str), Option<ActionId>>,
}

impl<'c, 's> Names<'c, 's> {
    fn new(catalog: &'c Catalog) -> Names<'c, 's> {
        Names {
            catalog,
            services: HashMap::new(),
            actions: HashMap::new(),
        }
    }

    fn service(&mut self, namespace: &'s str) -> Option<ServiceRef<'c>> {
        let catalog = self.catalog;
        *self
            .services
            .entry(namespace)
            .or_insert_with(|| catalog.service(namespace))
    }

    fn action(
        &mut self,
        svc: ServiceRef<'c>,
        namespace: &'s str,
        name: &'s str,
    ) -> Option<ActionId> {
        *self
            .actions
            .entry((namespace, name))
            .or_insert_with(|| svc.action(name).map(|a| a.id()))
    }
}

/// What the snapshot says AWS tracks: the services with an action-level list in some response,
/// and the catalog actions listed in any of them.
struct Tracking<'c> {
    services: HashSet<&'c str>,
    actions: ActionSet,
}

impl<'c> Tracking<'c> {
    fn read<'s>(snapshot: &'s Snapshot, names: &mut Names<'c, 's>) -> Tracking<'c> {
        let mut services = HashSet::new();
        let mut actions = ActionSet::new_empty(names.catalog);
        for d in snapshot.last_accessed.values() {
            for s in &d.services_last_accessed {
                let Some(list) = &s.tracked_actions_last_accessed else {
                    continue;
                };
                // A service the catalog does not know grants nothing here.
                let Some(svc) = names.service(&s.service_namespace) else {
                    continue;
                };
                services.insert(svc.prefix());
                for a in list {
                    if let Some(id) = names.action(svc, &s.service_namespace, &a.action_name) {
                        actions.insert(id);
                    }
                }
            }
        }
        Tracking { services, actions }
    }
}

/// One granted action of a statement, with what the rows need of it.
struct GrantedAction {
    id: ActionId,
    /// `service:Action`.
    full: Arc<str>,
    tier: RiskTier,
    /// Supports resource-level permissions (only those can be constrained).
    scopable: bool,
    never_tracked: bool,
}

/// The actions one statement grants in one service.
struct GrantedService<'c> {
    prefix: &'c str,
    /// The prefix, shared by the rows.
    name: Arc<str>,
    actions: Vec<GrantedAction>,
    /// The tier and scopability of a service-level row: the highest tier, and whether a
    /// scopable write (or stronger) action makes it worth constraining.
    service_row: (RiskTier, bool),
    /// Tracked at action level (some response lists its actions).
    tracked: bool,
}

/// What one Allow statement grants, by service in name order, worked out once per policy
/// document and statement (a managed policy is shared by many principals).
struct GrantedStatement<'c> {
    sid: Option<Arc<str>>,
    every_resource: bool,
    admin: bool,
    services: Vec<GrantedService<'c>>,
}

impl<'c> GrantedStatement<'c> {
    fn new(
        st: &Statement,
        exp: &mut Expander<'_>,
        iam_pm: &ActionSet,
        tracking: &Tracking<'c>,
        catalog: &'c Catalog,
    ) -> GrantedStatement<'c> {
        let mut acts = ActionSet::new_empty(catalog);
        for pat in &st.action.patterns {
            acts.union_with(&exp.expand(pat).actions);
        }
        if st.action.negated {
            acts = acts.complement(catalog);
        }
        let every_resource = on_every_resource(st);
        let admin = every_resource && is_admin_set(&acts, iam_pm, catalog);
        let mut by_service: BTreeMap<&'c str, Vec<GrantedAction>> = BTreeMap::new();
        for id in acts.iter() {
            let a = catalog.action(id);
            let full: Arc<str> = a.full_name().into();
            let never_tracked = NEVER_TRACKED.iter().any(|n| n.eq_ignore_ascii_case(&full));
            by_service
                .entry(a.service_prefix())
                .or_default()
                .push(GrantedAction {
                    id,
                    full,
                    tier: RiskTier::of(a.access_level()),
                    scopable: !a.is_wildcard_only(),
                    never_tracked,
                });
        }
        let services = by_service
            .into_iter()
            .map(|(prefix, actions)| GrantedService {
                prefix,
                name: prefix.into(),
                service_row: actions
                    .iter()
                    .map(|a| {
                        let t = a.tier;
                        (
                            t,
                            a.scopable && t >= RiskTier::Write && t != RiskTier::Tagging,
                        )
                    })
                    .fold((RiskTier::List, false), |(t, s), (t2, s2)| {
                        (t.max(t2), s || s2)
                    }),
                tracked: tracking.services.contains(prefix),
                actions,
            })
            .collect();
        GrantedStatement {
            sid: st.sid.as_deref().map(Arc::from),
            every_resource,
            admin,
            services,
        }
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
    let mut names = Names::new(catalog);
    let tracking = Tracking::read(snapshot, &mut names);
    let mut exp = Expander::new(catalog);
    let iam_pm = iam_permissions_management(catalog);
    // By (policy document address, statement index): documents live in the snapshot.
    let mut granted: HashMap<(usize, usize), Rc<GrantedStatement<'_>>> = HashMap::new();
    for p in account
        .principals
        .iter()
        .filter(|p| p.kind != PrincipalKind::Group)
    {
        if p.kind == PrincipalKind::Role && p.path.starts_with("/aws-service-role/") {
            continue;
        }
        // Only a completed job is data.
        let data = snapshot.last_accessed.get(p.arn).filter(|d| {
            d.job_status
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case("COMPLETED"))
        });
        // The window the data covers: it ends when the job completed, not at "now".
        let end = data
            .and_then(|d| d.job_completion_date)
            .filter(|t| *t <= now)
            .unwrap_or(now);
        let cutoff = end.minus_days(window);
        let tracked_since = end.minus_days(TRACKING_PERIOD_DAYS).max(p.created);
        let service_level_only = data.is_some_and(|d| {
            d.job_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("SERVICE_LEVEL"))
        });
        let principal_too_new = p.created > cutoff;
        if data.is_none() && !principal_too_new {
            if p.grants.iter().any(|g| g.policy.is_some()) {
                report.principals_without_data.push(p.arn.to_string());
            }
            continue;
        }
        let usage = data.map(|d| Usage::read(d, &mut names)).unwrap_or_default();
        let principal_name: Arc<str> = p.name.into();
        let principal_arn: Arc<str> = p.arn.into();
        for g in &p.grants {
            let Some(policy) = g.policy else { continue };
            let (policy_type, policy_name) =
                describe_grant(account, &g.source, g.via_group.is_some());
            let policy_name: Arc<str> = policy_name.into();
            let policy_arn: Arc<str> = g.id.as_str().into();
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
                let gs = granted
                    .entry((std::ptr::from_ref(policy) as usize, si))
                    .or_insert_with(|| {
                        Rc::new(GrantedStatement::new(
                            st, &mut exp, &iam_pm, &tracking, catalog,
                        ))
                    })
                    .clone();
                let row = |service: &Arc<str>,
                           action: Option<&GrantedAction>,
                           (tier, can_scope): (RiskTier, bool),
                           confidence: Confidence,
                           last: Option<Timestamp>| {
                    let risk = if gs.admin {
                        RiskTier::AdminEquivalent
                    } else {
                        tier
                    };
                    UnusedRow {
                        principal_type: p.kind.as_str(),
                        principal_name: principal_name.clone(),
                        principal_arn: principal_arn.clone(),
                        policy_type,
                        policy_name: policy_name.clone(),
                        policy_arn: policy_arn.clone(),
                        statement: si,
                        sid: gs.sid.clone(),
                        service: service.clone(),
                        action: action.map(|a| a.full.clone()),
                        action_id: action.map(|a| a.id),
                        last_accessed: last,
                        days_unused: if confidence.is_unused() {
                            Some(end.days_since(last.unwrap_or(tracked_since)))
                        } else {
                            None
                        },
                        confidence,
                        window_days: window,
                        window_start: cutoff,
                        window_end: end,
                        risk,
                        recommendation: Recommendation::judge(
                            confidence,
                            risk,
                            gs.every_resource && can_scope,
                        ),
                        access_analyzer: None,
                    }
                };
                for svc in &gs.services {
                    let service = &svc.name;
                    if principal_too_new || version_too_new {
                        report.rows.push(row(
                            service,
                            None,
                            svc.service_row,
                            Confidence::TooNew,
                            None,
                        ));
                        continue;
                    }
                    if svc.tracked && !service_level_only {
                        for a in &svc.actions {
                            let own = (a.tier, a.scopable);
                            if a.never_tracked || !tracking.actions.contains(a.id) {
                                report.rows.push(row(
                                    service,
                                    Some(a),
                                    own,
                                    Confidence::Untracked,
                                    None,
                                ));
                                continue;
                            }
                            let last = usage.action_last(a.id);
                            if last.is_none_or(|t| t < cutoff) {
                                report.rows.push(row(
                                    service,
                                    Some(a),
                                    own,
                                    Confidence::TrackedUnused,
                                    last,
                                ));
                            } else {
                                report.used.push(row(
                                    service,
                                    Some(a),
                                    own,
                                    Confidence::Used,
                                    last,
                                ));
                            }
                        }
                        continue;
                    }
                    let svc_last = usage.service_last(svc.prefix);
                    let svc_used = svc_last.filter(|t| *t >= cutoff);
                    if svc.actions.iter().all(|a| a.never_tracked) {
                        for a in &svc.actions {
                            report.rows.push(row(
                                service,
                                Some(a),
                                (a.tier, a.scopable),
                                Confidence::Untracked,
                                None,
                            ));
                        }
                    } else if svc_used.is_none() && usage.knows_service(svc.prefix) {
                        report.rows.push(row(
                            service,
                            None,
                            svc.service_row,
                            Confidence::ServiceUnused,
                            svc_last,
                        ));
                    } else if !usage.knows_service(svc.prefix) {
                        // Granted but absent from the report: AWS does not track it.
                        report.rows.push(row(
                            service,
                            None,
                            svc.service_row,
                            Confidence::Untracked,
                            None,
                        ));
                    } else {
                        report.used.push(row(
                            service,
                            None,
                            svc.service_row,
                            Confidence::Used,
                            svc_used,
                        ));
                    }
                }
            }
        }
    }
    access_analyzer::compare(snapshot, config, now, &mut report);
    report
}

/// Does the statement's `Resource` match every resource: `*`, an ARN whose resource part is only
/// wildcards (`arn:aws:s3:::*`), or any `NotResource`?
fn on_every_resource(st: &Statement) -> bool {
    let star = |p: &str| !p.is_empty() && p.bytes().all(|b| b == b'*');
    st.resource.as_ref().is_some_and(|r| {
        r.negated
            || r.patterns
                .iter()
                .any(|p| star(p) || p.splitn(6, ':').nth(5).is_some_and(star))
    })
}

/// The IAM permissions-management actions: holding all of them on `*` is holding everything.
fn iam_permissions_management(catalog: &Catalog) -> ActionSet {
    let mut set = ActionSet::new_empty(catalog);
    if let Some(iam) = catalog.service("iam") {
        for a in iam.actions() {
            if a.access_level() == AccessLevel::PermissionsManagement {
                set.insert(a.id());
            }
        }
    }
    set
}

/// Administrator access, as the `admin-access` checks define it: every catalog action, or every
/// IAM permissions-management action.
fn is_admin_set(set: &ActionSet, iam_pm: &ActionSet, catalog: &Catalog) -> bool {
    set.len() == catalog.action_count() || (!iam_pm.is_empty() && iam_pm.is_subset(set))
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

/// One entity's last-accessed data, indexed by catalog service prefix and action id (what
/// the catalog does not know grants nothing, so it is not needed).
#[derive(Default)]
struct Usage<'c> {
    services: HashMap<&'c str, Option<Timestamp>>,
    actions: HashMap<ActionId, Option<Timestamp>>,
}

impl<'c> Usage<'c> {
    fn read<'s>(d: &'s LastAccessedDetails, names: &mut Names<'c, 's>) -> Usage<'c> {
        let mut u = Usage::default();
        for s in &d.services_last_accessed {
            let Some(svc) = names.service(&s.service_namespace) else {
                continue;
            };
            u.services.insert(svc.prefix(), s.last_authenticated);
            for a in s.tracked_actions_last_accessed.iter().flatten() {
                if let Some(id) = names.action(svc, &s.service_namespace, &a.action_name) {
                    u.actions.insert(id, a.last_accessed_time);
                }
            }
        }
        u
    }

    fn knows_service(&self, s: &str) -> bool {
        self.services.contains_key(s)
    }

    fn service_last(&self, s: &str) -> Option<Timestamp> {
        self.services.get(s).copied().flatten()
    }

    fn action_last(&self, a: ActionId) -> Option<Timestamp> {
        self.actions.get(&a).copied().flatten()
    }
}

#[cfg(test)]
mod tests;
