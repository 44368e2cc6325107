//! Fault injection: answer errors, delay, drop connections, cut streams or answers mid-body, for
//! chosen requests. (A restart is `TestServer::go_down` and `come_up`.)

use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;

use crate::status::ApiError;

#[derive(Debug, Clone, PartialEq)]
pub enum FaultAction {
    /// Answer with this HTTP status and a matching `Status` body.
    Status(u16),
    /// Answer with this status and a `Retry-After` header (429/503 throttling).
    RetryAfter { status: u16, seconds: u64 },
    /// Answer normally, after a delay.
    Delay(Duration),
    /// Close the connection without answering.
    DropConnection,
    /// For watches and log streams: end the stream after this many events or lines.
    CutStreamAfter(usize),
    /// Carry out the request, then close the connection after this many bytes of the answer's
    /// body, its `Content-Length` saying the whole: a connection reset mid-answer. For answers
    /// that are not streams.
    CutBodyAfter(usize),
    /// The request's handler panics, as a bug in the server would: the client gets a 500 and
    /// the test fails when its `TestServer` is dropped. For testing that very rule.
    Panic,
}

/// One injected fault: what to do, to which requests, how many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub action: FaultAction,
    pub path_contains: Option<String>,
    pub method: Option<String>,
    /// How many more requests it applies to; `None` is forever.
    pub remaining: Option<usize>,
}

impl Fault {
    fn new(action: FaultAction) -> Fault {
        Fault {
            action,
            path_contains: None,
            method: None,
            remaining: None,
        }
    }

    pub fn status(code: u16) -> Fault {
        Fault::new(FaultAction::Status(code))
    }

    pub fn retry_after(code: u16, seconds: u64) -> Fault {
        Fault::new(FaultAction::RetryAfter {
            status: code,
            seconds,
        })
    }

    pub fn delay(delay: Duration) -> Fault {
        Fault::new(FaultAction::Delay(delay))
    }

    pub fn drop_connection() -> Fault {
        Fault::new(FaultAction::DropConnection)
    }

    pub fn cut_stream_after(items: usize) -> Fault {
        Fault::new(FaultAction::CutStreamAfter(items))
    }

    pub fn cut_body_after(bytes: usize) -> Fault {
        Fault::new(FaultAction::CutBodyAfter(bytes))
    }

    pub fn panic() -> Fault {
        Fault::new(FaultAction::Panic)
    }

    /// Only requests whose path (and query) contains `fragment`.
    pub fn path_contains(mut self, fragment: &str) -> Fault {
        self.path_contains = Some(fragment.to_string());
        self
    }

    /// Only requests with this HTTP method.
    pub fn method(mut self, method: &str) -> Fault {
        self.method = Some(method.to_uppercase());
        self
    }

    /// Only the next `n` matching requests.
    pub fn times(mut self, n: usize) -> Fault {
        self.remaining = Some(n);
        self
    }

    fn matches(&self, method: &str, path_and_query: &str) -> bool {
        self.method.as_deref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|f| path_and_query.contains(f))
    }
}

#[derive(Default)]
pub struct Faults {
    faults: Mutex<Vec<Fault>>,
}

impl Faults {
    pub fn inject(&self, fault: Fault) {
        self.lock().push(fault);
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Fault>> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The actions that apply to this request, using up counted faults.
    pub fn take(&self, method: &str, path_and_query: &str) -> Vec<FaultAction> {
        let mut faults = self.lock();
        let mut actions = Vec::new();
        for fault in faults.iter_mut() {
            if fault.remaining == Some(0) || !fault.matches(method, path_and_query) {
                continue;
            }
            if let Some(n) = fault.remaining.as_mut() {
                *n -= 1;
            }
            actions.push(fault.action.clone());
        }
        faults.retain(|f| f.remaining != Some(0));
        actions
    }
}

/// The `Status` the real server sends for a status code it chose to fail with.
pub fn injected_error(code: u16) -> ApiError {
    match code {
        429 => ApiError::new(
            429,
            "TooManyRequests",
            "Too many requests, please try again later.",
        )
        .with_details(json!({"retryAfterSeconds": 1})),
        503 => ApiError::new(
            503,
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        ),
        504 => ApiError::new(
            504,
            "Timeout",
            "the server was unable to return a response in the time allotted, but may still be processing the request",
        ),
        401 => ApiError::unauthorized(),
        403 => ApiError::new(403, "Forbidden", "forbidden: injected fault"),
        404 => ApiError::unknown_path(),
        // What kube-apiserver answers for a continue token (or watch position) too old.
        410 => ApiError::new(
            410,
            "Expired",
            "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue value from the response to request a consistent list.",
        ),
        409 => ApiError::new(
            409,
            "Conflict",
            "Operation cannot be fulfilled: injected fault",
        ),
        422 => ApiError::new(422, "Invalid", "injected fault"),
        code if code >= 500 => ApiError::new(
            code,
            "InternalError",
            "Internal error occurred: injected fault",
        )
        .with_details(json!({"causes": [{"message": "injected fault"}]})),
        code => ApiError::new(code, "BadRequest", "injected fault"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_faults_run_out_and_filters_apply() {
        let faults = Faults::default();
        faults.inject(Fault::status(500).path_contains("/pods").times(1));
        faults.inject(Fault::delay(Duration::from_millis(1)).method("post"));
        assert!(faults.take("GET", "/api/v1/services").is_empty());
        assert_eq!(
            faults.take("GET", "/api/v1/pods"),
            vec![FaultAction::Status(500)]
        );
        assert!(faults.take("GET", "/api/v1/pods").is_empty(), "used up");
        assert_eq!(
            faults.take("POST", "/api/v1/pods"),
            vec![FaultAction::Delay(Duration::from_millis(1))]
        );
        faults.clear();
        assert!(faults.take("POST", "/x").is_empty());
    }

    #[test]
    fn injected_errors_carry_real_reasons() {
        assert_eq!(injected_error(500).reason, "InternalError");
        assert_eq!(injected_error(429).reason, "TooManyRequests");
        assert_eq!(injected_error(503).code, 503);
        assert_eq!(injected_error(410).reason, "Expired");
    }
}
