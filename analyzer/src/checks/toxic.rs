//! Toxic combinations: weaknesses that are each bad and together open a path to compromise,
//! found by joining runtime data with the permission graph.
//!
//! - `internet-exposed-instance-with-admin-role`: a running instance with a public IP, in a
//!   security group open to the world on an administrative port (SSH, RDP or all traffic),
//!   that runs as a role that is admin or can escalate to admin.
//! - `externally-assumable-role-can-read-secrets`: a role whose trust policy admits principals
//!   outside the account and its known partners (another account, anyone, or a web identity)
//!   and whose permissions can read secrets.

use iam_model::eval::{
    Decision, RequestContext, RequestPrincipal, ResourceMatch, derive_context, evaluate,
};
use iam_model::policy::{Effect, PrincipalKind as PK, Principals};

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
    title: "Role assumable from outside the account can read secrets",
    severity: Severity::High,
    category: Category::ToxicCombination,
    service: "iam",
    rationale: "A role that principals outside the account (or anyone, or a web identity) can assume, and that can read Secrets Manager secrets or SSM parameters, hands the account's credentials to whoever controls the trusted side.",
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

fn run_external(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let own = &ctx.snapshot.account_id;
    for r in &ctx.snapshot.authorization_details.roles {
        if r.is_service_linked() {
            continue;
        }
        let Some(Ok(trust)) = r.assume_role_policy_document.as_ref().map(|d| d.policy()) else {
            continue;
        };
        let mut outsiders = Vec::new();
        for st in trust
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow)
        {
            let Some(pc) = &st.principal else { continue };
            if pc.negated {
                continue;
            }
            match &pc.principals {
                Principals::Any => outsiders.push("anyone (*)".to_string()),
                Principals::Listed(ids) => {
                    for id in ids {
                        match id.kind {
                            PK::Aws => {
                                let acct = if id.value.len() == 12 {
                                    id.value.clone()
                                } else {
                                    id.value
                                        .parse::<iam_model::Arn>()
                                        .map(|a| a.account)
                                        .unwrap_or_default()
                                };
                                if id.value == "*" {
                                    outsiders.push("anyone (AWS *)".to_string());
                                } else if !acct.is_empty()
                                    && &acct != own
                                    && !ctx.config.known_accounts.contains(&acct)
                                {
                                    outsiders.push(format!("account {acct}"));
                                }
                            }
                            PK::Federated if !id.value.contains("saml-provider") => {
                                outsiders.push(format!("web identity {}", id.value))
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
        if outsiders.is_empty() {
            continue;
        }
        let Some(p) = ctx.account.by_arn(&r.arn) else {
            continue;
        };
        let set = p.policy_set();
        let rp = RequestPrincipal::parse(&r.arn);
        let mut rctx = RequestContext::new();
        derive_context(&mut rctx, &rp);
        rctx.partial = true;
        let mut reads = Vec::new();
        for action in SECRET_READS {
            let e = evaluate(
                &set,
                &iam_model::eval::Request {
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
