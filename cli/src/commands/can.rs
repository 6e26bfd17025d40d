//! `can`: evaluates a request against a principal's real policies in a snapshot (its groups,
//! boundary, the organisation's SCPs and RCPs, and the resource's policy where the snapshot
//! has it).

use std::io::Write;

use analyzer::account::{Account, Lookup};
use iam_model::eval::{Named, Request, RequestContext, RequestPrincipal, ResourceMatch, evaluate};
use serde::Serialize;

use crate::args::{CanArgs, ListFormat};
use crate::error::{CliError, EXIT_CLEAN, EXIT_FINDINGS};
use crate::load::load_source;

#[derive(Serialize)]
struct Answer<'a> {
    principal: &'a str,
    action: &'a str,
    resource: &'a str,
    #[serde(flatten)]
    evaluation: &'a iam_model::eval::Evaluation,
    unresolved_policies: Vec<String>,
}

/// Parses `key=value` flags; a repeated key gets several values.
pub fn parse_context(pairs: &[String]) -> Result<RequestContext, CliError> {
    let mut ctx = RequestContext::new();
    let mut seen: Vec<(String, Vec<String>)> = Vec::new();
    for p in pairs {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("--context `{p}`: expected KEY=VALUE")))?;
        match seen.iter_mut().find(|(key, _)| key.eq_ignore_ascii_case(k)) {
            Some((_, vals)) => vals.push(v.to_string()),
            None => seen.push((k.to_string(), vec![v.to_string()])),
        }
    }
    for (k, v) in seen {
        ctx.set_many(&k, v);
    }
    Ok(ctx)
}

/// Runs `can`. Exits 0 when allowed, 1 when denied.
pub fn run(a: CanArgs, out: &mut dyn Write) -> Result<u8, CliError> {
    let snapshot = load_source(&a.source)?;
    let account = Account::new(&snapshot);
    let principal = find_principal(&account, &a.principal)?;
    let mut ctx = parse_context(&a.context)?;
    // Keys the request does not give are unknown, not absent: conditions on them are reported.
    ctx.partial = true;
    let mut set = principal.policy_set();
    let resource_policy = account.resource_policy(&a.action, &a.resource);
    if let Some((name, p)) = &resource_policy {
        set.resource = Some(Named { name, policy: p });
    }
    // A role acts through a session; a user ARN stands for itself.
    let who = if a.principal.contains(":sts::") {
        a.principal.clone()
    } else {
        principal.arn.to_string()
    };
    let rp = RequestPrincipal::parse(&who);
    let resource_account = a.resource_account.clone().or_else(|| {
        a.resource
            .parse::<iam_model::Arn>()
            .ok()
            .filter(|arn| !arn.account.is_empty())
            .map(|arn| arn.account)
    });
    // `can` answers one request: a region the request does not name stays open, not chosen.
    set.regions = &[];
    // The RCPs in the set are the scanned account's: they govern its resources only.
    if resource_account
        .as_deref()
        .is_some_and(|acct| acct != snapshot.account_id)
    {
        set.rcps.clear();
    }
    let r = evaluate(
        &set,
        &Request {
            principal: &rp,
            action: &a.action,
            resource: &a.resource,
            resource_match: ResourceMatch::Exact,
            resource_account: resource_account.as_deref(),
            context: &ctx,
        },
    );
    let unresolved: Vec<String> = principal.unresolved().map(|g| g.id.clone()).collect();
    match a.format {
        ListFormat::Json => {
            let ans = Answer {
                principal: principal.arn,
                action: &a.action,
                resource: &a.resource,
                evaluation: &r,
                unresolved_policies: unresolved,
            };
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&ans).unwrap_or_default()
            )?;
        }
        ListFormat::Table => {
            write!(
                out,
                "{}",
                super::simulate::explain(principal.arn, &a.action, &a.resource, &r)
            )?;
            if resource_policy.is_none() {
                writeln!(
                    out,
                    "  (no resource policy for this resource in the snapshot)"
                )?;
            }
            for u in unresolved {
                writeln!(
                    out,
                    "  warning: policy `{u}` is not in the snapshot or does not parse: not evaluated"
                )?;
            }
        }
    }
    Ok(if r.decision == iam_model::eval::Decision::Allowed {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    })
}

/// A user or role by name or ARN, with a clear error.
pub fn find_principal<'s, 'a>(
    account: &'s Account<'a>,
    name: &str,
) -> Result<&'s analyzer::account::Principal<'a>, CliError> {
    account.find(name).map_err(|e| match e {
        Lookup::NotFound => CliError::Usage(format!("no user or role `{name}` in the snapshot")),
        Lookup::Ambiguous(arns) => CliError::Usage(format!(
            "`{name}` names several principals: {} (pass the ARN)",
            arns.join(", ")
        )),
    })
}
