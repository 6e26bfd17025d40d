//! `root-account-used-recently`: the root user signed in, or one of its access keys was used,
//! within `thresholds.root_recent_use_days` of the collection time.
//!
//! The credential report's `<root_account>` row carries `password_last_used` and
//! `access_key_N_last_used_date`. Every use inside the window is evidence; a use exactly
//! `root_recent_use_days` days ago is outside it.

use super::subjects::cell;
use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Root used within the window.
pub static CHECK: Check = Check {
    id: "IAM-013",
    name: "root-account-used-recently",
    title: "Root user was used recently",
    severity: Severity::High,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "The root user bypasses every IAM policy and should only do the handful of tasks that need it (changing the support plan, closing the account, restoring IAM access). Routine use multiplies the chances that its password or keys leak, and a use nobody can explain is a sign of compromise.",
    remediation: Remediation {
        console: "Find out who used the root user and why (CloudTrail events with userIdentity.type = Root). Move the work to IAM roles or IAM Identity Center, delete root access keys, and keep the root password and MFA device locked away.",
        cli: "aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue=root --max-results 50",
        terraform: "",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.7"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-best-practices.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#root-user-tasks",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let (Some(now), Some(root)) = (
        ctx.now,
        ctx.snapshot
            .credential_report
            .as_ref()
            .and_then(|r| r.root()),
    ) else {
        return;
    };
    let window = ctx.config.thresholds.root_recent_use_days;
    let mut uses = Vec::new();
    let mut evidence = Vec::new();
    if let Some(t) = root.password_last_used.at()
        && now.days_since(t) < window
    {
        uses.push(format!("signed in {} days ago", now.days_since(t)));
        evidence.push(Evidence::text(
            "credential-report",
            format!(
                "password_last_used = {} for <root_account>",
                cell(root.password_last_used)
            ),
        ));
    }
    for (i, key) in root.access_keys.iter().enumerate() {
        if let Some(t) = key.last_used_date.at()
            && now.days_since(t) < window
        {
            let service = key
                .last_used_service
                .as_deref()
                .map(|s| format!(" for {s}"))
                .unwrap_or_default();
            uses.push(format!(
                "access key {} used {} days ago{service}",
                i + 1,
                now.days_since(t)
            ));
            evidence.push(Evidence::text(
                "credential-report",
                format!(
                    "access_key_{}_last_used_date = {} for <root_account>",
                    i + 1,
                    cell(key.last_used_date)
                ),
            ));
        }
    }
    if uses.is_empty() {
        return;
    }
    out.emit(
        Subject::new(ctx.root_arn(), "iam-root-user"),
        "",
        format!(
            "the root user was used in the last {window} days: {}",
            uses.join("; ")
        ),
        evidence,
    );
}
