//! Ctrl-C for the commands that wait: `get --watch`, `rollout status`, `delete --wait` (and
//! `logs -f` and `apply`, which listen through the same `CtrlC` and end in their own way:
//! logs prints what it read in whole lines first, apply reports what it applied).
//!
//! kubectl stops them at once and silently, with exit code 1 (its interrupt handler ends in
//! `os.Exit(1)`); kz does the same. The wait is dropped between two awaits, and printers write
//! whole lines in between, so what was printed is flushed whole: no half-printed line.
//! (`apply` reports what it applied and exits 130.)

use std::future::Future;

use anyhow::Result;

use crate::error::ExitStatus;

/// kubectl's exit code for a wait stopped by Ctrl-C.
pub const EXIT_STOPPED: u8 = 1;

/// Runs `work` to its end, or until Ctrl-C comes: then the error is `ExitStatus(1)`, with
/// nothing more to print. Must run inside kz's runtime.
pub async fn stop_on_ctrl_c<T>(work: impl Future<Output = Result<T>>) -> Result<T> {
    CtrlC::listen().stop(work).await
}

/// A Ctrl-C listener, set up before the output a user may answer with Ctrl-C (from then on
/// SIGINT no longer kills kz: it is a request to stop the wait).
pub struct CtrlC {
    /// `None` when no handler could be set up: the work then just runs.
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl CtrlC {
    /// Starts listening now. Must be called inside kz's runtime.
    pub fn listen() -> CtrlC {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            CtrlC {
                signal: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        CtrlC {}
    }

    /// Runs `work` to its end, or until Ctrl-C comes (or came since `listen`): then the error
    /// is `ExitStatus(1)`, with nothing more to print.
    pub async fn stop<T>(&mut self, work: impl Future<Output = Result<T>>) -> Result<T> {
        tokio::select! {
            biased;
            () = self.interrupted() => Err(ExitStatus(EXIT_STOPPED).into()),
            result = work => result,
        }
    }

    /// Resolves when Ctrl-C comes (or came since `listen`); never, when no handler could be
    /// set up. For commands that end on Ctrl-C in their own way (`logs -f`, `apply`).
    pub async fn interrupted(&mut self) {
        #[cfg(unix)]
        let received = match &mut self.signal {
            Some(signal) => signal.recv().await.is_some(),
            None => false,
        };
        #[cfg(not(unix))]
        let received = tokio::signal::ctrl_c().await.is_ok();
        if !received {
            std::future::pending::<()>().await;
        }
    }
}
