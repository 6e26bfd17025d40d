//! The evaluation corpus: `fixtures/eval-cases/*.json`, each a JSON array of simulation
//! cases derived from AWS's documentation (each citing the rule it encodes). Every case is
//! run; every mismatch is listed at once.

use std::collections::BTreeSet;

use iam_model::eval::case::Case;

use super::support::fixtures;

#[test]
fn every_documented_evaluation_case_holds() {
    let dir = fixtures("eval-cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no cases in {}", dir.display());
    let mut names = BTreeSet::new();
    let mut total = 0;
    let mut failures = Vec::new();
    for file in &files {
        let fname = file.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(file).unwrap();
        let cases: Vec<Case> = match serde_json::from_str(&text) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{fname}: {e}"));
                continue;
            }
        };
        for (i, case) in cases.iter().enumerate() {
            total += 1;
            let name = case.name.clone().unwrap_or_else(|| format!("#{i}"));
            if !names.insert(name.clone()) {
                failures.push(format!("{fname}: duplicate case name `{name}`"));
            }
            if case.rule.is_none() || case.source.is_none() || case.expect.is_none() {
                failures.push(format!(
                    "{fname}: `{name}`: a corpus case needs `rule`, `source` and `expect`"
                ));
                continue;
            }
            match case.run() {
                Ok(got) => {
                    if let Some(m) = case.mismatch(&got) {
                        failures.push(format!(
                            "{fname}: `{name}`: {m}\n    rule: {}",
                            case.rule.as_deref().unwrap_or("")
                        ));
                    }
                }
                Err(e) => failures.push(format!("{fname}: `{name}`: {e}")),
            }
        }
    }
    assert!(
        total >= 300,
        "the corpus holds {total} cases; at least 300 are required"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} evaluation cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
