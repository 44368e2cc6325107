use std::fs;

use kz_testserver::{TestServer, User};

use crate::compare::like_kubectl;
use crate::support::{Sandbox, run};

/// The server's kubeconfig plus two more contexts, one of them in a second file.
fn two_file_sandbox(server: &TestServer) -> (Sandbox, std::path::PathBuf) {
    let sandbox = Sandbox::for_server(server, &User::admin());
    let mut first = fs::read_to_string(&sandbox.kubeconfig).expect("kubeconfig");
    first = first.replace(
        "contexts:\n",
        "contexts:\n- name: staging\n  context:\n    cluster: kz-test\n    user: admin\n    namespace: shop\n",
    );
    fs::write(&sandbox.kubeconfig, first).expect("write kubeconfig");
    let second = sandbox.path("second.yaml");
    fs::write(
        &second,
        "apiVersion: v1\nkind: Config\ncontexts:\n- name: other\n  context:\n    cluster: kz-test\n    user: admin\n- name: staging\n  context:\n    cluster: ignored\n    user: ignored\ncurrent-context: other\n",
    )
    .expect("write second kubeconfig");
    (sandbox, second)
}

fn kubeconfig_env(sandbox: &Sandbox, second: &std::path::Path) -> String {
    format!("{}:{}", sandbox.kubeconfig.display(), second.display())
}

#[test]
fn get_contexts_matches_kubectl() {
    let server = TestServer::start();
    let (sandbox, second) = two_file_sandbox(&server);
    let env = kubeconfig_env(&sandbox, &second);
    let mut kz = sandbox.kz();
    kz.env("KUBECONFIG", &env);
    let out = run(kz, &["config", "get-contexts"]);
    assert_eq!(
        out.success(),
        "CURRENT   NAME      CLUSTER   AUTHINFO   NAMESPACE\n\
         *         kz-test   kz-test   admin      default\n          \
         other     kz-test   admin      \n          \
         staging   kz-test   admin      shop\n"
    );
    for args in [
        &["config", "get-contexts"][..],
        &["config", "get-contexts", "-o", "name"],
        &["config", "get-contexts", "staging", "--no-headers"],
        &["config", "current-context"],
        &["config", "view"],
        &["config", "view", "--minify"],
        &["config", "view", "--raw"],
        &[
            "config",
            "view",
            "--minify",
            "--context",
            "staging",
            "--raw",
        ],
    ] {
        let Some(mut kubectl) = sandbox.kubectl() else {
            return;
        };
        kubectl.env("KUBECONFIG", &env);
        let mut kz = sandbox.kz();
        kz.env("KUBECONFIG", &env);
        let expected = run(kubectl, args);
        let actual = run(kz, args);
        assert_eq!(actual, expected, "{args:?}");
    }
}

#[test]
fn view_as_json_prints_like_kubectl() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::cert_admin());
    let kz = like_kubectl(&sandbox, &["config", "view", "-o", "json"]);
    let kz: serde_json::Value = serde_json::from_str(&kz).expect("JSON");
    assert_eq!(kz["users"][0]["user"]["client-key-data"], "DATA+OMITTED");
    assert_eq!(
        kz["clusters"][0]["cluster"]["certificate-authority-data"],
        "DATA+OMITTED"
    );
}

/// Every field client-go's kubeconfig types have, set, empty and left out: kubectl prints
/// client-go's structs (fields in declaration order in JSON, `omitempty` honoured, `<` as
/// `\u003c`), not the file's order nor kube's.
const EVERY_FIELD: &str = r#"apiVersion: v1
kind: Config
preferences: {colors: true}
clusters:
- name: b
  cluster:
    server: https://b.example:6443/?a=1&b=<2>
    certificate-authority-data: "QUJD\nREVG"
    tls-server-name: b.internal
    proxy-url: http://proxy:3128
    insecure-skip-tls-verify: false
    disable-compression: true
- name: a
  cluster:
    certificate-authority: /tmp/ca.crt
    server: https://a.example
    insecure-skip-tls-verify: true
    extensions:
    - name: ext1
      extension: {foo: bar, a: 1}
- name: empty
  cluster: {}
- name: nobody
users:
- name: u1
  user:
    token: abc
    as: someone
    as-uid: "5"
    as-groups: [g1, g2]
    as-user-extra: {k: [v], a: [b, c]}
    username: x
    password: "y"
    tokenFile: /t
- name: u2
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: /bin/echo
      args: ["a&b"]
      env: [{name: X, value: "<y>"}]
      interactiveMode: Never
      installHint: "get it at <url>"
      provideClusterInfo: true
- name: u3
  user:
    auth-provider:
      name: oidc
      config: {refresh-token: r, id-token: secret}
    client-certificate: /tmp/c.crt
    client-key: /tmp/c.key
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
- name: u4
  user:
    exec: {command: foo}
    auth-provider: {name: gcp}
    extensions: [{name: u, extension: {b: [1, 2], a: null}}]
- name: bare
  user: {}
- name: none
contexts:
- name: c1
  context: {user: u1, cluster: b, namespace: ns}
- name: c2
  context: {user: u2, cluster: a, extensions: [{name: e, extension: {x: 1}}]}
- name: c3
  context: {cluster: empty}
- name: c4
current-context: c1
extensions:
- name: top
  extension: {z: 1, y: "<&>"}
"#;

#[test]
fn view_prints_every_kubeconfig_field_like_kubectl() {
    let sandbox = Sandbox::new();
    fs::write(&sandbox.kubeconfig, EVERY_FIELD).expect("write kubeconfig");
    for output in ["json", "yaml"] {
        for extra in [&[][..], &["--raw"], &["--minify", "--context", "c2"]] {
            let mut args = vec!["config", "view", "-o", output];
            args.extend(extra);
            let printed = like_kubectl(&sandbox, &args);
            // What kubectl must print for this to test anything: the struct order, Go's
            // escapes, an empty server kept and an unset flag left out.
            if output == "json" && extra.is_empty() {
                let server = printed.find("\"server\": \"https://a.example\"");
                let authority = printed.find("\"certificate-authority\": \"/tmp/ca.crt\"");
                assert!(server < authority, "{printed}");
                assert!(printed.contains(r#""args": ["#) && printed.contains(r#""a\u0026b""#));
                assert!(printed.contains(r#""server": """#), "{printed}");
                assert!(!printed.contains("\"insecure-skip-tls-verify\": false"));
            }
        }
    }
    let raw = like_kubectl(&sandbox, &["config", "view", "--raw"]);
    assert!(
        raw.contains("certificate-authority-data: QUJDREVG\n"),
        "{raw}"
    );
}

/// Scripts read kubeconfig through `config view -o jsonpath=…` (the server of the current
/// cluster, a user's token): every object printer kubectl has, and its refusal of tables.
#[test]
fn view_prints_through_every_object_printer_like_kubectl() {
    let sandbox = Sandbox::new();
    fs::write(&sandbox.kubeconfig, EVERY_FIELD).expect("write kubeconfig");
    let server = like_kubectl(
        &sandbox,
        &[
            "config",
            "view",
            "--minify",
            "-o",
            "jsonpath={.clusters[0].cluster.server}",
        ],
    );
    assert_eq!(server, "https://b.example:6443/?a=1&b=<2>");
    let token = like_kubectl(
        &sandbox,
        &[
            "config",
            "view",
            "--raw",
            "-o",
            r#"jsonpath={.users[?(@.name=="u1")].user.token}"#,
        ],
    );
    assert_eq!(token, "abc");
    for output in [
        "jsonpath-as-json={.contexts[*].name}",
        "go-template={{range .users}}{{.name}} {{end}}",
        "template={{index .contexts 0}}",
        "jsonpath={.users[0].user}",
        "name",
    ] {
        like_kubectl(&sandbox, &["config", "view", "-o", output]);
    }
    for output in ["wide", "custom-columns=N:.kind"] {
        let refused = run(sandbox.kz(), &["config", "view", "-o", output]);
        assert!(
            refused
                .failure()
                .starts_with("error: unable to match a printer suitable for the output format"),
            "{refused:?}"
        );
        if let Some(kubectl) = sandbox.kubectl() {
            assert_eq!(refused, run(kubectl, &["config", "view", "-o", output]));
        }
    }
}

#[test]
fn get_contexts_reports_unknown_names_after_the_known_ones() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let out = run(
        sandbox.kz(),
        &["config", "get-contexts", "kz-test", "nope", "-o", "name"],
    );
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stdout, "kz-test\n");
    assert_eq!(out.stderr, "error: context nope not found\n");
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn use_context_writes_the_file_that_sets_current_context() {
    let server = TestServer::start();
    let (sandbox, second) = two_file_sandbox(&server);
    let env = kubeconfig_env(&sandbox, &second);
    let first_before = fs::read_to_string(&sandbox.kubeconfig).expect("read");
    let mut kz = sandbox.kz();
    kz.env("KUBECONFIG", &env);
    assert_eq!(
        run(kz, &["config", "use-context", "staging"]).success(),
        "Switched to context \"staging\".\n"
    );
    // The first file sets current-context, so it is the one that changed.
    let first_after = fs::read_to_string(&sandbox.kubeconfig).expect("read");
    assert!(
        first_after.contains("current-context: staging"),
        "{first_after}"
    );
    assert!(
        fs::read_to_string(&second)
            .expect("read")
            .contains("current-context: other")
    );
    // Everything else in the file is still there (tokens are not redacted on disk).
    let token_line = first_before
        .lines()
        .find(|l| l.contains("token:"))
        .expect("token");
    assert!(first_after.contains(token_line.trim()), "{first_after}");
    #[cfg(unix)]
    assert_eq!(mode(&sandbox.kubeconfig), 0o600);

    // kz and kubectl both read the result.
    let mut kz = sandbox.kz();
    kz.env("KUBECONFIG", &env);
    assert_eq!(
        run(kz, &["config", "current-context"]).success(),
        "staging\n"
    );
    if let Some(mut kubectl) = sandbox.kubectl() {
        kubectl.env("KUBECONFIG", &env);
        assert_eq!(
            run(kubectl, &["config", "current-context"]).stdout,
            "staging\n"
        );
    }
}

#[test]
fn use_context_rejects_unknown_contexts_without_writing() {
    let server = TestServer::start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let before = fs::read(&sandbox.kubeconfig).expect("read");
    let out = run(sandbox.kz(), &["config", "use-context", "nope"]);
    assert_eq!(
        out.failure(),
        "error: no context exists with the name: \"nope\"\n"
    );
    assert_eq!(fs::read(&sandbox.kubeconfig).expect("read"), before);
}

#[test]
fn set_context_modifies_the_defining_file() {
    let server = TestServer::start();
    let (sandbox, second) = two_file_sandbox(&server);
    let env = kubeconfig_env(&sandbox, &second);
    let kz = || {
        let mut kz = sandbox.kz();
        kz.env("KUBECONFIG", &env);
        kz
    };
    assert_eq!(
        run(
            kz(),
            &["config", "set-context", "other", "--namespace=shop"]
        )
        .success(),
        "Context \"other\" modified.\n"
    );
    let second_text = fs::read_to_string(&second).expect("read");
    assert!(second_text.contains("namespace: shop"), "{second_text}");
    assert!(
        !fs::read_to_string(&sandbox.kubeconfig)
            .expect("read")
            .contains("name: other")
    );

    assert_eq!(
        run(
            kz(),
            &[
                "config",
                "set-context",
                "fresh",
                "--cluster=kz-test",
                "--user=admin"
            ]
        )
        .success(),
        "Context \"fresh\" created.\n"
    );
    assert!(
        fs::read_to_string(&sandbox.kubeconfig)
            .expect("read")
            .contains("name: fresh")
    );

    assert_eq!(
        run(
            kz(),
            &[
                "config",
                "set-context",
                "--current",
                "--namespace",
                "kube-system"
            ]
        )
        .success(),
        "Context \"kz-test\" modified.\n"
    );
    let out = run(
        kz(),
        &[
            "config",
            "get-contexts",
            "kz-test",
            "fresh",
            "other",
            "--no-headers",
        ],
    );
    assert_eq!(
        out.success(),
        "      fresh     kz-test   admin   \n\
         *     kz-test   kz-test   admin   kube-system\n      \
         other     kz-test   admin   shop\n"
    );
    if let Some(mut kubectl) = sandbox.kubectl() {
        kubectl.env("KUBECONFIG", &env);
        let expected = run(
            kubectl,
            &[
                "config",
                "get-contexts",
                "kz-test",
                "fresh",
                "other",
                "--no-headers",
            ],
        );
        assert_eq!(expected.stdout, out.stdout);
    }
}

#[test]
fn set_context_needs_a_name_or_current() {
    let sandbox = Sandbox::new();
    let out = run(sandbox.kz(), &["config", "set-context", "--namespace=x"]);
    assert_eq!(
        out.failure(),
        "error: you must specify a non-empty context name or --current\n"
    );
}

#[test]
fn set_context_creates_a_private_kubeconfig_when_there_is_none() {
    let sandbox = Sandbox::new();
    let out = run(
        sandbox.kz(),
        &["config", "set-context", "dev", "--namespace=team"],
    );
    assert_eq!(out.success(), "Context \"dev\" created.\n");
    #[cfg(unix)]
    assert_eq!(mode(&sandbox.kubeconfig), 0o600);
    let out = run(sandbox.kz(), &["config", "get-contexts", "-o", "name"]);
    assert_eq!(out.success(), "dev\n");
}

#[test]
fn current_context_unset_is_an_error() {
    let sandbox = Sandbox::new();
    fs::write(&sandbox.kubeconfig, "apiVersion: v1\nkind: Config\n").expect("write");
    let out = run(sandbox.kz(), &["config", "current-context"]);
    assert_eq!(out.failure(), "error: current-context is not set\n");
}
