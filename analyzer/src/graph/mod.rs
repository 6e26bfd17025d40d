//! The permission graph: who can become whom, principal-centric, across every policy a
//! principal has.
//!
//! Nodes are users, groups, roles, managed policies, external accounts, service principals,
//! identity providers, instances, and *pattern* nodes; edges are member-of, has-policy,
//! can-assume, runs-as and can-escalate-to (with the method and the deciding statements).
//! Every edge that gives power is decided by the evaluation engine on the principal's whole
//! policy set (Deny, boundary, resource scoping and conditions honoured; conditions that
//! cannot be known are kept and the step is marked conditional).
//!
//! A principal allowed on many targets through one broad pattern (`arn:aws:iam::*:user/*`)
//! points at one shared pattern node that points at every matching target, so the graph
//! grows with principals plus targets, not their product. The same holds for a grant scoped
//! to a subset (`arn:aws:iam::*:role/app-*`): one node per (method, pattern), covering exactly
//! the targets the pattern matches.
//!
//! The request each method makes carries what the method does, so that conditions on it are
//! decided where they can be: `iam:PassedToService` (the method's service) and, for EC2,
//! `iam:AssociatedResourceArn` (an instance the caller launches) on `iam:PassRole`;
//! `iam:PolicyARN` (a policy that makes its holder admin) on `iam:Attach*Policy`. Granting a
//! principal `*` does not make it admin while its permissions boundary stays.
//!
//! petgraph stays private to this module: callers see ARNs, [`Step`]s and [`EscalationPath`]s.

mod methods;

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use iam_model::catalog::{AccessLevel, ActionId, ActionSet, Catalog, Expander};
use iam_model::eval::{
    Decision, Evaluation, Named, PolicyKind, PolicySet, Request, RequestContext, RequestPrincipal,
    ResourceMatch, StatementRef, derive_context, evaluate,
};
use iam_model::policy::template::{parse_template, substitute};
use iam_model::policy::{Effect, Policy, PrincipalKind as PK, Principals, Statement};
use iam_model::wildcard::{Pattern, Token, wildcard_match};
use petgraph::Direction;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;

pub use methods::{METHODS, Method, On, Target, method};

use crate::account::{Account, Principal, PrincipalKind};

/// What a node stands for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// IAM user.
    User,
    /// IAM role.
    Role,
    /// IAM group.
    Group,
    /// Managed policy.
    Policy,
    /// Another AWS account.
    ExternalAccount,
    /// An AWS service principal.
    Service,
    /// A SAML or OIDC provider.
    Federated,
    /// Anyone (`"Principal": "*"`).
    Anyone,
    /// An EC2 instance.
    Instance,
    /// A set of targets matched by one resource pattern.
    Pattern,
    /// Full administrative access (virtual).
    Admin,
}

/// A node.
#[derive(Clone, Debug, Serialize)]
pub struct Node {
    /// ARN, or a synthetic id (`service:lambda.amazonaws.com`, `pattern:...`, `admin`).
    pub id: String,
    /// Kind.
    pub kind: NodeKind,
    /// Effectively allowed `*` on `*`.
    pub admin: bool,
}

/// What an edge means.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// User → group.
    MemberOf,
    /// Principal → managed policy (attached).
    HasPolicy,
    /// Principal → managed policy (permission boundary).
    Boundary,
    /// Principal → role: the trust policy admits it and its permissions allow assuming.
    CanAssume,
    /// Instance → role.
    RunsAs,
    /// Principal → principal (or admin): an escalation method.
    Escalates,
    /// Pattern node → a target it matches.
    Covers,
    /// Admin principal → the admin node.
    IsAdmin,
}

/// One step of an escalation path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The acting principal.
    pub from: String,
    /// What it reaches (a principal; the principal itself when it grants itself admin).
    pub to: String,
    /// The method id ([`METHODS`]).
    pub method: String,
    /// The actions the method uses.
    pub actions: Vec<String>,
    /// The statements that allow them.
    pub statements: Vec<StatementRef>,
    /// True when the step depends on conditions the snapshot cannot settle (or on resources
    /// it does not inventory).
    pub conditional: bool,
}

/// A principal that is not admin but can become admin, and the shortest way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EscalationPath {
    /// The principal.
    pub principal: String,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug)]
struct EdgeData {
    kind: EdgeKind,
    step: Option<Step>,
}

/// What the graph knows about one user, role or group.
#[derive(Clone, Debug)]
struct Facts {
    /// Actions some Allow statement mentions at all (a cheap upper bound, for pruning).
    possible: ActionSet,
    admin: bool,
}

/// The permission graph of one account.
pub struct PermissionGraph {
    graph: DiGraph<Node, EdgeData>,
    index: HashMap<String, NodeIndex>,
    admin: NodeIndex,
    /// For each node, the edge that leads one step closer to admin.
    toward_admin: HashMap<NodeIndex, EdgeIndex>,
    /// For each user, role and group: the actions some Allow statement of its policies
    /// mentions at all, within its boundary and SCPs.
    possible: HashMap<String, ActionSet>,
}

/// Patterns matching at least this many targets become a shared pattern node.
const PATTERN_NODE_MIN: usize = 8;

impl PermissionGraph {
    /// Builds the graph of an account.
    pub fn build(account: &Account<'_>, catalog: &Catalog) -> PermissionGraph {
        let instances = instances(account);
        Builder::new(account, catalog, &instances).build()
    }

    /// Every node.
    pub fn nodes(&self) -> impl Iterator<Item = &Node> {
        self.graph.node_weights()
    }

    /// False when no Allow statement of the principal's policies (within its boundary and
    /// SCPs) mentions the action (an id of the catalog the graph was built with): no request
    /// for it can be allowed by the identity side. True when one may, and for principals the
    /// graph does not know.
    pub fn may_be_allowed(&self, principal: &str, action: ActionId) -> bool {
        self.possible
            .get(principal)
            .is_none_or(|set| set.contains(action))
    }

    /// Is this principal admin?
    pub fn is_admin(&self, arn: &str) -> bool {
        self.index.get(arn).is_some_and(|&i| self.graph[i].admin)
    }

    /// The ARNs of admin users, roles and groups.
    pub fn admins(&self) -> Vec<&str> {
        self.graph
            .node_weights()
            .filter(|n| {
                n.admin && matches!(n.kind, NodeKind::User | NodeKind::Role | NodeKind::Group)
            })
            .map(|n| n.id.as_str())
            .collect()
    }

    /// Every step one principal can take directly (escalation and assume edges).
    pub fn steps_from(&self, arn: &str) -> Vec<Step> {
        let Some(&i) = self.index.get(arn) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in self.graph.edges_directed(i, Direction::Outgoing) {
            let Some(step) = &e.weight().step else {
                continue;
            };
            if self.graph[e.target()].kind == NodeKind::Pattern {
                // A shared pattern node also covers the principal itself.
                for c in self
                    .graph
                    .edges_directed(e.target(), Direction::Outgoing)
                    .filter(|c| c.target() != i)
                {
                    out.push(Step {
                        to: self.graph[c.target()].id.clone(),
                        ..step.clone()
                    });
                }
            } else {
                out.push(step.clone());
            }
        }
        out
    }

    /// Every user and role that is not admin but can become admin, with its shortest path.
    pub fn escalation_paths(&self) -> Vec<EscalationPath> {
        let mut out: Vec<EscalationPath> = self
            .graph
            .node_indices()
            .filter(|&i| {
                let n = &self.graph[i];
                matches!(n.kind, NodeKind::User | NodeKind::Role) && !n.admin
            })
            .filter_map(|i| self.path_from(i))
            .collect();
        out.sort_by(|a, b| a.principal.cmp(&b.principal));
        out
    }

    /// The shortest path from a principal to admin, if any.
    pub fn path_to_admin(&self, arn: &str) -> Option<EscalationPath> {
        let &i = self.index.get(arn)?;
        if self.graph[i].admin {
            return None;
        }
        self.path_from(i)
    }

    fn path_from(&self, start: NodeIndex) -> Option<EscalationPath> {
        let mut steps: Vec<Step> = Vec::new();
        let mut at = start;
        let mut guard = 0;
        while at != self.admin {
            let &e = self.toward_admin.get(&at)?;
            let (_, next) = self.graph.edge_endpoints(e)?;
            let w = &self.graph[e];
            match (&w.step, w.kind) {
                (Some(step), _) => {
                    let mut s = step.clone();
                    if self.graph[next].kind == NodeKind::Pattern {
                        // Collapse the pattern node: the step reaches the target it covers.
                        let &ce = self.toward_admin.get(&next)?;
                        let (_, target) = self.graph.edge_endpoints(ce)?;
                        s.to = self.graph[target].id.clone();
                        at = target;
                    } else {
                        at = next;
                    }
                    steps.push(s);
                }
                (None, _) => at = next,
            }
            guard += 1;
            if guard > 64 {
                return None;
            }
        }
        (!steps.is_empty()).then(|| EscalationPath {
            principal: self.graph[start].id.clone(),
            steps,
        })
    }

    /// Paths from `from` (or every principal) to `to` (a principal ARN), shortest first.
    pub fn paths_to(&self, to: &str) -> Vec<EscalationPath> {
        let Some(&target) = self.index.get(to) else {
            return Vec::new();
        };
        let next = self.reverse_bfs(&[target]);
        let mut out = Vec::new();
        for i in self.graph.node_indices() {
            let n = &self.graph[i];
            if !matches!(n.kind, NodeKind::User | NodeKind::Role) || i == target {
                continue;
            }
            let mut steps = Vec::new();
            let mut at = i;
            let mut ok = false;
            for _ in 0..64 {
                if at == target {
                    ok = true;
                    break;
                }
                let Some(&e) = next.get(&at) else { break };
                let Some((_, nx)) = self.graph.edge_endpoints(e) else {
                    break;
                };
                if let Some(s) = &self.graph[e].step {
                    let mut s = s.clone();
                    if self.graph[nx].kind == NodeKind::Pattern {
                        let Some(&ce) = next.get(&nx) else { break };
                        let Some((_, t)) = self.graph.edge_endpoints(ce) else {
                            break;
                        };
                        s.to = self.graph[t].id.clone();
                        at = t;
                    } else {
                        at = nx;
                    }
                    steps.push(s);
                } else {
                    at = nx;
                }
            }
            if ok && !steps.is_empty() {
                out.push(EscalationPath {
                    principal: n.id.clone(),
                    steps,
                });
            }
        }
        out.sort_by(|a, b| {
            a.steps
                .len()
                .cmp(&b.steps.len())
                .then_with(|| a.principal.cmp(&b.principal))
        });
        out
    }

    /// Shortest ways to the goals, walking edges backwards (Dijkstra). A certain step costs 1
    /// and a conditional one 10, so a certain path is preferred to a shorter conditional one.
    fn reverse_bfs(&self, goals: &[NodeIndex]) -> HashMap<NodeIndex, EdgeIndex> {
        use std::cmp::Reverse;
        use std::collections::BinaryHeap;
        let mut next: HashMap<NodeIndex, EdgeIndex> = HashMap::new();
        let mut dist: HashMap<NodeIndex, u32> = goals.iter().map(|&g| (g, 0)).collect();
        let mut heap: BinaryHeap<Reverse<(u32, usize)>> =
            goals.iter().map(|g| Reverse((0, g.index()))).collect();
        while let Some(Reverse((d, n))) = heap.pop() {
            let n = NodeIndex::new(n);
            if dist.get(&n).is_some_and(|&best| best < d) {
                continue;
            }
            for e in self.graph.edges_directed(n, Direction::Incoming) {
                let w = e.weight();
                if !matches!(
                    w.kind,
                    EdgeKind::CanAssume
                        | EdgeKind::Escalates
                        | EdgeKind::Covers
                        | EdgeKind::IsAdmin
                ) {
                    continue;
                }
                let cost = match &w.step {
                    Some(s) if s.conditional => 10,
                    Some(_) => 1,
                    None => 0,
                };
                let nd = d + cost;
                let src = e.source();
                if dist.get(&src).is_none_or(|&old| nd < old) {
                    dist.insert(src, nd);
                    next.insert(src, e.id());
                    heap.push(Reverse((nd, src.index())));
                }
            }
        }
        next
    }

    /// The graph in Graphviz DOT, GraphML or JSON; `only_escalation` keeps the nodes and edges
    /// on some escalation or assume edge.
    pub fn export(&self, format: ExportFormat, only_escalation: bool) -> String {
        let keep_edge = |k: EdgeKind| {
            !only_escalation
                || matches!(
                    k,
                    EdgeKind::CanAssume
                        | EdgeKind::Escalates
                        | EdgeKind::Covers
                        | EdgeKind::IsAdmin
                )
        };
        let mut nodes: BTreeSet<NodeIndex> = BTreeSet::new();
        let mut edges = Vec::new();
        for e in self.graph.edge_references() {
            if keep_edge(e.weight().kind) {
                nodes.insert(e.source());
                nodes.insert(e.target());
                edges.push(e);
            }
        }
        if !only_escalation {
            nodes.extend(self.graph.node_indices());
        }
        match format {
            ExportFormat::Dot => {
                let mut s = String::from(
                    "digraph iamsight {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
                );
                for &n in &nodes {
                    let w = &self.graph[n];
                    let color = if w.admin { ", color=red" } else { "" };
                    s.push_str(&format!(
                        "  n{} [label=\"{}\\n({})\"{color}];\n",
                        n.index(),
                        dot_escape(&w.id),
                        kind_name(w.kind)
                    ));
                }
                for e in &edges {
                    let label = e.weight().step.as_ref().map_or_else(
                        || edge_name(e.weight().kind).to_string(),
                        |st| st.method.clone(),
                    );
                    s.push_str(&format!(
                        "  n{} -> n{} [label=\"{}\"];\n",
                        e.source().index(),
                        e.target().index(),
                        dot_escape(&label)
                    ));
                }
                s.push_str("}\n");
                s
            }
            ExportFormat::GraphMl => {
                let mut s = String::from(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n  <key id=\"kind\" for=\"node\" attr.name=\"kind\" attr.type=\"string\"/>\n  <key id=\"admin\" for=\"node\" attr.name=\"admin\" attr.type=\"boolean\"/>\n  <key id=\"ekind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n  <key id=\"method\" for=\"edge\" attr.name=\"method\" attr.type=\"string\"/>\n  <graph id=\"iamsight\" edgedefault=\"directed\">\n",
                );
                for &n in &nodes {
                    let w = &self.graph[n];
                    s.push_str(&format!(
                        "    <node id=\"{}\"><data key=\"kind\">{}</data><data key=\"admin\">{}</data></node>\n",
                        xml_escape(&w.id),
                        kind_name(w.kind),
                        w.admin
                    ));
                }
                for (i, e) in edges.iter().enumerate() {
                    let method = e
                        .weight()
                        .step
                        .as_ref()
                        .map(|s| s.method.as_str())
                        .unwrap_or("");
                    s.push_str(&format!(
                        "    <edge id=\"e{i}\" source=\"{}\" target=\"{}\"><data key=\"ekind\">{}</data><data key=\"method\">{}</data></edge>\n",
                        xml_escape(&self.graph[e.source()].id),
                        xml_escape(&self.graph[e.target()].id),
                        edge_name(e.weight().kind),
                        xml_escape(method)
                    ));
                }
                s.push_str("  </graph>\n</graphml>\n");
                s
            }
            ExportFormat::Json => {
                #[derive(Serialize)]
                struct J<'a> {
                    nodes: Vec<&'a Node>,
                    edges: Vec<JE<'a>>,
                }
                #[derive(Serialize)]
                struct JE<'a> {
                    from: &'a str,
                    to: &'a str,
                    kind: EdgeKind,
                    #[serde(skip_serializing_if = "Option::is_none")]
                    step: Option<&'a Step>,
                }
                let j = J {
                    nodes: nodes.iter().map(|&n| &self.graph[n]).collect(),
                    edges: edges
                        .iter()
                        .map(|e| JE {
                            from: &self.graph[e.source()].id,
                            to: &self.graph[e.target()].id,
                            kind: e.weight().kind,
                            step: e.weight().step.as_ref(),
                        })
                        .collect(),
                };
                serde_json::to_string_pretty(&j).unwrap_or_default() + "\n"
            }
        }
    }
}

/// Graph export formats.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Graphviz.
    Dot,
    /// GraphML (Gephi, yEd, networkx).
    GraphMl,
    /// Nodes and edges as JSON.
    Json,
}

fn kind_name(k: NodeKind) -> &'static str {
    match k {
        NodeKind::User => "user",
        NodeKind::Role => "role",
        NodeKind::Group => "group",
        NodeKind::Policy => "policy",
        NodeKind::ExternalAccount => "external-account",
        NodeKind::Service => "service",
        NodeKind::Federated => "federated",
        NodeKind::Anyone => "anyone",
        NodeKind::Instance => "instance",
        NodeKind::Pattern => "pattern",
        NodeKind::Admin => "admin",
    }
}

fn edge_name(k: EdgeKind) -> &'static str {
    match k {
        EdgeKind::MemberOf => "member-of",
        EdgeKind::HasPolicy => "has-policy",
        EdgeKind::Boundary => "boundary",
        EdgeKind::CanAssume => "can-assume",
        EdgeKind::RunsAs => "runs-as",
        EdgeKind::Escalates => "can-escalate-to",
        EdgeKind::Covers => "covers",
        EdgeKind::IsAdmin => "is-admin",
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Computes the `*`-on-`*` facts of a set of policies (see [`FactsCache::facts`]).
fn facts(
    grants: &[&Policy],
    boundary: Option<&Policy>,
    exp: &mut Expander<'_>,
    catalog: &Catalog,
) -> Facts {
    let mut cache = FactsCache::default();
    cache.facts(grants, boundary, &[], exp, catalog)
}

/// One policy's part of [`Facts`]: what its statements allow on every resource without
/// conditions, deny likewise, and mention in an Allow at all.
struct PolicyFacts {
    allow: ActionSet,
    deny: ActionSet,
    possible: ActionSet,
}

/// [`PolicyFacts`] per policy document, computed once: a managed policy is shared by many
/// principals, and its statements are expanded for the first only.
#[derive(Default)]
struct FactsCache {
    /// By the policy's address (policies live in the snapshot for the whole build).
    by_policy: HashMap<usize, Rc<PolicyFacts>>,
    /// The IAM permissions-management actions, once.
    iam_pm: Option<ActionSet>,
}

impl FactsCache {
    fn policy(&mut self, p: &Policy, exp: &mut Expander<'_>, catalog: &Catalog) -> Rc<PolicyFacts> {
        let key = std::ptr::from_ref(p) as usize;
        if let Some(f) = self.by_policy.get(&key) {
            return f.clone();
        }
        let mut allow = ActionSet::new_empty(catalog);
        let mut deny = ActionSet::new_empty(catalog);
        let mut possible = ActionSet::new_empty(catalog);
        for st in &p.statements {
            let mut acts = ActionSet::new_empty(catalog);
            for pat in &st.action.patterns {
                acts.union_with(&exp.expand(pat).actions);
            }
            if st.action.negated {
                acts = acts.complement(catalog);
            }
            let on_star = st
                .resource
                .as_ref()
                .is_some_and(|r| !r.negated && r.patterns.iter().any(|p| p == "*"));
            let unconditional = st.conditions.is_empty();
            match st.effect {
                Effect::Allow => {
                    possible.union_with(&acts);
                    if on_star && unconditional {
                        allow.union_with(&acts);
                    }
                }
                Effect::Deny => {
                    let all_resources = st.resource.as_ref().is_some_and(|r| {
                        (!r.negated && r.patterns.iter().any(|p| p == "*"))
                            || (r.negated && r.patterns.is_empty())
                    });
                    if all_resources && unconditional {
                        deny.union_with(&acts);
                    }
                }
            }
        }
        let f = Rc::new(PolicyFacts {
            allow,
            deny,
            possible,
        });
        self.by_policy.insert(key, f.clone());
        f
    }

    /// The `*`-on-`*` facts of a set of policies, within the SCP levels that restrict their
    /// holder (none for a single policy). Under SCPs, an administrator is whoever holds
    /// everything every level allows, provided the levels leave every IAM
    /// permissions-management action (with those, the holder can still grant itself the
    /// rest): guard rails such as "never leave the organisation" keep admins admin, an SCP
    /// that takes IAM permissions management away leaves none.
    fn facts(
        &mut self,
        grants: &[&Policy],
        boundary: Option<&Policy>,
        scps: &[Vec<Named<'_>>],
        exp: &mut Expander<'_>,
        catalog: &Catalog,
    ) -> Facts {
        let mut side = |policies: &[&Policy], exp: &mut Expander<'_>| {
            let mut allow = ActionSet::new_empty(catalog);
            let mut deny = ActionSet::new_empty(catalog);
            let mut possible = ActionSet::new_empty(catalog);
            for p in policies {
                let f = self.policy(p, exp, catalog);
                allow.union_with(&f.allow);
                deny.union_with(&f.deny);
                possible.union_with(&f.possible);
            }
            allow.difference_with(&deny);
            (allow, possible)
        };
        let (mut star, mut possible) = side(grants, exp);
        if let Some(b) = boundary {
            let (bstar, bpossible) = side(&[b], exp);
            star.intersect_with(&bstar);
            possible.intersect_with(&bpossible);
        }
        if scps.is_empty() {
            let admin = star.len() == catalog.action_count();
            return Facts { possible, admin };
        }
        let mut ceiling: Option<ActionSet> = None;
        for level in scps {
            let level: Vec<&Policy> = level.iter().map(|n| n.policy).collect();
            let (lstar, lpossible) = side(&level, exp);
            star.intersect_with(&lstar);
            possible.intersect_with(&lpossible);
            match &mut ceiling {
                Some(c) => c.intersect_with(&lstar),
                None => ceiling = Some(lstar),
            }
        }
        let iam_pm = self.iam_pm.get_or_insert_with(|| {
            let mut set = ActionSet::new_empty(catalog);
            if let Some(iam) = catalog.service("iam") {
                set.extend(
                    iam.actions()
                        .filter(|a| a.access_level() == AccessLevel::PermissionsManagement)
                        .map(|a| a.id()),
                );
            }
            set
        });
        let admin = ceiling
            .is_some_and(|c| !iam_pm.is_empty() && iam_pm.is_subset(&c) && star.len() == c.len());
        Facts { possible, admin }
    }
}

/// A method's candidate target: the resource its primary action is evaluated on, and the node
/// the principal reaches (`"admin"` for the admin node).
type Cand<'b> = (&'b str, &'b str);

/// The admin node's id, and the reach of methods that make the principal admin itself.
const ADMIN: &str = "admin";

/// Every running instance with an instance profile whose role the snapshot holds: (instance
/// ARN, role ARN).
fn instances<'b>(account: &'b Account<'_>) -> Vec<(String, &'b str)> {
    let mut profile_role: HashMap<&str, &str> = HashMap::new();
    for r in &account.snapshot.authorization_details.roles {
        for ip in &r.instance_profile_list {
            profile_role.insert(ip.arn.as_str(), r.arn.as_str());
        }
    }
    let part = &account.snapshot.partition;
    let acct = &account.snapshot.account_id;
    let mut out = Vec::new();
    for (region, sec) in &account.snapshot.regions {
        for inst in sec.ec2.iter().flat_map(|e| &e.instances) {
            if inst.state.as_ref().is_some_and(|s| s.name == "terminated") {
                continue;
            }
            let Some(role) = inst
                .iam_instance_profile
                .as_ref()
                .and_then(|p| profile_role.get(p.arn.as_str()))
            else {
                continue;
            };
            out.push((
                format!(
                    "arn:{part}:ec2:{region}:{acct}:instance/{}",
                    inst.instance_id
                ),
                *role,
            ));
        }
    }
    out
}

struct Builder<'a, 'b> {
    account: &'b Account<'a>,
    catalog: &'b Catalog,
    graph: DiGraph<Node, EdgeData>,
    index: HashMap<String, NodeIndex>,
    facts: HashMap<String, Facts>,
    pattern_nodes: HashMap<String, NodeIndex>,
    /// Roles each principal can assume (for the assumable-role methods), and whether that
    /// depends on conditions the snapshot cannot settle.
    assumable: HashMap<&'b str, Vec<(&'b str, bool)>>,
    /// The evaluations of the principal whose escalations are being found, by request
    /// (action, resource, resource match, extra context): see `try_method`.
    eval_memo: RefCell<HashMap<EvalKey, Evaluation>>,
    /// That principal's statements per action ([`statement_mask`]).
    action_statements: RefCell<HashMap<&'static str, ActionStatements<'b>>>,
    /// Running instances and the role each runs as: (instance ARN, role ARN).
    instances: &'b [(String, &'b str)],
    /// For each method (by index in [`METHODS`]) whose targets do not depend on the
    /// principal (users, roles, service roles, instances), every target, computed once.
    shared_targets: Vec<Option<Rc<[Cand<'b>]>>>,
    /// Managed policies that make whoever holds them admin: what an `Attach*Policy` method
    /// attaches (the request's `iam:PolicyARN`).
    admin_policies: Vec<String>,
    /// Users and roles whose permissions boundary does not allow everything: granting them
    /// `*` in an identity policy leaves them bounded.
    bounded: HashSet<String>,
    /// The permissions boundary (policy ARN) of every user and role, `None` for none: the
    /// `iam:PermissionsBoundary` of a request that acts on that principal.
    boundary_of: HashMap<String, Option<String>>,
    /// For each `pattern:<method>:<resource pattern>` of a subset-scoped grant, the targets
    /// it matches (computed once, shared by every principal with that grant).
    subset_cover: HashMap<String, Rc<[&'b str]>>,
    /// Every role's trust policy, looked up once (asked per principal, method and role).
    trust_of: HashMap<&'a str, &'a Policy>,
    /// Roles with an instance profile.
    with_profile: HashSet<&'a str>,
    /// Each user's `password_enabled` from the credential report (its first row), looked up
    /// once instead of scanning the report per principal and user.
    password_of: HashMap<&'a str, Option<bool>>,
    /// Group ARNs by name (the first group of a name, as a scan would find).
    group_by_name: HashMap<&'a str, &'a str>,
    /// For each pass-role and service method (by id), the roles it can reach at all: trusted
    /// by its service (and, for EC2, with an instance profile), in account order. The same
    /// for every principal, so computed once rather than per principal and method.
    service_roles: HashMap<&'static str, Vec<usize>>,
    /// The catalog id of each action each method requires (by method index, then in
    /// `requires` order), looked up once.
    method_actions: Vec<Vec<Option<ActionId>>>,
    /// For each principal (by index in the account), its class: principals with equal facts
    /// (most roles share their policies' action sets) are one class, so "worth reaching" is
    /// decided once per source and class instead of once per source and target. Filled by
    /// `classify`, before the escalation methods run.
    class_of: Vec<Option<usize>>,
    /// The facts of each class.
    classes: Vec<Facts>,
}

/// "Worth reaching" from one principal over many targets, memoised per target class.
struct Worth<'f> {
    src: Option<&'f Facts>,
    memo: Vec<Option<bool>>,
}

impl<'a, 'b> Builder<'a, 'b> {
    fn new(
        account: &'b Account<'a>,
        catalog: &'b Catalog,
        instances: &'b [(String, &'b str)],
    ) -> Self {
        let mut b = Builder {
            account,
            catalog,
            graph: DiGraph::new(),
            index: HashMap::new(),
            facts: HashMap::new(),
            pattern_nodes: HashMap::new(),
            assumable: HashMap::new(),
            instances,
            eval_memo: RefCell::new(HashMap::new()),
            action_statements: RefCell::new(HashMap::new()),
            shared_targets: Vec::new(),
            admin_policies: Vec::new(),
            bounded: HashSet::new(),
            subset_cover: HashMap::new(),
            boundary_of: HashMap::new(),
            trust_of: account
                .snapshot
                .authorization_details
                .roles
                .iter()
                .filter_map(|r| {
                    let (_, trust) = account.resource_policy("sts:AssumeRole", &r.arn)?;
                    Some((r.arn.as_str(), trust))
                })
                .collect(),
            with_profile: account
                .snapshot
                .authorization_details
                .roles
                .iter()
                .filter(|r| !r.instance_profile_list.is_empty())
                .map(|r| r.arn.as_str())
                .collect(),
            password_of: {
                let mut m = HashMap::new();
                for row in account
                    .snapshot
                    .credential_report
                    .iter()
                    .flat_map(|r| &r.rows)
                {
                    m.entry(row.arn.as_str()).or_insert(row.password_enabled);
                }
                m
            },
            group_by_name: {
                let mut m = HashMap::new();
                for g in account
                    .principals
                    .iter()
                    .filter(|x| x.kind == PrincipalKind::Group)
                {
                    m.entry(g.name).or_insert(g.arn);
                }
                m
            },
            service_roles: HashMap::new(),
            method_actions: Vec::new(),
            class_of: Vec::new(),
            classes: Vec::new(),
        };
        // The services each role's trust policy admits (all of them for `"Principal": "*"`),
        // read once rather than once per method.
        let trusted: Vec<(usize, bool, Vec<&str>)> = account
            .principals
            .iter()
            .enumerate()
            .filter(|(_, x)| x.kind == PrincipalKind::Role)
            .map(|(i, r)| {
                let (any, services) = b
                    .trust_of
                    .get(r.arn)
                    .map_or((false, Vec::new()), |t| trusted_services(t));
                (i, any, services)
            })
            .collect();
        for m in METHODS {
            let (Target::PassedRole | Target::ServiceRole, Some(service)) = (m.target, m.service)
            else {
                continue;
            };
            let roles = trusted
                .iter()
                .filter(|(_, any, services)| *any || services.contains(&service))
                // An instance runs as a role only through an instance profile, whether it is
                // launched directly or by Auto Scaling.
                .filter(|(i, _, _)| {
                    !(service == "ec2.amazonaws.com" && m.target == Target::PassedRole)
                        || b.with_profile.contains(account.principals[*i].arn)
                })
                .map(|(i, _, _)| *i)
                .collect();
            b.service_roles.insert(m.id, roles);
        }
        b.method_actions = METHODS
            .iter()
            .map(|m| {
                m.requires
                    .iter()
                    .map(|(a, _)| catalog.action_id(a))
                    .collect()
            })
            .collect();
        b
    }

    fn node(&mut self, id: &str, kind: NodeKind) -> NodeIndex {
        if let Some(&i) = self.index.get(id) {
            return i;
        }
        let i = self.graph.add_node(Node {
            id: id.to_string(),
            kind,
            admin: false,
        });
        self.index.insert(id.to_string(), i);
        i
    }

    fn edge(&mut self, from: NodeIndex, to: NodeIndex, kind: EdgeKind, step: Option<Step>) {
        self.graph.add_edge(from, to, EdgeData { kind, step });
    }

    fn build(mut self) -> PermissionGraph {
        let admin = self.node("admin", NodeKind::Admin);
        let mut exp = Expander::new(self.catalog);
        let mut cache = FactsCache::default();
        // Nodes, membership, attachments, facts.
        for p in &self.account.principals {
            let kind = match p.kind {
                PrincipalKind::User => NodeKind::User,
                PrincipalKind::Role => NodeKind::Role,
                PrincipalKind::Group => NodeKind::Group,
            };
            let n = self.node(p.arn, kind);
            for g in &p.grants {
                if let crate::account::GrantSource::Managed { arn } = &g.source
                    && g.via_group.is_none()
                {
                    let pn = self.node(arn, NodeKind::Policy);
                    self.edge(n, pn, EdgeKind::HasPolicy, None);
                }
            }
            if let Some(b) = &p.boundary {
                let pn = self.node(&b.id, NodeKind::Policy);
                self.edge(n, pn, EdgeKind::Boundary, None);
            }
            let grants: Vec<&Policy> = p.grants.iter().filter_map(|g| g.policy).collect();
            let f = cache.facts(
                &grants,
                p.boundary.as_ref().and_then(|b| b.policy),
                &p.scps,
                &mut exp,
                self.catalog,
            );
            if f.admin {
                self.graph[n].admin = true;
                self.edge(n, admin, EdgeKind::IsAdmin, None);
            }
            if p.kind != PrincipalKind::Group {
                self.boundary_of
                    .insert(p.arn.to_string(), p.boundary.as_ref().map(|b| b.id.clone()));
            }
            if let Some(b) = p.boundary.as_ref().and_then(|b| b.policy)
                && !cache.facts(&[b], None, &[], &mut exp, self.catalog).admin
            {
                self.bounded.insert(p.arn.to_string());
            }
            self.facts.insert(p.arn.to_string(), f);
        }
        // AdministratorAccess exists in every account, whether the snapshot lists it or not.
        self.admin_policies.push(format!(
            "arn:{}:iam::aws:policy/AdministratorAccess",
            self.account.snapshot.partition
        ));
        for mp in &self.account.snapshot.authorization_details.policies {
            let admin = mp
                .default_version()
                .and_then(|v| v.document.policy().ok())
                .is_some_and(|doc| cache.facts(&[doc], None, &[], &mut exp, self.catalog).admin);
            if admin && !self.admin_policies.contains(&mp.arn) {
                self.admin_policies.push(mp.arn.clone());
            }
        }
        let group_arns: HashMap<&str, &str> = self
            .account
            .principals
            .iter()
            .filter(|p| p.kind == PrincipalKind::Group)
            .map(|p| (p.name, p.arn))
            .collect();
        for p in self
            .account
            .principals
            .iter()
            .filter(|p| p.kind == PrincipalKind::User)
        {
            let u = self.index[p.arn];
            for g in &p.groups {
                if let Some(ga) = group_arns.get(g) {
                    let gn = self.node(ga, NodeKind::Group);
                    self.edge(u, gn, EdgeKind::MemberOf, None);
                }
            }
        }
        self.runtime();
        self.trust();
        self.classify();
        for i in 0..self.account.principals.len() {
            let p = &self.account.principals[i];
            if p.kind == PrincipalKind::Group || self.facts.get(p.arn).is_some_and(|f| f.admin) {
                continue;
            }
            self.escalations(p);
        }
        let mut g = PermissionGraph {
            graph: self.graph,
            index: self.index,
            admin,
            toward_admin: HashMap::new(),
            possible: self
                .facts
                .into_iter()
                .map(|(arn, f)| (arn, f.possible))
                .collect(),
        };
        g.toward_admin = g.reverse_bfs(&[admin]);
        g
    }

    /// Instances run as the role of their instance profile.
    fn runtime(&mut self) {
        for (arn, role) in self.instances {
            let i = self.node(arn, NodeKind::Instance);
            let r = self.node(role, NodeKind::Role);
            self.edge(i, r, EdgeKind::RunsAs, None);
        }
    }

    /// Can-assume edges from trust policies, decided with the caller's permissions.
    fn trust(&mut self) {
        let account = self.account;
        let (plain, covered) = self.assume_by_pattern();
        // The users and roles whose Allow statements mention sts:AssumeRole at all, in account
        // order: the only ones a trust policy that admits the whole account lets in. Listed
        // once, not found again among every principal for every role.
        let assume = self.catalog.action_id("sts:AssumeRole");
        let assumers: Vec<usize> = account
            .principals
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.kind != PrincipalKind::Group
                    && self
                        .facts
                        .get(p.arn)
                        .is_some_and(|f| assume.is_some_and(|a| f.possible.contains(a)))
            })
            .map(|(i, _)| i)
            .collect();
        let mut assume_patterns: Vec<Option<Vec<ResourceFilter>>> =
            vec![None; account.principals.len()];
        for &i in &assumers {
            assume_patterns[i] = allow_resource_patterns(&account.principals[i], "sts:AssumeRole");
        }
        let mut trust_ids: HashMap<&Policy, usize> = HashMap::new();
        let mut memo: HashMap<(usize, usize, u64), Evaluation> = HashMap::new();
        let mut assume_statements: Vec<ActionStatements<'b>> =
            vec![ActionStatements::Unknown; account.principals.len()];
        let mut grouped: HashMap<(usize, usize, u64), Vec<NodeIndex>> = HashMap::new();
        let mut order: Vec<(usize, usize, u64)> = Vec::new();
        for role in account
            .principals
            .iter()
            .filter(|p| p.kind == PrincipalKind::Role)
        {
            let Some((_, trust)) = account.resource_policy("sts:AssumeRole", role.arn) else {
                continue;
            };
            let rn = self.index[role.arn];
            let mut admits_account = false;
            // Admitted by `"Principal": "*"`: a same-account caller needs no identity grant.
            let mut admits_anyone = false;
            let mut named: BTreeSet<String> = BTreeSet::new();
            for st in trust
                .statements
                .iter()
                .filter(|s| s.effect == Effect::Allow)
            {
                if !st.action.patterns.iter().any(|a| {
                    wildcard_match(a, "sts:AssumeRole", true)
                        || a.to_ascii_lowercase().starts_with("sts:assumerolewith")
                }) {
                    continue;
                }
                let Some(pc) = &st.principal else { continue };
                if pc.negated {
                    continue;
                }
                let ids = match &pc.principals {
                    Principals::Any => {
                        let a = self.node("anyone", NodeKind::Anyone);
                        self.edge(a, rn, EdgeKind::CanAssume, None);
                        admits_account = true;
                        admits_anyone = true;
                        continue;
                    }
                    Principals::Listed(ids) => ids,
                };
                for id in ids {
                    match id.kind {
                        PK::Service => {
                            let s = self.node(&format!("service:{}", id.value), NodeKind::Service);
                            self.edge(s, rn, EdgeKind::CanAssume, None);
                        }
                        PK::Federated => {
                            let f = self.node(&id.value, NodeKind::Federated);
                            self.edge(f, rn, EdgeKind::CanAssume, None);
                        }
                        PK::CanonicalUser => {}
                        PK::Aws => {
                            let v = id.value.as_str();
                            let own = &account.snapshot.account_id;
                            if v == "*" {
                                let a = self.node("anyone", NodeKind::Anyone);
                                self.edge(a, rn, EdgeKind::CanAssume, None);
                                admits_account = true;
                                admits_anyone = true;
                            } else if v == own
                                || v == format!(
                                    "arn:{}:iam::{own}:root",
                                    account.snapshot.partition
                                )
                            {
                                admits_account = true;
                            } else if let Some(acct) = external_account(v, own) {
                                let e = self.node(
                                    &format!("arn:{}:iam::{acct}:root", account.snapshot.partition),
                                    NodeKind::ExternalAccount,
                                );
                                self.edge(e, rn, EdgeKind::CanAssume, None);
                            } else {
                                named.insert(v.to_string());
                            }
                        }
                    }
                }
            }
            let mut indices: Vec<usize> =
                named.iter().filter_map(|n| account.index_of(n)).collect();
            if admits_account {
                indices.extend(&assumers);
            }
            indices.sort_unstable();
            indices.dedup();
            let is_plain = plain.contains(role.arn);
            // A trust policy with a `Resource` of its own matches per role: not memoised.
            let next_id = trust_ids.len();
            let trust_id = trust
                .statements
                .iter()
                .all(|st| st.resource.is_none())
                .then(|| *trust_ids.entry(trust).or_insert(next_id));
            for i in indices {
                let p = &account.principals[i];
                if p.kind == PrincipalKind::Group || p.arn == role.arn {
                    continue;
                }
                if is_plain
                    && covered.get(p.arn).is_some_and(|pats| {
                        pats.iter().any(|pat| wildcard_match(pat, role.arn, false))
                    })
                {
                    continue;
                }
                // A trust policy that admits the account (not this caller by name, nor anyone)
                // delegates to the caller's identity policies: no identity Allow statement for
                // sts:AssumeRole that can name the role, no assuming it.
                if !admits_anyone
                    && !named.contains(p.arn)
                    && let Some(Some(pats)) = assume_patterns.get(i)
                    && !pats.iter().any(|pat| pat.matches(role.arn))
                {
                    continue;
                }
                // Equal trust policies on roles the caller's own statements treat alike (the
                // same of its sts:AssumeRole statements name them) give equal evaluations: one
                // per (caller, trust policy, such class), not one per role.
                let key = trust_id.and_then(|t| {
                    statement_mask(&mut assume_statements[i], p, "sts:AssumeRole", role.arn)
                        .map(|mask| (i, t, mask))
                });
                let r = match key.and_then(|k| memo.get(&k)) {
                    Some(r) => r.clone(),
                    None => {
                        let set = with_resource(p.policy_set(), "trust", trust);
                        let r = eval(
                            &set,
                            p.arn,
                            "sts:AssumeRole",
                            role.arn,
                            ResourceMatch::Exact,
                            &[],
                        );
                        if let Some(k) = key {
                            memo.insert(k, r.clone());
                        }
                        r
                    }
                };
                if r.decision == Decision::Allowed {
                    self.assumable
                        .entry(p.arn)
                        .or_default()
                        .push((role.arn, r.conditional));
                    if let Some(k) = key {
                        // Edges made below, per class, once every role is seen.
                        let roles = grouped.entry(k).or_insert_with(|| {
                            order.push(k);
                            Vec::new()
                        });
                        roles.push(rn);
                        continue;
                    }
                    let from = self.index[p.arn];
                    let step = assume_step(p.arn, role.arn, &r);
                    self.edge(from, rn, EdgeKind::CanAssume, Some(step));
                }
            }
        }
        // A caller that may assume many roles of one trust policy, all alike to its own
        // statements, points at one node covering them (shared by every caller that reaches
        // the same roles so), not at each: hundreds of callers × hundreds of roles otherwise.
        let mut class_nodes: HashMap<(usize, Vec<NodeIndex>), NodeIndex> = HashMap::new();
        for k in order {
            let Some(roles) = grouped.remove(&k) else {
                continue;
            };
            let Some(r) = memo.get(&k) else { continue };
            let (i, trust_id, _) = k;
            let p = &account.principals[i];
            let from = self.index[p.arn];
            if roles.len() < PATTERN_NODE_MIN {
                for rn in roles {
                    let to = self.graph[rn].id.clone();
                    self.edge(
                        from,
                        rn,
                        EdgeKind::CanAssume,
                        Some(assume_step(p.arn, &to, r)),
                    );
                }
                continue;
            }
            let first = self.graph[roles[0]].id.clone();
            let n = roles.len();
            let pn = match class_nodes.entry((trust_id, roles)) {
                std::collections::hash_map::Entry::Occupied(e) => *e.get(),
                std::collections::hash_map::Entry::Vacant(e) => {
                    let pn = self.graph.add_node(Node {
                        id: format!("pattern:sts-assume-role:{n} roles of one trust policy"),
                        kind: NodeKind::Pattern,
                        admin: false,
                    });
                    for &rn in &e.key().1 {
                        self.graph.add_edge(
                            pn,
                            rn,
                            EdgeData {
                                kind: EdgeKind::Covers,
                                step: None,
                            },
                        );
                    }
                    *e.insert(pn)
                }
            };
            self.edge(
                from,
                pn,
                EdgeKind::CanAssume,
                Some(assume_step(p.arn, &first, r)),
            );
        }
    }

    /// Subset-scoped `sts:AssumeRole` grants (`role/app-*`) on roles whose trust policy just
    /// admits the account: one evaluation per pattern of the principal's Allow statements, and
    /// one shared node per pattern covering exactly the roles it matches. Returns those roles
    /// and, per principal, the patterns so settled (the per-role pass skips those roles).
    fn assume_by_pattern(&mut self) -> (HashSet<&'a str>, HashMap<&'a str, Vec<String>>) {
        let account = self.account;
        let own = account.snapshot.account_id.as_str();
        let part = account.snapshot.partition.as_str();
        let mut out: HashMap<&'a str, Vec<String>> = HashMap::new();
        let plain: Vec<&'a str> = account
            .principals
            .iter()
            .filter(|r| r.kind == PrincipalKind::Role)
            .filter(|r| {
                account
                    .resource_policy("sts:AssumeRole", r.arn)
                    .is_some_and(|(_, t)| admits_account_only(t, own, part))
            })
            .map(|r| r.arn)
            .collect();
        if plain.len() < PATTERN_NODE_MIN {
            return (HashSet::new(), out);
        }
        let Ok(trust) = Policy::parse(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:{part}:iam::{own}:root"}},"Action":"sts:AssumeRole"}}]}}"#
        )) else {
            return (HashSet::new(), out);
        };
        let assume = self.catalog.action_id("sts:AssumeRole");
        let mut found: Vec<(&'a str, String, Vec<&'a str>, Evaluation)> = Vec::new();
        let mut matched: HashMap<String, Vec<&'a str>> = HashMap::new();
        for p in account.principals.iter().filter(|p| {
            p.kind != PrincipalKind::Group
                && self
                    .facts
                    .get(p.arn)
                    .is_some_and(|f| assume.is_some_and(|a| f.possible.contains(a)))
        }) {
            for pat in grant_patterns(p, "sts:AssumeRole") {
                let roles = matched.entry(pat.clone()).or_insert_with(|| {
                    plain
                        .iter()
                        .copied()
                        .filter(|r| wildcard_match(&pat, r, false))
                        .collect()
                });
                if roles.len() < PATTERN_NODE_MIN {
                    continue;
                }
                let roles = roles.clone();
                let mut r = eval(
                    &with_resource(p.policy_set(), "account trust", &trust),
                    p.arn,
                    "sts:AssumeRole",
                    &pat,
                    ResourceMatch::All,
                    &[],
                );
                if r.decision == Decision::Allowed {
                    r.deciding_statements
                        .retain(|s| s.kind != PolicyKind::Resource);
                    found.push((p.arn, pat, roles, r));
                }
            }
        }
        for (from, pat, roles, r) in found {
            let key = format!("pattern:sts-assume-role:{pat}");
            let pn = match self.pattern_nodes.get(&key) {
                Some(&n) => n,
                None => {
                    let n = self.graph.add_node(Node {
                        id: key.clone(),
                        kind: NodeKind::Pattern,
                        admin: false,
                    });
                    for role in &roles {
                        let t = self.index[*role];
                        self.edge(n, t, EdgeKind::Covers, None);
                    }
                    self.pattern_nodes.insert(key, n);
                    n
                }
            };
            let entry = self.assumable.entry(from).or_default();
            for role in roles.iter().filter(|r| **r != from) {
                entry.push((role, r.conditional));
            }
            let step = Step {
                from: from.to_string(),
                to: pat.clone(),
                method: "sts-assume-role".to_string(),
                actions: vec!["sts:AssumeRole".to_string()],
                statements: r.deciding_statements,
                conditional: r.conditional,
            };
            let f = self.index[from];
            self.edge(f, pn, EdgeKind::CanAssume, Some(step));
            out.entry(from).or_default().push(pat);
        }
        (plain.into_iter().collect(), out)
    }

    fn escalations(&mut self, p: &'b Principal<'a>) {
        let Some(f) = self.facts.get(p.arn).cloned() else {
            return;
        };
        self.eval_memo.borrow_mut().clear();
        self.action_statements.borrow_mut().clear();
        for (mi, m) in METHODS.iter().enumerate() {
            // Assuming a role whose trust policy the caller rewrites needs no identity grant.
            let ids = self
                .method_actions
                .get(mi)
                .map_or(&[][..], |v| v.as_slice());
            let needed = m.requires.iter().zip(ids).all(|((a, _), id)| {
                id.is_some_and(|id| f.possible.contains(id))
                    || (m.target == Target::Role && *a == "sts:AssumeRole")
            });
            if m.id == "sts-assume-role" || ids.len() != m.requires.len() || !needed {
                continue;
            }
            // Targets no Allow statement of the principal can name are not candidates: the
            // identity side cannot allow them (and these targets have no resource policy).
            let action = primary_action(m);
            let prefilter = action.and_then(|a| allow_resource_patterns(p, a));
            let targets = self.targets(p, m, prefilter.as_deref());
            if targets.is_empty() {
                continue;
            }
            // Pattern-node shortcut for broad grants on many targets of the same kind: one
            // evaluation, on a pattern covering every target (an Allow must cover them all),
            // stands for every target. For targets that do not depend on the principal, the
            // node covers all of them (the principal itself and weaker ones add no false path),
            // so every principal with such a grant shares one node.
            let shared = is_shared(m.target);
            let assume_certain = m.target != Target::AssumableRole
                || self
                    .assumable
                    .get(p.arn)
                    .into_iter()
                    .flatten()
                    .all(|(_, c)| !c);
            // A pattern cannot say which assumable roles are bounded (see `try_method`).
            let unbounded = m.target != Target::AssumableRole
                || targets.iter().all(|(t, _)| !self.bounded.contains(*t));
            let mut simple = targets.len() >= PATTERN_NODE_MIN
                && assume_certain
                && unbounded
                && self.is_simple(p, m);
            let from = self.index[p.arn];
            let target_free = shared && primary_action(m).is_none();
            if target_free {
                // No action of the method is evaluated on its target (the existing-resource
                // methods): one evaluation stands for every target, shared as one node.
                let Some(step) = self.try_method(p, m, "*", "*", ResourceMatch::Any) else {
                    continue;
                };
                let all = self.shared(mi, m);
                if all.len() >= PATTERN_NODE_MIN {
                    self.shared_edge(from, m, &all, step);
                } else {
                    for (_, r) in targets.iter() {
                        let t = self.reach_node(r);
                        self.edge(
                            from,
                            t,
                            EdgeKind::Escalates,
                            Some(Step {
                                to: r.to_string(),
                                ..step.clone()
                            }),
                        );
                    }
                }
                continue;
            }
            let mut reached: Vec<(&'b str, Step)> = Vec::new();
            if simple {
                let all = if shared {
                    self.shared(mi, m)
                } else {
                    Rc::from(targets.as_slice())
                };
                let cover = covering_pattern(all.iter().map(|(t, _)| *t));
                match self.try_method(p, m, &cover, ADMIN, ResourceMatch::All) {
                    Some(step) if shared => {
                        // Every shared target is reached: one edge to the method's node.
                        self.shared_edge(from, m, &all, step);
                        continue;
                    }
                    Some(step) => {
                        for (t, r) in all.iter() {
                            let to = if *r == ADMIN { t } else { r };
                            reached.push((
                                r,
                                Step {
                                    to: to.to_string(),
                                    ..step.clone()
                                },
                            ));
                        }
                    }
                    None => simple = false,
                }
            }
            // Subset-scoped grants (`role/app-*`): one evaluation per resource pattern of the
            // principal's own Allow statements, on every target the pattern matches; the
            // principal points at one shared node per (method, pattern), which covers exactly
            // those targets. Targets no such pattern settles are evaluated one by one.
            let mut subsets: Vec<(String, Step)> = Vec::new();
            if !simple {
                let mut rest: Vec<Cand<'b>> = targets.clone();
                if let Some(action) = action.filter(|_| shared && targets.len() >= PATTERN_NODE_MIN)
                {
                    for pat in grant_patterns(p, action) {
                        let key = format!("pattern:{}:{pat}", m.id);
                        if !self.subset_cover.contains_key(&key) {
                            let all = self.shared(mi, m);
                            let covered: Rc<[&'b str]> = all
                                .iter()
                                .filter(|(t, _)| wildcard_match(&pat, t, false))
                                .map(|(_, r)| *r)
                                .collect();
                            self.subset_cover.insert(key.clone(), covered);
                        }
                        if self
                            .subset_cover
                            .get(&key)
                            .is_none_or(|c| c.len() < PATTERN_NODE_MIN)
                        {
                            continue;
                        }
                        if let Some(step) = self.try_method(p, m, &pat, ADMIN, ResourceMatch::All) {
                            rest.retain(|(t, _)| !wildcard_match(&pat, t, false));
                            subsets.push((key, step));
                        }
                    }
                }
                for (t, r) in rest {
                    if let Some(pats) = &prefilter
                        && !pats.iter().any(|pat| pat.matches(t))
                    {
                        continue;
                    }
                    if let Some(step) = self.try_method(p, m, t, r, ResourceMatch::Exact) {
                        // Targets that all lead to admin itself: one certain way is enough.
                        let done = r == ADMIN && !step.conditional;
                        reached.push((r, step));
                        if done {
                            break;
                        }
                    }
                }
            }
            if reached.is_empty() && subsets.is_empty() {
                continue;
            }
            for (key, step) in subsets {
                let pn = match self.pattern_nodes.get(&key) {
                    Some(&n) => n,
                    None => {
                        let n = self.graph.add_node(Node {
                            id: key.clone(),
                            kind: NodeKind::Pattern,
                            admin: false,
                        });
                        let covered = self.subset_cover.get(&key).cloned().unwrap_or_default();
                        for r in covered.iter() {
                            let t = self.reach_node(r);
                            self.edge(n, t, EdgeKind::Covers, None);
                        }
                        self.pattern_nodes.insert(key, n);
                        n
                    }
                };
                self.edge(from, pn, EdgeKind::Escalates, Some(step));
            }
            if reached.is_empty() {
                continue;
            }
            if reached.iter().all(|(r, _)| *r == ADMIN) {
                // Every target (its own policies, groups, assumable roles) makes the principal
                // admin: one edge to admin, the most certain, not one per target.
                if let Some((_, step)) = reached.into_iter().min_by_key(|(_, s)| s.conditional) {
                    let admin = self.index[ADMIN];
                    self.edge(from, admin, EdgeKind::Escalates, Some(step));
                }
                continue;
            }
            if simple && reached.len() >= PATTERN_NODE_MIN {
                let key = format!(
                    "pattern:{}:{}",
                    m.id,
                    reached
                        .iter()
                        .map(|(r, _)| *r)
                        .collect::<Vec<_>>()
                        .join(",")
                );
                let pn = match self.pattern_nodes.get(&key) {
                    Some(&n) => n,
                    None => {
                        let n = self.graph.add_node(Node {
                            id: format!("pattern:{}:{} targets", m.id, reached.len()),
                            kind: NodeKind::Pattern,
                            admin: false,
                        });
                        for (r, _) in &reached {
                            let t = self.reach_node(r);
                            self.edge(n, t, EdgeKind::Covers, None);
                        }
                        self.pattern_nodes.insert(key, n);
                        n
                    }
                };
                let step = reached.swap_remove(0).1;
                self.edge(from, pn, EdgeKind::Escalates, Some(step));
            } else {
                for (r, step) in reached {
                    let t = self.reach_node(r);
                    self.edge(from, t, EdgeKind::Escalates, Some(step));
                }
            }
        }
    }

    /// The targets of a method whose targets do not depend on the principal, computed once.
    fn shared(&mut self, mi: usize, m: &Method) -> Rc<[Cand<'b>]> {
        if self.shared_targets.len() < METHODS.len() {
            self.shared_targets.resize(METHODS.len(), None);
        }
        if let Some(Some(all)) = self.shared_targets.get(mi) {
            return all.clone();
        }
        let all: Rc<[Cand<'b>]> = self.shared_candidates(m).into();
        if let Some(slot) = self.shared_targets.get_mut(mi) {
            *slot = Some(all.clone());
        }
        all
    }

    /// The principal reaches every shared target of the method: an edge to the method's one
    /// pattern node (made on first use) covering all of them.
    fn shared_edge(&mut self, from: NodeIndex, m: &Method, all: &[Cand<'b>], mut step: Step) {
        let key = format!("pattern:{}", m.id);
        let pn = match self.pattern_nodes.get(&key) {
            Some(&n) => n,
            None => {
                let n = self.graph.add_node(Node {
                    id: format!("pattern:{}:{} targets", m.id, all.len()),
                    kind: NodeKind::Pattern,
                    admin: false,
                });
                for (_, r) in all {
                    let t = self.reach_node(r);
                    self.edge(n, t, EdgeKind::Covers, None);
                }
                self.pattern_nodes.insert(key, n);
                n
            }
        };
        if let Some((_, r)) = all.first() {
            step.to = r.to_string();
        }
        self.edge(from, pn, EdgeKind::Escalates, Some(step));
    }

    fn reach_node(&mut self, reach: &str) -> NodeIndex {
        if reach == "admin" {
            return self.index["admin"];
        }
        match self.index.get(reach) {
            Some(&n) => n,
            None => self.node(reach, NodeKind::Role),
        }
    }

    /// A principal whose grants for the method's actions are unconditional, with no Deny or
    /// boundary touching them: one evaluation stands for every target.
    fn is_simple(&self, p: &Principal<'_>, m: &Method) -> bool {
        if p.boundary.is_some() {
            return false;
        }
        p.grants.iter().filter_map(|g| g.policy).all(|pol| {
            pol.statements.iter().all(|st| {
                let touches = m.requires.iter().any(|(a, _)| {
                    st.action
                        .patterns
                        .iter()
                        .any(|pat| wildcard_match(pat, a, true))
                        != st.action.negated
                });
                !touches || (st.effect == Effect::Allow && st.conditions.is_empty())
            })
        })
    }

    /// Candidate targets of a method for a principal: (resource to evaluate on, node reached).
    /// For the kinds that do not depend on the principal (see [`is_shared`]), the targets worth
    /// reaching from it, itself left out; [`Self::shared_candidates`] has all of them.
    ///
    /// `prefilter`, the principal's resource patterns for the method's primary action: when
    /// they are all exact ARNs, only those principals are looked at (a user allowed
    /// `iam:CreateAccessKey` on `user/${aws:username}` is not compared with every user).
    fn targets(
        &self,
        p: &'b Principal<'a>,
        m: &Method,
        prefilter: Option<&[ResourceFilter]>,
    ) -> Vec<Cand<'b>> {
        let acct = self.account;
        let mut out: Vec<Cand<'b>> = Vec::new();
        // The principals (by index, in account order) the exact patterns name.
        let named: Option<Vec<usize>> = prefilter
            .filter(|pats| pats.iter().all(|f| matches!(f, ResourceFilter::Exact(_))))
            .map(|pats| {
                let mut v: Vec<usize> = pats
                    .iter()
                    .filter_map(|f| match f {
                        ResourceFilter::Exact(arn) => acct.index_of(arn),
                        _ => None,
                    })
                    .collect();
                v.sort_unstable();
                v.dedup();
                v
            });
        let among = |kind: PrincipalKind| -> Vec<usize> {
            match &named {
                Some(v) => v
                    .iter()
                    .copied()
                    .filter(|&i| acct.principals[i].kind == kind)
                    .collect(),
                None => acct
                    .principals
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| x.kind == kind)
                    .map(|(i, _)| i)
                    .collect(),
            }
        };
        match m.target {
            Target::SelfPrincipal => {
                let ok = match p.kind {
                    PrincipalKind::User => m.id.contains("user"),
                    PrincipalKind::Role => m.id.contains("role"),
                    PrincipalKind::Group => false,
                };
                if ok {
                    out.push((p.arn, ADMIN));
                }
            }
            Target::OwnGroup => {
                for g in &p.groups {
                    if let Some(arn) = self.group_by_name.get(g) {
                        out.push((arn, ADMIN));
                    }
                }
            }
            Target::OwnPolicy => {
                let mut seen = BTreeSet::new();
                for g in &p.grants {
                    let crate::account::GrantSource::Managed { arn } = &g.source else {
                        continue;
                    };
                    let Some(mp) = acct.managed_policy(arn) else {
                        continue;
                    };
                    if mp.is_aws_managed() || !seen.insert(arn.as_str()) {
                        continue;
                    }
                    if m.id == "iam-set-default-policy-version" {
                        // Only real when a stored, non-default version would make it admin.
                        let mut exp = Expander::new(self.catalog);
                        let broader = mp
                            .policy_version_list
                            .iter()
                            .filter(|v| !v.is_default_version)
                            .any(|v| {
                                v.document.policy().is_ok_and(|doc| {
                                    facts(&[doc], None, &mut exp, self.catalog).admin
                                })
                            });
                        if !broader {
                            continue;
                        }
                    }
                    out.push((arn.as_str(), ADMIN));
                }
            }
            Target::AdminGroup => {
                if p.kind == PrincipalKind::User {
                    for g in acct
                        .principals
                        .iter()
                        .filter(|x| x.kind == PrincipalKind::Group)
                    {
                        if !p.groups.contains(&g.name)
                            && self.facts.get(g.arn).is_some_and(|f| f.admin)
                        {
                            out.push((g.arn, g.arn));
                        }
                    }
                }
            }
            Target::AssumableRole => {
                for (r, _) in self.assumable.get(p.arn).into_iter().flatten() {
                    out.push((r, ADMIN));
                }
            }
            Target::User => {
                let mut worth = self.worth_from(p);
                for i in among(PrincipalKind::User) {
                    let u = acct.principals[i].arn;
                    if u != p.arn && self.user_fits(m, u) && self.worth_at(&mut worth, p, i) {
                        out.push((u, u));
                    }
                }
            }
            Target::Role => {
                let mut worth = self.worth_from(p);
                for i in among(PrincipalKind::Role) {
                    let r = acct.principals[i].arn;
                    if r != p.arn && self.worth_at(&mut worth, p, i) {
                        out.push((r, r));
                    }
                }
            }
            Target::PassedRole | Target::ServiceRole => {
                // Trusted by the method's service (with an instance profile for EC2): see
                // `service_roles`.
                let mut worth = self.worth_from(p);
                let service_roles = self
                    .service_roles
                    .get(m.id)
                    .map_or(&[][..], |v| v.as_slice());
                let candidates: Vec<usize> = match &named {
                    Some(v) => v
                        .iter()
                        .copied()
                        .filter(|i| service_roles.binary_search(i).is_ok())
                        .collect(),
                    None => service_roles.to_vec(),
                };
                for i in candidates {
                    let r = acct.principals[i].arn;
                    if r != p.arn && self.worth_at(&mut worth, p, i) {
                        out.push((r, r));
                    }
                }
            }
            Target::InstanceRole => {
                let mut worth = self.worth_from(p);
                for (instance, role) in self.instances {
                    let ok = match acct.index_of(role) {
                        Some(i) => self.worth_at(&mut worth, p, i),
                        None => self.worth_reaching(p, role),
                    };
                    if ok {
                        out.push((instance.as_str(), role));
                    }
                }
            }
        }
        out
    }

    /// Every target of a method whose targets do not depend on the principal (see
    /// [`is_shared`]), weaker ones and any principal itself included: what one shared
    /// pattern node covers.
    fn shared_candidates(&self, m: &Method) -> Vec<Cand<'b>> {
        let acct = self.account;
        let mut out: Vec<Cand<'b>> = Vec::new();
        match m.target {
            Target::User => {
                for u in &acct.principals {
                    if u.kind == PrincipalKind::User && self.user_fits(m, u.arn) {
                        out.push((u.arn, u.arn));
                    }
                }
            }
            Target::Role => {
                for r in &acct.principals {
                    if r.kind == PrincipalKind::Role {
                        out.push((r.arn, r.arn));
                    }
                }
            }
            Target::PassedRole | Target::ServiceRole => {
                for &i in self.service_roles.get(m.id).into_iter().flatten() {
                    let r = acct.principals[i].arn;
                    out.push((r, r));
                }
            }
            Target::InstanceRole => {
                for (instance, role) in self.instances {
                    out.push((instance.as_str(), role));
                }
            }
            Target::SelfPrincipal
            | Target::OwnGroup
            | Target::OwnPolicy
            | Target::AdminGroup
            | Target::AssumableRole => {}
        }
        out
    }

    /// Whether a login-profile method applies to a user: creating one needs a user without a
    /// console password, updating one a user with one.
    fn user_fits(&self, m: &Method, user: &str) -> bool {
        let password = || self.password_of.get(user).copied().flatten();
        match m.id {
            "iam-create-login-profile" => password() != Some(true),
            "iam-update-login-profile" => password() != Some(false),
            _ => true,
        }
    }

    /// Puts principals with equal facts into one class (see `class_of`).
    fn classify(&mut self) {
        let mut ids: HashMap<(bool, &ActionSet), usize> = HashMap::new();
        let mut classes: Vec<Facts> = Vec::new();
        let mut class_of = Vec::with_capacity(self.account.principals.len());
        for p in &self.account.principals {
            let class = self.facts.get(p.arn).map(|f| {
                *ids.entry((f.admin, &f.possible)).or_insert_with(|| {
                    classes.push(f.clone());
                    classes.len() - 1
                })
            });
            class_of.push(class);
        }
        self.class_of = class_of;
        self.classes = classes;
    }

    fn worth_from(&self, p: &Principal<'_>) -> Worth<'_> {
        Worth {
            src: self.facts.get(p.arn),
            memo: vec![None; self.classes.len()],
        }
    }

    /// [`Self::worth_reaching`] of the principal at index `i` of the account, memoised in
    /// `worth` per class.
    fn worth_at(&self, worth: &mut Worth<'_>, p: &Principal<'_>, i: usize) -> bool {
        let Some(&class) = self.class_of.get(i) else {
            // Not classified (yet): the direct way.
            return self
                .account
                .principals
                .get(i)
                .is_none_or(|t| self.worth_reaching(p, t.arn));
        };
        let (Some(src), Some(c)) = (worth.src, class) else {
            return true;
        };
        let Some(slot) = worth.memo.get_mut(c) else {
            return true;
        };
        *slot.get_or_insert_with(|| {
            self.classes
                .get(c)
                .is_none_or(|dst| dst.admin || !dst.possible.is_subset(&src.possible))
        })
    }

    /// "The escalation is real only if the target has more than the source."
    fn worth_reaching(&self, p: &Principal<'_>, target: &str) -> bool {
        match (self.facts.get(p.arn), self.facts.get(target)) {
            (Some(src), Some(dst)) => dst.admin || !dst.possible.is_subset(&src.possible),
            _ => true,
        }
    }

    /// The requests a method makes for one action, as extra context keys, each with whether
    /// the snapshot cannot tell what it reaches (a policy it does not hold).
    fn request_contexts(
        &self,
        p: &Principal<'_>,
        action: &str,
        passed_to: Option<&str>,
        resource: &str,
    ) -> Vec<(Context, bool)> {
        let mut base: Context = Vec::new();
        if let Some(svc) = passed_to {
            base.push(("iam:PassedToService", vec![svc.to_string()]));
            if svc == "ec2.amazonaws.com" {
                // EC2 names the instance the role goes to (IAM condition keys); the caller
                // launches it, in its own account, in any region.
                base.push(("iam:AssociatedResourceArn", vec![self.instance_witness(p)]));
            }
        }
        // A request that acts on a user or role carries that principal's permissions
        // boundary, and none when it has none (a condition on it is then decided as absent).
        if ACTS_ON_PRINCIPAL.contains(&action)
            && let Some(b) = self.boundary_of.get(resource)
        {
            base.push(("iam:PermissionsBoundary", b.iter().cloned().collect()));
        }
        if !matches!(
            action,
            "iam:AttachUserPolicy" | "iam:AttachGroupPolicy" | "iam:AttachRolePolicy"
        ) {
            return vec![(base, false)];
        }
        // Attaching: the policy attached is one that makes its holder admin. A policy an
        // `iam:PolicyARN` condition names that the snapshot does not hold (an AWS managed
        // policy nobody here has attached) may be one: the step is then conditional.
        let with = |arn: &str| {
            let mut c = base.clone();
            c.push(("iam:PolicyARN", vec![arn.to_string()]));
            c
        };
        let mut out: Vec<_> = self
            .admin_policies
            .iter()
            .map(|a| (with(a), false))
            .collect();
        for arn in condition_values(p, action, "iam:PolicyARN") {
            let unknown = !arn.contains(['*', '?'])
                && arn.contains(":iam::aws:policy/")
                && self.account.managed_policy(&arn).is_none()
                && !self.admin_policies.contains(&arn);
            if unknown {
                out.push((with(&arn), true));
            }
        }
        out
    }

    /// An instance ARN the caller can launch that satisfies its own `iam:AssociatedResourceArn`
    /// conditions where one does (any instance of its account, in any region).
    fn instance_witness(&self, p: &Principal<'_>) -> String {
        let snap = &self.account.snapshot;
        let (part, acct) = (&snap.partition, &snap.account_id);
        let launchable = format!("arn:{part}:ec2:*:{acct}:instance/*");
        condition_values(p, "iam:PassRole", "iam:AssociatedResourceArn")
            .into_iter()
            .map(|v| v.replace(['*', '?'], "0"))
            .find(|v| wildcard_match(&launchable, v, false))
            .unwrap_or_else(|| {
                let region = snap
                    .regions
                    .keys()
                    .next()
                    .map_or("us-east-1", |r| r.as_str());
                format!("arn:{part}:ec2:{region}:{acct}:instance/i-00000000000000000")
            })
    }

    /// Evaluates every action of a method; the step when all are allowed.
    /// `mode` reads `target`: one resource, or (`All`) a pattern standing for many.
    fn try_method(
        &self,
        p: &'b Principal<'a>,
        m: &Method,
        target: &str,
        reach: &str,
        mode: ResourceMatch,
    ) -> Option<Step> {
        let set = p.policy_set();
        let mut statements = Vec::new();
        let mut conditional = m.target == Target::ServiceRole;
        if m.target == Target::AssumableRole {
            // Only as certain as assuming the role.
            conditional |= self
                .assumable
                .get(p.arn)
                .into_iter()
                .flatten()
                .any(|(r, c)| *r == target && *c);
        }
        for (action, on) in m.requires {
            let (resource, mode, passed_to) = match on {
                On::Target | On::PassedRole => (
                    target,
                    mode,
                    if *on == On::PassedRole {
                        m.service
                    } else {
                        None
                    },
                ),
                On::Anything => ("*", ResourceMatch::Any, None),
            };
            // A caller that rewrites a trust policy names itself in it: assuming the role then
            // needs no identity permission in the same account, only a boundary (and session)
            // that allow sts:AssumeRole. Evaluate against that rewritten trust policy and keep
            // only the caller's statements.
            let own_trust = (m.target == Target::Role && *action == "sts:AssumeRole")
                .then(|| {
                    Policy::parse(&format!(
                        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"sts:AssumeRole"}}]}}"#,
                        p.arn
                    ))
                    .ok()
                })
                .flatten();
            let rewritten = own_trust.as_ref();
            // What the request carries is what the method does: the service the role is
            // passed to, the instance it is associated with, the policy it attaches. Several
            // candidate requests: the first allowed with certainty wins.
            let mut best: Option<(Evaluation, bool)> = None;
            for (extra, unknown) in self.request_contexts(p, action, passed_to, resource) {
                let r = match rewritten {
                    Some(trust) => {
                        let mut r = eval(
                            &with_resource(p.policy_set(), "rewritten trust policy", trust),
                            p.arn,
                            action,
                            resource,
                            mode,
                            &extra,
                        );
                        r.deciding_statements
                            .retain(|s| s.kind != PolicyKind::Resource);
                        r
                    }
                    None => {
                        // The methods share actions (iam:PassRole on the same roles,
                        // lambda:CreateFunction on anything): each request of one principal
                        // is evaluated once.
                        let on = match mode {
                            ResourceMatch::Exact => self
                                .action_statements
                                .borrow_mut()
                                .entry(action)
                                .or_insert(ActionStatements::Unknown)
                                .mask(p, action, resource),
                            ResourceMatch::All | ResourceMatch::Any => None,
                        };
                        let on = on.map_or_else(
                            || MemoResource::Resource(resource.to_string()),
                            MemoResource::Mask,
                        );
                        let key = (*action, on, mode_id(mode), extra);
                        if let Some(r) = self.eval_memo.borrow().get(&key) {
                            r.clone()
                        } else {
                            let r = eval(&set, p.arn, action, resource, mode, &key.3);
                            self.eval_memo.borrow_mut().insert(key, r.clone());
                            r
                        }
                    }
                };
                if r.decision != Decision::Allowed {
                    continue;
                }
                let open = r.conditional || unknown;
                if best.as_ref().is_none_or(|(_, c)| *c && !open) {
                    best = Some((r, open));
                }
                if !open {
                    break;
                }
            }
            let (r, open) = best?;
            conditional |= open;
            for s in r.deciding_statements {
                if !statements.contains(&s) {
                    statements.push(s);
                }
            }
        }
        let mut actions: Vec<String> = m.requires.iter().map(|(a, _)| a.to_string()).collect();
        // Granting `*` to a principal with a permissions boundary leaves it bounded (the
        // effective permissions are the intersection): the method reaches admin only if the
        // caller can also delete that boundary.
        let granted_to = match m.target {
            Target::SelfPrincipal | Target::OwnGroup | Target::OwnPolicy | Target::AdminGroup => {
                Some(p.arn)
            }
            Target::AssumableRole => Some(target),
            _ => None,
        };
        if let Some(who) = granted_to.filter(|w| self.bounded.contains(*w)) {
            let delete = if who.contains(":user/") {
                "iam:DeleteUserPermissionsBoundary"
            } else {
                "iam:DeleteRolePermissionsBoundary"
            };
            let extra = self
                .request_contexts(p, delete, None, who)
                .into_iter()
                .next()
                .map(|(c, _)| c)
                .unwrap_or_default();
            let r = eval(&set, p.arn, delete, who, ResourceMatch::Exact, &extra);
            if r.decision != Decision::Allowed {
                return None;
            }
            conditional |= r.conditional;
            for s in r.deciding_statements {
                if !statements.contains(&s) {
                    statements.push(s);
                }
            }
            actions.push(delete.to_string());
        }
        Some(Step {
            from: p.arn.to_string(),
            to: if reach == "admin" {
                target.to_string()
            } else {
                reach.to_string()
            },
            method: m.id.to_string(),
            actions,
            statements,
            conditional,
        })
    }
}

/// Extra context keys of a request, each with its values (none: known to be absent).
type Context = Vec<(&'static str, Vec<String>)>;

/// A request of one principal: action, resource, resource match ([`mode_id`]), extra context.
type EvalKey = (&'static str, MemoResource, u8, Context);

/// The resource of a memoised request: the resource itself, or the mask of the principal's
/// statements it matches ([`statement_mask`]), which stands for every resource alike.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum MemoResource {
    Resource(String),
    Mask(u64),
}

fn mode_id(mode: ResourceMatch) -> u8 {
    match mode {
        ResourceMatch::Exact => 0,
        ResourceMatch::All => 1,
        ResourceMatch::Any => 2,
    }
}

/// IAM actions on a user or role whose requests carry `iam:PermissionsBoundary` (the
/// principal's current boundary), among those the methods use.
const ACTS_ON_PRINCIPAL: &[&str] = &[
    "iam:AttachUserPolicy",
    "iam:PutUserPolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePolicy",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
];

/// Target kinds that do not depend on the principal: every principal with a grant for the
/// method reaches the same set, so they share one pattern node.
fn is_shared(t: Target) -> bool {
    matches!(
        t,
        Target::User
            | Target::Role
            | Target::PassedRole
            | Target::ServiceRole
            | Target::InstanceRole
    )
}

/// The action of a method that is evaluated on its target (the one a resource scope limits),
/// if any is.
fn primary_action(m: &Method) -> Option<&'static str> {
    m.requires
        .iter()
        .find(|(a, on)| *on != On::Anything && *a != "sts:AssumeRole")
        .map(|(a, _)| *a)
}

/// The principal's identity statements that may allow `action`, Allow effect.
fn allow_statements<'p>(
    p: &'p Principal<'_>,
    action: &'p str,
) -> impl Iterator<Item = &'p Statement> + 'p {
    p.grants
        .iter()
        .filter_map(|g| g.policy)
        .flat_map(|pol| pol.statements.iter())
        .filter(move |st| {
            st.effect == Effect::Allow
                && st
                    .action
                    .patterns
                    .iter()
                    .any(|pat| wildcard_match(pat, action, true))
                    != st.action.negated
        })
}

/// The distinct literal resource patterns of the principal's Allow statements for `action`
/// (patterns with policy variables left out: they differ per principal).
fn grant_patterns(p: &Principal<'_>, action: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for st in allow_statements(p, action) {
        let Some(r) = &st.resource else { continue };
        if r.negated {
            continue;
        }
        for pat in &r.patterns {
            if !pat.contains("${") && !out.contains(pat) {
                out.push(pat.clone());
            }
        }
    }
    out
}

/// The step of assuming a role, from the evaluation that allowed it.
fn assume_step(from: &str, role: &str, r: &Evaluation) -> Step {
    Step {
        from: from.to_string(),
        to: role.to_string(),
        method: "sts-assume-role".to_string(),
        actions: vec!["sts:AssumeRole".to_string()],
        statements: r.deciding_statements.clone(),
        conditional: r.conditional,
    }
}

/// The service principals a trust policy's Allow statements admit, and whether one admits
/// anyone (`"Principal": "*"`).
fn trusted_services(trust: &Policy) -> (bool, Vec<&str>) {
    let mut any = false;
    let mut services = Vec::new();
    for st in &trust.statements {
        let Some(pc) = st.principal.as_ref().filter(|pc| !pc.negated) else {
            continue;
        };
        if st.effect != Effect::Allow {
            continue;
        }
        match &pc.principals {
            Principals::Any => any = true,
            Principals::Listed(ids) => services.extend(
                ids.iter()
                    .filter(|i| i.kind == PK::Service)
                    .map(|i| i.value.as_str()),
            ),
        }
    }
    (any, services)
}

/// A principal's statements that can decide one action (every policy of its policy set, Allow
/// and Deny), computed on first use.
#[derive(Clone)]
enum ActionStatements<'p> {
    /// Not computed yet.
    Unknown,
    /// More than 64, or with policy variables in a resource: no memo.
    Unusable,
    /// The statements.
    Known(Vec<&'p Statement>),
}

/// Which of the principal's statements for `action` match `resource` (a bit per statement), or
/// `None` when that cannot stand for the resource (see [`ActionStatements`]). Two resources
/// with one mask are alike for every evaluation of that principal and action: the request's
/// resource is only ever compared with statements' `Resource` elements.
impl<'p> ActionStatements<'p> {
    fn mask(&mut self, p: &'p Principal<'_>, action: &str, resource: &str) -> Option<u64> {
        statement_mask(self, p, action, resource)
    }
}

fn statement_mask<'p>(
    slot: &mut ActionStatements<'p>,
    p: &'p Principal<'_>,
    action: &str,
    resource: &str,
) -> Option<u64> {
    if matches!(slot, ActionStatements::Unknown) {
        let mut v: Vec<&'p Statement> = Vec::new();
        let mut usable = true;
        let set = p.policy_set();
        let policies: Vec<&'p Policy> = set
            .identity
            .iter()
            .chain(&set.boundary)
            .chain(set.scps.iter().flatten())
            .chain(set.rcps.iter().flatten())
            .chain(&set.session)
            .chain(&set.endpoints)
            .map(|n| n.policy)
            .collect();
        for pol in policies {
            for st in &pol.statements {
                let names = st
                    .action
                    .patterns
                    .iter()
                    .any(|pat| wildcard_match(pat, action, true))
                    != st.action.negated;
                if !names {
                    continue;
                }
                if st
                    .resource
                    .as_ref()
                    .is_some_and(|r| r.patterns.iter().any(|pat| pat.contains("${")))
                {
                    usable = false;
                }
                v.push(st);
            }
        }
        *slot = if usable && v.len() <= 64 {
            ActionStatements::Known(v)
        } else {
            ActionStatements::Unusable
        };
    }
    let ActionStatements::Known(statements) = slot else {
        return None;
    };
    let mut mask = 0u64;
    for (bit, st) in statements.iter().enumerate() {
        let hit = match &st.resource {
            None => true,
            Some(r) => {
                r.patterns
                    .iter()
                    .any(|pat| wildcard_match(pat, resource, false))
                    != r.negated
            }
        };
        if hit {
            mask |= 1 << bit;
        }
    }
    Some(mask)
}

/// The resource patterns of the principal's identity Allow statements for `action`, with the
/// policy variables the principal itself settles (`aws:username` of a user, its ARN and
/// account) substituted: a resource none of them matches cannot be allowed by the identity side
/// (and the methods' targets have no resource policy). `None` when some statement may match
/// any resource: no `Resource`, a `NotResource`, or a variable the principal does not settle.
fn allow_resource_patterns(p: &Principal<'_>, action: &str) -> Option<Vec<ResourceFilter>> {
    let account = p.arn.split(':').nth(4).unwrap_or_default();
    let lookup = |key: &str| -> Option<String> {
        let v = match key.to_ascii_lowercase().as_str() {
            "aws:username" if p.kind == PrincipalKind::User => p.name,
            "aws:principalarn" => p.arn,
            "aws:principalaccount" if !account.is_empty() => account,
            _ => return None,
        };
        Some(v.to_string())
    };
    let mut out = Vec::new();
    for st in allow_statements(p, action) {
        let r = st.resource.as_ref()?;
        if r.negated {
            return None;
        }
        for pat in &r.patterns {
            out.push(ResourceFilter::new(pat, lookup)?);
        }
    }
    Some(out)
}

/// One resource pattern of an Allow statement, policy variables substituted, compiled for the
/// cheapest match that is exact.
#[derive(Clone, Debug)]
enum ResourceFilter {
    /// No wildcard: equality.
    Exact(String),
    /// Wildcards, and no literal `*` or `?` from a variable: [`wildcard_match`].
    Wild(String),
    /// The general case.
    General(Pattern),
}

impl ResourceFilter {
    /// `None` when a variable is not settled by `lookup`.
    fn new(pattern: &str, lookup: impl FnMut(&str) -> Option<String>) -> Option<ResourceFilter> {
        if !pattern.contains("${") {
            return Some(if pattern.contains(['*', '?']) {
                ResourceFilter::Wild(pattern.to_string())
            } else {
                ResourceFilter::Exact(pattern.to_string())
            });
        }
        let compiled = substitute(&parse_template(pattern), lookup)?;
        let literal_wild = compiled
            .tokens
            .iter()
            .any(|t| matches!(t, Token::Literal(l) if l.contains(['*', '?'])));
        Some(if compiled.is_literal() && !literal_wild {
            let mut s = String::new();
            for t in &compiled.tokens {
                if let Token::Literal(l) = t {
                    s.push_str(l);
                }
            }
            ResourceFilter::Exact(s)
        } else if !literal_wild {
            let mut s = String::new();
            for t in &compiled.tokens {
                match t {
                    Token::Literal(l) => s.push_str(l),
                    Token::Star => s.push('*'),
                    Token::One => s.push('?'),
                }
            }
            ResourceFilter::Wild(s)
        } else {
            ResourceFilter::General(compiled)
        })
    }

    fn matches(&self, resource: &str) -> bool {
        match self {
            ResourceFilter::Exact(s) => s == resource,
            ResourceFilter::Wild(s) => wildcard_match(s, resource, false),
            ResourceFilter::General(p) => p.matches(resource, false),
        }
    }
}

/// The values the principal's Allow statements for `action` test `key` against.
fn condition_values(p: &Principal<'_>, action: &str, key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for st in allow_statements(p, action) {
        for c in st
            .conditions
            .iter()
            .filter(|c| c.key.eq_ignore_ascii_case(key))
        {
            for v in &c.values {
                let v = v.as_text().into_owned();
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
    }
    out
}

/// The longest common prefix of some ARNs, then `*`: a pattern covering all of them.
fn covering_pattern<'s>(mut arns: impl Iterator<Item = &'s str>) -> String {
    let Some(first) = arns.next() else {
        return "*".to_string();
    };
    let mut len = first.len();
    for a in arns {
        len = first
            .bytes()
            .zip(a.bytes())
            .take(len)
            .take_while(|(x, y)| x == y)
            .count();
    }
    while !first.is_char_boundary(len) {
        len -= 1;
    }
    format!("{}*", &first[..len])
}

/// A trust policy that only admits the account (`"AWS": "<account>"` or its root), without
/// conditions or Deny: whether a principal of the account may assume the role is then its
/// identity side alone.
fn admits_account_only(trust: &Policy, own: &str, part: &str) -> bool {
    let root = format!("arn:{part}:iam::{own}:root");
    !trust.statements.is_empty()
        && trust.statements.iter().all(|st| {
            st.effect == Effect::Allow
                && st.conditions.is_empty()
                && !st.action.negated
                && st
                    .action
                    .patterns
                    .iter()
                    .any(|a| wildcard_match(a, "sts:AssumeRole", true))
                && st.principal.as_ref().is_some_and(|pc| {
                    !pc.negated
                        && matches!(&pc.principals, Principals::Listed(ids) if !ids.is_empty()
                            && ids.iter().all(|i| i.kind == PK::Aws && (i.value == own || i.value == root)))
                })
        })
}

fn external_account(v: &str, own: &str) -> Option<String> {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        return (v != own).then(|| v.to_string());
    }
    let arn: iam_model::Arn = v.parse().ok()?;
    (arn.service == "iam" && !arn.account.is_empty() && arn.account != own).then_some(arn.account)
}

fn with_resource<'p>(mut set: PolicySet<'p>, name: &'p str, p: &'p Policy) -> PolicySet<'p> {
    set.resource = Some(Named { name, policy: p });
    set
}

fn eval(
    set: &PolicySet<'_>,
    principal: &str,
    action: &str,
    resource: &str,
    mode: ResourceMatch,
    extra: &[(&str, Vec<String>)],
) -> Evaluation {
    let rp = RequestPrincipal::parse(principal);
    let mut ctx = RequestContext::new();
    for (k, v) in extra {
        // An empty list marks the key as known to be absent, even in a partial context.
        ctx.set_many(k, v.clone());
    }
    derive_context(&mut ctx, &rp);
    ctx.partial = true;
    evaluate(
        set,
        &Request {
            principal: &rp,
            action,
            resource,
            resource_match: mode,
            resource_account: None,
            context: &ctx,
        },
    )
}

/// Every user and role allowed `action` on `resource` (with the resource's policy where the
/// snapshot has it), including those allowed only under conditions.
pub fn who_can(account: &Account<'_>, action: &str, resource: &str) -> Vec<(String, Evaluation)> {
    let resource_policy = account.resource_policy(action, resource);
    let mut out = Vec::new();
    for p in account
        .principals
        .iter()
        .filter(|p| p.kind != PrincipalKind::Group)
    {
        let mut set = p.policy_set();
        if let Some((name, pol)) = &resource_policy {
            set.resource = Some(Named { name, policy: pol });
        }
        let r = eval(&set, p.arn, action, resource, ResourceMatch::Exact, &[]);
        if r.decision == Decision::Allowed {
            out.push((p.arn.to_string(), r));
        }
    }
    out
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fixtures;
