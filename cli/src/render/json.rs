//! `--format json`: the full report model, described by `docs/report.schema.json`.

use analyzer::report::Report;

use crate::error::CliError;

/// Renders the report as indented JSON.
pub fn render(report: &Report) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(report).map_err(super::json_error)?;
    s.push('\n');
    Ok(s)
}
