//! Plugin mode: the kz binary linked as `kubectl-kz` on PATH is run by the real kubectl as
//! `kubectl kz …`, takes kubectl's global flags first, and says `kubectl kz` in its usage; and
//! the krew manifest describes that binary for every platform.

use std::path::{Path, PathBuf};

use kz_testserver::{TestServer, User};
use serde_json::Value;

use crate::support::{Sandbox, run};

/// A directory with `kubectl-kz` linked to the kz under test.
fn plugin_dir(sandbox: &Sandbox) -> PathBuf {
    let dir = sandbox.path("plugins");
    std::fs::create_dir_all(&dir).expect("plugin directory");
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_kz"), dir.join("kubectl-kz"))
        .expect("link kubectl-kz");
    dir
}

/// The real kubectl with the plugin directory first on PATH.
fn kubectl_with_plugin(sandbox: &Sandbox, dir: &Path) -> Option<std::process::Command> {
    let mut kubectl = sandbox.kubectl()?;
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    kubectl.env("PATH", std::env::join_paths(dirs).expect("PATH"));
    Some(kubectl)
}

#[test]
fn kubectl_runs_kz_as_a_plugin_with_its_global_flags_first() {
    let server = TestServer::builder().frozen().start();
    let sandbox = Sandbox::for_server(&server, &User::admin());
    let dir = plugin_dir(&sandbox);
    let Some(kubectl) = kubectl_with_plugin(&sandbox, &dir) else {
        return;
    };
    let program = kubectl.get_program().to_owned();
    let with_plugin = || {
        let mut command = std::process::Command::new(&program);
        for (name, value) in kubectl.get_envs() {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        command
    };
    // Names, not tables: two runs may straddle a second and print different ages.
    let direct = run(sandbox.kz(), &["-n", "shop", "get", "pods", "-o", "name"]);
    assert!(direct.success().contains("pod/"), "{direct:?}");
    let plugin = run(
        with_plugin(),
        &["kz", "-n", "shop", "get", "pods", "-o", "name"],
    );
    assert_eq!(plugin, direct);

    let context = run(sandbox.kz(), &["config", "current-context"]);
    let context = context.success().trim().to_string();
    let plugin = run(
        with_plugin(),
        &[
            "kz",
            "--context",
            &context,
            "-n",
            "shop",
            "get",
            "deploy",
            "-o",
            "name",
        ],
    );
    assert_eq!(
        plugin,
        run(sandbox.kz(), &["-n", "shop", "get", "deploy", "-o", "name"])
    );

    let help = run(with_plugin(), &["kz", "--help"]);
    let help = help.success();
    assert!(
        help.contains("Usage: kubectl kz [OPTIONS] <COMMAND>"),
        "{help}"
    );
    assert!(help.contains("  kubectl kz get pods -A\n"), "{help}");
    let usage = run(with_plugin(), &["kz", "get", "--bogus"]);
    assert!(
        usage.failure().contains("Usage: kubectl kz get"),
        "{usage:?}"
    );
}

/// The sha256 of nothing, standing in for an archive's.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// What krew-release-bot makes of the template for `tag`: the tag filled in, and each
/// `addURIAndSha "URL" .TagName` call replaced by the archive's `uri` and its `sha256`.
fn render_krew_template(template: &str, tag: &str) -> String {
    let mut rendered = String::new();
    for line in template.lines() {
        let line = line.replace("{{ .TagName }}", tag);
        let trimmed = line.trim_start();
        match trimmed.strip_prefix("{{addURIAndSha \"") {
            Some(call) => {
                let indent = &line[..line.len() - trimmed.len()];
                let uri = call.split('"').next().expect("a quoted URL");
                rendered.push_str(&format!(
                    "{indent}uri: {uri}\n{indent}sha256: {EMPTY_SHA256}\n"
                ));
            }
            None => {
                assert!(!line.contains("{{"), "an unknown template call: {line}");
                rendered.push_str(&line);
                rendered.push('\n');
            }
        }
    }
    rendered
}

#[test]
fn the_krew_manifest_installs_kubectl_kz_on_every_platform() {
    let template =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".krew.yaml"))
            .expect("read .krew.yaml");
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    let manifest: Value = serde_saphyr::from_str(&render_krew_template(&template, &tag))
        .expect("the rendered manifest is YAML");
    assert_eq!(
        manifest["apiVersion"],
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(manifest["kind"], "Plugin");
    // krew names the plugin after the binary: `kubectl-kz` is `kubectl kz`.
    assert_eq!(manifest["metadata"]["name"], "kz");
    let spec = &manifest["spec"];
    assert_eq!(spec["version"], tag.as_str());
    for field in ["homepage", "shortDescription", "description"] {
        assert!(
            spec[field].as_str().is_some_and(|text| !text.is_empty()),
            "{field}"
        );
    }
    let platforms = spec["platforms"].as_array().expect("platforms");
    let mut seen = Vec::new();
    for platform in platforms {
        let labels = &platform["selector"]["matchLabels"];
        let (os, arch) = (
            labels["os"].as_str().expect("os"),
            labels["arch"].as_str().expect("arch"),
        );
        seen.push(format!("{os}/{arch}"));
        let exe = if os == "windows" { ".exe" } else { "" };
        assert_eq!(
            platform["bin"],
            format!("kubectl-kz{exe}").as_str(),
            "{os}/{arch}"
        );
        assert_eq!(platform["files"][0]["from"], format!("kz{exe}").as_str());
        assert_eq!(platform["files"][0]["to"], platform["bin"]);
        let uri = platform["uri"].as_str().expect("uri");
        assert!(
            uri.starts_with("https://") && uri.ends_with(".tar.gz"),
            "{uri}"
        );
        assert!(
            uri.contains(&format!("/releases/download/{tag}/kz-{tag}-")),
            "{uri}"
        );
        assert_eq!(platform["sha256"].as_str().map(str::len), Some(64));
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "darwin/amd64",
            "darwin/arm64",
            "linux/amd64",
            "linux/arm64",
            "windows/amd64"
        ]
    );
}
