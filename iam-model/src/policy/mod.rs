//! The IAM policy language as types.
//!
//! One model covers every kind of policy document: identity, resource, trust, permission
//! boundary, SCP/RCP, session and VPC endpoint policies. The one-or-many forms of `Statement`,
//! `Action`, `Resource`, `Principal` and condition values are normalised here, so no consumer
//! ever looks at raw JSON. `NotAction`, `NotResource` and `NotPrincipal` are the same clauses
//! with `negated: true`.
//!
//! Parsing accepts raw JSON and the URL-encoded form the IAM API returns, and reports *every*
//! problem it finds, each naming the statement and the field. Serialising a parsed policy and
//! parsing the output again gives back the same value.
//!
//! ```
//! use iam_model::policy::{Policy, Effect};
//! let p = Policy::parse(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}}"#).unwrap();
//! assert_eq!(p.statements[0].effect, Effect::Allow);
//! assert_eq!(p.statements[0].action.patterns, ["s3:Get*"]);
//! let again = Policy::parse(&p.to_json()).unwrap();
//! assert_eq!(p, again);
//!
//! let err = Policy::parse(r#"{"Statement":[{"Effect":"Permit","Action":"s3:*"}]}"#).unwrap_err();
//! assert_eq!(err.to_string(), "Statement[0].Effect: expected `Allow` or `Deny`, found `Permit`");
//! ```

mod condition;
mod parse;
pub mod template;

use std::fmt;

pub use condition::{
    BaseOperator, ConditionOperator, OperatorFamily, SetQualifier, UnknownOperator,
};
pub use parse::url_decode;

/// A parsed policy document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    /// `Version`; `None` when absent (AWS then treats the policy as `2008-10-17`).
    pub version: Option<PolicyVersion>,
    /// `Id`.
    pub id: Option<String>,
    /// The statements, in document order.
    pub statements: Vec<Statement>,
}

/// The policy language version.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum PolicyVersion {
    /// `2012-10-17`: the current version, with policy variables.
    V2012_10_17,
    /// `2008-10-17`: no policy variables.
    V2008_10_17,
}

impl PolicyVersion {
    /// The string AWS writes.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyVersion::V2012_10_17 => "2012-10-17",
            PolicyVersion::V2008_10_17 => "2008-10-17",
        }
    }
}

impl Policy {
    /// Are `${...}` policy variables substituted in this document?
    pub fn variables_enabled(&self) -> bool {
        self.version == Some(PolicyVersion::V2012_10_17)
    }
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Statement {
    /// `Sid`.
    pub sid: Option<String>,
    /// `Effect`.
    pub effect: Effect,
    /// `Principal` or `NotPrincipal` (resource, trust and endpoint policies only).
    pub principal: Option<PrincipalClause>,
    /// `Action` or `NotAction`.
    pub action: ActionClause,
    /// `Resource` or `NotResource`; absent in trust policies.
    pub resource: Option<ResourceClause>,
    /// Every condition: all must hold. Operator-major, in document order.
    pub conditions: Vec<Condition>,
}

/// `Allow` or `Deny`.
#[derive(
    Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

impl Effect {
    /// The string AWS writes.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `Action` (`negated == false`) or `NotAction` (`negated == true`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ActionClause {
    /// True for `NotAction`.
    pub negated: bool,
    /// The action patterns as written (`s3:Get*`, `*`).
    pub patterns: Vec<String>,
}

/// `Resource` (`negated == false`) or `NotResource` (`negated == true`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ResourceClause {
    /// True for `NotResource`.
    pub negated: bool,
    /// The resource patterns as written; may hold policy variables.
    pub patterns: Vec<String>,
}

/// `Principal` (`negated == false`) or `NotPrincipal` (`negated == true`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PrincipalClause {
    /// True for `NotPrincipal`.
    pub negated: bool,
    /// Who.
    pub principals: Principals,
}

/// The value of a `Principal` element.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Principals {
    /// `"*"`: everyone, including anonymous callers.
    Any,
    /// The object form: `{"AWS": [...], "Service": ..., ...}`, flattened in document order.
    Listed(Vec<PrincipalId>),
}

/// One principal named in a `Principal` object.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PrincipalId {
    /// The object key.
    pub kind: PrincipalKind,
    /// The value: an ARN, account id, service name, provider, canonical id or `*`.
    pub value: String,
}

/// The keys of a `Principal` object.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalKind {
    /// `AWS`: accounts, users, roles, sessions.
    Aws,
    /// `Service`: `lambda.amazonaws.com`.
    Service,
    /// `Federated`: SAML/OIDC providers, `cognito-identity.amazonaws.com`, `www.amazon.com`.
    Federated,
    /// `CanonicalUser`: S3 canonical ids.
    CanonicalUser,
}

impl PrincipalKind {
    /// The key AWS writes.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Aws => "AWS",
            PrincipalKind::Service => "Service",
            PrincipalKind::Federated => "Federated",
            PrincipalKind::CanonicalUser => "CanonicalUser",
        }
    }
}

/// One condition: an operator applied to one key with one or more values (OR'ed).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Condition {
    /// The operator, with qualifier and IfExists.
    pub operator: ConditionOperator,
    /// The condition key as written (`aws:SourceIp`); compared case-insensitively.
    pub key: String,
    /// The values; any may match.
    pub values: Vec<ConditionValue>,
}

/// A condition value, keeping the JSON type it was written with.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ConditionValue {
    /// A JSON string.
    String(String),
    /// A JSON number, as written.
    Number(String),
    /// A JSON boolean.
    Bool(bool),
}

impl ConditionValue {
    /// The value as the string AWS compares.
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            ConditionValue::String(s) | ConditionValue::Number(s) => s.as_str().into(),
            ConditionValue::Bool(b) => (if *b { "true" } else { "false" }).into(),
        }
    }
}

/// One problem in a policy document.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PolicyError {
    /// Where: a JSON path such as `Statement[2].Condition.IpAddress.aws:SourceIp`, or empty
    /// for the document as a whole.
    pub path: String,
    /// What is wrong, lowercase, user input in backticks.
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Every problem found in a policy document (never empty).
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub struct PolicyErrors(pub Vec<PolicyError>);

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl Policy {
    /// Parses a policy document given as raw JSON or URL-encoded JSON.
    pub fn parse(text: &str) -> Result<Policy, PolicyErrors> {
        parse::parse_text(text)
    }

    /// Parses a policy document from an already-parsed JSON value (an object, or a string
    /// holding the document).
    pub fn from_json_value(value: &serde_json::Value) -> Result<Policy, PolicyErrors> {
        parse::parse_value(value)
    }

    /// The document as compact JSON, in AWS's element order.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The document as indented JSON, in AWS's element order.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

mod ser {
    use super::*;
    use serde::Serialize;
    use serde::ser::{SerializeMap, Serializer};

    struct OneOrMany<'a, T>(&'a [T]);

    impl<T: Serialize> Serialize for OneOrMany<'_, T> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                [one] => one.serialize(s),
                many => many.serialize(s),
            }
        }
    }

    impl Serialize for Policy {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(None)?;
            if let Some(v) = self.version {
                m.serialize_entry("Version", v.as_str())?;
            }
            if let Some(id) = &self.id {
                m.serialize_entry("Id", id)?;
            }
            m.serialize_entry("Statement", &self.statements)?;
            m.end()
        }
    }

    impl Serialize for Statement {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(None)?;
            if let Some(sid) = &self.sid {
                m.serialize_entry("Sid", sid)?;
            }
            m.serialize_entry("Effect", self.effect.as_str())?;
            if let Some(p) = &self.principal {
                let key = if p.negated {
                    "NotPrincipal"
                } else {
                    "Principal"
                };
                m.serialize_entry(key, &p.principals)?;
            }
            let key = if self.action.negated {
                "NotAction"
            } else {
                "Action"
            };
            m.serialize_entry(key, &OneOrMany(&self.action.patterns))?;
            if let Some(r) = &self.resource {
                let key = if r.negated { "NotResource" } else { "Resource" };
                m.serialize_entry(key, &OneOrMany(&r.patterns))?;
            }
            if !self.conditions.is_empty() {
                m.serialize_entry("Condition", &Conditions(&self.conditions))?;
            }
            m.end()
        }
    }

    impl Serialize for Principals {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Principals::Any => s.serialize_str("*"),
                Principals::Listed(ids) => {
                    let mut kinds: Vec<PrincipalKind> = Vec::new();
                    for id in ids {
                        if !kinds.contains(&id.kind) {
                            kinds.push(id.kind);
                        }
                    }
                    let mut m = s.serialize_map(Some(kinds.len()))?;
                    for k in kinds {
                        let vals: Vec<&str> = ids
                            .iter()
                            .filter(|i| i.kind == k)
                            .map(|i| i.value.as_str())
                            .collect();
                        m.serialize_entry(k.as_str(), &OneOrMany(&vals))?;
                    }
                    m.end()
                }
            }
        }
    }

    struct Conditions<'a>(&'a [Condition]);

    impl Serialize for Conditions<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut ops: Vec<ConditionOperator> = Vec::new();
            for c in self.0 {
                if !ops.contains(&c.operator) {
                    ops.push(c.operator);
                }
            }
            let mut m = s.serialize_map(Some(ops.len()))?;
            for op in ops {
                let of_op: Vec<&Condition> = self.0.iter().filter(|c| c.operator == op).collect();
                m.serialize_entry(&op.to_string(), &KeyMap(&of_op))?;
            }
            m.end()
        }
    }

    struct KeyMap<'a>(&'a [&'a Condition]);

    impl Serialize for KeyMap<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for c in self.0 {
                m.serialize_entry(&c.key, &OneOrMany(&c.values))?;
            }
            m.end()
        }
    }

    impl Serialize for ConditionValue {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                ConditionValue::String(v) => s.serialize_str(v),
                ConditionValue::Number(n) => match serde_json::Number::from_string_unchecked_opt(n)
                {
                    Some(num) => num.serialize(s),
                    None => s.serialize_str(n),
                },
                ConditionValue::Bool(b) => s.serialize_bool(*b),
            }
        }
    }

    trait FromStringOpt {
        fn from_string_unchecked_opt(n: &str) -> Option<serde_json::Number>;
    }

    impl FromStringOpt for serde_json::Number {
        fn from_string_unchecked_opt(n: &str) -> Option<serde_json::Number> {
            serde_json::from_str::<serde_json::Number>(n).ok()
        }
    }
}
