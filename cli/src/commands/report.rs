//! `scan` and `audit`: load, analyse, render, and pick the exit code.

use std::io::{Read, Write};
use std::path::PathBuf;

use analyzer::report::{Report, Severity, Status};
use analyzer::{Selection, analyze};
use clap::ValueEnum;

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
    let outputs = plan_outputs(a.format, &a.output)?;
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
    // The HTML report shows each principal's suggested policy beside its unused permissions.
    let wants_insights = outputs.iter().any(|o| o.format == ReportFormat::Html)
        && report.checks.iter().any(|c| c.name == "unused-permissions");
    if wants_insights {
        analyzer::attach_suggestions(&mut report, &snapshot, &config);
    }
    if let Some(path) = &a.baseline {
        apply_baseline(&mut report, path)?;
    }
    // Suppressed findings are listed, in every format alike, only when asked for; the
    // summary counts them either way.
    if !a.show_suppressed {
        report.findings.retain(|f| f.status == Status::Open);
    }
    report.catalog = iam_model::catalog::Catalog::embedded()
        .version()
        .to_string();
    let source = match (&a.source.snapshot, a.source.demo) {
        (Some(path), _) => render::Source::File {
            path: path.clone(),
            text: outputs
                .iter()
                .any(|o| o.format == ReportFormat::Sarif)
                .then(|| snapshot_text(path))
                .flatten(),
        },
        (None, true) => render::Source::Demo(DEMO_SNAPSHOT),
        (None, false) => render::Source::Live,
    };
    let generated_at = iam_model::Timestamp(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64),
    );
    for o in &outputs {
        let options = render::Options {
            show_suppressed: a.show_suppressed,
            color: o.path.is_none() && render::color_enabled(),
            source: &source,
            generated_at,
        };
        let text = render::render(o.format, &report, &options)?;
        match &o.path {
            Some(path) => crate::commands::write_atomically(path, text.as_bytes())?,
            None => out.write_all(text.as_bytes())?,
        }
    }
    Ok(exit_code(&report, fail_on))
}

/// One destination of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Output {
    format: ReportFormat,
    /// `None` is standard output.
    path: Option<PathBuf>,
}

/// `--format` and the `--output` flags as the list of things to write: each `FORMAT=FILE`
/// writes that format; a plain `FILE` takes `--format`, which otherwise goes to standard
/// output.
fn plan_outputs(format: ReportFormat, flags: &[String]) -> Result<Vec<Output>, CliError> {
    let mut outputs: Vec<Output> = Vec::new();
    let mut plain = false;
    for flag in flags {
        let (format, path) = match flag.split_once('=') {
            Some((name, path)) if !name.is_empty() && !name.contains(['/', '\\', '.']) => {
                let f = ReportFormat::from_str(name, true).map_err(|_| {
                    CliError::Usage(format!(
                        "--output `{flag}`: unknown format `{name}` (expected table, json, csv, sarif, ocsf, junit or html)"
                    ))
                })?;
                (f, path)
            }
            _ => {
                plain = true;
                (format, flag.as_str())
            }
        };
        if path.is_empty() {
            return Err(CliError::Usage(format!("--output `{flag}`: no file name")));
        }
        let path = PathBuf::from(path);
        if outputs.iter().any(|o| o.path.as_ref() == Some(&path)) {
            return Err(CliError::Usage(format!(
                "--output: `{}` is named twice",
                path.display()
            )));
        }
        outputs.push(Output {
            format,
            path: Some(path),
        });
    }
    if !plain {
        outputs.insert(0, Output { format, path: None });
    }
    Ok(outputs)
}

/// The snapshot's text again (decompressed), for SARIF to point at lines in it. Best effort:
/// the snapshot already loaded, and without the text results are located on the file alone.
fn snapshot_text(path: &std::path::Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_string(&mut s)
            .ok()?;
        Some(s)
    } else {
        String::from_utf8(bytes).ok()
    }
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

/// Keeps only findings whose stable id is not in a previous JSON report, and recounts.
fn apply_baseline(report: &mut Report, path: &std::path::Path) -> Result<(), CliError> {
    let text = crate::load::read_text(path)?;
    let old: Report =
        crate::load::deserialize_with_path(&text).map_err(|message| CliError::Snapshot {
            path: path.display().to_string(),
            message: format!("not an iamsight JSON report: {message}"),
        })?;
    let known: std::collections::HashSet<&str> =
        old.findings.iter().map(|f| f.id.as_str()).collect();
    report.findings.retain(|f| !known.contains(f.id.as_str()));
    report.summary = analyzer::summarize(&report.findings, report.summary.checks_run);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(format: ReportFormat, flags: &[&str]) -> Result<Vec<Output>, CliError> {
        let flags: Vec<String> = flags.iter().map(|s| s.to_string()).collect();
        plan_outputs(format, &flags)
    }

    fn out(format: ReportFormat, path: Option<&str>) -> Output {
        Output {
            format,
            path: path.map(PathBuf::from),
        }
    }

    #[test]
    fn no_output_flag_writes_the_format_to_stdout() {
        assert_eq!(
            plan(ReportFormat::Json, &[]).unwrap_or_default(),
            vec![out(ReportFormat::Json, None)]
        );
    }

    #[test]
    fn a_plain_file_takes_the_format() {
        assert_eq!(
            plan(ReportFormat::Sarif, &["r.sarif"]).unwrap_or_default(),
            vec![out(ReportFormat::Sarif, Some("r.sarif"))]
        );
    }

    #[test]
    fn format_equals_file_adds_outputs_and_keeps_stdout() {
        assert_eq!(
            plan(
                ReportFormat::Table,
                &["html=report.html", "SARIF=out/r.sarif"]
            )
            .unwrap_or_default(),
            vec![
                out(ReportFormat::Table, None),
                out(ReportFormat::Html, Some("report.html")),
                out(ReportFormat::Sarif, Some("out/r.sarif")),
            ]
        );
        assert_eq!(
            plan(ReportFormat::Json, &["r.json", "junit=j.xml"]).unwrap_or_default(),
            vec![
                out(ReportFormat::Json, Some("r.json")),
                out(ReportFormat::Junit, Some("j.xml")),
            ]
        );
    }

    #[test]
    fn paths_with_equals_signs_are_paths() {
        assert_eq!(
            plan(ReportFormat::Csv, &["./a=b.csv"]).unwrap_or_default(),
            vec![out(ReportFormat::Csv, Some("./a=b.csv"))]
        );
    }

    #[test]
    fn bad_outputs_are_usage_errors() {
        let e = |flags: &[&str]| match plan(ReportFormat::Table, flags) {
            Err(e) => e.to_string(),
            Ok(o) => format!("accepted: {o:?}"),
        };
        assert!(e(&["xml=a.xml"]).contains("unknown format `xml`"));
        assert!(e(&["html="]).contains("no file name"));
        assert!(e(&["html=a", "json=a"]).contains("named twice"));
    }
}
