//! `support-role-missing`: no IAM principal has the AWS managed policy `AWSSupportAccess`
//! attached, so nobody can open and manage AWS Support cases without broader rights.
//!
//! Judged from the authorization details' `AttachedManagedPolicies` of users, groups and
//! roles. An empty authorization-details section, or a failed
//! `iam:GetAccountAuthorizationDetails`, means IAM was not collected: no finding.

use super::subjects::{account_subject, call_failed};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// The policy CIS asks for, without partition.
const SUPPORT_POLICY: &str = ":iam::aws:policy/AWSSupportAccess";

/// No support role.
pub static CHECK: Check = Check {
    id: "IAM-040",
    name: "support-role-missing",
    title: "No IAM principal can manage AWS Support cases",
    severity: Severity::Low,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "During an incident someone must be able to open and follow AWS Support cases. Without a dedicated role holding AWSSupportAccess, that person needs administrator rights, or the case waits for one.",
    remediation: Remediation {
        console: "IAM console → Roles → Create role: trusted entity your account (with an MFA condition) or your identity provider, attach the AWS managed policy AWSSupportAccess, and let the incident responders assume it.",
        cli: "aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json && aws iam attach-role-policy --role-name aws-support --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess",
        terraform: "resource \"aws_iam_role_policy_attachment\" \"support\" {\n  role       = aws_iam_role.support.name\n  policy_arn = \"arn:aws:iam::aws:policy/AWSSupportAccess\"\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.17"],
    references: &[
        "https://docs.aws.amazon.com/awssupport/latest/user/accessing-support.html",
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSSupportAccess.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let d = &ctx.snapshot.authorization_details;
    if (d.users.is_empty() && d.groups.is_empty() && d.roles.is_empty())
        || call_failed(ctx, "iam:GetAccountAuthorizationDetails", None)
    {
        return;
    }
    let support = |list: &[iam_model::snapshot::AttachedPolicy]| {
        list.iter().any(|p| p.policy_arn.ends_with(SUPPORT_POLICY))
    };
    let found = d
        .users
        .iter()
        .any(|u| support(&u.attached_managed_policies))
        || d.groups
            .iter()
            .any(|g| support(&g.attached_managed_policies))
        || d.roles
            .iter()
            .any(|r| support(&r.attached_managed_policies));
    if found {
        return;
    }
    out.emit(
        account_subject(ctx, "iam", None),
        "",
        "no user, group or role has AWSSupportAccess attached".to_string(),
        vec![Evidence::text(
            "attribute",
            format!(
                "AttachedManagedPolicies: none of {} users, {} groups and {} roles lists `arn:{}{SUPPORT_POLICY}`",
                d.users.len(),
                d.groups.len(),
                d.roles.len(),
                ctx.snapshot.partition
            ),
        )],
    );
}
