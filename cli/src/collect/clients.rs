//! The SDK clients: configuration from the standard chain, one guarded client per service
//! (and per region for the regional ones), and `--role-arn` assumed through a guarded STS
//! client.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_smithy_runtime_api::client::interceptors::SharedInterceptor;
use aws_smithy_types::retry::RetryConfig;

use super::Settings;
use super::guard::ReadOnlyGuard;

/// Region for global services when none is configured.
const DEFAULT_REGION: &str = "us-east-1";

/// Every client the collector uses, all carrying the read-only guard.
#[derive(Clone, Debug)]
pub struct Clients {
    /// The loaded configuration (credentials, region, endpoint, retry).
    pub sdk: SdkConfig,
    /// The guard shared by every client (and its call counts).
    pub guard: ReadOnlyGuard,
    /// Further interceptors for every client (tests plug mocks in here).
    pub extra: Vec<SharedInterceptor>,
    /// The home region: global services and DescribeRegions are called here.
    pub home_region: String,
    /// STS.
    pub sts: aws_sdk_sts::Client,
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// Organizations.
    pub organizations: aws_sdk_organizations::Client,
}

impl Clients {
    /// Loads the standard chain (env vars, profiles, SSO, `AWS_ENDPOINT_URL`, IMDS), then
    /// assumes `--role-arn` when asked.
    pub async fn from_environment(settings: &Settings) -> Clients {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
        if let Some(p) = &settings.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = settings.regions.first() {
            loader = loader.region(Region::new(r.clone()));
        }
        let mut sdk = without_empty_endpoint(loader.load().await);
        if sdk.region().is_none() {
            sdk = sdk
                .into_builder()
                .region(Region::new(DEFAULT_REGION))
                .build();
        }
        // Adaptive retries (client-side rate limiting on throttling) unless the user chose a
        // mode; 5 attempts rather than the SDK's default 3 unless the user chose a number.
        if std::env::var_os("AWS_RETRY_MODE").is_none() {
            let loaded = sdk
                .retry_config()
                .cloned()
                .unwrap_or_else(RetryConfig::standard);
            let attempts = if std::env::var_os("AWS_MAX_ATTEMPTS").is_some() {
                loaded.max_attempts()
            } else {
                loaded.max_attempts().max(5)
            };
            let rc = RetryConfig::adaptive().with_max_attempts(attempts);
            sdk = sdk.into_builder().retry_config(rc).build();
        }
        let guard = ReadOnlyGuard::default();
        if let Some(arn) = &settings.role_arn {
            sdk = assume_role(sdk, arn, settings.external_id.as_deref(), &guard, &[]);
        }
        Clients::with_guard(sdk, Vec::new(), guard)
    }

    /// Builds the clients from a loaded configuration; `extra` interceptors are added to every
    /// client after the guard.
    #[cfg(test)]
    pub fn new(sdk: SdkConfig, extra: Vec<SharedInterceptor>) -> Clients {
        Clients::with_guard(sdk, extra, ReadOnlyGuard::default())
    }

    /// [`Clients::new`] with a given guard (one already on the assume-role client).
    pub fn with_guard(
        sdk: SdkConfig,
        extra: Vec<SharedInterceptor>,
        guard: ReadOnlyGuard,
    ) -> Clients {
        let home_region = sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| DEFAULT_REGION.to_string());
        let mut c = Clients {
            sts: aws_sdk_sts::Client::new(&sdk),
            iam: aws_sdk_iam::Client::new(&sdk),
            organizations: aws_sdk_organizations::Client::new(&sdk),
            sdk,
            guard,
            extra,
            home_region,
        };
        c.sts = c.sts();
        c.iam = c.iam();
        c.organizations = c.organizations();
        c
    }

    fn interceptors(&self) -> Vec<SharedInterceptor> {
        let mut v = vec![SharedInterceptor::new(self.guard.clone())];
        v.extend(self.extra.iter().cloned());
        v
    }

    fn sts(&self) -> aws_sdk_sts::Client {
        let mut b = aws_sdk_sts::config::Builder::from(&self.sdk);
        for i in self.interceptors() {
            b.push_interceptor(i);
        }
        aws_sdk_sts::Client::from_conf(b.build())
    }

    fn iam(&self) -> aws_sdk_iam::Client {
        let mut b = aws_sdk_iam::config::Builder::from(&self.sdk);
        for i in self.interceptors() {
            b.push_interceptor(i);
        }
        aws_sdk_iam::Client::from_conf(b.build())
    }

    fn organizations(&self) -> aws_sdk_organizations::Client {
        // Organizations is global, served from us-east-1 in the commercial partition.
        let mut b = aws_sdk_organizations::config::Builder::from(&self.sdk);
        for i in self.interceptors() {
            b.push_interceptor(i);
        }
        aws_sdk_organizations::Client::from_conf(b.build())
    }

    /// EC2 in `region`.
    pub fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let mut b =
            aws_sdk_ec2::config::Builder::from(&self.sdk).region(Region::new(region.to_string()));
        for i in self.interceptors() {
            b.push_interceptor(i);
        }
        aws_sdk_ec2::Client::from_conf(b.build())
    }

    /// CloudTrail in `region`.
    pub fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        let mut b = aws_sdk_cloudtrail::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_string()));
        for i in self.interceptors() {
            b.push_interceptor(i);
        }
        aws_sdk_cloudtrail::Client::from_conf(b.build())
    }

    /// KMS in `region`.
    pub fn kms(&self, region: &str) -> aws_sdk_kms::Client {
        let mut b =
            aws_sdk_kms::config::Builder::from(&self.sdk).region(Region::new(region.to_string()));
        for i in self.interceptors() {
            b.push_interceptor(i);
        }
        aws_sdk_kms::Client::from_conf(b.build())
    }

    /// Access Analyzer in `region`.
    pub fn access_analyzer(&self, region: &str) -> aws_sdk_accessanalyzer::Client {
        let mut b = aws_sdk_accessanalyzer::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_string()));
        for i in self.interceptors() {
            b.push_interceptor(i);
        }
        aws_sdk_accessanalyzer::Client::from_conf(b.build())
    }

    /// S3 in `region`. Path-style addressing when a custom endpoint is configured (an emulator
    /// on 127.0.0.1 has no per-bucket host names).
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let mut b = aws_sdk_s3::config::Builder::from(&self.sdk)
            .region(Region::new(region.to_string()))
            .force_path_style(self.sdk.endpoint_url().is_some());
        for i in self.interceptors() {
            b.push_interceptor(i);
        }
        aws_sdk_s3::Client::from_conf(b.build())
    }

    /// S3 Control in the home region. With a custom endpoint, requests go to that endpoint
    /// as given: the account-id host prefix of the real service cannot resolve on an emulator.
    pub fn s3control(&self) -> aws_sdk_s3control::Client {
        let mut b = aws_sdk_s3control::config::Builder::from(&self.sdk)
            .region(Region::new(self.home_region.clone()));
        if let Some(url) = self.sdk.endpoint_url() {
            b = b.endpoint_resolver(FixedEndpoint(url.to_string()));
        }
        for i in self.interceptors() {
            b.push_interceptor(i);
        }
        aws_sdk_s3control::Client::from_conf(b.build())
    }
}

/// `sdk` without an endpoint URL when the one configured is empty (`AWS_ENDPOINT_URL=`, as a
/// shell or CI template leaves it): the SDK would panic on it; the AWS CLI takes it as unset.
fn without_empty_endpoint(sdk: SdkConfig) -> SdkConfig {
    if sdk.endpoint_url().is_some_and(|u| u.trim().is_empty()) {
        let mut b = sdk.into_builder();
        b.set_endpoint_url(None);
        b.build()
    } else {
        sdk
    }
}

/// `sdk` with credentials that come from assuming `role_arn` with `sdk`'s credentials.
///
/// Not aws-config's `AssumeRoleProvider`: that builds its own STS client, which no interceptor
/// of ours can reach. Here `sts:AssumeRole` goes through an STS client that carries `guard`
/// (and `extra`), so it is checked and counted like every other call. The SDK's identity cache
/// keeps the credentials until shortly before they expire, then this asks again.
pub fn assume_role(
    sdk: SdkConfig,
    role_arn: &str,
    external_id: Option<&str>,
    guard: &ReadOnlyGuard,
    extra: &[SharedInterceptor],
) -> SdkConfig {
    let mut b = aws_sdk_sts::config::Builder::from(&sdk);
    b.push_interceptor(SharedInterceptor::new(guard.clone()));
    for i in extra {
        b.push_interceptor(i.clone());
    }
    let provider = AssumedRole {
        sts: aws_sdk_sts::Client::from_conf(b.build()),
        role_arn: role_arn.to_string(),
        external_id: external_id.map(str::to_string),
    };
    sdk.into_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build()
}

/// Credentials of an assumed role, through a guarded STS client.
#[derive(Debug)]
struct AssumedRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    external_id: Option<String>,
}

impl AssumedRole {
    async fn assume(&self) -> aws_credential_types::provider::Result {
        use aws_credential_types::provider::error::CredentialsError;
        let request = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .set_external_id(self.external_id.clone())
            .role_session_name("iamsight");
        let out = super::guard::Call::send(request).await.map_err(|e| {
            CredentialsError::provider_error(format!(
                "sts:AssumeRole `{}`: {}",
                self.role_arn,
                super::ctx::describe_error(&e)
            ))
        })?;
        let c = out.credentials().ok_or_else(|| {
            CredentialsError::unhandled("sts:AssumeRole answered without credentials")
        })?;
        let expiry = std::time::SystemTime::try_from(*c.expiration()).ok();
        Ok(aws_credential_types::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "iamsight-assume-role",
        ))
    }
}

impl aws_credential_types::provider::ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::new(self.assume())
    }
}

/// An S3 Control endpoint resolver that always answers one URL.
#[derive(Debug)]
struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_smithy_types::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_endpoint_url_is_no_endpoint_url() {
        let empty = SdkConfig::builder().endpoint_url("").build();
        assert_eq!(without_empty_endpoint(empty).endpoint_url(), None);
        let set = SdkConfig::builder()
            .endpoint_url("http://127.0.0.1:5000")
            .build();
        assert_eq!(
            without_empty_endpoint(set).endpoint_url(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(
            without_empty_endpoint(SdkConfig::builder().build()).endpoint_url(),
            None
        );
    }
}
