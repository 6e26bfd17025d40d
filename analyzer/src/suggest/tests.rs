//! The proof: through the evaluation engine, a suggestion never allows what the original
//! did not, keeps everything that was used, and keeps every untracked action.

use std::collections::BTreeSet;

use iam_model::eval::{
    Decision, Named, PolicySet, Request, RequestContext, RequestPrincipal, ResourceMatch, evaluate,
};
use iam_model::snapshot::Snapshot;

use super::*;
use crate::unused::unused_permissions;

fn load(rel: &str) -> Snapshot {
    let text = std::fs::read_to_string(format!("{}/../fixtures/{rel}", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    Snapshot::from_json_str(&text).unwrap()
}

/// Concrete resources to probe a statement's patterns with.
fn probes(policies: &[&Policy]) -> BTreeSet<String> {
    let mut out = BTreeSet::from(["*".to_string()]);
    for p in policies {
        for st in &p.statements {
            for r in st.resource.iter().flat_map(|r| &r.patterns) {
                out.insert(
                    r.replace("${aws:username}", "alice")
                        .replace(['*', '?'], "x"),
                );
            }
        }
    }
    out
}

fn contexts() -> Vec<RequestContext> {
    let mut full = RequestContext::new();
    full.set("aws:MultiFactorAuthPresent", "true");
    full.set("aws:SecureTransport", "true");
    full.set("aws:SourceIp", "203.0.113.5");
    vec![RequestContext::new(), full]
}

fn allowed(
    set: &PolicySet<'_>,
    principal: &RequestPrincipal,
    action: &str,
    resource: &str,
    ctx: &RequestContext,
) -> bool {
    evaluate(
        set,
        &Request {
            principal,
            action,
            resource,
            resource_match: ResourceMatch::Exact,
            resource_account: None,
            context: ctx,
        },
    )
    .decision
        == Decision::Allowed
}

/// Checks every suggestion of a snapshot; returns the number of principals with a change.
fn prove(snapshot: &Snapshot) -> usize {
    let config = Config::default();
    let catalog = Catalog::embedded();
    let account = Account::new(snapshot);
    let unused = unused_permissions(snapshot, &account, &config, catalog);
    let suggestions = suggest(
        snapshot,
        &account,
        &unused,
        &config,
        catalog,
        &SuggestOptions::default(),
    );
    let mut exp = Expander::new(catalog);
    let mut changed = 0;
    let mut failures = Vec::new();
    for s in &suggestions {
        if s.suggested_policies.is_empty() {
            continue;
        }
        changed += 1;
        let p = account.by_arn(&s.principal).unwrap();
        let original = p.policy_set();
        let replaced: BTreeSet<&str> = s
            .suggested_policies
            .iter()
            .map(|sp| sp.replaces.as_str())
            .collect();
        let mut suggested = PolicySet {
            identity: p
                .grants
                .iter()
                .filter(|g| !replaced.contains(g.id.as_str()))
                .filter_map(|g| {
                    g.policy.map(|pol| Named {
                        name: &g.id,
                        policy: pol,
                    })
                })
                .collect(),
            boundary: original.boundary,
            ..PolicySet::default()
        };
        suggested
            .identity
            .extend(s.suggested_policies.iter().map(|sp| Named {
                name: &sp.name,
                policy: &sp.document,
            }));
        let originals: Vec<&Policy> = p.grants.iter().filter_map(|g| g.policy).collect();
        let mut actions = ActionSet::new_empty(catalog);
        for pol in &originals {
            for st in &pol.statements {
                actions.union_with(&granted_set(st, &mut exp, catalog));
            }
        }
        let rp = RequestPrincipal::parse(p.arn);
        let resources = probes(&originals);
        let used: BTreeSet<String> = snapshot
            .last_accessed
            .get(p.arn)
            .into_iter()
            .flat_map(|d| &d.services_last_accessed)
            .flat_map(|svc| {
                svc.tracked_actions_last_accessed
                    .iter()
                    .flatten()
                    .filter(|a| {
                        a.last_accessed_time.is_some_and(|t| {
                            t >= snapshot
                                .collected_at
                                .unwrap()
                                .minus_days(config.thresholds.unused_days)
                        })
                    })
                    .map(move |a| {
                        format!("{}:{}", svc.service_namespace, a.action_name).to_ascii_lowercase()
                    })
            })
            .collect();
        let untracked: BTreeSet<String> = unused
            .rows
            .iter()
            .filter(|r| r.principal_arn == p.arn && r.confidence == Confidence::Untracked)
            .filter_map(|r| r.action.as_ref().map(|a| a.to_ascii_lowercase()))
            .collect();
        for id in actions.iter().take(3000) {
            let action = catalog.action(id).full_name();
            let lower = action.to_ascii_lowercase();
            for r in &resources {
                for ctx in contexts() {
                    let o = allowed(&original, &rp, &action, r, &ctx);
                    let n = allowed(&suggested, &rp, &action, r, &ctx);
                    if n && !o {
                        failures.push(format!(
                            "{}: suggestion WIDENS {action} on {r}",
                            s.principal
                        ));
                    }
                    if o && !n && (used.contains(&lower) || untracked.contains(&lower)) {
                        failures.push(format!(
                            "{}: suggestion drops used or untracked {action} on {r}",
                            s.principal
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
    changed
}

#[test]
fn demo_suggestions_never_widen_and_keep_what_was_used() {
    let changed = prove(&load("demo/snapshot.json"));
    assert!(
        changed >= 3,
        "the demo should produce several suggestions, got {changed}"
    );
}

#[test]
fn fixture_suggestions_never_widen() {
    prove(&load("checks/unused-permissions/resources.json"));
}

#[test]
fn demo_suggestions_read_as_a_reviewer_would_write_them() {
    let snap = load("demo/snapshot.json");
    let config = Config::default();
    let account = Account::new(&snap);
    let unused = unused_permissions(&snap, &account, &config, Catalog::embedded());
    let all = suggest(
        &snap,
        &account,
        &unused,
        &config,
        Catalog::embedded(),
        &SuggestOptions::default(),
    );
    let find = |n: &str| all.iter().find(|s| s.principal.ends_with(n)).unwrap();
    // Too new and no-data principals are skipped with a reason, never rewritten.
    assert!(
        find(":user/nina.new")
            .skipped
            .as_deref()
            .unwrap()
            .contains("younger")
    );
    assert!(
        find(":user/maria.garcia")
            .skipped
            .as_deref()
            .unwrap()
            .contains("no last-accessed data")
    );
    // Deny statements are kept and named as kept.
    for s in &all {
        for sp in &s.suggested_policies {
            assert!(size(&sp.document) <= MANAGED_POLICY_LIMIT.max(ROLE_INLINE_LIMIT));
        }
        assert!(s.removed.iter().all(|r| r.permission != "iam:PassRole"));
    }
    // The shared-policy rule: a policy held by several principals loses an action only when
    // every holder left it unused.
    for s in &all {
        for sp in s
            .suggested_policies
            .iter()
            .filter(|sp| sp.holders.len() > 1)
        {
            for r in s.removed.iter().filter(|r| r.policy == sp.replaces) {
                for h in &sp.holders {
                    let rows: Vec<_> = unused
                        .rows
                        .iter()
                        .filter(|u| &u.principal_arn == h && u.policy_arn == r.policy)
                        .collect();
                    assert!(
                        rows.iter().any(|u| u.confidence.is_unused()
                            && (u
                                .action
                                .as_deref()
                                .is_some_and(|a| a.eq_ignore_ascii_case(&r.permission))
                                || (u.action.is_none()
                                    && r.permission.starts_with(&format!("{}:", u.service))))),
                        "{} removed from shared {} though {h} did not leave it unused",
                        r.permission,
                        r.policy
                    );
                }
            }
        }
    }
}
