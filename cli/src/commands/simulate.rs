//! `simulate`: AWS's custom policy simulator, offline. A case file holds one case or an array
//! of cases (the format of `fixtures/eval-cases/`).

use std::io::Write;

use iam_model::eval::Evaluation;
use iam_model::eval::case::Case;

use crate::args::{ListFormat, SimulateArgs};
use crate::error::{CliError, EXIT_CLEAN};
use crate::load::read_text;

/// Runs `simulate`.
pub fn run(a: SimulateArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let text = read_text(&a.case)?;
    let name = a.case.display().to_string();
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| CliError::Snapshot {
        path: name.clone(),
        message: format!(
            "invalid JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        ),
    })?;
    let many = value.is_array();
    let parsed = if many {
        crate::load::deserialize_with_path::<Vec<Case>>(&text)
    } else {
        crate::load::deserialize_with_path::<Case>(&text).map(|c| vec![c])
    };
    let cases = parsed.map_err(|message| CliError::Snapshot {
        path: name.clone(),
        message,
    })?;
    let mut results = Vec::with_capacity(cases.len());
    for (i, case) in cases.iter().enumerate() {
        let r = case.run().map_err(|e| CliError::Snapshot {
            path: name.clone(),
            message: if many {
                format!("case {i}: {e}")
            } else {
                e.to_string()
            },
        })?;
        results.push(r);
    }
    match a.format {
        ListFormat::Json => {
            let json = if many {
                serde_json::to_string_pretty(&results)
            } else {
                serde_json::to_string_pretty(&results[0])
            };
            writeln!(out, "{}", json.unwrap_or_default())?;
        }
        ListFormat::Table => {
            for (i, (case, r)) in cases.iter().zip(&results).enumerate() {
                if many {
                    let label = case.name.clone().unwrap_or_else(|| format!("case {i}"));
                    writeln!(out, "── {label}")?;
                }
                write!(
                    out,
                    "{}",
                    explain(
                        &case.request.principal,
                        &case.request.action,
                        &case.request.resource,
                        r
                    )
                )?;
            }
        }
    }
    Ok(EXIT_CLEAN)
}

/// A readable explanation of one evaluation.
pub fn explain(principal: &str, action: &str, resource: &str, r: &Evaluation) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}: {principal} → {action} on {resource}",
        r.decision.as_str()
    );
    match r.decision {
        iam_model::eval::Decision::Allowed => {
            for st in &r.deciding_statements {
                let _ = writeln!(
                    s,
                    "  allowed by {} policy `{}` statement {}{}",
                    st.kind.as_str(),
                    st.policy,
                    st.index,
                    sid(&st.sid)
                );
            }
        }
        iam_model::eval::Decision::ExplicitlyDenied => {
            for st in &r.deciding_statements {
                let _ = writeln!(
                    s,
                    "  denied by {} policy `{}` statement {}{}",
                    st.kind.as_str(),
                    st.policy,
                    st.index,
                    sid(&st.sid)
                );
            }
        }
        iam_model::eval::Decision::ImplicitlyDenied => {
            let kinds: Vec<&str> = r.blocked_by.iter().map(|k| k.as_str()).collect();
            let _ = writeln!(s, "  no allow from: {}", kinds.join(", "));
        }
    }
    if r.conditional {
        let _ = writeln!(s, "  conditional on:");
        for c in &r.open_conditions {
            let _ = writeln!(
                s,
                "    {} ({} policy `{}` statement {})",
                c.condition,
                c.statement.kind.as_str(),
                c.statement.policy,
                c.statement.index
            );
        }
    }
    s
}

fn sid(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (Sid `{s}`)"))
        .unwrap_or_default()
}
