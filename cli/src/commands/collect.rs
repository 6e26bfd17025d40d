//! `collect`: read the live account and write a snapshot file; and the live source of `scan`
//! and `audit` when no `--snapshot` is given.
//!
//! The file is written atomically (a temporary sibling, then a rename) with owner-only
//! permissions, gzip-compressed when its name ends in `.gz`. Ctrl-C during collection writes
//! nothing; once collection is over the write is not interrupted.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::Duration;

use iam_model::snapshot::Snapshot;

use crate::args::{AwsArgs, CollectArgs};
use crate::collect::{Settings, collect_live};
use crate::error::{CliError, EXIT_CLEAN};

/// Runs `collect`.
pub fn run(a: CollectArgs, _out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, CliError> {
    let settings = settings(&a.aws)?;
    // Ctrl-C stays caught until the file is written: collection stops on it, the write does
    // not (a Ctrl-C that comes during the write is dropped).
    let catch = crate::collect::interrupt::Catch::start();
    let collected = collect_live(&settings).map_err(|e| CliError::Usage(e.to_string()))?;
    let snapshot = &collected.snapshot;
    write_snapshot(&a.output, snapshot)?;
    drop(catch);
    if !a.aws.quiet {
        summary(err, snapshot)?;
        writeln!(err, "snapshot written to `{}`", a.output.display())?;
    }
    if a.verbose {
        calls(err, &collected.calls)?;
    }
    Ok(EXIT_CLEAN)
}

/// Collects the live account for `scan` and `audit`, in memory.
pub fn live(a: &AwsArgs, err: &mut dyn Write) -> Result<Snapshot, CliError> {
    let settings = settings(a)?;
    let collected = collect_live(&settings).map_err(|e| CliError::Usage(e.to_string()))?;
    if !a.quiet {
        summary(err, &collected.snapshot)?;
    }
    Ok(collected.snapshot)
}

/// Raw flags to validated settings.
fn settings(a: &AwsArgs) -> Result<Settings, CliError> {
    if a.concurrency == 0 {
        return Err(CliError::Usage(
            "--concurrency must be at least 1".to_string(),
        ));
    }
    if a.job_timeout == 0 {
        return Err(CliError::Usage(
            "--job-timeout must be at least 1".to_string(),
        ));
    }
    if let Some(arn) = &a.role_arn
        && !(arn.starts_with("arn:") && arn.contains(":role/"))
    {
        return Err(CliError::Usage(format!(
            "--role-arn: `{arn}` is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
        )));
    }
    Ok(Settings {
        profile: a.profile.clone(),
        regions: a
            .regions
            .iter()
            .filter(|r| !r.is_empty())
            .cloned()
            .collect(),
        role_arn: a.role_arn.clone(),
        external_id: a.external_id.clone(),
        concurrency: a.concurrency,
        job_timeout: Duration::from_secs(a.job_timeout),
        progress: !a.quiet && std::io::stderr().is_terminal(),
        ..Settings::default()
    })
}

/// One line of what was collected, and the gaps.
fn summary(err: &mut dyn Write, s: &Snapshot) -> Result<(), CliError> {
    let d = &s.authorization_details;
    writeln!(
        err,
        "collected account {}: {} users, {} groups, {} roles, {} managed policies, {} buckets, {} regions; {} collection errors",
        s.account_id,
        d.users.len(),
        d.groups.len(),
        d.roles.len(),
        d.policies.len(),
        s.s3.as_ref().map_or(0, |x| x.buckets.len()),
        s.regions.len(),
        s.collection_errors.len()
    )?;
    Ok(())
}

/// `--verbose`: calls per operation.
fn calls(err: &mut dyn Write, calls: &BTreeMap<String, u64>) -> Result<(), CliError> {
    let width = calls.keys().map(String::len).max().unwrap_or(0);
    writeln!(err, "calls per operation:")?;
    for (op, n) in calls {
        writeln!(err, "  {op:<width$}  {n}")?;
    }
    writeln!(
        err,
        "  {:<width$}  {}",
        "total",
        calls.values().sum::<u64>()
    )?;
    Ok(())
}

/// Writes a snapshot: JSON (gzip when the name ends in `.gz`), owner-only, atomically.
pub fn write_snapshot(path: &Path, snapshot: &Snapshot) -> Result<(), CliError> {
    let werr = |source| CliError::Write {
        path: path.to_path_buf(),
        source,
    };
    let json = serde_json::to_vec_pretty(snapshot).map_err(|e| werr(e.into()))?;
    let bytes = if path.extension().is_some_and(|e| e == "gz") {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&json).map_err(werr)?;
        enc.finish().map_err(werr)?
    } else {
        json
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
    let _ = std::fs::remove_file(&tmp); // a leftover of a killed run with the same pid
    let result = (|| {
        let mut f = create_private(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(werr)
}

/// Creates a new file readable and writable by its owner only.
fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_owner_only_and_gzip_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let s = Snapshot {
            format_version: 1,
            account_id: "111122223333".into(),
            ..Snapshot::default()
        };
        let plain = dir.path().join("s.json");
        let gz = dir.path().join("s.json.gz");
        write_snapshot(&plain, &s).unwrap();
        write_snapshot(&gz, &s).unwrap();
        let text = std::fs::read_to_string(&plain).unwrap();
        assert!(text.contains("\"account_id\": \"111122223333\""));
        let bytes = std::fs::read(&gz).unwrap();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for p in [&plain, &gz] {
                let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", p.display());
            }
        }
        // Overwriting works and leaves no temporary files behind.
        write_snapshot(&plain, &s).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        // Both load back.
        assert_eq!(
            crate::load::load_snapshot(&gz).unwrap().account_id,
            "111122223333"
        );
    }
}
