//! Service last-accessed details at ACTION_LEVEL for every user, role, group and customer
//! managed policy: GenerateServiceLastAccessedDetails for all of them first, then
//! GetServiceLastAccessedDetails for each job until it completes (jittered exponential
//! backoff, a per-job timeout), with paging.
//!
//! The first job is submitted alone, as a probe: when it is refused for a reason that would
//! refuse every job (AccessDenied, not implemented), that is recorded once instead of once per
//! entity. An answer that is no AWS error at all (a dropped connection, a timeout, an HTML
//! error page, after the SDK's own retries) may be transient: the probe is tried again, up to
//! [`PROBE_ATTEMPTS`] times with backoff, and only an endpoint that never answers is taken as
//! one without the API.

use std::collections::BTreeMap;

use aws_sdk_iam::types as t;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use futures_util::future::join_all;
use iam_model::snapshot::{
    AuthorizationDetails, LastAccessedDetails, ServiceLastAccessed, TrackedActionLastAccessed,
};

use super::ctx::{Ctx, describe_error, is_throttling};
use super::{Clients, os, ots};

const GENERATE: &str = "iam:GenerateServiceLastAccessedDetails";
const GET: &str = "iam:GetServiceLastAccessedDetails";

/// The ARNs whose last-accessed data is collected, in a stable order.
pub fn entities(details: &AuthorizationDetails) -> Vec<String> {
    details
        .users
        .iter()
        .map(|u| u.arn.clone())
        .chain(details.groups.iter().map(|g| g.arn.clone()))
        .chain(details.roles.iter().map(|r| r.arn.clone()))
        .chain(
            details
                .policies
                .iter()
                .filter(|p| !p.is_aws_managed())
                .map(|p| p.arn.clone()),
        )
        .filter(|a| !a.is_empty())
        .collect()
}

/// Collects last-accessed details per entity ARN.
pub async fn collect(
    ctx: &Ctx,
    c: &Clients,
    details: &AuthorizationDetails,
) -> BTreeMap<String, LastAccessedDetails> {
    let arns = entities(details);
    let mut out = BTreeMap::new();
    let Some((first, rest)) = arns.split_first() else {
        return out;
    };
    let phase = ctx
        .progress
        .phase("last-accessed jobs", 2 * arns.len() as u64);
    let mut attempt = 0;
    let first_job = loop {
        match generate(ctx, c, first).await {
            Submitted::Job(job) => break job,
            Submitted::Refused(message) if is_account_wide(message.code.as_deref()) => {
                ctx.record(
                    GENERATE,
                    None,
                    format!(
                        "{} (no last-accessed data for any of the {} entities)",
                        message.text,
                        arns.len()
                    ),
                );
                phase.done();
                return out;
            }
            Submitted::Refused(message) if message.code.is_none() => {
                attempt += 1;
                if attempt < PROBE_ATTEMPTS {
                    tokio::time::sleep(ctx.poll_delay(attempt - 1)).await;
                    continue;
                }
                ctx.record(
                    GENERATE,
                    None,
                    format!(
                        "{} (no AWS answer in {PROBE_ATTEMPTS} attempts: taken as an endpoint without the API; no last-accessed data for any of the {} entities)",
                        message.text,
                        arns.len()
                    ),
                );
                phase.done();
                return out;
            }
            // Throttled past retries, or about this entity only: the others still go.
            Submitted::Refused(message) => {
                ctx.record(GENERATE, None, format!("{first}: {}", message.text));
                break None;
            }
        }
    };
    phase.inc();
    let mut jobs = vec![(first.clone(), first_job)];
    let phase_ref = &phase;
    let rest_jobs = join_all(rest.iter().map(|arn| async move {
        let job = match generate(ctx, c, arn).await {
            Submitted::Job(job) => job,
            Submitted::Refused(message) => {
                ctx.record(GENERATE, None, format!("{arn}: {}", message.text));
                None
            }
        };
        phase_ref.inc();
        (arn.clone(), job)
    }))
    .await;
    jobs.extend(rest_jobs);
    let results = join_all(jobs.into_iter().map(|(arn, job)| {
        let phase = phase.clone();
        async move {
            let got = match job {
                Some(job) => poll(ctx, c, &arn, &job).await,
                None => None,
            };
            phase.inc();
            (arn, got)
        }
    }))
    .await;
    for (arn, got) in results {
        if let Some(d) = got {
            out.insert(arn, d);
        }
    }
    phase.done();
    out
}

/// How many times the probe is submitted when it gets no AWS answer at all.
pub const PROBE_ATTEMPTS: u32 = 3;

/// What GenerateServiceLastAccessedDetails answered.
enum Submitted {
    /// A job (its id, when AWS gave one).
    Job(Option<String>),
    /// An error, not yet recorded.
    Refused(Refusal),
}

/// A failed submission: AWS's error code, if the answer was an AWS error, and the message.
struct Refusal {
    code: Option<String>,
    text: String,
}

/// Submits one job.
async fn generate(ctx: &Ctx, c: &Clients, arn: &str) -> Submitted {
    let r = ctx
        .raw(
            c.iam
                .generate_service_last_accessed_details()
                .arn(arn)
                .granularity(t::AccessAdvisorUsageGranularityType::ActionLevel),
        )
        .await;
    match r {
        Ok(out) => Submitted::Job(out.job_id().map(str::to_string)),
        Err(e) => Submitted::Refused(Refusal {
            code: e.code().map(str::to_string),
            text: describe_error(&e),
        }),
    }
}

/// Errors that would refuse every job, not just this entity's.
fn is_account_wide(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "AccessDenied"
                | "AccessDeniedException"
                | "NotImplemented"
                | "InvalidAction"
                | "UnrecognizedClientException"
                | "InvalidClientTokenId"
        )
    )
}

/// Polls one job until it completes, fails or times out; then reads every page.
async fn poll(ctx: &Ctx, c: &Clients, arn: &str, job: &str) -> Option<LastAccessedDetails> {
    let started = tokio::time::Instant::now();
    let mut attempt = 0;
    let mut details: Option<LastAccessedDetails> = None;
    let mut marker: Option<String> = None;
    loop {
        let r = ctx
            .raw(
                c.iam
                    .get_service_last_accessed_details()
                    .job_id(job)
                    .set_marker(marker.clone()),
            )
            .await;
        let page = match r {
            Ok(page) => page,
            Err(e) if is_throttling(e.code()) && started.elapsed() < ctx.job_timeout => {
                // Throttled past the SDK's own retries: wait longer, the job is still there.
                tokio::time::sleep(ctx.poll_delay(attempt)).await;
                attempt += 1;
                continue;
            }
            Err(e) => {
                ctx.record(GET, None, format!("{arn}: {}", describe_error(&e)));
                return None;
            }
        };
        match page.job_status() {
            t::JobStatusType::InProgress => {
                if started.elapsed() >= ctx.job_timeout {
                    ctx.record(
                        GET,
                        None,
                        format!(
                            "{arn}: job `{job}` still IN_PROGRESS after {}s (timed out)",
                            ctx.job_timeout.as_secs_f64()
                        ),
                    );
                    return None;
                }
                tokio::time::sleep(ctx.poll_delay(attempt)).await;
                attempt += 1;
                continue;
            }
            t::JobStatusType::Failed => {
                let why = page
                    .error()
                    .map(|e| format!("{}: {}", e.code(), e.message()))
                    .unwrap_or_else(|| "job FAILED".to_string());
                ctx.record(GET, None, format!("{arn}: {why}"));
                return None;
            }
            _ => {}
        }
        let d = details.get_or_insert_with(|| LastAccessedDetails {
            job_status: Some(page.job_status().as_str().to_string()),
            job_type: page.job_type().map(|x| x.as_str().to_string()),
            job_creation_date: Some(super::ts(page.job_creation_date())),
            job_completion_date: Some(super::ts(page.job_completion_date())),
            services_last_accessed: Vec::new(),
        });
        d.services_last_accessed
            .extend(page.services_last_accessed().iter().map(service));
        match (page.is_truncated(), page.marker()) {
            (true, Some(m)) if marker.as_deref() != Some(m) => marker = Some(m.to_string()),
            _ => return details,
        }
    }
}

fn service(s: &t::ServiceLastAccessed) -> ServiceLastAccessed {
    ServiceLastAccessed {
        service_name: s.service_name().to_string(),
        service_namespace: s.service_namespace().to_string(),
        last_authenticated: ots(s.last_authenticated()),
        last_authenticated_entity: os(s.last_authenticated_entity()),
        last_authenticated_region: os(s.last_authenticated_region()),
        total_authenticated_entities: s.total_authenticated_entities().map(i64::from),
        tracked_actions_last_accessed: s.tracked_actions_last_accessed.as_ref().map(|list| {
            list.iter()
                .map(|a| TrackedActionLastAccessed {
                    action_name: a.action_name().unwrap_or_default().to_string(),
                    last_accessed_entity: os(a.last_accessed_entity()),
                    last_accessed_time: ots(a.last_accessed_time()),
                    last_accessed_region: os(a.last_accessed_region()),
                })
                .collect()
        }),
    }
}
