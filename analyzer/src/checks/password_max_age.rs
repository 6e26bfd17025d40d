//! `password-policy-max-age-too-long`: the account password policy lets passwords live
//! forever (no `MaxPasswordAge`), or longer than `thresholds.password_max_age_days`.
//!
//! No policy at all is `password-policy-missing`'s finding. Forced rotation is debated (NIST
//! SP 800-63B advises against it for memorised secrets when breach detection is in place), so
//! the check is low and its threshold configurable; many audit frameworks still ask for it.

use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Passwords never expire, or expire late.
pub static CHECK: Check = Check {
    id: "IAM-027",
    name: "password-policy-max-age-too-long",
    title: "Password policy lets passwords live too long",
    severity: Severity::Low,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "A password that never expires stays valid for as long as it is leaked: in a breach corpus, a phishing kit's log or an old laptop. An expiry bounds that window for IAM users who are not covered by other controls such as MFA.",
    remediation: Remediation {
        console: "IAM console → Account settings → Password policy → Edit: turn on password expiration and set it to 90 days or fewer.",
        cli: "aws iam update-account-password-policy --max-password-age 90 (repeat the other settings: the call replaces the whole policy)",
        terraform: "resource \"aws_iam_account_password_policy\" \"strict\" {\n  max_password_age = 90\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-16",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(p) = &ctx.snapshot.password_policy else {
        return;
    };
    let limit = ctx.config.thresholds.password_max_age_days;
    let (message, evidence) = match p.max_password_age.filter(|d| *d > 0) {
        None => (
            "passwords never expire".to_string(),
            format!(
                "MaxPasswordAge absent, ExpirePasswords = {}",
                p.expire_passwords
            ),
        ),
        Some(days) if days > limit => (
            format!("passwords expire after {days} days (allowed: {limit})"),
            format!("MaxPasswordAge = {days}"),
        ),
        Some(_) => return,
    };
    out.emit(
        Subject::new(
            format!(
                "arn:{}:iam::{}:account-password-policy",
                ctx.snapshot.partition, ctx.snapshot.account_id
            ),
            "iam-password-policy",
        ),
        "",
        format!("the password policy: {message}"),
        vec![Evidence::text("attribute", evidence)],
    );
}
