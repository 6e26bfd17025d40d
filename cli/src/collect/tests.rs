//! What the emulator cannot show, tested with the SDK's own test utilities: real clients,
//! with `aws-smithy-mocks` rules answering in place of AWS (GAAD paging, last-accessed jobs,
//! throttling, credential report back-fill), and a fake HTTP connector that denies everything
//! (AccessDenied on every section) or counts what would have been sent (the read-only guard).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportOutput;
use aws_sdk_iam::operation::generate_service_last_accessed_details::GenerateServiceLastAccessedDetailsOutput;
use aws_sdk_iam::operation::get_access_key_last_used::GetAccessKeyLastUsedOutput;
use aws_sdk_iam::operation::get_account_authorization_details::GetAccountAuthorizationDetailsOutput;
use aws_sdk_iam::operation::get_account_summary::GetAccountSummaryOutput;
use aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput;
use aws_sdk_iam::operation::get_login_profile::GetLoginProfileError;
use aws_sdk_iam::operation::get_service_last_accessed_details::GetServiceLastAccessedDetailsOutput;
use aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput;
use aws_sdk_iam::operation::list_mfa_devices::ListMfaDevicesOutput;
use aws_sdk_iam::types as t;
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::{Blob, DateTime};
use iam_model::snapshot::{AuthorizationDetails, UserDetail};
use iam_model::time::Timestamp;

use super::ctx::Ctx;
use super::guard::{OPERATIONS, label};
use super::*;

/// A trust policy, URL-encoded as IAM returns it.
const TRUST_ENCODED: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";

fn sdk_config(http: SharedHttpClient) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "AKIDTEST",
            "not-a-secret",
            None,
            None,
            "test",
        )))
        .http_client(http)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build()
}

/// Clients whose calls are answered by `rules` (any order).
fn mocked(rules: &[&Rule]) -> Clients {
    let mut i = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for r in rules {
        i = i.with_rule(r);
    }
    Clients::new(
        sdk_config(create_mock_http_client()),
        vec![SharedInterceptor::new(i)],
    )
}

fn fast() -> Settings {
    Settings {
        job_timeout: Duration::from_millis(150),
        first_poll: Duration::from_millis(1),
        max_poll: Duration::from_millis(5),
        ..Settings::default()
    }
}

fn now() -> DateTime {
    DateTime::from_secs(1_790_000_000)
}

fn user(name: &str) -> t::UserDetail {
    t::UserDetail::builder()
        .user_name(name)
        .user_id(format!("AIDA{name}"))
        .arn(format!("arn:aws:iam::111122223333:user/{name}"))
        .path("/")
        .create_date(now())
        .build()
}

#[tokio::test]
async fn authorization_details_pages_are_merged() {
    let first = mock!(aws_sdk_iam::Client::get_account_authorization_details)
        .match_requests(|r| r.marker().is_none())
        .then_output(|| {
            GetAccountAuthorizationDetailsOutput::builder()
                .user_detail_list(user("alice"))
                .is_truncated(true)
                .marker("page-2")
                .build()
        });
    let second = mock!(aws_sdk_iam::Client::get_account_authorization_details)
        .match_requests(|r| r.marker() == Some("page-2"))
        .then_output(|| {
            GetAccountAuthorizationDetailsOutput::builder()
                .user_detail_list(user("bob"))
                .role_detail_list(
                    t::RoleDetail::builder()
                        .role_name("app")
                        .arn("arn:aws:iam::111122223333:role/app")
                        .create_date(now())
                        .assume_role_policy_document(TRUST_ENCODED)
                        .build(),
                )
                .is_truncated(false)
                .build()
        });
    let clients = mocked(&[&first, &second]);
    let ctx = Ctx::new(&fast());
    let d = iam::authorization_details(&ctx, &clients).await;
    let users: Vec<_> = d.users.iter().map(|u| u.user_name.as_str()).collect();
    assert_eq!(users, ["alice", "bob"]);
    assert_eq!(d.roles.len(), 1);
    let trust = d.roles[0].assume_role_policy_document.as_ref().unwrap();
    assert!(trust.policy().is_ok(), "{trust:?}");
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
    assert_eq!(
        clients
            .guard
            .calls()
            .get("iam:GetAccountAuthorizationDetails"),
        Some(&2)
    );
    assert!(ctx.take_errors().is_empty());
}

fn details_with_users(names: &[&str]) -> AuthorizationDetails {
    AuthorizationDetails {
        users: names
            .iter()
            .map(|n| UserDetail {
                path: "/".into(),
                user_name: n.to_string(),
                user_id: String::new(),
                arn: format!("arn:aws:iam::111122223333:user/{n}"),
                create_date: Timestamp(1_700_000_000),
                user_policy_list: Vec::new(),
                group_list: Vec::new(),
                attached_managed_policies: Vec::new(),
                permissions_boundary: None,
                tags: Vec::new(),
            })
            .collect(),
        ..AuthorizationDetails::default()
    }
}

fn generate_rule() -> Rule {
    mock!(aws_sdk_iam::Client::generate_service_last_accessed_details).then_compute_output(|r| {
        GenerateServiceLastAccessedDetailsOutput::builder()
            .job_id(format!("job-{}", r.arn().unwrap_or_default()))
            .build()
    })
}

#[tokio::test]
async fn a_job_in_progress_past_the_timeout_is_a_collection_error() {
    let generate = generate_rule();
    let get = mock!(aws_sdk_iam::Client::get_service_last_accessed_details).then_output(|| {
        GetServiceLastAccessedDetailsOutput::builder()
            .job_status(t::JobStatusType::InProgress)
            .job_creation_date(now())
            .set_services_last_accessed(Some(Vec::new()))
            .job_completion_date(now())
            .build()
            .unwrap()
    });
    let clients = mocked(&[&generate, &get]);
    let ctx = Ctx::new(&fast());
    let out = last_accessed::collect(&ctx, &clients, &details_with_users(&["alice"])).await;
    assert!(out.is_empty());
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].operation, "iam:GetServiceLastAccessedDetails");
    assert!(errors[0].message.contains("IN_PROGRESS"), "{errors:?}");
    assert!(errors[0].message.contains("user/alice"), "{errors:?}");
    assert!(get.num_calls() >= 2, "polled {} times", get.num_calls());
    assert_eq!(generate.num_calls(), 1);
}

#[tokio::test]
async fn completed_jobs_are_read_page_by_page_one_job_per_entity() {
    let generate = generate_rule();
    let service = |ns: &str, actions: &[&str]| {
        t::ServiceLastAccessed::builder()
            .service_name(ns)
            .service_namespace(ns)
            .last_authenticated(now())
            .set_tracked_actions_last_accessed(Some(
                actions
                    .iter()
                    .map(|a| {
                        t::TrackedActionLastAccessed::builder()
                            .action_name(*a)
                            .build()
                    })
                    .collect(),
            ))
            .build()
            .unwrap()
    };
    let page1 = mock!(aws_sdk_iam::Client::get_service_last_accessed_details)
        .match_requests(|r| r.marker().is_none())
        .then_output(move || {
            GetServiceLastAccessedDetailsOutput::builder()
                .job_status(t::JobStatusType::Completed)
                .job_type(t::AccessAdvisorUsageGranularityType::ActionLevel)
                .job_creation_date(now())
                .job_completion_date(now())
                .services_last_accessed(service("s3", &["GetObject", "PutObject"]))
                .is_truncated(true)
                .marker("more")
                .build()
                .unwrap()
        });
    let page2 = mock!(aws_sdk_iam::Client::get_service_last_accessed_details)
        .match_requests(|r| r.marker() == Some("more"))
        .then_output(move || {
            GetServiceLastAccessedDetailsOutput::builder()
                .job_status(t::JobStatusType::Completed)
                .job_creation_date(now())
                .job_completion_date(now())
                .services_last_accessed(service("ec2", &["RunInstances"]))
                .is_truncated(false)
                .build()
                .unwrap()
        });
    let clients = mocked(&[&generate, &page1, &page2]);
    let ctx = Ctx::new(&fast());
    let out = last_accessed::collect(&ctx, &clients, &details_with_users(&["alice", "bob"])).await;
    assert!(ctx.take_errors().is_empty());
    assert_eq!(out.len(), 2);
    let alice = &out["arn:aws:iam::111122223333:user/alice"];
    assert_eq!(alice.job_type.as_deref(), Some("ACTION_LEVEL"));
    let namespaces: Vec<_> = alice
        .services_last_accessed
        .iter()
        .map(|s| s.service_namespace.as_str())
        .collect();
    assert_eq!(namespaces, ["s3", "ec2"]);
    let s3 = &alice.services_last_accessed[0];
    assert_eq!(s3.tracked_actions_last_accessed.as_ref().unwrap().len(), 2);
    // One job per entity, one call per page.
    let calls = clients.guard.calls();
    assert_eq!(calls["iam:GenerateServiceLastAccessedDetails"], 2);
    assert_eq!(calls["iam:GetServiceLastAccessedDetails"], 4);
}

#[tokio::test]
async fn access_denied_on_the_first_job_is_recorded_once() {
    let generate = mock!(aws_sdk_iam::Client::generate_service_last_accessed_details)
        .sequence()
        .http_status(
            403,
            Some(query_error(
                "AccessDenied",
                "not authorized to perform iam:GenerateServiceLastAccessedDetails",
            )),
        )
        .build();
    let clients = mocked(&[&generate]);
    let ctx = Ctx::new(&fast());
    let out = last_accessed::collect(&ctx, &clients, &details_with_users(&["a", "b", "c"])).await;
    assert!(out.is_empty());
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .message
            .starts_with("AccessDenied: not authorized"),
        "{errors:?}"
    );
    assert!(
        errors[0].message.contains("any of the 3 entities"),
        "{errors:?}"
    );
    assert_eq!(generate.num_calls(), 1);
}

/// An answer that is no AWS error at all: an HTML error page (an emulator or proxy).
fn html_500() -> String {
    "<!doctype html><title>500 Internal Server Error</title>".to_string()
}

#[tokio::test]
async fn a_probe_without_an_aws_answer_is_tried_again_and_then_the_jobs_go_on() {
    // The first job's first submission gets no AWS answer (three HTTP attempts, the SDK's
    // retries); the second submission works: nothing is given up, every entity has its job.
    let flaky = mock!(aws_sdk_iam::Client::generate_service_last_accessed_details)
        .sequence()
        .http_status(500, Some(html_500()))
        .times(3)
        .build();
    let generate = generate_rule();
    let get = mock!(aws_sdk_iam::Client::get_service_last_accessed_details).then_output(|| {
        GetServiceLastAccessedDetailsOutput::builder()
            .job_status(t::JobStatusType::Completed)
            .job_creation_date(now())
            .job_completion_date(now())
            .set_services_last_accessed(Some(Vec::new()))
            .build()
            .unwrap()
    });
    let clients = mocked(&[&flaky, &generate, &get]);
    let ctx = Ctx::new(&fast());
    let out = last_accessed::collect(&ctx, &clients, &details_with_users(&["a", "b", "c"])).await;
    let errors = ctx.take_errors();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(out.len(), 3);
    assert_eq!((flaky.num_calls(), generate.num_calls()), (3, 3));
    let calls = clients.guard.calls();
    // Two submissions for `a` (retries of one count once), one each for `b` and `c`.
    assert_eq!(calls["iam:GenerateServiceLastAccessedDetails"], 4);
    assert_eq!(calls["iam:GetServiceLastAccessedDetails"], 3);
}

#[tokio::test]
async fn a_probe_that_never_gets_an_aws_answer_is_recorded_once() {
    let generate = mock!(aws_sdk_iam::Client::generate_service_last_accessed_details)
        .sequence()
        .http_status(500, Some(html_500()))
        .repeatedly()
        .build();
    let clients = mocked(&[&generate]);
    let ctx = Ctx::new(&fast());
    let out = last_accessed::collect(&ctx, &clients, &details_with_users(&["a", "b", "c"])).await;
    assert!(out.is_empty());
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].operation,
        "iam:GenerateServiceLastAccessedDetails"
    );
    assert!(
        errors[0]
            .message
            .starts_with("HTTP 500: not an AWS error response"),
        "{errors:?}"
    );
    assert!(
        errors[0].message.ends_with(&format!(
            "(no AWS answer in {} attempts: taken as an endpoint without the API; no last-accessed data for any of the 3 entities)",
            last_accessed::PROBE_ATTEMPTS
        )),
        "{errors:?}"
    );
    // The probe only: PROBE_ATTEMPTS submissions of the first job, each with the SDK's 3
    // attempts; none for `b` or `c`.
    let attempts = last_accessed::PROBE_ATTEMPTS as usize;
    assert_eq!(generate.num_calls(), attempts * 3);
    assert_eq!(
        clients.guard.calls()["iam:GenerateServiceLastAccessedDetails"],
        attempts as u64
    );
}

#[tokio::test]
async fn a_throttled_probe_is_that_entity_s_gap_and_the_other_jobs_go_on() {
    let throttled = mock!(aws_sdk_iam::Client::generate_service_last_accessed_details)
        .match_requests(|r| r.arn().is_some_and(|a| a.ends_with("user/a")))
        .sequence()
        .http_status(400, Some(query_error("Throttling", "Rate exceeded")))
        .repeatedly()
        .build();
    let generate = generate_rule();
    let get = mock!(aws_sdk_iam::Client::get_service_last_accessed_details).then_output(|| {
        GetServiceLastAccessedDetailsOutput::builder()
            .job_status(t::JobStatusType::Completed)
            .job_creation_date(now())
            .job_completion_date(now())
            .set_services_last_accessed(Some(Vec::new()))
            .build()
            .unwrap()
    });
    let clients = mocked(&[&throttled, &generate, &get]);
    let ctx = Ctx::new(&fast());
    let out = last_accessed::collect(&ctx, &clients, &details_with_users(&["a", "b", "c"])).await;
    let errors = ctx.take_errors();
    assert_eq!(
        errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>(),
        ["arn:aws:iam::111122223333:user/a: Throttling: Rate exceeded"]
    );
    assert_eq!(
        out.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "arn:aws:iam::111122223333:user/b",
            "arn:aws:iam::111122223333:user/c"
        ]
    );
}

#[tokio::test]
async fn failed_jobs_are_recorded_with_aws_s_reason_and_the_others_are_read() {
    let generate = generate_rule();
    let failed = mock!(aws_sdk_iam::Client::get_service_last_accessed_details)
        .match_requests(|r| r.job_id().is_some_and(|j| j.ends_with("user/alice")))
        .then_output(|| {
            GetServiceLastAccessedDetailsOutput::builder()
                .job_status(t::JobStatusType::Failed)
                .job_creation_date(now())
                .job_completion_date(now())
                .set_services_last_accessed(Some(Vec::new()))
                .error(
                    t::ErrorDetails::builder()
                        .code("ServiceFailure")
                        .message("the report could not be generated")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap()
        });
    let completed =
        mock!(aws_sdk_iam::Client::get_service_last_accessed_details).then_output(|| {
            GetServiceLastAccessedDetailsOutput::builder()
                .job_status(t::JobStatusType::Completed)
                .job_creation_date(now())
                .job_completion_date(now())
                .services_last_accessed(
                    t::ServiceLastAccessed::builder()
                        .service_name("Amazon S3")
                        .service_namespace("s3")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap()
        });
    let clients = mocked(&[&generate, &failed, &completed]);
    let ctx = Ctx::new(&fast());
    let out = last_accessed::collect(&ctx, &clients, &details_with_users(&["alice", "bob"])).await;
    let errors = ctx.take_errors();
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.operation.as_str(), e.message.as_str()))
            .collect::<Vec<_>>(),
        [(
            "iam:GetServiceLastAccessedDetails",
            "arn:aws:iam::111122223333:user/alice: ServiceFailure: the report could not be generated"
        )]
    );
    // A failed job is a gap, not "nothing used": alice has no entry at all.
    assert_eq!(
        out.keys().map(String::as_str).collect::<Vec<_>>(),
        ["arn:aws:iam::111122223333:user/bob"]
    );
    assert_eq!(
        out["arn:aws:iam::111122223333:user/bob"].services_last_accessed[0].service_namespace,
        "s3"
    );
    assert_eq!((failed.num_calls(), completed.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_poll_throttled_past_the_sdk_s_retries_is_polled_again() {
    // GetServiceLastAccessedDetails throttled three times (all of one call's attempts): the
    // job is still there, so the poll waits and asks again instead of giving up.
    let generate = generate_rule();
    let get = mock!(aws_sdk_iam::Client::get_service_last_accessed_details)
        .sequence()
        .http_status(400, Some(query_error("Throttling", "Rate exceeded")))
        .times(3)
        .output(|| {
            GetServiceLastAccessedDetailsOutput::builder()
                .job_status(t::JobStatusType::Completed)
                .job_creation_date(now())
                .job_completion_date(now())
                .services_last_accessed(
                    t::ServiceLastAccessed::builder()
                        .service_name("Amazon EC2")
                        .service_namespace("ec2")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap()
        })
        .build();
    let clients = mocked(&[&generate, &get]);
    let ctx = Ctx::new(&fast());
    let out = last_accessed::collect(&ctx, &clients, &details_with_users(&["alice"])).await;
    let errors = ctx.take_errors();
    assert!(errors.is_empty(), "{errors:?}");
    let alice = &out["arn:aws:iam::111122223333:user/alice"];
    assert_eq!(alice.job_status.as_deref(), Some("COMPLETED"));
    assert_eq!(alice.services_last_accessed[0].service_namespace, "ec2");
    assert_eq!(get.num_calls(), 4, "3 throttled attempts, then the answer");
    assert_eq!(
        clients.guard.calls()["iam:GetServiceLastAccessedDetails"],
        2
    );
}

fn query_error(code: &str, message: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    )
}

#[tokio::test]
async fn a_throttled_call_succeeds_after_retries() {
    let summary = mock!(aws_sdk_iam::Client::get_account_summary)
        .sequence()
        .http_status(400, Some(query_error("Throttling", "Rate exceeded")))
        .times(2)
        .output(|| {
            GetAccountSummaryOutput::builder()
                .summary_map(t::SummaryKeyType::Users, 3)
                .build()
        })
        .build();
    let clients = mocked(&[&summary]);
    let ctx = Ctx::new(&fast());
    let got = ctx
        .call(None, &[], clients.iam.get_account_summary())
        .await
        .value()
        .unwrap();
    assert_eq!(got.summary_map().unwrap()[&t::SummaryKeyType::Users], 3);
    assert_eq!(summary.num_calls(), 3);
    assert!(ctx.take_errors().is_empty());
    // Retries of one call count once.
    assert_eq!(clients.guard.calls()["iam:GetAccountSummary"], 1);
}

#[tokio::test]
async fn throttled_past_retries_is_recorded() {
    let summary = mock!(aws_sdk_iam::Client::get_account_summary)
        .sequence()
        .http_status(400, Some(query_error("Throttling", "Rate exceeded")))
        .repeatedly()
        .build();
    let clients = mocked(&[&summary]);
    let ctx = Ctx::new(&fast());
    let got = ctx.call(None, &[], clients.iam.get_account_summary()).await;
    assert!(got.value().is_none());
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].message, "Throttling: Rate exceeded");
    assert_eq!(summary.num_calls(), 3);
}

#[tokio::test]
async fn users_newer_than_the_credential_report_are_back_filled() {
    const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111122223333:root,2019-01-01T00:00:00+00:00,not_supported,no_information,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::111122223333:user/alice,2020-01-01T00:00:00+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
";
    let gaad = mock!(aws_sdk_iam::Client::get_account_authorization_details).then_output(|| {
        GetAccountAuthorizationDetailsOutput::builder()
            .user_detail_list(user("alice"))
            .user_detail_list(user("carol"))
            .build()
    });
    let generate = mock!(aws_sdk_iam::Client::generate_credential_report)
        .sequence()
        .output(|| {
            GenerateCredentialReportOutput::builder()
                .state(t::ReportStateType::Started)
                .build()
        })
        .output(|| {
            GenerateCredentialReportOutput::builder()
                .state(t::ReportStateType::Complete)
                .build()
        })
        .build();
    let get = mock!(aws_sdk_iam::Client::get_credential_report).then_output(|| {
        GetCredentialReportOutput::builder()
            .content(Blob::new(REPORT))
            .generated_time(now())
            .build()
    });
    let keys = mock!(aws_sdk_iam::Client::list_access_keys)
        .match_requests(|r| r.user_name() == Some("carol"))
        .then_output(|| {
            ListAccessKeysOutput::builder()
                .access_key_metadata(
                    t::AccessKeyMetadata::builder()
                        .access_key_id("AKIACAROL")
                        .status(t::StatusType::Active)
                        .create_date(now())
                        .build(),
                )
                .build()
                .unwrap()
        });
    let used = mock!(aws_sdk_iam::Client::get_access_key_last_used).then_output(|| {
        GetAccessKeyLastUsedOutput::builder()
            .access_key_last_used(
                t::AccessKeyLastUsed::builder()
                    .last_used_date(now())
                    .service_name("s3")
                    .region("eu-west-1")
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let login = mock!(aws_sdk_iam::Client::get_login_profile).then_error(|| {
        GetLoginProfileError::NoSuchEntityException(
            t::error::NoSuchEntityException::builder()
                .message("no login profile")
                .meta(
                    aws_smithy_types::error::ErrorMetadata::builder()
                        .code("NoSuchEntity")
                        .message("no login profile")
                        .build(),
                )
                .build(),
        )
    });
    let mfa = mock!(aws_sdk_iam::Client::list_mfa_devices)
        .match_requests(|r| r.user_name() == Some("carol"))
        .then_output(|| {
            ListMfaDevicesOutput::builder()
                .mfa_devices(
                    t::MfaDevice::builder()
                        .user_name("carol")
                        .serial_number("arn:aws:iam::111122223333:mfa/carol")
                        .enable_date(now())
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap()
        });
    let clients = mocked(&[&gaad, &generate, &get, &keys, &used, &login, &mfa]);
    let ctx = Ctx::new(&fast());
    let details = iam::authorization_details(&ctx, &clients).await;
    let full = iam::credential_report(&ctx, &clients, &details)
        .await
        .unwrap();
    let errors = ctx.take_errors();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(full.generated_at, Some(Timestamp(now().secs())));
    let report = &full.report;
    assert_eq!(report.rows.len(), 3);
    let carol = report
        .by_arn("arn:aws:iam::111122223333:user/carol")
        .unwrap();
    assert_eq!(carol.password_enabled, Some(false));
    assert!(carol.mfa_active);
    // The MFA devices: carol's, read once for her row and not again; alice's row says she
    // has none, so she is not asked.
    let devices = iam::mfa_devices(&ctx, &clients, &details, Some(&full)).await;
    assert_eq!(
        devices
            .iter()
            .map(|d| (d.user_name.as_str(), d.serial_number.as_str()))
            .collect::<Vec<_>>(),
        [("carol", "arn:aws:iam::111122223333:mfa/carol")]
    );
    assert_eq!(clients.guard.calls()["iam:ListMFADevices"], 1);
    assert!(ctx.take_errors().is_empty());
    assert!(carol.access_keys[0].active);
    assert_eq!(
        carol.access_keys[0].last_used_service.as_deref(),
        Some("s3")
    );
    assert_eq!(
        carol.access_keys[0].last_used_region.as_deref(),
        Some("eu-west-1")
    );
    assert!(!carol.access_keys[1].active);
    // alice was in the report: no per-user calls for her.
    assert_eq!(keys.num_calls(), 1);
    assert_eq!(generate.num_calls(), 2);
}

/// A report that lists only the root user.
const ROOT_ONLY_REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111122223333:root,2019-01-01T00:00:00+00:00,not_supported,no_information,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
";

#[tokio::test]
async fn back_fill_runs_users_together_and_a_failure_names_the_user() {
    let names: Vec<String> = (0..10).map(|i| format!("u{i}")).collect();
    let generate = mock!(aws_sdk_iam::Client::generate_credential_report).then_output(|| {
        GenerateCredentialReportOutput::builder()
            .state(t::ReportStateType::Complete)
            .build()
    });
    let get = mock!(aws_sdk_iam::Client::get_credential_report).then_output(|| {
        GetCredentialReportOutput::builder()
            .content(Blob::new(ROOT_ONLY_REPORT))
            .generated_time(now())
            .build()
    });
    let denied_keys = mock!(aws_sdk_iam::Client::list_access_keys)
        .match_requests(|r| r.user_name() == Some("u3"))
        .sequence()
        .http_status(
            403,
            Some(query_error("AccessDenied", "no iam:ListAccessKeys")),
        )
        .repeatedly()
        .build();
    let keys = mock!(aws_sdk_iam::Client::list_access_keys).then_output(|| {
        ListAccessKeysOutput::builder()
            .set_access_key_metadata(Some(Vec::new()))
            .build()
            .unwrap()
    });
    let login = mock!(aws_sdk_iam::Client::get_login_profile)
        .sequence()
        .http_status(404, Some(query_error("NoSuchEntity", "no login profile")))
        .repeatedly()
        .build();
    let mfa = mock!(aws_sdk_iam::Client::list_mfa_devices).then_output(|| {
        ListMfaDevicesOutput::builder()
            .set_mfa_devices(Some(Vec::new()))
            .build()
            .unwrap()
    });
    let slow = Slow::new(Duration::from_millis(20));
    let clients = mocked_through(
        slow.client(),
        &[&generate, &get, &denied_keys, &keys, &login, &mfa],
    );
    let ctx = Ctx::new(&fast());
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let details = details_with_users(&refs);
    let full = iam::credential_report(&ctx, &clients, &details)
        .await
        .unwrap();
    let errors = ctx.take_errors();
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.operation.as_str(), e.message.as_str()))
            .collect::<Vec<_>>(),
        [(
            "iam:ListAccessKeys",
            "user `u3`: AccessDenied: no iam:ListAccessKeys"
        )]
    );
    // Every user but u3 has a row; u3's would be a guess.
    let mut listed: Vec<&str> = full
        .report
        .rows
        .iter()
        .map(|r| r.user.as_str())
        .filter(|u| *u != "<root_account>")
        .collect();
    listed.sort_unstable();
    assert_eq!(
        listed,
        ["u0", "u1", "u2", "u4", "u5", "u6", "u7", "u8", "u9"]
    );
    // Three calls per user, together (the requests overlapped), and ListMFADevices once each.
    let calls = clients.guard.calls();
    assert_eq!(calls["iam:ListMFADevices"], 10, "{calls:?}");
    assert_eq!(calls["iam:ListAccessKeys"], 10, "{calls:?}");
    assert!(slow.peak() > 1, "back-fill calls ran one at a time");
    assert!(slow.peak() <= fast().concurrency, "{}", slow.peak());
    // u3's devices were read, and are not read again.
    let devices = iam::mfa_devices(&ctx, &clients, &details, Some(&full)).await;
    assert!(devices.is_empty());
    assert_eq!(clients.guard.calls()["iam:ListMFADevices"], 10);
}

/// An HTTP client that holds every request `delay` before the mocks answer it, and counts
/// how many are in flight at once.
#[derive(Clone, Debug)]
struct Slow {
    delay: Duration,
    inner: SharedHttpClient,
    in_flight: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    /// `host x-amz-target` of every request, in order.
    seen: Arc<std::sync::Mutex<Vec<String>>>,
}

impl Slow {
    fn new(delay: Duration) -> Slow {
        Slow {
            delay,
            inner: create_mock_http_client(),
            in_flight: Arc::default(),
            peak: Arc::default(),
            seen: Arc::default(),
        }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    fn client(&self) -> SharedHttpClient {
        SharedHttpClient::new(self.clone())
    }

    fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

#[derive(Debug)]
struct SlowConnector {
    slow: Slow,
    inner: SharedHttpConnector,
}

impl HttpConnector for SlowConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let slow = self.slow.clone();
        let inner = self.inner.clone();
        let host = request
            .uri()
            .split("://")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .unwrap_or_default()
            .to_string();
        let target = request
            .headers()
            .get("x-amz-target")
            .unwrap_or_default()
            .to_string();
        slow.seen.lock().unwrap().push(format!("{host} {target}"));
        HttpConnectorFuture::new(async move {
            let now = slow.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            slow.peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(slow.delay).await;
            slow.in_flight.fetch_sub(1, Ordering::SeqCst);
            inner.call(request).await
        })
    }
}

impl HttpClient for Slow {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(SlowConnector {
            slow: self.clone(),
            inner: self.inner.http_connector(settings, components),
        })
    }
}

/// [`mocked`] through a given HTTP client (which must hand requests on to the mocks').
fn mocked_through(http: SharedHttpClient, rules: &[&Rule]) -> Clients {
    let mut i = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for r in rules {
        i = i.with_rule(r);
    }
    Clients::new(sdk_config(http), vec![SharedInterceptor::new(i)])
}

#[tokio::test]
async fn oidc_providers_are_read_together_and_a_failure_names_the_provider() {
    use aws_sdk_iam::operation::get_open_id_connect_provider::GetOpenIdConnectProviderOutput;
    use aws_sdk_iam::operation::list_open_id_connect_providers::ListOpenIdConnectProvidersOutput;
    let arn = |i: usize| format!("arn:aws:iam::111122223333:oidc-provider/idp{i}.example.com");
    let list = mock!(aws_sdk_iam::Client::list_open_id_connect_providers).then_output(move || {
        ListOpenIdConnectProvidersOutput::builder()
            .set_open_id_connect_provider_list(Some(
                (0..4)
                    .map(|i| {
                        t::OpenIdConnectProviderListEntry::builder()
                            .arn(arn(i))
                            .build()
                    })
                    .collect(),
            ))
            .build()
    });
    let denied = mock!(aws_sdk_iam::Client::get_open_id_connect_provider)
        .match_requests(|r| {
            r.open_id_connect_provider_arn()
                .is_some_and(|a| a.ends_with("/idp2.example.com"))
        })
        .sequence()
        .http_status(
            403,
            Some(query_error(
                "AccessDenied",
                "no iam:GetOpenIDConnectProvider",
            )),
        )
        .repeatedly()
        .build();
    let get = mock!(aws_sdk_iam::Client::get_open_id_connect_provider).then_compute_output(|r| {
        let host = r
            .open_id_connect_provider_arn()
            .and_then(|a| a.rsplit('/').next())
            .unwrap_or_default()
            .to_string();
        GetOpenIdConnectProviderOutput::builder()
            .url(host)
            .client_id_list("sts.amazonaws.com")
            .tags(t::Tag::builder().key("owner").value("ci").build().unwrap())
            .build()
    });
    let slow = Slow::new(Duration::from_millis(20));
    let clients = mocked_through(slow.client(), &[&list, &denied, &get]);
    let ctx = Ctx::new(&fast());
    let providers = iam::oidc_providers(&ctx, &clients).await;
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].operation, "iam:GetOpenIDConnectProvider");
    assert_eq!(
        errors[0].message,
        format!(
            "provider `{}`: AccessDenied: no iam:GetOpenIDConnectProvider",
            arn(2)
        )
    );
    let got: Vec<(String, Option<&str>)> = providers
        .iter()
        .map(|p| (p.arn.clone(), p.url.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            (arn(0), Some("idp0.example.com")),
            (arn(1), Some("idp1.example.com")),
            (arn(2), None),
            (arn(3), Some("idp3.example.com")),
        ]
    );
    assert!(
        slow.peak() > 1,
        "GetOpenIDConnectProvider ran one at a time"
    );
}

// ---------------------------------------------------------------------------------------
// A fake connector: answers GetCallerIdentity, denies everything else in each protocol's
// own error shape, and counts requests that reached it.

#[derive(Clone, Debug, Default)]
struct DenyAll {
    sent: Arc<AtomicUsize>,
}

fn deny(req: &HttpRequest) -> Response<SdkBody> {
    let uri = req.uri().to_string();
    let host = uri
        .split("://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_default()
        .to_string();
    let body = req
        .body()
        .bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let target = req
        .headers()
        .get("x-amz-target")
        .unwrap_or_default()
        .to_string();
    let (status, text, errortype) = if host.starts_with("sts.")
        && body.contains("Action=GetCallerIdentity")
    {
        (200, "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/scanner</Arn><UserId>AIDASCANNER</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>".to_string(), None)
    } else if host.starts_with("ec2.") {
        (403, "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r</RequestID></Response>".to_string(), None)
    } else if host.starts_with("iam.") || host.starts_with("sts.") {
        (
            403,
            query_error(
                "AccessDenied",
                "User: arn:aws:iam::111122223333:user/scanner is not authorized",
            ),
            None,
        )
    } else if !target.is_empty() {
        (
            400,
            "{\"__type\":\"AccessDeniedException\",\"message\":\"denied\"}".to_string(),
            None,
        )
    } else if host.starts_with("access-analyzer.") {
        (
            403,
            "{\"message\":\"denied\"}".to_string(),
            Some("AccessDeniedException"),
        )
    } else {
        (
            403,
            "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>".to_string(),
            None,
        )
    };
    let mut resp = Response::new(
        StatusCode::try_from(status).unwrap_or(StatusCode::try_from(500).unwrap()),
        SdkBody::from(text),
    );
    if let Some(t) = errortype {
        resp.headers_mut().insert("x-amzn-errortype", t);
    }
    resp
}

impl HttpConnector for DenyAll {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        self.sent.fetch_add(1, Ordering::SeqCst);
        HttpConnectorFuture::ready(Ok(deny(&request)))
    }
}

impl HttpClient for DenyAll {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

#[tokio::test]
async fn access_denied_on_every_section_is_recorded_and_collection_goes_on() {
    let fake = DenyAll::default();
    let clients = Clients::new(sdk_config(SharedHttpClient::new(fake.clone())), Vec::new());
    let collected = collect(&clients, &fast()).await.unwrap();
    let s = &collected.snapshot;
    assert_eq!(s.account_id, "111122223333");
    assert!(s.collected_at.is_some());
    let failed: BTreeSet<(&str, Option<&str>)> = s
        .collection_errors
        .iter()
        .map(|e| (e.operation.as_str(), e.region.as_deref()))
        .collect();
    let r = Some("us-east-1");
    for expected in [
        ("iam:GetAccountAuthorizationDetails", None),
        ("iam:GenerateCredentialReport", None),
        ("iam:GetAccountPasswordPolicy", None),
        ("iam:GetAccountSummary", None),
        ("iam:ListVirtualMFADevices", None),
        ("iam:ListServerCertificates", None),
        ("iam:ListSAMLProviders", None),
        ("iam:ListOpenIDConnectProviders", None),
        ("organizations:DescribeOrganization", None),
        ("s3:ListBuckets", None),
        ("s3control:GetPublicAccessBlock", None),
        ("ec2:DescribeRegions", r),
        ("ec2:DescribeSecurityGroups", r),
        ("ec2:DescribeInstances", r),
        ("ec2:DescribeVolumes", r),
        ("ec2:DescribeSnapshots", r),
        ("ec2:DescribeImages", r),
        ("ec2:GetEbsEncryptionByDefault", r),
        ("cloudtrail:DescribeTrails", r),
        ("kms:ListKeys", r),
        ("accessanalyzer:ListAnalyzers", r),
    ] {
        assert!(
            failed.contains(&expected),
            "{expected:?} not recorded: {failed:?}"
        );
    }
    for e in &s.collection_errors {
        assert!(!e.message.contains("read-only guard"), "{e:?}");
        assert!(!e.message.contains("not-a-secret"), "{e:?}");
    }
    let iam = s
        .collection_errors
        .iter()
        .find(|e| e.operation == "iam:GetAccountSummary")
        .unwrap();
    assert!(
        iam.message
            .starts_with("AccessDenied: User: arn:aws:iam::111122223333:user/scanner"),
        "{iam:?}"
    );
    // Nothing is absent by mistake: a denied section is unknown, not empty-and-fine.
    assert!(s.password_policy.is_none() && s.s3.is_none() && s.organizations.is_none());
    // Everything the collector called is on the allow-list, and what it called here were
    // the entry points of every section.
    for op in collected.calls.keys() {
        assert!(
            OPERATIONS
                .iter()
                .any(|o| label(o.sdk_service, o.name) == *op),
            "{op} called but not allowed"
        );
    }
    assert_eq!(
        fake.sent.load(Ordering::SeqCst) as u64,
        collected.calls.values().sum::<u64>()
    );
}

#[tokio::test]
async fn the_guard_refuses_writes_before_they_are_sent() {
    let fake = DenyAll::default();
    let clients = Clients::new(sdk_config(SharedHttpClient::new(fake.clone())), Vec::new());
    let e = clients
        .iam
        .create_user()
        .user_name("intruder")
        .send()
        .await
        .unwrap_err();
    let text = ctx::describe_error(&e);
    assert!(text.contains("read-only guard"), "{text}");
    assert!(text.contains("iam:CreateUser"), "{text}");
    let e = clients
        .s3("eu-west-1")
        .delete_bucket()
        .bucket("logs")
        .send()
        .await
        .unwrap_err();
    assert!(ctx::describe_error(&e).contains("s3:DeleteBucket"));
    let e = clients
        .ec2("us-east-1")
        .authorize_security_group_ingress()
        .group_id("sg-1")
        .send()
        .await
        .unwrap_err();
    assert!(ctx::describe_error(&e).contains("ec2:AuthorizeSecurityGroupIngress"));
    assert_eq!(
        fake.sent.load(Ordering::SeqCst),
        0,
        "a refused request reached the wire"
    );
    assert!(clients.guard.calls().is_empty());
    // A read passes the guard (and is then denied by the fake AWS).
    let e = clients.iam.get_account_summary().send().await.unwrap_err();
    assert!(ctx::describe_error(&e).starts_with("AccessDenied"));
    assert_eq!(fake.sent.load(Ordering::SeqCst), 1);
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `line` without its `//` comment (a `//` inside a string such as `https://` is kept when
/// it follows a `:`).
fn code_of(line: &str) -> &str {
    let mut from = 0;
    while let Some(i) = line[from..].find("//") {
        let at = from + i;
        if at > 0 && line.as_bytes()[at - 1] == b':' {
            from = at + 2;
            continue;
        }
        return &line[..at];
    }
    line
}

#[test]
fn every_sdk_call_goes_through_the_allow_list() {
    // The proof that the collector calls nothing but OPERATIONS, in two halves:
    // 1. Requests are sent only through `guard::Call` (`Ctx::call`, `call_about`, `pages`,
    //    `pages_about`, `raw`, or `Call::send`), which exists only for the fluent builders
    //    `allow!` lists: a call of any other operation does not compile. So no source file
    //    of the binary may send a request the SDK's own way (`.send()`, a paginator,
    //    `.customize()`), except `guard.rs`, where `allow!` wraps exactly those.
    // 2. Each `allow!` entry names the operation its builder sends (checked below), and
    //    `every_allowed_operation_reads_and_the_shipped_policy_grants_exactly_them` ties
    //    OPERATIONS to the shipped policy and template.
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 10, "{files:?}");
    let mut bypasses = Vec::new();
    let mut sdk_outside_collect = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(f).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = code_of(line);
            if code.contains("aws_sdk_") && !rel.starts_with("collect/") {
                sdk_outside_collect.push(format!("{rel}:{}: {}", n + 1, line.trim()));
            }
            if matches!(rel.as_str(), "collect/guard.rs" | "collect/tests.rs") {
                continue;
            }
            for token in [".send()", ".into_paginator()", ".customize()", "::send("] {
                if code.contains(token) && !code.contains("Call::send(") {
                    bypasses.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        bypasses.is_empty(),
        "SDK requests sent around guard::Call (use ctx.call/pages, or list the operation in \
         guard.rs's allow! first):\n{}",
        bypasses.join("\n")
    );
    assert!(
        sdk_outside_collect.is_empty(),
        "the AWS SDK outside cli/src/collect/:\n{}",
        sdk_outside_collect.join("\n")
    );
    // Each entry's operation is the one its builder sends: the builder's module is the
    // operation's name in snake case, and its crate is the service's.
    assert_eq!(guard::MODULES.len(), OPERATIONS.len());
    let service_of = |krate: &str| match krate {
        "aws_sdk_sts" => "STS",
        "aws_sdk_iam" => "IAM",
        "aws_sdk_organizations" => "Organizations",
        "aws_sdk_ec2" => "EC2",
        "aws_sdk_s3" => "S3",
        "aws_sdk_s3control" => "S3 Control",
        "aws_sdk_cloudtrail" => "CloudTrail",
        "aws_sdk_kms" => "KMS",
        "aws_sdk_accessanalyzer" => "AccessAnalyzer",
        other => panic!("no service name known for `{other}`"),
    };
    let mut seen = BTreeSet::new();
    for (o, (krate, module)) in OPERATIONS.iter().zip(guard::MODULES) {
        assert_eq!(
            o.sdk_service,
            service_of(krate),
            "{o:?} is built by {krate}"
        );
        assert_eq!(
            module.replace('_', ""),
            o.name.to_ascii_lowercase(),
            "{o:?} is built by {krate}::operation::{module}"
        );
        assert!(seen.insert((o.sdk_service, o.name)), "{o:?} listed twice");
    }
}

#[test]
fn every_allowed_operation_reads_and_the_shipped_policy_grants_exactly_them() {
    // Read-only by name: the Generate* report jobs and sts:AssumeRole are the only
    // non-Get/List/Describe operations.
    for o in OPERATIONS {
        assert!(
            ["Get", "List", "Describe"]
                .iter()
                .any(|p| o.name.starts_with(p))
                || matches!(
                    o.name,
                    "GenerateCredentialReport"
                        | "GenerateServiceLastAccessedDetails"
                        | "AssumeRole"
                ),
            "{o:?}"
        );
    }
    let needed: BTreeSet<&str> = OPERATIONS.iter().filter_map(|o| o.action).collect();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let policy: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("deploy/iamsight-readonly-policy.json")).unwrap(),
    )
    .unwrap();
    let mut granted = BTreeSet::new();
    for st in policy["Statement"].as_array().unwrap() {
        assert_eq!(st["Effect"], "Allow");
        assert_eq!(st["Resource"], "*");
        for a in st["Action"].as_array().unwrap() {
            granted.insert(a.as_str().unwrap().to_string());
        }
    }
    let granted: BTreeSet<&str> = granted.iter().map(String::as_str).collect();
    assert_eq!(
        needed, granted,
        "deploy/iamsight-readonly-policy.json is out of step"
    );
    // The policy parses as an IAM policy and every action is in the catalog.
    let text = std::fs::read_to_string(root.join("deploy/iamsight-readonly-policy.json")).unwrap();
    assert!(iam_model::policy::Policy::parse(&text).is_ok());
    let catalog = iam_model::catalog::Catalog::embedded();
    for a in &needed {
        assert!(
            catalog.action_id(a).is_some(),
            "`{a}` is not an action of the catalog"
        );
    }
    // The CloudFormation template carries the same list.
    let template = std::fs::read_to_string(root.join("deploy/iamsight-scanner-role.yaml")).unwrap();
    let in_template: BTreeSet<&str> = template
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("- "))
        .filter(|a| {
            a.contains(':')
                && !a.contains(' ')
                && a.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        })
        .collect();
    assert_eq!(
        needed, in_template,
        "deploy/iamsight-scanner-role.yaml is out of step"
    );
    assert!(template.contains("sts:ExternalId"));
}

#[test]
fn poll_delays_grow_with_jitter_up_to_the_cap() {
    let ctx = Ctx::new(&Settings {
        first_poll: Duration::from_millis(100),
        max_poll: Duration::from_secs(2),
        ..Settings::default()
    });
    for attempt in 0..40 {
        let base = Duration::from_millis(100)
            .saturating_mul(2u32.saturating_pow(attempt.min(20)))
            .min(Duration::from_secs(2));
        let d = ctx.poll_delay(attempt);
        assert!(
            d >= base / 2 && d <= base,
            "attempt {attempt}: {d:?} vs {base:?}"
        );
    }
    let spread: BTreeSet<Duration> = (0..20).map(|_| ctx.poll_delay(3)).collect();
    assert!(spread.len() > 1, "no jitter");
}

#[tokio::test]
async fn access_analyzer_lists_analyzers_and_the_active_findings_of_active_ones() {
    use aws_sdk_accessanalyzer::operation::get_finding_v2::GetFindingV2Output;
    use aws_sdk_accessanalyzer::operation::list_analyzers::ListAnalyzersOutput;
    use aws_sdk_accessanalyzer::operation::list_findings_v2::ListFindingsV2Output;
    use aws_sdk_accessanalyzer::types as aa;
    let analyzer = |name: &str, kind: aa::Type, status: aa::AnalyzerStatus| {
        aa::AnalyzerSummary::builder()
            .arn(format!(
                "arn:aws:access-analyzer:eu-west-1:111122223333:analyzer/{name}"
            ))
            .name(name)
            .r#type(kind)
            .status(status)
            .created_at(now())
            .build()
            .unwrap()
    };
    let list = mock!(aws_sdk_accessanalyzer::Client::list_analyzers).then_output(move || {
        ListAnalyzersOutput::builder()
            .analyzers(analyzer(
                "external",
                aa::Type::Account,
                aa::AnalyzerStatus::Active,
            ))
            .analyzers({
                let mut a = analyzer(
                    "unused",
                    aa::Type::AccountUnusedAccess,
                    aa::AnalyzerStatus::Active,
                );
                a.configuration = Some(aa::AnalyzerConfiguration::UnusedAccess(
                    aa::UnusedAccessConfiguration::builder()
                        .unused_access_age(90)
                        .build(),
                ));
                a
            })
            .analyzers(analyzer(
                "old",
                aa::Type::Account,
                aa::AnalyzerStatus::Disabled,
            ))
            .build()
            .unwrap()
    });
    let finding = |id: &str, kind: aa::FindingType| {
        aa::FindingSummaryV2::builder()
            .id(id)
            .resource("arn:aws:iam::111122223333:role/app")
            .resource_type(aa::ResourceType::AwsIamRole)
            .resource_owner_account("111122223333")
            .status(aa::FindingStatus::Active)
            .finding_type(kind)
            .analyzed_at(now())
            .created_at(now())
            .updated_at(now())
            .build()
            .unwrap()
    };
    let findings = mock!(aws_sdk_accessanalyzer::Client::list_findings_v2)
        .match_requests(|r| {
            r.filter()
                .and_then(|f| f.get("status"))
                .is_some_and(|c| c.eq() == ["ACTIVE"])
        })
        .then_compute_output(move |r| {
            let unused = r.analyzer_arn().is_some_and(|a| a.ends_with("/unused"));
            ListFindingsV2Output::builder()
                .findings(if unused {
                    finding("f-unused", aa::FindingType::UnusedIamRole)
                } else {
                    finding("f-external", aa::FindingType::ExternalAccess)
                })
                .build()
                .unwrap()
        });
    // GetFindingV2 in two pages: the details of both are merged.
    let details = mock!(aws_sdk_accessanalyzer::Client::get_finding_v2)
        .match_requests(|r| {
            r.id() == Some("f-unused") && r.analyzer_arn().is_some_and(|a| a.ends_with("/unused"))
        })
        .then_compute_output(|r| {
            let first = r.next_token().is_none();
            let detail = if first {
                aa::FindingDetails::UnusedPermissionDetails(
                    aa::UnusedPermissionDetails::builder()
                        .service_namespace("s3")
                        .actions(
                            aa::UnusedAction::builder()
                                .action("s3:PutBucketPolicy")
                                .last_accessed(DateTime::from_secs(1_780_000_000))
                                .build()
                                .unwrap(),
                        )
                        .build()
                        .unwrap(),
                )
            } else {
                aa::FindingDetails::UnusedPermissionDetails(
                    aa::UnusedPermissionDetails::builder()
                        .service_namespace("sqs")
                        .build()
                        .unwrap(),
                )
            };
            GetFindingV2Output::builder()
                .id("f-unused")
                .resource_type(aa::ResourceType::AwsIamRole)
                .resource_owner_account("111122223333")
                .status(aa::FindingStatus::Active)
                .analyzed_at(now())
                .created_at(now())
                .updated_at(now())
                .finding_details(detail)
                .set_next_token(first.then(|| "page-2".to_string()))
                .build()
                .unwrap()
        });
    let clients = mocked(&[&list, &findings, &details]);
    let ctx = Ctx::new(&fast());
    let s = regional::access_analyzer(&ctx, &clients, "eu-west-1")
        .await
        .unwrap();
    assert!(ctx.take_errors().is_empty());
    assert_eq!(s.analyzers.len(), 3);
    assert_eq!(s.analyzers[1].analyzer_type, "ACCOUNT_UNUSED_ACCESS");
    assert_eq!(s.analyzers[1].unused_access_age(), Some(90));
    assert_eq!(s.analyzers[0].unused_access_age(), None);
    assert_eq!(
        details.num_calls(),
        2,
        "both pages, and only for the unused finding"
    );
    let unused = s.findings.iter().find(|f| f.id == "f-unused").unwrap();
    assert!(unused.analyzer_arn.as_deref().unwrap().ends_with("/unused"));
    assert_eq!(unused.analyzed_at, Some(Timestamp(1_790_000_000)));
    let services: Vec<_> = unused
        .finding_details
        .iter()
        .filter_map(|d| d.unused_permission_details.as_ref())
        .map(|p| {
            (
                p.service_namespace.as_str(),
                p.actions
                    .iter()
                    .map(|a| (a.action.as_str(), a.last_accessed))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        services,
        [
            (
                "s3",
                vec![("s3:PutBucketPolicy", Some(Timestamp(1_780_000_000)))]
            ),
            ("sqs", vec![])
        ]
    );
    let external = s.findings.iter().find(|f| f.id == "f-external").unwrap();
    assert!(external.finding_details.is_empty());
    let mut kinds: Vec<_> = s
        .findings
        .iter()
        .map(|f| (f.id.as_str(), f.finding_type.as_deref().unwrap_or_default()))
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("f-external", "ExternalAccess"),
            ("f-unused", "UnusedIAMRole")
        ]
    );
    assert_eq!(findings.num_calls(), 2, "not for the disabled analyzer");
}

// ---------------------------------------------------------------------------------------
// Gaps in GetAccountAuthorizationDetails, per-bucket errors, the assume-role client.

fn role_detail(name: &str, last_used: bool, boundary: Option<&str>) -> t::RoleDetail {
    let mut b = t::RoleDetail::builder()
        .role_name(name)
        .role_id(format!("AROA{name}"))
        .arn(format!("arn:aws:iam::111122223333:role/{name}"))
        .path("/")
        .create_date(now())
        .assume_role_policy_document(TRUST_ENCODED);
    if last_used {
        b = b.role_last_used(t::RoleLastUsed::builder().build());
    }
    if let Some(arn) = boundary {
        b = b.permissions_boundary(
            t::AttachedPermissionsBoundary::builder()
                .permissions_boundary_type(t::PermissionsBoundaryAttachmentType::Policy)
                .permissions_boundary_arn(arn)
                .build(),
        );
    }
    b.build()
}

const BOUNDARY: &str = "arn:aws:iam::111122223333:policy/boundary";

fn boundary_policy(uses: i32) -> t::ManagedPolicyDetail {
    t::ManagedPolicyDetail::builder()
        .policy_name("boundary")
        .arn(BOUNDARY)
        .path("/")
        .attachment_count(0)
        .permissions_boundary_usage_count(uses)
        .build()
}

fn get_role_rule() -> Rule {
    mock!(aws_sdk_iam::Client::get_role).then_compute_output(|r| {
        let name = r.role_name().unwrap_or_default();
        aws_sdk_iam::operation::get_role::GetRoleOutput::builder()
            .role(
                t::Role::builder()
                    .path("/")
                    .role_name(name)
                    .role_id(format!("AROA{name}"))
                    .arn(format!("arn:aws:iam::111122223333:role/{name}"))
                    .create_date(now())
                    .role_last_used(
                        t::RoleLastUsed::builder()
                            .last_used_date(now())
                            .region("eu-west-1")
                            .build(),
                    )
                    .build()
                    .unwrap(),
            )
            .build()
    })
}

fn get_user_rule() -> Rule {
    mock!(aws_sdk_iam::Client::get_user).then_compute_output(|r| {
        let name = r.user_name().unwrap_or_default();
        let mut u = t::User::builder()
            .path("/")
            .user_name(name)
            .user_id(format!("AIDA{name}"))
            .arn(format!("arn:aws:iam::111122223333:user/{name}"))
            .create_date(now());
        if name == "bob" {
            u = u.permissions_boundary(
                t::AttachedPermissionsBoundary::builder()
                    .permissions_boundary_type(t::PermissionsBoundaryAttachmentType::Policy)
                    .permissions_boundary_arn(BOUNDARY)
                    .build(),
            );
        }
        aws_sdk_iam::operation::get_user::GetUserOutput::builder()
            .user(u.build().unwrap())
            .build()
    })
}

#[tokio::test]
async fn gaps_in_authorization_details_are_filled_with_one_call_per_gap() {
    // `quiet` has no RoleLastUsed; the boundary is used twice but only `bounded` names it:
    // one user's boundary is missing (bob's, GetUser says).
    let gaad = mock!(aws_sdk_iam::Client::get_account_authorization_details).then_output(|| {
        GetAccountAuthorizationDetailsOutput::builder()
            .user_detail_list(user("alice"))
            .user_detail_list(user("bob"))
            .role_detail_list(role_detail("bounded", true, Some(BOUNDARY)))
            .role_detail_list(role_detail("quiet", false, None))
            .role_detail_list(role_detail("plain", true, None))
            .policies(boundary_policy(2))
            .is_truncated(false)
            .build()
    });
    let (get_role, get_user) = (get_role_rule(), get_user_rule());
    let clients = mocked(&[&gaad, &get_role, &get_user]);
    let ctx = Ctx::new(&fast());
    let mut d = iam::authorization_details(&ctx, &clients).await;
    iam::gaps(&ctx, &clients, &d).await.fill(&mut d);
    assert!(ctx.take_errors().is_empty());
    let role = |n: &str| d.roles.iter().find(|r| r.role_name == n).unwrap();
    let quiet = role("quiet").role_last_used.clone().unwrap();
    assert_eq!(quiet.region.as_deref(), Some("eu-west-1"));
    assert_eq!(quiet.last_used_date, Some(Timestamp(now().secs())));
    // What GAAD said is kept: an empty RoleLastUsed is "not used", not a gap.
    assert_eq!(
        role("plain").role_last_used,
        Some(iam_model::snapshot::RoleLastUsed::default())
    );
    let boundary_of = |n: &str| {
        d.users
            .iter()
            .find(|u| u.user_name == n)
            .unwrap()
            .permissions_boundary
            .as_ref()
            .map(|b| b.permissions_boundary_arn.clone())
    };
    assert_eq!(boundary_of("bob").as_deref(), Some(BOUNDARY));
    assert_eq!(boundary_of("alice"), None);
    // One call per entity that may hold the missing boundary or lacks RoleLastUsed: the
    // roles without a boundary (quiet, plain) and both users; none for `bounded`.
    let calls = clients.guard.calls();
    assert_eq!(calls.get("iam:GetRole"), Some(&2), "{calls:?}");
    assert_eq!(calls.get("iam:GetUser"), Some(&2), "{calls:?}");
}

#[tokio::test]
async fn complete_authorization_details_need_no_per_entity_calls() {
    let gaad = mock!(aws_sdk_iam::Client::get_account_authorization_details).then_output(|| {
        GetAccountAuthorizationDetailsOutput::builder()
            .user_detail_list(user("alice"))
            .role_detail_list(role_detail("bounded", true, Some(BOUNDARY)))
            .role_detail_list(role_detail("plain", true, None))
            .policies(boundary_policy(1))
            .is_truncated(false)
            .build()
    });
    let (get_role, get_user) = (get_role_rule(), get_user_rule());
    let clients = mocked(&[&gaad, &get_role, &get_user]);
    let ctx = Ctx::new(&fast());
    let mut d = iam::authorization_details(&ctx, &clients).await;
    let before = format!("{:?}", d.roles);
    iam::gaps(&ctx, &clients, &d).await.fill(&mut d);
    assert_eq!(format!("{:?}", d.roles), before);
    assert_eq!((get_role.num_calls(), get_user.num_calls()), (0, 0));
}

#[tokio::test]
async fn a_failed_gap_fill_names_the_role_and_keeps_the_gap() {
    let gaad = mock!(aws_sdk_iam::Client::get_account_authorization_details).then_output(|| {
        GetAccountAuthorizationDetailsOutput::builder()
            .role_detail_list(role_detail("quiet", false, None))
            .is_truncated(false)
            .build()
    });
    let get_role = mock!(aws_sdk_iam::Client::get_role)
        .sequence()
        .http_status(403, Some(query_error("AccessDenied", "no iam:GetRole")))
        .repeatedly()
        .build();
    let clients = mocked(&[&gaad, &get_role]);
    let ctx = Ctx::new(&fast());
    let mut d = iam::authorization_details(&ctx, &clients).await;
    iam::gaps(&ctx, &clients, &d).await.fill(&mut d);
    assert!(d.roles[0].role_last_used.is_none(), "unknown stays unknown");
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].operation, "iam:GetRole");
    assert_eq!(
        errors[0].message,
        "role `quiet`: AccessDenied: no iam:GetRole"
    );
}

fn s3_denied() -> String {
    "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>".to_string()
}

#[tokio::test]
async fn per_bucket_failures_name_the_bucket_and_its_region() {
    use aws_sdk_s3::operation::list_buckets::ListBucketsOutput;
    use aws_sdk_s3::types as s3t;
    // `far` says where it lives; `nameless` does not, and GetBucketLocation is denied too, so
    // its calls go to the home region.
    let list = mock!(aws_sdk_s3::Client::list_buckets).then_output(|| {
        ListBucketsOutput::builder()
            .buckets(
                s3t::Bucket::builder()
                    .name("far")
                    .bucket_region("eu-west-1")
                    .build(),
            )
            .buckets(s3t::Bucket::builder().name("nameless").build())
            .build()
    });
    macro_rules! denied {
        ($op:path) => {
            mock!($op)
                .sequence()
                .http_status(403, Some(s3_denied()))
                .repeatedly()
                .build()
        };
    }
    let rules = [
        denied!(aws_sdk_s3::Client::get_bucket_location),
        denied!(aws_sdk_s3::Client::get_bucket_policy),
        denied!(aws_sdk_s3::Client::get_bucket_policy_status),
        denied!(aws_sdk_s3::Client::get_bucket_acl),
        denied!(aws_sdk_s3::Client::get_public_access_block),
        denied!(aws_sdk_s3::Client::get_bucket_encryption),
        denied!(aws_sdk_s3::Client::get_bucket_tagging),
    ];
    // S3 Control wraps its errors like the query protocols.
    let account_pab = mock!(aws_sdk_s3control::Client::get_public_access_block)
        .sequence()
        .http_status(403, Some(query_error("AccessDenied", "Access Denied")))
        .repeatedly()
        .build();
    let mut all: Vec<&Rule> = rules.iter().collect();
    all.push(&list);
    all.push(&account_pab);
    let clients = mocked(&all);
    let ctx = Ctx::new(&fast());
    let s3 = s3::collect(&ctx, &clients, "111122223333").await.unwrap();
    assert_eq!(s3.buckets.len(), 2);
    let errors = ctx.take_errors();
    let per_bucket: Vec<_> = errors
        .iter()
        .filter(|e| e.operation.starts_with("s3:"))
        .collect();
    // Six per bucket, and GetBucketLocation for the one that did not say.
    assert_eq!(per_bucket.len(), 13, "{errors:?}");
    for e in per_bucket {
        let (bucket, region) = if e.message.starts_with("bucket `far`: ") {
            ("far", "eu-west-1")
        } else {
            ("nameless", "us-east-1")
        };
        assert_eq!(
            e.message,
            format!("bucket `{bucket}`: AccessDenied: Access Denied"),
            "{e:?}"
        );
        assert_eq!(e.region.as_deref(), Some(region), "{e:?}");
    }
    assert!(
        errors
            .iter()
            .any(|e| e.operation == "s3:GetBucketLocation" && e.message.contains("`nameless`"))
    );
    // The account-level call is about no bucket.
    let account = errors
        .iter()
        .find(|e| e.operation == "s3control:GetPublicAccessBlock")
        .unwrap();
    assert_eq!(account.message, "AccessDenied: Access Denied");
}

#[tokio::test]
async fn assume_role_goes_through_the_guard() {
    // aws-config's own AssumeRoleProvider builds an STS client no interceptor of ours reaches;
    // `--role-arn` uses a guarded one instead: the call is seen (and counted) by the guard.
    let fake = DenyAll::default();
    let base = sdk_config(SharedHttpClient::new(fake.clone()));
    let guard = guard::ReadOnlyGuard::default();
    let sdk = clients::assume_role(
        base,
        "arn:aws:iam::111122223333:role/scanner",
        Some("ext"),
        &guard,
        &[],
    );
    let clients = Clients::with_guard(sdk, Vec::new(), guard);
    let e = collect(&clients, &fast()).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("sts:AssumeRole"), "{text}");
    assert!(text.contains("AccessDenied"), "{text}");
    assert!(!text.contains("not-a-secret"), "{text}");
    // The guard saw AssumeRole (and GetCallerIdentity, which then had no credentials to be
    // signed with): the one request that reached the wire is the guarded AssumeRole.
    let calls = clients.guard.calls();
    assert_eq!(calls.get("sts:AssumeRole"), Some(&1), "{calls:?}");
    assert_eq!(fake.sent.load(Ordering::SeqCst), 1);
}

// ---------------------------------------------------------------------------------------
// What could not be read stays unknown: never "private", never "no tags".

fn ec2_denied() -> String {
    "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r</RequestID></Response>".to_string()
}

#[tokio::test]
async fn an_unread_snapshot_attribute_is_unknown_named_and_not_judged() {
    use aws_sdk_ec2::operation::describe_snapshot_attribute::DescribeSnapshotAttributeOutput;
    use aws_sdk_ec2::operation::describe_snapshots::DescribeSnapshotsOutput;
    use aws_sdk_ec2::types as ec2t;
    let snapshots = mock!(aws_sdk_ec2::Client::describe_snapshots).then_output(|| {
        DescribeSnapshotsOutput::builder()
            .snapshots(ec2t::Snapshot::builder().snapshot_id("snap-shared").build())
            .snapshots(ec2t::Snapshot::builder().snapshot_id("snap-unread").build())
            .snapshots(
                ec2t::Snapshot::builder()
                    .snapshot_id("snap-private")
                    .build(),
            )
            .build()
    });
    let denied = mock!(aws_sdk_ec2::Client::describe_snapshot_attribute)
        .match_requests(|r| r.snapshot_id() == Some("snap-unread"))
        .sequence()
        .http_status(403, Some(ec2_denied()))
        .repeatedly()
        .build();
    let attribute =
        mock!(aws_sdk_ec2::Client::describe_snapshot_attribute).then_compute_output(|r| {
            let shared = r.snapshot_id() == Some("snap-shared");
            DescribeSnapshotAttributeOutput::builder()
                .snapshot_id(r.snapshot_id().unwrap_or_default())
                .set_create_volume_permissions(Some(if shared {
                    vec![
                        ec2t::CreateVolumePermission::builder()
                            .group(ec2t::PermissionGroup::All)
                            .build(),
                    ]
                } else {
                    Vec::new()
                }))
                .build()
        });
    // The other EC2 sections are denied (their gaps are not this test's subject).
    macro_rules! denied {
        ($op:path) => {
            mock!($op)
                .sequence()
                .http_status(403, Some(ec2_denied()))
                .repeatedly()
                .build()
        };
    }
    let others = [
        denied!(aws_sdk_ec2::Client::describe_security_groups),
        denied!(aws_sdk_ec2::Client::describe_instances),
        denied!(aws_sdk_ec2::Client::describe_volumes),
        denied!(aws_sdk_ec2::Client::describe_images),
        denied!(aws_sdk_ec2::Client::get_ebs_encryption_by_default),
    ];
    let mut rules: Vec<&Rule> = vec![&snapshots, &denied, &attribute];
    rules.extend(others.iter());
    let clients = mocked(&rules);
    let ctx = Ctx::new(&fast());
    let ec2 = regional::ec2(&ctx, &clients, "eu-west-1").await.unwrap();
    let public: Vec<(&str, Option<bool>)> = ec2
        .snapshots
        .iter()
        .map(|s| (s.snapshot_id.as_str(), s.public))
        .collect();
    assert_eq!(
        public,
        [
            ("snap-shared", Some(true)),
            ("snap-unread", None),
            ("snap-private", Some(false))
        ]
    );
    let errors: Vec<_> = ctx
        .take_errors()
        .into_iter()
        .filter(|e| e.operation == "ec2:DescribeSnapshotAttribute")
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].message,
        "snapshot `snap-unread`: UnauthorizedOperation: You are not authorized to perform this operation."
    );
    assert_eq!(errors[0].region.as_deref(), Some("eu-west-1"));
    // The scan flags the shared snapshot only, and shows the unread one as a coverage gap.
    let snapshot = Snapshot {
        format_version: FORMAT_VERSION,
        account_id: "111122223333".into(),
        partition: "aws".into(),
        collected_at: Some(Timestamp(now().secs())),
        collection_errors: errors.clone(),
        regions: [(
            "eu-west-1".to_string(),
            iam_model::snapshot::RegionSection {
                ec2: Some(ec2),
                ..Default::default()
            },
        )]
        .into(),
        ..Default::default()
    };
    let report = analyzer::analyze(
        &snapshot,
        &analyzer::config::Config::default(),
        &Default::default(),
    );
    let flagged: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.check == "public-ebs-snapshot")
        .map(|f| f.resource.as_str())
        .collect();
    assert_eq!(
        flagged,
        ["arn:aws:ec2:eu-west-1:111122223333:snapshot/snap-shared"]
    );
    assert!(
        report.coverage_gaps.iter().any(|g| {
            g.operation == "ec2:DescribeSnapshotAttribute" && g.message.contains("`snap-unread`")
        }),
        "{:?}",
        report.coverage_gaps
    );
}

#[tokio::test]
async fn unread_bucket_and_key_tags_are_unknown_not_empty() {
    use aws_sdk_kms::operation::describe_key::DescribeKeyOutput;
    use aws_sdk_kms::operation::list_keys::ListKeysOutput;
    use aws_sdk_kms::operation::list_resource_tags::ListResourceTagsOutput;
    use aws_sdk_kms::types as kt;
    use aws_sdk_s3::operation::list_buckets::ListBucketsOutput;
    use aws_sdk_s3::types as s3t;
    let buckets = mock!(aws_sdk_s3::Client::list_buckets).then_output(|| {
        ListBucketsOutput::builder()
            .buckets(
                s3t::Bucket::builder()
                    .name("untagged")
                    .bucket_region("us-east-1")
                    .build(),
            )
            .buckets(
                s3t::Bucket::builder()
                    .name("unread")
                    .bucket_region("us-east-1")
                    .build(),
            )
            .build()
    });
    let tagging_denied = mock!(aws_sdk_s3::Client::get_bucket_tagging)
        .match_requests(|r| r.bucket() == Some("unread"))
        .sequence()
        .http_status(403, Some(s3_denied()))
        .repeatedly()
        .build();
    let no_tag_set = mock!(aws_sdk_s3::Client::get_bucket_tagging)
        .sequence()
        .http_status(
            404,
            Some("<Error><Code>NoSuchTagSet</Code><Message>The TagSet does not exist</Message></Error>".to_string()),
        )
        .repeatedly()
        .build();
    let keys = mock!(aws_sdk_kms::Client::list_keys).then_output(|| {
        ListKeysOutput::builder()
            .keys(kt::KeyListEntry::builder().key_id("k-tagged").build())
            .keys(kt::KeyListEntry::builder().key_id("k-unread").build())
            .build()
    });
    let describe = mock!(aws_sdk_kms::Client::describe_key).then_compute_output(|r| {
        let id = r.key_id().unwrap_or_default();
        DescribeKeyOutput::builder()
            .key_metadata(
                kt::KeyMetadata::builder()
                    .key_id(id)
                    .arn(format!("arn:aws:kms:us-east-1:111122223333:key/{id}"))
                    .key_manager(kt::KeyManagerType::Customer)
                    .build()
                    .unwrap(),
            )
            .build()
    });
    let tags_denied = mock!(aws_sdk_kms::Client::list_resource_tags)
        .match_requests(|r| r.key_id() == Some("k-unread"))
        .sequence()
        .http_status(
            400,
            Some("{\"__type\":\"AccessDeniedException\",\"message\":\"denied\"}".to_string()),
        )
        .repeatedly()
        .build();
    let tags = mock!(aws_sdk_kms::Client::list_resource_tags).then_output(|| {
        ListResourceTagsOutput::builder()
            .tags(
                kt::Tag::builder()
                    .tag_key("owner")
                    .tag_value("sec")
                    .build()
                    .unwrap(),
            )
            .build()
    });
    // Everything else answers "not configured".
    let s3_absent = |code: &str| {
        Some(format!(
            "<Error><Code>{code}</Code><Message>not configured</Message></Error>"
        ))
    };
    macro_rules! absent {
        ($op:path, $code:expr) => {
            mock!($op)
                .sequence()
                .http_status(404, s3_absent($code))
                .repeatedly()
                .build()
        };
    }
    let others = [
        absent!(aws_sdk_s3::Client::get_bucket_policy, "NoSuchBucketPolicy"),
        absent!(
            aws_sdk_s3::Client::get_bucket_policy_status,
            "NoSuchBucketPolicy"
        ),
        absent!(
            aws_sdk_s3::Client::get_public_access_block,
            "NoSuchPublicAccessBlockConfiguration"
        ),
        absent!(
            aws_sdk_s3::Client::get_bucket_encryption,
            "ServerSideEncryptionConfigurationNotFoundError"
        ),
        mock!(aws_sdk_s3::Client::get_bucket_acl).then_output(|| {
            aws_sdk_s3::operation::get_bucket_acl::GetBucketAclOutput::builder().build()
        }),
        mock!(aws_sdk_s3control::Client::get_public_access_block)
            .sequence()
            .http_status(
                404,
                Some(query_error(
                    "NoSuchPublicAccessBlockConfiguration",
                    "not configured",
                )),
            )
            .repeatedly()
            .build(),
        mock!(aws_sdk_kms::Client::get_key_rotation_status).then_output(|| {
            aws_sdk_kms::operation::get_key_rotation_status::GetKeyRotationStatusOutput::builder()
                .key_rotation_enabled(true)
                .build()
        }),
        mock!(aws_sdk_kms::Client::get_key_policy).then_output(|| {
            aws_sdk_kms::operation::get_key_policy::GetKeyPolicyOutput::builder()
                .policy("{\"Version\":\"2012-10-17\",\"Statement\":[]}")
                .build()
        }),
    ];
    let mut rules: Vec<&Rule> = vec![
        &buckets,
        &tagging_denied,
        &no_tag_set,
        &keys,
        &describe,
        &tags_denied,
        &tags,
    ];
    rules.extend(others.iter());
    let clients = mocked(&rules);
    let ctx = Ctx::new(&fast());
    let s3 = s3::collect(&ctx, &clients, "111122223333").await.unwrap();
    let kms = regional::kms(&ctx, &clients, "us-east-1").await.unwrap();
    let bucket_tags: Vec<(&str, Option<usize>)> = s3
        .buckets
        .iter()
        .map(|b| (b.name.as_str(), b.tags.as_ref().map(Vec::len)))
        .collect();
    assert_eq!(bucket_tags, [("untagged", Some(0)), ("unread", None)]);
    let key_tags: Vec<(&str, Option<Vec<&str>>)> = kms
        .keys
        .iter()
        .map(|k| {
            (
                k.key_metadata.key_id.as_str(),
                k.tags
                    .as_ref()
                    .map(|t| t.iter().map(|t| t.tag_key.as_str()).collect()),
            )
        })
        .collect();
    assert_eq!(
        key_tags,
        [("k-tagged", Some(vec!["owner"])), ("k-unread", None)]
    );
    let errors = ctx.take_errors();
    let named = |op: &str| -> Vec<String> {
        errors
            .iter()
            .filter(|e| e.operation == op)
            .map(|e| e.message.clone())
            .collect()
    };
    assert_eq!(
        named("s3:GetBucketTagging"),
        ["bucket `unread`: AccessDenied: Access Denied"]
    );
    assert_eq!(
        named("kms:ListResourceTags"),
        ["key `k-unread`: AccessDeniedException: denied"]
    );
    // Ownership tags: the untagged bucket lacks `owner`; the unread bucket and key are not
    // judged.
    let snapshot = Snapshot {
        format_version: FORMAT_VERSION,
        account_id: "111122223333".into(),
        partition: "aws".into(),
        collected_at: Some(Timestamp(now().secs())),
        collection_errors: errors.clone(),
        s3: Some(s3),
        regions: [(
            "us-east-1".to_string(),
            iam_model::snapshot::RegionSection {
                kms: Some(kms),
                ..Default::default()
            },
        )]
        .into(),
        ..Default::default()
    };
    let config: analyzer::config::Config =
        toml::from_str("[required_tags]\n\"*\" = [\"owner\"]\n").unwrap();
    let report = analyzer::analyze(&snapshot, &config, &Default::default());
    let flagged: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.check == "resource-missing-required-tags")
        .map(|f| f.resource.as_str())
        .collect();
    assert_eq!(flagged, ["arn:aws:s3:::untagged"]);
}

// ---------------------------------------------------------------------------------------
// Tags of the IAM resources the list calls carry none for.

fn tag(key: &str, value: &str) -> t::Tag {
    t::Tag::builder().key(key).value(value).build().unwrap()
}

/// Tags as `(key, value)` pairs; `None` for unknown tags.
type Pairs<'a> = Option<Vec<(&'a str, &'a str)>>;

fn pairs(tags: Option<&[iam_model::snapshot::Tag]>) -> Pairs<'_> {
    tags.map(|t| {
        t.iter()
            .map(|t| (t.key.as_str(), t.value.as_str()))
            .collect()
    })
}

#[tokio::test]
async fn saml_certificate_and_mfa_device_tags_are_read_page_by_page() {
    use aws_sdk_iam::operation::list_mfa_device_tags::ListMfaDeviceTagsOutput;
    use aws_sdk_iam::operation::list_saml_provider_tags::ListSamlProviderTagsOutput;
    use aws_sdk_iam::operation::list_saml_providers::ListSamlProvidersOutput;
    use aws_sdk_iam::operation::list_server_certificate_tags::ListServerCertificateTagsOutput;
    use aws_sdk_iam::operation::list_server_certificates::ListServerCertificatesOutput;
    use aws_sdk_iam::operation::list_virtual_mfa_devices::ListVirtualMfaDevicesOutput;
    const OKTA: &str = "arn:aws:iam::111122223333:saml-provider/okta";
    const ADFS: &str = "arn:aws:iam::111122223333:saml-provider/adfs";
    let saml = mock!(aws_sdk_iam::Client::list_saml_providers).then_output(|| {
        ListSamlProvidersOutput::builder()
            .saml_provider_list(t::SamlProviderListEntry::builder().arn(OKTA).build())
            .saml_provider_list(t::SamlProviderListEntry::builder().arn(ADFS).build())
            .build()
    });
    // okta's tags come in two pages; adfs's cannot be read.
    let okta_1 = mock!(aws_sdk_iam::Client::list_saml_provider_tags)
        .match_requests(|r| r.saml_provider_arn() == Some(OKTA) && r.marker().is_none())
        .then_output(|| {
            ListSamlProviderTagsOutput::builder()
                .tags(tag("owner", "identity"))
                .is_truncated(true)
                .marker("m2")
                .build()
                .unwrap()
        });
    let okta_2 = mock!(aws_sdk_iam::Client::list_saml_provider_tags)
        .match_requests(|r| r.saml_provider_arn() == Some(OKTA) && r.marker() == Some("m2"))
        .then_output(|| {
            ListSamlProviderTagsOutput::builder()
                .tags(tag("env", "prod"))
                .is_truncated(false)
                .build()
                .unwrap()
        });
    let adfs = mock!(aws_sdk_iam::Client::list_saml_provider_tags)
        .match_requests(|r| r.saml_provider_arn() == Some(ADFS))
        .sequence()
        .http_status(
            403,
            Some(query_error("AccessDenied", "no iam:ListSAMLProviderTags")),
        )
        .repeatedly()
        .build();
    let certs = mock!(aws_sdk_iam::Client::list_server_certificates).then_output(|| {
        ListServerCertificatesOutput::builder()
            .server_certificate_metadata_list(
                t::ServerCertificateMetadata::builder()
                    .path("/")
                    .server_certificate_name("web")
                    .server_certificate_id("ASCAWEB")
                    .arn("arn:aws:iam::111122223333:server-certificate/web")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    });
    let cert_tags = mock!(aws_sdk_iam::Client::list_server_certificate_tags)
        .match_requests(|r| r.server_certificate_name() == Some("web"))
        .then_output(|| {
            ListServerCertificateTagsOutput::builder()
                .set_tags(Some(Vec::new()))
                .build()
                .unwrap()
        });
    let devices = mock!(aws_sdk_iam::Client::list_virtual_mfa_devices).then_output(|| {
        ListVirtualMfaDevicesOutput::builder()
            .virtual_mfa_devices(
                t::VirtualMfaDevice::builder()
                    .serial_number("arn:aws:iam::111122223333:mfa/alice")
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap()
    });
    let device_tags = mock!(aws_sdk_iam::Client::list_mfa_device_tags)
        .match_requests(|r| r.serial_number() == Some("arn:aws:iam::111122223333:mfa/alice"))
        .then_output(|| {
            ListMfaDeviceTagsOutput::builder()
                .tags(tag("owner", "sec"))
                .build()
                .unwrap()
        });
    let clients = mocked(&[
        &saml,
        &okta_1,
        &okta_2,
        &adfs,
        &certs,
        &cert_tags,
        &devices,
        &device_tags,
    ]);
    let ctx = Ctx::new(&fast());
    let (saml, certs, devices) = tokio::join!(
        iam::saml_providers(&ctx, &clients),
        iam::server_certificates(&ctx, &clients),
        iam::virtual_mfa_devices(&ctx, &clients),
    );
    assert_eq!(
        saml.iter()
            .map(|p| (p.arn.as_str(), pairs(p.tags.as_deref())))
            .collect::<Vec<_>>(),
        [
            (OKTA, Some(vec![("owner", "identity"), ("env", "prod")])),
            (ADFS, None)
        ]
    );
    // Read, and none: known to have no tags.
    assert_eq!(pairs(certs[0].tags.as_deref()), Some(vec![]));
    assert_eq!(
        pairs(devices[0].tags.as_deref()),
        Some(vec![("owner", "sec")])
    );
    let errors = ctx.take_errors();
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.operation.as_str(), e.message.as_str()))
            .collect::<Vec<_>>(),
        [(
            "iam:ListSAMLProviderTags",
            "provider `arn:aws:iam::111122223333:saml-provider/adfs`: AccessDenied: no iam:ListSAMLProviderTags"
        )]
    );
    let calls = clients.guard.calls();
    assert_eq!(calls["iam:ListSAMLProviderTags"], 3, "two pages and adfs");
    assert_eq!(calls["iam:ListServerCertificateTags"], 1);
    assert_eq!(calls["iam:ListMFADeviceTags"], 1);
}

#[tokio::test]
async fn instance_profile_tags_come_from_gaad_or_one_get_instance_profile_each() {
    use aws_sdk_iam::operation::get_instance_profile::GetInstanceProfileOutput;
    let profile = |name: &str, tags: Option<Vec<t::Tag>>| {
        t::InstanceProfile::builder()
            .path("/")
            .instance_profile_name(name)
            .instance_profile_id(format!("AIPA{name}"))
            .arn(format!("arn:aws:iam::111122223333:instance-profile/{name}"))
            .create_date(now())
            .set_roles(Some(Vec::new()))
            .set_tags(tags)
            .build()
            .unwrap()
    };
    let with_profile = |role: &str, p: t::InstanceProfile| {
        let mut r = role_detail(role, true, None);
        r.instance_profile_list = Some(vec![p]);
        r
    };
    let gaad =
        mock!(aws_sdk_iam::Client::get_account_authorization_details).then_output(move || {
            GetAccountAuthorizationDetailsOutput::builder()
                .role_detail_list(with_profile(
                    "web",
                    profile("web", Some(vec![tag("owner", "web")])),
                ))
                .role_detail_list(with_profile("batch", profile("batch", None)))
                .role_detail_list(with_profile("gone", profile("gone", None)))
                .is_truncated(false)
                .build()
        });
    let get = mock!(aws_sdk_iam::Client::get_instance_profile)
        .match_requests(|r| r.instance_profile_name() == Some("batch"))
        .then_output(move || {
            GetInstanceProfileOutput::builder()
                .instance_profile(profile("batch", Some(vec![tag("owner", "data")])))
                .build()
        });
    let denied = mock!(aws_sdk_iam::Client::get_instance_profile)
        .match_requests(|r| r.instance_profile_name() == Some("gone"))
        .sequence()
        .http_status(
            403,
            Some(query_error("AccessDenied", "no iam:GetInstanceProfile")),
        )
        .repeatedly()
        .build();
    let clients = mocked(&[&gaad, &get, &denied]);
    let ctx = Ctx::new(&fast());
    let mut d = iam::authorization_details(&ctx, &clients).await;
    let tags = iam::instance_profile_tags(&ctx, &clients, &d).await;
    iam::fill_instance_profile_tags(&mut d, &tags);
    let on_roles: Vec<(&str, Pairs<'_>)> = d
        .roles
        .iter()
        .map(|r| {
            let p = &r.instance_profile_list[0];
            (p.instance_profile_name.as_str(), pairs(p.tags.as_deref()))
        })
        .collect();
    assert_eq!(
        on_roles,
        [
            ("web", Some(vec![("owner", "web")])),
            ("batch", Some(vec![("owner", "data")])),
            ("gone", None)
        ]
    );
    let found: Vec<(&str, Vec<(&str, &str)>)> = tags
        .iter()
        .map(|(arn, t)| {
            (
                arn.as_str(),
                t.iter()
                    .map(|t| (t.key.as_str(), t.value.as_str()))
                    .collect(),
            )
        })
        .collect();
    // Only the profile GAAD had no tags for and whose call worked.
    assert_eq!(
        found,
        [(
            "arn:aws:iam::111122223333:instance-profile/batch",
            vec![("owner", "data")]
        )]
    );
    let web = &d.roles[0].instance_profile_list[0];
    assert_eq!(pairs(web.tags.as_deref()), Some(vec![("owner", "web")]));
    assert_eq!(clients.guard.calls()["iam:GetInstanceProfile"], 2);
    let errors = ctx.take_errors();
    assert_eq!(
        errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>(),
        ["instance profile `gone`: AccessDenied: no iam:GetInstanceProfile"]
    );
}

// ---------------------------------------------------------------------------------------
// A multi-region trail whose home region is not scanned.

fn trail(name: &str, home: &str, multi: bool) -> iam_model::snapshot::Trail {
    iam_model::snapshot::Trail {
        name: name.to_string(),
        trail_arn: format!("arn:aws:cloudtrail:{home}:111122223333:trail/{name}"),
        home_region: Some(home.to_string()),
        is_multi_region_trail: multi,
        is_organization_trail: false,
        include_global_service_events: true,
        log_file_validation_enabled: true,
        kms_key_id: None,
        s3_bucket_name: Some("trail-logs".to_string()),
        cloud_watch_logs_log_group_arn: None,
        tags: None,
    }
}

#[tokio::test]
async fn a_trail_homed_outside_the_scanned_regions_is_read_in_its_home_region() {
    use aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput;
    use aws_sdk_cloudtrail::operation::list_tags::ListTagsOutput;
    use aws_sdk_cloudtrail::types as ct;
    use iam_model::snapshot::{CloudTrailSection, RegionSection};
    const WIDE: &str = "arn:aws:cloudtrail:us-west-2:111122223333:trail/wide";
    const DENIED: &str = "arn:aws:cloudtrail:ap-south-1:111122223333:trail/far";
    // us-east-1 and eu-west-1 were scanned; both list `wide` (homed in us-west-2, which was
    // not) and `far` (homed in ap-south-1, where GetTrailStatus is denied).
    let section = |local: Option<iam_model::snapshot::Trail>| RegionSection {
        cloudtrail: Some(CloudTrailSection {
            trails: local
                .into_iter()
                .chain([
                    trail("wide", "us-west-2", true),
                    trail("far", "ap-south-1", true),
                ])
                .collect(),
            trail_status: Default::default(),
        }),
        ..Default::default()
    };
    let mut regions: BTreeMap<String, RegionSection> = [
        (
            "us-east-1".to_string(),
            section(Some(trail("local", "us-east-1", false))),
        ),
        ("eu-west-1".to_string(), section(None)),
    ]
    .into();
    let status = mock!(aws_sdk_cloudtrail::Client::get_trail_status)
        .match_requests(|r| r.name() == Some(WIDE))
        .then_output(|| GetTrailStatusOutput::builder().is_logging(true).build());
    let denied = mock!(aws_sdk_cloudtrail::Client::get_trail_status)
        .match_requests(|r| r.name() == Some(DENIED))
        .sequence()
        .http_status(
            400,
            Some("{\"__type\":\"AccessDeniedException\",\"message\":\"denied\"}".to_string()),
        )
        .repeatedly()
        .build();
    let tags = mock!(aws_sdk_cloudtrail::Client::list_tags).then_compute_output(|r| {
        ListTagsOutput::builder()
            .set_resource_tag_list(Some(
                r.resource_id_list()
                    .iter()
                    .map(|id| {
                        ct::ResourceTag::builder()
                            .resource_id(id)
                            .tags_list(
                                ct::Tag::builder()
                                    .key("owner")
                                    .value("sec")
                                    .build()
                                    .unwrap(),
                            )
                            .build()
                    })
                    .collect(),
            ))
            .build()
    });
    let slow = Slow::new(Duration::ZERO);
    let clients = mocked_through(slow.client(), &[&status, &denied, &tags]);
    let ctx = Ctx::new(&fast());
    regional::foreign_trails(&ctx, &clients, &mut regions).await;
    // Every copy has the home region's status and tags; the local trail is not touched.
    for (name, r) in &regions {
        let ct = r.cloudtrail.as_ref().unwrap();
        assert_eq!(
            ct.trail_status.get(WIDE).map(|s| s.is_logging),
            Some(true),
            "{name}"
        );
        assert!(!ct.trail_status.contains_key(DENIED), "{name}: unknown");
        for t in &ct.trails {
            let want = if t.name == "local" {
                None
            } else {
                Some(vec![("owner", "sec")])
            };
            assert_eq!(pairs(t.tags.as_deref()), want, "{name}: {}", t.name);
        }
    }
    // Read in the home regions, once per trail (not once per copy).
    let mut seen = slow.seen();
    seen.sort();
    assert_eq!(
        seen,
        [
            "cloudtrail.ap-south-1.amazonaws.com CloudTrail_20131101.GetTrailStatus",
            "cloudtrail.ap-south-1.amazonaws.com CloudTrail_20131101.ListTags",
            "cloudtrail.us-west-2.amazonaws.com CloudTrail_20131101.GetTrailStatus",
            "cloudtrail.us-west-2.amazonaws.com CloudTrail_20131101.ListTags",
        ]
    );
    let errors = ctx.take_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].operation, "cloudtrail:GetTrailStatus");
    assert_eq!(errors[0].region.as_deref(), Some("ap-south-1"));
    assert_eq!(
        errors[0].message,
        format!("trail `{DENIED}`: AccessDeniedException: denied")
    );
}
