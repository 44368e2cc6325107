//! The watch stream every verb that waits shares (`get -w`, `rollout status`, `logs -f`'s pod
//! pick-up): list, then watch from the list's resourceVersion, for as long as the caller reads.
//!
//! The stream owns the protocol: bookmarks move the resume point without reaching the caller;
//! a stream the server ends (its timeout, a dropped connection) is resumed from the last
//! resourceVersion seen; a resourceVersion too old to resume from (410 Gone, as an answer or
//! an ERROR event) leads to a fresh list, handed to the caller as a relist; failed reconnects
//! back off exponentially with jitter up to a cap, so a server that closes every stream right
//! after its headers is not hammered.

use std::hash::{BuildHasher as _, Hasher as _};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use serde_json::Value;

use super::list::{ListRequest, Page, Pages};
use super::path::{Query, collection_path};
use crate::client::{ApiClient, BodyStream};
use crate::error::{self, Reason, ServerError};

/// What a watch event says happened to its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    fn parse(text: &str) -> Option<EventType> {
        match text {
            "ADDED" => Some(EventType::Added),
            "MODIFIED" => Some(EventType::Modified),
            "DELETED" => Some(EventType::Deleted),
            _ => None,
        }
    }

    /// `ADDED`, `MODIFIED`, `DELETED`, as the API and kubectl spell them.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// What the watch hands its reader.
#[derive(Debug)]
pub enum WatchItem {
    /// A page of the list the watch starts from. `relist` when the watch had to list again
    /// (410): the page shows the objects as they are now, seen before or not.
    Listed { page: Page, relist: bool },
    /// A change (the object, or a one-row Table when the watch asked for Tables).
    Event { kind: EventType, object: Value },
}

/// How reconnects are paced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    pub initial: Duration,
    pub cap: Duration,
    /// Consecutive requests that get no answer at all (refused, reset, timed out) before the
    /// watch gives up. Streams that open and then end are resumed without limit.
    pub max_failed_connects: u32,
    /// A stream open this long was healthy even if it brought no event.
    pub healthy_after: Duration,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            initial: Duration::from_millis(500),
            cap: Duration::from_secs(30),
            max_failed_connects: 5,
            healthy_after: Duration::from_secs(10),
        }
    }
}

/// Capped exponential backoff with jitter: the n-th delay in a row is drawn from
/// [d/2, d] with d = min(cap, initial × 2ⁿ).
#[derive(Debug, Clone)]
pub struct Backoff {
    policy: BackoffPolicy,
    attempt: u32,
    seed: u64,
}

impl Backoff {
    pub fn new(policy: BackoffPolicy) -> Backoff {
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Backoff::with_seed(policy, seed)
    }

    fn with_seed(policy: BackoffPolicy, seed: u64) -> Backoff {
        Backoff {
            policy,
            attempt: 0,
            seed,
        }
    }

    /// The delay before the next attempt; each call doubles the next one, up to the cap.
    pub fn next_delay(&mut self) -> Duration {
        let doubled = self
            .policy
            .initial
            .saturating_mul(1u32 << self.attempt.min(20));
        let ceiling = doubled.min(self.policy.cap);
        self.attempt = self.attempt.saturating_add(1);
        // xorshift64: jitter needs spread, not cryptographic quality.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let fraction = (self.seed % 1001) as f64 / 1000.0;
        ceiling.mul_f64(0.5 + fraction / 2.0)
    }

    /// A healthy stream: the next delay starts from `initial` again.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

enum State {
    /// Listing (first, or again after a 410).
    Listing { pages: Pages, relist: bool },
    /// Opening a watch from `resource_version`, after waiting `delay`.
    Connecting { delay: Option<Duration> },
    Streaming {
        stream: BodyStream,
        opened: Instant,
        events: usize,
    },
}

/// A list followed by an endless watch of one collection.
pub struct Watcher {
    client: ApiClient,
    request: ListRequest,
    state: Option<State>,
    resource_version: String,
    backoff: Backoff,
    failed_connects: u32,
    policy: BackoffPolicy,
}

impl Watcher {
    /// Starts with a list of `request` (its pages are handed out as `Listed`). Must be called
    /// on the client's runtime.
    pub fn start(client: &ApiClient, request: ListRequest) -> Watcher {
        Watcher::with_policy(client, request, BackoffPolicy::default())
    }

    pub fn with_policy(client: &ApiClient, request: ListRequest, policy: BackoffPolicy) -> Watcher {
        let pages = Pages::start(client, request.clone());
        Watcher {
            client: client.clone(),
            request,
            state: Some(State::Listing {
                pages,
                relist: false,
            }),
            resource_version: String::new(),
            backoff: Backoff::new(policy),
            failed_connects: 0,
            policy,
        }
    }

    /// The next item. Errors are final: the list failed, the server sent an ERROR event other
    /// than 410, or it could not be reached `max_failed_connects` times in a row.
    pub async fn next(&mut self) -> Result<WatchItem> {
        loop {
            let state = self
                .state
                .take()
                .unwrap_or(State::Connecting { delay: None });
            match state {
                State::Listing { mut pages, relist } => match pages.next().await {
                    Some(page) => {
                        let page = page?;
                        if let Some(rv) = page.resource_version() {
                            self.resource_version = rv.to_string();
                        }
                        self.state = Some(State::Listing { pages, relist });
                        return Ok(WatchItem::Listed { page, relist });
                    }
                    None => self.state = Some(State::Connecting { delay: None }),
                },
                State::Connecting { delay } => {
                    if let Some(delay) = delay {
                        tokio::time::sleep(delay).await;
                    }
                    self.connect().await?;
                }
                State::Streaming {
                    mut stream,
                    opened,
                    events,
                } => match stream.next_line().await {
                    Ok(Some(line)) => {
                        let item = self.event(&line)?;
                        match item {
                            Some(Step::Item(item)) => {
                                self.state = Some(State::Streaming {
                                    stream,
                                    opened,
                                    events: events + 1,
                                });
                                return Ok(item);
                            }
                            Some(Step::Relist) => self.relist(),
                            None => {
                                let events = events + usize::from(!line.trim_ascii().is_empty());
                                self.state = Some(State::Streaming {
                                    stream,
                                    opened,
                                    events,
                                });
                            }
                        }
                    }
                    // The server ended the stream (or the connection dropped): resume.
                    Ok(None) | Err(_) => {
                        let healthy = events > 0 || opened.elapsed() >= self.policy.healthy_after;
                        if healthy {
                            self.backoff.reset();
                        }
                        let delay = (!healthy).then(|| self.backoff.next_delay());
                        self.state = Some(State::Connecting { delay });
                    }
                },
            }
        }
    }

    fn relist(&mut self) {
        let pages = Pages::start(&self.client, self.request.clone());
        self.state = Some(State::Listing {
            pages,
            relist: true,
        });
    }

    /// Opens the watch; on failure sets the next state (relist, or a delayed retry).
    async fn connect(&mut self) -> Result<()> {
        let query = self
            .request
            .query
            .selectors(Query::new().pair("watch", Some("1")))
            .pair("resourceVersion", Some(&self.resource_version))
            .pair("allowWatchBookmarks", Some("true"));
        let path = format!(
            "{}{query}",
            collection_path(&self.request.rt, self.request.namespace.as_deref())
        );
        match self.client.stream(&path, self.request.accept).await {
            Ok(stream) => {
                self.failed_connects = 0;
                self.state = Some(State::Streaming {
                    stream,
                    opened: Instant::now(),
                    events: 0,
                });
                Ok(())
            }
            Err(err) if error::reason(&err) == Some(Reason::Expired) => {
                self.relist();
                Ok(())
            }
            // Throttled or a server in trouble: worth another try, later. Other answers
            // (forbidden, not found, bad selector) will not change by waiting.
            Err(err)
                if error::reason(&err).is_some_and(|reason| {
                    !matches!(
                        reason,
                        Reason::TooManyRequests
                            | Reason::InternalError
                            | Reason::ServiceUnavailable
                            | Reason::Timeout
                    )
                }) =>
            {
                Err(err)
            }
            Err(err) => {
                self.failed_connects += 1;
                if self.failed_connects >= self.policy.max_failed_connects {
                    return Err(err);
                }
                self.state = Some(State::Connecting {
                    delay: Some(self.backoff.next_delay()),
                });
                Ok(())
            }
        }
    }

    /// One line of the stream: an item for the reader, a relist, or nothing (a bookmark).
    fn event(&mut self, line: &[u8]) -> Result<Option<Step>> {
        if line.trim_ascii().is_empty() {
            return Ok(None);
        }
        let mut event: Value = serde_json::from_slice(line).context("decoding a watch event")?;
        let object = event["object"].take();
        match event["type"].as_str().unwrap_or_default() {
            "BOOKMARK" => {
                if let Some(rv) = object["metadata"]["resourceVersion"].as_str() {
                    self.resource_version = rv.to_string();
                }
                Ok(None)
            }
            "ERROR" => {
                let status: crate::error::Status =
                    serde_json::from_value(object).unwrap_or_default();
                if crate::error::Reason::of_status(&status) == Reason::Expired {
                    return Ok(Some(Step::Relist));
                }
                Err(ServerError { status }.into())
            }
            other => {
                let Some(kind) = EventType::parse(other) else {
                    return Ok(None);
                };
                if let Some(rv) = event_version(&object) {
                    self.resource_version = rv;
                }
                Ok(Some(Step::Item(WatchItem::Event { kind, object })))
            }
        }
    }
}

enum Step {
    Item(WatchItem),
    Relist,
}

/// The resourceVersion an event brings: the object's, or for a Table the row object's.
fn event_version(object: &Value) -> Option<String> {
    let row_object = &object["rows"][0]["object"]["metadata"]["resourceVersion"];
    object["metadata"]["resourceVersion"]
        .as_str()
        .or(row_object.as_str())
        .filter(|rv| !rv.is_empty())
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn event_versions_come_from_objects_or_table_rows() {
        assert_eq!(
            event_version(&json!({"metadata": {"resourceVersion": "7"}})).as_deref(),
            Some("7")
        );
        let table =
            json!({"metadata": {}, "rows": [{"object": {"metadata": {"resourceVersion": "9"}}}]});
        assert_eq!(event_version(&table).as_deref(), Some("9"));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter_in_the_upper_half() {
        let policy = BackoffPolicy {
            initial: Duration::from_millis(100),
            cap: Duration::from_millis(1000),
            ..BackoffPolicy::default()
        };
        for seed in [1, 42, 0xdead_beef, u64::MAX] {
            let mut backoff = Backoff::with_seed(policy, seed);
            let ceilings = [100, 200, 400, 800, 1000, 1000, 1000];
            for ceiling in ceilings {
                let delay = backoff.next_delay().as_millis() as u64;
                assert!(
                    (ceiling / 2..=ceiling).contains(&delay),
                    "seed {seed}: {delay} ms not in [{}, {ceiling}]",
                    ceiling / 2
                );
            }
            backoff.reset();
            assert!(backoff.next_delay() <= Duration::from_millis(100));
        }
    }

    #[test]
    fn jitter_spreads_the_delays() {
        let policy = BackoffPolicy::default();
        let delays: std::collections::BTreeSet<Duration> = (1..=20)
            .map(|seed| Backoff::with_seed(policy, seed).next_delay())
            .collect();
        assert!(delays.len() > 10, "{delays:?}");
    }

    #[test]
    fn a_long_run_of_failures_does_not_overflow() {
        let mut backoff = Backoff::with_seed(BackoffPolicy::default(), 7);
        for _ in 0..200 {
            assert!(backoff.next_delay() <= BackoffPolicy::default().cap);
        }
    }
}
