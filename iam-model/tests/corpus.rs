//! Data-driven test corpora: every case is a file under `fixtures/`, and adding a case means
//! adding a file. This is the crate's one integration-test binary; each corpus is a module
//! under `tests/corpus/`, and `support` holds what they share (walking a case directory,
//! pairing inputs with expectations, collecting every failure, diffs).
//!
//! Run with `cargo test -p iam-model --test corpus`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: an unreadable fixture or a failed expectation is a test failure"
)]

mod corpus {
    mod support;

    mod evaluation;
    mod expansion;
    mod policies;
}
