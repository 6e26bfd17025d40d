//! IAM: authorization details (all pages, with GetRole/GetUser for the entries that leave
//! RoleLastUsed or a permissions boundary out), the credential report (with back-fill of
//! users newer than the report), password policy, account summary, MFA devices,
//! certificates, identity providers, and (through `last_accessed`) service last-accessed
//! details.

use std::collections::BTreeMap;

use aws_sdk_iam::types as t;
use futures_util::future::join_all;
use iam_model::snapshot::{
    AttachedPolicy, AuthorizationDetails, CredentialReport, GroupDetail, InlinePolicy,
    InstanceProfile, LastAccessedDetails, ManagedPolicyDetail, MfaDevice, MfaUser, OidcProvider,
    PasswordPolicy, PermissionsBoundary, PolicyDocument, PolicyVersionDetail, RoleDetail,
    RoleLastUsed, RoleRef, SamlProvider, ServerCertificate, Tag, UserDetail, VirtualMfaDevice,
};
use iam_model::time::Timestamp;

use super::ctx::{Ctx, Got};
use super::guard::Paged;
use super::{Clients, os, ots, ts};

/// Everything IAM.
#[derive(Debug, Default)]
pub struct IamSection {
    pub authorization_details: AuthorizationDetails,
    pub credential_report: Option<CredentialReport>,
    pub credential_report_generated_at: Option<Timestamp>,
    pub password_policy: Option<PasswordPolicy>,
    pub account_summary: BTreeMap<String, i64>,
    pub virtual_mfa_devices: Vec<VirtualMfaDevice>,
    pub mfa_devices: Vec<MfaDevice>,
    pub server_certificates: Vec<ServerCertificate>,
    pub saml_providers: Vec<SamlProvider>,
    pub oidc_providers: Vec<OidcProvider>,
    pub last_accessed: BTreeMap<String, LastAccessedDetails>,
}

/// Collects the IAM section.
pub async fn collect(ctx: &Ctx, c: &Clients) -> IamSection {
    let phase = ctx.progress.phase("IAM", 11);
    let mut authorization_details = authorization_details(ctx, c).await;
    phase.inc();
    let (
        (gaps, policy_tags, profile_tags),
        (report, mfa_devices),
        password_policy,
        account_summary,
        mfa,
        certs,
        saml,
        oidc,
        last_accessed,
    ) = tokio::join!(
        async {
            let r = tokio::join!(
                gaps(ctx, c, &authorization_details),
                policy_tags(ctx, c, &authorization_details),
                instance_profile_tags(ctx, c, &authorization_details),
            );
            phase.inc();
            phase.inc();
            r
        },
        async {
            let r = credential_report(ctx, c, &authorization_details).await;
            phase.inc();
            let m = mfa_devices(ctx, c, &authorization_details, r.as_ref()).await;
            phase.inc();
            (r, m)
        },
        async {
            let r = password_policy(ctx, c).await;
            phase.inc();
            r
        },
        async {
            let r = account_summary(ctx, c).await;
            phase.inc();
            r
        },
        async {
            let r = virtual_mfa_devices(ctx, c).await;
            phase.inc();
            r
        },
        async {
            let r = server_certificates(ctx, c).await;
            phase.inc();
            r
        },
        async {
            let r = saml_providers(ctx, c).await;
            phase.inc();
            r
        },
        async {
            let r = oidc_providers(ctx, c).await;
            phase.inc();
            r
        },
        super::last_accessed::collect(ctx, c, &authorization_details),
    );
    phase.done();
    gaps.fill(&mut authorization_details);
    for p in &mut authorization_details.policies {
        if let Some(tags) = policy_tags.get(&p.arn) {
            p.tags = Some(tags.clone());
        }
    }
    fill_instance_profile_tags(&mut authorization_details, &profile_tags);
    let (credential_report, credential_report_generated_at) = match report {
        Some(r) => (Some(r.report), r.generated_at),
        None => (None, None),
    };
    IamSection {
        authorization_details,
        credential_report,
        credential_report_generated_at,
        password_policy,
        account_summary,
        virtual_mfa_devices: mfa,
        mfa_devices,
        server_certificates: certs,
        saml_providers: saml,
        oidc_providers: oidc,
        last_accessed,
    }
}

/// GetAccountAuthorizationDetails with every filter, all pages merged. AWS managed policies
/// attached to nothing (an emulator may list every one) are dropped: they grant nothing here.
pub async fn authorization_details(ctx: &Ctx, c: &Clients) -> AuthorizationDetails {
    let mut out = AuthorizationDetails::default();
    let mut marker: Option<String> = None;
    loop {
        let page = ctx
            .call(
                None,
                &[],
                c.iam
                    .get_account_authorization_details()
                    .set_filter(Some(vec![
                        t::EntityType::User,
                        t::EntityType::Group,
                        t::EntityType::Role,
                        t::EntityType::LocalManagedPolicy,
                        t::EntityType::AwsManagedPolicy,
                    ]))
                    .max_items(MAX_ITEMS)
                    .set_marker(marker.clone()),
            )
            .await;
        let Some(page) = page.value() else { break };
        out.users.extend(page.user_detail_list().iter().map(user));
        out.groups
            .extend(page.group_detail_list().iter().map(group));
        out.roles.extend(page.role_detail_list().iter().map(role));
        out.policies.extend(
            page.policies()
                .iter()
                .map(managed_policy)
                .filter(|p| !p.is_aws_managed() || in_use(p)),
        );
        match (page.is_truncated(), page.marker()) {
            (true, Some(m)) if marker.as_deref() != Some(m) => marker = Some(m.to_string()),
            _ => break,
        }
    }
    out
}

/// The largest page the IAM list operations return (their `MaxItems` limit; the default is
/// 100): fewer calls for large accounts.
pub const MAX_ITEMS: i32 = 1000;

/// What GetRole and GetUser said about the entities whose authorization-details entry left
/// a gap: RoleLastUsed missing, or a permissions boundary that the managed policies' boundary
/// usage counts say exists but no entry carries.
#[derive(Debug, Default)]
pub struct Gaps {
    /// Role name → (RoleLastUsed, boundary), as GetRole answered.
    roles: BTreeMap<String, (Option<RoleLastUsed>, Option<PermissionsBoundary>)>,
    /// User name → boundary, as GetUser answered.
    users: BTreeMap<String, Option<PermissionsBoundary>>,
}

impl Gaps {
    /// Fills the gaps of `d` with the answers; what GAAD did say is never overwritten.
    pub fn fill(self, d: &mut AuthorizationDetails) {
        for r in &mut d.roles {
            if let Some((last_used, boundary)) = self.roles.get(&r.role_name) {
                if r.role_last_used.is_none() {
                    r.role_last_used.clone_from(last_used);
                }
                if r.permissions_boundary.is_none() {
                    r.permissions_boundary.clone_from(boundary);
                }
            }
        }
        for u in &mut d.users {
            if let Some(boundary) = self.users.get(&u.user_name)
                && u.permissions_boundary.is_none()
            {
                u.permissions_boundary.clone_from(boundary);
            }
        }
    }
}

/// True when some managed policy is the boundary of more principals
/// (`PermissionsBoundaryUsageCount`) than the user and role entries name: GAAD left a
/// boundary out somewhere.
fn boundaries_missing(d: &AuthorizationDetails) -> bool {
    let mut seen: BTreeMap<&str, i64> = BTreeMap::new();
    let used = d
        .users
        .iter()
        .filter_map(|u| u.permissions_boundary.as_ref())
        .chain(
            d.roles
                .iter()
                .filter_map(|r| r.permissions_boundary.as_ref()),
        );
    for b in used {
        *seen.entry(b.permissions_boundary_arn.as_str()).or_insert(0) += 1;
    }
    d.policies.iter().any(|p| {
        p.permissions_boundary_usage_count.unwrap_or(0)
            > seen.get(p.arn.as_str()).copied().unwrap_or(0)
    })
}

/// GetRole for every role without RoleLastUsed (and, when boundaries are missing, without a
/// boundary); GetUser for every user without a boundary when boundaries are missing. One
/// call per such entity, none when GAAD was complete.
pub async fn gaps(ctx: &Ctx, c: &Clients, d: &AuthorizationDetails) -> Gaps {
    let boundary_gap = boundaries_missing(d);
    let roles = d
        .roles
        .iter()
        .filter(|r| {
            r.role_last_used.is_none() || (boundary_gap && r.permissions_boundary.is_none())
        })
        .map(|r| r.role_name.as_str());
    let users = d
        .users
        .iter()
        .filter(|u| boundary_gap && u.permissions_boundary.is_none())
        .map(|u| u.user_name.as_str());
    let (roles, users) = tokio::join!(
        join_all(roles.map(|name| async move {
            let got = ctx
                .call_about(
                    None,
                    &format!("role `{name}`"),
                    &["NoSuchEntity"],
                    c.iam.get_role().role_name(name),
                )
                .await;
            let answer = got.value().and_then(|o| {
                let r = o.role()?;
                Some((
                    r.role_last_used().map(|u| RoleLastUsed {
                        last_used_date: ots(u.last_used_date()),
                        region: os(u.region()),
                    }),
                    boundary(r.permissions_boundary()),
                ))
            });
            (name.to_string(), answer)
        })),
        join_all(users.map(|name| async move {
            let got = ctx
                .call_about(
                    None,
                    &format!("user `{name}`"),
                    &["NoSuchEntity"],
                    c.iam.get_user().user_name(name),
                )
                .await;
            let answer = got
                .value()
                .and_then(|o| o.user().map(|u| boundary(u.permissions_boundary())));
            (name.to_string(), answer)
        })),
    );
    Gaps {
        roles: roles
            .into_iter()
            .filter_map(|(n, a)| Some((n, a?)))
            .collect(),
        users: users
            .into_iter()
            .filter_map(|(n, a)| Some((n, a?)))
            .collect(),
    }
}

fn in_use(p: &ManagedPolicyDetail) -> bool {
    p.attachment_count.unwrap_or(0) > 0 || p.permissions_boundary_usage_count.unwrap_or(0) > 0
}

fn doc(text: Option<&str>) -> PolicyDocument {
    PolicyDocument::from_text(text.unwrap_or_default())
}

fn created(dt: Option<&aws_smithy_types::DateTime>) -> Timestamp {
    dt.map(ts).unwrap_or(Timestamp(0))
}

fn tags(tags: &[t::Tag]) -> Vec<Tag> {
    tags.iter()
        .map(|x| Tag {
            key: x.key().to_string(),
            value: x.value().to_string(),
        })
        .collect()
}

fn inline(list: &[t::PolicyDetail]) -> Vec<InlinePolicy> {
    list.iter()
        .map(|p| InlinePolicy {
            policy_name: p.policy_name().unwrap_or_default().to_string(),
            policy_document: doc(p.policy_document()),
        })
        .collect()
}

fn attached(list: &[t::AttachedPolicy]) -> Vec<AttachedPolicy> {
    list.iter()
        .map(|p| AttachedPolicy {
            policy_name: p.policy_name().unwrap_or_default().to_string(),
            policy_arn: p.policy_arn().unwrap_or_default().to_string(),
        })
        .collect()
}

fn boundary(b: Option<&t::AttachedPermissionsBoundary>) -> Option<PermissionsBoundary> {
    let b = b?;
    Some(PermissionsBoundary {
        permissions_boundary_type: b
            .permissions_boundary_type()
            .map(|x| x.as_str().to_string()),
        permissions_boundary_arn: b.permissions_boundary_arn()?.to_string(),
    })
}

fn user(u: &t::UserDetail) -> UserDetail {
    UserDetail {
        path: u.path().unwrap_or("/").to_string(),
        user_name: u.user_name().unwrap_or_default().to_string(),
        user_id: u.user_id().unwrap_or_default().to_string(),
        arn: u.arn().unwrap_or_default().to_string(),
        create_date: created(u.create_date()),
        user_policy_list: inline(u.user_policy_list()),
        group_list: u.group_list().to_vec(),
        attached_managed_policies: attached(u.attached_managed_policies()),
        permissions_boundary: boundary(u.permissions_boundary()),
        tags: tags(u.tags()),
    }
}

fn group(g: &t::GroupDetail) -> GroupDetail {
    GroupDetail {
        path: g.path().unwrap_or("/").to_string(),
        group_name: g.group_name().unwrap_or_default().to_string(),
        group_id: g.group_id().unwrap_or_default().to_string(),
        arn: g.arn().unwrap_or_default().to_string(),
        create_date: created(g.create_date()),
        group_policy_list: inline(g.group_policy_list()),
        attached_managed_policies: attached(g.attached_managed_policies()),
    }
}

fn role(r: &t::RoleDetail) -> RoleDetail {
    RoleDetail {
        path: r.path().unwrap_or("/").to_string(),
        role_name: r.role_name().unwrap_or_default().to_string(),
        role_id: r.role_id().unwrap_or_default().to_string(),
        arn: r.arn().unwrap_or_default().to_string(),
        create_date: created(r.create_date()),
        assume_role_policy_document: r
            .assume_role_policy_document()
            .map(PolicyDocument::from_text),
        instance_profile_list: r
            .instance_profile_list()
            .iter()
            .map(|p| InstanceProfile {
                path: p.path().to_string(),
                instance_profile_name: p.instance_profile_name().to_string(),
                instance_profile_id: p.instance_profile_id().to_string(),
                arn: p.arn().to_string(),
                create_date: Some(ts(p.create_date())),
                roles: p
                    .roles()
                    .iter()
                    .map(|x| RoleRef {
                        role_name: x.role_name().to_string(),
                        arn: x.arn().to_string(),
                    })
                    .collect(),
                // Where GAAD carries the profile's tags; the others are read with
                // GetInstanceProfile (`instance_profile_tags`).
                tags: p.tags.as_deref().map(tags),
            })
            .collect(),
        role_policy_list: inline(r.role_policy_list()),
        attached_managed_policies: attached(r.attached_managed_policies()),
        permissions_boundary: boundary(r.permissions_boundary()),
        tags: tags(r.tags()),
        role_last_used: r.role_last_used().map(|u| RoleLastUsed {
            last_used_date: ots(u.last_used_date()),
            region: os(u.region()),
        }),
    }
}

fn managed_policy(p: &t::ManagedPolicyDetail) -> ManagedPolicyDetail {
    let arn = p.arn().unwrap_or_default();
    ManagedPolicyDetail {
        // Some emulators leave the name out; it is the ARN's last path segment.
        policy_name: match p.policy_name() {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => arn.rsplit('/').next().unwrap_or_default().to_string(),
        },
        policy_id: p.policy_id().unwrap_or_default().to_string(),
        arn: p.arn().unwrap_or_default().to_string(),
        path: p.path().unwrap_or("/").to_string(),
        default_version_id: os(p.default_version_id()),
        attachment_count: p.attachment_count().map(i64::from),
        permissions_boundary_usage_count: p.permissions_boundary_usage_count().map(i64::from),
        is_attachable: Some(p.is_attachable()),
        description: os(p.description()),
        create_date: ots(p.create_date()),
        update_date: ots(p.update_date()),
        policy_version_list: p
            .policy_version_list()
            .iter()
            .map(|v| PolicyVersionDetail {
                document: doc(v.document()),
                version_id: v.version_id().unwrap_or_default().to_string(),
                is_default_version: v.is_default_version(),
                create_date: ots(v.create_date()),
            })
            .collect(),
        tags: None,
    }
}

/// ListPolicyTags for every customer managed policy (GAAD carries no policy tags), by ARN.
pub async fn policy_tags(
    ctx: &Ctx,
    c: &Clients,
    d: &AuthorizationDetails,
) -> BTreeMap<String, Vec<Tag>> {
    let customer = d.policies.iter().filter(|p| !p.is_aws_managed());
    join_all(customer.map(|p| async move {
        let about = format!("policy `{}`", p.arn);
        let mut out = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let Got::Value(page) = ctx
                .call_about(
                    None,
                    &about,
                    &["NoSuchEntity"],
                    c.iam
                        .list_policy_tags()
                        .policy_arn(&p.arn)
                        .max_items(MAX_ITEMS)
                        .set_marker(marker.clone()),
                )
                .await
            else {
                return None;
            };
            out.extend(tags(page.tags()));
            match (page.is_truncated(), page.marker()) {
                (true, Some(m)) if marker.as_deref() != Some(m) => marker = Some(m.to_string()),
                _ => return Some((p.arn.clone(), out)),
            }
        }
    }))
    .await
    .into_iter()
    .flatten()
    .collect()
}

/// ListMFADevices for every user that has MFA: the credential report's `mfa_active` says who
/// (users without a row, or every user when the report could not be read, are asked too).
/// Users whose devices the back-fill already read are not asked again.
pub async fn mfa_devices(
    ctx: &Ctx,
    c: &Clients,
    d: &AuthorizationDetails,
    report: Option<&Report>,
) -> Vec<MfaDevice> {
    let per_user = join_all(d.users.iter().map(|u| async move {
        if let Some(devices) = report.and_then(|r| r.backfilled_mfa.get(&u.user_name)) {
            return devices.clone();
        }
        let has_mfa = report
            .and_then(|r| r.report.by_arn(&u.arn))
            .is_none_or(|row| row.mfa_active);
        if !has_mfa {
            return Vec::new();
        }
        user_mfa_devices(ctx, c, &u.user_name)
            .await
            .unwrap_or_default()
    }))
    .await;
    per_user.into_iter().flatten().collect()
}

/// ListMFADevices for one user, every page; `None` when it failed (recorded, naming the
/// user). A user deleted meanwhile has none.
async fn user_mfa_devices(ctx: &Ctx, c: &Clients, name: &str) -> Option<Vec<MfaDevice>> {
    let got = ctx
        .pages_about(
            None,
            &format!("user `{name}`"),
            &["NoSuchEntity"],
            c.iam
                .list_mfa_devices()
                .user_name(name)
                .max_items(MAX_ITEMS),
        )
        .await;
    match got {
        Got::Value(pages) => Some(
            pages
                .iter()
                .flat_map(|p| p.mfa_devices())
                .map(|m| MfaDevice {
                    user_name: m.user_name().to_string(),
                    serial_number: m.serial_number().to_string(),
                    enable_date: Some(ts(m.enable_date())),
                })
                .collect(),
        ),
        Got::Absent => Some(Vec::new()),
        Got::Failed => None,
    }
}

/// The credential report as collected.
#[derive(Debug)]
pub struct Report {
    /// The report, with rows back-filled for users it did not list yet.
    pub report: CredentialReport,
    /// When AWS generated it.
    pub generated_at: Option<Timestamp>,
    /// The MFA devices of the back-filled users, by user name, as their rows were built from
    /// (so that [`mfa_devices`] does not ask for them again).
    pub backfilled_mfa: BTreeMap<String, Vec<MfaDevice>>,
}

/// GenerateCredentialReport until it is complete, GetCredentialReport, then back-fill the
/// users the report does not list yet. `None` when it could not be read (recorded).
pub(super) async fn credential_report(
    ctx: &Ctx,
    c: &Clients,
    details: &AuthorizationDetails,
) -> Option<Report> {
    const OP: &str = "iam:GenerateCredentialReport";
    let started = tokio::time::Instant::now();
    let mut attempt = 0;
    loop {
        let out = ctx
            .call(None, &[], c.iam.generate_credential_report())
            .await
            .value()?;
        if out.state() == Some(&t::ReportStateType::Complete) {
            break;
        }
        if started.elapsed() >= ctx.job_timeout {
            ctx.record(
                OP,
                None,
                format!(
                    "the report was not complete after {}s",
                    ctx.job_timeout.as_secs()
                ),
            );
            return None;
        }
        tokio::time::sleep(ctx.poll_delay(attempt)).await;
        attempt += 1;
    }
    let out = ctx
        .call(None, &[], c.iam.get_credential_report())
        .await
        .value()?;
    let mut text = match out.content() {
        Some(b) => String::from_utf8_lossy(b.as_ref()).into_owned(),
        None => String::new(),
    };
    let generated_at = ots(out.generated_time());
    let parsed = match CredentialReport::parse(&text) {
        Ok(r) => r,
        Err(e) => {
            ctx.record("iam:GetCredentialReport", None, e.to_string());
            return None;
        }
    };
    let missing: Vec<&UserDetail> = details
        .users
        .iter()
        .filter(|u| parsed.by_arn(&u.arn).is_none())
        .collect();
    if missing.is_empty() {
        return Some(Report {
            report: parsed,
            generated_at,
            backfilled_mfa: BTreeMap::new(),
        });
    }
    if text.trim().is_empty() {
        text = REPORT_HEADER.to_string();
    }
    let header: Vec<String> = text
        .lines()
        .next()
        .unwrap_or(REPORT_HEADER)
        .split(',')
        .map(str::to_string)
        .collect();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    // One user's calls at a time would take minutes for an account that grew since the
    // report; they run together, under the concurrency bound.
    let rows = join_all(missing.iter().map(|u| backfill_row(ctx, c, u))).await;
    let mut backfilled_mfa = BTreeMap::new();
    for (u, (row, devices)) in missing.iter().zip(rows) {
        if let Some(devices) = devices {
            backfilled_mfa.insert(u.user_name.clone(), devices);
        }
        if let Some(row) = row {
            text.push_str(&row.to_csv(&header));
            text.push('\n');
        }
    }
    let report = match CredentialReport::parse(&text) {
        Ok(r) => r,
        Err(e) => {
            ctx.record("iam:GetCredentialReport", None, e.to_string());
            parsed
        }
    };
    Some(Report {
        report,
        generated_at,
        backfilled_mfa,
    })
}

/// The credential report's columns, for back-filled rows when the report is empty.
const REPORT_HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

/// A credential report row assembled from per-user calls.
#[derive(Debug, Default)]
struct Row {
    cells: BTreeMap<&'static str, String>,
}

impl Row {
    fn set(&mut self, column: &'static str, value: impl Into<String>) {
        self.cells.insert(column, value.into());
    }

    /// The row in the header's column order; unknown columns are `N/A`.
    fn to_csv(&self, header: &[String]) -> String {
        header
            .iter()
            .map(|h| {
                let v = self
                    .cells
                    .get(h.as_str())
                    .map(String::as_str)
                    .unwrap_or("N/A");
                if v.contains([',', '"']) {
                    format!("\"{}\"", v.replace('"', "\"\""))
                } else {
                    v.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }
}

fn report_time(dt: &aws_smithy_types::DateTime) -> String {
    Timestamp(dt.secs()).to_string()
}

/// ListAccessKeys, GetAccessKeyLastUsed, GetLoginProfile and ListMFADevices for a user the
/// report does not list yet: the row (`None` when a call failed, recorded naming the user: a
/// guessed row would be worse than none), and the user's MFA devices when they were read.
async fn backfill_row(
    ctx: &Ctx,
    c: &Clients,
    u: &UserDetail,
) -> (Option<Row>, Option<Vec<MfaDevice>>) {
    let name = u.user_name.as_str();
    let about = format!("user `{name}`");
    let (keys, login, mfa) = tokio::join!(
        ctx.call_about(None, &about, &[], c.iam.list_access_keys().user_name(name)),
        ctx.call_about(
            None,
            &about,
            &["NoSuchEntity"],
            c.iam.get_login_profile().user_name(name)
        ),
        user_mfa_devices(ctx, c, name),
    );
    let row = match (keys.value(), login.known(), mfa.as_deref()) {
        (Some(keys), Some(login), Some(mfa)) => {
            build_row(ctx, c, u, &about, &keys, login.as_ref(), mfa).await
        }
        _ => None,
    };
    (row, mfa)
}

/// The columns of one access key in the credential report.
const KEY_COLUMNS: [[&str; 5]; 2] = [
    [
        "access_key_1_active",
        "access_key_1_last_rotated",
        "access_key_1_last_used_date",
        "access_key_1_last_used_region",
        "access_key_1_last_used_service",
    ],
    [
        "access_key_2_active",
        "access_key_2_last_rotated",
        "access_key_2_last_used_date",
        "access_key_2_last_used_region",
        "access_key_2_last_used_service",
    ],
];

/// A back-filled row from what the per-user calls answered (GetAccessKeyLastUsed for each
/// key, together); `None` when one of those failed.
async fn build_row(
    ctx: &Ctx,
    c: &Clients,
    u: &UserDetail,
    about: &str,
    keys: &aws_sdk_iam::operation::list_access_keys::ListAccessKeysOutput,
    login: Option<&aws_sdk_iam::operation::get_login_profile::GetLoginProfileOutput>,
    mfa: &[MfaDevice],
) -> Option<Row> {
    let mut row = Row::default();
    row.set("user", u.user_name.as_str());
    row.set("arn", u.arn.as_str());
    row.set("user_creation_time", u.create_date.to_string());
    match login.and_then(|l| l.login_profile().map(|p| report_time(p.create_date()))) {
        Some(changed) => {
            row.set("password_enabled", "true");
            row.set("password_last_used", "no_information");
            row.set("password_last_changed", changed);
        }
        None => row.set("password_enabled", "false"),
    }
    row.set("mfa_active", if mfa.is_empty() { "false" } else { "true" });
    let listed: Vec<&t::AccessKeyMetadata> = keys.access_key_metadata().iter().take(2).collect();
    // Per key: `Some(None)` when it has no id to ask about, `None` when the call failed.
    let used = join_all(listed.iter().map(|key| async move {
        match key.access_key_id() {
            None => Some(None),
            Some(id) => ctx
                .call_about(
                    None,
                    about,
                    &[],
                    c.iam.get_access_key_last_used().access_key_id(id),
                )
                .await
                .value()
                .map(Some),
        }
    }))
    .await;
    row.set("access_key_1_active", "false");
    row.set("access_key_2_active", "false");
    for ((cols, key), used) in KEY_COLUMNS.iter().zip(&listed).zip(used) {
        row.set(
            cols[0],
            if key.status() == Some(&t::StatusType::Active) {
                "true"
            } else {
                "false"
            },
        );
        if let Some(d) = key.create_date() {
            row.set(cols[1], report_time(d));
        }
        let Some(used) = used? else { continue };
        match used.access_key_last_used() {
            Some(l) => {
                row.set(
                    cols[2],
                    l.last_used_date()
                        .map(report_time)
                        .unwrap_or_else(|| "N/A".to_string()),
                );
                row.set(cols[3], l.region());
                row.set(cols[4], l.service_name());
            }
            None => row.set(cols[2], "N/A"),
        }
    }
    row.set("cert_1_active", "false");
    row.set("cert_2_active", "false");
    Some(row)
}

async fn password_policy(ctx: &Ctx, c: &Clients) -> Option<PasswordPolicy> {
    let out = ctx
        .call(None, &["NoSuchEntity"], c.iam.get_account_password_policy())
        .await
        .value()?;
    let p = out.password_policy()?;
    Some(PasswordPolicy {
        minimum_password_length: p.minimum_password_length().map(i64::from),
        require_symbols: p.require_symbols(),
        require_numbers: p.require_numbers(),
        require_uppercase_characters: p.require_uppercase_characters(),
        require_lowercase_characters: p.require_lowercase_characters(),
        allow_users_to_change_password: p.allow_users_to_change_password(),
        expire_passwords: p.expire_passwords(),
        max_password_age: p.max_password_age().map(i64::from),
        password_reuse_prevention: p.password_reuse_prevention().map(i64::from),
        hard_expiry: p.hard_expiry(),
    })
}

async fn account_summary(ctx: &Ctx, c: &Clients) -> BTreeMap<String, i64> {
    let Some(out) = ctx
        .call(None, &[], c.iam.get_account_summary())
        .await
        .value()
    else {
        return BTreeMap::new();
    };
    out.summary_map()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.as_str().to_string(), i64::from(*v)))
                .collect()
        })
        .unwrap_or_default()
}

/// ListVirtualMFADevices (every page), each device with its tags (ListMFADeviceTags).
pub(super) async fn virtual_mfa_devices(ctx: &Ctx, c: &Clients) -> Vec<VirtualMfaDevice> {
    let Some(pages) = ctx
        .pages(
            None,
            &[],
            c.iam.list_virtual_mfa_devices().max_items(MAX_ITEMS),
        )
        .await
        .value()
    else {
        return Vec::new();
    };
    let devices = pages.iter().flat_map(|p| p.virtual_mfa_devices());
    join_all(devices.map(|d| async move {
        let serial = d.serial_number();
        let tags = list_tags(
            ctx,
            &format!("MFA device `{serial}`"),
            c.iam
                .list_mfa_device_tags()
                .serial_number(serial)
                .max_items(MAX_ITEMS),
            |p| p.tags(),
        )
        .await;
        VirtualMfaDevice {
            serial_number: serial.to_string(),
            user: d.user().map(|u| MfaUser {
                arn: u.arn().to_string(),
                user_name: Some(u.user_name().to_string()),
            }),
            enable_date: ots(d.enable_date()),
            tags,
        }
    }))
    .await
}

/// Every page of one List*Tags call about `subject`, merged: `None` when it failed
/// (recorded, naming the subject), so the tags are unknown.
async fn list_tags<B: Paged>(
    ctx: &Ctx,
    subject: &str,
    request: B,
    tags_of: impl Fn(&B::Output) -> &[t::Tag],
) -> Option<Vec<Tag>> {
    let pages = ctx.pages_about(None, subject, &[], request).await.value()?;
    Some(pages.iter().flat_map(|p| tags(tags_of(p))).collect())
}

/// ListServerCertificates (every page), each certificate with its tags
/// (ListServerCertificateTags).
pub(super) async fn server_certificates(ctx: &Ctx, c: &Clients) -> Vec<ServerCertificate> {
    let Some(pages) = ctx
        .pages(
            None,
            &[],
            c.iam.list_server_certificates().max_items(MAX_ITEMS),
        )
        .await
        .value()
    else {
        return Vec::new();
    };
    let certs = pages
        .iter()
        .flat_map(|p| p.server_certificate_metadata_list());
    join_all(certs.map(|m| async move {
        let name = m.server_certificate_name();
        let tags = list_tags(
            ctx,
            &format!("certificate `{name}`"),
            c.iam
                .list_server_certificate_tags()
                .server_certificate_name(name)
                .max_items(MAX_ITEMS),
            |p| p.tags(),
        )
        .await;
        ServerCertificate {
            server_certificate_name: name.to_string(),
            arn: m.arn().to_string(),
            expiration: ots(m.expiration()),
            upload_date: ots(m.upload_date()),
            tags,
        }
    }))
    .await
}

/// ListSAMLProviders, each provider with its tags (ListSAMLProviderTags).
pub(super) async fn saml_providers(ctx: &Ctx, c: &Clients) -> Vec<SamlProvider> {
    let Some(out) = ctx
        .call(None, &[], c.iam.list_saml_providers())
        .await
        .value()
    else {
        return Vec::new();
    };
    join_all(out.saml_provider_list().iter().map(|p| async move {
        let arn = p.arn().unwrap_or_default();
        let tags = list_tags(
            ctx,
            &format!("provider `{arn}`"),
            c.iam
                .list_saml_provider_tags()
                .saml_provider_arn(arn)
                .max_items(MAX_ITEMS),
            |p| p.tags(),
        )
        .await;
        SamlProvider {
            arn: arn.to_string(),
            create_date: ots(p.create_date()),
            valid_until: ots(p.valid_until()),
            tags,
        }
    }))
    .await
}

/// Puts the tags [`instance_profile_tags`] read on the profiles GAAD gave none for (wherever
/// they are listed); the others stay unknown.
pub fn fill_instance_profile_tags(d: &mut AuthorizationDetails, tags: &BTreeMap<String, Vec<Tag>>) {
    for p in d
        .roles
        .iter_mut()
        .flat_map(|r| &mut r.instance_profile_list)
        .filter(|p| p.tags.is_none())
    {
        p.tags = tags.get(&p.arn).cloned();
    }
}

/// Tags of the instance profiles whose authorization-details entries carry none, by ARN: one
/// GetInstanceProfile per such profile (a profile listed under several roles is read once).
/// A failure names the profile and leaves its tags unknown.
pub async fn instance_profile_tags(
    ctx: &Ctx,
    c: &Clients,
    d: &AuthorizationDetails,
) -> BTreeMap<String, Vec<Tag>> {
    let missing: BTreeMap<&str, &str> = d
        .roles
        .iter()
        .flat_map(|r| &r.instance_profile_list)
        .filter(|p| p.tags.is_none())
        .map(|p| (p.arn.as_str(), p.instance_profile_name.as_str()))
        .collect();
    join_all(missing.into_iter().map(|(arn, name)| async move {
        let out = ctx
            .call_about(
                None,
                &format!("instance profile `{name}`"),
                &[],
                c.iam.get_instance_profile().instance_profile_name(name),
            )
            .await
            .value()?;
        let p = out.instance_profile()?;
        Some((arn.to_string(), tags(p.tags())))
    }))
    .await
    .into_iter()
    .flatten()
    .collect()
}

pub(super) async fn oidc_providers(ctx: &Ctx, c: &Clients) -> Vec<OidcProvider> {
    let Some(list) = ctx
        .call(None, &[], c.iam.list_open_id_connect_providers())
        .await
        .value()
    else {
        return Vec::new();
    };
    let arns: Vec<&str> = list
        .open_id_connect_provider_list()
        .iter()
        .filter_map(|p| p.arn())
        .collect();
    join_all(arns.into_iter().map(|arn| async move {
        let got = ctx
            .call_about(
                None,
                &format!("provider `{arn}`"),
                &[],
                c.iam
                    .get_open_id_connect_provider()
                    .open_id_connect_provider_arn(arn),
            )
            .await;
        // A provider whose details failed is still listed (by ARN): it exists.
        let p = got.value();
        OidcProvider {
            arn: arn.to_string(),
            url: p.as_ref().and_then(|p| os(p.url())),
            client_id_list: p
                .as_ref()
                .map(|p| p.client_id_list().to_vec())
                .unwrap_or_default(),
            tags: p.as_ref().map(|p| tags(p.tags())),
        }
    }))
    .await
}
