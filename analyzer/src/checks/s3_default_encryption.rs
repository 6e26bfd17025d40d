//! `s3-bucket-no-default-encryption`: a bucket without a default server-side encryption
//! configuration.
//!
//! From GetBucketEncryption: no configuration (`Encryption: null`), or rules none of which
//! sets `ApplyServerSideEncryptionByDefault`. Since January 2023 S3 applies SSE-S3 to every
//! new bucket, so this finds buckets whose configuration was removed, snapshots from older
//! accounts, and S3-compatible endpoints. A bucket whose GetBucketEncryption call failed is
//! not judged.

use super::subjects::{bucket_call_failed, bucket_subject};
use super::{Check, Emitter, Remediation};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// No default encryption.
pub static CHECK: Check = Check {
    id: "S3-005",
    name: "s3-bucket-no-default-encryption",
    title: "S3 bucket has no default encryption",
    severity: Severity::Medium,
    category: Category::Encryption,
    service: "s3",
    rationale: "Without default encryption, objects are stored the way each writer asks for, which may be unencrypted. Default encryption with SSE-KMS also puts a key policy and CloudTrail data events in front of every read.",
    remediation: Remediation {
        console: "S3 console → the bucket → Properties → Default encryption → Edit: SSE-KMS with a customer managed key (or at least SSE-S3), Bucket Key enabled.",
        cli: "aws s3api put-bucket-encryption --bucket BUCKET --server-side-encryption-configuration '{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"KEY_ARN\"},\"BucketKeyEnabled\":true}]}'",
        terraform: "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"this\" {\n  bucket = aws_s3_bucket.this.id\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm     = \"aws:kms\"\n      kms_master_key_id = aws_kms_key.s3.arn\n    }\n    bucket_key_enabled = true\n  }\n}",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(s3) = &ctx.snapshot.s3 else {
        return;
    };
    for b in &s3.buckets {
        if bucket_call_failed(ctx, "s3:GetBucketEncryption", b) {
            continue;
        }
        let evidence = match &b.encryption {
            None => "GetBucketEncryption: ServerSideEncryptionConfigurationNotFoundError",
            Some(e)
                if e.rules
                    .iter()
                    .any(|r| r.apply_server_side_encryption_by_default.is_some()) =>
            {
                continue;
            }
            Some(_) => "no rule sets ApplyServerSideEncryptionByDefault",
        };
        out.emit(
            bucket_subject(ctx, b),
            "",
            format!("bucket `{}` has no default encryption", b.name),
            vec![Evidence::text("attribute", evidence)],
        );
    }
}
