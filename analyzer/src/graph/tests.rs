use super::*;
use iam_model::snapshot::Snapshot;

fn demo() -> Snapshot {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/demo/snapshot.json"
    ))
    .unwrap();
    Snapshot::from_json_str(&text).unwrap()
}

/// The demo account's contract (fixtures/demo/README.md): who escalates, how, and the
/// look-alikes that must not.
#[test]
fn demo_paths_match_the_demo_contract() {
    let snap = demo();
    let account = Account::new(&snap);
    let g = PermissionGraph::build(&account, Catalog::embedded());
    let a = |n: &str| format!("arn:aws:iam::111122223333:{n}");
    let mut admins = g.admins();
    admins.sort();
    assert_eq!(
        admins,
        vec![
            a("group/acme-admins"),
            a("role/acme-data-export"),
            a("role/acme-ec2-admin"),
            a("user/maria.garcia")
        ]
    );
    let paths = g.escalation_paths();
    let first = |who: &str| -> Option<String> {
        paths
            .iter()
            .find(|p| p.principal == a(who))
            .map(|p| p.steps[0].method.clone())
    };
    assert_eq!(
        first("user/kevin.ops").as_deref(),
        Some("passrole-ec2-run-instances")
    );
    assert_eq!(
        first("user/service-accounts/ci-lambda-deployer").as_deref(),
        Some("passrole-lambda-invoke")
    );
    assert_eq!(
        first("user/lee.release").as_deref(),
        Some("iam-create-policy-version")
    );
    for safe in [
        "user/service-accounts/helpdesk-bot",
        "user/dana.platform",
        "user/priya.sharma",
        "user/nina.new",
    ] {
        assert!(
            first(safe).is_none(),
            "{safe} must not escalate: {:?}",
            paths.iter().find(|p| p.principal == a(safe))
        );
    }
    // kevin's path is split across two policies: a managed policy and a group inline policy.
    let kevin = paths
        .iter()
        .find(|p| p.principal == a("user/kevin.ops"))
        .unwrap();
    let policies: BTreeSet<&str> = kevin.steps[0]
        .statements
        .iter()
        .map(|s| s.policy.as_str())
        .collect();
    assert!(policies.len() >= 2, "{policies:?}");
    assert!(kevin.steps.iter().all(|s| !s.conditional));
}
