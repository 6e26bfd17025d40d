//! Renderers: every output format is built from the one report model
//! ([`analyzer::report::Report`]).
//!
//! Each module turns a report into the bytes of one format and nothing else: no file is read
//! or written here and no clock is read. What a format needs beyond the report (where the
//! snapshot came from, for SARIF locations; a fallback time, for OCSF events of snapshots
//! without a collection time) arrives in [`Options`], prepared by `commands::report`.
//!
//! | format | module | validated in the test suite by |
//! | --- | --- | --- |
//! | `table` | [`table`] | e2e assertions |
//! | `json` | [`json`] | `docs/report.schema.json` (jsonschema crate) |
//! | `csv` | [`csv`] | the csv crate, one record per finding |
//! | `sarif` | [`sarif`] | the SARIF 2.1.0 schema and Microsoft's SARIF multitool |
//! | `ocsf` | [`ocsf`] | py-ocsf-models' `DetectionFinding` (strict round trip) |
//! | `junit` | [`junit`] | quick-xml, counts per suite |
//! | `html` | [`html`] | headless Chromium (`tests/browser/`) |

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod ocsf;
pub mod sarif;
pub mod table;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use analyzer::report::{CheckInfo, Report};
use iam_model::Timestamp;

use crate::args::ReportFormat;
use crate::error::CliError;

/// Colour only on a terminal, and never when `NO_COLOR` is set (https://no-color.org).
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// Where the analysed account came from.
#[derive(Debug, Clone)]
pub enum Source {
    /// The demo account embedded in the binary (`--demo`), with its text.
    Demo(&'static str),
    /// A snapshot file as the user named it, with its (decompressed) text when it could be
    /// read again for locating resources in it.
    File {
        /// The path as given on the command line.
        path: PathBuf,
        /// The JSON text, if available.
        text: Option<String>,
    },
    /// A live collection held in memory: no file to point at.
    Live,
}

/// The name SARIF uses for the demo account's snapshot.
pub const DEMO_FILE_NAME: &str = "demo-account.json";

/// What renderers need besides the report.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// Suppressed findings were asked for (`--show-suppressed`): the table adds a status
    /// column. (Without it `commands::report` leaves them out of the report for every format.)
    pub show_suppressed: bool,
    /// Table: ANSI colours.
    pub color: bool,
    /// SARIF: the snapshot file results are located in.
    pub source: &'a Source,
    /// OCSF: the event time when the report has no `collected_at` (the time of the run).
    pub generated_at: Timestamp,
}

/// Renders `report` in `format`.
pub fn render(format: ReportFormat, report: &Report, o: &Options<'_>) -> Result<String, CliError> {
    Ok(match format {
        ReportFormat::Table => table::render(report, o.show_suppressed, o.color),
        ReportFormat::Json => json::render(report)?,
        ReportFormat::Csv => csv::render(report)?,
        ReportFormat::Sarif => sarif::render(report, o.source)?,
        ReportFormat::Ocsf => ocsf::render(report, o.generated_at)?,
        ReportFormat::Junit => junit::render(report),
        ReportFormat::Html => html::render(report)?,
    })
}

/// The report's "now" (`collected_at`), or `fallback` when it is unknown or unreadable.
pub(crate) fn report_time(report: &Report, fallback: Timestamp) -> Timestamp {
    report
        .collected_at
        .as_deref()
        .and_then(|s| s.parse::<Timestamp>().ok())
        .unwrap_or(fallback)
}

/// The report's checks by id, for renderers that show rule metadata next to findings.
pub(crate) fn checks_by_id(report: &Report) -> HashMap<&str, &CheckInfo> {
    report.checks.iter().map(|c| (c.id.as_str(), c)).collect()
}

/// A serialisation failure (which cannot happen for these plain data types, but is reported
/// rather than unwrapped).
pub(crate) fn json_error(e: serde_json::Error) -> CliError {
    CliError::Usage(format!("cannot serialise the report: {e}"))
}
