//! Every report format, rendered from the demo account through the real entry point, checked
//! against its specification with the format's own validators: the report's JSON Schema, the
//! SARIF 2.1.0 schema and Microsoft's SARIF multitool, py-ocsf-models for OCSF, an XML parser
//! for JUnit, the csv crate for CSV. The HTML report's behaviour is tested in a browser by
//! `tests/browser/report.test.mjs` (run by `scripts/test`); here only its envelope.
//!
//! The external validators (the SARIF multitool from npm, py-ocsf-models from PyPI) are
//! installed by `scripts/test`; without them these tests fail, they never skip.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use e2e::{iamsight, repo};
use serde_json::Value;

/// Suppressions used to see suppressed findings in every format. The second reason is full
/// of markup, to prove each format escapes it.
const SUPPRESSIONS: &str = r#"
[[suppressions]]
check = "security-group-open-to-world-ssh"
resource = "*"
reason = "bastion hosts, reviewed by secops"
expires = "2027-03-31"

[[suppressions]]
check = "unused-iam-role"
resource = "*"
reason = "kept for DR </script><b>&amp;</b> \"drill\" 'Q3'"
expires = "2027-03-31"
"#;

struct Run {
    dir: tempfile::TempDir,
    json: Value,
}

impl Run {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }
    fn findings(&self) -> &Vec<Value> {
        self.json["findings"].as_array().unwrap()
    }
}

/// `scan --demo` with the suppressions, shown, every format written at once.
fn demo_run() -> Run {
    demo_run_with(true)
}

/// `scan --demo` with the suppressions, every format written at once; `show` passes
/// `--show-suppressed`.
fn demo_run_with(show: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("iamsight.toml");
    std::fs::write(&config, SUPPRESSIONS).unwrap();
    let p = |name: &str| dir.path().join(name).display().to_string();
    let outputs = [
        format!("csv={}", p("r.csv")),
        format!("sarif={}", p("r.sarif")),
        format!("ocsf={}", p("r.ocsf.json")),
        format!("junit={}", p("r.junit.xml")),
        format!("html={}", p("r.html")),
        format!("table={}", p("r.txt")),
    ];
    let mut args = vec![
        "scan",
        "--demo",
        "--config",
        config.to_str().unwrap(),
        "--format",
        "json",
    ];
    if show {
        args.push("--show-suppressed");
    }
    for o in &outputs {
        args.extend(["--output", o.as_str()]);
    }
    let o = iamsight(&args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let json: Value = serde_json::from_str(&o.stdout).unwrap();
    Run { dir, json }
}

/// Without `--show-suppressed`, no format lists a suppressed finding (the README: suppressed
/// findings stay visible with the flag); the summary still counts them.
#[test]
fn suppressed_findings_are_left_out_of_every_format_unless_asked_for() {
    let hidden = demo_run_with(false);
    let shown = demo_run();
    assert_eq!(hidden.json["summary"]["suppressed"], 4);
    assert_eq!(hidden.json["summary"], shown.json["summary"]);
    assert!(hidden.findings().iter().all(|f| f["status"] == "open"));
    assert_eq!(
        hidden.findings().len() + 4,
        shown.findings().len(),
        "exactly the suppressed findings are left out"
    );
    for (file, marker) in [
        ("r.csv", ",suppressed,"),
        ("r.sarif", "\"suppressions\""),
        ("r.ocsf.json", "\"Suppressed\""),
        ("r.junit.xml", "suppressed: "),
        ("r.html", "bastion hosts, reviewed by secops"),
        ("r.txt", "suppressed: bastion hosts,"),
    ] {
        assert!(
            !hidden.text(file).contains(marker),
            "{file} lists a suppressed finding"
        );
        assert!(
            shown.text(file).contains(marker),
            "{file}: {marker} is the wrong marker"
        );
    }
}

fn validator(schema_path: &Path) -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn schema_errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn one_run_writes_every_format_atomically() {
    let run = demo_run();
    let mut names: Vec<String> = std::fs::read_dir(run.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "iamsight.toml",
            "r.csv",
            "r.html",
            "r.junit.xml",
            "r.ocsf.json",
            "r.sarif",
            "r.txt"
        ],
        "no temporary file may be left behind"
    );
    let summary = &run.json["summary"];
    assert_eq!(summary["suppressed"], 4, "{summary}");
    assert!(
        run.text("r.txt")
            .starts_with("iamsight report for account 111122223333")
    );
    assert!(!run.text("r.txt").contains('\u{1b}'), "no colour in a file");
}

#[test]
fn a_plain_output_takes_the_format_and_bad_outputs_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("plain.sarif");
    let o = iamsight(&[
        "audit",
        "--demo",
        "--format",
        "sarif",
        "--output",
        sarif.to_str().unwrap(),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        o.stdout, "",
        "the plain --output took standard output's place"
    );
    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(log["version"], "2.1.0");

    let o = iamsight(&["scan", "--demo", "--output", "pdf=report.pdf"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("unknown format `pdf`"), "{}", o.stderr);
}

#[test]
fn json_report_validates_against_its_schema() {
    let v = validator(&repo().join("docs/report.schema.json"));
    let run = demo_run();
    assert_eq!(schema_errors(&v, &run.json), Vec::<String>::new());
    // An HTML output was asked for, so the model carries the suggested policies: one per
    // principal with confidently unused permissions, and only for those.
    let suggested: BTreeSet<&str> = run.json["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["principal"].as_str().unwrap())
        .collect();
    let unused: BTreeSet<&str> = run.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "unused-permissions")
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    assert!(!suggested.is_empty());
    assert!(suggested.is_subset(&unused), "{suggested:?} vs {unused:?}");
    let o = iamsight(&[
        "audit",
        "--snapshot",
        &e2e::fixture("authz-examples/example_authz_v2.json"),
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(report["collected_at"].is_null());
    assert_eq!(schema_errors(&v, &report), Vec::<String>::new());

    // The schema says something: a wrong severity, an unknown field, a suppressed finding
    // without its reason are each rejected.
    let mut bad = run.json.clone();
    bad["findings"][0]["severity"] = "urgent".into();
    assert!(!v.is_valid(&bad));
    let mut bad = run.json.clone();
    bad["findings"][0]["colour"] = "red".into();
    assert!(!v.is_valid(&bad));
    let mut bad = run.json.clone();
    let i = run
        .findings()
        .iter()
        .position(|f| f["status"] == "suppressed")
        .unwrap();
    bad["findings"][i]
        .as_object_mut()
        .unwrap()
        .remove("suppression");
    assert!(!v.is_valid(&bad));
}

#[test]
fn csv_has_one_row_per_finding() {
    let run = demo_run();
    let mut r = csv::Reader::from_path(run.path("r.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "id",
            "status",
            "severity",
            "check_id",
            "check",
            "category",
            "service",
            "account_id",
            "region",
            "resource_type",
            "resource",
            "message",
            "evidence",
            "tags",
            "compliance",
            "suppression"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), run.findings().len());
    for (row, f) in rows.iter().zip(run.findings()) {
        assert_eq!(&row[0], f["id"].as_str().unwrap());
        assert_eq!(&row[1], f["status"].as_str().unwrap());
        assert_eq!(&row[2], f["severity"].as_str().unwrap());
        assert_eq!(&row[10], f["resource"].as_str().unwrap());
        let evidence: Vec<&str> = f["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["text"].as_str().unwrap())
            .collect();
        assert_eq!(&row[12], evidence.join("\n"), "multi-line fields survive");
        assert_eq!(&row[15], f["suppression"].as_str().unwrap_or(""));
    }
    assert!(
        run.text("r.csv").contains("\r\n"),
        "RFC 4180 line ends are CRLF"
    );
}

fn sarif_rule_ids(log: &Value) -> Vec<&str> {
    log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema_and_says_what_it_should() {
    let run = demo_run();
    let log: Value = serde_json::from_str(&run.text("r.sarif")).unwrap();
    let v = validator(&repo().join("docs/schemas/sarif-2.1.0.json"));
    assert_eq!(schema_errors(&v, &log), Vec::<String>::new());

    // One rule per check, in the report's order, with its documentation.
    let checks = run.json["checks"].as_array().unwrap();
    let rules = &log["runs"][0]["tool"]["driver"]["rules"];
    let ids: Vec<&str> = checks.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(sarif_rule_ids(&log), ids);
    let esc = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "principal-can-escalate-to-admin")
        .unwrap();
    assert_eq!(esc["defaultConfiguration"]["level"], "error");
    assert!(
        esc["help"]["text"].as_str().unwrap().contains(
            "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html"
        )
    );
    assert!(
        esc["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&"privilege-escalation".into())
    );

    // One result per finding, located on the demo file and on the resource.
    let demo = std::fs::read_to_string(repo().join("fixtures/demo/snapshot.json")).unwrap();
    let demo_lines: Vec<&str> = demo.lines().collect();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), run.findings().len());
    let mut located = 0;
    for (r, f) in results.iter().zip(run.findings()) {
        assert_eq!(r["ruleId"], f["check_id"]);
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], f["check_id"]);
        let message = f["message"].as_str().unwrap();
        assert_eq!(
            r["message"]["text"].as_str().unwrap().trim_end_matches('.'),
            message.trim_end_matches('.'),
            "the message, as a sentence"
        );
        assert_eq!(r["partialFingerprints"]["iamsightFindingId/v1"], f["id"]);
        let loc = &r["locations"][0];
        assert_eq!(
            loc["logicalLocations"][0]["fullyQualifiedName"],
            f["resource"]
        );
        assert_eq!(loc["logicalLocations"][0]["kind"], "resource");
        let physical = &loc["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], "demo-account.json");
        let region = &physical["region"];
        let line = region["startLine"].as_u64().unwrap() as usize;
        match region["startColumn"].as_u64() {
            // On the resource's name in the file: exactly its string literal.
            Some(col) => {
                located += 1;
                assert_eq!(region["endLine"].as_u64(), Some(line as u64));
                let end = region["endColumn"].as_u64().unwrap() as usize;
                let text = demo_lines[line - 1];
                assert!(
                    text.is_ascii(),
                    "columns are UTF-16: this check needs ASCII"
                );
                let literal = &text[col as usize - 1..end - 1];
                let resource = f["resource"].as_str().unwrap();
                let id = resource
                    .rsplit_once('/')
                    .or_else(|| resource.split_once(":::"))
                    .map_or(resource, |(_, id)| id);
                assert!(
                    literal == format!("\"{resource}\"") || literal == format!("\"{id}\""),
                    "line {line} columns {col}..{end} of the demo are {literal}, not {resource}"
                );
            }
            // On something the file does not name: the whole file.
            None => {
                assert_eq!(line, 1);
                assert_eq!(region["endLine"].as_u64(), Some(demo_lines.len() as u64));
            }
        }
        let suppressed = f["status"] == "suppressed";
        assert_eq!(r["suppressions"].is_array(), suppressed, "{r}");
        if suppressed {
            assert_eq!(r["suppressions"][0]["kind"], "external");
            assert_eq!(r["suppressions"][0]["justification"], f["suppression"]);
        }
    }
    assert!(
        located * 2 > results.len(),
        "most demo findings point at a line: {located} of {}",
        results.len()
    );
    assert_eq!(
        log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["level"], "warning",
        "the coverage gap is a notification"
    );
}

/// Microsoft's SARIF multitool, installed by `scripts/test` from npm into
/// `tools/validators/node_modules`.
fn sarif_multitool() -> PathBuf {
    let exe = repo()
        .join("tools/validators/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool");
    assert!(
        exe.is_file(),
        "the SARIF multitool is not installed at {}: run scripts/test (it runs `npm ci` in tools/validators)",
        exe.display()
    );
    exe
}

#[test]
fn sarif_passes_the_sarif_multitool() {
    let exe = sarif_multitool();
    let run = demo_run();
    let out = run.path("validation.sarif");
    let o = Command::new(&exe)
        .arg("validate")
        .arg("--output")
        .arg(&out)
        .arg("--json-schema")
        .arg(exe.with_file_name("sarif-2.1.0.json"))
        .arg(run.path("r.sarif"))
        .env("DOTNET_CLI_TELEMETRY_OPTOUT", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "multitool failed: {stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("1 files scanned"), "{stdout}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(
        report["runs"][0]["tool"]["driver"]["name"],
        "Sarif.Multitool"
    );
    let complaints: Vec<String> = report["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] != "note" && r["level"] != "none")
        .map(|r| format!("{} {}: {}", r["ruleId"], r["level"], r["message"]))
        .collect();
    assert_eq!(complaints, Vec::<String>::new(), "{stdout}");

    // The validator is live: a log with a schema error is reported.
    let broken = run.path("broken.sarif");
    std::fs::write(
        &broken,
        run.text("r.sarif")
            .replacen("\"partialFingerprints\"", "\"partialFingerprint\"", 1),
    )
    .unwrap();
    let out2 = run.path("validation2.sarif");
    Command::new(&exe)
        .arg("validate")
        .arg("--output")
        .arg(&out2)
        .arg("--json-schema")
        .arg(exe.with_file_name("sarif-2.1.0.json"))
        .arg(&broken)
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out2).unwrap()).unwrap();
    assert!(
        report["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["level"] == "error"),
        "the multitool must flag a misspelt property: {report}"
    );
}

/// The Python with py-ocsf-models: `IAMSIGHT_TEST_PYTHON` (set by `scripts/test`) or the
/// repository's `.venv`.
fn python() -> PathBuf {
    let p = std::env::var_os("IAMSIGHT_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin/python"));
    assert!(
        p.is_file(),
        "no Python at {}: run scripts/test (it installs py-ocsf-models into .venv)",
        p.display()
    );
    p
}

#[test]
fn ocsf_events_validate_with_py_ocsf_models() {
    let run = demo_run();
    let o = Command::new(python())
        .arg(repo().join("tools/validators/ocsf_validate.py"))
        .arg(run.path("r.ocsf.json"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "OCSF validation failed:\n{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let n = run.findings().len();
    assert!(
        stdout.contains(&format!("{n} OCSF Detection Finding events valid")),
        "{stdout}"
    );

    // And the validator is live: an event with a wrong type or a misplaced field fails.
    let events: Vec<Value> = serde_json::from_str(&run.text("r.ocsf.json")).unwrap();
    for (what, mut e) in [
        ("severity_id", events[0].clone()),
        ("finding_info.uidd", events[0].clone()),
    ] {
        if what == "severity_id" {
            e["severity_id"] = "very".into();
        } else {
            e["finding_info"]["uidd"] = "x".into();
        }
        let bad = run.path("bad.ocsf.json");
        std::fs::write(&bad, serde_json::to_string(&vec![e]).unwrap()).unwrap();
        let o = Command::new(python())
            .arg(repo().join("tools/validators/ocsf_validate.py"))
            .arg(&bad)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{what} must be rejected");
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(what.split('.').next_back().unwrap()),
            "{what}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
}

#[test]
fn ocsf_maps_ids_severity_status_and_resources() {
    let run = demo_run();
    let events: Vec<Value> = serde_json::from_str(&run.text("r.ocsf.json")).unwrap();
    assert_eq!(events.len(), run.findings().len());
    let severity_id = |s: &str| match s {
        "info" => 1,
        "low" => 2,
        "medium" => 3,
        "high" => 4,
        "critical" => 5,
        _ => unreachable!(),
    };
    for (e, f) in events.iter().zip(run.findings()) {
        assert_eq!(e["class_uid"], 2004);
        assert_eq!(e["category_uid"], 2);
        assert_eq!(e["activity_id"], 1);
        assert_eq!(e["type_uid"], 200401);
        assert_eq!(e["finding_info"]["uid"], f["id"]);
        assert_eq!(
            e["severity_id"],
            severity_id(f["severity"].as_str().unwrap())
        );
        assert_eq!(e["time"], 1_796_040_000_000_i64, "collected_at in ms");
        assert_eq!(e["resources"][0]["uid"], f["resource"]);
        assert_eq!(e["resources"][0]["cloud_partition"], "aws");
        assert_eq!(e["cloud"]["provider"], "AWS");
        assert_eq!(e["cloud"]["account"]["uid"], "111122223333");
        assert_eq!(e["metadata"]["product"]["name"], "iamsight");
        assert_eq!(e["metadata"]["version"], "1.5.0");
        if f["status"] == "suppressed" {
            assert_eq!(e["status_id"], 3);
            assert_eq!(e["status_detail"], f["suppression"]);
        } else {
            assert_eq!(e["status_id"], 1);
        }
        assert_eq!(
            e["evidences"].as_array().map_or(0, Vec::len),
            f["evidence"].as_array().unwrap().len()
        );
    }
}

/// The JUnit document as (suite name → (attributes, test cases as (name, outcome))).
type Suites = BTreeMap<String, (BTreeMap<String, String>, Vec<(String, &'static str)>)>;

fn parse_junit(xml: &str) -> (BTreeMap<String, String>, Suites, Vec<String>) {
    use quick_xml::events::Event;
    let attrs = |e: &quick_xml::events::BytesStart<'_>| -> BTreeMap<String, String> {
        e.attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    a.key.as_ref().to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect()
    };
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut root = BTreeMap::new();
    let mut suites = Suites::new();
    let mut suite = String::new();
    let mut skipped_messages = Vec::new();
    let mut unexpected: Vec<String> = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                "testsuites" => root = attrs(&e),
                "testsuite" => {
                    let a = attrs(&e);
                    suite = a["name"].clone();
                    suites.insert(suite.clone(), (a, Vec::new()));
                }
                "testcase" => {
                    let name = attrs(&e)["name"].clone();
                    suites.get_mut(&suite).unwrap().1.push((name, "pass"));
                }
                "failure" => suites.get_mut(&suite).unwrap().1.last_mut().unwrap().1 = "failure",
                "skipped" => {
                    let message = attrs(&e)["message"].clone();
                    let case = suites.get_mut(&suite).unwrap().1.last_mut().unwrap();
                    case.1 = "skipped";
                    skipped_messages.push(message);
                }
                other => unexpected.push(other.to_string()),
            },
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(
        unexpected,
        Vec::<String>::new(),
        "elements JUnit readers do not know"
    );
    (root, suites, skipped_messages)
}

#[test]
fn junit_is_xml_with_a_suite_per_check_and_a_case_per_resource() {
    let run = demo_run();
    let (root, suites, skipped_messages) = parse_junit(&run.text("r.junit.xml"));
    let checks = run.json["checks"].as_array().unwrap();
    assert_eq!(suites.len(), checks.len());

    // Expected outcome per (check, resource): failure if any finding is open, else skipped.
    let mut expected: BTreeMap<(String, String), &str> = BTreeMap::new();
    for f in run.findings() {
        let key = (
            format!(
                "{} {}",
                f["check_id"].as_str().unwrap(),
                f["check"].as_str().unwrap()
            ),
            f["resource"].as_str().unwrap().to_string(),
        );
        let outcome = if f["status"] == "open" {
            "failure"
        } else {
            "skipped"
        };
        let e = expected.entry(key).or_insert(outcome);
        if outcome == "failure" {
            *e = "failure";
        }
    }
    let mut seen = BTreeSet::new();
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for (name, (attrs, cases)) in &suites {
        let count = |o: &str| cases.iter().filter(|c| c.1 == o).count();
        assert_eq!(attrs["tests"], cases.len().to_string(), "{name}");
        assert_eq!(attrs["failures"], count("failure").to_string(), "{name}");
        assert_eq!(attrs["skipped"], count("skipped").to_string(), "{name}");
        tests += cases.len();
        failures += count("failure");
        skipped += count("skipped");
        let with_findings = expected.keys().any(|(c, _)| c == name);
        if !with_findings {
            assert_eq!(cases.len(), 1, "{name}: one passing case for a clean check");
            assert_eq!(cases[0].1, "pass", "{name}");
            continue;
        }
        for (resource, outcome) in cases {
            let want = expected[&(name.clone(), resource.clone())];
            assert_eq!(*outcome, want, "{name} on {resource}");
            seen.insert((name.clone(), resource.clone()));
        }
    }
    assert_eq!(
        seen.len(),
        expected.len(),
        "every check × resource has its case"
    );
    assert_eq!(root["tests"], tests.to_string());
    assert_eq!(root["failures"], failures.to_string());
    assert_eq!(root["skipped"], skipped.to_string());
    assert!(skipped >= 2, "suppressed findings are skipped cases");
    // The markup in a suppression reason came through escaped, and back intact.
    assert!(run.text("r.junit.xml").contains("&lt;/script&gt;"));
    assert!(
        skipped_messages
            .iter()
            .any(|m| m == "suppressed: kept for DR </script><b>&amp;</b> \"drill\" 'Q3'"),
        "{skipped_messages:?}"
    );
}

#[test]
fn html_is_one_self_contained_file_embedding_the_report() {
    let run = demo_run();
    let html = run.text("r.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("default-src 'none'"),
        "CSP forbids every fetch"
    );
    for needle in [
        "<link rel=\"stylesheet\"",
        " src=",
        "@import",
        "url(http",
        "fetch(",
    ] {
        assert!(
            !html.contains(needle),
            "the page must load nothing: found `{needle}`"
        );
    }
    let start_tag = "<script type=\"application/json\" id=\"iamsight-report\">";
    let start = html.find(start_tag).unwrap() + start_tag.len();
    let end = start + html[start..].find("</script>").unwrap();
    let embedded = &html[start..end];
    assert!(
        !embedded.contains("</"),
        "`</` is escaped inside the JSON block"
    );
    let report: Value = serde_json::from_str(embedded).unwrap();
    assert_eq!(report, run.json, "the page embeds the full report model");
    assert!(
        report.to_string().contains("</script>"),
        "the suppression reason with markup is in the data, intact"
    );
}
