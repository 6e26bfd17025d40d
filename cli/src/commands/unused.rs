//! `unused`: unused permissions with their confidence, as a summary or a CSV file.

use std::io::Write;

use analyzer::account::Account;
use analyzer::unused::{UnusedReport, unused_permissions};
use iam_model::catalog::Catalog;

use crate::args::UnusedArgs;
use crate::error::{CliError, EXIT_CLEAN};
use crate::load::{load_config, load_source};

/// The CSV columns, in order.
pub const COLUMNS: [&str; 16] = [
    "account_id",
    "principal_type",
    "principal_name",
    "principal_arn",
    "policy_type",
    "policy_name",
    "policy_arn",
    "statement",
    "sid",
    "service",
    "action",
    "last_accessed",
    "days_unused",
    "confidence",
    "window_days",
    "recommendation",
];

/// Renders the rows as RFC 4180 CSV.
pub fn to_csv(account_id: &str, report: &UnusedReport) -> Result<Vec<u8>, CliError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| CliError::Usage(format!("cannot write CSV: {e}"));
    w.write_record(COLUMNS).map_err(fail)?;
    for r in &report.rows {
        w.write_record([
            account_id,
            r.principal_type,
            &r.principal_name,
            &r.principal_arn,
            r.policy_type,
            &r.policy_name,
            &r.policy_arn,
            &r.statement.to_string(),
            r.sid.as_deref().unwrap_or(""),
            &r.service,
            r.action.as_deref().unwrap_or(""),
            &r.last_accessed.map(|t| t.to_string()).unwrap_or_default(),
            &r.days_unused.map(|d| d.to_string()).unwrap_or_default(),
            r.confidence.as_str(),
            &r.window_days.to_string(),
            r.confidence.recommendation(),
        ])
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| CliError::Usage(format!("cannot write CSV: {e}")))
}

/// Runs `unused`.
pub fn run(a: UnusedArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let snapshot = load_source(&a.source)?;
    let config = load_config(a.config.as_deref())?;
    let account = Account::new(&snapshot);
    let mut report = unused_permissions(&snapshot, &account, &config, Catalog::embedded());
    if report.no_collection_time {
        return Err(CliError::Usage(
            "the input has no collection time (a bare authorization-details dump): unused access cannot be judged; use a snapshot from `iamsight collect`".to_string(),
        ));
    }
    if !a.all {
        report.rows.retain(|r| r.confidence.is_unused());
    }
    if let Some(path) = &a.csv {
        let bytes = to_csv(&snapshot.account_id, &report)?;
        super::write_atomically(path, &bytes)?;
        writeln!(
            out,
            "wrote {} row(s) to {}",
            report.rows.len(),
            path.display()
        )?;
        return Ok(EXIT_CLEAN);
    }
    let mut by_principal: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for r in &report.rows {
        let e = by_principal.entry(&r.principal_arn).or_default();
        if r.action.is_some() {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
    }
    writeln!(
        out,
        "unused permissions (window {} days):",
        report.window_days
    )?;
    for (p, (actions, services)) in &by_principal {
        writeln!(
            out,
            "  {p}: {actions} action row(s), {services} service row(s)"
        )?;
    }
    if !report.principals_without_data.is_empty() {
        writeln!(
            out,
            "not judged (no last-accessed data): {}",
            report.principals_without_data.join(", ")
        )?;
    }
    Ok(EXIT_CLEAN)
}
