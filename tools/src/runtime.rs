//! Runtime sections of the synthetic account: EC2 (security groups, instances with instance
//! profiles, volumes, snapshots, images), S3 buckets, CloudTrail, KMS and Access Analyzer.
//! A small fraction of everything is deliberately bad; the first of each bad kind is
//! guaranteed so the runtime checks always have something to find.

use std::collections::BTreeMap;

use iam_model::Timestamp;
use iam_model::snapshot::*;
use serde_json::json;

use crate::account::{NOW, Params};
use crate::policies::{OFFICE_CIDRS, uuid};
use crate::rng::Rng;

const DAY: i64 = 86_400;
const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "us-west-2"];
const WEIGHTS: &[(u32, usize)] = &[(60, 0), (25, 1), (15, 2)];

fn tag(k: &str, v: &str) -> Tag {
    Tag {
        key: k.to_string(),
        value: v.to_string(),
    }
}

fn ago(r: &mut Rng, lo: i64, hi: i64) -> Timestamp {
    let d = r.range(lo, hi);
    Timestamp(NOW.0 - d * DAY - r.below(DAY as u64) as i64)
}

fn owner_tags(r: &mut Rng, name: &str, team: &str, p: f64) -> Vec<Tag> {
    let mut t = vec![tag("Name", name)];
    if r.chance(p) {
        t.push(tag("owner", &format!("{team}-team")));
    }
    t
}

fn rule(proto: &str, ports: Option<(i64, i64)>, cidrs: &[&str], v6: bool) -> IpPermission {
    IpPermission {
        ip_protocol: proto.to_string(),
        from_port: ports.map(|p| p.0),
        to_port: ports.map(|p| p.1),
        ip_ranges: cidrs
            .iter()
            .map(|c| IpRange {
                cidr_ip: c.to_string(),
                description: None,
            })
            .collect(),
        ipv6_ranges: if v6 {
            vec![Ipv6Range {
                cidr_ipv6: "::/0".to_string(),
                description: None,
            }]
        } else {
            Vec::new()
        },
        user_id_group_pairs: Vec::new(),
        prefix_list_ids: Vec::new(),
    }
}

fn from_group(proto: &str, port: i64, group: &str, acct: &str) -> IpPermission {
    IpPermission {
        ip_protocol: proto.to_string(),
        from_port: Some(port),
        to_port: Some(port),
        ip_ranges: Vec::new(),
        ipv6_ranges: Vec::new(),
        user_id_group_pairs: vec![UserIdGroupPair {
            group_id: Some(group.to_string()),
            user_id: Some(acct.to_string()),
        }],
        prefix_list_ids: Vec::new(),
    }
}

/// The regional sections and S3.
pub(crate) fn generate(
    r: &mut Rng,
    acct: &str,
    roles: &[RoleDetail],
    p: &Params,
) -> (BTreeMap<String, RegionSection>, S3Section) {
    let teams = [
        "payments", "platform", "data", "web", "search", "identity", "ml", "sre",
    ];
    let apps = ["api", "worker", "etl", "gateway", "db", "cache", "search"];
    let mut ec2: Vec<Ec2Section> = (0..REGIONS.len())
        .map(|i| Ec2Section {
            ebs_encryption_by_default: Some(i == 0),
            ..Ec2Section::default()
        })
        .collect();
    let vpcs: Vec<String> = REGIONS
        .iter()
        .map(|_| format!("vpc-{}", r.hex(17)))
        .collect();
    let egress = || vec![rule("-1", None, &["0.0.0.0/0"], false)];

    // Security groups: each VPC's default group (which allows traffic among its members, as
    // AWS creates it), then application groups.
    let mut sg_ids: Vec<Vec<String>> = vec![Vec::new(); REGIONS.len()];
    for (i, sec) in ec2.iter_mut().enumerate() {
        let id = format!("sg-{}", r.hex(17));
        sec.security_groups.push(SecurityGroup {
            group_id: id.clone(),
            group_name: "default".to_string(),
            description: Some("default VPC security group".to_string()),
            vpc_id: Some(vpcs[i].clone()),
            owner_id: Some(acct.to_string()),
            ip_permissions: vec![IpPermission {
                user_id_group_pairs: vec![UserIdGroupPair {
                    group_id: Some(id.clone()),
                    user_id: Some(acct.to_string()),
                }],
                ..rule("-1", None, &[], false)
            }],
            ip_permissions_egress: egress(),
            tags: Vec::new(),
        });
    }
    let groups = (p.roles / 12).max(8);
    for k in 0..groups {
        let ri = *r.weighted(WEIGHTS);
        let team = *r.pick(&teams);
        let app = *r.pick(&apps);
        let id = format!("sg-{}", r.hex(17));
        let peer = sg_ids[ri].last().cloned();
        let (name, desc, perms) = match (k, r.below(100)) {
            // Guaranteed bad ones first, then a small fraction.
            (0, _) | (8.., 0..=1) => (
                format!("{team}-bastion"),
                "SSH to the bastion - TODO restrict",
                vec![rule("tcp", Some((22, 22)), &["0.0.0.0/0"], false)],
            ),
            (1, _) | (8.., 2) => (
                format!("{team}-{app}-db"),
                "database (vendor migration)",
                vec![rule(
                    "tcp",
                    Some((5432, 5432)),
                    &["10.0.0.0/8", "0.0.0.0/0"],
                    false,
                )],
            ),
            (2, _) | (8.., 3) => (
                format!("{team}-windows-jump"),
                "RDP",
                vec![rule("tcp", Some((3389, 3389)), &["0.0.0.0/0"], false)],
            ),
            (3, _) => (
                "debug-temp".to_string(),
                "temporary debugging",
                vec![rule("-1", None, &["0.0.0.0/0"], false)],
            ),
            (_, 4..=30) => (
                format!("{team}-{app}-alb"),
                "public HTTPS",
                vec![
                    rule("tcp", Some((443, 443)), &["0.0.0.0/0"], true),
                    rule("tcp", Some((80, 80)), &["0.0.0.0/0"], true),
                ],
            ),
            (_, 31..=45) => (
                format!("{team}-ssh-office"),
                "SSH from the offices",
                vec![rule("tcp", Some((22, 22)), OFFICE_CIDRS, false)],
            ),
            _ => (
                format!("{team}-{app}-app"),
                "application tier",
                match &peer {
                    Some(g) => vec![from_group("tcp", 8080, g, acct)],
                    None => vec![rule("tcp", Some((8080, 8080)), &["10.0.0.0/8"], false)],
                },
            ),
        };
        sg_ids[ri].push(id.clone());
        let tags = owner_tags(r, &name, team, 0.8);
        ec2[ri].security_groups.push(SecurityGroup {
            group_id: id,
            group_name: format!("{name}-{k}"),
            description: Some(desc.to_string()),
            vpc_id: Some(vpcs[ri].clone()),
            owner_id: Some(acct.to_string()),
            ip_permissions: perms,
            ip_permissions_egress: egress(),
            tags,
        });
    }
    for (i, ids) in sg_ids.iter_mut().enumerate() {
        if ids.is_empty() {
            ids.push(ec2[i].security_groups[0].group_id.clone());
        }
    }

    // Instances, running as the roles that have instance profiles.
    let profiles: Vec<&InstanceProfile> = roles
        .iter()
        .flat_map(|r| r.instance_profile_list.iter())
        .collect();
    let instances = (p.roles / 8).max(6);
    let types = [
        "t3.micro",
        "t3.medium",
        "m6i.large",
        "c6i.xlarge",
        "r6g.large",
    ];
    for k in 0..instances {
        let ri = *r.weighted(WEIGHTS);
        let team = *r.pick(&teams);
        let id = format!("i-{}", r.hex(17));
        let state = if k == 0 {
            "running"
        } else {
            *r.weighted(&[(85, "running"), (12, "stopped"), (3, "terminated")])
        };
        let profile = if k == 0 {
            profiles
                .iter()
                .find(|p| p.instance_profile_name == "ops-admin-ec2")
        } else if !profiles.is_empty() && r.chance(0.85) {
            Some(r.pick(&profiles))
        } else {
            None
        };
        let public = k == 1 || r.chance(0.15);
        let imds = if k < 2 || r.chance(0.2) {
            "optional"
        } else {
            "required"
        };
        let mut sgs = vec![GroupIdentifier {
            group_id: r.pick(&sg_ids[ri]).clone(),
            group_name: None,
        }];
        if r.chance(0.3) {
            let g = r.pick(&sg_ids[ri]).clone();
            if sgs[0].group_id != g {
                sgs.push(GroupIdentifier {
                    group_id: g,
                    group_name: None,
                });
            }
        }
        let name = format!("{team}-{}-{k}", r.pick(&apps));
        let tags = owner_tags(r, &name, team, 0.8);
        let launch = ago(r, 0, 900);
        ec2[ri].instances.push(Instance {
            instance_id: id.clone(),
            instance_type: Some(r.pick(&types).to_string()),
            state: Some(InstanceState {
                name: state.to_string(),
            }),
            public_ip_address: public
                .then(|| format!("54.{}.{}.{}", r.below(256), r.below(256), 1 + r.below(254))),
            private_ip_address: Some(format!(
                "10.{}.{}.{}",
                r.below(256),
                r.below(256),
                1 + r.below(254)
            )),
            iam_instance_profile: profile.map(|p| IamInstanceProfileRef {
                arn: p.arn.clone(),
                id: Some(p.instance_profile_id.clone()),
            }),
            metadata_options: Some(MetadataOptions {
                http_tokens: Some(imds.to_string()),
                http_endpoint: Some("enabled".to_string()),
            }),
            security_groups: sgs,
            launch_time: Some(launch),
            vpc_id: Some(vpcs[ri].clone()),
            tags: tags.clone(),
        });
        for v in 0..r.range(1, 2) {
            let encrypted = !(k == 0 && v == 0) && r.chance(0.92);
            ec2[ri].volumes.push(Volume {
                volume_id: format!("vol-{}", r.hex(17)),
                encrypted,
                kms_key_id: encrypted
                    .then(|| format!("arn:aws:kms:{}:{acct}:key/{}", REGIONS[ri], uuid(r))),
                size: Some(*r.pick(&[8, 20, 50, 100, 500])),
                state: Some("in-use".to_string()),
                attachments: vec![VolumeAttachment {
                    instance_id: Some(id.clone()),
                }],
                tags: tags.clone(),
            });
        }
    }
    for k in 0..(instances / 10).max(2) {
        let ri = *r.weighted(WEIGHTS);
        let encrypted = k != 0 && r.chance(0.8);
        let team = *r.pick(&teams);
        let tags = owner_tags(r, &format!("{team}-detached-{k}"), team, 0.5);
        ec2[ri].volumes.push(Volume {
            volume_id: format!("vol-{}", r.hex(17)),
            encrypted,
            kms_key_id: None,
            size: Some(100),
            state: Some("available".to_string()),
            attachments: Vec::new(),
            tags,
        });
    }
    for k in 0..(instances / 5).max(3) {
        let ri = *r.weighted(WEIGHTS);
        let team = *r.pick(&teams);
        let tags = owner_tags(r, &format!("{team}-backup-{k}"), team, 0.7);
        ec2[ri].snapshots.push(EbsSnapshot {
            snapshot_id: format!("snap-{}", r.hex(17)),
            volume_id: Some(format!("vol-{}", r.hex(17))),
            encrypted: k != 1 && r.chance(0.9),
            public: Some(k == 0 || r.chance(0.003)),
            start_time: Some(ago(r, 0, 700)),
            tags,
        });
    }
    for k in 0..(instances / 40).max(2) {
        let ri = *r.weighted(WEIGHTS);
        let team = *r.pick(&teams);
        let name = format!("{team}-golden-{k}");
        let tags = owner_tags(r, &name, team, 0.8);
        ec2[ri].images.push(Image {
            image_id: format!("ami-{}", r.hex(17)),
            name: Some(name),
            public: Some(k == 0 || r.chance(0.01)),
            tags,
        });
    }

    // S3.
    let mut buckets = Vec::new();
    for k in 0..(p.policies / 4).max(10) {
        let team = *r.pick(&teams);
        let app = *r.pick(&apps);
        let name = format!("{team}-{app}-{k}-{acct}");
        let arn = format!("arn:aws:s3:::{name}");
        let deny_tls = json!({"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
            "Action": "s3:*", "Resource": [arn.clone(), format!("{arn}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}});
        let public_policy = k == 0 || r.chance(0.005);
        let public_acl = k == 1 || r.chance(0.005);
        let mut statements = Vec::new();
        if public_policy {
            statements.push(
                json!({"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
                "Action": "s3:GetObject", "Resource": format!("{arn}/*")}),
            );
        }
        if k != 2 && r.chance(0.6) {
            statements.push(deny_tls);
        }
        if r.chance(0.1) {
            statements.push(json!({"Sid": "LogDelivery", "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
                "Resource": format!("{arn}/logs/*"),
                "Condition": {"StringEquals": {"aws:SourceAccount": acct}}}));
        }
        let policy = (!statements.is_empty()).then(|| {
            PolicyDocument::from_text(
                &json!({"Version": "2012-10-17", "Statement": statements}).to_string(),
            )
        });
        let owner_id = "cb76dd5411542972cca3d45dfed48b68930c6493c359f97742137a4bc37f5ef2";
        let mut grants = vec![Grant {
            grantee: Grantee {
                grantee_type: "CanonicalUser".to_string(),
                id: Some(owner_id.to_string()),
                uri: None,
                display_name: None,
            },
            permission: "FULL_CONTROL".to_string(),
        }];
        if public_acl {
            grants.push(Grant {
                grantee: Grantee {
                    grantee_type: "Group".to_string(),
                    id: None,
                    uri: Some(PUBLIC_ACL_GROUPS[0].to_string()),
                    display_name: None,
                },
                permission: "READ".to_string(),
            });
        }
        let all_on = !(public_policy || public_acl) && r.chance(0.85);
        let kms = r.chance(0.3);
        let tags = Some(if r.chance(0.8) {
            vec![tag("owner", &format!("{team}-team"))]
        } else {
            Vec::new()
        });
        buckets.push(Bucket {
            name,
            creation_date: Some(ago(r, 0, 2_500)),
            region: Some(REGIONS[*r.weighted(WEIGHTS)].to_string()),
            policy,
            policy_status: Some(PolicyStatus {
                is_public: public_policy,
            }),
            acl: Some(BucketAcl { grants }),
            public_access_block: all_on.then_some(PublicAccessBlock {
                block_public_acls: true,
                ignore_public_acls: true,
                block_public_policy: true,
                restrict_public_buckets: true,
            }),
            encryption: (k != 3 && r.chance(0.97)).then(|| BucketEncryption {
                rules: vec![EncryptionRule {
                    apply_server_side_encryption_by_default: Some(SseDefault {
                        sse_algorithm: if kms { "aws:kms" } else { "AES256" }.to_string(),
                        kms_master_key_id: None,
                    }),
                    bucket_key_enabled: Some(kms),
                }],
            }),
            tags,
        });
    }
    let s3 = S3Section {
        // Set, but not fully: the public buckets above rely on it.
        account_public_access_block: Some(PublicAccessBlock {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: false,
            restrict_public_buckets: false,
        }),
        buckets,
    };

    // CloudTrail: one good multi-region trail (seen from every region), one legacy
    // single-region trail that stopped logging.
    let trail_arn = format!("arn:aws:cloudtrail:us-east-1:{acct}:trail/org-audit");
    let legacy_arn = format!("arn:aws:cloudtrail:us-west-2:{acct}:trail/legacy-trail");
    let mut regions = BTreeMap::new();
    for (i, (region, sec)) in REGIONS.iter().zip(ec2).enumerate() {
        let mut trails = vec![Trail {
            name: "org-audit".to_string(),
            trail_arn: trail_arn.clone(),
            home_region: Some("us-east-1".to_string()),
            is_multi_region_trail: true,
            is_organization_trail: false,
            include_global_service_events: true,
            log_file_validation_enabled: true,
            kms_key_id: Some(format!("arn:aws:kms:us-east-1:{acct}:key/{}", uuid(r))),
            s3_bucket_name: Some(format!("audit-logs-{acct}")),
            cloud_watch_logs_log_group_arn: None,
            // Tags are read in the home region only.
            tags: (*region == "us-east-1").then(|| vec![tag("owner", "security")]),
        }];
        let mut status = BTreeMap::from([(
            trail_arn.clone(),
            TrailStatus {
                is_logging: true,
                latest_delivery_time: Some(Timestamp(NOW.0 - 300)),
            },
        )]);
        if *region == "us-west-2" {
            trails.push(Trail {
                name: "legacy-trail".to_string(),
                trail_arn: legacy_arn.clone(),
                home_region: Some("us-west-2".to_string()),
                is_multi_region_trail: false,
                is_organization_trail: false,
                include_global_service_events: false,
                log_file_validation_enabled: false,
                kms_key_id: None,
                s3_bucket_name: Some(format!("legacy-trail-{acct}")),
                cloud_watch_logs_log_group_arn: None,
                tags: Some(Vec::new()),
            });
            status.insert(
                legacy_arn.clone(),
                TrailStatus {
                    is_logging: false,
                    latest_delivery_time: Some(Timestamp(NOW.0 - 700 * DAY)),
                },
            );
        }
        let mut keys = Vec::new();
        for k in 0..(p.policies / 100).max(2) {
            let id = uuid(r);
            let team = *r.pick(&teams);
            let policy = json!({"Version": "2012-10-17", "Id": "key-default-1", "Statement": [
                {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                 "Principal": {"AWS": format!("arn:aws:iam::{acct}:root")}, "Action": "kms:*", "Resource": "*"}]});
            keys.push(KmsKey {
                key_metadata: KeyMetadata {
                    key_id: id.clone(),
                    arn: format!("arn:aws:kms:{region}:{acct}:key/{id}"),
                    key_manager: Some("CUSTOMER".to_string()),
                    key_state: Some("Enabled".to_string()),
                    key_spec: Some("SYMMETRIC_DEFAULT".to_string()),
                    origin: Some("AWS_KMS".to_string()),
                    creation_date: Some(ago(r, 0, 1_500)),
                },
                key_rotation_enabled: Some(k != 0 && r.chance(0.7)),
                tags: Some(if r.chance(0.8) {
                    vec![KmsTag {
                        tag_key: "owner".to_string(),
                        tag_value: format!("{team}-team"),
                    }]
                } else {
                    Vec::new()
                }),
                policy: Some(PolicyDocument::from_text(&policy.to_string())),
            });
        }
        let aws_key = uuid(r);
        keys.push(KmsKey {
            key_metadata: KeyMetadata {
                key_id: aws_key.clone(),
                arn: format!("arn:aws:kms:{region}:{acct}:key/{aws_key}"),
                key_manager: Some("AWS".to_string()),
                key_state: Some("Enabled".to_string()),
                key_spec: Some("SYMMETRIC_DEFAULT".to_string()),
                origin: Some("AWS_KMS".to_string()),
                creation_date: Some(ago(r, 1_000, 2_000)),
            },
            key_rotation_enabled: Some(true),
            tags: Some(Vec::new()),
            policy: None,
        });
        regions.insert(
            region.to_string(),
            RegionSection {
                ec2: Some(sec),
                cloudtrail: Some(CloudTrailSection {
                    trails,
                    trail_status: status,
                }),
                kms: Some(KmsSection { keys }),
                access_analyzer: Some(AccessAnalyzerSection {
                    analyzers: if i == 0 {
                        vec![Analyzer {
                            arn: format!(
                                "arn:aws:access-analyzer:{region}:{acct}:analyzer/account-analyzer"
                            ),
                            name: "account-analyzer".to_string(),
                            analyzer_type: "ACCOUNT".to_string(),
                            status: Some("ACTIVE".to_string()),
                            ..Analyzer::default()
                        }]
                    } else {
                        Vec::new()
                    },
                    findings: Vec::new(),
                }),
            },
        );
    }
    (regions, s3)
}
