//! `role-trusts-oidc-without-subject`: a role that an OIDC web identity can assume without a
//! condition that says *which* identity.
//!
//! A trust statement is judged when it allows `sts:AssumeRoleWithWebIdentity` to a
//! `Federated` principal that is an OIDC provider (`arn:…:oidc-provider/<host>`, or one of
//! the built-in web identity providers such as `cognito-identity.amazonaws.com`). The
//! provider's condition keys are `<host>:sub`, `<host>:aud`, ...; a condition counts when its
//! operator is positive (`StringEquals`, `StringLike`, with or without `IfExists`, which makes
//! no difference for claims every token carries).
//!
//! - **GitHub Actions** (`token.actions.githubusercontent.com`): every repository on GitHub
//!   gets tokens from the same issuer with the same audience, so only `sub` says which
//!   repository. Reported, critical, when no `sub` condition exists, or when a `sub` value
//!   admits any repository owner: `*`, `repo:*`, or an owner with a wildcard
//!   (`repo:acme*` also admits `acme-evil`). `repo:acme-corp/*` (every repository of one
//!   owner) is accepted.
//! - **Other OIDC providers**: reported, high, when there is neither a `sub` nor an `aud`
//!   condition (or only values that are wildcards).

use iam_model::policy::{Condition, Effect, PrincipalKind, Principals, Statement};
use iam_model::wildcard::wildcard_match;

use super::grants::{
    conditions_text, emit_at, is_star, key_is, role_subject, statement_evidence, statement_name,
    trust_policies,
};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "IAM-123",
    name: "role-trusts-oidc-without-subject",
    title: "Role trusts an OIDC provider without restricting the subject",
    severity: Severity::Critical,
    category: Category::RiskyTrust,
    service: "iam",
    rationale: "An OIDC provider such as GitHub Actions issues tokens to everyone who uses it: every repository on GitHub gets a token from `token.actions.githubusercontent.com` with audience `sts.amazonaws.com`. A trust policy that checks only the audience, or a subject pattern like `repo:*`, lets any GitHub workflow in the world assume the role. Critical for GitHub; high for other OIDC providers trusted with neither a `sub` nor an `aud` condition.",
    remediation: Remediation {
        console: "IAM console → Roles → the role → Trust relationships → Edit: add `\"StringEquals\": {\"token.actions.githubusercontent.com:sub\": \"repo:OWNER/REPO:environment:production\"}` (or `StringLike` with `repo:OWNER/REPO:*`) next to the `aud` condition. For other providers, condition on the `sub` and `aud` claims they document.",
        cli: "aws iam update-assume-role-policy --role-name NAME --policy-document file://trust.json",
        terraform: "condition {\n  test     = \"StringLike\"\n  variable = \"token.actions.githubusercontent.com:sub\"\n  values   = [\"repo:acme-corp/web-frontend:environment:production\"]\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html#idp_oidc_Create_GitHub",
    ],
    run,
};

/// GitHub Actions' token issuer.
const GITHUB: &str = "token.actions.githubusercontent.com";

/// Web identity providers that are named by host rather than by an `oidc-provider` ARN.
const BUILT_IN_PROVIDERS: &[&str] = &[
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// The provider host of a `Federated` principal, for OIDC providers.
fn oidc_host(value: &str) -> Option<&str> {
    if let Some((_, host)) = value.split_once(":oidc-provider/") {
        return Some(host);
    }
    BUILT_IN_PROVIDERS
        .iter()
        .find(|p| p.eq_ignore_ascii_case(value))
        .map(|_| value)
}

/// A condition on the claim `<host>:<claim>` with a positive operator.
fn on_claim<'c>(st: &'c Statement, host: &str, claim: &str) -> Vec<&'c Condition> {
    let key = format!("{host}:{claim}");
    st.conditions
        .iter()
        .filter(|c| key_is(c, &key) && !c.operator.base.is_negated() && !c.values.is_empty())
        .collect()
}

/// Does a GitHub `sub` pattern admit repositories of any owner?
fn admits_any_repository(value: &str) -> bool {
    let literal_prefix = &value[..value.find(['*', '?']).unwrap_or(value.len())];
    if literal_prefix.len() == value.len() {
        return false;
    }
    match literal_prefix.strip_prefix("repo:") {
        // The owner must be spelt out in full, up to the `/`.
        Some(rest) => !rest.contains('/'),
        // A custom subject template: only a pattern that starts with a wildcard, or one that
        // matches a plain `repo:` subject of a made-up owner, admits everyone.
        None => {
            literal_prefix.is_empty()
                || wildcard_match(
                    value,
                    "repo:iamsight-probe/probe:ref:refs/heads/main",
                    false,
                )
        }
    }
}

/// Why the statement's conditions do not pin the identity, if they do not.
fn problem(st: &Statement, host: &str) -> Option<String> {
    let sub = on_claim(st, host, "sub");
    if host.eq_ignore_ascii_case(GITHUB) || host.to_ascii_lowercase().starts_with(GITHUB) {
        if sub.is_empty() {
            return Some(format!(
                "no condition restricts `{host}:sub`: any GitHub repository can assume the role"
            ));
        }
        // Conditions are AND'ed: one sub condition that pins the owner suffices.
        let pins = |c: &&Condition| {
            c.values
                .iter()
                .all(|v| !admits_any_repository(&v.as_text()))
        };
        if sub.iter().any(pins) {
            return None;
        }
        let wide: Vec<String> = sub
            .iter()
            .flat_map(|c| &c.values)
            .map(|v| v.as_text().into_owned())
            .filter(|v| admits_any_repository(v))
            .collect();
        return Some(format!(
            "the `{host}:sub` condition admits any repository owner: {}",
            wide.iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let aud = on_claim(st, host, "aud");
    let definite = |c: &&Condition| c.values.iter().all(|v| !is_star(&v.as_text()));
    if sub.iter().chain(aud.iter()).any(definite) {
        return None;
    }
    Some(format!(
        "no condition restricts `{host}:sub` or `{host}:aud`: any identity of the provider can assume the role"
    ))
}

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for (role, trust) in trust_policies(ctx) {
        let mut evidence = Vec::new();
        let mut github = false;
        for (i, st) in trust.statements.iter().enumerate() {
            let web_identity = st
                .action
                .patterns
                .iter()
                .any(|p| wildcard_match(p, "sts:AssumeRoleWithWebIdentity", true))
                != st.action.negated;
            if st.effect != Effect::Allow || !web_identity {
                continue;
            }
            let Some(Principals::Listed(ids)) = st
                .principal
                .as_ref()
                .filter(|pc| !pc.negated)
                .map(|pc| &pc.principals)
            else {
                continue;
            };
            for id in ids.iter().filter(|id| id.kind == PrincipalKind::Federated) {
                let Some(host) = oidc_host(&id.value) else {
                    continue;
                };
                let Some(why) = problem(st, host) else {
                    continue;
                };
                github |= host.to_ascii_lowercase().starts_with(GITHUB);
                let cond = if st.conditions.is_empty() {
                    "no conditions".to_string()
                } else {
                    format!("conditions: {}", conditions_text(st))
                };
                evidence.push(statement_evidence(
                    &role.arn,
                    i,
                    st,
                    "statement",
                    format!(
                        "{} trusts `{}` ({cond}): {why}",
                        statement_name(i, st),
                        id.value
                    ),
                ));
            }
        }
        if evidence.is_empty() {
            continue;
        }
        emit_at(
            out,
            if github {
                Severity::Critical
            } else {
                Severity::High
            },
            role_subject(role),
            "",
            if github {
                format!(
                    "role `{}` can be assumed by GitHub Actions workflows of any repository",
                    role.role_name
                )
            } else {
                format!(
                    "role `{}` can be assumed by any web identity of its OIDC provider",
                    role.role_name
                )
            },
            evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_subjects() {
        for wide in [
            "*",
            "repo:*",
            "repo:acme*",
            "repo:*/web:ref:*",
            "*:ref:refs/heads/main",
        ] {
            assert!(admits_any_repository(wide), "{wide}");
        }
        for narrow in [
            "repo:acme-corp/web:environment:production",
            "repo:acme-corp/*",
            "repo:acme-corp/web:*",
            "repository_owner:acme-corp:*",
        ] {
            assert!(!admits_any_repository(narrow), "{narrow}");
        }
    }

    #[test]
    fn oidc_hosts() {
        assert_eq!(
            oidc_host("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"),
            Some(GITHUB)
        );
        assert_eq!(
            oidc_host("arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/AB"),
            Some("oidc.eks.us-east-1.amazonaws.com/id/AB")
        );
        assert_eq!(
            oidc_host("cognito-identity.amazonaws.com"),
            Some("cognito-identity.amazonaws.com")
        );
        assert_eq!(oidc_host("arn:aws:iam::1:saml-provider/Okta"), None);
    }
}
