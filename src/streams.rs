//! kz's stderr: one shared, best-effort sink for messages, warnings and `-v` traces.
//!
//! Stdout is a plain `Box<dyn Write>` in the context because its errors matter (a broken pipe
//! ends kz quietly, anything else fails the command). Stderr is different: it is shared by the
//! context and the API client's trace, and a closed or broken stderr must neither abort kz nor
//! change its exit code, so its writes cannot fail.

use std::fmt::Display;
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

/// Where kz's diagnostics go. Cheap to clone; every clone writes to the same stream, one whole
/// message at a time, so lines from the trace and from a command never interleave.
#[derive(Clone)]
pub struct Stderr(Arc<Mutex<Box<dyn Write + Send>>>);

impl Stderr {
    /// Diagnostics written to `writer` (the process's stderr, or a buffer in tests).
    pub fn new(writer: impl Write + Send + 'static) -> Self {
        Stderr(Arc::new(Mutex::new(Box::new(writer))))
    }

    /// The process's stderr.
    pub fn process() -> Self {
        Stderr::new(std::io::stderr())
    }

    /// Writes `text` as it is. Errors are ignored: diagnostics are best effort.
    pub fn print(&self, text: impl Display) {
        self.write(&text.to_string());
    }

    /// Writes `line` and a newline. Errors are ignored: diagnostics are best effort.
    pub fn line(&self, line: impl Display) {
        self.write(&format!("{line}\n"));
    }

    fn write(&self, text: &str) {
        // A writer that panicked mid-message leaves nothing inconsistent behind: keep using it.
        let mut writer = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = writer.write_all(text.as_bytes());
        let _ = writer.flush();
    }
}

/// A shared in-memory stream for tests: give one clone to the code under test and read what
/// it wrote from another.
#[cfg(test)]
#[derive(Debug, Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

#[cfg(test)]
impl Captured {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(test)]
impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream whose reader has gone away; counts the writes tried on it.
    #[derive(Clone, Default)]
    struct Broken(Arc<Mutex<usize>>);

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            *self.0.lock().unwrap() += 1;
            Err(std::io::ErrorKind::BrokenPipe.into())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
    }

    #[test]
    fn clones_write_to_the_same_stream() {
        let captured = Captured::default();
        let stderr = Stderr::new(captured.clone());
        let trace = stderr.clone();
        stderr.line("warning: first");
        trace.print("GET /api 200 OK\n");
        stderr.line(format_args!("{} found", "No resources"));
        assert_eq!(
            captured.text(),
            "warning: first\nGET /api 200 OK\nNo resources found\n"
        );
    }

    #[test]
    fn a_broken_stderr_is_ignored() {
        let broken = Broken::default();
        let stderr = Stderr::new(broken.clone());
        stderr.line("nobody reads this");
        stderr.print("nor this");
        assert_eq!(*broken.0.lock().unwrap(), 2, "both writes were tried");
    }
}
