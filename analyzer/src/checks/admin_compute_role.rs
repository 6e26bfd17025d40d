//! `admin-role-trusted-by-compute-service`: a role with administrator access that a compute
//! service can assume.
//!
//! A role is reported when the permission graph says it is admin (every policy, Deny
//! statements and boundary considered) and an Allow statement of its trust policy admits one
//! of the services in [`COMPUTE_SERVICES`] — services that run customer code or workflows
//! under the role. Whoever controls that code (an instance's user data, a function's package,
//! a build's buildspec, an SSRF in a web app reading instance metadata) holds the account.
//! Conditions such as `aws:SourceArn` narrow which resource of the service may assume the
//! role, not what the code does with it, so they do not clear the finding; the evidence names
//! them.

use iam_model::policy::{Effect, PrincipalKind, Principals};
use iam_model::wildcard::wildcard_match;

use super::grants::{
    conditions_text, role_subject, statement_evidence, statement_name, trust_policies,
};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Service principals that run customer code or workflows with the role's credentials.
pub const COMPUTE_SERVICES: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "edgelambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "eks-fargate-pods.amazonaws.com",
    "glue.amazonaws.com",
    "codebuild.amazonaws.com",
    "sagemaker.amazonaws.com",
    "elasticmapreduce.amazonaws.com",
    "states.amazonaws.com",
    "tasks.apprunner.amazonaws.com",
    "datapipeline.amazonaws.com",
    "ssm.amazonaws.com",
];

/// The check.
pub static CHECK: Check = Check {
    id: "IAM-124",
    name: "admin-role-trusted-by-compute-service",
    title: "Administrator role can be assumed by a compute service",
    severity: Severity::High,
    category: Category::RiskyTrust,
    service: "iam",
    rationale: "A role that EC2, Lambda, ECS, CodeBuild, Glue or SageMaker can assume hands its credentials to code running on that service. With administrator access, anyone who can change or exploit that code — a vulnerable web app reading instance metadata, a poisoned dependency in a function, a pull request that edits a buildspec — owns the whole account. Workload roles should hold what the workload does, never `*`.",
    remediation: Remediation {
        console: "Replace the role's administrator policy with one scoped to what the workload does (`iamsight suggest` derives it from use). If a pipeline really deploys everything, give it a dedicated role with a permissions boundary and keep the runtime roles narrow.",
        cli: "aws iam detach-role-policy --role-name NAME --policy-arn arn:aws:iam::aws:policy/AdministratorAccess",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html",
        "https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_permissions_least_privileges.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let graph = ctx.graph();
    for (role, trust) in trust_policies(ctx) {
        if !graph.is_admin(&role.arn) {
            continue;
        }
        let mut services = Vec::new();
        let mut evidence = Vec::new();
        for (i, st) in trust.statements.iter().enumerate() {
            let assume = st
                .action
                .patterns
                .iter()
                .any(|p| wildcard_match(p, "sts:AssumeRole", true))
                != st.action.negated;
            if st.effect != Effect::Allow || !assume {
                continue;
            }
            let Some(Principals::Listed(ids)) = st
                .principal
                .as_ref()
                .filter(|pc| !pc.negated)
                .map(|pc| &pc.principals)
            else {
                continue;
            };
            for id in ids.iter().filter(|id| id.kind == PrincipalKind::Service) {
                if !COMPUTE_SERVICES
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(&id.value))
                {
                    continue;
                }
                services.push(id.value.clone());
                let cond = if st.conditions.is_empty() {
                    String::new()
                } else {
                    format!(" (conditions: {})", conditions_text(st))
                };
                evidence.push(statement_evidence(
                    &role.arn,
                    i,
                    st,
                    "statement",
                    format!(
                        "{} of the trust policy admits `{}`{cond}",
                        statement_name(i, st),
                        id.value
                    ),
                ));
            }
        }
        if services.is_empty() {
            continue;
        }
        evidence.push(Evidence::text(
            "attribute",
            "the permission graph finds the role admin: its policies allow every action on `*`",
        ));
        out.emit(
            role_subject(role),
            "",
            format!(
                "role `{}` has administrator access and can be assumed by {}",
                role.role_name,
                services
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            evidence,
        );
    }
}
