//! The proof: through the evaluation engine, a suggestion never allows what the original
//! did not, keeps everything that was used, and keeps every untracked action; on the demo
//! account, on a hand-built account that exercises each safety rule, and on generated accounts
//! (property tests over the generator's seeds).

use std::collections::{BTreeSet, HashMap};

use iam_model::catalog::ActionId;
use iam_model::eval::{
    Decision, Named, PolicySet, Request, RequestContext, RequestPrincipal, ResourceMatch, evaluate,
};
use iam_model::policy::Statement;
use iam_model::snapshot::Snapshot;
use iam_model::wildcard::wildcard_match;
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::unused::unused_permissions;

fn load(rel: &str) -> Snapshot {
    let text = std::fs::read_to_string(format!("{}/../fixtures/{rel}", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    Snapshot::from_json_str(&text).unwrap()
}

fn run(snapshot: &Snapshot, options: &SuggestOptions) -> (UnusedReport, Vec<Suggestion>) {
    let config = Config::default();
    let catalog = Catalog::embedded();
    let account = Account::new(snapshot);
    let unused = unused_permissions(snapshot, &account, &config, catalog);
    let suggestions = suggest(snapshot, &account, &unused, &config, catalog, options);
    (unused, suggestions)
}

/// Concrete resources to probe the policies with: `*` and every resource pattern they name,
/// with wildcards and the user-name variable filled in.
fn probes<'a>(policies: impl IntoIterator<Item = &'a Policy>) -> BTreeSet<String> {
    let mut out = BTreeSet::from(["*".to_string()]);
    for p in policies {
        for st in &p.statements {
            for r in st.resource.iter().flat_map(|r| &r.patterns) {
                out.insert(
                    r.replace("${aws:username}", "alice")
                        .replace(['*', '?'], "x"),
                );
            }
        }
    }
    out
}

fn contexts() -> Vec<RequestContext> {
    let mut full = RequestContext::new();
    full.set("aws:MultiFactorAuthPresent", "true");
    full.set("aws:SecureTransport", "true");
    full.set("aws:SourceIp", "203.0.113.5");
    full.set("aws:RequestedRegion", "us-east-1");
    vec![RequestContext::new(), full]
}

fn allowed(
    set: &PolicySet<'_>,
    principal: &RequestPrincipal,
    action: &str,
    resource: &str,
    ctx: &RequestContext,
) -> bool {
    evaluate(
        set,
        &Request {
            principal,
            action,
            resource,
            resource_match: ResourceMatch::Exact,
            resource_account: None,
            context: ctx,
        },
    )
    .decision
        == Decision::Allowed
}

/// The catalog actions an action pattern matches, by the engine's own matching rule.
fn matching(pattern: &str, exp: &mut Expander<'_>, catalog: &Catalog) -> ActionSet {
    if pattern == "*" || pattern.contains(':') {
        return exp.expand(pattern).actions.clone();
    }
    // No `:`: the catalog expands nothing, the engine still matches the text as a wildcard.
    let mut set = ActionSet::new_empty(catalog);
    for a in catalog.actions() {
        if wildcard_match(pattern, &a.full_name(), true) {
            set.insert(a.id());
        }
    }
    set
}

/// One action per class of catalog actions that `statements` cannot tell apart: two actions
/// match the Action clause of exactly the same statements, so the engine (which reads the
/// action through those clauses only) decides every request for them alike. Probing one
/// action per class is probing every catalog action.
fn action_classes(statements: &[&Statement], catalog: &Catalog) -> Vec<ActionId> {
    let mut exp = Expander::new(catalog);
    let mut keys: Vec<Vec<u32>> = vec![Vec::new(); catalog.action_count()];
    for (k, st) in statements.iter().enumerate() {
        let mut set = ActionSet::new_empty(catalog);
        for pat in &st.action.patterns {
            set.union_with(&matching(pat, &mut exp, catalog));
        }
        for id in set.iter() {
            keys[id.index()].push(k as u32);
        }
    }
    let mut first: HashMap<&[u32], ActionId> = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        first.entry(key.as_slice()).or_insert(ActionId(i as u32));
    }
    let mut out: Vec<ActionId> = first.into_values().collect();
    out.sort();
    out
}

/// Checks every suggestion of a snapshot through the evaluation engine, over every catalog
/// action (one per class, see [`action_classes`]) × every resource the policies name and `*`
/// × two request contexts, and structurally: every suggested statement is an original
/// statement of the policy it replaces with a subset of its actions, the same effect,
/// resources and conditions. Returns the number of principals with a change.
/// Both modes (shared policies judged on the union of use, and split per holder) are proved;
/// the count is the default mode's.
fn prove(snapshot: &Snapshot) -> Result<usize, String> {
    let config = Config::default();
    let catalog = Catalog::embedded();
    let account = Account::new(snapshot);
    let unused = unused_permissions(snapshot, &account, &config, catalog);
    let mut exp = Expander::new(catalog);
    let mut changed = 0;
    let mut failures = Vec::new();
    let [union, split] = both_modes()
        .map(|options| suggest(snapshot, &account, &unused, &config, catalog, &options));
    for s in union.iter().chain(&split) {
        if s.suggested_policies.is_empty() {
            continue;
        }
        if union.iter().any(|u| std::ptr::eq(u, s)) {
            changed += 1;
        }
        let p = account.by_arn(&s.principal).ok_or("unknown principal")?;
        let original = p.policy_set();
        let replaced: BTreeSet<&str> = s
            .suggested_policies
            .iter()
            .map(|sp| sp.replaces.as_str())
            .collect();
        let mut suggested = PolicySet {
            identity: p
                .grants
                .iter()
                .filter(|g| !replaced.contains(g.id.as_str()))
                .filter_map(|g| {
                    g.policy.map(|pol| Named {
                        name: &g.id,
                        policy: pol,
                    })
                })
                .collect(),
            boundary: original.boundary,
            // Compared like for like: the organisation's policies stay what they are.
            scps: original.scps.clone(),
            rcps: original.rcps.clone(),
            org_id: original.org_id,
            regions: original.regions,
            ..PolicySet::default()
        };
        suggested
            .identity
            .extend(s.suggested_policies.iter().map(|sp| Named {
                name: &sp.name,
                policy: &sp.document,
            }));

        // Structure: each suggested statement narrows one statement of what it replaces.
        for sp in &s.suggested_policies {
            let Some(orig) = p
                .grants
                .iter()
                .find(|g| g.id == sp.replaces)
                .and_then(|g| g.policy)
            else {
                failures.push(format!("{}: replaces unknown {}", s.principal, sp.replaces));
                continue;
            };
            for st in &sp.document.statements {
                let narrows = orig.statements.iter().any(|o| {
                    o.effect == st.effect
                        && o.principal == st.principal
                        && o.resource == st.resource
                        && o.conditions == st.conditions
                        && granted_set(st, &mut exp, catalog)
                            .is_subset(&granted_set(o, &mut exp, catalog))
                        && (o.effect == Effect::Allow || o == st)
                });
                if !narrows {
                    failures.push(format!(
                        "{}: statement {:?} of {} is not a narrowing of any statement of {}",
                        s.principal, st.sid, sp.name, sp.replaces
                    ));
                }
            }
            for o in orig.statements.iter().filter(|o| o.effect == Effect::Deny) {
                if !s
                    .suggested_policies
                    .iter()
                    .filter(|x| x.replaces == sp.replaces)
                    .any(|x| x.document.statements.contains(o))
                {
                    failures.push(format!(
                        "{}: a Deny of {} is lost",
                        s.principal, sp.replaces
                    ));
                }
            }
        }

        // Meaning, through the engine.
        let all_statements: Vec<&Statement> = original
            .identity
            .iter()
            .chain(&suggested.identity)
            .chain(original.boundary.iter())
            .flat_map(|n| &n.policy.statements)
            .collect();
        let rp = RequestPrincipal::parse(p.arn);
        let resources = probes(
            original
                .identity
                .iter()
                .chain(&suggested.identity)
                .map(|n| n.policy),
        );
        let window_start = snapshot
            .collected_at
            .ok_or("no collection time")?
            .minus_days(config.thresholds.unused_days);
        let used: BTreeSet<String> = snapshot
            .last_accessed
            .get(p.arn)
            .into_iter()
            .flat_map(|d| &d.services_last_accessed)
            .flat_map(|svc| {
                svc.tracked_actions_last_accessed
                    .iter()
                    .flatten()
                    .filter(|a| a.last_accessed_time.is_some_and(|t| t >= window_start))
                    .map(move |a| format!("{}:{}", svc.service_namespace, a.action_name))
            })
            .collect();
        let untracked: BTreeSet<String> = unused
            .rows
            .iter()
            .filter(|r| &*r.principal_arn == p.arn && r.confidence == Confidence::Untracked)
            .filter_map(|r| r.action.as_deref().map(str::to_string))
            .collect();
        let ctxs = contexts();
        for id in action_classes(&all_statements, catalog) {
            let action = catalog.action(id).full_name();
            for r in &resources {
                for ctx in &ctxs {
                    if allowed(&suggested, &rp, &action, r, ctx)
                        && !allowed(&original, &rp, &action, r, ctx)
                    {
                        failures.push(format!(
                            "{}: suggestion WIDENS {action} on {r}",
                            s.principal
                        ));
                    }
                }
            }
        }
        for action in used.iter().chain(&untracked) {
            for r in &resources {
                for ctx in &ctxs {
                    if allowed(&original, &rp, action, r, ctx)
                        && !allowed(&suggested, &rp, action, r, ctx)
                    {
                        failures.push(format!(
                            "{}: suggestion drops used or untracked {action} on {r}",
                            s.principal
                        ));
                    }
                }
            }
        }
    }
    if failures.is_empty() {
        Ok(changed)
    } else {
        Err(format!(
            "{} problem(s):\n{}",
            failures.len(),
            failures.join("\n")
        ))
    }
}

fn both_modes() -> [SuggestOptions; 2] {
    [
        SuggestOptions::default(),
        SuggestOptions {
            split_shared: true,
            ..SuggestOptions::default()
        },
    ]
}

#[test]
fn demo_suggestions_never_widen_and_keep_what_was_used() {
    let changed = prove(&load("demo/snapshot.json")).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        changed >= 3,
        "the demo should produce several suggestions, got {changed}"
    );
}

#[test]
fn fixture_suggestions_never_widen() {
    prove(&load("checks/unused-permissions/resources.json")).unwrap_or_else(|e| panic!("{e}"));
}

/// Small generated accounts: every kind of principal and policy the generator writes, in a
/// size a debug build proves in a few seconds.
fn small(seed: u64) -> Snapshot {
    iamsight_tools::generate(&iamsight_tools::Params {
        users: 4,
        roles: 8,
        groups: 2,
        policies: 6,
        seed,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn generated_suggestions_never_widen_and_keep_used_and_untracked(seed in any::<u64>()) {
        if let Err(e) = prove(&small(seed)) {
            prop_assert!(false, "seed {seed}: {e}");
        }
    }
}

/// The property test above is not vacuous: generated accounts do get suggestions.
#[test]
fn generated_accounts_get_suggestions() {
    let changed: usize = (1..=3)
        .map(|seed| prove(&small(seed)).unwrap_or_else(|e| panic!("{e}")))
        .sum();
    assert!(changed > 0, "no generated account got a suggestion");
}

#[test]
fn demo_suggestions_read_as_a_reviewer_would_write_them() {
    let snap = load("demo/snapshot.json");
    let (unused, all) = run(&snap, &SuggestOptions::default());
    let find = |n: &str| all.iter().find(|s| s.principal.ends_with(n)).unwrap();
    // Too new and no-data principals are skipped with a reason, never rewritten.
    assert!(
        find(":user/nina.new")
            .skipped
            .as_deref()
            .unwrap()
            .contains("younger")
    );
    assert!(
        find(":user/maria.garcia")
            .skipped
            .as_deref()
            .unwrap()
            .contains("no last-accessed data")
    );
    for s in &all {
        for sp in &s.suggested_policies {
            let limit = if sp.kind == "managed" {
                MANAGED_POLICY_LIMIT
            } else {
                ROLE_INLINE_LIMIT
            };
            assert!(size(&sp.document) <= limit, "{} is too big", sp.name);
        }
        assert!(s.removed.iter().all(|r| r.permission != "iam:PassRole"));
    }
    // The shared-policy rule: a policy held by several principals loses an action only when
    // every holder left it unused.
    for s in &all {
        for sp in s
            .suggested_policies
            .iter()
            .filter(|sp| sp.holders.len() > 1)
        {
            for r in s.removed.iter().filter(|r| r.policy == sp.replaces) {
                for h in &sp.holders {
                    let rows: Vec<_> = unused
                        .rows
                        .iter()
                        .filter(|u| *u.principal_arn == **h && *u.policy_arn == *r.policy)
                        .collect();
                    assert!(
                        rows.iter().any(|u| u.confidence.is_unused()
                            && (u
                                .action
                                .as_deref()
                                .is_some_and(|a| a.eq_ignore_ascii_case(&r.permission))
                                || (u.action.is_none()
                                    && r.permission.starts_with(&format!("{}:", u.service))))),
                        "{} removed from shared {} though {h} did not leave it unused",
                        r.permission,
                        r.policy
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Each safety rule on a hand-built account.

const ACCOUNT: &str = "111122223333";
const OLD: &str = "2024-01-01T00:00:00Z";
const RECENT_USE: &str = "2026-11-20T00:00:00Z";
const OLD_USE: &str = "2025-01-01T00:00:00Z";

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn user(
    name: &str,
    created: &str,
    inline: serde_json::Value,
    managed: &[&str],
) -> serde_json::Value {
    json!({
        "Path": "/", "UserName": name, "UserId": format!("AIDA{}", name.to_uppercase()),
        "Arn": arn("user", name), "CreateDate": created,
        "UserPolicyList": inline, "GroupList": [],
        "AttachedManagedPolicies": managed.iter().map(|m| json!({
            "PolicyName": m, "PolicyArn": arn("policy", m)
        })).collect::<Vec<_>>(),
        "Tags": []
    })
}

fn managed(
    name: &str,
    versions: &[(&str, serde_json::Value)],
    attachments: usize,
) -> serde_json::Value {
    let n = versions.len();
    json!({
        "PolicyName": name, "PolicyId": format!("ANPA{}", name.to_uppercase().replace('-', "")),
        "Arn": arn("policy", name), "Path": "/", "DefaultVersionId": format!("v{n}"),
        "AttachmentCount": attachments, "PermissionsBoundaryUsageCount": 0, "IsAttachable": true,
        "CreateDate": versions[0].0, "UpdateDate": versions[n - 1].0,
        "PolicyVersionList": versions.iter().enumerate().map(|(i, (date, doc))| json!({
            "Document": doc, "VersionId": format!("v{}", i + 1),
            "IsDefaultVersion": i + 1 == n, "CreateDate": date
        })).collect::<Vec<_>>()
    })
}

fn allow(actions: &[&str]) -> serde_json::Value {
    json!({"Effect": "Allow", "Action": actions, "Resource": "*"})
}

fn doc(statements: Vec<serde_json::Value>) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Last-accessed data: `used` actions were used recently, every other name in `tracked` was
/// last used long ago (all of them are tracked at action level).
fn usage(used: &[&str], tracked: &[&str]) -> serde_json::Value {
    let mut by_service: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
    for a in tracked.iter().chain(used) {
        let (svc, name) = a.split_once(':').unwrap();
        let when = if used.contains(a) {
            RECENT_USE
        } else {
            OLD_USE
        };
        by_service
            .entry(svc)
            .or_default()
            .push(json!({"ActionName": name, "LastAccessedTime": when}));
    }
    json!({
        "JobStatus": "COMPLETED", "JobType": "ACTION_LEVEL",
        "ServicesLastAccessed": by_service.into_iter().map(|(svc, actions)| json!({
            "ServiceName": svc, "ServiceNamespace": svc, "LastAuthenticated": RECENT_USE,
            "TotalAuthenticatedEntities": 1, "TrackedActionsLastAccessed": actions
        })).collect::<Vec<_>>()
    })
}

const ATHENA: &[&str] = &[
    "athena:GetQueryExecution",
    "athena:StartQueryExecution",
    "athena:StopQueryExecution",
];

/// One account, one principal per rule.
fn rules_account() -> Snapshot {
    let five_days_ago = "2026-11-25T00:00:00Z";
    let scoped = json!({
        "Sid": "Scoped", "Effect": "Allow",
        "Action": ["athena:GetQueryExecution", "athena:StopQueryExecution"],
        "Resource": format!("arn:aws:athena:us-east-1:{ACCOUNT}:workgroup/primary"),
        "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    });
    let rules_inline = json!([{
        "PolicyName": "rules",
        "PolicyDocument": doc(vec![
            json!({"Sid": "NOREPOKeep", "Effect": "Allow",
                   "Action": "athena:StopQueryExecution", "Resource": "*"}),
            json!({"Sid": "NoDelete", "Effect": "Deny",
                   "Action": "athena:DeleteWorkGroup", "Resource": "*"}),
            json!({"Sid": "Pass", "Effect": "Allow",
                   "Action": ["iam:PassRole", "iam:CreateUser"],
                   "Resource": arn("role", "app")}),
            scoped,
            allow(&["athena:StopQueryExecution", "madeupservice:DoThing"]),
            allow(&["sqs:SendMessage", "sqs:ReceiveMessage", "athena:GetQueryExecution"]),
        ])
    }]);
    let users = vec![
        user("shared-a", OLD, json!([]), &["team-shared"]),
        user("shared-b", OLD, json!([]), &["team-shared"]),
        user("rules", OLD, rules_inline, &["recently-edited"]),
        user(
            "young",
            "2026-11-01T00:00:00Z",
            json!([]),
            &["team-shared-young"],
        ),
        user(
            "admin",
            OLD,
            json!([{"PolicyName": "all", "PolicyDocument": doc(vec![allow(&["*"])])}]),
            &[],
        ),
        user("big", OLD, json!([]), &["ec2-read"]),
    ];
    let slr = json!({
        "Path": "/aws-service-role/athena.amazonaws.com/", "RoleName": "AWSServiceRoleForAthena",
        "RoleId": "AROASLR", "Arn": format!("arn:aws:iam::{ACCOUNT}:role/aws-service-role/athena.amazonaws.com/AWSServiceRoleForAthena"),
        "CreateDate": OLD,
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "athena.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "RolePolicyList": [{"PolicyName": "slr", "PolicyDocument": doc(vec![allow(ATHENA)])}],
        "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []
    });
    let wide = json!({
        "Path": "/", "RoleName": "wide", "RoleId": "AROAWIDE", "Arn": arn("role", "wide"),
        "CreateDate": OLD,
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "RolePolicyList": [
            {"PolicyName": "ec2-all", "PolicyDocument": doc(vec![allow(&["ec2:*"])])},
            {"PolicyName": "athena", "PolicyDocument": doc(vec![allow(&["athena:GetQueryExecution"])])}
        ],
        "AttachedManagedPolicies": [], "InstanceProfileList": [], "Tags": []
    });
    let policies = vec![
        managed("team-shared", &[(OLD, doc(vec![allow(ATHENA)]))], 2),
        managed("team-shared-young", &[(OLD, doc(vec![allow(ATHENA)]))], 1),
        managed(
            "recently-edited",
            &[
                (OLD, doc(vec![allow(&["athena:GetQueryExecution"])])),
                (
                    five_days_ago,
                    doc(vec![allow(&[
                        "athena:GetQueryExecution",
                        "athena:StopQueryExecution",
                    ])]),
                ),
            ],
            1,
        ),
        managed(
            "ec2-read",
            &[(
                OLD,
                doc(vec![
                    json!({"Sid": "Ec2", "Effect": "Allow", "Action": "ec2:*",
                                "Resource": "*"}),
                ]),
            )],
            1,
        ),
    ];
    let mut last_accessed = serde_json::Map::new();
    let ec2_half = every_other_ec2_action();
    let ec2_half: Vec<&str> = ec2_half.iter().map(String::as_str).collect();
    let tracked = [ATHENA, &["iam:CreateUser"], &ec2_half].concat();
    let admin_used = [&["athena:GetQueryExecution"], ec2_half.as_slice()].concat();
    for (who, used) in [
        (arn("user", "shared-a"), vec!["athena:GetQueryExecution"]),
        (arn("user", "shared-b"), vec!["athena:StartQueryExecution"]),
        (arn("user", "rules"), vec!["athena:GetQueryExecution"]),
        (arn("user", "young"), vec![]),
        (arn("user", "admin"), admin_used),
        (arn("user", "big"), vec![]),
        (arn("role", "wide"), vec!["athena:GetQueryExecution"]),
        (
            format!(
                "arn:aws:iam::{ACCOUNT}:role/aws-service-role/athena.amazonaws.com/AWSServiceRoleForAthena"
            ),
            vec![],
        ),
    ] {
        let mut u = usage(&used, &tracked);
        if who.ends_with("user/rules") {
            // SQS has service-level data only: the service was last used long ago.
            u["ServicesLastAccessed"].as_array_mut().unwrap().push(
                json!({"ServiceName": "Amazon SQS", "ServiceNamespace": "sqs",
                             "LastAuthenticated": OLD_USE, "TotalAuthenticatedEntities": 1}),
            );
        }
        last_accessed.insert(who, u);
    }
    let snap = json!({
        "iamsight_snapshot": 1, "account_id": ACCOUNT, "partition": "aws",
        "collected_at": "2026-11-30T12:00:00Z",
        "authorization_details": {
            "UserDetailList": users, "GroupDetailList": [], "RoleDetailList": [slr, wide],
            "Policies": policies
        },
        "last_accessed": last_accessed
    });
    Snapshot::from_json_str(&snap.to_string()).unwrap()
}

/// Every second EC2 action of the catalog: tracked in the rules account, used by `admin`, not by
/// `big`, so that what `big` keeps of `ec2:*` compacts poorly.
fn every_other_ec2_action() -> Vec<String> {
    let catalog = Catalog::embedded();
    catalog
        .actions_of_service("ec2")
        .unwrap()
        .step_by(2)
        .map(|i| catalog.action(ActionId(i)).full_name())
        .collect()
}

fn for_user<'a>(all: &'a [Suggestion], name: &str) -> &'a Suggestion {
    all.iter()
        .find(|s| s.principal == arn("user", name))
        .unwrap_or_else(|| panic!("no suggestion for {name}"))
}

/// The statements of `name`'s suggested replacement of `replaces`.
fn statements<'a>(s: &'a Suggestion, replaces: &str) -> Vec<&'a Statement> {
    s.suggested_policies
        .iter()
        .filter(|sp| sp.replaces == replaces)
        .flat_map(|sp| &sp.document.statements)
        .collect()
}

fn actions(st: &Statement) -> Vec<&str> {
    st.action.patterns.iter().map(String::as_str).collect()
}

#[test]
fn the_rules_account_is_proved_in_both_modes() {
    let changed = prove(&rules_account()).unwrap_or_else(|e| panic!("{e}"));
    assert!(changed >= 4, "got {changed}");
}

#[test]
fn principals_younger_than_the_window_and_service_linked_roles_are_left_alone() {
    let (_, all) = run(&rules_account(), &SuggestOptions::default());
    let young = for_user(&all, "young");
    assert!(
        young
            .skipped
            .as_deref()
            .is_some_and(|r| r.contains("younger"))
    );
    assert!(young.suggested_policies.is_empty() && young.removed.is_empty());
    let slr = all
        .iter()
        .find(|s| s.principal.contains("aws-service-role"))
        .unwrap();
    assert!(
        slr.skipped
            .as_deref()
            .is_some_and(|r| r.contains("service-linked"))
    );
    assert!(slr.suggested_policies.is_empty() && slr.removed.is_empty());
}

#[test]
fn norepo_deny_conditions_resources_and_pass_role_are_kept() {
    let (_, all) = run(&rules_account(), &SuggestOptions::default());
    let s = for_user(&all, "rules");
    let id = format!("inline:{}:rules", arn("user", "rules"));
    let sts = statements(s, &id);
    let original = rules_account();
    let account = Account::new(&original);
    let orig = account.by_arn(&arn("user", "rules")).unwrap().grants[0]
        .policy
        .unwrap();
    // NOREPO and Deny statements come through untouched.
    for sid in ["NOREPOKeep", "NoDelete"] {
        let o = orig
            .statements
            .iter()
            .find(|st| st.sid.as_deref() == Some(sid))
            .unwrap();
        assert!(sts.contains(&o), "{sid} changed or lost");
    }
    // iam:PassRole stays, the unused iam:CreateUser next to it goes.
    let pass = sts
        .iter()
        .find(|st| st.sid.as_deref() == Some("Pass"))
        .unwrap();
    assert_eq!(actions(pass), ["iam:PassRole"]);
    assert!(s.kept.iter().any(|k| k.permission == "iam:PassRole"));
    assert!(s.removed.iter().any(|r| r.permission == "iam:CreateUser"));
    // The scoped statement keeps its resource and condition, and loses its unused action.
    let scoped = sts
        .iter()
        .find(|st| st.sid.as_deref() == Some("Scoped"))
        .unwrap();
    let o = orig
        .statements
        .iter()
        .find(|st| st.sid.as_deref() == Some("Scoped"))
        .unwrap();
    assert_eq!(actions(scoped), ["athena:GetQueryExecution"]);
    assert_eq!(
        (&scoped.resource, &scoped.conditions),
        (&o.resource, &o.conditions)
    );
    assert!(!scoped.conditions.is_empty());
    // An action the catalog does not know cannot be judged: it stays.
    assert!(
        sts.iter()
            .any(|st| actions(st) == ["madeupservice:DoThing"])
    );
    // A service unused as a whole is removed as `service:*`, with its confidence.
    assert!(
        s.removed
            .iter()
            .any(|r| r.permission == "sqs:*" && r.confidence == Confidence::ServiceUnused)
    );
    assert!(
        sts.iter()
            .any(|st| actions(st) == ["athena:GetQueryExecution"] && st.sid.is_none())
    );
}

#[test]
fn actions_of_a_policy_version_newer_than_the_grace_period_are_kept() {
    let snap = rules_account();
    let (unused, all) = run(&snap, &SuggestOptions::default());
    let edited = arn("policy", "recently-edited");
    let s = for_user(&all, "rules");
    // athena:StopQueryExecution was added five days ago and never used: kept, as too new.
    assert!(
        statements(s, &edited).is_empty(),
        "the recently edited policy is rewritten"
    );
    assert!(!s.removed.iter().any(|r| r.policy == edited));
    assert!(
        s.kept
            .iter()
            .any(|k| k.policy == edited && k.reason.contains("younger"))
    );
    assert!(
        unused
            .rows
            .iter()
            .any(|r| *r.policy_arn == *edited && r.confidence == Confidence::TooNew)
    );
    // With a shorter grace period than the version's age, it is judged and dropped.
    let config = Config {
        thresholds: crate::config::Thresholds {
            new_grant_grace_days: 3,
            ..Config::default().thresholds
        },
        ..Config::default()
    };
    let account = Account::new(&snap);
    let catalog = Catalog::embedded();
    let unused = unused_permissions(&snap, &account, &config, catalog);
    let all = suggest(
        &snap,
        &account,
        &unused,
        &config,
        catalog,
        &SuggestOptions::default(),
    );
    let s = for_user(&all, "rules");
    assert!(
        s.removed
            .iter()
            .any(|r| r.policy == edited && r.permission == "athena:StopQueryExecution")
    );
}

#[test]
fn shared_policies_are_judged_on_the_union_of_use_or_split_per_holder() {
    let shared = arn("policy", "team-shared");
    // Union: each holder's used action stays for both; only what neither used goes.
    let (_, all) = run(&rules_account(), &SuggestOptions::default());
    for (name, other_used) in [
        ("shared-a", "athena:StartQueryExecution"),
        ("shared-b", "athena:GetQueryExecution"),
    ] {
        let s = for_user(&all, name);
        let sts = statements(s, &shared);
        assert_eq!(sts.len(), 1);
        assert_eq!(
            actions(sts[0]),
            ["athena:GetQueryExecution", "athena:StartQueryExecution"]
        );
        assert_eq!(s.suggested_policies[0].holders.len(), 2);
        assert_eq!(s.suggested_policies[0].name, "team-shared-least-privilege");
        assert!(
            s.kept
                .iter()
                .any(|k| k.permission == other_used && k.reason.contains("another holder"))
        );
        assert_eq!(
            s.removed
                .iter()
                .map(|r| r.permission.as_str())
                .collect::<Vec<_>>(),
            ["athena:StopQueryExecution"]
        );
    }
    // Split: one policy per holder, each against its own use alone.
    let options = SuggestOptions {
        split_shared: true,
        ..SuggestOptions::default()
    };
    let (_, all) = run(&rules_account(), &options);
    for (name, used) in [
        ("shared-a", "athena:GetQueryExecution"),
        ("shared-b", "athena:StartQueryExecution"),
    ] {
        let s = for_user(&all, name);
        let sts = statements(s, &shared);
        assert_eq!(sts.len(), 1);
        assert_eq!(actions(sts[0]), [used]);
        let sp = &s.suggested_policies[0];
        assert_eq!(sp.holders, [arn("user", name)]);
        assert_eq!(sp.name, format!("team-shared-{name}-least-privilege"));
        assert!(s.notes.iter().any(|n| n.contains("--split-shared")));
    }
}

#[test]
fn action_star_becomes_not_action_of_what_is_removed() {
    let (_, all) = run(&rules_account(), &SuggestOptions::default());
    let s = for_user(&all, "admin");
    let sts = statements(s, &format!("inline:{}:all", arn("user", "admin")));
    assert_eq!(sts.len(), 1);
    assert!(sts[0].action.negated);
    let removed: BTreeSet<&str> = s.removed.iter().map(|r| r.permission.as_str()).collect();
    assert!(removed.contains("athena:StopQueryExecution") && removed.contains("iam:CreateUser"));
    assert!(!removed.contains("athena:GetQueryExecution"));
    // NotAction names exactly the removed actions (compacted).
    let catalog = Catalog::embedded();
    let mut exp = Expander::new(catalog);
    let mut not = ActionSet::new_empty(catalog);
    for p in &sts[0].action.patterns {
        not.union_with(&exp.expand(p).actions);
    }
    let names: BTreeSet<String> = not
        .iter()
        .map(|id| catalog.action(id).full_name())
        .collect();
    assert_eq!(names, removed.iter().map(|r| r.to_string()).collect());
}

#[test]
fn compaction_uses_a_wildcard_only_where_it_expands_to_exactly_the_kept_actions() {
    let catalog = Catalog::embedded();
    let mut exp = Expander::new(catalog);
    for pattern in ["ec2:Describe*", "s3:Get*", "athena:*", "iam:List*", "sqs:*"] {
        let full = exp.expand(pattern).actions.clone();
        // Everything, a part, and a single action of each pattern.
        let mut part = ActionSet::new_empty(catalog);
        for id in full.iter().step_by(2) {
            part.insert(id);
        }
        let mut one = ActionSet::new_empty(catalog);
        one.insert(full.iter().next().unwrap());
        for set in [&full, &part, &one] {
            let patterns = compact(set, catalog, &mut exp);
            let mut back = ActionSet::new_empty(catalog);
            for p in &patterns {
                let e = exp.expand(p);
                assert!(!e.actions.is_empty(), "{p}");
                if p.contains('*') {
                    assert!(
                        e.actions.is_subset(set),
                        "{p} reaches beyond the kept actions"
                    );
                }
                back.union_with(&e.actions);
            }
            assert_eq!(&back, set, "{pattern}: {patterns:?}");
            // No literal is also covered by a wildcard next to it.
            for literal in patterns.iter().filter(|p| !p.contains('*')) {
                let id = catalog.action_id(literal).unwrap();
                assert!(
                    !patterns
                        .iter()
                        .filter(|p| p.contains('*'))
                        .any(|p| exp.expand(p).actions.contains(id)),
                    "{literal} is redundant in {patterns:?}"
                );
            }
        }
    }
}

#[test]
fn oversized_rewrites_are_split_under_the_managed_policy_limit_and_say_so() {
    let snap = rules_account();
    let (_, all) = run(&snap, &SuggestOptions::default());
    let s = for_user(&all, "big");
    let policy = arn("policy", "ec2-read");
    let parts: Vec<&SuggestedPolicy> = s
        .suggested_policies
        .iter()
        .filter(|sp| sp.replaces == policy)
        .collect();
    assert!(
        parts.len() > 1,
        "ec2:* minus every other action should not fit one policy"
    );
    for sp in &parts {
        assert!(
            size(&sp.document) <= MANAGED_POLICY_LIMIT,
            "{} is {}",
            sp.name,
            size(&sp.document)
        );
        let sids: Vec<_> = sp
            .document
            .statements
            .iter()
            .filter_map(|st| st.sid.as_ref())
            .collect();
        let unique: BTreeSet<_> = sids.iter().collect();
        assert_eq!(unique.len(), sids.len(), "Sids must stay unique");
    }
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("split into") && n.contains(&policy))
    );
    let removed: BTreeSet<String> = s.removed.iter().map(|r| r.permission.clone()).collect();
    assert_eq!(removed, every_other_ec2_action().into_iter().collect());
    // The statement was cut in parts with unique Sids, across the policies.
    let sids: BTreeSet<&str> = parts
        .iter()
        .flat_map(|sp| &sp.document.statements)
        .filter_map(|st| st.sid.as_deref())
        .collect();
    assert!(sids.len() > 1 && sids.iter().all(|sid| sid.starts_with("Ec2")));
}

#[test]
fn inline_policies_over_the_role_total_become_managed_policies_and_say_so() {
    let (_, all) = run(&rules_account(), &SuggestOptions::default());
    let s = all
        .iter()
        .find(|s| s.principal == arn("role", "wide"))
        .unwrap();
    let snap = rules_account();
    let account = Account::new(&snap);
    let role = account.by_arn(&arn("role", "wide")).unwrap();
    let replaced: BTreeSet<&str> = s
        .suggested_policies
        .iter()
        .map(|sp| sp.replaces.as_str())
        .collect();
    let unchanged: usize = role
        .grants
        .iter()
        .filter(|g| !replaced.contains(g.id.as_str()))
        .filter_map(|g| g.policy)
        .map(size)
        .sum();
    let inline: usize = s
        .suggested_policies
        .iter()
        .filter(|sp| sp.kind == "inline")
        .map(|sp| size(&sp.document))
        .sum();
    assert!(unchanged + inline <= ROLE_INLINE_LIMIT);
    let ec2 = format!("inline:{}:ec2-all", arn("role", "wide"));
    let managed: Vec<&SuggestedPolicy> = s
        .suggested_policies
        .iter()
        .filter(|sp| sp.replaces == ec2)
        .collect();
    assert!(!managed.is_empty() && managed.iter().all(|sp| sp.kind == "managed"));
    assert!(
        managed
            .iter()
            .all(|sp| size(&sp.document) <= MANAGED_POLICY_LIMIT)
    );
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains(&ec2) && n.contains("managed policy instead"))
    );
}
