//! The built binaries the end-to-end tests of this crate run: `kz-testserver` (cargo gives its
//! path) and `kz`, from the same target directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The built `kz`, next to `kz-testserver` in the target directory. `cargo test --workspace`
/// builds it before it runs any test (kz's own tests need it); a narrower run such as
/// `cargo test -p kz-testserver` on a fresh checkout may not have, and then it is built here,
/// with the same profile and target directory.
pub(crate) fn kz_binary() -> &'static Path {
    static KZ: OnceLock<PathBuf> = OnceLock::new();
    KZ.get_or_init(|| {
        let server = Path::new(env!("CARGO_BIN_EXE_kz-testserver"));
        let kz = server.with_file_name(format!("kz{}", std::env::consts::EXE_SUFFIX));
        if !kz.is_file() {
            build_kz(server);
        }
        assert!(
            kz.is_file(),
            "{} is missing after building it",
            kz.display()
        );
        kz
    })
}

fn build_kz(server: &Path) {
    let profile_dir = server.parent().expect("the binary's profile directory");
    let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev",
        Some(name) => name,
        None => panic!("no profile directory above {}", server.display()),
    };
    let above = profile_dir.parent().expect("the target directory");
    let is_target_dir = |dir: &Path| dir.join("CACHEDIR.TAG").is_file();
    let (target_dir, triple) = if is_target_dir(above) {
        (above, None)
    } else {
        match above.parent().filter(|dir| is_target_dir(dir)) {
            Some(dir) => (dir, above.file_name()),
            None => panic!(
                "cannot tell the target directory of {}: build kz first (cargo build --bin kz)",
                server.display()
            ),
        }
    };
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.toml");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .args([
            "build",
            "--locked",
            "-p",
            "kz",
            "--bin",
            "kz",
            "--profile",
            profile,
        ])
        .arg("--manifest-path")
        .arg(&workspace)
        .arg("--target-dir")
        .arg(target_dir);
    if let Some(triple) = triple {
        cargo.arg("--target").arg(triple);
    }
    let output = cargo.output().expect("run cargo build");
    assert!(
        output.status.success(),
        "building kz for the end-to-end tests failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
