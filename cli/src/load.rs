//! Reading snapshots and configs from disk: gzip detection, the two accepted shapes, and
//! errors that name the file, the JSON path of the bad field, and its line and column.

use std::io::Read;
use std::path::Path;

use analyzer::config::Config;
use iam_model::snapshot::{AuthorizationDetails, Snapshot, SnapshotShape};

use crate::error::CliError;

/// The demo account, embedded in the binary (`scan --demo`).
pub const DEMO_SNAPSHOT: &str = include_str!("../../fixtures/demo/snapshot.json");

/// Reads a text file.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads a snapshot file (plain or gzip JSON; an iamsight snapshot or a bare
/// `aws iam get-account-authorization-details` output).
pub fn load_snapshot(path: &Path) -> Result<Snapshot, CliError> {
    let bytes = std::fs::read(path).map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path.display().to_string();
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut s)
            .map_err(|e| CliError::Snapshot {
                path: name.clone(),
                message: format!("not a valid gzip file of UTF-8 JSON: {e}"),
            })?;
        s
    } else {
        String::from_utf8(bytes).map_err(|e| CliError::Snapshot {
            path: name.clone(),
            message: format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        })?
    };
    parse_snapshot(&name, &text)
}

/// Parses snapshot text; `name` is used in error messages.
pub fn parse_snapshot(name: &str, text: &str) -> Result<Snapshot, CliError> {
    let fail = |message: String| CliError::Snapshot {
        path: name.to_string(),
        message,
    };
    // One typed pass for a good input; only a bad one pays for the passes below that say
    // where and why it is bad.
    let fast = match SnapshotShape::sniff(text) {
        Some(SnapshotShape::Snapshot) => serde_json::from_str::<Snapshot>(text).ok(),
        Some(SnapshotShape::AuthorizationDetails) => {
            serde_json::from_str::<AuthorizationDetails>(text)
                .ok()
                .map(Snapshot::from_authorization_details)
        }
        None => None,
    };
    if let Some(mut snap) = fast {
        snap.check_version().map_err(|e| fail(e.to_string()))?;
        analyzer::managed::fill_missing(&mut snap);
        return Ok(snap);
    }
    // A syntax error first, with its line and column, before any shape question.
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
        return Err(fail(format!(
            "invalid JSON at line {} column {}: {}",
            e.line(),
            e.column(),
            strip_position(&e)
        )));
    }
    match SnapshotShape::sniff(text) {
        Some(SnapshotShape::Snapshot) => {
            let mut snap: Snapshot = deserialize_with_path(text).map_err(fail)?;
            snap.check_version().map_err(|e| fail(e.to_string()))?;
            analyzer::managed::fill_missing(&mut snap);
            Ok(snap)
        }
        Some(SnapshotShape::AuthorizationDetails) => {
            let d: AuthorizationDetails = deserialize_with_path(text).map_err(fail)?;
            let mut snap = Snapshot::from_authorization_details(d);
            analyzer::managed::fill_missing(&mut snap);
            Ok(snap)
        }
        None => Err(fail(
            iam_model::snapshot::SnapshotError::UnknownShape.to_string(),
        )),
    }
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Deserializes JSON text, naming the JSON path, line and column of a bad field.
pub fn deserialize_with_path<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.inner();
        format!(
            "at `{path}` (line {} column {}): {}",
            inner.line(),
            inner.column(),
            strip_position(inner)
        )
    })
}

/// Reads `iamsight.toml` (or the given file). A missing default file means defaults.
pub fn load_config(explicit: Option<&Path>) -> Result<Config, CliError> {
    let (path, required) = match explicit {
        Some(p) => (p.to_path_buf(), true),
        None => (Path::new("iamsight.toml").to_path_buf(), false),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
            return Ok(Config::default());
        }
        Err(source) => return Err(CliError::Read { path, source }),
    };
    toml::from_str(&text).map_err(|e| CliError::Config {
        path,
        message: e.to_string().trim_end().replace('\n', " "),
    })
}

/// The snapshot a command names: `--snapshot FILE` or `--demo`.
pub fn load_source(source: &crate::args::SourceArgs) -> Result<Snapshot, CliError> {
    match (&source.snapshot, source.demo) {
        (Some(path), _) => load_snapshot(path),
        (None, true) => parse_snapshot("demo account", DEMO_SNAPSHOT),
        (None, false) => Err(CliError::Usage(
            "pass `--snapshot FILE` or `--demo`".to_string(),
        )),
    }
}
