//! `unused`, `suggest`, `paths`, `who-can` and `graph export` on the demo account.

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
    for col in [
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
    ] {
        assert!(headers.iter().any(|h| h == col), "missing column {col}");
    }
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    let kinds: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| &r[col("confidence")]).collect();
    assert_eq!(
        kinds,
        ["service-unused", "too-new", "tracked-unused", "untracked"]
            .into_iter()
            .collect()
    );
    for r in &rows {
        assert_eq!(&r[col("account_id")], "111122223333");
        assert_eq!(&r[col("window_days")], "90");
        match &r[col("confidence")] {
            "service-unused" => assert!(r[col("action")].is_empty(), "{r:?}"),
            "tracked-unused" => {
                assert!(!r[col("action")].is_empty());
                assert!(r[col("days_unused")].parse::<i64>().unwrap() > 90, "{r:?}");
            }
            "too-new" => assert_eq!(
                &r[col("principal_name")],
                "nina.new",
                "the only principal in its grace period"
            ),
            _ => assert!(r[col("recommendation")].starts_with("keep")),
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
    assert!(
        rd.records()
            .map(Result::unwrap)
            .all(|r| r[13].ends_with("unused"))
    );
}

#[test]
fn suggest_terraform_is_valid_hcl_with_the_suggested_documents() {
    let dir = tempfile::tempdir().unwrap();
    let o = iamsight(&[
        "suggest",
        "--demo",
        "--format",
        "terraform",
        "--out-dir",
        &dir.path().display().to_string(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let json = iamsight(&["suggest", "--demo", "--all", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let suggestions = v["suggestions"].as_array().unwrap();
    let changed: Vec<_> = suggestions
        .iter()
        .filter(|s| !s["suggested_policies"].as_array().unwrap().is_empty())
        .collect();
    assert!(!changed.is_empty());
    assert!(
        !v["removals"].as_array().unwrap().is_empty(),
        "unused users/roles/keys are suggested for removal"
    );
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), changed.len());
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let body: hcl::Body =
            hcl::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", f.display()));
        let blocks: Vec<_> = body.blocks().collect();
        assert!(!blocks.is_empty());
        for b in blocks {
            assert_eq!(b.identifier(), "resource");
            let policy = b.body().attributes().find(|a| a.key() == "policy").unwrap();
            let hcl::Expression::TemplateExpr(t) = policy.expr() else {
                panic!("policy is not a heredoc")
            };
            let doc = t.to_string();
            let start = doc.find('{').unwrap();
            let parsed: serde_json::Value =
                serde_json::from_str(doc[start..].trim_end().trim_end_matches("EOT").trim())
                    .unwrap();
            assert!(parsed["Statement"].is_array());
        }
        // terraform fmt style: two-space indent, no tabs, no trailing spaces.
        assert!(
            !text.contains('\t') && text.lines().all(|l| !l.ends_with(' ')),
            "{text}"
        );
    }
}

#[test]
fn suggest_one_principal_and_diff() {
    let o = iamsight(&[
        "suggest",
        "--demo",
        "--principal",
        "reporting-bot",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: Vec<serde_json::Value> = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v.len(), 1);
    assert!(
        v[0]["principal"]
            .as_str()
            .unwrap()
            .ends_with(":user/service-accounts/reporting-bot")
    );
    assert!(
        v[0]["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["permission"] == "athena:GetQueryExecution")
    );
    let o = iamsight(&[
        "suggest",
        "--demo",
        "--principal",
        "reporting-bot",
        "--format",
        "diff",
    ]);
    assert!(
        o.stdout.starts_with("--- a/") && o.stdout.contains("\n-"),
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
