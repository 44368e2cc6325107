//! A small HTTP client for the tests: real TLS against the server's CA, bearer tokens or
//! client certificates.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::time::Duration;

use kz_testserver::TestServer;
use serde_json::Value;
use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};

pub struct Client {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
}

/// One answer: status, content type, body text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    /// The `Warning` headers, in order.
    pub warnings: Vec<String>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn tls(server: &TestServer, client_cert: Option<ClientCert>) -> TlsConfig {
    let ca = Certificate::from_pem(server.ca_pem().as_bytes()).expect("CA PEM");
    TlsConfig::builder()
        .root_certs(RootCerts::Specific(Arc::new(vec![ca])))
        .client_cert(client_cert)
        .build()
}

fn agent(server: &TestServer, client_cert: Option<ClientCert>) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)));
    if !server.ca_pem().is_empty() {
        config = config.tls_config(tls(server, client_cert));
    }
    config.build().new_agent()
}

impl Client {
    /// The admin, with a bearer token.
    pub fn admin(server: &TestServer) -> Client {
        Client::with_token(server, Some(server_token(server, "admin")))
    }

    pub fn with_token(server: &TestServer, token: Option<String>) -> Client {
        Client {
            agent: agent(server, None),
            base: server.url(),
            token,
        }
    }

    pub fn with_certificate(server: &TestServer, user: &str, groups: &[&str]) -> Client {
        let cert = server
            .client_certificate(user, groups)
            .expect("client certificate");
        let chain = Certificate::from_pem(cert.cert_pem.as_bytes()).expect("cert PEM");
        let key = PrivateKey::from_pem(cert.key_pem.as_bytes()).expect("key PEM");
        Client {
            agent: agent(server, Some(ClientCert::new_with_certs(&[chain], key))),
            base: server.url(),
            token: None,
        }
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> ureq::http::Response<ureq::Body> {
        let mut builder = ureq::http::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            builder = builder.header("Authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(body.to_string()).expect("request");
        self.agent
            .run(request)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
        let mut response = self.request(method, path, headers, body);
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let warnings = response
            .headers()
            .get_all("warning")
            .iter()
            .filter_map(|v| v.to_str().ok().map(String::from))
            .collect();
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(64 * 1024 * 1024)
            .read_to_string()
            .expect("body");
        Answer {
            status,
            content_type,
            body,
            warnings,
        }
    }

    /// A request whose answer may break off: its body, or what went wrong.
    pub fn try_send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<String, String> {
        self.request(method, path, headers, body)
            .body_mut()
            .read_to_string()
            .map_err(|e| e.to_string())
    }

    /// A GET whose transport may fail (dropped or refused connections).
    pub fn try_get(&self, path: &str) -> Result<u16, String> {
        let mut builder = ureq::http::Request::builder()
            .method("GET")
            .uri(format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            builder = builder.header("Authorization", format!("Bearer {token}"));
        }
        let request = builder.body(String::new()).map_err(|e| e.to_string())?;
        self.agent
            .run(request)
            .map(|r| r.status().as_u16())
            .map_err(|e| e.to_string())
    }

    pub fn get(&self, path: &str) -> Answer {
        self.send("GET", path, &[("Accept", "application/json")], "")
    }

    /// Reads the first `n` lines of a streaming answer (watch, log follow), then hangs up.
    pub fn stream_lines(&self, path: &str, headers: &[(&str, &str)], n: usize) -> Vec<String> {
        let response = self.request("GET", path, headers, "");
        let reader = BufReader::new(response.into_body().into_reader());
        reader
            .lines()
            .take(n)
            .map(|l| l.expect("stream line"))
            .collect()
    }

    /// Reads a streaming answer to its end (the server closes it).
    pub fn stream_to_end(&self, path: &str, headers: &[(&str, &str)]) -> String {
        let response = self.request("GET", path, headers, "");
        let mut text = String::new();
        response
            .into_body()
            .into_reader()
            .read_to_string(&mut text)
            .expect("stream");
        text
    }
}

fn server_token(server: &TestServer, user: &str) -> String {
    // The admin token is minted with the admin group by the kubeconfig writer.
    let config = server
        .kubeconfig(&kz_testserver::User::admin())
        .expect("kubeconfig");
    if user == "admin" {
        return config
            .lines()
            .find_map(|l| l.trim().strip_prefix("token: "))
            .expect("token line")
            .to_string();
    }
    server.token_for(user)
}
