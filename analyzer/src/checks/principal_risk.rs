//! Risk categories judged per principal, across every policy it has:
//! `principal-can-exfiltrate-data`, `principal-can-expose-resources`,
//! `principal-can-obtain-credentials` and `principal-can-modify-infrastructure`.
//!
//! Each category is a data list of [`Capability`]s below: something a principal can do that
//! carries the risk, made of one or more actions that are all needed (snapshotting a volume
//! *and* sharing the snapshot). A user or role has a capability when the evaluation engine
//! allows each of its actions on **any resource of its type**, with all of the principal's
//! identity policies (its groups' included), Deny statements, permissions boundary and the
//! organisation's SCPs and RCPs: a Deny in another policy, a boundary or an SCP that leaves the
//! action out, or an RCP that keeps the account's resources from the principal, removes the
//! risk.
//!
//! "Any resource" is the resource type's ARN template from the catalog with the account filled
//! in and every other part a literal `*` (`arn:aws:s3:::*/*`,
//! `arn:aws:kms:*:111122223333:key/*`), evaluated as one exact resource. So a statement on `*`
//! or on `arn:aws:s3:::*` grants it, one on `arn:aws:s3:::reports/*` or on one region does
//! not, and a Deny on one sensitive bucket does not remove the risk for the rest. Resource
//! policies that delegate to IAM (key policies, trust policies naming the account) are
//! assumed; a bucket or key policy that grants directly is not considered here.
//!
//! The request context is partial: only the keys the principal implies are known. An action
//! allowed only when some condition holds (MFA, a source IP, a resource tag) makes the
//! capability *conditional*: reported one severity lower, with the conditions. Admin
//! principals are `principal-has-admin-access`'s alone (one admin finding, not one per
//! category); service-linked roles and groups are not judged.
//!
//! Every evidence line names the deciding statement (policy, index, Sid), so a later stage can
//! tell which grant to remove or constrain.

use iam_model::catalog::Catalog;
use iam_model::eval::{
    Decision, Evaluation, Named, PolicyKind, Request, RequestContext, RequestPrincipal,
    ResourceMatch, StatementRef, derive_context, evaluate,
};
use iam_model::policy::Policy;

use super::grants::{emit_at, one_lower};
use super::{Check, Emitter, Remediation, Subject};
use crate::account::{Principal, PrincipalKind};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// One action of a capability, with the resource type to probe (`None`: the action's first
/// required resource type in the catalog, else its first; `*` for wildcard-only actions).
#[derive(Copy, Clone, Debug)]
pub struct Probe {
    /// `service:Action`.
    pub action: &'static str,
    /// Catalog resource type name.
    pub on: Option<&'static str>,
}

const fn act(action: &'static str) -> Probe {
    Probe { action, on: None }
}

const fn act_on(action: &'static str, on: &'static str) -> Probe {
    Probe {
        action,
        on: Some(on),
    }
}

/// Something a principal can do that carries a category's risk.
#[derive(Copy, Clone, Debug)]
pub struct Capability {
    /// What it means, as a message says it.
    pub what: &'static str,
    /// The actions, all needed.
    pub actions: &'static [Probe],
}

const fn cap(what: &'static str, actions: &'static [Probe]) -> Capability {
    Capability { what, actions }
}

/// Reading data out of the account.
pub const EXFILTRATION: &[Capability] = &[
    cap("read every S3 object", &[act_on("s3:GetObject", "object")]),
    cap("read every SSM parameter", &[act("ssm:GetParameter")]),
    cap("read every SSM parameter", &[act("ssm:GetParameters")]),
    cap(
        "read every SSM parameter",
        &[act("ssm:GetParametersByPath")],
    ),
    cap(
        "read every Secrets Manager secret",
        &[act("secretsmanager:GetSecretValue")],
    ),
    cap(
        "decrypt with every KMS key that delegates to IAM",
        &[act("kms:Decrypt")],
    ),
    cap("read every DynamoDB table", &[act("dynamodb:Scan")]),
    cap(
        "export every DynamoDB table",
        &[act("dynamodb:ExportTableToPointInTime")],
    ),
    cap(
        "snapshot any RDS database and share the snapshot with another account",
        &[
            act("rds:CreateDBSnapshot"),
            act("rds:ModifyDBSnapshotAttribute"),
        ],
    ),
    cap(
        "snapshot any RDS database and share the snapshot with another account",
        &[
            act("rds:CreateDBClusterSnapshot"),
            act("rds:ModifyDBClusterSnapshotAttribute"),
        ],
    ),
    cap(
        "snapshot any EBS volume and share the snapshot with another account",
        &[
            act_on("ec2:CreateSnapshot", "volume"),
            act("ec2:ModifySnapshotAttribute"),
        ],
    ),
];

/// Changing who may access resources (Permissions-management actions on resource policies).
/// Sharing EBS and RDS snapshots is in [`EXFILTRATION`].
pub const EXPOSURE: &[Capability] = &[
    cap("rewrite any S3 bucket policy", &[act("s3:PutBucketPolicy")]),
    cap("rewrite any S3 bucket ACL", &[act("s3:PutBucketAcl")]),
    cap(
        "rewrite any S3 object ACL",
        &[act_on("s3:PutObjectAcl", "object")],
    ),
    cap(
        "turn off S3 Block Public Access on any bucket",
        &[act("s3:PutBucketPublicAccessBlock")],
    ),
    cap(
        "turn off S3 Block Public Access for the account",
        &[act("s3:PutAccountPublicAccessBlock")],
    ),
    cap(
        "rewrite any S3 access point policy",
        &[act("s3:PutAccessPointPolicy")],
    ),
    cap("rewrite any KMS key policy", &[act("kms:PutKeyPolicy")]),
    cap(
        "grant others the use of any KMS key",
        &[act("kms:CreateGrant")],
    ),
    cap(
        "rewrite any SQS queue policy",
        &[act("sqs:SetQueueAttributes")],
    ),
    cap("rewrite any SQS queue policy", &[act("sqs:AddPermission")]),
    cap(
        "rewrite any SNS topic policy",
        &[act("sns:SetTopicAttributes")],
    ),
    cap("rewrite any SNS topic policy", &[act("sns:AddPermission")]),
    cap(
        "let anyone invoke any Lambda function",
        &[act("lambda:AddPermission")],
    ),
    cap(
        "share any Lambda layer",
        &[act("lambda:AddLayerVersionPermission")],
    ),
    cap(
        "rewrite any ECR repository policy",
        &[act("ecr:SetRepositoryPolicy")],
    ),
    cap(
        "rewrite any Secrets Manager secret policy",
        &[act("secretsmanager:PutResourcePolicy")],
    ),
    cap(
        "rewrite any role's trust policy",
        &[act("iam:UpdateAssumeRolePolicy")],
    ),
    cap(
        "rewrite any Glacier vault policy",
        &[act("glacier:SetVaultAccessPolicy")],
    ),
    cap(
        "rewrite any EFS file system policy",
        &[act("elasticfilesystem:PutFileSystemPolicy")],
    ),
    cap(
        "rewrite any Backup vault policy",
        &[act("backup:PutBackupVaultAccessPolicy")],
    ),
    cap(
        "share or publish any AMI",
        &[act("ec2:ModifyImageAttribute")],
    ),
];

/// Obtaining credentials or tokens for identities other than one's own session.
///
/// Left out on purpose: `sts:GetSessionToken`, `ecr:GetAuthorizationToken` and
/// `codeartifact:GetAuthorizationToken` return tokens that carry only the caller's own
/// permissions (every image pull needs the ECR one, on `*`); `secretsmanager:GetSecretValue`
/// is [`EXFILTRATION`]; `sts:AssumeRole` is `policy-allows-assume-any-role`'s and the
/// escalation graph's.
pub const CREDENTIALS: &[Capability] = &[
    cap(
        "create access keys for any IAM user",
        &[act("iam:CreateAccessKey")],
    ),
    cap(
        "set the console password of any IAM user",
        &[act("iam:CreateLoginProfile")],
    ),
    cap(
        "set the console password of any IAM user",
        &[act("iam:UpdateLoginProfile")],
    ),
    cap(
        "create service-specific credentials (CodeCommit, Keyspaces) for any IAM user",
        &[act("iam:CreateServiceSpecificCredential")],
    ),
    cap(
        "mint federation tokens, which outlive the deactivation of the key that made them",
        &[act("sts:GetFederationToken")],
    ),
    cap(
        "obtain database credentials for any Redshift user",
        &[act("redshift:GetClusterCredentials")],
    ),
    cap(
        "obtain database credentials for any Redshift user",
        &[act("redshift:GetClusterCredentialsWithIAM")],
    ),
    cap(
        "obtain database credentials for any Redshift Serverless workgroup",
        &[act("redshift-serverless:GetCredentials")],
    ),
    cap(
        "connect to any RDS database as any database user (IAM authentication)",
        &[act("rds-db:connect")],
    ),
    cap(
        "read the SSH keys and passwords of any Lightsail instance",
        &[act("lightsail:GetInstanceAccessDetails")],
    ),
];

/// Broad write on the services that make up the infrastructure: each capability is the few
/// actions that together mean control of the service's resources (create, change, destroy),
/// so one job-sized grant (`ec2:RunInstances` alone) is not reported.
pub const INFRASTRUCTURE: &[Capability] = &[
    cap(
        "launch and terminate any EC2 instance and open any security group",
        &[
            act_on("ec2:RunInstances", "instance"),
            act("ec2:TerminateInstances"),
            act("ec2:AuthorizeSecurityGroupIngress"),
        ],
    ),
    cap(
        "create and delete any IAM user and role",
        &[
            act("iam:CreateUser"),
            act("iam:DeleteUser"),
            act("iam:CreateRole"),
            act("iam:DeleteRole"),
        ],
    ),
    cap(
        "create, update and delete any CloudFormation stack",
        &[
            act("cloudformation:CreateStack"),
            act("cloudformation:UpdateStack"),
            act("cloudformation:DeleteStack"),
        ],
    ),
    cap(
        "create, rewrite and delete any Lambda function",
        &[
            act("lambda:CreateFunction"),
            act("lambda:UpdateFunctionCode"),
            act("lambda:DeleteFunction"),
        ],
    ),
    cap(
        "run tasks and change and delete any ECS service",
        &[
            act("ecs:RunTask"),
            act("ecs:UpdateService"),
            act("ecs:DeleteService"),
        ],
    ),
    cap(
        "reconfigure and delete any EKS cluster",
        &[
            act("eks:UpdateClusterConfig"),
            act("eks:CreateNodegroup"),
            act("eks:DeleteCluster"),
        ],
    ),
    cap(
        "modify and delete any RDS database",
        &[act("rds:ModifyDBInstance"), act("rds:DeleteDBInstance")],
    ),
    cap(
        "change any DNS zone",
        &[
            act("route53:ChangeResourceRecordSets"),
            act("route53:DeleteHostedZone"),
        ],
    ),
    cap(
        "stop and delete any CloudTrail trail",
        &[act("cloudtrail:StopLogging"), act("cloudtrail:DeleteTrail")],
    ),
];

/// Reading data out of the account.
pub static EXFILTRATE: Check = Check {
    id: "IAM-110",
    name: "principal-can-exfiltrate-data",
    title: "User or role can read data out of the account on every resource",
    severity: Severity::High,
    category: Category::DataExfiltration,
    service: "iam",
    rationale: "A principal that can read every object, parameter, secret or table — or decrypt with every key, or snapshot and share any volume or database — turns one leaked credential or one compromised workload into a breach of all the account's data, not of the data it works with. Judged across all of the principal's policies after Deny statements, its boundary and the organisation's SCPs and RCPs; reported one severity lower when a condition the snapshot cannot settle decides.",
    remediation: Remediation {
        console: "Scope the statements listed in the evidence to the buckets, parameters (`parameter/app/*`), secrets, keys and tables the principal uses; or add a Deny, or a permissions boundary, that limits the read actions to those resources.",
        cli: "aws iam put-user-policy / put-role-policy / create-policy-version with scoped Resource elements",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://github.com/salesforce/cloudsplaining",
    ],
    run: run_exfiltrate,
};

/// Changing who may access resources.
pub static EXPOSE: Check = Check {
    id: "IAM-111",
    name: "principal-can-expose-resources",
    title: "User or role can change the resource policy of any resource",
    severity: Severity::High,
    category: Category::ResourceExposure,
    service: "iam",
    rationale: "Permissions-management actions on resource policies (bucket policies and ACLs, key policies, queue and topic policies, function permissions, repository and secret policies, trust policies) decide who outside the principal may reach a resource. On every resource, the principal can make any of them public or share them with any account, without touching IAM. Judged across all of the principal's policies after Deny statements, its boundary and the organisation's SCPs and RCPs; reported one severity lower when a condition the snapshot cannot settle decides.",
    remediation: Remediation {
        console: "Remove the resource-policy actions from the statements listed in the evidence, or scope them to the few resources the principal administers. Turn on S3 Block Public Access at account level so bucket policies and ACLs cannot make data public.",
        cli: "aws iam put-user-policy / put-role-policy / create-policy-version with scoped Resource elements",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html",
    ],
    run: run_expose,
};

/// Obtaining credentials.
pub static CREDENTIALS_CHECK: Check = Check {
    id: "IAM-112",
    name: "principal-can-obtain-credentials",
    title: "User or role can obtain credentials for other identities",
    severity: Severity::High,
    category: Category::CredentialExposure,
    service: "iam",
    rationale: "Actions that return or set credentials — access keys and console passwords for any IAM user, federation tokens, database credentials, instance SSH keys — let the principal act as someone else, and the credentials they produce outlive the session that made them. Tokens that carry only the caller's own permissions (sts:GetSessionToken, ecr:GetAuthorizationToken) are not counted. Judged across all of the principal's policies after Deny statements, its boundary and the organisation's SCPs and RCPs; reported one severity lower when a condition the snapshot cannot settle decides.",
    remediation: Remediation {
        console: "Scope credential actions to the principal itself (`arn:aws:iam::ACCOUNT:user/${aws:username}`), to the database users it needs, or remove them; key rotation is better done by the key's owner or by automation with a narrowly scoped role.",
        cli: "aws iam put-user-policy / put-role-policy / create-policy-version with scoped Resource elements",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_aws_my-sec-creds-self-manage.html",
        "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html",
    ],
    run: run_credentials,
};

/// Broad write on infrastructure.
pub static INFRASTRUCTURE_CHECK: Check = Check {
    id: "IAM-113",
    name: "principal-can-modify-infrastructure",
    title: "User or role can create, change and destroy infrastructure on every resource",
    severity: Severity::Medium,
    category: Category::InfrastructureModification,
    service: "iam",
    rationale: "Control of a whole infrastructure service — launching and terminating any instance, rewriting any function, deleting any stack, database or DNS zone, stopping any trail — lets one credential take production down or hide its own traces. A job rarely needs all of a service on every resource; single job-sized grants are not reported. Judged across all of the principal's policies after Deny statements, its boundary and the organisation's SCPs and RCPs; reported one severity lower when a condition the snapshot cannot settle decides.",
    remediation: Remediation {
        console: "Scope the destructive actions listed in the evidence to the resources the principal owns (by ARN prefix or an `aws:ResourceTag` condition), or move them to a deployment role used only by the pipeline.",
        cli: "aws iam put-user-policy / put-role-policy / create-policy-version with scoped Resource elements",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://github.com/salesforce/cloudsplaining",
    ],
    run: run_infrastructure,
};

fn run_exfiltrate(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    run_category(
        ctx,
        out,
        &EXFILTRATE,
        EXFILTRATION,
        "can read data out of the account",
    );
}

fn run_expose(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    run_category(
        ctx,
        out,
        &EXPOSE,
        EXPOSURE,
        "can change who may access resources",
    );
}

fn run_credentials(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    run_category(
        ctx,
        out,
        &CREDENTIALS_CHECK,
        CREDENTIALS,
        "can obtain credentials for other identities",
    );
}

fn run_infrastructure(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    run_category(
        ctx,
        out,
        &INFRASTRUCTURE_CHECK,
        INFRASTRUCTURE,
        "can create, change and destroy infrastructure",
    );
}

/// "Any resource" of the probe's type: the catalog ARN template with the partition and account
/// filled in and every other variable a literal `*`.
fn any_resource(probe: &Probe, catalog: &Catalog, partition: &str, account: &str) -> String {
    let Some(action) = catalog
        .action_id(probe.action)
        .and_then(|id| catalog.get_action(id))
    else {
        return "*".to_string();
    };
    let types: Vec<_> = action.resource_types().collect();
    let chosen = match probe.on {
        Some(name) => types.iter().find(|t| t.name().eq_ignore_ascii_case(name)),
        None => types.iter().find(|t| t.required()).or(types.first()),
    };
    let Some(t) = chosen else {
        return "*".to_string();
    };
    let template = t.arn_template();
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let Some(end) = tail.find('}') else {
            out.push_str(tail);
            rest = "";
            break;
        };
        out.push_str(match &tail[2..end] {
            "Partition" => partition,
            "Account" => account,
            _ => "*",
        });
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A resource policy that delegates every action to the account's IAM policies, as default key
/// policies and "trust the account" trust policies do: the identity side then decides.
fn delegation(ctx: &Context<'_>) -> Option<Policy> {
    Policy::parse(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:{}:iam::{}:root"}},"Action":"*","Resource":"*"}}]}}"#,
        ctx.snapshot.partition, ctx.snapshot.account_id
    ))
    .ok()
}

/// One capability a principal has.
struct Held {
    capability: Capability,
    /// (action, resource probed, evaluation) per action.
    results: Vec<(&'static str, String, Evaluation)>,
    conditional: bool,
}

fn judge(
    p: &Principal<'_>,
    capabilities: &[Capability],
    delegate: Option<&Policy>,
    catalog: &Catalog,
    ctx: &Context<'_>,
) -> Vec<Held> {
    let rp = RequestPrincipal::parse(p.arn);
    let mut rc = RequestContext::new();
    derive_context(&mut rc, &rp);
    rc.partial = true;
    let mut set = p.policy_set();
    set.resource = delegate.map(|policy| Named {
        name: "delegation to IAM",
        policy,
    });
    let mut held = Vec::new();
    'caps: for c in capabilities {
        let mut results = Vec::new();
        let mut conditional = false;
        for probe in c.actions {
            // No Allow statement of its policies names the action: nothing to evaluate (the
            // delegation resource policy names the account, which needs an identity Allow).
            if catalog
                .action_id(probe.action)
                .is_some_and(|id| !ctx.graph().may_be_allowed(p.arn, id))
            {
                continue 'caps;
            }
            let resource = any_resource(
                probe,
                catalog,
                &ctx.snapshot.partition,
                &ctx.snapshot.account_id,
            );
            let e = evaluate(
                &set,
                &Request {
                    principal: &rp,
                    action: probe.action,
                    resource: &resource,
                    resource_match: ResourceMatch::Exact,
                    resource_account: None,
                    context: &rc,
                },
            );
            if e.decision != Decision::Allowed {
                continue 'caps;
            }
            conditional |= e.conditional;
            results.push((probe.action, resource, e));
        }
        held.push(Held {
            capability: *c,
            results,
            conditional,
        });
    }
    held
}

/// One line per capability, then one line per deciding statement with the actions it allows.
fn evidence_for(held: &[Held]) -> Vec<Evidence> {
    let mut ev = Vec::new();
    // (statement, actions it allows), in first-seen order.
    let mut statements: Vec<(&StatementRef, Vec<&str>)> = Vec::new();
    for h in held {
        let actions: Vec<String> = h
            .results
            .iter()
            .map(|(a, r, _)| format!("`{a}` on `{r}`"))
            .collect();
        let mut text = format!("can {}: {}", h.capability.what, actions.join(", "));
        if h.conditional {
            let conditions: Vec<String> = h
                .results
                .iter()
                .flat_map(|(_, _, e)| &e.open_conditions)
                .filter(|c| c.statement.kind != PolicyKind::Resource)
                .map(|c| {
                    format!(
                        "{} (statement {} of `{}`)",
                        c.condition, c.statement.index, c.statement.policy
                    )
                })
                .collect();
            text.push_str(&format!(
                " — only under conditions the snapshot cannot settle: {}",
                conditions.join("; ")
            ));
        }
        ev.push(Evidence::text("capability", text));
        for (action, _, e) in &h.results {
            for s in e
                .deciding_statements
                .iter()
                .filter(|s| s.kind != PolicyKind::Resource)
            {
                match statements.iter_mut().find(|(x, _)| *x == s) {
                    Some((_, acts)) if acts.contains(action) => {}
                    Some((_, acts)) => acts.push(action),
                    None => statements.push((s, vec![action])),
                }
            }
        }
    }
    for (s, actions) in statements {
        let about: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
        ev.push(Evidence {
            policy: Some(s.policy.clone()),
            statement: Some(s.index),
            sid: s.sid.clone(),
            actions: about,
            ..Evidence::text(
                "statement",
                format!(
                    "statement {}{} of `{}` allows {}",
                    s.index,
                    s.sid
                        .as_deref()
                        .map(|sid| format!(" (Sid \"{sid}\")"))
                        .unwrap_or_default(),
                    s.policy,
                    actions
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        });
    }
    ev
}

fn run_category(
    ctx: &Context<'_>,
    out: &mut Emitter<'_>,
    check: &Check,
    capabilities: &[Capability],
    verb: &str,
) {
    let catalog = Catalog::embedded();
    let graph = ctx.graph();
    let delegate = delegation(ctx);
    let default = check.severity;
    for p in &ctx.account.principals {
        let service_linked = p.path.starts_with("/aws-service-role/");
        if p.kind == PrincipalKind::Group
            || service_linked
            || p.grants.iter().all(|g| g.policy.is_none())
            || graph.is_admin(p.arn)
        {
            continue;
        }
        let held = judge(p, capabilities, delegate.as_ref(), catalog, ctx);
        if held.is_empty() {
            continue;
        }
        let conditional = held.iter().all(|h| h.conditional);
        let mut whats: Vec<&str> = Vec::new();
        for h in &held {
            if !whats.contains(&h.capability.what) {
                whats.push(h.capability.what);
            }
        }
        let mut evidence = evidence_for(&held);
        // A Deny in a policy that could not be read would not be seen.
        for g in p.unresolved() {
            evidence.push(Evidence {
                policy: Some(g.id.clone()),
                ..Evidence::text(
                    "coverage",
                    format!(
                        "`{}` could not be read (missing or invalid); a Deny in it is not taken into account",
                        g.id
                    ),
                )
            });
        }
        emit_at(
            out,
            if conditional {
                one_lower(default)
            } else {
                default
            },
            Subject::new(p.arn, &format!("iam-{}", p.kind.as_str()))
                .with_tags(p.tags.iter().map(|t| (t.key.as_str(), t.value.as_str()))),
            "",
            format!(
                "{} `{}` {verb}{}: it can {}",
                p.kind.as_str(),
                p.name,
                if conditional {
                    " (only under conditions)"
                } else {
                    ""
                },
                whats.join("; ")
            ),
            evidence,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::grants::{finding_on, run_fixture};
    use crate::config::Config;

    #[test]
    fn conditional_capabilities_are_one_severity_lower_and_name_the_condition() {
        let f = run_fixture(&EXFILTRATE, &Config::default());
        let office = finding_on(&f, "user/fail-reader-from-office");
        assert_eq!(office.severity, Severity::Medium);
        assert!(office.message.contains("only under conditions"));
        assert!(office.evidence[0].text.contains("aws:SourceIp"));
        assert_eq!(
            finding_on(&f, "user/fail-s3-reader").severity,
            Severity::High
        );
        // The deciding statement is named exactly, for risk × use.
        let reader = finding_on(&f, "user/fail-s3-reader");
        let st = reader
            .evidence
            .iter()
            .find(|e| e.kind == "statement")
            .unwrap();
        assert_eq!(
            st.policy.as_deref(),
            Some("arn:aws:iam::111122223333:policy/s3-read-everything")
        );
        assert_eq!(
            (st.statement, st.sid.as_deref()),
            (Some(0), Some("ReadAll"))
        );
    }

    /// A region-restricting SCP does not make a capability conditional: the principal can
    /// use it in the regions the account works in.
    #[test]
    fn a_region_scp_leaves_the_risk_at_full_severity() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/checks/principal-can-exfiltrate-data/scp-regions.json");
        let snap =
            iam_model::snapshot::Snapshot::from_json_str(&std::fs::read_to_string(path).unwrap())
                .unwrap();
        let config = Config::default();
        let ctx = Context::new(&snap, &config);
        let mut em = Emitter::new(&EXFILTRATE);
        (EXFILTRATE.run)(&ctx, &mut em);
        let f = em.into_findings();
        let reader = finding_on(&f, "user/fail-secret-reader-in-our-regions");
        assert_eq!(reader.severity, Severity::High, "{}", reader.message);
        assert!(!reader.message.contains("only under conditions"));
    }

    #[test]
    fn every_listed_action_is_in_the_catalog_with_its_resource_type() {
        let catalog = Catalog::embedded();
        for list in [EXFILTRATION, EXPOSURE, CREDENTIALS, INFRASTRUCTURE] {
            for c in list {
                for p in c.actions {
                    let id = catalog
                        .action_id(p.action)
                        .unwrap_or_else(|| panic!("{} is not in the catalog", p.action));
                    if let Some(on) = p.on {
                        assert!(
                            catalog
                                .action(id)
                                .resource_types()
                                .any(|t| t.name().eq_ignore_ascii_case(on)),
                            "{} has no resource type {on}",
                            p.action
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn any_resource_fills_the_template() {
        let c = Catalog::embedded();
        let r = |a, on| any_resource(&Probe { action: a, on }, c, "aws", "111122223333");
        assert_eq!(r("s3:GetObject", Some("object")), "arn:aws:s3:::*/*");
        assert_eq!(r("kms:Decrypt", None), "arn:aws:kms:*:111122223333:key/*");
        assert_eq!(r("s3:PutAccountPublicAccessBlock", None), "*");
        assert_eq!(
            r("iam:CreateAccessKey", None),
            "arn:aws:iam::111122223333:user/*"
        );
    }
}
