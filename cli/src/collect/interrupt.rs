//! Ctrl-C during collection: caught while a [`Catch`] is alive, the default again afterwards.
//!
//! Why not `tokio::signal::ctrl_c()`: tokio installs its SIGINT handler for the life of the
//! process and never removes it, so after a live collection a `scan` or `audit` could no
//! longer be stopped with Ctrl-C while it analysed (the handler swallowed the signal). Here
//! the first [`Catch`] installs a handler that only sets a flag, and the last one to be dropped
//! puts back whatever was there before (the default: end the process). Collection polls
//! [`interrupted`] and stops with `CollectError::Interrupted`.
//!
//! This is the one place in the workspace with `unsafe` code: `sigaction(2)` through `libc`.
//! The handler does nothing but store to an atomic, which is async-signal-safe.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Set by the handler.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The live [`Catch`]es, and what SIGINT did before the first of them.
static STATE: Mutex<Option<Installed>> = Mutex::new(None);

/// While alive, SIGINT sets [`interrupted`] instead of ending the process. Nested and
/// concurrent catches share one handler; the previous disposition comes back when the last is
/// dropped.
#[derive(Debug)]
pub struct Catch(());

impl Catch {
    /// Starts catching SIGINT. If the handler cannot be installed, Ctrl-C keeps its default
    /// meaning (the process ends; nothing half-written is left either way, since snapshots are
    /// written to a temporary file and renamed).
    pub fn start() -> Catch {
        if let Ok(mut state) = STATE.lock() {
            match state.as_mut() {
                Some(installed) => installed.users += 1,
                None => {
                    INTERRUPTED.store(false, Ordering::SeqCst);
                    *state = sys::install().map(|previous| Installed { users: 1, previous });
                }
            }
        }
        Catch(())
    }
}

impl Drop for Catch {
    fn drop(&mut self) {
        if let Ok(mut state) = STATE.lock()
            && let Some(installed) = state.as_mut()
        {
            installed.users -= 1;
            if installed.users == 0
                && let Some(done) = state.take()
            {
                sys::restore(&done.previous);
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

/// The handler's bookkeeping.
#[derive(Debug)]
struct Installed {
    users: usize,
    previous: sys::Previous,
}

#[cfg(unix)]
#[expect(
    unsafe_code,
    reason = "sigaction(2) has no safe wrapper in the workspace's dependencies; the handler only stores to an atomic"
)]
mod sys {
    use std::sync::atomic::Ordering;

    /// What SIGINT did before.
    pub struct Previous(libc::sigaction);

    impl std::fmt::Debug for Previous {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Previous(sigaction)")
        }
    }

    // SAFETY: `sigaction` is plain data (a handler address, flags and a mask); it is only ever
    // handed back to `sigaction(2)`.
    unsafe impl Send for Previous {}

    extern "C" fn on_sigint(_: libc::c_int) {
        super::INTERRUPTED.store(true, Ordering::SeqCst);
    }

    /// Installs the flag-setting handler; the previous disposition, or `None` if it failed.
    pub fn install() -> Option<Previous> {
        // SAFETY: zeroed `sigaction` structs are valid (integers, a mask, a nullable function
        // pointer); `sigemptyset` and `sigaction` get pointers to live locals; `on_sigint` is
        // async-signal-safe.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            (libc::sigaction(libc::SIGINT, &action, &mut previous) == 0)
                .then_some(Previous(previous))
        }
    }

    /// Puts the previous disposition back.
    pub fn restore(previous: &Previous) {
        // SAFETY: `previous` came from `sigaction(2)` itself.
        unsafe {
            libc::sigaction(libc::SIGINT, &previous.0, std::ptr::null_mut());
        }
    }

    /// Is SIGINT's disposition the default right now? (For tests.)
    #[cfg(test)]
    pub fn is_default() -> bool {
        // SAFETY: a null new action only reads the current one into a live local.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            libc::sigaction(libc::SIGINT, std::ptr::null(), &mut current) == 0
                && current.sa_sigaction == libc::SIG_DFL
        }
    }
}

#[cfg(not(unix))]
mod sys {
    //! Elsewhere there is no handler to install: Ctrl-C keeps its default meaning (the
    //! process ends, and the atomic write leaves nothing half-written).

    /// Nothing to restore.
    #[derive(Debug)]
    pub struct Previous;

    /// Installs nothing.
    pub fn install() -> Option<Previous> {
        None
    }

    /// Restores nothing.
    pub fn restore(_: &Previous) {}
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn catches_nest_and_the_last_one_puts_the_default_back() {
        // Nothing else in this test binary catches SIGINT (only `collect_live` does, and no
        // unit test calls it), and the test harness leaves it at the default.
        assert!(sys::is_default());
        let outer = Catch::start();
        assert!(!sys::is_default());
        let inner = Catch::start();
        drop(outer);
        assert!(!sys::is_default(), "still caught while one catch is alive");
        drop(inner);
        assert!(sys::is_default(), "the default disposition is back");
        assert!(!interrupted());
    }
}
