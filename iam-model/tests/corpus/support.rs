//! What every corpus shares: finding the cases in a directory, pairing each input with its
//! expectation file, running them all, and reporting every failure at once.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// `fixtures/<rel>` at the workspace root.
pub fn fixtures(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("fixtures")
        .join(rel)
}

/// How the files of one corpus directory are named.
pub struct Layout<'a> {
    /// Extensions of input files (`.json`, `.txt`). The case name is the file's path
    /// relative to the directory with this extension removed.
    pub inputs: &'a [&'a str],
    /// What the expectation file's name adds to the case name (`.expect.json`).
    pub expectation: &'a str,
    /// Expectation suffixes that belong to other directories: such a file here is misplaced.
    pub foreign: &'a [&'a str],
}

/// One case: an input file and the expectation file beside it.
pub struct Case {
    /// The input's path relative to the corpus directory, `/`-separated (`sub/foo.json`).
    pub file: String,
    /// The input file.
    pub input: PathBuf,
    /// The expectation file.
    pub expectation: PathBuf,
}

impl Case {
    /// The input file's text.
    pub fn input_text(&self) -> Result<String, String> {
        read(&self.input)
    }

    /// The expectation file's text.
    pub fn expectation_text(&self) -> Result<String, String> {
        read(&self.expectation)
    }
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}

/// Every regular file under `dir`, as `/`-separated relative paths, sorted. Dot files are
/// skipped (`.gitkeep`).
fn walk(dir: &Path, rel: &str, out: &mut Vec<String>, problems: &mut Vec<String>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(format!("cannot list `{}`: {e}", dir.display()));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                problems.push(format!("cannot list `{}`: {e}", dir.display()));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let child = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if entry.path().is_dir() {
            walk(&entry.path(), &child, out, problems);
        } else {
            out.push(child);
        }
    }
}

/// Pairs every input in `dir` with its expectation. Layout problems (an input without an
/// expectation, an expectation without an input, a stray or misplaced file, an empty
/// directory) are returned as failures next to the cases.
fn cases(dir: &Path, layout: &Layout<'_>) -> (Vec<Case>, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    walk(dir, "", &mut files, &mut problems);
    files.sort();
    let mut failures: Vec<(String, String)> = problems
        .into_iter()
        .map(|p| (dir.display().to_string(), p))
        .collect();
    let mut expectations = BTreeSet::new();
    let mut stems = BTreeSet::new();
    let mut out = Vec::new();
    for file in &files {
        if file.ends_with(layout.expectation) {
            expectations.insert(file.clone());
        } else if let Some(f) = layout.foreign.iter().find(|f| file.ends_with(**f)) {
            failures.push((
                file.clone(),
                format!(
                    "a `*{f}` file does not belong here: this directory's cases expect `*{}`",
                    layout.expectation
                ),
            ));
        } else if let Some(stem) = layout.inputs.iter().find_map(|ext| file.strip_suffix(ext)) {
            let expectation = format!("{stem}{}", layout.expectation);
            if !stems.insert(stem.to_string()) {
                failures.push((
                    file.clone(),
                    format!("another input also has the case name `{stem}`"),
                ));
            } else if !files.contains(&expectation) {
                failures.push((
                    file.clone(),
                    format!("no expectation file: add `{expectation}`"),
                ));
            } else {
                out.push(Case {
                    file: file.clone(),
                    input: dir.join(file),
                    expectation: dir.join(&expectation),
                });
            }
        } else {
            failures.push((
                file.clone(),
                format!(
                    "not a case: inputs end in {}, expectations in `{}`",
                    layout
                        .inputs
                        .iter()
                        .map(|e| format!("`{e}`"))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    layout.expectation
                ),
            ));
        }
    }
    for e in &expectations {
        let stem = e.strip_suffix(layout.expectation).unwrap_or(e);
        if !stems.contains(stem) {
            failures.push((
                e.clone(),
                format!(
                    "expectation without an input: add `{stem}{}`",
                    layout.inputs.join("` or `")
                ),
            ));
        }
    }
    if out.is_empty() && failures.is_empty() {
        failures.push((dir.display().to_string(), "no cases".to_string()));
    }
    (out, failures)
}

/// Runs `check` on every case in `dir` (a panic counts as that case's failure), then fails
/// once, listing every failure, layout problems included.
pub fn run_dir(
    dir: &Path,
    layout: &Layout<'_>,
    mut check: impl FnMut(&Case) -> Result<(), String>,
) {
    let (cases, mut failures) = cases(dir, layout);
    let total = cases.len();
    for case in &cases {
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| check(case)));
        let problem = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(message)) => message,
            Err(payload) => {
                let what = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("(non-string payload)");
                format!("panicked: {what}")
            }
        };
        failures.push((case.file.clone(), problem));
    }
    let mut report = String::new();
    for (file, problem) in &failures {
        let _ = write!(report, "\n==== {file}\n{problem}\n");
    }
    assert!(
        failures.is_empty(),
        "{} problem(s) in `{}` ({total} case(s) run):\n{report}",
        failures.len(),
        dir.display(),
    );
}

/// A line diff of `expected` against `actual` (`-` expected only, `+` actual only), with
/// three lines of context around each change.
pub fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            lines.push(('+', b[j]));
            j += 1;
        } else {
            lines.push(('-', a[i]));
            i += 1;
        }
    }
    const CONTEXT: usize = 3;
    let changed: Vec<usize> = (0..lines.len()).filter(|&k| lines[k].0 != ' ').collect();
    let near = |k: usize| changed.iter().any(|&c| c.abs_diff(k) <= CONTEXT);
    let mut out = String::from("--- expected\n+++ actual\n");
    let mut skipped = false;
    for (k, (mark, line)) in lines.iter().enumerate() {
        if near(k) {
            if skipped {
                out.push_str("  ...\n");
                skipped = false;
            }
            let _ = writeln!(out, "{mark} {line}");
        } else {
            skipped = true;
        }
    }
    if skipped {
        out.push_str("  ...\n");
    }
    out
}
