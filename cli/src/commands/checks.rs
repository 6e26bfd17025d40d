//! `checks`: list the registry, or explain one check.

use std::io::Write;

use analyzer::check_info;
use analyzer::checks::{CHECKS, find};

use crate::args::{ChecksArgs, ListFormat};
use crate::error::{CliError, EXIT_CLEAN};

/// Runs `checks`.
pub fn run(a: ChecksArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let selected: Vec<_> = match &a.check {
        Some(id) => vec![find(id).ok_or_else(|| {
            CliError::Usage(format!("unknown check `{id}` (see `iamsight checks`)"))
        })?],
        None => CHECKS.to_vec(),
    };
    match a.format {
        ListFormat::Json => {
            let infos: Vec<_> = selected.iter().map(|c| check_info(c)).collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&infos).unwrap_or_default()
            )?;
        }
        ListFormat::Table if a.check.is_some() => {
            for c in selected {
                writeln!(out, "{} {} — {}", c.id, c.name, c.title)?;
                writeln!(
                    out,
                    "severity: {}   category: {}   service: {}\n",
                    c.severity, c.category, c.service
                )?;
                writeln!(out, "Why it matters\n  {}\n", c.rationale)?;
                writeln!(out, "Remediation\n  {}", c.remediation.console)?;
                if !c.remediation.cli.is_empty() {
                    writeln!(
                        out,
                        "\n  CLI:\n    {}",
                        c.remediation.cli.replace('\n', "\n    ")
                    )?;
                }
                if !c.remediation.terraform.is_empty() {
                    writeln!(
                        out,
                        "\n  Terraform:\n    {}",
                        c.remediation.terraform.replace('\n', "\n    ")
                    )?;
                }
                if !c.compliance.is_empty() {
                    writeln!(out, "\nCompliance\n  {}", c.compliance.join("\n  "))?;
                }
                writeln!(out, "\nReferences")?;
                for r in c.references {
                    writeln!(out, "  {r}")?;
                }
            }
        }
        ListFormat::Table => {
            let mut t = comfy_table::Table::new();
            t.load_preset(comfy_table::presets::UTF8_HORIZONTAL_ONLY);
            t.set_header(["id", "name", "severity", "category", "service"]);
            for c in selected {
                t.add_row([
                    c.id,
                    c.name,
                    c.severity.as_str(),
                    c.category.as_str(),
                    c.service,
                ]);
            }
            writeln!(out, "{t}")?;
        }
    }
    Ok(EXIT_CLEAN)
}
