//! End-to-end tests: whole runs of `iamsight` through its entry point.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap or an unexpected value is a test failure"
)]

mod cli;
mod collect;
mod evaluate;
mod insights;
mod report;
mod suggest;
