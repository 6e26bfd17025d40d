//! `admin-user-without-mfa`: an IAM user who is an administrator (the permission graph's
//! notion: every action on every resource across its policies, its groups', Deny statements,
//! its boundary and the organisation's SCPs) and can sign in to the console with a password
//! alone.
//!
//! From the credential report (`password_enabled = true`, `mfa_active = false`) and the graph.
//! `console-user-without-mfa` reports every such user; this check singles out the ones whose
//! password is the whole account: one phished or reused password is a full compromise. A
//! policy that denies everything without MFA does not help here: it lets the user enrol a
//! device, and whoever holds the password can enrol theirs.

use iam_model::policy::Effect;

use super::grants::{actions_text, on_every_resource, statement_evidence, statement_name};
use super::subjects::{cell, user_subject, users_by_arn};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Administrator user with a password and no MFA.
pub static CHECK: Check = Check {
    id: "IAM-037",
    name: "admin-user-without-mfa",
    title: "Administrator IAM user can sign in to the console without MFA",
    severity: Severity::Critical,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "An administrator whose console password is its only factor hands the whole account to anyone who phishes, guesses or reuses that password. A policy that denies everything without MFA does not close the gap: such policies let the user enrol an MFA device, and whoever has the password can enrol their own.",
    remediation: Remediation {
        console: "Have the user enrol a FIDO security key or an authenticator app (IAM console → Users → the user → Security credentials → Assign MFA device) today, or remove the console password (Manage console access → Disable). Better: move administrator work to a role assumed through IAM Identity Center or `sts:AssumeRole` with an `aws:MultiFactorAuthPresent` condition, and take administrator policies off users.",
        cli: "aws iam delete-login-profile --user-name USER (until the user enrols MFA), then aws iam detach-user-policy / remove-user-from-group for the administrator grants",
        terraform: "",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.10", "AWS Security Hub: IAM.5"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#enable-mfa-for-privileged-users",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(report) = &ctx.snapshot.credential_report else {
        return;
    };
    let graph = ctx.graph();
    let users = users_by_arn(ctx);
    for row in report.rows.iter().filter(|r| !r.is_root()) {
        if row.password_enabled != Some(true) || row.mfa_active || !graph.is_admin(&row.arn) {
            continue;
        }
        let mut evidence = vec![
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
        ];
        // The statements that allow everything on `*`, as `principal-has-admin-access` names
        // them.
        if let Some(p) = ctx.account.by_arn(&row.arn) {
            for g in &p.grants {
                let Some(pol) = g.policy else { continue };
                let via = g
                    .via_group
                    .as_deref()
                    .map(|grp| format!(" (through group `{grp}`)"))
                    .unwrap_or_default();
                for (i, st) in pol.statements.iter().enumerate() {
                    if st.effect == Effect::Allow
                        && on_every_resource(st)
                        && st.conditions.is_empty()
                    {
                        evidence.push(statement_evidence(
                            &g.id,
                            i,
                            st,
                            "statement",
                            format!(
                                "{} of `{}`{via} allows {} on `*`",
                                statement_name(i, st),
                                g.id,
                                actions_text(st)
                            ),
                        ));
                    }
                }
            }
        }
        out.emit(
            user_subject(&users, &row.arn),
            "",
            format!(
                "administrator `{}` can sign in to the console with a password alone (no MFA device)",
                row.user
            ),
            evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::grants::{finding_on, run_fixture};
    use crate::config::Config;

    #[test]
    fn names_the_statements_that_make_the_user_admin_and_its_group() {
        let f = run_fixture(&CHECK, &Config::default());
        assert_eq!(f.len(), 2);
        let grouped = finding_on(&f, "user/fail-admin-through-group");
        assert_eq!(grouped.severity, Severity::Critical);
        let st: Vec<&Evidence> = grouped
            .evidence
            .iter()
            .filter(|e| e.kind == "statement")
            .collect();
        assert_eq!(st.len(), 1, "{:?}", grouped.evidence);
        assert_eq!(
            st[0].policy.as_deref(),
            Some("inline:arn:aws:iam::111122223333:group/admins:everything")
        );
        assert!(st[0].text.contains("through group"), "{}", st[0].text);
        assert!(
            grouped
                .evidence
                .iter()
                .any(|e| e.text == "mfa_active = false for fail-admin-through-group")
        );
    }
}
