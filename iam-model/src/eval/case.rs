//! Simulation cases: the file format of `iamsight simulate` and of the evaluation corpus in
//! `fixtures/eval-cases/`. A case names its policies by kind and one request; it may carry
//! the expected outcome and the documented rule it encodes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    Decision, Evaluation, Named, PolicyKind, PolicySet, Request, RequestContext, RequestPrincipal,
    ResourceMatch, evaluate,
};
use crate::policy::Policy;
use crate::snapshot::PolicyDocument;

/// One simulation case.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// A name, unique within a corpus.
    #[serde(default)]
    pub name: Option<String>,
    /// The documented rule the case encodes.
    #[serde(default)]
    pub rule: Option<String>,
    /// Where the rule is documented.
    #[serde(default)]
    pub source: Option<String>,
    /// Identity-based policies.
    #[serde(default)]
    pub identity_policies: Vec<PolicyDocument>,
    /// The resource policy.
    #[serde(default)]
    pub resource_policy: Option<PolicyDocument>,
    /// The permission boundary.
    #[serde(default)]
    pub permission_boundary: Option<PolicyDocument>,
    /// SCPs per organisation level.
    #[serde(default)]
    pub scps: Vec<Vec<PolicyDocument>>,
    /// RCPs per organisation level.
    #[serde(default)]
    pub rcps: Vec<Vec<PolicyDocument>>,
    /// The session policy.
    #[serde(default)]
    pub session_policy: Option<PolicyDocument>,
    /// VPC endpoint policies.
    #[serde(default)]
    pub endpoint_policies: Vec<PolicyDocument>,
    /// The request.
    pub request: CaseRequest,
    /// The expected outcome (corpus cases).
    #[serde(default)]
    pub expect: Option<Expect>,
}

/// The request of a case.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRequest {
    /// Principal ARN, service principal, provider, or `*`.
    pub principal: String,
    /// `service:Action`.
    pub action: String,
    /// Resource ARN or `*`.
    #[serde(default = "star")]
    pub resource: String,
    /// The resource's account.
    #[serde(default)]
    pub resource_account: Option<String>,
    /// Condition keys: a string, number or boolean, or a list of them.
    #[serde(default)]
    pub context: BTreeMap<String, ContextValue>,
}

fn star() -> String {
    "*".to_string()
}

/// A context value.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum ContextValue {
    /// Several values.
    Many(Vec<Scalar>),
    /// One value.
    One(Scalar),
}

/// A scalar context value.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    /// A string.
    String(String),
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(serde_json::Number),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::String(s) => s.clone(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Number(n) => n.to_string(),
        }
    }
}

/// The expected outcome of a corpus case.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The decision.
    pub decision: Decision,
    /// The kinds that blocked it, when the case pins them.
    #[serde(default)]
    pub blocked_by: Option<Vec<PolicyKind>>,
}

impl<'de> Deserialize<'de> for Decision {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        match s.as_str() {
            "Allowed" => Ok(Decision::Allowed),
            "ImplicitlyDenied" => Ok(Decision::ImplicitlyDenied),
            "ExplicitlyDenied" => Ok(Decision::ExplicitlyDenied),
            other => Err(serde::de::Error::custom(format!(
                "unknown decision `{other}` (expected Allowed, ImplicitlyDenied or ExplicitlyDenied)"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for PolicyKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        [
            PolicyKind::Identity,
            PolicyKind::Resource,
            PolicyKind::Boundary,
            PolicyKind::Scp,
            PolicyKind::Rcp,
            PolicyKind::Session,
            PolicyKind::Endpoint,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| serde::de::Error::custom(format!("unknown policy kind `{s}`")))
    }
}

fn named(v: &[(String, Policy)]) -> Vec<Named<'_>> {
    v.iter()
        .map(|(n, p)| Named { name: n, policy: p })
        .collect()
}

/// A case whose policies do not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct CaseError(pub Vec<String>);

impl Case {
    /// Evaluates the case.
    pub fn run(&self) -> Result<Evaluation, CaseError> {
        let mut errors = Vec::new();
        let mut get = |field: String, d: &PolicyDocument| -> Option<Policy> {
            match &d.parsed {
                Ok(p) => Some(p.clone()),
                Err(e) => {
                    errors.extend(e.0.iter().map(|err| format!("{field}: {err}")));
                    None
                }
            }
        };
        let identity: Vec<(String, Policy)> = self
            .identity_policies
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                get(format!("identity_policies[{i}]"), d)
                    .map(|p| (format!("identity_policies[{i}]"), p))
            })
            .collect();
        let resource = self
            .resource_policy
            .as_ref()
            .and_then(|d| get("resource_policy".into(), d));
        let boundary = self
            .permission_boundary
            .as_ref()
            .and_then(|d| get("permission_boundary".into(), d));
        let session = self
            .session_policy
            .as_ref()
            .and_then(|d| get("session_policy".into(), d));
        let levels =
            |name: &str,
             lv: &[Vec<PolicyDocument>],
             get: &mut dyn FnMut(String, &PolicyDocument) -> Option<Policy>| {
                lv.iter()
                    .enumerate()
                    .map(|(l, docs)| {
                        docs.iter()
                            .enumerate()
                            .filter_map(|(i, d)| {
                                let label = format!("{name}[{l}][{i}]");
                                get(label.clone(), d).map(|p| (label, p))
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect::<Vec<_>>()
            };
        let scps = levels("scps", &self.scps, &mut get);
        let rcps = levels("rcps", &self.rcps, &mut get);
        let endpoints: Vec<(String, Policy)> = self
            .endpoint_policies
            .iter()
            .enumerate()
            .filter_map(|(i, d)| {
                get(format!("endpoint_policies[{i}]"), d)
                    .map(|p| (format!("endpoint_policies[{i}]"), p))
            })
            .collect();
        if !errors.is_empty() {
            return Err(CaseError(errors));
        }
        let set = PolicySet {
            identity: named(&identity),
            resource: resource.as_ref().map(|p| Named {
                name: "resource_policy",
                policy: p,
            }),
            boundary: boundary.as_ref().map(|p| Named {
                name: "permission_boundary",
                policy: p,
            }),
            scps: scps.iter().map(|l| named(l)).collect(),
            rcps: rcps.iter().map(|l| named(l)).collect(),
            session: session.as_ref().map(|p| Named {
                name: "session_policy",
                policy: p,
            }),
            endpoints: named(&endpoints),
            org_id: None,
            regions: &[],
        };
        let mut ctx = RequestContext::new();
        for (k, v) in &self.request.context {
            match v {
                ContextValue::One(s) => ctx.set(k, s.text()),
                ContextValue::Many(list) => {
                    ctx.set_many(k, list.iter().map(Scalar::text).collect())
                }
            }
        }
        let principal = RequestPrincipal::parse(&self.request.principal);
        Ok(evaluate(
            &set,
            &Request {
                principal: &principal,
                action: &self.request.action,
                resource: &self.request.resource,
                resource_match: ResourceMatch::Exact,
                resource_account: self.request.resource_account.as_deref(),
                context: &ctx,
            },
        ))
    }

    /// Compares a result with the expectation; `None` when it matches (or nothing is expected).
    pub fn mismatch(&self, got: &Evaluation) -> Option<String> {
        let want = self.expect.as_ref()?;
        let mut problems = Vec::new();
        if got.decision != want.decision {
            problems.push(format!(
                "decision {} (expected {})",
                got.decision.as_str(),
                want.decision.as_str()
            ));
        }
        if let Some(b) = &want.blocked_by {
            let mut w = b.clone();
            w.sort();
            w.dedup();
            if w != got.blocked_by {
                let show =
                    |v: &[PolicyKind]| v.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",");
                problems.push(format!(
                    "blocked_by [{}] (expected [{}])",
                    show(&got.blocked_by),
                    show(&w)
                ));
            }
        }
        (!problems.is_empty()).then(|| problems.join(", "))
    }
}
