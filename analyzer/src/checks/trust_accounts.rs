//! Who a role's trust policy admits: `role-trusts-any-principal`,
//! `role-trusts-external-account-without-external-id` and `role-trusts-unknown-account`.
//!
//! Only Allow statements that allow assuming the role (`sts:AssumeRole`, and for "any
//! principal" also `sts:AssumeRoleWithWebIdentity` and `sts:AssumeRoleWithSAML`) count.
//! Service-linked roles are AWS's and are not judged; a trust policy that does not parse is
//! `invalid-policy-document`'s.
//!
//! **Any principal.** `"Principal": "*"`, `{"AWS": "*"}` or a `NotPrincipal`. Critical
//! without conditions. With conditions, the statement is fine when one of them restricts the
//! caller to an organisation or account — `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`,
//! `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceAccount`, `aws:SourceArn`,
//! `aws:SourceOrgID`, `aws:SourceOrgPaths`, with a positive operator, no `IfExists` and no
//! wildcard in the organisation or account part — and high otherwise (an MFA or source-IP
//! condition still admits every AWS account in the world).
//!
//! **External account without ExternalId.** A principal of another account (its root, a
//! bare account id, or a user or role ARN) that is neither this account, nor one of the
//! organisation's accounts (when the snapshot lists them), nor listed in `known_accounts`, with no `sts:ExternalId` condition and no organisation condition
//! (`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`): the confused-deputy case. High when the
//! whole account is trusted, medium for one named principal of it. One finding per role and
//! account.
//!
//! **Unknown account.** Every account trusted that is not this one, not the organisation's
//! and not in `known_accounts`, whatever the conditions: an inventory of third parties to review. Medium;
//! low when every statement trusting it requires `sts:ExternalId` or an organisation. One
//! finding per role and account.

use std::collections::BTreeMap;

use iam_model::policy::{Condition, Effect, PrincipalKind, Principals, Statement};
use iam_model::wildcard::wildcard_match;

use super::grants::{
    conditions_text, emit_at, key_is, narrows, role_subject, statement_evidence, statement_name,
    trust_policies,
};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Trust to everyone.
pub static ANY_PRINCIPAL: Check = Check {
    id: "IAM-120",
    name: "role-trusts-any-principal",
    title: "Role can be assumed by any AWS principal",
    severity: Severity::Critical,
    category: Category::RiskyTrust,
    service: "iam",
    rationale: "A trust policy with `\"Principal\": {\"AWS\": \"*\"}` lets any identity in any AWS account — anyone can create one — assume the role and act with its permissions, unless a condition ties the caller to your organisation or accounts (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn, aws:SourceAccount). Critical without conditions; high when the conditions present (MFA, source IP, an external id) do not restrict who the caller is.",
    remediation: Remediation {
        console: "IAM console → Roles → the role → Trust relationships → Edit: replace `\"AWS\": \"*\"` with the accounts or roles that must assume it, or add `\"Condition\": {\"StringEquals\": {\"aws:PrincipalOrgID\": \"o-xxxxxxxxxx\"}}`.",
        cli: "aws iam update-assume-role-policy --role-name NAME --policy-document file://trust.json",
        terraform: "data \"aws_iam_policy_document\" \"trust\" {\n  statement {\n    actions = [\"sts:AssumeRole\"]\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"arn:aws:iam::111122223333:root\"]\n    }\n  }\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid",
    ],
    run: run_any_principal,
};

/// Trust to an external account without an external id.
pub static EXTERNAL_WITHOUT_EXTERNAL_ID: Check = Check {
    id: "IAM-121",
    name: "role-trusts-external-account-without-external-id",
    title: "Role trusts another AWS account without requiring sts:ExternalId",
    severity: Severity::High,
    category: Category::RiskyTrust,
    service: "iam",
    rationale: "When a third party assumes a role in your account on your behalf, the trust policy must require the `sts:ExternalId` the party gave you; otherwise any other customer of that party can make it assume your role (the confused-deputy problem). Accounts of your own organisation can be admitted with an `aws:PrincipalOrgID` condition instead; the organisation's accounts (when the snapshot lists them) and accounts listed in `known_accounts` are not reported. High when the whole external account is trusted, medium for one named principal of it.",
    remediation: Remediation {
        console: "IAM console → Roles → the role → Trust relationships → Edit: add `\"Condition\": {\"StringEquals\": {\"sts:ExternalId\": \"<the id the third party gave you>\"}}`; for your own accounts add `aws:PrincipalOrgID` and list them in `known_accounts`.",
        cli: "aws iam update-assume-role-policy --role-name NAME --policy-document file://trust-with-external-id.json",
        terraform: "condition {\n  test     = \"StringEquals\"\n  variable = \"sts:ExternalId\"\n  values   = [var.external_id]\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html",
    ],
    run: run_external_without_external_id,
};

/// Trust to an account not listed as known.
pub static UNKNOWN_ACCOUNT: Check = Check {
    id: "IAM-122",
    name: "role-trusts-unknown-account",
    title: "Role trusts an AWS account not listed as known",
    severity: Severity::Medium,
    category: Category::RiskyTrust,
    service: "iam",
    rationale: "Every account a trust policy admits can act in yours with the role's permissions. Accounts of your organisation (when the snapshot lists them) are not reported; other accounts you trust on purpose (partners') belong in `known_accounts` in iamsight.toml; any other one is either a forgotten integration or a backdoor. Medium; low when the trust requires `sts:ExternalId` or an organisation condition.",
    remediation: Remediation {
        console: "Find out who owns the account. If the trust is intended, add the account to `known_accounts` in iamsight.toml; if not, remove it from the role's trust policy (IAM console → Roles → the role → Trust relationships).",
        cli: "aws iam update-assume-role-policy --role-name NAME --policy-document file://trust.json",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html",
    ],
    run: run_unknown_account,
};

/// Condition keys that restrict the caller to an organisation or account, with how the
/// value's identifying part is found.
const RESTRICTING_KEYS: &[(&str, Identifies)] = &[
    ("aws:PrincipalOrgID", Identifies::Whole),
    ("aws:PrincipalOrgPaths", Identifies::FirstSegment),
    ("aws:PrincipalAccount", Identifies::Whole),
    ("aws:PrincipalArn", Identifies::ArnAccount),
    ("aws:SourceAccount", Identifies::Whole),
    ("aws:SourceArn", Identifies::ArnAccount),
    ("aws:SourceOrgID", Identifies::Whole),
    ("aws:SourceOrgPaths", Identifies::FirstSegment),
];

/// Condition keys that admit an organisation.
const ORG_KEYS: &[&str] = &["aws:PrincipalOrgID", "aws:PrincipalOrgPaths"];

/// The part of a condition value that names the organisation or account.
#[derive(Copy, Clone, Debug)]
enum Identifies {
    /// The whole value (`o-abc`, `111122223333`).
    Whole,
    /// Up to the first `/` (`o-abc/r-1/ou-2/`).
    FirstSegment,
    /// The account field of an ARN.
    ArnAccount,
}

/// Does the condition restrict the caller to an organisation or account?
fn restricts_caller(c: &Condition) -> bool {
    let Some((_, how)) = RESTRICTING_KEYS.iter().find(|(k, _)| key_is(c, k)) else {
        return false;
    };
    let definite = |v: &str| {
        let part = match how {
            Identifies::Whole => v,
            Identifies::FirstSegment => v.split('/').next().unwrap_or_default(),
            Identifies::ArnAccount => v.split(':').nth(4).unwrap_or_default(),
        };
        !part.is_empty() && !part.contains(['*', '?'])
    };
    narrows(c) && c.values.iter().all(|v| definite(&v.as_text()))
}

/// Does the statement allow assuming the role with one of these actions?
fn allows_assume(st: &Statement, actions: &[&str]) -> bool {
    st.effect == Effect::Allow
        && actions.iter().any(|a| {
            let named = st
                .action
                .patterns
                .iter()
                .any(|p| wildcard_match(p, a, true));
            named != st.action.negated
        })
}

const ASSUME_ANY: &[&str] = &[
    "sts:AssumeRole",
    "sts:AssumeRoleWithWebIdentity",
    "sts:AssumeRoleWithSAML",
];

/// How the statement admits everyone, if it does.
fn everyone(st: &Statement) -> Option<&'static str> {
    let pc = st.principal.as_ref()?;
    if pc.negated {
        return Some("NotPrincipal (everyone but the listed principals)");
    }
    match &pc.principals {
        Principals::Any => Some("Principal \"*\""),
        Principals::Listed(ids) => ids
            .iter()
            .any(|id| id.kind == PrincipalKind::Aws && id.value == "*")
            .then_some("Principal {\"AWS\": \"*\"}"),
    }
}

fn run_any_principal(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (role, trust) in trust_policies(ctx) {
        let mut evidence = Vec::new();
        let mut unconditional = false;
        for (i, st) in trust.statements.iter().enumerate() {
            if !allows_assume(st, ASSUME_ANY) {
                continue;
            }
            let Some(who) = everyone(st) else { continue };
            if st.conditions.iter().any(restricts_caller) {
                continue;
            }
            let text = if st.conditions.is_empty() {
                unconditional = true;
                format!(
                    "{} allows {who} to assume the role, with no condition",
                    statement_name(i, st)
                )
            } else {
                format!(
                    "{} allows {who} to assume the role; its conditions do not restrict the caller to an organisation or account: {}",
                    statement_name(i, st),
                    conditions_text(st)
                )
            };
            evidence.push(statement_evidence(&role.arn, i, st, "statement", text));
        }
        if evidence.is_empty() {
            continue;
        }
        emit_at(
            out,
            if unconditional {
                Severity::Critical
            } else {
                Severity::High
            },
            role_subject(role),
            "",
            format!(
                "role `{}` can be assumed by any AWS principal{}",
                role.role_name,
                if unconditional {
                    ""
                } else {
                    " that meets conditions anyone can meet"
                }
            ),
            evidence,
        );
    }
}

/// The account of a principal named in a trust policy, when it is not this one.
fn external_account(value: &str, own: &str) -> Option<String> {
    let account = if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        value.to_string()
    } else {
        let arn: iam_model::Arn = value.parse().ok()?;
        if !matches!(arn.service.as_str(), "iam" | "sts") {
            return None;
        }
        arn.account
    };
    let valid = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (valid && account != own).then_some(account)
}

/// Is the value the whole account (its root, or the bare id)?
fn whole_account(value: &str) -> bool {
    !value.starts_with("arn:") || value.ends_with(":root")
}

/// One statement's trust in one external account.
struct Trusted<'p> {
    index: usize,
    statement: &'p Statement,
    principal: String,
    external_id: bool,
    org: bool,
}

/// Every external account neither in `known_accounts` nor among the organisation's accounts
/// (when the snapshot lists them) that the role trusts to `sts:AssumeRole`, with the
/// statements that trust it.
fn unknown_accounts<'p>(
    ctx: &Context<'_>,
    trust: &'p iam_model::policy::Policy,
) -> BTreeMap<String, Vec<Trusted<'p>>> {
    let own = ctx.snapshot.account_id.as_str();
    let known = &ctx.config.known_accounts;
    let mut out: BTreeMap<String, Vec<Trusted<'p>>> = BTreeMap::new();
    for (i, st) in trust.statements.iter().enumerate() {
        if !allows_assume(st, &["sts:AssumeRole"]) {
            continue;
        }
        let Some(pc) = st.principal.as_ref().filter(|pc| !pc.negated) else {
            continue;
        };
        let Principals::Listed(ids) = &pc.principals else {
            continue;
        };
        let external_id = st
            .conditions
            .iter()
            .any(|c| narrows(c) && key_is(c, "sts:ExternalId"));
        let org = st
            .conditions
            .iter()
            .any(|c| restricts_caller(c) && ORG_KEYS.iter().any(|k| key_is(c, k)));
        for id in ids.iter().filter(|id| id.kind == PrincipalKind::Aws) {
            let Some(account) = external_account(&id.value, own) else {
                continue;
            };
            // Accounts the organisation lists are its own, as those in `known_accounts` are
            // trusted on purpose.
            if known.iter().any(|k| k == &account)
                || ctx.account.organisation.contains(&account) == Some(true)
            {
                continue;
            }
            out.entry(account).or_default().push(Trusted {
                index: i,
                statement: st,
                principal: id.value.clone(),
                external_id,
                org,
            });
        }
    }
    out
}

fn trust_evidence(role_arn: &str, t: &Trusted<'_>) -> Evidence {
    let guard = match (t.external_id, t.org) {
        (true, _) => "requires sts:ExternalId",
        (false, true) => "requires an organisation",
        (false, false) => "requires neither sts:ExternalId nor an organisation",
    };
    statement_evidence(
        role_arn,
        t.index,
        t.statement,
        "statement",
        format!(
            "{} trusts `{}`; it {guard}{}",
            statement_name(t.index, t.statement),
            t.principal,
            if t.statement.conditions.is_empty() {
                String::new()
            } else {
                format!(" (conditions: {})", conditions_text(t.statement))
            }
        ),
    )
}

fn run_external_without_external_id(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (role, trust) in trust_policies(ctx) {
        for (account, trusted) in unknown_accounts(ctx, trust) {
            let open: Vec<&Trusted<'_>> = trusted
                .iter()
                .filter(|t| !t.external_id && !t.org)
                .collect();
            if open.is_empty() {
                continue;
            }
            let whole = open.iter().any(|t| whole_account(&t.principal));
            emit_at(
                out,
                if whole {
                    Severity::High
                } else {
                    Severity::Medium
                },
                role_subject(role),
                &account,
                format!(
                    "role `{}` trusts {} without requiring sts:ExternalId or an organisation",
                    role.role_name,
                    if whole {
                        format!("the whole account {account}")
                    } else {
                        format!("a principal of account {account}")
                    }
                ),
                open.iter().map(|t| trust_evidence(&role.arn, t)).collect(),
            );
        }
    }
}

fn run_unknown_account(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (role, trust) in trust_policies(ctx) {
        for (account, trusted) in unknown_accounts(ctx, trust) {
            let guarded = trusted.iter().all(|t| t.external_id || t.org);
            let mut evidence: Vec<Evidence> = trusted
                .iter()
                .map(|t| trust_evidence(&role.arn, t))
                .collect();
            evidence.push(Evidence::text(
                "config",
                format!("account {account} is not in `known_accounts`"),
            ));
            emit_at(
                out,
                if guarded {
                    Severity::Low
                } else {
                    Severity::Medium
                },
                role_subject(role),
                &account,
                format!(
                    "role `{}` trusts account {account}, which is not listed as known{}",
                    role.role_name,
                    if guarded {
                        " (the trust requires sts:ExternalId or an organisation)"
                    } else {
                        ""
                    }
                ),
                evidence,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::grants::{finding_on, run_fixture};
    use crate::config::Config;

    #[test]
    fn severities_follow_the_conditions() {
        let f = run_fixture(&ANY_PRINCIPAL, &Config::default());
        assert_eq!(
            finding_on(&f, "role/fail-open-role").severity,
            Severity::Critical
        );
        assert_eq!(
            finding_on(&f, "role/fail-mfa-only").severity,
            Severity::High
        );
        let f = run_fixture(&EXTERNAL_WITHOUT_EXTERNAL_ID, &Config::default());
        assert_eq!(
            finding_on(&f, "role/fail-partner-root").severity,
            Severity::High
        );
        assert_eq!(
            finding_on(&f, "role/fail-partner-role").severity,
            Severity::Medium
        );
        let f = run_fixture(&UNKNOWN_ACCOUNT, &Config::default());
        assert_eq!(
            finding_on(&f, "role/fail-partner").severity,
            Severity::Medium
        );
        assert_eq!(
            finding_on(&f, "role/fail-vendor-with-external-id").severity,
            Severity::Low
        );
    }

    #[test]
    fn known_accounts_are_not_reported() {
        let config = Config {
            known_accounts: vec!["444455556666".to_string(), "210987654321".to_string()],
            ..Config::default()
        };
        let f = run_fixture(&UNKNOWN_ACCOUNT, &config);
        assert!(
            f.is_empty(),
            "{:?}",
            f.iter().map(|f| &f.resource).collect::<Vec<_>>()
        );
        let f = run_fixture(&EXTERNAL_WITHOUT_EXTERNAL_ID, &config);
        let flagged: Vec<&str> = f.iter().map(|f| f.resource.as_str()).collect();
        assert_eq!(
            flagged,
            ["arn:aws:iam::111122223333:role/fail-bare-account-mfa"]
        );
    }

    #[test]
    fn external_accounts() {
        let own = "111122223333";
        assert_eq!(
            external_account("arn:aws:iam::444455556666:root", own).as_deref(),
            Some("444455556666")
        );
        assert_eq!(
            external_account("444455556666", own).as_deref(),
            Some("444455556666")
        );
        assert_eq!(
            external_account("arn:aws:sts::444455556666:assumed-role/r/s", own).as_deref(),
            Some("444455556666")
        );
        assert_eq!(
            external_account("arn:aws:iam::111122223333:root", own),
            None
        );
        assert_eq!(external_account("AROAEXAMPLEUNIQUEID", own), None);
        assert_eq!(external_account("*", own), None);
        assert!(whole_account("444455556666") && whole_account("arn:aws:iam::4:root"));
        assert!(!whole_account("arn:aws:iam::444455556666:role/auditor"));
    }
}
