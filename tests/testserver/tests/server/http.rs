//! Transport, authentication, authorization, faults and the request log, over real HTTPS.

use std::time::{Duration, Instant};

use kz_testserver::{Fault, TestServer};
use serde_json::{Value, json};

use crate::client::Client;

fn fixture(name: &str) -> Value {
    let path = format!("{}/../fixtures/http/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

#[test]
fn tokens_and_client_certificates_authenticate_over_tls() {
    let server = TestServer::builder().empty().start();
    assert!(server.url().starts_with("https://127.0.0.1:"));
    let admin = Client::admin(&server);
    assert_eq!(admin.get("/api/v1/namespaces").status, 200);
    let cert = Client::with_certificate(&server, "alice", &["devs"]);
    assert_eq!(cert.get("/api/v1/namespaces/default").status, 200);
    let users: Vec<Option<String>> = server.requests().into_iter().map(|r| r.user).collect();
    assert_eq!(
        users,
        vec![Some("admin".to_string()), Some("alice".to_string())]
    );
}

#[test]
fn unknown_or_missing_credentials_get_the_real_401() {
    let server = TestServer::builder().empty().start();
    for token in [None, Some("not-a-token".to_string())] {
        let answer = Client::with_token(&server, token).get("/api/v1/namespaces/shop/pods");
        assert_eq!(answer.status, 401);
        assert_eq!(answer.json(), fixture("105-list-pods-unauthorized.json"));
    }
    let token = server.token_for("bob");
    let bob = Client::with_token(&server, Some(token.clone()));
    assert_eq!(bob.get("/api/v1/namespaces").status, 200);
    server.revoke_token(&token);
    assert_eq!(
        bob.get("/api/v1/namespaces").status,
        401,
        "revoked tokens expire"
    );
}

#[test]
fn deny_rules_answer_the_real_403() {
    let server = TestServer::start();
    server.deny("viewer", "list", "pods");
    let viewer = Client::with_token(&server, Some(server.token_for("viewer")));
    let answer = viewer.get("/api/v1/namespaces/shop/pods");
    assert_eq!(answer.status, 403);
    assert_eq!(
        answer.json(),
        fixture("104-list-pods-forbidden-viewer.json")
    );
    assert_eq!(viewer.get("/api/v1/namespaces/shop/services").status, 200);
}

#[test]
fn admins_may_impersonate_and_the_impersonated_user_is_authorized() {
    let server = TestServer::builder().empty().start();
    server.deny("viewer", "*", "*");
    let admin = Client::admin(&server);
    let answer = admin.send(
        "GET",
        "/api/v1/namespaces",
        &[
            ("Accept", "application/json"),
            ("Impersonate-User", "viewer"),
        ],
        "",
    );
    assert_eq!(answer.status, 403);
    assert!(
        answer
            .body
            .contains("User \\\"viewer\\\" cannot list resource \\\"namespaces\\\""),
        "{}",
        answer.body
    );
}

#[test]
fn faults_fail_delay_and_drop_requests() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    server.inject(
        Fault::status(500)
            .path_contains("/api/v1/namespaces")
            .times(1),
    );
    let failed = admin.get("/api/v1/namespaces");
    assert_eq!(failed.status, 500);
    assert_eq!(failed.json()["reason"], "InternalError");
    assert_eq!(
        admin.get("/api/v1/namespaces").status,
        200,
        "counted fault used up"
    );

    server.inject(Fault::retry_after(429, 1).times(1));
    let throttled = admin.send(
        "GET",
        "/api/v1/namespaces",
        &[("Accept", "application/json")],
        "",
    );
    assert_eq!(throttled.status, 429);

    server.inject(Fault::delay(Duration::from_millis(300)).times(1));
    let started = Instant::now();
    assert_eq!(admin.get("/version").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    server.inject(Fault::drop_connection().times(1));
    assert!(
        admin.try_get("/version").is_err(),
        "connection dropped without an answer"
    );
    assert_eq!(admin.try_get("/version"), Ok(200));
}

#[test]
#[should_panic(
    expected = "the test API server panicked 1 time(s) while serving this test:\n  GET /api/v1/namespaces?limit=1: injected fault: the handler panics"
)]
fn a_handler_that_panics_answers_500_and_fails_the_test_when_the_server_drops() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    server.inject(Fault::panic().path_contains("limit=1").times(1));
    let answer = admin.get("/api/v1/namespaces?limit=1");
    assert_eq!(
        (
            answer.status,
            answer.content_type.as_str(),
            answer.body.as_str()
        ),
        (
            500,
            "text/plain; charset=utf-8",
            "This request caused apiserver to panic. Look in the logs for details.\n"
        )
    );
    assert_eq!(
        admin.get("/api/v1/namespaces").status,
        200,
        "the server goes on serving"
    );
    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![500, 200]);
    // Dropping the server here panics with the recorded panic.
}

#[test]
fn a_test_failing_on_its_own_keeps_its_message_and_is_not_aborted() {
    let outcome = std::panic::catch_unwind(|| {
        let server = TestServer::builder().empty().start();
        server.inject(Fault::panic());
        assert_eq!(Client::admin(&server).get("/version").status, 500);
        panic!("the test's own failure");
    });
    // A second panic while unwinding would have aborted the whole test binary.
    let payload = outcome.expect_err("the closure panics");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"the test's own failure")
    );
}

#[test]
fn the_request_log_records_what_clients_sent() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    admin.send(
        "POST",
        "/api/v1/namespaces/default/configmaps?fieldManager=tests",
        &[
            ("Content-Type", "application/json"),
            ("User-Agent", "kz/0.1.0"),
        ],
        &json!({"metadata": {"name": "c"}, "data": {"a": "1"}}).to_string(),
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/api/v1/namespaces/default/configmaps")
    );
    assert_eq!(r.query, "fieldManager=tests");
    assert_eq!(r.user_agent, "kz/0.1.0");
    assert!(r.authorization_present && r.is_write());
    assert_eq!(r.status, 201);
    assert!(r.body.contains("\"name\":\"c\""));
    server.clear_requests();
    assert!(server.requests().is_empty());
}

#[test]
fn plain_http_serves_too() {
    let server = TestServer::builder().plain_http().empty().start();
    assert!(server.url().starts_with("http://"));
    assert_eq!(Client::admin(&server).get("/version").status, 200);
}

#[test]
fn refused_connections_and_shutdown() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    server.refuse_connections(true);
    assert!(admin.try_get("/version").is_err());
    server.refuse_connections(false);
    assert_eq!(admin.try_get("/version"), Ok(200));
    drop(server);
    assert!(admin.try_get("/version").is_err(), "stopped on drop");
}

#[test]
fn aggregated_discovery_answers_with_its_media_type() {
    let server = TestServer::start();
    let admin = Client::admin(&server);
    let accept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    let answer = admin.send("GET", "/apis", &[("Accept", accept)], "");
    assert_eq!(
        answer.content_type,
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    );
    let groups: Vec<String> = answer.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|g| g["metadata"]["name"].as_str().map(String::from))
        .collect();
    assert!(
        groups.contains(&"example.org".to_string()),
        "the seeded CRD's group"
    );
    assert_eq!(admin.get("/apis").content_type, "application/json");
}

#[test]
fn watches_stream_changes_and_expire_old_versions() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    let rv =
        admin.get("/api/v1/namespaces/default/configmaps").json()["metadata"]["resourceVersion"]
            .as_str()
            .expect("rv")
            .to_string();
    server
        .create("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched, namespace: default}\n")
        .expect("create");
    let lines = admin.stream_lines(
        &format!("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}"),
        &[("Accept", "application/json")],
        1,
    );
    let event: Value = serde_json::from_str(&lines[0]).expect("event");
    assert_eq!(event["type"], "ADDED");
    assert_eq!(event["object"]["metadata"]["name"], "watched");
    assert_eq!(event["object"]["kind"], "ConfigMap");

    let ended = admin.stream_to_end(
        "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0&timeoutSeconds=1",
        &[("Accept", "application/json")],
    );
    assert_eq!(
        ended.lines().count(),
        2,
        "kube-root-ca.crt and watched, then the timeout: {ended}"
    );

    server.expire_history();
    let gone = admin.stream_to_end(
        &format!("/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}"),
        &[("Accept", "application/json")],
    );
    let error: Value = serde_json::from_str(gone.trim()).expect("one event");
    assert_eq!(error["type"], "ERROR");
    assert_eq!(error["object"]["code"], 410);
    assert_eq!(error["object"]["reason"], "Expired");
}

#[test]
fn a_body_cut_short_breaks_the_connection_after_the_request_was_carried_out() {
    let server = TestServer::builder().empty().start();
    let admin = Client::admin(&server);
    server.inject(Fault::cut_body_after(10).method("POST").times(1));
    let created = admin.try_send(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        &[("Content-Type", "application/json")],
        &json!({"metadata": {"name": "cut"}}).to_string(),
    );
    assert!(created.is_err(), "the answer broke off: {created:?}");
    assert_eq!(
        admin
            .get("/api/v1/namespaces/default/configmaps/cut")
            .status,
        200,
        "the configmap was created all the same"
    );
}

#[test]
fn a_server_that_goes_down_refuses_and_comes_back_with_its_state() {
    let server = TestServer::builder().plain_http().empty().start();
    let admin = Client::admin(&server);
    admin.send(
        "POST",
        "/api/v1/namespaces/default/configmaps",
        &[("Content-Type", "application/json")],
        &json!({"metadata": {"name": "kept"}}).to_string(),
    );
    let port = server.addr().port();
    server.go_down();
    let refused = std::net::TcpStream::connect(("127.0.0.1", port));
    assert_eq!(
        refused.map_err(|err| err.kind()).err(),
        Some(std::io::ErrorKind::ConnectionRefused)
    );
    server.come_up();
    assert_eq!(server.addr().port(), port);
    // An open watch is closed by the next restart.
    let token = server.token_for("admin");
    let mut watch = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    watch
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    std::io::Write::write_all(
        &mut watch,
        format!("GET /api/v1/namespaces?watch=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n").as_bytes(),
    )
    .expect("send");
    let mut head = [0u8; 12];
    std::io::Read::read_exact(&mut watch, &mut head).expect("the answer's head");
    assert_eq!(&head, b"HTTP/1.1 200");
    server.go_down();
    let mut rest = Vec::new();
    let read = std::io::Read::read_to_end(&mut watch, &mut rest);
    assert!(read.is_ok(), "closed, not timed out: {read:?}");
    server.come_up();
    assert_eq!(
        admin
            .get("/api/v1/namespaces/default/configmaps/kept")
            .status,
        200
    );
}
