//! Condition operators: the base operator, the `IfExists` suffix and the
//! `ForAllValues:` / `ForAnyValue:` set qualifiers.

use std::fmt;
use std::str::FromStr;

/// The operator proper, without `IfExists` or a set qualifier.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs, reason = "the variants are AWS's operator names")]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// Which family an operator belongs to: decides how its values are parsed and compared.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OperatorFamily {
    /// String comparisons.
    String,
    /// Numeric comparisons.
    Numeric,
    /// Date comparisons (ISO 8601 or epoch seconds).
    Date,
    /// `Bool`.
    Bool,
    /// `BinaryEquals` (base64).
    Binary,
    /// `IpAddress`, `NotIpAddress`.
    Ip,
    /// `Arn*`.
    Arn,
    /// `Null`.
    Null,
}

const ALL: [(BaseOperator, &str); 27] = [
    (BaseOperator::StringEquals, "StringEquals"),
    (BaseOperator::StringNotEquals, "StringNotEquals"),
    (
        BaseOperator::StringEqualsIgnoreCase,
        "StringEqualsIgnoreCase",
    ),
    (
        BaseOperator::StringNotEqualsIgnoreCase,
        "StringNotEqualsIgnoreCase",
    ),
    (BaseOperator::StringLike, "StringLike"),
    (BaseOperator::StringNotLike, "StringNotLike"),
    (BaseOperator::NumericEquals, "NumericEquals"),
    (BaseOperator::NumericNotEquals, "NumericNotEquals"),
    (BaseOperator::NumericLessThan, "NumericLessThan"),
    (BaseOperator::NumericLessThanEquals, "NumericLessThanEquals"),
    (BaseOperator::NumericGreaterThan, "NumericGreaterThan"),
    (
        BaseOperator::NumericGreaterThanEquals,
        "NumericGreaterThanEquals",
    ),
    (BaseOperator::DateEquals, "DateEquals"),
    (BaseOperator::DateNotEquals, "DateNotEquals"),
    (BaseOperator::DateLessThan, "DateLessThan"),
    (BaseOperator::DateLessThanEquals, "DateLessThanEquals"),
    (BaseOperator::DateGreaterThan, "DateGreaterThan"),
    (BaseOperator::DateGreaterThanEquals, "DateGreaterThanEquals"),
    (BaseOperator::Bool, "Bool"),
    (BaseOperator::BinaryEquals, "BinaryEquals"),
    (BaseOperator::IpAddress, "IpAddress"),
    (BaseOperator::NotIpAddress, "NotIpAddress"),
    (BaseOperator::ArnEquals, "ArnEquals"),
    (BaseOperator::ArnLike, "ArnLike"),
    (BaseOperator::ArnNotEquals, "ArnNotEquals"),
    (BaseOperator::ArnNotLike, "ArnNotLike"),
    (BaseOperator::Null, "Null"),
];

impl BaseOperator {
    /// AWS's spelling.
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(op, _)| *op == self)
            .map_or("?", |(_, n)| n)
    }

    /// The operator family.
    pub fn family(self) -> OperatorFamily {
        use BaseOperator::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => OperatorFamily::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => OperatorFamily::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => OperatorFamily::Date,
            Bool => OperatorFamily::Bool,
            BinaryEquals => OperatorFamily::Binary,
            IpAddress | NotIpAddress => OperatorFamily::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => OperatorFamily::Arn,
            Null => OperatorFamily::Null,
        }
    }

    /// Negated operators (`StringNotEquals`, `NotIpAddress`, `ArnNotLike`, ...) match when the
    /// key is absent, and with several policy values require that none matches.
    pub fn is_negated(self) -> bool {
        use BaseOperator::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }

    /// The positive operator a negated one negates (`StringNotLike` → `StringLike`).
    pub fn positive(self) -> BaseOperator {
        use BaseOperator::*;
        match self {
            StringNotEquals => StringEquals,
            StringNotEqualsIgnoreCase => StringEqualsIgnoreCase,
            StringNotLike => StringLike,
            NumericNotEquals => NumericEquals,
            DateNotEquals => DateEquals,
            NotIpAddress => IpAddress,
            ArnNotEquals => ArnEquals,
            ArnNotLike => ArnLike,
            other => other,
        }
    }
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SetQualifier {
    /// Every value in the request must match.
    ForAllValues,
    /// At least one value in the request must match.
    ForAnyValue,
}

/// A full condition operator such as `ForAnyValue:StringLikeIfExists`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConditionOperator {
    /// Set qualifier, for multivalued keys.
    pub qualifier: Option<SetQualifier>,
    /// The operator proper.
    pub base: BaseOperator,
    /// `...IfExists`: true when the key is absent.
    pub if_exists: bool,
}

/// An operator name AWS does not define.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown condition operator `{0}`")]
pub struct UnknownOperator(pub String);

impl FromStr for ConditionOperator {
    type Err = UnknownOperator;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (qualifier, rest) = if let Some(r) = s.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), r)
        } else if let Some(r) = s.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), r)
        } else {
            (None, s)
        };
        let (rest, if_exists) = match rest.strip_suffix("IfExists") {
            Some(r) => (r, true),
            None => (rest, false),
        };
        let base = ALL
            .iter()
            .find(|(_, n)| *n == rest)
            .map(|(op, _)| *op)
            .ok_or_else(|| UnknownOperator(s.to_string()))?;
        // `Null` takes no IfExists: the operator is itself about existence.
        if base == BaseOperator::Null && (if_exists || qualifier.is_some()) {
            return Err(UnknownOperator(s.to_string()));
        }
        Ok(ConditionOperator {
            qualifier,
            base,
            if_exists,
        })
    }
}

impl fmt::Display for ConditionOperator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier {
            Some(SetQualifier::ForAllValues) => f.write_str("ForAllValues:")?,
            Some(SetQualifier::ForAnyValue) => f.write_str("ForAnyValue:")?,
            None => {}
        }
        f.write_str(self.base.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operator_round_trips_with_every_modifier() {
        for (op, name) in ALL {
            for q in ["", "ForAllValues:", "ForAnyValue:"] {
                for ie in ["", "IfExists"] {
                    let s = format!("{q}{name}{ie}");
                    let parsed = s.parse::<ConditionOperator>();
                    if op == BaseOperator::Null && (!q.is_empty() || !ie.is_empty()) {
                        assert!(parsed.is_err(), "{s}");
                        continue;
                    }
                    let parsed = parsed.unwrap();
                    assert_eq!(parsed.base, op);
                    assert_eq!(parsed.to_string(), s);
                }
            }
        }
        assert!("StringEqualz".parse::<ConditionOperator>().is_err());
        assert!(
            "ForSomeValues:StringEquals"
                .parse::<ConditionOperator>()
                .is_err()
        );
    }
}
