use super::*;

fn pol(json: &str) -> Policy {
    Policy::parse(json).unwrap()
}

fn eval_with(
    set: &PolicySet<'_>,
    principal: &str,
    action: &str,
    resource: &str,
    ctx: &RequestContext,
) -> Evaluation {
    let p = RequestPrincipal::parse(principal);
    evaluate(
        set,
        &Request {
            principal: &p,
            action,
            resource,
            resource_match: ResourceMatch::Exact,
            resource_account: None,
            context: ctx,
        },
    )
}

#[test]
fn deny_wins_and_allow_grants() {
    let allow = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
    );
    let deny = pol(
        r#"{"Version":"2012-10-17","Statement":{"Sid":"NoDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}}"#,
    );
    let set = PolicySet {
        identity: vec![
            Named {
                name: "a",
                policy: &allow,
            },
            Named {
                name: "d",
                policy: &deny,
            },
        ],
        ..PolicySet::default()
    };
    let ctx = RequestContext::new();
    let u = "arn:aws:iam::111111111111:user/alice";
    let e = eval_with(&set, u, "s3:GetObject", "arn:aws:s3:::b/k", &ctx);
    assert_eq!(e.decision, Decision::Allowed);
    assert_eq!(e.deciding_statements[0].policy, "a");
    let e = eval_with(&set, u, "s3:DeleteObject", "arn:aws:s3:::b/k", &ctx);
    assert_eq!(e.decision, Decision::ExplicitlyDenied);
    assert_eq!(e.blocked_by, vec![PolicyKind::Identity]);
    assert_eq!(e.deciding_statements[0].sid.as_deref(), Some("NoDelete"));
    let e = eval_with(&set, u, "ec2:RunInstances", "*", &ctx);
    assert_eq!(e.decision, Decision::ImplicitlyDenied);
}

#[test]
fn unknown_context_makes_the_result_conditional() {
    let allow = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}"#,
    );
    let set = PolicySet {
        identity: vec![Named {
            name: "a",
            policy: &allow,
        }],
        ..PolicySet::default()
    };
    let mut ctx = RequestContext::new();
    ctx.partial = true;
    let e = eval_with(
        &set,
        "arn:aws:iam::111111111111:user/alice",
        "s3:GetObject",
        "*",
        &ctx,
    );
    assert_eq!(e.decision, Decision::Allowed);
    assert!(e.conditional);
    assert!(
        e.open_conditions[0]
            .condition
            .contains("aws:MultiFactorAuthPresent")
    );
    let full = RequestContext::new();
    let e = eval_with(
        &set,
        "arn:aws:iam::111111111111:user/alice",
        "s3:GetObject",
        "*",
        &full,
    );
    assert_eq!(e.decision, Decision::ImplicitlyDenied);
    assert!(!e.conditional);
}

#[test]
fn a_key_set_with_no_value_is_known_absent_even_in_a_partial_context() {
    // The graph says "this principal has no permissions boundary" this way: the key is
    // known, with no value, so conditions on it are decided as for an absent key.
    let allow = pol(r#"{"Version":"2012-10-17","Statement":[
            {"Sid":"OnlyWithBoundary","Effect":"Allow","Action":"iam:PutUserPolicy","Resource":"*",
             "Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::111111111111:policy/b"}}},
            {"Sid":"OnlyWithoutBoundary","Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"*",
             "Condition":{"Null":{"iam:PermissionsBoundary":"true"}}}]}"#);
    let set = PolicySet {
        identity: vec![Named {
            name: "a",
            policy: &allow,
        }],
        ..PolicySet::default()
    };
    let run = |ctx: &RequestContext, action: &str| {
        eval_with(
            &set,
            "arn:aws:iam::111111111111:user/alice",
            action,
            "arn:aws:iam::111111111111:user/bob",
            ctx,
        )
    };
    let mut absent = RequestContext::new();
    absent.partial = true;
    absent.set_many("iam:PermissionsBoundary", Vec::new());
    let e = run(&absent, "iam:PutUserPolicy");
    assert_eq!(
        (e.decision, e.conditional),
        (Decision::ImplicitlyDenied, false)
    );
    let e = run(&absent, "iam:AttachUserPolicy");
    assert_eq!((e.decision, e.conditional), (Decision::Allowed, false));
    // Not set at all: unknown, so both are conditional allows.
    let mut unknown = RequestContext::new();
    unknown.partial = true;
    for action in ["iam:PutUserPolicy", "iam:AttachUserPolicy"] {
        let e = run(&unknown, action);
        assert_eq!(
            (e.decision, e.conditional),
            (Decision::Allowed, true),
            "{action}"
        );
    }
}

#[test]
fn the_organisation_id_is_known_to_scps_and_rcps_when_the_set_names_it() {
    // A perimeter RCP and an SCP written against the organisation's keys.
    let allow = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    let full_rcp = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}"#,
    );
    let perimeter = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":["s3:*","sts:AssumeRole"],"Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}}"#,
    );
    let own_org_only = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceOrgID":"${aws:PrincipalOrgID}"}}}}"#,
    );
    let mut set = PolicySet {
        identity: vec![Named {
            name: "a",
            policy: &allow,
        }],
        scps: vec![vec![
            Named {
                name: "full",
                policy: &allow,
            },
            Named {
                name: "own-org",
                policy: &own_org_only,
            },
        ]],
        rcps: vec![vec![
            Named {
                name: "full",
                policy: &full_rcp,
            },
            Named {
                name: "perimeter",
                policy: &perimeter,
            },
        ]],
        ..PolicySet::default()
    };
    let mut ctx = RequestContext::new();
    ctx.partial = true;
    let alice = "arn:aws:iam::111111111111:user/alice";
    // Without the organisation id, the conditions stay open.
    let e = eval_with(&set, alice, "s3:GetObject", "arn:aws:s3:::b/k", &ctx);
    assert_eq!(e.decision, Decision::Allowed);
    assert!(e.conditional);
    // With it, the principal is inside: certainly allowed.
    set.org_id = Some("o-a1b2c3d4e5");
    let e = eval_with(&set, alice, "s3:GetObject", "arn:aws:s3:::b/k", &ctx);
    assert_eq!((e.decision, e.conditional), (Decision::Allowed, false));
    // A caller of another organisation (given in the context) is stopped by the RCP.
    ctx.set("aws:PrincipalOrgID", "o-zzzzzzzzzz");
    let e = eval_with(
        &set,
        alice,
        "sts:AssumeRole",
        "arn:aws:iam::111111111111:role/r",
        &ctx,
    );
    assert_eq!(e.decision, Decision::ExplicitlyDenied);
    assert_eq!(e.blocked_by, vec![PolicyKind::Rcp]);
}

#[test]
fn rcps_govern_only_the_services_that_support_them() {
    let allow = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    let deny_all = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}"#,
    );
    let set = PolicySet {
        identity: vec![Named {
            name: "a",
            policy: &allow,
        }],
        rcps: vec![vec![Named {
            name: "deny",
            policy: &deny_all,
        }]],
        ..PolicySet::default()
    };
    let ctx = RequestContext::new();
    let alice = "arn:aws:iam::111111111111:user/alice";
    let ec2 = eval_with(&set, alice, "ec2:RunInstances", "*", &ctx);
    assert_eq!(ec2.decision, Decision::Allowed);
    for action in [
        "s3:GetObject",
        "secretsmanager:GetSecretValue",
        "kms:Decrypt",
    ] {
        let e = eval_with(&set, alice, action, "*", &ctx);
        assert_eq!(e.decision, Decision::ExplicitlyDenied, "{action}");
    }
}

#[test]
fn a_capability_question_may_choose_the_region() {
    let allow = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
    );
    let regions_scp = pol(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}"#,
    );
    let mut set = PolicySet {
        identity: vec![Named {
            name: "a",
            policy: &allow,
        }],
        scps: vec![vec![Named {
            name: "regions",
            policy: &regions_scp,
        }]],
        ..PolicySet::default()
    };
    let mut ctx = RequestContext::new();
    ctx.partial = true;
    let alice = "arn:aws:iam::111111111111:user/alice";
    let e = eval_with(&set, alice, "lambda:CreateFunction", "*", &ctx);
    assert_eq!((e.decision, e.conditional), (Decision::Allowed, true));
    // The account works in two regions; the caller may pick eu-west-1.
    let regions = ["ap-south-1", "eu-west-1"];
    set.regions = &regions;
    let e = eval_with(&set, alice, "lambda:CreateFunction", "*", &ctx);
    assert_eq!((e.decision, e.conditional), (Decision::Allowed, false));
    // No region it works in is allowed: still open.
    let elsewhere = ["ap-south-1"];
    set.regions = &elsewhere;
    let e = eval_with(&set, alice, "lambda:CreateFunction", "*", &ctx);
    assert!(e.conditional);
    // A region the request names is never replaced.
    set.regions = &regions;
    ctx.set("aws:RequestedRegion", "ap-south-1");
    let e = eval_with(&set, alice, "lambda:CreateFunction", "*", &ctx);
    assert_eq!(e.decision, Decision::ExplicitlyDenied);
}

#[test]
fn signed_callers_are_not_aws_services() {
    let mut ctx = RequestContext::new();
    derive_context(
        &mut ctx,
        &RequestPrincipal::parse("arn:aws:iam::111111111111:role/r"),
    );
    assert_eq!(
        ctx.single("aws:PrincipalIsAWSService").as_deref(),
        Some("false")
    );
    let mut ctx = RequestContext::new();
    derive_context(&mut ctx, &RequestPrincipal::parse("anonymous"));
    assert_eq!(ctx.get("aws:PrincipalIsAWSService"), None);
}

#[test]
fn pattern_requests_need_full_cover_to_allow() {
    let allow = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111111111111:role/app-*"}}"#,
    );
    let set = PolicySet {
        identity: vec![Named {
            name: "a",
            policy: &allow,
        }],
        ..PolicySet::default()
    };
    let p = RequestPrincipal::parse("arn:aws:iam::111111111111:user/alice");
    let ctx = RequestContext::new();
    let req = |resource| Request {
        principal: &p,
        action: "iam:PassRole",
        resource,
        resource_match: ResourceMatch::All,
        resource_account: None,
        context: &ctx,
    };
    assert_eq!(
        evaluate(&set, &req("arn:aws:iam::111111111111:role/app-web")).decision,
        Decision::Allowed
    );
    assert_eq!(
        evaluate(&set, &req("arn:aws:iam::111111111111:role/app-*")).decision,
        Decision::Allowed
    );
    assert_eq!(
        evaluate(&set, &req("arn:aws:iam::111111111111:role/*")).decision,
        Decision::ImplicitlyDenied
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    const ACTIONS: &[&str] = &[
        "s3:GetObject",
        "s3:PutObject",
        "s3:*",
        "s3:Get*",
        "iam:PassRole",
        "*",
        "ec2:Describe*",
        "kms:Decrypt",
    ];
    const RESOURCES: &[&str] = &[
        "*",
        "arn:aws:s3:::b/*",
        "arn:aws:s3:::b/k",
        "arn:aws:iam::111111111111:role/r",
        "arn:aws:kms:us-east-1:111111111111:key/k",
    ];
    const CONDITIONS: &[&str] = &[
        r#"{"StringEquals":{"aws:username":"alice"}}"#,
        r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
        r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"#,
        r#"{"StringNotEquals":{"aws:PrincipalAccount":"111111111111"}}"#,
        r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
        r#"{"ForAllValues:StringLike":{"aws:TagKeys":["team*"]}}"#,
        r#"{"Null":{"aws:SourceIp":"true"}}"#,
    ];
    const PRINCIPALS: &[&str] = &[
        r#""*""#,
        r#"{"AWS":"111111111111"}"#,
        r#"{"AWS":"arn:aws:iam::111111111111:user/alice"}"#,
        r#"{"AWS":"arn:aws:iam::222222222222:root"}"#,
        r#"{"Service":"lambda.amazonaws.com"}"#,
    ];
    const CALLERS: &[&str] = &[
        "arn:aws:iam::111111111111:user/alice",
        "arn:aws:iam::222222222222:user/bob",
        "arn:aws:sts::111111111111:assumed-role/r/s",
        "arn:aws:iam::111111111111:root",
        "lambda.amazonaws.com",
        "*",
    ];

    fn statement(with_principal: bool) -> impl Strategy<Value = String> {
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            prop::sample::subsequence(ACTIONS, 1..3),
            prop::sample::subsequence(RESOURCES, 1..3),
            prop::option::of(prop::sample::select(CONDITIONS)),
            prop::sample::select(PRINCIPALS),
            any::<bool>(),
        )
            .prop_map(
                move |(
                    deny,
                    not_action,
                    not_resource,
                    actions,
                    resources,
                    cond,
                    principal,
                    not_principal,
                )| {
                    let mut s = format!(
                        r#"{{"Effect":"{}","{}":{},"{}":{}"#,
                        if deny { "Deny" } else { "Allow" },
                        if not_action { "NotAction" } else { "Action" },
                        serde_json::to_string(&actions).unwrap(),
                        if not_resource {
                            "NotResource"
                        } else {
                            "Resource"
                        },
                        serde_json::to_string(&resources).unwrap(),
                    );
                    if with_principal {
                        s.push_str(&format!(
                            r#","{}":{principal}"#,
                            if not_principal && deny {
                                "NotPrincipal"
                            } else {
                                "Principal"
                            }
                        ));
                    }
                    if let Some(c) = cond {
                        s.push_str(&format!(r#","Condition":{c}"#));
                    }
                    s.push('}');
                    s
                },
            )
    }

    fn policy(with_principal: bool) -> impl Strategy<Value = String> {
        prop::collection::vec(statement(with_principal), 1..4).prop_map(|sts| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                sts.join(",")
            )
        })
    }

    #[derive(Debug, Clone)]
    struct Scenario {
        identity: Vec<String>,
        resource: Option<String>,
        boundary: Option<String>,
        scps: Vec<String>,
        session: Option<String>,
        caller: &'static str,
        action: &'static str,
        resource_arn: &'static str,
        resource_account: Option<&'static str>,
        context: Vec<(&'static str, &'static str)>,
    }

    fn scenario() -> impl Strategy<Value = Scenario> {
        (
            prop::collection::vec(policy(false), 0..3),
            prop::option::of(policy(true)),
            prop::option::of(policy(false)),
            prop::collection::vec(policy(false), 0..2),
            prop::option::of(policy(false)),
            prop::sample::select(CALLERS),
            prop::sample::select(
                &[
                    "s3:GetObject",
                    "s3:PutObject",
                    "iam:PassRole",
                    "ec2:DescribeInstances",
                    "kms:Decrypt",
                ][..],
            ),
            prop::sample::select(RESOURCES),
            prop::option::of(prop::sample::select(&["111111111111", "222222222222"][..])),
            prop::sample::subsequence(
                &[
                    ("aws:SecureTransport", "true"),
                    ("aws:SourceIp", "203.0.113.9"),
                    ("aws:MultiFactorAuthPresent", "false"),
                    ("aws:TagKeys", "team-a"),
                ][..],
                0..4,
            ),
        )
            .prop_map(
                |(
                    identity,
                    resource,
                    boundary,
                    scps,
                    session,
                    caller,
                    action,
                    resource_arn,
                    resource_account,
                    context,
                )| Scenario {
                    identity,
                    resource,
                    boundary,
                    scps,
                    session,
                    caller,
                    action,
                    resource_arn,
                    resource_account,
                    context,
                },
            )
    }

    fn named(p: &Policy) -> Named<'_> {
        Named {
            name: "p",
            policy: p,
        }
    }

    /// Appends `extra`'s statements to a policy slot (or fills an empty one).
    fn merged(base: Option<&String>, extra: Option<&Policy>) -> Option<Policy> {
        let mut p = base.map(|t| Policy::parse(t).unwrap());
        if let Some(e) = extra {
            match &mut p {
                Some(p) => p.statements.extend(e.statements.iter().cloned()),
                None => p = Some(e.clone()),
            }
        }
        p
    }

    fn run(
        s: &Scenario,
        extra_identity: Option<&Policy>,
        extra_deny: Option<(usize, &Policy)>,
    ) -> Evaluation {
        let deny_in = |k: usize| extra_deny.filter(|(kind, _)| kind % 6 == k).map(|(_, p)| p);
        let mut identity: Vec<Policy> = s
            .identity
            .iter()
            .map(|t| Policy::parse(t).unwrap())
            .collect();
        identity.extend(extra_identity.cloned());
        identity.extend(deny_in(0).cloned());
        let resource = merged(s.resource.as_ref(), deny_in(1));
        let boundary = merged(s.boundary.as_ref(), deny_in(2));
        let mut scp_levels: Vec<Vec<Policy>> = Vec::new();
        if !s.scps.is_empty() {
            scp_levels.push(s.scps.iter().map(|t| Policy::parse(t).unwrap()).collect());
        }
        if let Some(d) = deny_in(3) {
            match scp_levels.first_mut() {
                Some(level) => level.push(d.clone()),
                None => scp_levels.push(vec![d.clone()]),
            }
        }
        let session = merged(s.session.as_ref(), deny_in(4));
        let endpoints: Vec<Policy> = deny_in(5).into_iter().cloned().collect();
        let set = PolicySet {
            identity: identity.iter().map(named).collect(),
            resource: resource.as_ref().map(named),
            boundary: boundary.as_ref().map(named),
            scps: scp_levels
                .iter()
                .map(|l| l.iter().map(named).collect())
                .collect(),
            session: session.as_ref().map(named),
            endpoints: endpoints.iter().map(named).collect(),
            ..PolicySet::default()
        };
        let mut ctx = RequestContext::new();
        for (k, v) in &s.context {
            ctx.set(k, *v);
        }
        let p = RequestPrincipal::parse(s.caller);
        evaluate(
            &set,
            &Request {
                principal: &p,
                action: s.action,
                resource: s.resource_arn,
                resource_match: ResourceMatch::Exact,
                resource_account: s.resource_account,
                context: &ctx,
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn evaluation_is_deterministic(s in scenario()) {
            prop_assert_eq!(run(&s, None, None), run(&s, None, None));
        }

        #[test]
        fn adding_a_deny_never_allows(s in scenario(), deny in policy(true), kind in 0usize..6) {
            // Turn every statement of the extra policy into a Deny.
            let deny = Policy::parse(&deny.replace("\"Allow\"", "\"Deny\"")).unwrap();
            let before = run(&s, None, None);
            let after = run(&s, None, Some((kind, &deny)));
            if before.decision != Decision::Allowed {
                prop_assert_ne!(after.decision, Decision::Allowed, "a Deny turned {:?} into Allowed", before.decision);
            }
            if before.decision == Decision::ExplicitlyDenied {
                prop_assert_eq!(after.decision, Decision::ExplicitlyDenied);
            }
        }

        #[test]
        fn adding_an_identity_allow_never_lifts_an_explicit_deny(s in scenario(), allow in policy(false)) {
            let allow = Policy::parse(&allow.replace("\"Deny\"", "\"Allow\"")).unwrap();
            let before = run(&s, None, None);
            let after = run(&s, Some(&allow), None);
            if before.decision == Decision::ExplicitlyDenied {
                prop_assert_eq!(after.decision, Decision::ExplicitlyDenied);
            }
        }
    }
}
