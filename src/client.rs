//! The HTTP client every command uses: kube's client (TLS, bearer tokens, token files, client
//! certificates, exec plugins, proxies) plus kz's `--request-timeout`, retries as client-go
//! makes them (`retry`: throttled answers for every verb, unanswered GETs; never a write that
//! may have been done), `-v` request tracing with credentials redacted, and kubectl-style
//! errors (`ServerError`, `ConnectError`, `UnconfirmedWrite`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use http::{Request, StatusCode};
use serde::de::DeserializeOwned;

use crate::credentials::Credentials;
use crate::error::{ConnectCause, ConnectError, ServerError, Status, UnconfirmedWrite};
use crate::streams::Stderr;
use crate::warnings::Warnings;
use retry::{Failure, Retries, Retry};

mod retry;

/// A response with a success status and its whole body.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    pub status: StatusCode,
    pub body: Bytes,
}

impl ApiResponse {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_slice(&self.body).context("decoding the server's JSON response")
    }
}

/// A connection to one API server. Cheap to clone.
#[derive(Clone)]
pub struct ApiClient {
    client: kube::Client,
    server: String,
    timeout: Option<Duration>,
    trace: Arc<Trace>,
    warnings: Arc<Warnings>,
    /// The token of an exec plugin or a token file, which kz adds itself.
    credentials: Option<Credentials>,
}

impl ApiClient {
    /// Builds the client. Must run inside a tokio runtime (kube spawns its connection worker).
    /// The `-v` trace goes to `stderr`.
    pub fn new(
        mut config: kube::Config,
        timeout: Option<Duration>,
        verbosity: u8,
        stderr: Stderr,
    ) -> Result<Self> {
        let server = config
            .cluster_url
            .to_string()
            .trim_end_matches('/')
            .to_owned();
        // kube's own retries (429, 503 and 504, up to 15 times, waits growing to minutes)
        // would hide the server's answers from `retry`'s bounds and from the `-v` trace.
        config.default_retry = false;
        let warnings = Arc::new(Warnings::new(stderr.clone()));
        let trace = Arc::new(Trace::new(verbosity, &config.auth_info, stderr));
        crate::tls::install_provider();
        let client = kube::Client::try_from(config)
            .with_context(|| format!("setting up the connection to {server}"))?;
        Ok(ApiClient {
            client,
            server,
            timeout,
            trace,
            warnings,
            credentials: None,
        })
    }

    /// Sends `credentials`' token with every request, renewed when refused once.
    pub fn with_credentials(mut self, credentials: Option<Credentials>) -> Self {
        self.credentials = credentials;
        self
    }

    /// The server URL, e.g. `https://127.0.0.1:6443` (no trailing slash).
    pub fn server(&self) -> &str {
        &self.server
    }

    /// `GET path` (path and query, relative to the server URL) with the given `Accept`.
    pub async fn get(&self, path: &str, accept: &str) -> Result<ApiResponse> {
        let request = Request::get(path)
            .header(ACCEPT, accept)
            .body(Vec::new())
            .with_context(|| format!("building the request for {path}"))?;
        self.send(request).await
    }

    /// Sends `request` and reads the whole answer, retrying as `retry` decides. A non-success
    /// status becomes a `ServerError`; no answer (refused, DNS, TLS, timeout) becomes a
    /// `ConnectError`, or for a write that was sent an `UnconfirmedWrite`. A 401 for a token
    /// kz fetched itself renews it, and a renewed token is tried once.
    pub async fn send(&self, mut request: Request<Vec<u8>>) -> Result<ApiResponse> {
        let Some(credentials) = &self.credentials else {
            return self.send_with_retries(&mut request).await;
        };
        let used = credentials.header().await?;
        request.headers_mut().insert(AUTHORIZATION, used.clone());
        match self.send_with_retries(&mut request).await {
            Err(err) if is_unauthorized(&err) && credentials.renew(&used).await? => {
                request
                    .headers_mut()
                    .insert(AUTHORIZATION, credentials.header().await?);
                self.send_with_retries(&mut request).await
            }
            outcome => outcome,
        }
    }

    /// One request, sent again as `retry` decides. Each attempt sends a copy, so the request
    /// stays whole for a renewed credential's try.
    async fn send_with_retries(&self, request: &mut Request<Vec<u8>>) -> Result<ApiResponse> {
        let (method, url) = self.prepare(request);
        let mut retries = Retries::new(&method);
        loop {
            let started = Instant::now();
            let exchange = async {
                let response = self.send_once(request).await?;
                let status = response.status();
                let headers = response.headers().clone();
                let body = response
                    .into_body()
                    .collect_bytes()
                    .await
                    .map_err(|err| self.cut_off(err))?;
                Ok::<_, Unanswered>((status, headers, body))
            };
            let (status, headers, body) = match self.within_timeout(exchange).await {
                Ok(parts) => parts,
                Err(unanswered) => {
                    self.trace
                        .failure(&method, &url, started.elapsed(), &unanswered.error);
                    if let Some(retry) = retries.after_failure(unanswered.failure) {
                        self.wait(&method, &url, retry).await;
                        continue;
                    }
                    return Err(self.unanswered_error(unanswered, request));
                }
            };
            self.trace
                .response(&method, &url, status, started.elapsed(), &headers, &body);
            if let Some(retry) = retries.after_answer(status, &headers) {
                self.wait(&method, &url, retry).await;
                continue;
            }
            self.warnings.report(&headers);
            if !status.is_success() {
                return Err(ServerError {
                    status: Status::from_response(status.as_u16(), &body),
                }
                .into());
            }
            return Ok(ApiResponse { status, body });
        }
    }

    /// One attempt at `request`, up to the answer's head.
    async fn send_once(
        &self,
        request: &Request<Vec<u8>>,
    ) -> Result<http::Response<kube::client::Body>, Unanswered> {
        let mut attempt = Request::new(kube::client::Body::from(request.body().clone()));
        *attempt.method_mut() = request.method().clone();
        *attempt.uri_mut() = request.uri().clone();
        *attempt.version_mut() = request.version();
        *attempt.headers_mut() = request.headers().clone();
        self.client
            .send(attempt)
            .await
            .map_err(|err| self.transport_error(err))
    }

    /// `exchange`, given up after `--request-timeout` if there is one.
    async fn within_timeout<T>(
        &self,
        exchange: impl std::future::Future<Output = Result<T, Unanswered>>,
    ) -> Result<T, Unanswered> {
        let Some(limit) = self.timeout else {
            return exchange.await;
        };
        tokio::time::timeout(limit, exchange)
            .await
            .unwrap_or_else(|_elapsed| {
                Err(Unanswered {
                    error: ConnectError {
                        server: self.server.clone(),
                        cause: ConnectCause::Timeout(limit),
                    }
                    .into(),
                    failure: Failure::TimedOut,
                })
            })
    }

    /// Waits before the next attempt, saying so under `-v=4` (client-go's level for it).
    /// Ctrl-C ends the wait as it ends the command: by the signal's default action, or by the
    /// command's own handler dropping the request.
    async fn wait(&self, method: &http::Method, url: &str, retry: Retry) {
        self.trace.retry(method, url, retry);
        tokio::time::sleep(retry.wait).await;
    }

    /// The error for a request that got no whole answer: a write that was sent may have been
    /// carried out, and says so with what it was for.
    fn unanswered_error(
        &self,
        unanswered: Unanswered,
        request: &Request<Vec<u8>>,
    ) -> anyhow::Error {
        let method = request.method();
        let write = !matches!(*method, http::Method::GET | http::Method::HEAD);
        if !write || !matches!(unanswered.failure, Failure::MaybeSent | Failure::TimedOut) {
            return unanswered.error;
        }
        let detail = match unanswered.error.downcast_ref::<ConnectError>() {
            Some(ConnectError {
                cause: ConnectCause::Other(detail),
                ..
            }) => detail.clone(),
            Some(ConnectError {
                cause: ConnectCause::Timeout(limit),
                ..
            }) => format!(
                "no answer within the request timeout of {}",
                crate::error::format_duration(*limit)
            ),
            _ => format!("{:#}", unanswered.error),
        };
        let path = request
            .uri()
            .path_and_query()
            .map_or_else(|| request.uri().path(), |p| p.as_str());
        UnconfirmedWrite {
            server: self.server.clone(),
            action: retry::describe_write(method, path, request.body()),
            detail,
        }
        .into()
    }

    /// Adds kz's User-Agent and traces the request; returns its method and full URL.
    fn prepare(&self, request: &mut Request<Vec<u8>>) -> (http::Method, String) {
        request
            .headers_mut()
            .entry(USER_AGENT)
            .or_insert_with(|| HeaderValue::from_static(user_agent()));
        let method = request.method().clone();
        let url = format!("{}{}", self.server, request.uri());
        self.trace.request(&method, &url, request.headers());
        (method, url)
    }

    /// Opens a streaming `GET` (a watch, a followed log): the status is checked, then the body
    /// is read as it arrives. `--request-timeout` bounds only the wait for the answer's head,
    /// and only that wait is retried (see `retry`); a stream that breaks is its reader's to
    /// resume. Credentials are renewed after a 401 as for `send`.
    pub async fn stream(&self, path: &str, accept: &str) -> Result<BodyStream> {
        let Some(credentials) = &self.credentials else {
            return self.stream_once(path, accept, None).await;
        };
        let used = credentials.header().await?;
        match self.stream_once(path, accept, Some(used.clone())).await {
            Err(err) if is_unauthorized(&err) && credentials.renew(&used).await? => {
                let renewed = credentials.header().await?;
                self.stream_once(path, accept, Some(renewed)).await
            }
            outcome => outcome,
        }
    }

    async fn stream_once(
        &self,
        path: &str,
        accept: &str,
        authorization: Option<HeaderValue>,
    ) -> Result<BodyStream> {
        let mut request = Request::get(path)
            .header(ACCEPT, accept)
            .body(Vec::new())
            .with_context(|| format!("building the request for {path}"))?;
        if let Some(authorization) = authorization {
            request.headers_mut().insert(AUTHORIZATION, authorization);
        }
        let (method, url) = self.prepare(&mut request);
        let mut retries = Retries::new(&method);
        let (response, started) = loop {
            let started = Instant::now();
            match self.within_timeout(self.send_once(&request)).await {
                Ok(response) => {
                    let status = response.status();
                    let retry = retries.after_answer(status, response.headers());
                    let Some(retry) = retry else {
                        break (response, started);
                    };
                    self.trace.response(
                        &method,
                        &url,
                        status,
                        started.elapsed(),
                        response.headers(),
                        b"",
                    );
                    self.wait(&method, &url, retry).await;
                }
                Err(unanswered) => {
                    self.trace
                        .failure(&method, &url, started.elapsed(), &unanswered.error);
                    match retries.after_failure(unanswered.failure) {
                        Some(retry) => self.wait(&method, &url, retry).await,
                        None => return Err(unanswered.error),
                    }
                }
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        if !status.is_success() {
            let body = response
                .into_body()
                .collect_bytes()
                .await
                .map_err(|err| self.cut_off(err).error)?;
            self.trace
                .response(&method, &url, status, started.elapsed(), &headers, &body);
            return Err(ServerError {
                status: Status::from_response(status.as_u16(), &body),
            }
            .into());
        }
        self.trace
            .response(&method, &url, status, started.elapsed(), &headers, b"");
        Ok(BodyStream {
            body: response.into_body(),
            pending: Vec::new(),
            consumed: 0,
            ended: false,
            server: self.server.clone(),
        })
    }

    /// A request that got no answer: what to say, and how far it went.
    fn transport_error(&self, err: kube::Error) -> Unanswered {
        // Exec plugins, token files and OIDC refreshes fail locally, not on the wire.
        if let kube::Error::Auth(auth) = err {
            return Unanswered {
                error: anyhow::Error::new(auth)
                    .context(format!("getting credentials for {}", self.server)),
                failure: Failure::Final,
            };
        }
        let cause = ConnectCause::classify(&err);
        let failure = match cause {
            ConnectCause::Refused | ConnectCause::Dns(_) => Failure::Unreachable,
            ConnectCause::Timeout(_) => Failure::TimedOut,
            ConnectCause::UntrustedCertificate(_) | ConnectCause::CertificateNotForHost { .. } => {
                Failure::Final
            }
            ConnectCause::Other(_) if never_sent(&err) => Failure::NotSent,
            ConnectCause::Other(_) => Failure::MaybeSent,
        };
        Unanswered {
            error: ConnectError {
                server: self.server.clone(),
                cause,
            }
            .into(),
            failure,
        }
    }

    /// An answer whose body broke off: the request had reached the server.
    fn cut_off(&self, err: kube::Error) -> Unanswered {
        Unanswered {
            failure: Failure::MaybeSent,
            ..self.transport_error(err)
        }
    }
}

/// A request that got no whole answer.
struct Unanswered {
    error: anyhow::Error,
    failure: Failure,
}

/// Whether hyper gave up while connecting, before any byte of the request was written.
fn never_sent(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(err);
    while let Some(err) = source {
        if let Some(client) = err.downcast_ref::<hyper_util::client::legacy::Error>() {
            return client.is_connect();
        }
        source = err.source();
    }
    false
}

/// Whether the server refused the request's credentials.
fn is_unauthorized(error: &anyhow::Error) -> bool {
    crate::error::server_error(error).is_some_and(|server| server.status.code == 401)
}

/// A response body read as it arrives.
pub struct BodyStream {
    body: kube::client::Body,
    pending: Vec<u8>,
    /// How much of `pending` was handed out already.
    consumed: usize,
    ended: bool,
    server: String,
}

impl BodyStream {
    async fn read_frame(&mut self) -> Result<Option<Bytes>> {
        use http_body_util::BodyExt as _;
        while !self.ended {
            match self.body.frame().await {
                None => self.ended = true,
                Some(Err(err)) => {
                    self.ended = true;
                    let cause = match ConnectCause::classify(&err) {
                        // The stream was open: whatever the chain says, it broke off.
                        ConnectCause::Other(detail) => ConnectCause::Other(detail),
                        _ => ConnectCause::Other(err.to_string()),
                    };
                    return Err(ConnectError {
                        server: self.server.clone(),
                        cause,
                    }
                    .into());
                }
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data()
                        && !data.is_empty()
                    {
                        return Ok(Some(data));
                    }
                }
            }
        }
        Ok(None)
    }

    /// The next line with its newline, or a last line that has none; `None` at the end. For
    /// readers that must tell the two apart (a log cut by `limitBytes` ends mid-line).
    pub async fn next_raw_line(&mut self) -> Result<Option<Vec<u8>>> {
        loop {
            let unread = &self.pending[self.consumed..];
            if let Some(end) = unread.iter().position(|b| *b == b'\n') {
                let line = unread[..=end].to_vec();
                self.consumed += end + 1;
                return Ok(Some(line));
            }
            // Lines are handed out from an offset, so a frame of many lines is not shifted
            // once per line; what is left moves to the front once the frame is used up.
            self.pending.drain(..self.consumed);
            self.consumed = 0;
            match self.read_frame().await? {
                Some(data) => self.pending.extend_from_slice(&data),
                None if self.pending.is_empty() => return Ok(None),
                None => return Ok(Some(std::mem::take(&mut self.pending))),
            }
        }
    }

    /// The next line without its newline; a last line without one too; `None` at the end.
    pub async fn next_line(&mut self) -> Result<Option<Vec<u8>>> {
        let mut line = self.next_raw_line().await?;
        if let Some(line) = line.as_mut()
            && line.last() == Some(&b'\n')
        {
            line.pop();
        }
        Ok(line)
    }
}

/// `kz/0.1.0 (linux/amd64)`, in the shape kubectl's user agent has.
fn user_agent() -> &'static str {
    static AGENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    AGENT.get_or_init(|| {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        };
        format!(
            "kz/{} ({}/{arch})",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS
        )
    })
}

/// `-v` request tracing on stderr. Credentials never appear: `Authorization` values are
/// redacted, and the headers kube adds later (auth, impersonation) are shown as they will be.
/// Tracing is best effort: a closed stderr does not fail the command.
struct Trace {
    verbosity: u8,
    added_headers: Vec<(String, String)>,
    stderr: Stderr,
}

const BODY_LIMIT: usize = 10 * 1024;

impl Trace {
    fn new(verbosity: u8, auth: &kube::config::AuthInfo, stderr: Stderr) -> Self {
        let mut added_headers = Vec::new();
        if auth.token.is_some()
            || auth.token_file.is_some()
            || auth.exec.is_some()
            || auth.auth_provider.is_some()
        {
            added_headers.push(("Authorization".to_owned(), "Bearer <masked>".to_owned()));
        } else if auth.username.is_some() || auth.password.is_some() {
            added_headers.push(("Authorization".to_owned(), "Basic <masked>".to_owned()));
        }
        if let Some(user) = &auth.impersonate {
            added_headers.push(("Impersonate-User".to_owned(), user.clone()));
        }
        for group in auth.impersonate_groups.iter().flatten() {
            added_headers.push(("Impersonate-Group".to_owned(), group.clone()));
        }
        Trace {
            verbosity,
            added_headers,
            stderr,
        }
    }

    fn request(&self, method: &http::Method, url: &str, headers: &HeaderMap) {
        if self.verbosity < 7 {
            return;
        }
        let mut lines = format!("{method} {url}\nRequest Headers:\n");
        for (name, value) in headers {
            lines.push_str(&format!(
                "    {}: {}\n",
                title_case(name.as_str()),
                redact(name.as_str(), value)
            ));
        }
        for (name, value) in &self.added_headers {
            lines.push_str(&format!("    {name}: {value}\n"));
        }
        self.stderr.print(lines);
    }

    fn response(
        &self,
        method: &http::Method,
        url: &str,
        status: StatusCode,
        elapsed: Duration,
        headers: &HeaderMap,
        body: &[u8],
    ) {
        if self.verbosity < 6 {
            return;
        }
        let mut lines = format!(
            "{method} {url} {status} in {} milliseconds\n",
            elapsed.as_millis()
        );
        if self.verbosity >= 8 {
            lines.push_str("Response Headers:\n");
            for (name, value) in headers {
                lines.push_str(&format!(
                    "    {}: {}\n",
                    title_case(name.as_str()),
                    redact(name.as_str(), value)
                ));
            }
            let text = traced_body(body);
            if self.verbosity < 9 && text.len() > BODY_LIMIT {
                let cut = (0..=BODY_LIMIT)
                    .rev()
                    .find(|i| text.is_char_boundary(*i))
                    .unwrap_or(0);
                lines.push_str(&format!(
                    "Response Body: {} [truncated {} chars]\n",
                    &text[..cut],
                    text.len() - cut
                ));
            } else {
                lines.push_str(&format!("Response Body: {text}\n"));
            }
        }
        self.stderr.print(lines);
    }

    /// The next attempt, in client-go's words for a `Retry-After`.
    fn retry(&self, method: &http::Method, url: &str, retry: Retry) {
        if self.verbosity < 4 {
            return;
        }
        let Retry {
            wait,
            reason,
            attempt,
        } = retry;
        let line = match reason {
            retry::Reason::RetryAfter(seconds) => {
                format!("Got a Retry-After {seconds}s response for attempt {attempt} to {url}")
            }
            retry::Reason::Unanswered => format!(
                "{method} {url} got no answer: retrying in {} (attempt {attempt})",
                crate::error::format_duration(wait)
            ),
        };
        self.stderr.line(line);
    }

    fn failure(&self, method: &http::Method, url: &str, elapsed: Duration, error: &anyhow::Error) {
        if self.verbosity >= 6 {
            self.stderr.print(format_args!(
                "{method} {url} failed after {} milliseconds: {error:#}\n",
                elapsed.as_millis()
            ));
        }
    }
}

/// A body as `-v=8` shows it: Secrets' values masked (`***`, as `kz diff` masks them), in a
/// Secret, a list of them, a watch event or a table row's object. A body that mentions
/// Secrets but cannot be read is not shown.
fn traced_body(body: &[u8]) -> std::borrow::Cow<'_, str> {
    const SECRET: &[u8] = b"\"Secret";
    if !body.windows(SECRET.len()).any(|window| window == SECRET) {
        return String::from_utf8_lossy(body);
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            mask_secrets(&mut value);
            value.to_string().into()
        }
        Err(_) => format!("[{} bytes about Secrets, not shown]", body.len()).into(),
    }
}

fn mask_secrets(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(object) => {
            let kind = object
                .get("kind")
                .and_then(Value::as_str)
                .map(str::to_owned);
            match kind.as_deref() {
                Some("Secret") => {
                    crate::diff::mask::mask(None, value);
                    if let Some(values) = value.get_mut("stringData").and_then(Value::as_object_mut)
                    {
                        values.values_mut().for_each(|v| *v = "***".into());
                    }
                    return;
                }
                Some("SecretList") => {
                    if let Some(Value::Array(items)) = object.get_mut("items") {
                        items
                            .iter_mut()
                            .for_each(|item| crate::diff::mask::mask(None, item));
                    }
                }
                // A Secret's metadata alone (table rows, metadata lists) still has the
                // configuration it was applied with.
                _ if applied_a_secret(value) => crate::diff::mask::mask(None, value),
                _ => {}
            }
            if let Value::Object(object) = value {
                object.values_mut().for_each(mask_secrets);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_secrets),
        _ => {}
    }
}

/// Whether the object's last-applied configuration is a Secret's.
fn applied_a_secret(object: &serde_json::Value) -> bool {
    object["metadata"]["annotations"][crate::apply::last_applied::ANNOTATION]
        .as_str()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
        .is_some_and(|configuration| configuration["kind"] == "Secret")
}

fn redact(name: &str, value: &HeaderValue) -> String {
    let text = String::from_utf8_lossy(value.as_bytes());
    if name.eq_ignore_ascii_case("authorization")
        || name.eq_ignore_ascii_case("proxy-authorization")
    {
        match text.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} <masked>"),
            None => "<masked>".to_owned(),
        }
    } else {
        text.into_owned()
    }
}

/// `content-type` → `Content-Type`, as Go prints header names.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_is_redacted() {
        let bearer = HeaderValue::from_static("Bearer secret-token");
        assert_eq!(redact("authorization", &bearer), "Bearer <masked>");
        assert_eq!(
            redact("Authorization", &HeaderValue::from_static("opaque")),
            "<masked>"
        );
        assert_eq!(
            redact("accept", &HeaderValue::from_static("application/json")),
            "application/json"
        );
    }

    #[test]
    fn trace_shows_the_auth_kube_will_add_without_the_secret() {
        let auth = kube::config::AuthInfo {
            token: Some("secret-token".to_owned().into()),
            impersonate: Some("alice".into()),
            impersonate_groups: Some(vec!["devs".into()]),
            ..Default::default()
        };
        let trace = Trace::new(7, &auth, Stderr::new(std::io::sink()));
        let rendered = format!("{:?}", trace.added_headers);
        assert!(!rendered.contains("secret-token"));
        assert_eq!(
            trace.added_headers,
            [
                ("Authorization".to_owned(), "Bearer <masked>".to_owned()),
                ("Impersonate-User".to_owned(), "alice".to_owned()),
                ("Impersonate-Group".to_owned(), "devs".to_owned()),
            ]
        );
    }

    #[test]
    fn trace_writes_to_the_given_stderr_by_level() {
        let auth = kube::config::AuthInfo {
            token: Some("secret-token".to_owned().into()),
            ..Default::default()
        };
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let url = "https://k:6443/api?timeout=32s";
        let traced = |verbosity| {
            let captured = crate::streams::Captured::default();
            let trace = Trace::new(verbosity, &auth, Stderr::new(captured.clone()));
            trace.request(&http::Method::GET, url, &headers);
            let elapsed = Duration::from_millis(12);
            trace.response(
                &http::Method::GET,
                url,
                StatusCode::OK,
                elapsed,
                &headers,
                b"",
            );
            captured.text()
        };
        assert_eq!(traced(5), "");
        assert_eq!(
            traced(6),
            "GET https://k:6443/api?timeout=32s 200 OK in 12 milliseconds\n"
        );
        assert_eq!(
            traced(7),
            "GET https://k:6443/api?timeout=32s\n\
             Request Headers:\n    \
             Accept: application/json\n    \
             Authorization: Bearer <masked>\n\
             GET https://k:6443/api?timeout=32s 200 OK in 12 milliseconds\n"
        );
    }

    #[test]
    fn traced_bodies_mask_secrets_values() {
        let secret = r#"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s","annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"k\":\"czNjcmV0\"}}"}},"data":{"k":"czNjcmV0"},"stringData":{"p":"s3cret"}}"#;
        let list = format!(r#"{{"kind":"SecretList","items":[{secret}]}}"#);
        let event = format!(r#"{{"type":"ADDED","object":{secret}}}"#);
        let table = format!(r#"{{"kind":"Table","rows":[{{"cells":["s"],"object":{secret}}}]}}"#);
        let metadata = secret
            .replace(r#""kind":"Secret""#, r#""kind":"PartialObjectMetadata""#)
            .replace(
                r#""data":{"k":"czNjcmV0"},"stringData":{"p":"s3cret"}"#,
                r#""data":{"k":"***"}"#,
            )
            .replace(r#"{\"data\""#, r#"{\"kind\":\"Secret\",\"data\""#);
        let metadata_table =
            format!(r#"{{"kind":"Table","rows":[{{"cells":["s"],"object":{metadata}}}]}}"#);
        for body in [secret.to_owned(), list, event, table, metadata_table] {
            let traced = traced_body(body.as_bytes());
            assert!(!traced.contains("czNjcmV0"), "{traced}");
            assert!(!traced.contains("s3cret"), "{traced}");
            assert!(traced.contains(r#""k":"***""#), "{traced}");
        }
        assert_eq!(
            traced_body(b"{\"kind\":\"Secret\", cut"),
            "[21 bytes about Secrets, not shown]"
        );
        let config_map = r#"{"kind":"ConfigMap","data":{"k":"v"}}"#;
        assert_eq!(traced_body(config_map.as_bytes()), config_map);
    }

    #[test]
    fn header_names_are_title_cased() {
        assert_eq!(title_case("content-type"), "Content-Type");
        assert_eq!(
            title_case("x-kubernetes-pf-flowschema-uid"),
            "X-Kubernetes-Pf-Flowschema-Uid"
        );
    }

    #[test]
    fn user_agent_looks_like_kubectls() {
        assert!(user_agent().starts_with(&format!("kz/{} (", env!("CARGO_PKG_VERSION"))));
    }
}
