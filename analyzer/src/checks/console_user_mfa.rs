//! `console-user-without-mfa`: an IAM user who can sign in to the console (a password is
//! enabled) and has no MFA device.
//!
//! From the credential report: `password_enabled = true` and `mfa_active = false`. A virtual
//! MFA device listed without a `User` (an abandoned enrolment) does not count, and the report
//! already reflects that. The root user is `root-account-without-mfa`'s.

use super::subjects::{cell, user_subject, users_by_arn};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Console password without MFA.
pub static CHECK: Check = Check {
    id: "IAM-030",
    name: "console-user-without-mfa",
    title: "IAM user with a console password has no MFA",
    severity: Severity::High,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "A password alone falls to phishing, reuse from other breaches and guessing. With MFA, a stolen password is not enough to sign in to the console and act with the user's permissions.",
    remediation: Remediation {
        console: "IAM console → Users → the user → Security credentials → Assign MFA device (a FIDO security key or an authenticator app). If the user does not need the console, remove the password instead (Manage console access → Disable).",
        cli: "aws iam delete-login-profile --user-name USER (when the console is not needed); MFA devices are enrolled by the user in the console",
        terraform: "# deny everything without MFA except enrolling a device: attach a policy like AWS's\n# \"AllowManageOwnVirtualMFADevice\" example with\n#   condition { test = \"BoolIfExists\" variable = \"aws:MultiFactorAuthPresent\" values = [\"false\"] }",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.10"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(report) = &ctx.snapshot.credential_report else {
        return;
    };
    let users = users_by_arn(ctx);
    for row in report.rows.iter().filter(|r| !r.is_root()) {
        if row.password_enabled != Some(true) || row.mfa_active {
            continue;
        }
        let last = match row.password_last_used.at() {
            Some(t) => format!("last signed in {t}"),
            None => "never signed in".to_string(),
        };
        out.emit(
            user_subject(&users, &row.arn),
            "",
            format!(
                "user `{}` can sign in to the console without MFA ({last})",
                row.user
            ),
            vec![
                Evidence::text(
                    "credential-report",
                    format!("password_enabled = true for {}", row.user),
                ),
                Evidence::text(
                    "credential-report",
                    format!("mfa_active = false for {}", row.user),
                ),
                Evidence::text(
                    "credential-report",
                    format!(
                        "password_last_used = {} for {}",
                        cell(row.password_last_used),
                        row.user
                    ),
                ),
            ],
        );
    }
}
