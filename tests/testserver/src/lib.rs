//! kz-testserver: an in-process Kubernetes API server that behaves like kube-apiserver for
//! everything kz (and kubectl) use. See DESIGN.md, "The test API server".
//!
//! ```no_run
//! let server = kz_testserver::TestServer::start();
//! server
//!     .write_kubeconfig(std::path::Path::new("/tmp/config"), &kz_testserver::User::admin())
//!     .expect("kubeconfig");
//! ```

pub mod admission;
pub mod api;
pub mod auth;
pub mod controller;
pub mod der;
pub mod discovery;
pub mod events;
pub mod faults;
pub(crate) mod gofmt;
pub mod logs;
pub mod openapi;
pub mod panics;
pub mod patch;
pub mod podlogs;
pub mod registry;
pub mod requestlog;
pub mod router;
pub mod seed;
pub mod selectors;
pub mod server;
pub mod status;
pub mod store;
pub mod table;
pub mod tls;
pub mod validation;
pub mod warning;
pub mod watch;
pub mod x509v1;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result};
use base64::Engine;
use jiff::Timestamp;
use tokio::sync::watch as signal;

pub use auth::DenyRule;
pub use controller::{Controller, ControllerConfig};
pub use faults::{Fault, FaultAction};
pub use logs::{ContainerRef, DEFAULT_LINE_COUNT as DEFAULT_LOG_LINES, LogLine};
pub use requestlog::RecordedRequest;
pub use seed::Generated;
use server::Shared;
pub use store::{ObjectKey, Store};

/// Who a kubeconfig authenticates as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
    /// Authenticate with a client certificate instead of a bearer token.
    pub certificate: bool,
    /// Make that certificate X.509 version 1, as `openssl x509 -req` does without an
    /// extensions file.
    pub certificate_v1: bool,
}

impl User {
    /// A cluster admin with a bearer token.
    pub fn admin() -> User {
        User {
            name: "admin".into(),
            groups: vec![auth::ADMIN_GROUP.into()],
            certificate: false,
            certificate_v1: false,
        }
    }

    /// A cluster admin with a client certificate, as kubeadm writes them.
    pub fn cert_admin() -> User {
        User {
            name: "kubernetes-admin".into(),
            groups: vec![auth::ADMIN_GROUP.into()],
            certificate: true,
            certificate_v1: false,
        }
    }

    /// An ordinary user with a bearer token; may do everything no deny rule forbids.
    pub fn named(name: &str) -> User {
        User {
            name: name.into(),
            groups: Vec::new(),
            certificate: false,
            certificate_v1: false,
        }
    }

    /// An ordinary user with a client certificate.
    pub fn named_with_certificate(name: &str) -> User {
        User {
            certificate: true,
            ..User::named(name)
        }
    }

    /// A cluster admin with an X.509 v1 client certificate, as hand-made cluster PKI has.
    pub fn v1_cert_admin() -> User {
        User {
            certificate_v1: true,
            ..User::cert_admin()
        }
    }
}

/// What a new server holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Contents {
    Fixture,
    Empty,
    Generated(Generated),
}

/// Options for a server; `TestServer::start()` is `builder().start()`.
#[derive(Debug, Clone)]
pub struct Builder {
    tls: bool,
    contents: Contents,
    port: u16,
    frozen: bool,
    tick: Duration,
    controller: ControllerConfig,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            tls: true,
            contents: Contents::Fixture,
            port: 0,
            frozen: false,
            tick: Duration::from_millis(100),
            controller: ControllerConfig::default(),
        }
    }
}

impl Builder {
    /// Serve plain HTTP instead of HTTPS.
    pub fn plain_http(mut self) -> Self {
        self.tls = false;
        self
    }

    /// Only the system namespaces and nodes; no shop.
    pub fn empty(mut self) -> Self {
        self.contents = Contents::Empty;
        self
    }

    /// A generated cluster for benchmarks.
    pub fn generated(mut self, spec: Generated) -> Self {
        self.contents = Contents::Generated(spec);
        self
    }

    /// Listen on this port (0 picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Start with the controllers frozen; tests step them with `controller().step(n)`.
    pub fn frozen(mut self) -> Self {
        self.frozen = true;
        self
    }

    /// Time between controller passes.
    pub fn tick(mut self, tick: Duration) -> Self {
        self.tick = tick;
        self
    }

    pub fn controller_config(mut self, config: ControllerConfig) -> Self {
        self.controller = config;
        self
    }

    /// Starts the server on its own thread; panics if it cannot (tests want a loud failure).
    pub fn start(self) -> TestServer {
        self.try_start().expect("starting the test API server")
    }

    pub fn try_start(self) -> Result<TestServer> {
        let pki = if self.tls {
            Some(tls::Pki::generate()?)
        } else {
            None
        };
        let store = Arc::new(Store::new());
        let controller = Arc::new(Controller::new(store.clone(), self.controller.clone()));
        let shared = Arc::new(Shared {
            store,
            auth: auth::Auth::default(),
            faults: faults::Faults::default(),
            requests: requestlog::RequestLog::default(),
            logs: logs::Logs::default(),
            controller: controller.clone(),
            refuse_connections: AtomicBool::new(false),
            ca_pem: pki.as_ref().map(tls::Pki::ca_pem).unwrap_or_default(),
            panics: Arc::default(),
        });
        match self.contents {
            Contents::Fixture => {
                seed::create_fixture_cluster(&shared)?;
                // Let the seeded workloads roll out before anyone looks.
                controller.step(12);
            }
            Contents::Empty => seed::create_system(&shared)?,
            Contents::Generated(spec) => seed::create_generated_cluster(&shared, spec)?,
        }
        if self.frozen {
            controller.freeze();
        }
        let acceptor = pki
            .as_ref()
            .map(|p| p.server_config().map(tokio_rustls::TlsAcceptor::from))
            .transpose()?;
        let listener = std::net::TcpListener::bind(("127.0.0.1", self.port))
            .with_context(|| format!("listening on 127.0.0.1:{}", self.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("kz-testserver")
            .build()
            .context("building the server runtime")?;
        let (stop, stopped) = signal::channel(false);
        let (down, wanted) = signal::channel(false);
        let (reached, down_reached) = std::sync::mpsc::channel();
        let availability = server::Availability { wanted, reached };
        let serving = shared.clone();
        let tick = self.tick;
        let thread = std::thread::Builder::new()
            .name("kz-testserver".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(_) => return,
                    };
                    let controller = panics::spawn(
                        &serving.panics,
                        "the controllers".into(),
                        serving.controller.clone().run(tick),
                    );
                    server::serve(listener, acceptor, serving, stopped, availability).await;
                    controller.abort();
                });
            })
            .context("starting the server thread")?;
        Ok(TestServer {
            shared,
            pki,
            addr,
            stop,
            down,
            down_reached: std::sync::Mutex::new(down_reached),
            thread: Some(thread),
        })
    }
}

/// A running server. Dropping it stops it, and fails the test (panics) if a request handler
/// or a background task of the server panicked meanwhile: the client saw only a 500 or a
/// stream that ended, which a test could take for an answer.
pub struct TestServer {
    shared: Arc<Shared>,
    pki: Option<tls::Pki>,
    addr: SocketAddr,
    stop: signal::Sender<bool>,
    /// `true` while the server is down (see `go_down`).
    down: signal::Sender<bool>,
    /// The states the serving loop reached, for `go_down` and `come_up` to wait for.
    down_reached: std::sync::Mutex<std::sync::mpsc::Receiver<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// HTTPS, the fixture cluster, controllers running.
    pub fn start() -> TestServer {
        Builder::default().start()
    }

    pub fn builder() -> Builder {
        Builder::default()
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:PORT` (or `http://` for a plain server).
    pub fn url(&self) -> String {
        let scheme = if self.pki.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The CA certificate (PEM); empty for a plain HTTP server.
    pub fn ca_pem(&self) -> String {
        self.pki.as_ref().map(tls::Pki::ca_pem).unwrap_or_default()
    }

    /// The bearer token of `user` (minted on first use).
    pub fn token_for(&self, user: &str) -> String {
        self.shared.auth.token_for(user, &[])
    }

    /// Makes a token stop working, like an expired one.
    pub fn revoke_token(&self, token: &str) {
        self.shared.auth.revoke_token(token);
    }

    /// A client certificate and key (PEM) for `user`, accepted by this server.
    pub fn client_certificate(&self, user: &str, groups: &[&str]) -> Result<tls::CertifiedKey> {
        let pki = self
            .pki
            .as_ref()
            .context("a plain HTTP server has no certificates")?;
        let cert = pki.client_certificate(user, groups)?;
        self.shared
            .auth
            .register_certificate(cert.cert_der.clone(), user, groups);
        Ok(cert)
    }

    /// Like `client_certificate`, as X.509 version 1 (no extensions).
    pub fn client_certificate_v1(&self, user: &str, groups: &[&str]) -> Result<tls::CertifiedKey> {
        let pki = self
            .pki
            .as_ref()
            .context("a plain HTTP server has no certificates")?;
        let cert = pki.client_certificate_v1(user, groups)?;
        self.shared
            .auth
            .register_certificate(cert.cert_der.clone(), user, groups);
        Ok(cert)
    }

    /// A complete kubeconfig: cluster, user and context `kz-test` (current, namespace default).
    pub fn kubeconfig(&self, user: &User) -> Result<String> {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let groups: Vec<&str> = user.groups.iter().map(String::as_str).collect();
        let credentials = if user.certificate {
            let cert = if user.certificate_v1 {
                self.client_certificate_v1(&user.name, &groups)?
            } else {
                self.client_certificate(&user.name, &groups)?
            };
            format!(
                "    client-certificate-data: {}\n    client-key-data: {}\n",
                b64(&cert.cert_pem),
                b64(&cert.key_pem)
            )
        } else {
            format!(
                "    token: {}\n",
                self.shared.auth.token_for(&user.name, &groups)
            )
        };
        let ca = match &self.pki {
            Some(pki) => format!("    certificate-authority-data: {}\n", b64(&pki.ca_pem())),
            None => String::new(),
        };
        Ok(format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: kz-test\n  cluster:\n    server: {url}\n{ca}users:\n- name: {name}\n  user:\n{credentials}contexts:\n- name: kz-test\n  context:\n    cluster: kz-test\n    user: {name}\n    namespace: default\ncurrent-context: kz-test\npreferences: {{}}\n",
            url = self.url(),
            name = user.name,
        ))
    }

    /// Writes `kubeconfig(user)` to `path` with mode 0600.
    pub fn write_kubeconfig(&self, path: &Path, user: &User) -> Result<()> {
        let text = self.kubeconfig(user)?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(())
    }

    /// RBAC-lite: `user` gets the real 403 for `verb` on `resource` (`*` for any;
    /// `pods/log` for a subresource).
    pub fn deny(&self, user: &str, verb: &str, resource: &str) {
        self.shared.auth.deny(DenyRule {
            user: user.into(),
            verb: verb.into(),
            resource: resource.into(),
        });
    }

    pub fn inject(&self, fault: Fault) {
        self.shared.faults.inject(fault);
    }

    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Accept connections and close them at once, or stop doing so.
    pub fn refuse_connections(&self, refuse: bool) {
        self.shared
            .refuse_connections
            .store(refuse, Ordering::SeqCst);
    }

    /// Goes down as a restarting kube-apiserver does: every open connection (watches, log
    /// follows) is closed and the port stops listening, so connecting is refused. The cluster
    /// (objects, logs, controllers) stays as it is; `come_up` serves it again on the same port.
    /// Returns once the port and the connections are closed.
    pub fn go_down(&self) {
        self.set_down(true);
    }

    /// Listens again on the same port after `go_down`; returns once it does.
    pub fn come_up(&self) {
        self.set_down(false);
    }

    fn set_down(&self, down: bool) {
        if *self.down.borrow() == down {
            return;
        }
        self.down.send_replace(down);
        let reached = self.down_reached.lock().unwrap_or_else(|e| e.into_inner());
        let state = reached.recv_timeout(Duration::from_secs(10));
        assert_eq!(
            state,
            Ok(down),
            "the test server did not go down or come up"
        );
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.all()
    }

    pub fn clear_requests(&self) {
        self.shared.requests.clear();
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub fn controller(&self) -> &Controller {
        &self.shared.controller
    }

    /// Continue tokens and watch positions handed out so far stop working (410 Gone).
    pub fn expire_history(&self) {
        self.shared.store.compact();
    }

    /// Creates every document of a YAML manifest, like `kubectl create -f`.
    pub fn create(&self, yaml: &str) -> Result<Vec<serde_json::Value>> {
        seed::create_manifest(&self.shared, yaml)
    }

    /// Replaces a container's log with these lines (one second apart, ending now).
    pub fn set_log(&self, namespace: &str, pod: &str, container: &str, lines: &[&str]) {
        let now = Timestamp::now();
        let count = i64::try_from(lines.len()).unwrap_or(i64::MAX);
        let lines = lines
            .iter()
            .zip(0..)
            .map(|(text, i)| LogLine {
                time: now - jiff::SignedDuration::from_secs(count - i),
                text: text.to_string(),
            })
            .collect();
        self.shared
            .logs
            .set(container_ref(namespace, pod, container), lines);
    }

    /// Replaces a container's log with lines written at the given times (RFC 3339), for tests
    /// that need several lines in one second.
    pub fn set_timed_log(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        lines: &[(&str, &str)],
    ) {
        let lines = lines
            .iter()
            .map(|(time, text)| LogLine {
                time: time.parse().unwrap_or_else(|_| Timestamp::now()),
                text: text.to_string(),
            })
            .collect();
        self.shared
            .logs
            .set(container_ref(namespace, pod, container), lines);
    }

    /// How many lines (`<pod>/<container> line N`, one a second) a container whose log no
    /// test set has; the recorded cluster's 20 unless changed (benchmarks want thousands).
    pub fn set_default_log_lines(&self, count: usize) {
        self.shared.logs.set_default_count(count);
    }

    /// Appends one line to a container's log; followers receive it at once.
    pub fn append_log(&self, namespace: &str, pod: &str, container: &str, line: &str) {
        self.shared.logs.append(
            container_ref(namespace, pod, container),
            line,
            Timestamp::now(),
        );
    }

    /// Sets what `--previous` shows for a container.
    pub fn set_previous_log(&self, namespace: &str, pod: &str, container: &str, lines: &[&str]) {
        let now = Timestamp::now();
        let lines = lines
            .iter()
            .map(|text| LogLine {
                time: now,
                text: text.to_string(),
            })
            .collect();
        self.shared
            .logs
            .set_previous(container_ref(namespace, pod, container), lines, now);
    }
}

fn container_ref(namespace: &str, pod: &str, container: &str) -> ContainerRef {
    ContainerRef {
        namespace: namespace.into(),
        pod: pod.into(),
        container: container.into(),
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take()
            && let Err(payload) = thread.join()
        {
            self.shared.panics.record("the server thread", &*payload);
        }
        let panics = self.shared.panics.take();
        // A test that is already failing says why itself; a second panic would abort.
        if let Some(report) = panics::report(&panics)
            && !std::thread::panicking()
        {
            panic!("{report}");
        }
    }
}
