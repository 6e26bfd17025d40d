//! Developer tools for iamsight: a deterministic synthetic account generator (`gen-account`)
//! and the parse-floor baseline of the benchmarks (`parse-floor`).
//!
//! ```
//! use iamsight_tools::{Params, generate, to_json};
//! let p = Params { users: 3, roles: 12, groups: 6, policies: 15, seed: 7 };
//! let json = to_json(&generate(&p));
//! assert_eq!(json, to_json(&generate(&p))); // same seed, same bytes
//! assert!(iam_model::snapshot::Snapshot::from_json_str(&json).is_ok());
//! ```

pub mod account;
pub mod managed;
pub mod policies;
pub mod rng;
mod runtime;

pub use account::{NOW, Params, generate, to_json};
