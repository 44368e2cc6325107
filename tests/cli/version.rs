use kz_testserver::{TestServer, User};

use crate::support::{Sandbox, run};

const CLIENT_LINE: &str = concat!("Client Version: v", env!("CARGO_PKG_VERSION"), "\n");

#[test]
fn version_prints_client_and_server() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let out = run(sandbox.kz(), &["version"]);
    assert_eq!(
        out.success(),
        format!("{CLIENT_LINE}Server Version: v1.33.5\n")
    );
}

#[test]
fn server_version_matches_kubectl() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let Some(kubectl) = sandbox.kubectl() else {
        return;
    };
    let kubectl = run(kubectl, &["version"]);
    let kz = run(sandbox.kz(), &["version"]);
    let server_line = |text: &str| {
        text.lines()
            .find(|line| line.starts_with("Server Version:"))
            .map(str::to_owned)
    };
    assert_eq!(server_line(kz.success()), server_line(&kubectl.stdout));
    assert!(!kz.stdout.contains("Kustomize"));
}

#[test]
fn client_version_needs_no_server_and_no_kubeconfig() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    assert_eq!(
        run(sandbox.kz(), &["version", "--client"]).success(),
        CLIENT_LINE
    );
    assert!(server.requests().is_empty(), "{:?}", server.requests());

    let nothing = Sandbox::new();
    assert_eq!(
        run(nothing.kz(), &["version", "--client"]).success(),
        CLIENT_LINE
    );
}

#[test]
fn version_as_json_and_yaml() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let json = run(sandbox.kz(), &["version", "-o", "json"]);
    let parsed: serde_json::Value = serde_json::from_str(json.success()).expect("JSON");
    assert_eq!(parsed["serverVersion"]["gitVersion"], "v1.33.5");
    assert_eq!(parsed["serverVersion"]["major"], "1");
    assert_eq!(
        parsed["clientVersion"]["gitVersion"],
        concat!("v", env!("CARGO_PKG_VERSION"))
    );

    let yaml = run(sandbox.kz(), &["version", "-o=yaml", "--client"]);
    assert!(
        yaml.success()
            .starts_with("clientVersion:\n  gitVersion: v"),
        "{yaml:?}"
    );
    assert!(!yaml.stdout.contains("serverVersion"));
}

#[test]
fn version_prints_the_client_before_failing_on_the_server() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    drop(server);
    let out = run(sandbox.kz(), &["version"]);
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stdout, CLIENT_LINE);
    assert!(out.stderr.contains("was refused"), "{out:?}");
}
