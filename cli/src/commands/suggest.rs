//! `suggest`: least-privilege policies as JSON, a unified diff, or Terraform. Nothing is ever
//! applied to an account.

use std::fmt::Write as _;
use std::io::Write;

use analyzer::account::{Account, GrantSource};
use analyzer::suggest::{SuggestOptions, Suggestion, suggest};
use analyzer::unused::unused_permissions;
use iam_model::catalog::Catalog;
use serde::Serialize;

use crate::args::{SuggestArgs, SuggestFormat};
use crate::error::{CliError, EXIT_CLEAN};
use crate::load::{load_config, load_source};

#[derive(Serialize)]
struct Removal {
    kind: String,
    resource: String,
    reason: String,
}

/// Runs `suggest`.
pub fn run(a: SuggestArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let snapshot = load_source(&a.source)?;
    let config = load_config(a.config.as_deref())?;
    if snapshot.collected_at.is_none() {
        return Err(CliError::Usage(
            "the input has no collection time (a bare authorization-details dump): use a snapshot from `iamsight collect`".to_string(),
        ));
    }
    let account = Account::new(&snapshot);
    if let Some(p) = &a.principal {
        super::can::find_principal(&account, p)?;
    }
    let catalog = Catalog::embedded();
    let unused = unused_permissions(&snapshot, &account, &config, catalog);
    let options = SuggestOptions {
        principal: a.principal.as_ref().map(|p| {
            account
                .find(p)
                .map(|x| x.arn.to_string())
                .unwrap_or_else(|_| p.clone())
        }),
    };
    let suggestions = suggest(&snapshot, &account, &unused, &config, catalog, &options);
    match a.format {
        SuggestFormat::Json => {
            // Removal suggestions (never performed): the unused identity checks' findings.
            let report = analyzer::analyze(
                &snapshot,
                &config,
                &analyzer::Selection {
                    select: [
                        "unused-iam-user",
                        "unused-iam-role",
                        "unused-access-key",
                        "access-key-never-used",
                        "unused-console-password",
                        "unattached-customer-managed-policy",
                        "iam-group-without-members",
                    ]
                    .iter()
                    .filter(|c| analyzer::checks::find(c).is_some())
                    .map(|c| c.to_string())
                    .collect(),
                    ..Default::default()
                },
            );
            let removals: Vec<Removal> = report
                .findings
                .iter()
                .filter(|f| {
                    a.principal.is_none()
                        || options.principal.as_deref() == Some(f.resource.as_str())
                })
                .map(|f| Removal {
                    kind: f.check.clone(),
                    resource: f.resource.clone(),
                    reason: f.message.clone(),
                })
                .collect();
            #[derive(Serialize)]
            struct Out<'a> {
                suggestions: &'a [Suggestion],
                removals: Vec<Removal>,
            }
            let text = if a.principal.is_some() || removals.is_empty() {
                serde_json::to_string_pretty(&suggestions)
            } else {
                serde_json::to_string_pretty(&Out {
                    suggestions: &suggestions,
                    removals,
                })
            };
            writeln!(out, "{}", text.unwrap_or_default())?;
        }
        SuggestFormat::Diff => write!(out, "{}", diff(&account, &suggestions))?,
        SuggestFormat::Terraform => {
            let dir = a.out_dir.as_ref().ok_or_else(|| {
                CliError::Usage("--format terraform needs --out-dir DIR".to_string())
            })?;
            std::fs::create_dir_all(dir).map_err(|source| CliError::Write {
                path: dir.clone(),
                source,
            })?;
            let mut written = 0;
            for s in suggestions
                .iter()
                .filter(|s| !s.suggested_policies.is_empty())
            {
                let name = s.principal.rsplit('/').next().unwrap_or(&s.principal);
                let path = dir.join(format!("{}.tf", ident(name)));
                super::write_atomically(&path, terraform(&account, s).as_bytes())?;
                written += 1;
            }
            writeln!(out, "wrote {written} file(s) to {}", dir.display())?;
        }
    }
    Ok(EXIT_CLEAN)
}

/// A Terraform identifier: letters, digits, `_` and `-`, not starting with a digit.
fn ident(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
        out.insert(0, '_');
    }
    out
}

fn hcl_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' => out.push_str("$$"),
            '%' => out.push_str("%%"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Terraform for one principal's suggestions, formatted as `terraform fmt` writes it
/// (two-space indent, aligned `=`, heredoc documents).
pub fn terraform(account: &Account<'_>, s: &Suggestion) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Least-privilege suggestion by iamsight for {}",
        s.principal
    );
    let _ = writeln!(
        t,
        "# Review before applying: iamsight never changes an account."
    );
    let principal_name = s
        .principal
        .rsplit('/')
        .next()
        .unwrap_or(&s.principal)
        .to_string();
    for sp in &s.suggested_policies {
        let doc = sp
            .document
            .to_json_pretty()
            .replace("${", "$${")
            .replace("%{", "%%{");
        let (rtype, owner_attr, owner) = match sp.kind {
            "inline" if s.principal_type == "role" => {
                ("aws_iam_role_policy", Some("role"), principal_name.clone())
            }
            "inline" => ("aws_iam_user_policy", Some("user"), principal_name.clone()),
            "group-inline" => {
                let group = account
                    .principals
                    .iter()
                    .flat_map(|p| &p.grants)
                    .find(|g| g.id == sp.replaces)
                    .and_then(|g| match &g.source {
                        GrantSource::Inline { holder, .. } => {
                            Some(holder.rsplit('/').next().unwrap_or(holder).to_string())
                        }
                        GrantSource::Managed { .. } => None,
                    })
                    .unwrap_or_default();
                ("aws_iam_group_policy", Some("group"), group)
            }
            _ => ("aws_iam_policy", None, String::new()),
        };
        let _ = writeln!(t);
        if sp.kind == "managed" {
            let _ = writeln!(
                t,
                "# Attach instead of {} (held by {} principal(s)).",
                sp.replaces,
                sp.holders.len()
            );
        } else {
            let _ = writeln!(t, "# Replaces {}.", sp.replaces);
        }
        let _ = writeln!(
            t,
            "resource \"{rtype}\" \"{}\" {{",
            ident(&format!("{principal_name}_{}", sp.name))
        );
        match owner_attr {
            Some(attr) => {
                let _ = writeln!(t, "  name   = {}", hcl_string(&sp.name));
                let _ = writeln!(t, "  {attr:<6} = {}", hcl_string(&owner));
            }
            None => {
                let _ = writeln!(t, "  name   = {}", hcl_string(&sp.name));
            }
        }
        let _ = writeln!(t, "  policy = <<-EOT\n{}\n  EOT", indent(&doc, "    "));
        let _ = writeln!(t, "}}");
    }
    t
}

fn indent(text: &str, pad: &str) -> String {
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A unified diff of every changed policy.
pub fn diff(account: &Account<'_>, suggestions: &[Suggestion]) -> String {
    let mut out = String::new();
    for s in suggestions {
        let p = account.by_arn(&s.principal);
        for sp in &s.suggested_policies {
            let before = p
                .and_then(|p| p.grants.iter().find(|g| g.id == sp.replaces))
                .and_then(|g| g.policy)
                .map(|pol| pol.to_json_pretty() + "\n")
                .unwrap_or_default();
            let after = sp.document.to_json_pretty() + "\n";
            let d = similar::TextDiff::from_lines(&before, &after);
            let _ = write!(
                out,
                "{}",
                d.unified_diff().context_radius(3).header(
                    &format!("a/{} ({})", sp.replaces, s.principal),
                    &format!("b/{}", sp.name)
                )
            );
        }
    }
    out
}
