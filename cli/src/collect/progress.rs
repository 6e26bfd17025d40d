//! Progress bars per collection phase (indicatif, on standard error). Off when standard error
//! is not a terminal or with `--quiet`: then every method is a no-op.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The set of bars, or nothing.
#[derive(Debug)]
pub struct Progress {
    multi: Option<MultiProgress>,
}

/// One phase's bar (a no-op when progress is off).
#[derive(Debug, Clone)]
pub struct Phase {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// Bars when `on`.
    pub fn new(on: bool) -> Progress {
        Progress {
            multi: on.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    /// Starts a phase of `len` steps.
    pub fn phase(&self, name: &str, len: u64) -> Phase {
        let bar = self.multi.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new(len));
            if let Ok(style) =
                ProgressStyle::with_template("{prefix:>22} [{bar:30}] {pos}/{len} {msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(name.to_string());
            bar
        });
        Phase { bar }
    }

    /// Clears the bars.
    pub fn finish(&self) {
        if let Some(m) = &self.multi {
            let _ = m.clear();
        }
    }
}

impl Phase {
    /// One step done.
    pub fn inc(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    /// The phase is over.
    pub fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish();
        }
    }
}
