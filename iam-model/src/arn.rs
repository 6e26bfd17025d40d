//! Amazon Resource Names: parse, print, and the segment-wise matching of `ArnLike`.
//!
//! An ARN is `arn:partition:service:region:account-id:resource`; the resource part may itself
//! contain `:` and `/`. This module does not know which services use which resource formats:
//! that is the catalog's job.
//!
//! ```
//! use iam_model::Arn;
//! let a: Arn = "arn:aws:iam::111122223333:role/ops/Admin".parse().unwrap();
//! assert_eq!(a.service, "iam");
//! assert_eq!(a.account, "111122223333");
//! assert_eq!(a.resource, "role/ops/Admin");
//! assert_eq!(a.to_string(), "arn:aws:iam::111122223333:role/ops/Admin");
//! ```

use std::fmt;
use std::str::FromStr;

use crate::wildcard::wildcard_match;

/// A parsed ARN.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arn {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: String,
    /// Service namespace, e.g. `iam`.
    pub service: String,
    /// Region; empty for global resources.
    pub region: String,
    /// Account id; empty for some resources (S3 buckets) and `aws` for AWS managed policies.
    pub account: String,
    /// Everything after the fifth colon.
    pub resource: String,
}

/// A string that is not an ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an ARN (expected `arn:partition:service:region:account:resource`)")]
pub struct ArnError(pub String);

impl FromStr for Arn {
    type Err = ArnError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(6, ':');
        let (Some("arn"), Some(p), Some(svc), Some(r), Some(a), Some(res)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(ArnError(s.to_string()));
        };
        if p.is_empty() || svc.is_empty() {
            return Err(ArnError(s.to_string()));
        }
        Ok(Arn {
            partition: p.to_string(),
            service: svc.to_string(),
            region: r.to_string(),
            account: a.to_string(),
            resource: res.to_string(),
        })
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

impl Arn {
    /// The resource type of a `type/name` or `type:name` resource (`role`, `user`, `key`, ...).
    pub fn resource_type(&self) -> &str {
        self.resource
            .split(['/', ':'])
            .next()
            .unwrap_or(&self.resource)
    }

    /// The last path element of the resource: an IAM user, role or policy name without its path.
    pub fn resource_name(&self) -> &str {
        self.resource
            .rsplit(['/', ':'])
            .next()
            .unwrap_or(&self.resource)
    }
}

/// `ArnLike` / `ArnEquals` matching: both sides are split into their six colon-separated
/// parts and each part is matched on its own, so a wildcard never crosses a colon of the
/// first five. Case-sensitive. A value that is not an ARN never matches.
pub fn arn_like(pattern: &str, value: &str) -> bool {
    let mut p = pattern.splitn(6, ':');
    let mut v = value.splitn(6, ':');
    for _ in 0..6 {
        match (p.next(), v.next()) {
            (Some(pp), Some(vv)) => {
                if !wildcard_match(pp, vv, false) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for s in [
            "arn:aws:s3:::my-bucket/key:with:colons",
            "arn:aws-cn:ec2:cn-north-1:111122223333:instance/i-0abc",
            "arn:aws:iam::aws:policy/AdministratorAccess",
        ] {
            let a: Arn = s.parse().unwrap();
            assert_eq!(a.to_string(), s);
        }
        let a: Arn = "arn:aws:s3:::my-bucket/key:with:colons".parse().unwrap();
        assert_eq!(a.resource, "my-bucket/key:with:colons");
        assert!("arn:aws:s3".parse::<Arn>().is_err());
        assert!("not-an-arn:aws:s3:::x".parse::<Arn>().is_err());
    }

    #[test]
    fn names() {
        let a: Arn = "arn:aws:iam::111122223333:role/a/b/Admin".parse().unwrap();
        assert_eq!(a.resource_type(), "role");
        assert_eq!(a.resource_name(), "Admin");
    }

    #[test]
    fn arn_like_is_segment_wise() {
        assert!(arn_like(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111122223333:role/x/y"
        ));
        // A star in the account segment does not swallow the rest.
        assert!(!arn_like(
            "arn:aws:iam::*",
            "arn:aws:iam::111122223333:role/x"
        ));
        assert!(arn_like(
            "arn:aws:iam::*:*",
            "arn:aws:iam::111122223333:role/x"
        ));
        assert!(!arn_like("arn:aws:s3:::b*", "not-an-arn"));
        assert!(arn_like(
            "arn:aws:sts::111122223333:assumed-role/R/*",
            "arn:aws:sts::111122223333:assumed-role/R/session"
        ));
    }
}
