//! Administrator access: `policy-grants-admin-access` (one policy) and
//! `principal-has-admin-access` (a user or role, across all its policies).
//!
//! **What "admin" means.** A set of policies grants administrator access when the actions it
//! allows on `*` (computed over the catalog's action bitsets: Allow statements whose `Resource`
//! is `*`, `NotAction` taken as the complement, less the actions of unconditional Deny
//! statements on every resource) are *every* catalog action, or include *every*
//! Permissions-management action of IAM — a principal that can write any IAM policy can
//! grant itself the rest. So `Action "*"`, `NotAction` lists that leave IAM in, and `iam:*`
//! are admin; `NotAction ["iam:*", ...]` is not (it is `policy-allows-notaction-or-notresource`'s).
//!
//! **Per policy.** Each judged policy (customer managed default versions, inline policies) is
//! admin on its own when its unconditional statements are; when only statements with
//! conditions make it admin, it is still reported, one severity lower, with the conditions.
//!
//! **Per principal.** A user or role is admin when the permission graph says so (every
//! policy it has, its groups', less Deny statements, within its boundary and the
//! organisation's SCPs). Under SCPs, admin means holding everything the SCPs leave the
//! account, as long as they leave every IAM permissions-management action: guard rails such as
//! "never leave the organisation" keep an `AdministratorAccess` holder admin; an SCP that
//! takes IAM permissions management away leaves no admin, and what a former admin can still
//! do is reported by the risk-category checks. Every admin
//! principal gets this one finding (the category checks — exfiltration, exposure, ... — skip
//! admins). The evidence names the statements that make it admin; when no single policy is
//! admin on its own and only their union is, the message says so: that is the split a
//! per-policy review misses. Groups are not reported (their members are), nor service-linked
//! roles (AWS owns them).

use iam_model::catalog::{Catalog, Expander};
use iam_model::policy::{Effect, Policy};

use super::grants::{
    actions_text, allowed_on_star, conditions_text, emit_at, iam_permissions_management,
    is_admin_set, judged_policies, on_every_resource, one_lower, statement_evidence,
    statement_name,
};
use super::{Check, Emitter, Remediation, Subject};
use crate::account::PrincipalKind;
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// A policy that grants administrator access.
pub static POLICY: Check = Check {
    id: "IAM-101",
    name: "policy-grants-admin-access",
    title: "Policy grants administrator access",
    severity: Severity::Critical,
    category: Category::OverlyPermissive,
    service: "iam",
    rationale: "A policy that allows every action on every resource (`\"Action\": \"*\"`, a NotAction list that leaves IAM in, or every IAM permissions-management action, which lets the holder grant itself the rest) makes whoever it is attached to an administrator, now and whenever someone attaches it later. Admin access should be a deliberate, small set of roles behind MFA, not a policy that spreads. Reported high instead of critical when only statements with conditions make the policy admin.",
    remediation: Remediation {
        console: "IAM console → Policies → the policy → Permissions → Edit: replace the `*` statement with the services and actions the holders need (the `unused` report lists what they use), scoped to their resources. Keep administrator access to a few break-glass roles that require MFA.",
        cli: "aws iam create-policy-version --policy-arn ARN --policy-document file://least-privilege.json --set-as-default",
        terraform: "",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.16", "AWS Security Hub: IAM.1"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1",
    ],
    run: run_policy,
};

fn run_policy(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let catalog = Catalog::embedded();
    let mut exp = Expander::new(catalog);
    let iam_pm = iam_permissions_management(catalog);
    for jp in judged_policies(ctx) {
        let unconditional = allowed_on_star(&[jp.policy], false, &mut exp);
        let conditional = if is_admin_set(&unconditional, &iam_pm, catalog) {
            false
        } else if is_admin_set(
            &allowed_on_star(&[jp.policy], true, &mut exp),
            &iam_pm,
            catalog,
        ) {
            true
        } else {
            continue;
        };
        let evidence = broad_statements(&jp.id, jp.policy, conditional);
        let severity = if conditional {
            one_lower(POLICY.severity)
        } else {
            POLICY.severity
        };
        emit_at(
            out,
            severity,
            jp.subject.clone(),
            "",
            format!(
                "{} grants administrator access{}",
                jp.label,
                if conditional {
                    " under the conditions of its statements"
                } else {
                    ""
                }
            ),
            evidence,
        );
    }
}

/// The Allow statements on `*` of a policy, as evidence: the ones that make it admin.
fn broad_statements(id: &str, policy: &Policy, with_conditional: bool) -> Vec<Evidence> {
    policy
        .statements
        .iter()
        .enumerate()
        .filter(|(_, st)| {
            st.effect == Effect::Allow
                && on_every_resource(st)
                && (with_conditional || st.conditions.is_empty())
        })
        .map(|(i, st)| {
            let cond = if st.conditions.is_empty() {
                String::new()
            } else {
                format!(" when {}", conditions_text(st))
            };
            statement_evidence(
                id,
                i,
                st,
                "statement",
                format!(
                    "{} allows {} on `*`{cond}",
                    statement_name(i, st),
                    actions_text(st)
                ),
            )
        })
        .collect()
}

/// A user or role with administrator access.
pub static PRINCIPAL: Check = Check {
    id: "IAM-102",
    name: "principal-has-admin-access",
    title: "User or role has administrator access",
    severity: Severity::High,
    category: Category::OverlyPermissive,
    service: "iam",
    rationale: "A user or role whose policies together allow every action on every resource can read all data, change every resource and rewrite every permission in the account; one leaked credential or one compromised workload of it is a full account compromise. The finding counts every policy the principal has (its groups' included) after Deny statements, its permissions boundary and the organisation's SCPs (guard rails that leave IAM permissions management in keep it admin), so it also finds admin access split across several policies none of which is admin alone.",
    remediation: Remediation {
        console: "Replace the policies listed in the evidence with ones that grant what the principal uses (see the `unused` report and `iamsight suggest`). Keep administrator access for a few break-glass roles that require MFA; for workloads, never. A permissions boundary caps what the principal's policies can grant.",
        cli: "aws iam detach-role-policy --role-name NAME --policy-arn ARN (or detach-user-policy / remove-user-from-group), then attach a scoped policy",
        terraform: "",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.16"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
    ],
    run: run_principal,
};

fn run_principal(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let graph = ctx.graph();
    let catalog = Catalog::embedded();
    let mut exp = Expander::new(catalog);
    for p in &ctx.account.principals {
        let service_linked = p.path.starts_with("/aws-service-role/");
        if p.kind == PrincipalKind::Group || service_linked || !graph.is_admin(p.arn) {
            continue;
        }
        // The principal is admin, so no unconditional Deny on `*` takes anything away and its
        // boundary allows everything: a policy is admin on its own when it allows everything.
        let single = p
            .grants
            .iter()
            .filter_map(|g| g.policy.map(|pol| (g, pol)))
            .find(|(_, pol)| {
                allowed_on_star(&[pol], false, &mut exp).len() == catalog.action_count()
            });
        // The admin policy alone, or (split) every policy's broad statements.
        let mut evidence = Vec::new();
        for g in &p.grants {
            let Some(pol) = g.policy else { continue };
            if single.is_some_and(|(s, _)| s.id != g.id) {
                continue;
            }
            let via = g
                .via_group
                .as_deref()
                .map(|grp| format!(" (through group `{grp}`)"))
                .unwrap_or_default();
            for (i, st) in pol.statements.iter().enumerate() {
                if st.effect == Effect::Allow && on_every_resource(st) && st.conditions.is_empty() {
                    evidence.push(statement_evidence(
                        &g.id,
                        i,
                        st,
                        "statement",
                        format!(
                            "{} of `{}`{via} allows {} on `*`",
                            statement_name(i, st),
                            g.id,
                            actions_text(st)
                        ),
                    ));
                }
            }
        }
        if let Some(b) = &p.boundary {
            evidence.push(Evidence {
                policy: Some(b.id.clone()),
                ..Evidence::text(
                    "boundary",
                    format!(
                        "the permissions boundary `{}` allows every action too",
                        b.id
                    ),
                )
            });
        }
        let message = match single {
            Some((g, _)) => format!(
                "{} `{}` has administrator access through `{}`{}",
                p.kind.as_str(),
                p.name,
                g.id,
                g.via_group
                    .as_deref()
                    .map(|grp| format!(" (group `{grp}`)"))
                    .unwrap_or_default()
            ),
            None => format!(
                "{} `{}` has administrator access only through the union of its policies: no single policy grants it",
                p.kind.as_str(),
                p.name
            ),
        };
        out.emit(
            Subject::new(p.arn, &format!("iam-{}", p.kind.as_str()))
                .with_tags(p.tags.iter().map(|t| (t.key.as_str(), t.value.as_str()))),
            "",
            message,
            evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::grants::{finding_on, run_fixture};
    use crate::config::Config;

    #[test]
    fn split_admin_and_conditional_admin_say_so() {
        let f = run_fixture(&PRINCIPAL, &Config::default());
        let split = finding_on(&f, "user/fail-split-admin");
        assert!(
            split.message.contains("no single policy grants it"),
            "{}",
            split.message
        );
        assert_eq!(split.evidence.len(), 2);
        let single = finding_on(&f, "user/fail-admin-through-group");
        assert!(
            single.message.contains("AdministratorAccess"),
            "{}",
            single.message
        );

        let f = run_fixture(&POLICY, &Config::default());
        assert_eq!(
            finding_on(&f, "policy/fail-admin-with-mfa").severity,
            Severity::High
        );
        assert_eq!(
            finding_on(&f, "policy/fail-full-access").severity,
            Severity::Critical
        );
    }
}
