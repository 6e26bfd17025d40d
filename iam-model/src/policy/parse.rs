//! From JSON text or value to [`Policy`], collecting every error with its location.

use serde_json::Value;

use super::template::has_variables;
use super::*;
use crate::ip::Cidr;
use crate::time::Timestamp;

/// Decodes `%XX` escapes (RFC 3986), as the IAM API applies to policy documents.
/// `+` is left alone: IAM encodes a space as `%20`, and `+` is legal in names.
/// Returns `None` when an escape is malformed or the result is not UTF-8.
pub fn url_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            // Two hex digits exactly: `from_str_radix` alone would also take `%+1`.
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let h = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn err(path: impl Into<String>, message: impl Into<String>) -> PolicyError {
    PolicyError {
        path: path.into(),
        message: message.into(),
    }
}

pub(super) fn parse_text(text: &str) -> Result<Policy, PolicyErrors> {
    let trimmed = text.trim_start();
    let decoded;
    // `"...` is a JSON string holding the document (as CloudFormation and Terraform write
    // it); `parse_value` unwraps it.
    let json = if trimmed.starts_with('{') || trimmed.starts_with('"') {
        text
    } else if trimmed.starts_with('%') {
        decoded = url_decode(trimmed).ok_or_else(|| {
            PolicyErrors(vec![err(
                "",
                "document is neither JSON nor valid URL-encoded JSON",
            )])
        })?;
        &decoded
    } else if trimmed.is_empty() {
        return Err(PolicyErrors(vec![err("", "document is empty")]));
    } else {
        return Err(PolicyErrors(vec![err(
            "",
            "document is neither a JSON object nor URL-encoded JSON",
        )]));
    };
    let value: Value = serde_json::from_str(json).map_err(|e| {
        PolicyErrors(vec![err(
            "",
            format!(
                "invalid JSON at line {} column {}: {}",
                e.line(),
                e.column(),
                strip_pos(&e)
            ),
        )])
    })?;
    parse_value(&value)
}

fn strip_pos(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

pub(super) fn parse_value(value: &Value) -> Result<Policy, PolicyErrors> {
    match value {
        Value::String(s) => parse_text(s),
        Value::Object(_) => {
            let mut errors = Vec::new();
            let policy = document(value, &mut errors);
            match policy {
                Some(p) if errors.is_empty() => Ok(p),
                _ => {
                    if errors.is_empty() {
                        errors.push(err("", "document is not a policy"));
                    }
                    Err(PolicyErrors(errors))
                }
            }
        }
        other => Err(PolicyErrors(vec![err(
            "",
            format!("expected a policy document object, found {}", kind(other)),
        )])),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn document(v: &Value, errors: &mut Vec<PolicyError>) -> Option<Policy> {
    let obj = v.as_object()?;
    let mut version = None;
    let mut id = None;
    let mut statements = None;
    for (k, val) in obj {
        match k.as_str() {
            "Version" => match val.as_str() {
                Some("2012-10-17") => version = Some(PolicyVersion::V2012_10_17),
                Some("2008-10-17") => version = Some(PolicyVersion::V2008_10_17),
                Some(other) => errors.push(err(
                    "Version",
                    format!("expected `2012-10-17` or `2008-10-17`, found `{other}`"),
                )),
                None => errors.push(err(
                    "Version",
                    format!("expected a string, found {}", kind(val)),
                )),
            },
            "Id" => match val.as_str() {
                Some(s) => id = Some(s.to_string()),
                None => errors.push(err("Id", format!("expected a string, found {}", kind(val)))),
            },
            "Statement" => statements = Some(val),
            other => errors.push(err(other, format!("unknown policy element `{other}`"))),
        }
    }
    let Some(st) = statements else {
        errors.push(err("Statement", "missing `Statement`"));
        return None;
    };
    let list: Vec<&Value> = match st {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![st],
        other => {
            errors.push(err(
                "Statement",
                format!(
                    "expected a statement object or an array of them, found {}",
                    kind(other)
                ),
            ));
            return None;
        }
    };
    if list.is_empty() {
        errors.push(err("Statement", "no statements"));
    }
    let vars = version == Some(PolicyVersion::V2012_10_17);
    let mut out = Vec::with_capacity(list.len());
    for (i, s) in list.into_iter().enumerate() {
        if let Some(s) = statement(s, &format!("Statement[{i}]"), vars, errors) {
            out.push(s);
        }
    }
    Some(Policy {
        version,
        id,
        statements: out,
    })
}

fn strings(
    v: &Value,
    path: &str,
    what: &str,
    errors: &mut Vec<PolicyError>,
) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(a) => {
            let mut out = Vec::with_capacity(a.len());
            let mut ok = true;
            for (i, item) in a.iter().enumerate() {
                match item.as_str() {
                    Some(s) => out.push(s.to_string()),
                    None => {
                        ok = false;
                        errors.push(err(
                            format!("{path}[{i}]"),
                            format!("expected {what} string, found {}", kind(item)),
                        ));
                    }
                }
            }
            if a.is_empty() {
                // `what` carries its article ("an action"); the count does not take one.
                let noun = what
                    .strip_prefix("an ")
                    .or_else(|| what.strip_prefix("a "))
                    .unwrap_or(what);
                errors.push(err(
                    path,
                    format!("empty list: expected at least one {noun}"),
                ));
                ok = false;
            }
            ok.then_some(out)
        }
        other => {
            errors.push(err(
                path,
                format!(
                    "expected {what} string or an array of them, found {}",
                    kind(other)
                ),
            ));
            None
        }
    }
}

fn statement(
    v: &Value,
    path: &str,
    vars: bool,
    errors: &mut Vec<PolicyError>,
) -> Option<Statement> {
    let Some(obj) = v.as_object() else {
        errors.push(err(
            path,
            format!("expected a statement object, found {}", kind(v)),
        ));
        return None;
    };
    let before = errors.len();
    let mut sid = None;
    let mut effect = None;
    let mut principal = None;
    let mut action = None;
    let mut resource = None;
    // Whether the clause was written, valid or not: `Action` and `NotAction` together are an
    // error even when the first of them is malformed.
    let (mut seen_principal, mut seen_action, mut seen_resource) = (false, false, false);
    let mut conditions = Vec::new();
    let field = |k: &str| format!("{path}.{k}");
    for (k, val) in obj {
        match k.as_str() {
            "Sid" => match val.as_str() {
                Some(s) => sid = Some(s.to_string()),
                None => errors.push(err(
                    field(k),
                    format!("expected a string, found {}", kind(val)),
                )),
            },
            "Effect" => match val.as_str() {
                Some("Allow") => effect = Some(Effect::Allow),
                Some("Deny") => effect = Some(Effect::Deny),
                Some(other) => errors.push(err(
                    field(k),
                    format!("expected `Allow` or `Deny`, found `{other}`"),
                )),
                None => errors.push(err(
                    field(k),
                    format!("expected `Allow` or `Deny`, found {}", kind(val)),
                )),
            },
            "Principal" | "NotPrincipal" => {
                if std::mem::replace(&mut seen_principal, true) {
                    errors.push(err(
                        field(k),
                        "`Principal` and `NotPrincipal` are mutually exclusive",
                    ));
                    continue;
                }
                if let Some(p) = principals(val, &field(k), errors) {
                    principal = Some(PrincipalClause {
                        negated: k == "NotPrincipal",
                        principals: p,
                    });
                }
            }
            "Action" | "NotAction" => {
                if std::mem::replace(&mut seen_action, true) {
                    errors.push(err(
                        field(k),
                        "`Action` and `NotAction` are mutually exclusive",
                    ));
                    continue;
                }
                if let Some(list) = strings(val, &field(k), "an action", errors) {
                    for (i, a) in list.iter().enumerate() {
                        if a != "*" && !a.contains(':') {
                            let p = if list.len() > 1 || val.is_array() {
                                format!("{}[{i}]", field(k))
                            } else {
                                field(k)
                            };
                            errors.push(err(
                                p,
                                format!("`{a}` is not an action: expected `service:action` or `*`"),
                            ));
                        }
                    }
                    action = Some(ActionClause {
                        negated: k == "NotAction",
                        patterns: list,
                    });
                }
            }
            "Resource" | "NotResource" => {
                if std::mem::replace(&mut seen_resource, true) {
                    errors.push(err(
                        field(k),
                        "`Resource` and `NotResource` are mutually exclusive",
                    ));
                    continue;
                }
                if let Some(list) = strings(val, &field(k), "a resource", errors) {
                    resource = Some(ResourceClause {
                        negated: k == "NotResource",
                        patterns: list,
                    });
                }
            }
            "Condition" => conditions = condition_block(val, &field(k), vars, errors),
            other => errors.push(err(
                field(other),
                format!("unknown statement element `{other}`"),
            )),
        }
    }
    if effect.is_none() && !obj.contains_key("Effect") {
        errors.push(err(field("Effect"), "missing `Effect`"));
    }
    if action.is_none() && !obj.contains_key("Action") && !obj.contains_key("NotAction") {
        errors.push(err(field("Action"), "missing `Action` or `NotAction`"));
    }
    if errors.len() > before {
        return None;
    }
    Some(Statement {
        sid,
        effect: effect?,
        principal,
        action: action?,
        resource,
        conditions,
    })
}

fn principals(v: &Value, path: &str, errors: &mut Vec<PolicyError>) -> Option<Principals> {
    match v {
        Value::String(s) if s == "*" => Some(Principals::Any),
        Value::Object(map) => {
            let mut out = Vec::new();
            let before = errors.len();
            for (k, val) in map {
                let kind = match k.as_str() {
                    "AWS" => PrincipalKind::Aws,
                    "Service" => PrincipalKind::Service,
                    "Federated" => PrincipalKind::Federated,
                    "CanonicalUser" => PrincipalKind::CanonicalUser,
                    other => {
                        errors.push(err(
                            format!("{path}.{other}"),
                            format!("unknown principal type `{other}`: expected `AWS`, `Service`, `Federated` or `CanonicalUser`"),
                        ));
                        continue;
                    }
                };
                if let Some(list) = strings(val, &format!("{path}.{k}"), "a principal", errors) {
                    out.extend(list.into_iter().map(|value| PrincipalId { kind, value }));
                }
            }
            if map.is_empty() {
                errors.push(err(path, "empty principal object"));
            }
            (errors.len() == before).then_some(Principals::Listed(out))
        }
        Value::String(s) => {
            errors.push(err(
                path,
                format!("expected `*` or an object such as {{\"AWS\": ...}}, found `{s}`"),
            ));
            None
        }
        other => {
            errors.push(err(
                path,
                format!("expected `*` or an object, found {}", kind(other)),
            ));
            None
        }
    }
}

fn condition_block(
    v: &Value,
    path: &str,
    vars: bool,
    errors: &mut Vec<PolicyError>,
) -> Vec<Condition> {
    let Some(ops) = v.as_object() else {
        errors.push(err(
            path,
            format!("expected an object of operators, found {}", kind(v)),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (op_name, keys) in ops {
        let op_path = format!("{path}.{op_name}");
        let operator = match op_name.parse::<ConditionOperator>() {
            Ok(op) => op,
            Err(e) => {
                errors.push(err(&op_path, e.to_string()));
                continue;
            }
        };
        let Some(keys) = keys.as_object() else {
            errors.push(err(
                &op_path,
                format!("expected an object of condition keys, found {}", kind(keys)),
            ));
            continue;
        };
        if keys.is_empty() {
            errors.push(err(&op_path, "no condition keys"));
        }
        for (key, vals) in keys {
            let key_path = format!("{op_path}.{key}");
            let list: Vec<&Value> = match vals {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            let mut values = Vec::with_capacity(list.len());
            for (i, item) in list.iter().enumerate() {
                let p = if vals.is_array() {
                    format!("{key_path}[{i}]")
                } else {
                    key_path.clone()
                };
                let value = match item {
                    Value::String(s) => ConditionValue::String(s.clone()),
                    Value::Number(n) => ConditionValue::Number(n.to_string()),
                    Value::Bool(b) => ConditionValue::Bool(*b),
                    other => {
                        errors.push(err(
                            p,
                            format!(
                                "expected a string, number or boolean, found {}",
                                kind(other)
                            ),
                        ));
                        continue;
                    }
                };
                if let Some(problem) = check_value(operator.base, &value, vars) {
                    errors.push(err(p, problem));
                }
                values.push(value);
            }
            if list.is_empty() {
                errors.push(err(&key_path, "empty list: expected at least one value"));
            }
            out.push(Condition {
                operator,
                key: key.clone(),
                values,
            });
        }
    }
    out
}

/// Checks a value against what its operator family accepts. Values holding policy variables
/// are only known at request time and are not checked.
fn check_value(op: BaseOperator, value: &ConditionValue, vars: bool) -> Option<String> {
    let text = value.as_text();
    if vars && has_variables(&text) {
        return None;
    }
    let name = op.name();
    match op.family() {
        // `f64::from_str` also takes `NaN`, `inf` and `infinity`, which are not numbers here.
        OperatorFamily::Numeric => (!text.trim().parse::<f64>().is_ok_and(f64::is_finite))
            .then(|| format!("`{text}` is not a number (operator `{name}`)")),
        OperatorFamily::Date => Timestamp::parse_lenient(&text)
            .is_err()
            .then(|| format!("`{text}` is not a date (operator `{name}`)")),
        OperatorFamily::Bool | OperatorFamily::Null => (!text.eq_ignore_ascii_case("true")
            && !text.eq_ignore_ascii_case("false"))
        .then(|| format!("`{text}` is not `true` or `false` (operator `{name}`)")),
        OperatorFamily::Ip => text
            .parse::<Cidr>()
            .is_err()
            .then(|| format!("`{text}` is not an IP address or CIDR block (operator `{name}`)")),
        OperatorFamily::String | OperatorFamily::Binary | OperatorFamily::Arn => None,
    }
}
