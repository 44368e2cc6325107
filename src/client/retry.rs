//! When a request is sent again, the way client-go's REST client decides it (`checkWait`,
//! `IsNextRetry` and `request`'s retryable errors), with kz's bounds:
//!
//! - An answer of 429, or of 5xx with a `Retry-After` header, says the server did not act: it
//!   is retried after the server's delay (capped at `MAX_WAIT`), whatever the method, up to
//!   `MAX_RETRIES` times in all (client-go's default), after which the last answer stands.
//! - A `GET` whose connection or answer broke off (connection reset, EOF mid-body) is retried,
//!   at most `MAX_UNANSWERED_RETRIES` times, with a doubling backoff from `FIRST_BACKOFF`. A
//!   server that cannot be reached at all (connection refused, a name that does not resolve)
//!   is not: client-go's `IsProbableEOF` does not count those, so kubectl says at once that
//!   nothing answers there, and so does kz. (`rollout status`, `get -w` and `logs -f` wait
//!   out a restarting server with their own reconnects.)
//! - A write (`POST`, `PUT`, `PATCH`, `DELETE`) that was sent and got no whole answer is never
//!   sent again: the server may have acted on it. It is reported as an `UnconfirmedWrite`.
//! - A `--request-timeout` that ran out is the user's bound for the request: not retried, and
//!   for a write reported as an `UnconfirmedWrite` too. An untrusted certificate or failing
//!   credentials are not retried: trying again would not change them.

use std::time::Duration;

use http::header::RETRY_AFTER;
use http::{HeaderMap, Method, StatusCode};

/// Retries in all, as client-go's `maxRetries` default.
pub const MAX_RETRIES: u32 = 10;
/// The longest kz waits for one `Retry-After`, whatever the server asks.
pub const MAX_WAIT: Duration = Duration::from_secs(10);
/// Retries of a `GET` that got no answer.
pub const MAX_UNANSWERED_RETRIES: u32 = 3;
/// The first wait after a `GET` that got no answer; each further wait doubles it.
pub const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// How far a request that got no answer went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Nothing answers there: the connection was refused, the name did not resolve.
    Unreachable,
    /// No byte of the request left: the connection broke while it was being made.
    NotSent,
    /// The request was sent (or may have been) and its answer did not come back whole.
    MaybeSent,
    /// No answer within `--request-timeout`: the user's bound for the request, which may
    /// have been sent.
    TimedOut,
    /// Trying again would not help: an untrusted certificate, credentials.
    Final,
}

/// Why the next attempt is made, for the `-v` trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The server asked to be asked again after this many seconds.
    RetryAfter(u64),
    /// The last attempt got no answer.
    Unanswered,
}

/// The next attempt: after how long, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub wait: Duration,
    pub reason: Reason,
    /// 1 for the first retry.
    pub attempt: u32,
}

/// The retries of one request.
#[derive(Debug)]
pub struct Retries {
    idempotent: bool,
    attempts: u32,
    unanswered: u32,
}

impl Retries {
    pub fn new(method: &Method) -> Retries {
        Retries {
            idempotent: method == Method::GET,
            attempts: 0,
            unanswered: 0,
        }
    }

    /// After an answer: the retry the server asked for, if it did and retries are left.
    pub fn after_answer(&mut self, status: StatusCode, headers: &HeaderMap) -> Option<Retry> {
        let seconds = retry_after(status, headers)?;
        self.next(
            Duration::from_secs(seconds).min(MAX_WAIT),
            Reason::RetryAfter(seconds),
        )
    }

    /// After a request that got no answer: a retry, for a `GET` whose connection or answer
    /// broke off, with retries left.
    pub fn after_failure(&mut self, failure: Failure) -> Option<Retry> {
        if !self.idempotent
            || !matches!(failure, Failure::NotSent | Failure::MaybeSent)
            || self.unanswered >= MAX_UNANSWERED_RETRIES
        {
            return None;
        }
        let wait = FIRST_BACKOFF * 2u32.pow(self.unanswered);
        self.unanswered += 1;
        self.next(wait, Reason::Unanswered)
    }

    fn next(&mut self, wait: Duration, reason: Reason) -> Option<Retry> {
        if self.attempts >= MAX_RETRIES {
            return None;
        }
        self.attempts += 1;
        Some(Retry {
            wait,
            reason,
            attempt: self.attempts,
        })
    }
}

/// client-go's `checkWait`: the seconds of `Retry-After` on a 429 or a 5xx. Other answers, and
/// these without the header (or with a date kz does not read), are final.
fn retry_after(status: StatusCode, headers: &HeaderMap) -> Option<u64> {
    if status != StatusCode::TOO_MANY_REQUESTS && !status.is_server_error() {
        return None;
    }
    headers.get(RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()
}

/// What a write was meant to do, for the report that it may have been done:
/// `create configmaps "web" in namespace "shop"`. The name of a created object is in its body.
pub fn describe_write(method: &Method, path: &str, body: &[u8]) -> String {
    let verb = match *method {
        Method::POST => "create",
        Method::PUT => "replace",
        Method::PATCH => "patch",
        Method::DELETE => "delete",
        _ => method.as_str(),
    };
    let path = path.split('?').next().unwrap_or(path);
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    // `api/v1/…` or `apis/<group>/<version>/…`.
    let rest = match segments.as_slice() {
        ["api", _, rest @ ..] => rest,
        ["apis", _, _, rest @ ..] => rest,
        _ => return format!("{verb} {path}"),
    };
    let (namespace, rest) = match rest {
        ["namespaces", namespace, rest @ ..] if !rest.is_empty() => (Some(*namespace), rest),
        rest => (None, rest),
    };
    let created_name = || {
        serde_json::from_slice::<serde_json::Value>(body)
            .ok()
            .and_then(|object| object["metadata"]["name"].as_str().map(str::to_owned))
    };
    let (resource, name, subresource) = match rest {
        [resource] => (*resource, created_name(), None),
        [resource, name] => (*resource, Some((*name).to_owned()), None),
        [resource, name, subresource, ..] => {
            (*resource, Some((*name).to_owned()), Some(*subresource))
        }
        [] => return format!("{verb} {path}"),
    };
    let mut text = format!("{verb} {resource}");
    if let Some(name) = name {
        text.push_str(&format!(" {name:?}"));
    }
    if let Some(subresource) = subresource {
        text.push_str(&format!(" ({subresource})"));
    }
    if let Some(namespace) = namespace {
        text.push_str(&format!(" in namespace {namespace:?}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_str(retry_after).expect("header"),
        );
        headers
    }

    #[test]
    fn throttling_answers_are_retried_after_the_servers_delay_capped() {
        let mut retries = Retries::new(&Method::POST);
        let retry = retries.after_answer(StatusCode::TOO_MANY_REQUESTS, &headers("2"));
        assert_eq!(
            retry,
            Some(Retry {
                wait: Duration::from_secs(2),
                reason: Reason::RetryAfter(2),
                attempt: 1
            })
        );
        let retry = retries.after_answer(StatusCode::SERVICE_UNAVAILABLE, &headers("3600"));
        assert_eq!(retry.map(|r| r.wait), Some(MAX_WAIT));
        let retry = retries.after_answer(StatusCode::INTERNAL_SERVER_ERROR, &headers(" 0 "));
        assert_eq!(retry.map(|r| r.wait), Some(Duration::ZERO));
    }

    #[test]
    fn answers_without_retry_after_or_of_other_codes_are_final() {
        let mut retries = Retries::new(&Method::GET);
        let none = HeaderMap::new();
        assert_eq!(
            retries.after_answer(StatusCode::TOO_MANY_REQUESTS, &none),
            None
        );
        assert_eq!(
            retries.after_answer(StatusCode::SERVICE_UNAVAILABLE, &none),
            None
        );
        for code in [StatusCode::OK, StatusCode::CONFLICT, StatusCode::NOT_FOUND] {
            assert_eq!(retries.after_answer(code, &headers("1")), None, "{code}");
        }
        let date = headers("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(
            retries.after_answer(StatusCode::SERVICE_UNAVAILABLE, &date),
            None
        );
    }

    #[test]
    fn retries_run_out() {
        let mut retries = Retries::new(&Method::GET);
        let answers = std::iter::from_fn(|| {
            retries.after_answer(StatusCode::TOO_MANY_REQUESTS, &headers("0"))
        });
        assert_eq!(answers.count(), MAX_RETRIES as usize);
    }

    #[test]
    fn only_gets_whose_connection_broke_are_retried_with_a_doubling_backoff() {
        let mut get = Retries::new(&Method::GET);
        let waits: Vec<Duration> =
            std::iter::from_fn(|| get.after_failure(Failure::MaybeSent).map(|r| r.wait)).collect();
        assert_eq!(
            waits,
            [250, 500, 1000].map(Duration::from_millis),
            "bounded by MAX_UNANSWERED_RETRIES"
        );
        assert!(
            Retries::new(&Method::GET)
                .after_failure(Failure::NotSent)
                .is_some()
        );
        for failure in [Failure::Unreachable, Failure::TimedOut, Failure::Final] {
            assert_eq!(
                Retries::new(&Method::GET).after_failure(failure),
                None,
                "{failure:?}"
            );
        }
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            for failure in [Failure::Unreachable, Failure::NotSent, Failure::MaybeSent] {
                assert_eq!(
                    Retries::new(&method).after_failure(failure),
                    None,
                    "{method} {failure:?}"
                );
            }
        }
    }

    #[test]
    fn the_unanswered_and_the_throttled_share_one_bound() {
        let mut retries = Retries::new(&Method::GET);
        for _ in 0..MAX_RETRIES - 1 {
            assert!(
                retries
                    .after_answer(StatusCode::TOO_MANY_REQUESTS, &headers("0"))
                    .is_some()
            );
        }
        assert!(retries.after_failure(Failure::MaybeSent).is_some());
        assert_eq!(retries.after_failure(Failure::MaybeSent), None);
    }

    #[test]
    fn writes_are_described_by_their_object() {
        let cases = [
            (
                Method::POST,
                "/api/v1/namespaces/shop/configmaps?fieldManager=kubectl-create",
                br#"{"metadata":{"name":"web"}}"#.as_slice(),
                r#"create configmaps "web" in namespace "shop""#,
            ),
            (
                Method::PATCH,
                "/apis/apps/v1/namespaces/shop/deployments/frontend",
                b"{}",
                r#"patch deployments "frontend" in namespace "shop""#,
            ),
            (
                Method::PUT,
                "/apis/apps/v1/namespaces/shop/deployments/frontend/scale",
                b"",
                r#"replace deployments "frontend" (scale) in namespace "shop""#,
            ),
            (
                Method::DELETE,
                "/api/v1/namespaces/shop",
                b"",
                r#"delete namespaces "shop""#,
            ),
            (Method::POST, "/api/v1/nodes", b"not json", "create nodes"),
            (Method::POST, "/version", b"", "create /version"),
        ];
        for (method, path, body, expected) in cases {
            assert_eq!(describe_write(&method, path, body), expected, "{path}");
        }
    }
}
