//! One module per subcommand; `dispatch` routes to them.

mod can;
mod catalog;
mod checks;
mod collect;
mod graph;
mod report;
mod simulate;
mod suggest;
mod unused;

use std::io::Write;

use crate::args::{Cli, Command};
use crate::error::CliError;

/// Runs the parsed command; returns the exit code.
pub fn dispatch(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, CliError> {
    match cli.command {
        Command::Scan(a) => report::run(a, report::Mode::Scan, out, err),
        Command::Audit(a) => report::run(a, report::Mode::Audit, out, err),
        Command::Catalog(a) => catalog::run(a, out),
        Command::Checks(a) => checks::run(a, out),
        Command::Simulate(a) => simulate::run(a, out),
        Command::Can(a) => can::run(a, out),
        Command::WhoCan(a) => graph::who_can(a, out),
        Command::Paths(a) => graph::paths(a, out),
        Command::Graph(a) => graph::graph(a, out),
        Command::Unused(a) => unused::run(a, out),
        Command::Suggest(a) => suggest::run(a, out),
        Command::Collect(a) => collect::run(a, out, err),
    }
}

/// Writes a file through a temporary sibling and a rename, so an interrupted run never leaves
/// a half-written file.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), CliError> {
    let werr = |source| CliError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(werr)
}
