//! `root-account-without-hardware-mfa`: the root user's MFA is a virtual device (an
//! authenticator app), not a hardware key.
//!
//! ListVirtualMFADevices names the user each virtual device is assigned to; a device assigned
//! to `arn:PARTITION:iam::ACCOUNT:root` is the root user's. Hardware TOTP tokens and FIDO
//! security keys or passkeys never appear in that list, so a root user with MFA and no virtual
//! device has hardware MFA. A root user without any MFA is `root-account-without-mfa`'s
//! finding, not this one.

use super::{Check, Emitter, Remediation, Subject};
use crate::context::Context;
use crate::report::{Category, Evidence, Severity};

/// Root with a virtual MFA device.
pub static CHECK: Check = Check {
    id: "IAM-012",
    name: "root-account-without-hardware-mfa",
    title: "Root user's MFA is a virtual device, not a hardware key",
    severity: Severity::Medium,
    category: Category::IdentityHygiene,
    service: "iam",
    rationale: "A virtual MFA device lives on a phone or laptop that is also used for other things, can be backed up or cloned, and is exposed to the malware on it. The root user cannot be restricted by any policy, so CIS asks for a dedicated hardware device (a FIDO security key or a hardware TOTP token) kept in a safe place.",
    remediation: Remediation {
        console: "Sign in as the root user → Security credentials → Multi-factor authentication: assign a FIDO security key or hardware TOTP token, then remove the virtual device.",
        cli: "aws iam list-virtual-mfa-devices --query \"VirtualMFADevices[?User.Arn=='arn:aws:iam::ACCOUNT_ID:root']\" (to confirm; root's MFA can only be changed in the console)",
        terraform: "",
    },
    compliance: &["CIS AWS Foundations 3.0: 1.6"],
    references: &[
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-hw-mfa-for-root.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-fido-mfa-for-root.html",
    ],
    run,
};

fn run(ctx: &Context<'_>, out: &mut Emitter<'_>) {
    let root = ctx.root_arn();
    let evidence: Vec<Evidence> = ctx
        .snapshot
        .virtual_mfa_devices
        .iter()
        .filter(|d| d.user.as_ref().is_some_and(|u| u.arn == root))
        .map(|d| {
            Evidence::text(
                "attribute",
                format!(
                    "ListVirtualMFADevices: `{}` is assigned to User.Arn `{root}`",
                    d.serial_number
                ),
            )
        })
        .collect();
    if evidence.is_empty() {
        return;
    }
    out.emit(
        Subject::new(root, "iam-root-user"),
        "",
        "the root user's MFA is a virtual device, not a hardware key".to_string(),
        evidence,
    );
}
