//! `invalid-policy-document`: a policy document in the account that does not parse.
//!
//! AWS validates documents when they are written, but snapshots assembled by hand, documents
//! from older API behaviour, and bucket or key policies edited through other tools can still
//! hold documents iamsight cannot read. Such a document is never a crash: it is this finding,
//! with every error and where it is. Until it is fixed, no other judgement about that policy
//! can be trusted, so the check is high.

use super::{Check, Emitter, Remediation, Subject};
use crate::context::{Context, DocumentSite};
use crate::report::{Category, Evidence, Severity};

/// The check.
pub static CHECK: Check = Check {
    id: "IAM-001",
    name: "invalid-policy-document",
    title: "Policy document does not parse",
    severity: Severity::High,
    category: Category::PolicyHygiene,
    service: "iam",
    rationale: "A document that does not follow the IAM policy grammar cannot be analysed: what it grants or denies is unknown, and tools (including AWS's own) may read it differently.",
    remediation: Remediation {
        console: "Open the policy in the IAM console's JSON editor, fix the errors listed in the evidence, and save a new version.",
        cli: "aws iam create-policy-version --policy-arn ARN --policy-document file://fixed.json --set-as-default",
        terraform: "",
    },
    compliance: &[],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    for doc in ctx.documents() {
        let Err(errors) = doc.document.policy() else {
            continue;
        };
        let (what, resource_type, detail) = match &doc.site {
            DocumentSite::Managed { version, default } => (
                format!(
                    "managed policy version {version}{}",
                    if *default { " (default)" } else { "" }
                ),
                "iam-policy",
                version.clone(),
            ),
            DocumentSite::Inline { name, .. } => (
                format!("inline policy `{name}`"),
                "iam-inline-policy",
                name.clone(),
            ),
            DocumentSite::Trust => ("trust policy".to_string(), "iam-role", "trust".to_string()),
            DocumentSite::BucketPolicy => (
                "bucket policy".to_string(),
                "s3-bucket",
                "policy".to_string(),
            ),
            DocumentSite::KeyPolicy => ("key policy".to_string(), "kms-key", "policy".to_string()),
        };
        let evidence = errors
            .0
            .iter()
            .map(|e| Evidence {
                policy: Some(doc.id.clone()),
                ..Evidence::text("policy-error", e.to_string())
            })
            .collect();
        out.emit(
            Subject::new(doc.id.clone(), resource_type),
            &detail,
            format!("{what} does not parse: {} error(s)", errors.0.len()),
            evidence,
        );
    }
}
