//! Writes a deterministic synthetic account snapshot.
//!
//! ```text
//! gen-account [--size small|medium|large] [--users U] [--roles R] [--groups G]
//!             [--policies P] [--seed S] [--out FILE]
//! ```
//!
//! `--size` sets all four counts (small 50/200/20/100, medium 500/2000/100/1000, large
//! 2000/10000/300/5000); explicit counts override it. Without `--out` the JSON goes to
//! standard output. The same arguments always produce the same bytes.

use std::io::Write;
use std::process::ExitCode;

use iamsight_tools::{Params, generate, to_json};

const USAGE: &str = "usage: gen-account [--size small|medium|large] [--users U] [--roles R] [--groups G] [--policies P] [--seed S] [--out FILE]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-account: {e}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut p = Params::preset("small", 1).ok_or("no small preset")?;
    let mut explicit: Vec<(String, usize)> = Vec::new();
    let mut out: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            return Ok(());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("`{flag}` needs a value"))?;
        let number = || {
            value
                .parse::<usize>()
                .map_err(|_| format!("`{flag}`: `{value}` is not a number"))
        };
        match flag.as_str() {
            "--size" => {
                p = Params::preset(&value, p.seed)
                    .ok_or_else(|| format!("--size: `{value}` is not small, medium or large"))?;
            }
            "--seed" => {
                p.seed = value
                    .parse()
                    .map_err(|_| format!("--seed: `{value}` is not a number"))?;
            }
            "--users" | "--roles" | "--groups" | "--policies" => {
                explicit.push((flag.clone(), number()?));
            }
            "--out" | "-o" => out = Some(value),
            _ => return Err(format!("unknown argument `{flag}`")),
        }
    }
    for (flag, n) in explicit {
        match flag.as_str() {
            "--users" => p.users = n,
            "--roles" => p.roles = n,
            "--groups" => p.groups = n,
            _ => p.policies = n,
        }
    }
    let json = to_json(&generate(&p));
    match out {
        Some(path) => {
            // Written beside the target, then renamed: a cached file is never half-written.
            let tmp = format!("{path}.tmp");
            std::fs::write(&tmp, json.as_bytes()).map_err(|e| format!("{tmp}: {e}"))?;
            std::fs::rename(&tmp, &path).map_err(|e| format!("{path}: {e}"))?;
            eprintln!(
                "gen-account: {} users, {} roles, {} groups, {} policies, seed {} -> {path} ({:.1} MB)",
                p.users,
                p.roles,
                p.groups,
                p.policies,
                p.seed,
                json.len() as f64 / 1e6
            );
        }
        None => std::io::stdout()
            .lock()
            .write_all(json.as_bytes())
            .map_err(|e| e.to_string())?,
    }
    Ok(())
}
