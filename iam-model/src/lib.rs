//! The IAM vocabulary as data: the policy language, ARNs, wildcard matching, the embedded IAM
//! action catalog, the policy evaluation engine, and the account snapshot types.
//!
//! This crate is deliberately pure: no I/O, no clock, no network, no global mutable state
//! (the catalog is parsed once from data embedded in the binary). Everything that reads files,
//! the AWS SDK or the time lives in the `cli` crate; judgement lives in `analyzer`.
//!
//! ```
//! use iam_model::policy::Policy;
//! use iam_model::wildcard::wildcard_match;
//!
//! let p = Policy::parse("%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGet%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D").unwrap();
//! assert!(wildcard_match(&p.statements[0].action.patterns[0], "s3:GetObject", true));
//! ```

pub mod arn;
pub mod catalog;
pub mod eval;
pub mod ip;
pub mod policy;
pub mod snapshot;
pub mod time;
pub mod wildcard;

pub use arn::Arn;
pub use time::Timestamp;
