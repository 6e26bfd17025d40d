//! AWS Organizations, where readable: the organisation, the account's parents up to the
//! root, and the SCPs and RCPs attached along that path. Not being in an organisation is a
//! fact (`None`); a member account that may not read the policies gets a recorded error.

use std::collections::BTreeMap;

use aws_sdk_organizations::types as t;
use iam_model::snapshot::{
    OrgParent, OrgPolicy, OrgPolicySummary, Organization, OrganizationsSection, PolicyDocument,
};

use super::Clients;
use super::ctx::{Ctx, Got};
use super::os;

/// A parent chain longer than this is a loop in a broken answer, not an organisation (AWS
/// allows five levels of OUs).
const MAX_DEPTH: usize = 10;

/// Collects the organisation section.
pub async fn collect(ctx: &Ctx, c: &Clients, account_id: &str) -> Option<OrganizationsSection> {
    let org = c.organizations.clone();
    let out = ctx
        .call(
            None,
            &["AWSOrganizationsNotInUseException"],
            org.describe_organization(),
        )
        .await
        .value()?;
    let organization = out.organization().map(|o| Organization {
        id: os(o.id()),
        arn: os(o.arn()),
        feature_set: o.feature_set().map(|f| f.as_str().to_string()),
        master_account_id: os(o.master_account_id()),
    });
    let mut section = OrganizationsSection {
        organization,
        ..OrganizationsSection::default()
    };
    // The account's ancestry.
    let mut child = account_id.to_string();
    for _ in 0..MAX_DEPTH {
        let Got::Value(p) = ctx
            .call(None, &[], org.list_parents().child_id(&child))
            .await
        else {
            break;
        };
        let Some(parent) = p.parents().first() else {
            break;
        };
        let id = parent.id().unwrap_or_default().to_string();
        let kind = parent
            .r#type()
            .map(|x| x.as_str().to_string())
            .unwrap_or_default();
        section.parents.push(OrgParent {
            id: id.clone(),
            parent_type: kind.clone(),
        });
        if kind == "ROOT" || id.is_empty() {
            break;
        }
        child = id;
    }
    // The control policies along the path.
    let targets: Vec<String> = std::iter::once(account_id.to_string())
        .chain(section.parents.iter().map(|p| p.id.clone()))
        .collect();
    let mut attached: BTreeMap<String, (t::PolicySummary, Vec<String>)> = BTreeMap::new();
    for target in &targets {
        for filter in [
            t::PolicyType::ServiceControlPolicy,
            t::PolicyType::ResourceControlPolicy,
        ] {
            let Got::Value(pages) = ctx
                .pages(
                    None,
                    // An organisation without RCPs enabled answers this for the RCP filter.
                    &["PolicyTypeNotEnabledException"],
                    org.list_policies_for_target()
                        .target_id(target)
                        .filter(filter),
                )
                .await
            else {
                continue;
            };
            for p in pages.iter().flat_map(|p| p.policies()) {
                let Some(id) = p.id() else { continue };
                attached
                    .entry(id.to_string())
                    .or_insert_with(|| (p.clone(), Vec::new()))
                    .1
                    .push(target.clone());
            }
        }
    }
    for (id, (summary, targets)) in attached {
        let content = ctx
            .call(None, &[], org.describe_policy().policy_id(&id))
            .await
            .value()
            .and_then(|d| {
                d.policy()
                    .and_then(|p| p.content().map(PolicyDocument::from_text))
            });
        section.policies.push(OrgPolicy {
            policy_summary: OrgPolicySummary {
                id,
                arn: os(summary.arn()),
                name: os(summary.name()),
                policy_type: summary.r#type().map(|x| x.as_str().to_string()),
                aws_managed: Some(summary.aws_managed()),
            },
            content,
            targets,
        });
    }
    Some(section)
}
