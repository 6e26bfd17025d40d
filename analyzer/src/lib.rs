//! iamsight's judgement: from an account snapshot and a config to a [`Report`].
//!
//! [`analyze`] is a pure function: no I/O, no clock ("now" is the snapshot's `collected_at`),
//! and it cannot fail — bad data inside an account becomes findings. It runs every check of
//! the registry ([`checks::CHECKS`]) over a [`context::Context`] built once, then applies
//! severity overrides, suppressions and ordering.
//!
//! ```
//! use analyzer::{analyze, config::Config};
//! use iam_model::snapshot::Snapshot;
//! let snap = Snapshot::from_json_str(r#"{"iamsight_snapshot":1,"account_id":"111122223333",
//!     "collected_at":"2026-11-30T12:00:00Z","password_policy":{"MinimumPasswordLength":8}}"#).unwrap();
//! let report = analyze(&snap, &Config::default(), &Default::default());
//! assert!(report.findings.iter().any(|f| f.check == "password-policy-short-minimum"));
//! ```

pub mod account;
pub mod checks;
pub mod config;
pub mod context;
pub mod docs;
pub mod graph;
pub mod managed;
pub mod report;
pub mod risk_use;
pub mod suggest;
pub mod unused;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use iam_model::snapshot::Snapshot;
use iam_model::wildcard::wildcard_match;

use crate::checks::{CHECKS, Check, Emitter};
use crate::config::Config;
use crate::context::Context;
use crate::report::{CheckInfo, CoverageGap, Finding, Report, Status, Summary};

/// Which checks to run.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Only these check ids or names (all when empty).
    pub select: Vec<String>,
    /// Never these.
    pub ignore: Vec<String>,
    /// Only checks of these services (all when empty).
    pub services: Vec<String>,
}

impl Selection {
    fn wants(&self, c: &Check) -> bool {
        let named = |list: &[String]| {
            list.iter()
                .any(|s| s.eq_ignore_ascii_case(c.id) || s == c.name)
        };
        (self.select.is_empty() || named(&self.select))
            && !named(&self.ignore)
            && (self.services.is_empty() || self.services.iter().any(|s| s == c.service))
    }
}

/// Runs checks over the context, on every core: each worker takes the next check in
/// registry order, and the findings come back per check, in that order, whatever ran where.
/// The expensive shared parts (the permission graph, the unused report) are built once, on
/// first use, by whichever worker needs them first (the others wait for that one), so two
/// workers build the two of them at once.
fn run_checks(ctx: &Context<'_>, checks: &[&Check]) -> Vec<Vec<Finding>> {
    let uses = |list: &[&str]| checks.iter().any(|c| list.contains(&c.name));
    ctx.prepare(
        uses(checks::USES_GRAPH),
        uses(checks::USES_UNUSED)
            || checks
                .iter()
                .any(|c| risk_use::RISKY_GRANT_CHECKS.contains(&c.name)),
    );
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(checks.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(check) = checks.get(i) else {
                break;
            };
            let mut em = Emitter::new(check);
            (check.run)(ctx, &mut em);
            out.push((i, em.into_findings()));
        }
        out
    };
    let mut per_check: Vec<Vec<Finding>> = vec![Vec::new(); checks.len()];
    let done: Vec<Vec<(usize, Vec<Finding>)>> = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..workers).map(|_| s.spawn(work)).collect();
        let mut done = vec![work()];
        for h in helpers {
            // A check that panics is a bug: let it surface as it would without threads.
            done.push(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        done
    });
    for (i, f) in done.into_iter().flatten() {
        if let Some(slot) = per_check.get_mut(i) {
            *slot = f;
        }
    }
    per_check
}

/// Runs the selected checks over the snapshot.
pub fn analyze(snapshot: &Snapshot, config: &Config, selection: &Selection) -> Report {
    let ctx = Context::new(snapshot, config);
    let selected: Vec<&Check> = CHECKS
        .iter()
        .copied()
        .filter(|c| selection.wants(c))
        .collect();
    let infos: Vec<CheckInfo> = selected.iter().map(|c| check_info(c)).collect();
    let mut findings: Vec<Finding> = run_checks(&ctx, &selected).into_iter().flatten().collect();
    for f in &mut findings {
        if let Some(sev) = config
            .severity
            .get(&f.check_id)
            .or_else(|| config.severity.get(&f.check))
        {
            f.severity = *sev;
        }
        apply_suppressions(f, config, ctx.now);
    }
    risk_use::attach(&mut findings, &ctx);
    // Most severe first; within a severity, risky grants nobody uses (safe to remove) first,
    // then those to constrain.
    let use_rank = |f: &Finding| f.risk_use.as_ref().map_or(3, |r| r.verdict as u8);
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| use_rank(a).cmp(&use_rank(b)))
            .then_with(|| a.check_id.cmp(&b.check_id))
            .then_with(|| a.resource.cmp(&b.resource))
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut coverage_gaps: Vec<CoverageGap> = snapshot
        .collection_errors
        .iter()
        .map(|e| CoverageGap {
            operation: e.operation.clone(),
            region: e.region.clone(),
            message: e.message.clone(),
        })
        .collect();
    // The organisation's control policies: what could not be applied, or that none could.
    if snapshot.organizations.is_none()
        && snapshot
            .collection_errors
            .iter()
            .any(|e| e.operation.starts_with("organizations:"))
    {
        coverage_gaps.push(CoverageGap {
            operation: "organizations".to_string(),
            region: None,
            message: "the organisation could not be read: service and resource control policies (SCPs, RCPs) were not applied, so a Deny in them is not taken into account".to_string(),
        });
    }
    for gap in &ctx.account.organisation.gaps {
        coverage_gaps.push(CoverageGap {
            operation: "organizations".to_string(),
            region: None,
            message: gap.clone(),
        });
    }
    let filled = managed::filled(snapshot);
    if !filled.is_empty() {
        coverage_gaps.push(CoverageGap {
            operation: "aws-managed-policies".to_string(),
            region: None,
            message: format!(
                "the input lacks the documents of {} attached AWS managed polic{}; iamsight used its embedded copy, which may be older than the account's: {}",
                filled.len(),
                if filled.len() == 1 { "y" } else { "ies" },
                filled.join(", ")
            ),
        });
    }
    let missing = managed::missing_documents(snapshot);
    if !missing.is_empty() {
        coverage_gaps.push(CoverageGap {
            operation: "policy-documents".to_string(),
            region: None,
            message: format!(
                "{} attached managed polic{} not in the input, so what {} allow or deny is not analysed: {}",
                missing.len(),
                if missing.len() == 1 { "y is" } else { "ies are" },
                if missing.len() == 1 { "it may" } else { "they may" },
                missing.join(", ")
            ),
        });
    }
    if snapshot.collected_at.is_none() {
        coverage_gaps.push(CoverageGap {
            operation: "collected_at".to_string(),
            region: None,
            message: "the input has no collection time (a bare authorization-details dump): age- and usage-based checks were not judged".to_string(),
        });
    }
    Report {
        report_version: 1,
        tool: format!("iamsight {}", env!("CARGO_PKG_VERSION")),
        catalog: String::new(),
        account_id: snapshot.account_id.clone(),
        partition: snapshot.partition.clone(),
        collected_at: snapshot.collected_at.map(|t| t.to_string()),
        summary: summarize(&findings, infos.len()),
        coverage_gaps,
        checks: infos,
        findings,
        suggestions: Vec::new(),
    }
}

/// Adds every principal's least-privilege suggestion that changes something to the report
/// (see [`suggest::suggest`]); principals with nothing to drop are left out.
pub fn attach_suggestions(report: &mut Report, snapshot: &Snapshot, config: &Config) {
    if snapshot.collected_at.is_none() {
        return;
    }
    let catalog = iam_model::catalog::Catalog::embedded();
    let account = account::Account::new(snapshot);
    let unused = unused::unused_permissions(snapshot, &account, config, catalog);
    let options = suggest::SuggestOptions::default();
    report.suggestions = suggest::suggest(snapshot, &account, &unused, config, catalog, &options)
        .into_iter()
        .filter(|s| s.skipped.is_none() && !s.removed.is_empty())
        .map(|s| report::PolicySuggestion {
            principal: s.principal,
            policies: s
                .suggested_policies
                .into_iter()
                .map(|p| report::SuggestedDocument {
                    name: p.name,
                    replaces: p.replaces,
                    document: serde_json::to_value(&p.document).unwrap_or_default(),
                })
                .collect(),
            removed: s.removed.len(),
            notes: s.notes,
        })
        .collect();
}

fn apply_suppressions(f: &mut Finding, config: &Config, now: Option<iam_model::Timestamp>) {
    for s in &config.suppressions {
        let check_matches = s.check.eq_ignore_ascii_case(&f.check_id) || s.check == f.check;
        if !check_matches || !wildcard_match(&s.resource, &f.resource, false) {
            continue;
        }
        match (s.expires, now) {
            (Some(exp), Some(now)) if exp < now => {
                f.evidence.push(report::Evidence::text(
                    "suppression-expired",
                    format!("a suppression matched but expired on {exp}: {}", s.reason),
                ));
            }
            _ => {
                f.status = Status::Suppressed;
                f.suppression = Some(s.reason.clone());
                return;
            }
        }
    }
}

/// Counts open and suppressed findings by severity, category and service.
pub fn summarize(findings: &[Finding], checks_run: usize) -> Summary {
    let mut s = Summary {
        checks_run,
        ..Summary::default()
    };
    let bump = |m: &mut BTreeMap<String, usize>, k: &str| *m.entry(k.to_string()).or_default() += 1;
    for f in findings {
        if f.status == Status::Suppressed {
            s.suppressed += 1;
            continue;
        }
        s.open += 1;
        bump(&mut s.by_severity, f.severity.as_str());
        bump(&mut s.by_category, f.category.as_str());
        bump(&mut s.by_service, &f.service);
    }
    s
}

/// A check's documentation, as the report carries it.
pub fn check_info(c: &Check) -> CheckInfo {
    CheckInfo {
        id: c.id.to_string(),
        name: c.name.to_string(),
        title: c.title.to_string(),
        severity: c.severity,
        category: c.category,
        service: c.service.to_string(),
        rationale: c.rationale.to_string(),
        remediation: c.remediation.console.to_string(),
        compliance: c.compliance.iter().map(|s| s.to_string()).collect(),
        references: c.references.iter().map(|s| s.to_string()).collect(),
    }
}
