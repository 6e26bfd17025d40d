//! Character classes of the account password policy: `password-policy-without-symbols`,
//! `password-policy-without-numbers`, `password-policy-without-uppercase` and
//! `password-policy-without-lowercase`, one check per class so each can be suppressed or
//! re-rated on its own.
//!
//! No policy at all is `password-policy-missing`'s finding; these checks judge a policy that
//! exists. CIS AWS Foundations 3.0 dropped the complexity items in favour of length (1.8), so
//! there is no CIS control to map; AWS Security Hub still checks them (IAM.11 to IAM.14).

use iam_model::snapshot::PasswordPolicy;

use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// The password policy's resource, the same as `password_policy.rs` reports on.
fn account(ctx: &Context<'_>) -> Subject {
    Subject::new(
        format!(
            "arn:{}:iam::{}:account-password-policy",
            ctx.snapshot.partition, ctx.snapshot.account_id
        ),
        "iam-password-policy",
    )
}

const REFERENCES: &[&str] = &[
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
    "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html",
];

/// Emits when the policy exists and `required` says the class is not required.
fn judge(
    ctx: &Context<'_>,
    out: &mut Emitter<'_>,
    required: fn(&PasswordPolicy) -> bool,
    field: &str,
    class: &str,
) {
    let Some(p) = &ctx.snapshot.password_policy else {
        return;
    };
    if required(p) {
        return;
    }
    out.emit(
        account(ctx),
        "",
        format!("the password policy does not require {class}"),
        vec![Evidence::text("attribute", format!("{field} = false"))],
    );
}

/// No symbol required.
pub static NO_SYMBOLS: Check = Check {
    id: "IAM-023",
    name: "password-policy-without-symbols",
    title: "Password policy does not require a symbol",
    severity: Severity::Low,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "Without a required symbol, users tend to choose passwords from a much smaller space (words and digits), which dictionary and brute-force attacks search first.",
    remediation: Remediation {
        console: "IAM console → Account settings → Password policy → Edit: require at least one non-alphanumeric character.",
        cli: "aws iam update-account-password-policy --require-symbols (repeat the other settings: the call replaces the whole policy)",
        terraform: "resource \"aws_iam_account_password_policy\" \"strict\" {\n  require_symbols = true\n}",
    },
    compliance: &[],
    references: REFERENCES,
    run: run_symbols,
};

fn run_symbols(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    judge(
        ctx,
        out,
        |p| p.require_symbols,
        "RequireSymbols",
        "a symbol",
    );
}

/// No digit required.
pub static NO_NUMBERS: Check = Check {
    id: "IAM-024",
    name: "password-policy-without-numbers",
    title: "Password policy does not require a number",
    severity: Severity::Low,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "Without a required digit, users may choose passwords made only of letters, a smaller space that dictionary and brute-force attacks search first.",
    remediation: Remediation {
        console: "IAM console → Account settings → Password policy → Edit: require at least one number.",
        cli: "aws iam update-account-password-policy --require-numbers (repeat the other settings: the call replaces the whole policy)",
        terraform: "resource \"aws_iam_account_password_policy\" \"strict\" {\n  require_numbers = true\n}",
    },
    compliance: &[],
    references: REFERENCES,
    run: run_numbers,
};

fn run_numbers(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    judge(
        ctx,
        out,
        |p| p.require_numbers,
        "RequireNumbers",
        "a number",
    );
}

/// No upper-case letter required.
pub static NO_UPPERCASE: Check = Check {
    id: "IAM-025",
    name: "password-policy-without-uppercase",
    title: "Password policy does not require an uppercase letter",
    severity: Severity::Low,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "Without a required uppercase letter, users may choose all-lowercase passwords, a smaller space that dictionary and brute-force attacks search first.",
    remediation: Remediation {
        console: "IAM console → Account settings → Password policy → Edit: require at least one uppercase letter from the Latin alphabet.",
        cli: "aws iam update-account-password-policy --require-uppercase-characters (repeat the other settings: the call replaces the whole policy)",
        terraform: "resource \"aws_iam_account_password_policy\" \"strict\" {\n  require_uppercase_characters = true\n}",
    },
    compliance: &[],
    references: REFERENCES,
    run: run_uppercase,
};

fn run_uppercase(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    judge(
        ctx,
        out,
        |p| p.require_uppercase_characters,
        "RequireUppercaseCharacters",
        "an uppercase letter",
    );
}

/// No lower-case letter required.
pub static NO_LOWERCASE: Check = Check {
    id: "IAM-026",
    name: "password-policy-without-lowercase",
    title: "Password policy does not require a lowercase letter",
    severity: Severity::Low,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "Without a required lowercase letter, users may choose all-uppercase or numeric passwords, a smaller space that dictionary and brute-force attacks search first.",
    remediation: Remediation {
        console: "IAM console → Account settings → Password policy → Edit: require at least one lowercase letter from the Latin alphabet.",
        cli: "aws iam update-account-password-policy --require-lowercase-characters (repeat the other settings: the call replaces the whole policy)",
        terraform: "resource \"aws_iam_account_password_policy\" \"strict\" {\n  require_lowercase_characters = true\n}",
    },
    compliance: &[],
    references: REFERENCES,
    run: run_lowercase,
};

fn run_lowercase(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    judge(
        ctx,
        out,
        |p| p.require_lowercase_characters,
        "RequireLowercaseCharacters",
        "a lowercase letter",
    );
}
