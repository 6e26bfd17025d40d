//! Registry tests: every listed check obeys the same rules.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use iam_model::snapshot::Snapshot;

use super::*;
use crate::config::Config;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn ids_and_names_are_unique_and_well_formed() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for c in CHECKS {
        assert!(ids.insert(c.id), "duplicate id {}", c.id);
        assert!(names.insert(c.name), "duplicate name {}", c.name);
        assert!(
            c.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "{} is not kebab-case",
            c.name
        );
        assert!(
            !c.name.starts_with("ensure"),
            "{}: name the problem, not the fix",
            c.name
        );
        let (prefix, num) = c.id.split_once('-').unwrap_or(("", ""));
        assert!(
            !prefix.is_empty() && num.len() == 3 && num.bytes().all(|b| b.is_ascii_digit()),
            "bad id {}",
            c.id
        );
    }
}

#[test]
fn every_check_is_documented() {
    for c in CHECKS {
        assert!(c.title.len() > 10, "{}: title", c.name);
        assert!(c.rationale.len() > 40, "{}: rationale", c.name);
        assert!(c.remediation.console.len() > 20, "{}: remediation", c.name);
        assert!(!c.references.is_empty(), "{}: references", c.name);
        assert!(
            c.references.iter().all(|r| r.starts_with("https://")),
            "{}: references",
            c.name
        );
    }
}

#[test]
fn checks_md_is_fresh() {
    let path = root().join("docs/checks.md");
    let want = crate::docs::checks_markdown();
    if std::env::var_os("IAMSIGHT_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/checks.md is stale: run `IAMSIGHT_BLESS=1 cargo test -p analyzer`"
    );
}

/// The `fail-`/`pass-` token in a resource id, if any.
fn tokens(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(tail.len());
        out.insert(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

/// Each check has `fixtures/checks/<name>/`. In it, files named `pass-*.json` must give no
/// finding and `fail-*.json` at least one (account-level checks); any other file holds
/// resources named `pass-*` and `fail-*`, and the check must flag exactly the `fail-*` ones.
#[test]
fn every_check_flags_exactly_its_fail_fixtures() {
    let mut problems = Vec::new();
    for check in CHECKS {
        let dir = root().join("fixtures/checks").join(check.name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            problems.push(format!(
                "{}: no fixture directory {}",
                check.name,
                dir.display()
            ));
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        let (mut saw_pass, mut saw_fail) = (false, false);
        for file in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "json"))
        {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let snap = match Snapshot::from_json_str(&text) {
                Ok(s) => s,
                Err(e) => {
                    problems.push(format!("{}: {}: {e}", check.name, file.display()));
                    continue;
                }
            };
            let config = Config::default();
            let ctx = Context::new(&snap, &config);
            let mut em = Emitter::new(check);
            (check.run)(&ctx, &mut em);
            let findings = em.into_findings();
            let fname = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if fname.starts_with("pass-") {
                saw_pass = true;
                if !findings.is_empty() {
                    problems.push(format!(
                        "{}: {fname}: expected no finding, got {:?}",
                        check.name,
                        findings.iter().map(|f| &f.message).collect::<Vec<_>>()
                    ));
                }
            } else if fname.starts_with("fail-") {
                saw_fail = true;
                if findings.is_empty() {
                    problems.push(format!(
                        "{}: {fname}: expected a finding, got none",
                        check.name
                    ));
                }
            } else {
                let want = tokens(&text, "fail-");
                saw_fail |= !want.is_empty();
                saw_pass |= !tokens(&text, "pass-").is_empty();
                let mut got = BTreeSet::new();
                for f in &findings {
                    let t = tokens(&f.resource, "fail-");
                    if t.is_empty() {
                        problems.push(format!(
                            "{}: {fname}: flagged a resource not named fail-*: {} ({})",
                            check.name, f.resource, f.message
                        ));
                    }
                    got.extend(t);
                }
                for missing in want.difference(&got) {
                    problems.push(format!("{}: {fname}: did not flag {missing}", check.name));
                }
            }
        }
        if !saw_pass || !saw_fail {
            problems.push(format!(
                "{}: fixtures need both pass and fail cases",
                check.name
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// In a fixture with an `organizations` section, each `pass-*` resource passes *because of*
/// the organisation's control policies: with the section taken out, the check flags it. So
/// an SCP or RCP fixture cannot pass for another reason (a missing admin role, a typo).
#[test]
fn organisation_fixtures_pass_because_of_their_control_policies() {
    let mut problems = Vec::new();
    let mut files = 0;
    for check in CHECKS {
        let dir = root().join("fixtures/checks").join(check.name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for file in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let Ok(mut snap) = Snapshot::from_json_str(&text) else {
                continue;
            };
            if snap.organizations.is_none() {
                continue;
            }
            files += 1;
            let config = Config::default();
            let flagged = |snap: &Snapshot| -> BTreeSet<String> {
                let ctx = Context::new(snap, &config);
                let mut em = Emitter::new(check);
                (check.run)(&ctx, &mut em);
                em.into_findings()
                    .iter()
                    .flat_map(|f| tokens(&f.resource, "pass-"))
                    .collect()
            };
            assert!(flagged(&snap).is_empty(), "{}", file.display());
            snap.organizations = None;
            let without = flagged(&snap);
            for want in tokens(&text, "pass-") {
                if !without.contains(&want) {
                    problems.push(format!(
                        "{}: {}: {want} passes even without the organisation's policies",
                        check.name,
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(files >= 6, "only {files} organisation fixtures");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `USES_GRAPH` and `USES_UNUSED` name exactly the checks that build the graph or the unused
/// report when they run alone (on the demo account, which has data for both).
#[test]
fn the_uses_lists_name_the_checks_that_build_graph_and_unused_report() {
    let snap = Snapshot::from_json_str(
        &std::fs::read_to_string(root().join("fixtures/demo/snapshot.json")).unwrap(),
    )
    .unwrap();
    let config = Config::default();
    let (mut graph, mut unused) = (BTreeSet::new(), BTreeSet::new());
    for c in CHECKS {
        let ctx = Context::new(&snap, &config);
        let mut em = Emitter::new(c);
        (c.run)(&ctx, &mut em);
        let (g, u) = ctx.built();
        if g {
            graph.insert(c.name);
        }
        if u {
            unused.insert(c.name);
        }
    }
    assert_eq!(graph, USES_GRAPH.iter().copied().collect(), "USES_GRAPH");
    assert_eq!(unused, USES_UNUSED.iter().copied().collect(), "USES_UNUSED");
}
