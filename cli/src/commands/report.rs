//! `scan` and `audit`: load, analyse, render, and pick the exit code.

use std::io::Write;

use analyzer::report::{Report, Severity, Status};
use analyzer::{Selection, analyze};

use crate::args::{ReportArgs, ReportFormat};
use crate::error::{CliError, EXIT_CLEAN, EXIT_FINDINGS};
use crate::load::{DEMO_SNAPSHOT, load_config, load_snapshot, parse_snapshot};
use crate::render;

/// Which report.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Everything.
    Scan,
    /// IAM only.
    Audit,
}

/// `--fail-on`: a severity, or `never`.
fn parse_fail_on(s: &str) -> Result<Option<Severity>, CliError> {
    if s.eq_ignore_ascii_case("never") || s.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    s.parse::<Severity>()
        .map(Some)
        .map_err(|e| CliError::Usage(format!("--fail-on: {e}, or never")))
}

/// Runs `scan` or `audit`.
pub fn run(
    a: ReportArgs,
    mode: Mode,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, CliError> {
    let fail_on = parse_fail_on(&a.fail_on)?;
    for id in a.select.iter().chain(&a.ignore) {
        if analyzer::checks::find(id).is_none() {
            return Err(CliError::Usage(format!(
                "unknown check `{id}` (see `iamsight checks`)"
            )));
        }
    }
    let config = load_config(a.config.as_deref())?;
    let snapshot = match (&a.source.snapshot, a.source.demo) {
        (Some(path), _) => load_snapshot(path)?,
        (None, true) => parse_snapshot("demo account", DEMO_SNAPSHOT)?,
        (None, false) => crate::commands::collect::live(&a.aws, err)?,
    };
    let selection = Selection {
        select: a.select.clone(),
        ignore: a.ignore.clone(),
        services: match mode {
            Mode::Scan => Vec::new(),
            Mode::Audit => vec!["iam".to_string()],
        },
    };
    let mut report = analyze(&snapshot, &config, &selection);
    report.catalog = iam_model::catalog::Catalog::embedded()
        .version()
        .to_string();
    let text = match a.format {
        ReportFormat::Json => render::json::render(&report)?,
        ReportFormat::Table => render::table::render(
            &report,
            a.show_suppressed,
            a.output.is_none() && render::color_enabled(),
        ),
    };
    match &a.output {
        Some(path) => crate::commands::write_atomically(path, text.as_bytes())?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(exit_code(&report, fail_on))
}

fn exit_code(report: &Report, fail_on: Option<Severity>) -> u8 {
    let Some(threshold) = fail_on else {
        return EXIT_CLEAN;
    };
    if report
        .findings
        .iter()
        .any(|f| f.status == Status::Open && f.severity >= threshold)
    {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
