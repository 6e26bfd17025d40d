//! Root user hygiene, from the credential report: `root-account-without-mfa` and
//! `root-account-with-access-keys`.
//!
//! The root user can do everything, including closing the account, and no policy restricts
//! it (SCPs apart). It should have MFA and no access keys.

use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Root without MFA.
pub static WITHOUT_MFA: Check = Check {
    id: "IAM-010",
    name: "root-account-without-mfa",
    title: "Root user has no MFA device",
    severity: Severity::Critical,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "Anyone with the root password controls the whole account; MFA is the only second factor the root user can have.",
    remediation: Remediation {
        console: "Sign in as the root user, open Security credentials, and assign an MFA device (a hardware key or passkey preferably).",
        cli: "",
        terraform: "",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.5"],
    references: &["https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html"],
    run: run_mfa,
};

fn run_mfa(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(root) = ctx
        .snapshot
        .credential_report
        .as_ref()
        .and_then(|r| r.root())
    else {
        return;
    };
    if !root.mfa_active {
        out.emit(
            Subject::new(ctx.root_arn(), "iam-root-user"),
            "",
            "the root user has no MFA device".to_string(),
            vec![Evidence::text(
                "credential-report",
                "mfa_active = false for <root_account>",
            )],
        );
    }
}

/// Root with access keys.
pub static WITH_ACCESS_KEYS: Check = Check {
    id: "IAM-011",
    name: "root-account-with-access-keys",
    title: "Root user has active access keys",
    severity: Severity::Critical,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "A root access key is an unrestricted, long-lived credential: if it leaks, the account is lost.",
    remediation: Remediation {
        console: "Sign in as the root user, open Security credentials, and delete the access keys.",
        cli: "",
        terraform: "",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.4"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html",
    ],
    run: run_keys,
};

fn run_keys(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(root) = ctx
        .snapshot
        .credential_report
        .as_ref()
        .and_then(|r| r.root())
    else {
        return;
    };
    for (i, key) in root.access_keys.iter().enumerate() {
        if key.active {
            let used = match key.last_used_date.at() {
                Some(t) => format!("last used {t}"),
                None => "never used".to_string(),
            };
            out.emit(
                Subject::new(ctx.root_arn(), "iam-root-user"),
                &format!("key{}", i + 1),
                format!(
                    "the root user has an active access key (slot {}, {used})",
                    i + 1
                ),
                vec![Evidence::text(
                    "credential-report",
                    format!("access_key_{}_active = true for <root_account>", i + 1),
                )],
            );
        }
    }
}
