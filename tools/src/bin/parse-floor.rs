//! The benchmarks' baseline: the time to read a file and parse it into `serde_json::Value`,
//! the floor for any tool that reads the same JSON.
//!
//! `parse-floor FILE [RUNS]` prints one line per run, then the best, in seconds:
//! `parse-floor: FILE BYTES bytes, best 0.123456 s over RUNS runs`.

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), runs) = (args.next(), args.next()) else {
        eprintln!("usage: parse-floor FILE [RUNS]");
        return ExitCode::from(2);
    };
    let runs: usize = runs.and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let mut best = f64::INFINITY;
    let mut bytes = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("parse-floor: {path}: {e}");
                return ExitCode::from(2);
            }
        };
        bytes = text.len();
        let v: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("parse-floor: {path}: {e}");
                return ExitCode::from(2);
            }
        };
        std::hint::black_box(&v);
        drop(v);
        let s = t.elapsed().as_secs_f64();
        best = best.min(s);
        println!("run {s:.6}");
    }
    println!("parse-floor: {path} {bytes} bytes, best {best:.6} s over {runs} runs");
    ExitCode::SUCCESS
}
