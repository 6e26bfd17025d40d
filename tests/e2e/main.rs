//! End-to-end tests: whole runs of `iamsight` through its entry point.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap is a test failure"
)]

mod cli;
mod collect;
mod evaluate;
mod insights;
mod report;
