//! `user-has-direct-policies`: an IAM user with managed policies attached directly, or with
//! inline policies of its own, instead of receiving permissions through groups (or, better,
//! roles).
//!
//! From the authorization details: `AttachedManagedPolicies` and `UserPolicyList` of each
//! user. One finding per user, one evidence line per policy. Permissions boundaries are not
//! grants and do not count.

use super::subjects::tag_pairs;
use super::{Check, Emitter, Remediation, Subject};
use crate::context::{Context, inline_id};
use crate::report::{Category, Evidence, Severity};

/// Policies on users.
pub static CHECK: Check = Check {
    id: "IAM-036",
    name: "user-has-direct-policies",
    title: "IAM user has policies attached directly",
    severity: Severity::Low,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "Permissions granted user by user drift apart and are hard to review: nobody can say what a job function may do, and leavers keep one-off grants. Granting through groups (or roles) keeps one place per job function to review and change.",
    remediation: Remediation {
        console: "IAM console → User groups: create (or pick) a group for the user's job function with the needed policies, add the user, then remove the policies from the user (Permissions tab → Remove).",
        cli: "aws iam add-user-to-group --group-name GROUP --user-name USER && aws iam detach-user-policy --user-name USER --policy-arn POLICY_ARN && aws iam delete-user-policy --user-name USER --policy-name INLINE_NAME",
        terraform: "resource \"aws_iam_group_policy_attachment\" \"job\" {\n  group      = aws_iam_group.job.name\n  policy_arn = aws_iam_policy.job.arn\n}\n# and remove aws_iam_user_policy / aws_iam_user_policy_attachment",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.15"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_attach-policy.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for u in &ctx.snapshot.authorization_details.users {
        let mut evidence: Vec<Evidence> = u
            .attached_managed_policies
            .iter()
            .map(|p| Evidence {
                policy: Some(p.policy_arn.clone()),
                ..Evidence::text(
                    "attribute",
                    format!("AttachedManagedPolicies: `{}`", p.policy_arn),
                )
            })
            .collect();
        evidence.extend(u.user_policy_list.iter().map(|p| Evidence {
            policy: Some(inline_id(&u.arn, &p.policy_name)),
            ..Evidence::text(
                "attribute",
                format!("UserPolicyList: inline policy `{}`", p.policy_name),
            )
        }));
        if evidence.is_empty() {
            continue;
        }
        out.emit(
            Subject::new(u.arn.clone(), "iam-user").with_tags(tag_pairs(&u.tags)),
            "",
            format!(
                "user `{}` has {} managed and {} inline policies of its own",
                u.user_name,
                u.attached_managed_policies.len(),
                u.user_policy_list.len()
            ),
            evidence,
        );
    }
}
