//! Unused identities and policies: `unused-iam-user`, `unused-iam-role`,
//! `iam-group-without-members`, `iam-group-without-policies`,
//! `unattached-customer-managed-policy`.
//!
//! Ages and use are judged against the snapshot's `collected_at` with the window of
//! `thresholds.unused_days`; a principal younger than the window is not judged (grace
//! period), and a snapshot without a collection time judges nothing.

use iam_model::snapshot::ReportTime;

use super::subjects::{cell, tag_pairs};
use super::{Check, Emitter, Remediation, Subject};
use crate::account::PrincipalKind;
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// A user with no console or access-key use in the window.
pub static USER: Check = Check {
    id: "IAM-050",
    name: "unused-iam-user",
    title: "IAM user has not signed in or used an access key within the window",
    severity: Severity::Medium,
    category: Category::Unused,
    service: "iam",
    rationale: "A user nobody uses still holds permissions and credentials that can leak; removing it shrinks the attack surface without affecting anyone.",
    remediation: Remediation {
        console: "Confirm with the owner, then delete the user's access keys and login profile, detach its policies and delete it (IAM console → Users).",
        cli: "aws iam delete-login-profile --user-name NAME; aws iam delete-access-key --user-name NAME --access-key-id ID; aws iam delete-user --user-name NAME",
        terraform: "# remove the aws_iam_user resource (and its keys, login profile and attachments)",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.12"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
    ],
    run: run_user,
};

fn run_user(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let (Some(now), Some(report)) = (ctx.now, ctx.snapshot.credential_report.as_ref()) else {
        return;
    };
    let window = ctx.config.thresholds.unused_days;
    let cutoff = now.minus_days(window);
    for u in &ctx.snapshot.authorization_details.users {
        if u.create_date > cutoff {
            continue; // grace period
        }
        let Some(row) = report.by_arn(&u.arn) else {
            continue;
        };
        let recent = |t: ReportTime| t.at().is_some_and(|t| t >= cutoff);
        let password_used = row.password_enabled == Some(true) && recent(row.password_last_used);
        let key_used = row
            .access_keys
            .iter()
            .any(|k| k.active && recent(k.last_used_date));
        if password_used || key_used {
            continue;
        }
        let last = [
            row.password_last_used,
            row.access_keys[0].last_used_date,
            row.access_keys[1].last_used_date,
        ]
        .into_iter()
        .filter_map(ReportTime::at)
        .max();
        let evidence = vec![
            Evidence::text(
                "credential-report",
                format!("password_last_used = {}", cell(row.password_last_used)),
            ),
            Evidence::text(
                "credential-report",
                format!(
                    "access_key_1_last_used_date = {}",
                    cell(row.access_keys[0].last_used_date)
                ),
            ),
            Evidence::text(
                "credential-report",
                format!(
                    "access_key_2_last_used_date = {}",
                    cell(row.access_keys[1].last_used_date)
                ),
            ),
            Evidence::text("attribute", format!("CreateDate = {}", u.create_date)),
        ];
        let since = match last {
            Some(t) => format!("last active {t} ({} days ago)", now.days_since(t)),
            None => "never active".to_string(),
        };
        out.emit(
            Subject::new(u.arn.clone(), "iam-user").with_tags(tag_pairs(&u.tags)),
            "",
            format!(
                "user {} has no console or key use in {window} days ({since})",
                u.user_name
            ),
            evidence,
        );
    }
}

/// A role not used within the window.
pub static ROLE: Check = Check {
    id: "IAM-051",
    name: "unused-iam-role",
    title: "IAM role has not been used within the window",
    severity: Severity::Medium,
    category: Category::Unused,
    service: "iam",
    rationale: "An unused role keeps its trust relationships and permissions: whoever it trusts can still assume it. Roles nobody assumes are safe to remove.",
    remediation: Remediation {
        console: "Check the role's Last activity in the IAM console, confirm with the owner, then delete the role (and its instance profiles).",
        cli: "aws iam delete-role --role-name NAME (after detaching policies and removing it from instance profiles)",
        terraform: "# remove the aws_iam_role resource",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_access-advisor.html",
    ],
    run: run_role,
};

fn run_role(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(now) = ctx.now else { return };
    let window = ctx.config.thresholds.unused_days;
    let cutoff = now.minus_days(window);
    for r in &ctx.snapshot.authorization_details.roles {
        if r.is_service_linked() || r.create_date > cutoff {
            continue;
        }
        let last = r.role_last_used.as_ref().and_then(|u| u.last_used_date);
        if last.is_some_and(|t| t >= cutoff) {
            continue;
        }
        let since = match last {
            Some(t) => format!("last used {t} ({} days ago)", now.days_since(t)),
            None => "never used in the tracking period (about 400 days)".to_string(),
        };
        out.emit(
            Subject::new(r.arn.clone(), "iam-role").with_tags(tag_pairs(&r.tags)),
            "",
            format!(
                "role {} has not been used in {window} days ({since})",
                r.role_name
            ),
            vec![
                Evidence::text(
                    "attribute",
                    format!(
                        "RoleLastUsed.LastUsedDate = {}",
                        last.map_or("none".to_string(), |t| t.to_string())
                    ),
                ),
                Evidence::text("attribute", format!("CreateDate = {}", r.create_date)),
            ],
        );
    }
}

/// A group nobody is in.
pub static EMPTY_GROUP: Check = Check {
    id: "IAM-052",
    name: "iam-group-without-members",
    title: "IAM group has no members",
    severity: Severity::Low,
    category: Category::Unused,
    service: "iam",
    rationale: "A group without members grants nothing today but keeps its policies ready for whoever is added; unused groups clutter reviews and hide mistakes.",
    remediation: Remediation {
        console: "IAM console → User groups: delete the group if it is no longer needed.",
        cli: "aws iam delete-group --group-name NAME (after detaching its policies)",
        terraform: "# remove the aws_iam_group resource",
    },
    compliance: &[],
    references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_delete.html"],
    run: run_empty_group,
};

fn run_empty_group(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let d = &ctx.snapshot.authorization_details;
    if d.users.is_empty() && d.groups.is_empty() {
        return;
    }
    for g in &d.groups {
        if d.users.iter().any(|u| u.group_list.contains(&g.group_name)) {
            continue;
        }
        out.emit(
            Subject::new(g.arn.clone(), "iam-group"),
            "",
            format!("group {} has no members", g.group_name),
            vec![Evidence::text(
                "attribute",
                "no user lists the group in GroupList",
            )],
        );
    }
}

/// A group with no policies.
pub static POLICYLESS_GROUP: Check = Check {
    id: "IAM-053",
    name: "iam-group-without-policies",
    title: "IAM group has no policies",
    severity: Severity::Low,
    category: Category::Unused,
    service: "iam",
    rationale: "A group without inline or attached policies grants nothing: membership in it is meaningless and misleads reviewers.",
    remediation: Remediation {
        console: "IAM console → User groups: attach the intended policies or delete the group.",
        cli: "aws iam delete-group --group-name NAME (after removing its users)",
        terraform: "# remove the aws_iam_group resource, or add aws_iam_group_policy_attachment",
    },
    compliance: &[],
    references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html"],
    run: run_policyless_group,
};

fn run_policyless_group(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for g in &ctx.snapshot.authorization_details.groups {
        if g.group_policy_list.is_empty() && g.attached_managed_policies.is_empty() {
            out.emit(
                Subject::new(g.arn.clone(), "iam-group"),
                "",
                format!("group {} has no inline or attached policies", g.group_name),
                vec![Evidence::text(
                    "attribute",
                    "GroupPolicyList = [], AttachedManagedPolicies = []",
                )],
            );
        }
    }
}

/// A customer managed policy attached to nothing.
pub static UNATTACHED_POLICY: Check = Check {
    id: "IAM-054",
    name: "unattached-customer-managed-policy",
    title: "Customer managed policy is attached to nothing",
    severity: Severity::Low,
    category: Category::Unused,
    service: "iam",
    rationale: "A policy attached to no user, group or role and used as no permissions boundary grants nothing; it is dead weight that someone may attach without review.",
    remediation: Remediation {
        console: "IAM console → Policies → filter 'Customer managed' and 'Not attached': delete policies that are no longer needed.",
        cli: "aws iam delete-policy --policy-arn ARN (after deleting its non-default versions)",
        terraform: "# remove the aws_iam_policy resource",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_manage-delete.html",
    ],
    run: run_unattached,
};

fn run_unattached(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let d = &ctx.snapshot.authorization_details;
    // Counted from the account itself, not from AttachmentCount alone: every policy attached
    // to a user, group or role directly, or used as a boundary.
    let mut in_use: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for pr in &ctx.account.principals {
        for g in pr.grants.iter().filter(|g| g.via_group.is_none()) {
            in_use.insert(&g.id);
        }
        if let Some(b) = &pr.boundary {
            in_use.insert(&b.id);
        }
    }
    for p in d.policies.iter().filter(|p| !p.is_aws_managed()) {
        let attached = in_use.contains(p.arn.as_str());
        let counted = p.attachment_count.unwrap_or(0) > 0
            || p.permissions_boundary_usage_count.unwrap_or(0) > 0;
        if attached || counted {
            continue;
        }
        out.emit(
            Subject::new(p.arn.clone(), "iam-policy"),
            "",
            format!(
                "policy {} is attached to no user, group or role and is no permissions boundary",
                p.policy_name
            ),
            vec![Evidence::text(
                "attribute",
                format!(
                    "AttachmentCount = {}, PermissionsBoundaryUsageCount = {}",
                    p.attachment_count.unwrap_or(0),
                    p.permissions_boundary_usage_count.unwrap_or(0)
                ),
            )],
        );
    }
}

/// Granted permissions that are confidently unused.
pub static PERMISSIONS: Check = Check {
    id: "IAM-055",
    name: "unused-permissions",
    title: "Principal holds permissions it has not used within the window",
    severity: Severity::Low,
    category: Category::Unused,
    service: "iam",
    rationale: "Permissions a principal never uses only add risk. iamsight reports an action as unused only when AWS tracks it at action level (tracked-unused) or when the whole service went unused (service-unused); untracked actions and grants younger than the window are never called unused.",
    remediation: Remediation {
        console: "Review the unused actions and services (`iamsight unused --csv FILE` lists each with its policy and statement), then apply the least-privilege policy from `iamsight suggest`.",
        cli: "iamsight unused --snapshot SNAPSHOT --csv unused.csv",
        terraform: "",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.16"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed-action-last-accessed.html",
    ],
    run: run_permissions,
};

fn run_permissions(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let report = ctx.unused();
    let mut by_principal: std::collections::BTreeMap<&str, Vec<&crate::unused::UnusedRow>> =
        Default::default();
    for r in report.rows.iter().filter(|r| r.confidence.is_unused()) {
        by_principal.entry(&r.principal_arn).or_default().push(r);
    }
    for (arn, rows) in by_principal {
        let Some(p) = ctx.account.by_arn(arn) else {
            continue;
        };
        let actions = rows.iter().filter(|r| r.action.is_some()).count();
        let services: std::collections::BTreeSet<&str> = rows
            .iter()
            .filter(|r| r.action.is_none())
            .map(|r| &*r.service)
            .collect();
        let mut evidence: Vec<Evidence> = rows
            .iter()
            .take(25)
            .map(|r| Evidence {
                policy: Some(r.policy_arn.to_string()),
                statement: Some(r.statement),
                sid: r.sid.as_deref().map(str::to_string),
                ..Evidence::text(
                    r.confidence.as_str(),
                    format!(
                        "{} — {} statement {}{}",
                        r.action
                            .as_deref()
                            .map_or_else(|| format!("{}:* (service)", r.service), str::to_string),
                        r.policy_name,
                        r.statement,
                        r.last_accessed
                            .map(|t| format!(", last used {t}"))
                            .unwrap_or_else(|| ", not used in the tracking period".to_string())
                    ),
                )
            })
            .collect();
        if rows.len() > 25 {
            evidence.push(Evidence::text(
                "more",
                format!("{} more: see `iamsight unused --csv`", rows.len() - 25),
            ));
        }
        let kind = if p.kind == PrincipalKind::User {
            "iam-user"
        } else {
            "iam-role"
        };
        out.emit(
            Subject::new(arn.to_string(), kind).with_tags(tag_pairs(p.tags)),
            "",
            format!(
                "{} has {actions} unused action(s) and {} unused service(s) in {} days",
                p.name,
                services.len(),
                report.window_days
            ),
            evidence,
        );
    }
}
