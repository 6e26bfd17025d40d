//! `--format csv`: one row per finding (RFC 4180: comma-separated, CRLF line ends, fields
//! quoted where needed), for spreadsheets and scripts.
//!
//! Multi-valued fields (evidence, tags, compliance controls) are joined with newlines inside
//! one quoted field. A cell that a spreadsheet would take for a formula (it starts with `=`,
//! `+`, `-`, `@`, a tab or a carriage return: IAM names may contain `+=,.@-`, and tags are
//! free text) is prefixed with `'`, as OWASP advises against CSV injection.

use analyzer::report::{Report, Status};

use crate::error::CliError;

/// The header row.
pub const HEADER: [&str; 16] = [
    "id",
    "status",
    "severity",
    "check_id",
    "check",
    "category",
    "service",
    "account_id",
    "region",
    "resource_type",
    "resource",
    "message",
    "evidence",
    "tags",
    "compliance",
    "suppression",
];

/// Renders one row per finding, suppressed ones included (the `status` column tells them
/// apart).
pub fn render(report: &Report) -> Result<String, CliError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| CliError::Usage(format!("cannot write CSV: {e}"));
    w.write_record(HEADER).map_err(fail)?;
    let checks = super::checks_by_id(report);
    for f in &report.findings {
        let compliance = checks
            .get(f.check_id.as_str())
            .map(|c| c.compliance.join("\n"))
            .unwrap_or_default();
        let evidence: Vec<&str> = f.evidence.iter().map(|e| e.text.as_str()).collect();
        let tags: Vec<String> = f.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let row = [
            f.id.as_str(),
            match f.status {
                Status::Open => "open",
                Status::Suppressed => "suppressed",
            },
            f.severity.as_str(),
            &f.check_id,
            &f.check,
            f.category.as_str(),
            &f.service,
            &report.account_id,
            f.region.as_deref().unwrap_or(""),
            &f.resource_type,
            &f.resource,
            &f.message,
            &evidence.join("\n"),
            &tags.join("\n"),
            &compliance,
            f.suppression.as_deref().unwrap_or(""),
        ];
        w.write_record(row.iter().map(|c| defuse(c).into_owned()))
            .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CliError::Usage(format!("cannot write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| CliError::Usage(format!("cannot write CSV: {e}")))
}

/// Keeps a spreadsheet from evaluating a cell as a formula.
fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formula_like_cells_are_defused() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("arn:aws:iam::1:user/a"), "arn:aws:iam::1:user/a");
        assert_eq!(defuse(""), "");
    }
}
