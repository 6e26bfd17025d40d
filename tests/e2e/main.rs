//! End-to-end tests: whole runs of `iamsight` through its entry point.

mod cli;
