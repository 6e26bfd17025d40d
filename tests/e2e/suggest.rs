//! `suggest` on the demo account: the JSON shape (one element per principal, with the removals
//! that concern it; groups and policies to remove as elements of their own), `--split-shared`,
//! the diff as a
//! reviewer reads it, and Terraform that parses as HCL, follows `terraform fmt` layout and
//! carries exactly the suggested documents.

use std::collections::{BTreeMap, BTreeSet};

use analyzer::account::Account;
use e2e::{fixture, iamsight};
use iam_model::policy::Policy;
use iam_model::snapshot::Snapshot;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let mut all = vec!["suggest", "--demo", "--format", "json"];
    all.extend_from_slice(args);
    let o = iamsight(&all);
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap()
}

fn demo() -> Snapshot {
    Snapshot::from_json_str(&std::fs::read_to_string(fixture("demo/snapshot.json")).unwrap())
        .unwrap()
}

/// The elements for users and roles (the others carry removals only).
fn suggestions(v: &Value) -> Vec<&Value> {
    v.as_array()
        .unwrap()
        .iter()
        .filter(|e| matches!(e["principal_type"].as_str(), Some("user" | "role")))
        .collect()
}

/// Every removal, from every element.
fn removals(v: &Value) -> Vec<&Value> {
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["removals"].as_array().unwrap())
        .collect()
}

/// The suggested policies of every principal: (principal, policy) pairs.
fn policies(v: &Value) -> Vec<(&Value, &Value)> {
    v.as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["suggested_policies"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |p| (s, p))
        })
        .collect()
}

/// A suggested document as `iamsight` prints it in the diff.
fn pretty(document: &Value) -> String {
    Policy::parse(&document.to_string())
        .unwrap()
        .to_json_pretty()
}

#[test]
fn json_is_one_shape_with_removals_and_their_evidence() {
    let all = json(&["--all"]);
    // Each removal sits in the element of the resource it removes.
    for e in all.as_array().unwrap() {
        for r in e["removals"].as_array().unwrap() {
            assert_eq!(r["resource"], e["principal"], "{r}");
        }
    }
    let groups_and_policies: BTreeSet<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["principal_type"].as_str())
        .filter(|t| !matches!(*t, "user" | "role"))
        .collect();
    assert_eq!(groups_and_policies, ["group", "policy"].into());
    let every = removals(&all);
    assert!(
        !every.is_empty(),
        "unused users, roles and keys are suggested for removal"
    );
    let kinds: BTreeSet<&str> = [
        "unused-iam-user",
        "unused-iam-role",
        "unused-access-key",
        "access-key-never-used",
        "unused-console-password",
        "unattached-customer-managed-policy",
        "iam-group-without-members",
    ]
    .into();
    for r in &every {
        assert!(kinds.contains(r["kind"].as_str().unwrap()), "{r}");
        assert!(!r["evidence"].as_array().unwrap().is_empty(), "{r}");
    }
    // The demo has one of each: unused principals, keys, a password, an unattached policy and
    // an empty group.
    assert_eq!(
        every
            .iter()
            .map(|r| r["kind"].as_str().unwrap())
            .collect::<BTreeSet<_>>(),
        kinds
    );
    // One principal: the same shape, only its own suggestion and removals.
    let one = json(&["--principal", "reporting-bot"]);
    let suggestions = suggestions(&one);
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(suggestions.len(), 1);
    let arn = suggestions[0]["principal"].as_str().unwrap();
    assert!(arn.ends_with(":user/service-accounts/reporting-bot"));
    assert!(
        suggestions[0]["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["permission"] == "athena:GetQueryExecution")
    );
    assert!(
        !suggestions[0]["removals"].as_array().unwrap().is_empty(),
        "its unused access keys"
    );
    assert!(removals(&one).iter().all(|r| r["resource"] == arn));
    let o = iamsight(&["suggest", "--demo", "--principal", "nobody-at-all"]);
    assert_eq!(o.code, 2, "an unknown principal is a usage error");
}

#[test]
fn split_shared_gives_each_holder_its_own_policy_judged_on_its_own_use() {
    let union = json(&["--all"]);
    let split = json(&["--all", "--split-shared"]);
    // Union: a rewrite of a shared policy names every holder, and is the same for each.
    let mut by_policy: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (s, p) in policies(&union) {
        let holders = p["holders"].as_array().unwrap();
        assert!(holders.iter().any(|h| *h == s["principal"]));
        by_policy
            .entry(p["replaces"].as_str().unwrap())
            .or_default()
            .insert(p["document"].to_string());
    }
    assert!(by_policy.values().all(|docs| docs.len() == 1));
    // Split: each rewrite is its holder's alone, named after it when the original is shared,
    // and drops at least what the union rewrite dropped for that holder.
    let mut split_shared = 0;
    for (s, p) in policies(&split) {
        let principal = s["principal"].as_str().unwrap();
        assert_eq!(p["holders"].as_array().unwrap(), &[Value::from(principal)]);
        let name = principal.rsplit('/').next().unwrap();
        if p["name"].as_str().unwrap().contains(&format!("-{name}-")) {
            split_shared += 1;
            assert!(
                s["notes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|n| n.as_str().unwrap().contains("--split-shared"))
            );
        }
        let removed = |v: &Value| -> BTreeSet<String> {
            suggestions(v)
                .into_iter()
                .filter(|x| x["principal"] == principal)
                .flat_map(|x| x["removed"].as_array().unwrap())
                .filter(|r| r["policy"] == p["replaces"])
                .map(|r| r["permission"].to_string())
                .collect()
        };
        assert!(removed(&union).is_subset(&removed(&split)), "{principal}");
    }
    assert!(
        split_shared > 0,
        "the demo has a shared policy some holder uses less"
    );
}

/// Applies a unified diff's hunks to `before`.
fn apply(before: &str, hunks: &[&str]) -> String {
    let old: Vec<&str> = before.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut at = 0;
    for hunk in hunks {
        let mut lines = hunk.lines();
        let header = lines.next().unwrap();
        let start: usize = header
            .trim_start_matches("@@ -")
            .split([',', ' '])
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let start = start.saturating_sub(1);
        out.extend(old[at..start.max(at)].iter().map(|l| l.to_string()));
        at = start.max(at);
        for l in lines {
            match l.split_at(1) {
                (" ", rest) => {
                    assert_eq!(old[at], rest, "context line");
                    out.push(rest.to_string());
                    at += 1;
                }
                ("-", rest) => {
                    assert_eq!(old[at], rest, "removed line");
                    at += 1;
                }
                ("+", rest) => out.push(rest.to_string()),
                _ => panic!("bad hunk line {l:?}"),
            }
        }
    }
    out.extend(old[at..].iter().map(|l| l.to_string()));
    out.join("\n") + "\n"
}

#[test]
fn the_diff_shows_each_changed_policy_once_and_applies_to_todays_policy() {
    let o = iamsight(&["suggest", "--demo", "--all", "--format", "diff"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v = json(&["--all"]);
    let snapshot = demo();
    let account = Account::new(&snapshot);
    // Split the output into one diff per file.
    let mut files: Vec<(String, String, Vec<String>)> = Vec::new();
    for line in o.stdout.lines() {
        if let Some(old) = line.strip_prefix("--- ") {
            files.push((old.to_string(), String::new(), Vec::new()));
        } else if let Some(new) = line.strip_prefix("+++ ") {
            files.last_mut().unwrap().1 = new.to_string();
        } else if line.starts_with("@@") {
            files.last_mut().unwrap().2.push(format!("{line}\n"));
        } else if let Some((_, _, hunks)) = files.last_mut()
            && let Some(h) = hunks.last_mut()
            && !line.starts_with('#')
        {
            h.push_str(line);
            h.push('\n');
        }
    }
    let names: Vec<&str> = files.iter().map(|f| f.1.as_str()).collect();
    let unique: BTreeSet<&str> = names.iter().copied().collect();
    assert_eq!(
        names.len(),
        unique.len(),
        "a policy is shown once: {names:?}"
    );
    let suggested: BTreeMap<String, (&Value, &Value)> = policies(&v)
        .into_iter()
        .map(|(s, p)| (format!("b/{}", p["name"].as_str().unwrap()), (s, p)))
        .collect();
    assert_eq!(
        unique,
        suggested.keys().map(String::as_str).collect(),
        "every suggested policy is in the diff"
    );
    for (old, new, hunks) in &files {
        let (s, p) = suggested[new];
        let before = if old == "/dev/null" {
            String::new()
        } else {
            let id = old.strip_prefix("a/").unwrap();
            assert_eq!(id, p["replaces"]);
            let principal = account.by_arn(s["principal"].as_str().unwrap()).unwrap();
            let g = principal.grants.iter().find(|g| g.id == id).unwrap();
            g.policy.unwrap().to_json_pretty() + "\n"
        };
        let hunks: Vec<&str> = hunks.iter().map(String::as_str).collect();
        assert_eq!(
            apply(&before, &hunks),
            pretty(&p["document"]) + "\n",
            "{new}"
        );
    }
    // Each policy's header says who holds it and what goes.
    assert!(o.stdout.contains("# removes 1: ec2:StopInstances"));
}

/// Checks the `terraform fmt` layout rules iamsight's output relies on: two spaces per
/// nesting level, no tabs or trailing spaces, the `=` of consecutive one-line attributes in
/// one column with one space after the longest name, blocks separated by one blank line.
fn check_fmt(text: &str) -> Result<(), String> {
    let mut depth = 0usize;
    let mut heredoc: Option<String> = None;
    let mut group: Vec<(usize, usize, usize)> = Vec::new(); // (line, key length, `=` column)
    let mut blank_run = 0;
    let flush = |group: &mut Vec<(usize, usize, usize)>| -> Result<(), String> {
        if let Some(longest) = group.iter().map(|g| g.1).max() {
            for (n, _, col) in group.iter() {
                if *col != 2 + longest + 1 {
                    return Err(format!("line {n}: `=` not aligned"));
                }
            }
        }
        group.clear();
        Ok(())
    };
    for (n, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        if let Some(marker) = &heredoc {
            if line.trim() == marker {
                if line != format!("{}{marker}", "  ".repeat(depth)) {
                    return Err(format!("line {n}: heredoc end not indented"));
                }
                heredoc = None;
            }
            continue;
        }
        if line.contains('\t') || line.ends_with(' ') {
            return Err(format!("line {n}: tab or trailing space"));
        }
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                return Err(format!("line {n}: two blank lines"));
            }
            flush(&mut group)?;
            continue;
        }
        blank_run = 0;
        let trimmed = line.trim_start();
        if trimmed.starts_with('}') {
            flush(&mut group)?;
            depth = depth
                .checked_sub(1)
                .ok_or(format!("line {n}: unbalanced"))?;
        }
        if !trimmed.starts_with('#') && line.len() - trimmed.len() != 2 * depth {
            return Err(format!(
                "line {n}: indented {} at depth {depth}",
                line.len() - trimmed.len()
            ));
        }
        if depth == 1
            && let Some(eq) = line.find(" = ")
        {
            let key = line[..eq].trim_end();
            group.push((n, key.trim_start().len(), eq + 1));
            if let Some(marker) = line.split("<<-").nth(1) {
                heredoc = Some(marker.trim().to_string());
            }
        } else {
            flush(&mut group)?;
        }
        if trimmed.ends_with('{') {
            depth += 1;
        }
    }
    if depth != 0 || heredoc.is_some() {
        return Err("unbalanced block or open heredoc".to_string());
    }
    Ok(())
}

#[test]
fn terraform_is_valid_hcl_in_terraform_fmt_layout_with_exactly_the_suggested_documents() {
    for extra in [&[][..], &["--split-shared"][..]] {
        let dir = tempfile::tempdir().unwrap();
        let out_dir = dir.path().display().to_string();
        let mut args = vec![
            "suggest",
            "--demo",
            "--format",
            "terraform",
            "--out-dir",
            &out_dir,
        ];
        args.extend_from_slice(extra);
        let o = iamsight(&args);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let mut json_args = vec!["--all"];
        json_args.extend_from_slice(extra);
        let v = json(&json_args);
        let documents: BTreeMap<&str, &Value> = policies(&v)
            .into_iter()
            .map(|(_, p)| (p["name"].as_str().unwrap(), &p["document"]))
            .collect();
        let changed = suggestions(&v)
            .into_iter()
            .filter(|s| !s["suggested_policies"].as_array().unwrap().is_empty())
            .count();
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), changed, "one file per principal with a change");
        let mut addresses = BTreeSet::new();
        let mut references = BTreeSet::new();
        let mut seen_documents = BTreeSet::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            check_fmt(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", f.display()));
            let body: hcl::Body =
                hcl::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}\n{text}", f.display()));
            for b in body.blocks() {
                assert_eq!(b.identifier(), "resource");
                let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
                let address = format!("{}.{}", labels[0], labels[1]);
                assert!(addresses.insert(address.clone()), "{address} twice");
                let attr = |k: &str| b.body().attributes().find(|a| a.key() == k);
                if let Some(arn) = attr("policy_arn") {
                    // An attachment: it points at a policy defined in the module.
                    references.insert(arn.expr().to_string().trim_end_matches(".arn").to_string());
                    continue;
                }
                let name = attr("name").unwrap().expr().to_string();
                let name = name.trim_matches('"');
                let policy = attr("policy").unwrap();
                let value =
                    hcl::eval::Evaluate::evaluate(policy.expr(), &hcl::eval::Context::new())
                        .unwrap();
                let doc: Value = serde_json::from_str(value.as_str().unwrap()).unwrap();
                assert_eq!(&&doc, documents.get(name).unwrap(), "{name}");
                seen_documents.insert(name.to_string());
            }
        }
        assert!(
            references.is_subset(&addresses),
            "{references:?} not all defined"
        );
        assert_eq!(
            seen_documents,
            documents.keys().map(|k| k.to_string()).collect(),
            "every suggested document is in the Terraform"
        );
    }
}
