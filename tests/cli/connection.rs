//! Connecting: kubeconfig problems, credentials and TLS flags, and what kz says when the server
//! cannot be reached or refuses.

use std::fs;
use std::net::TcpListener;
use std::time::Duration;

use kz_testserver::{Fault, TestServer, User};

use crate::support::{Sandbox, discovery_requests, run};

fn kubeconfig_token(sandbox: &Sandbox) -> String {
    let text = fs::read_to_string(&sandbox.kubeconfig).expect("kubeconfig");
    text.lines()
        .find_map(|line| line.trim().strip_prefix("token: "))
        .expect("token line")
        .to_owned()
}

#[test]
fn a_missing_kubeconfig_file_is_named() {
    let sandbox = Sandbox::new();
    let missing = sandbox.path("nowhere.yaml");
    let out = run(
        sandbox.kz(),
        &[
            "api-versions",
            "--kubeconfig",
            missing.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(
        out.failure(),
        format!(
            "error: reading kubeconfig {}: No such file or directory (os error 2)\n",
            missing.display()
        )
    );
}

#[test]
fn no_kubeconfig_at_all_says_what_to_do() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.kz(), &["api-resources"]);
    let stderr = out.failure();
    assert!(
        stderr.starts_with("error: no kubeconfig found ("),
        "{stderr}"
    );
    assert!(stderr.contains("pass --server"), "{stderr}");
}

#[test]
fn malformed_yaml_names_the_file_and_line() {
    let sandbox = Sandbox::new();
    fs::write(&sandbox.kubeconfig, "apiVersion: v1\nclusters: [\n").expect("write");
    let out = run(sandbox.kz(), &["config", "view"]);
    assert_eq!(
        out.failure(),
        format!(
            "error: invalid kubeconfig {}: unclosed bracket '[' at line 2, column 11\n",
            sandbox.kubeconfig.display()
        )
    );
}

/// kubectl names the Go struct field ("json: cannot unmarshal bool into Go struct field
/// AuthInfo.users.user.password of type string"); kz names the place in the file.
#[test]
fn a_value_of_the_wrong_type_names_its_place_and_fails_like_kubectl() {
    let sandbox = Sandbox::new();
    fs::write(
        &sandbox.kubeconfig,
        "apiVersion: v1\nusers:\n- name: u\n  user:\n    password: no\n",
    )
    .expect("write");
    let out = run(sandbox.kz(), &["config", "view"]);
    assert_eq!(
        out.failure(),
        format!(
            "error: invalid kubeconfig {}: users[0].user.password: invalid type: boolean `false`, expected a string\n",
            sandbox.kubeconfig.display()
        )
    );
    if let Some(kubectl) = sandbox.kubectl() {
        let kubectl = run(kubectl, &["config", "view"]);
        assert_eq!(kubectl.code, out.code);
        assert!(
            kubectl.stderr.contains("AuthInfo.users.user.password"),
            "{}",
            kubectl.stderr
        );
    }
}

#[test]
fn unknown_contexts_clusters_and_users_are_named() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let mut text = fs::read_to_string(&sandbox.kubeconfig).expect("read");
    text = text.replace(
        "contexts:\n",
        "contexts:\n- name: lost-cluster\n  context: {cluster: gone, user: admin}\n- name: lost-user\n  context: {cluster: kz-test, user: ghost}\n",
    );
    fs::write(&sandbox.kubeconfig, text).expect("write");

    let out = run(sandbox.kz(), &["api-versions", "--context", "nope"]);
    assert_eq!(
        out.failure(),
        "Error in configuration: context was not found for specified context: nope\n\
         Contexts in the kubeconfig: kz-test, lost-cluster, lost-user.\n"
    );
    let out = run(sandbox.kz(), &["api-versions", "--context=lost-cluster"]);
    assert_eq!(
        out.failure(),
        "error: cluster \"gone\" (used by context \"lost-cluster\") not found in kubeconfig\n"
    );
    let out = run(sandbox.kz(), &["api-versions", "--context=lost-user"]);
    assert_eq!(
        out.failure(),
        "error: user \"ghost\" (used by context \"lost-user\") not found in kubeconfig\n"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn missing_contexts_clusters_and_users_are_reported_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let hint = "Contexts in the kubeconfig: kz-test.\n";
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &["--context", "nope"],
            "Error in configuration: context was not found for specified context: nope\n",
            hint,
        ),
        (
            &["--context", "nope", "--cluster", "lost"],
            "Error in configuration: \n\
             * context was not found for specified context: nope\n\
             * no server found for cluster \"lost\"\n",
            hint,
        ),
        (
            &["--cluster", "lost"],
            "error: no server found for cluster \"lost\"\n",
            "",
        ),
        (
            &["--user", "ghost"],
            "error: auth info \"ghost\" does not exist\n",
            "",
        ),
    ];
    for (flags, kubectl_says, kz_adds) in cases {
        let args = [&["get", "pods"], flags].concat();
        let kz = run(sandbox.kz(), &args);
        assert_eq!(
            kz.failure(),
            format!("{kubectl_says}{kz_adds}"),
            "{flags:?}"
        );
        if let Some(kubectl) = sandbox.kubectl() {
            assert_eq!(run(kubectl, &args).failure(), kubectl_says, "{flags:?}");
        }
    }
    assert!(server.requests().is_empty());
}

#[test]
fn a_refused_connection_names_the_server() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let sandbox = Sandbox::new();
    let server = format!("http://127.0.0.1:{port}");
    let out = run(sandbox.kz(), &["api-versions", "--server", &server]);
    assert_eq!(
        out.failure(),
        format!(
            "The connection to the server 127.0.0.1:{port} was refused - did you specify the right host or port?\n"
        )
    );
    if let Some(kubectl) = sandbox.kubectl() {
        let kubectl = run(kubectl, &["version", "--server", &server]);
        let kz = run(sandbox.kz(), &["version", "--server", &server]);
        assert_eq!(kz.stderr.lines().last(), kubectl.stderr.lines().last());
    }
}

#[test]
fn an_untrusted_certificate_is_explained() {
    let server = TestServer::builder().frozen().start();
    let other = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let other_ca = sandbox.path("other-ca.pem");
    fs::write(&other_ca, other.ca_pem()).expect("write CA");
    let out = run(
        sandbox.kz(),
        &[
            "api-versions",
            "--certificate-authority",
            other_ca.to_str().expect("utf-8"),
        ],
    );
    let stderr = out.failure();
    assert!(
        stderr.starts_with(&format!(
            "Unable to connect to the server {}: TLS certificate not trusted (",
            server.url()
        )),
        "{stderr}"
    );
    assert!(stderr.contains("invalid peer certificate"), "{stderr}");
}

#[test]
fn a_revoked_token_is_unauthorized() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    server.revoke_token(&kubeconfig_token(&sandbox));
    let out = run(sandbox.kz(), &["api-resources"]);
    assert_eq!(
        out.failure(),
        "error: You must be logged in to the server (Unauthorized)\n"
    );
}

#[test]
fn impersonation_is_sent_and_refusals_are_forbidden() {
    let server = TestServer::builder().frozen().start();
    let admin = Sandbox::for_server(&server, &User::admin());
    run(admin.kz(), &["version", "--as=viewer", "--as-group=devs"]).success();
    let users: Vec<Option<String>> = server.requests().into_iter().map(|r| r.user).collect();
    assert_eq!(users, [Some("viewer".to_owned())]);

    let viewer = Sandbox::for_server(&server, &User::named("viewer"));
    let out = run(viewer.kz(), &["version", "--as", "root"]);
    assert_eq!(out.code, Some(1));
    assert_eq!(
        out.stderr,
        "Error from server (Forbidden): users \"root\" is forbidden: User \"viewer\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope\n"
    );
}

/// The server would answer after 5 s; kz, allowed 1 s, gives up first (had it waited, the
/// answer would have come and the command succeeded).
#[test]
fn request_timeout_gives_up_in_time() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    server.inject(Fault::delay(Duration::from_secs(5)));
    let out = run(sandbox.kz(), &["api-resources", "--request-timeout=1s"]);
    assert_eq!(
        out.failure(),
        format!(
            "Unable to connect to the server {}: no answer within the request timeout of 1s\n",
            server.url()
        )
    );
}

#[test]
fn verbose_tracing_redacts_credentials() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let token = kubeconfig_token(&sandbox);
    let out = run(sandbox.kz(), &["api-versions", "-v=8"]);
    assert_eq!(out.code, Some(0));
    let url = server.url();
    assert!(
        out.stderr.contains(&format!("GET {url}/api\n")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!("GET {url}/apis 200 OK in ")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("    Authorization: Bearer <masked>\n"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("Response Body: {"), "{}", out.stderr);
    assert!(
        !out.stderr.contains(&token),
        "the token leaked: {}",
        out.stderr
    );
    assert!(out.stdout.contains("apps/v1\n"));
}

#[test]
fn flags_alone_are_enough_to_connect() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::new();
    let ca = sandbox.path("ca.pem");
    fs::write(&ca, server.ca_pem()).expect("write CA");
    let token = server.token_for("admin");
    let out = run(
        sandbox.kz(),
        &[
            "api-versions",
            "--server",
            &server.url(),
            "--certificate-authority",
            ca.to_str().expect("utf-8"),
            "--token",
            &token,
        ],
    );
    assert!(out.success().ends_with("storage.k8s.io/v1\nv1\n"));
    assert_eq!(discovery_requests(&server).len(), 2);
}

#[test]
fn the_token_flag_replaces_the_kubeconfig_token() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    server.revoke_token(&kubeconfig_token(&sandbox));
    let fresh = server.token_for("someone");
    run(sandbox.kz(), &["version", "--token", &fresh]).success();
    let users: Vec<Option<String>> = server.requests().into_iter().map(|r| r.user).collect();
    assert_eq!(users.last(), Some(&Some("someone".to_owned())));
}

#[test]
fn insecure_skip_tls_verify_needs_no_ca() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::new();
    let token = server.token_for("admin");
    let url = server.url();
    let without_ca = run(
        sandbox.kz(),
        &["api-versions", "-s", &url, "--token", &token],
    );
    assert!(
        without_ca.failure().contains("TLS certificate not trusted"),
        "{without_ca:?}"
    );
    let insecure = run(
        sandbox.kz(),
        &[
            "version",
            "-s",
            &url,
            "--token",
            &token,
            "--insecure-skip-tls-verify",
        ],
    );
    assert!(insecure.success().contains("Server Version: v1.33.5"));
}

#[test]
fn client_certificates_authenticate() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::cert_admin());
    run(sandbox.kz(), &["version"]).success();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(!requests[0].authorization_present);
    assert_eq!(requests[0].user.as_deref(), Some("kubernetes-admin"));
}

#[test]
fn plain_http_servers_work() {
    let server = TestServer::builder().plain_http().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    assert!(
        run(sandbox.kz(), &["version"])
            .success()
            .ends_with("Server Version: v1.33.5\n")
    );
}

#[test]
fn an_unknown_host_is_a_dns_failure() {
    let sandbox = Sandbox::new();
    let out = run(
        sandbox.kz(),
        &[
            "api-versions",
            "--server",
            "https://kz-test.invalid:6443",
            "--token",
            "x",
        ],
    );
    let stderr = out.failure();
    assert!(
        stderr.starts_with(
            "Unable to connect to the server https://kz-test.invalid:6443: no such host ("
        ),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn exec_credential_plugins_and_token_files_authenticate() {
    use std::os::unix::fs::PermissionsExt as _;

    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let token = kubeconfig_token(&sandbox);

    // An exec plugin, referenced relative to the kubeconfig's directory.
    let plugin = sandbox.kubeconfig.with_file_name("credential-plugin");
    fs::write(
        &plugin,
        format!(
            "#!/bin/sh\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{token}\"}}}}'\n"
        ),
    )
    .expect("write plugin");
    fs::set_permissions(&plugin, fs::Permissions::from_mode(0o755)).expect("chmod");
    let text = fs::read_to_string(&sandbox.kubeconfig).expect("read");
    let token_line = format!("    token: {token}\n");
    let with_exec = text.replace(
        &token_line,
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: ./credential-plugin\n      interactiveMode: Never\n",
    );
    assert_ne!(with_exec, text);
    fs::write(&sandbox.kubeconfig, &with_exec).expect("write");
    run(sandbox.kz(), &["version"]).success();

    // A token file, also relative to the kubeconfig.
    fs::write(sandbox.kubeconfig.with_file_name("token"), &token).expect("write token");
    fs::write(
        &sandbox.kubeconfig,
        text.replace(&token_line, "    tokenFile: token\n"),
    )
    .expect("write");
    run(sandbox.kz(), &["version"]).success();

    let users: Vec<Option<String>> = server.requests().into_iter().map(|r| r.user).collect();
    assert_eq!(users, [Some("admin".to_owned()), Some("admin".to_owned())]);
}

/// A sandbox whose kubeconfig names its CA, client certificate and key as files next to it
/// (`ca.crt`, `client.crt`, `client.key`, relative paths), as hand-made kubeconfigs do.
fn with_tls_files(server: &TestServer, cert: &kz_testserver::tls::CertifiedKey) -> Sandbox {
    let sandbox = Sandbox::new();
    let dir = sandbox.kubeconfig.parent().expect("kube dir");
    fs::write(dir.join("ca.crt"), server.ca_pem()).expect("write CA");
    fs::write(dir.join("client.crt"), &cert.cert_pem).expect("write certificate");
    fs::write(dir.join("client.key"), &cert.key_pem).expect("write key");
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n    server: {}\n    certificate-authority: ca.crt\nusers:\n- name: u\n  user:\n    client-certificate: client.crt\n    client-key: client.key\ncontexts:\n- name: c\n  context: {{cluster: k, user: u}}\ncurrent-context: c\n",
        server.url()
    );
    fs::write(&sandbox.kubeconfig, kubeconfig).expect("write kubeconfig");
    sandbox
}

/// `name` in the sandbox's kube directory, as kz names it in messages.
fn kube_file(sandbox: &Sandbox, name: &str) -> String {
    sandbox
        .kubeconfig
        .with_file_name(name)
        .display()
        .to_string()
}

#[test]
fn x509_v1_client_certificates_work_as_with_kubectl() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::v1_cert_admin());
    let kz = run(sandbox.kz(), &["get", "pods", "-A", "-o", "name"]);
    let pods = kz.success();
    assert!(pods.starts_with("pod/"), "{pods}");
    let requests = server.requests();
    assert!(requests.iter().all(|r| !r.authorization_present));
    assert!(
        requests
            .iter()
            .all(|r| r.user.as_deref() == Some("kubernetes-admin"))
    );
    if let Some(kubectl) = sandbox.kubectl() {
        let kubectl = run(kubectl, &["get", "pods", "-A", "-o", "name"]);
        assert_eq!(kubectl.success(), pods);
    }

    // The same, from files, and from a kubectl-style relative path.
    let cert = server
        .client_certificate_v1("kubernetes-admin", &["system:masters"])
        .expect("v1 certificate");
    let files = with_tls_files(&server, &cert);
    assert_eq!(
        run(files.kz(), &["get", "pods", "-A", "-o", "name"]).success(),
        pods
    );
}

#[test]
fn an_untrusted_v1_client_certificate_is_refused() {
    let server = TestServer::builder().frozen().start();
    let other = TestServer::builder().frozen().start();
    let cert = other
        .client_certificate_v1("kubernetes-admin", &["system:masters"])
        .expect("v1 certificate");
    let sandbox = with_tls_files(&server, &cert);
    let out = run(sandbox.kz(), &["get", "pods"]);
    assert_eq!(out.code, Some(1), "{out:?}");
    let refused = format!("Unable to connect to the server {}: ", server.url());
    assert!(out.stderr.starts_with(&refused), "{out:?}");
    assert!(server.requests().is_empty(), "{:?}", server.requests());
}

#[test]
fn unreadable_tls_files_are_named() {
    let server = TestServer::builder().frozen().start();
    let cert = server
        .client_certificate("alice", &[])
        .expect("certificate");
    let sandbox = with_tls_files(&server, &cert);
    for (name, field, owner) in [
        ("ca.crt", "certificate-authority", "cluster \"k\""),
        ("client.crt", "client-certificate", "user \"u\""),
        ("client.key", "client-key", "user \"u\""),
    ] {
        let path = kube_file(&sandbox, name);
        let kept = fs::read(&path).expect("read");
        fs::remove_file(&path).expect("remove");
        let out = run(sandbox.kz(), &["get", "pods"]);
        assert_eq!(
            out.failure(),
            format!(
                "error: reading {field} {path} for {owner}: No such file or directory (os error 2)\n"
            )
        );
        fs::write(&path, kept).expect("restore");
    }
    run(sandbox.kz(), &["version"]).success();
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn client_certificate_data_that_is_not_pem_is_named() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::cert_admin());
    let text = fs::read_to_string(&sandbox.kubeconfig).expect("read");
    let data_line = text
        .lines()
        .find(|line| line.trim().starts_with("client-certificate-data: "))
        .expect("certificate data")
        .to_owned();
    // The certificate as DER (base64 of the PEM body), not PEM.
    let pem = kz_testserver::tls::Pki::generate()
        .and_then(|pki| pki.client_certificate("x", &[]))
        .expect("certificate")
        .cert_pem;
    let der_base64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    fs::write(
        &sandbox.kubeconfig,
        text.replace(
            &data_line,
            &format!("    client-certificate-data: {der_base64}"),
        ),
    )
    .expect("write");
    assert_eq!(
        run(sandbox.kz(), &["get", "pods"]).failure(),
        "error: client-certificate-data for user \"kubernetes-admin\" is not a PEM certificate: it has no -----BEGIN CERTIFICATE----- block\n"
    );
    assert!(server.requests().is_empty());
}

#[test]
fn a_key_file_without_a_key_is_named() {
    let server = TestServer::builder().frozen().start();
    let cert = server
        .client_certificate("alice", &[])
        .expect("certificate");
    let sandbox = with_tls_files(&server, &cert);
    let key = kube_file(&sandbox, "client.key");
    fs::write(&key, &cert.cert_pem).expect("write");
    assert_eq!(
        run(sandbox.kz(), &["get", "pods"]).failure(),
        format!(
            "error: client-key {key} for user \"u\" is not a PEM private key: it has no -----BEGIN PRIVATE KEY----- block\n"
        )
    );
}

#[test]
fn a_key_that_cannot_be_parsed_is_named() {
    let server = TestServer::builder().frozen().start();
    let cert = server
        .client_certificate("alice", &[])
        .expect("certificate");
    let sandbox = with_tls_files(&server, &cert);
    let key = kube_file(&sandbox, "client.key");
    fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    assert_eq!(
        run(sandbox.kz(), &["get", "pods"]).failure(),
        format!(
            "error: client-key {key} for user \"u\" is not a usable private key: failed to parse private key as RSA, ECDSA, or EdDSA\n"
        )
    );
}

#[test]
fn a_key_of_another_certificate_is_named() {
    let server = TestServer::builder().frozen().start();
    let cert = server
        .client_certificate_v1("alice", &[])
        .expect("certificate");
    let other = server.client_certificate("bob", &[]).expect("certificate");
    let sandbox = with_tls_files(&server, &cert);
    let key = kube_file(&sandbox, "client.key");
    fs::write(&key, &other.key_pem).expect("write");
    assert_eq!(
        run(sandbox.kz(), &["get", "pods"]).failure(),
        format!(
            "error: client-key {key} for user \"u\" is not the key of client-certificate {}\n",
            kube_file(&sandbox, "client.crt")
        )
    );
    assert!(server.requests().is_empty());
}

#[test]
fn a_ca_bundle_without_certificates_is_named() {
    let server = TestServer::builder().frozen().start();
    let cert = server
        .client_certificate("alice", &[])
        .expect("certificate");
    let sandbox = with_tls_files(&server, &cert);
    let ca = kube_file(&sandbox, "ca.crt");
    fs::write(&ca, &cert.key_pem).expect("write");
    assert_eq!(
        run(sandbox.kz(), &["get", "pods"]).failure(),
        format!(
            "error: certificate-authority {ca} for cluster \"k\" has no certificates in it: no -----BEGIN CERTIFICATE----- block\n"
        )
    );
    // The --certificate-authority flag is named the same way.
    let out = run(
        sandbox.kz(),
        &[
            "get",
            "pods",
            "--certificate-authority",
            "/nonexistent/ca.pem",
        ],
    );
    assert_eq!(
        out.failure(),
        "error: reading certificate-authority /nonexistent/ca.pem for cluster \"k\": No such file or directory (os error 2)\n"
    );
}
