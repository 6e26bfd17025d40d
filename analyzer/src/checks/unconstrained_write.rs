//! `policy-allows-write-without-resource-constraint`: a policy allows Write,
//! Permissions-management or Tagging actions on `*` although the actions can be scoped to
//! resources.
//!
//! For every Allow statement whose `Resource` is `*`, each action pattern is expanded with the
//! catalog; an action is reported when its access level is Write, Permissions management or
//! Tagging and the catalog lists resource types for it (so `Resource` could name ARNs).
//! Wildcard-only actions (`ec2:CreateKeyPair`... with no resource type) cannot be scoped and
//! are not reported.
//!
//! Left to other checks, so that a statement gets the one finding that describes it best:
//! `*` (admin), `svc:*` (service wildcard), `NotAction` statements, and `iam:PassRole` and
//! `sts:AssumeRole`, which have checks of their own. A condition on a resource attribute
//! (`aws:ResourceTag/…`, `aws:ResourceAccount`, `aws:ResourceOrgID`, `aws:ResourceOrgPaths`)
//! or any service-specific key (`ec2:Subnet`, `s3:prefix`, ...) is taken as a resource
//! constraint, and the statement is not reported; a condition on the caller (MFA, source IP)
//! is not.
//!
//! One finding per policy; the evidence lists the actions of each statement, at most
//! [`EVIDENCE_ACTIONS`] of them, with the count.

use iam_model::catalog::{AccessLevel, ActionSet, Catalog, Expander};
use iam_model::policy::{Condition, Effect, Statement};

use super::grants::{
    action_names, grants_every_action, is_star, judged_policies, key_is, narrows,
    on_every_resource, quoted_capped, statement_evidence, statement_name,
};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Severity};

/// At most this many actions are named per statement in the evidence (the count is always
/// given): a `s3:Put*` statement alone is fifty actions.
const EVIDENCE_ACTIONS: usize = 12;

/// Actions reported by checks of their own.
const OWN_CHECKS: &[&str] = &["iam:PassRole", "sts:AssumeRole"];

/// Access levels that change things.
const WRITE_LEVELS: &[AccessLevel] = &[
    AccessLevel::Write,
    AccessLevel::PermissionsManagement,
    AccessLevel::Tagging,
];

/// Condition keys about the resource acted on (besides service-specific keys).
const RESOURCE_KEYS: &[&str] = &[
    "aws:ResourceTag/",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
];

/// The check.
pub static CHECK: Check = Check {
    id: "IAM-104",
    name: "policy-allows-write-without-resource-constraint",
    title: "Policy allows write actions on every resource although they can be scoped",
    severity: Severity::Medium,
    category: Category::OverlyPermissive,
    service: "iam",
    rationale: "Write, permissions-management and tagging actions change or delete things. When the action supports resource-level permissions, `\"Resource\": \"*\"` lets the holder change every resource of that type in the account — every function's code, every instance, every distribution — instead of the few it manages. Naming the ARNs (or a prefix) limits the damage of a mistake or a stolen credential to those resources.",
    remediation: Remediation {
        console: "Edit the statement listed in the evidence: replace `\"Resource\": \"*\"` with the ARNs (or ARN prefixes such as `arn:aws:lambda:us-east-1:111122223333:function:team-*`) the holder manages, or add a resource condition (`aws:ResourceTag/team`). `iamsight catalog ACTION` shows each action's resource types.",
        cli: "aws iam put-user-policy / put-role-policy / create-policy-version with the scoped document",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
    ],
    run,
};

/// Does the condition constrain which resources the statement applies to?
fn constrains_resource(c: &Condition) -> bool {
    let service_key = !c
        .key
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("aws:"));
    narrows(c) && (service_key || RESOURCE_KEYS.iter().any(|k| key_is(c, k)))
}

/// The scopable write actions a statement allows on `*`, if it is one this check judges.
fn unconstrained(st: &Statement, exp: &mut Expander<'_>, catalog: &Catalog) -> ActionSet {
    let mut set = ActionSet::new_empty(catalog);
    if st.effect != Effect::Allow
        || st.action.negated
        || grants_every_action(st)
        || !on_every_resource(st)
        || st.conditions.iter().any(constrains_resource)
    {
        return set;
    }
    for p in &st.action.patterns {
        let whole_service = p.split_once(':').is_some_and(|(_, a)| is_star(a));
        if !whole_service {
            set.union_with(&exp.expand(p).actions);
        }
    }
    set.iter()
        .filter_map(|id| catalog.get_action(id))
        .filter(|a| {
            WRITE_LEVELS.contains(&a.access_level())
                && !a.is_wildcard_only()
                && !OWN_CHECKS
                    .iter()
                    .any(|o| o.eq_ignore_ascii_case(&a.full_name()))
        })
        .map(|a| a.id())
        .collect()
}

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let catalog = Catalog::embedded();
    let mut exp = Expander::new(catalog);
    for jp in judged_policies(ctx) {
        let mut total = 0;
        let mut evidence = Vec::new();
        for (i, st) in jp.policy.statements.iter().enumerate() {
            let set = unconstrained(st, &mut exp, catalog);
            if set.is_empty() {
                continue;
            }
            let names = action_names(&set, catalog);
            total += names.len();
            evidence.push(
                statement_evidence(
                    &jp.id,
                    i,
                    st,
                    "statement",
                    format!(
                        "{} allows {} scopable write action(s) on `*`: {}",
                        statement_name(i, st),
                        names.len(),
                        quoted_capped(&names, EVIDENCE_ACTIONS)
                    ),
                )
                .about(names.iter().cloned()),
            );
        }
        if total == 0 {
            continue;
        }
        out.emit(
            jp.subject.clone(),
            "",
            format!(
                "{} allows {total} write action(s) on every resource that could be scoped to resources",
                jp.label
            ),
            evidence,
        );
    }
}
