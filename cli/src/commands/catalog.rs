//! `catalog`: what an action pattern expands to, with access levels.

use std::io::Write;

use iam_model::catalog::Catalog;
use serde::Serialize;

use crate::args::{CatalogArgs, ListFormat};
use crate::error::{CliError, EXIT_CLEAN, EXIT_FINDINGS};

#[derive(Serialize)]
struct Row<'c> {
    action: String,
    access_level: &'c str,
    resource_types: Vec<&'c str>,
    wildcard_only: bool,
}

/// Runs `catalog`. Exits 1 when the pattern matches nothing (an unknown action or service).
pub fn run(a: CatalogArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let catalog = Catalog::embedded();
    let pattern = a.pattern.trim();
    if pattern != "*" && !pattern.contains(':') {
        return Err(CliError::Usage(format!(
            "`{pattern}` is not an action pattern: expected `service:action` (wildcards allowed) or `*`"
        )));
    }
    let exp = catalog.expand(pattern);
    let rows: Vec<Row<'_>> = exp
        .actions
        .iter()
        .map(|id| {
            let a = catalog.action(id);
            Row {
                action: a.full_name(),
                access_level: a.access_level().as_str(),
                resource_types: a.resource_types().map(|r| r.name()).collect(),
                wildcard_only: a.is_wildcard_only(),
            }
        })
        .collect();
    match a.format {
        ListFormat::Json => {
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            )?;
        }
        ListFormat::Table => {
            if rows.is_empty() {
                let why = if exp.unknown_service {
                    "unknown service prefix"
                } else if exp.unknown_action {
                    "unknown action"
                } else {
                    "no action matches"
                };
                writeln!(
                    out,
                    "`{pattern}`: {why} in the catalog ({})",
                    catalog.version()
                )?;
            } else {
                let mut t = comfy_table::Table::new();
                t.load_preset(comfy_table::presets::UTF8_HORIZONTAL_ONLY);
                t.set_header(["action", "access level", "resource types"]);
                for r in &rows {
                    let res = if r.wildcard_only {
                        "* (wildcard only)".to_string()
                    } else {
                        r.resource_types.join(", ")
                    };
                    t.add_row([r.action.as_str(), r.access_level, &res]);
                }
                writeln!(out, "{t}")?;
                writeln!(
                    out,
                    "{} action(s) from {} ({})",
                    rows.len(),
                    pattern,
                    catalog.version()
                )?;
            }
        }
    }
    Ok(if rows.is_empty() {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
