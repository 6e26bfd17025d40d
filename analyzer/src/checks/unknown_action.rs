//! `policy-names-unknown-action`: a policy names an action the catalog does not know — a typo
//! (`s3:GetObjekt`), a service prefix that does not exist (`dynamo:GetItem`), or a wildcard
//! that matches nothing (`s3:Gte*`).
//!
//! IAM accepts such documents (it validates only the syntax), and the statement then silently
//! does less than it says. Every statement is judged, Allow and Deny, `Action` and
//! `NotAction`. The evidence names the pattern exactly, and "did you mean" the closest catalog
//! action by edit distance (case-insensitive): within the same service for an unknown action,
//! in the closest service for an unknown prefix — when one is within
//! [`max_distance`] edits.
//!
//! Severity: low when the typo only makes a grant smaller (Allow + Action, Deny + NotAction);
//! medium when it weakens a guard rail or widens a grant (Deny + Action: the deny does not
//! deny; Allow + NotAction: the exclusion does not exclude).
//!
//! The catalog is a snapshot of AWS's published actions: an action AWS released after it is
//! reported too. The evidence names the catalog version, so a reader can tell.

use iam_model::catalog::Catalog;
use iam_model::policy::{Effect, Statement};

use super::grants::{emit_at, judged_policies, statement_evidence, statement_name};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "IAM-108",
    name: "policy-names-unknown-action",
    title: "Policy names an action or service that does not exist",
    severity: Severity::Low,
    category: Category::PolicyHygiene,
    service: "iam",
    rationale: "IAM accepts any `service:Action` text, so a typo (`s3:GetObjekt`, `dynamo:GetItem`) is saved without complaint and the statement silently does something else than its author meant: an Allow grants less (the application breaks later), a Deny denies nothing (the guard rail is not there), and a NotAction exclusion excludes nothing (the grant is wider). Reported low, or medium when the typo weakens a Deny or widens a NotAction.",
    remediation: Remediation {
        console: "Correct the action names listed in the evidence (the suggestion is the closest existing action); `iamsight catalog 'svc:*'` lists a service's actions. If the action is newer than iamsight's catalog, suppress the finding for that policy until the catalog is updated.",
        cli: "aws iam create-policy-version --policy-arn ARN --policy-document file://fixed.json --set-as-default",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
    ],
    run,
};

/// The most edits a "did you mean" suggestion may be away: a third of the name, at least 2.
fn max_distance(name: &str) -> usize {
    (name.len() / 3).max(2)
}

/// Levenshtein distance, ASCII case-insensitive.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate within [`max_distance`] of `name`.
fn closest<'c>(name: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= max_distance(name))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Why a pattern names nothing, with a suggestion; `None` when it is fine.
fn problem(pattern: &str, catalog: &Catalog) -> Option<String> {
    let exp = catalog.expand(pattern);
    if !exp.actions.is_empty() {
        return None;
    }
    let Some((service, action)) = pattern.split_once(':') else {
        return Some(format!("`{pattern}` is not of the form `service:action`"));
    };
    let literal = |s: &str| !s.contains(['*', '?']);
    if exp.unknown_service {
        let mut text = format!("no service has the prefix `{service}`");
        if literal(service)
            && let Some(s) = closest(service, catalog.services().map(|s| s.prefix()))
        {
            let suggestion = catalog
                .service(s)
                .and_then(|svc| svc.action(action).map(|a| a.full_name()))
                .unwrap_or_else(|| format!("{s}:{action}"));
            text.push_str(&format!(" (did you mean `{suggestion}`?)"));
        }
        return Some(text);
    }
    if !literal(action) {
        return Some(format!("`{action}` matches no action of `{service}`"));
    }
    let mut text = format!("`{service}` has no action `{action}`");
    if let Some(svc) = catalog.service(service)
        && let Some(a) = closest(action, svc.actions().map(|a| a.name()))
    {
        text.push_str(&format!(" (did you mean `{}:{a}`?)", svc.prefix()));
    }
    Some(text)
}

/// Does a misspelt action in this statement weaken security rather than break a grant?
fn weakens(st: &Statement) -> bool {
    (st.effect == Effect::Deny) != st.action.negated
}

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let catalog = Catalog::embedded();
    for jp in judged_policies(ctx) {
        let mut evidence: Vec<Evidence> = Vec::new();
        let mut names = Vec::new();
        let mut medium = false;
        for (i, st) in jp.policy.statements.iter().enumerate() {
            for p in &st.action.patterns {
                let Some(why) = problem(p, catalog) else {
                    continue;
                };
                medium |= weakens(st);
                names.push(format!("`{p}`"));
                evidence.push(statement_evidence(
                    &jp.id,
                    i,
                    st,
                    "action",
                    format!(
                        "{} ({} {}) names `{p}`: {why}",
                        statement_name(i, st),
                        st.effect,
                        if st.action.negated {
                            "NotAction"
                        } else {
                            "Action"
                        }
                    ),
                ));
            }
        }
        if evidence.is_empty() {
            continue;
        }
        evidence.push(Evidence::text(
            "catalog",
            format!("judged against the catalog {}", catalog.version()),
        ));
        emit_at(
            out,
            if medium {
                Severity::Medium
            } else {
                Severity::Low
            },
            jp.subject.clone(),
            "",
            format!(
                "{} names {} that the catalog does not know: {}",
                jp.label,
                if names.len() == 1 {
                    "an action"
                } else {
                    "actions"
                },
                names.join(", ")
            ),
            evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        let c = Catalog::embedded();
        assert_eq!(problem("s3:GetObject", c), None);
        assert_eq!(problem("*", c), None);
        assert_eq!(
            problem("s3:GetObjekt", c).unwrap(),
            "`s3` has no action `GetObjekt` (did you mean `s3:GetObject`?)"
        );
        assert_eq!(
            problem("dynamo:GetItem", c).unwrap(),
            "no service has the prefix `dynamo` (did you mean `dynamodb:GetItem`?)"
        );
        assert_eq!(
            problem("s3:Gte*", c).unwrap(),
            "`Gte*` matches no action of `s3`"
        );
        assert!(problem("GetObject", c).unwrap().contains("not of the form"));
        assert!(
            !problem("zzqx:Frobnicate", c)
                .unwrap()
                .contains("did you mean")
        );
        assert_eq!(distance("kitten", "SITTING"), 3);
    }
}
