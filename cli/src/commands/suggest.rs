//! `suggest`: least-privilege policies as JSON, a unified diff, or Terraform. Nothing is ever
//! applied to an account.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;

use analyzer::account::{Account, GrantSource, PrincipalKind};
use analyzer::suggest::{SuggestOptions, Suggestion, suggest};
use analyzer::unused::unused_permissions;
use iam_model::catalog::Catalog;
use serde::Serialize;

use crate::args::{SuggestArgs, SuggestFormat};
use crate::error::{CliError, EXIT_CLEAN};
use crate::load::{load_config, load_source};

/// A removal the account should consider (never performed), with the evidence the check found.
#[derive(Serialize)]
struct Removal<'a> {
    /// The check that found it: `unused-iam-user`, `unused-access-key`, ...
    kind: &'a str,
    /// The principal, policy or group.
    resource: &'a str,
    /// Why.
    reason: &'a str,
    /// The evidence.
    evidence: &'a [analyzer::report::Evidence],
}

/// One element of `suggest --format json`: a principal's suggestion with the removals that
/// concern it (the principal itself, its access keys, its password), or, for a group or a
/// managed policy to remove, an element of its own with just those removals. `principal` is
/// then the group's or policy's ARN, and `principal_type` says which.
#[derive(Serialize)]
struct Entry<'a> {
    #[serde(flatten)]
    suggestion: Cow<'a, Suggestion>,
    removals: Vec<Removal<'a>>,
}

/// The JSON array: every suggestion in account order with its removals, then the removals of
/// groups and policies.
fn entries<'a>(
    suggestions: &'a [Suggestion],
    removals: Vec<Removal<'a>>,
    report: &'a analyzer::report::Report,
) -> Vec<Entry<'a>> {
    let mut by_resource: BTreeMap<&str, Vec<Removal<'a>>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for r in removals {
        if !by_resource.contains_key(r.resource) {
            order.push(r.resource);
        }
        by_resource.entry(r.resource).or_default().push(r);
    }
    let mut out: Vec<Entry<'a>> = suggestions
        .iter()
        .map(|s| Entry {
            removals: by_resource.remove(s.principal.as_str()).unwrap_or_default(),
            suggestion: Cow::Borrowed(s),
        })
        .collect();
    for resource in order {
        let Some(removals) = by_resource.remove(resource) else {
            continue;
        };
        let kind = report
            .findings
            .iter()
            .find(|f| f.resource == resource)
            .map_or("resource", |f| match f.resource_type.as_str() {
                "iam-group" => "group",
                "iam-policy" => "policy",
                "iam-user" => "user",
                "iam-role" => "role",
                _ => "resource",
            });
        out.push(Entry {
            suggestion: Cow::Owned(Suggestion {
                principal: resource.to_string(),
                principal_type: kind,
                skipped: None,
                suggested_policies: Vec::new(),
                removed: Vec::new(),
                kept: Vec::new(),
                notes: Vec::new(),
            }),
            removals,
        });
    }
    out
}

/// The checks whose findings are removals.
const REMOVAL_CHECKS: &[&str] = &[
    "unused-iam-user",
    "unused-iam-role",
    "unused-access-key",
    "access-key-never-used",
    "unused-console-password",
    "unattached-customer-managed-policy",
    "iam-group-without-members",
];

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
    let principal = match &a.principal {
        Some(p) => Some(super::can::find_principal(&account, p)?.arn.to_string()),
        None => None,
    };
    let catalog = Catalog::embedded();
    let unused = unused_permissions(&snapshot, &account, &config, catalog);
    let options = SuggestOptions {
        principal: principal.clone(),
        split_shared: a.split_shared,
    };
    let suggestions = suggest(&snapshot, &account, &unused, &config, catalog, &options);
    match a.format {
        SuggestFormat::Json => {
            let report = analyzer::analyze(
                &snapshot,
                &config,
                &analyzer::Selection {
                    select: REMOVAL_CHECKS
                        .iter()
                        .filter(|c| analyzer::checks::find(c).is_some())
                        .map(|c| c.to_string())
                        .collect(),
                    ..Default::default()
                },
            );
            let removals: Vec<Removal<'_>> = report
                .findings
                .iter()
                .filter(|f| principal.as_deref().is_none_or(|p| p == f.resource))
                .map(|f| Removal {
                    kind: &f.check,
                    resource: &f.resource,
                    reason: &f.message,
                    evidence: &f.evidence,
                })
                .collect();
            let text = serde_json::to_string_pretty(&entries(&suggestions, removals, &report))
                .map_err(|e| CliError::Usage(format!("cannot write JSON: {e}")))?;
            writeln!(out, "{text}")?;
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
            let files = terraform(&account, &suggestions);
            for (name, text) in &files {
                super::write_atomically(&dir.join(name), text.as_bytes())?;
            }
            writeln!(out, "wrote {} file(s) to {}", files.len(), dir.display())?;
        }
    }
    Ok(EXIT_CLEAN)
}

/// A Terraform resource name in the usual snake case: letters, digits and `_`, not starting
/// with a digit.
fn ident(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// A quoted HCL string: quotes, backslashes and control characters escaped, and `${` / `%{`
/// doubled so Terraform reads them as text, not as template sequences.
fn hcl_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.replace("${", "$${").replace("%{", "%%{").chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The last segment of an ARN or path: `role/svc/app` → `app`.
fn last(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// One Terraform resource: its address and text.
struct Resource {
    address: String,
    text: String,
}

/// A resource block, formatted as `terraform fmt` writes it: two-space indent, the `=` of
/// one-line attributes aligned, a heredoc attribute last.
fn block(rtype: &str, name: &str, attrs: &[(&str, String)], policy: Option<&str>) -> Resource {
    let width = attrs
        .iter()
        .map(|(k, _)| k.len())
        .chain(policy.map(|_| "policy".len()))
        .max()
        .unwrap_or(0);
    let mut t = format!("resource \"{rtype}\" \"{name}\" {{\n");
    for (k, v) in attrs {
        let _ = writeln!(t, "  {k:<width$} = {v}");
    }
    if let Some(doc) = policy {
        let doc = doc.replace("${", "$${").replace("%{", "%%{");
        let _ = writeln!(
            t,
            "  {:<width$} = <<-EOT\n{}\n  EOT",
            "policy",
            indent(&doc, "    ")
        );
    }
    t.push_str("}\n");
    Resource {
        address: format!("{rtype}.{name}"),
        text: t,
    }
}

/// Terraform for the suggestions: one file per principal with a change (`user-NAME.tf`,
/// `role-NAME.tf`), all in one module. A resource several principals share (a shared managed
/// policy's rewrite, a group's policy or attachment) is written once, in the first file that
/// needs it; the other files name where it is.
pub fn terraform(account: &Account<'_>, suggestions: &[Suggestion]) -> Vec<(String, String)> {
    let mut defined: BTreeMap<String, String> = BTreeMap::new();
    let mut files = Vec::new();
    for s in suggestions
        .iter()
        .filter(|s| !s.suggested_policies.is_empty())
    {
        let principal_name = last(&s.principal);
        // IAM names use letters, digits and `+=,.@_-`: all safe in a file name.
        let file = format!("{}-{principal_name}.tf", s.principal_type);
        let mut t = String::new();
        let _ = writeln!(
            t,
            "# Least-privilege suggestion by iamsight for {}.",
            s.principal
        );
        let _ = writeln!(
            t,
            "# Review before applying: iamsight never changes an account."
        );
        let grant = |id: &str| {
            account
                .by_arn(&s.principal)
                .and_then(|p| p.grants.iter().find(|g| g.id == id))
        };
        for sp in &s.suggested_policies {
            let doc = sp.document.to_json_pretty();
            let via_group = grant(&sp.replaces)
                .and_then(|g| g.via_group.as_deref())
                .map(|g| last(g).to_string());
            let mut resources = Vec::new();
            let comment;
            match sp.kind {
                "managed" => {
                    let policy = block(
                        "aws_iam_policy",
                        &ident(&sp.name),
                        &[("name", hcl_string(&sp.name))],
                        Some(&doc),
                    );
                    let arn_ref = format!("{}.arn", policy.address);
                    // A copy for one holder of a policy several hold (`--split-shared`) is
                    // attached to that holder, never to the group the original comes through.
                    let holders_of_original = account
                        .principals
                        .iter()
                        .filter(|p| p.kind != PrincipalKind::Group)
                        .filter(|p| p.grants.iter().any(|g| g.id == sp.replaces))
                        .count();
                    let own_copy = sp.holders.len() == 1 && holders_of_original > 1;
                    let group = via_group.as_ref().filter(|_| !own_copy);
                    let (rtype, attr, owner) = match (group, s.principal_type) {
                        (Some(g), _) => ("aws_iam_group_policy_attachment", "group", g.clone()),
                        (None, "role") => (
                            "aws_iam_role_policy_attachment",
                            "role",
                            principal_name.to_string(),
                        ),
                        (None, _) => (
                            "aws_iam_user_policy_attachment",
                            "user",
                            principal_name.to_string(),
                        ),
                    };
                    let attachment = block(
                        rtype,
                        &ident(&format!("{owner}_{}", sp.name)),
                        &[(attr, hcl_string(&owner)), ("policy_arn", arn_ref)],
                        None,
                    );
                    comment = format!(
                        "# Replaces {} for {} {owner}: attach this policy, then detach that one.",
                        sp.replaces, attr
                    );
                    resources.push(policy);
                    resources.push(attachment);
                }
                kind => {
                    let (rtype, attr, owner) = match (kind, s.principal_type) {
                        ("group-inline", _) => (
                            "aws_iam_group_policy",
                            "group",
                            match grant(&sp.replaces).map(|g| &g.source) {
                                Some(GrantSource::Inline { holder, .. }) => {
                                    last(holder).to_string()
                                }
                                _ => via_group.clone().unwrap_or_default(),
                            },
                        ),
                        (_, "role") => ("aws_iam_role_policy", "role", principal_name.to_string()),
                        _ => ("aws_iam_user_policy", "user", principal_name.to_string()),
                    };
                    comment = format!("# Replaces {} on {attr} {owner}.", sp.replaces);
                    resources.push(block(
                        rtype,
                        &ident(&format!("{owner}_{}", sp.name)),
                        &[("name", hcl_string(&sp.name)), (attr, hcl_string(&owner))],
                        Some(&doc),
                    ));
                }
            }
            let _ = writeln!(t, "\n{comment}");
            let mut first = true;
            for r in resources {
                if let Some(other) = defined.get(&r.address) {
                    let _ = writeln!(t, "# {} is in {other}.", r.address);
                    continue;
                }
                if !first {
                    t.push('\n');
                }
                first = false;
                t.push_str(&r.text);
                defined.insert(r.address, file.clone());
            }
        }
        files.push((file, t));
    }
    files
}

fn indent(text: &str, pad: &str) -> String {
    text.lines()
        .map(|l| format!("{pad}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A unified diff of every changed policy, as a reviewer reads one: each policy once (a
/// shared policy's rewrite is the same for every holder), headed by who holds it and what
/// goes; the parts of a policy split to fit IAM's size limit after the first are new files.
pub fn diff(account: &Account<'_>, suggestions: &[Suggestion]) -> String {
    let mut out = String::new();
    let mut shown = BTreeSet::new();
    for s in suggestions {
        let p = account.by_arn(&s.principal);
        for (i, sp) in s.suggested_policies.iter().enumerate() {
            let first_part = !s.suggested_policies[..i]
                .iter()
                .any(|x| x.replaces == sp.replaces);
            if !shown.insert((sp.replaces.clone(), sp.name.clone())) {
                continue;
            }
            let before = if first_part {
                p.and_then(|p| p.grants.iter().find(|g| g.id == sp.replaces))
                    .and_then(|g| g.policy)
                    .map(|pol| pol.to_json_pretty() + "\n")
                    .unwrap_or_default()
            } else {
                String::new()
            };
            let after = sp.document.to_json_pretty() + "\n";
            if first_part {
                let removed: Vec<&str> = s
                    .removed
                    .iter()
                    .filter(|r| r.policy == sp.replaces)
                    .map(|r| r.permission.as_str())
                    .collect();
                let _ = writeln!(out, "# {} (held by {})", sp.replaces, sp.holders.join(", "));
                let _ = writeln!(out, "# removes {}: {}", removed.len(), removed.join(", "));
            }
            let old_name = if first_part {
                format!("a/{}", sp.replaces)
            } else {
                "/dev/null".to_string()
            };
            let d = similar::TextDiff::from_lines(&before, &after);
            let _ = write!(
                out,
                "{}",
                d.unified_diff()
                    .context_radius(3)
                    .header(&old_name, &format!("b/{}", sp.name))
            );
        }
    }
    out
}
