//! `--format table`: a summary and the findings, for a terminal.

use std::fmt::Write;

use analyzer::report::{Report, Severity, Status};
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

fn severity_color(s: Severity) -> Color {
    match s {
        Severity::Critical => Color::Magenta,
        Severity::High => Color::Red,
        Severity::Medium => Color::Yellow,
        Severity::Low => Color::Blue,
        Severity::Info => Color::Grey,
    }
}

/// Renders the report as text tables.
pub fn render(report: &Report, show_suppressed: bool, color: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "iamsight report for account {} ({}), collected {}",
        report.account_id,
        report.partition,
        report
            .collected_at
            .as_deref()
            .unwrap_or("at an unknown time")
    );
    let sev: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|v| {
            format!(
                "{} {}",
                report
                    .summary
                    .by_severity
                    .get(v.as_str())
                    .copied()
                    .unwrap_or(0),
                v
            )
        })
        .collect();
    let _ = writeln!(
        s,
        "{} open findings ({}), {} suppressed, from {} checks",
        report.summary.open,
        sev.join(", "),
        report.summary.suppressed,
        report.summary.checks_run
    );
    if !report.summary.by_category.is_empty() {
        let cats: Vec<String> = report
            .summary
            .by_category
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(s, "by category: {}", cats.join(", "));
        let svcs: Vec<String> = report
            .summary
            .by_service
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(s, "by service: {}", svcs.join(", "));
    }
    if !report.coverage_gaps.is_empty() {
        let _ = writeln!(s, "\ncoverage gaps (not analysed):");
        for g in &report.coverage_gaps {
            match &g.region {
                Some(r) => {
                    let _ = writeln!(s, "  - {} in {r}: {}", g.operation, g.message);
                }
                None => {
                    let _ = writeln!(s, "  - {}: {}", g.operation, g.message);
                }
            }
        }
    }
    let rows: Vec<_> = report
        .findings
        .iter()
        .filter(|f| show_suppressed || f.status == Status::Open)
        .collect();
    if rows.is_empty() {
        let _ = writeln!(s, "\nno findings");
        return s;
    }
    let mut t = Table::new();
    t.load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(160);
    if !color {
        t.force_no_tty();
    } else {
        t.enforce_styling();
    }
    let mut header = vec!["severity", "check", "resource", "finding"];
    if show_suppressed {
        header.push("status");
    }
    t.set_header(header);
    for f in rows {
        let mut sev = Cell::new(f.severity.as_str());
        if color {
            sev = sev.fg(severity_color(f.severity));
        }
        let mut row = vec![
            sev,
            Cell::new(&f.check),
            Cell::new(&f.resource),
            Cell::new(match &f.risk_use {
                // Risk × use: what to do with a risky grant, under its message.
                Some(r) => format!("{}\n→ {}", f.message, r.verdict.as_str()),
                None => f.message.clone(),
            }),
        ];
        if show_suppressed {
            row.push(Cell::new(match f.status {
                Status::Open => "open".to_string(),
                Status::Suppressed => {
                    format!("suppressed: {}", f.suppression.as_deref().unwrap_or(""))
                }
            }));
        }
        t.add_row(row);
    }
    let _ = writeln!(s, "\n{t}");
    s
}
