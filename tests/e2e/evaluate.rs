//! `simulate` and `can` as a user meets them.

use std::io::Write;

use e2e::{fixture, iamsight};

fn temp(contents: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".json").tempfile().unwrap();
    f.write_all(contents.as_bytes()).unwrap();
    f
}

#[test]
fn simulate_one_case_explains_the_decision() {
    let case = r#"{"identity_policies":[{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}],
      "permission_boundary":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]},
      "request":{"principal":"arn:aws:iam::111111111111:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}}"#;
    let f = temp(case);
    let path = f.path().display().to_string();
    let o = iamsight(&["simulate", &path, "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let r: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(r["decision"], "Allowed");
    assert_eq!(r["deciding_statements"][0]["sid"], "Read");
    let o = iamsight(&["simulate", &path]);
    assert!(
        o.stdout.starts_with(
            "Allowed: arn:aws:iam::111111111111:user/alice → s3:GetObject on arn:aws:s3:::b/k"
        ),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("statement 0 (Sid `Read`)"),
        "{}",
        o.stdout
    );
}

#[test]
fn simulate_an_array_prints_one_result_per_case_in_order() {
    let path = fixture("eval-cases/boundaries.json");
    let o = iamsight(&["simulate", &path, "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let got: Vec<serde_json::Value> = serde_json::from_str(&o.stdout).unwrap();
    let cases: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(got.len(), cases.len());
    for (g, c) in got.iter().zip(&cases) {
        assert_eq!(g["decision"], c["expect"]["decision"], "{}", c["name"]);
    }
}

#[test]
fn simulate_context_overrides_derived_values() {
    let case = r#"{"identity_policies":[{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}],
      "request":{"principal":"arn:aws:iam::111111111111:user/alice","action":"s3:GetObject","resource":"arn:aws:s3:::home/bob/x","context":{"aws:username":"bob"}}}"#;
    let f = temp(case);
    let o = iamsight(&[
        "simulate",
        &f.path().display().to_string(),
        "--format",
        "json",
    ]);
    let r: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(r["decision"], "Allowed");
}

#[test]
fn simulate_names_bad_policies_and_bad_fields() {
    let case = r#"{"identity_policies":[{"Statement":[{"Effect":"Permit","Action":"s3:*","Resource":"*"}]}],
      "request":{"principal":"arn:aws:iam::111111111111:user/alice","action":"s3:GetObject"}}"#;
    let f = temp(case);
    let path = f.path().display().to_string();
    let o = iamsight(&["simulate", &path]);
    assert_eq!(o.code, 2);
    assert_eq!(
        o.stderr,
        format!(
            "error: `{path}`: identity_policies[0]: Statement[0].Effect: expected `Allow` or `Deny`, found `Permit`\n"
        )
    );
    let f = temp(r#"{"request":{"principal":"x","action":"s3:GetObject","resurce":"*"}}"#);
    let o = iamsight(&["simulate", &f.path().display().to_string()]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("at `request.resurce` (line 1 column 61): unknown field `resurce`"),
        "{}",
        o.stderr
    );
}

#[test]
fn can_uses_groups_boundaries_and_trust_policies_of_the_snapshot() {
    // An admin through AdministratorAccess.
    let o = iamsight(&[
        "can",
        "maria.garcia",
        "iam:CreateUser",
        "--demo",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let r: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(r["decision"], "Allowed");
    assert_eq!(
        r["deciding_statements"][0]["policy"],
        "arn:aws:iam::aws:policy/AdministratorAccess"
    );
    // The well-behaved user cannot create users.
    let o = iamsight(&[
        "can",
        "priya.sharma",
        "iam:CreateUser",
        "--demo",
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    let o = iamsight(&["can", "nobody-here", "s3:GetObject", "--demo"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("no user or role `nobody-here`"),
        "{}",
        o.stderr
    );
}

/// The organisation's SCPs take part in `can` and `who-can`: the Deny of
/// `IamOnlyForPlatform` stops everyone outside `user/platform/`, and is named.
#[test]
fn can_and_who_can_honour_the_organisations_scps() {
    let snap = fixture("checks/principal-can-escalate-to-admin/scp-deny-iam.json");
    let role = "arn:aws:iam::111122223333:role/lambda-admin";
    let o = iamsight(&[
        "can",
        "pass-passer-under-scp",
        "iam:PassRole",
        role,
        "--snapshot",
        &snap,
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 1, "{}{}", o.stdout, o.stderr);
    let r: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(r["decision"], "ExplicitlyDenied");
    assert_eq!(r["blocked_by"], serde_json::json!(["scp"]));
    assert_eq!(r["deciding_statements"][0]["sid"], "IamOnlyForPlatform");
    let o = iamsight(&[
        "can",
        "fail-platform-passer",
        "iam:PassRole",
        role,
        "--snapshot",
        &snap,
    ]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    // Only the platform user may pass the role; the admin role itself is under the SCP too.
    let o = iamsight(&[
        "who-can",
        "iam:PassRole",
        role,
        "--snapshot",
        &snap,
        "--format",
        "json",
    ]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    let who: Vec<serde_json::Value> = serde_json::from_str(&o.stdout).unwrap();
    let names: Vec<&str> = who
        .iter()
        .map(|w| w["principal"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["arn:aws:iam::111122223333:user/platform/fail-platform-passer"]
    );
}
