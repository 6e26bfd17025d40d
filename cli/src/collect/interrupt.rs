//! Ctrl-C during collection: caught while a [`Catch`] is alive, the default again afterwards.
//!
//! Why not `tokio::signal::ctrl_c()`: tokio installs its SIGINT handler for the life of the
//! process and never removes it, so after a live collection a `scan` or `audit` could no
//! longer be stopped with Ctrl-C while it analysed (the handler swallowed the signal).
//!
//! `signal-hook` cannot remove its handler either (signal-hook-registry keeps the OS handler
//! once installed, for the reasons its documentation gives), so this module does not try to:
//! the first [`Catch`] of the process registers two actions on SIGINT, once and for good,
//!
//! 1. [`signal_hook::flag::register_conditional_default`]: while no [`Catch`] is alive, run the
//!    emulation of the default action, which puts SIG_DFL back and raises SIGINT again, so the
//!    process ends *killed by SIGINT*, exactly as if nothing had ever caught it (a shell sees
//!    130);
//! 2. [`signal_hook::flag::register`]: otherwise set the flag that [`interrupted`] reads.
//!    Collection polls it and stops with `CollectError::Interrupted`.
//!
//! A process that never collects (`scan --snapshot`, ...) never touches SIGINT at all.
//!
//! One difference from the default remains: a process started with SIGINT *ignored* (a
//! background job of a non-interactive shell) is ended by Ctrl-C after a collection, since
//! signal-hook offers no safe way to read the disposition it replaces.
//!
//! No `unsafe` here: signal-hook's `flag` functions are safe (their actions only store to or
//! load from an atomic, and the emulation is async-signal-safe).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use signal_hook::consts::SIGINT;

/// Set by the signal action while a [`Catch`] is alive.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// True while no [`Catch`] is alive: SIGINT then gets its default action.
static UNCAUGHT: AtomicBool = AtomicBool::new(true);

/// How many [`Catch`]es are alive.
static USERS: Mutex<usize> = Mutex::new(0);

/// Whether the two actions were registered (once per process, on the first [`Catch`]).
static REGISTERED: OnceLock<bool> = OnceLock::new();

/// While alive, SIGINT sets [`interrupted`] instead of ending the process. Nested and
/// concurrent catches share one state; Ctrl-C ends the process again once the last is dropped.
#[derive(Debug)]
pub struct Catch(());

impl Catch {
    /// Starts catching SIGINT. If the actions cannot be registered, Ctrl-C keeps its default
    /// meaning (the process ends; nothing half-written is left either way, since snapshots are
    /// written to a temporary file and renamed).
    pub fn start() -> Catch {
        if *REGISTERED.get_or_init(register) {
            let mut users = USERS
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if *users == 0 {
                INTERRUPTED.store(false, Ordering::SeqCst);
                UNCAUGHT.store(false, Ordering::SeqCst);
            }
            *users += 1;
        }
        Catch(())
    }
}

impl Drop for Catch {
    fn drop(&mut self) {
        if REGISTERED.get() == Some(&true) {
            let mut users = USERS
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *users = users.saturating_sub(1);
            if *users == 0 {
                UNCAUGHT.store(true, Ordering::SeqCst);
            }
        }
    }
}

/// Has SIGINT arrived since the first live [`Catch`] started?
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Resolves once [`interrupted`] is true (checked every 50 ms).
pub async fn signalled() {
    while !interrupted() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Registers the default-when-uncaught action, then the flag (signal-hook runs a signal's
/// actions in the order they were registered); both stay for the life of the process. False if
/// either failed: then no [`Catch`] counts, [`UNCAUGHT`] stays true, and Ctrl-C keeps its
/// default meaning whether or not the first action got registered.
fn register() -> bool {
    signal_hook::flag::register_conditional_default(SIGINT, &UNCAUGHT).is_ok()
        && signal_hook::flag::register(SIGINT, &INTERRUPTED).is_ok()
}

#[cfg(all(test, unix))]
mod tests {
    //! Signals are process-wide and the actions are never removed, so the behaviour is checked
    //! in a child process: this test binary run again for one test, whose exit status tells.

    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Command;

    /// Set in the child's environment.
    const CHILD: &str = "IAMSIGHT_INTERRUPT_TEST_CHILD";

    /// Waits up to a second for [`interrupted`] (the action runs on the raising thread before
    /// `raise` returns, but nothing promises it).
    fn seen() -> bool {
        let started = std::time::Instant::now();
        while !interrupted() {
            if started.elapsed() > Duration::from_secs(1) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        true
    }

    /// In the child: Ctrl-C is caught by nested catches, until the last is dropped; then it
    /// kills the process. Prints each stage it got through.
    fn child() -> std::io::Result<()> {
        let outer = Catch::start();
        let inner = Catch::start();
        signal_hook::low_level::raise(SIGINT)?;
        assert!(seen(), "SIGINT caught while collecting");
        println!("stage: caught");
        drop(outer);
        INTERRUPTED.store(false, Ordering::SeqCst);
        signal_hook::low_level::raise(SIGINT)?;
        assert!(seen(), "still caught while one catch is alive");
        println!("stage: caught by the inner catch");
        drop(inner);
        // A new collection starts with the flag cleared.
        drop(Catch::start());
        assert!(!interrupted(), "a new catch starts uninterrupted");
        println!("stage: uncaught");
        signal_hook::low_level::raise(SIGINT)?;
        std::thread::sleep(Duration::from_secs(1));
        println!("stage: survived SIGINT");
        Ok(())
    }

    #[test]
    fn sigint_is_caught_only_while_a_catch_is_alive() {
        if std::env::var_os(CHILD).is_some() {
            child().unwrap();
            return;
        }
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "collect::interrupt::tests::sigint_is_caught_only_while_a_catch_is_alive",
                "--exact",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stages: Vec<&str> = stdout
            .lines()
            // The harness prints `test NAME ... ` without a newline before the first stage.
            .filter_map(|l| l.split_once("stage: ").map(|(_, stage)| stage))
            .collect();
        assert_eq!(
            stages,
            ["caught", "caught by the inner catch", "uncaught"],
            "{}\n{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Killed by the signal itself, as a process that never caught it would be.
        assert_eq!(out.status.signal(), Some(SIGINT), "{:?}", out.status);
    }
}
