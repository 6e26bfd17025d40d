//! The generator is deterministic, and what it generates loads and analyses like a real
//! account: findings in several categories, escalation paths included. No timings here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed unwrap is a test failure"
)]

use std::collections::BTreeSet;

use analyzer::config::Config;
use analyzer::{Selection, analyze};
use iam_model::snapshot::Snapshot;
use iamsight_tools::{Params, generate, to_json};

fn small(seed: u64) -> Params {
    Params::preset("small", seed).unwrap()
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = to_json(&generate(&small(1)));
    let b = to_json(&generate(&small(1)));
    let c = to_json(&generate(&small(2)));
    assert!(a == b, "the same seed produced different output");
    assert_ne!(a, c, "different seeds produced the same output");
}

#[test]
fn counts_follow_the_parameters() {
    let p = Params {
        users: 7,
        roles: 31,
        groups: 9,
        policies: 23,
        seed: 5,
    };
    let s = generate(&p);
    let d = &s.authorization_details;
    assert_eq!(d.users.len(), 7);
    assert_eq!(d.roles.len(), 31);
    assert_eq!(d.groups.len(), 9);
    let customer = d.policies.iter().filter(|p| !p.is_aws_managed()).count();
    assert_eq!(customer, 23);
    let names: BTreeSet<&str> = d
        .users
        .iter()
        .map(|u| u.user_name.as_str())
        .chain(d.roles.iter().map(|r| r.role_name.as_str()))
        .collect();
    assert_eq!(names.len(), 7 + 31, "principal names are unique");
}

#[test]
fn small_account_loads_and_analyses_with_findings_in_several_categories() {
    let json = to_json(&generate(&small(1)));
    let snap = Snapshot::from_json_str(&json).expect("the generated snapshot loads");
    assert_eq!(snap.authorization_details.users.len(), 50);
    assert_eq!(snap.authorization_details.roles.len(), 200);
    assert!(snap.credential_report.is_some());
    // Every document parses: nothing is accidentally invalid.
    for p in &snap.authorization_details.policies {
        for v in &p.policy_version_list {
            assert!(v.document.policy().is_ok(), "{} {}", p.arn, v.version_id);
        }
    }
    for r in &snap.authorization_details.roles {
        let trust = r.assume_role_policy_document.as_ref().unwrap();
        assert!(trust.policy().is_ok(), "{}", r.arn);
    }

    let report = analyze(&snap, &Config::default(), &Selection::default());
    let open: Vec<_> = report.findings.iter().collect();
    let checks: BTreeSet<&str> = open.iter().map(|f| f.check.as_str()).collect();
    let categories: BTreeSet<String> = open.iter().map(|f| format!("{:?}", f.category)).collect();
    assert!(
        categories.len() >= 8,
        "findings in only {} categories: {categories:?}",
        categories.len()
    );
    for must in [
        "principal-can-escalate-to-admin",
        "principal-has-admin-access",
        "policy-grants-service-wildcard",
        "policy-allows-notaction-or-notresource",
        "policy-allows-passrole-to-any-role",
        "policy-names-unknown-action",
        "role-trusts-any-principal",
        "role-trusts-external-account-without-external-id",
        "unused-iam-role",
        "unused-permissions",
        "security-group-open-to-world-ssh",
        "s3-bucket-public-policy",
        "ebs-volume-unencrypted",
        "instance-imdsv1-allowed",
        "resource-missing-required-tags",
    ] {
        assert!(checks.contains(must), "no `{must}` finding; got {checks:?}");
    }
    // Escalation through iam:PassRole + Lambda and through CreatePolicyVersion on an own
    // policy, and not everyone is admin.
    let esc: Vec<_> = open
        .iter()
        .filter(|f| f.check == "principal-can-escalate-to-admin")
        .collect();
    let text = format!("{esc:?}");
    assert!(
        text.contains("passrole-lambda"),
        "no PassRole + Lambda path"
    );
    assert!(
        text.contains("iam-create-policy-version"),
        "no CreatePolicyVersion path"
    );
    let admins = open
        .iter()
        .filter(|f| f.check == "principal-has-admin-access")
        .count();
    assert!(
        admins < 250 / 10,
        "{admins} admin findings: too many admins for 250 principals"
    );
}
