//! `principal-can-escalate-to-admin`: a user or role that is not admin but can make itself
//! admin, alone or through other principals, along a path in the permission graph.
//!
//! The path combines every policy the principal has (a method split across two policies is
//! found) and honours Deny statements, boundaries, resource scoping and conditions: each step
//! is decided by the evaluation engine. Steps that depend on conditions the snapshot cannot
//! settle, or on resources it does not inventory, are marked conditional.

use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "IAM-100",
    name: "principal-can-escalate-to-admin",
    title: "Principal can escalate its privileges to administrator",
    severity: Severity::Critical,
    category: Category::PrivilegeEscalation,
    service: "iam",
    rationale: "A principal that can grant itself more permissions, or act as a more powerful principal, is as powerful as the most powerful principal it can reach: its own policies understate what it can do.",
    remediation: Remediation {
        console: "Remove or constrain the permissions used by the first step of the path (the evidence lists the method, actions and statements): scope iam:PassRole to the roles the principal must pass and add iam:PassedToService, scope IAM write actions to the principal's own resources, or add a permissions boundary.",
        cli: "aws iam put-user-policy / put-role-policy with a narrowed document, or aws iam put-user-permissions-boundary --user-name NAME --permissions-boundary ARN",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
        "https://pathfinding.cloud",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let graph = ctx.graph();
    for path in graph.escalation_paths() {
        let Some(p) = ctx.account.by_arn(&path.principal) else {
            continue;
        };
        let conditional = path.steps.iter().any(|s| s.conditional);
        let first = &path.steps[0];
        let evidence = path
            .steps
            .iter()
            .flat_map(|s| {
                let head = Evidence::text(
                    "path-step",
                    format!(
                        "{} → {} via {} ({}){}",
                        s.from,
                        s.to,
                        s.method,
                        s.actions.join(", "),
                        if s.conditional { " [conditional]" } else { "" }
                    ),
                );
                let stmts = s.statements.iter().map(|st| Evidence {
                    policy: Some(st.policy.clone()),
                    statement: Some(st.index),
                    sid: st.sid.clone(),
                    ..Evidence::text(
                        "statement",
                        format!(
                            "{} statement {} of `{}` allows it",
                            st.effect, st.index, st.policy
                        ),
                    )
                });
                std::iter::once(head).chain(stmts).collect::<Vec<_>>()
            })
            .collect();
        out.emit(
            Subject::new(path.principal.clone(), &format!("iam-{}", p.kind.as_str()))
                .with_tags(p.tags.iter().map(|t| (t.key.as_str(), t.value.as_str()))),
            &first.method,
            format!(
                "{} can become admin in {} step(s), first via {}{}",
                p.name,
                path.steps.len(),
                first.method,
                if conditional { " (conditional)" } else { "" }
            ),
            evidence,
        );
    }
}
