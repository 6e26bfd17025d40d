//! `paths`, `who-can` and `graph export`: queries on the permission graph.

use std::io::Write;

use analyzer::account::Account;
use analyzer::graph::{EscalationPath, ExportFormat, PermissionGraph, who_can as who_can_query};
use iam_model::catalog::Catalog;

use super::can::find_principal;
use crate::args::{GraphAction, GraphArgs, GraphFormat, ListFormat, PathsArgs, WhoCanArgs};
use crate::error::{CliError, EXIT_CLEAN, EXIT_FINDINGS};
use crate::load::load_source;

/// Runs `paths`. Exits 1 when some path exists.
pub fn paths(a: PathsArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let snapshot = load_source(&a.source)?;
    let account = Account::new(&snapshot);
    let graph = PermissionGraph::build(&account, Catalog::embedded());
    let from = match &a.from {
        Some(f) => Some(find_principal(&account, f)?.arn.to_string()),
        None => None,
    };
    let mut found: Vec<EscalationPath> = if a.to == "admin" {
        match &from {
            Some(f) => graph.path_to_admin(f).into_iter().collect(),
            None => graph.escalation_paths(),
        }
    } else {
        let target = find_principal(&account, &a.to)?.arn.to_string();
        graph.paths_to(&target)
    };
    if let Some(f) = &from {
        found.retain(|p| &p.principal == f);
    }
    match a.format {
        ListFormat::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&found).unwrap_or_default()
        )?,
        ListFormat::Table => {
            if found.is_empty() {
                writeln!(out, "no escalation path")?;
            }
            for p in &found {
                writeln!(
                    out,
                    "{} ({} step{})",
                    p.principal,
                    p.steps.len(),
                    if p.steps.len() == 1 { "" } else { "s" }
                )?;
                for s in &p.steps {
                    writeln!(
                        out,
                        "  → {} via {} [{}]{}",
                        s.to,
                        s.method,
                        s.actions.join(", "),
                        if s.conditional { " (conditional)" } else { "" }
                    )?;
                    for st in &s.statements {
                        let sid = st
                            .sid
                            .as_ref()
                            .map(|s| format!(" (Sid `{s}`)"))
                            .unwrap_or_default();
                        writeln!(
                            out,
                            "      {} statement {}{} of `{}`",
                            st.effect, st.index, sid, st.policy
                        )?;
                    }
                }
            }
        }
    }
    Ok(if found.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

/// Runs `who-can`.
pub fn who_can(a: WhoCanArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    if !a.action.contains(':') {
        return Err(CliError::Usage(format!(
            "`{}` is not an action: expected `service:Action`",
            a.action
        )));
    }
    let snapshot = load_source(&a.source)?;
    let account = Account::new(&snapshot);
    let who = who_can_query(&account, &a.action, &a.resource);
    match a.format {
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = who
                .iter()
                .map(|(arn, e)| {
                    serde_json::json!({
                        "principal": arn,
                        "conditional": e.conditional,
                        "conditions": e.open_conditions.iter().map(|c| &c.condition).collect::<Vec<_>>(),
                        "statements": e.deciding_statements,
                    })
                })
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            )?;
        }
        ListFormat::Table => {
            writeln!(
                out,
                "{} principal(s) can {} on {}",
                who.len(),
                a.action,
                a.resource
            )?;
            for (arn, e) in &who {
                if e.conditional {
                    let conds: Vec<&str> = e
                        .open_conditions
                        .iter()
                        .map(|c| c.condition.as_str())
                        .collect();
                    writeln!(out, "  {arn}  if {}", conds.join(" and "))?;
                } else {
                    writeln!(out, "  {arn}")?;
                }
            }
        }
    }
    Ok(EXIT_CLEAN)
}

/// Runs `graph export`.
pub fn graph(a: GraphArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let GraphAction::Export(a) = a.action;
    let snapshot = load_source(&a.source)?;
    let account = Account::new(&snapshot);
    let graph = PermissionGraph::build(&account, Catalog::embedded());
    let format = match a.format {
        GraphFormat::Dot => ExportFormat::Dot,
        GraphFormat::Graphml => ExportFormat::GraphMl,
        GraphFormat::Json => ExportFormat::Json,
    };
    let text = graph.export(format, a.only_escalation);
    match &a.output {
        Some(path) => super::write_atomically(path, text.as_bytes())?,
        None => out.write_all(text.as_bytes())?,
    }
    Ok(EXIT_CLEAN)
}
