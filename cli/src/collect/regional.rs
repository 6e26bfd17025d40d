//! Regional runtime sections: EC2, CloudTrail, KMS and Access Analyzer, in every enabled
//! region (or the `--region` list).

use std::collections::BTreeMap;

use aws_sdk_ec2::types as ec2t;
use futures_util::future::join_all;
use iam_model::snapshot::{
    AccessAnalyzerSection, Analyzer, AnalyzerConfiguration, AnalyzerFinding, CloudTrailSection,
    EbsSnapshot, Ec2Section, FindingDetails, GroupIdentifier, IamInstanceProfileRef, Image,
    Instance, InstanceState, IpPermission, IpRange, Ipv6Range, KeyMetadata, KmsKey, KmsSection,
    KmsTag, MetadataOptions, PolicyDocument, PrefixListId, RegionSection, SecurityGroup, Tag,
    Trail, TrailStatus, UnusedAccessConfiguration, UnusedAction, UnusedIamRoleDetails,
    UnusedIamUserAccessKeyDetails, UnusedIamUserPasswordDetails, UnusedPermissionDetails,
    UserIdGroupPair, Volume, VolumeAttachment,
};

use super::ctx::{Ctx, Got};
use super::{Clients, Settings, os, ots, ts};

/// The regions to scan: `--region`, else DescribeRegions (enabled regions), else the home
/// region when that fails (recorded).
pub async fn regions(ctx: &Ctx, c: &Clients, settings: &Settings) -> Vec<String> {
    if !settings.regions.is_empty() {
        return settings.regions.clone();
    }
    let home = c.home_region.clone();
    match ctx
        .call(
            Some(&home),
            &[],
            c.ec2(&home).describe_regions().all_regions(false),
        )
        .await
    {
        Got::Value(out) => {
            let mut v: Vec<String> = out
                .regions()
                .iter()
                .filter_map(|r| r.region_name().map(str::to_string))
                .collect();
            v.sort();
            v.dedup();
            if v.is_empty() { vec![home] } else { v }
        }
        _ => vec![home],
    }
}

/// Collects every region.
pub async fn collect_all(
    ctx: &Ctx,
    c: &Clients,
    regions: &[String],
) -> BTreeMap<String, RegionSection> {
    let phase = ctx.progress.phase("regions", regions.len() as u64);
    let sections = join_all(regions.iter().map(|r| async {
        let s = region(ctx, c, r).await;
        phase.inc();
        (r.clone(), s)
    }))
    .await;
    phase.done();
    let mut out: BTreeMap<String, RegionSection> = sections.into_iter().collect();
    foreign_trails(ctx, c, &mut out).await;
    share_trail_status(&mut out);
    out
}

/// Multi-region (and organization) trails whose home region is not scanned show up in the
/// scanned ones as shadow copies: their status and tags can only be read in the home region,
/// so they are read there (a failure names the trail, in the home region, and leaves the
/// status or tags unknown) and put on every copy.
pub(super) async fn foreign_trails(
    ctx: &Ctx,
    c: &Clients,
    regions: &mut BTreeMap<String, RegionSection>,
) {
    // Home region -> the trails homed there, once each.
    let mut by_home: BTreeMap<String, BTreeMap<String, Trail>> = BTreeMap::new();
    for ct in regions.values().filter_map(|r| r.cloudtrail.as_ref()) {
        for t in &ct.trails {
            if let Some(home) = t.home_region.as_deref()
                && !regions.contains_key(home)
            {
                by_home
                    .entry(home.to_string())
                    .or_default()
                    .insert(t.trail_arn.clone(), t.clone());
            }
        }
    }
    let read = join_all(by_home.iter().map(|(home, trails)| async move {
        let client = c.cloudtrail(home);
        let trails: Vec<&Trail> = trails.values().collect();
        tokio::join!(
            trail_tags(ctx, &client, home, &trails),
            trail_statuses(ctx, &client, home, &trails),
        )
    }))
    .await;
    let mut tags: BTreeMap<String, Vec<Tag>> = BTreeMap::new();
    let mut statuses: BTreeMap<String, TrailStatus> = BTreeMap::new();
    for (t, s) in read {
        tags.extend(t);
        statuses.extend(s);
    }
    for ct in regions.values_mut().filter_map(|r| r.cloudtrail.as_mut()) {
        for t in &mut ct.trails {
            if let Some(found) = tags.get(&t.trail_arn) {
                t.tags = Some(found.clone());
            }
            if let Some(s) = statuses.get(&t.trail_arn) {
                ct.trail_status.insert(t.trail_arn.clone(), s.clone());
            }
        }
    }
}

/// A multi-region trail shows up in every region; its status is read once, in its home
/// region, and copied to the others.
fn share_trail_status(regions: &mut BTreeMap<String, RegionSection>) {
    let known: BTreeMap<String, TrailStatus> = regions
        .values()
        .filter_map(|r| r.cloudtrail.as_ref())
        .flat_map(|ct| ct.trail_status.clone())
        .collect();
    for ct in regions.values_mut().filter_map(|r| r.cloudtrail.as_mut()) {
        for t in &ct.trails {
            if !ct.trail_status.contains_key(&t.trail_arn)
                && let Some(s) = known.get(&t.trail_arn)
            {
                ct.trail_status.insert(t.trail_arn.clone(), s.clone());
            }
        }
    }
}

async fn region(ctx: &Ctx, c: &Clients, region: &str) -> RegionSection {
    let (ec2, cloudtrail, kms, access_analyzer) = tokio::join!(
        ec2(ctx, c, region),
        cloudtrail(ctx, c, region),
        kms(ctx, c, region),
        access_analyzer(ctx, c, region),
    );
    RegionSection {
        ec2,
        cloudtrail,
        kms,
        access_analyzer,
    }
}

fn ec2_tags(tags: &[ec2t::Tag]) -> Vec<Tag> {
    tags.iter()
        .map(|t| Tag {
            key: t.key().unwrap_or_default().to_string(),
            value: t.value().unwrap_or_default().to_string(),
        })
        .collect()
}

/// EC2: security groups, instances, volumes, owned snapshots and AMIs, EBS default
/// encryption. `None` only when every call failed.
pub(super) async fn ec2(ctx: &Ctx, c: &Clients, region: &str) -> Option<Ec2Section> {
    let client = c.ec2(region);
    let r = Some(region);
    let (sgs, reservations, volumes, snapshots, images, ebs) = tokio::join!(
        ctx.pages(r, &[], client.describe_security_groups()),
        ctx.pages(r, &[], client.describe_instances()),
        ctx.pages(r, &[], client.describe_volumes()),
        ctx.pages(r, &[], client.describe_snapshots().owner_ids("self")),
        ctx.call(r, &[], client.describe_images().owners("self")),
        ctx.call(r, &[], client.get_ebs_encryption_by_default()),
    );
    let all_failed = matches!(
        (&sgs, &reservations, &volumes, &snapshots, &images, &ebs),
        (
            Got::Failed,
            Got::Failed,
            Got::Failed,
            Got::Failed,
            Got::Failed,
            Got::Failed
        )
    );
    if all_failed {
        return None;
    }
    let security_groups = sgs
        .value()
        .unwrap_or_default()
        .iter()
        .flat_map(|p| p.security_groups())
        .map(security_group)
        .collect();
    let instances = reservations
        .value()
        .unwrap_or_default()
        .iter()
        .flat_map(|p| p.reservations())
        .flat_map(|r| r.instances())
        .map(instance)
        .collect();
    let volumes = volumes
        .value()
        .unwrap_or_default()
        .iter()
        .flat_map(|p| p.volumes())
        .map(volume)
        .collect();
    let owned: Vec<ec2t::Snapshot> = snapshots
        .value()
        .unwrap_or_default()
        .into_iter()
        .flat_map(|p| p.snapshots.unwrap_or_default())
        .collect();
    let snapshots = join_all(owned.iter().map(|s| ebs_snapshot(ctx, &client, region, s))).await;
    let images = images
        .value()
        .map(|o| {
            o.images()
                .iter()
                .map(|i| Image {
                    image_id: i.image_id().unwrap_or_default().to_string(),
                    name: os(i.name()),
                    public: i.public(),
                    tags: ec2_tags(i.tags()),
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Ec2Section {
        security_groups,
        instances,
        volumes,
        snapshots,
        images,
        ebs_encryption_by_default: ebs.value().and_then(|o| o.ebs_encryption_by_default()),
    })
}

async fn ebs_snapshot(
    ctx: &Ctx,
    client: &aws_sdk_ec2::Client,
    region: &str,
    s: &ec2t::Snapshot,
) -> EbsSnapshot {
    let id = s.snapshot_id().unwrap_or_default();
    // A failure leaves `Public` unknown (and names the snapshot in the gap): never "private".
    let attr = ctx
        .call_about(
            Some(region),
            &format!("snapshot `{id}`"),
            &[],
            client
                .describe_snapshot_attribute()
                .snapshot_id(id)
                .attribute(ec2t::SnapshotAttributeName::CreateVolumePermission),
        )
        .await
        .value();
    EbsSnapshot {
        snapshot_id: id.to_string(),
        volume_id: os(s.volume_id()),
        encrypted: s.encrypted().unwrap_or(false),
        public: attr.map(|a| {
            a.create_volume_permissions()
                .iter()
                .any(|p| p.group() == Some(&ec2t::PermissionGroup::All))
        }),
        start_time: ots(s.start_time()),
        tags: ec2_tags(s.tags()),
    }
}

fn permission(p: &ec2t::IpPermission) -> IpPermission {
    IpPermission {
        ip_protocol: p.ip_protocol().unwrap_or("-1").to_string(),
        from_port: p.from_port().map(i64::from),
        to_port: p.to_port().map(i64::from),
        ip_ranges: p
            .ip_ranges()
            .iter()
            .filter_map(|r| {
                Some(IpRange {
                    cidr_ip: r.cidr_ip()?.to_string(),
                    description: os(r.description()),
                })
            })
            .collect(),
        ipv6_ranges: p
            .ipv6_ranges()
            .iter()
            .filter_map(|r| {
                Some(Ipv6Range {
                    cidr_ipv6: r.cidr_ipv6()?.to_string(),
                    description: os(r.description()),
                })
            })
            .collect(),
        user_id_group_pairs: p
            .user_id_group_pairs()
            .iter()
            .map(|g| UserIdGroupPair {
                group_id: os(g.group_id()),
                user_id: os(g.user_id()),
            })
            .collect(),
        prefix_list_ids: p
            .prefix_list_ids()
            .iter()
            .filter_map(|x| {
                Some(PrefixListId {
                    prefix_list_id: x.prefix_list_id()?.to_string(),
                })
            })
            .collect(),
    }
}

fn security_group(g: &ec2t::SecurityGroup) -> SecurityGroup {
    SecurityGroup {
        group_id: g.group_id().unwrap_or_default().to_string(),
        group_name: g.group_name().unwrap_or_default().to_string(),
        description: os(g.description()),
        vpc_id: os(g.vpc_id()),
        owner_id: os(g.owner_id()),
        ip_permissions: g.ip_permissions().iter().map(permission).collect(),
        ip_permissions_egress: g.ip_permissions_egress().iter().map(permission).collect(),
        tags: ec2_tags(g.tags()),
    }
}

fn instance(i: &ec2t::Instance) -> Instance {
    Instance {
        instance_id: i.instance_id().unwrap_or_default().to_string(),
        instance_type: i.instance_type().map(|x| x.as_str().to_string()),
        state: i.state().and_then(|s| {
            Some(InstanceState {
                name: s.name()?.as_str().to_string(),
            })
        }),
        public_ip_address: os(i.public_ip_address()),
        private_ip_address: os(i.private_ip_address()),
        iam_instance_profile: i.iam_instance_profile().and_then(|p| {
            Some(IamInstanceProfileRef {
                arn: p.arn()?.to_string(),
                id: os(p.id()),
            })
        }),
        metadata_options: i.metadata_options().map(|m| MetadataOptions {
            http_tokens: m.http_tokens().map(|x| x.as_str().to_string()),
            http_endpoint: m.http_endpoint().map(|x| x.as_str().to_string()),
        }),
        security_groups: i
            .security_groups()
            .iter()
            .map(|g| GroupIdentifier {
                group_id: g.group_id().unwrap_or_default().to_string(),
                group_name: os(g.group_name()),
            })
            .collect(),
        launch_time: ots(i.launch_time()),
        vpc_id: os(i.vpc_id()),
        tags: ec2_tags(i.tags()),
    }
}

fn volume(v: &ec2t::Volume) -> Volume {
    Volume {
        volume_id: v.volume_id().unwrap_or_default().to_string(),
        encrypted: v.encrypted().unwrap_or(false),
        kms_key_id: os(v.kms_key_id()),
        size: v.size().map(i64::from),
        state: v.state().map(|s| s.as_str().to_string()),
        attachments: v
            .attachments()
            .iter()
            .map(|a| VolumeAttachment {
                instance_id: os(a.instance_id()),
            })
            .collect(),
        tags: ec2_tags(v.tags()),
    }
}

/// CloudTrail: the trails visible in the region, and the status of those whose home it is.
async fn cloudtrail(ctx: &Ctx, c: &Clients, region: &str) -> Option<CloudTrailSection> {
    let client = c.cloudtrail(region);
    let out = ctx
        .call(Some(region), &[], client.describe_trails())
        .await
        .value()?;
    let trails: Vec<Trail> = out
        .trail_list()
        .iter()
        .map(|t| Trail {
            name: t.name().unwrap_or_default().to_string(),
            trail_arn: t.trail_arn().unwrap_or_default().to_string(),
            home_region: os(t.home_region()),
            is_multi_region_trail: t.is_multi_region_trail().unwrap_or(false),
            is_organization_trail: t.is_organization_trail().unwrap_or(false),
            include_global_service_events: t.include_global_service_events().unwrap_or(false),
            log_file_validation_enabled: t.log_file_validation_enabled().unwrap_or(false),
            kms_key_id: os(t.kms_key_id()),
            s3_bucket_name: os(t.s3_bucket_name()),
            cloud_watch_logs_log_group_arn: os(t.cloud_watch_logs_log_group_arn()),
            tags: None,
        })
        .collect();
    let home: Vec<&Trail> = trails
        .iter()
        .filter(|t| t.home_region.as_deref().is_none_or(|h| h == region))
        .collect();
    let (tags, trail_status) = tokio::join!(
        trail_tags(ctx, &client, region, &home),
        trail_statuses(ctx, &client, region, &home),
    );
    let mut trails = trails;
    for t in &mut trails {
        t.tags = tags.get(&t.trail_arn).cloned();
    }
    Some(CloudTrailSection {
        trail_status,
        trails,
    })
}

/// GetTrailStatus for trails homed in `region` (the call must be made there), by ARN; a
/// failure names the trail and leaves its status unknown.
async fn trail_statuses(
    ctx: &Ctx,
    client: &aws_sdk_cloudtrail::Client,
    region: &str,
    home: &[&Trail],
) -> BTreeMap<String, TrailStatus> {
    join_all(home.iter().map(|t| async {
        let s = ctx
            .call_about(
                Some(region),
                &format!("trail `{}`", t.trail_arn),
                &[],
                client.get_trail_status().name(&t.trail_arn),
            )
            .await
            .value()?;
        Some((
            t.trail_arn.clone(),
            TrailStatus {
                is_logging: s.is_logging().unwrap_or(false),
                latest_delivery_time: ots(s.latest_delivery_time()),
            },
        ))
    }))
    .await
    .into_iter()
    .flatten()
    .collect()
}

/// ListTags for the trails whose home is `region` (ListTags must be called there), 20 ARNs per
/// call as the API allows, every page. A failed call leaves its trails' tags unknown.
async fn trail_tags(
    ctx: &Ctx,
    client: &aws_sdk_cloudtrail::Client,
    region: &str,
    home: &[&Trail],
) -> BTreeMap<String, Vec<Tag>> {
    let batches = join_all(home.chunks(20).map(|batch| async move {
        let arns: Vec<String> = batch.iter().map(|t| t.trail_arn.clone()).collect();
        let about = arns
            .iter()
            .map(|a| format!("trail `{a}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let pages = ctx
            .pages_about(
                Some(region),
                &about,
                &[],
                client.list_tags().set_resource_id_list(Some(arns.clone())),
            )
            .await
            .value()?;
        // Every trail asked about has a (possibly empty) tag list once the call succeeded.
        let mut out: BTreeMap<String, Vec<Tag>> =
            arns.into_iter().map(|a| (a, Vec::new())).collect();
        for r in pages.iter().flat_map(|p| p.resource_tag_list()) {
            let Some(list) = r.resource_id().and_then(|id| out.get_mut(id)) else {
                continue;
            };
            list.extend(r.tags_list().iter().map(|t| Tag {
                key: t.key().to_string(),
                value: t.value().unwrap_or_default().to_string(),
            }));
        }
        Some(out)
    }))
    .await;
    batches.into_iter().flatten().flatten().collect()
}

/// KMS: customer managed keys with metadata, rotation status, tags and key policy. AWS
/// managed keys are skipped: their owner cannot change them.
pub(super) async fn kms(ctx: &Ctx, c: &Clients, region: &str) -> Option<KmsSection> {
    let client = c.kms(region);
    let r = Some(region);
    let pages = ctx.pages(r, &[], client.list_keys()).await.value()?;
    let ids: Vec<String> = pages
        .iter()
        .flat_map(|p| p.keys())
        .filter_map(|k| k.key_id().map(str::to_string))
        .collect();
    let client = &client;
    let keys = join_all(ids.iter().map(|id| async move {
        let about = format!("key `{id}`");
        let about = about.as_str();
        let meta = ctx
            .call_about(r, about, &[], client.describe_key().key_id(id))
            .await
            .value()?;
        let m = meta.key_metadata()?;
        if m.key_manager() != Some(&aws_sdk_kms::types::KeyManagerType::Customer) {
            return None;
        }
        let (rotation, tags, policy) = tokio::join!(
            ctx.call_about(
                r,
                about,
                &["UnsupportedOperationException"],
                client.get_key_rotation_status().key_id(id)
            ),
            ctx.call_about(r, about, &[], client.list_resource_tags().key_id(id)),
            ctx.call_about(
                r,
                about,
                &[],
                client.get_key_policy().key_id(id).policy_name("default")
            ),
        );
        Some(KmsKey {
            key_metadata: KeyMetadata {
                key_id: m.key_id().to_string(),
                arn: m.arn().unwrap_or_default().to_string(),
                key_manager: m.key_manager().map(|x| x.as_str().to_string()),
                key_state: m.key_state().map(|x| x.as_str().to_string()),
                key_spec: m.key_spec().map(|x| x.as_str().to_string()),
                origin: m.origin().map(|x| x.as_str().to_string()),
                creation_date: ots(m.creation_date()),
            },
            key_rotation_enabled: rotation.value().map(|o| o.key_rotation_enabled()),
            // A failure leaves the tags unknown, not "none".
            tags: tags.value().map(|o| {
                o.tags()
                    .iter()
                    .map(|t| KmsTag {
                        tag_key: t.tag_key().to_string(),
                        tag_value: t.tag_value().to_string(),
                    })
                    .collect()
            }),
            policy: policy
                .value()
                .and_then(|o| o.policy().map(PolicyDocument::from_text)),
        })
    }))
    .await;
    Some(KmsSection {
        keys: keys.into_iter().flatten().collect(),
    })
}

/// Access Analyzer: the analyzers and the active findings of each active one.
pub(super) async fn access_analyzer(
    ctx: &Ctx,
    c: &Clients,
    region: &str,
) -> Option<AccessAnalyzerSection> {
    let client = c.access_analyzer(region);
    let r = Some(region);
    let pages = ctx.pages(r, &[], client.list_analyzers()).await.value()?;
    let analyzers: Vec<Analyzer> = pages
        .iter()
        .flat_map(|p| p.analyzers())
        .map(|a| Analyzer {
            arn: a.arn().to_string(),
            name: a.name().to_string(),
            analyzer_type: a.r#type().as_str().to_string(),
            status: Some(a.status().as_str().to_string()),
            configuration: a
                .configuration()
                .and_then(|c| c.as_unused_access().ok())
                .map(|u| AnalyzerConfiguration {
                    unused_access: Some(UnusedAccessConfiguration {
                        unused_access_age: u.unused_access_age().map(i64::from),
                    }),
                }),
        })
        .collect();
    let active = analyzers
        .iter()
        .filter(|a| a.status.as_deref() == Some("ACTIVE"));
    let findings = join_all(active.map(|a| async {
        let pages = ctx
            .pages(
                r,
                &[],
                client.list_findings_v2().analyzer_arn(&a.arn).filter(
                    "status",
                    aws_sdk_accessanalyzer::types::Criterion::builder()
                        .eq("ACTIVE")
                        .build(),
                ),
            )
            .await
            .value()
            .unwrap_or_default();
        let summaries = pages
            .iter()
            .flat_map(|p| p.findings())
            .map(|f| AnalyzerFinding {
                id: f.id().to_string(),
                resource: os(f.resource()),
                resource_type: Some(f.resource_type().as_str().to_string()),
                finding_type: f.finding_type().map(|x| x.as_str().to_string()),
                status: Some(f.status().as_str().to_string()),
                created_at: Some(ts(f.created_at())),
                analyzed_at: Some(ts(f.analyzed_at())),
                updated_at: Some(ts(f.updated_at())),
                resource_owner_account: Some(f.resource_owner_account().to_string())
                    .filter(|x| !x.is_empty()),
                analyzer_arn: Some(a.arn.clone()),
                finding_details: Vec::new(),
            })
            .collect::<Vec<_>>();
        // Only unused-access findings carry details iamsight reads (which actions, which key,
        // last use): one GetFindingV2 (all pages) each; external-access findings need none.
        if !a.is_unused_access() {
            return summaries;
        }
        join_all(
            summaries
                .into_iter()
                .map(|f| finding_details(ctx, &client, region, f)),
        )
        .await
    }))
    .await;
    Some(AccessAnalyzerSection {
        analyzers,
        findings: findings.into_iter().flatten().collect(),
    })
}

/// An unused-access finding with its GetFindingV2 `findingDetails` (all pages). A failed call
/// is recorded as a gap naming the finding; the summary is kept without details.
async fn finding_details(
    ctx: &Ctx,
    client: &aws_sdk_accessanalyzer::Client,
    region: &str,
    mut f: AnalyzerFinding,
) -> AnalyzerFinding {
    let Some(analyzer) = f.analyzer_arn.clone() else {
        return f;
    };
    let subject = format!(
        "finding {} ({})",
        f.id,
        f.resource.as_deref().unwrap_or("no resource")
    );
    let pages = ctx
        .pages_about(
            Some(region),
            &subject,
            &[],
            client.get_finding_v2().analyzer_arn(analyzer).id(&f.id),
        )
        .await
        .value();
    let Some(pages) = pages else { return f };
    f.finding_details = pages
        .iter()
        .flat_map(|p| p.finding_details())
        .filter_map(finding_detail)
        .collect();
    f
}

/// One `FindingDetails` union member in the snapshot's shape; external- and internal-access
/// members (and members newer than this SDK) are not read.
fn finding_detail(d: &aws_sdk_accessanalyzer::types::FindingDetails) -> Option<FindingDetails> {
    let mut out = FindingDetails::default();
    if let Ok(r) = d.as_unused_iam_role_details() {
        out.unused_iam_role_details = Some(UnusedIamRoleDetails {
            last_accessed: ots(r.last_accessed()),
        });
    } else if let Ok(k) = d.as_unused_iam_user_access_key_details() {
        out.unused_iam_user_access_key_details = Some(UnusedIamUserAccessKeyDetails {
            access_key_id: k.access_key_id().to_string(),
            last_accessed: ots(k.last_accessed()),
        });
    } else if let Ok(p) = d.as_unused_iam_user_password_details() {
        out.unused_iam_user_password_details = Some(UnusedIamUserPasswordDetails {
            last_accessed: ots(p.last_accessed()),
        });
    } else if let Ok(p) = d.as_unused_permission_details() {
        out.unused_permission_details = Some(UnusedPermissionDetails {
            service_namespace: p.service_namespace().to_string(),
            actions: p
                .actions()
                .iter()
                .map(|a| UnusedAction {
                    action: a.action().to_string(),
                    last_accessed: ots(a.last_accessed()),
                })
                .collect(),
            last_accessed: ots(p.last_accessed()),
        });
    } else {
        return None;
    }
    Some(out)
}
