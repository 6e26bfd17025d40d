//! The HTML report in a real browser, from the binary this test build made.
//!
//! Runs the Node tests in `tests/browser/` (playwright-core driving Debian's chromium, both
//! installed by `scripts/test`) with `IAMSIGHT_BIN` set to this package's `iamsight` binary.
//! Running them from cargo means the binary is the one `cargo test` already built, with the
//! test build's features: no second build of the AWS SDK crates just for the browser test.
//! Without node or chromium the test fails; it never skips.

use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn the_html_report_behaves_in_headless_chromium() -> Result<(), String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("cli has no parent directory")?;
    let dir = repo.join("tests").join("browser");
    // The test files by name: `node --test DIR` is not accepted by every Node version.
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.mjs"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.test.mjs in {}", dir.display()));
    }
    let status = Command::new("node")
        .arg("--test")
        .args(&files)
        .current_dir(repo)
        .env("IAMSIGHT_BIN", env!("CARGO_BIN_EXE_iamsight"))
        .status()
        .map_err(|e| format!("cannot run node (scripts/test installs what it needs): {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "the browser tests failed: node exited with {status}"
        ))
    }
}
