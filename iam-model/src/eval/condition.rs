//! Condition evaluation: every operator, `IfExists`, `ForAllValues`/`ForAnyValue`, missing
//! keys, and policy variables in condition values.

use std::net::IpAddr;

use super::RequestContext;
use crate::arn::arn_like;
use crate::ip::Cidr;
use crate::policy::template::{parse_template, substitute, substitute_text};
use crate::policy::{BaseOperator, Condition, OperatorFamily, SetQualifier};
use crate::time::Timestamp;
use crate::wildcard::wildcard_match;

/// Three-valued truth: a condition on a key the request context does not know (in partial
/// mode) is `Unknown`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Depends on a key the context does not carry.
    Unknown,
}

impl Truth {
    /// Kleene AND.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    fn from(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
}

/// Evaluates one condition against the context.
pub fn evaluate(c: &Condition, ctx: &RequestContext, variables: bool) -> Truth {
    let op = c.operator;
    let values = ctx.get(&c.key).filter(|v| !v.is_empty());
    let Some(request) = values else {
        // The key is absent.
        if op.base == BaseOperator::Null {
            if ctx.partial && ctx.get(&c.key).is_none() {
                return Truth::Unknown;
            }
            return Truth::from(
                c.values
                    .iter()
                    .any(|v| v.as_text().eq_ignore_ascii_case("true")),
            );
        }
        if ctx.partial && ctx.get(&c.key).is_none() {
            return Truth::Unknown;
        }
        return Truth::from(match op.qualifier {
            Some(SetQualifier::ForAllValues) => true,
            Some(SetQualifier::ForAnyValue) => false,
            None => op.if_exists || op.base.is_negated(),
        });
    };
    if op.base == BaseOperator::Null {
        return Truth::from(
            c.values
                .iter()
                .any(|v| v.as_text().eq_ignore_ascii_case("false")),
        );
    }
    let lookup = |k: &str| ctx.single(k);
    let positive = op.base.positive();
    let negated = op.base.is_negated();
    // Does one request value match any policy value under the positive operator?
    let hit = |rv: &str| {
        c.values.iter().any(|raw| {
            let t = raw.as_text();
            if variables && t.contains("${") {
                // Patterns from variables: wildcards in the template stay wildcards, the
                // substituted text is literal.
                if matches!(positive, BaseOperator::StringLike) {
                    return substitute(&parse_template(&t), lookup)
                        .is_some_and(|p| p.matches(rv, false));
                }
                return substitute_text(&parse_template(&t), lookup)
                    .is_some_and(|pv| compare(positive, rv, &pv));
            }
            compare(positive, rv, &t)
        })
    };
    // For a value: the operator holds (negated operators hold when no policy value matches).
    let holds = |rv: &str| if negated { !hit(rv) } else { hit(rv) };
    Truth::from(match op.qualifier {
        Some(SetQualifier::ForAllValues) => request.iter().all(|v| holds(v)),
        Some(SetQualifier::ForAnyValue) => request.iter().any(|v| holds(v)),
        None => {
            if negated {
                request.iter().all(|v| holds(v))
            } else {
                request.iter().any(|v| holds(v))
            }
        }
    })
}

/// Compares one request value with one policy value under a positive operator.
fn compare(op: BaseOperator, rv: &str, pv: &str) -> bool {
    use BaseOperator::*;
    match op.family() {
        OperatorFamily::String => match op {
            StringEquals => rv == pv,
            StringEqualsIgnoreCase => rv.to_lowercase() == pv.to_lowercase(),
            StringLike => wildcard_match(pv, rv, false),
            _ => false,
        },
        OperatorFamily::Numeric => match (rv.trim().parse::<f64>(), pv.trim().parse::<f64>()) {
            (Ok(r), Ok(p)) => match op {
                NumericEquals => r == p,
                NumericLessThan => r < p,
                NumericLessThanEquals => r <= p,
                NumericGreaterThan => r > p,
                NumericGreaterThanEquals => r >= p,
                _ => false,
            },
            _ => false,
        },
        OperatorFamily::Date => {
            match (Timestamp::parse_lenient(rv), Timestamp::parse_lenient(pv)) {
                (Ok(r), Ok(p)) => match op {
                    DateEquals => r == p,
                    DateLessThan => r < p,
                    DateLessThanEquals => r <= p,
                    DateGreaterThan => r > p,
                    DateGreaterThanEquals => r >= p,
                    _ => false,
                },
                _ => false,
            }
        }
        OperatorFamily::Bool => rv.eq_ignore_ascii_case(pv),
        OperatorFamily::Binary => rv == pv,
        OperatorFamily::Ip => match (rv.trim().parse::<IpAddr>(), pv.parse::<Cidr>()) {
            (Ok(ip), Ok(cidr)) => cidr.contains(ip),
            _ => false,
        },
        OperatorFamily::Arn => arn_like(pv, rv),
        OperatorFamily::Null => false,
    }
}
