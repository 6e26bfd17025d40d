//! The escalation fixtures (`fixtures/escalation/<method-id>.json`): one account per method,
//! each with principals that escalate through it and look-alikes that must not.
//!
//! Naming convention, per user or role:
//! - `escalates-*`: reaches admin, and the path uses the file's method; no step is conditional,
//!   except for the methods that are conditional by design (their step must be conditional);
//! - `safe-*`: never reaches admin;
//! - `conditional-*`: reaches admin only through a step the snapshot cannot settle.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::json;

use super::*;
use iam_model::snapshot::Snapshot;

/// Methods whose step is conditional by design: the existing-resource methods
/// ([`Target::ServiceRole`]), since the snapshot has no inventory of the resources (functions,
/// endpoints, projects, notebooks, stacks) that would run as the role.
fn conditional_by_design(m: &Method) -> bool {
    m.target == Target::ServiceRole
}

fn fixture_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/escalation"
    ))
}

fn describe(path: &EscalationPath) -> String {
    path.steps
        .iter()
        .map(|s| {
            format!(
                "{} -[{}{}]-> {}",
                s.from,
                s.method,
                if s.conditional { ", conditional" } else { "" },
                s.to
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Checks one fixture; returns its problems.
fn check_fixture(id: &str, snap: &Snapshot) -> Vec<String> {
    let mut problems = Vec::new();
    let account = Account::new(snap);
    let g = PermissionGraph::build(&account, Catalog::embedded());
    let Some(m) = method(id) else {
        return vec![format!("{id}: no such method in METHODS")];
    };
    let by_design = conditional_by_design(m);
    let (mut escalates, mut safe) = (0, 0);
    let mut split = false;
    for p in account
        .principals
        .iter()
        .filter(|p| p.kind != PrincipalKind::Group)
    {
        let path = g.path_to_admin(p.arn);
        if p.name.starts_with("escalates-") {
            escalates += 1;
            let Some(path) = path else {
                problems.push(format!(
                    "{id}: {} should escalate, has no path to admin",
                    p.arn
                ));
                continue;
            };
            let mut used: Vec<Step> = path
                .steps
                .iter()
                .filter(|s| s.method == id)
                .cloned()
                .collect();
            if used.is_empty() {
                // Another method of the same cost may have been chosen for the first step
                // (a launch template also needs ec2:RunInstances): the file's method must then
                // be an equal alternative, to the same target.
                let first = &path.steps[0];
                used.extend(g.steps_from(p.arn).into_iter().filter(|s| {
                    s.method == id && s.to == first.to && s.conditional == first.conditional
                }));
            }
            if used.is_empty() {
                problems.push(format!(
                    "{id}: {} escalates, but not through {id}: {}",
                    p.arn,
                    describe(&path)
                ));
            }
            if by_design {
                if used.iter().any(|s| !s.conditional) {
                    problems.push(format!(
                        "{id}: {} should be conditional (by design): {}",
                        p.arn,
                        describe(&path)
                    ));
                }
            } else if path.steps.iter().any(|s| s.conditional) {
                problems.push(format!(
                    "{id}: {} should escalate unconditionally: {}",
                    p.arn,
                    describe(&path)
                ));
            }
            // Required actions split across two policies: the step cites both.
            split |= used.iter().any(|s| {
                s.statements
                    .iter()
                    .map(|r| &r.policy)
                    .collect::<BTreeSet<_>>()
                    .len()
                    >= 2
            });
        } else if p.name.starts_with("safe-") {
            safe += 1;
            if let Some(path) = path {
                problems.push(format!(
                    "{id}: {} should not escalate: {}",
                    p.arn,
                    describe(&path)
                ));
            }
        } else if p.name.starts_with("conditional-") {
            match path {
                None => problems.push(format!(
                    "{id}: {} should escalate conditionally, has no path to admin",
                    p.arn
                )),
                Some(path) if !path.steps.iter().any(|s| s.conditional) => {
                    problems.push(format!(
                        "{id}: {} should escalate only conditionally: {}",
                        p.arn,
                        describe(&path)
                    ));
                }
                Some(_) => {}
            }
        }
    }
    if escalates == 0 || safe == 0 {
        problems.push(format!(
            "{id}: needs escalates-* and safe-* principals ({escalates} and {safe})"
        ));
    }
    if m.requires.len() >= 2 && !split {
        problems.push(format!(
            "{id}: no escalates-* principal has the method's actions split across two policies"
        ));
    }
    problems
}

#[test]
fn every_method_is_proven_by_its_fixture() {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(fixture_dir())
        .expect("fixtures/escalation")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    for path in entries {
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if method(&id).is_none() {
            problems.push(format!("{}: names no method in METHODS", path.display()));
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read fixture");
        match Snapshot::from_json_str(&text) {
            Ok(snap) => problems.extend(check_fixture(&id, &snap)),
            Err(e) => problems.push(format!("{id}: does not load: {e}")),
        }
        seen.insert(id);
    }
    for m in METHODS {
        if !seen.contains(m.id) {
            problems.push(format!(
                "{}: no fixture fixtures/escalation/{}.json",
                m.id, m.id
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

const ACCOUNT: &str = "111122223333";

fn user(name: &str, statements: serde_json::Value, managed: &[&str]) -> serde_json::Value {
    json!({
        "UserName": name,
        "Arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        "CreateDate": "2025-01-15T09:00:00Z",
        "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": statements}}],
        "AttachedManagedPolicies": managed.iter().map(|a| json!({"PolicyName": "AdministratorAccess", "PolicyArn": a})).collect::<Vec<_>>(),
    })
}

fn snapshot(users: Vec<serde_json::Value>) -> Snapshot {
    snapshot_with_roles(users, Vec::new())
}

fn snapshot_with_roles(users: Vec<serde_json::Value>, roles: Vec<serde_json::Value>) -> Snapshot {
    let admin = json!({
        "PolicyName": "AdministratorAccess",
        "Arn": "arn:aws:iam::aws:policy/AdministratorAccess",
        "DefaultVersionId": "v1",
        "PolicyVersionList": [{
            "Document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
            "VersionId": "v1",
            "IsDefaultVersion": true
        }]
    });
    let s = json!({
        "iamsight_snapshot": 1,
        "account_id": ACCOUNT,
        "collected_at": "2026-11-30T12:00:00Z",
        "authorization_details": {"UserDetailList": users, "RoleDetailList": roles, "Policies": [admin]},
    });
    Snapshot::from_json_str(&s.to_string()).expect("synthetic snapshot")
}

fn power_edges(g: &PermissionGraph) -> usize {
    g.graph
        .edge_references()
        .filter(|e| matches!(e.weight().kind, EdgeKind::Escalates | EdgeKind::Covers))
        .count()
}

#[test]
fn broad_grants_share_one_pattern_node() {
    const N: usize = 300;
    // Each key maker also holds one action no other has: they are all worth reaching from
    // one another, so a pattern node per principal (each without itself) would be N x N.
    let own: Vec<String> = Catalog::embedded()
        .actions()
        .map(|a| a.full_name())
        .filter(|a| !a.starts_with("iam:"))
        .take(N)
        .collect();
    let mut users = Vec::new();
    for (i, extra) in own.iter().enumerate() {
        let grant =
            json!([{"Effect": "Allow", "Action": ["iam:CreateAccessKey", extra], "Resource": "*"}]);
        users.push(user(&format!("keys-{i}"), grant, &[]));
    }
    for i in 0..N {
        // Worth reaching (they read S3); one is admin.
        let managed: &[&str] = if i == 0 {
            &["arn:aws:iam::aws:policy/AdministratorAccess"]
        } else {
            &[]
        };
        users.push(user(
            &format!("reader-{i}"),
            json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]),
            managed,
        ));
    }
    let snap = snapshot(users);
    let g = PermissionGraph::build(&Account::new(&snap), Catalog::embedded());
    const { assert!(N >= PATTERN_NODE_MIN) };
    let edges = power_edges(&g);
    assert!(
        edges < 3 * 2 * N,
        "{edges} escalates + covers edges for {} principals",
        2 * N
    );
    assert!(
        g.nodes().any(|n| n.kind == NodeKind::Pattern),
        "no pattern node"
    );
    for i in [0, 7, N - 1] {
        let path = g
            .path_to_admin(&format!("arn:aws:iam::{ACCOUNT}:user/keys-{i}"))
            .expect("a key maker reaches admin");
        assert_eq!(path.steps.len(), 1, "{}", describe(&path));
        assert_eq!(path.steps[0].method, "iam-create-access-key");
        assert_eq!(
            path.steps[0].to,
            format!("arn:aws:iam::{ACCOUNT}:user/reader-0")
        );
    }
}

#[test]
fn pattern_shortcut_honours_the_resource_scope() {
    // A grant on user/team/* with enough targets for the shortcut must not reach the admin
    // outside /team/, whatever the order of the targets.
    let read = json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]);
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    let scoped = json!([{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": format!("arn:aws:iam::{ACCOUNT}:user/team/*")}]);
    for admin_first in [false, true] {
        let mut users = Vec::new();
        if admin_first {
            users.push(user("boss", read.clone(), &[admin]));
        }
        for i in 0..PATTERN_NODE_MIN + 1 {
            let mut u = user(&format!("dev-{i}"), read.clone(), &[]);
            u["Path"] = json!("/team/");
            u["Arn"] = json!(format!("arn:aws:iam::{ACCOUNT}:user/team/dev-{i}"));
            users.push(u);
        }
        if !admin_first {
            users.push(user("boss", read.clone(), &[admin]));
        }
        users.push(user("helper", scoped.clone(), &[]));
        let snap = snapshot(users);
        let g = PermissionGraph::build(&Account::new(&snap), Catalog::embedded());
        let helper = format!("arn:aws:iam::{ACCOUNT}:user/helper");
        if let Some(path) = g.path_to_admin(&helper) {
            panic!("admin first: {admin_first}: {}", describe(&path));
        }
        let steps = g.steps_from(&helper);
        assert_eq!(
            steps.len(),
            PATTERN_NODE_MIN + 1,
            "admin first: {admin_first}: {steps:?}"
        );
        assert!(
            steps.iter().all(|s| s.to.contains(":user/team/")),
            "{steps:?}"
        );
    }
}

fn role(name: &str, trust: serde_json::Value, admin: bool) -> serde_json::Value {
    let mut r = json!({
        "RoleName": name,
        "Arn": format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
        "CreateDate": "2025-01-15T09:00:00Z",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": trust, "Action": "sts:AssumeRole"}
        ]},
        "RolePolicyList": [{"PolicyName": "read", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
        ]}}],
    });
    if admin {
        r["AttachedManagedPolicies"] = json!([{"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}]);
    }
    r
}

#[test]
fn subset_grants_reach_exactly_their_roles_through_shared_nodes() {
    // 100 users may pass `role/app-*` to Lambda and 100 may assume `role/team-*`; each
    // prefix holds 20 roles, one admin, next to an admin outside it. Each user must reach
    // exactly the roles of its prefix, through one node per pattern, not one edge per role.
    const N: usize = 100;
    const M: usize = 20;
    let mut users = Vec::new();
    for i in 0..N {
        users.push(user(
            &format!("passer-{i}"),
            json!([
                {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::*:role/app-*"},
                {"Effect": "Allow", "Action": ["lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}
            ]),
            &[],
        ));
        users.push(user(
            &format!("assumer-{i}"),
            json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/team-*"}]),
            &[],
        ));
        // team-1 and team-10..team-19: readers it can assume and make admin.
        users.push(user(
            &format!("editor-{i}"),
            json!([{"Effect": "Allow", "Action": ["sts:AssumeRole", "iam:AttachRolePolicy"], "Resource": "arn:aws:iam::*:role/team-1*"}]),
            &[],
        ));
    }
    let lambda = json!({"Service": "lambda.amazonaws.com"});
    let account = json!({"AWS": format!("arn:aws:iam::{ACCOUNT}:root")});
    let mut roles = Vec::new();
    for i in 0..M {
        roles.push(role(&format!("app-{i}"), lambda.clone(), i == 0));
        roles.push(role(&format!("team-{i}"), account.clone(), i == 0));
    }
    roles.push(role("lambda-admin", lambda, true));
    roles.push(role("ops-admin", account.clone(), true));
    // In the prefix, but its trust policy asks for MFA: settled on its own, conditionally.
    let mut mfa = role("team-mfa", account, false);
    mfa["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] =
        json!({"Bool": {"aws:MultiFactorAuthPresent": "true"}});
    roles.push(mfa);
    let snap = snapshot_with_roles(users, roles);
    let g = PermissionGraph::build(&Account::new(&snap), Catalog::embedded());

    let edges = g
        .graph
        .edge_references()
        .filter(|e| {
            matches!(
                e.weight().kind,
                EdgeKind::Escalates | EdgeKind::Covers | EdgeKind::CanAssume
            )
        })
        .count();
    assert!(
        edges < 3 * (3 * N + 2 * M),
        "{edges} escalation, assume and covers edges"
    );
    let arn = |n: &str| format!("arn:aws:iam::{ACCOUNT}:{n}");
    let expect = |prefix: &str| -> BTreeSet<String> {
        (0..M).map(|i| arn(&format!("role/{prefix}-{i}"))).collect()
    };
    for i in [0, 42, N - 1] {
        let passer = arn(&format!("user/passer-{i}"));
        let reached: BTreeSet<String> = g
            .steps_from(&passer)
            .into_iter()
            .filter(|s| s.method == "passrole-lambda-invoke")
            .map(|s| s.to)
            .collect();
        assert_eq!(reached, expect("app"), "{passer}");
        let path = g.path_to_admin(&passer).expect("passer reaches app-0");
        assert_eq!(path.steps.len(), 1, "{}", describe(&path));
        assert_eq!(path.steps[0].to, arn("role/app-0"));
        assert!(!path.steps[0].conditional, "{}", describe(&path));

        let assumer = arn(&format!("user/assumer-{i}"));
        let steps: Vec<Step> = g
            .steps_from(&assumer)
            .into_iter()
            .filter(|s| s.method == "sts-assume-role")
            .collect();
        let reached: BTreeSet<String> = steps.iter().map(|s| s.to.clone()).collect();
        let mut team = expect("team");
        team.insert(arn("role/team-mfa"));
        assert_eq!(reached, team, "{assumer}");
        for s in &steps {
            assert_eq!(s.conditional, s.to.ends_with("team-mfa"), "{s:?}");
        }
        let path = g.path_to_admin(&assumer).expect("assumer reaches team-0");
        assert_eq!(path.steps.len(), 1, "{}", describe(&path));
        assert_eq!(path.steps[0].to, arn("role/team-0"));

        let editor = arn(&format!("user/editor-{i}"));
        let path = g
            .path_to_admin(&editor)
            .expect("editor makes a team-1* role admin");
        assert_eq!(path.steps.len(), 1, "{}", describe(&path));
        assert_eq!(path.steps[0].method, "iam-attach-role-policy-assumable");
        assert!(
            path.steps[0].to.contains(":role/team-1"),
            "{}",
            describe(&path)
        );
        assert!(!path.steps[0].conditional, "{}", describe(&path));
    }
}

#[test]
fn request_context_keys_are_the_catalogs() {
    // The keys the graph puts in a method's request are those the Service Authorization
    // Reference lists for the action (the embedded catalog).
    let cat = Catalog::embedded();
    let keys = |action: &str| -> BTreeSet<String> {
        let id = cat.action_id(action).expect("known action");
        cat.action(id)
            .condition_keys()
            .map(|k| k.name().to_string())
            .collect()
    };
    for action in ACTS_ON_PRINCIPAL {
        assert!(keys(action).contains("iam:PermissionsBoundary"), "{action}");
    }
    for action in [
        "iam:AttachUserPolicy",
        "iam:AttachGroupPolicy",
        "iam:AttachRolePolicy",
    ] {
        assert!(keys(action).contains("iam:PolicyARN"), "{action}");
    }
    let pass = keys("iam:PassRole");
    assert!(pass.contains("iam:PassedToService") && pass.contains("iam:AssociatedResourceArn"));
}
