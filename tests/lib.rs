//! Helpers for the end-to-end tests: run the real `iamsight` entry point in-process and
//! capture what it prints.

use std::path::PathBuf;

/// What one run printed and returned.
#[derive(Debug)]
pub struct Output {
    /// Exit code.
    pub code: u8,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

/// Runs `iamsight ARGS...` through the binary's own entry point.
pub fn iamsight(args: &[&str]) -> Output {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let mut argv = vec!["iamsight"];
    argv.extend_from_slice(args);
    let code = iamsight_cli::run(argv, &mut out, &mut err);
    Output {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A path under `fixtures/`, as a string.
pub fn fixture(rel: &str) -> String {
    repo().join("fixtures").join(rel).display().to_string()
}
