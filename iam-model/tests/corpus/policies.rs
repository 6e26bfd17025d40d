//! The policy-language corpus: `fixtures/policies/`.
//!
//! - `valid/<name>.json` (raw JSON, or a JSON string holding the document) and
//!   `valid/<name>.urlencoded.txt` (URL-encoded, as the IAM API returns documents), each with
//!   `<case>.expect.json` beside it: the meaning the parser must extract, as the summary
//!   [`summary`] builds. Every valid case must also survive `to_json` / `parse` unchanged.
//! - `invalid/<name>.json` or `invalid/<name>.txt` (non-JSON input), each with
//!   `<case>.errors.txt`: the `Display` of every expected `PolicyError`, one per line, in order.
//!
//! The summary format, per statement:
//!
//! ```json
//! {"sid": null, "effect": "Allow",
//!  "principal": {"negated": false, "any": false, "listed": [["AWS", "arn:aws:iam::1:root"]]},
//!  "action": {"negated": true, "patterns": ["iam:*"]},
//!  "resource": {"negated": false, "patterns": ["*"]},
//!  "conditions": [["ForAnyValue:StringLikeIfExists", "aws:TagKeys", ["a", 1, true]]],
//!  "templates": {"arn:aws:s3:::b/${aws:username}/*": [{"text": "arn:aws:s3:::b/"},
//!      {"var": "aws:username"}, {"text": "/*"}]}}
//! ```
//!
//! `principal` and `resource` are `null` when absent. Condition values keep their JSON type.
//! `templates` appears only in `2012-10-17` documents (the only ones where variables are
//! substituted) and only when some resource pattern or string condition value contains `${`;
//! it maps each such string to its segments: `{"text": ..}`, `{"literal": "*"}`,
//! `{"var": key}` or `{"var": key, "default": ..}`.

use iam_model::policy::template::{Segment, parse_template};
use iam_model::policy::{
    ActionClause, BaseOperator, Condition, ConditionOperator, ConditionValue, Effect, Policy,
    PolicyVersion, PrincipalClause, PrincipalId, PrincipalKind, Principals, ResourceClause,
    SetQualifier, Statement, url_decode,
};
use serde_json::{Map, Value, json};

use super::support::{Case, Layout, diff, fixtures, run_dir};

const VALID: Layout<'static> = Layout {
    inputs: &[".json", ".txt"],
    expectation: ".expect.json",
    foreign: &[".errors.txt"],
};

const INVALID: Layout<'static> = Layout {
    inputs: &[".json", ".txt"],
    expectation: ".errors.txt",
    foreign: &[".expect.json"],
};

#[test]
fn valid() {
    run_dir(&fixtures("policies/valid"), &VALID, check_valid);
}

#[test]
fn invalid() {
    run_dir(&fixtures("policies/invalid"), &INVALID, check_invalid);
}

fn check_valid(case: &Case) -> Result<(), String> {
    let input = case.input_text()?;
    let policy = Policy::parse(&input)
        .map_err(|e| format!("expected a valid policy, got errors:\n  {}", lines(&e.0)))?;

    let expected_text = case.expectation_text()?;
    let expected: Value = serde_json::from_str(&expected_text)
        .map_err(|e| format!("`{}` is not JSON: {e}", case.expectation.display()))?;
    let actual = summary(&policy);
    if actual != expected {
        return Err(format!(
            "the parsed policy does not match the expectation:\n{}",
            diff(&pretty(&expected), &pretty(&actual))
        ));
    }

    let mut problems = Vec::new();
    let json = policy.to_json();
    match Policy::parse(&json) {
        Ok(again) if again == policy => {
            if again.to_json() != json {
                problems.push(format!(
                    "`to_json` is not stable across a round trip:\n{}",
                    diff(&json, &again.to_json())
                ));
            }
        }
        Ok(again) => problems.push(format!(
            "round trip changed the policy: `to_json` gave\n{json}\nwhich parses to\n{}",
            diff(&pretty(&actual), &pretty(&summary(&again)))
        )),
        Err(e) => problems.push(format!(
            "round trip failed: `to_json` gave\n{json}\nwhich does not parse:\n  {}",
            lines(&e.0)
        )),
    }
    match Policy::parse(&policy.to_json_pretty()) {
        Ok(again) if again == policy => {}
        _ => problems.push("`to_json_pretty` does not parse back to the same policy".into()),
    }
    // The other entry points agree: an already-parsed JSON value, and the decoded text of a
    // URL-encoded document.
    if let Ok(value) = serde_json::from_str::<Value>(&input) {
        match Policy::from_json_value(&value) {
            Ok(p) if p == policy => {}
            other => problems.push(format!(
                "`from_json_value` disagrees with `parse`: {other:?}"
            )),
        }
    } else {
        match url_decode(input.trim()).map(|d| Policy::parse(&d)) {
            Some(Ok(p)) if p == policy => {}
            other => problems.push(format!(
                "parsing the `url_decode`d text disagrees with `parse`: {other:?}"
            )),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn check_invalid(case: &Case) -> Result<(), String> {
    let input = case.input_text()?;
    let expected_text = case.expectation_text()?;
    let expected: Vec<&str> = expected_text.lines().collect();
    if expected.is_empty() || expected.iter().any(|l| l.trim().is_empty()) {
        return Err(format!(
            "`{}` must hold one error per line, no blank lines",
            case.expectation.display()
        ));
    }
    let errors = match Policy::parse(&input) {
        Ok(p) => {
            return Err(format!(
                "expected errors, but the document parsed:\n{}",
                pretty(&summary(&p))
            ));
        }
        Err(e) => e,
    };
    let actual: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
    if actual != expected {
        return Err(format!(
            "the errors differ ({} expected, {} reported):\n{}",
            expected.len(),
            actual.len(),
            diff(&expected.join("\n"), &actual.join("\n"))
        ));
    }
    let joined = errors.to_string();
    if joined != expected.join("; ") {
        return Err(format!(
            "`PolicyErrors` does not display as its errors joined by `; `: {joined}"
        ));
    }
    Ok(())
}

/// The corpus exercises every part of the language: deleting the only fixture for one of
/// these makes this test fail.
#[test]
fn valid_corpus_covers_the_language() {
    const OPERATORS: [&str; 27] = [
        "StringEquals",
        "StringNotEquals",
        "StringEqualsIgnoreCase",
        "StringNotEqualsIgnoreCase",
        "StringLike",
        "StringNotLike",
        "NumericEquals",
        "NumericNotEquals",
        "NumericLessThan",
        "NumericLessThanEquals",
        "NumericGreaterThan",
        "NumericGreaterThanEquals",
        "DateEquals",
        "DateNotEquals",
        "DateLessThan",
        "DateLessThanEquals",
        "DateGreaterThan",
        "DateGreaterThanEquals",
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
        "Null",
    ];
    let mut policies = Vec::new();
    run_dir(&fixtures("policies/valid"), &VALID, |case| {
        policies.push(Policy::parse(&case.input_text()?).map_err(|e| e.to_string())?);
        Ok(())
    });
    let statements: Vec<&Statement> = policies.iter().flat_map(|p| &p.statements).collect();
    let conditions: Vec<&Condition> = statements.iter().flat_map(|s| &s.conditions).collect();
    let values: Vec<&ConditionValue> = conditions.iter().flat_map(|c| &c.values).collect();
    let principals: Vec<&PrincipalClause> = statements
        .iter()
        .filter_map(|s| s.principal.as_ref())
        .collect();
    let segments: Vec<Segment> = policies
        .iter()
        .filter(|p| p.variables_enabled())
        .flat_map(|p| &p.statements)
        .filter_map(|s| s.resource.as_ref())
        .flat_map(|r| &r.patterns)
        .flat_map(|r| parse_template(r))
        .collect();

    let mut missing = Vec::new();
    let mut need = |what: &str, present: bool| {
        if !present {
            missing.push(what.to_string());
        }
    };
    for name in OPERATORS {
        let base = name.parse::<ConditionOperator>().map(|op| op.base);
        need(
            &format!("operator `{name}`"),
            base.is_ok_and(|b| conditions.iter().any(|c| c.operator.base == b)),
        );
    }
    need(
        "`IfExists`",
        conditions.iter().any(|c| c.operator.if_exists),
    );
    for q in [SetQualifier::ForAllValues, SetQualifier::ForAnyValue] {
        need(
            &format!("qualifier {q:?}"),
            conditions.iter().any(|c| c.operator.qualifier == Some(q)),
        );
    }
    need(
        "a key with several values",
        conditions.iter().any(|c| c.values.len() > 1),
    );
    need(
        "a string value",
        values
            .iter()
            .any(|v| matches!(v, ConditionValue::String(_))),
    );
    need(
        "a number value",
        values
            .iter()
            .any(|v| matches!(v, ConditionValue::Number(_))),
    );
    need(
        "a boolean value",
        values.iter().any(|v| matches!(v, ConditionValue::Bool(_))),
    );
    for version in [
        Some(PolicyVersion::V2012_10_17),
        Some(PolicyVersion::V2008_10_17),
        None,
    ] {
        need(
            &format!("version {version:?}"),
            policies.iter().any(|p| p.version == version),
        );
    }
    need("`Id`", policies.iter().any(|p| p.id.is_some()));
    need("`Sid`", statements.iter().any(|s| s.sid.is_some()));
    need(
        "`Deny`",
        statements.iter().any(|s| s.effect == Effect::Deny),
    );
    need("`NotAction`", statements.iter().any(|s| s.action.negated));
    need(
        "`NotResource`",
        statements
            .iter()
            .any(|s| s.resource.as_ref().is_some_and(|r| r.negated)),
    );
    need(
        "a statement without `Resource`",
        statements.iter().any(|s| s.resource.is_none()),
    );
    need("`NotPrincipal`", principals.iter().any(|p| p.negated));
    need(
        "`Principal: \"*\"`",
        principals.iter().any(|p| p.principals == Principals::Any),
    );
    for kind in [
        PrincipalKind::Aws,
        PrincipalKind::Service,
        PrincipalKind::Federated,
        PrincipalKind::CanonicalUser,
    ] {
        need(
            &format!("principal type {kind:?}"),
            principals.iter().any(|p| match &p.principals {
                Principals::Listed(ids) => ids.iter().any(|i| i.kind == kind),
                Principals::Any => false,
            }),
        );
    }
    for lit in ["*", "?", "$"] {
        need(
            &format!("`${{{lit}}}` in a resource"),
            segments.contains(&Segment::Literal(lit.into())),
        );
    }
    need(
        "a variable in a resource",
        segments
            .iter()
            .any(|s| matches!(s, Segment::Variable { default: None, .. })),
    );
    need(
        "a variable with a default in a resource",
        segments.iter().any(|s| {
            matches!(
                s,
                Segment::Variable {
                    default: Some(_),
                    ..
                }
            )
        }),
    );
    assert!(
        missing.is_empty(),
        "the valid corpus lacks: {}",
        missing.join(", ")
    );
}

// ---- the summary ------------------------------------------------------------------------
// Built by exhaustive destructuring, so a new field in the model fails to compile here
// until the summary (and the fixtures) say what it should be.

/// The expectation-file form of a parsed policy.
fn summary(p: &Policy) -> Value {
    let Policy {
        version,
        id,
        statements,
    } = p;
    let version = version.map(|v| match v {
        PolicyVersion::V2012_10_17 => "2012-10-17",
        PolicyVersion::V2008_10_17 => "2008-10-17",
    });
    let vars = version == Some("2012-10-17");
    let statements: Vec<Value> = statements.iter().map(|s| statement(s, vars)).collect();
    json!({"version": version, "id": id, "statements": statements})
}

fn statement(s: &Statement, vars: bool) -> Value {
    let Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
    } = s;
    let effect = match effect {
        Effect::Allow => "Allow",
        Effect::Deny => "Deny",
    };
    let principal = principal.as_ref().map(|p| {
        let PrincipalClause {
            negated,
            principals,
        } = p;
        let (any, listed) = match principals {
            Principals::Any => (true, Vec::new()),
            Principals::Listed(ids) => (
                false,
                ids.iter()
                    .map(|PrincipalId { kind, value }| {
                        let kind = match kind {
                            PrincipalKind::Aws => "AWS",
                            PrincipalKind::Service => "Service",
                            PrincipalKind::Federated => "Federated",
                            PrincipalKind::CanonicalUser => "CanonicalUser",
                        };
                        json!([kind, value])
                    })
                    .collect(),
            ),
        };
        json!({"negated": negated, "any": any, "listed": listed})
    });
    let ActionClause {
        negated: action_negated,
        patterns: actions,
    } = action;
    let resource_summary = resource.as_ref().map(|r| {
        let ResourceClause { negated, patterns } = r;
        json!({"negated": negated, "patterns": patterns})
    });
    let condition_list: Vec<Value> = conditions
        .iter()
        .map(|c| {
            let Condition {
                operator,
                key,
                values,
            } = c;
            let values: Vec<Value> = values.iter().map(condition_value).collect();
            json!([operator_name(operator), key, values])
        })
        .collect();

    let mut out = Map::new();
    out.insert("sid".into(), json!(sid));
    out.insert("effect".into(), json!(effect));
    out.insert("principal".into(), json!(principal));
    out.insert(
        "action".into(),
        json!({"negated": action_negated, "patterns": actions}),
    );
    out.insert("resource".into(), json!(resource_summary));
    out.insert("conditions".into(), json!(condition_list));
    if vars {
        let mut templates = Map::new();
        let resources = resource.iter().flat_map(|r| &r.patterns);
        let strings = conditions
            .iter()
            .flat_map(|c| &c.values)
            .filter_map(|v| match v {
                ConditionValue::String(s) => Some(s),
                ConditionValue::Number(_) | ConditionValue::Bool(_) => None,
            });
        for text in resources.chain(strings).filter(|t| t.contains("${")) {
            let segments: Vec<Value> = parse_template(text).iter().map(segment).collect();
            templates.insert(text.clone(), Value::Array(segments));
        }
        if !templates.is_empty() {
            out.insert("templates".into(), Value::Object(templates));
        }
    }
    Value::Object(out)
}

/// Built from the operator's parts (not its `Display`), so the fixtures check how the name
/// was split into qualifier, base operator and `IfExists`.
fn operator_name(op: &ConditionOperator) -> String {
    let ConditionOperator {
        qualifier,
        base,
        if_exists,
    } = op;
    let qualifier = match qualifier {
        Some(SetQualifier::ForAllValues) => "ForAllValues:",
        Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
        None => "",
    };
    let base: &str = base_name(*base);
    let suffix = if *if_exists { "IfExists" } else { "" };
    format!("{qualifier}{base}{suffix}")
}

fn base_name(b: BaseOperator) -> &'static str {
    use BaseOperator::*;
    match b {
        StringEquals => "StringEquals",
        StringNotEquals => "StringNotEquals",
        StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
        StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
        StringLike => "StringLike",
        StringNotLike => "StringNotLike",
        NumericEquals => "NumericEquals",
        NumericNotEquals => "NumericNotEquals",
        NumericLessThan => "NumericLessThan",
        NumericLessThanEquals => "NumericLessThanEquals",
        NumericGreaterThan => "NumericGreaterThan",
        NumericGreaterThanEquals => "NumericGreaterThanEquals",
        DateEquals => "DateEquals",
        DateNotEquals => "DateNotEquals",
        DateLessThan => "DateLessThan",
        DateLessThanEquals => "DateLessThanEquals",
        DateGreaterThan => "DateGreaterThan",
        DateGreaterThanEquals => "DateGreaterThanEquals",
        Bool => "Bool",
        BinaryEquals => "BinaryEquals",
        IpAddress => "IpAddress",
        NotIpAddress => "NotIpAddress",
        ArnEquals => "ArnEquals",
        ArnLike => "ArnLike",
        ArnNotEquals => "ArnNotEquals",
        ArnNotLike => "ArnNotLike",
        Null => "Null",
    }
}

/// Strings stay strings, booleans booleans; numbers become JSON numbers (a number the model
/// holds that is not valid JSON shows as `"<not a JSON number: ...>"`).
fn condition_value(v: &ConditionValue) -> Value {
    match v {
        ConditionValue::String(s) => json!(s),
        ConditionValue::Bool(b) => json!(b),
        ConditionValue::Number(n) => serde_json::from_str::<serde_json::Number>(n).map_or_else(
            |_| json!(format!("<not a JSON number: {n}>")),
            Value::Number,
        ),
    }
}

fn segment(s: &Segment) -> Value {
    match s {
        Segment::Text(t) => json!({"text": t}),
        Segment::Literal(l) => json!({"literal": l}),
        Segment::Variable { key, default: None } => json!({"var": key}),
        Segment::Variable {
            key,
            default: Some(d),
        } => json!({"var": key, "default": d}),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("<unprintable: {e}>"))
}

fn lines(errors: &[impl ToString]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}
