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
            resource_is_pattern: false,
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
        resource_is_pattern: true,
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
