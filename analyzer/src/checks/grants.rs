//! What the per-policy and per-principal risk checks share: which policies they judge, how a
//! statement is named in evidence, what "every resource" and "a restricting condition" mean,
//! action sets from the catalog, and emitting at a severity other than the check's default.
//!
//! The per-policy checks judge the policies an account owns and can change: every customer
//! managed policy's **default version** (the one in force; other versions are the
//! version-comparison check's business) and every inline policy of a user, group or role.
//! AWS managed policies are not judged on their own: the account cannot edit them, and their
//! effect is judged on the principals they are attached to. Neither are policies used only as
//! permissions boundaries: a boundary caps what other policies grant and grants nothing itself.
//! A document that does not parse is `invalid-policy-document`'s finding and is skipped here.
//!
//! Every piece of evidence names the grant exactly (policy ARN or `inline:<holder>:<name>`,
//! statement index and Sid), so later stages (risk × use) can attach a verdict to the very
//! statement that grants the risk.

use std::collections::HashSet;

use iam_model::catalog::{AccessLevel, ActionSet, Catalog, Expander};
use iam_model::policy::{Condition, OperatorFamily, Policy, SetQualifier, Statement};
use iam_model::snapshot::RoleDetail;

use super::{Emitter, Subject};
use crate::context::{Context, inline_id};
use crate::report::{Evidence, Severity};

/// A policy document the per-policy checks judge.
pub struct JudgedPolicy<'a> {
    /// The id findings are reported under: the policy ARN, or `inline:<holder>:<name>`.
    pub id: String,
    /// How a message names it: "managed policy `x`", "inline policy `x` of role `y`".
    pub label: String,
    /// The finding's subject.
    pub subject: Subject,
    /// The parsed document.
    pub policy: &'a Policy,
}

/// Every customer managed policy (default version) and inline policy that parses, in snapshot
/// order. Inline policies of service-linked roles are AWS's and are left out, and so are
/// managed policies used only as permissions boundaries (a boundary caps, it grants nothing;
/// `Resource: "*"` is normal there).
pub fn judged_policies<'a>(ctx: &Context<'a>) -> Vec<JudgedPolicy<'a>> {
    let d = &ctx.snapshot.authorization_details;
    let mut out = Vec::new();
    // A policy used only as a permissions boundary grants nothing: it caps.
    let attached: HashSet<&str> = d
        .users
        .iter()
        .map(|u| &u.attached_managed_policies)
        .chain(d.groups.iter().map(|g| &g.attached_managed_policies))
        .chain(d.roles.iter().map(|r| &r.attached_managed_policies))
        .flatten()
        .map(|a| a.policy_arn.as_str())
        .collect();
    let boundaries: HashSet<&str> = d
        .users
        .iter()
        .map(|u| &u.permissions_boundary)
        .chain(d.roles.iter().map(|r| &r.permissions_boundary))
        .flatten()
        .map(|b| b.permissions_boundary_arn.as_str())
        .collect();
    let boundary_only = |arn: &str| boundaries.contains(arn) && !attached.contains(arn);
    for p in d
        .policies
        .iter()
        .filter(|p| !p.is_aws_managed() && !boundary_only(&p.arn))
    {
        let Some(policy) = p.default_version().and_then(|v| v.document.policy().ok()) else {
            continue;
        };
        out.push(JudgedPolicy {
            id: p.arn.clone(),
            label: format!("managed policy `{}`", p.policy_name),
            subject: Subject::new(p.arn.clone(), "iam-policy"),
            policy,
        });
    }
    let mut inline =
        |kind: &str, holder: &str, arn: &str, list: &'a [iam_model::snapshot::InlinePolicy]| {
            for ip in list {
                let Ok(policy) = ip.policy_document.policy() else {
                    continue;
                };
                let id = inline_id(arn, &ip.policy_name);
                out.push(JudgedPolicy {
                    label: format!("inline policy `{}` of {kind} `{holder}`", ip.policy_name),
                    subject: Subject::new(id.clone(), "iam-inline-policy"),
                    id,
                    policy,
                });
            }
        };
    for u in &d.users {
        inline("user", &u.user_name, &u.arn, &u.user_policy_list);
    }
    for g in &d.groups {
        inline("group", &g.group_name, &g.arn, &g.group_policy_list);
    }
    for r in d.roles.iter().filter(|r| !r.is_service_linked()) {
        inline("role", &r.role_name, &r.arn, &r.role_policy_list);
    }
    out
}

/// Every role that is not service-linked, with its trust policy when that parses (a trust
/// policy that does not parse is `invalid-policy-document`'s finding).
pub fn trust_policies<'a>(ctx: &Context<'a>) -> Vec<(&'a RoleDetail, &'a Policy)> {
    ctx.snapshot
        .authorization_details
        .roles
        .iter()
        .filter(|r| !r.is_service_linked())
        .filter_map(|r| {
            let p = r.assume_role_policy_document.as_ref()?.policy().ok()?;
            Some((r, p))
        })
        .collect()
}

/// The subject of a role.
pub fn role_subject(r: &RoleDetail) -> Subject {
    Subject::new(r.arn.clone(), "iam-role")
        .with_tags(r.tags.iter().map(|t| (t.key.as_str(), t.value.as_str())))
}

/// `statement 0 (Sid "FullAccess")`.
pub fn statement_name(index: usize, st: &Statement) -> String {
    match &st.sid {
        Some(sid) if !sid.is_empty() => format!("statement {index} (Sid \"{sid}\")"),
        _ => format!("statement {index}"),
    }
}

/// Evidence that points at one statement of one policy.
pub fn statement_evidence(
    policy: &str,
    index: usize,
    st: &Statement,
    kind: &str,
    text: String,
) -> Evidence {
    Evidence {
        policy: Some(policy.to_string()),
        statement: Some(index),
        sid: st.sid.clone().filter(|s| !s.is_empty()),
        ..Evidence::text(kind, text)
    }
}

/// The statement's actions as written: `` `s3:*`, `iam:PassRole` `` or `every action except
/// `iam:*``.
pub fn actions_text(st: &Statement) -> String {
    let list = quoted(&st.action.patterns);
    if st.action.negated {
        format!("every action except {list}")
    } else {
        list
    }
}

/// The statement's resources as written.
pub fn resources_text(st: &Statement) -> String {
    match &st.resource {
        None => "(no Resource)".to_string(),
        Some(r) if r.negated => format!("every resource except {}", quoted(&r.patterns)),
        Some(r) => quoted(&r.patterns),
    }
}

/// `` `a`, `b` `` (at most `limit` items, then `… (+N more)`).
pub fn quoted_capped(items: &[String], limit: usize) -> String {
    let shown: Vec<String> = items.iter().take(limit).map(|s| format!("`{s}`")).collect();
    let mut text = shown.join(", ");
    if items.len() > limit {
        text.push_str(&format!(", … (+{} more)", items.len() - limit));
    }
    text
}

fn quoted(items: &[String]) -> String {
    quoted_capped(items, usize::MAX)
}

/// The statement's conditions as written, `; `-separated.
pub fn conditions_text(st: &Statement) -> String {
    st.conditions
        .iter()
        .map(condition_text)
        .collect::<Vec<_>>()
        .join("; ")
}

/// One condition as written: `StringEquals aws:PrincipalOrgID ["o-1"]`.
pub fn condition_text(c: &Condition) -> String {
    let values: Vec<String> = c.values.iter().map(|v| v.as_text().into_owned()).collect();
    format!("{} {} {:?}", c.operator, c.key, values)
}

/// Is this a resource pattern that matches every resource (`*`, `**`)?
pub fn is_star(pattern: &str) -> bool {
    !pattern.is_empty() && pattern.bytes().all(|b| b == b'*')
}

/// Does the statement's `Resource` (not `NotResource`) include `*`?
pub fn on_every_resource(st: &Statement) -> bool {
    st.resource
        .as_ref()
        .is_some_and(|r| !r.negated && r.patterns.iter().any(|p| is_star(p)))
}

/// Does a Deny statement apply to every resource (`*`, or an empty `NotResource`)?
fn deny_on_every_resource(st: &Statement) -> bool {
    st.resource.as_ref().is_some_and(|r| {
        (!r.negated && r.patterns.iter().any(|p| is_star(p)))
            || (r.negated && r.patterns.is_empty())
    })
}

/// Is the statement's `Action` a bare `*` (every action)?
pub fn grants_every_action(st: &Statement) -> bool {
    !st.action.negated && st.action.patterns.iter().any(|p| is_star(p))
}

/// The catalog actions a statement's action clause names (the complement for `NotAction`).
pub fn statement_actions(st: &Statement, exp: &mut Expander<'_>) -> ActionSet {
    let catalog = exp.catalog();
    let mut set = ActionSet::new_empty(catalog);
    for p in &st.action.patterns {
        set.union_with(&exp.expand(p).actions);
    }
    if st.action.negated {
        set = set.complement(catalog);
    }
    set
}

/// What a set of policies allows on `*`: the actions of Allow statements on `*` (only
/// unconditional ones unless `with_conditional`), less those of unconditional Deny statements
/// on every resource.
pub fn allowed_on_star(
    policies: &[&Policy],
    with_conditional: bool,
    exp: &mut Expander<'_>,
) -> ActionSet {
    let catalog = exp.catalog();
    let mut allow = ActionSet::new_empty(catalog);
    let mut deny = ActionSet::new_empty(catalog);
    for p in policies {
        for st in &p.statements {
            let unconditional = st.conditions.is_empty();
            match st.effect {
                iam_model::policy::Effect::Allow => {
                    if on_every_resource(st) && (unconditional || with_conditional) {
                        allow.union_with(&statement_actions(st, exp));
                    }
                }
                iam_model::policy::Effect::Deny => {
                    if deny_on_every_resource(st) && unconditional {
                        deny.union_with(&statement_actions(st, exp));
                    }
                }
            }
        }
    }
    allow.difference_with(&deny);
    allow
}

/// The IAM actions of access level Permissions management: whoever holds all of them on `*`
/// can grant itself anything.
pub fn iam_permissions_management(catalog: &Catalog) -> ActionSet {
    let mut set = ActionSet::new_empty(catalog);
    if let Some(iam) = catalog.service("iam") {
        set.extend(
            iam.actions()
                .filter(|a| a.access_level() == AccessLevel::PermissionsManagement)
                .map(|a| a.id()),
        );
    }
    set
}

/// Administrator access, as iamsight defines it: the set is every catalog action, or it holds
/// every IAM Permissions-management action (enough to grant oneself the rest).
pub fn is_admin_set(set: &ActionSet, iam_pm: &ActionSet, catalog: &Catalog) -> bool {
    set.len() == catalog.action_count() || (!iam_pm.is_empty() && iam_pm.is_subset(set))
}

/// Does a condition narrow the request to something definite: a positive operator, not
/// `IfExists` (which holds when the key is absent), not `ForAllValues` (which holds for an
/// empty set), not `Null`, with at least one value and no value that is only wildcards?
pub fn narrows(c: &Condition) -> bool {
    let op = c.operator;
    !op.base.is_negated()
        && !op.if_exists
        && op.qualifier != Some(SetQualifier::ForAllValues)
        && op.base.family() != OperatorFamily::Null
        && !c.values.is_empty()
        && !c.values.iter().any(|v| is_star(&v.as_text()))
}

/// Does the condition key equal `key` (case-insensitive), or, for a `prefix/` key such as
/// `aws:ResourceTag/`, start with it?
pub fn key_is(c: &Condition, key: &str) -> bool {
    if key.ends_with('/') {
        c.key.len() > key.len() && c.key[..key.len()].eq_ignore_ascii_case(key)
    } else {
        c.key.eq_ignore_ascii_case(key)
    }
}

/// Records a finding at a severity other than the check's default (the check's documented
/// severity is the highest it reports, or the usual one; its rationale says when it differs).
pub fn emit_at(
    out: &mut Emitter<'_>,
    severity: Severity,
    subject: Subject,
    detail: &str,
    message: String,
    evidence: Vec<Evidence>,
) {
    out.emit(subject, detail, message, evidence);
    if let Some(f) = out.findings.last_mut() {
        f.severity = severity;
    }
}

/// One step lower, for risks that hold only under conditions the snapshot cannot settle.
pub fn one_lower(s: Severity) -> Severity {
    match s {
        Severity::Critical => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}

/// Catalog action names of a set, sorted, as `service:Action`.
pub fn action_names(set: &ActionSet, catalog: &Catalog) -> Vec<String> {
    set.iter()
        .filter_map(|id| catalog.get_action(id))
        .map(|a| a.full_name())
        .collect()
}

/// Runs one check over its fixture (`fixtures/checks/<name>/resources.json`) with a config,
/// for tests that assert what the registry test does not: severities, messages, config.
#[cfg(test)]
pub fn run_fixture(
    check: &super::Check,
    config: &crate::config::Config,
) -> Vec<crate::report::Finding> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/checks")
        .join(check.name)
        .join("resources.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let snap = iam_model::snapshot::Snapshot::from_json_str(&text).unwrap();
    let ctx = Context::new(&snap, config);
    let mut em = Emitter::new(check);
    (check.run)(&ctx, &mut em);
    em.into_findings()
}

/// The finding on the resource whose ARN ends with `suffix`.
#[cfg(test)]
pub fn finding_on<'f>(
    findings: &'f [crate::report::Finding],
    suffix: &str,
) -> &'f crate::report::Finding {
    findings
        .iter()
        .find(|f| f.resource.ends_with(suffix))
        .unwrap_or_else(|| panic!("no finding on {suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_set_is_the_full_catalog_or_every_iam_permissions_action() {
        let catalog = Catalog::embedded();
        let pm = iam_permissions_management(catalog);
        assert!(!pm.is_empty());
        assert!(is_admin_set(&ActionSet::full(catalog), &pm, catalog));
        assert!(is_admin_set(&catalog.expand("iam:*").actions, &pm, catalog));
        assert!(!is_admin_set(&catalog.expand("s3:*").actions, &pm, catalog));
    }

    #[test]
    fn star_and_narrowing_conditions() {
        assert!(is_star("*") && is_star("**") && !is_star("") && !is_star("arn:*"));
        let p = Policy::parse(
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{
                "StringEquals":{"aws:PrincipalOrgID":"o-1"},
                "StringLikeIfExists":{"aws:PrincipalAccount":"1"},
                "StringNotEquals":{"aws:SourceAccount":"1"},
                "StringLike":{"aws:PrincipalArn":"*"}}}]}"#,
        )
        .unwrap();
        let narrowing: Vec<&str> = p.statements[0]
            .conditions
            .iter()
            .filter(|c| narrows(c))
            .map(|c| c.key.as_str())
            .collect();
        assert_eq!(narrowing, ["aws:PrincipalOrgID"]);
    }
}
