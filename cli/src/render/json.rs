//! `--format json`: the full report model.

use analyzer::report::Report;

use crate::error::CliError;

/// Renders the report as indented JSON.
pub fn render(report: &Report) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(report)
        .map_err(|e| CliError::Usage(format!("cannot serialise the report: {e}")))?;
    s.push('\n');
    Ok(s)
}
