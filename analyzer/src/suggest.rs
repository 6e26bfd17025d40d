//! Least-privilege suggestions: the policies each principal should have instead.
//!
//! For each user and role, every policy it holds is rewritten statement by statement:
//! - what was used in the window is kept, and so is everything that cannot be judged
//!   (untracked actions, grants younger than the window or from a policy version newer than
//!   the grace period, principals without data, actions the catalog does not know);
//! - what is confidently unused (`tracked-unused`, `service-unused`) is dropped;
//! - Deny statements, statements whose Sid starts with `NOREPO`, conditions and resource
//!   scoping are kept as they are, `iam:PassRole` is never dropped, and service-linked roles
//!   and principals younger than the window are left alone;
//! - a statement is edited the way a reviewer edits it: patterns that lose nothing stay as
//!   written, what is left of one that loses something is compacted with wildcards only where
//!   the wildcard expands to exactly kept actions in the catalog (see [`compact`]), and
//!   `Action: "*"` becomes a `NotAction` of what goes;
//! - a rewrite over IAM's size limits is split into several policies (a statement too big on
//!   its own into several statements), and the suggestion says so.
//!
//! A managed or group policy shared by several principals is rewritten only against the union
//! of its holders' use: an action is dropped only when it is unused by every holder. With
//! [`SuggestOptions::split_shared`], each holder of a shared managed policy gets its own copy,
//! judged on its own use alone.
//!
//! Suggestions never widen access: every statement of a suggestion allows a subset of what
//! the original statement allowed (the tests prove it through the evaluation engine, on the
//! demo account and on generated ones). iamsight never applies a change to an account.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

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

/// Which principals to suggest for, and how.
#[derive(Clone, Debug, Default)]
pub struct SuggestOptions {
    /// Only this principal (name or ARN); all when `None`.
    pub principal: Option<String>,
    /// Rewrite a customer or AWS managed policy held by several principals once per holder,
    /// against that holder's use alone (a new policy each), instead of once against the union
    /// of every holder's use.
    pub split_shared: bool,
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
    /// `service:Action`, or `service:*` for everything the statement granted in a service
    /// that was not used at all.
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
    /// What: `service:Action` (several, `, `-joined, with wildcards only where they cover
    /// exactly those), or `statement` for a whole statement.
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
    /// What it keeps, where keeping was a decision (untracked, too new, Deny, NOREPO,
    /// `iam:PassRole`, used by another holder).
    pub kept: Vec<Kept>,
    /// Size-limit splits and other remarks.
    pub notes: Vec<String>,
}

/// The verdicts on one statement's permissions for one principal.
type Verdicts = Vec<(Arc<str>, Confidence)>;

/// What one holder left confidently unused in one statement of one grant. Kept compact (ids
/// and service ranges, not a bitset over the whole catalog): there is one per holder, grant
/// and statement, hundreds of thousands on a large account.
#[derive(Clone, Default)]
struct Unused {
    /// The catalog actions of its `tracked-unused` rows.
    ids: Vec<ActionId>,
    /// The catalog actions of its `service-unused` services.
    ranges: Vec<Range<u32>>,
    /// The `service-unused` services (lower case).
    services: BTreeSet<String>,
}

impl Unused {
    /// Every catalog action it left unused.
    fn actions(&self, catalog: &Catalog) -> ActionSet {
        let mut set = ActionSet::new_empty(catalog);
        for id in &self.ids {
            set.insert(*id);
        }
        for r in &self.ranges {
            set.insert_range(r.clone());
        }
        set
    }
}

/// Per grant and statement: what a holder left confidently unused.
type Removable = HashMap<(String, usize), Unused>;

/// Suggests least-privilege policies.
pub fn suggest(
    snapshot: &Snapshot,
    account: &Account<'_>,
    unused: &UnusedReport,
    config: &Config,
    catalog: &Catalog,
    options: &SuggestOptions,
) -> Vec<Suggestion> {
    let mut exp = Expander::new(catalog);
    // Per principal: (grant, statement) → removable actions and services.
    let mut per_principal: HashMap<&str, Removable> = HashMap::new();
    let mut reasons: HashMap<(&str, String, usize), Verdicts> = HashMap::new();
    for r in &unused.rows {
        let entry = per_principal.entry(&*r.principal_arn).or_default();
        let slot = entry
            .entry((r.policy_arn.to_string(), r.statement))
            .or_default();
        if r.confidence.is_unused() {
            match &r.action {
                Some(a) => {
                    if let Some(id) = r.action_id.or_else(|| catalog.action_id(a)) {
                        slot.ids.push(id);
                    }
                }
                None => {
                    if let Some(range) = catalog.actions_of_service(&r.service) {
                        slot.ranges.push(range);
                    }
                    slot.services.insert(r.service.to_ascii_lowercase());
                }
            }
        }
        reasons
            .entry((&*r.principal_arn, r.policy_arn.to_string(), r.statement))
            .or_default()
            .push((
                r.action
                    .clone()
                    .unwrap_or_else(|| format!("{}:*", r.service).into()),
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
            // A principal's grants are seen together: a repeat is the last holder.
            let hs = holders.entry(g.id.as_str()).or_default();
            if hs.last() != Some(&p.arn) {
                hs.push(p.arn);
            }
        }
    }
    let now = snapshot.collected_at;
    let window = config.thresholds.unused_days;
    let wanted = options.principal.as_deref();
    // What every holder of a grant left unused in one of its statements (when their combined
    // use decides): the same for each of them, so worked out once per (grant, statement).
    let mut combined: HashMap<(&str, usize), (ActionSet, BTreeSet<String>)> = HashMap::new();
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
        if p.kind == PrincipalKind::Role && p.path.starts_with("/aws-service-role/") {
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
            s.skipped = Some(if snapshot.last_accessed.contains_key(p.arn) {
                "no Allow statement to judge".to_string()
            } else {
                "no last-accessed data: nothing can be judged unused".to_string()
            });
            out.push(s);
            continue;
        }
        let mut seen = BTreeSet::new();
        for g in &p.grants {
            if !seen.insert(g.id.as_str()) {
                continue; // the same managed policy attached directly and through a group
            }
            let Some(policy) = g.policy else {
                s.notes.push(format!(
                    "`{}` is not in the snapshot or does not parse: left as it is",
                    g.id
                ));
                continue;
            };
            let hs = holders.get(g.id.as_str()).cloned().unwrap_or_default();
            let managed = matches!(g.source, GrantSource::Managed { .. });
            let split = options.split_shared && managed && hs.len() > 1;
            // Whose use decides: this principal's alone when split, else every holder's.
            let judges: Vec<&str> = if split { vec![p.arn] } else { hs.clone() };
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
                let key = (g.id.clone(), si);
                let unused_of = |h: &str| per_principal.get(h).and_then(|m| m.get(&key));
                let granted = granted_set(st, &mut exp, catalog);
                // What this principal left unused, and what every judge left unused.
                let mut own = granted.clone();
                let mut remove = granted.clone();
                match unused_of(p.arn) {
                    Some(u) => own.intersect_with(&u.actions(catalog)),
                    None => own = ActionSet::new_empty(catalog),
                }
                let judge_all = |remove: &mut ActionSet| {
                    let mut services = unused_of(p.arn)
                        .map(|u| u.services.clone())
                        .unwrap_or_default();
                    for h in &judges {
                        match unused_of(h) {
                            Some(u) => {
                                remove.intersect_with(&u.actions(catalog));
                                services.retain(|svc| u.services.contains(svc));
                            }
                            None => {
                                *remove = ActionSet::new_empty(catalog);
                                services.clear();
                            }
                        }
                    }
                    if judges.is_empty() {
                        *remove = ActionSet::new_empty(catalog);
                    }
                    services
                };
                let services = if split {
                    judge_all(&mut remove)
                } else {
                    // Every holder judges, this principal among them: its own services
                    // narrowed by everyone's are everyone's.
                    let (r, svcs) = combined.entry((g.id.as_str(), si)).or_insert_with(|| {
                        let mut r = remove.clone();
                        let svcs = judge_all(&mut r);
                        (r, svcs)
                    });
                    remove = r.clone();
                    svcs.clone()
                };
                if let Some(pass_role) = catalog.action_id("iam:PassRole")
                    && remove.remove(pass_role)
                {
                    s.kept.push(kept(
                        &g.id,
                        si,
                        "iam:PassRole",
                        "iam:PassRole is never dropped",
                    ));
                }
                for (perm, conf) in reasons
                    .get(&(p.arn, key.0.clone(), si))
                    .into_iter()
                    .flatten()
                {
                    if !conf.is_unused() {
                        s.kept.push(kept(&g.id, si, perm, conf.recommendation()));
                    }
                }
                let mut by_others = own.clone();
                by_others.difference_with(&remove);
                if let Some(pass_role) = catalog.action_id("iam:PassRole") {
                    by_others.remove(pass_role);
                }
                // One entry for all of them (wildcards only where exact): a policy shared by
                // hundreds of principals would otherwise list each action for each holder.
                if !by_others.is_empty() {
                    s.kept.push(kept(
                        &g.id,
                        si,
                        &compact(&by_others, catalog, &mut exp).join(", "),
                        "used by another holder of this shared policy",
                    ));
                }
                if remove.is_empty() {
                    new_statements.push(st.clone());
                    continue;
                }
                changed = true;
                if !st.action.negated {
                    for pat in &st.action.patterns {
                        let e = exp.expand(pat);
                        if e.actions.is_empty() {
                            s.kept.push(kept(
                                &g.id,
                                si,
                                pat,
                                "not in the IAM action catalog: cannot be judged",
                            ));
                        }
                    }
                }
                s.removed.extend(removed_rows(
                    &g.id, si, &granted, &remove, &services, catalog,
                ));
                if let Some(st2) = rewrite(st, &remove, catalog, &mut exp) {
                    new_statements.push(st2);
                }
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
                    let name = arn.rsplit('/').next().unwrap_or(arn);
                    if split {
                        format!("{name}-{}-least-privilege", p.name)
                    } else {
                        format!("{name}-least-privilege")
                    }
                }
            };
            if new_statements.is_empty() {
                let what = match (&g.source, &g.via_group) {
                    (GrantSource::Inline { .. }, _) => "delete it".to_string(),
                    (GrantSource::Managed { .. }, Some(group)) if split => format!(
                        "it comes through group `{}`, which other holders share: drop it for \
                         this principal only",
                        last_segment(group)
                    ),
                    (GrantSource::Managed { .. }, Some(group)) => {
                        format!("detach it from group `{}`", last_segment(group))
                    }
                    (GrantSource::Managed { .. }, None) => {
                        format!("detach it from {} `{}`", p.kind.as_str(), p.name)
                    }
                };
                let by = if judges.len() > 1 {
                    " by every holder"
                } else if split {
                    " by this principal"
                } else {
                    ""
                };
                s.notes
                    .push(format!("`{}`: every statement is unused{by}: {what}", g.id));
                continue;
            }
            if split {
                s.notes.push(format!(
                    "`{}` is shared by {} principals: `{base}` is this principal's own copy, \
                     judged against its use alone (--split-shared)",
                    g.id,
                    hs.len()
                ));
            }
            let holders: Vec<String> = if split {
                vec![p.arn.to_string()]
            } else {
                hs.iter().map(|h| h.to_string()).collect()
            };
            let document = Policy {
                version: policy.version,
                id: policy.id.clone(),
                statements: new_statements,
            };
            if kind == "managed" {
                push_managed(&mut s, &g.id, &base, document, holders);
            } else {
                // Inline limits are per principal (all its inline policies together), so
                // cutting one inline policy in several would not help: see below.
                s.suggested_policies.push(SuggestedPolicy {
                    name: base,
                    kind,
                    replaces: g.id.clone(),
                    document,
                    holders,
                });
            }
        }
        fit_inline_limit(&mut s, p);
        out.push(s);
    }
    out
}

/// Adds a suggested managed policy, split in several under IAM's managed policy size limit
/// when it does not fit one, with a note.
fn push_managed(
    s: &mut Suggestion,
    replaces: &str,
    base: &str,
    document: Policy,
    holders: Vec<String>,
) {
    let limit = MANAGED_POLICY_LIMIT;
    let statements = document.statements.clone();
    let docs = split_to_limit(&document, statements, limit);
    if docs.len() > 1 {
        s.notes.push(format!(
            "`{replaces}` is split into {} policies to stay under IAM's {limit} characters",
            docs.len()
        ));
    }
    if docs.iter().any(|d| size(d) > limit) {
        s.notes.push(format!(
            "a statement of `{replaces}` alone is over IAM's {limit} characters: shorten it by hand"
        ));
    }
    for (i, doc) in docs.into_iter().enumerate() {
        s.suggested_policies.push(SuggestedPolicy {
            name: if i == 0 {
                base.to_string()
            } else {
                format!("{base}-{}", i + 1)
            },
            kind: "managed",
            replaces: replaces.to_string(),
            document: doc,
            holders: holders.clone(),
        });
    }
}

/// IAM limits all inline policies of one role to 10,240 characters together (2,048 for a
/// user). When the suggested and the unchanged inline policies together are over, the largest
/// suggested ones become managed policies (split under the managed limit when needed) until
/// they fit, and the suggestion says so.
fn fit_inline_limit(s: &mut Suggestion, p: &crate::account::Principal<'_>) {
    let limit = if p.kind == PrincipalKind::Role {
        ROLE_INLINE_LIMIT
    } else {
        USER_INLINE_LIMIT
    };
    let replaced: BTreeSet<&str> = s
        .suggested_policies
        .iter()
        .map(|sp| sp.replaces.as_str())
        .collect();
    let unchanged: usize = p
        .grants
        .iter()
        .filter(|g| g.via_group.is_none() && !replaced.contains(g.id.as_str()))
        .filter(|g| matches!(g.source, GrantSource::Inline { .. }))
        .filter_map(|g| g.policy)
        .map(size)
        .sum();
    let inline_size = |s: &Suggestion| -> usize {
        s.suggested_policies
            .iter()
            .filter(|sp| sp.kind == "inline")
            .map(|sp| size(&sp.document))
            .sum()
    };
    let mut total = unchanged + inline_size(s);
    if inline_size(s) == 0 || total <= limit {
        return;
    }
    let kind = p.kind.as_str();
    while total > limit {
        let Some((i, _)) = s
            .suggested_policies
            .iter()
            .enumerate()
            .filter(|(_, sp)| sp.kind == "inline")
            .max_by_key(|(_, sp)| size(&sp.document))
        else {
            break;
        };
        let sp = s.suggested_policies.remove(i);
        total -= size(&sp.document);
        s.notes.push(format!(
            "the inline policies of this {kind} would total more than IAM's {limit} characters: \
             `{}` is suggested as a managed policy instead",
            sp.replaces
        ));
        push_managed(s, &sp.replaces, &sp.name, sp.document, sp.holders);
    }
    if total > limit {
        s.notes.push(format!(
            "the unchanged inline policies of this {kind} alone total {total} characters, over \
             IAM's {limit}: make some of them managed policies"
        ));
    }
}

/// `acme-ops` of `arn:aws:iam::111122223333:group/teams/acme-ops`.
fn last_segment(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// One row per removed action; one `service:*` row for a service the statement loses whole
/// because the service was not used at all.
fn removed_rows(
    policy: &str,
    statement: usize,
    granted: &ActionSet,
    remove: &ActionSet,
    unused_services: &BTreeSet<String>,
    catalog: &Catalog,
) -> Vec<Removed> {
    // Per unused service: (every granted action removed, how many were granted).
    let mut whole: BTreeMap<&str, (bool, usize)> = BTreeMap::new();
    for id in granted.iter() {
        let svc = catalog.action(id).service_prefix();
        if unused_services.contains(svc) {
            let (all, n) = whole.entry(svc).or_insert((true, 0));
            *all &= remove.contains(id);
            *n += 1;
        }
    }
    whole.retain(|_, (all, n)| *all && *n > 1);
    let mut out = Vec::new();
    for svc in whole.keys() {
        out.push(Removed {
            policy: policy.to_string(),
            statement,
            permission: format!("{svc}:*"),
            confidence: Confidence::ServiceUnused,
        });
    }
    for id in remove.iter() {
        let a = catalog.action(id);
        let svc = a.service_prefix();
        if whole.contains_key(svc) {
            continue;
        }
        out.push(Removed {
            policy: policy.to_string(),
            statement,
            permission: a.full_name(),
            confidence: if unused_services.contains(svc) {
                Confidence::ServiceUnused
            } else {
                Confidence::TrackedUnused
            },
        });
    }
    out
}

/// The statement without the actions in `remove` (a non-empty subset of what it grants), or
/// `None` when nothing is left. Resources, conditions, Sid and effect stay as they are.
///
/// Written the way a reviewer edits by hand: patterns that lose nothing stay as written and
/// where they were; what is left of a pattern that loses something is compacted (see
/// [`compact`]) in its place; patterns the catalog does not know stay (they cannot be
/// judged). `Action: "*"` becomes `NotAction` of what is removed, and a `NotAction` statement
/// excludes the removed actions too.
fn rewrite(
    st: &iam_model::policy::Statement,
    remove: &ActionSet,
    catalog: &Catalog,
    exp: &mut Expander<'_>,
) -> Option<iam_model::policy::Statement> {
    let mut st2 = st.clone();
    if st.action.negated || st.action.patterns.iter().any(|p| p == "*") {
        let mut patterns = if st.action.negated {
            st.action.patterns.clone()
        } else {
            Vec::new()
        };
        let mut excluded = ActionSet::new_empty(catalog);
        for p in &patterns {
            excluded.union_with(&exp.expand(p).actions);
        }
        let mut extra = remove.clone();
        extra.difference_with(&excluded);
        patterns.extend(compact(&extra, catalog, exp));
        st2.action = ActionClause {
            negated: true,
            patterns,
        };
        return Some(st2);
    }
    let mut patterns: Vec<String> = Vec::new();
    let mut covered = ActionSet::new_empty(catalog);
    let mut partial = ActionSet::new_empty(catalog);
    let mut insert_at = None;
    for pat in &st.action.patterns {
        let e = exp.expand(pat);
        if e.actions.is_empty() || e.actions.is_disjoint(remove) {
            covered.union_with(&e.actions);
            patterns.push(pat.clone());
        } else {
            insert_at.get_or_insert(patterns.len());
            let mut left = e.actions.clone();
            left.difference_with(remove);
            partial.union_with(&left);
        }
    }
    partial.difference_with(&covered);
    let at = insert_at.unwrap_or(patterns.len());
    let compacted = compact(&partial, catalog, exp);
    patterns.splice(at..at, compacted);
    if patterns.is_empty() {
        return None;
    }
    st2.action = ActionClause {
        negated: false,
        patterns,
    };
    Some(st2)
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

/// Action patterns that expand to exactly `set` in the catalog: `svc:*` for a whole service;
/// else, for each action, the shortest prefix of whole words (`s3:Get*`, `s3:GetBucket*`)
/// whose wildcard matches only actions of the set, and at least two of them; else the action
/// itself. Services and patterns come out sorted.
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
        let mut names: Vec<&str> = ids.iter().map(|id| catalog.action(*id).name()).collect();
        names.sort_unstable();
        let mut covered = ActionSet::new_empty(catalog);
        let mut wildcards = ActionSet::new_empty(catalog);
        // (pattern, the action when it is a literal)
        let mut patterns: Vec<(String, Option<ActionId>)> = Vec::new();
        for name in &names {
            let Some(this) = catalog.action_id(&format!("{svc}:{name}")) else {
                continue;
            };
            if covered.contains(this) {
                continue;
            }
            let mut chosen = None;
            for prefix in word_prefixes(name) {
                let e = exp.expand(&format!("{svc}:{prefix}*"));
                if e.actions.len() > 1 && e.actions.is_subset(set) {
                    chosen = Some((format!("{svc}:{prefix}*"), e));
                    break;
                }
            }
            match chosen {
                Some((pattern, e)) => {
                    covered.union_with(&e.actions);
                    wildcards.union_with(&e.actions);
                    patterns.push((pattern, None));
                }
                None => {
                    covered.insert(this);
                    patterns.push((format!("{svc}:{name}"), Some(this)));
                }
            }
        }
        // `GetObject` comes before `GetObjectAcl`, whose `GetObject*` then covers it too.
        let mut patterns: Vec<String> = patterns
            .into_iter()
            .filter(|(_, literal)| literal.is_none_or(|id| !wildcards.contains(id)))
            .map(|(p, _)| p)
            .collect();
        patterns.sort_by_key(|p| p.to_ascii_lowercase());
        patterns.dedup();
        out.extend(patterns);
    }
    out
}

/// The proper prefixes of an action name that end at a word boundary, shortest first:
/// `GetBucketPolicy` → `Get`, `GetBucket`; `GetBucketCORS` → `Get`, `GetBucket`.
fn word_prefixes(name: &str) -> impl Iterator<Item = &str> {
    let bytes = name.as_bytes();
    (1..bytes.len())
        .filter(move |&i| {
            bytes[i].is_ascii_uppercase()
                && (bytes[i - 1].is_ascii_lowercase() || bytes[i - 1].is_ascii_digit())
        })
        .map(move |i| &name[..i])
}

/// A policy's size as IAM counts it: characters without whitespace.
pub fn size(p: &Policy) -> usize {
    p.to_json().chars().filter(|c| !c.is_whitespace()).count()
}

/// The statements as one policy, or as several that each stay under `limit` when one would
/// not. A statement too big on its own is cut into statements over parts of its `Action`
/// list (same effect, resources and conditions: together they allow exactly what it did);
/// a `NotAction` statement cannot be cut and stays over the limit.
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
    let mut pieces = Vec::new();
    for st in statements {
        if st.action.negated || size(&make(vec![st.clone()])) <= limit {
            pieces.push(st);
            continue;
        }
        let mut part = st.clone();
        part.action.patterns.clear();
        let mut n = 0;
        for pat in &st.action.patterns {
            part.action.patterns.push(pat.clone());
            if part.action.patterns.len() > 1 && size(&make(vec![part.clone()])) > limit {
                let last = part.action.patterns.pop();
                n += 1;
                pieces.push(numbered(&part, n));
                part.action.patterns = last.into_iter().collect();
            }
        }
        n += 1;
        pieces.push(if n == 1 { part } else { numbered(&part, n) });
    }
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for st in pieces {
        cur.push(st);
        if cur.len() > 1 && size(&make(cur.clone())) > limit {
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

/// Part `n` of a statement cut in parts: Sids stay unique (`Read` → `Read`, `Read2`, ...).
fn numbered(st: &iam_model::policy::Statement, n: usize) -> iam_model::policy::Statement {
    let mut st = st.clone();
    if n > 1 {
        st.sid = st.sid.map(|sid| format!("{sid}{n}"));
    }
    st
}

#[cfg(test)]
mod tests;
