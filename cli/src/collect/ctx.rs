//! What every collection task shares: the bound on requests in flight, the recorded errors,
//! progress, and the polling schedule.

use std::hash::{BuildHasher, Hasher};
use std::sync::Mutex;
use std::time::Duration;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use iam_model::snapshot::CollectionError;
use tokio::sync::Semaphore;

use super::Settings;
use super::guard::{Call, Operation, Paged};
use super::progress::Progress;

/// The answer to one call.
#[derive(Debug)]
pub enum Got<T> {
    /// The output.
    Value(T),
    /// An error that is a fact ("no such entity"): the thing is not configured.
    Absent,
    /// A real failure, already recorded in `collection_errors`.
    Failed,
}

impl<T> Got<T> {
    /// The output, if any.
    pub fn value(self) -> Option<T> {
        match self {
            Got::Value(v) => Some(v),
            _ => None,
        }
    }

    /// `Some(Some(v))` for a value, `Some(None)` for a fact of absence, `None` for a failure.
    pub fn known(self) -> Option<Option<T>> {
        match self {
            Got::Value(v) => Some(Some(v)),
            Got::Absent => Some(None),
            Got::Failed => None,
        }
    }
}

/// Shared collection state.
#[derive(Debug)]
pub struct Ctx {
    limit: Semaphore,
    errors: Mutex<Vec<CollectionError>>,
    /// Progress bars (no-ops when off).
    pub progress: Progress,
    /// Per-job timeout.
    pub job_timeout: Duration,
    /// First poll interval.
    pub first_poll: Duration,
    /// Longest poll interval.
    pub max_poll: Duration,
}

impl Ctx {
    /// New shared state.
    pub fn new(settings: &Settings) -> Ctx {
        Ctx {
            limit: Semaphore::new(settings.concurrency.max(1)),
            errors: Mutex::new(Vec::new()),
            progress: Progress::new(settings.progress),
            job_timeout: settings.job_timeout,
            first_poll: settings.first_poll,
            max_poll: settings.max_poll,
        }
    }

    /// Sends one request under the concurrency bound. Errors whose code is in `absent` are
    /// facts; any other error is recorded as the operation's failure in `region`.
    pub async fn call<B: Call>(
        &self,
        region: Option<&str>,
        absent: &[&str],
        b: B,
    ) -> Got<B::Output> {
        self.judge(&B::OPERATION, region, None, absent, self.raw(b).await)
    }

    /// [`Ctx::call`] for a call about one thing (a bucket, a role): a failure is recorded
    /// with `subject` first in its message, so the gap names what it leaves uncovered.
    pub async fn call_about<B: Call>(
        &self,
        region: Option<&str>,
        subject: &str,
        absent: &[&str],
        b: B,
    ) -> Got<B::Output> {
        self.judge(
            &B::OPERATION,
            region,
            Some(subject),
            absent,
            self.raw(b).await,
        )
    }

    /// [`Ctx::call`] for every page of a paginated operation (one permit for all of them).
    pub async fn pages<B: Paged>(
        &self,
        region: Option<&str>,
        absent: &[&str],
        b: B,
    ) -> Got<Vec<B::Output>> {
        let result = {
            let _permit = self.limit.acquire().await.ok();
            b.pages().await
        };
        self.judge(&B::OPERATION, region, None, absent, result)
    }

    /// [`Ctx::pages`] about one thing, like [`Ctx::call_about`].
    pub async fn pages_about<B: Paged>(
        &self,
        region: Option<&str>,
        subject: &str,
        absent: &[&str],
        b: B,
    ) -> Got<Vec<B::Output>> {
        let result = {
            let _permit = self.limit.acquire().await.ok();
            b.pages().await
        };
        self.judge(&B::OPERATION, region, Some(subject), absent, result)
    }

    /// A result as a [`Got`], recording real failures.
    fn judge<T, E>(
        &self,
        op: &Operation,
        region: Option<&str>,
        subject: Option<&str>,
        absent: &[&str],
        result: Result<T, SdkError<E, HttpResponse>>,
    ) -> Got<T>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        match result {
            Ok(v) => Got::Value(v),
            Err(e) if e.code().is_some_and(|c| absent.contains(&c)) => Got::Absent,
            Err(e) => {
                let message = match subject {
                    Some(s) => format!("{s}: {}", describe_error(&e)),
                    None => describe_error(&e),
                };
                self.record(&op.label(), region, message);
                Got::Failed
            }
        }
    }

    /// Sends one request under the concurrency bound and hands back the raw result, for
    /// callers that decide themselves what an error means.
    pub async fn raw<B: Call>(&self, b: B) -> Result<B::Output, SdkError<B::Error, HttpResponse>> {
        // The semaphore is never closed, so acquiring cannot fail; if it ever did, the call
        // would simply run unbounded.
        let _permit = self.limit.acquire().await.ok();
        Call::send(b).await
    }

    /// Records a failure.
    pub fn record(&self, op: &str, region: Option<&str>, message: String) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(CollectionError {
                operation: op.to_string(),
                region: region.map(str::to_string),
                message,
            });
        }
    }

    /// Takes the recorded failures.
    pub fn take_errors(&self) -> Vec<CollectionError> {
        self.errors
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default()
    }

    /// The wait before poll number `attempt` (0-based): exponential from `first_poll`, capped at
    /// `max_poll`, with "full jitter" between half and all of it so that many jobs polled at
    /// once spread out.
    pub fn poll_delay(&self, attempt: u32) -> Duration {
        let base = self
            .first_poll
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(self.max_poll);
        let half = base / 2;
        let spread = base.saturating_sub(half).as_nanos() as u64;
        let jitter = if spread == 0 { 0 } else { random() % spread };
        half + Duration::from_nanos(jitter)
    }
}

/// A random number from the standard library's hasher keys (no dependency for jitter).
fn random() -> u64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x9e37_79b9_7f4a_7c15);
    h.finish()
}

/// What AWS said, without anything secret: `Code: message` for service errors, the error
/// chain otherwise (timeouts, connection failures, the read-only guard's refusal).
pub fn describe_error<E>(e: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match e {
        SdkError::ServiceError(se) => match (e.code(), e.message()) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (Some(c), None) => c.to_string(),
            (None, Some(m)) => m.to_string(),
            (None, None) => format!(
                "HTTP {}: not an AWS error response (the API may not be available at this endpoint)",
                se.raw().status().as_u16()
            ),
        },
        SdkError::TimeoutError(_) => "timed out".to_string(),
        _ => chain(e),
    }
}

/// An error and its sources, joined with `: ` (no debug dumps).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut next = e.source();
    while let Some(s) = next {
        let text = s.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = s.source();
    }
    parts.join(": ")
}

/// True for throttling error codes (worth polling again later).
pub fn is_throttling(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "Throttling"
                | "ThrottlingException"
                | "ThrottledException"
                | "RequestThrottledException"
                | "TooManyRequestsException"
                | "RequestLimitExceeded"
                | "SlowDown"
        )
    )
}
