//! Toxic combinations: weaknesses that are each bad and together open a path to compromise,
//! found by joining runtime data with the permission graph.
//!
//! - `internet-exposed-instance-with-admin-role`: a running instance with a public IP, in a
//!   security group open to the world on an administrative port (SSH, RDP or all traffic),
//!   that runs as a role that is admin or can escalate to admin.
//! - `externally-assumable-role-can-read-secrets`: a role whose trust policy admits principals
//!   outside the organisation (another account, anyone, or a web identity) and whose
//!   permissions can read secrets. "Outside" is judged against the organisation when the
//!   snapshot has it: its accounts (this one, the management account, `Accounts`) are inside,
//!   and so is whoever a statement admits only with `aws:PrincipalOrgID` (or
//!   `aws:PrincipalOrgPaths`) naming it; an RCP that certainly denies outsiders `sts:AssumeRole*`
//!   on the role closes the door. Without the organisation, the account and `known_accounts`
//!   stand for it, and an org condition that names an organisation the snapshot does not show
//!   is said, not trusted.

use iam_model::eval::{
    Decision, Named, PolicyKind, PolicySet, Request, RequestContext, RequestPrincipal,
    ResourceMatch, derive_context, evaluate,
};
use iam_model::policy::{Effect, Policy, PrincipalKind as PK, Principals, Statement};

use super::grants::{key_is, narrows};

use super::security_group_open::world_open_on;
use super::subjects::{ec2_arn, tag_pairs};
use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Internet-reachable instance running as an admin role.
pub static EXPOSED_ADMIN_INSTANCE: Check = Check {
    id: "TOX-001",
    name: "internet-exposed-instance-with-admin-role",
    title: "Internet-exposed instance runs as an administrator role",
    severity: Severity::Critical,
    category: Category::ToxicCombination,
    service: "ec2",
    rationale: "Anyone who breaks into an instance reachable from the internet on an administrative port can read its role's credentials from the metadata service; when that role is admin (or can become admin), one compromised host is the whole account.",
    remediation: Remediation {
        console: "Break the chain at any link: close the port to the world (use Session Manager), remove the public IP, require IMDSv2, and give the instance a role scoped to what it runs.",
        cli: "aws ec2 revoke-security-group-ingress --group-id GROUP --protocol tcp --port 22 --cidr 0.0.0.0/0; aws ec2 modify-instance-metadata-options --instance-id ID --http-tokens required",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    ],
    run: run_exposed,
};

fn run_exposed(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let roles = &ctx.snapshot.authorization_details.roles;
    let graph = ctx.graph();
    for (region, sec) in &ctx.snapshot.regions {
        let Some(ec2) = &sec.ec2 else { continue };
        for inst in &ec2.instances {
            if inst.state.as_ref().is_some_and(|s| s.name != "running")
                || inst.public_ip_address.is_none()
            {
                continue;
            }
            let Some(profile) = &inst.iam_instance_profile else {
                continue;
            };
            let Some(role) = roles
                .iter()
                .find(|r| r.instance_profile_list.iter().any(|p| p.arn == profile.arn))
            else {
                continue;
            };
            let power = if graph.is_admin(&role.arn) {
                "is admin".to_string()
            } else if let Some(p) = graph.path_to_admin(&role.arn) {
                format!("can become admin via {}", p.steps[0].method)
            } else {
                continue;
            };
            let mut open = Vec::new();
            for gid in &inst.security_groups {
                let Some(g) = ec2
                    .security_groups
                    .iter()
                    .find(|g| g.group_id == gid.group_id)
                else {
                    continue;
                };
                for rule in &g.ip_permissions {
                    for port in [22, 3389] {
                        for cidr in world_open_on(rule, port) {
                            open.push(format!("{} allows tcp/{port} from {cidr}", g.group_id));
                        }
                    }
                }
            }
            if open.is_empty() {
                continue;
            }
            open.sort();
            open.dedup();
            let mut evidence = vec![
                Evidence::text(
                    "attribute",
                    format!(
                        "PublicIpAddress = {}",
                        inst.public_ip_address.as_deref().unwrap_or("")
                    ),
                ),
                Evidence::text("attribute", format!("runs as {} ({power})", role.arn)),
            ];
            evidence.extend(open.iter().map(|o| Evidence::text("rule", o.clone())));
            if let Some(m) = &inst.metadata_options
                && m.http_tokens.as_deref() != Some("required")
            {
                evidence.push(Evidence::text(
                    "attribute",
                    "MetadataOptions.HttpTokens = optional (IMDSv1 allowed)",
                ));
            }
            out.emit(
                Subject::new(
                    ec2_arn(ctx, region, "instance", &inst.instance_id),
                    "ec2-instance",
                )
                .in_region(region)
                .with_tags(tag_pairs(&inst.tags)),
                "",
                format!(
                    "instance {} is reachable from the internet and runs as {} which {power}",
                    inst.instance_id, role.role_name
                ),
                evidence,
            );
        }
    }
}

/// Secrets-reading actions probed by `externally-assumable-role-can-read-secrets`.
const SECRET_READS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
];

/// Role assumable from outside that can read secrets.
pub static EXTERNAL_SECRETS: Check = Check {
    id: "TOX-002",
    name: "externally-assumable-role-can-read-secrets",
    title: "Role assumable from outside the organisation can read secrets",
    severity: Severity::High,
    category: Category::ToxicCombination,
    service: "iam",
    rationale: "A role that principals outside the organisation (or anyone, or a web identity) can assume, and that can read Secrets Manager secrets or SSM parameters, hands the account's credentials to whoever controls the trusted side. The organisation's accounts, trust statements that require its `aws:PrincipalOrgID`, and RCPs that keep outsiders from assuming the role count as inside; without the organisation in the snapshot, the account and `known_accounts` stand for it.",
    remediation: Remediation {
        console: "Restrict the trust policy (sts:ExternalId, aws:PrincipalOrgID, a specific principal ARN, an OIDC `sub` condition) or remove the secret-reading permissions; scope them to the specific secrets the partner needs.",
        cli: "aws iam update-assume-role-policy --role-name NAME --policy-document file://trust.json",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access.html",
    ],
    run: run_external,
};

/// Someone outside the organisation that a trust statement admits.
enum Outsider {
    /// `"Principal": "*"` or `{"AWS": "*"}`.
    Anyone,
    /// Another AWS account.
    Account(String),
    /// An OIDC web identity provider.
    WebIdentity(String),
}

impl Outsider {
    fn describe(&self) -> String {
        match self {
            Outsider::Anyone => "anyone (*)".to_string(),
            Outsider::Account(a) => format!("account {a}"),
            Outsider::WebIdentity(p) => format!("web identity {p}"),
        }
    }
}

/// Does the statement admit only principals of organisation `org` (a narrowing
/// `aws:PrincipalOrgID` condition naming it, or `aws:PrincipalOrgPaths` under it)?
fn only_principals_of(st: &Statement, org: &str) -> bool {
    st.conditions.iter().any(|c| {
        let values: Vec<String> = c.values.iter().map(|v| v.as_text().into_owned()).collect();
        narrows(c)
            && !values.is_empty()
            && ((key_is(c, "aws:PrincipalOrgID")
                && values.iter().all(|v| v.eq_ignore_ascii_case(org)))
                || (key_is(c, "aws:PrincipalOrgPaths")
                    && values.iter().all(|v| {
                        v.get(..org.len() + 1)
                            .is_some_and(|p| p.eq_ignore_ascii_case(&format!("{org}/")))
                    })))
    })
}

/// The organisation an org condition of the statement names, if any.
fn org_condition(st: &Statement) -> Option<String> {
    st.conditions
        .iter()
        .filter(|c| narrows(c) && key_is(c, "aws:PrincipalOrgID"))
        .flat_map(|c| c.values.iter().map(|v| v.as_text().into_owned()))
        .next()
}

/// The RCP statement that certainly denies this outsider assuming the role, if any.
fn rcp_keeps_out(
    ctx: &Context<'_>,
    role: &crate::account::Principal<'_>,
    trust: &Policy,
    who: &Outsider,
) -> Option<String> {
    if role.rcps.is_empty() {
        return None;
    }
    let part = &ctx.snapshot.partition;
    // An outsider stands for every outsider: a principal of an account outside the
    // organisation (for "anyone", an account the snapshot knows nothing of).
    let (caller, action) = match who {
        Outsider::Anyone => (
            format!("arn:{part}:iam::000000000000:role/outsider"),
            "sts:AssumeRole",
        ),
        Outsider::Account(a) => (
            format!("arn:{part}:iam::{a}:role/outsider"),
            "sts:AssumeRole",
        ),
        Outsider::WebIdentity(p) => (p.clone(), "sts:AssumeRoleWithWebIdentity"),
    };
    let rp = RequestPrincipal::parse(&caller);
    let mut rc = RequestContext::new();
    // Outside the organisation: no (or another) organisation id; a signed caller, not a
    // service.
    rc.set_many("aws:PrincipalOrgID", Vec::new());
    rc.set("aws:PrincipalIsAWSService", "false");
    derive_context(&mut rc, &rp);
    rc.partial = true;
    let set = PolicySet {
        resource: Some(Named {
            name: "trust policy",
            policy: trust,
        }),
        rcps: role.rcps.clone(),
        ..PolicySet::default()
    };
    let e = evaluate(
        &set,
        &Request {
            principal: &rp,
            action,
            resource: role.arn,
            resource_match: ResourceMatch::Exact,
            resource_account: Some(&ctx.snapshot.account_id),
            context: &rc,
        },
    );
    (e.decision == Decision::ExplicitlyDenied && !e.conditional)
        .then(|| {
            e.deciding_statements
                .iter()
                .find(|s| s.kind == PolicyKind::Rcp)
                .map(|s| match &s.sid {
                    Some(sid) => format!(
                        "statement {} (Sid \"{sid}\") of RCP `{}`",
                        s.index, s.policy
                    ),
                    None => format!("statement {} of RCP `{}`", s.index, s.policy),
                })
        })
        .flatten()
}

fn run_external(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let own = ctx.snapshot.account_id.as_str();
    let org = &ctx.account.organisation;
    // Inside: the organisation's accounts when the snapshot has it, else this account and the
    // configured known ones.
    let inside = |acct: &str| match org.contains(acct) {
        Some(known) => known,
        None => acct == own || ctx.config.known_accounts.iter().any(|k| k == acct),
    };
    for r in &ctx.snapshot.authorization_details.roles {
        if r.is_service_linked() {
            continue;
        }
        let Some(Ok(trust)) = r.assume_role_policy_document.as_ref().map(|d| d.policy()) else {
            continue;
        };
        let Some(p) = ctx.account.by_arn(&r.arn) else {
            continue;
        };
        let mut outsiders: Vec<Outsider> = Vec::new();
        let mut notes: Vec<Evidence> = Vec::new();
        for (i, st) in trust
            .statements
            .iter()
            .enumerate()
            .filter(|(_, s)| s.effect == Effect::Allow)
        {
            let Some(pc) = &st.principal else { continue };
            if pc.negated {
                continue;
            }
            if org.id.is_some_and(|id| only_principals_of(st, id)) {
                continue;
            }
            let before = outsiders.len();
            match &pc.principals {
                Principals::Any => outsiders.push(Outsider::Anyone),
                Principals::Listed(ids) => {
                    for id in ids {
                        match id.kind {
                            PK::Aws if id.value == "*" => outsiders.push(Outsider::Anyone),
                            PK::Aws => {
                                let acct = if id.value.len() == 12 {
                                    id.value.clone()
                                } else {
                                    id.value
                                        .parse::<iam_model::Arn>()
                                        .map(|a| a.account)
                                        .unwrap_or_default()
                                };
                                if !acct.is_empty() && !inside(&acct) {
                                    outsiders.push(Outsider::Account(acct));
                                }
                            }
                            PK::Federated if !id.value.contains("saml-provider") => {
                                outsiders.push(Outsider::WebIdentity(id.value.clone()))
                            }
                            _ => {}
                        }
                    }
                }
            }
            if outsiders.len() > before
                && let Some(named) = org_condition(st)
            {
                notes.push(Evidence::text(
                    "trust",
                    format!(
                        "statement {i} requires aws:PrincipalOrgID `{named}`, which the snapshot does not show to be this account's organisation"
                    ),
                ));
            }
        }
        // An RCP that keeps outsiders from assuming the role closes the door.
        outsiders.retain(|o| match rcp_keeps_out(ctx, p, trust, o) {
            Some(by) => {
                notes.push(Evidence::text(
                    "rcp",
                    format!("{} cannot assume it: {by} denies it", o.describe()),
                ));
                false
            }
            None => true,
        });
        let outsiders: Vec<String> = outsiders.iter().map(Outsider::describe).collect();
        if outsiders.is_empty() {
            continue;
        }
        let set = p.policy_set();
        let rp = RequestPrincipal::parse(&r.arn);
        let mut rctx = RequestContext::new();
        derive_context(&mut rctx, &rp);
        rctx.partial = true;
        let mut reads = Vec::new();
        for action in SECRET_READS {
            let e = evaluate(
                &set,
                &Request {
                    principal: &rp,
                    action,
                    resource: "*",
                    resource_match: ResourceMatch::Any,
                    resource_account: None,
                    context: &rctx,
                },
            );
            if e.decision == Decision::Allowed {
                reads.push((action, e));
            }
        }
        if reads.is_empty() {
            continue;
        }
        let mut evidence: Vec<Evidence> = outsiders
            .iter()
            .map(|o| Evidence::text("trust", format!("trust policy admits {o}")))
            .collect();
        evidence.extend(notes);
        for (a, e) in &reads {
            for st in &e.deciding_statements {
                evidence.push(Evidence {
                    policy: Some(st.policy.clone()),
                    statement: Some(st.index),
                    sid: st.sid.clone(),
                    ..Evidence::text(
                        "statement",
                        format!("{a} allowed by statement {} of `{}`", st.index, st.policy),
                    )
                });
            }
        }
        out.emit(
            Subject::new(r.arn.clone(), "iam-role").with_tags(tag_pairs(&r.tags)),
            "",
            format!(
                "role {} can be assumed by {} and can read secrets ({})",
                r.role_name,
                outsiders.join(", "),
                reads
                    .iter()
                    .map(|(a, _)| **a)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::report::Finding;

    fn run_file(file: &str, config: &Config) -> Vec<Finding> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/checks/externally-assumable-role-can-read-secrets")
            .join(file);
        let snap =
            iam_model::snapshot::Snapshot::from_json_str(&std::fs::read_to_string(path).unwrap())
                .unwrap();
        let ctx = Context::new(&snap, config);
        let mut em = Emitter::new(&EXTERNAL_SECRETS);
        (EXTERNAL_SECRETS.run)(&ctx, &mut em);
        em.into_findings()
    }

    fn flagged(findings: &[Finding]) -> Vec<&str> {
        let mut v: Vec<&str> = findings
            .iter()
            .map(|f| f.resource.rsplit('/').next().unwrap_or_default())
            .collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn outside_means_outside_the_organisation_when_the_snapshot_has_it() {
        // Known accounts stand for the organisation only without it: a vendor listed as known
        // is still outside the organisation.
        let config = Config {
            known_accounts: vec!["210987654321".to_string(), "444455556666".to_string()],
            ..Config::default()
        };
        let org = run_file("organisation.json", &config);
        assert_eq!(
            flagged(&org),
            [
                "fail-org-if-exists-secrets",
                "fail-other-org-secrets",
                "fail-vendor-secrets"
            ]
        );
        // Without the organisation, the known accounts are inside.
        let fallback = run_file("resources.json", &config);
        assert!(!flagged(&fallback).contains(&"fail-partner-secrets"));
        let unknown = fallback
            .iter()
            .find(|f| f.resource.ends_with("fail-unknown-org-condition-secrets"))
            .unwrap();
        assert!(
            unknown.evidence.iter().any(|e| e.text
                == "statement 0 requires aws:PrincipalOrgID `o-a1b2c3d4e5`, which the snapshot does not show to be this account's organisation"),
            "{:?}",
            unknown.evidence
        );
    }

    #[test]
    fn an_rcp_that_keeps_outsiders_out_closes_the_door() {
        let f = run_file("rcp.json", &Config::default());
        assert_eq!(flagged(&f), ["fail-vendor-secrets-exempt-from-rcp"]);
        assert!(
            f[0].message.contains("account 210987654321"),
            "{}",
            f[0].message
        );
    }
}
