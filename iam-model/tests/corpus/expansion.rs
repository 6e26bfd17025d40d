//! Action-pattern expansion cases: `fixtures/expansion/*.json`, one case per file.

use iam_model::catalog::Catalog;
use serde::Deserialize;

use super::support::fixtures;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    pattern: String,
    #[serde(default)]
    count: Option<usize>,
    #[serde(default)]
    min_count: Option<usize>,
    #[serde(default)]
    includes: Vec<String>,
    #[serde(default)]
    excludes: Vec<String>,
    #[serde(default)]
    all_start_with: Option<String>,
    #[serde(default)]
    all_contain: Option<String>,
    #[serde(default)]
    unknown_service: Option<bool>,
    #[serde(default)]
    unknown_action: Option<bool>,
}

#[test]
fn every_expansion_case_holds() {
    let catalog = Catalog::embedded();
    let dir = fixtures("expansion");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "too few expansion cases in {}",
        dir.display()
    );
    let mut failures = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let case: Case = match serde_json::from_str(&std::fs::read_to_string(f).unwrap()) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let exp = catalog.expand(&case.pattern);
        let names: Vec<String> = exp
            .actions
            .iter()
            .map(|id| catalog.action(id).full_name())
            .collect();
        let mut fail = |m: String| failures.push(format!("{name} (`{}`): {m}", case.pattern));
        if let Some(n) = case.count
            && names.len() != n
        {
            fail(format!("{} actions, expected {n}", names.len()));
        }
        if let Some(n) = case.min_count
            && names.len() < n
        {
            fail(format!("{} actions, expected at least {n}", names.len()));
        }
        for a in &case.includes {
            if !names.contains(a) {
                fail(format!("missing {a} (canonical casing)"));
            }
        }
        for a in &case.excludes {
            if names.iter().any(|n| n.eq_ignore_ascii_case(a)) {
                fail(format!("unexpected {a}"));
            }
        }
        if let Some(p) = &case.all_start_with
            && let Some(bad) = names
                .iter()
                .find(|n| !n.to_ascii_lowercase().starts_with(p.as_str()))
        {
            fail(format!("{bad} does not start with {p}"));
        }
        if let Some(p) = &case.all_contain
            && let Some(bad) = names
                .iter()
                .find(|n| !n.to_ascii_lowercase().contains(p.as_str()))
        {
            fail(format!("{bad} does not contain {p}"));
        }
        if let Some(u) = case.unknown_service
            && exp.unknown_service != u
        {
            fail(format!(
                "unknown_service = {}, expected {u}",
                exp.unknown_service
            ));
        }
        if let Some(u) = case.unknown_action
            && exp.unknown_action != u
        {
            fail(format!(
                "unknown_action = {}, expected {u}",
                exp.unknown_action
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} expansion case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
