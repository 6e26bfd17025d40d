//! Errors the binary reports, and the exit codes.

use std::path::PathBuf;

/// Nothing at or above `--fail-on` was found.
pub const EXIT_CLEAN: u8 = 0;
/// Findings at or above `--fail-on`.
pub const EXIT_FINDINGS: u8 = 1;
/// Bad input, bad flags, or a failure to read or write.
pub const EXIT_ERROR: u8 = 2;

/// Every error the binary can report. Messages are lowercase and name the file and place.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A file could not be read.
    #[error("cannot read `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A snapshot that does not load.
    #[error("`{path}`: {message}")]
    Snapshot {
        /// The file.
        path: String,
        /// Where and what.
        message: String,
    },
    /// A config file that does not load.
    #[error("`{path}`: {message}")]
    Config {
        /// The file.
        path: PathBuf,
        /// Where and what.
        message: String,
    },
    /// Anything else the user asked for that cannot be done.
    #[error("{0}")]
    Usage(String),
    /// Writing to the terminal failed (a closed pipe, usually).
    #[error("cannot write output: {0}")]
    Output(#[from] std::io::Error),
}
