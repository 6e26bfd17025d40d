//! The policy evaluation engine: AWS's documented policy evaluation logic, offline.
//!
//! Given a request (principal, action, resource, context) and the policies that apply to it,
//! by kind, [`evaluate`] decides `Allowed`, `ImplicitlyDenied` or `ExplicitlyDenied`, says which
//! policy kinds blocked the request and which statements decided it. The rules, from
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>:
//!
//! 1. An explicit `Deny` in any applicable policy wins.
//! 2. Every organisation level of SCPs (for the principal's account) and of RCPs (for the
//!    resource's account) must allow; neither grants. Service-linked roles and service
//!    principals are not restricted by SCPs, service-linked roles not by RCPs, and RCPs
//!    govern only the services that support them ([`RCP_SERVICES`]). With the organisation's
//!    id in the set ([`PolicySet::org_id`]) the request carries `aws:PrincipalOrgID` (and
//!    `aws:ResourceOrgID` for the principal's own resources), which those policies test.
//! 3. VPC endpoint policies the request passes through must allow.
//! 4. Within one account, an identity-based allow (limited by the permission boundary and the
//!    session policy, which never grant) or a resource-based allow that names the principal
//!    suffices. A resource policy that names the user or the session ARN is not limited by
//!    the boundary or session policy; one that names the role ARN is. Naming the account
//!    only delegates to the account's identity policies.
//! 5. Across accounts, both the identity side and the resource policy must allow.
//! 6. Role trust policies (`sts:AssumeRole*`) and KMS key policies must always allow: the
//!    identity side alone never suffices, even in one account.
//!
//! With a *partial* [`RequestContext`], conditions on keys the context does not carry are
//! unknown; the result is then marked conditional and names them, with the decision that
//! holds when they are satisfied.

pub mod case;
mod condition;
mod context;
mod principal;

pub use condition::{Truth, evaluate as evaluate_condition};
pub use context::RequestContext;
pub use principal::{
    PrincipalMatch, PrincipalType, RequestPrincipal, not_principal_applies, principal_matches,
};

use serde::Serialize;

use crate::policy::template::{parse_template, substitute};
use crate::policy::{Condition, Effect, Policy, Statement};
use crate::wildcard::{Pattern, patterns_intersect, wildcard_match};

/// The kinds of policy that take part in a decision.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyKind {
    /// The principal's identity-based policies (inline, attached, groups').
    Identity,
    /// The resource's policy (bucket, key, trust policy, ...).
    Resource,
    /// The principal's permission boundary.
    Boundary,
    /// Service control policies.
    Scp,
    /// Resource control policies.
    Rcp,
    /// The session policy.
    Session,
    /// VPC endpoint policies.
    Endpoint,
}

impl PolicyKind {
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Identity => "identity",
            PolicyKind::Resource => "resource",
            PolicyKind::Boundary => "boundary",
            PolicyKind::Scp => "scp",
            PolicyKind::Rcp => "rcp",
            PolicyKind::Session => "session",
            PolicyKind::Endpoint => "endpoint",
        }
    }
}

/// A policy with the name it is reported under.
#[derive(Copy, Clone, Debug)]
pub struct Named<'a> {
    /// ARN, `inline:<principal>:<name>`, or any label.
    pub name: &'a str,
    /// The document.
    pub policy: &'a Policy,
}

/// Every policy that applies to a request, by kind.
#[derive(Clone, Debug, Default)]
pub struct PolicySet<'a> {
    /// Identity-based policies.
    pub identity: Vec<Named<'a>>,
    /// The resource policy.
    pub resource: Option<Named<'a>>,
    /// The permission boundary.
    pub boundary: Option<Named<'a>>,
    /// SCPs, one list per organisation level (root, OUs, account).
    pub scps: Vec<Vec<Named<'a>>>,
    /// RCPs, one list per organisation level.
    pub rcps: Vec<Vec<Named<'a>>>,
    /// The session policy.
    pub session: Option<Named<'a>>,
    /// VPC endpoint policies on the request's path.
    pub endpoints: Vec<Named<'a>>,
    /// The organisation the principal's account belongs to, when known (`o-...`): the
    /// request then carries `aws:PrincipalOrgID` for IAM principals and, for a resource in
    /// the principal's own account, `aws:ResourceOrgID`, unless the context gives them. SCPs
    /// and RCPs are mostly written against these keys; without them every such condition
    /// would stay open.
    pub org_id: Option<&'a str>,
    /// The regions the principal may call (the account's), for capability questions: when
    /// the context does not name `aws:RequestedRegion` and the decision depends on it, the
    /// caller could pick any of these, so the first region in which the request is certainly
    /// allowed decides (an SCP that denies every region but a few, or a policy that allows
    /// one region, does not make every action "conditional"). Empty: the region stays open.
    pub regions: &'a [&'a str],
}

/// A request.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    /// Who.
    pub principal: &'a RequestPrincipal,
    /// `service:Action`.
    pub action: &'a str,
    /// The resource ARN, or `*`.
    pub resource: &'a str,
    /// How to read `resource`: one resource, or a pattern standing for a set of resources.
    pub resource_match: ResourceMatch,
    /// The account that owns the resource; defaults to the principal's.
    pub resource_account: Option<&'a str>,
    /// Condition keys.
    pub context: &'a RequestContext,
}

/// How a request's resource is read.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum ResourceMatch {
    /// One resource: `*` and `?` in it are plain characters (wildcard-only actions use `*`).
    #[default]
    Exact,
    /// Every resource the pattern matches: an Allow must cover the whole set, a Deny that
    /// matches any part of it applies. "Allowed" means allowed on all of them.
    All,
    /// Some resource the pattern matches (one the caller may choose, such as the name of a
    /// function it creates): an Allow that matches any part applies, a Deny must cover the
    /// whole set. "Allowed" means allowed on at least one of them (an over-approximation when
    /// allows and denies overlap partially).
    Any,
}

/// The outcome.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Decision {
    /// Allowed.
    Allowed,
    /// No policy allowed it (or a required kind did not).
    ImplicitlyDenied,
    /// A Deny statement matched.
    ExplicitlyDenied,
}

impl Decision {
    /// AWS's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allowed => "Allowed",
            Decision::ImplicitlyDenied => "ImplicitlyDenied",
            Decision::ExplicitlyDenied => "ExplicitlyDenied",
        }
    }
}

/// A statement that took part in the decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementRef {
    /// The policy's kind.
    pub kind: PolicyKind,
    /// The policy's name.
    pub policy: String,
    /// Statement index (0-based).
    pub index: usize,
    /// Sid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
}

/// A condition whose key the (partial) context did not carry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpenCondition {
    /// Where.
    pub statement: StatementRef,
    /// `Operator key values` as written.
    pub condition: String,
}

/// The full result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// The decision (for a conditional result: the decision when the open conditions of the
    /// allowing statements hold and those of denying statements do not).
    pub decision: Decision,
    /// The policy kinds that denied it, explicitly or by not allowing.
    pub blocked_by: Vec<PolicyKind>,
    /// The statements that decided it: the matching Denies, or the Allows that granted it.
    pub deciding_statements: Vec<StatementRef>,
    /// True when the decision depends on conditions the context did not settle.
    pub conditional: bool,
    /// Those conditions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub open_conditions: Vec<OpenCondition>,
}

/// One statement's verdict on the request.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Hit {
    truth: Truth,
    principal: PrincipalMatch,
}

fn action_matches(st: &Statement, action: &str) -> bool {
    let any = st
        .action
        .patterns
        .iter()
        .any(|p| wildcard_match(p, action, true));
    any != st.action.negated
}

fn resource_pattern_matches(
    pattern: &str,
    req: &Request<'_>,
    variables: bool,
    effect: Effect,
) -> bool {
    let compiled;
    let pat: Option<&Pattern> = if variables && pattern.contains("${") {
        let ctx = req.context;
        let principal = req.principal;
        match substitute(&parse_template(pattern), |k| {
            derived_single(ctx, principal, k)
        }) {
            Some(p) => {
                compiled = p;
                Some(&compiled)
            }
            None => return false,
        }
    } else {
        None
    };
    if req.resource_match != ResourceMatch::Exact {
        let owned;
        let p = match pat {
            Some(p) => p,
            None => {
                owned = Pattern::new(pattern);
                &owned
            }
        };
        let r = Pattern::new(req.resource);
        let cover = matches!(
            (effect, req.resource_match),
            (Effect::Allow, ResourceMatch::All) | (Effect::Deny, ResourceMatch::Any)
        );
        return if cover {
            r.is_covered_by(p, false)
        } else {
            patterns_intersect(p, &r, false)
        };
    }
    match pat {
        Some(p) => p.matches(req.resource, false),
        None => wildcard_match(pattern, req.resource, false),
    }
}

fn resource_matches(st: &Statement, req: &Request<'_>, variables: bool) -> bool {
    let Some(r) = &st.resource else {
        // Trust policies and some resource policies omit Resource: the statement is about the
        // resource that holds it.
        return true;
    };
    let any = r.patterns.iter().any(|p| {
        resource_pattern_matches(
            p,
            req,
            variables,
            if r.negated {
                flip(st.effect)
            } else {
                st.effect
            },
        )
    });
    any != r.negated
}

fn flip(e: Effect) -> Effect {
    match e {
        Effect::Allow => Effect::Deny,
        Effect::Deny => Effect::Allow,
    }
}

/// Context value for a policy variable, falling back to what the principal implies.
fn derived_single(ctx: &RequestContext, p: &RequestPrincipal, key: &str) -> Option<String> {
    if let Some(v) = ctx.single(key) {
        return Some(v);
    }
    match key.to_ascii_lowercase().as_str() {
        "aws:username" if p.kind == PrincipalType::User => Some(p.name.clone()),
        "aws:principalarn" => p.principal_arn(),
        "aws:principalaccount" if !p.account.is_empty() => Some(p.account.clone()),
        "aws:principaltype" => Some(p.type_name().to_string()),
        _ => None,
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "a private hot-path helper; a struct would only rename the same values"
)]
fn statement_hit<'p>(
    st: &'p Statement,
    req: &Request<'_>,
    ctx: &RequestContext,
    variables: bool,
    check_principal: bool,
    has_boundary: bool,
    open: &mut Vec<(usize, &'p Condition)>,
    index: usize,
) -> Hit {
    let no = Hit {
        truth: Truth::False,
        principal: PrincipalMatch::No,
    };
    if !action_matches(st, req.action) {
        return no;
    }
    let principal = match (&st.principal, check_principal) {
        (Some(pc), true) => {
            if pc.negated {
                // AWS: a Deny with NotPrincipal always denies a principal that has a
                // permissions boundary, whatever NotPrincipal lists.
                let deny = st.effect == Effect::Deny;
                if (deny && has_boundary)
                    || not_principal_applies(&pc.principals, req.principal, deny)
                {
                    PrincipalMatch::Direct
                } else {
                    return no;
                }
            } else {
                match principal_matches(&pc.principals, req.principal) {
                    PrincipalMatch::No => return no,
                    m => m,
                }
            }
        }
        _ => PrincipalMatch::Direct,
    };
    if !resource_matches(st, req, variables) {
        return no;
    }
    let mut truth = Truth::True;
    for c in &st.conditions {
        let t = condition::evaluate(c, ctx, variables);
        if t == Truth::Unknown {
            open.push((index, c));
        }
        truth = truth.and(t);
        if truth == Truth::False {
            break;
        }
    }
    Hit { truth, principal }
}

/// Statements of one policy that matched, as (index, effect, truth, principal match).
struct Matched<'p> {
    kind: PolicyKind,
    name: &'p str,
    policy: &'p Policy,
    hits: Vec<(usize, Hit)>,
    open: Vec<(usize, &'p Condition)>,
}

fn match_policy<'p>(
    kind: PolicyKind,
    n: &Named<'p>,
    req: &Request<'_>,
    ctx: &RequestContext,
    has_boundary: bool,
) -> Matched<'p> {
    let variables = n.policy.variables_enabled();
    let check_principal = matches!(
        kind,
        PolicyKind::Resource | PolicyKind::Endpoint | PolicyKind::Rcp
    );
    let mut hits = Vec::new();
    let mut open = Vec::new();
    for (i, st) in n.policy.statements.iter().enumerate() {
        let h = statement_hit(
            st,
            req,
            ctx,
            variables,
            check_principal,
            has_boundary,
            &mut open,
            i,
        );
        if h.truth != Truth::False {
            hits.push((i, h));
        }
    }
    Matched {
        kind,
        name: n.name,
        policy: n.policy,
        hits,
        open,
    }
}

impl Matched<'_> {
    fn sref(&self, i: usize) -> StatementRef {
        let st = &self.policy.statements[i];
        StatementRef {
            kind: self.kind,
            policy: self.name.to_string(),
            index: i,
            sid: st.sid.clone(),
            effect: st.effect,
        }
    }

    /// Matching statements of an effect under an assumption about unknown conditions.
    fn with(
        &self,
        effect: Effect,
        assume_unknown: bool,
    ) -> impl Iterator<Item = (usize, Hit)> + '_ {
        self.hits.iter().copied().filter(move |(i, h)| {
            self.policy.statements[*i].effect == effect
                && (h.truth == Truth::True || (assume_unknown && h.truth == Truth::Unknown))
        })
    }
}

/// Evaluates a request against its policies, following AWS's documented logic.
pub fn evaluate(set: &PolicySet<'_>, req: &Request<'_>) -> Evaluation {
    let first = evaluate_once(set, req);
    let region_open = first.conditional
        && !set.regions.is_empty()
        && req.context.get("aws:RequestedRegion").is_none()
        && first.open_conditions.iter().any(|c| {
            c.condition
                .split(' ')
                .nth(1)
                .is_some_and(|k| k.eq_ignore_ascii_case("aws:RequestedRegion"))
        });
    if !region_open {
        return first;
    }
    // The caller chooses the region: the first one in which the request is certainly allowed.
    for region in set.regions {
        let mut ctx = req.context.clone();
        ctx.set("aws:RequestedRegion", *region);
        let e = evaluate_once(
            set,
            &Request {
                context: &ctx,
                ..req.clone()
            },
        );
        if e.decision == Decision::Allowed && !e.conditional {
            return e;
        }
    }
    first
}

fn evaluate_once(set: &PolicySet<'_>, req: &Request<'_>) -> Evaluation {
    // The context the conditions see: given values, then values derived from the principal.
    let mut owned;
    let ctx = if needs_derived(req) {
        owned = req.context.clone();
        derive_context(&mut owned, req.principal);
        &owned
    } else {
        req.context
    };
    let p = req.principal;
    let org_keys = org_keys(set, req, ctx);
    let ctx = match org_keys {
        Some(keys) => {
            let mut with = ctx.clone();
            for (k, v) in keys {
                with.set_default(k, v);
            }
            owned = with;
            &owned
        }
        None => ctx,
    };
    let exempt_from_scps = p.is_service_linked_role() || !p.has_identity_policies();
    let has_boundary = set.boundary.is_some();

    let identity: Vec<Matched<'_>> = set
        .identity
        .iter()
        .map(|n| match_policy(PolicyKind::Identity, n, req, ctx, has_boundary))
        .collect();
    let resource = set
        .resource
        .as_ref()
        .map(|n| match_policy(PolicyKind::Resource, n, req, ctx, has_boundary));
    let boundary = set
        .boundary
        .as_ref()
        .map(|n| match_policy(PolicyKind::Boundary, n, req, ctx, has_boundary));
    let session = set
        .session
        .as_ref()
        .map(|n| match_policy(PolicyKind::Session, n, req, ctx, has_boundary));
    let endpoints: Vec<Matched<'_>> = set
        .endpoints
        .iter()
        .map(|n| match_policy(PolicyKind::Endpoint, n, req, ctx, has_boundary))
        .collect();
    // SCPs restrict only the organisation's IAM principals; RCPs restrict every caller of
    // the organisation's resources but service-linked roles.
    let scps = org_levels(
        &set.scps,
        PolicyKind::Scp,
        exempt_from_scps,
        req,
        ctx,
        has_boundary,
    );
    let rcps = org_levels(
        &set.rcps,
        PolicyKind::Rcp,
        p.is_service_linked_role() || !rcp_governs(req.action),
        req,
        ctx,
        has_boundary,
    );

    let all: Vec<&Matched<'_>> = identity
        .iter()
        .chain(resource.iter())
        .chain(boundary.iter())
        .chain(session.iter())
        .chain(endpoints.iter())
        .chain(scps.iter().flatten())
        .chain(rcps.iter().flatten())
        .collect();

    let decide = |assume_allow: bool,
                  assume_deny: bool|
     -> (Decision, Vec<PolicyKind>, Vec<StatementRef>) {
        // 1. Explicit deny anywhere.
        let mut denies = Vec::new();
        for m in &all {
            for (i, _) in m.with(Effect::Deny, assume_deny) {
                denies.push(m.sref(i));
            }
        }
        if !denies.is_empty() {
            let mut kinds: Vec<PolicyKind> = denies.iter().map(|s| s.kind).collect();
            kinds.sort();
            kinds.dedup();
            return (Decision::ExplicitlyDenied, kinds, denies);
        }
        let mut blocked = Vec::new();
        let mut deciding = Vec::new();
        let allows = |m: &Matched<'_>, deciding: &mut Vec<StatementRef>| -> bool {
            let mut any = false;
            for (i, _) in m.with(Effect::Allow, assume_allow) {
                deciding.push(m.sref(i));
                any = true;
            }
            any
        };
        // 2. Organisation levels: every level must allow.
        for (levels, kind) in [(&scps, PolicyKind::Scp), (&rcps, PolicyKind::Rcp)] {
            for l in levels.iter() {
                let mut scratch = Vec::new();
                if !l.iter().any(|m| allows(m, &mut scratch)) && !blocked.contains(&kind) {
                    blocked.push(kind);
                }
            }
        }
        // 3. Endpoint policies.
        for m in &endpoints {
            let mut scratch = Vec::new();
            if !allows(m, &mut scratch) && !blocked.contains(&PolicyKind::Endpoint) {
                blocked.push(PolicyKind::Endpoint);
            }
        }
        // 4–6. Identity side and resource side.
        let mut id_deciding = Vec::new();
        // The root user holds every permission without a policy.
        let mut identity_allows = p.kind == PrincipalType::Account;
        for m in &identity {
            // Not `any`: every allowing statement is evidence.
            identity_allows |= allows(m, &mut id_deciding);
        }
        let mut scratch = Vec::new();
        let boundary_ok = boundary.as_ref().is_none_or(|m| allows(m, &mut scratch));
        // A federated user session (GetFederationToken) without a session policy has no
        // permissions of its own.
        let session_ok = match &session {
            Some(m) => allows(m, &mut scratch),
            None => p.kind != PrincipalType::FederatedUser,
        };
        let identity_side = identity_allows && boundary_ok && session_ok;

        let mut res_deciding = Vec::new();
        let resource_grant = resource.as_ref().map_or(PrincipalMatch::No, |m| {
            let mut best = PrincipalMatch::No;
            for (i, h) in m.with(Effect::Allow, assume_allow) {
                res_deciding.push(m.sref(i));
                best = best.max(h.principal);
            }
            best
        });
        // Callers without an account of their own (services, providers, anonymous) have no
        // identity side: a resource grant is all they can have.
        let same_account = !p.has_identity_policies()
            || match req.resource_account {
                Some(r) => r == p.account,
                None => true,
            };
        let strict_resource = is_strict_resource(req);
        // A resource grant that stands on its own, in one account. Trust policies are also
        // limited by the caller's boundary (AWS: "it must allow the sts:AssumeRole action").
        let direct_grant = match resource_grant {
            PrincipalMatch::Direct => !strict_resource || boundary_ok || !p.has_identity_policies(),
            PrincipalMatch::Role => boundary_ok && session_ok,
            _ => false,
        };
        let allowed_core = if same_account && !strict_resource {
            identity_side || direct_grant
        } else if same_account {
            // Trust and key policies: a direct grant suffices; an account grant delegates.
            direct_grant || (resource_grant == PrincipalMatch::Account && identity_side)
        } else {
            identity_side && resource_grant != PrincipalMatch::No
        };
        if allowed_core {
            if identity_side {
                deciding.extend(id_deciding.iter().cloned());
            }
            if resource_grant != PrincipalMatch::No {
                deciding.extend(res_deciding);
            }
        } else {
            let resource_stood = matches!(
                resource_grant,
                PrincipalMatch::Direct | PrincipalMatch::Role
            );
            if p.has_identity_policies() && !identity_allows && !resource_stood {
                blocked.push(PolicyKind::Identity);
            }
            if (identity_allows || resource_stood) && !boundary_ok {
                blocked.push(PolicyKind::Boundary);
            }
            if (identity_allows || resource_stood) && !session_ok {
                blocked.push(PolicyKind::Session);
            }
            let resource_required = !same_account || strict_resource || !p.has_identity_policies();
            // An account-only grant is not the blocker: it delegates to the identity side.
            let resource_failed =
                resource_grant == PrincipalMatch::No && (resource.is_some() || resource_required);
            if resource_failed {
                blocked.push(PolicyKind::Resource);
            }
        }
        if blocked.is_empty() && allowed_core {
            (Decision::Allowed, Vec::new(), deciding)
        } else {
            if blocked.is_empty() {
                blocked.push(PolicyKind::Identity);
            }
            blocked.sort();
            blocked.dedup();
            (Decision::ImplicitlyDenied, blocked, Vec::new())
        }
    };

    let any_open = all.iter().any(|m| !m.open.is_empty());
    let (decision, blocked_by, deciding_statements) = decide(true, false);
    let mut conditional = false;
    let mut open_conditions = Vec::new();
    if any_open {
        let pessimistic = decide(false, true);
        if pessimistic.0 != decision {
            conditional = true;
            for m in &all {
                for (i, c) in &m.open {
                    open_conditions.push(OpenCondition {
                        statement: m.sref(*i),
                        condition: format!(
                            "{} {} {:?}",
                            c.operator,
                            c.key,
                            c.values.iter().map(|v| v.as_text()).collect::<Vec<_>>()
                        ),
                    });
                }
            }
        }
    }
    Evaluation {
        decision,
        blocked_by,
        deciding_statements,
        conditional,
        open_conditions,
    }
}

/// The organisation keys the request should carry and does not: `aws:PrincipalOrgID` for an
/// IAM principal of the set's organisation, `aws:ResourceOrgID` for a resource in its account.
fn org_keys<'k>(
    set: &PolicySet<'k>,
    req: &Request<'_>,
    ctx: &RequestContext,
) -> Option<Vec<(&'static str, &'k str)>> {
    let org = set.org_id?;
    let p = req.principal;
    if !p.has_identity_policies() {
        return None;
    }
    let mut keys = Vec::new();
    if ctx.get("aws:PrincipalOrgID").is_none() {
        keys.push(("aws:PrincipalOrgID", org));
    }
    let own_resource = req.resource_account.is_none_or(|a| a == p.account);
    if own_resource && ctx.get("aws:ResourceOrgID").is_none() {
        keys.push(("aws:ResourceOrgID", org));
    }
    (!keys.is_empty()).then_some(keys)
}

/// The services whose resources RCPs govern; an RCP never restricts any other service's
/// actions, whatever its `Action` says. From "List of AWS services that support RCPs",
/// <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>
/// (S3, STS, KMS, SQS and Secrets Manager at launch; ECR, OpenSearch Serverless, Cognito user
/// pools, CloudWatch Logs and DynamoDB since).
pub const RCP_SERVICES: &[&str] = &[
    "s3",
    "sts",
    "kms",
    "sqs",
    "secretsmanager",
    "ecr",
    "aoss",
    "cognito-idp",
    "logs",
    "dynamodb",
];

/// Does an RCP govern this action?
fn rcp_governs(action: &str) -> bool {
    let service = action.split_once(':').map_or(action, |(s, _)| s);
    RCP_SERVICES.iter().any(|s| s.eq_ignore_ascii_case(service))
}

fn org_levels<'p>(
    levels: &[Vec<Named<'p>>],
    kind: PolicyKind,
    exempt: bool,
    req: &Request<'_>,
    ctx: &RequestContext,
    has_boundary: bool,
) -> Vec<Vec<Matched<'p>>> {
    if exempt {
        return Vec::new();
    }
    levels
        .iter()
        .map(|l| {
            l.iter()
                .map(|n| match_policy(kind, n, req, ctx, has_boundary))
                .collect()
        })
        .collect()
}

/// Role trust policies and KMS key policies must allow on their own terms: the identity
/// side alone never suffices for `sts:AssumeRole*` on a role or for KMS actions on a key.
fn is_strict_resource(req: &Request<'_>) -> bool {
    let action = req.action.to_ascii_lowercase();
    (action.starts_with("kms:") && req.resource.contains(":key/"))
        || (action.starts_with("sts:assumerole") && req.resource.contains(":role/"))
}

fn needs_derived(req: &Request<'_>) -> bool {
    req.context.derived_for.as_deref() != Some(req.principal.raw.as_str())
        && !matches!(
            req.principal.kind,
            PrincipalType::Anonymous | PrincipalType::Service | PrincipalType::Federated
        )
}

/// Adds the context keys AWS derives from the principal, without overriding given ones.
/// Callers that evaluate many requests for one principal call this once; the engine then
/// skips deriving per request.
pub fn derive_context(ctx: &mut RequestContext, p: &RequestPrincipal) {
    ctx.derived_for = Some(p.raw.clone());
    if p.kind == PrincipalType::User {
        ctx.set_default("aws:username", p.name.clone());
    }
    if let Some(arn) = p.principal_arn() {
        ctx.set_default("aws:PrincipalArn", arn);
    }
    if !p.account.is_empty() {
        ctx.set_default("aws:PrincipalAccount", p.account.clone());
    }
    ctx.set_default("aws:PrincipalType", p.type_name());
    // "Present in the request context for all signed API requests": false for every caller
    // but an AWS service.
    match p.kind {
        PrincipalType::Anonymous => {}
        PrincipalType::Service => ctx.set_default("aws:PrincipalIsAWSService", "true"),
        _ => ctx.set_default("aws:PrincipalIsAWSService", "false"),
    }
}

#[cfg(test)]
mod tests;
