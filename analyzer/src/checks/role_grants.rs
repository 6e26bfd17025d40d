//! Grants on every role: `policy-allows-passrole-to-any-role` and
//! `policy-allows-assume-any-role`.
//!
//! A statement is reported when it is an Allow whose actions include `iam:PassRole` (resp.
//! `sts:AssumeRole`) and whose resources cover every role of the account — `*`,
//! `arn:aws:iam::*:role/*`, `arn:aws:iam::<account>:role/*`, or a `NotResource` that does not
//! exclude them all — and no condition narrows which roles:
//!
//! - for `iam:PassRole`: `iam:PassedToService` (which services may receive the role),
//!   `iam:AssociatedResourceArn`, or a tag of the role (`aws:ResourceTag/…`,
//!   `iam:ResourceTag/…`);
//! - for `sts:AssumeRole`: a tag of the role.
//!
//! A condition narrows only with a positive operator, without `IfExists` or `ForAllValues`,
//! and without a value that is only wildcards. Other conditions (MFA, source IP) are named in
//! the evidence but do not narrow the roles.
//!
//! Statements that allow `*` are `policy-grants-admin-access`'s and `NotAction` statements are
//! `policy-allows-notaction-or-notresource`'s; both are left out here. One finding per policy,
//! one evidence line per statement.

use iam_model::policy::{Condition, Effect, Statement};
use iam_model::wildcard::{Pattern, wildcard_match};

use super::grants::{
    conditions_text, grants_every_action, judged_policies, key_is, narrows, statement_evidence,
    statement_name,
};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Severity};

/// `iam:PassRole` on every role.
pub static PASS_ROLE: Check = Check {
    id: "IAM-106",
    name: "policy-allows-passrole-to-any-role",
    title: "Policy allows iam:PassRole on every role",
    severity: Severity::High,
    category: Category::OverlyPermissive,
    service: "iam",
    rationale: "iam:PassRole lets the holder hand a role to a service (a Lambda function, an EC2 instance, a CloudFormation stack) that then acts with the role's permissions. On `*`, without an `iam:PassedToService` condition, the holder can give any role — including administrator roles — to any compute it can create, and run code as that role: it is one half of most privilege-escalation paths.",
    remediation: Remediation {
        console: "Scope the statement's Resource to the roles the holder must pass (`arn:aws:iam::ACCOUNT:role/app-*`) and add `\"Condition\": {\"StringEquals\": {\"iam:PassedToService\": \"lambda.amazonaws.com\"}}` for the service that receives them.",
        cli: "aws iam put-user-policy / put-role-policy / create-policy-version with the scoped document",
        terraform: "data \"aws_iam_policy_document\" \"pass\" {\n  statement {\n    actions   = [\"iam:PassRole\"]\n    resources = [aws_iam_role.app.arn]\n    condition {\n      test     = \"StringEquals\"\n      variable = \"iam:PassedToService\"\n      values   = [\"lambda.amazonaws.com\"]\n    }\n  }\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService",
    ],
    run: run_pass_role,
};

/// `sts:AssumeRole` on every role.
pub static ASSUME_ROLE: Check = Check {
    id: "IAM-107",
    name: "policy-allows-assume-any-role",
    title: "Policy allows sts:AssumeRole on every role",
    severity: Severity::Medium,
    category: Category::OverlyPermissive,
    service: "iam",
    rationale: "sts:AssumeRole on `*` lets the holder become any role whose trust policy admits it — every role in this account that trusts the account root (the usual \"delegate to IAM\" trust), and roles in other accounts that trust this one. What the holder can do is then the union of all those roles, which nobody reviews in one place. Name the roles it needs instead.",
    remediation: Remediation {
        console: "Replace `\"Resource\": \"*\"` with the ARNs of the roles the holder must assume, or add a tag condition (`aws:ResourceTag/assumable-by`) that the intended roles carry.",
        cli: "aws iam put-user-policy / put-role-policy / create-policy-version with the scoped document",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_compare-resource-policies.html",
    ],
    run: run_assume_role,
};

/// Condition keys that narrow which roles `iam:PassRole` applies to.
const PASS_ROLE_KEYS: &[&str] = &[
    "iam:PassedToService",
    "iam:AssociatedResourceArn",
    "aws:ResourceTag/",
    "iam:ResourceTag/",
];

/// Condition keys that narrow which roles `sts:AssumeRole` applies to.
const ASSUME_ROLE_KEYS: &[&str] = &["aws:ResourceTag/", "iam:ResourceTag/"];

fn run_pass_role(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    run_action(ctx, out, "iam:PassRole", PASS_ROLE_KEYS, "pass any role");
}

fn run_assume_role(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    run_action(
        ctx,
        out,
        "sts:AssumeRole",
        ASSUME_ROLE_KEYS,
        "assume any role",
    );
}

/// How a statement's resources cover the account's roles: `None` when they do not.
fn covers_roles(st: &Statement, roles: &Pattern) -> Option<String> {
    let r = st.resource.as_ref()?;
    let covered_by = |p: &String| roles.is_covered_by(&Pattern::new(p), false);
    if r.negated {
        (!r.patterns.iter().any(covered_by)).then(|| {
            format!(
                "every resource except {}",
                r.patterns
                    .iter()
                    .map(|p| format!("`{p}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    } else {
        r.patterns
            .iter()
            .find(|p| covered_by(p))
            .map(|p| format!("`{p}`"))
    }
}

fn run_action(
    ctx: &Context<'_>,
    out: &mut Emitter<'_>,
    action: &str,
    narrowing_keys: &[&str],
    what: &str,
) {
    let roles = Pattern::new(&format!(
        "arn:{}:iam::{}:role/*",
        ctx.snapshot.partition, ctx.snapshot.account_id
    ));
    let narrows_roles = |c: &Condition| narrows(c) && narrowing_keys.iter().any(|k| key_is(c, k));
    for jp in judged_policies(ctx) {
        let mut evidence = Vec::new();
        for (i, st) in jp.policy.statements.iter().enumerate() {
            if st.effect != Effect::Allow
                || st.action.negated
                || grants_every_action(st)
                || !st
                    .action
                    .patterns
                    .iter()
                    .any(|p| wildcard_match(p, action, true))
                || st.conditions.iter().any(narrows_roles)
            {
                continue;
            }
            let Some(on) = covers_roles(st, &roles) else {
                continue;
            };
            let cond = if st.conditions.is_empty() {
                " with no condition".to_string()
            } else {
                format!(
                    " with conditions that do not narrow the roles ({})",
                    conditions_text(st)
                )
            };
            evidence.push(
                statement_evidence(
                    &jp.id,
                    i,
                    st,
                    "statement",
                    format!("{} allows `{action}` on {on}{cond}", statement_name(i, st)),
                )
                .about([action]),
            );
        }
        if evidence.is_empty() {
            continue;
        }
        out.emit(
            jp.subject.clone(),
            "",
            format!(
                "{} lets its holders {what} (`{action}` on every role)",
                jp.label
            ),
            evidence,
        );
    }
}
