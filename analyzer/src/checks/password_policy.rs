//! The account password policy: `password-policy-missing`, `password-policy-short-minimum`,
//! `password-policy-allows-reuse`. Thresholds come from config.

use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

fn account(ctx: &Context<'_>) -> Subject {
    Subject::new(
        format!(
            "arn:{}:iam::{}:account-password-policy",
            ctx.snapshot.partition, ctx.snapshot.account_id
        ),
        "iam-password-policy",
    )
}

/// No password policy.
pub static MISSING: Check = Check {
    id: "IAM-020",
    name: "password-policy-missing",
    title: "No account password policy",
    severity: Severity::Medium,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "Without a password policy IAM users may set short, simple passwords that never expire.",
    remediation: Remediation {
        console: "IAM console → Account settings → Password policy → Edit: set a minimum length of 14, require every character class, prevent reuse of 24 passwords.",
        cli: "aws iam update-account-password-policy --minimum-password-length 14 --require-symbols --require-numbers --require-uppercase-characters --require-lowercase-characters --password-reuse-prevention 24 --max-password-age 90",
        terraform: "resource \"aws_iam_account_password_policy\" \"strict\" {\n  minimum_password_length   = 14\n  require_symbols           = true\n  require_numbers           = true\n  require_uppercase_characters = true\n  require_lowercase_characters = true\n  password_reuse_prevention = 24\n  max_password_age          = 90\n}",
    },
    compliance: &[
        "CIS AWS Foundations 3.0: 1.8",
        "CIS AWS Foundations 3.0: 1.9",
    ],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
    ],
    run: run_missing,
};

fn collected(ctx: &Context<'_>) -> bool {
    // A missing policy is a fact only when IAM was collected at all and the call did not fail.
    let d = &ctx.snapshot.authorization_details;
    let iam_collected = !ctx.snapshot.account_summary.is_empty()
        || ctx.snapshot.credential_report.is_some()
        || !d.users.is_empty()
        || !d.roles.is_empty();
    iam_collected
        && !ctx
            .snapshot
            .collection_errors
            .iter()
            .any(|e| e.operation == "iam:GetAccountPasswordPolicy")
        && ctx.snapshot.collected_at.is_some()
}

fn run_missing(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    if ctx.snapshot.password_policy.is_none() && collected(ctx) {
        out.emit(
            account(ctx),
            "",
            "the account has no password policy".to_string(),
            vec![Evidence::text(
                "attribute",
                "GetAccountPasswordPolicy: NoSuchEntity",
            )],
        );
    }
}

/// Minimum length below the threshold.
pub static SHORT: Check = Check {
    id: "IAM-021",
    name: "password-policy-short-minimum",
    title: "Password policy allows short passwords",
    severity: Severity::Medium,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "Short passwords fall to guessing and offline cracking; CIS asks for at least 14 characters.",
    remediation: Remediation {
        console: "IAM console → Account settings → Password policy → Edit: minimum length 14 or more.",
        cli: "aws iam update-account-password-policy --minimum-password-length 14 (repeat the other settings: the call replaces the whole policy)",
        terraform: "resource \"aws_iam_account_password_policy\" \"strict\" {\n  minimum_password_length = 14\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.8"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
    ],
    run: run_short,
};

fn run_short(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(p) = &ctx.snapshot.password_policy else {
        return;
    };
    let min = ctx.config.thresholds.password_min_length;
    let have = p.minimum_password_length.unwrap_or(6);
    if have < min {
        out.emit(
            account(ctx),
            "",
            format!("the password policy allows passwords of {have} characters (required: {min})"),
            vec![Evidence::text(
                "attribute",
                format!("MinimumPasswordLength = {have}"),
            )],
        );
    }
}

/// Reuse prevention below the threshold.
pub static NO_REUSE_PREVENTION: Check = Check {
    id: "IAM-022",
    name: "password-policy-allows-reuse",
    title: "Password policy allows reusing recent passwords",
    severity: Severity::Low,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "Users who may reuse old passwords undo rotation: a leaked old password stays valid.",
    remediation: Remediation {
        console: "IAM console → Account settings → Password policy → Edit: prevent password reuse, remember 24.",
        cli: "aws iam update-account-password-policy --password-reuse-prevention 24 (repeat the other settings)",
        terraform: "resource \"aws_iam_account_password_policy\" \"strict\" {\n  password_reuse_prevention = 24\n}",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.9"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
    ],
    run: run_reuse,
};

fn run_reuse(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(p) = &ctx.snapshot.password_policy else {
        return;
    };
    let want = ctx.config.thresholds.password_reuse_prevention;
    let have = p.password_reuse_prevention.unwrap_or(0);
    if have < want {
        out.emit(
            account(ctx),
            "",
            format!("the password policy remembers {have} previous passwords (required: {want})"),
            vec![Evidence::text(
                "attribute",
                format!("PasswordReusePrevention = {have}"),
            )],
        );
    }
}
