//! Reading one container's log: the request, its lines formatted and handed on whole, and,
//! when following, a stream the server cuts while the container still runs resumed from the
//! last line's timestamp, with nothing lost or repeated.

use std::sync::Arc;

use anyhow::Result;
use serde_json::Value;
use tokio::sync::mpsc;

use super::format::{Line, LineFormat};
use super::pick::Source;
use super::request::{Cursor, LogOptions, log_path, split_timestamp};
use crate::api::JSON_ACCEPT;
use crate::api::watch::{Backoff, BackoffPolicy};
use crate::client::ApiClient;
use crate::discovery::ResourceType;

/// kubectl's `Accept` for log requests.
const LOG_ACCEPT: &str = "application/json, */*";

/// What a stream task hands the writer.
#[derive(Debug)]
pub enum Message {
    /// Whole formatted lines, ready to write.
    Output(Vec<u8>),
    /// The stream of `source` is over: the container's log ended, or it failed.
    Ended { source: Source, result: Result<()> },
}

/// One container's log request, with what is needed to make it again.
#[derive(Clone)]
pub struct StreamRequest {
    pub client: ApiClient,
    pub pods: ResourceType,
    pub source: Source,
    pub options: LogOptions,
    pub format: Arc<LineFormat>,
}

impl StreamRequest {
    /// Reads the log to its end (or, following, for as long as the container runs) and sends
    /// the lines to `sink`, then says it ended. Returns early if the writer has gone.
    pub async fn run(self, sink: mpsc::Sender<Message>) {
        let result = self.read(&sink).await;
        let _ = sink
            .send(Message::Ended {
                source: self.source,
                result,
            })
            .await;
    }

    fn resumes(&self) -> bool {
        self.options.follow && !self.options.previous && self.options.limit_bytes.is_none()
    }

    async fn read(&self, sink: &mpsc::Sender<Message>) -> Result<()> {
        let format = self.format.for_source(&self.source);
        let mut cursor = Cursor::default();
        let policy = BackoffPolicy::default();
        let mut backoff = Backoff::new(policy);
        // Requests in a row that failed while resuming (the stream, or the look at the pod).
        let mut failed_connects = 0;
        loop {
            let path = log_path(&self.pods, &self.source, &self.options, Some(&cursor));
            let mut stream = match self.client.stream(&path, LOG_ACCEPT).await {
                Ok(stream) => stream,
                // The first answer is the command's (a container not started, no previous
                // instance); a resume that fails is tried again a few times.
                Err(err) if !cursor.started() || failed_connects >= policy.max_failed_connects => {
                    return Err(err);
                }
                Err(_) => {
                    failed_connects += 1;
                    tokio::time::sleep(backoff.next_delay()).await;
                    continue;
                }
            };
            failed_connects = 0;
            let mut replay = cursor.replay_filter();
            let mut lines = 0usize;
            let ended = loop {
                let raw = match stream.next_raw_line().await {
                    Ok(Some(raw)) => raw,
                    Ok(None) => break Ok(()),
                    Err(err) => break Err(err),
                };
                let ended = raw.last() == Some(&b'\n');
                let whole = if ended { &raw[..raw.len() - 1] } else { &raw };
                let (time, message) = if self.options.timestamps {
                    split_timestamp(whole)
                } else {
                    (None, whole)
                };
                if replay.already_seen(time) {
                    continue;
                }
                if let Some(time) = time {
                    cursor.seen(time);
                }
                lines += 1;
                let line = Line {
                    whole,
                    time,
                    message,
                    ended,
                };
                let mut out = Vec::with_capacity(whole.len() + 64);
                if self.format.write(&format, &line, &mut out)
                    && sink.send(Message::Output(out)).await.is_err()
                {
                    return Ok(());
                }
            };
            if !self.resumes() {
                return ended;
            }
            // A server that went away (restarting) is waited for as a failed resume is.
            match self.still_running().await {
                Ok(true) => {}
                Ok(false) => return Ok(()),
                Err(err) if failed_connects >= policy.max_failed_connects => return Err(err),
                Err(_) => {
                    failed_connects += 1;
                    tokio::time::sleep(backoff.next_delay()).await;
                    continue;
                }
            }
            if lines > 0 {
                backoff.reset();
            } else {
                tokio::time::sleep(backoff.next_delay()).await;
            }
        }
    }

    /// Whether the container is still running, so that the end of its stream was the
    /// server's doing (a timeout, a restart, a proxy) and not the container's.
    async fn still_running(&self) -> Result<bool> {
        let path = crate::api::object_path(
            &self.pods,
            Some(&self.source.namespace),
            &self.source.pod,
            None,
        );
        let pod: Value = match self.client.get(&path, JSON_ACCEPT).await {
            Ok(response) => response.json()?,
            Err(err) if crate::error::reason(&err) == Some(crate::error::Reason::NotFound) => {
                return Ok(false);
            }
            Err(err) => return Err(err),
        };
        if !pod["metadata"]["deletionTimestamp"].is_null() {
            return Ok(false);
        }
        Ok(running(&pod, &self.source.container))
    }
}

/// Whether `container` (of any kind) runs in `pod`, by its status.
pub fn running(pod: &Value, container: &str) -> bool {
    container_state(pod, container).is_some_and(|state| state.get("running").is_some())
}

/// Whether `container` has started at some point, so it has a log to read.
pub fn started(pod: &Value, container: &str) -> bool {
    container_state(pod, container)
        .is_some_and(|state| state.get("running").is_some() || state.get("terminated").is_some())
}

fn container_state<'a>(pod: &'a Value, container: &str) -> Option<&'a Value> {
    [
        "containerStatuses",
        "initContainerStatuses",
        "ephemeralContainerStatuses",
    ]
    .iter()
    .filter_map(|list| pod["status"][list].as_array())
    .flatten()
    .find(|status| status["name"] == container)
    .map(|status| &status["state"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn container_states_from_the_pod_status() {
        let pod = json!({"status": {
        "initContainerStatuses": [{"name": "setup", "state": {"terminated": {"exitCode": 0}}}],
        "containerStatuses": [
            {"name": "web", "state": {"running": {}}},
            {"name": "sidecar", "state": {"waiting": {"reason": "ContainerCreating"}}}
        ]}});
        assert!(running(&pod, "web") && started(&pod, "web"));
        assert!(!running(&pod, "setup") && started(&pod, "setup"));
        assert!(!started(&pod, "sidecar"));
        assert!(!started(&pod, "missing"));
    }
}
