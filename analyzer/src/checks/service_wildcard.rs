//! `policy-grants-service-wildcard`: a policy allows every action of a service (`s3:*`) on
//! every resource (`*`).
//!
//! One finding per policy, naming the services, with one evidence line per statement.
//! Statements that allow `*` (every action) are `policy-grants-admin-access`'s, and
//! `NotAction` statements are `policy-allows-notaction-or-notresource`'s; patterns whose
//! service the catalog does not know are `policy-names-unknown-action`'s. A statement with
//! conditions is still reported (the evidence names them): a condition on the caller does not
//! make `svc:*` any narrower.

use std::collections::BTreeSet;

use iam_model::catalog::Catalog;
use iam_model::policy::Effect;

use super::grants::{
    conditions_text, grants_every_action, is_star, judged_policies, on_every_resource,
    statement_evidence, statement_name,
};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "IAM-103",
    name: "policy-grants-service-wildcard",
    title: "Policy allows every action of a service on every resource",
    severity: Severity::Medium,
    category: Category::OverlyPermissive,
    service: "iam",
    rationale: "`\"Action\": \"s3:*\", \"Resource\": \"*\"` grants every present and future action of the service on every resource of the account: reading and deleting all data, changing every resource policy, turning off encryption and logging. Services add actions every month, so the grant keeps growing without anyone changing the policy. It is rarely what the holder needs.",
    remediation: Remediation {
        console: "Replace `svc:*` with the actions the holders use (the `unused` report lists them; `iamsight catalog 'svc:*'` shows what the wildcard means today), and replace `*` in Resource with the ARNs they work on.",
        cli: "aws iam create-policy-version --policy-arn ARN --policy-document file://scoped.json --set-as-default",
        terraform: "",
    },
    compliance: &["AWS Security Hub: IAM.21"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-21",
    ],
    run,
};

/// The service of a `svc:*` pattern, when the catalog knows the service.
fn service_wildcard<'c>(pattern: &str, catalog: &'c Catalog) -> Option<&'c str> {
    let (service, action) = pattern.split_once(':')?;
    if !is_star(action) || service.contains(['*', '?']) {
        return None;
    }
    catalog.service(service).map(|s| s.prefix())
}

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let catalog = Catalog::embedded();
    for jp in judged_policies(ctx) {
        let mut services = BTreeSet::new();
        let mut evidence = Vec::new();
        for (i, st) in jp.policy.statements.iter().enumerate() {
            if st.effect != Effect::Allow
                || st.action.negated
                || grants_every_action(st)
                || !on_every_resource(st)
            {
                continue;
            }
            let found: Vec<&str> = st
                .action
                .patterns
                .iter()
                .filter_map(|p| service_wildcard(p, catalog))
                .collect();
            if found.is_empty() {
                continue;
            }
            services.extend(found.iter().copied());
            let cond = if st.conditions.is_empty() {
                String::new()
            } else {
                format!(" (when {})", conditions_text(st))
            };
            evidence.push(
                statement_evidence(
                    &jp.id,
                    i,
                    st,
                    "statement",
                    format!(
                        "{} allows {} on `*`{cond}",
                        statement_name(i, st),
                        found
                            .iter()
                            .map(|s| format!("`{s}:*`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .about(found.iter().map(|s| format!("{s}:*"))),
            );
        }
        if services.is_empty() {
            continue;
        }
        let list: Vec<&str> = services.into_iter().collect();
        out.emit(
            jp.subject.clone(),
            "",
            format!(
                "{} allows every action of {} on every resource",
                jp.label,
                list.join(", ")
            ),
            evidence,
        );
    }
}
