use super::*;

fn demo() -> Snapshot {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/demo/snapshot.json"
    ))
    .unwrap();
    Snapshot::from_json_str(&text).unwrap()
}

#[test]
fn demo_rows_have_every_confidence_and_each_is_justified() {
    let snap = demo();
    let account = Account::new(&snap);
    let r = unused_permissions(&snap, &account, &Config::default(), Catalog::embedded());
    let kinds: BTreeSet<Confidence> = r.rows.iter().map(|r| r.confidence).collect();
    for k in [
        Confidence::TrackedUnused,
        Confidence::ServiceUnused,
        Confidence::Untracked,
        Confidence::TooNew,
    ] {
        assert!(kinds.contains(&k), "no {k:?} row in the demo");
    }
    let now = snap.collected_at.unwrap();
    let cutoff = now.minus_days(r.window_days);
    for row in &r.rows {
        let data = snap.last_accessed.get(&row.principal_arn);
        match row.confidence {
            Confidence::TrackedUnused => {
                // Justified: the action is in the entity's tracked list without a use in the window.
                let svc = data
                    .unwrap()
                    .services_last_accessed
                    .iter()
                    .find(|s| s.service_namespace == row.service)
                    .unwrap();
                let name = row.action.as_deref().unwrap().split(':').nth(1).unwrap();
                let tracked = svc.tracked_actions_last_accessed.as_ref().unwrap();
                // An action tracked only in another entity's report was not used by this one.
                if let Some(a) = tracked
                    .iter()
                    .find(|a| a.action_name.eq_ignore_ascii_case(name))
                {
                    assert!(a.last_accessed_time.is_none_or(|t| t < cutoff), "{row:?}");
                }
            }
            Confidence::ServiceUnused => {
                let svc = data
                    .unwrap()
                    .services_last_accessed
                    .iter()
                    .find(|s| s.service_namespace == row.service)
                    .unwrap();
                assert!(svc.tracked_actions_last_accessed.is_none(), "{row:?}");
                assert!(svc.last_authenticated.is_none_or(|t| t < cutoff), "{row:?}");
                assert!(row.action.is_none());
            }
            Confidence::TooNew => {
                let p = account.by_arn(&row.principal_arn).unwrap();
                let young = p.created > cutoff;
                assert!(young || row.policy_type.contains("managed"), "{row:?}");
            }
            Confidence::Untracked => assert!(row.days_unused.is_none()),
        }
    }
    // iam:PassRole is never reported as unused.
    assert!(
        r.rows
            .iter()
            .filter(|r| r.action.as_deref() == Some("iam:PassRole"))
            .all(|r| r.confidence == Confidence::Untracked)
    );
    // The 5-day-old user is only ever too-new.
    assert!(
        r.rows
            .iter()
            .filter(|r| r.principal_name == "nina.new")
            .all(|r| r.confidence == Confidence::TooNew)
    );
    assert!(r.rows.iter().any(|r| r.principal_name == "nina.new"));
    // Principals without data are listed, never judged.
    assert!(
        r.principals_without_data
            .iter()
            .any(|a| a.ends_with(":user/maria.garcia"))
    );
    assert!(!r.rows.iter().any(|r| r.principal_name == "maria.garcia"));
}

#[test]
fn no_collection_time_judges_nothing() {
    let mut snap = demo();
    snap.collected_at = None;
    let account = Account::new(&snap);
    let r = unused_permissions(&snap, &account, &Config::default(), Catalog::embedded());
    assert!(r.no_collection_time && r.rows.is_empty());
}
