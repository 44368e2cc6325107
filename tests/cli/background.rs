//! A command running in the background (`get -w`, `rollout status`, `delete --wait`): its
//! stdout and stderr read line by line on threads, waits bounded by `PATIENCE` (never a fixed
//! sleep), Ctrl-C, and what it printed in the end, unsplit, to check for half-printed lines.

use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long to wait for a line or an exit before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chunk {
    Out(Vec<u8>),
    Err(Vec<u8>),
}

pub struct Background {
    child: Child,
    chunks: Receiver<Chunk>,
    /// Everything read so far, per stream, bytes as they came.
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Background {
    pub fn start(mut command: Command, args: &[&str]) -> Background {
        let mut child = command
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let (sender, chunks) = channel();
        let mut out = child.stdout.take().expect("stdout");
        let mut err = child.stderr.take().expect("stderr");
        let to_out = sender.clone();
        std::thread::spawn(move || read_into(&mut out, |bytes| to_out.send(Chunk::Out(bytes))));
        std::thread::spawn(move || read_into(&mut err, |bytes| sender.send(Chunk::Err(bytes))));
        Background {
            child,
            chunks,
            stdout: Vec::new(),
            stderr: Vec::new(),
        }
    }

    /// Reads until stdout has `wanted` in it; fails after `PATIENCE`.
    #[track_caller]
    pub fn until_out(&mut self, wanted: &str) {
        self.until(
            |this| String::from_utf8_lossy(&this.stdout).contains(wanted),
            wanted,
        );
    }

    /// Reads until stderr has `wanted` in it; fails after `PATIENCE`.
    #[track_caller]
    pub fn until_err(&mut self, wanted: &str) {
        self.until(
            |this| String::from_utf8_lossy(&this.stderr).contains(wanted),
            wanted,
        );
    }

    #[track_caller]
    fn until(&mut self, done: impl Fn(&Self) -> bool, wanted: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.chunks.recv_timeout(left) {
                Ok(chunk) => self.take(chunk),
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    panic!("{wanted:?} not printed; so far: {}", self.printed())
                }
            }
        }
    }

    fn take(&mut self, chunk: Chunk) {
        match chunk {
            Chunk::Out(bytes) => self.stdout.extend(bytes),
            Chunk::Err(bytes) => self.stderr.extend(bytes),
        }
    }

    /// Sends SIGINT (Ctrl-C), as a terminal does.
    pub fn interrupt(&mut self) {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("kill -INT");
        assert!(status.success());
    }

    /// Waits for the exit (bounded) and reads the rest of both streams.
    #[track_caller]
    pub fn wait(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(
                Instant::now() < deadline,
                "no exit within {PATIENCE:?}: {}",
                self.printed()
            );
            match self.chunks.recv_timeout(Duration::from_millis(20)) {
                Ok(chunk) => self.take(chunk),
                Err(_) => continue,
            }
        };
        // The pipes close with the process: both readers end.
        while let Ok(chunk) = self.chunks.recv_timeout(PATIENCE) {
            self.take(chunk);
        }
        status
    }

    pub fn printed(&self) -> String {
        format!(
            "stdout: {:?}\nstderr: {:?}",
            String::from_utf8_lossy(&self.stdout),
            String::from_utf8_lossy(&self.stderr)
        )
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_into<E>(stream: &mut impl std::io::Read, mut send: impl FnMut(Vec<u8>) -> Result<(), E>) {
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if send(buffer[..n].to_vec()).is_err() {
                    break;
                }
            }
        }
    }
}
