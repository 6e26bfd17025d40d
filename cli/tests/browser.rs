//! The tests that need the `iamsight` binary as a process of its own, from the binary this
//! test build made: the HTML report in a real browser, and `iamsight.toml` found in the
//! working directory (a process's working directory cannot be changed for one in-process
//! test without changing it for every test running beside it).
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

/// Without `--config`, `iamsight.toml` in the working directory is the configuration: its
/// suppression applies; a directory without one means the defaults; a malformed one is an
/// error (exit 2) naming the file.
#[test]
fn iamsight_toml_in_the_working_directory_is_the_configuration() -> Result<(), String> {
    let scan = |dir: &Path| -> Result<(i32, String, String), String> {
        let o = Command::new(env!("CARGO_BIN_EXE_iamsight"))
            .args(["scan", "--demo", "--format", "json", "--show-suppressed"])
            .current_dir(dir)
            .output()
            .map_err(|e| format!("cannot run iamsight: {e}"))?;
        Ok((
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        ))
    };
    let bastion = "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0c2f8955bd4e51471";
    let status_of = |json: &str| -> Result<String, String> {
        let report: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
        report["findings"]
            .as_array()
            .and_then(|fs| {
                fs.iter().find(|f| {
                    f["check"] == "security-group-open-to-world-ssh" && f["resource"] == bastion
                })
            })
            .map(|f| f["status"].as_str().unwrap_or_default().to_string())
            .ok_or_else(|| "no SSH finding on the bastion".to_string())
    };
    let with = tempfile::tempdir().map_err(|e| e.to_string())?;
    std::fs::write(
        with.path().join("iamsight.toml"),
        format!(
            "[[suppressions]]\ncheck = \"security-group-open-to-world-ssh\"\nresource = \"{bastion}\"\nreason = \"bastion, reviewed\"\n"
        ),
    )
    .map_err(|e| e.to_string())?;
    let (code, out, err) = scan(with.path())?;
    if code != 0 {
        return Err(format!("exit {code}: {err}"));
    }
    if status_of(&out)? != "suppressed" {
        return Err("the iamsight.toml of the working directory was not read".to_string());
    }
    let without = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (code, out, err) = scan(without.path())?;
    if code != 0 || status_of(&out)? != "open" {
        return Err(format!("without iamsight.toml: exit {code}, {err}"));
    }
    std::fs::write(without.path().join("iamsight.toml"), "thresholds = 3\n")
        .map_err(|e| e.to_string())?;
    let (code, _, err) = scan(without.path())?;
    if code != 2 || !err.contains("iamsight.toml") {
        return Err(format!("a malformed iamsight.toml: exit {code}, {err}"));
    }
    Ok(())
}
