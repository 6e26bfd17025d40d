//! The iamsight command line: all of iamsight's I/O (files, terminal, exit codes and, in
//! `collect`, the AWS SDK) lives here. Raw flags become a validated configuration once, the
//! snapshot is read and parsed at the edge, and the pure `analyzer` does the judging.
//!
//! [`run`] is the whole program behind `main`, taking its output streams as arguments so
//! end-to-end tests drive exactly what users run.

mod args;
mod collect;
mod commands;
mod error;
mod load;
mod render;

use std::ffi::OsString;
use std::io::Write;

use clap::Parser;

pub use error::{CliError, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
pub use load::{DEMO_SNAPSHOT, load_snapshot};

/// Runs iamsight with `args` (the first is the program name) and returns the exit code:
/// 0 clean, 1 findings at or above `--fail-on`, 2 error.
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match args::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let text = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                e.render().ansi().to_string()
            } else {
                e.render().to_string()
            };
            let _ = if e.use_stderr() {
                write!(err, "{text}")
            } else {
                write!(out, "{text}")
            };
            return code;
        }
    };
    match commands::dispatch(cli, out, err) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            EXIT_ERROR
        }
    }
}
