//! `-f https://…`: manifests fetched over HTTP(S) the way kubectl's `URLVisitor` fetches them
//! (`readHttpWithRetries`): up to three attempts a second apart, retrying when there is no
//! answer or a 5xx one; any other status other than 200 is
//! `unable to read URL "…", server reported 404 Not Found, status code=404`. Redirects are
//! followed (at most ten, as Go's client does). HTTPS is verified against the system's roots.
//!
//! The client is hyper-util's, with hyper-rustls for TLS: both are what kube already builds on.

use std::time::Duration;

use anyhow::{Context as _, Result, anyhow, bail};
use bytes::Bytes;
use http::{Request, StatusCode, Uri, header};
use http_body_util::{BodyExt as _, Empty};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::{ConnectCause, ConnectError};

/// kubectl's `defaultHttpGetAttempts`.
const ATTEMPTS: u32 = 3;
const RETRY_DELAY: Duration = Duration::from_secs(1);
/// Go's `http.Client` gives up after this many redirects.
const MAX_REDIRECTS: usize = 10;

/// Reads manifests from URLs.
#[derive(Debug, Clone)]
pub struct UrlReader {
    attempts: u32,
    delay: Duration,
}

impl Default for UrlReader {
    fn default() -> Self {
        UrlReader {
            attempts: ATTEMPTS,
            delay: RETRY_DELAY,
        }
    }
}

impl UrlReader {
    /// A reader that waits `delay` between attempts (tests use no delay).
    pub fn with_delay(delay: Duration) -> Self {
        UrlReader {
            delay,
            ..UrlReader::default()
        }
    }

    /// The body of `url` once it answers 200.
    pub async fn read(&self, url: &str) -> Result<Bytes> {
        let uri: Uri = url
            .parse()
            .with_context(|| format!("the URL passed to filename {url:?} is not valid"))?;
        let mut clients = Clients::default();
        let mut last_error = None;
        for attempt in 0..self.attempts {
            if attempt > 0 {
                tokio::time::sleep(self.delay).await;
            }
            let (status, reason, body) = match clients.get_following_redirects(&uri, url).await {
                Ok(answer) => answer,
                Err(err) => {
                    last_error = Some(err);
                    continue;
                }
            };
            if status == StatusCode::OK {
                return Ok(body);
            }
            last_error = Some(anyhow!(
                "unable to read URL {url:?}, server reported {}, status code={}",
                status_text(status, reason.as_deref()),
                status.as_u16()
            ));
            if !status.is_server_error() {
                break;
            }
        }
        Err(last_error.unwrap_or_else(|| {
            anyhow!(
                "http attempts must be greater than 0, was {}",
                self.attempts
            )
        }))
    }
}

/// Go's `Response.Status`: `404 Not Found`, with the server's own reason phrase if it sent
/// another one.
fn status_text(status: StatusCode, reason: Option<&str>) -> String {
    match reason.or(status.canonical_reason()) {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

type Body = Empty<Bytes>;

/// What one request got back.
struct Answer {
    status: StatusCode,
    /// The reason phrase, when the server's is not the standard one.
    reason: Option<String>,
    location: Option<String>,
    body: Bytes,
}

/// A plain client for `http://`, and one for `https://` made on first use, so that a machine
/// without CA certificates can still read plain HTTP.
#[derive(Default)]
struct Clients {
    http: Option<Client<HttpConnector, Body>>,
    https: Option<Client<HttpsConnector<HttpConnector>, Body>>,
}

impl Clients {
    /// The final answer to `GET uri`, after redirects. `url` names the request in errors.
    async fn get_following_redirects(
        &mut self,
        uri: &Uri,
        url: &str,
    ) -> Result<(StatusCode, Option<String>, Bytes)> {
        let mut uri = uri.clone();
        for _ in 0..=MAX_REDIRECTS {
            let Answer {
                status,
                reason,
                location,
                body,
            } = self.exchange(&uri).await?;
            match location {
                Some(location) if status.is_redirection() => {
                    uri = redirect_target(&uri, &location)
                        .with_context(|| format!("Get {url:?}: bad redirect to {location:?}"))?;
                }
                _ => return Ok((status, reason, body)),
            }
        }
        bail!("Get {url:?}: stopped after {MAX_REDIRECTS} redirects")
    }

    /// One request and its whole answer.
    async fn exchange(&mut self, uri: &Uri) -> Result<Answer> {
        let request = Request::get(uri.clone())
            .header(
                header::USER_AGENT,
                concat!("kz/", env!("CARGO_PKG_VERSION")),
            )
            .body(Empty::new())
            .with_context(|| format!("building the request for {uri}"))?;
        let sent = if uri.scheme() == Some(&http::uri::Scheme::HTTPS) {
            self.https()?.request(request).await
        } else {
            self.http
                .get_or_insert_with(|| Client::builder(TokioExecutor::new()).build_http())
                .request(request)
                .await
        };
        let response = sent.map_err(|err| ConnectError {
            server: uri.to_string(),
            cause: ConnectCause::classify(&err),
        })?;
        let status = response.status();
        let reason = response
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .map(|reason| String::from_utf8_lossy(reason.as_bytes()).into_owned());
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = response
            .into_body()
            .collect()
            .await
            .with_context(|| format!("reading {uri}"))?
            .to_bytes();
        Ok(Answer {
            status,
            reason,
            location,
            body,
        })
    }

    fn https(&mut self) -> Result<&Client<HttpsConnector<HttpConnector>, Body>> {
        if self.https.is_none() {
            let connector = hyper_rustls::HttpsConnectorBuilder::new()
                .with_native_roots()
                .context("loading the system's CA certificates for HTTPS")?
                .https_or_http()
                .enable_http1()
                .build();
            self.https = Some(Client::builder(TokioExecutor::new()).build(connector));
        }
        self.https
            .as_ref()
            .ok_or_else(|| anyhow!("the HTTPS client is not set up"))
    }
}

/// Where a `Location` header points, relative to the URL that answered with it.
fn redirect_target(base: &Uri, location: &str) -> Result<Uri> {
    let scheme = base.scheme_str().unwrap_or("http");
    let authority = base.authority().map_or("", |a| a.as_str());
    let absolute = if location.starts_with("http://") || location.starts_with("https://") {
        location.to_owned()
    } else if location.starts_with("//") {
        format!("{scheme}:{location}")
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let path = base.path();
        let dir = &path[..path.rfind('/').map_or(0, |slash| slash + 1)];
        let dir = if dir.is_empty() { "/" } else { dir };
        format!("{scheme}://{authority}{dir}{location}")
    };
    Ok(absolute.parse()?)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A one-thread HTTP server answering each connection with the next canned response
    /// (status line and body; `Location` from a `->` suffix) and recording the paths asked for.
    pub(crate) struct CannedServer {
        pub url: String,
        pub paths: Arc<Mutex<Vec<String>>>,
    }

    impl CannedServer {
        pub(crate) fn start(responses: &[(&str, &str)]) -> CannedServer {
            let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
            let url = format!("http://{}", listener.local_addr().expect("address"));
            let paths = Arc::new(Mutex::new(Vec::new()));
            let responses: Vec<(String, String)> = responses
                .iter()
                .map(|(status, body)| (status.to_string(), body.to_string()))
                .collect();
            let seen = Arc::clone(&paths);
            std::thread::spawn(move || {
                for (status, body) in responses {
                    let Ok((stream, _)) = listener.accept() else {
                        return;
                    };
                    let mut reader = BufReader::new(stream);
                    let mut request_line = String::new();
                    reader.read_line(&mut request_line).expect("request line");
                    let path = request_line
                        .split(' ')
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned();
                    seen.lock().expect("lock").push(path);
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                        line.clear();
                    }
                    let (status, location) = match status.split_once(" -> ") {
                        Some((status, location)) => {
                            (status.to_owned(), format!("Location: {location}\r\n"))
                        }
                        None => (status, String::new()),
                    };
                    let mut stream = reader.into_inner();
                    write!(
                        stream,
                        "HTTP/1.1 {status}\r\n{location}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .expect("answer");
                }
            });
            CannedServer { url, paths }
        }

        pub(crate) fn paths(&self) -> Vec<String> {
            self.paths.lock().expect("lock").clone()
        }
    }

    fn read(url: &str) -> Result<Bytes> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(UrlReader::with_delay(Duration::ZERO).read(url))
    }

    #[test]
    fn a_200_answer_is_the_manifest() {
        let server = CannedServer::start(&[("200 OK", "kind: Pod\n")]);
        let body = read(&format!("{}/pod.yaml", server.url)).expect("read");
        assert_eq!(&body[..], b"kind: Pod\n");
        assert_eq!(server.paths(), ["/pod.yaml"]);
    }

    #[test]
    fn a_404_is_kubectls_error_without_a_retry() {
        let server = CannedServer::start(&[("404 Not Found", "nope"), ("200 OK", "")]);
        let url = format!("{}/missing.yaml", server.url);
        let err = read(&url).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("unable to read URL {url:?}, server reported 404 Not Found, status code=404")
        );
        assert_eq!(server.paths(), ["/missing.yaml"]);
        // Go reports the server's own reason phrase.
        let server = CannedServer::start(&[("403 Go Away", "")]);
        let err = read(&format!("{}/x", server.url)).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("server reported 403 Go Away, status code=403"),
            "{err}"
        );
    }

    #[test]
    fn server_errors_are_retried_three_times() {
        let failing = [("503 Service Unavailable", ""); 3];
        let server = CannedServer::start(&failing);
        let url = format!("{}/x.yaml", server.url);
        let err = read(&url).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("server reported 503 Service Unavailable, status code=503")
        );
        assert_eq!(server.paths().len(), 3);

        let recovering =
            CannedServer::start(&[("500 Internal Server Error", ""), ("200 OK", "ok")]);
        let body = read(&format!("{}/x.yaml", recovering.url)).expect("second attempt");
        assert_eq!(&body[..], b"ok");
    }

    #[test]
    fn redirects_are_followed() {
        let server = CannedServer::start(&[
            ("302 Found -> /moved/here.yaml", ""),
            ("301 Moved Permanently -> next.yaml", ""),
            ("200 OK", "found"),
        ]);
        let body = read(&format!("{}/start.yaml", server.url)).expect("read");
        assert_eq!(&body[..], b"found");
        assert_eq!(
            server.paths(),
            ["/start.yaml", "/moved/here.yaml", "/moved/next.yaml"]
        );
    }

    #[test]
    fn no_answer_is_a_connection_error() {
        // A port that was free a moment ago: nothing listens there now.
        let port = TcpListener::bind("127.0.0.1:0")
            .expect("bind")
            .local_addr()
            .expect("address")
            .port();
        let err = read(&format!("http://127.0.0.1:{port}/x.yaml")).unwrap_err();
        assert_eq!(
            crate::error::message(&err),
            format!(
                "The connection to the server 127.0.0.1:{port} was refused - did you specify the right host or port?"
            )
        );
    }

    #[test]
    fn redirect_targets_resolve_against_the_url() {
        let base: Uri = "https://example.org/a/b.yaml".parse().expect("uri");
        let target = |location| redirect_target(&base, location).expect("uri").to_string();
        assert_eq!(target("/c.yaml"), "https://example.org/c.yaml");
        assert_eq!(target("c.yaml"), "https://example.org/a/c.yaml");
        assert_eq!(target("//cdn.example.org/d"), "https://cdn.example.org/d");
        assert_eq!(target("http://other/e"), "http://other/e");
    }
}
