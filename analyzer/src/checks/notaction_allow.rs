//! `policy-allows-notaction-or-notresource`: an Allow statement written with `NotAction` or
//! `NotResource`.
//!
//! `"Effect": "Allow", "NotAction": [...]` allows every action but the listed ones — today's
//! and every future one, of every service. `"Effect": "Allow", "NotResource": [...]` allows
//! the actions on every resource but the listed ones, including resources created later.
//! Both are allow-lists written as deny-lists. `NotAction` and `NotResource` with **Deny** are
//! the recommended way to write guard rails ("deny everything except MFA setup without MFA")
//! and are never reported.
//!
//! One finding per policy, one evidence line per statement, with the number of catalog actions
//! a `NotAction` statement allows. High when a `NotAction` statement is present, medium for
//! `NotResource` alone. A `NotAction` statement that leaves every action in is
//! `policy-grants-admin-access`'s too; this check still names the statement, because the fix
//! differs (rewrite as an allow-list).

use iam_model::catalog::{Catalog, Expander};
use iam_model::policy::Effect;

use super::grants::{
    actions_text, emit_at, judged_policies, resources_text, statement_actions, statement_evidence,
    statement_name,
};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "IAM-105",
    name: "policy-allows-notaction-or-notresource",
    title: "Policy allows with NotAction or NotResource",
    severity: Severity::High,
    category: Category::OverlyPermissive,
    service: "iam",
    rationale: "An Allow with NotAction grants every action except the few listed — thousands of actions across every service, including the ones AWS adds later — and an Allow with NotResource grants the actions on every resource except the listed ones, including resources created later. Such statements are near-admin grants that look narrow. Reported high for NotAction, medium for NotResource alone. NotAction and NotResource in Deny statements are guard rails and are not reported.",
    remediation: Remediation {
        console: "Rewrite the statement as an allow-list: `Action` with the services and actions the holders need and `Resource` with their ARNs. To keep a guard rail (\"everything but IAM\"), grant the needed services with Allow and add a separate Deny for the excluded ones.",
        cli: "aws iam create-policy-version --policy-arn ARN --policy-document file://allow-list.json --set-as-default",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let catalog = Catalog::embedded();
    let mut exp = Expander::new(catalog);
    for jp in judged_policies(ctx) {
        let mut evidence = Vec::new();
        let mut not_action = false;
        for (i, st) in jp.policy.statements.iter().enumerate() {
            let not_resource = st.resource.as_ref().is_some_and(|r| r.negated);
            if st.effect != Effect::Allow || !(st.action.negated || not_resource) {
                continue;
            }
            not_action |= st.action.negated;
            let count = if st.action.negated {
                format!(
                    " ({} of {} catalog actions)",
                    statement_actions(st, &mut exp).len(),
                    catalog.action_count()
                )
            } else {
                String::new()
            };
            evidence.push(statement_evidence(
                &jp.id,
                i,
                st,
                "statement",
                format!(
                    "{} allows {}{count} on {}",
                    statement_name(i, st),
                    actions_text(st),
                    resources_text(st)
                ),
            ));
        }
        if evidence.is_empty() {
            continue;
        }
        let (severity, what) = if not_action {
            (Severity::High, "NotAction")
        } else {
            (Severity::Medium, "NotResource")
        };
        emit_at(
            out,
            severity,
            jp.subject.clone(),
            "",
            format!(
                "{} allows with {what}: everything except what it lists",
                jp.label
            ),
            evidence,
        );
    }
}
