use std::collections::BTreeSet;

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
        let data = snap.last_accessed.get(&*row.principal_arn);
        match row.confidence {
            Confidence::TrackedUnused => {
                // Justified: the action is in the entity's tracked list without a use in the window.
                let svc = data
                    .unwrap()
                    .services_last_accessed
                    .iter()
                    .find(|s| s.service_namespace == *row.service)
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
                    .find(|s| s.service_namespace == *row.service)
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
            Confidence::Used => panic!("a used grant among the unused rows: {row:?}"),
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
            .filter(|r| &*r.principal_name == "nina.new")
            .all(|r| r.confidence == Confidence::TooNew)
    );
    assert!(r.rows.iter().any(|r| &*r.principal_name == "nina.new"));
    // Principals without data are listed, never judged.
    assert!(
        r.principals_without_data
            .iter()
            .any(|a| a.ends_with(":user/maria.garcia"))
    );
    assert!(!r.rows.iter().any(|r| &*r.principal_name == "maria.garcia"));
}

#[test]
fn no_collection_time_judges_nothing() {
    let mut snap = demo();
    snap.collected_at = None;
    let account = Account::new(&snap);
    let r = unused_permissions(&snap, &account, &Config::default(), Catalog::embedded());
    assert!(r.no_collection_time && r.rows.is_empty());
}

/// The demo's unused-access findings.
fn aa_findings(snap: &Snapshot) -> Vec<&iam_model::snapshot::AnalyzerFinding> {
    snap.regions
        .values()
        .filter_map(|r| r.access_analyzer.as_ref())
        .flat_map(|a| &a.findings)
        .collect()
}

#[test]
fn access_analyzer_verdicts_stand_beside_ours_with_every_agreement_kind() {
    let snap = demo();
    let account = Account::new(&snap);
    let r = unused_permissions(&snap, &account, &Config::default(), Catalog::embedded());
    let aa = r
        .access_analyzer
        .as_ref()
        .expect("the demo has an unused-access analyzer");
    assert_eq!(aa.window_days, Some(90));
    assert!(
        aa.analyzers
            .iter()
            .any(|a| a.ends_with("/acme-unused-access"))
    );
    let cutoff = snap.collected_at.unwrap().minus_days(r.window_days);
    let all: Vec<&UnusedRow> = r.rows.iter().chain(&r.used).collect();
    let findings = aa_findings(&snap);
    // Every row carries a comparison, and each mark follows from the two verdicts.
    for row in &all {
        let c = row.access_analyzer.as_ref().expect("every row is compared");
        match c.agreement {
            Agreement::Agree => assert_eq!(
                c.access_analyzer.is_some(),
                row.confidence.is_unused(),
                "{row:?}"
            ),
            Agreement::IamsightOnly => {
                assert!(
                    row.confidence.is_unused() && c.access_analyzer.is_none(),
                    "{row:?}"
                )
            }
            Agreement::Disagree => {
                assert!(
                    c.access_analyzer.is_some() && !row.confidence.is_unused(),
                    "{row:?}"
                );
                if row.confidence == Confidence::Used {
                    assert!(row.last_accessed.is_some_and(|t| t >= cutoff), "{row:?}");
                }
            }
            Agreement::AccessAnalyzerOnly => panic!("a row is a verdict of iamsight's: {row:?}"),
        }
        // Access Analyzer's side is its own finding on the same principal and service.
        if let Some(v) = &c.access_analyzer {
            let f = findings.iter().find(|f| f.id == v.finding_id).unwrap();
            assert_eq!(f.resource.as_deref(), Some(&*row.principal_arn));
            assert!(
                f.finding_details
                    .iter()
                    .filter_map(|d| d.unused_permission_details.as_ref())
                    .any(|d| d.service_namespace == *row.service),
                "{row:?}"
            );
        }
    }
    let find = |name: &str, action: &str| {
        *all.iter()
            .find(|r| &*r.principal_name == name && r.action.as_deref() == Some(action))
            .unwrap_or_else(|| panic!("no row for {name} {action}"))
    };
    let mark = |row: &UnusedRow| row.access_analyzer.clone().unwrap();
    // agree: both call the contractor's bucket-policy write unused.
    let put = find("sam.contractor", "s3:PutBucketPolicy");
    assert_eq!(put.confidence, Confidence::TrackedUnused);
    assert_eq!(mark(put).agreement, Agreement::Agree);
    // disagree: used inside the window, after Access Analyzer last analyzed the user.
    let start = find("kevin.ops", "ec2:StartInstances");
    assert_eq!(start.confidence, Confidence::Used);
    let m = mark(start);
    assert_eq!(m.agreement, Agreement::Disagree);
    assert!(m.access_analyzer.unwrap().analyzed_at.unwrap() < start.last_accessed.unwrap());
    assert!(
        m.why.contains("after Access Analyzer last analyzed it"),
        "{}",
        m.why
    );
    // disagree: a data-plane action iamsight cannot judge, in a service AA calls unused.
    let get = find("reporting-bot", "s3:GetObject");
    assert_eq!(get.confidence, Confidence::Untracked);
    assert_eq!(mark(get).agreement, Agreement::Disagree);
    assert!(mark(get).why.contains("untracked"));
    // iamsight-only: the partner role's finding is not active in Access Analyzer.
    let tagging = find("partner-audit-access", "s3:GetBucketTagging");
    assert_eq!(tagging.confidence, Confidence::TrackedUnused);
    assert_eq!(mark(tagging).agreement, Agreement::IamsightOnly);
    assert!(
        !findings
            .iter()
            .any(|f| f.resource.as_deref() == Some(&tagging.principal_arn))
    );
    // access-analyzer-only: a user iamsight has no last-accessed data for.
    let maria = aa
        .entries
        .iter()
        .filter(|e| e.principal_arn.ends_with(":user/maria.garcia"))
        .collect::<Vec<_>>();
    assert!(!maria.is_empty());
    assert!(
        maria
            .iter()
            .all(|e| e.kind == "permission"
                && e.comparison.agreement == Agreement::AccessAnalyzerOnly)
    );
    assert!(r.principals_without_data.contains(&maria[0].principal_arn));
    // Roles, access keys and passwords: each AA finding meets iamsight's verdict.
    for (kind, who) in [
        ("role", ":role/acme-data-export"),
        ("role", ":role/acme-batch-reports"),
        ("password", ":user/tom.oldfield"),
        ("access-key", ":user/service-accounts/reporting-bot"),
    ] {
        let e = aa
            .entries
            .iter()
            .find(|e| e.kind == kind && e.principal_arn.ends_with(who))
            .unwrap_or_else(|| panic!("no {kind} entry for {who}"));
        assert_eq!(e.comparison.agreement, Agreement::Agree, "{e:?}");
        assert!(e.comparison.access_analyzer.is_some());
    }
    // Both of the bot's keys are paired, each with its own finding.
    let keys: BTreeSet<&str> = aa
        .entries
        .iter()
        .filter(|e| e.kind == "access-key" && e.principal_arn.ends_with("/reporting-bot"))
        .filter_map(|e| e.comparison.access_analyzer.as_ref())
        .map(|v| v.finding_id.as_str())
        .collect();
    assert_eq!(keys.len(), 2);
    let counts = access_analyzer::counts(&r);
    for k in [
        Agreement::Agree,
        Agreement::IamsightOnly,
        Agreement::AccessAnalyzerOnly,
        Agreement::Disagree,
    ] {
        assert!(
            counts.get(&k).is_some_and(|n| *n > 0),
            "no {k:?} in the demo"
        );
    }
}

#[test]
fn without_an_unused_access_analyzer_nothing_is_compared() {
    let mut snap = demo();
    for s in snap.regions.values_mut() {
        if let Some(aa) = &mut s.access_analyzer {
            aa.analyzers.retain(|a| !a.is_unused_access());
        }
    }
    let account = Account::new(&snap);
    let r = unused_permissions(&snap, &account, &Config::default(), Catalog::embedded());
    assert!(r.access_analyzer.is_none());
    assert!(!r.rows.is_empty());
    assert!(
        r.rows
            .iter()
            .chain(&r.used)
            .all(|r| r.access_analyzer.is_none())
    );
}

#[test]
fn ranking_puts_risky_unused_grants_first_and_recommends_by_use() {
    let snap = demo();
    let account = Account::new(&snap);
    let r = unused_permissions(&snap, &account, &Config::default(), Catalog::embedded());
    let ranked = r.ranked();
    assert_eq!(ranked.len(), r.rows.len() + r.used.len());
    assert!(
        ranked
            .windows(2)
            .all(|w| w[0].risk_score() >= w[1].risk_score())
    );
    let first = |tier: RiskTier| {
        ranked
            .iter()
            .position(|x| x.risk == tier && x.confidence == Confidence::TrackedUnused)
            .unwrap_or_else(|| panic!("no tracked-unused {tier:?} row"))
    };
    let last = |tier: RiskTier| {
        ranked
            .iter()
            .rposition(|x| x.risk == tier && x.confidence == Confidence::TrackedUnused)
            .unwrap()
    };
    // A permissions-management grant nobody uses outranks any unused read grant.
    assert!(last(RiskTier::PermissionsManagement) < first(RiskTier::Read));
    assert!(first(RiskTier::Read) < first(RiskTier::List));
    // The tier is the catalog's access level of the action.
    let catalog = Catalog::embedded();
    for x in ranked
        .iter()
        .filter(|x| x.risk != RiskTier::AdminEquivalent)
    {
        if let Some(a) = x.action.as_deref().and_then(|a| catalog.action_id(a)) {
            assert_eq!(
                x.risk,
                RiskTier::of(catalog.action(a).access_level()),
                "{x:?}"
            );
        }
    }
    // Recommendations follow the verdicts.
    for x in &ranked {
        let expected = match x.confidence {
            Confidence::TrackedUnused | Confidence::ServiceUnused => Some(Recommendation::Remove),
            Confidence::Untracked | Confidence::TooNew => Some(Recommendation::Review),
            Confidence::Used => None,
        };
        match expected {
            Some(e) => assert_eq!(x.recommendation, e, "{x:?}"),
            None => assert!(
                matches!(
                    x.recommendation,
                    Recommendation::Keep | Recommendation::Constrain
                ),
                "{x:?}"
            ),
        }
        if x.recommendation == Recommendation::Constrain {
            assert!(x.risk >= RiskTier::Write, "{x:?}");
            // The granting statement is written on every resource.
            let p = account.by_arn(&x.principal_arn).unwrap();
            let g = p.grants.iter().find(|g| *g.id == *x.policy_arn).unwrap();
            let st = &g.policy.unwrap().statements[x.statement];
            let res = st.resource.as_ref().unwrap();
            assert!(
                res.negated || res.patterns.iter().any(|p| p.ends_with('*')),
                "{x:?}"
            );
        }
    }
    // Used and over-broad: constrain, do not remove. Used on named resources, or unscopable: keep.
    let row = |name: &str, action: &str| {
        *ranked
            .iter()
            .find(|r| &*r.principal_name == name && r.action.as_deref() == Some(action))
            .unwrap()
    };
    assert_eq!(
        row("kevin.ops", "ec2:RunInstances").recommendation,
        Recommendation::Constrain
    );
    assert!(
        ranked
            .iter()
            .filter(|r| &*r.principal_name == "acme-support")
            .all(|r| r.recommendation == Recommendation::Keep),
        "support actions cannot be scoped to resources"
    );
    assert!(
        ranked
            .iter()
            .any(|r| r.recommendation == Recommendation::Keep)
    );
}

/// One user with `s3:*` and `ec2:*`, created `created`, whose job (`job`) completed at
/// `completed`; another entity's report makes `ec2:RunInstances` a tracked action.
fn windowed(created: &str, job: &str, completed: &str, ec2_last: &str) -> Snapshot {
    Snapshot::from_json_str(&format!(
        r#"{{"iamsight_snapshot":1,"account_id":"111122223333","collected_at":"2026-11-30T12:00:00Z",
        "authorization_details":{{"UserDetailList":[
          {{"Path":"/","UserName":"u","UserId":"AIDA1","Arn":"arn:aws:iam::111122223333:user/u","CreateDate":"{created}",
            "UserPolicyList":[{{"PolicyName":"p","PolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["ec2:RunInstances","s3:ListAllMyBuckets"],"Resource":"*"}}]}}}}]}},
          {{"Path":"/","UserName":"other","UserId":"AIDA2","Arn":"arn:aws:iam::111122223333:user/other","CreateDate":"2020-01-01T00:00:00Z",
            "UserPolicyList":[{{"PolicyName":"p","PolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"}}]}}}}]}}]}},
        "last_accessed":{{
          "arn:aws:iam::111122223333:user/u":{{"JobStatus":"COMPLETED","JobType":"{job}","JobCompletionDate":"{completed}",
            "ServicesLastAccessed":[
              {{"ServiceName":"Amazon EC2","ServiceNamespace":"ec2","LastAuthenticated":{ec2_last},
                "TrackedActionsLastAccessed":[{{"ActionName":"RunInstances","LastAccessedTime":{ec2_last}}}]}},
              {{"ServiceName":"Amazon S3","ServiceNamespace":"s3",
                "TrackedActionsLastAccessed":[{{"ActionName":"ListAllMyBuckets"}}]}}]}},
          "arn:aws:iam::111122223333:user/other":{{"JobStatus":"COMPLETED","JobType":"ACTION_LEVEL","JobCompletionDate":"2026-11-30T11:00:00Z",
            "ServicesLastAccessed":[{{"ServiceName":"Amazon EC2","ServiceNamespace":"ec2",
              "TrackedActionsLastAccessed":[{{"ActionName":"RunInstances","LastAccessedTime":"2026-11-29T00:00:00Z"}}]}}]}}}}}}"#
    ))
    .unwrap()
}

fn rows_of(snap: &Snapshot, user: &str) -> Vec<UnusedRow> {
    let account = Account::new(snap);
    let r = unused_permissions(snap, &account, &Config::default(), Catalog::embedded());
    r.rows
        .into_iter()
        .chain(r.used)
        .filter(|row| &*row.principal_name == user)
        .collect()
}

#[test]
fn the_window_ends_when_the_data_does_and_never_claims_more_than_it_covers() {
    // The job completed 30 days before the collection: the window is counted back from there.
    let snap = windowed(
        "2026-06-03T12:00:00Z",
        "ACTION_LEVEL",
        "2026-10-31T12:00:00Z",
        r#""2026-07-23T12:00:00Z""#,
    );
    let rows = rows_of(&snap, "u");
    let ec2 = rows.iter().find(|r| &*r.service == "ec2").unwrap();
    let s3 = rows.iter().find(|r| &*r.service == "s3").unwrap();
    let end: Timestamp = "2026-10-31T12:00:00Z".parse().unwrap();
    for r in [ec2, s3] {
        assert_eq!(r.window_end, end);
        assert_eq!(r.window_start, end.minus_days(90));
        assert_eq!(r.window_days, 90);
    }
    // Last used 100 days before the data ends (130 before "now", which the data cannot see).
    assert_eq!(ec2.confidence, Confidence::TrackedUnused);
    assert_eq!(ec2.days_unused, Some(100));
    // Never used in the tracking period, by a user that exists since 150 days before the end:
    // 150 days, not the 400 of the tracking period.
    assert_eq!(s3.confidence, Confidence::TrackedUnused);
    assert_eq!(s3.days_unused, Some(150));
}

#[test]
fn a_service_level_job_is_judged_per_service_and_an_unfinished_one_not_at_all() {
    // `other`'s report tracks ec2:RunInstances; `u`'s job was SERVICE_LEVEL: no action verdict.
    let snap = windowed(
        "2024-01-01T00:00:00Z",
        "SERVICE_LEVEL",
        "2026-11-30T11:00:00Z",
        "null",
    );
    let rows = rows_of(&snap, "u");
    assert!(rows.iter().all(|r| r.action.is_none()), "{rows:?}");
    let ec2 = rows.iter().find(|r| &*r.service == "ec2").unwrap();
    assert_eq!(ec2.confidence, Confidence::ServiceUnused);
    assert_eq!(
        ec2.days_unused,
        Some(400),
        "never used: the whole tracking period"
    );

    let text = serde_json::to_string(&snap).unwrap().replace(
        r#""JobStatus":"COMPLETED","JobType":"SERVICE_LEVEL""#,
        r#""JobStatus":"FAILED","JobType":"SERVICE_LEVEL""#,
    );
    let failed = Snapshot::from_json_str(&text).unwrap();
    assert!(rows_of(&failed, "u").is_empty());
    let account = Account::new(&failed);
    let r = unused_permissions(&failed, &account, &Config::default(), Catalog::embedded());
    assert!(
        r.principals_without_data
            .contains(&"arn:aws:iam::111122223333:user/u".to_string())
    );
}
