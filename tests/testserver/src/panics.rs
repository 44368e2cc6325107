//! Panics in the server's own code must fail the test that caused them, not vanish into a
//! closed connection or a silently ended stream. Request handlers and the server's background
//! tasks run as tasks of their own; a panic in one is kept here (what was running, and the
//! panic's message), a handler's client gets the real server's 500, and `TestServer`'s drop
//! panics with everything kept. (Built with `panic = "abort"`, as the release profile is, a
//! panic ends the process at once instead.)

use std::any::Any;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::task::{AbortHandle, JoinHandle};

/// What kube-apiserver's panic filter answers a request whose handler panicked.
pub const PANIC_RESPONSE: &str =
    "This request caused apiserver to panic. Look in the logs for details.\n";

/// The panics seen so far, oldest first: `what panicked: message`.
#[derive(Debug, Default)]
pub struct Panics {
    recorded: Mutex<Vec<String>>,
}

impl Panics {
    /// Keeps a panic of `what` (a request, a watch, a controller) with its message.
    pub fn record(&self, what: &str, payload: &(dyn Any + Send)) {
        let entry = format!("{what}: {}", message(payload));
        self.lock().push(entry);
    }

    /// The panics kept so far, which are then forgotten.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> MutexGuard<'_, Vec<String>> {
        // The list is whole after any push, so a poisoned lock still holds good data.
        self.recorded.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Spawns `task` on the current runtime and keeps a panic in it as a panic of `what`.
/// The returned handle stops the task (a stopped task is not a panic).
pub fn spawn<F>(panics: &Arc<Panics>, what: String, task: F) -> AbortHandle
where
    F: Future<Output = ()> + Send + 'static,
{
    let handle = tokio::spawn(task);
    let abort = handle.abort_handle();
    tokio::spawn(keep_panic(panics.clone(), what, handle));
    abort
}

/// Waits for a task and keeps its panic, if it panicked.
async fn keep_panic(panics: Arc<Panics>, what: String, task: JoinHandle<()>) {
    if let Err(err) = task.await
        && err.is_panic()
    {
        panics.record(&what, &*err.into_panic());
    }
}

/// The text a panic was raised with (`panic!("…")` carries a `&str` or a `String`).
pub fn message(payload: &(dyn Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&'static str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "a panic without a message"
    }
}

/// The message `TestServer`'s drop panics with, or `None` when nothing panicked.
pub fn report(panics: &[String]) -> Option<String> {
    if panics.is_empty() {
        return None;
    }
    let mut text = format!(
        "the test API server panicked {} time(s) while serving this test:",
        panics.len()
    );
    for panic in panics {
        text.push_str("\n  ");
        text.push_str(panic);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_of_both_panic_payloads_are_kept() {
        let panics = Panics::default();
        panics.record("GET /a", &"static text");
        panics.record("GET /b", &String::from("formatted 42"));
        panics.record("GET /c", &42u8);
        assert_eq!(
            panics.take(),
            vec![
                "GET /a: static text",
                "GET /b: formatted 42",
                "GET /c: a panic without a message",
            ]
        );
        assert!(panics.take().is_empty(), "taken once");
    }

    #[test]
    fn the_report_names_every_panic_and_nothing_is_no_report() {
        assert_eq!(report(&[]), None);
        assert_eq!(
            report(&["GET /a: boom".to_string(), "watch pods: bang".to_string()]).as_deref(),
            Some(
                "the test API server panicked 2 time(s) while serving this test:\n  GET /a: boom\n  watch pods: bang"
            )
        );
    }

    #[tokio::test]
    async fn a_panicking_task_is_kept_and_an_aborted_one_is_not() {
        let panics = Arc::new(Panics::default());
        let broken = tokio::spawn(async { panic!("task broke") });
        keep_panic(panics.clone(), "the task".into(), broken).await;
        let idle = tokio::spawn(std::future::pending());
        idle.abort();
        keep_panic(panics.clone(), "the idle task".into(), idle).await;
        assert_eq!(panics.take(), vec!["the task: task broke"]);
    }
}
