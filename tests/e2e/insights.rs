//! `unused`, `paths`, `who-can` and `graph export` on the demo account (`suggest` is in
//! `suggest.rs`).

use e2e::iamsight;

#[test]
fn unused_csv_is_rfc4180_with_every_confidence_and_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unused.csv");
    let o = iamsight(&[
        "unused",
        "--demo",
        "--all",
        "--csv",
        &path.display().to_string(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut rd = csv::Reader::from_path(&path).unwrap();
    let headers: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    // The columns come first, in its order.
    let required = [
        "account_id",
        "principal_type",
        "principal_name",
        "principal_arn",
        "policy_type",
        "policy_name",
        "policy_arn",
        "statement",
        "service",
        "action",
        "last_accessed",
        "days_unused",
        "confidence",
        "window_days",
        "recommendation",
    ];
    assert_eq!(&headers[..required.len()], &required[..]);
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    let kinds: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| &r[col("confidence")]).collect();
    assert_eq!(
        kinds,
        [
            "service-unused",
            "too-new",
            "tracked-unused",
            "untracked",
            "used"
        ]
        .into_iter()
        .collect()
    );
    // The window each row was judged on ends when its entity's last-accessed job completed.
    let demo: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(e2e::repo().join("fixtures/demo/snapshot.json")).unwrap(),
    )
    .unwrap();
    let now: iam_model::Timestamp = "2026-11-30T12:00:00Z".parse().unwrap();
    for r in &rows {
        assert_eq!(&r[col("account_id")], "111122223333");
        assert_eq!(&r[col("window_days")], "90");
        let start: iam_model::Timestamp = r[col("window_start")].parse().unwrap();
        let end: iam_model::Timestamp = r[col("window_end")].parse().unwrap();
        assert_eq!(start, end.minus_days(90), "{r:?}");
        let completed = demo["last_accessed"][&r[col("principal_arn")]]["JobCompletionDate"]
            .as_str()
            .map(|t| t.parse::<iam_model::Timestamp>().unwrap());
        assert_eq!(end, completed.unwrap_or(now), "{r:?}");
        match &r[col("confidence")] {
            "service-unused" => assert!(r[col("action")].is_empty(), "{r:?}"),
            "tracked-unused" => {
                assert!(!r[col("action")].is_empty());
                assert!(r[col("days_unused")].parse::<i64>().unwrap() > 90, "{r:?}");
            }
            "too-new" => {
                assert_eq!(
                    &r[col("principal_name")],
                    "nina.new",
                    "the only principal in its grace period"
                );
                assert_eq!(&r[col("recommendation")], "review");
            }
            "used" => assert!(
                ["keep", "constrain"].contains(&&r[col("recommendation")]),
                "{r:?}"
            ),
            _ => assert_eq!(&r[col("recommendation")], "review", "{r:?}"),
        }
        if r[col("confidence")].ends_with("unused") {
            assert_eq!(&r[col("recommendation")], "remove", "{r:?}");
        }
    }
    assert!(
        rows.iter()
            .any(|r| &r[col("action")] == "iam:PassRole" && &r[col("confidence")] == "untracked")
    );
    // The default export lists only confident rows.
    let path2 = dir.path().join("confident.csv");
    iamsight(&["unused", "--demo", "--csv", &path2.display().to_string()]);
    let mut rd = csv::Reader::from_path(&path2).unwrap();
    let confident: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert!(!confident.is_empty());
    assert!(
        confident
            .iter()
            .all(|r| r[col("confidence")].ends_with("unused")
                && &r[col("recommendation")] == "remove")
    );
}

#[test]
fn unused_ranks_by_risk_and_shows_access_analyzer_beside_ours() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all.csv");
    let o = iamsight(&[
        "unused",
        "--demo",
        "--all",
        "--csv",
        &path.display().to_string(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut rd = csv::Reader::from_path(&path).unwrap();
    let headers: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    // Ranked by risk × use, highest first.
    let scores: Vec<u32> = rows
        .iter()
        .map(|r| r[col("risk_score")].parse().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    let first = |risk: &str, confidence: &str| {
        rows.iter()
            .position(|r| &r[col("risk")] == risk && &r[col("confidence")] == confidence)
            .unwrap_or_else(|| panic!("no {confidence} {risk} row"))
    };
    assert!(
        first("permissions-management", "tracked-unused") < first("read", "tracked-unused"),
        "an unused permissions-management grant ranks above an unused read grant"
    );
    let row = |who: &str, action: &str| {
        rows.iter()
            .find(|r| &r[col("principal_name")] == who && &r[col("action")] == action)
            .unwrap_or_else(|| panic!("no row {who} {action}"))
    };
    // Used, write on every resource: constrain, and Access Analyzer's stale "unused" disagrees.
    let start = row("kevin.ops", "ec2:StartInstances");
    assert_eq!(&start[col("confidence")], "used");
    assert_eq!(&start[col("recommendation")], "constrain");
    assert_eq!(&start[col("agreement")], "disagree");
    assert!(start[col("access_analyzer")].starts_with("unused"));
    assert!(start[col("agreement_reason")].contains("2026-11-21"));
    // Untracked data-plane action Access Analyzer calls unused: disagree, and why.
    let get = row("reporting-bot", "s3:GetObject");
    assert_eq!(&get[col("confidence")], "untracked");
    assert_eq!(&get[col("agreement")], "disagree");
    assert!(get[col("agreement_reason")].contains("untracked"));
    let put = row("sam.contractor", "s3:PutBucketPolicy");
    assert_eq!(
        (
            &put[col("confidence")],
            &put[col("agreement")],
            &put[col("recommendation")]
        ),
        ("tracked-unused", "agree", "remove")
    );
    let tag = row("partner-audit-access", "s3:GetBucketTagging");
    assert_eq!(&tag[col("agreement")], "iamsight-only");
    assert_eq!(&tag[col("access_analyzer")], "not reported");

    // JSON: the rows, and the findings no row answers.
    let o = iamsight(&["unused", "--demo", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    for k in ["agree", "iamsight-only", "access-analyzer-only", "disagree"] {
        assert!(v["agreement_counts"][k].as_u64().unwrap() > 0, "{k}");
    }
    let entries = v["access_analyzer"]["entries"].as_array().unwrap();
    assert!(entries.iter().any(|e| {
        e["principal_arn"]
            .as_str()
            .unwrap()
            .ends_with(":user/maria.garcia")
            && e["comparison"]["agreement"] == "access-analyzer-only"
    }));
    assert!(entries.iter().any(|e| {
        e["kind"] == "role"
            && e["principal_arn"]
                .as_str()
                .unwrap()
                .ends_with(":role/acme-data-export")
            && e["comparison"]["agreement"] == "agree"
    }));
    let json_rows = v["rows"].as_array().unwrap();
    assert!(json_rows.iter().all(|r| r["recommendation"] == "remove"));
    assert!(
        json_rows[0]["risk_score"].as_u64() >= json_rows.last().unwrap()["risk_score"].as_u64()
    );

    // The table marks the comparison too.
    let o = iamsight(&["unused", "--demo", "--all"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("Access Analyzer") && o.stdout.contains("disagree: "),
        "{}",
        o.stdout
    );
}

#[test]
fn paths_who_can_and_graph_export() {
    let o = iamsight(&["paths", "--demo", "--format", "json"]);
    assert_eq!(o.code, 1, "paths found means exit 1");
    let paths: Vec<serde_json::Value> = serde_json::from_str(&o.stdout).unwrap();
    let kevin = paths
        .iter()
        .find(|p| {
            p["principal"]
                .as_str()
                .unwrap()
                .ends_with(":user/kevin.ops")
        })
        .unwrap();
    assert_eq!(kevin["steps"][0]["method"], "passrole-ec2-run-instances");
    assert_eq!(kevin["steps"][0]["conditional"], false);
    let o = iamsight(&["paths", "--demo", "--from", "priya.sharma"]);
    assert_eq!(o.code, 0);
    let o = iamsight(&[
        "who-can",
        "iam:PassRole",
        "arn:aws:iam::111122223333:role/acme-data-export",
        "--demo",
        "--format",
        "json",
    ]);
    let who: Vec<serde_json::Value> = serde_json::from_str(&o.stdout).unwrap();
    assert!(who.iter().any(|w| {
        w["principal"]
            .as_str()
            .unwrap()
            .ends_with("ci-lambda-deployer")
    }));
    assert!(
        !who.iter()
            .any(|w| w["principal"].as_str().unwrap().ends_with("priya.sharma"))
    );
    let o = iamsight(&[
        "graph",
        "export",
        "--demo",
        "--format",
        "graphml",
        "--only-escalation",
    ]);
    assert!(o.stdout.starts_with("<?xml") && o.stdout.contains("can-escalate-to"));
    let o = iamsight(&["graph", "export", "--demo", "--format", "json"]);
    let g: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(g["nodes"].as_array().unwrap().len() > 20);
    let o = iamsight(&["graph", "export", "--demo"]);
    assert!(o.stdout.starts_with("digraph iamsight {"));
}
