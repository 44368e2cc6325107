//! HTTP(S) plumbing: accept connections, terminate TLS, read requests, apply faults,
//! authenticate, hand the request to the router (catching a handler's panic), and record what
//! happened.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

use crate::auth::{Auth, Identity};
use crate::controller::Controller;
use crate::faults::{FaultAction, Faults, injected_error};
use crate::logs::Logs;
use crate::panics::{self, Panics};
use crate::requestlog::{RecordedRequest, RequestLog};
use crate::router;
use crate::status::ApiError;
use crate::store::Store;

pub type Body = BoxBody<Bytes, Infallible>;

/// Everything a request handler can reach.
pub struct Shared {
    pub store: Arc<Store>,
    pub auth: Auth,
    pub faults: Faults,
    pub requests: RequestLog,
    pub logs: Logs,
    pub controller: Arc<Controller>,
    /// Accept connections and close them at once (a server that is "down").
    pub refuse_connections: AtomicBool,
    /// The CA certificate, published in every namespace's `kube-root-ca.crt`.
    pub ca_pem: String,
    /// Panics of handlers and background tasks, for `TestServer`'s drop to report.
    pub panics: Arc<Panics>,
}

/// One parsed request, as handlers see it.
pub struct ApiRequest {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub accept: String,
    pub content_type: String,
    pub user_agent: String,
    pub body: Bytes,
    pub user: Identity,
    /// From an injected `CutStreamAfter` fault.
    pub cut_stream_after: Option<usize>,
    /// What the handler warns the client about, sent as `Warning` headers.
    pub warnings: crate::warning::Warnings,
}

impl ApiRequest {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.param(name), Some("true" | "1"))
    }
}

pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).boxed()
}

pub fn json_response(code: u16, value: &Value) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    response(code, "application/json", body)
}

pub fn response(code: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = content_type.parse() {
        resp.headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    resp
}

pub fn error_response(err: &ApiError) -> Response<Body> {
    json_response(err.code, &err.to_status())
}

/// Whether the server is to be down (restarting): no port, no open connection.
pub struct Availability {
    /// `true` for down.
    pub wanted: watch::Receiver<bool>,
    /// Told each state reached, once the port is closed or listening again.
    pub reached: std::sync::mpsc::Sender<bool>,
}

/// Serves until `shutdown` changes; goes down and comes up again as `availability` says.
pub async fn serve(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    mut availability: Availability,
) {
    let Ok(addr) = listener.local_addr() else {
        return;
    };
    let mut listener = Some(listener);
    // Held by every connection's task: how many are open.
    let connections = Arc::new(());
    loop {
        let Some(listening) = listener.as_ref() else {
            tokio::select! {
                _ = availability.wanted.wait_for(|down| !*down) => {}
                _ = shutdown.changed() => return,
            }
            match listen_again(addr).await {
                Ok(again) => listener = Some(again),
                Err(err) => {
                    shared.panics.record("listening again", &err.to_string());
                    return;
                }
            }
            let _ = availability.reached.send(false);
            continue;
        };
        let accepted = tokio::select! {
            accepted = listening.accept() => accepted,
            _ = shutdown.changed() => return,
            _ = availability.wanted.wait_for(|down| *down) => {
                listener = None;
                connections_closed(&connections).await;
                let _ = availability.reached.send(true);
                continue;
            }
        };
        let Ok((stream, _)) = accepted else { continue };
        if shared.refuse_connections.load(Ordering::SeqCst) {
            drop(stream);
            continue;
        }
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        let tls = tls.clone();
        let mut stops = Stops {
            shutdown: shutdown.clone(),
            down: availability.wanted.clone(),
        };
        let open = connections.clone();
        tokio::spawn(async move {
            let _open = open;
            match tls {
                Some(acceptor) => {
                    let Ok(stream) = acceptor.accept(stream).await else {
                        return;
                    };
                    let peer = stream
                        .get_ref()
                        .1
                        .peer_certificates()
                        .and_then(|certs| certs.first())
                        .map(|c| Arc::new(c.as_ref().to_vec()));
                    serve_connection(TokioIo::new(stream), shared, peer, &mut stops).await;
                }
                None => {
                    serve_connection(TokioIo::new(stream), shared, None, &mut stops).await;
                }
            }
        });
    }
}

/// Waits (a few seconds at most) for the tasks of the open connections to end, as they do
/// once the server goes down.
async fn connections_closed(connections: &Arc<()>) {
    for _ in 0..1000 {
        if Arc::strong_count(connections) == 1 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// The port of a server that went down, listening again (the address is reusable at once:
/// connections the server closed may linger in TIME_WAIT).
async fn listen_again(addr: std::net::SocketAddr) -> std::io::Result<TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// What ends a connection: the server stopping, or going down.
struct Stops {
    shutdown: watch::Receiver<bool>,
    down: watch::Receiver<bool>,
}

async fn serve_connection<I>(
    io: I,
    shared: Arc<Shared>,
    peer: Option<Arc<Vec<u8>>>,
    stops: &mut Stops,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |req| {
        let shared = shared.clone();
        let peer = peer.clone();
        async move { handle(req, shared, peer).await }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(io, service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stops.shutdown.changed() => {}
        // Any change: the server was up when it took the connection, so it went down since
        // (and may be up again already).
        _ = stops.down.changed() => {}
    }
}

/// The error that makes hyper close the connection without an answer, and why.
#[derive(Debug)]
struct Dropped(&'static str);

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Dropped {}

fn header(req: &Request<Incoming>, name: hyper::header::HeaderName) -> String {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

async fn handle(
    req: Request<Incoming>,
    shared: Arc<Shared>,
    peer: Option<Arc<Vec<u8>>>,
) -> Result<Response<Body>, Dropped> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    let raw_query = req.uri().query().unwrap_or_default().to_string();
    let accept = header(&req, hyper::header::ACCEPT);
    let content_type = header(&req, hyper::header::CONTENT_TYPE);
    let user_agent = header(&req, hyper::header::USER_AGENT);
    let authorization = req
        .headers()
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let impersonate_user = req
        .headers()
        .get("impersonate-user")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    let impersonate_groups: Vec<String> = req
        .headers()
        .get_all("impersonate-group")
        .iter()
        .filter_map(|v| v.to_str().ok().map(String::from))
        .collect();
    let body = match req.into_body().collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };

    let mut record = RecordedRequest {
        method: method.clone(),
        path: path.clone(),
        query: raw_query.clone(),
        accept: accept.clone(),
        content_type: content_type.clone(),
        user_agent: user_agent.clone(),
        authorization_present: authorization.is_some(),
        user: None,
        body: if method == "GET" {
            String::new()
        } else {
            String::from_utf8_lossy(&body).into_owned()
        },
        status: 0,
    };

    let path_and_query = if raw_query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{raw_query}")
    };
    let mut cut_stream_after = None;
    let mut cut_body_after = None;
    let mut panic = false;
    for action in shared.faults.take(&method, &path_and_query) {
        match action {
            FaultAction::Delay(delay) => tokio::time::sleep(delay).await,
            FaultAction::DropConnection => {
                shared.requests.record(record);
                return Err(Dropped("connection dropped by an injected fault"));
            }
            FaultAction::Status(code) => {
                record.status = code;
                shared.requests.record(record);
                return Ok(error_response(&injected_error(code)));
            }
            FaultAction::RetryAfter { status, seconds } => {
                record.status = status;
                shared.requests.record(record);
                let mut resp = error_response(&injected_error(status));
                if let Ok(value) = seconds.to_string().parse() {
                    resp.headers_mut().insert(hyper::header::RETRY_AFTER, value);
                }
                return Ok(resp);
            }
            FaultAction::CutStreamAfter(n) => cut_stream_after = Some(n),
            FaultAction::CutBodyAfter(n) => cut_body_after = Some(n),
            FaultAction::Panic => panic = true,
        }
    }

    let identity = shared
        .auth
        .authenticate(authorization.as_deref(), peer.as_deref().map(Vec::as_slice))
        .and_then(|who| {
            shared
                .auth
                .impersonate(who, impersonate_user.as_deref(), impersonate_groups)
        });
    let response = match identity {
        Err(err) => error_response(&err),
        Ok(user) => {
            record.user = Some(user.name.clone());
            let request = ApiRequest {
                method,
                path,
                query: parse_query(&raw_query),
                accept,
                content_type,
                user_agent,
                body,
                user,
                cut_stream_after,
                warnings: Default::default(),
            };
            let what = format!("{} {path_and_query}", request.method);
            match route_catching_panics(&shared, request, panic).await {
                Ok(response) => response,
                Err(RouteFailure::Panicked(payload)) => {
                    shared.panics.record(&what, &*payload);
                    panic_response()
                }
                Err(RouteFailure::Cancelled) => {
                    shared.requests.record(record);
                    return Err(Dropped("the server is stopping"));
                }
            }
        }
    };
    record.status = response.status().as_u16();
    shared.requests.record(record);
    match cut_body_after {
        Some(bytes) => Ok(cut_body(response, bytes).await),
        None => Ok(response),
    }
}

/// `response` with only the first `bytes` of its body, which its `Content-Length` says is
/// whole: hyper closes the connection when the body ends short.
async fn cut_body(response: Response<Body>, bytes: usize) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let whole = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(never) => match never {},
    };
    parts
        .headers
        .insert(hyper::header::CONTENT_LENGTH, whole.len().into());
    let kept = whole.slice(..bytes.min(whole.len()));
    Response::from_parts(
        parts,
        BoxBody::new(Truncated {
            chunk: Some(kept),
            flushed: false,
        }),
    )
}

/// A body of one chunk whose size it does not tell (so the `Content-Length` header stands).
/// It waits once after the chunk, so hyper sends the head and the chunk before the body
/// ends short and the connection is closed.
struct Truncated {
    chunk: Option<Bytes>,
    flushed: bool,
}

impl hyper::body::Body for Truncated {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Infallible>>> {
        let this = self.get_mut();
        if let Some(chunk) = this.chunk.take() {
            return std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(chunk))));
        }
        if !this.flushed {
            this.flushed = true;
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        std::task::Poll::Ready(None)
    }
}

/// Why routing a request gave no response.
enum RouteFailure {
    Panicked(Box<dyn std::any::Any + Send>),
    /// The server stopped while the request was being answered.
    Cancelled,
}

/// Routes the request as a task of its own, so that a panic in a handler becomes the real
/// server's 500 (and a failure of the test) instead of a closed connection.
/// `panic` is an injected fault: the handler panics as a bug in it would.
async fn route_catching_panics(
    shared: &Arc<Shared>,
    request: ApiRequest,
    panic: bool,
) -> Result<Response<Body>, RouteFailure> {
    let shared = shared.clone();
    let task = tokio::spawn(async move {
        if panic {
            panic!("injected fault: the handler panics");
        }
        router::route(&shared, request).await
    });
    task.await.map_err(|err| {
        if err.is_panic() {
            RouteFailure::Panicked(err.into_panic())
        } else {
            RouteFailure::Cancelled
        }
    })
}

/// What kube-apiserver's panic filter answers (Go's `http.Error`).
fn panic_response() -> Response<Body> {
    let mut resp = response(500, "text/plain; charset=utf-8", panics::PANIC_RESPONSE);
    resp.headers_mut().insert(
        hyper::header::X_CONTENT_TYPE_OPTIONS,
        hyper::header::HeaderValue::from_static("nosniff"),
    );
    resp
}

/// `a=1&b=x%20y` → pairs, decoded like Go's url.ParseQuery.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let spaced = s.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_like_go() {
        assert_eq!(
            parse_query("labelSelector=app%3Dfrontend&limit=500&x=a+b&flag"),
            vec![
                ("labelSelector".to_string(), "app=frontend".to_string()),
                ("limit".to_string(), "500".to_string()),
                ("x".to_string(), "a b".to_string()),
                ("flag".to_string(), String::new()),
            ]
        );
    }
}
