//! `expired-server-certificate`: an SSL/TLS server certificate stored in IAM whose
//! `Expiration` is before the collection time.
//!
//! From ListServerCertificates. A certificate without an expiry date is not judged.

use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Expired certificate.
pub static CHECK: Check = Check {
    id: "IAM-041",
    name: "expired-server-certificate",
    title: "Expired SSL/TLS certificate stored in IAM",
    severity: Severity::Medium,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "An expired certificate still attached to a load balancer or CloudFront distribution breaks TLS for its users, and one kept around by mistake can be deployed again. IAM certificates are not renewed automatically; ACM certificates are.",
    remediation: Remediation {
        console: "The IAM console does not list server certificates: move the endpoint to an ACM certificate, then delete the expired one with the CLI.",
        cli: "aws iam delete-server-certificate --server-certificate-name NAME",
        terraform: "# replace aws_iam_server_certificate with aws_acm_certificate (renewed automatically)",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.19"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_server-certs.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let Some(now) = ctx.now else {
        return;
    };
    for cert in &ctx.snapshot.server_certificates {
        let Some(expiry) = cert.expiration else {
            continue;
        };
        if expiry >= now {
            continue;
        }
        out.emit(
            Subject::new(cert.arn.clone(), "iam-server-certificate"),
            "",
            format!(
                "server certificate `{}` expired {} days ago",
                cert.server_certificate_name,
                now.days_since(expiry)
            ),
            vec![Evidence::text(
                "attribute",
                format!("Expiration = {expiry}"),
            )],
        );
    }
}
