//! `unused`: unused permissions with their confidence, ranked by risk × use, as a table, JSON or
//! a CSV file, with Access Analyzer's verdict beside iamsight's where the snapshot has one.
//!
//! Rows come highest risk × use first ([`UnusedReport::ranked`]). Without `--all` only the rows
//! recommended for removal (confidently unused) are listed; `--all` adds the grants iamsight
//! cannot judge (`review`) and the used ones (`keep`, `constrain`).

use std::io::Write;

use analyzer::account::Account;
use analyzer::unused::access_analyzer::{AccessAnalyzerReport, Agreement, counts};
use analyzer::unused::{Recommendation, UnusedReport, UnusedRow, unused_permissions};
use iam_model::catalog::Catalog;
use serde::Serialize;

use crate::args::{ListFormat, UnusedArgs};
use crate::error::{CliError, EXIT_CLEAN};
use crate::load::{load_config, load_source};

/// The CSV columns, in order: the required columns first, then iamsight's additions.
pub const COLUMNS: [&str; 23] = [
    "account_id",
    "principal_type",
    "principal_name",
    "principal_arn",
    "policy_type",
    "policy_name",
    "policy_arn",
    "statement",
    "service",
    "action",
    "last_accessed",
    "days_unused",
    "confidence",
    "window_days",
    "recommendation",
    "sid",
    "risk",
    "risk_score",
    "access_analyzer",
    "agreement",
    "agreement_reason",
    "window_start",
    "window_end",
];

/// The rows a run lists, ranked: every row with `--all`, else those to remove.
pub fn selected(report: &UnusedReport, all: bool) -> Vec<&UnusedRow> {
    report
        .ranked()
        .into_iter()
        .filter(|r| all || r.recommendation == Recommendation::Remove)
        .collect()
}

/// Renders the rows as RFC 4180 CSV.
pub fn to_csv(account_id: &str, rows: &[&UnusedRow]) -> Result<Vec<u8>, CliError> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let fail = |e: csv::Error| CliError::Usage(format!("cannot write CSV: {e}"));
    w.write_record(COLUMNS).map_err(fail)?;
    for r in rows {
        let (aa, agreement, why) = match &r.access_analyzer {
            Some(c) => (
                c.access_analyzer
                    .as_ref()
                    .map_or_else(|| "not reported".to_string(), |v| v.describe()),
                c.agreement.as_str(),
                c.why.as_str(),
            ),
            None => (String::new(), "", ""),
        };
        w.write_record([
            account_id,
            r.principal_type,
            &r.principal_name,
            &r.principal_arn,
            r.policy_type,
            &r.policy_name,
            &r.policy_arn,
            &r.statement.to_string(),
            &r.service,
            r.action.as_deref().unwrap_or(""),
            &r.last_accessed.map(|t| t.to_string()).unwrap_or_default(),
            &r.days_unused.map(|d| d.to_string()).unwrap_or_default(),
            r.confidence.as_str(),
            &r.window_days.to_string(),
            r.recommendation.as_str(),
            r.sid.as_deref().unwrap_or(""),
            r.risk.as_str(),
            &r.risk_score().to_string(),
            &aa,
            agreement,
            why,
            &r.window_start.to_string(),
            &r.window_end.to_string(),
        ])
        .map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| CliError::Usage(format!("cannot write CSV: {e}")))
}

/// The JSON document of `unused --format json`.
#[derive(Serialize)]
struct JsonOut<'a> {
    account_id: &'a str,
    window_days: i64,
    rows: Vec<JsonRow<'a>>,
    principals_without_data: &'a [String],
    access_analyzer: Option<&'a AccessAnalyzerReport>,
    agreement_counts: std::collections::BTreeMap<Agreement, usize>,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    #[serde(flatten)]
    row: &'a UnusedRow,
    risk_score: u32,
}

/// Runs `unused`.
pub fn run(a: UnusedArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let snapshot = load_source(&a.source)?;
    let config = load_config(a.config.as_deref())?;
    let account = Account::new(&snapshot);
    let report = unused_permissions(&snapshot, &account, &config, Catalog::embedded());
    if report.no_collection_time {
        return Err(CliError::Usage(
            "the input has no collection time (a bare authorization-details dump): unused access cannot be judged; use a snapshot from `iamsight collect`".to_string(),
        ));
    }
    let rows = selected(&report, a.all);
    if let Some(path) = &a.csv {
        let bytes = to_csv(&snapshot.account_id, &rows)?;
        super::write_atomically(path, &bytes)?;
        writeln!(out, "wrote {} row(s) to {}", rows.len(), path.display())?;
        return Ok(EXIT_CLEAN);
    }
    if a.format == ListFormat::Json {
        let doc = JsonOut {
            account_id: &snapshot.account_id,
            window_days: report.window_days,
            rows: rows
                .iter()
                .map(|r| JsonRow {
                    row: r,
                    risk_score: r.risk_score(),
                })
                .collect(),
            principals_without_data: &report.principals_without_data,
            access_analyzer: report.access_analyzer.as_ref(),
            agreement_counts: counts(&report),
        };
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| CliError::Usage(format!("cannot write JSON: {e}")))?;
        writeln!(out, "{text}")?;
        return Ok(EXIT_CLEAN);
    }
    table(&report, &rows, out)
}

fn table(report: &UnusedReport, rows: &[&UnusedRow], out: &mut dyn Write) -> Result<u8, CliError> {
    writeln!(
        out,
        "unused permissions (window {} days), highest risk × use first:",
        report.window_days
    )?;
    let aa = report.access_analyzer.is_some();
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_HORIZONTAL_ONLY);
    let mut header = vec![
        "recommendation",
        "risk",
        "principal",
        "permission",
        "policy / statement",
        "confidence",
        "last used",
    ];
    if aa {
        header.extend(["Access Analyzer", "agreement"]);
    }
    t.set_header(header);
    for r in rows {
        let mut cells = vec![
            r.recommendation.as_str().to_string(),
            r.risk.as_str().to_string(),
            r.principal_name.to_string(),
            r.action
                .as_deref()
                .map_or_else(|| format!("{} (service)", r.service), str::to_string),
            format!("{} #{}", r.policy_name, r.statement),
            r.confidence.as_str().to_string(),
            r.last_accessed
                .map_or_else(|| "-".to_string(), |t| t.to_string()),
        ];
        if let Some(c) = &r.access_analyzer {
            cells.push(
                c.access_analyzer
                    .as_ref()
                    .map_or_else(|| "not reported".to_string(), |v| v.describe()),
            );
            cells.push(if c.agreement == Agreement::Agree {
                "agree".to_string()
            } else {
                format!("{}: {}", c.agreement.as_str(), c.why)
            });
        } else if aa {
            cells.extend([String::new(), String::new()]);
        }
        t.add_row(cells);
    }
    writeln!(out, "{t}")?;
    if let Some(x) = &report.access_analyzer {
        writeln!(
            out,
            "Access Analyzer ({}; window {}): roles, credentials and findings without a row:",
            x.analyzers.join(", "),
            x.window_days
                .map_or_else(|| "unknown".to_string(), |d| format!("{d} days"))
        )?;
        for e in &x.entries {
            let what = if e.subject.is_empty() {
                e.principal_arn.clone()
            } else {
                format!("{} {}", e.principal_arn, e.subject)
            };
            writeln!(
                out,
                "  {} {what}: iamsight {}; {}: {}",
                e.kind,
                e.iamsight,
                e.comparison.agreement.as_str(),
                e.comparison.why
            )?;
        }
        let c = counts(report);
        let summary: Vec<String> = c
            .iter()
            .map(|(k, n)| format!("{} {n}", k.as_str()))
            .collect();
        writeln!(out, "agreement: {}", summary.join(", "))?;
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
