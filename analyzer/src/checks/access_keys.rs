//! IAM user access keys, from the credential report: `access-key-not-rotated`,
//! `unused-access-key`, `access-key-never-used` and `multiple-active-access-keys`.
//!
//! Only *active* keys are judged: an inactive key cannot sign requests. The report's
//! `access_key_N_last_rotated` is the key's creation time, and `access_key_N_last_used_date`
//! is `N/A` (or `no_information`) for a key that was never used.
//!
//! "Unused" splits in two, so every key gets at most one of them:
//! - a key that was used, but not in the last `thresholds.unused_credential_days`, is
//!   `unused-access-key`;
//! - a key that was never used is `access-key-never-used`, but only once it is older than the
//!   same window: a key created yesterday and not used yet is not a finding.
//!
//! The root user's keys are `root-account-with-access-keys`'s findings.

use iam_model::snapshot::{CredentialRow, ReportTime};

use super::subjects::{cell, user_subject, users_by_arn};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// One active access key of a user.
struct ActiveKey<'a> {
    /// The user's row.
    row: &'a CredentialRow,
    /// 1 or 2, as in the report's column names.
    slot: usize,
    /// `access_key_N_last_rotated`: when the key was created.
    created: ReportTime,
    /// `access_key_N_last_used_date`.
    last_used: ReportTime,
    /// `access_key_N_last_used_service`.
    service: Option<&'a str>,
}

impl ActiveKey<'_> {
    fn created_evidence(&self) -> Evidence {
        Evidence::text(
            "credential-report",
            format!(
                "access_key_{}_last_rotated = {} for {}",
                self.slot,
                cell(self.created),
                self.row.user
            ),
        )
    }

    fn used_evidence(&self) -> Evidence {
        Evidence::text(
            "credential-report",
            format!(
                "access_key_{}_last_used_date = {} for {}",
                self.slot,
                cell(self.last_used),
                self.row.user
            ),
        )
    }
}

/// Every active key of every user except root.
fn active_keys<'a>(ctx: &Context<'a>) -> impl Iterator<Item = ActiveKey<'a>> {
    ctx.snapshot
        .credential_report
        .iter()
        .flat_map(|r| &r.rows)
        .filter(|r| !r.is_root())
        .flat_map(|row| {
            row.access_keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k.active)
                .map(move |(i, k)| ActiveKey {
                    row,
                    slot: i + 1,
                    created: k.last_rotated,
                    last_used: k.last_used_date,
                    service: k.last_used_service.as_deref(),
                })
        })
}

/// Key older than the rotation period.
pub static NOT_ROTATED: Check = Check {
    id: "IAM-031",
    name: "access-key-not-rotated",
    title: "Active access key is older than the rotation period",
    severity: Severity::Medium,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "An access key is a long-lived secret that ends up in CI settings, laptops, scripts and logs. The longer it lives, the more copies exist and the longer a leaked copy stays valid. Rotating on a schedule bounds that exposure; better still, replace keys with roles and short-lived credentials.",
    remediation: Remediation {
        console: "IAM console → Users → the user → Security credentials: create a second key, move every consumer to it, deactivate the old key, watch for errors, then delete it. Prefer IAM roles (for workloads on AWS) or IAM Identity Center (for people) over keys.",
        cli: "aws iam create-access-key --user-name USER && aws iam update-access-key --user-name USER --access-key-id OLD_KEY_ID --status Inactive && aws iam delete-access-key --user-name USER --access-key-id OLD_KEY_ID",
        terraform: "# keys created by Terraform end up in state: prefer roles. When a key is unavoidable,\n# rotate it by replacing the aws_iam_access_key resource (terraform apply -replace=...)",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.14"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#rotate-credentials",
    ],
    run: run_not_rotated,
};

fn run_not_rotated(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(now) = ctx.now else {
        return;
    };
    let max = ctx.config.thresholds.access_key_max_age_days;
    let users = users_by_arn(ctx);
    for key in active_keys(ctx) {
        let (row, slot) = (key.row, key.slot);
        let Some(created) = key.created.at() else {
            continue;
        };
        let age = now.days_since(created);
        if age <= max {
            continue;
        }
        out.emit(
            user_subject(&users, &row.arn),
            &format!("key{slot}"),
            format!(
                "user `{}` has an active access key (slot {slot}) created {age} days ago (rotate within {max})",
                row.user
            ),
            vec![key.created_evidence()],
        );
    }
}

/// Key used once, but not recently.
pub static UNUSED: Check = Check {
    id: "IAM-032",
    name: "unused-access-key",
    title: "Active access key not used recently",
    severity: Severity::Medium,
    category: Category::Unused,
    service: "iam",
    rationale: "An active key that nobody uses any more is pure risk: it still works if it leaks from an old laptop, repository or backup, and nobody would notice its use. CIS asks to disable credentials unused for 45 days.",
    remediation: Remediation {
        console: "IAM console → Users → the user → Security credentials → the key → Actions → Deactivate. Delete it after a grace period in which nothing breaks.",
        cli: "aws iam update-access-key --user-name USER --access-key-id KEY_ID --status Inactive",
        terraform: "# remove the aws_iam_access_key resource, or set\n#   status = \"Inactive\"",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.12"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
    ],
    run: run_unused,
};

fn run_unused(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(now) = ctx.now else {
        return;
    };
    let window = ctx.config.thresholds.unused_credential_days;
    let users = users_by_arn(ctx);
    for key in active_keys(ctx) {
        let (row, slot) = (key.row, key.slot);
        let Some(used) = key.last_used.at() else {
            continue;
        };
        let age = now.days_since(used);
        if age < window {
            continue;
        }
        let service = key.service.map(|s| format!(" for {s}")).unwrap_or_default();
        out.emit(
            user_subject(&users, &row.arn),
            &format!("key{slot}"),
            format!(
                "user `{}` has an active access key (slot {slot}) last used {age} days ago{service} (window: {window} days)",
                row.user
            ),
            vec![
                Evidence::text(
                    "credential-report",
                    format!("access_key_{slot}_active = true for {}", row.user),
                ),
                key.used_evidence(),
            ],
        );
    }
}

/// Key never used since it was created.
pub static NEVER_USED: Check = Check {
    id: "IAM-033",
    name: "access-key-never-used",
    title: "Active access key never used since it was created",
    severity: Severity::Medium,
    category: Category::Unused,
    service: "iam",
    rationale: "A key that was created and never used is usually one made \"just in case\" at user setup, or a rotation left half done. It widens the attack surface for nothing; CIS asks not to create keys at user setup and to remove credentials unused for 45 days.",
    remediation: Remediation {
        console: "IAM console → Users → the user → Security credentials → the key → Actions → Deactivate, then Delete. Let the user create a key when (and if) they need one.",
        cli: "aws iam delete-access-key --user-name USER --access-key-id KEY_ID",
        terraform: "# remove the aws_iam_access_key resource",
    },
    compliance: &[
        "CIS AWS Foundations 3.0: 1.11",
        "CIS AWS Foundations 3.0: 1.12",
    ],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
    ],
    run: run_never_used,
};

fn run_never_used(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(now) = ctx.now else {
        return;
    };
    let window = ctx.config.thresholds.unused_credential_days;
    let users = users_by_arn(ctx);
    for key in active_keys(ctx) {
        let (row, slot) = (key.row, key.slot);
        if key.last_used.at().is_some() {
            continue;
        }
        // Without a creation time the key's age is unknown: too new to judge, maybe.
        let Some(created) = key.created.at() else {
            continue;
        };
        let age = now.days_since(created);
        if age < window {
            continue;
        }
        out.emit(
            user_subject(&users, &row.arn),
            &format!("key{slot}"),
            format!(
                "user `{}` has an active access key (slot {slot}) created {age} days ago and never used",
                row.user
            ),
            vec![
                key.created_evidence(),
                key.used_evidence(),
            ],
        );
    }
}

/// Two active keys.
pub static MULTIPLE_ACTIVE: Check = Check {
    id: "IAM-034",
    name: "multiple-active-access-keys",
    title: "IAM user has two active access keys",
    severity: Severity::Low,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "Two active keys are normal only for the minutes of a rotation. Left that way, the old key keeps working after it should have been retired, and nobody knows which consumer uses which key.",
    remediation: Remediation {
        console: "IAM console → Users → the user → Security credentials: find which key is still in use (Last used), move its consumers to one key, deactivate the other and delete it.",
        cli: "aws iam list-access-keys --user-name USER && aws iam update-access-key --user-name USER --access-key-id OLD_KEY_ID --status Inactive",
        terraform: "",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.13"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
    ],
    run: run_multiple,
};

fn run_multiple(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(report) = &ctx.snapshot.credential_report else {
        return;
    };
    let users = users_by_arn(ctx);
    for row in report.rows.iter().filter(|r| !r.is_root()) {
        if !row.access_keys.iter().all(|k| k.active) {
            continue;
        }
        out.emit(
            user_subject(&users, &row.arn),
            "",
            format!("user `{}` has two active access keys", row.user),
            (1..=2)
                .map(|slot| {
                    Evidence::text(
                        "credential-report",
                        format!("access_key_{slot}_active = true for {}", row.user),
                    )
                })
                .collect(),
        );
    }
}
