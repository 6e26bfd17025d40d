//! `iamsight collect` against the moto emulator: real SDK clients, real HTTP, a seeded account.
//!
//! `scripts/test` starts moto on 127.0.0.1, exports `IAMSIGHT_TEST_MOTO_ENDPOINT` and points
//! the AWS environment at it (`AWS_ENDPOINT_URL`, fake credentials, `AWS_MAX_ATTEMPTS=1`).
//! Without it these tests fail: the emulator suite never passes by skipping.
//!
//! Each test works in its own account: the seeder (boto3, `fixtures/collect/seed_moto.py`) and
//! the collector (`--role-arn`) assume a role in that account, and moto binds the returned
//! credentials to it. The seeder reports what it made (ids moto chose), `facts` read back from
//! moto that fix the exact number of calls a collection makes, and `bad`: every (check,
//! resource) it made bad on purpose, which the scan must flag exactly (with what every moto
//! account is flagged for, documented here in `every_moto_account`).
//!
//! `--concurrency` and Ctrl-C are tested on whole runs in a child process (this binary,
//! re-entered), talking to moto through a small HTTP proxy of the test's own that sees every
//! request: how many, how many at once, and which to hold.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use e2e::{fixture, iamsight, repo};
use iam_model::snapshot::Snapshot;

/// The emulator endpoint, checked to be where the AWS environment points.
fn moto() -> String {
    let endpoint = std::env::var("IAMSIGHT_TEST_MOTO_ENDPOINT").unwrap_or_default();
    assert!(
        !endpoint.is_empty(),
        "IAMSIGHT_TEST_MOTO_ENDPOINT is not set: run the tests through `scripts/test`, which starts the moto emulator"
    );
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "the emulator must run on 127.0.0.1, not `{endpoint}`"
    );
    assert_eq!(
        std::env::var("AWS_ENDPOINT_URL").ok().as_deref(),
        Some(endpoint.as_str()),
        "AWS_ENDPOINT_URL must point at the emulator (a real account is never a test target)"
    );
    endpoint
}

fn python() -> String {
    std::env::var("IAMSIGHT_TEST_PYTHON")
        .unwrap_or_else(|_| repo().join(".venv/bin/python").display().to_string())
}

/// Seeds `account` and returns what the seeder reported.
fn seed(endpoint: &str, account: &str, extra: &[&str]) -> serde_json::Value {
    let out = Command::new(python())
        .arg(fixture("collect/seed_moto.py"))
        .arg(endpoint)
        .arg(account)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "seeding failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/iamsight-scanner")
}

/// `--verbose` call counts from standard error.
fn call_counts(stderr: &str) -> BTreeMap<String, u64> {
    stderr
        .lines()
        .skip_while(|l| !l.starts_with("calls per operation:"))
        .skip(1)
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let op = parts.next()?;
            let n = parts.next()?.parse().ok()?;
            (op != "total").then(|| (op.to_string(), n))
        })
        .collect()
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> BTreeSet<&'a str> {
    it.collect()
}

#[test]
fn collect_reads_exactly_what_was_seeded_and_scan_flags_it() {
    let endpoint = moto();
    let account = "210987654321";
    let seeded = seed(&endpoint, account, &[]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snapshot.json.gz");
    let path_s = path.display().to_string();
    let o = iamsight(&[
        "collect",
        "--role-arn",
        &role(account),
        "--external-id",
        "e2e",
        "--region",
        "us-east-1",
        "--output",
        &path_s,
        "--verbose",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains(&format!("collected account {account}")),
        "{}",
        o.stderr
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let s: Snapshot = iamsight_cli::load_snapshot(&path).unwrap();
    assert_eq!(s.account_id, account);
    assert!(s.collected_at.is_some());

    // Exactly what moto lacks failed, each once and naming what it leaves uncovered; nothing
    // was refused by the guard.
    let entities = entities(&seeded["facts"]);
    assert_eq!(
        errors(&s),
        [
            (
                "accessanalyzer:ListAnalyzers",
                Some("us-east-1"),
                MOTO_500.to_string()
            ),
            (
                "iam:GenerateServiceLastAccessedDetails",
                None,
                probe_gave_up(entities)
            ),
            (
                "iam:ListMFADeviceTags",
                None,
                format!(
                    "MFA device `{}`: {MOTO_500}",
                    seeded["mfa_serial"].as_str().unwrap()
                )
            ),
            (
                "iam:ListSAMLProviderTags",
                None,
                format!(
                    "provider `{}`: {MOTO_500}",
                    seeded["saml_provider"].as_str().unwrap()
                )
            ),
            (
                "iam:ListServerCertificateTags",
                None,
                format!("certificate `legacy-web`: {MOTO_500}")
            ),
        ]
    );

    // IAM: exactly the seeded principals and policies.
    let d = &s.authorization_details;
    assert_eq!(
        names(d.users.iter().map(|u| u.user_name.as_str())),
        names(["alice", "bob"].into_iter())
    );
    assert_eq!(
        names(d.groups.iter().map(|g| g.group_name.as_str())),
        names(["devs"].into_iter())
    );
    assert_eq!(
        names(d.roles.iter().map(|r| r.role_name.as_str())),
        names(["app-role", "xacct-role", "admin-role"].into_iter())
    );
    assert_eq!(
        names(d.policies.iter().map(|p| p.policy_name.as_str())),
        names(["app-policy", "boundary", "AdministratorAccess"].into_iter()),
        "customer policies plus the AWS managed ones in use"
    );
    let app = d
        .policies
        .iter()
        .find(|p| p.policy_name == "app-policy")
        .unwrap();
    assert_eq!(app.policy_version_list.len(), 3);
    assert_eq!(app.default_version().unwrap().version_id, "v3");
    let v3 = app.default_version().unwrap().document.policy().unwrap();
    assert!(v3.to_json().contains("s3:PutObject"));
    let bob = d.users.iter().find(|u| u.user_name == "bob").unwrap();
    assert_eq!(bob.group_list, ["devs"]);
    assert_eq!(bob.user_policy_list[0].policy_name, "bob-inline");
    // moto drops user permissions boundaries (CreateUser ignores it, PutUserPermissionsBoundary
    // is not implemented); role boundaries are asserted below.
    let alice = d.users.iter().find(|u| u.user_name == "alice").unwrap();
    assert_eq!(
        iam_model::snapshot::tag_value(&alice.tags, "owner"),
        Some("sec")
    );
    let devs = &d.groups[0];
    assert_eq!(devs.group_policy_list[0].policy_name, "devs-inline");
    assert_eq!(devs.attached_managed_policies[0].policy_name, "app-policy");
    let app_role = d.roles.iter().find(|r| r.role_name == "app-role").unwrap();
    let trust = app_role.assume_role_policy_document.as_ref().unwrap();
    assert!(trust.text.contains("ec2.amazonaws.com"), "{}", trust.text);
    assert!(trust.policy().is_ok());
    assert_eq!(app_role.role_policy_list[0].policy_name, "app-inline");
    assert_eq!(
        app_role
            .permissions_boundary
            .as_ref()
            .unwrap()
            .permissions_boundary_arn,
        seeded["policies"]["boundary"]
    );
    let admin = d
        .roles
        .iter()
        .find(|r| r.role_name == "admin-role")
        .unwrap();
    assert_eq!(
        admin.attached_managed_policies[0].policy_name,
        "AdministratorAccess"
    );

    // Credentials: the report lists both users, with their keys; alice's MFA device.
    let report = s.credential_report.as_ref().unwrap();
    for u in [alice, bob] {
        let row = report.by_arn(&u.arn);
        assert!(row.is_some(), "{} not in the report", u.arn);
        let row = row.unwrap();
        assert!(row.access_keys[0].active, "{row:?}");
        assert!(!row.access_keys[1].active, "{row:?}");
    }
    assert_eq!(
        report.by_arn(&alice.arn).unwrap().password_enabled,
        Some(true)
    );
    // Every MFA device of every user, whatever its kind: alice's one.
    assert_eq!(
        s.mfa_devices
            .iter()
            .map(|m| (m.user_name.as_str(), m.serial_number.as_str()))
            .collect::<Vec<_>>(),
        [("alice", seeded["mfa_serial"].as_str().unwrap())]
    );
    assert!(s.mfa_devices[0].enable_date.is_some());
    // Customer policy tags, which GAAD does not carry.
    assert_eq!(
        iam_model::snapshot::tag_value(app.tags.as_deref().unwrap_or_default(), "owner"),
        Some("platform")
    );
    let boundary_policy = d
        .policies
        .iter()
        .find(|p| p.policy_name == "boundary")
        .unwrap();
    // Read, and empty: known to have no tags (not unknown).
    assert_eq!(boundary_policy.tags.as_deref(), Some(&[][..]));
    assert_eq!(s.virtual_mfa_devices.len(), 1);
    assert_eq!(s.virtual_mfa_devices[0].serial_number, seeded["mfa_serial"]);
    assert_eq!(
        s.virtual_mfa_devices[0].user.as_ref().unwrap().arn,
        alice.arn
    );
    assert_eq!(
        s.password_policy.as_ref().unwrap().minimum_password_length,
        Some(6)
    );
    assert_eq!(s.account_summary.get("Users"), Some(&2));
    // Virtual MFA device tags: ListMFADeviceTags is one of moto's gaps, so unknown (not "none").
    assert_eq!(s.virtual_mfa_devices[0].tags, None);
    // Identity providers: the OIDC provider with its audience and tags; the SAML provider,
    // whose tags moto cannot list (unknown).
    let oidc: Vec<_> = s
        .oidc_providers
        .iter()
        .map(|p| {
            (
                p.arn.as_str(),
                p.url.as_deref(),
                p.client_id_list.clone(),
                tag_pairs(p.tags.as_deref()),
            )
        })
        .collect();
    assert_eq!(
        oidc,
        [(
            seeded["oidc_provider"].as_str().unwrap(),
            Some("token.actions.githubusercontent.com"),
            vec!["sts.amazonaws.com".to_string()],
            Some(vec![("owner", "ci")])
        )]
    );
    assert_eq!(s.saml_providers.len(), 1);
    assert_eq!(s.saml_providers[0].arn, seeded["saml_provider"]);
    assert!(s.saml_providers[0].valid_until.is_some());
    assert_eq!(s.saml_providers[0].tags, None);
    // The certificate (moto dates it 2010-2012), tags unknown.
    assert_eq!(s.server_certificates.len(), 1);
    let cert = &s.server_certificates[0];
    assert_eq!(
        (cert.server_certificate_name.as_str(), cert.arn.as_str()),
        ("legacy-web", seeded["server_certificate"].as_str().unwrap())
    );
    assert!(cert.expiration.unwrap() < s.collected_at.unwrap());
    assert_eq!(cert.tags, None);
    // Organizations: the account's place and the SCPs on its path.
    let orgs = s.organizations.as_ref().unwrap();
    assert_eq!(
        orgs.organization
            .as_ref()
            .unwrap()
            .master_account_id
            .as_deref(),
        Some(account)
    );
    let root = seeded["org_root"].as_str().unwrap();
    assert_eq!(orgs.parents.len(), 1);
    assert_eq!(
        (
            orgs.parents[0].id.as_str(),
            orgs.parents[0].parent_type.as_str()
        ),
        (root, "ROOT")
    );
    let scp = orgs
        .policies
        .iter()
        .find(|p| p.policy_summary.id == seeded["scp"])
        .unwrap();
    assert_eq!(scp.policy_summary.name.as_deref(), Some("deny-leave"));
    assert_eq!(scp.targets, [root]);
    assert!(scp.content.as_ref().unwrap().policy().is_ok());
    let full = orgs
        .policies
        .iter()
        .find(|p| p.policy_summary.name.as_deref() == Some("FullAWSAccess"))
        .unwrap();
    assert_eq!(full.policy_summary.aws_managed, Some(true));

    // EC2 in the one region asked for.
    assert_eq!(s.regions.keys().collect::<Vec<_>>(), ["us-east-1"]);
    let ec2 = s.regions["us-east-1"].ec2.as_ref().unwrap();
    let sgs: BTreeMap<&str, &str> = ec2
        .security_groups
        .iter()
        .map(|g| (g.group_name.as_str(), g.group_id.as_str()))
        .collect();
    assert_eq!(
        sgs.keys().copied().collect::<BTreeSet<_>>(),
        names(["default", "ssh-open", "web-internal"].into_iter())
    );
    assert_eq!(sgs["ssh-open"], seeded["security_groups"]["ssh-open"]);
    let ssh = ec2
        .security_groups
        .iter()
        .find(|g| g.group_name == "ssh-open")
        .unwrap();
    let rule = &ssh.ip_permissions[0];
    assert_eq!(
        (rule.ip_protocol.as_str(), rule.from_port, rule.to_port),
        ("tcp", Some(22), Some(22))
    );
    assert_eq!(rule.ip_ranges[0].cidr_ip, "0.0.0.0/0");
    let vol = ec2
        .volumes
        .iter()
        .find(|v| v.volume_id == seeded["volume"])
        .unwrap();
    assert!(!vol.encrypted && vol.attachments.is_empty());
    let snaps: BTreeMap<&str, Option<bool>> = ec2
        .snapshots
        .iter()
        .map(|x| (x.snapshot_id.as_str(), x.public))
        .collect();
    assert_eq!(
        snaps[seeded["snapshots"]["public"].as_str().unwrap()],
        Some(true)
    );
    assert_eq!(
        snaps[seeded["snapshots"]["private"].as_str().unwrap()],
        Some(false)
    );
    // moto copies the root snapshot when registering the AMI: a private by-product.
    assert_eq!(
        snaps.values().filter(|p| **p == Some(true)).count(),
        1,
        "{snaps:?}"
    );
    assert_eq!(ec2.images.len(), 1);
    assert_eq!(ec2.images[0].image_id, seeded["image"]);
    assert_eq!(ec2.images[0].public, Some(true));
    assert_eq!(ec2.instances.len(), 1);
    let instance = &ec2.instances[0];
    assert_eq!(instance.instance_id, seeded["instance"]);
    assert_eq!(instance.security_groups[0].group_id, sgs["ssh-open"]);
    assert!(
        instance
            .iam_instance_profile
            .as_ref()
            .unwrap()
            .arn
            .ends_with("instance-profile/app-profile")
    );
    assert_eq!(
        instance
            .metadata_options
            .as_ref()
            .unwrap()
            .http_tokens
            .as_deref(),
        Some("optional")
    );
    assert_eq!(
        app_role.instance_profile_list[0].instance_profile_name,
        "app-profile"
    );
    assert_eq!(
        tag_pairs(app_role.instance_profile_list[0].tags.as_deref()),
        Some(vec![("owner", "app")])
    );
    assert_eq!(ec2.ebs_encryption_by_default, Some(false));

    // S3: both buckets, one bare, one locked down.
    let s3 = s.s3.as_ref().unwrap();
    let plain_name = seeded["buckets"]["plain"].as_str().unwrap();
    let locked_name = seeded["buckets"]["locked"].as_str().unwrap();
    assert_eq!(
        names(s3.buckets.iter().map(|b| b.name.as_str())),
        names([plain_name, locked_name].into_iter())
    );
    let pab = &seeded["account_public_access_block"];
    assert_eq!(
        s3.account_public_access_block,
        Some(iam_model::snapshot::PublicAccessBlock {
            block_public_acls: pab["BlockPublicAcls"].as_bool().unwrap(),
            ignore_public_acls: pab["IgnorePublicAcls"].as_bool().unwrap(),
            block_public_policy: pab["BlockPublicPolicy"].as_bool().unwrap(),
            restrict_public_buckets: pab["RestrictPublicBuckets"].as_bool().unwrap(),
        })
    );
    let plain = s3.buckets.iter().find(|b| b.name == plain_name).unwrap();
    assert!(plain.encryption.is_none(), "{plain:?}");
    assert!(plain.public_access_block.is_none());
    assert!(plain.policy.is_none());
    assert_eq!(plain.region.as_deref(), Some("us-east-1"));
    assert!(plain.acl.is_some());
    let locked = s3.buckets.iter().find(|b| b.name == locked_name).unwrap();
    assert_eq!(
        locked.encryption.as_ref().unwrap().rules[0]
            .apply_server_side_encryption_by_default
            .as_ref()
            .unwrap()
            .sse_algorithm,
        "AES256"
    );
    assert!(locked.public_access_block.as_ref().unwrap().all_on());
    assert_eq!(
        iam_model::snapshot::tag_value(locked.tags.as_deref().unwrap(), "owner"),
        Some("data")
    );
    assert!(locked.policy.as_ref().unwrap().policy().is_ok());

    // CloudTrail and KMS.
    let ct = s.regions["us-east-1"].cloudtrail.as_ref().unwrap();
    // The local trail, and the multi-region one homed in us-west-2 (not collected): its status
    // and tags were read there (moto's us-east-1 would have answered no tags).
    let trails: BTreeMap<&str, TrailFacts<'_>> = ct
        .trails
        .iter()
        .map(|t| {
            (
                t.trail_arn.as_str(),
                (
                    t.home_region.as_deref(),
                    t.is_multi_region_trail,
                    ct.trail_status.get(&t.trail_arn).map(|x| x.is_logging),
                    tag_pairs(t.tags.as_deref()),
                ),
            )
        })
        .collect();
    assert_eq!(
        trails,
        BTreeMap::from([
            (
                seeded["trail"].as_str().unwrap(),
                (
                    Some("us-east-1"),
                    false,
                    Some(false),
                    Some(vec![("owner", "security")])
                )
            ),
            (
                seeded["multi_region_trail"].as_str().unwrap(),
                (
                    Some("us-west-2"),
                    true,
                    Some(true),
                    Some(vec![("owner", "security")])
                )
            ),
        ])
    );
    let kms = s.regions["us-east-1"].kms.as_ref().unwrap();
    assert_eq!(kms.keys.len(), 1);
    let key = &kms.keys[0];
    assert_eq!(key.key_metadata.key_id, seeded["kms_key"]);
    assert_eq!(key.key_rotation_enabled, Some(false));
    assert_eq!(
        iam_model::snapshot::kms_tag_value(key.tags.as_deref().unwrap(), "owner"),
        Some("app")
    );
    assert!(key.policy.as_ref().unwrap().policy().is_ok());

    assert!(s.last_accessed.is_empty(), "moto has no last-accessed jobs");

    // --verbose: exactly the calls paging and the seeded things require, nothing else. The
    // scanning role was assumed through the guarded STS client, once; --region was given, so
    // no DescribeRegions.
    assert_eq!(call_counts(&o.stderr), expected_calls(&seeded["facts"]));

    // The scan of that snapshot flags exactly what the seed made bad (the seed lists it), and
    // what every moto account has; nothing else.
    let o = iamsight(&["scan", "--snapshot", &path_s, "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let bad: BTreeSet<(String, String)> = seeded["bad"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String)> = bad
        .iter()
        .cloned()
        .chain(every_moto_account(account, &seeded["facts"]))
        .collect();
    assert_eq!(flagged(&report), expected);
    // Every check the seed names exists (a renamed or missing check fails here, it is not
    // skipped), and each finding's id is its check's.
    let registry = check_ids();
    for (check, _) in &expected {
        assert!(
            registry.contains_key(check),
            "no check `{check}` in `iamsight checks`"
        );
    }
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(
            registry
                .get(f["check"].as_str().unwrap())
                .map(String::as_str),
            f["check_id"].as_str(),
            "{f}"
        );
    }
}

/// The message of a call moto does not implement (an HTML error page, not an AWS error).
const MOTO_500: &str =
    "HTTP 500: not an AWS error response (the API may not be available at this endpoint)";

/// How many times the collector submits its first last-accessed job before it takes an
/// endpoint that never gives an AWS answer as one without the API (`PROBE_ATTEMPTS`).
const PROBE_ATTEMPTS: u64 = 3;

/// The one error of last-accessed jobs against moto, which has none.
fn probe_gave_up(entities: u64) -> String {
    format!(
        "{MOTO_500} (no AWS answer in {PROBE_ATTEMPTS} attempts: taken as an endpoint without the API; no last-accessed data for any of the {entities} entities)"
    )
}

/// The users, groups, roles and customer managed policies: one last-accessed job each.
fn entities(facts: &serde_json::Value) -> u64 {
    ["users", "groups", "roles", "customer_policies"]
        .iter()
        .map(|k| facts[*k].as_u64().unwrap())
        .sum()
}

/// `(operation, region, message)` of every collection error, sorted.
fn errors(s: &Snapshot) -> Vec<(&str, Option<&str>, String)> {
    let mut v: Vec<_> = s
        .collection_errors
        .iter()
        .map(|e| (e.operation.as_str(), e.region.as_deref(), e.message.clone()))
        .collect();
    v.sort();
    v
}

/// A trail as collected: home region, multi-region, logging (when known), tags (when known).
type TrailFacts<'a> = (Option<&'a str>, bool, Option<bool>, Pairs<'a>);

/// Tags as `(key, value)` pairs; `None` when unknown.
type Pairs<'a> = Option<Vec<(&'a str, &'a str)>>;

/// Tags as `(key, value)` pairs; `None` when unknown.
fn tag_pairs(tags: Option<&[iam_model::snapshot::Tag]>) -> Pairs<'_> {
    tags.map(|t| {
        t.iter()
            .map(|t| (t.key.as_str(), t.value.as_str()))
            .collect()
    })
}

/// `(check, resource)` of every finding of a JSON report.
fn flagged(report: &serde_json::Value) -> BTreeSet<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Check name -> id, from `iamsight checks --format json`.
fn check_ids() -> BTreeMap<String, String> {
    let o = iamsight(&["checks", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let list = v.as_array().or_else(|| v["checks"].as_array()).unwrap();
    list.iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// What the scan flags in every moto account, seeded or not: moto creates each account's
/// default VPC with a default security group that allows traffic (as AWS's do), and leaves
/// EBS encryption by default off.
fn every_moto_account(account: &str, facts: &serde_json::Value) -> Vec<(String, String)> {
    vec![
        (
            "default-security-group-allows-traffic".to_string(),
            format!(
                "arn:aws:ec2:us-east-1:{account}:security-group/{}",
                facts["default_security_group"].as_str().unwrap()
            ),
        ),
        (
            "ebs-default-encryption-disabled".to_string(),
            format!("arn:aws:ec2:us-east-1:{account}:account"),
        ),
    ]
}

/// What the scan flags in a moto account nothing was seeded in: [`every_moto_account`], and
/// the settings nobody made: no trail, no password policy, no account public access block.
fn untouched_moto_account(account: &str, facts: &serde_json::Value) -> BTreeSet<(String, String)> {
    every_moto_account(account, facts)
        .into_iter()
        .chain([
            (
                "cloudtrail-no-multi-region-trail".to_string(),
                format!("arn:aws:cloudtrail::{account}:account"),
            ),
            (
                "password-policy-missing".to_string(),
                format!("arn:aws:iam::{account}:account-password-policy"),
            ),
            (
                "s3-account-public-access-not-blocked".to_string(),
                format!("arn:aws:s3::{account}:account"),
            ),
        ])
        .collect()
}

#[test]
fn collect_refuses_a_malformed_role_arn() {
    let _ = moto();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.json");
    let o = iamsight(&[
        "collect",
        "--role-arn",
        "not-an-arn",
        "--output",
        &path.display().to_string(),
    ]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--role-arn"), "{}", o.stderr);
    assert!(!path.exists());
}

/// The page size the collector asks IAM list operations for (`MaxItems`, their maximum).
const MAX_ITEMS: u64 = 1000;

#[test]
fn call_counts_stay_within_paging_and_one_job_per_entity() {
    let endpoint = moto();
    let account = "321098765432";
    let (roles, users) = (1000u64, 300u64);
    let seeded = seed(
        &endpoint,
        account,
        &["--scale", &roles.to_string(), &users.to_string()],
    );
    let facts = &seeded["facts"];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let o = iamsight(&[
        "collect",
        "--role-arn",
        &role(account),
        "--region",
        "us-east-1",
        "--output",
        &path.display().to_string(),
        "--quiet",
        "--verbose",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s = iamsight_cli::load_snapshot(&path).unwrap();
    assert_eq!(s.authorization_details.roles.len() as u64, roles);
    assert_eq!(s.authorization_details.users.len() as u64, users);
    // GAAD in pages of MAX_ITEMS, as the seeder read it too: however many entities, no more
    // pages than that.
    let gaad = facts["gaad_pages"].as_u64().unwrap();
    assert!((1..=(roles + users).div_ceil(MAX_ITEMS) + 1).contains(&gaad));
    // Exactly the calls paging and one job per entity require: moto refuses last-accessed
    // jobs (an HTML error page, no AWS error), so the first job is submitted PROBE_ATTEMPTS
    // times, none of the other 1,299 is, and no job is polled; that is the one gap, with
    // Access Analyzer, which moto lacks too.
    assert_eq!(call_counts(&o.stderr), expected_calls(facts));
    assert_eq!(entities(facts), roles + users);
    assert_eq!(
        errors(&s),
        [
            (
                "accessanalyzer:ListAnalyzers",
                Some("us-east-1"),
                MOTO_500.to_string()
            ),
            (
                "iam:GenerateServiceLastAccessedDetails",
                None,
                probe_gave_up(roles + users)
            ),
        ]
    );
    // No password policy is a fact, not an error: none in the snapshot, none recorded.
    assert!(s.password_policy.is_none());
}

/// The calls a collection of us-east-1 through `--role-arn` must make, per operation, from
/// what the seeder read back from moto (`facts`) and paging: one call per section (one page:
/// every list here is shorter than a page), one per thing it is about (bucket, key, trail,
/// snapshot, entity with a gap in GAAD, tag list), and nothing else. Operations not called
/// are absent.
fn expected_calls(facts: &serde_json::Value) -> BTreeMap<String, u64> {
    let f = |k: &str| {
        facts[k]
            .as_u64()
            .unwrap_or_else(|| panic!("fact `{k}`: {facts}"))
    };
    let mut e: BTreeMap<String, u64> = BTreeMap::new();
    let mut put = |op: &str, n: u64| {
        if n > 0 {
            e.insert(op.to_string(), n);
        }
    };
    put("sts:AssumeRole", 1);
    put("sts:GetCallerIdentity", 1);
    put("iam:GetAccountAuthorizationDetails", f("gaad_pages"));
    put("iam:GetRole", f("get_role_needed"));
    put("iam:GetUser", f("get_user_needed"));
    // No report existed (the seeder never asks for one): the first call starts it (STARTED),
    // the one poll after finds it COMPLETE. It is generated during the collection, after
    // seeding, so it lists every user: nobody is back-filled (no ListAccessKeys,
    // GetLoginProfile, GetAccessKeyLastUsed).
    put("iam:GenerateCredentialReport", 2);
    put("iam:GetCredentialReport", 1);
    // MFA devices of the users the report says have MFA, tags of each customer policy.
    put("iam:ListMFADevices", f("mfa_users"));
    put("iam:ListPolicyTags", f("customer_policies"));
    for op in [
        "iam:GetAccountPasswordPolicy",
        "iam:GetAccountSummary",
        "iam:ListVirtualMFADevices",
        "iam:ListServerCertificates",
        "iam:ListSAMLProviders",
        "iam:ListOpenIDConnectProviders",
        "organizations:DescribeOrganization",
        "s3:ListBuckets",
        "s3control:GetPublicAccessBlock",
    ] {
        put(op, 1);
    }
    put("iam:GetOpenIDConnectProvider", f("oidc_providers"));
    put("iam:ListSAMLProviderTags", f("saml_providers"));
    put("iam:ListServerCertificateTags", f("server_certificates"));
    put("iam:ListMFADeviceTags", f("virtual_mfa_devices"));
    put(
        "iam:GetInstanceProfile",
        f("instance_profiles_without_tags"),
    );
    // moto has no last-accessed jobs: the probe only (see `probe_gave_up`).
    if entities(facts) > 0 {
        put("iam:GenerateServiceLastAccessedDetails", PROBE_ATTEMPTS);
    }
    // Inside an organisation: one ListParents per level up to the root, SCPs and RCPs of the
    // account and of each parent, each policy on the path described once.
    if let Some(org) = facts["organization"].as_object() {
        let parents = org["parents"].as_u64().unwrap();
        put("organizations:ListParents", parents);
        put("organizations:ListPoliciesForTarget", 2 * (1 + parents));
        put(
            "organizations:DescribePolicy",
            org["policies"].as_u64().unwrap(),
        );
    }
    let buckets = f("buckets");
    for op in [
        "s3:GetBucketPolicy",
        "s3:GetBucketPolicyStatus",
        "s3:GetBucketAcl",
        "s3:GetPublicAccessBlock",
        "s3:GetBucketEncryption",
        "s3:GetBucketTagging",
    ] {
        put(op, buckets);
    }
    // Where ListBuckets does not say (moto never does), GetBucketLocation.
    put("s3:GetBucketLocation", f("buckets_without_region"));
    for op in [
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "ec2:DescribeSnapshots",
        "ec2:DescribeImages",
        "ec2:GetEbsEncryptionByDefault",
        "cloudtrail:DescribeTrails",
        "kms:ListKeys",
        "accessanalyzer:ListAnalyzers",
    ] {
        put(op, 1);
    }
    put("ec2:DescribeSnapshotAttribute", f("owned_snapshots"));
    // Each trail's status once, in its home region (collected or not); ListTags there, for up
    // to 20 trails a call.
    let homes = facts["trails_by_home_region"].as_object().unwrap();
    put(
        "cloudtrail:GetTrailStatus",
        homes.values().map(|n| n.as_u64().unwrap()).sum(),
    );
    put(
        "cloudtrail:ListTags",
        homes
            .values()
            .map(|n| n.as_u64().unwrap().div_ceil(20))
            .sum(),
    );
    // moto holds no AWS managed keys: every key listed is a customer key.
    for op in [
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
        "kms:GetKeyPolicy",
    ] {
        put(op, f("kms_keys"));
    }
    e
}

// ---------------------------------------------------------------------------------------
// Whole runs in a child process (for the signal and the per-run endpoint): this test binary,
// re-entered through the same test with the arguments in CHILD_ARGS, runs `iamsight` and
// exits with its code.

const CHILD_ARGS: &str = "IAMSIGHT_E2E_CHILD_ARGS";

/// In a child, runs `iamsight` with the arguments it was given and exits; in the parent,
/// returns.
fn run_if_child() {
    let Ok(args) = std::env::var(CHILD_ARGS) else {
        return;
    };
    let args: Vec<String> = serde_json::from_str(&args).unwrap();
    let argv = std::iter::once("iamsight".to_string()).chain(args);
    let code = iamsight_cli::run(argv, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(i32::from(code));
}

/// Starts `iamsight ARGS` in a child running `test`, with the AWS endpoint at `endpoint`.
fn spawn_iamsight(test: &str, args: &[&str], endpoint: &str) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads", "1", "-q"])
        .env(CHILD_ARGS, serde_json::to_string(args).unwrap())
        .env("AWS_ENDPOINT_URL", endpoint)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for `child` at most `limit`; kills it (and fails) past that.
fn wait(mut child: std::process::Child, limit: Duration) -> (i32, String) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("iamsight did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An HTTP proxy in front of moto that sees every request: how many, and how many at once.
///
/// A request counts as in flight from the arrival of its head to the arrival of the head of
/// its response, a span inside the one in which the caller waits for it, so the peak it
/// measures is never above the caller's real number of requests in flight. Connections are
/// one request each (`Connection: close` both ways) so that spans are easy to see.
struct Proxy {
    url: String,
    state: Arc<ProxyState>,
}

struct ProxyState {
    upstream: String,
    /// Each request is held this long before it is passed on.
    delay: Duration,
    /// Requests after this many are held until the process ends (never answered).
    pass: usize,
    requests: AtomicUsize,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

impl Proxy {
    fn start(moto: &str, delay: Duration, pass: usize) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(ProxyState {
            upstream: moto.trim_start_matches("http://").to_string(),
            delay,
            pass,
            requests: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        });
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let st = st.clone();
                std::thread::spawn(move || st.serve(conn));
            }
        });
        Proxy { url, state }
    }

    fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    fn peak(&self) -> usize {
        self.state.peak.load(Ordering::SeqCst)
    }
}

impl ProxyState {
    fn serve(&self, mut client: TcpStream) {
        let Some((head, rest)) = read_head(&mut client) else {
            return;
        };
        let number = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        if number > self.pass {
            // Held: the caller waits until it gives up or the process ends.
            std::thread::sleep(Duration::from_secs(3600));
            return;
        }
        std::thread::sleep(self.delay);
        let Ok(mut upstream) = TcpStream::connect(&self.upstream) else {
            return;
        };
        let _ = upstream.write_all(&close(&head));
        let _ = upstream.write_all(&rest);
        // The rest of a request body, if any, as it comes.
        if let (Ok(mut from), Ok(mut to)) = (client.try_clone(), upstream.try_clone()) {
            std::thread::spawn(move || std::io::copy(&mut from, &mut to));
        }
        let response = read_head(&mut upstream);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let Some((head, rest)) = response else {
            return;
        };
        let _ = client.write_all(&close(&head));
        let _ = client.write_all(&rest);
        let _ = std::io::copy(&mut upstream, &mut client);
        let _ = client.shutdown(std::net::Shutdown::Both);
    }
}

/// Reads an HTTP message head: `(head, bytes read past it)`.
fn read_head(s: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Some((buf, rest));
        }
        let n = s.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A message head with `Connection: close` in place of any connection header.
fn close(head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let mut lines: Vec<&str> = text
        .split("\r\n")
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            !l.starts_with("connection:") && !l.starts_with("keep-alive:")
        })
        .collect();
    // The head ends with two empty lines after splitting; the header goes before them.
    let at = lines.len().saturating_sub(2);
    lines.insert(at, "Connection: close");
    lines.join("\r\n").into_bytes()
}

#[test]
fn concurrency_bounds_the_requests_in_flight() {
    run_if_child();
    let endpoint = moto();
    let account = "543210987654";
    seed(&endpoint, account, &["--scale", "20", "20"]);
    let dir = tempfile::tempdir().unwrap();
    let mut peaks = Vec::new();
    for n in [1usize, 4] {
        let proxy = Proxy::start(&endpoint, Duration::from_millis(20), usize::MAX);
        let path = dir.path().join(format!("c{n}.json"));
        let child = spawn_iamsight(
            "collect::concurrency_bounds_the_requests_in_flight",
            &[
                "collect",
                "--role-arn",
                &role(account),
                "--region",
                "us-east-1",
                "--concurrency",
                &n.to_string(),
                "--output",
                &path.display().to_string(),
                "--quiet",
                "--verbose",
            ],
            &proxy.url,
        );
        let (code, stderr) = wait(child, Duration::from_secs(300));
        assert_eq!(code, 0, "--concurrency {n}: {stderr}");
        let s = iamsight_cli::load_snapshot(&path).unwrap();
        assert_eq!(s.authorization_details.roles.len(), 20);
        // `--verbose` counts every request that went out, no more, no fewer (no retries:
        // AWS_MAX_ATTEMPTS=1).
        let calls = call_counts(&stderr);
        assert_eq!(
            calls.values().sum::<u64>(),
            proxy.requests() as u64,
            "{calls:?}"
        );
        assert!(
            proxy.peak() <= n,
            "--concurrency {n}: {} at once",
            proxy.peak()
        );
        peaks.push(proxy.peak());
    }
    // The bound is what holds the requests back: with room, they do go out together.
    assert_eq!(peaks, [1, 4], "peak requests in flight");
}

#[test]
fn ctrl_c_leaves_no_snapshot_and_exits_with_a_message() {
    run_if_child();
    let endpoint = moto();
    let account = "654321098765";
    // A few requests go through, then the proxy holds the rest: collection is underway and
    // cannot end by itself.
    let pass = 6;
    let proxy = Proxy::start(&endpoint, Duration::ZERO, pass);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snapshot.json");
    std::fs::write(&path, "the previous snapshot").unwrap();
    let child = spawn_iamsight(
        "collect::ctrl_c_leaves_no_snapshot_and_exits_with_a_message",
        &[
            "collect",
            "--role-arn",
            &role(account),
            "--region",
            "us-east-1",
            "--output",
            &path.display().to_string(),
        ],
        &proxy.url,
    );
    let started = Instant::now();
    while proxy.requests() <= pass {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "collection never got going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let pid = child.id().to_string();
    let kill = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(kill.success());
    let (code, stderr) = wait(child, Duration::from_secs(60));
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("interrupted: no snapshot written"),
        "{stderr}"
    );
    // The previous file is untouched and nothing else was left behind.
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "the previous snapshot"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["snapshot.json"]);
}

#[test]
fn ctrl_c_still_ends_a_scan_once_its_live_collection_is_over() {
    // A live collection catches Ctrl-C (to stop cleanly, writing nothing); afterwards, while
    // the scan analyses and writes its report, Ctrl-C must end the process as usual.
    run_if_child();
    let endpoint = moto();
    let account = "765432109876";
    seed(&endpoint, account, &["--scale", "5", "5"]);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "collect::ctrl_c_still_ends_a_scan_once_its_live_collection_is_over",
            "--exact",
            "--nocapture",
            "--test-threads",
            "1",
            "-q",
        ])
        .env(
            CHILD_ARGS,
            serde_json::to_string(&[
                "scan",
                "--role-arn",
                &role(account),
                "--region",
                "us-east-1",
                "--format",
                "html",
            ])
            .unwrap(),
        )
        // Never read: the HTML report is far larger than a pipe holds, so writing it blocks,
        // and the scan is certainly still running when the signal comes.
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The summary line on standard error says collection is over.
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
        assert!(n > 0, "the scan ended before collecting: {seen}");
        seen.push_str(&line);
        if line.starts_with("collected account") {
            break;
        }
    }
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Ctrl-C did not end the scan after its collection (SIGINT still caught)");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    use std::os::unix::process::ExitStatusExt;
    // Ended by the signal itself (SIGINT is 2), as a process that never caught it would be.
    assert_eq!(status.signal(), Some(2), "{status:?}: {seen}");
}

#[test]
fn scan_and_audit_without_a_snapshot_collect_live_first() {
    let endpoint = moto();
    let account = "432109876543";
    let untouched =
        untouched_moto_account(account, &seed(&endpoint, account, &["--facts"])["facts"]);
    for command in ["scan", "audit"] {
        let o = iamsight(&[
            command,
            "--role-arn",
            &role(account),
            "--region",
            "us-east-1",
            "--quiet",
            "--format",
            "json",
        ]);
        assert_eq!(o.code, 0, "{command}: {}", o.stderr);
        let report: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        assert_eq!(report["account_id"], account, "{command}");
        assert!(report["collected_at"].is_string(), "{command}");
        // Exactly what an untouched moto account is flagged for, among the checks the
        // command runs (`audit` runs the IAM ones).
        let ran: BTreeSet<&str> = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let expected: BTreeSet<(String, String)> = untouched
            .iter()
            .filter(|(check, _)| ran.contains(check.as_str()))
            .cloned()
            .collect();
        assert_eq!(flagged(&report), expected, "{command}");
        // What moto lacks (Access Analyzer) shows up as a coverage gap of the report.
        assert!(
            report["coverage_gaps"]
                .as_array()
                .unwrap()
                .iter()
                .any(|g| g["operation"] == "accessanalyzer:ListAnalyzers"),
            "{command}: {}",
            o.stdout
        );
    }
}
