//! `unused-console-password`: an IAM user's console password that was not used for
//! `thresholds.unused_credential_days`.
//!
//! From the credential report: `password_enabled = true`, and `password_last_used` older than
//! the window. A password that was never used (`no_information` or `N/A`) counts only when it
//! was set (`password_last_changed`, else `user_creation_time`) before the window began: a
//! user created yesterday who has not signed in yet is not a finding.

use super::subjects::{cell, user_subject, users_by_arn};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Console password unused.
pub static CHECK: Check = Check {
    id: "IAM-035",
    name: "unused-console-password",
    title: "Console password not used recently",
    severity: Severity::Medium,
    category: Category::Unused,
    service: "iam",
    rationale: "A console password nobody uses belongs to someone who left, changed role or works another way. It still opens the console if it leaks or is guessed, and its use would go unnoticed. CIS asks to disable credentials unused for 45 days.",
    remediation: Remediation {
        console: "IAM console → Users → the user → Security credentials → Console sign-in → Manage console access → Disable access. Remove the user entirely if nobody needs it.",
        cli: "aws iam delete-login-profile --user-name USER",
        terraform: "# remove the aws_iam_user_login_profile resource",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.12"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let (Some(now), Some(report)) = (ctx.now, &ctx.snapshot.credential_report) else {
        return;
    };
    let window = ctx.config.thresholds.unused_credential_days;
    let users = users_by_arn(ctx);
    for row in report.rows.iter().filter(|r| !r.is_root()) {
        if row.password_enabled != Some(true) {
            continue;
        }
        let mut evidence = vec![Evidence::text(
            "credential-report",
            format!(
                "password_last_used = {} for {}",
                cell(row.password_last_used),
                row.user
            ),
        )];
        let message = match row.password_last_used.at() {
            Some(used) => {
                let age = now.days_since(used);
                if age < window {
                    continue;
                }
                format!("last used {age} days ago")
            }
            None => {
                let (column, set) = match row.password_last_changed.at() {
                    Some(t) => ("password_last_changed", t),
                    None => match row.user_creation_time.at() {
                        Some(t) => ("user_creation_time", t),
                        None => continue,
                    },
                };
                let age = now.days_since(set);
                if age < window {
                    continue;
                }
                evidence.push(Evidence::text(
                    "credential-report",
                    format!("{column} = {set} for {}", row.user),
                ));
                format!("never used, set {age} days ago")
            }
        };
        out.emit(
            user_subject(&users, &row.arn),
            "",
            format!(
                "user `{}` has a console password {message} (window: {window} days)",
                row.user
            ),
            evidence,
        );
    }
}
