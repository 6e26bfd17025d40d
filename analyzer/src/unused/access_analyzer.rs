//! Access Analyzer's unused-access findings beside iamsight's own verdicts.
//!
//! An IAM Access Analyzer unused-access analyzer (`ACCOUNT_UNUSED_ACCESS` or
//! `ORGANIZATION_UNUSED_ACCESS`) reports four finding types: `UnusedIAMRole`,
//! `UnusedIAMUserAccessKey`, `UnusedIAMUserPassword` and `UnusedPermission` (one
//! `unusedPermissionDetails` per service, listing the unused actions where AWS has action-level
//! data, none when the whole service is unused). This module matches each to iamsight's verdict
//! on the same principal, credential, service or action, and marks the pair:
//!
//! - `agree`: both call it unused, or neither does;
//! - `iamsight-only`: iamsight calls it unused and Access Analyzer reports nothing;
//! - `access-analyzer-only`: Access Analyzer calls it unused where iamsight has no verdict (no
//!   last-accessed data, a service-linked role, a grant iamsight does not see);
//! - `disagree`: Access Analyzer calls it unused where iamsight sees use inside its window, or
//!   cannot judge (`untracked`, `too-new`).
//!
//! Every mark says why. Only ACTIVE findings of ACTIVE unused-access analyzers count; without
//! such an analyzer in the snapshot nothing is compared (no marks at all, rather than a column
//! of `iamsight-only`). Windows differ on purpose: iamsight judges permissions and roles with
//! `thresholds.unused_days` and credentials with `thresholds.unused_credential_days`, the
//! analyzer with its `unusedAccessAge`; a difference explains many `iamsight-only` marks.
//!
//! This is not a second judgement of use: iamsight's verdicts stay what [`super`] and the
//! checks decide, from the same data and rules.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use iam_model::Timestamp;
use iam_model::snapshot::{AnalyzerFinding, Snapshot, UnusedPermissionDetails};
use serde::Serialize;

use super::{Confidence, TRACKING_PERIOD_DAYS, UnusedReport, UnusedRow};
use crate::config::Config;

/// How Access Analyzer's verdict compares with iamsight's.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Agreement {
    /// Both call it unused, or neither does.
    Agree,
    /// iamsight calls it unused; Access Analyzer reports nothing.
    IamsightOnly,
    /// Access Analyzer calls it unused; iamsight has no verdict on it.
    AccessAnalyzerOnly,
    /// Access Analyzer calls it unused; iamsight sees use, or cannot judge.
    Disagree,
}

impl Agreement {
    /// Kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Agreement::Agree => "agree",
            Agreement::IamsightOnly => "iamsight-only",
            Agreement::AccessAnalyzerOnly => "access-analyzer-only",
            Agreement::Disagree => "disagree",
        }
    }
}

/// Access Analyzer's "unused" on one grant or credential.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessAnalyzerVerdict {
    /// The finding's id.
    pub finding_id: String,
    /// `UnusedIAMRole`, `UnusedIAMUserAccessKey`, `UnusedIAMUserPassword`, `UnusedPermission`.
    pub finding_type: String,
    /// Last access Access Analyzer saw, if any.
    pub last_accessed: Option<Timestamp>,
    /// When Access Analyzer last analyzed the entity.
    pub analyzed_at: Option<Timestamp>,
}

impl AccessAnalyzerVerdict {
    /// `unused (last accessed …)`, for a table cell.
    pub fn describe(&self) -> String {
        match self.last_accessed {
            Some(t) => format!("unused (last accessed {t})"),
            None => "unused (no access recorded)".to_string(),
        }
    }

    fn of(f: &AnalyzerFinding, last_accessed: Option<Timestamp>) -> AccessAnalyzerVerdict {
        AccessAnalyzerVerdict {
            finding_id: f.id.clone(),
            finding_type: f.finding_type.clone().unwrap_or_default(),
            last_accessed,
            analyzed_at: f.analyzed_at,
        }
    }
}

/// Access Analyzer's verdict beside iamsight's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comparison {
    /// The mark.
    pub agreement: Agreement,
    /// What Access Analyzer says; `None` when it reports nothing.
    pub access_analyzer: Option<AccessAnalyzerVerdict>,
    /// Why, in words.
    pub why: String,
}

/// A comparison that no permission row carries: a role, an access key, a password, or an
/// Access Analyzer permission finding iamsight has no row for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntityComparison {
    /// `role`, `access-key`, `password` or `permission`.
    pub kind: &'static str,
    /// The role or user.
    pub principal_arn: String,
    /// The access key (id, or `access key N` of the credential report), the service or the
    /// `service:Action`; empty for a role or a password.
    pub subject: String,
    /// iamsight's verdict, in words.
    pub iamsight: String,
    /// The comparison.
    pub comparison: Comparison,
}

/// The whole comparison.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AccessAnalyzerReport {
    /// The active unused-access analyzers compared with.
    pub analyzers: Vec<String>,
    /// Their window (`unusedAccessAge`, the smallest if several), when known.
    pub window_days: Option<i64>,
    /// Roles, access keys, passwords, and permission findings no row answers.
    pub entries: Vec<EntityComparison>,
}

/// How many rows (used or not) and entries carry each mark.
pub fn counts(report: &UnusedReport) -> BTreeMap<Agreement, usize> {
    let mut out = BTreeMap::new();
    let rows = report.rows.iter().chain(&report.used);
    let marks = rows.filter_map(|r| r.access_analyzer.as_ref()).chain(
        report
            .access_analyzer
            .iter()
            .flat_map(|a| &a.entries)
            .map(|e| &e.comparison),
    );
    for c in marks {
        *out.entry(c.agreement).or_insert(0) += 1;
    }
    out
}

/// iamsight's verdict on one thing, as the comparison needs it.
enum Ours {
    Unused { last: Option<Timestamp> },
    Used { last: Timestamp },
    TooNew,
    Untracked,
    NoVerdict(String),
}

/// What the marks are judged against.
struct Windows {
    now: Timestamp,
    /// iamsight's window for this kind of thing.
    ours: i64,
    /// Access Analyzer's.
    theirs: Option<i64>,
}

fn decide(ours: Ours, aa: Option<AccessAnalyzerVerdict>, w: &Windows) -> Comparison {
    let (agreement, why) = match (&ours, &aa) {
        (Ours::Unused { .. }, Some(_)) => (Agreement::Agree, "both call it unused".to_string()),
        (Ours::Unused { last }, None) => {
            let days = last.map_or(TRACKING_PERIOD_DAYS, |t| w.now.days_since(t));
            let why = match w.theirs {
                Some(theirs) if days < theirs => format!(
                    "unused for {days} days: past iamsight's {}-day window, inside Access Analyzer's {theirs}-day one",
                    w.ours
                ),
                _ => "Access Analyzer reports no unused finding for it".to_string(),
            };
            (Agreement::IamsightOnly, why)
        }
        (Ours::Used { last }, Some(v)) => {
            let mut why = format!(
                "Access Analyzer says unused, but iamsight's data shows use on {last}, inside its {}-day window",
                w.ours
            );
            if let Some(at) = v.analyzed_at.filter(|at| at < last) {
                why.push_str(&format!(
                    " (after Access Analyzer last analyzed it, on {at})"
                ));
            }
            (Agreement::Disagree, why)
        }
        (Ours::TooNew, Some(_)) => (
            Agreement::Disagree,
            format!(
                "Access Analyzer says unused; iamsight's verdict is too-new: younger than the {}-day window, not judged yet",
                w.ours
            ),
        ),
        (Ours::Untracked, Some(v)) => (
            Agreement::Disagree,
            format!(
                "Access Analyzer says {}; iamsight's verdict is untracked: AWS does not record this use at action level, so iamsight cannot call it unused",
                v.describe()
            ),
        ),
        (Ours::NoVerdict(reason), Some(v)) => (
            Agreement::AccessAnalyzerOnly,
            format!(
                "Access Analyzer says {}; iamsight has {reason}",
                v.describe()
            ),
        ),
        (Ours::Used { .. }, None) => (Agreement::Agree, "both see it in use".to_string()),
        (Ours::TooNew | Ours::Untracked | Ours::NoVerdict(_), None) => {
            (Agreement::Agree, "neither calls it unused".to_string())
        }
    };
    Comparison {
        agreement,
        access_analyzer: aa,
        why,
    }
}

/// One `unusedPermissionDetails` and which of its parts a row answered.
struct PermissionDetail<'a> {
    finding: &'a AnalyzerFinding,
    detail: &'a UnusedPermissionDetails,
    service_matched: bool,
    actions_matched: BTreeSet<usize>,
}

/// The action name without its service prefix, lowercased.
fn action_name(a: &str) -> String {
    a.rsplit_once(':')
        .map_or(a, |(_, n)| n)
        .to_ascii_lowercase()
}

/// `UnusedPermission` details by (principal ARN, lowercased service).
struct Permissions<'a> {
    by_key: HashMap<(String, String), Vec<PermissionDetail<'a>>>,
}

impl<'a> Permissions<'a> {
    fn new(findings: &[&'a AnalyzerFinding]) -> Permissions<'a> {
        let mut by_key: HashMap<(String, String), Vec<PermissionDetail<'a>>> = HashMap::new();
        for f in findings
            .iter()
            .filter(|f| f.finding_type.as_deref() == Some("UnusedPermission"))
        {
            let Some(resource) = &f.resource else {
                continue;
            };
            for d in f
                .finding_details
                .iter()
                .filter_map(|d| d.unused_permission_details.as_ref())
            {
                by_key
                    .entry((resource.clone(), d.service_namespace.to_ascii_lowercase()))
                    .or_default()
                    .push(PermissionDetail {
                        finding: f,
                        detail: d,
                        service_matched: false,
                        actions_matched: BTreeSet::new(),
                    });
            }
        }
        Permissions { by_key }
    }

    /// Access Analyzer's verdict on a row's service or action, marking what it answers.
    fn lookup(
        &mut self,
        principal: &str,
        service: &str,
        action: Option<&str>,
    ) -> Option<AccessAnalyzerVerdict> {
        let key = (principal.to_string(), service.to_ascii_lowercase());
        for e in self.by_key.get_mut(&key)? {
            if e.detail.actions.is_empty() {
                e.service_matched = true;
                return Some(AccessAnalyzerVerdict::of(e.finding, e.detail.last_accessed));
            }
            match action {
                None => {
                    e.service_matched = true;
                    e.actions_matched.extend(0..e.detail.actions.len());
                    return Some(AccessAnalyzerVerdict::of(e.finding, e.detail.last_accessed));
                }
                Some(a) => {
                    let name = action_name(a);
                    if let Some(i) = e
                        .detail
                        .actions
                        .iter()
                        .position(|u| action_name(&u.action) == name)
                    {
                        e.service_matched = true;
                        e.actions_matched.insert(i);
                        return Some(AccessAnalyzerVerdict::of(
                            e.finding,
                            e.detail.actions[i].last_accessed,
                        ));
                    }
                }
            }
        }
        None
    }

    /// The parts of Access Analyzer's permission findings no row answered.
    fn unanswered(&self) -> Vec<(&str, String, AccessAnalyzerVerdict)> {
        let mut out = Vec::new();
        for ((principal, service), details) in &self.by_key {
            for e in details {
                if e.detail.actions.is_empty() {
                    if !e.service_matched {
                        out.push((
                            principal.as_str(),
                            service.clone(),
                            AccessAnalyzerVerdict::of(e.finding, e.detail.last_accessed),
                        ));
                    }
                    continue;
                }
                for (i, a) in e.detail.actions.iter().enumerate() {
                    if !e.actions_matched.contains(&i) {
                        let full = if a.action.contains(':') {
                            a.action.clone()
                        } else {
                            format!("{}:{}", e.detail.service_namespace, a.action)
                        };
                        out.push((
                            principal.as_str(),
                            full,
                            AccessAnalyzerVerdict::of(e.finding, a.last_accessed),
                        ));
                    }
                }
            }
        }
        out
    }
}

fn is_active(status: Option<&str>) -> bool {
    status.is_none_or(|s| s.eq_ignore_ascii_case("ACTIVE"))
}

/// Sets every row's Access Analyzer comparison and the report's entries. Does nothing when the
/// snapshot holds no active unused-access analyzer.
pub(super) fn compare(
    snapshot: &Snapshot,
    config: &Config,
    now: Timestamp,
    report: &mut UnusedReport,
) {
    let sections: Vec<_> = snapshot
        .regions
        .values()
        .filter_map(|r| r.access_analyzer.as_ref())
        .collect();
    let analyzers: Vec<_> = sections
        .iter()
        .flat_map(|s| &s.analyzers)
        .filter(|a| a.is_unused_access() && is_active(a.status.as_deref()))
        .collect();
    if analyzers.is_empty() {
        return;
    }
    let arns: BTreeSet<&str> = analyzers.iter().map(|a| a.arn.as_str()).collect();
    let theirs = analyzers.iter().filter_map(|a| a.unused_access_age()).min();
    let mut seen = BTreeSet::new();
    let findings: Vec<&AnalyzerFinding> = sections
        .iter()
        .flat_map(|s| &s.findings)
        .filter(|f| {
            f.finding_type
                .as_deref()
                .is_some_and(|t| t.starts_with("Unused"))
                && is_active(f.status.as_deref())
                && f.analyzer_arn.as_deref().is_none_or(|a| arns.contains(a))
                && seen.insert(f.id.as_str())
        })
        .collect();

    // Permissions: every row, used or not.
    let mut permissions = Permissions::new(&findings);
    let w = Windows {
        now,
        ours: report.window_days,
        theirs,
    };
    for row in report.rows.iter_mut().chain(report.used.iter_mut()) {
        let aa = permissions.lookup(&row.principal_arn, &row.service, row.action.as_deref());
        row.access_analyzer = Some(decide(row_verdict(row), aa, &w));
    }
    let mut entries = Vec::new();
    for (principal, subject, v) in permissions.unanswered() {
        let reason = no_permission_verdict(snapshot, report, principal);
        entries.push(EntityComparison {
            kind: "permission",
            principal_arn: principal.to_string(),
            subject,
            iamsight: reason.clone(),
            comparison: decide(Ours::NoVerdict(reason), Some(v), &w),
        });
    }

    roles(snapshot, &findings, &w, &mut entries);
    let credentials = Windows {
        now,
        ours: config.thresholds.unused_credential_days,
        theirs,
    };
    access_keys(snapshot, &findings, &credentials, &mut entries);
    passwords(snapshot, &findings, &credentials, &mut entries);

    entries.sort_by(|a, b| {
        (a.kind, &a.principal_arn, &a.subject).cmp(&(b.kind, &b.principal_arn, &b.subject))
    });
    report.access_analyzer = Some(AccessAnalyzerReport {
        analyzers: arns.into_iter().map(str::to_string).collect(),
        window_days: theirs,
        entries,
    });
}

fn row_verdict(row: &UnusedRow) -> Ours {
    match row.confidence {
        Confidence::TrackedUnused | Confidence::ServiceUnused => Ours::Unused {
            last: row.last_accessed,
        },
        Confidence::Used => match row.last_accessed {
            Some(last) => Ours::Used { last },
            None => Ours::NoVerdict("used, with no date".to_string()),
        },
        Confidence::TooNew => Ours::TooNew,
        Confidence::Untracked => Ours::Untracked,
    }
}

/// Why iamsight has no row for a permission Access Analyzer reports.
fn no_permission_verdict(snapshot: &Snapshot, report: &UnusedReport, principal: &str) -> String {
    let d = &snapshot.authorization_details;
    let role = d.roles.iter().find(|r| r.arn == principal);
    if role.is_some_and(|r| r.is_service_linked()) {
        return "no verdict: a service-linked role is not judged".to_string();
    }
    if role.is_none() && !d.users.iter().any(|u| u.arn == principal) {
        return "no verdict: the principal is not in the snapshot".to_string();
    }
    if report
        .principals_without_data
        .iter()
        .any(|p| p == principal)
    {
        return "no verdict: no last-accessed data for the principal".to_string();
    }
    "no verdict: iamsight finds no grant of it in the principal's identity policies".to_string()
}

/// The findings of one type on one resource.
fn findings_on<'a>(
    findings: &'a [&'a AnalyzerFinding],
    kind: &'a str,
    arn: &'a str,
) -> impl Iterator<Item = &'a AnalyzerFinding> + 'a {
    findings.iter().copied().filter(move |f| {
        f.finding_type.as_deref() == Some(kind) && f.resource.as_deref() == Some(arn)
    })
}

fn describe(ours: &Ours) -> String {
    match ours {
        Ours::Unused { last: Some(t) } => format!("unused (last used {t})"),
        Ours::Unused { last: None } => "unused (never used)".to_string(),
        Ours::Used { last } => format!("used ({last})"),
        Ours::TooNew => "too-new".to_string(),
        Ours::Untracked => "untracked".to_string(),
        Ours::NoVerdict(r) => r.clone(),
    }
}

fn push(
    entries: &mut Vec<EntityComparison>,
    kind: &'static str,
    principal: &str,
    subject: String,
    ours: Ours,
    aa: Option<AccessAnalyzerVerdict>,
    w: &Windows,
) {
    // Only what one side calls unused is worth a line.
    if aa.is_none() && !matches!(ours, Ours::Unused { .. }) {
        return;
    }
    entries.push(EntityComparison {
        kind,
        principal_arn: principal.to_string(),
        subject,
        iamsight: describe(&ours),
        comparison: decide(ours, aa, w),
    });
}

/// `UnusedIAMRole` against `unused-iam-role`'s rule (RoleLastUsed inside the window).
fn roles(
    snapshot: &Snapshot,
    findings: &[&AnalyzerFinding],
    w: &Windows,
    entries: &mut Vec<EntityComparison>,
) {
    let cutoff = w.now.minus_days(w.ours);
    let roles = &snapshot.authorization_details.roles;
    for r in roles {
        let aa = findings_on(findings, "UnusedIAMRole", &r.arn)
            .next()
            .map(|f| {
                let last = f
                    .finding_details
                    .iter()
                    .find_map(|d| d.unused_iam_role_details.as_ref())
                    .and_then(|d| d.last_accessed);
                AccessAnalyzerVerdict::of(f, last)
            });
        let last = r.role_last_used.as_ref().and_then(|u| u.last_used_date);
        let ours = if r.is_service_linked() {
            Ours::NoVerdict("no verdict: a service-linked role is not judged".to_string())
        } else if r.create_date > cutoff {
            Ours::TooNew
        } else {
            match last.filter(|t| *t >= cutoff) {
                Some(last) => Ours::Used { last },
                None => Ours::Unused { last },
            }
        };
        push(entries, "role", &r.arn, String::new(), ours, aa, w);
    }
    for f in findings
        .iter()
        .filter(|f| f.finding_type.as_deref() == Some("UnusedIAMRole"))
    {
        let Some(arn) = f.resource.as_deref() else {
            continue;
        };
        if !roles.iter().any(|r| r.arn == arn) {
            let reason = "no verdict: the role is not in the snapshot".to_string();
            push(
                entries,
                "role",
                arn,
                String::new(),
                Ours::NoVerdict(reason),
                Some(AccessAnalyzerVerdict::of(f, None)),
                w,
            );
        }
    }
}

/// `UnusedIAMUserAccessKey` against the access-key checks' rule: an active key not used in
/// `unused_credential_days`, or never used and older than that.
fn access_keys(
    snapshot: &Snapshot,
    findings: &[&AnalyzerFinding],
    w: &Windows,
    entries: &mut Vec<EntityComparison>,
) {
    let cutoff = w.now.minus_days(w.ours);
    let rows = snapshot
        .credential_report
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|r| !r.is_root());
    let mut users = BTreeSet::new();
    for row in rows {
        users.insert(row.arn.as_str());
        // (slot, last used, verdict)
        let mut slots: Vec<(usize, Option<Timestamp>, Ours)> = row
            .access_keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.active)
            .map(|(i, k)| {
                let last = k.last_used_date.at();
                let ours = match last {
                    Some(t) if t >= cutoff => Ours::Used { last: t },
                    Some(t) => Ours::Unused { last: Some(t) },
                    None if k.last_rotated.at().is_some_and(|c| c > cutoff) => Ours::TooNew,
                    None => Ours::Unused { last: None },
                };
                (i + 1, last, ours)
            })
            .collect();
        for f in findings_on(findings, "UnusedIAMUserAccessKey", &row.arn) {
            let details = f
                .finding_details
                .iter()
                .find_map(|d| d.unused_iam_user_access_key_details.as_ref());
            let last = details.and_then(|d| d.last_accessed);
            let key_id = details.map_or_else(String::new, |d| d.access_key_id.clone());
            // The credential report names slots, not key ids: pair by last use, else the only
            // active key, else the first key iamsight calls unused.
            let at = slots
                .iter()
                .position(|(_, l, _)| l.is_some() && *l == last)
                .or_else(|| (slots.len() == 1).then_some(0))
                .or_else(|| {
                    slots
                        .iter()
                        .position(|(_, _, o)| matches!(o, Ours::Unused { .. }))
                });
            let v = AccessAnalyzerVerdict::of(f, last);
            match at {
                Some(i) => {
                    let (slot, _, ours) = slots.remove(i);
                    let subject = if key_id.is_empty() {
                        format!("access key {slot}")
                    } else {
                        format!("{key_id} (access key {slot})")
                    };
                    push(entries, "access-key", &row.arn, subject, ours, Some(v), w);
                }
                None => {
                    let reason =
                        "no verdict: no active access key of the user in the credential report"
                            .to_string();
                    push(
                        entries,
                        "access-key",
                        &row.arn,
                        key_id,
                        Ours::NoVerdict(reason),
                        Some(v),
                        w,
                    );
                }
            }
        }
        for (slot, _, ours) in slots {
            push(
                entries,
                "access-key",
                &row.arn,
                format!("access key {slot}"),
                ours,
                None,
                w,
            );
        }
    }
    for f in findings
        .iter()
        .filter(|f| f.finding_type.as_deref() == Some("UnusedIAMUserAccessKey"))
    {
        let Some(arn) = f.resource.as_deref().filter(|a| !users.contains(a)) else {
            continue;
        };
        let reason = "no verdict: the user is not in the credential report".to_string();
        push(
            entries,
            "access-key",
            arn,
            String::new(),
            Ours::NoVerdict(reason),
            Some(AccessAnalyzerVerdict::of(f, None)),
            w,
        );
    }
}

/// `UnusedIAMUserPassword` against `unused-console-password`'s rule: a password not used in
/// `unused_credential_days`, or never used and set before that.
fn passwords(
    snapshot: &Snapshot,
    findings: &[&AnalyzerFinding],
    w: &Windows,
    entries: &mut Vec<EntityComparison>,
) {
    let cutoff = w.now.minus_days(w.ours);
    let rows: Vec<_> = snapshot
        .credential_report
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|r| !r.is_root())
        .collect();
    for row in &rows {
        let aa = findings_on(findings, "UnusedIAMUserPassword", &row.arn)
            .next()
            .map(|f| {
                let last = f
                    .finding_details
                    .iter()
                    .find_map(|d| d.unused_iam_user_password_details.as_ref())
                    .and_then(|d| d.last_accessed);
                AccessAnalyzerVerdict::of(f, last)
            });
        let ours = if row.password_enabled != Some(true) {
            Ours::NoVerdict("no verdict: the user has no console password".to_string())
        } else {
            match row.password_last_used.at() {
                Some(t) if t >= cutoff => Ours::Used { last: t },
                Some(t) => Ours::Unused { last: Some(t) },
                None => {
                    let set = row
                        .password_last_changed
                        .at()
                        .or(row.user_creation_time.at());
                    match set {
                        Some(s) if s <= cutoff => Ours::Unused { last: None },
                        Some(_) => Ours::TooNew,
                        None => Ours::NoVerdict("no verdict: the password has no date".to_string()),
                    }
                }
            }
        };
        push(entries, "password", &row.arn, String::new(), ours, aa, w);
    }
    for f in findings
        .iter()
        .filter(|f| f.finding_type.as_deref() == Some("UnusedIAMUserPassword"))
    {
        let Some(arn) = f.resource.as_deref() else {
            continue;
        };
        if !rows.iter().any(|r| r.arn == arn) {
            let reason = "no verdict: the user is not in the credential report".to_string();
            push(
                entries,
                "password",
                arn,
                String::new(),
                Ours::NoVerdict(reason),
                Some(AccessAnalyzerVerdict::of(f, None)),
                w,
            );
        }
    }
}
