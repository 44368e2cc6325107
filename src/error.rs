//! One place that turns errors into kubectl-style lines and exit codes.
//!
//! Commands return `anyhow::Result`. Errors that kubectl prints in a special way are typed
//! (`ServerError`, `ConnectError`, `UnknownResourceType`) so `report` can find them anywhere in
//! the cause chain; everything else is a local error printed as `error: <chain>`.

use std::fmt;
use std::io;
use std::time::Duration;

use serde::Deserialize;

/// Exit code for every failure kubectl reports with `error: …` or `Error from server …`.
pub const EXIT_FAILURE: u8 = 1;

/// The parts of a meta/v1 `Status` that kz prints.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Status {
    pub kind: String,
    pub message: String,
    pub reason: String,
    pub code: u16,
    /// What the error concerns, and field by field why (422 Invalid, 409 apply conflicts).
    pub details: Option<StatusDetails>,
}

/// A `Status`'s `details`: the object it concerns and the causes, one per field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct StatusDetails {
    pub name: String,
    pub kind: String,
    pub causes: Vec<StatusCause>,
}

/// One cause of a failure: `metadata.name: Invalid value: …`, or a field another manager owns.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct StatusCause {
    pub reason: String,
    pub message: String,
    pub field: String,
}

impl Status {
    /// The `Status` the server sent in `body`, or one made up from the HTTP status code the way
    /// client-go does when the body is not a `Status` (a proxy's HTML page, an empty 500 …).
    pub fn from_response(code: u16, body: &[u8]) -> Status {
        if let Ok(status) = serde_json::from_slice::<Status>(body)
            && status.kind == "Status"
        {
            return Status {
                code: if status.code == 0 { code } else { status.code },
                ..status
            };
        }
        let (reason, message) = generic_reason(code, body);
        Status {
            kind: "Status".to_owned(),
            message,
            reason: reason.to_owned(),
            code,
            details: None,
        }
    }
}

/// client-go's `NewGenericServerResponse`: a reason and message for a bare HTTP status.
fn generic_reason(code: u16, body: &[u8]) -> (&'static str, String) {
    let fixed = |reason: &'static str, message: &str| (reason, message.to_owned());
    match code {
        400 => fixed(
            "BadRequest",
            "the server rejected our request for an unknown reason",
        ),
        401 => fixed(
            "Unauthorized",
            "the server has asked for the client to provide credentials",
        ),
        403 => fixed(
            "Forbidden",
            "the server does not allow access to the requested resource",
        ),
        404 => fixed(
            "NotFound",
            "the server could not find the requested resource",
        ),
        405 => fixed(
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        ),
        409 => fixed("Conflict", "the server reported a conflict"),
        410 => fixed(
            "Gone",
            "the server has asked for the client to try again later",
        ),
        422 => fixed(
            "Invalid",
            "the server rejected our request due to an error in our request",
        ),
        429 => fixed(
            "TooManyRequests",
            "the server has received too many requests and has asked us to try again later",
        ),
        503 => fixed(
            "ServiceUnavailable",
            "the server is currently unable to handle the request",
        ),
        504 => fixed(
            "Timeout",
            "the server was unable to return a response in the time allotted, but may still be processing the request",
        ),
        500..=599 => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            let message = if text.is_empty() {
                "an error on the server has prevented the request from succeeding".to_owned()
            } else {
                format!(
                    "an error on the server ({text:?}) has prevented the request from succeeding"
                )
            };
            ("InternalError", message)
        }
        _ => (
            "Unknown",
            format!(
                "the server responded with the status code {code} but did not return more information"
            ),
        ),
    }
}

/// The API server answered a request with an error status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.status.message)]
pub struct ServerError {
    pub status: Status,
}

impl ServerError {
    /// kubectl's line for this error (`cmdutil.StandardErrorMessage`).
    pub fn kubectl_line(&self) -> String {
        let Status {
            message,
            reason,
            details,
            ..
        } = &self.status;
        if let (Reason::Invalid, Some(details)) = (Reason::of_status(&self.status), details) {
            return invalid_lines(details);
        }
        match reason.as_str() {
            "Unauthorized" => format!("error: You must be logged in to the server ({message})"),
            "" => format!("Error from server: {message}"),
            reason => format!("Error from server ({reason}): {message}"),
        }
    }
}

/// kubectl's `AddSourceToErr(doing, source, err)`: the server's message (or the error)
/// prefixed with what was being done and where the object came from (`error when creating
/// "cm.yaml": …`), an API error staying an API error.
pub fn with_source(err: anyhow::Error, doing: &str, source: &str) -> anyhow::Error {
    // An unreachable server is not about the object: it keeps kubectl's own line.
    if err.chain().any(|cause| cause.is::<ConnectError>()) {
        return err;
    }
    match err.downcast::<ServerError>() {
        Ok(mut server) => {
            server.status.message =
                format!("error when {doing} {source:?}: {}", server.status.message);
            server.into()
        }
        Err(err) => anyhow::anyhow!("error when {doing} {source:?}: {err:#}"),
    }
}

/// kubectl's lines for a 422 with details (`cmdutil.checkErr`): `The ConfigMap "x" is invalid: `
/// and the causes, `field: message`, after it when there is one, one per `* ` line when more.
fn invalid_lines(details: &StatusDetails) -> String {
    let subject = if details.kind.is_empty() && details.name.is_empty() {
        "The request is invalid".to_owned()
    } else {
        format!("The {} {:?} is invalid", details.kind, details.name)
    };
    let causes: Vec<String> = details
        .causes
        .iter()
        .map(|cause| match cause.field.as_str() {
            "" => cause.message.clone(),
            field => format!("{field}: {}", cause.message),
        })
        .collect();
    match causes.as_slice() {
        [] => subject,
        [one] => format!("{subject}: {one}"),
        many => format!("{subject}: \n* {}", many.join("\n* ")),
    }
}

/// What an API error means, the way client-go's `errors.IsNotFound`, `IsConflict`, … decide
/// it: the `Status` reason first, then the HTTP status code for servers (or proxies) that
/// send none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    AlreadyExists,
    Conflict,
    /// 410: a resourceVersion or continue token too old to serve (`Expired` or `Gone`).
    Expired,
    Invalid,
    TooManyRequests,
    InternalError,
    ServiceUnavailable,
    Timeout,
    Other,
}

impl Reason {
    pub fn of_status(status: &Status) -> Reason {
        match status.reason.as_str() {
            "BadRequest" => Reason::BadRequest,
            "Unauthorized" => Reason::Unauthorized,
            "Forbidden" => Reason::Forbidden,
            "NotFound" => Reason::NotFound,
            "MethodNotAllowed" => Reason::MethodNotAllowed,
            "AlreadyExists" => Reason::AlreadyExists,
            "Conflict" => Reason::Conflict,
            "Expired" | "Gone" => Reason::Expired,
            "Invalid" => Reason::Invalid,
            "TooManyRequests" => Reason::TooManyRequests,
            "InternalError" => Reason::InternalError,
            "ServiceUnavailable" => Reason::ServiceUnavailable,
            "Timeout" | "ServerTimeout" => Reason::Timeout,
            _ => Reason::of_code(status.code),
        }
    }

    fn of_code(code: u16) -> Reason {
        match code {
            400 => Reason::BadRequest,
            401 => Reason::Unauthorized,
            403 => Reason::Forbidden,
            404 => Reason::NotFound,
            405 => Reason::MethodNotAllowed,
            409 => Reason::Conflict,
            410 => Reason::Expired,
            422 => Reason::Invalid,
            429 => Reason::TooManyRequests,
            500 => Reason::InternalError,
            503 => Reason::ServiceUnavailable,
            504 => Reason::Timeout,
            _ => Reason::Other,
        }
    }
}

/// The server's answer to a failed request, wherever it is in `error`'s cause chain.
pub fn server_error(error: &anyhow::Error) -> Option<&ServerError> {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<ServerError>())
}

/// What the server said went wrong, if `error` is (or wraps) an API error.
pub fn reason(error: &anyhow::Error) -> Option<Reason> {
    server_error(error).map(|server| Reason::of_status(&server.status))
}

/// Why a request never got an answer from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectCause {
    Refused,
    /// The host name does not resolve.
    Dns(String),
    /// The server's certificate is not signed by a trusted authority (or does not match).
    UntrustedCertificate(String),
    /// The server's certificate is for other names than the one kz asked for.
    CertificateNotForHost {
        host: String,
        valid_for: Vec<String>,
    },
    /// No answer within `--request-timeout`.
    Timeout(Duration),
    Other(String),
}

/// The server could not be reached, or did not answer in time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConnectError {
    /// The server URL as configured, e.g. `https://127.0.0.1:6443`.
    pub server: String,
    pub cause: ConnectCause,
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let server = &self.server;
        match &self.cause {
            ConnectCause::Refused => write!(
                f,
                "The connection to the server {} was refused - did you specify the right host or port?",
                host_port(server)
            ),
            ConnectCause::Dns(detail) => write!(
                f,
                "Unable to connect to the server {server}: no such host ({detail})"
            ),
            ConnectCause::UntrustedCertificate(detail) => write!(
                f,
                "Unable to connect to the server {server}: TLS certificate not trusted ({detail})"
            ),
            ConnectCause::CertificateNotForHost { host, valid_for } => write!(
                f,
                "Unable to connect to the server {server}: TLS certificate is valid for {}, not {host}",
                valid_for.join(", ")
            ),
            ConnectCause::Timeout(limit) => write!(
                f,
                "Unable to connect to the server {server}: no answer within the request timeout of {}",
                format_duration(*limit)
            ),
            ConnectCause::Other(detail) => {
                write!(f, "Unable to connect to the server {server}: {detail}")
            }
        }
    }
}

/// A write that was sent but whose answer never came back whole (the connection was reset,
/// the answer cut off): the server may have acted on it, so kz did not send it again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the connection to the server {} was lost after the request to {action} was sent ({detail}): it may have reached the server, so kz did not send it again",
    host_port(.server)
)]
pub struct UnconfirmedWrite {
    /// The server URL as configured.
    pub server: String,
    /// What the request was to do: `create configmaps "web" in namespace "shop"`.
    pub action: String,
    /// What the system said about the connection.
    pub detail: String,
}

impl ConnectCause {
    /// Sorts a transport error (hyper, rustls, io, DNS) by looking at its whole cause chain.
    pub fn classify(error: &(dyn std::error::Error + 'static)) -> ConnectCause {
        let chain = chain_messages(error);
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        // What the system said, as Go says it (`connection reset by peer`), rather than the
        // client library's chain around it.
        let mut system = None;
        while let Some(err) = source {
            if let Some(mismatch) = name_mismatch(err) {
                return mismatch;
            }
            if let Some(io) = err.downcast_ref::<io::Error>() {
                match io.kind() {
                    io::ErrorKind::ConnectionRefused => return ConnectCause::Refused,
                    io::ErrorKind::TimedOut => return ConnectCause::Other(chain),
                    // A connection closed mid-answer (over TLS, without close_notify).
                    io::ErrorKind::UnexpectedEof => {
                        system.get_or_insert_with(|| "unexpected EOF".to_owned());
                    }
                    _ => {}
                }
                system.get_or_insert_with(|| io_message(io));
            }
            source = err.source();
        }
        let lower = chain.to_ascii_lowercase();
        if lower.contains("connection refused") {
            ConnectCause::Refused
        } else if lower.contains("dns error") || lower.contains("failed to lookup address") {
            ConnectCause::Dns(innermost_message(error))
        } else if lower.contains("invalid peer certificate")
            || lower.contains("unknownissuer")
            || lower.contains("certificate")
        {
            ConnectCause::UntrustedCertificate(innermost_message(error))
        } else {
            // Without a system error, the innermost is hyper's own (`connection closed before
            // message completed`): the wrappers around it say nothing more.
            ConnectCause::Other(system.unwrap_or_else(|| innermost_message(error)))
        }
    }
}

/// A certificate for other names, from rustls (alone or inside `io::Error`s, whose `source`
/// skips the error they wrap).
fn name_mismatch(error: &(dyn std::error::Error + 'static)) -> Option<ConnectCause> {
    let mut current = error;
    while let Some(inner) = current
        .downcast_ref::<io::Error>()
        .and_then(io::Error::get_ref)
    {
        current = inner;
    }
    let tls = current.downcast_ref::<rustls::Error>()?;
    let rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext {
        expected,
        presented,
    }) = tls
    else {
        return None;
    };
    // rustls shows the names as `DnsName("localhost")` and `IpAddress(127.0.0.1)`.
    let bare = |name: &str| {
        let inner = name
            .split_once('(')
            .and_then(|(_, rest)| rest.strip_suffix(')'))
            .unwrap_or(name);
        inner.trim_matches('"').to_owned()
    };
    Some(ConnectCause::CertificateNotForHost {
        host: expected.to_str().into_owned(),
        valid_for: presented.iter().map(|name| bare(name)).collect(),
    })
}

/// `https://host:port/path` → `host:port`, as kubectl names the server in "connection refused".
fn host_port(server: &str) -> &str {
    let without_scheme = server.split_once("://").map_or(server, |(_, rest)| rest);
    without_scheme.split('/').next().unwrap_or(without_scheme)
}

/// `1s`, `1m30s`, `1.5s`, `250ms` — Go's duration style, which kubectl users know.
pub fn format_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        return format!("{millis}ms");
    }
    let secs = duration.as_secs();
    let sub_millis = duration.subsec_millis();
    let (hours, minutes, seconds) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let seconds = if sub_millis == 0 {
        format!("{seconds}s")
    } else {
        let fraction = format!("{:03}", sub_millis);
        format!("{seconds}.{}s", fraction.trim_end_matches('0'))
    };
    match (hours, minutes) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

fn chain_messages(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = Some(error);
    while let Some(err) = source {
        let text = err.to_string();
        // hyper and kube often repeat the inner message in the outer one.
        if !parts.last().is_some_and(|last| last.contains(&text)) {
            parts.push(text);
        }
        source = err.source();
    }
    parts.join(": ")
}

/// An I/O error the way Go prints it: `no such file or directory`, `connection reset by
/// peer`, without Rust's ` (os error 2)` and capital letter.
pub fn io_message(err: &io::Error) -> String {
    let text = err.to_string();
    let text = match text.rfind(" (os error ") {
        Some(at) => &text[..at],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn innermost_message(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// `kz get flurbs`: nothing in discovery matches the name, even after a refresh.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server doesn't have a resource type \"{0}\"")]
pub struct UnknownResourceType(pub String);

/// A manifest's kind that no resource serves in its version, even after a refresh.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("resource mapping not found for kind {kind:?} in version {api_version:?}")]
pub struct UnknownKind {
    pub api_version: String,
    pub kind: String,
}

/// The line(s) kz prints on stderr for `error`, kubectl-style.
pub fn message(error: &anyhow::Error) -> String {
    for cause in error.chain() {
        if let Some(usage) = cause.downcast_ref::<crate::resource::UsageError>() {
            return usage.0.clone();
        }
        if let Some(config) = cause.downcast_ref::<crate::kubeconfig::ConfigurationError>() {
            return config.to_string();
        }
        if let Some(server) = cause.downcast_ref::<ServerError>() {
            return server.kubectl_line();
        }
        if let Some(connect) = cause.downcast_ref::<ConnectError>() {
            return connect.to_string();
        }
        if let Some(kube::Error::Api(status)) = cause.downcast_ref::<kube::Error>() {
            let status = Status {
                kind: "Status".to_owned(),
                message: status.message.clone(),
                reason: status.reason.clone(),
                code: status.code,
                details: None,
            };
            return ServerError { status }.kubectl_line();
        }
    }
    format!("error: {}", describe_chain(error))
}

/// `outer: inner: innermost`, leaving out causes whose text the previous message already
/// includes (kube and hyper errors often repeat their source in their own message).
pub fn describe_chain(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if text.is_empty() || parts.last().is_some_and(|last| last.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// A failure whose lines the command already printed on stderr (several objects not found,
/// say): exit 1 and print nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("errors were reported")]
pub struct AlreadyReported;

pub fn is_already_reported(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.is::<AlreadyReported>())
}

/// Exit code of a command stopped by Ctrl-C (128 + SIGINT), as a shell reports it.
pub const EXIT_INTERRUPTED: u8 = 130;

/// The command was stopped by Ctrl-C after saying what it had done: exit 130, print nothing
/// more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interrupted")]
pub struct Interrupted;

pub fn is_interrupted(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.is::<Interrupted>())
}

/// An exit code of the command's own, everything it had to say already printed (`kz diff`:
/// 1 for differences, 2 for an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("exit status {0}")]
pub struct ExitStatus(pub u8);

/// The exit code an `ExitStatus` in the error's chain asks for.
pub fn exit_status(error: &anyhow::Error) -> Option<u8> {
    error
        .chain()
        .find_map(|cause| cause.downcast_ref::<ExitStatus>())
        .map(|status| status.0)
}

/// Whether the error only says that stdout was closed early (`kz … | head`): not a failure.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_their_source_and_stay_api_errors() {
        let refused = ServerError {
            status: Status {
                kind: "Status".into(),
                message: "configmaps \"x\" already exists".into(),
                reason: "AlreadyExists".into(),
                code: 409,
                details: None,
            },
        };
        let err = with_source(refused.into(), "creating", "cm.yaml");
        let server = err.downcast_ref::<ServerError>().expect("an API error");
        assert_eq!(
            server.kubectl_line(),
            "Error from server (AlreadyExists): error when creating \"cm.yaml\": configmaps \"x\" already exists"
        );
        assert_eq!(
            with_source(anyhow::anyhow!("connection refused"), "creating", "STDIN").to_string(),
            "error when creating \"STDIN\": connection refused"
        );
    }

    #[test]
    fn invalid_objects_print_their_causes_like_kubectl() {
        let body = include_bytes!("../tests/fixtures/http/107-create-invalid-configmap.json");
        let line = ServerError {
            status: Status::from_response(422, body),
        }
        .kubectl_line();
        assert!(
            line.starts_with("The ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"),
            "{line}"
        );
        let mut two = Status::from_response(422, body);
        if let Some(details) = &mut two.details {
            details.causes.push(StatusCause {
                reason: "FieldValueRequired".into(),
                message: "Required value".into(),
                field: "data".into(),
            });
        }
        let line = ServerError { status: two }.kubectl_line();
        assert!(
            line.starts_with(
                "The ConfigMap \"Bad_Name\" is invalid: \n* metadata.name: Invalid value"
            ),
            "{line}"
        );
        assert!(line.ends_with("\n* data: Required value"), "{line}");
    }

    #[test]
    fn not_found_status_prints_like_kubectl() {
        let body = br#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
            "message":"deployments.apps \"web\" not found","reason":"NotFound",
            "details":{"name":"web","group":"apps","kind":"deployments"},"code":404}"#;
        let error = anyhow::Error::new(ServerError {
            status: Status::from_response(404, body),
        });
        assert_eq!(
            message(&error),
            r#"Error from server (NotFound): deployments.apps "web" not found"#
        );
    }

    #[test]
    fn reasons_come_from_the_status_then_the_code() {
        let status = |reason: &str, code| {
            anyhow::Error::new(ServerError {
                status: Status {
                    kind: "Status".into(),
                    message: String::new(),
                    reason: reason.into(),
                    code,
                    details: None,
                },
            })
            .context("getting pods")
        };
        assert_eq!(reason(&status("NotFound", 404)), Some(Reason::NotFound));
        assert_eq!(reason(&status("", 404)), Some(Reason::NotFound));
        assert_eq!(reason(&status("Expired", 410)), Some(Reason::Expired));
        assert_eq!(reason(&status("", 410)), Some(Reason::Expired));
        // 409 is a conflict unless the reason says the object already exists.
        assert_eq!(
            reason(&status("AlreadyExists", 409)),
            Some(Reason::AlreadyExists)
        );
        assert_eq!(reason(&status("", 409)), Some(Reason::Conflict));
        assert_eq!(reason(&status("Weird", 418)), Some(Reason::Other));
        assert_eq!(reason(&anyhow::anyhow!("local")), None);
    }

    #[test]
    fn forbidden_status_keeps_the_server_message() {
        let body = br#"{"kind":"Status","status":"Failure","message":"pods is forbidden: User \"viewer\" cannot list resource \"pods\" in API group \"\" in the namespace \"shop\"","reason":"Forbidden","code":403}"#;
        let error = anyhow::Error::new(ServerError {
            status: Status::from_response(403, body),
        })
        .context("listing pods");
        assert_eq!(
            message(&error),
            r#"Error from server (Forbidden): pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "shop""#
        );
    }

    #[test]
    fn unauthorized_asks_to_log_in() {
        let body = br#"{"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#;
        let error = anyhow::Error::new(ServerError {
            status: Status::from_response(401, body),
        });
        assert_eq!(
            message(&error),
            "error: You must be logged in to the server (Unauthorized)"
        );
    }

    #[test]
    fn bodies_that_are_not_status_get_generic_reasons() {
        let status = Status::from_response(500, b"oops");
        assert_eq!(status.reason, "InternalError");
        assert_eq!(
            status.message,
            r#"an error on the server ("oops") has prevented the request from succeeding"#
        );
        assert_eq!(Status::from_response(404, b"").reason, "NotFound");
        assert_eq!(Status::from_response(418, b"").reason, "Unknown");
    }

    #[test]
    fn status_without_reason_has_no_parentheses() {
        let error = anyhow::Error::new(ServerError {
            status: Status {
                kind: "Status".into(),
                message: "boom".into(),
                reason: String::new(),
                code: 500,
                details: None,
            },
        });
        assert_eq!(message(&error), "Error from server: boom");
    }

    #[test]
    fn local_errors_print_their_cause_chain() {
        let error = anyhow::anyhow!("mapping values are not allowed at line 3 column 9")
            .context("parsing kubeconfig /home/u/.kube/config");
        assert_eq!(
            message(&error),
            "error: parsing kubeconfig /home/u/.kube/config: mapping values are not allowed at line 3 column 9"
        );
    }

    #[test]
    fn repeated_causes_are_printed_once() {
        #[derive(Debug, thiserror::Error)]
        #[error("failed to load client certificate: {0}")]
        struct Repeats(#[source] io::Error);
        let error = anyhow::Error::new(Repeats(io::Error::other("no base64 data or file")))
            .context("setting up the connection to https://k");
        assert_eq!(
            message(&error),
            "error: setting up the connection to https://k: failed to load client certificate: no base64 data or file"
        );
    }

    #[test]
    fn unknown_type_matches_kubectl() {
        let error = anyhow::Error::new(UnknownResourceType("flurbs".into()));
        assert_eq!(
            message(&error),
            r#"error: the server doesn't have a resource type "flurbs""#
        );
    }

    #[test]
    fn connection_errors_name_the_server() {
        let refused = ConnectError {
            server: "https://127.0.0.1:1".into(),
            cause: ConnectCause::Refused,
        };
        assert_eq!(
            refused.to_string(),
            "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?"
        );
        let timeout = ConnectError {
            server: "https://10.0.0.1:6443".into(),
            cause: ConnectCause::Timeout(Duration::from_secs(90)),
        };
        assert_eq!(
            timeout.to_string(),
            "Unable to connect to the server https://10.0.0.1:6443: no answer within the request timeout of 1m30s"
        );
    }

    #[test]
    fn io_errors_read_like_go() {
        let missing = std::fs::File::open("/no/such/file").unwrap_err();
        assert_eq!(io_message(&missing), "no such file or directory");
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn other_connection_failures_say_what_the_system_said() {
        #[derive(Debug, thiserror::Error)]
        #[error("client error (Connect)")]
        struct Outer(#[source] io::Error);
        // ECONNRESET, as a real connection reports it.
        let reset = Outer(io::Error::from_raw_os_error(104));
        assert_eq!(
            ConnectCause::classify(&reset),
            ConnectCause::Other("connection reset by peer".into())
        );
    }

    #[test]
    fn a_connection_closed_mid_answer_is_an_unexpected_eof() {
        #[derive(Debug, thiserror::Error)]
        #[error("error reading a body from connection")]
        struct Outer(#[source] io::Error);
        let eof = Outer(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "peer closed connection without sending TLS close_notify",
        ));
        assert_eq!(
            ConnectCause::classify(&eof),
            ConnectCause::Other("unexpected EOF".into())
        );
        #[derive(Debug, thiserror::Error)]
        #[error("client error (SendRequest)")]
        struct Wrapper(#[source] Inner);
        #[derive(Debug, thiserror::Error)]
        #[error("connection closed before message completed")]
        struct Inner;
        assert_eq!(
            ConnectCause::classify(&Wrapper(Inner)),
            ConnectCause::Other("connection closed before message completed".into())
        );
    }

    #[test]
    fn classify_finds_refused_connections_in_the_chain() {
        #[derive(Debug, thiserror::Error)]
        #[error("client error (Connect)")]
        struct Outer(#[source] io::Error);
        let error = Outer(io::Error::from(io::ErrorKind::ConnectionRefused));
        assert_eq!(ConnectCause::classify(&error), ConnectCause::Refused);
    }

    #[test]
    fn a_certificate_for_other_names_says_which() {
        let mismatch =
            rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext {
                expected: rustls::pki_types::ServerName::try_from("wrong.example")
                    .unwrap()
                    .to_owned(),
                presented: vec![
                    "DnsName(\"localhost\")".to_owned(),
                    "IpAddress(127.0.0.1)".to_owned(),
                ],
            });
        let wrapped = io::Error::new(io::ErrorKind::InvalidData, mismatch);
        let error = ConnectError {
            server: "https://127.0.0.1:6443".to_owned(),
            cause: ConnectCause::classify(&wrapped),
        };
        assert_eq!(
            error.to_string(),
            "Unable to connect to the server https://127.0.0.1:6443: TLS certificate is valid for localhost, 127.0.0.1, not wrong.example"
        );
    }

    #[test]
    fn classify_recognises_dns_and_tls_failures() {
        let dns = io::Error::other("dns error: failed to lookup address information");
        assert!(matches!(ConnectCause::classify(&dns), ConnectCause::Dns(_)));
        let tls = io::Error::other("invalid peer certificate: UnknownIssuer");
        assert!(matches!(
            ConnectCause::classify(&tls),
            ConnectCause::UntrustedCertificate(_)
        ));
    }

    #[test]
    fn durations_read_like_go() {
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(format_duration(Duration::from_secs(1)), "1s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_duration(Duration::from_secs(3600)), "1h0m0s");
    }

    #[test]
    fn broken_pipe_is_detected_through_context() {
        let error = anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe))
            .context("writing output");
        assert!(is_broken_pipe(&error));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
