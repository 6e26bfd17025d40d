//! Risk × use on the findings themselves: a risky grant that its holders confidently do not
//! use is *safe to remove*; one they use is to be *constrained, not removed*.
//!
//! The risky-grant checks ([`RISKY_GRANT_CHECKS`]) name, in their evidence, the exact
//! statements (policy, index) and, where narrower than the statement, the actions that carry
//! the risk. This module looks those up in the unused-permissions report
//! ([`crate::unused::unused_permissions`]) for every holder of the grant — the principal of a
//! per-principal finding; every user and role holding the policy (its groups' members
//! included) for a per-policy one — and decides:
//!
//! - [`UseVerdict::Constrain`] when any holder used any of those actions (or services) in the
//!   window;
//! - [`UseVerdict::SafeToRemove`] when every holder has data and every row is confidently
//!   unused (`tracked-unused`, `service-unused`);
//! - [`UseVerdict::NotJudged`] otherwise: untracked actions (`iam:PassRole`, data-plane
//!   actions), grants or holders younger than the window, holders without last-accessed data.
//!
//! The verdict goes on the finding ([`Finding::risk_use`]) and, as a `risk-use` evidence line,
//! into every renderer that shows evidence; [`crate::analyze`] orders findings of one severity
//! safe-to-remove first.

use std::collections::{BTreeSet, HashMap};

use iam_model::catalog::{ActionSet, Catalog, Expander};
use iam_model::wildcard::wildcard_match;

use crate::account::PrincipalKind;
use crate::context::Context;
use crate::report::{Evidence, Finding, RiskUse, UseVerdict};
use crate::unused::{Confidence, UnusedRow};

/// The checks whose findings are risky grants, by name.
pub const RISKY_GRANT_CHECKS: &[&str] = &[
    "policy-grants-admin-access",
    "principal-has-admin-access",
    "policy-grants-service-wildcard",
    "policy-allows-write-without-resource-constraint",
    "policy-allows-notaction-or-notresource",
    "policy-allows-passrole-to-any-role",
    "policy-allows-assume-any-role",
    "principal-can-exfiltrate-data",
    "principal-can-expose-resources",
    "principal-can-obtain-credentials",
    "principal-can-modify-infrastructure",
];

/// At most this many actions are named in a reason.
const NAMED: usize = 5;

/// Sets the verdict (and its evidence line) on every risky-grant finding.
pub fn attach(findings: &mut [Finding], ctx: &Context<'_>) {
    if ctx.now.is_none()
        || !findings
            .iter()
            .any(|f| RISKY_GRANT_CHECKS.contains(&f.check.as_str()))
    {
        return;
    }
    let index = Index::new(ctx);
    for f in findings
        .iter_mut()
        .filter(|f| RISKY_GRANT_CHECKS.contains(&f.check.as_str()))
    {
        if let Some(ru) = judge(f, &index) {
            f.evidence.push(Evidence::text(
                "risk-use",
                format!("{}: {}", ru.verdict.as_str(), ru.reason),
            ));
            f.risk_use = Some(ru);
        }
    }
}

/// The unused report's rows (unused, then used) by (policy, statement), and the users and
/// roles (service-linked ones apart) holding each policy: built once, so that judging a
/// finding looks at its own grants' rows, not at every row of the account.
struct Index<'c> {
    rows: Vec<&'c UnusedRow>,
    by_grant: HashMap<(&'c str, usize), Vec<usize>>,
    /// The same, per holder (a per-principal finding looks at its principal's rows only).
    by_holder: HashMap<(&'c str, usize, &'c str), Vec<usize>>,
    holders: HashMap<&'c str, Vec<usize>>,
    principals: Vec<&'c str>,
    window: i64,
}

impl<'c> Index<'c> {
    fn new(ctx: &'c Context<'_>) -> Index<'c> {
        let unused = ctx.unused();
        let rows: Vec<&UnusedRow> = unused.rows.iter().chain(&unused.used).collect();
        let mut by_grant: HashMap<(&str, usize), Vec<usize>> = HashMap::new();
        let mut by_holder: HashMap<(&str, usize, &str), Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            by_grant
                .entry((&*r.policy_arn, r.statement))
                .or_default()
                .push(i);
            by_holder
                .entry((&*r.policy_arn, r.statement, &*r.principal_arn))
                .or_default()
                .push(i);
        }
        let mut holders: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut principals = Vec::new();
        for p in ctx
            .account
            .principals
            .iter()
            .filter(|p| p.kind != PrincipalKind::Group && !p.is_service_linked())
        {
            let i = principals.len();
            principals.push(p.arn);
            for g in &p.grants {
                let list = holders.entry(g.id.as_str()).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        Index {
            rows,
            by_grant,
            by_holder,
            holders,
            principals,
            window: unused.window_days,
        }
    }
}

/// One statement (and the actions of it) that carries a finding's risk.
struct Grant<'f> {
    policy: &'f str,
    statement: usize,
    actions: &'f [String],
}

fn judge<'c>(f: &Finding, index: &Index<'c>) -> Option<RiskUse> {
    let grants: Vec<Grant<'_>> = f
        .evidence
        .iter()
        .filter_map(|e| {
            Some(Grant {
                policy: e.policy.as_deref()?,
                statement: e.statement?,
                actions: &e.actions,
            })
        })
        .collect();
    if grants.is_empty() {
        return None;
    }
    // Who holds the grant: the finding's principal, or everyone with the policy.
    let per_principal = matches!(f.resource_type.as_str(), "iam-user" | "iam-role");
    let holders: Vec<&str> = if per_principal {
        index
            .principals
            .iter()
            .copied()
            .filter(|p| *p == f.resource)
            .collect()
    } else {
        let mut at: Vec<usize> = grants
            .iter()
            .flat_map(|g| index.holders.get(g.policy).into_iter().flatten().copied())
            .collect();
        at.sort_unstable();
        at.dedup();
        at.into_iter().map(|i| index.principals[i]).collect()
    };
    if holders.is_empty() {
        return None;
    }
    // The grants' rows, in the report's order. Rows exist only for the users and roles that
    // hold a grant (service-linked roles apart), so a per-policy finding takes every row of
    // its statements; a per-principal one, that principal's.
    let mut at: Vec<usize> = Vec::new();
    let mut exp = Expander::new(Catalog::embedded());
    for g in &grants {
        let coverage = (!g.actions.is_empty()).then(|| Coverage::new(g.actions, &mut exp));
        let of_grant = if per_principal {
            index
                .by_holder
                .get(&(g.policy, g.statement, f.resource.as_str()))
        } else {
            index.by_grant.get(&(g.policy, g.statement))
        };
        for &i in of_grant.into_iter().flatten() {
            let r = index.rows[i];
            if coverage.as_ref().is_none_or(|c| c.covers(r)) {
                at.push(i);
            }
        }
    }
    at.sort_unstable();
    at.dedup();
    let rows: Vec<&UnusedRow> = at.into_iter().map(|i| index.rows[i]).collect();
    let window = index.window;
    let used: Vec<&UnusedRow> = rows
        .iter()
        .copied()
        .filter(|r| r.confidence == Confidence::Used)
        .collect();
    if !used.is_empty() {
        let who: BTreeSet<&str> = used.iter().map(|r| &*r.principal_name).collect();
        return Some(RiskUse {
            verdict: UseVerdict::Constrain,
            reason: format!(
                "used in the {window}-day window by {} ({}): scope it to the resources and conditions that use needs",
                join(who.iter().copied()),
                join(used.iter().map(|r| describe(r, true)))
            ),
        });
    }
    let judged: BTreeSet<&str> = rows.iter().map(|r| &*r.principal_arn).collect();
    let without_data: Vec<&str> = holders
        .iter()
        .copied()
        .filter(|h| !judged.contains(h))
        .collect();
    let not_judged: Vec<&UnusedRow> = rows
        .iter()
        .copied()
        .filter(|r| !r.confidence.is_unused())
        .collect();
    if rows.is_empty() || !without_data.is_empty() || !not_judged.is_empty() {
        let mut why = Vec::new();
        let unused_part: Vec<&UnusedRow> = rows
            .iter()
            .copied()
            .filter(|r| r.confidence.is_unused())
            .collect();
        if !unused_part.is_empty() {
            why.push(format!(
                "unused in the {window}-day window: {}",
                join(unused_part.iter().map(|r| describe(r, false)))
            ));
        }
        if !not_judged.is_empty() {
            why.push(join(not_judged.iter().map(|r| {
                format!(
                    "{} is {}",
                    r.action.as_deref().unwrap_or(&r.service),
                    r.confidence.as_str()
                )
            })));
        }
        if !without_data.is_empty() {
            why.push(format!(
                "no last-accessed data for {}",
                join(
                    without_data
                        .iter()
                        .map(|a| a.rsplit('/').next().unwrap_or(a))
                )
            ));
        }
        return Some(RiskUse {
            verdict: UseVerdict::NotJudged,
            reason: why.join("; "),
        });
    }
    Some(RiskUse {
        verdict: UseVerdict::SafeToRemove,
        reason: format!(
            "no holder used it in the {window}-day window ({})",
            join(rows.iter().map(|r| describe(r, false)))
        ),
    })
}

/// An evidence action list, expanded once: which rows it covers (an action it matches, or a
/// service row of a service it names).
struct Coverage<'f> {
    patterns: &'f [String],
    /// The catalog actions the patterns match (the rows' action ids are of the embedded
    /// catalog, as the unused report's).
    ids: ActionSet,
}

impl<'f> Coverage<'f> {
    fn new(patterns: &'f [String], exp: &mut Expander<'_>) -> Coverage<'f> {
        let mut ids = ActionSet::new_empty(exp.catalog());
        for p in patterns {
            ids.union_with(&exp.expand(p).actions);
        }
        Coverage { patterns, ids }
    }

    fn covers(&self, r: &UnusedRow) -> bool {
        match (&r.action, r.action_id) {
            (Some(_), Some(id)) => self.ids.contains(id),
            (Some(a), None) => self
                .patterns
                .iter()
                .any(|pattern| wildcard_match(pattern, a, true)),
            (None, _) => self.patterns.iter().any(|pattern| {
                pattern
                    .split_once(':')
                    .is_some_and(|(svc, _)| svc.eq_ignore_ascii_case(&r.service))
            }),
        }
    }
}

/// `iam:CreateAccessKey (tracked-unused)` or `ec2:RunInstances last used 2026-11-21`.
fn describe(r: &UnusedRow, used: bool) -> String {
    let what = r
        .action
        .as_deref()
        .map_or_else(|| format!("{} (whole service)", r.service), str::to_string);
    match (used, r.last_accessed) {
        (true, Some(t)) => format!("{what} last used {t}"),
        (true, None) => what,
        (false, _) => format!("{what}: {}", r.confidence.as_str()),
    }
}

/// The first [`NAMED`] items, `, `-joined, with a count of the rest.
fn join<S: AsRef<str>>(items: impl Iterator<Item = S>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for i in items {
        let s = i.as_ref().to_string();
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    let n = seen.len();
    let mut text = seen.into_iter().take(NAMED).collect::<Vec<_>>().join(", ");
    if n > NAMED {
        text.push_str(&format!(", and {} more", n - NAMED));
    }
    text
}

#[cfg(test)]
mod tests {
    use iam_model::snapshot::Snapshot;

    use crate::config::Config;
    use crate::report::UseVerdict;
    use crate::{Selection, analyze};

    /// Three service wildcards: one its holder never used, one used, one whose holder has no
    /// last-accessed data.
    const ACCOUNT: &str = r#"{"iamsight_snapshot":1,"account_id":"111122223333","collected_at":"2026-11-30T12:00:00Z",
      "authorization_details":{
        "UserDetailList":[
          {"Path":"/","UserName":"idle","UserId":"AIDA1","Arn":"arn:aws:iam::111122223333:user/idle","CreateDate":"2024-01-01T00:00:00Z",
           "AttachedManagedPolicies":[{"PolicyName":"s3-everything","PolicyArn":"arn:aws:iam::111122223333:policy/s3-everything"}]},
          {"Path":"/","UserName":"busy","UserId":"AIDA2","Arn":"arn:aws:iam::111122223333:user/busy","CreateDate":"2024-01-01T00:00:00Z",
           "AttachedManagedPolicies":[{"PolicyName":"ec2-everything","PolicyArn":"arn:aws:iam::111122223333:policy/ec2-everything"}]},
          {"Path":"/","UserName":"unknown","UserId":"AIDA3","Arn":"arn:aws:iam::111122223333:user/unknown","CreateDate":"2024-01-01T00:00:00Z",
           "AttachedManagedPolicies":[{"PolicyName":"sqs-everything","PolicyArn":"arn:aws:iam::111122223333:policy/sqs-everything"}]}],
        "Policies":[
          {"PolicyName":"s3-everything","PolicyId":"ANPA1","Arn":"arn:aws:iam::111122223333:policy/s3-everything","Path":"/","DefaultVersionId":"v1","AttachmentCount":1,"CreateDate":"2024-01-01T00:00:00Z",
           "PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,"CreateDate":"2024-01-01T00:00:00Z","Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}}]},
          {"PolicyName":"ec2-everything","PolicyId":"ANPA2","Arn":"arn:aws:iam::111122223333:policy/ec2-everything","Path":"/","DefaultVersionId":"v1","AttachmentCount":1,"CreateDate":"2024-01-01T00:00:00Z",
           "PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,"CreateDate":"2024-01-01T00:00:00Z","Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}}]},
          {"PolicyName":"sqs-everything","PolicyId":"ANPA3","Arn":"arn:aws:iam::111122223333:policy/sqs-everything","Path":"/","DefaultVersionId":"v1","AttachmentCount":1,"CreateDate":"2024-01-01T00:00:00Z",
           "PolicyVersionList":[{"VersionId":"v1","IsDefaultVersion":true,"CreateDate":"2024-01-01T00:00:00Z","Document":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}}]}]},
      "last_accessed":{
        "arn:aws:iam::111122223333:user/idle":{"JobStatus":"COMPLETED","JobType":"ACTION_LEVEL","JobCompletionDate":"2026-11-30T11:00:00Z",
          "ServicesLastAccessed":[{"ServiceName":"Amazon S3","ServiceNamespace":"s3","TotalAuthenticatedEntities":0}]},
        "arn:aws:iam::111122223333:user/busy":{"JobStatus":"COMPLETED","JobType":"ACTION_LEVEL","JobCompletionDate":"2026-11-30T11:00:00Z",
          "ServicesLastAccessed":[{"ServiceName":"Amazon EC2","ServiceNamespace":"ec2","LastAuthenticated":"2026-11-20T10:00:00Z","TotalAuthenticatedEntities":1}]}}}"#;

    #[test]
    fn unused_risky_grants_come_first_and_say_safe_to_remove() {
        let snap = Snapshot::from_json_str(ACCOUNT).unwrap();
        let selection = Selection {
            select: vec!["policy-grants-service-wildcard".to_string()],
            ..Selection::default()
        };
        let report = analyze(&snap, &Config::default(), &selection);
        let got: Vec<(&str, UseVerdict)> = report
            .findings
            .iter()
            .map(|f| {
                (
                    f.resource.rsplit('/').next().unwrap_or_default(),
                    f.risk_use.as_ref().unwrap().verdict,
                )
            })
            .collect();
        // Not alphabetical: safe to remove, then constrain, then not judged.
        assert_eq!(
            got,
            [
                ("s3-everything", UseVerdict::SafeToRemove),
                ("ec2-everything", UseVerdict::Constrain),
                ("sqs-everything", UseVerdict::NotJudged),
            ]
        );
        let line = |i: usize| {
            report.findings[i]
                .evidence
                .iter()
                .find(|e| e.kind == "risk-use")
                .map(|e| e.text.clone())
                .unwrap()
        };
        assert_eq!(
            line(0),
            "safe to remove: no holder used it in the 90-day window (s3 (whole service): service-unused)"
        );
        assert!(line(1).starts_with("constrain, do not remove: used in the 90-day window by busy (ec2 (whole service) last used 2026-11-20T10:00:00Z)"), "{}", line(1));
        assert_eq!(line(2), "use not judged: no last-accessed data for unknown");
    }
}
