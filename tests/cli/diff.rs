//! `kz diff -f` against the test server: the diff of what `kz apply` would change, its hunks
//! compared with GNU diff's on the same versions, Secrets masked, exit codes 0 / 1 / 2, the
//! errors, and `KUBECTL_EXTERNAL_DIFF`; beside the real kubectl where both must agree (a
//! diff changes nothing, so both clients share one server).

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

use kz_testserver::{Fault, ObjectKey, TestServer, User};

use crate::support::{Run, Sandbox, run};

const SETTINGS: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: a
  size: '1'
";

const WEB: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: main, image: caddy:2.7}]}
";

fn start() -> (TestServer, Sandbox) {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    (server, sandbox)
}

fn write(sandbox: &Sandbox, name: &str, text: &str) {
    std::fs::write(sandbox.path(name), text).expect("manifest");
}

/// `kz ARGS -n shop` in the sandbox's home.
fn kz(sandbox: &Sandbox, args: &[&str]) -> Run {
    kz_with(sandbox, args, &[])
}

fn kz_with(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = sandbox.kz();
    in_home(&mut command, sandbox, env);
    run(command, &with_namespace(args))
}

/// kubectl's run of the same, when kubectl is installed.
fn kubectl_with(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Option<Run> {
    let mut command = sandbox.kubectl()?;
    in_home(&mut command, sandbox, env);
    Some(run(command, &with_namespace(args)))
}

fn in_home(command: &mut Command, sandbox: &Sandbox, env: &[(&str, &str)]) {
    command.current_dir(&sandbox.home);
    command.envs(env.iter().copied());
}

fn with_namespace<'a>(args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["-n", "shop"]);
    all
}

#[track_caller]
fn apply(sandbox: &Sandbox, file: &str) {
    kz(sandbox, &["apply", "-f", file]).success();
}

/// The output with the files' times left out, and kubectl's temporary directories named
/// `LIVE` and `MERGED` as kz names them.
fn without_times(stdout: &str) -> String {
    stdout
        .lines()
        .map(|line| {
            let line = match line.split_once('\t') {
                Some((header, _)) if line.starts_with("--- ") || line.starts_with("+++ ") => header,
                _ => line,
            };
            let words: Vec<String> = line
                .split(' ')
                .map(|word| match word.rsplit_once('/') {
                    Some((dir, name)) if dir.contains("/LIVE-") => format!("LIVE/{name}"),
                    Some((dir, name)) if dir.contains("/MERGED-") => format!("MERGED/{name}"),
                    _ => word.to_owned(),
                })
                .collect();
            words.join(" ") + "\n"
        })
        .collect()
}

#[test]
fn an_unchanged_object_has_no_diff_like_kubectl() {
    let (_server, sandbox) = start();
    write(&sandbox, "settings.yaml", SETTINGS);
    apply(&sandbox, "settings.yaml");
    let kz_run = kz(&sandbox, &["diff", "-f", "settings.yaml"]);
    assert_eq!(kz_run.success(), "");
    if let Some(kubectl) = kubectl_with(&sandbox, &["diff", "-f", "settings.yaml"], &[]) {
        assert_eq!(kz_run, kubectl);
    }
}

#[test]
fn changes_are_the_hunks_gnu_diff_finds_in_the_same_files() {
    let (server, sandbox) = start();
    write(&sandbox, "app.yaml", &format!("{WEB}---\n{SETTINGS}"));
    apply(&sandbox, "app.yaml");
    let changed = format!("{WEB}---\n{SETTINGS}")
        .replace("replicas: 1", "replicas: 2")
        .replace("caddy:2.7", "caddy:2.8")
        .replace("mode: a", "mode: b");
    write(&sandbox, "app.yaml", &changed);
    let before = server.requests().len();

    let ours = kz(&sandbox, &["diff", "-f", "app.yaml"]);
    assert_eq!(ours.code, Some(1), "{ours:#?}");
    assert_eq!(ours.stderr, "");
    let stdout = without_times(&ours.stdout);
    assert!(
        stdout.starts_with(
            "diff -u -N LIVE/apps.v1.Deployment.shop.web MERGED/apps.v1.Deployment.shop.web\n\
             --- LIVE/apps.v1.Deployment.shop.web\n\
             +++ MERGED/apps.v1.Deployment.shop.web\n@@ "
        ),
        "{stdout}"
    );
    for line in [
        "-  replicas: 1\n",
        "+  replicas: 2\n",
        "-      - image: caddy:2.7\n",
        "+      - image: caddy:2.8\n",
        "-  mode: a\n",
        "+  mode: b\n",
        "diff -u -N LIVE/v1.ConfigMap.shop.settings MERGED/v1.ConfigMap.shop.settings\n",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from\n{stdout}");
    }
    assert!(!stdout.contains("managedFields"), "{stdout}");
    // The time is GNU diff's: date, time with nanoseconds, offset.
    let time = ours
        .stdout
        .lines()
        .nth(1)
        .and_then(|line| line.split_once('\t'));
    let time = time.map(|(_, time)| time).unwrap_or_default();
    assert_eq!(
        time.len(),
        "2026-11-22 04:07:16.756477366 +0000".len(),
        "{time}"
    );

    // GNU diff on the directories kz writes for an external diff program finds the same.
    let gnu = kz_with(
        &sandbox,
        &["diff", "-f", "app.yaml"],
        &[("KUBECTL_EXTERNAL_DIFF", "diff -u -N")],
    );
    assert_eq!(gnu.code, Some(1), "{gnu:#?}");
    assert_eq!(without_times(&gnu.stdout), stdout);

    // Only dry runs were sent, and the cluster is as it was.
    for request in &server.requests()[before..] {
        assert!(
            matches!(request.method.as_str(), "GET" | "PATCH"),
            "{request:?}"
        );
        if request.method == "PATCH" {
            assert!(request.query.contains("dryRun=All"), "{request:?}");
            assert!(request.query.contains("fieldManager=kz"), "{request:?}");
        }
    }
    let again = kz(&sandbox, &["diff", "-f", "app.yaml"]);
    assert_eq!(without_times(&again.stdout), stdout);
}

#[test]
fn hunks_match_gnu_diffs() {
    let numbered = |range: std::ops::Range<usize>| -> String {
        range.map(|n| format!("line {n}\n")).collect()
    };
    let base = numbered(1..40);
    let cases = [
        (String::new(), base.clone()),
        (base.clone(), String::new()),
        (base.clone(), base.replace("line 1\n", "first\n")),
        (base.clone(), base.replace("line 39\n", "last\n")),
        (
            base.clone(),
            base.replace("line 10\n", "").replace("line 16\n", "x\n"),
        ),
        (
            base.clone(),
            base.replace("line 10\n", "").replace("line 18\n", "x\n"),
        ),
        (base.clone(), base.replace("line 20\n", "a\nb\nc\n")),
        (base.clone(), format!("{base}more\n")),
        (base.clone(), base.replace("line 39\n", "line 39")),
        (
            "a\nb\nc\na\nb\nc\n".to_owned(),
            "c\nb\na\nb\nc\nc\na\n".to_owned(),
        ),
        (
            numbered(1..8) + &numbered(1..8),
            numbered(1..4) + &numbered(5..8) + &numbered(1..9),
        ),
    ];
    let dir = tempfile::tempdir().expect("directory");
    for (old, new) in cases {
        let (old_path, new_path) = (dir.path().join("old"), dir.path().join("new"));
        std::fs::write(&old_path, &old).expect("old");
        std::fs::write(&new_path, &new).expect("new");
        let gnu = Command::new("diff")
            .args(["-u", "-N"])
            .arg(&old_path)
            .arg(&new_path)
            .output()
            .expect("GNU diff is installed");
        let gnu = String::from_utf8(gnu.stdout).expect("utf-8");
        let gnu_hunks: String = gnu.split_inclusive('\n').skip(2).collect();
        let pair = kz::diff::Pair {
            name: "x".into(),
            live: old.clone(),
            merged: new.clone(),
        };
        let mut ours = Vec::new();
        kz::diff::write_unified(
            &mut ours,
            &pair,
            "TIME",
            kz::ui::colour::Palette::new(false),
        )
        .expect("written");
        let ours = String::from_utf8(ours).expect("utf-8");
        let our_hunks: String = ours.split_inclusive('\n').skip(3).collect();
        assert_eq!(our_hunks, gnu_hunks, "{old:?} → {new:?}");
    }
}

#[test]
fn a_new_object_is_all_added_and_not_created() {
    let (server, sandbox) = start();
    write(&sandbox, "settings.yaml", SETTINGS);
    let out = kz(&sandbox, &["diff", "-f", "settings.yaml"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    let stdout = without_times(&out.stdout);
    let mut lines = stdout.lines().skip(3);
    let header = lines.next().unwrap_or_default();
    let added: Vec<&str> = lines.collect();
    assert_eq!(header, format!("@@ -0,0 +1,{} @@", added.len()));
    assert!(added.iter().all(|line| line.starts_with('+')), "{stdout}");
    assert!(added.contains(&"+  mode: a"), "{stdout}");
    // The configuration kz apply would send carries kubectl's last-applied annotation.
    assert!(
        added.contains(&"+    kubectl.kubernetes.io/last-applied-configuration: |"),
        "{stdout}"
    );
    let key = ObjectKey::new("", "configmaps", "shop", "settings");
    assert!(server.store().get(&key).is_none());
}

#[test]
fn secrets_values_are_masked() {
    let (_server, sandbox) = start();
    let secret = |b: &str, extra: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: token}}\ndata:\n  a: YQ==\n  b: {b}\n{extra}"
        )
    };
    write(&sandbox, "secret.yaml", &secret("Yg==", ""));
    apply(&sandbox, "secret.yaml");
    write(&sandbox, "secret.yaml", &secret("eg==", "  c: Yw==\n"));
    let out = kz(&sandbox, &["diff", "-f", "secret.yaml"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    for line in [
        "\n   a: '***'\n",
        "\n-  b: '*** (before)'\n",
        "\n+  b: '*** (after)'\n",
        "\n+  c: '***'\n",
    ] {
        assert!(
            out.stdout.contains(line),
            "{line:?} missing from\n{}",
            out.stdout
        );
    }
    for value in ["YQ==", "Yg==", "eg==", "Yw=="] {
        assert!(
            !out.stdout.contains(value),
            "{value} shown in\n{}",
            out.stdout
        );
    }
}

#[test]
fn managed_fields_are_shown_on_request_and_colour_when_asked() {
    let (_server, sandbox) = start();
    write(&sandbox, "settings.yaml", SETTINGS);
    apply(&sandbox, "settings.yaml");
    write(
        &sandbox,
        "settings.yaml",
        &SETTINGS.replace("mode: a", "mode: b"),
    );
    let shown = kz(
        &sandbox,
        &["diff", "-f", "settings.yaml", "--show-managed-fields"],
    );
    assert_eq!(shown.code, Some(1), "{shown:#?}");
    assert!(
        shown.stdout.contains("  managedFields:\n"),
        "{}",
        shown.stdout
    );
    assert!(!shown.stdout.contains('\x1b'), "{}", shown.stdout);
    let coloured = kz(&sandbox, &["diff", "-f", "settings.yaml", "--color=always"]);
    assert!(
        coloured
            .stdout
            .contains("\x1b[31m-  mode: a\x1b[0m\n\x1b[32m+  mode: b\x1b[0m\n"),
        "{:?}",
        coloured.stdout
    );
}

#[test]
fn invalid_input_requests_no_object_and_exits_2_like_kubectl() {
    let (server, sandbox) = start();
    write(
        &sandbox,
        "broken.yaml",
        &format!("{SETTINGS}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: [\n"),
    );
    write(
        &sandbox,
        "unknown.yaml",
        &format!("{SETTINGS}---\napiVersion: v1\nkind: Gizmo9\nmetadata: {{name: x}}\n"),
    );
    for file in ["broken.yaml", "unknown.yaml"] {
        let out = kz(&sandbox, &["diff", "-f", file]);
        assert_eq!(out.code, Some(2), "{out:#?}");
        assert_eq!(out.stdout, "");
        assert!(
            out.stderr.ends_with(
                "error: nothing was diffed: 1 error in the input (kz checks every document before requesting any)\n"
            ),
            "{}",
            out.stderr
        );
        let objects_requested = server
            .requests()
            .iter()
            .filter(|request| request.path.contains("/configmaps"))
            .count();
        assert_eq!(objects_requested, 0, "{:#?}", server.requests());
        // kubectl reads the documents one at a time, and diffs nothing either.
        if let Some(kubectl) = kubectl_with(&sandbox, &["diff", "-f", file], &[]) {
            assert_eq!(kubectl.code, out.code, "{kubectl:#?}");
            assert_eq!(kubectl.stdout, "");
        }
        server.clear_requests();
    }
    // Usage errors are kubectl's, word for word.
    for args in [&["diff", "pods"][..], &["diff"][..]] {
        let out = kz(&sandbox, args);
        assert_eq!(out.code, Some(2), "{out:#?}");
        if let Some(kubectl) = kubectl_with(&sandbox, args, &[]) {
            assert_eq!(out, kubectl);
        }
    }
}

#[test]
fn a_forbidden_object_does_not_stop_the_others() {
    let (server, sandbox) = start();
    let other = SETTINGS.replace("name: settings", "name: other");
    write(&sandbox, "two.yaml", &format!("{SETTINGS}---\n{other}"));
    server.inject(Fault::status(403).path_contains("/configmaps/settings"));
    let out = kz(&sandbox, &["diff", "-f", "two.yaml"]);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(
        out.stdout.starts_with(
            "diff -u -N LIVE/v1.ConfigMap.shop.other MERGED/v1.ConfigMap.shop.other\n"
        ),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("settings"), "{}", out.stdout);
    assert!(
        out.stderr.starts_with("Error from server (Forbidden)"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_refused_apply_is_an_error() {
    let (server, sandbox) = start();
    write(&sandbox, "settings.yaml", SETTINGS);
    server.inject(Fault::status(422).method("PATCH"));
    let out = kz(&sandbox, &["diff", "-f", "settings.yaml"]);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with("Error from server (Invalid)"),
        "{}",
        out.stderr
    );
}

#[test]
fn an_unreachable_server_is_an_error_like_kubectls() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let sandbox = Sandbox::new();
    write(&sandbox, "settings.yaml", SETTINGS);
    let server = format!("http://127.0.0.1:{port}");
    let args = ["diff", "-f", "settings.yaml", "--server", &server];
    let out = kz(&sandbox, &args);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert!(out.stderr.contains("was refused"), "{}", out.stderr);
    if let Some(kubectl) = kubectl_with(&sandbox, &args, &[]) {
        // kubectl words it as a failure to find the object's type.
        assert_eq!(kubectl.code, out.code, "{kubectl:#?}");
    }
}

/// A diff program that prints what it was given: the directories' prefixes, their files,
/// its other arguments; and exits with `$EXIT`.
const SHOW_ARGS: &str = "#!/bin/sh
live=$1 merged=$2
shift 2
echo \"$(basename \"$live\" | cut -d- -f1) $(ls \"$live\")\"
echo \"$(basename \"$merged\" | cut -d- -f1) $(ls \"$merged\")\"
echo \"args: $*\"
exit ${EXIT:-1}
";

#[test]
fn an_external_diff_gets_the_directories_and_the_safe_words_like_kubectls() {
    let (_server, sandbox) = start();
    write(&sandbox, "app.yaml", &format!("{SETTINGS}---\n{WEB}"));
    let program = sandbox.path("show-args");
    write(&sandbox, "show-args", SHOW_ARGS);
    make_executable(&program);
    let value = format!("{} -N --color=always $(rm) a;b", program.display());
    for (exit, code) in [("0", 0), ("1", 1)] {
        let env = [("KUBECTL_EXTERNAL_DIFF", value.as_str()), ("EXIT", exit)];
        let out = kz_with(&sandbox, &["diff", "-f", "app.yaml"], &env);
        assert_eq!(out.code, Some(code), "{out:#?}");
        assert_eq!(
            out.stdout,
            "LIVE apps.v1.Deployment.shop.web\nv1.ConfigMap.shop.settings\n\
             MERGED apps.v1.Deployment.shop.web\nv1.ConfigMap.shop.settings\n\
             args: -N --color=always\n"
        );
        if let Some(kubectl) = kubectl_with(&sandbox, &["diff", "-f", "app.yaml"], &env) {
            assert_eq!(out, kubectl);
        }
    }
    let env = [("KUBECTL_EXTERNAL_DIFF", value.as_str()), ("EXIT", "3")];
    let out = kz_with(&sandbox, &["diff", "-f", "app.yaml"], &env);
    assert_eq!(out.code, Some(2), "{out:#?}");
    assert_eq!(
        out.stderr,
        format!(
            "error: failed to run {:?}: exit status 3\n",
            program.display().to_string()
        )
    );
    if let Some(kubectl) = kubectl_with(&sandbox, &["diff", "-f", "app.yaml"], &env) {
        assert_eq!(out, kubectl);
    }
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// The `-`/`+` lines of a diff and the files it names, without kz's last-applied
/// configuration lines and the generation (which kubectl's client-side dry run shows moving).
fn changes(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|line| {
            line.starts_with("diff ")
                || (line.starts_with(['-', '+'])
                    && !line.starts_with("--- ")
                    && !line.starts_with("+++ ")
                    && !line.contains("\"apiVersion\"")
                    && !line.contains("generation:"))
        })
        .map(|line| without_times(line).trim_end().to_owned())
        .collect()
}

#[test]
fn the_changes_are_those_of_kubectls_recorded_diff() {
    let (_server, sandbox) = start();
    let manifests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/manifests");
    let v1 = std::fs::read_to_string(manifests.join("scratch-app.yaml")).expect("manifest");
    let v2 = std::fs::read_to_string(manifests.join("scratch-app-v2.yaml")).expect("manifest");
    write(&sandbox, "scratch-app.yaml", &v1);
    write(&sandbox, "scratch-app-v2.yaml", &v2);
    write(
        &sandbox,
        "namespace.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: scratch}\n",
    );
    let scratch = |args: &[&str]| {
        let mut command = sandbox.kz();
        command.current_dir(&sandbox.home);
        let mut all = args.to_vec();
        all.extend(["-n", "scratch"]);
        run(command, &all)
    };
    scratch(&["apply", "-f", "namespace.yaml"]).success();
    scratch(&["apply", "-f", "scratch-app-v2.yaml"]).success();
    scratch(&["scale", "deployment/scratch", "--replicas=3"]).success();
    // kubectl's client-side apply overwrites the scaled replicas; kz's server-side apply
    // would refuse them, and so says its diff, after the diff of the other object.
    let refused = scratch(&["diff", "-f", "scratch-app.yaml"]);
    assert_eq!(refused.code, Some(2), "{refused:#?}");
    assert!(
        refused
            .stdout
            .starts_with("diff -u -N LIVE/v1.ConfigMap.scratch.scratch-settings "),
        "{}",
        refused.stdout
    );
    assert!(
        refused.stderr.starts_with(
            "error: Apply failed for deployment.apps/scratch from \"scratch-app.yaml\": 1 field is managed by someone else:\n  .spec.replicas: conflict with \"kz\" with subresource \"scale\""
        ),
        "{}",
        refused.stderr
    );
    let out = scratch(&["diff", "-f", "scratch-app.yaml", "--force-conflicts"]);
    assert_eq!(out.code, Some(1), "{out:#?}");
    let recorded = crate::support::fixture_stdout("diff.txt");
    assert_eq!(changes(&out.stdout), changes(&recorded), "{}", out.stdout);
}

#[test]
fn objects_are_diffed_in_input_order_whatever_the_concurrency() {
    let (_server, sandbox) = start();
    let names = ["zeta", "alpha", "mid", "beta"];
    let manifests: Vec<String> = names
        .iter()
        .map(|name| SETTINGS.replace("name: settings", &format!("name: {name}")))
        .collect();
    write(&sandbox, "many.yaml", &manifests.join("---\n"));
    let files = |concurrency: &str| -> Vec<String> {
        let out = kz(
            &sandbox,
            &["diff", "-f", "many.yaml", "--concurrency", concurrency],
        );
        assert_eq!(out.code, Some(1), "{out:#?}");
        out.stdout
            .lines()
            .filter_map(|line| line.strip_prefix("diff -u -N LIVE/v1.ConfigMap.shop."))
            .map(|rest| rest.split(' ').next().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(files("1"), names);
    assert_eq!(files("16"), names);
}
