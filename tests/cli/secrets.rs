//! Secrets stay secret, checked end to end with the real binary: `-v` traces at every level,
//! `config view` (redacted unless `--raw`; `--flatten`), Secrets' values, errors that name the
//! user or file and never the credential, exec credential plugins (kubectl's environment,
//! stderr, install hint, failures, expiry, a 401), a token file that changes, kubeconfig
//! writes (mode, atomic replacement) and TLS verification.

use std::fs;
use std::path::Path;

use base64::Engine as _;
use kz_testserver::{Fault, TestServer, User};

use crate::background::Background;
use crate::compare::like_kubectl;
use crate::support::{Sandbox, run};

const SECRET_VALUE: &str = "hunter2-the-password";

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A frozen server with a Secret `vault` in `shop` holding `SECRET_VALUE`.
fn server_with_secret() -> TestServer {
    let server = TestServer::builder().frozen().start();
    server
        .create(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: vault, namespace: shop}}\ndata: {{password: {}}}\n",
            b64(SECRET_VALUE)
        ))
        .expect("create the secret");
    server
}

/// The server's kubeconfig for admin, the `token:` line replaced by `user` (lines indented
/// four spaces, as under `user:`).
fn with_user(server: &TestServer, sandbox: &Sandbox, user: &str) {
    let kubeconfig = server.kubeconfig(&User::admin()).expect("kubeconfig");
    let token_line = kubeconfig
        .lines()
        .find(|line| line.trim_start().starts_with("token: "))
        .expect("a token line");
    let replaced = kubeconfig.replace(&format!("{token_line}\n"), user);
    fs::write(&sandbox.kubeconfig, replaced).expect("write kubeconfig");
}

fn leaks<'a>(texts: &[&'a str], secrets: &[&str]) -> Vec<(&'a str, String)> {
    texts
        .iter()
        .flat_map(|text| {
            secrets
                .iter()
                .filter(|secret| text.contains(**secret))
                .map(|secret| (*text, secret.to_string()))
        })
        .collect()
}

#[test]
fn no_verbosity_shows_a_token_or_a_secrets_value() {
    let server = server_with_secret();
    let static_token = Sandbox::for_server(&server, &User::admin());
    let token = server.token_for("admin");
    let file_token = Sandbox::new();
    fs::write(file_token.path("token"), &token).expect("token file");
    with_user(
        &server,
        &file_token,
        &format!("    tokenFile: {}\n", file_token.path("token").display()),
    );
    let manifest = static_token.path("secret.yaml");
    fs::write(
        &manifest,
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: applied, namespace: shop}}\nstringData: {{password: {SECRET_VALUE}}}\n"
        ),
    )
    .expect("manifest");
    let manifest = manifest.to_str().expect("utf-8");
    let secrets = [token.as_str(), SECRET_VALUE, &b64(SECRET_VALUE)];
    let commands: [&[&str]; 5] = [
        &["get", "secret", "vault", "-n", "shop", "-o", "name"],
        &["get", "secrets", "-n", "shop"],
        &["describe", "secret", "vault", "-n", "shop"],
        &["apply", "-f", manifest],
        &[
            "get",
            "secrets",
            "-A",
            "-o",
            "custom-columns=NAME:.metadata.name",
        ],
    ];
    for sandbox in [&static_token, &file_token] {
        for verbosity in 0..=9 {
            for args in commands {
                let level = format!("-v={verbosity}");
                let out = run(sandbox.kz(), &[args, &[level.as_str()]].concat());
                assert_eq!(out.code, Some(0), "{args:?} {level}: {out:?}");
                let found = leaks(&[&out.stdout, &out.stderr], &secrets);
                assert!(found.is_empty(), "{args:?} {level} leaked {found:?}");
                if verbosity >= 7 {
                    assert!(
                        out.stderr.contains("    Authorization: Bearer <masked>\n"),
                        "{args:?} {level}: {}",
                        out.stderr
                    );
                }
            }
        }
    }
    // The bodies are traced, with the values masked.
    let described = run(
        static_token.kz(),
        &["describe", "secret", "vault", "-n", "shop", "-v=8"],
    );
    assert!(
        described.stderr.contains(r#""data":{"password":"***"}"#),
        "{}",
        described.stderr
    );
    // kubectl names the header the same way.
    if let Some(kubectl) = static_token.kubectl() {
        let traced = run(kubectl, &["get", "ns", "-v=7"]);
        assert!(traced.stderr.contains("Authorization: Bearer <masked>"));
    }
}

#[test]
fn get_secret_yaml_shows_the_data_as_kubectl_does() {
    let server = server_with_secret();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let yaml = like_kubectl(
        &sandbox,
        &["get", "secret", "vault", "-n", "shop", "-o", "yaml"],
    );
    assert!(
        yaml.contains(&format!("  password: {}\n", b64(SECRET_VALUE))),
        "{yaml}"
    );
}

/// A kubeconfig that names its CA, client certificate and key as files next to it, and has a
/// token and a password: everything `config view` hides.
fn file_kubeconfig(server: &TestServer) -> Sandbox {
    let sandbox = Sandbox::new();
    let dir = sandbox.kubeconfig.parent().expect("dir");
    let cert = server.client_certificate("alice", &[]).expect("cert");
    fs::write(dir.join("ca.crt"), server.ca_pem()).expect("ca");
    fs::write(dir.join("alice.crt"), &cert.cert_pem).expect("cert");
    fs::write(dir.join("alice.key"), &cert.key_pem).expect("key");
    fs::write(
        &sandbox.kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: k\n  cluster:\n    server: {}\n    certificate-authority: ca.crt\n- name: inline\n  cluster:\n    server: https://inline.example\n    certificate-authority-data: {}\nusers:\n- name: alice\n  user:\n    client-certificate: alice.crt\n    client-key: alice.key\n- name: bob\n  user:\n    token: bobs-secret-token\n- name: carol\n  user:\n    username: carol\n    password: carols-password\ncontexts:\n- name: c\n  context: {{cluster: k, user: alice}}\n- name: other\n  context: {{cluster: inline, user: bob}}\ncurrent-context: c\n",
            server.url(),
            b64(&server.ca_pem()),
        ),
    )
    .expect("kubeconfig");
    sandbox
}

#[test]
fn config_view_hides_credentials_unless_raw_and_flattens_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    let sandbox = file_kubeconfig(&server);
    let view = like_kubectl(&sandbox, &["config", "view"]);
    for secret in [
        "bobs-secret-token",
        "carols-password",
        &b64(&server.ca_pem()),
    ] {
        assert!(!view.contains(secret), "{secret} shown:\n{view}");
    }
    assert!(view.contains("token: REDACTED\n"), "{view}");
    assert!(view.contains("password: REDACTED\n"), "{view}");
    assert!(
        view.contains("certificate-authority-data: DATA+OMITTED\n"),
        "{view}"
    );
    let raw = like_kubectl(&sandbox, &["config", "view", "--raw"]);
    assert!(raw.contains("token: bobs-secret-token\n"), "{raw}");
    let flat = like_kubectl(&sandbox, &["config", "view", "--flatten"]);
    let key = sandbox.kubeconfig.with_file_name("alice.key");
    let key_data = b64(&fs::read_to_string(key).expect("key"));
    assert!(
        flat.contains(&format!("client-key-data: {key_data}\n")),
        "{flat}"
    );
    assert!(!flat.contains("alice.key"), "{flat}");
    for args in [
        &["config", "view", "--minify", "--flatten"][..],
        &["config", "view", "--minify", "--raw", "--context", "other"],
        &["config", "view", "--minify", "--context", "other"],
    ] {
        like_kubectl(&sandbox, args);
    }
}

#[test]
fn a_refused_token_is_not_echoed() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let token = server.token_for("admin");
    server.revoke_token(&token);
    for verbosity in ["-v=0", "-v=9"] {
        let out = run(sandbox.kz(), &["get", "pods", verbosity]);
        assert_eq!(out.code, Some(1));
        assert!(
            out.stderr
                .ends_with("error: You must be logged in to the server (Unauthorized)\n"),
            "{}",
            out.stderr
        );
        assert!(!out.stderr.contains(&token), "{}", out.stderr);
    }
}

#[test]
fn a_bad_client_key_is_named_not_shown() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::new();
    let cert = server.client_certificate("alice", &[]).expect("cert");
    let key =
        "-----BEGIN PRIVATE KEY-----\nS3CRETKEYBYTESS3CRETKEYBYTES\n-----END PRIVATE KEY-----\n";
    with_user(
        &server,
        &sandbox,
        &format!(
            "    client-certificate-data: {}\n    client-key-data: {}\n",
            b64(&cert.cert_pem),
            b64(key)
        ),
    );
    let out = run(sandbox.kz(), &["get", "pods"]);
    let stderr = out.failure();
    assert!(stderr.contains("client-key-data"), "{stderr}");
    assert!(stderr.contains("\"admin\""), "{stderr}");
    assert!(!stderr.contains("S3CRETKEYBYTES"), "{stderr}");
    assert!(!stderr.contains(&b64(key)), "{stderr}");
}

// ---- exec credential plugins ------------------------------------------------------------

/// A plugin script in the sandbox. Each run appends to `runs`, saves `KUBERNETES_EXEC_INFO`
/// and two variables, says something on stderr, then acts on `$MODE`: `fail` exits 3, `bad`
/// prints no credential; otherwise it prints the first line of `tokens` (dropping that line
/// while others are left) with the expiry in `expiry`, if any.
fn plugin(sandbox: &Sandbox) -> String {
    let path = sandbox.path("plugin.sh");
    fs::write(
        &path,
        r#"#!/bin/sh
dir=$(dirname "$0")
echo run >> "$dir/runs"
printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info"
printf '%s|%s' "$FROM_KUBECONFIG" "$INHERITED" > "$dir/env"
echo "plugin: asking the identity provider" >&2
case "$MODE" in
fail) echo "plugin: the provider said no" >&2; printf 'half-a-token-SECRET'; exit 3;;
bad) printf 'token-SECRET-as-text {'; exit 0;;
esac
token=$(head -n 1 "$dir/tokens")
if [ "$(wc -l < "$dir/tokens")" -gt 1 ]; then sed -i 1d "$dir/tokens"; fi
expiry=""
if [ -f "$dir/expiry" ]; then expiry=",\"expirationTimestamp\":\"$(cat "$dir/expiry")\""; fi
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"%s}}' "$token" "$expiry"
"#,
    )
    .expect("plugin");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    path.display().to_string()
}

fn exec_user(command: &str, mode: &str, interactive: &str) -> String {
    format!(
        "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {command}\n      interactiveMode: {interactive}\n      provideClusterInfo: true\n      installHint: 'Install it: apt install kz-test-plugin'\n      env:\n      - name: FROM_KUBECONFIG\n        value: env-SECRET-value\n      - name: MODE\n        value: {mode}\n"
    )
}

/// A sandbox whose user runs the plugin in `mode`, handing out `tokens` in turn.
fn plugin_sandbox(server: &TestServer, mode: &str, tokens: &[&str]) -> (Sandbox, String) {
    let sandbox = Sandbox::new();
    let command = plugin(&sandbox);
    fs::write(sandbox.path("tokens"), tokens.join("\n") + "\n").expect("tokens");
    with_user(server, &sandbox, &exec_user(&command, mode, "Never"));
    (sandbox, command)
}

fn runs(sandbox: &Sandbox) -> usize {
    fs::read_to_string(sandbox.path("runs"))
        .map(|runs| runs.lines().count())
        .unwrap_or(0)
}

#[test]
fn exec_plugins_get_the_environment_kubectl_gives_them() {
    let server = TestServer::builder().frozen().start();
    let token = server.token_for("admin");
    let (sandbox, _) = plugin_sandbox(&server, "ok", &[&token]);
    let mut kz = sandbox.kz();
    kz.env("INHERITED", "from-the-shell");
    let out = run(kz, &["get", "ns", "-o", "name"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stdout.contains("namespace/shop\n"));
    assert_eq!(out.stderr, "plugin: asking the identity provider\n");
    let env = fs::read_to_string(sandbox.path("env")).expect("env");
    assert_eq!(env, "env-SECRET-value|from-the-shell");
    let info: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(sandbox.path("exec-info")).expect("info"))
            .expect("JSON");
    assert_eq!(info["apiVersion"], "client.authentication.k8s.io/v1");
    assert_eq!(info["kind"], "ExecCredential");
    assert_eq!(info["spec"]["interactive"], false);
    assert_eq!(info["spec"]["cluster"]["server"], server.url());
    let Some(mut kubectl) = sandbox.kubectl() else {
        return;
    };
    kubectl.env("INHERITED", "from-the-shell");
    let kubectl = run(kubectl, &["get", "ns", "-o", "name"]);
    assert_eq!(kubectl.stdout, out.stdout);
    let kubectls: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(sandbox.path("exec-info")).expect("info"))
            .expect("JSON");
    assert_eq!(info, kubectls);
    assert_eq!(fs::read_to_string(sandbox.path("env")).expect("env"), env);
}

#[test]
fn a_failing_plugin_is_reported_with_its_stderr_and_nothing_it_printed() {
    let server = TestServer::builder().frozen().start();
    for (mode, message) in [
        (
            "fail",
            "error: getting credentials for user \"admin\": exec: executable {command} failed with exit code 3\n",
        ),
        (
            "bad",
            "error: getting credentials for user \"admin\": decoding stdout: invalid JSON at line 1 column 2\n",
        ),
    ] {
        let (sandbox, command) = plugin_sandbox(&server, mode, &["unused"]);
        let out = run(sandbox.kz(), &["get", "pods", "-v=9"]);
        let stderr = out.failure();
        assert!(
            stderr.contains("plugin: asking the identity provider\n"),
            "{stderr}"
        );
        assert!(
            stderr.ends_with(&message.replace("{command}", &command)),
            "{stderr}"
        );
        assert!(!stderr.contains("SECRET"), "{stderr}");
        if mode == "fail" {
            assert!(
                stderr.contains("plugin: the provider said no\n"),
                "{stderr}"
            );
            if let Some(kubectl) = sandbox.kubectl() {
                let kubectl = run(kubectl, &["get", "pods"]);
                assert_eq!(kubectl.code, Some(1));
                let tail = format!("exec: executable {command} failed with exit code 3\n");
                assert!(kubectl.stderr.ends_with(&tail), "{}", kubectl.stderr);
            }
        }
    }
}

#[test]
fn a_missing_plugin_shows_its_install_hint_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::new();
    with_user(
        &server,
        &sandbox,
        &exec_user("kz-no-such-plugin", "ok", "Never"),
    );
    let out = run(sandbox.kz(), &["get", "pods"]);
    let explained = "exec: executable kz-no-such-plugin not found\n\nIt looks like you are trying to use a client-go credential plugin that is not installed.\n\nTo learn more about this feature, consult the documentation available at:\n      https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins\n\nInstall it: apt install kz-test-plugin\n";
    assert_eq!(
        out.failure(),
        format!("error: getting credentials for user \"admin\": {explained}")
    );
    if let Some(kubectl) = sandbox.kubectl() {
        let kubectl = run(kubectl, &["get", "pods"]);
        assert!(kubectl.stderr.ends_with(explained), "{}", kubectl.stderr);
    }
}

#[test]
fn interactive_mode_is_honoured_without_a_terminal() {
    let server = TestServer::builder().frozen().start();
    let token = server.token_for("admin");
    let (sandbox, command) = plugin_sandbox(&server, "ok", &[&token]);
    with_user(&server, &sandbox, &exec_user(&command, "ok", "Always"));
    let out = run(sandbox.kz(), &["get", "pods"]);
    let tail = "exec plugin cannot support interactive mode: standard input is not a terminal\n";
    assert!(out.failure().ends_with(tail), "{out:?}");
    assert_eq!(runs(&sandbox), 0);
    if let Some(kubectl) = sandbox.kubectl() {
        assert!(run(kubectl, &["get", "pods"]).stderr.ends_with(tail));
    }
    with_user(&server, &sandbox, &exec_user(&command, "ok", "IfAvailable"));
    run(sandbox.kz(), &["get", "ns", "-o", "name"]);
    let info = fs::read_to_string(sandbox.path("exec-info")).expect("info");
    assert!(info.contains(r#""interactive":false"#), "{info}");
}

#[test]
fn an_expired_credential_is_fetched_again_and_a_valid_one_is_kept() {
    let server = TestServer::builder().frozen().start();
    let token = server.token_for("admin");
    let (sandbox, _) = plugin_sandbox(&server, "ok", &[&token]);
    fs::write(sandbox.path("expiry"), "2000-01-01T00:00:00Z").expect("expiry");
    run(sandbox.kz(), &["get", "deploy,svc", "-A", "-o", "name"]);
    let requests = server.requests().len();
    assert!(requests >= 2, "{requests}");
    // One run for each request: each credential had expired when it came.
    assert_eq!(runs(&sandbox), requests);

    fs::write(sandbox.path("expiry"), "2999-01-01T00:00:00Z").expect("expiry");
    fs::remove_file(sandbox.path("runs")).expect("reset");
    server.clear_requests();
    run(sandbox.kz(), &["get", "deploy,svc", "-A", "-o", "name"]);
    assert!(server.requests().len() >= 2);
    assert_eq!(runs(&sandbox), 1);
}

#[test]
fn a_refused_credential_is_fetched_again_once() {
    let server = TestServer::builder().frozen().start();
    let stale = server.token_for("admin");
    server.revoke_token(&stale);
    let fresh = server.token_for("admin");
    let (sandbox, _) = plugin_sandbox(&server, "ok", &[&stale, &fresh]);
    let out = run(sandbox.kz(), &["get", "ns", "-o", "name"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stdout.contains("namespace/shop\n"), "{out:?}");
    assert_eq!(runs(&sandbox), 2);
    let users: Vec<Option<String>> = server.requests().into_iter().map(|r| r.user).collect();
    assert_eq!(users[0], None, "the first request was refused");
    assert!(
        users[1..]
            .iter()
            .all(|user| user.as_deref() == Some("admin"))
    );

    // A plugin that keeps handing out a refused token is asked once more, not forever.
    let (sandbox, _) = plugin_sandbox(&server, "ok", &[&stale]);
    let out = run(sandbox.kz(), &["get", "ns"]);
    assert!(
        out.stderr
            .ends_with("error: You must be logged in to the server (Unauthorized)\n"),
        "{out:?}"
    );
    assert_eq!(runs(&sandbox), 2);
}

#[test]
fn a_client_certificate_from_a_plugin_authenticates() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::new();
    let cert = server
        .client_certificate("plugin-user", &["system:masters"])
        .expect("cert");
    let credential = serde_json::json!({
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"clientCertificateData": cert.cert_pem, "clientKeyData": cert.key_pem},
    });
    fs::write(sandbox.path("credential.json"), credential.to_string()).expect("credential");
    let script = sandbox.path("cert-plugin.sh");
    fs::write(
        &script,
        "#!/bin/sh\ncat \"$(dirname \"$0\")/credential.json\"\n",
    )
    .expect("plugin");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    with_user(
        &server,
        &sandbox,
        &exec_user(&script.display().to_string(), "ok", "Never"),
    );
    let out = run(sandbox.kz(), &["get", "ns", "-o", "name", "-v=9"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    assert!(out.stdout.contains("namespace/shop\n"));
    assert!(!out.stderr.contains("PRIVATE KEY"), "{}", out.stderr);
    let users: Vec<Option<String>> = server.requests().into_iter().map(|r| r.user).collect();
    assert!(
        users
            .iter()
            .all(|user| user.as_deref() == Some("plugin-user")),
        "{users:?}"
    );
}

#[test]
fn a_changed_token_file_is_reread_when_the_old_token_is_refused() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::new();
    let token_file = sandbox.path("token");
    let old = server.token_for("admin");
    fs::write(&token_file, &old).expect("token");
    with_user(
        &server,
        &sandbox,
        &format!("    tokenFile: {}\n", token_file.display()),
    );
    // The first watch ends after one event; kz then watches again.
    server.inject(Fault::cut_stream_after(1).path_contains("watch=1").times(1));
    let mut watch = Background::start(sandbox.kz(), &["get", "ns", "-w", "--no-headers"]);
    watch.until_out("shop ");
    wait_for_watch(&server);
    server.revoke_token(&old);
    let new = server.token_for("admin");
    fs::write(&token_file, &new).expect("token");
    server
        .create("apiVersion: v1\nkind: Namespace\nmetadata: {name: first}\n")
        .expect("namespace");
    watch.until_out("first ");
    server
        .create("apiVersion: v1\nkind: Namespace\nmetadata: {name: second}\n")
        .expect("namespace");
    watch.until_out("second ");
    let watches: Vec<Option<String>> = server
        .requests()
        .into_iter()
        .filter(|r| r.query.contains("watch"))
        .map(|r| r.user)
        .collect();
    assert_eq!(
        watches,
        [Some("admin".to_owned()), None, Some("admin".to_owned())],
        "watch, refused re-watch, re-watch with the new token"
    );
    assert!(
        String::from_utf8_lossy(&watch.stderr).is_empty(),
        "{}",
        watch.printed()
    );
}

/// Waits until kz's watch request reached the server.
fn wait_for_watch(server: &TestServer) {
    let deadline = std::time::Instant::now() + crate::background::PATIENCE;
    while !server.requests().iter().any(|r| r.query.contains("watch")) {
        assert!(std::time::Instant::now() < deadline, "no watch request");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

// ---- kubeconfig writes ------------------------------------------------------------------

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn kubeconfig_writes_keep_the_mode_and_new_files_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    fs::set_permissions(&sandbox.kubeconfig, fs::Permissions::from_mode(0o640)).expect("chmod");
    run(
        sandbox.kz(),
        &["config", "set-context", "dev", "--namespace=dev"],
    )
    .success();
    assert_eq!(mode(&sandbox.kubeconfig), 0o640);
    let fresh = sandbox.path("fresh/config");
    let mut kz = sandbox.kz();
    kz.env("KUBECONFIG", &fresh);
    run(kz, &["config", "set-context", "dev", "--namespace=dev"]).success();
    assert_eq!(mode(&fresh), 0o600);
}

/// Runs `kz config set-context` where writing a file fails: in a read-only directory (when
/// not root, who may write there anyway), or with a file size limit of zero (for anyone).
#[cfg(unix)]
#[test]
fn a_failed_kubeconfig_write_leaves_the_old_file_whole() {
    use std::os::unix::fs::PermissionsExt as _;
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let before = fs::read_to_string(&sandbox.kubeconfig).expect("kubeconfig");
    let dir = sandbox.kubeconfig.parent().expect("dir").to_path_buf();
    let kz = env!("CARGO_BIN_EXE_kz");
    // SIGXFSZ ignored, so that a write past the limit fails instead of killing kz.
    let mut limited = sandbox.kz();
    let limited = {
        let mut shell = std::process::Command::new("sh");
        shell.args(["-c", "trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"", kz]);
        for (name, value) in limited.get_envs() {
            match value {
                Some(value) => shell.env(name, value),
                None => shell.env_remove(name),
            };
        }
        limited.stdin(std::process::Stdio::null());
        shell
    };
    let out = run(
        limited,
        &["config", "set-context", "dev", "--namespace=dev"],
    );
    let stderr = out.failure();
    assert_eq!(
        stderr,
        format!(
            "error: setting context \"dev\": writing kubeconfig {}: file too large\n",
            sandbox.kubeconfig.display()
        )
    );
    assert_eq!(
        fs::read_to_string(&sandbox.kubeconfig).expect("kubeconfig"),
        before
    );
    let left: Vec<_> = fs::read_dir(&dir).expect("dir").collect();
    assert_eq!(left.len(), 1, "a temporary file was left: {left:?}");

    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout == b"0\n");
    if !root {
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).expect("chmod");
        let out = run(
            sandbox.kz(),
            &["config", "set-context", "dev", "--namespace=dev"],
        );
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod");
        assert!(
            out.failure().starts_with(&format!(
                "error: setting context \"dev\": writing kubeconfig {}: permission denied",
                sandbox.kubeconfig.display()
            )),
            "{out:?}"
        );
        assert_eq!(
            fs::read_to_string(&sandbox.kubeconfig).expect("kubeconfig"),
            before
        );
    }
}

// ---- TLS ----------------------------------------------------------------------------------

#[test]
fn a_certificate_for_another_name_is_refused_like_kubectl() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let args = ["get", "pods", "--tls-server-name", "wrong.example"];
    let out = run(sandbox.kz(), &args);
    assert_eq!(
        out.failure(),
        format!(
            "Unable to connect to the server {}: TLS certificate is valid for localhost, 127.0.0.1, not wrong.example\n",
            server.url()
        )
    );
    if let Some(kubectl) = sandbox.kubectl() {
        let kubectl = run(kubectl, &args);
        assert_eq!(kubectl.code, Some(1));
        assert!(
            kubectl
                .stderr
                .ends_with("x509: certificate is valid for localhost, not wrong.example\n"),
            "{}",
            kubectl.stderr
        );
    }
    // Asked for, the check is skipped.
    let insecure = run(
        sandbox.kz(),
        &[&args[..], &["--insecure-skip-tls-verify", "-o", "name"]].concat(),
    );
    assert_eq!(insecure.code, Some(0), "{insecure:?}");
}
