//! `iamsight collect`: reads a live AWS account through the official AWS SDK into a
//! [`Snapshot`].
//!
//! This module tree is the only place in the workspace that knows the AWS SDK and tokio. It
//! takes validated [`Settings`] and hands back a [`Collected`] snapshot; writing files and
//! printing belong to `commands::collect`.
//!
//! What it deliberately is and is not:
//! - **Read-only, enforced in code.** Every client carries [`guard::ReadOnlyGuard`], which
//!   refuses anything not on [`guard::OPERATIONS`] before a request is built.
//! - **Never all-or-nothing.** An API that fails (AccessDenied, throttled past retries, not
//!   available in a region) becomes a [`CollectionError`] in the snapshot and the rest goes on.
//!   Answers that are facts ("no password policy", "no bucket policy") are not errors.
//! - **Bounded.** At most `--concurrency` requests are in flight; the SDK's adaptive retry
//!   mode backs off on throttling; last-accessed jobs are polled with jittered exponential
//!   backoff up to a per-job timeout.
//! - No analysis: that is `analyzer`'s job, on the snapshot this returns.

mod clients;
mod ctx;
pub mod guard;
mod iam;
pub mod interrupt;
mod last_accessed;
mod organizations;
mod progress;
mod regional;
mod s3;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::Duration;

use iam_model::snapshot::{CollectionError, FORMAT_VERSION, Snapshot};
use iam_model::time::Timestamp;

pub use clients::Clients;
use ctx::Ctx;

/// Validated collection settings (from `collect`, `scan` and `audit` flags).
#[derive(Clone, Debug)]
pub struct Settings {
    /// A named profile of the shared config files.
    pub profile: Option<String>,
    /// Regions to scan; empty means every region enabled in the account.
    pub regions: Vec<String>,
    /// A role to assume first.
    pub role_arn: Option<String>,
    /// The external id the role's trust policy requires.
    pub external_id: Option<String>,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// How long one last-accessed job (or the credential report) may take.
    pub job_timeout: Duration,
    /// First wait between two polls of a job; doubles (with jitter) up to `max_poll`.
    pub first_poll: Duration,
    /// Longest wait between two polls.
    pub max_poll: Duration,
    /// Progress bars on standard error.
    pub progress: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            profile: None,
            regions: Vec::new(),
            role_arn: None,
            external_id: None,
            concurrency: 8,
            job_timeout: Duration::from_secs(300),
            first_poll: Duration::from_millis(500),
            max_poll: Duration::from_secs(10),
            progress: false,
        }
    }
}

/// A finished collection.
#[derive(Debug)]
pub struct Collected {
    /// The account.
    pub snapshot: Snapshot,
    /// Calls made per `service:Operation` (retries of one call count once).
    pub calls: BTreeMap<String, u64>,
}

/// Why nothing could be collected at all (as opposed to a failing section, which is recorded
/// in the snapshot).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// No credentials, or credentials AWS does not accept.
    #[error("cannot identify the caller (sts:GetCallerIdentity): {0}")]
    Identity(String),
    /// Ctrl-C.
    #[error("interrupted: no snapshot written")]
    Interrupted,
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// A bug: the collection thread panicked.
    #[error("collection stopped unexpectedly (a bug in iamsight; please report it)")]
    Panicked,
}

/// Collects the account the standard credential chain (or `settings`) points at. Blocks; runs
/// its own runtime; Ctrl-C stops it with [`CollectError::Interrupted`]. Once it returns,
/// Ctrl-C means what it meant before (see [`interrupt`]).
pub fn collect_live(settings: &Settings) -> Result<Collected, CollectError> {
    let settings = settings.clone();
    let _catch = interrupt::Catch::start();
    // SDK futures are large, and debug builds keep much of them on the stack while they are
    // built and polled: collection runs on its own thread with a roomy stack, whatever thread
    // (a test's 2 MiB one, say) asked for it.
    let worker = std::thread::Builder::new()
        .name("iamsight-collect".to_string())
        .stack_size(COLLECT_STACK)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_stack_size(COLLECT_STACK)
                .enable_all()
                .build()
                .map_err(CollectError::Runtime)?;
            runtime.block_on(Box::pin(async {
                tokio::select! {
                    r = Box::pin(async {
                        let clients = Clients::from_environment(&settings).await;
                        collect(&clients, &settings).await
                    }) => r,
                    () = interrupt::signalled() => Err(CollectError::Interrupted),
                }
            }))
        })
        .map_err(CollectError::Runtime)?;
    worker.join().unwrap_or(Err(CollectError::Panicked))
}

/// Stack size of the collection threads.
const COLLECT_STACK: usize = 32 * 1024 * 1024;

/// Collects with the given clients.
pub async fn collect(clients: &Clients, settings: &Settings) -> Result<Collected, CollectError> {
    let ctx = Ctx::new(settings);
    let identity = guard::Call::send(clients.sts.get_caller_identity())
        .await
        .map_err(|e| CollectError::Identity(ctx::describe_error(&e)))?;
    let account_id = identity.account().unwrap_or_default().to_string();
    let partition = identity
        .arn()
        .and_then(|a| a.split(':').nth(1))
        .unwrap_or("aws")
        .to_string();
    let collected_at =
        Timestamp(aws_smithy_types::DateTime::from(std::time::SystemTime::now()).secs());

    let regions = regional::regions(&ctx, clients, settings).await;
    let (iam, orgs, s3, regions) = tokio::join!(
        Box::pin(iam::collect(&ctx, clients)),
        Box::pin(organizations::collect(&ctx, clients, &account_id)),
        Box::pin(s3::collect(&ctx, clients, &account_id)),
        Box::pin(regional::collect_all(&ctx, clients, &regions)),
    );
    let iam::IamSection {
        authorization_details,
        credential_report,
        credential_report_generated_at,
        password_policy,
        account_summary,
        virtual_mfa_devices,
        mfa_devices,
        server_certificates,
        saml_providers,
        oidc_providers,
        last_accessed,
    } = iam;
    ctx.progress.finish();
    let mut collection_errors: Vec<CollectionError> = ctx.take_errors();
    collection_errors.sort_by(|a, b| {
        (&a.operation, &a.region, &a.message).cmp(&(&b.operation, &b.region, &b.message))
    });
    let snapshot = Snapshot {
        format_version: FORMAT_VERSION,
        account_id,
        partition,
        collected_at: Some(collected_at),
        collection_errors,
        authorization_details,
        credential_report,
        credential_report_generated_at,
        password_policy,
        account_summary,
        virtual_mfa_devices,
        mfa_devices,
        server_certificates,
        saml_providers,
        oidc_providers,
        last_accessed,
        s3,
        regions,
        organizations: orgs,
    };
    Ok(Collected {
        snapshot,
        calls: clients.guard.calls(),
    })
}

/// An SDK timestamp as a snapshot timestamp.
fn ts(dt: &aws_smithy_types::DateTime) -> Timestamp {
    Timestamp(dt.secs())
}

/// An optional SDK timestamp.
fn ots(dt: Option<&aws_smithy_types::DateTime>) -> Option<Timestamp> {
    dt.map(ts)
}

/// An optional string.
fn os(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}
