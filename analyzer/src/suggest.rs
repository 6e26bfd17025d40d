//! Least-privilege suggestions: the policies each principal should have instead.
//!
//! For each user and role, every policy it holds is rewritten statement by statement:
//! - what was used in the window is kept, and so is everything that cannot be judged
//!   (untracked actions, grants younger than the window, principals without data);
//! - what is confidently unused (`tracked-unused`, `service-unused`) is dropped;
//! - Deny statements, statements whose Sid starts with `NOREPO`, conditions and resource
//!   scoping are kept as they are, and `iam:PassRole` is never dropped;
//! - action lists are compacted with wildcards only where the wildcard expands to exactly
//!   the kept actions in the catalog.
//!
//! A managed or group policy shared by several principals is rewritten only against the union
//! of its holders' use: an action is dropped only when it is unused by every holder.
//! Suggestions never widen access: every statement of a suggestion allows a subset of what
//! the original statement allowed (the tests prove it through the evaluation engine).
//! iamsight never applies a change to an account.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use iam_model::catalog::{ActionId, ActionSet, Catalog, Expander};
use iam_model::policy::{ActionClause, Effect, Policy};
use iam_model::snapshot::Snapshot;
use serde::Serialize;

use crate::account::{Account, GrantSource, PrincipalKind};
use crate::config::Config;
use crate::unused::{Confidence, UnusedReport};

/// IAM's size limits, in characters without whitespace.
pub const MANAGED_POLICY_LIMIT: usize = 6_144;
/// All inline policies of one role together.
pub const ROLE_INLINE_LIMIT: usize = 10_240;
/// All inline policies of one user together.
pub const USER_INLINE_LIMIT: usize = 2_048;

/// Which principals to suggest for.
#[derive(Clone, Debug, Default)]
pub struct SuggestOptions {
    /// Only this principal (name or ARN); all when `None`.
    pub principal: Option<String>,
}

/// A suggested policy document.
#[derive(Clone, Debug, Serialize)]
pub struct SuggestedPolicy {
    /// Its name.
    pub name: String,
    /// `inline` (on the principal), `group-inline`, or `managed` (a new customer managed
    /// policy to attach instead of the original).
    pub kind: &'static str,
    /// The grant it replaces: a managed policy ARN or `inline:<holder>:<name>`.
    pub replaces: String,
    /// The suggested document.
    pub document: Policy,
    /// Principals that hold the original and would hold this one.
    pub holders: Vec<String>,
}

/// A permission dropped, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Removed {
    /// Policy id.
    pub policy: String,
    /// Statement index.
    pub statement: usize,
    /// `service:Action`, or `service:*` for a whole unused service.
    pub permission: String,
    /// Why it is believed unused.
    pub confidence: Confidence,
}

/// A permission or statement kept, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Kept {
    /// Policy id.
    pub policy: String,
    /// Statement index.
    pub statement: usize,
    /// What: `service:Action`, or `statement` for a whole statement.
    pub permission: String,
    /// Why.
    pub reason: String,
}

/// The suggestion for one principal.
#[derive(Clone, Debug, Serialize)]
pub struct Suggestion {
    /// The principal ARN.
    pub principal: String,
    /// `user` or `role`.
    pub principal_type: &'static str,
    /// Why no suggestion was made, when none was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// The suggested documents (only policies that change).
    pub suggested_policies: Vec<SuggestedPolicy>,
    /// What the suggestion drops.
    pub removed: Vec<Removed>,
    /// What it keeps, where keeping was a decision (untracked, too new, Deny, NOREPO).
    pub kept: Vec<Kept>,
    /// Size-limit splits and other remarks.
    pub notes: Vec<String>,
}

/// The verdicts on one statement's permissions for one principal.
type Verdicts = Vec<(String, Confidence)>;

/// Per grant and statement: action ids each holder may lose, and services it may lose.
type Removable = HashMap<(String, usize), (BTreeSet<String>, BTreeSet<String>)>;

/// Suggests least-privilege policies.
pub fn suggest(
    snapshot: &Snapshot,
    account: &Account<'_>,
    unused: &UnusedReport,
    config: &Config,
    catalog: &Catalog,
    options: &SuggestOptions,
) -> Vec<Suggestion> {
    let _ = snapshot;
    let mut exp = Expander::new(catalog);
    // Per principal: (grant, statement) → removable actions and services.
    let mut per_principal: HashMap<&str, Removable> = HashMap::new();
    let mut reasons: HashMap<(&str, String, usize), Verdicts> = HashMap::new();
    for r in &unused.rows {
        let entry = per_principal.entry(r.principal_arn.as_str()).or_default();
        let slot = entry
            .entry((r.policy_arn.clone(), r.statement))
            .or_default();
        if r.confidence.is_unused() {
            match &r.action {
                Some(a) if !a.eq_ignore_ascii_case("iam:PassRole") => {
                    slot.0.insert(a.to_ascii_lowercase());
                }
                Some(_) => {}
                None => {
                    slot.1.insert(r.service.clone());
                }
            }
        }
        reasons
            .entry((r.principal_arn.as_str(), r.policy_arn.clone(), r.statement))
            .or_default()
            .push((
                r.action
                    .clone()
                    .unwrap_or_else(|| format!("{}:*", r.service)),
                r.confidence,
            ));
    }
    let judged: BTreeSet<&str> = per_principal.keys().copied().collect();
    // Holders of each grant.
    let mut holders: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in account
        .principals
        .iter()
        .filter(|p| p.kind != PrincipalKind::Group)
    {
        for g in &p.grants {
            holders.entry(g.id.as_str()).or_default().push(p.arn);
        }
    }
    let now = snapshot.collected_at;
    let window = config.thresholds.unused_days;
    let wanted = options.principal.as_deref();
    let mut out = Vec::new();
    for p in account
        .principals
        .iter()
        .filter(|p| p.kind != PrincipalKind::Group)
    {
        if let Some(w) = wanted
            && w != p.arn
            && w != p.name
        {
            continue;
        }
        let mut s = Suggestion {
            principal: p.arn.to_string(),
            principal_type: p.kind.as_str(),
            skipped: None,
            suggested_policies: Vec::new(),
            removed: Vec::new(),
            kept: Vec::new(),
            notes: Vec::new(),
        };
        if p.path.starts_with("/aws-service-role/") {
            s.skipped = Some("service-linked role: AWS owns its policies".to_string());
            out.push(s);
            continue;
        }
        if now.is_none_or(|n| p.created > n.minus_days(window)) {
            s.skipped = Some(format!(
                "younger than the {window}-day window (or no collection time): not judged"
            ));
            out.push(s);
            continue;
        }
        if !judged.contains(p.arn) {
            s.skipped = Some("no last-accessed data: nothing can be judged unused".to_string());
            out.push(s);
            continue;
        }
        let mut inline_total = 0usize;
        for g in &p.grants {
            let Some(policy) = g.policy else {
                s.notes.push(format!(
                    "`{}` is not in the snapshot or does not parse: left as it is",
                    g.id
                ));
                continue;
            };
            let hs = holders.get(g.id.as_str()).cloned().unwrap_or_default();
            let mut new_statements = Vec::new();
            let mut changed = false;
            for (si, st) in policy.statements.iter().enumerate() {
                if st.effect == Effect::Deny {
                    s.kept.push(kept(
                        &g.id,
                        si,
                        "statement",
                        "Deny statements are always kept",
                    ));
                    new_statements.push(st.clone());
                    continue;
                }
                if st
                    .sid
                    .as_deref()
                    .is_some_and(|sid| sid.starts_with("NOREPO"))
                {
                    s.kept
                        .push(kept(&g.id, si, "statement", "Sid starts with NOREPO"));
                    new_statements.push(st.clone());
                    continue;
                }
                // Removable only when unused by every holder of this grant.
                let mut actions: Option<BTreeSet<String>> = None;
                let mut services: Option<BTreeSet<String>> = None;
                for h in &hs {
                    let (a, sv) = per_principal
                        .get(h)
                        .and_then(|m| m.get(&(g.id.clone(), si)))
                        .cloned()
                        .unwrap_or_default();
                    actions = Some(match actions {
                        None => a,
                        Some(prev) => prev.intersection(&a).cloned().collect(),
                    });
                    services = Some(match services {
                        None => sv,
                        Some(prev) => prev.intersection(&sv).cloned().collect(),
                    });
                }
                let actions = actions.unwrap_or_default();
                let services = services.unwrap_or_default();
                for (perm, conf) in reasons
                    .get(&(p.arn, g.id.clone(), si))
                    .into_iter()
                    .flatten()
                {
                    if !conf.is_unused() {
                        s.kept.push(kept(&g.id, si, perm, conf.recommendation()));
                    }
                }
                let granted = granted_set(st, &mut exp, catalog);
                let mut remove = ActionSet::new_empty(catalog);
                for id in granted.iter() {
                    let a = catalog.action(id);
                    let full = a.full_name().to_ascii_lowercase();
                    if full == "iam:passrole" {
                        continue;
                    }
                    if actions.contains(&full) || services.contains(a.service_prefix()) {
                        remove.insert(id);
                    }
                }
                if remove.is_empty() {
                    new_statements.push(st.clone());
                    continue;
                }
                changed = true;
                for id in remove.iter() {
                    let a = catalog.action(id);
                    let conf = if services.contains(a.service_prefix()) {
                        Confidence::ServiceUnused
                    } else {
                        Confidence::TrackedUnused
                    };
                    s.removed.push(Removed {
                        policy: g.id.clone(),
                        statement: si,
                        permission: a.full_name(),
                        confidence: conf,
                    });
                }
                let mut keep = granted.clone();
                keep.difference_with(&remove);
                if keep.is_empty() {
                    continue; // the whole statement goes
                }
                let mut st2 = st.clone();
                st2.action = if st.action.negated {
                    // NotAction: exclude the removed actions too (a narrower complement).
                    let mut pats = st.action.patterns.clone();
                    pats.extend(compact(&remove, catalog, &mut exp));
                    ActionClause {
                        negated: true,
                        patterns: pats,
                    }
                } else {
                    ActionClause {
                        negated: false,
                        patterns: compact(&keep, catalog, &mut exp),
                    }
                };
                new_statements.push(st2);
            }
            if !changed {
                continue;
            }
            let kind = match (&g.source, g.via_group.is_some()) {
                (GrantSource::Inline { .. }, false) => "inline",
                (GrantSource::Inline { .. }, true) => "group-inline",
                (GrantSource::Managed { .. }, _) => "managed",
            };
            let base = match &g.source {
                GrantSource::Inline { name, .. } => name.clone(),
                GrantSource::Managed { arn } => {
                    format!("{}-least-privilege", arn.rsplit('/').next().unwrap_or(arn))
                }
            };
            if new_statements.is_empty() {
                s.notes.push(format!(
                    "`{}`: every statement is unused: detach or delete it",
                    g.id
                ));
                continue;
            }
            let limit = if kind == "managed" {
                MANAGED_POLICY_LIMIT
            } else if p.kind == PrincipalKind::Role {
                ROLE_INLINE_LIMIT
            } else {
                USER_INLINE_LIMIT
            };
            let docs = split_to_limit(policy, new_statements, limit);
            if docs.len() > 1 {
                s.notes.push(format!(
                    "`{}` is split into {} policies to stay under {limit} characters",
                    g.id,
                    docs.len()
                ));
            }
            for (i, doc) in docs.into_iter().enumerate() {
                if kind == "inline" {
                    inline_total += size(&doc);
                }
                s.suggested_policies.push(SuggestedPolicy {
                    name: if i == 0 {
                        base.clone()
                    } else {
                        format!("{base}-{}", i + 1)
                    },
                    kind,
                    replaces: g.id.clone(),
                    document: doc,
                    holders: hs.iter().map(|h| h.to_string()).collect(),
                });
            }
        }
        let inline_limit = if p.kind == PrincipalKind::Role {
            ROLE_INLINE_LIMIT
        } else {
            USER_INLINE_LIMIT
        };
        if inline_total > inline_limit {
            s.notes.push(format!("the suggested inline policies total {inline_total} characters, over IAM's {inline_limit}: move some into managed policies"));
        }
        out.push(s);
    }
    out
}

fn kept(policy: &str, statement: usize, permission: &str, reason: &str) -> Kept {
    Kept {
        policy: policy.to_string(),
        statement,
        permission: permission.to_string(),
        reason: reason.to_string(),
    }
}

/// The catalog actions a statement's Action/NotAction names.
pub fn granted_set(
    st: &iam_model::policy::Statement,
    exp: &mut Expander<'_>,
    catalog: &Catalog,
) -> ActionSet {
    let mut set = ActionSet::new_empty(catalog);
    for pat in &st.action.patterns {
        set.union_with(&exp.expand(pat).actions);
    }
    if st.action.negated {
        set.complement(catalog)
    } else {
        set
    }
}

/// Action patterns that expand to exactly `set` in the catalog: `svc:*` for a whole service,
/// `svc:Verb*` where every action with that verb is in the set, else the action itself.
pub fn compact(set: &ActionSet, catalog: &Catalog, exp: &mut Expander<'_>) -> Vec<String> {
    let mut by_service: BTreeMap<&str, Vec<ActionId>> = BTreeMap::new();
    for id in set.iter() {
        by_service
            .entry(catalog.action(id).service_prefix())
            .or_default()
            .push(id);
    }
    let mut out = Vec::new();
    for (svc, ids) in by_service {
        let all = catalog.actions_of_service(svc).map_or(0, |r| r.len());
        if ids.len() == all {
            out.push(format!("{svc}:*"));
            continue;
        }
        let mut by_verb: BTreeMap<String, Vec<ActionId>> = BTreeMap::new();
        for id in &ids {
            by_verb
                .entry(verb(catalog.action(*id).name()))
                .or_default()
                .push(*id);
        }
        for (v, vids) in by_verb {
            let pat = format!("{svc}:{v}*");
            let e = exp.expand(&pat);
            let exact = vids.len() > 1
                && e.actions.len() == vids.len()
                && vids.iter().all(|id| e.actions.contains(*id));
            if exact {
                out.push(pat);
            } else {
                out.extend(vids.iter().map(|id| catalog.action(*id).full_name()));
            }
        }
    }
    out
}

/// The leading verb of an action name: `GetObjectAcl` → `Get`.
fn verb(name: &str) -> String {
    let mut v = String::new();
    for (i, c) in name.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            break;
        }
        v.push(c);
    }
    v
}

/// A policy's size as IAM counts it: characters without whitespace.
pub fn size(p: &Policy) -> usize {
    p.to_json().chars().filter(|c| !c.is_whitespace()).count()
}

fn split_to_limit(
    original: &Policy,
    statements: Vec<iam_model::policy::Statement>,
    limit: usize,
) -> Vec<Policy> {
    let make = |sts: Vec<iam_model::policy::Statement>| Policy {
        version: original.version,
        id: original.id.clone(),
        statements: sts,
    };
    let whole = make(statements.clone());
    if size(&whole) <= limit {
        return vec![whole];
    }
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for st in statements {
        cur.push(st);
        if size(&make(cur.clone())) > limit && cur.len() > 1 {
            let last = cur.pop();
            out.push(make(std::mem::take(&mut cur)));
            cur.extend(last);
        }
    }
    if !cur.is_empty() {
        out.push(make(cur));
    }
    out
}

#[cfg(test)]
mod tests;
