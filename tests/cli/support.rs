//! A sandbox per test: its own HOME, KUBECONFIG and discovery cache in a temporary directory,
//! the real `kz` binary, and the real `kubectl` when it is installed (and it must be, under
//! `KZ_REQUIRE_KUBECTL`).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kz_testserver::{TestServer, User};

/// Proxy variables from the developer's shell must not reach the test server's clients.
const SCRUBBED_ENV: &[&str] = &[
    "KUBECONFIG",
    "KZ_CACHE_DIR",
    "KUBERNETES_SERVICE_HOST",
    "KUBERNETES_SERVICE_PORT",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub home: PathBuf,
    /// `$HOME/.kube/config`, what KUBECONFIG points at unless a test changes it.
    pub kubeconfig: PathBuf,
    pub cache: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temporary directory");
        let home = dir.path().join("home");
        let kube_dir = home.join(".kube");
        std::fs::create_dir_all(&kube_dir).expect("create ~/.kube");
        Sandbox {
            kubeconfig: kube_dir.join("config"),
            cache: dir.path().join("cache"),
            home,
            _dir: dir,
        }
    }

    /// A sandbox whose kubeconfig talks to `server` as `user`.
    pub fn for_server(server: &TestServer, user: &User) -> Sandbox {
        let sandbox = Sandbox::new();
        server
            .write_kubeconfig(&sandbox.kubeconfig, user)
            .expect("write kubeconfig");
        sandbox
    }

    /// A path inside the sandbox's home.
    pub fn path(&self, name: &str) -> PathBuf {
        self.home.join(name)
    }

    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        for name in SCRUBBED_ENV {
            command.env_remove(name);
        }
        command
            .env("HOME", &self.home)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("KZ_CACHE_DIR", &self.cache)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        command
    }

    /// The `kz` binary under test.
    pub fn kz(&self) -> Command {
        self.command(Path::new(env!("CARGO_BIN_EXE_kz")))
    }

    /// The real kubectl, when installed. Without it the comparison is skipped with one line
    /// on stderr (`None`), or fails the test under `KZ_REQUIRE_KUBECTL` (see `kubectl_rule`).
    #[track_caller]
    pub fn kubectl(&self) -> Option<Command> {
        let path = kubectl_path();
        let required = std::env::var(REQUIRE_KUBECTL).ok();
        match kubectl_rule(path.is_some(), required.as_deref()) {
            KubectlRule::Run => path.map(|path| self.command(&path)),
            KubectlRule::Skip => {
                // Not through eprintln!: the test harness would swallow it for a passing test.
                let _ = writeln!(
                    std::io::stderr(),
                    "kubectl is not on PATH: skipping the comparison with kubectl"
                );
                None
            }
            KubectlRule::Fail => panic!("{KUBECTL_REQUIRED}"),
        }
    }
}

/// Set (to anything but empty or `0`) where kubectl is installed, as in CI: a comparison with
/// kubectl must then run, and a missing kubectl fails the test instead of skipping it.
pub const REQUIRE_KUBECTL: &str = "KZ_REQUIRE_KUBECTL";

const KUBECTL_REQUIRED: &str = "kubectl is not on PATH, but KZ_REQUIRE_KUBECTL is set: this comparison with kubectl must run (install kubectl, or unset KZ_REQUIRE_KUBECTL)";

/// What a test that compares with kubectl does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KubectlRule {
    Run,
    /// A contributor without kubectl: the comparison is skipped, saying so.
    Skip,
    /// kubectl is required (`KZ_REQUIRE_KUBECTL`) but missing: the test fails.
    Fail,
}

/// The rule for kubectl comparisons, given whether kubectl is on PATH and the value of
/// `KZ_REQUIRE_KUBECTL`: a comparison that cannot run must not pass where it should have run.
pub fn kubectl_rule(on_path: bool, require: Option<&str>) -> KubectlRule {
    let required = require.is_some_and(|value| !value.is_empty() && value != "0");
    match (on_path, required) {
        (true, _) => KubectlRule::Run,
        (false, false) => KubectlRule::Skip,
        (false, true) => KubectlRule::Fail,
    }
}

#[test]
fn a_missing_kubectl_skips_only_where_it_is_not_required() {
    use KubectlRule::{Fail, Run, Skip};
    let cases = [
        ((true, None), Run),
        ((true, Some("1")), Run),
        ((false, None), Skip),
        ((false, Some("")), Skip),
        ((false, Some("0")), Skip),
        ((false, Some("1")), Fail),
        ((false, Some("true")), Fail),
    ];
    for ((on_path, require), expected) in cases {
        assert_eq!(
            kubectl_rule(on_path, require),
            expected,
            "on PATH: {on_path}, {REQUIRE_KUBECTL}={require:?}"
        );
    }
}

fn kubectl_path() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("kubectl"))
        .find(|candidate| candidate.is_file())
}

/// What a finished command printed and how it exited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Runs `command` with `args` and collects its output.
pub fn run(mut command: Command, args: &[&str]) -> Run {
    command.args(args).output().expect("run command").into()
}

impl Run {
    /// Asserts success with no stderr and returns stdout.
    #[track_caller]
    pub fn success(&self) -> &str {
        assert_eq!(self.code, Some(0), "expected success: {self:#?}");
        assert_eq!(self.stderr, "", "expected a quiet stderr: {self:#?}");
        &self.stdout
    }

    /// Asserts exit code 1 and nothing on stdout; returns stderr.
    #[track_caller]
    pub fn failure(&self) -> &str {
        assert_eq!(self.code, Some(1), "expected exit code 1: {self:#?}");
        assert_eq!(self.stdout, "", "expected nothing on stdout: {self:#?}");
        &self.stderr
    }
}

/// The stdout section of a recorded kubectl transcript in tests/fixtures/kubectl.
pub fn fixture_stdout(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kubectl")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture");
    let start = text.find("# --- stdout\n").expect("stdout marker") + "# --- stdout\n".len();
    let end = text.find("# --- stderr").expect("stderr marker");
    text[start..end].to_owned()
}

/// Discovery requests (`/api`, `/apis`, `/api/v1`, `/apis/<group>[/<version>]`) the server saw.
pub fn discovery_requests(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .map(|request| request.path)
        .filter(|path| is_discovery_path(path))
        .collect()
}

fn is_discovery_path(path: &str) -> bool {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    matches!(
        segments.as_slice(),
        ["api"] | ["apis"] | ["api", _] | ["apis", _] | ["apis", _, _]
    )
}

/// Runs `command` with `args`, `stdin` on its standard input, and collects its output.
pub fn run_with_stdin(mut command: Command, args: &[&str], stdin: &str) -> Run {
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn command");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for command").into()
}
